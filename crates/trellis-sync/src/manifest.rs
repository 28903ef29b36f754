//! Manifests as facts. Trellis owns facts, not text: in a manifest it owns exactly what the spec
//! decides (that a member is listed, that an internal edge or an external `uses` exists, the
//! package keys the spec sets) and nothing else. Other keys, their order, quoting, comments,
//! blank lines, features, versions, lints and `publish` are the person's.
//!
//! - A fact already present in any form counts: an edge plain, `workspace = true`, by path,
//!   renamed with `package =`, optional, or under `[target.'cfg(…)'.dependencies]`; a member
//!   listed or matched by a glob.
//! - A missing fact is inserted in the style the file already uses, the way `cargo add` and
//!   `cargo new` do: no existing line changes.
//! - A fact the spec changes (a crate it renames or moves, a description, a version it pins) is
//!   changed in place, that value alone; a fact Trellis inserted and the spec dropped is removed
//!   while it is still exactly what Trellis wrote.
//! - A fact that cannot be added or changed without touching what a person wrote is a conflict,
//!   and the file is not written at all.
//!
//! The ledger records, per manifest, the facts Trellis wrote or decided, each with a short hash
//! of its value ([`Policy::base`]), so that a person's later change of one is told apart from a
//! spec change.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Key, Table, TableLike, Value};

use crate::ledger::{KeyPath, dotted, short_hash};

/// The dependency kinds as a spec's render spells them, each with every table name cargo reads
/// for it (the underscore spellings are cargo's older aliases, still accepted).
const KINDS: [(&str, &[&str]); 3] = [
    ("dependencies", &["dependencies"]),
    ("dev-dependencies", &["dev-dependencies", "dev_dependencies"]),
    ("build-dependencies", &["build-dependencies", "build_dependencies"]),
];

/// The `[package]` keys whose value the spec sets.
const PACKAGE_FACTS: [&str; 2] = ["name", "description"];

/// The key that makes a library a proc-macro: the one kind a manifest states.
const PROC_MACRO: [&str; 2] = ["lib", "proc-macro"];

/// The `[workspace.package]` keys whose value the spec's `[workspace]` sets. `publish` and the
/// rest of what a render puts there are the person's in a root that exists.
const WORKSPACE_PACKAGE_FACTS: [&str; 4] = ["version", "edition", "rust-version", "license"];

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

    fn conflict(&mut self, what: String, path: &KeyPath, policy: &Policy<'_>) {
        self.conflicts.push(what);
        if let Some(base) = policy.base.get(path) {
            self.keys.insert(path.clone(), base.clone());
        }
    }
}

/// What the rest of the workspace looks like to the merge of one manifest.
pub(crate) struct Workspace<'a> {
    /// The crates the spec plans: name → folder.
    pub(crate) crates: &'a BTreeMap<String, String>,
    /// Crates renamed in this run: old name → new name.
    pub(crate) renamed: BTreeMap<String, String>,
    /// Crate folders moved in this run or by an earlier one: old folder → new folder.
    pub(crate) moved: BTreeMap<String, String>,
    /// The root manifest as the workspace has it, or as Trellis is about to create it.
    pub(crate) root: &'a Table,
    /// Whether the root is Trellis' render, created in this run.
    pub(crate) root_is_render: bool,
    /// The rendered root manifest: the spec's pins of external crates come from here.
    pub(crate) rendered_root: &'a Table,
    /// `[workspace.dependencies]` entries that inserted edges refer to and the root lacks.
    pub(crate) needed: RefCell<BTreeSet<String>>,
    /// Folders that are members without being listed: path dependencies of members inside the
    /// workspace, which cargo makes members (see [`Workspace::note_path_dependencies`]).
    pub(crate) implicit: RefCell<BTreeSet<String>>,
}

