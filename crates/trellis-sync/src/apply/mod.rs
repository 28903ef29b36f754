//! Doing what a plan says, as a transaction: a journal first, then moves, writes and deletions,
//! the ledger, a verification, and the journal removed last; any failure rolls back. And
//! `create`, which is an apply onto an empty folder built beside the target and renamed into
//! place.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use trellis_render::PlannedFile;

use crate::SyncError;
use crate::fsx::Root;
use crate::journal::{self, JOURNAL_PATH, Journal, Rollback};
use crate::ledger::{LEDGER_PATH, LOCK_PATH, Ledger};
use crate::plan::{Judge, Options, Plan, plan_in};
use crate::staging::{self};

/// What an `apply` (or a `create`) did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan it carried out. An entry whose file a person saved while the run was going is
    /// turned into a [`Action::Conflict`] (see [`Report::changed_meanwhile`]).
    pub plan: Plan,
    /// Files written (created, updated or merged), workspace-relative.
    pub written_files: Vec<String>,
    /// Files deleted by `--prune`.
    pub deleted_files: Vec<String>,
    /// `<file>.trellis-new` files written beside conflicts.
    pub conflict_copies: Vec<String>,
    /// Whether the ledger was written.
    pub ledger_written: bool,
    /// Files that changed on disk between planning and writing (a person's save): left as they
    /// were saved, and reported as conflicts.
    pub changed_meanwhile: Vec<String>,
    /// Of those, the files a person saved in the instant between `apply`'s last look and its
    /// rename (or deletion): their bytes were put back (or never replaced).
    pub raced: Vec<String>,
    /// Cargo's refusal of the result, when files a person saved during the run were part of
    /// what it saw: the run is kept (the saves are theirs, the rest is done), and the next
    /// `apply` judges again. `None` when cargo accepted the result or was not asked.
    pub unverified: Option<String>,
    /// What was cleaned up first, from an earlier run that was interrupted.
    pub recovery: Recovery,
}

/// What `apply` cleaned up before planning: an interrupted run, temporary files.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// An earlier run was interrupted; this is how its rollback went.
    pub rollback: Option<Rollback>,
    /// Temporary files of interrupted writes, removed (workspace-relative).
    pub temporaries: Vec<String>,
    /// Staging folders of `new` runs whose process is gone, removed from beside the workspace.
    pub staging: Vec<PathBuf>,
}

impl Report {
    /// A report of `plan` before anything is done.
    fn of(plan: Plan) -> Report {
        Report {
            plan,
            written_files: Vec::new(),
            deleted_files: Vec::new(),
            conflict_copies: Vec::new(),
            ledger_written: false,
            changed_meanwhile: Vec::new(),
            raced: Vec::new(),
            unverified: None,
            recovery: Recovery::default(),
        }
    }

    /// Whether some file was left alone because of a conflict (so the command exits 1).
    pub fn has_conflicts(&self) -> bool {
        self.plan.has_conflicts()
    }

    /// How many files were written (created, updated or merged).
    pub fn written(&self) -> usize {
        self.written_files.len()
    }

    /// How many files `--prune` deleted.
    pub fn deleted(&self) -> usize {
        self.deleted_files.len()
    }
}

/// Checks a workspace that `apply` has just written, before the run is committed: `Err` (a
/// message for people) rolls the whole run back. The engine never runs cargo itself; the
/// command line passes a verifier that does (`cargo metadata`, compared with the spec).
///
/// A verifier may look at the workspace twice: once before the first change (only when the run
/// changes something), to learn how things stood, and once after every change, to decide.
#[derive(Clone)]
pub struct Verifier(Arc<StartFn>);

/// The check a [`Verifier`] runs after the changes: the workspace root in, a message for
/// people when it refuses.
pub type Check = Box<dyn FnOnce(&Path) -> Result<(), String>>;

/// What a [`Verifier`] runs before the first change: it returns the check for after.
type StartFn = dyn Fn(&Path) -> Check + Send + Sync;

impl Verifier {
    /// A verifier that only checks the workspace after the changes.
    pub fn new(check: impl Fn(&Path) -> Result<(), String> + Send + Sync + 'static) -> Verifier {
        let check = Arc::new(check);
        Verifier(Arc::new(move |_: &Path| -> Check {
            let check = Arc::clone(&check);
            Box::new(move |root: &Path| check(root))
        }))
    }

    /// A verifier that reads the workspace before the first change: `start` gets the root and
    /// returns the check to run after the changes, which may compare with what it saw.
    pub fn with_baseline(start: impl Fn(&Path) -> Check + Send + Sync + 'static) -> Verifier {
        Verifier(Arc::new(start))
    }

    fn start(&self, root: &Path) -> Check {
        (self.0)(root)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Verifier(..)")
    }
}

/// How to apply: how to plan, and what only a run that writes is asked.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// How to plan (the plan `apply` makes inside its lock).
    pub plan: Options,
    /// Checks the workspace once everything is written and before the run is committed; when
    /// it refuses, the run is rolled back (see [`Verifier`]).
    pub verify: Option<Verifier>,
    /// Judges the plan before anything is written: the entries it names are held back (see
    /// [`Judge`]). `plan` callers run the same judge on the plan it returns.
    pub judge: Option<Judge>,
    /// Set by the caller (a Ctrl-C handler) to stop the run between two changes; the run then
    /// rolls back and returns [`SyncError::Interrupted`] (`create_with` takes the same kind of
    /// flag for `new`).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl From<Options> for ApplyOptions {
    fn from(plan: Options) -> ApplyOptions {
        ApplyOptions { plan, ..ApplyOptions::default() }
    }
}

