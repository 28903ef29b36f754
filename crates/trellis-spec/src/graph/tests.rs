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
