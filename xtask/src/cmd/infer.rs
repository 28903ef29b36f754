//! `infer`: print a `Trellis.toml` that describes an existing workspace as cargo sees it, so
//! that a project can start guarding its graph today.

use std::path::PathBuf;

use crate::cmd::current_dir;
use crate::exit::Outcome;
use crate::term;

/// Print a spec that describes the workspace as it is (to stdout).
///
/// On a workspace Trellis generated, the modules and requirements are read back from the crates'
/// files, and the name, layers and order from the spec the ledger keeps, so that `apply` with
/// the result changes nothing. Elsewhere, review the suggested layers. Then save it at the
/// workspace root: `infer > Trellis.toml`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A folder of the workspace [default: the current folder]; cargo finds its root from
    /// there, as it does for `cargo metadata`.
    #[arg(long, value_name = "DIR", alias = "workspace")]
    root: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let dir = match &args.root {
        Some(dir) => dir.clone(),
        None => current_dir()?,
    };
    let inferred = trellis::infer(&dir)?;
    for warning in &inferred.warnings {
        term::warning(warning);
    }
    term::out(&inferred.text);
    Ok(())
}
