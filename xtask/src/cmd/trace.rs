//! `trace`: how far the code has come on each requirement of the spec.
//!
//! Reports, never enforces: the exit code is 0 whatever the statuses (`check` is what fails CI).

use crate::cmd::{Location, print_warnings};
use crate::exit::Outcome;
use crate::term;

/// Show, per crate, which requirements are covered by a test, still pending, or lost, and the
/// ids written in code that the spec does not have.
///
/// Exit 0 whatever it finds (`check` enforces). 2: the spec is missing or wrong. 3: a file
/// cannot be read.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    location: Location,
    /// How to print the report: aligned text, JSON, or a Markdown table for a CI job summary.
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
    let traced = trellis::trace(&project)?;
    print_warnings(&traced.loaded);
    let report = &traced.report;
    let text = match args.format {
        Format::Human => trellis::trellis_trace::format::human(report),
        Format::Json => trellis::trellis_trace::format::json(report),
        Format::Markdown => trellis::trellis_trace::format::markdown(report),
    };
    term::out(&text);
    Ok(())
}
