//! One file's entry, by how Trellis owns it: a seeded file (rewritten while still Trellis',
//! else merged three ways), a once file (written when absent), a manifest (facts merged into a
//! person's text, see `crate::manifest`), and the manifest of a package the spec does not
//! declare (only followed through this run's moves).

use std::collections::BTreeMap;

use toml_edit::DocumentMut;
use trellis_render::{Ownership, PlannedFile};

use super::steps::Sources;
use super::{Action, Entry, Note, Op, manifest_of};
use crate::SyncError;
use crate::fsx::Root;
use crate::ledger::{FileRecord, hash_bytes};
use crate::manifest::{self, Policy};

pub(super) struct FileCtx<'a> {
    pub(super) accept: bool,
    pub(super) diff: bool,
    pub(super) keep: &'a dyn Fn(&[String]) -> bool,
    /// A seeded file whose merge conflicts gets the conflict markers in place.
    pub(super) write_conflicts: bool,
}

pub(super) fn entry(f: &PlannedFile, action: Action) -> Entry {
    Entry {
        path: f.path.clone(),
        action,
        ownership: Some(f.ownership),
        note: None,
        diff: None,
        op: Op::Nothing,
        theirs: None,
        seen: None,
        moves: None,
    }
}

/// Whether `path` is a module file of a crate (`<crate>/src/<m>.rs`, beside `lib.rs` or
/// `main.rs`) whose crate root, on disk, no longer declares `mod <m>`: a person removed the
/// module, file and declaration, and making the file again would give a dead file.
pub(super) fn deleted_module(
    root: &Root,
    path: &str,
    sources: &Sources,
) -> Result<bool, SyncError> {
    let Some((src, file)) = path.rsplit_once('/') else { return Ok(false) };
    let Some(m) = file.strip_suffix(".rs") else { return Ok(false) };
    if !src.ends_with("src") || matches!(m, "lib" | "main") {
        return Ok(false);
    }
    let mut roots = Vec::new();
    for name in ["lib.rs", "main.rs"] {
        if let Some(bytes) = root.read(&sources.of(&format!("{src}/{name}")))? {
            roots.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(!roots.is_empty() && !roots.iter().any(|t| trellis_spec::declares_module(t, m)))
}

/// The record of a file whose text Trellis now holds to be `f.contents` (hashing `hash`): for a
/// seeded file, that text is kept as the base of a later three-way merge.
fn record(f: &PlannedFile, hash: String) -> FileRecord {
    let base = (f.ownership == Ownership::Seeded).then(|| f.contents.clone());
    FileRecord {
        ownership: f.ownership,
        hash,
        rendered: None,
        whole: false,
        keys: BTreeMap::new(),
        base,
    }
}

fn with_diff(mut e: Entry, ctx: &FileCtx<'_>, old: &str, new: &str) -> Entry {
    if ctx.diff {
        e.diff = Some(diff(&e.path, old, new));
    }
    e
}

pub(super) fn plan_seeded(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    ctx: &FileCtx<'_>,
) -> (Entry, Option<FileRecord>) {
    let new_hash = hash_bytes(f.contents.as_bytes());
    let base = rec.map(|r| r.hash.as_str());
    let Some(cur) = cur else {
        let mut e = with_diff(entry(f, Action::Create), ctx, "", &f.contents);
        e.op = Op::Write(f.contents.clone());
        return (e, Some(record(f, new_hash)));
    };
    let cur_hash = hash_bytes(cur);
    if cur_hash == new_hash {
        return (entry(f, Action::Unchanged), Some(record(f, new_hash)));
    }
    let cur_text = String::from_utf8_lossy(cur);
    // Markers `--write-conflicts` wrote and nobody resolved: the file cannot build, and a
    // merge into it would bury them.
    // `--accept` keeps a file as it is, but not one that cannot build.
    if crate::merge::has_markers(&cur_text) {
        let mut e = entry(f, Action::Conflict);
        e.note = Some(Note::UnresolvedMarkers);
        return (e, rec.cloned());
    }
    if base == Some(cur_hash.as_str()) {
        let mut e = with_diff(entry(f, Action::Update), ctx, &cur_text, &f.contents);
        e.op = Op::Write(f.contents.clone());
        return (e, Some(record(f, new_hash)));
    }
    if base == Some(new_hash.as_str()) {
        let mut e = entry(f, Action::Unchanged);
        e.note = Some(Note::NothingNew);
        return (e, Some(record(f, new_hash)));
    }
    // `--accept` settles a conflict in the person's favour; what merges cleanly is merged
    // even so, or the file would go on saying what the spec no longer does.
    let accepted = |f: &PlannedFile, new_hash: String| {
        let mut e = entry(f, Action::Unchanged);
        e.note = Some(Note::ConflictAccepted);
        (e, Some(record(f, new_hash)))
    };
    // Both the person and the spec changed it: merged three ways, line by line, from what
    // Trellis last wrote (kept in the ledger) to the person's file and to the new render.
    if let Some(rec) = rec
        && let Some(base) = rec.base.as_deref().filter(|b| hash_bytes(b.as_bytes()) == rec.hash)
        && let Ok(cur_text) = std::str::from_utf8(cur)
    {
        return match crate::merge::merge3(base, cur_text, &f.contents) {
            Ok(merged) => {
                let mut e = with_diff(entry(f, Action::Merge), ctx, cur_text, &merged);
                e.note = Some(Note::Merged);
                e.op = Op::Write(merged);
                (e, Some(record(f, new_hash)))
            }
            Err(_) if ctx.accept => accepted(f, new_hash),
            Err(marked) => {
                let mut e = with_diff(entry(f, Action::Conflict), ctx, cur_text, &marked);
                if ctx.write_conflicts {
                    // The markers go into the file; once they are resolved, the file is the
                    // person's edit of Trellis' new version.
                    e.note = Some(Note::MarkersWritten);
                    e.op = Op::Write(marked);
                    return (e, Some(record(f, new_hash)));
                }
                e.note = Some(Note::SameLines);
                e.theirs = Some(marked);
                (e, Some(rec.clone()))
            }
        };
    }
    if ctx.accept {
        return accepted(f, new_hash);
    }
    let mut e = with_diff(entry(f, Action::Conflict), ctx, &cur_text, &f.contents);
    e.note = Some(if base.is_some() { Note::EditedAndChanged } else { Note::InTheWay });
    e.theirs = Some(f.contents.clone());
    (e, rec.cloned())
}

pub(super) fn plan_once(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    ctx: &FileCtx<'_>,
) -> (Entry, Option<FileRecord>) {
    match cur {
        None => {
            let mut e = with_diff(entry(f, Action::Create), ctx, "", &f.contents);
            e.op = Op::Write(f.contents.clone());
            (e, Some(record(f, hash_bytes(f.contents.as_bytes()))))
        }
        Some(_) => (entry(f, Action::Unchanged), rec.cloned()),
    }
}

/// Which manifest is being planned.
#[derive(Clone, Copy)]
pub(super) enum Role<'a> {
    /// The workspace's root manifest.
    Root,
    /// A crate's manifest, in folder `dir` (at `old_dir` before this run's moves).
    Member { dir: &'a str, old_dir: &'a str },
}

pub(super) fn plan_manifest(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    new_doc: &DocumentMut,
    ctx: &FileCtx<'_>,
    ws: &manifest::Workspace<'_>,
    role: Role<'_>,
) -> (Entry, Option<FileRecord>) {
    let new_hash = hash_bytes(f.contents.as_bytes());
    // A whole manifest written by Trellis: it owns every fact the manifest states.
    let whole = |action: Action, old: &str, text: String, doc: &DocumentMut| {
        ws.require_inherited(doc.as_table());
        let mut e = with_diff(entry(f, action), ctx, old, &text);
        let hash = hash_bytes(text.as_bytes());
        let record = FileRecord {
            base: None,
            ownership: f.ownership,
            rendered: Some(new_hash.clone()),
            whole: true,
            hash,
            keys: manifest::facts(doc.as_table()),
        };
        e.op = Op::Write(text);
        (e, Some(record))
    };
    let Some(cur) = cur else {
        return match role {
            Role::Root => whole(Action::Create, "", f.contents.clone(), new_doc),
            Role::Member { dir, .. } => {
                let doc = manifest::fresh(new_doc, dir, ws);
                whole(Action::Create, "", doc.to_string(), &doc)
            }
        };
    };
    let cur_hash = hash_bytes(cur);
    if let Some(rec) = rec
        && rec.hash == cur_hash
    {
        // Merged cleanly against this very render, and untouched since. (The root also
        // depends on the entries other manifests need, so it is always looked at.)
        // Nor is a manifest whose paths or entries follow a crate that moves or is renamed.
        let dirs = match role {
            Role::Root => None,
            Role::Member { dir, old_dir } => Some((dir, old_dir)),
        };
        let needs_nothing = (matches!(role, Role::Member { .. }) || ws.needed.borrow().is_empty())
            && !manifest::follows(&String::from_utf8_lossy(cur), dirs, ws);
        if rec.rendered.as_deref() == Some(new_hash.as_str()) && needs_nothing {
            // The root may have lost an entry this member inherits since it was written (git
            // merged two branches' roots): noted, so that the root's merge puts it back.
            if matches!(role, Role::Member { .. })
                && ws.may_miss_an_entry(&rec.keys)
                && let Ok(doc) = String::from_utf8_lossy(cur).parse::<DocumentMut>()
            {
                ws.require_inherited(doc.as_table());
            }
            return (entry(f, Action::Unchanged), Some(rec.clone()));
        }
        // Still byte for byte a render of Trellis', with no fact held back for an orphan: the
        // new render replaces it whole, in the render's own layout. Not one with an entry on
        // a renamed crate: the entry keeps the old key (the name the code uses), which the
        // render does not know.
        if rec.whole
            && !rec.keys.keys().any(|k| (ctx.keep)(k))
            && !manifest::names_renamed(&String::from_utf8_lossy(cur), &ws.renamed)
        {
            let old = String::from_utf8_lossy(cur);
            return match role {
                Role::Root => whole(Action::Update, &old, f.contents.clone(), new_doc),
                Role::Member { dir, .. } => {
                    let doc = manifest::fresh(new_doc, dir, ws);
                    whole(Action::Update, &old, doc.to_string(), &doc)
                }
            };
        }
    }
    let conflict = |note: Note| {
        let mut e = entry(f, Action::Conflict);
        e.note = Some(note);
        e.theirs = Some(f.contents.clone());
        (e, rec.cloned())
    };
    let Ok(text) = std::str::from_utf8(cur) else {
        return conflict(Note::NotUtf8);
    };
    let original = match manifest::LocalManifest::parse(text) {
        Ok(original) => original,
        Err(e) => {
            return conflict(Note::NotToml { reason: e.message().to_owned() });
        }
    };
    let empty = BTreeMap::new();
    let base = rec.map_or(&empty, |r| &r.keys);
    let policy = Policy { base, keep: ctx.keep, accept: ctx.accept, force: false };
    let merge = |policy: &Policy<'_>| {
        let mut cur = original.clone();
        let doc = &mut cur.doc;
        let merged = match role {
            Role::Root => {
                let mut merged = manifest::merge_root(doc, new_doc, ws, policy);
                // A package at the root: its facts live in the same file, and so do the root
                // entries its own new edges inherit (known only once they are merged).
                if new_doc.get("package").is_some() {
                    let package = manifest::merge_member(doc, new_doc, "", "", ws, policy);
                    merged.absorb(package);
                    ws.require_inherited(doc.as_table());
                    merged.absorb(manifest::add_needed(doc, new_doc, ws, policy));
                }
                merged
            }
            Role::Member { dir, old_dir } => {
                manifest::merge_member(doc, new_doc, dir, old_dir, ws, policy)
            }
        };
        (cur.text(), merged)
    };
    let (out, merged) = merge(&policy);
    if !merged.conflicts.is_empty() {
        // Nothing is written to a file with a conflict: a half-merged manifest is no one's.
        let (theirs, _) = merge(&Policy { force: true, ..policy });
        let mut e = with_diff(entry(f, Action::Conflict), ctx, text, &theirs);
        e.note = Some(Note::Keys {
            keys: merged.conflicts.iter().map(ToString::to_string).collect(),
            others_wait: out != text && theirs != text,
        });
        e.theirs = Some(theirs);
        return (e, rec.cloned());
    }
    let changed = out != text;
    if changed && let Ok(doc) = out.parse::<DocumentMut>() {
        ws.require_inherited(doc.as_table());
    }
    let record = FileRecord {
        base: None,
        ownership: f.ownership,
        hash: if changed { hash_bytes(out.as_bytes()) } else { cur_hash.clone() },
        rendered: (!merged.deferred).then(|| new_hash.clone()),
        // Untouched by this merge, a file Trellis wrote whole stays its own.
        whole: !changed && rec.is_some_and(|r| r.whole && r.hash == cur_hash),
        keys: merged.keys,
    };
    let mut e = if changed {
        // `update` is for a file still exactly what Trellis wrote; a person's is merged.
        let whole = rec.is_some_and(|r| r.whole && r.hash == cur_hash);
        let action = if whole { Action::Update } else { Action::Merge };
        with_diff(entry(f, action), ctx, text, &out)
    } else {
        entry(f, Action::Unchanged)
    };
    if changed {
        e.op = Op::Write(out);
    }
    (e, Some(record))
}

