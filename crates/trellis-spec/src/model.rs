//! The validated model of a `Trellis.toml`: what every later stage reads.
//!
//! A [`Spec`] only exists once validation has passed, so its invariants hold for every reader:
//! crate names are valid and distinct, every dependency names something declared, the normal
//! and build graph is acyclic, every edge respects the layers. Spans point back into the spec
//! text, so later stages (`check`, `trace`) can report a finding at the line that declared it.

mod date;
mod rules;
mod toolchain;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, Range};

pub use date::Date;
pub use rules::{CratePattern, Rule, RuleScope, RuleUses};
pub use toolchain::{Edition, RustVersion};

use crate::text::toml_str;

/// A byte range in the spec text.
pub type Span = Range<usize>;

/// A whole, validated spec. Only [`crate::parse`] makes one (`non_exhaustive`: no other crate
/// can build one field by field), so a `Spec` has passed validation.
///
/// Held by this compile-fail test: outside this crate a `Spec` cannot even be taken apart as
/// if its fields were all there is.
///
/// ```compile_fail,E0638
/// fn fields(spec: trellis_spec::Spec) {
///     let trellis_spec::Spec { workspace, layers, dependencies, crates, allow, forbid, check } =
///         spec;
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Spec {
    /// `[workspace]`: metadata shared by every crate.
    pub workspace: WorkspaceMeta,
    /// `[layers] order`, lowest first. Empty when the spec declares no layers.
    pub layers: Vec<Layer>,
    /// `[dependencies]`: external crates, pinned once, keyed by the name crates `use` them by.
    pub dependencies: BTreeMap<String, ExternalDep>,
    /// `[crates.*]`, in the order the spec declares them.
    pub crates: Vec<CrateSpec>,
    /// `[[allow]]`: explicit exceptions to `check` findings.
    pub allow: Vec<Allowance>,
    /// `[[forbid]]`: the external crates a layer or a crate may not use, or may only use.
    pub forbid: Vec<Rule>,
    /// `[check]`: how strict `check` is.
    pub check: CheckSettings,
}

/// `[check]`: how strict `check` is beyond the graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckSettings {
    /// `pending-requirements = "deny"`: a requirement whose only test is still the pending one
    /// fails `check` (the default, `"allow"`, reports it only with `check --strict`).
    pub deny_pending_requirements: bool,
    /// `suspect-requirements = "deny"`: a requirement whose text changed since its test was
    /// affirmed fails `check` (the default, `"allow"`, makes it a warning; `check --strict`
    /// an error).
    pub deny_suspect_requirements: bool,
}

/// `[workspace]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkspaceMeta {
    /// The system's name, used in generated docs.
    pub name: String,
    /// One line that says what the system is for.
    pub summary: String,
    /// Rust edition for every crate (`edition.workspace = true`).
    pub edition: Edition,
    /// Minimum supported Rust version, if the spec sets one: never older than the edition
    /// needs, nor than cargo 1.84, which reads the generated manifests.
    pub rust_version: Option<RustVersion>,
    /// SPDX license expression, if the spec sets one.
    pub license: Option<String>,
    /// Version every crate starts at.
    pub version: semver::Version,
    /// Whether Trellis' workspace files (README, ARCHITECTURE, `rustfmt.toml`, `.gitignore`,
    /// the cargo alias and the `xtask` crate) are planned in a workspace Trellis did not create
    /// too (`scaffold = true`); they always are in one it creates.
    pub scaffold: bool,
    /// `trellis = …`: where the workspace's own `xtask` gets Trellis' engine (the `trellis`
    /// crate), written as a Cargo dependency is (a version, `path`, or `git`). With it, the
    /// generated `cargo xtask` has `check`, `plan`, `apply`, `trace` and `graph`, and `ci` runs
    /// `check` first: the workspace guards itself. Without it, the xtask needs nothing but std.
    pub engine: Option<ExternalDep>,
}

/// One layer of `[layers] order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The layer's name.
    pub name: String,
    /// Where the spec names it.
    pub span: Span,
}

/// A crate's layer: its name, and its place in `[layers] order` (0 is lowest). Only
/// validation makes one, from a name `[layers] order` lists. It reads as the layer's name
/// (`crate.layer.as_deref()` is `Option<&str>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LayerRef {
    name: String,
    rank: usize,
}

