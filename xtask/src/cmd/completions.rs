//! `completions`: a shell's completion script, on stdout.

use crate::exit::Outcome;

/// Print a completion script for a shell.
///
/// Bash: `cargo trellis completions bash > ~/.local/share/bash-completion/completions/cargo-trellis`.
/// Zsh: into a folder of your `fpath`, as `_cargo-trellis`. Fish:
/// `~/.config/fish/completions/cargo-trellis.fish`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub(crate) fn run(args: &Args, command: clap::Command) -> Outcome {
    // Shells complete programs, not `cargo <subcommand>`: the script is for the program
    // cargo runs, `cargo-trellis` (cargo's own completion hands `cargo trellis …` to it where
    // it supports external subcommands).
    let name = if crate::term::invocation() == "cargo trellis" { "cargo-trellis" } else { "xtask" };
    let mut command = command.name(name).bin_name(name);
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    crate::term::out(&String::from_utf8_lossy(&script));
    Ok(())
}
