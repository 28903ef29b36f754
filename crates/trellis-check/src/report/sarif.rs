//! The report as SARIF 2.1.0, the static-analysis format GitHub code scanning uploads: one run
//! of the tool `trellis`, every rule described once, every finding a result at a line of a file
//! relative to the workspace root (`%SRCROOT%`).
//!
//! What it holds beyond the schema is what GitHub's upload checks: each result has a `ruleId`
//! that a rule of `tool.driver.rules` describes (with `ruleIndex`), a `level`, a message text
//! and a physical location whose `artifactLocation.uri` is relative to `%SRCROOT%`, with a
//! start line. The tests validate it against the official schema.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use trellis_spec::{Code, Diagnostic, Severity};

use super::place::{self, Layout};
use super::rules;

/// The schema a SARIF 2.1.0 log names.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The base every relative URI of the report is resolved against: the workspace root.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log of `diagnostics` (files' texts in `sources`, to find lines; `layout` to name
/// files relative to the workspace root; `notes`, what could not be checked, as notifications
/// of the run), pretty-printed, with a final newline.
pub fn sarif(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
    notes: &[String],
) -> String {
    let mut text =
        serde_json::to_string_pretty(&log(diagnostics, sources, layout, notes, rules::REPOSITORY))
            .expect("the log is plain data");
    text.push('\n');
    text
}

/// The log as a JSON value, with the documentation under `repository` when there is one.
pub(crate) fn log(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
    notes: &[String],
    repository: Option<&str>,
) -> Value {
    // Every code `check` has, then any other a finding carries (a spec warning), once each.
    let mut codes: Vec<Code> = rules::described().collect();
    for d in diagnostics {
        if !codes.contains(&d.code) {
            codes.push(d.code);
        }
    }
    codes.sort_by_key(|c| c.id);
    let index: BTreeMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let rules: Vec<Value> = codes.iter().map(|code| rule(*code, repository)).collect();
    let places = place::places(diagnostics, sources, layout);
    let results: Vec<Value> = diagnostics
        .iter()
        .zip(&places)
        .map(|(d, place)| {
            let mut region = json!({ "startLine": place.line });
            if let Some(column) = place.column {
                region["startColumn"] = json!(column);
            }
            if let (Some(_), Some((line, column))) = (place.column, place.end) {
                region["endLine"] = json!(line);
                region["endColumn"] = json!(column);
            }
            let artifact = if place.is_absolute() {
                json!({ "uri": file_uri(&place.file) })
            } else {
                json!({ "uri": encode(&place.file), "uriBaseId": SRCROOT })
            };
            let mut text = d.message.clone();
            if let Some(hint) = &d.hint {
                text.push_str("\nhint: ");
                text.push_str(hint);
            }
            json!({
                "ruleId": d.code.id,
                "ruleIndex": index[d.code.id],
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": { "artifactLocation": artifact, "region": region }
                }],
            })
        })
        .collect();
    let mut driver = json!({
        "name": "trellis",
        "fullName": "Trellis check",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(repository) = repository {
        driver["informationUri"] = json!(repository);
    }
    let notifications: Vec<Value> = notes
        .iter()
        .map(|note| json!({ "level": "warning", "message": { "text": note } }))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "originalUriBaseIds": {
                SRCROOT: { "description": { "text": "The root of the Cargo workspace." } }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A rule: its id, name, description, help, and the level its findings usually have.
fn rule(code: Code, repository: Option<&str>) -> Value {
    let level = match rules::warns(code) {
        true => "warning",
        false => "error",
    };
    let mut rule = json!({
        "id": code.id,
        "name": code.name,
        "shortDescription": { "text": format!("{} {}", code.id, code.name) },
        "fullDescription": { "text": rules::description(code) },
        "help": { "text": rules::help(code) },
        "defaultConfiguration": { "level": level },
    });
    if let Some(uri) = rules::link(repository, code) {
        rule["helpUri"] = json!(uri);
    }
    rule
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative path as a URI reference: every byte but unreserved characters and `/`
/// percent-encoded (RFC 3986), so a space, `#`, `%` or `:` cannot be read as URI syntax.
pub(crate) fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// An absolute path (`/x/y`, `C:/x`) as a `file:` URI.
fn file_uri(path: &str) -> String {
    match path.strip_prefix('/') {
        Some(rest) => format!("file:///{}", encode(rest)),
        // A drive letter: its `:` stays.
        None => format!("file:///{}:{}", &path[..1], encode(&path[2..])),
    }
}
