//! Deciding, file by file, what `apply` would do. Planning only reads: it never writes a byte,
//! so `plan` can be run at any time, on any workspace, even one that does not exist yet.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use toml_edit::DocumentMut;
use trellis_render::{Ownership, PlannedFile, Seed};

use crate::SyncError;
use crate::apply::Verifier;
use crate::facts::{FactsReader, LazyFacts};
use crate::fsx::{self, Root};
use crate::ledger::{FileRecord, Ledger, hash_bytes};
use crate::manifest::{self, Policy};

/// The root manifest's path.
const ROOT_MANIFEST: &str = "Cargo.toml";

/// The manifest of the crate in folder `dir` (`""` is the root).
fn manifest_of(dir: &str) -> String {
    if dir.is_empty() { ROOT_MANIFEST.to_owned() } else { format!("{dir}/{ROOT_MANIFEST}") }
}

/// How to plan (and apply).
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
    /// On `apply`, write every conflict out: a seeded file with a base gets the merge with
    /// conflict markers in place; any other file gets Trellis' version beside it, as
    /// `<file>.trellis-new`.
    pub write_conflicts: bool,
    /// The ledger's affirmed fingerprints after this run (requirement id → fingerprint), as
    /// the caller decided them from the trace; `None` keeps the ledger's.
    pub affirmed: Option<BTreeMap<String, String>>,
    /// On `apply`, checks the workspace once everything is written and before the run is
    /// committed; when it refuses, the run is rolled back (see [`Verifier`]).
    pub verify: Option<Verifier>,
    /// On `apply`, judges the plan before anything is written: the entries it names are held
    /// back (see [`Judge`]). `plan` callers run the same judge on the plan it returns.
    pub judge: Option<Judge>,
    /// On `apply`: set by the caller (a Ctrl-C handler) to stop the run between two changes;
    /// the run then rolls back and returns [`SyncError::Interrupted`] (`create_with` takes the
    /// same kind of flag for `new`).
    pub cancel: Option<Arc<AtomicBool>>,
    /// Cargo's view of the workspace as it is before the run: what the merges ask whether a
    /// member, an edge or a feature is already there. `None`: decided from the text.
    pub facts: Option<FactsReader>,
    /// Earlier specs' renders, for a ledger whose hashes the spec as it stands no longer
    /// gives (see [`Ledger::resolve_with`]).
    pub history: Option<History>,
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

/// An entry a [`Judge`] holds back: it becomes a conflict with this note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The entry's path, as the plan spells it.
    pub path: String,
    /// Why, for people.
    pub note: String,
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

/// The suffix of the file `apply --write-conflicts` writes beside a conflicted one.
pub const CONFLICT_SUFFIX: &str = ".trellis-new";

/// What `apply` does to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// A crate folder moves (`renamed-from`); the entry's path reads `old -> new`.
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
    /// Workspace-relative, `/`-separated (for a move: `old -> new`).
    pub path: String,
    /// What happens.
    pub action: Action,
    /// How Trellis owns the file (`None` for a move).
    pub ownership: Option<Ownership>,
    /// Why, when the action alone does not say it (which keys conflict, why an orphan stays).
    pub note: Option<String>,
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
    Move { from: String, to: String },
}

impl Entry {
    /// Whether applying this entry changes the disk.
    pub fn writes(&self) -> bool {
        self.op != Op::Nothing
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
            Op::Move { from, to } => Effect::Move { from, to },
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
        let notes: BTreeMap<&str, &str> =
            held.iter().map(|h| (h.path.as_str(), h.note.as_str())).collect();
        for e in &mut self.entries {
            let Some(note) = notes.get(e.path.as_str()) else { continue };
            if let Op::Write(text) = &e.op {
                e.theirs = Some(text.clone());
            }
            e.op = Op::Nothing;
            e.action = Action::Conflict;
            e.note = Some((*note).to_owned());
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

/// `ledger`, resolved against `files` and the history if that is still to do.
fn resolved<'a>(
    ledger: &'a Ledger,
    files: &[PlannedFile],
    options: &Options,
    slot: &'a mut Option<Ledger>,
) -> &'a Ledger {
    if !ledger.resolution_pending() {
        return ledger;
    }
    let mut copy = ledger.clone();
    copy.resolve_with(files, options.history.as_ref());
    slot.insert(copy)
}

/// A crate the ledger knows, with its folder.
struct KnownCrate {
    name: String,
    dir: String,
}

pub(crate) fn plan_in(
    root: &Root,
    files: &[PlannedFile],
    ledger: &Ledger,
    options: &Options,
) -> Result<Plan, SyncError> {
    let mut slot = None;
    let ledger = resolved(ledger, files, options, &mut slot);
    let mut sorted: Vec<&PlannedFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut seen = HashSet::new();
    for f in &sorted {
        fsx::check_rel(&f.path)?;
        // Trellis' folder holds its bookkeeping, and the spec's schema (a seeded file like any
        // other, planned by the render stage).
        let bookkeeping = (f.path == ".trellis" || f.path.starts_with(".trellis/"))
            && f.path != trellis_render::SCHEMA_FILE;
        if bookkeeping || f.path.ends_with(CONFLICT_SUFFIX) {
            return Err(SyncError::BadPath {
                path: f.path.clone(),
                reason: "it is reserved for Trellis' own bookkeeping",
            });
        }
        if !seen.insert(f.path.as_str()) {
            return Err(SyncError::Duplicate(f.path.clone()));
        }
    }

    // A workspace Trellis did not create keeps its own README, tooling and xtask: Trellis'
    // scaffolding is planned only where it created the workspace (see `Seed`).
    let root_manifest = root.read(ROOT_MANIFEST)?;
    let scaffolded = root_manifest.is_none()
        || sorted.iter().any(|f| f.seed == Seed::Scaffold && ledger.files.contains_key(&f.path));
    sorted.retain(|f| f.seed != Seed::Scaffold || scaffolded);

    // Rendered manifests, parsed once; the crates they declare.
    let mut rendered: BTreeMap<&str, DocumentMut> = BTreeMap::new();
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    for f in sorted.iter().filter(|f| f.ownership == Ownership::Manifest) {
        let doc: DocumentMut = f.contents.parse().map_err(|e: toml_edit::TomlError| {
            SyncError::BadManifest { path: f.path.clone(), reason: e.message().to_owned() }
        })?;
        // The root manifest holds a package too when the spec has one at `.` (folder `""`).
        let dir =
            if f.path == ROOT_MANIFEST { Some("") } else { f.path.strip_suffix("/Cargo.toml") };
        if let Some(dir) = dir
            && let Some(name) =
                doc.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str())
        {
            crates.insert(name.to_owned(), dir.to_owned());
        }
        rendered.insert(f.path.as_str(), doc);
    }

