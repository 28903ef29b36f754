//! `graph`: the crate graph as a picture (Mermaid or Graphviz dot): as the spec declares it, as
//! cargo sees it, or both at once with the edges only one side has marked.
//!
//! Layers become subgraphs (clusters), highest first; edge kinds are drawn differently
//! (normal solid, dev dotted and labelled `dev`, build thick and labelled `build`).
//!
//! Big graphs get smaller views of the same [`Graph`]: [`reduce`] drops the edges a longer path
//! implies, and [`layer`] keeps one layer, with every other layer folded into one node.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use trellis_spec::graph::{mermaid_label, mermaid_layer_id};
use trellis_spec::{EdgeKind, Spec};

use crate::actual::Workspace;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Mermaid flowchart (renders on GitHub, in Markdown).
    Mermaid,
    /// Graphviz dot.
    Dot,
}

/// Which side of a comparison a node or edge is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// In the spec and in the workspace (or the only side drawn).
    Both,
    /// Only in the spec: missing from the workspace.
    SpecOnly,
    /// Only in the workspace: undeclared.
    ActualOnly,
}

/// A graph to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// Layer names, lowest first.
    pub layers: Vec<String>,
    /// Crates, in the order they are drawn.
    pub nodes: Vec<Node>,
    /// Edges, sorted.
    pub edges: Vec<GraphEdge>,
}

/// A crate in a graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The crate's name.
    pub name: String,
    /// Its layer, when the spec gives it one.
    pub layer: Option<String>,
    /// Whether it is in the spec, the workspace or both.
    pub side: Side,
    /// A crate, or a whole layer folded into one node.
    pub kind: NodeKind,
}

/// What a node of a graph stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// One crate.
    Crate,
    /// Every crate of a layer other than the one a [`layer`] view shows (or every crate with no
    /// layer): this many.
    Layer {
        /// How many crates it stands for.
        crates: usize,
    },
}

/// A dependency in a graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct GraphEdge {
    /// The depending crate.
    pub from: String,
    /// The crate depended on.
    pub to: String,
    /// The section.
    pub kind: EdgeKind,
    /// Whether the spec, the workspace or both have it.
    pub side: Side,
}

/// The graph the spec declares.
pub fn declared(spec: &Spec) -> Graph {
    let nodes = spec
        .crates
        .iter()
        .map(|c| Node {
            name: c.name.to_string(),
            layer: c.layer.as_deref().map(str::to_owned),
            side: Side::Both,
            kind: NodeKind::Crate,
        })
        .collect();
    let mut edges: Vec<GraphEdge> = spec
        .crates
        .iter()
        .flat_map(|c| {
            c.depends.iter().map(|(kind, to)| GraphEdge {
                from: c.name.to_string(),
                to: to.name.clone(),
                kind,
                side: Side::Both,
            })
        })
        .collect();
    edges.sort();
    edges.dedup();
    Graph { layers: layer_names(Some(spec)), nodes, edges }
}

/// The graph cargo sees; layers come from the spec for the crates it declares.
pub fn actual(workspace: &Workspace, spec: Option<&Spec>) -> Graph {
    let layer_of = |name: &str| {
        spec.and_then(|s| s.crate_named(name)).and_then(|c| c.layer.as_deref().map(str::to_owned))
    };
    let nodes = workspace
        .members
        .iter()
        .filter(|m| !m.is_own_xtask())
        .map(|m| Node {
            name: m.name.clone(),
            layer: layer_of(&m.name),
            side: Side::Both,
            kind: NodeKind::Crate,
        })
        .collect();
    let edges = actual_edges(workspace)
        .into_iter()
        .map(|(from, to, kind)| GraphEdge { from, to, kind, side: Side::Both })
        .collect();
    Graph { layers: layer_names(spec), nodes, edges }
}

