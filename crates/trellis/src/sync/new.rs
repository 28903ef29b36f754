//! `new`: a workspace made from a spec, beside its folder, and moved in once cargo agrees.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use trellis_sync::{Plan, Verifier};

use super::prepare::{
    check_external_sources, refuse_created_binaries, refuse_expired_allowances,
    refuse_idle_allowances, render, templates,
};
use super::verify::{Mismatch, cargo_sees_spec};
use crate::{Error, ErrorKind, Loaded, Project};

/// What [`new`] is asked.
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// A folder of templates that replace the defaults.
    pub templates: Option<PathBuf>,
    /// Set by the caller to stop the run; nothing is left behind.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// What [`new`] made.
#[derive(Debug)]
pub struct Created {
    /// The spec it made the workspace from.
    pub loaded: Loaded,
    /// The new workspace's root.
    pub root: PathBuf,
    /// How many files were written.
    pub files: usize,
    /// What `new` did, file by file: in a fresh clone, its own files that were there already
    /// (a README, a `.gitignore`) are conflicts, kept as they are.
    pub plan: Plan,
}

/// Creates the workspace a spec describes at `out`, which must not exist or be an empty
/// folder. The tree is built beside `out`, read back through `cargo metadata` (cargo must see
/// exactly the spec's members and edges) and only then renamed into place: a spec with any
/// error, a refusal or an interruption leaves nothing behind.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let spec = dir.path().join("spec.toml");
/// std::fs::write(&spec, "[workspace]\nname = \"shop\"\n\n[crates.books]\n")?;
/// let created = trellis::new(&spec, &dir.path().join("shop"), &Default::default())?;
/// assert!(created.root.join("crates/books/src/lib.rs").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: the spec is missing or has errors, `out` is not empty, an `[[allow]]` would excuse
/// nothing in a new workspace (so `check` would fail there). Environment: cargo cannot load
/// the result, a file cannot be written. Interrupted: the cancel flag.
pub fn new(spec_file: &Path, out: &Path, options: &NewOptions) -> Result<Created, Error> {
    // The spec is named as given: it is outside `out`, which must be empty.
    let loaded = Project::at(out).with_spec(spec_file).load()?;
    create(loaded, out, options)
}

/// [`new`] from spec text rather than a file (`demo` makes the embedded example this way);
/// `file` is how diagnostics name it.
///
/// # Errors
///
/// As [`new`].
pub fn new_from_text(
    text: &str,
    file: &str,
    out: &Path,
    options: &NewOptions,
) -> Result<Created, Error> {
    let loaded = Loaded::parse(text.to_owned(), file.to_owned())?;
    create(loaded, out, options)
}

fn create(loaded: Loaded, out: &Path, options: &NewOptions) -> Result<Created, Error> {
    refuse_idle_allowances(&loaded)?;
    refuse_expired_allowances(&loaded)?;
    refuse_created_binaries(&loaded, None)?;
    check_external_sources(&loaded, out)?;
    let templates = templates(options.templates.as_deref())?;
    let files = render(&loaded, &templates)?;
    let loaded = Arc::new(loaded);
    // What cargo said of the staging folder, kept for the error this returns.
    let verdict: Arc<Mutex<Option<Error>>> = Arc::new(Mutex::new(None));
    let verifier = {
        let (loaded, verdict) = (Arc::clone(&loaded), Arc::clone(&verdict));
        Verifier::new(move |root: &Path| {
            if loaded.spec.workspace.engine.is_some() || !loaded.spec.dependencies.is_empty() {
                seed_lock(root);
            }
            let Err(mismatch) = cargo_sees_spec(&loaded, root) else { return Ok(()) };
            let error = match mismatch {
                Mismatch::Metadata(e) => Error::from(e),
                Mismatch::Graph(checked) => Error::env(
                    "the generated workspace differs from its spec as cargo sees it; this is a bug in Trellis",
                )
                .with_diagnostics(checked.diagnostics, checked.sources),
            };
            *verdict.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(error);
            Err("cargo does not see the spec's graph".to_owned())
        })
    };
    let never = AtomicBool::new(false);
    let cancel = options.cancel.as_deref().unwrap_or(&never);
    let shown = out.display();
    let report = trellis_sync::create_with(out, &files, cancel, Some(&verifier)).map_err(|e| {
        if e.is_interrupted() {
            return Error::new(
                ErrorKind::Interrupted,
                format!("interrupted: `{shown}` was not created, and nothing was left behind"),
            );
        }
        if let trellis_sync::SyncError::Verification { .. } = e {
            let verdict = verdict.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
            if let Some(error) = verdict {
                let message =
                    format!("`{shown}` was not created, and nothing was left behind: {error}");
                return error.with_message(message);
            }
        }
        Error::from(e)
    })?;
    Ok(Created {
        loaded: Arc::unwrap_or_clone(loaded),
        root: out.to_path_buf(),
        files: report.written(),
        plan: report.plan,
    })
}

/// The spec `text` with `[workspace] trellis = { path = "<path>" }` set, the rest of its text
/// kept: a workspace made from it guards itself with the engine at `path` (relative to that
/// workspace's root, or absolute), its own `cargo xtask check` included. `demo` names the
/// checkout it was built from this way.
///
/// # Errors
///
/// [`ErrorKind::Input`] when `text` is not TOML (the parser's message).
pub fn with_engine(text: &str, path: &str) -> Result<String, Error> {
    let mut doc: toml_edit::DocumentMut =
        text.parse().map_err(|e: toml_edit::TomlError| Error::input(e.to_string()))?;
    let mut table = toml_edit::InlineTable::new();
    table.insert("path", path.into());
    doc["workspace"]["trellis"] = toml_edit::value(table);
    Ok(doc.to_string())
}

/// Trellis' own lock file: the versions its engine was built and tested with.
const TRELLIS_LOCK: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"));

/// Gives a new workspace that uses registry crates (Trellis' engine, the spec's external
/// crates) a lock file of tested versions: Trellis' own, which cargo, resolving offline from
/// its index, trims to what the workspace uses and completes where they do not overlap. Where cargo
/// cannot resolve offline, the workspace ships without one (its first build resolves).
fn seed_lock(root: &Path) {
    let path = root.join("Cargo.lock");
    if path.exists() || std::fs::write(&path, TRELLIS_LOCK).is_err() {
        return;
    }
    // `update --workspace` resolves from the index alone, keeping every locked version it
    // can and dropping what the workspace does not use (`metadata` would download every
    // platform's packages to read their manifests).
    let resolved = crate::judge::cargo_command(root)
        .args(["update", "--workspace", "--offline"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !resolved {
        let _ = std::fs::remove_file(&path);
    }
}
