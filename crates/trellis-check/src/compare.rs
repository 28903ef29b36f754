//! The comparison itself: a validated spec against the workspace cargo reports, findings out.
//!
//! Pure: the only input besides the two models is the text of manifests, asked for by path
//! through [`Manifests`] and only for members that have a finding to place.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use trellis_spec::{CrateSpec, Diagnostic, EdgeKind, Spec};

use crate::actual::{Dep, DepSource, Edge, Member, Workspace};
use crate::codes;
use crate::locate;

/// The text of a member's manifest, by its path relative to the workspace root.
pub trait Manifests {
    /// The manifest's text, if it can be read.
    fn text(&self, manifest: &str) -> Option<&str>;

    /// Whether the file at `path` (relative to the workspace root) is there; `None` when this
    /// source of files cannot tell (then nothing is concluded from it).
    fn exists(&self, _path: &str) -> Option<bool> {
        None
    }

    /// The text of the file at `path` (relative to the workspace root), if it can be read.
    fn source(&self, _path: &str) -> Option<String> {
        None
    }
}

impl Manifests for BTreeMap<String, String> {
    fn text(&self, manifest: &str) -> Option<&str> {
        self.get(manifest).map(String::as_str)
    }
}

/// How findings name files.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    /// How to name the spec file (`Trellis.toml`, `../shop/Trellis.toml`).
    pub spec_file: &'a str,
    /// What to put before a manifest's path relative to the workspace root (`""` for none,
    /// else a folder such as `../shop`).
    pub root: &'a str,
}

impl Default for Names<'_> {
    /// Names relative to the workspace root: `Trellis.toml`, `crates/a/Cargo.toml`.
    fn default() -> Self {
        Names { spec_file: crate::SPEC_FILE, root: "" }
    }
}

impl Names<'_> {
    /// How to name a file given relative to the workspace root.
    pub fn file(&self, relative: &str) -> String {
        let root = self.root.trim_end_matches('/');
        if root.is_empty() || root == "." {
            relative.to_owned()
        } else {
            format!("{root}/{relative}")
        }
    }
}

/// Compares `spec` with `actual` and returns every finding, errors and warnings, in a stable
/// order: crates in spec order, then members by name, then edges, cycles and allowances.
///
/// Today's date, which says whether an `[[allow]]` with `until` still holds, is
/// [`rules::today`]'s, read only when an allowance has one.
pub fn compare(
    spec: &Spec,
    actual: &Workspace,
    manifests: &dyn Manifests,
    names: Names<'_>,
) -> Vec<Diagnostic> {
    compare_with(spec, actual, manifests, names, None)
}

/// [`compare`], and with `deep` (the resolved graph, [`Resolve`]) every `[[forbid]] uses`
/// rule followed through each path from a member to an external crate (C015, the path named).
pub fn compare_with(
    spec: &Spec,
    actual: &Workspace,
    manifests: &dyn Manifests,
    names: Names<'_>,
    deep: Option<&Resolve>,
) -> Vec<Diagnostic> {
    let today = spec.allow.iter().any(|a| a.until.is_some()).then(|| rules::today().0);
    compare_on(spec, actual, manifests, names, deep, today)
}

/// [`compare_with`] on a given day (`None` when no allowance has an `until`).
fn compare_on(
    spec: &Spec,
    actual: &Workspace,
    manifests: &dyn Manifests,
    names: Names<'_>,
    deep: Option<&Resolve>,
    today: Option<trellis_spec::Date>,
) -> Vec<Diagnostic> {
    let crates = spec.crates.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut cx = Cx {
        spec,
        crates,
        actual,
        manifests,
        names,
        out: Vec::new(),
        allowed: BTreeSet::new(),
        today,
        expired: Vec::new(),
        deep: deep.is_some(),
    };
    cx.crates();
    cx.drift();
    cx.strangers();
    cx.edges();
    cx.cycles();
    cx.externals();
    cx.rules();
    if let Some(deep) = deep {
        cx.deep(deep);
    }
    cx.allowances();
    cx.expiry();
    cx.out
}

