//! No spec text falls between the cracks: mutations of the flagship spec and of small random
//! specs (lines deleted, repeated and swapped; quoted values and crate keys replaced by hostile
//! strings, by numbers and other values where strings go, or by another value of the spec)
//! either make `new` exit 2 with nothing written (no workspace, no staging folder beside it),
//! or exit 0 with a workspace that cargo loads, offline, with exactly the spec's members and
//! path edges. Never a panic, never exit 3, never "a bug in Trellis".
//!
//! CI runs a few cases; `PROPTEST_CASES=1000` runs many (each runs `new`, which runs cargo).

use std::collections::BTreeSet;
use std::fs;
use std::ops::Range;
use std::process::Command;

use proptest::prelude::*;
use trellis_spec::EdgeKind;

use crate::{outcome, xtask};

/// Values that go where a quoted value was, written as TOML: strings with every kind of
/// character and name a file system, cargo or rustc may refuse, and values of other types.
fn hostile() -> Vec<String> {
    let mut values: Vec<String> = [
        "",
        " ",
        "\t",
        "\\t",
        "\\r",
        "a\\r\\nb",
        "\\n",
        "\\u202E",
        "abc\\u202Edef",
        "\\u0000",
        "a\\u0000b",
        "\\u001B",
        "\\u00A0",
        "\\u200B",
        "..",
        "../x",
        "a/../b",
        ".",
        "./",
        "/abs",
        "C:/x",
        "~/x",
        "a\\\\b",
        "a//b",
        "a/b",
        "con",
        "aux",
        "NUL",
        "Com1",
        "lpt9",
        "prn.rs",
        "*",
        "a*",
        "src/[ab]",
        "?",
        "{a,b}",
        "-",
        "_",
        "-x",
        "x-",
        "a--b",
        "ünïcödé",
        "名前",
        "café",
        "🦀",
        "1",
        "1.0",
        "0.0.0",
        "1.2.3-",
        "1.2.3+build",
        "^1",
        ">=1, <2",
        "=1.0.0",
        "latest",
        "1.84",
        "1.56",
        "1.0.0.0",
        "2015",
        "2018",
        "2021",
        "2024",
        "2030",
        "lib",
        "bin",
        "proc-macro",
        "examples",
        "xtask",
        "std",
        "core",
        "alloc",
        "proc_macro",
        "test",
        "self",
        "crate",
        "Self",
        "fn",
        "gen",
        "async",
        "target",
        "target/x",
        "deps",
        "build",
        "default",
        "x.rs",
        "mod",
        "lib.rs",
        "https://",
        "git@host:x/y",
        "file:///tmp",
        "ssh://",
        "\\\"",
        "\\\\",
        "{{x}}",
        "*/",
        "#",
        "\\\"#",
        "a b",
        "A",
        "Loud--Name",
    ]
    .iter()
    .map(|s| format!("\"{s}\""))
    .collect();
    for long in
        ["a".repeat(255), "a".repeat(256), "ab-".repeat(100), "x/".repeat(200), "é".repeat(200)]
    {
        values.push(format!("\"{long}\""));
    }
    values.push(format!("\"{}\"", "long text ".repeat(2000)));
    values.push("'literal \\ string'".to_owned());
    for bare in
        ["1", "-1", "0", "1.5", "true", "[]", "[\"\"]", "[1]", "{}", "1979-05-27", "inf", "nan"]
    {
        values.push(bare.to_owned());
    }
    values
}

