//! A trace report as text: styled for a terminal, JSON for tools, Markdown for a CI job
//! summary, and a self-contained HTML page: the traceability matrix.

mod html;
mod markdown;

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

pub use html::html;
pub use markdown::markdown;

use crate::report::{Counts, CrateTrace, Place, RequirementTrace, Stray, TestRef, TraceReport};
use crate::status::{Shows, Status, shows};

pub use trellis_spec::JSON_SCHEMA_VERSION;

const BOLD: Style = Style::new().bold();
const GOOD: Style = AnsiColor::Green.on_default();
const WARN: Style = AnsiColor::Yellow.on_default();
const BAD: Style = AnsiColor::Red.on_default();

/// How a status is styled in the terminal.
pub fn status_style(status: Status) -> Style {
    match status {
        Status::Passing | Status::Covered => GOOD,
        Status::Suspect | Status::Skipped | Status::Pending => WARN,
        Status::Failing | Status::Lost => BAD,
    }
}

fn paint(text: &str, style: Style) -> String {
    format!("{style}{text}{style:#}")
}

/// The report for a terminal: a block per crate with a line per requirement, aligned, then the
/// stray ids and the totals. Always styled with ANSI escapes (`anstyle`); a caller whose
/// output takes no colour strips them (`anstream` does, by the terminal's rules).
pub fn human(report: &TraceReport) -> String {
    let all = || report.crates.iter().flat_map(|c| &c.requirements);
    let id_width = all().map(|r| r.id.chars().count()).max().unwrap_or(0);
    let name_width = all().map(|r| shown_test(r).map_or(0, |(n, _)| n.chars().count())).max();
    let name_width = name_width.unwrap_or(0);
    let mut out = String::new();
    for krate in &report.crates {
        let counts = report.counts(krate);
        let head = paint(&krate.name, BOLD);
        let _ = write!(out, "{head} ({}): ", krate.path);
        if krate.missing {
            let _ = writeln!(out, "{}; {}", paint("folder missing", BAD), summary(&counts, false));
        } else if krate.requirements.is_empty() {
            out.push_str("no requirements\n");
        } else {
            let _ = writeln!(out, "{}", summary(&counts, false));
        }
        for r in &krate.requirements {
            let word = r.status.as_str();
            let mut line =
                format!("  {:<id_width$}  {}", r.id, paint(word, status_style(r.status)));
            if let Some((name, place)) = shown_test(r) {
                // Padded outside the style, so that a line ends with no blanks once stripped.
                let pad = 7usize.saturating_sub(word.len());
                let _ = write!(line, "{:pad$}  {name:<name_width$}  {}", "", at(place));
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
        let _ = writeln!(out, "\n{}", paint("stray ids (in code, not in the spec)", BOLD));
        let width = report.stray.iter().map(|s| s.id.chars().count()).max().unwrap_or(0);
        for stray in &report.stray {
            let id = paint(&format!("{:<width$}", stray.id), BAD);
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

/// "3 requirements: 1 covered, 1 pending, 1 lost" (passing, failing, suspect and skipped
/// before those when there are any), and the stray ids when asked.
fn summary(counts: &Counts, with_stray: bool) -> String {
    let mut s = format!("{}: ", plural(counts.requirements, "requirement", "requirements"));
    let shown = Status::ALL.into_iter().filter(|&st| {
        matches!(st, Status::Covered | Status::Pending | Status::Lost) || counts.of(st) > 0
    });
    let parts: Vec<String> = shown.map(|st| format!("{} {}", counts.of(st), st.as_str())).collect();
    s.push_str(&parts.join(", "));
    if with_stray || counts.stray > 0 {
        let _ = write!(s, "; {}", plural(counts.stray, "stray id", "stray ids"));
    }
    s
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The test (or place) a line of the report shows for a requirement: the test that gives it
/// its status (a failed one, else a passed one, else one that runs, else an ignored one, its
/// pending test mostly), naming it most directly, else the first other mention.
fn shown_test(r: &RequirementTrace) -> Option<(&str, &Place)> {
    if let Some(t) = r.tests.iter().min_by_key(|t| (shows(t), t.via)) {
        return Some((&t.name, &t.place));
    }
    r.elsewhere.first().map(|p| ("", p))
}

/// What a test shows, in words: `passed`, `failed`, `did not run` (or `runs`, when no results
/// were given), `ignored: slow`, `pending`, or `mentions it`.
fn test_state(t: &TestRef, results: bool) -> String {
    match shows(t) {
        Shows::Failed => "failed".to_owned(),
        Shows::Passed if t.result.as_ref().is_some_and(|r| r.flaky) => "passed (flaky)".to_owned(),
        Shows::Passed => "passed".to_owned(),
        Shows::NotRun if results => "did not run".to_owned(),
        Shows::NotRun => "runs".to_owned(),
        Shows::Skipped if !t.ignored => match t.result.as_ref().and_then(|r| r.reason.as_deref()) {
            Some(reason) => format!("skipped by the run: {reason}"),
            None => "skipped by the run".to_owned(),
        },
        Shows::Skipped => match t.reason.as_deref() {
            Some(reason) => format!("ignored: {reason}"),
            None => "ignored".to_owned(),
        },
        Shows::Pending => "pending".to_owned(),
        Shows::Mention => "mentions it".to_owned(),
    }
}

/// The tests that claim a requirement (by name or marker), in report order.
fn claims(r: &RequirementTrace) -> impl Iterator<Item = &TestRef> {
    r.tests.iter().filter(|t| shows(t) != Shows::Mention)
}

/// The crates in the order of the spec's layers (lowest first; crates of no layer last), and
/// in the spec's order within a layer.
fn by_layer(report: &TraceReport) -> Vec<&CrateTrace> {
    let rank = |c: &CrateTrace| {
        c.layer
            .as_ref()
            .and_then(|l| report.layers.iter().position(|x| x == l))
            .unwrap_or(report.layers.len())
    };
    let mut crates: Vec<&CrateTrace> = report.crates.iter().collect();
    crates.sort_by_key(|c| rank(c));
    crates
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
        schema_version: u32,
        results: bool,
        layers: &'a [String],
        totals: Counts,
        crates: Vec<JsonCrate<'a>>,
        stray: &'a [Stray],
        files: usize,
    }
    #[derive(Serialize)]
    struct JsonCrate<'a> {
        name: &'a str,
        path: &'a str,
        layer: Option<&'a str>,
        missing: bool,
        counts: Counts,
        requirements: &'a [RequirementTrace],
    }
    let view = Json {
        schema_version: JSON_SCHEMA_VERSION,
        results: report.results,
        layers: &report.layers,
        totals: report.totals(),
        crates: report
            .crates
            .iter()
            .map(|c: &CrateTrace| JsonCrate {
                name: &c.name,
                path: &c.path,
                layer: c.layer.as_deref(),
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
