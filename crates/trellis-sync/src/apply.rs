//! Doing what a plan says: moves, then writes, then deletions, the ledger last; and `create`,
//! which is the same apply onto an empty folder built beside the target and renamed into place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use trellis_render::PlannedFile;

use crate::SyncError;
use crate::fsx::{self, Root, fault};
use crate::ledger::{IGNORE_PATH, IGNORE_TEXT, LEDGER_PATH, LOCK_PATH, Ledger};
use crate::plan::{Action, CONFLICT_SUFFIX, Op, Options, Plan, plan_in};

/// What an `apply` (or a `create`) did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan it carried out.
    pub plan: Plan,
    /// Files written (created, updated or merged), workspace-relative.
    pub written_files: Vec<String>,
    /// Files deleted by `--prune`.
    pub deleted_files: Vec<String>,
    /// `<file>.trellis-new` files written beside conflicts.
    pub conflict_copies: Vec<String>,
    /// Whether the ledger was written.
    pub ledger_written: bool,
}

impl Report {
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

/// Brings the workspace at `root` in line with `files`: plans, then does everything safe,
/// the ledger last. Conflicts are never overwritten; they are in the report (see
/// [`Report::has_conflicts`]). A second `apply` with the same files writes nothing.
///
/// Only one `apply` runs on a workspace at a time: another one finds the lock taken and
/// returns [`SyncError::Locked`] at once.
pub fn apply(root: &Path, files: &[PlannedFile], options: &Options) -> Result<Report, SyncError> {
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
    let ledger = Ledger::load_in(&root)?;
    let plan = plan_in(&root, files, &ledger, options)?;
    execute(&root, plan, options, false)
}

/// Creates a new workspace at `out` from `files`. `out` must be absent or an empty folder.
///
/// The whole tree, ledger included, is built in a fresh folder beside `out` and renamed into
/// place in one step, so a failure at any point leaves nothing behind.
pub fn create(out: &Path, files: &[PlannedFile]) -> Result<Report, SyncError> {
    for f in files {
        fsx::check_rel(&f.path)?;
    }
    let given = out;
    let resolved;
    let out = match fs::symlink_metadata(given) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(given.into())),
        Ok(meta) if meta.is_dir() => {
            let mut entries = fs::read_dir(given).map_err(SyncError::io("read", given))?;
            if entries.next().is_some() {
                return Err(SyncError::NotEmpty(given.into()));
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
    let tmp = Staging::new(&parent, &name)?;
    let root = Root::new(&tmp.path);
    let plan = plan_in(&root, files, &Ledger::default(), &Options::default())?;
    let report = execute(&root, plan, &Options::default(), true)?;
    // The lock file exists from the start, so that the first `apply` adds no file at all.
    drop(root.lock(LOCK_PATH)?);
    fault::point()?;
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

/// A staging folder beside the target, removed unless disarmed.
struct Staging {
    path: PathBuf,
    armed: bool,
}

impl Staging {
    fn new(parent: &Path, name: &str) -> Result<Staging, SyncError> {
        let pid = std::process::id();
        for n in 0..1000 {
            let path = parent.join(format!(".{name}.trellis-{pid}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Staging { path, armed: true }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(SyncError::io("create folder", path)(e)),
            }
        }
        Err(SyncError::io("create folder", parent)(io::Error::other("no free staging name")))
    }

    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Carries out a plan. Any error stops the run before the ledger is written; since every
/// write is atomic and never touches a person's file, the next `apply` completes the work.
fn execute(root: &Root, plan: Plan, options: &Options, fresh: bool) -> Result<Report, SyncError> {
    let mut report = Report {
        plan,
        written_files: Vec::new(),
        deleted_files: Vec::new(),
        conflict_copies: Vec::new(),
        ledger_written: false,
    };
    for e in &report.plan.entries {
        if let Op::Move { from, to } = &e.op {
            root.move_dir(from, to)?;
        }
    }
    for e in &report.plan.entries {
        if let Op::Write(text) = &e.op {
            root.write(&e.path, text.as_bytes())?;
            report.written_files.push(e.path.clone());
        }
    }
    if options.write_conflicts {
        for e in report.plan.entries.iter().filter(|e| e.action == Action::Conflict) {
            let Some(theirs) = e.trellis_version() else { continue };
            let copy = format!("{}{CONFLICT_SUFFIX}", e.path);
            if root.read(&copy)?.as_deref() != Some(theirs.as_bytes()) {
                root.write(&copy, theirs.as_bytes())?;
            }
            report.conflict_copies.push(copy);
        }
    }
    for e in &report.plan.entries {
        if e.op == Op::Delete {
            root.remove(&e.path)?;
            report.deleted_files.push(e.path.clone());
        }
    }
    if root.read(IGNORE_PATH)?.is_none() {
        root.write(IGNORE_PATH, IGNORE_TEXT.as_bytes())?;
    }
    if fresh || report.plan.ledger_changes || root.read(LEDGER_PATH)?.is_none() {
        root.write(LEDGER_PATH, report.plan.ledger.to_text().as_bytes())?;
        report.ledger_written = true;
    }
    Ok(report)
}