    // Crate folders move first; the ledger's records follow them.
    let Moves { mut entries, ledger: old, moved, relocated } =
        plan_moves(root, ledger, &crates, &options.renames)?;
    // Where a planned path is to be read from before the moves happen.
    let source = |path: &str| -> String {
        for (new_dir, old_dir) in &moved {
            if let Some(rest) = path.strip_prefix(new_dir.as_str())
                && rest.starts_with('/')
            {
                return format!("{old_dir}{rest}");
            }
        }
        path.to_owned()
    };

    // An adopted crate has its own targets: its sources are seeded only while Trellis seeds
    // the crate, that is when it creates the manifest now or seeded its sources before.
    let mut created = BTreeSet::new();
    for dir in crates.values() {
        if root.read(&source(&manifest_of(dir)))?.is_none() {
            created.insert(dir.as_str());
        }
    }
    let mut seeding: BTreeMap<&str, bool> = BTreeMap::new();
    for f in &sorted {
        let Seed::Source(dir) = &f.seed else { continue };
        if seeding.contains_key(dir.as_str()) {
            continue;
        }
        // Seeded before: a source Trellis still plans, or any under `src/` it wrote (a crate
        // whose kind changed plans `main.rs` where it wrote `lib.rs`).
        let src = if dir.is_empty() { "src/".to_owned() } else { format!("{dir}/src/") };
        let seeds = created.contains(dir.as_str())
            || sorted.iter().any(|g| g.seed == f.seed && old.files.contains_key(&g.path))
            || old.files.iter().any(|(path, r)| {
                r.ownership == Ownership::Seeded && path.starts_with(src.as_str())
            });
        seeding.insert(dir, seeds);
    }
    sorted.retain(|f| match &f.seed {
        Seed::Source(dir) => seeding.get(dir.as_str()) == Some(&true),
        Seed::Always | Seed::Scaffold => true,
    });
    let planned: HashSet<&str> = sorted.iter().map(|f| f.path.as_str()).collect();
    if let Some(path) = options.accept.iter().find(|p| !planned.contains(p.as_str())) {
        return Err(SyncError::NothingToAccept(path.clone()));
    }

    // The spec this plan comes from: `Trellis.toml` as planned (its text, a once file).
    let spec = files
        .iter()
        .find(|f| f.ownership == Ownership::Once && f.path == trellis_render::SPEC_FILE)
        .map(|f| f.contents.clone());
    let affirmed = options.affirmed.clone().unwrap_or_else(|| ledger.affirmed.clone());
    let mut next = Ledger {
        crates: crates.clone(),
        files: BTreeMap::new(),
        spec,
        affirmed,
        render: Some(Arc::new(files.to_vec())),
        compact: None,
    };
    // Orphans before the files: whether an orphan crate is pruned decides what the root
    // manifest keeps.
    let staying = plan_orphans(root, &old, &planned, &crates, options, &mut entries, &mut next)?;

    // A person's test is never unwired: a requirement gone from the spec whose test a person
    // made real keeps its `mod` line in the requirements' `main.rs`.
    let kept_tests: Vec<(String, String)> = entries
        .iter()
        .filter(|e| {
            e.action == Action::Orphan
                && e.note.as_deref().is_some_and(|n| n.starts_with("changed"))
        })
        .filter_map(|e| {
            let (folder, file) = e.path.rsplit_once('/')?;
            let stem = file.strip_suffix(".rs").filter(|s| *s != "main")?;
            folder
                .ends_with("tests/requirements")
                .then(|| (format!("{folder}/main.rs"), stem.to_owned()))
        })
        .collect();
    let rewired: Vec<PlannedFile> = sorted
        .iter()
        .filter(|f| kept_tests.iter().any(|(main, _)| *main == f.path))
        .map(|f| {
            let mut f = (*f).clone();
            for (_, stem) in kept_tests.iter().filter(|(main, _)| *main == f.path) {
                f.contents = with_mod_line(&f.contents, stem);
            }
            f
        })
        .collect();
    for f in sorted.iter_mut() {
        if let Some(wired) = rewired.iter().find(|r| r.path == f.path) {
            *f = wired;
        }
    }

