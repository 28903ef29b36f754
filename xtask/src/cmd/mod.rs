//! One module per command, each with its `Args` (clap) and a `run` function; and what they
//! share: reading a spec and printing diagnostics.

pub(crate) mod apply;
pub(crate) mod bench;
pub(crate) mod check;
pub(crate) mod demo;
pub(crate) mod graph;
pub(crate) mod infer;
pub(crate) mod new;
pub(crate) mod plan;
pub(crate) mod trace;

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use trellis_spec::{Diagnostic, Spec};

use crate::exit::{Failure, Outcome};

pub(crate) use trellis_spec::SPEC_FILE;

/// A spec read from disk and validated.
pub(crate) struct LoadedSpec {
    /// The spec's text, as read.
    pub(crate) text: String,
    /// The validated model.
    pub(crate) spec: Spec,
}

/// Reads and validates a spec, printing its diagnostics (warnings too) to stderr.
///
/// A spec with errors is a [`Failure::Input`] whose diagnostics have already been printed.
pub(crate) fn load_spec(path: &Path) -> Result<LoadedSpec, Failure> {
    let (loaded, warnings) = load_spec_and_warnings(path)?;
    print_diagnostics(&warnings, Some(&loaded.text));
    Ok(loaded)
}

/// Reads and validates a spec like [`load_spec`], but returns its warnings instead of printing
/// them, for a command that reports them with its own findings (`check`). Errors are printed.
pub(crate) fn load_spec_and_warnings(
    path: &Path,
) -> Result<(LoadedSpec, Vec<Diagnostic>), Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let shown = path.display();
        match e.kind() {
            std::io::ErrorKind::NotFound => Failure::input(anyhow!("no spec at `{shown}`")),
            std::io::ErrorKind::IsADirectory => Failure::input(anyhow!(
                "`{shown}` is a folder, not a spec\nhint: name the spec file, e.g. `{shown}/Trellis.toml`"
            )),
            // A spec that is not UTF-8 is the user's input, not a failing machine.
            std::io::ErrorKind::InvalidData => {
                Failure::input(anyhow!("`{shown}` is not UTF-8 text; a spec is a TOML file"))
            }
            _ => Failure::env(anyhow!(e).context(format!("cannot read `{shown}`"))),
        }
    })?;
    let shown = path.display().to_string();
    match trellis_spec::parse(&text, &shown) {
        Ok(parsed) => Ok((LoadedSpec { text, spec: parsed.spec }, parsed.warnings)),
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, Some(&text));
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            let plural = if errors == 1 { "" } else { "s" };
            Err(Failure::input(anyhow!("`{shown}` has {errors} error{plural}")))
        }
    }
}

/// Why `cargo metadata` could not be read, as a failure with its hint: a folder that does not
/// exist is the command line's fault (exit 2); cargo failing is the environment's (exit 3).
pub(crate) fn metadata_failure(e: trellis_check::MetadataError) -> Failure {
    let error = anyhow!("{e}\nhint: {}", e.hint());
    match e {
        trellis_check::MetadataError::NoFolder(_) => Failure::Input(error),
        _ => Failure::Environment(error),
    }
}

/// Why cargo does not see a workspace as its spec declares it.
pub(crate) enum Mismatch {
    /// `cargo metadata --no-deps` failed: cargo cannot load the workspace.
    Metadata(trellis_check::MetadataError),
    /// Cargo loads it, but its members or edges differ from the spec: the findings.
    Graph(trellis_check::Checked),
}

impl Mismatch {
    /// The findings as text for people, without colour (for an error message).
    pub(crate) fn message(&self) -> String {
        match self {
            Mismatch::Metadata(e) => format!("{e}\nhint: {}", e.hint()),
            Mismatch::Graph(checked) => checked
                .diagnostics
                .iter()
                .map(|d| {
                    let source = d.file.as_ref().and_then(|f| checked.sources.get(f));
                    d.render(source.map(String::as_str), false)
                })
                .collect::<Vec<_>>()
                .join("\n\n"),
        }
    }

    /// The findings, each as `code: message`: what tells one mismatch from another.
    pub(crate) fn findings(&self) -> Vec<String> {
        match self {
            Mismatch::Metadata(e) => vec![e.to_string()],
            Mismatch::Graph(checked) => checked
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code.id, d.message))
                .collect(),
        }
    }
}

