//! Typed reads of TOML items (tables, strings, booleans, lists of names and of tables) that report a wrong type or a missing key.

use toml_edit::{Item, Key, Value};

use super::{Cx, Tab, known_elsewhere, list};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{Named, Span};
use crate::suggest::did_you_mean;

impl Cx<'_> {
    pub(super) fn wrong_type(&mut self, item: &Item, what: &str, expected: &str) {
        let found = item.type_name();
        let mut d = Diagnostic::error(
            codes::WRONG_TYPE,
            format!("{what} must be {expected}, found {}", a(found)),
        )
        .at(span_of(item), format!("expected {expected}"));
        // The commonest slip: one name where a list is expected.
        if expected == "an array of strings"
            && let Some(one) = item.as_value().filter(|v| v.is_str())
        {
            d = d.hint(format!("write a list, even of one: `[{}]`", one.to_string().trim()));
        } else if expected == "an array of tables" && item.is_inline_table() {
            d = d.hint("put the table in a list: `[{ … }]`");
        }
        self.push(d);
    }

    pub(super) fn table<'a>(&mut self, item: &'a Item, name: String) -> Option<Tab<'a>> {
        match item.as_table_like() {
            Some(table) => Some(Tab { table, span: span_of(item), name }),
            None => {
                self.wrong_type(item, &name, "a table");
                None
            }
        }
    }

    /// Reports every key of `tab` that is not in `allowed`.
    pub(super) fn known_keys(&mut self, tab: &Tab<'_>, allowed: &[&str]) {
        for (k, _) in tab.table.iter() {
            if allowed.contains(&k) {
                continue;
            }
            let span =
                tab.table.key(k).map_or_else(|| tab.span.clone(), |key| key_span(key, &tab.span));
            let d =
                Diagnostic::error(codes::UNKNOWN_KEY, format!("unknown key `{k}` in {}", tab.name))
                    .at(span, "unknown key");
            let hint = did_you_mean(k, allowed.iter().copied())
                .or_else(|| known_elsewhere(k, allowed))
                .unwrap_or_else(|| format!("the keys allowed here are {}", list(allowed)));
            self.push(d.hint(hint));
        }
    }

    pub(super) fn get<'a>(&self, tab: &Tab<'a>, key: &str) -> Option<(&'a Key, &'a Item)> {
        tab.table.get_key_value(key).filter(|(_, item)| !item.is_none())
    }

    pub(super) fn string(&mut self, tab: &Tab<'_>, key: &str) -> Option<(String, Span)> {
        let (_, item) = self.get(tab, key)?;
        match item.as_str() {
            Some(s) => Some((s.to_owned(), span_of(item))),
            None => {
                self.wrong_type(item, &format!("`{key}`"), "a string");
                None
            }
        }
    }

    pub(super) fn required_string(&mut self, tab: &Tab<'_>, key: &str) -> Option<(String, Span)> {
        if self.get(tab, key).is_none() {
            self.push(
                Diagnostic::error(codes::MISSING_KEY, format!("{} has no `{key}`", tab.name))
                    .at(tab.span.clone(), format!("`{key}` is required here"))
                    .hint(format!("add `{key} = \"…\"`")),
            );
            return None;
        }
        self.string(tab, key)
    }

    pub(super) fn boolean(&mut self, tab: &Tab<'_>, key: &str) -> Option<bool> {
        let (_, item) = self.get(tab, key)?;
        match item.as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(item, &format!("`{key}`"), "a boolean");
                None
            }
        }
    }

    /// An array of strings, each with its place; elements of another type are reported and
    /// skipped.
    pub(super) fn strings(&mut self, tab: &Tab<'_>, key: &str) -> Vec<Named> {
        let Some((_, item)) = self.get(tab, key) else { return Vec::new() };
        let Some(array) = item.as_array() else {
            self.wrong_type(item, &format!("`{key}`"), "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for value in array.iter() {
            match value.as_str() {
                Some(s) => out.push(Named { name: s.to_owned(), span: value_span(value) }),
                None => self.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("`{key}` must hold strings, found {}", a(value.type_name())),
                    )
                    .at(value_span(value), "expected a string"),
                ),
            }
        }
        out
    }

    /// The tables of an array of inline tables or an array of tables; anything else is
    /// reported.
    pub(super) fn table_list<'a>(&mut self, item: &'a Item, key: &str, what: &str) -> Vec<Tab<'a>> {
        let mut out = Vec::new();
        if let Some(array) = item.as_array_of_tables() {
            for t in array.iter() {
                out.push(Tab { table: t, span: t.span().unwrap_or(0..0), name: what.to_owned() });
            }
        } else if let Some(array) = item.as_array() {
            for value in array.iter() {
                match value.as_inline_table() {
                    Some(t) => {
                        out.push(Tab { table: t, span: value_span(value), name: what.to_owned() })
                    }
                    None => self.push(
                        Diagnostic::error(
                            codes::WRONG_TYPE,
                            format!("{key} must hold tables, found {}", a(value.type_name())),
                        )
                        .at(value_span(value), "expected a table"),
                    ),
                }
            }
        } else {
            self.wrong_type(item, key, "an array of tables");
        }
        out
    }

    /// A `[check]` setting, `"allow"` or `"deny"`: whether it denies.
    pub(super) fn allow_or_deny(&mut self, tab: &Tab<'_>, key: &str) -> Option<bool> {
        let (value, span) = self.string(tab, key)?;
        match value.as_str() {
            "allow" => Some(false),
            "deny" => Some(true),
            _ => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{key}` is \"allow\" or \"deny\", not \"{value}\""),
                    )
                    .at(span, "expected \"allow\" or \"deny\"")
                    .hint(
                        did_you_mean(&value, ["allow", "deny"])
                            .unwrap_or_else(|| "write \"allow\" or \"deny\"".to_owned()),
                    ),
                );
                None
            }
        }
    }
}

pub(super) fn span_of(item: &Item) -> Span {
    item.span().unwrap_or(0..0)
}

pub(super) fn key_span(key: &Key, fallback: &Span) -> Span {
    key.span().unwrap_or_else(|| fallback.clone())
}

/// "a string", "an integer"…, for messages.
pub(super) fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

pub(super) fn value_span(value: &Value) -> Span {
    value.span().unwrap_or(0..0)
}
