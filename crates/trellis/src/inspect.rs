//! `check`, `trace`, `graph` and `infer`: the workspace read, never written.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use trellis_check::graph::{self, Graph};
use trellis_check::infer::{InferError, Sources};
use trellis_check::{Cargo, Checked, Names, Workspace};
use trellis_trace::{Policy, Status, TraceInputs, TraceReport};

use crate::{Error, Loaded, Project, Results, StageError};

/// What [`check`] is asked.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Fail on requirements whose test is still the pending one, skipped or suspect, too (as
    /// the spec's `[check] pending-requirements = "deny"` and `suspect-requirements = "deny"`
    /// do).
    pub strict: bool,
    /// The test results failing requirements are found by: by default those of the last
    /// `trace --run`, if any ([`Results::Last`]).
    pub results: Results,
    /// Follow each `[[forbid]] uses` rule through every path of the graph cargo resolved
    /// (offline, from the lock file), not only through direct dependencies.
    pub deep: bool,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions { strict: false, results: Results::Last, deep: false }
    }
}

/// Compares the spec with the workspace as cargo sees it (`cargo metadata --no-deps`, run
/// once), and the requirements with the code.
///
/// The requirements' trace reads every source file, so it runs only for a spec that has
/// requirements, and then on another thread while cargo runs, which leaves this process idle:
/// `check` costs what the slower of the two costs.
///
/// # Errors
///
/// Input: no folder at the root, the spec is missing or has errors. Environment: cargo
/// cannot load the workspace (its message, and a hint), a file cannot be read.
pub fn check(project: &Project, options: &CheckOptions) -> Result<Checked, Error> {
    check_with_workspace(project, options).map(|(checked, _)| checked)
}

/// [`check`], and the workspace as cargo sees it, from the same `cargo metadata`.
pub(crate) fn check_with_workspace(
    project: &Project,
    options: &CheckOptions,
) -> Result<(Checked, Workspace), Error> {
    let root = project.root();
    if !root.is_dir() {
        return Err(Error::input(format!("there is no folder at `{}`", root.display())));
    }
    let loaded = project.load()?;
    refuse_unfinished(root)?;
    // The trace's costly half (the ledger's fingerprints, every source file) runs beside
    // cargo, whose metadata says the target folder where the last results are kept.
    let possible = trellis_trace::findings::possible(&loaded.spec);
    let scan = || -> Result<_, Error> {
        let affirmed = affirmed(root)?;
        Ok((trellis_trace::Scanned::read_beside_cargo(&loaded.spec, root)?, affirmed))
    };
    let (metadata, scanned) = std::thread::scope(|scope| {
        let scanned = possible.then(|| scope.spawn(scan));
        let metadata = if options.deep {
            trellis_check::read_deep(root, &Cargo::from_env())
        } else {
            trellis_check::read_resolved(root, &Cargo::from_env())
        };
        let scanned = scanned
            .map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .transpose();
        (metadata, scanned)
    });
    // Cargo's failure comes first: a workspace cargo cannot load is what needs fixing.
    let trellis_check::Resolved { metadata, warning } = metadata?;
    let mut judged_by = None;
    let report = match scanned? {
        // No requirement to judge; files given are still read, so that a bad one is said.
        None if matches!(options.results, Results::Files(_)) => {
            let results = crate::results::load(project, &options.results, None, None)?;
            judged_by = results.map(|(_, from)| from);
            None
        }
        None => None,
        Some((scanned, affirmed)) => {
            // The same results `trace` reads, found the same way: one source.
            let target = metadata.target_directory.as_std_path();
            let results = crate::results::load(project, &options.results, Some(target), None)?;
            let (results, from) = results.unzip();
            judged_by = from;
            let inputs = TraceInputs { results: results.as_ref(), affirmed: &affirmed };
            Some(scanned.judge(&inputs))
        }
    };
    let names = Names { spec_file: &loaded.file, root: project.shown_root() };
    let workspace = Workspace::from_metadata(&metadata);
    let resolve =
        if options.deep { trellis_check::Resolve::from_metadata(&metadata) } else { None };
    let checked = trellis_check::check_model_with(
        &loaded.spec,
        &loaded.text,
        &workspace,
        names,
        resolve.as_ref(),
    );
    let mut diagnostics = loaded.warnings.clone();
    diagnostics.extend(checked.diagnostics);
    if let Some(report) = report {
        let policy = Policy {
            strict: options.strict,
            deny_suspect: loaded.spec.check.deny_suspect_requirements,
        };
        let mut found = trellis_trace::findings_with(&loaded.spec, &report, policy);
        // The trace names files relative to the workspace root; name them as check does.
        trellis_trace::findings::relocate(&mut found, names.spec_file, names.root);
        diagnostics.extend(found);
    }
    let mut sources = checked.sources;
    // Findings of the trace may point into source files not read yet.
    for file in diagnostics.iter().filter_map(|d| d.file.as_deref()) {
        if sources.contains_key(file) {
            continue;
        }
        let relative = match project.shown_root() {
            "" => file,
            shown => file.strip_prefix(shown).map_or(file, |f| f.trim_start_matches('/')),
        };
        if let Ok(text) = std::fs::read_to_string(root.join(relative)) {
            sources.insert(file.to_owned(), text);
        }
    }
    let notes = warning.into_iter().chain(checked.notes).collect();
    Ok((
        Checked { diagnostics, sources, notes, results: judged_by, layout: checked.layout },
        workspace,
    ))
}

