//! One module per command, each with its `Args` (clap) and a `run` function that calls the
//! engine once and prints what it returns; and what they share: where the workspace is, and
//! hints that name a command that works where the user stands.

pub(crate) mod apply;
pub(crate) mod bench;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod graph;
pub(crate) mod infer;
pub(crate) mod new;
pub(crate) mod plan;
pub(crate) mod trace;

use std::path::{Path, PathBuf};

use trellis::Project;

use crate::exit::Failure;

/// Where the workspace and its spec are: the options every command on a workspace takes.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Location {
    /// The workspace's root folder [default: the nearest folder, from the current one upward,
    /// that holds a `Trellis.toml`].
    #[arg(long, value_name = "DIR", alias = "workspace")]
    pub(crate) root: Option<PathBuf>,
    /// The spec [default: `Trellis.toml` at the root].
    #[arg(long, value_name = "FILE")]
    pub(crate) spec: Option<PathBuf>,
}

impl Location {
    /// The project: `--root` as given, or found from the current folder upward. Never the
    /// current folder by default: a command writes only into a folder the user pointed it at
    /// or stands in.
    pub(crate) fn project(&self) -> Result<Project, Failure> {
        crate::term::set_location(self.root.as_deref(), self.spec.as_deref());
        let project = match &self.root {
            Some(root) => Project::at(root),
            None => Project::discover(current_dir()?)?,
        };
        Ok(match &self.spec {
            Some(spec) => project.with_spec(spec),
            None => project,
        })
    }
}

/// The current folder.
pub(crate) fn current_dir() -> Result<PathBuf, Failure> {
    Ok(trellis::current_dir()?)
}

/// A path as one word a shell reads back as the same path.
pub(crate) fn shell_word(path: &Path) -> String {
    trellis::shell_word(&path.display().to_string())
}

/// Prints a spec's warnings, if any.
pub(crate) fn print_warnings(loaded: &trellis::Loaded) {
    crate::term::err(&loaded.render_warnings());
}

/// Says which results the requirements are judged by when they are those the last
/// `trace --run` kept, and how old they are: `check` and `trace` alike, whatever the format.
pub(crate) fn note_results(from: Option<&trellis::trellis_trace::ResultsFrom>) {
    use crate::term;
    if let Some(note) = trellis::kept_results_note(from) {
        term::note(&format!("{}: {note}\n", term::paint("note", term::NOTE)));
    }
}
