//! `cargo xtask infer`: print a `Trellis.toml` that describes an existing workspace as cargo
//! sees it, so that a project can start guarding its graph today.

use std::path::PathBuf;

use anyhow::anyhow;
use trellis_check::infer::InferError;
use trellis_check::{Cargo, Workspace};

use crate::exit::{Failure, Outcome};

/// Print a spec that describes the workspace as it is (to stdout).
///
/// Review the suggested layers, then save it: `cargo xtask infer --workspace DIR > DIR/Trellis.toml`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The workspace root [default: the current folder].
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let root = args.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
    let metadata = trellis_check::read_metadata(&root, &Cargo::from_env())
        .map_err(crate::cmd::metadata_failure)?;
    let workspace = Workspace::from_metadata(&metadata);
    let name = workspace.root.file_name().unwrap_or("workspace").to_owned();
    match trellis_check::infer::infer(&workspace, &name) {
        Ok(spec) => {
            print!("{spec}");
            Ok(())
        }
        Err(e @ InferError::NothingToDeclare) => Err(Failure::input(anyhow!(
            "{e}\nhint: a spec declares crates in folders below the root; a lone root package cannot be one yet"
        ))),
        Err(e @ InferError::Invalid(_)) => {
            Err(Failure::env(anyhow!("{e}\nthis is a bug in Trellis: please report it")))
        }
    }
}
