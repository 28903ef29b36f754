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
    /// printed) [default: those of the last `trace --run`, if any].
    #[arg(long, value_name = "FILE")]
    results: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.location.project()?;
    let results = match &args.results {
        Some(file) => trellis::Results::File(file.clone()),
        None => {
            // Say which results a failing requirement is found by, and how old they are.
            let kept = trellis::last_results_path(project.root());
            if let Ok(modified) = std::fs::metadata(&kept).and_then(|m| m.modified()) {
                let age = modified.elapsed().map_or(0, |d| d.as_secs());
                term::note(&format!(
                    "{}: judging requirements by the results `trellis trace --run` kept {} ago\n",
                    term::paint("note", term::NOTE),
                    ago(age)
                ));
            }
            trellis::Results::Last
        }
    };
    let checked =
        trellis::check(&project, &trellis::CheckOptions { strict: args.strict, results })?;
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

/// A duration for people: `40 s`, `12 min`, `3 h`, `2 days`.
fn ago(seconds: u64) -> String {
    match seconds {
        0..120 => format!("{seconds} s"),
        120..7_200 => format!("{} min", seconds / 60),
        7_200..172_800 => format!("{} h", seconds / 3_600),
        _ => format!("{} days", seconds / 86_400),
    }
}
