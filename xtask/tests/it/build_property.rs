//! Random valid specs build clean: small specs (2 to 4 crates of every kind, modules,
//! requirements, normal, build and dev edges, features turned on by a self dev-dependency,
//! summaries and requirement texts with tabs, carriage returns, bidirectional-text and other
//! control characters; no external crates) give workspaces that pass
//! `cargo clippy --all-targets -- -D warnings` and `cargo doc` with `-D warnings`, offline.
//!
//! Each case runs cargo twice, so CI runs 2 cases; `PROPTEST_CASES=15` runs more. The random
//! specs are also one of the fuzz test's starting points (`fuzz.rs`).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;

use crate::{outcome, xtask};

/// Pieces of free text, as they are written inside a TOML basic string: the characters that
/// must reach doc comments, manifests and Markdown without breaking a lint.
const TEXT: &[&str] = &[
    "plain words",
    "a\\ttab",
    "a\\rcarriage return",
    "a\\r\\nwindows line",
    "a\\nnew line",
    "\\u202Eright-to-left override",
    "isolate \\u2066here\\u2069",
    "zero\\u200Bwidth",
    "nul \\u0000 byte",
    "escape \\u001B[31m red",
    "delete \\u007F",
    "no\\u00A0break",
    "`ticks` and ```fences```",
    "*/ closes /* opens",
    "quote \\\" hash \\\"# brace {{x}}",
    "<tag> & [link](x) <https://x>",
    "# heading",
    "\\n- item\\n    indented",
    "back\\\\slash",
    "ünïcödé 名前 🦀",
    "'single' quotes",
    "#[attribute] //! inner //",
    "trailing space ",
];

/// One random crate: its kind, the names of its modules, its texts and features, and edges to
/// other crates by index (resolved in [`spec_text`] so that the spec stays valid).
#[derive(Debug, Clone)]
pub(crate) struct RandomCrate {
    stem: String,
    kind: &'static str,
    summary: Vec<prop::sample::Index>,
    modules: usize,
    requirements: Vec<Vec<prop::sample::Index>>,
    features: Vec<&'static str>,
    self_dev: bool,
    normal: Vec<prop::sample::Index>,
    build: Vec<prop::sample::Index>,
    dev: Vec<prop::sample::Index>,
}

fn random_crate() -> impl Strategy<Value = RandomCrate> {
    let text = || prop::collection::vec(any::<prop::sample::Index>(), 0..3);
    (
        "[a-z][a-z0-9]{0,5}",
        prop::sample::select(vec!["lib", "lib", "lib", "bin", "proc-macro", "examples"]),
        text(),
        0usize..3,
        prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 1..3), 0..3),
        // Names TOML cannot hold bare (`v1.2`, `g+h`) too: they are written quoted.
        prop::sample::subsequence(
            vec!["approx", "serde-like", "x_1", "_9", "2d", "v1.2", "g+h"],
            0..3,
        ),
        any::<bool>(),
        (
            prop::collection::vec(any::<prop::sample::Index>(), 0..3),
            prop::collection::vec(any::<prop::sample::Index>(), 0..2),
            prop::collection::vec(any::<prop::sample::Index>(), 0..2),
        ),
    )
        .prop_map(
            |(
                stem,
                kind,
                summary,
                modules,
                requirements,
                features,
                self_dev,
                (normal, build, dev),
            )| {
                RandomCrate {
                    stem,
                    kind,
                    summary,
                    modules,
                    requirements,
                    features,
                    self_dev,
                    normal,
                    build,
                    dev,
                }
            },
        )
}

/// A random valid spec of `crates` crates, as text.
pub(crate) fn random_spec(crates: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["2021", "2024"]),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        prop::collection::vec(random_crate(), crates),
    )
        .prop_map(|(edition, summary, crates)| spec_text(edition, &summary, &crates))
}

/// Free text from pieces of [`TEXT`], as the inside of a TOML basic string.
fn text(picks: &[prop::sample::Index]) -> String {
    picks.iter().map(|p| TEXT[p.index(TEXT.len())]).collect::<Vec<_>>().join(" ")
}

