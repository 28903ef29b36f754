//! The only door to the disk: every path stays inside the workspace root, no symbolic link is
//! ever followed, and every write is atomic (a temporary file beside the target, then a rename).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::SyncError;

/// Checks that a planned path is relative, `/`-separated and made of plain names only.
pub(crate) fn check_rel(path: &str) -> Result<(), SyncError> {
    let bad = |reason| Err(SyncError::BadPath { path: path.to_owned(), reason });
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.starts_with('/') || path.contains(':') {
        return bad("it is absolute");
    }
    if path.contains('\\') {
        return bad("it holds a backslash; planned paths are `/`-separated");
    }
    for part in path.split('/') {
        match part {
            "" => return bad("it holds an empty component"),
            "." | ".." => return bad("it holds `.` or `..`"),
            _ => {}
        }
    }
    Ok(())
}

/// The folders above `rel`, nearest the root first (`a/b/c` gives `a`, `a/b`).
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

/// A workspace root, and what has been learnt about its folders so far.
pub(crate) struct Root {
    dir: PathBuf,
    /// Relative folder → whether it is a real folder (`true`) or absent (`false`).
    dirs: RefCell<HashMap<String, bool>>,
}

impl Root {
    pub(crate) fn new(dir: &Path) -> Root {
        Root { dir: dir.to_path_buf(), dirs: RefCell::new(HashMap::new()) }
    }

    pub(crate) fn abs(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    /// Whether `rel` is a real folder (`Some(true)`), absent (`Some(false)`); an error when it
    /// is a link or a file.
    fn probe_dir(&self, rel: &str) -> Result<bool, SyncError> {
        if let Some(&known) = self.dirs.borrow().get(rel) {
            return Ok(known);
        }
        let abs = self.abs(rel);
        let state = match fs::symlink_metadata(&abs) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(abs)),
            Ok(meta) if meta.is_dir() => true,
            Ok(_) => return Err(SyncError::WrongKind { path: abs, what: "not a folder" }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(SyncError::io("inspect", abs)(e)),
        };
        self.dirs.borrow_mut().insert(rel.to_owned(), state);
        Ok(state)
    }

