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
use std::sync::atomic::{AtomicBool, Ordering};

use trellis_render::PlannedFile;

use crate::SyncError;
use crate::fsx::{self, Checked, Root, fault};
use crate::journal::{self, Change, JOURNAL_PATH, Journal, Rollback};
use crate::ledger::{
    APPLIED_PATH, ATTRIBUTES_PATH, ATTRIBUTES_TEXT, IGNORE_PATH, IGNORE_TEXT, LEDGER_PATH,
    LOCK_PATH, Ledger, OLD_IGNORE_TEXTS, hash_bytes,
};
use crate::plan::{Action, CONFLICT_SUFFIX, Judge, Op, Options, Plan, plan_in};
use crate::staging::{self, Staging};

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
    let mut recovery = recover(&root, files)?;
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
/// interrupted writes: in `.trellis/`, the root, and every folder the journal, the planned
/// files or the ledger name (the only folders Trellis ever writes in).
fn recover(root: &Root, files: &[PlannedFile]) -> Result<Recovery, SyncError> {
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
    let ledger = Ledger::load_in(root).unwrap_or_default();
    let mut dirs: Vec<&str> = vec!["", ".trellis"];
    let named = files
        .iter()
        .map(|f| f.path.as_str())
        .chain(ledger.files.keys().map(String::as_str))
        .chain(journal.iter().flat_map(Journal::paths));
    dirs.extend(named.filter_map(|p| p.rsplit_once('/').map(|(dir, _)| dir)));
    recovery.temporaries = root.sweep_temps(dirs)?;
    Ok(recovery)
}

/// Creates a new workspace at `out` from `files`. `out` must be absent, an empty folder, or a
/// fresh clone (version-control metadata and files at the top: see `fresh_clone`), whose files
/// `new` would create too are conflicts, kept as they are.
///
/// The whole tree, ledger included, is built in a fresh folder beside `out` and renamed into
/// place in one step, so a failure at any point leaves nothing behind.
pub fn create(out: &Path, files: &[PlannedFile]) -> Result<Report, SyncError> {
    create_with(out, files, &AtomicBool::new(false), None)
}

/// [`create`], stopping cleanly (the staging folder removed, [`SyncError::Interrupted`]) when
/// `cancel` is set between two writes. Staging folders that runs whose process is gone left in
/// the same parent folder are removed first.
///
/// With `verify`, the finished tree is checked in its staging folder before it is moved into
/// place: a tree the verifier refuses is removed, and `out` is left as it was
/// ([`SyncError::Verification`]).
pub fn create_with(
    out: &Path,
    files: &[PlannedFile],
    cancel: &AtomicBool,
    verify: Option<&Verifier>,
) -> Result<Report, SyncError> {
    for f in files {
        fsx::check_rel(&f.path)?;
    }
    let given = out;
    let resolved;
    // A fresh clone: version-control metadata and a few files at the top, filled in place.
    let mut clone = false;
    let out = match fs::symlink_metadata(given) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(given.into())),
        Ok(meta) if meta.is_dir() => {
            let entries: Vec<fs::DirEntry> = fs::read_dir(given)
                .map_err(SyncError::io("read", given))?
                .collect::<Result<_, _>>()
                .map_err(SyncError::io("read", given))?;
            if !entries.is_empty() {
                if !fresh_clone(&entries) {
                    return Err(SyncError::NotEmpty(given.into()));
                }
                clone = true;
            }
            // `.` or `a/..` name no folder to rename onto: take the real path.
            resolved = fs::canonicalize(given).map_err(SyncError::io("resolve", given))?;
            resolved.as_path()
        }
        Ok(_) => return Err(SyncError::NotEmpty(given.into())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => given,
        Err(e) => return Err(SyncError::io("inspect", given)(e)),
    };
    let name = out
        .file_name()
        .filter(|n| !n.is_empty())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workspace".to_owned());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(SyncError::io("create folder", &parent))?;
    staging::sweep_stale(&parent);
    let tmp = Staging::new(&parent, &name)?;
    let root = Root::new(&tmp.path);
    // Planned against what is there: a file of the clone that `new` would create too (a
    // README, a `.gitignore`) is a conflict, as in `apply`, and kept.
    let planned_on = if clone { Root::new(out) } else { Root::new(&tmp.path) };
    let plan = plan_in(&planned_on, files, &Ledger::default(), &Options::default())?;
    let report = execute_fresh(&root, plan, cancel)?;
    fault::point()?;
    if cancel.load(Ordering::SeqCst) {
        return Err(SyncError::Interrupted { rollback: Rollback::default() });
    }
    if let Some(verify) = verify {
        let check = verify.start(&tmp.path);
        check(&tmp.path).map_err(|message| SyncError::Verification {
            message,
            rollback: Rollback::default(),
        })?;
        // The verifier may take a while (cargo): a stop asked for meanwhile still leaves nothing.
        if cancel.load(Ordering::SeqCst) {
            return Err(SyncError::Interrupted { rollback: Rollback::default() });
        }
    }
    tmp.seal()?;
    if clone {
        move_into(&tmp.path, out).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => SyncError::NotEmpty(given.into()),
            _ => SyncError::io("move into place", given)(e),
        })?;
        // Emptied; dropped below, as a failure would have dropped it.
        return Ok(report);
    }
    match fs::rename(&tmp.path, out) {
        Ok(()) => {}
        // Someone put something there meanwhile.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists
            ) =>
        {
            return Err(SyncError::NotEmpty(given.into()));
        }
        Err(e) => return Err(SyncError::io("move into place", given)(e)),
    }
    tmp.disarm();
    Ok(report)
}

