//! `diff`'s three forms: lines for people, JSON for programs, Markdown (with a Mermaid graph
//! of only the changed part) for a pull request's comment.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use trellis_spec::graph::{mermaid_ids, mermaid_label};
use trellis_spec::{Diagnostic, EdgeKind, Severity};

use super::{ArchDiff, BaseSpec, CrateChange, Delta, EdgeChange, RequirementChange};

impl ArchDiff {
    /// The findings the change introduced, rendered as `check` renders findings.
    pub fn render_introduced(&self) -> String {
        let new: Vec<Diagnostic> =
            self.introduced.iter().map(|&i| self.checked.diagnostics[i].clone()).collect();
        trellis_check::report::human(&new, &self.checked.sources)
    }

    /// For people: one section per kind of change, one line each.
    pub fn human(&self) -> String {
        let mut out = format!("architecture diff against {} ({})\n", self.base, self.commit);
        match &self.base_spec {
            BaseSpec::Found => {}
            BaseSpec::Missing => out.push_str("note: the base has no spec: judged as empty\n"),
            BaseSpec::Invalid(why) => {
                let _ =
                    writeln!(out, "note: the base's spec has errors ({why}): judged as no spec");
            }
        }
        if self.is_empty() {
            out.push_str("no change to the architecture\n");
        }
        for c in &self.crates {
            let _ = writeln!(out, "{}", crate_line(c));
        }
        for e in &self.edges {
            let _ = writeln!(out, "{}", edge_line(e));
        }
        for r in &self.requirements {
            let _ = writeln!(out, "{}", requirement_line(r));
        }
        for &i in &self.introduced {
            let d = &self.checked.diagnostics[i];
            let _ = writeln!(out, "new finding {}: {}", d.code.id, finding_text(d));
        }
        for d in &self.fixed {
            let _ = writeln!(out, "fixed finding {}: {}", d.code.id, finding_text(d));
        }
        if self.existing > 0 {
            let _ = writeln!(out, "{} finding(s) already at the base", self.existing);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }

    /// For programs (docs/check.md, "diff"): pretty JSON with a final newline.
    pub fn json(&self) -> String {
        use serde_json::json;
        let layer = |l: &Option<String>| l.clone().map_or(serde_json::Value::Null, Into::into);
        let value = json!({
            "schema_version": trellis_spec::JSON_SCHEMA_VERSION,
            "base": self.base,
            "commit": self.commit,
            "base_spec": match &self.base_spec {
                BaseSpec::Found => json!({ "status": "found" }),
                BaseSpec::Missing => json!({ "status": "missing" }),
                BaseSpec::Invalid(why) => json!({ "status": "invalid", "error": why }),
            },
            "crates": self.crates.iter().map(|c| json!({
                "name": c.name,
                "change": c.delta.map_or("moved", Delta::as_str),
                "from_layer": layer(&c.from_layer),
                "to_layer": layer(&c.to_layer),
            })).collect::<Vec<_>>(),
            "edges": self.edges.iter().map(|e| json!({
                "from": e.from,
                "to": e.to,
                "kind": kind_str(e.kind),
                "declared": e.declared.map(Delta::as_str),
                "actual": e.actual.map(Delta::as_str),
            })).collect::<Vec<_>>(),
            "requirements": self.requirements.iter().map(|r| json!({
                "crate": r.krate,
                "id": r.id,
                "change": requirement_change(r),
                "old": r.old,
                "new": r.new,
            })).collect::<Vec<_>>(),
            "findings": {
                "introduced": self.introduced.iter().map(|&i| finding_json(&self.checked.diagnostics[i])).collect::<Vec<_>>(),
                "fixed": self.fixed.iter().map(finding_json).collect::<Vec<_>>(),
                "existing": self.existing,
            },
            "notes": self.notes,
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }

    /// For a pull request's comment: a summary, a Mermaid graph of only the changed part, and
    /// tables of the changes.
    pub fn markdown(&self) -> String {
        let mut out = format!("## Architecture diff against `{}` ({})\n\n", self.base, self.commit);
        match &self.base_spec {
            BaseSpec::Found => {}
            BaseSpec::Missing => out.push_str("> The base has no spec: judged as empty.\n\n"),
            BaseSpec::Invalid(why) => {
                let _ = writeln!(
                    out,
                    "> The base's spec has errors ({}): judged as no spec.\n",
                    md_cell(why)
                );
            }
        }
        if self.is_empty() {
            out.push_str("No change to the architecture.\n");
            return out;
        }
        let _ = writeln!(
            out,
            "{} crate change(s), {} edge change(s), {} requirement change(s); {} new finding(s), {} fixed, {} already there.\n",
            self.crates.len(),
            self.edges.len(),
            self.requirements.len(),
            self.introduced.len(),
            self.fixed.len(),
            self.existing,
        );
        if !self.crates.is_empty() || !self.edges.is_empty() {
            out.push_str("```mermaid\n");
            out.push_str(&self.mermaid());
            out.push_str("```\n\n");
        }
        if !self.crates.is_empty() {
            out.push_str("| crate | change | layer |\n|---|---|---|\n");
            for c in &self.crates {
                let layers = match (&c.from_layer, &c.to_layer) {
                    (Some(a), Some(b)) if a != b => format!("{} → {}", md_cell(a), md_cell(b)),
                    (a, b) => md_cell(b.as_deref().or(a.as_deref()).unwrap_or("")),
                };
                let change = c.delta.map_or("moved", Delta::as_str);
                let _ = writeln!(out, "| `{}` | {change} | {layers} |", c.name);
            }
            out.push('\n');
        }
        if !self.edges.is_empty() {
            out.push_str("| edge | kind | in the spec | in cargo's graph |\n|---|---|---|---|\n");
            for e in &self.edges {
                let side = |d: Option<Delta>| d.map_or("", Delta::as_str);
                let _ = writeln!(
                    out,
                    "| `{}` → `{}` | {} | {} | {} |",
                    e.from,
                    e.to,
                    kind_str(e.kind),
                    side(e.declared),
                    side(e.actual)
                );
            }
            out.push('\n');
        }
        if !self.requirements.is_empty() {
            out.push_str("| requirement | crate | change | text |\n|---|---|---|---|\n");
            for r in &self.requirements {
                let text = r.new.as_deref().or(r.old.as_deref()).unwrap_or("");
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    md_cell(&r.id),
                    r.krate,
                    requirement_change(r),
                    md_cell(text)
                );
            }
            out.push('\n');
        }
        if !self.introduced.is_empty() || !self.fixed.is_empty() {
            out.push_str("| finding | code | where | what |\n|---|---|---|---|\n");
            let rows = self
                .introduced
                .iter()
                .map(|&i| ("new", &self.checked.diagnostics[i]))
                .chain(self.fixed.iter().map(|d| ("fixed", d)));
            for (what, d) in rows {
                let _ = writeln!(
                    out,
                    "| {what} | {} | {} | {} |",
                    d.code.id,
                    md_cell(d.file.as_deref().unwrap_or("")),
                    md_cell(&d.message)
                );
            }
            out.push('\n');
        }
        for note in &self.notes {
            let _ = writeln!(out, "> {}\n", md_cell(note));
        }
        out
    }

    /// A Mermaid flowchart of only the changed part: the crates changed or at an end of a
    /// changed edge, and the changed edges, added ones solid, removed ones dotted and red.
    pub fn mermaid(&self) -> String {
        let mut names: BTreeSet<&str> = self.crates.iter().map(|c| c.name.as_str()).collect();
        for e in &self.edges {
            names.insert(&e.from);
            names.insert(&e.to);
        }
        let ids = mermaid_ids(names.iter().copied());
        let mut out = String::from("flowchart TD\n");
        let mut styles = Vec::new();
        for name in &names {
            let change = self.crates.iter().find(|c| c.name == *name);
            let label = match change {
                Some(c) => format!("{name} ({})", c.delta.map_or("moved", Delta::as_str)),
                None => (*name).to_owned(),
            };
            let _ = writeln!(out, "    {}[\"{}\"]", ids[name], mermaid_label(&label));
            if let Some(c) = change {
                styles.push((ids[name].clone(), c.delta));
            }
        }
        let mut link_styles = Vec::new();
        for (n, e) in self.edges.iter().enumerate() {
            let delta = e.declared.or(e.actual).unwrap_or(Delta::Added);
            let label = match e.kind {
                EdgeKind::Normal => delta.as_str().to_owned(),
                kind => format!("{}, {}", kind_str(kind), delta.as_str()),
            };
            let arrow = if delta == Delta::Removed { "-.->" } else { "-->" };
            let _ = writeln!(
                out,
                "    {} {arrow}|{label}| {}",
                ids[e.from.as_str()],
                ids[e.to.as_str()]
            );
            if delta == Delta::Removed {
                link_styles.push(n.to_string());
            }
        }
        for (id, delta) in styles {
            let colour = match delta {
                Some(Delta::Added) => "stroke:#2a2",
                Some(Delta::Removed) => "stroke:#d33,stroke-dasharray:4 4",
                None => "stroke:#e80",
            };
            let _ = writeln!(out, "    style {id} {colour}");
        }
        if !link_styles.is_empty() {
            let _ = writeln!(out, "    linkStyle {} stroke:#d33", link_styles.join(","));
        }
        out
    }
}

/// A dependency kind as cargo's metadata names it: `normal`, `dev`, `build`.
fn kind_str(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "normal",
        EdgeKind::Dev => "dev",
        EdgeKind::Build => "build",
    }
}

pub(super) fn requirement_change(r: &RequirementChange) -> &'static str {
    match (&r.old, &r.new) {
        (None, _) => "added",
        (_, None) => "removed",
        _ => "reworded",
    }
}

