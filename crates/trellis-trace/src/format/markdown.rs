//! The report as GitHub-flavoured Markdown, for a CI job summary.

use std::fmt::Write;

use super::test_state;
use super::{Piece, about_line, at, by_layer, capitalised, claims, controls_escaped, shown_test};
use crate::report::{Counts, TraceReport};
use crate::status::Status;

/// The report as GitHub-flavoured Markdown for a CI job summary: a heading that names the
/// workspace, a line with the date, the commit and the results the statuses are judged by, a
/// table of counts per crate (with its layer, when the spec has layers) and the total, the
/// traceability matrix (folded): every requirement by layer and crate, with its status and the
/// tests that claim it, each with its place and last result; then the stray ids. Every text
/// from the spec, the code or the results is escaped: it stays in its cell, on one line, and
/// no HTML of it reaches the page.
pub fn markdown(report: &TraceReport) -> String {
    let totals = report.totals();
    let layered = !report.layers.is_empty();
    let mut out = String::new();
    let (shown, word) = match report.results {
        true => (totals.passing, "passing"),
        false => (totals.covered, "covered"),
    };
    let of = match &report.about.workspace {
        Some(name) => format!(" of {}", code(name)),
        None => String::new(),
    };
    let _ = writeln!(out, "### Requirements{of}: {shown} of {} {word}\n", totals.requirements);
    let groups: Vec<String> = about_line(report)
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|piece| match piece {
                    Piece::Text(t) => text(t),
                    Piece::Code(c) => code(c),
                })
                .collect()
        })
        .collect();
    let _ = writeln!(out, "{}.\n", capitalised(&groups.join(" · ")));
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
                            text(&test_state(t, report.results))
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

/// Inline code for a table cell, on one line: control characters escaped (`\n`), a fence
/// longer than any run of backticks inside, and every `|` escaped, since GitHub splits a row at
/// a `|` before it reads code spans. A `\` escapes the character after it in that split, so a
/// `|` is preceded by an odd number of them.
pub fn code(text: &str) -> String {
    let text = controls_escaped(text, |_| false);
    let mut inner = String::with_capacity(text.len() + 2);
    let mut backslashes = 0;
    for c in text.chars() {
        if c == '|' {
            if backslashes % 2 == 1 {
                inner.push('\\');
            }
            inner.push_str("\\|");
            backslashes = 0;
            continue;
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        inner.push(c);
    }
    if inner.is_empty() {
        // No code span is empty: one of a space shows as one.
        return "` `".to_owned();
    }
    let longest = inner.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{inner}`");
    }
    // A space on each side, which the code span drops, so that a backtick at either end is not
    // read as part of the fence.
    let fence = "`".repeat(longest + 1);
    format!("{fence} {inner} {fence}")
}

/// Plain text in a table cell, on one line: every run of white space is one space, control
/// characters are escaped (`\u{1b}`), and every character Markdown or HTML could read as markup
/// is escaped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut words = s.split(char::is_whitespace).peekable();
    while let Some(word) = words.next() {
        for c in controls_escaped(word, |_| false).chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                c => out.push(c),
            }
        }
        if words.peek().is_some() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}