struct Cx<'a> {
    spec: &'a Spec,
    /// The spec's crates by name: a 1,000-crate workspace asks thousands of times.
    crates: HashMap<&'a str, &'a CrateSpec>,
    actual: &'a Workspace,
    manifests: &'a dyn Manifests,
    names: Names<'a>,
    out: Vec<Diagnostic>,
    /// Indices into `spec.allow` that silenced something (or would have, but expired).
    allowed: BTreeSet<usize>,
    /// Today, when an allowance has an `until` (see [`rules::today`]).
    today: Option<trellis_spec::Date>,
    /// The findings an expired allowance no longer excuses: the index the finding has in
    /// `out` (it is the next one pushed after the allowance was asked), and the allowance's.
    expired: Vec<(usize, usize)>,
    /// Whether rules are followed through the resolved graph (`check --deep`).
    deep: bool,
}

impl<'a> Cx<'a> {
    /// C001, C003, C004: every spec crate exists, with its kind, at its path.
    fn crates(&mut self) {
        for krate in &self.spec.crates {
            let name = krate.name.as_str();
            let Some(member) = self.actual.member(name) else {
                let at_path = self.actual.members.iter().find(|m| m.dir == krate.path);
                let hint = match at_path {
                    Some(other) => format!(
                        "the member at `{}` is named `{}`: rename the package or the spec's crate",
                        krate.path, other.name
                    ),
                    None => format!(
                        "run `trellis apply` to create it at `{}`, or remove `[crates.{name}]` from the spec",
                        krate.path
                    ),
                };
                self.spec_finding(
                    codes::MISSING_CRATE,
                    format!("crate `{name}` is not a member of the workspace"),
                    krate,
                    hint,
                );
                continue;
            };
            if member.dir != krate.path {
                self.spec_finding(
                    codes::PATH_MISMATCH,
                    format!("crate `{name}` is at `{}`, not at `{}`", member.dir, krate.path),
                    krate,
                    if krate.path == trellis_spec::default_crate_path(name) {
                        format!(
                            "add `path = \"{}\"` to `[crates.{name}]`, or move the crate to `{}`",
                            member.dir, krate.path
                        )
                    } else {
                        format!(
                            "set `path = \"{}\"` in `[crates.{name}]`, or move the crate to `{}`",
                            member.dir, krate.path
                        )
                    },
                );
            }
            if !member.has_kind(krate.kind) {
                let hint = match member.kind() {
                    Some(actual) => format!(
                        "set `kind = \"{actual}\"` in `[crates.{name}]`, or give the crate a {} target",
                        krate.kind
                    ),
                    None => format!("give the crate a {} target", krate.kind),
                };
                self.spec_finding(
                    codes::KIND_MISMATCH,
                    format!(
                        "crate `{name}` is a `{}` in the spec, but cargo sees {}",
                        krate.kind,
                        member.targets_summary()
                    ),
                    krate,
                    hint,
                );
            }
        }
    }

    /// C002: every member is in the spec, except the workspace's own xtask at `xtask/`.
    fn strangers(&mut self) {
        for member in &self.actual.members {
            if member.is_own_xtask() || self.krate(&member.name).is_some() {
                continue;
            }
            let span = self.manifests.text(&member.manifest).and_then(locate::package_name);
            let mut d = Diagnostic::error(
                codes::UNDECLARED_CRATE,
                format!("member `{}` at `{}` is not in the spec", member.name, member.dir),
            )
            .in_file(self.names.file(&member.manifest));
            if let Some(span) = span {
                d = d.at(span, "not declared in the spec");
            }
            let hint = format!(
                "add `[crates.{}]` to the spec (`trellis infer` prints one, or says why the spec refuses it), or remove it from the workspace's `members`",
                member.name
            );
            self.out.push(d.hint(hint));
        }
    }

