//! `graph`: declared, actual and diff pictures of the drifted fixture, in both formats.

use trellis_check::graph::{self, Format};

use crate::{fixture, model};

fn drift_spec() -> trellis_spec::Spec {
    let text =
        std::fs::read_to_string(fixture("drift").join("Trellis.toml")).expect("fixture spec");
    trellis_spec::parse(&text, "Trellis.toml").expect("the drift spec is valid").spec
}

#[test]
fn declared_graph() {
    let g = graph::declared(&drift_spec());
    insta::assert_snapshot!("declared_mermaid", graph::render(&g, Format::Mermaid));
    insta::assert_snapshot!("declared_dot", graph::render(&g, Format::Dot));
}

#[test]
fn actual_graph() {
    let spec = drift_spec();
    let g = graph::actual(&model("drift"), Some(&spec));
    insta::assert_snapshot!("actual_mermaid", graph::render(&g, Format::Mermaid));
    insta::assert_snapshot!("actual_dot", graph::render(&g, Format::Dot));
}

#[test]
fn actual_graph_without_a_spec_has_no_layers() {
    let g = graph::actual(&model("build-deps"), None);
    insta::assert_snapshot!("actual_no_spec_mermaid", graph::render(&g, Format::Mermaid));
}

#[test]
fn diff_graph_marks_each_side() {
    let g = graph::diff(&drift_spec(), &model("drift"));
    insta::assert_snapshot!("diff_mermaid", graph::render(&g, Format::Mermaid));
    insta::assert_snapshot!("diff_dot", graph::render(&g, Format::Dot));
}

/// The declared graph of `layered`, a spec with edges that longer paths already imply.
fn layered() -> graph::Graph {
    let text =
        std::fs::read_to_string(fixture("layered").join("Trellis.toml")).expect("fixture spec");
    let spec = trellis_spec::parse(&text, "Trellis.toml").expect("the layered spec is valid").spec;
    graph::declared(&spec)
}

#[test]
fn reduced_graph_drops_implied_edges_and_keeps_dev_ones() {
    let g = graph::reduce(&layered());
    insta::assert_snapshot!("reduced_mermaid", graph::render(&g, Format::Mermaid));
    insta::assert_snapshot!("reduced_dot", graph::render(&g, Format::Dot));
}

#[test]
fn reduced_diff_keeps_every_marked_edge() {
    let g = graph::reduce(&graph::diff(&drift_spec(), &model("drift")));
    insta::assert_snapshot!("reduced_diff_mermaid", graph::render(&g, Format::Mermaid));
}

#[test]
fn layer_view_folds_other_layers_into_one_node_each() {
    let g = graph::layer(&layered(), "domain").expect("a layer of the spec");
    insta::assert_snapshot!("layer_domain_mermaid", graph::render(&g, Format::Mermaid));
    insta::assert_snapshot!("layer_domain_dot", graph::render(&g, Format::Dot));
    let g = graph::layer(&graph::reduce(&layered()), "app").expect("a layer of the spec");
    insta::assert_snapshot!("layer_app_reduced_mermaid", graph::render(&g, Format::Mermaid));
    assert_eq!(graph::layer(&layered(), "nope"), None);
}
