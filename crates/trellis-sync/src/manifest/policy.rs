//! The merge policy: for each fact Trellis owns, what the person's file, Trellis' last wish
//! (the base the ledger records) and the spec now decide together ([`Policy::verdict`]); and a
//! crate manifest's merge, step by step ([`merge_member`]).

use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{DocumentMut, Item, Table, TableLike, Value};

use super::dep_table::{DepTable, package_of};
use super::document::{canon_hash, detached, get_item, get_table_mut, remove_leaf};
use super::follow::follow_member;
use super::workspace::{Workspace, edges};
use super::{PACKAGE_FACTS, PROC_MACRO, path};
use crate::ledger::{KeyPath, dotted, short_hash};

/// How a merge should treat what it finds.
pub(crate) struct Policy<'a> {
    /// The facts Trellis wrote or decided last time, with the hash of the value it wanted then.
    pub(crate) base: &'a BTreeMap<KeyPath, String>,
    /// Facts no longer planned that must stay for now (they point at an orphan crate that is
    /// not being pruned).
    pub(crate) keep: &'a dyn Fn(&[String]) -> bool,
    /// The person has resolved this file's conflicts: keep their values, own Trellis' ones.
    pub(crate) accept: bool,
    /// Let Trellis' values win every conflict: only to show a person what Trellis would write.
    pub(crate) force: bool,
}

/// What the three-way rule decides for a value Trellis sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The file has the spec's value; or the person changed it and the spec has nothing new
    /// to say; or the person resolved the conflict: the file's value stays, Trellis owns its
    /// wish.
    Agreed,
    /// Trellis never set it (an adopted file): the person's value stays, and Trellis records
    /// its own wish, so that only a change of the spec can make it speak again.
    Adopt,
    /// Still Trellis' last value (or forced): the spec's value replaces it in place.
    Replace,
    /// A person changed what Trellis wrote, and the spec changed it too.
    Conflict,
}

impl Policy<'_> {
    /// The three-way rule for one fact, by the hashes of its value: the person's (`cur`), the
    /// spec's now (`new`), and Trellis' last wish ([`Policy::base`]).
    fn verdict(&self, fact: &KeyPath, cur: &str, new: &str) -> Verdict {
        let base = self.base.get(fact).map(String::as_str);
        if cur == new || base == Some(new) || self.accept {
            Verdict::Agreed
        } else if base.is_none() && !self.force {
            Verdict::Adopt
        } else if base == Some(cur) || self.force {
            Verdict::Replace
        } else {
            Verdict::Conflict
        }
    }
}

/// What a merge did.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// The facts Trellis owns after the merge, with the hash of the value it wants.
    pub(crate) keys: BTreeMap<KeyPath, String>,
    /// Facts that cannot be added or changed without touching a person's text.
    pub(crate) conflicts: Vec<String>,
    /// Whether some owned fact was kept only because of [`Policy::keep`].
    pub(crate) deferred: bool,
}

impl Merged {
    /// Adds what a second merge of the same file did.
    pub(crate) fn absorb(&mut self, other: Merged) {
        self.keys.extend(other.keys);
        self.conflicts.extend(other.conflicts);
        self.deferred |= other.deferred;
    }

    pub(super) fn conflict(&mut self, what: String, path: &KeyPath, policy: &Policy<'_>) {
        self.conflicts.push(what);
        if let Some(base) = policy.base.get(path) {
            self.keys.insert(path.clone(), base.clone());
        }
    }
}

