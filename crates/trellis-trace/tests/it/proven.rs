//! A requirement that proves itself, at the engine level: pending, made real and passing,
//! failing, reworded (suspect), affirmed again, and lost when its test is deleted. Each stage
//! runs the trace with the results `cargo test` would print and the fingerprints a ledger would
//! keep, and snapshots the report and `check`'s findings.

use std::collections::BTreeMap;

use insta::assert_snapshot;
use trellis_spec::Spec;
use trellis_trace::{Policy, Status, TestResults, TraceInputs, TraceReport, fingerprint};

use crate::support::{Workspace, human, parse};

const TEXT: &str = "An order has at least one line";
const REWORDED: &str = "An order has at least one line, and every line a positive quantity";

fn spec_text(text: &str) -> String {
    format!(
        r#"[workspace]
name = "proven"
summary = "Requirements that prove themselves"
edition = "2024"

[crates.orders]
summary = "Orders"
requirements = [
  {{ id = "ORD-1", text = "{text}" }},
  {{ id = "ORD-2", text = "Lines keep their order" }},
]
"#
    )
}

/// What `cargo test --workspace --no-fail-fast --color never` prints (stderr and stdout in one
/// pipe) for the requirement tests of `orders`, each line a test's `name ... result`.
fn cargo_test(tests: &[&str]) -> TestResults {
    let mut out = String::from(
        "     Running tests/requirements/main.rs (target/debug/deps/requirements-5f1e2d3c4b5a6978)\n\n",
    );
    out.push_str(&format!("running {} tests\n", tests.len()));
    for t in tests {
        out.push_str(&format!("test {t}\n"));
    }
    let failed: Vec<&&str> = tests.iter().filter(|t| t.ends_with("FAILED")).collect();
    if failed.is_empty() {
        out.push_str("\ntest result: ok. 1 passed; 0 failed; 1 ignored\n\n");
    } else {
        out.push_str("\nfailures:\n\n---- ord_1::ord_1 stdout ----\n\nthread 'ord_1::ord_1' panicked at crates/orders/tests/requirements/ord_1.rs:7:5:\nassertion failed: order.lines().count() > 0\n\n\nfailures:\n    ord_1::ord_1\n\n");
        out.push_str("test result: FAILED. 0 passed; 1 failed; 1 ignored\n\n");
        out.push_str("error: test failed, to rerun pass `-p orders --test requirements`\n");
    }
    TestResults::from_libtest(&out)
}

/// The report and the findings of one stage, for a snapshot.
fn stage(
    ws: &Workspace,
    spec: &Spec,
    results: &TestResults,
    affirmed: &BTreeMap<String, String>,
) -> (TraceReport, String) {
    let inputs = TraceInputs { results: Some(results), affirmed };
    let report = trellis_trace::trace_with(spec, ws.root(), &inputs).expect("trace");
    let mut out = human(&report);
    for strict in [false, true] {
        let found =
            trellis_trace::findings_with(spec, &report, Policy { strict, deny_suspect: false });
        out.push_str(&format!("\n---- check{} ----\n", if strict { " --strict" } else { "" }));
        for d in found {
            let source = d.file.as_ref().map(|f| ws.read(f));
            out.push_str(&anstream::adapter::strip_str(&d.render(source.as_deref())).to_string());
            out.push_str("\n\n");
        }
    }
    (report, out)
}

const REAL_TEST: &str = "//! ORD-1: the pending test of this requirement.

/// An order has at least one line
#[test]
fn ord_1() {
    let order = orders::Order::new();
    assert!(order.lines().count() > 0);
}
";

