//! `apply`: the spec's files written as one transaction, judged by cargo before and verified
//! after; the affirmations a run records, and the `--accept` paths it takes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use trellis_sync::{Judge, Ledger, Options, Plan, Rename, Report};

use super::old_names::{OldName, old_names};
use super::prepare::prepare;
use super::verify::verifier;
use crate::judge::{Judged, Verify};
use crate::{Error, ErrorKind, Loaded, Project};

/// What [`apply`] is asked.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Delete orphaned files that are unchanged since Trellis wrote them (a crate only as a
    /// whole), and take their crates out of the root manifest.
    pub prune: bool,
    /// Compute a unified diff of every change made.
    pub diff: bool,
    /// Write each conflict out: the merge with conflict markers into a seeded file, Trellis'
    /// version beside any other file as `<file>.trellis-new`.
    pub write_conflicts: bool,
    /// Conflicted files the person resolved: kept as they are, Trellis' version recorded as
    /// delivered. Workspace-relative (`/` or `\` between parts), or absolute inside the root.
    pub accept: Vec<PathBuf>,
    /// Set by the caller (a Ctrl-C handler) to stop the run between two changes; it then rolls
    /// back and returns an [`ErrorKind::Interrupted`] error.
    pub cancel: Option<Arc<AtomicBool>>,
    /// How hard cargo judges the result: before writing (`cargo metadata`, as `plan` does),
    /// and with [`Verify::Build`] once written, before the run is committed.
    pub verify: Verify,
}

/// What [`apply`] did.
#[derive(Debug)]
pub struct Applied {
    /// The spec it applied.
    pub loaded: Loaded,
    /// What was written, deleted, held back as a conflict, and recovered first.
    pub report: Report,
    /// What cargo said of the plan before anything was written (as [`Planned::judged`](crate::Planned::judged)).
    pub judged: Judged,
    /// Source files of the dependents of a crate the spec renamed (`renamed-from`) that still
    /// call it by its old name: they build as they are (the dependency keeps the old key, with
    /// `package = "<new>"`), and the person renames in code when ready.
    pub old_names: Vec<OldName>,
}

