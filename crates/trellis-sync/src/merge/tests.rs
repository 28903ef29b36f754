//! Tests of the three-way merge of seeded files.

use super::merge3;

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
