//! A workspace's life after `new`: a person edits the seeded files, the spec changes, and one
//! `apply` merges both, three ways, without a conflict or a lost line (issue 11).

use std::fs;
use std::path::Path;

use crate::build::cargo_steps;
use crate::cli::{self, session};
use crate::{outcome, xtask};

const SPEC: &str = r#"[workspace]
name = "living"
summary = "A living workspace"

[crates.base]
summary = "The base"
requirements = [
  { id = "BASE-1", text = "Amounts are never negative" },
  { id = "BASE-2", text = "Ids are unique" },
]

[crates.app]
kind = "bin"
depends = ["base"]
"#;

/// The spec after the change: a module and a crate more, BASE-2 reworded.
const CHANGED: &str = r#"[workspace]
name = "living"
summary = "A living workspace"

[crates.base]
summary = "The base"
modules = ["money"]
requirements = [
  { id = "BASE-1", text = "Amounts are never negative" },
  { id = "BASE-2", text = "Ids are unique across tenants" },
]

[crates.books]
summary = "Double-entry books"
depends = ["base"]

[crates.app]
kind = "bin"
depends = ["base", "books"]
"#;

const MY_CODE: &str = "
/// The size of an amount, whatever its sign.
pub fn amount(x: i64) -> u64 {
    x.unsigned_abs()
}
";

const MY_NOTES: &str = "\n## Our notes\n\nWe ship footballs and pink salt.\n";

const MY_TEST: &str = "//! BASE-1: amounts are never negative.

/// Amounts are never negative
#[test]
fn base_1() {
    assert_eq!(base::amount(-3), 3);
}
";

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn append(path: &Path, text: &str) {
    let mut all = read(path);
    all.push_str(text);
    fs::write(path, all).unwrap();
}

/// Runs the binary, requiring `code`; returns stdout. For steps that set a test up.
fn run(dir: &Path, args: &[&str], code: i32) -> String {
    let output = xtask(dir, args);
    let (got, stderr) = outcome(&output);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(got, Some(code), "`{}`:\n{stdout}\n{stderr}", args.join(" "));
    stdout
}

#[test]
fn a_persons_edits_and_a_spec_change_merge_in_one_apply_and_the_workspace_builds() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    let (lib, readme) = (ws.join("crates/base/src/lib.rs"), ws.join("README.md"));
    let tests = ws.join("crates/base/tests/requirements");

    // The person writes code, a section of the README and BASE-1's test.
    append(&lib, MY_CODE);
    append(&readme, MY_NOTES);
    fs::write(tests.join("base_1.rs"), MY_TEST).unwrap();

    // The spec changes; `plan --diff` shows the merged files, and one `apply` writes them.
    fs::write(ws.join("Trellis.toml"), CHANGED).unwrap();
    let plan = cli::xtask(&ws, &["plan", "--diff"]);
    let apply = cli::xtask(&ws, &["apply"]);

    let lib_now = read(&lib);
    assert!(lib_now.ends_with(MY_CODE), "the person's code stays last:\n{lib_now}");
    assert!(lib_now.contains("mod money;"), "{lib_now}");
    assert!(lib_now.contains("Ids are unique across tenants"), "{lib_now}");
    assert!(ws.join("crates/base/src/money.rs").is_file());
    let readme_now = read(&readme);
    assert!(readme_now.contains(MY_NOTES) && readme_now.contains("books"), "{readme_now}");
    assert_eq!(read(&tests.join("base_1.rs")), MY_TEST, "the person's test is theirs");
    assert!(read(&tests.join("base_2.rs")).contains("/// Ids are unique across tenants"));
    assert!(ws.join("crates/books/src/lib.rs").is_file());

    // Nothing left to do, nothing drifted, and everything builds, lints and runs: the
    // person's test too.
    let settled = cli::xtask(&ws, &["plan"]);
    let check = cli::xtask(&ws, &["check"]);
    let tested = cargo_steps(&ws, "living");
    assert!(tested.contains("test base_1::base_1 ... ok"), "{tested}");

    // BASE-1 leaves the spec: its real test stays compiled and run, and `trace` calls the id
    // stray until the person decides.
    fs::write(
        ws.join("Trellis.toml"),
        CHANGED.replace("  { id = \"BASE-1\", text = \"Amounts are never negative\" },\n", ""),
    )
    .unwrap();
    let dropped = cli::xtask(&ws, &["apply"]);
    assert_eq!(read(&tests.join("base_1.rs")), MY_TEST);
    assert!(read(&tests.join("main.rs")).contains("mod base_1;"));
    let trace: serde_json::Value =
        serde_json::from_str(&run(&ws, &["trace", "--format", "json"], 0)).unwrap();
    assert_eq!(trace["totals"]["stray"], 1, "{trace:#}");
    let tested = cargo_steps(&ws, "living");
    assert!(tested.contains("test base_1::base_1 ... ok"), "{tested}");
    insta::assert_snapshot!(session([&plan, &apply, &settled, &check, &dropped]));
}

