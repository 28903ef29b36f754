//! The only door to the disk: every path stays inside the workspace root, no symbolic link is
//! ever followed, and every write is atomic (a temporary file beside the target, then a rename).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::SyncError;
use crate::ledger::hash_bytes;

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

    /// The root folder itself.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
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
        match self.file(rel)? {
            Some(abs) => fs::read(&abs).map(Some).map_err(SyncError::io("read", abs)),
            None => Ok(None),
        }
    }

    /// Whether there is a file at `rel`, as [`Root::read`] would find it (a link or a folder
    /// there is an error), without reading it.
    pub(crate) fn has_file(&self, rel: &str) -> Result<bool, SyncError> {
        Ok(self.file(rel)?.is_some())
    }

    /// The file at `rel`, if there is one: its absolute path.
    fn file(&self, rel: &str) -> Result<Option<PathBuf>, SyncError> {
        if !self.parents_exist(rel)? {
            return Ok(None);
        }
        let abs = self.abs(rel);
        match fs::symlink_metadata(&abs) {
            Ok(meta) if meta.file_type().is_symlink() => Err(SyncError::Symlink(abs)),
            Ok(meta) if meta.is_dir() => {
                Err(SyncError::WrongKind { path: abs, what: "a folder where a file belongs" })
            }
            Ok(_) => Ok(Some(abs)),
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
        // After the folders: a run killed here leaves them, as a real kill can.
        self.make_parents(rel)?;
        fault::point()?;
        let abs = self.abs(rel);
        let existing = self.file_permissions(&abs)?;
        let tmp = self.temp_beside(&abs, bytes, existing)?;
        tmp.persist(&abs).map_err(|e| SyncError::io("write", &abs)(e.error))?;
        Ok(())
    }

    /// Writes `bytes` at `rel` only while the file still holds what the caller decided on:
    /// bytes hashing to `expect`, or no file at all when `expect` is `None`. A person's save
    /// is never overwritten: [`Checked::Changed`] when it came before the check, and
    /// [`Checked::Raced`] when it landed between the check and the rename and was put back.
    ///
    /// The new bytes go to a temporary file first; the file there now is held under a second
    /// name (a hard link) before it is compared, so a save in place from then on lands in the
    /// held file and is found after the rename; a save that replaces the file (a new one renamed
    /// over it) is found by its identity right before the rename. What remains unguarded is
    /// the instant between that last look and the rename. A file expected absent is created
    /// with a rename that refuses to replace, which leaves no window at all.
    pub(crate) fn write_checked(
        &self,
        rel: &str,
        bytes: &[u8],
        expect: Option<&str>,
    ) -> Result<Checked, SyncError> {
        self.make_parents(rel)?;
        fault::point()?;
        let abs = self.abs(rel);
        let existing = self.file_permissions(&abs)?;
        let tmp = self.temp_beside(&abs, bytes, existing)?;
        fault::meanwhile(&self.dir, rel);
        let Some(hash) = expect else {
            return match tmp.persist_noclobber(&abs) {
                Ok(_) => Ok(Checked::Written),
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(Checked::Changed),
                Err(e) => Err(SyncError::io("write", &abs)(e.error)),
            };
        };
        let held = self.hold(&abs)?;
        let Some(seen) = self.read(rel)?.filter(|cur| hash_bytes(cur) == hash) else {
            return Ok(Checked::Changed);
        };
        fault::window(&self.dir, rel);
        if !held.same_file(&abs) {
            return Ok(Checked::Changed);
        }
        tmp.persist(&abs).map_err(|e| SyncError::io("write", &abs)(e.error))?;
        if held.read()?.is_some_and(|now| now != seen) {
            // A save in place between the check and the rename: the person's bytes go back.
            held.restore(&abs)?;
            return Ok(Checked::Raced);
        }
        match fs::read(&abs) {
            Ok(now) if now == bytes => Ok(Checked::Written),
            // Saved again right after the rename: theirs is there, and stays.
            _ => Ok(Checked::Raced),
        }
    }

    /// Deletes the file at `rel` (as [`Root::remove`]) only while its bytes still hash to
    /// `expect`, guarded as [`Root::write_checked`] is: a save in place between the check and
    /// the deletion is put back.
    pub(crate) fn remove_checked(&self, rel: &str, expect: &str) -> Result<Checked, SyncError> {
        fault::meanwhile(&self.dir, rel);
        let abs = self.abs(rel);
        let held = self.hold(&abs)?;
        let Some(seen) = self.read(rel)?.filter(|cur| hash_bytes(cur) == expect) else {
            return Ok(Checked::Changed);
        };
        fault::window(&self.dir, rel);
        if !held.same_file(&abs) {
            return Ok(Checked::Changed);
        }
        fault::point()?;
        match fs::remove_file(&abs) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(SyncError::io("delete", abs)(e)),
        }
        if held.read()?.is_some_and(|now| now != seen) {
            held.restore(&abs)?;
            return Ok(Checked::Raced);
        }
        // The held name goes first: it would keep the folder from being empty.
        drop(held);
        self.remove_empty_parents(rel);
        Ok(Checked::Written)
    }

    /// The file at `abs` held under a second name (a hard link beside it, named as a
    /// temporary file, so that a killed run's is swept), for as long as the returned guard
    /// lives. Holds nothing where the file is absent or the system has no hard links.
    fn hold(&self, abs: &Path) -> Result<Held, SyncError> {
        let parent = abs.parent().unwrap_or(&self.dir);
        for _ in 0..16 {
            let name = format!("{TEMP_PREFIX}{}{TEMP_SUFFIX}", random_token(TEMP_RANDOM));
            let link = parent.join(name);
            match fs::hard_link(abs, &link) {
                Ok(()) => return Ok(Held { link: Some(link) }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(_) => return Ok(Held { link: None }),
            }
        }
        Ok(Held { link: None })
    }

    /// The permissions of the file at `abs` (`None` when absent); an error when it is a link
    /// or a folder.
    fn file_permissions(&self, abs: &Path) -> Result<Option<fs::Permissions>, SyncError> {
        match fs::symlink_metadata(abs) {
            Ok(meta) if meta.file_type().is_symlink() => Err(SyncError::Symlink(abs.into())),
            Ok(meta) if meta.is_dir() => Err(SyncError::WrongKind {
                path: abs.into(),
                what: "a folder where a file belongs",
            }),
            Ok(meta) => Ok(Some(meta.permissions())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SyncError::io("inspect", abs)(e)),
        }
    }

    /// A temporary file beside `abs` holding `bytes`, named as [`is_temp_name`] recognises.
    fn temp_beside(
        &self,
        abs: &Path,
        bytes: &[u8],
        existing: Option<fs::Permissions>,
    ) -> Result<tempfile::NamedTempFile, SyncError> {
        let parent = abs.parent().unwrap_or(&self.dir);
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX).rand_bytes(TEMP_RANDOM);
        // A temporary file is private (0600); the file it becomes must not be.
        if let Some(permissions) = existing.or_else(default_permissions) {
            builder.permissions(permissions);
        }
        let mut tmp = builder.tempfile_in(parent).map_err(SyncError::io("write", abs))?;
        tmp.write_all(bytes).map_err(SyncError::io("write", abs))?;
        Ok(tmp)
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
        self.remove_empty_parents(rel);
        Ok(())
    }

    /// Removes the folder `rel` when it is empty; returns whether it did.
    pub(crate) fn remove_empty_dir(&self, rel: &str) -> Result<bool, SyncError> {
        fault::point()?;
        let removed = fs::remove_dir(self.abs(rel)).is_ok();
        if removed {
            self.dirs.borrow_mut().insert(rel.to_owned(), false);
        }
        Ok(removed)
    }

    /// The folders above `rel` that do not exist yet, nearest the root first: those a write
    /// of `rel` creates.
    pub(crate) fn missing_parents(&self, rel: &str) -> Result<Vec<String>, SyncError> {
        let mut missing = Vec::new();
        for dir in ancestors(rel) {
            if !missing.is_empty() || !self.probe_dir(dir)? {
                missing.push(dir.to_owned());
            }
        }
        Ok(missing)
    }

    /// Removes every folder above `rel` that is empty, nearest first, up to the first one that
    /// still holds something (never the root itself).
    pub(crate) fn remove_empty_parents(&self, rel: &str) {
        let dirs: Vec<&str> = ancestors(rel).collect();
        for dir in dirs.into_iter().rev() {
            // A folder that still holds something (a person's file) stays.
            if fs::remove_dir(self.abs(dir)).is_err() {
                break;
            }
            self.dirs.borrow_mut().insert(dir.to_owned(), false);
        }
    }

    /// Removes the temporary files that interrupted writes left in the folders `dirs`
    /// (workspace-relative, `""` for the root); returns them. Only regular files named as
    /// [`is_temp_name`] says are touched; a folder that is a link, or absent, is skipped.
    pub(crate) fn sweep_temps<'a>(
        &self,
        dirs: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<String>, SyncError> {
        let dirs: std::collections::BTreeSet<&str> = dirs.into_iter().collect();
        let mut removed = Vec::new();
        for dir in dirs {
            if !matches!(self.dir_exists(dir), Ok(true)) {
                continue;
            }
            let abs = self.abs(dir);
            let entries = fs::read_dir(&abs).map_err(SyncError::io("read", &abs))?;
            for entry in entries {
                let entry = entry.map_err(SyncError::io("read", &abs))?;
                let name = entry.file_name();
                let Some(name) = name.to_str().filter(|n| is_temp_name(n)) else { continue };
                // `file_type` does not follow links: a link named like a temporary file stays.
                if !entry.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.path();
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(SyncError::io("delete", path)(e)),
                }
                removed.push(if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}/{name}")
                });
            }
        }
        Ok(removed)
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

    /// Takes the workspace's apply lock, refusing (after a moment, see below) when another run
    /// holds it. The lock is released when the returned file is dropped (or the process dies).
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
        // A child process this one (or another thread of it) is starting shares the lock until
        // it executes its program: a lock held that briefly is not another `apply`, so it is
        // tried again for a moment before another run is reported.
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(fs::TryLockError::WouldBlock) if tries < 25 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(SyncError::Locked(self.dir.clone()));
                }
                Err(fs::TryLockError::Error(e)) => return Err(SyncError::io("lock", abs)(e)),
            }
        }
    }
}

