use super::*;
use crate::model::{CrateKind, Edition, GitRef, RustVersion};

fn draft(text: &str) -> (Option<Draft>, Vec<Diagnostic>) {
    parse(text, "Trellis.toml")
}

fn messages(text: &str) -> Vec<String> {
    draft(text).1.into_iter().map(|d| format!("{}: {}", d.code.name, d.message)).collect()
}

const SKETCH: &str = r#"
[workspace]
name = "sme-market"
summary = "E-commerce"
edition = "2021"
rust-version = "1.85"
license = "MIT OR Apache-2.0"

[layers]
order = ["foundation", "domain", "app"]

[dependencies]
serde = { version = "1", features = ["derive"], default-features = false }
anyhow = "1"
mine = { git = "https://example.com/mine", tag = "v1" }

[crates.market-core]
kind = "lib"
layer = "foundation"
summary = "Money"
modules = ["money", "ids"]
uses = ["serde"]
dev-uses = ["anyhow"]
requirements = [
  { id = "CORE-1", text = "Amounts in minor units" },
]

[crates.catalog]
kind = "bin"
path = "apps/catalog"
layer = "domain"
depends = ["market-core"]
renamed-from = "katalog"

[[crates.catalog.requirements]]
id = "CAT-1"
text = """
Long text."""

[[allow]]
from = "catalog"
to = "market-core"
reason = "because"

[check]
pending-requirements = "deny"
"#;

#[test]
fn the_sketch_parses_into_the_model() {
    let (draft, diags) = draft(SKETCH);
    assert_eq!(diags, vec![]);
    let spec = draft.unwrap().spec;
    assert_eq!(spec.workspace.name, "sme-market");
    assert_eq!(spec.workspace.edition.as_str(), "2021");
    assert_eq!(spec.workspace.version.to_string(), "0.1.0");
    assert_eq!(spec.workspace.rust_version.map(|v| v.to_string()).as_deref(), Some("1.85"));
    assert_eq!(
        spec.layers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["foundation", "domain", "app"]
    );
    let serde = &spec.dependencies["serde"];
    assert_eq!(serde.version.as_deref(), Some("1"));
    assert_eq!(serde.features, ["derive"]);
    assert_eq!(serde.default_features, Some(false));
    let mine = spec.dependencies["mine"].git.clone().unwrap();
    assert_eq!(mine.reference, Some((GitRef::Tag, "v1".to_owned())));
    assert_eq!(spec.crates.len(), 2);
    let core = &spec.crates[0];
    assert_eq!(core.name.as_str(), "market-core");
    assert_eq!(core.path, "crates/market-core");
    assert_eq!(&SKETCH[core.span.clone()], "market-core");
    assert_eq!(core.modules.len(), 2);
    assert_eq!(core.uses.normal[0].name, "serde");
    assert_eq!(core.uses.dev[0].name, "anyhow");
    assert_eq!(core.requirements[0].id, "CORE-1");
    assert_eq!(&SKETCH[core.requirements[0].span.clone()], "\"CORE-1\"");
    let catalog = &spec.crates[1];
    assert_eq!(catalog.kind, CrateKind::Bin);
    assert_eq!(catalog.path, "apps/catalog");
    assert_eq!(catalog.requirements[0].text, "Long text.");
    assert_eq!(catalog.renamed_from.as_ref().unwrap().name, "katalog");
    assert_eq!(spec.allow[0].reason, "because");
    assert!(spec.check.deny_pending_requirements);
}

#[test]
fn syntax_error_is_one_diagnostic_at_its_place() {
    let (draft, diags) = draft("[workspace]\nname = \n");
    assert!(draft.is_none());
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::TOML_SYNTAX);
    assert!(diags[0].primary.is_some());
}

#[test]
fn common_syntax_errors_get_a_precise_hint() {
    let hint = |text: &str| draft(text).1[0].hint.clone().unwrap();
    assert_eq!(hint("[crates.a]\nkind = lib\n"), "quote it: `\"lib\"`");
    assert_eq!(
        hint("[crates.a]\n[crates.a]\n"),
        "a key or table appears once in a TOML file; merge the two"
    );
}

#[test]
fn a_crate_that_is_not_a_table_is_still_known_by_name() {
    let (draft, diags) = draft("[workspace]\nname = \"t\"\n[crates]\na = 1\n");
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::WRONG_TYPE);
    let draft = draft.unwrap();
    assert_eq!(draft.spec.crates[0].name.as_str(), "a");
    assert!(draft.crates[0].broken);
}

