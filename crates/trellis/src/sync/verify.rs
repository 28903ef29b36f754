//! Cargo's reading of what a run wrote: it must load the workspace and see the spec's members
//! and edges, with no difference the run made (and with `--verify build`, no new error).

use std::path::Path;
use std::sync::{Arc, Mutex};

use trellis_sync::{Check, Verifier};

use crate::Loaded;

/// Why cargo does not see a workspace as its spec declares it.
pub(super) enum Mismatch {
    /// `cargo metadata --no-deps` failed: cargo cannot load the workspace.
    Metadata(trellis_check::MetadataError),
    /// Cargo loads it, but its members or edges differ from the spec: the findings.
    Graph(trellis_check::Checked),
}

impl Mismatch {
    /// The findings as plain text, for an error message.
    fn message(&self) -> String {
        match self {
            Mismatch::Metadata(e) => format!("{e}\nhint: {}", e.hint()),
            Mismatch::Graph(checked) => anstream::adapter::strip_str(
                crate::render_diagnostics(&checked.diagnostics, &checked.sources).trim_end(),
            )
            .to_string(),
        }
    }

    /// The findings, each as `code: message`: what tells one mismatch from another.
    fn findings(&self) -> Vec<String> {
        match self {
            Mismatch::Metadata(e) => vec![e.to_string()],
            Mismatch::Graph(checked) => checked
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code.id, d.message))
                .collect(),
        }
    }
}

/// Reads a workspace back through `cargo metadata --no-deps`: cargo must load it, and its
/// members and internal edges must be exactly the spec's.
pub(super) fn cargo_sees_spec(loaded: &Loaded, root: &Path) -> Result<(), Mismatch> {
    let cargo = trellis_check::Cargo::from_env();
    let metadata = trellis_check::read_metadata(root, &cargo).map_err(Mismatch::Metadata)?;
    let mut checked =
        trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, Default::default());
    // Warnings (an allowance about to expire, say) are for `check` to show, not a mismatch.
    checked.diagnostics.retain(trellis_spec::Diagnostic::is_error);
    if checked.diagnostics.is_empty() { Ok(()) } else { Err(Mismatch::Graph(checked)) }
}

/// The verifier `apply` runs: cargo must load the result, and see no difference from the spec
/// that was not there before the run. A difference that was there before (a crate a person
/// added, an orphan kept without pruning, a key a person holds in a conflict) is theirs, not
/// the run's; when cargo could not load the workspace before either, for the same reason (a
/// person's broken manifest), that is not the run's doing either.
///
/// With `build` (`--verify build`), `cargo check` must find no error in the result that it
/// did not find before the run; the first such error is kept in `build` for the caller.
pub(super) fn verifier(loaded: Arc<Loaded>, build: Option<Arc<Mutex<Option<String>>>>) -> Verifier {
    Verifier::with_baseline(move |root: &Path| -> Check {
        let before = cargo_sees_spec(&loaded, root).err();
        let errors_before = build.as_ref().map(|_| crate::judge::check_tree(root));
        let loaded = Arc::clone(&loaded);
        let build = build.clone();
        Box::new(move |root: &Path| {
            if let (Some(found), Some(errors_before)) = (build, errors_before) {
                let before = errors_before.map_err(|e| e.to_string())?;
                let after = crate::judge::check_tree(root).map_err(|e| e.to_string())?;
                if let Some(first) = crate::judge::introduced(&before, &after) {
                    let message =
                        format!("`cargo check` finds an error the change introduced:\n{first}");
                    *found.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(first);
                    return Err(message);
                }
            }
            let Err(after) = cargo_sees_spec(&loaded, root) else { return Ok(()) };
            let refused = match (&before, &after) {
                (None, _) => true,
                // Cargo loads it now: whatever it sees that was not there before is the run's.
                (Some(Mismatch::Graph(_)), Mismatch::Graph(_)) => {
                    let seen = before.as_ref().map(Mismatch::findings).unwrap_or_default();
                    after.findings().iter().any(|f| !seen.contains(f))
                }
                // It could not load it before: loading it now is no step back.
                (Some(Mismatch::Metadata(_)), Mismatch::Graph(_)) => false,
                (Some(was), Mismatch::Metadata(_)) => !crate::judge::same_message(
                    &was.findings().join("\n"),
                    &after.findings().join("\n"),
                ),
            };
            if refused { Err(after.message()) } else { Ok(()) }
        })
    })
}
