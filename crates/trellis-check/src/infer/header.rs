//! `[workspace]` of an inferred spec: the name, the summary, and the edition and rust-version most members share.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use trellis_spec::{Edition, RustVersion, Spec, toml_str};

use super::{Part, one_line};
use crate::actual::{Member, Workspace};

/// The root package's description: the system's summary.
pub(super) fn root_summary(workspace: &Workspace) -> Option<String> {
    let root = workspace.members.iter().find(|m| m.dir == ".")?;
    root.description.as_deref().map(one_line)
}

/// `[workspace]`: `name` unless the previous spec names the system; the summary from the root
/// package, else from the previous spec.
pub(super) fn header(
    out: &mut String,
    parts: &mut Vec<(std::ops::Range<usize>, Part)>,
    workspace: &Workspace,
    previous: Option<&Spec>,
    name: &str,
    crates: &[&Member],
    dropped: &BTreeMap<Part, String>,
) {
    // First, and a blank line after it: where taplo and tombi look for the schema, which
    // `apply` writes into the workspace it adopts.
    let _ = writeln!(out, "{}", trellis_spec::schema::DIRECTIVE);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "# Inferred by Trellis (`infer`) from the workspace as cargo sees it. Review the layers"
    );
    let _ =
        writeln!(out, "# and summaries; Trellis' `check` compares the workspace with this spec.");
    let _ = writeln!(out);
    let _ = writeln!(out, "[workspace]");
    let _ = writeln!(out, "name = {}", toml_str(previous.map_or(name, |p| &p.workspace.name)));
    let mut field = |out: &mut String, key: &'static str, value: &str| {
        if let Some(why) = dropped.get(&Part::Field(key)) {
            let _ = writeln!(
                out,
                "# {key} = {} is left out: the spec refuses it ({why})",
                toml_str(value)
            );
            return;
        }
        let start = out.len();
        let _ = writeln!(out, "{key} = {}", toml_str(value));
        parts.push((start..out.len(), Part::Field(key)));
    };
    let summary = root_summary(workspace)
        .or_else(|| previous.map(|p| p.workspace.summary.clone()))
        .filter(|s| !s.is_empty());
    if let Some(summary) = summary {
        field(out, "summary", &summary);
    }
    let editions = most_common(crates.iter().map(|m| m.edition.as_str()));
    if let Some((edition, others)) = editions {
        if !others.is_empty() {
            let _ = writeln!(out, "# members also use edition {}", others.join(", "));
        }
        field(out, "edition", edition);
        // A rust-version below what the edition needs, or what the generated manifests need
        // (`resolver = "3"`, cargo 1.84), would make the spec invalid.
        let floor = Edition::parse(edition)
            .map_or(RustVersion::GENERATED, |e| e.min_rust().max(RustVersion::GENERATED));
        if let Some((version, _)) =
            most_common(crates.iter().filter_map(|m| m.rust_version.as_deref()))
            && RustVersion::parse(version).is_some_and(|v| v >= floor)
        {
            field(out, "rust-version", version);
        }
    }
    if let Some((license, _)) = most_common(crates.iter().filter_map(|m| m.license.as_deref())) {
        field(out, "license", license);
    }
    // The version new crates start at, as the members have it (the spec's default otherwise).
    if let Some((version, _)) = most_common(crates.iter().map(|m| m.version.as_str()))
        && version != "0.1.0"
    {
        field(out, "version", version);
    }
    // Where the workspace's own xtask gets the engine: cargo sees it only as the xtask's
    // dependency, so it is the previous spec's to say.
    if let Some(engine) = previous.and_then(|p| p.workspace.engine.as_ref()) {
        let _ = writeln!(out, "trellis = {}", engine.to_toml());
    }
    let _ = writeln!(out);
}

/// The most common value and the others, most common first (ties: first seen).
pub(super) fn most_common<'a>(
    values: impl Iterator<Item = &'a str>,
) -> Option<(&'a str, Vec<&'a str>)> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(c, _)| *c == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    let mut it = counts.into_iter().map(|(v, _)| v);
    let first = it.next()?;
    Some((first, it.collect()))
}
