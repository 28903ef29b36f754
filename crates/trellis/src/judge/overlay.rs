//! The judge's overlay: the workspace as the plan would leave it, made of links to the real
//! entries but for the folders on the way to a change, where cargo can load it without a byte
//! of the workspace changing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::io_error;
use crate::Error;

/// What the overlay holds in place of the workspace's entry at a relative path.
#[derive(Debug)]
pub(super) enum Staged {
    /// A file with this text.
    Text(String),
    /// A folder elsewhere in the workspace (where a moved crate was).
    Folder(PathBuf),
    /// Nothing (a deleted file, the old place of a moved crate).
    Absent,
}

/// The overlay: the workspace mirrored at `path`, inside a folder of this run's (`base`),
/// removed when dropped. The folder is recorded ([`trellis_sync::Scratch`]): a run killed
/// outright leaves it to the next run's sweep, which removes it by its record, never by its
/// name.
///
/// Where the system has a memory file system (`/dev/shm` on Linux), `base` lies there and
/// mirrors the root's whole ancestor chain (`base` + the root's absolute path, a link to
/// every entry beside each ancestor), so cargo meets the same ancestor `.cargo/config.toml`
/// and `rust-toolchain.toml` files and reaches the same paths outside the workspace. Linking
/// a thousand crate folders there takes milliseconds, where on a busy ext4 disk each new
/// inode can cost a millisecond (the kernel's search past recently deleted inodes, seen with
/// `perf` on this project's machine). Elsewhere the overlay is the root's sibling,
/// `.<root name>.trellis-judge-<pid>-<n>`, and `base` is `path`.
///
/// Where only cargo's verdict is read (not its messages), cargo is given the overlay by
/// `entry`: in memory, a link beside the root (named as the sibling would be) that leads to
/// `path`. Cargo keeps a manifest's path as given, and
/// compares every package's path with every member's, component by component (`perf` shows
/// `Path::starts_with` at a sixth of `cargo metadata` on a thousand members): through the
/// link its paths are as deep as the workspace's, where the mirrored chain's are three
/// components deeper and cargo took about a third longer. Where no link can be made there,
/// `entry` is `path`.
pub(super) struct Overlay {
    pub(super) path: PathBuf,
    pub(super) base: PathBuf,
    /// What cargo is given: the link to `path` beside the root, or `path`.
    pub(super) entry: PathBuf,
    /// The link this run made (removed when dropped, before the folder).
    link: Option<PathBuf>,
    /// Dropped after the folder is removed.
    scratch: Option<trellis_sync::Scratch>,
}

/// Where overlays mirror their workspace's ancestor chain in memory, when the system has one.
pub(crate) fn memory_folder() -> Option<PathBuf> {
    let shm = Path::new("/dev/shm");
    (cfg!(target_os = "linux") && shm.is_dir()).then(|| shm.to_path_buf())
}

impl Overlay {
    pub(super) fn new(root: &Path) -> Result<Overlay, Error> {
        let parent = root.parent().unwrap_or(root);
        // Overlays (and `new`'s staging folders) of runs killed outright, wherever they are.
        trellis_sync::sweep_stale(parent);
        if let Some(memory) = memory_folder()
            && let Ok(overlay) = Overlay::in_folder(&memory, "", root)
        {
            return Ok(overlay);
        }
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Overlay::in_folder(parent, &format!(".{name}"), root)
    }

