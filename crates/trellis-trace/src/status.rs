//! A requirement's status: from the tests that claim it (their `#[ignore]` and their results)
//! and from whether its text changed since a person affirmed its tests.

use serde::Serialize;

use crate::report::{Naming, Place, TestRef};
use crate::results::Outcome;

/// How the ignore reason of a requirement's generated, still pending test starts:
/// `#[ignore = "pending: CORE-1"]`.
pub const PENDING_REASON: &str = "pending";

/// Where a requirement is. When several tests claim it, the first of these that fits wins:
/// failing, suspect, passing, covered, skipped, pending, lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A test that claims it ran and failed.
    Failing,
    /// A person's test claims it, but its text changed since they affirmed that test (its
    /// fingerprint differs from the affirmed one).
    Suspect,
    /// A test that claims it ran and passed.
    Passing,
    /// A test that is not ignored claims it (by its name or a `covers:` marker), but did not
    /// run: no results were given, or they hold none for it.
    Covered,
    /// Every test that claims it is ignored for a reason other than its pending one (or was
    /// skipped by the run).
    Skipped,
    /// Nothing runs for it yet, but code mentions it: its generated test, still
    /// `#[ignore = "pending: ID"]`, mostly.
    Pending,
    /// Nothing but docs mentions it.
    Lost,
}

impl Status {
    /// Every status, in the order reports list them.
    pub const ALL: [Status; 7] = [
        Status::Passing,
        Status::Failing,
        Status::Suspect,
        Status::Skipped,
        Status::Covered,
        Status::Pending,
        Status::Lost,
    ];

    /// `failing`, `suspect`, `passing`, `covered`, `skipped`, `pending` or `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failing => "failing",
            Status::Suspect => "suspect",
            Status::Passing => "passing",
            Status::Covered => "covered",
            Status::Skipped => "skipped",
            Status::Pending => "pending",
            Status::Lost => "lost",
        }
    }
}

/// What one test shows about a requirement it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shows {
    /// It ran and failed.
    Failed,
    /// It ran and passed.
    Passed,
    /// It runs, but the results do not have it.
    NotRun,
    /// Ignored for a reason other than the pending one, or skipped by the run.
    Skipped,
    /// Ignored with the pending reason.
    Pending,
    /// It only mentions the id (a plain comment or a string): no claim.
    Mention,
}

/// Whether an ignore reason is the pending test's: `pending`, alone or followed by `:` (and, as
/// Trellis writes it, the requirement's id).
pub(crate) fn is_pending_reason(reason: &str) -> bool {
    reason
        .trim_start()
        .strip_prefix(PENDING_REASON)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
}

/// What a test shows. The scan decides for an ignored test, whatever a run that included
/// ignored tests said about it; the results decide for one that runs.
pub(crate) fn shows(test: &TestRef) -> Shows {
    if test.via == Naming::Text {
        return Shows::Mention;
    }
    if test.ignored {
        return match test.reason.as_deref() {
            Some(reason) if is_pending_reason(reason) => Shows::Pending,
            _ => Shows::Skipped,
        };
    }
    match test.result.as_ref().map(|r| r.outcome) {
        Some(Outcome::Failed) => Shows::Failed,
        Some(Outcome::Passed) => Shows::Passed,
        Some(Outcome::Skipped) => Shows::Skipped,
        None => Shows::NotRun,
    }
}

/// The status of a requirement named by `tests` and mentioned at `elsewhere`; `reworded` when
/// its text's fingerprint differs from the one affirmed.
pub(crate) fn status(tests: &[TestRef], elsewhere: &[Place], reworded: bool) -> Status {
    let best = tests.iter().map(shows).min();
    let real =
        tests.iter().any(|t| matches!(shows(t), Shows::Passed | Shows::NotRun | Shows::Skipped));
    match best {
        Some(Shows::Failed) => Status::Failing,
        _ if reworded && real => Status::Suspect,
        Some(Shows::Passed) => Status::Passing,
        Some(Shows::NotRun) => Status::Covered,
        Some(Shows::Skipped) => Status::Skipped,
        Some(Shows::Pending | Shows::Mention) => Status::Pending,
        None if !elsewhere.is_empty() => Status::Pending,
        None => Status::Lost,
    }
}
