//! Test results for `trace` and `check`: read from a file, run now, or kept from the last run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use trellis_trace::TestResults;

use crate::{Error, Project};

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

/// The results `which` names; `None` when there are none to judge by.
pub(crate) fn load(project: &Project, which: &Results) -> Result<Option<TestResults>, Error> {
    match which {
        Results::None => Ok(None),
        Results::Last => match std::fs::read_to_string(last_results_path(project.root())) {
            Ok(text) => Ok(Some(TestResults::from_libtest(&text))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::env(format!("cannot read the last test results: {e}"))),
        },
        Results::File(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::input(format!("no results at `{shown}`")),
                std::io::ErrorKind::InvalidData => Error::input(format!(
                    "`{shown}` is not UTF-8 text: give a JUnit XML report or what `cargo test` printed"
                )),
                _ => Error::env(format!("cannot read `{shown}`: {e}")),
            })?;
            if text.trim_start().starts_with('<') {
                TestResults::from_junit(&text)
                    .map(Some)
                    .map_err(|e| Error::input(format!("`{shown}`: {e}")))
            } else {
                Ok(Some(TestResults::from_libtest(&text)))
            }
        }
        Results::Run => run(project.root()).map(Some),
    }
}

/// Runs the workspace's tests, stdout and stderr into one file in the order cargo writes them
/// (the `Running` lines that tie a test to its crate go to stderr), and keeps that file as the
/// last results once the run is over.
fn run(root: &Path) -> Result<TestResults, Error> {
    let kept = last_results_path(root);
    let dir = kept.parent().unwrap_or(root);
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::env(format!("cannot create `{}`: {e}", dir.display())))?;
    let running = dir.join(format!("cargo-test.{}.txt", std::process::id()));
    let file = std::fs::File::create(&running)
        .map_err(|e| Error::env(format!("cannot write `{}`: {e}", running.display())))?;
    let both = file.try_clone().map_err(|e| Error::env(format!("cannot share a file: {e}")))?;
    let cargo = trellis_check::Cargo::from_env().program;
    let status = Command::new(&cargo)
        .args(["test", "--workspace", "--no-fail-fast", "--color", "never"])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(file)
        .stderr(both)
        .status();
    let output = std::fs::read_to_string(&running);
    let status = status.map_err(|e| {
        let _ = std::fs::remove_file(&running);
        Error::env(format!("cannot run `{}`: {e}", cargo.to_string_lossy()))
    })?;
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
