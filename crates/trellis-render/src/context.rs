//! The data templates see: the validated spec, reshaped into what the files need (sorted
//! members, dependency sections, layer groups), as JSON for Handlebars.
//!
//! Every key is always present (`null` or empty when the spec says nothing), so strict mode
//! catches a template's typo without tripping over an optional field.
//!
//! Values are built with [`obj`], which moves each value in: `serde_json::json!` serializes
//! every interpolated value again, a deep copy that made up a third of rendering's time.

use serde_json::{Map, Value};
use trellis_spec::{CrateKind, CrateSpec, EdgeKind, Requirement, Spec};

/// The context shared by every template: the whole workspace.
pub(crate) fn workspace(spec: &Spec) -> Value {
    // The package at the root (`path = "."`) is a member without being listed.
    let mut members: Vec<&str> =
        spec.crates.iter().map(|c| c.path.as_str()).filter(|p| *p != ".").collect();
    if !spec.has_own_xtask() {
        members.push(crate::XTASK_PATH);
    }
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
            obj([("name", layer.name.as_str().into()), ("crates", names.into())])
        })
        .collect();
    let ungrouped: Vec<&str> =
        crates.iter().filter(|c| c.layer.is_none()).map(|c| c.name.as_str()).collect();

    let edges: Vec<Value> = crates
        .iter()
        .flat_map(|c| {
            c.depends.iter().map(move |(kind, to)| {
                obj([
                    ("from", c.name.as_str().into()),
                    ("to", to.name.as_str().into()),
                    ("kind", edge_kind(kind).into()),
                ])
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

    let dependencies: Vec<Value> = spec
        .dependencies
        .values()
        .map(|d| obj([("name", d.name.as_str().into()), ("toml", d.to_toml().into())]))
        .collect();
    let layers: Vec<&str> = spec.layers.iter().map(|l| l.name.as_str()).collect();
    let released = released(spec);
    // The xtask's own dependency on the engine: a path is the spec's, from the workspace root,
    // so from `xtask/` it is one folder further.
    let engine = spec.workspace.engine.as_ref().map(|d| {
        let mut d = d.clone();
        if let Some(path) = d.path.as_mut()
            && !std::path::Path::new(path.as_str()).is_absolute()
        {
            *path = trellis_spec::relative_path(crate::XTASK_PATH, path);
        }
        d.to_toml()
    });
    obj([
        ("engine", engine.into()),
        ("workspace", meta(spec)),
        ("exclude", exclude.into()),
        ("members", members.into()),
        ("layers", layers.into()),
        ("layer_groups", layer_groups.into()),
        ("ungrouped", ungrouped.into()),
        ("edges", edges.into()),
        ("dependencies", dependencies.into()),
        ("crates", crates.iter().map(|c| crate_value(c, &released)).collect::<Vec<_>>().into()),
    ])
}

/// The crates whose name is also the key of an external dependency (a member's released
/// version from the registry, or another package under that key, as cargo allows): the root's
/// `[workspace.dependencies]` entry of that name is the external one, so an edge on such a
/// crate is written as a path.
fn released(spec: &Spec) -> Value {
    let map: Map<String, Value> = spec
        .crates
        .iter()
        .filter(|c| spec.dependencies.contains_key(c.name.as_str()))
        .map(|c| (c.name.as_str().to_owned(), c.path.as_str().into()))
        .collect();
    Value::Object(map)
}

/// The workspace's own metadata: what every crate's templates may use of it.
pub(crate) fn meta(spec: &Spec) -> Value {
    let w = &spec.workspace;
    obj([
        ("name", w.name.as_str().into()),
        ("summary", w.summary.as_str().into()),
        ("edition", w.edition.as_str().into()),
        ("rust_version", w.rust_version.map(|v| v.to_string()).into()),
        ("license", w.license.as_deref().into()),
        ("version", w.version.to_string().into()),
        ("released", released(spec)),
    ])
}

/// The context of a crate's own templates (manifest, lib.rs or main.rs, build script, the
/// requirements' test binary): `workspace` (its metadata only) and the whole `crate`.
///
/// Not the whole workspace: a context is built for every crate, so one that held every crate
/// would make rendering quadratic in the number of crates.
pub(crate) fn for_crate(meta: &Value, krate: &CrateSpec) -> Value {
    let value = crate_value(krate, &meta["released"]);
    obj([("workspace", meta.clone()), ("crate", value)])
}

/// The context of one module's or one requirement's file: `workspace`, the crate's identity
/// (`crate.name`, `ident`, `kind`, `path`, `layer`, `summary`), and `module` or `requirement`.
///
/// There is one such file per module and per requirement, so the context is kept small: it is
/// built and dropped for every one of them.
pub(crate) fn for_item(meta: &Value, krate: &CrateSpec, key: &str, item: Value) -> Value {
    let identity = obj([
        ("name", krate.name.as_str().into()),
        ("ident", krate.name.ident().into()),
        ("kind", krate.kind.as_str().into()),
        ("path", krate.path.as_str().into()),
        ("layer", krate.layer.as_deref().into()),
        ("summary", krate.summary.as_str().into()),
    ]);
    obj([("workspace", meta.clone()), ("crate", identity), (key, item)])
}

/// A requirement as templates see it.
pub(crate) fn requirement(r: &Requirement) -> Value {
    obj([
        ("id", r.id.as_str().into()),
        ("text", r.text.as_str().into()),
        ("test_name", r.test_name().into()),
    ])
}

/// A JSON object from keys and values, moving each value in.
fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in pairs {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// A crate as its templates see it. `released` maps the crates the workspace also uses from
/// the registry to their folders (see [`released`]).
fn crate_value(c: &CrateSpec, released: &Value) -> Value {
    use crate::text::toml_str;
    let features: Vec<&str> = c.features.iter().map(|f| f.name.as_str()).collect();
    // How an entry is written when not `name.workspace = true`.
    let written = |kind: EdgeKind, name: &str| -> Value {
        if kind == EdgeKind::Dev && name == c.name.as_str() {
            // The crate's tests use the crate itself, with every feature it declares.
            let on: Vec<String> = features.iter().map(|f| toml_str(f)).collect();
            return if on.is_empty() {
                "{ path = \".\" }".into()
            } else {
                format!("{{ path = \".\", features = [{}] }}", on.join(", ")).into()
            };
        }
        match released.get(name).and_then(Value::as_str) {
            Some(to) => {
                format!("{{ path = {} }}", toml_str(&trellis_spec::relative_path(&c.path, to)))
                    .into()
            }
            None => Value::Null,
        }
    };
    let sections: Vec<Value> = EdgeKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut entries: Vec<(&str, Value)> = c
                .depends
                .of(kind)
                .iter()
                .map(|n| (n.name.as_str(), written(kind, &n.name)))
                .collect();
            entries.extend(c.uses.of(kind).iter().map(|n| (n.name.as_str(), Value::Null)));
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let names: Vec<&str> = entries.iter().map(|(n, _)| *n).collect();
            let entries: Vec<Value> = entries
                .into_iter()
                .map(|(name, value)| obj([("name", name.into()), ("value", value)]))
                .collect();
            (!names.is_empty()).then(|| {
                obj([
                    ("section", kind.manifest_section().into()),
                    ("names", names.into()),
                    ("entries", entries.into()),
                ])
            })
        })
        .collect();
    // rustfmt sorts `mod` declarations, so they are written sorted to be formatted as they are.
    let mut modules: Vec<&str> = c.modules.iter().map(|m| m.name.as_str()).collect();
    modules.sort_unstable();
    let mut test_modules: Vec<String> = c.requirements.iter().map(Requirement::test_name).collect();
    test_modules.sort_unstable();
    // A proc-macro crate may export nothing but macros, so its modules stay private.
    let visibility = if c.kind == CrateKind::Lib { "pub " } else { "" };
    let requirements: Vec<Value> = c.requirements.iter().map(requirement).collect();
    obj([
        ("name", c.name.as_str().into()),
        ("ident", c.name.ident().into()),
        ("kind", c.kind.as_str().into()),
        ("path", c.path.as_str().into()),
        ("layer", c.layer.as_deref().into()),
        ("summary", c.summary.as_str().into()),
        ("modules", modules.into()),
        ("test_modules", test_modules.into()),
        ("snake_case", is_snake_case(&c.name.ident()).into()),
        ("module_visibility", visibility.into()),
        ("requirements", requirements.into()),
        ("sections", sections.into()),
        ("features", features.into()),
        ("released", released.get(c.name.as_str()).is_some().into()),
    ])
}

/// Whether rustc's `non_snake_case` lint accepts a crate name (its rule, in `rustc_lint`): no
/// upper case, no doubled underscore once leading and trailing ones are trimmed.
fn is_snake_case(ident: &str) -> bool {
    let ident = ident.trim_matches('_');
    !ident.contains("__") && !ident.chars().any(char::is_uppercase)
}

fn edge_kind(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Normal => "normal",
        EdgeKind::Dev => "dev",
        EdgeKind::Build => "build",
    }
}
