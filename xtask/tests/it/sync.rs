//! `plan` and `apply` end to end: what they print, what they write, and their exit codes.

use std::fs;
use std::path::Path;

use crate::cli::{self, session};
use crate::{files_under, outcome, xtask};

const SPEC: &str = r#"[workspace]
name = "synced"
summary = "Before"

[crates.base]
summary = "The base"

[crates.app]
kind = "bin"
depends = ["base"]
"#;

fn new_workspace(dir: &Path) {
    fs::write(dir.join("spec.toml"), SPEC).unwrap();
    let output = xtask(dir, &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
}

#[test]
fn plan_of_a_folder_that_does_not_exist_creates_everything_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    let plan = cli::xtask(tmp.path(), &["plan", "--spec", "spec.toml", "--root", "ws"]);
    assert!(!tmp.path().join("ws").exists());
    insta::assert_snapshot!(plan);
}

#[test]
fn apply_after_new_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let before = files_under(&tmp.path().join("ws"));
    let apply = cli::xtask(&tmp.path().join("ws"), &["apply"]);
    assert_eq!(files_under(&tmp.path().join("ws")), before);
    insta::assert_snapshot!(apply);
}

#[test]
fn a_conflict_exits_1_and_can_be_seen_and_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let ws = tmp.path().join("ws");
    let lib = ws.join("crates/base/src/lib.rs");
    // The person rewords the line the spec change rewords too, and adds code.
    let generated = fs::read_to_string(&lib).unwrap();
    assert!(generated.contains("//! The base\n"), "{generated}");
    let mine = format!(
        "{}\npub fn mine() {{}}\n",
        generated.replace("//! The base\n", "//! The base, mine\n")
    );
    fs::write(&lib, &mine).unwrap();
    fs::write(ws.join("Trellis.toml"), SPEC.replace("The base", "The base, reworded")).unwrap();

    let plan = cli::xtask(&ws, &["plan", "--diff"]);

    // By default the file stays as it is; the rest is applied.
    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    let manifest = fs::read_to_string(ws.join("crates/base/Cargo.toml")).unwrap();
    assert!(manifest.contains("The base, reworded"), "the rest was applied: {manifest}");

    // `--write-conflicts` puts the conflict markers into the file.
    let write_conflicts = cli::xtask(&ws, &["apply", "--write-conflicts"]);
    let marked = fs::read_to_string(&lib).unwrap();
    assert!(
        marked.contains("<<<<<<<")
            && marked.contains("The base, reworded")
            && marked.contains("pub fn mine"),
        "{marked}"
    );

    // Resolved by hand, the file is the person's: nothing more to do, no conflict.
    fs::write(&lib, &mine).unwrap();
    let resolved = cli::xtask(&ws, &["plan", "--format", "json"]);
    assert_eq!(resolved.code, Some(0), "{resolved}");
    let json = resolved.json();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["conflicts"], 0);
    assert_eq!(json["summary"]["conflict"], 0);
    let entry = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "crates/base/src/lib.rs")
        .unwrap();
    assert_eq!(entry["action"], "unchanged");
    assert_eq!(entry["ownership"], "seeded");
    assert_eq!(fs::read_to_string(&lib).unwrap(), mine);
    insta::assert_snapshot!(session([&plan, &apply, &write_conflicts]));
}

#[test]
fn an_edited_crate_root_takes_a_new_module_and_a_rewording_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let ws = tmp.path().join("ws");
    let lib = ws.join("crates/base/src/lib.rs");
    let mine =
        format!("{}\npub fn mine() -> u32 {{\n    42\n}}\n", fs::read_to_string(&lib).unwrap());
    fs::write(&lib, &mine).unwrap();
    let changed = SPEC.replace("The base", "The base, reworded").replace(
        "summary = \"The base, reworded\"\n",
        "summary = \"The base, reworded\"\nmodules = [\"money\"]\n",
    );
    assert!(changed.contains("modules"), "{changed}");
    fs::write(ws.join("Trellis.toml"), changed).unwrap();
    let apply = cli::xtask(&ws, &["apply"]);
    let merged = fs::read_to_string(&lib).unwrap();
    assert!(
        merged.contains("The base, reworded")
            && merged.contains("mod money;")
            && merged.contains("pub fn mine() -> u32"),
        "{merged}"
    );
    assert!(ws.join("crates/base/src/money.rs").is_file());
    let check = cli::xtask(&ws, &["check"]);
    insta::assert_snapshot!(session([&apply, &check]));
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let ws = tmp.path().join("ws");

    // No spec where one is expected.
    let no_spec = cli::xtask(tmp.path(), &["plan"]);

    // A bad spec.
    fs::write(
        ws.join("Trellis.toml"),
        SPEC.replace("depends = [\"base\"]", "depends = [\"nobody\"]"),
    )
    .unwrap();
    let before = files_under(&ws);
    let bad_spec = cli::xtask(&ws, &["apply"]);
    assert_eq!(files_under(&ws), before);
    fs::write(ws.join("Trellis.toml"), SPEC).unwrap();

    // A corrupt ledger.
    fs::write(ws.join(".trellis/ledger.toml"), "format = \"one\"\n").unwrap();
    let corrupt_ledger = cli::xtask(&ws, &["apply"]);
    assert_eq!(fs::read_to_string(ws.join(".trellis/ledger.toml")).unwrap(), "format = \"one\"\n");

    // Apply on a folder that does not exist.
    let nowhere = cli::xtask(tmp.path(), &["apply", "--root", "nowhere", "--spec", "spec.toml"]);
    assert!(!tmp.path().join("nowhere").exists());
    insta::assert_snapshot!(session([&no_spec, &bad_spec, &corrupt_ledger, &nowhere]));
}