/// A value the spec sets (`package.name`, `package.description`, a feature, the proc-macro
/// key), merged by the three-way rule ([`Policy::verdict`]). A value the spec no longer sets
/// goes while it is still exactly Trellis'; a missing one is added when `insert`. A package's
/// name is its identity: adopting a manifest that names another package is a conflict.
pub(super) fn value_fact(
    cur: &mut Table,
    new: &Table,
    p: &KeyPath,
    insert: bool,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let Some(wanted) = get_item(new, p) else {
        if let Some(base) = policy.base.get(p)
            && get_item(cur, p).is_some_and(|item| canon_hash(item) == *base)
        {
            remove_leaf(cur, p);
        }
        return;
    };
    let new_hash = canon_hash(wanted);
    let (last, parents) = p.split_last().expect("a fact has a key");
    let Some(parent) = get_table_mut(cur, parents) else {
        // No table for it (`[workspace.package]` in a root that has none): nothing to set.
        return;
    };
    let Some(slot) = parent.get_mut(last) else {
        if insert {
            parent.insert(last, detached(wanted));
            out.keys.insert(p.clone(), new_hash);
        }
        return;
    };
    let verdict = policy.verdict(p, &canon_hash(slot), &new_hash);
    match verdict {
        Verdict::Adopt if p.as_slice() == ["package", "name"] => {
            let what = format!("{} (the manifest here is another package's)", dotted(p));
            return out.conflict(what, p, policy);
        }
        Verdict::Agreed | Verdict::Adopt => {
            out.keys.insert(p.clone(), new_hash);
            return;
        }
        Verdict::Replace | Verdict::Conflict => {}
    }
    // A plain value on both sides: changed in place, its comments and spacing kept.
    if verdict == Verdict::Replace
        && let (Item::Value(old), Item::Value(fresh)) = (&*slot, wanted)
    {
        let mut fresh = fresh.clone();
        *fresh.decor_mut() = old.decor().clone();
        *slot = Item::Value(fresh);
        out.keys.insert(p.clone(), new_hash);
        return;
    }
    out.conflict(format!("{} (a person changed it)", dotted(p)), p, policy);
}

/// A version the spec pins (`fact`, found in the file at `at`), merged by the three-way rule
/// ([`Policy::verdict`]) as a version requirement's text, replaced in place.
pub(super) fn pin_fact(
    cur: &mut Table,
    at: &KeyPath,
    fact: &KeyPath,
    wanted: &str,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let new_hash = short_hash(wanted);
    let (last, parents) = at.split_last().expect("a fact has a key");
    let Some(Item::Value(slot)) = get_table_mut(cur, parents).and_then(|t| t.get_mut(last)) else {
        return;
    };
    match policy.verdict(fact, &short_hash(slot.as_str().unwrap_or_default()), &new_hash) {
        Verdict::Agreed | Verdict::Adopt => {}
        Verdict::Replace => {
            let decor = slot.decor().clone();
            *slot = Value::from(wanted);
            *slot.decor_mut() = decor;
        }
        Verdict::Conflict => {
            let what = format!("{} (a person changed it)", dotted(fact));
            return out.conflict(what, fact, policy);
        }
    }
    out.keys.insert(fact.clone(), new_hash);
}

/// Merges the facts of the rendered crate manifest `new` into the person's `cur`, in place.
/// `dir` is the crate's folder now, `old_dir` where it was before this run's moves. Returns
/// the facts Trellis owns after it, and the conflicts (then the file must not be written).
pub(crate) fn merge_member(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
) -> Merged {
    let new = new.as_table();
    let mut out = Merged::default();
    out.conflicts.extend(follow_member(cur.as_table_mut(), dir, old_dir, ws));
    package_facts(cur, new, policy, &mut out);
    own_features(cur, new, old_dir, ws, policy, &mut out);
    // Features of other crates the spec drops, which this manifest turns on.
    for (at, what) in dropped_feature_refs(cur.as_table(), ws, false) {
        out.conflicts.push(format!("{} (turns on {what}, which the spec drops)", dotted(&at)));
    }
    dropped_edges(cur.as_table_mut(), new, ws, policy, &mut out);
    wanted_edges(cur.as_table_mut(), new, dir, old_dir, ws, policy, &mut out);
    out
}

/// The package's keys the spec sets, and its kind where a manifest says it
/// (`[lib] proc-macro = true`).
fn package_facts(cur: &mut DocumentMut, new: &Table, policy: &Policy<'_>, out: &mut Merged) {
    for key in PACKAGE_FACTS {
        value_fact(cur.as_table_mut(), new, &path(&["package", key]), true, policy, out);
    }
    let proc_macro = path(&PROC_MACRO);
    if get_item(new, &proc_macro).is_some() && !cur.contains_key("lib") {
        cur.insert("lib", Item::Table(Table::new()));
    }
    value_fact(cur.as_table_mut(), new, &proc_macro, true, policy, out);
}

