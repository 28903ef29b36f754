//! The workspace on disk against its spec: `check` (findings), `graph` (pictures) and `infer`
//! (a spec for a workspace that has none).
//!
//! The data flows one way: `cargo metadata --no-deps`, run once by [`read_metadata`], becomes
//! a [`Workspace`] model; [`compare`] turns a [`Spec`] and that model into [`Diagnostic`]s
//! without any I/O of its own (manifest texts come in through [`Manifests`], read only for
//! members that have a finding to place). [`check_metadata`] wires the steps together; the
//! whole `check` command, the requirements' findings included, is `trellis::check` in the
//! engine's facade crate.

mod actual;
pub mod allowances;
mod cargo;
pub mod codes;
mod compare;
pub mod graph;
pub mod infer;
mod locate;
pub mod report;
pub mod sources;
mod test_run;

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::Path;

pub use cargo_metadata::Metadata;
use trellis_spec::{Diagnostic, Spec};

pub use actual::{Dep, DepSource, Edge, Member, Workspace, XTASK};
pub use cargo::{Cargo, MetadataError, Resolved, read_deep, read_metadata, read_resolved};
pub use compare::{Manifests, Names, Resolve, compare, compare_with, today};
pub use test_run::{TestRunError, kept_results_path, read_kept, run_tests};

pub use trellis_spec::SPEC_FILE;

/// Findings, with the text of every file they point into (for rendering them).
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Every finding, errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// File name (as the diagnostics name it) → text, for the spec and every manifest read.
    pub sources: BTreeMap<String, String>,
    /// What people should hear beside the findings: what could not be checked, and why.
    pub notes: Vec<String>,
    /// Where the test results the requirements were judged by came from (the kept results of
    /// the last `trace --run`, and how old they are, or files), when there were any: the
    /// engine's `check`, which loads them, says.
    pub results: Option<trellis_trace::ResultsFrom>,
    /// How the findings' files relate to the workspace root, and each crate's folder: what the
    /// reports CI reads need ([`Checked::render_as`]). Boxed: a `Checked` travels in errors.
    pub layout: Box<report::Layout>,
}

impl Checked {
    /// Whether any finding is an error (warnings alone pass).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// For people: every finding as rustc renders one, then a summary line (styled, see
    /// [`report::human`]).
    pub fn render(&self) -> String {
        report::human(&self.diagnostics, &self.sources)
    }

    /// For programs: the JSON report (docs/check.md), pretty, with a final newline.
    pub fn json(&self) -> String {
        report::json_text(&self.diagnostics, &self.sources)
    }

    /// The report in `format` (docs/check.md describes each): [`Checked::render`] for
    /// [`Format::Human`](report::Format::Human) (styled, for stderr), [`Checked::json`] for
    /// JSON, and for SARIF, GitHub annotations, JUnit and Markdown a text for stdout (or a
    /// file), which names files relative to the workspace root and carries the notes too
    /// (JUnit excepted). Ends with a newline, unless empty (GitHub annotations of a clean
    /// check).
    pub fn render_as(&self, format: report::Format) -> String {
        let (findings, sources, layout) = (&self.diagnostics, &self.sources, &self.layout);
        match format {
            report::Format::Human => self.render(),
            report::Format::Json => self.json(),
            report::Format::Sarif => report::sarif(findings, sources, layout, &self.notes),
            report::Format::Github => report::github(findings, sources, layout, &self.notes),
            report::Format::Junit => report::junit(findings, sources, layout),
            report::Format::Markdown => report::markdown(findings, sources, layout, &self.notes),
        }
    }
}

/// `check` on metadata already read: builds the model, compares, and reads the manifests of
/// members that have a finding to place.
pub fn check_metadata(
    spec: &Spec,
    spec_text: &str,
    metadata: &Metadata,
    names: Names<'_>,
) -> Checked {
    let workspace = Workspace::from_metadata(metadata);
    check_model(spec, spec_text, &workspace, names)
}

/// `check --deep` on metadata already read: as [`check_metadata`], and every `[[forbid]] uses`
/// rule followed through each path of the resolved graph `metadata` holds (`cargo metadata`
/// with dependencies, as [`read_deep`] reads it). Metadata without a resolve (`--no-deps`)
/// gives what [`check_metadata`] gives.
pub fn check_deep(spec: &Spec, spec_text: &str, metadata: &Metadata, names: Names<'_>) -> Checked {
    let workspace = Workspace::from_metadata(metadata);
    let resolve = Resolve::from_metadata(metadata);
    check_with(spec, spec_text, &workspace, names, resolve.as_ref())
}

/// `check` on a workspace model, reading manifests from disk only where a finding needs one.
pub fn check_model(
    spec: &Spec,
    spec_text: &str,
    workspace: &Workspace,
    names: Names<'_>,
) -> Checked {
    check_with(spec, spec_text, workspace, names, None)
}

/// [`check_model`], and with `deep` (the graph cargo resolved) each `[[forbid]] uses` rule
/// followed through every path of it (`check --deep`).
pub fn check_model_with(
    spec: &Spec,
    spec_text: &str,
    workspace: &Workspace,
    names: Names<'_>,
    deep: Option<&Resolve>,
) -> Checked {
    check_with(spec, spec_text, workspace, names, deep)
}

fn check_with(
    spec: &Spec,
    spec_text: &str,
    workspace: &Workspace,
    names: Names<'_>,
    deep: Option<&Resolve>,
) -> Checked {
    let manifests = DiskManifests::new(workspace);
    let diagnostics = compare_with(spec, workspace, &manifests, names, deep);
    // Said once, beside the findings: a `TRELLIS_TODAY` that is not a date.
    let notes = spec.allow.iter().any(|a| a.until.is_some()).then(|| today().1).flatten();
    let mut sources = BTreeMap::from([(names.spec_file.to_owned(), spec_text.to_owned())]);
    for (manifest, cell) in manifests.cells {
        if let Some(Some(text)) = cell.into_inner() {
            sources.insert(names.file(&manifest), text);
        }
    }
    let layout = Box::new(report::Layout::new(names, spec, workspace));
    Checked { diagnostics, sources, notes: notes.into_iter().collect(), results: None, layout }
}

/// Member manifests read from disk on first use, at most once each.
struct DiskManifests<'a> {
    root: &'a Path,
    cells: BTreeMap<String, OnceCell<Option<String>>>,
}

impl<'a> DiskManifests<'a> {
    fn new(workspace: &'a Workspace) -> DiskManifests<'a> {
        let cells =
            workspace.members.iter().map(|m| (m.manifest.clone(), OnceCell::new())).collect();
        DiskManifests { root: workspace.root.as_std_path(), cells }
    }
}

impl Manifests for DiskManifests<'_> {
    fn text(&self, manifest: &str) -> Option<&str> {
        let cell = self.cells.get(manifest)?;
        cell.get_or_init(|| std::fs::read_to_string(self.root.join(manifest)).ok()).as_deref()
    }

    fn exists(&self, path: &str) -> Option<bool> {
        Some(self.root.join(path).exists())
    }

    fn source(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }
}
