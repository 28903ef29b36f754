//! `[[forbid]]` rules against the workspace (C015), directly and, with the resolved graph,
//! through every path; and the `until` of `[[allow]]` entries: an expired one excuses nothing
//! (its finding says so), one about to expire is a warning (C016).

use std::collections::{BTreeSet, HashMap, VecDeque};

use cargo_metadata::{DependencyKind, Metadata};
use trellis_spec::{CrateSpec, Date, Diagnostic, EdgeKind, Named, Rule, RuleUses};

use super::Cx;
use crate::actual::{Dep, DepSource};
use crate::codes;

/// How many days before its `until` an allowance is said to be about to expire.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// Today's date as `check` reads it, and the one place it is read: `TRELLIS_TODAY`
/// (`YYYY-MM-DD`) when it is set, which tests and a CI that wants to look ahead use; else the
/// system clock's date in UTC. The second value says why `TRELLIS_TODAY` was not used, when
/// it is set but is not a date.
pub fn today() -> (Date, Option<String>) {
    let clock = || {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(seconds / 86_400).unwrap_or(0))
    };
    match std::env::var("TRELLIS_TODAY") {
        // Set to nothing is not set (`TRELLIS_TODAY= cargo trellis check`).
        Ok(text) if text.trim().is_empty() => (clock(), None),
        Ok(text) => match Date::parse(text.trim()) {
            Some(date) => (date, None),
            None => (
                clock(),
                Some(format!(
                    "`TRELLIS_TODAY={text}` is not a date `YYYY-MM-DD`: the system's date is used for the `until` of `[[allow]]` entries"
                )),
            ),
        },
        Err(_) => (clock(), None),
    }
}

/// The graph cargo resolved (`cargo metadata` with dependencies): for each package, the
/// packages its normal and build dependencies resolve to. Dev-dependencies are left out, as
/// rules leave them out.
#[derive(Debug, Clone)]
pub struct Resolve {
    names: Vec<String>,
    member: Vec<bool>,
    deps: Vec<Vec<usize>>,
    by_member: HashMap<String, usize>,
}

impl Resolve {
    /// The resolved graph `metadata` holds; `None` for `--no-deps` metadata, which has none.
    pub fn from_metadata(metadata: &Metadata) -> Option<Resolve> {
        let resolve = metadata.resolve.as_ref()?;
        let index: HashMap<&cargo_metadata::PackageId, usize> =
            metadata.packages.iter().enumerate().map(|(i, p)| (&p.id, i)).collect();
        let members: BTreeSet<&cargo_metadata::PackageId> =
            metadata.workspace_members.iter().collect();
        let names = metadata.packages.iter().map(|p| p.name.to_string()).collect();
        let member = metadata.packages.iter().map(|p| members.contains(&p.id)).collect();
        let mut deps = vec![Vec::new(); metadata.packages.len()];
        for node in &resolve.nodes {
            let Some(&from) = index.get(&node.id) else { continue };
            for dep in &node.deps {
                let shipped = dep
                    .dep_kinds
                    .iter()
                    .any(|k| matches!(k.kind, DependencyKind::Normal | DependencyKind::Build));
                if let Some(&to) = index.get(&dep.pkg)
                    && shipped
                {
                    deps[from].push(to);
                }
            }
            deps[from].sort_unstable();
            deps[from].dedup();
        }
        let by_member = metadata
            .packages
            .iter()
            .enumerate()
            .filter(|(_, p)| members.contains(&p.id))
            .map(|(i, p)| (p.name.to_string(), i))
            .collect();
        Some(Resolve { names, member, deps, by_member })
    }

