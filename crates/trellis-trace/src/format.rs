//! A trace report as text: styled for a terminal, JSON for tools, Markdown for a CI job
//! summary, and a self-contained HTML page: the traceability matrix.

mod html;
mod markdown;

use std::borrow::Cow;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

pub use html::html;
pub use markdown::markdown;
/// Escaping for a Markdown table cell, which `check`'s Markdown summary shares.
pub use markdown::{code as markdown_code, text as markdown_text};

use crate::report::{Counts, CrateTrace, Place, RequirementTrace, Stray, TestRef, TraceReport};
use crate::results::ResultsFrom;
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
/// output takes no colour strips them (`anstream` does, by the terminal's rules). A control
/// character in a name, a path or an id is written as Rust would write it (`\n`, `\u{1b}`), so
/// that it breaks no line and sends the terminal nothing.
pub fn human(report: &TraceReport) -> String {
    let all = || report.crates.iter().flat_map(|c| &c.requirements);
    let id_width = all().map(|r| one_line(&r.id).chars().count()).max().unwrap_or(0);
    let name_width =
        all().map(|r| shown_test(r).map_or(0, |(n, _)| one_line(n).chars().count())).max();
    let name_width = name_width.unwrap_or(0);
    let mut out = String::new();
    for krate in &report.crates {
        let counts = report.counts(krate);
        let head = paint(&one_line(&krate.name), BOLD);
        let _ = write!(out, "{head} ({}): ", one_line(&krate.path));
        if krate.missing {
            let _ = writeln!(out, "{}; {}", paint("folder missing", BAD), summary(&counts, false));
        } else if krate.requirements.is_empty() {
            out.push_str("no requirements\n");
        } else {
            let _ = writeln!(out, "{}", summary(&counts, false));
        }
        for r in &krate.requirements {
            let word = r.status.as_str();
            let id = one_line(&r.id);
            let mut line = format!("  {id:<id_width$}  {}", paint(word, status_style(r.status)));
            if let Some((name, place)) = shown_test(r) {
                // Padded outside the style, so that a line ends with no blanks once stripped.
                let pad = 7usize.saturating_sub(word.len());
                let name = one_line(name);
                let _ = write!(line, "{:pad$}  {name:<name_width$}  {}", "", one_line(&at(place)));
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
        let width = report.stray.iter().map(|s| one_line(&s.id).chars().count()).max();
        let width = width.unwrap_or(0);
        for stray in &report.stray {
            let id = paint(&format!("{:<width$}", one_line(&stray.id)), BAD);
            let _ = write!(out, "  {id}  {}", one_line(&at(&stray.places[0])));
            if stray.places.len() > 1 {
                let _ = write!(out, " (+{} more)", stray.places.len() - 1);
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "\ntotal: {}", summary(&report.totals(), true));
    out
}

/// `s` with every control character written as Rust writes it in a string literal (`\n`,
/// `\t`, `\u{1b}`), but those `keep` lets through: text from the code or the spec that cannot
/// break the lines of a terminal, a table or a page, nor carry an escape sequence.
pub(crate) fn controls_escaped(s: &str, keep: fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && !keep(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` on one line, and with no escape sequence: every control character escaped.
fn one_line(s: &str) -> Cow<'_, str> {
    controls_escaped(s, |_| false)
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
        workspace: Option<&'a str>,
        made: Option<String>,
        commit: Option<&'a str>,
        results: bool,
        results_from: Option<JsonFrom<'a>>,
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
    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "lowercase")]
    enum JsonFrom<'a> {
        Run,
        Kept { file: &'a str, written: String, age_seconds: u64 },
        Files { files: &'a [String] },
    }
    let about = &report.about;
    let results_from = about.results.as_ref().map(|from| match from {
        ResultsFrom::Run => JsonFrom::Run,
        ResultsFrom::Kept { file, written, age } => {
            JsonFrom::Kept { file, written: rfc3339(*written), age_seconds: *age }
        }
        ResultsFrom::Files(files) => JsonFrom::Files { files },
    });
    let view = Json {
        schema_version: JSON_SCHEMA_VERSION,
        workspace: about.workspace.as_deref(),
        made: about.made.map(rfc3339),
        commit: about.commit.as_deref(),
        results: report.results,
        results_from,
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

/// A time as its date and time of day in UTC: `2025-06-01 12:03 UTC`.
pub fn utc(seconds_since_epoch: u64) -> String {
    let (y, mo, d, h, mi, _) = civil(seconds_since_epoch);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// A time as RFC 3339 in UTC, to the second: `2025-06-01T12:03:04Z`.
fn rfc3339(seconds_since_epoch: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(seconds_since_epoch);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Seconds since the Unix epoch as the UTC calendar date and time: year, month, day, hour,
/// minute, second.
///
/// No time crate is among the dependencies, and this is the one conversion the reports need.
/// It is Howard Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html#civil_from_days>), exact in the
/// proleptic Gregorian calendar: days are counted from 0000-03-01, so that the leap day ends
/// a year, in eras of 400 years (146,097 days), within which the year, the day of the year and
/// the month follow by integer arithmetic.
fn civil(seconds_since_epoch: u64) -> (u64, u64, u64, u64, u64, u64) {
    let days = seconds_since_epoch / 86_400;
    let time = seconds_since_epoch % 86_400;
    // Days since 0000-03-01: 1970-01-01 is day 719,468.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097; // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11: March is 0
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1; // 1..=31
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day, time / 3_600, time % 3_600 / 60, time % 60)
}

/// A duration for people: `40 s`, `12 min`, `3 h`, `2 days`.
pub fn ago(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} s"),
        120..7_200 => format!("{} min", seconds / 60),
        7_200..172_800 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// A piece of the line a report opens with: text, or code (a command, a commit, a file).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Text(Cow<'a, str>),
    Code(&'a str),
}

/// The line a report opens with, after its title, in groups each format joins with ` · `:
/// when it was made, at which commit, and what its statuses are judged by.
fn about_line(report: &TraceReport) -> Vec<Vec<Piece<'_>>> {
    use Piece::{Code, Text};
    let about = &report.about;
    let mut groups = Vec::new();
    if let Some(made) = about.made {
        groups.push(vec![Text(utc(made).into())]);
    }
    if let Some(commit) = &about.commit {
        groups.push(vec![Text("commit ".into()), Code(commit)]);
    }
    let judged = match (&about.results, report.results) {
        (Some(ResultsFrom::Kept { written, age, .. }), _) => vec![
            Text("judged by the results ".into()),
            Code("trace --run"),
            Text(format!(" kept {} ago ({})", ago(*age), utc(*written)).into()),
        ],
        (Some(ResultsFrom::Run), _) => vec![Text("judged by a test run just now".into())],
        (Some(ResultsFrom::Files(files)), _) => {
            let mut pieces = vec![Text("judged by the results in ".into())];
            for (i, file) in files.iter().enumerate() {
                if i > 0 {
                    let and = if i + 1 == files.len() { " and " } else { ", " };
                    pieces.push(Text(and.into()));
                }
                pieces.push(Code(file));
            }
            pieces
        }
        (None, true) => vec![Text("judged by the results of a test run".into())],
        (None, false) => vec![Text("judged without test results".into())],
    };
    groups.push(judged);
    groups
}

/// The first letter of a line in upper case.
fn capitalised(text: &str) -> Cow<'_, str> {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => Cow::Owned(c.to_uppercase().chain(chars).collect()),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::{ago, civil, utc};

    #[test]
    fn dates_are_the_calendar_s() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(951_782_400), (2000, 2, 29, 0, 0, 0));
        assert_eq!(civil(1_700_000_000), (2023, 11, 14, 22, 13, 20));
        assert_eq!(civil(4_107_542_399), (2100, 2, 28, 23, 59, 59));
        assert_eq!(civil(4_107_542_400), (2100, 3, 1, 0, 0, 0));
        assert_eq!(utc(1_709_164_800), "2024-02-29 00:00 UTC");
        assert_eq!(utc(1_735_689_599), "2024-12-31 23:59 UTC");
    }

    #[test]
    fn ages_read_as_people_say_them() {
        assert_eq!(ago(40), "40 s");
        assert_eq!(ago(12 * 60), "12 min");
        assert_eq!(ago(3 * 3_600), "3 h");
        assert_eq!(ago(2 * 86_400), "2 days");
    }
}
