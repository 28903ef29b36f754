//! Adopting workspaces people wrote, as folders of data (cargo's `cargo_add` UI tests are the
//! model): `tests/fixtures/adopt/<case>/in/` is the person's workspace. `infer`, then `apply`,
//! must leave it byte for byte. Where the case has a `spec.toml` (a spec change made on top of
//! the inferred one), `apply` with it must give `out/` byte for byte, list in `plan` exactly the
//! files it writes, add lines without changing any (unless the change renames), and leave a
//! workspace `check` passes. Where it has a `conflict.toml` (a spec change Trellis must refuse
//! to write), `plan` and `apply` with it must report exactly the conflicts `conflict.txt` lists
//! and write nothing.
//!
//! `TRELLIS_BLESS=1 cargo test -p cargo-trellis --test it adopt` writes `out/` from what `apply` gives:
//! review the diff before committing it.

use std::collections::{BTreeMap, BTreeSet};

use std::fs;
use std::path::{Path, PathBuf};
use trellis_spec::EdgeKind;

use crate::cli::{self, session};
use crate::{files_under, outcome, repo_root, xtask};

/// The cases whose result cargo must build (they use no registry crate, so it can offline):
/// what their spec change does to a person's code is proven by compiling it, not by its text.
const BUILDS: [&str; 3] =
    ["move-reaches-an-excluded-workspace", "move-relative-paths", "rename-keeps-code"];

fn fixtures() -> PathBuf {
    repo_root().join("xtask/tests/fixtures/adopt")
}