    /// Every external package reachable from member `from` through two hops or more, with the
    /// shortest path to it (`from` first), in the order a breadth-first walk meets them.
    fn indirect(&self, from: &str) -> Vec<Vec<usize>> {
        let Some(&start) = self.by_member.get(from) else { return Vec::new() };
        let mut parent: Vec<Option<usize>> = vec![None; self.names.len()];
        let mut seen = vec![false; self.names.len()];
        seen[start] = true;
        let mut queue = VecDeque::from([start]);
        let mut out = Vec::new();
        while let Some(at) = queue.pop_front() {
            for &next in &self.deps[at] {
                if seen[next] {
                    continue;
                }
                seen[next] = true;
                parent[next] = Some(at);
                queue.push_back(next);
                if !self.member[next] && at != start {
                    let mut path = vec![next];
                    let mut step = at;
                    while step != start {
                        path.push(step);
                        step = parent[step].expect("a walked node has a parent");
                    }
                    path.push(start);
                    path.reverse();
                    out.push(path);
                }
            }
        }
        out
    }
}

impl Cx<'_> {
    /// C015: every member's own external dependencies (normal and build) against the rules
    /// about it.
    pub(super) fn rules(&mut self) {
        if self.spec.forbid.is_empty() {
            return;
        }
        for member in &self.actual.members {
            let Some(krate) = self.krate(&member.name) else { continue };
            let rules: Vec<&Rule> =
                self.spec.forbid.iter().filter(|r| r.applies_to(krate)).collect();
            if rules.is_empty() {
                continue;
            }
            let mut seen: BTreeSet<(&str, usize)> = BTreeSet::new();
            for dep in member.deps.iter().filter(|d| is_external(d) && d.kind != EdgeKind::Dev) {
                for (r, rule) in self.spec.forbid.iter().enumerate() {
                    if !rule.applies_to(krate)
                        || rule.forbids(&dep.package).is_none()
                        || !seen.insert((dep.package.as_str(), r))
                    {
                        continue;
                    }
                    let listed = self.listed(dep).unwrap_or(&dep.key);
                    if self.allow_any(&member.name, &[&dep.key, listed, &dep.package]) {
                        continue;
                    }
                    let section = if dep.key == dep.package {
                        dep.kind.manifest_section().to_owned()
                    } else {
                        format!("{}, as `{}`", dep.kind.manifest_section(), dep.key)
                    };
                    let d = self.dep_finding(
                        codes::FORBIDDEN_DEPENDENCY,
                        format!(
                            "`{}` uses `{}` ({section}), but {}: {}",
                            member.name,
                            dep.package,
                            rule.says(&dep.package),
                            rule.reason
                        ),
                        member,
                        dep,
                        "forbidden by the spec's `[[forbid]]`",
                    );
                    self.out.push(d.hint(format!(
                        "remove `{}` from `[{}]` of `{}`{}, or add an `[[allow]]` from `{}` to `{}` with a reason (and an `until`)",
                        dep.key,
                        dep.kind.manifest_section(),
                        member.name,
                        move_hint(rule),
                        member.name,
                        listed,
                    )));
                }
            }
        }
    }

    /// C015 through the resolved graph: every external package a member reaches through
    /// another package, against the `uses` rules about the member (an `only-uses` rule is
    /// about the crate's own dependencies: what those use is theirs).
    pub(super) fn deep(&mut self, resolve: &Resolve) {
        if !self.spec.forbid.iter().any(|r| matches!(r.uses, RuleUses::Forbid(_))) {
            return;
        }
        for member in &self.actual.members {
            let Some(krate) = self.krate(&member.name) else { continue };
            let rules: Vec<(usize, &Rule)> = self
                .spec
                .forbid
                .iter()
                .enumerate()
                .filter(|(_, r)| matches!(r.uses, RuleUses::Forbid(_)) && r.applies_to(krate))
                .collect();
            if rules.is_empty() {
                continue;
            }
            let direct: BTreeSet<&str> = member
                .deps
                .iter()
                .filter(|d| is_external(d) && d.kind != EdgeKind::Dev)
                .map(|d| d.package.as_str())
                .collect();
            let mut said: BTreeSet<(&str, usize)> = BTreeSet::new();
            for path in resolve.indirect(&member.name) {
                let target = resolve.names[*path.last().expect("a path has an end")].as_str();
                if direct.contains(target) {
                    continue; // reported as a direct dependency
                }
                for &(r, rule) in &rules {
                    if rule.forbids(target).is_none() || said.contains(&(target, r)) {
                        continue;
                    }
                    said.insert((target, r));
                    if self.allow_any(&member.name, &[target]) {
                        continue;
                    }
                    let names: Vec<&str> =
                        path.iter().map(|&i| resolve.names[i].as_str()).collect();
                    let first = names[1];
                    let Some(dep) =
                        member.deps.iter().find(|d| d.package == first && d.kind != EdgeKind::Dev)
                    else {
                        continue;
                    };
                    let d = self.dep_finding(
                        codes::FORBIDDEN_DEPENDENCY,
                        format!(
                            "`{}` uses `{target}` through `{}`, but {}: {}",
                            member.name,
                            names.join(" -> "),
                            rule.says(target),
                            rule.reason
                        ),
                        member,
                        dep,
                        &format!("`{target}` comes through here"),
                    );
                    self.out.push(d.hint(format!(
                        "drop `{first}` from `{}`, or find a path that does not pull in `{target}` (a feature of `{}`?); an `[[allow]]` from `{}` to `{target}` with a reason excuses it",
                        member.name, names[names.len() - 2], member.name
                    )));
                }
            }
        }
    }

    /// Whether an allowance excuses `from` → any of `to` (each asked once); the expired ones
    /// asked are remembered for the finding pushed next only when none excuses it.
    fn allow_any(&mut self, from: &str, to: &[&str]) -> bool {
        let asked = self.expired.len();
        let mut unique = Vec::new();
        for &n in to {
            if !unique.contains(&n) {
                unique.push(n);
            }
        }
        if unique.into_iter().any(|n| self.allow(from, n)) {
            self.expired.truncate(asked);
            return true;
        }
        false
    }

    /// C007 at the spec's own edge `krate -> to` up the layers, which only an allowance made
    /// valid, now that it has expired.
    pub(super) fn expired_layer_exception(
        &mut self,
        krate: &CrateSpec,
        target: &CrateSpec,
        to: &Named,
    ) {
        if self.expired.last().is_none_or(|&(next, _)| next != self.out.len()) {
            return;
        }
        let (lf, lt) =
            (krate.layer.as_deref().unwrap_or(""), target.layer.as_deref().unwrap_or(""));
        self.out.push(
            Diagnostic::error(
                codes::LAYER_VIOLATION,
                format!(
                    "the spec says `{}` (layer `{lf}`) depends on `{}` (layer `{lt}`), a higher layer",
                    krate.name, target.name
                ),
            )
            .in_file(self.names.spec_file)
            .at(to.span.clone(), format!("`{lf}` may not depend on `{lt}`"))
            .hint(format!(
                "remove \"{}\" from `depends` of `[crates.{}]`, or move one of the crates to another layer",
                target.name, krate.name
            )),
        );
    }

    /// Says, in each finding an expired allowance no longer excuses, that it expired; and
    /// warns of each allowance that still holds but expires within 30 days (C016).
    pub(super) fn expiry(&mut self) {
        let Some(today) = self.today else { return };
        let mut done: BTreeSet<(usize, usize)> = BTreeSet::new();
        for &(at, i) in &self.expired {
            let Some(d) = self.out.get_mut(at) else { continue };
            if !done.insert((at, i)) {
                continue;
            }
            let a = &self.spec.allow[i];
            let until = a.until.as_ref().map(|u| u.date.to_string()).unwrap_or_default();
            d.message.push_str(&format!(
                " (the `[[allow]]` that excused it expired on {until}: \"{}\")",
                a.reason
            ));
            let before = d.hint.take().unwrap_or_default();
            d.hint = Some(format!(
                "{before}; if the exception must hold longer, move the `until` of its `[[allow]]` in `{}` later",
                self.names.spec_file
            ));
        }
        for a in &self.spec.allow {
            let Some(until) = &a.until else { continue };
            let left = until.date.days() - today.days();
            if !(0..=EXPIRY_WARNING_DAYS).contains(&left) {
                continue;
            }
            let when = match left {
                0 => "today, its last day".to_owned(),
                1 => "tomorrow".to_owned(),
                n => format!("in {n} days"),
            };
            self.out.push(
                Diagnostic::warning(
                    codes::EXPIRING_ALLOWANCE,
                    format!(
                        "`[[allow]]` from `{}` to `{}` expires on {} ({when}): \"{}\"",
                        a.from.name, a.to.name, until.date, a.reason
                    ),
                )
                .in_file(self.names.spec_file)
                .at(until.span.clone(), "the last day it holds")
                .hint(format!(
                    "after {}, what it excuses fails `check`: fix that, or move `until` later",
                    until.date
                )),
            );
        }
    }
}

