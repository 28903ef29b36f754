//! `cargo xtask new SPEC --out DIR`: a new workspace from a spec.
//!
//! Validate, render, write the whole tree at once (nothing half-written on failure), then read
//! the result back through `cargo metadata` to prove cargo sees exactly the spec's graph.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use trellis_render::Templates;

use crate::cmd::{LoadedSpec, load_spec, print_diagnostics};
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
    let templates = load_templates(args.templates.as_deref())?;
    generate(&loaded, &args.out, &templates)?;
    eprintln!(
        "next: `cd {}` and `cargo xtask ci` builds, lints, tests and documents it",
        args.out.display()
    );
    Ok(())
}

/// The templates to render with: the defaults, or the defaults under a folder of overrides.
pub(crate) fn load_templates(dir: Option<&Path>) -> Result<Templates, Failure> {
    match dir {
        None => Ok(Templates::embedded()),
        Some(dir) => Templates::with_overrides(dir).map_err(Failure::input),
    }
}

/// Renders a validated spec into a new workspace at `out`, and verifies it with cargo.
pub(crate) fn generate(loaded: &LoadedSpec, out: &Path, templates: &Templates) -> Outcome {
    let files =
        trellis_render::render(&loaded.spec, &loaded.text, templates).map_err(Failure::input)?;
    let report = trellis_sync::create(out, &files).map_err(|e| match e.is_input() {
        true => Failure::input(e),
        false => Failure::env(e),
    })?;
    eprintln!(
        "{} {} files in `{}`",
        crate::term::paint("created", crate::term::Style::Good),
        report.written(),
        out.display()
    );
    verify(loaded, out)
}

/// Reads the new workspace back through `cargo metadata --no-deps`: its members and internal
/// edges must be exactly the spec's. A difference is Trellis' fault, not the user's: exit 3.
fn verify(loaded: &LoadedSpec, out: &Path) -> Outcome {
    let cargo = trellis_check::Cargo::from_env();
    let root = std::path::absolute(out).map_err(Failure::env)?;
    let metadata =
        trellis_check::read_metadata(&root, &cargo).map_err(crate::cmd::metadata_failure)?;
    let checked =
        trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, Default::default());
    if checked.diagnostics.is_empty() {
        let crates = loaded.spec.crates.len();
        let plural = if crates == 1 { "" } else { "s" };
        eprintln!(
            "{} cargo metadata sees the {crates} crate{plural} and their edges as the spec declares them",
            crate::term::paint("verified", crate::term::Style::Good),
        );
        return Ok(());
    }
    for d in &checked.diagnostics {
        let source = d.file.as_ref().and_then(|f| checked.sources.get(f));
        print_diagnostics(std::slice::from_ref(d), source.map(String::as_str));
    }
    Err(Failure::env(anyhow!(
        "the generated workspace at `{}` differs from its spec as cargo sees it; this is a bug in Trellis",
        out.display()
    )))
}
