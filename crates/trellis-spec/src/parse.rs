//! Walks the TOML tree of a spec by hand into a draft model, reporting every misplaced key,
//! wrong type and missing key in one pass (serde would stop at the first).
//!
//! What can be checked on one value alone is checked here (an edition, a version's form);
//! what needs the whole spec (names, edges, layers) is left to `validate`.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use toml_edit::{Document, Item, Key, TableLike, Value};

use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{
    Allowance, CheckSettings, CrateKind, CrateName, CrateSpec, Edges, ExternalDep, GitRef,
    GitSource, Layer, Named, Requirement, Span, Spec, WorkspaceMeta,
};
use crate::suggest::did_you_mean;

/// The spec format this parser reads.
pub const FORMAT: i64 = 1;

/// The editions a spec may name.
pub const EDITIONS: &[&str] = &["2015", "2018", "2021", "2024"];

/// The draft model and the places `validate` needs beyond what the model keeps.
#[derive(Debug)]
pub(crate) struct Draft {
    /// The model; names are unchecked until `validate` passes.
    pub(crate) spec: Spec,
    /// Per crate, in the order of `spec.crates`.
    pub(crate) crates: Vec<CrateSpans>,
}

/// Where a crate's keys are written, when they are.
#[derive(Debug, Default, Clone)]
pub(crate) struct CrateSpans {
    /// The `path` value; `None` when the path is the default.
    pub(crate) path: Option<Span>,
    /// The `layer` value.
    pub(crate) layer: Option<Span>,
    /// The crate's value is not a table (reported already): only its name is known, so
    /// checks of its keys would only repeat that error.
    pub(crate) broken: bool,
}

/// Parses spec text into a draft, with the diagnostics found on the way. `None` when the text
/// is not TOML at all.
pub(crate) fn parse(text: &str, file: &str) -> (Option<Draft>, Vec<Diagnostic>) {
    let mut cx = Cx { file, diags: Vec::new() };
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            // toml_edit's message repeats the position and quotes the line; its first line is
            // the message proper.
            let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
            let message = if message.is_empty() { "invalid TOML" } else { message };
            let hint = if message.starts_with("duplicate key") {
                "a key or table appears once in a TOML file; merge the two".to_owned()
            } else if message.starts_with("string values must be quoted") {
                let bare = text.get(span.clone()).unwrap_or_default();
                format!("quote it: `\"{bare}\"`")
            } else {
                "the spec is TOML; see docs/spec.md for its format".to_owned()
            };
            cx.push(
                Diagnostic::error(codes::TOML_SYNTAX, format!("invalid TOML: {message}"))
                    .at(span, "here")
                    .hint(hint),
            );
            return (None, cx.diags);
        }
    };
    let draft = cx.document(doc.as_table(), text);
    (Some(draft), cx.diags)
}

/// A table (header or inline) with its place, as the walk sees it.
struct Tab<'a> {
    table: &'a dyn TableLike,
    span: Span,
    /// How messages name it, quoted: `` `[workspace]` ``, `` `[crates.core]` ``.
    name: String,
}

struct Cx<'f> {
    file: &'f str,
    diags: Vec<Diagnostic>,
}

pub(crate) const TOP_KEYS: &[&str] =
    &["format", "workspace", "layers", "dependencies", "crates", "allow", "check"];
pub(crate) const WORKSPACE_KEYS: &[&str] =
    &["name", "summary", "edition", "rust-version", "license", "version", "scaffold", "trellis"];
pub(crate) const LAYERS_KEYS: &[&str] = &["order"];
pub(crate) const DEP_KEYS: &[&str] = &[
    "version",
    "features",
    "default-features",
    "package",
    "git",
    "branch",
    "tag",
    "rev",
    "path",
    "registry",
];
pub(crate) const CRATE_KEYS: &[&str] = &[
    "kind",
    "path",
    "layer",
    "summary",
    "modules",
    "depends",
    "dev-depends",
    "build-depends",
    "uses",
    "dev-uses",
    "build-uses",
    "requirements",
    "renamed-from",
    "features",
];
pub(crate) const REQUIREMENT_KEYS: &[&str] = &["id", "text"];
pub(crate) const ALLOW_KEYS: &[&str] = &["from", "to", "reason"];
pub(crate) const CHECK_KEYS: &[&str] = &["pending-requirements", "suspect-requirements"];

