use super::*;
use crate::actual::{Member, Workspace};

#[test]
fn requirements_are_written_as_people_write_them() {
    assert_eq!(short_req("^1"), "1");
    assert_eq!(short_req("^0.4.2"), "0.4.2");
    assert_eq!(short_req("=1.2.3"), "=1.2.3");
    assert_eq!(short_req(">=1, <2"), ">=1, <2");
    assert_eq!(short_req("^1, <1.5"), "^1, <1.5");
}

#[test]
fn the_most_common_value_wins_and_ties_keep_the_first() {
    assert_eq!(most_common(["1", "2", "2"].into_iter()), Some(("2", vec!["1"])));
    assert_eq!(most_common(["a", "b"].into_iter()), Some(("a", vec!["b"])));
    assert_eq!(most_common([].into_iter()), None);
}

#[test]
fn text_reaches_toml_safely() {
    for text in ["plain", "a \"b\" \\ c", "it's", "'\"\n", "tab\there", "{{ \"# */"] {
        let doc: toml_edit::DocumentMut =
            format!("x = {}", toml_str(text)).parse().expect("valid toml");
        assert_eq!(doc["x"].as_str(), Some(text));
    }
    assert_eq!(toml_key("serde_json-x"), "serde_json-x");
    assert_eq!(toml_key("a.b"), "\"a.b\"");
    assert_eq!(one_line("two\n  lines "), "two lines");
}

fn workspace(members: Vec<Member>) -> Workspace {
    Workspace { root: "/ws".into(), members }
}

#[test]
fn a_name_the_spec_refuses_is_left_out_and_the_rest_still_parses() {
    let ws = workspace(vec![
        Member::library("ok", "crates/ok", Vec::new()),
        Member::library("async", "crates/async", Vec::new()),
    ]);
    let text = infer(&ws, "t").expect("infer");
    assert!(text.contains("[crates.ok]"), "{text}");
    assert!(!text.contains("[crates.async]"), "{text}");
    assert!(
        text.contains(
            "# Member `async` at `crates/async` is not in this spec: the spec refuses it"
        ),
        "{text}"
    );
    trellis_spec::parse(&text, "Trellis.toml").expect("parses");
}

#[test]
fn a_workspace_with_nothing_to_declare_is_an_error() {
    let mut xtask = Member::library("xtask", "xtask", Vec::new());
    xtask.target_kinds = vec!["bin".to_owned()];
    assert_eq!(infer(&workspace(vec![xtask]), "t"), Err(InferError::NothingToDeclare));
    // A package at the root is declared with `path = "."`.
    let root = infer(&workspace(vec![Member::library("root", ".", Vec::new())]), "t").unwrap();
    assert!(root.contains("path = \".\""), "{root}");
}

#[test]
fn an_old_rust_version_for_the_edition_is_left_out() {
    let mut old = Member::library("a", "crates/a", Vec::new());
    old.rust_version = Some("1.70".to_owned());
    let text = infer(&workspace(vec![old]), "t").expect("infer");
    assert!(!text.contains("rust-version"), "{text}");
}

/// A normal edge on a member.
fn on(to: &str) -> crate::actual::Dep {
    crate::actual::Dep::on(to, EdgeKind::Normal)
}

/// The spec Trellis last applied, and some files.
struct Previous(&'static str, &'static [(&'static str, &'static str)]);

impl Sources for Previous {
    fn text(&self, path: &str) -> Option<String> {
        self.1.iter().find(|(p, _)| *p == path).map(|(_, t)| (*t).to_owned())
    }
    fn is_file(&self, path: &str) -> bool {
        self.1.iter().any(|(p, _)| *p == path)
    }
    fn rust_files(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        let names = self.1.iter().filter_map(|(p, _)| p.strip_prefix(&prefix));
        names.filter(|n| !n.contains('/') && n.ends_with(".rs")).map(str::to_owned).collect()
    }
    fn previous_spec(&self) -> Option<String> {
        Some(self.0.to_owned())
    }
}

const PREVIOUS: &str = r#"
[workspace]
name = "market"
summary = "Exports for small sellers"

[layers]
order = ["base", "domain", "edge"]

[crates.api]
layer = "edge"
depends = ["orders", "core"]

[crates.orders]
layer = "domain"
depends = ["core"]

[crates.core]
layer = "base"
"#;

#[test]
fn the_previous_spec_gives_the_name_summary_layers_and_orders_that_still_fit() {
    let ws = workspace(vec![
        Member::library("api", "crates/api", vec![on("core"), on("orders")]),
        Member::library("core", "crates/core", Vec::new()),
        Member::library("orders", "crates/orders", vec![on("core")]),
    ]);
    let text = infer_with(&ws, "folder", &Previous(PREVIOUS, &[])).expect("infer");
    let spec = trellis_spec::parse(&text, "Trellis.toml").expect("parses").spec;
    assert_eq!(spec.workspace.name, "market");
    assert_eq!(spec.workspace.summary, "Exports for small sellers");
    let layers: Vec<&str> = spec.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(layers, ["base", "domain", "edge"], "{text}");
    let crates: Vec<(&str, Option<&str>)> =
        spec.crates.iter().map(|c| (c.name.as_str(), c.layer.as_deref())).collect();
    assert_eq!(crates, [("api", Some("edge")), ("orders", Some("domain")), ("core", Some("base"))]);
    let api: Vec<&str> = spec.crates[0].depends.normal.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(api, ["orders", "core"], "{text}");
}

