//! The trace itself: walk each crate's files once, scan them on every core, match the tests
//! that name requirements with their results, and give every requirement its status.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use trellis_spec::Spec;

use crate::ids::Ids;
use crate::results::{MatchCrate, Matcher, ResultsFrom, TestResults, TestRun};
use crate::status::Status;

mod evidence;
mod walk;

use evidence::*;
use walk::*;

/// One crate to trace: what [`trace`] takes from a [`Spec`], for callers that have no spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The package name.
    pub name: String,
    /// Its folder relative to the workspace root, `/`-separated.
    pub path: String,
    /// The ids of its requirements, in the spec's order.
    pub requirements: Vec<String>,
}

impl Target {
    /// The crates of a spec, in its order.
    pub fn from_spec(spec: &Spec) -> Vec<Target> {
        spec.crates
            .iter()
            .map(|c| Target {
                name: c.name.to_string(),
                path: c.path.clone(),
                requirements: c.requirements.iter().map(|r| r.id.clone()).collect(),
            })
            .collect()
    }
}

/// How a test names a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Naming {
    /// Its function name is the requirement's test name, or starts with it and `_`.
    Name,
    /// A `covers:` comment on it or in it lists the id.
    Marker,
    /// Only a plain comment or a string in it holds the id (the pending test's ignore reason,
    /// say): a mention, not coverage.
    Text,
}

/// A place in a file of the workspace; places sort by file, then position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Place {
    /// The file, relative to the workspace root, `/`-separated.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The bytes of the mention in the file.
    #[serde(skip)]
    pub span: Range<usize>,
    /// The crate whose folder holds the file.
    #[serde(rename = "crate")]
    pub krate: String,
}

impl Ord for Place {
    fn cmp(&self, other: &Place) -> std::cmp::Ordering {
        fn key(p: &Place) -> (&str, usize, usize, &str) {
            (&p.file, p.span.start, p.span.end, &p.krate)
        }
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Place {
    fn partial_cmp(&self, other: &Place) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A test that names a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestRef {
    /// The test function's name.
    pub name: String,
    /// Where the function's name is.
    #[serde(flatten)]
    pub place: Place,
    /// Whether it carries `#[ignore]`.
    pub ignored: bool,
    /// The reason of its `#[ignore = "…"]` as written between the quotes (`pending: CORE-1`);
    /// `None` for a bare `#[ignore]` or a test that is not ignored.
    pub reason: Option<String>,
    /// The strongest way it names the requirement.
    pub via: Naming,
    /// Whether an attribute on it may make a test of each case (`#[rstest]`, `#[test_case]`):
    /// then the results of `<function>::<case>` are its, and one failing case fails it.
    #[serde(skip)]
    pub cases: bool,
    /// Its results, when results were given and some are its.
    pub result: Option<TestRun>,
}

/// One requirement and where the code stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementTrace {
    /// The requirement's id.
    pub id: String,
    /// Its status.
    pub status: Status,
    /// Its text, when traced from a spec.
    pub text: Option<String>,
    /// The [`fingerprint`](crate::fingerprint()) of its text, when traced from a spec: what
    /// `trace --affirm` records.
    pub fingerprint: Option<String>,
    /// The fingerprint a person affirmed its tests against, when one was given.
    pub affirmed: Option<String>,
    /// The tests that name it, ignored or not, by file and line.
    pub tests: Vec<TestRef>,
    /// Mentions outside any test and outside docs (plain comments and strings).
    pub elsewhere: Vec<Place>,
}

/// One crate's requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateTrace {
    /// The package name.
    pub name: String,
    /// Its folder, relative to the workspace root.
    pub path: String,
    /// Its layer, when the spec declares layers.
    pub layer: Option<String>,
    /// Whether the folder is missing (then every requirement is lost, and `check` says why).
    pub missing: bool,
    /// Its requirements, in the spec's order.
    pub requirements: Vec<RequirementTrace>,
}

/// An id written in code that the spec does not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stray {
    /// The id as written.
    pub id: String,
    /// Every place it is written, by file and position.
    pub places: Vec<Place>,
}

/// How many requirements have each status, and how many stray ids there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// All requirements.
    pub requirements: usize,
    /// Covered ones (claimed by a test that runs, but did not run).
    pub covered: usize,
    /// Pending ones.
    pub pending: usize,
    /// Lost ones.
    pub lost: usize,
    /// Passing ones.
    pub passing: usize,
    /// Failing ones.
    pub failing: usize,
    /// Skipped ones.
    pub skipped: usize,
    /// Suspect ones.
    pub suspect: usize,
    /// Distinct stray ids.
    pub stray: usize,
}

/// What a report says of itself: the workspace, when it was made, at which commit, and which
/// test results it was judged by. [`trace_with`] fills `workspace` from the spec; the caller
/// (the engine's `trace`) fills the rest. Each format says what is there and leaves out what
/// is not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct About {
    /// The workspace's name: the spec's `[workspace] name`.
    pub workspace: Option<String>,
    /// When the report was made, in seconds since the Unix epoch.
    pub made: Option<u64>,
    /// The commit checked out, as `git rev-parse --short HEAD` names it, in a git checkout.
    pub commit: Option<String>,
    /// Where the test results came from, when there were any and the caller said.
    pub results: Option<ResultsFrom>,
}

