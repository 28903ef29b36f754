//! Exit codes, and how a failed command is reported.
//!
//! 0: all good. 1: findings (drift, violations, conflicts). 2: the spec or the command line is
//! wrong. 3: the environment failed (cargo, I/O). 130: interrupted (Ctrl-C, SIGTERM), after
//! cleaning up. Clap already exits 2 on a bad command line.

use std::process::ExitCode;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command ran and found problems; it has already printed them.
    Findings,
    /// The input is wrong: a bad spec, a bad argument, an output folder that is not empty.
    /// Diagnostics have already been printed when the error says so.
    Input(anyhow::Error),
    /// The environment failed: cargo, the file system.
    Environment(anyhow::Error),
    /// A signal (Ctrl-C, SIGTERM) stopped the command, which cleaned up first.
    Interrupted(anyhow::Error),
}

/// What every command returns.
pub(crate) type Outcome = Result<(), Failure>;

impl Failure {
    /// A bad-input failure with a message.
    pub(crate) fn input(error: impl Into<anyhow::Error>) -> Failure {
        Failure::Input(error.into())
    }

    /// An environment failure with a message.
    pub(crate) fn env(error: impl Into<anyhow::Error>) -> Failure {
        Failure::Environment(error.into())
    }

    /// The same failure, its message led by `context` (`context: message`).
    pub(crate) fn context(self, context: String) -> Failure {
        match self {
            Failure::Findings => Failure::Findings,
            Failure::Input(e) => Failure::Input(e.context(context)),
            Failure::Environment(e) => Failure::Environment(e.context(context)),
            Failure::Interrupted(e) => Failure::Interrupted(e.context(context)),
        }
    }
}

/// Prints what went wrong, if anything, and picks the exit code.
pub(crate) fn report(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Findings) => ExitCode::from(1),
        Err(Failure::Input(error)) => {
            print_error(&error);
            ExitCode::from(2)
        }
        Err(Failure::Environment(error)) => {
            print_error(&error);
            ExitCode::from(3)
        }
        Err(Failure::Interrupted(error)) => {
            print_error(&error);
            ExitCode::from(130)
        }
    }
}

fn print_error(error: &anyhow::Error) {
    let text = format!("{error:#}");
    if !text.is_empty() {
        eprintln!("{}: {text}", crate::term::paint("error", crate::term::Style::Error));
    }
}
