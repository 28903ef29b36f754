//! `cargo xtask apply`: bring the workspace in line with its spec, changing only what Trellis
//! owns; safe to run any number of times.

use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use trellis_sync::{Check, Options, Recovery, Verifier};

use crate::cmd::plan::{Format, Source, conflicts_outcome, emit, json_plan, prepare, sync_failure};
use crate::cmd::{LoadedSpec, Mismatch, cargo_sees_spec};
use crate::exit::Outcome;

/// Bring the workspace in line with its spec; never overwrites a byte a person wrote.
///
/// Does what `plan` shows, the ledger last. Files a person changed where Trellis wants to
/// change them are left as they are and reported as conflicts (exit 1).
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
    /// delivered. Repeatable.
    #[arg(long, value_name = "FILE")]
    accept: Vec<String>,
    /// Print a unified diff of every change made.
    #[arg(long)]
    diff: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let prepared = prepare(&args.source)?;
    let options = Options {
        prune: args.prune,
        diff: args.diff,
        renames: prepared.renames.clone(),
        accept: args.accept.iter().map(|p| p.replace('\\', "/")).collect(),
        write_conflicts: args.write_conflicts,
        verify: Some(verifier(Arc::clone(&prepared.loaded))),
        cancel: Some(crate::signal::cancel_flag()),
    };
    let report =
        trellis_sync::apply(&prepared.root, &prepared.files, &options).map_err(sync_failure)?;
    report_recovery(&report.recovery);
    for path in &report.changed_meanwhile {
        eprintln!(
            "{}: `{path}` changed while `apply` ran (a person's save): kept as it was saved; run `apply` again",
            crate::term::paint("warning", crate::term::Style::Warning)
        );
    }
    match args.format {
        Format::Human => {
            let mut summary = trellis_sync::render_human(&report.plan.entries, args.diff);
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
            emit(&summary);
        }
        Format::Json => {
            let applied = json!({
                "written": report.written_files,
                "deleted": report.deleted_files,
                "conflict_copies": report.conflict_copies,
                "ledger_written": report.ledger_written,
            });
            let doc = json_plan(&prepared.root, &report.plan, applied);
            emit(&format!("{}\n", serde_json::to_string_pretty(&doc).expect("JSON values print")));
        }
    }
    conflicts_outcome(&report.plan, "apply")
}

/// The verifier `apply` runs: cargo must load the result, and see no difference from the spec
/// that was not there before the run. A difference that was there before (a crate a person
/// added, an orphan kept without `--prune`, a key a person holds in a conflict) is theirs, not
/// the run's; when cargo could not load the workspace before either, for the same reason (a
/// person's broken manifest), that is not the run's doing either.
fn verifier(loaded: Arc<LoadedSpec>) -> Verifier {
    Verifier::with_baseline(move |root: &Path| -> Check {
        let before = cargo_sees_spec(&loaded, root).err();
        let loaded = Arc::clone(&loaded);
        Box::new(move |root: &Path| {
            let Err(after) = cargo_sees_spec(&loaded, root) else { return Ok(()) };
            let refused = match (&before, &after) {
                (None, _) => true,
                // Cargo loads it now: whatever it sees that was not there before is the run's.
                (Some(Mismatch::Graph(_)), Mismatch::Graph(_)) => {
                    let seen = before.as_ref().map(Mismatch::findings).unwrap_or_default();
                    after.findings().iter().any(|f| !seen.contains(f))
                }
                // It could not load it before: loading it now is no step back.
                (Some(Mismatch::Metadata(_)), Mismatch::Graph(_)) => false,
                (Some(was), Mismatch::Metadata(_)) => was.findings() != after.findings(),
            };
            if refused { Err(after.message()) } else { Ok(()) }
        })
    })
}

/// Tells what was cleaned up from an earlier, interrupted run.
fn report_recovery(recovery: &Recovery) {
    let note = crate::term::paint("recovered", crate::term::Style::Good);
    if let Some(rollback) = &recovery.rollback {
        eprintln!(
            "{note}: an earlier `apply` was interrupted; it was rolled back ({} change(s) undone) before this one",
            rollback.undone.len()
        );
        for path in &rollback.kept {
            eprintln!(
                "{}: `{path}` changed since the interrupted run began: left as it is",
                crate::term::paint("warning", crate::term::Style::Warning)
            );
        }
    }
    if !recovery.temporaries.is_empty() {
        eprintln!(
            "{note}: removed {} temporary file(s) left by interrupted writes",
            recovery.temporaries.len()
        );
    }
    for path in &recovery.staging {
        eprintln!("{note}: removed `{}`, left by a `new` that was killed", path.display());
    }
}
