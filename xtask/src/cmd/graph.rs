//! `cargo xtask graph`: the crate graph as a Mermaid or dot picture, on stdout.
//!
//! Declared (from the spec alone, no cargo), actual (`--actual`, from `cargo metadata`), or
//! both at once (`--diff`) with the edges only one side has marked; any of them reduced
//! (`--reduce`) or one layer of it (`--layer NAME`), for graphs too big to read whole.

use std::path::PathBuf;

use anyhow::anyhow;
use trellis_check::graph::{self, Format};
use trellis_check::{Cargo, Workspace};

use crate::cmd::{SPEC_FILE, load_spec};
use crate::exit::{Failure, Outcome};

/// Draw the crate graph: as the spec declares it, as cargo sees it, or both.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The workspace root [default: the current folder].
    #[arg(long, value_name = "DIR")]
    workspace: Option<PathBuf>,
    /// Draw the graph cargo sees instead of the declared one (layers from the spec, if any).
    #[arg(long, conflicts_with = "diff")]
    actual: bool,
    /// Draw both, marking crates and edges only the spec or only the workspace has.
    #[arg(long)]
    diff: bool,
    /// Leave out every normal and build edge that a longer path already implies (the
    /// transitive reduction); dev edges are all kept.
    #[arg(long)]
    reduce: bool,
    /// Draw one layer: its crates, their edges, and the edges leaving it, each to one node per
    /// other layer.
    #[arg(long, value_name = "NAME")]
    layer: Option<String>,
    /// The picture's language.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GraphFormat {
    Mermaid,
    Dot,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let root = args.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
    let spec_path = root.join(SPEC_FILE);
    let has_spec = spec_path.exists();
    let format = match args.format {
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    if !has_spec && !args.actual {
        let dir = root.display();
        return Err(Failure::input(anyhow!(
            "no `{SPEC_FILE}` at `{dir}`\nhint: `--actual` draws the graph cargo sees without a spec; `cargo xtask infer --workspace {dir} > {dir}/{SPEC_FILE}` writes one"
        )));
    }
    let spec = if has_spec { Some(load_spec(&spec_path)?.spec) } else { None };
    let picture = match (&spec, args.actual || args.diff) {
        (Some(spec), false) => graph::declared(spec),
        (spec, true) => {
            let metadata = trellis_check::read_metadata(&root, &Cargo::from_env())
                .map_err(crate::cmd::metadata_failure)?;
            let workspace = Workspace::from_metadata(&metadata);
            match (spec, args.diff) {
                (Some(spec), true) => graph::diff(spec, &workspace),
                (spec, _) => graph::actual(&workspace, spec.as_ref()),
            }
        }
        (None, false) => unreachable!("a missing spec without --actual returned above"),
    };
    let picture = if args.reduce { graph::reduce(&picture) } else { picture };
    let picture = match &args.layer {
        None => picture,
        Some(name) => graph::layer(&picture, name).ok_or_else(|| no_layer(name, &picture))?,
    };
    print!("{}", graph::render(&picture, format));
    Ok(())
}

fn no_layer(name: &str, picture: &graph::Graph) -> Failure {
    let hint = match picture.layers.as_slice() {
        [] => "the graph has no layers: they come from the spec's `[layers]`".to_owned(),
        layers => format!("the layers are {}", layers.join(", ")),
    };
    Failure::input(anyhow!("there is no layer `{name}`\nhint: {hint}"))
}
