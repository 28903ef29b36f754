//! Why an entry of a plan is what it is, when its action alone does not say it: one variant
//! per reason, so that callers branch on the reason and people read its `Display`.

use std::fmt;

/// Why an entry is what it is. Its `Display` is the sentence `plan` and `apply` show in
/// parentheses after the path (and as `"note"` in their JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// A crate's folder moves to the `path` the spec gives it, under the same name.
    Moved {
        /// The crate.
        name: String,
    },
    /// A crate is renamed (`renamed-from`), and its folder moves with it.
    Renamed {
        /// The crate's name before.
        from: String,
        /// Its name now.
        to: String,
    },
    /// A rename whose old and new folders both exist: a conflict.
    BothFoldersExist {
        /// The crate's name before.
        from: String,
        /// Its name now.
        to: String,
    },
    /// A file the spec no longer renders stays, and why.
    Kept(Kept),
    /// A person removed a seeded module and its `mod` line: it is not made again.
    ModuleDeleted,
    /// The file still holds conflict markers: a conflict until they are resolved.
    UnresolvedMarkers,
    /// A person edited the file, and Trellis' new version is what it already held.
    NothingNew,
    /// `--accept` settled the conflict in the person's favour.
    ConflictAccepted,
    /// A person edited the file and Trellis' change merged into it cleanly.
    Merged,
    /// A person and the spec changed the same lines; `--write-conflicts` wrote the markers.
    MarkersWritten,
    /// A person and the spec changed the same lines: the file is kept as it is.
    SameLines,
    /// A person edited the file, and Trellis has a new version of it: kept as it is.
    EditedAndChanged,
    /// A file Trellis did not write is where the spec puts one of its own.
    InTheWay,
    /// A manifest that is not UTF-8 cannot be merged.
    NotUtf8,
    /// A manifest that is not TOML cannot be merged.
    NotToml {
        /// The TOML parser's message.
        reason: String,
    },
    /// The merge would touch a person's text at these keys: a conflict.
    Keys {
        /// The keys, as dotted paths (`dependencies.serde`).
        keys: Vec<String>,
        /// The file has other changes, which wait until these keys are resolved.
        others_wait: bool,
    },
    /// The manifest of a package the spec does not declare, whose paths follow crates
    /// that move.
    FollowsMoves,
    /// Held back while other manifests are in conflict: manifests change together.
    Waits {
        /// The manifests in conflict, workspace-relative.
        on: Vec<String>,
    },
    /// A person saved the file while `apply` ran: kept as it was saved.
    SavedDuringApply,
    /// Cargo refuses the change ([`crate::Judge`]): held back.
    RefusedByCargo {
        /// Cargo's message, shortened to its innermost cause.
        reason: String,
    },
}

/// Why a file the spec no longer renders (an orphan) stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// A person changed it since Trellis wrote it.
    Changed,
    /// Unchanged, but it declares a test a person made real (the requirements' `main.rs`).
    WiresKeptTest,
    /// Unchanged, but its crate holds changed files: a crate is pruned whole or not at all.
    CrateHoldsChanges,
    /// Unchanged, and no `--prune` asked for it to go.
    NotInSpec,
}

impl Note {
    /// The reason's stable name, for machines (`"note_kind"` in the JSON of `plan` and
    /// `apply`): kebab-case, one per variant.
    pub fn kind(&self) -> &'static str {
        match self {
            Note::Moved { .. } => "moved",
            Note::Renamed { .. } => "renamed",
            Note::BothFoldersExist { .. } => "both-folders-exist",
            Note::Kept(Kept::Changed) => "kept-changed",
            Note::Kept(Kept::WiresKeptTest) => "kept-wires-a-kept-test",
            Note::Kept(Kept::CrateHoldsChanges) => "kept-crate-holds-changes",
            Note::Kept(Kept::NotInSpec) => "kept-not-in-spec",
            Note::ModuleDeleted => "module-deleted",
            Note::UnresolvedMarkers => "unresolved-markers",
            Note::NothingNew => "nothing-new",
            Note::ConflictAccepted => "conflict-accepted",
            Note::Merged => "merged",
            Note::MarkersWritten => "markers-written",
            Note::SameLines => "same-lines",
            Note::EditedAndChanged => "edited-and-changed",
            Note::InTheWay => "in-the-way",
            Note::NotUtf8 => "not-utf8",
            Note::NotToml { .. } => "not-toml",
            Note::Keys { .. } => "keys",
            Note::FollowsMoves => "follows-moves",
            Note::Waits { .. } => "waits",
            Note::SavedDuringApply => "saved-during-apply",
            Note::RefusedByCargo { .. } => "refused-by-cargo",
        }
    }
}

