//! Manifests through a whole run: merged key by key, orphans and pruning, conflicts that hold the run back, and accepting them.

use super::*;

#[test]
fn manifests_merge_key_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[]), ("b", &[])])).unwrap();
    let root = out.join("Cargo.toml");
    let text = fs::read_to_string(&root).unwrap();
    let text = text.replace(
        "[workspace.package]",
        "# Ours, keep it.\n[workspace.package]\nauthors = [\"me\"]",
    );
    fs::write(&root, &text).unwrap();
    let crate_b = out.join("crates/b/Cargo.toml");
    let mut b = fs::read_to_string(&crate_b).unwrap();
    b.push_str("\n[dependencies]\nlibc = \"0.2\" # by hand\n");
    fs::write(&crate_b, &b).unwrap();

    let files = workspace("x", &[("a", &[]), ("b", &["a"]), ("c", &["a"])]);
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(!report.has_conflicts(), "{:#?}", report.plan.entries);
    let root_after = fs::read_to_string(&root).unwrap();
    assert!(
        root_after.contains("# Ours, keep it.\n[workspace.package]\nauthors = [\"me\"]"),
        "{root_after}"
    );
    assert!(root_after.contains("    \"crates/c\",\n]"), "{root_after}");
    assert!(root_after.contains("c = { path = \"crates/c\" }"), "{root_after}");
    let b_after = fs::read_to_string(&crate_b).unwrap();
    assert!(b_after.contains("libc = \"0.2\" # by hand"), "{b_after}");
    assert!(b_after.contains("a.workspace = true"), "{b_after}");
    let ledger = fs::read_to_string(out.join(LEDGER_PATH)).unwrap();
    let again = apply(&out, &files, &Options::default()).unwrap();
    assert_eq!(fs::read_to_string(out.join(LEDGER_PATH)).unwrap(), ledger);
    assert!(!again.plan.writes(), "{:#?}", again.plan.entries);
}

#[test]
fn orphans_stay_until_pruned_and_changed_ones_stay_after() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[]), ("b", &[]), ("c", &[])])).unwrap();
    fs::write(out.join("crates/c/src/lib.rs"), "pub fn mine() {}\n").unwrap();
    let files = workspace("x", &[("a", &[])]);

    let report = apply(&out, &files, &Options::default()).unwrap();
    assert_eq!(report.plan.count(Action::Orphan), 4);
    let root = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(root.contains("crates/b") && root.contains("crates/c"), "{root}");

    let report = apply(&out, &files, &Options { prune: true, ..Options::default() }).unwrap();
    assert_eq!(
        report.deleted_files,
        vec!["crates/b/Cargo.toml".to_owned(), "crates/b/src/lib.rs".to_owned()]
    );
    assert!(!out.join("crates/b").exists());
    assert_eq!(fs::read_to_string(out.join("crates/c/src/lib.rs")).unwrap(), "pub fn mine() {}\n");
    let root = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(!root.contains("crates/b") && root.contains("crates/c"), "{root}");
    let again = apply(&out, &files, &Options { prune: true, ..Options::default() }).unwrap();
    assert!(!again.plan.writes(), "{:#?}", again.plan.entries);
}

#[test]
fn a_manifest_that_is_not_toml_is_a_conflict_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[])])).unwrap();
    fs::write(out.join("crates/a/Cargo.toml"), "[package\nbroken").unwrap();
    let report =
        apply(&out, &workspace("x", &[("a", &["b"]), ("b", &[])]), &Options::default()).unwrap();
    let entry = report.plan.entries.iter().find(|e| e.path == "crates/a/Cargo.toml").unwrap();
    assert_eq!(entry.action, Action::Conflict);
    assert!(matches!(entry.note, Some(Note::NotToml { .. })), "{entry:?}");
    assert_eq!(fs::read_to_string(out.join("crates/a/Cargo.toml")).unwrap(), "[package\nbroken");
    // Manifests change together: the run waits for the conflict, half-applied it is no one's.
    assert!(!out.join("crates/b").exists(), "nothing else was written");
    let held = report.plan.entries.iter().find(|e| e.path == "crates/b/Cargo.toml").unwrap();
    let waits = Note::Waits { on: vec!["crates/a/Cargo.toml".into()] };
    assert_eq!(held.note, Some(waits), "{held:?}");
}