/// What `trace` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceReport {
    /// The spec's layers, lowest first; empty when it declares none.
    pub layers: Vec<String>,
    /// Whether test results were given (then `covered` means "claimed, but did not run").
    pub results: bool,
    /// Every crate of the spec, in its order, even those without requirements.
    pub crates: Vec<CrateTrace>,
    /// Stray ids, sorted.
    pub stray: Vec<Stray>,
    /// How many files were read.
    pub files: usize,
    /// What the report says of itself (workspace, date, commit, where the results came from).
    #[serde(skip)]
    pub about: About,
}

impl TraceReport {
    /// The counts of one crate: its requirements, and the stray ids written in its files.
    pub fn counts(&self, krate: &CrateTrace) -> Counts {
        let mut counts = Counts::default();
        for r in &krate.requirements {
            counts.add(r.status);
        }
        counts.stray =
            self.stray.iter().filter(|s| s.places.iter().any(|p| p.krate == krate.name)).count();
        counts
    }

    /// The counts of the whole workspace.
    pub fn totals(&self) -> Counts {
        let mut counts = Counts::default();
        for r in self.crates.iter().flat_map(|c| &c.requirements) {
            counts.add(r.status);
        }
        counts.stray = self.stray.len();
        counts
    }

    /// The requirement with this id.
    pub fn requirement(&self, id: &str) -> Option<&RequirementTrace> {
        self.crates.iter().flat_map(|c| &c.requirements).find(|r| r.id == id)
    }
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.requirements += 1;
        *self.of_mut(status) += 1;
    }

    /// How many have this status.
    pub fn of(&self, status: Status) -> usize {
        let mut copy = *self;
        *copy.of_mut(status)
    }

    fn of_mut(&mut self, status: Status) -> &mut usize {
        match status {
            Status::Covered => &mut self.covered,
            Status::Pending => &mut self.pending,
            Status::Lost => &mut self.lost,
            Status::Passing => &mut self.passing,
            Status::Failing => &mut self.failing,
            Status::Skipped => &mut self.skipped,
            Status::Suspect => &mut self.suspect,
        }
    }
}

/// What a trace takes besides the code: test results and affirmed fingerprints, both optional.
#[derive(Debug, Clone, Copy)]
pub struct TraceInputs<'a> {
    /// The results of a test run; `None` traces the code alone (nothing passes or fails).
    pub results: Option<&'a TestResults>,
    /// Per requirement id, the [`fingerprint`](crate::fingerprint()) of its text that a person
    /// last affirmed its tests against (the ledger keeps them). A requirement whose test is a
    /// person's and whose text's fingerprint differs from this is suspect; one missing here is
    /// not.
    pub affirmed: &'a BTreeMap<String, String>,
}

/// No affirmed fingerprints.
static NONE_AFFIRMED: BTreeMap<String, String> = BTreeMap::new();

impl Default for TraceInputs<'_> {
    fn default() -> Self {
        TraceInputs { results: None, affirmed: &NONE_AFFIRMED }
    }
}

/// Why a trace could not finish.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// A file could not be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A folder could not be listed.
    #[error("cannot list `{path}`")]
    List {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: walkdir::Error,
    },
}

/// Traces every requirement of a spec through the workspace at `root`, from the code alone.
pub fn trace(spec: &Spec, root: &Path) -> Result<TraceReport, TraceError> {
    trace_with(spec, root, &TraceInputs::default())
}

/// [`trace`] with test results and affirmed fingerprints: statuses then say which
/// requirements pass, fail, or are suspect (see [`Status`]).
pub fn trace_with(
    spec: &Spec,
    root: &Path,
    inputs: &TraceInputs<'_>,
) -> Result<TraceReport, TraceError> {
    Ok(Scanned::read(spec, root)?.judge(inputs))
}

/// [`trace`] for crates given directly rather than through a spec.
///
/// Scans `src/`, `tests/`, `benches/`, `examples/` and `build.rs` of each crate's folder: every
/// `.rs` file once, skipping `target/` folders, the folders of other crates nested inside, and
/// symbolic links. A crate whose folder is missing has all its requirements lost.
pub fn trace_targets(targets: &[Target], root: &Path) -> Result<TraceReport, TraceError> {
    trace_targets_with(targets, root, &TraceInputs::default())
}

/// [`trace_targets`] with test results. Without a spec there are no texts, so nothing is
/// suspect whatever `inputs.affirmed` holds.
pub fn trace_targets_with(
    targets: &[Target],
    root: &Path,
    inputs: &TraceInputs<'_>,
) -> Result<TraceReport, TraceError> {
    Ok(Scanned::read_targets(targets.to_vec(), root)?.judge(inputs))
}

/// What a spec tells a trace beyond its targets.
#[derive(Debug)]
struct Details<'s> {
    workspace: String,
    layers: Vec<String>,
    /// Per target.
    crate_layers: Vec<Option<String>>,
    /// Per target and requirement.
    texts: Vec<Vec<&'s str>>,
}

