//! The trace as `check` findings: lost and failing requirements and stray ids always; pending,
//! skipped and suspect ones on demand.

use std::collections::BTreeMap;

use trellis_spec::{Code, Diagnostic, Spec};

use crate::report::{Place, RequirementTrace, TraceReport};
use crate::status::{Shows, Status, shows};

/// A requirement nothing but docs mentions.
pub const LOST: Code = Code::new("R001", "lost-requirement");
/// An id written in code that the spec does not have.
pub const STRAY: Code = Code::new("R002", "stray-requirement");
/// A requirement whose test is still the pending one.
pub const PENDING: Code = Code::new("R003", "pending-requirement");
/// A requirement a test claims that failed.
pub const FAILING: Code = Code::new("R004", "failing-requirement");
/// A requirement whose text changed since a person affirmed its tests.
pub const SUSPECT: Code = Code::new("R005", "suspect-requirement");
/// A requirement whose every test is ignored for a reason of a person's.
pub const SKIPPED: Code = Code::new("R006", "skipped-requirement");

/// Every code above, in id order.
pub const ALL: [Code; 6] = [LOST, STRAY, PENDING, FAILING, SUSPECT, SKIPPED];

pub use trellis_spec::SPEC_FILE;

/// How strict [`findings_with`] is beyond what the spec's `[check]` settings say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// `check --strict`: pending, skipped and suspect requirements are errors.
    pub strict: bool,
    /// Suspect requirements are errors (the setting `[check] suspect-requirements = "deny"`
    /// would give, once the spec has it); otherwise they are warnings.
    pub deny_suspect: bool,
}

/// Whether [`findings`] can report anything for this spec, whatever the code holds: only when
/// the spec has a requirement. Without one there is nothing to lose or leave pending, and no
/// spec id to take a prefix from, so no word in the code is id-shaped and none is stray.
/// `check` reads no source file for such a spec.
pub fn possible(spec: &Spec) -> bool {
    spec.crates.iter().any(|c| !c.requirements.is_empty())
}

/// `check`'s findings about requirements: [`findings_with`] with `strict` and no other setting.
pub fn findings(spec: &Spec, report: &TraceReport, strict: bool) -> Vec<Diagnostic> {
    findings_with(spec, report, Policy { strict, deny_suspect: false })
}

/// `check`'s findings about requirements.
///
/// Errors: lost requirements (R001) and failing ones (R004); pending ones (R003) and skipped
/// ones (R006) only when `policy.strict` or the spec's `[check] pending-requirements = "deny"`
/// (a skipped requirement counted as pending before tests could be told apart); suspect ones
/// (R005) when `policy.strict` or `policy.deny_suspect`, and warnings otherwise. Each points at
/// the requirement in `Trellis.toml`, but a failing one, which points at its first failing test.
/// Stray ids (R002) point at the code, one finding per id and file, with the file relative to
/// the workspace root, and are errors. A crate whose folder is missing gets none: `check`
/// reports the crate itself.
pub fn findings_with(spec: &Spec, report: &TraceReport, policy: Policy) -> Vec<Diagnostic> {
    let deny_pending = policy.strict || spec.check.deny_pending_requirements;
    let deny_suspect = policy.strict || policy.deny_suspect;
    let mut out = Vec::new();
    for krate in &report.crates {
        // A crate whose folder is missing is `check`'s missing-crate or path-mismatch finding;
        // a lost finding per requirement would only repeat it.
        if krate.missing {
            continue;
        }
        let declared = spec.crate_named(&krate.name);
        for r in &krate.requirements {
            let span = declared
                .and_then(|c| c.requirements.iter().find(|q| q.id == r.id))
                .map(|q| q.span.clone());
            let (id, name) = (&r.id, &krate.name);
            let d = match r.status {
                Status::Lost => Diagnostic::error(
                    LOST,
                    format!("requirement `{id}` of `{name}` is lost: no test or code names it"),
                )
                .hint(format!(
                    "write a test named `{}` or marked `// covers: {id}`, or run `trellis apply` to seed its pending test again",
                    trellis_spec::requirement_test_name(id),
                )),
                Status::Failing => {
                    out.push(failing(r, name));
                    continue;
                }
                Status::Pending if deny_pending => Diagnostic::error(
                    PENDING,
                    format!("requirement `{id}` of `{name}` is still pending"),
                )
                .hint(format!(
                    "make its test pass and remove `#[ignore]`, or cover it with a test marked \
                     `// covers: {id}`"
                )),
                Status::Skipped if deny_pending => Diagnostic::error(
                    SKIPPED,
                    format!(
                        "requirement `{id}` of `{name}` is skipped: every test of it is ignored"
                    ),
                )
                .hint(format!(
                    "make its test run (remove its `#[ignore]`), or cover it with a test that runs \
                     and is marked `// covers: {id}`"
                )),
                Status::Suspect => {
                    let message = format!(
                        "requirement `{id}` of `{name}` changed since its tests were affirmed"
                    );
                    let d = if deny_suspect {
                        Diagnostic::error(SUSPECT, message)
                    } else {
                        Diagnostic::warning(SUSPECT, message)
                    };
                    d.hint(format!(
                        "read its tests against the new text and change what no longer holds, \
                         then run `trellis trace --affirm {id}`"
                    ))
                }
                _ => continue,
            };
            let d = d.in_file(SPEC_FILE);
            out.push(match span {
                Some(span) => d.at(span, "declared here"),
                None => d,
            });
        }
    }
    for stray in &report.stray {
        let mut by_file: BTreeMap<&str, Vec<&Place>> = BTreeMap::new();
        for place in &stray.places {
            by_file.entry(&place.file).or_default().push(place);
        }
        for (file, places) in by_file {
            let first = places[0];
            let mut d = Diagnostic::error(
                STRAY,
                format!("`{}` is not a requirement of the spec", stray.id),
            )
            .in_file(file)
            .at(first.span.clone(), "not in the spec");
            for other in &places[1..] {
                d = d.also(other.span.clone(), "and here");
            }
            let mut hint = stray_hint(&stray.id, report, &first.krate);
            if file.contains("/tests/requirements/") {
                hint.push_str(
                    "; `trellis apply --prune` deletes a pending test that Trellis wrote and \
                     the spec no longer plans",
                );
            }
            out.push(d.hint(hint));
        }
    }
    out
}

