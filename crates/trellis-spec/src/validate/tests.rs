use super::*;

use crate::codes;

const HEAD: &str = "[workspace]\nname = \"t\"\n";

/// The codes of every diagnostic of `body` (after a valid `[workspace]`), in text order.
fn codes_of(body: &str) -> Vec<&'static str> {
    let text = format!("{HEAD}{body}");
    match crate::parse(&text, "Trellis.toml") {
        Ok(parsed) => parsed.warnings.iter().map(|d| d.code.name).collect(),
        Err(diags) => diags.iter().map(|d| d.code.name).collect(),
    }
}

#[test]
fn a_valid_spec_has_no_diagnostics() {
    let body = r#"
[layers]
order = ["low", "high"]
[dependencies]
serde = "1"
[crates.a]
layer = "low"
uses = ["serde"]
dev-depends = ["b"]
[crates.b]
layer = "high"
depends = ["a"]
build-depends = ["a"]
"#;
    assert_eq!(codes_of(body), Vec::<&str>::new());
}

#[test]
fn invalid_and_discouraged_crate_names() {
    assert_eq!(codes_of("[crates.1a]\n"), ["invalid-crate-name"]);
    assert_eq!(codes_of("[crates.fn]\n"), ["invalid-crate-name"]);
    assert_eq!(codes_of("[crates.test]\n"), ["invalid-crate-name"]);
    assert_eq!(codes_of("[crates.nul]\n"), ["invalid-crate-name"]);
    // A `bin` crate of a build folder's name may exist with binaries named otherwise; only
    // creating one is refused (`created_binaries`).
    assert_eq!(codes_of("[crates.deps]\nkind = \"bin\"\n"), ["discouraged-crate-name"]);
    assert_eq!(codes_of("[crates.deps]\n"), ["discouraged-crate-name"]);
    assert_eq!(codes_of("[crates.core]\n"), ["discouraged-crate-name"]);
    assert_eq!(codes_of("[crates.Core]\n"), ["discouraged-crate-name"]);
    assert_eq!(codes_of("[crates.\"a.b\"]\n"), ["invalid-crate-name"]);
    // The workspace's own xtask: Trellis then generates none.
    assert_eq!(codes_of("[crates.xtask]\n"), Vec::<&str>::new());
}

#[test]
fn names_that_collide_in_code() {
    assert_eq!(codes_of("[crates.a-b]\n[crates.a_b]\n"), ["crate-name-collision"]);
}

#[test]
fn paths() {
    for bad in [
        "",
        "/abs",
        "C:/x",
        "~/x",
        "a\\b",
        "../x",
        "a/../../x",
        "target/x",
        "crates/*",
        "crates/a?",
        "crates/[ab]",
        "crates/con",
    ] {
        let body = format!("[crates.a]\npath = {bad:?}\n");
        assert_eq!(codes_of(&body), ["invalid-path"], "{bad}");
    }
    assert_eq!(codes_of("[crates.a]\npath = \"xtask/a\"\n"), Vec::<&str>::new());
    assert_eq!(
        codes_of("[crates.a]\npath = \"x\"\n[crates.b]\npath = \"./x/\"\n"),
        ["path-overlap"]
    );
    assert_eq!(codes_of("[crates.a]\npath = \"X\"\n[crates.b]\npath = \"x\"\n"), ["path-overlap"]);
    // A package nested in another's folder, and a package at the root, are real shapes.
    assert_eq!(
        codes_of("[crates.a]\npath = \"x\"\n[crates.b]\npath = \"x/b\"\n"),
        Vec::<&str>::new()
    );
    assert_eq!(codes_of("[crates.a]\npath = \".\"\n[crates.b]\n"), Vec::<&str>::new());
    assert_eq!(codes_of("[crates.a]\npath = \".\"\n[crates.b]\npath = \"./\"\n"), ["path-overlap"]);
    assert_eq!(
        codes_of("[crates.a]\npath = \"x\"\n[crates.b]\npath = \"xy\"\n"),
        Vec::<&str>::new()
    );
}

#[test]
fn a_keyword_of_the_2024_edition_is_a_crate_name_before_it() {
    let spec = |edition: &str| {
        format!("[workspace]\nname = \"w\"\nedition = \"{edition}\"\n[crates.gen]\n")
    };
    let codes = |text: &str| match crate::parse(text, "Trellis.toml") {
        Ok(_) => Vec::new(),
        Err(ds) => ds.iter().map(|d| d.code.name).collect::<Vec<_>>(),
    };
    assert_eq!(codes(&spec("2021")), Vec::<&str>::new());
    assert_eq!(codes(&spec("2024")), ["invalid-crate-name"]);
}

