//! What can go wrong while planning or applying, as one typed error.

use std::io;
use std::path::PathBuf;

use crate::Rollback;

/// Why a plan or an apply could not go ahead. Whatever the variant, nothing a person wrote
/// has been lost: a run that fails part-way is rolled back through its journal, now or by the
/// next `apply`.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A planned path is absolute, leaves the root, or is not `/`-separated plain names: a
    /// bug in the stage that planned it.
    #[error("planned path `{path}` is not a plain relative path: {reason}")]
    BadPath {
        /// The path as planned.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same path was planned twice.
    #[error("`{0}` is planned twice")]
    Duplicate(String),
    /// A planned manifest is not valid TOML: a bug in the stage that rendered it.
    #[error("planned manifest `{path}` is not valid TOML: {reason}")]
    BadManifest {
        /// The manifest's path.
        path: String,
        /// The parser's message.
        reason: String,
    },
    /// A symlink where Trellis would read or write.
    #[error(
        "`{}` is a symbolic link; Trellis never follows links inside a workspace\nhint: replace the link with a real file or folder",
        .0.display()
    )]
    Symlink(PathBuf),
    /// Something other than a folder where a folder is needed, or a folder where a file is.
    #[error("`{}` is {what}", .path.display())]
    WrongKind {
        /// The offending path.
        path: PathBuf,
        /// What it is instead ("not a folder", "a folder, not a file").
        what: &'static str,
    },
    /// `new` into a folder that holds something already.
    #[error(
        "`{}` already exists and is not an empty folder; nothing was written\nhint: pick a new folder or a fresh clone (version-control metadata and files at its top only), or run `apply` inside an existing workspace",
        .0.display()
    )]
    NotEmpty(PathBuf),
    /// `--accept` of a path Trellis plans no file at.
    #[error(
        "`--accept {0}`: Trellis plans no file at that path of the workspace; nothing was written\nhint: give the path as `plan` prints it (from where you stand), or from the workspace root"
    )]
    NothingToAccept(String),
    /// `apply` on a folder that does not exist.
    #[error("no workspace at `{}`\nhint: create one with `new`", .0.display())]
    NoWorkspace(PathBuf),
    /// An interrupted `apply` waits to be rolled back: the ledger must not change before.
    #[error(
        "an `apply` was interrupted in `{}`; nothing was written\nhint: run `trellis apply` to roll it back first",
        .0.display()
    )]
    Unfinished(PathBuf),
    /// Another `apply` holds the workspace's lock.
    #[error(
        "another `apply` is running on `{}`; nothing was written\nhint: wait for it to finish, then run again",
        .0.display()
    )]
    Locked(PathBuf),
    /// The ledger cannot be read as a ledger.
    #[error(
        "the ledger `{}` is corrupt: {reason}\nhint: restore it from version control; Trellis will not guess what it wrote",
        .path.display()
    )]
    CorruptLedger {
        /// The ledger's path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The ledger was written by a newer Trellis.
    #[error(
        "the ledger `{}` has format {found}, but this Trellis reads format {supported} at most\nhint: update Trellis",
        .path.display()
    )]
    NewerLedger {
        /// The ledger's path.
        path: PathBuf,
        /// The format it declares.
        found: i64,
        /// The newest format this build reads.
        supported: i64,
    },
    /// The file system refused.
    #[error("cannot {action} `{}`", .path.display())]
    Io {
        /// What Trellis was doing ("read", "write", "create folder", ...).
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: io::Error,
    },
    /// The journal of an interrupted `apply` cannot be read as a journal.
    #[error(
        "the journal `{}` of an interrupted `apply` is corrupt: {reason}\nhint: restore the workspace from version control, then delete the journal; Trellis will not guess what the run did",
        .path.display()
    )]
    CorruptJournal {
        /// The journal's path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The journal was written by a newer Trellis.
    #[error(
        "the journal `{}` has format {found}, but this Trellis reads format {supported} at most\nhint: finish with the Trellis that wrote it (its next `apply` rolls the interrupted run back)",
        .path.display()
    )]
    NewerJournal {
        /// The journal's path.
        path: PathBuf,
        /// The format it declares.
        found: i64,
        /// The newest format this build reads.
        supported: i64,
    },
    /// The verifier (see [`crate::Options::verify`]) refused the workspace as written: every
    /// change was rolled back.
    #[error(
        "the workspace as applied does not pass verification:\n{message}\n{}\nhint: the workspace is as it was before; when cargo's message names a file a person wrote (a manifest at odds with the spec change), fix it and apply again; otherwise this is a bug in Trellis or in a template override",
        rolled_back(.rollback)
    )]
    Verification {
        /// The verifier's message (cargo's, for `trellis apply`).
        message: String,
        /// What the rollback did.
        rollback: Rollback,
    },
    /// The caller asked the run to stop (Ctrl-C): every change was rolled back.
    #[error("interrupted; {}", rolled_back(.rollback))]
    Interrupted {
        /// What the rollback did.
        rollback: Rollback,
    },
    /// The file system failed in the middle of a run: every change was rolled back.
    #[error(
        "{}\n`apply` stopped after {}; {}\nhint: fix the cause (disk space, permissions), then run `trellis apply` again",
        chain(.error),
        changes(.done),
        rolled_back(.rollback)
    )]
    Failed {
        /// What failed.
        error: Box<SyncError>,
        /// The changes made before it failed (paths, `old -> new` for a moved folder).
        done: Vec<String>,
        /// What the rollback did.
        rollback: Rollback,
    },
    /// A run stopped (`cause`), and rolling it back failed too: the journal stays, and the
    /// next `apply` finishes the rollback before anything else.
    #[error(
        "{cause}, after {}; rolling back failed too: {}\nthe journal `.trellis/journal.toml` stays: the next `trellis apply` finishes the rollback, then applies the spec\nhint: fix the cause (disk space, permissions), then run `trellis apply`",
        changes(.done),
        chain(.error)
    )]
    RollbackFailed {
        /// Why the run stopped.
        cause: String,
        /// The changes made before it stopped.
        done: Vec<String>,
        /// Why the rollback failed.
        error: Box<SyncError>,
    },
    /// The test-only fault-injection point stopped the run.
    #[cfg(test)]
    #[error("fault injected after the allowed number of writes")]
    Injected,
}

