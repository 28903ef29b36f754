//! The reports CI reads: SARIF validated against the official SARIF 2.1.0 schema (the fixture
//! `tests/fixtures/sarif/`, whose README says where it comes from) and held to what GitHub's
//! code-scanning upload requires beyond it; and each format on the drifted fixture, as
//! snapshots.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value;
use trellis_check::Checked;
use trellis_check::report::{Format, Layout};
use trellis_spec::Diagnostic;

use crate::{check, fixture};

static SARIF_SCHEMA: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let path = fixture("sarif").join("sarif-2.1.0-rtm.5.json");
    let text = std::fs::read_to_string(&path).expect("the SARIF schema fixture");
    let mut schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    // The schema's pattern for a `language` (of a run, of a tool component) has a stray `]`,
    // a plain character to ECMAScript (which the schema is written for) but an error to the
    // check of the schema's own `regex` formats, which cannot be turned off: escaped here, in
    // memory, it means the same (the fixture stays as published; Trellis writes no `language`).
    for holder in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][holder]["properties"]["language"]["pattern"];
        assert_eq!(*language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$", "as published");
        *language = Value::from(r"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\]?$");
    }
    // Formats (`uri`, `date-time`) are checked too.
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
});

/// Validates a SARIF text against the official schema, then against what GitHub's upload
/// requires (docs.github.com, "SARIF support for code scanning"); returns the log.
pub(crate) fn valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors: Vec<String> =
        SARIF_SCHEMA.iter_errors(&log).map(|e| format!("at {}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "the SARIF does not validate:\n{}\n{text}", errors.join("\n"));
    github_accepts(&log);
    log
}

/// What GitHub's code scanning requires of an uploaded log beyond the schema.
fn github_accepts(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "trellis");
    assert!(driver["version"].as_str().is_some_and(|v| !v.is_empty()), "a version: {driver}");
    if let Some(uri) = driver.get("informationUri") {
        assert!(uri.as_str().is_some_and(|u| u.starts_with("https://")), "{uri}");
    }
    // Every rule once, with a description and help.
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().expect("a rule id")).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "a rule described twice: {ids:?}");
    for rule in rules {
        for text in ["shortDescription", "fullDescription", "help"] {
            let text = rule[text]["text"].as_str().unwrap_or_default();
            assert!(!text.is_empty(), "a rule without its {text}: {rule}");
        }
        let level = rule["defaultConfiguration"]["level"].as_str();
        assert!(matches!(level, Some("error" | "warning" | "note")), "{rule}");
    }
    let results = run["results"].as_array().expect("results, if empty");
    assert!(results.len() <= 25_000, "GitHub reads 25,000 results a run");
    for result in results {
        let id = result["ruleId"].as_str().expect("a ruleId");
        let index = result["ruleIndex"].as_u64().expect("a ruleIndex") as usize;
        assert_eq!(ids.get(index), Some(&id), "ruleIndex names the rule: {result}");
        let level = result["level"].as_str();
        assert!(matches!(level, Some("error" | "warning" | "note")), "{result}");
        let message = result["message"]["text"].as_str().unwrap_or_default();
        assert!(!message.trim().is_empty(), "a message text: {result}");
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "one location: {result}");
        let physical = &locations[0]["physicalLocation"];
        let artifact = &physical["artifactLocation"];
        let uri = artifact["uri"].as_str().expect("an artifact uri");
        match artifact.get("uriBaseId") {
            Some(base) => {
                assert_eq!(base, "%SRCROOT%", "{result}");
                // Relative to the checkout: no scheme, not absolute, not leaving it.
                assert!(!uri.contains(':') && !uri.starts_with('/'), "{uri}");
                assert!(!uri.split('/').any(|s| s == ".." || s == "."), "{uri}");
                assert!(!uri.contains(['\\', ' ', '#', '?']), "{uri}");
            }
            None => assert!(uri.starts_with("file:///"), "absolute only as a file URI: {uri}"),
        }
        let region = &physical["region"];
        let line = region["startLine"].as_u64().expect("a start line");
        assert!(line >= 1, "{result}");
        if let Some(column) = region.get("startColumn") {
            assert!(column.as_u64().is_some_and(|c| c >= 1), "{result}");
        }
        if let Some(end) = region.get("endLine") {
            assert!(end.as_u64().is_some_and(|e| e >= line), "{result}");
        }
    }
}

/// Every format of the drifted fixture but the two older ones (their snapshots are
/// `check.rs`'s).
#[test]
fn the_drifted_fixture_in_every_format_for_ci() {
    let checked = check("drift");
    valid_sarif(&checked.render_as(Format::Sarif));
    for format in [Format::Sarif, Format::Github, Format::Junit, Format::Markdown] {
        insta::assert_snapshot!(format!("drift_{format}"), checked.render_as(format));
    }
}

