//! The staging folders of `new`, and the judge's overlays beside a workspace: fresh folders
//! outside any workspace, recorded where only Trellis looks, so that a run killed outright is
//! cleaned up by a later one, and nothing else ever is.
//!
//! A staging folder lies outside any workspace root, so it is never removed on its name alone:
//! each one has a record under the system's temporary folder (`trellis-staging/`) that names
//! its exact path, its process and a random token, and the same token is written inside the
//! folder. Cleanup removes only a folder a record names, whose token matches, whose lock is
//! free and whose process is gone.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::SyncError;
use crate::fsx::{Root, random_token};
use crate::ledger::LOCK_PATH;

/// `.<name>.trellis-<pid>-<n>`: the name of a staging folder, for people who see one.
const STAGING_MARK: &str = ".trellis-";

/// Inside a staging folder: its record's token. Removed before the folder is moved into place.
const TOKEN_PATH: &str = ".trellis/staging.token";

/// At the top of a [`Scratch`] folder: its record's token, and the lock its run holds. (A
/// scratch folder mirrors a workspace's own entries, `.trellis/` among them: its marks cannot
/// live there.)
pub const SCRATCH_MARK: &str = ".trellis-scratch";

/// The folder of records: one file per live (or killed) staging folder.
fn records() -> PathBuf {
    std::env::temp_dir().join("trellis-staging")
}

/// A staging folder beside the target, removed unless disarmed. It holds its own lock
/// (`.trellis/apply.lock` inside it) for as long as it lives, so that another run can tell a
/// live staging folder from one whose process was killed.
pub(crate) struct Staging {
    pub(crate) path: PathBuf,
    armed: bool,
    /// Closed before the folder is removed: some systems refuse to delete an open file.
    lock: Option<fs::File>,
    /// This folder's record (`None` when the temporary folder could not hold one: the folder
    /// is then never cleaned up by another run, which is the safe side).
    record: Option<PathBuf>,
}

impl Staging {
    pub(crate) fn new(parent: &Path, name: &str) -> Result<Staging, SyncError> {
        let pid = std::process::id();
        // The record names an absolute path, the same one whatever folder a later run is in;
        // messages name the folder as the caller did.
        let absolute = fs::canonicalize(parent).map_err(SyncError::io("resolve", parent))?;
        for n in 0..1000 {
            let folder = format!(".{name}{STAGING_MARK}{pid}-{n}");
            let path = parent.join(&folder);
            let token = random_token(24);
            // The record first: a run killed between the two leaves a record of nothing, which
            // the next sweep drops, never a folder nobody may remove.
            let record = write_record(&absolute.join(&folder), pid, &token, Kind::Staging);
            match fs::create_dir(&path) {
                Ok(()) => {}
                Err(e) => {
                    if let Some(record) = &record {
                        let _ = fs::remove_file(record);
                    }
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        continue;
                    }
                    return Err(SyncError::io("create folder", path)(e));
                }
            }
            let mut staging = Staging { path, armed: true, lock: None, record };
            // The lock file exists from the start, so that the first `apply` adds no file.
            let root = Root::new(&staging.path);
            staging.lock = Some(root.lock(LOCK_PATH)?);
            root.write(TOKEN_PATH, token.as_bytes())?;
            return Ok(staging);
        }
        Err(SyncError::io("create folder", parent)(io::Error::other("no free staging name")))
    }

    /// Takes the token out of the finished tree, right before it is moved into place.
    pub(crate) fn seal(&self) -> Result<(), SyncError> {
        Root::new(&self.path).remove(TOKEN_PATH)
    }

    /// The folder was moved into place: it is no longer staging, and its record goes.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
        if let Some(record) = self.record.take() {
            let _ = fs::remove_file(record);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        drop(self.lock.take());
        if self.armed {
            let _ = fs::remove_dir_all(&self.path);
            if let Some(record) = self.record.take() {
                let _ = fs::remove_file(record);
            }
        }
    }
}