    /// C005, C006, C007: internal edges, both ways, and the layers of the real ones.
    fn edges(&mut self) {
        // An `[[allow]]` that lets the spec itself declare an edge across layers is in use
        // for as long as the spec declares that edge.
        for krate in &self.spec.crates {
            for (kind, to) in krate.depends.iter() {
                if let Some(target) = self.krate(&to.name)
                    && kind.is_structural()
                    && self.upward(krate, target)
                    && !self.allow(krate.name.as_str(), &to.name)
                {
                    // The allowance the spec read has expired.
                    self.expired_layer_exception(krate, target, to);
                }
            }
        }
        let actual: Vec<Edge<'a>> = self.actual.edges();
        let actual_set: BTreeSet<(&str, &str, EdgeKind)> =
            actual.iter().map(|e| (e.from, e.to, e.kind)).collect();
        for edge in &actual {
            let (Some(from), Some(to)) = (self.krate(edge.from), self.krate(edge.to)) else {
                // An edge to or from a stranger is covered by C002; xtask is Trellis' own.
                continue;
            };
            let upward = edge.kind.is_structural() && self.upward(from, to);
            if from.depends.of(edge.kind).iter().any(|n| n.name == edge.to) {
                continue;
            }
            if self.allow(edge.from, edge.to) {
                continue;
            }
            let section = edge.kind.manifest_section();
            let place = self.described_section(edge);
            let (code, message, label, hint) = if upward {
                let (lf, lt) =
                    (from.layer.as_deref().unwrap_or(""), to.layer.as_deref().unwrap_or(""));
                (
                    codes::LAYER_VIOLATION,
                    format!(
                        "`{}` (layer `{lf}`) depends on `{}` (layer `{lt}`), a higher layer",
                        edge.from, edge.to
                    ),
                    format!("`{lf}` may not depend on `{lt}`"),
                    format!(
                        "remove `{}` from `[{section}]` of `{}`, move one of the crates to another layer, or add an `[[allow]]` with a reason",
                        edge.to, edge.from
                    ),
                )
            } else {
                let key = edge.kind.depends_key();
                (
                    codes::UNDECLARED_EDGE,
                    format!(
                        "`{}` depends on `{}` ({place}), which the spec does not declare",
                        edge.from, edge.to
                    ),
                    "not declared in the spec".to_owned(),
                    format!(
                        "add \"{}\" to `{key}` of `[crates.{}]`, or remove the dependency",
                        edge.to, edge.from
                    ),
                )
            };
            let d = self.manifest_finding(code, message, edge, label);
            self.out.push(d.hint(hint));
        }

        for krate in &self.spec.crates {
            let from = krate.name.as_str();
            if self.actual.member(from).is_none() {
                continue; // C001 already says it
            }
            for (kind, to) in krate.depends.iter() {
                if actual_set.contains(&(from, to.name.as_str(), kind))
                    || self.actual.member(&to.name).is_none()
                {
                    continue;
                }
                let section = kind.manifest_section();
                self.out.push(
                    Diagnostic::error(
                        codes::MISSING_EDGE,
                        format!("the spec says `{from}` depends on `{}` ({section}), but its manifest does not", to.name),
                        )
                        .in_file(self.names.spec_file)
                        .at(to.span.clone(), "declared here")
                        .hint(format!(
                            "run `trellis apply` to add `{} = {{ workspace = true }}` to `[{section}]` of `{from}`, or remove it from the spec",
                            to.name
                        )),
                );
            }
        }
    }

    /// C008: cycles through normal and build edges, each named in full once.
    fn cycles(&mut self) {
        let members: Vec<&Member> =
            self.actual.members.iter().filter(|m| !m.is_own_xtask()).collect();
        let index: BTreeMap<&str, usize> =
            members.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
        let mut graph: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
        for edge in self.actual.edges() {
            if !edge.kind.is_structural() {
                continue;
            }
            if let (Some(&a), Some(&b)) = (index.get(edge.from), index.get(edge.to)) {
                graph[a].push(b);
            }
        }
        for adj in &mut graph {
            adj.sort_unstable();
            adj.dedup();
        }
        for component in trellis_spec::graph::strongly_connected(&graph) {
            let self_loop = component.len() == 1 && graph[component[0]].contains(&component[0]);
            if component.len() < 2 && !self_loop {
                continue;
            }
            let cycle = trellis_spec::graph::shortest_cycle(&graph, &component);
            let names: Vec<&str> = cycle.iter().map(|&i| members[i].name.as_str()).collect();
            let pairs: Vec<(&str, &str)> =
                (0..names.len()).map(|i| (names[i], names[(i + 1) % names.len()])).collect();
            let asked = self.expired.len();
            if pairs.iter().any(|&(a, b)| self.allow(a, b)) {
                self.expired.truncate(asked);
                continue;
            }
            let mut shown = names.clone();
            shown.push(names[0]);
            let (a, b) = pairs[0];
            let kind = self
                .actual
                .edges()
                .into_iter()
                .find(|e| e.from == a && e.to == b && e.kind.is_structural())
                .map_or(EdgeKind::Normal, |e| e.kind);
            let edge = Edge { from: a, to: b, kind };
            let d = self.manifest_finding(
                codes::CYCLE,
                format!("dependency cycle: {}", shown.join(" -> ")),
                &edge,
                "this edge starts the cycle".to_owned(),
            );
            self.out.push(d.hint(
                "break the cycle: move what both sides share into a lower crate, or make one edge a dev-dependency",
            ));
        }
    }

