//! The ledger's text, written and read.
//!
//! Written by hand, not with serde: the text is a merge contract, not a serialisation. One
//! record a line, sorted, in one `records` array of inline tables, with the full copy's
//! folder sections as comment lines (`# folder <hash>`) among them, is what git's `union`
//! driver merges line by line (docs/sync.md, "Branches and merges"). A serde serializer
//! (`toml`'s) decides the layout itself: it neither keeps each record on one line in a fixed
//! key order nor writes comments, so the bytes, and with them every merge of two branches'
//! ledgers, would change. Reading stays with toml_edit for the same reason: every record kind
//! (crate, workspace, spec, affirmed, file, absent) is told apart by its keys, with an error
//! that names the record, which an untagged serde enum would blur.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use toml_edit::{DocumentMut, Item, Key, Value};
use toml_writer::WriteTomlValue as _;

use trellis_render::{Ownership, PlannedFile};

use super::{
    Compact, FORMAT, FileRecord, Ledger, dotted, group_hashes, group_of, key_repr, ownership_str,
    short_hash,
};
use crate::SyncError;
use crate::fsx;

impl Ledger {
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
pub(super) const SECTION: &str = "# folder ";

/// The full copy's text without the sections of the folders whose hash is not in `wanted`
/// (a copy written before sections were is kept whole).
pub(super) fn sections_wanted(text: &str, wanted: &BTreeSet<&str>) -> String {
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

/// A TOML basic string on one line, whatever `s` holds: every record keeps to its line.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let _ = toml_writer::TomlStringBuilder::new(s).as_basic().write_toml_value(&mut out);
    out
}
