//! `diff --base <rev>`: what a change does to the architecture, against a git revision: crates
//! added, removed or moved between layers, edges added and removed (declared in the spec and
//! actual in cargo's graph, with their dependency kind), requirements added, reworded and
//! removed, and the findings of `check` the change introduces or fixes.
//!
//! The base is read through git's command line (as cargo reads its git sources, and as
//! [`crate::history`] reads the specs applied before), never through the working tree or the
//! index: the base commit's tree is written into a temporary index (`GIT_INDEX_FILE`) and
//! checked out from it into a scratch folder (`git read-tree`, `git checkout-index`), where
//! cargo and `check` read it as they read the workspace. The folder is in memory where the
//! system has one (`/dev/shm`), like the judge's overlay, and is removed when done.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use trellis_check::graph::{self, Graph};
use trellis_spec::graph::{mermaid_id, mermaid_label};
use trellis_spec::{Diagnostic, EdgeKind, Severity, Spec};

use crate::{CheckOptions, Checked, Error, Project, Results};

/// What [`diff`] is asked.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The git revision to compare with: a branch, a tag, a commit, `HEAD~1`, `origin/main`.
    pub base: String,
    /// How the workspace as it stands is checked (the base is checked the same way, without
    /// test results: its code is not the code those results come from).
    pub check: CheckOptions,
}

/// What became of the spec at the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseSpec {
    /// The base has a valid spec.
    Found,
    /// The base has no spec at the spec's path: everything is new.
    Missing,
    /// The base's spec has errors (the first one said): judged as no spec at the base.
    Invalid(String),
}

/// Added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delta {
    /// Only the change has it.
    Added,
    /// Only the base has it.
    Removed,
}

impl Delta {
    /// `added` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Delta::Added => "added",
            Delta::Removed => "removed",
        }
    }
}

/// A crate the change adds, removes or moves to another layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateChange {
    /// The crate's name.
    pub name: String,
    /// `Some` when the crate was added or removed; `None` when it moved between layers.
    pub delta: Option<Delta>,
    /// Its layer at the base (`None`: none, or not there).
    pub from_layer: Option<String>,
    /// Its layer now.
    pub to_layer: Option<String>,
}

/// An edge between crates the change adds or removes, in the spec, in cargo's graph, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeChange {
    /// The dependent.
    pub from: String,
    /// The dependency.
    pub to: String,
    /// The dependency kind.
    pub kind: EdgeKind,
    /// What became of it in the spec (`depends`), if anything.
    pub declared: Option<Delta>,
    /// What became of it in cargo's graph, if anything.
    pub actual: Option<Delta>,
}

/// A requirement the change adds, rewords or removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementChange {
    /// The crate it belongs to.
    pub krate: String,
    /// Its id.
    pub id: String,
    /// Its text at the base (`None` when added).
    pub old: Option<String>,
    /// Its text now (`None` when removed).
    pub new: Option<String>,
}

/// What [`diff`] found.
#[derive(Debug)]
pub struct ArchDiff {
    /// The revision as given.
    pub base: String,
    /// The commit it names, short.
    pub commit: String,
    /// What became of the spec at the base.
    pub base_spec: BaseSpec,
    /// Crates added, removed, moved between layers, by name.
    pub crates: Vec<CrateChange>,
    /// Edges added and removed, by dependent, dependency and kind.
    pub edges: Vec<EdgeChange>,
    /// Requirements added, reworded and removed, by crate and id.
    pub requirements: Vec<RequirementChange>,
    /// The workspace as it stands, checked: every finding, for rendering the new ones.
    pub checked: Checked,
    /// Indices into `checked.diagnostics` of the findings the base does not have.
    pub introduced: Vec<usize>,
    /// How many of `checked.diagnostics` the base has too.
    pub existing: usize,
    /// The base's findings the change fixes.
    pub fixed: Vec<Diagnostic>,
    /// What could not be compared, and why (cargo could not load the base, say).
    pub notes: Vec<String>,
}

