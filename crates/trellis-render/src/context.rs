//! The data templates see: the validated spec, reshaped into what the files need (sorted
//! members, dependency sections, layer groups), as JSON for Handlebars.
//!
//! Every key is always present (`null` or empty when the spec says nothing), so strict mode
//! catches a template's typo without tripping over an optional field.

use serde_json::{Value, json};
use trellis_spec::{CrateKind, CrateSpec, EdgeKind, ExternalDep, GitRef, Requirement, Spec};

/// The context shared by every template: the whole workspace.
pub(crate) fn workspace(spec: &Spec) -> Value {
    let mut members: Vec<&str> = spec.crates.iter().map(|c| c.path.as_str()).collect();
    members.push(crate::XTASK_PATH);
    members.sort_unstable();

    let mut crates: Vec<&CrateSpec> = spec.crates.iter().collect();
    crates.sort_by(|a, b| a.name.cmp(&b.name));

    let layer_groups: Vec<Value> = spec
        .layers
        .iter()
        .map(|layer| {
            let names: Vec<&str> = crates
                .iter()
                .filter(|c| c.layer.as_deref() == Some(layer.name.as_str()))
                .map(|c| c.name.as_str())
                .collect();
            json!({ "name": layer.name, "crates": names })
        })
        .collect();
    let ungrouped: Vec<&str> =
        crates.iter().filter(|c| c.layer.is_none()).map(|c| c.name.as_str()).collect();

    let edges: Vec<Value> = crates
        .iter()
        .flat_map(|c| {
            c.depends.iter().map(move |(kind, to)| {
                json!({ "from": c.name.as_str(), "to": to.name, "kind": edge_kind(kind) })
            })
        })
        .collect();

    // Cargo makes every path dependency inside the workspace folder a member, unless excluded.
    let exclude: Vec<&str> = spec
        .dependencies
        .values()
        .filter_map(|d| d.path.as_deref())
        .filter(|p| !p.starts_with("..") && !p.starts_with('/'))
        .collect();

    json!({
        "workspace": meta(spec),
        "exclude": exclude,
        "members": members,
        "layers": spec.layers.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        "layer_groups": layer_groups,
        "ungrouped": ungrouped,
        "edges": edges,
        "dependencies": spec.dependencies.values().map(|d| json!({
            "name": d.name,
            "toml": inline_table(d),
        })).collect::<Vec<_>>(),
        "crates": crates.iter().map(|c| crate_value(c)).collect::<Vec<_>>(),
    })
}

/// The workspace's own metadata: what every crate's templates may use of it.
pub(crate) fn meta(spec: &Spec) -> Value {
    json!({
        "name": spec.workspace.name,
        "summary": spec.workspace.summary,
        "edition": spec.workspace.edition,
        "rust_version": spec.workspace.rust_version,
        "license": spec.workspace.license,
        "version": spec.workspace.version,
    })
}

/// The context of a crate's templates: `workspace` (its metadata only), `crate`, and for a
/// module's or a requirement's file, `module` or `requirement`.
///
/// Not the whole workspace: a context is built for every file, so one that held every crate
/// would make rendering quadratic in the number of crates.
pub(crate) fn for_crate(meta: &Value, krate: &Value, extra: Option<(&str, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("workspace".to_owned(), meta.clone());
    map.insert("crate".to_owned(), krate.clone());
    if let Some((key, value)) = extra {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// A requirement as templates see it.
pub(crate) fn requirement(r: &Requirement) -> Value {
    requirement_value(r)
}

/// A crate as templates see it.
pub(crate) fn crate_value(c: &CrateSpec) -> Value {
    let sections: Vec<Value> = EdgeKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut names: Vec<&str> = c.depends.of(kind).iter().map(|n| n.name.as_str()).collect();
            names.extend(c.uses.of(kind).iter().map(|n| n.name.as_str()));
            names.sort_unstable();
            (!names.is_empty())
                .then(|| json!({ "section": kind.manifest_section(), "names": names }))
        })
        .collect();
    // rustfmt sorts `mod` declarations, so they are written sorted to be formatted as they are.
    let mut modules: Vec<&str> = c.modules.iter().map(|m| m.name.as_str()).collect();
    modules.sort_unstable();
    let mut test_modules: Vec<String> = c.requirements.iter().map(Requirement::test_name).collect();
    test_modules.sort_unstable();
    json!({
        "name": c.name.as_str(),
        "ident": c.name.ident(),
        "kind": c.kind.as_str(),
        "path": c.path,
        "layer": c.layer,
        "summary": c.summary,
        "modules": modules,
        "test_modules": test_modules,
        // A proc-macro crate may export nothing but macros, so its modules stay private.
        "snake_case": is_snake_case(&c.name.ident()),
        "module_visibility": if c.kind == CrateKind::Lib { "pub " } else { "" },
        "requirements": c.requirements.iter().map(requirement_value).collect::<Vec<_>>(),
        "sections": sections,
    })
}

/// Whether rustc's `non_snake_case` lint accepts a crate name (its rule, in `rustc_lint`): no
/// upper case, no doubled underscore once leading and trailing ones are trimmed.
fn is_snake_case(ident: &str) -> bool {
    let ident = ident.trim_matches('_');
    !ident.contains("__") && !ident.chars().any(char::is_uppercase)
}

fn requirement_value(r: &Requirement) -> Value {
    json!({ "id": r.id, "text": r.text, "test_name": r.test_name() })
}

fn edge_kind(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "normal",
        EdgeKind::Dev => "dev",
        EdgeKind::Build => "build",
    }
}

/// An external dependency as the inline table (or bare version string) `[workspace.dependencies]`
/// holds.
fn inline_table(d: &ExternalDep) -> String {
    use crate::text::toml_str;
    let mut fields: Vec<String> = Vec::new();
    if let Some(package) = &d.package {
        fields.push(format!("package = {}", toml_str(package)));
    }
    if let Some(version) = &d.version {
        fields.push(format!("version = {}", toml_str(version)));
    }
    if let Some(git) = &d.git {
        fields.push(format!("git = {}", toml_str(&git.url)));
        if let Some((kind, value)) = &git.reference {
            let key = match kind {
                GitRef::Branch => "branch",
                GitRef::Tag => "tag",
                GitRef::Rev => "rev",
            };
            fields.push(format!("{key} = {}", toml_str(value)));
        }
    }
    if let Some(path) = &d.path {
        fields.push(format!("path = {}", toml_str(path)));
    }
    if let Some(registry) = &d.registry {
        fields.push(format!("registry = {}", toml_str(registry)));
    }
    if let Some(default_features) = d.default_features {
        fields.push(format!("default-features = {default_features}"));
    }
    if !d.features.is_empty() {
        let features: Vec<String> = d.features.iter().map(|f| toml_str(f)).collect();
        fields.push(format!("features = [{}]", features.join(", ")));
    }
    match (fields.as_slice(), &d.version) {
        ([_only], Some(version)) => toml_str(version),
        _ => format!("{{ {} }}", fields.join(", ")),
    }
}
