//! Seeded and once files: rewritten while still Trellis', merged or in conflict once a person edited them, accepted, adopted; and the whole tree after a spec change.

use super::*;

#[test]
fn plan_of_a_missing_folder_creates_everything() {
    let dir = tempfile::tempdir().unwrap();
    let files = workspace("x", &[("a", &[])]);
    let plan =
        plan(&dir.path().join("nope"), &files, &Ledger::default(), &Options::default()).unwrap();
    assert!(plan.entries.iter().all(|e| e.action == Action::Create));
    assert!(!dir.path().join("nope").exists());
}

#[test]
fn second_apply_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[]), ("b", &["a"])]);
    create(&out, &files).unwrap();
    let before = fault::count();
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert_eq!(fault::count(), before, "{:?}", report.written_files);
    assert!(!report.plan.writes());
    assert!(report.plan.entries.iter().all(|e| e.action == Action::Unchanged));
}

#[test]
fn untouched_seeded_files_follow_the_spec_and_edited_ones_merge_or_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let three = |first: &str| format!("//! {first}\n\npub fn trellis() {{}}\n");
    let mut old = workspace("old", &[("a", &[]), ("b", &[]), ("c", &[])]);
    for f in old.iter_mut().filter(|f| f.path == "crates/c/src/lib.rs") {
        f.contents = three("c: old");
    }
    create(&out, &old).unwrap();
    // `a`: the person changes the line Trellis changes too; `c`: a line far from it.
    let mine = "//! a: mine\n";
    fs::write(out.join("crates/a/src/lib.rs"), mine).unwrap();
    fs::write(
        out.join("crates/c/src/lib.rs"),
        format!("{}\npub fn mine() {{}}\n", three("c: old")),
    )
    .unwrap();

    let mut files = workspace("new", &[("a", &[]), ("b", &[]), ("c", &[])]);
    for f in files.iter_mut().filter(|f| f.path == "crates/c/src/lib.rs") {
        f.contents = three("c: new");
    }
    let planned = plan(&out, &files, &Ledger::load(&out).unwrap(), &Options::default()).unwrap();
    let got: BTreeMap<_, _> = actions(&planned).into_iter().collect();
    assert_eq!(got["crates/a/src/lib.rs"], Action::Conflict);
    assert_eq!(got["crates/b/src/lib.rs"], Action::Update);
    assert_eq!(got["crates/c/src/lib.rs"], Action::Merge);
    assert_eq!(got["README.md"], Action::Update);

    // By default a conflict leaves the file alone; the merge lands.
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(report.has_conflicts());
    assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), mine);
    assert_eq!(fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap(), "//! b: new\n");
    assert_eq!(
        fs::read_to_string(out.join("crates/c/src/lib.rs")).unwrap(),
        format!("{}\npub fn mine() {{}}\n", three("c: new"))
    );

    // `--write-conflicts` writes the conflict markers into the file.
    let options = Options { write_conflicts: true, ..Options::default() };
    let report = apply(&out, &files, &options).unwrap();
    assert!(report.has_conflicts());
    let marked = fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap();
    assert!(
        marked.contains("<<<<<<<")
            && marked.contains("//! a: mine")
            && marked.contains("//! a: new"),
        "{marked}"
    );
    assert!(!out.join("crates/a/src/lib.rs.trellis-new").exists());

    // Markers nobody resolved stay a conflict, even with nothing new from the spec.
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(report.has_conflicts(), "{:#?}", report.plan.entries);
    assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), marked);
    // `--accept` does not end it, nor does removing one marker.
    let accept = vec!["crates/a/src/lib.rs".to_owned()];
    let report = apply(&out, &files, &Options { accept, ..Options::default() }).unwrap();
    assert!(report.has_conflicts(), "{:#?}", report.plan.entries);
    let partly =
        marked.replacen("<<<<<<< ours\n", "", 1).replace(">>>>>>> theirs", ">>>>>>> theirs ");
    fs::write(out.join("crates/a/src/lib.rs"), &partly).unwrap();
    assert!(apply(&out, &files, &Options::default()).unwrap().has_conflicts());

    // Resolved by hand, the file is the person's edit of Trellis' new version: all quiet.
    fs::write(out.join("crates/a/src/lib.rs"), mine).unwrap();
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(!report.has_conflicts(), "{:#?}", report.plan.entries);
    assert!(!report.plan.writes());
    assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), mine);
}

/// The spec's schema is the one file Trellis' folder holds beside the bookkeeping: a seeded
/// file, created in a workspace Trellis did not create too, rewritten by a newer Trellis while
/// nobody edited it, and a person's edit of it is theirs.
#[test]
fn the_spec_schema_in_trellis_folder_is_a_seeded_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let with_schema = |schema: &str| {
        let mut files = workspace("x", &[("a", &[])]);
        files.push(pf(trellis_render::SCHEMA_FILE, schema, Ownership::Seeded));
        files
    };
    // Adopted: a workspace with its own root manifest and no ledger.
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    let report = apply(&out, &with_schema("{ \"v\": 1 }\n"), &Options::default()).unwrap();
    assert!(report.written_files.contains(&trellis_render::SCHEMA_FILE.to_owned()));
    let read = || fs::read_to_string(out.join(trellis_render::SCHEMA_FILE)).unwrap();
    assert_eq!(read(), "{ \"v\": 1 }\n");

    let report = apply(&out, &with_schema("{ \"v\": 2 }\n"), &Options::default()).unwrap();
    assert_eq!(report.written_files, vec![trellis_render::SCHEMA_FILE.to_owned()]);
    assert_eq!(read(), "{ \"v\": 2 }\n");

    fs::write(out.join(trellis_render::SCHEMA_FILE), "{ \"mine\": true }\n").unwrap();
    let report = apply(&out, &with_schema("{ \"v\": 3 }\n"), &Options::default()).unwrap();
    assert!(report.has_conflicts());
    assert_eq!(read(), "{ \"mine\": true }\n");
}

