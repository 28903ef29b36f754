//! `cargo xtask infer`: print a `Trellis.toml` that describes an existing workspace as cargo
//! sees it, so that a project can start guarding its graph today.

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use trellis_check::infer::{InferError, Sources};
use trellis_check::{Cargo, Workspace};

use crate::exit::{Failure, Outcome};

/// Print a spec that describes the workspace as it is (to stdout).
///
/// On a workspace Trellis generated, the modules and requirements are read back from the crates'
/// files, and the name, layers and order from the spec the ledger keeps, so that `apply` with
/// the result changes nothing. Elsewhere, review the suggested layers. Then save it:
/// `cargo xtask infer --workspace DIR > DIR/Trellis.toml`.
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
    let sources = DiskSources { root: workspace.root.as_std_path() };
    // What infer takes from the ledger's spec it takes silently; a spec it cannot use is said.
    let unusable = match trellis_sync::Ledger::load(sources.root) {
        Err(e) => Some(e.to_string()),
        Ok(ledger) => ledger
            .spec()
            .filter(|text| trellis_spec::parse(text, trellis_spec::SPEC_FILE).is_err())
            .map(|_| "the spec the ledger keeps does not parse".to_owned()),
    };
    if let Some(why) = unusable {
        eprintln!(
            "{}: {why}\nnote: so the system's name, the layers and the order are suggested from the workspace",
            crate::term::paint("warning", crate::term::Style::Warning)
        );
    }
    match trellis_check::infer::infer_with(&workspace, &name, &sources) {
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

/// The crates' files, read from disk when `infer` asks for them.
struct DiskSources<'a> {
    root: &'a Path,
}

impl Sources for DiskSources<'_> {
    fn text(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.root.join(path)).ok()
    }

    fn is_file(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    fn previous_spec(&self) -> Option<String> {
        // A ledger that cannot be read only means there is nothing to read back.
        let ledger = trellis_sync::Ledger::load(self.root).ok()?;
        ledger.spec().map(str::to_owned)
    }

    fn rust_files(&self, dir: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.root.join(dir)) else { return Vec::new() };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| name.ends_with(".rs"))
            .collect();
        names.sort();
        names
    }
}