/// The workspace at `root` as cargo sees it (a `[patch]` that leads to a member included),
/// with no spec.
pub(crate) fn read_workspace(root: &Path) -> Result<Workspace, Error> {
    refuse_unfinished(root)?;
    let metadata = trellis_check::read_resolved(root, &Cargo::from_env())?.metadata;
    Ok(Workspace::from_metadata(&metadata))
}

/// Refuses to read a workspace an interrupted `apply` left half-changed (its journal is
/// there): what cargo says of it, a failure included, is about that half, not about the
/// person's manifests, and the next `apply` puts it back first.
fn refuse_unfinished(root: &Path) -> Result<(), Error> {
    if !trellis_sync::unfinished(root)? {
        return Ok(());
    }
    Err(Error::env(format!(
        "an `apply` was interrupted in `{}` (`{}` remains): the workspace is half-changed until that run is rolled back\nhint: run `trellis apply` to finish the rollback (it then applies the spec), then check again",
        root.display(),
        trellis_sync::JOURNAL_PATH,
    )))
}

/// What [`trace`] found.
#[derive(Debug)]
pub struct Traced {
    /// The spec it traced.
    pub loaded: Loaded,
    /// Every requirement's status, and the stray ids.
    pub report: TraceReport,
    /// Each requirement affirmed, with the fingerprint recorded.
    pub affirmed: Vec<(String, String)>,
    /// What is worth saying about the results (none of them matched a test here), one line
    /// each.
    pub warnings: Vec<String>,
}

impl Traced {
    /// The report with every file it names shown as [`Project::show`] shows it: reached from
    /// where the user stands, for people (JSON keeps them workspace-relative).
    pub fn show_paths(&mut self, project: &Project) {
        if project.shown_root().is_empty() {
            return;
        }
        for krate in &mut self.report.crates {
            krate.path = project.show(&krate.path);
            for r in &mut krate.requirements {
                let places = r.tests.iter_mut().map(|t| &mut t.place).chain(&mut r.elsewhere);
                for place in places {
                    place.file = project.show(&place.file);
                }
            }
        }
        for place in self.report.stray.iter_mut().flat_map(|s| &mut s.places) {
            place.file = project.show(&place.file);
        }
    }
}

/// What [`trace`] is asked.
#[derive(Debug, Clone, Default)]
pub struct TraceOptions {
    /// The test results statuses are judged by: by default those the last `trace --run` kept,
    /// if any, as `check` reads them ([`Results::Last`]); without results a requirement a
    /// running test claims is `covered`.
    pub results: Results,
    /// Requirements whose tests a person read against the spec's words and affirms still
    /// meet them: each stops being suspect until its text changes again (its fingerprint goes
    /// into the ledger's `[affirmed]`). Only a requirement a person's test claims can be
    /// affirmed.
    pub affirm: Vec<String>,
    /// Set by the caller (Ctrl-C) to stop a [`Results::Run`]: the run is killed, nothing is
    /// kept, and the error is [`crate::ErrorKind::Interrupted`].
    pub cancel: Option<Arc<AtomicBool>>,
}

