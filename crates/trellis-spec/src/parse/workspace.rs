//! `[workspace]`: the name, edition, rust-version and the other metadata of the whole workspace.

use super::read::key_span;
use super::{Cx, Tab, WORKSPACE_KEYS, list};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{Edition, RustVersion, WorkspaceMeta};

impl Cx<'_> {
    pub(super) fn workspace(&mut self, top: &Tab<'_>, text: &str) -> WorkspaceMeta {
        let mut meta = WorkspaceMeta {
            name: String::new(),
            summary: String::new(),
            edition: Edition::default(),
            rust_version: None,
            license: None,
            version: semver::Version::new(0, 1, 0),
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
            if let Some(known) = Edition::parse(&edition) {
                meta.edition = known;
                edition_span = Some(span);
            } else {
                let mut d =
                    Diagnostic::error(codes::INVALID_VALUE, format!("unknown edition `{edition}`"))
                        .at(span, "not an edition");
                let editions = Edition::ALL.map(Edition::as_str);
                d = d.hint(format!("the editions are {}", list(&editions)));
                self.push(d);
            }
        }
        if let Some((rust_version, span)) = self.string(&tab, "rust-version") {
            match RustVersion::parse(&rust_version) {
                Some(v) => {
                    let needed = meta.edition.min_rust();
                    if v < OUTPUT_MIN_RUST && needed <= OUTPUT_MIN_RUST {
                        self.push(
                            Diagnostic::error(
                                codes::INVALID_VALUE,
                                format!(
                                    "the generated workspace needs rust-version {OUTPUT_MIN_RUST} or later"
                                ),
                            )
                            .at(span.clone(), "older than what the generated manifests need")
                            .hint(format!(
                                "its manifests use `resolver = \"3\"` (cargo 1.84), `[lints]` (1.74) and workspace inheritance (1.64); raise it to \"{OUTPUT_MIN_RUST}\""
                            )),
                        );
                    } else if v < needed {
                        let mut d = Diagnostic::error(
                            codes::INVALID_VALUE,
                            format!(
                                "edition {} needs rust-version {needed} or later",
                                meta.edition
                            ),
                        )
                        .at(span, "too old for the edition");
                        if let Some(edition_span) = edition_span.clone() {
                            d = d.also(edition_span, "edition set here");
                        }
                        self.push(d.hint(format!("raise it to \"{needed}\"")));
                    }
                    meta.rust_version = Some(v);
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
            if let Ok(version) = semver::Version::parse(&version) {
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
}

const OUTPUT_MIN_RUST: RustVersion = RustVersion::GENERATED;
