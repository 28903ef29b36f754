//! `infer`: a `Trellis.toml` that describes a workspace as it is, so that an existing project
//! can start guarding its graph at once.
//!
//! The spec says exactly what `check` compares (kinds, paths, internal edges of each kind,
//! external crates and who uses them), so `check` with it reports nothing. What a spec cannot
//! say is left out with a comment that explains why, rather than guessed.
//!
//! Given the crates' files ([`Sources`]), it also reads back what Trellis generated in them:
//! the modules a crate root declares and the requirements of `tests/requirements/`
//! (`infer/readback.rs`), so that `apply` with the inferred spec keeps them wired. What neither
//! cargo nor the files hold (the system's name and summary, the layers, the order of crates
//! and edges) comes from the spec Trellis last applied, when its ledger keeps one
//! ([`Sources::previous_spec`]) and it still fits the workspace.

mod externals;
mod header;
mod readback;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use trellis_spec::{CrateKind, CrateSpec, EdgeKind, Spec, toml_key, toml_str};

use crate::actual::{DepSource, Member, Workspace};

use externals::*;
use header::*;
pub use readback::{NoSources, Sources};
use readback::{ReadBack, read_back};

/// Why `infer` printed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InferError {
    /// Every member is one a spec cannot declare (or there is none but the own xtask).
    #[error("the workspace has no member a spec can declare")]
    NothingToDeclare,
    /// The spec came out invalid in a way no member or field can be left out to fix: a bug
    /// in Trellis. The diagnostics are rendered as text.
    #[error("the inferred spec does not validate:\n{0}")]
    Invalid(String),
}

/// A part of the inferred spec that can be left out when the spec refuses it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// A `[workspace]` key.
    Field(&'static str),
    /// An entry of `[dependencies]` (and every `uses` of it).
    External(String),
    /// A `[crates.<name>]` table.
    Crate(String),
    /// A module of a crate, read back from its root.
    Module(String, String),
    /// A requirement of a crate, by id, read back from its tests.
    Requirement(String, String),
}

/// Prints a spec for `workspace`. `name` is the system's name (the root folder's, usually).
///
/// The result always parses: whatever the spec refuses although cargo accepts it (a crate
/// named with a keyword of a newer edition, a license in an old syntax, a path dependency
/// outside the root) is left out with a comment that says why.
pub fn infer(workspace: &Workspace, name: &str) -> Result<String, InferError> {
    infer_with(workspace, name, &NoSources)
}

/// [`infer`], reading back from the crates' files the modules and requirements Trellis
/// generated in them (see `infer/readback.rs`).
pub fn infer_with(
    workspace: &Workspace,
    name: &str,
    sources: &dyn Sources,
) -> Result<String, InferError> {
    // A previous spec that no longer parses (a newer Trellis wrote it) says nothing.
    let previous = sources
        .previous_spec()
        .and_then(|text| trellis_spec::parse(&text, trellis_spec::SPEC_FILE).ok())
        .map(|parsed| parsed.spec);
    let mut read: BTreeMap<&str, ReadBack> = workspace
        .members
        .iter()
        .filter(|m| !m.is_own_xtask())
        .map(|m| (m.name.as_str(), read_back(m, sources)))
        .collect();
    // A test whose requirement the spec Trellis last applied no longer has is an orphan (an
    // `apply` without `--prune` keeps it) or a person's stray test: it declares nothing.
    if let Some(p) = &previous {
        let ids: BTreeSet<&str> =
            p.crates.iter().flat_map(|c| &c.requirements).map(|r| r.id.as_str()).collect();
        for back in read.values_mut() {
            let (kept, gone): (Vec<_>, Vec<_>) =
                back.requirements.drain(..).partition(|r| ids.contains(r.id.as_str()));
            back.requirements = kept;
            back.notes.extend(gone.into_iter().map(|r| {
                format!(
                    "requirement `{}` is left out: the spec Trellis last applied no longer has it (its test stays, as `trace` reports)",
                    r.id
                )
            }));
        }
    }
    let mut dropped: BTreeMap<Part, String> = BTreeMap::new();
    loop {
        let (text, parts) = render(workspace, name, previous.as_ref(), &read, &dropped);
        if parts.iter().all(|(_, p)| !matches!(p, Part::Crate(_))) {
            return Err(InferError::NothingToDeclare);
        }
        let diagnostics = match trellis_spec::parse(&text, "Trellis.toml") {
            Ok(_) => return Ok(text),
            Err(diagnostics) => diagnostics,
        };
        let before = dropped.len();
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            let Some(at) = d.primary.as_ref().map(|l| l.span.start) else { continue };
            if let Some((_, part)) = parts.iter().find(|(range, _)| range.contains(&at)) {
                dropped.entry(part.clone()).or_insert_with(|| d.message.clone());
            }
        }
        if dropped.len() == before {
            let shown: Vec<String> = diagnostics
                .iter()
                .map(|d| anstream::adapter::strip_str(&d.render(Some(&text))).to_string())
                .collect();
            return Err(InferError::Invalid(shown.join("\n")));
        }
    }
}

