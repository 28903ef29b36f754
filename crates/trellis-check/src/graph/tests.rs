use super::*;

fn node(name: &str) -> Node {
    Node { name: name.to_owned(), layer: None, side: Side::Both, kind: NodeKind::Crate }
}

#[test]
fn mermaid_ids_avoid_keywords_digits_and_collisions() {
    let graph = Graph {
        layers: Vec::new(),
        nodes: vec![node("end"), node("a-b"), node("a_b"), node("9lives")],
        edges: vec![GraphEdge {
            from: "end".into(),
            to: "a-b".into(),
            kind: EdgeKind::Build,
            side: Side::SpecOnly,
        }],
    };
    let text = render(&graph, Format::Mermaid);
    assert!(text.contains("    c_end[\"end\"]\n"), "{text}");
    assert!(text.contains("    a_b[\"a-b\"]\n    a_b_2[\"a_b\"]\n"), "{text}");
    assert!(text.contains("    c_9lives[\"9lives\"]\n"), "{text}");
    assert!(text.contains("    c_end ==>|build, missing| a_b\n"), "{text}");
    assert!(text.contains("    linkStyle 0 stroke:#d33,stroke-dasharray:4 4\n"), "{text}");
}

#[test]
fn dot_escapes_names_and_marks_sides() {
    let graph = Graph {
        layers: vec!["low".into()],
        nodes: vec![Node {
            name: "a\"b".into(),
            layer: Some("low".into()),
            side: Side::ActualOnly,
            kind: NodeKind::Crate,
        }],
        edges: vec![GraphEdge {
            from: "a\"b".into(),
            to: "a\"b".into(),
            kind: EdgeKind::Dev,
            side: Side::Both,
        }],
    };
    let text = render(&graph, Format::Dot);
    assert!(text.contains("subgraph cluster_0 {\n        label=\"low\";\n        \"a\\\"b\" [color=orange, xlabel=\"undeclared\"];"), "{text}");
    assert!(text.contains("\"a\\\"b\" -> \"a\\\"b\" [style=dotted, label=\"dev\"];"), "{text}");
}
