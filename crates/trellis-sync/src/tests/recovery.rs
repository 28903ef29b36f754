//! The transaction: the lock, the journal, and a run stopped anywhere (killed, a full disk, a failed rollback, Ctrl-C) rolled back by itself or by the next `apply`.

use super::*;

#[test]
fn a_second_apply_is_refused_while_the_first_holds_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    let held = fsx::Root::new(&fs::canonicalize(&out).unwrap()).lock(ledger::LOCK_PATH).unwrap();
    let err = apply(&out, &files, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Locked(_)), "{err}");
    drop(held);
    apply(&out, &files, &Options::default()).unwrap();
}

const FAULT_BEFORE: &str = r#"[workspace]
name = "faulty"
summary = "Before"

[crates.basis]
summary = "The core"
modules = ["ids"]

[crates.old-name]
summary = "To be renamed"
depends = ["basis"]

[crates.gone]
summary = "To be removed"
depends = ["basis"]

[crates.app]
kind = "bin"
summary = "The app"
depends = ["basis", "old-name", "gone"]
"#;

const FAULT_AFTER: &str = r#"[workspace]
name = "faulty"
summary = "After"
edition = "2021"

[crates.basis]
summary = "The core, changed"
modules = ["ids", "names"]
requirements = [{ id = "CORE-1", text = "Ids are unique." }]

[crates.new-name]
renamed-from = "old-name"
summary = "Renamed"
depends = ["basis"]

[crates.added]
summary = "New"
depends = ["basis"]

[crates.app]
kind = "bin"
summary = "The app"
depends = ["basis", "new-name", "added"]
"#;

/// The workspace of [`FAULT_BEFORE`] after a person's edits; returns what they wrote where.
fn edited_workspace(root: &Path) -> Vec<(&'static str, &'static str)> {
    create(root, &render_spec(FAULT_BEFORE)).unwrap();
    let edits = [
        ("crates/basis/src/lib.rs", "\npub fn person() {}\n"),
        ("crates/old-name/src/lib.rs", "\npub const MOVED: u8 = 1;\n"),
        ("Cargo.toml", "\n[profile.dev]\nopt-level = 1 # a person's\n"),
        ("crates/app/Cargo.toml", "\n[features]\nextra = [] # a person's\n"),
    ];
    for (path, text) in edits {
        let mut s = fs::read_to_string(root.join(path)).unwrap();
        s.push_str(text);
        fs::write(root.join(path), s).unwrap();
    }
    fs::remove_file(root.join("README.md")).unwrap();
    edits.to_vec()
}

fn fault_options() -> Options {
    Options {
        prune: true,
        renames: vec![Rename { from: "old-name".into(), to: "new-name".into() }],
        ..Options::default()
    }
}

/// Every temporary file (fsx's naming) and journal under `root`.
pub(super) fn leftovers(root: &Path) -> Vec<String> {
    tree(root)
        .into_keys()
        .filter(|p| p == JOURNAL_PATH || p.rsplit('/').next().is_some_and(crate::fsx::is_temp_name))
        .collect()
}

/// What a process killed in the middle of a write leaves: a temporary file beside its target.
/// In a crate's folder only while the journal names a file there (Trellis writes in a crate's
/// folder only during a run whose journal lists it); at the root, any time. Whether it left
/// one in a crate's folder.
fn leave_temporaries(root: &Path) -> bool {
    fs::write(root.join(".trellis-a1B2c3.tmp"), "half a file").unwrap();
    let journal = fs::read_to_string(root.join(JOURNAL_PATH)).unwrap_or_default();
    let mut left = false;
    if journal.contains("\"crates/basis/src/") && root.join("crates/basis/src").is_dir() {
        fs::write(root.join("crates/basis/src/.trellis-Zz9yX8.tmp"), "half").unwrap();
        left = true;
    }
    // In the folder of a crate the run renames, moved already: the rollback moves it back,
    // and the temporary file with it.
    if journal.contains("\"crates/new-name/src/") && root.join("crates/new-name/src").is_dir() {
        fs::write(root.join("crates/new-name/src/.trellis-Yy8xW7.tmp"), "half").unwrap();
        left = true;
    }
    left
}

