//! [`plan`](super::plan) as named steps: check the planned paths, parse the rendered
//! manifests, move folders, choose the seeded sources, plan the orphans, rewire the tests a
//! person kept, build the workspace the manifest merges see, one entry per file, then hold
//! the run back while a manifest is in conflict.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use toml_edit::DocumentMut;
use trellis_render::{Ownership, PlannedFile, Seed};

use super::files::{
    FileCtx, Role, deleted_module, entry, plan_manifest, plan_once, plan_other, plan_seeded,
};
use super::moves::{Moves, plan_moves, plan_orphans};
use super::{
    Action, CONFLICT_SUFFIX, Entry, Kept, Note, Op, Options, Plan, ROOT_MANIFEST, manifest_of,
};
use crate::SyncError;
use crate::facts::LazyFacts;
use crate::fsx::{self, Root};
use crate::ledger::{Ledger, hash_bytes};
use crate::manifest;

/// Plans `files` against the workspace at `root` and its `ledger`. Errors: a planned path
/// that is not a plain relative one, reserved for Trellis, or planned twice; a rendered
/// manifest that is not TOML; an `--accept` path that is not planned; a file that cannot be
/// read.
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
    check_paths(&sorted)?;

    // A workspace Trellis did not create keeps its own README, tooling and xtask: Trellis'
    // scaffolding is planned only where it created the workspace (see `Seed`).
    let root_manifest = root.read(ROOT_MANIFEST)?;
    let scaffolded = root_manifest.is_none()
        || sorted.iter().any(|f| f.seed == Seed::Scaffold && ledger.files.contains_key(&f.path));
    sorted.retain(|f| f.seed != Seed::Scaffold || scaffolded);

    let (rendered, crates) = parse_manifests(&sorted)?;
    // Crate folders move first; the ledger's records follow them.
    let Moves { mut entries, ledger: old, moved, relocated } =
        plan_moves(root, ledger, &crates, &options.renames)?;
    let sources = Sources { moved };
    let created = created_crates(root, &crates, &sources)?;
    keep_seeded_sources(&mut sorted, &created, &old);
    let planned: HashSet<&str> = sorted.iter().map(|f| f.path.as_str()).collect();
    if let Some(path) = options.accept.iter().find(|p| !planned.contains(p.as_str())) {
        return Err(SyncError::NothingToAccept(path.clone()));
    }

    let mut next = next_ledger(files, ledger, &crates, options);
    // Orphans before the files: whether an orphan crate is pruned decides what the root
    // manifest keeps.
    let staying = plan_orphans(root, &old, &planned, &crates, options, &mut entries, &mut next)?;
    let rewired = rewire_kept_tests(&entries, &sorted);
    for f in sorted.iter_mut() {
        if let Some(wired) = rewired.iter().find(|r| r.path == f.path) {
            *f = wired;
        }
    }

    let empty = DocumentMut::new();
    let rendered_root = rendered.get(ROOT_MANIFEST).unwrap_or(&empty);
    let root_doc: Option<DocumentMut> = root_manifest
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|t| t.parse().ok());
    let ws = workspace(Inputs {
        root,
        options,
        ledger,
        old: &old,
        crates: &crates,
        relocated,
        rendered: &rendered,
        root_manifest: root_manifest.as_deref(),
        root_doc: root_doc.as_ref().unwrap_or(rendered_root),
        rendered_root,
    });
    // The facts Trellis owns in the root: whether its `[workspace.dependencies]` lists the
    // members as Trellis wrote them, which a created crate then joins.
    let root_owned = old.files.get(ROOT_MANIFEST).map(|r| r.keys.clone()).unwrap_or_default();
    for (name, dir) in &crates {
        if created.contains(dir.as_str()) {
            ws.add_member(name, &root_owned);
        }
    }

    // What the root manifest keeps for orphan crates that stay.
    let keep_root = |path: &[String]| -> bool {
        staying.iter().any(|c| match path {
            [w, m, dir] if w == "workspace" && m == "members" => *dir == c.dir,
            [w, d, name, ..] if w == "workspace" && d == "dependencies" => {
                *name == c.name && !crates.contains_key(&c.name)
            }
            _ => false,
        })
    };
    let files = Files {
        root,
        options,
        old: &old,
        sources: &sources,
        root_manifest: root_manifest.as_deref(),
        rendered: &rendered,
        keep_root: &keep_root,
        ws: &ws,
    };
    files.plan(&sorted, &mut entries, &mut next)?;
    for dir in options.others.iter().filter(|d| !crates.values().any(|c| c == *d)) {
        entries.extend(plan_other(root, dir, &ws, options.diff)?);
    }
    Ok(finish(entries, ledger, next))
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

