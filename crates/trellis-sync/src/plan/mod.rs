//! Deciding, file by file, what `apply` would do. Planning only reads: it never writes a byte,
//! so `plan` can be run at any time, on any workspace, even one that does not exist yet.
//!
//! - `steps`: [`plan`] itself, as named steps (check the planned paths, parse the rendered
//!   manifests, move folders, choose the seeded sources, orphans, the workspace the manifest
//!   merges see, one entry per file, the manifests' conflicts holding the run back);
//! - `moves`: the folder moves of renamed or relocated crates, and the orphans;
//! - `files`: one file's entry, by how Trellis owns it (seeded, once, manifest);
//! - `render`: the plan for people ([`render_human`]).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use trellis_render::{Ownership, PlannedFile};

use crate::SyncError;
use crate::facts::FactsReader;
use crate::fsx::Root;
use crate::ledger::Ledger;

mod files;
mod moves;
mod note;
mod render;
mod steps;

pub use note::{HELD_BACK, Kept, Note};
pub use render::render_human;
pub(crate) use steps::plan_in;

/// The root manifest's path.
const ROOT_MANIFEST: &str = "Cargo.toml";

/// The manifest of the crate in folder `dir` (`""` is the root).
fn manifest_of(dir: &str) -> String {
    if dir.is_empty() { ROOT_MANIFEST.to_owned() } else { format!("{dir}/{ROOT_MANIFEST}") }
}

/// How to plan (see [`ApplyOptions`](crate::ApplyOptions) for what only `apply` is asked).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Delete orphaned files that are unchanged since Trellis wrote them, and take their crates
    /// out of the root manifest.
    pub prune: bool,
    /// Compute a unified diff for every file that would change, and for every conflict.
    pub diff: bool,
    /// Crates the spec renamed (`renamed-from`): their folders move before anything else.
    pub renames: Vec<Rename>,
    /// Folders of workspace members the spec does not declare (an adopted workspace's own
    /// `xtask`, say): Trellis owns nothing in their manifests, but their paths and entries
    /// that lead to a crate this run moves or renames follow it, or cargo could not load them.
    pub others: Vec<String>,
    /// Paths whose conflicts the person has resolved: keep the file as it is and record
    /// Trellis' current version as delivered.
    pub accept: Vec<String>,
    /// Write every conflict out: a seeded file with a base gets the merge with conflict
    /// markers in place (the plan writes them); on `apply`, any other file gets Trellis'
    /// version beside it, as `<file>.trellis-new`.
    pub write_conflicts: bool,
    /// The ledger's affirmed fingerprints after this run (requirement id → fingerprint), as
    /// the caller decided them from the trace; `None` keeps the ledger's.
    pub affirmed: Option<BTreeMap<String, String>>,
    /// Cargo's view of the workspace as it is before the run: what the merges ask whether a
    /// member, an edge or a feature is already there. `None`: decided from the text.
    pub facts: Option<FactsReader>,
    /// Earlier specs' renders, for a ledger whose hashes the spec as it stands no longer
    /// gives (see [`Ledger::resolve_with`]).
    pub history: Option<History>,
    /// Told what cargo will see as soon as that is planned, before the rest of the files
    /// (see [`Early`]).
    pub early: Option<Early>,
}

/// Whether a file's text can change what cargo says when it loads the workspace: a manifest,
/// the lock file, a cargo configuration, a toolchain file, and a build script (of which
/// `cargo metadata` reads only the presence, but a build reads it all). Of every other file,
/// `cargo metadata` sees only whether it exists (a target's source, say).
pub fn cargo_reads(path: &str) -> bool {
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let in_cargo_folder = folder == ".cargo" || folder.ends_with("/.cargo");
    matches!(
        name,
        "Cargo.toml" | "Cargo.lock" | "build.rs" | "rust-toolchain" | "rust-toolchain.toml"
    ) || (in_cargo_folder && matches!(name, "config" | "config.toml"))
}

/// What a plan tells a caller midway, so that cargo can start judging while the rest is
/// planned: the entries planned so far (folder moves, orphans, and every file cargo reads,
/// [`cargo_reads`]), and the files still to plan that the ledger has no record of (most of
/// them are created). The caller's guess of what cargo will see is only a guess: it must
/// compare it with the finished plan before it trusts cargo's answer. Called at most once.
#[derive(Clone)]
pub struct Early(Arc<EarlyFn>);

type EarlyFn = dyn Fn(&[Entry], &[&PlannedFile]) + Send + Sync;

impl Early {
    /// A hook that runs `told` once a plan has planned what cargo reads.
    pub fn new(told: impl Fn(&[Entry], &[&PlannedFile]) + Send + Sync + 'static) -> Early {
        Early(Arc::new(told))
    }

