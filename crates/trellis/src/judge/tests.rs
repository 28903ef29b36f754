//! The judge's pure parts, and the overlay it stages a change in.

use std::collections::BTreeMap;
use std::fs;

use super::overlay::{Overlay, Staged, memory_folder, populate};
use super::{essence, introduced, needs_network, refusal, same_refusal};

#[test]
fn essence_is_the_innermost_cause() {
    let message = "error: failed to load manifest for workspace member `/w/crates/a`\n\nCaused by:\n  failed to parse manifest at `/w/crates/a/Cargo.toml`\n\nCaused by:\n  feature `f` includes `dep:x`, but `x` is not an optional dependency\n  A non-optional dependency of the same name is defined";
    assert_eq!(
        essence(message),
        "feature `f` includes `dep:x`, but `x` is not an optional dependency"
    );
    assert_eq!(essence("error: no workspace\n"), "no workspace");
    let newer = "error: feature `f` includes `x/std`, but `x` is not a dependency\n --> crates/a/Cargo.toml:9:5\nerror: failed to load manifest for workspace member";
    assert_eq!(essence(newer), "feature `f` includes `x/std`, but `x` is not a dependency");
    let os = "error: failed to load manifest for workspace member `/w/crates/app`\n\nCaused by:\n  failed to load manifest for dependency `util`\n\nCaused by:\n  failed to read `/w/crates/util/Cargo.toml`\n\nCaused by:\n  No such file or directory (os error 2)";
    assert_eq!(
        essence(os),
        "failed to read `/w/crates/util/Cargo.toml`: No such file or directory (os error 2)"
    );
}

#[test]
fn only_errors_the_change_introduced_count_wherever_their_lines_moved() {
    let before = vec!["src/lib.rs:3: error[E0425]: cannot find value `x`".to_owned()];
    let moved = vec!["src/lib.rs:9: error[E0425]: cannot find value `x`".to_owned()];
    assert_eq!(introduced(&before, &moved), None);
    let more = vec![moved[0].clone(), "src/lib.rs:1: error[E0428]: defined twice".to_owned()];
    assert_eq!(introduced(&before, &more), Some(more[1].clone()));
}

#[test]
fn the_overlay_links_everything_but_the_folders_on_the_way_to_a_change() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    fs::create_dir_all(root.join("crates/a/src")).unwrap();
    fs::create_dir_all(root.join("crates/old/src")).unwrap();
    fs::write(root.join("Cargo.toml"), "root").unwrap();
    fs::write(root.join("Cargo.lock"), "lock").unwrap();
    fs::write(root.join("crates/a/Cargo.toml"), "a").unwrap();
    fs::write(root.join("crates/old/Cargo.toml"), "old").unwrap();
    let out = tmp.path().join("overlay");
    fs::create_dir(&out).unwrap();
    let changes = BTreeMap::from([
        ("crates/a/Cargo.toml".to_owned(), Staged::Text("a2".into())),
        ("crates/b/src/lib.rs".to_owned(), Staged::Text("b".into())),
        ("crates/old".to_owned(), Staged::Absent),
        ("crates/new".to_owned(), Staged::Folder(root.join("crates/old"))),
        ("crates/new/Cargo.toml".to_owned(), Staged::Text("new".into())),
    ]);
    populate(&out, Some(&root), "", &changes).unwrap();
    let link = |p: &str| fs::symlink_metadata(out.join(p)).unwrap().file_type().is_symlink();
    assert!(link("Cargo.toml") && link("crates/a/src") && link("crates/new/src"));
    assert!(!link("crates") && !link("crates/a") && !link("Cargo.lock"));
    assert_eq!(fs::read_to_string(out.join("Cargo.lock")).unwrap(), "lock");
    assert_eq!(fs::read_to_string(out.join("crates/a/Cargo.toml")).unwrap(), "a2");
    assert_eq!(fs::read_to_string(out.join("crates/new/Cargo.toml")).unwrap(), "new");
    assert_eq!(fs::read_to_string(out.join("crates/b/src/lib.rs")).unwrap(), "b");
    assert!(!out.join("crates/old").exists());
    // The workspace itself is untouched.
    assert_eq!(fs::read_to_string(root.join("crates/a/Cargo.toml")).unwrap(), "a");
}

#[test]
fn a_refusal_already_there_is_the_same_wherever_its_line_moved() {
    let at = |line: usize| {
        format!(
            "error: feature `g` includes `nope`\n --> crates/b/Cargo.toml:{line}:5\n  |\n{line} | g = [\"nope\"]\n  |     ^^^^^^^^\nerror: failed to load manifest"
        )
    };
    assert!(same_refusal(&Err(at(9)), &at(10)));
    assert!(!same_refusal(&Err(at(9)), "error: something else"));
    assert!(!same_refusal(&Ok(()), &at(9)));
}

#[test]
fn a_refusal_is_cargos_error_without_the_status_lines_before_it() {
    let stderr = "    Blocking waiting for file lock on package cache\nwarning: unused manifest key: x\nerror: failed to select a version for `z`.\n    ... required by package `a`\n";
    assert_eq!(
        refusal(stderr),
        "error: failed to select a version for `z`.\n    ... required by package `a`"
    );
    // A message with no error line is kept whole.
    assert_eq!(refusal("something odd\n"), "something odd");
}