/// Every planned path is a plain relative one, planned once, and none is Trellis' own
/// bookkeeping (`.trellis/`, but for the spec's schema) or a conflict's `.trellis-new` file.
fn check_paths(sorted: &[&PlannedFile]) -> Result<(), SyncError> {
    let mut seen = HashSet::new();
    for f in sorted {
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
    Ok(())
}

/// The rendered manifests, parsed once (by path), and the crates they declare (name →
/// folder, `""` for a package at the root).
#[allow(clippy::type_complexity)]
fn parse_manifests<'f>(
    sorted: &[&'f PlannedFile],
) -> Result<(BTreeMap<&'f str, DocumentMut>, BTreeMap<String, String>), SyncError> {
    let mut rendered: BTreeMap<&str, DocumentMut> = BTreeMap::new();
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    let manifests: Vec<&PlannedFile> =
        sorted.iter().copied().filter(|f| f.ownership == Ownership::Manifest).collect();
    let parse = |f: &PlannedFile| {
        f.contents.parse::<DocumentMut>().map_err(|e| SyncError::BadManifest {
            path: f.path.clone(),
            reason: e.message().to_owned(),
        })
    };
    // A thousand manifests parse in tens of milliseconds, before cargo can be asked anything:
    // on every core.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = manifests.len().div_ceil(threads).max(64);
    let parsed: Vec<Result<DocumentMut, SyncError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = manifests
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|f| parse(f)).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    for (f, doc) in manifests.into_iter().zip(parsed) {
        let doc = doc?;
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
    Ok((rendered, crates))
}

/// Where a planned path is read from before this run's folder moves happen.
pub(super) struct Sources {
    /// New folder → old folder, for crates whose folder moves in this run.
    moved: Vec<(String, String)>,
}

impl Sources {
    /// The path `path` (as planned) has before the moves.
    pub(super) fn of(&self, path: &str) -> String {
        for (new_dir, old_dir) in &self.moved {
            if let Some(rest) = path.strip_prefix(new_dir.as_str())
                && rest.starts_with('/')
            {
                return format!("{old_dir}{rest}");
            }
        }
        path.to_owned()
    }
}

/// The folders of the crates whose manifest Trellis creates in this run.
fn created_crates<'c>(
    root: &Root,
    crates: &'c BTreeMap<String, String>,
    sources: &Sources,
) -> Result<BTreeSet<&'c str>, SyncError> {
    let mut created = BTreeSet::new();
    for dir in crates.values() {
        if !root.has_file(&sources.of(&manifest_of(dir)))? {
            created.insert(dir.as_str());
        }
    }
    Ok(created)
}

/// An adopted crate has its own targets: its sources are seeded only while Trellis seeds the
/// crate, that is when it creates the manifest now (`created`) or seeded its sources before
/// (`old` has them).
fn keep_seeded_sources(sorted: &mut Vec<&PlannedFile>, created: &BTreeSet<&str>, old: &Ledger) {
    // Seeded before: a source Trellis still plans, or any under `src/` it wrote (a crate
    // whose kind changed plans `main.rs` where it wrote `lib.rs`). Each looked up once.
    let mut seeding: BTreeSet<&str> = created.clone();
    for f in sorted.iter() {
        if let Seed::Source(dir) = &f.seed
            && old.files.contains_key(&f.path)
        {
            seeding.insert(dir.as_str());
        }
    }
    let wrote_src = |dir: &str| {
        let src = if dir.is_empty() { "src/".to_owned() } else { format!("{dir}/src/") };
        old.files
            .range(src.clone()..)
            .take_while(|(path, _)| path.starts_with(src.as_str()))
            .any(|(_, r)| r.ownership == Ownership::Seeded)
    };
    let mut decided: BTreeMap<&str, bool> = BTreeMap::new();
    sorted.retain(|f| match &f.seed {
        Seed::Source(dir) => *decided
            .entry(dir.as_str())
            .or_insert_with(|| seeding.contains(dir.as_str()) || wrote_src(dir)),
        Seed::Always | Seed::Scaffold => true,
    });
}

