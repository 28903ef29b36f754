//! `[crates.<name>]`: one table per crate, and its requirements.

use super::read::key_span;
use super::{CRATE_KEYS, CrateSpans, Cx, REQUIREMENT_KEYS, Tab, list};
use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{
    CrateKind, CrateName, CrateSpec, EdgeKind, Edges, Named, Requirement, default_crate_path,
};
use crate::suggest::did_you_mean;

impl Cx<'_> {
    pub(super) fn crates(
        &mut self,
        top: &Tab<'_>,
        text: &str,
    ) -> (Vec<CrateSpec>, Vec<CrateSpans>) {
        let mut crates = Vec::new();
        let mut spans = Vec::new();
        let Some((_, item)) = self.get(top, "crates") else {
            // The place a crate would go: the spec's last line.
            let body = text.trim_end();
            let last = body.rfind('\n').map_or(0, |i| i + 1)..body.len();
            self.push(
                Diagnostic::error(codes::NO_CRATES, "the spec declares no crate")
                    .at(last, "a `[crates.<name>]` table is expected after this")
                    .hint("declare at least one, e.g. `[crates.core]` with `summary = \"…\"`"),
            );
            return (crates, spans);
        };
        let Some(tab) = self.table(item, "`[crates]`".to_owned()) else { return (crates, spans) };
        if tab.table.is_empty() {
            self.push(
                Diagnostic::error(codes::NO_CRATES, "the spec declares no crate")
                    .at(tab.span.clone(), "no crate in here")
                    .hint("declare at least one, e.g. `[crates.core]` with `summary = \"…\"`"),
            );
        }
        for (name, item) in tab.table.iter() {
            let key = tab.table.key(name).expect("iterated key exists");
            let span = key_span(key, &tab.span);
            let mut spec = CrateSpec {
                name: CrateName::new_unchecked(name.to_owned()),
                kind: CrateKind::Lib,
                path: default_crate_path(name),
                layer: None,
                summary: String::new(),
                modules: Vec::new(),
                depends: Edges::default(),
                uses: Edges::default(),
                features: Vec::new(),
                requirements: Vec::new(),
                renamed_from: None,
                span,
            };
            let mut places = CrateSpans::default();
            match self.table(item, format!("`[crates.{name}]`")) {
                Some(ct) => self.crate_table(&ct, &mut spec, &mut places),
                None => places.broken = true,
            }
            crates.push(spec);
            spans.push(places);
        }
        (crates, spans)
    }

    pub(super) fn crate_table(
        &mut self,
        ct: &Tab<'_>,
        spec: &mut CrateSpec,
        places: &mut CrateSpans,
    ) {
        self.known_keys(ct, CRATE_KEYS);
        if let Some((kind, span)) = self.string(ct, "kind") {
            match CrateKind::parse(&kind) {
                Some(k) => spec.kind = k,
                None => {
                    let spellings = CrateKind::ALL.map(CrateKind::as_str);
                    let hint = did_you_mean(&kind, spellings)
                        .unwrap_or_else(|| format!("the kinds are {}", list(&spellings)));
                    self.push(
                        Diagnostic::error(
                            codes::INVALID_VALUE,
                            format!("unknown crate kind `{kind}`"),
                        )
                        .at(span, "not a kind")
                        .hint(hint),
                    );
                }
            }
        }
        if let Some((path, span)) = self.string(ct, "path") {
            spec.path = path;
            places.path = Some(span);
        }
        if let Some((layer, span)) = self.string(ct, "layer") {
            places.layer_name = Some(layer);
            places.layer = Some(span);
        }
        if let Some((summary, span)) = self.string(ct, "summary") {
            // The summary is the manifest's `description`, which cargo hands rustc in an
            // environment variable: one cannot hold a NUL.
            if summary.contains('\0') {
                self.push(
                    Diagnostic::error(codes::INVALID_VALUE, "the summary holds a NUL character")
                        .at(span, "a `\\u0000` in here")
                        .hint(
                            "remove it: cargo passes the summary to rustc, which cannot take a NUL",
                        ),
                );
            }
            spec.summary = summary;
        }
        spec.modules = self.strings(ct, "modules");
        spec.depends = Edges {
            normal: self.strings(ct, EdgeKind::Normal.depends_key()),
            dev: self.strings(ct, EdgeKind::Dev.depends_key()),
            build: self.strings(ct, EdgeKind::Build.depends_key()),
        };
        spec.uses = Edges {
            normal: self.strings(ct, EdgeKind::Normal.uses_key()),
            dev: self.strings(ct, EdgeKind::Dev.uses_key()),
            build: self.strings(ct, EdgeKind::Build.uses_key()),
        };
        spec.features = self.strings(ct, "features");
        spec.requirements = self.requirements(ct);
        if let Some((old, span)) = self.string(ct, "renamed-from") {
            spec.renamed_from = Some(Named { name: old, span });
        }
    }

    /// `requirements` as an array of inline tables or as `[[crates.x.requirements]]`.
    pub(super) fn requirements(&mut self, ct: &Tab<'_>) -> Vec<Requirement> {
        let Some((_, item)) = self.get(ct, "requirements") else { return Vec::new() };
        let what = format!("a requirement of {}", ct.name);
        let mut out = Vec::new();
        for tab in self.table_list(item, "`requirements`", &what) {
            self.known_keys(&tab, REQUIREMENT_KEYS);
            let id = self.required_string(&tab, "id");
            let text = self.required_string(&tab, "text");
            if let Some((text, span)) = &text
                && text.trim().is_empty()
            {
                self.push(
                    Diagnostic::error(codes::EMPTY_TEXT, "the requirement's text is empty")
                        .at(span.clone(), "empty text")
                        .hint("say what must hold, in one or more sentences"),
                );
            }
            if let (Some((id, span)), Some((text, _))) = (id, text) {
                out.push(Requirement { id, text, span });
            }
        }
        out
    }
}
