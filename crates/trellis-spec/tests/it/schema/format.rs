//! The file format of `Trellis.toml` as serde+schemars types, from which `trellis.schema.json`
//! is generated: only here, in the tests, which check that the committed schema is what these
//! types give (`the_committed_schema_is_fresh`), so that Trellis itself carries no schemars.
//!
//! The types describe the format and nothing else. No spec is ever read through them: the
//! parser stays the hand-written toml_edit walk of `parse.rs`, which reports every problem at
//! once with its place in the text (serde would stop at the first, without one). Each field's
//! doc comment, taken from docs/spec.md, becomes its `description`; `deny_unknown_fields`
//! makes every table `additionalProperties: false`, as the parser refuses unknown keys (S002);
//! closed sets of values are enums. What needs more than one value (references, cycles,
//! layers) is the parser's alone. The tests keep the schema and the parser in step.

// The fields are read by serde and described by schemars, never by code.
#![allow(dead_code)]

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use serde_json::Value;

/// The JSON Schema of `Trellis.toml`: draft 7 (what taplo and tombi read), pretty-printed,
/// keys sorted so that the text depends on nothing but the types, with a final newline.
pub(crate) fn json() -> String {
    let mut settings = schemars::generate::SchemaSettings::draft07();
    // Before draft 7's own transforms, which move a `$ref` with siblings into an `allOf`.
    settings.transforms.insert(0, Box::new(for_toml));
    let generator = settings.into_generator();
    let mut value = generator.into_root_schema_for::<SpecFile>().to_value();
    value.sort_all_objects();
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// Fits a schema generated from Rust types to TOML, recursively. TOML has no null: an optional
/// key is one that may be absent, so `Option`'s `null` goes (`"type": ["string", "null"]` is
/// `"type": "string"`; `{ "anyOf": [{ "$ref": … }, { "type": "null" }] }` is the `$ref`). An
/// integer is TOML's 64-bit one, so the `format` schemars names after the Rust type (`uint32`,
/// no format JSON Schema defines) goes too. And a description reads as the doc comment's
/// paragraphs, not its wrapped lines.
fn for_toml(schema: &mut Schema) {
    if schema.get("type").and_then(Value::as_str) == Some("integer") {
        schema.remove("format");
    }
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [one] = types.as_slice() {
            let one = one.clone();
            schema.insert("type".to_owned(), one);
        }
    }
    if let Some(Value::Array(any_of)) = schema.get_mut("anyOf") {
        any_of.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
        if let [one] = any_of.as_slice() {
            let one = one.clone();
            schema.remove("anyOf");
            if let Value::Object(one) = one {
                for (key, value) in one {
                    schema.insert(key, value);
                }
            }
        }
    }
    if let Some(Value::String(text)) = schema.get_mut("description") {
        *text = text.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
    }
    schemars::transform::transform_subschemas(&mut for_toml, schema);
}

/// `Trellis.toml`, the spec of a Rust system: its crates, who may depend on whom, and what
/// each crate must do. Trellis turns it into a Cargo workspace and keeps the two in step
/// (docs/spec.md).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "Trellis.toml")]
pub(crate) struct SpecFile {
    /// The format version; anything but `1` is refused (S034), so a spec written for a later
    /// Trellis fails clearly instead of half-working.
    #[schemars(range(min = 1, max = 1), extend("default" = 1))]
    pub(crate) format: Option<u32>,
    /// The workspace as a whole: its name, edition and what every crate starts with.
    pub(crate) workspace: Workspace,
    /// The layers of the system, lowest first: a crate may depend on crates of its own layer
    /// and of the layers below it. When layers are declared, every crate names one (S019);
    /// when none are, no crate may (S020).
    pub(crate) layers: Option<Layers>,
    /// External crates, pinned once: they become the generated root's
    /// `[workspace.dependencies]`. The key, in the form of a package name, is the name crates
    /// `use` them by; it names no crate of this spec, unless for that crate's release from the
    /// registry. The value is a version requirement or a table. An entry no crate uses is a
    /// warning (S033).
    #[schemars(extend("propertyNames" = { "pattern": PACKAGE_NAME }))]
    pub(crate) dependencies: Option<BTreeMap<String, Dependency>>,
    /// The crates, one table each, keyed by package name; at least one (S029). Tables come in
    /// the order written, and that order is kept.
    #[schemars(extend("minProperties" = 1, "propertyNames" = { "pattern": PACKAGE_NAME }))]
    pub(crate) crates: BTreeMap<String, Crate>,
    /// Exceptions to the layers, each with its reason: a declared normal or build edge
    /// `from -> to` up the layers is valid when one names it, and `check` reads them too
    /// (docs/check.md). Nothing permits a cycle.
    pub(crate) allow: Option<Vec<Allow>>,
    /// Rules on the external crates a layer or a crate uses, each with its reason: `check`
    /// reports every violation in the workspace, and a crate whose own `uses` breaks one is a
    /// spec error (S036).
    pub(crate) forbid: Option<Vec<Forbid>>,
    /// Settings of `check`.
    pub(crate) check: Option<Check>,
}

