//! Test results for `trace` and `check`: read from files, run now, or kept from the last run in
//! the target folder cargo uses.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use trellis_trace::{ResultsFrom, TestResults};

use crate::{Error, ErrorKind, Project};

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
    target_dir.join("trellis").join("cargo-test.txt")
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
            let unreadable = |e: std::io::Error| {
                Error::env(format!(
                    "cannot read the last test results at `{}`: {e}\nhint: `trellis trace --run` runs the tests again and keeps their results",
                    path.display()
                ))
            };
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(unreadable(e)),
            };
            let modified =
                std::fs::metadata(&path).and_then(|m| m.modified()).map_err(unreadable)?;
            let packages = read_executables(&executables_path(&path));
            let results = TestResults::from_libtest(&text).with_executables(&packages);
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
        Results::Run => run(project.root(), target()?, cancel).map(|r| Some((r, ResultsFrom::Run))),
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
        _ => Error::env(format!("cannot read `{shown}`: {e}")),
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

/// Runs the workspace's tests, stdout and stderr into one file in the order cargo writes them
/// (the `Running` lines that tie a test to its crate go to stderr), and keeps that file as the
/// last results once the run is over.
fn run(root: &Path, target: &Path, cancel: Option<&AtomicBool>) -> Result<TestResults, Error> {
    let kept = last_results_path(target);
    let dir = kept.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::env(format!("cannot create `{}`: {e}", dir.display())))?;
    let packages = build(root, dir, cancel)?;
    let running = dir.join(format!("cargo-test.{}.txt", std::process::id()));
    let args = ["test", "--workspace", "--no-fail-fast", "--color", "never"];
    let status = cargo_into(root, &args, &running, true, cancel)?;
    let output = std::fs::read_to_string(&running).map_err(|e| {
        let _ = std::fs::remove_file(&running);
        Error::env(format!("cannot read what cargo printed: {e}"))
    })?;
    let results = TestResults::from_libtest(&output).with_executables(&packages);
    if results.is_empty() && !status.success() {
        let _ = std::fs::remove_file(&running);
        let tail: Vec<&str> = output.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(Error::env(format!(
            "`cargo test` failed before any test ran ({status}):\n{}",
            tail.join("\n")
        )));
    }
    let table: String =
        packages.iter().map(|(exe, package)| format!("{exe}\t{package}\n")).collect();
    std::fs::write(executables_path(&kept), table)
        .and_then(|()| std::fs::rename(&running, &kept))
        .map_err(|e| Error::env(format!("cannot keep the results at `{}`: {e}", kept.display())))?;
    Ok(results)
}

/// Where the package of each test binary of the last run is kept: beside its output.
fn executables_path(kept: &Path) -> PathBuf {
    kept.with_extension("executables")
}

/// The package of each test binary, as [`build`] kept them (`<file name>\t<package>` a line).
fn read_executables(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(exe, package)| (exe.to_owned(), package.to_owned()))
        .collect()
}

/// Builds the test binaries (`cargo test --workspace --no-run --message-format json`) and
/// returns the package of each, by its file name (`requirements-de8f…`): what tells two
/// crates' binaries of the same name apart in the run's output, which names neither package.
/// A build that fails gives none; the run that follows says why.
fn build(
    root: &Path,
    dir: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<BTreeMap<String, String>, Error> {
    let messages = dir.join(format!("cargo-test-build.{}.json", std::process::id()));
    let args = ["test", "--workspace", "--no-run", "--message-format", "json", "--color", "never"];
    cargo_into(root, &args, &messages, false, cancel)?;
    let text = std::fs::read_to_string(&messages).unwrap_or_default();
    let _ = std::fs::remove_file(&messages);
    let mut packages = BTreeMap::new();
    for line in text.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let (Some(executable), Some(id)) =
            (message["executable"].as_str(), message["package_id"].as_str())
        else {
            continue;
        };
        let file = Path::new(executable).file_name().and_then(|f| f.to_str()).unwrap_or("");
        let file = file.strip_suffix(".exe").unwrap_or(file);
        if let Some(name) = package_name(id) {
            packages.insert(file.to_owned(), name);
        }
    }
    Ok(packages)
}

/// A package's name from its id as cargo prints it: `path+file:///ws/crates/beta#0.1.0` (the
/// folder's name is the package's), `path+file:///ws/crates/x#beta@0.1.0`, or before cargo
/// 1.77 `beta 0.1.0 (path+file:///ws/crates/beta)` (cargo's `PackageIdSpec`).
fn package_name(id: &str) -> Option<String> {
    if let Some((name, _)) = id.split_once(' ') {
        return Some(name.to_owned());
    }
    let (url, fragment) = id.rsplit_once('#')?;
    match fragment.split_once('@') {
        Some((name, _)) => Some(name.to_owned()),
        None => url.trim_end_matches('/').rsplit('/').next().map(str::to_owned),
    }
}

/// Runs cargo with `args` in `root`, its stdout (and its stderr too, when `both`: one file in
/// the order cargo writes them) into the file `out`. Cargo's quiet mode (`[term] quiet`,
/// `CARGO_TERM_QUIET`) is turned off: it prints no line per test. Once `cancel` is set, cargo
/// is killed, `out` removed, and the error is [`ErrorKind::Interrupted`].
fn cargo_into(
    root: &Path,
    args: &[&str],
    out: &Path,
    both: bool,
    cancel: Option<&AtomicBool>,
) -> Result<ExitStatus, Error> {
    let file = std::fs::File::create(out)
        .map_err(|e| Error::env(format!("cannot write `{}`: {e}", out.display())))?;
    let stderr = match both {
        true => Stdio::from(
            file.try_clone().map_err(|e| Error::env(format!("cannot share a file: {e}")))?,
        ),
        false => Stdio::null(),
    };
    let cargo = trellis_check::Cargo::from_env().program;
    let status = Command::new(&cargo)
        .args(args)
        .env("CARGO_TERM_QUIET", "false")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(stderr)
        .spawn()
        .and_then(|mut child| wait(&mut child, cancel));
    match status {
        Ok(Some(status)) => Ok(status),
        Ok(None) => {
            let _ = std::fs::remove_file(out);
            Err(Error::new(
                ErrorKind::Interrupted,
                "interrupted: `cargo test` was stopped, and no results were kept",
            ))
        }
        Err(e) => {
            let _ = std::fs::remove_file(out);
            Err(Error::env(format!("cannot run `{}`: {e}", cargo.to_string_lossy())))
        }
    }
}

/// Waits for the child, or kills it once `cancel` is set (`None` then).
fn wait(child: &mut Child, cancel: Option<&AtomicBool>) -> std::io::Result<Option<ExitStatus>> {
    let Some(cancel) = cancel else { return child.wait().map(Some) };
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if cancel.load(Ordering::SeqCst) {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn a_package_id_names_its_package_in_every_form_cargo_prints() {
        let name = |id| package_name(id);
        assert_eq!(name("path+file:///ws/crates/beta#0.1.0").as_deref(), Some("beta"));
        assert_eq!(name("path+file:///ws/crates/x#beta@0.1.0").as_deref(), Some("beta"));
        assert_eq!(name("beta 0.1.0 (path+file:///ws/crates/beta)").as_deref(), Some("beta"));
        assert_eq!(
            name("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0").as_deref(),
            Some("serde")
        );
        assert_eq!(name("nonsense"), None);
    }
}
