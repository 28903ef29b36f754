//! `cargo xtask apply`: bring the workspace in line with its spec, changing only what Trellis
//! owns; safe to run any number of times.

use serde_json::json;
use trellis_sync::Options;

use crate::cmd::plan::{Format, Source, conflicts_outcome, emit, json_plan, prepare, sync_failure};
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
    /// Write Trellis' version of each conflicted file beside it, as `<file>.trellis-new`.
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
    };
    let report =
        trellis_sync::apply(&prepared.root, &prepared.files, &options).map_err(sync_failure)?;
    for path in &options.accept {
        if !report.plan.entries.iter().any(|e| e.path == *path) {
            eprintln!(
                "{}: `--accept {path}` names no file of this workspace's plan; nothing accepted for it",
                crate::term::paint("warning", crate::term::Style::Warning)
            );
        }
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
