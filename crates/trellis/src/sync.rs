//! `new`, `plan` and `apply`: a spec rendered into files, and those files written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use trellis_render::{PlannedFile, Templates};
use trellis_spec::Diagnostic;
use trellis_sync::{Check, Judge, Ledger, Options, Plan, Rename, Report, Verifier};

use crate::judge::{Judged, Verify};

use crate::{Error, ErrorKind, Loaded, Project};

/// What [`plan`] is asked.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Plan as `apply --prune` would: delete orphans that are unchanged since Trellis wrote
    /// them.
    pub prune: bool,
    /// Compute a unified diff of every change (for a conflict: the file with the markers).
    pub diff: bool,
    /// How hard cargo judges the result before `apply` would write it.
    pub verify: Verify,
}

/// What [`plan`] found.
#[derive(Debug)]
pub struct Planned {
    /// The spec it planned from.
    pub loaded: Loaded,
    /// One entry per file, and the summary.
    pub plan: Plan,
    /// Whether an `apply` was interrupted here (its journal remains): the next `apply` first
    /// rolls it back, so what it does can differ from this plan.
    pub unfinished: bool,
    /// What cargo said of the result: the entries it refuses are held back in `plan` as
    /// conflicts; a refusal of `cargo check` refuses the whole plan (`apply` would roll back).
    pub judged: Judged,
}

/// Plans what `apply` would do, file by file, and asks cargo about the result as `apply`
/// would (see [`Planned::judged`]); writes nothing in the workspace, ever.
///
/// ```
/// use trellis::trellis_sync::Action;
///
/// let dir = tempfile::tempdir()?;
/// let spec = "[workspace]\nname = \"shop\"\n\n[crates.books]\n";
/// std::fs::write(dir.path().join("Trellis.toml"), spec)?;
/// let planned = trellis::plan(&trellis::Project::at(dir.path()), &Default::default())?;
/// assert!(planned.plan.entries.iter().any(|e| e.path == "crates/books/Cargo.toml"));
/// assert_eq!(planned.plan.count(Action::Conflict), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: the spec is missing or has errors, an external dependency's `path` leads to no
/// package or its registry is unknown, a template override is broken. Environment: a file
/// cannot be read.
pub fn plan(project: &Project, options: &PlanOptions) -> Result<Planned, Error> {
    let prepared = prepare(project)?;
    let unfinished = trellis_sync::unfinished(project.root())?;
    let history = crate::history::history(project.root(), project.templates());
    let mut ledger = Ledger::load(project.root())?;
    ledger.resolve_with(&prepared.files, Some(&history));
    let sync = Options {
        prune: options.prune,
        diff: options.diff,
        renames: prepared.renames,
        others: prepared.others,
        facts: Some(crate::facts::reader()),
        history: Some(history),
        ..Options::default()
    };
    let mut plan = trellis_sync::plan(project.root(), &prepared.files, &ledger, &sync)?;
    // The same judge `apply` runs on the same plan, so that both say the same. Not on a
    // half-changed workspace: the next `apply` rolls the interrupted run back first, and plans
    // and judges anew on the tree that gives.
    let judged = if unfinished {
        Judged {
            unjudged: Some(
                "an interrupted `apply` is still to be rolled back, so cargo was not asked about this plan".to_owned(),
            ),
            ..Judged::default()
        }
    } else {
        let (held, judged) = crate::judge::judge(project.root(), &plan, options.verify)?;
        plan.hold_back(&held, &ledger);
        judged
    };
    Ok(Planned { loaded: Arc::unwrap_or_clone(prepared.loaded), plan, unfinished, judged })
}

