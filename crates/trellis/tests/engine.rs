//! The engine as another program calls it: one call per command, all the command does.

use std::fs;
use std::path::{Path, PathBuf};

use trellis::{ApplyOptions, CheckOptions, ErrorKind, NewOptions, PlanOptions, Project};
use trellis_sync::Action;

const SPEC: &str = r#"
[workspace]
name = "engine-test"

[crates.base]
requirements = [{ id = "BASE-1", text = "Adds." }]

[crates.app]
kind = "bin"
depends = ["base"]
"#;

/// A new workspace made by the engine, in a temporary folder.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("spec.toml");
    fs::write(&spec, SPEC).unwrap();
    let root = tmp.path().join("ws");
    let created = trellis::new(&spec, &root, &NewOptions::default()).expect("new");
    assert_eq!(created.root, root);
    assert!(created.files > 0);
    (tmp, root)
}

fn trellis_check_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../trellis-check/tests/fixtures").join(name)
}

#[test]
fn discover_walks_up_to_the_nearest_spec_and_shows_paths_from_where_it_started() {
    let (_tmp, root) = workspace();
    let project = Project::discover(root.join("crates/base/src")).expect("found");
    assert_eq!(project.root(), root);
    assert_eq!(project.shown_root(), "../../..");
    assert_eq!(project.show("Cargo.toml"), "../../../Cargo.toml");
    assert_eq!(project.shown_spec_file(), "../../../Trellis.toml");
}

#[test]
fn discover_without_a_spec_above_is_the_callers_input() {
    let tmp = tempfile::tempdir().unwrap();
    let error = Project::discover(tmp.path()).expect_err("no spec");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(error.to_string().contains("--root DIR"), "{error}");
}

#[test]
fn apply_moves_a_renamed_crate_rather_than_orphaning_it() {
    let (_tmp, root) = workspace();
    let renamed = fs::read_to_string(root.join("Trellis.toml"))
        .unwrap()
        .replace("[crates.base]\n", "[crates.books]\nrenamed-from = \"base\"\n")
        .replace("depends = [\"base\"]", "depends = [\"books\"]");
    fs::write(root.join("Trellis.toml"), renamed).unwrap();
    let project = Project::at(&root);
    let planned = trellis::plan(&project, &PlanOptions::default()).expect("plan");
    assert_eq!(planned.plan.count(Action::Move), 1, "{:?}", planned.plan.entries);
    assert_eq!(planned.plan.count(Action::Orphan), 0, "{:?}", planned.plan.entries);
    let applied = trellis::apply(&project, &ApplyOptions::default()).expect("apply");
    assert_eq!(applied.report.plan.count(Action::Move), 1);
    assert!(root.join("crates/books/src/lib.rs").is_file());
    assert!(!root.join("crates/base").exists());
    let checked = trellis::check(&project, &CheckOptions::default()).expect("check");
    assert!(checked.diagnostics.is_empty(), "{}", checked.render());
}

#[test]
fn check_holds_the_requirements_findings_too() {
    let (_tmp, root) = workspace();
    let project = Project::at(&root);
    assert!(!trellis::check(&project, &CheckOptions::default()).unwrap().has_errors());
    // Strict: the pending requirement is a finding.
    let strict =
        trellis::check(&project, &CheckOptions { strict: true, ..Default::default() }).unwrap();
    let codes: Vec<&str> = strict.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["R003"]);
    // Its test deleted, the requirement is lost.
    fs::remove_file(root.join("crates/base/tests/requirements/base_1.rs")).unwrap();
    let lost = trellis::check(&project, &CheckOptions::default()).unwrap();
    let codes: Vec<&str> = lost.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["R001"]);
    assert!(lost.has_errors());
    let json: serde_json::Value = serde_json::from_str(&lost.json()).unwrap();
    assert_eq!(json["schema_version"], trellis::JSON_SCHEMA_VERSION);
}

#[test]
fn check_reports_graph_findings_with_the_files_they_point_into() {
    let project = Project::at(trellis_check_fixture("allow"));
    let checked = trellis::check(&project, &CheckOptions::default()).expect("check runs");
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["C012"]);
    assert!(checked.has_errors());
    let plain = anstream::adapter::strip_str(&checked.render()).to_string();
    assert!(plain.contains("Trellis.toml:"), "{plain}");
}

