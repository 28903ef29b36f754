//! Test results: how each test of a run ended, read from a JUnit report (`cargo nextest`) or from
//! the output of `cargo test`, and found again for a test the scanner saw.
//!
//! A result names its test the way the test harness does: the module path inside its binary
//! (`r001::r001_foo`, `entry::tests::balances`), with the package and the binary's target when
//! the input says them. A scanned test is known by its crate, its file and its function's name;
//! the trace joins the two (see `docs/trace.md`, "Test results", for the rule).

mod junit;
mod libtest;

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It ran and passed (a flaky test too, once it passed on a retry).
    Passed,
    /// It ran and failed, or could not run (JUnit's `<error>`).
    Failed,
    /// It did not run: ignored, or skipped by the runner.
    Skipped,
}

impl Outcome {
    /// `passed`, `failed` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }

    /// Of two outcomes of one test, the one that counts: a failure, else a pass.
    fn worst(self, other: Outcome) -> Outcome {
        let rank = |o: Outcome| match o {
            Outcome::Failed => 2,
            Outcome::Passed => 1,
            Outcome::Skipped => 0,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

/// The target of a package that a test binary is built from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum Binary {
    /// The unit tests of the `src/` tree: the library's, or those of `src/main.rs`.
    Unit,
    /// A binary of `src/bin/` (or, from nextest, the package's default binary).
    Bin(String),
    /// An integration test of `tests/`.
    Test(String),
    /// A benchmark of `benches/`.
    Bench(String),
    /// An example of `examples/`.
    Example(String),
}

/// The name of the result that stands for every test of a binary that crashed before it
/// reported them (a test called `process::exit`, or the process aborted): each of them failed.
pub const CRASHED: &str = "*";

/// One test's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestResult {
    /// The package, when the input says: JUnit always does; `cargo test` only for a binary
    /// that failed (`error: test failed, to rerun pass `-p orders --lib``), or through
    /// [`TestResults::with_executables`].
    pub package: Option<String>,
    /// The target its binary is built from, when the input says.
    pub binary: Option<Binary>,
    /// The binary's file name as `cargo test` printed it (`requirements-de8fd196e04a5576`).
    pub executable: Option<String>,
    /// The test's path in its binary, as the harness names it (`r001::r001_foo`).
    pub name: String,
    /// How it ended.
    pub outcome: Outcome,
    /// Why it was skipped, when the runner said (`pending: ORD-1`).
    pub reason: Option<String>,
    /// Whether it failed before it passed on a retry (nextest's flaky tests).
    pub flaky: bool,
}

impl TestResult {
    /// The test's function name: the last segment of its path.
    pub fn fn_name(&self) -> &str {
        last_segment(&self.name)
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// The results of one or more test runs, indexed by test function name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestResults {
    results: Vec<TestResult>,
    /// Function name → indices into `results`: the only lookup matching needs.
    by_fn: HashMap<String, Vec<usize>>,
}

/// Why test results could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The JUnit report is not well-formed XML.
    #[error("malformed JUnit XML at line {line}, column {column}: {message}")]
    Xml {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Well-formed XML that holds no test suite.
    #[error("not a JUnit report: no `<testsuites>` or `<testsuite>` element")]
    NotJunit,
}

impl TestResults {
    /// Results from a list, indexed.
    pub fn new(results: Vec<TestResult>) -> TestResults {
        let mut out = TestResults::default();
        out.extend(results);
        out
    }

    /// Reads a JUnit XML report as `cargo nextest run` writes it (`[profile.ci.junit]`): a
    /// `<testsuite>` per binary, named by its binary id (`orders`, `orders::requirements`,
    /// `orders::bin/web`), and a `<testcase>` per test, its `name` the test's path and its
    /// `classname` the binary id. A test case with `<failure>` or `<error>` failed, one with
    /// `<skipped>` was skipped, any other passed (`<flakyFailure>` alone: passed on a retry).
    /// Setup scripts' suites are left out. A test that appears more than once (stress runs)
    /// keeps each result; matching counts a failure among them.
    ///
    /// Malformed XML is an error that says where.
    pub fn from_junit(xml: &str) -> Result<TestResults, ResultsError> {
        junit::read(xml).map(TestResults::new)
    }

    /// Reads what `cargo test` prints, in libtest's default (pretty) format: the `Running`
    /// lines cargo writes to stderr and the tests' lines the test binaries write to stdout,
    /// interleaved in the order they were written. Run it as
    /// `cargo test --workspace --no-fail-fast --color never` with stderr and stdout into one
    /// pipe; without the `Running` lines (stdout alone) results still match, by function name
    /// and module path, but no longer by binary. Doc tests are left out. Lines it does not know
    /// are skipped, so it never fails; `--nocapture`, `--format` and `-q` are not supported.
    pub fn from_libtest(output: &str) -> TestResults {
        TestResults::new(libtest::read(output))
    }

