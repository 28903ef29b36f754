//! The benchmark's synthetic workspace: its spec parses, and `trace` reads it as designed.

use trellis_trace::{Status, synth, trace, trace_targets};

#[test]
fn the_synthetic_workspace_parses_and_traces_as_designed() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let targets = synth::write_workspace(dir.path(), 7, 60).expect("write");
    assert_eq!(targets, synth::targets(7, 60));
    let text = std::fs::read_to_string(dir.path().join("Trellis.toml")).expect("spec");
    let spec = crate::support::parse(&text);
    let report = trace(&spec, dir.path()).expect("trace");
    assert_eq!(report, trace_targets(&targets, dir.path()).expect("trace targets"));
    let totals = report.totals();
    assert_eq!((totals.requirements, totals.lost, totals.stray), (60, 0, 0));
    // In each crate, requirements 0, 3, 6, 9… (by position) are covered: one in three.
    let covered: usize = targets.iter().map(|t| t.requirements.len().div_ceil(3)).sum();
    assert_eq!(totals.covered, covered);
    let first = &report.crates[0].requirements;
    assert_eq!(first[0].status, Status::Covered);
    assert_eq!(first[1].status, Status::Pending);
    assert!(synth::read_baseline(dir.path()).expect("baseline") > 0);
}