#[test]
fn only_what_needs_the_network_makes_the_judge_fall_back() {
    let reminder = "\nAs a reminder, you're using offline mode (--offline) which can sometimes cause surprising resolution failures";
    let unmet = format!(
        "error: failed to select a version for the requirement `b = \"^2\"`\ncandidate versions found which didn't match: 0.1.0{reminder}"
    );
    assert!(!needs_network(&unmet), "a version no member meets is the change's");
    let unknown = format!("error: no matching package named `serde` found{reminder}");
    assert!(needs_network(&unknown));
}

#[cfg(unix)]
#[test]
fn links_are_relative_where_the_overlay_and_the_workspace_share_a_folder() {
    use std::path::Path;
    let rel =
        super::overlay::relative(Path::new("/w/ws/crates/a"), Path::new("/w/.ws.judge/crates"));
    assert_eq!(rel, Path::new("../../ws/crates/a"));
    assert_eq!(super::overlay::relative(Path::new("/a/b"), Path::new("/c")), Path::new("/a/b"));
}

/// In memory, the overlay mirrors the workspace's ancestor chain: what lies beside the
/// workspace or above it (a path dependency outside it, an ancestor's `.cargo/config.toml`)
/// is reached by the same relative path as from the workspace, and paths in cargo's messages
/// read as the real ones. Dropped, the overlay is gone.
#[cfg(target_os = "linux")]
#[test]
fn the_overlay_in_memory_mirrors_what_lies_above_the_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let top = fs::canonicalize(tmp.path()).unwrap();
    let root = top.join("projects/ws");
    fs::create_dir_all(root.join("crates/a")).unwrap();
    fs::create_dir_all(top.join("projects/outside")).unwrap();
    fs::create_dir_all(top.join(".cargo")).unwrap();
    fs::write(top.join("projects/outside/Cargo.toml"), "outside").unwrap();
    fs::write(top.join(".cargo/config.toml"), "config").unwrap();
    fs::write(root.join("Cargo.toml"), "root").unwrap();
    let overlay = Overlay::new(&root).unwrap();
    let base = overlay.base.clone();
    if memory_folder().is_some() {
        assert!(overlay.path.starts_with("/dev/shm") && overlay.path.ends_with("projects/ws"));
    }
    overlay.stage(&root, &BTreeMap::new()).unwrap();
    let read = |p: &str| fs::read_to_string(overlay.path.join(p)).unwrap();
    assert_eq!(read("Cargo.toml"), "root");
    assert_eq!(read("../outside/Cargo.toml"), "outside");
    assert_eq!(read("../../.cargo/config.toml"), "config");
    let message = format!("error: in {}", overlay.path.join("../outside/Cargo.toml").display());
    let shown = overlay.unstage(&message, &root);
    assert_eq!(shown, format!("error: in {}", root.join("../outside/Cargo.toml").display()));
    // Cargo is given it by a link beside the workspace, so its paths are as deep as the
    // workspace's; they read as the workspace's too.
    let link = overlay.entry.clone();
    if memory_folder().is_some() {
        assert_eq!(link.parent(), root.parent());
        assert_eq!(fs::read_link(&link).unwrap(), overlay.path);
        assert_eq!(fs::read_to_string(link.join("Cargo.toml")).unwrap(), "root");
        let message = format!("error: in {}", link.join("crates/a/Cargo.toml").display());
        let shown = overlay.unstage(&message, &root);
        assert_eq!(shown, format!("error: in {}", root.join("crates/a/Cargo.toml").display()));
    }
    drop(overlay);
    assert!(!base.exists());
    assert!(fs::symlink_metadata(&link).is_err(), "the link is gone with the overlay");
    // The workspace and what is beside it are untouched.
    assert_eq!(fs::read_to_string(top.join("projects/outside/Cargo.toml")).unwrap(), "outside");

    // Where there is no memory file system: the workspace's sibling.
    let beside = Overlay::in_folder(&top.join("projects"), ".ws", &root).unwrap();
    assert_eq!(beside.path, beside.base);
    assert_eq!(beside.path.parent(), root.parent());
    beside.stage(&root, &BTreeMap::new()).unwrap();
    assert_eq!(fs::read_to_string(beside.path.join("../outside/Cargo.toml")).unwrap(), "outside");
}

/// What an early judgement compares: the text of each file cargo reads, and of every other
/// file only whether the change creates or deletes it; a folder move is not guessed.
#[test]
fn cargo_sees_the_text_of_what_it_reads_and_only_the_presence_of_the_rest() {
    use super::early::{Sight, seen};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    fs::create_dir_all(root.join("crates/a/src")).unwrap();
    fs::write(root.join("crates/a/src/lib.rs"), "//! a\n").unwrap();
    let changes = BTreeMap::from([
        ("Cargo.toml".to_owned(), Staged::Text("[workspace]\n".into())),
        ("crates/a/src/lib.rs".to_owned(), Staged::Text("//! a, changed\n".into())),
        ("crates/b/src/lib.rs".to_owned(), Staged::Text("//! b\n".into())),
        ("crates/c/src/lib.rs".to_owned(), Staged::Absent),
        (".cargo/config.toml".to_owned(), Staged::Text("[alias]\n".into())),
    ]);
    let expected = BTreeMap::from([
        ("Cargo.toml".to_owned(), Sight::Text("[workspace]\n".into())),
        ("crates/b/src/lib.rs".to_owned(), Sight::Present),
        ("crates/c/src/lib.rs".to_owned(), Sight::Absent),
        (".cargo/config.toml".to_owned(), Sight::Text("[alias]\n".into())),
    ]);
    assert_eq!(seen(root, &changes), Some(expected));
    let moved = BTreeMap::from([("crates/d".to_owned(), Staged::Folder(root.join("crates/a")))]);
    assert_eq!(seen(root, &moved), None);
}
