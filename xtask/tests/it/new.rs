//! `new` and `demo`: what they write, and what they refuse to write.

use std::fs;

use crate::cli::{self, session};
use crate::{files_under, outcome, xtask};

const SMALL: &str = r#"
[workspace]
name = "small"

[crates.base]
requirements = [{ id = "B-1", text = "Holds." }]

[crates.app]
kind = "bin"
depends = ["base"]
"#;

#[test]
fn new_writes_the_whole_workspace_and_verifies_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    let files = files_under(&tmp.path().join("ws"));
    for expected in [
        "Cargo.toml",
        "Trellis.toml",
        "crates/app/src/main.rs",
        "crates/base/src/lib.rs",
        "crates/base/tests/requirements/b_1.rs",
        "xtask/src/main.rs",
        ".cargo/config.toml",
        ".trellis/trellis.schema.json",
    ] {
        assert!(files.iter().any(|f| f == expected), "{expected} missing from {files:#?}");
    }
    // The spec as written, with the line that points editors at the schema first.
    let spec = fs::read_to_string(tmp.path().join("ws/Trellis.toml")).unwrap();
    assert_eq!(spec, format!("{}\n{SMALL}", trellis_spec::schema::DIRECTIVE));
    assert_eq!(
        fs::read_to_string(tmp.path().join("ws/.trellis/trellis.schema.json")).unwrap(),
        trellis_spec::schema::json()
    );
    // Nothing is left beside the workspace: no temporary folder.
    let mut beside: Vec<_> =
        fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    beside.sort();
    assert_eq!(beside, ["spec.toml", "ws"]);
    insta::assert_snapshot!(new);
}

#[test]
fn a_bad_spec_writes_nothing_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = SMALL.replace(r#"depends = ["base"]"#, r#"depends = ["bsae"]"#);
    fs::write(tmp.path().join("spec.toml"), bad).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn a_folder_that_is_not_empty_is_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    fs::create_dir(tmp.path().join("ws")).unwrap();
    fs::write(tmp.path().join("ws/notes.txt"), "mine").unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(files_under(&tmp.path().join("ws")), ["notes.txt"]);
    assert_eq!(fs::read_to_string(tmp.path().join("ws/notes.txt")).unwrap(), "mine");
    insta::assert_snapshot!(new);
}

#[test]
fn an_empty_folder_is_filled() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    fs::create_dir(tmp.path().join("ws")).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(tmp.path().join("ws/Cargo.toml").exists());
    insta::assert_snapshot!(new);
}

#[cfg(unix)]
#[test]
fn a_symlink_as_the_output_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    fs::create_dir(tmp.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), tmp.path().join("ws")).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(files_under(&tmp.path().join("elsewhere")).is_empty());
    insta::assert_snapshot!(new);
}

#[test]
fn a_missing_spec_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let new = cli::xtask(tmp.path(), &["new", "nope.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn template_overrides_replace_defaults_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    fs::create_dir_all(tmp.path().join("tpl/workspace")).unwrap();
    fs::write(tmp.path().join("tpl/workspace/README.md.hbs"), "# {{workspace.name}}, our way\n")
        .unwrap();
    fs::write(tmp.path().join("tpl/workspace/.gitignore.hbs"), "/target\n/local\n").unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws", "--templates", "tpl"]);
    assert_eq!(fs::read_to_string(tmp.path().join("ws/README.md")).unwrap(), "# small, our way\n");
    assert_eq!(fs::read_to_string(tmp.path().join("ws/.gitignore")).unwrap(), "/target\n/local\n");
    insta::assert_snapshot!(new);
}

#[test]
fn a_bad_template_writes_nothing() {
    let mut runs = Vec::new();
    for (name, text) in [
        ("workspace/READMEE.md.hbs", "x"),
        ("workspace/README.md.hbs", "{{workspace.nmae}}"),
        ("workspace/README.md.hbs", "{{#if}"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
        let path = tmp.path().join("tpl").join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        let args = ["new", "spec.toml", "--out", "ws", "--templates", "tpl"];
        runs.push(cli::xtask(tmp.path(), &args));
        assert!(!tmp.path().join("ws").exists(), "{name}");
    }
    insta::assert_snapshot!(session(&runs));
}

#[test]
fn a_folder_or_a_binary_file_as_the_spec_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("specs")).unwrap();
    fs::write(tmp.path().join("bin.toml"), b"\xff\xfe[workspace]").unwrap();
    let mut runs = Vec::new();
    for spec in ["specs", "bin.toml"] {
        runs.push(cli::xtask(tmp.path(), &["new", spec, "--out", "ws"]));
        assert!(!tmp.path().join("ws").exists());
    }
    insta::assert_snapshot!(session(&runs));
}

