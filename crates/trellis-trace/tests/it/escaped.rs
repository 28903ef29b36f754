//! Every format stays well-formed whatever the texts it is given: a report whose every string
//! (the workspace, the commit, the results' files, layers, crates, paths, ids, requirement
//! texts, test names, ignore reasons, the run's names and skip messages, stray ids) is hostile
//! (`|`, `<script>`, backticks, line breaks, quotes, control characters) renders with the
//! structure of the same report with plain strings: the Markdown tables keep their columns, the
//! HTML its tags, the terminal its lines, and the JSON parses back to the same strings.

use std::collections::HashMap;

use proptest::prelude::*;
use trellis_trace::format::{html, human, json, markdown};
use trellis_trace::{
    About, CrateTrace, Naming, Outcome, Place, RequirementTrace, ResultsFrom, Status, Stray,
    TestRef, TestRun, TraceReport,
};

/// What breaks formats: markup, table and code delimiters, escapes, line breaks, quotes,
/// control characters.
const PIECES: &[&str] = &[
    "|",
    "\\|",
    "\\",
    "\\\\",
    "<script>alert(1)</script>",
    "</td>",
    "<br>",
    "<!--",
    "-->",
    "`",
    "``",
    "```",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\"",
    "'",
    "\0",
    "\x1b[31m",
    "\x1b[2J",
    "\x07",
    "\x7f",
    "\u{85}",
    "\u{2028}",
    "&",
    "&amp;",
    "&lt;",
    "*",
    "_",
    "[x](javascript:y)",
    "#",
    "$x$",
    " ",
    "  ",
    "é",
    "]]>",
    "{{x}}",
    ":",
    "a",
    "ORD-1",
    "**total**",
];

fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|pieces| pieces.concat())
}

/// How many strings [`report`] takes.
const STRINGS: usize = 27;

fn place(file: &str, krate: &str) -> Place {
    Place { file: file.to_owned(), line: 3, column: 4, span: 0..1, krate: krate.to_owned() }
}

fn test(name: &str, file: &str, krate: &str) -> TestRef {
    TestRef {
        name: name.to_owned(),
        place: place(file, krate),
        ignored: false,
        reason: None,
        via: Naming::Name,
        cases: false,
        result: None,
    }
}

fn run(outcome: Outcome, name: &str, reason: Option<&str>) -> TestRun {
    TestRun { outcome, name: name.to_owned(), flaky: false, reason: reason.map(str::to_owned) }
}

/// A report of a fixed shape (two layers, two crates, a requirement in most statuses, a stray
/// id) whose every string is one of `s`.
fn report(s: &[String], kept: bool) -> TraceReport {
    let results = match kept {
        true => ResultsFrom::Kept { file: s[2].clone(), written: 1_700_000_000, age: 300 },
        false => ResultsFrom::Files(vec![s[2].clone(), s[3].clone()]),
    };
    let about = About {
        workspace: Some(s[0].clone()),
        made: Some(1_700_000_300),
        commit: Some(s[1].clone()),
        results: Some(results),
    };
    let (a, b) = (&s[6], &s[22]);
    let failing = RequirementTrace {
        id: s[8].clone(),
        status: Status::Failing,
        text: Some(s[9].clone()),
        fingerprint: Some(s[10].clone()),
        affirmed: Some(s[11].clone()),
        tests: vec![
            TestRef { result: Some(run(Outcome::Failed, &s[14], None)), ..test(&s[12], &s[13], a) },
            TestRef {
                ignored: true,
                reason: Some(s[16].clone()),
                via: Naming::Marker,
                ..test(&s[15], &s[13], a)
            },
        ],
        elsewhere: vec![place(&s[17], a)],
    };
    let skipped = RequirementTrace {
        id: s[18].clone(),
        status: Status::Skipped,
        text: Some(s[19].clone()),
        fingerprint: None,
        affirmed: None,
        tests: vec![TestRef {
            result: Some(run(Outcome::Skipped, &s[21], Some(&s[21]))),
            ..test(&s[20], &s[13], a)
        }],
        elsewhere: Vec::new(),
    };
    let lost = RequirementTrace {
        id: s[24].clone(),
        status: Status::Lost,
        text: Some(s[9].clone()),
        fingerprint: None,
        affirmed: None,
        tests: Vec::new(),
        elsewhere: Vec::new(),
    };
    let suspect = RequirementTrace {
        id: s[25].clone(),
        status: Status::Suspect,
        text: None,
        fingerprint: None,
        affirmed: None,
        tests: vec![TestRef {
            result: Some(run(Outcome::Passed, &s[14], None)),
            ..test(&s[20], &s[23], b)
        }],
        elsewhere: vec![place(&s[26], b)],
    };
    TraceReport {
        layers: vec![s[4].clone(), s[5].clone()],
        results: true,
        crates: vec![
            CrateTrace {
                name: a.clone(),
                path: s[7].clone(),
                layer: Some(s[5].clone()),
                missing: false,
                requirements: vec![failing, skipped],
            },
            CrateTrace {
                name: b.clone(),
                path: s[23].clone(),
                layer: Some(s[4].clone()),
                missing: true,
                requirements: vec![lost, suspect],
            },
        ],
        stray: vec![Stray { id: s[25].clone(), places: vec![place(&s[26], b), place(&s[17], a)] }],
        files: 7,
        about,
    }
}