/// A failing requirement, at its first failing test; the others in that file labelled.
fn failing(r: &RequirementTrace, krate: &str) -> Diagnostic {
    let failed: Vec<_> = r.tests.iter().filter(|t| shows(t) == Shows::Failed).collect();
    let Some(first) = failed.first() else {
        return Diagnostic::error(
            FAILING,
            format!("requirement `{}` of `{krate}` is failing", r.id),
        );
    };
    let ran_as = first.result.as_ref().map_or(first.name.as_str(), |run| run.name.as_str());
    let more = match failed.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more test)".to_owned(),
        n => format!(" (and {n} more tests)"),
    };
    let mut d = Diagnostic::error(
        FAILING,
        format!("requirement `{}` of `{krate}` is failing: test `{ran_as}` failed{more}", r.id),
    )
    .in_file(first.place.file.clone())
    .at(first.place.span.clone(), "failed");
    for other in failed[1..].iter().filter(|t| t.place.file == first.place.file) {
        d = d.also(other.place.span.clone(), "failed too");
    }
    d.hint(format!(
        "rerun it with `cargo test -p {} -- --exact {ran_as}`, then fix the code, or the test if \
         the requirement changed",
        first.place.krate
    ))
}

fn stray_hint(id: &str, report: &TraceReport, krate: &str) -> String {
    let lost: Vec<String> = report
        .crates
        .iter()
        .filter(|c| c.name == krate)
        .flat_map(|c| &c.requirements)
        .filter(|r| r.status == Status::Lost)
        .map(|r| format!("`{}`", r.id))
        .take(3)
        .collect();
    let renamed = if lost.is_empty() {
        "write its new id here".to_owned()
    } else {
        format!("write its new id here (lost in `{krate}`: {})", lost.join(", "))
    };
    format!("if `{id}` was renamed in the spec, {renamed}; if it was dropped, delete this mention")
}

/// Points findings at their files as the caller shows paths: `spec_file` for `Trellis.toml`,
/// and every other file (relative to the workspace root) under `root`, when `root` is not empty.
/// [`findings`] names files from the workspace root; a command run with `--workspace DIR` shows
/// them from where it was run.
pub fn relocate(diagnostics: &mut [Diagnostic], spec_file: &str, root: &str) {
    for d in diagnostics {
        let Some(file) = d.file.take() else { continue };
        d.file = Some(if file == SPEC_FILE {
            spec_file.to_owned()
        } else if root.is_empty() {
            file
        } else {
            format!("{}/{file}", root.trim_end_matches(['/', '\\']))
        });
    }
}