/// ASCII letters, digits, `-` and `_`, starting with a letter or `_`: the form of a package
/// name (S006; the finer rules, keywords and reserved names, are the parser's).
const PACKAGE_NAME: &str = "^[A-Za-z_][A-Za-z0-9_-]*$";

/// `[workspace]`: the system as a whole.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Workspace {
    /// The system's name in generated docs; not empty.
    #[schemars(length(min = 1))]
    pub(crate) name: String,
    /// One line about the system.
    #[schemars(extend("default" = ""))]
    pub(crate) summary: Option<String>,
    /// The edition of every crate.
    #[schemars(extend("default" = "2024"))]
    pub(crate) edition: Option<Edition>,
    /// The oldest Rust the workspace builds with, `1.<minor>` or `1.<minor>.<patch>`: not
    /// older than the edition (2018: 1.31, 2021: 1.56, 2024: 1.85), nor than 1.84, whose cargo
    /// reads the generated manifests (`resolver = "3"`).
    #[schemars(regex(pattern = r"^1\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$"))]
    pub(crate) rust_version: Option<String>,
    /// An SPDX license expression, such as `MIT OR Apache-2.0`; not blank.
    pub(crate) license: Option<String>,
    /// The version every crate starts at: semver `major.minor.patch[-pre][+build]`, read as
    /// cargo reads it.
    #[schemars(extend("default" = "0.1.0"))]
    pub(crate) version: Option<String>,
    /// `true` plans Trellis' workspace files (README.md, ARCHITECTURE.md, `rustfmt.toml`,
    /// `.gitignore`, the cargo alias and the `xtask` crate) in a workspace Trellis did not
    /// create too; a workspace `new` creates always gets them.
    #[schemars(extend("default" = false))]
    pub(crate) scaffold: Option<bool>,
    /// Where the workspace's own xtask gets Trellis' engine (the `trellis` crate), written as a
    /// Cargo dependency is: a version, a `path` (relative to the workspace root) or a `git`
    /// source. With it, `cargo xtask` has `check`, `plan`, `apply`, `trace` and `graph`, and
    /// `cargo xtask ci` runs `check` first: the workspace guards itself.
    pub(crate) trellis: Option<Dependency>,
}

/// A Rust edition.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) enum Edition {
    // Undocumented variants keep the schema a plain `enum` of strings, which every editor
    // completes; the field's description says what they mean.
    #[allow(missing_docs)]
    #[serde(rename = "2015")]
    E2015,
    #[allow(missing_docs)]
    #[serde(rename = "2018")]
    E2018,
    #[allow(missing_docs)]
    #[serde(rename = "2021")]
    E2021,
    #[allow(missing_docs)]
    #[serde(rename = "2024")]
    E2024,
}

/// `[layers]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Layers {
    /// The layers, lowest first; not empty, no repeats, no empty names.
    #[schemars(length(min = 1), inner(length(min = 1)), extend("uniqueItems" = true))]
    pub(crate) order: Vec<String>,
}