/// Brings the workspace in line with its spec, as a transaction, never overwriting a byte a
/// person wrote (docs/sync.md). Crates the spec renamed (`renamed-from`) move first. Before
/// anything is written, cargo judges the result as [`plan`](crate::plan()) does, and what it refuses is held
/// back (conflicts in the report). Once everything is written, cargo must load the workspace
/// and see no difference from the spec that was not there before the run (and with
/// [`Verify::Build`], build it without an error the change introduced); otherwise every
/// change is rolled back.
///
/// Conflicts are not errors: they are in [`Applied::report`]'s plan.
///
/// ```no_run
/// use trellis::trellis_sync::Action;
///
/// let project = trellis::Project::discover(std::env::current_dir()?)?;
/// let applied = trellis::apply(&project, &trellis::ApplyOptions::default())?;
/// println!("{} files written", applied.report.written());
/// if applied.report.plan.count(Action::Conflict) > 0 {
///     std::process::exit(1);
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`plan`](crate::plan()), and: an `accept` path outside the workspace or where nothing is planned
/// (input); cargo refusing the result, a file that cannot be written (environment); the
/// cancel flag (interrupted). Nothing is left half-written in any of these cases.
pub fn apply(project: &Project, options: &ApplyOptions) -> Result<Applied, Error> {
    let prepared = prepare(project)?;
    let accept = options
        .accept
        .iter()
        .map(|path| workspace_relative(project.root(), path))
        .collect::<Result<Vec<_>, _>>()?;
    let affirmed = made_real(project, &prepared.loaded, &prepared.ledger)?;
    // What the judge said, and why it could not judge, kept for the result.
    let said: Arc<Mutex<(Judged, Option<Error>)>> = Arc::default();
    // Cargo starts on what it will see as soon as the plan has planned that.
    let early = crate::judge::Early::new(project.root()).map(Arc::new);
    let judge = {
        let (root, said) = (project.root().to_path_buf(), Arc::clone(&said));
        let loaded = Arc::clone(&prepared.loaded);
        let cancel = options.cancel.clone();
        let early = early.clone();
        Judge::new(move |plan: &Plan| {
            let mut said = said.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let judged = match early.as_ref().and_then(|early| early.verdict(plan)) {
                Some(judged) => Ok((Vec::new(), judged)),
                None => crate::judge::judge(&root, plan, Verify::Metadata),
            };
            // Ctrl-C reaches cargo too: its failure then is the interruption, not a refusal.
            if cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst)) {
                let message = "interrupted; nothing was written";
                said.1 = Some(Error::new(ErrorKind::Interrupted, message));
                return Err(message.to_owned());
            }
            let judged = judged.and_then(|(held, judged)| {
                super::prepare::refuse_idle_after(&loaded, &root, plan, &held)?;
                Ok((held, judged))
            });
            match judged {
                Ok((held, judged)) => {
                    said.0 = judged;
                    Ok(held)
                }
                Err(error) => {
                    let message = error.to_string();
                    said.1 = Some(error);
                    Err(message)
                }
            }
        })
    };
    let refused: Arc<Mutex<Option<String>>> = Arc::default();
    let build = (options.verify == Verify::Build).then(|| Arc::clone(&refused));
    let sync = trellis_sync::ApplyOptions {
        plan: Options {
            prune: options.prune,
            diff: options.diff,
            renames: prepared.renames,
            others: prepared.others,
            accept,
            affirmed,
            write_conflicts: options.write_conflicts,
            // Read inside `apply`'s lock, by the plan it makes there: the tree as it is then.
            facts: Some(crate::facts::reader()),
            history: Some(crate::history::history(project.root(), project.templates())),
            early: early.as_ref().map(|early| early.hook()),
        },
        verify: Some(verifier(Arc::clone(&prepared.loaded), build)),
        judge: Some(judge),
        cancel: options.cancel.clone(),
    };
    let (renames, others) = (sync.plan.renames.clone(), sync.plan.others.clone());
    let report = trellis_sync::apply(project.root(), &prepared.files, &sync).map_err(|e| {
        let mut said = said.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(error) = said.1.take() {
            return error;
        }
        let refusal = refused.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        match (refusal, &e) {
            (Some(first), trellis_sync::SyncError::Verification { .. }) => Error::new(
                ErrorKind::Refused,
                format!(
                    "`cargo check` finds an error the change introduced, so every change was rolled back:\n{first}\nhint: the workspace is as it was before; fix what the error names (or the spec), then apply again"
                ),
            ),
            _ => Error::from(e),
        }
    })?;
    let mut judged = said.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0.clone();
    // Once something was written, the verifier built it too.
    // (A refusal of `cargo metadata` stays the judgement the report shows, as in `plan`.)
    if options.verify == Verify::Build
        && judged.refusal.is_none()
        && report.written() + report.deleted() > 0
    {
        judged.level = Some(crate::Level::Build);
    }
    // The renames this run did: their crate's folder moved.
    let spec = &prepared.loaded.spec;
    let moved_to = |name: &str| {
        let dir = spec.crates.iter().find(|c| c.name.as_str() == name).map(|c| c.path.as_str());
        report.plan.entries.iter().any(|e| {
            e.action == trellis_sync::Action::Move
                && dir.is_some_and(|d| e.moves.as_ref().is_some_and(|m| m.to == d))
        })
    };
    let done: Vec<Rename> = renames.into_iter().filter(|r| moved_to(&r.to)).collect();
    let old_names = old_names(project.root(), spec, &done, &others);
    Ok(Applied { loaded: Arc::unwrap_or_clone(prepared.loaded), report, judged, old_names })
}