    /// Whether every folder above `rel` exists (and none is a link).
    fn parents_exist(&self, rel: &str) -> Result<bool, SyncError> {
        for dir in ancestors(rel) {
            if !self.probe_dir(dir)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether the folder `rel` exists, refusing links on the way.
    pub(crate) fn dir_exists(&self, rel: &str) -> Result<bool, SyncError> {
        Ok(self.parents_exist(rel)? && self.probe_dir(rel)?)
    }

    /// The bytes of the file at `rel`, or `None` when there is none.
    pub(crate) fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, SyncError> {
        if !self.parents_exist(rel)? {
            return Ok(None);
        }
        let abs = self.abs(rel);
        match fs::symlink_metadata(&abs) {
            Ok(meta) if meta.file_type().is_symlink() => Err(SyncError::Symlink(abs)),
            Ok(meta) if meta.is_dir() => {
                Err(SyncError::WrongKind { path: abs, what: "a folder where a file belongs" })
            }
            Ok(_) => fs::read(&abs).map(Some).map_err(SyncError::io("read", abs)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SyncError::io("inspect", abs)(e)),
        }
    }

    /// Creates the folders above `rel` that are missing.
    fn make_parents(&self, rel: &str) -> Result<(), SyncError> {
        for dir in ancestors(rel) {
            if !self.probe_dir(dir)? {
                let abs = self.abs(dir);
                match fs::create_dir(&abs) {
                    Ok(()) => {}
                    // Someone made it meanwhile: probe it again, links included.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        self.dirs.borrow_mut().remove(dir);
                        if !self.probe_dir(dir)? {
                            return Err(SyncError::io("create folder", abs)(e));
                        }
                    }
                    Err(e) => return Err(SyncError::io("create folder", abs)(e)),
                }
                self.dirs.borrow_mut().insert(dir.to_owned(), true);
            }
        }
        Ok(())
    }

    /// Writes `bytes` at `rel` atomically: a temporary file in the same folder, then a rename
    /// over the target, so a reader (or a killed run) sees the old file or the new one, never
    /// half of one. An existing file keeps its permissions.
    pub(crate) fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), SyncError> {
        fault::point()?;
        self.make_parents(rel)?;
        let abs = self.abs(rel);
        let existing = match fs::symlink_metadata(&abs) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(SyncError::Symlink(abs)),
            Ok(meta) if meta.is_dir() => {
                return Err(SyncError::WrongKind {
                    path: abs,
                    what: "a folder where a file belongs",
                });
            }
            Ok(meta) => Some(meta.permissions()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(SyncError::io("inspect", abs)(e)),
        };
        let parent = abs.parent().unwrap_or(&self.dir);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".trellis-").suffix(".tmp");
        // A temporary file is private (0600); the file it becomes must not be.
        if let Some(permissions) = existing.or_else(default_permissions) {
            builder.permissions(permissions);
        }
        let mut tmp = builder.tempfile_in(parent).map_err(SyncError::io("write", &abs))?;
        tmp.write_all(bytes).map_err(SyncError::io("write", &abs))?;
        tmp.persist(&abs).map_err(|e| SyncError::io("write", &abs)(e.error))?;
        Ok(())
    }

    /// Deletes the file at `rel`, then every folder above it that this left empty (never the
    /// root itself).
    pub(crate) fn remove(&self, rel: &str) -> Result<(), SyncError> {
        fault::point()?;
        let abs = self.abs(rel);
        match fs::remove_file(&abs) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SyncError::io("delete", abs)(e)),
        }
        let dirs: Vec<&str> = ancestors(rel).collect();
        for dir in dirs.into_iter().rev() {
            // A folder that still holds something (a person's file) stays.
            if fs::remove_dir(self.abs(dir)).is_err() {
                break;
            }
            self.dirs.borrow_mut().insert(dir.to_owned(), false);
        }
        Ok(())
    }

    /// Moves the folder `from` to `to` (which must not exist), in one rename.
    pub(crate) fn move_dir(&self, from: &str, to: &str) -> Result<(), SyncError> {
        fault::point()?;
        self.make_parents(to)?;
        let (a, b) = (self.abs(from), self.abs(to));
        fs::rename(&a, &b).map_err(SyncError::io("move", a))?;
        self.dirs.borrow_mut().clear();
        Ok(())
    }

    /// Takes the workspace's apply lock, refusing at once when another run holds it. The lock
    /// is released when the returned file is dropped (or the process dies).
    pub(crate) fn lock(&self, rel: &str) -> Result<File, SyncError> {
        self.make_parents(rel)?;
        let abs = self.abs(rel);
        if fs::symlink_metadata(&abs).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(SyncError::Symlink(abs));
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&abs)
            .map_err(SyncError::io("open the lock", &abs))?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(fs::TryLockError::WouldBlock) => Err(SyncError::Locked(self.dir.clone())),
            Err(fs::TryLockError::Error(e)) => Err(SyncError::io("lock", abs)(e)),
        }
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}

/// The fault-injection point: every change to the disk passes here first. Compiled to nothing
/// outside tests; in tests, a run can be stopped after any number of changes.
#[cfg(not(test))]
pub(crate) mod fault {
    use crate::SyncError;

    #[inline(always)]
    pub(crate) fn point() -> Result<(), SyncError> {
        Ok(())
    }
}

/// The fault-injection point, armed per thread by tests.
#[cfg(test)]
pub(crate) mod fault {
    use std::cell::Cell;

    use crate::SyncError;

    thread_local! {
        static BUDGET: Cell<Option<usize>> = const { Cell::new(None) };
        static COUNT: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts one change to the disk, or fails when the budget is spent.
    pub(crate) fn point() -> Result<(), SyncError> {
        if let Some(left) = BUDGET.get() {
            if left == 0 {
                return Err(SyncError::Injected);
            }
            BUDGET.set(Some(left - 1));
        }
        COUNT.set(COUNT.get() + 1);
        Ok(())
    }

    /// Allows `budget` more changes on this thread, then fails (`None`: no limit).
    pub(crate) fn arm(budget: Option<usize>) {
        BUDGET.set(budget);
    }

    /// How many changes this thread has made so far.
    pub(crate) fn count() -> usize {
        COUNT.get()
    }
}
