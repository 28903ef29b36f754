//! Cargo is the judge: `plan` and `apply` ask cargo the same question about the same result
//! before anything is written, hold back only the crate whose change cargo refuses, and count
//! only what the change broke.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::cli::{self, session};
use crate::{files_under, outcome, xtask};

/// Crate `a` uses `x`, a package beside the workspace (a path dependency, so all of it works
/// offline); `b` uses nothing.
const SPEC: &str = r#"[workspace]
name = "judged"

[dependencies]
x = { path = "../x" }

[crates.a]
uses = ["x"]

[crates.b]
summary = "Before"
"#;

/// A workspace made from [`SPEC`], with a lock file, beside the packages `x` (feature `std`,
/// function `hello`) and `z` (no feature).
fn workspace(tmp: &Path) -> std::path::PathBuf {
    fs::create_dir_all(tmp.join("z/src")).unwrap();
    fs::write(
        tmp.join("z/Cargo.toml"),
        "[package]\nname = \"z\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(tmp.join("z/src/lib.rs"), "//! z\n").unwrap();
    fs::create_dir_all(tmp.join("x/src")).unwrap();
    fs::write(
        tmp.join("x/Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\nstd = []\n",
    )
    .unwrap();
    fs::write(tmp.join("x/src/lib.rs"), "//! x\n\n/// Hello.\npub fn hello() {}\n").unwrap();
    fs::write(tmp.join("spec.toml"), SPEC).unwrap();
    let output = xtask(tmp, &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
    let ws = tmp.join("ws");
    let lock = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", String::from_utf8_lossy(&lock.stderr));
    ws
}

/// The person's edit of a file of the workspace: `from` replaced by `to`.
fn edit(ws: &Path, path: &str, from: &str, to: &str) {
    let text = fs::read_to_string(ws.join(path)).unwrap();
    assert!(text.contains(from), "{path}: {text}");
    fs::write(ws.join(path), text.replacen(from, to, 1)).unwrap();
}

/// The spec changed: `a` no longer uses `x`.
fn drop_x(ws: &Path) {
    edit(ws, "Trellis.toml", "uses = [\"x\"]\n", "");
}

/// The person pins `b` at a version `b` is not (the root's entry, which no member uses yet),
/// and the spec changes: `a` depends on `b`. Only cargo can know that the requirement fails (it
/// reads `b`'s version while it resolves), and it refuses to resolve: `a`'s change alone.
fn depend_on_a_pin_b_does_not_meet(ws: &Path) {
    edit(
        ws,
        "Cargo.toml",
        "b = { path = \"crates/b\" }",
        "b = { path = \"crates/b\", version = \"2\" }",
    );
    edit(ws, "Trellis.toml", "[crates.a]\n", "[crates.a]\ndepends = [\"b\"]\n");
}

/// The spec changed: `a` uses `z` too, pinned with a feature `z` does not have. Only cargo
/// can know (it reads `z`'s manifest while it resolves), and it refuses to resolve.
fn use_z(ws: &Path) {
    let pin = "x = { path = \"../x\" }\n";
    edit(
        ws,
        "Trellis.toml",
        pin,
        &format!("{pin}z = {{ path = \"../z\", features = [\"fast\"] }}\n"),
    );
    edit(ws, "Trellis.toml", "uses = [\"x\"]\n", "uses = [\"x\", \"z\"]\n");
}

/// Every file of the workspace with its bytes (cargo's target folder aside).
fn contents(ws: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(ws)
        .into_iter()
        .filter(|f| !f.starts_with("target/"))
        .map(|f| {
            let bytes = fs::read(ws.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Nothing is left beside the workspace but the package and the spec: the judge's folders
/// are gone.
fn nothing_beside(tmp: &Path) {
    let mut names: Vec<String> = fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    names.sort();
    assert_eq!(names, ["spec.toml", "ws", "x", "z"]);
}

#[test]
fn a_change_cargo_refuses_is_shown_by_plan_and_held_back_by_apply_as_plan_said() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    depend_on_a_pin_b_does_not_meet(&ws);
    let manifests = ["Cargo.toml", "Cargo.lock", "crates/a/Cargo.toml", "crates/b/Cargo.toml"];
    let read = |ws: &Path| manifests.map(|m| fs::read_to_string(ws.join(m)).unwrap());
    let before = read(&ws);

    let plan = cli::xtask(&ws, &["plan", "-v"]);
    let apply = cli::xtask(&ws, &["apply"]);
    // Only the generated docs took the spec change; no manifest, and the lock file neither.
    assert_eq!(read(&ws), before, "the manifests byte for byte as they were");
    let resolves = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(&ws)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(resolves.success(), "what apply left, cargo resolves");
    nothing_beside(tmp.path());
    assert_eq!(plan.code, Some(1), "{plan}");
    assert_eq!(apply.code, Some(1), "{apply}");
    insta::assert_snapshot!(session([&plan, &apply]));
}

#[test]
fn an_unrelated_crates_change_applies_beside_a_held_back_one() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    use_z(&ws);
    edit(&ws, "Trellis.toml", "summary = \"Before\"", "summary = \"After\"");
    let a = fs::read(ws.join("crates/a/Cargo.toml")).unwrap();

    let apply = cli::xtask(&ws, &["apply", "--format", "json"]);
    assert_eq!(apply.code, Some(1), "{apply}");
    let json = apply.json();
    let action = |path: &str| {
        let entries = json["entries"].as_array().unwrap();
        let e = entries.iter().find(|e| e["path"] == path).unwrap();
        (e["action"].as_str().unwrap().to_owned(), e["note"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(json["judged"]["level"], "metadata", "with dependencies: there is a lock file");
    let refusal = json["judged"]["refusal"].as_str().unwrap();
    assert!(refusal.contains("package `a`"), "cargo names the package: {refusal}");
    let (held, note) = action("crates/a/Cargo.toml");
    assert_eq!(held, "conflict");
    assert!(note.starts_with("held back: cargo refuses the change:"), "{note}");
    assert!(note.contains("`z`"), "cargo names the dependency: {note}");
    let kind = |path: &str| {
        let entries = json["entries"].as_array().unwrap();
        entries.iter().find(|e| e["path"] == path).unwrap()["note_kind"].clone()
    };
    assert_eq!(kind("crates/a/Cargo.toml"), "refused-by-cargo", "machines read the reason");
    assert_eq!(kind("crates/b/Cargo.toml"), serde_json::Value::Null, "no note, no kind");
    assert_eq!(action("crates/b/Cargo.toml").0, "update");
    assert_eq!(fs::read(ws.join("crates/a/Cargo.toml")).unwrap(), a, "held back");
    let b = fs::read_to_string(ws.join("crates/b/Cargo.toml")).unwrap();
    assert!(b.contains("After"), "{b}");
    // What was applied, cargo loads; `plan` has only the held-back change left.
    let check = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    let again = cli::xtask(&ws, &["plan"]);
    assert_eq!(again.code, Some(1), "{again}");
    insta::assert_snapshot!(again);
}

#[test]
fn verify_build_names_the_error_the_change_introduces_and_apply_rolls_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // The person's code calls into `x`; cargo still loads the workspace once `a` loses it.
    edit(
        &ws,
        "crates/a/src/lib.rs",
        "\n",
        "\n\n/// Says hello through `x`.\npub fn greet() {\n    x::hello();\n}\n",
    );
    drop_x(&ws);
    let before = contents(&ws);

    let by_default = cli::xtask(&ws, &["plan"]);
    assert_eq!(by_default.code, Some(0), "{by_default}");
    let plan = cli::xtask(&ws, &["plan", "--verify", "build"]);
    let apply = cli::xtask(&ws, &["apply", "--verify", "build"]);
    assert_eq!(contents(&ws), before, "rolled back, the lock file too");
    nothing_beside(tmp.path());
    assert_eq!(plan.code, Some(1), "{plan}");
    assert_eq!(apply.code, Some(1), "{apply}");
    insta::assert_snapshot!(session([&plan, &apply]));
}

#[test]
fn a_breakage_already_there_is_the_persons_and_does_not_block_the_change() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // `b` does not build before the change, and the change is to `b`'s summary alone.
    edit(
        &ws,
        "crates/b/src/lib.rs",
        "\n",
        "\n\n/// Broken.\npub fn broken() -> u32 {\n    \"no\"\n}\n",
    );
    edit(&ws, "Trellis.toml", "summary = \"Before\"", "summary = \"After\"");

    let plan = cli::xtask(&ws, &["plan", "--verify", "build"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    let apply = cli::xtask(&ws, &["apply", "--verify", "build"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    let b = fs::read_to_string(ws.join("crates/b/Cargo.toml")).unwrap();
    assert!(b.contains("After"), "{b}");

    // A manifest cargo refuses before the change: the change to it still applies, though it
    // moves the line cargo points at.
    edit(&ws, "crates/a/Cargo.toml", "[lints]", "[features]\ng = \"nope\"\n\n[lints]");
    edit(&ws, "Trellis.toml", "[crates.a]\n", "[crates.a]\nsummary = \"Now\"\n");
    let plan = cli::xtask(&ws, &["plan"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    let a = fs::read_to_string(ws.join("crates/a/Cargo.toml")).unwrap();
    assert!(a.contains("Now"), "{a}");
    nothing_beside(tmp.path());
}

#[test]
fn a_no_op_apply_asks_cargo_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // A cargo that fails whatever it is asked: any question would show.
    let plan = xtask_with_cargo(&ws, &["plan", "-v"]);
    let apply = xtask_with_cargo(&ws, &["apply", "-v"]);
    insta::assert_snapshot!(session([&plan, &apply]));
}

/// A run with `CARGO` naming a program that is not there.
fn xtask_with_cargo(ws: &Path, args: &[&str]) -> cli::Run {
    let output = crate::command(env!("CARGO_BIN_EXE_xtask"), ws)
        .env("CARGO", "/nonexistent/cargo")
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    cli::Run {
        dir: ws.to_path_buf(),
        command: format!("CARGO=/nonexistent/cargo cargo xtask {}", args.join(" ")),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn two_crates_cargo_refuses_are_held_back_together_and_the_rest_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    edit(&ws, "Trellis.toml", "[crates.b]", "[crates.c]\nuses = [\"x\"]\n\n[crates.b]");
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    // Each of `a` and `c` refuses without the other held back too.
    edit(
        &ws,
        "Trellis.toml",
        "[crates.c]\nuses = [\"x\"]\n",
        "[crates.c]\nuses = [\"x\", \"z\"]\n",
    );
    use_z(&ws);
    edit(&ws, "Trellis.toml", "summary = \"Before\"", "summary = \"After\"");

    let apply = cli::xtask(&ws, &["apply", "--format", "json"]);
    assert_eq!(apply.code, Some(1), "{apply}");
    let json = apply.json();
    let actions: Vec<(String, String)> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] != "unchanged")
        .map(|e| (e["path"].as_str().unwrap().to_owned(), e["action"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("ARCHITECTURE.md", "update"),
        // The root's pin of `z` alone is no refusal: cargo resolves only what members use.
        ("Cargo.toml", "update"),
        ("README.md", "update"),
        ("crates/a/Cargo.toml", "conflict"),
        ("crates/b/Cargo.toml", "update"),
        ("crates/b/src/lib.rs", "update"),
        ("crates/c/Cargo.toml", "conflict"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(p, a)| ((*p).to_owned(), (*a).to_owned())).collect();
    assert_eq!(actions, expected);
    nothing_beside(tmp.path());
}

#[test]
fn an_overlay_a_killed_run_left_is_removed_by_its_record_never_by_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // The overlay of a run killed outright, as it left it: its mark (token and lock in one
    // file, the lock free since the process is gone) and its record.
    let stale = tmp.path().join(".ws.trellis-judge-4000000000-0");
    fs::create_dir_all(stale.join("crates")).unwrap();
    let token = format!("{:024}", std::process::id());
    fs::write(stale.join(trellis_sync::SCRATCH_MARK), &token).unwrap();
    let records = std::env::temp_dir().join("trellis-staging");
    fs::create_dir_all(&records).unwrap();
    let path = fs::canonicalize(&stale).unwrap();
    // And the link beside the workspace it gave cargo, recorded.
    let link = fs::canonicalize(tmp.path()).unwrap().join(".ws.trellis-judge-4000000000-1");
    #[cfg(unix)]
    std::os::unix::fs::symlink(path.join("crates"), &link).unwrap();
    fs::write(
        records.join(format!("4000000000-{token}.record")),
        format!(
            "pid=4000000000\ntoken={token}\npath={}\nkind=scratch\nlink={}\n",
            path.display(),
            link.display()
        ),
    )
    .unwrap();
    // A folder and a link of the same shape of name that no record names.
    let unrecorded = tmp.path().join(".ws.trellis-judge-4000000001-0");
    fs::create_dir_all(&unrecorded).unwrap();
    let unrecorded_link = tmp.path().join(".ws.trellis-judge-4000000001-1");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&unrecorded, &unrecorded_link).unwrap();

    edit(&ws, "Trellis.toml", "summary = \"Before\"", "summary = \"After\"");
    let plan = cli::xtask(&ws, &["plan", "-v"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    assert!(plan.stderr.contains("accepts the result"), "the plan was judged: {plan}");
    assert!(!stale.exists(), "the killed run's overlay is gone");
    assert!(fs::symlink_metadata(&link).is_err(), "and the link its record names");
    assert!(unrecorded.is_dir(), "a folder is never removed on its name alone");
    let mut left: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    let mut expected = vec![".ws.trellis-judge-4000000001-0", "spec.toml", "ws", "x", "z"];
    if cfg!(unix) {
        expected.insert(1, ".ws.trellis-judge-4000000001-1");
    }
    assert_eq!(left, expected);
}

#[test]
fn without_a_lock_file_cargo_still_resolves_and_a_cycle_through_a_persons_edge_is_held_back() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("spec.toml"),
        "[workspace]\nname = \"w\"\n\n[crates.a]\n\n[crates.c]\n",
    )
    .unwrap();
    let output = xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
    let ws = tmp.path().join("ws");
    assert!(!ws.join("Cargo.lock").exists());
    // The person's edges: `a` on `c`, and `c`'s tests on `a` (a dev cycle, which cargo allows).
    edit(
        &ws,
        "crates/a/Cargo.toml",
        "[lints]",
        "[dependencies]\nc = { path = \"../c\" }\n\n[lints]",
    );
    edit(
        &ws,
        "crates/c/Cargo.toml",
        "[lints]",
        "[dev-dependencies]\na = { path = \"../a\" }\n\n[lints]",
    );
    // The spec: `c` depends on `a` (a cycle with the person's edge, which only resolving
    // sees), and an unrelated crate `d`.
    edit(&ws, "Trellis.toml", "[crates.c]\n", "[crates.c]\ndepends = [\"a\"]\n\n[crates.d]\n");
    let c = fs::read(ws.join("crates/c/Cargo.toml")).unwrap();

    let plan = cli::xtask(&ws, &["plan", "--format", "json"]);
    let apply = cli::xtask(&ws, &["apply", "--format", "json"]);
    assert_eq!((plan.code, apply.code), (Some(1), Some(1)), "{plan}\n{apply}");
    let conflicts = |run: &cli::Run| -> Vec<String> {
        run.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "conflict")
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(conflicts(&plan), ["crates/c/Cargo.toml"]);
    assert_eq!(conflicts(&apply), conflicts(&plan), "plan and apply say the same");
    assert_eq!(fs::read(ws.join("crates/c/Cargo.toml")).unwrap(), c, "held back");
    assert!(ws.join("crates/d/Cargo.toml").is_file(), "the unrelated crate is made");
    assert!(!ws.join("Cargo.lock").exists(), "the lock file cargo wrote stayed in the overlay");
    let beside: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside.len(), 2, "the judge's folders are gone: {beside:?}");
}

/// A spec change that removes the edge an `[[allow]]` excused, and keeps the allowance, is the
/// spec's mistake: `plan` and `apply` say so before writing (exit 2, at the entry), and
/// nothing is written; without the allowance the same change applies.
#[test]
fn an_allowance_the_change_leaves_idle_is_the_specs_error_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = r#"[workspace]
name = "layered"

[layers]
order = ["low", "high"]

[crates.top]
layer = "high"

[crates.base]
layer = "low"
depends = ["top"]

[[allow]]
from = "base"
to = "top"
reason = "being moved up"
"#;
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = tmp.path().join("ws");
    let before = crate::files_under(&ws)
        .into_iter()
        .map(|f| (fs::read(ws.join(&f)).unwrap(), f))
        .collect::<Vec<_>>();
    edit(&ws, "Trellis.toml", "depends = [\"top\"]\n", "");
    let plan = cli::xtask(&ws, &["plan"]);
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!((plan.code, apply.code), (Some(2), Some(2)), "{plan}\n{apply}");
    let after = crate::files_under(&ws)
        .into_iter()
        .map(|f| (fs::read(ws.join(&f)).unwrap(), f))
        .collect::<Vec<_>>();
    let spec_changed = |files: &Vec<(Vec<u8>, String)>| -> Vec<String> {
        files.iter().filter(|(_, f)| f != "Trellis.toml").map(|(_, f)| f.clone()).collect()
    };
    assert_eq!(spec_changed(&before), spec_changed(&after), "nothing written");
    for (b, a) in before.iter().zip(&after) {
        if a.1 != "Trellis.toml" {
            assert_eq!(b.0, a.0, "{} unchanged", a.1);
        }
    }
    insta::assert_snapshot!(session([&plan, &apply]));
    // Without the allowance, the same change applies and check passes.
    edit(
        &ws,
        "Trellis.toml",
        "[[allow]]\nfrom = \"base\"\nto = \"top\"\nreason = \"being moved up\"\n",
        "",
    );
    let apply = cli::xtask(&ws, &["apply", "-q"]);
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!((apply.code, check.code), (Some(0), Some(0)), "{apply}\n{check}");
}

/// Whatever leaves an `[[allow]]` idle is refused before writing: a crate moved into the
/// other's layer, too. And an allowance that expired while the spec still declares its edge
/// is the spec's error for `new` (exit 2); one about to expire is only `check`'s warning.
#[test]
fn allowances_idle_by_a_layer_move_or_expired_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"m\"\n\n[layers]\norder = [\"low\", \"high\"]\n\n[crates.a]\nlayer = \"low\"\ndepends = [\"b\"]\n\n[crates.b]\nlayer = \"high\"\n\n[[allow]]\nfrom = \"a\"\nto = \"b\"\nreason = \"temporary\"\nuntil = \"2027-01-31\"\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let soon = cli::xtask_with(
        tmp.path(),
        &[("TRELLIS_TODAY", "2027-01-20")],
        &["new", "spec.toml", "--out", "ws"],
    );
    assert_eq!(soon.code, Some(0), "an allowance about to expire is no reason to refuse: {soon}");
    let late = cli::xtask_with(
        tmp.path(),
        &[("TRELLIS_TODAY", "2027-02-01")],
        &["new", "spec.toml", "--out", "late"],
    );
    assert_eq!(late.code, Some(2), "{late}");
    assert!(late.stderr.contains("expired on 2027-01-31"), "{late}");
    assert!(!tmp.path().join("late").exists());
    let ws = tmp.path().join("ws");
    edit(&ws, "Trellis.toml", "[crates.b]\nlayer = \"high\"", "[crates.b]\nlayer = \"low\"");
    let plan = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "2027-01-20")], &["plan"]);
    assert_eq!(plan.code, Some(2), "{plan}");
    assert!(plan.stderr.contains("C012"), "{plan}");
}

/// A run with `CARGO` naming a cargo that logs each question (its arguments, one line each)
/// before it answers it: the questions asked, and the run.
#[cfg(target_os = "linux")]
fn xtask_logging_cargo(ws: &Path, args: &[&str]) -> (Vec<String>, cli::Run) {
    use std::os::unix::fs::PermissionsExt;
    let dir = ws.parent().unwrap().join("logging-cargo");
    fs::create_dir_all(&dir).unwrap();
    let (program, log) = (dir.join("cargo"), dir.join("questions"));
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
        log.display(),
        env!("CARGO")
    );
    fs::write(&program, script).unwrap();
    fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
    let _ = fs::remove_file(&log);
    let output = crate::command(env!("CARGO_BIN_EXE_xtask"), ws)
        .env("CARGO", &program)
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap();
    let questions =
        fs::read_to_string(&log).unwrap_or_default().lines().map(str::to_owned).collect();
    fs::remove_dir_all(&dir).unwrap();
    let run = cli::Run {
        dir: ws.to_path_buf(),
        command: format!("cargo xtask {}", args.join(" ")),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    (questions, run)
}

/// Cargo starts on the render's guess at once, and on the plan's own as soon as the plan has
/// planned what cargo reads where that differs; its answer stands when the finished plan shows
/// cargo the same: one question. Where the guess was wrong (a source the ledger records,
/// deleted by a person, which the plan makes again), the judge asks again from the start, and
/// says the same as ever.
#[cfg(target_os = "linux")]
#[test]
fn cargo_judges_while_the_rest_is_planned_and_a_wrong_guess_is_asked_again() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let judged = |questions: &[String]| -> Vec<String> {
        let judged =
            questions.iter().filter(|q| q.starts_with("metadata") && !q.contains("--no-deps"));
        judged.cloned().collect()
    };
    // The early question goes by the link beside the workspace; the judge's own, whose
    // messages are read, to the overlay in memory.
    let beside = format!(
        "--manifest-path {}/.ws.trellis-judge-",
        fs::canonicalize(tmp.path()).unwrap().display()
    );
    edit(&ws, "Trellis.toml", "[crates.b]\n", "[crates.c]\ndepends = [\"b\"]\n\n[crates.b]\n");
    let (questions, plan) = xtask_logging_cargo(&ws, &["plan", "-v"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    assert!(plan.stderr.contains("accepts the result"), "{plan}");
    assert!(plan.stdout.contains("create     crates/c/src/lib.rs"), "{plan}");
    let asked = judged(&questions);
    assert!(asked.len() == 1 && asked[0].contains(&beside), "one question: {questions:?}");
    let (questions, apply) = xtask_logging_cargo(&ws, &["apply", "-v"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    assert!(apply.stderr.contains("accepts the result"), "{apply}");
    let asked = judged(&questions);
    assert!(asked.len() == 1 && asked[0].contains(&beside), "one question: {questions:?}");
    nothing_beside(tmp.path());

    // The guess leaves out `a`'s library, which the ledger records (the spec does not change
    // `a`) and the plan makes again.
    fs::remove_file(ws.join("crates/a/src/lib.rs")).unwrap();
    edit(&ws, "Trellis.toml", "summary = \"Before\"", "summary = \"After\"");
    let (questions, plan) = xtask_logging_cargo(&ws, &["plan", "-v"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    assert!(plan.stderr.contains("accepts the result"), "{plan}");
    assert!(plan.stdout.contains("create     crates/a/src/lib.rs"), "{plan}");
    // (The early question was stopped, maybe before it was logged.)
    let asked = judged(&questions);
    let last = asked.last().map(String::as_str).unwrap_or_default();
    assert!(last.contains("--manifest-path /dev/shm/"), "the judge's own: {questions:?}");
    let apply = xtask_logging_cargo(&ws, &["apply"]).1;
    assert_eq!(apply.code, Some(0), "{apply}");

    // The render's guess is wrong where a person wrote in a manifest the spec changes (their
    // comment stays in the merge): the plan's own guess replaces it, and its answer stands.
    edit(&ws, "crates/b/Cargo.toml", "[package]\n", "[package]\n# mine\n");
    edit(&ws, "Trellis.toml", "summary = \"After\"", "summary = \"Later\"");
    let (questions, plan) = xtask_logging_cargo(&ws, &["plan", "-v"]);
    assert_eq!(plan.code, Some(0), "{plan}");
    assert!(plan.stderr.contains("accepts the result"), "{plan}");
    let asked = judged(&questions);
    let last = asked.last().map(String::as_str).unwrap_or_default();
    assert!(last.contains(&beside), "the plan's guess, by the link: {questions:?}");
    assert!(!asked.iter().any(|q| q.contains("/dev/shm/")), "no judge of its own: {questions:?}");
    nothing_beside(tmp.path());
}

/// A person's breakage that resolving meets (a path dependency on a crate not made yet) is no
/// reason to judge without resolving: a cycle the change then closes through it is still the
/// change's: the crate is held back by `plan` and `apply` alike, and the workspace is left
/// with the person's breakage alone.
#[test]
fn a_cycle_the_change_closes_through_a_persons_broken_edge_is_held_back() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    edit(
        &ws,
        "crates/b/Cargo.toml",
        "[lints]",
        "[dependencies]\nc = { path = \"../c\" }\n\n[lints]",
    );
    edit(&ws, "Trellis.toml", "[crates.b]\n", "[crates.c]\ndepends = [\"b\"]\n\n[crates.b]\n");
    let plan = cli::xtask(&ws, &["plan", "-v"]);
    assert_eq!(plan.code, Some(1), "{plan}");
    assert!(plan.stderr.contains("cyclic package dependency"), "{plan}");
    assert!(plan.stdout.contains("crates/c/Cargo.toml"), "{plan}");
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(1), "{apply}");
    assert!(!ws.join("crates/c").exists(), "`c` is held back: {apply}");
    // What cargo refuses now is the person's breakage as before (`c` is not there), no cycle.
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--offline", "--format-version", "1"])
        .current_dir(&ws)
        .output()
        .unwrap();
    let refusal = String::from_utf8_lossy(&metadata.stderr);
    assert!(refusal.contains("crates/c/Cargo.toml") && !refusal.contains("cyclic"), "{refusal}");
    nothing_beside(tmp.path());
}
