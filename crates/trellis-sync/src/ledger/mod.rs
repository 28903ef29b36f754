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
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Key};
use trellis_render::{Ownership, PlannedFile};

use crate::SyncError;
use crate::fsx::Root;

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

    /// The folder Trellis last knew a spec crate in, under the name it had then (its
    /// `renamed-from`, else its name), when that differs from the folder the spec gives it
    /// now: the crate moves in the next `apply`.
    pub fn moving_from(&self, c: &trellis_spec::CrateSpec) -> Option<&str> {
        let was = c.renamed_from.as_ref().map_or(c.name.as_str(), |from| from.name.as_str());
        self.crate_dir(was).filter(|dir| *dir != c.path || was != c.name.as_str())
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
        let text = text::sections_wanted(&text, &wanted);
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
}

/// Every crate's folder, kept as a hash or not (and a merge's other folders): the folders the
/// text was written with.
pub(super) fn folders<'a>(
    crates: &'a BTreeMap<String, String>,
    groups: &'a BTreeMap<String, BTreeSet<String>>,
) -> BTreeSet<&'a str> {
    crates.values().chain(groups.keys()).map(String::as_str).filter(|d| !d.is_empty()).collect()
}

/// The folder a path's record is kept under: the deepest of `dirs` it lies in, or `""`.
pub(super) fn group_of<'a>(path: &str, dirs: &BTreeSet<&'a str>) -> &'a str {
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
pub(super) fn group_hashes(
    render: &[PlannedFile],
    dirs: &BTreeSet<&str>,
) -> BTreeMap<String, String> {
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

pub(super) fn key_repr(s: &str) -> String {
    Key::new(s).display_repr().into_owned()
}

/// The full SHA-256 of some bytes, in lowercase hex.
pub(crate) fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A short (64-bit) SHA-256 of a manifest value's canonical text: enough to see a change.
pub(crate) fn short_hash(text: &str) -> String {
    short_hash_bytes(text.as_bytes())
}

pub(super) fn short_hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..8])
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

mod text;

#[cfg(test)]
mod tests;
