//! The comparisons of `diff`, on specs written here.

use super::render::{crate_line, edge_line, md_cell, requirement_change};
use super::*;

fn spec(text: &str) -> Spec {
    trellis_spec::parse(text, "Trellis.toml").expect("a valid spec").spec
}

const BASE: &str = r#"
[workspace]
name = "shop"

[layers]
order = ["core", "app"]

[crates.money]
layer = "core"
requirements = [{ id = "M-1", text = "Amounts in minor units" }, { id = "M-2", text = "Gone soon" }]

[crates.books]
layer = "core"
depends = ["money"]

[crates.web]
layer = "app"
depends = ["books", "money"]
"#;

const NOW: &str = r#"
[workspace]
name = "shop"

[layers]
order = ["core", "app"]

[crates.money]
layer = "core"
requirements = [{ id = "M-1", text = "Amounts in minor units, never floats" }, { id = "M-3", text = "New" }]

[crates.books]
layer = "app"
depends = ["money"]

[crates.api]
layer = "app"
depends = ["books"]
dev-depends = ["money"]
"#;

#[test]
fn crates_added_removed_and_moved_between_layers() {
    let changes = crate_changes(Some(&spec(BASE)), &spec(NOW));
    let lines: Vec<String> = changes.iter().map(crate_line).collect();
    assert_eq!(
        lines,
        [
            "crate added: api (layer app)",
            "crate moved: books from layer core to layer app",
            "crate removed: web (layer app)",
        ]
    );
    // No spec at the base: every crate is new.
    assert_eq!(crate_changes(None, &spec(NOW)).len(), 3);
}

#[test]
fn requirements_added_reworded_and_removed() {
    let changes = requirement_changes(Some(&spec(BASE)), &spec(NOW));
    let kinds: Vec<(&str, &str)> =
        changes.iter().map(|r| (r.id.as_str(), requirement_change(r))).collect();
    assert_eq!(kinds, [("M-1", "reworded"), ("M-2", "removed"), ("M-3", "added")]);
}

#[test]
fn edges_compare_the_spec_and_cargo_apart() {
    let declared_base = edge_set(&graph::declared(&spec(BASE)));
    let declared_now = edge_set(&graph::declared(&spec(NOW)));
    // Cargo's graph at the base had an edge the spec did not declare, gone now.
    let mut actual_base = declared_base.clone();
    actual_base.insert(("books".into(), "web".into(), EdgeKind::Normal));
    let changes = edge_changes(&declared_base, &declared_now, Some(&actual_base), &declared_now);
    let lines: Vec<String> = changes.iter().map(edge_line).collect();
    assert_eq!(
        lines,
        [
            "edge api -> books: added in the spec, added in cargo's graph",
            "edge api -> money (dev): added in the spec, added in cargo's graph",
            "edge books -> web: removed in cargo's graph",
            "edge web -> books: removed in the spec, removed in cargo's graph",
            "edge web -> money: removed in the spec, removed in cargo's graph",
        ]
    );
    // Without the base's cargo graph, only the spec's side is compared.
    let spec_only = edge_changes(&declared_base, &declared_now, None, &declared_now);
    assert!(spec_only.iter().all(|e| e.actual.is_none()));
    assert_eq!(spec_only.len(), 4);
}

#[test]
fn markdown_cells_hold_any_text_on_one_line() {
    assert_eq!(md_cell("a | b\nc <d>"), "a \\| b c &lt;d>");
}