/// What a checked write or deletion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// It was done.
    Written,
    /// The file no longer held what the caller decided on: left as it was.
    Changed,
    /// A person saved the file in the instant between the check and the rename (or the
    /// deletion): their bytes are back in place, or were never replaced.
    Raced,
}

/// A file held under a second name by [`Root::hold`]; the name is removed on drop.
struct Held {
    link: Option<PathBuf>,
}

impl Held {
    /// What the held file holds now (`None`: nothing is held).
    fn read(&self) -> Result<Option<Vec<u8>>, SyncError> {
        let Some(link) = &self.link else { return Ok(None) };
        fs::read(link).map(Some).map_err(SyncError::io("read", link))
    }

    /// Whether `abs` is still the file held (true when nothing is held or the system cannot
    /// tell): a file renamed over it by a person's editor is another file.
    fn same_file(&self, abs: &Path) -> bool {
        let Some(link) = &self.link else { return true };
        match (fs::symlink_metadata(link), fs::symlink_metadata(abs)) {
            (Ok(a), Ok(b)) => same_identity(&a, &b),
            _ => false,
        }
    }

    /// Puts the held file back at `abs`, over what is there.
    fn restore(mut self, abs: &Path) -> Result<(), SyncError> {
        let Some(link) = self.link.take() else { return Ok(()) };
        fs::rename(&link, abs).map_err(SyncError::io("put back", abs))
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            let _ = fs::remove_file(link);
        }
    }
}