    pub(crate) fn tell(&self, entries: &[Entry], unrecorded: &[&PlannedFile]) {
        (self.0)(entries, unrecorded);
    }
}

impl fmt::Debug for Early {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Early(..)")
    }
}

/// The files earlier specs render (the spec last applied here, the one in version control),
/// asked for only when the ledger's hashes name a render the spec as it stands does not give.
#[derive(Clone)]
pub struct History(Arc<HistoryFn>);

type HistoryFn = dyn Fn() -> Vec<Vec<PlannedFile>> + Send + Sync;

impl History {
    /// History that `renders` gives, called at most once a plan.
    pub fn new(renders: impl Fn() -> Vec<Vec<PlannedFile>> + Send + Sync + 'static) -> History {
        History(Arc::new(renders))
    }

    pub(crate) fn renders(&self) -> Vec<Vec<PlannedFile>> {
        (self.0)()
    }
}

impl fmt::Debug for History {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("History(..)")
    }
}

/// Judges a plan before it is carried out (the command line asks cargo whether it accepts the
/// result): returns the entries to hold back, each with its note, or a message for people when
/// it cannot judge at all (cargo cannot be run). trellis-sync never runs cargo itself.
#[derive(Clone)]
pub struct Judge(Arc<JudgeFn>);

type JudgeFn = dyn Fn(&Plan) -> Result<Vec<Held>, String> + Send + Sync;

impl Judge {
    /// A judge that runs `judge` on every plan that writes something.
    pub fn new(
        judge: impl Fn(&Plan) -> Result<Vec<Held>, String> + Send + Sync + 'static,
    ) -> Judge {
        Judge(Arc::new(judge))
    }

    /// What the judge holds back of `plan`.
    pub fn judge(&self, plan: &Plan) -> Result<Vec<Held>, String> {
        (self.0)(plan)
    }
}

impl fmt::Debug for Judge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Judge(..)")
    }
}

/// An entry a [`Judge`] holds back: it becomes a conflict noted [`Note::RefusedByCargo`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The entry's path, as the plan spells it.
    pub path: String,
    /// Cargo's reason, for people.
    pub reason: String,
}

/// What applying an entry does to the disk, for a caller that stages it elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect<'a> {
    /// Nothing.
    Nothing,
    /// The file gets this text.
    Write(&'a str),
    /// The file is deleted.
    Delete,
    /// The folder `from` moves to `to`.
    Move {
        /// The old folder, workspace-relative.
        from: &'a str,
        /// The new folder.
        to: &'a str,
    },
}

/// One crate renamed in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    /// The crate's old name (its `renamed-from`).
    pub from: String,
    /// Its new name.
    pub to: String,
}

/// A crate's folder moving, workspace-relative (`from -> to` for people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderMove {
    /// The old folder.
    pub from: String,
    /// The new folder.
    pub to: String,
}

impl fmt::Display for FolderMove {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.from, self.to)
    }
}

/// The suffix of the file `apply --write-conflicts` writes beside a conflicted one.
pub const CONFLICT_SUFFIX: &str = ".trellis-new";

/// What `apply` does to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// A crate folder moves (`renamed-from`): see [`Entry::moves`].
    Move,
    /// The file is absent: write it.
    Create,
    /// The file is still exactly what Trellis last wrote: rewrite it.
    Update,
    /// A manifest a person has edited: change only Trellis' keys.
    Merge,
    /// A person changed what Trellis wants to change: left alone, reported, `apply` exits 1.
    Conflict,
    /// A change waiting for a conflict elsewhere (manifests change together): not made this
    /// run; the note names the conflict.
    Held,
    /// Nothing to do.
    Unchanged,
    /// Trellis wrote it, the spec no longer plans it: kept (see [`Options::prune`]).
    Orphan,
    /// An orphan that `--prune` deletes.
    Delete,
}

impl Action {
    /// Every action, in the order summaries list them.
    pub const ALL: [Action; 9] = [
        Action::Move,
        Action::Create,
        Action::Update,
        Action::Merge,
        Action::Conflict,
        Action::Held,
        Action::Unchanged,
        Action::Orphan,
        Action::Delete,
    ];

