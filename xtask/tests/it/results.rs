//! One source of results (issue 18), end to end: after `trace --run`, `trace` in every format
//! judges by the results it kept exactly as `check` does, and says how old they are; the kept
//! results live in the target folder cargo uses (`CARGO_TARGET_DIR`, `build.target-dir`);
//! `--results` may be given once per shard; a parametrised test is one test, failing when one
//! of its cases fails; a results file that cannot be read as results is named (exit 2); the
//! reports name the workspace, the date and the commit.

use std::fs;
use std::path::Path;

use crate::cli::{self, session};
use crate::proof::{pairs, proven, statuses};

/// What `check` and every format of `trace` say once `trace --run` has run.
fn judged() -> Vec<(String, String)> {
    pairs(&[("LED-1", "passing"), ("LED-2", "failing"), ("LED-3", "pending")])
}

/// The matrix row of a requirement in the HTML page, up to its status.
fn html_row(id: &str, status: &str) -> String {
    format!("<td><code>{id}</code></td><td><code>ledger</code></td><td class=\"status {status}\">")
}

#[test]
fn trace_after_a_run_judges_by_the_kept_results_in_every_format_as_check_does() {
    let (_tmp, ws) = proven();
    let ran = cli::xtask(&ws, &["trace", "--run", "--format", "json"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(statuses(&ran), judged());
    assert_eq!(ran.json()["results_from"]["kind"], "run", "{ran}");
    let kept = ws.join("target/trellis/cargo-test.txt");
    assert!(kept.is_file(), "{ran}");

    // No option: the kept results, in every format, and how old they are.
    let json = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(statuses(&json), judged());
    let from = &json.json()["results_from"];
    assert_eq!(from["kind"], "kept", "{json}");
    assert!(from["file"].as_str().unwrap().ends_with("target/trellis/cargo-test.txt"), "{json}");
    assert!(from["age_seconds"].as_u64().is_some() && from["written"].is_string(), "{json}");
    assert!(json.stderr.contains("judging requirements by the results"), "{json}");
    let human = cli::xtask(&ws, &["trace"]);
    let markdown = cli::xtask(&ws, &["trace", "--format", "markdown"]);
    let html = cli::xtask(&ws, &["trace", "--format", "html"]);
    let page = &html.stdout;
    for (id, status) in [("LED-1", "passing"), ("LED-2", "failing"), ("LED-3", "pending")] {
        assert!(page.contains(&html_row(id, status)), "{id} {status}\n{page}");
    }
    assert!(page.contains("judged by the results <code>trace --run</code> kept"), "{page}");
    assert!(!page.to_lowercase().contains("no test results"), "{page}");
    assert!(page.contains("<title>proof: requirements traceability</title>"), "{page}");
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!(check.code, Some(1), "{check}");
    assert!(check.stderr.contains("LED-2"), "{check}");
    insta::assert_snapshot!(session([&human, &markdown, &check]));
}

/// nextest's JUnit report of a shard: one suite, `ledger::requirements`, with these cases
/// (name, and the element inside: `""` for a pass).
fn junit(cases: &[(&str, &str)]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nextest-run\">\n  <testsuite name=\"ledger::requirements\">\n",
    );
    for (name, inside) in cases {
        xml.push_str(&format!(
            "    <testcase name=\"{name}\" classname=\"ledger::requirements\">{inside}</testcase>\n"
        ));
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

#[test]
fn results_in_several_files_are_read_together() {
    let (_tmp, ws) = proven();
    // LED-3's test made real too, and a person's test of it ignored with a reason that is
    // Markdown and HTML: both reach the report as text.
    let led_3 = ws.join("crates/ledger/tests/requirements/led_3.rs");
    let text = fs::read_to_string(&led_3).unwrap();
    let real = text.replace("#[ignore = \"pending: LED-3\"]\n", "");
    assert_ne!(real, text);
    let slow = "\n// covers: LED-3\n#[test]\n#[ignore = \"slow | <i>nightly</i> `only`\"]\nfn led_3_slow() {}\n";
    fs::write(&led_3, format!("{real}{slow}")).unwrap();
    // One shard each: LED-1 passed in the first, LED-2 failed and LED-3 was skipped with a
    // message in the second.
    fs::write(ws.join("shard-1.xml"), junit(&[("led_1::led_1", "")])).unwrap();
    let shard_2 = junit(&[
        ("led_2::led_2", "<failure message=\"a closed period took an entry\"/>"),
        ("led_3::led_3", "<skipped message=\"flaky | &lt;b&gt;see #12&lt;/b&gt;\"/>"),
    ]);
    fs::write(ws.join("shard-2.xml"), shard_2).unwrap();
    let both = ["--results", "shard-1.xml", "--results", "shard-2.xml"];
    let json = cli::xtask(&ws, &[&["trace", "--format", "json"], &both[..]].concat());
    assert_eq!(json.code, Some(0), "{json}");
    assert_eq!(
        statuses(&json),
        pairs(&[("LED-1", "passing"), ("LED-2", "failing"), ("LED-3", "skipped")])
    );
    let from = &json.json()["results_from"];
    assert_eq!(from["kind"], "files", "{json}");
    assert_eq!(from["files"], serde_json::json!(["shard-1.xml", "shard-2.xml"]), "{json}");
    // Either shard alone knows only its own tests.
    let first = cli::xtask(&ws, &["trace", "--format", "json", "--results", "shard-1.xml"]);
    assert_eq!(
        statuses(&first),
        pairs(&[("LED-1", "passing"), ("LED-2", "covered"), ("LED-3", "covered")])
    );
    let markdown = cli::xtask(&ws, &[&["trace", "--format", "markdown"], &both[..]].concat());
    let table = markdown.stdout.lines().filter(|l| l.starts_with("| `LED-"));
    for row in table {
        // Five columns (no layers), six `|`: those of the data are escaped.
        let ends = row.replace("\\|", "").matches('|').count();
        assert_eq!(ends, 6, "{row}");
        assert!(!row.contains("<i>") && !row.contains("<b>"), "{row}");
    }
    let check = cli::xtask(&ws, &[&["check"], &both[..]].concat());
    assert_eq!(check.code, Some(1), "{check}");
    insta::assert_snapshot!(session([&markdown, &check]));
}

#[test]
fn a_results_file_that_is_not_one_is_named_and_is_the_caller_s_to_fix() {
    let (_tmp, ws) = proven();
    fs::write(ws.join("good.xml"), junit(&[("led_1::led_1", "")])).unwrap();
    fs::write(ws.join("broken.xml"), "<testsuites>\n  <testsuite name=\"ledger\">\n").unwrap();
    fs::write(ws.join("notes.txt"), "Nothing here is a test.\n").unwrap();
    fs::create_dir(ws.join("shards")).unwrap();
    let mut runs = Vec::new();
    for file in ["nowhere.xml", "broken.xml", "notes.txt", "shards"] {
        for command in ["trace", "check"] {
            let run = cli::xtask(&ws, &[command, "--results", "good.xml", "--results", file]);
            assert_eq!(run.code, Some(2), "{run}");
            assert!(run.stderr.contains(&format!("`{file}`")), "{run}");
            assert!(run.stdout.is_empty(), "{run}");
            runs.push(run);
        }
    }
    insta::assert_snapshot!(session(&runs));

    // A spec without requirements has nothing to judge, but a bad file is still said.
    let spec = "[workspace]\nname = \"plain\"\n\n[crates.core]\n";
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let made = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "plain"]);
    assert_eq!(made.code, Some(0), "{made}");
    let plain = tmp.path().join("plain");
    let check = cli::xtask(&plain, &["check", "--results", "nowhere.xml"]);
    assert_eq!(check.code, Some(2), "{check}");
    assert!(check.stderr.contains("`nowhere.xml`"), "{check}");
}

#[test]
fn one_failing_case_of_a_parametrised_test_fails_its_requirement() {
    let (_tmp, ws) = proven();
    let tests = ws.join("crates/ledger/tests/requirements");
    // rstest's cases for LED-1, test-case's named cases for LED-2 (neither compiled here: the
    // results below are what `cargo test` prints for them).
    fs::write(
        tests.join("led_1.rs"),
        "//! LED-1\n\nuse rstest::rstest;\n\n#[rstest]\n#[case(1)]\n#[case(2)]\nfn led_1(#[case] n: u32) {\n    assert_eq!(n, 1);\n}\n",
    )
    .unwrap();
    fs::write(
        tests.join("led_2.rs"),
        "//! LED-2\n\nuse test_case::test_case;\n\n#[test_case(1 ; \"one\")]\n#[test_case(2 ; \"two\")]\nfn led_2(n: u32) {\n    assert!(n > 0);\n}\n",
    )
    .unwrap();
    let output = "\
     Running tests/requirements/main.rs (target/debug/deps/requirements-0123456789abcdef)

running 5 tests
test led_1::led_1::case_1 ... ok
test led_1::led_1::case_2 ... FAILED
test led_2::led_2::one ... ok
test led_2::led_2::two ... ok
test led_3::led_3 ... ignored, pending: LED-3

failures:

---- led_1::led_1::case_2 stdout ----
assertion `left == right` failed

failures:
    led_1::led_1::case_2

test result: FAILED. 3 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

error: test failed, to rerun pass `-p ledger --test requirements`
";
    fs::write(ws.join("cargo-test.txt"), output).unwrap();
    let json = cli::xtask(&ws, &["trace", "--format", "json", "--results", "cargo-test.txt"]);
    assert_eq!(
        statuses(&json),
        pairs(&[("LED-1", "failing"), ("LED-2", "passing"), ("LED-3", "pending")])
    );
    let led_1 = &json.json()["crates"][0]["requirements"][0]["tests"][0]["result"];
    assert_eq!(led_1["name"], "led_1::led_1::case_2", "{json}");
    let human = cli::xtask(&ws, &["trace", "--results", "cargo-test.txt"]);
    let check = cli::xtask(&ws, &["check", "--results", "cargo-test.txt"]);
    assert_eq!(check.code, Some(1), "{check}");
    insta::assert_snapshot!(session([&human, &check]));
}

#[test]
fn the_kept_results_live_in_the_target_folder_cargo_uses() {
    let (tmp, ws) = proven();
    let elsewhere = tmp.path().join("elsewhere");
    let elsewhere_text = elsewhere.to_str().unwrap();
    let vars = [("CARGO_TARGET_DIR", elsewhere_text)];
    let ran = cli::xtask_with(&ws, &vars, &["trace", "--run", "--format", "json"]);
    assert_eq!(ran.code, Some(0), "{ran}");
    assert_eq!(statuses(&ran), judged());
    // Kept where cargo built, and no second `target/` in the workspace.
    assert!(elsewhere.join("trellis/cargo-test.txt").is_file(), "{ran}");
    assert!(elsewhere.join("trellis/cargo-test.executables").is_file(), "{ran}");
    assert!(!ws.join("target").exists(), "{ran}");
    let is_elsewhere = |run: &cli::Run| {
        let from = &run.json()["results_from"];
        from["kind"] == "kept"
            && Path::new(from["file"].as_str().unwrap())
                == elsewhere.canonicalize().unwrap().join("trellis/cargo-test.txt")
    };
    let traced = cli::xtask_with(&ws, &vars, &["trace", "--format", "json"]);
    assert_eq!(statuses(&traced), judged());
    assert!(is_elsewhere(&traced), "{traced}");
    let checked = cli::xtask_with(&ws, &vars, &["check"]);
    assert_eq!(checked.code, Some(1), "{checked}");
    // Without the variable cargo uses the workspace's `target/`, where nothing was kept.
    let alone = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(alone.json()["results"], false, "{alone}");
    assert_eq!(
        statuses(&alone),
        pairs(&[("LED-1", "covered"), ("LED-2", "covered"), ("LED-3", "pending")])
    );
    let clean = cli::xtask(&ws, &["check"]);
    assert_eq!(clean.code, Some(0), "{clean}");
    // `build.target-dir` tells cargo the same, and so Trellis.
    fs::create_dir_all(ws.join(".cargo")).unwrap();
    let config = format!("[build]\ntarget-dir = {elsewhere_text:?}\n");
    fs::write(ws.join(".cargo/config.toml"), config).unwrap();
    let configured = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(statuses(&configured), judged());
    assert!(is_elsewhere(&configured), "{configured}");
    let configured_check = cli::xtask(&ws, &["check"]);
    assert_eq!(configured_check.code, Some(1), "{configured_check}");
    assert!(!ws.join("target").exists());
    insta::assert_snapshot!(session([&checked, &clean, &configured_check]));
}

/// Git, configured for a test whatever the machine's settings.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = crate::git_command(dir).args(args).output().expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn the_reports_name_the_workspace_the_date_and_the_commit() {
    let (_tmp, ws) = proven();
    // Outside a git checkout: no commit, quietly.
    let markdown = cli::xtask(&ws, &["trace", "--format", "markdown"]);
    assert_eq!(markdown.code, Some(0), "{markdown}");
    assert!(
        markdown.stdout.starts_with("### Requirements of `proof`: 2 of 3 covered\n"),
        "{markdown}"
    );
    let about = markdown.stdout.lines().nth(2).unwrap();
    let date = regex::Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC · ").unwrap();
    assert!(date.is_match(about), "{about}");
    assert!(!about.contains("commit"), "{about}");
    assert!(markdown.stderr.is_empty(), "{markdown}");
    git(&ws, &["init", "-q"]);
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-q", "-m", "The proof workspace"]);
    let short = git(&ws, &["rev-parse", "--short", "HEAD"]);
    let markdown = cli::xtask(&ws, &["trace", "--format", "markdown"]);
    assert!(markdown.stdout.contains(&format!(" · commit `{short}` · ")), "{markdown}");
    let html = cli::xtask(&ws, &["trace", "--format", "html"]);
    assert!(html.stdout.contains(&format!("commit <code>{short}</code>")), "{html}");
    assert!(html.stdout.contains("<h1><code>proof</code>: requirements traceability</h1>"));
    let json = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(json.json()["commit"], short.as_str(), "{json}");
    assert_eq!(json.json()["workspace"], "proof", "{json}");
}

#[test]
fn trace_still_reads_the_code_when_cargo_cannot_say_where_the_last_results_are() {
    let (_tmp, ws) = proven();
    let manifest = ws.join("crates/ledger/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, format!("{text}\n[broken\n")).unwrap();
    let traced = cli::xtask(&ws, &["trace", "--format", "json"]);
    assert_eq!(traced.code, Some(0), "{traced}");
    assert_eq!(
        statuses(&traced),
        pairs(&[("LED-1", "covered"), ("LED-2", "covered"), ("LED-3", "pending")])
    );
    assert!(
        traced.stderr.starts_with("warning: the last test results cannot be found"),
        "{traced}"
    );
    assert!(traced.stderr.contains("`cargo xtask check` shows what cargo says"), "{traced}");
    // A run needs cargo: it cannot.
    let run = cli::xtask(&ws, &["trace", "--run"]);
    assert_eq!(run.code, Some(3), "{run}");
}
