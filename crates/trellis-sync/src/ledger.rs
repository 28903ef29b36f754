//! The ledger at `.trellis/ledger.toml`: for every file Trellis wrote, what it wrote, and for
//! every manifest the keys it owns. It is how Trellis tells its own bytes from a person's; it
//! is committed with the project and written last by every `apply`.
//!
//! The ledger is written to merge like code (docs/sync.md, "Branches and merges"): one record
//! a line, sorted, in one TOML array, which git's built-in `union` driver merges
//! (`.trellis/.gitattributes` says so), so that two branches that each change the spec never
//! conflict in it. It grows with the spec, not with the generated text: what Trellis wrote
//! into the files of a crate folder is recorded as one hash of the files the spec rendered
//! there (`files`), and a file gets a line of its own only where its record is not what that
//! render gives (a manifest merged with a person's text, a file a person's version was
//! accepted for, a file Trellis does not own). Reading a ledger back therefore takes a render
//! whose hashes match ([`Ledger::resolve`]): the spec as it stands, or the one last applied
//! (kept beside the ledger, git-ignored, and in version control).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Key, Value};
use toml_writer::WriteTomlValue as _;
use trellis_render::{Ownership, PlannedFile};

use crate::SyncError;
use crate::fsx::{self, Root};

/// Where the ledger lives, relative to the workspace root.
pub const LEDGER_PATH: &str = ".trellis/ledger.toml";
/// The spec as last applied on this machine (not committed): what the ledger's hashes are
/// resolved against once `Trellis.toml` has moved on.
pub const APPLIED_PATH: &str = ".trellis/applied.toml";
/// The lock file that keeps two `apply` runs apart (not committed).
pub(crate) const LOCK_PATH: &str = ".trellis/apply.lock";
/// Keeps the lock file and the applied spec out of version control without touching the
/// root `.gitignore`.
pub(crate) const IGNORE_PATH: &str = ".trellis/.gitignore";
pub(crate) const IGNORE_TEXT: &str = "# Written by Trellis: the lock and the last applied spec are per machine.\napply.lock\napplied.toml\n";
/// What earlier versions wrote there: replaced by [`IGNORE_TEXT`], any other text is a person's.
pub(crate) const OLD_IGNORE_TEXTS: [&str; 1] =
    ["# Written by Trellis: the lock is per machine.\napply.lock\n"];
/// Has git merge the ledger line by line, keeping the lines of both sides.
pub(crate) const ATTRIBUTES_PATH: &str = ".trellis/.gitattributes";
pub(crate) const ATTRIBUTES_TEXT: &str = "# Written by Trellis: the ledger is one record a line; a merge keeps both sides' lines.\nledger.toml merge=union\n";

/// The newest ledger format this build reads and the one it writes (format 1, one table a
/// file with the spec and the seeded files' texts inside, is read and upgraded).
pub const FORMAT: i64 = 2;

/// A key path inside a manifest, one component per table level (`["package", "edition"]`);
/// for an array Trellis manages element by element (`workspace.members`), the last component
/// is the element.
pub(crate) type KeyPath = Vec<String>;

/// What Trellis last wrote in one workspace.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Crate name → its folder, for every crate Trellis planned last time.
    pub(crate) crates: BTreeMap<String, String>,
    /// Workspace-relative path → what Trellis knows about the file.
    pub(crate) files: BTreeMap<String, FileRecord>,
    /// The spec (`Trellis.toml`'s text) Trellis last planned the workspace from: what `infer`
    /// reads back the facts cargo does not hold from (the system's name, the layers). Found by
    /// its hash (format 2) where it can be.
    pub(crate) spec: Option<String>,
    /// Requirement id → the fingerprint of its text that a person's test was last affirmed
    /// against (`trellis_trace::fingerprint`): when the spec's text moves on, the requirement
    /// is suspect until someone affirms the test again.
    pub(crate) affirmed: BTreeMap<String, String>,
    /// The files this ledger's records were planned from (`plan` sets it on the ledger it
    /// makes): a record that is what its rendered file gives is written as part of its
    /// folder's hash.
    pub(crate) render: Option<Arc<Vec<PlannedFile>>>,
    /// A format-2 ledger as read: the hashes still to resolve against a render.
    pub(crate) compact: Option<Compact>,
}

