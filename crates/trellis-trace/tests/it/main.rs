//! Integration tests of `trace`: a requirement's life in a workspace, and with test results
//! (pending to lost through passing, failing and suspect), real rendered workspaces, the
//! formats, `check`'s findings, and what goes wrong on disk.

mod errors;
mod escaped;
mod life;
mod proven;
mod rendered;
mod results;
mod support;