#[cfg(unix)]
fn same_identity(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_identity(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// `len` random letters and digits: for a temporary name, or a token nobody can guess.
pub(crate) fn random_token(len: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    // Each `RandomState` is seeded from the system's randomness (and differs per call).
    let mut out = String::with_capacity(len);
    while out.len() < len {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_usize(out.len());
        let mut n = hasher.finish();
        for _ in 0..8.min(len - out.len()) {
            out.push(char::from(ALPHABET[(n % ALPHABET.len() as u64) as usize]));
            n /= ALPHABET.len() as u64;
        }
    }
    out
}

/// How every temporary file Trellis makes is named: `.trellis-` then [`TEMP_RANDOM`] random
/// letters and digits, then `.tmp`. Recovery removes exactly these names and no others.
const TEMP_PREFIX: &str = ".trellis-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 6;

/// Whether `name` is the name of a temporary file Trellis makes (see [`TEMP_PREFIX`]).
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|r| r.len() == TEMP_RANDOM && r.bytes().all(|b| b.is_ascii_alphanumeric()))
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

    #[inline(always)]
    pub(crate) fn meanwhile(_root: &std::path::Path, _rel: &str) {}

    #[inline(always)]
    pub(crate) fn window(_root: &std::path::Path, _rel: &str) {}
}

