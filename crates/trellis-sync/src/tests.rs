//! Unit tests of the whole stage: create, plan, apply, and the fault-injection point.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::*;
use crate::fsx::fault;

use crate::journal::JOURNAL_PATH;

/// [`crate::apply`] with nothing asked beyond how to plan.
fn apply(root: &Path, files: &[PlannedFile], options: &Options) -> Result<Report, SyncError> {
    crate::apply(root, files, &ApplyOptions::from(options.clone()))
}

/// The plan as people see it ([`render_human`], every entry, unstyled).
fn human(entries: &[Entry]) -> String {
    let styled = render_human(entries, false, true, &|path| path.to_owned());
    anstream::adapter::strip_str(&styled).to_string()
}

pub(crate) fn pf(path: &str, contents: &str, ownership: Ownership) -> PlannedFile {
    PlannedFile {
        path: path.to_owned(),
        contents: contents.to_owned(),
        ownership,
        seed: seed(path),
    }
}

/// When a render would let a file be created: as `trellis_render` marks its files.
fn seed(path: &str) -> Seed {
    match path.split_once("/src/") {
        _ if path == "README.md" => Seed::Scaffold,
        Some((dir, _)) => Seed::Source(dir.to_owned()),
        None => Seed::Always,
    }
}

/// A small workspace as a render would plan it: `crates` are `(name, deps)`.
pub(crate) fn workspace(summary: &str, crates: &[(&str, &[&str])]) -> Vec<PlannedFile> {
    let mut members = String::new();
    let mut deps = String::new();
    for (name, _) in crates {
        members.push_str(&format!("    \"crates/{name}\",\n"));
        deps.push_str(&format!("{name} = {{ path = \"crates/{name}\" }}\n"));
    }
    let root = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n\n[workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace.dependencies]\n{deps}"
    );
    let mut files = vec![
        pf("Cargo.toml", &root, Ownership::Manifest),
        pf("README.md", &format!("# demo\n\n{summary}\n"), Ownership::Seeded),
        pf("Trellis.toml", "[workspace]\nname = \"demo\"\n", Ownership::Once),
    ];
    for (name, uses) in crates {
        let mut manifest = format!(
            "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n\n[lints]\nworkspace = true\n"
        );
        if !uses.is_empty() {
            manifest.push_str("\n[dependencies]\n");
            for dep in *uses {
                manifest.push_str(&format!("{dep}.workspace = true\n"));
            }
        }
        files.push(pf(&format!("crates/{name}/Cargo.toml"), &manifest, Ownership::Manifest));
        files.push(pf(
            &format!("crates/{name}/src/lib.rs"),
            &format!("//! {name}: {summary}\n"),
            Ownership::Seeded,
        ));
    }
    files
}

