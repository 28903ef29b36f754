//! Reads the output of stable `cargo test` (libtest's pretty format) into results.
//!
//! What it reads, line by line (blanks before a line do not matter, colour codes are dropped):
//!
//! ```text
//!      Running unittests src/lib.rs (target/debug/deps/orders-16768e7a05caf93b)   (stderr)
//! running 2 tests
//! test entry::tests::balances ... FAILED
//! test entry::tests::panics - should panic ... ok
//! failures:                                    (captured output follows: skipped)
//! test result: FAILED. 1 passed; 1 failed; …
//! error: test failed, to rerun pass `-p orders --lib`                             (stderr)
//!      Running tests/requirements/main.rs (target/debug/deps/requirements-de8f…)  (stderr)
//! test r001::ord_1 ... ignored, pending: ORD-1
//!    Doc-tests orders                                                             (stderr)
//! ```

use super::{Binary, CRASHED, Outcome, TestResult, locate};

/// The binary whose tests are being read.
#[derive(Debug, Default)]
struct Current {
    binary: Option<Binary>,
    executable: Option<String>,
    /// Doc tests are not tests to the trace.
    doc: bool,
    /// Whether its `running N tests` line was seen: a second one without a `Running` line
    /// before it (stdout alone) is another binary, of unknown name.
    started: bool,
    /// Its first result in the output list.
    first: usize,
    /// Whether its `test result:` line was seen: a binary whose run cargo reports failed
    /// without one crashed (a test called `process::exit`, or aborted) before it reported
    /// every test.
    finished: bool,
}

pub(super) fn read(output: &str) -> Vec<TestResult> {
    let mut out: Vec<TestResult> = Vec::new();
    let mut current = Current::default();
    // After `failures:`: the captured output of failed tests, which may hold anything.
    let mut in_failures = false;
    let mut plain = String::new();
    for raw in output.lines() {
        let line = strip_ansi(raw, &mut plain);
        let line = line.trim_end();
        let trimmed = line.trim_start();
        let rerun = trimmed.strip_prefix("error: test failed, to rerun pass `");
        if line.starts_with("test result: ") {
            current.finished = true;
        }
        if in_failures {
            // Only the end of the binary's run ends its captured output.
            if line.starts_with("test result: ") {
                in_failures = false;
            } else if rerun.is_none() {
                continue;
            }
        }
        if let Some(rest) = rerun {
            // Names the package of the binary that just ran.
            in_failures = false;
            let package = rerun_package(rest);
            if let Some(package) = package {
                for r in &mut out[current.first..] {
                    r.package.get_or_insert_with(|| package.to_owned());
                }
            }
            // It failed without reporting its end: every test it did not report failed.
            if current.started && !current.finished && !current.doc {
                out.push(TestResult {
                    package: package.map(str::to_owned),
                    binary: current.binary.clone(),
                    executable: current.executable.clone(),
                    name: CRASHED.to_owned(),
                    outcome: Outcome::Failed,
                    reason: Some("its test binary crashed before it reported this test".to_owned()),
                    flaky: false,
                });
                current.finished = true;
            }
        } else if let Some(rest) = trimmed.strip_prefix("Running ") {
            current = running(rest, out.len());
            in_failures = false;
        } else if trimmed.starts_with("Doc-tests ") {
            current = Current { doc: true, first: out.len(), ..Current::default() };
            in_failures = false;
        } else if line.starts_with("running ")
            && (line.ends_with(" tests") || line.ends_with(" test"))
        {
            if current.started {
                current = Current { first: out.len(), ..Current::default() };
            }
            current.started = true;
            in_failures = false;
        } else if line == "failures:" {
            in_failures = true;
        } else if !current.doc
            && let Some(rest) = line.strip_prefix("test ")
            && let Some((name, outcome, reason)) = test_line(rest)
        {
            out.push(TestResult {
                package: None,
                binary: current.binary.clone(),
                executable: current.executable.clone(),
                name: name.to_owned(),
                outcome,
                reason: reason.map(str::to_owned),
                flaky: false,
            });
        }
    }
    out
}

/// Whether `output` holds any line that `cargo test` prints about its test binaries: libtest's
/// `running N tests` or `test result:`, or cargo's `Running …` or `Doc-tests …`.
pub(super) fn recognised(output: &str) -> bool {
    let mut plain = String::new();
    output.lines().any(|raw| {
        let line = strip_ansi(raw, &mut plain).trim_end();
        let trimmed = line.trim_start();
        line.starts_with("test result: ")
            || (line.starts_with("running ")
                && (line.ends_with(" tests") || line.ends_with(" test")))
            || trimmed.starts_with("Running ")
            || trimmed.starts_with("Doc-tests ")
    })
}

/// A `Running` line after the word: `unittests src/lib.rs (target/debug/deps/orders-1a2b)` or
/// `tests/requirements/main.rs (target/debug/deps/requirements-3c4d)`.
fn running(rest: &str, first: usize) -> Current {
    let rest = rest.strip_prefix("unittests ").unwrap_or(rest);
    let (source, executable) = match rest.rsplit_once(" (") {
        Some((source, exe)) => (source, exe.strip_suffix(')')),
        None => (rest, None),
    };
    // The path is relative to the package's folder; on Windows its separators are `\`.
    let source = source.trim().replace('\\', "/");
    let binary = locate(&source).map(|(binary, _)| binary);
    let executable = executable.map(|exe| {
        let file = exe.rsplit(['/', '\\']).next().unwrap_or(exe);
        file.strip_suffix(".exe").unwrap_or(file).to_owned()
    });
    Current { binary, executable, doc: false, started: false, first, finished: false }
}

/// `orders` of ``-p orders --lib` ``.
fn rerun_package(rest: &str) -> Option<&str> {
    let args = rest.split('`').next()?;
    let mut words = args.split_whitespace();
    while let Some(w) = words.next() {
        if w == "-p" || w == "--package" {
            return words.next();
        }
    }
    None
}

/// A test line after `test `: `a::b ... ok`, `a::b - should panic ... ok`, `a::b ... FAILED`,
/// `a::b ... ignored` or `a::b ... ignored, reason`.
fn test_line(rest: &str) -> Option<(&str, Outcome, Option<&str>)> {
    let (name, result) = rest.split_once(" ... ")?;
    // Padded names, and the test mode libtest adds (` - should panic`).
    let name = name.split_once(" - ").map_or(name, |(n, _)| n).trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    let (outcome, reason) = match result.trim() {
        "ok" => (Outcome::Passed, None),
        "FAILED" => (Outcome::Failed, None),
        "ignored" => (Outcome::Skipped, None),
        other => {
            let reason = other.strip_prefix("ignored, ")?;
            (Outcome::Skipped, Some(reason))
        }
    };
    Some((name, outcome, reason))
}

/// The line without ANSI escape sequences (`ESC [ … letter`), in case colour was left on.
fn strip_ansi<'a>(line: &'a str, buf: &'a mut String) -> &'a str {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !line.contains('\x1b') {
        return line;
    }
    buf.clear();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            buf.push(c);
            continue;
        }
        if chars.clone().next() == Some('[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    buf
}