impl Workspace<'_> {
    fn root_entries(&self) -> Option<&dyn TableLike> {
        get_item(self.root, &path(&["workspace", "dependencies"]))?.as_table_like()
    }

    /// The package an edge keyed `key` is on: a crate of the spec (`member`), or the package
    /// an external pin names (`serde = { package = "serde-json-core", … }`).
    fn package_of(&self, key: &str, member: bool) -> String {
        if member {
            return key.to_owned();
        }
        get_item(self.rendered_root, &path(&["workspace", "dependencies", key]))
            .map_or(key, |item| package_of(key, item))
            .to_owned()
    }

    /// The package a member's entry is on: its `package`, or, for an entry that inherits
    /// (`first.workspace = true`), the package of the root's entry it inherits.
    fn package_of_entry<'i>(&'i self, key: &'i str, item: &'i Item) -> &'i str {
        let inherits = item.as_table_like().is_some_and(|t| {
            t.get("workspace").and_then(Item::as_bool) == Some(true) && !t.contains_key("package")
        });
        match self.root_entries().and_then(|e| e.get(key)).filter(|_| inherits) {
            Some(entry) => package_of(key, entry),
            None => package_of(key, item),
        }
    }

    /// Notes the path dependencies of the member in `dir` (its manifest as it stands): cargo
    /// makes every path dependency inside the workspace a member unless `exclude` says not.
    pub(crate) fn note_path_dependencies(&self, doc: &Table, dir: &str) {
        let mut implicit = self.implicit.borrow_mut();
        for (kind, _) in KINDS {
            for (_, table) in kind_tables(doc, kind) {
                for (_, entry) in table.iter() {
                    let to =
                        entry.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
                    if let Some(to) = to.and_then(|p| normalize(dir, p)) {
                        implicit.insert(to);
                    }
                }
            }
        }
    }

    /// Notes a crate whose manifest Trellis creates: where the root lists members in
    /// `[workspace.dependencies]` (as a generated workspace does), the new one joins them.
    pub(crate) fn add_member(&self, name: &str) {
        let lists_members = self.root_entries().is_some_and(|entries| {
            entries
                .iter()
                .any(|(_, item)| item.as_table_like().is_some_and(|t| t.contains_key("path")))
        });
        if lists_members {
            self.require(name);
        }
    }

    /// Notes that a member refers to the root's entry for `name` (`workspace = true`).
    fn require(&self, name: &str) {
        if self.root_entries().is_none_or(|entries| !entries.contains_key(name)) {
            self.needed.borrow_mut().insert(name.to_owned());
        }
    }

    /// Notes every root entry a crate manifest Trellis writes refers to.
    pub(crate) fn require_inherited(&self, doc: &Table) {
        for (kind, _) in KINDS {
            for (_, table) in kind_tables(doc, kind) {
                for (key, item) in table.iter() {
                    let inherits = item
                        .as_table_like()
                        .is_some_and(|t| t.get("workspace").and_then(Item::as_bool) == Some(true));
                    if inherits {
                        self.require(key);
                    }
                }
            }
        }
    }

    /// Whether an edge on `name` is written `workspace = true`: where the root has an entry
    /// for it, or where the root pins its dependencies in `[workspace.dependencies]` (members
    /// as path entries for an internal edge, registry crates for an external one), in which
    /// case the entry is added to the root too.
    fn inherits(&self, name: &str, member: bool) -> bool {
        let Some(entries) = self.root_entries() else { return false };
        let internal = self.crates.get(name).filter(|_| member);
        if let Some(entry) = entries.get(name) {
            // A member's entry must lead to the member: a workspace may pin a member's
            // released version from the registry for the rest to use. And an external crate's
            // must not: the root may give a member the key the spec gives an external crate,
            // whose edge is then written with the spec's pin.
            let to = entry.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
            // (Its folder as it will be once this run's moves are done.)
            let leads =
                to.and_then(|p| normalize("", p)).map(|d| self.moved.get(&d).cloned().unwrap_or(d));
            return match internal {
                Some(dir) => leads.as_ref() == Some(dir),
                None => !member && leads.is_none_or(|d| !self.crates.values().any(|c| *c == d)),
            };
        }
        let rendered = get_item(self.rendered_root, &path(&["workspace", "dependencies", name]));
        if let (Some(dir), Some(rendered)) = (internal, rendered) {
            // The spec's root gives the name to an external crate (cargo lets a member and
            // another package share a key): an edge on the member is a path.
            let to = rendered.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
            if to.and_then(|p| normalize("", p)).as_ref() != Some(dir) {
                return false;
            }
        }
        let internal = internal.is_some();
        let styled = entries.iter().any(|(_, item)| {
            let has_path = item.as_table_like().is_some_and(|t| t.contains_key("path"));
            has_path == internal
        });
        let pinned = internal || rendered.is_some();
        styled && pinned
    }

    /// Whether a rendered edge keyed `key` is on a member: a key of a member's name is, unless
    /// the edge inherits the root's entry and the spec's root gives that key to an external
    /// crate (cargo keys dependencies per manifest, so a member and another package may share
    /// one).
    fn on_member(&self, key: &str, item: &Item) -> bool {
        let Some(dir) = self.crates.get(key) else { return false };
        let inherits = item
            .as_table_like()
            .is_some_and(|t| t.get("workspace").and_then(Item::as_bool) == Some(true));
        let entry = get_item(self.rendered_root, &path(&["workspace", "dependencies", key]));
        match entry.filter(|_| inherits) {
            None => true,
            Some(e) => {
                let to = e.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
                to.and_then(|p| normalize("", p)).as_ref() == Some(dir)
            }
        }
    }

    /// The entry an edge from the crate in `dir` on `name` gets where it is written in full: a
    /// path to a member, or the spec's pin of an external crate.
    fn full_entry(&self, dir: &str, name: &str, member: bool) -> Item {
        if let Some(to) = self.crates.get(name).filter(|_| member) {
            let mut t = InlineTable::new();
            t.insert("path", relative(dir, to).into());
            return Item::Value(Value::InlineTable(t));
        }
        match get_item(self.rendered_root, &path(&["workspace", "dependencies", name])) {
            Some(item) => detached(item),
            // Validation makes every `uses` name a pinned dependency.
            None => Item::Value("*".into()),
        }
    }
}

fn path(keys: &[&str]) -> KeyPath {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// The package name a dependency entry refers to: its `package` key, else its own key.
fn package_of<'a>(key: &'a str, item: &'a Item) -> &'a str {
    item.as_table_like().and_then(|t| t.get("package")).and_then(Item::as_str).unwrap_or(key)
}

/// Every dependency table of one kind, wherever cargo reads it: the top-level table and each
/// `[target.<cfg>.<kind>]`, with the key path of each.
fn kind_tables<'a>(doc: &'a Table, kind: &str) -> Vec<(KeyPath, &'a dyn TableLike)> {
    let spellings = KINDS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, s)| *s);
    let mut out = Vec::new();
    for spelling in spellings {
        if let Some(t) = doc.get(spelling).and_then(Item::as_table_like) {
            out.push((path(&[spelling]), t));
        }
    }
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (cfg, target) in targets.iter() {
            let Some(target) = target.as_table_like() else { continue };
            for spelling in spellings {
                if let Some(t) = target.get(spelling).and_then(Item::as_table_like) {
                    out.push((path(&["target", cfg, spelling]), t));
                }
            }
        }
    }
    out
}

/// Whether the manifest has an edge of `kind` on package `name`, in any form.
fn has_edge(doc: &Table, kind: &str, name: &str, ws: &Workspace<'_>) -> bool {
    kind_tables(doc, kind)
        .iter()
        .any(|(_, t)| t.iter().any(|(k, item)| ws.package_of_entry(k, item) == name))
}

/// Where a crate's own entry of `kind` on `key` is: the top-level table, in whichever
/// spelling the file has.
fn entry_path(doc: &Table, kind: &str, key: &str) -> KeyPath {
    let spellings = KINDS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, s)| *s);
    spellings
        .iter()
        .map(|s| path(&[s, key]))
        .find(|p| get_item(doc, p).is_some())
        .unwrap_or_else(|| path(&[kind, key]))
}

