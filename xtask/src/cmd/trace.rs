//! `trace`: how far the code has come on each requirement of the spec, judged by the claims of
//! its tests or by their results.
//!
//! Reports, never enforces: the exit code is 0 whatever the statuses (`check` is what fails CI).

use std::path::PathBuf;

use crate::cmd::{Location, print_warnings};
use crate::exit::Outcome;
use crate::term;

/// Show, per crate, where each requirement stands: passing, failing, suspect, covered, skipped,
/// pending or lost; and the ids written in code that the spec does not have.
///
/// Exit 0 whatever it finds (`check` enforces). 2: the spec is missing or wrong. 3: a file
/// cannot be read, or `cargo test` could not run.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    location: Location,
    /// Run the workspace's tests first (`cargo test --workspace --no-fail-fast`) and judge by
    /// their results, which are kept in cargo's target folder: the next `trace` and `check`
    /// read them too.
    #[arg(long, conflicts_with = "results")]
    run: bool,
    /// Judge by the results in FILE: a JUnit XML report (as `cargo nextest` writes it) or what
    /// `cargo test` printed (stdout and stderr together); repeatable, one file per shard of a
    /// CI run [default: those the last `trace --run` kept, if any, as `check` reads them].
    #[arg(long, value_name = "FILE")]
    results: Vec<PathBuf>,
    /// Record that the tests of requirement ID still meet it as the spec words it now: it is no
    /// longer suspect. Repeatable.
    #[arg(long, value_name = "ID")]
    affirm: Vec<String>,
    /// How to print the report: aligned text, JSON, or a traceability matrix in Markdown (for a
    /// CI job summary) or HTML (one self-contained page to publish).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
    Html,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.location.project()?;
    let results = match (args.results.as_slice(), args.run) {
        ([], true) => {
            term::status("running", term::GOOD, "cargo test --workspace --no-fail-fast");
            trellis::Results::Run
        }
        ([], false) => trellis::Results::Last,
        (files, _) => trellis::Results::Files(files.to_vec()),
    };
    let options = trellis::TraceOptions {
        results,
        affirm: args.affirm.clone(),
        cancel: Some(crate::signal::cancel_flag()),
    };
    let mut traced = trellis::trace(&project, &options)?;
    print_warnings(&traced.loaded);
    for (id, fingerprint) in &traced.affirmed {
        term::status("affirmed", term::GOOD, &format!("{id} ({fingerprint})"));
    }
    for warning in &traced.warnings {
        term::warning(warning);
    }
    crate::cmd::note_results(traced.report.about.results.as_ref());
    // For people, files as they are reached from here; JSON keeps them workspace-relative.
    if args.format != Format::Json {
        traced.show_paths(&project);
    }
    let report = &traced.report;
    let text = match args.format {
        Format::Human => trellis::trellis_trace::format::human(report),
        Format::Json => trellis::trellis_trace::format::json(report),
        Format::Markdown => trellis::trellis_trace::format::markdown(report),
        Format::Html => trellis::trellis_trace::format::html(report),
    };
    term::out(&text);
    Ok(())
}
