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
    /// The engine could not do its work; its diagnostics are printed with it.
    Engine(trellis::Error),
    /// The environment failed: cargo, the file system.
    Environment(String),
}

/// What every command returns. Bad input is the engine's to find ([`trellis::ErrorKind`]);
/// clap refuses a bad command line itself.
pub(crate) type Outcome = Result<(), Failure>;

impl Failure {
    /// An environment failure with a message.
    pub(crate) fn env(message: impl std::fmt::Display) -> Failure {
        Failure::Environment(message.to_string())
    }
}

impl From<trellis::Error> for Failure {
    fn from(e: trellis::Error) -> Failure {
        Failure::Engine(e)
    }
}

/// Prints what went wrong, if anything, and picks the exit code.
pub(crate) fn report(outcome: Outcome) -> ExitCode {
    let (message, code) = match outcome {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Failure::Findings) => return ExitCode::from(1),
        Err(Failure::Environment(message)) => (message, 3),
        Err(Failure::Engine(error)) => {
            crate::term::err(&error.render_diagnostics());
            (error.to_string(), error.kind().exit_code())
        }
    };
    if !message.is_empty() {
        crate::term::error(&message);
    }
    ExitCode::from(code)
}
