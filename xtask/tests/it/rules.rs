//! `[[forbid]]` rules on external crates and `[[allow]]` entries that expire, end to end: the
//! spec's own mistakes (exit 2, located), the violations `check` finds in the manifests
//! (directly, and with `--deep` through the resolved graph, offline), and allowances about to
//! expire or expired (`TRELLIS_TODAY` fixes the date).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cli::{self, session};
use crate::{outcome, xtask};

/// `catalog` (domain) uses `some-lib`, which uses `tokio`; `api` (edge) uses `tokio` itself.
/// Both are packages beside the workspace (path dependencies: everything works offline), the
/// one named `tokio` standing in for the real one.
const SPEC: &str = r#"[workspace]
name = "guarded"

[layers]
order = ["domain", "edge"]

[dependencies]
some-lib = { path = "../some-lib" }
tokio = { path = "../tokio" }

[crates.catalog]
layer = "domain"
uses = ["some-lib"]

[crates.api]
kind = "bin"
layer = "edge"
depends = ["catalog"]
uses = ["tokio"]

[[forbid]]
layer = "domain"
uses = ["tokio*", "hyper", "sqlx"]
reason = "the domain stays free of transport and storage"
"#;

fn package(tmp: &Path, name: &str, deps: &str) {
    fs::create_dir_all(tmp.join(name).join("src")).unwrap();
    fs::write(
        tmp.join(name).join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n{deps}"
        ),
    )
    .unwrap();
    fs::write(tmp.join(name).join("src/lib.rs"), format!("//! {name}\n")).unwrap();
}

/// A workspace made from [`SPEC`] beside `tokio` and `some-lib` (which uses `tokio`), with no
/// lock file.
fn workspace(tmp: &Path) -> PathBuf {
    package(tmp, "tokio", "");
    package(tmp, "some-lib", "tokio = { path = \"../tokio\" }\n");
    fs::write(tmp.join("spec.toml"), SPEC).unwrap();
    let output = xtask(tmp, &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
    tmp.join("ws")
}

fn lock(ws: &Path) {
    let lock = Command::new(env!("CARGO"))
        .args(["generate-lockfile", "--offline"])
        .current_dir(ws)
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", String::from_utf8_lossy(&lock.stderr));
}

/// `from` replaced by `to` in a file of the workspace.
fn edit(ws: &Path, path: &str, from: &str, to: &str) {
    let text = fs::read_to_string(ws.join(path)).unwrap();
    assert!(text.contains(from), "{path}: {text}");
    fs::write(ws.join(path), text.replacen(from, to, 1)).unwrap();
}

/// A person gives `catalog` the forbidden crate directly, under another key.
fn use_tokio_renamed(ws: &Path) {
    let manifest = "crates/catalog/Cargo.toml";
    let rt = "rt = { package = \"tokio\", path = \"../../../tokio\" }";
    edit(ws, manifest, "[dependencies]\n", &format!("[dependencies]\n{rt}\n"));
}

#[test]
fn check_reports_a_forbidden_crate_a_manifest_uses_with_the_rule_and_its_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let clean = cli::xtask(&ws, &["check"]);
    assert_eq!(clean.code, Some(0), "{clean}");
    use_tokio_renamed(&ws);
    let found = cli::xtask(&ws, &["check"]);
    assert_eq!(found.code, Some(1), "{found}");
    let json = cli::xtask(&ws, &["check", "--format", "json"]);
    let report = json.json();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"C015"), "{json}");
    insta::assert_snapshot!(session([&clean, &found]));
}

#[test]
fn check_deep_follows_a_rule_through_the_resolved_graph_and_says_when_it_cannot() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // Without a lock file, cargo cannot resolve offline without writing one: said, and the
    // direct dependencies are still checked.
    let _ = fs::remove_file(ws.join("Cargo.lock"));
    let unlocked = cli::xtask(&ws, &["check", "--deep"]);
    assert_eq!(unlocked.code, Some(0), "{unlocked}");
    assert!(!ws.join("Cargo.lock").exists(), "check wrote a lock file");
    lock(&ws);
    let shallow = cli::xtask(&ws, &["check"]);
    assert_eq!(shallow.code, Some(0), "{shallow}");
    let deep = cli::xtask(&ws, &["check", "--deep"]);
    assert_eq!(deep.code, Some(1), "{deep}");
    assert!(deep.stderr.contains("`catalog -> some-lib -> tokio`"), "{deep}");
    // An allowance excuses the path as it excuses a direct dependency.
    let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
    fs::write(
        ws.join("Trellis.toml"),
        format!("{spec}\n[[allow]]\nfrom = \"catalog\"\nto = \"tokio\"\nreason = \"some-lib drops tokio in its next release\"\n"),
    )
    .unwrap();
    let allowed = cli::xtask(&ws, &["check", "--deep"]);
    assert_eq!(allowed.code, Some(0), "{allowed}");
    // Without `--deep`, the path is not seen, but the allowance is not called idle either.
    let allowed_shallow = cli::xtask(&ws, &["check"]);
    assert_eq!(allowed_shallow.code, Some(0), "{allowed_shallow}");
    insta::assert_snapshot!(session([&unlocked, &shallow, &deep, &allowed, &allowed_shallow]));
}

