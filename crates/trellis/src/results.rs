//! Test results for `trace` and `check`: read from files, run now, or kept from the last run in
//! the target folder cargo uses.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use trellis_check::TestRunError;
use trellis_trace::{ResultsFrom, TestResults};

use crate::{Error, ErrorKind, Project, StageError};

/// Which test results a requirement's status is judged by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Results {
    /// None: claims alone (a requirement a running test claims is `covered`).
    None,
    /// Those of the last [`Results::Run`] in this workspace, if it kept any: what `check` and
    /// `trace` read by default. They are as old as that run.
    #[default]
    Last,
    /// Reports in files, read together (one per shard of a CI run, say): JUnit XML as
    /// `cargo nextest` writes it, or what `cargo test` printed (stdout and stderr together).
    Files(Vec<PathBuf>),
    /// Run the workspace's tests now (`cargo test --workspace --no-fail-fast`, stable, no
    /// flags of nightly), and keep what they printed as the last results.
    Run,
}

impl Results {
    /// Whether finding these results takes the target folder cargo uses (where the last run's
    /// results are kept): [`target_dir`] tells it.
    pub fn need_target_dir(&self) -> bool {
        matches!(self, Results::Last | Results::Run)
    }
}

/// The target folder cargo uses for the workspace at `root`, as cargo itself says
/// (`cargo metadata --no-deps`'s `target_directory`): `CARGO_TARGET_DIR`, `build.target-dir`
/// in any `.cargo/config.toml` cargo reads, or the workspace's `target/`.
///
/// # Errors
///
/// Input: no folder at `root`. Environment: cargo cannot load the workspace.
pub fn target_dir(root: &Path) -> Result<PathBuf, Error> {
    let metadata = trellis_check::read_metadata(root, &trellis_check::Cargo::from_env())?;
    Ok(metadata.target_directory.into_std_path_buf())
}

/// Where the last run's output is kept: `<target>/trellis/cargo-test.txt`, in the target
/// folder cargo uses ([`target_dir`]), so that it never reaches git and is never a second
/// `target/`.
pub fn last_results_path(target_dir: &Path) -> PathBuf {
    trellis_check::kept_results_path(target_dir)
}

/// What a person is told when the requirements are judged by the results the last
/// `trace --run` kept, and how old they are (`check` and `trace` alike, whatever the format):
/// `judging requirements by the results `trellis trace --run` kept 2 hours ago`, its command
/// for [`crate::Invocation::render`]. `None` for other results.
pub fn kept_results_note(from: Option<&ResultsFrom>) -> Option<String> {
    let Some(ResultsFrom::Kept { age, .. }) = from else { return None };
    Some(format!(
        "judging requirements by the results `trellis trace --run` kept {} ago",
        trellis_trace::format::ago(*age)
    ))
}

/// The results `which` names, with where they came from; `None` when there are none to judge
/// by. `target` is the target folder cargo uses ([`target_dir`]), which [`Results::Last`] and
/// [`Results::Run`] need. `cancel` stops a run.
pub(crate) fn load(
    project: &Project,
    which: &Results,
    target: Option<&Path>,
    cancel: Option<&AtomicBool>,
) -> Result<Option<(TestResults, ResultsFrom)>, Error> {
    let target = || {
        target.ok_or_else(|| {
            Error::env("the target folder of the workspace is unknown: this is a bug in Trellis")
        })
    };
    match which {
        Results::None => Ok(None),
        Results::Last => {
            let path = last_results_path(target()?);
            let kept = trellis_check::read_kept(&path).map_err(|e| {
                let message = format!(
                    "cannot read the last test results at `{}`: {e}\nhint: `trellis trace --run` runs the tests again and keeps their results",
                    path.display()
                );
                Error::env(message).caused_by(StageError::Io(e))
            })?;
            let Some((results, modified)) = kept else { return Ok(None) };
            let from = ResultsFrom::Kept {
                file: path.display().to_string(),
                written: seconds_since_epoch(modified),
                age: modified.elapsed().map_or(0, |d| d.as_secs()),
            };
            Ok(Some((results, from)))
        }
        Results::Files(paths) => {
            let mut all = TestResults::default();
            for path in paths {
                all.extend(read_file(path)?.results().iter().cloned());
            }
            let shown = paths.iter().map(|p| p.display().to_string()).collect();
            Ok(Some((all, ResultsFrom::Files(shown))))
        }
        Results::Run => {
            let kept = last_results_path(target()?);
            let cargo = trellis_check::Cargo::from_env();
            let results = trellis_check::run_tests(project.root(), &cargo, &kept, cancel)
                .map_err(run_error)?;
            Ok(Some((results, ResultsFrom::Run)))
        }
    }
}

/// A time as seconds since the Unix epoch (0 for one before it).
pub(crate) fn seconds_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The results in one file a person named: JUnit XML (it starts with `<`, after any byte-order
/// mark), or what `cargo test` printed. A file that is neither is the caller's input to fix,
/// named.
fn read_file(path: &Path) -> Result<TestResults, Error> {
    let shown = path.display();
    let expected = "give a JUnit XML report (as `cargo nextest` writes it) or what `cargo test` printed (stdout and stderr together)";
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::input(format!("no results at `{shown}`: no such file"))
        }
        std::io::ErrorKind::InvalidData => {
            Error::input(format!("`{shown}` is not UTF-8 text: {expected}"))
        }
        std::io::ErrorKind::IsADirectory => {
            Error::input(format!("`{shown}` is a folder, not a file of results: {expected}"))
        }
        _ => Error::env(format!("cannot read `{shown}`: {e}")).caused_by(StageError::Io(e)),
    })?;
    // A byte-order mark is no part of either format.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim_start().starts_with('<') {
        TestResults::from_junit(text).map_err(|e| Error::input(format!("`{shown}`: {e}")))
    } else if TestResults::is_libtest_output(text) {
        Ok(TestResults::from_libtest(text))
    } else {
        Err(Error::input(format!(
            "`{shown}` holds no test results: it is neither JUnit XML nor what `cargo test` printed (no `running N tests`, `test result:` or `Running` line)\nhint: {expected}"
        )))
    }
}

/// A run of the tests that gave no results, as the engine's error: interrupted, or the
/// environment's.
fn run_error(e: TestRunError) -> Error {
    let kind = match e {
        TestRunError::Interrupted => ErrorKind::Interrupted,
        _ => ErrorKind::Environment,
    };
    Error::new(kind, e.to_string()).caused_by(StageError::TestRun(e))
}
