//! `create` and `new`: a whole workspace built beside its folder and renamed into place, and what a stopped or cancelled one leaves (nothing).

use super::*;

#[test]
fn create_writes_every_file_and_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("first", &[("a", &[]), ("b", &["a"])]);
    let report = create(&out, &files).unwrap();
    assert_eq!(report.written(), files.len());
    let tree = tree(&out);
    for f in &files {
        assert_eq!(tree[&f.path], f.contents, "{}", f.path);
    }
    assert!(tree.contains_key(LEDGER_PATH));
    // Nothing left beside it.
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("ws")]);
}

#[test]
fn create_refuses_a_folder_with_something_in_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let err = create(dir.path(), &workspace("x", &[("a", &[])])).unwrap_err();
    assert!(matches!(err, SyncError::NotEmpty(_)), "{err}");
    assert_eq!(tree(dir.path()).len(), 1);
}

#[test]
fn create_into_an_empty_folder_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("empty");
    fs::create_dir(&out).unwrap();
    create(&out, &workspace("x", &[("a", &[])])).unwrap();
    assert!(out.join("crates/a/src/lib.rs").is_file());
}

#[test]
fn create_into_an_empty_folder_named_by_dot_dot_works() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("empty/inner")).unwrap();
    create(&dir.path().join("empty/inner/.."), &workspace("x", &[("a", &[])])).unwrap_err();
    fs::remove_dir(dir.path().join("empty/inner")).unwrap();
    create(&dir.path().join("empty/./"), &workspace("x", &[("a", &[])])).unwrap();
    assert!(dir.path().join("empty/crates/a/src/lib.rs").is_file());
}

#[cfg(unix)]
#[test]
fn create_refuses_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    fs::create_dir(&target).unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let err = create(&link, &workspace("x", &[("a", &[])])).unwrap_err();
    assert!(matches!(err, SyncError::Symlink(_)), "{err}");
    assert_eq!(fs::read_dir(&target).unwrap().count(), 0);
}

#[test]
fn create_leaves_nothing_when_stopped_at_any_write() {
    let files = workspace("x", &[("a", &[]), ("b", &["a"])]);
    for budget in 0..files.len() + 3 {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ws");
        fault::arm(Some(budget));
        let result = create(&out, &files);
        fault::arm(None);
        if result.is_err() {
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "budget {budget}");
        } else {
            assert_eq!(tree(&out).len(), files.len() + 2);
        }
    }
}

#[test]
fn create_that_fails_verification_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let files = workspace("x", &[("a", &[])]);
    let refuse = Verifier::new(|root: &Path| {
        assert!(root.join("Cargo.toml").is_file(), "verified before the move, complete");
        Err("cargo refuses it".to_owned())
    });
    let err = create_with(&out, &files, &AtomicBool::new(false), Some(&refuse)).unwrap_err();
    assert!(matches!(err, SyncError::Verification { .. }), "{err}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_new_cancelled_mid_run_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let files = workspace("x", &[("a", &[]), ("b", &["a"])]);
    for at in [0, 1, 4, files.len() + 2] {
        let out = dir.path().join("ws");
        let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&cancel);
        let mut n = 0;
        fault::on_point(Some(Box::new(move || {
            if n == at {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            n += 1;
        })));
        let result = create_with(&out, &files, &cancel, None);
        fault::on_point(None);
        let err = result.unwrap_err();
        assert!(err.is_interrupted(), "at {at}: {err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "at {at}");
    }
}

#[test]
fn a_killed_news_staging_folder_is_removed_by_the_next_new_but_a_live_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let parent = fs::canonicalize(dir.path()).unwrap();
    let records = std::env::temp_dir().join("trellis-staging");
    fs::create_dir_all(&records).unwrap();
    // A staging folder as a run leaves it when killed outright: its record, its token inside.
    let killed = |name: &str, pid: u32, token: &str, inside: &str| -> PathBuf {
        let path = parent.join(name);
        fs::create_dir_all(path.join(".trellis")).unwrap();
        fs::write(path.join(".trellis/apply.lock"), "").unwrap();
        fs::write(path.join(".trellis/staging.token"), inside).unwrap();
        fs::create_dir_all(path.join("crates/a")).unwrap();
        let record = format!("pid={pid}\ntoken={token}\npath={}\n", path.display());
        fs::write(records.join(format!("{pid}-{token}.record")), record).unwrap();
        path
    };
    let token = || crate::fsx::random_token(24);
    let t = token();
    let dead = killed(".ws.trellis-4000000000-0", 4_000_000_000, &t, &t);
    // A record whose token is not the one inside: the folder is not the record's.
    let (t1, t2) = (token(), token());
    let other = killed(".ws.trellis-4000000001-0", 4_000_000_001, &t1, &t2);
    // A live run (this process, holding the lock).
    let live = {
        let t = token();
        let path =
            killed(&format!(".ws.trellis-{}-9", std::process::id()), std::process::id(), &t, &t);
        (fsx::Root::new(&path).lock(ledger::LOCK_PATH).unwrap(), path)
    };
    // Named like a staging folder, with a dead pid, but without a record: never removed.
    let named = parent.join(".ws.trellis-4000000002-0");
    fs::create_dir_all(named.join(".trellis")).unwrap();
    fs::write(named.join(".trellis/apply.lock"), "").unwrap();

    create(&dir.path().join("next"), &workspace("x", &[("a", &[])])).unwrap();
    assert!(!dead.exists());
    assert!(other.is_dir() && live.1.is_dir() && named.is_dir());
    assert!(!dir.path().join("next/.trellis/staging.token").exists());
    drop(live);

    // `apply` on a workspace in that folder sweeps it too.
    let t = token();
    let dead = killed(".next.trellis-4000000003-1", 4_000_000_003, &t, &t);
    let report =
        apply(&dir.path().join("next"), &workspace("x", &[("a", &[])]), &Options::default())
            .unwrap();
    assert!(!dead.exists());
    assert_eq!(report.recovery.staging, [dead]);
    assert!(other.is_dir() && named.is_dir());
}