#[test]
fn a_crate_renamed_while_its_modules_were_edited_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let spec =
        SPEC.replace("summary = \"The base\"\n", "summary = \"The base\"\nmodules = [\"money\"]\n");
    fs::write(tmp.path().join("spec.toml"), &spec).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    append(&ws.join("crates/base/src/money.rs"), MY_CODE);
    append(&ws.join("crates/base/src/lib.rs"), "\npub fn mine() {}\n");
    // The dependent's code calls the crate by the name it has now.
    fs::write(
        ws.join("crates/app/src/main.rs"),
        "//! The app.\n\nfn main() {\n    base::mine();\n}\n",
    )
    .unwrap();
    let renamed = spec
        .replace("[crates.base]\n", "[crates.books]\nrenamed-from = \"base\"\n")
        .replace("depends = [\"base\"]", "depends = [\"books\"]");
    fs::write(ws.join("Trellis.toml"), renamed).unwrap();
    let apply = cli::xtask(&ws, &["apply"]);
    let money = read(&ws.join("crates/books/src/money.rs"));
    assert!(
        money.starts_with("//! The `money` module of `books`.") && money.ends_with(MY_CODE),
        "{money}"
    );
    assert!(read(&ws.join("crates/books/src/lib.rs")).ends_with("\npub fn mine() {}\n"));
    let check = cli::xtask(&ws, &["check"]);
    // It builds as it is: the dependency keeps the key `base`, naming the package `books`.
    crate::build::cargo(&ws, "living-rename", &["check", "--offline", "--workspace"])
        .unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(session([&apply, &check]));
}

#[test]
fn a_library_that_becomes_a_bin_gets_its_main_rs() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    let bin = SPEC.replace("[crates.base]\n", "[crates.base]\nkind = \"bin\"\n");
    // A bin cannot be depended on: `app` stops depending on it.
    fs::write(ws.join("Trellis.toml"), bin.replace("depends = [\"base\"]\n", "")).unwrap();
    let apply = cli::xtask(&ws, &["apply", "--prune"]);
    assert!(ws.join("crates/base/src/main.rs").is_file());
    assert!(!ws.join("crates/base/src/lib.rs").exists());
    let check = cli::xtask(&ws, &["check"]);
    insta::assert_snapshot!(session([&apply, &check]));
}

#[test]
fn a_proc_macro_kind_reaches_an_edited_manifest_and_leaves_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    // `app` does not depend on `base`: a proc-macro is depended on as a macro, not a library.
    let spec = SPEC.replace("depends = [\"base\"]\n", "");
    fs::write(tmp.path().join("spec.toml"), &spec).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    let manifest = ws.join("crates/base/Cargo.toml");
    append(&manifest, "\n[features]\nextra = []\n");
    let macro_spec = spec.replace("[crates.base]\n", "[crates.base]\nkind = \"proc-macro\"\n");
    fs::write(ws.join("Trellis.toml"), &macro_spec).unwrap();
    let to_macro = cli::xtask(&ws, &["apply"]);
    let text = read(&manifest);
    assert!(text.contains("[lib]\nproc-macro = true\n") && text.contains("extra = []"), "{text}");
    let macro_check = cli::xtask(&ws, &["check"]);
    fs::write(ws.join("Trellis.toml"), &spec).unwrap();
    let to_lib = cli::xtask(&ws, &["apply"]);
    let text = read(&manifest);
    assert!(!text.contains("proc-macro") && text.contains("extra = []"), "{text}");
    let lib_check = cli::xtask(&ws, &["check"]);
    insta::assert_snapshot!(session([&to_macro, &macro_check, &to_lib, &lib_check]));
}