    let keep_root = |path: &[String]| -> bool {
        staying.iter().any(|c| match path {
            [w, m, dir] if w == "workspace" && m == "members" => *dir == c.dir,
            [w, d, name, ..] if w == "workspace" && d == "dependencies" => {
                *name == c.name && !crates.contains_key(&c.name)
            }
            _ => false,
        })
    };
    let keep_none = |_: &[String]| false;

    let empty = DocumentMut::new();
    let rendered_root = rendered.get(ROOT_MANIFEST).unwrap_or(&empty);
    let root_doc: Option<DocumentMut> = root_manifest
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.parse().ok());
    // Renames still to do: a `renamed-from` stays in the spec after the run that did it.
    let renamed: BTreeMap<String, String> = options
        .renames
        .iter()
        .filter(|r| r.from != r.to && ledger.crates.contains_key(&r.from))
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();
    // Features Trellis wrote into a crate's manifest that the spec no longer declares.
    let mut dropped_features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, doc) in &rendered {
        let Some(name) = doc.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str())
        else {
            continue;
        };
        let Some(record) = old.files.get(*path) else { continue };
        for key in record.keys.keys() {
            if let [features, feature] = key.as_slice()
                && features == "features"
                && doc.get("features").and_then(|t| t.get(feature)).is_none()
            {
                dropped_features.entry(name.to_owned()).or_default().insert(feature.clone());
            }
        }
    }
    let ws = manifest::Workspace {
        crates: &crates,
        renamed: renamed.clone(),
        moved: relocated,
        root: root_doc.as_ref().unwrap_or(rendered_root).as_table(),
        // Created now, or still byte for byte Trellis' render: the new render replaces it
        // (unless it has an entry on a renamed crate, which keeps its key).
        root_is_render: root_manifest.as_deref().is_none_or(|cur| {
            let hash = hash_bytes(cur);
            old.files.get(ROOT_MANIFEST).is_some_and(|r| r.hash == hash && r.whole)
                && !manifest::names_renamed(&String::from_utf8_lossy(cur), &renamed)
        }),
        rendered_root: rendered_root.as_table(),
        needed: Default::default(),
        implicit: Default::default(),
        dropped_features,
        facts: LazyFacts::new(options.facts.as_ref(), root.dir()),
    };

    // The facts Trellis owns in the root: whether its `[workspace.dependencies]` lists the
    // members as Trellis wrote them, which a created crate then joins.
    let root_owned = old.files.get(ROOT_MANIFEST).map(|r| r.keys.clone()).unwrap_or_default();
    for (name, dir) in &crates {
        if created.contains(dir.as_str()) {
            ws.add_member(name, &root_owned);
        }
    }

    let accept: HashSet<&str> = options.accept.iter().map(String::as_str).collect();
    // The root manifest last: the edges added to members decide which entries it needs.
    let (roots, others): (Vec<&PlannedFile>, Vec<&PlannedFile>) =
        sorted.iter().partition(|f| f.path == ROOT_MANIFEST);
    for f in others.into_iter().chain(roots) {
        let from = source(&f.path);
        let cur = if f.path == ROOT_MANIFEST { root_manifest.clone() } else { root.read(&from)? };
        // A member's path dependencies are members to cargo: without cargo's facts, the root
        // merge learns them from the text.
        if f.ownership == Ownership::Manifest
            && let Some(dir) = f.path.strip_suffix("/Cargo.toml")
            && let Some(text) = cur.as_deref().and_then(|b| std::str::from_utf8(b).ok())
            && text.contains("path")
            && let Ok(doc) = text.parse::<DocumentMut>()
        {
            ws.note_path_dependencies(doc.as_table(), dir);
        }
        let record = old.files.get(&f.path).filter(|r| r.ownership == f.ownership);
        let keep: &dyn Fn(&[String]) -> bool =
            if f.path == ROOT_MANIFEST { &keep_root } else { &keep_none };
        let ctx = FileCtx {
            accept: accept.contains(f.path.as_str()),
            diff: options.diff,
            keep,
            write_conflicts: options.write_conflicts,
        };
        let deleted = cur.is_none() && record.is_some() && deleted_module(root, &f.path, &source)?;
        let (mut entry, record) = match f.ownership {
            Ownership::Seeded if deleted => {
                let mut e = entry(f, Action::Unchanged);
                e.note = Some(
                    "a person deleted this module and its `mod` line: not made again; remove it from the crate's `modules` in the spec"
                        .into(),
                );
                (e, record.cloned())
            }
            Ownership::Seeded => plan_seeded(f, cur.as_deref(), record, &ctx),
            Ownership::Once => plan_once(f, cur.as_deref(), record, &ctx),
            Ownership::Manifest => {
                let role = match f.path.strip_suffix("/Cargo.toml") {
                    None => Role::Root,
                    Some(dir) => {
                        let old_dir = from.strip_suffix("/Cargo.toml").unwrap_or(dir);
                        Role::Member { dir, old_dir }
                    }
                };
                let doc = &rendered[f.path.as_str()];
                plan_manifest(f, cur.as_deref(), record, doc, &ctx, &ws, role)
            }
        };
        entry.seen = cur.as_deref().map(hash_bytes);
        if let Some(record) = record {
            next.files.insert(f.path.clone(), record);
        }
        entries.push(entry);
    }
    for dir in options.others.iter().filter(|d| !crates.values().any(|c| c == *d)) {
        entries.extend(plan_other(root, dir, &ws, options.diff)?);
    }
    // Folder moves (done or refused) first: they happen before any file.
    entries.sort_by(|a, b| (a.ownership.is_some(), &a.path).cmp(&(b.ownership.is_some(), &b.path)));
    // Manifests change together (a renamed crate's dependents, the root's entries), so one in
    // conflict holds the whole run back: nothing is half-applied, and `apply` exits 1.
    let blocking: Vec<String> = entries
        .iter()
        .filter(|e| e.action == Action::Conflict && e.ownership == Some(Ownership::Manifest))
        .map(|e| e.path.clone())
        .collect();
    if !blocking.is_empty() {
        let waits = format!(
            "held back until the conflict in {} is resolved: manifests change together",
            blocking.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        );
        // A conflict's own write (the markers `--write-conflicts` asked for) is not held.
        for e in entries.iter_mut().filter(|e| e.op != Op::Nothing && e.action != Action::Conflict)
        {
            e.op = Op::Nothing;
            e.action = Action::Held;
            e.note = Some(waits.clone());
            e.diff = None;
        }
        return Ok(Plan { entries, ledger: ledger.clone(), ledger_changes: false });
    }
    // A ledger of an older format is upgraded by the next `apply`.
    let ledger_changes = next != *ledger || ledger.older_format();
    Ok(Plan { entries, ledger: next, ledger_changes })
}