/// Every file under `dir` with its bytes.
fn contents_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(dir)
        .into_iter()
        .filter(|f| f != ".trellis/apply.lock")
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn an_apply_whose_root_manifest_cargo_cannot_load_holds_back_that_change_alone() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let ws = tmp.path().join("ws");
    // A template override that renders valid TOML which cargo refuses: the render and the
    // merge accept it, only cargo sees the problem, before anything is written.
    let templates = tmp.path().join("templates/workspace");
    fs::create_dir_all(&templates).unwrap();
    let root_template =
        fs::read_to_string(crate::repo_root().join("templates/workspace/Cargo.toml.hbs")).unwrap();
    fs::write(
        templates.join("Cargo.toml.hbs"),
        format!("{root_template}\n[profile.dev]\nopt-level = \"fastest\"\n"),
    )
    .unwrap();
    // And a spec change, which cargo accepts without the root manifest's change.
    fs::write(ws.join("Trellis.toml"), SPEC.replace("The base", "The base, reworded")).unwrap();
    let root = fs::read(ws.join("Cargo.toml")).unwrap();

    let refused = cli::xtask(&ws, &["apply", "--templates", "../templates"]);
    assert_eq!(fs::read(ws.join("Cargo.toml")).unwrap(), root, "held back");
    let base = fs::read_to_string(ws.join("crates/base/Cargo.toml")).unwrap();
    assert!(base.contains("The base, reworded"), "the rest was applied: {base}");

    // Without the override, there is nothing left to do.
    let apply = cli::xtask(&ws, &["apply"]);
    assert!(!ws.join(".trellis/journal.toml").exists());
    insta::assert_snapshot!(session([&refused, &apply]));
}

/// The journal a run from `before` to `after` writes, as `apply` writes it (docs/sync.md).
fn journal_between(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) -> String {
    use sha2::Digest;
    let quote = |bytes: &[u8]| serde_json::to_string(std::str::from_utf8(bytes).unwrap()).unwrap();
    let old: std::collections::BTreeMap<_, _> = before.iter().cloned().collect();
    let mut out = String::from("format = 2\n");
    if let Some(ledger) = old.get(".trellis/ledger.toml") {
        out.push_str(&format!("ledger-before = {}\n", quote(ledger)));
    }
    for (path, bytes) in after {
        if path == ".trellis/ledger.toml" || old.get(path) == Some(bytes) {
            continue;
        }
        let hash: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        out.push_str(&format!(
            "\n[[changes]]\nkind = \"write\"\npath = {path:?}\nafter = \"{hash}\"\n"
        ));
        if let Some(was) = old.get(path) {
            out.push_str(&format!("before = {}\n", quote(was)));
        }
    }
    // The folders the run creates: those above a new file that held no file before.
    let mut folders = std::collections::BTreeSet::new();
    for (path, _) in after {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            let folder = &path[..at + i];
            if !old.keys().any(|p| p.starts_with(&format!("{folder}/"))) {
                folders.insert(folder.to_owned());
            }
            at += i + 1;
        }
    }
    for folder in folders {
        out.push_str(&format!("\n[[changes]]\nkind = \"folder\"\npath = {folder:?}\n"));
    }
    out
}

