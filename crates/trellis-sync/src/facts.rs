//! What cargo says the workspace is, as plain data: the facts a merge asks about (is this
//! folder a member, does this package have this edge or this feature) answered from cargo's
//! resolved view rather than guessed from manifest text.
//!
//! This crate does not run cargo: the caller passes a [`FactsReader`] in through
//! [`Options::facts`], which a plan calls at most once, with the workspace as it is just
//! before that plan (`apply` plans inside its lock), and only when a merge asks: a plan that
//! merges no manifest (a no-op `apply`) runs no cargo. Without facts (no reader, no root
//! manifest yet, or one cargo cannot load) the merges read the text as they did before facts
//! existed.
//!
//! [`Options::facts`]: crate::Options::facts

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use trellis_spec::EdgeKind;

/// The workspace as cargo resolved it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoFacts {
    /// Every member's folder, workspace-relative and `/`-separated (`""` for a package at the
    /// root): listed, matched by a glob, or made a member by a path dependency (directly or
    /// through `[workspace.dependencies]`).
    pub members: BTreeSet<String>,
    /// Every member package.
    pub packages: Vec<PackageFacts>,
}

/// One member package, as cargo reads its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFacts {
    /// `package.name`.
    pub name: String,
    /// Its folder, as in [`CargoFacts::members`].
    pub dir: String,
    /// Its features exactly as cargo reports them: those of `[features]` and the implicit one
    /// of each optional dependency that no feature names with `dep:`.
    pub features: BTreeMap<String, Vec<String>>,
    /// Every dependency entry, in every section and target table, inherited ones resolved.
    pub deps: Vec<DepFacts>,
    /// Its targets.
    pub targets: Vec<TargetFacts>,
}

/// One dependency entry of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepFacts {
    /// The package depended on.
    pub package: String,
    /// The key it is written under when that differs from the package (`package = …`).
    pub rename: Option<String>,
    /// Its section.
    pub kind: EdgeKind,
    /// The platform of a `[target.'<cfg>'.…]` entry.
    pub target: Option<String>,
    /// For a dependency by path: the folder it leads to, workspace-relative (with `..` when it
    /// lies outside the workspace).
    pub path: Option<String>,
}

/// One target of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetFacts {
    /// Its kinds as cargo names them (`lib`, `bin`, `proc-macro`, `custom-build`…).
    pub kinds: Vec<String>,
    /// Its name.
    pub name: String,
    /// Its root source file, workspace-relative.
    pub path: String,
}

impl CargoFacts {
    /// The member package in folder `dir`.
    pub fn package(&self, dir: &str) -> Option<&PackageFacts> {
        self.packages.iter().find(|p| p.dir == dir)
    }

    /// Whether cargo counts the folder `dir` as a member.
    pub fn is_member(&self, dir: &str) -> bool {
        self.members.contains(dir)
    }
}

impl PackageFacts {
    /// Whether the package has a dependency of `kind` that `wanted` accepts, in any form
    /// (renamed, optional, target-specific, inherited).
    pub fn has_dep(&self, kind: EdgeKind, wanted: impl Fn(&DepFacts) -> bool) -> bool {
        self.deps.iter().any(|d| d.kind == kind && wanted(d))
    }
}

/// How a plan gets cargo's facts of the workspace at a root: `None` when cargo cannot say.
#[derive(Clone)]
pub struct FactsReader(Arc<ReadFn>);

type ReadFn = dyn Fn(&Path) -> Option<CargoFacts> + Send + Sync;

impl FactsReader {
    /// A reader that asks `read` (which runs cargo, say) with the workspace root.
    pub fn new(read: impl Fn(&Path) -> Option<CargoFacts> + Send + Sync + 'static) -> FactsReader {
        FactsReader(Arc::new(read))
    }

    /// A reader that answers with `facts`, whatever the root.
    pub fn given(facts: CargoFacts) -> FactsReader {
        FactsReader::new(move |_| Some(facts.clone()))
    }
}

impl fmt::Debug for FactsReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FactsReader(..)")
    }
}

/// One plan's facts, read when a merge first asks for them.
pub(crate) struct LazyFacts<'a> {
    reader: Option<(&'a FactsReader, &'a Path)>,
    read: OnceCell<Option<CargoFacts>>,
}

impl<'a> LazyFacts<'a> {
    pub(crate) fn new(reader: Option<&'a FactsReader>, root: &'a Path) -> LazyFacts<'a> {
        LazyFacts { reader: reader.map(|r| (r, root)), read: OnceCell::new() }
    }

    /// No facts: every question is answered from the text.
    #[cfg(test)]
    pub(crate) fn none() -> LazyFacts<'static> {
        LazyFacts { reader: None, read: OnceCell::new() }
    }

    pub(crate) fn get(&self) -> Option<&CargoFacts> {
        self.read.get_or_init(|| self.reader.and_then(|(reader, root)| (reader.0)(root))).as_ref()
    }
}