/// Every file of a workspace with its bytes, Trellis' bookkeeping and the spec aside.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    files_under(dir)
        .into_iter()
        .filter(|p| !p.starts_with(".trellis/") && p != "Trellis.toml" && !p.starts_with("target/"))
        .map(|p| {
            let text = fs::read_to_string(dir.join(&p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            (p, text)
        })
        .collect()
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    for rel in files_under(from) {
        let dest = to.join(&rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(from.join(&rel), dest).unwrap();
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The files a `plan --format json` says `apply` writes (create, update, merge), sorted.
pub(crate) fn planned_writes(plan: &serde_json::Value) -> Vec<String> {
    let mut listed: Vec<String> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["action"].as_str(), Some("create" | "update" | "merge")))
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    listed
}

/// Whether `new` holds every character of `old`, in order: text was only inserted (a member
/// joining a one-line `members` array inserts into that line, as `cargo new` does).
pub(crate) fn only_insertions(old: &str, new: &str) -> bool {
    let mut chars = new.chars();
    old.chars().all(|c| chars.any(|n| n == c))
}

fn run_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&case.join("in"), &ws);
    let before = tree(&ws);

    let inferred = xtask(&ws, &["infer", "--workspace", "."]);
    if inferred.status.code() != Some(0) {
        return Err(format!("{name}: infer failed: {}", outcome(&inferred).1));
    }
    fs::write(ws.join("Trellis.toml"), &inferred.stdout).unwrap();
    let applied = xtask(&ws, &["apply", "--workspace", "."]);
    if applied.status.code() != Some(0) {
        return Err(format!(
            "{name}: adopting, apply exits {:?}:\n{}{}",
            applied.status.code(),
            stdout(&applied),
            outcome(&applied).1
        ));
    }
    if tree(&ws) != before {
        let changed: Vec<_> = tree(&ws)
            .into_iter()
            .filter(|(p, t)| before.get(p) != Some(t))
            .map(|(p, _)| p)
            .collect();
        return Err(format!("{name}: adopting changed or added {changed:?}\n{}", stdout(&applied)));
    }
    // Trellis' own folder gets the spec's schema, which the inferred spec's first line names.
    let schema = fs::read_to_string(ws.join(trellis_spec::SCHEMA_FILE)).unwrap_or_default();
    if schema != trellis_spec::schema::json() || !inferred.stdout.starts_with(b"#:schema ") {
        return Err(format!("{name}: adopting did not give the spec's schema and its directive"));
    }
    round_trip(&ws).map_err(|e| format!("{name}: {e}"))?;
    if let Ok(spec) = fs::read_to_string(case.join("conflict.toml")) {
        refused(case, &ws, &spec, &before).map_err(|e| format!("{name}: {e}"))?;
    }
    let Ok(spec) = fs::read_to_string(case.join("spec.toml")) else { return Ok(()) };

    fs::write(ws.join("Trellis.toml"), &spec).unwrap();
    let planned = xtask(&ws, &["plan", "--workspace", ".", "--format", "json"]);
    if planned.status.code() != Some(0) {
        return Err(format!(
            "{name}: plan exits {:?}: {}",
            planned.status.code(),
            outcome(&planned).1
        ));
    }
    let plan: serde_json::Value = serde_json::from_slice(&planned.stdout).unwrap();
    let listed = planned_writes(&plan);
    // A folder `plan` moves is the same files under a new path.
    let mut before = before;
    for e in plan["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "move") {
        let (from, to) = e["path"].as_str().unwrap().split_once(" -> ").unwrap();
        let moved: Vec<String> =
            before.keys().filter(|p| p.starts_with(&format!("{from}/"))).cloned().collect();
        for path in moved {
            let text = before.remove(&path).unwrap();
            before.insert(format!("{to}{}", &path[from.len()..]), text);
        }
    }
    let applied = xtask(&ws, &["apply", "--workspace", "."]);
    if applied.status.code() != Some(0) {
        return Err(format!(
            "{name}: apply exits {:?}:\n{}{}",
            applied.status.code(),
            stdout(&applied),
            outcome(&applied).1
        ));
    }
    let after = tree(&ws);
    let written: Vec<String> =
        after.iter().filter(|(p, t)| before.get(*p) != Some(*t)).map(|(p, _)| p.clone()).collect();
    if written != listed {
        return Err(format!("{name}: plan listed {listed:?}, apply wrote {written:?}"));
    }
    // A crate that moves or is renamed changes values in place: the rest only inserts.
    let moves = plan["entries"].as_array().unwrap().iter().any(|e| e["action"] == "move");
    if !moves && !spec.contains("renamed-from") {
        for (path, old) in &before {
            if let Some(new) = after.get(path)
                && !only_insertions(old, new)
            {
                return Err(format!("{name}: {path} had lines changed:\n{new}"));
            }
        }
    }
    let checked = xtask(&ws, &["check", "--workspace", "."]);
    if checked.status.code() != Some(0) {
        return Err(format!(
            "{name}: check exits {:?}:\n{}{}",
            checked.status.code(),
            stdout(&checked),
            outcome(&checked).1
        ));
    }

    if BUILDS.contains(&name.as_str()) {
        for args in [
            &["metadata", "--offline", "--format-version", "1"][..],
            &["check", "--offline", "--workspace", "--all-targets"],
        ] {
            crate::build::cargo(&ws, "adopt", args).map_err(|e| format!("{name}: {e}"))?;
        }
    }

    let out = case.join("out");
    if std::env::var_os("TRELLIS_BLESS").is_some() {
        let _ = fs::remove_dir_all(&out);
        for (path, text) in &after {
            let dest = out.join(path);
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::write(dest, text).unwrap();
        }
    }
    let expected = tree(&out);
    if after != expected {
        let differ: Vec<_> = after
            .keys()
            .chain(expected.keys())
            .filter(|p| after.get(*p) != expected.get(*p))
            .collect();
        return Err(format!("{name}: out/ differs in {differ:?} (TRELLIS_BLESS=1 rewrites it)"));
    }
    Ok(())
}