    /// A fresh overlay in `parent`, named `<prefix>.trellis-judge-<pid>-<n>`: the root's
    /// sibling when `parent` is the root's parent, else the root's ancestor chain mirrored.
    pub(super) fn in_folder(parent: &Path, prefix: &str, root: &Path) -> Result<Overlay, Error> {
        let pid = std::process::id();
        if Some(parent) != root.parent() {
            trellis_sync::sweep_stale(parent);
        }
        for n in 0..1000 {
            let base = parent.join(format!("{prefix}.trellis-judge-{pid}-{n}"));
            match fs::create_dir(&base) {
                Ok(()) => {
                    let mut overlay = Overlay {
                        path: base.clone(),
                        entry: base.clone(),
                        base,
                        link: None,
                        scratch: None,
                    };
                    let scratch = trellis_sync::Scratch::mark(&overlay.base)
                        .map_err(|e| io_error("mark the judge's folder", &overlay.base, e))?;
                    overlay.scratch = Some(scratch);
                    if Some(parent) != root.parent() {
                        overlay.path = mirror_ancestors(&overlay.base, root)
                            .map_err(|e| io_error("mirror the folders above", root, e))?;
                        overlay.entry = overlay.path.clone();
                        overlay.link_beside(root, n);
                    }
                    return Ok(overlay);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_error("create the judge's folder", &base, e)),
            }
        }
        Err(io_error("create the judge's folder", parent, io::Error::other("no free name")))
    }

    /// What a process working in the overlay gets as its standard input: the overlay's lock
    /// ([`trellis_sync::Scratch::holder`]), so that a cargo left running by a run killed
    /// outright keeps a sweep from removing the folder under it (cargo would then make the
    /// folder again for its lock file, where no record names it).
    pub(super) fn holder(&self) -> std::process::Stdio {
        self.scratch
            .as_ref()
            .and_then(trellis_sync::Scratch::holder)
            .unwrap_or_else(std::process::Stdio::null)
    }

    /// Makes `entry` a link beside `root` to `path`, recorded first; leaves `entry` as it is
    /// where the link cannot be made (a parent folder that cannot be written, a name taken).
    #[cfg(unix)]
    fn link_beside(&mut self, root: &Path, n: usize) {
        let (Some(parent), Some(name)) = (root.parent(), root.file_name()) else { return };
        let link = parent.join(format!(
            ".{}.trellis-judge-{}-{n}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let Some(scratch) = &mut self.scratch else { return };
        if scratch.record_link(&link).is_ok()
            && std::os::unix::fs::symlink(&self.path, &link).is_ok()
        {
            self.entry = link.clone();
            self.link = Some(link);
        }
    }

    #[cfg(not(unix))]
    fn link_beside(&mut self, _root: &Path, _n: usize) {}

    /// Empties the overlay, then stages the workspace at `root` with `changes` in it.
    pub(super) fn stage(
        &self,
        root: &Path,
        changes: &BTreeMap<String, Staged>,
    ) -> Result<(), Error> {
        let fail = |e: io::Error| io_error("stage the change in", &self.path, e);
        // Emptied but for its mark: links are removed, never followed.
        for entry in fs::read_dir(&self.path).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            if self.path == self.base && entry.file_name() == trellis_sync::SCRATCH_MARK {
                continue;
            }
            match entry.file_type().map_err(fail)?.is_dir() {
                true => fs::remove_dir_all(entry.path()).map_err(fail)?,
                false => fs::remove_file(entry.path()).map_err(fail)?,
            }
        }
        populate(&self.path, Some(root), "", changes).map_err(fail)
    }

    /// Cargo's message with the overlay's paths read as the workspace's.
    pub(super) fn unstage(&self, message: &str, root: &Path) -> String {
        let root = root.display().to_string();
        let message = message
            .trim_end()
            .replace(&self.entry.display().to_string(), &root)
            .replace(&self.path.display().to_string(), &root);
        match self.path == self.base {
            true => message,
            // Paths outside the workspace, in the mirrored chain.
            false => message.replace(&self.base.display().to_string(), ""),
        }
    }
}

/// Mirrors the ancestor chain of the absolute `root` under `base`: the folder `base` + each
/// ancestor, holding a link to every entry of the real ancestor but the next one on the way.
/// Returns `base` + `root`, the empty folder the workspace is staged in.
fn mirror_ancestors(base: &Path, root: &Path) -> io::Result<PathBuf> {
    let mut real = PathBuf::new();
    let mut mirror = base.to_path_buf();
    for part in root.components() {
        let next = match part {
            std::path::Component::RootDir | std::path::Component::Prefix(_) => {
                real.push(part);
                continue;
            }
            std::path::Component::Normal(name) => name,
            _ => return Err(io::Error::other("the workspace's path is not absolute")),
        };
        for entry in fs::read_dir(&real)? {
            let name = entry?.file_name();
            if name != next {
                link(&real.join(&name), &mirror.join(&name))?;
            }
        }
        real.push(next);
        mirror.push(next);
        fs::create_dir(&mirror)?;
    }
    Ok(mirror)
}

impl Drop for Overlay {
    fn drop(&mut self) {
        // Links are removed, never followed. The record goes last.
        if let Some(link) = &self.link
            && fs::read_link(link).is_ok_and(|target| target == self.path)
        {
            let _ = fs::remove_file(link);
        }
        let _ = fs::remove_dir_all(&self.base);
        drop(self.scratch.take());
    }
}

/// Fills folder `out` (the overlay's `prefix`) with the entries of the real folder `real`
/// and the changes under `prefix`: a link to each real entry, but a real folder on the way to
/// a change, and the change itself.
pub(super) fn populate(
    out: &Path,
    real: Option<&Path>,
    prefix: &str,
    changes: &BTreeMap<String, Staged>,
) -> io::Result<()> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    if let Some(real) = real
        && let Ok(entries) = fs::read_dir(real)
    {
        for entry in entries {
            names.insert(entry?.file_name().to_string_lossy().into_owned());
        }
    }
    let below = |rel: &str| -> bool {
        let folder = format!("{rel}/");
        changes.range(folder.clone()..).next().is_some_and(|(p, _)| p.starts_with(&folder))
    };
    for path in changes.keys().filter(|p| p.starts_with(prefix)) {
        let rest = &path[prefix.len()..];
        names.insert(rest.split('/').next().unwrap_or(rest).to_owned());
    }
    for name in names {
        if prefix.is_empty() && name == trellis_sync::SCRATCH_MARK {
            continue;
        }
        let rel = format!("{prefix}{name}");
        let target = out.join(&name);
        let source = real.map(|r| r.join(&name));
        match changes.get(&rel) {
            Some(Staged::Text(text)) => fs::write(&target, text)?,
            Some(Staged::Absent) => {}
            Some(Staged::Folder(from)) if below(&rel) => {
                fs::create_dir(&target)?;
                populate(&target, Some(from), &format!("{rel}/"), changes)?;
            }
            Some(Staged::Folder(from)) => link(from, &target)?,
            None if below(&rel) => {
                fs::create_dir(&target)?;
                let source = source.filter(|s| s.is_dir());
                populate(&target, source.as_deref(), &format!("{rel}/"), changes)?;
            }
            // Cargo may write the lock file: the workspace's must not change.
            None if rel == "Cargo.lock" => {
                if let Some(source) = source {
                    fs::copy(source, &target)?;
                }
            }
            None => {
                if let Some(source) = source {
                    link(&source, &target)?;
                }
            }
        }
    }
    Ok(())
}

