//! This run's renames and moves, followed through manifests: an entry on a renamed crate names
//! the new package, its key kept; a path that led to a moved folder leads there again, and so
//! does every relative path of a crate that moves; `members` lines and the root's entries
//! follow too. Each value changes in place, in the person's quoting and style.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use super::dep_table::{DepTable, package_of};
use super::document::{LocalManifest, get_item, get_item_mut, set_str};
use super::members::follow_elements;
use super::path;
use super::workspace::Workspace;
use crate::ledger::{KeyPath, dotted};

/// The manifest of a member the spec does not declare (in `dir`), with this run's renames and
/// moves followed, and the keys that cannot be (see [`follow_member`]).
pub(crate) fn follow_other(
    text: &str,
    dir: &str,
    ws: &Workspace<'_>,
) -> Option<(String, Vec<String>)> {
    let mut manifest = LocalManifest::parse(text).ok()?;
    let stuck = follow_member(manifest.doc.as_table_mut(), dir, dir, ws);
    Some((manifest.text(), stuck))
}

/// Whether this run's renames and moves change anything in a manifest (the crate's in `dir`,
/// once in `old_dir`; `None` for the root): one that they do is merged, even when its render
/// did not change.
pub(crate) fn follows(text: &str, dirs: Option<(&str, &str)>, ws: &Workspace<'_>) -> bool {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return false;
    }
    let Ok(doc) = text.parse::<DocumentMut>() else { return false };
    let mut followed = doc.clone();
    match dirs {
        Some((dir, old_dir)) => {
            follow_member(followed.as_table_mut(), dir, old_dir, ws);
        }
        None => {
            follow_root(followed.as_table_mut(), ws);
            follow_member(followed.as_table_mut(), "", "", ws);
        }
    }
    followed.to_string() != doc.to_string()
}

/// Whether a manifest has an entry on a crate `renamed` renames (old name → new), in its
/// dependency tables or the root's `[workspace.dependencies]`: such a file is merged, never
/// rendered anew, so that the entry keeps the key the code uses (see [`follow_entries`]).
pub(crate) fn names_renamed(text: &str, renamed: &BTreeMap<String, String>) -> bool {
    if renamed.is_empty() {
        return false;
    }
    let Ok(doc) = text.parse::<DocumentMut>() else { return false };
    let on_renamed =
        |t: &dyn TableLike| t.iter().any(|(k, i)| renamed.contains_key(package_of(k, i)));
    let root = get_item(doc.as_table(), &path(&["workspace", "dependencies"]))
        .and_then(Item::as_table_like);
    root.is_some_and(on_renamed)
        || DepTable::every(doc.as_table()).into_iter().any(|(_, t)| on_renamed(t))
}

/// Renames and moves, followed in a crate manifest: an entry on a renamed crate names the new
/// package, its key kept (see [`follow_entries`]), and a `path` that led to a moved folder (or
/// that this crate's own move would break) leads there again, and so does every other
/// relative path of a crate that moves (see [`follow_own_paths`]). Each value changes in
/// place. Returns what cannot be followed, as conflicts.
pub(super) fn follow_member(
    doc: &mut Table,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
) -> Vec<String> {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return Vec::new();
    }
    let mut stuck = Vec::new();
    let tables: Vec<KeyPath> = DepTable::every(doc).into_iter().map(|(p, _)| p).collect();
    for p in tables {
        if let Some(table) = get_item_mut(doc, &p) {
            stuck.extend(follow_entries(table, dir, old_dir, ws).into_iter().map(|key| {
                let mut at = p.clone();
                at.extend([key, "path".to_owned()]);
                moved_away(&at)
            }));
        }
    }
    if dir != old_dir {
        stuck.extend(follow_own_paths(doc, dir, old_dir).iter().map(|at| moved_away(at)));
    }
    stuck
}

pub(super) fn moved_away(at: &[String]) -> String {
    format!("{} (a relative path this crate's move cannot keep leading where it led)", dotted(at))
}

/// The `[package]` keys whose value is a path cargo reads from the manifest's folder (each
/// may also be `true`, or inherited: then it is no path).
pub(super) const PACKAGE_PATHS: [&str; 4] = ["workspace", "readme", "license-file", "build"];

/// The arrays of targets, each of which may name its source by `path`.
pub(super) const TARGET_ARRAYS: [&str; 4] = ["bin", "example", "test", "bench"];

/// A crate that moves from `old_dir` to `dir`: every relative path of its manifest besides
/// dependencies (the package's, each target's) keeps leading where it led (see
/// [`follow_path`]). Returns the keys it cannot follow.
pub(super) fn follow_own_paths(doc: &mut Table, dir: &str, old_dir: &str) -> Vec<KeyPath> {
    let mut stuck = Vec::new();
    let mut inline_stuck = Vec::new();
    let mut follow = |slot: Option<&mut Item>, at: KeyPath| {
        if let Some(Item::Value(v)) = slot
            && !follow_path(v, dir, old_dir)
        {
            stuck.push(at);
        }
    };
    for key in PACKAGE_PATHS {
        follow(get_item_mut(doc, &path(&["package", key])), path(&["package", key]));
    }
    follow(get_item_mut(doc, &path(&["lib", "path"])), path(&["lib", "path"]));
    for array in TARGET_ARRAYS {
        match doc.get_mut(array) {
            Some(Item::ArrayOfTables(targets)) => {
                for (i, t) in targets.iter_mut().enumerate() {
                    follow(t.get_mut("path"), path(&[array, &i.to_string(), "path"]));
                }
            }
            Some(Item::Value(Value::Array(targets))) => {
                for (i, t) in targets.iter_mut().enumerate() {
                    if let Value::InlineTable(t) = t
                        && let Some(v) = t.get_mut("path")
                        && !follow_path(v, dir, old_dir)
                    {
                        inline_stuck.push(path(&[array, &i.to_string(), "path"]));
                    }
                }
            }
            _ => {}
        }
    }
    stuck.extend(inline_stuck);
    stuck
}