/// Follows every requirement of the spec through the crates' files (docs/trace.md), with the
/// test results `options` names and the fingerprints the ledger keeps (a requirement whose
/// text changed since its test was affirmed is suspect), after recording the affirmations
/// `options` asks for. Reports, never judges: [`check`] turns the statuses into findings.
/// The report's `about` says the workspace, when it was made, the commit checked out (in a git
/// checkout) and where the results came from (the kept ones with their age, found in the
/// target folder cargo names, as [`check`] finds them).
///
/// ```no_run
/// let project = trellis::Project::discover(std::env::current_dir()?)?;
/// let traced = trellis::trace(&project, &trellis::TraceOptions::default())?;
/// let totals = traced.report.totals();
/// println!("{} of {} requirements pending", totals.pending, totals.requirements);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: the spec is missing or has errors; a results file that is missing, a folder, or
/// cannot be read as results (each named); an id to affirm that the spec does not have (with
/// the nearest one it has), or that no person's test claims yet. Environment: a file cannot
/// be read, cargo cannot load the workspace for [`Results::Run`] (for [`Results::Last`] that
/// is a warning, and the trace is of the code alone), `cargo test` cannot run, the ledger
/// cannot be written. Interrupted: the cancel flag. The ledger is written only once
/// everything else succeeded.
pub fn trace(project: &Project, options: &TraceOptions) -> Result<Traced, Error> {
    let loaded = project.load()?;
    let texts = requirement_texts(&loaded, &options.affirm)?;
    let root = project.root();
    let mut warnings = Vec::new();
    // The files are read while cargo says which target folder it uses: where the last results
    // are kept, and where a run keeps them.
    let (scanned, target) = std::thread::scope(|scope| {
        let target = options
            .results
            .need_target_dir()
            .then(|| scope.spawn(|| crate::results::target_dir(root)));
        let scanned = if target.is_some() {
            trellis_trace::Scanned::read_beside_cargo(&loaded.spec, root)
        } else {
            trellis_trace::Scanned::read(&loaded.spec, root)
        };
        let target =
            target.map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        (scanned, target)
    });
    let (which, target) = match target.transpose() {
        Ok(target) => (&options.results, target),
        // The code alone still says much: a workspace cargo cannot load has no last results
        // to find, and `check` says why.
        Err(_) if options.results == Results::Last => {
            warnings.push(
                "the last test results cannot be found: cargo cannot load the workspace to say where its target folder is, so statuses come from the code alone\nhint: `trellis check` shows what cargo says"
                    .to_owned(),
            );
            (&Results::None, None)
        }
        Err(e) => return Err(e),
    };
    let scanned = scanned?;
    let results =
        crate::results::load(project, which, target.as_deref(), options.cancel.as_deref())?;
    let (results, from) = results.unzip();
    let mut affirmed = affirmed(root)?;
    let mut report = scanned.judge(&TraceInputs { results: results.as_ref(), affirmed: &affirmed });
    let mut recorded = Vec::new();
    if !texts.is_empty() {
        for (id, fingerprint) in &texts {
            let status = report.requirement(id).map(|r| r.status);
            if matches!(status, Some(Status::Pending | Status::Lost) | None) {
                return Err(Error::input(format!(
                    "requirement `{id}` is {}: no test a person wrote claims it, so there is nothing to affirm; nothing was written\nhint: a requirement is affirmed once its test is real (the pending one made to pass, or one marked `// covers: {id}`)",
                    status.map_or("unknown", Status::as_str)
                )));
            }
            recorded.push((id.clone(), fingerprint.clone()));
        }
        trellis_sync::affirm(root, &texts)?;
        affirmed.extend(texts);
        let inputs = TraceInputs { results: results.as_ref(), affirmed: &affirmed };
        report = trellis_trace::Scanned::read(&loaded.spec, root)?.judge(&inputs);
    }
    if let Some(results) = &results {
        let claimed = || report.crates.iter().flat_map(|c| &c.requirements).flat_map(|r| &r.tests);
        let matched = claimed().any(|t| t.result.is_some());
        let real = claimed().any(|t| !t.ignored);
        if !matched && real {
            warnings.push(format!(
                "none of the {} test results matched a test of this workspace that claims a requirement: statuses come from the code alone",
                results.len()
            ));
        }
    }
    report.about.made = Some(crate::results::seconds_since_epoch(std::time::SystemTime::now()));
    report.about.commit = crate::history::commit(root);
    report.about.results = from;
    Ok(Traced { loaded, report, affirmed: recorded, warnings })
}