/// Equal when they record the same: the format they were read from does not count.
impl PartialEq for Ledger {
    fn eq(&self, other: &Ledger) -> bool {
        self.crates == other.crates
            && self.files == other.files
            && self.spec == other.spec
            && self.affirmed == other.affirmed
    }
}

impl Eq for Ledger {}

/// The part of a format-2 ledger that takes a render to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Compact {
    /// Folder (`""`: the workspace's own files) → the hashes recorded for its rendered files:
    /// more than one after a merge of two branches.
    groups: BTreeMap<String, BTreeSet<String>>,
    /// The folders whose records were found.
    resolved: BTreeSet<String>,
    /// Files a render has that have no record all the same.
    absent: BTreeSet<String>,
    /// The records found through a render (not written out again as lines of their own).
    derived: BTreeSet<String>,
    /// The hashes of the spec texts recorded.
    specs: BTreeSet<String>,
    /// Whether [`Ledger::resolve_with`] ran: what it did not find stays unknown.
    tried: bool,
    /// This machine's full copy of the ledger it last wrote ([`APPLIED_PATH`]).
    local: Option<std::path::PathBuf>,
}

/// One file in the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRecord {
    pub(crate) ownership: Ownership,
    /// For seeded and once files: the hash of Trellis' version, last written (or accepted).
    /// For manifests: the hash of the whole file as Trellis last left it.
    pub(crate) hash: String,
    /// Manifests only: the hash of the rendered manifest, set when the last merge was clean
    /// (no conflict, nothing deferred), so that an unchanged file and an unchanged render need
    /// no merge at all.
    pub(crate) rendered: Option<String>,
    /// Manifests only: the file as recorded (`hash`) is Trellis' whole, written by it and never
    /// merged with a person's text, so it may be replaced or pruned as a whole. Written as
    /// `whole = true`; a format-1 ledger without the key had it where `rendered` equals `hash`.
    pub(crate) whole: bool,
    /// Manifests only: every key Trellis owns, with a short hash of its value.
    pub(crate) keys: BTreeMap<KeyPath, String>,
    /// Seeded files only: the text Trellis last wrote (whose hash is `hash`), the base of a
    /// three-way merge when both a person and the spec change the file.
    pub(crate) base: Option<String>,
}

impl FileRecord {
    /// Whether this is the record [`FileRecord::derived`] gives for `f`, told without parsing
    /// a manifest: its keys are a function of the text the hashes name.
    fn is_derived_from(&self, f: &PlannedFile) -> bool {
        if self.ownership != f.ownership || self.hash != hash_bytes(f.contents.as_bytes()) {
            return false;
        }
        match f.ownership {
            Ownership::Seeded => {
                self.base.as_deref() == Some(f.contents.as_str())
                    && self.rendered.is_none()
                    && !self.whole
                    && self.keys.is_empty()
            }
            Ownership::Once => {
                self.base.is_none()
                    && self.rendered.is_none()
                    && !self.whole
                    && self.keys.is_empty()
            }
            Ownership::Manifest => {
                self.base.is_none() && self.whole && self.rendered.as_ref() == Some(&self.hash)
            }
        }
    }

    /// The record of a file Trellis wrote exactly as rendered.
    fn derived(f: &PlannedFile) -> FileRecord {
        let hash = hash_bytes(f.contents.as_bytes());
        let mut record = FileRecord {
            ownership: f.ownership,
            hash: hash.clone(),
            rendered: None,
            whole: false,
            keys: BTreeMap::new(),
            base: None,
        };
        match f.ownership {
            Ownership::Seeded => record.base = Some(f.contents.clone()),
            Ownership::Once => {}
            Ownership::Manifest => {
                record.rendered = Some(hash);
                record.whole = true;
                if let Ok(doc) = f.contents.parse::<DocumentMut>() {
                    record.keys = crate::manifest::facts(doc.as_table());
                }
            }
        }
        record
    }
}

impl Ledger {
    /// Reads the ledger of the workspace at `root`: empty when there is none (or no workspace
    /// yet); an error when it is corrupt or from a newer Trellis. A format-2 ledger needs
    /// [`Ledger::resolve`] before its file records are complete.
    pub fn load(root: &Path) -> Result<Ledger, SyncError> {
        Ledger::load_in(&Root::new(root))
    }

