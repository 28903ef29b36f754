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

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use toml_edit::{Array, DocumentMut, InlineTable, Item, Key, Table, TableLike, Value};

use crate::facts::{CargoFacts, LazyFacts};
use crate::ledger::{KeyPath, dotted, short_hash};
use trellis_spec::EdgeKind;

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
    fn facts(&self) -> Option<&CargoFacts> {
        self.facts.get()
    }

    /// The folder `dir` had before this run's moves: where cargo's facts know it.
    fn before_moves<'d>(&'d self, dir: &'d str) -> &'d str {
        self.moved.iter().find(|(_, to)| *to == dir).map_or(dir, |(from, _)| from.as_str())
    }

    /// Whether the member in folder `old_dir` (before this run's moves) has an edge of `kind`
    /// on `name` (a crate of the spec, or an external dependency), in any form. Cargo's facts
    /// decide where they know the member: an edge on a crate is one whose path leads to its
    /// folder, one on an external crate (or a crate's release) one on its package. Else the
    /// text of `doc` decides.
    fn has_edge(&self, doc: &Table, old_dir: &str, kind: &str, name: &str, member: bool) -> bool {
        let package = self.package_of(name, member);
        let Some(facts) = self.facts().and_then(|f| f.package(old_dir)) else {
            return has_edge(doc, kind, &package, self);
        };
        let kind = edge_kind(kind);
        // (A crate renamed in this run had its old name when cargo read the manifests.)
        let was = self.renamed.iter().find(|(_, to)| **to == package).map(|(from, _)| from);
        // A key naming a crate of the spec may be an edge on another package (its release
        // from the registry, or an external crate of the same key): the render says which.
        match self.crates.get(name).filter(|_| member) {
            Some(dir) => {
                let dir = self.before_moves(dir);
                facts.has_dep(kind, |d| d.path.as_deref() == Some(dir))
            }
            None => facts.has_dep(kind, |d| d.package == package || Some(&d.package) == was),
        }
    }

    /// Whether cargo's facts say the package in `old_dir` has the feature `name` though its
    /// manifest's `[features]` does not list it: the implicit feature of an optional
    /// dependency that no feature names with `dep:`. Writing it out as `name = []` would take
    /// the dependency's feature away (cargo then refuses the manifest).
    fn has_implicit_feature(&self, doc: &Table, old_dir: &str, name: &str) -> bool {
        let listed =
            doc.get("features").and_then(Item::as_table_like).is_some_and(|t| t.contains_key(name));
        !listed
            && self
                .facts()
                .and_then(|f| f.package(old_dir))
                .is_some_and(|p| p.features.contains_key(name))
    }

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

    /// The package a key of the render is on, where the render's edge itself is not at hand:
    /// a crate of the spec unless the rendered root pins that key without a path (a release
    /// of the crate, or an external crate that shares its key).
    fn package_of_key(&self, key: &str) -> String {
        let pinned = get_item(self.rendered_root, &path(&["workspace", "dependencies", key]))
            .is_some_and(|item| item.as_table_like().is_none_or(|t| !t.contains_key("path")));
        self.package_of(key, self.crates.contains_key(key) && !pinned)
    }

    /// The package a member's entry is on: its `package`, or, for an entry that inherits
    /// (`first.workspace = true`), the package of the root's entry it inherits.
    fn package_of_entry<'i>(&'i self, key: &'i str, item: &'i Item) -> &'i str {
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

/// The kind of edge a dependency table holds, by the render's spelling of its name.
fn edge_kind(kind: &str) -> EdgeKind {
    EdgeKind::ALL.into_iter().find(|k| k.manifest_section() == kind).unwrap_or(EdgeKind::Normal)
}

/// Whether the manifest's text has an edge of `kind` on package `name`, in any form.
fn has_edge(doc: &Table, kind: &str, name: &str, ws: &Workspace<'_>) -> bool {
    kind_tables(doc, kind)
        .iter()
        .any(|(_, t)| t.iter().any(|(k, item)| ws.package_of_entry(k, item) == name))
}