#[test]
fn an_allowance_warns_before_it_expires_and_excuses_nothing_after() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    use_tokio_renamed(&ws);
    let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
    fs::write(
        ws.join("Trellis.toml"),
        format!("{spec}\n[[allow]]\nfrom = \"catalog\"\nto = \"tokio\"\nreason = \"the cache moves to its own crate in #42\"\nuntil = \"2026-06-30\"\n"),
    )
    .unwrap();
    let early = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "2026-05-01")], &["check"]);
    assert_eq!(early.code, Some(0), "{early}");
    assert!(!early.stderr.contains("C016"), "{early}");
    let soon = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "2026-06-10")], &["check"]);
    assert_eq!(soon.code, Some(0), "{soon}");
    let last = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "2026-06-30")], &["check"]);
    assert_eq!(last.code, Some(0), "{last}");
    let expired = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "2026-07-01")], &["check"]);
    assert_eq!(expired.code, Some(1), "{expired}");
    assert!(expired.stderr.contains("expired on 2026-06-30"), "{expired}");
    let not_a_date = cli::xtask_with(&ws, &[("TRELLIS_TODAY", "tomorrow")], &["check", "-q"]);
    assert!(not_a_date.stderr.contains("`TRELLIS_TODAY=tomorrow` is not a date"), "{not_a_date}");
    insta::assert_snapshot!(session([&early, &soon, &last, &expired]));
}

/// Each mistake a rule or an allowance can hold, alone in an otherwise valid spec: refused
/// with exit 2, at its place, nothing else read.
#[test]
fn every_mistake_in_a_rule_or_a_date_is_a_located_spec_error() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let spec = fs::read_to_string(ws.join("Trellis.toml")).unwrap();
    let rule = "[[forbid]]\nlayer = \"domain\"\nuses = [\"tokio*\", \"hyper\", \"sqlx\"]\nreason = \"the domain stays free of transport and storage\"\n";
    assert!(spec.contains(rule), "{spec}");
    let cases: [(&str, String); 12] = [
        ("an unknown layer", rule.replace("layer = \"domain\"", "layer = \"domian\"")),
        ("an unknown crate", rule.replace("layer = \"domain\"", "crate = \"catalogue\"")),
        (
            "a layer and a crate",
            rule.replace("layer = \"domain\"", "layer = \"domain\"\ncrate = \"catalog\""),
        ),
        ("neither a layer nor a crate", rule.replace("layer = \"domain\"\n", "")),
        ("uses and only-uses", rule.replace("uses = [", "only-uses = [\"serde\"]\nuses = [")),
        (
            "neither uses nor only-uses",
            rule.replace("uses = [\"tokio*\", \"hyper\", \"sqlx\"]\n", ""),
        ),
        ("an empty glob", rule.replace("\"hyper\"", "\"\"")),
        ("an invalid glob", rule.replace("\"hyper\"", "\"hyp[er\"")),
        (
            "no reason",
            rule.replace("reason = \"the domain stays free of transport and storage\"\n", ""),
        ),
        ("a blank reason", rule.replace("the domain stays free of transport and storage", "  ")),
        ("a spec whose own uses breaks the rule", rule.replace("\"tokio*\"", "\"some-*\"")),
        (
            "a malformed date",
            format!(
                "{rule}\n[[allow]]\nfrom = \"api\"\nto = \"catalog\"\nreason = \"r\"\nuntil = \"2026-02-30\"\n"
            ),
        ),
    ];
    let mut runs = Vec::new();
    for (what, replacement) in cases {
        fs::write(ws.join("Trellis.toml"), spec.replace(rule, &replacement)).unwrap();
        let run = cli::xtask(&ws, &["check"]);
        assert_eq!(run.code, Some(2), "{what}: {run}");
        runs.push(run);
    }
    insta::assert_snapshot!(session(&runs));
}