/// One change to the spec's lines. Indexes wrap around what the text has when it is applied.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(prop::sample::Index),
    Repeat(prop::sample::Index),
    Swap(prop::sample::Index, prop::sample::Index),
    /// A quoted value replaced by a hostile value.
    Hostile(prop::sample::Index, prop::sample::Index),
    /// A quoted value replaced by another quoted value of the spec: names crossed over.
    Copy(prop::sample::Index, prop::sample::Index),
    /// A `[crates.<name>]` key replaced by a hostile string, as a quoted key.
    Header(prop::sample::Index, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<prop::sample::Index>;
    prop_oneof![
        2 => index().prop_map(Mutation::Delete),
        1 => index().prop_map(Mutation::Repeat),
        1 => (index(), index()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        4 => (index(), index()).prop_map(|(a, b)| Mutation::Hostile(a, b)),
        2 => (index(), index()).prop_map(|(a, b)| Mutation::Copy(a, b)),
        1 => (index(), index()).prop_map(|(a, b)| Mutation::Header(a, b)),
    ]
}

/// The byte ranges of the quoted values on a line (quotes included), outside comments.
fn quoted(line: &str) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => break,
            quote @ (b'"' | b'\'') => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if quote == b'"' && bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i < bytes.len() {
                    found.push(start..i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Every quoted value of the text, as (line, range on the line).
fn quoted_values(lines: &[String]) -> Vec<(usize, Range<usize>)> {
    lines
        .iter()
        .enumerate()
        .flat_map(|(l, line)| quoted(line).into_iter().map(move |r| (l, r)))
        .collect()
}

fn apply(text: &str, mutations: &[Mutation], hostile: &[String]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match m {
            Mutation::Delete(i) => {
                lines.remove(i.index(n));
            }
            Mutation::Repeat(i) => {
                let line = lines[i.index(n)].clone();
                lines.insert(i.index(n), line);
            }
            Mutation::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
            Mutation::Hostile(at, value) => {
                let values = quoted_values(&lines);
                if !values.is_empty() {
                    let (l, range) = values[at.index(values.len())].clone();
                    lines[l].replace_range(range, &hostile[value.index(hostile.len())]);
                }
            }
            Mutation::Copy(at, from) => {
                let values = quoted_values(&lines);
                if !values.is_empty() {
                    let (l, range) = values[at.index(values.len())].clone();
                    let (fl, from) = values[from.index(values.len())].clone();
                    let value = lines[fl][from].to_owned();
                    lines[l].replace_range(range, &value);
                }
            }
            Mutation::Header(at, value) => {
                let headers: Vec<usize> =
                    (0..n).filter(|&l| lines[l].trim_start().starts_with("[crates.")).collect();
                let strings: Vec<&String> = hostile.iter().filter(|v| v.starts_with('"')).collect();
                if !headers.is_empty() {
                    let l = headers[at.index(headers.len())];
                    let name = strings[value.index(strings.len())];
                    lines[l] = format!("[crates.{name}]");
                }
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// What the spec declares: its crates, and its path edges (internal ones, and external
/// dependencies by `path`) as (from, to, kind), as `cargo metadata` names them.
fn declared(spec: &trellis_spec::Spec) -> (BTreeSet<String>, BTreeSet<(String, String, EdgeKind)>) {
    let members = spec.crates.iter().map(|c| c.name.to_string()).collect();
    let mut edges = BTreeSet::new();
    for c in &spec.crates {
        for (kind, to) in c.depends.iter() {
            edges.insert((c.name.to_string(), to.name.clone(), kind));
        }
        for (kind, used) in c.uses.iter() {
            if let Some(dep) = spec.dependencies.get(&used.name).filter(|d| d.path.is_some()) {
                let package = dep.package.clone().unwrap_or_else(|| dep.name.clone());
                edges.insert((c.name.to_string(), package, kind));
            }
        }
    }
    (members, edges)
}

/// Runs `new` on one spec text and checks the property.
fn new_is_all_or_nothing(text: &str) -> Result<(), TestCaseError> {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), text).unwrap();
    let (code, stderr) = outcome(&xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]));
    let shown = || format!("exit {code:?}\n--- spec\n{text}\n--- stderr\n{stderr}");
    let mut beside: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    prop_assert!(!stderr.contains("bug in Trellis"), "{}", shown());
    prop_assert!(!stderr.contains("panicked"), "{}", shown());
    match code {
        Some(2) => prop_assert_eq!(beside, ["spec.toml"], "{}", shown()),
        Some(0) => {
            let root = tmp.path().join("ws");
            let metadata = Command::new(env!("CARGO"))
                .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
                .current_dir(&root)
                .output()
                .expect("cargo runs");
            prop_assert!(
                metadata.status.success(),
                "cargo refuses the workspace:\n{}\n{}",
                String::from_utf8_lossy(&metadata.stderr),
                shown()
            );
            let parsed = trellis_spec::parse(text, "spec.toml").map_err(|d| {
                TestCaseError::fail(format!(
                    "`new` exited 0 on a spec parse refuses: {d:?}\n{}",
                    shown()
                ))
            })?;
            let (members, edges) = declared(&parsed.spec);
            let (mut actual_members, mut actual_edges) = crate::property::cargo_edges(&root);
            // The workspace's own generated xtask crate is not the spec's.
            if parsed.spec.crate_named("xtask").is_none() {
                actual_members.remove("xtask");
                actual_edges.retain(|(from, _, _)| from != "xtask");
            }
            prop_assert_eq!(actual_members, members, "{}", shown());
            prop_assert_eq!(actual_edges, edges, "{}", shown());
        }
        _ => prop_assert!(false, "neither 0 nor 2: {}", shown()),
    }
    Ok(())
}

/// A starting text: the flagship spec, or a small random valid one.
fn base() -> impl Strategy<Value = String> {
    prop_oneof![Just(trellis_spec::EXAMPLE.to_owned()), crate::build_property::random_spec(1..4),]
}

proptest! {
    // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_specs_are_refused_cleanly_or_build_the_spec_graph(
        text in base(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mutated = apply(&text, &mutations, &hostile());
        new_is_all_or_nothing(&mutated)?;
    }
}
