//! The trace itself: walk each crate's files once, scan them on every core, match the tests
//! that name requirements with their results, and give every requirement its status.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use trellis_spec::Spec;
use walkdir::WalkDir;

use crate::fingerprint::fingerprint;
use crate::ids::{Id, Ids};
use crate::results::{Binary, MatchCrate, Matcher, ResultsFrom, TestResults, TestRun, locate};
use crate::scan::{self, Via};
use crate::status::Status;

/// Folders of a crate that hold Rust code, relative to the crate's folder.
const CODE_DIRS: [&str; 4] = ["src", "tests", "benches", "examples"];

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
    /// Reads and scans the files of every crate of a spec (see [`trace`]).
    pub fn read(spec: &'s Spec, root: &Path) -> Result<Scanned<'s>, TraceError> {
        let details = Details {
            workspace: spec.workspace.name.clone(),
            layers: spec.layers.iter().map(|l| l.name.clone()).collect(),
            crate_layers: spec.crates.iter().map(|c| c.layer.clone()).collect(),
            texts: spec
                .crates
                .iter()
                .map(|c| c.requirements.iter().map(|r| r.text.as_str()).collect())
                .collect(),
        };
        Scanned::new(Target::from_spec(spec), Some(details), root)
    }

    /// Reads and scans the files of crates given directly (see [`trace_targets`]).
    pub fn read_targets(targets: Vec<Target>, root: &Path) -> Result<Scanned<'s>, TraceError> {
        Scanned::new(targets, None, root)
    }

    fn new(
        targets: Vec<Target>,
        details: Option<Details<'s>>,
        root: &Path,
    ) -> Result<Scanned<'s>, TraceError> {
        let known: Vec<&str> =
            targets.iter().flat_map(|t| t.requirements.iter().map(String::as_str)).collect();
        let ids = Ids::new(known);
        let (sources, missing) = list(&targets, root)?;
        let found = scan_all(&targets, root, &sources, &ids)?;
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

/// Per target, the binaries its files show (`tests/it/main.rs` shows the test `it`), so that a
/// result that names only its binary can be told to be one crate's.
fn binaries(targets: &[Target], root: &Path, sources: &[Source]) -> Vec<Vec<Binary>> {
    let mut out: Vec<HashSet<Binary>> = vec![HashSet::new(); targets.len()];
    for (t, path) in sources {
        let crate_dir = root.join(&targets[*t].path);
        let Ok(inside) = path.strip_prefix(&crate_dir) else { continue };
        let parts: Vec<String> =
            inside.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if let Some((binary, _)) = locate(&parts.join("/"))
            && binary != Binary::Unit
        {
            out[*t].insert(binary);
        }
    }
    out.into_iter().map(|set| set.into_iter().collect()).collect()
}

/// A file to scan: the index of its crate in the targets, and its path.
type Source = (usize, PathBuf);

/// Lists the files of every crate, in the order of the targets and of the walks, and which
/// crates' folders are missing.
fn list(targets: &[Target], root: &Path) -> Result<(Vec<Source>, Vec<bool>), TraceError> {
    // Only when one crate's folder is inside another's must a walk look out for it (the spec
    // forbids it; other callers may not).
    let paths: HashSet<&str> = targets.iter().map(|t| t.path.trim_end_matches('/')).collect();
    let nested = paths.iter().any(|p| p.match_indices('/').any(|(i, _)| paths.contains(&p[..i])));
    let crate_roots: HashSet<PathBuf> = match nested {
        true => targets.iter().map(|t| root.join(&t.path)).collect(),
        false => HashSet::new(),
    };
    let mut sources = Vec::new();
    let mut missing = vec![false; targets.len()];
    for (t, target) in targets.iter().enumerate() {
        let crate_dir = root.join(&target.path);
        // One walk per crate: its code folders and build script, nothing else.
        // A crate folder that is a link is not followed either: it may lead out of the workspace.
        let walk = WalkDir::new(&crate_dir).follow_links(false).follow_root_links(false);
        let walk = walk.into_iter().filter_entry(|e| {
            let name = e.file_name();
            let is_dir = e.file_type().is_dir();
            match e.depth() {
                0 => true,
                _ if nested && is_dir && crate_roots.contains(e.path()) => false,
                1 if is_dir => CODE_DIRS.iter().any(|d| name == *d),
                1 => name == "build.rs",
                _ => !(is_dir && name == "target"),
            }
        });
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) if e.depth() == 0 && is_not_found(&e) => {
                    missing[t] = true;
                    break;
                }
                Err(source) => {
                    let path = source.path().unwrap_or(&crate_dir).to_path_buf();
                    return Err(TraceError::List { path, source });
                }
            };
            if entry.depth() > 0
                && entry.file_type().is_file()
                && entry.path().extension().is_some_and(|x| x == "rs")
            {
                sources.push((t, entry.into_path()));
            }
        }
    }
    Ok((sources, missing))
}

