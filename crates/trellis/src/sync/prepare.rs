//! A spec loaded, refused where cargo or `check` would refuse what it makes, and rendered: what
//! `plan`, `apply` and `new` start from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use trellis_render::{PlannedFile, Templates};
use trellis_spec::Diagnostic;
use trellis_sync::{Ledger, Rename};

use crate::{Error, Loaded, Project};

/// A spec rendered, ready to plan or apply.
pub(super) struct Prepared {
    /// The spec; shared with `apply`'s verifier.
    pub(super) loaded: Arc<Loaded>,
    /// The files it renders to.
    pub(super) files: Vec<PlannedFile>,
    /// The crates it renames (`renamed-from`).
    pub(super) renames: Vec<Rename>,
    /// Members the spec does not declare, where a crate moves or is renamed (see
    /// [`trellis_sync::Options::others`]).
    pub(super) others: Vec<String>,
    /// The ledger as it was read, before the spec was (`apply` reads it again in its lock).
    pub(super) ledger: Ledger,
}

/// Loads the spec, checks what can be checked of its external sources, renders it; the
/// ledger is read meanwhile.
pub(super) fn prepare(project: &Project) -> Result<Prepared, Error> {
    std::thread::scope(|scope| {
        let ledger = scope.spawn(|| Ledger::load(project.root()));
        let prepared = prepare_spec(project);
        let ledger = ledger.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        let (loaded, files, renames) = prepared?;
        let others = undeclared_manifests(project.root(), &loaded.spec, &ledger)?;
        Ok(Prepared { loaded: Arc::new(loaded), files, renames, others, ledger })
    })
}

/// The spec loaded, refused where its result would be, and rendered; its renames.
fn prepare_spec(project: &Project) -> Result<(Loaded, Vec<PlannedFile>, Vec<Rename>), Error> {
    let loaded = project.load()?;
    check_external_sources(&loaded, project.root())?;
    refuse_created_binaries(&loaded, Some(project.root()))?;
    refuse_expired_allowances(&loaded)?;
    let templates = templates(project.templates())?;
    let files = render(&loaded, &templates)?;
    let renames = loaded
        .spec
        .crates
        .iter()
        .filter_map(|c| {
            let from = c.renamed_from.as_ref()?;
            Some(Rename { from: from.name.clone(), to: c.name.as_str().to_owned() })
        })
        .collect();
    Ok((loaded, files, renames))
}

/// The folders of manifests the spec does not declare, when a crate of the spec moves (or is
/// renamed) since the ledger: the workspace's other members, as cargo lists them, and every
/// other package under the root (`target` and hidden folders aside): their paths and entries
/// must follow it. Looks only then.
fn undeclared_manifests(
    root: &Path,
    spec: &trellis_spec::Spec,
    ledger: &Ledger,
) -> Result<Vec<String>, Error> {
    let moves = spec.crates.iter().any(|c| ledger.moving_from(c).is_some());
    if !moves {
        return Ok(Vec::new());
    }
    let cargo = trellis_check::Cargo::from_env();
    let metadata = trellis_check::read_metadata(root, &cargo).ok();
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let declared: BTreeSet<&str> = spec.crates.iter().map(|c| c.path.as_str()).collect();
    let mut out = Vec::new();
    for package in metadata.iter().flat_map(|m| m.workspace_packages()) {
        let Some(dir) = package.manifest_path.parent() else { continue };
        let Ok(rel) = dir.as_std_path().strip_prefix(&root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
        let rel = rel.join("/");
        if !declared.contains(rel.as_str()) {
            out.push(rel);
        }
    }
    // Manifests cargo does not count as members refer to crates by path too: a nested
    // workspace `exclude` keeps out, a fuzz or example package of its own. A crate's move
    // reaches them the same way.
    for entry in walkdir::WalkDir::new(&root)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_dir() && (name == "target" || name.starts_with('.')))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() == "Cargo.toml")
    {
        let Some(dir) = entry.path().parent() else { continue };
        let Ok(rel) = dir.strip_prefix(&root) else { continue };
        let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
        let rel = rel.join("/");
        if !rel.is_empty() && !declared.contains(rel.as_str()) && !out.contains(&rel) {
            out.push(rel);
        }
    }
    Ok(out)
}

pub(crate) fn templates(dir: Option<&Path>) -> Result<Templates, Error> {
    match dir {
        None => Ok(Templates::embedded()),
        Some(dir) => Templates::with_overrides(dir).map_err(|e| Error::input(e.to_string())),
    }
}

pub(crate) fn render(loaded: &Loaded, templates: &Templates) -> Result<Vec<PlannedFile>, Error> {
    // A template override is the person's input; the embedded ones failing is Trellis' bug.
    trellis_render::render(&loaded.spec, &loaded.text, templates).map_err(|e| {
        Error::input(format!("{e}\nnote: a template override may be at fault; if none is in use, this is a bug in Trellis"))
    })
}