/// Stops the run after each single change in turn, as a kill would (the journal stays, and so
/// may a temporary file); then two endings, each from a copy of the stopped state:
/// (a) the next apply with the same files converges on exactly the tree a clean run gives;
/// (b) the spec is reverted and the next apply gives exactly the tree a clean run of the old
/// spec gives from the state before the killed run.
/// Both end with no temporary file, no journal, and every byte the person wrote.
#[test]
fn a_run_stopped_after_any_write_is_rolled_back_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    let person = edited_workspace(&pristine);
    let files = render_spec(FAULT_AFTER);
    let old_files = render_spec(FAULT_BEFORE);
    let old_options = Options { prune: true, ..Options::default() };
    fs::write(pristine.join("Trellis.toml"), FAULT_AFTER).unwrap();

    let reference = dir.path().join("reference");
    copy_tree(&pristine, &reference);
    let report = apply(&reference, &files, &fault_options()).unwrap();
    let writes = report.written() + report.deleted() + 1;
    assert!(writes > 10, "the scenario should write a lot, wrote {writes}");
    let expected = tree(&reference);
    let expected_folders = folders(&reference);

    let reverted = dir.path().join("reverted");
    copy_tree(&pristine, &reverted);
    fs::write(reverted.join("Trellis.toml"), FAULT_BEFORE).unwrap();
    apply(&reverted, &old_files, &old_options).unwrap();
    let expected_reverted = tree(&reverted);
    let expected_reverted_folders = folders(&reverted);

    let check = |got: &BTreeMap<String, String>,
                 want: &BTreeMap<String, String>,
                 root: &Path,
                 what: &str,
                 renamed: bool| {
        assert_eq!(leftovers(root), Vec::<String>::new(), "{what}");
        assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{what}");
        for (path, text) in want {
            assert_eq!(&got[path], text, "{what}: {path}");
        }
        for (path, text) in &person {
            let path =
                if renamed { path.replace("old-name", "new-name") } else { path.to_string() };
            assert!(got[&path].contains(text), "{what}: the person's bytes left {path}");
        }
    };

    let mut budget = 0;
    let mut in_a_crate = 0;
    loop {
        let run = dir.path().join(format!("run-{budget}"));
        copy_tree(&pristine, &run);
        fault::arm(Some(budget));
        let first = apply(&run, &files, &fault_options());
        fault::arm(None);
        match first {
            Ok(_) => {
                assert_eq!(tree(&run), expected);
                assert_eq!(leftovers(&run), Vec::<String>::new());
                break;
            }
            Err(SyncError::Injected) => {}
            Err(e) => panic!("budget {budget}: {e}"),
        }
        in_a_crate += usize::from(leave_temporaries(&run));
        let back = dir.path().join(format!("back-{budget}"));
        copy_tree(&run, &back);

        // (a) The same spec again.
        let report = apply(&run, &files, &fault_options()).unwrap();
        assert!(report.recovery.rollback.as_ref().is_none_or(|r| r.kept.is_empty()));
        assert!(!report.recovery.temporaries.is_empty(), "budget {budget}");
        check(&tree(&run), &expected, &run, &format!("budget {budget}, same spec"), true);
        assert_eq!(folders(&run), expected_folders, "budget {budget}, same spec");

        // (b) The spec reverted.
        fs::write(back.join("Trellis.toml"), FAULT_BEFORE).unwrap();
        apply(&back, &old_files, &old_options).unwrap();
        check(
            &tree(&back),
            &expected_reverted,
            &back,
            &format!("budget {budget}, spec reverted"),
            false,
        );
        assert_eq!(folders(&back), expected_reverted_folders, "budget {budget}, spec reverted");

        fs::remove_dir_all(&run).unwrap();
        fs::remove_dir_all(&back).unwrap();
        budget += 1;
        assert!(budget < 1000, "the run never finished");
    }
    assert!(budget >= writes, "stopped only {budget} times for {writes} writes");
    assert!(in_a_crate > 0, "a crate's folder never held a temporary file the journal names");
}

