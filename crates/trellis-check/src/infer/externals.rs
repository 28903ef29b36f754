//! `[dependencies]` of an inferred spec: every external crate the members use, merged under the key code uses it by.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use trellis_spec::toml_str;

use super::most_common;
use crate::actual::{Dep, DepSource, Member};

/// An external crate as `[dependencies]` will list it, with comments on what was merged.
pub(super) struct External {
    pub(super) value: String,
    pub(super) comments: String,
}

/// Every external crate any member uses, by the key code uses it by.
pub(super) fn externals(members: &[&Member]) -> BTreeMap<String, External> {
    let mut seen: BTreeMap<&str, Vec<&Dep>> = BTreeMap::new();
    for m in members {
        for d in &m.deps {
            if !matches!(d.source, DepSource::Member(_)) {
                seen.entry(d.key.as_str()).or_default().push(d);
            }
        }
    }
    seen.into_iter()
        .map(|(key, deps)| {
            let first = deps[0];
            let mut comments = String::new();
            let mut fields: Vec<String> = Vec::new();
            let reqs = most_common(deps.iter().map(|d| d.req.as_str()).filter(|r| *r != "*"));
            match &first.source {
                DepSource::Path(path) => fields.push(format!("path = {}", toml_str(path))),
                DepSource::Git { url, reference } => {
                    fields.push(format!("git = {}", toml_str(url)));
                    if let Some((kind, value)) = reference {
                        fields.push(format!("{kind} = {}", toml_str(value)));
                    }
                }
                DepSource::Registry(Some(index)) => {
                    let _ = writeln!(
                        comments,
                        "# from the registry at {index}: name it with `registry = \"…\"`"
                    );
                }
                DepSource::Registry(None) | DepSource::Member(_) => {}
            }
            if let Some((req, others)) = reqs {
                if !others.is_empty() {
                    let _ = writeln!(
                        comments,
                        "# members ask for several versions of `{key}`: {}; this is the most used",
                        std::iter::once(req)
                            .chain(others)
                            .map(short_req)
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                if !matches!(first.source, DepSource::Path(_) | DepSource::Git { .. }) || req != "*"
                {
                    fields.insert(0, format!("version = {}", toml_str(&short_req(req))));
                }
            } else if matches!(first.source, DepSource::Registry(_)) {
                fields.insert(0, "version = \"*\"".to_owned());
            }
            if deps.iter().any(|d| d.source != first.source) {
                let _ = writeln!(
                    comments,
                    "# `{key}` comes from more than one source; this is the first seen"
                );
            }
            if first.package != key {
                fields.push(format!("package = {}", toml_str(&first.package)));
            }
            // Only the features every member asks for: a pin is what a new member gets, and a
            // feature one member turns on for its tests must not reach the others.
            let mut asked = deps.iter().map(|d| d.features.iter().map(String::as_str));
            let mut features: BTreeSet<&str> = asked.next().into_iter().flatten().collect();
            for more in asked {
                let more: BTreeSet<&str> = more.collect();
                features.retain(|f| more.contains(f));
            }
            if !features.is_empty() {
                let list: Vec<String> = features.iter().map(|f| toml_str(f)).collect();
                fields.push(format!("features = [{}]", list.join(", ")));
            }
            if deps.iter().all(|d| !d.default_features) {
                fields.push("default-features = false".to_owned());
            }
            let value = match fields.as_slice() {
                // Cargo's own shorthand for a plain registry crate.
                [only] if only.starts_with("version = ") => only["version = ".len()..].to_owned(),
                _ => format!("{{ {} }}", fields.join(", ")),
            };
            (key.to_owned(), External { value, comments })
        })
        .collect()
}

/// `^1.2` → `1.2`: cargo's default requirement, written as people write it.
pub(super) fn short_req(req: &str) -> String {
    match req.strip_prefix('^') {
        Some(rest) if !rest.contains(',') => rest.to_owned(),
        _ => req.to_owned(),
    }
}
