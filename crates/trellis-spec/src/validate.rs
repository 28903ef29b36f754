//! Cross-checks over the whole draft spec: names, paths, layers, edges, cycles, requirement
//! ids, modules. Pure, and reports every problem it finds in one pass.

mod edges;
mod paths;
mod requirements;
mod rules;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{CrateKind, CrateSpec, Edition, LayerRef, Span, Spec};
use crate::names::{self, IdentError, NameError, NameWarning};
use crate::parse::{Draft, either, list};
use crate::suggest::Suggester;

pub use paths::{PathProblem, normalize_path, relative_path};
pub use requirements::is_requirement_id;

/// The warnings of a spec that has no errors, each in `file`.
pub(crate) fn tidy(spec: &Spec, file: &str) -> Vec<Diagnostic> {
    let mut v = V { file, diags: Vec::new(), suggest: Suggester::new() };
    v.unused(spec);
    v.diags
}

/// Every problem of the draft, each in `file`. Normalizes crate paths in place (`./a/b/` is
/// `a/b`), so later stages see one spelling.
pub(crate) fn validate(draft: &mut Draft, file: &str) -> Vec<Diagnostic> {
    let mut v = V { file, diags: Vec::new(), suggest: Suggester::new() };
    v.paths(draft);
    v.layers(draft);
    let spec = &draft.spec;
    let index: HashMap<&str, usize> =
        spec.crates.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
    v.crate_names(spec);
    v.external(spec);
    v.edges(spec, &index);
    v.cycles(spec, &index);
    v.requirements(spec);
    v.modules(spec);
    v.features(spec);
    v.allow(spec, &index);
    v.rules(spec, &index);
    v.renames(spec, &index);
    v.diags
}

struct V<'f> {
    file: &'f str,
    diags: Vec<Diagnostic>,
    suggest: Suggester,
}

