//! The ledger at `.trellis/ledger.toml`: for every file Trellis wrote, a hash of what it wrote,
//! and for every manifest the keys it owns. It is how Trellis tells its own bytes from a
//! person's; it is committed with the project and written last by every `apply`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml_edit::{DocumentMut, Item, Key, Value};
use trellis_render::Ownership;

use crate::SyncError;
use crate::fsx::{self, Root};

/// Where the ledger lives, relative to the workspace root.
pub const LEDGER_PATH: &str = ".trellis/ledger.toml";
/// The lock file that keeps two `apply` runs apart (not committed).
pub(crate) const LOCK_PATH: &str = ".trellis/apply.lock";
/// Keeps the lock file out of version control without touching the root `.gitignore`.
pub(crate) const IGNORE_PATH: &str = ".trellis/.gitignore";
pub(crate) const IGNORE_TEXT: &str = "# Written by Trellis: the lock is per machine.\napply.lock\n";

/// The newest ledger format this build reads and the one it writes.
pub const FORMAT: i64 = 1;

/// A key path inside a manifest, one component per table level (`["package", "edition"]`);
/// for an array Trellis manages element by element (`workspace.members`), the last component
/// is the element.
pub(crate) type KeyPath = Vec<String>;

/// What Trellis last wrote in one workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Crate name → its folder, for every crate Trellis planned last time.
    pub(crate) crates: BTreeMap<String, String>,
    /// Workspace-relative path → what Trellis knows about the file.
    pub(crate) files: BTreeMap<String, FileRecord>,
    /// The spec (`Trellis.toml`'s text) Trellis last planned the workspace from: what `infer`
    /// reads back the facts cargo does not hold from (the system's name, the layers).
    pub(crate) spec: Option<String>,
    /// Requirement id → the fingerprint of its text that a person's test was last affirmed
    /// against (`trellis_trace::fingerprint`): when the spec's text moves on, the requirement
    /// is suspect until someone affirms the test again.
    pub(crate) affirmed: BTreeMap<String, String>,
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
    /// `whole = true`; a ledger without the key had it where `rendered` equals `hash`.
    pub(crate) whole: bool,
    /// Manifests only: every key Trellis owns, with a short hash of its value.
    pub(crate) keys: BTreeMap<KeyPath, String>,
    /// Seeded files only: the text Trellis last wrote (whose hash is `hash`), the base of a
    /// three-way merge when both a person and the spec change the file.
    pub(crate) base: Option<String>,
}

impl Ledger {
    /// Reads the ledger of the workspace at `root`: empty when there is none (or no workspace
    /// yet); an error when it is corrupt or from a newer Trellis.
    pub fn load(root: &Path) -> Result<Ledger, SyncError> {
        Ledger::load_in(&Root::new(root))
    }