    /// Whether `output` is what `cargo test` prints, as far as a line of it says so: libtest's
    /// `running N tests` or `test result:`, or cargo's `Running …` line. [`from_libtest`]
    /// never fails, so a caller that reads a file a person named asks this first: a file with
    /// none of those lines is no test output at all.
    ///
    /// [`from_libtest`]: TestResults::from_libtest
    pub fn is_libtest_output(output: &str) -> bool {
        libtest::recognised(output)
    }

    /// Names the package of results whose binary's file name (as `cargo test` printed it,
    /// `requirements-de8fd196e04a5576`) is a key of `packages`. `cargo test --no-run
    /// --message-format json` gives each test binary's `executable` and `package_id`; a run
    /// whose binaries share names across packages (every crate's `tests/it/main.rs`) matches
    /// exactly with them.
    pub fn with_executables(mut self, packages: &BTreeMap<String, String>) -> TestResults {
        for r in &mut self.results {
            if r.package.is_none()
                && let Some(p) = r.executable.as_ref().and_then(|e| packages.get(e))
            {
                r.package = Some(p.clone());
            }
        }
        self
    }

    /// Adds more results (another report of the same run, say).
    pub fn extend(&mut self, results: impl IntoIterator<Item = TestResult>) {
        for r in results {
            let i = self.results.len();
            self.by_fn.entry(r.fn_name().to_owned()).or_default().push(i);
            self.results.push(r);
        }
    }

    /// Every result, in the order read.
    pub fn results(&self) -> &[TestResult] {
        &self.results
    }

    /// How many results there are.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

/// Where the test results a report is judged by came from, for the report to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultsFrom {
    /// The workspace's tests, run just now (`trace --run`).
    Run,
    /// What the last run kept (`trace --run` keeps its output), read again.
    Kept {
        /// Where it is kept.
        file: String,
        /// When it was written, in seconds since the Unix epoch.
        written: u64,
        /// How old it was when read, in seconds.
        age: u64,
    },
    /// Reports in files, as given (one per shard of a CI run, say).
    Files(Vec<String>),
}

/// What a test's results say, once matched to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRun {
    /// How it ended: a failure if any matched result failed, else a pass if any passed.
    pub outcome: Outcome,
    /// Its path as the run named it (`r001::r001_foo`), for a command that reruns it.
    pub name: String,
    /// Whether it was flaky: failed, then passed on a retry.
    pub flaky: bool,
    /// Why the run skipped it, when it did and said.
    pub reason: Option<String>,
}

/// Where a file of a package puts its tests: the binary, and the module path inside it; `None`
/// for a file outside cargo's conventional places (`build.rs`).
///
/// `path` is relative to the package's folder, `/`-separated: `src/lib.rs` and `src/main.rs`
/// are unit-test roots, `src/a/b.rs` and `src/a/b/mod.rs` the module `a::b`; `tests/x.rs` and
/// `tests/x/main.rs` the root of the test `x`, `tests/x/y.rs` its module `y`; the same for
/// `src/bin/`, `benches/` and `examples/`.
pub(crate) fn locate(path: &str) -> Option<(Binary, Vec<&str>)> {
    let parts: Vec<&str> = path.split('/').collect();
    let stem = |p: &'_ str| p.strip_suffix(".rs").map(str::to_owned);
    let (binary, rest): (Binary, &[&str]) = match parts.as_slice() {
        ["src", "bin", file] => (Binary::Bin(stem(file)?), &[]),
        ["src", "bin", dir, rest @ ..] => (Binary::Bin((*dir).to_owned()), rest),
        ["src", "lib.rs" | "main.rs"] => (Binary::Unit, &[]),
        ["src", rest @ ..] => (Binary::Unit, rest),
        [kind @ ("tests" | "benches" | "examples"), file] => (kinded(kind, stem(file)?), &[]),
        [kind @ ("tests" | "benches" | "examples"), dir, rest @ ..] => {
            (kinded(kind, (*dir).to_owned()), rest)
        }
        _ => return None,
    };
    let mut modules = Vec::with_capacity(rest.len());
    for (i, part) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        match *part {
            // A target's own root inside its folder (`tests/x/main.rs`): no module.
            "main.rs" if last && rest.len() == 1 => {}
            "mod.rs" if last => {}
            file if last => modules.push(file.strip_suffix(".rs")?),
            dir => modules.push(dir),
        }
    }
    Some((binary, modules))
}

