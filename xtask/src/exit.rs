//! Exit codes, and how a failed command is reported.
//!
//! The codes are the engine's ([`trellis::Exit`]): 0 all good; 1 findings (drift, violations,
//! conflicts); 2 the spec or the command line is wrong; 3 the environment failed (cargo, I/O);
//! 130 interrupted (Ctrl-C, SIGTERM), after cleaning up. Clap already exits 2 on a bad command
//! line.

use std::process::ExitCode;

use trellis::{ErrorKind, Exit};

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command ran and found problems; it has already printed them.
    Findings,
    /// The command could not do its work (the engine's error, or this command line's own, such
    /// as a current folder it cannot read); its diagnostics are printed with it.
    Engine(trellis::Error),
}

/// What every command returns. Bad input is the engine's to find ([`trellis::ErrorKind`]);
/// clap refuses a bad command line itself.
pub(crate) type Outcome = Result<(), Failure>;

impl Failure {
    /// An environment failure with a message.
    pub(crate) fn env(message: impl std::fmt::Display) -> Failure {
        Failure::Engine(trellis::Error::new(ErrorKind::Environment, message.to_string()))
    }
}

impl From<trellis::Error> for Failure {
    fn from(e: trellis::Error) -> Failure {
        Failure::Engine(e)
    }
}

/// Prints what went wrong, if anything, and picks the exit code.
pub(crate) fn report(outcome: Outcome) -> ExitCode {
    let exit = match outcome {
        Ok(()) => Exit::Success,
        Err(Failure::Findings) => Exit::Findings,
        Err(Failure::Engine(error)) => {
            crate::term::err(&error.render_diagnostics());
            let message = error.to_string();
            if !message.is_empty() {
                crate::term::error(&message);
            }
            Exit::Failed(error.kind())
        }
    };
    exit.into()
}