    pub(crate) fn load_in(root: &Root) -> Result<Ledger, SyncError> {
        let Some(bytes) = root.read(LEDGER_PATH)? else { return Ok(Ledger::default()) };
        let path = root.abs(LEDGER_PATH);
        let text = String::from_utf8(bytes).map_err(|_| SyncError::CorruptLedger {
            path: path.clone(),
            reason: "it is not UTF-8".into(),
        })?;
        let mut ledger = Ledger::parse(&text, &path)?;
        if let Some(compact) = &mut ledger.compact {
            compact.local = Some(root.abs(APPLIED_PATH));
            // The spec applied last, while `Trellis.toml` has not moved on.
            if let Some(bytes) = root.read(trellis_render::SPEC_FILE)?
                && compact.specs.contains(&short_hash_bytes(&bytes))
            {
                ledger.spec = String::from_utf8(bytes).ok();
            }
        }
        Ok(ledger)
    }

    /// Whether the ledger knows nothing.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.crates.is_empty()
    }

    /// How many files the ledger records.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The spec (`Trellis.toml`'s text) Trellis last planned this workspace from; `None` for
    /// a ledger written before it was kept, or when no copy of it is at hand.
    pub fn spec(&self) -> Option<&str> {
        self.spec.as_deref()
    }

    /// Whether `text` is a spec this ledger records as applied.
    pub fn applied(&self, text: &str) -> bool {
        match &self.compact {
            Some(compact) => compact.specs.contains(&short_hash(text)),
            None => self.spec.as_deref() == Some(text),
        }
    }

    /// The folder Trellis last knew crate `name` in.
    pub fn crate_dir(&self, name: &str) -> Option<&str> {
        self.crates.get(name).map(String::as_str)
    }

    /// Requirement id → the fingerprint of the text its test was affirmed against.
    pub fn affirmed(&self) -> &BTreeMap<String, String> {
        &self.affirmed
    }

    /// The text Trellis last wrote to the seeded file at `path` (workspace-relative, `/`):
    /// the base of its next three-way [`merge3`](crate::merge3). `None` for other files and
    /// for a ledger written before bases were kept.
    pub fn base(&self, path: &str) -> Option<&str> {
        self.files.get(path)?.base.as_deref()
    }

    /// Whether some folder's records are still to be found (see [`Ledger::resolve`]).
    pub fn unresolved(&self) -> bool {
        self.compact.as_ref().is_some_and(|c| c.groups.keys().any(|g| !c.resolved.contains(g)))
    }

    /// Whether it was read from a format older than [`FORMAT`].
    pub(crate) fn older_format(&self) -> bool {
        self.compact.is_none() && !self.is_empty()
    }

    /// Whether [`Ledger::resolve_with`] is still to run.
    pub(crate) fn resolution_pending(&self) -> bool {
        self.compact.as_ref().is_some_and(|c| !c.tried)
    }

    /// [`Ledger::resolve`] against `files` (the spec as it stands), then, for what that does
    /// not find, against the renders `history` gives (asked only then). What none of them
    /// gives stays without a record.
    pub fn resolve_with(&mut self, files: &[PlannedFile], history: Option<&crate::History>) {
        if !self.resolution_pending() {
            return;
        }
        if self.resolve(files) {
            self.resolve_locally();
        }
        if self.unresolved()
            && let Some(history) = history
        {
            for render in history.renders() {
                if !self.resolve(&render) {
                    break;
                }
            }
        }
        if let Some(compact) = &mut self.compact {
            compact.tried = true;
        }
    }

    /// Takes the records of the folders still unresolved from this machine's full copy of
    /// the ledger it last wrote, where that copy has the same hash for the folder.
    fn resolve_locally(&mut self) {
        let Some(compact) = &mut self.compact else { return };
        let Some(path) = &compact.local else { return };
        let Ok(text) = std::fs::read_to_string(path) else { return };
        // Only the sections of the folders still unresolved: at a thousand crates the whole
        // copy is megabytes, and most runs need one folder of it (or none).
        let wanted: BTreeSet<&str> = compact
            .groups
            .iter()
            .filter(|(group, _)| !compact.resolved.contains(*group))
            .flat_map(|(_, hashes)| hashes.iter().map(String::as_str))
            .collect();
        let text = sections_wanted(&text, &wanted);
        let Ok(local) = Ledger::parse(&text, path) else { return };
        let dirs = folders(&self.crates, &compact.groups);
        let mut by_group: BTreeMap<&str, Vec<(&String, &FileRecord)>> = BTreeMap::new();
        for (path, record) in &local.files {
            by_group.entry(group_of(path, &dirs)).or_default().push((path, record));
        }
        for (group, recorded) in &compact.groups {
            let local_hashes = local.compact.as_ref().and_then(|c| c.groups.get(group));
            if compact.resolved.contains(group)
                || !local_hashes.is_some_and(|h| h.iter().any(|h| recorded.contains(h)))
            {
                continue;
            }
            for &(path, record) in by_group.get(group.as_str()).into_iter().flatten() {
                if compact.absent.contains(path) || self.files.contains_key(path) {
                    continue;
                }
                self.files.insert(path.clone(), record.clone());
                compact.derived.insert(path.clone());
            }
            compact.resolved.insert(group.clone());
        }
        if self.spec.is_none()
            && let Some(spec) = local.spec
            && compact.specs.contains(&short_hash(&spec))
        {
            self.spec = Some(spec);
        }
    }

    /// Finds the records a format-2 ledger keeps as hashes, in `render` (the files some spec
    /// renders): every folder whose recorded hash is the hash of `render`'s files there gets
    /// the records of those files. Returns whether some folder is still unresolved: its files
    /// have no record, so Trellis treats them as a person's (a file that differs from what
    /// the spec wants is then a conflict, never overwritten).
    pub fn resolve(&mut self, render: &[PlannedFile]) -> bool {
        let Some(compact) = &mut self.compact else { return false };
        let dirs = folders(&self.crates, &compact.groups);
        let hashes = group_hashes(render, &dirs);
        let mut by_group: BTreeMap<&str, Vec<&PlannedFile>> = BTreeMap::new();
        for f in render {
            by_group.entry(group_of(&f.path, &dirs)).or_default().push(f);
        }
        for (group, recorded) in &compact.groups {
            if compact.resolved.contains(group)
                || !hashes.get(group).is_some_and(|h| recorded.contains(h))
            {
                continue;
            }
            for f in by_group.get(group.as_str()).into_iter().flatten() {
                if compact.absent.contains(&f.path) || self.files.contains_key(&f.path) {
                    continue;
                }
                self.files.insert(f.path.clone(), FileRecord::derived(f));
                compact.derived.insert(f.path.clone());
            }
            compact.resolved.insert(group.clone());
        }
        if self.spec.is_none()
            && let Some(spec) = render.iter().find(|f| f.path == trellis_render::SPEC_FILE)
            && compact.specs.contains(&short_hash(&spec.contents))
        {
            self.spec = Some(spec.contents.clone());
        }
        compact.groups.keys().any(|g| !compact.resolved.contains(g))
    }

    /// Parses a ledger's text; `path` only names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Ledger, SyncError> {
        let corrupt =
            |reason: String| SyncError::CorruptLedger { path: path.to_path_buf(), reason };
        let doc: DocumentMut =
            text.parse().map_err(|e| corrupt(format!("not valid TOML: {}", one_line(&e))))?;
        let format = doc
            .get("format")
            .ok_or_else(|| corrupt("it has no `format`".into()))?
            .as_integer()
            .ok_or_else(|| corrupt("`format` is not an integer".into()))?;
        if format > FORMAT {
            return Err(SyncError::NewerLedger {
                path: path.to_path_buf(),
                found: format,
                supported: FORMAT,
            });
        }
        match format {
            1 => parse_v1(&doc).map_err(corrupt),
            2 => parse_v2(&doc).map_err(corrupt),
            _ => Err(corrupt(format!("`format = {format}` is not a ledger format"))),
        }
    }

    /// This machine's full copy of the ledger ([`APPLIED_PATH`]): the same records, every
    /// one on its line, and the spec's text. `None` without a render (a ledger only read
    /// back, never planned).
    pub(crate) fn local_text(&self) -> Option<String> {
        self.render.as_ref().map(|_| self.text(true))
    }

    /// The ledger's text, deterministic: the same ledger always gives the same bytes. One
    /// record a line, sorted, so that git merges two branches' ledgers line by line.
    pub fn to_text(&self) -> String {
        self.text(false)
    }

    /// The text; `full`: every record on a line of its own, and the spec's text.
    fn text(&self, full: bool) -> String {
        let mut lines: Vec<String> = Vec::new();
        let mut explicit: Vec<(&String, &FileRecord)> = Vec::new();
        // In the full copy, the files' lines under a comment naming their folder's hash, so
        // that a later run reads only the folders it cannot resolve otherwise.
        let mut sections: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut folder_hashes: Option<(BTreeSet<&str>, BTreeMap<String, String>)> = None;
        match (&self.render, &self.compact) {
            (Some(render), _) => {
                let dirs: BTreeSet<&str> =
                    self.crates.values().map(String::as_str).filter(|d| !d.is_empty()).collect();
                let hashes = group_hashes(render, &dirs);
                if full {
                    folder_hashes = Some((dirs.clone(), hashes.clone()));
                }
                let rendered: BTreeMap<&str, &PlannedFile> =
                    render.iter().map(|f| (f.path.as_str(), f)).collect();
                // Per folder, the records its hash would give, and the rendered files with no
                // record (each an `absent` line then).
                let mut derived: BTreeMap<&str, Vec<(&String, &FileRecord)>> = BTreeMap::new();
                let mut absent: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                for (path, record) in &self.files {
                    match rendered.get(path.as_str()) {
                        Some(f) if !full && record.is_derived_from(f) => {
                            derived.entry(group_of(path, &dirs)).or_default().push((path, record));
                        }
                        _ => explicit.push((path, record)),
                    }
                }
                for f in render.iter().filter(|f| !self.files.contains_key(&f.path)) {
                    absent.entry(group_of(&f.path, &dirs)).or_default().push(&f.path);
                }
                // A folder is kept as its hash where that takes fewer lines than its records:
                // not an adopted crate, whose sources Trellis never wrote (all `absent`).
                let hashed = |g: &str| {
                    full || absent.get(g).map_or(0, Vec::len) <= derived.get(g).map_or(0, Vec::len)
                };
                for (name, dir) in &self.crates {
                    lines.push(match hashed(dir) {
                        true => crate_line(name, dir, &hashes[dir.as_str()]),
                        false => plain_crate_line(name, dir),
                    });
                }
                if hashed("") {
                    lines.push(format!("{{ workspace = {} }}", quote(&hashes[""])));
                }
                for (group, records) in &derived {
                    if !hashed(group) {
                        explicit.extend(records.iter().copied());
                    }
                }
                for (group, paths) in &absent {
                    if hashed(group) {
                        for p in paths {
                            let line = format!("{{ file = {}, absent = true }}", quote(p));
                            match full {
                                true => sections.entry(hashes[*group].clone()).or_default(),
                                false => &mut lines,
                            }
                            .push(line);
                        }
                    }
                }
            }
            (None, Some(compact)) => {
                for (name, dir) in &self.crates {
                    match compact.groups.get(dir) {
                        Some(hashes) => {
                            lines.extend(hashes.iter().map(|h| crate_line(name, dir, h)));
                        }
                        None => lines.push(plain_crate_line(name, dir)),
                    }
                }
                for hash in compact.groups.get("").into_iter().flatten() {
                    lines.push(format!("{{ workspace = {} }}", quote(hash)));
                }
                for path in &compact.absent {
                    lines.push(format!("{{ file = {}, absent = true }}", quote(path)));
                }
                explicit.extend(self.files.iter().filter(|(p, _)| !compact.derived.contains(*p)));
            }
            (None, None) => {
                lines.extend(self.crates.iter().map(|(name, dir)| plain_crate_line(name, dir)));
                explicit.extend(self.files.iter());
            }
        }
        let section_of = |path: &str| {
            folder_hashes.as_ref().and_then(|(dirs, hashes)| hashes.get(group_of(path, dirs)))
        };
        for (path, record) in explicit {
            match section_of(path).cloned() {
                Some(hash) => sections.entry(hash).or_default().push(record_line(path, record)),
                None => lines.push(record_line(path, record)),
            }
        }
        match (&self.spec, &self.compact) {
            (Some(spec), _) if full => {
                lines.push(format!(
                    "{{ spec = {}, text = {} }}",
                    quote(&short_hash(spec)),
                    quote(spec)
                ));
            }
            (Some(spec), _) if self.render.is_some() || self.compact.is_none() => {
                lines.push(format!("{{ spec = {} }}", quote(&short_hash(spec))));
            }
            (_, Some(compact)) => {
                lines.extend(compact.specs.iter().map(|h| format!("{{ spec = {} }}", quote(h))));
            }
            _ => {}
        }
        for (id, fingerprint) in &self.affirmed {
            lines.push(format!(
                "{{ affirmed = {}, fingerprint = {} }}",
                quote(id),
                quote(fingerprint)
            ));
        }
        lines.sort();
        lines.dedup();
        let mut out = String::with_capacity(256 + lines.iter().map(|l| l.len() + 4).sum::<usize>());
        out.push_str(match full {
            false => {
                "# Trellis' ledger: what Trellis last wrote in this workspace, so that it never\n\
                 # overwrites a byte a person wrote. Commit it with the project; do not edit it.\n\
                 # One record a line: git merges it line by line (see .gitattributes).\n"
            }
            true => {
                "# Trellis' full copy of the ledger it last wrote here, on this machine: what the\n\
                 # ledger's hashes are read back with once the spec moves on. Not committed.\n"
            }
        });
        let _ = writeln!(out, "format = {FORMAT}");
        out.push_str("records = [\n");
        for line in lines {
            let _ = writeln!(out, "  {line},");
        }
        for (hash, mut lines) in sections {
            lines.sort();
            let _ = writeln!(out, "  {SECTION}{hash}");
            for line in lines {
                let _ = writeln!(out, "  {line},");
            }
        }
        out.push_str("]\n");
        out
    }
}

