//! What the rest of the workspace looks like to the merge of one manifest: the spec's crates,
//! this run's renames and moves, the root as it is and as rendered, and cargo's facts. The
//! merge asks it whether a member or an edge is there, what package a key is on, and how an
//! edge it inserts is written.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use toml_edit::{DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::dep_table::{DepTable, package_of};
use super::document::{detached, get_item};
use super::follow::{normalize, relative};
use super::path;
use crate::facts::{CargoFacts, LazyFacts};
use crate::ledger::KeyPath;

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
    /// Without cargo's facts: folders that are members without being listed, path
    /// dependencies of members inside the workspace, which cargo makes members (see
    /// [`Workspace::note_path_dependencies`]).
    pub(crate) implicit: RefCell<BTreeSet<String>>,
    /// Features of crates (package → names) that Trellis wrote and the spec dropped: a
    /// manifest that turns one on keeps the run back (see [`dropped_feature_refs`]).
    pub(crate) dropped_features: BTreeMap<String, BTreeSet<String>>,
    /// Cargo's view of the workspace before this run: whether a member, an edge or a feature
    /// is there is decided by it wherever it describes the thing asked about.
    pub(crate) facts: LazyFacts<'a>,
}

impl Workspace<'_> {
    pub(crate) fn facts(&self) -> Option<&CargoFacts> {
        self.facts.get()
    }

    /// The folder `dir` had before this run's moves: where cargo's facts know it.
    pub(crate) fn before_moves<'d>(&'d self, dir: &'d str) -> &'d str {
        self.moved.iter().find(|(_, to)| *to == dir).map_or(dir, |(from, _)| from.as_str())
    }

    /// Whether the member in folder `old_dir` (before this run's moves) has an edge in `table`
    /// on `name` (a crate of the spec, or an external dependency), in any form. Cargo's facts
    /// decide where they know the member: an edge on a crate is one whose path leads to its
    /// folder, one on an external crate (or a crate's release) one on its package. Else the
    /// text of `doc` decides.
    pub(crate) fn has_edge(
        &self,
        doc: &Table,
        old_dir: &str,
        table: DepTable,
        name: &str,
        member: bool,
    ) -> bool {
        let package = self.package_of(name, member);
        let Some(facts) = self.facts().and_then(|f| f.package(old_dir)) else {
            return has_edge(doc, table, &package, self);
        };
        // (A crate renamed in this run had its old name when cargo read the manifests.)
        let was = self.renamed.iter().find(|(_, to)| **to == package).map(|(from, _)| from);
        // A key naming a crate of the spec may be an edge on another package (its release
        // from the registry, or an external crate of the same key): the render says which.
        match self.crates.get(name).filter(|_| member) {
            Some(dir) => {
                let dir = self.before_moves(dir);
                facts.has_dep(table.0, |d| d.path.as_deref() == Some(dir))
            }
            None => facts.has_dep(table.0, |d| d.package == package || Some(&d.package) == was),
        }
    }

    /// Whether cargo's facts say the package in `old_dir` has the feature `name` though its
    /// manifest's `[features]` does not list it: the implicit feature of an optional
    /// dependency that no feature names with `dep:`. Writing it out as `name = []` would take
    /// the dependency's feature away (cargo then refuses the manifest).
    pub(crate) fn has_implicit_feature(&self, doc: &Table, old_dir: &str, name: &str) -> bool {
        let listed =
            doc.get("features").and_then(Item::as_table_like).is_some_and(|t| t.contains_key(name));
        !listed
            && self
                .facts()
                .and_then(|f| f.package(old_dir))
                .is_some_and(|p| p.features.contains_key(name))
    }

    pub(crate) fn root_entries(&self) -> Option<&dyn TableLike> {
        get_item(self.root, &path(&["workspace", "dependencies"]))?.as_table_like()
    }

    /// The package an edge keyed `key` is on: a crate of the spec (`member`), or the package
    /// an external pin names (`serde = { package = "serde-json-core", … }`).
    pub(crate) fn package_of(&self, key: &str, member: bool) -> String {
        if member {
            return key.to_owned();
        }
        get_item(self.rendered_root, &path(&["workspace", "dependencies", key]))
            .map_or(key, |item| package_of(key, item))
            .to_owned()
    }

    /// The package a key of the render is on, where the render's edge itself is not at hand:
    /// a crate of the spec unless the rendered root pins that key without a path (a release
    /// of the crate, or an external crate that shares its key).
    pub(crate) fn package_of_key(&self, key: &str) -> String {
        let pinned = get_item(self.rendered_root, &path(&["workspace", "dependencies", key]))
            .is_some_and(|item| item.as_table_like().is_none_or(|t| !t.contains_key("path")));
        self.package_of(key, self.crates.contains_key(key) && !pinned)
    }

    /// The package a member's entry is on: its `package`, or, for an entry that inherits
    /// (`first.workspace = true`), the package of the root's entry it inherits.
    pub(crate) fn package_of_entry<'i>(&'i self, key: &'i str, item: &'i Item) -> &'i str {
        let inherits = item.as_table_like().is_some_and(|t| {
            t.get("workspace").and_then(Item::as_bool) == Some(true) && !t.contains_key("package")
        });
        match self.root_entries().and_then(|e| e.get(key)).filter(|_| inherits) {
            // The root's entry as it is once this run's renames are followed (a renamed
            // crate's entry keeps its key and names the new package).
            Some(entry) => {
                let package = package_of(key, entry);
                self.renamed.get(package).map_or(package, String::as_str)
            }
            None => package_of(key, item),
        }
    }

    /// Notes the path dependencies of the member in `dir` (its manifest as it stands): cargo
    /// makes every path dependency inside the workspace a member unless `exclude` says not.
    pub(crate) fn note_path_dependencies(&self, doc: &Table, dir: &str) {
        let mut implicit = self.implicit.borrow_mut();
        for (_, table) in DepTable::every(doc) {
            for (_, entry) in table.iter() {
                let to = entry.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
                if let Some(to) = to.and_then(|p| normalize(dir, p)) {
                    implicit.insert(to);
                }
            }
        }
    }

    /// Notes a crate whose manifest Trellis creates: where the root lists the spec's crates in
    /// `[workspace.dependencies]` as Trellis wrote them (a generated workspace's root, edited
    /// or not: `owned` holds the facts Trellis owns there), the new one joins them. In a root
    /// a person wrote, the entries are theirs: a crate gets one only when an edge Trellis
    /// writes inherits it ([`Workspace::require_inherited`]), never merely for being a member.
    pub(crate) fn add_member(&self, name: &str, owned: &BTreeMap<KeyPath, String>) {
        let Some(entries) = self.root_entries() else { return };
        let crates: BTreeSet<&str> = self.crates.values().map(String::as_str).collect();
        // The entries that lead to a crate of the spec by path (its folder before or after
        // this run's moves); entries of other path dependencies (a vendored crate) aside.
        let mut members = entries
            .iter()
            .filter(|(_, item)| {
                let to = item.as_table_like().and_then(|t| t.get("path")).and_then(Item::as_str);
                to.and_then(|p| normalize("", p)).is_some_and(|dir| {
                    crates.contains(dir.as_str())
                        || self.moved.get(&dir).is_some_and(|to| crates.contains(to.as_str()))
                })
            })
            .peekable();
        let trellis_wrote = |key: &str, item: &Item| {
            let package = package_of(key, item);
            [Some(key), Some(package), self.renamed.get(package).map(String::as_str)]
                .into_iter()
                .flatten()
                .any(|k| owned.contains_key(&path(&["workspace", "dependencies", k])))
        };
        let listed = members.peek().is_some();
        if listed && (self.root_is_render || members.all(|(k, item)| trellis_wrote(k, item))) {
            self.require(name);
        }
    }

    /// Notes that a member refers to the root's entry for `name` (`workspace = true`).
    pub(crate) fn require(&self, name: &str) {
        if self.root_entries().is_none_or(|entries| !entries.contains_key(name)) {
            self.needed.borrow_mut().insert(name.to_owned());
        }
    }

    /// Whether a member's recorded facts (`keys`, as a ledger record holds them) name an edge
    /// on a crate of the spec that the root's `[workspace.dependencies]` has no entry for: a
    /// root that lost it since the member was written (two branches' roots merged by git,
    /// say), which the member may inherit.
    pub(crate) fn may_miss_an_entry(&self, keys: &BTreeMap<KeyPath, String>) -> bool {
        let Some(entries) = self.root_entries() else { return false };
        keys.keys().any(|key| match key.as_slice() {
            [_, name] => {
                DepTable::ALL.into_iter().any(|t| t.fact(name) == *key)
                    && self.crates.contains_key(name)
                    && !entries.contains_key(name)
            }
            _ => false,
        })
    }

    /// Notes every root entry a crate manifest Trellis writes refers to.
    pub(crate) fn require_inherited(&self, doc: &Table) {
        for (_, table) in DepTable::every(doc) {
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

    /// Whether an edge on `name` is written `workspace = true`: where the root has an entry
    /// for it, or where the root pins its dependencies in `[workspace.dependencies]` (members
    /// as path entries for an internal edge, registry crates for an external one), in which
    /// case the entry is added to the root too.
    pub(crate) fn inherits(&self, name: &str, member: bool) -> bool {
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
    pub(crate) fn on_member(&self, key: &str, item: &Item) -> bool {
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
    pub(crate) fn full_entry(&self, dir: &str, name: &str, member: bool) -> Item {
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

/// Whether the manifest's text has an edge in `table` on package `name`, in any form.
fn has_edge(doc: &Table, table: DepTable, name: &str, ws: &Workspace<'_>) -> bool {
    table
        .tables(doc)
        .iter()
        .any(|(_, t)| t.iter().any(|(k, item)| ws.package_of_entry(k, item) == name))
}

/// An edge a rendered crate manifest states.
pub(crate) struct Edge {
    /// The table it is in.
    pub(crate) table: DepTable,
    /// Its key.
    pub(crate) key: String,
    /// Whether it is on a member: a key may name a member and an external crate alike (cargo
    /// keys dependencies per manifest), the render says which, by a path or by the root's
    /// entry it inherits.
    pub(crate) member: bool,
}

impl Edge {
    /// The key of the fact that the crate has this edge.
    pub(crate) fn fact(&self) -> KeyPath {
        self.table.fact(&self.key)
    }
}

/// The edges a rendered crate manifest states.
pub(crate) fn edges(doc: &Table, ws: &Workspace<'_>) -> Vec<Edge> {
    let mut out = Vec::new();
    for table in DepTable::ALL {
        if let Some(t) = table.rendered(doc) {
            out.extend(t.iter().map(|(k, item)| Edge {
                table,
                key: k.to_owned(),
                member: ws.on_member(k, item),
            }));
        }
    }
    out
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
    for edge in edges(doc.as_table(), ws) {
        if ws.inherits(&edge.key, edge.member) {
            continue;
        }
        let entry = ws.full_entry(dir, &edge.key, edge.member);
        if let Some(t) = doc.get_mut(edge.table.name()).and_then(Item::as_table_like_mut) {
            t.insert(&edge.key, entry);
        }
    }
    doc
}

/// Whether an item is `{ workspace = true }`, in any of its spellings.
pub(crate) fn is_inherited(item: &Item) -> bool {
    item.as_table_like()
        .is_some_and(|t| t.len() == 1 && t.get("workspace").and_then(Item::as_bool) == Some(true))
}