/// A dependency that is not a member of the workspace.
fn is_external(dep: &Dep) -> bool {
    !matches!(dep.source, DepSource::Member(_))
}

/// What else a rule about a layer lets one do.
fn move_hint(rule: &Rule) -> &'static str {
    match rule.scope {
        trellis_spec::RuleScope::Layer(_) => " (or move the crate out of the layer)",
        trellis_spec::RuleScope::Crate(_) => "",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use trellis_spec::{Date, EdgeKind};

    use super::Resolve;
    use crate::actual::{Dep, DepSource, Member, Workspace};
    use crate::compare::{Names, compare_on};

    const SPEC: &str = r#"
[workspace]
name = "t"

[layers]
order = ["domain", "edge"]

[crates.catalog]
layer = "domain"

[crates.api]
layer = "edge"

[[forbid]]
layer = "domain"
uses = ["tokio*"]
reason = "no transport"
"#;

    fn external(key: &str, package: &str, kind: EdgeKind) -> Dep {
        Dep {
            key: key.to_owned(),
            package: package.to_owned(),
            source: DepSource::Registry(None),
            ..Dep::on(package, kind)
        }
    }

    fn found(spec: &str, catalog: Vec<Dep>, deep: Option<&Resolve>, today: &str) -> Vec<String> {
        let spec = trellis_spec::parse(spec, "Trellis.toml").expect("valid spec").spec;
        let mut members = vec![
            Member::library("api", "crates/api", vec![]),
            Member::library("catalog", "crates/catalog", catalog),
        ];
        members.sort_by(|a, b| a.name.cmp(&b.name));
        let ws = Workspace { root: "/ws".into(), members };
        let today = Date::parse(today);
        let none: BTreeMap<String, String> = BTreeMap::new();
        compare_on(&spec, &ws, &none, Names::default(), deep, today)
            .into_iter()
            .filter(|d| d.code.id != "C009")
            .map(|d| format!("{} {}", d.code.id, d.message))
            .collect()
    }

    #[test]
    fn a_forbidden_crate_is_found_by_package_name_under_any_key_but_not_in_dev_dependencies() {
        let renamed = found(SPEC, vec![external("rt", "tokio-util", EdgeKind::Normal)], None, "");
        assert_eq!(renamed.len(), 1, "{renamed:?}");
        assert!(
            renamed[0].starts_with("C015 `catalog` uses `tokio-util` (dependencies, as `rt`)"),
            "{renamed:?}"
        );
        assert!(renamed[0].ends_with(": no transport"), "{renamed:?}");
        let build = found(SPEC, vec![external("tokio", "tokio", EdgeKind::Build)], None, "");
        assert_eq!(build.len(), 1, "{build:?}");
        assert!(found(SPEC, vec![external("tokio", "tokio", EdgeKind::Dev)], None, "").is_empty());
        assert!(
            found(SPEC, vec![external("serde", "serde", EdgeKind::Normal)], None, "").is_empty()
        );
    }

    #[test]
    fn only_uses_forbids_everything_else() {
        let spec = SPEC.replace("uses = [\"tokio*\"]", "only-uses = [\"serde*\"]");
        assert!(
            found(&spec, vec![external("serde_json", "serde_json", EdgeKind::Normal)], None, "")
                .is_empty()
        );
        let other = found(&spec, vec![external("anyhow", "anyhow", EdgeKind::Normal)], None, "");
        assert_eq!(other.len(), 1, "{other:?}");
        assert!(other[0].contains("lets layer `domain` use only `serde*`"), "{other:?}");
    }

    #[test]
    fn an_allowance_excuses_a_forbidden_crate_until_it_expires_and_warns_before() {
        let spec = format!(
            "{SPEC}\n[[allow]]\nfrom = \"catalog\"\nto = \"tokio\"\nreason = \"until #4\"\nuntil = \"2026-06-30\"\n"
        );
        let deps = || vec![external("tokio", "tokio", EdgeKind::Normal)];
        assert!(found(&spec, deps(), None, "2026-05-30").is_empty());
        let soon = found(&spec, deps(), None, "2026-06-01");
        assert_eq!(soon.len(), 1, "{soon:?}");
        assert!(soon[0].starts_with("C016") && soon[0].contains("(in 29 days)"), "{soon:?}");
        let after = found(&spec, deps(), None, "2026-07-01");
        assert!(after.iter().all(|f| f.contains("expired on 2026-06-30")), "{after:?}");
        assert!(after.iter().any(|f| f.starts_with("C015")), "{after:?}");
        assert!(!after.iter().any(|f| f.starts_with("C012")), "{after:?}");
    }

    #[test]
    fn an_expired_allowance_of_a_declared_edge_up_the_layers_is_a_layer_violation_again() {
        let spec = SPEC.replace(
            "[crates.catalog]\nlayer = \"domain\"\n",
            "[crates.catalog]\nlayer = \"domain\"\ndepends = [\"api\"]\n",
        ) + "\n[[allow]]\nfrom = \"catalog\"\nto = \"api\"\nreason = \"r\"\nuntil = \"2026-01-01\"\n";
        let deps = || vec![Dep::on("api", EdgeKind::Normal)];
        assert!(found(&spec, deps(), None, "2026-01-01").iter().all(|f| f.starts_with("C016")));
        let after = found(&spec, deps(), None, "2026-01-02");
        assert_eq!(after.len(), 1, "{after:?}");
        assert!(
            after[0].starts_with("C007 the spec says `catalog`")
                && after[0].contains("expired on 2026-01-01"),
            "{after:?}"
        );
    }

    #[test]
    fn deep_names_the_shortest_path_to_a_forbidden_crate_and_starts_at_the_direct_dependency() {
        // catalog -> lib-a -> lib-b -> tokio, and catalog -> lib-c -> tokio.
        let names: Vec<String> =
            ["catalog", "api", "lib-a", "lib-b", "tokio", "lib-c"].map(String::from).to_vec();
        let deps = vec![vec![2, 5], vec![], vec![3], vec![4], vec![], vec![4]];
        let member = vec![true, true, false, false, false, false];
        let by_member = HashMap::from([("catalog".to_owned(), 0), ("api".to_owned(), 1)]);
        let resolve = Resolve { names, member, deps, by_member };
        let catalog = vec![
            external("lib-a", "lib-a", EdgeKind::Normal),
            external("lib-c", "lib-c", EdgeKind::Normal),
        ];
        let shallow = found(SPEC, catalog.clone(), None, "");
        assert!(shallow.is_empty(), "{shallow:?}");
        let deep = found(SPEC, catalog, Some(&resolve), "");
        assert_eq!(deep.len(), 1, "{deep:?}");
        assert!(deep[0].contains("through `catalog -> lib-c -> tokio`"), "{deep:?}");
    }
}
