//! Tests of the three-way merge of seeded files.

use proptest::strategy::Strategy;

use super::merge3;

#[test]
fn a_text_without_a_final_newline_merges_line_by_line() {
    let base = "//! a\n//! - **A-1**: One.\n";
    let ours = "//! a\n//! - **A-1**: One.\n\npub fn f() {}";
    let theirs = "//! a\n//! - **A-1**: One more.\n";
    assert_eq!(
        merge3(base, ours, theirs).unwrap(),
        "//! a\n//! - **A-1**: One more.\n\npub fn f() {}"
    );
    // Conflict markers start lines of their own.
    let marked = merge3("a\n", "b", "c").unwrap_err();
    assert!(
        marked.lines().all(|l| l.len() == 1 || l.starts_with(['<', '|', '=', '>'])),
        "{marked}"
    );
    // The base or the render without one: the person's file decides.
    assert_eq!(merge3("a", "a\nb\n", "z").unwrap(), "z\nb\n");
    assert_eq!(merge3("x\na", "y\na\n", "x\nb").unwrap(), "y\nb\n");
}

#[test]
fn a_file_a_person_keeps_with_crlf_line_ends_merges_line_by_line() {
    let base = "//! a: old\n\npub fn trellis() {}\n";
    let ours = "//! a: old\r\n\r\npub fn trellis() {}\r\n\r\npub fn mine() {}\r\n";
    let theirs = "//! a: new\n\npub fn trellis() {}\n";
    assert_eq!(
        merge3(base, ours, theirs).unwrap(),
        "//! a: new\r\n\r\npub fn trellis() {}\r\n\r\npub fn mine() {}\r\n"
    );
    assert_eq!(merge3("a\n", "a\r\nb", "z\n").unwrap(), "z\r\nb");
    // A conflict's markers take the file's line ends too.
    let marked = merge3("a\n", "b\r\n", "c\n").unwrap_err();
    assert!(!marked.replace("\r\n", "").contains('\n'), "{marked:?}");
    assert!(marked.starts_with("<<<<<<< ours\r\nb\r\n"), "{marked:?}");
}

#[test]
fn changes_to_different_lines_merge() {
    let base = "//! a: old\n\npub fn trellis() {}\n";
    let ours = "//! a: old\n\npub fn trellis() {}\n\npub fn mine() {}\n";
    let theirs = "//! a: new\n\npub fn trellis() {}\n";
    assert_eq!(
        merge3(base, ours, theirs).unwrap(),
        "//! a: new\n\npub fn trellis() {}\n\npub fn mine() {}\n"
    );
}

#[test]
fn lines_both_add_at_one_place_are_both_kept_trellis_first() {
    let base = "//! money\n";
    let ours = "//! money\n\npub fn mine() {}\n";
    let theirs = "//! money\n\npub mod ids;\n";
    assert_eq!(
        merge3(base, ours, theirs).unwrap(),
        "//! money\n\npub mod ids;\n\npub fn mine() {}\n"
    );
}

#[test]
fn changes_to_the_same_lines_conflict_with_markers() {
    let base = "//! a: old\n";
    let marked = merge3(base, "//! a: mine\n", "//! a: new\n").unwrap_err();
    assert!(
        marked.contains("<<<<<<<")
            && marked.contains("//! a: mine")
            && marked.contains("//! a: new"),
        "{marked}"
    );
}

#[test]
fn lines_one_side_adds_next_to_lines_the_other_changes_merge() {
    let base = "//! The base\n";
    let ours = "//! The base\n\npub fn mine() {}\n";
    let theirs = "//! The base, reworded\n\npub mod money;\n";
    assert_eq!(
        merge3(base, ours, theirs).unwrap(),
        "//! The base, reworded\n\npub mod money;\n\npub fn mine() {}\n"
    );
    // And the other way round: the person rewords, Trellis adds after.
    assert_eq!(
        merge3(base, "//! Mine\n", "//! The base\n\npub mod money;\n").unwrap(),
        "//! Mine\n\npub mod money;\n"
    );
}

/// Every case of `tests/fixtures/merge/<case>/`: `base` (what Trellis last wrote), `person`
/// (the person's file), `new` (the new render), and the expected `merged` file, or `conflict`
/// (the merge with its markers). `TRELLIS_BLESS=1` writes the expectations from the results.
#[test]
fn merge_cases_as_folders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/merge");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 4, "{cases:?}");
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    };
    for case in cases {
        let merged =
            merge3(&read(case.join("base")), &read(case.join("person")), &read(case.join("new")));
        let (name, text) = match &merged {
            Ok(text) => ("merged", text),
            Err(text) => ("conflict", text),
        };
        if std::env::var_os("TRELLIS_BLESS").is_some() {
            let _ = std::fs::remove_file(case.join("merged"));
            let _ = std::fs::remove_file(case.join("conflict"));
            std::fs::write(case.join(name), text).unwrap();
        }
        let expected = case.join(name);
        assert!(
            expected.is_file(),
            "{}: the merge gave a {name}, the case expects the other",
            case.display()
        );
        assert_eq!(*text, read(expected), "{}", case.display());
    }
}

