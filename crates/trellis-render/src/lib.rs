//! A validated spec in, the files of its workspace out: the second stage of Trellis.
//!
//! Rendering is pure: templates come in as text (the defaults are embedded from `templates/`,
//! a team's overrides are read by the caller), files go out as [`PlannedFile`]s. Only the sync
//! stage decides what to do with them on disk.

/// One file of the workspace, as Trellis would write it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the workspace root, `/`-separated, never absolute, never with `..`.
    pub path: String,
    /// The whole text Trellis wants there.
    pub contents: String,
    /// Who owns which byte of it once it exists.
    pub ownership: Ownership,
}

/// How the sync stage may touch a file that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ownership {
    /// A Cargo manifest: merged key by key. Trellis owns the keys it renders (and those the
    /// ledger says it rendered last time); every other key, comment and blank line is the
    /// person's.
    Manifest,
    /// A seeded file (sources, tests, docs): written when absent, rewritten only while it is
    /// exactly what Trellis last wrote.
    Seeded,
    /// Written when absent and never again: the person owns it from the first byte
    /// (`Trellis.toml` itself).
    Once,
}
