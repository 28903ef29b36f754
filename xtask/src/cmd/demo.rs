//! `demo`: the main job on the embedded example, the spec of a platform for small and medium
//! exporters.

use std::path::PathBuf;

use crate::exit::{Failure, Outcome};
use crate::term;

/// Generate the flagship example: an e-commerce and financial-services platform for small
/// exporters (14 crates in 4 layers, 21 requirements).
///
/// Without --out, the workspace goes to `target/demo/sme-market` in this repository and
/// replaces the previous demo there.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to create the workspace (must be absent or empty).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let out = match &args.out {
        Some(out) => out.clone(),
        None => {
            let out = crate::repo_root().join("target/demo/sme-market");
            // Only the default folder, which is Trellis' own, is ever cleared.
            if out.exists() {
                std::fs::remove_dir_all(&out).map_err(|e| {
                    Failure::env(format!(
                        "cannot clear the previous demo at `{}`: {e}",
                        out.display()
                    ))
                })?;
            }
            out
        }
    };
    let options =
        trellis::NewOptions { templates: None, cancel: Some(crate::signal::cancel_flag()) };
    let created =
        trellis::new_from_text(trellis::EXAMPLE, "sme-market/Trellis.toml", &out, &options)?;
    super::new::report(&created);
    let dir = out.display();
    term::out(&format!("{dir}\n"));
    let inv = term::invocation();
    term::note(&format!(
        "\nThe workspace of sme-market is at `{dir}`. Next:\n\
         \x20 cd {dir} && cargo xtask ci          # fmt, clippy -D warnings, tests, docs\n\
         \x20 {inv} check --root {dir}   # the spec against the real crate graph\n\
         \x20 {inv} trace --root {dir}   # which requirements are still pending\n\
         \x20 {inv} graph --root {dir}   # the crate graph as a Mermaid diagram\n"
    ));
    Ok(())
}
