//! Specs that must parse without a warning, and the model they give (snapshot whole).

use std::path::{Path, PathBuf};

use trellis_spec::{CrateKind, EdgeKind, GitRef, parse};

const FLAGSHIP: &str = include_str!("../../specs/sme-market.toml");

fn parse_clean(text: &str, file: &str) -> trellis_spec::Spec {
    match parse(text, file) {
        Ok(parsed) => {
            assert!(parsed.warnings.is_empty(), "{}", crate::render_all(&parsed.warnings, text));
            parsed.spec
        }
        Err(diagnostics) => panic!("{}", crate::render_all(&diagnostics, text)),
    }
}

fn good_specs() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/good");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("tests/it/good is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn each_good_spec_parses_to_its_model() {
    for path in good_specs() {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let spec = parse_clean(&text, &format!("good/{stem}.toml"));
        insta::assert_snapshot!(format!("good-{stem}"), format!("{spec:#?}"));
    }
}

#[test]
fn a_minimal_spec_takes_every_default() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/good/minimal.toml"),
    )
    .unwrap();
    let spec = parse_clean(&text, "minimal.toml");
    assert_eq!(spec.workspace.edition.as_str(), "2024");
    assert_eq!(spec.workspace.version.to_string(), "0.1.0");
    assert_eq!(spec.workspace.summary, "");
    assert_eq!(spec.workspace.rust_version, None);
    assert_eq!(spec.workspace.license, None);
    assert!(spec.layers.is_empty() && spec.dependencies.is_empty() && spec.allow.is_empty());
    assert!(!spec.check.deny_pending_requirements);
    let c = &spec.crates[0];
    assert_eq!(
        (c.name.as_str(), c.kind, c.path.as_str()),
        ("tiny-core", CrateKind::Lib, "crates/tiny-core")
    );
    assert_eq!(c.layer, None);
    assert!(c.depends.is_empty() && c.uses.is_empty() && c.modules.is_empty());
    assert_eq!(c.renamed_from, None);
}

#[test]
fn every_key_lands_in_the_model() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/good/every-key.toml"),
    )
    .unwrap();
    let spec = parse_clean(&text, "every-key.toml");
    assert_eq!(spec.workspace.summary, "A spec that sets \"every\" key\\option");
    assert_eq!(spec.workspace.version.to_string(), "1.2.3-beta.1");
    let forked = &spec.dependencies["forked"];
    assert_eq!(forked.package.as_deref(), Some("upstream-name"));
    let git = forked.git.as_ref().unwrap();
    assert_eq!(git.reference, Some((GitRef::Rev, "0123abc".to_owned())));
    assert_eq!(spec.dependencies["private"].registry.as_deref(), Some("internal"));
    let base = spec.crate_named("base-types").unwrap();
    assert_eq!(base.path, "libs/base-types", "paths are normalized");
    assert!(base.summary.contains("*/ and \"# and {{ braces }}"));
    assert_eq!(base.requirements[1].text, "Literal \\no escapes");
    assert_eq!(base.uses.of(EdgeKind::Build)[0].name, "cc");
    assert_eq!(spec.crate_named("macros").unwrap().kind, CrateKind::ProcMacro);
    let server = spec.crate_named("server").unwrap();
    assert_eq!(server.requirements[0].test_name(), "srv_1");
    assert_eq!(spec.layer_rank("top"), Some(1));
    assert!(spec.check.deny_pending_requirements);
}

#[test]
fn the_flagship_example_parses_without_warnings() {
    let spec = parse_clean(FLAGSHIP, "specs/sme-market.toml");
    assert!(spec.crates.len() >= 8);
    assert!(spec.layers.len() >= 3);
    assert!(spec.crates.iter().any(|c| c.kind == CrateKind::Bin));
    assert!(spec.crates.iter().map(|c| c.requirements.len()).sum::<usize>() >= 15);
}
