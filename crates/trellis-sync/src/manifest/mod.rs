//! Manifests as facts. Trellis owns facts, not text: in a manifest it owns exactly what the spec
//! decides (that a member is listed, that an internal edge or an external `uses` exists, the
//! package keys the spec sets) and nothing else. Other keys, their order, quoting, comments,
//! blank lines, features, versions, lints and `publish` are the person's.
//!
//! - A fact already present in any form counts: an edge plain, `workspace = true`, by path,
//!   renamed with `package =`, optional, or under `[target.'cfg(…)'.dependencies]`; a member
//!   listed or matched by a glob.
//! - A missing fact is inserted in the style the file already uses, the way `cargo add` and
//!   `cargo new` do: no existing line changes; into `members` or a dependency table the person
//!   keeps sorted, at its sorted place.
//! - A fact the spec changes (a crate it renames or moves, a description, a version it pins) is
//!   changed in place, that value alone (a moved crate's line in a sorted `members` array moves
//!   to its sorted place, so the array stays sorted); a fact Trellis inserted and the spec
//!   dropped is removed while it is still exactly what Trellis wrote.
//! - A fact that cannot be added or changed without touching what a person wrote is a conflict,
//!   and the file is not written at all.
//!
//! The ledger records, per manifest, the facts Trellis wrote or decided, each with a short hash
//! of its value ([`Policy::base`]), so that a person's later change of one is told apart from a
//! spec change.
//!
//! The modules, by job:
//!
//! - `document`: the manifest being edited ([`LocalManifest`]), the edits every step shares,
//!   and carrying the merge back into the person's bytes;
//! - `dep_table`: a crate's dependency tables by [`EdgeKind`](trellis_spec::EdgeKind) ([`DepTable`]:
//!   find an entry in any form, insert one in the table's style, rename one in place, remove
//!   one);
//! - `workspace`: what the rest of the workspace looks like to one manifest's merge, reading
//!   cargo's facts, and a new crate's manifest resolved against the root ([`fresh`]);
//! - `members`: `members` arrays: whether a folder is covered, a line joined, moved or removed
//!   in the array's layout;
//! - `follow`: this run's renames and moves followed through paths and entries;
//! - `root`: the root's merge: members and `[workspace.dependencies]` entries;
//! - `policy`: the merge policy: the three-way rule for a value, and a crate manifest's merge.

use std::collections::BTreeMap;

use toml_edit::{Item, Table, Value};

use crate::ledger::{KeyPath, short_hash};

mod dep_table;
mod document;
mod follow;
mod members;
mod policy;
mod root;
mod workspace;

pub(crate) use dep_table::DepTable;
pub(crate) use document::{LocalManifest, canon_hash};
pub(crate) use follow::{follow_other, follows, names_renamed};
pub(crate) use policy::{Policy, merge_member};
pub(crate) use root::{add_needed, merge_root};
pub(crate) use workspace::{Workspace, fresh};

use document::get_item;

/// The `[package]` keys whose value the spec sets.
const PACKAGE_FACTS: [&str; 2] = ["name", "description"];

/// The key that makes a library a proc-macro: the one kind a manifest states.
const PROC_MACRO: [&str; 2] = ["lib", "proc-macro"];

/// The `[workspace.package]` keys whose value the spec's `[workspace]` sets. `publish` and the
/// rest of what a render puts there are the person's in a root that exists.
const WORKSPACE_PACKAGE_FACTS: [&str; 4] = ["version", "edition", "rust-version", "license"];

fn path(keys: &[&str]) -> KeyPath {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// The facts a manifest states, each with the hash of its value: what a whole manifest
/// written by Trellis makes Trellis the owner of.
pub(crate) fn facts(doc: &Table) -> BTreeMap<KeyPath, String> {
    let mut out = BTreeMap::new();
    for p in PACKAGE_FACTS.map(|key| path(&["package", key])).into_iter().chain([path(&PROC_MACRO)])
    {
        if let Some(item) = get_item(doc, &p) {
            out.insert(p, canon_hash(item));
        }
    }
    if let Some(t) = doc.get("features").and_then(Item::as_table_like) {
        for (k, item) in t.iter() {
            out.insert(path(&["features", k]), canon_hash(item));
        }
    }
    for table in DepTable::ALL {
        if let Some(t) = table.rendered(doc) {
            for (k, item) in t.iter() {
                out.insert(table.fact(k), canon_hash(item));
            }
        }
    }
    let package = path(&["workspace", "package"]);
    if let Some(t) = get_item(doc, &package).and_then(Item::as_table_like) {
        for (k, item) in t.iter().filter(|(k, _)| WORKSPACE_PACKAGE_FACTS.contains(k)) {
            out.insert(path(&["workspace", "package", k]), canon_hash(item));
        }
    }
    for array in ["members", "default-members"] {
        let p = path(&["workspace", array]);
        if let Some(a) = get_item(doc, &p).and_then(Item::as_array) {
            for m in a.iter().filter_map(Value::as_str) {
                let mut p = p.clone();
                p.push(m.to_owned());
                out.insert(p, short_hash(m));
            }
        }
    }
    if let Some(t) =
        get_item(doc, &path(&["workspace", "dependencies"])).and_then(Item::as_table_like)
    {
        for (k, item) in t.iter() {
            out.insert(path(&["workspace", "dependencies", k]), canon_hash(item));
            if let Some(v) = pinned_version(item) {
                out.insert(path(&["workspace", "dependencies", k, "version"]), short_hash(v));
            }
        }
    }
    out
}

/// The version requirement of a `[workspace.dependencies]` entry: the string itself, or its
/// `version` key.
fn pinned_version(item: &Item) -> Option<&str> {
    item.as_str().or_else(|| item.as_table_like()?.get("version")?.as_str())
}

#[cfg(test)]
mod tests;
