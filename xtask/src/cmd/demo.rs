//! `cargo xtask demo`: the main job on the embedded example, the spec of a platform for small
//! and medium exporters.

use std::path::PathBuf;

use anyhow::{Context, anyhow};

use crate::cmd::new::{generate, load_templates};
use crate::cmd::{LoadedSpec, print_diagnostics};
use crate::exit::{Failure, Outcome};

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
                std::fs::remove_dir_all(&out)
                    .with_context(|| {
                        format!("cannot clear the previous demo at `{}`", out.display())
                    })
                    .map_err(Failure::env)?;
            }
            out
        }
    };
    let text = trellis_spec::EXAMPLE.to_owned();
    let parsed = trellis_spec::parse(&text, "sme-market/Trellis.toml").map_err(|diagnostics| {
        print_diagnostics(&diagnostics, Some(&text));
        Failure::env(anyhow!("the embedded example does not validate; this is a bug in Trellis"))
    })?;
    let loaded = LoadedSpec { text, spec: parsed.spec };
    generate(&std::sync::Arc::new(loaded), &out, &load_templates(None)?)?;
    let dir = out.display();
    println!("{dir}");
    eprintln!(
        "\nThe workspace of sme-market is at `{dir}`. Next:\n\
         \x20 cd {dir} && cargo xtask ci            # fmt, clippy -D warnings, tests, docs\n\
         \x20 cargo xtask check --workspace {dir}   # the spec against the real crate graph\n\
         \x20 cargo xtask trace --workspace {dir}   # which requirements are still pending\n\
         \x20 cargo xtask graph --workspace {dir}   # the crate graph as a Mermaid diagram"
    );
    Ok(())
}
