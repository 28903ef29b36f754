//! Integration tests of `trace`: a requirement's life in a workspace, real rendered workspaces,
//! the three formats, `check`'s findings, and what goes wrong on disk.

mod errors;
mod life;
mod rendered;
mod support;
