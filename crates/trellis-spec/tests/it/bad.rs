//! One bad spec per kind of problem, as data: `bad/<code-name>[-more].toml`. Each must raise
//! its code (as an error, or as a warning for the codes that only warn), and every diagnostic
//! of each file is snapshot as a terminal without colour shows it.

use std::path::{Path, PathBuf};

use trellis_spec::{Severity, codes, parse};

fn bad_specs() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("tests/it/bad is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The code a file is about: the longest code name its stem starts with.
fn code_of(stem: &str) -> trellis_spec::Code {
    codes::ALL
        .iter()
        .filter(|c| stem == c.name || stem.starts_with(&format!("{}-", c.name)))
        .max_by_key(|c| c.name.len())
        .copied()
        .unwrap_or_else(|| panic!("`{stem}.toml` does not start with a code name"))
}

#[test]
fn each_bad_spec_reports_its_problem() {
    let mut failures = Vec::new();
    for path in bad_specs() {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = format!("bad/{stem}.toml");
        let code = code_of(&stem);
        let diagnostics = match parse(&text, &file) {
            Ok(parsed) => {
                assert!(
                    parsed.warnings.iter().all(|d| d.severity == Severity::Warning),
                    "{stem}: an accepted spec carries an error"
                );
                parsed.warnings
            }
            Err(diagnostics) => diagnostics,
        };
        if !diagnostics.iter().any(|d| d.code == code) {
            failures.push(format!("{stem}: no {} ({})", code.id, code.name));
        }
        let rendered = crate::render_all(&diagnostics, &text);
        insta::assert_snapshot!(stem, rendered);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_code_has_a_bad_spec() {
    let stems: Vec<String> =
        bad_specs().iter().map(|p| p.file_stem().unwrap().to_str().unwrap().to_owned()).collect();
    let missing: Vec<&str> = codes::ALL
        .iter()
        .filter(|c| !stems.iter().any(|s| code_of(s) == **c))
        .map(|c| c.name)
        .collect();
    assert!(missing.is_empty(), "codes without a bad spec: {missing:?}");
}

#[test]
fn code_ids_and_names_are_unique_and_ordered() {
    for pair in codes::ALL.windows(2) {
        assert!(pair[0].id < pair[1].id, "{} before {}", pair[0].id, pair[1].id);
    }
    let mut names: Vec<&str> = codes::ALL.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), codes::ALL.len());
}

#[test]
fn a_spec_with_many_errors_reports_them_all_in_text_order() {
    let text = r#"
[workspace]
name = "shop"
edtion = "2024"

[layers]
order = ["low", "high"]

[dependencies]
serde = "1"

[crates.fn]
layer = "low"

[crates.base]
layer = "low"
depends = ["app", "ghost"]
uses = ["sedre"]
modules = ["Money"]
requirements = [{ id = "C-1", text = "a" }, { id = "C-1", text = "b" }]

[crates.app]
layer = "hihg"
kind = "bin"
path = "../app"
"#;
    let diagnostics = parse(text, "Trellis.toml").unwrap_err();
    let got: Vec<&str> = diagnostics.iter().map(|d| d.code.name).collect();
    assert_eq!(
        got,
        [
            "unknown-key",
            "invalid-crate-name",
            "depends-on-binary",
            "unknown-crate",
            "unknown-dependency",
            "invalid-module",
            "duplicate-requirement",
            "unknown-layer",
            "invalid-path",
        ]
    );
    let starts: Vec<usize> =
        diagnostics.iter().map(|d| d.primary.as_ref().unwrap().span.start).collect();
    assert!(starts.is_sorted());
    insta::assert_snapshot!(crate::render_all(&diagnostics, text));
}

#[test]
fn the_reference_documents_every_code_and_no_other() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec.md");
    let docs = std::fs::read_to_string(docs).expect("docs/spec.md is readable");
    let rows: Vec<(&str, &str)> = docs
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            match cells.as_slice() {
                ["", id, name, _, ""] if id.starts_with('S') && id.len() == 4 => Some((*id, *name)),
                _ => None,
            }
        })
        .collect();
    let codes: Vec<(&str, &str)> = codes::ALL.iter().map(|c| (c.id, c.name)).collect();
    assert_eq!(rows, codes, "docs/spec.md's table of codes is stale");
}