/// An external crate: a version requirement (`serde = "1"`) or a table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum Dependency {
    /// A version requirement as cargo reads it, such as `"1"` or `"^0.4.2"`.
    Version(String),
    /// Where the crate comes from and how it is used.
    Table(DependencyTable),
}

/// An external crate as a table: it needs a `version`, `git` or `path` (S032).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct DependencyTable {
    /// A version requirement as cargo reads it (the `semver` crate's `VersionReq`), such as
    /// `"1"`, `"^0.4.2"` or `">=1.2, <2"`; not empty.
    #[schemars(length(min = 1))]
    pub(crate) version: Option<String>,
    /// Features of the crate to turn on: names of its features (no `/`, no `dep:`).
    #[schemars(inner(regex(pattern = FEATURE_NAME)))]
    pub(crate) features: Option<Vec<String>>,
    /// Whether the crate's default features are on.
    #[schemars(extend("default" = true))]
    pub(crate) default_features: Option<bool>,
    /// The real package name, when it differs from the key.
    #[schemars(regex(pattern = PACKAGE_NAME))]
    pub(crate) package: Option<String>,
    /// A git repository, as a URL cargo reads (`https://`, `ssh://`, `git://`, `file://`);
    /// excludes `path` and `registry`.
    pub(crate) git: Option<String>,
    /// A branch of the `git` repository; at most one of `branch`, `tag` and `rev`.
    pub(crate) branch: Option<String>,
    /// A tag of the `git` repository; at most one of `branch`, `tag` and `rev`.
    pub(crate) tag: Option<String>,
    /// A commit of the `git` repository; at most one of `branch`, `tag` and `rev`.
    pub(crate) rev: Option<String>,
    /// A folder holding the package, relative to the workspace root.
    pub(crate) path: Option<String>,
    /// A registry other than crates.io, one cargo knows for the workspace.
    pub(crate) registry: Option<String>,
}

/// ASCII letters, digits, `_`, `-`, `+` and `.`, starting with a letter, a digit or `_`: a
/// feature name as cargo accepts it.
const FEATURE_NAME: &str = "^[A-Za-z0-9_][A-Za-z0-9_+.-]*$";

/// `[crates.<name>]`: one crate, the key its package name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Crate {
    /// What the crate builds: `lib`, `bin`, `proc-macro`, or `examples` (no lib or bin
    /// target: `examples/<crate>.rs` only).
    #[schemars(extend("default" = "lib"))]
    pub(crate) kind: Option<Kind>,
    /// Its folder, relative to the workspace root and `/`-separated; `crates/<name>` when
    /// absent, `"."` for the package at the root. Not absolute, no `..`, no backslash, no glob
    /// character, not under `target/`.
    #[schemars(length(min = 1))]
    pub(crate) path: Option<String>,
    /// Its layer, one of `[layers] order`: required when layers are declared, refused when
    /// none are.
    pub(crate) layer: Option<String>,
    /// One line, for the crate's docs and its manifest's `description`.
    #[schemars(extend("default" = ""))]
    pub(crate) summary: Option<String>,
    /// Its modules, one `src/<module>.rs` each: snake_case ASCII identifiers, not keywords,
    /// not `lib` or `main`; no repeats.
    #[schemars(inner(regex(pattern = "^[a-z_][a-z0-9_]*$")), extend("uniqueItems" = true))]
    pub(crate) modules: Option<Vec<String>>,
    /// Crates of this spec it depends on; never a crate without a library (`bin`,
    /// `examples`), never itself.
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) depends: Option<Vec<String>>,
    /// Crates of this spec its tests, examples and benchmarks use: exempt from layers and
    /// cycles, and may name the crate itself (its tests then turn all its `features` on).
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) dev_depends: Option<Vec<String>>,
    /// Crates of this spec its build script uses.
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) build_depends: Option<Vec<String>>,
    /// External crates it depends on, by their key in `[dependencies]`.
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) uses: Option<Vec<String>>,
    /// External crates its tests, examples and benchmarks use, by their key in
    /// `[dependencies]`.
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) dev_uses: Option<Vec<String>>,
    /// External crates its build script uses, by their key in `[dependencies]`.
    #[schemars(extend("uniqueItems" = true))]
    pub(crate) build_uses: Option<Vec<String>>,
    /// What the crate must do, inline or as `[[crates.<name>.requirements]]`: each becomes a
    /// pending test in `tests/requirements/` until a person makes it real.
    pub(crate) requirements: Option<Vec<Requirement>>,
    /// The crate's previous name: the sync stage moves the crate. Differs from its name, from
    /// every current crate and from every other `renamed-from`.
    #[schemars(regex(pattern = PACKAGE_NAME))]
    pub(crate) renamed_from: Option<String>,
    /// The crate's own features, each `name = []` in its `[features]`; a dev-dependency of
    /// the crate on itself turns them all on. Not `default`; no repeats.
    #[schemars(inner(regex(pattern = FEATURE_NAME)), extend("uniqueItems" = true))]
    pub(crate) features: Option<Vec<String>>,
}