/// A plan for people: one aligned line per file that changes (every file with `all`), its
/// path as [`Project::show`] shows it, its note, and its diff when `diffs` and the plan has
/// one. The action is styled (green for a change, red for a conflict, yellow for an orphan or
/// a deletion); write it through anstream.
pub fn render_plan(project: &Project, plan: &Plan, diffs: bool, all: bool) -> String {
    use anstyle::{AnsiColor, Style};
    use trellis_sync::Action;
    // One width for every plan, whatever it holds, so that lines align across runs too.
    let width = Action::ALL.iter().map(|a| a.as_str().len()).max().unwrap_or(0);
    let mut out = String::new();
    for e in plan.entries.iter().filter(|e| all || e.action != Action::Unchanged) {
        let style = match e.action {
            Action::Create | Action::Update | Action::Merge | Action::Move => {
                AnsiColor::Green.on_default().bold()
            }
            Action::Conflict => AnsiColor::Red.on_default().bold(),
            Action::Orphan | Action::Delete | Action::Held => AnsiColor::Yellow.on_default().bold(),
            Action::Unchanged => Style::new(),
        };
        let path = match e.path.split_once(" -> ") {
            Some((from, to)) => format!("{} -> {}", project.show(from), project.show(to)),
            None => project.show(&e.path),
        };
        let action = format!("{:<width$}", e.action.as_str());
        out.push_str(&format!("{style}{action}{style:#}  {path}"));
        if let Some(note) = &e.note {
            out.push_str(&format!("  ({note})"));
        }
        out.push('\n');
        if diffs && let Some(diff) = &e.diff {
            out.push_str(diff);
            if !diff.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

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
    /// What cargo said of the plan before anything was written (as [`Planned::judged`]).
    pub judged: Judged,
    /// Source files of the dependents of a crate the spec renamed (`renamed-from`) that still
    /// call it by its old name: they build as they are (the dependency keeps the old key, with
    /// `package = "<new>"`), and the person renames in code when ready.
    pub old_names: Vec<OldName>,
}

/// A source file that calls a renamed crate by its old name (`old_name::`, `use old_name`,
/// `extern crate old_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldName {
    /// The file, relative to the workspace root, `/`-separated.
    pub path: String,
    /// The crate's old package name (its `renamed-from`), the key its dependents keep.
    pub from: String,
    /// The crate's new package name.
    pub to: String,
}

/// Brings the workspace in line with its spec, as a transaction, never overwriting a byte a
/// person wrote (docs/sync.md). Crates the spec renamed (`renamed-from`) move first. Before
/// anything is written, cargo judges the result as [`plan`] does, and what it refuses is held
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
/// As [`plan`], and: an `accept` path outside the workspace or where nothing is planned
/// (input); cargo refusing the result, a file that cannot be written (environment); the
/// cancel flag (interrupted). Nothing is left half-written in any of these cases.
pub fn apply(project: &Project, options: &ApplyOptions) -> Result<Applied, Error> {
    let prepared = prepare(project)?;
    let accept = options
        .accept
        .iter()
        .map(|path| workspace_relative(project.root(), path))
        .collect::<Result<Vec<_>, _>>()?;
    let affirmed = made_real(project, &prepared.loaded)?;
    // What the judge said, and why it could not judge, kept for the result.
    let said: Arc<Mutex<(Judged, Option<Error>)>> = Arc::default();
    let judge = {
        let (root, said) = (project.root().to_path_buf(), Arc::clone(&said));
        let cancel = options.cancel.clone();
        Judge::new(move |plan: &Plan| {
            let mut said = said.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let judged = crate::judge::judge(&root, plan, Verify::Metadata);
            // Ctrl-C reaches cargo too: its failure then is the interruption, not a refusal.
            if cancel.as_ref().is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst)) {
                let message = "interrupted; nothing was written";
                said.1 = Some(Error::new(ErrorKind::Interrupted, message));
                return Err(message.to_owned());
            }
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
    let sync = Options {
        prune: options.prune,
        diff: options.diff,
        renames: prepared.renames,
        others: prepared.others,
        accept,
        affirmed,
        write_conflicts: options.write_conflicts,
        verify: Some(verifier(Arc::clone(&prepared.loaded), build)),
        judge: Some(judge),
        cancel: options.cancel.clone(),
        // Read inside `apply`'s lock, by the plan it makes there: the tree as it is then.
        facts: Some(crate::facts::reader()),
        history: Some(crate::history::history(project.root(), project.templates())),
    };
    let (renames, others) = (sync.renames.clone(), sync.others.clone());
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
                && dir.is_some_and(|d| e.path.ends_with(&format!(" -> {d}")))
        })
    };
    let done: Vec<Rename> = renames.into_iter().filter(|r| moved_to(&r.to)).collect();
    let old_names = old_names(project.root(), spec, &done, &others);
    Ok(Applied { loaded: Arc::unwrap_or_clone(prepared.loaded), report, judged, old_names })
}

/// The source files of each renamed crate's dependents (and of the members the spec does not
/// declare, whose edges it does not know) that still use its old name, found by reading every
/// `.rs` file under their folders (`target` folders aside).
fn old_names(
    root: &Path,
    spec: &trellis_spec::Spec,
    renames: &[Rename],
    others: &[String],
) -> Vec<OldName> {
    let mut out = Vec::new();
    for rename in renames.iter().filter(|r| r.from != r.to) {
        let old = rename.from.replace('-', "_");
        let dependents = spec
            .crates
            .iter()
            .filter(|c| c.depends.iter().any(|(_, to)| to.name == rename.to))
            .map(|c| c.path.clone())
            .chain(others.iter().cloned());
        let mut files = Vec::new();
        for dir in dependents {
            rust_files(&root.join(&dir), &mut files);
        }
        files.sort();
        files.dedup();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            if !uses_crate(&text, &old) {
                continue;
            }
            let rel = file.strip_prefix(root).unwrap_or(&file);
            let path =
                rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
            let (from, to) = (rename.from.clone(), rename.to.clone());
            out.push(OldName { path: path.join("/"), from, to });
        }
    }
    out
}

