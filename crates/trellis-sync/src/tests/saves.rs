//! A person's saves while `apply` runs (between plan and write, in the instant before a rename, while cargo judges), and the verifier that refuses a run.

use super::recovery::leftovers;
use super::*;

/// A person's save between the plan and the write wins: the file keeps what they saved, the
/// entry becomes a conflict, and its ledger record stays as it was.
#[test]
fn a_save_during_apply_wins_and_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let old_files = workspace("old", &[("a", &[]), ("b", &[])]);
    create(&out, &old_files).unwrap();
    let mut ledger_before = Ledger::load(&out).unwrap();
    ledger_before.resolve_with(&old_files, None);
    let files = workspace("new", &[("a", &[]), ("b", &[]), ("c", &["a"])]);
    let saved = "//! b, as a person saved it during apply\n";
    let created = "//! c, made by a person during apply\n";
    fault::on_meanwhile(Some(Box::new(move |root: &Path, rel: &str| match rel {
        "crates/b/src/lib.rs" => fs::write(root.join(rel), saved).unwrap(),
        "crates/c/src/lib.rs" => fs::write(root.join(rel), created).unwrap(),
        _ => {}
    })));
    let report = apply(&out, &files, &Options::default());
    fault::on_meanwhile(None);
    let report = report.unwrap();
    assert_eq!(fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap(), saved);
    assert_eq!(fs::read_to_string(out.join("crates/c/src/lib.rs")).unwrap(), created);
    assert_eq!(report.changed_meanwhile, ["crates/b/src/lib.rs", "crates/c/src/lib.rs"]);
    assert!(report.has_conflicts());
    for path in &report.changed_meanwhile {
        let entry = report.plan.entries.iter().find(|e| &e.path == path).unwrap();
        assert_eq!(entry.action, Action::Conflict, "{path}");
        assert_eq!(entry.note, Some(Note::SavedDuringApply));
        assert!(!report.written_files.contains(path));
    }
    // Everything else was done; the ledger still says what Trellis wrote in `b` before.
    assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), "//! a: new\n");
    let mut ledger = Ledger::load(&out).unwrap();
    ledger.resolve_with(&files, None);
    assert_eq!(ledger.files["crates/b/src/lib.rs"], ledger_before.files["crates/b/src/lib.rs"]);
    assert!(!ledger.files.contains_key("crates/c/src/lib.rs"));
    assert!(!out.join(JOURNAL_PATH).exists());
    // The next run sees the person's files as theirs.
    let again = apply(&out, &files, &Options::default()).unwrap();
    let b = again.plan.entries.iter().find(|e| e.path == "crates/b/src/lib.rs").unwrap();
    assert_eq!(b.action, Action::Conflict);
    assert_eq!(fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap(), saved);
}

/// A person's edit to an orphan during a pruning run: the orphan is not deleted.
#[test]
fn a_save_to_an_orphan_during_apply_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[]), ("b", &[])])).unwrap();
    fault::on_meanwhile(Some(Box::new(|root: &Path, rel: &str| {
        if rel == "crates/b/src/lib.rs" {
            fs::write(root.join(rel), "pub fn mine() {}\n").unwrap();
        }
    })));
    let report =
        apply(&out, &workspace("x", &[("a", &[])]), &Options { prune: true, ..Options::default() });
    fault::on_meanwhile(None);
    let report = report.unwrap();
    assert_eq!(report.changed_meanwhile, ["crates/b/src/lib.rs"]);
    assert_eq!(fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap(), "pub fn mine() {}\n");
}

/// A save that lands after `apply` checked a file and before its rename or deletion: in place
/// (the same file truncated and written, as most editors do) or by a new file renamed over it.
/// Each keeps the person's bytes and is a conflict; the rest of the run is done, and the
/// report says which saves hit the window.
#[test]
fn a_save_in_the_instant_before_the_rename_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("old", &[("a", &[]), ("b", &[]), ("gone", &[])])).unwrap();
    let files = workspace("new", &[("a", &[]), ("b", &[]), ("c", &["a"])]);
    let in_place = "[workspace]\nmembers = [] # a person's save, in place\n";
    let renamed = "//! b, saved through a new file renamed over it\n";
    let orphan = "//! gone, but a person saved it\n";
    fault::on_window(Some(Box::new(move |root: &Path, rel: &str| match rel {
        "Cargo.toml" => fs::write(root.join(rel), in_place).unwrap(),
        "crates/b/src/lib.rs" => {
            let tmp = root.join("crates/b/src/editor.swp");
            fs::write(&tmp, renamed).unwrap();
            fs::rename(&tmp, root.join(rel)).unwrap();
        }
        "crates/gone/src/lib.rs" => fs::write(root.join(rel), orphan).unwrap(),
        _ => {}
    })));
    let report = apply(&out, &files, &Options { prune: true, ..Options::default() });
    fault::on_window(None);
    let report = report.unwrap();
    let read = |rel: &str| fs::read_to_string(out.join(rel)).unwrap();
    assert_eq!(read("Cargo.toml"), in_place);
    assert_eq!(read("crates/b/src/lib.rs"), renamed);
    assert_eq!(read("crates/gone/src/lib.rs"), orphan);
    assert_eq!(
        report.changed_meanwhile,
        ["Cargo.toml", "crates/b/src/lib.rs", "crates/gone/src/lib.rs"]
    );
    assert_eq!(report.raced, ["Cargo.toml", "crates/gone/src/lib.rs"]);
    assert!(report.has_conflicts());
    assert_eq!(read("crates/a/src/lib.rs"), "//! a: new\n");
    assert_eq!(read("crates/c/src/lib.rs"), "//! c: new\n");
    assert_eq!(leftovers(&out), Vec::<String>::new(), "no held copy is left");
}