/// The ledger as this plan leaves it, before any file's record: the crates, the spec
/// (`Trellis.toml` as planned), the affirmed fingerprints and the render.
fn next_ledger(
    files: &[PlannedFile],
    ledger: &Ledger,
    crates: &BTreeMap<String, String>,
    options: &Options,
) -> Ledger {
    let spec = files
        .iter()
        .find(|f| f.ownership == Ownership::Once && f.path == trellis_render::SPEC_FILE)
        .map(|f| f.contents.clone());
    let affirmed = options.affirmed.clone().unwrap_or_else(|| ledger.affirmed.clone());
    Ledger {
        crates: crates.clone(),
        files: BTreeMap::new(),
        spec,
        affirmed,
        render: Some(Arc::new(files.to_vec())),
        compact: None,
    }
}

/// A person's test is never unwired: a requirement gone from the spec whose test a person
/// made real (an orphan kept as [`Kept::Changed`]) keeps its `mod` line in the requirements'
/// `main.rs`. Returns those `main.rs` files as planned with the lines added.
fn rewire_kept_tests(entries: &[Entry], sorted: &[&PlannedFile]) -> Vec<PlannedFile> {
    let kept_tests: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.action == Action::Orphan && e.note == Some(Note::Kept(Kept::Changed)))
        .filter_map(|e| {
            let (folder, file) = e.path.rsplit_once('/')?;
            let stem = file.strip_suffix(".rs").filter(|s| *s != "main")?;
            folder
                .ends_with("tests/requirements")
                .then(|| (format!("{folder}/main.rs"), stem.to_owned()))
        })
        .collect();
    sorted
        .iter()
        .filter(|f| kept_tests.iter().any(|(main, _)| *main == f.path))
        .map(|f| {
            let mut f = (*f).clone();
            for (_, stem) in kept_tests.iter().filter(|(main, _)| *main == f.path) {
                f.contents = with_mod_line(&f.contents, stem);
            }
            f
        })
        .collect()
}

/// What [`workspace`] builds the manifests' view of the workspace from.
struct Inputs<'a> {
    root: &'a Root,
    options: &'a Options,
    /// The ledger as loaded (resolved).
    ledger: &'a Ledger,
    /// The ledger once this run's moves are done.
    old: &'a Ledger,
    crates: &'a BTreeMap<String, String>,
    relocated: BTreeMap<String, String>,
    rendered: &'a BTreeMap<&'a str, DocumentMut>,
    /// The root manifest's bytes, if it exists.
    root_manifest: Option<&'a [u8]>,
    /// The root manifest as the workspace has it, or the render where there is none.
    root_doc: &'a DocumentMut,
    rendered_root: &'a DocumentMut,
}

/// What the rest of the workspace looks like to each manifest's merge: this run's renames
/// (a `renamed-from` stays in the spec after the run that did it, so only those still to do)
/// and moves, the root as it is and as rendered, and the features Trellis wrote that the spec
/// dropped.
fn workspace<'a>(facts: Inputs<'a>) -> manifest::Workspace<'a> {
    let Inputs { root, options, ledger, old, crates, relocated, rendered, .. } = facts;
    let renamed: BTreeMap<String, String> = options
        .renames
        .iter()
        .filter(|r| r.from != r.to && ledger.crates.contains_key(&r.from))
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();
    // Features Trellis wrote into a crate's manifest that the spec no longer declares.
    let mut dropped_features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, doc) in rendered {
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
    // Created now, or still byte for byte Trellis' render: the new render replaces it
    // (unless it has an entry on a renamed crate, which keeps its key).
    let root_is_render = facts.root_manifest.is_none_or(|cur| {
        let hash = hash_bytes(cur);
        old.files.get(ROOT_MANIFEST).is_some_and(|r| r.hash == hash && r.whole)
            && !manifest::names_renamed(&String::from_utf8_lossy(cur), &renamed)
    });
    manifest::Workspace {
        crates,
        renamed,
        moved: relocated,
        root: facts.root_doc.as_table(),
        root_is_render,
        rendered_root: facts.rendered_root.as_table(),
        needed: Default::default(),
        implicit: Default::default(),
        dropped_features,
        facts: LazyFacts::new(options.facts.as_ref(), root.dir()),
    }
}

/// What planning each file needs.
struct Files<'a> {
    root: &'a Root,
    options: &'a Options,
    /// The ledger once this run's moves are done.
    old: &'a Ledger,
    sources: &'a Sources,
    root_manifest: Option<&'a [u8]>,
    rendered: &'a BTreeMap<&'a str, DocumentMut>,
    /// The root manifest's facts that stay for orphan crates that stay.
    keep_root: &'a dyn Fn(&[String]) -> bool,
    ws: &'a manifest::Workspace<'a>,
}

