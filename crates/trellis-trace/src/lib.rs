//! Follows each requirement of a spec into the code: pending, covered, lost, or written under an
//! id the spec no longer has (stray).
//!
//! [`trace`] reads every `.rs` file of each crate's `src/`, `tests/`, `benches/`, `examples/`
//! and `build.rs` once, and scans it without a parser (it tokenises just enough Rust to tell
//! comments, strings, attributes and test functions apart). Each requirement gets one
//! [`Status`]:
//!
//! - **covered**: a test that is not `#[ignore]`d names it, by its function name (the
//!   requirement's test name, `core_1`, alone or followed by `_` and more) or by a marker comment
//!   on it or in it: `// covers: CORE-1, CORE-2`;
//! - **pending**: nothing covers it, but something besides docs mentions it: its generated,
//!   still-ignored test, mostly;
//! - **lost**: nothing but docs mentions it.
//!
//! Ids are found in comments and string literals as whole words; an id-shaped word the spec does
//! not know (a spec prefix such as `CORE-` followed by digits) is a [`Stray`]. `docs/trace.md`
//! is the reference; [`findings()`] turns a report into `check`'s diagnostics, and [`mod@format`]
//! prints it.

pub mod findings;
pub mod format;
mod ids;
mod read;
mod report;
mod scan;

pub use findings::findings;
pub use read::{TestFile, TestText, read_tests};
pub use report::{
    Counts, CrateTrace, Naming, Place, RequirementTrace, Status, Stray, Target, TestRef,
    TraceError, TraceReport, trace, trace_targets,
};
