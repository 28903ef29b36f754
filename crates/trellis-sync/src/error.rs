//! What can go wrong while planning or applying, as one typed error.

use std::io;
use std::path::PathBuf;

/// Why a plan or an apply could not go ahead. Whatever the variant, nothing a person wrote
/// has been lost: a failed run stops before the ledger is written, and the next `apply`
/// completes it.
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
        "`{}` already exists and is not an empty folder; nothing was written\nhint: pick a new folder, or run `apply` inside an existing workspace",
        .0.display()
    )]
    NotEmpty(PathBuf),
    /// `apply` on a folder that does not exist.
    #[error("no workspace at `{}`\nhint: create one with `new`", .0.display())]
    NoWorkspace(PathBuf),
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
                | SyncError::CorruptLedger { .. }
                | SyncError::NewerLedger { .. }
        )
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> SyncError {
        let path = path.into();
        move |source| SyncError::Io { action, path, source }
    }
}
