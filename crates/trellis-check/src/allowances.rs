//! The `[[allow]]` entries that make a spec's own workspace fail `check`, found before anything
//! is written: one a new workspace would not need (C012, unused), and one that expired while
//! the spec still declares the edge it excused (C007, the edge up the layers).

use trellis_spec::{Date, Diagnostic, Spec};

/// The `[[allow]]` entries of `spec` (read from `file`) that would excuse nothing in a new
/// workspace, one C012 error each. A new workspace holds exactly the spec's edges, so the only
/// finding an `[[allow]]` can excuse there is a declared normal or build edge up the layers.
pub fn idle_in_new_workspace(spec: &Spec, file: &str) -> Vec<Diagnostic> {
    spec.allow
        .iter()
        .filter(|a| !spec.excuses_declared_upward_edge(a) && !spec.excuses_forbidden_use(a))
        .map(|a| {
            Diagnostic::error(
                crate::codes::UNUSED_ALLOWANCE,
                format!(
                    "`[[allow]]` from `{}` to `{}` excuses nothing in a new workspace",
                    a.from.name, a.to.name
                ),
            )
            .in_file(file.to_owned())
            .at(a.span.clone(), "no declared edge up the layers needs it")
            .hint("a new workspace holds exactly the spec's edges; remove the entry, or declare the edge it is for")
        })
        .collect()
}

/// The `[[allow]]` entries of `spec` (read from `file`) that expired before `today` while the
/// spec still declares the edge up the layers each excused, one C007 error each: the workspace
/// the spec makes would fail `check` with that edge.
pub fn expired_with_declared_edge(spec: &Spec, file: &str, today: Date) -> Vec<Diagnostic> {
    spec.allow
        .iter()
        .filter(|a| !a.holds_on(today) && spec.excuses_declared_upward_edge(a))
        .map(|a| {
            let until = a.until.as_ref().map(|u| (u.date, u.span.clone()));
            let (date, span) = until.unwrap_or_else(|| (today, a.span.clone()));
            Diagnostic::error(
                trellis_spec::codes::LAYER_VIOLATION,
                format!(
                    "`[[allow]]` from `{}` to `{}` expired on {date}, and the spec still declares the edge it excused, up the layers",
                    a.from.name, a.to.name
                ),
            )
            .in_file(file.to_owned())
            .at(span, "expired")
            .hint("remove the edge from `depends`, move a crate to another layer, or extend `until` with a reason")
        })
        .collect()
}
