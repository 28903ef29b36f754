//! The report as GitHub workflow commands: one annotation a finding
//! (`::error file=…,line=…,col=…,title=…::message`, `::warning` for a warning), and a
//! `::notice` for each note on what could not be checked. GitHub shows them on the run's summary
//! and on the lines of a pull request's diff.

use std::collections::BTreeMap;

use trellis_spec::{Diagnostic, Severity};

use super::place::{self, Layout};

/// One line a finding, then one a note; nothing at all for a clean check without notes.
/// Files are named relative to the workspace root, where GitHub looks for them when the
/// workspace is the repository's root.
pub fn github(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
    notes: &[String],
) -> String {
    let mut out = String::new();
    for (d, place) in diagnostics.iter().zip(place::places(diagnostics, sources, layout)) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = vec![("file", place.file.clone()), ("line", place.line.to_string())];
        if let Some(column) = place.column {
            properties.push(("col", column.to_string()));
        }
        if let Some((line, column)) = place.end.filter(|_| place.column.is_some()) {
            properties.push(("endLine", line.to_string()));
            // GitHub reads `endColumn` only on a one-line annotation.
            if line == place.line {
                properties.push(("endColumn", column.to_string()));
            }
        }
        properties.push(("title", format!("{} {}", d.code.id, d.code.name)));
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push_str("\nhint: ");
            message.push_str(hint);
        }
        out.push_str(&annotation(command, &properties, &message));
    }
    for note in notes {
        out.push_str(&annotation("notice", &[("title", "trellis check".to_owned())], note));
    }
    out
}

/// `::command key=value,…::message` and a newline, every part escaped as GitHub's runner
/// reads it back.
fn annotation(command: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> =
        properties.iter().map(|(key, value)| format!("{key}={}", property(value))).collect();
    format!("::{command} {}::{}\n", properties.join(","), data(message))
}

/// A message: `%`, CR and LF escaped (`%25`, `%0D`, `%0A`).
pub(crate) fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property's value: as a message, and `:` and `,` too (`%3A`, `%2C`), which would end it.
pub(crate) fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
