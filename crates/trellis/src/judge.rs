//! Cargo as the judge of a plan: the result staged in an overlay beside the workspace and
//! loaded by cargo before anything is written, the same way for `plan` and `apply`.
//!
//! The overlay mirrors the workspace root where cargo meets the same ancestor
//! `.cargo/config.toml` files and reaches the same paths outside the workspace (see
//! [`Overlay`]); only the folders on the way to a staged file are real there: every other
//! entry is a link to the real one.
//! A refusal counts only when the unchanged tree, judged the same way, loads (or fails
//! otherwise): a breakage already there is the person's. The crate whose change cargo refuses
//! is found by judging again without it, and only its changes are held back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

use trellis_sync::{Effect, Held, Plan};

use crate::Error;

mod early;
mod overlay;

pub(crate) use early::Early;
pub(crate) use overlay::memory_folder;
use overlay::{Overlay, Staged};

/// How hard cargo is asked (`--verify`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Verify {
    /// Cargo must load the result: `cargo metadata`, with dependencies resolved offline from
    /// the lock file where it can, else `--no-deps`.
    #[default]
    Metadata,
    /// And build it: `cargo check --workspace --all-targets`, offline; only errors the change
    /// introduced count.
    Build,
}

/// Which question cargo answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `cargo metadata --offline`, dependencies resolved from the lock file.
    Resolved,
    /// `cargo metadata --no-deps --offline`: cargo cannot resolve offline (its sources are not all here).
    Manifests,
    /// `cargo check --workspace --all-targets --offline`.
    Build,
}

impl Level {
    /// The level's name in JSON: `metadata`, `metadata-no-deps`, `build`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Resolved => "metadata",
            Level::Manifests => "metadata-no-deps",
            Level::Build => "build",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Resolved => "`cargo metadata` with dependencies, offline",
            Level::Manifests => {
                "`cargo metadata --no-deps` (cargo cannot resolve offline: its sources are not all here)"
            }
            Level::Build => "`cargo check --workspace --all-targets`, offline",
        })
    }
}

/// What cargo said of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Judged {
    /// The strongest question cargo answered; `None` when nothing cargo reads changes, so it
    /// was not asked.
    pub level: Option<Level>,
    /// Cargo's message when it refused the change, paths as in the workspace. A refusal of
    /// `cargo metadata` holds back the culprit's entries (conflicts in the plan); one of
    /// `cargo check` refuses the whole run.
    pub refusal: Option<String>,
    /// Why cargo could not be asked although the result changes what it reads (no folder can
    /// be made beside the workspace): `apply` then relies on its check after writing.
    pub unjudged: Option<String>,
}

/// Judges `plan` against the workspace at `root` and returns the entries to hold back.
/// With [`Verify::Build`], what is left is then built in the overlay too.
pub(crate) fn judge(
    root: &Path,
    plan: &Plan,
    verify: Verify,
) -> Result<(Vec<Held>, Judged), Error> {
    // A workspace not made yet has nothing to stage a change in (`apply` refuses it; `new`
    // verifies what it makes itself).
    if !root.is_dir() || !wanted(plan, verify) {
        return Ok((Vec::new(), Judged::default()));
    }
    let root = fs::canonicalize(root).map_err(|e| io_error("resolve", root, e))?;
    let overlay = match Overlay::new(&root) {
        Ok(overlay) => overlay,
        Err(e) => {
            return Ok((Vec::new(), Judged { unjudged: Some(e.to_string()), ..Judged::default() }));
        }
    };
    let trial = Trial { root: &root, plan, overlay: &overlay };
    let (held, mut judged) = trial.metadata()?;
    if verify == Verify::Build && judged.refusal.is_none() {
        let skip: BTreeSet<usize> = indices(plan, &held);
        judged.level = Some(Level::Build);
        judged.refusal = trial.build(&skip)?;
    }
    Ok((held, judged))
}

