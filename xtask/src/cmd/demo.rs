//! `cargo xtask demo`.

use crate::exit::{Failure, Outcome};

/// Placeholder until the command lands.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args) -> Outcome {
    Err(Failure::input(anyhow::anyhow!("`demo` is not built yet")))
}
