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
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 names a subcommand's case in bash from the binary's name with its
        // `-` taken for a separator (`cargo__subcmd__trellis__subcmd__plan`), while the loop
        // that finds the subcommand builds `cargo__trellis__subcmd__plan`: no option of a
        // subcommand of `cargo-trellis` would ever complete. The labels are made to match.
        let mangled = format!("{}__subcmd__", name.replace('-', "__subcmd__"));
        script = script.replace(&mangled, &format!("{}__subcmd__", name.replace('-', "__")));
    }
    crate::term::out(&script);
    Ok(())
}
