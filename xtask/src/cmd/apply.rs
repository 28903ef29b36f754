//! `apply`: bring the workspace in line with its spec, changing only what Trellis owns; safe
//! to run any number of times.

use std::path::PathBuf;

use trellis::trellis_sync::Recovery;

use crate::cmd::plan::{Format, Source, VerifyArg, conflicts_outcome, human, report_judged};
use crate::cmd::{current_dir, print_warnings};
use crate::exit::Outcome;
use crate::term;

/// Bring the workspace in line with its spec; never overwrites a byte a person wrote.
///
/// Does what `plan` shows, the ledger last, as one transaction that cargo must accept. Files a
/// person changed where Trellis wants to change them are left as they are and reported as
/// conflicts (exit 1).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    source: Source,
    /// Delete orphaned files that are unchanged since Trellis wrote them (a crate only as a
    /// whole), and take their crates out of the root manifest.
    #[arg(long)]
    prune: bool,
    /// Write each conflict out: the merge with conflict markers into a seeded file, Trellis'
    /// version beside any other file as `<file>.trellis-new`.
    #[arg(long)]
    write_conflicts: bool,
    /// Mark a conflicted file as resolved: keep it as it is and record Trellis' version as
    /// delivered. Relative to the current folder when it is inside the workspace, else to the
    /// workspace root. Repeatable.
    #[arg(long, value_name = "FILE")]
    accept: Vec<PathBuf>,
    /// Print a unified diff of every change made.
    #[arg(long)]
    diff: bool,
    #[command(flatten)]
    verify: VerifyArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.source.project()?;
    let here = current_dir()?;
    let accept = args.accept.iter().map(|p| project.accepted(&here, p)).collect();
    let options = trellis::ApplyOptions {
        prune: args.prune,
        diff: args.diff,
        write_conflicts: args.write_conflicts,
        accept,
        cancel: Some(crate::signal::cancel_flag()),
        verify: args.verify.level(),
    };
    let applied = trellis::apply(&project, &options)?;
    print_warnings(&applied.loaded);
    report_judged(&applied.judged);
    let report = &applied.report;
    report_recovery(&project, &report.recovery);
    for path in &args.accept {
        term::status(
            "accepted",
            term::GOOD,
            &format!("`{}` kept as it is; Trellis' version recorded as delivered", path.display()),
        );
    }
    for path in &report.changed_meanwhile {
        let when = match report.raced.contains(path) {
            true => " in the instant `apply` replaced it (its bytes were put back)",
            false => "",
        };
        term::warning(&format!(
            "`{}` changed while `apply` ran (a person's save){when}: kept as it was saved; run `trellis apply` again",
            project.show(path),
        ));
    }
    if let Some(message) = &report.unverified {
        term::warning(&format!(
            "cargo does not accept the workspace with the manifests saved during `apply`; the run is kept, since what cargo refuses may be the saves:\n{message}\nhint: run `trellis apply` again once the saved files are as they should be"
        ));
    }
    match args.format {
        Format::Human => {
            let mut summary = human(&project, &report.plan, args.diff);
            summary.push_str(&format!("apply: {}", report.plan.summary()));
            summary.push_str(&format!("; {} written", report.written()));
            if report.deleted() > 0 {
                summary.push_str(&format!(", {} deleted", report.deleted()));
            }
            if !report.conflict_copies.is_empty() {
                summary.push_str(&format!(
                    ", Trellis' version of {} conflicted file(s) beside them",
                    report.conflict_copies.len()
                ));
            }
            summary.push('\n');
            term::out(&summary);
            report_old_names(&project, &applied.old_names);
        }
        Format::Json => term::out(&applied.json(&project)),
    }
    conflicts_outcome(&report.plan, "apply")
}

/// Names the files that call a renamed crate by its old name, and how to finish the rename.
fn report_old_names(project: &trellis::Project, old_names: &[trellis::OldName]) {
    let mut renames: Vec<(&str, &str)> =
        old_names.iter().map(|o| (o.from.as_str(), o.to.as_str())).collect();
    renames.dedup();
    for (from, to) in renames {
        let (old, new) = (from.replace('-', "_"), to.replace('-', "_"));
        let mut text = String::new();
        let files: Vec<&trellis::OldName> = old_names.iter().filter(|o| o.from == from).collect();
        // A crate many files use would fill the screen: the first few, and how many more
        // (`--format json` lists them all).
        const SHOWN: usize = 10;
        for o in files.iter().take(SHOWN) {
            text.push_str(&format!(
                "note: `{}` still calls `{to}` by its old name `{old}`\n",
                project.show(&o.path)
            ));
        }
        if files.len() > SHOWN {
            text.push_str(&format!(
                "note: and {} more file(s) (`--format json` lists them all)\n",
                files.len() - SHOWN
            ));
        }
        text.push_str(&format!(
            "hint: it builds as it is (the dependency keeps the key `{from}`, with `package = \"{to}\"`); rename `{old}` to `{new}` in the code when ready, then rename the key to `{to}` and drop its `package`\n"
        ));
        term::note(&text);
    }
}

/// Tells what was cleaned up from an earlier, interrupted run.
fn report_recovery(project: &trellis::Project, recovery: &Recovery) {
    if let Some(rollback) = &recovery.rollback {
        term::status(
            "recovered",
            term::GOOD,
            &format!(
                "an earlier `apply` was interrupted; it was rolled back ({} change(s) undone) before this one",
                rollback.undone.len()
            ),
        );
        for path in &rollback.kept {
            term::warning(&format!(
                "`{}` changed since the interrupted run began: left as it is",
                project.show(path)
            ));
        }
    }
    if !recovery.temporaries.is_empty() {
        term::status(
            "recovered",
            term::GOOD,
            &format!(
                "removed {} temporary file(s) left by interrupted writes",
                recovery.temporaries.len()
            ),
        );
    }
    for path in &recovery.staging {
        term::status(
            "recovered",
            term::GOOD,
            &format!("removed `{}`, left by a Trellis run that was killed", path.display()),
        );
    }
}