/// The folders version control keeps its metadata in.
const VCS_FOLDERS: [&str; 4] = [".git", ".hg", ".jj", ".svn"];

/// Whether a non-empty folder is a repository just made to hold the workspace: version-control
/// metadata, and otherwise only files at the top (a README, a licence, a `.gitignore`, the
/// spec), none of them a manifest; a folder of anything else is someone's work.
fn fresh_clone(entries: &[fs::DirEntry]) -> bool {
    let has_vcs = entries.iter().any(|e| VCS_FOLDERS.iter().any(|v| e.file_name() == *v));
    has_vcs
        && entries.iter().all(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let is_file = e.file_type().is_ok_and(|t| t.is_file());
            VCS_FOLDERS.contains(&name.as_ref())
                || (is_file && name != "Cargo.toml" && name != "Cargo.lock")
        })
}

/// Moves everything in `from` into the existing folder `to`, whose top holds none of it (a
/// clash is `AlreadyExists`); on a failure, moves back what was moved, so `to` is as it was.
fn move_into(from: &Path, to: &Path) -> io::Result<()> {
    let mut moved: Vec<std::ffi::OsString> = Vec::new();
    let result = (|| {
        for entry in fs::read_dir(from)? {
            let name = entry?.file_name();
            let target = to.join(&name);
            if fs::symlink_metadata(&target).is_ok() {
                return Err(io::Error::new(io::ErrorKind::AlreadyExists, "taken meanwhile"));
            }
            fs::rename(from.join(&name), &target)?;
            moved.push(name);
        }
        Ok(())
    })();
    if result.is_err() {
        for name in moved.iter().rev() {
            let _ = fs::rename(to.join(name), from.join(name));
        }
    }
    result
}

/// Carries out a plan in a fresh staging folder: no journal, since the folder is removed whole
/// on any failure.
fn execute_fresh(root: &Root, plan: Plan, cancel: &AtomicBool) -> Result<Report, SyncError> {
    let mut report = Report::of(plan);
    let stop = || -> Result<(), SyncError> {
        match cancel.load(Ordering::SeqCst) {
            true => Err(SyncError::Interrupted { rollback: Rollback::default() }),
            false => Ok(()),
        }
    };
    for e in &report.plan.entries {
        if let Op::Write(text) = &e.op {
            stop()?;
            root.write(&e.path, text.as_bytes())?;
            report.written_files.push(e.path.clone());
        }
    }
    for (path, text, _) in BOOKKEEPING {
        stop()?;
        root.write(path, text.as_bytes())?;
    }
    stop()?;
    root.write(LEDGER_PATH, report.plan.ledger.to_text().as_bytes())?;
    report.ledger_written = true;
    if let Some(text) = report.plan.ledger.local_text() {
        stop()?;
        root.write(APPLIED_PATH, text.as_bytes())?;
    }
    Ok(report)
}

/// One change of a run, as `transact` carries it out.
enum Step {
    Move {
        from: String,
        to: String,
    },
    /// Entry `entry`'s file gets `text`, while it still hashes to `seen`.
    Write {
        entry: usize,
    },
    /// A `<file>.trellis-new` copy beside a conflict.
    Copy {
        path: String,
        text: String,
        seen: Option<String>,
    },
    Delete {
        entry: usize,
    },
    /// One of Trellis' own files in `.trellis/` (what git ignores there, how it merges the
    /// ledger), written while it is absent or what an earlier Trellis wrote (`seen`).
    Bookkeeping {
        path: &'static str,
        text: &'static str,
        seen: Option<String>,
    },
}

