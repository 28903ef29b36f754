//! The judge: it sees the plan before any write, and what it holds back stays as it is.

use super::*;

#[test]
fn a_judge_sees_the_plan_before_any_write_and_what_it_holds_back_stays_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[]), ("b", &["a"])])).unwrap();
    let before = tree(&out);
    let files = workspace("y", &[("a", &[]), ("b", &["a"])]);
    // The judge looks at the disk: nothing of the plan is written yet.
    let root = out.clone();
    let judge = Judge::new(move |plan: &Plan| {
        let lib = fs::read_to_string(root.join("crates/b/src/lib.rs")).unwrap();
        assert!(lib.contains(": x"), "judged before writing: {lib}");
        assert!(matches!(
            plan.entries.iter().find(|e| e.path == "crates/b/src/lib.rs").unwrap().effect(),
            Effect::Write(text) if text.contains(": y")
        ));
        Ok(vec![Held { path: "crates/b/src/lib.rs".into(), reason: "cargo".into() }])
    });
    let options = ApplyOptions { judge: Some(judge), ..ApplyOptions::default() };
    let report = crate::apply(&out, &files, &options).unwrap();
    let after = tree(&out);
    assert_eq!(after["crates/b/src/lib.rs"], before["crates/b/src/lib.rs"]);
    assert!(after["crates/a/src/lib.rs"].contains(": y"), "the rest is applied");
    let held = report.plan.entries.iter().find(|e| e.path == "crates/b/src/lib.rs").unwrap();
    assert_eq!(held.action, Action::Conflict);
    assert_eq!(held.note, Some(Note::RefusedByCargo { reason: "cargo".into() }));
    assert!(held.refused_by_cargo());
    assert_eq!(held.note.as_ref().unwrap().to_string(), format!("{HELD_BACK}: cargo"));
    assert!(held.trellis_version().is_some_and(|t| t.contains(": y")));
    // The ledger keeps the held file's old record: the next run offers the change again.
    let again = plan(&out, &files, &Ledger::load(&out).unwrap(), &Options::default()).unwrap();
    let entry = again.entries.iter().find(|e| e.path == "crates/b/src/lib.rs").unwrap();
    assert_eq!(entry.action, Action::Update);
}

#[test]
fn a_judge_that_holds_back_everything_leaves_every_byte_and_no_judge_runs_for_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    let runs = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&runs);
    let judge = Judge::new(move |plan: &Plan| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(plan
            .entries
            .iter()
            .filter(|e| e.writes())
            .map(|e| Held { path: e.path.clone(), reason: "refused".into() })
            .collect())
    });
    let options = ApplyOptions { judge: Some(judge), ..ApplyOptions::default() };
    crate::apply(&out, &files, &options).unwrap();
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 0, "a no-op is not judged");
    let before = tree(&out);
    let report = crate::apply(&out, &workspace("y", &[("a", &[])]), &options).unwrap();
    assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(tree(&out), before, "byte for byte, the ledger too");
    assert!(!report.ledger_written && report.written() == 0 && report.has_conflicts());
}

#[test]
fn a_judge_that_holds_nothing_back_leaves_the_plan_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    // Only the spec's text changes: the ledger alone is written, judged or not.
    let mut changed = files.clone();
    let spec = changed.iter_mut().find(|f| f.path == "Trellis.toml").unwrap();
    spec.contents.push_str("# a comment\n");
    fs::write(out.join("Trellis.toml"), &spec.contents).unwrap();
    let ledger = Ledger::load(&out).unwrap();
    let mut planned = plan(&out, &changed, &ledger, &Options::default()).unwrap();
    assert!(planned.writes());
    planned.hold_back(&[], &ledger);
    assert!(planned.writes(), "the ledger still changes");
    let judge = Judge::new(|_: &Plan| Ok(Vec::new()));
    let report = crate::apply(
        &out,
        &changed,
        &ApplyOptions { judge: Some(judge), ..ApplyOptions::default() },
    );
    assert!(report.unwrap().ledger_written);
}