/// A manifest a person saves while `apply` runs, one the run changes or one it does not,
/// leaves cargo judging their text: its refusal then keeps the run (their file a conflict),
/// and says why. Without such a save, a refusal rolls back as ever.
#[test]
fn a_manifest_saved_during_apply_does_not_roll_the_run_back() {
    let saved = "\n[workspace.metadata.mine]\nx = 1 # saved during apply\n";
    let refuses = || {
        Verifier::new(|root: &Path| {
            match fs::read_to_string(root.join("Cargo.toml")).unwrap().contains("saved during") {
                true => Err("cargo refuses the person's manifest".into()),
                false => Ok(()),
            }
        })
    };
    for (files, saved_at) in [
        // The run changes the root manifest (a new member), the save lands before.
        (workspace("new", &[("a", &[]), ("b", &[])]), "Cargo.toml"),
        // The run changes sources only; the root manifest is saved while it writes them.
        (workspace("new", &[("a", &[])]), "crates/a/src/lib.rs"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ws");
        create(&out, &workspace("old", &[("a", &[])])).unwrap();
        fault::on_meanwhile(Some(Box::new(move |root: &Path, rel: &str| {
            if rel == saved_at {
                let mut text = fs::read_to_string(root.join("Cargo.toml")).unwrap();
                text.push_str(saved);
                fs::write(root.join("Cargo.toml"), text).unwrap();
            }
        })));
        let options = ApplyOptions { verify: Some(refuses()), ..ApplyOptions::default() };
        let report = crate::apply(&out, &files, &options);
        fault::on_meanwhile(None);
        let report = report.unwrap();
        assert_eq!(report.changed_meanwhile, ["Cargo.toml"], "{saved_at}");
        assert!(report.has_conflicts());
        assert!(report.unverified.as_deref().is_some_and(|m| m.contains("person's manifest")));
        assert!(fs::read_to_string(out.join("Cargo.toml")).unwrap().ends_with(saved));
        assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), "//! a: new\n");
        assert!(!out.join(JOURNAL_PATH).exists());
    }

    // Saved while cargo reads the workspace: the same.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("old", &[("a", &[])])).unwrap();
    let saving = Verifier::new(move |root: &Path| {
        let mut text = fs::read_to_string(root.join("Cargo.toml")).unwrap();
        text.push_str(saved);
        fs::write(root.join("Cargo.toml"), text).unwrap();
        Err("cargo refuses the person's manifest".into())
    });
    let options = ApplyOptions { verify: Some(saving), ..ApplyOptions::default() };
    let report = crate::apply(&out, &workspace("new", &[("a", &[])]), &options).unwrap();
    assert_eq!(report.changed_meanwhile, ["Cargo.toml"]);
    assert!(report.unverified.is_some());
    assert_eq!(fs::read_to_string(out.join("crates/a/src/lib.rs")).unwrap(), "//! a: new\n");
}

#[test]
fn a_verifier_that_refuses_rolls_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("old", &[]), ("b", &["old"]), ("gone", &[])])).unwrap();
    fs::write(out.join("crates/b/notes.md"), "mine\n").unwrap();
    let before = tree(&out);
    let files = workspace("y", &[("new", &[]), ("b", &["new"]), ("added", &["b"])]);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen_by = std::sync::Arc::clone(&seen);
    let options = ApplyOptions {
        plan: Options {
            prune: true,
            renames: vec![Rename { from: "old".into(), to: "new".into() }],
            ..Options::default()
        },
        verify: Some(Verifier::new(move |root: &Path| {
            // It sees the workspace fully written.
            seen_by.lock().unwrap().push(fs::read_to_string(root.join("crates/new/src/lib.rs")));
            Err("cargo says no".into())
        })),
        ..ApplyOptions::default()
    };
    let err = crate::apply(&out, &files, &options).unwrap_err();
    let SyncError::Verification { message, rollback } = &err else { panic!("{err}") };
    assert_eq!(message, "cargo says no");
    assert!(rollback.undone.len() > 5, "{rollback:?}");
    assert!(rollback.kept.is_empty());
    assert!(err.to_string().contains("cargo says no"));
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen.lock().unwrap()[0].as_ref().is_ok_and(|s| s == "//! new: y\n"));
    assert_eq!(tree(&out), before, "byte for byte as before, ledger included");
    assert!(!out.join("crates/new").exists() && !out.join("crates/added").exists());

    // A verifier is not asked when nothing is written.
    let same = workspace("x", &[("old", &[]), ("b", &["old"]), ("gone", &[])]);
    let options = ApplyOptions {
        verify: Some(Verifier::new(|_: &Path| panic!("nothing was written"))),
        ..ApplyOptions::default()
    };
    crate::apply(&out, &same, &options).unwrap();
}