/// The crate's own features (`name = []`): the spec's and those Trellis wrote before. A
/// feature cargo has implicitly (an optional dependency's) is never written out; one that
/// goes while another of the person's turns it on is a conflict: what that one turns on
/// instead is the person's to decide.
fn own_features(
    cur: &mut DocumentMut,
    new: &Table,
    old_dir: &str,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let features = |t: &Table| -> Vec<KeyPath> {
        let table = t.get("features").and_then(Item::as_table_like);
        table.map(|t| t.iter().map(|(k, _)| path(&["features", k])).collect()).unwrap_or_default()
    };
    let mut keys = features(new);
    keys.extend(policy.base.keys().filter(|p| p.len() == 2 && p[0] == "features").cloned());
    keys.sort();
    keys.dedup();
    for p in &keys {
        if ws.has_implicit_feature(cur.as_table(), old_dir, &p[1]) {
            continue;
        }
        // (Removing the last feature Trellis wrote removes the table with it.)
        if get_item(new, p).is_some() && !cur.contains_key("features") {
            cur.insert("features", Item::Table(Table::new()));
        }
        let goes = get_item(new, p).is_none()
            && policy.base.get(p).is_some_and(|base| {
                get_item(cur.as_table(), p).is_some_and(|item| canon_hash(item) == *base)
            });
        let naming = if goes { naming(cur.as_table(), &p[1], false) } else { Vec::new() };
        if !naming.is_empty() {
            for key in naming {
                let why = format!("names `{}`, a feature the spec drops", p[1]);
                out.conflict(format!("{key} ({why})"), p, policy);
            }
            continue;
        }
        value_fact(cur.as_table_mut(), new, p, true, policy, out);
    }
}

/// Edges Trellis wrote that the spec dropped go while they are exactly what it wrote (and
/// stay, deferred, while [`Policy::keep`] holds them). One that a person's feature names
/// (`dep:x`, `x/feat`) would leave that feature naming nothing: a conflict, unless another
/// entry keeps the key.
fn dropped_edges(
    cur: &mut Table,
    new: &Table,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let wanted = edges(new, ws);
    let wants =
        |table: DepTable, key: &str| wanted.iter().any(|e| e.table == table && e.key == key);
    for (p, base_hash) in policy.base {
        let Some((table, name)) = DepTable::of_fact(p) else { continue };
        if wants(table, name) {
            continue;
        }
        if (policy.keep)(p) {
            out.deferred = true;
            out.keys.insert(p.clone(), base_hash.clone());
            continue;
        }
        // A renamed crate's entry, its key kept, is the new name's.
        if ws.renamed.get(name).is_some_and(|to| wants(table, to)) {
            continue;
        }
        let at = table.find(cur, name, ws);
        if get_item(cur, &at).is_none_or(|item| canon_hash(item) != *base_hash) {
            continue;
        }
        let key = at.last().expect("an entry has a key");
        let kept = DepTable::every(cur)
            .into_iter()
            .any(|(holder, t)| t.contains_key(key) && at[..at.len() - 1] != holder[..]);
        let naming = if kept { Vec::new() } else { naming(cur, key, true) };
        if naming.is_empty() {
            DepTable::remove(cur, &at);
        }
        for named in naming {
            let why = format!("names `{key}`, the dependency the spec drops");
            out.conflict(format!("{named} ({why})"), p, policy);
        }
    }
}

/// The edges the spec wants: one present in any form counts (Trellis' own entry stays its
/// own, under a new name too); a missing one is inserted in the table's style, inheriting
/// the root's entry where the root pins its kind ([`Workspace::inherits`]), else in full. A
/// key taken by another package is a conflict.
fn wanted_edges(
    cur: &mut Table,
    new: &Table,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    for edge in edges(new, ws) {
        let (table, name) = (edge.table, edge.key.as_str());
        let p = edge.fact();
        if ws.has_edge(cur, old_dir, table, name, edge.member) {
            let was = ws.renamed.iter().find(|(_, to)| *to == name).map(|(from, _)| from);
            let owned = policy.base.contains_key(&p)
                || was.is_some_and(|from| policy.base.contains_key(&table.fact(from)));
            if owned && let Some(item) = table.get(cur, name, ws) {
                out.keys.insert(p, canon_hash(item));
            }
            continue;
        }
        let entry = if ws.inherits(name, edge.member) {
            table.inherited_entry(cur)
        } else {
            ws.full_entry(dir, name, edge.member)
        };
        match table.insert(cur, name, entry) {
            Ok(hash) => {
                out.keys.insert(p, hash);
            }
            Err(why) => out.conflict(format!("{} ({why})", dotted(&p)), &p, policy),
        }
    }
}

