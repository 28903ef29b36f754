//! `plan`: what `apply` would do, judged by cargo as `apply` would judge it; and a plan's
//! human form.

use std::sync::Arc;

use trellis_sync::{Options, Plan};

use super::prepare::prepare;
use crate::judge::{Judged, Verify};
use crate::{Error, Loaded, Project};

/// What [`plan`] is asked.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Plan as `apply --prune` would: delete orphans that are unchanged since Trellis wrote
    /// them.
    pub prune: bool,
    /// Compute a unified diff of every change (for a conflict: the file with the markers).
    pub diff: bool,
    /// How hard cargo judges the result before `apply` would write it.
    pub verify: Verify,
    /// Set when the run is to stop (Ctrl-C): the plan stops once cargo's question ends (cargo
    /// gets the same signal), with [`ErrorKind::Interrupted`](crate::ErrorKind), leaving
    /// nothing of its own behind.
    pub cancel: Option<Arc<std::sync::atomic::AtomicBool>>,
}

/// What [`plan`] found.
#[derive(Debug)]
pub struct Planned {
    /// The spec it planned from.
    pub loaded: Loaded,
    /// One entry per file, and the summary.
    pub plan: Plan,
    /// Whether an `apply` was interrupted here (its journal remains): the next `apply` first
    /// rolls it back, so what it does can differ from this plan.
    pub unfinished: bool,
    /// What cargo said of the result: the entries it refuses are held back in `plan` as
    /// conflicts; a refusal of `cargo check` refuses the whole plan (`apply` would roll back).
    pub judged: Judged,
}

/// Plans what `apply` would do, file by file, and asks cargo about the result as `apply`
/// would (see [`Planned::judged`]); writes nothing in the workspace, ever.
///
/// ```
/// use trellis::trellis_sync::Action;
///
/// let dir = tempfile::tempdir()?;
/// let spec = "[workspace]\nname = \"shop\"\n\n[crates.books]\n";
/// std::fs::write(dir.path().join("Trellis.toml"), spec)?;
/// let planned = trellis::plan(&trellis::Project::at(dir.path()), &Default::default())?;
/// assert!(planned.plan.entries.iter().any(|e| e.path == "crates/books/Cargo.toml"));
/// assert_eq!(planned.plan.count(Action::Conflict), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: the spec is missing or has errors, an external dependency's `path` leads to no
/// package or its registry is unknown, a template override is broken. Environment: a file
/// cannot be read.
pub fn plan(project: &Project, options: &PlanOptions) -> Result<Planned, Error> {
    let prepared = prepare(project)?;
    let unfinished = trellis_sync::unfinished(project.root())?;
    // Cargo starts on a guess at once, and again on a better one as soon as the plan has
    // planned what it reads (not on a half-changed workspace, and not for a build, which
    // reads every file).
    let early = (!unfinished && options.verify == Verify::Metadata && project.root().is_dir())
        .then(|| crate::judge::Early::new(project.root()))
        .flatten();
    if let Some(early) = &early
        && prepared.renames.is_empty()
    {
        early.start_on_render(&prepared.files);
    }
    let history = crate::history::history(project.root(), project.templates());
    let mut ledger = prepared.ledger;
    ledger.resolve_with(&prepared.files, Some(&history));
    let sync = Options {
        prune: options.prune,
        diff: options.diff,
        renames: prepared.renames,
        others: prepared.others,
        facts: Some(crate::facts::reader()),
        history: Some(history),
        early: early.as_ref().map(crate::judge::Early::hook),
        ..Options::default()
    };
    let mut plan = trellis_sync::plan(project.root(), &prepared.files, &ledger, &sync)?;
    // The same judge `apply` runs on the same plan, so that both say the same. Not on a
    // half-changed workspace: the next `apply` rolls the interrupted run back first, and plans
    // and judges anew on the tree that gives.
    let judged = if unfinished {
        Judged {
            unjudged: Some(
                "an interrupted `apply` is still to be rolled back, so cargo was not asked about this plan".to_owned(),
            ),
            ..Judged::default()
        }
    } else {
        let cancelled =
            || options.cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst));
        let interrupted =
            || Error::new(crate::ErrorKind::Interrupted, "interrupted; nothing was written");
        let early = early.and_then(|early| early.verdict(&plan));
        if cancelled() {
            return Err(interrupted());
        }
        let (held, judged) = match early {
            Some(judged) => (Vec::new(), judged),
            None => crate::judge::judge(project.root(), &plan, options.verify)?,
        };
        if cancelled() {
            return Err(interrupted());
        }
        super::prepare::refuse_idle_after(&prepared.loaded, project.root(), &plan, &held)?;
        plan.hold_back(&held, &ledger);
        judged
    };
    Ok(Planned { loaded: Arc::unwrap_or_clone(prepared.loaded), plan, unfinished, judged })
}

/// A plan for people: one aligned line per file that changes (every file with `all`), its
/// path as [`Project::show`] shows it, its note, and its diff when `diffs` and the plan has
/// one. The action is styled (green for a change, red for a conflict, yellow for an orphan or
/// a deletion); write it through anstream.
pub fn render_plan(project: &Project, plan: &Plan, diffs: bool, all: bool) -> String {
    trellis_sync::render_human(&plan.entries, diffs, all, &|path| project.show(path))
}
