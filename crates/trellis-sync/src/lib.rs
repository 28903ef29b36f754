//! Planned files and a workspace folder in, changes on disk out: the sync stage of Trellis, and
//! the only one that writes files.
//!
//! - [`create`] makes a new workspace: the whole tree is built beside the target folder and
//!   renamed into place, so a failure leaves nothing behind.
//! - [`plan`] decides, file by file, what [`apply`] would do ([`Action`]), reading only.
//! - [`apply`] does it, as a transaction: a journal (`.trellis/journal.toml`) first, atomic
//!   writes that never overwrite a person's file (nor a save made while the run goes), the
//!   ledger, an optional verification, the journal removed last; a run that fails, is
//!   refused or is interrupted is rolled back, now or by the next `apply`.
//!
//! Who owns which byte is recorded in the [`Ledger`] (`.trellis/ledger.toml`): the hash of
//! every file Trellis wrote and, per manifest, the facts it owns. Seeded files are rewritten
//! only while they still hash to what Trellis last wrote; in a manifest Trellis owns facts,
//! not text (see `manifest/`). docs/sync.md describes the rules for people.

mod apply;
mod error;
mod facts;
mod fsx;
mod journal;
mod ledger;
mod lines;
mod manifest;
mod merge;
mod plan;
mod staging;

pub use apply::{
    ApplyOptions, Check, Recovery, Report, Verifier, affirm, apply, create, create_with, unfinished,
};
pub use error::SyncError;
pub use facts::{CargoFacts, DepFacts, FactsReader, PackageFacts, TargetFacts};
pub use journal::{JOURNAL_FORMAT, JOURNAL_PATH, Rollback};
pub use ledger::{APPLIED_PATH, FORMAT as LEDGER_FORMAT, LEDGER_PATH, Ledger};
pub use merge::merge3;
pub use plan::{
    Action, CONFLICT_SUFFIX, Early, Effect, Entry, FolderMove, HELD_BACK, Held, History, Judge,
    Kept, Note, Options, Plan, Rename, cargo_reads, plan, render_human,
};
pub use staging::{SCRATCH_MARK, Scratch, sweep_stale};
pub use trellis_render::{Ownership, PlannedFile, Seed};

#[cfg(test)]
mod tests;
