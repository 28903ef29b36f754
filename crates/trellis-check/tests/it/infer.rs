//! `infer` on every feature fixture: the spec it prints (snapshot), that the spec parses, and
//! the round trip: `check` with the inferred spec reports nothing.

use trellis_check::report;

use crate::{check_with, model};

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
];

fn round_trip(name: &str) {
    let spec = trellis_check::infer::infer(&model(name), name);
    insta::assert_snapshot!(format!("infer_{name}"), spec);
    let checked = check_with(name, &spec);
    assert!(
        checked.diagnostics.is_empty(),
        "check with the inferred spec of `{name}` reports findings:\n{}",
        report::human(&checked.diagnostics, &checked.sources, false)
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
}

#[test]
fn every_feature_fixture_has_a_round_trip() {
    // The list above and FEATURES name the same fixtures.
    assert_eq!(FEATURES.len(), 12);
}

#[test]
fn members_a_spec_cannot_declare_are_left_out_with_a_reason() {
    let name = "unrepresentable";
    let spec = trellis_check::infer::infer(&model(name), name);
    insta::assert_snapshot!("infer_unrepresentable", spec);
    let checked = check_with(name, &spec);
    let found: Vec<(&str, &str)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.name, d.file.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        found,
        [
            ("undeclared-crate", "crates/gen/Cargo.toml"),
            ("undeclared-crate", "crates/outer/inner/Cargo.toml"),
            ("undeclared-crate", "Cargo.toml"),
        ]
    );
}