/// The spec text. Normal and build edges go to libraries declared earlier (no cycle), dev
/// edges to any other library (cycles allowed, as cargo allows them); a crate with a library
/// and features may list itself in `dev-depends`, which turns them on in its tests.
fn spec_text(edition: &str, summary: &[prop::sample::Index], crates: &[RandomCrate]) -> String {
    let names: Vec<String> =
        crates.iter().enumerate().map(|(i, c)| format!("{}-{i}", c.stem)).collect();
    let has_lib = |i: usize| matches!(crates[i].kind, "lib" | "proc-macro");
    let mut spec = format!(
        "[workspace]\nname = \"random-clean\"\nsummary = \"{}\"\nedition = \"{edition}\"\n",
        text(summary)
    );
    for (i, c) in crates.iter().enumerate() {
        let earlier: Vec<usize> = (0..i).filter(|&j| has_lib(j)).collect();
        let others: Vec<usize> = (0..crates.len()).filter(|&j| j != i && has_lib(j)).collect();
        let pick = |picks: &[prop::sample::Index], from: &[usize]| -> BTreeSet<usize> {
            if from.is_empty() {
                BTreeSet::new()
            } else {
                picks.iter().map(|p| from[p.index(from.len())]).collect()
            }
        };
        let list = |items: &mut dyn Iterator<Item = String>| {
            items.map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        };
        let names_of = |set: BTreeSet<usize>| list(&mut set.into_iter().map(|j| names[j].clone()));
        let mut dev = names_of(pick(&c.dev, &others));
        if c.self_dev && has_lib(i) && !c.features.is_empty() {
            dev = [dev, format!("\"{}\"", names[i])]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
        }
        // A package of examples has no lib or bin to hold modules.
        let modules = if c.kind == "examples" { 0 } else { c.modules };
        let modules = list(&mut (0..modules).map(|m| format!("m{m}_{}", c.stem)));
        let features = list(&mut c.features.iter().map(|f| (*f).to_owned()));
        let _ = write!(
            spec,
            "\n[crates.{}]\nkind = \"{}\"\nsummary = \"{}\"\nmodules = [{modules}]\n\
             depends = [{}]\nbuild-depends = [{}]\ndev-depends = [{dev}]\nfeatures = [{features}]\n",
            names[i],
            c.kind,
            // A NUL in a crate's summary is refused (cargo passes it to rustc in an
            // environment variable); the rest of these texts must build.
            text(&c.summary).replace("\\u0000", ""),
            names_of(pick(&c.normal, &earlier)),
            names_of(pick(&c.build, &earlier)),
        );
        if !c.requirements.is_empty() {
            spec.push_str("requirements = [\n");
            for (r, picks) in c.requirements.iter().enumerate() {
                let _ =
                    writeln!(spec, "  {{ id = \"C{i}-{r}\", text = \"Holds: {}\" }},", text(picks));
            }
            spec.push_str("]\n");
        }
    }
    spec
}

/// Runs one cargo command in `root`, in one target folder for every case and every run, so
/// each case rebuilds only its crates.
fn cargo(root: &Path, args: &[&str]) -> Result<String, String> {
    crate::build::cargo(root, "random-clean", args)
}

proptest! {
    // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_valid_specs_lint_and_document_clean(text in random_spec(2..5)) {
        if let Err(diagnostics) = trellis_spec::parse(&text, "spec.toml") {
            let shown: Vec<String> = diagnostics.iter().map(|d| anstream::adapter::strip_str(&d.render(Some(&text))).to_string()).collect();
            return Err(TestCaseError::fail(format!("the generator made an invalid spec:\n{text}\n{}", shown.join("\n"))));
        }
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("spec.toml"), &text).unwrap();
        let (code, stderr) = outcome(&xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]));
        prop_assert_eq!(code, Some(0), "{}\n{}", text, stderr);
        let root = tmp.path().join("ws");
        let clippy = ["clippy", "--workspace", "--all-targets", "--offline", "--", "-D", "warnings"];
        cargo(&root, &clippy).map_err(|e| TestCaseError::fail(format!("{text}\n{e}")))?;
        cargo(&root, &["doc", "--workspace", "--no-deps", "--offline"])
            .map_err(|e| TestCaseError::fail(format!("{text}\n{e}")))?;
    }
}