impl Files<'_> {
    /// One entry per planned file, each with the record `next` keeps of it. The root manifest
    /// last: the edges added to members decide which entries it needs.
    fn plan(
        &self,
        sorted: &[&PlannedFile],
        entries: &mut Vec<Entry>,
        next: &mut Ledger,
    ) -> Result<(), SyncError> {
        let accept: HashSet<&str> = self.options.accept.iter().map(String::as_str).collect();
        let keep_none = |_: &[String]| false;
        // What cargo reads first, the root manifest last of it (the edges added to members
        // decide which entries it needs); then whoever waits for that is told, and the rest
        // is planned while it works.
        let (read, rest): (Vec<&PlannedFile>, Vec<&PlannedFile>) =
            sorted.iter().partition(|f| crate::cargo_reads(&f.path));
        let (roots, read): (Vec<&PlannedFile>, Vec<&PlannedFile>) =
            read.into_iter().partition(|f| f.path == ROOT_MANIFEST);
        let told = read.len() + roots.len();
        let tell = |entries: &[Entry]| {
            if let Some(early) = &self.options.early {
                let unrecorded: Vec<&PlannedFile> = rest
                    .iter()
                    .copied()
                    .filter(|f| !self.old.files.contains_key(&f.path))
                    .collect();
                early.tell(entries, &unrecorded);
            }
        };
        for (i, f) in read.into_iter().chain(roots).chain(rest.iter().copied()).enumerate() {
            if i == told {
                tell(entries);
            }
            let from = self.sources.of(&f.path);
            let cur = if f.path == ROOT_MANIFEST {
                self.root_manifest.map(<[u8]>::to_vec)
            } else {
                self.root.read(&from)?
            };
            // A member's path dependencies are members to cargo: without cargo's facts, the
            // root merge learns them from the text.
            if f.ownership == Ownership::Manifest
                && let Some(dir) = f.path.strip_suffix("/Cargo.toml")
                && let Some(text) = cur.as_deref().and_then(|b| std::str::from_utf8(b).ok())
                && text.contains("path")
                && let Ok(doc) = text.parse::<DocumentMut>()
            {
                self.ws.note_path_dependencies(doc.as_table(), dir);
            }
            let record = self.old.files.get(&f.path).filter(|r| r.ownership == f.ownership);
            let keep: &dyn Fn(&[String]) -> bool =
                if f.path == ROOT_MANIFEST { self.keep_root } else { &keep_none };
            let ctx = FileCtx {
                accept: accept.contains(f.path.as_str()),
                diff: self.options.diff,
                keep,
                write_conflicts: self.options.write_conflicts,
            };
            let deleted = cur.is_none()
                && record.is_some()
                && deleted_module(self.root, &f.path, self.sources)?;
            let (mut entry, record) = match f.ownership {
                Ownership::Seeded if deleted => {
                    let mut e = entry(f, Action::Unchanged);
                    e.note = Some(Note::ModuleDeleted);
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
                    let doc = &self.rendered[f.path.as_str()];
                    plan_manifest(f, cur.as_deref(), record, doc, &ctx, self.ws, role)
                }
            };
            entry.seen = cur.as_deref().map(hash_bytes);
            if let Some(record) = record {
                next.files.insert(f.path.clone(), record);
            }
            entries.push(entry);
        }
        if rest.is_empty() {
            tell(entries);
        }
        Ok(())
    }
}

/// The plan, folder moves (done or refused) first. Manifests change together (a renamed
/// crate's dependents, the root's entries), so one in conflict holds the whole run back:
/// nothing is half-applied, the ledger stays, and `apply` exits 1.
fn finish(mut entries: Vec<Entry>, ledger: &Ledger, next: Ledger) -> Plan {
    entries.sort_by(|a, b| (a.ownership.is_some(), &a.path).cmp(&(b.ownership.is_some(), &b.path)));
    let blocking: Vec<String> = entries
        .iter()
        .filter(|e| e.action == Action::Conflict && e.ownership == Some(Ownership::Manifest))
        .map(|e| e.path.clone())
        .collect();
    if !blocking.is_empty() {
        let waits = Note::Waits { on: blocking };
        // A conflict's own write (the markers `--write-conflicts` asked for) is not held.
        for e in entries.iter_mut().filter(|e| e.op != Op::Nothing && e.action != Action::Conflict)
        {
            e.op = Op::Nothing;
            e.action = Action::Held;
            e.note = Some(waits.clone());
            e.diff = None;
        }
        return Plan { entries, ledger: ledger.clone(), ledger_changes: false };
    }
    // A ledger of an older format is upgraded by the next `apply`.
    let ledger_changes = next != *ledger || ledger.older_format();
    Plan { entries, ledger: next, ledger_changes }
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