impl ArchDiff {
    /// Whether the change introduces an error finding (what `check --base` fails on).
    pub fn introduces_errors(&self) -> bool {
        self.introduced.iter().any(|&i| self.checked.diagnostics[i].severity == Severity::Error)
    }

    /// Whether the change touches the architecture at all.
    pub fn is_empty(&self) -> bool {
        self.crates.is_empty()
            && self.edges.is_empty()
            && self.requirements.is_empty()
            && self.introduced.is_empty()
            && self.fixed.is_empty()
    }

    /// The findings the change introduced, rendered as `check` renders findings.
    pub fn render_introduced(&self) -> String {
        let new: Vec<Diagnostic> =
            self.introduced.iter().map(|&i| self.checked.diagnostics[i].clone()).collect();
        trellis_check::report::human(&new, &self.checked.sources)
    }

    /// For people: one section per kind of change, one line each.
    pub fn human(&self) -> String {
        let mut out = format!("architecture diff against {} ({})\n", self.base, self.commit);
        match &self.base_spec {
            BaseSpec::Found => {}
            BaseSpec::Missing => out.push_str("note: the base has no spec: judged as empty\n"),
            BaseSpec::Invalid(why) => {
                let _ =
                    writeln!(out, "note: the base's spec has errors ({why}): judged as no spec");
            }
        }
        if self.is_empty() {
            out.push_str("no change to the architecture\n");
        }
        for c in &self.crates {
            let _ = writeln!(out, "{}", crate_line(c));
        }
        for e in &self.edges {
            let _ = writeln!(out, "{}", edge_line(e));
        }
        for r in &self.requirements {
            let _ = writeln!(out, "{}", requirement_line(r));
        }
        for &i in &self.introduced {
            let d = &self.checked.diagnostics[i];
            let _ = writeln!(out, "new finding {}: {}", d.code.id, finding_text(d));
        }
        for d in &self.fixed {
            let _ = writeln!(out, "fixed finding {}: {}", d.code.id, finding_text(d));
        }
        if self.existing > 0 {
            let _ = writeln!(out, "{} finding(s) already at the base", self.existing);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }

    /// For programs (docs/check.md, "diff"): pretty JSON with a final newline.
    pub fn json(&self) -> String {
        use serde_json::json;
        let layer = |l: &Option<String>| l.clone().map_or(serde_json::Value::Null, Into::into);
        let value = json!({
            "schema_version": trellis_spec::JSON_SCHEMA_VERSION,
            "base": self.base,
            "commit": self.commit,
            "base_spec": match &self.base_spec {
                BaseSpec::Found => json!({ "status": "found" }),
                BaseSpec::Missing => json!({ "status": "missing" }),
                BaseSpec::Invalid(why) => json!({ "status": "invalid", "error": why }),
            },
            "crates": self.crates.iter().map(|c| json!({
                "name": c.name,
                "change": c.delta.map_or("moved", Delta::as_str),
                "from_layer": layer(&c.from_layer),
                "to_layer": layer(&c.to_layer),
            })).collect::<Vec<_>>(),
            "edges": self.edges.iter().map(|e| json!({
                "from": e.from,
                "to": e.to,
                "kind": kind_str(e.kind),
                "declared": e.declared.map(Delta::as_str),
                "actual": e.actual.map(Delta::as_str),
            })).collect::<Vec<_>>(),
            "requirements": self.requirements.iter().map(|r| json!({
                "crate": r.krate,
                "id": r.id,
                "change": requirement_change(r),
                "old": r.old,
                "new": r.new,
            })).collect::<Vec<_>>(),
            "findings": {
                "introduced": self.introduced.iter().map(|&i| finding_json(&self.checked.diagnostics[i])).collect::<Vec<_>>(),
                "fixed": self.fixed.iter().map(finding_json).collect::<Vec<_>>(),
                "existing": self.existing,
            },
            "notes": self.notes,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// For a pull request's comment: a summary, a Mermaid graph of only the changed part, and
    /// tables of the changes.
    pub fn markdown(&self) -> String {
        let mut out = format!("## Architecture diff against `{}` ({})\n\n", self.base, self.commit);
        match &self.base_spec {
            BaseSpec::Found => {}
            BaseSpec::Missing => out.push_str("> The base has no spec: judged as empty.\n\n"),
            BaseSpec::Invalid(why) => {
                let _ = writeln!(
                    out,
                    "> The base's spec has errors ({}): judged as no spec.\n",
                    md_cell(why)
                );
            }
        }
        if self.is_empty() {
            out.push_str("No change to the architecture.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} crate change(s), {} edge change(s), {} requirement change(s); {} new finding(s), {} fixed, {} already there.\n",
            self.crates.len(),
            self.edges.len(),
            self.requirements.len(),
            self.introduced.len(),
            self.fixed.len(),
            self.existing,
        );
        if !self.crates.is_empty() || !self.edges.is_empty() {
            out.push_str("```mermaid\n");
            out.push_str(&self.mermaid());
            out.push_str("```\n\n");
        }
        if !self.crates.is_empty() {
            out.push_str("| crate | change | layer |\n|---|---|---|\n");
            for c in &self.crates {
                let layers = match (&c.from_layer, &c.to_layer) {
                    (Some(a), Some(b)) if a != b => format!("{} → {}", md_cell(a), md_cell(b)),
                    (a, b) => md_cell(b.as_deref().or(a.as_deref()).unwrap_or("")),
                };
                let change = c.delta.map_or("moved", Delta::as_str);
                let _ = writeln!(out, "| `{}` | {change} | {layers} |", c.name);
            }
            out.push('\n');
        }
        if !self.edges.is_empty() {
            out.push_str("| edge | kind | in the spec | in cargo's graph |\n|---|---|---|---|\n");
            for e in &self.edges {
                let side = |d: Option<Delta>| d.map_or("", Delta::as_str);
                let _ = writeln!(
                    out,
                    "| `{}` → `{}` | {} | {} | {} |",
                    e.from,
                    e.to,
                    kind_str(e.kind),
                    side(e.declared),
                    side(e.actual)
                );
            }
            out.push('\n');
        }
        if !self.requirements.is_empty() {
            out.push_str("| requirement | crate | change | text |\n|---|---|---|---|\n");
            for r in &self.requirements {
                let text = r.new.as_deref().or(r.old.as_deref()).unwrap_or("");
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    md_cell(&r.id),
                    r.krate,
                    requirement_change(r),
                    md_cell(text)
                );
            }
            out.push('\n');
        }
        if !self.introduced.is_empty() || !self.fixed.is_empty() {
            out.push_str("| finding | code | where | what |\n|---|---|---|---|\n");
            let rows = self
                .introduced
                .iter()
                .map(|&i| ("new", &self.checked.diagnostics[i]))
                .chain(self.fixed.iter().map(|d| ("fixed", d)));
            for (what, d) in rows {
                let _ = writeln!(
                    out,
                    "| {what} | {} | {} | {} |",
                    d.code.id,
                    md_cell(d.file.as_deref().unwrap_or("")),
                    md_cell(&d.message)
                );
            }
            out.push('\n');
        }
        for note in &self.notes {
            let _ = writeln!(out, "> {}\n", md_cell(note));
        }
        out
    }

    /// A Mermaid flowchart of only the changed part: the crates changed or at an end of a
    /// changed edge, and the changed edges, added ones solid, removed ones dotted and red.
    pub fn mermaid(&self) -> String {
        let mut names: BTreeSet<&str> = self.crates.iter().map(|c| c.name.as_str()).collect();
        for e in &self.edges {
            names.insert(&e.from);
            names.insert(&e.to);
        }
        let mut ids: BTreeMap<&str, String> = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for name in &names {
            let base = mermaid_id(name);
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            ids.insert(name, id);
        }
        let mut out = String::from("flowchart TD\n");
        let mut styles = Vec::new();
        for name in &names {
            let change = self.crates.iter().find(|c| c.name == *name);
            let label = match change {
                Some(c) => format!("{name} ({})", c.delta.map_or("moved", Delta::as_str)),
                None => (*name).to_owned(),
            };
            let _ = writeln!(out, "    {}[\"{}\"]", ids[name], mermaid_label(&label));
            if let Some(c) = change {
                styles.push((ids[name].clone(), c.delta));
            }
        }
        let mut link_styles = Vec::new();
        for (n, e) in self.edges.iter().enumerate() {
            let delta = e.declared.or(e.actual).unwrap_or(Delta::Added);
            let label = match e.kind {
                EdgeKind::Normal => delta.as_str().to_owned(),
                kind => format!("{}, {}", kind_str(kind), delta.as_str()),
            };
            let arrow = if delta == Delta::Removed { "-.->" } else { "-->" };
            let _ = writeln!(
                out,
                "    {} {arrow}|{label}| {}",
                ids[e.from.as_str()],
                ids[e.to.as_str()]
            );
            if delta == Delta::Removed {
                link_styles.push(n.to_string());
            }
        }
        for (id, delta) in styles {
            let colour = match delta {
                Some(Delta::Added) => "stroke:#2a2",
                Some(Delta::Removed) => "stroke:#d33,stroke-dasharray:4 4",
                None => "stroke:#e80",
            };
            let _ = writeln!(out, "    style {id} {colour}");
        }
        if !link_styles.is_empty() {
            let _ = writeln!(out, "    linkStyle {} stroke:#d33", link_styles.join(","));
        }
        out
    }
}

/// A dependency kind as cargo's metadata names it: `normal`, `dev`, `build`.
fn kind_str(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "normal",
        EdgeKind::Dev => "dev",
        EdgeKind::Build => "build",
    }
}

fn requirement_change(r: &RequirementChange) -> &'static str {
    match (&r.old, &r.new) {
        (None, _) => "added",
        (_, None) => "removed",
        _ => "reworded",
    }
}

fn crate_line(c: &CrateChange) -> String {
    let layer =
        |l: &Option<String>| l.as_deref().map(|l| format!(" (layer {l})")).unwrap_or_default();
    match c.delta {
        Some(Delta::Added) => format!("crate added: {}{}", c.name, layer(&c.to_layer)),
        Some(Delta::Removed) => format!("crate removed: {}{}", c.name, layer(&c.from_layer)),
        None => format!(
            "crate moved: {} from layer {} to layer {}",
            c.name,
            c.from_layer.as_deref().unwrap_or("(none)"),
            c.to_layer.as_deref().unwrap_or("(none)")
        ),
    }
}

fn edge_line(e: &EdgeChange) -> String {
    let kind = match e.kind {
        EdgeKind::Normal => String::new(),
        kind => format!(" ({})", kind_str(kind)),
    };
    let sides: Vec<String> = [("the spec", e.declared), ("cargo's graph", e.actual)]
        .iter()
        .filter_map(|(side, d)| d.map(|d| format!("{} in {side}", d.as_str())))
        .collect();
    format!("edge {} -> {}{kind}: {}", e.from, e.to, sides.join(", "))
}

fn requirement_line(r: &RequirementChange) -> String {
    match (&r.old, &r.new) {
        (None, Some(text)) => format!("requirement added: {} ({}): {text}", r.id, r.krate),
        (Some(text), None) => format!("requirement removed: {} ({}): {text}", r.id, r.krate),
        (Some(old), Some(new)) => {
            format!("requirement reworded: {} ({}): {old} -> {new}", r.id, r.krate)
        }
        (None, None) => format!("requirement {} ({})", r.id, r.krate),
    }
}

fn finding_text(d: &Diagnostic) -> String {
    match &d.file {
        Some(file) => format!("{} ({file})", d.message),
        None => d.message.clone(),
    }
}

fn finding_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "code": d.code.id.to_owned(),
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "message": d.message,
        "file": d.file,
    })
}