/// A link at `to` to `from`, written relative to `to`'s folder where both share a folder (the
/// overlay is the workspace's sibling): a short target fits in the inode on ext4 and other file
/// systems ("fast symlinks"), where a long absolute one costs a block of its own, a hundred
/// times slower to write (0.7 s for a thousand links on this project's machine).
#[cfg(unix)]
fn link(from: &Path, to: &Path) -> io::Result<()> {
    let target = to.parent().map_or_else(|| from.to_path_buf(), |base| relative(from, base));
    std::os::unix::fs::symlink(target, to)
}

/// `to` as reached from the folder `base`, both absolute; `to` itself when they share nothing.
#[cfg(unix)]
pub(super) fn relative(to: &Path, base: &Path) -> std::path::PathBuf {
    let (to_parts, base_parts): (Vec<_>, Vec<_>) =
        (to.components().collect(), base.components().collect());
    let common = to_parts.iter().zip(&base_parts).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return to.to_path_buf();
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    out.extend(&to_parts[common..]);
    out
}

#[cfg(windows)]
fn link(from: &Path, to: &Path) -> io::Result<()> {
    if from.is_dir() {
        std::os::windows::fs::symlink_dir(from, to)
    } else {
        std::os::windows::fs::symlink_file(from, to)
    }
}