fn kinded(kind: &str, name: String) -> Binary {
    match kind {
        "tests" => Binary::Test(name),
        "benches" => Binary::Bench(name),
        _ => Binary::Example(name),
    }
}

/// Which crates a result may belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// The input names its package.
    Known(String),
    /// One of a set of crates (an index into [`Matcher::sets`]), from the binary's name or the
    /// targets the crates have. Sets are shared: in a workspace of a thousand crates that each
    /// have `tests/requirements/`, every requirement test's result points at the same one.
    Among(usize),
    /// Any crate.
    Unknown,
}

/// A crate as matching sees it.
#[derive(Debug, Clone)]
pub(crate) struct MatchCrate<'a> {
    /// The package name.
    pub(crate) name: &'a str,
    /// The binaries its files show (a `tests/x.rs` shows the test `x`).
    pub(crate) binaries: Vec<Binary>,
}

/// Finds a scanned test's results: built once per trace, then a hash lookup per test.
#[derive(Debug)]
pub(crate) struct Matcher<'a> {
    results: &'a TestResults,
    crates: HashMap<&'a str, usize>,
    /// Per result, in the order of `results`.
    owners: Vec<Owner>,
    /// Sets of crate indices, each sorted.
    sets: Vec<Vec<usize>>,
    /// Every segment of a result's path but its last → indices into `results`: where the cases
    /// of a parametrised test (`ord_1::case_2`) are found by its function's name. Built the
    /// first time a test that makes cases is looked up.
    by_case_fn: OnceCell<HashMap<&'a str, Vec<usize>>>,
}

