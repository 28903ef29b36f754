//! The report as one self-contained HTML page: the traceability matrix, with inline CSS, no
//! script and nothing fetched.

use std::fmt::Write;

use super::{Piece, about_line, at, by_layer, capitalised, claims, controls_escaped, shown_test};
use super::{summary, test_state};
use crate::report::{Counts, CrateTrace, TraceReport};
use crate::status::{Shows, Status, shows};

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--line:#d0d7de;--head:#f6f8fa;\
--good:#1a7f37;--info:#0969da;--warn:#9a6700;--bad:#cf222e}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--line:#30363d;\
--head:#161b22;--good:#3fb950;--info:#58a6ff;--warn:#d29922;--bad:#f85149}}\
body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:2rem;\
color:var(--fg);background:var(--bg)}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
table{border-collapse:collapse;margin:.5rem 0}\
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\
thead th,tr.layer th{background:var(--head)}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
tr.total td{font-weight:600}\
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\
td.text{white-space:pre-line;max-width:40rem}\
ul{margin:0;padding-left:1.1rem}\
.status{font-weight:600;white-space:nowrap}\
.passing,.passed{color:var(--good)}.covered,.not-run{color:var(--info)}\
.failing,.failed,.lost{color:var(--bad)}\
.suspect,.skipped,.pending{color:var(--warn)}";

