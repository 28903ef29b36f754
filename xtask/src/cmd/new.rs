//! `cargo xtask new SPEC --out DIR`: a new workspace from a spec.
//!
//! Validate, render, write the whole tree at once (nothing half-written on failure), then read
//! the result back through `cargo metadata` to prove cargo sees exactly the spec's graph.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::anyhow;
use trellis_render::Templates;
use trellis_sync::Verifier;

use crate::cmd::{LoadedSpec, Mismatch, load_spec, print_diagnostics};
use crate::exit::{Failure, Outcome};

/// Create a workspace from a spec.
///
/// DIR must not exist, or be an empty folder. A spec with any error writes nothing.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The spec to build from (a `Trellis.toml`).
    spec: PathBuf,
    /// Where to create the workspace.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// A folder of templates that replace the defaults, by the same relative names.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let loaded = load_spec(&args.spec)?;
    refuse_idle_allowances(&loaded, &args.spec)?;
    crate::cmd::check_dependency_paths(&loaded, &args.spec, &args.out)?;
    let templates = load_templates(args.templates.as_deref())?;
    generate(&Arc::new(loaded), &args.out, &templates)?;
    eprintln!(
        "next: `cd {}` and `cargo xtask ci` builds, lints, tests and documents it",
        args.out.display()
    );
    Ok(())
}

/// A new workspace holds exactly the spec's edges, so the only finding an `[[allow]]` can
/// excuse there is a declared normal or build edge up the layers. One that excuses nothing
/// would fail `check` (C012) in the workspace `new` is about to write: refused before writing.
fn refuse_idle_allowances(loaded: &LoadedSpec, file: &Path) -> Outcome {
    let spec = &loaded.spec;
    let rank =
        |name: &str| spec.crate_named(name)?.layer.as_deref().and_then(|l| spec.layer_rank(l));
    let idle: Vec<trellis_spec::Diagnostic> = spec
        .allow
        .iter()
        .filter(|a| {
            let declared = spec.crate_named(&a.from.name).is_some_and(|c| {
                c.depends.iter().any(|(kind, to)| kind.is_structural() && to.name == a.to.name)
            });
            let upward = matches!((rank(&a.from.name), rank(&a.to.name)), (Some(f), Some(t)) if f < t);
            !(declared && upward)
        })
        .map(|a| {
            trellis_spec::Diagnostic::error(
                trellis_check::codes::UNUSED_ALLOWANCE,
                format!(
                    "`[[allow]]` from `{}` to `{}` excuses nothing in a new workspace",
                    a.from.name, a.to.name
                ),
            )
            .in_file(file.display().to_string())
            .at(a.span.clone(), "no declared edge up the layers needs it")
            .hint("a new workspace holds exactly the spec's edges; remove the entry, or declare the edge it is for")
        })
        .collect();
    if idle.is_empty() {
        return Ok(());
    }
    print_diagnostics(&idle, Some(&loaded.text));
    let (n, plural) = (idle.len(), if idle.len() == 1 { "y" } else { "ies" });
    Err(Failure::input(anyhow!(
        "{n} `[[allow]]` entr{plural} would fail `check` in the new workspace; nothing was written"
    )))
}

/// The templates to render with: the defaults, or the defaults under a folder of overrides.
pub(crate) fn load_templates(dir: Option<&Path>) -> Result<Templates, Failure> {
    match dir {
        None => Ok(Templates::embedded()),
        Some(dir) => Templates::with_overrides(dir).map_err(Failure::input),
    }
}

/// Renders a validated spec into a new workspace at `out`, verified with cargo before it is
/// moved into place: a tree cargo refuses, or a run interrupted, leaves nothing behind.
pub(crate) fn generate(loaded: &Arc<LoadedSpec>, out: &Path, templates: &Templates) -> Outcome {
    let files =
        trellis_render::render(&loaded.spec, &loaded.text, templates).map_err(Failure::input)?;
    let cancel = crate::signal::cancel_flag();
    // What cargo said of the staging folder, kept for the error this command reports.
    let verdict: Arc<Mutex<Outcome>> = Arc::new(Mutex::new(Ok(())));
    let verifier = {
        let (loaded, verdict) = (Arc::clone(loaded), Arc::clone(&verdict));
        Verifier::new(move |root: &Path| {
            let outcome = verify(&loaded, root);
            let refused = outcome.is_err();
            *verdict.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = outcome;
            if refused { Err("cargo does not see the spec's graph".to_owned()) } else { Ok(()) }
        })
    };
    let report = trellis_sync::create_with(out, &files, &cancel, Some(&verifier)).map_err(|e| {
        if e.is_interrupted() {
            return Failure::Interrupted(anyhow!(
                "interrupted: `{}` was not created, and nothing was left behind",
                out.display()
            ));
        }
        if let trellis_sync::SyncError::Verification { .. } = e {
            let verdict = std::mem::replace(
                &mut *verdict.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
                Ok(()),
            );
            if let Err(failure) = verdict {
                return failure.context(format!(
                    "`{}` was not created, and nothing was left behind",
                    out.display()
                ));
            }
        }
        crate::cmd::plan::sync_failure(e)
    })?;
    eprintln!(
        "{} {} files in `{}`",
        crate::term::paint("created", crate::term::Style::Good),
        report.written(),
        out.display()
    );
    let crates = loaded.spec.crates.len();
    let plural = if crates == 1 { "" } else { "s" };
    eprintln!(
        "{} cargo metadata sees the {crates} crate{plural} and their edges as the spec declares them",
        crate::term::paint("verified", crate::term::Style::Good),
    );
    Ok(())
}

/// Reads a new workspace back through `cargo metadata --no-deps`: its members and internal
/// edges must be exactly the spec's. A difference is Trellis' fault, not the user's: exit 3.
fn verify(loaded: &LoadedSpec, root: &Path) -> Outcome {
    match crate::cmd::cargo_sees_spec(loaded, root) {
        Ok(()) => Ok(()),
        Err(Mismatch::Metadata(e)) => Err(crate::cmd::metadata_failure(e)),
        Err(Mismatch::Graph(checked)) => {
            for d in &checked.diagnostics {
                let source = d.file.as_ref().and_then(|f| checked.sources.get(f));
                print_diagnostics(std::slice::from_ref(d), source.map(String::as_str));
            }
            Err(Failure::env(anyhow!(
                "the generated workspace differs from its spec as cargo sees it; this is a bug in Trellis"
            )))
        }
    }
}
