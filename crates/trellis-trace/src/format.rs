//! A trace report as text: for a terminal, as JSON for tools, as Markdown for a CI job summary.

use std::fmt::Write;

use serde::Serialize;

use crate::report::{Counts, CrateTrace, Place, RequirementTrace, Status, Stray, TraceReport};

/// The version of the JSON format; it changes only when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// The report for a terminal: a block per crate with a line per requirement, aligned, then the
/// stray ids and the totals. `color` adds ANSI colours (the caller decides, by its terminal rules).
pub fn human(report: &TraceReport, color: bool) -> String {
    let paint = |text: &str, code: &str| {
        if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    };
    let all = || report.crates.iter().flat_map(|c| &c.requirements);
    let id_width = all().map(|r| r.id.chars().count()).max().unwrap_or(0);
    let name_width = all().map(|r| shown_test(r).map_or(0, |(n, _)| n.chars().count())).max();
    let name_width = name_width.unwrap_or(0);
    let mut out = String::new();
    for krate in &report.crates {
        let counts = report.counts(krate);
        let head = paint(&krate.name, "1");
        let _ = write!(out, "{head} ({}): ", krate.path);
        if krate.missing {
            let _ = writeln!(out, "{}; {}", paint("folder missing", "31"), summary(&counts, false));
        } else if krate.requirements.is_empty() {
            out.push_str("no requirements\n");
        } else {
            let _ = writeln!(out, "{}", summary(&counts, false));
        }
        for r in &krate.requirements {
            let status = format!("{:<7}", r.status.as_str());
            let status = match r.status {
                Status::Covered => paint(&status, "32"),
                Status::Pending => paint(&status, "33"),
                Status::Lost => paint(&status, "31"),
            };
            let mut line = format!("  {:<id_width$}  {status}", r.id);
            if let Some((name, place)) = shown_test(r) {
                let _ = write!(line, "  {name:<name_width$}  {}", at(place));
                let more = more_count(r);
                if more > 0 {
                    let _ = write!(line, " (+{more} more)");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    if !report.stray.is_empty() {
        let _ = writeln!(out, "\n{}", paint("stray ids (in code, not in the spec)", "1"));
        let width = report.stray.iter().map(|s| s.id.chars().count()).max().unwrap_or(0);
        for stray in &report.stray {
            let id = paint(&format!("{:<width$}", stray.id), "31");
            let _ = write!(out, "  {id}  {}", at(&stray.places[0]));
            if stray.places.len() > 1 {
                let _ = write!(out, " (+{} more)", stray.places.len() - 1);
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "\ntotal: {}", summary(&report.totals(), true));
    out
}

/// "3 requirements: 1 covered, 1 pending, 1 lost", and the stray ids when asked.
fn summary(counts: &Counts, with_stray: bool) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut s = format!(
        "{}: {} covered, {} pending, {} lost",
        plural(counts.requirements, "requirement", "requirements"),
        counts.covered,
        counts.pending,
        counts.lost
    );
    if with_stray || counts.stray > 0 {
        let _ = write!(s, "; {}", plural(counts.stray, "stray id", "stray ids"));
    }
    s
}

/// The test (or place) a line of the report shows for a requirement: a covering test when
/// there is one, else the test that names it most directly (its pending test, mostly), else the
/// first other mention.
fn shown_test(r: &RequirementTrace) -> Option<(&str, &Place)> {
    let rank = |t: &&crate::TestRef| (t.ignored || t.via == crate::Naming::Text, t.via);
    if let Some(t) = r.tests.iter().min_by_key(rank) {
        return Some((&t.name, &t.place));
    }
    r.elsewhere.first().map(|p| ("", p))
}

fn more_count(r: &RequirementTrace) -> usize {
    (r.tests.len() + r.elsewhere.len()).saturating_sub(1)
}

fn at(place: &Place) -> String {
    format!("{}:{}", place.file, place.line)
}

/// The report as JSON (see `docs/trace.md` for the format), pretty-printed, with a newline.
pub fn json(report: &TraceReport) -> String {
    #[derive(Serialize)]
    struct Json<'a> {
        version: u32,
        totals: Counts,
        crates: Vec<JsonCrate<'a>>,
        stray: &'a [Stray],
        files: usize,
    }
    #[derive(Serialize)]
    struct JsonCrate<'a> {
        name: &'a str,
        path: &'a str,
        missing: bool,
        counts: Counts,
        requirements: &'a [RequirementTrace],
    }
    let view = Json {
        version: JSON_VERSION,
        totals: report.totals(),
        crates: report
            .crates
            .iter()
            .map(|c: &CrateTrace| JsonCrate {
                name: &c.name,
                path: &c.path,
                missing: c.missing,
                counts: report.counts(c),
                requirements: &c.requirements,
            })
            .collect(),
        stray: &report.stray,
        files: report.files,
    };
    let mut s = serde_json::to_string_pretty(&view).unwrap_or_default();
    s.push('\n');
    s
}

/// The report as GitHub-flavoured Markdown for a CI job summary: a table of counts per crate
/// with the total, a table of every requirement (folded), and the stray ids.
pub fn markdown(report: &TraceReport) -> String {
    let totals = report.totals();
    let mut out = String::new();
    let _ =
        writeln!(out, "### Requirements: {} of {} covered\n", totals.covered, totals.requirements);
    out.push_str("| crate | requirements | covered | pending | lost | stray ids |\n");
    out.push_str("|:--|--:|--:|--:|--:|--:|\n");
    for krate in &report.crates {
        let c = report.counts(krate);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            code(&krate.name),
            c.requirements,
            c.covered,
            c.pending,
            c.lost,
            c.stray
        );
    }
    let t = totals;
    let _ = writeln!(
        out,
        "| **total** | **{}** | **{}** | **{}** | **{}** | **{}** |",
        t.requirements, t.covered, t.pending, t.lost, t.stray
    );
    if totals.requirements > 0 {
        out.push_str("\n<details><summary>Every requirement</summary>\n\n");
        out.push_str("| requirement | crate | status | where |\n|:--|:--|:--|:--|\n");
        for krate in &report.crates {
            for r in &krate.requirements {
                let status = match r.status {
                    Status::Covered => "✅ covered",
                    Status::Pending => "⏳ pending",
                    Status::Lost => "❌ lost",
                };
                let place = match shown_test(r) {
                    Some(("", place)) => code(&at(place)),
                    Some((name, place)) => format!("{} in {}", code(name), code(&at(place))),
                    None => String::new(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {status} | {place} |",
                    code(&r.id),
                    code(&krate.name)
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

/// Inline code for a table cell: a `|` would end the cell even inside backticks.
fn code(text: &str) -> String {
    let text = text.replace('|', "\\|");
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}
