//! A team's day in a real git repository: two branches that each change the spec and
//! `apply`, merged. Nothing under `.trellis/` conflicts (the ledger is one record a line,
//! merged by git's `union` driver), `apply` on the merge converges on the tree that applying
//! the merged spec gives from either side, and `check` passes. A branch that changes the same
//! spec line as another gives a conflict in `Trellis.toml` whose message says what to do.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::cli;

/// `git ARGS` in `dir`, with a fixed author and no user configuration; its stdout.
fn git(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = crate::git_command(dir).args(args).output().expect("git runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let (ok, text) = git(dir, args);
    assert!(ok, "git {args:?} failed:\n{text}");
    text
}

/// Every file git tracks in `dir`, with its text: the tree a commit would hold.
fn tracked(dir: &Path) -> BTreeMap<String, String> {
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["ls-files"])
        .lines()
        .map(|p| (p.to_owned(), fs::read_to_string(dir.join(p)).unwrap_or_default()))
        .collect()
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(text)).unwrap();
}

const SPEC: &str = r#"[workspace]
name = "shop"
summary = "A shop"

[crates.basis]
summary = "The basis"
requirements = [{ id = "BASIS-1", text = "Ids are unique." }]

[crates.middle]
summary = "The middle"
depends = ["basis"]

[crates.web]
kind = "bin"
summary = "The web front"
depends = ["middle"]
"#;

fn applied(ws: &Path, message: &str) {
    let run = cli::xtask(ws, &["apply"]);
    assert_eq!(run.code, Some(0), "{run}");
    git_ok(ws, &["add", "-A"]);
    git_ok(ws, &["commit", "-qm", message]);
}

#[test]
fn two_branches_that_change_the_spec_merge_without_a_conflict_in_trellis_bookkeeping() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = tmp.path().join("ws");
    git_ok(&ws, &["init", "-q"]);
    git_ok(&ws, &["add", "-A"]);
    git_ok(&ws, &["commit", "-qm", "base"]);
    assert!(!git_ok(&ws, &["ls-files"]).contains("applied.toml"), "the local copy is ignored");
    let spec = ws.join("Trellis.toml");

    // Left adds a crate near the top of the spec, with an edge.
    git_ok(&ws, &["checkout", "-qb", "left"]);
    edit(&spec, |s| {
        s.replacen(
            "[crates.basis]",
            "[crates.audit]\nsummary = \"The audit trail\"\ndepends = [\"basis\"]\n\n[crates.basis]",
            1,
        )
    });
    applied(&ws, "left: audit");

    // Right adds one at the end and rewords a requirement.
    git_ok(&ws, &["checkout", "-q", "main"]);
    git_ok(&ws, &["checkout", "-qb", "right"]);
    edit(&spec, |s| {
        s.replace("Ids are unique.", "Ids are unique and stable.")
            + "\n[crates.zeta]\nsummary = \"The last one\"\ndepends = [\"middle\"]\n"
    });
    applied(&ws, "right: zeta");

    let (_, merge) = git(&ws, &["merge", "-q", "--no-edit", "left"]);
    let conflicted = git_ok(&ws, &["diff", "--name-only", "--diff-filter=U"]);
    assert!(!conflicted.contains(".trellis/"), "{merge}\n{conflicted}");
    assert!(!conflicted.contains("Trellis.toml"), "{merge}\n{conflicted}");
    // A generated file both branches changed may conflict: `plan` names it and the way out.
    if !conflicted.trim().is_empty() {
        let plan = cli::xtask(&ws, &["plan"]);
        for file in conflicted.lines() {
            assert!(plan.stdout.contains(file), "{plan}");
        }
        assert!(plan.stdout.contains("git checkout --ours"), "{plan}");
        for file in conflicted.lines() {
            git_ok(&ws, &["checkout", "--ours", "--", file]);
        }
    }
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    let again = cli::xtask(&ws, &["apply"]);
    assert!(again.to_string().contains("; 0 written"), "{again}");
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!(check.code, Some(0), "{check}");
    git_ok(&ws, &["commit", "-qam", "merged"]);
    let merged = tracked(&ws);
    let merged_spec = fs::read_to_string(&spec).unwrap();

    // Applying the merged spec on either side, from a fresh clone (no local copy of the
    // ledger: it is read back through version control), gives the same tree.
    for side in ["left", "right"] {
        let clone = tmp.path().join(format!("from-{side}"));
        git_ok(tmp.path(), &["clone", "-q", "-b", side, "ws", clone.to_str().unwrap()]);
        fs::write(clone.join("Trellis.toml"), &merged_spec).unwrap();
        let apply = cli::xtask(&clone, &["apply"]);
        assert_eq!(apply.code, Some(0), "{side}: {apply}");
        let mut tree = tracked(&clone);
        let mut want = merged.clone();
        // The ledger records which branches it came through; its facts are the same.
        for t in [&mut tree, &mut want] {
            t.remove(".trellis/ledger.toml");
        }
        assert_eq!(tree, want, "{side}");
    }

    // A third branch rewords the same requirement: git conflicts in the spec, and every
    // command says how to get out.
    git_ok(&ws, &["checkout", "-q", "main"]);
    git_ok(&ws, &["checkout", "-qb", "third"]);
    edit(&spec, |s| s.replace("Ids are unique.", "Ids never repeat."));
    applied(&ws, "third");
    git_ok(&ws, &["checkout", "-q", "right"]);
    let (ok, _) = git(&ws, &["merge", "-q", "--no-edit", "third"]);
    assert!(!ok);
    let conflicted = git_ok(&ws, &["diff", "--name-only", "--diff-filter=U"]);
    assert!(
        conflicted.contains("Trellis.toml") && !conflicted.contains(".trellis/"),
        "{conflicted}"
    );
    for args in [&["plan"][..], &["apply"], &["check"]] {
        let run = cli::xtask(&ws, args);
        assert_eq!(run.code, Some(2), "{run}");
        assert!(run.stderr.contains("merge conflict"), "{run}");
        assert!(run.stderr.contains("resolve"), "{run}");
    }
}

