//! Requirement ids: their form, their uniqueness, and the test names they become.

use std::collections::HashMap;

use super::V;
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{Span, Spec};
use crate::names::{self, IdentError};

impl V<'_> {
    pub(super) fn requirements(&mut self, spec: &Spec) {
        let mut ids: HashMap<&str, &Span> = HashMap::new();
        let mut test_names: HashMap<String, (&str, &Span)> = HashMap::new();
        for c in &spec.crates {
            for r in &c.requirements {
                if let Some(first) = ids.get(r.id.as_str()) {
                    self.push(
                        Diagnostic::error(
                            codes::DUPLICATE_REQUIREMENT,
                            format!("requirement id `{}` is used twice", r.id),
                        )
                        .at(r.span.clone(), "used again")
                        .also((*first).clone(), "first used here")
                        .hint("requirement ids are unique across the whole spec; number this one anew"),
                    );
                    continue;
                }
                ids.insert(&r.id, &r.span);
                if !is_requirement_id(&r.id) {
                    let message = if r.id.is_empty() {
                        "a requirement id is empty".to_owned()
                    } else {
                        format!("`{}` is not a requirement id", r.id)
                    };
                    self.push(
                        Diagnostic::error(codes::INVALID_REQUIREMENT_ID, message)
                        .at(r.span.clone(), "invalid id")
                        .hint("an id starts with a letter, then letters, digits, `.`, `-` or `_`, e.g. \"CORE-1\""),
                    );
                    continue;
                }
                let test = r.test_name();
                let problem = match names::check_ident(&test) {
                    Err(IdentError::Keyword(_)) => Some("a Rust keyword"),
                    Err(IdentError::NotSnakeCase(_)) => {
                        Some("not snake_case (a doubled `_` inside), which rustc warns about")
                    }
                    Err(IdentError::NotIdent(_)) => Some("not an identifier"),
                    Ok(()) if test == "main" => Some("the name of the tests' own `main.rs`"),
                    // Its file is `tests/requirements/<test>.rs`.
                    Ok(()) if names::is_windows_reserved(&test) => {
                        Some("a file name Windows reserves for a device")
                    }
                    Ok(()) if test.len() + ".rs".len() > names::MAX_FILE_NAME => {
                        Some("too long for a file name")
                    }
                    Ok(()) => None,
                };
                if let Some(problem) = problem {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_REQUIREMENT_ID,
                            format!(
                                "requirement `{}` would have the test name `{test}`, {problem}",
                                r.id
                            ),
                        )
                        .at(r.span.clone(), "unusable test name")
                        .hint("change the id, e.g. add a number: \"CORE-1\""),
                    );
                    continue;
                }
                if let Some((first_id, first)) = test_names.get(&test) {
                    self.push(
                        Diagnostic::error(
                            codes::REQUIREMENT_NAME_COLLISION,
                            format!(
                                "requirements `{first_id}` and `{}` would both have the test name `{test}`",
                                r.id
                            ),
                        )
                        .at(r.span.clone(), "same test name")
                        .also((*first).clone(), "as this one")
                        .hint("ids differ only in case or punctuation; make them differ in letters or digits"),
                    );
                } else {
                    test_names.insert(test, (&r.id, &r.span));
                }
            }
        }
    }
}

/// Whether `id` has the form of a requirement id: `[A-Za-z][A-Za-z0-9._-]*`.
pub fn is_requirement_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}