/// The manifest of a package the spec does not declare (a member, or a package beside the workspace such as a nested one `exclude` keeps out), in `dir`: written where this run's
/// renames and moves change what it says ([`manifest::follow_other`]), a conflict where they
/// cannot be followed, else nothing (and never in the ledger: it is a person's file).
fn plan_other(
    root: &Root,
    dir: &str,
    ws: &manifest::Workspace<'_>,
    diffs: bool,
) -> Result<Option<Entry>, SyncError> {
    let path = manifest_of(dir);
    let Some(cur) = root.read(&path)? else { return Ok(None) };
    let Ok(text) = std::str::from_utf8(&cur) else { return Ok(None) };
    if !manifest::follows(text, Some((dir, dir)), ws) {
        return Ok(None);
    }
    let Some((out, stuck)) = manifest::follow_other(text, dir, ws) else { return Ok(None) };
    let mut e = Entry {
        path: path.clone(),
        action: Action::Merge,
        ownership: Some(Ownership::Manifest),
        note: Some(
            "a manifest the spec does not declare: its paths follow the crates that move".into(),
        ),
        diff: diffs.then(|| diff(&path, text, &out)),
        op: Op::Write(out.clone()),
        theirs: None,
        seen: Some(hash_bytes(&cur)),
    };
    if !stuck.is_empty() {
        e.action = Action::Conflict;
        e.op = Op::Nothing;
        e.note = Some(format!(
            "cannot add or change without touching a person's text: {}",
            stuck.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ));
        e.theirs = Some(out);
    }
    Ok(Some(e))
}

/// `text` with the line `mod <stem>;` among its `mod` lines, in order (rustfmt's), unless it
/// has it.
fn with_mod_line(text: &str, stem: &str) -> String {
    let line = format!("mod {stem};");
    if text.lines().any(|l| l.trim() == line) {
        return text.to_owned();
    }
    let mut lines: Vec<&str> = text.lines().collect();
    let mods: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("mod ") && lines[i].ends_with(';'))
        .collect();
    let at = mods
        .iter()
        .copied()
        .find(|&i| lines[i] > line.as_str())
        .or_else(|| mods.last().map(|&i| i + 1))
        .unwrap_or(lines.len());
    lines.insert(at, &line);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The moves of a plan, and the ledger as it reads once they are done.
struct Moves {
    entries: Vec<Entry>,
    ledger: Ledger,
    /// New folder → old folder, for crates whose folder moves in this run.
    moved: Vec<(String, String)>,
    /// Old folder → new folder, for every crate whose folder changed since the ledger was
    /// written: moved in this run, or by an earlier one that stopped before its ledger.
    relocated: BTreeMap<String, String>,
}

