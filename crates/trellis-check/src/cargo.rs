//! Running `cargo metadata`: the only place this crate starts a process.
//!
//! Everything else in the crate is a pure function of what this returns (and of manifest
//! texts), so the comparison can be tested without cargo and timed apart from it.

use std::path::{Path, PathBuf};

use cargo_metadata::{Metadata, MetadataCommand};

/// How to run cargo: which binary, and whether it may reach the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cargo {
    /// The cargo binary. An xtask runs under `cargo`, which sets `CARGO` to itself.
    pub program: PathBuf,
    /// Pass `--offline`. `metadata --no-deps` fetches nothing, so this only makes sure of it.
    pub offline: bool,
    /// Let rustup's `cargo` proxy choose the toolchain from the workspace's own
    /// `rust-toolchain.toml`, even when this process runs under another toolchain (which sets
    /// `RUSTUP_TOOLCHAIN` for its children). Only matters when `program` is the proxy.
    pub workspace_toolchain: bool,
}

impl Cargo {
    /// The cargo that `CARGO` names (set by cargo for the processes it runs), else `cargo` from
    /// `PATH`; offline.
    pub fn from_env() -> Cargo {
        let program =
            std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        Cargo { program, offline: true, workspace_toolchain: false }
    }
}

/// Why `cargo metadata` gave no model of the workspace.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Cargo ran and refused: a broken manifest, a toolchain that is not installed, no
    /// workspace at all.
    #[error("`cargo metadata` failed in `{root}`:\n{message}")]
    Cargo {
        /// The folder it ran in.
        root: String,
        /// Cargo's own message, as it printed it.
        message: String,
        /// What to do about it.
        hint: String,
    },
    /// The workspace folder does not exist.
    #[error("there is no folder at `{0}`")]
    NoFolder(String),
    /// The folder is a member of a workspace whose root is elsewhere.
    #[error("`{folder}` is not the root of its workspace, which is at `{root}`")]
    NotRoot {
        /// The folder given.
        folder: String,
        /// The workspace root cargo found above it.
        root: String,
    },
    /// Cargo could not be started at all.
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// The binary that was tried.
        program: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// Cargo answered with something that is not metadata.
    #[error("`cargo metadata` printed output that cannot be read: {0}")]
    Output(String),
}

impl MetadataError {
    /// What to do about it, as a `hint: …` line would say it.
    pub fn hint(&self) -> String {
        match self {
            MetadataError::Cargo { hint, .. } => hint.clone(),
            MetadataError::NotRoot { root, .. } => format!("pass the root: `--root {root}`"),
            MetadataError::NoFolder(_) => "pass the workspace's root folder with `--root DIR`".to_owned(),
            MetadataError::Spawn { .. } => {
                "check that cargo is installed, or set `CARGO` to the cargo binary".to_owned()
            }
            MetadataError::Output(_) => "run `cargo metadata --no-deps --format-version 1` in the workspace to see what cargo says".to_owned(),
        }
    }
}

/// Runs `cargo metadata --no-deps --format-version 1` once, in `root`.
pub fn read_metadata(root: &Path, cargo: &Cargo) -> Result<Metadata, MetadataError> {
    if !root.is_dir() {
        return Err(MetadataError::NoFolder(root.display().to_string()));
    }
    // Cargo runs in `root`, so a relative manifest path would be read from there twice over.
    let shown = root;
    let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut command = MetadataCommand::new();
    command
        .cargo_path(&cargo.program)
        .current_dir(root)
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        // A toolchain file naming a toolchain that is not installed must fail here with
        // rustup's message, not start a download; and cargo's message reads best without a
        // backtrace under it.
        .env("RUSTUP_AUTO_INSTALL", "0")
        .env("RUST_BACKTRACE", "0");
    if cargo.workspace_toolchain {
        command.env_remove("RUSTUP_TOOLCHAIN");
    }
    if cargo.offline {
        command.other_options(vec!["--offline".to_owned()]);
    }
    let metadata = command.exec().map_err(|error| classify(error, shown, &cargo.program))?;
    // `--manifest-path` at a member's manifest reads the workspace above it; the spec and
    // every path Trellis reports are relative to the root, so insist on it.
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if canonical(metadata.workspace_root.as_std_path()) != canonical(root) {
        return Err(MetadataError::NotRoot {
            folder: shown.display().to_string(),
            root: metadata.workspace_root.to_string(),
        });
    }
    Ok(metadata)
}

fn classify(error: cargo_metadata::Error, root: &Path, program: &Path) -> MetadataError {
    match error {
        cargo_metadata::Error::CargoMetadata { stderr } => {
            let message = stderr.trim_end().to_owned();
            let hint = hint_for(&message, root);
            MetadataError::Cargo { root: root.display().to_string(), message, hint }
        }
        cargo_metadata::Error::Io(source) => {
            MetadataError::Spawn { program: program.display().to_string(), source }
        }
        other => MetadataError::Output(other.to_string()),
    }
}

/// A hint from the shape of cargo's (or rustup's) message.
fn hint_for(message: &str, root: &Path) -> String {
    let lower = message.to_lowercase();
    if lower.contains("toolchain") && lower.contains("not installed") {
        let file = ["rust-toolchain.toml", "rust-toolchain"]
            .into_iter()
            .find(|f| root.join(f).is_file())
            .unwrap_or("rust-toolchain.toml");
        return format!(
            "`{file}` names a toolchain this machine lacks: install it with `rustup toolchain install` in `{}`, or run with `CARGO` set to an installed cargo",
            root.display()
        );
    }
    if lower.contains("could not find `cargo.toml`") || lower.contains("manifest path") {
        return format!(
            "`{}` is not a cargo workspace: pass its root with `--root DIR`",
            root.display()
        );
    }
    if lower.contains("failed to parse manifest") || lower.contains("failed to load manifest") {
        return "fix the manifest cargo names above; `cargo metadata --no-deps` must succeed before the workspace can be checked".to_owned();
    }
    "run `cargo metadata --no-deps` in the workspace and fix what cargo reports".to_owned()
}