/// Every `.rs` file under `dir`, `target` folders and hidden ones aside.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        match entry.file_type() {
            Ok(t) if t.is_dir() && name != "target" && !name.starts_with('.') => {
                rust_files(&path, out);
            }
            Ok(t) if t.is_file() && name.ends_with(".rs") => out.push(path),
            _ => {}
        }
    }
}

/// Whether Rust source names crate `name` as a path's first segment (`name::`), in a `use`
/// or in an `extern crate`.
fn uses_crate(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + name.len()..];
        if before.is_some_and(ident) || after.chars().next().is_some_and(ident) {
            return false;
        }
        let head = text[..at].trim_end();
        let last_word = |s: &str| s.rsplit(|c: char| !ident(c)).next().unwrap_or("").to_owned();
        let word = last_word(head);
        let extern_crate =
            word == "crate" && last_word(head[..head.len() - word.len()].trim_end()) == "extern";
        // `name::…`, but not `other::name::…`.
        let path = after.trim_start().starts_with("::") && !head.ends_with("::");
        path || word == "use" || extern_crate
    })
}

/// The ledger's affirmed fingerprints after this `apply`: those of requirements the spec
/// still has, and one for each requirement a person's test now claims that had none, of the
/// text that test was written against (the spec Trellis last applied, or else today's). From
/// then on, a change of the requirement's text makes it suspect until it is affirmed again.
/// `None` (keep the ledger's) for a spec without requirements: nothing to read then.
fn made_real(
    project: &Project,
    loaded: &Loaded,
) -> Result<Option<BTreeMap<String, String>>, Error> {
    use trellis_trace::Status;
    if !trellis_trace::findings::possible(&loaded.spec) {
        return Ok(None);
    }
    let root = project.root();
    let ledger = Ledger::load(root)?;
    let known = crate::inspect::affirmed(root)?;
    let inputs = trellis_trace::TraceInputs { results: None, affirmed: &known };
    let report = trellis_trace::trace_with(&loaded.spec, root, &inputs)?;
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
    for r in report.crates.iter().flat_map(|c| &c.requirements) {
        if matches!(r.status, Status::Pending | Status::Lost) || next.contains_key(&r.id) {
            continue;
        }
        if let Some(fingerprint) = known.get(&r.id).or(r.fingerprint.as_ref()) {
            next.insert(r.id.clone(), fingerprint.clone());
        }
    }
    Ok(Some(next))
}

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

/// A spec rendered, ready to plan or apply.
struct Prepared {
    /// Shared with `apply`'s verifier.
    loaded: Arc<Loaded>,
    files: Vec<PlannedFile>,
    renames: Vec<Rename>,
    /// Members the spec does not declare, where a crate moves or is renamed (see
    /// [`Options::others`]).
    others: Vec<String>,
}

/// Loads the spec, checks what can be checked of its external sources, renders it.
fn prepare(project: &Project) -> Result<Prepared, Error> {
    let loaded = project.load()?;
    check_external_sources(&loaded, project.root())?;
    refuse_created_binaries(&loaded, Some(project.root()))?;
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
    let others = undeclared_manifests(project.root(), &loaded.spec)?;
    Ok(Prepared { loaded: Arc::new(loaded), files, renames, others })
}

/// The folders of manifests the spec does not declare, when a crate of the spec moves (or is
/// renamed) since the ledger: the workspace's other members, as cargo lists them, and every
/// other package under the root (`target` and hidden folders aside): their paths and entries
/// must follow it. Looks only then.
fn undeclared_manifests(root: &Path, spec: &trellis_spec::Spec) -> Result<Vec<String>, Error> {
    let ledger = Ledger::load(root)?;
    let moves = spec.crates.iter().any(|c| {
        let was = c.renamed_from.as_ref().map_or(c.name.as_str(), |from| from.name.as_str());
        ledger.crate_dir(was).is_some_and(|dir| dir != c.path || was != c.name.as_str())
    });
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

/// Why cargo does not see a workspace as its spec declares it.
enum Mismatch {
    /// `cargo metadata --no-deps` failed: cargo cannot load the workspace.
    Metadata(trellis_check::MetadataError),
    /// Cargo loads it, but its members or edges differ from the spec: the findings.
    Graph(trellis_check::Checked),
}

impl Mismatch {
    /// The findings as plain text, for an error message.
    fn message(&self) -> String {
        match self {
            Mismatch::Metadata(e) => format!("{e}\nhint: {}", e.hint()),
            Mismatch::Graph(checked) => anstream::adapter::strip_str(
                crate::render_diagnostics(&checked.diagnostics, &checked.sources).trim_end(),
            )
            .to_string(),
        }
    }

    /// The findings, each as `code: message`: what tells one mismatch from another.
    fn findings(&self) -> Vec<String> {
        match self {
            Mismatch::Metadata(e) => vec![e.to_string()],
            Mismatch::Graph(checked) => checked
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code.id, d.message))
                .collect(),
        }
    }
}