/// Folders that stand in for those above the workspace root, so that a path that climbs out of
/// it (`../../../LICENSE`) is followed like any other.
pub(super) const ABOVE_ROOT: &str = "\u{0}0/\u{0}1/\u{0}2/\u{0}3/\u{0}4/\u{0}5/\u{0}6/\u{0}7";

/// A relative path read from the folder `old_dir`, made to lead where it led when read from
/// `dir`: a path inside the old folder moves with it (its text stays), one that leaves it is
/// written anew from the new folder, quoting kept. `false` when that cannot be said (a path
/// climbing above the stand-ins for the folders over the root); an absolute path, or a value
/// that is no string, is left alone.
pub(super) fn follow_path(slot: &mut Value, dir: &str, old_dir: &str) -> bool {
    let Some(text) = slot.as_str() else { return true };
    if text.starts_with('/') || text.contains(':') {
        return true;
    }
    let (old, new) = (format!("{ABOVE_ROOT}/{old_dir}"), format!("{ABOVE_ROOT}/{dir}"));
    let Some(target) = normalize(&old, text) else { return false };
    let inside = target == old || target.starts_with(&format!("{old}/"));
    if inside || normalize(&new, text).as_deref() == Some(target.as_str()) {
        return true;
    }
    let text = styled_like(text, relative(&new, &target));
    set_str(slot, &text);
    true
}

/// Renames and moves, followed in the root manifest: `members` and `default-members` lines
/// that named a moved folder, and `[workspace.dependencies]` entries.
pub(super) fn follow_root(doc: &mut Table, ws: &Workspace<'_>) {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return;
    }
    for array in ["members", "default-members"] {
        let Some(array) =
            get_item_mut(doc, &path(&["workspace", array])).and_then(Item::as_array_mut)
        else {
            continue;
        };
        follow_elements(array, &ws.moved);
    }
    if let Some(entries) = get_item_mut(doc, &path(&["workspace", "dependencies"])) {
        follow_entries(entries, "", "", ws);
    }
    // `[patch.<registry>]` entries lead to members by path too (the root's folder is theirs).
    let registries: Vec<String> = doc
        .get("patch")
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default();
    for registry in registries {
        if let Some(entries) = get_item_mut(doc, &path(&["patch", &registry])) {
            follow_paths(entries, ws);
        }
    }
}

/// Follows renames and moves in one dependency table.
///
/// An entry on a renamed crate keeps its key, the name the dependent's code knows the crate
/// by, and names the new package (`old = { package = "new", … }`, cargo's form for exactly
/// this), so the dependents build without a source edit, and `[features]` that name the key
/// stay right. An entry that inherits (`old.workspace = true`) cannot say `package`: it
/// follows the root's entry, which keeps its key the same way.
pub(super) fn follow_entries(
    table: &mut Item,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
) -> Vec<String> {
    let mut stuck = Vec::new();
    let Some(entries) = table.as_table_like_mut() else { return stuck };
    for (key, entry) in entries.iter_mut() {
        if let Some(to) = ws.renamed.get(package_of(key.get(), entry)) {
            DepTable::rename(entry, to);
        }
        let Some(Item::Value(p)) = entry.as_table_like_mut().and_then(|f| f.get_mut("path")) else {
            continue;
        };
        match p.as_str().and_then(|s| normalize(old_dir, s)) {
            Some(was) => {
                let target = ws.moved.get(&was).cloned().unwrap_or(was);
                let leads = p.as_str().and_then(|s| normalize(dir, s));
                if leads.as_deref() != Some(target.as_str()) {
                    let was = p.as_str().unwrap_or_default().to_owned();
                    set_str(p, &styled_like(&was, relative(dir, &target)));
                }
            }
            // Out of the workspace: where this crate moves, it leads there still.
            None if dir != old_dir && !follow_path(p, dir, old_dir) => {
                stuck.push(key.get().to_owned());
            }
            None => {}
        }
    }
    stuck
}

/// Follows moves in a table of entries by path, renames aside (a `[patch]` entry names a
/// package on a registry, which a rename in the spec does not rename).
pub(super) fn follow_paths(table: &mut Item, ws: &Workspace<'_>) {
    let Some(t) = table.as_table_like_mut() else { return };
    for (_, entry) in t.iter_mut() {
        if let Some(fields) = entry.as_table_like_mut()
            && let Some(Item::Value(p)) = fields.get_mut("path")
            && let Some(was) = p.as_str().and_then(|s| normalize("", s))
            && let Some(to) = ws.moved.get(&was)
        {
            let was = p.as_str().unwrap_or_default().to_owned();
            set_str(p, &styled_like(&was, relative("", to)));
        }
    }
}

/// A path written anew, in the style of the one it replaces: a leading `./` and a trailing `/`
/// stay where the person wrote them.
pub(super) fn styled_like(was: &str, mut new: String) -> String {
    if was.starts_with("./") && !new.starts_with('.') {
        new.insert_str(0, "./");
    }
    if was.len() > 1 && was.ends_with('/') && !new.ends_with('/') {
        new.push('/');
    }
    new
}

/// The workspace-relative folder that `rel` leads to from folder `dir` (`""` is the root), or
/// `None` when it leaves the workspace or is absolute.
pub(crate) fn normalize(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') && rel.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

pub(crate) use trellis_spec::relative_path as relative;
