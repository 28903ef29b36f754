//! Crates that are renamed or moved: their folders move with the person's files, and the manifests that lead to them follow.

use super::*;

#[test]
fn renamed_crates_move_with_the_persons_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("old", &[]), ("b", &["old"])])).unwrap();
    fs::write(out.join("crates/old/notes.md"), "mine\n").unwrap();
    let files = workspace("x", &[("new", &[]), ("b", &["new"])]);
    let options = Options {
        renames: vec![Rename { from: "old".into(), to: "new".into() }],
        ..Options::default()
    };
    let report = apply(&out, &files, &options).unwrap();
    assert_eq!(report.plan.entries[0].action, Action::Move);
    assert!(!out.join("crates/old").exists());
    assert_eq!(fs::read_to_string(out.join("crates/new/notes.md")).unwrap(), "mine\n");
    let manifest = fs::read_to_string(out.join("crates/new/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"new\""), "{manifest}");
    let b = fs::read_to_string(out.join("crates/b/Cargo.toml")).unwrap();
    // The dependent keeps the name its code uses; the root's entry names the new package.
    assert!(b.contains("old.workspace = true"), "{b}");
    let root = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(root.contains("package = \"new\"") && root.contains("crates/new"), "{root}");
    assert_eq!(report.plan.count(Action::Orphan), 0);
    assert!(!apply(&out, &files, &options).unwrap().plan.writes());
}

#[test]
fn a_member_the_spec_does_not_declare_follows_a_crate_that_moves() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("old", &[]), ("b", &["old"])])).unwrap();
    fs::create_dir_all(out.join("tools")).unwrap();
    let tools = "[package]\nname = \"tools\"\n\n[dependencies]\nold = { path = \"../crates/old\" } # mine\n";
    fs::write(out.join("tools/Cargo.toml"), tools).unwrap();
    let files = workspace("x", &[("new", &[]), ("b", &["new"])]);
    let options = Options {
        renames: vec![Rename { from: "old".into(), to: "new".into() }],
        others: vec!["tools".into()],
        ..Options::default()
    };
    let report = apply(&out, &files, &options).unwrap();
    let entry = report.plan.entries.iter().find(|e| e.path == "tools/Cargo.toml").unwrap();
    assert_eq!(entry.action, Action::Merge, "{entry:?}");
    assert_eq!(
        fs::read_to_string(out.join("tools/Cargo.toml")).unwrap(),
        tools.replace("\"../crates/old\" }", "\"../crates/new\", package = \"new\" }")
    );
    // Not Trellis' file: the ledger does not hold it, and nothing more happens to it.
    assert!(!apply(&out, &files, &options).unwrap().plan.writes());
}

#[test]
fn a_crate_whose_path_changes_moves_with_the_persons_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[]), ("b", &["a"])]);
    create(&out, &files).unwrap();
    fs::write(out.join("crates/a/notes.md"), "mine\n").unwrap();
    let moved: Vec<PlannedFile> = files
        .iter()
        .map(|f| PlannedFile {
            path: f.path.replace("crates/a/", "libs/a/"),
            contents: f.contents.replace("crates/a\"", "libs/a\""),
            ownership: f.ownership,
            seed: seed(&f.path.replace("crates/a/", "libs/a/")),
        })
        .collect();
    let report = apply(&out, &moved, &Options::default()).unwrap();
    assert_eq!(report.plan.entries[0].path, "crates/a -> libs/a");
    assert_eq!(report.plan.entries[0].note, Some(Note::Moved { name: "a".into() }));
    assert_eq!(fs::read_to_string(out.join("libs/a/notes.md")).unwrap(), "mine\n");
    assert!(!out.join("crates/a").exists());
    let root = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(root.contains("\"libs/a\"") && !root.contains("crates/a"), "{root}");
    assert!(!apply(&out, &moved, &Options::default()).unwrap().plan.writes());
}

#[test]
fn a_rename_onto_a_folder_that_exists_is_a_conflict_and_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("old", &[])])).unwrap();
    fs::create_dir_all(out.join("crates/new")).unwrap();
    fs::write(out.join("crates/new/mine.txt"), "mine\n").unwrap();
    let options = Options {
        renames: vec![Rename { from: "old".into(), to: "new".into() }],
        ..Options::default()
    };
    let report = apply(&out, &workspace("x", &[("new", &[])]), &options).unwrap();
    assert_eq!(report.plan.entries[0].action, Action::Conflict);
    assert_eq!(report.plan.entries[0].path, "crates/old -> crates/new");
    assert!(out.join("crates/old/src/lib.rs").is_file());
    assert_eq!(fs::read_to_string(out.join("crates/new/mine.txt")).unwrap(), "mine\n");
}