/// Plans the folder moves of renamed crates (and of crates whose path changed under the same
/// name: two packages of one name in a workspace would not build).
fn plan_moves(
    root: &Root,
    ledger: &Ledger,
    crates: &BTreeMap<String, String>,
    renames: &[Rename],
) -> Result<Moves, SyncError> {
    let mut out = Moves {
        entries: Vec::new(),
        ledger: ledger.clone(),
        moved: Vec::new(),
        relocated: BTreeMap::new(),
    };
    let mut renames = renames.to_vec();
    for (name, dir) in crates {
        if ledger.crates.get(name).is_some_and(|old_dir| old_dir != dir)
            && !renames.iter().any(|r| r.to == *name)
        {
            renames.push(Rename { from: name.clone(), to: name.clone() });
        }
    }
    for rename in &renames {
        let (Some(old_dir), Some(new_dir)) =
            (ledger.crates.get(&rename.from), crates.get(&rename.to))
        else {
            continue;
        };
        if old_dir == new_dir {
            out.ledger.crates.remove(&rename.from);
            continue;
        }
        let (from_exists, to_exists) = (root.dir_exists(old_dir)?, root.dir_exists(new_dir)?);
        let mut entry = Entry {
            path: format!("{old_dir} -> {new_dir}"),
            action: Action::Move,
            ownership: None,
            note: Some(if rename.from == rename.to {
                format!("crate `{}` moved", rename.to)
            } else {
                format!("crate `{}` renamed to `{}`", rename.from, rename.to)
            }),
            diff: None,
            op: Op::Nothing,
            theirs: None,
            seen: None,
        };
        if from_exists && to_exists {
            entry.action = Action::Conflict;
            entry.note = Some(format!(
                "crate `{}` renamed to `{}`, but both folders exist; move or merge them by hand",
                rename.from, rename.to
            ));
            out.entries.push(entry);
            continue;
        }
        if from_exists {
            entry.op = Op::Move { from: old_dir.clone(), to: new_dir.clone() };
            out.moved.push((new_dir.clone(), old_dir.clone()));
            out.entries.push(entry);
        }
        // Moved now, or by an earlier run that stopped before its ledger: either way the
        // ledger's records and the manifests' paths follow the folder.
        rekey(&mut out.ledger, old_dir, new_dir);
        out.relocated.insert(old_dir.clone(), new_dir.clone());
        out.ledger.crates.remove(&rename.from);
    }
    Ok(out)
}

/// Plans the orphans: files in the ledger that are no longer planned. Adds their entries, keeps
/// in `next` the records of those that stay, and returns the orphan crates that stay (their
/// entries in the root manifest stay with them).
fn plan_orphans(
    root: &Root,
    old: &Ledger,
    planned: &HashSet<&str>,
    crates: &BTreeMap<String, String>,
    options: &Options,
    entries: &mut Vec<Entry>,
    next: &mut Ledger,
) -> Result<Vec<KnownCrate>, SyncError> {
    struct Orphan<'a> {
        path: &'a str,
        record: &'a FileRecord,
        cur: Option<Vec<u8>>,
        unchanged: bool,
    }
    let planned_dirs: BTreeSet<&str> = crates.values().map(String::as_str).collect();
    let orphan_crates: Vec<KnownCrate> = old
        .crates
        .iter()
        .filter(|(name, dir)| !planned_dirs.contains(dir.as_str()) || !crates.contains_key(*name))
        .map(|(name, dir)| KnownCrate { name: name.clone(), dir: dir.clone() })
        .collect();
    let mut orphans = Vec::new();
    for (path, record) in &old.files {
        if planned.contains(path.as_str()) {
            continue;
        }
        let cur = root.read(path)?;
        // A manifest is Trellis' alone only while it is exactly a render: once merged with a
        // person's keys, the hash of the file as Trellis left it holds their bytes too.
        let unchanged = cur.as_deref().is_some_and(|c| {
            let hash = hash_bytes(c);
            match record.ownership {
                Ownership::Manifest => record.whole && hash == record.hash,
                Ownership::Seeded | Ownership::Once => hash == record.hash,
            }
        });
        orphans.push(Orphan { path, record, cur, unchanged });
    }
    let crate_of = |path: &str| -> Option<&KnownCrate> {
        orphan_crates
            .iter()
            .find(|c| path.strip_prefix(c.dir.as_str()).is_some_and(|r| r.starts_with('/')))
    };
    // A crate is pruned as a whole, or not at all: half a crate would not build.
    let mut prunable: BTreeMap<&str, bool> =
        orphan_crates.iter().map(|c| (c.dir.as_str(), true)).collect();
    for o in &orphans {
        if let Some(c) = crate_of(o.path)
            && o.cur.is_some()
            && !o.unchanged
        {
            prunable.insert(c.dir.as_str(), false);
        }
    }
    for o in &orphans {
        let Some(cur) = &o.cur else { continue };
        let mut entry = Entry {
            path: o.path.to_owned(),
            action: Action::Orphan,
            ownership: Some(o.record.ownership),
            note: None,
            diff: None,
            op: Op::Nothing,
            theirs: None,
            seen: None,
        };
        entry.seen = Some(hash_bytes(cur));
        let crate_ok = crate_of(o.path).is_none_or(|c| prunable[c.dir.as_str()]);
        // The requirements' test binary stays while a test a person made real sits in it.
        let wires_a_kept_test = o.path.strip_suffix("/main.rs").is_some_and(|folder| {
            orphans.iter().any(|other| {
                !other.unchanged
                    && other.cur.is_some()
                    && other.path.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
            })
        });
        if options.prune && o.unchanged && crate_ok && !wires_a_kept_test {
            entry.action = Action::Delete;
            entry.op = Op::Delete;
            if options.diff {
                entry.diff = Some(diff(o.path, &String::from_utf8_lossy(cur), ""));
            }
        } else {
            entry.note = Some(
                if !o.unchanged {
                    "changed since Trellis wrote it: kept"
                } else if wires_a_kept_test {
                    "unchanged, but it declares a test a person made real: kept"
                } else if !crate_ok {
                    "unchanged, but its crate holds changed files: kept"
                } else {
                    "no longer in the spec: kept (`--prune` deletes it)"
                }
                .to_owned(),
            );
            next.files.insert(o.path.to_owned(), o.record.clone());
        }
        entries.push(entry);
    }
    // Orphan crates that stay: their manifest is still there and is not being deleted.
    let staying: Vec<bool> = orphan_crates
        .iter()
        .map(|c| {
            let manifest = format!("{}/Cargo.toml", c.dir);
            let present = orphans.iter().any(|o| o.path == manifest && o.cur.is_some());
            present && !(options.prune && prunable[c.dir.as_str()])
        })
        .collect();
    let staying: Vec<KnownCrate> = orphan_crates
        .into_iter()
        .zip(staying)
        .filter_map(|(c, stays)| stays.then_some(c))
        .collect();
    for c in &staying {
        if !crates.contains_key(&c.name) {
            next.crates.insert(c.name.clone(), c.dir.clone());
        }
    }
    Ok(staying)
}