#[test]
fn missing_parent_folders_of_the_output_are_created() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "a/b/ws"]);
    assert!(tmp.path().join("a/b/ws/Cargo.toml").exists());
    insta::assert_snapshot!(new);
}

/// SIGTERM (as Ctrl-C) at any moment of `new`: the run stops cleanly and leaves no staging
/// folder; interrupted, it exits 130. Whatever the moment the signal lands, nothing half-made
/// stays beside the target.
#[cfg(unix)]
#[test]
fn a_signal_during_new_leaves_no_staging_folder() {
    let mut spec = String::from("[workspace]\nname = \"big\"\n");
    for i in 0..60 {
        spec.push_str(&format!("\n[crates.c{i}]\nmodules = [\"a\", \"b\"]\n"));
    }
    for delay in [0, 10, 30, 60, 120] {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("spec.toml"), &spec).unwrap();
        let child = crate::command(env!("CARGO_BIN_EXE_xtask"), tmp.path())
            .args(["new", "spec.toml", "--out", "ws"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let beside: Vec<String> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".trellis-"))
            .collect();
        assert!(beside.is_empty(), "delay {delay}: {beside:?}");
        if output.status.code() == Some(130) {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("interrupted"), "{stderr}");
        }
    }
}

/// A `new` killed outright (SIGKILL cannot be caught) leaves its staging folder and its record
/// (under the system's temporary folder); the next `new` into the same folder removes it, since
/// its process is gone. A folder named like a staging folder that no record names stays.
#[test]
fn the_next_new_removes_a_killed_news_staging_folder() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    let stale = tmp.path().join(".ws.trellis-4000000000-0");
    fs::create_dir_all(stale.join(".trellis")).unwrap();
    fs::write(stale.join(".trellis/apply.lock"), "").unwrap();
    fs::write(stale.join("Cargo.toml"), "[workspace]\n").unwrap();
    // Its record, as the killed run wrote it: the exact path, the process, a token also inside.
    let token = format!("{:024}", std::process::id());
    fs::write(stale.join(".trellis/staging.token"), &token).unwrap();
    let records = std::env::temp_dir().join("trellis-staging");
    fs::create_dir_all(&records).unwrap();
    let path = fs::canonicalize(&stale).unwrap();
    fs::write(
        records.join(format!("4000000000-{token}.record")),
        format!("pid=4000000000\ntoken={token}\npath={}\n", path.display()),
    )
    .unwrap();
    let unrecorded = tmp.path().join(".other.trellis-4000000001-0");
    fs::create_dir_all(unrecorded.join(".trellis")).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!stale.exists());
    assert!(unrecorded.is_dir(), "a folder is never removed on its name alone");
    assert!(!tmp.path().join("ws/.trellis/staging.token").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn a_workspace_cargo_refuses_is_never_moved_into_place() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SMALL).unwrap();
    // A template override that renders TOML cargo refuses: only cargo's look can tell.
    let templates = tmp.path().join("templates/workspace");
    fs::create_dir_all(&templates).unwrap();
    let root =
        fs::read_to_string(crate::repo_root().join("templates/workspace/Cargo.toml.hbs")).unwrap();
    fs::write(
        templates.join("Cargo.toml.hbs"),
        format!("{root}\n[profile.dev]\nopt-level = \"fastest\"\n"),
    )
    .unwrap();
    let new =
        cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws", "--templates", "templates"]);
    let mut left: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["spec.toml", "templates"]);
    insta::assert_snapshot!(new);
}

#[test]
fn an_exception_that_excuses_nothing_in_a_new_workspace_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"w\"\n\n[layers]\norder = [\"low\", \"high\"]\n\n[crates.a]\nlayer = \"low\"\n\n[crates.b]\nlayer = \"high\"\n\n[[allow]]\nfrom = \"a\"\nto = \"b\"\nreason = \"an edge that is not declared\"\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let refused = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    // Declared, the edge up the layers needs it: the workspace is written and verified.
    let declared = spec.replace("layer = \"low\"\n", "layer = \"low\"\ndepends = [\"b\"]\n");
    fs::write(tmp.path().join("spec.toml"), declared).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    insta::assert_snapshot!(session([&refused, &new]));
}

#[test]
fn a_dependency_path_without_a_package_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"w\"\n\n[dependencies]\nvendored = { path = \"../vendored/v\" }\n\n[crates.a]\nuses = [\"vendored\"]\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn a_registry_cargo_does_not_know_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"w\"\n\n[dependencies]\nprivate = { version = \"1\", registry = \"trellis-test-unknown\" }\n\n[crates.a]\nuses = [\"private\"]\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn a_bin_crate_whose_binary_cargo_refuses_writes_nothing() {
    // Cargo refuses a binary named after one of its build folders; the `src/main.rs` Trellis
    // seeds is a binary named after the crate. A crate that exists may keep the name (its
    // binaries named otherwise); `new` creates every crate, so it refuses before writing.
    let tmp = tempfile::tempdir().unwrap();
    let spec =
        "[workspace]\nname = \"w\"\n\n[crates.examples]\nkind = \"bin\"\npath = \"examples\"\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(new);
}