#[test]
fn a_manifest_merged_with_a_persons_keys_is_never_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[]), ("b", &[])]);
    create(&out, &files).unwrap();
    let manifest = out.join("crates/b/Cargo.toml");
    let mine = format!(
        "{}\n[package.metadata.mine]\nkeep = true\n",
        fs::read_to_string(&manifest).unwrap()
    );
    fs::write(&manifest, &mine).unwrap();
    // An apply that merges nothing new still records the file as it is.
    apply(&out, &files, &Options::default()).unwrap();
    let report =
        apply(&out, &workspace("x", &[("a", &[])]), &Options { prune: true, ..Options::default() })
            .unwrap();
    assert_eq!(fs::read_to_string(&manifest).unwrap(), mine);
    assert_eq!(report.deleted(), 0, "{:?}", report.deleted_files);
}

#[test]
fn a_manifest_conflict_writes_nothing_to_it_and_can_be_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &described(workspace("x", &[("a", &[]), ("b", &[])]), "one")).unwrap();
    let manifest = out.join("crates/a/Cargo.toml");
    let mine = fs::read_to_string(&manifest).unwrap().replace("\"one\"", "\"mine\" # ours");
    fs::write(&manifest, &mine).unwrap();

    // The spec changes the description the person changed, and adds an edge.
    let files = described(workspace("x", &[("a", &["b"]), ("b", &[])]), "two");
    let options = Options { write_conflicts: true, diff: true, ..Options::default() };
    let report = apply(&out, &files, &options).unwrap();
    let entry = report.plan.entries.iter().find(|e| e.path == "crates/a/Cargo.toml").unwrap();
    assert_eq!(entry.action, Action::Conflict);
    let keys = vec!["package.description (a person changed it)".to_owned()];
    assert_eq!(entry.note, Some(Note::Keys { keys, others_wait: true }));
    assert!(entry.diff.as_deref().unwrap().contains("+description = \"two\" # ours"), "{entry:?}");
    assert_eq!(fs::read_to_string(&manifest).unwrap(), mine, "nothing is written to it");
    let theirs = fs::read_to_string(out.join("crates/a/Cargo.toml.trellis-new")).unwrap();
    assert!(
        theirs.contains("description = \"two\" # ours") && theirs.contains("b.workspace"),
        "{theirs}"
    );

    // Still a conflict until accepted; then the person's value stays and the edge lands.
    assert!(apply(&out, &files, &Options::default()).unwrap().has_conflicts());
    let accept = Options { accept: vec!["crates/a/Cargo.toml".into()], ..Options::default() };
    assert!(!apply(&out, &files, &accept).unwrap().has_conflicts());
    let after = fs::read_to_string(&manifest).unwrap();
    assert!(
        after.contains("description = \"mine\" # ours") && after.contains("b.workspace = true"),
        "{after}"
    );
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(!report.has_conflicts() && !report.plan.writes(), "{:#?}", report.plan.entries);
}

/// A manifest in conflict holds back the other changes, each counted as held back and naming
/// the conflict; a seeded file in conflict beside it still gets its markers with
/// `--write-conflicts`, in the same run, as the hint promises.
#[test]
fn a_manifest_conflict_holds_back_the_rest_but_not_another_files_markers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &described(workspace("old", &[("a", &[]), ("b", &[])]), "one")).unwrap();
    let manifest = out.join("crates/a/Cargo.toml");
    let mine = fs::read_to_string(&manifest).unwrap().replace("\"one\"", "\"mine\"");
    fs::write(&manifest, &mine).unwrap();
    fs::write(out.join("crates/b/src/lib.rs"), "//! b: the person's line\n").unwrap();

    let files = described(workspace("new", &[("a", &[]), ("b", &[]), ("c", &[])]), "two");
    let options = Options { write_conflicts: true, ..Options::default() };
    let report = apply(&out, &files, &options).unwrap();
    let action = |path: &str| report.plan.entries.iter().find(|e| e.path == path).unwrap();
    assert_eq!(action("crates/a/Cargo.toml").action, Action::Conflict);
    assert_eq!(action("crates/b/src/lib.rs").action, Action::Conflict);
    let held = action("crates/c/Cargo.toml");
    assert_eq!(held.action, Action::Held);
    assert_eq!(held.note, Some(Note::Waits { on: vec!["crates/a/Cargo.toml".into()] }));
    assert!(report.plan.summary().contains("held back"), "{}", report.plan.summary());
    assert!(!out.join("crates/c").exists());
    let marked = fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap();
    assert!(marked.contains("<<<<<<< ours") && marked.contains("b: new"), "{marked}");
}