/// Reads a workspace back through `cargo metadata --no-deps`: cargo must load it, and its
/// members and internal edges must be exactly the spec's.
fn cargo_sees_spec(loaded: &Loaded, root: &Path) -> Result<(), Mismatch> {
    let cargo = trellis_check::Cargo::from_env();
    let metadata = trellis_check::read_metadata(root, &cargo).map_err(Mismatch::Metadata)?;
    let checked =
        trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, Default::default());
    if checked.diagnostics.is_empty() { Ok(()) } else { Err(Mismatch::Graph(checked)) }
}

/// The verifier `apply` runs: cargo must load the result, and see no difference from the spec
/// that was not there before the run. A difference that was there before (a crate a person
/// added, an orphan kept without pruning, a key a person holds in a conflict) is theirs, not
/// the run's; when cargo could not load the workspace before either, for the same reason (a
/// person's broken manifest), that is not the run's doing either.
///
/// With `build` (`--verify build`), `cargo check` must find no error in the result that it
/// did not find before the run; the first such error is kept in `build` for the caller.
fn verifier(loaded: Arc<Loaded>, build: Option<Arc<Mutex<Option<String>>>>) -> Verifier {
    Verifier::with_baseline(move |root: &Path| -> Check {
        let before = cargo_sees_spec(&loaded, root).err();
        let errors_before = build.as_ref().map(|_| crate::judge::check_tree(root));
        let loaded = Arc::clone(&loaded);
        let build = build.clone();
        Box::new(move |root: &Path| {
            if let (Some(found), Some(errors_before)) = (build, errors_before) {
                let before = errors_before.map_err(|e| e.to_string())?;
                let after = crate::judge::check_tree(root).map_err(|e| e.to_string())?;
                if let Some(first) = crate::judge::introduced(&before, &after) {
                    let message =
                        format!("`cargo check` finds an error the change introduced:\n{first}");
                    *found.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(first);
                    return Err(message);
                }
            }
            let Err(after) = cargo_sees_spec(&loaded, root) else { return Ok(()) };
            let refused = match (&before, &after) {
                (None, _) => true,
                // Cargo loads it now: whatever it sees that was not there before is the run's.
                (Some(Mismatch::Graph(_)), Mismatch::Graph(_)) => {
                    let seen = before.as_ref().map(Mismatch::findings).unwrap_or_default();
                    after.findings().iter().any(|f| !seen.contains(f))
                }
                // It could not load it before: loading it now is no step back.
                (Some(Mismatch::Metadata(_)), Mismatch::Graph(_)) => false,
                (Some(was), Mismatch::Metadata(_)) => !crate::judge::same_message(
                    &was.findings().join("\n"),
                    &after.findings().join("\n"),
                ),
            };
            if refused { Err(after.message()) } else { Ok(()) }
        })
    })
}

/// A new workspace holds exactly the spec's edges, so the only finding an `[[allow]]` can
/// excuse there is a declared normal or build edge up the layers. One that excuses nothing
/// would fail `check` (C012) in the workspace `new` is about to write: refused before writing.
fn refuse_idle_allowances(loaded: &Loaded) -> Result<(), Error> {
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

/// Checks what can be checked of the spec's external dependencies without the network: one
/// by `path` must lead to a package, from the workspace root at `root` (which need not exist
/// yet), and one from a `registry` needs that registry configured for cargo (the
/// `CARGO_REGISTRIES_<NAME>_INDEX` variable, or `[registries.<name>]` in a cargo config file
/// cargo reads for the workspace). Refused before anything is written, as cargo would refuse
/// the workspace after.
fn check_external_sources(loaded: &Loaded, root: &Path) -> Result<(), Error> {
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
fn refuse_created_binaries(loaded: &Loaded, root: Option<&Path>) -> Result<(), Error> {
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

#[cfg(test)]
mod tests {
    use super::uses_crate;

    #[test]
    fn a_crate_is_used_by_name_as_a_paths_head_a_use_or_an_extern_crate() {
        for text in [
            "use core_types::answer;",
            "fn f() { core_types :: answer() }",
            "pub use core_types;",
            "extern crate core_types;",
            "extern   crate\ncore_types as c;",
        ] {
            assert!(uses_crate(text, "core_types"), "{text}");
        }
        for text in
            ["my_core_types::x", "crate::core_types::x", "let core_types = 1;", "reuse core_types"]
        {
            assert!(!uses_crate(text, "core_types"), "{text}");
        }
    }
}
