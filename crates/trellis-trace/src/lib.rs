//! Follows each requirement of a spec into the code and through its tests' results: passing,
//! failing, suspect, covered, skipped, pending, lost, or written under an id the spec no longer
//! has (stray).
//!
//! [`trace`] reads every `.rs` file of each crate's `src/`, `tests/`, `benches/`, `examples/`
//! and `build.rs` once, and scans it without a parser (it tokenises just enough Rust to tell
//! comments, strings, attributes and test functions apart). A test claims a requirement by its
//! function name (the requirement's test name, `core_1`, alone or followed by `_` and more) or
//! by a marker comment on it or in it: `// covers: CORE-1, CORE-2`. [`trace_with`] also takes
//! the [`TestResults`] of a run (`cargo nextest`'s JUnit report, or `cargo test`'s output) and
//! the [`fingerprint`]s of requirement texts a person affirmed their tests against. Each
//! requirement gets one [`Status`]; when several tests claim it, the first that fits wins:
//!
//! - **failing**: a test that claims it failed;
//! - **suspect**: a person's test claims it, but its text's fingerprint is not the affirmed one;
//! - **passing**: a test that claims it passed;
//! - **covered**: a test that is not ignored claims it, but did not run (or no results were
//!   given);
//! - **skipped**: its tests are ignored for another reason than `pending: ID`;
//! - **pending**: nothing runs for it, but something besides docs mentions it: its generated,
//!   still-ignored test, mostly;
//! - **lost**: nothing but docs mentions it.
//!
//! Ids are found in comments and string literals as whole words; an id-shaped word the spec does
//! not know (a spec prefix such as `CORE-` followed by digits) is a [`Stray`]. `docs/trace.md`
//! is the reference; [`findings()`] turns a report into `check`'s diagnostics, and [`mod@format`]
//! prints it.

pub mod findings;
mod fingerprint;
pub mod format;
mod ids;
mod read;
mod report;
pub mod results;
mod scan;
mod status;

pub use findings::{Policy, findings, findings_with};
pub use fingerprint::{FINGERPRINT_PREFIX, fingerprint};
pub use read::{TestFile, TestText, read_tests};
pub use report::{
    About, Counts, CrateTrace, Naming, Place, RequirementTrace, Scanned, Stray, Target, TestRef,
    TraceError, TraceInputs, TraceReport, trace, trace_targets, trace_targets_with, trace_with,
};
pub use results::{Outcome, ResultsError, ResultsFrom, TestResult, TestResults, TestRun};
pub use status::{PENDING_REASON, Status};
