//! `cargo xtask <command>`: Trellis' command line.
//!
//! Thin by design: parse arguments, call the engine crates, print. Data goes to stdout,
//! diagnostics to stderr; the exit code says what kind of outcome it was (see [`exit`]).

// The command line is where Trellis talks to people: printing is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod exit;
mod signal;
mod term;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Turns a spec of a Rust system into a Cargo workspace, and keeps the two honest with each
/// other.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    New(cmd::new::Args),
    Plan(cmd::plan::Args),
    Apply(cmd::apply::Args),
    Check(cmd::check::Args),
    Graph(cmd::graph::Args),
    Infer(cmd::infer::Args),
    Trace(cmd::trace::Args),
    Demo(cmd::demo::Args),
    Bench(cmd::bench::Args),
}

/// The root of this repository: xtask lives at `<root>/xtask`.
pub(crate) fn repo_root() -> std::path::PathBuf {
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New(args) => cmd::new::run(&args),
        Command::Plan(args) => cmd::plan::run(&args),
        Command::Apply(args) => cmd::apply::run(&args),
        Command::Check(args) => cmd::check::run(&args),
        Command::Graph(args) => cmd::graph::run(&args),
        Command::Infer(args) => cmd::infer::run(&args),
        Command::Trace(args) => cmd::trace::run(&args),
        Command::Demo(args) => cmd::demo::run(&args),
        Command::Bench(args) => cmd::bench::run(&args),
    };
    exit::report(result)
}
