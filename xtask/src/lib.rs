//! Trellis' command line: `cargo xtask <command>` in this repository, `cargo trellis
//! <command>` anywhere once installed. Both binaries call [`main`].
//!
//! Thin by design: parse arguments, call the engine (the `trellis` crate, one call per
//! command), print. Data goes to stdout, everything for people to stderr, all of it through
//! the terminal layer (`term`); the exit code says what kind of outcome it was (see `exit`).

mod cmd;
mod exit;
mod signal;
mod term;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use term::ColorWhen;

/// Turns a spec of a Rust system into a Cargo workspace, and keeps the two honest with each
/// other.
///
/// Commands find their workspace as cargo finds its manifest: the nearest folder, from the
/// current one upward, that holds a `Trellis.toml` (or name it with `--root DIR`).
#[derive(Debug, Parser)]
#[command(version, max_term_width = 100)]
struct Cli {
    /// When to colour the output [default: auto, or `CARGO_TERM_COLOR`].
    #[arg(long, value_enum, global = true, value_name = "WHEN", help_heading = "Global options")]
    color: Option<ColorWhen>,
    /// Print only data, warnings and errors: no progress, notes or hints.
    #[arg(short, long, global = true, conflicts_with = "verbose", help_heading = "Global options")]
    quiet: bool,
    /// Print more: the unchanged files of a plan, too.
    #[arg(short, long, global = true, help_heading = "Global options")]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    New(cmd::new::Args),
    Plan(cmd::plan::Args),
    Apply(cmd::apply::Args),
    Check(cmd::check::Args),
    Trace(cmd::trace::Args),
    Graph(cmd::graph::Args),
    Infer(cmd::infer::Args),
    Diff(cmd::diff::Args),
    Demo(cmd::demo::Args),
    Completions(cmd::completions::Args),
    Bench(cmd::bench::Args),
}

/// The root of this repository: xtask lives at `<root>/xtask`.
pub(crate) fn repo_root() -> std::path::PathBuf {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The clap command, named as the user runs it (`cargo xtask`, `cargo trellis`).
fn command(invocation: &'static str) -> clap::Command {
    Cli::command().name(invocation).bin_name(invocation)
}

/// Runs the command line on `args` (the program's name first); `invocation` is how the user
/// runs it, for help, hints and completions.
pub fn main(invocation: &'static str, args: Vec<OsString>) -> ExitCode {
    let matches = match command(invocation).try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(e) => e.exit(),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => term::Verbosity::Quiet,
        (_, true) => term::Verbosity::Verbose,
        _ => term::Verbosity::Normal,
    };
    term::init(cli.color, verbosity, invocation);
    let result = match cli.command {
        Command::New(args) => cmd::new::run(&args),
        Command::Plan(args) => cmd::plan::run(&args),
        Command::Apply(args) => cmd::apply::run(&args),
        Command::Check(args) => cmd::check::run(&args),
        Command::Trace(args) => cmd::trace::run(&args),
        Command::Graph(args) => cmd::graph::run(&args),
        Command::Infer(args) => cmd::infer::run(&args),
        Command::Diff(args) => cmd::diff::run(&args),
        Command::Demo(args) => cmd::demo::run(&args),
        Command::Completions(args) => cmd::completions::run(&args, command(invocation)),
        Command::Bench(args) => cmd::bench::run(&args),
    };
    exit::report(result)
}