/// The spec text, and which part of it each range holds.
fn render(
    workspace: &Workspace,
    name: &str,
    previous: Option<&Spec>,
    read: &BTreeMap<&str, ReadBack>,
    dropped: &BTreeMap<Part, String>,
) -> (String, Vec<(std::ops::Range<usize>, Part)>) {
    let mut out = String::new();
    let mut parts = Vec::new();
    let crates: Vec<&Member> = workspace.members.iter().filter(|m| !m.is_own_xtask()).collect();
    let why = |m: &Member| {
        dropped
            .get(&Part::Crate(m.name.clone()))
            .map(|message| format!("the spec refuses it ({message})"))
            .or_else(|| unrepresentable(m, &crates))
    };
    let (declarable, left_out): (Vec<&Member>, Vec<&Member>) =
        crates.iter().partition(|m| why(m).is_none());
    let index: BTreeMap<&str, usize> =
        declarable.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();

    // Structural edges, for layers and cycles.
    let mut graph = vec![Vec::new(); declarable.len()];
    for (i, m) in declarable.iter().enumerate() {
        for d in &m.deps {
            if let (DepSource::Member(to), true) = (&d.source, d.kind.is_structural())
                && let Some(&j) = index.get(to.as_str())
            {
                graph[i].push(j);
            }
        }
    }
    for adj in &mut graph {
        adj.sort_unstable();
        adj.dedup();
    }
    let depth = trellis_spec::graph::depths(&graph);
    // Edges inside a cycle cannot be declared (the spec forbids cycles): they become
    // `[[allow]]` entries, which `check` reads as exceptions.
    let mut cyclic: BTreeSet<(usize, usize)> = BTreeSet::new();
    for component in trellis_spec::graph::strongly_connected(&graph) {
        for &a in &component {
            for &b in &graph[a] {
                if component.binary_search(&b).is_ok() {
                    cyclic.insert((a, b));
                }
            }
        }
    }
    let layers = depth.iter().max().map_or(0, |d| d + 1);
    // Each declarable crate's place and table in the previous spec, if it had it.
    let was: BTreeMap<&str, (usize, &CrateSpec)> = previous
        .map(|p| p.crates.iter().enumerate().map(|(i, c)| (c.name.as_str(), (i, c))).collect())
        .unwrap_or_default();
    let before: Vec<Option<&CrateSpec>> =
        declarable.iter().map(|m| was.get(m.name.as_str()).map(|&(_, c)| c)).collect();
    let kept = previous.and_then(|p| kept_layers(p, &before, &graph, &cyclic, &depth));

    header(&mut out, &mut parts, workspace, previous, name, &crates, dropped);

    // A system whose spec declared no layers gets none suggested either.
    let layerless = previous.is_some_and(|p| p.layers.is_empty());
    let order: Vec<String> = match (&kept, previous) {
        _ if layerless => Vec::new(),
        (Some(_), Some(p)) => {
            let _ = writeln!(out, "# Layers as the spec Trellis last applied has them.");
            p.layers.iter().map(|l| toml_str(&l.name)).collect()
        }
        _ => {
            let _ = writeln!(
                out,
                "# Layers suggested from the graph's depth: `layer-0` holds the crates that depend on no"
            );
            let _ = writeln!(
                out,
                "# other member, and each crate sits one layer above the deepest crate it depends on."
            );
            let _ = writeln!(out, "# Rename and merge them into the layers the design intends.");
            (0..layers.max(1)).map(|l| toml_str(&layer_name(l))).collect()
        }
    };
    if !layerless {
        let _ = writeln!(out, "[layers]");
        let _ = writeln!(out, "order = [{}]", order.join(", "));
        let _ = writeln!(out);
    }

    let mut externals = externals(&declarable);
    let refused_externals: Vec<(String, String)> = dropped
        .iter()
        .filter_map(|(part, why)| match part {
            Part::External(key) => Some((key.clone(), why.clone())),
            _ => None,
        })
        .collect();
    for (key, _) in &refused_externals {
        externals.remove(key);
    }
    if !externals.is_empty() || !refused_externals.is_empty() {
        let _ = writeln!(out, "[dependencies]");
        for (key, ext) in &externals {
            out.push_str(&ext.comments);
            let start = out.len();
            let _ = writeln!(out, "{} = {}", toml_key(key), ext.value);
            parts.push((start..out.len(), Part::External(key.clone())));
        }
        for (key, why) in &refused_externals {
            let _ = writeln!(out, "# `{key}` is not listed: the spec refuses it ({why}).");
        }
        let _ = writeln!(out);
    }

    let mut order: Vec<usize> = (0..declarable.len()).collect();
    // The previous spec's order first (README and ARCHITECTURE list crates in spec order).
    order.sort_by_key(|&i| {
        let name = declarable[i].name.as_str();
        (was.get(name).map_or(usize::MAX, |&(at, _)| at), depth[i], name)
    });
    let mut allows = Vec::new();
    for i in order {
        let m = declarable[i];
        let start = out.len();
        let _ = writeln!(out, "[crates.{}]", toml_key(&m.name));
        // The previous spec's kind while cargo still sees it (a lib with bins is either).
        let kind = before[i]
            .map(|c| c.kind)
            .filter(|&k| m.has_kind(k))
            .or(m.kind())
            .unwrap_or(CrateKind::Lib);
        if m.kind().is_none() {
            let _ = writeln!(out, "# cargo sees no lib or bin target here");
        }
        let _ = writeln!(out, "kind = {}", toml_str(kind.as_str()));
        if m.dir != trellis_spec::default_crate_path(&m.name) {
            let _ = writeln!(out, "path = {}", toml_str(&m.dir));
        }
        if !layerless {
            let layer = kept.as_ref().map_or_else(|| layer_name(depth[i]), |k| k[i].clone());
            let _ = writeln!(out, "layer = {}", toml_str(&layer));
        }
        // The features a crate's tests turn on through a dev-dependency on the crate itself.
        let own: BTreeSet<&str> = m
            .deps
            .iter()
            .filter(|d| d.kind == EdgeKind::Dev)
            .filter(|d| matches!(&d.source, DepSource::Member(to) if *to == m.name))
            .flat_map(|d| d.features.iter().map(String::as_str))
            .collect();
        let was = before[i].map(|c| &c.features[..]);
        list(&mut out, "features", ordered(&own, was));
        if let Some(summary) = m.description.as_deref().map(one_line).filter(|s| !s.is_empty()) {
            let _ = writeln!(out, "summary = {}", toml_str(&summary));
        }
        for kind in EdgeKind::ALL {
            let mut names = BTreeSet::new();
            for d in m.deps.iter().filter(|d| d.kind == kind) {
                let DepSource::Member(to) = &d.source else { continue };
                let Some(&j) = index.get(to.as_str()) else { continue };
                if kind.is_structural() && cyclic.contains(&(i, j)) {
                    allows.push((m.name.as_str(), to.as_str(), kind));
                } else {
                    names.insert(to.as_str());
                }
            }
            list(
                &mut out,
                kind.depends_key(),
                ordered(&names, before[i].map(|c| c.depends.of(kind))),
            );
        }
        for kind in EdgeKind::ALL {
            let names: BTreeSet<&str> = m
                .deps
                .iter()
                .filter(|d| d.kind == kind && !matches!(d.source, DepSource::Member(_)))
                .map(|d| d.key.as_str())
                .filter(|key| externals.contains_key(*key))
                .collect();
            list(&mut out, kind.uses_key(), ordered(&names, before[i].map(|c| c.uses.of(kind))));
        }
        if let Some(back) = read.get(m.name.as_str()) {
            read_back_parts(&mut out, &mut parts, m, back, dropped);
        }
        parts.push((start..out.len(), Part::Crate(m.name.clone())));
        let _ = writeln!(out);
    }

    allows.sort();
    allows.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (from, to, kind) in allows {
        let _ = writeln!(
            out,
            "# `{from}` -> `{to}` ({}) is part of a dependency cycle, which a spec cannot declare.",
            kind.manifest_section()
        );
        let _ = writeln!(out, "[[allow]]");
        let _ = writeln!(out, "from = {}", toml_str(from));
        let _ = writeln!(out, "to = {}", toml_str(to));
        let _ = writeln!(
            out,
            "reason = \"inferred: part of a dependency cycle; break it, then remove this\""
        );
        let _ = writeln!(out);
    }

    for m in left_out {
        let why = why(m).unwrap_or_default();
        let _ = writeln!(out, "# Member `{}` at `{}` is not in this spec: {why}.", m.name, m.dir);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    (out, parts)
}

/// The modules and requirements read back from a crate's files, each its own part so that
/// one the spec refuses is left out alone, with a comment.
fn read_back_parts(
    out: &mut String,
    parts: &mut Vec<(std::ops::Range<usize>, Part)>,
    m: &Member,
    back: &ReadBack,
    dropped: &BTreeMap<Part, String>,
) {
    let mut notes = back.notes.clone();
    let module = |name: &str| Part::Module(m.name.clone(), name.to_owned());
    let modules: Vec<&String> = back
        .modules
        .iter()
        .filter(|name| match dropped.get(&module(name)) {
            Some(why) => {
                notes.push(format!("module `{name}` is left out: the spec refuses it ({why})"));
                false
            }
            None => true,
        })
        .collect();
    if !modules.is_empty() {
        out.push_str("modules = [");
        for (i, name) in modules.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let start = out.len();
            out.push_str(&toml_str(name));
            parts.push((start..out.len(), module(name)));
        }
        out.push_str("]\n");
    }
    let requirement = |id: &str| Part::Requirement(m.name.clone(), id.to_owned());
    let mut requirements = Vec::new();
    for r in &back.requirements {
        match dropped.get(&requirement(&r.id)) {
            Some(why) => notes
                .push(format!("requirement `{}` is left out: the spec refuses it ({why})", r.id)),
            None => requirements.push(r),
        }
    }
    if !requirements.is_empty() {
        out.push_str("requirements = [\n");
        for r in requirements {
            if let Some(note) = &r.note {
                let _ = writeln!(out, "  # `{}`: {note}", r.id);
            }
            let start = out.len();
            let _ =
                writeln!(out, "  {{ id = {}, text = {} }},", toml_str(&r.id), toml_str(&r.text));
            parts.push((start..out.len(), requirement(&r.id)));
        }
        out.push_str("]\n");
    }
    for note in notes {
        let _ = writeln!(out, "# {}", one_line(&note));
    }
}