/// A text in a Markdown table's cell: pipes escaped, one line.
fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ").replace('<', "&lt;")
}

/// Compares the workspace at `project` with the git revision `options.base`.
///
/// # Errors
///
/// Input: the workspace is in no git repository, the revision names no commit, the spec
/// as it stands has errors. Environment: git cannot be run, cargo cannot load the workspace
/// as it stands, the base cannot be written out.
pub fn diff(project: &Project, options: &DiffOptions) -> Result<ArchDiff, Error> {
    let root = project.root();
    if !root.is_dir() {
        return Err(Error::input(format!("there is no folder at `{}`", root.display())));
    }
    let repo = Repo::at(root)?;
    let commit = repo.commit(&options.base)?;
    let spec_in_repo = relative_spec(project);
    let tree = BaseTree::write(&repo, &commit)?;
    let base_root = tree.path.join(&repo.prefix);
    let base_spec_path = base_root.join(&spec_in_repo);

    let base_options = CheckOptions { results: Results::None, ..options.check.clone() };
    let base_project = Project::at(&base_root)
        .with_spec(&base_spec_path)
        .shown_as(project.shown_root().to_owned());
    let base_text = fs::read_to_string(&base_spec_path).ok();
    let base_loaded = base_text.as_ref().map(|_| base_project.load());
    let base_spec = match &base_loaded {
        None => BaseSpec::Missing,
        Some(Ok(_)) => BaseSpec::Found,
        Some(Err(e)) => BaseSpec::Invalid(e.to_string().lines().next().unwrap_or("").to_owned()),
    };

    // Both sides at once: each is mostly cargo's time.
    let (now, base) = std::thread::scope(|scope| {
        let base = scope.spawn(|| match &base_spec {
            BaseSpec::Found => crate::inspect::check_with_workspace(&base_project, &base_options)
                .map(|(checked, ws)| (Some(checked), Some(ws))),
            _ => crate::inspect::read_workspace(&base_root).map(|ws| (None, Some(ws))),
        });
        let now = crate::inspect::check_with_workspace(project, &options.check);
        let base = base.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (now, base)
    });
    let (checked, workspace) = now?;
    let loaded = project.load()?;
    let mut notes = Vec::new();
    let (base_checked, base_workspace) = match base {
        Ok(found) => found,
        Err(e) => {
            notes.push(format!(
                "cargo could not load the workspace at the base, so its actual edges and findings are not compared: {}",
                e.to_string().lines().next().unwrap_or("")
            ));
            (None, None)
        }
    };
    let base_model = match (&base_spec, base_loaded) {
        (BaseSpec::Found, Some(Ok(loaded))) => Some(loaded.spec),
        _ => None,
    };

    let crates = crate_changes(base_model.as_ref(), &loaded.spec);
    let declared_now = edge_set(&graph::declared(&loaded.spec));
    let declared_base =
        base_model.as_ref().map(|s| edge_set(&graph::declared(s))).unwrap_or_default();
    let actual_now = edge_set(&graph::actual(&workspace, Some(&loaded.spec)));
    let actual_base =
        base_workspace.as_ref().map(|ws| edge_set(&graph::actual(ws, base_model.as_ref())));
    let edges = edge_changes(&declared_base, &declared_now, actual_base.as_ref(), &actual_now);
    let requirements = requirement_changes(base_model.as_ref(), &loaded.spec);

    let key = |d: &Diagnostic| (d.code.id.to_owned(), d.file.clone(), d.message.clone());
    let base_findings: Vec<Diagnostic> = base_checked.map(|c| c.diagnostics).unwrap_or_default();
    let base_keys: BTreeSet<_> = base_findings.iter().map(key).collect();
    let now_keys: BTreeSet<_> = checked.diagnostics.iter().map(key).collect();
    let introduced: Vec<usize> = checked
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| !base_keys.contains(&key(d)))
        .map(|(i, _)| i)
        .collect();
    let existing = checked.diagnostics.len() - introduced.len();
    let fixed = base_findings.into_iter().filter(|d| !now_keys.contains(&key(d))).collect();
    drop(tree);
    Ok(ArchDiff {
        base: options.base.clone(),
        commit: repo.short(&commit),
        base_spec,
        crates,
        edges,
        requirements,
        checked,
        introduced,
        existing,
        fixed,
        notes,
    })
}