/// The ledger's affirmed fingerprints after this `apply`: those of requirements the spec
/// still has, and one for each requirement a person's test now claims that had none, of the
/// text that test was written against (the spec Trellis last applied, or else today's). From
/// then on, a change of the requirement's text makes it suspect until it is affirmed again.
/// `None` (keep the ledger's) for a spec without requirements: nothing to read then.
///
/// Only whether a test claims a requirement counts here (pending or lost, or not), which
/// affirmed fingerprints do not change; so the spec Trellis last applied is read only when a
/// requirement is newly claimed.
fn made_real(
    project: &Project,
    loaded: &Loaded,
    ledger: &Ledger,
) -> Result<Option<BTreeMap<String, String>>, Error> {
    use trellis_trace::Status;
    if !trellis_trace::findings::possible(&loaded.spec) {
        return Ok(None);
    }
    let root = project.root();
    let inputs = trellis_trace::TraceInputs { results: None, affirmed: ledger.affirmed() };
    let report =
        trellis_trace::trace_with(&as_it_stands(&loaded.spec, root, ledger), root, &inputs)?;
    // An affirmation holds while a person's test claims the requirement: one gone back to
    // pending (or lost) will be affirmed afresh against the text its new test is written for.
    let claimed = |id: &str| {
        report.requirement(id).is_some_and(|r| !matches!(r.status, Status::Pending | Status::Lost))
    };
    let mut next: BTreeMap<String, String> = ledger
        .affirmed()
        .iter()
        .filter(|(id, _)| claimed(id))
        .map(|(id, fingerprint)| (id.clone(), fingerprint.clone()))
        .collect();
    let newly: Vec<_> = report
        .crates
        .iter()
        .flat_map(|c| &c.requirements)
        .filter(|r| !matches!(r.status, Status::Pending | Status::Lost))
        .filter(|r| !next.contains_key(&r.id))
        .collect();
    if newly.is_empty() {
        return Ok(Some(next));
    }
    let applied = crate::inspect::applied_fingerprints(root, ledger);
    for r in newly {
        if let Some(fingerprint) = applied.get(&r.id).or(r.fingerprint.as_ref()) {
            next.insert(r.id.clone(), fingerprint.clone());
        }
    }
    Ok(Some(next))
}

/// The spec with each crate this run moves (renamed, or given another `path`) still at the
/// folder it has now, where the tests that claim its requirements are until the run moves
/// them: read at the new folder, they would all look lost.
fn as_it_stands<'s>(
    spec: &'s trellis_spec::Spec,
    root: &Path,
    ledger: &Ledger,
) -> Cow<'s, trellis_spec::Spec> {
    let now = |c: &trellis_spec::CrateSpec| {
        ledger.moving_from(c).filter(|dir| {
            *dir != c.path
                && !root.join(&c.path).join("Cargo.toml").is_file()
                && root.join(dir).join("Cargo.toml").is_file()
        })
    };
    if !spec.crates.iter().any(|c| now(c).is_some()) {
        return Cow::Borrowed(spec);
    }
    let mut moved = spec.clone();
    for c in &mut moved.crates {
        if let Some(dir) = now(c) {
            c.path = dir.to_owned();
        }
    }
    Cow::Owned(moved)
}

/// An `accept` path as the workspace-relative, `/`-separated path the plan names.
fn workspace_relative(root: &Path, path: &Path) -> Result<String, Error> {
    let relative = if path.is_absolute() {
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (root, path) = (canonical(root), canonical(path));
        path.strip_prefix(&root).map(Path::to_path_buf).map_err(|_| {
            Error::input(format!(
                "`--accept {}` is not inside the workspace `{}`",
                path.display(),
                root.display()
            ))
        })?
    } else {
        path.to_path_buf()
    };
    Ok(relative.to_string_lossy().replace('\\', "/").trim_start_matches("./").to_owned())
}