#[test]
fn person_edits_without_new_spec_are_not_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("same", &[("a", &[])]);
    create(&out, &files).unwrap();
    fs::write(out.join("crates/a/src/lib.rs"), "pub fn mine() {}\n").unwrap();
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert!(!report.has_conflicts());
    assert!(!report.plan.writes());
}

#[test]
fn a_deleted_seeded_file_is_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    fs::remove_file(out.join("README.md")).unwrap();
    let report = apply(&out, &files, &Options::default()).unwrap();
    assert_eq!(report.written_files, vec!["README.md".to_owned()]);
}

#[test]
fn accept_settles_a_conflict_but_what_merges_is_merged() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let text = |first: &str| format!("//! {first}\n\npub fn trellis() {{}}\n");
    let mut old = workspace("old", &[("a", &[])]);
    for f in old.iter_mut().filter(|f| f.path == "crates/a/src/lib.rs") {
        f.contents = text("a: old");
    }
    create(&out, &old).unwrap();
    let mine = format!("{}\npub fn mine() {{}}\n", text("a: old"));
    fs::write(out.join("crates/a/src/lib.rs"), &mine).unwrap();
    fs::write(out.join("README.md"), "# mine\n").unwrap();

    let mut files = workspace("new", &[("a", &[])]);
    for f in files.iter_mut().filter(|f| f.path == "crates/a/src/lib.rs") {
        f.contents = text("a: new");
    }
    let accept = vec!["crates/a/src/lib.rs".to_owned(), "README.md".to_owned()];
    let report = apply(&out, &files, &Options { accept, ..Options::default() }).unwrap();
    assert!(!report.has_conflicts(), "{:#?}", report.plan.entries);
    // The merge lands even so; the conflict stays the person's version.
    assert_eq!(
        fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(),
        format!("{}\npub fn mine() {{}}\n", text("a: new"))
    );
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "# mine\n");
}

#[test]
fn accepting_a_path_trellis_does_not_plan_is_an_input_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    let before = fs::read(out.join(".trellis/ledger.toml")).unwrap();
    for path in ["nothere.rs", "../outside", "./README.md"] {
        let options = Options { accept: vec![path.to_owned()], ..Options::default() };
        let err = apply(&out, &files, &options).unwrap_err();
        assert!(err.is_input(), "{err}");
        assert!(err.to_string().contains(path), "{err}");
    }
    assert_eq!(fs::read(out.join(".trellis/ledger.toml")).unwrap(), before);
}

/// A whole workspace after a person's edits and a spec change, ledger included: every byte
/// that `apply` decides, in one snapshot (fixture files, so template changes leave it alone).
#[test]
fn whole_tree_after_person_edits_and_a_spec_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("before", &[("a", &[]), ("b", &["a"]), ("c", &["a"])])).unwrap();
    let edit = |path: &str, from: &str, to: &str| {
        let text = fs::read_to_string(out.join(path)).unwrap();
        assert!(text.contains(from), "{from:?} not in {path}");
        fs::write(out.join(path), text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "Cargo.toml",
        "[workspace.package]\n",
        "[workspace.package]\n# ours\nauthors = [\"me\"]\n",
    );
    edit("crates/b/Cargo.toml", "[dependencies]\n", "[dependencies]\nlibc = \"0.2\" # by hand\n");
    edit("crates/a/src/lib.rs", "//! a: before\n", "//! a: before\n\npub fn mine() {}\n");
    fs::remove_file(out.join("README.md")).unwrap();

    let files = workspace("after", &[("a", &[]), ("b", &[]), ("d", &["a", "b"])]);
    let report = apply(&out, &files, &Options { prune: true, ..Options::default() }).unwrap();
    insta::assert_snapshot!(format!(
        "{}{}\n\n{}",
        human(&report.plan.entries),
        report.plan.summary(),
        tree_text(&out)
    ));
}

#[test]
fn a_workspace_without_a_ledger_is_adopted_and_its_own_files_stay_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    fs::remove_file(out.join(LEDGER_PATH)).unwrap();
    fs::write(out.join("README.md"), "# ours\n").unwrap();

    let report = apply(&out, &files, &Options::default()).unwrap();
    // An adopted workspace keeps its own README and targets: Trellis' scaffolding and the
    // sources of crates it did not create are not planned.
    for path in ["README.md", "crates/a/src/lib.rs"] {
        assert!(report.plan.entries.iter().all(|e| e.path != path), "{:#?}", report.plan.entries);
    }
    assert_eq!(report.plan.count(Action::Unchanged), files.len() - 2);
    assert!(report.written_files.is_empty(), "{:?}", report.written_files);
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "# ours\n");
    let relearnt = fs::read_to_string(out.join(LEDGER_PATH)).unwrap();
    assert!(!relearnt.contains("[files.\"README.md\"]"), "{relearnt}");
}