/// Brings the workspace at `root` in line with `files`, as one transaction:
///
/// 1. an interrupted earlier run is rolled back (whatever the spec says now), and temporary
///    files of interrupted writes are removed;
/// 2. the plan is made, and every change it makes is written to the journal
///    (`.trellis/journal.toml`) before the first one;
/// 3. the changes are made, each only while the file still holds what the plan read (a
///    person's save meanwhile wins, and is reported as a conflict); then the ledger;
/// 4. [`ApplyOptions::verify`], when given and something was written, checks the result;
/// 5. the journal is removed. A failure, a refusal or [`ApplyOptions::cancel`] at any point before
///    rolls the run back.
///
/// Conflicts are never overwritten; they are in the report (see [`Report::has_conflicts`]). A
/// second `apply` with the same files writes nothing. Only one `apply` runs on a workspace at a
/// time: another one finds the lock taken and returns [`SyncError::Locked`] at once.
pub fn apply(
    root: &Path,
    files: &[PlannedFile],
    options: &ApplyOptions,
) -> Result<Report, SyncError> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(SyncError::WrongKind { path: root.to_path_buf(), what: "not a folder" });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(SyncError::NoWorkspace(root.to_path_buf()));
        }
        Err(e) => return Err(SyncError::io("inspect", root)(e)),
    }
    // The root itself may be reached through a link the person chose; nothing inside it is.
    let dir = fs::canonicalize(root).map_err(SyncError::io("resolve", root))?;
    let root = Root::new(&dir);
    let _lock = root.lock(LOCK_PATH)?;
    let mut recovery = recover(&root)?;
    if let Some(parent) = dir.parent() {
        recovery.staging = staging::sweep_stale(parent);
    }
    let mut ledger = Ledger::load_in(&root)?;
    ledger.resolve_with(files, options.plan.history.as_ref());
    let mut plan = plan_in(&root, files, &ledger, &options.plan)?;
    // Judged inside the lock, so that what is judged is exactly what is written.
    if let Some(judge) = &options.judge
        && plan.writes()
    {
        let held = judge.judge(&plan).map_err(|message| SyncError::Verification {
            message,
            rollback: Rollback::default(),
        })?;
        plan.hold_back(&held, &ledger);
    }
    let mut report = transact(&root, plan, &ledger, options)?;
    report.recovery = recovery;
    Ok(report)
}

/// Records in the ledger of the workspace at `root` that a person affirmed the tests of some
/// requirements against their current text: `affirmed` maps each id to its text's fingerprint.
/// Nothing else changes; the ledger is written atomically, under the lock `apply` takes, and
/// not at all while an interrupted `apply` waits to be rolled back.
pub fn affirm(root: &Path, affirmed: &BTreeMap<String, String>) -> Result<(), SyncError> {
    let dir = fs::canonicalize(root).map_err(SyncError::io("resolve", root))?;
    let root = Root::new(&dir);
    let _lock = root.lock(LOCK_PATH)?;
    if root.read(JOURNAL_PATH)?.is_some() {
        return Err(SyncError::Unfinished(dir));
    }
    let mut ledger = Ledger::load_in(&root)?;
    ledger.affirmed.extend(affirmed.iter().map(|(id, f)| (id.clone(), f.clone())));
    root.write(LEDGER_PATH, ledger.to_text().as_bytes())
}

/// Whether the workspace at `root` holds the journal of an interrupted `apply`, which the next
/// `apply` rolls back before anything else. Reads only (for `plan`).
pub fn unfinished(root: &Path) -> Result<bool, SyncError> {
    let root = Root::new(root);
    Ok(root.read(JOURNAL_PATH)?.is_some())
}

/// Rolls back an interrupted run, if its journal is there, and removes the temporary files of
/// interrupted writes: in `.trellis/` and the root, and in every folder the journal names.
/// Trellis writes anywhere else only while a journal lists every change of the run (it is
/// written before the first and removed after the last), so a write killed halfway leaves
/// the journal that names its folder; without one, no other folder can hold such a file, and
/// the thousands of folders of a large workspace are not read on every run.
fn recover(root: &Root) -> Result<Recovery, SyncError> {
    let mut recovery = Recovery::default();
    let journal = Journal::load(root)?;
    if let Some(journal) = &journal {
        let rolled = journal::rollback(root, journal).and_then(|r| {
            root.remove(JOURNAL_PATH)?;
            Ok(r)
        });
        recovery.rollback = Some(rolled.map_err(|error| SyncError::RollbackFailed {
            cause: "an earlier `apply` was interrupted".into(),
            done: Vec::new(),
            error: Box::new(error),
        })?);
    }
    let mut dirs: Vec<String> = vec![String::new(), ".trellis".to_owned()];
    if let Some(journal) = &journal {
        dirs.extend(journal.written_folders());
    }
    recovery.temporaries = root.sweep_temps(dirs.iter().map(String::as_str))?;
    Ok(recovery)
}

mod create;
mod transact;

pub use create::{create, create_with};
use transact::transact;