    /// C009, C010, C011: external crates against `[dependencies]` and each crate's `uses`.
    fn externals(&mut self) {
        for member in &self.actual.members {
            let Some(krate) = self.krate(&member.name) else { continue };
            let mut seen: BTreeSet<(EdgeKind, String)> = BTreeSet::new();
            for dep in &member.deps {
                if matches!(dep.source, DepSource::Member(_)) {
                    continue;
                }
                let Some(listed) = self.listed(dep) else {
                    if seen.insert((dep.kind, format!("!{}", dep.key)))
                        && !self.allow(&member.name, &dep.key)
                    {
                        let d = self.dep_finding(
                            codes::UNDECLARED_DEPENDENCY,
                            if dep.key == dep.package {
                                format!(
                                    "`{}` uses `{}`, which the spec's `[dependencies]` does not list",
                                    member.name, dep.key
                                )
                            } else {
                                format!(
                                    "`{}` uses `{}` (package `{}`), which the spec's `[dependencies]` does not list",
                                    member.name, dep.key, dep.package
                                )
                            },
                            member,
                            dep,
                            "not in the spec's [dependencies]",
                        );
                        self.out.push(d.hint(format!(
                            "add `{}` to `[dependencies]` of the spec and to `uses` of `[crates.{}]`",
                            dep.key, member.name
                        )));
                    }
                    continue;
                };
                if !seen.insert((dep.kind, listed.to_owned())) {
                    continue;
                }
                if !krate.uses.of(dep.kind).iter().any(|n| n.name == listed)
                    && !self.allow(&member.name, listed)
                {
                    let key = dep.kind.uses_key();
                    let d = self.dep_finding(
                        codes::UNDECLARED_USE,
                        format!(
                            "`{}` uses `{listed}` ({}), which its `{key}` does not name",
                            member.name,
                            dep.kind.manifest_section()
                        ),
                        member,
                        dep,
                        "not in the crate's uses",
                    );
                    self.out.push(d.hint(format!(
                        "add \"{listed}\" to `{key}` of `[crates.{}]`",
                        member.name
                    )));
                }
            }
            for (kind, used) in krate.uses.iter() {
                if seen.contains(&(kind, used.name.clone())) {
                    continue;
                }
                let key = kind.uses_key();
                self.out.push(
                    Diagnostic::warning(
                        codes::MISSING_USE,
                        format!("the spec says `{}` uses `{}` ({}), but its manifest does not", member.name, used.name, kind.manifest_section()),
                    )
                    .in_file(self.names.spec_file)
                    .at(used.span.clone(), "declared here")
                    .hint(format!(
                        "run `trellis apply` to add it to the manifest, or remove it from `{key}` of `[crates.{}]`",
                        member.name
                    )),
                );
            }
        }
    }

    /// C012: every `[[allow]]` silenced something.
    fn allowances(&mut self) {
        for (i, allowance) in self.spec.allow.iter().enumerate() {
            if self.allowed.contains(&i) {
                continue;
            }
            // What a `uses` rule forbids `from` may come through another crate, which only
            // `check --deep` sees: without it, such an allowance cannot be judged idle.
            if !self.deep
                && self.krate(&allowance.from.name).is_some_and(|from| {
                    self.spec.forbid.iter().any(|r| {
                        matches!(r.uses, trellis_spec::RuleUses::Forbid(_))
                            && r.applies_to(from)
                            && r.forbids(&allowance.to.name).is_some()
                    })
                })
            {
                continue;
            }
            self.out.push(
                Diagnostic::error(
                    codes::UNUSED_ALLOWANCE,
                    format!(
                        "`[[allow]]` from `{}` to `{}` matches no finding",
                        allowance.from.name, allowance.to.name
                    ),
                )
                .in_file(self.names.spec_file)
                .at(allowance.span.clone(), "this exception is no longer needed")
                .hint("remove the `[[allow]]` entry: the dependency it excused is gone or is now declared"),
            );
        }
    }