/// Whether cargo's refusal is only that it cannot reach what it needs offline: a package the
/// local index does not know, a download, a git source. (Cargo adds "you're using offline mode"
/// to every failure to resolve offline, a version no member meets included: that sentence
/// alone says nothing.) The phrases are cargo's own, from its registry and git sources.
fn needs_network(message: &str) -> bool {
    const OFFLINE_ONLY: [&str; 5] = [
        "no matching package named",
        "attempting to make an HTTP request, but --offline was specified",
        "failed to download",
        "can't checkout from",
        "Unable to update",
    ];
    OFFLINE_ONLY.iter().any(|phrase| message.contains(phrase))
}

/// Whether the plan changes anything cargo's answer at `verify` depends on: a file cargo
/// reads ([`trellis_sync::cargo_reads`]), a deletion, a move; for a build, any change.
fn wanted(plan: &Plan, verify: Verify) -> bool {
    plan.entries.iter().any(|e| match (e.effect(), verify) {
        (Effect::Nothing, _) => false,
        (_, Verify::Build) => true,
        (Effect::Move { .. } | Effect::Delete, _) => true,
        (Effect::Write(_), _) => trellis_sync::cargo_reads(&e.path),
    })
}

fn indices(plan: &Plan, held: &[Held]) -> BTreeSet<usize> {
    plan.entries
        .iter()
        .enumerate()
        .filter(|(_, e)| held.iter().any(|h| h.path == e.path))
        .map(|(i, _)| i)
        .collect()
}

/// One judgement: the workspace, the plan, the overlay it is staged in.
struct Trial<'a> {
    root: &'a Path,
    plan: &'a Plan,
    overlay: &'a Overlay,
}

/// Cargo's answer: `Err` holds its message, paths as in the workspace.
type Answer = Result<(), String>;