/// The spec's path relative to the workspace root (`Trellis.toml` unless `--spec` said
/// otherwise).
fn relative_spec(project: &Project) -> PathBuf {
    let spec = project.spec_file();
    spec.strip_prefix(project.root()).map(Path::to_path_buf).unwrap_or_else(|_| {
        spec.file_name().map_or_else(|| PathBuf::from(trellis_spec::SPEC_FILE), PathBuf::from)
    })
}

type EdgeKey = (String, String, EdgeKind);

fn edge_set(graph: &Graph) -> BTreeSet<EdgeKey> {
    graph.edges.iter().map(|e| (e.from.clone(), e.to.clone(), e.kind)).collect()
}

fn delta(base: bool, now: bool) -> Option<Delta> {
    match (base, now) {
        (false, true) => Some(Delta::Added),
        (true, false) => Some(Delta::Removed),
        _ => None,
    }
}

/// Per edge either side has, what became of it in the spec and (when the base could be
/// loaded) in cargo's graph.
fn edge_changes(
    declared_base: &BTreeSet<EdgeKey>,
    declared_now: &BTreeSet<EdgeKey>,
    actual_base: Option<&BTreeSet<EdgeKey>>,
    actual_now: &BTreeSet<EdgeKey>,
) -> Vec<EdgeChange> {
    let mut all: BTreeSet<&EdgeKey> = declared_base.union(declared_now).collect();
    if let Some(actual_base) = actual_base {
        all.extend(actual_base.union(actual_now));
    }
    all.into_iter()
        .filter_map(|k| {
            let declared = delta(declared_base.contains(k), declared_now.contains(k));
            let actual = actual_base.and_then(|b| delta(b.contains(k), actual_now.contains(k)));
            (declared.is_some() || actual.is_some()).then(|| EdgeChange {
                from: k.0.clone(),
                to: k.1.clone(),
                kind: k.2,
                declared,
                actual,
            })
        })
        .collect()
}

