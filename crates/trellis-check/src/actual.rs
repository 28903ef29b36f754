//! The workspace as cargo sees it: members, their targets, and every dependency, each one
//! resolved to a member (an internal edge) or not (an external crate).
//!
//! Built from `cargo metadata --no-deps`, so cargo has already expanded globs and `exclude`,
//! resolved `workspace = true` inheritance and found the members wherever they live.

use std::collections::{BTreeMap, HashSet};

use cargo_metadata::camino::{Utf8Path, Utf8PathBuf};
use cargo_metadata::{DependencyKind, Metadata, PackageId, TargetKind};
use trellis_spec::{CrateKind, EdgeKind};

/// The name and folder of the xtask crate that every generated workspace carries, which
/// Trellis writes and so never counts as a stranger.
pub use trellis_spec::XTASK;

/// Every member of a workspace, as cargo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace root, absolute.
    pub root: Utf8PathBuf,
    /// The members, sorted by name.
    pub members: Vec<Member>,
}

/// One workspace member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The package name.
    pub name: String,
    /// Its folder relative to the workspace root, `/`-separated; `.` for a root package.
    pub dir: String,
    /// Its manifest relative to the workspace root, `/`-separated.
    pub manifest: String,
    /// Every target kind it has (`lib`, `bin`, `proc-macro`, `cdylib`, `custom-build`…), sorted.
    pub target_kinds: Vec<String>,
    /// The names of its binary targets.
    pub bins: Vec<String>,
    /// The root source file of each lib, proc-macro and bin target, relative to the member's
    /// folder, `/`-separated (`src/lib.rs`), sorted: where its modules are declared.
    pub roots: Vec<String>,
    /// `package.description`.
    pub description: Option<String>,
    /// `package.version`.
    pub version: String,
    /// `package.edition`.
    pub edition: String,
    /// `package.rust-version`.
    pub rust_version: Option<String>,
    /// `package.license`.
    pub license: Option<String>,
    /// Every dependency, in the order cargo lists them.
    pub deps: Vec<Dep>,
}

/// One dependency of a member, as one manifest entry declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The key in the manifest, which is also the name code uses: the rename, if any.
    pub key: String,
    /// The package depended on.
    pub package: String,
    /// Which section it is in.
    pub kind: EdgeKind,
    /// `[target.'<this>'.dependencies]`, for a target-specific dependency.
    pub target: Option<String>,
    /// `optional = true`.
    pub optional: bool,
    /// Where it comes from.
    pub source: DepSource,
    /// The version requirement as cargo normalised it (`*` when none was written).
    pub req: String,
    /// Features it enables.
    pub features: Vec<String>,
    /// `default-features`.
    pub default_features: bool,
}

/// Where a dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepSource {
    /// Another member of this workspace, by name: an internal edge.
    Member(String),
    /// A path outside the workspace's members (a vendored crate, a nested workspace),
    /// relative to the workspace root (with `..` when it lies outside).
    Path(String),
    /// A git repository.
    Git {
        /// The repository address.
        url: String,
        /// `branch`, `tag` or `rev` and its value, when the manifest pins one.
        reference: Option<(String, String)>,
    },
    /// A registry: crates.io when `None`, else the registry's index address.
    Registry(Option<String>),
}

/// An internal edge: `from` depends on `to` in one section (target-specific and optional ones
/// included, several manifest entries for one pair counted once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge<'a> {
    /// The depending member.
    pub from: &'a str,
    /// The member depended on.
    pub to: &'a str,
    /// The section.
    pub kind: EdgeKind,
}

