//! Test results read from the fixtures (nextest's JUnit report, `cargo test`'s output) and
//! matched to the tests of a workspace: one requirement in each status, the matrix it makes.

use std::collections::BTreeMap;

use insta::assert_snapshot;
use trellis_trace::{Outcome, Status, TestResults, TraceInputs, TraceReport, trace_with};

use crate::support::{Workspace, human};

const JUNIT: &str = include_str!("../fixtures/results/nextest-junit.xml");
const CARGO_TEST: &str = include_str!("../fixtures/results/cargo-test.txt");

const SPEC: &str = r#"[workspace]
name = "shop"
summary = "A shop that proves its requirements"
edition = "2024"

[layers]
order = ["core", "app"]

[crates.web-app]
kind = "bin"
layer = "app"
summary = "The shop front"
depends = ["orders"]
requirements = [
  { id = "WEB-1", text = "The front page loads" },
]

[crates.orders]
layer = "core"
summary = "Orders and their books"
requirements = [
  { id = "ORD-1", text = "An order has at least one line" },
  { id = "ORD-2", text = "Every entry balances" },
  { id = "ORD-3", text = "Totals are exact to the minor unit" },
  { id = "ORD-4", text = "Refunds within 30 days are free: <script>alert(\"a & b\")</script>" },
  { id = "ORD-5", text = "Orders survive a restart" },
]
"#;

/// The shop the fixtures were run on: ORD-1 still pending, ORD-2 claimed by a unit test that
/// fails, ORD-3's test made real (flaky under nextest), ORD-4's ignored by a `cfg_attr` (it runs
/// as far as the trace knows; the runs skip it), ORD-5 covered by a test in a file no binary
/// compiles, WEB-1 by a unit test of the binary.
fn shop() -> (Workspace, trellis_spec::Spec) {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.write(
        "crates/orders/src/entry.rs",
        "//! Entries.\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn opens_empty() {}\n\n    #[test]\n    fn ord_2_balances() {\n        assert_eq!(1, 2);\n    }\n}\n",
    );
    ws.write(
        "crates/orders/tests/requirements/ord_3.rs",
        "//! ORD-3: the pending test of this requirement.\n\n#[test]\nfn ord_3() {\n    assert_eq!(orders::total(), 1234);\n}\n",
    );
    ws.write(
        "crates/orders/tests/requirements/ord_4.rs",
        "//! ORD-4.\n\n#[test]\n#[cfg_attr(not(feature = \"slow\"), ignore = \"slow on CI\")]\nfn ord_4() {}\n",
    );
    ws.write(
        "crates/orders/tests/it/restart.rs",
        "//! Not compiled: no `tests/it/main.rs` declares it.\n\n// covers: ORD-5\n#[test]\nfn survives_restart() {}\n",
    );
    ws.write(
        "crates/web-app/src/main.rs",
        "//! The shop front.\n\nfn main() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn web_1() {}\n}\n",
    );
    (ws, spec)
}

fn traced(ws: &Workspace, spec: &trellis_spec::Spec, results: &TestResults) -> TraceReport {
    let inputs = TraceInputs { results: Some(results), ..TraceInputs::default() };
    trace_with(spec, ws.root(), &inputs).expect("trace")
}

fn statuses(report: &TraceReport) -> Vec<(&str, Status)> {
    report.crates.iter().flat_map(|c| &c.requirements).map(|r| (r.id.as_str(), r.status)).collect()
}

const EXPECTED: [(&str, Status); 6] = [
    ("WEB-1", Status::Passing),
    ("ORD-1", Status::Pending),
    ("ORD-2", Status::Failing),
    ("ORD-3", Status::Passing),
    ("ORD-4", Status::Skipped),
    ("ORD-5", Status::Covered),
];

#[test]
fn nextest_s_junit_report_gives_every_status() {
    let (ws, spec) = shop();
    let results = TestResults::from_junit(JUNIT).expect("junit");
    assert_eq!(results.len(), 6);
    let report = traced(&ws, &spec, &results);
    assert_eq!(statuses(&report), EXPECTED);
    let ord_3 = report.requirement("ORD-3").expect("ORD-3");
    let run = ord_3.tests.iter().find_map(|t| t.result.as_ref()).expect("a result");
    assert!(run.flaky && run.outcome == Outcome::Passed, "{run:?}");
    assert_snapshot!("junit-human", human(&report));
    assert_snapshot!("junit-markdown", trellis_trace::format::markdown(&report));
    assert_snapshot!("junit-html", trellis_trace::format::html(&report));
}

