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
use std::fs;
use std::path::{Path, PathBuf};

use trellis_check::graph::{self, Graph};
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

    /// The check of the workspace as it stands with only the findings the change introduced,
    /// and the findings the base has too (what `check --base` reports as existing).
    pub fn into_introduced(self) -> (Checked, Vec<Diagnostic>) {
        let mut checked = self.checked;
        let all = std::mem::take(&mut checked.diagnostics);
        let (mut introduced, mut existing) = (Vec::new(), Vec::new());
        for (i, d) in all.into_iter().enumerate() {
            match self.introduced.contains(&i) {
                true => introduced.push(d),
                false => existing.push(d),
            }
        }
        checked.diagnostics = introduced;
        // Said in every format, beside the findings: what could not be compared, and what
        // the base has too.
        checked.notes.extend(self.notes);
        if !existing.is_empty() {
            let list: Vec<String> = existing
                .iter()
                .map(|d| format!("{}[{}]: {}", d.severity, d.code.id, d.message))
                .collect();
            checked.notes.push(format!(
                "{} finding(s) already at `{}` ({}) do not fail this check: {}",
                existing.len(),
                self.base,
                self.commit,
                list.join("; ")
            ));
        }
        (checked, existing)
    }

    /// Whether the change touches the architecture at all.
    pub fn is_empty(&self) -> bool {
        self.crates.is_empty()
            && self.edges.is_empty()
            && self.requirements.is_empty()
            && self.introduced.is_empty()
            && self.fixed.is_empty()
    }
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
    let spec_in_repo = spec_in_repo(project, &repo);
    let tree = BaseTree::write(&repo, &commit)?;
    let base_root = match repo.prefix.as_os_str().is_empty() {
        true => tree.path.clone(),
        false => tree.path.join(&repo.prefix),
    };
    // A spec outside the repository has no base: judged as none.
    let base_spec_path = match &spec_in_repo {
        Some(path) => tree.path.join(path),
        None => tree.folder().join("no-spec-outside-the-repository"),
    };

    let base_options = CheckOptions { results: Results::None, ..options.check.clone() };
    let base_project = Project::at(&base_root)
        .with_spec(&base_spec_path)
        .shown_as(project.shown_root().to_owned());
    let base_loaded = base_spec_path.is_file().then(|| base_project.load());
    let base_spec = match &base_loaded {
        None => BaseSpec::Missing,
        Some(Ok(_)) => BaseSpec::Found,
        // The first diagnostic says what is wrong; the message only how many there are.
        Some(Err(e)) => BaseSpec::Invalid(match e.diagnostics().first() {
            Some(d) => d.message.clone(),
            None => e.to_string().lines().next().unwrap_or("").to_owned(),
        }),
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
            // Cargo's own error line, with the scratch folder named as the base.
            let said = e.to_string().replace(&base_root.display().to_string(), "<base>");
            let line = said
                .lines()
                .find(|l| l.starts_with("error"))
                .or_else(|| said.lines().next())
                .unwrap_or("");
            notes.push(format!(
                "cargo could not load the workspace at the base, so its actual edges and findings are not compared: {}",
                line.trim_start_matches("error: ")
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

/// The spec's path inside the repository (`Trellis.toml` at the workspace root unless
/// `--spec` said otherwise); `None` when it lies outside the repository.
fn spec_in_repo(project: &Project, repo: &Repo) -> Option<PathBuf> {
    let spec = std::path::absolute(project.spec_file()).ok()?;
    let spec = match (spec.parent().and_then(|p| fs::canonicalize(p).ok()), spec.file_name()) {
        (Some(folder), Some(name)) => folder.join(name),
        _ => spec,
    };
    let top = fs::canonicalize(&repo.top).unwrap_or_else(|_| repo.top.clone());
    spec.strip_prefix(&top).ok().map(Path::to_path_buf)
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
            s.crates
                .iter()
                .map(|c| (c.name.as_str().to_owned(), c.layer.as_deref().map(str::to_owned)))
                .collect()
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

mod git;
mod render;

pub(crate) use git::git;
use git::{BaseTree, Repo};

#[cfg(test)]
mod tests;
