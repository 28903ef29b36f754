//! Cross-checks over the whole draft spec: names, paths, layers, edges, cycles, requirement
//! ids, modules. Pure, and reports every problem it finds in one pass.

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use crate::codes;
use crate::diag::Diagnostic;
use crate::graph;
use crate::model::{CrateKind, CrateSpec, EdgeKind, Named, Span, Spec};
use crate::names::{self, IdentError, NameError, NameWarning};
use crate::parse::{CrateSpans, Draft, either, list};
use crate::suggest::Suggester;

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
    let spec = &draft.spec;
    let index: HashMap<&str, usize> =
        spec.crates.iter().enumerate().map(|(i, c)| (c.name.as_str(), i)).collect();
    v.crate_names(spec);
    v.layers(spec, &draft.crates);
    v.external(spec);
    v.edges(spec, &index);
    v.cycles(spec, &index);
    v.requirements(spec);
    v.modules(spec);
    v.features(spec);
    v.allow(spec, &index);
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
                let edition_keyword = spec.workspace.edition.as_str() >= "2024"
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

    /// Checks and normalizes every crate's path (`.` is the package at the workspace root), then
    /// looks for two crates on one path.
    fn paths(&mut self, draft: &mut Draft) {
        let mut ok: Vec<Option<String>> = Vec::new();
        for (c, places) in draft.spec.crates.iter_mut().zip(&draft.crates) {
            let span = places.path.clone().unwrap_or_else(|| c.span.clone());
            if places.path.is_none() && names::check_crate_name(c.name.as_str(), false).is_err() {
                // The default path comes from an invalid name, which is reported already.
                ok.push(None);
                continue;
            }
            // `.` is the package at the workspace root, beside `[workspace]`.
            let normalized = match normalize_path(&c.path) {
                Err(PathProblem::Root) => Ok(".".to_owned()),
                other => other,
            };
            match normalized {
                Ok(normal) => {
                    c.path = normal.clone();
                    ok.push(Some(normal));
                }
                Err(problem) => {
                    let (message, hint) = problem.describe(&c.path);
                    self.push(
                        Diagnostic::error(codes::INVALID_PATH, message)
                            .at(span, "invalid path")
                            .hint(hint),
                    );
                    ok.push(None);
                }
            }
        }
        // File systems on macOS and Windows ignore case, so paths that differ only in case are one.
        let mut owners: HashMap<String, usize> = HashMap::new();
        for (i, path) in ok.iter().enumerate() {
            if let Some(path) = path {
                owners.entry(path.to_lowercase()).or_insert(i);
            }
        }
        let spec = &draft.spec;
        for (i, path) in ok.iter().enumerate() {
            let Some(path) = path else { continue };
            let c = &spec.crates[i];
            let span = draft.crates[i].path.clone().unwrap_or_else(|| c.span.clone());
            let lower = path.to_lowercase();
            if let Some(&first) = owners.get(&lower).filter(|&&f| f != i) {
                let other = &spec.crates[first];
                self.push(
                    Diagnostic::error(
                        codes::PATH_OVERLAP,
                        format!("crates `{}` and `{}` are both at `{path}`", other.name, c.name),
                    )
                    .at(span, "same path")
                    .also(other.span.clone(), "first crate there")
                    .hint("give each crate its own folder with `path = \"…\"`"),
                );
                continue;
            }
            // A crate inside another crate's folder is allowed: cargo leaves a folder with
            // its own `Cargo.toml` out of the outer package, and real workspaces nest so.
        }
    }

    fn layers(&mut self, spec: &Spec, places: &[CrateSpans]) {
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
        for (c, places) in spec.crates.iter().zip(places).filter(|(_, p)| !p.broken) {
            match (&c.layer, layer_names.is_empty()) {
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
                _ => {}
            }
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

    fn edges(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
        // Old name → the crate renamed from it, for hints (looked up once per unknown name).
        let renamed_to: HashMap<&str, &CrateSpec> = spec
            .crates
            .iter()
            .filter_map(|c| Some((c.renamed_from.as_ref()?.name.as_str(), c)))
            .collect();
        let crate_names: Vec<&str> = spec.crates.iter().map(|c| c.name.as_str()).collect();
        let dep_names: Vec<&str> = spec.dependencies.keys().map(String::as_str).collect();
        let allowed: HashSet<(&str, &str)> =
            spec.allow.iter().map(|a| (a.from.name.as_str(), a.to.name.as_str())).collect();
        for c in &spec.crates {
            for kind in EdgeKind::ALL {
                let key = depends_key(kind);
                let mut seen: HashMap<&str, &Span> = HashMap::new();
                for dep in c.depends.of(kind) {
                    if self.repeated(&mut seen, dep, key) {
                        continue;
                    }
                    // A crate's tests may depend on the crate itself, to turn its features on
                    // (cargo allows it for dev-dependencies alone).
                    if dep.name == c.name.as_str() && (kind != EdgeKind::Dev || !c.kind.has_lib()) {
                        let hint = if kind == EdgeKind::Dev {
                            "only a crate with a library can dev-depend on itself".to_owned()
                        } else {
                            format!(
                                "remove `{}` from `{key}`; a crate's tests may use it through `dev-depends`",
                                dep.name
                            )
                        };
                        self.push(
                            Diagnostic::error(
                                codes::SELF_DEPENDENCY,
                                format!("crate `{}` depends on itself", c.name),
                            )
                            .at(dep.span.clone(), "itself")
                            .hint(hint),
                        );
                        continue;
                    }
                    if dep.name == c.name.as_str() {
                        continue;
                    }
                    let Some(&target) = index.get(dep.name.as_str()) else {
                        let renamed = renamed_to.get(dep.name.as_str());
                        let hint = if let Some(new) = renamed {
                            Some(format!("`{}` was renamed to `{}`", dep.name, new.name))
                        } else if spec.dependencies.contains_key(&dep.name) {
                            Some(format!(
                                "`{}` is an external dependency: list it in `{}`",
                                dep.name,
                                uses_key(kind)
                            ))
                        } else {
                            self.suggest.did_you_mean(&dep.name, &crate_names)
                        };
                        let d = Diagnostic::error(
                            codes::UNKNOWN_CRATE,
                            format!("`{}` is not a crate of this spec", dep.name),
                        )
                        .at(dep.span.clone(), "undeclared crate");
                        let hint = hint.unwrap_or_else(|| {
                            format!("declare it with `[crates.{}]`, or remove it", dep.name)
                        });
                        self.push(d.hint(hint));
                        continue;
                    };
                    let t = &spec.crates[target];
                    // `extern crate std` is the standard library's: a crate of that name can be
                    // declared (cargo warns), but code depending on it would not build.
                    if SYSROOT.contains(&t.name.ident().as_str()) {
                        self.push(
                            Diagnostic::error(
                                codes::INVALID_CRATE_NAME,
                                format!(
                                    "`{}` depends on `{}`, a name Rust gives its own `{}` crate",
                                    c.name,
                                    t.name,
                                    t.name.ident()
                                ),
                            )
                            .at(dep.span.clone(), "the standard library's name")
                            .also(t.span.clone(), "declared here")
                            .hint(format!("rename the crate, e.g. `{}-lib`", t.name)),
                        );
                        continue;
                    }
                    if !t.kind.has_lib() {
                        self.push(
                            Diagnostic::error(
                                codes::DEPENDS_ON_BINARY,
                                format!(
                                    "`{}` depends on `{}`, a crate with no library (kind `{}`)",
                                    c.name, t.name, t.kind
                                ),
                            )
                            .at(dep.span.clone(), "no library")
                            .also(t.span.clone(), format!("declared `kind = \"{}\"` here", t.kind))
                            .hint("move the code both need into a lib crate and depend on that"),
                        );
                        // One error says it all: the edge cannot be, so its layers are moot.
                        continue;
                    }
                    if !kind.is_structural()
                        || allowed.contains(&(c.name.as_str(), t.name.as_str()))
                    {
                        continue;
                    }
                    let (Some(from), Some(to)) = (&c.layer, &t.layer) else { continue };
                    let (Some(from_rank), Some(to_rank)) =
                        (spec.layer_rank(from), spec.layer_rank(to))
                    else {
                        continue;
                    };
                    if from_rank < to_rank {
                        self.push(
                            Diagnostic::error(
                                codes::LAYER_VIOLATION,
                                format!(
                                    "`{}` (layer `{from}`) depends on `{}` (layer `{to}`), a higher layer",
                                    c.name, t.name
                                ),
                            )
                            .at(dep.span.clone(), format!("`{to}` is above `{from}`"))
                            .hint(format!(
                                "a crate may depend on its own layer and the ones below; move `{}` down, or `{}` up, or add an `[[allow]]` with a reason",
                                t.name, c.name
                            )),
                        );
                    }
                }
            }
            for kind in EdgeKind::ALL {
                let key = uses_key(kind);
                let mut seen: HashMap<&str, &Span> = HashMap::new();
                for used in c.uses.of(kind) {
                    if self.repeated(&mut seen, used, key) {
                        continue;
                    }
                    let ident = names::crate_ident(&used.name);
                    let twin = c
                        .depends
                        .iter()
                        .map(|(_, d)| (d.name.as_str(), &d.span))
                        .find(|(d, _)| *d != used.name && names::crate_ident(d) == ident);
                    // The crate's own library has its name in its tests; a crate may use its
                    // own release, spelled alike (cargo allows it), but not a twin spelling.
                    let own = twin.is_none()
                        && c.kind.has_lib()
                        && c.name.as_str() != used.name
                        && c.name.ident() == ident;
                    let twin = twin.or(own.then_some((c.name.as_str(), &c.span)));
                    if let Some((internal, span)) = twin {
                        let whose = if own {
                            "its own name".to_owned()
                        } else {
                            format!("the name of crate `{internal}`")
                        };
                        self.push(
                            Diagnostic::error(
                                codes::DEPENDENCY_SHADOWS_CRATE,
                                format!(
                                    "crate `{}` uses the external `{}`, which has {whose} in its code (`{ident}`)",
                                    c.name, used.name
                                ),
                            )
                            .at(used.span.clone(), "the external one")
                            .also(span.clone(), if own { "this crate" } else { "a crate it depends on" })
                            .hint("use another key for the external crate and set `package = \"…\"` to its real name"),
                        );
                        continue;
                    }
                    if let Some((_, internal)) = c.depends.iter().find(|(_, d)| d.name == used.name)
                    {
                        self.push(
                            Diagnostic::error(
                                codes::DUPLICATE_ENTRY,
                                format!(
                                    "crate `{}` both depends on crate `{}` and uses the external `{}`",
                                    c.name, used.name, used.name
                                ),
                            )
                            .at(used.span.clone(), "the external one")
                            .also(internal.span.clone(), "the crate of this spec")
                            .hint("one name is one dependency in a manifest; keep one of them"),
                        );
                        continue;
                    }
                    if spec.dependencies.contains_key(&used.name) {
                        continue;
                    }
                    let hint = if index.contains_key(used.name.as_str()) {
                        format!(
                            "`{}` is a crate of this spec: list it in `{}`",
                            used.name,
                            depends_key(kind)
                        )
                    } else {
                        self.suggest.did_you_mean(&used.name, &dep_names).unwrap_or_else(|| {
                            format!("declare it in `[dependencies]`, e.g. `{} = \"1\"`", used.name)
                        })
                    };
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_DEPENDENCY,
                            format!("`{}` is not declared in `[dependencies]`", used.name),
                        )
                        .at(used.span.clone(), "undeclared dependency")
                        .hint(hint),
                    );
                }
            }
        }
    }

    /// Reports `entry` if `seen` already holds its name; records it otherwise.
    fn repeated<'a>(
        &mut self,
        seen: &mut HashMap<&'a str, &'a Span>,
        entry: &'a Named,
        key: &str,
    ) -> bool {
        if let Some(first) = seen.get(entry.name.as_str()) {
            self.push(
                Diagnostic::error(
                    codes::DUPLICATE_ENTRY,
                    format!("`{}` is listed twice in `{key}`", entry.name),
                )
                .at(entry.span.clone(), "listed again")
                .also((*first).clone(), "first listed here")
                .hint("remove the repeat"),
            );
            return true;
        }
        seen.insert(&entry.name, &entry.span);
        false
    }

    /// Finds each strongly connected set of crates through normal and build edges, and names
    /// one whole cycle in it.
    fn cycles(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
        // For each crate: (target, the entry that names it), structural edges only.
        let graph: Vec<Vec<(usize, &Named)>> = spec
            .crates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                c.depends
                    .iter()
                    .filter(|(kind, _)| kind.is_structural())
                    .filter_map(|(_, dep)| index.get(dep.name.as_str()).map(|&t| (t, dep)))
                    .filter(|&(t, _)| t != i)
                    .collect()
            })
            .collect();
        let adjacency: Vec<Vec<usize>> =
            graph.iter().map(|edges| edges.iter().map(|&(t, _)| t).collect()).collect();
        for component in graph::strongly_connected(&adjacency) {
            if component.len() < 2 {
                continue;
            }
            // Components are sorted: the cycle goes through the first crate of the component.
            let start = component[0];
            let cycle = graph::shortest_cycle(&adjacency, &component);
            let mut names: Vec<&str> =
                cycle.iter().map(|&i| spec.crates[i].name.as_str()).collect();
            names.push(spec.crates[start].name.as_str());
            let edge = |from: usize, to: usize| {
                graph[from].iter().find(|&&(t, _)| t == to).map(|(_, d)| d.span.clone())
            };
            let mut d = Diagnostic::error(
                codes::DEPENDENCY_CYCLE,
                format!("dependency cycle: {}", names.join(" -> ")),
            );
            for (k, &from) in cycle.iter().enumerate() {
                let to = cycle[(k + 1) % cycle.len()];
                let Some(span) = edge(from, to) else { continue };
                let label =
                    format!("`{}` depends on `{}`", spec.crates[from].name, spec.crates[to].name);
                d = if k == 0 { d.at(span, label) } else { d.also(span, label) };
            }
            let mut hint = "cargo refuses cycles through normal and build dependencies; remove one of these edges, or make it a dev-dependency if only tests need it".to_owned();
            if component.len() > cycle.len() {
                hint.push_str(&format!(
                    " (the crates {} all reach each other)",
                    list(
                        &component
                            .iter()
                            .map(|&i| spec.crates[i].name.as_str())
                            .collect::<Vec<_>>()
                    )
                ));
            }
            self.push(d.hint(hint));
        }
    }

    fn requirements(&mut self, spec: &Spec) {
        let mut ids: HashMap<&str, &Span> = HashMap::new();
        let mut test_names: HashMap<String, (&str, &Span)> = HashMap::new();
        for c in &spec.crates {
            for r in &c.requirements {
                if let Some(first) = ids.get(r.id.as_str()) {
                    self.push(
                        Diagnostic::error(
                            codes::DUPLICATE_REQUIREMENT,
                            format!("requirement id `{}` is used twice", r.id),
                        )
                        .at(r.span.clone(), "used again")
                        .also((*first).clone(), "first used here")
                        .hint("requirement ids are unique across the whole spec; number this one anew"),
                    );
                    continue;
                }
                ids.insert(&r.id, &r.span);
                if !is_requirement_id(&r.id) {
                    let message = if r.id.is_empty() {
                        "a requirement id is empty".to_owned()
                    } else {
                        format!("`{}` is not a requirement id", r.id)
                    };
                    self.push(
                        Diagnostic::error(codes::INVALID_REQUIREMENT_ID, message)
                        .at(r.span.clone(), "invalid id")
                        .hint("an id starts with a letter, then letters, digits, `.`, `-` or `_`, e.g. \"CORE-1\""),
                    );
                    continue;
                }
                let test = r.test_name();
                let problem = match names::check_ident(&test) {
                    Err(IdentError::Keyword(_)) => Some("a Rust keyword"),
                    Err(IdentError::NotSnakeCase(_)) => {
                        Some("not snake_case (a doubled `_` inside), which rustc warns about")
                    }
                    Err(IdentError::NotIdent(_)) => Some("not an identifier"),
                    Ok(()) if test == "main" => Some("the name of the tests' own `main.rs`"),
                    // Its file is `tests/requirements/<test>.rs`.
                    Ok(()) if names::is_windows_reserved(&test) => {
                        Some("a file name Windows reserves for a device")
                    }
                    Ok(()) if test.len() + ".rs".len() > names::MAX_FILE_NAME => {
                        Some("too long for a file name")
                    }
                    Ok(()) => None,
                };
                if let Some(problem) = problem {
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_REQUIREMENT_ID,
                            format!(
                                "requirement `{}` would have the test name `{test}`, {problem}",
                                r.id
                            ),
                        )
                        .at(r.span.clone(), "unusable test name")
                        .hint("change the id, e.g. add a number: \"CORE-1\""),
                    );
                    continue;
                }
                if let Some((first_id, first)) = test_names.get(&test) {
                    self.push(
                        Diagnostic::error(
                            codes::REQUIREMENT_NAME_COLLISION,
                            format!(
                                "requirements `{first_id}` and `{}` would both have the test name `{test}`",
                                r.id
                            ),
                        )
                        .at(r.span.clone(), "same test name")
                        .also((*first).clone(), "as this one")
                        .hint("ids differ only in case or punctuation; make them differ in letters or digits"),
                    );
                } else {
                    test_names.insert(test, (&r.id, &r.span));
                }
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

fn depends_key(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "depends",
        EdgeKind::Dev => "dev-depends",
        EdgeKind::Build => "build-depends",
    }
}