/// Every file under `root` but the lock, by relative path.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if rel != ".trellis/apply.lock" {
                    out.insert(rel, fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Every folder under `root`, by relative path: a recovered run must leave none of its own.
pub(crate) fn folders(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.entries.iter().map(|e| (e.path.clone(), e.action)).collect()
}

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

/// A spec, parsed and rendered for real.
fn render_spec(spec: &str) -> Vec<PlannedFile> {
    let parsed = trellis_spec::parse(spec, "Trellis.toml").expect("a valid spec");
    trellis_render::render(&parsed.spec, spec, &trellis_render::Templates::embedded()).unwrap()
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

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

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
fn leftovers(root: &Path) -> Vec<String> {
    tree(root)
        .into_keys()
        .filter(|p| p == JOURNAL_PATH || p.rsplit('/').next().is_some_and(crate::fsx::is_temp_name))
        .collect()
}

/// What a process killed in the middle of a write leaves: a temporary file beside its target.
fn leave_temporaries(root: &Path) {
    fs::write(root.join(".trellis-a1B2c3.tmp"), "half a file").unwrap();
    if root.join("crates/basis/src").is_dir() {
        fs::write(root.join("crates/basis/src/.trellis-Zz9yX8.tmp"), "half").unwrap();
    }
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
        leave_temporaries(&run);
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
}

/// A workspace of `names` that cargo loads: each crate depends on the one before it.
fn chain(summary: &str, names: &[String]) -> Vec<PlannedFile> {
    let pairs: Vec<(&str, Vec<&str>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if i == 0 { vec![] } else { vec![names[i - 1].as_str()] }))
        .collect();
    let borrowed: Vec<(&str, &[&str])> = pairs.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    workspace(summary, &borrowed)
        .into_iter()
        // Without `[workspace.lints]` in the root, cargo refuses `lints.workspace`.
        .map(|mut f| {
            f.contents = f.contents.replace("\n[lints]\nworkspace = true\n", "");
            f
        })
        .collect()
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
        assert!(entry.note.as_deref().unwrap().contains("changed while `apply` ran"));
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
    assert!(entry.note.as_deref().unwrap().contains("not valid TOML"));
    assert_eq!(fs::read_to_string(out.join("crates/a/Cargo.toml")).unwrap(), "[package\nbroken");
    // Manifests change together: the run waits for the conflict, half-applied it is no one's.
    assert!(!out.join("crates/b").exists(), "nothing else was written");
    let held = report.plan.entries.iter().find(|e| e.path == "crates/b/Cargo.toml").unwrap();
    assert!(held.note.as_deref().unwrap().contains("held back"), "{held:?}");
}

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
    assert_eq!(report.plan.entries[0].note.as_deref(), Some("crate `a` moved"));
    assert_eq!(fs::read_to_string(out.join("libs/a/notes.md")).unwrap(), "mine\n");
    assert!(!out.join("crates/a").exists());
    let root = fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(root.contains("\"libs/a\"") && !root.contains("crates/a"), "{root}");
    assert!(!apply(&out, &moved, &Options::default()).unwrap().plan.writes());
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

/// `files` with a description in crate `a`'s manifest.
fn described(mut files: Vec<PlannedFile>, description: &str) -> Vec<PlannedFile> {
    let a = files.iter_mut().find(|f| f.path == "crates/a/Cargo.toml").unwrap();
    a.contents = a
        .contents
        .replace("name = \"a\"\n", &format!("name = \"a\"\ndescription = \"{description}\"\n"));
    files
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
    let note = entry.note.as_deref().unwrap();
    assert!(note.contains("`package.description (a person changed it)`"), "{note}");
    assert!(note.contains("its other changes wait"), "{note}");
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
    assert!(held.note.as_deref().unwrap().contains("`crates/a/Cargo.toml`"), "{held:?}");
    assert!(report.plan.summary().contains("held back"), "{}", report.plan.summary());
    assert!(!out.join("crates/c").exists());
    let marked = fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap();
    assert!(marked.contains("<<<<<<< ours") && marked.contains("b: new"), "{marked}");
}

/// The whole tree as sorted `==== path ====` sections.
fn tree_text(root: &Path) -> String {
    tree(root).into_iter().map(|(path, text)| format!("==== {path} ====\n{text}")).collect()
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
        Ok(vec![Held { path: "crates/b/src/lib.rs".into(), note: "held back: cargo".into() }])
    });
    let options = ApplyOptions { judge: Some(judge), ..ApplyOptions::default() };
    let report = crate::apply(&out, &files, &options).unwrap();
    let after = tree(&out);
    assert_eq!(after["crates/b/src/lib.rs"], before["crates/b/src/lib.rs"]);
    assert!(after["crates/a/src/lib.rs"].contains(": y"), "the rest is applied");
    let held = report.plan.entries.iter().find(|e| e.path == "crates/b/src/lib.rs").unwrap();
    assert_eq!((held.action, held.note.as_deref()), (Action::Conflict, Some("held back: cargo")));
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
            .map(|e| Held { path: e.path.clone(), note: "held back".into() })
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
