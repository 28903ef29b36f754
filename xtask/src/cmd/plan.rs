//! `cargo xtask plan`: what `apply` would do, file by file, without writing anything.
//!
//! Also the shared front half of `plan` and `apply`: find the workspace and its spec, parse,
//! render, and print a plan for people (aligned lines, a summary) or for programs (JSON, see
//! docs/sync.md).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::anyhow;
use serde_json::{Value, json};
use trellis_render::PlannedFile;
use trellis_sync::{Action, Options, Plan, Rename, SyncError};

use crate::cmd::{LoadedSpec, SPEC_FILE, load_spec, new::load_templates, workspace_root};
use crate::exit::{Failure, Outcome};

/// Show what `apply` would do, file by file; writes nothing, ever.
///
/// Each file gets an action: create, update, merge, conflict, unchanged, orphan (or delete,
/// with --prune). Exits 1 when a file is in conflict.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) source: Source,
    /// Show a unified diff of every change (for a conflict: from the file to Trellis' version).
    #[arg(long)]
    diff: bool,
    /// Plan as `apply --prune` would: delete orphans that are unchanged since Trellis wrote them.
    #[arg(long)]
    prune: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// Where the workspace, its spec and its templates are.
#[derive(Debug, clap::Args)]
pub(crate) struct Source {
    /// The workspace root (default: the current folder). It need not exist yet for `plan`.
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// The spec (default: `Trellis.toml` at the workspace root).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// A folder of templates that replace the defaults, by the same relative names.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// How a plan or a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// One aligned line per file, then a summary.
    Human,
    /// One JSON document (see docs/sync.md).
    Json,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let prepared = prepare(&args.source)?;
    let options = Options {
        prune: args.prune,
        diff: args.diff,
        renames: prepared.renames.clone(),
        ..Options::default()
    };
    // An interrupted `apply` left its journal: this plan sees the half-done workspace, while the
    // next `apply` first rolls that run back. Say so rather than show a plan as if all were well.
    let unfinished = trellis_sync::unfinished(&prepared.root).map_err(sync_failure)?;
    if unfinished {
        eprintln!(
            "{}: an `apply` was interrupted here (`{}` remains): the next `apply` first rolls it back to the state before that run, then plans again, so what it does can differ from this plan\nhint: run `cargo xtask apply` to finish the rollback",
            crate::term::paint("warning", crate::term::Style::Warning),
            trellis_sync::JOURNAL_PATH,
        );
    }
    let ledger = trellis_sync::Ledger::load(&prepared.root).map_err(sync_failure)?;
    let plan = trellis_sync::plan(&prepared.root, &prepared.files, &ledger, &options)
        .map_err(sync_failure)?;
    match args.format {
        Format::Human => {
            let lines = trellis_sync::render_human(&plan.entries, args.diff);
            emit(&format!("{lines}plan: {}\n", plan.summary()));
        }
        Format::Json => {
            let mut doc = json_plan(&prepared.root, &plan, Value::Null);
            doc["unfinished_apply"] = json!(unfinished);
            emit(&format!("{}\n", serde_json::to_string_pretty(&doc).expect("JSON values print")));
        }
    }
    conflicts_outcome(&plan, "plan")
}

/// A workspace, rendered from its spec and ready to plan or apply.
pub(crate) struct Prepared {
    pub(crate) root: PathBuf,
    /// The spec, shared with `apply`'s verifier.
    pub(crate) loaded: Arc<LoadedSpec>,
    pub(crate) files: Vec<PlannedFile>,
    pub(crate) renames: Vec<Rename>,
}

/// Finds the workspace and its spec, validates the spec and renders it.
pub(crate) fn prepare(source: &Source) -> Result<Prepared, Failure> {
    let root = workspace_root(source.workspace.as_deref())?;
    let spec_path = source.spec.clone().unwrap_or_else(|| root.join(SPEC_FILE));
    if source.spec.is_none() && !spec_path.exists() {
        return Err(Failure::input(anyhow!(
            "no `{SPEC_FILE}` at `{}`\nhint: pass `--workspace DIR`, or `--spec FILE` for a spec kept elsewhere",
            root.display()
        )));
    }
    let loaded = load_spec(&spec_path)?;
    crate::cmd::check_dependency_paths(&loaded, &spec_path, &root)?;
    let templates = load_templates(source.templates.as_deref())?;
    let files = trellis_render::render(&loaded.spec, &loaded.text, &templates).map_err(|e| {
        Failure::env(
            anyhow!(e)
                .context("rendering failed; this is a bug in Trellis or in a template override"),
        )
    })?;
    let renames = loaded
        .spec
        .crates
        .iter()
        .filter_map(|c| {
            let from = c.renamed_from.as_ref()?;
            Some(Rename { from: from.name.clone(), to: c.name.as_str().to_owned() })
        })
        .collect();
    Ok(Prepared { root, loaded: Arc::new(loaded), files, renames })
}

/// Writes data to stdout. A reader that goes away early (`| head`) is not an error worth a
/// panic: the data was theirs to stop reading.
pub(crate) fn emit(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Maps a sync error to its exit code: the person's input (2), the environment (3), or a
/// signal that stopped the run (130).
pub(crate) fn sync_failure(e: SyncError) -> Failure {
    if e.is_interrupted() {
        Failure::Interrupted(anyhow!(e))
    } else if e.is_input() {
        Failure::input(e)
    } else {
        Failure::env(e)
    }
}

/// Exit 1, with a hint, when some file is in conflict.
pub(crate) fn conflicts_outcome(plan: &Plan, command: &str) -> Outcome {
    let n = plan.count(Action::Conflict);
    if n == 0 {
        return Ok(());
    }
    let plural = if n == 1 { "" } else { "s" };
    eprintln!(
        "{}: {n} conflict{plural}: Trellis cannot make its change to {} without touching a person's text; each note says why, and what was done\n\
         hint: `cargo xtask plan --diff` shows each conflict; `cargo xtask apply --write-conflicts` writes the conflict markers into a seeded file (Trellis' version beside any other file, as `<file>{}`); once resolved by hand, `apply` (beside: `apply --accept <file>`) ends the conflict",
        crate::term::paint(command, crate::term::Style::Warning),
        if n == 1 { "a file" } else { "files" },
        trellis_sync::CONFLICT_SUFFIX,
    );
    Err(Failure::Findings)
}

/// The plan as JSON: `{ "format": 1, "workspace", "entries": [...], "summary": {...}, "conflicts" }`,
/// with `report` under `"applied"` for `apply`.
pub(crate) fn json_plan(root: &Path, plan: &Plan, report: Value) -> Value {
    let entries: Vec<Value> = plan
        .entries
        .iter()
        .map(|e| {
            json!({
                "path": e.path,
                "action": e.action.as_str(),
                "ownership": e.ownership.map(ownership_str),
                "note": e.note,
                "diff": e.diff,
            })
        })
        .collect();
    let summary: serde_json::Map<String, Value> =
        Action::ALL.iter().map(|&a| (a.as_str().to_owned(), json!(plan.count(a)))).collect();
    let mut doc = json!({
        "format": 1,
        "workspace": root.display().to_string(),
        "entries": entries,
        "summary": summary,
        "conflicts": plan.count(Action::Conflict),
    });
    if !report.is_null() {
        doc["applied"] = report;
    }
    doc
}

fn ownership_str(o: trellis_render::Ownership) -> &'static str {
    match o {
        trellis_render::Ownership::Manifest => "manifest",
        trellis_render::Ownership::Seeded => "seeded",
        trellis_render::Ownership::Once => "once",
    }
}
