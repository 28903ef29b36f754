//! `graph`: the crate graph as a Mermaid or dot picture, on stdout.
//!
//! Declared (from the spec alone, no cargo), actual (`--actual`, from `cargo metadata`), or
//! both at once (`--diff`) with the edges only one side has marked; any of them reduced
//! (`--reduce`) or one layer of it (`--layer NAME`), for graphs too big to read whole.

use trellis::trellis_check::graph::{self, Format};
use trellis::{GraphOptions, GraphView, Project};

use crate::cmd::{Location, current_dir};
use crate::exit::Outcome;
use crate::term;

/// Draw the crate graph: as the spec declares it, as cargo sees it, or both.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    location: Location,
    /// Draw the graph cargo sees instead of the declared one (layers from the spec, if any;
    /// without a spec, of the workspace around the current folder).
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
    let view = match (args.actual, args.diff) {
        (true, _) => GraphView::Actual,
        (_, true) => GraphView::Diff,
        _ => GraphView::Declared,
    };
    // The actual graph needs no spec: without one found, it is the current folder's workspace.
    let project = match args.location.project() {
        Err(_) if view == GraphView::Actual && args.location.root.is_none() => {
            Project::at(current_dir()?).shown_as("")
        }
        found => found?,
    };
    let options = GraphOptions { view, reduce: args.reduce, layer: args.layer.clone() };
    let picture = trellis::graph(&project, &options)?;
    let format = match args.format {
        GraphFormat::Mermaid => Format::Mermaid,
        GraphFormat::Dot => Format::Dot,
    };
    term::out(&graph::render(&picture, format));
    Ok(())
}
