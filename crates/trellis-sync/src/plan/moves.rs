//! The folder moves of renamed or relocated crates, which happen before anything else, and
//! the orphans: files the ledger knows that the spec no longer plans.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::files::diff;
use super::{Action, Entry, FolderMove, Kept, Note, Op, Options, Rename};
use crate::SyncError;
use crate::fsx::Root;
use crate::ledger::{FileRecord, Ledger, hash_bytes};
use trellis_render::Ownership;

/// A crate the ledger knows, with its folder.
pub(super) struct KnownCrate {
    pub(super) name: String,
    pub(super) dir: String,
}

/// The moves of a plan, and the ledger as it reads once they are done.
pub(super) struct Moves<'l> {
    pub(super) entries: Vec<Entry>,
    /// The ledger once the moves are done (borrowed while no move changes it).
    pub(super) ledger: std::borrow::Cow<'l, Ledger>,
    /// New folder → old folder, for crates whose folder moves in this run.
    pub(super) moved: Vec<(String, String)>,
    /// Old folder → new folder, for every crate whose folder changed since the ledger was
    /// written: moved in this run, or by an earlier one that stopped before its ledger.
    pub(super) relocated: BTreeMap<String, String>,
}

/// Plans the folder moves of renamed crates (and of crates whose path changed under the same
/// name: two packages of one name in a workspace would not build).
pub(super) fn plan_moves<'l>(
    root: &Root,
    ledger: &'l Ledger,
    crates: &BTreeMap<String, String>,
    renames: &[Rename],
) -> Result<Moves<'l>, SyncError> {
    let mut out = Moves {
        entries: Vec::new(),
        ledger: std::borrow::Cow::Borrowed(ledger),
        moved: Vec::new(),
        relocated: BTreeMap::new(),
    };
    let mut renames = renames.to_vec();
    for (name, dir) in crates {
        if ledger.crates.get(name).is_some_and(|old_dir| old_dir != dir)
            && !renames.iter().any(|r| r.to == *name)
        {
            renames.push(Rename { from: name.clone(), to: name.clone() });
        }
    }
    for rename in &renames {
        let (Some(old_dir), Some(new_dir)) =
            (ledger.crates.get(&rename.from), crates.get(&rename.to))
        else {
            continue;
        };
        if old_dir == new_dir {
            if out.ledger.crates.contains_key(&rename.from) {
                out.ledger.to_mut().crates.remove(&rename.from);
            }
            continue;
        }
        let (from_exists, to_exists) = (root.dir_exists(old_dir)?, root.dir_exists(new_dir)?);
        let folders = FolderMove { from: old_dir.clone(), to: new_dir.clone() };
        let mut entry = Entry {
            path: folders.to_string(),
            moves: Some(folders.clone()),
            action: Action::Move,
            ownership: None,
            note: Some(if rename.from == rename.to {
                Note::Moved { name: rename.to.clone() }
            } else {
                Note::Renamed { from: rename.from.clone(), to: rename.to.clone() }
            }),
            diff: None,
            op: Op::Nothing,
            theirs: None,
            seen: None,
        };
        if from_exists && to_exists {
            entry.action = Action::Conflict;
            entry.note =
                Some(Note::BothFoldersExist { from: rename.from.clone(), to: rename.to.clone() });
            out.entries.push(entry);
            continue;
        }
        if from_exists {
            entry.op = Op::Move(folders);
            out.moved.push((new_dir.clone(), old_dir.clone()));
            out.entries.push(entry);
        }
        // Moved now, or by an earlier run that stopped before its ledger: either way the
        // ledger's records and the manifests' paths follow the folder.
        rekey(out.ledger.to_mut(), old_dir, new_dir);
        out.relocated.insert(old_dir.clone(), new_dir.clone());
        out.ledger.to_mut().crates.remove(&rename.from);
    }
    Ok(out)
}