#[test]
fn human_and_json_are_what_they_were() {
    let checked = check("drift");
    assert_eq!(checked.render_as(Format::Human), checked.render());
    assert_eq!(checked.render_as(Format::Json), checked.json());
}

#[test]
fn the_sarif_of_every_check_fixture_validates() {
    for name in ["drift", "allow"] {
        valid_sarif(&check(name).render_as(Format::Sarif));
    }
}

/// Findings without a file, without a span, in a file outside the root, with characters every
/// format must escape, and notes: still valid, and still at a line.
#[test]
fn odd_findings_still_validate_and_have_a_place() {
    let spec = "[workspace]\nname = \"odd\"\n\n[crates.a]\n";
    let diagnostics = vec![
        Diagnostic::error(trellis_check::codes::MISSING_CRATE, "no file at all"),
        Diagnostic::warning(trellis_check::codes::SUMMARY_DRIFT, "no span")
            .in_file("../ws/crates/a b/Cargo.toml"),
        Diagnostic::error(trellis_check::codes::CYCLE, "`a` -> `b` -> `a`, 100% \"odd\" <x> & y")
            .in_file("/elsewhere/Trellis.toml")
            .at(0..3, "here")
            .hint("line one\r\nline two: a, b"),
        Diagnostic::warning(trellis_spec::codes::UNUSED_DEPENDENCY, "a spec warning")
            .in_file("../ws/Trellis.toml")
            .at(2..5, "this"),
    ];
    let checked = Checked {
        diagnostics,
        sources: BTreeMap::from([("../ws/Trellis.toml".to_owned(), spec.to_owned())]),
        notes: vec!["the patched edges are not checked: 50% | <b>".to_owned()],
        results: None,
        layout: Box::new(Layout {
            root: "../ws".to_owned(),
            spec_file: "../ws/Trellis.toml".to_owned(),
            crates: vec![("a".to_owned(), "crates/a b".to_owned())],
        }),
    };
    let log = valid_sarif(&checked.render_as(Format::Sarif));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let place = |i: usize| {
        let location = &results[i]["locations"][0]["physicalLocation"];
        (location["artifactLocation"]["uri"].clone(), location["region"]["startLine"].clone())
    };
    assert_eq!(place(0), ("Trellis.toml".into(), 1.into()), "a finding without a file: the spec");
    assert_eq!(place(1), ("crates/a%20b/Cargo.toml".into(), 1.into()));
    assert_eq!(place(2), ("file:///elsewhere/Trellis.toml".into(), 1.into()));
    assert_eq!(place(3), ("Trellis.toml".into(), 1.into()));
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "S033"), "a spec warning's rule is described");
    insta::assert_snapshot!(
        "odd_findings",
        [Format::Github, Format::Junit, Format::Markdown]
            .map(|format| format!("--- {format}\n{}", checked.render_as(format)))
            .join("\n")
    );
}

#[test]
fn a_clean_check_in_every_format() {
    let checked = Checked {
        layout: Box::new(Layout {
            root: String::new(),
            spec_file: "Trellis.toml".to_owned(),
            crates: vec![("a".to_owned(), "crates/a".to_owned())],
        }),
        ..Checked::default()
    };
    valid_sarif(&checked.render_as(Format::Sarif));
    assert_eq!(checked.render_as(Format::Github), "", "no finding, no annotation");
    let junit = checked.render_as(Format::Junit);
    assert!(junit.contains("tests=\"22\" failures=\"0\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    let markdown = checked.render_as(Format::Markdown);
    assert_eq!(markdown, "## Trellis check\n\n✅ The workspace matches its spec.\n");
}

#[test]
fn formats_are_named_as_the_command_line_takes_them() {
    for (format, name) in Format::ALL.into_iter().zip(Format::NAMES) {
        assert_eq!(format.name(), name);
        assert_eq!(name.parse::<Format>(), Ok(format));
    }
    let error = "xml".parse::<Format>().expect_err("no such format");
    assert_eq!(
        error.to_string(),
        "unknown format `xml`: expected one of human, json, sarif, github, junit, markdown"
    );
}

/// Every code `check` can report has its own description, not the spec's fallback.
#[test]
fn every_rule_is_described_in_its_own_words() {
    let log = valid_sarif(&Checked::default().render_as(Format::Sarif));
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules").clone();
    assert_eq!(rules.len(), trellis_check::codes::ALL.len() + 6);
    let descriptions: BTreeSet<&str> =
        rules.iter().map(|r| r["fullDescription"]["text"].as_str().expect("text")).collect();
    assert_eq!(descriptions.len(), rules.len(), "two rules described alike");
    assert!(descriptions.iter().all(|d| !d.starts_with("The spec: ")), "{descriptions:?}");
}
