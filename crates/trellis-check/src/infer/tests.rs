use super::*;

#[test]
fn requirements_are_written_as_people_write_them() {
    assert_eq!(short_req("^1"), "1");
    assert_eq!(short_req("^0.4.2"), "0.4.2");
    assert_eq!(short_req("=1.2.3"), "=1.2.3");
    assert_eq!(short_req(">=1, <2"), ">=1, <2");
    assert_eq!(short_req("^1, <1.5"), "^1, <1.5");
}

#[test]
fn the_most_common_value_wins_and_ties_keep_the_first() {
    assert_eq!(most_common(["1", "2", "2"].into_iter()), Some(("2", vec!["1"])));
    assert_eq!(most_common(["a", "b"].into_iter()), Some(("a", vec!["b"])));
    assert_eq!(most_common([].into_iter()), None);
}

#[test]
fn text_reaches_toml_safely() {
    for text in ["plain", "a \"b\" \\ c", "it's", "'\"\n", "tab\there", "{{ \"# */"] {
        let doc: toml_edit::DocumentMut =
            format!("x = {}", quote(text)).parse().expect("valid toml");
        assert_eq!(doc["x"].as_str(), Some(text));
    }
    assert_eq!(bare_or_quoted("serde_json-x"), "serde_json-x");
    assert_eq!(bare_or_quoted("a.b"), "\"a.b\"");
    assert_eq!(one_line("two\n  lines "), "two lines");
}
