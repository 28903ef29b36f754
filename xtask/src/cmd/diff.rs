//! `diff --base <rev>`: what the change since a git revision does to the architecture.

use crate::cmd::Location;
use crate::exit::Outcome;
use crate::term;

/// Say what the change since a git revision does to the architecture.
///
/// Crates added, removed or moved between layers; edges added and removed, in the spec and in
/// cargo's graph, with their kind; requirements added, reworded or removed; the findings of
/// `check` the change introduces or fixes. The base is read through git, never touching the
/// working tree or the index.
///
/// Exit 0: compared (whatever changed). 2: not in a git repository, a revision that names no
/// commit, or the spec as it stands is wrong. 3: git or cargo failed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    location: Location,
    /// The git revision to compare with: a branch, a tag, a commit, `HEAD~1`, `origin/main`.
    #[arg(long, value_name = "REV")]
    base: String,
    /// How to print it: lines for people, a JSON object, or Markdown for a pull request's
    /// comment (with a Mermaid graph of only the changed part).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.location.project()?;
    let options =
        trellis::DiffOptions { base: args.base.clone(), check: trellis::CheckOptions::default() };
    let diff = trellis::diff(&project, &options)?;
    match args.format {
        Format::Human => term::out(&diff.human()),
        Format::Json => term::out(&diff.json()),
        Format::Markdown => term::out(&diff.markdown()),
    }
    Ok(())
}
