//! The proof that a generated workspace stands on its own: cargo builds, tests, lints,
//! documents and format-checks the flagship example as Trellis wrote it.

use std::path::Path;
use std::process::Command;

use crate::{outcome, xtask};

#[test]
fn the_flagship_example_builds_tests_lints_and_documents_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sme-market");
    let output = xtask(tmp.path(), &["demo", "--out", out.to_str().unwrap()]);
    let (code, stderr) = outcome(&output);
    assert_eq!(code, Some(0), "{stderr}");

    // One target folder for every run of this test, so a second run rebuilds little. The
    // example uses only crates this repository already locks, so cargo needs no network.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generated-target");
    let steps: [&[&str]; 5] = [
        &["build", "--workspace", "--all-targets", "--offline"],
        &["test", "--workspace", "--offline"],
        &["clippy", "--workspace", "--all-targets", "--offline", "--", "-D", "warnings"],
        &["doc", "--workspace", "--no-deps", "--offline"],
        &["fmt", "--all", "--check"],
    ];
    for step in steps {
        let output = Command::new(env!("CARGO"))
            .args(step)
            .current_dir(&out)
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTDOCFLAGS", "-D warnings")
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "`cargo {}` failed:\n{stdout}\n{stderr}", step.join(" "));
        if step[0] == "test" {
            // Every requirement waits as an ignored test; none fails, none is missing.
            let ignored: usize = stdout
                .lines()
                .filter_map(|l| l.strip_prefix("test result: ok."))
                .filter_map(|l| l.split(';').find_map(|p| p.trim().strip_suffix(" ignored")))
                .map(|n| n.trim().parse::<usize>().unwrap())
                .sum();
            assert_eq!(ignored, 21, "{stdout}");
        }
    }
}