impl Workspace {
    /// The model of the workspace `metadata` describes (from `cargo metadata`, with or without
    /// `--no-deps`: only workspace members are read).
    pub fn from_metadata(metadata: &Metadata) -> Workspace {
        let root = metadata.workspace_root.clone();
        // Not `Metadata::workspace_packages`, which is quadratic in the number of members.
        let ids: HashSet<&PackageId> = metadata.workspace_members.iter().collect();
        let members: Vec<&cargo_metadata::Package> =
            metadata.packages.iter().filter(|p| ids.contains(&p.id)).collect();
        // A path dependency is internal when its folder is a member's folder.
        let by_dir: BTreeMap<&Utf8Path, &str> = members
            .iter()
            .filter_map(|p| p.manifest_path.parent().map(|dir| (dir, p.name.as_str())))
            .collect();
        // With cargo's resolve, a dependency declared on a registry or a git source that
        // resolves to a member (a `[patch]` leads there) is an internal edge too.
        let name_of: BTreeMap<&PackageId, &str> =
            members.iter().map(|p| (&p.id, p.name.as_str())).collect();
        let resolved_to_members: BTreeMap<&PackageId, HashSet<&str>> = metadata
            .resolve
            .iter()
            .flat_map(|r| &r.nodes)
            .filter(|n| ids.contains(&n.id))
            .map(|n| {
                let to = n.deps.iter().filter(|d| ids.contains(&d.pkg));
                let names = to.filter_map(|d| name_of.get(&d.pkg).copied()).collect();
                (&n.id, names)
            })
            .collect();
        let mut out: Vec<Member> = members
            .iter()
            .map(|package| {
                let dir = package.manifest_path.parent().unwrap_or(&root);
                let mut target_kinds: Vec<String> = package
                    .targets
                    .iter()
                    .flat_map(|t| t.kind.iter().map(ToString::to_string))
                    .collect();
                target_kinds.sort();
                target_kinds.dedup();
                let bins = package
                    .targets
                    .iter()
                    .filter(|t| t.kind.contains(&TargetKind::Bin))
                    .map(|t| t.name.clone())
                    .collect();
                let mut roots: Vec<String> = package
                    .targets
                    .iter()
                    .filter(|t| {
                        t.kind.iter().any(|k| {
                            matches!(
                                k,
                                TargetKind::Lib
                                    | TargetKind::RLib
                                    | TargetKind::DyLib
                                    | TargetKind::CDyLib
                                    | TargetKind::StaticLib
                                    | TargetKind::ProcMacro
                                    | TargetKind::Bin
                            )
                        })
                    })
                    .map(|t| relative(dir, &t.src_path))
                    .collect();
                roots.sort();
                roots.dedup();
                let deps = package
                    .dependencies
                    .iter()
                    .map(|d| {
                        let source = match &d.path {
                            Some(path) => match by_dir.get(path.as_path()) {
                                Some(member) => DepSource::Member((*member).to_owned()),
                                None => DepSource::Path(relative(&root, path)),
                            },
                            None => match resolved_to_members.get(&package.id) {
                                Some(to) if to.contains(d.name.as_str()) => {
                                    DepSource::Member(d.name.clone())
                                }
                                _ => source_of(d),
                            },
                        };
                        Dep {
                            key: d.rename.clone().unwrap_or_else(|| d.name.clone()),
                            package: d.name.clone(),
                            kind: edge_kind(d.kind),
                            target: d.target.as_ref().map(ToString::to_string),
                            optional: d.optional,
                            source,
                            req: d.req.to_string(),
                            features: d.features.clone(),
                            default_features: d.uses_default_features,
                        }
                    })
                    .collect();
                Member {
                    name: package.name.to_string(),
                    dir: relative(&root, dir),
                    manifest: relative(&root, &package.manifest_path),
                    target_kinds,
                    bins,
                    roots,
                    description: package.description.clone(),
                    version: package.version.to_string(),
                    edition: package.edition.as_str().to_owned(),
                    rust_version: package.rust_version.as_ref().map(short_version),
                    license: package.license.clone(),
                    deps,
                }
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Workspace { root, members: out }
    }

    /// The member with this name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.binary_search_by(|m| m.name.as_str().cmp(name)).ok().map(|i| &self.members[i])
    }

    /// Every internal edge, sorted and without repeats.
    pub fn edges(&self) -> Vec<Edge<'_>> {
        let mut edges: Vec<Edge<'_>> = self
            .members
            .iter()
            .flat_map(|m| {
                m.deps.iter().filter_map(move |d| match &d.source {
                    DepSource::Member(to) => Some(Edge { from: &m.name, to, kind: d.kind }),
                    _ => None,
                })
            })
            .collect();
        edges.sort();
        edges.dedup();
        edges
    }
}

impl Member {
    /// The kind a spec would give it: proc-macro if it has a proc-macro target, else lib if it
    /// has a library of any crate type, else bin if it has a binary. `None` for a package
    /// with neither (only examples or tests).
    pub fn kind(&self) -> Option<CrateKind> {
        let has = |k: &str| self.target_kinds.iter().any(|t| t == k);
        if has("proc-macro") {
            Some(CrateKind::ProcMacro)
        } else if ["lib", "rlib", "dylib", "cdylib", "staticlib"].into_iter().any(has) {
            Some(CrateKind::Lib)
        } else if has("bin") {
            Some(CrateKind::Bin)
        } else if self.target_kinds.is_empty() {
            None
        } else {
            // Examples, tests or benches only.
            Some(CrateKind::Examples)
        }
    }

