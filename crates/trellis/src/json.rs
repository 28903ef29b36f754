//! The JSON forms of `plan` and `apply` (docs/sync.md): what `--format json` prints, one
//! document each, for any caller to print the same.

use serde_json::{Value, json};
use trellis_sync::{Action, Ownership, Plan};

use crate::{Applied, Judged, Planned, Project};

impl Planned {
    /// The plan as JSON, pretty, with a final newline: `{ "schema_version": 1, "workspace",
    /// "entries": [{ "path", "action", "ownership", "note", "diff" }], "summary": { action:
    /// count }, "conflicts", "unfinished_apply", "judged" }`. Paths are workspace-relative;
    /// `workspace` is `project`'s root, absolute.
    pub fn json(&self, project: &Project) -> String {
        let mut doc = plan_value(project, &self.plan);
        doc["unfinished_apply"] = json!(self.unfinished);
        doc["judged"] = self.judged.json_value();
        pretty(&doc)
    }
}

impl Applied {
    /// What `apply` did as JSON, pretty, with a final newline: the plan's document (as
    /// [`Planned::json`], without `unfinished_apply`) and `"applied": { "written", "deleted",
    /// "conflict_copies", "ledger_written", "old_names": [{ "path", "from", "to" }] }`.
    pub fn json(&self, project: &Project) -> String {
        let report = &self.report;
        let mut doc = plan_value(project, &report.plan);
        doc["applied"] = json!({
            "written": report.written_files,
            "deleted": report.deleted_files,
            "conflict_copies": report.conflict_copies,
            "ledger_written": report.ledger_written,
            "old_names": self.old_names.iter().map(|o| json!({
                "path": o.path,
                "from": o.from,
                "to": o.to,
            })).collect::<Vec<_>>(),
        });
        doc["judged"] = self.judged.json_value();
        pretty(&doc)
    }
}

impl Judged {
    /// What cargo said, as JSON: `{ "level": "metadata" | "metadata-no-deps" | "build" | null,
    /// "refusal": "…" | null, "unjudged": "…" | null }`.
    pub fn json_value(&self) -> Value {
        json!({
            "level": self.level.map(crate::Level::as_str),
            "refusal": self.refusal,
            "unjudged": self.unjudged,
        })
    }
}

/// The plan's part of both documents: `schema_version`, `workspace`, `entries`, `summary`,
/// `conflicts`.
fn plan_value(project: &Project, plan: &Plan) -> Value {
    let entries: Vec<Value> = plan
        .entries
        .iter()
        .map(|e| {
            json!({
                "path": e.path,
                "action": e.action.as_str(),
                "ownership": e.ownership.map(ownership_str),
                "note": e.note.as_ref().map(ToString::to_string),
                "note_kind": e.note.as_ref().map(trellis_sync::Note::kind),
                "diff": e.diff,
            })
        })
        .collect();
    let summary: serde_json::Map<String, Value> =
        Action::ALL.iter().map(|&a| (a.as_str().to_owned(), json!(plan.count(a)))).collect();
    let workspace = std::path::absolute(project.root()).unwrap_or_else(|_| project.root().into());
    json!({
        "schema_version": crate::JSON_SCHEMA_VERSION,
        "workspace": workspace.display().to_string(),
        "entries": entries,
        "summary": summary,
        "conflicts": plan.count(Action::Conflict),
    })
}

fn ownership_str(o: Ownership) -> &'static str {
    match o {
        Ownership::Manifest => "manifest",
        Ownership::Seeded => "seeded",
        Ownership::Once => "once",
    }
}

/// A JSON document as printed: pretty, with a final newline.
fn pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}