/// Kills a run of a 200-crate change at each of its writes in turn (a sample of 8 points, or
/// every one with `TRELLIS_KILL_POINTS=all`), then recovers each killed state twice: with the
/// same spec, which must give exactly the tree and folders of a run never killed, and with the
/// spec reverted, which must give exactly the workspace before the killed run. For a few of
/// the points, cargo loads both results.
#[test]
fn a_big_change_killed_at_any_write_recovers_to_a_clean_tree() {
    let names = |prefix: &str, n: usize| -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i:03}")).collect()
    };
    let mut before_names = names("c", 20);
    before_names.extend(names("gone", 5));
    let before = chain("old", &before_names);
    let after = chain("new", &names("c", 200));
    let options = Options { prune: true, ..Options::default() };

    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    create(&pristine, &before).unwrap();
    let reference = dir.path().join("reference");
    copy_tree(&pristine, &reference);
    let start = fault::count();
    apply(&reference, &after, &options).unwrap();
    let points = fault::count() - start;
    assert!(points > 390, "a 200-crate change makes {points} changes");
    let expected = (tree(&reference), folders(&reference));
    let expected_reverted = (tree(&pristine), folders(&pristine));

    // `all`, or `from..to` to share the points out among processes.
    let asked = std::env::var("TRELLIS_KILL_POINTS").unwrap_or_default();
    let range = match asked.as_str() {
        "all" => Some(0..points),
        other => other.split_once("..").and_then(|(a, b)| Some(a.parse().ok()?..b.parse().ok()?)),
    };
    let all = range.is_some();
    let chosen: Vec<usize> = match range {
        Some(range) => range.filter(|&p| p < points).collect(),
        None => (0..8).map(|i| i * (points - 1) / 7).collect(),
    };
    let cargo_loads = |root: &Path| {
        let output = std::process::Command::new(std::env::var("CARGO").unwrap_or("cargo".into()))
            .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
            .current_dir(root)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    for (n, &budget) in chosen.iter().enumerate() {
        let run = dir.path().join("run");
        copy_tree(&pristine, &run);
        fault::arm(Some(budget));
        let killed = apply(&run, &after, &options);
        fault::arm(None);
        assert!(matches!(killed, Err(SyncError::Injected)), "point {budget}: {killed:?}");
        let back = dir.path().join("back");
        copy_tree(&run, &back);

        apply(&run, &after, &options).unwrap();
        assert_eq!((tree(&run), folders(&run)), expected, "point {budget}, same spec");
        apply(&back, &before, &options).unwrap();
        assert_eq!((tree(&back), folders(&back)), expected_reverted, "point {budget}, reverted");
        if n % 4 == 1 {
            cargo_loads(&run);
            cargo_loads(&back);
        }
        fs::remove_dir_all(&run).unwrap();
        fs::remove_dir_all(&back).unwrap();
    }
    assert!(all || chosen.len() == 8);
}

/// A full disk in the middle of a run: the error says what was done and that it was rolled
/// back; the tree is as it was, with no journal.
#[test]
fn an_io_failure_mid_run_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    edited_workspace(&pristine);
    let files = render_spec(FAULT_AFTER);
    for after in [2, 5, 12] {
        let run = dir.path().join(format!("run-{after}"));
        copy_tree(&pristine, &run);
        let before = tree(&run);
        fault::fail(Some((after, 1)));
        let err = apply(&run, &files, &fault_options()).unwrap_err();
        fault::fail(None);
        let SyncError::Failed { done, rollback, .. } = &err else { panic!("{err}") };
        assert_eq!(done.len(), after - 1, "{err}");
        assert!(rollback.kept.is_empty(), "{err}");
        let text = err.to_string();
        assert!(text.contains("no space left") && text.contains("rolled back"), "{text}");
        assert!(text.contains("run `trellis apply` again"), "{text}");
        assert_eq!(tree(&run), before, "after {after}");
    }
}

