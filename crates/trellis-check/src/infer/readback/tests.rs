use std::collections::BTreeMap;

use super::*;

/// Files in memory, by path relative to the workspace root.
struct Files(BTreeMap<String, String>);

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        Files(files.iter().map(|(p, t)| ((*p).to_owned(), (*t).to_owned())).collect())
    }
}

impl Sources for Files {
    fn text(&self, path: &str) -> Option<String> {
        self.0.get(path).cloned()
    }
    fn is_file(&self, path: &str) -> bool {
        self.0.contains_key(path)
    }
    fn rust_files(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{dir}/");
        self.0
            .keys()
            .filter_map(|p| p.strip_prefix(&prefix))
            .filter(|name| !name.contains('/') && name.ends_with(".rs"))
            .map(str::to_owned)
            .collect()
    }
}

fn lib() -> Member {
    Member::library("core", "crates/core", Vec::new())
}

fn found(id: &str, text: &str) -> Found {
    Found { id: id.to_owned(), text: text.to_owned(), note: None }
}

const PENDING: &str = "//! CORE-1: the pending test of this requirement.

/// Amounts are kept in \\[minor\\] units \\<always\\>.
#[test]
#[ignore = \"pending: CORE-1\"]
fn core_1() {
    todo!(\"CORE-1\")
}
";

#[test]
fn file_modules_are_read_and_inline_or_missing_ones_are_not() {
    let root = "//! The crate.

pub mod money;
mod ids;
pub(crate) mod error;
mod inline {
    mod nested;
}
// mod commented;
pub mod renamed;
";
    let files = Files::new(&[
        ("crates/core/src/lib.rs", root),
        ("crates/core/src/money.rs", ""),
        ("crates/core/src/ids.rs", ""),
        ("crates/core/src/error.rs", ""),
        ("crates/core/src/nested.rs", ""),
        // The person renamed `renamed.rs` on disk and the root still says `renamed`.
        ("crates/core/src/currency.rs", ""),
    ]);
    let back = read_back(&lib(), &files);
    assert_eq!(back.modules, ["money", "ids", "error"]);
    assert_eq!(back.notes.len(), 1, "{:?}", back.notes);
    assert!(back.notes[0].contains("`src/renamed.rs` does not exist"), "{:?}", back.notes);
}

#[test]
fn a_crate_root_elsewhere_is_left_alone() {
    let mut m = lib();
    m.roots = vec!["lib.rs".to_owned()];
    let files =
        Files::new(&[("crates/core/lib.rs", "pub mod money;"), ("crates/core/src/money.rs", "")]);
    let back = read_back(&m, &files);
    assert!(back.modules.is_empty());
    assert!(back.notes[0].contains("the crate root is `lib.rs`"), "{:?}", back.notes);
}

#[test]
fn a_pending_test_gives_its_id_and_its_text_unescaped() {
    let files = Files::new(&[
        ("crates/core/tests/requirements/main.rs", "mod core_1;\n"),
        ("crates/core/tests/requirements/core_1.rs", PENDING),
    ]);
    let back = read_back(&lib(), &files);
    assert_eq!(back.requirements, [found("CORE-1", "Amounts are kept in [minor] units <always>.")]);
}

#[test]
fn a_test_made_real_keeps_its_id_by_its_first_line_or_doc() {
    let real = "//! CORE-1: the pending test of this requirement.

/// Amounts are exact.
#[test]
fn core_1_adds_exactly() {
    assert_eq!(1 + 1, 2);
}
";
    // The first line rewritten, the id now in the doc only.
    let rewritten = "//! Identifiers.

/// CORE-2: identifiers are typed.
#[test]
fn typed() {}
";
    let files = Files::new(&[
        ("crates/core/tests/requirements/core_1.rs", real),
        ("crates/core/tests/requirements/core_2.rs", rewritten),
    ]);
    let back = read_back(&lib(), &files);
    assert_eq!(
        back.requirements,
        [found("CORE-1", "Amounts are exact."), found("CORE-2", "CORE-2: identifiers are typed.")]
    );
}

#[test]
fn a_marker_claims_ids_and_the_crate_root_gives_their_text_and_order() {
    let root = "//! The crate.
//!
//! # Requirements
//!
//! - **CORE-9**: Nine comes first in the spec,
//!   on two lines.
//! - **CORE-3**: Three, \\`quoted\\`.

pub mod money;
";
    let marked = "// covers: CORE-3, CORE-9
#[test]
fn both() {}
";
    let files = Files::new(&[
        ("crates/core/src/lib.rs", root),
        ("crates/core/tests/requirements/both.rs", marked),
    ]);
    let back = read_back(&lib(), &files);
    assert_eq!(
        back.requirements,
        [
            found("CORE-9", "Nine comes first in the spec,\non two lines."),
            found("CORE-3", "Three, `quoted`."),
        ]
    );
}

#[test]
fn a_marker_alone_gives_a_placeholder_text_with_a_note() {
    let files = Files::new(&[(
        "crates/core/tests/requirements/x.rs",
        "#[test]\nfn x() {\n    // covers: CORE-4\n}\n",
    )]);
    let back = read_back(&lib(), &files);
    assert_eq!(back.requirements.len(), 1);
    assert_eq!(back.requirements[0].id, "CORE-4");
    assert!(back.requirements[0].note.is_some());
}

#[test]
fn escapes_of_doc_are_undone() {
    let lines = |ls: &[&str]| ls.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
    // What `doc` writes for "\\-", "- item", "1. one", "* star", "a\\b [x](y)", "" and "#".
    assert_eq!(
        undoc(&lines(&[
            " \\\\-",
            " \\- item",
            " 1\\. one",
            " \\* star",
            " a\\\\b \\[x\\](y)",
            "",
            " \\#"
        ])),
        Some("\\-\n- item\n1. one\n* star\na\\b [x](y)\n\n#".to_owned())
    );
    assert_eq!(undoc(&lines(&["", " "])), None);
    assert!(has_code_point("a U+202E b"));
    assert!(!has_code_point("U+20"));
}

#[test]
fn what_the_spec_refuses_is_left_out_with_a_comment() {
    let ws = crate::Workspace {
        root: "/ws".into(),
        members: vec![lib(), Member::library("other", "crates/other", Vec::new())],
    };
    let files = Files::new(&[
        ("crates/core/src/lib.rs", "pub mod money;\npub mod con;\n"),
        ("crates/core/src/money.rs", ""),
        ("crates/core/src/con.rs", ""),
        ("crates/core/tests/requirements/core_1.rs", PENDING),
        // The same id in a second crate: ids are unique across the spec.
        ("crates/other/tests/requirements/core_1.rs", PENDING),
    ]);
    let text = crate::infer::infer_with(&ws, "t", &files).expect("infer");
    let spec = trellis_spec::parse(&text, "Trellis.toml").expect("parses").spec;
    let core = spec.crates.iter().find(|c| c.name.as_str() == "core").expect("core");
    let modules: Vec<&str> = core.modules.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(modules, ["money"], "{text}");
    assert!(text.contains("# module `con` is left out: the spec refuses it"), "{text}");
    let ids: Vec<&str> =
        spec.crates.iter().flat_map(|c| c.requirements.iter().map(|r| r.id.as_str())).collect();
    assert_eq!(ids, ["CORE-1"], "{text}");
    assert!(text.contains("# requirement `CORE-1` is left out: the spec refuses it"), "{text}");
}
