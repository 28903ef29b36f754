//! The journal at `.trellis/journal.toml`: every change an `apply` is about to make, written
//! before the first one and removed after the last, so that a run stopped anywhere (killed, a
//! full disk, cargo refusing the result) can be rolled back to the state before it.
//!
//! Rollback, not roll-forward: the spec may have changed since the stopped run, so the only
//! state worth returning to is the one the person last saw. Rollback never overwrites a file a
//! person changed since the run began: such a file is left as it is and reported.
//!
//! The journal is written and read by hand, like the ledger (see `ledger/text.rs`), not with
//! serde. The reason is exactness: a rollback puts back a file's bytes as they were, and a
//! serializer (toml_edit's, through its `serde` feature) writes text with line breaks as a
//! multi-line string (`toml_writer`'s `as_default`), whose line breaks the TOML spec lets a
//! reader normalize; here every string is one basic string on one line, its breaks escaped.
//! Besides, a file's bytes go in as a readable string where they are UTF-8 and as hex under
//! `<key>-hex` where they are not, the text opens with a comment for the person who finds it,
//! and a journal an older Trellis left (format 1) must still be read, with errors that name
//! the change at fault.

use std::fmt::Write as _;
use std::path::Path;

use toml_edit::{DocumentMut, Item};

use crate::SyncError;
use crate::fsx::{self, Root};
use crate::ledger::{LEDGER_PATH, hash_bytes};

/// Where the journal lives, relative to the workspace root.
pub const JOURNAL_PATH: &str = ".trellis/journal.toml";

/// The newest journal format this build reads and the one it writes.
/// Format 2 added the folders a run creates (`kind = "folder"`).
pub const JOURNAL_FORMAT: i64 = 2;

/// One change an `apply` makes, with what it takes to undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// A crate folder moves (`renamed-from`, or a new `path`).
    Move { from: String, to: String },
    /// A file is written: its bytes before (`None`: it was absent) and the hash of the bytes
    /// the run writes.
    Write { path: String, before: Option<Vec<u8>>, after: String },
    /// A file is deleted (`--prune`): its bytes before.
    Delete { path: String, before: Vec<u8> },
    /// A folder the run creates (it is absent before the run): a rollback removes it again
    /// when nothing but what the run wrote was in it, so that a recovered workspace holds no
    /// folder a run that never started would not have made (cargo refuses an empty folder a
    /// `members` glob names).
    Folder { path: String },
}

/// An `apply` in progress: its changes in the order it makes them, and the ledger before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Journal {
    /// The ledger's bytes before the run (`None`: there was none). The ledger is Trellis' own
    /// and never edited by hand, so a rollback always puts these back.
    pub(crate) ledger_before: Option<Vec<u8>>,
    pub(crate) changes: Vec<Change>,
}

/// What a rollback did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rollback {
    /// Changes undone: files put back as they were (or deleted again when the run created
    /// them), folders moved back (`new -> old`), the ledger restored.
    pub undone: Vec<String>,
    /// Files a person changed since the run began (neither what was there before nor what the
    /// run wrote): left as they are.
    pub kept: Vec<String>,
}

impl Journal {
    /// Reads the journal of the workspace, if an `apply` left one.
    pub(crate) fn load(root: &Root) -> Result<Option<Journal>, SyncError> {
        let Some(bytes) = root.read(JOURNAL_PATH)? else { return Ok(None) };
        let path = root.abs(JOURNAL_PATH);
        let text = String::from_utf8(bytes).map_err(|_| SyncError::CorruptJournal {
            path: path.clone(),
            reason: "it is not UTF-8".into(),
        })?;
        Journal::parse(&text, &path).map(Some)
    }