impl<'a> Matcher<'a> {
    pub(crate) fn new(results: &'a TestResults, crates: &[MatchCrate<'a>]) -> Matcher<'a> {
        let by_name: HashMap<&'a str, usize> =
            crates.iter().enumerate().map(|(i, c)| (c.name, i)).collect();
        // The crates whose library or default binary is this target name (`web_app`), and
        // those that have this binary: each an index into `sets`, whose lists grow in crate
        // order and so stay sorted.
        let mut sets: Vec<Vec<usize>> = Vec::new();
        let mut by_ident: HashMap<String, usize> = HashMap::new();
        let mut by_binary: HashMap<&Binary, usize> = HashMap::new();
        for (i, c) in crates.iter().enumerate() {
            let set = *by_ident.entry(c.name.replace('-', "_")).or_insert_with(|| {
                sets.push(Vec::new());
                sets.len() - 1
            });
            sets[set].push(i);
            for b in &c.binaries {
                let set = *by_binary.entry(b).or_insert_with(|| {
                    sets.push(Vec::new());
                    sets.len() - 1
                });
                sets[set].push(i);
            }
        }
        let owners = results
            .results
            .iter()
            .map(|r| {
                if let Some(p) = &r.package {
                    return Owner::Known(p.clone());
                }
                let set = match &r.binary {
                    Some(Binary::Unit) => {
                        r.executable.as_deref().and_then(|e| by_ident.get(target_name(e)))
                    }
                    Some(b) => by_binary.get(b),
                    None => None,
                };
                set.map_or(Owner::Unknown, |&set| Owner::Among(set))
            })
            .collect();
        Matcher { results, crates: by_name, owners, sets, by_case_fn: OnceCell::new() }
    }

    /// The results of the test `fn_name` of crate `krate` in the file `path` (relative to the
    /// crate's folder), combined; `None` when no result is its. `cases`: the test may make a
    /// test of each case (`#[rstest]`, `#[test_case]`), which the harness names
    /// `<function>::<case>`: those results are its too.
    ///
    /// A result is the test's when its last segment is the function's name (or, for a test that
    /// makes cases, a segment before the last is), its package (as far as known) is the crate,
    /// its binary (when known on both sides) is the file's, and the file's module path (when
    /// the file sits where cargo's conventions put modules) is a run of the result's modules
    /// before the function: `r001` in `r001::r001_foo` and in `requirements::r001::r001_foo`,
    /// `entry` in `entry::tests::balances`. Results whose package is certain win over those
    /// only possibly the crate's; among the rest a failure counts first, so one failing case
    /// fails the test.
    pub(crate) fn find(
        &self,
        krate: &str,
        path: &str,
        fn_name: &str,
        cases: bool,
    ) -> Option<TestRun> {
        let own = self.find_named(krate, path, fn_name, cases);
        // A test its binary did not report before it crashed failed, whatever another crate's
        // test of the same path did.
        if own.as_ref().is_none_or(|(sure, _)| !sure)
            && let Some(crash) =
                self.find_named(krate, path, CRASHED, false).filter(|(sure, _)| *sure)
        {
            return Some(crash.1);
        }
        own.map(|(_, run)| run)
    }

    /// The results whose path has `fn_name` as a segment before its last: a parametrised
    /// test's cases.
    fn cases_of(&self, fn_name: &str) -> &[usize] {
        let index = self.by_case_fn.get_or_init(|| {
            let mut index: HashMap<&'a str, Vec<usize>> = HashMap::new();
            for (i, r) in self.results.results.iter().enumerate() {
                let Some((modules, _)) = r.name.rsplit_once("::") else { continue };
                for segment in modules.split("::") {
                    let list = index.entry(segment).or_default();
                    // `a::a::case_1` once under `a`.
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            index
        });
        index.get(fn_name).map_or(&[], Vec::as_slice)
    }

    /// [`Matcher::find`] by one function name, with whether the result is surely the crate's.
    fn find_named(
        &self,
        krate: &str,
        path: &str,
        fn_name: &str,
        cases: bool,
    ) -> Option<(bool, TestRun)> {
        let plain = self.results.by_fn.get(fn_name).map_or(&[][..], Vec::as_slice);
        let of_cases = if cases { self.cases_of(fn_name) } else { &[] };
        if plain.is_empty() && of_cases.is_empty() {
            return None;
        }
        let index = self.crates.get(krate).copied();
        let located = locate(path);
        let mut best: Option<(bool, TestRun)> = None;
        let candidates =
            plain.iter().map(|&i| (i, false)).chain(of_cases.iter().map(|&i| (i, true)));
        for (i, is_case) in candidates {
            let r = &self.results.results[i];
            let sure = match &self.owners[i] {
                Owner::Known(p) if p == krate => true,
                Owner::Known(_) => continue,
                Owner::Among(set) => {
                    let among = &self.sets[*set];
                    if index.is_none_or(|k| among.binary_search(&k).is_err()) {
                        continue;
                    }
                    // The only crate with this binary: it is this crate's.
                    among.len() == 1
                }
                Owner::Unknown => false,
            };
            if let Some((binary, modules)) = &located {
                if r.binary.as_ref().is_some_and(|b| !same_binary(b, binary)) {
                    continue;
                }
                let holds = match is_case {
                    false => fn_name == CRASHED || holds_run(&r.name, modules),
                    true => holds_case(&r.name, fn_name, modules),
                };
                if !holds {
                    continue;
                }
            }
            let run = TestRun {
                outcome: r.outcome,
                name: r.name.clone(),
                flaky: r.flaky,
                reason: r.reason.clone(),
            };
            best = match best {
                None => Some((sure, run)),
                Some((was_sure, _)) if sure && !was_sure => Some((sure, run)),
                Some((was_sure, prev)) if sure == was_sure => {
                    // The result that decides the outcome names the run; flakiness adds up.
                    let flaky = prev.flaky || run.flaky;
                    let decides = run.outcome == prev.outcome.worst(run.outcome)
                        && prev.outcome != run.outcome;
                    let kept = if decides { run } else { prev };
                    Some((was_sure, TestRun { flaky, ..kept }))
                }
                keep => keep,
            };
        }
        best
    }
}

/// The target name in a binary's file name: `requirements` of `requirements-de8fd196e04a5576`.
fn target_name(executable: &str) -> &str {
    match executable.rsplit_once('-') {
        Some((name, hash)) if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => executable,
    }
}

/// Whether a result's binary can be the one a file is compiled into. nextest calls the unit
/// tests of `src/main.rs` those of the binary `bin/<name>`.
fn same_binary(result: &Binary, file: &Binary) -> bool {
    result == file || matches!((result, file), (Binary::Bin(_), Binary::Unit))
}

/// Whether `modules` (a file's module path) is a run of the modules of the test path `name`.
fn holds_run(name: &str, modules: &[&str]) -> bool {
    if modules.is_empty() {
        return true;
    }
    let segments: Vec<&str> = name.split("::").collect();
    let path = &segments[..segments.len().saturating_sub(1)];
    path.windows(modules.len()).any(|w| w == modules)
}

/// Whether the test path `name` is a case of the function `fn_name` of a file whose module
/// path is `modules`: `fn_name` is a segment before its last, and `modules` a run of the
/// segments before that one (`entry::tests::parses::case_2` for `parses` in `src/entry.rs`).
fn holds_case(name: &str, fn_name: &str, modules: &[&str]) -> bool {
    let segments: Vec<&str> = name.split("::").collect();
    let last = segments.len().saturating_sub(1);
    (0..last)
        .filter(|&k| segments[k] == fn_name)
        .any(|k| modules.is_empty() || segments[..k].windows(modules.len()).any(|w| w == modules))
}

#[cfg(test)]
mod tests;