impl LayerRef {
    pub(crate) fn new(name: String, rank: usize) -> LayerRef {
        LayerRef { name, rank }
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The layer's place in `[layers] order`, 0 for the lowest.
    pub fn rank(&self) -> usize {
        self.rank
    }
}

impl Deref for LayerRef {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl AsRef<str> for LayerRef {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for LayerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// One entry of `[dependencies]`: an external crate, as `[workspace.dependencies]` will hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalDep {
    /// The key crates use it by (and the name it has in code).
    pub name: String,
    /// Version requirement, e.g. `"1"`.
    pub version: Option<String>,
    /// Features to enable.
    pub features: Vec<String>,
    /// `default-features`, when the spec sets it.
    pub default_features: Option<bool>,
    /// The package's real name, when it differs from the key.
    pub package: Option<String>,
    /// A git source, with at most one of branch, tag or rev.
    pub git: Option<GitSource>,
    /// A path source, relative to the workspace root.
    pub path: Option<String>,
    /// A registry other than crates.io.
    pub registry: Option<String>,
    /// Where the spec declares it.
    pub span: Span,
}

impl ExternalDep {
    /// The dependency as the inline table (or bare version string) a manifest holds, e.g.
    /// `{ version = "1", features = ["derive"] }`: what `[workspace.dependencies]` gets for it.
    pub fn to_toml(&self) -> String {
        let d = self;
        let mut fields: Vec<String> = Vec::new();
        if let Some(package) = &d.package {
            fields.push(format!("package = {}", toml_str(package)));
        }
        if let Some(version) = &d.version {
            fields.push(format!("version = {}", toml_str(version)));
        }
        if let Some(git) = &d.git {
            fields.push(format!("git = {}", toml_str(&git.url)));
            if let Some((kind, value)) = &git.reference {
                let key = match kind {
                    GitRef::Branch => "branch",
                    GitRef::Tag => "tag",
                    GitRef::Rev => "rev",
                };
                fields.push(format!("{key} = {}", toml_str(value)));
            }
        }
        if let Some(path) = &d.path {
            fields.push(format!("path = {}", toml_str(path)));
        }
        if let Some(registry) = &d.registry {
            fields.push(format!("registry = {}", toml_str(registry)));
        }
        if let Some(default_features) = d.default_features {
            fields.push(format!("default-features = {default_features}"));
        }
        if !d.features.is_empty() {
            let features: Vec<String> = d.features.iter().map(|f| toml_str(f)).collect();
            fields.push(format!("features = [{}]", features.join(", ")));
        }
        match (fields.as_slice(), &d.version) {
            ([_only], Some(version)) => toml_str(version),
            _ => format!("{{ {} }}", fields.join(", ")),
        }
    }
}

/// A git source of an external dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitSource {
    /// The repository address.
    pub url: String,
    /// `branch`, `tag` or `rev`, when the spec sets one.
    pub reference: Option<(GitRef, String)>,
}

/// Which kind of git reference an external dependency pins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitRef {
    /// `branch = "…"`.
    Branch,
    /// `tag = "…"`.
    Tag,
    /// `rev = "…"`.
    Rev,
}

/// One `[crates.<name>]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrateSpec {
    /// The package name.
    pub name: CrateName,
    /// `lib`, `bin` or `proc-macro`.
    pub kind: CrateKind,
    /// Folder relative to the workspace root, `/`-separated, never absolute and never leaving
    /// the root. Defaults to [`default_crate_path`].
    pub path: String,
    /// The crate's layer, one of [`Spec::layers`]; `Some` exactly when the spec declares
    /// layers.
    pub layer: Option<LayerRef>,
    /// One line that says what the crate is for.
    pub summary: String,
    /// Modules, each a valid non-keyword Rust identifier.
    pub modules: Vec<Named>,
    /// Internal dependencies: other crates of this spec, by edge kind.
    pub depends: Edges,
    /// External dependencies: keys of [`Spec::dependencies`], by edge kind.
    pub uses: Edges,
    /// The crate's own features (`[features]`, each `name = []`). A dev-dependency of the
    /// crate on itself turns them all on: how a crate's tests reach its optional code.
    pub features: Vec<Named>,
    /// Requirements the crate must meet.
    pub requirements: Vec<Requirement>,
    /// Renamed from (issue 3's `renamed-from`), when the spec says so.
    pub renamed_from: Option<Named>,
    /// The `[crates.<name>]` header's key.
    pub span: Span,
}

