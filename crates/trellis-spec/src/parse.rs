//! Walks the TOML tree of a spec by hand into a draft model, reporting every misplaced key,
//! wrong type and missing key in one pass (serde would stop at the first).
//!
//! What can be checked on one value alone is checked here (an edition, a version's form);
//! what needs the whole spec (names, edges, layers) is left to `validate`.

mod crates;
mod dependencies;
mod keys;
mod read;
mod rules;
#[cfg(test)]
mod tests;
mod workspace;

use toml_edit::{Document, TableLike};

use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{Allowance, CheckSettings, Layer, Named, Span, Spec};

pub(crate) use keys::*;
use read::span_of;

/// The spec format this parser reads.
pub const FORMAT: i64 = 1;

/// The draft model and the places `validate` needs beyond what the model keeps.
#[derive(Debug)]
pub(crate) struct Draft {
    /// The model; names are unchecked until `validate` passes.
    pub(crate) spec: Spec,
    /// Per crate, in the order of `spec.crates`.
    pub(crate) crates: Vec<CrateSpans>,
}

/// Where a crate's keys are written, when they are.
#[derive(Debug, Default, Clone)]
pub(crate) struct CrateSpans {
    /// The `path` value; `None` when the path is the default.
    pub(crate) path: Option<Span>,
    /// The `layer` value, and where it is written: `validate` resolves it into the crate's
    /// [`crate::LayerRef`].
    pub(crate) layer: Option<Span>,
    pub(crate) layer_name: Option<String>,
    /// The crate's value is not a table (reported already): only its name is known, so
    /// checks of its keys would only repeat that error.
    pub(crate) broken: bool,
}

/// Parses spec text into a draft, with the diagnostics found on the way. `None` when the text
/// is not TOML at all.
pub(crate) fn parse(text: &str, file: &str) -> (Option<Draft>, Vec<Diagnostic>) {
    let mut cx = Cx { file, diags: Vec::new() };
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            // toml_edit's message repeats the position and quotes the line; its first line is
            // the message proper.
            let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
            let message = if message.is_empty() { "invalid TOML" } else { message };
            let hint = if message.starts_with("duplicate key") {
                "a key or table appears once in a TOML file; merge the two".to_owned()
            } else if message.starts_with("string values must be quoted") {
                let bare = text.get(span.clone()).unwrap_or_default();
                format!("quote it: `\"{bare}\"`")
            } else {
                "the spec is TOML; see docs/spec.md for its format".to_owned()
            };
            cx.push(
                Diagnostic::error(codes::TOML_SYNTAX, format!("invalid TOML: {message}"))
                    .at(span, "here")
                    .hint(hint),
            );
            return (None, cx.diags);
        }
    };
    let draft = cx.document(doc.as_table(), text);
    (Some(draft), cx.diags)
}

/// A table (header or inline) with its place, as the walk sees it.
struct Tab<'a> {
    table: &'a dyn TableLike,
    span: Span,
    /// How messages name it, quoted: `` `[workspace]` ``, `` `[crates.core]` ``.
    name: String,
}

struct Cx<'f> {
    file: &'f str,
    diags: Vec<Diagnostic>,
}

impl Cx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d.in_file(self.file));
    }

    fn document(&mut self, root: &toml_edit::Table, text: &str) -> Draft {
        let top = Tab { table: root, span: 0..0, name: "the top level of the spec".to_owned() };
        self.known_keys(&top, TOP_KEYS);

        if let Some((_, item)) = self.get(&top, "format") {
            match item.as_integer() {
                Some(FORMAT) => {}
                Some(n) => self.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_FORMAT,
                        format!("this version of Trellis reads spec format {FORMAT}, not {n}"),
                    )
                    .at(span_of(item), "unsupported format")
                    .hint(format!("write `format = {FORMAT}` or use a newer Trellis")),
                ),
                None => self.wrong_type(item, "`format`", "an integer"),
            }
        }

        let workspace = self.workspace(&top, text);
        let layers = self.layers(&top);
        let dependencies = self.dependencies(&top);
        let (crates, spans) = self.crates(&top, text);
        let allow = self.allow(&top);
        let forbid = self.forbid(&top);
        let check = self.check(&top);
        Draft {
            spec: Spec { workspace, layers, dependencies, crates, allow, forbid, check },
            crates: spans,
        }
    }

    fn layers(&mut self, top: &Tab<'_>) -> Vec<Layer> {
        let Some((_, item)) = self.get(top, "layers") else { return Vec::new() };
        let Some(tab) = self.table(item, "`[layers]`".to_owned()) else { return Vec::new() };
        self.known_keys(&tab, LAYERS_KEYS);
        if self.get(&tab, "order").is_none() {
            self.push(
                Diagnostic::error(codes::MISSING_KEY, "`[layers]` has no `order`")
                    .at(tab.span.clone(), "`order` is required here")
                    .hint("list the layers lowest first, e.g. `order = [\"core\", \"app\"]`, or drop `[layers]`"),
            );
        }
        if let Some((_, item)) = self.get(&tab, "order")
            && item.as_array().is_some_and(|a| a.is_empty())
        {
            self.push(
                Diagnostic::error(codes::INVALID_VALUE, "`[layers] order` is empty")
                    .at(span_of(item), "no layer")
                    .hint("list the layers lowest first, or drop `[layers]`"),
            );
        }
        let order = self.strings(&tab, "order");
        order.into_iter().map(|n| Layer { name: n.name, span: n.span }).collect()
    }

    fn allow(&mut self, top: &Tab<'_>) -> Vec<Allowance> {
        let Some((_, item)) = self.get(top, "allow") else { return Vec::new() };
        let mut out = Vec::new();
        for tab in self.table_list(item, "`allow`", "`[[allow]]`") {
            self.known_keys(&tab, ALLOW_KEYS);
            let from = self.required_string(&tab, "from");
            let to = self.required_string(&tab, "to");
            let reason = self.required_string(&tab, "reason");
            let until = self.until(&tab);
            if let Some((reason, span)) = &reason
                && reason.trim().is_empty()
            {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the exception's reason is empty")
                        .at(span.clone(), "empty reason")
                        .hint("say why this edge is allowed, so the exception explains itself"),
                );
            }
            if let (Some(from), Some(to), Some((reason, _))) = (from, to, reason) {
                out.push(Allowance {
                    from: Named { name: from.0, span: from.1 },
                    to: Named { name: to.0, span: to.1 },
                    reason,
                    until,
                    span: tab.span.clone(),
                });
            }
        }
        out
    }

    fn check(&mut self, top: &Tab<'_>) -> CheckSettings {
        let mut settings = CheckSettings::default();
        let Some((_, item)) = self.get(top, "check") else { return settings };
        let Some(tab) = self.table(item, "`[check]`".to_owned()) else { return settings };
        self.known_keys(&tab, CHECK_KEYS);
        if let Some(deny) = self.allow_or_deny(&tab, "pending-requirements") {
            settings.deny_pending_requirements = deny;
        }
        if let Some(deny) = self.allow_or_deny(&tab, "suspect-requirements") {
            settings.deny_suspect_requirements = deny;
        }
        settings
    }
}

/// `` `a`, `b` and `c` ``.
pub(crate) fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn either(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