pub(super) fn crate_line(c: &CrateChange) -> String {
    let layer =
        |l: &Option<String>| l.as_deref().map(|l| format!(" (layer {l})")).unwrap_or_default();
    match c.delta {
        Some(Delta::Added) => format!("crate added: {}{}", c.name, layer(&c.to_layer)),
        Some(Delta::Removed) => format!("crate removed: {}{}", c.name, layer(&c.from_layer)),
        None => format!(
            "crate moved: {} from layer {} to layer {}",
            c.name,
            c.from_layer.as_deref().unwrap_or("(none)"),
            c.to_layer.as_deref().unwrap_or("(none)")
        ),
    }
}

pub(super) fn edge_line(e: &EdgeChange) -> String {
    let kind = match e.kind {
        EdgeKind::Normal => String::new(),
        kind => format!(" ({})", kind_str(kind)),
    };
    let sides: Vec<String> = [("the spec", e.declared), ("cargo's graph", e.actual)]
        .iter()
        .filter_map(|(side, d)| d.map(|d| format!("{} in {side}", d.as_str())))
        .collect();
    format!("edge {} -> {}{kind}: {}", e.from, e.to, sides.join(", "))
}

fn requirement_line(r: &RequirementChange) -> String {
    match (&r.old, &r.new) {
        (None, Some(text)) => format!("requirement added: {} ({}): {text}", r.id, r.krate),
        (Some(text), None) => format!("requirement removed: {} ({}): {text}", r.id, r.krate),
        (Some(old), Some(new)) => {
            format!("requirement reworded: {} ({}): {old} -> {new}", r.id, r.krate)
        }
        (None, None) => format!("requirement {} ({})", r.id, r.krate),
    }
}

fn finding_text(d: &Diagnostic) -> String {
    match &d.file {
        Some(file) => format!("{} ({file})", d.message),
        None => d.message.clone(),
    }
}

fn finding_json(d: &Diagnostic) -> serde_json::Value {
    serde_json::json!({
        "code": d.code.id.to_owned(),
        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
        "message": d.message,
        "file": d.file,
    })
}

/// A text in a Markdown table's cell: pipes escaped, one line.
pub(super) fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ").replace('<', "&lt;")
}
