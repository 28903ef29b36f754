//! `check --format sarif|github|junit|markdown`, the reports CI shows, on workspaces written
//! here: findings of several kinds (errors and warnings, of the graph and of requirements),
//! warnings alone, none, and an unknown format. The SARIF is validated against the official
//! schema (`crates/trellis-check/tests/fixtures/sarif/`).

use std::fs;
use std::path::Path;
use std::sync::LazyLock;

use serde_json::Value;

use crate::cli::{self, session};
use crate::repo_root;

/// A spec with layers, a requirement, and a crate the workspace lacks.
const SPEC: &str = r#"[workspace]
name = "shop"

[layers]
order = ["domain", "app"]

[crates.store]
summary = "Keeps the orders"
layer = "domain"

[crates.api]
summary = "Answers, 100% | always"
layer = "app"
depends = ["store"]
requirements = [{ id = "API-1", text = "Answers every request." }]

[crates.ghost]
summary = "Not made yet"
layer = "app"
"#;

/// Writes a package at `ws/<dir>`, named as the folder up to a comma: its manifest (name,
/// description, then `extra` as written) and a `src/lib.rs` holding `code`.
fn package(ws: &Path, dir: &str, description: &str, extra: &str, code: &str) {
    let name = dir.rsplit('/').next().unwrap().split(',').next().unwrap();
    fs::create_dir_all(ws.join(dir).join("src")).unwrap();
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"{description}\"\n{extra}"
    );
    fs::write(ws.join(dir).join("Cargo.toml"), manifest).unwrap();
    fs::write(ws.join(dir).join("src/lib.rs"), code).unwrap();
}

/// A workspace at `<dir>/ws` that matches [`SPEC`] but for `ghost`; returns its root.
fn workspace(dir: &Path) -> std::path::PathBuf {
    let ws = dir.join("ws");
    fs::create_dir_all(&ws).unwrap();
    fs::write(ws.join("Cargo.toml"), "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n")
        .unwrap();
    fs::write(ws.join("Trellis.toml"), SPEC).unwrap();
    package(&ws, "crates/store", "Keeps the orders", "", "//! Keeps the orders.\n");
    let test = "//! Answers.\n\n// covers: API-1\n#[test]\nfn answers() {}\n";
    package(
        &ws,
        "crates/api",
        "Answers, 100% | always",
        "\n[dependencies]\nstore = { path = \"../store\" }\n",
        test,
    );
    ws
}

/// The workspace of [`workspace`] with findings of every kind: a crate missing (C001, in the
/// spec), a stranger (C002), an edge to a higher layer (C007) with the declared one missing
/// (C006), a description drifted (C013, a warning), a lost requirement (R001) and an id the
/// spec lacks (R002). The stranger's folder has characters every format escapes.
fn drifted(dir: &Path) -> std::path::PathBuf {
    let ws = workspace(dir);
    package(
        &ws,
        "crates/store",
        "Keeps: the \\\"orders\\\", <all> & more",
        "\n[dependencies]\napi = { path = \"../api\" }\n",
        "//! Keeps the orders.\n",
    );
    package(&ws, "crates/api", "Answers, 100% | always", "", "//! API-2 answers.\n");
    package(&ws, "crates/extra, 100% #1", "Extra", "", "//! Extra.\n");
    ws
}

static SARIF_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path = repo_root().join("crates/trellis-check/tests/fixtures/sarif/sarif-2.1.0-rtm.5.json");
    let mut schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    // The stray `]` of the published `language` patterns, escaped to the same meaning: the
    // schema's own `regex` format check refuses it (see trellis-check's tests/it/formats.rs).
    for holder in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][holder]["properties"]["language"]["pattern"];
        assert_eq!(*language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "as published");
        *language = Value::from(r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$");
    }
    jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap()
});

/// The run's stdout as a SARIF log valid against the official schema.
fn sarif(run: &cli::Run) -> Value {
    let log = run.json();
    let errors: Vec<String> =
        SARIF_SCHEMA.iter_errors(&log).map(|e| format!("at {}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{}\n{run}", errors.join("\n"));
    log
}

/// Each result's rule, level and place: `C005 error crates/api/Cargo.toml:9:1`.
fn results(log: &Value) -> Vec<String> {
    let results = log["runs"][0]["results"].as_array().expect("results");
    results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            let region = &location["region"];
            format!(
                "{} {} {}:{}:{}",
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                location["artifactLocation"]["uri"].as_str().unwrap(),
                region["startLine"],
                region["startColumn"],
            )
        })
        .collect()
}