impl Trial<'_> {
    /// Level 1: `cargo metadata`, with the baseline and the culprit search.
    fn metadata(&self) -> Result<(Vec<Held>, Judged), Error> {
        let everything = BTreeSet::new();
        // With dependencies even without a lock file: cargo resolves a workspace of path
        // dependencies offline all the same (in the overlay, where it may write one), and only
        // resolving sees a cycle through a person's edges, a version no member meets.
        let mut level = Level::Resolved;
        let pass = |level| Ok((Vec::new(), Judged { level: Some(level), ..Judged::default() }));
        let mut answer = self.load(&everything, level)?;
        // Resolution that needs what is not here offline says nothing about the change.
        if level == Level::Resolved && answer.as_ref().is_err_and(|m| needs_network(m)) {
            level = Level::Manifests;
            answer = self.load(&everything, level)?;
        }
        if answer.is_ok() {
            return pass(level);
        }
        let mut baseline = self.baseline(level)?;
        if level == Level::Resolved && baseline.as_ref().is_err_and(|m| needs_network(m)) {
            // The unchanged tree does not resolve offline either, for want of what is not
            // here: judge the manifests alone. (A person's breakage of another kind is
            // judged as it is: only a refusal the change adds counts.)
            level = Level::Manifests;
            answer = self.load(&everything, level)?;
            if answer.is_ok() {
                return pass(level);
            }
            baseline = self.baseline(level)?;
        }
        let Err(message) = answer else { return pass(level) };
        // The same refusal without the change: the person's, not the change's.
        if same_refusal(&baseline, &message) {
            return pass(level);
        }
        let culprits = self.culprits(level, &baseline, &message)?;
        let short = essence(&message);
        let held = culprits
            .iter()
            .filter(|&&i| self.plan.entries[i].writes())
            .map(|&i| Held { path: self.plan.entries[i].path.clone(), reason: short.clone() })
            .collect();
        Ok((held, Judged { level: Some(level), refusal: Some(message), unjudged: None }))
    }

    /// The unchanged tree, judged the same way.
    fn baseline(&self, level: Level) -> Result<Answer, Error> {
        let all: BTreeSet<usize> = (0..self.plan.entries.len()).collect();
        self.load(&all, level)
    }

    /// Cargo's refusal of the plan without the entries in `held`, when it is not what it
    /// refuses of the unchanged tree too.
    fn refusal(
        &self,
        held: &BTreeSet<usize>,
        level: Level,
        baseline: &Answer,
    ) -> Result<Option<String>, Error> {
        Ok(match self.load(held, level)? {
            Ok(()) => None,
            Err(m) => (!same_refusal(baseline, &m)).then_some(m),
        })
    }

    /// The entries to hold back: those of the crate (or the fewest crates, the root manifest
    /// among them) without whose change cargo accepts the rest; every entry when none will do
    /// (a moved crate, which the rest depends on).
    ///
    /// Cargo stops at the first manifest it refuses and names it: the crate it names is held
    /// back and cargo asked again, as long as it names another, so that k culprits among many
    /// changed crates cost about k questions. Only when it names none are the crates tried one
    /// by one, then together.
    fn culprits(
        &self,
        level: Level,
        baseline: &Answer,
        message: &str,
    ) -> Result<BTreeSet<usize>, Error> {
        let groups = self.groups();
        let entries = |held: &BTreeSet<usize>| -> BTreeSet<usize> {
            held.iter().flat_map(|&g| groups[g].1.iter().copied()).collect()
        };
        let named = |dir: &str, message: &str| {
            let manifest =
                if dir.is_empty() { "Cargo.toml".to_owned() } else { format!("{dir}/Cargo.toml") };
            message.contains(&self.root.join(&manifest).display().to_string())
                || message.contains(&format!("--> {manifest}:"))
        };
        let mut held: BTreeSet<usize> = BTreeSet::new();
        let mut message = message.to_owned();
        while let Some(g) =
            (0..groups.len()).find(|g| !held.contains(g) && named(&groups[*g].0, &message))
        {
            held.insert(g);
            match self.refusal(&entries(&held), level, baseline)? {
                None => return Ok(entries(&held)),
                Some(next) => message = next,
            }
        }
        let others: Vec<usize> = (0..groups.len()).filter(|g| !held.contains(g)).collect();
        for &g in &others {
            let with: BTreeSet<usize> = held.iter().copied().chain([g]).collect();
            if self.refusal(&entries(&with), level, baseline)?.is_none() {
                return Ok(entries(&with));
            }
        }
        // More than one crate cargo does not name: grow the set until cargo accepts the rest,
        // then drop each one it does not need.
        let mut grown = held.clone();
        let mut accepted = false;
        for &g in &others {
            grown.insert(g);
            if self.refusal(&entries(&grown), level, baseline)?.is_none() {
                accepted = true;
                break;
            }
        }
        if !accepted {
            return Ok((0..self.plan.entries.len()).collect());
        }
        for g in grown.clone() {
            let without: BTreeSet<usize> = grown.iter().copied().filter(|&h| h != g).collect();
            if self.refusal(&entries(&without), level, baseline)?.is_none() {
                grown = without;
            }
        }
        Ok(entries(&grown))
    }

    /// The changed member crates, each with its entries (those under its folder), and the
    /// root manifest alone, last; a crate that moves is in no group: holding it back holds
    /// back everything.
    fn groups(&self) -> Vec<(String, BTreeSet<usize>)> {
        let entries = &self.plan.entries;
        let moved: Vec<&str> = entries
            .iter()
            .filter_map(|e| match e.effect() {
                Effect::Move { to, .. } => Some(to),
                _ => None,
            })
            .collect();
        let dirs: BTreeSet<&str> = entries
            .iter()
            .filter(|e| e.writes())
            .filter_map(|e| e.path.strip_suffix("/Cargo.toml"))
            .filter(|dir| !moved.iter().any(|m| under(dir, m) || *dir == *m))
            .collect();
        dirs.iter()
            .map(|dir| {
                let group = (0..entries.len())
                    .filter(|&i| entries[i].writes() && under(&entries[i].path, dir))
                    // The deepest crate folder owns a file (a crate nested in another).
                    .filter(|&i| {
                        !dirs.iter().any(|d| d.len() > dir.len() && under(&entries[i].path, d))
                    })
                    .collect();
                ((*dir).to_owned(), group)
            })
            .chain(
                entries
                    .iter()
                    .position(|e| e.path == "Cargo.toml" && e.writes())
                    .map(|i| (String::new(), BTreeSet::from([i]))),
            )
            .collect()
    }

    /// Cargo's answer on the plan without the entries in `held`.
    fn load(&self, held: &BTreeSet<usize>, level: Level) -> Result<Answer, Error> {
        self.overlay.stage(self.root, &staged(&self.plan.entries, held, self.root))?;
        let manifest = self.overlay.path.join("Cargo.toml");
        let output = metadata(self.overlay, &manifest, level).output().map_err(spawn_error)?;
        if output.status.success() {
            return Ok(Ok(()));
        }
        Ok(Err(self.overlay.unstage(&refusal(&String::from_utf8_lossy(&output.stderr)), self.root)))
    }

    /// Level 2: the errors `cargo check` finds in the plan without `held` that it does not
    /// find in the unchanged tree; the first of them, named, when there is one.
    fn build(&self, held: &BTreeSet<usize>) -> Result<Option<String>, Error> {
        let all: BTreeSet<usize> = (0..self.plan.entries.len()).collect();
        self.overlay.stage(self.root, &staged(&self.plan.entries, &all, self.root))?;
        let target = self.root.join("target");
        let before = check(&self.overlay.path, Some(&target), self.overlay.holder())?;
        self.overlay.stage(self.root, &staged(&self.plan.entries, held, self.root))?;
        let after = check(&self.overlay.path, Some(&target), self.overlay.holder())?;
        Ok(introduced(&before, &after).map(|e| self.overlay.unstage(&e, self.root)))
    }
}

