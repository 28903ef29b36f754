//! Requirements that prove themselves (issue 13), end to end: `trace --run` runs a generated
//! workspace's tests and judges each requirement by its result; `check` fails on the failing
//! one from the kept results; a requirement reworded after its test was made real is suspect
//! until affirmed; a deleted test loses its requirement.

use std::fs;
use std::path::{Path, PathBuf};

use crate::cli::{self, session};

pub(crate) const SPEC: &str = r#"[workspace]
name = "proof"

[crates.ledger]
summary = "Books entries."
requirements = [
  { id = "LED-1", text = "An entry balances." },
  { id = "LED-2", text = "A closed period takes no entry." },
  { id = "LED-3", text = "Entries keep their order." },
]
"#;

/// LED-1's test made real and passing, LED-2's real and failing, LED-3's left pending.
pub(crate) fn make_tests_real(ws: &Path) {
    let tests = ws.join("crates/ledger/tests/requirements");
    let real = |file: &str, from: &str, to: &str| {
        let path = tests.join(file);
        let text = fs::read_to_string(&path).unwrap();
        let edited = text.replace(from, to);
        assert_ne!(text, edited, "{text}");
        fs::write(&path, edited).unwrap();
    };
    real(
        "led_1.rs",
        "#[ignore = \"pending: LED-1\"]\nfn led_1() {\n    todo!(\"LED-1\")\n}",
        "fn led_1() {\n    assert_eq!(2 + 2, 4);\n}",
    );
    real(
        "led_2.rs",
        "#[ignore = \"pending: LED-2\"]\nfn led_2() {\n    todo!(\"LED-2\")\n}",
        "fn led_2() {\n    panic!(\"a closed period took an entry\");\n}",
    );
}

/// A workspace generated from the proof spec, LED-1's test made real and passing, LED-2's
/// real and failing, LED-3's pending: in `<tmp>/ws`.
pub(crate) fn proven() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let made = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(made.code, Some(0), "{made}");
    let ws = tmp.path().join("ws");
    make_tests_real(&ws);
    (tmp, ws)
}

pub(crate) fn statuses(run: &cli::Run) -> Vec<(String, String)> {
    let json = run.json();
    assert_eq!(json["schema_version"], 1, "{run}");
    json["crates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["requirements"].as_array().unwrap())
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["status"].as_str().unwrap().to_owned()))
        .collect()
}

pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[test]
fn a_requirements_life_judged_by_its_tests_results() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let made = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(made.code, Some(0), "{made}");
    let ws = tmp.path().join("ws");

    // Pending, all three, until tests are made real; no results: nothing passes or fails.
    let pending = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(
        statuses(&pending),
        pairs(&[("LED-1", "pending"), ("LED-2", "pending"), ("LED-3", "pending")])
    );

    make_tests_real(&ws);
    let claimed = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(
        statuses(&claimed),
        pairs(&[("LED-1", "covered"), ("LED-2", "covered"), ("LED-3", "pending")])
    );

    // Run: one passes, one fails; trace reports (exit 0), check fails on the kept results.
    let ran = cli::xtask(&ws, &["trace", "--run", "--format", "json"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(
        statuses(&ran),
        pairs(&[("LED-1", "passing"), ("LED-2", "failing"), ("LED-3", "pending")])
    );
    let human = cli::xtask(&ws, &["trace", "--results", "target/trellis/cargo-test.txt"]);
    let failing = cli::xtask(&ws, &["check"]);
    assert_eq!(failing.code, Some(1), "{failing}");

    // LED-1 reworded: `apply` records what its test was written against; it is suspect.
    let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
    fs::write(
        ws.join("Trellis.toml"),
        spec.replace("An entry balances.", "An entry balances to zero."),
    )
    .unwrap();
    let applied = cli::xtask(&ws, &["apply"]);
    assert_eq!(applied.code, Some(0), "{applied}");
    let last = ["trace", "--results", "target/trellis/cargo-test.txt", "--format", "json"];
    let suspect = cli::xtask(&ws, &last);
    assert_eq!(
        statuses(&suspect),
        pairs(&[("LED-1", "suspect"), ("LED-2", "failing"), ("LED-3", "pending")])
    );
    let warned = cli::xtask(&ws, &["check"]);
    let strict = cli::xtask(&ws, &["check", "--strict"]);

    // Affirmed: passing again, and the ledger remembers.
    let affirmed = cli::xtask(
        &ws,
        &["trace", "--affirm", "LED-1", "--results", "target/trellis/cargo-test.txt"],
    );
    assert_eq!(affirmed.code, Some(0), "{affirmed}");
    assert!(
        fs::read_to_string(ws.join(".trellis/ledger.toml"))
            .unwrap()
            .contains("{ affirmed = \"LED-1\"")
    );
    let passing = cli::xtask(&ws, &last);
    assert_eq!(
        statuses(&passing),
        pairs(&[("LED-1", "passing"), ("LED-2", "failing"), ("LED-3", "pending")])
    );
    let ledger = || fs::read_to_string(ws.join(".trellis/ledger.toml")).unwrap();
    let before = ledger();
    let unknown = cli::xtask(&ws, &["trace", "--affirm", "LED-9"]);
    assert_eq!(unknown.code, Some(2), "{unknown}");
    // Nothing to affirm while only the pending test claims it; nothing written when the
    // results cannot be read either.
    let pending = cli::xtask(&ws, &["trace", "--affirm", "LED-3"]);
    assert_eq!(pending.code, Some(2), "{pending}");
    let unreadable = cli::xtask(&ws, &["trace", "--affirm", "LED-2", "--results", "nowhere.xml"]);
    assert_eq!(unreadable.code, Some(2), "{unreadable}");
    assert_eq!(ledger(), before);

    // Its test deleted: lost.
    fs::remove_file(ws.join("crates/ledger/tests/requirements/led_1.rs")).unwrap();
    let lost = cli::xtask(&ws, &last);
    assert_eq!(
        statuses(&lost),
        pairs(&[("LED-1", "lost"), ("LED-2", "failing"), ("LED-3", "pending")])
    );
    let found = cli::xtask(&ws, &["check"]);
    assert_eq!(found.code, Some(1), "{found}");

    insta::assert_snapshot!(session([
        &human, &failing, &warned, &strict, &affirmed, &unknown, &pending, &found
    ]));
}

#[test]
fn the_html_report_is_one_page_with_every_requirement() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("spec.toml"),
        SPEC.replace("An entry balances.", "An entry <balances> & \\\"holds\\\"."),
    )
    .unwrap();
    let made = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(made.code, Some(0), "{made}");
    let html = cli::xtask(&tmp.path().join("ws"), &["trace", "--format", "html"]);
    assert_eq!(html.code, Some(0), "{html}");
    let page = &html.stdout;
    assert!(page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"), "{page}");
    assert!(!page.contains("<script") && !page.contains("href=\"http"), "{page}");
    assert!(page.contains("An entry &lt;balances&gt; &amp; &quot;holds&quot;."), "{page}");
    for id in ["LED-1", "LED-2", "LED-3"] {
        assert!(page.contains(id), "{id}");
    }
}