/// The report as one HTML page that needs nothing else (inline CSS, no script, no external
/// asset): a title that names the workspace, a line with the date, the commit and the results
/// the statuses are judged by, the totals, a table of counts per crate by layer, the
/// traceability matrix (every requirement, grouped by layer and crate, with its text, status
/// and the tests that claim it, each with its place and last result), and the stray ids. Every
/// text from the spec, the code or the results is escaped, control characters included.
pub fn html(report: &TraceReport) -> String {
    let mut out = String::with_capacity(4096 + 512 * report.totals().requirements);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let (title, heading) = match &report.about.workspace {
        Some(name) => (
            format!("{}: requirements traceability", escape(name)),
            format!("<code>{}</code>: requirements traceability", escape(name)),
        ),
        None => ("Requirements traceability".to_owned(), "Requirements traceability".to_owned()),
    };
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1>{heading}</h1>");
    let groups: Vec<String> = about_line(report)
        .iter()
        .map(|group| {
            group
                .iter()
                .map(|piece| match piece {
                    Piece::Text(t) => escape(t),
                    Piece::Code(c) => format!("<code>{}</code>", escape(c)),
                })
                .collect()
        })
        .collect();
    let _ = writeln!(out, "<p class=\"about\">{}.</p>", capitalised(&groups.join(" · ")));
    let totals = report.totals();
    let _ = writeln!(out, "<p>{}.</p>", escape(&summary(&totals, true)));
    let results = match report.results {
        true => "<em>Covered</em> means claimed by a test that did not run.",
        false => {
            "<em>Covered</em> means claimed by a test that is not ignored; <code>trace --run</code> runs the tests and keeps their results for the next <code>trace</code> and <code>check</code>."
        }
    };
    let _ = writeln!(out, "<p>{results}</p>");
    counts_table(&mut out, report);
    if totals.requirements > 0 {
        matrix(&mut out, report);
    }
    if !report.stray.is_empty() {
        out.push_str("<h2>Stray ids (in code, not in the spec)</h2>\n<table>\n");
        out.push_str("<thead><tr><th>id</th><th>where</th></tr></thead>\n<tbody>\n");
        for stray in &report.stray {
            let places: Vec<String> =
                stray.places.iter().map(|p| format!("<code>{}</code>", escape(&at(p)))).collect();
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                escape(&stray.id),
                places.join("<br>")
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn counts_table(out: &mut String, report: &TraceReport) {
    let layered = !report.layers.is_empty();
    out.push_str("<h2>By crate</h2>\n<table class=\"counts\">\n<thead><tr>");
    if layered {
        out.push_str("<th>layer</th>");
    }
    out.push_str("<th>crate</th><th>requirements</th>");
    for s in Status::ALL {
        let _ = write!(out, "<th class=\"{0}\">{0}</th>", s.as_str());
    }
    out.push_str("<th>stray ids</th></tr></thead>\n<tbody>\n");
    let cells = |out: &mut String, c: &Counts| {
        let _ = write!(out, "<td class=\"n\">{}</td>", c.requirements);
        for s in Status::ALL {
            let _ = write!(out, "<td class=\"n\">{}</td>", c.of(s));
        }
        let _ = write!(out, "<td class=\"n\">{}</td>", c.stray);
    };
    for krate in by_layer(report) {
        out.push_str("<tr>");
        if layered {
            let _ = write!(out, "<td>{}</td>", escape(krate.layer.as_deref().unwrap_or("")));
        }
        let _ = write!(out, "<td><code>{}</code>", escape(&krate.name));
        if krate.missing {
            out.push_str(" <span class=\"lost\">(folder missing)</span>");
        }
        out.push_str("</td>");
        cells(out, &report.counts(krate));
        out.push_str("</tr>\n");
    }
    out.push_str("<tr class=\"total\">");
    if layered {
        out.push_str("<td></td>");
    }
    out.push_str("<td>total</td>");
    cells(out, &report.totals());
    out.push_str("</tr>\n</tbody>\n</table>\n");
}

fn matrix(out: &mut String, report: &TraceReport) {
    out.push_str("<h2>Traceability matrix</h2>\n<table class=\"matrix\">\n<thead><tr>");
    out.push_str("<th>requirement</th><th>crate</th><th>status</th><th>text</th><th>tests</th>");
    out.push_str("</tr></thead>\n<tbody>\n");
    let mut layer: Option<&str> = None;
    for krate in by_layer(report) {
        if !report.layers.is_empty() && krate.layer.as_deref() != layer {
            layer = krate.layer.as_deref();
            let _ = writeln!(
                out,
                "<tr class=\"layer\"><th colspan=\"5\">layer <code>{}</code></th></tr>",
                escape(layer.unwrap_or("(none)"))
            );
        }
        requirements(out, krate, report.results);
    }
    out.push_str("</tbody>\n</table>\n");
}

fn requirements(out: &mut String, krate: &CrateTrace, results: bool) {
    for r in &krate.requirements {
        let status = r.status.as_str();
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td>\
             <td class=\"status {status}\">{status}</td><td class=\"text\">{}</td><td>",
            escape(&r.id),
            escape(&krate.name),
            escape(r.text.as_deref().unwrap_or("")),
        );
        let tests: Vec<_> = claims(r).collect();
        if tests.is_empty() {
            if let Some((_, place)) = shown_test(r) {
                let _ = write!(out, "mentioned in <code>{}</code>", escape(&at(place)));
            }
        } else {
            out.push_str("<ul>");
            for t in tests {
                let class = match shows(t) {
                    Shows::Failed => "failed",
                    Shows::Passed => "passed",
                    Shows::NotRun => "not-run",
                    Shows::Skipped => "skipped",
                    Shows::Pending | Shows::Mention => "pending",
                };
                let _ = write!(
                    out,
                    "<li><code>{}</code> <code>{}</code> <span class=\"{class}\">{}</span></li>",
                    escape(&t.name),
                    escape(&at(&t.place)),
                    escape(&test_state(t, results)),
                );
            }
            out.push_str("</ul>");
        }
        if r.status == Status::Suspect {
            out.push_str(" <span class=\"suspect\">(text changed since affirmed)</span>");
        }
        out.push_str("</td></tr>\n");
    }
}

/// Text for an element's content or a quoted attribute value: markup escaped, and control
/// characters but line breaks and tabs written as Rust writes them (`\u{1b}`), since HTML
/// allows none of them.
fn escape(s: &str) -> String {
    let s = controls_escaped(s, |c| c == '\n' || c == '\t');
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
