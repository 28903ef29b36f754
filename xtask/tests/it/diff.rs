//! `diff --base REV`: a workspace in a real git repository, a change on top of a commit, and
//! what `diff` says of it in each format; and the bad inputs: no repository, a revision that
//! names nothing, a base whose spec is missing or broken.

use std::fs;
use std::path::Path;

use crate::cli::{self, session};

/// `git ARGS` in `dir` with a fixed author and dates, so commit hashes are the same each run.
fn git(dir: &Path, args: &[&str]) {
    let output = crate::git_command(dir)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .args(args)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

const BASE: &str = r#"[workspace]
name = "shop"

[layers]
order = ["core", "app"]

[crates.money]
layer = "core"
requirements = [{ id = "M-1", text = "Amounts in minor units" }, { id = "M-2", text = "Rounding is banker's" }]

[crates.books]
layer = "core"
depends = ["money"]

[crates.web]
layer = "app"
kind = "bin"
depends = ["books", "money"]
"#;

/// A workspace applied from `spec` and committed: the base.
fn committed(dir: &Path, spec: &str) -> std::path::PathBuf {
    let ws = dir.join("ws");
    fs::create_dir_all(&ws).unwrap();
    git(&ws, &["init", "-q"]);
    fs::write(ws.join("Trellis.toml"), spec).unwrap();
    let apply = cli::xtask(&ws, &["apply", "-q"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    git(&ws, &["add", "-A"]);
    git(&ws, &["commit", "-q", "-m", "base"]);
    ws
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The change: a crate added, one moved to another layer, an edge dropped, a requirement
/// reworded and one removed, applied; then an edge cargo sees that the spec does not declare.
fn change(ws: &Path) {
    let spec = ws.join("Trellis.toml");
    edit(&spec, "depends = [\"books\", \"money\"]", "depends = [\"books\"]");
    edit(
        &spec,
        "Amounts in minor units\" }, { id = \"M-2\", text = \"Rounding is banker's\" }",
        "Amounts in minor units, never floats\" }",
    );
    edit(&spec, "[crates.books]\nlayer = \"core\"", "[crates.books]\nlayer = \"app\"");
    let mut text = fs::read_to_string(&spec).unwrap();
    text.push_str("\n[crates.api]\nlayer = \"app\"\nkind = \"bin\"\ndepends = [\"books\"]\n");
    fs::write(&spec, text).unwrap();
    let apply = cli::xtask(ws, &["apply", "-q"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    edit(
        &ws.join("crates/api/Cargo.toml"),
        "[dependencies]\n",
        "[dependencies]\nmoney.workspace = true\n",
    );
}

#[test]
fn diff_says_what_the_change_does_in_each_format() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = committed(tmp.path(), BASE);
    let unchanged = cli::xtask(&ws, &["diff", "--base", "HEAD"]);
    assert_eq!(unchanged.code, Some(0), "{unchanged}");
    change(&ws);
    let status_before = fs::read(ws.join(".git/index")).unwrap();
    let human = cli::xtask(&ws, &["diff", "--base", "HEAD"]);
    let markdown = cli::xtask(&ws, &["diff", "--base", "HEAD", "--format", "markdown"]);
    let json = cli::xtask(&ws, &["diff", "--base", "HEAD", "--format", "json"]);
    // The base commit's hash changes with whatever Trellis generates: shown as [COMMIT].
    let hash = regex::Regex::new(r"\b[0-9a-f]{7,40}\b").unwrap();
    let text = session([&unchanged, &human, &markdown, &json]);
    insta::assert_snapshot!(hash.replace_all(&text, "[COMMIT]"));
    // Read through git alone: the index and the working tree are as they were.
    assert_eq!(fs::read(ws.join(".git/index")).unwrap(), status_before);
    assert_eq!(json.json()["schema_version"], trellis::JSON_SCHEMA_VERSION);
    assert_eq!(json.json()["findings"]["introduced"][0]["code"], "C005");
}

#[test]
fn a_base_without_a_spec_or_with_a_broken_one_is_judged_as_no_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = committed(tmp.path(), BASE);
    // A commit whose spec does not parse, then one with no spec at all.
    fs::write(ws.join("Trellis.toml"), "[workspace\nname = \"shop\"\n").unwrap();
    git(&ws, &["commit", "-q", "-a", "-m", "broken"]);
    git(&ws, &["rm", "-q", "Trellis.toml"]);
    git(&ws, &["commit", "-q", "-m", "no spec"]);
    fs::write(ws.join("Trellis.toml"), BASE).unwrap();
    let broken = cli::xtask(&ws, &["diff", "--base", "HEAD~1"]);
    let missing = cli::xtask(&ws, &["diff", "--base", "HEAD", "--format", "json"]);
    assert_eq!((broken.code, missing.code), (Some(0), Some(0)), "{broken}\n{missing}");
    assert!(broken.stdout.contains("the base's spec has errors"), "{broken}");
    assert!(broken.stdout.contains("crate added: money"), "{broken}");
    assert_eq!(missing.json()["base_spec"]["status"], "missing");
    assert_eq!(missing.json()["crates"].as_array().unwrap().len(), 3);
}

#[test]
fn bad_bases_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    // Outside any git repository.
    let plain = tmp.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    fs::write(plain.join("Trellis.toml"), BASE).unwrap();
    let no_repo = cli::xtask(&plain, &["diff", "--base", "main"]);
    let ws = committed(tmp.path(), BASE);
    let unknown = cli::xtask(&ws, &["diff", "--base", "no-such-branch"]);
    let option = cli::xtask(&ws, &["diff", "--base=--output=x"]);
    let format = cli::xtask(&ws, &["diff", "--base", "HEAD", "--format", "sarif"]);
    for run in [&no_repo, &unknown, &option, &format] {
        assert_eq!(run.code, Some(2), "{run}");
    }
    assert!(!ws.join("x").exists());
    insta::assert_snapshot!(session([&no_repo, &unknown, &option, &format]));
}

/// `check --base`: old findings are said as existing and pass; only what the change introduced
/// fails, in every format.
#[test]
fn check_against_a_base_fails_only_on_what_the_change_introduced() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = format!("{BASE}\n[crates.extra]\nlayer = \"app\"\n");
    let ws = committed(tmp.path(), &spec);
    // An old violation, committed: `extra` uses `money`, which the spec does not declare.
    let extra = ws.join("crates/extra/Cargo.toml");
    edit(&extra, "[lints]", "[dependencies]\nmoney.workspace = true\n\n[lints]");
    git(&ws, &["commit", "-q", "-a", "-m", "old violation"]);
    let old_only = cli::xtask(&ws, &["check", "--base", "HEAD"]);
    assert_eq!(old_only.code, Some(0), "{old_only}");
    let plain = cli::xtask(&ws, &["check"]);
    assert_eq!(plain.code, Some(1), "without --base the old finding fails: {plain}");
    // A new one on top.
    edit(&extra, "money.workspace = true\n", "money.workspace = true\nbooks.workspace = true\n");
    let new = cli::xtask(&ws, &["check", "--base", "HEAD"]);
    let json = cli::xtask(&ws, &["check", "--base", "HEAD", "--format", "json"]);
    assert_eq!((new.code, json.code), (Some(1), Some(1)), "{new}\n{json}");
    let findings = json.json()["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 1, "{json}");
    assert!(findings[0]["message"].as_str().unwrap().contains("`books`"), "{json}");
    let hash = regex::Regex::new(r"\b[0-9a-f]{7,40}\b").unwrap();
    let text = session([&old_only, &new]);
    insta::assert_snapshot!(hash.replace_all(&text, "[COMMIT]"));
}
