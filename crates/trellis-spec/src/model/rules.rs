//! `[[forbid]]`: rules on the external crates a layer or a crate uses.

use super::{Allowance, CrateSpec, EdgeKind, Named, Span, Spec};

/// One `[[forbid]]` table: the external crates (by package name, globs allowed) that a layer
/// or a crate may not use (`uses`), or may only use (`only-uses`), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// What the rule is about: every crate of a layer, or one crate.
    pub scope: RuleScope,
    /// What it forbids.
    pub uses: RuleUses,
    /// Why the rule exists; required and not blank.
    pub reason: String,
    /// Where the spec declares it.
    pub span: Span,
}

/// The crates a rule is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleScope {
    /// `layer = "…"`: every crate of the layer (one of `[layers] order`).
    Layer(Named),
    /// `crate = "…"`: one crate of the spec.
    Crate(Named),
}

/// What a rule forbids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleUses {
    /// `uses = […]`: the external crates matching any of these are forbidden.
    Forbid(Vec<CratePattern>),
    /// `only-uses = […]`: every external crate matching none of these is forbidden.
    Only(Vec<CratePattern>),
}

/// A package name or a glob of them (`tokio*`), as `glob::Pattern` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CratePattern {
    /// The text as the spec writes it, and where.
    pub text: Named,
    pattern: glob::Pattern,
}

impl CratePattern {
    /// The pattern `text` writes, or why it is not one (empty, or a glob `glob::Pattern`
    /// refuses, such as an unclosed `[`).
    pub fn new(text: Named) -> Result<CratePattern, String> {
        if text.name.trim().is_empty() {
            return Err("a pattern is empty".to_owned());
        }
        match glob::Pattern::new(&text.name) {
            Ok(pattern) => Ok(CratePattern { text, pattern }),
            Err(e) => Err(format!("`{}` is not a glob: {}", text.name, e.msg)),
        }
    }

    /// Whether the package named `package` matches.
    pub fn matches(&self, package: &str) -> bool {
        self.pattern.matches(package)
    }
}

impl Rule {
    /// Whether the rule is about `krate` (its layer, or the crate itself).
    pub fn applies_to(&self, krate: &CrateSpec) -> bool {
        match &self.scope {
            RuleScope::Layer(layer) => krate.layer.as_deref() == Some(layer.name.as_str()),
            RuleScope::Crate(name) => krate.name.as_str() == name.name,
        }
    }

    /// Whether the rule forbids the external package `package`: the pattern of `uses` it
    /// matches, or, for `only-uses`, `None` inside `Some` when it matches none.
    pub fn forbids(&self, package: &str) -> Option<Option<&CratePattern>> {
        match &self.uses {
            RuleUses::Forbid(patterns) => patterns.iter().find(|p| p.matches(package)).map(Some),
            RuleUses::Only(patterns) => {
                (!patterns.iter().any(|p| p.matches(package))).then_some(None)
            }
        }
    }

    /// How messages name what the rule is about: `` layer `domain` ``, `` crate `catalog` ``.
    pub fn subject(&self) -> String {
        match &self.scope {
            RuleScope::Layer(layer) => format!("layer `{}`", layer.name),
            RuleScope::Crate(name) => format!("crate `{}`", name.name),
        }
    }

    /// Why `package` is forbidden, for messages: `` `[[forbid]]` of layer `domain` forbids
    /// `tokio*` `` or `` `[[forbid]]` lets layer `domain` use only `serde` and `thiserror` ``.
    pub fn says(&self, package: &str) -> String {
        let subject = self.subject();
        match (&self.uses, self.forbids(package)) {
            (_, Some(Some(pattern))) if pattern.text.name == package => {
                format!("`[[forbid]]` forbids it to {subject}")
            }
            (_, Some(Some(pattern))) => {
                format!("`[[forbid]]` forbids it to {subject} (`{}`)", pattern.text.name)
            }
            (RuleUses::Only(patterns), _) => {
                let names: Vec<&str> = patterns.iter().map(|p| p.text.name.as_str()).collect();
                format!("`[[forbid]]` lets {subject} use only {}", crate::parse::list(&names))
            }
            _ => format!("`[[forbid]]` of {subject}"),
        }
    }
}

impl Spec {
    /// Whether `allowance` excuses an edge the spec itself declares (a normal or build
    /// `depends`) from a lower layer to a higher one: the layer exception a workspace that
    /// holds exactly the spec's edges needs.
    pub fn excuses_declared_upward_edge(&self, allowance: &Allowance) -> bool {
        let rank =
            |name: &str| self.crate_named(name)?.layer.as_deref().and_then(|l| self.layer_rank(l));
        let declared = self.crate_named(&allowance.from.name).is_some_and(|c| {
            c.depends.iter().any(|(kind, to)| kind.is_structural() && to.name == allowance.to.name)
        });
        declared
            && matches!(
                (rank(&allowance.from.name), rank(&allowance.to.name)),
                (Some(from), Some(to)) if from < to
            )
    }

    /// Whether `allowance` excuses a use the spec itself declares and a `[[forbid]]` rule
    /// forbids: its `from` crate's `uses` or `build-uses` names the external crate its `to`
    /// names (by key or package name), and a rule about that crate forbids that package. Such
    /// an allowance is needed in a workspace that holds exactly the spec's edges.
    pub fn excuses_forbidden_use(&self, allowance: &Allowance) -> bool {
        let Some(krate) = self.crate_named(&allowance.from.name) else { return false };
        krate.uses.iter().filter(|(kind, _)| *kind != EdgeKind::Dev).any(|(_, used)| {
            let Some(dep) = self.dependencies.get(&used.name) else { return false };
            let package = dep.package.as_deref().unwrap_or(&used.name);
            (allowance.to.name == used.name || allowance.to.name == package)
                && self.forbid.iter().any(|r| r.applies_to(krate) && r.forbids(package).is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_allowance_for_a_use_a_rule_forbids_is_one_a_new_workspace_needs() {
        let text = r#"
[workspace]
name = "t"

[dependencies]
rt = { package = "tokio", version = "1" }
serde = "1"

[crates.a]
uses = ["rt", "serde"]

[[forbid]]
crate = "a"
uses = ["tokio"]
reason = "no transport"

[[allow]]
from = "a"
to = "tokio"
reason = "until #1"

[[allow]]
from = "a"
to = "serde"
reason = "not forbidden"
"#;
        let spec = crate::parse(text, "Trellis.toml").expect("valid").spec;
        assert!(spec.excuses_forbidden_use(&spec.allow[0]));
        assert!(!spec.excuses_forbidden_use(&spec.allow[1]));
    }
}