/// Files a worker takes at a time: enough that taking them costs nothing, few enough that the
/// workers finish together.
const FILES_PER_TAKE: usize = 16;

/// What the files say about each requirement, and the stray ids in them.
#[derive(Debug)]
struct Found {
    /// Per requirement, in the order of [`Ids::known`].
    evidence: Vec<Evidence>,
    stray: BTreeMap<String, Vec<Place>>,
}

impl Found {
    fn new(requirements: usize) -> Found {
        Found { evidence: vec![Evidence::default(); requirements], stray: BTreeMap::new() }
    }

    /// Adds what another worker found. Order does not matter: every list is sorted before it is
    /// reported, and no two workers read the same file.
    fn merge(&mut self, other: Found) {
        for (mine, theirs) in self.evidence.iter_mut().zip(other.evidence) {
            mine.tests.extend(theirs.tests);
            mine.elsewhere.extend(theirs.elsewhere);
        }
        for (id, places) in other.stray {
            self.stray.entry(id).or_default().extend(places);
        }
    }
}

/// Reads and scans every file, on every core. Reading is most of the cost, and a file's scan
/// depends on that file alone. The error reported is the first in the order of `sources`,
/// whichever worker met it, so a run fails the same way each time.
fn scan_all(
    targets: &[Target],
    root: &Path,
    sources: &[Source],
    ids: &Ids<'_>,
) -> Result<Found, TraceError> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = threads.min(sources.len().div_ceil(FILES_PER_TAKE)).max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut found = Found::new(ids.known.len());
        let mut failed: Option<(usize, TraceError)> = None;
        let mut scratch = scan::FileScan::default();
        let mut buf = Vec::new();
        loop {
            let start = next.fetch_add(FILES_PER_TAKE, Ordering::Relaxed);
            if start >= sources.len() {
                break;
            }
            for (i, (t, path)) in sources.iter().enumerate().skip(start).take(FILES_PER_TAKE) {
                let len = match read_into(path, &mut buf) {
                    Ok(len) => len,
                    Err(source) => {
                        if failed.as_ref().is_none_or(|(j, _)| i < *j) {
                            failed = Some((i, TraceError::Read { path: path.clone(), source }));
                        }
                        continue;
                    }
                };
                let src = &buf[..len];
                if !ids.may_hold_id(src) {
                    continue;
                }
                scan::scan_file(src, ids, &mut scratch);
                if scratch.hits.is_empty() {
                    continue;
                }
                let target = &targets[*t];
                let file = relative(&target.path, &root.join(&target.path), path);
                record(&target.name, &file, src, &mut scratch, &mut found);
            }
        }
        (found, failed)
    };
    let results: Vec<(Found, Option<(usize, TraceError)>)> = if threads == 1 {
        vec![work()]
    } else {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        })
    };
    let mut all = Found::new(ids.known.len());
    let mut first_error: Option<(usize, TraceError)> = None;
    for (found, failed) in results {
        all.merge(found);
        if let Some((i, e)) = failed
            && first_error.as_ref().is_none_or(|(j, _)| i < *j)
        {
            first_error = Some((i, e));
        }
    }
    match first_error {
        Some((_, e)) => Err(e),
        None => Ok(all),
    }
}