/// Both graphs in one: what only the spec has is [`Side::SpecOnly`], what only the workspace
/// has is [`Side::ActualOnly`].
pub fn diff(spec: &Spec, workspace: &Workspace) -> Graph {
    let declared = declared(spec);
    let members: BTreeSet<&str> =
        workspace.members.iter().filter(|m| !m.is_own_xtask()).map(|m| m.name.as_str()).collect();
    let mut nodes: Vec<Node> = declared
        .nodes
        .into_iter()
        .map(|mut n| {
            if !members.contains(n.name.as_str()) {
                n.side = Side::SpecOnly;
            }
            n
        })
        .collect();
    for m in &members {
        if spec.crate_named(m).is_none() {
            nodes.push(Node {
                name: (*m).to_owned(),
                layer: None,
                side: Side::ActualOnly,
                kind: NodeKind::Crate,
            });
        }
    }
    let real: BTreeSet<(String, String, EdgeKind)> = actual_edges(workspace);
    let said: BTreeSet<(String, String, EdgeKind)> =
        declared.edges.into_iter().map(|e| (e.from, e.to, e.kind)).collect();
    let mut edges: Vec<GraphEdge> = said
        .union(&real)
        .map(|(from, to, kind)| {
            let side = match (
                said.contains(&(from.clone(), to.clone(), *kind)),
                real.contains(&(from.clone(), to.clone(), *kind)),
            ) {
                (true, true) => Side::Both,
                (true, false) => Side::SpecOnly,
                _ => Side::ActualOnly,
            };
            GraphEdge { from: from.clone(), to: to.clone(), kind: *kind, side }
        })
        .collect();
    edges.sort();
    Graph { layers: layer_names(Some(spec)), nodes, edges }
}

fn actual_edges(workspace: &Workspace) -> BTreeSet<(String, String, EdgeKind)> {
    let own_xtask = |name: &str| workspace.member(name).is_some_and(|m| m.is_own_xtask());
    workspace
        .edges()
        .into_iter()
        .filter(|e| !own_xtask(e.from) && !own_xtask(e.to))
        .map(|e| (e.from.to_owned(), e.to.to_owned(), e.kind))
        .collect()
}

fn layer_names(spec: Option<&Spec>) -> Vec<String> {
    spec.map(|s| s.layers.iter().map(|l| l.name.clone()).collect()).unwrap_or_default()
}

/// Every crate a graph names, nodes first, then edge ends (repeats included).
fn names(graph: &Graph) -> impl Iterator<Item = &str> {
    graph
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .chain(graph.edges.iter().flat_map(|e| [e.from.as_str(), e.to.as_str()]))
}

/// The graph without the normal and build edges a longer path of normal and build edges
/// already implies (`a -> c` beside `a -> b -> c`): its transitive reduction, which keeps what
/// each crate reaches. An edge kept keeps its kind.
///
/// Dev edges are all kept and imply nothing: they are not part of the layered graph (a dev edge
/// may point up a layer or close a cycle), and that a crate's tests use a crate directly is
/// worth seeing. In a [`diff`], only edges both sides have are reduced, through paths both
/// sides have: a `missing` or `undeclared` edge is what the picture is for.
pub fn reduce(graph: &Graph) -> Graph {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let names = names(graph);
    for name in names {
        let next = index.len();
        index.entry(name).or_insert(next);
    }
    let reducible = |e: &GraphEdge| e.kind != EdgeKind::Dev && e.side == Side::Both;
    let mut adjacency = vec![Vec::new(); index.len()];
    for e in graph.edges.iter().filter(|e| reducible(e)) {
        adjacency[index[e.from.as_str()]].push(index[e.to.as_str()]);
    }
    let reduced = trellis_spec::graph::transitive_reduction(&adjacency);
    let kept: BTreeSet<(usize, usize)> = reduced
        .iter()
        .enumerate()
        .flat_map(|(v, next)| next.iter().map(move |&w| (v, w)))
        .collect();
    let edges = graph
        .edges
        .iter()
        .filter(|e| !reducible(e) || kept.contains(&(index[e.from.as_str()], index[e.to.as_str()])))
        .cloned()
        .collect();
    Graph { layers: graph.layers.clone(), nodes: graph.nodes.clone(), edges }
}