/// The manifest of a package the spec does not declare (a member, or a package beside the workspace such as a nested one `exclude` keeps out), in `dir`: written where this run's
/// renames and moves change what it says ([`manifest::follow_other`]), a conflict where they
/// cannot be followed, else nothing (and never in the ledger: it is a person's file).
pub(super) fn plan_other(
    root: &Root,
    dir: &str,
    ws: &manifest::Workspace<'_>,
    diffs: bool,
) -> Result<Option<Entry>, SyncError> {
    let path = manifest_of(dir);
    let Some(cur) = root.read(&path)? else { return Ok(None) };
    let Ok(text) = std::str::from_utf8(&cur) else { return Ok(None) };
    if !manifest::follows(text, Some((dir, dir)), ws) {
        return Ok(None);
    }
    let Some((out, stuck)) = manifest::follow_other(text, dir, ws) else { return Ok(None) };
    let mut e = Entry {
        path: path.clone(),
        action: Action::Merge,
        ownership: Some(Ownership::Manifest),
        note: Some(Note::FollowsMoves),
        diff: diffs.then(|| diff(&path, text, &out)),
        op: Op::Write(out.clone()),
        theirs: None,
        seen: Some(hash_bytes(&cur)),
        moves: None,
    };
    if !stuck.is_empty() {
        e.action = Action::Conflict;
        e.op = Op::Nothing;
        e.note = Some(Note::Keys {
            keys: stuck.iter().map(ToString::to_string).collect(),
            others_wait: false,
        });
        e.theirs = Some(out);
    }
    Ok(Some(e))
}

pub(crate) use crate::lines::unified as diff;