/// A workspace's files read and scanned, not yet judged by test results: the costly half of
/// a trace (every file read once), which can run while the results are still being found
/// (`check` reads cargo's metadata meanwhile, and with it the target folder where the last
/// results are kept). [`Scanned::judge`] is the other half, which reads no file.
#[derive(Debug)]
pub struct Scanned<'s> {
    targets: Vec<Target>,
    details: Option<Details<'s>>,
    root: PathBuf,
    sources: Vec<Source>,
    missing: Vec<bool>,
    found: Found,
}

impl<'s> Scanned<'s> {
    /// Reads and scans the files of every crate of a spec (see [`trace`]), on every core.
    pub fn read(spec: &'s Spec, root: &Path) -> Result<Scanned<'s>, TraceError> {
        Scanned::read_on(spec, root, 0)
    }

    /// [`Scanned::read`] while cargo runs beside it (`check` asks cargo for the graph at the
    /// same time): on one core fewer, left to cargo, whose metadata works on one. Sharing that
    /// core made `check` of 100 crates with 200 requirements wait about 20 ms more for cargo
    /// on two cores, over 1.2x `cargo metadata` (`cargo xtask bench check`).
    pub fn read_beside_cargo(spec: &'s Spec, root: &Path) -> Result<Scanned<'s>, TraceError> {
        Scanned::read_on(spec, root, 1)
    }

    /// [`Scanned::read`], leaving `spare` cores to other work.
    fn read_on(spec: &'s Spec, root: &Path, spare: usize) -> Result<Scanned<'s>, TraceError> {
        let details = Details {
            workspace: spec.workspace.name.clone(),
            layers: spec.layers.iter().map(|l| l.name.clone()).collect(),
            crate_layers: spec
                .crates
                .iter()
                .map(|c| c.layer.as_deref().map(str::to_owned))
                .collect(),
            texts: spec
                .crates
                .iter()
                .map(|c| c.requirements.iter().map(|r| r.text.as_str()).collect())
                .collect(),
        };
        Scanned::new(Target::from_spec(spec), Some(details), root, spare)
    }

    /// Reads and scans the files of crates given directly (see [`trace_targets`]).
    pub fn read_targets(targets: Vec<Target>, root: &Path) -> Result<Scanned<'s>, TraceError> {
        Scanned::new(targets, None, root, 0)
    }

    fn new(
        targets: Vec<Target>,
        details: Option<Details<'s>>,
        root: &Path,
        spare: usize,
    ) -> Result<Scanned<'s>, TraceError> {
        let known: Vec<&str> =
            targets.iter().flat_map(|t| t.requirements.iter().map(String::as_str)).collect();
        let ids = Ids::new(known);
        let (sources, missing) = list(&targets, root)?;
        let found = scan_all(&targets, root, &sources, &ids, spare)?;
        Ok(Scanned { targets, details, root: root.to_path_buf(), sources, missing, found })
    }

    /// The report: each test that claims a requirement matched with its results, and each
    /// requirement's status, by the results and affirmed fingerprints `inputs` gives.
    pub fn judge(self, inputs: &TraceInputs<'_>) -> TraceReport {
        let Scanned { targets, details, root, sources, missing, found } = self;
        let details = details.as_ref();
        let matcher = inputs.results.map(|results| {
            let binaries = binaries(&targets, &root, &sources);
            let crates: Vec<MatchCrate<'_>> = targets
                .iter()
                .zip(binaries)
                .map(|(t, binaries)| MatchCrate { name: &t.name, binaries })
                .collect();
            let paths: HashMap<&str, &str> =
                targets.iter().map(|t| (t.name.as_str(), t.path.trim_end_matches('/'))).collect();
            (Matcher::new(results, &crates), paths)
        });
        let mut evidence = found.evidence;
        let mut next = 0;
        let crates = targets
            .iter()
            .zip(missing)
            .enumerate()
            .map(|(k, (target, missing))| {
                let requirements = target
                    .requirements
                    .iter()
                    .enumerate()
                    .map(|(j, id)| {
                        let mut e = std::mem::take(&mut evidence[next]);
                        next += 1;
                        if let Some((matcher, paths)) = &matcher {
                            e.match_results(matcher, paths);
                        }
                        let text = details.and_then(|d| d.texts.get(k)?.get(j).copied());
                        e.into_trace(id, text, inputs.affirmed.get(id))
                    })
                    .collect();
                let (name, path) = (target.name.clone(), target.path.clone());
                let layer = details.and_then(|d| d.crate_layers.get(k).cloned().flatten());
                CrateTrace { name, path, layer, missing, requirements }
            })
            .collect();
        let stray = found
            .stray
            .into_iter()
            .map(|(id, mut places)| {
                places.sort();
                places.dedup();
                Stray { id, places }
            })
            .collect();
        let layers = details.map(|d| d.layers.clone()).unwrap_or_default();
        let results = inputs.results.is_some();
        let about = About { workspace: details.map(|d| d.workspace.clone()), ..About::default() };
        TraceReport { layers, results, crates, stray, files: sources.len(), about }
    }
}
