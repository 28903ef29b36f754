//! The codebase checks itself: every template is known and renders, every module says what it
//! is for, the README starts with the commands it promises.

use std::fs;

use crate::{files_under, repo_root};

#[test]
fn every_template_file_is_known_and_every_known_template_exists() {
    let root = repo_root().join("templates");
    let on_disk: Vec<String> = files_under(&root)
        .into_iter()
        .map(|f| f.strip_suffix(".hbs").unwrap_or_else(|| panic!("{f} lacks .hbs")).to_owned())
        .collect();
    let mut known: Vec<String> =
        trellis_render::DEFAULTS.iter().map(|(n, _)| (*n).to_owned()).collect();
    known.sort();
    assert_eq!(on_disk, known, "templates/ and trellis_render::DEFAULTS disagree");
}

#[test]
fn every_template_renders_in_strict_mode() {
    // The example uses every template: layers, a binary, a proc-macro, modules, a build
    // script, requirements. Strict mode makes any unknown variable an error.
    let parsed = trellis_spec::parse(trellis_spec::EXAMPLE, "example").expect("valid example");
    let files = trellis_render::render(
        &parsed.spec,
        trellis_spec::EXAMPLE,
        &trellis_render::Templates::embedded(),
    )
    .expect("renders");
    for path in
        ["build.rs", "src/main.rs", "src/lib.rs", "tests/requirements/main.rs", "xtask/src/main.rs"]
    {
        assert!(files.iter().any(|f| f.path.ends_with(path)), "no file renders {path}");
    }
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let root = repo_root();
    let mut missing = Vec::new();
    for top in ["crates", "xtask"] {
        for file in files_under(&root.join(top)) {
            let is_fixture = file.contains("/fixtures/") || file.contains("/snapshots/");
            if !file.ends_with(".rs") || is_fixture {
                continue;
            }
            let path = root.join(top).join(&file);
            let text = fs::read_to_string(&path).unwrap();
            // Unit-test files beside a module are documented by the module's `mod tests;`.
            let is_unit_tests = file.ends_with("/tests.rs");
            if !is_unit_tests && !text.starts_with("//!") {
                missing.push(format!("{top}/{file}"));
            }
        }
    }
    assert!(missing.is_empty(), "these files do not open with a `//!` line: {missing:#?}");
}

#[test]
fn the_readme_opens_with_the_two_commands() {
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    let head: String = readme.lines().take(15).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo xtask demo"), "{head}");
    assert!(head.contains("cargo test --workspace"), "{head}");
    let ci = fs::read_to_string(repo_root().join(".ci/run")).unwrap();
    for command in [
        "cargo test --workspace",
        "cargo fmt",
        "--check",
        "cargo clippy --workspace --all-targets -- -D warnings",
    ] {
        assert!(ci.contains(command), ".ci/run lacks `{command}`");
    }
}

#[test]
fn the_template_reference_names_every_template() {
    let doc = fs::read_to_string(repo_root().join("docs/templates.md")).unwrap();
    for (name, _) in trellis_render::DEFAULTS {
        assert!(doc.contains(&format!("`{name}`")), "docs/templates.md does not describe `{name}`");
    }
}