/// `cargo metadata` on the overlay's `manifest`, at `level`: its output is not read, only its
/// status and its errors. Cargo names a manifest in its errors relative to the folder it runs
/// in, the overlay's: where its errors are read, it is given the manifest there, not through
/// the overlay's `entry`.
fn metadata(overlay: &Overlay, manifest: &Path, level: Level) -> Command {
    let mut command = cargo_command(&overlay.path);
    command.args(["metadata", "--format-version", "1", "--offline", "--manifest-path"]);
    command.arg(manifest);
    if level == Level::Manifests {
        command.arg("--no-deps");
    }
    command.stdout(Stdio::null()).stdin(overlay.holder());
    command
}

/// The `[[allow]]` entries (C012) that would excuse nothing in the workspace the plan leaves:
/// the spec's own mistake (`check` would fail on it), found before anything is written,
/// whatever made it idle (the edge removed or declared, a crate moved to another layer). The result (the plan without the entries in `held`) is
/// staged in an overlay and read by `cargo metadata --no-deps`, then compared with the spec
/// as `check` compares (`apply`'s check after writing asks the same question).
pub(crate) fn idle_allowances(
    root: &Path,
    plan: &Plan,
    held: &[Held],
    loaded: &crate::Loaded,
) -> Result<Vec<trellis_spec::Diagnostic>, Error> {
    // Nothing to write, nothing the run makes idle: `check` says what a person did.
    let writes = plan.entries.iter().any(|e| !matches!(e.effect(), Effect::Nothing));
    if loaded.spec.allow.is_empty() || !root.is_dir() || !writes {
        return Ok(Vec::new());
    }
    let root = fs::canonicalize(root).map_err(|e| io_error("resolve", root, e))?;
    let unused = |dir: &Path| -> Option<Vec<trellis_spec::Diagnostic>> {
        let cargo = trellis_check::Cargo::from_env();
        let metadata = trellis_check::read_metadata(dir, &cargo).ok()?;
        let names = trellis_check::Names { spec_file: &loaded.file, root: "" };
        let checked = trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, names);
        Some(
            checked
                .diagnostics
                .into_iter()
                .filter(|d| d.code == trellis_check::codes::UNUSED_ALLOWANCE)
                .collect(),
        )
    };
    let overlay = Overlay::new(&root)?;
    overlay.stage(&root, &staged(&plan.entries, &indices(plan, held), &root))?;
    // Cargo refusing the result is the judge's to say; nothing to add here then.
    Ok(unused(&overlay.entry).unwrap_or_default())
}

