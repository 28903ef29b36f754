//! Graph algorithms over adjacency lists of node indices: strongly connected components (for
//! cycles), the shortest cycle through a component (to name it), depth (to suggest layers), and
//! the transitive reduction (to draw big graphs).
//!
//! Pure and shared: validation finds the spec's cycles with them, `check` the workspace's,
//! `infer` suggests layers from depth, and `graph --reduce` draws the reduction.

use std::collections::{HashSet, VecDeque};

/// The strongly connected components, each sorted, in order of their smallest node.
/// Iterative Tarjan, so a deep graph cannot overflow the stack.
pub fn strongly_connected(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let n = graph.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        // (node, position in its adjacency list)
        let mut work = vec![(start, 0)];
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            if let Some(&w) = graph[v].get(*pos) {
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                out.push(component);
            }
        }
    }
    out.sort();
    out
}

/// The shortest cycle through the smallest node of a strongly connected component, as the
/// nodes in order (the first is not repeated at the end).
pub fn shortest_cycle(graph: &[Vec<usize>], component: &[usize]) -> Vec<usize> {
    let start = component[0];
    if graph[start].contains(&start) {
        return vec![start];
    }
    let mut parent = vec![usize::MAX; graph.len()];
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in &graph[v] {
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = parent[at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if parent[w] == usize::MAX && w != start && component.binary_search(&w).is_ok() {
                parent[w] = v;
                queue.push_back(w);
            }
        }
    }
    component.to_vec()
}

/// Each node's depth: 0 for a node with no outgoing edges, else one more than the deepest node
/// it points to. Nodes on a cycle count the cycle once (their component is collapsed).
pub fn depths(graph: &[Vec<usize>]) -> Vec<usize> {
    let components = strongly_connected(graph);
    let mut comp_of = vec![0; graph.len()];
    for (c, nodes) in components.iter().enumerate() {
        for &v in nodes {
            comp_of[v] = c;
        }
    }
    let mut memo: Vec<Option<usize>> = vec![None; components.len()];
    // Iterative post-order over the component DAG.
    for root in 0..components.len() {
        let mut work = vec![(root, false)];
        while let Some((c, expanded)) = work.pop() {
            if memo[c].is_some() {
                continue;
            }
            let succ: Vec<usize> = components[c]
                .iter()
                .flat_map(|&v| graph[v].iter().map(|&w| comp_of[w]))
                .filter(|&d| d != c)
                .collect();
            if expanded {
                let depth = succ.iter().map(|&d| memo[d].unwrap_or(0) + 1).max().unwrap_or(0);
                memo[c] = Some(depth);
            } else {
                work.push((c, true));
                work.extend(succ.into_iter().filter(|&d| memo[d].is_none()).map(|d| (d, false)));
            }
        }
    }
    (0..graph.len()).map(|v| memo[comp_of[v]].unwrap_or(0)).collect()
}

/// The transitive reduction: the graph without every edge `u -> v` that a path of two or more
/// edges from `u` to `v` already implies. Each adjacency list keeps its order; a repeated edge
/// is kept or dropped with its twin. Every node reaches exactly what it reached before.
///
/// On a DAG the reduction is unique. A graph with cycles has none that is unique, so each
/// strongly connected component is taken as one node: edges inside a component are all kept,
/// and an edge between two components is dropped when a longer path joins them.
///
/// Time is linear in the edges times the components / 64, memory a bit per pair of components
/// (12.5 MB at 10,000 crates).
pub fn transitive_reduction(graph: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let components = strongly_connected(graph);
    let mut comp_of = vec![0; graph.len()];
    for (c, nodes) in components.iter().enumerate() {
        for &v in nodes {
            comp_of[v] = c;
        }
    }
    let successors: Vec<Vec<usize>> = components
        .iter()
        .enumerate()
        .map(|(c, nodes)| {
            let mut next: Vec<usize> = nodes
                .iter()
                .flat_map(|&v| graph[v].iter().map(|&w| comp_of[w]))
                .filter(|&d| d != c)
                .collect();
            next.sort_unstable();
            next.dedup();
            next
        })
        .collect();
    // Every edge between components goes to a shallower one, so by rising depth each
    // component's successors are done before it.
    let depth = depths(graph);
    let mut order: Vec<usize> = (0..components.len()).collect();
    order.sort_by_key(|&c| depth[components[c][0]]);
    // `reach` row `c`: the components `c` reaches by one edge or more, one bit each.
    let words = components.len().div_ceil(64);
    let mut reach = vec![0u64; components.len() * words];
    let mut implied: HashSet<(usize, usize)> = HashSet::new();
    let mut further = vec![0u64; words];
    for c in order {
        // What `c` reaches by two edges or more: what its successors reach.
        further.fill(0);
        for &d in &successors[c] {
            for (f, r) in further.iter_mut().zip(&reach[d * words..(d + 1) * words]) {
                *f |= r;
            }
        }
        let row = &mut reach[c * words..(c + 1) * words];
        row.copy_from_slice(&further);
        for &d in &successors[c] {
            if further[d / 64] & (1 << (d % 64)) != 0 {
                implied.insert((c, d));
            }
            row[d / 64] |= 1 << (d % 64);
        }
    }
    graph
        .iter()
        .enumerate()
        .map(|(v, next)| {
            let c = comp_of[v];
            next.iter().copied().filter(|&w| !implied.contains(&(c, comp_of[w]))).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// A text as a Mermaid label between double quotes (`["…"]`): Mermaid knows no backslash
/// escapes, so `"`, `#`, `<` and `>` become its entity codes (`#quot;`, `#35;`, `#lt;`,
/// `#gt;`; the rule is Mermaid's "entity codes to escape characters") and line breaks spaces.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The Mermaid id of the `n`th layer's subgraph (from 0): `layer-<n>`. A crate's id
/// ([`mermaid_id`]) never holds a `-`, so the two never meet, whatever the names.
pub fn mermaid_layer_id(n: usize) -> String {
    format!("layer-{n}")
}

/// A Mermaid id for each of `names`, as [`mermaid_id`] makes it, made unique in the order
/// given (`a_b`, then `a_b_2` for `a-b`): the ids of one diagram.
pub fn mermaid_ids<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> std::collections::BTreeMap<&'a str, String> {
    let mut taken = HashSet::new();
    let mut out = std::collections::BTreeMap::new();
    for name in names {
        if out.contains_key(name) {
            continue;
        }
        let base = mermaid_id(name);
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        out.insert(name, id);
    }
    out
}

/// A Mermaid node id for a name: every character but ASCII letters, digits and `_` made `_`,
/// and kept clear of the words Mermaid's flowchart grammar reads as syntax (`end`, `graph`,
/// `style`, `click`…) and of a leading digit, by a `c_` prefix. The generated ARCHITECTURE.md
/// and `trellis graph` both draw with it. (Unique ids among several names are the caller's.)
pub fn mermaid_id(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "style",
        "class",
        "classDef",
        "click",
        "linkStyle",
        "direction",
        "default",
    ];
    let mut id: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if RESERVED.contains(&id.as_str()) || id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "c_");
    }
    id
}
