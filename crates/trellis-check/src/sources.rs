//! What can be checked of a spec's external dependencies without the network, as cargo will
//! see them: a `path` must lead to a package, and a `registry` must be one cargo's
//! configuration names.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use trellis_spec::{Diagnostic, Spec};

/// One error (S-code `INVALID_SOURCE`) for each external dependency of `spec` (read from
/// `file`), and its `[workspace] trellis` engine, that cargo would refuse in the workspace at
/// `root` (which need not exist yet): one by `path` that leads to no package (for the engine:
/// to a package that is not `trellis`, or the one its `package` names), one from a `registry`
/// cargo does not know ([`registries`]).
pub fn unreachable_sources(spec: &Spec, file: &str, root: &Path) -> Vec<Diagnostic> {
    let configured = registries(root);
    let mut missing: Vec<Diagnostic> = Vec::new();
    for d in spec.dependencies.values().chain(&spec.workspace.engine) {
        let engine = spec.workspace.engine.as_ref().is_some_and(|e| std::ptr::eq(e, d));
        let manifest = d.path.as_deref().map(|path| lexical(&root.join(path)).join("Cargo.toml"));
        let wanted = d.package.as_deref().unwrap_or("trellis");
        let problem = if let Some(path) = d.path.as_deref()
            && manifest.as_ref().is_some_and(|m| !m.is_file())
        {
            Some((
                format!(
                    "dependency `{}` has `path = \"{path}\"`, where there is no package",
                    d.name
                ),
                "no `Cargo.toml` at its path",
                format!("the path is relative to the workspace root `{}`", root.display()),
            ))
        } else if let Some(path) = d.path.as_deref()
            && engine
            && let Some(found) = manifest.as_deref().and_then(package_name)
            && found != wanted
        {
            Some((
                format!("`trellis` has `path = \"{path}\"`, where the package is `{found}`, not `{wanted}`"),
                "not Trellis' engine",
                "name the folder of the `trellis` crate (`crates/trellis` in a checkout of Trellis)".to_owned(),
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
                    .in_file(file.to_owned())
                    .at(d.span.clone(), label)
                    .hint(hint),
            );
        }
    }
    missing
}

/// The registries cargo knows for a workspace at `root`: those its environment names
/// (`CARGO_REGISTRIES_<NAME>_INDEX`), and those of the cargo config files it reads
/// (`.cargo/config.toml` in the root and every folder above, and in `CARGO_HOME`).
pub fn registries(root: &Path) -> BTreeSet<String> {
    // `vars_os`: a variable that is not UTF-8 (anyone's) must not stop the run.
    let mut names: BTreeSet<String> = std::env::vars_os()
        .filter_map(|(k, _)| {
            let k = k.into_string().ok()?;
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

/// The `[package] name` of a manifest, when it can be read.
fn package_name(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let doc = text.parse::<toml_edit::DocumentMut>().ok()?;
    Some(doc.get("package")?.get("name")?.as_str()?.to_owned())
}

/// A path with `.` and `..` resolved by its text alone, so that a folder that does not exist
/// yet (the root `new` is about to create) can still be walked out of.
pub fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            // `..` after `..` (or at the start) climbs further: it cannot cancel one; at the
            // root it stays there.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::RootDir | Component::Prefix(_)) => {}
                None | Some(Component::ParentDir) => out.push(".."),
                Some(_) => {
                    out.pop();
                }
            },
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::lexical;

    #[test]
    fn lexical_climbs_as_many_folders_as_the_path_says() {
        assert_eq!(lexical(Path::new("ws/../../../a")), PathBuf::from("../../a"));
        assert_eq!(lexical(Path::new("../../x/./y/..")), PathBuf::from("../../x"));
        assert_eq!(lexical(Path::new("/r/ws/../../../a")), PathBuf::from("/a"));
    }
}