/// A binary that crashes (a test calls `process::exit`) fails the requirements of the tests it
/// did not report, and `check` with them; quiet cargo output does not hide the results.
#[test]
fn a_crashed_test_binary_fails_its_requirements() {
    let (_tmp, ws) = proven();
    let led_2 = ws.join("crates/ledger/tests/requirements/led_2.rs");
    let text = fs::read_to_string(&led_2).unwrap();
    fs::write(
        &led_2,
        text.replace("panic!(\"a closed period took an entry\");", "std::process::exit(1);"),
    )
    .unwrap();
    let mut quiet = crate::command(env!("CARGO_BIN_EXE_xtask"), &ws);
    let output = quiet
        .args(["trace", "--run", "--format", "json"])
        .env("CARGO_TERM_QUIET", "true")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let status = |id: &str| {
        json["crates"][0]["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    // `led_1` and `led_2` run in one binary, which `led_2` ends: whichever it did not report
    // failed with it.
    assert_eq!(status("LED-2").as_deref(), Some("failing"), "{json}");
    assert_eq!(status("LED-3").as_deref(), Some("pending"), "{json}");
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!(check.code, Some(1), "{check}");
}

/// Two crates' test binaries of one name (`requirements`), each with a `common::same`: a result
/// is credited only to the crate whose binary ran it (cargo's build messages name each
/// binary's package), so a test that never ran is not passing on another crate's run.
#[test]
fn a_result_is_credited_only_to_the_crate_whose_test_ran() {
    let spec = r#"[workspace]
name = "two"

[crates.alpha]
requirements = [{ id = "A-1", text = "Alpha holds." }]

[crates.beta]
requirements = [{ id = "B-1", text = "Beta holds." }]
"#;
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let made = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(made.code, Some(0), "{made}");
    let ws = tmp.path().join("ws");
    let same = |krate: &str, id: &str| {
        let tests = ws.join("crates").join(krate).join("tests/requirements");
        fs::write(tests.join("common.rs"), format!("// covers: {id}\n#[test]\nfn same() {{}}\n"))
            .unwrap();
        tests
    };
    // Alpha's runs; beta's is written but no `mod` line compiles it.
    let alpha = same("alpha", "A-1");
    let main = fs::read_to_string(alpha.join("main.rs")).unwrap();
    fs::write(alpha.join("main.rs"), format!("{main}mod common;\n")).unwrap();
    same("beta", "B-1");
    let ran = cli::xtask(&ws, &["trace", "--run", "--format", "json"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    let status = |i: usize| ran.json()["crates"][i]["requirements"][0]["status"].clone();
    assert_eq!(status(0), "passing", "{ran}");
    assert_eq!(status(1), "covered", "{ran}");
    // The kept results say the same to `check` and `trace --results`.
    assert!(ws.join("target/trellis/cargo-test.executables").is_file());
}

/// A requirement reworded in the same `apply` that renames its crate, or moves it: the test a
/// person made real still stands in the crate's folder when `apply` reads which requirements
/// are claimed, so the affirmation holds and the requirement is suspect, not silently
/// affirmed anew against the new text.
#[test]
fn a_requirement_reworded_while_its_crate_is_renamed_or_moved_is_suspect() {
    for (change, folder) in [
        ("[crates.books]\nrenamed-from = \"ledger\"", "crates/books"),
        ("[crates.ledger]\npath = \"libs/ledger\"", "libs/ledger"),
    ] {
        let (_tmp, ws) = proven();
        let applied = cli::xtask(&ws, &["apply"]);
        assert_eq!(applied.code, Some(0), "{applied}");

        let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
        let changed = spec
            .replace("[crates.ledger]", change)
            .replace("An entry balances.", "An entry balances to zero.");
        fs::write(ws.join("Trellis.toml"), changed).unwrap();
        let applied = cli::xtask(&ws, &["apply"]);
        assert_eq!(applied.code, Some(0), "{applied}");
        assert!(ws.join(folder).join("tests/requirements/led_1.rs").is_file(), "{folder}");
        let traced = cli::xtask(&ws, &["trace", "--format", "json"]);
        assert_eq!(
            statuses(&traced),
            pairs(&[("LED-1", "suspect"), ("LED-2", "covered"), ("LED-3", "pending")]),
            "{change}"
        );
        let strict = cli::xtask(&ws, &["check", "--strict"]);
        assert_eq!(strict.code, Some(1), "{change}: {strict}");
    }
}