/// The same strings made plain: each distinct one becomes a distinct `vN`, so that the report
/// keeps its shape (which crate is in which layer, which stray id is whose).
fn plain(s: &[String]) -> Vec<String> {
    let mut names: HashMap<&str, String> = HashMap::new();
    s.iter()
        .map(|x| {
            let next = names.len();
            names.entry(x.as_str()).or_insert_with(|| format!("v{next}")).clone()
        })
        .collect()
}

/// The `|` that end cells as GitHub reads a table row: a `\` escapes the character after it.
fn cell_ends(line: &str) -> usize {
    let mut count = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

/// The HTML tags Markdown lets through outside code spans: none may come from the data.
fn markdown_tags(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '`' => {
                // A code span: a run of backticks up to the next run of the same length.
                let run = chars[i..].iter().take_while(|&&c| c == '`').count();
                let mut j = i + run;
                let mut closed = None;
                while j < chars.len() {
                    let here = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if here == run {
                        closed = Some(j + here);
                        break;
                    }
                    j += here.max(1);
                }
                i = closed.unwrap_or(i + run);
            }
            '<' => {
                let tag: String = chars[i..].iter().take_while(|&&c| c != '>').collect();
                tags.push(tag);
                i += 1;
            }
            _ => i += 1,
        }
    }
    tags
}

/// Every tag of an HTML page, in order.
fn html_tags(page: &str) -> Vec<&str> {
    page.match_indices('<').map(|(i, _)| &page[i..i + page[i..].find('>').unwrap_or(0)]).collect()
}

fn config() -> ProptestConfig {
    // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn markdown_tables_keep_their_columns_and_no_tag_comes_from_the_data(
        s in proptest::collection::vec(hostile(), STRINGS),
        kept in any::<bool>(),
    ) {
        let text = markdown(&report(&s, kept));
        let like = markdown(&report(&plain(&s), kept));
        let (lines, like_lines): (Vec<&str>, Vec<&str>) = (text.lines().collect(), like.lines().collect());
        prop_assert_eq!(lines.len(), like_lines.len(), "{}\n----\n{}", text, like);
        for (line, like_line) in lines.iter().zip(&like_lines) {
            prop_assert_eq!(cell_ends(line), cell_ends(like_line), "{}\n----\n{}", line, like_line);
        }
        prop_assert_eq!(markdown_tags(&text), markdown_tags(&like), "{}", text);
        prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{}", text);
    }

    #[test]
    fn html_has_only_its_own_tags_and_no_control_characters(
        s in proptest::collection::vec(hostile(), STRINGS),
        kept in any::<bool>(),
    ) {
        let page = html(&report(&s, kept));
        let like = html(&report(&plain(&s), kept));
        prop_assert_eq!(html_tags(&page), html_tags(&like), "{}", page);
        prop_assert!(!page.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{}", page);
        for (i, _) in page.match_indices('&') {
            let entity = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
            prop_assert!(entity.iter().any(|e| page[i..].starts_with(e)), "{}", &page[i..]);
        }
    }

    #[test]
    fn the_terminal_gets_its_lines_and_no_escape_sequence_of_the_data(
        s in proptest::collection::vec(hostile(), STRINGS),
        kept in any::<bool>(),
    ) {
        let text = human(&report(&s, kept));
        let like = human(&report(&plain(&s), kept));
        prop_assert_eq!(text.lines().count(), like.lines().count(), "{}\n----\n{}", text, like);
        // The styles are the report's own: as many escapes as with plain strings.
        prop_assert_eq!(text.matches('\x1b').count(), like.matches('\x1b').count(), "{:?}", text);
        prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\x1b'), "{:?}", text);
    }

    #[test]
    fn json_parses_back_to_the_same_strings(
        s in proptest::collection::vec(hostile(), STRINGS),
        kept in any::<bool>(),
    ) {
        let text = json(&report(&s, kept));
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        prop_assert_eq!(&value["workspace"], &serde_json::json!(s[0]));
        prop_assert_eq!(&value["commit"], &serde_json::json!(s[1]));
        let from = &value["results_from"];
        let file = if kept { &from["file"] } else { &from["files"][0] };
        prop_assert_eq!(file, &serde_json::json!(s[2]));
        let r = &value["crates"][0]["requirements"][0];
        prop_assert_eq!(&r["id"], &serde_json::json!(s[8]));
        prop_assert_eq!(&r["text"], &serde_json::json!(s[9]));
        prop_assert_eq!(&r["tests"][0]["name"], &serde_json::json!(s[12]));
        prop_assert_eq!(&r["tests"][1]["reason"], &serde_json::json!(s[16]));
        let skipped = &value["crates"][0]["requirements"][1]["tests"][0]["result"];
        prop_assert_eq!(&skipped["reason"], &serde_json::json!(s[21]));
        prop_assert_eq!(&value["stray"][0]["id"], &serde_json::json!(s[25]));
    }
}
