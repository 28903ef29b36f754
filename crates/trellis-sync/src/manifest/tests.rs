//! Tests of manifests as facts: a fact present in any form counts, a missing one is inserted
//! in the file's own style, what a person wrote stays byte for byte. The rules that one merge
//! shows are case folders (`tests/fixtures/manifest`, see [`manifest_cases_as_folders`]); the
//! tests here loop over forms, ask cargo's facts, or test one editing step.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::facts::{CargoFacts, DepFacts, FactsReader, PackageFacts};

use std::cell::RefCell;

use toml_edit::{DocumentMut, Item, Value};
use trellis_spec::EdgeKind;

use super::document::{carry_over, get_item};
use super::follow::{normalize, relative, styled_like};
use super::members::follow_elements;
use super::policy::Merged;
use super::*;
use crate::facts::LazyFacts;

/// The facts Trellis owned after writing `last` whole (as `create` records them).
fn base_of(last: Option<&str>) -> BTreeMap<KeyPath, String> {
    last.map(|t| facts(t.parse::<DocumentMut>().unwrap().as_table())).unwrap_or_default()
}

fn crates(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    list.iter().map(|(n, d)| ((*n).to_owned(), (*d).to_owned())).collect()
}

struct Case<'a> {
    /// The root manifest as the workspace has it.
    root: &'a str,
    /// The rendered root.
    rendered_root: &'a str,
    crates: &'a [(&'a str, &'a str)],
    renamed: &'a [(&'a str, &'a str)],
    moved: &'a [(&'a str, &'a str)],
    /// Features the spec dropped: (package, feature).
    dropped: &'a [(&'a str, &'a str)],
}

const ROOT: &str = "[workspace]\nmembers = [\"crates/*\"]\n";

impl Case<'_> {
    fn plain() -> Case<'static> {
        Case { root: ROOT, rendered_root: "", crates: &[], renamed: &[], moved: &[], dropped: &[] }
    }

    fn member(&self, cur: &str, last: Option<&str>, new: &str, dir: &str) -> (String, Merged) {
        self.member_after(cur, &base_of(last), new, dir)
    }

    /// [`Case::member`] with the facts Trellis owned last time given as they are.
    fn member_after(
        &self,
        cur: &str,
        base: &BTreeMap<KeyPath, String>,
        new: &str,
        dir: &str,
    ) -> (String, Merged) {
        let root: DocumentMut = self.root.parse().unwrap();
        let rendered_root: DocumentMut = self.rendered_root.parse().unwrap();
        let crates = crates(self.crates);
        let ws = Workspace {
            crates: &crates,
            renamed: crates_pairs(self.renamed),
            moved: crates_pairs(self.moved),
            root: root.as_table(),
            root_is_render: false,
            rendered_root: rendered_root.as_table(),
            needed: RefCell::default(),
            implicit: RefCell::default(),
            dropped_features: self.dropped.iter().fold(BTreeMap::new(), |mut all, (c, f)| {
                all.entry((*c).to_owned()).or_insert_with(BTreeSet::new).insert((*f).to_owned());
                all
            }),
            facts: LazyFacts::none(),
        };
        let mut doc: DocumentMut = cur.parse().unwrap();
        let new: DocumentMut = new.parse().unwrap();
        let keep = |_: &[String]| false;
        let policy = Policy { base, keep: &keep, accept: false, force: false };
        let old_dir = self.moved.iter().find(|(_, to)| *to == dir).map_or(dir, |(from, _)| *from);
        let merged = merge_member(&mut doc, &new, dir, old_dir, &ws, &policy);
        (doc.to_string(), merged)
    }
}

fn crates_pairs(list: &[(&str, &str)]) -> BTreeMap<String, String> {
    crates(list)
}

/// Merges the rendered root `new` into `cur`, with `last` written whole by Trellis before.
fn root(cur: &str, last: Option<&str>, new: &str) -> (String, Merged) {
    let base = base_of(last);
    let mut doc: DocumentMut = cur.parse().unwrap();
    let new: DocumentMut = new.parse().unwrap();
    let members: Vec<(String, String)> = get_item(new.as_table(), &path(&["workspace", "members"]))
        .and_then(Item::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(|m| (m.to_owned(), m.to_owned())).collect())
        .unwrap_or_default();
    let crates: BTreeMap<String, String> = members.into_iter().collect();
    let current = doc.clone();
    let ws = Workspace {
        crates: &crates,
        renamed: BTreeMap::new(),
        moved: BTreeMap::new(),
        root: current.as_table(),
        root_is_render: false,
        rendered_root: new.as_table(),
        needed: RefCell::default(),
        implicit: RefCell::default(),
        dropped_features: BTreeMap::new(),
        facts: LazyFacts::none(),
    };
    let keep = |_: &[String]| false;
    let merged = merge_root(
        &mut doc,
        &new,
        &ws,
        &Policy { base: &base, keep: &keep, accept: false, force: false },
    );
    (doc.to_string(), merged)
}

