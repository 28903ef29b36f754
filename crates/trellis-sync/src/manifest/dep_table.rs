//! A crate manifest's dependency tables, by kind: as cargo's `toml_mut::DepTable`, keyed by
//! [`EdgeKind`], with what the merge does to one entry (find it in any form, insert one in the
//! table's style, rename one in place, remove one).

use toml_edit::{InlineTable, Item, Table, TableLike, Value};
use trellis_spec::EdgeKind;

use super::document::{body_lines, canon_hash, get_item, is_sorted, remove_leaf, set_str};
use super::path;
use super::workspace::Workspace;
use crate::ledger::KeyPath;

/// The dependency tables of one kind ([`EdgeKind`]) in a crate manifest, wherever cargo reads
/// them: the top-level table, in any of its spellings, and each `[target.<cfg>.<kind>]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DepTable(pub(crate) EdgeKind);

impl DepTable {
    /// Every kind, normal first.
    pub(crate) const ALL: [DepTable; 3] =
        [DepTable(EdgeKind::Normal), DepTable(EdgeKind::Dev), DepTable(EdgeKind::Build)];

    /// The table's name as a render spells it (`dev-dependencies`), the first key of its facts.
    pub(crate) fn name(self) -> &'static str {
        self.0.manifest_section()
    }

    /// Every name cargo reads the table under: the underscore spellings are cargo's older
    /// aliases, still accepted.
    pub(crate) fn spellings(self) -> &'static [&'static str] {
        match self.0 {
            EdgeKind::Normal => &["dependencies"],
            EdgeKind::Dev => &["dev-dependencies", "dev_dependencies"],
            EdgeKind::Build => &["build-dependencies", "build_dependencies"],
        }
    }

    /// The key of the fact that the crate has the edge keyed `key` (`["dependencies", key]`).
    pub(crate) fn fact(self, key: &str) -> KeyPath {
        path(&[self.name(), key])
    }

    /// The table and the entry's key of an edge's fact ([`DepTable::fact`]); `None` for any
    /// other fact.
    pub(crate) fn of_fact(fact: &KeyPath) -> Option<(DepTable, &str)> {
        let [name, key] = fact.as_slice() else { return None };
        let table = DepTable::ALL.into_iter().find(|t| t.name() == name)?;
        Some((table, key))
    }

    /// The render's own table of this kind (a render spells it one way, at the top level).
    pub(crate) fn rendered(self, doc: &Table) -> Option<&dyn TableLike> {
        doc.get(self.name()).and_then(Item::as_table_like)
    }

    /// Every table of this kind in `doc`, with the key path of each.
    pub(crate) fn tables(self, doc: &Table) -> Vec<(KeyPath, &dyn TableLike)> {
        let spellings = self.spellings();
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

    /// Every dependency table of `doc`, of every kind ([`DepTable::tables`]).
    pub(crate) fn every(doc: &Table) -> Vec<(KeyPath, &dyn TableLike)> {
        DepTable::ALL.into_iter().flat_map(|t| t.tables(doc)).collect()
    }

    /// Where the crate's own entry on `key` (a key of the render) is: the top-level table, in
    /// whichever spelling the file has, under that key, or else under the key of an entry on
    /// the same package (a renamed crate's dependents keep their key, see
    /// `follow::follow_entries`). Where there is none, where it would go.
    pub(crate) fn find(self, doc: &Table, key: &str, ws: &Workspace<'_>) -> KeyPath {
        let spellings = self.spellings();
        let package = ws.package_of_key(key);
        let by_package = || {
            spellings.iter().find_map(|s| {
                let table = doc.get(s)?.as_table_like()?;
                let (k, _) =
                    table.iter().find(|(k, item)| ws.package_of_entry(k, item) == package)?;
                Some(path(&[s, k]))
            })
        };
        spellings
            .iter()
            .map(|s| path(&[s, key]))
            .find(|p| get_item(doc, p).is_some())
            .or_else(by_package)
            .unwrap_or_else(|| self.fact(key))
    }

    /// The crate's own entry on `key`, in any form ([`DepTable::find`]).
    pub(crate) fn get<'d>(self, doc: &'d Table, key: &str, ws: &Workspace<'_>) -> Option<&'d Item> {
        get_item(doc, &self.find(doc, key, ws))
    }

    /// `workspace = true`, in the spelling the table already uses: inline where its entries
    /// are inline tables, else dotted (`name.workspace = true`), as `cargo add` writes it.
    pub(crate) fn inherited_entry(self, doc: &Table) -> Item {
        let inline = self.rendered(doc).is_some_and(|t| {
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

    /// Adds an entry to the crate's top-level table of this kind, in the style the file has:
    /// into the table in whichever spelling it has (created at the end of the file if absent),
    /// in order when the table's keys are sorted, else last, indented as its entries are.
    /// Returns the hash of what it wrote, or why it cannot (the key is taken, the table is not
    /// one).
    pub(crate) fn insert(self, doc: &mut Table, key: &str, entry: Item) -> Result<String, String> {
        let hash = canon_hash(&entry);
        // Into the table the file has, in whichever spelling (`dev_dependencies` too): cargo
        // would read only one of two.
        let kind =
            self.spellings().iter().copied().find(|s| doc.contains_key(s)).unwrap_or(self.name());
        let Some(holder) = doc.get_mut(kind).filter(|i| !i.is_none()) else {
            let mut t = Table::new();
            t.insert(key, entry);
            doc.insert(kind, Item::Table(t));
            return Ok(hash);
        };
        let Some(table) = holder.as_table_like() else {
            return Err(format!("`{kind}` is not a table"));
        };
        if let Some(item) = table.get(key) {
            return Err(format!(
                "the key `{key}` is taken by a dependency on package `{}`",
                package_of(key, item)
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
                t.insert(key, entry);
                if let (Some(indent), Some(mut k)) = (indent, t.key_mut(key)) {
                    k.leaf_decor_mut().set_prefix(indent);
                }
                if sorted {
                    t.sort_values();
                }
            }
            Item::Value(Value::InlineTable(t)) => {
                let Ok(value) = entry.into_value() else {
                    return Err(format!("`{kind}` cannot hold the entry inline"));
                };
                t.insert(key, value);
                if sorted {
                    t.sort_values();
                }
            }
            _ => return Err(format!("`{kind}` is not a table")),
        }
        Ok(hash)
    }

    /// Renames the package an entry is on, in place, its key kept (`old = { package = "new",
    /// … }`, cargo's form for exactly this): an existing `package` changes its value, else one
    /// is added last, spaced and quoted as the entry's other keys are. An entry that is no
    /// table (a bare version requirement, on a registry's package) or that inherits
    /// (`workspace = true`, which cannot say `package`) is left alone.
    pub(crate) fn rename(entry: &mut Item, to: &str) {
        let literal = literal_strings(entry);
        let Some(fields) = entry.as_table_like_mut() else { return };
        if let Some(Item::Value(p)) = fields.get_mut("package") {
            set_str(p, to);
        } else if fields.get("workspace").and_then(Item::as_bool) != Some(true) {
            add_package(entry, to, literal);
        }
    }

    /// Removes the entry at `at`: a dotted one (`b.workspace = true`) leaf by leaf, since its
    /// line's comments hang on its last key; tables it leaves empty go too (see
    /// [`remove_leaf`]).
    pub(crate) fn remove(doc: &mut Table, at: &[String]) {
        let mut leaves = Vec::new();
        if let Some(Item::Table(t)) = get_item(doc, at)
            && t.is_dotted()
        {
            body_lines(t, &mut at.to_vec(), &mut leaves);
        }
        if leaves.is_empty() {
            leaves.push(at.to_vec());
        }
        for leaf in leaves {
            remove_leaf(doc, &leaf);
        }
    }
}

/// The package name a dependency entry refers to: its `package` key, else its own key.
pub(crate) fn package_of<'a>(key: &'a str, item: &'a Item) -> &'a str {
    item.as_table_like().and_then(|t| t.get("package")).and_then(Item::as_str).unwrap_or(key)
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
