//! `demo`: the main job on the embedded example, the spec of a platform for small and medium
//! exporters.

use std::path::{Path, PathBuf};

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
    let spec = with_engine(trellis::EXAMPLE, &out)?;
    let created = trellis::new_from_text(&spec, "sme-market/Trellis.toml", &out, &options)?;
    super::new::report(&created);
    let dir = out.display();
    term::out(&format!("{dir}\n"));
    term::note(&format!(
        "\nThe workspace of sme-market is at `{dir}`; it guards itself. Next:\n\
         \x20 cd {dir}\n\
         \x20 cargo xtask check   # the spec against the real crate graph\n\
         \x20 cargo xtask trace   # which requirements are still pending\n\
         \x20 cargo xtask graph   # the crate graph as a Mermaid diagram\n\
         \x20 cargo xtask ci      # check, fmt, clippy -D warnings, tests, docs\n"
    ));
    Ok(())
}

/// The example with `[workspace] trellis` naming this checkout's engine, so that the demo's own
/// `cargo xtask check` builds offline: a path relative to the demo when it lies inside this
/// repository, as `target/demo/sme-market` does, else absolute.
fn with_engine(spec: &str, out: &Path) -> Result<String, Failure> {
    let engine = crate::repo_root().join("crates/trellis");
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let path = match out.strip_prefix(crate::repo_root()) {
        Ok(inside) => {
            let up = inside.components().count();
            format!("{}crates/trellis", "../".repeat(up))
        }
        Err(_) => engine.display().to_string(),
    };
    let mut doc: toml_edit::DocumentMut =
        spec.parse().map_err(|e| Failure::env(format!("the embedded example is not TOML: {e}")))?;
    let mut table = toml_edit::InlineTable::new();
    table.insert("path", path.into());
    doc["workspace"]["trellis"] = toml_edit::value(table);
    Ok(doc.to_string())
}