/// Where a key that is unknown in one table belongs, or what it is called here: the slips of
/// someone who knows Cargo.toml, or who put a key in the wrong table.
fn known_elsewhere(key: &str, here: &[&str]) -> Option<String> {
    let crate_table = here == CRATE_KEYS;
    let hint = match key {
        "name" if crate_table => "a crate's name is its table's key: `[crates.<name>]`".to_owned(),
        "dependencies" | "dev-dependencies" | "build-dependencies" if crate_table => {
            "list crates of this spec in `depends` (`dev-depends`, `build-depends`) and external \
             crates, by their key in `[dependencies]`, in `uses` (`dev-uses`, `build-uses`)"
                .to_owned()
        }
        "description" => "write it as `summary`".to_owned(),
        "type" | "crate-type" if crate_table => "write it as `kind`".to_owned(),
        "members" => "the members are the `[crates.<name>]` tables".to_owned(),
        _ => {
            let tables: [(&[&str], &str); 6] = [
                (WORKSPACE_KEYS, "`[workspace]`"),
                (CRATE_KEYS, "a `[crates.<name>]` table"),
                (LAYERS_KEYS, "`[layers]`"),
                (ALLOW_KEYS, "an `[[allow]]` table"),
                (CHECK_KEYS, "`[check]`"),
                (TOP_KEYS, "the top level"),
            ];
            let (_, place) =
                tables.iter().find(|(keys, _)| *keys != here && keys.contains(&key))?;
            format!("`{key}` belongs in {place}")
        }
    };
    Some(hint)
}

fn span_of(item: &Item) -> Span {
    item.span().unwrap_or(0..0)
}

fn key_span(key: &Key, fallback: &Span) -> Span {
    key.span().unwrap_or_else(|| fallback.clone())
}

/// "a string", "an integer"…, for messages.
fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {type_name}")
}