/// The keys of a manifest whose list names `name`, dotted (`features.quick`,
/// `example.demo.required-features`): its features' lists and its targets'
/// `required-features`, naming it as a dependency's key (`dep:name`, `name/feat`, `name?/feat`,
/// or `name` alone where no feature has that name) when `dep`, else as a feature of the crate
/// (`name` alone).
fn naming(doc: &Table, name: &str, dep: bool) -> Vec<String> {
    let features = doc.get("features").and_then(Item::as_table_like);
    let bare = !dep || features.is_none_or(|f| !f.contains_key(name));
    let names = |value: &str| {
        if value == name {
            return bare;
        }
        let value = value.strip_prefix("dep:").filter(|_| dep).unwrap_or(value);
        dep && (value == name
            || value
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with("?/")))
    };
    let lists = |item: &Item| {
        item.as_array().is_some_and(|a| a.iter().filter_map(Value::as_str).any(names))
    };
    let mut out: Vec<String> = features
        .into_iter()
        .flat_map(|f| f.iter())
        .filter(|(_, list)| lists(list))
        .map(|(feature, _)| format!("features.{feature}"))
        .collect();
    // A target that needs the feature: cargo would skip it, or refuse to build it by name.
    for kind in ["bin", "example", "test", "bench"] {
        let Some(targets) = doc.get(kind).and_then(Item::as_array_of_tables) else { continue };
        for target in targets.iter() {
            if target.get("required-features").is_some_and(lists) {
                let name = target.get("name").and_then(Item::as_str).unwrap_or("?");
                out.push(format!("{kind}.{name}.required-features"));
            }
        }
    }
    out
}

/// Where a manifest turns on a feature of another crate that the spec drops
/// ([`Workspace::dropped_features`]): an entry's `features` (`x = { …, features = ["f"] }`, the
/// root's `[workspace.dependencies]` too), or a feature of its own (`x/f`, `x?/f`). Each with
/// the feature it names.
/// `root` looks at the root's `[workspace.dependencies]` alone, else at a crate's tables.
pub(super) fn dropped_feature_refs(
    doc: &Table,
    ws: &Workspace<'_>,
    root: bool,
) -> Vec<(KeyPath, String)> {
    let mut out = Vec::new();
    if ws.dropped_features.is_empty() {
        return out;
    }
    let entries = path(&["workspace", "dependencies"]);
    let tables: Vec<(KeyPath, &dyn TableLike)> = if root {
        get_item(doc, &entries)
            .and_then(Item::as_table_like)
            .map(|t| (entries, t))
            .into_iter()
            .collect()
    } else {
        DepTable::every(doc)
    };
    // Dependency key → the dropped features of its package.
    let mut by_key: BTreeMap<&str, &BTreeSet<String>> = BTreeMap::new();
    for (at, table) in tables {
        let root = at.first().is_some_and(|k| k == "workspace");
        for (key, item) in table.iter() {
            let package = if root { package_of(key, item) } else { ws.package_of_entry(key, item) };
            let Some(dropped) = ws.dropped_features.get(package) else { continue };
            by_key.insert(key, dropped);
            let on = item.as_table_like().and_then(|t| t.get("features")).and_then(Item::as_array);
            for f in on.into_iter().flatten().filter_map(Value::as_str) {
                if dropped.contains(f) {
                    let mut p = at.clone();
                    p.extend([key.to_owned(), "features".to_owned()]);
                    out.push((p, format!("`{package}`'s feature `{f}`")));
                }
            }
        }
    }
    let features = doc.get("features").and_then(Item::as_table_like).filter(|_| !root);
    for (feature, list) in features.into_iter().flat_map(|t| t.iter()) {
        for value in list.as_array().into_iter().flatten().filter_map(Value::as_str) {
            let Some((key, f)) = value.split_once('/') else { continue };
            let key = key.strip_suffix('?').unwrap_or(key);
            if by_key.get(key).is_some_and(|dropped| dropped.contains(f)) {
                out.push((path(&["features", feature]), format!("`{key}`'s feature `{f}`")));
            }
        }
    }
    out
}
