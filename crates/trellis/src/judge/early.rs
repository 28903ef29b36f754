//! Cargo judging while the rest of a plan is planned. `plan` starts cargo on the render's
//! guess as soon as the spec is rendered ([`Early::start_on_render`]); the plan then tells
//! ([`trellis_sync::Early`]) what cargo will see as soon as that is planned, and where that
//! differs the judge stages it and starts `cargo metadata` on it instead. The answer is
//! trusted only when the finished plan shows cargo exactly the same: every file cargo reads, byte for byte, and of every
//! other file whether it exists (all `cargo metadata` sees of a target's source). Anything
//! else (a guess that was wrong, a refusal, a folder move, which is not guessed) leaves the
//! plan to the judge as usual, which asks again from the start.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use trellis_sync::{Entry, Plan, PlannedFile};

use super::overlay::{Overlay, Staged};
use super::{Judged, Level, Verify, metadata, staged, wanted};

/// A judgement started early, for one plan.
pub(crate) struct Early {
    root: PathBuf,
    started: Arc<Mutex<Option<Started>>>,
}

/// Cargo at work on the guess.
struct Started {
    /// What the guess shows cargo.
    seen: Seen,
    child: Child,
    /// Removed once cargo is done with it (dropped after `child` is reaped).
    _overlay: Overlay,
}

/// What cargo sees of a staged change, by path.
type Seen = BTreeMap<String, Sight>;

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Sight {
    /// A file cargo reads, with this text.
    Text(String),
    /// A file cargo does not read, created.
    Present,
    /// A file deleted.
    Absent,
}

impl Early {
    /// An early judgement of a plan of the workspace at `root`, which exists; `None` where
    /// its path cannot be resolved (the judge then says why).
    pub(crate) fn new(root: &Path) -> Option<Early> {
        let root = fs::canonicalize(root).ok()?;
        Some(Early { root, started: Arc::default() })
    }

    /// Starts cargo on the first guess, before anything is planned: the spec's render as it
    /// stands, where it differs from the workspace (every file cargo reads whose bytes
    /// differ, and every other file of a crate whose manifest is not there yet, as created).
    /// Right where Trellis' own files are what it last wrote (a crate added, say), which the
    /// plan then confirms; the plan's own guess replaces it where it is not.
    pub(crate) fn start_on_render(&self, files: &[PlannedFile]) {
        let begun = start(&self.root, render_guess(&self.root, files));
        if let Ok(mut slot) = self.started.lock() {
            *slot = begun;
        }
    }

    /// The hook the plan calls: its guess staged and cargo started on it, unless cargo is at
    /// work on one that shows it the same.
    pub(crate) fn hook(&self) -> trellis_sync::Early {
        let (root, started) = (self.root.clone(), Arc::clone(&self.started));
        trellis_sync::Early::new(move |entries: &[Entry], unrecorded: &[&PlannedFile]| {
            let mut changes = staged(entries, &BTreeSet::new(), &root);
            for f in unrecorded {
                changes.entry(f.path.clone()).or_insert_with(|| Staged::Text(f.contents.clone()));
            }
            let Ok(mut slot) = started.lock() else { return };
            let same =
                slot.as_ref().is_some_and(|s| seen(&root, &changes).as_ref() == Some(&s.seen));
            if !same {
                // The earlier guess, if any, is stopped before another overlay is made.
                *slot = None;
                *slot = start(&root, changes);
            }
        })
    }

    /// Cargo's verdict on the finished `plan`, when the guess showed cargo what `plan` shows
    /// it and cargo accepted it: the verdict [`super::judge`] gives such a plan. `None`:
    /// judge `plan` as usual.
    pub(crate) fn verdict(&self, plan: &Plan) -> Option<Judged> {
        let mut started = self.started.lock().ok()?.take()?;
        if !wanted(plan, Verify::Metadata) {
            return None;
        }
        let shown = seen(&self.root, &staged(&plan.entries, &BTreeSet::new(), &self.root))?;
        if shown != started.seen {
            return None;
        }
        let status = started.child.wait().ok()?;
        status.success().then(|| Judged { level: Some(Level::Resolved), ..Judged::default() })
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // A guess nobody waits for any more: cargo is stopped before its overlay goes.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The render's guess of a plan's changes (see [`Early::start_on_render`]).
fn render_guess(root: &Path, files: &[PlannedFile]) -> BTreeMap<String, Staged> {
    let mut changes = BTreeMap::new();
    let mut new_crates: Vec<&str> = Vec::new();
    for f in files.iter().filter(|f| trellis_sync::cargo_reads(&f.path)) {
        let on_disk = fs::read(root.join(&f.path)).ok();
        if on_disk.as_deref() == Some(f.contents.as_bytes()) {
            continue;
        }
        if on_disk.is_none()
            && let Some(folder) = f.path.strip_suffix("/Cargo.toml")
        {
            new_crates.push(folder);
        }
        changes.insert(f.path.clone(), Staged::Text(f.contents.clone()));
    }
    let in_new_crate = |path: &str| {
        new_crates.iter().any(|c| path.strip_prefix(c).is_some_and(|rest| rest.starts_with('/')))
    };
    for f in files.iter().filter(|f| !trellis_sync::cargo_reads(&f.path) && in_new_crate(&f.path)) {
        changes.insert(f.path.clone(), Staged::Text(f.contents.clone()));
    }
    changes
}

/// Stages a guess of the plan's `changes` and starts cargo on it; `None` when cargo would see
/// no change, when the guess has a folder move, or when cargo cannot start.
fn start(root: &Path, changes: BTreeMap<String, Staged>) -> Option<Started> {
    // Nothing cargo could see (a no-op, say): nothing to ask it.
    let seen = seen(root, &changes).filter(|seen| !seen.is_empty())?;
    let overlay = Overlay::new(root).ok()?;
    overlay.stage(root, &changes).ok()?;
    // Only its status counts: it is given the overlay by the link as deep as the workspace.
    let manifest = overlay.entry.join("Cargo.toml");
    let child =
        metadata(&overlay, &manifest, Level::Resolved).stderr(Stdio::null()).spawn().ok()?;
    Some(Started { seen, child, _overlay: overlay })
}

/// What cargo sees of `changes` to the workspace at `root`: a write of a file cargo does not
/// read counts only where it creates the file. `None` for a folder move, which is not
/// guessed.
pub(super) fn seen(root: &Path, changes: &BTreeMap<String, Staged>) -> Option<Seen> {
    let mut out = Seen::new();
    for (path, change) in changes {
        let sight = match change {
            Staged::Text(text) if trellis_sync::cargo_reads(path) => Sight::Text(text.clone()),
            Staged::Text(_) if fs::symlink_metadata(root.join(path)).is_ok() => continue,
            Staged::Text(_) => Sight::Present,
            Staged::Absent => Sight::Absent,
            Staged::Folder(_) => return None,
        };
        out.insert(path.clone(), sight);
    }
    Some(out)
}