/// Trellis' own files beside the ledger, with the texts earlier versions wrote there.
const BOOKKEEPING: [(&str, &str, &[&str]); 2] =
    [(IGNORE_PATH, IGNORE_TEXT, &OLD_IGNORE_TEXTS), (ATTRIBUTES_PATH, ATTRIBUTES_TEXT, &[])];

/// Why a run stopped before its end.
enum Stop {
    Failed(SyncError),
    Cancelled,
    Refused(String),
}

impl From<SyncError> for Stop {
    fn from(e: SyncError) -> Stop {
        Stop::Failed(e)
    }
}

/// Carries out a plan as a transaction (see [`apply`]). `before` is the ledger the plan was
/// made from.
fn transact(
    root: &Root,
    plan: Plan,
    before: &Ledger,
    options: &ApplyOptions,
) -> Result<Report, SyncError> {
    let mut report = Report::of(plan);
    let moves: Vec<(String, String)> = report
        .plan
        .entries
        .iter()
        .filter_map(|e| match &e.op {
            Op::Move(m) => Some((m.from.clone(), m.to.clone())),
            _ => None,
        })
        .collect();
    // Where a path is before the moves: the journal is written before the first change, so
    // a file in a folder that moves is read at its old place.
    let source = |path: &str| -> String {
        for (from, to) in &moves {
            if let Some(rest) = path.strip_prefix(to.as_str())
                && rest.starts_with('/')
            {
                return format!("{from}{rest}");
            }
        }
        path.to_owned()
    };

    // What the run will change, and each file's bytes now: the journal.
    let mut journal = Journal { ledger_before: root.read(LEDGER_PATH)?, changes: Vec::new() };
    let mut steps = Vec::new();
    let mut meanwhile = Vec::new();
    for (from, to) in &moves {
        journal.changes.push(Change::Move { from: from.clone(), to: to.clone() });
        steps.push(Step::Move { from: from.clone(), to: to.clone() });
    }
    for (i, e) in report.plan.entries.iter().enumerate() {
        let Op::Write(text) = &e.op else { continue };
        let cur = root.read(&source(&e.path))?;
        if cur.as_deref().map(hash_bytes) != e.seen {
            meanwhile.push(i);
            continue;
        }
        let after = hash_bytes(text.as_bytes());
        journal.changes.push(Change::Write { path: e.path.clone(), before: cur, after });
        steps.push(Step::Write { entry: i });
    }
    if options.plan.write_conflicts {
        for e in report.plan.entries.iter().filter(|e| e.action == Action::Conflict) {
            let Some(theirs) = e.trellis_version() else { continue };
            let copy = format!("{}{CONFLICT_SUFFIX}", e.path);
            let cur = root.read(&source(&copy))?;
            if cur.as_deref() != Some(theirs.as_bytes()) {
                let (after, seen) = (hash_bytes(theirs.as_bytes()), cur.as_deref().map(hash_bytes));
                journal.changes.push(Change::Write { path: copy.clone(), before: cur, after });
                steps.push(Step::Copy { path: copy.clone(), text: theirs.to_owned(), seen });
            }
            report.conflict_copies.push(copy);
        }
    }
    for (i, e) in report.plan.entries.iter().enumerate() {
        if e.op != Op::Delete {
            continue;
        }
        match root.read(&e.path)? {
            Some(cur) if Some(hash_bytes(&cur)) == e.seen => {
                journal.changes.push(Change::Delete { path: e.path.clone(), before: cur });
                steps.push(Step::Delete { entry: i });
            }
            _ => meanwhile.push(i),
        }
    }
    for (path, text, old) in BOOKKEEPING {
        let cur = root.read(path)?;
        let earlier = |cur: &[u8]| old.iter().any(|o| o.as_bytes() == cur);
        if cur.as_deref().is_none_or(earlier) {
            let (after, seen) = (hash_bytes(text.as_bytes()), cur.as_deref().map(hash_bytes));
            journal.changes.push(Change::Write { path: path.into(), before: cur, after });
            steps.push(Step::Bookkeeping { path, text, seen });
        }
    }
    let ledger_now = |report: &mut Report, meanwhile: &[usize]| {
        for &i in meanwhile {
            let path = report.plan.entries[i].path.clone();
            match before.files.get(&source(&path)) {
                Some(record) => report.plan.ledger.files.insert(path, record.clone()),
                None => report.plan.ledger.files.remove(&path),
            };
        }
        report.plan.ledger.to_text()
    };
    // The folders the run will create, so that a rollback removes them again.
    // This machine's full copy of the ledger, journaled like the ledger: written where it is
    // missing (a fresh clone) or behind, rolled back with the run.
    let local_now = |report: &Report| report.plan.ledger.local_text();
    let local_cur = root.read(APPLIED_PATH)?;
    let local_seen = match local_now(&report) {
        Some(text) if local_cur.as_deref() != Some(text.as_bytes()) => {
            let (after, seen) = (hash_bytes(text.as_bytes()), local_cur.as_deref().map(hash_bytes));
            journal.changes.push(Change::Write {
                path: APPLIED_PATH.into(),
                before: local_cur,
                after,
            });
            Some(seen)
        }
        _ => None,
    };
    let (mut folders, mut seen) = (Vec::new(), std::collections::HashSet::new());
    let local_path = local_seen.as_ref().map(|_| APPLIED_PATH);
    for path in local_path.iter().copied() {
        for folder in root.missing_parents(path)? {
            if seen.insert(folder.clone()) {
                folders.push(folder);
            }
        }
    }
    for step in &steps {
        let path = match step {
            Step::Move { to, .. } => to.as_str(),
            Step::Write { entry } => report.plan.entries[*entry].path.as_str(),
            Step::Copy { path, .. } => path.as_str(),
            Step::Delete { .. } => continue,
            Step::Bookkeeping { path, .. } => path,
        };
        for folder in root.missing_parents(path)? {
            if seen.insert(folder.clone()) {
                folders.push(folder);
            }
        }
    }
    journal.changes.extend(folders.into_iter().map(|path| Change::Folder { path }));
    let ledger_text = ledger_now(&mut report, &meanwhile);
    if steps.is_empty()
        && local_seen.is_none()
        && journal.ledger_before.as_deref() == Some(ledger_text.as_bytes())
    {
        mark_meanwhile(&mut report, &meanwhile);
        return Ok(report);
    }
    let check = options.verify.as_ref().map(|v| v.start(root.dir()));
    root.write(JOURNAL_PATH, journal.to_text().as_bytes())?;

    let mut done: Vec<String> = Vec::new();
    let cancelled = || options.cancel.as_ref().is_some_and(|c| c.load(Ordering::SeqCst));
    let run = (|| -> Result<(), Stop> {
        for step in &steps {
            if cancelled() {
                return Err(Stop::Cancelled);
            }
            match step {
                Step::Move { from, to } => {
                    root.move_dir(from, to)?;
                    done.push(format!("{from} -> {to}"));
                }
                Step::Write { entry } => {
                    let e = &report.plan.entries[*entry];
                    let Op::Write(text) = &e.op else { continue };
                    match root.write_checked(&e.path, text.as_bytes(), e.seen.as_deref())? {
                        Checked::Written => {
                            report.written_files.push(e.path.clone());
                            done.push(e.path.clone());
                        }
                        Checked::Changed => meanwhile.push(*entry),
                        Checked::Raced => {
                            report.raced.push(e.path.clone());
                            meanwhile.push(*entry);
                        }
                    }
                }
                Step::Copy { path, text, seen } => {
                    // A copy someone changed meanwhile is left; the conflict is reported anyway.
                    match root.write_checked(path, text.as_bytes(), seen.as_deref())? {
                        Checked::Written => done.push(path.clone()),
                        Checked::Changed => {}
                        Checked::Raced => report.raced.push(path.clone()),
                    }
                }
                Step::Delete { entry } => {
                    let e = &report.plan.entries[*entry];
                    let seen = e.seen.as_deref().unwrap_or_default();
                    match root.remove_checked(&e.path, seen)? {
                        Checked::Written => {
                            report.deleted_files.push(e.path.clone());
                            done.push(e.path.clone());
                        }
                        Checked::Changed => meanwhile.push(*entry),
                        Checked::Raced => {
                            report.raced.push(e.path.clone());
                            meanwhile.push(*entry);
                        }
                    }
                }
                Step::Bookkeeping { path, text, seen } => {
                    if root.write_checked(path, text.as_bytes(), seen.as_deref())?
                        == Checked::Written
                    {
                        done.push((*path).into());
                    }
                }
            }
        }
        if cancelled() {
            return Err(Stop::Cancelled);
        }
        let ledger_text = ledger_now(&mut report, &meanwhile);
        if journal.ledger_before.as_deref() != Some(ledger_text.as_bytes()) {
            root.write(LEDGER_PATH, ledger_text.as_bytes())?;
            report.ledger_written = true;
            done.push(LEDGER_PATH.into());
        }
        if let Some(seen) = &local_seen
            && let Some(text) = local_now(&report)
            && root.write_checked(APPLIED_PATH, text.as_bytes(), seen.as_deref())?
                == Checked::Written
        {
            done.push(APPLIED_PATH.into());
        }
        // Only a change to the workspace itself can change what cargo sees.
        let touched = done.iter().any(|p| !p.starts_with(".trellis/"));
        if let Some(check) = check
            && touched
        {
            let verdict = check(root.dir());
            // A manifest the run did not change may have been saved meanwhile too, before
            // cargo read it or while it did: the person must hear it was not judged as planned.
            for (i, e) in report.plan.entries.iter().enumerate() {
                if e.op == Op::Nothing
                    && e.ownership == Some(trellis_render::Ownership::Manifest)
                    && !meanwhile.contains(&i)
                    && root.read(&e.path)?.as_deref().map(hash_bytes) != e.seen
                {
                    meanwhile.push(i);
                }
            }
            if let Err(message) = verdict {
                // Ctrl-C reaches cargo too: its failure then is the interruption, not a refusal.
                if cancelled() {
                    return Err(Stop::Cancelled);
                }
                // Cargo judged a workspace that holds a person's save of a manifest: what it
                // refuses may be theirs, so the run stands, their file is a conflict, and the
                // next `apply` judges again.
                let manifest = |e: &crate::plan::Entry| {
                    e.ownership == Some(trellis_render::Ownership::Manifest)
                };
                // One the run wrote and a person saved over since: the next `apply` sees their
                // edit as any other, but cargo judged it now.
                let saved_over = |e: &crate::plan::Entry| match &e.op {
                    Op::Write(text) => {
                        root.read(&e.path).is_ok_and(|cur| cur.as_deref() != Some(text.as_bytes()))
                    }
                    _ => false,
                };
                let entries = &report.plan.entries;
                let saved_manifest = meanwhile.iter().any(|&i| manifest(&entries[i]))
                    || entries.iter().any(|e| manifest(e) && saved_over(e));
                if !saved_manifest {
                    return Err(Stop::Refused(message));
                }
                report.unverified = Some(message);
            }
        }
        root.remove(JOURNAL_PATH)?;
        Ok(())
    })();
    match run {
        Ok(()) => {
            mark_meanwhile(&mut report, &meanwhile);
            Ok(report)
        }
        // A simulated kill: the process is gone, nothing more happens until the next run.
        #[cfg(test)]
        Err(Stop::Failed(SyncError::Injected)) => Err(SyncError::Injected),
        Err(stop) => Err(roll_back(root, &journal, stop, done)),
    }
}

