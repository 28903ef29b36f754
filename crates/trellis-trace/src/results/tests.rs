//! Reading test results and matching them to tests.

use std::collections::BTreeMap;

use super::{Binary, MatchCrate, Matcher, Outcome, ResultsError, TestResult, TestResults, locate};

fn result(
    package: Option<&str>,
    binary: Option<Binary>,
    name: &str,
    outcome: Outcome,
) -> TestResult {
    TestResult {
        package: package.map(str::to_owned),
        binary,
        executable: None,
        name: name.to_owned(),
        outcome,
        reason: None,
        flaky: false,
    }
}

fn test(name: &str) -> Binary {
    Binary::Test(name.to_owned())
}

#[test]
fn files_are_located_in_their_binary_and_module() {
    type Located = Option<(Binary, Vec<&'static str>)>;
    let cases: [(&str, Located); 14] = [
        ("src/lib.rs", Some((Binary::Unit, vec![]))),
        ("src/main.rs", Some((Binary::Unit, vec![]))),
        ("src/entry.rs", Some((Binary::Unit, vec!["entry"]))),
        ("src/a/b.rs", Some((Binary::Unit, vec!["a", "b"]))),
        ("src/a/mod.rs", Some((Binary::Unit, vec!["a"]))),
        ("src/a/main.rs", Some((Binary::Unit, vec!["a", "main"]))),
        ("src/bin/tool.rs", Some((Binary::Bin("tool".into()), vec![]))),
        ("src/bin/tool/main.rs", Some((Binary::Bin("tool".into()), vec![]))),
        ("src/bin/tool/cli.rs", Some((Binary::Bin("tool".into()), vec!["cli"]))),
        ("tests/smoke.rs", Some((test("smoke"), vec![]))),
        ("tests/requirements/main.rs", Some((test("requirements"), vec![]))),
        ("tests/requirements/r001.rs", Some((test("requirements"), vec!["r001"]))),
        ("benches/speed.rs", Some((Binary::Bench("speed".into()), vec![]))),
        ("build.rs", None),
    ];
    for (path, want) in cases {
        assert_eq!(locate(path), want, "{path}");
    }
    assert_eq!(
        locate("examples/demo/util.rs"),
        Some((Binary::Example("demo".into()), vec!["util"]))
    );
    assert_eq!(locate("tests/notes.txt"), None);
}

#[test]
fn libtest_output_is_read_line_by_line() {
    let output = "\
   Compiling orders v0.1.0 (/w/crates/orders)
     Running unittests src/lib.rs (target/debug/deps/orders-16768e7a05caf93b)

running 2 tests
test entry::tests::panics - should panic ... ok
test entry::tests::balances ... FAILED

failures:

---- entry::tests::balances stdout ----
test fake ... ok
     Running tests/fake.rs (target/debug/deps/fake-0000)

failures:
    entry::tests::balances

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.08s

error: test failed, to rerun pass `-p orders --lib`
     Running tests/requirements/main.rs (target/debug/deps/requirements-de8fd196e04a5576)

running 3 tests
test r001::bare ... ignored
test r001::ord_1 ... ignored, pending: ORD-1
test r001::r001_foo ... \x1b[32mok\x1b[0m\r

test result: ok. 1 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests orders

running 1 test
test src/lib.rs - add (line 3) ... ok
";
    let results = TestResults::from_libtest(output);
    let got: Vec<_> = results
        .results()
        .iter()
        .map(|r| {
            (
                r.package.as_deref(),
                r.binary.clone(),
                r.name.as_str(),
                r.outcome,
                r.reason.as_deref(),
            )
        })
        .collect();
    let lib = Some(Binary::Unit);
    let reqs = Some(test("requirements"));
    assert_eq!(
        got,
        [
            (Some("orders"), lib.clone(), "entry::tests::panics", Outcome::Passed, None),
            (Some("orders"), lib, "entry::tests::balances", Outcome::Failed, None),
            (None, reqs.clone(), "r001::bare", Outcome::Skipped, None),
            (None, reqs.clone(), "r001::ord_1", Outcome::Skipped, Some("pending: ORD-1")),
            (None, reqs, "r001::r001_foo", Outcome::Passed, None),
        ]
    );
    assert_eq!(results.results()[4].executable.as_deref(), Some("requirements-de8fd196e04a5576"));

    let packages = BTreeMap::from([("requirements-de8fd196e04a5576".into(), "orders".into())]);
    let results = results.with_executables(&packages);
    assert!(results.results().iter().all(|r| r.package.as_deref() == Some("orders")));
}

#[test]
fn stdout_alone_gives_binaries_of_unknown_name() {
    let output = "\nrunning 1 test\ntest a::t ... ok\n\ntest result: ok. 1 passed\n\nrunning 1 test\ntest b::t ... FAILED\n";
    let results = TestResults::from_libtest(output);
    assert_eq!(results.len(), 2);
    assert!(results.results().iter().all(|r| r.binary.is_none() && r.package.is_none()));
}

#[test]
fn junit_reads_nextest_binary_ids_and_outcomes() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="6" failures="1" errors="1">
  <testsuite name="orders" tests="2">
    <testcase name="entry::tests::balances" classname="orders" time="0.01">
      <failure type="test failure">thread panicked &amp; <b>more</b></failure>
    </testcase>
    <testcase name="entry::tests::ok" classname="orders"/>
  </testsuite>
  <testsuite name="orders::requirements@stress-2">
    <testcase name="r001::r001_foo" classname="orders::requirements@stress-2">
      <flakyFailure type="test failure"><system-out>x</system-out></flakyFailure>
    </testcase>
    <testcase name="r002::slow"><skipped message="slow &lt;on CI&gt;"/></testcase>
    <testcase name="r003::err" classname="orders::requirements"><error type="execution failure"/></testcase>
  </testsuite>
  <testsuite name="web-app::bin/web-app"><testcase name="web_1" classname="web-app::bin/web-app"></testcase></testsuite>
  <testsuite name="@setup-script:db"><testcase name="db" classname="@setup-script:db"/></testsuite>
</testsuites>"#;
    let results = TestResults::from_junit(xml).expect("reads");
    let got: Vec<_> = results
        .results()
        .iter()
        .map(|r| {
            (
                r.package.as_deref(),
                r.binary.clone(),
                r.name.as_str(),
                r.outcome,
                r.flaky,
                r.reason.as_deref(),
            )
        })
        .collect();
    let reqs = Some(test("requirements"));
    assert_eq!(
        got,
        [
            (
                Some("orders"),
                Some(Binary::Unit),
                "entry::tests::balances",
                Outcome::Failed,
                false,
                None
            ),
            (Some("orders"), Some(Binary::Unit), "entry::tests::ok", Outcome::Passed, false, None),
            (Some("orders"), reqs.clone(), "r001::r001_foo", Outcome::Passed, true, None),
            (
                Some("orders"),
                reqs.clone(),
                "r002::slow",
                Outcome::Skipped,
                false,
                Some("slow <on CI>")
            ),
            (Some("orders"), reqs, "r003::err", Outcome::Failed, false, None),
            (
                Some("web-app"),
                Some(Binary::Bin("web-app".into())),
                "web_1",
                Outcome::Passed,
                false,
                None
            ),
        ]
    );
}

#[test]
fn malformed_junit_says_where() {
    let err = |xml: &str| TestResults::from_junit(xml).expect_err("malformed").to_string();
    let mismatched = "<testsuites>\n  <testsuite name=\"a\">\n  </testsuites>\n";
    let message = err(mismatched);
    assert!(message.starts_with("malformed JUnit XML at line 3, column 3: "), "{message}");
    let message = err("<testsuites>\n<testsuite name=\"a\">\n");
    assert_eq!(
        message,
        "malformed JUnit XML at line 3, column 1: the report ends inside `<testsuite>`"
    );
    let message = err("<testsuites>\n  <testcase name=\"a\" name=\"b\"/>\n</testsuites>");
    assert_eq!(message, "malformed JUnit XML at line 2, column 22: an attribute is given twice");
    let message = err("<testsuites><testcase name=\"a &bad; b\"/></testsuites>");
    assert!(message.ends_with("column 13: in the attribute `name`: unrecognized entity `bad`"));
    assert!(matches!(TestResults::from_junit(""), Err(ResultsError::NotJunit)));
    assert!(matches!(TestResults::from_junit("<html></html>"), Err(ResultsError::NotJunit)));
}

fn crates() -> Vec<MatchCrate<'static>> {
    vec![
        MatchCrate { name: "orders", binaries: vec![test("requirements"), test("it")] },
        MatchCrate { name: "web-app", binaries: vec![test("it")] },
    ]
}

#[test]
fn a_test_matches_by_module_path_and_function_name() {
    let results = TestResults::new(vec![
        result(None, Some(test("requirements")), "r001::r001_foo", Outcome::Passed),
        result(None, Some(test("requirements")), "requirements::r002::r002_bar", Outcome::Failed),
        result(Some("orders"), Some(Binary::Unit), "entry::tests::balances", Outcome::Failed),
        result(None, None, "other::r001_foo", Outcome::Failed),
    ]);
    let crates = crates();
    let m = Matcher::new(&results, &crates);
    let find = |krate, path, name| m.find(krate, path, name, false).map(|r| (r.outcome, r.name));
    // Module `r001` is in `r001::r001_foo` and not in `other::r001_foo`.
    assert_eq!(
        find("orders", "tests/requirements/r001.rs", "r001_foo"),
        Some((Outcome::Passed, "r001::r001_foo".to_owned()))
    );
    assert_eq!(
        find("orders", "tests/requirements/r002.rs", "r002_bar").map(|r| r.0),
        Some(Outcome::Failed)
    );
    assert_eq!(find("orders", "src/entry.rs", "balances").map(|r| r.0), Some(Outcome::Failed));
    // Another crate's package, another binary, another module: none of these are it.
    assert_eq!(find("web-app", "src/entry.rs", "balances"), None);
    assert_eq!(find("orders", "tests/it/entry.rs", "balances"), None);
    assert_eq!(find("orders", "src/other.rs", "balances"), None);
    // A file outside cargo's places: the function name within the crate decides.
    assert_eq!(find("orders", "build.rs", "balances").map(|r| r.0), Some(Outcome::Failed));
    assert_eq!(find("orders", "src/entry.rs", "missing"), None);
}

#[test]
fn a_result_certainly_of_the_crate_wins_and_failures_count_first() {
    // Both crates have `tests/it/main.rs`; `cargo test` named the package of the failing one.
    let results = TestResults::new(vec![
        result(None, Some(test("it")), "smoke::works", Outcome::Passed),
        result(Some("web-app"), Some(test("it")), "smoke::works", Outcome::Failed),
        result(None, Some(test("requirements")), "r001::twice", Outcome::Passed),
        result(None, Some(test("requirements")), "r001::twice", Outcome::Failed),
    ]);
    let crates = crates();
    let m = Matcher::new(&results, &crates);
    let outcome = |krate, path, name| m.find(krate, path, name, false).map(|r| r.outcome);
    assert_eq!(outcome("orders", "tests/it/smoke.rs", "works"), Some(Outcome::Passed));
    assert_eq!(outcome("web-app", "tests/it/smoke.rs", "works"), Some(Outcome::Failed));
    // Only orders has `tests/requirements`: its results are orders', and a failure among them
    // counts.
    assert_eq!(outcome("orders", "tests/requirements/r001.rs", "twice"), Some(Outcome::Failed));
    assert_eq!(outcome("web-app", "tests/requirements/r001.rs", "twice"), None);
}

#[test]
fn unit_test_binaries_are_known_by_their_crate_s_name() {
    let mut unit = result(None, Some(Binary::Unit), "tests::web_1", Outcome::Passed);
    unit.executable = Some("web_app-b9e807c032c1cabf".into());
    let results = TestResults::new(vec![unit]);
    let crates = crates();
    let m = Matcher::new(&results, &crates);
    assert!(m.find("web-app", "src/main.rs", "web_1", false).is_some());
    assert!(m.find("orders", "src/lib.rs", "web_1", false).is_none());
}

/// rstest's and test-case's cases are tests of their own, in a module named after the
/// function: each is the function's, and one failing case fails it.
#[test]
fn the_cases_of_a_parametrised_test_are_its_and_one_failing_fails_it() {
    let results = TestResults::new(vec![
        // rstest: `#[case]`s, and `#[values]` nested.
        result(None, Some(test("requirements")), "r001::r001::case_1", Outcome::Passed),
        result(None, Some(test("requirements")), "r001::r001::case_2_named", Outcome::Failed),
        result(None, Some(test("requirements")), "r001::r001::case_3", Outcome::Passed),
        result(None, Some(test("requirements")), "r003::r003::a_1::b_2", Outcome::Passed),
        // test-case: cases by their names, or by their arguments.
        result(Some("orders"), Some(Binary::Unit), "entry::tests::parses::one", Outcome::Passed),
        result(
            Some("orders"),
            Some(Binary::Unit),
            "entry::tests::parses::_2_expects",
            Outcome::Passed,
        ),
        // Another function's case, and another test of the same module.
        result(None, Some(test("requirements")), "r002::helper::case_1", Outcome::Failed),
        result(None, Some(test("requirements")), "r002::other", Outcome::Failed),
    ]);
    let crates = crates();
    let m = Matcher::new(&results, &crates);
    let find = |path, name, cases| m.find("orders", path, name, cases).map(|r| (r.outcome, r.name));
    assert_eq!(
        find("tests/requirements/r001.rs", "r001", true),
        Some((Outcome::Failed, "r001::r001::case_2_named".to_owned()))
    );
    // A test that makes no cases is not looked for among them.
    assert_eq!(find("tests/requirements/r001.rs", "r001", false), None);
    assert_eq!(
        find("tests/requirements/r003.rs", "r003", true).map(|r| r.0),
        Some(Outcome::Passed)
    );
    assert_eq!(find("src/entry.rs", "parses", true).map(|r| r.0), Some(Outcome::Passed));
    assert_eq!(find("src/other.rs", "parses", true), None);
    assert_eq!(m.find("web-app", "src/entry.rs", "parses", true), None);
    // `r002` is the module there, not the function: neither result is the test `r002`'s.
    assert_eq!(find("tests/requirements/r002.rs", "r002", true), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn readers_never_panic_on_any_text(text in "\\PC*") {
        let _ = TestResults::from_junit(&text);
        let _ = TestResults::from_libtest(&text);
    }

    #[test]
    fn readers_never_panic_on_fragments_of_their_formats(parts in proptest::collection::vec(
        proptest::sample::select(vec![
            "<testsuites>", "</testsuites>", "<testsuite name=\"a::b\">", "</testsuite>",
            "<testcase name=\"m::t\" classname=\"a\">", "</testcase>", "<testcase/>", "<failure/>",
            "<skipped message=\"&bad;\"/>", "<flakyFailure>", "</flakyFailure>", "<![CDATA[<x>]]>",
            "<!-- c -->", "<?xml version=\"1.0\"?>", "&amp;", "&#xD800;", "\"", "<", ">", "é",
            "\n", "running 1 test\n", "test a::b ... ok\n", "test a::b ... ignored, x\n",
            "test  ... FAILED\n", "failures:\n", "test result: ok.\n", "     Running \n",
            "     Running tests/x/main.rs (target/debug/deps/x-00)\n", "   Doc-tests x\n",
            "error: test failed, to rerun pass `-p\n", "\x1b[", "\x1b[32m", "\r\n", " - ",
        ]),
        0..40,
    )) {
        let text: String = parts.concat();
        let _ = TestResults::from_junit(&text);
        let results = TestResults::from_libtest(&text);
        let crates = crates();
        let m = Matcher::new(&results, &crates);
        for r in results.results() {
            let _ = m.find("orders", "tests/x/main.rs", r.fn_name(), false);
            let _ = m.find("orders", "tests/x/main.rs", r.fn_name(), true);
        }
    }
}

/// A binary that crashed before it reported every test (a test called `process::exit`): each
/// test it did not report failed, whatever a test of the same path in another crate did.
#[test]
fn a_test_its_crashed_binary_did_not_report_failed() {
    let output = "\
     Running tests/requirements/main.rs (target/debug/deps/requirements-0a1b2c3d4e5f6789)

running 1 test
test common::same ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/requirements/main.rs (target/debug/deps/requirements-9f8e7d6c5b4a3210)

running 3 tests
test b_2::b_2 ... ok
error: test failed, to rerun pass `-p web-app --test requirements`

Caused by:
  process didn't exit successfully: `…/requirements-9f8e7d6c5b4a3210` (exit status: 1)
";
    let results = TestResults::from_libtest(output);
    let crates = vec![
        MatchCrate { name: "orders", binaries: vec![test("requirements")] },
        MatchCrate { name: "web-app", binaries: vec![test("requirements")] },
    ];
    let m = Matcher::new(&results, &crates);
    let outcome = |krate, path, name| m.find(krate, path, name, false).map(|r| r.outcome);
    // Reported before the crash: as reported.
    assert_eq!(outcome("web-app", "tests/requirements/b_2.rs", "b_2"), Some(Outcome::Passed));
    // Not reported: failed, even though `orders` has a passing `common::same`.
    assert_eq!(outcome("web-app", "tests/requirements/b_1.rs", "b_1"), Some(Outcome::Failed));
    assert_eq!(outcome("web-app", "tests/requirements/common.rs", "same"), Some(Outcome::Failed));
    // The other crate's binary finished: its tests are as reported.
    assert_eq!(outcome("orders", "tests/requirements/common.rs", "same"), Some(Outcome::Passed));
    assert_eq!(outcome("orders", "tests/requirements/b_1.rs", "b_1"), None);
}