/// Plans the orphans: files in the ledger that are no longer planned. Adds their entries, keeps
/// in `next` the records of those that stay, and returns the orphan crates that stay (their
/// entries in the root manifest stay with them).
pub(super) fn plan_orphans(
    root: &Root,
    old: &Ledger,
    planned: &HashSet<&str>,
    crates: &BTreeMap<String, String>,
    options: &Options,
    entries: &mut Vec<Entry>,
    next: &mut Ledger,
) -> Result<Vec<KnownCrate>, SyncError> {
    struct Orphan<'a> {
        path: &'a str,
        record: &'a FileRecord,
        cur: Option<Vec<u8>>,
        unchanged: bool,
    }
    let planned_dirs: BTreeSet<&str> = crates.values().map(String::as_str).collect();
    let orphan_crates: Vec<KnownCrate> = old
        .crates
        .iter()
        .filter(|(name, dir)| !planned_dirs.contains(dir.as_str()) || !crates.contains_key(*name))
        .map(|(name, dir)| KnownCrate { name: name.clone(), dir: dir.clone() })
        .collect();
    let mut orphans = Vec::new();
    for (path, record) in &old.files {
        if planned.contains(path.as_str()) {
            continue;
        }
        let cur = root.read(path)?;
        // A manifest is Trellis' alone only while it is exactly a render: once merged with a
        // person's keys, the hash of the file as Trellis left it holds their bytes too.
        let unchanged = cur.as_deref().is_some_and(|c| {
            let hash = hash_bytes(c);
            match record.ownership {
                Ownership::Manifest => record.whole && hash == record.hash,
                Ownership::Seeded | Ownership::Once => hash == record.hash,
            }
        });
        orphans.push(Orphan { path, record, cur, unchanged });
    }
    let crate_of = |path: &str| -> Option<&KnownCrate> {
        orphan_crates
            .iter()
            .find(|c| path.strip_prefix(c.dir.as_str()).is_some_and(|r| r.starts_with('/')))
    };
    // A crate is pruned as a whole, or not at all: half a crate would not build.
    let mut prunable: BTreeMap<&str, bool> =
        orphan_crates.iter().map(|c| (c.dir.as_str(), true)).collect();
    for o in &orphans {
        if let Some(c) = crate_of(o.path)
            && o.cur.is_some()
            && !o.unchanged
        {
            prunable.insert(c.dir.as_str(), false);
        }
    }
    for o in &orphans {
        let Some(cur) = &o.cur else { continue };
        let mut entry = Entry {
            path: o.path.to_owned(),
            moves: None,
            action: Action::Orphan,
            ownership: Some(o.record.ownership),
            note: None,
            diff: None,
            op: Op::Nothing,
            theirs: None,
            seen: None,
        };
        entry.seen = Some(hash_bytes(cur));
        let crate_ok = crate_of(o.path).is_none_or(|c| prunable[c.dir.as_str()]);
        // The requirements' test binary stays while a test a person made real sits in it.
        let wires_a_kept_test = o.path.strip_suffix("/main.rs").is_some_and(|folder| {
            orphans.iter().any(|other| {
                !other.unchanged
                    && other.cur.is_some()
                    && other.path.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
            })
        });
        if options.prune && o.unchanged && crate_ok && !wires_a_kept_test {
            entry.action = Action::Delete;
            entry.op = Op::Delete;
            if options.diff {
                entry.diff = Some(diff(o.path, &String::from_utf8_lossy(cur), ""));
            }
        } else {
            let kept = if !o.unchanged {
                Kept::Changed
            } else if wires_a_kept_test {
                Kept::WiresKeptTest
            } else if !crate_ok {
                Kept::CrateHoldsChanges
            } else {
                Kept::NotInSpec
            };
            entry.note = Some(Note::Kept(kept));
            next.files.insert(o.path.to_owned(), o.record.clone());
        }
        entries.push(entry);
    }
    // Orphan crates that stay: their manifest is still there and is not being deleted.
    let staying: Vec<bool> = orphan_crates
        .iter()
        .map(|c| {
            let manifest = format!("{}/Cargo.toml", c.dir);
            let present = orphans.iter().any(|o| o.path == manifest && o.cur.is_some());
            present && !(options.prune && prunable[c.dir.as_str()])
        })
        .collect();
    let staying: Vec<KnownCrate> = orphan_crates
        .into_iter()
        .zip(staying)
        .filter_map(|(c, stays)| stays.then_some(c))
        .collect();
    for c in &staying {
        if !crates.contains_key(&c.name) {
            next.crates.insert(c.name.clone(), c.dir.clone());
        }
    }
    Ok(staying)
}

/// Moves the ledger's records under `from/` to `to/`.
fn rekey(ledger: &mut Ledger, from: &str, to: &str) {
    let moving: Vec<String> = ledger
        .files
        .keys()
        .filter(|p| p.strip_prefix(from).is_some_and(|r| r.starts_with('/')))
        .cloned()
        .collect();
    for path in moving {
        if let Some(record) = ledger.files.remove(&path) {
            ledger.files.insert(format!("{to}{}", &path[from.len()..]), record);
        }
    }
}