/// Rolls a stopped run back through its journal and says what happened.
fn roll_back(root: &Root, journal: &Journal, stop: Stop, done: Vec<String>) -> SyncError {
    let rolled = journal::rollback(root, journal).and_then(|r| {
        root.remove(JOURNAL_PATH)?;
        Ok(r)
    });
    match (stop, rolled) {
        (Stop::Cancelled, Ok(rollback)) => SyncError::Interrupted { rollback },
        (Stop::Refused(message), Ok(rollback)) => SyncError::Verification { message, rollback },
        (Stop::Failed(error), Ok(rollback)) => {
            SyncError::Failed { error: Box::new(error), done, rollback }
        }
        (stop, Err(error)) => {
            let cause = match stop {
                Stop::Cancelled => "interrupted".to_owned(),
                Stop::Refused(message) => {
                    format!("the workspace as applied does not pass verification:\n{message}\n")
                }
                Stop::Failed(e) => e.to_string(),
            };
            SyncError::RollbackFailed { cause, done, error: Box::new(error) }
        }
    }
}

/// Turns the entries whose file a person saved during the run into conflicts.
fn mark_meanwhile(report: &mut Report, meanwhile: &[usize]) {
    for &i in meanwhile {
        let e = &mut report.plan.entries[i];
        e.action = Action::Conflict;
        e.note = Some("changed while `apply` ran: kept as it was saved; run `apply` again".into());
        if let Op::Write(text) = &e.op {
            e.theirs = Some(text.clone());
        }
        e.op = Op::Nothing;
        report.changed_meanwhile.push(e.path.clone());
    }
}
