use super::*;

#[test]
fn toml_strings_survive_anything() {
    assert_eq!(toml_str(r#"say "hi" \ there"#), r#""say \"hi\" \\ there""#);
    assert_eq!(toml_str("a\nb\u{7}"), r#""a\nb\u0007""#);
}

#[test]
fn rust_strings_survive_anything() {
    assert_eq!(rust_str("\"#}{{\\"), r##""\"#}{{\\""##);
}

#[test]
fn doc_lines_are_prefixed_and_escaped() {
    assert_eq!(
        doc("//! ", "one\n\n  two `x` [y] <z>"),
        "//! one\n//!\n//! two \\`x\\` \\[y\\] \\<z\\>"
    );
    assert_eq!(
        doc("/// ", "```\nfn main() {}\n```"),
        "/// \\`\\`\\`\n/// fn main() {}\n/// \\`\\`\\`"
    );
    assert_eq!(doc("/// ", "    indented code"), "/// indented code");
    assert_eq!(doc("/// ", "ends with */ and \"#"), "/// ends with */ and \"#");
    assert_eq!(doc("//! ", ""), "//!");
}

#[test]
fn doc_lines_never_start_a_block() {
    assert_eq!(doc("/// ", "- a\n# b\n1. c\n> d"), "/// \\- a\n/// \\# b\n/// 1\\. c\n/// \\> d");
}

#[test]
fn doc_items_keep_continuations_inside() {
    assert_eq!(
        doc_item("//! ", "CORE-1", "first\nsecond"),
        "//! - **CORE-1**: first\n//!   second"
    );
}

#[test]
fn markdown_cells_stay_on_one_line() {
    assert_eq!(md_cell("a | b\nc"), "a \\| b c");
}

#[test]
fn case_conversions() {
    assert_eq!(snake("market-core"), "market_core");
    assert_eq!(pascal("market-core"), "MarketCore");
    assert_eq!(kebab("market_core"), "market-core");
}

#[test]
fn doc_comments_hold_any_character_a_toml_string_can() {
    assert_eq!(doc("//! ", "Reads\tregisters"), "//! Reads registers");
    assert_eq!(doc("//! ", "one\rtwo"), "//! one\n//! two");
    assert_eq!(doc("//! ", "a\r\nb"), "//! a\n//! b");
    assert_eq!(doc("//! ", "evil \u{202E} text"), "//! evil U+202E text");
    assert_eq!(doc("//! ", "bell\u{7}"), "//! bellU+0007");
    assert!(rust_str("x\u{202E}").contains("\\u{202e}"), "{}", rust_str("x\u{202E}"));
}

#[test]
fn toml_keys_are_bare_where_toml_allows_it() {
    assert_eq!(toml_key("serde-like_2"), "serde-like_2");
    assert_eq!(toml_key("v1.2"), "\"v1.2\"");
    assert_eq!(toml_key("g+h"), "\"g+h\"");
}