#[test]
fn a_member_and_an_external_crate_share_a_key_and_the_workspace_builds() {
    // Cargo keys dependencies per manifest: `front` has the member `solar`, `checker` the
    // package the root's `solar` names. The root's entry is the external one, so the edge on
    // the member is a path.
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"w\"\n\n[dependencies]\nsolar = { version = \"1\", package = \"itoa\" }\n\n[crates.solar]\n\n[crates.front]\ndepends = [\"solar\"]\n\n[crates.checker]\nuses = [\"solar\"]\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = crate::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.status.code(), Some(0), "{}", crate::outcome(&new).1);
    let ws = tmp.path().join("ws");
    let front = fs::read_to_string(ws.join("crates/front/Cargo.toml")).unwrap();
    assert!(front.contains("solar = { path = \"../solar\" }"), "{front}");
    let built = crate::command("cargo", &ws).args(["build", "--workspace", "--offline"]).output();
    let built = built.expect("cargo runs");
    assert!(built.status.success(), "{}", crate::outcome(&built).1);
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(&ws)
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .expect("cargo metadata reads the generated workspace");
    let on = |from: &str| -> Vec<(String, bool)> {
        let package = metadata.packages.iter().find(|p| p.name.as_str() == from).unwrap();
        package.dependencies.iter().map(|d| (d.name.clone(), d.path.is_some())).collect()
    };
    assert_eq!(on("front"), [("solar".to_owned(), true)]);
    assert_eq!(on("checker"), [("itoa".to_owned(), false)]);
}

/// A workspace that uses registry crates ships a lock file with the versions Trellis' own was
/// tested with (cargo resolves it offline from Trellis' lock); one without ships none.
#[test]
fn a_workspace_using_registry_crates_ships_trellis_tested_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = "[workspace]\nname = \"sys\"\n\n[dependencies]\nsemver = \"1\"\n\n[crates.core]\nuses = [\"semver\"]\n";
    fs::write(dir.join("spec.toml"), spec).unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");
    let lock = fs::read_to_string(dir.join("ws/Cargo.lock")).expect("a lock file");
    let ours = fs::read_to_string(crate::repo_root().join("Cargo.lock")).unwrap();
    let version = |text: &str| {
        let at = text.find("name = \"semver\"\n").expect("semver is locked");
        text[at..].lines().nth(1).unwrap().to_owned()
    };
    assert_eq!(version(&lock), version(&ours));
    assert!(!lock.contains("name = \"handlebars\""), "trimmed to what it uses:\n{lock}");

    fs::write(dir.join("plain.toml"), "[workspace]\nname = \"plain\"\n\n[crates.core]\n").unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["new", "plain.toml", "--out", "plain"]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!dir.join("plain/Cargo.lock").exists());
}

/// `new` into the repository a team just made: its version-control metadata stays, its own
/// README and `.gitignore` are conflicts kept as they are (exit 1), everything else is
/// generated, and cargo builds the result. A folder with anything more is refused untouched.
#[test]
fn new_fills_a_fresh_clone_and_keeps_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(repo.join(".git/objects")).unwrap();
    fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(repo.join("README.md"), "# Ours\n").unwrap();
    fs::write(repo.join("LICENSE"), "MIT\n").unwrap();
    fs::write(repo.join("Trellis.toml"), "[workspace]\nname = \"shop\"\n\n[crates.books]\n")
        .unwrap();
    let run = cli::xtask(&repo, &["new", "Trellis.toml", "--out", "."]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("conflict  README.md"), "{run}");
    assert_eq!(fs::read_to_string(repo.join("README.md")).unwrap(), "# Ours\n");
    assert_eq!(fs::read_to_string(repo.join("LICENSE")).unwrap(), "MIT\n");
    assert_eq!(fs::read_to_string(repo.join(".git/HEAD")).unwrap(), "ref: refs/heads/main\n");
    assert!(repo.join("crates/books/src/lib.rs").is_file() && repo.join(".trellis").is_dir());
    let check = cli::xtask(&repo, &["check"]);
    assert_eq!(check.code, Some(0), "{check}");
    let siblings: Vec<_> =
        fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(siblings, ["repo"], "no staging folder is left beside it");

    let busy = tmp.path().join("busy");
    fs::create_dir_all(busy.join(".git")).unwrap();
    fs::create_dir_all(busy.join("src")).unwrap();
    let run = cli::xtask(tmp.path(), &["new", "repo/Trellis.toml", "--out", "busy"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("fresh clone"), "{run}");
    assert_eq!(fs::read_dir(&busy).unwrap().count(), 2);
}
