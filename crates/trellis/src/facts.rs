//! Cargo's view of a workspace as plain data for the sync stage ([`trellis_sync::CargoFacts`]):
//! read from `cargo metadata --no-deps`, so that whether a member, an edge or a feature is
//! already there is cargo's answer, not a reading of manifest text.

use std::path::Path;

use cargo_metadata::camino::Utf8Path;
use cargo_metadata::{DependencyKind, Metadata};
use trellis_spec::EdgeKind;
use trellis_sync::{CargoFacts, DepFacts, FactsReader, PackageFacts, TargetFacts};

/// The reader a plan asks, once and only when a merge needs it: the facts of the workspace as
/// it is then. `None` (the merges then read the text, as before facts existed) where there is
/// no root manifest yet, or cargo cannot load it: a workspace a person broke, which `apply`'s
/// verification judges on its own.
pub(crate) fn reader() -> FactsReader {
    FactsReader::new(read)
}

/// The facts of the workspace at `root` as it is now, if cargo can say.
fn read(root: &Path) -> Option<CargoFacts> {
    if !root.join("Cargo.toml").is_file() {
        return None;
    }
    let cargo = trellis_check::Cargo::from_env();
    let metadata = trellis_check::read_metadata(root, &cargo).ok()?;
    Some(from_metadata(&metadata))
}

/// The facts `cargo metadata` (with or without `--no-deps`) gives of the workspace's members.
fn from_metadata(metadata: &Metadata) -> CargoFacts {
    let root = metadata.workspace_root.as_path();
    let ids: std::collections::HashSet<_> = metadata.workspace_members.iter().collect();
    let folder = |path: &Utf8Path| relative(root, path);
    let packages: Vec<PackageFacts> = metadata
        .packages
        .iter()
        .filter(|p| ids.contains(&p.id))
        .map(|package| {
            let dir = package.manifest_path.parent().unwrap_or(root);
            let deps = package
                .dependencies
                .iter()
                .map(|d| DepFacts {
                    package: d.name.clone(),
                    rename: d.rename.clone(),
                    kind: match d.kind {
                        DependencyKind::Development => EdgeKind::Dev,
                        DependencyKind::Build => EdgeKind::Build,
                        _ => EdgeKind::Normal,
                    },
                    target: d.target.as_ref().map(ToString::to_string),
                    path: d.path.as_deref().map(folder),
                })
                .collect();
            let targets = package
                .targets
                .iter()
                .map(|t| TargetFacts {
                    kinds: t.kind.iter().map(ToString::to_string).collect(),
                    name: t.name.clone(),
                    path: folder(&t.src_path),
                })
                .collect();
            PackageFacts {
                name: package.name.to_string(),
                dir: folder(dir),
                features: package.features.clone().into_iter().collect(),
                deps,
                targets,
            }
        })
        .collect();
    CargoFacts { members: packages.iter().map(|p| p.dir.clone()).collect(), packages }
}

/// `path` relative to `root`, `/`-separated, `""` for the root itself (as the ledger and the
/// plan name the root's folder), with `..` where it lies outside.
fn relative(root: &Utf8Path, path: &Utf8Path) -> String {
    match trellis_spec::relative_to(root.as_std_path(), path.as_std_path()) {
        dot if dot == "." => String::new(),
        relative => relative,
    }
}

#[cfg(test)]
mod tests;
