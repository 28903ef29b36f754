//! The binary run as a person runs it, each run rendered as one text for a snapshot: where it
//! ran and the command line, the exit code, stdout and stderr, with what differs between
//! machines and runs filtered out (uv's `uv_snapshot!` is the model).
//!
//! ```text
//! [TMP]/ws $ cargo xtask plan --diff
//! exit: 1
//! --- stdout
//! conflict   crates/base/src/lib.rs  (…)
//! --- stderr
//! plan: 1 conflict: …
//! ```
//!
//! A test that runs the binary several times snapshots them together, a blank line between
//! runs, so that one snapshot reads as the session it is.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::LazyLock;

use regex::Regex;

/// One run of the binary: the command line as given, the exit code and both streams, raw.
/// Its `Display` is the filtered text a snapshot holds.
pub(crate) struct Run {
    /// Where it ran.
    pub(crate) dir: PathBuf,
    /// `cargo xtask plan --diff`: how a person types it.
    pub(crate) command: String,
    /// `None` when a signal ended it.
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

/// `cargo xtask ARGS` in `dir`: the `xtask` binary.
pub(crate) fn xtask(dir: &Path, args: &[&str]) -> Run {
    run(env!("CARGO_BIN_EXE_xtask"), "cargo xtask", &[], dir, &[], args)
}

/// `NAME=VALUE… cargo xtask ARGS` in `dir`: with variables set for this run only, shown before
/// the command as a shell shows them.
pub(crate) fn xtask_with(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
    run(env!("CARGO_BIN_EXE_xtask"), "cargo xtask", &[], dir, vars, args)
}

/// `cargo trellis ARGS` in `dir`: the `cargo-trellis` binary as cargo runs an external
/// subcommand, `trellis` its first argument.
pub(crate) fn trellis(dir: &Path, args: &[&str]) -> Run {
    run(env!("CARGO_BIN_EXE_cargo-trellis"), "cargo trellis", &["trellis"], dir, &[], args)
}

/// The binary with colour off twice over: `NO_COLOR=1`, and `--color never` (a global flag,
/// given first and not shown in the command line, as every run has it) unless the test gives
/// `--color` itself.
fn run(
    program: &str,
    shown: &str,
    first: &[&str],
    dir: &Path,
    vars: &[(&str, &str)],
    args: &[&str],
) -> Run {
    let mut command = crate::command(program, dir);
    command.args(first).envs(vars.iter().copied());
    if !args.contains(&"--color") {
        command.args(["--color", "never"]);
    }
    let Output { status, stdout, stderr } = command.args(args).output().expect("the binary runs");
    let words: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
    let vars: String = vars.iter().map(|(k, v)| format!("{k}={} ", shell_word(v))).collect();
    Run {
        dir: dir.to_path_buf(),
        command: format!("{vars}{shown} {}", words.join(" ")).trim_end().to_owned(),
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// An argument as a shell reads it back: quoted when it holds anything but plain characters.
fn shell_word(arg: &str) -> String {
    if !arg.is_empty()
        && arg.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%<>".contains(c))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code =
            self.code.map_or_else(|| "none (a signal ended it)".to_owned(), |c| c.to_string());
        let mut text = format!("{} $ {}\nexit: {code}\n", self.dir.display(), self.command);
        for (name, stream) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            text.push_str(&format!("--- {name}\n{stream}"));
            if !stream.is_empty() && !stream.ends_with('\n') {
                text.push_str("[no final newline]\n");
            }
        }
        f.write_str(&filter(&text))
    }
}

/// What differs between machines and runs, each with what it is shown as. Few and explicit:
/// every one hides something a reviewer then cannot see.
static FILTERS: LazyLock<Vec<(Regex, &str)>> = LazyLock::new(|| {
    let mut filters = Vec::new();
    // A test's temporary folder (`tempfile`'s `.tmpXXXXXX` in the system's), as given and as
    // resolved (`/var` is `/private/var` on macOS). First: the system's may be in the repo.
    for temp in spellings(&std::env::temp_dir()) {
        let pattern = format!(r"{}/\.tmp[0-9A-Za-z]{{6}}", regex::escape(&temp));
        filters.push((Regex::new(&pattern).unwrap(), "[TMP]"));
    }
    for repo in spellings(&crate::repo_root()) {
        filters.push((Regex::new(&regex::escape(&repo)).unwrap(), "[REPO]"));
    }
    // The process id in the name of the folder `new` builds in (`.ws.trellis-<pid>-<n>`).
    filters.push((Regex::new(r"\.trellis-[0-9]+-").unwrap(), ".trellis-[PID]-"));
    // How long ago `trace --run` kept the results `check` and `trace` judge by.
    filters.push((Regex::new(r"kept [0-9]+ (s|min|h|days) ago").unwrap(), "kept [AGE] ago"));
    // When a report was made, or its results kept (UTC).
    filters
        .push((Regex::new(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC").unwrap(), "[DATE]"));
    // The commit a report was made at, should the system's temporary folder be in a checkout.
    filters.push((Regex::new(r"commit (`|<code>)[0-9a-f]{4,}").unwrap(), "commit $1[COMMIT]"));
    filters
});

/// A folder as given and as resolved, without a trailing separator, longest first.
fn spellings(dir: &Path) -> Vec<String> {
    let trimmed = |p: &Path| p.display().to_string().trim_end_matches('/').to_owned();
    let mut all = vec![trimmed(dir)];
    if let Ok(resolved) = dir.canonicalize() {
        all.push(trimmed(&resolved));
    }
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    all.dedup();
    all
}

/// `text` with every filter applied, in order.
pub(crate) fn filter(text: &str) -> String {
    FILTERS
        .iter()
        .fold(text.to_owned(), |text, (re, with)| re.replace_all(&text, *with).into_owned())
}

/// Runs as one text, a blank line between them: a session, for one snapshot.
pub(crate) fn session<'a>(runs: impl IntoIterator<Item = &'a Run>) -> String {
    runs.into_iter().map(|run| run.to_string()).collect::<Vec<_>>().join("\n")
}