fn crate_changes(base: Option<&Spec>, now: &Spec) -> Vec<CrateChange> {
    let layers = |spec: Option<&Spec>| -> BTreeMap<String, Option<String>> {
        spec.map(|s| {
            s.crates.iter().map(|c| (c.name.as_str().to_owned(), c.layer.clone())).collect()
        })
        .unwrap_or_default()
    };
    let (before, after) = (layers(base), layers(Some(now)));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let change = |delta, from_layer, to_layer| CrateChange {
                name: name.clone(),
                delta,
                from_layer,
                to_layer,
            };
            match (before.get(name), after.get(name)) {
                (None, Some(to)) => Some(change(Some(Delta::Added), None, to.clone())),
                (Some(from), None) => Some(change(Some(Delta::Removed), from.clone(), None)),
                (Some(from), Some(to)) if from != to => {
                    Some(change(None, from.clone(), to.clone()))
                }
                _ => None,
            }
        })
        .collect()
}

fn requirement_changes(base: Option<&Spec>, now: &Spec) -> Vec<RequirementChange> {
    let texts = |spec: Option<&Spec>| -> BTreeMap<(String, String), String> {
        spec.into_iter()
            .flat_map(|s| &s.crates)
            .flat_map(|c| {
                c.requirements
                    .iter()
                    .map(|r| ((c.name.as_str().to_owned(), r.id.clone()), r.text.clone()))
            })
            .collect()
    };
    let (before, after) = (texts(base), texts(Some(now)));
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (old, new) = (before.get(k), after.get(k));
            (old != new).then(|| RequirementChange {
                krate: k.0.clone(),
                id: k.1.clone(),
                old: old.cloned(),
                new: new.cloned(),
            })
        })
        .collect()
}