#[test]
fn a_key_in_the_wrong_table_is_told_where_it_belongs() {
    let text = r#"
[workspace]
name = "t"
layer = "low"
[crates.a]
edition = "2021"
description = "x"
name = "a"
dependencies = ["b"]
[check]
reason = "r"
"#;
    let hints: Vec<String> = draft(text).1.into_iter().filter_map(|d| d.hint).collect();
    assert_eq!(
        hints,
        [
            "`layer` belongs in a `[crates.<name>]` table",
            "`edition` belongs in `[workspace]`",
            "write it as `summary`",
            "a crate's name is its table's key: `[crates.<name>]`",
            "list crates of this spec in `depends` (`dev-depends`, `build-depends`) and external crates, by their key in `[dependencies]`, in `uses` (`dev-uses`, `build-uses`)",
            "`reason` belongs in an `[[allow]]` table",
        ]
    );
}

#[test]
fn every_structural_error_is_reported() {
    let text = r#"
nmae = 1
[workspace]
summary = 3
edition = "2023"
[crates.a]
knd = "lib"
kind = "library"
depends = ["b", 4]
requirements = [{ id = "A-1" }]
"#;
    let got = messages(text);
    assert_eq!(
        got,
        [
            "unknown-key: unknown key `nmae` in the top level of the spec",
            "missing-key: `[workspace]` has no `name`",
            "wrong-type: `summary` must be a string, found an integer",
            "invalid-value: unknown edition `2023`",
            "unknown-key: unknown key `knd` in `[crates.a]`",
            "invalid-value: unknown crate kind `library`",
            "wrong-type: `depends` must hold strings, found an integer",
            "missing-key: a requirement of `[crates.a]` has no `text`",
        ]
    );
}

#[test]
fn rust_versions() {
    let parse = |s: &str| RustVersion::parse(s).map(|v| (v.minor(), v.patch()));
    assert_eq!(parse("1.85"), Some((85, 0)));
    assert_eq!(parse("1.85.1"), Some((85, 1)));
    for bad in ["1", "2.0", "1.85.1.2", "1.x", "1.085", "", "1.85-beta"] {
        assert_eq!(parse(bad), None, "{bad}");
    }
    // It shows as written, and compares as the releases do.
    for text in ["1.85", "1.85.0", "1.9.10"] {
        assert_eq!(RustVersion::parse(text).unwrap().to_string(), text);
    }
    assert_eq!(RustVersion::parse("1.85"), RustVersion::parse("1.85.0"));
    assert!(RustVersion::parse("1.9.10") < RustVersion::parse("1.10"));
    assert_eq!(Edition::E2021.min_rust(), RustVersion::new(56, None));
}

#[test]
fn versions_are_read_as_cargo_reads_them() {
    let codes = |text: &str| match crate::parse(text, "Trellis.toml") {
        Ok(_) => Vec::new(),
        Err(ds) => ds.iter().map(|d| d.code.name).collect::<Vec<_>>(),
    };
    let workspace = |v: &str| format!("[workspace]\nname = \"w\"\nversion = \"{v}\"\n[crates.a]\n");
    for good in ["0.1.0", "1.2.3-alpha.1", "1.0.0+build.5", "10.20.30"] {
        assert_eq!(codes(&workspace(good)), Vec::<&str>::new(), "{good}");
    }
    for bad in ["1", "1.2", "01.2.3", "1.2.3-", "a.b.c"] {
        assert_eq!(codes(&workspace(bad)), ["invalid-value"], "{bad}");
    }
    let dependency = |r: &str| {
        format!(
            "[workspace]\nname = \"w\"\n[dependencies]\nx = \"{r}\"\n[crates.a]\nuses = [\"x\"]\n"
        )
    };
    for good in ["1", "^0.4.2", ">=1.2, <2", "~1.3", "=1.0.0", "*", "1.*"] {
        assert_eq!(codes(&dependency(good)), Vec::<&str>::new(), "{good}");
    }
    for bad in ["one", "1.2.3.4", ">= 1 <2", "^", "1.2.3 - 2"] {
        assert_eq!(codes(&dependency(bad)), ["invalid-value"], "{bad}");
    }
}

#[test]
fn git_sources_are_urls_cargo_reads() {
    let codes = |url: &str| {
        let text = format!(
            "[workspace]\nname = \"w\"\n[dependencies]\nx = {{ git = \"{url}\" }}\n[crates.a]\nuses = [\"x\"]\n"
        );
        match crate::parse(&text, "Trellis.toml") {
            Ok(_) => Vec::new(),
            Err(ds) => ds.iter().map(|d| d.code.name).collect::<Vec<_>>(),
        }
    };
    for good in ["https://github.com/o/r", "ssh://git@github.com/o/r.git", "file:///srv/r"] {
        assert_eq!(codes(good), Vec::<&str>::new(), "{good}");
    }
    for bad in ["git@github.com:o/r.git", "github.com/o/r", "https://", "htps://x y"] {
        assert_eq!(codes(bad), ["invalid-source"], "{bad}");
    }
}
