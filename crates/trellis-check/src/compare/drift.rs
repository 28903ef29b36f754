//! C013 and C014: what people change in a crate that the spec still says otherwise.

use super::*;

impl Cx<'_> {
    /// C013, C014: what people change in a crate that the spec still says otherwise: a
    /// description edited (and accepted) away from the summary, a module deleted with its
    /// `mod` line.
    pub(super) fn drift(&mut self) {
        for krate in &self.spec.crates {
            let name = krate.name.as_str();
            let Some(member) = self.actual.member(name) else { continue };
            if let Some(description) = &member.description
                && !krate.summary.is_empty()
                && description.trim() != krate.summary.trim()
                // Cargo drops some characters from what it reports (DEL): the manifest's own
                // text, decoded, is what was written.
                && self
                    .manifests
                    .text(&member.manifest)
                    .and_then(|t| locate::package_str(t, "description"))
                    .is_none_or(|written| written.trim() != krate.summary.trim())
            {
                let span = self
                    .manifests
                    .text(&member.manifest)
                    .and_then(|t| locate::package_key(t, "description"));
                let mut d = Diagnostic::warning(
                    codes::SUMMARY_DRIFT,
                    format!("the description of `{name}` is not the spec's summary of it"),
                )
                .in_file(self.names.file(&member.manifest));
                if let Some(span) = span {
                    d = d.at(span, "differs from `summary` in the spec");
                }
                self.out.push(d.hint(format!(
                    "the spec is the source: `trellis apply` writes its summary here, or, to keep this description, put it in `summary` of `[crates.{name}]`"
                )));
            }
            self.modules(krate, member);
        }
    }

    /// C014: each module of `krate` has its file (`m.rs` or `m/mod.rs` beside a root source
    /// file of the member) or its `mod` line in one.
    fn modules(&mut self, krate: &CrateSpec, member: &crate::actual::Member) {
        let dir = if member.dir.is_empty() { String::new() } else { format!("{}/", member.dir) };
        let folders: Vec<String> = member
            .roots
            .iter()
            .map(|r| r.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/")))
            .collect();
        let mut roots: Option<Vec<String>> = None;
        for module in &krate.modules {
            let m = module.name.as_str();
            let file_there = folders.iter().any(|f| {
                [format!("{dir}{f}{m}.rs"), format!("{dir}{f}{m}/mod.rs")]
                    .iter()
                    .any(|p| self.manifests.exists(p) != Some(false))
            });
            if file_there {
                continue;
            }
            let texts = roots.get_or_insert_with(|| {
                member
                    .roots
                    .iter()
                    .filter_map(|r| self.manifests.source(&format!("{dir}{r}")))
                    .collect()
            });
            if texts.len() < member.roots.len()
                || texts.iter().any(|t| trellis_spec::declares_module(t, m))
            {
                continue;
            }
            // A warning: in an adopted crate, whose sources Trellis does not seed, a module
            // the spec declares may be one its owner is still to write.
            self.out.push(
                Diagnostic::warning(
                    codes::MISSING_MODULE,
                    format!(
                        "module `{m}` of `{}` is gone: neither its file nor a `mod {m}` line is there",
                        krate.name
                    ),
                )
                .in_file(self.names.spec_file)
                .at(module.span.clone(), "declared here")
                .hint(format!(
                    "remove `\"{m}\"` from `modules` of `[crates.{}]`, or write the module (`apply` does not make again one a person deleted)",
                    krate.name
                )),
            );
        }
    }
}
