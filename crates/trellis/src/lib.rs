//! Trellis' engine, one call per command: what `cargo trellis <command>` does, returning data
//! and printing nothing, for any program (another project's `xtask`, a CI tool) to call.
//!
//! | command | call | returns |
//! |---|---|---|
//! | `new` | [`new`] | [`Created`] |
//! | `plan` | [`plan`] | [`Planned`] |
//! | `apply` | [`apply`] | [`Applied`] |
//! | `check` | [`check`] | [`Checked`] |
//! | `trace` | [`trace`] | [`Traced`] |
//! | `graph` | [`graph()`] | [`trellis_check::graph::Graph`] |
//! | `infer` | [`infer`] | [`Inferred`] |
//! | `diff` | [`diff()`] | [`ArchDiff`] |
//!
//! Each takes a [`Project`] (where the workspace and its spec are) and options, does all the
//! command does (renames worked out from the spec, cargo's judgement of what `plan` and
//! `apply` would write, before anything is written, the requirements' findings in `check`),
//! and returns what it found. Findings are
//! data in the result; an [`Error`] is a command that could not do its work, and its
//! [`ErrorKind`] says who has to act. Text for people (diagnostics, plans) comes styled with
//! ANSI escapes: write it through [anstream](https://docs.rs/anstream), which strips them when
//! the stream is not a terminal.
//!
//! The stages these calls wire together are crates of their own: `trellis-spec` (parse and
//! validate), `trellis-render` (files from a spec), `trellis-sync` (the transaction that
//! writes them), `trellis-check` (cargo's view against the spec), `trellis-trace`
//! (requirements in the code). ARCHITECTURE.md is the map.
//!
//! # Example
//!
//! A CI step that fails when the workspace drifted from its spec:
//!
//! ```no_run
//! let project = trellis::Project::discover(std::env::current_dir()?)?;
//! let checked = trellis::check(&project, &trellis::CheckOptions::default())?;
//! anstream::eprint!("{}", checked.render());
//! if checked.has_errors() {
//!     std::process::exit(1);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod diff;
mod error;
mod facts;
mod hint;
mod history;
mod inspect;
mod json;
mod judge;
mod project;
mod results;
mod sync;

use std::collections::BTreeMap;

pub use diff::{
    ArchDiff, BaseSpec, CrateChange, Delta, DiffOptions, EdgeChange, RequirementChange, diff,
};
pub use error::{Error, ErrorKind, Exit, StageError};
pub use hint::{Invocation, Part, parts};
pub use inspect::{
    CheckOptions, GraphOptions, GraphView, Inferred, TraceOptions, Traced, check, graph, infer,
    trace,
};
pub use judge::{Judged, Level, Verify};
pub use project::{Loaded, Project, current_dir, shell_word};
pub use results::{Results, kept_results_note, last_results_path, target_dir};
pub use sync::{
    Applied, ApplyOptions, Created, NewOptions, OldName, PlanOptions, Planned, apply, new,
    new_from_text, plan, render_plan, with_engine,
};

pub use anstream;
pub use trellis_check;
pub use trellis_render;
pub use trellis_spec;
pub use trellis_sync;
pub use trellis_trace;

pub use trellis_check::Checked;
pub use trellis_spec::{Diagnostic, EXAMPLE, SPEC_FILE, Spec};

pub use trellis_spec::JSON_SCHEMA_VERSION;

/// Diagnostics rendered as rustc renders them, each followed by a blank line, against the
/// texts of the files they name.
pub(crate) fn render_diagnostics(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
) -> String {
    let indexed: BTreeMap<&str, trellis_spec::Source<'_>> =
        sources.iter().map(|(f, t)| (f.as_str(), trellis_spec::Source::new(t))).collect();
    let mut out = String::new();
    for d in diagnostics {
        let source = d.file.as_deref().and_then(|f| indexed.get(f));
        out.push_str(&d.render_in(source));
        out.push_str("\n\n");
    }
    out
}