    /// The journal's text: deterministic, and readable by a person who wants to know what an
    /// interrupted run was doing.
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::from(
            "# Trellis' journal: an `apply` in progress, or one that was interrupted. The next\n\
             # `apply` rolls it back to the state before that run. Do not edit it.\n",
        );
        let _ = writeln!(out, "format = {JOURNAL_FORMAT}");
        if let Some(bytes) = &self.ledger_before {
            bytes_field(&mut out, "ledger-before", bytes);
        }
        for change in &self.changes {
            out.push_str("\n[[changes]]\n");
            match change {
                Change::Move { from, to } => {
                    let _ = writeln!(
                        out,
                        "kind = \"move\"\nfrom = {}\nto = {}",
                        quote(from),
                        quote(to)
                    );
                }
                Change::Write { path, before, after } => {
                    let _ = writeln!(out, "kind = \"write\"\npath = {}", quote(path));
                    let _ = writeln!(out, "after = {}", quote(after));
                    if let Some(bytes) = before {
                        bytes_field(&mut out, "before", bytes);
                    }
                }
                Change::Delete { path, before } => {
                    let _ = writeln!(out, "kind = \"delete\"\npath = {}", quote(path));
                    bytes_field(&mut out, "before", before);
                }
                Change::Folder { path } => {
                    let _ = writeln!(out, "kind = \"folder\"\npath = {}", quote(path));
                }
            }
        }
        out
    }

    /// Parses a journal's text; `path` only names it in errors.
    pub(crate) fn parse(text: &str, path: &Path) -> Result<Journal, SyncError> {
        let corrupt =
            |reason: String| SyncError::CorruptJournal { path: path.to_path_buf(), reason };
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            corrupt(format!("not valid TOML: {}", e.message()))
        })?;
        let format = doc
            .get("format")
            .and_then(Item::as_integer)
            .ok_or_else(|| corrupt("it has no integer `format`".into()))?;
        if format > JOURNAL_FORMAT {
            return Err(SyncError::NewerJournal {
                path: path.to_path_buf(),
                found: format,
                supported: JOURNAL_FORMAT,
            });
        }
        if format < 1 {
            return Err(corrupt(format!("`format = {format}` is not a journal format")));
        }
        let mut journal = Journal::default();
        for (key, item) in doc.iter() {
            match key {
                "format" => {}
                "ledger-before" | "ledger-before-hex" => {
                    journal.ledger_before = Some(bytes_of(key, item).map_err(corrupt)?);
                }
                "changes" => {
                    let array = item
                        .as_array_of_tables()
                        .ok_or_else(|| corrupt("`changes` is not an array of tables".into()))?;
                    for (i, table) in array.iter().enumerate() {
                        let change = parse_change(table)
                            .map_err(|reason| corrupt(format!("change {}: {reason}", i + 1)))?;
                        journal.changes.push(change);
                    }
                }
                other => return Err(corrupt(format!("unknown key `{other}`"))),
            }
        }
        Ok(journal)
    }

    /// The folders the run wrote files in, as they are after a rollback too: each file's
    /// folder, and where a folder the run moved holds it, the same folder under the move's
    /// old path (a rollback moves the folder back, with whatever a write killed halfway left
    /// in it).
    pub(crate) fn written_folders(&self) -> std::collections::BTreeSet<String> {
        let moves: Vec<(&str, &str)> = self
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Move { from, to } => Some((from.as_str(), to.as_str())),
                _ => None,
            })
            .collect();
        let mut folders = std::collections::BTreeSet::new();
        for path in self.paths() {
            let Some((folder, _)) = path.rsplit_once('/') else { continue };
            for (from, to) in &moves {
                if let Some(rest) = folder.strip_prefix(to)
                    && (rest.is_empty() || rest.starts_with('/'))
                {
                    folders.insert(format!("{from}{rest}"));
                }
            }
            folders.insert(folder.to_owned());
        }
        folders
    }

    /// Every workspace-relative path the journal names (files, and both ends of moves).
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.changes.iter().flat_map(|c| match c {
            Change::Move { from, to } => vec![from.as_str(), to.as_str()],
            Change::Write { path, .. } | Change::Delete { path, .. } | Change::Folder { path } => {
                vec![path.as_str()]
            }
        })
    }
}

fn parse_change(table: &toml_edit::Table) -> Result<Change, String> {
    let mut fields = std::collections::BTreeMap::new();
    let mut before = None;
    for (key, item) in table.iter() {
        match key {
            "kind" | "path" | "from" | "to" | "after" => {
                let s = item.as_str().ok_or(format!("`{key}` is not a string"))?;
                if key != "kind" && key != "after" {
                    fsx::check_rel(s).map_err(|e| e.to_string())?;
                }
                fields.insert(key, s.to_owned());
            }
            "before" | "before-hex" => before = Some(bytes_of(key, item)?),
            other => return Err(format!("unknown key `{other}`")),
        }
    }
    let mut take = |key: &str| fields.remove(key).ok_or(format!("no `{key}`"));
    match take("kind")?.as_str() {
        "move" => Ok(Change::Move { from: take("from")?, to: take("to")? }),
        "write" => Ok(Change::Write { path: take("path")?, before, after: take("after")? }),
        "delete" => {
            Ok(Change::Delete { path: take("path")?, before: before.ok_or("no `before`")? })
        }
        "folder" => Ok(Change::Folder { path: take("path")? }),
        other => Err(format!("unknown kind `{other}`")),
    }
}