    /// Whether the member has a target that a spec crate of `kind` describes. A lib with
    /// binaries matches both `lib` and `bin`: a binary crate may keep its logic in a library.
    pub fn has_kind(&self, kind: CrateKind) -> bool {
        let has = |k: &str| self.target_kinds.iter().any(|t| t == k);
        match kind {
            CrateKind::ProcMacro => has("proc-macro"),
            CrateKind::Lib => ["lib", "rlib", "dylib", "cdylib", "staticlib"].into_iter().any(has),
            CrateKind::Bin => has("bin"),
            CrateKind::Examples => self.kind() == Some(CrateKind::Examples),
        }
    }

    /// Whether this is the workspace's own xtask, which Trellis writes: package `xtask` at
    /// `xtask/`.
    pub fn is_own_xtask(&self) -> bool {
        self.name == XTASK && self.dir == XTASK
    }

    /// A short description of its targets, for messages (`lib and 2 bins`).
    pub fn targets_summary(&self) -> String {
        let mut parts: Vec<String> = self
            .target_kinds
            .iter()
            .filter(|k| {
                !matches!(k.as_str(), "bin" | "example" | "test" | "bench" | "custom-build")
            })
            .cloned()
            .collect();
        match self.bins.len() {
            0 => {}
            1 => parts.push("bin".to_owned()),
            n => parts.push(format!("{n} bins")),
        }
        if parts.is_empty() { "no lib or bin target".to_owned() } else { parts.join(" and ") }
    }
}

fn edge_kind(kind: DependencyKind) -> EdgeKind {
    match kind {
        DependencyKind::Development => EdgeKind::Dev,
        DependencyKind::Build => EdgeKind::Build,
        _ => EdgeKind::Normal,
    }
}

fn source_of(dep: &cargo_metadata::Dependency) -> DepSource {
    let Some(source) = &dep.source else { return DepSource::Registry(dep.registry.clone()) };
    let repr = source.repr.as_str();
    if let Some(git) = repr.strip_prefix("git+") {
        let git = git.split('#').next().unwrap_or(git);
        let (url, query) = git.split_once('?').unwrap_or((git, ""));
        let reference = query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            matches!(k, "branch" | "tag" | "rev").then(|| (k.to_owned(), v.to_owned()))
        });
        return DepSource::Git { url: url.to_owned(), reference };
    }
    if source.is_crates_io() {
        DepSource::Registry(None)
    } else {
        DepSource::Registry(Some(repr.strip_prefix("registry+").unwrap_or(repr).to_owned()))
    }
}

/// A path relative to the root, `/`-separated (`.` for the root itself, `..` to leave it).
fn relative(root: &Utf8Path, path: &Utf8Path) -> String {
    trellis_spec::relative_to(root.as_std_path(), path.as_std_path())
}

/// `1.85.0` → `1.85`: cargo_metadata pads a two-part rust-version with `.0`.
fn short_version(version: &cargo_metadata::semver::Version) -> String {
    if version.patch == 0 {
        format!("{}.{}", version.major, version.minor)
    } else {
        version.to_string()
    }
}

#[cfg(test)]
impl Dep {
    /// A dependency of one kind on a member, as cargo reports a plain `name = { path = … }`,
    /// for unit tests.
    pub(crate) fn on(to: &str, kind: EdgeKind) -> Dep {
        Dep {
            key: to.to_owned(),
            package: to.to_owned(),
            kind,
            target: None,
            optional: false,
            source: DepSource::Member(to.to_owned()),
            req: "*".to_owned(),
            features: Vec::new(),
            default_features: true,
        }
    }
}

#[cfg(test)]
impl Member {
    /// A library member with nothing but a name, a folder and dependencies, for unit tests.
    pub(crate) fn library(name: &str, dir: &str, deps: Vec<Dep>) -> Member {
        Member {
            name: name.to_owned(),
            dir: dir.to_owned(),
            manifest: format!("{dir}/Cargo.toml"),
            target_kinds: vec!["lib".to_owned()],
            bins: Vec::new(),
            roots: vec!["src/lib.rs".to_owned()],
            description: None,
            version: "0.1.0".to_owned(),
            edition: "2024".to_owned(),
            rust_version: None,
            license: None,
            deps,
        }
    }
}