/// In the full copy, the comment line a folder's section of file records begins with, then
/// the folder's hash.
const SECTION: &str = "# folder ";

/// The full copy's text without the sections of the folders whose hash is not in `wanted`
/// (a copy written before sections were is kept whole).
fn sections_wanted(text: &str, wanted: &BTreeSet<&str>) -> String {
    let mut out = String::new();
    let mut keep = true;
    for line in text.lines() {
        if let Some(hash) = line.trim_start().strip_prefix(SECTION) {
            keep = wanted.contains(hash.trim_end());
        } else if keep || line.starts_with(']') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Every crate's folder, kept as a hash or not (and a merge's other folders): the folders the
/// text was written with.
fn folders<'a>(
    crates: &'a BTreeMap<String, String>,
    groups: &'a BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<&'a str> {
    crates.values().chain(groups.keys()).map(String::as_str).filter(|d| !d.is_empty()).collect()
}

/// The folder a path's record is kept under: the deepest of `dirs` it lies in, or `""`.
fn group_of<'a>(path: &str, dirs: &BTreeSet<&'a str>) -> &'a str {
    let mut best = "";
    for (i, _) in path.match_indices('/') {
        if let Some(dir) = dirs.get(&path[..i]) {
            best = dir;
        }
    }
    best
}