/// Bytes as a TOML string when they are UTF-8 (readable), else as hex under `<key>-hex`.
fn bytes_field(out: &mut String, key: &str, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let _ = writeln!(out, "{key} = {}", quote(text));
        }
        Err(_) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, "{key}-hex = \"{hex}\"");
        }
    }
}

fn bytes_of(key: &str, item: &Item) -> Result<Vec<u8>, String> {
    let s = item.as_str().ok_or(format!("`{key}` is not a string"))?;
    if !key.ends_with("-hex") {
        return Ok(s.as_bytes().to_vec());
    }
    let digits = s.as_bytes();
    if digits.len() % 2 != 0 {
        return Err(format!("`{key}` is not hex"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or(format!("`{key}` is not hex"))
        })
        .collect()
}

/// One basic string on one line (see the module's docs for why).
fn quote(s: &str) -> String {
    trellis_spec::toml_str(s)
}

/// Rolls the journal's changes back, last first, to the state before the run; then the ledger.
/// A file that holds neither its bytes from before the run nor the bytes the run wrote was
/// changed by a person since: it is left as it is and listed in [`Rollback::kept`]. The journal
/// itself is left for the caller to remove once this succeeded.
pub(crate) fn rollback(root: &Root, journal: &Journal) -> Result<Rollback, SyncError> {
    let mut out = Rollback::default();
    // The moves come first in a run, and a run stops at its first failure: a move not done means
    // no file under its new folder was touched (that path is still under the old folder).
    let mut not_moved = Vec::new();
    for change in &journal.changes {
        if let Change::Move { to, .. } = change
            && !root.dir_exists(to)?
        {
            not_moved.push(to.as_str());
        }
    }
    let under = |path: &str, dir: &str| path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    for change in journal.changes.iter().rev() {
        match change {
            Change::Move { .. } | Change::Folder { .. } => {}
            Change::Write { path, before, after } => {
                if not_moved.iter().any(|dir| under(path, dir)) {
                    continue;
                }
                let cur = root.read(path)?;
                if cur == *before {
                    continue;
                }
                if cur.as_deref().map(hash_bytes).as_deref() != Some(after.as_str()) {
                    out.kept.push(path.clone());
                    continue;
                }
                match before {
                    Some(bytes) => root.write(path, bytes)?,
                    None => root.remove(path)?,
                }
                out.undone.push(path.clone());
            }
            Change::Delete { path, before } => {
                if not_moved.iter().any(|dir| under(path, dir)) {
                    continue;
                }
                match root.read(path)? {
                    None => {
                        root.write(path, before)?;
                        out.undone.push(path.clone());
                    }
                    Some(cur) if cur == *before => {}
                    Some(_) => out.kept.push(path.clone()),
                }
            }
        }
    }
    if root.read(LEDGER_PATH)? != journal.ledger_before {
        match &journal.ledger_before {
            Some(bytes) => root.write(LEDGER_PATH, bytes)?,
            None => root.remove(LEDGER_PATH)?,
        }
        out.undone.push(LEDGER_PATH.to_owned());
    }
    for change in journal.changes.iter().rev() {
        let Change::Move { from, to } = change else { continue };
        match (root.dir_exists(to)?, root.dir_exists(from)?) {
            (true, false) => {
                root.move_dir(to, from)?;
                // The folders the move made for its target go with it, when nothing else is in them.
                root.remove_empty_parents(to);
                out.undone.push(format!("{to} -> {from}"));
            }
            (false, _) => {}
            // Someone made the old folder again meanwhile: both are theirs to sort out.
            (true, true) => out.kept.push(to.clone()),
        }
    }
    // Deepest first, so that a folder the run made inside another it made goes first. The
    // temporary files a killed write left are the run's too; anything else keeps the folder.
    let mut folders: Vec<&str> = journal
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Folder { path } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    folders.sort_by_key(|f| std::cmp::Reverse(f.matches('/').count()));
    for folder in folders {
        if root.dir_exists(folder)? {
            root.sweep_temps([folder])?;
            if root.remove_empty_dir(folder)? {
                out.undone.push(format!("{folder}/"));
            }
        }
    }
    Ok(out)
}
