//! The root manifest's merge: this run's renames and moves followed, the workspace's package
//! keys, `members`, and the `[workspace.dependencies]` entries the members' edges inherit,
//! each added beside the entries of its kind.

use std::collections::HashMap;

use toml_edit::{Array, DocumentMut, Item, Key, Table, Value};

use super::dep_table::{DepTable, package_of};
use super::document::{canon_hash, detached, get_item, get_item_mut, get_table_mut, is_sorted};
use super::follow::follow_root;
use super::members::{clean, covers, insert_element, remove_element};
use super::policy::{Merged, Policy, dropped_feature_refs, pin_fact, value_fact};
use super::workspace::Workspace;
use super::{WORKSPACE_PACKAGE_FACTS, path, pinned_version};
use crate::ledger::{KeyPath, dotted, short_hash};

/// Merges the facts of the rendered root manifest `new` into the person's `cur`, in place:
/// this run's renames and moves followed, the workspace's package keys, members, the
/// `[workspace.dependencies]` entries edges need, the versions the spec pins. Returns the
/// facts Trellis owns after it, and the conflicts (then the file must not be written).
pub(crate) fn merge_root(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
) -> Merged {
    let mut out = Merged::default();
    follow_root(cur.as_table_mut(), ws);
    for (at, what) in dropped_feature_refs(cur.as_table(), ws, true) {
        out.conflicts.push(format!("{} (turns on {what}, which the spec drops)", dotted(&at)));
    }
    workspace_package(cur, new, policy, &mut out);
    let wanted_members: Vec<String> = get_item(new.as_table(), &path(&["workspace", "members"]))
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        // Only crates planned in this workspace: an adopted one has no xtask of Trellis'.
        .filter(|m| ws.crates.values().any(|dir| dir == m))
        .collect();
    let entries = path(&["workspace", "dependencies"]);
    let wanted_entries: Vec<String> = get_item(new.as_table(), &entries)
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, _)| k.to_owned()).collect())
        .unwrap_or_default();

    dropped_root_facts(cur, &wanted_members, &wanted_entries, ws, policy, &mut out);
    join_members(cur, &wanted_members, ws, policy, &mut out);
    out.absorb(add_needed(cur, new, ws, policy));
    owned_entries(cur, &wanted_entries, ws, policy, &mut out);
    pinned_versions(cur, new, &wanted_entries, ws, policy, &mut out);
    out
}

/// The workspace's package keys the spec sets (edition, version, license, rust-version):
/// changed in place where the root has them, never added to a root that lacks one (new
/// crates then state the value themselves, see [`fresh`](super::fresh)).
fn workspace_package(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let package = path(&["workspace", "package"]);
    let spec_keys = |p: &KeyPath| {
        p.len() == 3 && p.starts_with(&package) && WORKSPACE_PACKAGE_FACTS.contains(&p[2].as_str())
    };
    let mut keys: Vec<KeyPath> = policy.base.keys().filter(|p| spec_keys(p)).cloned().collect();
    if let Some(t) = get_item(new.as_table(), &package).and_then(Item::as_table_like) {
        keys.extend(t.iter().map(|(k, _)| path(&["workspace", "package", k])).filter(spec_keys));
    }
    keys.sort();
    keys.dedup();
    for p in &keys {
        value_fact(cur.as_table_mut(), new.as_table(), p, false, policy, out);
    }
}

/// Facts Trellis wrote that the spec dropped: a member of a pruned crate (and its
/// `default-members` line, or cargo could not load the workspace), an entry nobody needs
/// (while it is still exactly what Trellis wrote). Those [`Policy::keep`] holds stay, deferred.
fn dropped_root_facts(
    cur: &mut DocumentMut,
    wanted_members: &[String],
    wanted_entries: &[String],
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    for (p, base_hash) in policy.base {
        let gone = match p.as_slice() {
            [w, m, dir] if w == "workspace" && m == "members" => !wanted_members.contains(dir),
            [w, d, name] if w == "workspace" && d == "dependencies" => {
                // A renamed crate's entry keeps its key (see `follow_entries`).
                !wanted_entries.contains(name)
                    && ws.renamed.get(name).is_none_or(|to| !wanted_entries.contains(to))
            }
            _ => false,
        };
        if !gone {
            continue;
        }
        if (policy.keep)(p) {
            out.deferred = true;
            out.keys.insert(p.clone(), base_hash.clone());
            continue;
        }
        if p[1] == "members" {
            remove_element(cur.as_table_mut(), p);
            remove_element(cur.as_table_mut(), &path(&["workspace", "default-members", &p[2]]));
        } else {
            let at = root_entry(cur.as_table(), &p[2], ws);
            if get_item(cur.as_table(), &at).is_some_and(|item| canon_hash(item) == *base_hash) {
                DepTable::remove(cur.as_table_mut(), &at);
            }
        }
    }
}