#[test]
fn check_writes_the_reports_ci_shows() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = drifted(tmp.path());
    let runs: Vec<cli::Run> = ["github", "markdown", "junit"]
        .iter()
        .map(|format| cli::xtask(&ws, &["check", "--format", format]))
        .collect();
    for run in &runs {
        assert_eq!(run.code, Some(1), "{run}");
    }
    insta::assert_snapshot!(session(&runs));
    let sarif_run = cli::xtask(&ws, &["check", "--format", "sarif"]);
    assert_eq!(sarif_run.code, Some(1), "{sarif_run}");
    let log = sarif(&sarif_run);
    insta::assert_snapshot!(results(&log).join("\n"), @r"
    C001 error Trellis.toml:17:9
    C013 warning crates/store/Cargo.toml:5:15
    C002 error crates/extra%2C%20100%25%20%231/Cargo.toml:2:8
    C007 error crates/store/Cargo.toml:8:1
    C006 error Trellis.toml:14:12
    R001 error Trellis.toml:15:24
    R002 error crates/api/src/lib.rs:1:5
    ");
}

/// From outside the workspace (`--root`) or inside a member, files are still named relative
/// to the workspace root, as code scanning and annotations want them.
#[test]
fn the_reports_name_files_from_the_workspace_root_wherever_check_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = drifted(tmp.path());
    let here = cli::xtask(&ws, &["check", "--format", "github"]);
    let above = cli::trellis(tmp.path(), &["check", "--root", "ws", "--format", "github"]);
    let inside = cli::xtask(&ws.join("crates/api/src"), &["check", "--format", "github"]);
    // The hints name the command as it runs there; the places are the same.
    let places = |run: &cli::Run| -> Vec<String> {
        run.stdout.lines().map(|l| l.split("::").nth(1).unwrap().to_owned()).collect()
    };
    assert_eq!(places(&here), places(&above), "{above}");
    assert_eq!(places(&here), places(&inside), "{inside}");
    let from_above =
        sarif(&cli::trellis(tmp.path(), &["check", "--root", "ws", "--format", "sarif"]));
    let from_here = sarif(&cli::xtask(&ws, &["check", "--format", "sarif"]));
    assert_eq!(results(&from_above), results(&from_here));
}

#[test]
fn warnings_alone_pass_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    // Only a drifted description (a warning): `ghost` declared, but made here.
    package(&ws, "crates/ghost", "Not made yet", "", "//! Not made yet.\n");
    package(&ws, "crates/store", "Keeps all orders", "", "//! Keeps the orders.\n");
    let runs: Vec<cli::Run> = ["sarif", "github", "junit", "markdown"]
        .iter()
        .map(|format| cli::xtask(&ws, &["check", "--format", format]))
        .collect();
    for run in &runs {
        assert_eq!(run.code, Some(0), "{run}");
    }
    assert_eq!(results(&sarif(&runs[0])), ["C013 warning crates/store/Cargo.toml:5:15"]);
    assert!(runs[1].stdout.starts_with("::warning file=crates/store/Cargo.toml,line=5,col=15"));
    assert!(!runs[2].stdout.contains("<failure"), "{}", runs[2]);
    insta::assert_snapshot!(session([&runs[1], &runs[3]]));
}

#[test]
fn a_clean_check_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    package(&ws, "crates/ghost", "Not made yet", "", "//! Not made yet.\n");
    let runs: Vec<cli::Run> = ["sarif", "github", "junit", "markdown"]
        .iter()
        .map(|format| cli::xtask(&ws, &["check", "--format", format]))
        .collect();
    for run in &runs {
        assert_eq!(run.code, Some(0), "{run}");
    }
    assert!(results(&sarif(&runs[0])).is_empty());
    assert_eq!(runs[1].stdout, "", "no finding, no annotation");
    let junit = &runs[2].stdout;
    // 3 crates, 16 rules of the graph and 6 of requirements, all passed.
    assert!(junit.contains("<testsuite name=\"trellis check\" tests=\"66\" failures=\"0\""));
    insta::assert_snapshot!(session([&runs[1], &runs[3]]));
}

#[test]
fn an_unknown_format_or_a_bad_spec_prints_nothing_on_stdout_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let unknown = cli::xtask(&ws, &["check", "--format", "xml"]);
    fs::write(
        ws.join("Trellis.toml"),
        "[workspace]\nname = \"shop\"\n[crates.a]\nkind = \"exe\"\n",
    )
    .unwrap();
    let bad_spec = cli::xtask(&ws, &["check", "--format", "sarif"]);
    for run in [&unknown, &bad_spec] {
        assert_eq!(run.code, Some(2), "{run}");
        assert_eq!(run.stdout, "", "{run}");
    }
    insta::assert_snapshot!(session([&unknown, &bad_spec]));
}
