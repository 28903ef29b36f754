//! Planned files and a workspace folder in, changes on disk out: the sync stage of Trellis, and
//! the only one that writes files.
//!
//! - [`create`] makes a new workspace: the whole tree is built beside the target folder and
//!   renamed into place, so a failure leaves nothing behind.
//! - [`plan`] decides, file by file, what [`apply`] would do ([`Action`]), reading only.
//! - [`apply`] does it: atomic writes, conflicts never overwritten, the ledger last.
//!
//! Who owns which byte is recorded in the [`Ledger`] (`.trellis/ledger.toml`): the hash of
//! every file Trellis wrote and, per manifest, the keys it owns. Seeded files are rewritten
//! only while they still hash to what Trellis last wrote; manifests are merged key by key
//! (see `manifest.rs`). docs/sync.md describes the rules for people.

mod apply;
mod error;
mod fsx;
mod ledger;
mod manifest;
mod plan;

pub use apply::{Report, apply, create};
pub use error::SyncError;
pub use ledger::{FORMAT as LEDGER_FORMAT, LEDGER_PATH, Ledger};
pub use plan::{Action, CONFLICT_SUFFIX, Entry, Options, Plan, Rename, plan, render_human};
pub use trellis_render::{Ownership, PlannedFile, Seed};

#[cfg(test)]
mod tests;