/// The errors `cargo check` finds in the workspace at `root` as it stands, built in an
/// overlay of it (so that cargo's update of the lock file stays there), with the workspace's
/// own target folder.
pub(crate) fn check_tree(root: &Path) -> Result<Vec<String>, Error> {
    let root = fs::canonicalize(root).map_err(|e| io_error("resolve", root, e))?;
    let overlay = Overlay::new(&root)?;
    overlay.stage(&root, &BTreeMap::new())?;
    let errors = check(&overlay.path, Some(&root.join("target")), overlay.holder())?;
    Ok(errors.iter().map(|e| overlay.unstage(e, &root)).collect())
}

/// `cargo` as the judge runs it, in `dir`: the one `CARGO` names, no toolchain download, no
/// backtrace, no colour.
pub(crate) fn cargo_command(dir: &Path) -> Command {
    let cargo = trellis_check::Cargo::from_env();
    let mut command = Command::new(&cargo.program);
    command
        .current_dir(dir)
        .env("RUSTUP_AUTO_INSTALL", "0")
        .env("RUST_BACKTRACE", "0")
        .env("CARGO_TERM_COLOR", "never")
        // Status lines ("Blocking waiting for file lock", "Locking 2 packages") are no part of
        // a verdict, and differ from one run to the next.
        .env("CARGO_TERM_QUIET", "true")
        .stdin(Stdio::null());
    command
}

/// What cargo's stderr says of a refusal: from its first error on. Warnings and status lines
/// before it (another cargo holding the package cache, a lock file being updated) are no part
/// of the verdict, and would make two runs of the same refusal look different.
fn refusal(stderr: &str) -> String {
    let start = stderr
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain([0])
        .filter(|&i| stderr[i..].starts_with("error"))
        .min();
    stderr[start.unwrap_or(0)..].trim_end().to_owned()
}

/// The errors `cargo check --workspace --all-targets --keep-going --offline` reports in the workspace at
/// `dir`, each as `file:line: message`; a failure without a compiler error (cargo cannot
/// resolve, say) is one error of cargo's message. `stdin`: the overlay's holder (`Overlay::holder`).
fn check(dir: &Path, target: Option<&Path>, stdin: Stdio) -> Result<Vec<String>, Error> {
    let mut command = cargo_command(dir);
    command.stdin(stdin);
    command.args([
        "check",
        "--workspace",
        "--all-targets",
        "--offline",
        "--message-format",
        "json",
    ]);
    if let Some(target) = target {
        command.env("CARGO_TARGET_DIR", target);
    }
    let output = command.output().map_err(spawn_error)?;
    let mut errors = Vec::new();
    for message in cargo_metadata::Message::parse_stream(output.stdout.as_slice()).flatten() {
        let cargo_metadata::Message::CompilerMessage(m) = message else { continue };
        let m = m.message;
        if m.level != cargo_metadata::diagnostic::DiagnosticLevel::Error {
            continue;
        }
        let code = m.code.as_ref().map(|c| format!("[{}]", c.code)).unwrap_or_default();
        let place = m
            .spans
            .iter()
            .find(|s| s.is_primary)
            .map(|s| format!("{}:{}: ", s.file_name, s.line_start))
            .unwrap_or_default();
        // "aborting due to N previous errors" says nothing of its own.
        if m.spans.is_empty() && m.message.starts_with("aborting due to") {
            continue;
        }
        errors.push(format!("{place}error{code}: {}", m.message));
    }
    if errors.is_empty() && !output.status.success() {
        errors.push(refusal(&String::from_utf8_lossy(&output.stderr)));
    }
    Ok(errors)
}

