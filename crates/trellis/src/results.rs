//! Test results for `trace` and `check`: read from a file, run now, or kept from the last run.

use std::collections::BTreeMap;
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
                Ok(text) => {
                    let packages = read_executables(&executables_path(&path));
                    Ok(Some(TestResults::from_libtest(&text).with_executables(&packages)))
                }
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
