//! `[dependencies]`: the external crates and their sources, by the rules cargo reads a dependency with.

use std::collections::BTreeMap;

use toml_edit::Item;

use super::read::{key_span, span_of};
use super::{Cx, DEP_KEYS, Tab};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{ExternalDep, GitRef, GitSource, Span};

impl Cx<'_> {
    pub(super) fn dependencies(&mut self, top: &Tab<'_>) -> BTreeMap<String, ExternalDep> {
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
    pub(super) fn external(&mut self, name: &str, span: Span, item: &Item) -> Option<ExternalDep> {
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
    pub(super) fn git_url(&mut self, url: &str, span: Span) {
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
    pub(super) fn version_req(&mut self, version: &str, span: Span) {
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
    pub(super) fn source_rules(
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
}