/// Which kind of folder a record names: where its token and its lock are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `new`'s staging folder: [`TOKEN_PATH`] and [`LOCK_PATH`].
    Staging,
    /// A [`Scratch`] folder: [`SCRATCH_MARK`], both in one.
    Scratch,
}

impl Kind {
    fn token(self) -> &'static str {
        match self {
            Kind::Staging => TOKEN_PATH,
            Kind::Scratch => SCRATCH_MARK,
        }
    }

    fn lock(self) -> &'static str {
        match self {
            Kind::Staging => LOCK_PATH,
            Kind::Scratch => SCRATCH_MARK,
        }
    }
}

/// A folder beside a workspace that a run fills and removes itself (the judge's overlay),
/// recorded so that a later run removes it if this one is killed outright ([`sweep_stale`]),
/// by its record, never by its name. The run holds the lock in [`SCRATCH_MARK`] while the
/// folder lives; dropping this removes the record (the folder is the caller's to remove
/// first).
#[derive(Debug)]
pub struct Scratch {
    record: Option<PathBuf>,
    lock: Option<fs::File>,
}

impl Scratch {
    /// Marks the empty folder `path`, just created by this run: its record, and its token
    /// and lock in [`SCRATCH_MARK`]. Without a record (the temporary folder cannot hold one)
    /// the folder is only ever removed by this run, which is the safe side.
    pub fn mark(path: &Path) -> io::Result<Scratch> {
        let absolute = fs::canonicalize(path)?;
        let token = random_token(24);
        let record = write_record(&absolute, std::process::id(), &token, Kind::Scratch);
        let mut file =
            fs::OpenOptions::new().write(true).create_new(true).open(path.join(SCRATCH_MARK))?;
        io::Write::write_all(&mut file, token.as_bytes())?;
        // Held while the run lives; a sweep finds it free only once the process is gone.
        file.try_lock().map_err(io::Error::other)?;
        Ok(Scratch { record, lock: Some(file) })
    }
}

impl Scratch {
    /// The folder's lock, for a process this run starts to work in the folder (its standard
    /// input): a lock is the open file's, so the folder counts as in use for as long as that
    /// process lives, even when this run is killed outright before it, and no sweep removes
    /// the folder (or its link) while it may still write there. `None` without a lock.
    pub fn holder(&self) -> Option<std::process::Stdio> {
        self.lock.as_ref()?.try_clone().ok().map(std::process::Stdio::from)
    }

    /// Records `link`, a symbolic link this run is about to make outside the folder, leading
    /// into it (the judge gives cargo the overlay by a link beside the workspace): a later
    /// sweep removes the link with the folder, and only while it still leads into the folder.
    /// The record is written before the link, so that a run killed between the two leaves a
    /// record of nothing. Without a record, only this run removes the link.
    pub fn record_link(&mut self, link: &Path) -> io::Result<()> {
        let Some(record) = &self.record else { return Ok(()) };
        let link = link.to_str().ok_or_else(|| io::Error::other("the link's path is not UTF-8"))?;
        let mut file = fs::OpenOptions::new().append(true).open(record)?;
        io::Write::write_all(&mut file, format!("link={link}\n").as_bytes())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        drop(self.lock.take());
        if let Some(record) = self.record.take() {
            let _ = fs::remove_file(record);
        }
    }
}

/// Writes the record of a folder of `kind` at `path`; `None` when it cannot.
fn write_record(path: &Path, pid: u32, token: &str, kind: Kind) -> Option<PathBuf> {
    let dir = records();
    fs::create_dir_all(&dir).ok()?;
    let record = dir.join(format!("{pid}-{token}.record"));
    let scratch = if kind == Kind::Scratch { "kind=scratch\n" } else { "" };
    let text = format!("pid={pid}\ntoken={token}\npath={}\n{scratch}", path.to_str()?);
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&record).ok()?;
    io::Write::write_all(&mut file, text.as_bytes()).ok()?;
    Some(record)
}

