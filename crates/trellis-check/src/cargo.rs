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

/// `cargo metadata` of the workspace at `root` (absolute) as every question here asks it: the
/// cargo `cargo` names, run in `root` on its manifest.
fn metadata_command(root: &Path, cargo: &Cargo) -> MetadataCommand {
    let mut command = MetadataCommand::new();
    command
        .cargo_path(&cargo.program)
        .current_dir(root)
        .manifest_path(root.join("Cargo.toml"))
        // A toolchain file naming a toolchain that is not installed must fail here with
        // rustup's message, not start a download; and cargo's message reads best without a
        // backtrace under it.
        .env("RUSTUP_AUTO_INSTALL", "0")
        .env("RUST_BACKTRACE", "0");
    if cargo.workspace_toolchain {
        command.env_remove("RUSTUP_TOOLCHAIN");
    }
    command
}

/// Runs `cargo metadata --no-deps --format-version 1` once, in `root`.
pub fn read_metadata(root: &Path, cargo: &Cargo) -> Result<Metadata, MetadataError> {
    if !root.is_dir() {
        return Err(MetadataError::NoFolder(root.display().to_string()));
    }
    // Cargo runs in `root`, so a relative manifest path would be read from there twice over.
    let shown = root;
    let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut command = metadata_command(root, cargo);
    command.no_deps();
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

/// `cargo metadata` as `check` and `graph --actual` need it: the graph cargo builds.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// `--no-deps` metadata, or, when a `[patch]` leads to a member, the resolved metadata,
    /// whose `resolve` holds the edges the patch makes.
    pub metadata: Metadata,
    /// Why the edges a `[patch]` makes are not in `metadata` (cargo could not resolve the
    /// workspace offline from its lock file), for people.
    pub warning: Option<String>,
}

/// Reads the workspace as [`read_metadata`] does; and when a `[patch]` (in the root manifest,
/// or in a `.cargo/config.toml` cargo reads for it) redirects a dependency to a member, which
/// `--no-deps` cannot show, once more with cargo's resolve (offline, from the lock file, which
/// is never written), so that the member edges the patch makes are seen. Without such a patch
/// this is one `--no-deps` run.
pub fn read_resolved(root: &Path, cargo: &Cargo) -> Result<Resolved, MetadataError> {
    let metadata = read_metadata(root, cargo)?;
    let Some(patched) = patch_to_member(root, &metadata) else {
        return Ok(Resolved { metadata, warning: None });
    };
    let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut command = metadata_command(root, cargo);
    // `check` reads the workspace and never writes it: not even the lock file.
    command.other_options(vec!["--offline".to_owned(), "--locked".to_owned()]);
    match command.exec() {
        Ok(resolved) => Ok(Resolved { metadata: resolved, warning: None }),
        Err(error) => {
            let said = match error {
                cargo_metadata::Error::CargoMetadata { stderr } => stderr
                    .lines()
                    .find(|l| l.starts_with("error"))
                    .unwrap_or_else(|| stderr.lines().next().unwrap_or_default())
                    .to_owned(),
                other => other.to_string(),
            };
            let warning = format!(
                "`[patch]` in `{patched}` leads to a member, but cargo cannot resolve the workspace offline from its lock file, so the edges the patch makes are not checked: {said}\nhint: these edges are checked once `cargo metadata --offline --locked` succeeds here: it needs an up-to-date `Cargo.lock` and what `cargo fetch` downloads"
            );
            Ok(Resolved { metadata, warning: Some(warning) })
        }
    }
}

/// Reads the workspace with cargo's resolved graph, for `check --deep`: `cargo metadata` with
/// dependencies, offline and `--locked` (from the lock file and the sources already
/// downloaded; nothing is fetched, and the lock file is never written). When cargo cannot
/// (no lock file, an outdated one, sources not downloaded), the workspace is read as
/// [`read_resolved`] reads it, and the warning says that `--deep` could not follow the paths
/// and why; only cargo failing that way too is an error.
pub fn read_deep(root: &Path, cargo: &Cargo) -> Result<Resolved, MetadataError> {
    if !root.is_dir() {
        return Err(MetadataError::NoFolder(root.display().to_string()));
    }
    let shown = root;
    let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut command = metadata_command(root, cargo);
    command.other_options(vec!["--offline".to_owned(), "--locked".to_owned()]);
    let said = match command.exec() {
        Ok(metadata) => {
            let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if canonical(metadata.workspace_root.as_std_path()) != canonical(root) {
                return Err(MetadataError::NotRoot {
                    folder: shown.display().to_string(),
                    root: metadata.workspace_root.to_string(),
                });
            }
            return Ok(Resolved { metadata, warning: None });
        }
        Err(cargo_metadata::Error::CargoMetadata { stderr }) => stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or_else(|| stderr.lines().next().unwrap_or_default())
            .to_owned(),
        Err(other) => other.to_string(),
    };
    let mut read = read_resolved(shown, cargo)?;
    let note = format!(
        "`--deep` cannot follow the resolved graph: cargo cannot resolve the workspace offline from its lock file ({said}), so `[[forbid]]` rules are checked on direct dependencies only\nhint: `--deep` needs an up-to-date `Cargo.lock` and the sources `cargo fetch` downloads"
    );
    read.warning = Some(match read.warning.take() {
        Some(other) => format!("{other}\n{note}"),
        None => note,
    });
    Ok(read)
}

/// The file (as a person names it) whose `[patch]` leads to a member's folder, if any: the
/// root manifest, then each `.cargo/config.toml` (or `.cargo/config`) from the root up, as
/// cargo reads them. Reads those few files only; a file that does not parse is cargo's to
/// report.
fn patch_to_member(root: &Path, metadata: &Metadata) -> Option<String> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let ids: std::collections::HashSet<_> = metadata.workspace_members.iter().collect();
    let members: std::collections::HashSet<PathBuf> = metadata
        .packages
        .iter()
        .filter(|p| ids.contains(&p.id))
        .filter_map(|p| canonical(p.manifest_path.parent()?.as_std_path()))
        .collect();
    let leads_to_member = |file: &Path, base: &Path| -> bool {
        let Ok(text) = std::fs::read_to_string(file) else { return false };
        let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { return false };
        let Some(patch) = doc.get("patch").and_then(toml_edit::Item::as_table_like) else {
            return false;
        };
        patch.iter().filter_map(|(_, source)| source.as_table_like()).any(|source| {
            source.iter().any(|(_, entry)| {
                let path = entry.as_table_like().and_then(|e| e.get("path")?.as_str());
                path.and_then(|p| canonical(&base.join(p))).is_some_and(|p| members.contains(&p))
            })
        })
    };
    let root = canonical(root)?;
    if leads_to_member(&root.join("Cargo.toml"), &root) {
        return Some("Cargo.toml".to_owned());
    }
    for dir in root.ancestors() {
        for name in ["config.toml", "config"] {
            let file = dir.join(".cargo").join(name);
            // Paths in a config file are relative to the folder that holds `.cargo`.
            if file.is_file() && leads_to_member(&file, dir) {
                return Some(file.display().to_string());
            }
        }
    }
    None
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
