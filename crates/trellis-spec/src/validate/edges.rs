//! Dependency edges (`depends`, `uses` and their dev and build kinds) and the cycles they make.

use std::collections::{HashMap, HashSet};

use super::{SYSROOT, V};
use crate::codes;
use crate::diag::Diagnostic;
use crate::graph;
use crate::model::{CrateSpec, EdgeKind, Named, Span, Spec};
use crate::names;
use crate::parse::list;

impl V<'_> {
    pub(super) fn edges(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
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
                let key = kind.depends_key();
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
                                kind.uses_key()
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
                    if from.rank() < to.rank() {
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
                let key = kind.uses_key();
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
                            kind.depends_key()
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
    pub(super) fn repeated<'a>(
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
    pub(super) fn cycles(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
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
}