#[test]
fn a_requirement_proves_itself_then_drifts_then_is_lost() {
    let ws = Workspace::new();
    let spec = ws.seed(&spec_text(TEXT));
    let none = BTreeMap::new();
    let status = |report: &TraceReport| report.requirement("ORD-1").map(|r| r.status);

    // 1. Seeded: its test is ignored as pending, and the run says so.
    let run = cargo_test(&[
        "ord_1::ord_1 ... ignored, pending: ORD-1",
        "ord_2::ord_2 ... ignored, pending: ORD-2",
    ]);
    let (report, shown) = stage(&ws, &spec, &run, &none);
    assert_eq!(status(&report), Some(Status::Pending));
    assert_snapshot!("1-pending", shown);

    // 2. Made real, and it passes. No fingerprint is affirmed yet: not suspect.
    ws.write("crates/orders/tests/requirements/ord_1.rs", REAL_TEST);
    let run = cargo_test(&["ord_1::ord_1 ... ok", "ord_2::ord_2 ... ignored, pending: ORD-2"]);
    let (report, shown) = stage(&ws, &spec, &run, &none);
    assert_eq!(status(&report), Some(Status::Passing));
    assert_snapshot!("2-passing", shown);
    // What the wiring records for it: the fingerprint of the text its test now proves.
    let first = report.requirement("ORD-1").and_then(|r| r.fingerprint.clone()).expect("print");
    assert_eq!(first, fingerprint(TEXT));
    let affirmed = BTreeMap::from([("ORD-1".to_owned(), first.clone())]);

    // 3. The code breaks: failing, an error wherever `check` runs, at the test.
    let run = cargo_test(&["ord_1::ord_1 ... FAILED", "ord_2::ord_2 ... ignored, pending: ORD-2"]);
    let (report, shown) = stage(&ws, &spec, &run, &affirmed);
    assert_eq!(status(&report), Some(Status::Failing));
    assert_snapshot!("3-failing", shown);

    // 4. Fixed, but the spec rewords the requirement: its passing test is suspect until a person
    //    affirms it. Reflowing the text alone would not have changed its fingerprint.
    assert_eq!(fingerprint("  An order has\n  at least one line "), first);
    let spec = ws.seed(&spec_text(REWORDED));
    let run = cargo_test(&["ord_1::ord_1 ... ok", "ord_2::ord_2 ... ignored, pending: ORD-2"]);
    let (report, shown) = stage(&ws, &spec, &run, &affirmed);
    assert_eq!(status(&report), Some(Status::Suspect));
    assert_snapshot!("4-suspect", shown);
    assert_snapshot!("4-suspect-json", trellis_trace::format::json(&report));
    // A setting that denies suspect requirements makes it an error without `--strict`.
    let denied =
        trellis_trace::findings_with(&spec, &report, Policy { strict: false, deny_suspect: true });
    assert!(denied.iter().any(|d| d.code.id == "R005" && d.is_error()));
    // Failing wins over suspect.
    let failing = cargo_test(&["ord_1::ord_1 ... FAILED"]);
    let inputs = TraceInputs { results: Some(&failing), affirmed: &affirmed };
    let report = trellis_trace::trace_with(&spec, ws.root(), &inputs).expect("trace");
    assert_eq!(status(&report), Some(Status::Failing));

    // 5. Affirmed: the ledger now holds the new text's fingerprint.
    let affirmed = BTreeMap::from([("ORD-1".to_owned(), fingerprint(REWORDED))]);
    let (report, shown) = stage(&ws, &spec, &run, &affirmed);
    assert_eq!(status(&report), Some(Status::Passing));
    assert_ne!(fingerprint(REWORDED), first);
    assert_snapshot!("5-affirmed", shown);

    // 6. Its test is deleted. The last run's results still name it: a result for a test the
    //    trace does not see counts for nothing.
    ws.remove("crates/orders/tests/requirements/ord_1.rs");
    let (report, shown) = stage(&ws, &spec, &run, &affirmed);
    assert_eq!(status(&report), Some(Status::Lost));
    assert_snapshot!("6-lost", shown);
}

#[test]
fn a_pending_requirement_is_never_suspect() {
    let ws = Workspace::new();
    let spec = ws.seed(&spec_text(REWORDED));
    let affirmed = BTreeMap::from([("ORD-1".to_owned(), fingerprint(TEXT))]);
    let inputs = TraceInputs { results: None, affirmed: &affirmed };
    let report = trellis_trace::trace_with(&spec, ws.root(), &inputs).expect("trace");
    assert_eq!(report.requirement("ORD-1").map(|r| r.status), Some(Status::Pending));
    // Without results, a person's test of a reworded requirement is suspect all the same.
    ws.write("crates/orders/tests/requirements/ord_1.rs", REAL_TEST);
    let report = trellis_trace::trace_with(&spec, ws.root(), &inputs).expect("trace");
    assert_eq!(report.requirement("ORD-1").map(|r| r.status), Some(Status::Suspect));
    let spec = parse(&spec_text(TEXT));
    let report = trellis_trace::trace_with(&spec, ws.root(), &inputs).expect("trace");
    assert_eq!(report.requirement("ORD-1").map(|r| r.status), Some(Status::Covered));
}
