//! `infer` on every feature fixture: the spec it prints (snapshot), that the spec parses, and
//! the round trip: `check` with the inferred spec reports nothing.

use trellis_check::{Cargo, Workspace, graph, report};
use trellis_spec::EdgeKind;

use crate::{check_with, fixture, model};

/// Every fixture that cargo can read and that has no spec of its own.
pub(crate) const FEATURES: &[&str] = &[
    "globs-exclude",
    "outside-crates",
    "renamed",
    "optional",
    "target-specific",
    "build-deps",
    "dev-cycle",
    "proc-macro",
    "cdylib",
    "lib-bins",
    "nested",
    "inherit",
    "externals",
];

fn round_trip(name: &str) {
    let spec = trellis_check::infer::infer(&model(name), name).expect("infer");
    insta::assert_snapshot!(format!("infer_{name}"), spec);
    let checked = check_with(name, &spec);
    assert!(
        checked.diagnostics.is_empty(),
        "check with the inferred spec of `{name}` reports findings:\n{}",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
    let parsed = trellis_spec::parse(&spec, "Trellis.toml").expect("parses").spec;
    let picture = graph::actual(&model(name), Some(&parsed));
    insta::assert_snapshot!(
        format!("graph_{name}"),
        graph::render(&picture, graph::Format::Mermaid)
    );
}

macro_rules! round_trips {
    ($($test:ident => $fixture:literal,)*) => {$(
        #[test]
        fn $test() {
            round_trip($fixture);
        }
    )*};
}

round_trips! {
    globs_and_exclude => "globs-exclude",
    members_outside_crates => "outside-crates",
    renamed_dependencies => "renamed",
    optional_dependencies => "optional",
    target_specific_dependencies => "target-specific",
    build_dependencies_and_build_script => "build-deps",
    dev_dependency_cycle => "dev-cycle",
    proc_macro => "proc-macro",
    cdylib_staticlib_dylib => "cdylib",
    lib_with_several_bins => "lib-bins",
    nested_workspace_and_non_member_path_dependencies => "nested",
    workspace_inheritance_and_own_xtask => "inherit",
    external_crates_from_registries_git_and_several_versions => "externals",
}

#[test]
fn every_feature_fixture_has_a_round_trip() {
    // The list above and FEATURES name the same fixtures.
    assert_eq!(FEATURES.len(), 13);
}

#[test]
fn members_a_spec_cannot_declare_are_left_out_with_a_reason() {
    let name = "unrepresentable";
    let spec = trellis_check::infer::infer(&model(name), name).expect("infer");
    insta::assert_snapshot!("infer_unrepresentable", spec);
    let checked = check_with(name, &spec);
    let found: Vec<(&str, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.name, d.file.as_deref().unwrap_or("")))
        .collect();
    // A package at the root and one nested in another's folder are declared now; `gen` is a
    // keyword of the edition most members use (2024), which the spec applies to every crate.
    assert_eq!(found, [("undeclared-crate", "crates/gen/Cargo.toml")]);
}

/// The internal graph as cargo sees it: members (without the own xtask) and edges by kind.
fn internal_graph(
    workspace: &trellis_check::Workspace,
) -> (Vec<String>, Vec<(String, String, EdgeKind)>) {
    let members =
        workspace.members.iter().filter(|m| !m.is_own_xtask()).map(|m| m.name.clone()).collect();
    let edges = workspace
        .edges()
        .into_iter()
        .filter(|e| e.from != trellis_check::XTASK && e.to != trellis_check::XTASK)
        .map(|e| (e.from.to_owned(), e.to.to_owned(), e.kind))
        .collect();
    (members, edges)
}

/// The second half of the round trip: `new` from the inferred spec gives a skeleton whose
/// internal graph, as cargo metadata reports it, equals the original's.
fn new_from_inferred(name: &str) {
    let original = model(name);
    let text = trellis_check::infer::infer(&original, name).expect("infer");
    let spec = trellis_spec::parse(&text, "Trellis.toml").expect("inferred specs parse").spec;
    let files = trellis_render::render(&spec, &text, &trellis_render::Templates::embedded())
        .expect("the inferred spec renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join(name);
    trellis_sync::create(&out, &files).expect("new writes the skeleton");
    // Path crates outside the members come along, as they would in a real repository.
    for ext in spec.dependencies.values() {
        if let Some(path) = &ext.path {
            copy_tree(&fixture(name).join(path), &out.join(path));
        }
    }
    let metadata = trellis_check::read_metadata(&out, &Cargo::from_env())
        .unwrap_or_else(|e| panic!("cargo metadata on the skeleton of `{name}`: {e}"));
    let checked = trellis_check::check_metadata(&spec, &text, &metadata, Default::default());
    assert!(
        checked.diagnostics.is_empty(),
        "check on the skeleton of `{name}` reports findings:\n{}",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
    let skeleton = Workspace::from_metadata(&metadata);
    assert_eq!(
        internal_graph(&skeleton),
        internal_graph(&original),
        "the skeleton of `{name}` has another graph"
    );
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn new_from_every_inferred_spec_has_the_original_graph() {
    for name in FEATURES {
        new_from_inferred(name);
    }
}

#[test]
fn a_cycle_becomes_allowances_and_check_with_them_is_clean() {
    let spec = trellis_check::infer::infer(&model("drift"), "drift").expect("infer");
    assert!(spec.contains("[[allow]]\nfrom = \"api\"\nto = \"store\""), "{spec}");
    assert!(spec.contains("[[allow]]\nfrom = \"store\"\nto = \"api\""), "{spec}");
    let checked = check_with("drift", &spec);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
}