#[test]
fn paths_are_normalized() {
    assert_eq!(normalize_path("./crates//a/"), Ok("crates/a".to_owned()));
    assert_eq!(normalize_path("a/./b"), Ok("a/b".to_owned()));
    let text = format!("{HEAD}[crates.a]\npath = \"./apps/a/\"\n");
    let spec = crate::parse(&text, "t").unwrap().spec;
    assert_eq!(spec.crates[0].path, "apps/a");
}

#[test]
fn edges_to_unknown_self_binary_and_repeats() {
    assert_eq!(codes_of("[crates.a]\ndepends = [\"b\"]\n"), ["unknown-crate"]);
    assert_eq!(codes_of("[crates.a]\ndepends = [\"a\"]\n"), ["self-dependency"]);
    assert_eq!(codes_of("[crates.a]\nbuild-depends = [\"a\"]\n"), ["self-dependency"]);
    assert_eq!(
        codes_of("[crates.a]\nkind = \"bin\"\n[crates.b]\ndepends = [\"a\"]\n"),
        ["depends-on-binary"]
    );
    assert_eq!(codes_of("[crates.a]\n[crates.b]\ndepends = [\"a\", \"a\"]\n"), ["duplicate-entry"]);
    assert_eq!(codes_of("[crates.a]\nuses = [\"serde\"]\n"), ["unknown-dependency"]);
    assert_eq!(
        codes_of("[dependencies]\nserde = \"1\"\n[crates.a]\nuses = [\"serde\", \"serde\"]\n"),
        ["duplicate-entry"]
    );
}

#[test]
fn misplaced_names_get_the_right_hint() {
    let text = format!(
        "{HEAD}[dependencies]\nserde = \"1\"\n[crates.a]\ndepends = [\"serde\"]\n[crates.b]\nuses = [\"a\", \"serde\"]\n"
    );
    let diags = crate::parse(&text, "t").unwrap_err();
    let hints: Vec<&str> = diags.iter().filter_map(|d| d.hint.as_deref()).collect();
    assert_eq!(
        hints,
        [
            "`serde` is an external dependency: list it in `uses`",
            "`a` is a crate of this spec: list it in `depends`",
        ]
    );
}

#[test]
fn a_dependency_on_an_old_name_points_at_the_rename() {
    let text = format!(
        "{HEAD}[crates.ledger]\nrenamed-from = \"books\"\n[crates.app]\ndepends = [\"books\"]\n"
    );
    let diags = crate::parse(&text, "t").unwrap_err();
    assert_eq!(diags[0].code, codes::UNKNOWN_CRATE);
    assert_eq!(diags[0].hint.as_deref(), Some("`books` was renamed to `ledger`"));
}

#[test]
fn cycles_through_normal_and_build_edges_but_not_dev() {
    let cycle = "[crates.a]\ndepends = [\"b\"]\n[crates.b]\nbuild-depends = [\"c\"]\n[crates.c]\ndepends = [\"a\"]\n";
    let text = format!("{HEAD}{cycle}");
    let diags = crate::parse(&text, "t").unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, codes::DEPENDENCY_CYCLE);
    assert_eq!(diags[0].message, "dependency cycle: a -> b -> c -> a");
    assert_eq!(diags[0].secondary.len(), 2);
    let dev = "[crates.a]\ndepends = [\"b\"]\n[crates.b]\ndev-depends = [\"a\"]\n";
    assert_eq!(codes_of(dev), Vec::<&str>::new());
}

#[test]
fn layers() {
    let layered = "[layers]\norder = [\"low\", \"high\"]\n";
    assert_eq!(
        codes_of(&format!(
            "{layered}[crates.a]\nlayer = \"low\"\ndepends = [\"b\"]\n[crates.b]\nlayer = \"high\"\n"
        )),
        ["layer-violation"]
    );
    // Dev edges may point up: tests of a low crate may use a high one.
    assert_eq!(
        codes_of(&format!(
            "{layered}[crates.a]\nlayer = \"low\"\ndev-depends = [\"b\"]\n[crates.b]\nlayer = \"high\"\n"
        )),
        Vec::<&str>::new()
    );
    // An exception with a reason lets an upward edge through.
    assert_eq!(
        codes_of(&format!(
            "{layered}[crates.a]\nlayer = \"low\"\ndepends = [\"b\"]\n[crates.b]\nlayer = \"high\"\n[[allow]]\nfrom = \"a\"\nto = \"b\"\nreason = \"legacy\"\n"
        )),
        Vec::<&str>::new()
    );
    assert_eq!(codes_of(&format!("{layered}[crates.a]\nlayer = \"hihg\"\n")), ["unknown-layer"]);
    assert_eq!(codes_of(&format!("{layered}[crates.a]\n")), ["missing-layer"]);
    assert_eq!(codes_of("[crates.a]\nlayer = \"low\"\n"), ["layer-without-layers"]);
    assert_eq!(
        codes_of("[layers]\norder = [\"low\", \"low\"]\n[crates.a]\nlayer = \"low\"\n"),
        ["duplicate-layer"]
    );
}