/// The text of each requirement to affirm, by id, with its fingerprint.
fn requirement_texts(loaded: &Loaded, ids: &[String]) -> Result<BTreeMap<String, String>, Error> {
    let requirements: BTreeMap<&str, &str> = loaded
        .spec
        .crates
        .iter()
        .flat_map(|c| &c.requirements)
        .map(|r| (r.id.as_str(), r.text.as_str()))
        .collect();
    let mut texts = BTreeMap::new();
    for id in ids {
        let Some(text) = requirements.get(id.as_str()) else {
            let hint = match trellis_spec::closest(id, requirements.keys().copied()) {
                Some(near) => format!("\nhint: did you mean `{near}`?"),
                None => String::new(),
            };
            return Err(Error::input(format!(
                "`{}` has no requirement `{id}`; nothing was written{hint}",
                loaded.file
            )));
        };
        texts.insert(id.clone(), trellis_trace::fingerprint(text));
    }
    Ok(texts)
}

/// Per requirement id, the fingerprint of the text its test was last affirmed against: the
/// ledger's record, or else the text of the spec Trellis last applied (a test made real since
/// was written against that text; `apply` records it for good).
pub(crate) fn affirmed(root: &Path) -> Result<BTreeMap<String, String>, Error> {
    let ledger = trellis_sync::Ledger::load(root)?;
    let mut affirmed = ledger.affirmed().clone();
    for (id, fingerprint) in applied_fingerprints(root, &ledger) {
        affirmed.entry(id).or_insert(fingerprint);
    }
    Ok(affirmed)
}

/// The fingerprint of each requirement's text in the spec Trellis last applied (none where
/// that spec cannot be found or read).
pub(crate) fn applied_fingerprints(
    root: &Path,
    ledger: &trellis_sync::Ledger,
) -> BTreeMap<String, String> {
    let previous = crate::history::applied_spec(root, ledger)
        .and_then(|text| trellis_spec::parse(&text, "").ok());
    previous
        .iter()
        .flat_map(|p| &p.spec.crates)
        .flat_map(|c| &c.requirements)
        .map(|r| (r.id.clone(), trellis_trace::fingerprint(&r.text)))
        .collect()
}

/// Which graph [`graph()`] draws.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum GraphView {
    /// As the spec declares it (no cargo).
    #[default]
    Declared,
    /// As cargo sees it; layers from the spec, when there is one.
    Actual,
    /// Both, marking the crates and edges only one side has.
    Diff,
}

/// What [`graph()`] is asked.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// Which graph.
    pub view: GraphView,
    /// Leave out every normal and build edge a longer path already implies.
    pub reduce: bool,
    /// Draw one layer: its crates, their edges, and one node per other layer its edges reach.
    pub layer: Option<String>,
}

/// The crate graph, ready for [`trellis_check::graph::render`] (Mermaid or dot).
///
/// ```
/// use trellis::trellis_check::graph::{Format, render};
///
/// let dir = tempfile::tempdir()?;
/// let spec = "[workspace]\nname = \"shop\"\n\n[crates.books]\n\n[crates.web]\ndepends = [\"books\"]\n";
/// std::fs::write(dir.path().join("Trellis.toml"), spec)?;
/// let graph = trellis::graph(&trellis::Project::at(dir.path()), &Default::default())?;
/// assert!(render(&graph, Format::Mermaid).contains("web --> books"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: no spec (but for [`GraphView::Actual`]), a spec with errors, a layer the graph does
/// not have. Environment: cargo cannot load the workspace.
pub fn graph(project: &Project, options: &GraphOptions) -> Result<Graph, Error> {
    if !project.root().is_dir() {
        return Err(Error::input(format!("there is no folder at `{}`", project.root().display())));
    }
    let has_spec = project.spec_file().exists();
    if !has_spec && options.view != GraphView::Actual {
        return Err(Error::input(format!(
            "no spec at `{}`\nhint: the actual graph (`trellis graph --actual`) needs no spec; `trellis infer > {}` writes one",
            project.shown_spec_file(),
            project.shown_spec_file(),
        )));
    }
    let spec = if has_spec { Some(project.load()?.spec) } else { None };
    let picture = match (&spec, options.view) {
        (Some(spec), GraphView::Declared) => graph::declared(spec),
        (spec, view) => {
            refuse_unfinished(project.root())?;
            // What cargo builds: a `[patch]` that leads to a member included. When cargo
            // cannot resolve offline, the picture is that of the manifests alone.
            let metadata =
                trellis_check::read_resolved(project.root(), &Cargo::from_env())?.metadata;
            let workspace = Workspace::from_metadata(&metadata);
            match (spec, view) {
                (Some(spec), GraphView::Diff) => graph::diff(spec, &workspace),
                (spec, _) => graph::actual(&workspace, spec.as_ref()),
            }
        }
    };
    let picture = if options.reduce { graph::reduce(&picture) } else { picture };
    match &options.layer {
        None => Ok(picture),
        Some(name) => graph::layer(&picture, name).ok_or_else(|| {
            let hint = match picture.layers.as_slice() {
                [] => "the graph has no layers: they come from the spec's `[layers]`".to_owned(),
                layers => format!("the layers are {}", layers.join(", ")),
            };
            Error::input(format!("there is no layer `{name}`\nhint: {hint}"))
        }),
    }
}

