//! `check`: findings on the drifted fixtures, in both formats, and cargo failures.

use trellis_check::{Cargo, MetadataError, report};

use crate::{check, fixture};

#[test]
fn drift_reports_every_finding() {
    let checked = check("drift");
    insta::assert_snapshot!(
        "drift_human",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
    insta::assert_snapshot!(
        "drift_json",
        report::json_text(&checked.diagnostics, &checked.sources)
    );
}

#[test]
fn allow_silences_one_finding_and_a_rotten_one_is_reported() {
    let checked = check("allow");
    insta::assert_snapshot!(
        "allow_human",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
    insta::assert_snapshot!(
        "allow_json",
        report::json_text(&checked.diagnostics, &checked.sources)
    );
}

#[test]
fn broken_manifest_fails_with_cargos_message_and_a_hint() {
    let error = trellis_check::read_metadata(&fixture("broken-manifest"), &Cargo::from_env())
        .expect_err("cargo cannot read a broken manifest");
    let error @ MetadataError::Cargo { .. } = &error else {
        panic!("expected a cargo failure, got {error:?}")
    };
    let text = error.to_string();
    assert!(text.contains("failed to load manifest for workspace member"), "{text}");
    assert!(text.contains("crates/bad"), "{text}");
    assert!(error.hint().starts_with("fix the manifest cargo names above"), "{}", error.hint());
}

#[test]
fn toolchain_file_naming_a_missing_toolchain_fails_with_rustups_message() {
    // Through rustup's `cargo` proxy, which reads the toolchain file; `CARGO` (a toolchain's
    // own cargo) would ignore it.
    if std::process::Command::new("rustup").arg("--version").output().is_err() {
        return; // without rustup, nothing reads toolchain files
    }
    let cargo = Cargo { program: "cargo".into(), offline: true, workspace_toolchain: true };
    let error = trellis_check::read_metadata(&fixture("missing-toolchain"), &cargo)
        .expect_err("the pinned toolchain is not installed");
    let text = error.to_string();
    assert!(text.contains("1.61.0") && text.contains("not installed"), "{text}");
    assert!(!text.contains("Stack backtrace"), "{text}");
    assert!(error.hint().contains("rust-toolchain.toml"), "{}", error.hint());
}

#[test]
fn a_folder_that_is_no_workspace_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let error =
        trellis_check::read_metadata(dir.path(), &Cargo::from_env()).expect_err("no manifest");
    assert!(error.hint().contains("is not a cargo workspace"), "{error}: {}", error.hint());
}

#[test]
fn warnings_alone_do_not_fail() {
    let text = std::fs::read_to_string(fixture("drift").join("Trellis.toml")).expect("spec");
    let checked = check("drift");
    let warnings: Vec<_> = checked.diagnostics.iter().filter(|d| !d.is_error()).collect();
    assert_eq!(warnings.len(), 4, "{text}");
    let only_warnings = trellis_check::Checked {
        diagnostics: warnings.into_iter().cloned().collect(),
        sources: checked.sources.clone(),
        notes: Vec::new(),
        results: None,
        layout: checked.layout.clone(),
    };
    assert!(!only_warnings.has_errors());
    assert_eq!(report::summary(&only_warnings.diagnostics), "check: 0 errors, 4 warnings");
}

#[test]
fn the_json_report_has_every_documented_field() {
    let checked = check("drift");
    let value: serde_json::Value =
        serde_json::from_str(&report::json_text(&checked.diagnostics, &checked.sources))
            .expect("json");
    assert_eq!(value["schema_version"], 1);
    let keys: Vec<&str> =
        value["findings"][0].as_object().expect("object").keys().map(String::as_str).collect();
    for key in [
        "code",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "hint",
    ] {
        assert!(keys.contains(&key), "missing `{key}` in {keys:?}");
    }
    assert_eq!(value["summary"]["errors"], 13);
    assert_eq!(value["summary"]["warnings"], 4);
}

#[test]
fn every_code_is_reported_by_the_drift_fixture_and_documented() {
    let checked = check("drift");
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/check.md"))
        .expect("docs/check.md");
    for code in trellis_check::codes::ALL {
        // C016 depends on today's date: the unit tests of `compare::rules` and the CLI's
        // `rules.rs`, which fix it, report it.
        let reported = checked.diagnostics.iter().any(|d| d.code == code)
            || (code == trellis_check::codes::UNUSED_ALLOWANCE)
            || (code == trellis_check::codes::EXPIRING_ALLOWANCE);
        assert!(reported, "the drift fixture does not trigger {}", code.id);
        assert!(
            docs.contains(&format!("`{}` {}", code.id, code.name)),
            "docs/check.md lacks `{}` {}",
            code.id,
            code.name
        );
    }
}

#[test]
fn a_member_folder_is_not_taken_for_the_workspace_root() {
    let error =
        trellis_check::read_metadata(&fixture("drift").join("crates/api"), &Cargo::from_env())
            .expect_err("a member is not a root");
    assert!(matches!(error, MetadataError::NotRoot { .. }), "{error:?}");
    assert!(error.hint().starts_with("pass the root: `--root "), "{}", error.hint());
}

#[test]
fn a_clean_workspace_in_both_formats() {
    let spec = trellis_check::infer::infer(&crate::model("lib-bins"), "lib-bins").expect("infer");
    let checked = crate::check_with("lib-bins", &spec);
    insta::assert_snapshot!(
        "clean_human",
        anstream::adapter::strip_str(&report::human(&checked.diagnostics, &checked.sources))
            .to_string()
    );
    insta::assert_snapshot!(
        "clean_json",
        report::json_text(&checked.diagnostics, &checked.sources)
    );
}
