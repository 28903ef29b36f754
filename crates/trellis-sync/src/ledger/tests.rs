//! Tests of the ledger format: round trips, and clear errors for anything else.

use std::path::Path;

use super::text::{SECTION, sections_wanted};
use super::*;

fn sample() -> Ledger {
    let mut ledger = Ledger::default();
    ledger.crates.insert("core".into(), "crates/core".into());
    let mut keys = BTreeMap::new();
    keys.insert(
        vec!["workspace".into(), "members".into(), "crates/core".into()],
        "0123456789abcdef".into(),
    );
    keys.insert(
        vec!["package".into(), "a.b".into(), "it's \"odd\"".into()],
        "fedcba9876543210".into(),
    );
    ledger.files.insert(
        "Cargo.toml".into(),
        FileRecord {
            whole: false,
            base: None,
            ownership: Ownership::Manifest,
            hash: "a".repeat(64),
            rendered: Some("b".repeat(64)),
            keys,
        },
    );
    ledger.files.insert(
        "crates/core/src/lib.rs".into(),
        FileRecord {
            whole: false,
            base: None,
            ownership: Ownership::Seeded,
            hash: "c".repeat(64),
            rendered: None,
            keys: BTreeMap::new(),
        },
    );
    ledger
}

#[test]
fn round_trips() {
    let ledger = sample();
    let text = ledger.to_text();
    assert_eq!(Ledger::parse(&text, Path::new("l.toml")).unwrap(), ledger);
    assert_eq!(Ledger::parse(&text, Path::new("l.toml")).unwrap().to_text(), text);
}

fn error(text: &str) -> String {
    Ledger::parse(text, Path::new(".trellis/ledger.toml")).unwrap_err().to_string()
}

#[test]
fn a_newer_format_is_refused_by_name() {
    let e = error("format = 3\n");
    assert!(e.contains("has format 3, but this Trellis reads format 2 at most"), "{e}");
    assert!(e.contains("hint: update Trellis"), "{e}");
}

#[test]
fn corrupt_ledgers_are_refused_with_the_reason() {
    for (text, reason) in [
        ("not toml at all [", "not valid TOML"),
        ("[crates]\n", "no `format`"),
        ("format = \"1\"\n", "`format` is not an integer"),
        ("format = 0\n", "is not a ledger format"),
        ("format = 1\nextra = 1\n", "unknown key `extra`"),
        ("format = 1\n[files.\"a\"]\nownership = \"seeded\"\n", "no `hash`"),
        ("format = 1\n[files.\"a\"]\nownership = \"mine\"\nhash = \"x\"\n", "`ownership` is not"),
        ("format = 1\n[files.\"a\"]\nownership = \"seeded\"\nhash = \"xyz\"\n", "64 lowercase hex"),
        ("format = 1\n[files.\"../a\"]\nownership = \"seeded\"\n", "`.` or `..`"),
        ("format = 1\n[crates]\nx = \"/abs\"\n", "absolute"),
        ("format = 2\n", "`records` is missing"),
        ("format = 2\nrecords = [1]\n", "record 1 is not a table"),
        ("format = 2\nrecords = [{ who = \"x\" }]\n", "not a record Trellis knows"),
        ("format = 2\nrecords = [{ workspace = \"xyz\" }]\n", "16 lowercase hex"),
        ("format = 2\nrecords = [{ crate = \"a\", path = \"../a\" }]\n", "`.` or `..`"),
        ("format = 2\nrecords = [{ file = \"a\", absent = true, x = 1 }]\n", "unknown key `x`"),
    ] {
        let e = error(text);
        assert!(e.starts_with("the ledger `.trellis/ledger.toml` is corrupt"), "{e}");
        assert!(e.contains(reason), "{text:?}: {e}");
        assert!(e.contains("hint: restore it from version control"), "{e}");
    }
}

