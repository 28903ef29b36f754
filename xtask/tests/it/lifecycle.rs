//! A workspace's life through the binary: generated, checked clean, traced, drifted by hand,
//! caught by `check`, and described again by `infer`.

use std::fs;

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

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("stdout is not JSON ({e}):\n{}", String::from_utf8_lossy(&output.stdout))
    })
}

#[test]
fn generated_checked_traced_drifted_caught_and_inferred() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("spec.toml"), SPEC).unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");

    // Fresh from `new`: nothing to report, and every requirement is pending.
    let (code, stderr) = outcome(&xtask(dir, &["check", "--workspace", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");
    let trace = xtask(dir, &["trace", "--workspace", "ws", "--format", "json"]);
    assert_eq!(trace.status.code(), Some(0));
    let totals = &json(&trace)["totals"];
    assert_eq!((totals["pending"].as_u64(), totals["covered"].as_u64()), (Some(2), Some(0)));
    // Pending requirements fail only a strict check.
    let (code, _) = outcome(&xtask(dir, &["check", "--workspace", "ws", "--strict"]));
    assert_eq!(code, Some(1));

    // A person covers MON-1 with a real test: it is covered, and the strict check drops it.
    let test = dir.join("ws/crates/money/tests/requirements/mon_1.rs");
    let covered =
        fs::read_to_string(&test).unwrap().replace("#[ignore = \"pending: MON-1\"]\n", "");
    fs::write(&test, covered.replace("todo!(\"MON-1\")", "assert_eq!(1 + 1, 2);")).unwrap();
    let totals = &json(&xtask(dir, &["trace", "--workspace", "ws", "--format", "json"]))["totals"];
    assert_eq!(totals["covered"].as_u64(), Some(1));

    // Someone adds an edge from the core layer up to the api binary's layer, by hand.
    let manifest = dir.join("ws/crates/money/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace("[lints]", "[dependencies]\norders.workspace = true\n\n[lints]"),
    )
    .unwrap();
    let output = xtask(dir, &["check", "--workspace", "ws", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let findings = json(&output)["findings"].as_array().unwrap().clone();
    let names: Vec<&str> = findings.iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(names.contains(&"cycle") || names.contains(&"undeclared-edge"), "{findings:#?}");
    let edge = findings.iter().find(|f| f["file"].as_str() == Some("ws/crates/money/Cargo.toml"));
    assert!(edge.is_some_and(|f| f["line"].as_u64().is_some()), "{findings:#?}");

    // `infer` describes the workspace as it now is; checked against that, it is clean.
    let inferred = xtask(dir, &["infer", "--workspace", "ws"]);
    assert_eq!(inferred.status.code(), Some(0), "{}", String::from_utf8_lossy(&inferred.stderr));
    fs::write(dir.join("ws/Trellis.toml"), &inferred.stdout).unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["check", "--workspace", "ws"]));
    assert_eq!(code, Some(0), "{stderr}\n{}", String::from_utf8_lossy(&inferred.stdout));
}

#[test]
fn check_without_a_spec_suggests_infer() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let (code, stderr) = outcome(&xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");
    fs::remove_file(tmp.path().join("ws/Trellis.toml")).unwrap();
    let (code, stderr) = outcome(&xtask(tmp.path(), &["check", "--workspace", "ws"]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("infer"), "{stderr}");
}

#[test]
fn a_workspace_folder_that_does_not_exist_is_an_input_error_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    for command in ["plan", "apply", "check", "graph", "infer", "trace"] {
        let (code, stderr) = outcome(&xtask(tmp.path(), &[command, "--workspace", "nowhere"]));
        assert_eq!(code, Some(2), "{command}: {stderr}");
        assert!(stderr.contains("nowhere") && stderr.contains("hint:"), "{command}: {stderr}");
        assert!(!tmp.path().join("nowhere").exists(), "{command} created the folder");
    }
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
    let human = xtask(ws, &["check"]);
    let (code, stderr) = outcome(&human);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning[S007]") && stderr.contains("check: 0 errors, 1 warning"),
        "{stderr}"
    );
    let out = xtask(ws, &["check", "--format", "json"]);
    let doc = json(&out);
    assert_eq!(doc["summary"]["warnings"], 1, "{doc}");
    assert_eq!(doc["findings"][0]["code"], "S007", "{doc}");
}