/// Moves the ledger's records under `from/` to `to/`.
fn rekey(ledger: &mut Ledger, from: &str, to: &str) {
    let moving: Vec<String> = ledger
        .files
        .keys()
        .filter(|p| p.strip_prefix(from).is_some_and(|r| r.starts_with('/')))
        .cloned()
        .collect();
    for path in moving {
        if let Some(record) = ledger.files.remove(&path) {
            ledger.files.insert(format!("{to}{}", &path[from.len()..]), record);
        }
    }
}

struct FileCtx<'a> {
    accept: bool,
    diff: bool,
    keep: &'a dyn Fn(&[String]) -> bool,
    /// A seeded file whose merge conflicts gets the conflict markers in place.
    write_conflicts: bool,
}

fn entry(f: &PlannedFile, action: Action) -> Entry {
    Entry {
        path: f.path.clone(),
        action,
        ownership: Some(f.ownership),
        note: None,
        diff: None,
        op: Op::Nothing,
        theirs: None,
        seen: None,
    }
}

/// Whether `path` is a module file of a crate (`<crate>/src/<m>.rs`, beside `lib.rs` or
/// `main.rs`) whose crate root, on disk, no longer declares `mod <m>`: a person removed the
/// module, file and declaration, and making the file again would give a dead file.
fn deleted_module(
    root: &Root,
    path: &str,
    source: &dyn Fn(&str) -> String,
) -> Result<bool, SyncError> {
    let Some((src, file)) = path.rsplit_once('/') else { return Ok(false) };
    let Some(m) = file.strip_suffix(".rs") else { return Ok(false) };
    if !src.ends_with("src") || matches!(m, "lib" | "main") {
        return Ok(false);
    }
    let mut roots = Vec::new();
    for name in ["lib.rs", "main.rs"] {
        if let Some(bytes) = root.read(&source(&format!("{src}/{name}")))? {
            roots.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(!roots.is_empty() && !roots.iter().any(|t| trellis_spec::declares_module(t, m)))
}

/// The record of a file whose text Trellis now holds to be `f.contents` (hashing `hash`): for a
/// seeded file, that text is kept as the base of a later three-way merge.
fn record(f: &PlannedFile, hash: String) -> FileRecord {
    let base = (f.ownership == Ownership::Seeded).then(|| f.contents.clone());
    FileRecord {
        ownership: f.ownership,
        hash,
        rendered: None,
        whole: false,
        keys: BTreeMap::new(),
        base,
    }
}

fn with_diff(mut e: Entry, ctx: &FileCtx<'_>, old: &str, new: &str) -> Entry {
    if ctx.diff {
        e.diff = Some(diff(&e.path, old, new));
    }
    e
}

fn plan_seeded(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    ctx: &FileCtx<'_>,
) -> (Entry, Option<FileRecord>) {
    let new_hash = hash_bytes(f.contents.as_bytes());
    let base = rec.map(|r| r.hash.as_str());
    let Some(cur) = cur else {
        let mut e = with_diff(entry(f, Action::Create), ctx, "", &f.contents);
        e.op = Op::Write(f.contents.clone());
        return (e, Some(record(f, new_hash)));
    };
    let cur_hash = hash_bytes(cur);
    if cur_hash == new_hash {
        return (entry(f, Action::Unchanged), Some(record(f, new_hash)));
    }
    let cur_text = String::from_utf8_lossy(cur);
    // Markers `--write-conflicts` wrote and nobody resolved: the file cannot build, and a
    // merge into it would bury them.
    // `--accept` keeps a file as it is, but not one that cannot build.
    if crate::merge::has_markers(&cur_text) {
        let mut e = entry(f, Action::Conflict);
        e.note = Some(
            "it still holds conflict markers: resolve them, then apply again (a file you never \
             edited: take either side, e.g. `git checkout --ours <file>`, and `apply` brings it \
             up to the spec)"
                .into(),
        );
        return (e, rec.cloned());
    }
    if base == Some(cur_hash.as_str()) {
        let mut e = with_diff(entry(f, Action::Update), ctx, &cur_text, &f.contents);
        e.op = Op::Write(f.contents.clone());
        return (e, Some(record(f, new_hash)));
    }
    if base == Some(new_hash.as_str()) {
        let mut e = entry(f, Action::Unchanged);
        e.note = Some("edited by a person; Trellis has nothing new for it".into());
        return (e, Some(record(f, new_hash)));
    }
    // `--accept` settles a conflict in the person's favour; what merges cleanly is merged
    // even so, or the file would go on saying what the spec no longer does.
    let accepted = |f: &PlannedFile, new_hash: String| {
        let mut e = entry(f, Action::Unchanged);
        e.note = Some("conflict accepted: the file stays as it is".into());
        (e, Some(record(f, new_hash)))
    };
    // Both the person and the spec changed it: merged three ways, line by line, from what
    // Trellis last wrote (kept in the ledger) to the person's file and to the new render.
    if let Some(rec) = rec
        && let Some(base) = rec.base.as_deref().filter(|b| hash_bytes(b.as_bytes()) == rec.hash)
        && let Ok(cur_text) = std::str::from_utf8(cur)
    {
        return match crate::merge::merge3(base, cur_text, &f.contents) {
            Ok(merged) => {
                let mut e = with_diff(entry(f, Action::Merge), ctx, cur_text, &merged);
                e.note = Some("edited by a person: Trellis' change merged into it".into());
                e.op = Op::Write(merged);
                (e, Some(record(f, new_hash)))
            }
            Err(_) if ctx.accept => accepted(f, new_hash),
            Err(marked) => {
                let mut e = with_diff(entry(f, Action::Conflict), ctx, cur_text, &marked);
                if ctx.write_conflicts {
                    // The markers go into the file; once they are resolved, the file is the
                    // person's edit of Trellis' new version.
                    e.note = Some(
                        "a person and the spec changed the same lines: conflict markers written into it".into(),
                    );
                    e.op = Op::Write(marked);
                    return (e, Some(record(f, new_hash)));
                }
                e.note = Some(
                    "a person and the spec changed the same lines: kept as it is (`--write-conflicts` writes the conflict markers into it)".into(),
                );
                e.theirs = Some(marked);
                (e, Some(rec.clone()))
            }
        };
    }
    if ctx.accept {
        return accepted(f, new_hash);
    }
    let mut e = with_diff(entry(f, Action::Conflict), ctx, &cur_text, &f.contents);
    e.note = Some(if base.is_some() {
        "edited by a person, and Trellis has a new version: kept as it is".into()
    } else {
        "a file Trellis did not write is in the way: kept as it is".into()
    });
    e.theirs = Some(f.contents.clone());
    (e, rec.cloned())
}

fn plan_once(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    ctx: &FileCtx<'_>,
) -> (Entry, Option<FileRecord>) {
    match cur {
        None => {
            let mut e = with_diff(entry(f, Action::Create), ctx, "", &f.contents);
            e.op = Op::Write(f.contents.clone());
            (e, Some(record(f, hash_bytes(f.contents.as_bytes()))))
        }
        Some(_) => (entry(f, Action::Unchanged), rec.cloned()),
    }
}

/// Which manifest is being planned.
#[derive(Clone, Copy)]
enum Role<'a> {
    /// The workspace's root manifest.
    Root,
    /// A crate's manifest, in folder `dir` (at `old_dir` before this run's moves).
    Member { dir: &'a str, old_dir: &'a str },
}

fn plan_manifest(
    f: &PlannedFile,
    cur: Option<&[u8]>,
    rec: Option<&FileRecord>,
    new_doc: &DocumentMut,
    ctx: &FileCtx<'_>,
    ws: &manifest::Workspace<'_>,
    role: Role<'_>,
) -> (Entry, Option<FileRecord>) {
    let new_hash = hash_bytes(f.contents.as_bytes());
    // A whole manifest written by Trellis: it owns every fact the manifest states.
    let whole = |action: Action, old: &str, text: String, doc: &DocumentMut| {
        ws.require_inherited(doc.as_table());
        let mut e = with_diff(entry(f, action), ctx, old, &text);
        let hash = hash_bytes(text.as_bytes());
        let record = FileRecord {
            base: None,
            ownership: f.ownership,
            rendered: Some(new_hash.clone()),
            whole: true,
            hash,
            keys: manifest::facts(doc.as_table()),
        };
        e.op = Op::Write(text);
        (e, Some(record))
    };
    let Some(cur) = cur else {
        return match role {
            Role::Root => whole(Action::Create, "", f.contents.clone(), new_doc),
            Role::Member { dir, .. } => {
                let doc = manifest::fresh(new_doc, dir, ws);
                whole(Action::Create, "", doc.to_string(), &doc)
            }
        };
    };
    let cur_hash = hash_bytes(cur);
    if let Some(rec) = rec
        && rec.hash == cur_hash
    {
        // Merged cleanly against this very render, and untouched since. (The root also
        // depends on the entries other manifests need, so it is always looked at.)
        // Nor is a manifest whose paths or entries follow a crate that moves or is renamed.
        let dirs = match role {
            Role::Root => None,
            Role::Member { dir, old_dir } => Some((dir, old_dir)),
        };
        let needs_nothing = (matches!(role, Role::Member { .. }) || ws.needed.borrow().is_empty())
            && !manifest::follows(&String::from_utf8_lossy(cur), dirs, ws);
        if rec.rendered.as_deref() == Some(new_hash.as_str()) && needs_nothing {
            return (entry(f, Action::Unchanged), Some(rec.clone()));
        }
        // Still byte for byte a render of Trellis', with no fact held back for an orphan: the
        // new render replaces it whole, in the render's own layout. Not one with an entry on
        // a renamed crate: the entry keeps the old key (the name the code uses), which the
        // render does not know.
        if rec.whole
            && !rec.keys.keys().any(|k| (ctx.keep)(k))
            && !manifest::names_renamed(&String::from_utf8_lossy(cur), &ws.renamed)
        {
            let old = String::from_utf8_lossy(cur);
            return match role {
                Role::Root => whole(Action::Update, &old, f.contents.clone(), new_doc),
                Role::Member { dir, .. } => {
                    let doc = manifest::fresh(new_doc, dir, ws);
                    whole(Action::Update, &old, doc.to_string(), &doc)
                }
            };
        }
    }
    let conflict = |note: String| {
        let mut e = entry(f, Action::Conflict);
        e.note = Some(note);
        e.theirs = Some(f.contents.clone());
        (e, rec.cloned())
    };
    let Ok(text) = std::str::from_utf8(cur) else {
        return conflict("not UTF-8, so it cannot be merged: kept as it is".into());
    };
    let original = match manifest::LocalManifest::parse(text) {
        Ok(original) => original,
        Err(e) => {
            return conflict(format!(
                "not valid TOML ({}), so it cannot be merged: kept as it is",
                e.message()
            ));
        }
    };
    let empty = BTreeMap::new();
    let base = rec.map_or(&empty, |r| &r.keys);
    let policy = Policy { base, keep: ctx.keep, accept: ctx.accept, force: false };
    let merge = |policy: &Policy<'_>| {
        let mut cur = original.clone();
        let doc = &mut cur.doc;
        let merged = match role {
            Role::Root => {
                let mut merged = manifest::merge_root(doc, new_doc, ws, policy);
                // A package at the root: its facts live in the same file, and so do the root
                // entries its own new edges inherit (known only once they are merged).
                if new_doc.get("package").is_some() {
                    let package = manifest::merge_member(doc, new_doc, "", "", ws, policy);
                    merged.absorb(package);
                    ws.require_inherited(doc.as_table());
                    merged.absorb(manifest::add_needed(doc, new_doc, ws, policy));
                }
                merged
            }
            Role::Member { dir, old_dir } => {
                manifest::merge_member(doc, new_doc, dir, old_dir, ws, policy)
            }
        };
        (cur.text(), merged)
    };
    let (out, merged) = merge(&policy);
    if !merged.conflicts.is_empty() {
        // Nothing is written to a file with a conflict: a half-merged manifest is no one's.
        let (theirs, _) = merge(&Policy { force: true, ..policy });
        let mut e = with_diff(entry(f, Action::Conflict), ctx, text, &theirs);
        let others = if out != text && theirs != text {
            "; its other changes wait until this is resolved"
        } else {
            ""
        };
        e.note = Some(format!(
            "cannot add or change without touching a person's text: {}{others}",
            merged.conflicts.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ));
        e.theirs = Some(theirs);
        return (e, rec.cloned());
    }
    let changed = out != text;
    if changed && let Ok(doc) = out.parse::<DocumentMut>() {
        ws.require_inherited(doc.as_table());
    }
    let record = FileRecord {
        base: None,
        ownership: f.ownership,
        hash: if changed { hash_bytes(out.as_bytes()) } else { cur_hash.clone() },
        rendered: (!merged.deferred).then(|| new_hash.clone()),
        // Untouched by this merge, a file Trellis wrote whole stays its own.
        whole: !changed && rec.is_some_and(|r| r.whole && r.hash == cur_hash),
        keys: merged.keys,
    };
    let mut e = if changed {
        // `update` is for a file still exactly what Trellis wrote; a person's is merged.
        let whole = rec.is_some_and(|r| r.whole && r.hash == cur_hash);
        let action = if whole { Action::Update } else { Action::Merge };
        with_diff(entry(f, action), ctx, text, &out)
    } else {
        entry(f, Action::Unchanged)
    };
    if changed {
        e.op = Op::Write(out);
    }
    (e, Some(record))
}

/// A plan for people: one aligned line per entry (`action  path  (note)`), each followed by
/// its diff when `diffs` is set and the entry has one.
pub fn render_human(entries: &[Entry], diffs: bool) -> String {
    let width = entries.iter().map(|e| e.action.as_str().len()).max().unwrap_or(0);
    let mut out = String::new();
    for e in entries {
        out.push_str(&format!("{:<width$}  {}", e.action.as_str(), e.path));
        if let Some(note) = &e.note {
            out.push_str(&format!("  ({note})"));
        }
        out.push('\n');
        if diffs && let Some(diff) = &e.diff {
            out.push_str(diff);
            if !diff.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// A unified diff from `old` to `new`, with `a/` and `b/` headers.
pub(crate) fn diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