/// What a refusal's note opens with: `held back: cargo refuses the change: <cargo's reason>`.
pub const HELD_BACK: &str = "held back: cargo refuses the change";

/// Backquoted and comma-separated: `` `a`, `b` ``.
fn quoted(items: &[String]) -> String {
    items.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::Moved { name } => write!(f, "crate `{name}` moved"),
            Note::Renamed { from, to } => write!(f, "crate `{from}` renamed to `{to}`"),
            Note::BothFoldersExist { from, to } => write!(
                f,
                "crate `{from}` renamed to `{to}`, but both folders exist; move or merge them by hand"
            ),
            Note::Kept(kept) => f.write_str(match kept {
                Kept::Changed => "changed since Trellis wrote it: kept",
                Kept::WiresKeptTest => "unchanged, but it declares a test a person made real: kept",
                Kept::CrateHoldsChanges => "unchanged, but its crate holds changed files: kept",
                Kept::NotInSpec => "no longer in the spec: kept (`--prune` deletes it)",
            }),
            Note::ModuleDeleted => f.write_str(
                "a person deleted this module and its `mod` line: not made again; remove it from the crate's `modules` in the spec",
            ),
            Note::UnresolvedMarkers => f.write_str(
                "it still holds conflict markers: resolve them, then apply again (a file you never \
                 edited: take either side, e.g. `git checkout --ours <file>`, and `apply` brings it \
                 up to the spec)",
            ),
            Note::NothingNew => f.write_str("edited by a person; Trellis has nothing new for it"),
            Note::ConflictAccepted => f.write_str("conflict accepted: the file stays as it is"),
            Note::Merged => f.write_str("edited by a person: Trellis' change merged into it"),
            Note::MarkersWritten => f.write_str(
                "a person and the spec changed the same lines: conflict markers written into it",
            ),
            Note::SameLines => f.write_str(
                "a person and the spec changed the same lines: kept as it is (`--write-conflicts` writes the conflict markers into it)",
            ),
            Note::EditedAndChanged => {
                f.write_str("edited by a person, and Trellis has a new version: kept as it is")
            }
            Note::InTheWay => f.write_str("a file Trellis did not write is in the way: kept as it is"),
            Note::NotUtf8 => f.write_str("not UTF-8, so it cannot be merged: kept as it is"),
            Note::NotToml { reason } => {
                write!(f, "not valid TOML ({reason}), so it cannot be merged: kept as it is")
            }
            Note::Keys { keys, others_wait } => {
                let others =
                    if *others_wait { "; its other changes wait until this is resolved" } else { "" };
                write!(
                    f,
                    "cannot add or change without touching a person's text: {}{others}",
                    quoted(keys)
                )
            }
            Note::FollowsMoves => f.write_str(
                "a manifest the spec does not declare: its paths follow the crates that move",
            ),
            Note::Waits { on } => write!(
                f,
                "held back until the conflict in {} is resolved: manifests change together",
                quoted(on)
            ),
            Note::SavedDuringApply => f.write_str(
                "changed while `apply` ran: kept as it was saved; run `apply` again",
            ),
            Note::RefusedByCargo { reason } => write!(f, "{HELD_BACK}: {reason}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_kind_and_a_sentence() {
        let s = String::new;
        let notes = [
            Note::Moved { name: s() },
            Note::Renamed { from: s(), to: s() },
            Note::BothFoldersExist { from: s(), to: s() },
            Note::Kept(Kept::Changed),
            Note::Kept(Kept::WiresKeptTest),
            Note::Kept(Kept::CrateHoldsChanges),
            Note::Kept(Kept::NotInSpec),
            Note::ModuleDeleted,
            Note::UnresolvedMarkers,
            Note::NothingNew,
            Note::ConflictAccepted,
            Note::Merged,
            Note::MarkersWritten,
            Note::SameLines,
            Note::EditedAndChanged,
            Note::InTheWay,
            Note::NotUtf8,
            Note::NotToml { reason: s() },
            Note::Keys { keys: vec![], others_wait: false },
            Note::FollowsMoves,
            Note::Waits { on: vec![] },
            Note::SavedDuringApply,
            Note::RefusedByCargo { reason: s() },
        ];
        let kinds: std::collections::BTreeSet<&str> = notes.iter().map(Note::kind).collect();
        assert_eq!(kinds.len(), notes.len(), "{kinds:?}");
        let sentences: std::collections::BTreeSet<String> =
            notes.iter().map(ToString::to_string).collect();
        assert_eq!(sentences.len(), notes.len());
        assert!(
            kinds.iter().all(|k| k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
        );
    }
}