/// Per folder in `dirs` (and `""`, the rest), a short hash of `render`'s files there: their
/// paths, owners and texts.
fn group_hashes(render: &[PlannedFile], dirs: &BTreeSet<&str>) -> BTreeMap<String, String> {
    let mut sorted: Vec<&PlannedFile> = render.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut hashers: BTreeMap<&str, Sha256> =
        dirs.iter().chain([&""]).map(|d| (*d, Sha256::new())).collect();
    for f in sorted {
        let hasher = hashers.get_mut(group_of(&f.path, dirs)).expect("every group has a hasher");
        for part in
            [f.path.as_bytes(), ownership_str(f.ownership).as_bytes(), f.contents.as_bytes()]
        {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
    }
    hashers.into_iter().map(|(d, h)| (d.to_owned(), hex(&h.finalize()[..8]))).collect()
}

fn crate_line(name: &str, dir: &str, hash: &str) -> String {
    let dir = if dir.is_empty() { "." } else { dir };
    format!("{{ crate = {}, path = {}, files = {} }}", quote(name), quote(dir), quote(hash))
}

/// A crate without the hash of its files: every record of them is on a line of its own.
fn plain_crate_line(name: &str, dir: &str) -> String {
    let dir = if dir.is_empty() { "." } else { dir };
    format!("{{ crate = {}, path = {} }}", quote(name), quote(dir))
}

fn record_line(path: &str, record: &FileRecord) -> String {
    let mut line = format!(
        "{{ file = {}, ownership = {}, hash = {}",
        quote(path),
        quote(ownership_str(record.ownership)),
        quote(&record.hash)
    );
    if let Some(rendered) = &record.rendered {
        let _ = write!(line, ", rendered = {}", quote(rendered));
    }
    if record.whole {
        line.push_str(", whole = true");
    }
    if let Some(base) = &record.base {
        let _ = write!(line, ", base = {}", quote(base));
    }
    if !record.keys.is_empty() {
        let keys: Vec<String> = record
            .keys
            .iter()
            .map(|(key, hash)| format!("{} = {}", key_repr(&dotted(key)), quote(hash)))
            .collect();
        let _ = write!(line, ", keys = {{ {} }}", keys.join(", "));
    }
    line.push_str(" }");
    line
}

/// A format-2 ledger: `records`, one inline table each.
fn parse_v2(doc: &DocumentMut) -> Result<Ledger, String> {
    let mut ledger = Ledger::default();
    let mut compact = Compact::default();
    for (key, _) in doc.iter() {
        if !matches!(key, "format" | "records") {
            return Err(format!("unknown key `{key}`"));
        }
    }
    let records = doc
        .get("records")
        .and_then(Item::as_array)
        .ok_or("`records` is missing or not an array")?;
    for (n, record) in records.iter().enumerate() {
        let table = record.as_inline_table().ok_or(format!("record {} is not a table", n + 1))?;
        let at = |reason: String| format!("record {}: {reason}", n + 1);
        let text = |key: &str| -> Result<String, String> {
            table
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| at(format!("`{key}` is missing or not a string")))
        };
        let keys: BTreeSet<&str> = table.iter().map(|(k, _)| k).collect();
        let only = |allowed: &[&str]| -> Result<(), String> {
            match keys.iter().find(|k| !allowed.contains(k)) {
                Some(k) => Err(at(format!("unknown key `{k}`"))),
                None => Ok(()),
            }
        };
        if keys.contains("crate") {
            only(&["crate", "path", "files"])?;
            let name = text("crate")?;
            let dir = text("path")?;
            let dir = if dir == "." { String::new() } else { dir };
            if !dir.is_empty() {
                fsx::check_rel(&dir).map_err(|e| at(e.to_string()))?;
            }
            if keys.contains("files") {
                let hash = hex_text(&text("files")?, 16, "files").map_err(at)?;
                compact.groups.entry(dir.clone()).or_default().insert(hash);
            }
            ledger.crates.insert(name, dir);
        } else if keys.contains("workspace") {
            only(&["workspace"])?;
            let hash = hex_text(&text("workspace")?, 16, "workspace").map_err(at)?;
            compact.groups.entry(String::new()).or_default().insert(hash);
        } else if keys.contains("spec") {
            // With its text in this machine's full copy.
            only(&["spec", "text"])?;
            compact.specs.insert(hex_text(&text("spec")?, 16, "spec").map_err(at)?);
            if keys.contains("text") {
                ledger.spec = Some(text("text")?);
            }
        } else if keys.contains("affirmed") {
            only(&["affirmed", "fingerprint"])?;
            ledger.affirmed.insert(text("affirmed")?, text("fingerprint")?);
        } else if keys.contains("file") {
            let path = text("file")?;
            fsx::check_rel(&path).map_err(|e| at(e.to_string()))?;
            if keys.contains("absent") {
                only(&["file", "absent"])?;
                compact.absent.insert(path);
                continue;
            }
            let record = parse_record(table).map_err(|e| at(format!("file `{path}`: {e}")))?;
            // Two branches' records of one file: the first is as good as the other.
            ledger.files.entry(path).or_insert(record);
        } else {
            return Err(at("not a record Trellis knows".into()));
        }
    }
    ledger.compact = Some(compact);
    Ok(ledger)
}