/// Reads a workspace back through `cargo metadata --no-deps`: cargo must load it, and its
/// members and internal edges must be exactly the spec's. `new` requires this of what it
/// generates; `apply` requires that it made nothing worse (see `cmd::apply`).
pub(crate) fn cargo_sees_spec(loaded: &LoadedSpec, root: &Path) -> Result<(), Mismatch> {
    let cargo = trellis_check::Cargo::from_env();
    let metadata = trellis_check::read_metadata(root, &cargo).map_err(Mismatch::Metadata)?;
    let checked =
        trellis_check::check_metadata(&loaded.spec, &loaded.text, &metadata, Default::default());
    if checked.diagnostics.is_empty() { Ok(()) } else { Err(Mismatch::Graph(checked)) }
}

/// Checks what can be checked of the spec's external dependencies without the network: one
/// by `path` must lead to a package, from the workspace root at `root` (which need not exist
/// yet), and one from a `registry` needs that registry configured for cargo (the
/// `CARGO_REGISTRIES_<NAME>_INDEX` variable, or `[registries.<name>]` in a cargo config file
/// cargo reads for the workspace). Refused before anything is written, as cargo would refuse
/// the workspace after.
pub(crate) fn check_dependency_paths(
    loaded: &LoadedSpec,
    spec_file: &Path,
    root: &Path,
) -> Outcome {
    let configured = registries(root);
    let mut missing: Vec<Diagnostic> = Vec::new();
    for d in loaded.spec.dependencies.values() {
        let problem = if let Some(path) = d.path.as_deref()
            && !lexical(&root.join(path)).join("Cargo.toml").is_file()
        {
            Some((
                format!(
                    "dependency `{}` has `path = \"{path}\"`, where there is no package",
                    d.name
                ),
                "no `Cargo.toml` at its path",
                format!("the path is relative to the workspace root `{}`", root.display()),
            ))
        } else if let Some(registry) = d.registry.as_deref()
            && !configured.contains(registry)
        {
            Some((
                format!(
                    "dependency `{}` is from registry `{registry}`, which cargo does not know",
                    d.name
                ),
                "an unconfigured registry",
                format!(
                    "configure it in `.cargo/config.toml` (`[registries.{registry}] index = \"…\"`) or set `CARGO_REGISTRIES_{}_INDEX`",
                    registry.to_uppercase().replace('-', "_")
                ),
            ))
        } else {
            None
        };
        if let Some((message, label, hint)) = problem {
            missing.push(
                Diagnostic::error(trellis_spec::codes::INVALID_SOURCE, message)
                    .in_file(spec_file.display().to_string())
                    .at(d.span.clone(), label)
                    .hint(hint),
            );
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    print_diagnostics(&missing, Some(&loaded.text));
    let plural = if missing.len() == 1 { "" } else { "s" };
    Err(Failure::input(anyhow!(
        "`{}` has {} error{plural}; nothing was written",
        spec_file.display(),
        missing.len()
    )))
}

/// The registries cargo knows for a workspace at `root`: those its environment names, and
/// those of the cargo config files it reads (`.cargo/config.toml` in the root and every folder
/// above, and in `CARGO_HOME`).
fn registries(root: &Path) -> std::collections::BTreeSet<String> {
    let mut names: std::collections::BTreeSet<String> = std::env::vars()
        .filter_map(|(k, _)| {
            let name = k.strip_prefix("CARGO_REGISTRIES_")?.strip_suffix("_INDEX")?;
            Some(name.to_lowercase())
        })
        .flat_map(|n| [n.replace('_', "-"), n])
        .collect();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let here = std::env::current_dir().unwrap_or_default();
    let start = lexical(&here.join(root));
    for dir in start.ancestors().map(|d| d.join(".cargo")).chain(home) {
        for file in ["config.toml", "config"] {
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else { continue };
            let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else { continue };
            if let Some(table) = doc.get("registries").and_then(|r| r.as_table_like()) {
                names.extend(table.iter().map(|(k, _)| k.to_owned()));
            }
        }
    }
    names
}

/// A path with `.` and `..` resolved by its text alone, so that a folder that does not exist
/// yet (the root `new` is about to create) can still be walked out of.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Prints diagnostics to stderr, rendered against `source` (the text of the file they name).
pub(crate) fn print_diagnostics(diagnostics: &[Diagnostic], source: Option<&str>) {
    let color = crate::term::stderr_color();
    let source = source.map(trellis_spec::Source::new);
    for d in diagnostics {
        eprintln!("{}\n", d.render_in(source.as_ref(), color));
    }
}

/// The workspace a command works on: `--workspace`, or the current folder.
pub(crate) fn workspace_root(arg: Option<&Path>) -> Result<PathBuf, Failure> {
    match arg {
        Some(dir) => Ok(dir.to_path_buf()),
        None => {
            std::env::current_dir().context("cannot read the current folder").map_err(Failure::env)
        }
    }
}