#[test]
fn requirement_ids() {
    let req = |ids: &[&str]| {
        let list: Vec<String> =
            ids.iter().map(|id| format!("{{ id = {id:?}, text = \"t\" }}")).collect();
        codes_of(&format!("[crates.a]\nrequirements = [{}]\n", list.join(", ")))
    };
    assert_eq!(req(&["A-1", "A.2", "a_3"]), Vec::<&str>::new());
    assert_eq!(req(&["A-1", "A-1"]), ["duplicate-requirement"]);
    assert_eq!(req(&["A-1", "a-1"]), ["requirement-name-collision"]);
    assert_eq!(req(&["A-1", "A.1"]), ["requirement-name-collision"]);
    assert_eq!(req(&["1A"]), ["invalid-requirement-id"]);
    assert_eq!(req(&["A 1"]), ["invalid-requirement-id"]);
    assert_eq!(req(&["FN"]), ["invalid-requirement-id"]);
    assert_eq!(req(&["A--1"]), ["invalid-requirement-id"]);
    assert_eq!(req(&["MAIN"]), ["invalid-requirement-id"]);
    // Ids are unique across crates too.
    assert_eq!(
        codes_of(
            "[crates.a]\nrequirements = [{ id = \"X\", text = \"t\" }]\n[crates.b]\nrequirements = [{ id = \"X\", text = \"u\" }]\n"
        ),
        ["duplicate-requirement"]
    );
    assert!(is_requirement_id("CORE-1.2_b"));
    assert!(!is_requirement_id("-1"));
}

#[test]
fn modules() {
    let m = |names: &str| codes_of(&format!("[crates.a]\nmodules = [{names}]\n"));
    assert_eq!(m("\"money\", \"ids\""), Vec::<&str>::new());
    assert_eq!(m("\"pay-out\""), ["invalid-module"]);
    assert_eq!(m("\"mod\""), ["invalid-module"]);
    assert_eq!(m("\"Money\""), ["invalid-module"]);
    assert_eq!(m("\"lib\""), ["invalid-module"]);
    assert_eq!(m("\"money\", \"money\""), ["duplicate-module"]);
}

#[test]
fn external_dependencies() {
    // A member used from the registry under its own name: its released version.
    assert_eq!(
        codes_of("[dependencies]\na = \"1\"\n[crates.a]\n[crates.b]\nuses = [\"a\"]\n"),
        Vec::<&str>::new()
    );
    assert_eq!(
        codes_of(
            "[dependencies]\na = \"1\"\n[crates.a]\n[crates.b]\ndepends = [\"a\"]\nuses = [\"a\"]\n"
        ),
        ["duplicate-entry"]
    );
    assert_eq!(
        codes_of(
            "[dependencies]\nmarket_core = \"1\"\n[crates.market-core]\nuses = [\"market_core\"]\n"
        ),
        ["dependency-shadows-crate"]
    );
    // A member and an external crate of one key, as cargo allows: other crates use each.
    assert_eq!(
        codes_of(
            "[dependencies]\nsolar = { package = \"solar-compiler\", version = \"1\" }\n[crates.solar]\n[crates.a]\ndepends = [\"solar\"]\n[crates.b]\nuses = [\"solar\"]\n"
        ),
        Vec::<&str>::new()
    );
    assert_eq!(
        codes_of(
            "[dependencies]\nsolar_x = \"1\"\n[crates.solar-x]\n[crates.b]\nuses = [\"solar_x\"]\n"
        ),
        Vec::<&str>::new()
    );
    // One crate using both: one name in its code for two crates.
    assert_eq!(
        codes_of(
            "[dependencies]\nsolar_x = \"1\"\n[crates.solar-x]\n[crates.b]\ndev-depends = [\"solar-x\"]\nuses = [\"solar_x\"]\n"
        ),
        ["dependency-shadows-crate"]
    );
    assert_eq!(codes_of("[dependencies]\nserde = \"1\"\n[crates.a]\n"), ["unused-dependency"]);
}

