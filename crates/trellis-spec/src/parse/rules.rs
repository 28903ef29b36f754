//! `[[forbid]]` tables, and the `until` of an `[[allow]]`.

use super::read::span_of;
use super::{Cx, FORBID_KEYS, Tab};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{CratePattern, Date, Named, Rule, RuleScope, RuleUses, Until};

impl Cx<'_> {
    /// Every `[[forbid]]` table whose keys are all there and well formed; the others are
    /// reported (S004, S025, S035).
    pub(super) fn forbid(&mut self, top: &Tab<'_>) -> Vec<Rule> {
        let Some((_, item)) = self.get(top, "forbid") else { return Vec::new() };
        let mut out = Vec::new();
        for tab in self.table_list(item, "`forbid`", "`[[forbid]]`") {
            self.known_keys(&tab, FORBID_KEYS);
            let scope = self.rule_scope(&tab);
            let uses = self.rule_uses(&tab);
            let reason = self.required_string(&tab, "reason");
            if let Some((reason, span)) = &reason
                && reason.trim().is_empty()
            {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the rule's reason is empty")
                        .at(span.clone(), "empty reason")
                        .hint("say why the rule exists: `check` shows it with every violation"),
                );
            }
            if let (Some(scope), Some(uses), Some((reason, _))) = (scope, uses, reason)
                && !reason.trim().is_empty()
            {
                out.push(Rule { scope, uses, reason, span: tab.span.clone() });
            }
        }
        out
    }

    /// `layer` or `crate`: exactly one of them.
    fn rule_scope(&mut self, tab: &Tab<'_>) -> Option<RuleScope> {
        let layer = self.get(tab, "layer").is_some().then(|| self.string(tab, "layer"));
        let krate = self.get(tab, "crate").is_some().then(|| self.string(tab, "crate"));
        match (layer, krate) {
            (Some(Some((layer, span))), None) => {
                Some(RuleScope::Layer(Named { name: layer, span }))
            }
            (None, Some(Some((name, span)))) => Some(RuleScope::Crate(Named { name, span })),
            (Some(_), Some(_)) => {
                let span = self.get(tab, "crate").map_or(tab.span.clone(), |(_, i)| span_of(i));
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RULE,
                        "a `[[forbid]]` names both a `layer` and a `crate`",
                    )
                    .at(span, "a second subject")
                    .hint("a rule is about one layer or one crate: split it into two `[[forbid]]` tables"),
                );
                None
            }
            (None, None) => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RULE,
                        "a `[[forbid]]` names neither a `layer` nor a `crate`",
                    )
                    .at(tab.span.clone(), "about nothing")
                    .hint("add `layer = \"…\"` (every crate of a layer) or `crate = \"…\"` (one crate)"),
                );
                None
            }
            // A wrong type, reported already.
            _ => None,
        }
    }

    /// `uses` or `only-uses`: exactly one of them, a non-empty list of globs.
    fn rule_uses(&mut self, tab: &Tab<'_>) -> Option<RuleUses> {
        let (key, only) = match (self.get(tab, "uses"), self.get(tab, "only-uses")) {
            (Some(_), None) => ("uses", false),
            (None, Some(_)) => ("only-uses", true),
            (Some(_), Some((_, second))) => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RULE,
                        "a `[[forbid]]` has both `uses` and `only-uses`",
                    )
                    .at(span_of(second), "one too many")
                    .hint("`uses` lists the crates forbidden, `only-uses` the only ones allowed: keep one, or split the rule in two"),
                );
                return None;
            }
            (None, None) => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RULE,
                        "a `[[forbid]]` has neither `uses` nor `only-uses`",
                    )
                    .at(tab.span.clone(), "forbids nothing")
                    .hint("add `uses = [\"tokio*\", …]` (the crates forbidden) or `only-uses = [\"serde\", …]` (the only ones allowed)"),
                );
                return None;
            }
        };
        let (_, item) = self.get(tab, key)?;
        let array_span = span_of(item);
        let is_array = item.is_array();
        let names = self.strings(tab, key);
        if !is_array {
            return None;
        }
        if names.is_empty() {
            self.push(
                Diagnostic::error(
                    codes::INVALID_RULE,
                    format!("`{key}` of a `[[forbid]]` is empty"),
                )
                .at(array_span, "no crate")
                .hint(
                    "name the external crates by package name; globs such as `tokio*` are allowed",
                ),
            );
            return None;
        }
        let mut patterns = Vec::new();
        let mut broken = false;
        for name in names {
            let span = name.span.clone();
            match CratePattern::new(name) {
                Ok(p) => patterns.push(p),
                Err(why) => {
                    broken = true;
                    self.push(
                        Diagnostic::error(codes::INVALID_RULE, format!("invalid crate pattern: {why}"))
                            .at(span, "not a package name or glob")
                            .hint("write a package name, or a glob of them: `*` any characters, `?` one, `[abc]` one of a set"),
                    );
                }
            }
        }
        if broken {
            return None;
        }
        Some(if only { RuleUses::Only(patterns) } else { RuleUses::Forbid(patterns) })
    }

    /// The `until` of an `[[allow]]`, a `YYYY-MM-DD` date, when it has one (S037 when it is
    /// not a date).
    pub(super) fn until(&mut self, tab: &Tab<'_>) -> Option<Until> {
        if let Some((_, item)) = self.get(tab, "until")
            && item.as_value().is_some_and(toml_edit::Value::is_datetime)
        {
            let written = item.as_value().map(|v| v.to_string()).unwrap_or_default();
            self.push(
                Diagnostic::error(
                    codes::INVALID_DATE,
                    "`until` must be a string, found a TOML date",
                )
                .at(span_of(item), "expected a string")
                .hint(format!("quote it: `until = \"{}\"`", written.trim())),
            );
            return None;
        }
        let (text, span) = self.string(tab, "until")?;
        match Date::parse(&text) {
            Some(date) => Some(Until { date, span }),
            None => {
                self.push(
                    Diagnostic::error(codes::INVALID_DATE, format!("`{text}` is not a date"))
                        .at(span, "expected `YYYY-MM-DD`")
                        .hint("write the last day the exception holds as `YYYY-MM-DD`, a day that exists, e.g. `2026-06-30`"),
                );
                None
            }
        }
    }
}