/// Each member the spec wants is there in any form (listed, matched by a glob, a member
/// through a path dependency, as cargo's facts or else the members' text say), or joins
/// `members` in its layout; a folder `workspace.exclude` keeps out is a conflict.
fn join_members(
    cur: &mut DocumentMut,
    wanted_members: &[String],
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let members = path(&["workspace", "members"]);
    let excluded = get_item(cur.as_table(), &path(&["workspace", "exclude"])).cloned();
    let exclude = excluded.as_ref().and_then(Item::as_array);
    // Cargo's facts say which folders are members, however they became one: listed, matched
    // by a glob, or through a path dependency (a `[workspace.dependencies]` entry's too, and
    // one of a member that is itself such a member). They know the folders as they were
    // before this run: for a crate not there yet, or one that moves now, the members' text
    // decides (a glob may cover a new crate's folder), and the path dependencies the
    // members' text states (a package at the root's too) stand in for cargo's view
    // (`Workspace::note_path_dependencies`).
    let facts = ws.facts();
    if cur.get("package").is_some() {
        ws.note_path_dependencies(cur.as_table(), "");
    }
    let implicit = ws.implicit.borrow().clone();
    let is_excluded = |member: &str| {
        exclude.into_iter().flatten().filter_map(Value::as_str).map(clean).any(|x| {
            member.strip_prefix(x).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    for member in wanted_members {
        let mut p = members.clone();
        p.push(member.clone());
        let covered = get_item(cur.as_table(), &members)
            .and_then(Item::as_array)
            .is_some_and(|array| covers(array, exclude, member));
        let moves = ws.moved.values().any(|to| to == member);
        let present = covered
            || match facts {
                Some(facts) if !moves => facts.is_member(member),
                _ => implicit.contains(member) && !is_excluded(member),
            };
        if present {
            // Trellis' own line stays its own, moved to a new folder too. (A member only
            // through a path dependency has no line, and none of Trellis'.)
            let was = ws.moved.iter().find(|(_, to)| *to == member).map(|(from, _)| from);
            let owned = policy.base.contains_key(&p)
                || was.is_some_and(|from| {
                    policy.base.contains_key(&path(&["workspace", "members", from]))
                });
            if covered && owned {
                out.keys.insert(p, short_hash(member));
            }
            continue;
        }
        // The person's own statement that the folder is no member: a line beside it would
        // contradict it (and cargo would still keep the crate out).
        if is_excluded(member) && !policy.force {
            if !policy.accept {
                let name = ws.crates.iter().find(|(_, dir)| *dir == member).map(|(n, _)| n);
                out.conflict(
                    format!(
                        "workspace.exclude (it keeps out `{member}`, where the spec puts crate `{}`)",
                        name.map_or(member.as_str(), String::as_str)
                    ),
                    &p,
                    policy,
                );
            }
            continue;
        }
        match get_item(cur.as_table(), &members) {
            Some(item) if item.is_array() => {
                let array = get_table_mut(cur.as_table_mut(), &members[..1])
                    .and_then(|t| t.get_mut("members"))
                    .and_then(Item::as_array_mut)
                    .expect("checked above");
                insert_element(array, member);
                out.keys.insert(p, short_hash(member));
            }
            Some(_) => out.conflict(
                format!("workspace.members (not an array, so `{member}` cannot join it)"),
                &p,
                policy,
            ),
            None => match get_table_mut(cur.as_table_mut(), &members[..1]) {
                Some(workspace) => {
                    workspace.insert("members", toml_edit::value(Array::from_iter([member])));
                    out.keys.insert(p, short_hash(member));
                }
                None => out.conflict(
                    format!("workspace.members (the manifest has no `[workspace]`, so `{member}` cannot join it)"),
                    &p,
                    policy,
                ),
            },
        }
    }
}

/// Entries Trellis recorded and still wants stay its own, under a new name too.
fn owned_entries(
    cur: &DocumentMut,
    wanted_entries: &[String],
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    for name in wanted_entries {
        let p = path(&["workspace", "dependencies", name]);
        let was = ws.renamed.iter().find(|(_, to)| *to == name).map(|(from, _)| from);
        let owned = policy.base.contains_key(&p)
            || was.is_some_and(|from| {
                policy.base.contains_key(&path(&["workspace", "dependencies", from]))
            });
        if !out.keys.contains_key(&p)
            && owned
            && let Some(item) = get_item(cur.as_table(), &root_entry(cur.as_table(), name, ws))
        {
            out.keys.insert(p, canon_hash(item));
        }
    }
}

/// Versions the spec pins, where the root has the entry: the version alone is Trellis' fact;
/// features and the rest of the entry are the person's. An entry with no version (a git or
/// path source) is the person's choice.
fn pinned_versions(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    wanted_entries: &[String],
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    for name in wanted_entries {
        let entry = path(&["workspace", "dependencies", name]);
        let Some(wanted) = get_item(new.as_table(), &entry).and_then(pinned_version) else {
            continue;
        };
        let entry = root_entry(cur.as_table(), name, ws);
        let Some(item) = get_item(cur.as_table(), &entry) else { continue };
        let at = if item.is_str() {
            entry.clone()
        } else {
            path(&["workspace", "dependencies", &entry[2], "version"])
        };
        // An entry with no version (a git or path source) is the person's choice.
        if get_item(cur.as_table(), &at).and_then(Item::as_str).is_none() {
            continue;
        }
        let fact = path(&["workspace", "dependencies", name, "version"]);
        pin_fact(cur.as_table_mut(), &at, &fact, wanted, policy, out);
    }
}

/// Adds to the root the `[workspace.dependencies]` entries that the edges Trellis writes
/// inherit and the root lacks ([`Workspace::needed`]), each as the spec's root has it, beside
/// the entries of its kind. [`merge_root`] does it for the members' edges; a package at the
/// root, whose edges are merged into the same file after it, needs it again for its own.
pub(crate) fn add_needed(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
) -> Merged {
    let mut out = Merged::default();
    let entries = path(&["workspace", "dependencies"]);
    for name in ws.needed.borrow().iter() {
        let p = path(&["workspace", "dependencies", name]);
        if get_item(cur.as_table(), &p).is_some() {
            continue;
        }
        let Some(item) = get_item(new.as_table(), &p) else { continue };
        match get_item_mut(cur.as_table_mut(), &entries) {
            Some(Item::Table(table)) => insert_beside_its_kind(table, name, detached(item)),
            Some(other) if other.is_table_like() => {
                if let Some(t) = other.as_table_like_mut() {
                    t.insert(name, detached(item));
                }
            }
            _ => {
                out.conflict(format!("{} (its table is not a table)", dotted(&p)), &p, policy);
                continue;
            }
        }
        out.keys.insert(p, canon_hash(item));
    }
    out
}

/// Where the root's `[workspace.dependencies]` entry for `name` (a key of the render) is: under
/// that key, or else under the key of an entry on the same package (a renamed crate's entry
/// keeps its key, see [`follow_entries`]).
pub(super) fn root_entry(doc: &Table, name: &str, ws: &Workspace<'_>) -> KeyPath {
    let own = path(&["workspace", "dependencies", name]);
    if get_item(doc, &own).is_some() {
        return own;
    }
    let package = ws.package_of_key(name);
    get_item(doc, &path(&["workspace", "dependencies"]))
        .and_then(Item::as_table_like)
        .and_then(|t| t.iter().find(|(k, item)| package_of(k, item) == package).map(|(k, _)| k))
        .map_or(own, |k| path(&["workspace", "dependencies", k]))
}

/// Adds a `[workspace.dependencies]` entry where a person would: among the entries of its
/// kind (members by path, or registry pins), in order when those are in order, else after the
/// last of them; at the end when the table has none of its kind.
pub(super) fn insert_beside_its_kind(table: &mut Table, name: &str, item: Item) {
    let by_path = |item: &Item| item.as_table_like().is_some_and(|t| t.contains_key("path"));
    let kind = by_path(&item);
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_owned()).collect();
    let group: Vec<usize> = table
        .iter()
        .enumerate()
        .filter(|(_, (_, other))| by_path(other) == kind)
        .map(|(i, _)| i)
        .collect();
    table.insert(name, item);
    let Some(&last) = group.last() else { return };
    let sorted = is_sorted(group.iter().map(|&i| keys[i].as_str()));
    let at = match group.iter().find(|&&i| sorted && keys[i].as_str() > name) {
        Some(&i) => i,
        None => last + 1,
    };
    // Ranks: the keys there were keep their order; the new one goes just before `at`.
    let rank: HashMap<&str, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), 2 * i + 2 * usize::from(i >= at)))
        .collect();
    let new_rank = 2 * at + 1;
    table.sort_values_by(|a, _, b, _| {
        let r = |k: &Key| rank.get(k.get()).copied().unwrap_or(new_rank);
        r(a).cmp(&r(b))
    });
}