/// What a crate builds.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Kind {
    // Undocumented for a plain `enum` of strings; see `Crate::kind`.
    #[allow(missing_docs)]
    Lib,
    #[allow(missing_docs)]
    Bin,
    #[allow(missing_docs)]
    ProcMacro,
    #[allow(missing_docs)]
    Examples,
}

/// A requirement: what must hold, under an id its pending test is named after.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Requirement {
    /// `[A-Za-z][A-Za-z0-9._-]*`, unique across the spec; its test is named after it
    /// (`CORE-1`: `core_1`).
    #[schemars(regex(pattern = "^[A-Za-z][A-Za-z0-9._-]*$"))]
    pub(crate) id: String,
    /// What must hold, in one or more sentences; not blank.
    pub(crate) text: String,
}

/// `[[allow]]`: one exception.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Allow {
    /// The crate of the spec the edge starts from.
    pub(crate) from: String,
    /// The crate of the spec, or the external crate's key (listed in `[dependencies]` or
    /// not), the edge goes to.
    pub(crate) to: String,
    /// Why the edge is allowed, so that the exception explains itself; not blank.
    pub(crate) reason: String,
    /// The last day the exception holds, `YYYY-MM-DD`: after it, `check` reads the edge as if
    /// the exception were not there, and it warns from 30 days before.
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))]
    pub(crate) until: Option<String>,
}

/// `[[forbid]]`: a rule on the external crates of one layer or one crate; exactly one of
/// `layer` and `crate`, and exactly one of `uses` and `only-uses`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(extend("allOf" = [
    { "oneOf": [{ "required": ["layer"] }, { "required": ["crate"] }] },
    { "oneOf": [{ "required": ["uses"] }, { "required": ["only-uses"] }] },
]))]
pub(crate) struct Forbid {
    /// The rule is about every crate of this layer (one of `[layers] order`).
    pub(crate) layer: Option<String>,
    /// The rule is about this crate of the spec.
    #[serde(rename = "crate")]
    pub(crate) krate: Option<String>,
    /// The external crates it may not use, by package name; globs (`tokio*`) allowed.
    #[schemars(length(min = 1), inner(length(min = 1)))]
    pub(crate) uses: Option<Vec<String>>,
    /// The only external crates it may use, by package name; globs allowed.
    #[schemars(length(min = 1), inner(length(min = 1)))]
    pub(crate) only_uses: Option<Vec<String>>,
    /// Why the rule exists, shown with every violation; not blank.
    pub(crate) reason: String,
}

/// `[check]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Check {
    /// `deny` makes `check` fail while a requirement's only test is the pending one.
    #[schemars(extend("default" = "allow"))]
    pub(crate) pending_requirements: Option<Pending>,
    /// `deny` makes `check` fail while a requirement's text changed since a person affirmed its
    /// test (`trace --affirm ID`); `allow` makes it a warning.
    #[schemars(extend("default" = "allow"))]
    pub(crate) suspect_requirements: Option<Pending>,
}

/// Whether pending (or suspect) requirements fail `check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Pending {
    // Undocumented for a plain `enum` of strings; see `Check::pending_requirements`.
    #[allow(missing_docs)]
    Allow,
    #[allow(missing_docs)]
    Deny,
}