fn planned(path: &str, contents: &str, ownership: Ownership) -> PlannedFile {
    PlannedFile {
        path: path.into(),
        contents: contents.into(),
        ownership,
        seed: trellis_render::Seed::Always,
    }
}

/// A ledger planned from a render: its records are written as one hash per crate folder, and
/// read back in full from the same render; another render of the folder gives it nothing.
#[test]
fn records_a_render_gives_are_kept_as_hashes_and_read_back_in_full() {
    let render = vec![
        planned("Cargo.toml", "[workspace]\nmembers = [\"crates/a\"]\n", Ownership::Manifest),
        planned("crates/a/Cargo.toml", "[package]\nname = \"a\"\n", Ownership::Manifest),
        planned("crates/a/src/lib.rs", "//! a\n", Ownership::Seeded),
        planned("crates/b/src/lib.rs", "//! b\n", Ownership::Seeded),
        planned("Trellis.toml", "[workspace]\nname = \"x\"\n", Ownership::Once),
    ];
    let mut ledger = Ledger::default();
    ledger.crates.insert("a".into(), "crates/a".into());
    ledger.crates.insert("b".into(), "crates/b".into());
    for f in &render {
        ledger.files.insert(f.path.clone(), FileRecord::derived(f));
    }
    // A person's version accepted: not what the render gives, so a line of its own.
    ledger.files.get_mut("crates/b/src/lib.rs").unwrap().hash = "d".repeat(64);
    ledger.spec = Some(render[4].contents.clone());
    ledger.render = Some(Arc::new(render.clone()));
    let text = ledger.to_text();
    assert!(!text.contains("crates/a/src/lib.rs"), "{text}");
    assert!(text.contains(&"d".repeat(64)), "{text}");
    assert!(text.lines().all(|l| l.len() < 400), "one short record a line: {text}");

    let mut read = Ledger::parse(&text, Path::new("l.toml")).unwrap();
    assert!(read.files.len() == 1 && read.spec.is_none());
    assert!(!read.resolve(&render), "every folder is found");
    assert_eq!(read.files, ledger.files);
    assert_eq!(read.spec, ledger.spec);
    // Read back without a render, then written: the same text (what `affirm` does).
    let again = Ledger::parse(&text, Path::new("l.toml")).unwrap();
    assert_eq!(again.to_text(), text);

    let mut other = render.clone();
    other[2].contents = "//! a, rendered otherwise\n".into();
    let mut read = Ledger::parse(&text, Path::new("l.toml")).unwrap();
    assert!(read.resolve(&other), "crates/a stays unresolved");
    assert!(!read.files.contains_key("crates/a/src/lib.rs"));
    assert!(read.files.contains_key("Cargo.toml"));
}

/// Two branches' ledgers merged line by line (git's union driver keeps both sides' lines)
/// still parse, and each folder is found by whichever of its hashes a render gives.
#[test]
fn a_union_of_two_branches_ledgers_parses_and_resolves() {
    let base = vec![planned("crates/a/src/lib.rs", "//! a\n", Ownership::Seeded)];
    let mut left = base.clone();
    left.push(planned("crates/b/src/lib.rs", "//! b\n", Ownership::Seeded));
    let mut right = base.clone();
    right[0].contents = "//! a, changed\n".into();
    let text_of = |render: &Vec<PlannedFile>, crates: &[&str]| {
        let mut ledger = Ledger::default();
        for c in crates {
            ledger.crates.insert((*c).into(), format!("crates/{c}"));
        }
        for f in render {
            ledger.files.insert(f.path.clone(), FileRecord::derived(f));
        }
        ledger.render = Some(Arc::new(render.clone()));
        ledger.to_text()
    };
    let (l, r) = (text_of(&left, &["a", "b"]), text_of(&right, &["a"]));
    let body = |t: &str| -> Vec<String> {
        t.lines().filter(|l| l.starts_with("  {")).map(str::to_owned).collect()
    };
    let mut lines = body(&l);
    lines.extend(body(&r));
    let merged = format!("format = 2\nrecords = [\n{}\n]\n", lines.join("\n"));
    let mut ledger = Ledger::parse(&merged, Path::new("l.toml")).unwrap();
    let mut both = right.clone();
    both.push(left[1].clone());
    assert!(!ledger.resolve(&both), "{merged}");
    assert_eq!(ledger.files.len(), 2);
}

