//! The command line's surface, as snapshots: help, the global flags, finding the workspace from
//! where the user stands, the path forms `--spec`, `--root` and `--accept` take, completions,
//! and the version of every JSON document.

use std::fs;
use std::path::Path;

use crate::cli::{self, session};
use crate::files_under;

const SPEC: &str = r#"[workspace]
name = "shop"

[crates.base]
summary = "The base"
requirements = [{ id = "B-1", text = "Holds." }]

[crates.app]
kind = "bin"
depends = ["base"]
"#;

/// Every command, as `--help` lists them.
const COMMANDS: [&str; 11] = [
    "new",
    "plan",
    "apply",
    "check",
    "trace",
    "graph",
    "infer",
    "diff",
    "demo",
    "completions",
    "bench",
];

/// A workspace `new` made from [`SPEC`] at `<dir>/ws`.
fn new_workspace(dir: &Path) -> std::path::PathBuf {
    fs::write(dir.join("spec.toml"), SPEC).unwrap();
    let new = cli::xtask(dir, &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    dir.join("ws")
}

/// The person rewords the first line of `crates/base/src/lib.rs`; returns their text.
fn edit_base(ws: &Path) -> String {
    let lib = ws.join("crates/base/src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    let mine = text.replacen("//! The base\n", "//! The base, mine\n", 1);
    assert_ne!(mine, text);
    fs::write(&lib, &mine).unwrap();
    mine
}

/// The spec rewords `base`'s summary to `to`: a conflict on the line the person reworded.
fn reword_base(ws: &Path, to: &str) {
    let spec = SPEC.replace("summary = \"The base\"", &format!("summary = \"{to}\""));
    fs::write(ws.join("Trellis.toml"), spec).unwrap();
}

/// How many files `plan --format json` in `dir` finds in conflict.
fn conflicts(dir: &Path) -> serde_json::Value {
    let plan = cli::xtask(dir, &["plan", "--format", "json"]);
    plan.json()["conflicts"].clone()
}

#[test]
fn top_level_help_names_the_command_as_it_is_run() {
    let tmp = tempfile::tempdir().unwrap();
    let xtask = cli::xtask(tmp.path(), &["--help"]);
    let trellis = cli::trellis(tmp.path(), &["--help"]);
    insta::assert_snapshot!(session([&xtask, &trellis]));
}

#[test]
fn every_command_has_help() {
    let tmp = tempfile::tempdir().unwrap();
    let top = cli::xtask(tmp.path(), &["--help"]).stdout;
    let listed: Vec<&str> = top
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        // A command's line; a wrapped description goes on further in.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert_eq!(listed, COMMANDS, "a command without a help snapshot:\n{top}");
    for command in COMMANDS {
        let help = cli::xtask(tmp.path(), &[command, "--help"]);
        insta::assert_snapshot!(format!("help_{command}"), help);
    }
}

#[test]
fn quiet_and_verbose_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    edit_base(&ws);
    reword_base(&ws, "The base, reworded");
    let quiet = cli::xtask(&ws, &["plan", "--color", "never", "-q"]);
    let verbose = cli::xtask(&ws, &["plan", "-v"]);
    insta::assert_snapshot!(session([&quiet, &verbose]));
}

#[test]
fn commands_find_the_workspace_from_a_members_source_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    let src = ws.join("crates/base/src");
    let check = cli::xtask(&src, &["check"]);
    let strict = cli::xtask(&src, &["check", "--strict"]);
    let trace = cli::xtask(&src, &["trace"]);
    assert!(trace.stdout.contains("../../../crates/base/tests/requirements/"), "{trace}");
    edit_base(&ws);
    reword_base(&ws, "The base, reworded");
    let plan = cli::xtask(&src, &["plan"]);
    insta::assert_snapshot!(session([&check, &strict, &trace, &plan]));
}

#[test]
fn check_takes_the_spec_from_another_file() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    let with_edge = SPEC
        .replace("summary = \"The base\"\n", "summary = \"The base\"\ndepends = [\"lib\"]\n")
        + "\n[crates.lib]\nsummary = \"Not made yet\"\n";
    fs::write(tmp.path().join("grown.toml"), with_edge).unwrap();
    let same = cli::xtask(&ws, &["check", "--spec", "../spec.toml"]);
    let grown = cli::xtask(&ws, &["check", "--spec", "../grown.toml"]);
    insta::assert_snapshot!(session([&same, &grown]));
}

#[test]
fn apply_with_a_spec_but_no_workspace_around_refuses_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let before = files_under(tmp.path());
    let apply = cli::xtask(tmp.path(), &["apply", "--spec", "spec.toml"]);
    assert_eq!(files_under(tmp.path()), before);
    insta::assert_snapshot!(apply);
}