#[test]
fn allowances_and_renames() {
    let allow = |from: &str, to: &str| {
        let text = format!(
            "{HEAD}[crates.orders]\n[crates.catalog]\n[[allow]]\nfrom = {from:?}\nto = {to:?}\nreason = \"r\"\n"
        );
        match crate::parse(&text, "t") {
            Ok(parsed) => parsed.warnings.iter().map(|d| (d.severity, d.code.name)).collect(),
            Err(diags) => diags.iter().map(|d| (d.severity, d.code.name)).collect::<Vec<_>>(),
        }
    };
    use crate::diag::Severity::{Error, Warning};
    assert_eq!(allow("order", "catalog"), [(Error, "unknown-crate")]);
    assert_eq!(allow("orders", "catalgo"), [(Warning, "unknown-crate")]);
    // `check` reads exceptions for external crates, listed or not.
    assert_eq!(allow("orders", "legacy-http"), []);
    assert_eq!(codes_of("[crates.a]\nrenamed-from = \"a\"\n"), ["invalid-rename"]);
    assert_eq!(codes_of("[crates.a]\nrenamed-from = \"b\"\n[crates.b]\n"), ["invalid-rename"]);
    assert_eq!(
        codes_of("[crates.a]\nrenamed-from = \"c\"\n[crates.b]\nrenamed-from = \"c\"\n"),
        ["invalid-rename"]
    );
    assert_eq!(codes_of("[crates.a]\nrenamed-from = \"old-a\"\n"), Vec::<&str>::new());
}

#[test]
fn file_names_the_spec_derives_hold_on_every_system() {
    // Windows device names, as modules and as requirement tests.
    assert_eq!(codes_of("[crates.a]\nmodules = [\"aux\"]\n"), ["invalid-module"]);
    assert_eq!(codes_of("[crates.a]\nmodules = [\"com1\"]\n"), ["invalid-module"]);
    let requirement =
        |id: &str| format!("[crates.a]\nrequirements = [{{ id = \"{id}\", text = \"t\" }}]\n");
    assert_eq!(codes_of(&requirement("NUL")), ["invalid-requirement-id"]);
    assert_eq!(codes_of(&requirement("prn")), ["invalid-requirement-id"]);
    // Names longer than a file name may be.
    let long = "a".repeat(300);
    assert_eq!(codes_of(&format!("[crates.{long}]\n")), ["invalid-crate-name"]);
    assert_eq!(codes_of(&format!("[crates.a]\nmodules = [\"{long}\"]\n")), ["invalid-module"]);
    assert_eq!(codes_of(&format!("[crates.a]\npath = \"x/{long}\"\n")), ["invalid-path"]);
}

#[test]
fn a_crate_named_like_the_sysroot_cannot_be_depended_on() {
    assert_eq!(codes_of("[crates.std]\n"), ["discouraged-crate-name"]);
    assert_eq!(
        codes_of("[crates.std]\n[crates.a]\ndepends = [\"std\"]\n"),
        ["discouraged-crate-name", "invalid-crate-name"]
    );
    // `core` as a dependency's name builds: a warning only.
    assert_eq!(
        codes_of("[crates.core]\n[crates.a]\ndepends = [\"core\"]\n"),
        ["discouraged-crate-name"]
    );
}

#[test]
fn a_dependency_on_a_crate_without_a_library_is_one_error() {
    let spec = "[layers]\norder = [\"low\", \"high\"]\n[crates.tool]\nkind = \"bin\"\nlayer = \"high\"\n[crates.a]\nlayer = \"low\"\ndepends = [\"tool\"]\n";
    assert_eq!(codes_of(spec), ["depends-on-binary"]);
}

#[test]
fn features_are_names_cargo_takes_and_a_summary_holds_no_nul() {
    let dep = |f: &str| {
        format!(
            "[dependencies]\nx = {{ version = \"1\", features = [\"{f}\"] }}\n[crates.a]\nuses = [\"x\"]\n"
        )
    };
    assert_eq!(codes_of(&dep("derive")), Vec::<&str>::new());
    assert_eq!(codes_of(&dep("a/b")), ["invalid-value"]);
    assert_eq!(codes_of(&dep("dep:x")), ["invalid-value"]);
    assert_eq!(codes_of("[crates.a]\nfeatures = [\"v1.2\", \"g+h\"]\n"), Vec::<&str>::new());
    assert_eq!(codes_of("[crates.a]\nsummary = \"a\\u0000b\"\n"), ["invalid-value"]);
}