/// The fault-injection point, armed per thread by tests.
#[cfg(test)]
pub(crate) mod fault {
    use std::cell::{Cell, RefCell};
    use std::path::Path;

    use crate::SyncError;

    thread_local! {
        static BUDGET: Cell<Option<usize>> = const { Cell::new(None) };
        static COUNT: Cell<usize> = const { Cell::new(0) };
        static FAIL: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
        static ON_POINT: RefCell<Option<Box<dyn FnMut()>>> = const { RefCell::new(None) };
    }

    /// Counts one change to the disk, or fails when the budget is spent.
    pub(crate) fn point() -> Result<(), SyncError> {
        if let Some(left) = BUDGET.get() {
            if left == 0 {
                return Err(SyncError::Injected);
            }
            BUDGET.set(Some(left - 1));
        }
        if let Some((after, times)) = FAIL.get() {
            if after > 0 {
                FAIL.set(Some((after - 1, times)));
            } else if times > 0 {
                FAIL.set(Some((0, times - 1)));
                // What a full disk looks like to the run: an I/O error; the process lives on.
                let full = std::io::Error::other("no space left on device (injected)");
                return Err(SyncError::io("write", "injected")(full));
            }
        }
        ON_POINT.with(|h| {
            if let Some(hook) = h.borrow_mut().as_mut() {
                hook();
            }
        });
        COUNT.set(COUNT.get() + 1);
        Ok(())
    }

    /// Lets `after` more changes succeed, then makes the next `times` fail with an I/O error,
    /// as a full disk would; the changes after those succeed (`None`: no failures).
    pub(crate) fn fail(plan: Option<(usize, usize)>) {
        FAIL.set(plan);
    }

    /// Runs `hook` at every change this thread makes (`None`: no more).
    pub(crate) fn on_point(hook: Option<Box<dyn FnMut()>>) {
        ON_POINT.with(|h| *h.borrow_mut() = hook);
    }

    /// Allows `budget` more changes on this thread, then fails (`None`: no limit).
    pub(crate) fn arm(budget: Option<usize>) {
        BUDGET.set(budget);
    }

    /// How many changes this thread has made so far.
    pub(crate) fn count() -> usize {
        COUNT.get()
    }

    /// What a test does "meanwhile": called with the root and the path right before `apply`
    /// checks a file it is about to replace or delete, as a person's save could land there.
    type Hook = Box<dyn FnMut(&Path, &str)>;

    thread_local! {
        static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
    }

    /// Runs `hook` before every checked replace or delete on this thread (`None`: no more).
    pub(crate) fn on_meanwhile(hook: Option<Hook>) {
        HOOK.with(|h| *h.borrow_mut() = hook);
    }

    pub(crate) fn meanwhile(root: &Path, rel: &str) {
        HOOK.with(|h| {
            if let Some(hook) = h.borrow_mut().as_mut() {
                hook(root, rel);
            }
        });
    }

    thread_local! {
        static WINDOW: RefCell<Option<Hook>> = const { RefCell::new(None) };
    }

    /// Runs `hook` in the window of every checked replace or delete on this thread: after the
    /// check, right before the rename or deletion (`None`: no more).
    pub(crate) fn on_window(hook: Option<Hook>) {
        WINDOW.with(|h| *h.borrow_mut() = hook);
    }

    pub(crate) fn window(root: &Path, rel: &str) {
        WINDOW.with(|h| {
            if let Some(hook) = h.borrow_mut().as_mut() {
                hook(root, rel);
            }
        });
    }
}