/// One side's edit of a base of numbered lines: which base lines it deletes, and which new
/// lines it inserts before which base line (`ours-3-0` is ours' first line before base line 3).
#[derive(Debug, Clone)]
struct Edit {
    deleted: Vec<bool>,
    inserted: Vec<(usize, usize)>,
}

fn edit(n: usize) -> impl proptest::strategy::Strategy<Value = Edit> {
    use proptest::prelude::*;
    (
        proptest::collection::vec(prop::bool::weighted(0.2), n),
        proptest::collection::vec((0..=n, 1usize..3), 0..3),
    )
        .prop_map(|(deleted, inserted)| Edit { deleted, inserted })
}

fn apply_edit(n: usize, side: &str, e: &Edit) -> String {
    let mut out = String::new();
    for i in 0..=n {
        for (k, &(at, count)) in e.inserted.iter().enumerate() {
            if at == i {
                for j in 0..count {
                    out.push_str(&format!("{side}-{k}-{j}\n"));
                }
            }
        }
        if i < n && !e.deleted[i] {
            out.push_str(&format!("base-{i}\n"));
        }
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, ..Default::default() })]

    /// Random whole-line edits on both sides of a base: a clean merge loses no line either
    /// side added, keeps no line either side deleted, and keeps every line both kept; a merge
    /// conflicts only where both sides removed a base line and one put lines in its place.
    #[test]
    fn merges_keep_every_added_line_and_conflict_only_where_both_changed_one_place(
        (n, ours, theirs) in (1usize..8).prop_flat_map(|n| (proptest::strategy::Just(n), edit(n), edit(n))),
        bare in proptest::prelude::any::<(bool, bool, bool)>(),
    ) {
        // Any of the three may lack its final newline.
        let cut = |mut text: String, cut: bool| {
            if cut {
                text.pop();
            }
            text
        };
        let base: String = cut((0..n).map(|i| format!("base-{i}\n")).collect(), bare.0);
        let o = cut(apply_edit(n, "ours", &ours), bare.1);
        let t = cut(apply_edit(n, "theirs", &theirs), bare.2);
        match merge3(&base, &o, &t) {
            Ok(merged) => {
                // The person's file decides whether it ends with a newline.
                if !merged.is_empty() {
                    proptest::prop_assert_eq!(merged.ends_with('\n'), o.is_empty() || o.ends_with('\n'), "{:?}", merged);
                }
                let lines: Vec<&str> = merged.lines().collect();
                for added in o.lines().chain(t.lines()).filter(|l| !l.starts_with("base-")) {
                    proptest::prop_assert_eq!(lines.iter().filter(|l| **l == added).count(), 1, "{} lost or doubled in\n{}", added, merged);
                }
                for i in 0..n {
                    let line = format!("base-{i}");
                    let kept = !ours.deleted[i] && !theirs.deleted[i];
                    proptest::prop_assert_eq!(lines.contains(&line.as_str()), kept, "{} in\n{}", line, merged);
                }
            }
            Err(_) => {
                // Some base line both sides removed, one of them putting lines in its place:
                // lines inserted next to a run of removed lines that holds it.
                let near = |e: &Edit, i: usize| {
                    e.inserted.iter().any(|&(at, _)| {
                        let run = if at <= i { at..i + 1 } else { i..at };
                        run.into_iter().all(|j| e.deleted[j])
                    })
                };
                let both = (0..n).any(|i| {
                    ours.deleted[i] && theirs.deleted[i] && (near(&ours, i) || near(&theirs, i))
                });
                proptest::prop_assert!(both, "a conflict where no base line was changed by both:\n{}\n---\n{}\n---\n{}", base, o, t);
            }
        }
    }
}

#[test]
fn a_line_both_sides_added_is_taken_once_wherever_each_put_it() {
    // The person declared the module by hand, above their code; the spec declares it too.
    let base = "//! money\n\npub mod ids;\n";
    let ours = "//! money\n\npub mod ids;\npub mod rates;\n\npub fn mine() {}\n";
    let theirs = "//! money\n\npub mod ids;\n\npub mod rates;\n";
    assert_eq!(merge3(base, ours, theirs).unwrap(), ours);
    // At another place than Trellis puts it: still once.
    let ours = "pub mod rates;\n//! money\n\npub mod ids;\n";
    assert_eq!(merge3(base, ours, theirs).unwrap(), "pub mod rates;\n//! money\n\npub mod ids;\n");
    // A line that does not identify itself (`}`) is never taken for another's.
    let base = "//! a\n";
    let ours = "//! a\nfn mine() {\n}\n";
    let theirs = "//! a\nfn trellis() {\n}\n";
    assert_eq!(merge3(base, ours, theirs).unwrap(), "//! a\nfn trellis() {\n}\nfn mine() {\n}\n");
}
