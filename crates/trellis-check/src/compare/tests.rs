use std::collections::BTreeMap;

use super::*;
use crate::actual::{Dep, DepSource, Member, Workspace};

fn on(to: &str, kind: EdgeKind) -> Dep {
    Dep::on(to, kind)
}

fn workspace(mut members: Vec<Member>) -> Workspace {
    members.sort_by(|a, b| a.name.cmp(&b.name));
    Workspace { root: "/ws".into(), members }
}

fn codes(spec: &str, ws: &Workspace) -> Vec<&'static str> {
    let spec = trellis_spec::parse(spec, "Trellis.toml").expect("valid spec").spec;
    let manifests: BTreeMap<String, String> = BTreeMap::new();
    compare(&spec, ws, &manifests, Names::default()).iter().map(|d| d.code.name).collect()
}

const LAYERED: &str = r#"
[workspace]
name = "t"

[layers]
order = ["low", "high"]

[crates.a]
kind = "lib"
layer = "low"

[crates.b]
kind = "lib"
layer = "high"
"#;

#[test]
fn an_allowance_the_spec_needs_for_a_declared_edge_is_in_use() {
    let spec = format!(
        "{}depends = []\n\n[[allow]]\nfrom = \"a\"\nto = \"b\"\nreason = \"r\"\n",
        LAYERED.replace("layer = \"low\"\n", "layer = \"low\"\ndepends = [\"b\"]\n")
    );
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![on("b", EdgeKind::Normal)]),
        Member::library("b", "crates/b", vec![]),
    ]);
    assert_eq!(codes(&spec, &ws), Vec::<&str>::new());
}

#[test]
fn an_undeclared_dev_edge_up_the_layers_is_only_undeclared() {
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![on("b", EdgeKind::Dev)]),
        Member::library("b", "crates/b", vec![]),
    ]);
    assert_eq!(codes(LAYERED, &ws), ["undeclared-edge"]);
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![on("b", EdgeKind::Build)]),
        Member::library("b", "crates/b", vec![]),
    ]);
    assert_eq!(codes(LAYERED, &ws), ["layer-violation"]);
}

#[test]
fn the_own_xtask_is_no_stranger_but_an_xtask_elsewhere_is() {
    let xtask = |dir: &str| {
        let mut m = Member::library("xtask", dir, vec![on("a", EdgeKind::Normal)]);
        m.target_kinds = vec!["bin".to_owned()];
        m
    };
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![]),
        Member::library("b", "crates/b", vec![]),
        xtask("xtask"),
    ]);
    assert_eq!(codes(LAYERED, &ws), Vec::<&str>::new());
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![]),
        Member::library("b", "crates/b", vec![]),
        xtask("tools/xtask"),
    ]);
    assert_eq!(codes(LAYERED, &ws), ["undeclared-crate"]);
}

#[test]
fn a_finding_whose_manifest_cannot_be_read_still_names_the_file() {
    let spec = trellis_spec::parse(LAYERED, "Trellis.toml").expect("valid").spec;
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![on("b", EdgeKind::Dev)]),
        Member::library("b", "crates/b", vec![]),
    ]);
    let none: BTreeMap<String, String> = BTreeMap::new();
    let names = Names { spec_file: "../t/Trellis.toml", root: "../t" };
    let found = compare(&spec, &ws, &none, names);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].file.as_deref(), Some("../t/crates/a/Cargo.toml"));
    assert_eq!(found[0].primary, None);
}

#[test]
fn an_external_crate_is_matched_by_key_or_by_package() {
    let spec = r#"
[workspace]
name = "t"

[dependencies]
json = { version = "1", package = "serde_json" }

[crates.a]
kind = "lib"
uses = ["json"]
"#;
    let mut dep = on("serde_json", EdgeKind::Normal);
    dep.source = DepSource::Registry(None);
    let ws = workspace(vec![Member::library("a", "crates/a", vec![dep.clone()])]);
    assert_eq!(codes(spec, &ws), Vec::<&str>::new());
    dep.key = "sj".to_owned();
    let ws = workspace(vec![Member::library("a", "crates/a", vec![dep])]);
    assert_eq!(codes(spec, &ws), Vec::<&str>::new());
}

#[test]
fn a_self_dependency_is_a_cycle() {
    let ws = workspace(vec![
        Member::library("a", "crates/a", vec![on("a", EdgeKind::Normal)]),
        Member::library("b", "crates/b", vec![]),
    ]);
    let spec = trellis_spec::parse(LAYERED, "Trellis.toml").expect("valid").spec;
    let found = compare(&spec, &ws, &BTreeMap::new(), Names::default());
    let cycle = found.iter().find(|d| d.code == codes::CYCLE).expect("a cycle");
    assert_eq!(cycle.message, "dependency cycle: a -> a");
}

#[test]
fn an_external_crate_is_the_spec_s_only_when_its_package_is_too() {
    let registry = |key: &str, package: &str| Dep {
        key: key.to_owned(),
        package: package.to_owned(),
        source: DepSource::Registry(None),
        req: "^1".to_owned(),
        ..on(key, EdgeKind::Normal)
    };
    let spec = |pin: &str| {
        format!(
            "[workspace]\nname = \"t\"\n\n[dependencies]\nserde = {pin}\n\n[crates.a]\nuses = [\"serde\"]\n"
        )
    };
    let ws = workspace(vec![Member::library(
        "a",
        "crates/a",
        vec![registry("serde", "serde-json-core")],
    )]);
    assert_eq!(
        codes(&spec("{ version = \"1\", package = \"serde-json-core\" }"), &ws),
        Vec::<&str>::new()
    );
    // The same key naming another package is not the spec's `serde`.
    assert_eq!(codes(&spec("\"1\""), &ws), ["undeclared-dependency", "missing-use"]);
}