/// A run whose rollback fails too keeps its journal and says the next apply finishes it; the
/// next apply does, then applies the spec.
#[test]
fn a_failed_rollback_keeps_the_journal_for_the_next_apply() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    edited_workspace(&pristine);
    let files = render_spec(FAULT_AFTER);
    let reference = dir.path().join("reference");
    copy_tree(&pristine, &reference);
    apply(&reference, &files, &fault_options()).unwrap();

    let run = dir.path().join("run");
    copy_tree(&pristine, &run);
    // The 6th change fails, and so does the first change of the rollback after it.
    fault::fail(Some((5, 2)));
    let err = apply(&run, &files, &fault_options()).unwrap_err();
    fault::fail(None);
    assert!(matches!(err, SyncError::RollbackFailed { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("the next `trellis apply` finishes the rollback"), "{text}");
    assert!(run.join(JOURNAL_PATH).is_file());

    let report = apply(&run, &files, &fault_options()).unwrap();
    assert!(report.recovery.rollback.is_some());
    assert_eq!(tree(&run), tree(&reference));
}

#[test]
fn an_apply_cancelled_mid_run_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    create(&out, &workspace("x", &[("a", &[]), ("b", &["a"])])).unwrap();
    let before = tree(&out);
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&cancel);
    let mut n = 0;
    fault::on_point(Some(Box::new(move || {
        n += 1;
        // The journal, then two files: then Ctrl-C.
        if n == 3 {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    })));
    let options = ApplyOptions { cancel: Some(cancel), ..ApplyOptions::default() };
    let err = crate::apply(&out, &workspace("y", &[("a", &[]), ("b", &[]), ("c", &[])]), &options);
    fault::on_point(None);
    let err = err.unwrap_err();
    let SyncError::Interrupted { rollback } = &err else { panic!("{err}") };
    assert_eq!(rollback.undone.len(), 2, "{rollback:?}");
    assert!(err.is_interrupted());
    assert_eq!(tree(&out), before);
}

#[test]
fn the_journal_reads_back_what_it_wrote_and_refuses_what_it_cannot_read() {
    use crate::journal::{Change, Journal};
    let journal = Journal {
        ledger_before: Some(b"format = 1\n".to_vec()),
        changes: vec![
            Change::Move { from: "crates/a".into(), to: "libs/a".into() },
            Change::Write {
                path: "libs/a/Cargo.toml".into(),
                before: Some(b"[package]\nname = \"a\" # \"quoted\" \\ \t\n".to_vec()),
                after: "ab".repeat(32),
            },
            Change::Write { path: "new.txt".into(), before: None, after: "cd".repeat(32) },
            Change::Delete { path: "bin.dat".into(), before: vec![0xff, 0x00, 0x80] },
            Change::Folder { path: "libs".into() },
        ],
    };
    let text = journal.to_text();
    assert!(text.contains("before-hex = \"ff0080\""), "{text}");
    assert_eq!(Journal::parse(&text, Path::new("j")).unwrap(), journal);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();
    for (bad, why) in [
        ("format = 1\n[[changes]]\nkind = \"write\"\npath = \"../x\"\nafter = \"a\"\n", "`.`"),
        ("format = 1\nsurprise = true\n", "unknown key"),
        ("format = 1\n[[changes]]\nkind = \"delete\"\npath = \"a\"\n", "no `before`"),
    ] {
        fs::write(out.join(JOURNAL_PATH), bad).unwrap();
        let err = apply(&out, &files, &Options::default()).unwrap_err();
        assert!(matches!(err, SyncError::CorruptJournal { .. }) && err.is_input(), "{err}");
        assert!(err.to_string().contains(why), "{err}");
    }
    fs::write(out.join(JOURNAL_PATH), "format = 3\n").unwrap();
    let err = apply(&out, &files, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::NewerJournal { found: 3, .. }), "{err}");
}