    /// The action's name, as `plan` prints it and JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Move => "move",
            Action::Create => "create",
            Action::Update => "update",
            Action::Merge => "merge",
            Action::Conflict => "conflict",
            Action::Held => "held-back",
            Action::Unchanged => "unchanged",
            Action::Orphan => "orphan",
            Action::Delete => "delete",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `apply` will do to one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Workspace-relative, `/`-separated (for a move: `old -> new`, as [`FolderMove`] shows
    /// it).
    pub path: String,
    /// For a folder move (planned, or refused as a conflict): the folders.
    pub moves: Option<FolderMove>,
    /// What happens.
    pub action: Action,
    /// How Trellis owns the file (`None` for a move).
    pub ownership: Option<Ownership>,
    /// Why, when the action alone does not say it (which keys conflict, why an orphan stays,
    /// that cargo refuses the change).
    pub note: Option<Note>,
    /// A unified diff of the change (for a conflict: from the file to Trellis' version), when
    /// [`Options::diff`] asked for it.
    pub diff: Option<String>,
    pub(crate) op: Op,
    /// Trellis' version of a conflicted file.
    pub(crate) theirs: Option<String>,
    /// The hash of the bytes this entry was decided on (`None`: the file was absent). `apply`
    /// replaces or deletes the file only while it still holds them.
    pub(crate) seen: Option<String>,
}

/// The change to the disk behind an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Nothing,
    Write(String),
    Delete,
    Move(FolderMove),
}

impl Entry {
    /// Whether applying this entry changes the disk.
    pub fn writes(&self) -> bool {
        self.op != Op::Nothing
    }

    /// Whether cargo refuses its change, so it is held back ([`Plan::hold_back`]).
    pub fn refused_by_cargo(&self) -> bool {
        matches!(self.note, Some(Note::RefusedByCargo { .. }))
    }

    /// Trellis' version of a conflicted file: what `--write-conflicts` writes beside it.
    pub fn trellis_version(&self) -> Option<&str> {
        self.theirs.as_deref()
    }

    /// What applying this entry does to the disk.
    pub fn effect(&self) -> Effect<'_> {
        match &self.op {
            Op::Nothing => Effect::Nothing,
            Op::Write(text) => Effect::Write(text),
            Op::Delete => Effect::Delete,
            Op::Move(m) => Effect::Move { from: &m.from, to: &m.to },
        }
    }
}

/// Everything `apply` would do, in order: moves first, then files by path.
#[derive(Debug, Clone)]
pub struct Plan {
    /// One entry per path.
    pub entries: Vec<Entry>,
    /// The ledger as `apply` will leave it.
    pub(crate) ledger: Ledger,
    /// Whether the ledger changes.
    pub(crate) ledger_changes: bool,
}

impl Plan {
    /// How many entries have this action.
    pub fn count(&self, action: Action) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }

    /// Whether any file is in conflict (so `apply` exits 1).
    pub fn has_conflicts(&self) -> bool {
        self.entries.iter().any(|e| e.action == Action::Conflict)
    }

    /// Whether applying the plan changes anything on disk, the ledger included.
    pub fn writes(&self) -> bool {
        self.ledger_changes || self.entries.iter().any(Entry::writes)
    }

    /// Holds back the entries `held` names: each becomes a conflict with its note, its file
    /// left as it is and its ledger record as in `before` (the ledger the plan was made from).
    /// When that leaves nothing to write, the ledger stays as it was too.
    pub fn hold_back(&mut self, held: &[Held], before: &Ledger) {
        if held.is_empty() {
            return;
        }
        let reasons: BTreeMap<&str, &str> =
            held.iter().map(|h| (h.path.as_str(), h.reason.as_str())).collect();
        for e in &mut self.entries {
            let Some(reason) = reasons.get(e.path.as_str()) else { continue };
            if let Op::Write(text) = &e.op {
                e.theirs = Some(text.clone());
            }
            e.op = Op::Nothing;
            e.action = Action::Conflict;
            e.note = Some(Note::RefusedByCargo { reason: (*reason).to_owned() });
            match before.files.get(&e.path) {
                Some(record) => self.ledger.files.insert(e.path.clone(), record.clone()),
                None => self.ledger.files.remove(&e.path),
            };
        }
        if !self.entries.iter().any(Entry::writes) {
            self.ledger = before.clone();
        }
        self.ledger_changes = self.ledger != *before;
    }

    /// One line: `3 create, 1 update, 1 conflict, 2 held back, 40 unchanged` (actions with no
    /// entry left out).
    pub fn summary(&self) -> String {
        let parts: Vec<String> = Action::ALL
            .iter()
            .filter_map(|&a| {
                let n = self.count(a);
                let name = if a == Action::Held { "held back" } else { a.as_str() };
                (n > 0).then(|| format!("{n} {name}"))
            })
            .collect();
        if parts.is_empty() { "nothing planned".to_owned() } else { parts.join(", ") }
    }
}

/// Plans the files `files` against the workspace at `root` and its `ledger` (see
/// [`Ledger::load`]). Reads only; a `root` that does not exist plans every file as `create`.
pub fn plan(
    root: &std::path::Path,
    files: &[PlannedFile],
    ledger: &Ledger,
    options: &Options,
) -> Result<Plan, SyncError> {
    let root = Root::new(root);
    plan_in(&root, files, ledger, options)
}
