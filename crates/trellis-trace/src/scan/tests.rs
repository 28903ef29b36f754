//! Unit tests of the scanner on tricky inputs: where an id is, and which test it belongs to.

use std::fmt::Write;

use super::{FileScan, Via, scan_file};
use crate::ids::{Id, Ids};

fn ids() -> Ids<'static> {
    Ids::new(vec!["CORE-1", "CORE-2", "PAY.3", "LOGIN"])
}

/// One line per test, then one per hit: `<id> <via> in <test or ->`, with the text it covers.
fn show(src: &str) -> String {
    let ids = ids();
    let mut scan = FileScan::default();
    scan_file(src.as_bytes(), &ids, &mut scan);
    let mut out = String::new();
    for t in &scan.tests {
        let ignored = if t.ignored { " ignored" } else { "" };
        let cases = if t.cases { " cases" } else { "" };
        let _ = writeln!(out, "test {}{ignored}{cases}", t.name(src.as_bytes()));
    }
    for h in &scan.hits {
        let id = match &h.id {
            Id::Known(i) => ids.known[*i].to_owned(),
            Id::Stray(s) => format!("stray {s}"),
        };
        let test = h.test.map_or("-", |t| scan.tests[t].name(src.as_bytes()));
        let via = format!("{:?}", h.via).to_lowercase();
        let _ = writeln!(out, "{id} {via} in {test} `{}`", &src[h.span.clone()]);
    }
    out
}