impl V<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d.in_file(self.file));
    }

    fn crate_names(&mut self, spec: &Spec) {
        let mut idents: HashMap<String, &CrateSpec> = HashMap::new();
        for c in &spec.crates {
            let name = c.name.as_str();
            // A crate named `xtask` is the workspace's own: Trellis then generates none (see
            // `Spec::has_own_xtask`).
            {
                let edition_keyword = spec.workspace.edition >= Edition::E2024
                    && names::EDITION_2024_KEYWORDS.contains(&c.name.ident().as_str());
                let checked = if edition_keyword {
                    Err(names::NameError::Keyword(name.to_owned()))
                } else {
                    // Whether a binary of this name will exist is known only where Trellis
                    // creates the crate (`names::created_binaries`): a `bin` crate that exists
                    // may name its binaries otherwise, as cargo allows.
                    names::check_crate_name(name, false)
                };
                match checked {
                    Ok(warnings) => {
                        for w in warnings {
                            let w = match w {
                                NameWarning::BuildFolderLib if c.kind == CrateKind::Bin => {
                                    NameWarning::BuildFolderBin
                                }
                                w => w,
                            };
                            self.push(
                                Diagnostic::warning(codes::DISCOURAGED_CRATE_NAME, w.message(name))
                                    .at(c.span.clone(), w.label())
                                    .hint(w.hint(name)),
                            );
                        }
                    }
                    Err(e) => {
                        let hint = name_hint(&e, name);
                        self.push(
                            Diagnostic::error(
                                codes::INVALID_CRATE_NAME,
                                format!("invalid crate name: {e}"),
                            )
                            .at(c.span.clone(), "cargo refuses this name")
                            .hint(hint),
                        );
                    }
                }
            }
            match idents.get(&names::crate_ident(name)) {
                Some(first) => self.push(
                    Diagnostic::error(
                        codes::CRATE_NAME_COLLISION,
                        format!(
                            "crates `{}` and `{name}` have the same name in Rust code (`{}`)",
                            first.name,
                            names::crate_ident(name)
                        ),
                    )
                    .at(c.span.clone(), "collides")
                    .also(first.span.clone(), "with this crate")
                    .hint("cargo treats `-` and `_` alike in crate names; rename one of them"),
                ),
                None => {
                    idents.insert(names::crate_ident(name), c);
                }
            }
        }
    }

    /// Checks `[layers] order` and each crate's layer, and gives each crate whose layer is in
    /// the order its [`LayerRef`].
    fn layers(&mut self, draft: &mut Draft) {
        let spec = &draft.spec;
        let mut seen: HashMap<&str, &Span> = HashMap::new();
        for layer in &spec.layers {
            if layer.name.trim().is_empty() {
                self.push(
                    Diagnostic::error(codes::INVALID_VALUE, "a layer's name is empty")
                        .at(layer.span.clone(), "empty name")
                        .hint("name each layer, e.g. \"domain\""),
                );
            }
            if let Some(first) = seen.get(layer.name.as_str()) {
                self.push(
                    Diagnostic::error(
                        codes::DUPLICATE_LAYER,
                        format!("layer `{}` is listed twice", layer.name),
                    )
                    .at(layer.span.clone(), "listed again")
                    .also((*first).clone(), "first listed here")
                    .hint("a layer has one place in the order; remove the repeat"),
                );
            } else {
                seen.insert(&layer.name, &layer.span);
            }
        }
        let layer_names: Vec<&str> = spec.layers.iter().map(|l| l.name.as_str()).collect();
        let mut resolved: Vec<Option<LayerRef>> = vec![None; spec.crates.len()];
        for (i, (c, places)) in spec.crates.iter().zip(&draft.crates).enumerate() {
            if places.broken {
                continue;
            }
            match (&places.layer_name, layer_names.is_empty()) {
                (None, false) => self.push(
                    Diagnostic::error(
                        codes::MISSING_LAYER,
                        format!("crate `{}` has no layer", c.name),
                    )
                    .at(c.span.clone(), "no `layer`")
                    .hint(format!(
                        "the spec declares layers, so every crate needs one: add `layer = \"…\"` with {}",
                        either(&layer_names)
                    )),
                ),
                (Some(layer), true) => self.push(
                    Diagnostic::error(
                        codes::LAYER_WITHOUT_LAYERS,
                        format!("crate `{}` has a layer but the spec declares none", c.name),
                    )
                    .at(places.layer.clone().unwrap_or(c.span.clone()), "no `[layers]` to find it in")
                    .hint(format!(
                        "declare the layers with `[layers] order = [\"{layer}\", …]`, or remove `layer`"
                    )),
                ),
                (Some(layer), false) if !layer_names.contains(&layer.as_str()) => {
                    let hint = self.suggest.did_you_mean(layer, &layer_names)
                        .unwrap_or_else(|| format!("the layers are {}", list(&layer_names)));
                    self.push(
                        Diagnostic::error(codes::UNKNOWN_LAYER, format!("unknown layer `{layer}`"))
                            .at(places.layer.clone().unwrap_or(c.span.clone()), "not in `[layers] order`")
                            .hint(hint),
                    );
                }
                (Some(layer), false) => {
                    let rank = layer_names.iter().position(|l| l == layer).expect("listed");
                    resolved[i] = Some(LayerRef::new(layer.clone(), rank));
                }
                _ => {}
            }
        }
        for (c, layer) in draft.spec.crates.iter_mut().zip(resolved) {
            c.layer = layer;
        }
    }

    fn external(&mut self, spec: &Spec) {
        // A key may be a crate's name too (cargo keys dependencies per manifest): the generated
        // root's `[workspace.dependencies]` entry of that name is then the external one, and
        // edges on the crate are written as paths. Only one crate using both is refused (see
        // `edges`).
        for dep in spec.dependencies.values() {
            if let Err(e) = names::check_form(&dep.name) {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_CRATE_NAME,
                        format!("invalid dependency name: {e}"),
                    )
                    .at(dep.span.clone(), "cargo refuses this name")
                    .hint("the key is the name crates use it by; set `package = \"…\"` for the real name"),
                );
            }
        }
    }

    /// Feature names, as cargo accepts them (`core/src/cargo/util/toml/mod.rs`,
    /// `validate_feature_name`): ASCII letters, digits, `_`, `-`, `+`, `.`, not starting with
    /// `-`, `+` or `.`; no repeats. The features a `[dependencies]` entry turns on are names
    /// of that crate's features, by the same rules (cargo refuses `a/b` and `dep:a` there).
    fn features(&mut self, spec: &Spec) {
        for dep in spec.dependencies.values() {
            for f in dep.features.iter().filter(|f| !is_feature_name(f)) {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("`{f}` is not a feature name (dependency `{}`)", dep.name),
                    )
                    .at(dep.span.clone(), "a feature cargo would refuse")
                    .hint("name one of the crate's features: ASCII letters, digits, `_`, `-`, `+` or `.`, no `/` and no `dep:`"),
                );
            }
        }
        for c in &spec.crates {
            let mut seen: HashMap<&str, &Span> = HashMap::new();
            for f in &c.features {
                if self.repeated(&mut seen, f, "features") {
                    continue;
                }
                if !is_feature_name(&f.name) || f.name == "default" {
                    self.push(
                        Diagnostic::error(codes::INVALID_VALUE, format!("`{}` is not a feature name", f.name))
                            .at(f.span.clone(), "not a feature name")
                            .hint("use ASCII letters, digits, `_`, `-`, `+` or `.`, starting with a letter, a digit or `_` (and not `default`)"),
                    );
                }
            }
        }
    }

    fn modules(&mut self, spec: &Spec) {
        for c in &spec.crates {
            if c.kind == CrateKind::Examples
                && let Some(first) = c.modules.first()
            {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_MODULE,
                        format!("crate `{}` is of kind `examples`: it has no lib or bin to hold modules", c.name),
                    )
                    .at(first.span.clone(), "module of a package without a lib or bin")
                    .hint("drop `modules`, or make the crate a `lib` or `bin`"),
                );
                continue;
            }
            let mut seen: HashMap<&str, &Span> = HashMap::new();
            for m in &c.modules {
                if let Some(first) = seen.get(m.name.as_str()) {
                    self.push(
                        Diagnostic::error(
                            codes::DUPLICATE_MODULE,
                            format!("module `{}` is listed twice in crate `{}`", m.name, c.name),
                        )
                        .at(m.span.clone(), "listed again")
                        .also((*first).clone(), "first listed here")
                        .hint("remove the repeat"),
                    );
                    continue;
                }
                seen.insert(&m.name, &m.span);
                let problem = match names::check_ident(&m.name) {
                    Err(e) => Some((e.to_string(), module_hint(&e))),
                    Ok(()) if m.name == "lib" || m.name == "main" => Some((
                        format!("`{}` would be `src/{}.rs`, a crate root", m.name, m.name),
                        "choose another name".to_owned(),
                    )),
                    Ok(()) if names::is_windows_reserved(&m.name) => Some((
                        format!("`src/{}.rs` is a file name Windows reserves for a device", m.name),
                        "a checkout on Windows would fail; choose another name".to_owned(),
                    )),
                    Ok(()) if m.name.len() + ".rs".len() > names::MAX_FILE_NAME => Some((
                        format!("`{}.rs` is longer than a file name may be", m.name),
                        format!(
                            "file systems hold {} bytes a name; shorten it",
                            names::MAX_FILE_NAME
                        ),
                    )),
                    Ok(()) => None,
                };
                if let Some((problem, hint)) = problem {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_MODULE,
                            format!("invalid module name: {problem}"),
                        )
                        .at(m.span.clone(), "not a module name")
                        .hint(hint),
                    );
                }
            }
        }
    }

    /// `from` is a crate of the spec. `to` is a crate or an external crate's key: `check`
    /// reads exceptions for external crates too, even unlisted ones, so an unknown `to` is only
    /// a warning, and only when it is close to a crate's name.
    fn allow(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
        let crate_names: Vec<&str> = spec.crates.iter().map(|c| c.name.as_str()).collect();
        for a in &spec.allow {
            if !index.contains_key(a.from.name.as_str()) {
                let hint = self
                    .suggest
                    .did_you_mean(&a.from.name, &crate_names)
                    .unwrap_or_else(|| "`from` names a crate of this spec".to_owned());
                self.push(
                    Diagnostic::error(
                        codes::UNKNOWN_CRATE,
                        format!("`{}` is not a crate of this spec", a.from.name),
                    )
                    .at(a.from.span.clone(), "undeclared crate")
                    .hint(hint),
                );
            }
            let to = a.to.name.as_str();
            if index.contains_key(to) || spec.dependencies.contains_key(to) {
                continue;
            }
            if let Some(close) = self.suggest.closest(to, &crate_names) {
                self.push(
                    Diagnostic::warning(
                        codes::UNKNOWN_CRATE,
                        format!("`{to}` is neither a crate of this spec nor in `[dependencies]`"),
                    )
                    .at(a.to.span.clone(), "unknown name")
                    .hint(format!(
                        "did you mean `{close}`? (if `{to}` is an external crate that `[dependencies]` does not list, this is fine)"
                    )),
                );
            }
        }
    }

    fn renames(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
        let mut olds: HashMap<&str, &CrateSpec> = HashMap::new();
        for c in &spec.crates {
            let Some(old) = &c.renamed_from else { continue };
            if old.name == c.name.as_str() {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RENAME,
                        format!("crate `{}` is renamed from its own name", c.name),
                    )
                    .at(old.span.clone(), "same name")
                    .hint("set `renamed-from` to the crate's previous name, or remove it"),
                );
            } else if let Some(&other) = index.get(old.name.as_str()) {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RENAME,
                        format!(
                            "crate `{}` is renamed from `{}`, which is still a crate of this spec",
                            c.name, old.name
                        ),
                    )
                    .at(old.span.clone(), "still declared")
                    .also(spec.crates[other].span.clone(), "declared here")
                    .hint("a renamed crate's old name must be gone from the spec"),
                );
            } else if let Some(first) = olds.get(old.name.as_str()) {
                self.push(
                    Diagnostic::error(
                        codes::INVALID_RENAME,
                        format!(
                            "crates `{}` and `{}` are both renamed from `{}`",
                            first.name, c.name, old.name
                        ),
                    )
                    .at(old.span.clone(), "renamed again")
                    .also(first.span.clone(), "first renamed here")
                    .hint("one crate can take over an old name; remove the other `renamed-from`"),
                );
            } else {
                olds.insert(&old.name, c);
            }
        }
    }

    /// Warns of external dependencies no crate uses. Only worth saying of a spec without
    /// errors: in a broken one, the `uses` that would name it may be the broken part.
    fn unused(&mut self, spec: &Spec) {
        let used: HashSet<&str> =
            spec.crates.iter().flat_map(|c| c.uses.iter().map(|(_, n)| n.name.as_str())).collect();
        for dep in spec.dependencies.values() {
            if !used.contains(dep.name.as_str()) {
                self.push(
                    Diagnostic::warning(
                        codes::UNUSED_DEPENDENCY,
                        format!("no crate uses the external dependency `{}`", dep.name),
                    )
                    .at(dep.span.clone(), "unused")
                    .hint(
                        "list it in a crate's `uses` (or `dev-uses`, `build-uses`), or remove it",
                    ),
                );
            }
        }
    }
}

