//! The `[[allow]]` entries a new workspace would not need: `new` refuses them before writing,
//! since `check` would find each unused (C012) in the workspace it is about to make.

use trellis_spec::{Diagnostic, Spec};

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
