//! Tests of the key-by-key merge: what a person wrote stays, what Trellis owns follows the
//! render, members are added the way `cargo new` adds them.

use std::collections::BTreeMap;

use super::*;

/// Merges `new` into `cur` with `base` owned from last time (as rendered by `last`).
fn merge_texts(cur: &str, last: Option<&str>, new: &str) -> (String, Merged) {
    let base: BTreeMap<KeyPath, String> = match last {
        None => BTreeMap::new(),
        Some(last) => {
            let last: DocumentMut = last.parse().unwrap();
            leaves(last.as_table())
                .into_iter()
                .map(|(p, v)| {
                    let h = v.hash();
                    (p, h)
                })
                .collect()
        }
    };
    let mut doc: DocumentMut = cur.parse().unwrap();
    let new: DocumentMut = new.parse().unwrap();
    let keep = |_: &[String]| false;
    let merged =
        merge(&mut doc, &new, &Policy { base: &base, keep: &keep, accept: false, force: false });
    (doc.to_string(), merged)
}

const LAST: &str = "[workspace]\nmembers = [\n    \"crates/a\",\n    \"crates/c\",\n]\n\n[workspace.dependencies]\na = { path = \"crates/a\" }\nc = { path = \"crates/c\" }\n";

#[test]
fn members_join_a_sorted_multiline_array_in_order_and_in_layout() {
    let new = LAST.replace("    \"crates/a\",\n", "    \"crates/a\",\n    \"crates/b\",\n");
    let (out, merged) = merge_texts(LAST, Some(LAST), &new);
    assert!(
        out.contains("members = [\n    \"crates/a\",\n    \"crates/b\",\n    \"crates/c\",\n]"),
        "{out}"
    );
    assert!(merged.conflicts.is_empty());
}

#[test]
fn members_join_an_unsorted_single_line_array_at_the_end() {
    let cur = "[workspace]\nmembers = [\"z\", \"crates/a\"]\n";
    let (out, _) = merge_texts(cur, None, "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\n");
    assert!(out.contains("members = [\"z\", \"crates/a\", \"crates/b\"]"), "{out}");
}

#[test]
fn members_join_at_the_front_keeping_the_layout() {
    let cur = "[workspace]\nmembers = [\"crates/b\", \"crates/c\"]\n";
    let (out, _) = merge_texts(
        cur,
        None,
        "[workspace]\nmembers = [\"crates/a\", \"crates/b\", \"crates/c\"]\n",
    );
    assert!(out.contains("members = [\"crates/a\", \"crates/b\", \"crates/c\"]"), "{out}");
}

#[test]
fn a_glob_or_an_exclude_covers_a_member() {
    let cur = "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"tools/x\"]\n";
    let new = "[workspace]\nmembers = [\"crates/a\", \"tools/x\"]\n";
    let (out, merged) = merge_texts(cur, None, new);
    assert_eq!(out, cur);
    assert!(!merged.changed || out == cur);
}

#[test]
fn removed_members_leave_and_the_first_keeps_its_place() {
    let cur = "[workspace]\nmembers = [\"crates/a\", \"crates/b\", \"mine\"]\n";
    let last = "[workspace]\nmembers = [\"crates/a\", \"crates/b\"]\n";
    let (out, _) = merge_texts(cur, Some(last), "[workspace]\nmembers = [\"crates/b\"]\n");
    assert!(out.contains("members = [\"crates/b\", \"mine\"]"), "{out}");
}

#[test]
fn comments_blank_lines_and_a_persons_keys_stay() {
    let cur = "# top comment\n[package]\nname = \"a\" # the name\n\n# mine\nauthors = [\"me\"]\nversion.workspace = true\n\n[dependencies]\nlibc = \"0.2\"\nb.workspace = true\n";
    let last =
        "[package]\nname = \"a\"\nversion.workspace = true\n\n[dependencies]\nb.workspace = true\n";
    let new = "[package]\nname = \"a2\"\nversion.workspace = true\n\n[dependencies]\nc.workspace = true\n";
    let (out, merged) = merge_texts(cur, Some(last), new);
    assert_eq!(
        out,
        "# top comment\n[package]\nname = \"a2\" # the name\n\n# mine\nauthors = [\"me\"]\nversion.workspace = true\n\n[dependencies]\nlibc = \"0.2\"\nc.workspace = true\n"
    );
    assert!(merged.conflicts.is_empty());
}