fn uses_key(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "uses",
        EdgeKind::Dev => "dev-uses",
        EdgeKind::Build => "build-uses",
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

/// Whether `id` has the form of a requirement id: `[A-Za-z][A-Za-z0-9._-]*`.
pub fn is_requirement_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The relative path from folder `from` to folder `to`, both normalized workspace-relative
/// paths (`.` or `""` is the root), as a `path = "…"` dependency between them is written.
pub fn relative_path(from: &str, to: &str) -> String {
    let split = |p: &str| -> Vec<String> {
        p.split('/').filter(|p| !p.is_empty() && *p != ".").map(str::to_owned).collect()
    };
    let (from, to) = (split(from), split(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(to[common..].iter().map(String::as_str));
    if out.is_empty() { ".".to_owned() } else { out.join("/") }
}

/// Why a crate path is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// `""`.
    #[error("the path is empty")]
    Empty,
    /// `a\b`: not portable.
    #[error("the path has a backslash")]
    Backslash,
    /// `/a`, `C:/a`, `~/a`.
    #[error("the path is absolute")]
    Absolute,
    /// A `..` component.
    #[error("the path leaves the workspace root")]
    Parent,
    /// `.` or `./`: the root itself.
    #[error("the path is the workspace root")]
    Root,
    /// Under `target/`, which `cargo clean` deletes.
    #[error("the path is inside cargo's build folder `target`")]
    BuildFolder,
    /// A folder name longer than file systems hold.
    #[error("the path has a folder name longer than {} bytes", names::MAX_FILE_NAME)]
    TooLong,
    /// A glob character (`*`, `?`, `[`, `]`), which `workspace.members` would expand.
    #[error("the path has a glob character")]
    Glob,
    /// A folder with a Windows device name (`aux`, `con.d`).
    #[error("the path has the folder `{0}`, a reserved name on Windows")]
    WindowsReserved(String),
    /// A character some system refuses in a file name: a control character (NUL and DEL
    /// included), `:`, or one of Windows' `<>"|`.
    #[error("the path has the character `{}`, which a file name cannot hold on every system", .0.escape_debug())]
    Character(char),
    /// A folder name that ends in `.` or a space, which Windows drops silently.
    #[error("the path has the folder `{0}`, whose name ends in `.` or a space")]
    TrailingDot(String),
    /// Inside a folder that belongs to a tool: version control's own (`.git`, `.hg`, `.svn`,
    /// `.jj`, anywhere in the path) or Trellis' bookkeeping (`.trellis` at the root).
    #[error("the path is inside `{0}`, which belongs to a tool")]
    Reserved(String),
}

/// Folders of version control's own, never a crate's, wherever they stand in a path.
const VCS_FOLDERS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

impl PathProblem {
    fn describe(&self, path: &str) -> (String, String) {
        let (message, hint) = match self {
            PathProblem::Empty => {
                ("the path is empty".to_owned(), "leave `path` out for the default `crates/<name>`")
            }
            PathProblem::Backslash => (
                format!("the path `{path}` has a backslash"),
                "separate folders with `/`, which works on every system",
            ),
            PathProblem::Absolute => (
                format!("the path `{path}` is absolute"),
                "paths are relative to the workspace root, e.g. \"crates/core\"",
            ),
            PathProblem::Parent => (
                format!("the path `{path}` leaves the workspace root"),
                "a crate's folder is inside the workspace; remove `..`",
            ),
            PathProblem::Root => (
                format!("the path `{path}` is the workspace root"),
                "write `path = \".\"` for the package at the root",
            ),
            PathProblem::BuildFolder => (
                format!("the path `{path}` is inside cargo's build folder `target`"),
                "`cargo clean` would delete it; choose another folder",
            ),
            PathProblem::TooLong => (
                format!(
                    "the path `{path}` has a folder name longer than {} bytes",
                    names::MAX_FILE_NAME
                ),
                "file systems hold 255 bytes a name; shorten it",
            ),
            PathProblem::Glob => (
                format!("the path `{path}` has a glob character (`*`, `?`, `[` or `]`)"),
                "cargo reads `workspace.members` as globs; name the folder without them",
            ),
            PathProblem::WindowsReserved(part) => (
                format!("the path `{path}` has the folder `{part}`, a reserved name on Windows"),
                "the folder could not be created on Windows; choose another name",
            ),
            PathProblem::Character(c) => (
                format!(
                    "the path `{}` has the character `{}`, which a file name cannot hold on every system",
                    path.escape_debug(),
                    c.escape_debug()
                ),
                "name folders with letters, digits, `-`, `_` and `.`",
            ),
            PathProblem::Reserved(part) => (
                format!("the path `{path}` is inside `{part}`"),
                if part == ".trellis" {
                    "`.trellis` holds Trellis' own bookkeeping; choose another folder"
                } else {
                    "that folder is version control's own (a crate there is invisible to it, or breaks it); choose another folder"
                },
            ),
            PathProblem::TrailingDot(part) => (
                format!(
                    "the path `{}` has the folder `{}`, whose name ends in `.` or a space",
                    path.escape_debug(),
                    part.escape_debug()
                ),
                "Windows drops the ending, so the folder would not be the one the spec names; remove it",
            ),
        };
        (message, hint.to_owned())
    }
}

/// A crate path with `.` and empty components removed (`./crates//a/` is `crates/a`), or why
/// it is refused. The spec's paths are normalized so; other stages may compare theirs the same way.
pub fn normalize_path(path: &str) -> Result<String, PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    let bytes = path.as_bytes();
    // `C:/a` or `C:\a`; `a:b` is refused below for its `:`.
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    if path.starts_with('/') || path.starts_with('~') || drive {
        return Err(PathProblem::Absolute);
    }
    if let Some(c) =
        path.chars().find(|&c| c.is_control() || matches!(c, ':' | '<' | '>' | '"' | '|'))
    {
        return Err(PathProblem::Character(c));
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return Err(PathProblem::Parent);
    }
    if parts.is_empty() {
        return Err(PathProblem::Root);
    }
    if parts[0] == "target" {
        return Err(PathProblem::BuildFolder);
    }
    if let Some(part) = parts.iter().find(|p| VCS_FOLDERS.contains(p)) {
        return Err(PathProblem::Reserved((*part).to_owned()));
    }
    if parts[0] == ".trellis" {
        return Err(PathProblem::Reserved(".trellis".to_owned()));
    }
    // Cargo reads `members` as globs, so a folder named with one of their characters could not
    // be listed as itself.
    if path.contains(['*', '?', '[', ']']) {
        return Err(PathProblem::Glob);
    }
    if parts.iter().any(|p| p.len() > names::MAX_FILE_NAME) {
        return Err(PathProblem::TooLong);
    }
    if let Some(part) = parts.iter().find(|p| {
        let stem = p.split('.').next().unwrap_or(p);
        names::is_windows_reserved(stem)
    }) {
        return Err(PathProblem::WindowsReserved((*part).to_owned()));
    }
    if let Some(part) = parts.iter().find(|p| p.ends_with(['.', ' '])) {
        return Err(PathProblem::TrailingDot((*part).to_owned()));
    }
    Ok(parts.join("/"))
}
