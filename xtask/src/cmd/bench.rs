//! `bench`: the speed targets of the issues, measured on synthetic workspaces by the
//! `trellis-bench` package (`xtask/bench`), which this command builds in release mode and runs.

use std::process::Command;

use clap::ValueEnum;

use crate::exit::{Failure, Outcome};

/// Measure Trellis against its speed targets on synthetic workspaces (release mode).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The benchmarks to run; all when none is named.
    #[arg(value_enum)]
    only: Vec<Bench>,
    /// How many times each measurement runs; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Bench {
    /// parse + validate + render at 100, 1,000 and 10,000 crates.
    Render,
    /// The whole `new` at 1,000 crates, beside a plain write plus one `cargo metadata`.
    New,
    /// A no-op `apply`, and a `plan` of one added crate, at 1,000 crates, beside `cargo metadata`;
    /// adopting the same workspace without its ledger, and a no-op `apply` on it.
    Apply,
    /// `check` at 1,000 crates, and on 100 crates of 20 files of 300 lines with and without
    /// requirements, beside `cargo metadata`.
    Check,
    /// `trace` at 1,000 crates with 10,000 requirements, beside one walk and read of the files.
    Trace,
    /// Validating and rendering a spec's diagnostics at 16,000 and 100,000 errors.
    Diagnostics,
}

/// Builds the benchmarks in release mode (a debug build measures the wrong thing) and runs
/// them in this repository, with the benchmarks named and `--runs`.
pub(crate) fn run(args: &Args) -> Outcome {
    crate::term::err("benchmarks run in release mode: building it\n");
    let names = args.only.iter().filter_map(|b| b.to_possible_value());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "--quiet", "--release", "--package", "trellis-bench", "--"])
        .args(names.map(|n| n.get_name().to_owned()))
        .args(["--runs", &args.runs.to_string()])
        .current_dir(crate::repo_root())
        .status()
        .map_err(|_| Failure::env("cannot run cargo"))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(Failure::Findings),
        _ => Err(Failure::env("the release build of the benchmarks failed")),
    }
}