/// A name as the spec wrote it, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The name.
    pub name: String,
    /// Where the spec writes it.
    pub span: Span,
}

/// Dependencies of one crate, by edge kind (`depends`/`dev-depends`/`build-depends`, and the
/// same three for `uses`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edges {
    /// `[dependencies]`.
    pub normal: Vec<Named>,
    /// `[dev-dependencies]`.
    pub dev: Vec<Named>,
    /// `[build-dependencies]`.
    pub build: Vec<Named>,
}

impl Edges {
    /// Every edge with its kind, normal first.
    pub fn iter(&self) -> impl Iterator<Item = (EdgeKind, &Named)> {
        let normal = self.normal.iter().map(|n| (EdgeKind::Normal, n));
        let dev = self.dev.iter().map(|n| (EdgeKind::Dev, n));
        let build = self.build.iter().map(|n| (EdgeKind::Build, n));
        normal.chain(dev).chain(build)
    }

    /// The edges of one kind.
    pub fn of(&self, kind: EdgeKind) -> &[Named] {
        match kind {
            EdgeKind::Normal => &self.normal,
            EdgeKind::Dev => &self.dev,
            EdgeKind::Build => &self.build,
        }
    }

    /// Whether there are no edges at all.
    pub fn is_empty(&self) -> bool {
        self.normal.is_empty() && self.dev.is_empty() && self.build.is_empty()
    }
}

/// The kind of a dependency edge, as Cargo's manifest sections name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// `[dependencies]`
    Normal,
    /// `[dev-dependencies]`
    Dev,
    /// `[build-dependencies]`
    Build,
}

impl EdgeKind {
    /// All kinds, normal first.
    pub const ALL: [EdgeKind; 3] = [EdgeKind::Normal, EdgeKind::Dev, EdgeKind::Build];

    /// The spec key that lists a crate's internal dependencies of this kind (`depends`,
    /// `dev-depends`, `build-depends`).
    pub const fn depends_key(self) -> &'static str {
        match self {
            EdgeKind::Normal => "depends",
            EdgeKind::Dev => "dev-depends",
            EdgeKind::Build => "build-depends",
        }
    }

    /// The spec key that lists a crate's external dependencies of this kind (`uses`,
    /// `dev-uses`, `build-uses`).
    pub const fn uses_key(self) -> &'static str {
        match self {
            EdgeKind::Normal => "uses",
            EdgeKind::Dev => "dev-uses",
            EdgeKind::Build => "build-uses",
        }
    }

    /// The manifest section this kind lives in.
    pub fn manifest_section(self) -> &'static str {
        match self {
            EdgeKind::Normal => "dependencies",
            EdgeKind::Dev => "dev-dependencies",
            EdgeKind::Build => "build-dependencies",
        }
    }

    /// Whether this kind of edge counts for cycles and layers. Cargo allows dev-dependency
    /// cycles (a crate's tests may use a crate that depends on it), so Trellis does too.
    pub fn is_structural(self) -> bool {
        !matches!(self, EdgeKind::Dev)
    }
}

/// A crate's kind: what its main target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CrateKind {
    /// A library (`src/lib.rs`).
    Lib,
    /// A binary (`src/main.rs`).
    Bin,
    /// A procedural-macro library (`src/lib.rs`, `proc-macro = true`).
    ProcMacro,
    /// A package with no lib or bin target: only examples (and tests or benches), such as a
    /// workspace's `examples/` package (`examples/<crate>.rs`).
    Examples,
}

impl CrateKind {
    /// All kinds, as the spec spells them.
    pub const ALL: [CrateKind; 4] =
        [CrateKind::Lib, CrateKind::Bin, CrateKind::ProcMacro, CrateKind::Examples];

