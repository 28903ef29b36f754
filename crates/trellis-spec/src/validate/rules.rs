//! `[[forbid]]` against the whole spec: each rule names a layer or crate the spec has, and no
//! crate's own `uses` breaks a rule (unless an `[[allow]]` names that crate and that use).

use std::collections::HashMap;

use super::V;
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{EdgeKind, RuleScope, Spec};
use crate::parse::list;

impl V<'_> {
    pub(super) fn rules(&mut self, spec: &Spec, index: &HashMap<&str, usize>) {
        let layer_names: Vec<&str> = spec.layers.iter().map(|l| l.name.as_str()).collect();
        let crate_names: Vec<&str> = spec.crates.iter().map(|c| c.name.as_str()).collect();
        for rule in &spec.forbid {
            match &rule.scope {
                RuleScope::Layer(layer) if !layer_names.contains(&layer.name.as_str()) => {
                    let hint = if layer_names.is_empty() {
                        "the spec declares no layers: name a crate with `crate = \"…\"`, or declare `[layers] order`".to_owned()
                    } else {
                        self.suggest
                            .did_you_mean(&layer.name, &layer_names)
                            .unwrap_or_else(|| format!("the layers are {}", list(&layer_names)))
                    };
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_LAYER,
                            format!("unknown layer `{}`", layer.name),
                        )
                        .at(layer.span.clone(), "not in `[layers] order`")
                        .hint(hint),
                    );
                }
                RuleScope::Crate(name) if !index.contains_key(name.name.as_str()) => {
                    let hint = self
                        .suggest
                        .did_you_mean(&name.name, &crate_names)
                        .unwrap_or_else(|| "`crate` names a crate of this spec".to_owned());
                    self.push(
                        Diagnostic::error(
                            codes::UNKNOWN_CRATE,
                            format!("`{}` is not a crate of this spec", name.name),
                        )
                        .at(name.span.clone(), "undeclared crate")
                        .hint(hint),
                    );
                }
                _ => {}
            }
        }
        // A crate's own uses, normal and build (dev-dependencies are exempt, as from layers).
        for krate in &spec.crates {
            for (kind, used) in krate.uses.iter().filter(|(k, _)| *k != EdgeKind::Dev) {
                let Some(dep) = spec.dependencies.get(&used.name) else { continue };
                let package = dep.package.as_deref().unwrap_or(&used.name);
                let excused = spec.allow.iter().any(|a| {
                    a.from.name == krate.name.as_str()
                        && (a.to.name == used.name || a.to.name == package)
                });
                if excused {
                    continue;
                }
                for rule in spec.forbid.iter().filter(|r| r.applies_to(krate)) {
                    if rule.forbids(package).is_none() {
                        continue;
                    }
                    let shown = if package == used.name {
                        format!("`{package}`")
                    } else {
                        format!("`{}` (package `{package}`)", used.name)
                    };
                    self.push(
                        Diagnostic::error(
                            codes::FORBIDDEN_USE,
                            format!(
                                "crate `{}` uses {shown}, but {}: {}",
                                krate.name,
                                rule.says(package),
                                rule.reason
                            ),
                        )
                        .at(used.span.clone(), "forbidden by a rule")
                        .also(rule.span.clone(), "the rule")
                        .hint(format!(
                            "remove \"{}\" from `{}` of `[crates.{}]`, or add an `[[allow]]` from `{}` to `{}` with a reason",
                            used.name,
                            kind.uses_key(),
                            krate.name,
                            krate.name,
                            used.name
                        )),
                    );
                }
            }
        }
    }
}