/// An adopted crate, whose sources Trellis never wrote, is kept as its records, not as a hash
/// and a line for every file it has no record of: the ledger grows with what Trellis wrote.
#[test]
fn a_folder_trellis_wrote_little_of_is_kept_as_its_records() {
    let render = vec![
        planned("crates/a/Cargo.toml", "[package]\nname = \"a\"\n", Ownership::Manifest),
        planned("crates/a/src/lib.rs", "//! a\n", Ownership::Seeded),
        planned("crates/a/src/m.rs", "//! m\n", Ownership::Seeded),
        planned("crates/a/tests/requirements/main.rs", "mod r;\n", Ownership::Seeded),
    ];
    let mut ledger = Ledger::default();
    ledger.crates.insert("a".into(), "crates/a".into());
    let mut record = FileRecord::derived(&render[0]);
    record.whole = false;
    record.hash = "e".repeat(64);
    ledger.files.insert("crates/a/Cargo.toml".into(), record);
    ledger.render = Some(Arc::new(render.clone()));
    let text = ledger.to_text();
    assert!(!text.contains("absent") && !text.contains("files ="), "{text}");
    let mut read = Ledger::parse(&text, Path::new("l.toml")).unwrap();
    assert!(!read.resolve(&render));
    assert_eq!(read.files, ledger.files);
}

/// This machine's full copy keeps each folder's file records under a comment naming the
/// folder's hash: a run that needs one folder from it reads only that section, and gets the
/// same records the whole copy gives.
#[test]
fn the_full_copy_is_read_one_folder_at_a_time() {
    let render = vec![
        planned("Cargo.toml", "[workspace]\nmembers = [\"crates/a\"]\n", Ownership::Manifest),
        planned("crates/a/Cargo.toml", "[package]\nname = \"a\"\n", Ownership::Manifest),
        planned("crates/a/src/lib.rs", "//! a\n", Ownership::Seeded),
        planned("crates/b/src/lib.rs", "//! b\n", Ownership::Seeded),
    ];
    let mut ledger = Ledger::default();
    ledger.crates.insert("a".into(), "crates/a".into());
    ledger.crates.insert("b".into(), "crates/b".into());
    for f in &render {
        ledger.files.insert(f.path.clone(), FileRecord::derived(f));
    }
    ledger.render = Some(Arc::new(render.clone()));
    let full = ledger.local_text().unwrap();
    assert_eq!(Ledger::parse(&full, Path::new("applied.toml")).unwrap().files, ledger.files);
    let dirs = BTreeSet::from(["crates/a", "crates/b"]);
    let hashes = group_hashes(&render, &dirs);
    let a = hashes["crates/a"].as_str();
    assert!(full.contains(&format!("{SECTION}{a}")), "{full}");

    let only_a = sections_wanted(&full, &BTreeSet::from([a]));
    let read = Ledger::parse(&only_a, Path::new("applied.toml")).unwrap();
    let paths: Vec<&str> = read.files.keys().map(String::as_str).collect();
    assert_eq!(paths, ["crates/a/Cargo.toml", "crates/a/src/lib.rs"], "{only_a}");
    assert_eq!(read.files["crates/a/src/lib.rs"], ledger.files["crates/a/src/lib.rs"]);
    // A copy written before sections were is read whole.
    let plain: String =
        full.lines().filter(|l| !l.contains(SECTION)).map(|l| format!("{l}\n")).collect();
    assert_eq!(sections_wanted(&plain, &BTreeSet::from([a])), plain);
}
