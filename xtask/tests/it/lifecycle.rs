//! A workspace's life through the binary: generated, checked clean, traced, drifted by hand,
//! caught by `check`, and described again by `infer`.

use std::fs;

use crate::cli::{self, session};
use crate::{outcome, xtask};

const SPEC: &str = r#"
[workspace]
name = "shop"

[layers]
order = ["core", "app"]

[crates.money]
layer = "core"
requirements = [{ id = "MON-1", text = "Amounts are integers." }]

[crates.orders]
layer = "core"
depends = ["money"]

[crates.api]
kind = "bin"
layer = "app"
depends = ["orders"]
requirements = [{ id = "API-1", text = "Errors are problem details." }]
"#;

#[test]
fn generated_checked_traced_drifted_caught_and_inferred() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("spec.toml"), SPEC).unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");

    // Fresh from `new`: nothing to report, and every requirement is pending.
    let fresh = cli::xtask(dir, &["check", "--root", "ws"]);
    let trace = cli::xtask(dir, &["trace", "--root", "ws", "--format", "json"]);
    assert_eq!(trace.code, Some(0), "{trace}");
    let totals = &trace.json()["totals"];
    assert_eq!((totals["pending"].as_u64(), totals["covered"].as_u64()), (Some(2), Some(0)));
    // Pending requirements fail only a strict check.
    let strict = cli::xtask(dir, &["check", "--root", "ws", "--strict"]);

    // A person covers MON-1 with a real test: it is covered, and the strict check drops it.
    let test = dir.join("ws/crates/money/tests/requirements/mon_1.rs");
    let covered =
        fs::read_to_string(&test).unwrap().replace("#[ignore = \"pending: MON-1\"]\n", "");
    fs::write(&test, covered.replace("todo!(\"MON-1\")", "assert_eq!(1 + 1, 2);")).unwrap();
    let totals = &cli::xtask(dir, &["trace", "--root", "ws", "--format", "json"]).json()["totals"];
    assert_eq!(totals["covered"].as_u64(), Some(1));

    // Someone adds an edge from the core layer up to the api binary's layer, by hand.
    let manifest = dir.join("ws/crates/money/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace("[lints]", "[dependencies]\norders.workspace = true\n\n[lints]"),
    )
    .unwrap();
    let drifted = cli::xtask(dir, &["check", "--root", "ws"]);
    let output = cli::xtask(dir, &["check", "--root", "ws", "--format", "json"]);
    assert_eq!(output.code, Some(1), "{output}");
    let findings = output.json()["findings"].as_array().unwrap().clone();
    let names: Vec<&str> = findings.iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(names.contains(&"cycle") || names.contains(&"undeclared-edge"), "{findings:#?}");
    let edge = findings.iter().find(|f| f["file"].as_str() == Some("ws/crates/money/Cargo.toml"));
    assert!(edge.is_some_and(|f| f["line"].as_u64().is_some()), "{findings:#?}");

    // `infer` describes the workspace as it now is; checked against that, it is clean.
    let inferred = cli::xtask(dir, &["infer", "--root", "ws"]);
    fs::write(dir.join("ws/Trellis.toml"), &inferred.stdout).unwrap();
    let clean = cli::xtask(dir, &["check", "--root", "ws"]);
    insta::assert_snapshot!(session([&fresh, &strict, &drifted, &inferred, &clean]));
}

#[test]
fn check_without_a_spec_suggests_infer() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let (code, stderr) = outcome(&xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");
    fs::remove_file(tmp.path().join("ws/Trellis.toml")).unwrap();
    insta::assert_snapshot!(cli::xtask(tmp.path(), &["check", "--root", "ws"]));
}

#[test]
fn a_workspace_folder_that_does_not_exist_is_an_input_error_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for command in ["plan", "apply", "check", "graph", "infer", "trace"] {
        runs.push(cli::xtask(tmp.path(), &[command, "--root", "nowhere"]));
        assert!(!tmp.path().join("nowhere").exists(), "{command} created the folder");
    }
    insta::assert_snapshot!(session(&runs));
}

#[test]
fn the_specs_own_warnings_are_findings_of_check_in_both_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    fs::create_dir_all(ws.join("core/src")).unwrap();
    fs::write(ws.join("Cargo.toml"), "[workspace]\nmembers = [\"core\"]\nresolver = \"2\"\n")
        .unwrap();
    fs::write(
        ws.join("core/Cargo.toml"),
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(ws.join("core/src/lib.rs"), "").unwrap();
    let spec = xtask(ws, &["infer"]);
    fs::write(ws.join("Trellis.toml"), &spec.stdout).unwrap();
    insta::assert_snapshot!(cli::xtask(ws, &["check"]));
    let doc = cli::xtask(ws, &["check", "--format", "json"]).json();
    assert_eq!(doc["summary"]["warnings"], 1, "{doc}");
    assert_eq!(doc["findings"][0]["code"], "S007", "{doc}");
}