    /// The spelling in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            CrateKind::Lib => "lib",
            CrateKind::Bin => "bin",
            CrateKind::ProcMacro => "proc-macro",
            CrateKind::Examples => "examples",
        }
    }

    /// Parses the spelling in the spec.
    pub fn parse(s: &str) -> Option<CrateKind> {
        CrateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the crate has a library target others can depend on.
    pub fn has_lib(self) -> bool {
        matches!(self, CrateKind::Lib | CrateKind::ProcMacro)
    }
}

impl fmt::Display for CrateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A requirement a crate must meet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Unique across the whole spec, e.g. `CORE-1`.
    pub id: String,
    /// What must hold, in one or more sentences.
    pub text: String,
    /// Where the spec declares it.
    pub span: Span,
}

impl Requirement {
    /// The identifier the requirement's pending test and module are named with: the id in
    /// lower case with every other character than a letter or digit turned into `_`
    /// (`CORE-1` → `core_1`). Validation guarantees it is unique and a valid identifier.
    pub fn test_name(&self) -> String {
        requirement_test_name(&self.id)
    }
}

/// See [`Requirement::test_name`].
pub fn requirement_test_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect()
}

/// `[[allow]]`: one explicit exception to a `check` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowance {
    /// The depending crate.
    pub from: Named,
    /// The crate depended on.
    pub to: Named,
    /// Why the exception exists; required, so that exceptions explain themselves.
    pub reason: String,
    /// `until = "YYYY-MM-DD"`: the last day the exception holds, when it has one. After that
    /// day `check` no longer reads it (the spec, which knows no clock, always does).
    pub until: Option<Until>,
    /// Where the spec declares it.
    pub span: Span,
}

/// The `until` of an `[[allow]]`: a date, and where the spec writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Until {
    /// The last day the exception holds.
    pub date: Date,
    /// Where the spec writes it.
    pub span: Span,
}

impl Allowance {
    /// Whether the exception still holds on `today`: it has no `until`, or `today` is not
    /// after it.
    pub fn holds_on(&self, today: Date) -> bool {
        self.until.as_ref().is_none_or(|u| today <= u.date)
    }
}

/// A crate name valid by Cargo's rules, as `cargo new` enforces them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CrateName(String);

impl CrateName {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as Rust code sees it (`market-core` → `market_core`).
    pub fn ident(&self) -> String {
        self.0.replace('-', "_")
    }

    /// Checks a name by cargo's rules (see [`crate::check_crate_name`]); the warnings cargo
    /// would print are not errors here. Binary crates have a stricter rule: use
    /// [`CrateName::parse_for_bin`] for them.
    pub fn parse(name: &str) -> Result<CrateName, crate::NameError> {
        crate::check_crate_name(name, false).map(|_| CrateName(name.to_owned()))
    }

    /// As [`CrateName::parse`], for a crate with a binary target of the same name.
    pub fn parse_for_bin(name: &str) -> Result<CrateName, crate::NameError> {
        crate::check_crate_name(name, true).map(|_| CrateName(name.to_owned()))
    }

    /// Wraps a name that validation has already accepted. Only the validator calls this.
    pub(crate) fn new_unchecked(name: String) -> CrateName {
        CrateName(name)
    }
}

impl fmt::Display for CrateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Named {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl AsRef<str> for CrateName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The folder of a crate whose spec names none: `crates/<name>`.
pub fn default_crate_path(name: &str) -> String {
    format!("crates/{name}")
}

/// The name and folder of the `xtask` crate every generated workspace carries (and of a
/// workspace's own, which Trellis then leaves alone).
pub const XTASK: &str = "xtask";

impl Spec {
    /// Whether the spec declares the workspace's own xtask: a crate named `xtask`, or one in the
    /// `xtask/` folder. Trellis then generates no `xtask` crate (nor its cargo alias) of its own.
    pub fn has_own_xtask(&self) -> bool {
        self.crates.iter().any(|c| {
            c.name.as_str() == XTASK
                || c.path == XTASK
                || c.path.strip_prefix(XTASK).is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// The crate with this name.
    pub fn crate_named(&self, name: &str) -> Option<&CrateSpec> {
        self.crates.iter().find(|c| c.name.as_str() == name)
    }

    /// The position of a layer in `[layers] order` (0 is lowest).
    pub fn layer_rank(&self, layer: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.name == layer)
    }
}