/// The edges a rendered crate manifest states: (kind, key, whether it is on a member). A
/// key may name a member and an external crate alike (cargo keys dependencies per manifest):
/// the render says which, by a path or by the root's entry it inherits.
fn edges(doc: &Table, ws: &Workspace<'_>) -> Vec<(&'static str, String, bool)> {
    let mut out = Vec::new();
    for (kind, _) in KINDS {
        if let Some(t) = doc.get(kind).and_then(Item::as_table_like) {
            out.extend(t.iter().map(|(k, item)| (kind, k.to_owned(), ws.on_member(k, item))));
        }
    }
    out
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
    for (kind, _) in KINDS {
        if let Some(t) = doc.get(kind).and_then(Item::as_table_like) {
            for (k, item) in t.iter() {
                out.insert(path(&[kind, k]), canon_hash(item));
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

/// A crate manifest Trellis creates in a workspace that already has a root: the render,
/// resolved against the root as it is. Package keys are inherited exactly where the root's
/// `[workspace.package]` has them (every key it has, as `cargo new` does), `[lints]` only where
/// the root has `[workspace.lints]`, and each edge is written `workspace = true` only where the
/// root has (or gets) a matching `[workspace.dependencies]` entry.
pub(crate) fn fresh(new: &DocumentMut, dir: &str, ws: &Workspace<'_>) -> DocumentMut {
    let mut doc = new.clone();
    if ws.root_is_render {
        return doc;
    }
    let root_package =
        get_item(ws.root, &path(&["workspace", "package"])).and_then(Item::as_table_like);
    let rendered_package =
        get_item(ws.rendered_root, &path(&["workspace", "package"])).and_then(Item::as_table_like);
    if let Some(package) = doc.get_mut("package").and_then(Item::as_table_like_mut) {
        let inherited: Vec<String> = package
            .iter()
            .filter(|(_, item)| is_inherited(item))
            .map(|(k, _)| k.to_owned())
            .collect();
        for key in &inherited {
            if root_package.is_some_and(|p| p.contains_key(key)) {
                continue;
            }
            // The root does not have it: the spec's own value, written out, or nothing.
            match rendered_package.and_then(|p| p.get(key)).and_then(Item::as_value) {
                Some(v) => {
                    let mut v = v.clone();
                    v.decor_mut().clear();
                    package.insert(key, Item::Value(v));
                }
                None => {
                    package.remove(key);
                }
            }
        }
        if let Some(root_package) = root_package {
            for (key, _) in root_package.iter() {
                if !package.contains_key(key) {
                    let mut t = Table::new();
                    t.set_dotted(true);
                    t.insert("workspace", toml_edit::value(true));
                    package.insert(key, Item::Table(t));
                }
            }
        }
    }
    if doc.get("lints").is_some_and(is_inherited)
        && get_item(ws.root, &path(&["workspace", "lints"])).is_none()
    {
        doc.remove("lints");
    }
    for (kind, name, member) in edges(doc.as_table(), ws) {
        if ws.inherits(&name, member) {
            continue;
        }
        let entry = ws.full_entry(dir, &name, member);
        if let Some(t) = doc.get_mut(kind).and_then(Item::as_table_like_mut) {
            t.insert(&name, entry);
        }
    }
    doc
}

/// Whether an item is `{ workspace = true }`, in any of its spellings.
fn is_inherited(item: &Item) -> bool {
    item.as_table_like()
        .is_some_and(|t| t.len() == 1 && t.get("workspace").and_then(Item::as_bool) == Some(true))
}

/// Merges the facts of the rendered crate manifest `new` into the person's `cur`, in place.
/// `dir` is the crate's folder now, `old_dir` where it was before this run's moves.
pub(crate) fn merge_member(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
) -> Merged {
    let mut out = Merged::default();
    follow_member(cur.as_table_mut(), dir, old_dir, ws);
    for key in PACKAGE_FACTS {
        let p = path(&["package", key]);
        value_fact(cur.as_table_mut(), new.as_table(), &p, true, policy, &mut out);
    }
    // The kind, where a manifest says it: `[lib] proc-macro = true`.
    let proc_macro = path(&PROC_MACRO);
    if get_item(new.as_table(), &proc_macro).is_some() && !cur.contains_key("lib") {
        cur.insert("lib", Item::Table(Table::new()));
    }
    value_fact(cur.as_table_mut(), new.as_table(), &proc_macro, true, policy, &mut out);
    // The crate's own features (`name = []`): the spec's and those Trellis wrote before.
    let features = |t: &Table| -> Vec<KeyPath> {
        let table = t.get("features").and_then(Item::as_table_like);
        table.map(|t| t.iter().map(|(k, _)| path(&["features", k])).collect()).unwrap_or_default()
    };
    let mut keys = features(new.as_table());
    keys.extend(policy.base.keys().filter(|p| p.len() == 2 && p[0] == "features").cloned());
    keys.sort();
    keys.dedup();
    for p in &keys {
        // (Removing the last feature Trellis wrote removes the table with it.)
        if get_item(new.as_table(), p).is_some() && !cur.contains_key("features") {
            cur.insert("features", Item::Table(Table::new()));
        }
        value_fact(cur.as_table_mut(), new.as_table(), p, true, policy, &mut out);
    }

    let wanted = edges(new.as_table(), ws);
    // Edges Trellis wrote that the spec dropped go while they are exactly what it wrote.
    for (p, base_hash) in policy.base {
        let [kind, name] = p.as_slice() else { continue };
        if !KINDS.iter().any(|(k, _)| k == kind)
            || wanted.iter().any(|(k, n, _)| k == kind && n == name)
        {
            continue;
        }
        if (policy.keep)(p) {
            out.deferred = true;
            out.keys.insert(p.clone(), base_hash.clone());
            continue;
        }
        let at = entry_path(cur.as_table(), kind, name);
        if get_item(cur.as_table(), &at).is_some_and(|item| canon_hash(item) == *base_hash) {
            remove_entry(cur.as_table_mut(), &at);
        }
    }
    for (kind, name, member) in wanted {
        let p = path(&[kind, &name]);
        if has_edge(cur.as_table(), kind, &ws.package_of(&name, member), ws) {
            // Trellis' own entry stays its own, under a new name too.
            let was = ws.renamed.iter().find(|(_, to)| **to == name).map(|(from, _)| from);
            let owned = policy.base.contains_key(&p)
                || was.is_some_and(|from| policy.base.contains_key(&path(&[kind, from])));
            if owned
                && let Some(item) =
                    get_item(cur.as_table(), &entry_path(cur.as_table(), kind, &name))
            {
                out.keys.insert(p, canon_hash(item));
            }
            continue;
        }
        let entry = if ws.inherits(&name, member) {
            inherited_entry(cur.as_table(), kind)
        } else {
            ws.full_entry(dir, &name, member)
        };
        match insert_edge(cur.as_table_mut(), kind, &name, entry) {
            Ok(hash) => {
                out.keys.insert(p, hash);
            }
            Err(why) => out.conflict(format!("{} ({why})", dotted(&p)), &p, policy),
        }
    }
    out
}

/// `workspace = true`, in the spelling the table already uses: inline where its entries are
/// inline tables, else dotted (`name.workspace = true`), as `cargo add` writes it.
fn inherited_entry(doc: &Table, kind: &str) -> Item {
    let inline = doc.get(kind).and_then(Item::as_table_like).is_some_and(|t| {
        t.iter().any(|(_, item)| matches!(item, Item::Value(Value::InlineTable(_))))
            && !t.iter().any(|(_, item)| matches!(item, Item::Table(t) if t.is_dotted()))
    });
    if inline {
        let mut t = InlineTable::new();
        t.insert("workspace", true.into());
        Item::Value(Value::InlineTable(t))
    } else {
        let mut t = Table::new();
        t.set_dotted(true);
        t.insert("workspace", toml_edit::value(true));
        Item::Table(t)
    }
}

/// Adds an edge to the crate's top-level table of its kind (created at the end of the file if
/// absent): in order when the table's keys are sorted, else last. Returns the hash of what it
/// wrote, or why it cannot.
fn insert_edge(doc: &mut Table, kind: &str, name: &str, entry: Item) -> Result<String, String> {
    let hash = canon_hash(&entry);
    // Into the table the file has, in whichever spelling (`dev_dependencies` too): cargo would
    // read only one of two.
    let spellings = KINDS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, s)| *s);
    let kind = spellings.iter().copied().find(|s| doc.contains_key(s)).unwrap_or(kind);
    let Some(holder) = doc.get_mut(kind).filter(|i| !i.is_none()) else {
        let mut t = Table::new();
        t.insert(name, entry);
        doc.insert(kind, Item::Table(t));
        return Ok(hash);
    };
    let Some(table) = holder.as_table_like() else {
        return Err(format!("`{kind}` is not a table"));
    };
    if let Some(item) = table.get(name) {
        return Err(format!(
            "the key `{name}` is taken by a dependency on package `{}`",
            package_of(name, item)
        ));
    }
    // As `cargo add` decides: a table whose keys are in order (one key is) stays in order.
    let sorted = is_sorted(table.iter().map(|(k, _)| k));
    match holder {
        Item::Table(t) => {
            // Indented as the table's entries are (a person's tabs, say).
            let indent = t
                .iter()
                .filter_map(|(k, _)| t.key(k)?.leaf_decor().prefix()?.as_str())
                .map(|p| p.rsplit('\n').next().unwrap_or(p))
                .find(|p| !p.is_empty() && p.trim().is_empty())
                .map(str::to_owned);
            t.insert(name, entry);
            if let (Some(indent), Some(mut key)) = (indent, t.key_mut(name)) {
                key.leaf_decor_mut().set_prefix(indent);
            }
            if sorted {
                t.sort_values();
            }
        }
        Item::Value(Value::InlineTable(t)) => {
            let Ok(value) = entry.into_value() else {
                return Err(format!("`{kind}` cannot hold the entry inline"));
            };
            t.insert(name, value);
            if sorted {
                t.sort_values();
            }
        }
        _ => return Err(format!("`{kind}` is not a table")),
    }
    Ok(hash)
}

/// Adds a `[workspace.dependencies]` entry where a person would: among the entries of its
/// kind (members by path, or registry pins), in order when those are in order, else after the
/// last of them; at the end when the table has none of its kind.
fn insert_beside_its_kind(table: &mut Table, name: &str, item: Item) {
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

/// A value the spec sets (`package.name`, `package.description`, a pinned version), merged
/// three ways: Trellis' last wish (the base), the person's file and the spec now.
fn value_fact(
    cur: &mut Table,
    new: &Table,
    p: &KeyPath,
    insert: bool,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let base = policy.base.get(p);
    let Some(wanted) = get_item(new, p) else {
        // The spec no longer sets it: a value still exactly Trellis' goes.
        if let Some(base) = base
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
    let cur_hash = canon_hash(slot);
    // Equal; or the person changed it and Trellis has nothing new to say; or the person has
    // resolved the conflict: their value stays.
    if cur_hash == new_hash || base == Some(&new_hash) || policy.accept {
        out.keys.insert(p.clone(), new_hash);
        return;
    }
    if base.is_none() && !policy.force {
        // A package's name is its identity: a manifest naming another package here is not
        // the crate the spec declares.
        if p.as_slice() == ["package", "name"] {
            out.conflict(
                format!("{} (the manifest here is another package's)", dotted(p)),
                p,
                policy,
            );
            return;
        }
        // Adopting: the value stays the person's, and Trellis records its own wish, so that
        // only a change of the spec can make it speak again.
        out.keys.insert(p.clone(), new_hash);
        return;
    }
    // Still Trellis' last value, and a plain value on both sides: changed in place, its
    // comments and spacing kept.
    let replaceable = base == Some(&cur_hash) || policy.force;
    if let (true, Item::Value(old), Item::Value(fresh)) = (replaceable, &*slot, wanted) {
        let mut fresh = fresh.clone();
        *fresh.decor_mut() = old.decor().clone();
        *slot = Item::Value(fresh);
        out.keys.insert(p.clone(), new_hash);
        return;
    }
    out.conflict(format!("{} (a person changed it)", dotted(p)), p, policy);
}

/// Merges the facts of the rendered root manifest `new` into the person's `cur`, in place:
/// members, the `[workspace.dependencies]` entries edges need, the versions the spec pins.
pub(crate) fn merge_root(
    cur: &mut DocumentMut,
    new: &DocumentMut,
    ws: &Workspace<'_>,
    policy: &Policy<'_>,
) -> Merged {
    let mut out = Merged::default();
    follow_root(cur.as_table_mut(), ws);
    // The workspace's package keys the spec sets (edition, version, license, rust-version):
    // changed in place where the root has them, never added to a root that lacks one (new
    // crates then state the value themselves, see `fresh`).
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
        value_fact(cur.as_table_mut(), new.as_table(), p, false, policy, &mut out);
    }
    let members = path(&["workspace", "members"]);
    let wanted_members: Vec<String> = get_item(new.as_table(), &members)
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

    // Facts Trellis wrote that the spec dropped: a member of a pruned crate (and its
    // `default-members` line, or cargo could not load the workspace), an entry nobody needs.
    for (p, base_hash) in policy.base {
        let gone = match p.as_slice() {
            [w, m, dir] if w == "workspace" && m == "members" => !wanted_members.contains(dir),
            [w, d, name] if w == "workspace" && d == "dependencies" => {
                !wanted_entries.contains(name)
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
        } else if get_item(cur.as_table(), p).is_some_and(|item| canon_hash(item) == *base_hash) {
            remove_entry(cur.as_table_mut(), p);
        }
    }

    let excluded = get_item(cur.as_table(), &path(&["workspace", "exclude"])).cloned();
    let exclude = excluded.as_ref().and_then(Item::as_array);
    // A package at the root makes its path dependencies members too.
    if cur.get("package").is_some() {
        ws.note_path_dependencies(cur.as_table(), "");
    }
    let implicit = ws.implicit.borrow().clone();
    let is_excluded = |member: &str| {
        exclude.into_iter().flatten().filter_map(Value::as_str).map(clean).any(|x| {
            member.strip_prefix(x).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    };
    for member in &wanted_members {
        let mut p = members.clone();
        p.push(member.clone());
        // A member through a path dependency needs no line (and has none of Trellis').
        if implicit.contains(member)
            && !is_excluded(member)
            && get_item(cur.as_table(), &members)
                .and_then(Item::as_array)
                .is_none_or(|a| !a.iter().filter_map(Value::as_str).any(|m| clean(m) == member))
        {
            continue;
        }
        match get_item(cur.as_table(), &members) {
            Some(item) => match item.as_array() {
                Some(array) if covers(array, exclude, member) => {
                    // Trellis' own line stays its own, moved to a new folder too.
                    let was = ws.moved.iter().find(|(_, to)| *to == member).map(|(from, _)| from);
                    let owned = policy.base.contains_key(&p)
                        || was.is_some_and(|from| {
                            policy.base.contains_key(&path(&["workspace", "members", from]))
                        });
                    if owned {
                        out.keys.insert(p, short_hash(member));
                    }
                }
                Some(_) => {
                    let array = get_table_mut(cur.as_table_mut(), &members[..1])
                        .and_then(|t| t.get_mut("members"))
                        .and_then(Item::as_array_mut)
                        .expect("checked above");
                    insert_element(array, member);
                    out.keys.insert(p, short_hash(member));
                }
                None => out.conflict(
                    format!("workspace.members (not an array, so `{member}` cannot join it)"),
                    &p,
                    policy,
                ),
            },
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
    // Entries Trellis recorded and still wants stay its own, under a new name too.
    for name in &wanted_entries {
        let p = path(&["workspace", "dependencies", name]);
        let was = ws.renamed.iter().find(|(_, to)| *to == name).map(|(from, _)| from);
        let owned = policy.base.contains_key(&p)
            || was.is_some_and(|from| {
                policy.base.contains_key(&path(&["workspace", "dependencies", from]))
            });
        if !out.keys.contains_key(&p)
            && owned
            && let Some(item) = get_item(cur.as_table(), &p)
        {
            out.keys.insert(p, canon_hash(item));
        }
    }
    // Versions the spec pins, where the root has the entry: the version alone is Trellis'
    // fact; features and the rest of the entry are the person's.
    for name in &wanted_entries {
        let entry = path(&["workspace", "dependencies", name]);
        let Some(wanted) = get_item(new.as_table(), &entry).and_then(pinned_version) else {
            continue;
        };
        let Some(item) = get_item(cur.as_table(), &entry) else { continue };
        let at = if item.is_str() {
            entry.clone()
        } else {
            path(&["workspace", "dependencies", name, "version"])
        };
        // An entry with no version (a git or path source) is the person's choice.
        if get_item(cur.as_table(), &at).and_then(Item::as_str).is_none() {
            continue;
        }
        let fact = path(&["workspace", "dependencies", name, "version"]);
        pin_fact(cur.as_table_mut(), &at, &fact, wanted, policy, &mut out);
    }
    out
}

/// A version the spec pins, merged three ways like [`value_fact`], compared as a version
/// requirement's text and replaced in place.
fn pin_fact(
    cur: &mut Table,
    at: &KeyPath,
    fact: &KeyPath,
    wanted: &str,
    policy: &Policy<'_>,
    out: &mut Merged,
) {
    let new_hash = short_hash(wanted);
    let base = policy.base.get(fact);
    let (last, parents) = at.split_last().expect("a fact has a key");
    let Some(Item::Value(slot)) = get_table_mut(cur, parents).and_then(|t| t.get_mut(last)) else {
        return;
    };
    let cur_hash = short_hash(slot.as_str().unwrap_or_default());
    if cur_hash == new_hash || base == Some(&new_hash) || policy.accept {
        out.keys.insert(fact.clone(), new_hash);
    } else if base.is_none() && !policy.force {
        // Adopting: the root's version stays; Trellis records its own wish.
        out.keys.insert(fact.clone(), new_hash);
    } else if base == Some(&cur_hash) || policy.force {
        let decor = slot.decor().clone();
        *slot = Value::from(wanted);
        *slot.decor_mut() = decor;
        out.keys.insert(fact.clone(), new_hash);
    } else {
        out.conflict(format!("{} (a person changed it)", dotted(fact)), fact, policy);
    }
}

/// Renames and moves, followed in a crate manifest: an entry on a renamed crate takes its new
/// name (its `package` value, else its key), and a `path` that led to a moved folder (or that
/// this crate's own move would break) leads there again. Each value changes in place.
fn follow_member(doc: &mut Table, dir: &str, old_dir: &str, ws: &Workspace<'_>) {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return;
    }
    let mut renamed_keys = Vec::new();
    for (kind, _) in KINDS {
        let tables: Vec<KeyPath> = kind_tables(doc, kind).into_iter().map(|(p, _)| p).collect();
        for p in tables {
            if let Some(table) = get_item_mut(doc, &p) {
                renamed_keys.extend(follow_entries(table, dir, old_dir, ws));
            }
        }
    }
    // `[features]` names dependencies by their keys (`dep:foo`, `foo/feature`, `foo?/feature`,
    // or `foo` for an optional one): a renamed key is renamed there too, or cargo would refuse
    // the manifest.
    let Some(features) = doc.get_mut("features").and_then(Item::as_table_like_mut) else { return };
    for (_, item) in features.iter_mut() {
        let Some(list) = item.as_array_mut() else { continue };
        for value in list.iter_mut() {
            let Some(text) = value.as_str() else { continue };
            let renamed = renamed_keys.iter().find_map(|(from, to)| {
                let rest = text.strip_prefix("dep:").map_or(text, |r| r);
                let dep = text.starts_with("dep:");
                let tail = rest.strip_prefix(from.as_str())?;
                (tail.is_empty() || tail.starts_with('/') || tail.starts_with("?/"))
                    .then(|| format!("{}{to}{tail}", if dep { "dep:" } else { "" }))
            });
            if let Some(renamed) = renamed {
                set_str(value, &renamed);
            }
        }
    }
}

/// Renames and moves, followed in the root manifest: `members` and `default-members` lines
/// that named a moved folder, and `[workspace.dependencies]` entries.
fn follow_root(doc: &mut Table, ws: &Workspace<'_>) {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return;
    }
    for array in ["members", "default-members"] {
        let Some(array) =
            get_item_mut(doc, &path(&["workspace", array])).and_then(Item::as_array_mut)
        else {
            continue;
        };
        for element in array.iter_mut() {
            let Some(to) = element.as_str().and_then(|s| ws.moved.get(clean(s))) else { continue };
            let decor = element.decor().clone();
            *element = Value::from(to.as_str());
            *element.decor_mut() = decor;
        }
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

/// Follows renames and moves in one dependency table; returns the keys it renamed.
fn follow_entries(
    table: &mut Item,
    dir: &str,
    old_dir: &str,
    ws: &Workspace<'_>,
) -> Vec<(String, String)> {
    let mut renamed_keys = Vec::new();
    let keys: Vec<String> = match table.as_table_like() {
        Some(t) => t.iter().map(|(k, _)| k.to_owned()).collect(),
        None => return renamed_keys,
    };
    for key in keys {
        let Some(entry) = table.as_table_like_mut().and_then(|t| t.get_mut(&key)) else {
            continue;
        };
        if let Some(fields) = entry.as_table_like_mut()
            && let Some(Item::Value(p)) = fields.get_mut("path")
            && let Some(was) = p.as_str().and_then(|s| normalize(old_dir, s))
        {
            let target = ws.moved.get(&was).cloned().unwrap_or(was);
            if p.as_str().and_then(|s| normalize(dir, s)).as_deref() != Some(target.as_str()) {
                set_str(p, &relative(dir, &target));
            }
        }
        let package = package_of(&key, entry).to_owned();
        let Some(to) = ws.renamed.get(&package) else { continue };
        match entry.as_table_like_mut().and_then(|t| t.get_mut("package")) {
            Some(Item::Value(p)) => set_str(p, to),
            _ => {
                if rename_key(table, &key, to) {
                    renamed_keys.push((key.clone(), to.clone()));
                }
            }
        }
    }
    renamed_keys
}

/// Follows moves in a table of entries by path, renames aside (a `[patch]` entry names a
/// package on a registry, which a rename in the spec does not rename).
fn follow_paths(table: &mut Item, ws: &Workspace<'_>) {
    let Some(t) = table.as_table_like_mut() else { return };
    for (_, entry) in t.iter_mut() {
        if let Some(fields) = entry.as_table_like_mut()
            && let Some(Item::Value(p)) = fields.get_mut("path")
            && let Some(was) = p.as_str().and_then(|s| normalize("", s))
            && let Some(to) = ws.moved.get(&was)
        {
            set_str(p, &relative("", to));
        }
    }
}

/// Replaces a string value, keeping the comments and spacing around it and its quoting: a
/// literal string (`'…'`) stays one where the new text can be one.
fn set_str(slot: &mut Value, text: &str) {
    let decor = slot.decor().clone();
    let literal = match &*slot {
        Value::String(f) => f
            .as_repr()
            .and_then(|r| r.as_raw().as_str())
            .is_some_and(|raw| raw.starts_with('\'') && !raw.starts_with("\'\'\'")),
        _ => false,
    };
    *slot = match format!("'{text}'").parse::<Value>() {
        Ok(v) if literal && !text.contains(['\'', '\n', '\r']) => v,
        _ => Value::from(text),
    };
    *slot.decor_mut() = decor;
}

/// Renames a key where it stands, keeping its comments, spacing and value. A key already
/// taken is left alone (the merge then reports the edge it cannot add). Returns whether it
/// renamed.
fn rename_key(holder: &mut Item, from: &str, to: &str) -> bool {
    let rank = |t: &dyn TableLike| -> HashMap<String, usize> {
        t.iter()
            .enumerate()
            .map(|(i, (k, _))| (if k == from { to.to_owned() } else { k.to_owned() }, i))
            .collect()
    };
    // The new key quoted as the old one was: `"first"` stays quoted.
    let renamed = |key: &Key| {
        let quote = key
            .as_repr()
            .and_then(|r| r.as_raw().as_str())
            .and_then(|raw| raw.chars().next())
            .filter(|c| *c == '"' || *c == '\'');
        let mut new = quote
            .and_then(|q| Key::parse(&format!("{q}{to}{q}")).ok())
            .and_then(|mut keys| (keys.len() == 1).then(|| keys.remove(0)))
            .unwrap_or_else(|| Key::new(to));
        *new.leaf_decor_mut() = key.leaf_decor().clone();
        *new.dotted_decor_mut() = key.dotted_decor().clone();
        new
    };
    match holder {
        Item::Table(t) => {
            if t.contains_key(to) {
                return false;
            }
            let order = rank(t);
            let (Some(key), Some(item)) = (t.key(from).cloned(), t.remove(from)) else {
                return false;
            };
            t.insert_formatted(&renamed(&key), item);
            t.sort_values_by(|a, _, b, _| order.get(a.get()).cmp(&order.get(b.get())));
            true
        }
        Item::Value(Value::InlineTable(t)) => {
            if t.contains_key(to) {
                return false;
            }
            let order = rank(t);
            let (Some(key), Some(value)) = (t.key(from).cloned(), t.remove(from)) else {
                return false;
            };
            t.insert_formatted(&renamed(&key), value);
            t.sort_values_by(|a, _, b, _| order.get(a.get()).cmp(&order.get(b.get())));
            true
        }
        _ => false,
    }
}

/// Whether `member` is a member through `members`, as cargo decides it
/// (`WorkspaceRootConfig::is_excluded` in cargo's `core/workspace.rs`): listed exactly, or
/// matched by a glob and not under a `workspace.exclude` path. Globs match as cargo expands
/// them, folder by folder: `*` never crosses a `/`.
fn covers(members: &Array, exclude: Option<&Array>, member: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let listed: Vec<&str> = members.iter().filter_map(Value::as_str).map(clean).collect();
    if listed.contains(&member) {
        return true;
    }
    let excluded = exclude.into_iter().flatten().filter_map(Value::as_str).map(clean).any(|x| {
        member.strip_prefix(x).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    !excluded
        && listed
            .iter()
            .any(|m| glob::Pattern::new(m).is_ok_and(|p| p.matches_with(member, options)))
}

/// A member path as cargo reads it: without a leading `./` or a trailing `/`.
fn clean(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    path.strip_suffix('/').unwrap_or(path)
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

fn get_item_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &mut dyn TableLike = root;
    for key in parents {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    table.get_mut(last).filter(|i| !i.is_none())
}

/// The merge's result as the person's own text: toml_edit prints what it parsed nearly, not
/// exactly, as it was (line endings, a missing final line break, the quoting of a table
/// header's parts). So the changes from `printed` (the untouched document as toml_edit prints
/// it) to `merged` are carried over to `text` line by line: a line the merge did not touch
/// keeps its bytes, an inserted line takes the file's line ending. When toml_edit's printing
/// changed the number of lines, `merged` is used as it is, with the file's line ending.
pub(crate) fn carry_over(text: &str, printed: &str, merged: &str) -> String {
    if printed == merged {
        return text.to_owned();
    }
    let crlf = text.contains("\r\n") && !text.replace("\r\n", "").contains('\n');
    let ending = |line: &str| -> String {
        match line.strip_suffix('\n') {
            Some(body) if crlf && !body.ends_with('\r') => format!("{body}\r\n"),
            _ => line.to_owned(),
        }
    };
    let theirs: Vec<&str> = text.split_inclusive('\n').collect();
    let printed_lines: Vec<&str> = printed.split_inclusive('\n').collect();
    if theirs.len() != printed_lines.len() {
        let mut out: String = merged.split_inclusive('\n').map(ending).collect();
        if !text.ends_with('\n') && out.ends_with('\n') {
            out.pop();
            if out.ends_with('\r') {
                out.pop();
            }
        }
        return out;
    }
    let diff = similar::TextDiff::from_lines(printed, merged);
    let mut out = String::with_capacity(merged.len() + 64);
    // A person's last line without a line break gets one only if something follows it.
    let mut owed = "";
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => {}
            similar::ChangeTag::Equal => {
                out.push_str(owed);
                let line = change.old_index().map_or("", |i| theirs[i]);
                out.push_str(line);
                owed = if line.ends_with('\n') {
                    ""
                } else if crlf {
                    "\r\n"
                } else {
                    "\n"
                };
            }
            similar::ChangeTag::Insert => {
                out.push_str(owed);
                owed = "";
                out.push_str(&ending(change.value()));
            }
        }
    }
    // A file that ended without a line break still does.
    if !text.is_empty() && !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
        if out.ends_with('\r') {
            out.pop();
        }
    }
    out
}

/// The short hash of a value's canonical text: formatting, comments and quoting style aside.
pub(crate) fn canon_hash(item: &Item) -> String {
    let mut s = String::new();
    canon_item(item, &mut s);
    short_hash(&s)
}

fn canon_item(item: &Item, out: &mut String) {
    match item {
        Item::None => {}
        Item::Value(v) => canon_value(v, out),
        Item::Table(t) => canon_table(t, out),
        Item::ArrayOfTables(a) => {
            out.push('[');
            for t in a.iter() {
                canon_table(t, out);
                out.push(',');
            }
            out.push(']');
        }
    }
}

fn canon_table(t: &dyn TableLike, out: &mut String) {
    out.push('{');
    for (k, v) in t.iter() {
        out.push_str(&format!("{k:?}="));
        canon_item(v, out);
        out.push(',');
    }
    out.push('}');
}

fn canon_value(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(&format!("{:?}", s.value())),
        Value::Integer(i) => out.push_str(&i.value().to_string()),
        Value::Float(f) => out.push_str(&format!("{:?}", f.value())),
        Value::Boolean(b) => out.push_str(&b.value().to_string()),
        Value::Datetime(d) => out.push_str(&d.value().to_string()),
        Value::Array(a) => {
            out.push('[');
            for v in a.iter() {
                canon_value(v, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::InlineTable(t) => canon_table(t, out),
    }
}

fn get_item<'a>(root: &'a Table, path: &[String]) -> Option<&'a Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &dyn TableLike = root;
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last).filter(|i| !i.is_none())
}

fn get_table_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut dyn TableLike> {
    get_table_mut_in(root, path)
}

/// A copy of a rendered item fit to be placed in another document: its tables lose their
/// positions in the rendered one, so they print right after their neighbours.
fn detached(item: &Item) -> Item {
    let mut item = item.clone();
    unposition(&mut item);
    item
}

fn unposition(item: &mut Item) {
    match item {
        Item::Table(t) => {
            t.set_position(None);
            for (_, v) in t.iter_mut() {
                unposition(v);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                t.set_position(None);
            }
        }
        _ => {}
    }
}

fn is_sorted<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let Some(mut prev) = keys.next() else { return true };
    for k in keys {
        if k < prev {
            return false;
        }
        prev = k;
    }
    true
}

/// The text between two elements of a one-element-per-line array (an element's prefix, or the
/// array's trailing text) split in two: what ends the previous element's line (spaces and a
/// comment there, through the line break), and the rest (comment lines above the next element,
/// then its indentation). `None` for the gaps of an array on one line.
fn split_gap(gap: &str) -> Option<(&str, &str)> {
    gap.find('\n').map(|i| gap.split_at(i + 1))
}

fn prefix_of(v: &Value) -> String {
    v.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned()
}

/// Adds `member` to `members` as `cargo new` would: in order when the array is sorted, else
/// at the end, with the layout of the elements already there. Every comment stays on the line
/// it was written on: one that ends an element's line stays after that element, one above an
/// element stays above it, one before the closing bracket stays before it.
fn insert_element(array: &mut Array, member: &str) {
    let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
    let sorted = strs.len() == array.len() && is_sorted(strs.iter().copied());
    let index = if sorted { strs.partition_point(|s| *s < member) } else { array.len() };
    let len = array.len();
    // A last element without a comma may hold the comments after it as its own suffix: they
    // belong after the comma that joins the new element.
    let mut trailing = array.trailing().as_str().unwrap_or("").to_owned();
    if index == len
        && let Some(last) = array.get_mut(len.wrapping_sub(1))
    {
        let suffix = last.decor().suffix().and_then(|s| s.as_str()).unwrap_or("").to_owned();
        if suffix.contains('\n') {
            last.decor_mut().set_suffix("");
            trailing = format!("{suffix}{trailing}");
        }
    }
    let gap = if index < len {
        array.get(index).map(prefix_of).unwrap_or_default()
    } else {
        trailing.clone()
    };
    // The indentation of an element's line, from the elements there are.
    let indent = (0..len)
        .filter_map(|i| array.get(i).map(prefix_of))
        .find_map(|p| p.rfind('\n').map(|n| p[n + 1..].to_owned()))
        .unwrap_or_else(|| "    ".to_owned());
    array.insert(index, member);
    let set = |array: &mut Array, i: usize, prefix: String| {
        if let Some(v) = array.get_mut(i) {
            v.decor_mut().set_prefix(prefix);
        }
    };
    match split_gap(&gap) {
        Some((ends_line, rest)) if len > 0 => {
            set(array, index, format!("{ends_line}{indent}"));
            let after = format!("\n{rest}");
            if index < len {
                set(array, index + 1, after);
            } else {
                array.set_trailing(after);
            }
        }
        // One line: the new element is spaced as the others are.
        _ if len > 0 => {
            if index == 0 {
                set(array, 0, gap.clone());
                set(array, 1, " ".to_owned());
            } else {
                set(array, index, " ".to_owned());
            }
            if index == len {
                array.set_trailing(trailing);
            }
        }
        _ => {}
    }
}

fn remove_element(cur: &mut Table, path: &[String]) {
    let Some(array) = get_table_mut(cur, &path[..1])
        .and_then(|t| t.get_mut(&path[1]))
        .and_then(Item::as_array_mut)
    else {
        return;
    };
    let Some(index) = array.iter().position(|v| v.as_str() == Some(path[2].as_str())) else {
        // Covered by a glob or excluded: nothing of Trellis' to remove.
        return;
    };
    let removed = array.remove(index);
    let before = prefix_of(&removed);
    let last = index == array.len();
    let after = if last {
        // Without a trailing comma, what stands before `]` may be the last element's suffix.
        let suffix = removed.decor().suffix().and_then(|s| s.as_str()).unwrap_or("");
        format!("{suffix}{}", array.trailing().as_str().unwrap_or(""))
    } else {
        array.get(index).map(prefix_of).unwrap_or_default()
    };
    let joined = match (split_gap(&before), split_gap(&after)) {
        // One element a line: what ended the line before stays, comments above the removed
        // element stay, a comment that ended its own line becomes a line of its own.
        (Some((ends_before, above)), Some((ends_removed, rest))) => {
            let comment = ends_removed.trim();
            let own_line = if comment.is_empty() {
                String::new()
            } else {
                let indent = above.rsplit('\n').next().unwrap_or("");
                format!("{comment}\n{indent}")
            };
            let above = above.trim_end_matches([' ', '\t']);
            let indent = rest.rsplit('\n').next().unwrap_or("");
            let rest_lines = &rest[..rest.len() - indent.len()];
            if own_line.is_empty() {
                format!("{ends_before}{above}{rest_lines}{indent}")
            } else {
                let own_indent = own_line.rsplit('\n').next().unwrap_or("");
                format!("{ends_before}{above}{own_indent}{comment}\n{rest_lines}{indent}")
            }
        }
        // On one line: the element's spacing goes with it, the first one's stays first.
        _ => {
            if index == 0 {
                before
            } else {
                after
            }
        }
    };
    if last {
        array.set_trailing(joined);
    } else if let Some(next) = array.get_mut(index) {
        next.decor_mut().set_prefix(joined);
    }
}

/// Removes a dependency entry: a dotted one (`b.workspace = true`) leaf by leaf, since its
/// line's comments hang on its last key.
fn remove_entry(cur: &mut Table, p: &[String]) {
    let mut leaves = Vec::new();
    if let Some(Item::Table(t)) = get_item(cur, p)
        && t.is_dotted()
    {
        body_lines(t, &mut p.to_vec(), &mut leaves);
    }
    if leaves.is_empty() {
        leaves.push(p.to_vec());
    }
    for leaf in leaves {
        remove_leaf(cur, &leaf);
    }
}

/// Removes a leaf, then every table above it that this left empty and that carries no
/// comment of a person's.
fn remove_leaf(cur: &mut Table, path: &[String]) {
    let (last, parents) = path.split_last().expect("a leaf path is never empty");
    rescue_comment(cur, path);
    if let Some(parent) = get_table_mut(cur, parents) {
        parent.remove(last);
    }
    for depth in (1..path.len()).rev() {
        let Some(item) = get_item(cur, &path[..depth]) else { return };
        let removable = match item {
            Item::Value(Value::InlineTable(t)) => t.is_empty(),
            Item::Table(t) => {
                let decor = t.decor();
                let commented = [decor.prefix(), decor.suffix()]
                    .into_iter()
                    .flatten()
                    .any(|raw| raw.as_str().is_some_and(|s| s.contains('#')));
                t.is_empty() && !commented
            }
            _ => false,
        };
        if !removable {
            return;
        }
        rescue_comment(cur, &path[..depth]);
        if let Some(parent) = get_table_mut(cur, &path[..depth - 1]) {
            parent.remove(&path[depth - 1]);
        }
    }
}

/// Before the line of `path` goes, moves the comment lines above it (a person's, or Trellis'
/// own) onto the next line of the same table, or after the previous one, or after the
/// table's header, so that no comment is lost with a key.
fn rescue_comment(cur: &mut Table, path: &[String]) {
    // The standard table whose body holds the line (dotted keys are lines of their table).
    let mut depth = path.len() - 1;
    while depth > 0 {
        if matches!(get_item(cur, &path[..depth]), Some(Item::Table(t)) if !t.is_dotted()) {
            break;
        }
        depth -= 1;
    }
    let (head, rel) = path.split_at(depth);
    let Some(table) = get_table_mut(cur, head) else { return };
    let (last, parents) = rel.split_last().expect("a line has a key");
    let prefix = get_table_mut_in(table, parents)
        .and_then(|p| {
            p.key(last).and_then(|k| k.leaf_decor().prefix()?.as_str().map(str::to_owned))
        })
        .unwrap_or_default();
    if !prefix.contains('#') {
        return;
    }
    let mut lines = Vec::new();
    body_lines(&*table, &mut Vec::new(), &mut lines);
    let Some(at) = lines.iter().position(|l| l.as_slice() == rel) else { return };
    if let Some(next) = lines.get(at + 1) {
        let (key, parents) = next.split_last().expect("a line has a key");
        if let Some(parent) = get_table_mut_in(table, parents)
            && let Some(mut key) = parent.key_mut(key)
        {
            let old = key.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
            key.leaf_decor_mut().set_prefix(format!("{prefix}{old}"));
        }
        return;
    }
    let comment = prefix.trim_end_matches('\n');
    if let Some(previous) = at.checked_sub(1).and_then(|i| lines.get(i)) {
        let (key, parents) = previous.split_last().expect("a line has a key");
        if let Some(Item::Value(value)) =
            get_table_mut_in(table, parents).and_then(|p| p.get_mut(key))
        {
            let old = value.decor().suffix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
            value.decor_mut().set_suffix(format!("{old}\n{comment}"));
        }
        return;
    }
    if depth > 0
        && let Some(Item::Table(t)) =
            get_table_mut(cur, &path[..depth - 1]).and_then(|p| p.get_mut(&path[depth - 1]))
    {
        let old = t.decor().suffix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
        t.decor_mut().set_suffix(format!("{old}\n{comment}"));
    }
}

fn get_table_mut_in<'a>(
    table: &'a mut dyn TableLike,
    path: &[String],
) -> Option<&'a mut dyn TableLike> {
    let mut table = table;
    for key in path {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    Some(table)
}

/// The lines of a table's body, in order: its values, and the values of its dotted tables.
fn body_lines(table: &dyn TableLike, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (key, item) in table.iter() {
        prefix.push(key.to_owned());
        match item {
            Item::Table(t) if t.is_dotted() => body_lines(t, prefix, out),
            Item::Value(_) => out.push(prefix.clone()),
            _ => {}
        }
        prefix.pop();
    }
}

#[cfg(test)]
mod tests;
