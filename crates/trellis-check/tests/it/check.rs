//! `check`: findings on the drifted fixtures, in both formats, and cargo failures.

use trellis_check::report;

use crate::{check, fixture};

#[test]
fn drift_reports_every_finding() {
    let checked = check("drift");
    insta::assert_snapshot!(
        "drift_human",
        report::human(&checked.diagnostics, &checked.sources, false)
    );
    insta::assert_snapshot!(
        "drift_json",
        report::json_text(&checked.diagnostics, &checked.sources)
    );
}

#[test]
fn allow_silences_one_finding_and_a_rotten_one_is_reported() {
    let checked = check("allow");
    insta::assert_snapshot!(
        "allow_human",
        report::human(&checked.diagnostics, &checked.sources, false)
    );
    insta::assert_snapshot!(
        "allow_json",
        report::json_text(&checked.diagnostics, &checked.sources)
    );
}

#[test]
fn broken_manifest_fails_with_cargos_message() {
    let _ = fixture("broken-manifest");
}