/// Why a member cannot be a crate of a spec, if it cannot.
fn unrepresentable(m: &Member, _all: &[&Member]) -> Option<String> {
    if m.dir.starts_with("../") || m.dir.starts_with('/') {
        return Some("it lies outside the workspace root".to_owned());
    }
    None
}

/// The layer of each declarable crate in the previous spec's layers: its own there, and for a
/// crate the previous spec did not have, the lowest layer its dependencies allow. `None` when
/// the previous spec has no layers, or some structural edge (outside a cycle) would go up:
/// then the suggestion from the graph's depth is used. Kept layers are the design's, which no
/// graph can tell.
fn kept_layers(
    previous: &Spec,
    before: &[Option<&CrateSpec>],
    graph: &[Vec<usize>],
    cyclic: &BTreeSet<(usize, usize)>,
    depth: &[usize],
) -> Option<Vec<String>> {
    if previous.layers.is_empty() {
        return None;
    }
    let mut rank: Vec<Option<usize>> =
        before.iter().map(|c| (*c)?.layer.as_ref().map(|l| l.rank())).collect();
    // New crates, dependencies first (a crate's depth is above its dependencies').
    let mut new: Vec<usize> = (0..before.len()).filter(|&i| rank[i].is_none()).collect();
    new.sort_by_key(|&i| depth[i]);
    for i in new {
        let deps = graph[i].iter().filter(|&&j| !cyclic.contains(&(i, j)));
        rank[i] = Some(deps.map(|&j| rank[j].unwrap_or(0)).max().unwrap_or(0));
    }
    let rank: Vec<usize> = rank.into_iter().collect::<Option<_>>()?;
    for (i, adj) in graph.iter().enumerate() {
        if adj.iter().any(|&j| !cyclic.contains(&(i, j)) && rank[i] < rank[j]) {
            return None;
        }
    }
    Some(rank.into_iter().map(|r| previous.layers[r].name.clone()).collect())
}

/// `names` in the order the previous spec lists them, then the rest, sorted.
fn ordered<'a, T: AsRef<str>>(names: &BTreeSet<&'a str>, before: Option<&[T]>) -> Vec<&'a str> {
    let before = before.unwrap_or_default();
    let at = |n: &str| before.iter().position(|b| b.as_ref() == n).unwrap_or(usize::MAX);
    let mut names: Vec<&str> = names.iter().copied().collect();
    names.sort_by_key(|n| (at(n), *n));
    names
}

fn list(out: &mut String, key: &str, names: Vec<&str>) {
    if names.is_empty() {
        return;
    }
    let names: Vec<String> = names.iter().map(|n| toml_str(n)).collect();
    let _ = writeln!(out, "{key} = [{}]", names.join(", "));
}

fn layer_name(depth: usize) -> String {
    format!("layer-{depth}")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