#[test]
fn failures_say_whose_they_are() {
    let broken = trellis::check(
        &Project::at(trellis_check_fixture("broken-manifest")),
        &CheckOptions::default(),
    );
    let error = broken.expect_err("cargo cannot load it");
    assert_eq!(error.kind(), ErrorKind::Environment);
    assert!(error.to_string().contains("hint: fix the manifest cargo names above"), "{error}");

    let no_spec =
        trellis::check(&Project::at(trellis_check_fixture("dev-cycle")), &CheckOptions::default());
    let error = no_spec.expect_err("no spec");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(error.to_string().starts_with("no spec at"), "{error}");

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("Trellis.toml");
    fs::write(&bad, "[workspace]\nname = \"x\"\n[crates.a]\ndepends = [\"nope\"]\n").unwrap();
    let error =
        trellis::plan(&Project::at(tmp.path()), &PlanOptions::default()).expect_err("bad spec");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(!error.diagnostics().is_empty());
    let rendered = anstream::adapter::strip_str(&error.render_diagnostics()).to_string();
    assert!(rendered.contains("nope"), "{rendered}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1, "nothing was written");
}

#[test]
fn apply_takes_an_absolute_accept_path_inside_the_root_and_refuses_one_outside() {
    let (tmp, root) = workspace();
    let project = Project::at(&root);
    let outside = ApplyOptions { accept: vec![tmp.path().join("spec.toml")], ..Default::default() };
    let error = trellis::apply(&project, &outside).expect_err("outside the workspace");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(error.to_string().contains("is not inside the workspace"), "{error}");
    // Inside, but Trellis plans nothing there: also the caller's input, and nothing is written.
    let notes = root.join("crates/base/notes.md");
    let inside = ApplyOptions { accept: vec![notes], ..Default::default() };
    let error = trellis::apply(&project, &inside).expect_err("nothing to accept");
    assert_eq!(error.kind(), ErrorKind::Input);
    assert!(error.to_string().contains("crates/base/notes.md"), "{error}");
    // A file Trellis plans, by its absolute path: taken (nothing to settle there, so a no-op).
    let lib = root.join("crates/base/src/lib.rs");
    let planned = ApplyOptions { accept: vec![lib], ..Default::default() };
    let applied = trellis::apply(&project, &planned).expect("accepted");
    assert!(applied.report.written_files.is_empty());
}

#[test]
fn discover_from_a_relative_folder_climbs_above_it() {
    let (_tmp, root) = workspace();
    // `..` from `crates/base/src` as a relative start: upward from where it is, not by its text.
    let start = root.join("crates/base/src/../src/.");
    let project = Project::discover(&start).expect("found");
    assert_eq!(fs::canonicalize(project.root()).unwrap(), fs::canonicalize(&root).unwrap());
}

#[test]
fn infer_from_a_members_folder_describes_the_whole_workspace() {
    let (_tmp, root) = workspace();
    let inferred = trellis::infer(&root.join("crates/base")).expect("infer");
    assert!(inferred.text.contains("[crates.base]") && inferred.text.contains("[crates.app]"));
}

#[test]
fn an_engine_path_to_another_package_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("Cargo.toml"), "[package]\nname = \"not-trellis\"\n").unwrap();
    let spec = tmp.path().join("spec.toml");
    fs::write(
        &spec,
        "[workspace]\nname = \"x\"\ntrellis = { path = \"../other\" }\n\n[crates.a]\n",
    )
    .unwrap();
    let out = tmp.path().join("ws");
    let error = trellis::new(&spec, &out, &NewOptions::default()).expect_err("another package");
    assert_eq!(error.kind(), ErrorKind::Input);
    let rendered = anstream::adapter::strip_str(&error.render_diagnostics()).to_string();
    assert!(rendered.contains("where the package is `not-trellis`, not `trellis`"), "{rendered}");
    assert!(!out.exists());
    // Three folders up and more, from a relative root, as from an absolute one.
    let deep = tmp.path().join("a/b/c");
    fs::create_dir_all(&deep).unwrap();
    let engine = Path::new(env!("CARGO_MANIFEST_DIR"));
    let up = "../".repeat(deep.join("ws").components().count());
    let relative = format!("{up}{}", engine.strip_prefix("/").unwrap().display());
    let spec = deep.join("spec.toml");
    fs::write(
        &spec,
        format!("[workspace]\nname = \"x\"\ntrellis = {{ path = \"{relative}\" }}\n\n[crates.a]\n"),
    )
    .unwrap();
    let planned =
        trellis::plan(&Project::at(deep.join("ws")).with_spec(&spec), &PlanOptions::default());
    assert!(planned.is_ok(), "{:?}", planned.err().map(|e| e.render_diagnostics()));
}