/// Reads a whole file into `buf` (grown as needed, never shrunk) and returns its length.
///
/// `read_to_end` on a `File` asks for the size and position first; reading into a buffer kept
/// across files needs neither, and a file is read with as few system calls as a file can be.
fn read_into(path: &Path, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut file = std::fs::File::open(path)?;
    if buf.len() < 64 * 1024 {
        buf.resize(64 * 1024, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn is_not_found(e: &walkdir::Error) -> bool {
    e.io_error().is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound)
}

/// The path of a file of a crate relative to the workspace root, `/`-separated: the crate's
/// path as the spec gives it, then the file's path inside the crate's folder.
fn relative(crate_path: &str, crate_dir: &Path, path: &Path) -> String {
    let inside = path.strip_prefix(crate_dir).unwrap_or(path);
    let mut out = String::with_capacity(crate_path.len() + 1 + inside.as_os_str().len());
    out.push_str(crate_path);
    for part in inside.components() {
        out.push('/');
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

/// What was found about one requirement so far.
#[derive(Debug, Clone, Default)]
struct Evidence {
    tests: Vec<TestRef>,
    elsewhere: Vec<Place>,
}

impl Evidence {
    /// Gives each test that runs its results.
    fn match_results(&mut self, matcher: &Matcher<'_>, paths: &HashMap<&str, &str>) {
        for t in &mut self.tests {
            if t.ignored || t.via == Naming::Text {
                continue;
            }
            let Some(crate_path) = paths.get(t.place.krate.as_str()) else { continue };
            let inside = t
                .place
                .file
                .strip_prefix(crate_path)
                .and_then(|f| f.strip_prefix('/'))
                .unwrap_or(&t.place.file);
            t.result = matcher.find(&t.place.krate, inside, &t.name, t.cases);
        }
    }

    fn into_trace(
        mut self,
        id: &str,
        text: Option<&str>,
        affirmed: Option<&String>,
    ) -> RequirementTrace {
        self.tests.sort_by(|a, b| a.place.cmp(&b.place));
        self.elsewhere.sort();
        let fingerprint = text.map(fingerprint);
        let reworded = matches!((&fingerprint, affirmed), (Some(now), Some(then)) if now != then);
        let status = crate::status::status(&self.tests, &self.elsewhere, reworded);
        RequirementTrace {
            id: id.to_owned(),
            status,
            text: text.map(str::to_owned),
            fingerprint,
            affirmed: affirmed.cloned(),
            tests: self.tests,
            elsewhere: self.elsewhere,
        }
    }
}

/// Files the hits of one file under their requirements (or as strays).
fn record(krate: &str, file: &str, src: &[u8], scanned: &mut scan::FileScan, found: &mut Found) {
    let Found { evidence, stray } = found;
    // Taken out (and put back, empty) so that the tests and their tokens can be read meanwhile.
    let mut hits = std::mem::take(&mut scanned.hits);
    let reasons = |t: usize| scan::ignore_reason(src, scanned, t);
    let tests = &scanned.tests;
    hits.sort_by_key(|h| h.span.start);
    let mut lines = LineCounter::default();
    // Per requirement and test of this file: the index of its entry in `evidence[..].tests`.
    // A file names few requirements, so a list beats a map.
    let mut seen: Vec<((usize, usize), usize)> = Vec::new();
    for hit in hits.drain(..) {
        let place = |span: Range<usize>, lines: &mut LineCounter| {
            let (line, column) = lines.at(src, span.start);
            Place { file: file.to_owned(), line, column, span, krate: krate.to_owned() }
        };
        match hit.id {
            Id::Stray(id) => {
                let p = place(hit.span, &mut lines);
                stray.entry(id).or_default().push(p);
            }
            Id::Known(req) => {
                let via = match hit.via {
                    Via::Doc => continue,
                    Via::Text => Naming::Text,
                    Via::Marker => Naming::Marker,
                    Via::Name => Naming::Name,
                };
                let Some(t) = hit.test else {
                    let p = place(hit.span, &mut lines);
                    evidence[req].elsewhere.push(p);
                    continue;
                };
                let e = &mut evidence[req];
                if let Some(&(_, k)) = seen.iter().find(|(key, _)| *key == (req, t)) {
                    e.tests[k].via = e.tests[k].via.min(via);
                    continue;
                }
                let test = &tests[t];
                let p = place(test.name_span.clone(), &mut lines);
                seen.push(((req, t), e.tests.len()));
                e.tests.push(TestRef {
                    name: test.name(src).to_owned(),
                    place: p,
                    ignored: test.ignored,
                    reason: reasons(t).map(str::to_owned),
                    via,
                    cases: test.cases,
                    result: None,
                });
            }
        }
    }
    scanned.hits = hits;
}

/// Turns byte offsets into lines and columns, for offsets that mostly grow.
#[derive(Debug, Default)]
struct LineCounter {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineCounter {
    fn at(&mut self, src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        if offset < self.offset || self.line == 0 {
            *self = LineCounter { offset: 0, line: 1, line_start: 0 };
        }
        for (k, &b) in src[self.offset..offset].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + k + 1;
            }
        }
        self.offset = offset;
        let column = src[self.line_start..offset].iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        (self.line, column + 1)
    }
}