/// One layer of a graph: its crates, the edges between them, and every edge that leaves it,
/// drawn to one node per other layer (and one for crates with no layer) rather than to the
/// crate it reaches. `None` when the graph has no such layer.
///
/// Folding keeps the view as small as the layer: what a layer relies on is the layers below it,
/// and the crates there would otherwise outnumber the layer's own. Edges into the layer from
/// other layers are left out; they belong to the views of those layers.
pub fn layer(graph: &Graph, name: &str) -> Option<Graph> {
    if !graph.layers.iter().any(|l| l == name) {
        return None;
    }
    // A crate's layer as drawn: one the graph does not know counts as none.
    let layer_of: BTreeMap<&str, Option<&str>> = graph
        .nodes
        .iter()
        .map(|n| {
            let layer = n.layer.as_deref().filter(|l| graph.layers.iter().any(|k| k == l));
            (n.name.as_str(), layer)
        })
        .collect();
    let layer_of = |krate: &str| layer_of.get(krate).copied().flatten();
    let inside = |krate: &str| layer_of(krate) == Some(name);
    let mut crates_in: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for n in &graph.nodes {
        *crates_in.entry(layer_of(&n.name)).or_default() += 1;
    }
    let mut reached: BTreeSet<Option<&str>> = BTreeSet::new();
    let mut edges: Vec<GraphEdge> = Vec::new();
    for e in graph.edges.iter().filter(|e| inside(&e.from)) {
        if inside(&e.to) {
            edges.push(e.clone());
            continue;
        }
        let other = layer_of(&e.to);
        reached.insert(other);
        edges.push(GraphEdge { to: folded_name(other), ..e.clone() });
    }
    edges.sort();
    edges.dedup();
    let mut nodes: Vec<Node> = graph.nodes.iter().filter(|n| inside(&n.name)).cloned().collect();
    // Other layers highest first, as layers are drawn, then crates with no layer.
    let others = graph.layers.iter().rev().map(|l| Some(l.as_str())).chain([None]);
    for other in others.filter(|o| reached.contains(o)) {
        nodes.push(Node {
            name: folded_name(other),
            layer: None,
            side: Side::Both,
            kind: NodeKind::Layer { crates: crates_in.get(&other).copied().unwrap_or(0) },
        });
    }
    Some(Graph { layers: vec![name.to_owned()], nodes, edges })
}

/// The name of the node that stands for a folded layer: no crate can have it, for crate names
/// hold no spaces.
fn folded_name(layer: Option<&str>) -> String {
    match layer {
        Some(layer) => format!("layer {layer}"),
        None => "no layer".to_owned(),
    }
}

/// What a node says: a crate's name, or a folded layer's name and size.
fn label(node: &Node) -> String {
    match node.kind {
        NodeKind::Crate => node.name.clone(),
        NodeKind::Layer { crates: 1 } => format!("{} (1 crate)", node.name),
        NodeKind::Layer { crates } => format!("{} ({crates} crates)", node.name),
    }
}

/// Draws a graph.
pub fn render(graph: &Graph, format: Format) -> String {
    match format {
        Format::Mermaid => mermaid(graph),
        Format::Dot => dot(graph),
    }
}

/// Nodes grouped for drawing: each layer (highest first), then crates with no layer.
fn groups(graph: &Graph) -> Vec<(Option<&str>, Vec<&Node>)> {
    let mut out: Vec<(Option<&str>, Vec<&Node>)> = Vec::new();
    for layer in graph.layers.iter().rev() {
        let nodes: Vec<&Node> =
            graph.nodes.iter().filter(|n| n.layer.as_deref() == Some(layer.as_str())).collect();
        if !nodes.is_empty() {
            out.push((Some(layer.as_str()), nodes));
        }
    }
    let rest: Vec<&Node> = graph
        .nodes
        .iter()
        .filter(|n| n.layer.as_ref().is_none_or(|l| !graph.layers.contains(l)))
        .collect();
    if !rest.is_empty() {
        out.push((None, rest));
    }
    out
}

/// Mermaid ids: the name with every character but letters, digits and `_` made `_`, kept
/// clear of Mermaid's keywords, made unique.
fn ids(graph: &Graph) -> BTreeMap<&str, String> {
    trellis_spec::graph::mermaid_ids(names(graph))
}

