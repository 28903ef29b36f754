use super::*;

fn refused(name: &str, has_bin: bool) -> NameError {
    check_crate_name(name, has_bin).expect_err(name)
}

#[test]
fn ordinary_names_pass_without_warnings() {
    for name in ["market-core", "a", "_private", "x86_64", "serde_json", "a-b_c-1"] {
        assert_eq!(check_crate_name(name, true), Ok(vec![]), "{name}");
    }
}

#[test]
fn cargo_refuses_a_bad_start_or_character() {
    assert_eq!(refused("", false), NameError::Empty);
    assert!(matches!(refused("1password", false), NameError::BadStart { first: '1', .. }));
    assert!(matches!(refused("-x", false), NameError::BadStart { first: '-', .. }));
    assert!(matches!(refused("a.b", false), NameError::BadChar { found: '.', .. }));
    assert!(matches!(refused("a b", false), NameError::BadChar { found: ' ', .. }));
    assert!(matches!(refused("a/b", false), NameError::BadChar { found: '/', .. }));
    // Rust cannot load a crate with a non-ASCII name, so Trellis refuses what cargo warns on.
    assert!(matches!(refused("café", false), NameError::BadChar { found: 'é', .. }));
    assert!(matches!(refused("été", false), NameError::BadStart { first: 'é', .. }));
}

#[test]
fn keywords_and_test_are_refused() {
    // `gen` is a keyword of the 2024 edition only: validation refuses it there (see validate).
    for kw in ["fn", "Self", "self", "async", "try", "abstract", "yield"] {
        assert_eq!(refused(kw, false), NameError::Keyword(kw.to_owned()));
    }
    assert_eq!(refused("test", false), NameError::Test);
    // Not keywords: weak keywords and near misses.
    for ok in ["union", "raw", "safe", "fns", "r#fn2"].iter().filter(|n| !n.contains('#')) {
        assert!(check_crate_name(ok, false).is_ok(), "{ok}");
    }
}

#[test]
fn build_folder_names_are_refused_for_binaries_only() {
    for name in BUILD_FOLDERS {
        assert_eq!(refused(name, true), NameError::BuildFolder((*name).to_owned()));
        assert_eq!(check_crate_name(name, false), Ok(vec![NameWarning::BuildFolderLib]));
    }
}

#[test]
fn only_a_bin_crate_trellis_creates_is_refused_a_build_folder_name() {
    let text = "[workspace]\nname = \"t\"\n[crates.examples]\nkind = \"bin\"\npath = \"examples\"\n[crates.build]\n";
    let spec = crate::parse(text, "t").expect("a bin crate may keep such a name").spec;
    let refused = created_binaries(&spec, "t", |_| true);
    assert_eq!(refused.len(), 1, "the lib `build` creates no binary: {refused:?}");
    assert_eq!(refused[0].code.name, "invalid-crate-name");
    assert!(created_binaries(&spec, "t", |_| false).is_empty());
}

#[test]
fn windows_reserved_names_in_any_case() {
    for name in ["con", "PRN", "Aux", "nul", "com1", "COM9", "lpt1", "lPt9"] {
        assert!(is_windows_reserved(name), "{name}");
        assert!(matches!(refused(name, false), NameError::WindowsReserved(_)), "{name}");
    }
    for name in ["com0", "com10", "lpt", "console", "nul1", "auxx"] {
        assert!(!is_windows_reserved(name), "{name}");
    }
}

#[test]
fn cargo_only_warns_on_std_names_and_upper_case() {
    for name in ["core", "std", "alloc", "proc_macro", "proc-macro"] {
        assert_eq!(check_crate_name(name, false), Ok(vec![NameWarning::StdLibrary]), "{name}");
    }
    assert_eq!(check_crate_name("MyCrate", false), Ok(vec![NameWarning::UpperCase]));
    assert!(NameWarning::UpperCase.hint("MyCrate").starts_with("cargo recommends `mycrate`"));
}

#[test]
fn doubled_separators_warn_as_rustc_would() {
    for name in ["a--b", "a__b", "a-_b"] {
        assert_eq!(check_crate_name(name, false), Ok(vec![NameWarning::DoubleSeparator]), "{name}");
    }
    // rustc trims leading and trailing `_` before it looks.
    for name in ["__a", "a__", "a-", "_a-b"] {
        assert_eq!(check_crate_name(name, false), Ok(vec![]), "{name}");
    }
    assert!(NameWarning::DoubleSeparator.hint("a__b").ends_with("e.g. `a-b`"));
}

#[test]
fn identifiers_for_modules_and_tests() {
    for ok in ["money", "payout_account", "_private", "v2", "a_b_c", "trailing_"] {
        assert_eq!(check_ident(ok), Ok(()), "{ok}");
    }
    for bad in ["", "_", "__", "2fa", "pay-out", "café", "a.b"] {
        assert!(matches!(check_ident(bad), Err(IdentError::NotIdent(_))), "{bad}");
    }
    for kw in ["mod", "fn", "type", "gen", "self", "crate"] {
        assert!(matches!(check_ident(kw), Err(IdentError::Keyword(_))), "{kw}");
    }
    for not_snake in ["Money", "payOut", "a__b"] {
        assert!(matches!(check_ident(not_snake), Err(IdentError::NotSnakeCase(_))), "{not_snake}");
    }
}

#[test]
fn crate_idents_swap_dashes() {
    assert_eq!(crate_ident("market-core"), "market_core");
}

#[test]
fn a_module_declaration_is_found_in_every_form_rust_writes_it() {
    for text in [
        "mod money;",
        "pub mod money;\n",
        "  pub(crate) mod money;",
        "pub(in crate::a) mod money {",
        "mod money {}",
        "pub mod money ;",
    ] {
        assert!(declares_module(text, "money"), "{text:?}");
    }
    for text in ["mod moneys;", "use money;", "// nothing", "pub mod mon;", "fn money() {}"] {
        assert!(!declares_module(text, "money"), "{text:?}");
    }
}
