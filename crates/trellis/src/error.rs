//! Why a command could not do its work.

use std::collections::BTreeMap;
use std::fmt;

use trellis_spec::Diagnostic;

/// How a command ended, as its exit code says it: one table for every program that embeds the
/// engine (`cargo trellis`, a guarded workspace's own xtask), so that each exits alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// All good: 0.
    Success,
    /// The command ran and found problems (drift, violations, conflicts, a failed step): 1.
    Findings,
    /// The command could not do its work: [`ErrorKind::exit_code`].
    Failed(ErrorKind),
}

impl Exit {
    /// The exit code: 0, 1, or the error kind's (2, 3, 130, 1).
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Failed(kind) => kind.exit_code(),
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}

/// What kind of failure an [`Error`] is: who has to act on it. A command line maps each to
/// an exit code (2, 3, 130 and 1: [`ErrorKind::exit_code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is wrong: a spec with errors, a folder that is not there, an argument that
    /// names nothing. The person running the command fixes it.
    Input,
    /// The environment failed: cargo, the file system, or (never from input) Trellis itself.
    Environment,
    /// A cancel flag the caller set (Ctrl-C) stopped the run, which cleaned up first.
    Interrupted,
    /// Cargo refused what the run would leave (`apply --verify build`: an error the change
    /// introduced), so nothing of it was kept. A finding about the change, like a conflict.
    Refused,
}

impl ErrorKind {
    /// The exit code a command line gives for it, the same in `cargo trellis` and in a guarded
    /// workspace's own xtask: 2 for the input, 3 for the environment, 130 when interrupted
    /// (128 + SIGINT, as shells report it), 1 when cargo refused the change (a finding).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Input => 2,
            ErrorKind::Environment => 3,
            ErrorKind::Interrupted => 130,
            ErrorKind::Refused => 1,
        }
    }
}

/// Why a command could not do its work, with the diagnostics that say where (a spec's errors,
/// each pointing at its line). Findings are not errors: a command that ran returns them in its
/// result (see [`crate::Checked`], [`crate::Planned`]).
///
/// Its `Display` is one message, which may go on with lines that start `hint: ` or `note: `;
/// it already says what its [`source`](std::error::Error::source) says. The source, when
/// there is one, is the stage's own error, typed ([`Error::stage`]): what a caller branches
/// on (another run holding the workspace's lock, say, against a file that cannot be written).
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    diagnostics: Vec<Diagnostic>,
    sources: BTreeMap<String, String>,
    // Boxed: an error stays small to return.
    stage: Option<Box<StageError>>,
}

/// The typed error of the stage (or the system call) behind an [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum StageError {
    /// Writing and its records: the transaction, the lock
    /// ([`trellis_sync::SyncError::Locked`]: another run holds it), the ledger, the journal.
    Sync(trellis_sync::SyncError),
    /// `cargo metadata`: cargo refused the workspace, could not start, or there is no folder.
    Metadata(trellis_check::MetadataError),
    /// Reading the crates' sources for their requirements.
    Trace(trellis_trace::TraceError),
    /// Running the workspace's tests (`trace --run`).
    TestRun(trellis_check::TestRunError),
    /// `infer` found nothing to declare, or wrote a spec that does not validate.
    Infer(trellis_check::infer::InferError),
    /// A file the engine reads or writes itself (a spec, a results file), or a program it runs.
    Io(std::io::Error),
}

impl StageError {
    /// The stage's error, as `std::error::Error`.
    fn as_error(&self) -> &(dyn std::error::Error + 'static) {
        match self {
            StageError::Sync(e) => e,
            StageError::Metadata(e) => e,
            StageError::Trace(e) => e,
            StageError::TestRun(e) => e,
            StageError::Infer(e) => e,
            StageError::Io(e) => e,
        }
    }
}