/// A spec change Trellis cannot make without touching a person's text: `plan` and `apply` exit
/// 1 and name the conflicts `conflict.txt` lists (one `path: note` line each), and nothing
/// changes.
fn refused(
    case: &Path,
    ws: &Path,
    spec: &str,
    before: &BTreeMap<String, String>,
) -> Result<(), String> {
    fs::write(ws.join("Trellis.toml"), spec).unwrap();
    let planned = xtask(ws, &["plan", "--workspace", ".", "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_slice(&planned.stdout)
        .map_err(|e| format!("plan with conflict.toml: {e}: {}", outcome(&planned).1))?;
    let conflicts: String = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "conflict")
        .map(|e| format!("{}: {}\n", e["path"].as_str().unwrap(), e["note"].as_str().unwrap_or("")))
        .collect();
    let expected = case.join("conflict.txt");
    if std::env::var_os("TRELLIS_BLESS").is_some() {
        fs::write(&expected, &conflicts).unwrap();
    }
    let expected = fs::read_to_string(expected).unwrap_or_default();
    if planned.status.code() != Some(1) || conflicts != expected {
        return Err(format!(
            "plan with conflict.toml exits {:?} with conflicts:\n{conflicts}expected:\n{expected}",
            planned.status.code()
        ));
    }
    let applied = xtask(ws, &["apply", "--workspace", "."]);
    if applied.status.code() != Some(1) || tree(ws) != *before {
        return Err(format!(
            "apply with conflict.toml exits {:?}, or wrote:\n{}",
            applied.status.code(),
            stdout(&applied)
        ));
    }
    Ok(())
}

/// The round trip of issue 9 on an adopted workspace: `check` with the inferred spec finds
/// nothing, and `new` from it gives the same members and internal edges (from, to, kind), self
/// edges included.
pub(crate) fn round_trip(ws: &Path) -> Result<(), String> {
    let checked = xtask(ws, &["check", "--workspace", "."]);
    if checked.status.code() != Some(0) {
        return Err(format!(
            "check with the inferred spec exits {:?}:\n{}{}",
            checked.status.code(),
            stdout(&checked),
            outcome(&checked).1
        ));
    }
    let tmp = tempfile::tempdir().unwrap();
    let spec = ws.join("Trellis.toml");
    let made = xtask(tmp.path(), &["new", spec.to_str().unwrap(), "--out", "again"]);
    // A `bin` crate named after one of cargo's build folders is kept, never created: `new`
    // refuses it before writing, as the spec's error S006.
    let text = fs::read_to_string(&spec).unwrap();
    let parsed = trellis_spec::parse(&text, "Trellis.toml").map_err(|_| "the spec is invalid")?;
    if !trellis_spec::created_binaries(&parsed.spec, "Trellis.toml", |_| true).is_empty() {
        let (code, err) = outcome(&made);
        if code != Some(2) || !err.contains("error[S006]") || tmp.path().join("again").exists() {
            return Err(format!("new with a binary cargo refuses exits {code:?}:\n{err}"));
        }
        return Ok(());
    }
    if made.status.code() != Some(0) {
        return Err(format!(
            "new from the inferred spec exits {:?}:\n{}",
            made.status.code(),
            outcome(&made).1
        ));
    }
    // The generated workspace's own xtask aside.
    let own = |(members, edges): (BTreeSet<String>, BTreeSet<(String, String, EdgeKind)>)| {
        let members: BTreeSet<String> = members.into_iter().filter(|m| m != "xtask").collect();
        let edges: BTreeSet<_> = edges.into_iter().filter(|(f, _, _)| f != "xtask").collect();
        (members, edges)
    };
    let theirs = own(crate::property::cargo_edges(ws));
    let ours = own(crate::property::cargo_edges(&tmp.path().join("again")));
    if theirs != ours {
        return Err(format!("new from the inferred spec has another graph:\n{theirs:?}\n{ours:?}"));
    }
    Ok(())
}

#[test]
fn person_written_workspaces_are_adopted_byte_for_byte_and_evolve_by_insertion() {
    let mut cases: Vec<PathBuf> =
        fs::read_dir(fixtures()).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 11, "{cases:?}");
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Whether every byte the person wrote is still there, in order, in each of their files.
fn person_bytes_kept(before: &BTreeMap<String, String>, ws: &Path) {
    for (path, old) in before {
        let now = fs::read_to_string(ws.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(only_insertions(old, &now), "{path} lost text:\n{now}");
    }
}

/// An adopted workspace's life through the binary: adopted with no byte changed, a crate
/// added, an edge added, the new crate renamed, then pruned; after each step `check` passes
/// and the person's text is all there.
#[test]
fn an_adopted_workspace_gains_a_crate_an_edge_a_rename_and_a_prune() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&fixtures().join("members-style/in"), &ws);
    let person = tree(&ws);
    let spec = String::from_utf8(xtask(&ws, &["infer"]).stdout).unwrap();
    fs::write(ws.join("Trellis.toml"), &spec).unwrap();
    let mut runs = vec![cli::xtask(&ws, &["apply"])];
    assert_eq!(tree(&ws), person, "adopting changes nothing");

    // A crate. Each step: apply, check, and apply again (which writes nothing).
    let mut step = |spec: &str| {
        fs::write(ws.join("Trellis.toml"), spec).unwrap();
        runs.push(cli::xtask(&ws, &["apply"]));
        runs.push(cli::xtask(&ws, &["check"]));
        person_bytes_kept(&person, &ws);
        runs.push(cli::xtask(&ws, &["apply"]));
    };
    let added =
        format!("{spec}\n[crates.gamma]\nkind = \"lib\"\nlayer = \"layer-0\"\nuses = [\"itoa\"]\n");
    step(&added);
    assert!(ws.join("crates/gamma/src/lib.rs").is_file());

    // An edge on it.
    let edge = added.replace("depends = [\"alpha\"]", "depends = [\"alpha\", \"gamma\"]");
    assert_ne!(edge, added);
    step(&edge);
    let beta = fs::read_to_string(ws.join("crates/beta/Cargo.toml")).unwrap();
    assert!(beta.contains("gamma = { workspace = true }"), "{beta}");

    // Renamed, and moved with it: the root's entry keeps the key `beta` knows it by.
    let renamed = edge
        .replace("[crates.gamma]\n", "[crates.delta]\nrenamed-from = \"gamma\"\n")
        .replace("\"alpha\", \"gamma\"", "\"alpha\", \"delta\"");
    step(&renamed);
    assert!(!ws.join("crates/gamma").exists() && ws.join("crates/delta/src/lib.rs").is_file());
    let root = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(
        root.contains("\"crates/delta\"")
            && root.contains("gamma = { path = \"crates/delta\", package = \"delta\" }"),
        "{root}"
    );

    // Pruned: what Trellis wrote for it goes, the person's workspace is as it was.
    fs::write(ws.join("Trellis.toml"), &spec).unwrap();
    runs.push(cli::xtask(&ws, &["apply", "--prune"]));
    runs.push(cli::xtask(&ws, &["check"]));
    assert_eq!(tree(&ws), person, "pruning the crate Trellis added restores the person's files");
    insta::assert_snapshot!(session(&runs));
}