/// The user's report: a run killed part-way leaves a root manifest that lists a crate whose
/// manifest was never written, so cargo cannot load the workspace; the spec is reverted. `plan`
/// warns; `apply` rolls the killed run back, so cargo loads the workspace again and the tree is
/// exactly as it was before the killed run.
#[test]
fn a_killed_run_is_rolled_back_even_after_the_spec_is_reverted() {
    let tmp = tempfile::tempdir().unwrap();
    new_workspace(tmp.path());
    let ws = tmp.path().join("ws");
    let before = contents_under(&ws);

    // A complete run that adds a crate, to learn what the killed one would have written.
    let grown = format!("{SPEC}\n[crates.extra]\nsummary = \"Added\"\ndepends = [\"base\"]\n");
    fs::write(ws.join("Trellis.toml"), &grown).unwrap();
    let output = xtask(&ws, &["apply"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
    let mut after = contents_under(&ws);
    after.retain(|(p, _)| p != "Trellis.toml");
    let journal = journal_between(&before, &after);

    // Killed after the root manifest, as the new crate's first folder was made: cargo cannot
    // load a workspace whose `crates/*` names an empty folder.
    fs::remove_dir_all(ws.join("crates/extra")).unwrap();
    fs::create_dir_all(ws.join("crates/extra/src")).unwrap();
    fs::write(ws.join(".trellis/journal.toml"), journal).unwrap();
    fs::write(
        ws.join(".trellis/ledger.toml"),
        &before.iter().find(|(p, _)| p == ".trellis/ledger.toml").unwrap().1,
    )
    .unwrap();
    // A write killed halfway (of the root manifest) leaves its temporary file beside it.
    fs::write(ws.join(".trellis-q1W2e3.tmp"), "half").unwrap();
    let broken = cli::xtask(&ws, &["check"]);

    // The spec reverted.
    let spec = &before.iter().find(|(p, _)| p == "Trellis.toml").unwrap().1;
    fs::write(ws.join("Trellis.toml"), spec).unwrap();
    let plan = cli::xtask(&ws, &["plan"]);
    let json = cli::xtask(&ws, &["plan", "--format", "json"]).json();
    assert_eq!(json["unfinished_apply"], true, "{json}");

    let recovered = cli::xtask(&ws, &["apply"]);
    assert_eq!(contents_under(&ws), before, "exactly as before the killed run");
    assert!(!ws.join("crates/extra").exists(), "the killed run's folders are gone");
    let check = cli::xtask(&ws, &["check"]);
    let again = cli::xtask(&ws, &["apply"]);
    insta::assert_snapshot!(session([&broken, &plan, &recovered, &check, &again]));
}

/// A spec change that removes what a person's `[features]` names (a feature of another crate,
/// a dependency) is a conflict naming the person's key, never a dangling reference: `apply`
/// exits 1, writes nothing, and cargo loads the workspace as it was.
#[test]
fn removing_what_a_persons_feature_names_is_a_conflict_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let spec =
        SPEC.replace("summary = \"The base\"\n", "summary = \"The base\"\nfeatures = [\"fast\"]\n");
    fs::write(tmp.path().join("spec.toml"), &spec).unwrap();
    let output = xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(output.status.code(), Some(0), "{}", outcome(&output).1);
    let ws = tmp.path().join("ws");
    let app = ws.join("crates/app/Cargo.toml");
    let mut manifest = fs::read_to_string(&app).unwrap();
    manifest.push_str("\n[features]\nquick = [\"base/fast\"]\n");
    fs::write(&app, &manifest).unwrap();
    let metadata = || {
        crate::build::cargo(&ws, "sync", &["metadata", "--offline", "--format-version", "1"])
            .unwrap_or_else(|e| panic!("{e}"));
    };
    metadata();
    let before = contents_under(&ws);

    // The feature goes from the spec; then the edge.
    fs::write(ws.join("Trellis.toml"), SPEC).unwrap();
    let feature = cli::xtask(&ws, &["apply"]);
    fs::write(ws.join("Trellis.toml"), SPEC.replace("depends = [\"base\"]\n", "")).unwrap();
    let edge = cli::xtask(&ws, &["apply"]);
    let mut after = contents_under(&ws);
    after.retain(|(p, _)| p != "Trellis.toml");
    let mut kept = before.clone();
    kept.retain(|(p, _)| p != "Trellis.toml");
    assert!(after == kept, "nothing was written");
    metadata();
    insta::assert_snapshot!(session([&feature, &edge]));
}

/// A workspace an older Trellis made (ledger format 1, with the spec's and the seeded files'
/// texts inside; `xtask/tests/fixtures/ledger-v1`, made by the build before format 2) is read
/// and upgraded: Trellis still knows its own files from a person's, updates the ones the spec
/// changes, keeps the person's edit, and writes format 2.
#[test]
fn a_format_1_ledger_is_read_and_upgraded() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    crate::adopt::copy_dir(&crate::repo_root().join("xtask/tests/fixtures/ledger-v1/ws"), &ws);
    let ids = ws.join("crates/base/src/ids.rs");
    let mine = format!("{}\npub fn mine() {{}}\n", fs::read_to_string(&ids).unwrap());
    fs::write(&ids, &mine).unwrap();
    let spec = ws.join("Trellis.toml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replace("summary = \"The base\"", "summary = \"The base, reworded\""))
        .unwrap();

    let apply = cli::xtask(&ws, &["apply"]);
    assert_eq!(apply.code, Some(0), "{apply}");
    let ledger = fs::read_to_string(ws.join(".trellis/ledger.toml")).unwrap();
    assert!(ledger.contains("format = 2\nrecords = ["), "{ledger}");
    let lib = fs::read_to_string(ws.join("crates/base/src/lib.rs")).unwrap();
    assert!(lib.contains("The base, reworded"), "Trellis' own file follows the spec:\n{lib}");
    assert_eq!(fs::read_to_string(&ids).unwrap(), mine, "the person's edit stays");
    let again = cli::xtask(&ws, &["apply"]);
    assert!(again.to_string().contains("; 0 written"), "{again}");
    let check = cli::xtask(&ws, &["check"]);
    assert_eq!(check.code, Some(0), "{check}");
}
