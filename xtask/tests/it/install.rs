//! `cargo trellis`: the command line installed from this checkout, offline, and run as cargo
//! runs a subcommand, from inside a member of a workspace it made.

use std::path::Path;
use std::process::Command;

use crate::repo_root;

/// The README's install line, into a folder of its own: `--debug` only to keep the test's build
/// short (a release build of the same code takes three times as long on two cores).
#[test]
#[ignore = "end to end: builds the engine a second time; .ci/run runs it with --ignored"]
fn installed_cargo_trellis_finds_the_workspace_from_a_members_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let install = tmp.path().join("install");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install");
    let xtask = repo_root().join("xtask");
    let installed = Command::new(env!("CARGO"))
        .args(["install", "--locked", "--offline", "--debug", "--bin", "cargo-trellis", "--path"])
        .arg(&xtask)
        .arg("--root")
        .arg(&install)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(installed.status.success(), "{}", String::from_utf8_lossy(&installed.stderr));
    assert!(
        install
            .join("bin")
            .join(format!("cargo-trellis{}", std::env::consts::EXE_SUFFIX))
            .is_file()
    );
    // `cargo install --list` names the tool, not this repository's task runner.
    let list = Command::new(env!("CARGO"))
        .args(["install", "--list", "--root"])
        .arg(&install)
        .output()
        .expect("cargo runs");
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.starts_with("cargo-trellis v"), "{list}");

    // `cargo trellis …`: cargo finds `cargo-trellis` on the PATH and runs it.
    let path = std::env::join_paths(
        std::iter::once(install.join("bin"))
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let trellis = |dir: &Path, args: &[&str]| {
        let output = Command::new(env!("CARGO"))
            .arg("trellis")
            .args(args)
            .current_dir(dir)
            .env("PATH", &path)
            .env_remove("CARGO_TERM_COLOR")
            .output()
            .expect("cargo runs");
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (output.status.code(), text(&output.stdout), text(&output.stderr))
    };

    let (code, _, stderr) = trellis(tmp.path(), &["demo", "--out", "ws"]);
    assert_eq!(code, Some(0), "{stderr}");
    let member = tmp.path().join("ws/crates/orders/src");
    let (code, stdout, stderr) = trellis(&member, &["check", "--color", "never", "-q"]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (Some(0), "", ""));

    // Without `-q` it says so, in plain text: `--color never` holds even where colour is forced.
    let output = Command::new(env!("CARGO"))
        .args(["trellis", "check", "--color", "never"])
        .current_dir(&member)
        .env("PATH", &path)
        .env("CARGO_TERM_COLOR", "always")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "check: the workspace matches its spec\n");
}
