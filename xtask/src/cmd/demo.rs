//! `demo`: the main job on the embedded example, the spec of a platform for small and medium
//! exporters.

use std::path::{Path, PathBuf};

use crate::exit::{Failure, Outcome};
use crate::term;

/// Generate the flagship example: an e-commerce and financial-services platform for small
/// exporters (14 crates in 4 layers, 21 requirements).
///
/// Without --out, `cargo xtask demo` puts the workspace in `target/demo/sme-market` of this
/// repository, replacing the previous demo there, and `cargo trellis demo` in `sme-market` in
/// the current folder (which must not exist, or be empty).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Where to create the workspace (must be absent or empty).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let out = match &args.out {
        Some(out) => out.clone(),
        // Installed, the checkout it was built from is no folder of the user's.
        None if term::invocation() != "cargo xtask" => PathBuf::from("sme-market"),
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
    let spec = with_engine(trellis::EXAMPLE, &out)?;
    let created = trellis::new_from_text(&spec, "sme-market/Trellis.toml", &out, &options)?;
    super::new::report(&created);
    let dir = out.display();
    term::out(&format!("{dir}\n"));
    let guarded = created.loaded.spec.workspace.engine.is_some();
    let run = if guarded { "cargo xtask" } else { "cargo trellis" };
    term::note(&format!(
        "\nThe workspace of sme-market is at `{dir}`{}. Next:\n\
         \x20 cd {}\n\
         \x20 {run} check   # the spec against the real crate graph\n\
         \x20 {run} trace   # which requirements are still pending\n\
         \x20 {run} graph   # the crate graph as a Mermaid diagram\n\
         \x20 cargo xtask ci      # {}fmt, clippy -D warnings, tests, docs\n",
        if guarded { "; it guards itself" } else { "" },
        super::shell_word(&out),
        if guarded { "check, " } else { "" },
    ));
    Ok(())
}

/// The example with `[workspace] trellis` naming this checkout's engine, so that the demo's own
/// `cargo xtask check` builds offline: a path relative to the demo when it lies inside this
/// repository, as `target/demo/sme-market` does, else absolute.
fn with_engine(spec: &str, out: &Path) -> Result<String, Failure> {
    let engine = crate::repo_root().join("crates/trellis");
    // A checkout moved or deleted since this binary was built: no engine to name.
    if !engine.join("Cargo.toml").is_file() {
        term::warning(&format!(
            "Trellis' engine is no longer at `{}`, where this binary was built: the demo's xtask will have `ci` only",
            engine.display()
        ));
        return Ok(spec.to_owned());
    }
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let path = match out.strip_prefix(crate::repo_root()) {
        Ok(inside) => {
            let up = inside.components().count();
            format!("{}crates/trellis", "../".repeat(up))
        }
        Err(_) => engine.display().to_string(),
    };
    trellis::with_engine(spec, &path)
        .map_err(|e| Failure::env(format!("the embedded example is not TOML: {e}")))
}