/// The first error in `after` that `before` does not hold: one the change introduced. Line
/// numbers move with an edit, so errors are told apart without them; an error reported twice
/// (a library and its tests) is one.
pub(crate) fn introduced(before: &[String], after: &[String]) -> Option<String> {
    let key = |e: &String| -> String {
        match e.split_once(": ") {
            Some((place, rest)) if place.contains(':') => {
                let file = place.rsplit_once(':').map_or(place, |(f, _)| f);
                format!("{file}: {rest}")
            }
            _ => e.clone(),
        }
    };
    let seen: BTreeSet<String> = before.iter().map(key).collect();
    after.iter().find(|e| !seen.contains(&key(e))).cloned()
}

/// Whether cargo refused the unchanged tree with `message` (see [`same_message`]).
fn same_refusal(baseline: &Answer, message: &str) -> bool {
    baseline.as_ref().err().is_some_and(|was| same_message(was, message))
}

/// Whether two messages of cargo's say the same, wherever the lines they point at are: an
/// edit above a person's broken key moves it, and that is still the person's refusal.
pub(crate) fn same_message(a: &str, b: &str) -> bool {
    let lines = |m: &str| -> Vec<String> {
        m.lines()
            // The snippet under a located error: its gutter holds line numbers.
            .filter(|l| {
                !l.trim_start()
                    .split_once('|')
                    .is_some_and(|(n, _)| n.trim().bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|l| match l.trim_start().strip_prefix("--> ") {
                Some(place) => place.split(':').next().unwrap_or(place).to_owned(),
                None => l.to_owned(),
            })
            .collect()
    };
    lines(a) == lines(b)
}

/// Cargo's message in one line: its first error when it gives several (the first is the
/// specific one, with the file and line below it), else what its innermost "Caused by:" says
/// (with the cause above it when the innermost is only the system's error, which does not say
/// what failed), else its first line.
pub(crate) fn essence(message: &str) -> String {
    fn first_line(part: &str) -> &str {
        part.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
    }
    let errors: Vec<&str> = message.lines().filter(|l| l.starts_with("error: ")).collect();
    let causes: Vec<&str> = message.split("Caused by:").collect();
    let line = match (errors.as_slice(), causes.as_slice()) {
        ([first, _, ..], _) => (*first).to_owned(),
        ([..], [.., above, inner]) if first_line(inner).contains("(os error") => {
            format!("{}: {}", first_line(above), first_line(inner))
        }
        _ => first_line(causes.last().copied().unwrap_or(message)).to_owned(),
    };
    line.strip_prefix("error: ").unwrap_or(&line).to_owned()
}

/// What the plan's `entries` change, without those in `held`, as the overlay stages it.
fn staged(
    entries: &[trellis_sync::Entry],
    held: &BTreeSet<usize>,
    root: &Path,
) -> BTreeMap<String, Staged> {
    let mut out = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if held.contains(&i) {
            continue;
        }
        match e.effect() {
            Effect::Nothing => {}
            Effect::Write(text) => {
                out.insert(e.path.clone(), Staged::Text(text.to_owned()));
            }
            Effect::Delete => {
                out.insert(e.path.clone(), Staged::Absent);
            }
            Effect::Move { from, to } => {
                out.insert(from.to_owned(), Staged::Absent);
                out.insert(to.to_owned(), Staged::Folder(root.join(from)));
            }
        }
    }
    out
}

/// Whether `path` lies under folder `dir` (`""` is the root).
fn under(path: &str, dir: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

fn io_error(action: &str, path: &Path, e: io::Error) -> Error {
    Error::env(format!("cannot {action} `{}`: {e}", path.display()))
}

fn spawn_error(e: io::Error) -> Error {
    let cargo = trellis_check::Cargo::from_env();
    Error::env(format!(
        "cannot run `{}`: {e}\nhint: check that cargo is installed, or set `CARGO` to the cargo binary",
        cargo.program.display()
    ))
}

#[cfg(test)]
mod tests;