    pub(crate) fn load_in(root: &Root) -> Result<Ledger, SyncError> {
        match root.read(LEDGER_PATH)? {
            None => Ok(Ledger::default()),
            Some(bytes) => {
                let path = root.abs(LEDGER_PATH);
                let text = String::from_utf8(bytes).map_err(|_| SyncError::CorruptLedger {
                    path: path.clone(),
                    reason: "it is not UTF-8".into(),
                })?;
                Ledger::parse(&text, &path)
            }
        }
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
    /// a ledger written before it was kept.
    pub fn spec(&self) -> Option<&str> {
        self.spec.as_deref()
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
        if format < 1 {
            return Err(corrupt(format!("`format = {format}` is not a ledger format")));
        }
        let mut ledger = Ledger::default();
        for (key, item) in doc.iter() {
            match key {
                "format" => {}
                "spec" => {
                    let text =
                        item.as_str().ok_or_else(|| corrupt("`spec` is not a string".into()))?;
                    ledger.spec = Some(text.to_owned());
                }
                "crates" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| corrupt("`crates` is not a table".into()))?;
                    for (name, dir) in table.iter() {
                        let dir = dir.as_str().ok_or_else(|| {
                            corrupt(format!("crate `{name}`: folder is not a string"))
                        })?;
                        // `.` is the package at the root (folder `""` inside Trellis).
                        let dir = if dir == "." { "" } else { dir };
                        if !dir.is_empty() {
                            fsx::check_rel(dir).map_err(|e| corrupt(e.to_string()))?;
                        }
                        ledger.crates.insert(name.to_owned(), dir.to_owned());
                    }
                }
                "files" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| corrupt("`files` is not a table".into()))?;
                    for (file, record) in table.iter() {
                        fsx::check_rel(file).map_err(|e| corrupt(e.to_string()))?;
                        let record = parse_record(record)
                            .map_err(|reason| corrupt(format!("file `{file}`: {reason}")))?;
                        ledger.files.insert(file.to_owned(), record);
                    }
                }
                "affirmed" => {
                    let table = item
                        .as_table_like()
                        .ok_or_else(|| corrupt("`affirmed` is not a table".into()))?;
                    for (id, fingerprint) in table.iter() {
                        let fingerprint = fingerprint.as_str().ok_or_else(|| {
                            corrupt(format!("affirmed `{id}`: the fingerprint is not a string"))
                        })?;
                        ledger.affirmed.insert(id.to_owned(), fingerprint.to_owned());
                    }
                }
                other => return Err(corrupt(format!("unknown key `{other}`"))),
            }
        }
        Ok(ledger)
    }

    /// The ledger's text, deterministic: the same ledger always gives the same bytes.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(64 + self.files.len() * 160);
        out.push_str(
            "# Trellis' ledger: what Trellis last wrote in this workspace, so that it never\n\
             # overwrites a byte a person wrote. Commit it with the project; do not edit it.\n",
        );
        let _ = writeln!(out, "format = {FORMAT}");
        if let Some(spec) = &self.spec {
            let _ = writeln!(out, "spec = {}", quote(spec));
        }
        if !self.crates.is_empty() {
            out.push_str("\n[crates]\n");
            for (name, dir) in &self.crates {
                let dir = if dir.is_empty() { "." } else { dir.as_str() };
                let _ = writeln!(out, "{} = {}", key_repr(name), quote(dir));
            }
        }
        if !self.affirmed.is_empty() {
            out.push_str("\n[affirmed]\n");
            for (id, fingerprint) in &self.affirmed {
                let _ = writeln!(out, "{} = {}", key_repr(id), quote(fingerprint));
            }
        }
        for (path, record) in &self.files {
            let _ = writeln!(out, "\n[files.{}]", key_repr(path));
            let _ = writeln!(out, "ownership = {}", quote(ownership_str(record.ownership)));
            let _ = writeln!(out, "hash = {}", quote(&record.hash));
            if let Some(rendered) = &record.rendered {
                let _ = writeln!(out, "rendered = {}", quote(rendered));
            }
            if record.whole && record.rendered.as_ref() != Some(&record.hash) {
                out.push_str("whole = true\n");
            }
            if let Some(base) = &record.base {
                let _ = writeln!(out, "base = {}", quote(base));
            }
            if !record.keys.is_empty() {
                let _ = writeln!(out, "\n[files.{}.keys]", key_repr(path));
                for (key, hash) in &record.keys {
                    let _ = writeln!(out, "{} = {}", key_repr(&dotted(key)), quote(hash));
                }
            }
        }
        out
    }
}

fn parse_record(item: &Item) -> Result<FileRecord, String> {
    let table = item.as_table_like().ok_or("not a table")?;
    let mut ownership = None;
    let mut hash = None;
    let mut rendered = None;
    let mut whole = None;
    let mut base = None;
    let mut keys = BTreeMap::new();
    for (key, value) in table.iter() {
        match key {
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
    match item.as_str() {
        Some(s) if s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            Ok(s.to_owned())
        }
        _ => Err(format!("`{what}` is not {len} lowercase hex digits")),
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

fn quote(s: &str) -> String {
    Value::from(s).to_string()
}

/// The full SHA-256 of some bytes, in lowercase hex.
pub(crate) fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A short (64-bit) SHA-256 of a manifest value's canonical text: enough to see a change.
pub(crate) fn short_hash(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes())[..8])
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests;