#[test]
fn layers_that_no_longer_fit_are_suggested_again() {
    // `core` now depends on `orders`, a higher layer of the previous spec.
    let upward = workspace(vec![
        Member::library("api", "crates/api", vec![on("core"), on("orders")]),
        Member::library("core", "crates/core", vec![on("orders")]),
        Member::library("orders", "crates/orders", Vec::new()),
    ]);
    let text = infer_with(&upward, "folder", &Previous(PREVIOUS, &[])).expect("infer");
    assert!(text.contains("order = [\"layer-0\", \"layer-1\", \"layer-2\"]"), "{text}");
    assert!(text.contains("name = \"market\""), "{text}");
    trellis_spec::parse(&text, "Trellis.toml").expect("parses");
    // A previous spec that does not parse says nothing.
    let ws = workspace(vec![Member::library("core", "crates/core", Vec::new())]);
    let text = infer_with(&ws, "folder", &Previous("[workspace", &[])).expect("infer");
    assert!(text.contains("name = \"folder\""), "{text}");
}

#[test]
fn a_new_crate_joins_the_lowest_layer_its_dependencies_allow() {
    // `extra` (new) depends on `orders`; `feed` (new) on nothing.
    let ws = workspace(vec![
        Member::library("api", "crates/api", vec![on("core"), on("orders")]),
        Member::library("core", "crates/core", Vec::new()),
        Member::library("extra", "crates/extra", vec![on("orders")]),
        Member::library("feed", "crates/feed", Vec::new()),
        Member::library("orders", "crates/orders", vec![on("core")]),
    ]);
    let text = infer_with(&ws, "folder", &Previous(PREVIOUS, &[])).expect("infer");
    let spec = trellis_spec::parse(&text, "Trellis.toml").expect("parses").spec;
    let layer = |name: &str| {
        let c = spec.crates.iter().find(|c| c.name.as_str() == name).expect(name);
        c.layer.as_deref().unwrap_or_default().to_owned()
    };
    assert_eq!(layer("extra"), "domain", "{text}");
    assert_eq!(layer("feed"), "base", "{text}");
    assert_eq!(layer("api"), "edge", "{text}");
}

#[test]
fn a_system_without_layers_gets_none() {
    let ws = workspace(vec![
        Member::library("core", "crates/core", Vec::new()),
        Member::library("orders", "crates/orders", vec![on("core")]),
    ]);
    let previous =
        "[workspace]\nname = \"flat\"\n\n[crates.core]\n\n[crates.orders]\ndepends = [\"core\"]\n";
    let text = infer_with(&ws, "folder", &Previous(previous, &[])).expect("infer");
    assert!(!text.contains("[layers]") && !text.contains("layer ="), "{text}");
    trellis_spec::parse(&text, "Trellis.toml").expect("parses");
}

#[test]
fn a_test_whose_requirement_the_previous_spec_dropped_declares_nothing() {
    const PENDING: &str = "//! CORE-9: the pending test of this requirement.

/// Gone.
#[test]
#[ignore = \"pending: CORE-9\"]
fn core_9() {
    todo!(\"CORE-9\")
}
";
    let ws = workspace(vec![Member::library("core", "crates/core", Vec::new())]);
    const FILES: &[(&str, &str)] = &[("crates/core/tests/requirements/core_9.rs", PENDING)];
    let text = infer_with(&ws, "t", &Previous(PREVIOUS, FILES)).expect("infer");
    assert!(!text.contains("id = \"CORE-9\""), "{text}");
    assert!(text.contains("# requirement `CORE-9` is left out"), "{text}");
    // Without a previous spec the test is all there is to go on.
    let text = infer_with(&ws, "t", &crate::infer::readback::NoSources).expect("infer");
    assert!(!text.contains("CORE-9"), "no files, no requirement: {text}");
}

#[test]
fn the_previous_kind_stays_while_cargo_still_sees_it() {
    // A lib whose spec made it a bin: `main.rs` beside the orphan `lib.rs`.
    let mut both = Member::library("core", "crates/core", Vec::new());
    both.target_kinds = vec!["lib".to_owned(), "bin".to_owned()];
    let previous = "[workspace]\nname = \"k\"\n\n[crates.core]\nkind = \"bin\"\n";
    let text =
        infer_with(&workspace(vec![both.clone()]), "k", &Previous(previous, &[])).expect("infer");
    assert!(text.contains("kind = \"bin\""), "{text}");
    // Without the previous spec, a lib with bins is a lib; with a kind cargo no longer sees,
    // cargo's.
    assert!(infer(&workspace(vec![both]), "k").unwrap().contains("kind = \"lib\""));
    let lib = Member::library("core", "crates/core", Vec::new());
    let text = infer_with(&workspace(vec![lib]), "k", &Previous(previous, &[])).expect("infer");
    assert!(text.contains("kind = \"lib\""), "{text}");
}