/// What [`infer`] wrote.
#[derive(Debug, Clone)]
pub struct Inferred {
    /// A `Trellis.toml` that describes the workspace as cargo sees it.
    pub text: String,
    /// What was worth saying on the way (a ledger that could not be used), one line each.
    pub warnings: Vec<String>,
}

/// Writes a spec for the workspace around `dir` (cargo finds it, as for `cargo metadata`).
///
/// On a workspace Trellis generated, the modules and requirements are read back from the
/// crates' files, and the name, layers and order from the spec the ledger keeps, so that
/// `apply` with the result changes nothing. Elsewhere, the layers are a suggestion to review.
///
/// ```no_run
/// let inferred = trellis::infer(&std::env::current_dir()?)?;
/// std::fs::write("Trellis.toml", inferred.text)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// Input: there is nothing below the root to declare. Environment: cargo cannot load the
/// workspace.
pub fn infer(dir: &Path) -> Result<Inferred, Error> {
    let cargo = Cargo::from_env();
    // From a member's folder, the workspace cargo finds around it.
    let metadata = match trellis_check::read_metadata(dir, &cargo) {
        Err(trellis_check::MetadataError::NotRoot { root, .. }) => {
            trellis_check::read_metadata(Path::new(&root), &cargo)?
        }
        other => other?,
    };
    let workspace = Workspace::from_metadata(&metadata);
    let name = workspace.root.file_name().unwrap_or("workspace").to_owned();
    let sources = DiskSources { root: workspace.root.as_std_path() };
    // What infer takes from the ledger's spec it takes silently; a spec it cannot use is said.
    let unusable = match trellis_sync::Ledger::load(sources.root) {
        Err(e) => Some(crate::error::chain(&e)),
        Ok(ledger) => crate::history::applied_spec(sources.root, &ledger)
            .filter(|text| trellis_spec::parse(text, trellis_spec::SPEC_FILE).is_err())
            .map(|_| "the spec the ledger keeps does not parse".to_owned()),
    };
    let warnings = unusable
        .map(|why| format!("{why}\nnote: so the system's name, the layers and the order are suggested from the workspace"))
        .into_iter()
        .collect();
    match trellis_check::infer::infer_with(&workspace, &name, &sources) {
        Ok(text) => Ok(Inferred { text, warnings }),
        Err(e @ InferError::NothingToDeclare) => Err(Error::input(format!(
            "{e}\nhint: a spec declares crates in folders below the root; a lone root package cannot be one yet"
        ))
        .caused_by(StageError::Infer(e))),
        Err(e @ InferError::Invalid(_)) => {
            Err(Error::env(format!("{e}\nthis is a bug in Trellis: please report it"))
                .caused_by(StageError::Infer(e)))
        }
    }
}

/// The crates' files, read from disk when `infer` asks for them.
struct DiskSources<'a> {
    root: &'a Path,
}

impl Sources for DiskSources<'_> {
    fn text(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }

    fn is_file(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    fn previous_spec(&self) -> Option<String> {
        // A ledger that cannot be read only means there is nothing to read back.
        let ledger = trellis_sync::Ledger::load(self.root).ok()?;
        crate::history::applied_spec(self.root, &ledger)
    }

    fn rust_files(&self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else { return Vec::new() };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name.ends_with(".rs"))
            .collect();
        names.sort();
        names
    }
}