/// Where a crate's own entry of `kind` on `key` (a key of the render) is: the top-level table,
/// in whichever spelling the file has, under that key, or else under the key of an entry on
/// the same package (a renamed crate's dependents keep their key, see [`follow_entries`]).
fn entry_path(doc: &Table, kind: &str, key: &str, ws: &Workspace<'_>) -> KeyPath {
    let spellings = KINDS.iter().find(|(k, _)| *k == kind).map_or(&[][..], |(_, s)| *s);
    let package = ws.package_of_key(key);
    let by_package = || {
        spellings.iter().find_map(|s| {
            let table = doc.get(s)?.as_table_like()?;
            let (k, _) = table.iter().find(|(k, item)| ws.package_of_entry(k, item) == package)?;
            Some(path(&[s, k]))
        })
    };
    spellings
        .iter()
        .map(|s| path(&[s, key]))
        .find(|p| get_item(doc, p).is_some())
        .or_else(by_package)
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
    out.conflicts.extend(follow_member(cur.as_table_mut(), dir, old_dir, ws));
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
        if ws.has_implicit_feature(cur.as_table(), old_dir, &p[1]) {
            continue;
        }
        // (Removing the last feature Trellis wrote removes the table with it.)
        if get_item(new.as_table(), p).is_some() && !cur.contains_key("features") {
            cur.insert("features", Item::Table(Table::new()));
        }
        // A feature that goes while another of the person's turns it on would leave that one
        // naming nothing: what it turns on instead is the person's to decide.
        let goes = get_item(new.as_table(), p).is_none()
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
        value_fact(cur.as_table_mut(), new.as_table(), p, true, policy, &mut out);
    }
    // Features of other crates the spec drops, which this manifest turns on.
    for (at, what) in dropped_feature_refs(cur.as_table(), ws, false) {
        out.conflicts.push(format!("{} (turns on {what}, which the spec drops)", dotted(&at)));
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
        // A renamed crate's entry, its key kept, is the new name's.
        if ws
            .renamed
            .get(name)
            .is_some_and(|to| wanted.iter().any(|(k, n, _)| k == kind && n == to))
        {
            continue;
        }
        let at = entry_path(cur.as_table(), kind, name, ws);
        if get_item(cur.as_table(), &at).is_none_or(|item| canon_hash(item) != *base_hash) {
            continue;
        }
        // A person's feature naming the dependency (`dep:x`, `x/feat`) would name nothing
        // once it goes, unless another entry keeps the key.
        let key = at.last().expect("an entry has a key");
        let kept = KINDS
            .iter()
            .flat_map(|(kind, _)| kind_tables(cur.as_table(), kind))
            .any(|(table, t)| t.contains_key(key) && at[..at.len() - 1] != table[..]);
        let naming = if kept { Vec::new() } else { naming(cur.as_table(), key, true) };
        if naming.is_empty() {
            remove_entry(cur.as_table_mut(), &at);
        }
        for named in naming {
            let why = format!("names `{key}`, the dependency the spec drops");
            out.conflict(format!("{named} ({why})"), p, policy);
        }
    }
    for (kind, name, member) in wanted {
        let p = path(&[kind, &name]);
        if ws.has_edge(cur.as_table(), old_dir, kind, &name, member) {
            // Trellis' own entry stays its own, under a new name too.
            let was = ws.renamed.iter().find(|(_, to)| **to == name).map(|(from, _)| from);
            let owned = policy.base.contains_key(&p)
                || was.is_some_and(|from| policy.base.contains_key(&path(&[kind, from])));
            if owned
                && let Some(item) =
                    get_item(cur.as_table(), &entry_path(cur.as_table(), kind, &name, ws))
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
fn dropped_feature_refs(doc: &Table, ws: &Workspace<'_>, root: bool) -> Vec<(KeyPath, String)> {
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
        KINDS.iter().flat_map(|(kind, _)| kind_tables(doc, kind)).collect()
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
    for (at, what) in dropped_feature_refs(cur.as_table(), ws, true) {
        out.conflicts.push(format!("{} (turns on {what}, which the spec drops)", dotted(&at)));
    }
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
                remove_entry(cur.as_table_mut(), &at);
            }
        }
    }

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
    for member in &wanted_members {
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

    out.absorb(add_needed(cur, new, ws, policy));
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
            && let Some(item) = get_item(cur.as_table(), &root_entry(cur.as_table(), name, ws))
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
        pin_fact(cur.as_table_mut(), &at, &fact, wanted, policy, &mut out);
    }
    out
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
fn root_entry(doc: &Table, name: &str, ws: &Workspace<'_>) -> KeyPath {
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

/// The manifest of a member the spec does not declare (in `dir`), with this run's renames and
/// moves followed, and the keys that cannot be (see [`follow_member`]).
pub(crate) fn follow_other(
    text: &str,
    dir: &str,
    ws: &Workspace<'_>,
) -> Option<(String, Vec<String>)> {
    let original: DocumentMut = text.parse().ok()?;
    let mut doc = original.clone();
    let stuck = follow_member(doc.as_table_mut(), dir, dir, ws);
    Some((carry_over(text, &original.to_string(), &doc.to_string()), stuck))
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
        || KINDS.iter().any(|(kind, _)| {
            kind_tables(doc.as_table(), kind).into_iter().any(|(_, t)| on_renamed(t))
        })
}

/// Renames and moves, followed in a crate manifest: an entry on a renamed crate names the new
/// package, its key kept (see [`follow_entries`]), and a `path` that led to a moved folder (or
/// that this crate's own move would break) leads there again, and so does every other
/// relative path of a crate that moves (see [`follow_own_paths`]). Each value changes in
/// place. Returns what cannot be followed, as conflicts.
fn follow_member(doc: &mut Table, dir: &str, old_dir: &str, ws: &Workspace<'_>) -> Vec<String> {
    if ws.renamed.is_empty() && ws.moved.is_empty() {
        return Vec::new();
    }
    let mut stuck = Vec::new();
    for (kind, _) in KINDS {
        let tables: Vec<KeyPath> = kind_tables(doc, kind).into_iter().map(|(p, _)| p).collect();
        for p in tables {
            if let Some(table) = get_item_mut(doc, &p) {
                stuck.extend(follow_entries(table, dir, old_dir, ws).into_iter().map(|key| {
                    let mut at = p.clone();
                    at.extend([key, "path".to_owned()]);
                    moved_away(&at)
                }));
            }
        }
    }
    if dir != old_dir {
        stuck.extend(follow_own_paths(doc, dir, old_dir).iter().map(|at| moved_away(at)));
    }
    stuck
}

fn moved_away(at: &[String]) -> String {
    format!("{} (a relative path this crate's move cannot keep leading where it led)", dotted(at))
}

/// The `[package]` keys whose value is a path cargo reads from the manifest's folder (each
/// may also be `true`, or inherited: then it is no path).
const PACKAGE_PATHS: [&str; 4] = ["workspace", "readme", "license-file", "build"];

/// The arrays of targets, each of which may name its source by `path`.
const TARGET_ARRAYS: [&str; 4] = ["bin", "example", "test", "bench"];

/// A crate that moves from `old_dir` to `dir`: every relative path of its manifest besides
/// dependencies (the package's, each target's) keeps leading where it led (see
/// [`follow_path`]). Returns the keys it cannot follow.
fn follow_own_paths(doc: &mut Table, dir: &str, old_dir: &str) -> Vec<KeyPath> {
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
const ABOVE_ROOT: &str = "\u{0}0/\u{0}1/\u{0}2/\u{0}3/\u{0}4/\u{0}5/\u{0}6/\u{0}7";

/// A relative path read from the folder `old_dir`, made to lead where it led when read from
/// `dir`: a path inside the old folder moves with it (its text stays), one that leaves it is
/// written anew from the new folder, quoting kept. `false` when that cannot be said (a path
/// climbing above the stand-ins for the folders over the root); an absolute path, or a value
/// that is no string, is left alone.
fn follow_path(slot: &mut Value, dir: &str, old_dir: &str) -> bool {
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

/// Follows moves (old folder → new folder) in a `members` or `default-members` array: each
/// line that named a moved folder names the new one, written in the style of the old
/// (`styled_like`, quoting kept). In place where the array is not sorted, or where the new
/// folder keeps it sorted; in a sorted array the element otherwise moves to its sorted place
/// ([`move_element`]), so that the array stays sorted and later members keep joining in
/// order.
fn follow_elements(array: &mut Array, moved: &BTreeMap<String, String>) {
    let sorted = is_sorted_array(array);
    // The elements followed already: a folder may move to where another one moved from.
    let mut done = vec![false; array.len()];
    loop {
        let next = (0..array.len()).find(|&i| {
            !done[i]
                && array
                    .get(i)
                    .and_then(Value::as_str)
                    .is_some_and(|s| moved.contains_key(clean(s)))
        });
        let Some(i) = next else { break };
        let Some(was) = array.get(i).and_then(Value::as_str).map(str::to_owned) else { break };
        let to = styled_like(&was, moved[clean(&was)].clone());
        let text = |at: usize| array.get(at).and_then(Value::as_str);
        let fits = !sorted
            || (i.checked_sub(1).and_then(text).is_none_or(|prev| prev <= to.as_str())
                && text(i + 1).is_none_or(|next| to.as_str() <= next));
        let element = array.get_mut(i).expect("found above");
        set_str(element, &to);
        if fits {
            done[i] = true;
            continue;
        }
        let value = array.get(i).cloned().expect("found above");
        let at = move_element(array, i, value);
        done.remove(i);
        done.insert(at, true);
    }
}

/// Follows renames and moves in one dependency table.
///
/// An entry on a renamed crate keeps its key, the name the dependent's code knows the crate
/// by, and names the new package (`old = { package = "new", … }`, cargo's form for exactly
/// this), so the dependents build without a source edit, and `[features]` that name the key
/// stay right. An entry that inherits (`old.workspace = true`) cannot say `package`: it
/// follows the root's entry, which keeps its key the same way.
fn follow_entries(table: &mut Item, dir: &str, old_dir: &str, ws: &Workspace<'_>) -> Vec<String> {
    let mut stuck = Vec::new();
    let Some(entries) = table.as_table_like_mut() else { return stuck };
    for (key, entry) in entries.iter_mut() {
        let literal = literal_strings(entry);
        if let Some(fields) = entry.as_table_like_mut()
            && let Some(Item::Value(p)) = fields.get_mut("path")
        {
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
        let package = package_of(key.get(), entry).to_owned();
        let Some(to) = ws.renamed.get(&package) else { continue };
        // A bare version requirement is on a registry's package, not on the member.
        let Some(fields) = entry.as_table_like_mut() else { continue };
        if let Some(Item::Value(p)) = fields.get_mut("package") {
            set_str(p, to);
        } else if fields.get("workspace").and_then(Item::as_bool) != Some(true) {
            add_package(entry, to, literal);
        }
    }
    stuck
}

/// Whether an entry's strings are literal (`'…'`): a value added to it is quoted so too.
fn literal_strings(entry: &Item) -> bool {
    entry.as_table_like().is_some_and(|t| {
        t.iter().any(|(_, v)| match v.as_value() {
            Some(Value::String(f)) => f
                .as_repr()
                .and_then(|r| r.as_raw().as_str())
                .is_some_and(|raw| raw.starts_with('\'')),
            _ => false,
        })
    })
}

/// Adds `package = "<to>"` last to an entry, spaced and quoted as its other keys are: an
/// inline table's closing space stays before its `}`.
fn add_package(entry: &mut Item, to: &str, literal: bool) {
    let mut value = Value::from(to);
    if literal
        && !to.contains(['\'', '\n', '\r'])
        && let Ok(v) = format!("'{to}'").parse::<Value>()
    {
        value = v;
    }
    if let Item::Value(Value::InlineTable(t)) = entry {
        if let Some((_, last)) = t.iter_mut().last() {
            let suffix = last.decor().suffix().and_then(|s| s.as_str()).unwrap_or("").to_owned();
            last.decor_mut().set_suffix("");
            value.decor_mut().set_prefix(" ");
            value.decor_mut().set_suffix(suffix);
        }
        t.insert("package", value);
    } else if let Some(t) = entry.as_table_like_mut() {
        t.insert("package", Item::Value(value));
    }
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
            let was = p.as_str().unwrap_or_default().to_owned();
            set_str(p, &styled_like(&was, relative("", to)));
        }
    }
}

/// A path written anew, in the style of the one it replaces: a leading `./` and a trailing `/`
/// stay where the person wrote them.
fn styled_like(was: &str, mut new: String) -> String {
    if was.starts_with("./") && !new.starts_with('.') {
        new.insert_str(0, "./");
    }
    if was.len() > 1 && was.ends_with('/') && !new.ends_with('/') {
        new.push('/');
    }
    new
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

/// Whether an array's elements are strings in plain string order (an empty array is): the
/// order `cargo new` keeps, and the one a person who sorted the array keeps.
fn is_sorted_array(array: &Array) -> bool {
    let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
    strs.len() == array.len() && is_sorted(strs.iter().copied())
}

/// Adds `member` to an array (`members`) as `cargo new` would: in order when the array is
/// sorted, else at the end, with the layout of the elements already there (see
/// [`insert_value`]).
fn insert_element(array: &mut Array, member: &str) {
    insert_value(array, Value::from(member));
}

/// Adds a string to an array in order when the array is sorted (plain string order), else at
/// the end, with the layout of the elements already there: one element a line, indented as
/// they are, or on one line, spaced as they are. Every comment stays on the line it was written
/// on: one that ends an element's line stays after that element, one above an element stays
/// above it, one before the closing bracket stays before it. Returns where it went.
fn insert_value(array: &mut Array, value: Value) -> usize {
    let sorted = is_sorted_array(array);
    let index = match value.as_str() {
        Some(text) if sorted => {
            let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
            strs.partition_point(|s| *s < text)
        }
        _ => array.len(),
    };
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
    let mut value = value;
    value.decor_mut().clear();
    array.insert_formatted(index, value);
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
    index
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
    remove_at(array, index, false);
}

/// Removes element `index` of an array, joining what stood around it. One element a line:
/// what ended the line before stays, comment lines above the removed element stay, and a
/// comment that ended its own line becomes a line of its own, unless `carry`: then it is
/// returned (with the line break after it) for the element to take along, and left out.
fn remove_at(array: &mut Array, index: usize, carry: bool) -> Option<String> {
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
    let mut carried = None;
    let joined = match (split_gap(&before), split_gap(&after)) {
        (Some((ends_before, above)), Some((ends_removed, rest))) => {
            let mut comment = ends_removed.trim();
            if carry && !comment.is_empty() {
                carried = Some(ends_removed.to_owned());
                comment = "";
            }
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
    carried
}

/// Moves element `from` of a sorted array to its sorted place as `value` (a crate's folder
/// that moved), as a person would move the line: the element's line goes, with a comment that
/// ended it, and joins where [`insert_value`] puts a new element; comment lines above it stay
/// where they were, as when an element is removed. Where the comment cannot go along (a line
/// of the array that holds more than one element), it stays behind on a line of its own.
fn move_element(array: &mut Array, from: usize, value: Value) -> usize {
    let mut moved = array.clone();
    let comment = remove_at(&mut moved, from, true);
    let to = insert_value(&mut moved, value.clone());
    if comment.is_none_or(|comment| end_line_with(&mut moved, to, &comment)) {
        *array = moved;
        return to;
    }
    remove_at(array, from, false);
    insert_value(array, value)
}

/// Ends the line of element `index` (one element a line) with `comment` (its text through the
/// line break), where that line ends with nothing else; `false` where it cannot.
fn end_line_with(array: &mut Array, index: usize, comment: &str) -> bool {
    let last = index + 1 == array.len();
    let gap = if last {
        let suffix = array.get(index).and_then(|v| v.decor().suffix()?.as_str()).unwrap_or("");
        format!("{suffix}{}", array.trailing().as_str().unwrap_or(""))
    } else {
        array.get(index + 1).map(prefix_of).unwrap_or_default()
    };
    let Some((ends, rest)) = split_gap(&gap) else { return false };
    if !ends.trim().is_empty() {
        return false;
    }
    let gap = format!("{comment}{rest}");
    if last {
        if let Some(v) = array.get_mut(index) {
            v.decor_mut().set_suffix("");
        }
        array.set_trailing(gap);
    } else if let Some(next) = array.get_mut(index + 1) {
        next.decor_mut().set_prefix(gap);
    }
    true
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
