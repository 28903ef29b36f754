//! The trace as `check` findings: lost requirements and stray ids always, pending ones on demand.

use std::collections::BTreeMap;

use trellis_spec::{Code, Diagnostic, Spec};

use crate::report::{Place, Status, TraceReport};

/// A requirement nothing but docs mentions.
pub const LOST: Code = Code::new("R001", "lost-requirement");
/// An id written in code that the spec does not have.
pub const STRAY: Code = Code::new("R002", "stray-requirement");
/// A requirement whose test is still the pending one.
pub const PENDING: Code = Code::new("R003", "pending-requirement");

pub use trellis_spec::SPEC_FILE;

/// Whether [`findings`] can report anything for this spec, whatever the code holds: only when
/// the spec has a requirement. Without one there is nothing to lose or leave pending, and no
/// spec id to take a prefix from, so no word in the code is id-shaped and none is stray.
/// `check` reads no source file for such a spec.
pub fn possible(spec: &Spec) -> bool {
    spec.crates.iter().any(|c| !c.requirements.is_empty())
}

/// `check`'s findings about requirements.
///
/// Lost requirements (R001) and pending ones (R003, only when `strict` or the spec's
/// `[check] pending-requirements = "deny"`) point at the requirement in `Trellis.toml`; stray ids
/// (R002) point at the code, one finding per id and file, with the file relative to the
/// workspace root. Every finding is an error. A crate whose folder is missing gets none: `check`
/// reports the crate itself.
pub fn findings(spec: &Spec, report: &TraceReport, strict: bool) -> Vec<Diagnostic> {
    let deny_pending = strict || spec.check.deny_pending_requirements;
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
            let d = match r.status {
                Status::Lost => Diagnostic::error(
                    LOST,
                    format!(
                        "requirement `{}` of `{}` is lost: no test or code names it",
                        r.id, krate.name
                    ),
                )
                .hint(format!(
                    "write a test named `{}` or marked `// covers: {}`, or run `trellis apply` \
                     to seed its pending test again",
                    trellis_spec::requirement_test_name(&r.id),
                    r.id
                )),
                Status::Pending if deny_pending => Diagnostic::error(
                    PENDING,
                    format!("requirement `{}` of `{}` is still pending", r.id, krate.name),
                )
                .hint(format!(
                    "make its test pass and remove `#[ignore]`, or cover it with a test marked \
                     `// covers: {}`",
                    r.id
                )),
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
