//! The rendered tree of each spec under `tests/specs/`, and of the flagship example.

use crate::{render_spec, tree};

#[test]
fn flagship_example() {
    insta::assert_snapshot!(tree(&render_spec(trellis_spec::EXAMPLE)));
}

#[test]
fn every_spec_under_tests_specs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/specs");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/specs exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable spec");
        let name = path.file_stem().and_then(|s| s.to_str()).expect("utf-8 name").to_owned();
        insta::assert_snapshot!(name, tree(&render_spec(&text)));
    }
}

#[test]
fn files_that_must_not_exist_do_not() {
    let files = render_spec(trellis_spec::EXAMPLE);
    let has = |path: &str| files.iter().any(|f| f.path == path);
    // A binary has no lib.rs, a library no main.rs; only crates with build dependencies get a
    // build script; a crate without requirements gets no requirement tests.
    assert!(!has("crates/market-api/src/lib.rs"));
    assert!(!has("crates/market-core/src/main.rs"));
    assert!(has("crates/market-core/build.rs"));
    assert!(!has("crates/catalog/build.rs"));
    assert!(!has("crates/market-testkit/tests/requirements/main.rs"));
    assert!(files.iter().all(|f| !f.path.starts_with('/') && !f.path.contains("..")));
}

/// Every workspace, adopted ones too, gets the spec's schema in Trellis' own folder, and its
/// spec names it in its first line; a spec that names a schema of its own keeps its line.
#[test]
fn the_schema_is_planned_always_and_the_spec_names_it() {
    use trellis_render::{Ownership, SCHEMA_FILE, SPEC_FILE, Seed};
    let text = "[workspace]\nname = \"tiny\"\n\n[crates.tiny-core]\n";
    let files = render_spec(text);
    let file = |path: &str| files.iter().find(|f| f.path == path).unwrap();
    let schema = file(SCHEMA_FILE);
    assert_eq!((schema.ownership, &schema.seed), (Ownership::Seeded, &Seed::Always));
    assert_eq!(schema.contents, trellis_spec::schema::json());
    let spec = file(SPEC_FILE);
    assert_eq!(spec.contents, format!("{}\n\n{text}", trellis_spec::schema::DIRECTIVE));

    let own = format!("#:schema https://example.com/trellis.json\n{text}");
    let files = render_spec(&own);
    assert_eq!(files.iter().find(|f| f.path == SPEC_FILE).unwrap().contents, own);
}

/// Crates named like Mermaid's keywords (`end`, `graph`, `style`, `click`) or starting with a
/// digit get ids the flowchart grammar reads as nodes, as `trellis graph` gives them.
#[test]
fn the_architecture_graph_keeps_clear_of_mermaids_keywords() {
    let spec = "[workspace]\nname = \"words\"\n\n[crates.end]\n\n[crates.graph]\ndepends = [\"end\"]\n\n[crates.style]\n\n[crates.click]\ndepends = [\"style\", \"graph\"]\n";
    let files = render_spec(spec);
    let doc = &files.iter().find(|f| f.path == "ARCHITECTURE.md").unwrap().contents;
    for (id, name) in
        [("c_end", "end"), ("c_graph", "graph"), ("c_style", "style"), ("c_click", "click")]
    {
        assert!(doc.contains(&format!("{id}[\"{name}\"]")), "{doc}");
    }
    assert!(doc.contains("c_graph --> c_end") && doc.contains("c_click --> c_style"), "{doc}");
    for line in doc.lines().filter(|l| l.contains("-->")) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(!["end", "graph", "style", "click"].contains(&words[0]), "{line}");
    }
}