impl Cx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d.in_file(self.file));
    }

    fn wrong_type(&mut self, item: &Item, what: &str, expected: &str) {
        let found = item.type_name();
        let mut d = Diagnostic::error(
            codes::WRONG_TYPE,
            format!("{what} must be {expected}, found {}", a(found)),
        )
        .at(span_of(item), format!("expected {expected}"));
        // The commonest slip: one name where a list is expected.
        if expected == "an array of strings"
            && let Some(one) = item.as_value().filter(|v| v.is_str())
        {
            d = d.hint(format!("write a list, even of one: `[{}]`", one.to_string().trim()));
        } else if expected == "an array of tables" && item.is_inline_table() {
            d = d.hint("put the table in a list: `[{ … }]`");
        }
        self.push(d);
    }

    fn table<'a>(&mut self, item: &'a Item, name: String) -> Option<Tab<'a>> {
        match item.as_table_like() {
            Some(table) => Some(Tab { table, span: span_of(item), name }),
            None => {
                self.wrong_type(item, &name, "a table");
                None
            }
        }
    }

    /// Reports every key of `tab` that is not in `allowed`.
    fn known_keys(&mut self, tab: &Tab<'_>, allowed: &[&str]) {
        for (k, _) in tab.table.iter() {
            if allowed.contains(&k) {
                continue;
            }
            let span =
                tab.table.key(k).map_or_else(|| tab.span.clone(), |key| key_span(key, &tab.span));
            let d =
                Diagnostic::error(codes::UNKNOWN_KEY, format!("unknown key `{k}` in {}", tab.name))
                    .at(span, "unknown key");
            let hint = did_you_mean(k, allowed.iter().copied())
                .or_else(|| known_elsewhere(k, allowed))
                .unwrap_or_else(|| format!("the keys allowed here are {}", list(allowed)));
            self.push(d.hint(hint));
        }
    }

    fn get<'a>(&self, tab: &Tab<'a>, key: &str) -> Option<(&'a Key, &'a Item)> {
        tab.table.get_key_value(key).filter(|(_, item)| !item.is_none())
    }

    fn string(&mut self, tab: &Tab<'_>, key: &str) -> Option<(String, Span)> {
        let (_, item) = self.get(tab, key)?;
        match item.as_str() {
            Some(s) => Some((s.to_owned(), span_of(item))),
            None => {
                self.wrong_type(item, &format!("`{key}`"), "a string");
                None
            }
        }
    }

    fn required_string(&mut self, tab: &Tab<'_>, key: &str) -> Option<(String, Span)> {
        if self.get(tab, key).is_none() {
            self.push(
                Diagnostic::error(codes::MISSING_KEY, format!("{} has no `{key}`", tab.name))
                    .at(tab.span.clone(), format!("`{key}` is required here"))
                    .hint(format!("add `{key} = \"…\"`")),
            );
            return None;
        }
        self.string(tab, key)
    }

    fn boolean(&mut self, tab: &Tab<'_>, key: &str) -> Option<bool> {
        let (_, item) = self.get(tab, key)?;
        match item.as_bool() {
            Some(b) => Some(b),
            None => {
                self.wrong_type(item, &format!("`{key}`"), "a boolean");
                None
            }
        }
    }

    /// An array of strings, each with its place; elements of another type are reported and
    /// skipped.
    fn strings(&mut self, tab: &Tab<'_>, key: &str) -> Vec<Named> {
        let Some((_, item)) = self.get(tab, key) else { return Vec::new() };
        let Some(array) = item.as_array() else {
            self.wrong_type(item, &format!("`{key}`"), "an array of strings");
            return Vec::new();
        };
        let mut out = Vec::new();
        for value in array.iter() {
            match value.as_str() {
                Some(s) => out.push(Named { name: s.to_owned(), span: value_span(value) }),
                None => self.push(
                    Diagnostic::error(
                        codes::WRONG_TYPE,
                        format!("`{key}` must hold strings, found {}", a(value.type_name())),
                    )
                    .at(value_span(value), "expected a string"),
                ),
            }
        }
        out
    }

    fn document(&mut self, root: &toml_edit::Table, text: &str) -> Draft {
        let top = Tab { table: root, span: 0..0, name: "the top level of the spec".to_owned() };
        self.known_keys(&top, TOP_KEYS);

        if let Some((_, item)) = self.get(&top, "format") {
            match item.as_integer() {
                Some(FORMAT) => {}
                Some(n) => self.push(
                    Diagnostic::error(
                        codes::UNSUPPORTED_FORMAT,
                        format!("this version of Trellis reads spec format {FORMAT}, not {n}"),
                    )
                    .at(span_of(item), "unsupported format")
                    .hint(format!("write `format = {FORMAT}` or use a newer Trellis")),
                ),
                None => self.wrong_type(item, "`format`", "an integer"),
            }
        }

        let workspace = self.workspace(&top, text);
        let layers = self.layers(&top);
        let dependencies = self.dependencies(&top);
        let (crates, spans) = self.crates(&top, text);
        let allow = self.allow(&top);
        let check = self.check(&top);
        Draft {
            spec: Spec { workspace, layers, dependencies, crates, allow, check },
            crates: spans,
        }
    }

    fn workspace(&mut self, top: &Tab<'_>, text: &str) -> WorkspaceMeta {
        let mut meta = WorkspaceMeta {
            name: String::new(),
            summary: String::new(),
            edition: "2024".to_owned(),
            rust_version: None,
            license: None,
            version: "0.1.0".to_owned(),
            scaffold: false,
            engine: None,
        };
        let Some((_, item)) = self.get(top, "workspace") else {
            self.push(
                Diagnostic::error(codes::MISSING_KEY, "the spec has no `[workspace]` table")
                    .at(
                        0..text.find('\n').unwrap_or(text.len()),
                        "expected `[workspace]` in this file",
                    )
                    .hint("start the spec with `[workspace]` and `name = \"…\"`"),
            );
            return meta;
        };
        let Some(tab) = self.table(item, "`[workspace]`".to_owned()) else { return meta };
        self.known_keys(&tab, WORKSPACE_KEYS);
        if let Some((name, span)) = self.required_string(&tab, "name") {
            if name.trim().is_empty() {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the workspace name is empty")
                        .at(span, "empty name")
                        .hint("name the system, e.g. `name = \"sme-market\"`"),
                );
            }
            meta.name = name;
        }
        if let Some((summary, _)) = self.string(&tab, "summary") {
            meta.summary = summary;
        }
        let mut edition_span = None;
        if let Some((edition, span)) = self.string(&tab, "edition") {
            if EDITIONS.contains(&edition.as_str()) {
                meta.edition = edition;
                edition_span = Some(span);
            } else {
                let mut d =
                    Diagnostic::error(codes::INVALID_VALUE, format!("unknown edition `{edition}`"))
                        .at(span, "not an edition");
                d = d.hint(format!("the editions are {}", list(EDITIONS)));
                self.push(d);
            }
        }
        if let Some((rust_version, span)) = self.string(&tab, "rust-version") {
            match parse_rust_version(&rust_version) {
                Some(v) => {
                    let needed = edition_min_rust(&meta.edition);
                    if v < OUTPUT_MIN_RUST && needed <= OUTPUT_MIN_RUST {
                        self.push(
                            Diagnostic::error(
                                codes::INVALID_VALUE,
                                format!(
                                    "the generated workspace needs rust-version 1.{} or later",
                                    OUTPUT_MIN_RUST.0
                                ),
                            )
                            .at(span.clone(), "older than what the generated manifests need")
                            .hint(format!(
                                "its manifests use `resolver = \"3\"` (cargo 1.84), `[lints]` (1.74) and workspace inheritance (1.64); raise it to \"1.{}\"",
                                OUTPUT_MIN_RUST.0
                            )),
                        );
                    } else if v < needed {
                        let mut d = Diagnostic::error(
                            codes::INVALID_VALUE,
                            format!(
                                "edition {} needs rust-version 1.{} or later",
                                meta.edition, needed.0
                            ),
                        )
                        .at(span, "too old for the edition");
                        if let Some(edition_span) = edition_span.clone() {
                            d = d.also(edition_span, "edition set here");
                        }
                        self.push(d.hint(format!("raise it to \"1.{}\"", needed.0)));
                    }
                    meta.rust_version = Some(rust_version);
                }
                None => self.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{rust_version}` is not a rust-version"),
                    )
                    .at(span, "expected `1.<minor>` or `1.<minor>.<patch>`")
                    .hint("write it as cargo does, e.g. \"1.85\""),
                ),
            }
        }
        if let Some((license, span)) = self.string(&tab, "license") {
            if license.trim().is_empty() {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the license is empty")
                        .at(span, "empty license")
                        .hint("write an SPDX expression such as \"MIT OR Apache-2.0\", or leave the key out"),
                );
            }
            meta.license = Some(license);
        }
        if let Some(scaffold) = self.boolean(&tab, "scaffold") {
            meta.scaffold = scaffold;
        }
        if let Some((key, item)) = self.get(&tab, "trellis") {
            meta.engine = self.external("trellis", key_span(key, &tab.span), item);
        }
        if let Some((version, span)) = self.string(&tab, "version") {
            if semver::Version::parse(&version).is_ok() {
                meta.version = version;
            } else {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{version}` is not a semver version"),
                    )
                    .at(span, "expected `<major>.<minor>.<patch>`")
                    .hint("write a full version, e.g. \"0.1.0\""),
                );
            }
        }
        meta
    }

    fn layers(&mut self, top: &Tab<'_>) -> Vec<Layer> {
        let Some((_, item)) = self.get(top, "layers") else { return Vec::new() };
        let Some(tab) = self.table(item, "`[layers]`".to_owned()) else { return Vec::new() };
        self.known_keys(&tab, LAYERS_KEYS);
        if self.get(&tab, "order").is_none() {
            self.push(
                Diagnostic::error(codes::MISSING_KEY, "`[layers]` has no `order`")
                    .at(tab.span.clone(), "`order` is required here")
                    .hint("list the layers lowest first, e.g. `order = [\"core\", \"app\"]`, or drop `[layers]`"),
            );
        }
        if let Some((_, item)) = self.get(&tab, "order")
            && item.as_array().is_some_and(|a| a.is_empty())
        {
            self.push(
                Diagnostic::error(codes::INVALID_VALUE, "`[layers] order` is empty")
                    .at(span_of(item), "no layer")
                    .hint("list the layers lowest first, or drop `[layers]`"),
            );
        }
        let order = self.strings(&tab, "order");
        order.into_iter().map(|n| Layer { name: n.name, span: n.span }).collect()
    }

    fn dependencies(&mut self, top: &Tab<'_>) -> BTreeMap<String, ExternalDep> {
        let mut out = BTreeMap::new();
        let Some((_, item)) = self.get(top, "dependencies") else { return out };
        let Some(tab) = self.table(item, "`[dependencies]`".to_owned()) else { return out };
        for (name, item) in tab.table.iter() {
            let key = tab.table.key(name).expect("iterated key exists");
            let span = key_span(key, &tab.span);
            if let Some(dep) = self.external(name, span, item) {
                out.insert(name.to_owned(), dep);
            }
        }
        out
    }

    /// One external dependency, `name = "1"` or `name = { … }`, as cargo reads a dependency:
    /// `None` for a value that is neither a string nor a table (after reporting it).
    fn external(&mut self, name: &str, span: Span, item: &Item) -> Option<ExternalDep> {
        let mut dep = ExternalDep {
            name: name.to_owned(),
            version: None,
            features: Vec::new(),
            default_features: None,
            package: None,
            git: None,
            path: None,
            registry: None,
            span: span.clone(),
        };
        if let Some(version) = item.as_str() {
            self.version_req(version, span_of(item));
            dep.version = Some(version.to_owned());
            return Some(dep);
        }
        if item.as_table_like().is_none() {
            self.wrong_type(item, &format!("dependency `{name}`"), "a version string or a table");
            return Some(dep);
        }
        let dt = self.table(item, format!("dependency `{name}`"))?;
        self.known_keys(&dt, DEP_KEYS);
        if let Some((version, vspan)) = self.string(&dt, "version") {
            self.version_req(&version, vspan);
            dep.version = Some(version);
        }
        dep.features = self.strings(&dt, "features").into_iter().map(|n| n.name).collect();
        dep.default_features = self.boolean(&dt, "default-features");
        if let Some((package, span)) = self.string(&dt, "package") {
            if let Err(e) = crate::names::check_form(&package) {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_CRATE_NAME,
                        format!("invalid package name: {e}"),
                    )
                    .at(span, "not a package name")
                    .hint("`package` is the crate's name on its registry or in its repository"),
                );
            }
            dep.package = Some(package);
        }
        dep.path = self.string(&dt, "path").map(|(s, _)| s);
        dep.registry = self.string(&dt, "registry").map(|(s, _)| s);
        let git = self.string(&dt, "git");
        let refs: Vec<(GitRef, String, Span)> =
            [(GitRef::Branch, "branch"), (GitRef::Tag, "tag"), (GitRef::Rev, "rev")]
                .into_iter()
                .filter_map(|(kind, key)| self.string(&dt, key).map(|(s, sp)| (kind, s, sp)))
                .collect();
        if let Some((url, span)) = &git {
            self.git_url(url, span.clone());
        }
        self.source_rules(name, &dep, git.as_ref(), &refs, &dt);
        dep.git = git.map(|(url, _)| GitSource {
            url,
            reference: refs.into_iter().next().map(|(kind, value, _)| (kind, value)),
        });
        Some(dep)
    }

    /// A git source as cargo reads it: a URL with a scheme git knows (`https://…`,
    /// `ssh://…`, `git://…`, `file://…`) and a host or a path after it. The scp-like
    /// `git@host:path` that git itself accepts, cargo refuses.
    fn git_url(&mut self, url: &str, span: Span) {
        let well_formed = url.split_once("://").is_some_and(|(scheme, rest)| {
            ["https", "http", "ssh", "git", "file"].contains(&scheme)
                && !rest.is_empty()
                && !rest.chars().any(char::is_whitespace)
        });
        if !well_formed {
            self.push(
                Diagnostic::error(codes::INVALID_SOURCE, format!("`{url}` is not a git URL cargo reads"))
                    .at(span, "not a URL")
                    .hint("write it with its scheme, e.g. \"https://github.com/owner/repo\" or \"ssh://git@github.com/owner/repo.git\""),
            );
        }
    }

    /// A dependency's version requirement, by the rules cargo reads it with (the `semver`
    /// crate's `VersionReq`, which cargo uses).
    fn version_req(&mut self, version: &str, span: Span) {
        if version.trim().is_empty() {
            self.push(
                Diagnostic::error(codes::INVALID_VALUE, "the version requirement is empty")
                    .at(span, "empty version")
                    .hint("write a requirement such as \"1\" or \"0.4.2\""),
            );
        } else if let Err(e) = semver::VersionReq::parse(version) {
            self.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("`{version}` is not a version requirement: {e}"),
                )
                .at(span, "cargo cannot read this")
                .hint("write a requirement as cargo reads it, such as \"1\", \"^0.4.2\" or \">=1.2, <2\""),
            );
        }
    }

    /// Cargo's rules for a dependency's source: a version, git or path; at most one git
    /// reference, and only with git; git excludes path and registry.
    fn source_rules(
        &mut self,
        name: &str,
        dep: &ExternalDep,
        git: Option<&(String, Span)>,
        refs: &[(GitRef, String, Span)],
        dt: &Tab<'_>,
    ) {
        if dep.version.is_none() && git.is_none() && dep.path.is_none() {
            self.push(
                Diagnostic::error(
                    codes::INVALID_SOURCE,
                    format!("dependency `{name}` has no version, git or path"),
                )
                .at(dep.span.clone(), "no source")
                .hint("add `version = \"…\"` (or `git` or `path`)"),
            );
        }
        if let Some((_, git_span)) = git {
            let clash = |other: &str, this: &mut Self| {
                if let Some((k, _)) = this.get(dt, other) {
                    this.push(
                        Diagnostic::error(
                            codes::INVALID_SOURCE,
                            format!("dependency `{name}` has both `git` and `{other}`"),
                        )
                        .at(key_span(k, &dt.span), format!("`{other}` here"))
                        .also(git_span.clone(), "`git` here")
                        .hint(format!("keep one of `git` and `{other}`")),
                    );
                }
            };
            clash("path", self);
            clash("registry", self);
            if let [_, extra @ ..] = refs {
                for (_, _, span) in extra {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_SOURCE,
                            format!("dependency `{name}` names more than one of `branch`, `tag` and `rev`"),
                        )
                        .at(span.clone(), "a second git reference")
                        .hint("keep one of `branch`, `tag` and `rev`"),
                    );
                }
            }
        } else {
            for (kind, _, span) in refs {
                let key = match kind {
                    GitRef::Branch => "branch",
                    GitRef::Tag => "tag",
                    GitRef::Rev => "rev",
                };
                self.push(
                    Diagnostic::error(
                        codes::INVALID_SOURCE,
                        format!("dependency `{name}` has `{key}` but no `git`"),
                    )
                    .at(span.clone(), format!("`{key}` needs `git`"))
                    .hint("add `git = \"…\"` or remove it"),
                );
            }
        }
    }

    fn crates(&mut self, top: &Tab<'_>, text: &str) -> (Vec<CrateSpec>, Vec<CrateSpans>) {
        let mut crates = Vec::new();
        let mut spans = Vec::new();
        let Some((_, item)) = self.get(top, "crates") else {
            // The place a crate would go: the spec's last line.
            let body = text.trim_end();
            let last = body.rfind('\n').map_or(0, |i| i + 1)..body.len();
            self.push(
                Diagnostic::error(codes::NO_CRATES, "the spec declares no crate")
                    .at(last, "a `[crates.<name>]` table is expected after this")
                    .hint("declare at least one, e.g. `[crates.core]` with `summary = \"…\"`"),
            );
            return (crates, spans);
        };
        let Some(tab) = self.table(item, "`[crates]`".to_owned()) else { return (crates, spans) };
        if tab.table.is_empty() {
            self.push(
                Diagnostic::error(codes::NO_CRATES, "the spec declares no crate")
                    .at(tab.span.clone(), "no crate in here")
                    .hint("declare at least one, e.g. `[crates.core]` with `summary = \"…\"`"),
            );
        }
        for (name, item) in tab.table.iter() {
            let key = tab.table.key(name).expect("iterated key exists");
            let span = key_span(key, &tab.span);
            let mut spec = CrateSpec {
                name: CrateName::new_unchecked(name.to_owned()),
                kind: CrateKind::Lib,
                path: format!("crates/{name}"),
                layer: None,
                summary: String::new(),
                modules: Vec::new(),
                depends: Edges::default(),
                uses: Edges::default(),
                features: Vec::new(),
                requirements: Vec::new(),
                renamed_from: None,
                span,
            };
            let mut places = CrateSpans::default();
            match self.table(item, format!("`[crates.{name}]`")) {
                Some(ct) => self.crate_table(&ct, &mut spec, &mut places),
                None => places.broken = true,
            }
            crates.push(spec);
            spans.push(places);
        }
        (crates, spans)
    }

    fn crate_table(&mut self, ct: &Tab<'_>, spec: &mut CrateSpec, places: &mut CrateSpans) {
        self.known_keys(ct, CRATE_KEYS);
        if let Some((kind, span)) = self.string(ct, "kind") {
            match CrateKind::parse(&kind) {
                Some(k) => spec.kind = k,
                None => {
                    let spellings = CrateKind::ALL.map(CrateKind::as_str);
                    let hint = did_you_mean(&kind, spellings)
                        .unwrap_or_else(|| format!("the kinds are {}", list(&spellings)));
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_VALUE,
                            format!("unknown crate kind `{kind}`"),
                        )
                        .at(span, "not a kind")
                        .hint(hint),
                    );
                }
            }
        }
        if let Some((path, span)) = self.string(ct, "path") {
            spec.path = path;
            places.path = Some(span);
        }
        if let Some((layer, span)) = self.string(ct, "layer") {
            spec.layer = Some(layer);
            places.layer = Some(span);
        }
        if let Some((summary, span)) = self.string(ct, "summary") {
            // The summary is the manifest's `description`, which cargo hands rustc in an
            // environment variable: one cannot hold a NUL.
            if summary.contains('\0') {
                self.push(
                    Diagnostic::error(codes::INVALID_VALUE, "the summary holds a NUL character")
                        .at(span, "a `\\u0000` in here")
                        .hint(
                            "remove it: cargo passes the summary to rustc, which cannot take a NUL",
                        ),
                );
            }
            spec.summary = summary;
        }
        spec.modules = self.strings(ct, "modules");
        spec.depends = Edges {
            normal: self.strings(ct, "depends"),
            dev: self.strings(ct, "dev-depends"),
            build: self.strings(ct, "build-depends"),
        };
        spec.uses = Edges {
            normal: self.strings(ct, "uses"),
            dev: self.strings(ct, "dev-uses"),
            build: self.strings(ct, "build-uses"),
        };
        spec.features = self.strings(ct, "features");
        spec.requirements = self.requirements(ct);
        if let Some((old, span)) = self.string(ct, "renamed-from") {
            spec.renamed_from = Some(Named { name: old, span });
        }
    }

    /// `requirements` as an array of inline tables or as `[[crates.x.requirements]]`.
    fn requirements(&mut self, ct: &Tab<'_>) -> Vec<Requirement> {
        let Some((_, item)) = self.get(ct, "requirements") else { return Vec::new() };
        let what = format!("a requirement of {}", ct.name);
        let mut out = Vec::new();
        for tab in self.table_list(item, "`requirements`", &what) {
            self.known_keys(&tab, REQUIREMENT_KEYS);
            let id = self.required_string(&tab, "id");
            let text = self.required_string(&tab, "text");
            if let Some((text, span)) = &text
                && text.trim().is_empty()
            {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the requirement's text is empty")
                        .at(span.clone(), "empty text")
                        .hint("say what must hold, in one or more sentences"),
                );
            }
            if let (Some((id, span)), Some((text, _))) = (id, text) {
                out.push(Requirement { id, text, span });
            }
        }
        out
    }

    /// The tables of an array of inline tables or an array of tables; anything else is
    /// reported.
    fn table_list<'a>(&mut self, item: &'a Item, key: &str, what: &str) -> Vec<Tab<'a>> {
        let mut out = Vec::new();
        if let Some(array) = item.as_array_of_tables() {
            for t in array.iter() {
                out.push(Tab { table: t, span: t.span().unwrap_or(0..0), name: what.to_owned() });
            }
        } else if let Some(array) = item.as_array() {
            for value in array.iter() {
                match value.as_inline_table() {
                    Some(t) => {
                        out.push(Tab { table: t, span: value_span(value), name: what.to_owned() })
                    }
                    None => self.push(
                        Diagnostic::error(
                            codes::WRONG_TYPE,
                            format!("{key} must hold tables, found {}", a(value.type_name())),
                        )
                        .at(value_span(value), "expected a table"),
                    ),
                }
            }
        } else {
            self.wrong_type(item, key, "an array of tables");
        }
        out
    }

    fn allow(&mut self, top: &Tab<'_>) -> Vec<Allowance> {
        let Some((_, item)) = self.get(top, "allow") else { return Vec::new() };
        let mut out = Vec::new();
        for tab in self.table_list(item, "`allow`", "`[[allow]]`") {
            self.known_keys(&tab, ALLOW_KEYS);
            let from = self.required_string(&tab, "from");
            let to = self.required_string(&tab, "to");
            let reason = self.required_string(&tab, "reason");
            if let Some((reason, span)) = &reason
                && reason.trim().is_empty()
            {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the exception's reason is empty")
                        .at(span.clone(), "empty reason")
                        .hint("say why this edge is allowed, so the exception explains itself"),
                );
            }
            if let (Some(from), Some(to), Some((reason, _))) = (from, to, reason) {
                out.push(Allowance {
                    from: Named { name: from.0, span: from.1 },
                    to: Named { name: to.0, span: to.1 },
                    reason,
                    span: tab.span.clone(),
                });
            }
        }
        out
    }

    fn check(&mut self, top: &Tab<'_>) -> CheckSettings {
        let mut settings = CheckSettings::default();
        let Some((_, item)) = self.get(top, "check") else { return settings };
        let Some(tab) = self.table(item, "`[check]`".to_owned()) else { return settings };
        self.known_keys(&tab, CHECK_KEYS);
        if let Some(deny) = self.allow_or_deny(&tab, "pending-requirements") {
            settings.deny_pending_requirements = deny;
        }
        if let Some(deny) = self.allow_or_deny(&tab, "suspect-requirements") {
            settings.deny_suspect_requirements = deny;
        }
        settings
    }

    /// A `[check]` setting, `"allow"` or `"deny"`: whether it denies.
    fn allow_or_deny(&mut self, tab: &Tab<'_>, key: &str) -> Option<bool> {
        let (value, span) = self.string(tab, key)?;
        match value.as_str() {
            "allow" => Some(false),
            "deny" => Some(true),
            _ => {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{key}` is \"allow\" or \"deny\", not \"{value}\""),
                    )
                    .at(span, "expected \"allow\" or \"deny\"")
                    .hint(
                        did_you_mean(&value, ["allow", "deny"])
                            .unwrap_or_else(|| "write \"allow\" or \"deny\"".to_owned()),
                    ),
                );
                None
            }
        }
    }
}

fn value_span(value: &Value) -> Span {
    value.span().unwrap_or(0..0)
}

/// `` `a`, `b` and `c` ``.
pub(crate) fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn either(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `1.85` or `1.85.1` as (minor, patch); `None` for anything else.
pub(crate) fn parse_rust_version(s: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = s.split('.').collect();
    let number = |p: &str| -> Option<u32> {
        let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let canonical = p == "0" || !p.starts_with('0');
        if digits && canonical { p.parse().ok() } else { None }
    };
    match parts.as_slice() {
        ["1", minor] => Some((number(minor)?, 0)),
        ["1", minor, patch] => Some((number(minor)?, number(patch)?)),
        _ => None,
    }
}

/// The oldest Rust (1.minor, patch) whose cargo reads the manifests Trellis generates: they
/// set `resolver = "3"`, new in cargo 1.84.
const OUTPUT_MIN_RUST: (u32, u32) = (84, 0);

/// The first Rust (1.minor, patch) that knows an edition.
fn edition_min_rust(edition: &str) -> (u32, u32) {
    match edition {
        "2018" => (31, 0),
        "2021" => (56, 0),
        "2024" => (85, 0),
        _ => (0, 0),
    }
}