#[test]
fn an_edge_present_in_any_form_counts() {
    let forms = [
        "[dependencies]\nb = { path = \"../b\", version = \"0.1.0\" , default-features = false}\n",
        "[target.'cfg(unix)'.dependencies]\nb = { path = \"../b\" }\n",
        "[target.\"cfg(unix)\".dependencies.first]\npackage = \"b\"\npath = \"../b\"\noptional = true\n",
        "[dependencies]\nfirst = { package = \"b\", path = \"../b\", optional = true }\n",
        "[dependencies]\nb = { workspace = true }\n",
        "[dependencies.b]\nworkspace = true\nfeatures = [\"x\"]\n",
    ];
    let case = Case { crates: &[("a", "a"), ("b", "b")], ..Case::plain() };
    let inline = "dependencies = { b = { workspace = true } }\n[package]\nname = \"a\"\n";
    for cur in forms
        .iter()
        .map(|form| format!("[package]\nname = \"a\"\n{form}"))
        .chain([inline.to_owned()])
    {
        let new = "[package]\nname = \"a\"\n\n[dependencies]\nb.workspace = true\n";
        let (out, merged) = case.member(&cur, None, new, "a");
        assert_eq!(out, cur);
        assert!(merged.conflicts.is_empty());
    }
}

#[test]
fn a_new_crate_resolves_against_the_root_it_joins() {
    let rendered = "[package]\nname = \"n\"\nversion.workspace = true\nedition.workspace = true\npublish.workspace = true\n\n[dependencies]\nb.workspace = true\n\n[lints]\nworkspace = true\n";
    let rendered_root =
        "[workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n";
    let root = "[workspace]\nmembers = [\"*\"]\n\n[workspace.package]\nedition = \"2021\"\nrepository = \"https://example.org/x\"\n";
    let crates = crates(&[("n", "n"), ("b", "b")]);
    let root: DocumentMut = root.parse().unwrap();
    let rendered_root: DocumentMut = rendered_root.parse().unwrap();
    let ws = Workspace {
        crates: &crates,
        renamed: BTreeMap::new(),
        moved: BTreeMap::new(),
        root: root.as_table(),
        root_is_render: false,
        rendered_root: rendered_root.as_table(),
        needed: RefCell::default(),
        implicit: RefCell::default(),
        dropped_features: BTreeMap::new(),
        facts: LazyFacts::none(),
    };
    let out = fresh(&rendered.parse().unwrap(), "n", &ws).to_string();
    assert_eq!(
        out,
        "[package]\nname = \"n\"\nversion = \"0.1.0\"\nedition.workspace = true\npublish = false\nrepository.workspace = true\n\n[dependencies]\nb = { path = \"../b\" }\n"
    );
}

#[test]
fn paths_resolve_and_relate_inside_the_workspace() {
    assert_eq!(normalize("crates/a", "../b").as_deref(), Some("crates/b"));
    assert_eq!(normalize("crates/a", "./../../lib/c/").as_deref(), Some("lib/c"));
    assert_eq!(normalize("a", "../.."), None);
    assert_eq!(normalize("", "/abs"), None);
    assert_eq!(relative("crates/a", "crates/b"), "../b");
    assert_eq!(relative("", "crates/b"), "crates/b");
    assert_eq!(relative("a/b", "a"), "..");
    assert_eq!(relative("a", "a"), ".");
}

#[test]
fn comments_inside_a_members_array_outlive_the_member_below_them() {
    let last = "[workspace]\nmembers = [\n    \"a\",\n    \"b\",\n    \"c\",\n]\n";
    let cur = "[workspace]\nmembers = [\n    \"a\",\n    # the b team's\n    \"b\",\n    # last\n    \"c\",\n]\n";
    let (out, _) = root(cur, Some(last), "[workspace]\nmembers = [\"a\"]\n");
    assert!(out.contains("# the b team's") && out.contains("# last"), "{out}");
    let doc: DocumentMut = out.parse().unwrap();
    assert_eq!(doc["workspace"]["members"].as_array().unwrap().len(), 1, "{out}");
}

