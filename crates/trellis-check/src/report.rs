//! How findings are shown: rendered for people (rustc style, then a summary line) or as a
//! stable JSON object for machines (docs/check.md documents it; `schema_version` changes only
//! when a field changes meaning or goes away), and in the forms CI shows: SARIF for code
//! scanning, GitHub workflow annotations, JUnit XML and a Markdown summary ([`Format`]).

mod format;
mod github;
mod junit;
mod markdown;
mod place;
mod rules;
mod sarif;

use std::collections::BTreeMap;

use serde::Serialize;
use trellis_spec::{Diagnostic, Source};

pub use trellis_spec::JSON_SCHEMA_VERSION;

pub use format::{Format, UnknownFormat};
pub use github::github;
pub use junit::junit;
pub use markdown::markdown;
pub use place::Layout;
pub use rules::{REPOSITORY, help_uri};
pub use sarif::sarif;

/// The whole JSON report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonReport {
    /// [`JSON_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Every finding, in the order `check` reports them.
    pub findings: Vec<JsonFinding>,
    /// Counts.
    pub summary: JsonSummary,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonFinding {
    /// Stable id, e.g. `C005`.
    pub code: String,
    /// Stable name, e.g. `undeclared-edge`.
    pub name: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// The file it is about, if any.
    pub file: Option<String>,
    /// 1-based line of the offending text, if known.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the offending text, if known.
    pub column: Option<usize>,
    /// 1-based line where the offending text ends, if known.
    pub end_line: Option<usize>,
    /// 1-based column just past the offending text, if known.
    pub end_column: Option<usize>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// Counts of findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonSummary {
    /// Findings that fail the run.
    pub errors: usize,
    /// Findings that do not.
    pub warnings: usize,
}

/// The JSON report of `diagnostics`; `sources` maps each file name to its text, to turn spans
/// into lines and columns.
pub fn json(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) -> JsonReport {
    let indexed = indexed(sources);
    let findings = diagnostics
        .iter()
        .map(|d| {
            let source = d.file.as_deref().and_then(|f| indexed.get(f));
            let (start, end) = match (source, &d.primary) {
                (Some(source), Some(label)) => {
                    (Some(source.line_col(label.span.start)), Some(source.line_col(label.span.end)))
                }
                _ => (None, None),
            };
            JsonFinding {
                code: d.code.id.to_owned(),
                name: d.code.name.to_owned(),
                severity: d.severity.as_str().to_owned(),
                message: d.message.clone(),
                file: d.file.clone(),
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                hint: d.hint.clone(),
            }
        })
        .collect();
    let (errors, warnings) = counts(diagnostics);
    JsonReport {
        schema_version: JSON_SCHEMA_VERSION,
        findings,
        summary: JsonSummary { errors, warnings },
    }
}

/// Every file's lines indexed once, however many findings point into it.
pub(crate) fn indexed(sources: &BTreeMap<String, String>) -> BTreeMap<&str, Source<'_>> {
    sources.iter().map(|(file, text)| (file.as_str(), Source::new(text))).collect()
}

/// The JSON report as pretty-printed text, with a final newline.
pub fn json_text(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) -> String {
    let mut text = serde_json::to_string_pretty(&json(diagnostics, sources))
        .expect("the report is plain data");
    text.push('\n');
    text
}

/// Every finding rendered as rustc renders a diagnostic, a blank line after each, then
/// [`summary`]. Styled with ANSI escapes, like [`Diagnostic::render`]: write it through
/// anstream, or strip them with `anstream::adapter::strip_str`.
pub fn human(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) -> String {
    let indexed = indexed(sources);
    let mut out = String::new();
    for d in diagnostics {
        let source = d.file.as_deref().and_then(|f| indexed.get(f));
        out.push_str(&d.render_in(source));
        out.push_str("\n\n");
    }
    out.push_str(&summary(diagnostics));
    out.push('\n');
    out
}

/// One line: `check: 2 errors, 1 warning` or `check: the workspace matches its spec`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = counts(diagnostics);
    if errors + warnings == 0 {
        return "check: the workspace matches its spec".to_owned();
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    format!("check: {}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

pub(crate) fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests;
