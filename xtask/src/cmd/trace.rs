//! `cargo xtask trace`: how far the code has come on each requirement of the spec.
//!
//! Reports, never enforces: the exit code is 0 whatever the statuses (`check` is what fails CI).

use std::path::PathBuf;

use anyhow::anyhow;

use crate::cmd::{SPEC_FILE, load_spec, workspace_root};
use crate::exit::{Failure, Outcome};

/// Show, per crate, which requirements are covered by a test, still pending, or lost, and the
/// ids written in code that the spec does not have.
///
/// Exit 0 whatever it finds (`check` enforces). 2: the spec is missing or wrong. 3: a file
/// cannot be read.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The workspace root [default: the current folder].
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
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
    let root = workspace_root(args.workspace.as_deref())?;
    let spec_path = root.join(SPEC_FILE);
    if !spec_path.is_file() {
        return Err(Failure::input(anyhow!(
            "no `{SPEC_FILE}` at `{}`\nhint: run `trace` at the root of a workspace Trellis made, or pass `--workspace DIR`",
            root.display()
        )));
    }
    let loaded = load_spec(&spec_path)?;
    let report = trellis_trace::trace(&loaded.spec, &root).map_err(Failure::env)?;
    let text = match args.format {
        Format::Human => {
            // The report is styled; a stdout that takes no colour gets it plain.
            let styled = trellis_trace::format::human(&report);
            match crate::term::stdout_color() {
                true => styled,
                false => anstream::adapter::strip_str(&styled).to_string(),
            }
        }
        Format::Json => trellis_trace::format::json(&report),
        Format::Markdown => trellis_trace::format::markdown(&report),
    };
    print!("{text}");
    Ok(())
}
