//! A test file read back: its tests, whether each is ignored and why, the doc comment above
//! it and the ids its `covers:` markers claim, so that `infer` can recover the requirements
//! Trellis generated without a second scanner.

use crate::ids::Ids;
use crate::scan::{FileScan, scan_file, test_texts};

/// What one test file says about its tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestFile {
    /// The file's first line when it is an inner doc comment, after `//!` (a generated test's
    /// `//! CORE-1: the pending test of this requirement.`).
    pub first_line: Option<String>,
    /// Its test functions, in order.
    pub tests: Vec<TestText>,
}

/// One test function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestText {
    /// The function's name (empty when it has none the scanner could read).
    pub name: String,
    /// `None` when the test runs; the reason of `#[ignore = "…"]` as written between the
    /// quotes, or empty for a bare `#[ignore]`.
    pub ignore: Option<String>,
    /// The outer doc comment above it, one entry per `///` line, after the `///`.
    pub doc: Vec<String>,
    /// The words of its `// covers: A, B` markers, on it or in it, punctuation trimmed.
    pub covers: Vec<String>,
}

/// Reads the tests of one file. Like the trace, it trusts the file to be Rust and, on text that
/// is not, finds what it can.
pub fn read_tests(src: &str) -> TestFile {
    let mut scan = FileScan::default();
    // No ids to look for: only the tests and their tokens are wanted.
    scan_file(src.as_bytes(), &Ids::new(Vec::new()), &mut scan);
    let (first, tests) = test_texts(src.as_bytes(), &scan);
    TestFile {
        first_line: first.map(str::to_owned),
        tests: tests
            .into_iter()
            .map(|t| TestText {
                name: t.name.to_owned(),
                ignore: t.ignore.map(str::to_owned),
                doc: t.doc.into_iter().map(str::to_owned).collect(),
                covers: t
                    .markers
                    .iter()
                    .flat_map(|m| m.split(|c: char| c == ',' || c.is_whitespace()))
                    .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
