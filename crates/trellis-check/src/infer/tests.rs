use super::*;
use crate::actual::{Member, Workspace};

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

fn workspace(members: Vec<Member>) -> Workspace {
    Workspace { root: "/ws".into(), members }
}

#[test]
fn a_name_the_spec_refuses_is_left_out_and_the_rest_still_parses() {
    let ws = workspace(vec![
        Member::library("ok", "crates/ok", Vec::new()),
        Member::library("async", "crates/async", Vec::new()),
    ]);
    let text = infer(&ws, "t").expect("infer");
    assert!(text.contains("[crates.ok]"), "{text}");
    assert!(!text.contains("[crates.async]"), "{text}");
    assert!(
        text.contains(
            "# Member `async` at `crates/async` is not in this spec: the spec refuses it"
        ),
        "{text}"
    );
    trellis_spec::parse(&text, "Trellis.toml").expect("parses");
}

#[test]
fn a_workspace_with_nothing_to_declare_is_an_error() {
    let mut xtask = Member::library("xtask", "xtask", Vec::new());
    xtask.target_kinds = vec!["bin".to_owned()];
    assert_eq!(infer(&workspace(vec![xtask]), "t"), Err(InferError::NothingToDeclare));
    // A package at the root is declared with `path = "."`.
    let root = infer(&workspace(vec![Member::library("root", ".", Vec::new())]), "t").unwrap();
    assert!(root.contains("path = \".\""), "{root}");
}

#[test]
fn an_old_rust_version_for_the_edition_is_left_out() {
    let mut old = Member::library("a", "crates/a", Vec::new());
    old.rust_version = Some("1.70".to_owned());
    let text = infer(&workspace(vec![old]), "t").expect("infer");
    assert!(!text.contains("rust-version"), "{text}");
}
