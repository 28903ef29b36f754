//! Where a finding is, as the reports CI reads name it: a path relative to the workspace root
//! (findings name files relative to where the command ran), a line (every finding has one:
//! the first of its file when it underlines nothing), and the crate it is about.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Document, Item, Table};
use trellis_spec::{Diagnostic, SPEC_FILE, Spec};

use crate::{Names, Workspace};

/// What the reports CI reads need beside the findings: how the findings' file names relate to
/// the workspace root, which file is the spec, and each crate's folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// What the findings' file names put before a path relative to the workspace root
    /// ([`Names::root`]: `""`, `../..`, `shop`).
    pub root: String,
    /// The spec file as the findings name it ([`Names::spec_file`]); a finding with no file is
    /// placed at its first line. Empty means `Trellis.toml` at the root.
    pub spec_file: String,
    /// Each crate's name and folder relative to the workspace root (`/`-separated, `.` for the
    /// root): the spec's crates in spec order, then the members' folders the spec does not
    /// give (a member the spec lacks, or one that lives elsewhere than its `path`).
    pub crates: Vec<(String, String)>,
}

impl Layout {
    /// The layout of a check that named its files with `names`, of `spec` against `workspace`.
    pub(crate) fn new(names: Names<'_>, spec: &Spec, workspace: &Workspace) -> Layout {
        let mut crates: Vec<(String, String)> =
            spec.crates.iter().map(|c| (c.name.to_string(), c.path.clone())).collect();
        for member in &workspace.members {
            if !crates.iter().any(|(name, dir)| *name == member.name && *dir == member.dir) {
                crates.push((member.name.clone(), member.dir.clone()));
            }
        }
        Layout { root: names.root.to_owned(), spec_file: names.spec_file.to_owned(), crates }
    }

    /// The spec file as the findings name it.
    fn spec_file(&self) -> &str {
        if self.spec_file.is_empty() { SPEC_FILE } else { &self.spec_file }
    }

    /// A file named as the findings name it, relative to the workspace root with `/` between
    /// folders; a file outside the root keeps its name (then absolute, as the engine shows it).
    pub(crate) fn relative(&self, shown: &str) -> String {
        let shown = shown.replace('\\', "/");
        let root = self.root.replace('\\', "/");
        let root = root.trim_end_matches('/');
        let relative = if root.is_empty() || root == "." {
            shown.as_str()
        } else {
            shown.strip_prefix(root).and_then(|rest| rest.strip_prefix('/')).unwrap_or(&shown)
        };
        relative.trim_start_matches("./").to_owned()
    }
}

/// Where one finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The file, relative to the workspace root (`/`-separated), or absolute when it lies
    /// outside.
    pub(crate) file: String,
    /// 1-based; 1 when the finding underlines nothing.
    pub(crate) line: usize,
    /// 1-based, in characters, when known.
    pub(crate) column: Option<usize>,
    /// The line and column just past the underlined text, when known.
    pub(crate) end: Option<(usize, usize)>,
}

impl Place {
    /// Whether [`Place::file`] is absolute (`/x`, `C:/x`): outside the workspace.
    pub(crate) fn is_absolute(&self) -> bool {
        let bytes = self.file.as_bytes();
        self.file.starts_with('/')
            || (bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/")
    }
}

/// Every finding's place, in order. A finding without a file is placed at the spec's first
/// line (`check` reports nothing that has no file: a missing crate is underlined in the spec,
/// an edge in its manifest), one without a span at its file's first line.
pub(crate) fn places(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
) -> Vec<Place> {
    let indexed = super::indexed(sources);
    diagnostics
        .iter()
        .map(|d| {
            let shown = d.file.as_deref().unwrap_or(layout.spec_file());
            let source = d.file.as_deref().and_then(|f| indexed.get(f));
            let span = source.zip(d.primary.as_ref()).map(|(source, label)| {
                (source.line_col(label.span.start), source.line_col(label.span.end))
            });
            Place {
                file: layout.relative(shown),
                line: span.map_or(1, |(start, _)| start.0),
                column: span.map(|(start, _)| start.1),
                end: span.map(|(_, end)| end),
            }
        })
        .collect()
}

/// The crate each finding is about, by its place: a file in a crate's folder (the deepest
/// folder that holds it), or a span inside a crate's table of the spec; `None` for the rest
/// (an `[[allow]]` entry, a file outside every crate).
pub(crate) fn crates_of<'a>(
    diagnostics: &[Diagnostic],
    places: &[Place],
    sources: &BTreeMap<String, String>,
    layout: &'a Layout,
) -> Vec<Option<&'a str>> {
    let spec = layout.relative(layout.spec_file());
    let tables = sources.get(layout.spec_file()).map(|text| crate_tables(text)).unwrap_or_default();
    let by_folder = |file: &str| {
        layout
            .crates
            .iter()
            .filter_map(|(name, folder)| {
                let folder = folder.trim_end_matches('/');
                if folder == "." || folder.is_empty() {
                    return Some((0, name.as_str()));
                }
                let inside = file.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'));
                inside.then_some((folder.len(), name.as_str()))
            })
            .max_by_key(|(depth, _)| *depth)
            .map(|(_, name)| name)
    };
    diagnostics
        .iter()
        .zip(places)
        .map(|(d, place)| {
            if place.file == spec {
                let at = d.primary.as_ref()?.span.start;
                let name = tables.iter().find(|(_, range)| range.contains(&at))?.0.as_str();
                layout.crates.iter().find(|(n, _)| n == name).map(|(n, _)| n.as_str())
            } else {
                by_folder(&place.file)
            }
        })
        .collect()
}

/// Each `[crates.<name>]` of a spec text with the byte range it covers: its header and every
/// key and value under it (a `[[crates.x.requirements]]` further down included).
fn crate_tables(text: &str) -> Vec<(String, Range<usize>)> {
    let Ok(doc) = Document::parse(text) else { return Vec::new() };
    let Some(crates) = doc.as_table().get("crates").and_then(Item::as_table_like) else {
        return Vec::new();
    };
    crates
        .iter()
        .filter_map(|(name, item)| {
            let mut range: Option<Range<usize>> = None;
            if let Some((key, _)) = crates.get_key_value(name) {
                widen(&mut range, key.span());
            }
            item_spans(item, &mut range);
            Some((name.to_owned(), range?))
        })
        .collect()
}

/// Widens `range` to cover every span under `item`.
fn item_spans(item: &Item, range: &mut Option<Range<usize>>) {
    match item {
        Item::None => {}
        Item::Value(value) => widen(range, value.span()),
        Item::Table(table) => table_spans(table, range),
        Item::ArrayOfTables(array) => {
            widen(range, array.span());
            for table in array.iter() {
                table_spans(table, range);
            }
        }
    }
}

fn table_spans(table: &Table, range: &mut Option<Range<usize>>) {
    widen(range, table.span());
    for (key, item) in table.iter() {
        if let Some((key, _)) = table.get_key_value(key) {
            widen(range, key.span());
        }
        item_spans(item, range);
    }
}

fn widen(range: &mut Option<Range<usize>>, span: Option<Range<usize>>) {
    let Some(span) = span else { return };
    *range = Some(match range.take() {
        Some(r) => r.start.min(span.start)..r.end.max(span.end),
        None => span,
    });
}
