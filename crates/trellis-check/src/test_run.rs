//! `cargo test` run on a workspace, for a trace to judge requirements by, and its output kept
//! in cargo's target folder for the next `trace` and `check`.
//!
//! What cargo printed is read by `trellis-trace` ([`TestResults::from_libtest`]); cargo's own
//! JSON messages ([`cargo_metadata::Message`]) say which package each test binary is of.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use cargo_metadata::Message;
use trellis_trace::TestResults;

use crate::Cargo;

/// Why a run of the tests gave no results.
#[derive(Debug, thiserror::Error)]
pub enum TestRunError {
    /// A file or folder of the run could not be made, written or read.
    #[error("cannot {action}: {source}")]
    Io {
        /// What was being done, with the path: "create `…`", "read what cargo printed".
        action: String,
        /// Why.
        source: std::io::Error,
    },
    /// Cargo could not be started.
    #[error("cannot run `{program}`: {source}")]
    Spawn {
        /// The program tried.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The caller's cancel flag stopped the run; cargo was killed and nothing was kept.
    #[error("interrupted: `cargo test` was stopped, and no results were kept")]
    Interrupted,
    /// Cargo failed before any test ran (a build error): its last lines.
    #[error("`cargo test` failed before any test ran ({status}):\n{tail}")]
    NothingRan {
        /// How cargo exited.
        status: ExitStatus,
        /// The last lines it printed.
        tail: String,
    },
}

impl TestRunError {
    fn io(action: String) -> impl FnOnce(std::io::Error) -> TestRunError {
        move |source| TestRunError::Io { action, source }
    }
}

/// Where the last run's output is kept: `<target>/trellis/cargo-test.txt`, in the target
/// folder cargo uses, so that it never reaches git and is never a second `target/`.
pub fn kept_results_path(target_dir: &Path) -> PathBuf {
    target_dir.join("trellis").join("cargo-test.txt")
}

/// The results the last [`run_tests`] kept at `kept` ([`kept_results_path`]), with when they
/// were written; `None` when there are none.
///
/// # Errors
///
/// The file is there but cannot be read.
pub fn read_kept(kept: &Path) -> Result<Option<(TestResults, SystemTime)>, std::io::Error> {
    let text = match std::fs::read_to_string(kept) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let modified = std::fs::metadata(kept).and_then(|m| m.modified())?;
    let packages = read_executables(&executables_path(kept));
    Ok(Some((TestResults::from_libtest(&text).with_executables(&packages), modified)))
}

/// Runs the workspace's tests (`cargo test --workspace --no-fail-fast`, stdout and stderr into
/// one file in the order cargo writes them: the `Running` lines that tie a test to its crate go
/// to stderr), and keeps that file at `kept` once the run is over. Once `cancel` is set, cargo
/// is killed and nothing is kept.
///
/// # Errors
///
/// See [`TestRunError`].
pub fn run_tests(
    root: &Path,
    cargo: &Cargo,
    kept: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<TestResults, TestRunError> {
    let dir = kept.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)
        .map_err(TestRunError::io(format!("create `{}`", dir.display())))?;
    let packages = build(root, cargo, dir, cancel)?;
    let running = dir.join(format!("cargo-test.{}.txt", std::process::id()));
    let args = ["test", "--workspace", "--no-fail-fast", "--color", "never"];
    let status = cargo_into(root, cargo, &args, &running, true, cancel)?;
    let output = std::fs::read_to_string(&running).map_err(|e| {
        let _ = std::fs::remove_file(&running);
        TestRunError::io("read what cargo printed".to_owned())(e)
    })?;
    let results = TestResults::from_libtest(&output).with_executables(&packages);
    if results.is_empty() && !status.success() {
        let _ = std::fs::remove_file(&running);
        let tail: Vec<&str> = output.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(TestRunError::NothingRan { status, tail: tail.join("\n") });
    }
    let table: String =
        packages.iter().map(|(exe, package)| format!("{exe}\t{package}\n")).collect();
    std::fs::write(executables_path(kept), table)
        .and_then(|()| std::fs::rename(&running, kept))
        .map_err(TestRunError::io(format!("keep the results at `{}`", kept.display())))?;
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
    cargo: &Cargo,
    dir: &Path,
    cancel: Option<&AtomicBool>,
) -> Result<BTreeMap<String, String>, TestRunError> {
    let messages = dir.join(format!("cargo-test-build.{}.json", std::process::id()));
    let args = ["test", "--workspace", "--no-run", "--message-format", "json", "--color", "never"];
    cargo_into(root, cargo, &args, &messages, false, cancel)?;
    let text = std::fs::read(&messages).unwrap_or_default();
    let _ = std::fs::remove_file(&messages);
    let mut packages = BTreeMap::new();
    for message in Message::parse_stream(text.as_slice()).map_while(Result::ok) {
        let Message::CompilerArtifact(artifact) = message else { continue };
        let Some(executable) = artifact.executable else { continue };
        let file = executable.file_name().unwrap_or("");
        let file = file.strip_suffix(".exe").unwrap_or(file);
        if let Some(name) = package_name(&artifact.package_id.repr) {
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
/// is killed, `out` removed, and the error is [`TestRunError::Interrupted`].
fn cargo_into(
    root: &Path,
    cargo: &Cargo,
    args: &[&str],
    out: &Path,
    both: bool,
    cancel: Option<&AtomicBool>,
) -> Result<ExitStatus, TestRunError> {
    let file = std::fs::File::create(out)
        .map_err(TestRunError::io(format!("write `{}`", out.display())))?;
    let stderr = match both {
        true => Stdio::from(file.try_clone().map_err(TestRunError::io("share a file".to_owned()))?),
        false => Stdio::null(),
    };
    let status = Command::new(&cargo.program)
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
            Err(TestRunError::Interrupted)
        }
        Err(source) => {
            let _ = std::fs::remove_file(out);
            Err(TestRunError::Spawn {
                program: cargo.program.to_string_lossy().into_owned(),
                source,
            })
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