/// A branch adds a crate and makes an existing one depend on it; the other branch adds
/// another whose root lines meet its. The merge brings the dependent's manifest (`pay.workspace = true`) from one side
/// and, once its conflict is taken from this side, the root from the other, without `pay`'s
/// entry: `apply` puts the entry back (cargo does not have it), and cargo loads the result.
#[test]
fn a_root_entry_a_merged_member_inherits_is_put_back_by_apply() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = tmp.path().join("ws");
    // The person's line in the root: Trellis merges the root from now on, never replaces it.
    edit(&ws.join("Cargo.toml"), |s| format!("# The shop's workspace.\n{s}"));
    git_ok(&ws, &["init", "-q"]);
    git_ok(&ws, &["add", "-A"]);
    git_ok(&ws, &["commit", "-qm", "base"]);
    let spec = ws.join("Trellis.toml");

    git_ok(&ws, &["checkout", "-qb", "left"]);
    edit(&spec, |s| {
        s.replace("depends = [\"basis\"]", "depends = [\"basis\", \"pay\"]")
            + "\n[crates.pay]\nsummary = \"Payments\"\n"
    });
    applied(&ws, "left: pay");
    git_ok(&ws, &["checkout", "-q", "main"]);
    git_ok(&ws, &["checkout", "-qb", "right"]);
    edit(&spec, |s| s.replacen("[crates.basis]", "[crates.paper]\n\n[crates.basis]", 1));
    applied(&ws, "right: paper");

    let _ = git(&ws, &["merge", "-q", "--no-edit", "left"]);
    let conflicted = git_ok(&ws, &["diff", "--name-only", "--diff-filter=U"]);
    // The root's lines for `paper` and `pay` meet: git cannot merge them.
    assert!(conflicted.contains("Cargo.toml"), "{conflicted}");
    assert!(!conflicted.contains("Trellis.toml"), "{conflicted}");
    for file in conflicted.lines() {
        git_ok(&ws, &["checkout", "--ours", "--", file]);
    }
    let middle = fs::read_to_string(ws.join("crates/middle/Cargo.toml")).unwrap();
    assert!(middle.contains("pay.workspace = true"), "{middle}");
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    let root = fs::read_to_string(ws.join("Cargo.toml")).unwrap();
    assert!(root.contains("pay = { path = \"crates/pay\" }"), "{root}");
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!(check.code, Some(0), "{check}");
}