#[test]
fn an_adopted_workspace_gets_trellis_workspace_files_only_when_the_spec_asks() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&fixtures().join("apply-feature-union/in"), &ws);
    let spec = String::from_utf8(xtask(&ws, &["infer"]).stdout).unwrap();
    let asked = spec.replacen("[workspace]\n", "[workspace]\nscaffold = true\n", 1);
    assert_ne!(asked, spec);
    fs::write(ws.join("Trellis.toml"), asked).unwrap();
    let apply = cli::xtask(&ws, &["apply"]);
    for file in ["README.md", "ARCHITECTURE.md", "rustfmt.toml", "xtask/src/main.rs"] {
        assert!(ws.join(file).is_file(), "{file}");
    }
    let check = cli::xtask(&ws, &["check"]);
    insta::assert_snapshot!(session([&apply, &check]));
}

/// A rename keeps the dependents' code building as it is, and `apply` names the files that
/// still call the crate by its old name, with how to finish the rename.
#[test]
fn a_rename_lists_the_code_that_still_calls_the_crate_by_its_old_name() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let case = fixtures().join("rename-keeps-code");
    copy_dir(&case.join("in"), &ws);
    let spec = String::from_utf8(xtask(&ws, &["infer"]).stdout).unwrap();
    fs::write(ws.join("Trellis.toml"), &spec).unwrap();
    assert_eq!(xtask(&ws, &["apply"]).status.code(), Some(0));
    fs::write(ws.join("Trellis.toml"), fs::read_to_string(case.join("spec.toml")).unwrap())
        .unwrap();
    let apply = cli::xtask(&ws, &["apply"]);
    let again = cli::xtask(&ws, &["apply"]);
    crate::build::cargo(&ws, "adopt", &["check", "--offline", "--workspace"])
        .unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(session([&apply, &again]));
}