/// A record read back: the folder, its process, its token, its kind.
struct Record {
    path: PathBuf,
    pid: u32,
    token: String,
    kind: Kind,
    /// A link outside the folder that leads into it ([`Scratch::record_link`]).
    link: Option<PathBuf>,
}

impl Record {
    /// Removes the record's link, if it is still a link into the record's folder.
    fn remove_link(&self) {
        let Some(link) = &self.link else { return };
        if fs::read_link(link).is_ok_and(|target| target.starts_with(&self.path)) {
            let _ = fs::remove_file(link);
        }
    }
}

fn read_record(file: &Path) -> Option<Record> {
    let text = fs::read_to_string(file).ok()?;
    let (mut path, mut pid, mut token, mut kind) = (None, None, None, Kind::Staging);
    let mut link = None;
    for line in text.lines() {
        match line.split_once('=')? {
            ("pid", v) => pid = v.parse().ok(),
            ("token", v) => token = Some(v.to_owned()),
            ("path", v) => path = Some(PathBuf::from(v)),
            ("kind", "scratch") => kind = Kind::Scratch,
            ("link", v) => link = Some(PathBuf::from(v)).filter(|l| l.is_absolute()),
            _ => return None,
        }
    }
    let token = token.filter(|t| t.len() >= 16)?;
    Some(Record { path: path.filter(|p| p.is_absolute())?, pid: pid?, token, kind, link })
}

/// Whether process `pid` is alive, where the system says so without `unsafe` (`/proc`).
fn alive(pid: u32) -> Option<bool> {
    Path::new("/proc/self").is_dir().then(|| Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes the staging folders (and [`Scratch`] folders) in `parent` of runs whose process is gone (killed
/// outright: a signal that can be caught cleans up itself): only a folder a record names,
/// holding the record's token, not a link, whose lock is free and whose process, where the
/// system can tell, is not running. A record whose folder is gone, or holds another token, is
/// dropped and its folder left alone. Best effort: returns what it removed.
pub fn sweep_stale(parent: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(parent) = fs::canonicalize(parent) else { return removed };
    let Ok(entries) = fs::read_dir(records()) else { return removed };
    for entry in entries.flatten() {
        let file = entry.path();
        let Some(record) = read_record(&file) else { continue };
        let living = alive(record.pid);
        if living == Some(true) {
            continue;
        }
        if record.path.parent() != Some(parent.as_path()) {
            // A record of a dead run whose folder is gone, wherever it was, is dropped.
            if living == Some(false) && fs::symlink_metadata(&record.path).is_err() {
                record.remove_link();
                let _ = fs::remove_file(&file);
            }
            continue;
        }
        let ours = match fs::symlink_metadata(&record.path) {
            Ok(meta) if meta.is_dir() => {
                let token = record.path.join(record.kind.token());
                fs::symlink_metadata(&token).is_ok_and(|m| m.is_file())
                    && fs::read(&token).is_ok_and(|t| t == record.token.as_bytes())
            }
            // Gone, a file or a link: nothing of this record's to remove.
            _ => false,
        };
        if !ours {
            if living == Some(false) && fs::symlink_metadata(&record.path).is_err() {
                record.remove_link();
            }
            let _ = fs::remove_file(&file);
            continue;
        }
        let lock = record.path.join(record.kind.lock());
        let lock_free = match fs::symlink_metadata(&lock) {
            Ok(meta) if meta.is_file() => {
                fs::OpenOptions::new().write(true).open(&lock).is_ok_and(|f| f.try_lock().is_ok())
            }
            Ok(_) => false,
            Err(_) => living == Some(false),
        };
        if lock_free && fs::remove_dir_all(&record.path).is_ok() {
            record.remove_link();
            let _ = fs::remove_file(&file);
            removed.push(record.path);
        }
    }
    removed
}