/// The git repository around a workspace.
struct Repo {
    /// The repository's top folder.
    top: PathBuf,
    /// The workspace root's path inside it (`""` at the top).
    prefix: PathBuf,
}

impl Repo {
    fn at(root: &Path) -> Result<Repo, Error> {
        let top = git(root, &["rev-parse", "--show-toplevel"], &[]).map_err(|said| match said {
            GitFailure::Missing(e) => Error::env(format!(
                "cannot run `git`: {e}\nhint: `--base` reads the base revision through git: install it, or put it on `PATH`"
            )),
            GitFailure::Said(_) => Error::input(format!(
                "`{}` is not in a git repository, so there is no base revision to compare with\nhint: `--base` needs the workspace to be in a git checkout",
                root.display()
            )),
        })?;
        let prefix = git(root, &["rev-parse", "--show-prefix"], &[]).unwrap_or_default();
        Ok(Repo { top: PathBuf::from(top.trim()), prefix: PathBuf::from(prefix.trim()) })
    }

    /// The full hash of the commit `rev` names.
    fn commit(&self, rev: &str) -> Result<String, Error> {
        let spec = format!("{rev}^{{commit}}");
        let refused = || {
            Error::input(format!(
                "`{rev}` names no commit in this repository\nhint: give a branch, a tag or a commit (`git log --oneline` lists them); in a shallow CI checkout, fetch the base first (`git fetch --depth=1 origin <branch>`)"
            ))
        };
        if rev.starts_with('-') || rev.is_empty() {
            return Err(refused());
        }
        match git(&self.top, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec], &[])
        {
            Ok(hash) if !hash.trim().is_empty() => Ok(hash.trim().to_owned()),
            _ => Err(refused()),
        }
    }

    fn short(&self, commit: &str) -> String {
        git(&self.top, &["rev-parse", "--short", commit], &[])
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| commit.chars().take(12).collect())
    }
}

