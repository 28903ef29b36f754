//! Test results for `trace` and `check`: read from a file, run now, or kept from the last run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use trellis_trace::TestResults;

use crate::{Error, ErrorKind, Project};

/// Which test results a requirement's status is judged by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Results {
    /// None: claims alone (a requirement a running test claims is `covered`).
    #[default]
    None,
    /// Those of the last [`Results::Run`] in this workspace, if it kept any: what `check`
    /// reads by default. They are as old as that run.
    Last,
    /// A report in a file: JUnit XML as `cargo nextest` writes it, or what `cargo test`
    /// printed (stdout and stderr together).
    File(PathBuf),
    /// Run the workspace's tests now (`cargo test --workspace --no-fail-fast`, stable, no
    /// flags of nightly), and keep what they printed as the last results.
    Run,
}

/// Where the last run's output is kept: `<target>/trellis/cargo-test.txt`, where `<target>` is
/// `CARGO_TARGET_DIR` or the workspace's `target` folder, so that it never reaches git.
pub fn last_results_path(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root.join(dir) })
        .unwrap_or_else(|| root.join("target"));
    target.join("trellis").join("cargo-test.txt")
}

/// The results `which` names; `None` when there are none to judge by. `cancel` stops a run.
pub(crate) fn load(
    project: &Project,
    which: &Results,
    cancel: Option<&AtomicBool>,
) -> Result<Option<TestResults>, Error> {
    match which {
        Results::None => Ok(None),
        Results::Last => {
            let path = last_results_path(project.root());
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some(TestResults::from_libtest(&text))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::env(format!(
                    "cannot read the last test results at `{}`: {e}\nhint: `trellis trace --run` runs the tests again and keeps their results",
                    path.display()
                ))),
            }
        }
        Results::File(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::input(format!("no results at `{shown}`")),
                std::io::ErrorKind::InvalidData => Error::input(format!(
                    "`{shown}` is not UTF-8 text: give a JUnit XML report or what `cargo test` printed"
                )),
                _ => Error::env(format!("cannot read `{shown}`: {e}")),
            })?;
            // A byte-order mark is no part of either format.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if text.trim_start().starts_with('<') {
                TestResults::from_junit(text)
                    .map(Some)
                    .map_err(|e| Error::input(format!("`{shown}`: {e}")))
            } else {
                Ok(Some(TestResults::from_libtest(text)))
            }
        }
        Results::Run => run(project.root(), cancel).map(Some),
    }
}

/// Runs the workspace's tests, stdout and stderr into one file in the order cargo writes them
/// (the `Running` lines that tie a test to its crate go to stderr), and keeps that file as the
/// last results once the run is over.
fn run(root: &Path, cancel: Option<&AtomicBool>) -> Result<TestResults, Error> {
    let kept = last_results_path(root);
    let dir = kept.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::env(format!("cannot create `{}`: {e}", dir.display())))?;
    let running = dir.join(format!("cargo-test.{}.txt", std::process::id()));
    let file = std::fs::File::create(&running)
        .map_err(|e| Error::env(format!("cannot write `{}`: {e}", running.display())))?;
    let both = file.try_clone().map_err(|e| Error::env(format!("cannot share a file: {e}")))?;
    let cargo = trellis_check::Cargo::from_env().program;
    // Quiet output (`[term] quiet`, `CARGO_TERM_QUIET`) has no line per test to read.
    let child = Command::new(&cargo)
        .args(["test", "--workspace", "--no-fail-fast", "--color", "never"])
        .env("CARGO_TERM_QUIET", "false")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(both)
        .spawn();
    let status = child.and_then(|mut child| wait(&mut child, cancel));
    let output = std::fs::read_to_string(&running);
    let status = match status {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = std::fs::remove_file(&running);
            return Err(Error::new(
                ErrorKind::Interrupted,
                "interrupted: `cargo test` was stopped, and no results were kept",
            ));
        }
        Err(e) => {
            let _ = std::fs::remove_file(&running);
            return Err(Error::env(format!("cannot run `{}`: {e}", cargo.to_string_lossy())));
        }
    };
    let output = output.map_err(|e| Error::env(format!("cannot read what cargo printed: {e}")))?;
    let results = TestResults::from_libtest(&output);
    if results.is_empty() && !status.success() {
        let _ = std::fs::remove_file(&running);
        let tail: Vec<&str> = output.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(Error::env(format!(
            "`cargo test` failed before any test ran ({status}):\n{}",
            tail.join("\n")
        )));
    }
    std::fs::rename(&running, &kept)
        .map_err(|e| Error::env(format!("cannot keep the results at `{}`: {e}", kept.display())))?;
    Ok(results)
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
