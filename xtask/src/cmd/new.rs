//! `new SPEC --out DIR`: a new workspace from a spec.

use std::path::PathBuf;

use crate::cmd::print_warnings;
use crate::exit::Outcome;
use crate::term;

/// Create a workspace from a spec.
///
/// DIR must not exist, or be an empty folder, or a fresh clone (version-control metadata and
/// files at the top, such as a README or a `.gitignore`: those Trellis would write too are
/// conflicts, kept as they are). The workspace is built beside it and read back through
/// `cargo metadata` before it is moved into place: a spec with any error, a refusal or an
/// interruption writes nothing.
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
    let options = trellis::NewOptions {
        templates: args.templates.clone(),
        cancel: Some(crate::signal::cancel_flag()),
    };
    let created = trellis::new(&args.spec, &args.out, &options)?;
    print_warnings(&created.loaded);
    report(&created);
    term::note(&format!(
        "next: `cd {}` and `cargo xtask ci` builds, lints, tests and documents it\n",
        super::shell_word(&created.root)
    ));
    if created.plan.has_conflicts() {
        let conflicts = created
            .plan
            .entries
            .iter()
            .filter(|e| e.action == trellis::trellis_sync::Action::Conflict);
        for e in conflicts {
            let note = e.note.as_ref().map(|n| format!("  ({n})")).unwrap_or_default();
            let action = term::paint("conflict", term::WARNING);
            term::out(&format!("{action}  {}{note}\n", e.path));
        }
        return super::plan::conflicts_outcome(&created.plan, "new");
    }
    Ok(())
}

/// Says what `new` made, and that cargo agrees.
pub(crate) fn report(created: &trellis::Created) {
    term::status(
        "created",
        term::GOOD,
        &format!("{} files in `{}`", created.files, created.root.display()),
    );
    let crates = created.loaded.spec.crates.len();
    let plural = if crates == 1 { "" } else { "s" };
    term::status(
        "verified",
        term::GOOD,
        &format!(
            "cargo metadata sees the {crates} crate{plural} and their edges as the spec declares them"
        ),
    );
}