enum GitFailure {
    Missing(io::Error),
    Said(String),
}

/// Git's output in `dir` with `envs` set.
fn git(dir: &Path, args: &[&str], envs: &[(&str, &Path)]) -> Result<String, GitFailure> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args).stdin(Stdio::null());
    for (k, v) in envs {
        command.env(k, v);
    }
    let output = command.output().map_err(GitFailure::Missing)?;
    if !output.status.success() {
        return Err(GitFailure::Said(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
    }
    String::from_utf8(output.stdout).map_err(|e| GitFailure::Said(e.to_string()))
}

/// The base commit's tree written out in a scratch folder, removed when dropped.
struct BaseTree {
    path: PathBuf,
    folder: PathBuf,
    scratch: Option<trellis_sync::Scratch>,
}

impl BaseTree {
    fn write(repo: &Repo, commit: &str) -> Result<BaseTree, Error> {
        let parent = crate::judge::memory_folder().unwrap_or_else(std::env::temp_dir);
        trellis_sync::sweep_stale(&parent);
        let pid = std::process::id();
        let fail = |what: &str, e: String| {
            Error::env(format!("cannot write out the base revision ({what}): {e}"))
        };
        for n in 0..1000 {
            let folder = parent.join(format!(".trellis-base-{pid}-{n}"));
            match fs::create_dir(&folder) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(fail("a scratch folder", e.to_string())),
            }
            let mut tree = BaseTree { path: folder.join("tree"), folder, scratch: None };
            tree.scratch = Some(
                trellis_sync::Scratch::mark(&tree.folder)
                    .map_err(|e| fail("a scratch folder", e.to_string()))?,
            );
            let index = tree.folder.join("index");
            let said = |e: GitFailure| match e {
                GitFailure::Missing(e) => e.to_string(),
                GitFailure::Said(s) => s,
            };
            git(&repo.top, &["read-tree", commit], &[("GIT_INDEX_FILE", &index)])
                .map_err(|e| fail("git read-tree", said(e)))?;
            let mut prefix = tree.path.clone().into_os_string();
            prefix.push("/");
            let prefix = format!("--prefix={}", prefix.to_string_lossy());
            git(
                &repo.top,
                &["checkout-index", "--all", "--force", &prefix],
                &[("GIT_INDEX_FILE", &index)],
            )
            .map_err(|e| fail("git checkout-index", said(e)))?;
            fs::create_dir_all(&tree.path).map_err(|e| fail("its folder", e.to_string()))?;
            return Ok(tree);
        }
        Err(fail("a scratch folder", "no free name".to_owned()))
    }
}

impl Drop for BaseTree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.folder);
        drop(self.scratch.take());
    }
}

#[cfg(test)]
mod tests;