/// A `[patch.crates-io]` entry that leads to a member makes a member that depends on the
/// registry crate depend on the member: `cargo metadata --no-deps` does not show it, cargo's
/// resolve does. `check` and `graph --actual` see that edge (here one up the layers); without
/// a lock file cargo cannot resolve offline without writing one, and `check` says the edge is
/// not checked rather than missing it silently.
#[test]
fn a_patch_that_leads_to_a_member_is_an_edge_check_and_graph_see() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    let write = |rel: &str, text: &str| {
        let path = ws.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n\n[patch.crates-io]\napp = { path = \"crates/app\" }\n",
    );
    let package = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n")
    };
    write("crates/app/Cargo.toml", &package("app"));
    write("crates/app/src/lib.rs", "");
    write(
        "crates/base/Cargo.toml",
        &format!("{}\n[dependencies]\napp = \"0.1\"\n", package("base")),
    );
    write("crates/base/src/lib.rs", "");
    write(
        "Trellis.toml",
        "[workspace]\nname = \"patched\"\n\n[layers]\norder = [\"base\", \"app\"]\n\n[crates.base]\nlayer = \"base\"\n\n[crates.app]\nlayer = \"app\"\n",
    );
    let unlocked = cli::xtask(&ws, &["check"]);
    assert!(!ws.join("Cargo.lock").exists(), "check never writes the lock file");

    // With a lock file, cargo resolves offline: the patched edge is a finding.
    let lock = std::process::Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", String::from_utf8_lossy(&lock.stderr));
    let locked = cli::xtask(&ws, &["check"]);
    assert_eq!(locked.code, Some(1));
    let graph = cli::xtask(&ws, &["graph", "--actual"]);
    insta::assert_snapshot!(session([&unlocked, &locked, &graph]));
}

#[test]
fn a_bin_crate_named_after_a_build_folder_is_kept_but_never_created() {
    // The adopted package `examples` has binaries of other names: kept. A new `bin` crate of
    // such a name would get a binary of that name, which cargo refuses: `plan` and `apply`
    // refuse it before writing (S006, exit 2), as `new` does.
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&fixtures().join("bin-package-named-examples/in"), &ws);
    let inferred = xtask(&ws, &["infer", "--workspace", "."]);
    assert_eq!(inferred.status.code(), Some(0), "{}", outcome(&inferred).1);
    let spec = String::from_utf8(inferred.stdout).unwrap();
    assert!(spec.contains("[crates.examples]\nkind = \"bin\""), "{spec}");
    let spec = format!(
        "{spec}\n[crates.build]\nkind = \"bin\"\npath = \"tools/build\"\nlayer = \"layer-0\"\n"
    );
    fs::write(ws.join("Trellis.toml"), spec).unwrap();
    let before = tree(&ws);
    for command in ["plan", "apply"] {
        let run = xtask(&ws, &[command, "--workspace", "."]);
        let (code, err) = outcome(&run);
        assert_eq!(code, Some(2), "{command}: {err}");
        assert!(err.contains("error[S006]") && err.contains("[crates.build]"), "{err}");
        assert!(err.contains("has 1 error"), "the adopted `examples` is kept: {err}");
        assert_eq!(tree(&ws), before, "{command} wrote");
    }
}