impl SyncError {
    /// Whether the error lies in what the person gave (a folder that is not empty, a link in
    /// the way, a corrupt ledger: exit 2) rather than in the environment or in Trellis itself
    /// (exit 3).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            SyncError::Symlink(_)
                | SyncError::WrongKind { .. }
                | SyncError::NotEmpty(_)
                | SyncError::NoWorkspace(_)
                | SyncError::NothingToAccept(_)
                | SyncError::Unfinished(_)
                | SyncError::CorruptLedger { .. }
                | SyncError::NewerLedger { .. }
                | SyncError::CorruptJournal { .. }
                | SyncError::NewerJournal { .. }
        )
    }

    /// Whether the run stopped because the caller asked it to (Ctrl-C), after rolling back.
    pub fn is_interrupted(&self) -> bool {
        matches!(self, SyncError::Interrupted { .. })
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> SyncError {
        let path = path.into();
        move |source| SyncError::Io { action, path, source }
    }
}

/// An error and its sources, on one line: `cannot write `x`: No space left on device`.
fn chain(error: &SyncError) -> String {
    let mut out = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        out.push_str(&format!(": {e}"));
        source = e.source();
    }
    out
}

/// `3 changes (a, b, c)`, the first few named.
fn changes(done: &[String]) -> String {
    const SHOWN: usize = 5;
    match done.len() {
        0 => "no change".to_owned(),
        n => {
            let plural = if n == 1 { "" } else { "s" };
            let mut names: Vec<String> =
                done.iter().take(SHOWN).map(|p| format!("`{p}`")).collect();
            if n > SHOWN {
                names.push(format!("and {} more", n - SHOWN));
            }
            format!("{n} change{plural} ({})", names.join(", "))
        }
    }
}

/// What a rollback did, for people.
fn rolled_back(rollback: &Rollback) -> String {
    let mut out = match rollback.undone.len() {
        0 => "nothing needed rolling back".to_owned(),
        n => format!("rolled back: {n} change{} undone", if n == 1 { "" } else { "s" }),
    };
    if !rollback.kept.is_empty() {
        let names: Vec<String> = rollback.kept.iter().map(|p| format!("`{p}`")).collect();
        out.push_str(&format!(
            "; changed by a person meanwhile, so left as they are: {}",
            names.join(", ")
        ));
    }
    out
}