#[test]
fn features_reach_an_edited_manifest_and_leave_it_again() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    let manifest = ws.join("crates/base/Cargo.toml");
    append(&manifest, "\n[badges]\nmaintenance = { status = \"experimental\" }\n");
    let with = |features: &str| {
        let spec =
            SPEC.replace("[crates.base]\n", &format!("[crates.base]\nfeatures = {features}\n"));
        fs::write(ws.join("Trellis.toml"), spec).unwrap();
    };
    with("[\"fast\", \"safe\"]");
    let two = cli::xtask(&ws, &["apply"]);
    let text = read(&manifest);
    assert!(text.contains("[features]\nfast = []\nsafe = []\n"), "{text}");
    with("[\"safe\"]");
    let one = cli::xtask(&ws, &["apply"]);
    let text = read(&manifest);
    assert!(text.contains("[features]\nsafe = []\n") && !text.contains("fast"), "{text}");
    assert!(text.contains("maintenance"), "{text}");
    with("[]");
    let none = cli::xtask(&ws, &["apply"]);
    assert!(!read(&manifest).contains("[features]"), "{}", read(&manifest));
    let check = cli::xtask(&ws, &["check"]);
    insta::assert_snapshot!(session([&two, &one, &none, &check]));
}

/// A module a person declared by hand (and wrote) before the spec declared it too: the merged
/// crate root declares it once (a second `pub mod money;` is error E0428), and cargo builds it.
#[test]
fn a_module_both_the_person_and_the_spec_add_is_declared_once_and_builds() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), SPEC).unwrap();
    run(tmp.path(), &["new", "spec.toml", "--out", "ws"], 0);
    let ws = tmp.path().join("ws");
    let lib = ws.join("crates/base/src/lib.rs");
    append(&lib, "\npub mod money;\n\npub fn mine() -> u8 {\n    money::ONE\n}\n");
    fs::write(ws.join("crates/base/src/money.rs"), "//! Money.\n\npub const ONE: u8 = 1;\n")
        .unwrap();
    let changed =
        SPEC.replace("summary = \"The base\"\n", "summary = \"The base\"\nmodules = [\"money\"]\n");
    fs::write(ws.join("Trellis.toml"), changed).unwrap();
    // The person's own `money.rs` stays theirs: accepted as it is.
    run(&ws, &["apply", "--accept", "crates/base/src/money.rs"], 0);
    let lib_now = read(&lib);
    assert_eq!(lib_now.matches("pub mod money;").count(), 1, "{lib_now}");
    crate::build::cargo(&ws, "living-module", &["check", "--offline", "--workspace"])
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Drift people make that `check` sees: a description edited away from the spec's summary (a
/// warning, with the fix), and a module deleted with its `mod` line (an error that says to
/// take it out of `modules`); `plan` does not make the deleted module again.
#[test]
fn check_sees_an_edited_description_and_a_deleted_module() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let spec = "[workspace]\nname = \"shop\"\n\n[crates.books]\nsummary = \"The books\"\nmodules = [\"alpha\", \"beta\"]\n";
    fs::write(dir.join("spec.toml"), spec).unwrap();
    let new = cli::xtask(dir, &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = dir.join("ws");
    let manifest = ws.join("crates/books/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replace("\"The books\"", "\"Books, as we say it\"")).unwrap();
    let lib = ws.join("crates/books/src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    assert!(text.contains("pub mod alpha;"), "{text}");
    fs::write(&lib, text.replace("pub mod alpha;\n", "")).unwrap();
    fs::remove_file(ws.join("crates/books/src/alpha.rs")).unwrap();

    let check = cli::xtask(&ws, &["check"]);
    let plan = cli::xtask(&ws, &["plan", "-v"]);
    assert!(!plan.stdout.contains("create"), "{plan}");
    assert!(!ws.join("crates/books/src/alpha.rs").exists());
    insta::assert_snapshot!(session([&check, &plan]));
}
