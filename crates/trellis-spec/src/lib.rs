//! `Trellis.toml` in, a validated [`Spec`] out: the first stage of Trellis, and the only one that
//! reads spec text.
//!
//! Parsing and validation are pure (no I/O): the caller reads the file and hands over its text.
//! Validation reports every error it can find in one pass, each as a [`Diagnostic`] that points
//! at the offending text; a spec with any error yields no model at all.

pub mod codes;
mod diag;
pub mod graph;
mod model;
mod names;
mod parse;
pub mod schema;
mod suggest;
mod text;
mod validate;

pub use diag::{Code, Diagnostic, Label, LineCursor, Severity, Source, line_col};
pub use model::*;
pub use names::{
    BUILD_FOLDERS, IdentError, KEYWORDS, NameError, NameWarning, check_crate_name, check_ident,
    created_binaries, declares_module, is_keyword, is_windows_reserved,
};
pub use parse::FORMAT;
pub use suggest::closest;
pub use text::{relative_to, slashed, toml_key, toml_str};
pub use validate::{PathProblem, is_requirement_id, normalize_path, relative_path};

/// A spec that passed validation, with the warnings it raised on the way.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The validated model.
    pub spec: Spec,
    /// Things worth saying that do not fail the run: names cargo itself only warns about (a
    /// crate named `core`, an upper-case name), an external dependency no crate uses.
    pub warnings: Vec<Diagnostic>,
}

/// Parses and validates spec text. `file` is how diagnostics name the file.
///
/// On failure, returns every diagnostic found (errors and warnings), in the order they appear in
/// the text.
pub fn parse(text: &str, file: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let (draft, mut diagnostics) = parse::parse(text, file);
    let spec = draft.map(|mut draft| {
        diagnostics.extend(validate::validate(&mut draft, file));
        draft.spec
    });
    // Diagnostics without a place (a spec with no crates) come first; the rest in text order,
    // errors before warnings at one place.
    diagnostics.sort_by_key(|d| {
        let place = d.primary.as_ref().map(|l| (l.span.start, l.span.end));
        (place, std::cmp::Reverse(d.severity))
    });
    match spec {
        Some(spec) if !diagnostics.iter().any(Diagnostic::is_error) => {
            diagnostics.extend(validate::tidy(&spec, file));
            diagnostics.sort_by_key(|d| d.primary.as_ref().map(|l| (l.span.start, l.span.end)));
            Ok(Parsed { spec, warnings: diagnostics })
        }
        _ => Err(diagnostics),
    }
}

/// The version of every JSON document Trellis prints, under the key `"schema_version"` (plan,
/// apply, check, trace): raised when a key changes meaning or goes away, not when one is added.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The spec's file name at a workspace root.
pub const SPEC_FILE: &str = "Trellis.toml";

/// Where a workspace Trellis manages keeps the JSON Schema of its spec ([`schema::json`]),
/// beside Trellis' ledger: it always matches the Trellis that manages the workspace, and
/// editors find it offline through the spec's first line, [`schema::DIRECTIVE`].
pub const SCHEMA_FILE: &str = ".trellis/trellis.schema.json";

/// The flagship example: the spec of a platform that helps small and medium exporters sell
/// across borders (`cargo xtask demo` generates it).
pub const EXAMPLE: &str = include_str!("../specs/sme-market.toml");
