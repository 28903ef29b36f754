use super::*;

#[test]
fn components_find_cycles_and_leave_the_rest_alone() {
    // 0 -> 1 -> 2 -> 0, 2 -> 3, 4 -> 4
    let graph = vec![vec![1], vec![2], vec![0, 3], vec![], vec![4]];
    assert_eq!(strongly_connected(&graph), vec![vec![0, 1, 2], vec![3], vec![4]]);
}

#[test]
fn the_shortest_cycle_through_the_smallest_node_is_named() {
    // 0 -> 1 -> 2 -> 0 and the shortcut 0 -> 2.
    let graph = vec![vec![1, 2], vec![2], vec![0]];
    assert_eq!(shortest_cycle(&graph, &[0, 1, 2]), vec![0, 2]);
    assert_eq!(shortest_cycle(&[vec![0]], &[0]), vec![0]);
}

#[test]
fn depth_counts_the_longest_way_down() {
    // 0 -> 1 -> 2, 0 -> 2, 3 alone
    let graph = vec![vec![1, 2], vec![2], vec![], vec![]];
    assert_eq!(depths(&graph), vec![2, 1, 0, 0]);
}

#[test]
fn a_deep_chain_does_not_overflow_the_stack() {
    let n = 100_000;
    let graph: Vec<Vec<usize>> =
        (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
    assert_eq!(strongly_connected(&graph).len(), n);
    assert_eq!(depths(&graph)[0], n - 1);
}

#[test]
fn the_reduction_drops_shortcuts_and_keeps_the_rest() {
    // 0 -> 1 -> 2, the shortcut 0 -> 2, and 0 -> 3 -> 2 (a second way, not a shortcut).
    let graph = vec![vec![1, 2, 3], vec![2], vec![], vec![2]];
    assert_eq!(transitive_reduction(&graph), vec![vec![1, 3], vec![2], vec![], vec![2]]);
    // A repeated edge is kept or dropped with its twin.
    let graph = vec![vec![1, 1, 2, 2], vec![2], vec![]];
    assert_eq!(transitive_reduction(&graph), vec![vec![1, 1], vec![2], vec![]]);
}

#[test]
fn the_reduction_keeps_a_cycle_whole_and_reduces_around_it() {
    // 0 -> 1 -> 2 -> 0 with the chord 0 -> 2; 0 -> 3 and 1 -> 3 leave the cycle; 4 -> 0,
    // 4 -> 3 (implied through the cycle); 5 -> 5 alone.
    let graph = vec![vec![1, 2, 3], vec![2, 3], vec![0], vec![], vec![0, 3], vec![5]];
    assert_eq!(
        transitive_reduction(&graph),
        vec![vec![1, 2, 3], vec![2, 3], vec![0], vec![], vec![0], vec![5]]
    );
}

#[test]
fn a_deep_chain_reduces_to_itself() {
    let n = 10_000;
    let graph: Vec<Vec<usize>> =
        (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
    assert_eq!(transitive_reduction(&graph), graph);
}

/// Which nodes each node reaches by one edge or more, by a search from each.
fn closure(graph: &[Vec<usize>]) -> Vec<Vec<bool>> {
    (0..graph.len())
        .map(|start| {
            let mut seen = vec![false; graph.len()];
            let mut stack = graph[start].clone();
            while let Some(v) = stack.pop() {
                if !std::mem::replace(&mut seen[v], true) {
                    stack.extend(&graph[v]);
                }
            }
            seen
        })
        .collect()
}

proptest::proptest! {
    /// On random DAGs: the reduction reaches what the graph reaches, keeps only edges of the
    /// graph, and none of its edges is implied by a longer path of its own.
    #[test]
    fn the_reduction_of_a_dag_is_minimal_and_reaches_the_same(
        edges in proptest::collection::vec((0usize..12, 0usize..12), 0..40),
    ) {
        let mut graph = vec![Vec::new(); 12];
        for (a, b) in edges {
            if a < b {
                graph[b].push(a);
            }
        }
        let reduced = transitive_reduction(&graph);
        proptest::prop_assert_eq!(closure(&reduced), closure(&graph));
        for (v, next) in reduced.iter().enumerate() {
            for &w in next {
                proptest::prop_assert!(graph[v].contains(&w));
                let mut without = reduced.clone();
                without[v].retain(|&x| x != w);
                proptest::prop_assert!(!closure(&without)[v][w], "{v} -> {w} is implied");
            }
        }
    }
}

#[test]
fn mermaid_labels_hold_any_text_and_layer_ids_never_meet_crate_ids() {
    assert_eq!(mermaid_label("plain name"), "plain name");
    assert_eq!(
        mermaid_label("the \"core\" <layer> #1"),
        "the #quot;core#quot; #lt;layer#gt; #35;1"
    );
    assert_eq!(mermaid_label("two\nlines"), "two lines");
    // A crate id never holds `-`; a layer's always does.
    assert!(mermaid_layer_id(0).contains('-'));
    for name in ["layer-0", "layer_0", "end", "a-b"] {
        assert!(!mermaid_id(name).contains('-'), "{name}");
    }
}
