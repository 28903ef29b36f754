//! End-to-end tests of `cargo xtask`: the binary on real specs and real folders, and cargo on
//! what it generates.

mod adopt;
mod adopt_property;
mod branches;
mod build;
mod build_property;
mod cli;
mod diff;
mod formats;
mod fuzz;
mod install;
mod judge;
mod judge_property;
mod lifecycle;
mod living;
mod mermaid;
mod new;
mod proof;
mod property;
mod readback;
mod results;
mod rules;
mod surface;
mod sync;
mod tidy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the xtask binary with arguments, colour off, in `dir` (`cli::xtask` for a run to
/// snapshot).
fn xtask(dir: &Path, args: &[&str]) -> Output {
    command(env!("CARGO_BIN_EXE_xtask"), dir).args(args).output().expect("the xtask binary runs")
}

/// `git` in `dir`, configured for a test whatever the machine's settings: a fixed author, `main`
/// as the first branch, no line-end conversion, no system or user configuration.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args(["-c", "user.name=Trellis Test", "-c", "user.email=test@example.com"])
        .args(["-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    command
}

/// A binary to run in `dir`, colour off whatever the caller's environment says.
fn command(program: &str, dir: &Path) -> Command {
    let mut command = Command::new(program);
    // Help wraps at the terminal's width, 100 columns at most: fixed here.
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("CARGO_TERM_COLOR");
    command
}

/// The process' exit code and its stderr, for assertions that show what went wrong.
fn outcome(output: &Output) -> (Option<i32>, String) {
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// This repository's root.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the repo").to_path_buf()
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("readable entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("under dir");
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}