#[test]
fn accept_takes_an_absolute_path_or_one_relative_to_where_the_user_stands() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    let lib = ws.join("crates/base/src/lib.rs");

    // Absolute, from the workspace root.
    let mine = edit_base(&ws);
    reword_base(&ws, "The base, reworded");
    assert_eq!(conflicts(&ws), 1);
    let absolute = cli::xtask(&ws, &["apply", "--accept", lib.to_str().unwrap()]);
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    assert_eq!(conflicts(&ws), 0);

    // Relative to the current folder, inside the workspace.
    reword_base(&ws, "The base, reworded again");
    assert_eq!(conflicts(&ws), 1);
    let src = ws.join("crates/base/src");
    let relative = cli::xtask(&src, &["apply", "--accept", "lib.rs"]);
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    assert_eq!(conflicts(&ws), 0);

    // Relative to the workspace root, from a folder outside it.
    reword_base(&ws, "The base, reworded a third time");
    assert_eq!(conflicts(&ws), 1);
    let args = ["apply", "--root", "ws", "--accept", "crates/base/src/lib.rs"];
    let outside = cli::xtask(tmp.path(), &args);
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    assert_eq!(conflicts(&ws), 0);

    // As `plan --root ws` prints it, from the folder it was run in.
    reword_base(&ws, "The base, reworded a fourth time");
    let plan = cli::xtask(tmp.path(), &["plan", "--root", "ws"]);
    assert!(plan.stdout.contains("conflict   ws/crates/base/src/lib.rs"), "{plan}");
    let args = ["apply", "--root", "ws", "--accept", "ws/crates/base/src/lib.rs"];
    let as_printed = cli::xtask(tmp.path(), &args);
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    assert_eq!(conflicts(&ws), 0, "{as_printed}");

    insta::assert_snapshot!(session([&absolute, &relative, &outside, &as_printed]));
}

/// An environment variable that is not UTF-8 (anyone's) is no reason to stop.
#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_is_no_reason_to_stop() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    for command in ["plan", "apply", "check"] {
        let output = crate::command(env!("CARGO_BIN_EXE_xtask"), &ws)
            .arg(command)
            .env("TRELLIS_TEST_BYTES", std::ffi::OsStr::from_bytes(b"\xff\xfe"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{command}: {stderr}");
    }
}

#[test]
fn workspace_is_still_an_alias_of_root() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    for command in ["plan", "check", "trace", "graph", "infer"] {
        let root = cli::xtask(tmp.path(), &[command, "--root", "ws"]);
        let alias = cli::xtask(tmp.path(), &[command, "--workspace", "ws"]);
        assert_eq!(root.code, Some(0), "{root}");
        assert_eq!(
            (&alias.code, &alias.stdout, &alias.stderr),
            (&root.code, &root.stdout, &root.stderr),
            "{alias}"
        );
    }
}

#[test]
fn completions_are_for_the_program_cargo_runs() {
    let tmp = tempfile::tempdir().unwrap();
    for (run, program) in [
        (cli::xtask(tmp.path(), &["completions", "bash"]), "xtask"),
        (cli::trellis(tmp.path(), &["completions", "bash"]), "cargo-trellis"),
    ] {
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let registered = run.stdout.lines().filter(|l| l.starts_with("    complete -F "));
        assert!(registered.clone().count() > 0, "{}", run.stdout);
        assert!(registered.clone().all(|l| l.ends_with(&format!(" {program}"))), "{}", run.stdout);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
}

#[test]
fn every_json_document_has_schema_version_1() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = new_workspace(tmp.path());
    for command in ["plan", "apply", "check"] {
        let run = cli::xtask(&ws, &[command, "--format", "json"]);
        assert_eq!(run.code, Some(0), "{run}");
        assert_eq!(run.json()["schema_version"], 1, "{run}");
    }
}

/// Installed, Trellis is `cargo trellis`: what its hints and notes name, as the user runs it.
/// (In a generated workspace `cargo xtask` is that workspace's own, which only knows `ci`.)
#[test]
fn hints_name_the_command_as_the_user_runs_it() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let new = cli::trellis(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    let ws = tmp.path().join("ws");
    edit_base(&ws);
    reword_base(&ws, "The base, reworded");
    let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
    fs::write(ws.join("Trellis.toml"), spec + "\n[crates.extra]\nsummary = \"Extra\"\n").unwrap();
    let plan = cli::trellis(tmp.path(), &["plan", "--root", "ws"]);
    let check = cli::trellis(tmp.path(), &["check", "--root", "ws"]);
    let infer = cli::trellis(&ws, &["infer"]);
    insta::assert_snapshot!(session([&new, &plan, &check, &infer]));
}

/// Every subcommand the bash script can find has the case that completes its options.
#[test]
fn bash_completes_the_options_of_every_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    let script = cli::trellis(tmp.path(), &["completions", "bash"]).stdout;
    let assigned: std::collections::BTreeSet<&str> = script
        .split("cmd=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|name| !name.is_empty())
        .collect();
    let labels: std::collections::BTreeSet<&str> = script
        .lines()
        .filter_map(|l| l.trim().strip_suffix(')'))
        .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    let missing: Vec<&&str> = assigned.difference(&labels).collect();
    assert!(missing.is_empty(), "no case for {missing:?}");
    assert!(assigned.contains("cargo__trellis__subcmd__plan"), "{assigned:?}");
}
