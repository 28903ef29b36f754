//! What `apply` refuses: links out of the workspace, planned paths outside the root, a missing workspace or an unreadable ledger.

use super::*;

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_workspace_is_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let files = workspace("x", &[("a", &[])]);
    create(&out, &files).unwrap();

    // A folder replaced by a link to somewhere else.
    fs::remove_dir_all(out.join("crates/a")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("crates/a")).unwrap();
    let err = apply(&out, &files, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Symlink(_)), "{err}");
    let err = plan(&out, &files, &Ledger::load(&out).unwrap(), &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::Symlink(_)), "{err}");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 0, "nothing was written through the link");

    // A file replaced by a link.
    fs::remove_file(out.join("crates/a")).unwrap();
    fs::create_dir_all(out.join("crates/a/src")).unwrap();
    let target = outside.join("secret.txt");
    fs::write(&target, "not yours").unwrap();
    fs::remove_file(out.join("README.md")).unwrap();
    std::os::unix::fs::symlink(&target, out.join("README.md")).unwrap();
    let err = apply(&out, &files, &Options::default()).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(err.is_input());
    assert_eq!(fs::read_to_string(&target).unwrap(), "not yours");
}

#[test]
fn planned_paths_must_stay_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a//b",
        "a\\b",
        "",
        "./a",
        ".trellis/ledger.toml",
        ".trellis/journal.toml",
        ".trellis",
        "a.trellis-new",
    ] {
        let files = vec![pf(bad, "x", Ownership::Seeded)];
        let err = create(&dir.path().join("ws"), &files).unwrap_err();
        assert!(matches!(err, SyncError::BadPath { .. }), "{bad:?}: {err}");
        assert!(!dir.path().join("ws").exists());
    }
    let twice = vec![pf("a", "x", Ownership::Seeded), pf("a", "y", Ownership::Seeded)];
    let err = create(&dir.path().join("ws"), &twice).unwrap_err();
    assert!(matches!(err, SyncError::Duplicate(_)), "{err}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn apply_needs_a_workspace_and_a_ledger_it_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let files = workspace("x", &[("a", &[])]);
    let err = apply(&dir.path().join("nope"), &files, &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::NoWorkspace(_)), "{err}");

    let out = dir.path().join("ws");
    create(&out, &files).unwrap();
    let before = tree(&out);
    fs::write(out.join(LEDGER_PATH), "format = 7\n").unwrap();
    let err = apply(&out, &workspace("y", &[("a", &[])]), &Options::default()).unwrap_err();
    assert!(matches!(err, SyncError::NewerLedger { found: 7, .. }), "{err}");
    let mut after = tree(&out);
    after.insert(LEDGER_PATH.into(), before[LEDGER_PATH].clone());
    assert_eq!(after, before, "nothing was written");
}

/// A process a run starts in its scratch folder holds the folder's lock through its standard
/// input: killed outright, the run leaves the folder in use for as long as that process lives,
/// so no sweep removes it under the process.
#[cfg(unix)]
#[test]
fn a_process_started_in_a_scratch_folder_holds_its_lock_after_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("scratch");
    std::fs::create_dir(&folder).unwrap();
    let scratch = crate::Scratch::mark(&folder).unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("30")
        .stdin(scratch.holder().unwrap())
        .spawn()
        .unwrap();
    // The run's own handle is gone, as when it is killed.
    drop(scratch);
    let mark = folder.join(crate::SCRATCH_MARK);
    let free = || std::fs::OpenOptions::new().write(true).open(&mark).unwrap().try_lock().is_ok();
    assert!(!free(), "held while the process lives");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(free(), "free once it is gone");
}
