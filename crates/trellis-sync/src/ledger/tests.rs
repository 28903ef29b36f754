//! Tests of the ledger format: round trips, and clear errors for anything else.

use std::path::Path;

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
    let e = error("format = 2\n");
    assert!(e.contains("has format 2, but this Trellis reads format 1 at most"), "{e}");
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
    ] {
        let e = error(text);
        assert!(e.starts_with("the ledger `.trellis/ledger.toml` is corrupt"), "{e}");
        assert!(e.contains(reason), "{text:?}: {e}");
        assert!(e.contains("hint: restore it from version control"), "{e}");
    }
}