fn mermaid(graph: &Graph) -> String {
    let ids = ids(graph);
    let mut out = String::from("flowchart TD\n");
    for (layer, nodes) in groups(graph) {
        let indent = if layer.is_some() { "        " } else { "    " };
        if let Some(layer) = layer {
            let n = graph.layers.iter().position(|l| l == layer).unwrap_or(graph.layers.len());
            let (id, label) = (mermaid_layer_id(n), mermaid_label(layer));
            let _ = writeln!(out, "    subgraph {id}[\"{label}\"]");
        }
        for node in nodes {
            let id = &ids[node.name.as_str()];
            let label = mermaid_label(&label(node));
            let _ = match node.kind {
                NodeKind::Crate => writeln!(out, "{indent}{id}[\"{label}\"]"),
                // A folded layer is a stadium, not a box: it is no crate.
                NodeKind::Layer { .. } => writeln!(out, "{indent}{id}([\"{label}\"])"),
            };
        }
        if layer.is_some() {
            let _ = writeln!(out, "    end");
        }
    }
    let mut styles: Vec<(usize, &str)> = Vec::new();
    for (i, e) in graph.edges.iter().enumerate() {
        let (from, to) = (&ids[e.from.as_str()], &ids[e.to.as_str()]);
        let mut label: Vec<&str> = Vec::new();
        match e.kind {
            EdgeKind::Normal => {}
            EdgeKind::Dev => label.push("dev"),
            EdgeKind::Build => label.push("build"),
        }
        match e.side {
            Side::Both => {}
            Side::SpecOnly => {
                label.push("missing");
                styles.push((i, "stroke:#d33,stroke-dasharray:4 4"));
            }
            Side::ActualOnly => {
                label.push("undeclared");
                styles.push((i, "stroke:#e80"));
            }
        }
        let label = label.join(", ");
        let _ = match (e.kind, label.is_empty()) {
            (EdgeKind::Normal, true) => writeln!(out, "    {from} --> {to}"),
            (EdgeKind::Normal, false) => writeln!(out, "    {from} -->|{label}| {to}"),
            (EdgeKind::Dev, _) => writeln!(out, "    {from} -.->|{label}| {to}"),
            (EdgeKind::Build, _) => writeln!(out, "    {from} ==>|{label}| {to}"),
        };
    }
    let spec_only: Vec<&str> = graph
        .nodes
        .iter()
        .filter(|n| n.side == Side::SpecOnly)
        .map(|n| ids[n.name.as_str()].as_str())
        .collect();
    let actual_only: Vec<&str> = graph
        .nodes
        .iter()
        .filter(|n| n.side == Side::ActualOnly)
        .map(|n| ids[n.name.as_str()].as_str())
        .collect();
    if !spec_only.is_empty() {
        let _ = writeln!(out, "    classDef missing stroke:#d33,stroke-dasharray:4 4");
        let _ = writeln!(out, "    class {} missing", spec_only.join(","));
    }
    if !actual_only.is_empty() {
        let _ = writeln!(out, "    classDef undeclared stroke:#e80");
        let _ = writeln!(out, "    class {} undeclared", actual_only.join(","));
    }
    for (i, style) in styles {
        let _ = writeln!(out, "    linkStyle {i} {style}");
    }
    out
}

fn dot(graph: &Graph) -> String {
    let mut out = String::from("digraph crates {\n    node [shape=box];\n");
    for (n, (layer, nodes)) in groups(graph).into_iter().enumerate() {
        let indent = if layer.is_some() { "        " } else { "    " };
        if let Some(layer) = layer {
            let _ =
                writeln!(out, "    subgraph cluster_{n} {{\n        label=\"{}\";", escape(layer));
        }
        for node in nodes {
            let style = match (node.kind, node.side) {
                (NodeKind::Layer { .. }, _) => {
                    format!(" [shape=folder, label=\"{}\"]", escape(&label(node)))
                }
                (_, Side::Both) => String::new(),
                (_, Side::SpecOnly) => " [style=dashed, color=red, xlabel=\"missing\"]".to_owned(),
                (_, Side::ActualOnly) => " [color=orange, xlabel=\"undeclared\"]".to_owned(),
            };
            let _ = writeln!(out, "{indent}\"{}\"{style};", escape(&node.name));
        }
        if layer.is_some() {
            let _ = writeln!(out, "    }}");
        }
    }
    for e in &graph.edges {
        let mut attrs: Vec<String> = Vec::new();
        let mut label: Vec<&str> = Vec::new();
        match e.kind {
            EdgeKind::Normal => {}
            EdgeKind::Dev => {
                attrs.push("style=dotted".to_owned());
                label.push("dev");
            }
            EdgeKind::Build => {
                attrs.push("style=bold".to_owned());
                label.push("build");
            }
        }
        match e.side {
            Side::Both => {}
            Side::SpecOnly => {
                attrs.push("color=red".to_owned());
                if e.kind == EdgeKind::Normal {
                    attrs.push("style=dashed".to_owned());
                }
                label.push("missing");
            }
            Side::ActualOnly => {
                attrs.push("color=orange".to_owned());
                label.push("undeclared");
            }
        }
        if !label.is_empty() {
            attrs.push(format!("label=\"{}\"", label.join(", ")));
        }
        let attrs =
            if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        let _ = writeln!(out, "    \"{}\" -> \"{}\"{attrs};", escape(&e.from), escape(&e.to));
    }
    out.push_str("}\n");
    out
}

/// A text between double quotes in Graphviz' DOT language.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests;
