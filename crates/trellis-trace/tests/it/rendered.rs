//! `trace` on what the render stage really writes: every requirement pending, nothing stray.

use trellis_render::{Templates, render};
use trellis_trace::{Naming, Status, trace};

use crate::support::{Workspace, human, parse};

/// Renders a spec into a temporary folder, as `new` would write it.
fn rendered(text: &str) -> (Workspace, trellis_spec::Spec) {
    let spec = parse(text);
    let files = render(&spec, text, &Templates::embedded()).expect("render");
    let ws = Workspace::new();
    for file in files {
        ws.write(&file.path, &file.contents);
    }
    (ws, spec)
}

#[test]
fn the_embedded_example_is_all_pending() {
    let (ws, spec) = rendered(trellis_spec::EXAMPLE);
    let report = trace(&spec, ws.root()).expect("trace");
    let totals = report.totals();
    assert!(totals.requirements >= 15, "{totals:?}");
    assert_eq!(
        (totals.pending, totals.covered, totals.lost, totals.stray),
        (totals.requirements, 0, 0, 0)
    );
    for r in report.crates.iter().flat_map(|c| &c.requirements) {
        // Each is held by exactly one test: its own, ignored, named after it.
        assert_eq!(r.tests.len(), 1, "{r:#?}");
        assert!(r.tests[0].ignored && r.tests[0].via == Naming::Name, "{r:#?}");
        assert!(r.elsewhere.is_empty(), "{r:#?}");
    }
    // No snapshot: the example is the spec stage's to change; the shape above is what holds.
    assert!(human(&report).ends_with("0 lost; 0 stray ids\n"));
}

#[test]
fn hostile_requirement_text_is_still_pending_and_never_stray() {
    // Text that tries to close the doc comment, open a string, or name ids.
    let text = r##"[workspace]
name = "hostile"
summary = "Text that fights back"
edition = "2024"

[crates.core]
summary = "*/ \"# {{x}}"
requirements = [
  { id = "CORE-1", text = "Ends a comment */ and opens a \"string, mentions CORE-2" },
  { id = "CORE-2", text = "Two lines\nsecond with r#\"raw\"# and 'quotes'" },
]
"##;
    let (ws, spec) = rendered(text);
    let report = trace(&spec, ws.root()).expect("trace");
    let statuses: Vec<Status> =
        report.crates.iter().flat_map(|c| &c.requirements).map(|r| r.status).collect();
    assert_eq!(statuses, [Status::Pending, Status::Pending]);
    assert!(report.stray.is_empty(), "{report:#?}");
}
