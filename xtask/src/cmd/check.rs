//! `cargo xtask check`: the spec against the workspace cargo sees, for CI.
//!
//! Reads `Trellis.toml`, runs `cargo metadata --no-deps` once, and prints every finding
//! (stderr for people, stdout for `--format json`). Exit 1 when any finding is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use trellis_check::{Cargo, Names, report};
use trellis_spec::Diagnostic;

use crate::cmd::{LoadedSpec, SPEC_FILE, load_spec_and_warnings};
use crate::exit::{Failure, Outcome};

/// Compare the spec with the workspace as cargo sees it.
///
/// Exit 0: clean (warnings allowed). 1: findings. 2: the spec is missing or wrong.
/// 3: `cargo metadata` failed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The workspace root [default: the current folder].
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// How to print findings: rustc-style on stderr, or a JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on requirements whose test is still the pending one, too (as the spec's
    /// `[check] pending-requirements = "deny"` does).
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let root = args.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
    // Files are named as the user would reach them from where they ran the command.
    let shown_root = args.workspace.as_deref().map(|p| p.display().to_string()).unwrap_or_default();
    let (diagnostics, mut sources) = check(&root, &shown_root, args.strict)?;
    print(args.format, &diagnostics, &mut sources);
    if diagnostics.iter().any(Diagnostic::is_error) { Err(Failure::Findings) } else { Ok(()) }
}

/// Every finding of `check` on the workspace at `root`, with the text of the files they point
/// into: what the command does but print, and what `cargo xtask bench check` times.
///
/// The requirements' trace reads every source file, so it runs only for a spec that has
/// requirements, and then on other threads while `cargo metadata` runs, which leaves this
/// process idle: `check` then costs what the slower of the two costs.
pub(crate) fn check(
    root: &Path,
    shown_root: &str,
    strict: bool,
) -> Result<(Vec<Diagnostic>, BTreeMap<String, String>), Failure> {
    // The spec's own warnings are findings too: counted in the summary, listed in the JSON.
    let (loaded, warnings) = load(root)?;
    let spec_file = if shown_root.is_empty() {
        SPEC_FILE.to_owned()
    } else {
        root.join(SPEC_FILE).display().to_string()
    };
    let (metadata, traced) = std::thread::scope(|scope| {
        let traced = trellis_trace::findings::possible(&loaded.spec)
            .then(|| scope.spawn(|| trellis_trace::trace(&loaded.spec, root)));
        let metadata = trellis_check::read_metadata(root, &Cargo::from_env());
        let traced = traced
            .map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .transpose();
        (metadata, traced)
    });
    // Cargo's failure comes first: a workspace cargo cannot load is what needs fixing.
    let metadata = metadata.map_err(crate::cmd::metadata_failure)?;
    let report = traced.map_err(Failure::env)?;
    let names = Names { spec_file: &spec_file, root: shown_root };
    let checked = trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, names);
    let mut diagnostics = warnings;
    diagnostics.extend(checked.diagnostics);
    if let Some(report) = report {
        diagnostics.extend(requirement_findings(&loaded, &report, strict, names));
    }
    Ok((diagnostics, checked.sources))
}

/// Findings about requirements (lost, stray, pending), from the trace stage. They are printed
/// with the graph findings and count the same way.
fn requirement_findings(
    loaded: &LoadedSpec,
    report: &trellis_trace::TraceReport,
    strict: bool,
    names: Names<'_>,
) -> Vec<Diagnostic> {
    let mut found = trellis_trace::findings(&loaded.spec, report, strict);
    // The trace names files relative to the workspace root; name them as check does.
    trellis_trace::findings::relocate(&mut found, names.spec_file, names.root);
    found
}

fn load(root: &Path) -> Result<(LoadedSpec, Vec<Diagnostic>), Failure> {
    if !root.is_dir() {
        return Err(Failure::input(anyhow!(
            "there is no folder at `{}`\nhint: pass the workspace's root folder with `--workspace DIR`",
            root.display()
        )));
    }
    let path = root.join(SPEC_FILE);
    if !path.exists() {
        let dir = root.display();
        return Err(Failure::input(anyhow!(
            "no `{SPEC_FILE}` at `{dir}`\nhint: write one that describes the workspace as it is with `cargo xtask infer --workspace {dir} > {dir}/{SPEC_FILE}`"
        )));
    }
    // Shown as `Trellis.toml` when checking the current folder.
    let shown = if root == Path::new(".") { PathBuf::from(SPEC_FILE) } else { path };
    load_spec_and_warnings(&shown)
}

fn print(format: Format, diagnostics: &[Diagnostic], sources: &mut BTreeMap<String, String>) {
    // Findings appended from other stages may point into files not read yet.
    for d in diagnostics {
        if let Some(file) = &d.file
            && !sources.contains_key(file)
            && let Ok(text) = std::fs::read_to_string(file)
        {
            sources.insert(file.clone(), text);
        }
    }
    match format {
        Format::Human => {
            eprint!("{}", report::human(diagnostics, sources, crate::term::stderr_color()))
        }
        Format::Json => print!("{}", report::json_text(diagnostics, sources)),
    }
}