/// Whether cargo accepts `name` as a feature's name.
fn is_feature_name(name: &str) -> bool {
    name.chars().next().is_some_and(|first| first.is_ascii_alphanumeric() || first == '_')
        && name.chars().all(|ch| ch.is_ascii_alphanumeric() || "_-+.".contains(ch))
}

/// The sysroot crates a dependency cannot stand in for: with a dependency named `std`, the
/// standard library's own macros (`vec!`, `println!`) resolve to it and the crate does not
/// build. (`core`, `alloc` and `proc_macro` as dependency names build: cargo only warns.)
const SYSROOT: [&str; 1] = ["std"];

fn name_hint(e: &NameError, name: &str) -> String {
    match e {
        NameError::Empty => "name the crate".to_owned(),
        NameError::BadStart { .. } | NameError::BadChar { .. } => {
            let cleaned = clean_name(name);
            // A suggestion made by dropping letters (`café` → `caf`) would mislead.
            if cleaned.is_empty() || !name.is_ascii() {
                "use ASCII letters, digits, `-` and `_`, starting with a letter".to_owned()
            } else {
                format!(
                    "use ASCII letters, digits, `-` and `_`, starting with a letter, e.g. `{cleaned}`"
                )
            }
        }
        NameError::Keyword(_) | NameError::Test | NameError::BuildFolder(_) => {
            format!("choose another name, e.g. `{name}-rs`")
        }
        NameError::WindowsReserved(_) => {
            "the crate's folder could not be created on Windows; choose another name".to_owned()
        }
        NameError::TooLong(_) => "shorten the name".to_owned(),
    }
}

/// A name close to `name` that cargo accepts, for hints.
fn clean_name(name: &str) -> String {
    let mapped: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    let trimmed = mapped.trim_start_matches(|c: char| !c.is_ascii_alphabetic() && c != '_');
    let mut out = String::new();
    for c in trimmed.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn module_hint(e: &IdentError) -> String {
    match e {
        IdentError::NotIdent(_) => {
            "a module is named with ASCII letters, digits and `_`, starting with a letter"
                .to_owned()
        }
        IdentError::Keyword(name) => format!("choose another name, e.g. `{name}_mod`"),
        IdentError::NotSnakeCase(name) => {
            let mut snake = name.to_lowercase();
            while snake.contains("__") {
                snake = snake.replace("__", "_");
            }
            format!(
                "rustc's `non_snake_case` lint would fail the generated workspace; write `{snake}`"
            )
        }
    }
}
