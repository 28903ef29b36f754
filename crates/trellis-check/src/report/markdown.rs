//! The report as Markdown, for `$GITHUB_STEP_SUMMARY` or a pull request comment: a heading,
//! the counts, and a table of the findings (severity, code, what, where), each code linked to
//! its documentation when Trellis' repository is known. Every text is escaped for a table cell
//! as `trace`'s Markdown escapes it; what a message quotes in backticks stays code.

use std::collections::BTreeMap;
use std::fmt::Write;

use trellis_spec::Diagnostic;
use trellis_trace::format::{markdown_code, markdown_text};

use super::place::{self, Layout};
use super::{counts, rules};

/// The summary, with a final newline.
pub fn markdown(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
    notes: &[String],
) -> String {
    render(diagnostics, sources, layout, notes, rules::REPOSITORY)
}

/// The summary, codes linked under `repository` when there is one.
pub(crate) fn render(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
    notes: &[String],
    repository: Option<&str>,
) -> String {
    let mut out = String::from("## Trellis check\n\n");
    let (errors, warnings) = counts(diagnostics);
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let _ = match (errors, warnings) {
        (0, 0) => writeln!(out, "✅ The workspace matches its spec."),
        (0, _) => writeln!(out, "⚠️ {}, no error.", plural(warnings, "warning")),
        _ => writeln!(out, "❌ {}, {}.", plural(errors, "error"), plural(warnings, "warning")),
    };
    if !diagnostics.is_empty() {
        out.push_str("\n| | code | finding | where |\n|---|---|---|---|\n");
        for (d, place) in diagnostics.iter().zip(place::places(diagnostics, sources, layout)) {
            let severity = if d.is_error() { "❌ error" } else { "⚠️ warning" };
            let id = markdown_code(d.code.id);
            let code = match rules::link(repository, d.code) {
                Some(uri) => format!("[{id}]({uri}) {}", markdown_text(d.code.name)),
                None => format!("{id} {}", markdown_text(d.code.name)),
            };
            let mut finding = quoted(&d.message);
            if let Some(hint) = &d.hint {
                finding.push_str("<br>hint: ");
                finding.push_str(&quoted(hint));
            }
            let column = place.column.map(|c| format!(":{c}")).unwrap_or_default();
            let at = markdown_code(&format!("{}:{}{column}", place.file, place.line));
            let _ = writeln!(out, "| {severity} | {code} | {finding} | {at} |");
        }
    }
    for note in notes {
        let _ = write!(out, "\n> **Note:** {}\n", markdown_text(note));
    }
    out
}

/// A message for a table cell: what it quotes in backticks as code, the rest as text (all as
/// text when its backticks do not pair).
fn quoted(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return markdown_text(message);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| match i % 2 {
            0 => markdown_text(part),
            _ => markdown_code(part),
        })
        .collect()
}