/// `members` after `member` joins it (through the root merge, as `apply` does).
fn joined(cur: &str, member: &str) -> String {
    let doc: DocumentMut = cur.parse().unwrap();
    let mut members: Vec<String> = doc["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    members.push(member.to_owned());
    let quoted: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    root(cur, None, &format!("[workspace]\nmembers = [{}]\n", quoted.join(", "))).0
}

#[test]
fn a_comment_stays_on_the_line_it_was_written_on_when_a_member_joins() {
    // One that ends an element's line stays after that element.
    let cur = "[workspace]\nmembers = [\n  \"crates/*\",   # glob for all crates\n  \"tools/gen\", # a generator\n]\n";
    assert_eq!(
        joined(cur, "tools/cli"),
        "[workspace]\nmembers = [\n  \"crates/*\",   # glob for all crates\n  \"tools/cli\",\n  \"tools/gen\", # a generator\n]\n"
    );
    // One after the opening bracket stays there.
    let cur = "[workspace]\nmembers = [ # opening comment\n  \"apps/cli\",\n]\n";
    assert_eq!(
        joined(cur, "apps/a0"),
        "[workspace]\nmembers = [ # opening comment\n  \"apps/a0\",\n  \"apps/cli\",\n]\n"
    );
    // One before the closing bracket stays before it.
    let cur = "[workspace]\nmembers = [\n  \"a\",\n  \"b\",\n  # end of the list\n]\n";
    assert_eq!(
        joined(cur, "c"),
        "[workspace]\nmembers = [\n  \"a\",\n  \"b\",\n  \"c\",\n  # end of the list\n]\n"
    );
    // A last element without a comma: its comment stays on its line, after the new comma.
    let cur = "[workspace]\nmembers = [\n  \"mid\" # last, no comma\n  # dangling\n]\n";
    let out = joined(cur, "new");
    assert!(out.contains("\"mid\", # last, no comma\n") && out.contains("\"new\""), "{out}");
    assert!(out.parse::<DocumentMut>().is_ok(), "{out}");
}

#[test]
fn a_comment_that_ended_a_removed_members_line_becomes_a_line_of_its_own() {
    let last = "[workspace]\nmembers = [\"apps/a0\", \"libs/core\"]\n";
    let cur = "[workspace]\nmembers = [\"apps/a0\", \"libs/core\"]\ndefault-members = [\n  \"apps/a0\", # the person's default\n  \"libs/core\",\n]\n";
    let (out, _) = root(cur, Some(last), "[workspace]\nmembers = [\"libs/core\"]\n");
    assert_eq!(
        out,
        "[workspace]\nmembers = [\"libs/core\"]\ndefault-members = [\n  # the person's default\n  \"libs/core\",\n]\n"
    );
}

/// A member merge as `plan` writes it: the result carried over to the person's own text.
fn member_text(case: &Case<'_>, cur: &str, new: &str, dir: &str) -> (String, Merged) {
    let printed = cur.parse::<DocumentMut>().unwrap().to_string();
    let (out, merged) = case.member(cur, None, new, dir);
    (carry_over(cur, &printed, &out), merged)
}

#[test]
fn line_endings_a_missing_final_line_break_and_header_quoting_stay_the_persons() {
    let case = Case { crates: &[("a", "a"), ("b", "b")], ..Case::plain() };
    let new = "[package]\nname = \"a\"\n\n[dependencies]\nb.workspace = true\n";
    // CRLF: untouched lines keep theirs, the inserted one takes it too.
    let cur = "[package]\r\nname = \"a\"\r\n\r\n[dependencies]\r\naa = \"0.2\"\r\n";
    let (out, _) = member_text(&case, cur, new, "a");
    assert_eq!(out, format!("{cur}b = {{ path = \"../b\" }}\r\n"));
    // Nothing to add: not a byte changes, whatever toml_edit would print.
    let have = "[package]\r\nname = \"a\"\r\n[dependencies]\r\nb = { path = \"../b\" }";
    assert_eq!(member_text(&case, have, new, "a").0, have);
    let quoted = "[\"package\"]\nname = \"a\"\n\n[\"dependencies\".'b']\npath = '../b'\n";
    assert_eq!(member_text(&case, quoted, new, "a").0, quoted);
    // No final line break: an insertion at the end is joined on its own line, and none added.
    let cur = "[package]\nname = \"a\"\n\n[dependencies]\naa = \"0.2\"";
    let (out, _) = member_text(&case, cur, new, "a");
    assert_eq!(
        out,
        "[package]\nname = \"a\"\n\n[dependencies]\naa = \"0.2\"\nb = { path = \"../b\" }"
    );
}

#[test]
fn a_rename_keeps_the_key_the_code_uses_in_every_form_and_the_persons_quoting() {
    let case = Case {
        crates: &[("app", "app"), ("foo-core", "foo")],
        renamed: &[("foo", "foo-core")],
        ..Case::plain()
    };
    let new = "[package]\nname = \"app\"\n\n[dependencies]\nfoo-core.workspace = true\n";
    // Inline: `[features]` name the key, which stays, so they stay right as they are.
    let cur = "[package]\nname = \"app\"\n\n[dependencies]\n\"foo\" = { path = '../foo', optional = true }\n\n[features]\nfast = [\"dep:foo\", \"foo/bar\", 'foo?/baz', \"other\"]\n";
    let (out, merged) = case.member(cur, None, new, "app");
    assert!(merged.conflicts.is_empty(), "{:?}", merged.conflicts);
    assert_eq!(
        out,
        cur.replace("optional = true }", "optional = true, package = 'foo-core' }"),
        "{out}"
    );
    // A table of its own, and dotted keys.
    let cur = "[package]\nname = \"app\"\n\n[dependencies.foo]\npath = \"../foo\" # here\n";
    let (out, _) = case.member(cur, None, new, "app");
    assert_eq!(out, format!("{cur}package = \"foo-core\"\n"));
    let cur = "[package]\nname = \"app\"\n\n[dependencies]\nfoo.path = \"../foo\"\n";
    let (out, _) = case.member(cur, None, new, "app");
    assert_eq!(out, format!("{cur}foo.package = \"foo-core\"\n"));
    // Inherited: the root's entry says it; the member's line stays as it is.
    let cur = "[package]\nname = \"app\"\n\n[dependencies]\nfoo.workspace = true\n";
    let case = Case {
        root: "[workspace]\nmembers = [\"*\"]\n\n[workspace.dependencies]\nfoo = { path = \"foo\" }\n",
        ..case
    };
    let (out, merged) = case.member(cur, None, new, "app");
    assert_eq!((out.as_str(), merged.conflicts.len()), (cur, 0));
}

#[test]
fn adopting_keeps_the_roots_own_values_and_publish_is_never_trellis() {
    let cur = "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"2.0.0\"\npublish = [\"my-reg\"]\n";
    let new = "[workspace]\nmembers = [\"a\"]\n\n[workspace.package]\nversion = \"0.1.0\"\npublish = false\n";
    let (out, merged) = root(cur, None, new);
    assert_eq!(out, cur);
    // Trellis records its own wish: only a change of the spec makes it speak again.
    let (out, _) = root(cur, None, new);
    assert_eq!(out, cur);
    assert!(
        !merged.keys.keys().any(|k| k.last().is_some_and(|k| k == "publish")),
        "{:?}",
        merged.keys
    );
}

#[test]
fn an_edge_trellis_added_under_the_legacy_spelling_goes_with_the_spec() {
    let case = Case { crates: &[("a", "a"), ("b", "b"), ("c", "c")], ..Case::plain() };
    let cur = "[package]\nname = \"a\"\n\n[dev_dependencies]\nc = { path = \"../c\" }\n";
    let wanted =
        "[package]\nname = \"a\"\n\n[dev-dependencies]\nb.workspace = true\nc.workspace = true\n";
    let (added, merged) = case.member(cur, None, wanted, "a");
    assert_eq!(
        added,
        "[package]\nname = \"a\"\n\n[dev_dependencies]\nb = { path = \"../b\" }\nc = { path = \"../c\" }\n"
    );
    let dropped = "[package]\nname = \"a\"\n\n[dev-dependencies]\nc.workspace = true\n";
    let (out, _) = case.member_after(&added, &merged.keys, dropped, "a");
    assert_eq!(out, cur);
}

#[test]
fn a_dropped_dependency_a_persons_feature_names_is_a_conflict_naming_the_feature() {
    let case = Case { crates: &[("a", "a"), ("b", "b")], ..Case::plain() };
    let last = "[package]\nname = \"a\"\n\n[dependencies]\nb.workspace = true\n";
    let new = "[package]\nname = \"a\"\n";
    for feature in ["\"b/fast\"", "\"b?/fast\"", "\"dep:b\"", "\"b\""] {
        let cur = format!("{last}\n[features]\nquick = [{feature}]\n");
        let (_, merged) = case.member(&cur, Some(last), new, "a");
        assert_eq!(merged.conflicts.len(), 1, "{feature}: {:?}", merged.conflicts);
        assert!(merged.conflicts[0].starts_with("features.quick (names `b`"), "{merged:?}");
    }
    // Named by no feature, or kept under the same key in another table: it goes quietly.
    let cur = format!("{last}\n[features]\nquick = [\"other/b\"]\n");
    let (out, merged) = case.member(&cur, Some(last), new, "a");
    assert!(merged.conflicts.is_empty() && !out.contains("b.workspace"), "{out}");
    let cur = format!(
        "{last}\n[build-dependencies]\nb = {{ path = \"../b\" }}\n\n[features]\nquick = [\"b/fast\"]\n"
    );
    let (out, merged) = case.member(&cur, Some(last), new, "a");
    assert!(merged.conflicts.is_empty() && !out.contains("b.workspace"), "{out}");
}

#[test]
fn a_path_written_anew_keeps_the_persons_leading_dot_and_trailing_slash() {
    assert_eq!(styled_like("./any_error/", "crates/any_error".into()), "./crates/any_error/");
    assert_eq!(styled_like("../b", "../../b".into()), "../../b");
    assert_eq!(styled_like("./b", "../b".into()), "../b");
}

fn dep(package: &str, kind: EdgeKind, path: Option<&str>) -> DepFacts {
    DepFacts {
        package: package.to_owned(),
        rename: None,
        kind,
        target: None,
        path: path.map(str::to_owned),
    }
}

#[test]
fn a_member_and_an_external_crate_of_one_key_are_told_apart_by_the_spec() {
    // The spec's root gives `solar` to an external package; the member `solar` is a path.
    let rendered_root =
        "[workspace.dependencies]\nsolar = { version = \"1\", package = \"solar-compiler\" }\n";
    let root = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nsolar = { version = \"1\", package = \"solar-compiler\" }\n";
    let crates = [("a", "crates/a"), ("solar", "crates/solar")];
    let case = Case { root, rendered_root, crates: &crates, ..Case::plain() };
    let cur = "[package]\nname = \"a\"\n";
    let on_member = "[package]\nname = \"a\"\n\n[dependencies]\nsolar = { path = \"../solar\" }\n";
    let (out, _) = case.member(cur, None, on_member, "crates/a");
    assert_eq!(out, format!("{cur}\n[dependencies]\nsolar = {{ path = \"../solar\" }}\n"));
    let on_external = "[package]\nname = \"a\"\n\n[dependencies]\nsolar.workspace = true\n";
    let (out, _) = case.member(cur, None, on_external, "crates/a");
    assert_eq!(out, format!("{cur}\n[dependencies]\nsolar.workspace = true\n"));
    // An edge the person already has on the external crate, through the root, counts.
    let (out, merged) = case.member(&out, None, on_external, "crates/a");
    assert!(out.ends_with("solar.workspace = true\n") && merged.conflicts.is_empty(), "{out}");

    // A root of the person's that gives the key to the member: the external crate's edge is
    // written with the spec's pin, never through the member's entry.
    let root = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\nsolar = { path = \"crates/solar\" }\n";
    let case = Case { root, ..case };
    let (out, _) = case.member(cur, None, on_external, "crates/a");
    assert_eq!(
        out,
        format!(
            "{cur}\n[dependencies]\nsolar = {{ version = \"1\", package = \"solar-compiler\" }}\n"
        )
    );
}

#[test]
fn a_dropped_feature_a_target_requires_is_a_conflict_naming_the_target() {
    let case = Case { crates: &[("a", "a")], ..Case::plain() };
    let last = "[package]\nname = \"a\"\n\n[features]\nfast = []\n";
    let new = "[package]\nname = \"a\"\n";
    for kind in ["bin", "example", "test", "bench"] {
        let cur = format!("{last}\n[[{kind}]]\nname = \"t\"\nrequired-features = [\"fast\"]\n");
        let (out, merged) = case.member(&cur, Some(last), new, "a");
        assert_eq!(merged.conflicts.len(), 1, "{kind}: {merged:?}");
        assert!(
            merged.conflicts[0].starts_with(&format!("{kind}.t.required-features")),
            "{merged:?}"
        );
        assert_eq!(out, cur, "nothing written into it");
    }
}

/// [`root`] in a run where crate folders move (old folder → new folder).
fn root_after_moves(cur: &str, new: &str, moved: &[(&str, &str)]) -> String {
    let mut doc: DocumentMut = cur.parse().unwrap();
    let new: DocumentMut = new.parse().unwrap();
    let crates: BTreeMap<String, String> = new["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .map(|m| (m.to_owned(), m.to_owned()))
        .collect();
    let current = doc.clone();
    let ws = Workspace {
        crates: &crates,
        renamed: BTreeMap::new(),
        moved: crates_pairs(moved),
        root: current.as_table(),
        root_is_render: false,
        rendered_root: new.as_table(),
        needed: RefCell::default(),
        implicit: RefCell::default(),
        dropped_features: BTreeMap::new(),
        facts: LazyFacts::none(),
    };
    let keep = |_: &[String]| false;
    let base = BTreeMap::new();
    let policy = Policy { base: &base, keep: &keep, accept: false, force: false };
    let merged = merge_root(&mut doc, &new, &ws, &policy);
    assert!(merged.conflicts.is_empty(), "{merged:?}");
    doc.to_string()
}

#[test]
fn a_member_joins_a_sorted_array_at_its_place_and_an_unsorted_one_at_the_end_in_its_layout() {
    // (the array as the person has it, the member, the array after)
    let cases = [
        // Sorted, one element a line: at its place, indented as the others.
        (
            "[\n  \"crates/core\",\n  \"crates/mid\",\n  \"xtask\",\n]",
            "crates/io",
            "[\n  \"crates/core\",\n  \"crates/io\",\n  \"crates/mid\",\n  \"xtask\",\n]",
        ),
        // Unsorted, one element a line: at the end.
        (
            "[\n  \"crates/mid\",\n  \"crates/core\",\n  \"xtask\",\n]",
            "crates/io",
            "[\n  \"crates/mid\",\n  \"crates/core\",\n  \"xtask\",\n  \"crates/io\",\n]",
        ),
        // Sorted, on one line: at its place, spaced as the others.
        (
            "[\"crates/core\", \"crates/mid\", \"xtask\"]",
            "crates/io",
            "[\"crates/core\", \"crates/io\", \"crates/mid\", \"xtask\"]",
        ),
        // Unsorted, on one line: at the end.
        (
            "[\"crates/mid\", \"crates/core\", \"xtask\"]",
            "crates/io",
            "[\"crates/mid\", \"crates/core\", \"xtask\", \"crates/io\"]",
        ),
        // Sorted, on one line, spaced inside the brackets: first, and the spacing stays.
        ("[ \"b\", \"c\" ]", "a", "[ \"a\", \"b\", \"c\" ]"),
        // Sorted in plain string order (`"Z" < "a"`, `"a-b" < "a/b"`): in that order.
        ("[\"Zed\", \"a-b\", \"a/c\"]", "a/b", "[\"Zed\", \"a-b\", \"a/b\", \"a/c\"]"),
    ];
    for (array, member, expected) in cases {
        let cur = format!("[workspace]\nmembers = {array}\n");
        assert_eq!(joined(&cur, member), format!("[workspace]\nmembers = {expected}\n"), "{array}");
    }
}

#[test]
fn a_moved_member_of_a_sorted_array_moves_to_its_sorted_place_and_its_lines_comment_with_it() {
    let cur = "[workspace]\nmembers = [\n    # the domain\n    \"crates/alpha\",\n    \"crates/beta\",   # by hand\n    \"crates/gamma\",\n]\ndefault-members = [\"crates/alpha\", \"crates/beta\"]\n";
    // `alpha` becomes `omega`: the line goes to the end; the comment line above it stays.
    let new = "[workspace]\nmembers = [\"crates/beta\", \"crates/gamma\", \"crates/omega\"]\n";
    assert_eq!(
        root_after_moves(cur, new, &[("crates/alpha", "crates/omega")]),
        "[workspace]\nmembers = [\n    # the domain\n    \"crates/beta\",   # by hand\n    \"crates/gamma\",\n    \"crates/omega\",\n]\ndefault-members = [\"crates/beta\", \"crates/omega\"]\n"
    );
    // `beta` becomes `zeta`: the comment that ended its line goes along.
    let new = "[workspace]\nmembers = [\"crates/alpha\", \"crates/gamma\", \"crates/zeta\"]\n";
    assert_eq!(
        root_after_moves(cur, new, &[("crates/beta", "crates/zeta")]),
        "[workspace]\nmembers = [\n    # the domain\n    \"crates/alpha\",\n    \"crates/gamma\",\n    \"crates/zeta\",   # by hand\n]\ndefault-members = [\"crates/alpha\", \"crates/zeta\"]\n"
    );
    // A new folder that keeps the order: in place, every other byte as it was.
    let new = "[workspace]\nmembers = [\"crates/aardvark\", \"crates/beta\", \"crates/gamma\"]\n";
    assert_eq!(
        root_after_moves(cur, new, &[("crates/alpha", "crates/aardvark")]),
        cur.replace("crates/alpha", "crates/aardvark")
    );
}

#[test]
fn a_moved_member_of_an_unsorted_array_changes_in_place() {
    let cur = "[workspace]\nmembers = [\n    \"xtask\",\n    \"crates/alpha\", # the domain\n    \"crates/beta\",\n]\n";
    let new = "[workspace]\nmembers = [\"xtask\", \"crates/omega\", \"crates/beta\"]\n";
    assert_eq!(
        root_after_moves(cur, new, &[("crates/alpha", "crates/omega")]),
        cur.replace("crates/alpha", "crates/omega")
    );
}

#[test]
fn after_a_rename_in_a_sorted_array_a_new_member_still_joins_at_its_place() {
    // The reported fault: the rename left `omega` first, so the array was no longer sorted
    // and every new member went after `xtask`.
    let cur =
        "[workspace]\nmembers = [\n    \"crates/alpha\",\n    \"crates/mid\",\n    \"xtask\",\n]\n";
    let new =
        "[workspace]\nmembers = [\"crates/io\", \"crates/mid\", \"crates/omega\", \"xtask\"]\n";
    assert_eq!(
        root_after_moves(cur, new, &[("crates/alpha", "crates/omega")]),
        "[workspace]\nmembers = [\n    \"crates/io\",\n    \"crates/mid\",\n    \"crates/omega\",\n    \"xtask\",\n]\n"
    );
}

#[test]
fn several_moves_in_one_array_keep_it_sorted_and_quoted_as_it_was() {
    let moved = crates_pairs(&[("a", "e"), ("b", "a0"), ("c", "cc")]);
    let mut doc: DocumentMut = "m = ['a', \"b\", \"c/\", \"d\"]\n".parse().unwrap();
    follow_elements(doc["m"].as_array_mut().unwrap(), &moved);
    // `a` → `e` goes last, quoted as it was; `b` → `a0` and `c/` → `cc/` fit where they are.
    assert_eq!(doc.to_string(), "m = [\"a0\", \"cc/\", \"d\", 'e']\n");
    // Two folders that trade places.
    let moved = crates_pairs(&[("a", "b"), ("b", "a")]);
    let mut doc: DocumentMut = "m = [\n  \"a\", # was a\n  \"b\", # was b\n]\n".parse().unwrap();
    follow_elements(doc["m"].as_array_mut().unwrap(), &moved);
    assert_eq!(doc.to_string(), "m = [\n  \"a\", # was b\n  \"b\", # was a\n]\n");
}

/// The lines of `base` before which `side` inserts lines (`side` only inserts).
fn inserted_before(base: &str, side: &str) -> Vec<usize> {
    crate::lines::line_ops(base, side)
        .into_iter()
        .filter_map(|op| match op {
            crate::lines::LineOp::Insert { old_index, .. } => Some(old_index),
            crate::lines::LineOp::Equal { .. } => None,
            _ => panic!("{side} does more than insert: {op:?}"),
        })
        .collect()
}

#[test]
fn two_branches_adding_members_to_a_sorted_array_touch_different_lines_and_merge_cleanly() {
    let base = "[workspace]\nmembers = [\n    \"core\",\n    \"mid\",\n    \"xtask\",\n]\n";
    let ours = joined(base, "alpha");
    let theirs = joined(base, "zeta");
    // `alpha` before `core` (line 2), `zeta` before `]` (line 5): apart, with lines between.
    assert_eq!(inserted_before(base, &ours), [2]);
    assert_eq!(inserted_before(base, &theirs), [5]);
    let both = "[workspace]\nmembers = [\n    \"alpha\",\n    \"core\",\n    \"mid\",\n    \"xtask\",\n    \"zeta\",\n]\n";
    assert_eq!(crate::merge::merge3(base, &ours, &theirs).as_deref(), Ok(both));
    // A plain three-way merge (diff3, as git merges) takes both, too.
    assert_eq!(diffy::merge(base, &ours, &theirs).as_deref(), Ok(both));
    // Whereas in an unsorted array both branches append at one place: git's conflict.
    let base = "[workspace]\nmembers = [\n    \"mid\",\n    \"core\",\n    \"xtask\",\n]\n";
    let (ours, theirs) = (joined(base, "alpha"), joined(base, "zeta"));
    assert_eq!(inserted_before(base, &ours), inserted_before(base, &theirs));
    assert!(diffy::merge(base, &ours, &theirs).is_err());
}

#[test]
fn a_created_crate_joins_the_roots_member_entries_only_where_trellis_wrote_them() {
    let root: DocumentMut = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\na = { path = \"crates/a\" }\nv = { path = \"vendor/v\" }\nitoa = \"1\"\n".parse().unwrap();
    let crates = crates(&[("a", "crates/a"), ("e", "crates/e")]);
    let needed = |owned: &[&str]| {
        let ws = Workspace {
            crates: &crates,
            renamed: BTreeMap::new(),
            moved: BTreeMap::new(),
            root: root.as_table(),
            root_is_render: false,
            rendered_root: root.as_table(),
            needed: RefCell::default(),
            implicit: RefCell::default(),
            dropped_features: BTreeMap::new(),
            facts: LazyFacts::none(),
        };
        let owned: BTreeMap<KeyPath, String> = owned
            .iter()
            .map(|k| (path(&["workspace", "dependencies", k]), String::new()))
            .collect();
        ws.add_member("e", &owned);
        ws.needed.into_inner()
    };
    // A person's root (adopted): `e` gets an entry only when an edge inherits it.
    assert!(needed(&[]).is_empty());
    // Trellis wrote the members' entries (a generated root): `e` joins them. A path entry
    // that leads to no crate of the spec (a vendored crate) is the person's and counts not.
    assert_eq!(needed(&["a"]), BTreeSet::from(["e".to_owned()]));
}

/// Every case of `tests/fixtures/manifest/<case>/`, one merge a folder: `case.toml` (which
/// manifest: `"root"` or a member's folder; the spec's `crates`, name → folder, for a member;
/// this run's `renamed` and `moved`; `dropped`, package → the features the spec dropped;
/// `[[facts]]`, what cargo says of each member package: `dir`, `name`, `features` (with the
/// implicit ones) and `deps`, each `{ package, kind, path }`), `current.toml` (the person's
/// manifest), `rendered.toml`
/// (Trellis' render), `last.toml` if Trellis wrote the manifest whole before (the record: the
/// facts it owns), `root.toml` and `rendered-root.toml` for a member where the workspace's
/// root matters, and the expectations: `expected.toml` (the manifest as the merge leaves it,
/// the person's bytes carried over) and `conflicts` (one a line; none without the file).
/// `TRELLIS_BLESS=1` writes the expectations from the results.
#[test]
fn manifest_cases_as_folders() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifest");
    let mut cases: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 20, "{cases:?}");
    let bless = std::env::var_os("TRELLIS_BLESS").is_some();
    let mut failed = Vec::new();
    for case in cases {
        let read = |name: &str| std::fs::read_to_string(case.join(name)).ok();
        let (out, merged) = manifest_case(&case);
        let conflicts: String = merged.conflicts.iter().map(|c| format!("{c}\n")).collect();
        if bless {
            std::fs::write(case.join("expected.toml"), &out).unwrap();
            let _ = std::fs::remove_file(case.join("conflicts"));
            if !conflicts.is_empty() {
                std::fs::write(case.join("conflicts"), &conflicts).unwrap();
            }
        }
        if read("expected.toml").as_deref() != Some(out.as_str()) {
            failed.push(format!("{}: the merge gave\n{out}", case.display()));
        }
        if read("conflicts").unwrap_or_default() != conflicts {
            failed.push(format!("{}: the conflicts are\n{conflicts}", case.display()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// One case folder's merge (see [`manifest_cases_as_folders`]): the text it writes, and what
/// the merge says.
fn manifest_case(case: &Path) -> (String, Merged) {
    let read = |name: &str| std::fs::read_to_string(case.join(name)).ok();
    let spec: DocumentMut = read("case.toml").expect("case.toml").parse().unwrap();
    let pairs = |key: &str| -> BTreeMap<String, String> {
        spec.get(key)
            .and_then(Item::as_table_like)
            .map(|t| {
                t.iter().map(|(k, v)| (k.to_owned(), v.as_str().unwrap().to_owned())).collect()
            })
            .unwrap_or_default()
    };
    let current = read("current.toml").expect("current.toml");
    let rendered: DocumentMut = read("rendered.toml").expect("rendered.toml").parse().unwrap();
    let base = base_of(read("last.toml").as_deref());
    let mut cur = LocalManifest::parse(&current).unwrap();
    let keep = |_: &[String]| false;
    let policy = Policy { base: &base, keep: &keep, accept: false, force: false };
    let manifest = spec["manifest"].as_str().unwrap();
    let facts = facts_of_case(&spec);
    let facts = LazyFacts::new(facts.as_ref(), Path::new(""));
    let dropped_features: BTreeMap<String, BTreeSet<String>> = spec
        .get("dropped")
        .and_then(Item::as_table_like)
        .map(|t| t.iter().map(|(k, v)| (k.to_owned(), strings(v).into_iter().collect())).collect())
        .unwrap_or_default();
    let merged = if manifest == "root" {
        let members: BTreeMap<String, String> =
            get_item(rendered.as_table(), &path(&["workspace", "members"]))
                .and_then(Item::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(|m| (m.into(), m.into())).collect())
                .unwrap_or_default();
        let root = cur.doc.clone();
        let ws = Workspace {
            crates: &members,
            renamed: pairs("renamed"),
            moved: pairs("moved"),
            root: root.as_table(),
            root_is_render: false,
            rendered_root: rendered.as_table(),
            needed: RefCell::default(),
            implicit: RefCell::default(),
            dropped_features,
            facts,
        };
        merge_root(&mut cur.doc, &rendered, &ws, &policy)
    } else {
        let crates = pairs("crates");
        let root: DocumentMut = read("root.toml").unwrap_or(ROOT.to_owned()).parse().unwrap();
        let rendered_root: DocumentMut =
            read("rendered-root.toml").unwrap_or_default().parse().unwrap();
        let ws = Workspace {
            crates: &crates,
            renamed: pairs("renamed"),
            moved: pairs("moved"),
            root: root.as_table(),
            root_is_render: false,
            rendered_root: rendered_root.as_table(),
            needed: RefCell::default(),
            implicit: RefCell::default(),
            dropped_features,
            facts,
        };
        let old_dir =
            ws.moved.iter().find(|(_, to)| *to == manifest).map_or(manifest, |(from, _)| from);
        merge_member(&mut cur.doc, &rendered, manifest, old_dir, &ws, &policy)
    };
    (cur.text(), merged)
}

/// The strings of an array item (none where it is not one).
fn strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// What cargo says of a case's workspace, from its `case.toml`'s `[[facts]]`.
fn facts_of_case(case: &DocumentMut) -> Option<FactsReader> {
    let packages = case.get("facts")?.as_array_of_tables()?;
    let packages: Vec<PackageFacts> = packages
        .iter()
        .map(|p| PackageFacts {
            name: p["name"].as_str().unwrap().to_owned(),
            dir: p["dir"].as_str().unwrap().to_owned(),
            features: p
                .get("features")
                .map(strings)
                .unwrap_or_default()
                .into_iter()
                .map(|f| (f, Vec::new()))
                .collect(),
            deps: p
                .get("deps")
                .and_then(Item::as_array)
                .into_iter()
                .flatten()
                .map(|d| {
                    let d = d.as_inline_table().unwrap();
                    let kind = match d.get("kind").and_then(Value::as_str).unwrap_or("normal") {
                        "normal" => EdgeKind::Normal,
                        "dev" => EdgeKind::Dev,
                        "build" => EdgeKind::Build,
                        other => panic!("no dependency kind `{other}`"),
                    };
                    let path = d.get("path").and_then(Value::as_str);
                    dep(d["package"].as_str().unwrap(), kind, path)
                })
                .collect(),
            targets: Vec::new(),
        })
        .collect();
    let members = packages.iter().map(|p| p.dir.clone()).collect();
    Some(FactsReader::given(CargoFacts { members, packages }))
}