#[test]
fn the_generated_pending_test() {
    let src = r#"//! CORE-1: the pending test of this requirement.

/// Amounts are kept in minor units with an ISO 4217 currency
#[test]
#[ignore = "pending: CORE-1"]
fn core_1() {
    todo!("CORE-1")
}
"#;
    insta::assert_snapshot!(show(src), @r"
    test core_1 ignored
    CORE-1 doc in - `CORE-1`
    CORE-1 text in core_1 `CORE-1`
    CORE-1 text in core_1 `CORE-1`
    CORE-1 name in core_1 `core_1`
    ");
}

#[test]
fn ignore_without_reason_and_cfg_attr_ignore() {
    let src = r#"
#[test]
#[ignore]
fn core_1() {}

#[test]
#[cfg_attr(miri, ignore)]
fn core_2_under_miri() {}

#[cfg_attr(windows, ignore = "slow")]
#[test]
fn pay_3() {}
"#;
    insta::assert_snapshot!(show(src), @r"
    test core_1 ignored
    test core_2_under_miri
    test pay_3
    CORE-1 name in core_1 `core_1`
    CORE-2 name in core_2_under_miri `core_2_under_miri`
    PAY.3 name in pay_3 `pay_3`
    ");
}

#[test]
fn parametrised_and_property_tests_are_tests_and_some_make_cases() {
    let src = r#"
#[rstest]
#[case(1)]
#[case::named(2)]
fn core_1(#[case] n: u32) {}

#[test_case::test_case(1 ; "one")]
#[test_case(2)]
fn core_2(n: u32) {}

#[test_matrix([1, 2], [3, 4])]
fn pay_3(a: u32, b: u32) {}

#[test_strategy::proptest]
fn login(x: u32) {}

proptest! {
    #[test]
    fn core_1_holds(x in 0..10u32) {}
}

#[proptest::property_test]
fn core_2_holds(x: u32) {}

#[quickcheck]
fn pay_3_holds(x: u32) -> bool { true }
"#;
    insta::assert_snapshot!(show(src), @r"
    test core_1 cases
    test core_2 cases
    test pay_3 cases
    test login
    test core_1_holds
    test core_2_holds
    test pay_3_holds
    CORE-1 name in core_1 `core_1`
    CORE-2 name in core_2 `core_2`
    PAY.3 name in pay_3 `pay_3`
    LOGIN name in login `login`
    CORE-1 name in core_1_holds `core_1_holds`
    CORE-2 name in core_2_holds `core_2_holds`
    PAY.3 name in pay_3_holds `pay_3_holds`
    ");
}

#[test]
fn markers_on_and_in_tests() {
    let src = r#"
// covers: CORE-1, CORE-2
#[test]
fn rounds() {
    /* Covers: PAY.3 */
    let x = 1; // covers: LOGIN
}

/// Checks the currency.
///
/// covers: CORE-2
#[tokio::test(flavor = "current_thread")]
async fn currency() {}

// covers: CORE-1 is not a marker outside a test
fn helper() {}
"#;
    insta::assert_snapshot!(show(src), @r"
    test rounds
    test currency
    CORE-1 marker in rounds `CORE-1`
    CORE-2 marker in rounds `CORE-2`
    PAY.3 marker in rounds `PAY.3`
    LOGIN marker in rounds `LOGIN`
    CORE-2 marker in currency `CORE-2`
    CORE-1 text in - `CORE-1`
    ");
}

#[test]
fn ids_in_strings_raw_strings_and_chars() {
    let src = r##"
fn not_a_test() {
    let a = "CORE-1 in a string";
    let b = r#"a raw "CORE-2" string"#;
    let c = b"PAY.3";
    let d = '"'; let e = '\''; let f: &'static str = "LOGIN";
    let g = r"CORE-1";
}
"##;
    insta::assert_snapshot!(show(src), @r#"
    CORE-1 text in - `CORE-1`
    CORE-2 text in - `CORE-2`
    PAY.3 text in - `PAY.3`
    LOGIN text in - `LOGIN`
    CORE-1 text in - `CORE-1`
    "#);
}

#[test]
fn a_quote_in_a_char_literal_does_not_open_a_string() {
    // Were `'"'` read as opening a string, the comment would be swallowed into it.
    let src = "fn f() { let q = '\"'; } // CORE-1\n#[test] fn core_2() {}\n";
    insta::assert_snapshot!(show(src), @r"
    test core_2
    CORE-1 text in - `CORE-1`
    CORE-2 name in core_2 `core_2`
    ");
}

#[test]
fn nested_block_comments_and_test_looking_text_inside_them() {
    let src = r#"
/* outer /* inner CORE-1 */ still a comment: #[test] fn core_2() {} */
/** An outer doc block on a test: CORE-2 */
#[test]
fn t() {}
/*! inner doc: PAY.3 */
"#;
    insta::assert_snapshot!(show(src), @r"
    test t
    CORE-1 text in t `CORE-1`
    CORE-2 doc in t `CORE-2`
    PAY.3 doc in - `PAY.3`
    ");
}

#[test]
fn tests_in_nested_modules() {
    let src = r#"
pub fn f() {}

#[cfg(test)]
mod tests {
    mod deeper {
        use super::*;

        #[test]
        fn core_1_rounds_half_even() {
            assert_eq!(1, 1, "CORE-2 is mentioned, not covered");
        }
    }

    #[test]
    pub(crate) fn login() {}
}
"#;
    insta::assert_snapshot!(show(src), @r#"
    test core_1_rounds_half_even
    test login
    CORE-2 text in core_1_rounds_half_even `CORE-2`
    CORE-1 name in core_1_rounds_half_even `core_1_rounds_half_even`
    LOGIN name in login `login`
    "#);
}

#[test]
fn whole_words_only_and_strays() {
    let src = r#"
// CORE-1. (CORE-2) CORE-12 CORE-1a XCORE-1 CORE-1.5 core-1 CORE_1 PAY.30 LOGIN2 CORE-
// RFC-2119 and 2024 are not id-shaped; CORE-007 is
#[test]
fn core_9_old_name() {}
"#;
    insta::assert_snapshot!(show(src), @r"
    test core_9_old_name
    CORE-1 text in core_9_old_name `CORE-1`
    CORE-2 text in core_9_old_name `CORE-2`
    stray CORE-12 text in core_9_old_name `CORE-12`
    stray PAY.30 text in core_9_old_name `PAY.30`
    stray CORE-007 text in core_9_old_name `CORE-007`
    stray CORE-9 name in core_9_old_name `core_9_old_name`
    ");
}

#[test]
fn attributes_inner_docs_and_items_between_reset_what_is_attached() {
    let src = r#"//! CORE-1 in the module docs
#![allow(dead_code)]

// covers: CORE-2
struct NotATest;

#[test]
fn plain() {}

#[test]
fn
/* a comment between */ core_1() -> Result<(), String> { Ok(()) }
"#;
    insta::assert_snapshot!(show(src), @r"
    test plain
    test core_1
    CORE-1 doc in - `CORE-1`
    CORE-2 text in - `CORE-2`
    CORE-1 name in core_1 `core_1`
    ");
}

#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "#",
        "#[",
        "#[test",
        "#[test] fn",
        "#[test] fn (",
        "\"unterminated",
        "r#\"raw",
        "/* open",
        "'",
        "b'",
        "'\\",
        "r#",
        "br##\"x\"#",
        "fn\u{0}\u{ff}",
        "#[test] fn x() { { {",
        "// covers:",
        "é'é'",
        "'\u{1F600}'",
        "#[test]\n#[ignore] fn core_1(",
        "/**/ /***/ //// CORE-1",
    ];
    for src in inputs {
        let _ = show(src);
    }
    // Bytes that are not UTF-8 are read too.
    let ids = ids();
    let mut scan = FileScan::default();
    scan_file(b"// CORE-1 \xff\xfe \"CORE-2\xff\"", &ids, &mut scan);
    assert_eq!(scan.hits.len(), 2);
}

#[test]
fn a_marker_can_name_several_ids_and_the_via_reflects_it() {
    let ids = ids();
    let src = "#[test]\nfn t() {\n    // covers: CORE-1 CORE-2; see also LOGIN\n}\n";
    let mut scan = FileScan::default();
    scan_file(src.as_bytes(), &ids, &mut scan);
    let vias: Vec<Via> = scan.hits.iter().map(|h| h.via).collect();
    assert_eq!(vias, [Via::Marker, Via::Marker, Via::Marker]);
}

#[test]
fn ids_that_end_in_punctuation_and_sentences_that_do() {
    let ids = Ids::new(vec!["API-", "V1.", "CORE-1"]);
    let mut scan = FileScan::default();
    let src = "// API-, V1. and CORE-1. end here; API- V1 (V1.) CORE-1_\n";
    scan_file(src.as_bytes(), &ids, &mut scan);
    let found: Vec<&str> = scan.hits.iter().map(|h| &src[h.span.clone()]).collect();
    assert_eq!(found, ["API-", "V1.", "CORE-1", "API-", "V1.", "CORE-1"]);
}

proptest::proptest! {
    /// Any mix of Rust's tricky fragments scans without panicking, and every hit is an id.
    #[test]
    fn fragments_never_panic_and_hits_are_ids(parts in proptest::collection::vec(
        proptest::sample::select(vec![
            "#[test]", "#[ignore]", "#[cfg_attr(x, ignore)]", "fn ", "core_1", "() ", "{", "}",
            "(", ")", "[", "]", ";", "//", "///", "//!", "/*", "*/", "/**", "\"", "r#\"", "\"#",
            "'", "'a", "b'", "\\", "\n", " ", "CORE-1", "CORE-2", "CORE-99", "covers:", "é",
            "r#fn", "mod m ", "pub ", "#", "!", "PAY.3", "LOGIN", "_", "-", ".",
        ]),
        0..40,
    )) {
        let src = parts.concat();
        let ids = ids();
        let mut scan = FileScan::default();
        scan_file(src.as_bytes(), &ids, &mut scan);
        for hit in &scan.hits {
            let text = &src.as_bytes()[hit.span.clone()];
            let ok = match &hit.id {
                Id::Known(i) if hit.via == Via::Name => {
                    text.starts_with(trellis_spec::requirement_test_name(ids.known[*i]).as_bytes())
                }
                Id::Known(i) => text == ids.known[*i].as_bytes(),
                Id::Stray(s) => hit.via == Via::Name || text == s.as_bytes(),
            };
            proptest::prop_assert!(ok, "{hit:?} in {src:?}");
            if let Some(t) = hit.test {
                proptest::prop_assert!(t < scan.tests.len());
            }
        }
        proptest::prop_assert!(ids.may_hold_id(src.as_bytes()) || scan.hits.is_empty());
    }

    /// The prefilter never hides a hit: ids, id-shaped words and test names pieced together
    /// from fragments are all found in a file it lets through, and it lets through every file
    /// that has one.
    #[test]
    fn a_file_the_prefilter_skips_holds_no_id(parts in proptest::collection::vec(
        proptest::sample::select(vec![
            "C", "O", "RE", "co", "re", "-", "_", ".", "1", "7", "PA", "Y", "pa", "y", "LOG", "IN",
            "log", "in", " ", "\n", "// ", "\"", "#[test]\nfn ", "() {}\n", "covers: ",
        ]),
        0..30,
    )) {
        let src = parts.concat();
        let ids = ids();
        let mut scan = FileScan::default();
        scan_file(src.as_bytes(), &ids, &mut scan);
        proptest::prop_assert!(ids.may_hold_id(src.as_bytes()) || scan.hits.is_empty(), "{src:?}");
    }
}

#[test]
fn the_prefilter_searches_for_a_few_stems_or_lets_everything_through() {
    let ids = ids();
    let holds = |src: &str| ids.may_hold_id(src.as_bytes());
    assert_eq!(
        ["fn main() {}", "// CORE-7", "fn core_3_x", "PAY.", "pay_9", "LOGIN", "fn login_ok"]
            .map(holds),
        [false, true, true, true, true, true, true]
    );
    // Each prefix is two needles; past eight needles every file is scanned.
    let many: Vec<String> = (0..5).map(|k| format!("P{k}-1")).collect();
    let many = Ids::new(many.iter().map(String::as_str).collect());
    assert!(many.may_hold_id(b"fn main() {}"));
    assert!(!Ids::new(Vec::new()).may_hold_id(b"// CORE-1"));
}
