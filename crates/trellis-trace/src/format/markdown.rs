//! The report as GitHub-flavoured Markdown, for a CI job summary.

use std::fmt::Write;

use super::{at, by_layer, claims, shown_test, test_state};
use crate::report::{Counts, TraceReport};
use crate::status::Status;

/// The report as GitHub-flavoured Markdown for a CI job summary: a heading, a table of counts
/// per crate (with its layer, when the spec has layers) and the total, the traceability matrix
/// (folded): every requirement by layer and crate, with its status and the tests that claim it,
/// each with its place and last result; then the stray ids.
pub fn markdown(report: &TraceReport) -> String {
    let totals = report.totals();
    let layered = !report.layers.is_empty();
    let mut out = String::new();
    let (shown, word) = match report.results {
        true => (totals.passing, "passing"),
        false => (totals.covered, "covered"),
    };
    let _ = writeln!(out, "### Requirements: {shown} of {} {word}\n", totals.requirements);
    let layer_head = if layered { " layer |" } else { "" };
    let layer_rule = if layered { ":--|" } else { "" };
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let _ = writeln!(
        out,
        "| crate |{layer_head} requirements | {} | stray ids |",
        statuses.join(" | ")
    );
    let _ = writeln!(out, "|:--|{layer_rule}--:|{}--:|", "--:|".repeat(statuses.len()));
    let row = |c: &Counts, bold: bool| -> String {
        let b = |n: usize| if bold { format!("**{n}**") } else { n.to_string() };
        let mut cells = vec![b(c.requirements)];
        cells.extend(Status::ALL.iter().map(|&s| b(c.of(s))));
        cells.push(b(c.stray));
        cells.join(" | ")
    };
    for krate in by_layer(report) {
        let layer = match (layered, &krate.layer) {
            (false, _) => String::new(),
            (true, Some(l)) => format!(" {} |", code(l)),
            (true, None) => " |".to_owned(),
        };
        let counts = report.counts(krate);
        let _ = writeln!(out, "| {} |{layer} {} |", code(&krate.name), row(&counts, false));
    }
    let layer = if layered { " |" } else { "" };
    let _ = writeln!(out, "| **total** |{layer} {} |", row(&totals, true));
    if totals.requirements > 0 {
        out.push_str("\n<details><summary>Traceability matrix</summary>\n\n");
        let _ = writeln!(
            out,
            "| requirement |{layer_head} crate | status | text | tests |\n|:--|{layer_rule}:--|:--|:--|:--|"
        );
        for krate in by_layer(report) {
            let layer = match (layered, &krate.layer) {
                (false, _) => String::new(),
                (true, Some(l)) => format!(" {} |", code(l)),
                (true, None) => " |".to_owned(),
            };
            for r in &krate.requirements {
                let tests: Vec<String> = claims(r)
                    .map(|t| {
                        format!(
                            "{} in {}: {}",
                            code(&t.name),
                            code(&at(&t.place)),
                            test_state(t, report.results)
                        )
                    })
                    .collect();
                let tests = if tests.is_empty() {
                    match shown_test(r) {
                        Some((_, place)) => format!("mentioned in {}", code(&at(place))),
                        None => String::new(),
                    }
                } else {
                    tests.join("<br>")
                };
                let text = r.text.as_deref().map(text).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} |{layer} {} | {} | {text} | {tests} |",
                    code(&r.id),
                    code(&krate.name),
                    status(r.status),
                );
            }
        }
        out.push_str("\n</details>\n");
    }
    if !report.stray.is_empty() {
        out.push_str("\n#### Stray ids (in code, not in the spec)\n\n| id | where |\n|:--|:--|\n");
        for stray in &report.stray {
            let places: Vec<String> = stray.places.iter().map(|p| code(&at(p))).collect();
            let _ = writeln!(out, "| {} | {} |", code(&stray.id), places.join("<br>"));
        }
    }
    out
}

/// A status with its sign.
fn status(status: Status) -> String {
    let sign = match status {
        Status::Passing => "✅",
        Status::Failing => "❌",
        Status::Suspect => "⚠️",
        Status::Skipped => "⏭️",
        Status::Covered => "☑️",
        Status::Pending => "⏳",
        Status::Lost => "❓",
    };
    format!("{sign} {}", status.as_str())
}

/// Inline code for a table cell: a `|` would end the cell even inside backticks.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

/// Plain text in a table cell, on one line: every character Markdown or HTML could read as
/// markup is escaped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
    }
    out
}