impl Error {
    pub(crate) fn input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Input, message)
    }

    pub(crate) fn env(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Environment, message)
    }

    /// An error of `kind` with `message` (one line, which may go on with `hint: ` lines), no
    /// diagnostics: for a caller's own failures (a current folder it cannot read) to be
    /// reported and to exit as the engine's are.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            diagnostics: Vec::new(),
            sources: BTreeMap::new(),
            stage: None,
        }
    }

    /// The same error, caused by `stage` (its [`Error::stage`] and `source()`).
    pub(crate) fn caused_by(mut self, stage: StageError) -> Error {
        self.stage = Some(Box::new(stage));
        self
    }

    /// The same error, with diagnostics that explain it, pointing into `file` (whose text is
    /// `text`).
    pub(crate) fn with_diagnostics(
        mut self,
        diagnostics: Vec<Diagnostic>,
        sources: BTreeMap<String, String>,
    ) -> Error {
        self.diagnostics = diagnostics;
        self.sources = sources;
        self
    }

    /// The same error with another message.
    pub(crate) fn with_message(mut self, message: String) -> Error {
        self.message = message;
        self
    }

    /// Who has to act on it.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stage's typed error behind it, if any: what to branch on beyond [`Error::kind`].
    ///
    /// ```
    /// use trellis::{StageError, trellis_sync::SyncError};
    ///
    /// fn another_run_holds_the_lock(error: &trellis::Error) -> bool {
    ///     matches!(error.stage(), Some(StageError::Sync(SyncError::Locked(_))))
    /// }
    /// ```
    pub fn stage(&self) -> Option<&StageError> {
        self.stage.as_deref()
    }

    /// Whether another run (an `apply` elsewhere) holds the workspace's lock: wait and retry.
    pub fn is_locked(&self) -> bool {
        matches!(self.stage(), Some(StageError::Sync(trellis_sync::SyncError::Locked(_))))
    }

    /// The diagnostics that explain it: a spec's errors (and its warnings, in text order), or
    /// what cargo saw in a workspace it was asked to verify. Often empty.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics rendered as rustc renders them, each followed by a blank line, styled
    /// (see [`Diagnostic::render`]); empty when there are none.
    pub fn render_diagnostics(&self) -> String {
        crate::render_diagnostics(&self.diagnostics, &self.sources)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.stage().map(StageError::as_error)
    }
}

impl From<trellis_sync::SyncError> for Error {
    fn from(e: trellis_sync::SyncError) -> Error {
        let kind = if e.is_interrupted() {
            ErrorKind::Interrupted
        } else if e.is_input() {
            ErrorKind::Input
        } else {
            ErrorKind::Environment
        };
        Error::new(kind, chain(&e)).caused_by(StageError::Sync(e))
    }
}

impl From<trellis_check::MetadataError> for Error {
    /// A folder that does not exist is the caller's input; cargo failing is the environment.
    fn from(e: trellis_check::MetadataError) -> Error {
        let message = format!("{e}\nhint: {}", e.hint());
        let error = match e {
            trellis_check::MetadataError::NoFolder(_) => Error::input(message),
            _ => Error::env(message),
        };
        error.caused_by(StageError::Metadata(e))
    }
}

impl From<trellis_trace::TraceError> for Error {
    fn from(e: trellis_trace::TraceError) -> Error {
        Error::env(chain(&e)).caused_by(StageError::Trace(e))
    }
}

/// An error and its causes, as `error: cause: cause`.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::path::PathBuf;

    use trellis_sync::SyncError;

    use super::{Error, ErrorKind, StageError};

    #[test]
    fn a_stage_error_stays_typed_behind_the_same_message() {
        let locked = SyncError::Locked(PathBuf::from("ws"));
        let said = super::chain(&locked);
        let error = Error::from(locked);
        assert_eq!(error.to_string(), said);
        assert_eq!(error.kind(), ErrorKind::Environment);
        assert!(error.is_locked());
        let source = error.source().and_then(|s| s.downcast_ref::<SyncError>());
        assert!(matches!(source, Some(SyncError::Locked(_))), "{source:?}");

        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
        let error = Error::from(SyncError::Io { action: "write", path: "x".into(), source: io });
        assert!(!error.is_locked());
        assert!(matches!(error.stage(), Some(StageError::Sync(SyncError::Io { .. }))));
        assert!(Error::new(ErrorKind::Input, "plain").source().is_none());
    }
}
