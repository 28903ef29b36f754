//! What goes wrong on disk: files that cannot be read, links, folders to skip.

use trellis_trace::{Status, Target, TraceError, trace, trace_targets};

use crate::support::Workspace;

const SPEC: &str = r#"[workspace]
name = "disk"
summary = "Disk trouble"
edition = "2024"

[crates.base]
summary = "Base"
requirements = [{ id = "CORE-1", text = "Works" }]
"#;

#[test]
fn target_folders_are_skipped() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.remove("crates/base/tests/requirements/core_1.rs");
    ws.write("crates/base/tests/target/core_1.rs", "#[test]\nfn core_1() {}\n");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-1").map(|r| r.status), Some(Status::Lost));
}

#[test]
fn build_scripts_benches_and_examples_are_read() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.write("crates/base/build.rs", "// CORE-9 was here\nfn main() {}\n");
    ws.write("crates/base/benches/b.rs", "// covers: CORE-1\n#[test]\nfn bench_like() {}\n");
    ws.write("crates/base/examples/e.rs", "fn main() { println!(\"CORE-8\"); }\n");
    ws.write("crates/base/README.md", "CORE-7 is not code\n");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-1").map(|r| r.status), Some(Status::Covered));
    let stray: Vec<&str> = report.stray.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stray, ["CORE-8", "CORE-9"]);
}

#[cfg(unix)]
#[test]
fn links_are_not_followed() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    let outside = tempfile::tempdir().expect("temporary folder");
    std::fs::write(outside.path().join("core_1.rs"), "#[test]\nfn core_1() {}\n").expect("write");
    std::os::unix::fs::symlink(outside.path(), ws.root().join("crates/base/tests/linked"))
        .expect("link");
    std::os::unix::fs::symlink(
        outside.path().join("core_1.rs"),
        ws.root().join("crates/base/tests/linked_file.rs"),
    )
    .expect("link");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-1").map(|r| r.status), Some(Status::Pending));

    // Nor is a crate folder that is itself a link.
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    std::fs::rename(ws.root().join("crates/base"), elsewhere.path().join("base")).expect("move");
    std::os::unix::fs::symlink(elsewhere.path().join("base"), ws.root().join("crates/base"))
        .expect("link");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-1").map(|r| r.status), Some(Status::Lost));
    assert_eq!(report.files, 0);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_that_names_it() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    let file = ws.root().join("crates/base/tests/requirements/core_1.rs");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything: there, the test has nothing to prove.
    if std::fs::read(&file).is_ok() {
        return;
    }
    let err = trace(&spec, ws.root()).expect_err("unreadable");
    assert!(matches!(err, TraceError::Read { .. }));
    assert!(err.to_string().contains("core_1.rs"), "{err}");
}

#[test]
fn a_file_that_is_not_utf8_is_still_scanned() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    let path = ws.root().join("crates/base/tests/latin1.rs");
    std::fs::write(
        path,
        b"// caf\xe9 covers: CORE-1\n// covers: CORE-1 \xff\n#[test]\nfn t() {}\n",
    )
    .expect("write");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-1").map(|r| r.status), Some(Status::Covered));
}

#[test]
fn nested_crates_are_read_once_each() {
    // The spec forbids a crate inside another (S010); a caller with its own targets may not.
    let ws = Workspace::new();
    ws.seed(SPEC);
    ws.write("crates/base/tests/inner/tests/in_1.rs", "#[test]\n#[ignore]\nfn in_1() {}\n");
    let targets = [
        Target {
            name: "base".into(),
            path: "crates/base".into(),
            requirements: vec!["CORE-1".into()],
        },
        Target {
            name: "inner".into(),
            path: "crates/base/tests/inner".into(),
            requirements: vec!["IN-1".into()],
        },
    ];
    let report = trace_targets(&targets, ws.root()).expect("trace");
    let inner = report.requirement("IN-1").expect("IN-1");
    assert_eq!(inner.tests.len(), 1);
    assert_eq!(inner.tests[0].place.krate, "inner");
    // base: lib.rs, main.rs, core_1.rs; inner: in_1.rs.
    assert_eq!(report.files, 4);
}