/// A format-1 ledger: one table a file, the spec's text and the seeded files' texts inside.
fn parse_v1(doc: &DocumentMut) -> Result<Ledger, String> {
    let mut ledger = Ledger::default();
    for (key, item) in doc.iter() {
        match key {
            "format" => {}
            "spec" => {
                let text = item.as_str().ok_or("`spec` is not a string")?;
                ledger.spec = Some(text.to_owned());
            }
            "crates" => {
                let table = item.as_table_like().ok_or("`crates` is not a table")?;
                for (name, dir) in table.iter() {
                    let dir = dir
                        .as_str()
                        .ok_or_else(|| format!("crate `{name}`: folder is not a string"))?;
                    // `.` is the package at the root (folder `""` inside Trellis).
                    let dir = if dir == "." { "" } else { dir };
                    if !dir.is_empty() {
                        fsx::check_rel(dir).map_err(|e| e.to_string())?;
                    }
                    ledger.crates.insert(name.to_owned(), dir.to_owned());
                }
            }
            "files" => {
                let table = item.as_table_like().ok_or("`files` is not a table")?;
                for (file, record) in table.iter() {
                    fsx::check_rel(file).map_err(|e| e.to_string())?;
                    let record = record
                        .as_table_like()
                        .ok_or_else(|| "not a table".to_owned())
                        .and_then(parse_record)
                        .map_err(|reason| format!("file `{file}`: {reason}"))?;
                    ledger.files.insert(file.to_owned(), record);
                }
            }
            "affirmed" => {
                let table = item.as_table_like().ok_or("`affirmed` is not a table")?;
                for (id, fingerprint) in table.iter() {
                    let fingerprint = fingerprint.as_str().ok_or_else(|| {
                        format!("affirmed `{id}`: the fingerprint is not a string")
                    })?;
                    ledger.affirmed.insert(id.to_owned(), fingerprint.to_owned());
                }
            }
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    Ok(ledger)
}

fn parse_record(table: &dyn toml_edit::TableLike) -> Result<FileRecord, String> {
    let mut ownership = None;
    let mut hash = None;
    let mut rendered = None;
    let mut whole = None;
    let mut base = None;
    let mut keys = BTreeMap::new();
    for (key, value) in table.iter() {
        match key {
            // The path, in a format-2 record.
            "file" => {}
            "ownership" => {
                ownership = Some(match value.as_str() {
                    Some("manifest") => Ownership::Manifest,
                    Some("seeded") => Ownership::Seeded,
                    Some("once") => Ownership::Once,
                    _ => return Err("`ownership` is not `manifest`, `seeded` or `once`".into()),
                });
            }
            "hash" => hash = Some(hex_field(value, 64, "hash")?),
            "rendered" => rendered = Some(hex_field(value, 64, "rendered")?),
            "whole" => whole = Some(value.as_bool().ok_or("`whole` is not a boolean")?),
            "base" => base = Some(value.as_str().ok_or("`base` is not a string")?.to_owned()),
            "keys" => {
                let table = value.as_table_like().ok_or("`keys` is not a table")?;
                for (dotted, hash) in table.iter() {
                    let path = Key::parse(dotted)
                        .map_err(|_| format!("key `{dotted}` is not a TOML key path"))?
                        .into_iter()
                        .map(|k| k.get().to_owned())
                        .collect::<Vec<_>>();
                    keys.insert(path, hex_field(hash, 16, "key hash")?);
                }
            }
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    let hash = hash.ok_or("no `hash`")?;
    Ok(FileRecord {
        ownership: ownership.ok_or("no `ownership`")?,
        whole: whole.unwrap_or(rendered.as_ref() == Some(&hash)),
        hash,
        rendered,
        keys,
        base,
    })
}

fn hex_field(item: &Item, len: usize, what: &str) -> Result<String, String> {
    hex_text(item.as_str().unwrap_or_default(), len, what)
}

fn hex_text(s: &str, len: usize, what: &str) -> Result<String, String> {
    match s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        true => Ok(s.to_owned()),
        false => Err(format!("`{what}` is not {len} lowercase hex digits")),
    }
}

fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_owned()
}

pub(crate) fn ownership_str(o: Ownership) -> &'static str {
    match o {
        Ownership::Manifest => "manifest",
        Ownership::Seeded => "seeded",
        Ownership::Once => "once",
    }
}

/// A key path as TOML writes it (`workspace.members."crates/a"`).
pub(crate) fn dotted(path: &[String]) -> String {
    let parts: Vec<String> = path.iter().map(|p| key_repr(p)).collect();
    parts.join(".")
}

fn key_repr(s: &str) -> String {
    Key::new(s).display_repr().into_owned()
}

/// A TOML basic string on one line, whatever `s` holds: every record keeps to its line.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let _ = toml_writer::TomlStringBuilder::new(s).as_basic().write_toml_value(&mut out);
    out
}

/// The full SHA-256 of some bytes, in lowercase hex.
pub(crate) fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A short (64-bit) SHA-256 of a manifest value's canonical text: enough to see a change.
pub(crate) fn short_hash(text: &str) -> String {
    short_hash_bytes(text.as_bytes())
}

fn short_hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..8])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests;
