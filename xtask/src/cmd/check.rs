//! `check`: the spec against the workspace cargo sees, for CI.

use crate::cmd::Location;
use crate::exit::{Failure, Outcome};
use crate::term;

/// Compare the spec with the workspace as cargo sees it, and the requirements with the code.
///
/// Exit 0: clean (warnings allowed). 1: findings. 2: the spec is missing or wrong.
/// 3: `cargo metadata` failed.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    location: Location,
    /// How to print findings: rustc-style on stderr, or a JSON object on stdout.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on requirements whose test is still the pending one, skipped by a person, or
    /// suspect, too (as the spec's `[check] pending-requirements = "deny"` and
    /// `suspect-requirements = "deny"` do).
    #[arg(long)]
    strict: bool,
    /// Find failing requirements by the results in FILE (JUnit XML, or what `cargo test`
    /// printed); repeatable, one file per shard of a CI run [default: those the last
    /// `trace --run` kept, if any].
    #[arg(long, value_name = "FILE")]
    results: Vec<std::path::PathBuf>,
    /// Follow each `[[forbid]] uses` rule through every path of the graph cargo resolved
    /// (offline, from `Cargo.lock` and the sources already downloaded), not only through
    /// direct dependencies.
    #[arg(long)]
    deep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.location.project()?;
    let results = match args.results.as_slice() {
        [] => trellis::Results::Last,
        files => trellis::Results::Files(files.to_vec()),
    };
    let options = trellis::CheckOptions { strict: args.strict, results, deep: args.deep };
    let checked = trellis::check(&project, &options)?;
    // Which results a failing requirement is found by, and how old they are.
    crate::cmd::note_results(checked.results.as_ref());
    for note in &checked.notes {
        term::warning(note);
    }
    match args.format {
        Format::Human => {
            let text = checked.render();
            // With -q, a clean check says nothing at all.
            if !(checked.diagnostics.is_empty() && term::verbosity() == term::Verbosity::Quiet) {
                term::err(&text);
            }
        }
        Format::Json => term::out(&checked.json()),
    }
    if checked.has_errors() { Err(Failure::Findings) } else { Ok(()) }
}