#[test]
fn a_key_a_person_changed_is_kept_and_conflicts_only_when_trellis_changes_it_too() {
    let last = "[package]\nedition = \"2021\"\n";
    let cur = "[package]\nedition = \"2024\" # mine\n";
    let (out, merged) = merge_texts(cur, Some(last), last);
    assert_eq!(out, cur);
    assert!(merged.conflicts.is_empty());
    let (out, merged) = merge_texts(cur, Some(last), "[package]\nedition = \"2018\"\n");
    assert_eq!(out, cur);
    assert_eq!(merged.conflicts, vec!["package.edition".to_owned()]);
}

#[test]
fn a_persons_value_in_the_way_of_a_new_key_is_a_conflict() {
    let cur = "[dependencies]\nserde = \"1\"\n";
    let (out, merged) = merge_texts(cur, None, "[dependencies]\nserde.workspace = true\n");
    assert_eq!(out, cur);
    assert_eq!(merged.conflicts, vec!["dependencies.serde.workspace".to_owned()]);
}

#[test]
fn a_person_may_add_to_an_entry_trellis_owns() {
    let last = "[workspace.dependencies]\nserde = { version = \"1\" }\n";
    let cur = "[workspace.dependencies]\nserde = { version = \"1\", features = [\"rc\"] }\n";
    let new = "[workspace.dependencies]\nserde = { version = \"1.0.200\" }\n";
    let (out, merged) = merge_texts(cur, Some(last), new);
    assert_eq!(
        out,
        "[workspace.dependencies]\nserde = { version = \"1.0.200\", features = [\"rc\"] }\n"
    );
    assert!(merged.conflicts.is_empty());
}

#[test]
fn empty_tables_trellis_emptied_go_unless_a_person_commented_them() {
    let last =
        "[dependencies]\nb.workspace = true\n\n# keep me\n[dev-dependencies]\nc.workspace = true\n";
    let (out, _) = merge_texts(last, Some(last), "");
    assert_eq!(out, "\n# keep me\n[dev-dependencies]\n");
}

#[test]
fn globs_match_as_cargo_does() {
    assert!(glob("crates/*", "crates/a"));
    assert!(glob("crates/*", "crates/a/b"));
    assert!(glob("c?ates/[a-c]x", "crates/bx"));
    assert!(!glob("c?ates/[!a-c]x", "crates/bx"));
    assert!(!glob("crates/a", "crates/a"));
    assert!(!glob("crates/*/x", "crates/a"));
}

#[test]
fn comments_above_a_removed_key_move_to_a_neighbour() {
    let last = "[dependencies]\nb.workspace = true\nc.workspace = true\n";
    let cur = "[dependencies]\n# needed for the parser\nb.workspace = true\nlibc = \"0.2\"\n# and this one\nc.workspace = true\n";
    let (out, _) = merge_texts(cur, Some(last), "[dependencies]\n");
    assert_eq!(out, "[dependencies]\n# needed for the parser\nlibc = \"0.2\"\n# and this one\n");
    let reparsed: DocumentMut = out.parse().unwrap();
    assert_eq!(reparsed.to_string(), out);

    let cur = "[dependencies]\n# the only one\nb = { workspace = true }\n\n[features]\n";
    let last = "[dependencies]\nb = { workspace = true }\n";
    let (out, _) = merge_texts(cur, Some(last), "");
    assert!(out.contains("# the only one"), "{out}");
    assert!(out.parse::<DocumentMut>().is_ok(), "{out}");
}

#[test]
fn comments_inside_a_members_array_outlive_the_member_below_them() {
    let last = "[workspace]\nmembers = [\n    \"a\",\n    \"b\",\n    \"c\",\n]\n";
    let cur = "[workspace]\nmembers = [\n    \"a\",\n    # the b team's\n    \"b\",\n    # last\n    \"c\",\n]\n";
    let (out, _) = merge_texts(cur, Some(last), "[workspace]\nmembers = [\"a\"]\n");
    assert!(out.contains("# the b team's") && out.contains("# last"), "{out}");
    let doc: DocumentMut = out.parse().unwrap();
    assert_eq!(doc["workspace"]["members"].as_array().unwrap().len(), 1, "{out}");
}