/// A new workspace holds exactly the spec's edges, so the only finding an `[[allow]]` can
/// excuse there is a declared normal or build edge up the layers. One that excuses nothing
/// would fail `check` (C012) in the workspace `new` is about to write: refused before writing.
pub(super) fn refuse_idle_allowances(loaded: &Loaded) -> Result<(), Error> {
    let idle = trellis_check::allowances::idle_in_new_workspace(&loaded.spec, &loaded.file);
    if idle.is_empty() {
        return Ok(());
    }
    let (n, plural) = (idle.len(), if idle.len() == 1 { "y" } else { "ies" });
    Err(spec_errors(
        loaded,
        idle,
        format!(
            "{n} `[[allow]]` entr{plural} would fail `check` in the new workspace; nothing was written"
        ),
    ))
}

/// Refuses a spec that declares an edge up the layers whose `[[allow]]` expired (its
/// `until` is before today, `trellis_check::today`): the workspace it makes would fail
/// `check` with that edge (C007), so it is the spec's mistake, said before anything is written.
pub(super) fn refuse_expired_allowances(loaded: &Loaded) -> Result<(), Error> {
    let (today, _) = trellis_check::today();
    let expired =
        trellis_check::allowances::expired_with_declared_edge(&loaded.spec, &loaded.file, today);
    if expired.is_empty() {
        return Ok(());
    }
    Err(spec_errors(
        loaded,
        expired,
        "the spec declares an edge up the layers whose `[[allow]]` expired; nothing was written"
            .to_owned(),
    ))
}

/// Refuses a plan whose result leaves an `[[allow]]` excusing nothing (C012 in `check` after
/// writing): the spec's mistake, said before anything is written, exit 2, at the entry.
pub(super) fn refuse_idle_after(
    loaded: &Loaded,
    root: &std::path::Path,
    plan: &trellis_sync::Plan,
    held: &[trellis_sync::Held],
) -> Result<(), Error> {
    let idle = crate::judge::idle_allowances(root, plan, held, loaded)?;
    if idle.is_empty() {
        return Ok(());
    }
    let (n, plural) = (idle.len(), if idle.len() == 1 { "y" } else { "ies" });
    Err(spec_errors(
        loaded,
        idle,
        format!(
            "{n} `[[allow]]` entr{plural} would excuse nothing once the spec is applied, and `check` would fail; nothing was written\nhint: remove the entry, or keep the edge it excuses"
        ),
    ))
}

/// Checks what can be checked of the spec's external dependencies without the network: one
/// by `path` must lead to a package, from the workspace root at `root` (which need not exist
/// yet), and one from a `registry` needs that registry configured for cargo (the
/// `CARGO_REGISTRIES_<NAME>_INDEX` variable, or `[registries.<name>]` in a cargo config file
/// cargo reads for the workspace). Refused before anything is written, as cargo would refuse
/// the workspace after.
pub(super) fn check_external_sources(loaded: &Loaded, root: &Path) -> Result<(), Error> {
    let missing = trellis_check::sources::unreachable_sources(&loaded.spec, &loaded.file, root);
    if missing.is_empty() {
        return Ok(());
    }
    let plural = if missing.len() == 1 { "" } else { "s" };
    let message =
        format!("`{}` has {} error{plural}; nothing was written", loaded.file, missing.len());
    Err(spec_errors(loaded, missing, message))
}

/// Refuses a `bin` crate Trellis would create under a name cargo refuses for its binary
/// (`examples`; see [`trellis_spec::created_binaries`]). `new` creates every crate; in the
/// workspace at `root`, Trellis creates a crate whose folder has no manifest (a renamed crate
/// moves its folder instead). A crate that exists keeps its name: its binaries are named
/// otherwise, or cargo would not load it.
pub(super) fn refuse_created_binaries(loaded: &Loaded, root: Option<&Path>) -> Result<(), Error> {
    let created = |c: &trellis_spec::CrateSpec| {
        root.is_none_or(|root| {
            c.renamed_from.is_none() && !root.join(&c.path).join("Cargo.toml").is_file()
        })
    };
    let refused = trellis_spec::created_binaries(&loaded.spec, &loaded.file, created);
    if refused.is_empty() {
        return Ok(());
    }
    let plural = if refused.len() == 1 { "" } else { "s" };
    let message =
        format!("`{}` has {} error{plural}; nothing was written", loaded.file, refused.len());
    Err(spec_errors(loaded, refused, message))
}

/// An input error made of diagnostics in the spec.
fn spec_errors(loaded: &Loaded, diagnostics: Vec<Diagnostic>, message: String) -> Error {
    let sources = BTreeMap::from([(loaded.file.clone(), loaded.text.clone())]);
    Error::input(message).with_diagnostics(diagnostics, sources)
}
