//! `check`: the spec against the workspace cargo sees, for CI.

use trellis::trellis_check::report;

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
    /// How to print findings: rustc-style on stderr; or on stdout a JSON object, SARIF 2.1.0
    /// (code scanning), GitHub workflow annotations, JUnit XML, or a Markdown summary.
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
    /// Fail only on findings the change since the git revision REV introduced: the findings
    /// the base has too are said as existing, and do not fail the check (for a workspace
    /// adopting Trellis with old violations). The base is read through git, as `diff` reads it.
    #[arg(long, value_name = "REV")]
    base: Option<String>,
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
    Sarif,
    Github,
    Junit,
    Markdown,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let project = args.location.project()?;
    let results = match args.results.as_slice() {
        [] => trellis::Results::Last,
        files => trellis::Results::Files(files.to_vec()),
    };
    let options = trellis::CheckOptions { strict: args.strict, results, deep: args.deep };
    let (checked, existing) = match &args.base {
        None => (trellis::check(&project, &options)?, Vec::new()),
        Some(base) => {
            let diff = trellis::diff(
                &project,
                &trellis::DiffOptions { base: base.clone(), check: options },
            )?;
            diff.into_introduced()
        }
    };
    // Which results a failing requirement is found by, and how old they are.
    crate::cmd::note_results(checked.results.as_ref());
    for note in &checked.notes {
        term::warning(note);
    }
    let format = match args.format {
        Format::Human => report::Format::Human,
        Format::Json => report::Format::Json,
        Format::Sarif => report::Format::Sarif,
        Format::Github => report::Format::Github,
        Format::Junit => report::Format::Junit,
        Format::Markdown => report::Format::Markdown,
    };
    if format == report::Format::Human && checked.diagnostics.is_empty() && !existing.is_empty() {
        term::err(&format!(
            "check: nothing the change introduced ({} finding(s) already at the base)\n",
            existing.len()
        ));
    } else if format == report::Format::Human {
        let text = checked.render();
        // With -q, a clean check says nothing at all.
        if !(checked.diagnostics.is_empty() && term::verbosity() == term::Verbosity::Quiet) {
            term::err(&text);
        }
    } else if matches!(format, report::Format::Github | report::Format::Markdown) {
        // Read by people, on GitHub: the commands hints name run as they run Trellis.
        term::out(&term::localized(&checked.render_as(format)));
    } else {
        term::out(&checked.render_as(format));
    }
    if checked.has_errors() { Err(Failure::Findings) } else { Ok(()) }
}