#[test]
fn cargo_test_s_output_gives_the_same_statuses() {
    let (ws, spec) = shop();
    let results = TestResults::from_libtest(CARGO_TEST);
    // Two tests of the orders unit tests, five requirement tests, web-app's two; the doc tests
    // and the captured output of the failure are no results.
    assert_eq!(results.len(), 9);
    let report = traced(&ws, &spec, &results);
    assert_eq!(statuses(&report), EXPECTED);
    assert_snapshot!("cargo-test-human", human(&report));
}

#[test]
fn stdout_alone_still_matches_by_module_path() {
    // Without stderr there are no `Running` lines and no rerun line: binaries and packages are
    // unknown, and only function names and module paths decide.
    let stdout: String = CARGO_TEST
        .lines()
        .filter(|l| !l.starts_with("   ") && !l.starts_with("error:") && !l.starts_with("    `"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!stdout.contains("Running"));
    let (ws, spec) = shop();
    let report = traced(&ws, &spec, &TestResults::from_libtest(&stdout));
    assert_eq!(statuses(&report), EXPECTED);
}

#[test]
fn without_results_the_same_code_is_only_covered_pending_or_skipped() {
    let (ws, spec) = shop();
    let report = trellis_trace::trace(&spec, ws.root()).expect("trace");
    let got = statuses(&report);
    assert_eq!(
        got,
        [
            ("WEB-1", Status::Covered),
            ("ORD-1", Status::Pending),
            ("ORD-2", Status::Covered),
            ("ORD-3", Status::Covered),
            // A `cfg_attr` ignore runs where it was written for: covered, as before.
            ("ORD-4", Status::Covered),
            ("ORD-5", Status::Covered),
        ]
    );
    assert!(!report.results);
}

#[test]
fn an_ignore_with_a_person_s_reason_is_skipped_without_results() {
    let (ws, spec) = shop();
    ws.write(
        "crates/orders/tests/requirements/ord_4.rs",
        "#[test]\n#[ignore = \"flaky on Windows\"]\nfn ord_4() {}\n",
    );
    ws.write("crates/orders/tests/requirements/ord_1.rs", "#[test]\n#[ignore]\nfn ord_1() {}\n");
    let report = trellis_trace::trace(&spec, ws.root()).expect("trace");
    let status = |id| report.requirement(id).map(|r| r.status);
    assert_eq!(status("ORD-4"), Some(Status::Skipped));
    // A bare `#[ignore]` is a person's too.
    assert_eq!(status("ORD-1"), Some(Status::Skipped));
    let reason = report.requirement("ORD-4").and_then(|r| r.tests[0].reason.clone());
    assert_eq!(reason.as_deref(), Some("flaky on Windows"));
    // Skipped requirements fail only a strict check, like pending ones.
    let codes = |strict| -> Vec<&str> {
        trellis_trace::findings(&spec, &report, strict).iter().map(|d| d.code.id).collect()
    };
    assert!(!codes(false).contains(&"R006"));
    assert_eq!(codes(true).iter().filter(|c| **c == "R006").count(), 2);
}

#[test]
fn the_html_report_is_one_escaped_page() {
    let (ws, spec) = shop();
    let results = TestResults::from_junit(JUNIT).expect("junit");
    let html = trellis_trace::format::html(&traced(&ws, &spec, &results));
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    // The requirement text's markup is text, not markup.
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(&quot;a &amp; b&quot;)&lt;/script&gt;"));
    // Nothing outside the page: no script, no stylesheet or image to fetch.
    for outside in ["<script", "<link", "src=", "href=", "url(", "@import"] {
        assert!(!html.contains(outside), "{outside}");
    }
    // Layers lowest first, each crate under its own.
    let core = html.find("layer <code>core</code>").expect("core");
    let app = html.find("layer <code>app</code>").expect("app");
    assert!(core < app && html[core..app].contains("ORD-1") && html[app..].contains("WEB-1"));
}

#[test]
fn the_json_report_has_a_schema_version_and_every_status() {
    let (ws, spec) = shop();
    let results = TestResults::from_junit(JUNIT).expect("junit");
    let json: serde_json::Value =
        serde_json::from_str(&trellis_trace::format::json(&traced(&ws, &spec, &results)))
            .expect("json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["results"], true);
    let statuses: BTreeMap<String, String> = json["crates"]
        .as_array()
        .expect("crates")
        .iter()
        .flat_map(|c| c["requirements"].as_array().expect("requirements"))
        .map(|r| (r["id"].as_str().unwrap_or("").into(), r["status"].as_str().unwrap_or("").into()))
        .collect();
    assert_eq!(statuses["ORD-2"], "failing");
    assert_eq!(statuses["ORD-4"], "skipped");
    assert_eq!(json["totals"]["passing"], 2);
    let ord_2 = &json["crates"][1]["requirements"][1];
    assert_eq!(ord_2["tests"][0]["result"]["outcome"], "failed");
    assert_eq!(ord_2["tests"][0]["result"]["name"], "entry::tests::ord_2_balances");
}