    /// The `[dependencies]` key a manifest's external dependency is: the same key naming the
    /// same package, else any key naming that package. A key that names another package is
    /// not it (`serde = { package = "serde-json-core" }` is not the spec's `serde = "1"`).
    fn listed(&self, dep: &Dep) -> Option<&'a str> {
        let package = |key: &'a String, ext: &'a trellis_spec::ExternalDep| {
            ext.package.as_deref().unwrap_or(key.as_str())
        };
        if let Some((key, ext)) = self.spec.dependencies.get_key_value(&dep.key)
            && package(key, ext) == dep.package
        {
            return Some(key);
        }
        self.spec
            .dependencies
            .iter()
            .find(|(key, ext)| package(key, ext) == dep.package)
            .map(|(key, _)| key.as_str())
    }

    /// The section that makes an edge, said fully: `dev-dependencies for cfg(unix), optional`.
    fn described_section(&self, edge: &Edge<'_>) -> String {
        let deps = self.actual.member(edge.from).map_or(&[][..], |m| &m.deps[..]);
        let mut out = edge.kind.manifest_section().to_owned();
        let mut entries = deps.iter().filter(|d| {
            d.kind == edge.kind && matches!(&d.source, DepSource::Member(to) if to == edge.to)
        });
        if let Some(dep) = entries.next() {
            if let Some(target) = &dep.target {
                out.push_str(&format!(" for `{target}`"));
            }
            if dep.optional {
                out.push_str(", optional");
            }
            if dep.key != dep.package {
                out.push_str(&format!(", as `{}`", dep.key));
            }
        }
        out
    }

    /// The spec's crate with this name.
    fn krate(&self, name: &str) -> Option<&'a CrateSpec> {
        self.crates.get(name).copied()
    }

    /// Whether an edge from `from` to `to` goes up the layers.
    fn upward(&self, from: &CrateSpec, to: &CrateSpec) -> bool {
        match (&from.layer, &to.layer) {
            (Some(lf), Some(lt)) => lf.rank() < lt.rank(),
            _ => false,
        }
    }

    /// Whether an `[[allow]]` entry excuses `from` → `to`; marks it used. One that names the
    /// edge but expired excuses nothing: it is marked used too (the finding it no longer
    /// excuses says so, see [`Cx::expiry`]), and remembered for the finding pushed next.
    fn allow(&mut self, from: &str, to: &str) -> bool {
        let found: Vec<usize> = self
            .spec
            .allow
            .iter()
            .enumerate()
            .filter(|(_, a)| a.from.name == from && a.to.name == to)
            .map(|(i, _)| i)
            .collect();
        self.allowed.extend(&found);
        let today = self.today;
        let holds = |i: &usize| today.is_none_or(|t| self.spec.allow[*i].holds_on(t));
        if found.iter().any(holds) {
            return true;
        }
        let next = self.out.len();
        self.expired.extend(found.iter().map(|&i| (next, i)));
        false
    }

    /// An error placed at a crate's `[crates.<name>]` header in the spec.
    fn spec_finding(
        &mut self,
        code: trellis_spec::Code,
        message: String,
        krate: &CrateSpec,
        hint: String,
    ) {
        self.out.push(
            Diagnostic::error(code, message)
                .in_file(self.names.spec_file)
                .at(krate.span.clone(), "declared here")
                .hint(hint),
        );
    }

    /// A finding placed at the manifest entry that makes an internal edge.
    fn manifest_finding(
        &self,
        code: trellis_spec::Code,
        message: String,
        edge: &Edge<'_>,
        label: String,
    ) -> Diagnostic {
        let member = self.actual.member(edge.from).expect("edges start at members");
        let dep = member
            .deps
            .iter()
            .find(|d| {
                d.kind == edge.kind && matches!(&d.source, DepSource::Member(to) if to == edge.to)
            })
            .expect("edges come from dependencies");
        let mut d = Diagnostic::error(code, message).in_file(self.names.file(&member.manifest));
        if let Some(span) = self.dep_span(member, dep) {
            d = d.at(span, label);
        }
        d
    }

    fn dep_finding(
        &self,
        code: trellis_spec::Code,
        message: String,
        member: &Member,
        dep: &Dep,
        label: &str,
    ) -> Diagnostic {
        let severity_warning = code == codes::UNDECLARED_USE;
        let mut d = if severity_warning {
            Diagnostic::warning(code, message)
        } else {
            Diagnostic::error(code, message)
        }
        .in_file(self.names.file(&member.manifest));
        if let Some(span) = self.dep_span(member, dep) {
            d = d.at(span, label);
        }
        d
    }

    fn dep_span(&self, member: &Member, dep: &Dep) -> Option<std::ops::Range<usize>> {
        let text = self.manifests.text(&member.manifest)?;
        locate::dependency_key(text, dep.kind, dep.target.as_deref(), &dep.key)
    }
}

mod drift;
mod rules;
#[cfg(test)]
mod tests;

pub use rules::{Resolve, today};
