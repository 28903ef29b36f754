//! `[workspace]`: the name, edition, rust-version and the other metadata of the whole workspace.

use super::read::key_span;
use super::{Cx, EDITIONS, Tab, WORKSPACE_KEYS, list};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::WorkspaceMeta;

impl Cx<'_> {
    pub(super) fn workspace(&mut self, top: &Tab<'_>, text: &str) -> WorkspaceMeta {
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
