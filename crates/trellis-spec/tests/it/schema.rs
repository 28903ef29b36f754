//! The JSON Schema of the spec, `trellis.schema.json`: committed fresh, a valid draft 7 schema,
//! and in step with the parser.
//!
//! The parser is the authority on the format; the schema must never refuse what it accepts
//! (an editor would flag a good spec), and must know exactly its keys. Two checks hold them
//! together, beside the unit test that compares each table's keys with the parser's lists:
//! every spec the parser accepts (the flagship, this crate's good specs and the bad ones that
//! only warn, the adoption fixtures, random edits in `robust.rs`, random specs in `props.rs`)
//! validates; and every key the schema declares is used by one of those specs, so each key's
//! type, pattern or enum has been checked against a spec the parser took. Since each table of
//! the schema is closed (`additionalProperties: false`), the keys the specs use are the keys
//! the schema declares, no more and no fewer.

mod format;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde_json::{Map, Value};
use trellis_spec::{codes, parse, schema};

/// Where the schema is committed, for people and tools that want it without running Trellis.
const COMMITTED: &str = "trellis.schema.json";

static SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(&schema::json()).expect("the schema is JSON"));

static VALIDATOR: LazyLock<jsonschema::Validator> =
    LazyLock::new(|| jsonschema::validator_for(&SCHEMA).expect("the schema compiles"));

/// The spec as JSON, as an editor sees the TOML: tables are objects, arrays of tables arrays,
/// dates strings.
pub(crate) fn to_json(text: &str) -> Value {
    let doc = toml_edit::Document::parse(text).expect("the spec is TOML");
    table(doc.as_table())
}

fn table(table: &dyn toml_edit::TableLike) -> Value {
    let mut out = Map::new();
    for (key, item) in table.iter() {
        if let Some(value) = item_value(item) {
            out.insert(key.to_owned(), value);
        }
    }
    Value::Object(out)
}

fn item_value(item: &toml_edit::Item) -> Option<Value> {
    match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(value) => Some(value_json(value)),
        toml_edit::Item::Table(t) => Some(table(t)),
        toml_edit::Item::ArrayOfTables(array) => {
            Some(Value::Array(array.iter().map(|t| table(t)).collect()))
        }
    }
}

fn value_json(value: &toml_edit::Value) -> Value {
    use toml_edit::Value as V;
    match value {
        V::String(s) => Value::from(s.value().as_str()),
        V::Integer(i) => Value::from(*i.value()),
        V::Float(f) => Value::from(*f.value()),
        V::Boolean(b) => Value::from(*b.value()),
        V::Datetime(d) => Value::from(d.value().to_string()),
        V::Array(array) => Value::Array(array.iter().map(value_json).collect()),
        V::InlineTable(t) => table(t),
    }
}

/// `Ok` when the spec validates against the schema; otherwise every error, with where it is.
pub(crate) fn validate(text: &str) -> Result<(), String> {
    let json = to_json(text);
    let errors: Vec<String> =
        VALIDATOR.iter_errors(&json).map(|e| format!("at {}: {e}", e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
}

fn toml_files(folder: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Specs the parser must accept: the flagship example, the examples folder, the good specs,
/// every adoption fixture's spec (xtask's tests apply them to person-written workspaces).
fn good_specs() -> Vec<(String, String)> {
    let mut specs = vec![("EXAMPLE".to_owned(), trellis_spec::EXAMPLE.to_owned())];
    let mut files = toml_files(&here().join("specs"));
    files.extend(toml_files(&here().join("tests/it/good")));
    let adopt = here().join("../../xtask/tests/fixtures/adopt");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&adopt)
        .unwrap()
        .map(|e| e.unwrap().path().join("spec.toml"))
        .filter(|p| p.is_file())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 11, "the adoption fixtures moved: {fixtures:?}");
    files.extend(fixtures);
    specs.extend(files.into_iter().map(|path| {
        let text = std::fs::read_to_string(&path).unwrap();
        (path.display().to_string(), text)
    }));
    specs
}

/// The bad specs, by file, with the codes of the errors the parser gives (none for the ones
/// that only warn).
fn bad_specs() -> Vec<(String, String, Vec<trellis_spec::Code>)> {
    toml_files(&here().join("tests/it/bad"))
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let errors = match parse(&text, "bad.toml") {
                Ok(_) => Vec::new(),
                Err(d) => d.iter().filter(|d| d.is_error()).map(|d| d.code).collect(),
            };
            (path.display().to_string(), text, errors)
        })
        .collect()
}

/// Every spec of the corpus the parser accepts.
fn accepted_specs() -> Vec<(String, String)> {
    let mut specs = good_specs();
    for (name, text) in &specs {
        if let Err(d) = parse(text, name) {
            panic!("{name} must parse:\n{}", crate::render_all(&d, text));
        }
    }
    let bad = bad_specs().into_iter().filter(|(_, _, errors)| errors.is_empty());
    specs.extend(bad.map(|(name, text, _)| (name, text)));
    specs
}

#[test]
fn the_committed_schema_is_fresh() {
    let path = here().join(COMMITTED);
    let fresh = format::json();
    if std::env::var_os("TRELLIS_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    // What Trellis prints and writes is the committed text, as the crate was built with it.
    assert_eq!(schema::JSON, committed, "rebuild after blessing: `schema::JSON` embeds the file");
    assert!(
        committed == fresh,
        "crates/trellis-spec/{COMMITTED} is stale: `TRELLIS_BLESS=1 cargo test -p trellis-spec --test it schema` rewrites it"
    );
}

#[test]
fn the_schema_is_a_valid_draft_7_schema() {
    if let Err(e) = jsonschema::meta::validate(&SCHEMA) {
        panic!("{e}");
    }
}

#[test]
fn every_spec_the_parser_accepts_validates() {
    let specs = accepted_specs();
    assert!(specs.len() > 15, "{}", specs.len());
    let failures: Vec<String> = specs
        .iter()
        .filter_map(|(name, text)| validate(text).err().map(|e| format!("{name}:\n{e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The types the schema comes from read them too: their serde attributes (kebab-case keys,
    // closed tables, a dependency as a version or a table) say what the schema says.
    for (name, text) in &specs {
        if let Err(e) = serde_json::from_value::<format::SpecFile>(to_json(text)) {
            panic!("{name}: {e}");
        }
    }
}

/// A key path: table names, `*` for any key of a map (`crates.*.kind`), `[]` for an element
/// of an array (`allow[].from`).
type KeyPath = String;

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.strip_prefix("#/definitions/").expect("a local definition");
            resolve(&SCHEMA["definitions"][name])
        }
        None => schema,
    }
}

/// The schema's alternatives at this place: itself, or the branches of its `allOf`/`anyOf`.
fn branches(schema: &Value) -> Vec<&Value> {
    let schema = resolve(schema);
    let mut out = vec![schema];
    for key in ["allOf", "anyOf", "oneOf"] {
        for sub in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.extend(branches(sub));
        }
    }
    out
}

/// Every key path the schema declares.
fn declared(schema: &Value, path: &str, out: &mut BTreeSet<KeyPath>) {
    for s in branches(schema) {
        for (key, sub) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
            let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            out.insert(here.clone());
            declared(sub, &here, out);
        }
        if let Some(map) = s.get("additionalProperties").filter(|v| v.is_object()) {
            declared(map, &format!("{path}.*"), out);
        }
        if let Some(items) = s.get("items") {
            declared(items, &format!("{path}[]"), out);
        }
    }
}

/// Every key path a spec (as JSON) uses, read along the schema.
fn used(schema: &Value, instance: &Value, path: &str, out: &mut BTreeSet<KeyPath>) {
    for s in branches(schema) {
        match instance {
            Value::Object(object) => {
                for (key, value) in object {
                    if let Some(sub) = s.get("properties").and_then(|p| p.get(key)) {
                        let here =
                            if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                        out.insert(here.clone());
                        used(sub, value, &here, out);
                    } else if let Some(map) =
                        s.get("additionalProperties").filter(|v| v.is_object())
                    {
                        used(map, value, &format!("{path}.*"), out);
                    }
                }
            }
            Value::Array(array) => {
                if let Some(items) = s.get("items") {
                    for value in array {
                        used(items, value, &format!("{path}[]"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[test]
fn every_key_the_schema_declares_is_used_by_a_spec_the_parser_accepts() {
    let mut keys = BTreeSet::new();
    declared(&SCHEMA, "", &mut keys);
    assert!(keys.contains("crates.*.requirements[].id") && keys.contains("dependencies.*.rev"));
    let mut seen = BTreeSet::new();
    for (_, text) in accepted_specs() {
        used(&SCHEMA, &to_json(&text), "", &mut seen);
    }
    // `[workspace] trellis` is a dependency, the same definition as `[dependencies]` entries
    // (and parsed by the same code): a key used there is used here.
    let same_definition = |key: &KeyPath| {
        key.strip_prefix("workspace.trellis.")
            .is_some_and(|rest| seen.contains(&format!("dependencies.*.{rest}")))
    };
    let unused: Vec<&KeyPath> =
        keys.difference(&seen).filter(|key| !same_definition(key)).collect();
    assert!(
        unused.is_empty(),
        "no spec the parser accepts uses {unused:?}: add them to tests/it/good/every-key.toml"
    );
}

/// A small spec the parser accepts, with every table the unknown keys go into.
const BASE: &str = r#"
[workspace]
name = "shop"

[layers]
order = ["base"]

[dependencies]
serde = { version = "1" }

[crates.shop-core]
layer = "base"
uses = ["serde"]
requirements = [{ id = "CORE-1", text = "Money is kept in minor units." }]

[[allow]]
from = "shop-core"
to = "serde"
reason = "an example"

[check]
pending-requirements = "allow"
"#;

#[test]
fn an_unknown_key_is_refused_by_the_parser_and_the_schema_alike() {
    assert!(parse(BASE, "base.toml").is_ok() && validate(BASE).is_ok());
    // (where, a piece of the spec, that piece with an unknown key added, where the schema
    // reports it)
    let cases = [
        ("the top level", "\n[workspace]", "colour = \"red\"\n[workspace]", ""),
        ("[workspace]", "name = \"shop\"", "name = \"shop\"\nmembers = []", "/workspace"),
        ("[layers]", "order = [\"base\"]", "order = [\"base\"]\ntop = \"x\"", "/layers"),
        (
            "a dependency",
            "{ version = \"1\" }",
            "{ version = \"1\", optional = true }",
            "/dependencies/serde",
        ),
        (
            "a crate",
            "layer = \"base\"",
            "layer = \"base\"\nedition = \"2021\"",
            "/crates/shop-core",
        ),
        (
            "a requirement",
            "text = \"Money",
            "note = \"n\", text = \"Money",
            "/crates/shop-core/requirements/0",
        ),
        (
            "[[allow]]",
            "reason = \"an example\"",
            "reason = \"an example\"\nwhy = \"x\"",
            "/allow/0",
        ),
        ("[check]", "pending-requirements", "pending = \"deny\"\npending-requirements", "/check"),
    ];
    for (place, from, to, at) in cases {
        let text = BASE.replacen(from, to, 1);
        assert_ne!(text, BASE, "{place}");
        let diagnostics = parse(&text, "unknown.toml").expect_err(place);
        assert!(
            diagnostics.iter().any(|d| d.code == codes::UNKNOWN_KEY),
            "{place}: {diagnostics:?}"
        );
        let refused = validate(&text).expect_err(place);
        assert!(refused.starts_with(&format!("at {at}: ")), "{place}: {refused}");
    }
}

/// Where the parser refuses a spec for its shape (a key it does not know, a value of the wrong
/// type, a required key or table missing, no crate, another format), the schema refuses it
/// too: an editor shows the problem before Trellis runs.
#[test]
fn a_bad_spec_of_the_wrong_shape_is_refused_by_the_schema() {
    let shape = [
        codes::UNKNOWN_KEY,
        codes::WRONG_TYPE,
        codes::MISSING_KEY,
        codes::NO_CRATES,
        codes::UNSUPPORTED_FORMAT,
    ];
    let mut checked = 0;
    for (name, text, errors) in bad_specs() {
        if name.ends_with("toml-syntax.toml") || !errors.iter().any(|c| shape.contains(c)) {
            continue;
        }
        checked += 1;
        assert!(validate(&text).is_err(), "{name} validates, yet the parser refuses its shape");
    }
    assert!(checked >= 6, "{checked}");
}

/// Values of a closed set, or of a form the schema states, are refused by both.
#[test]
fn a_value_outside_its_set_is_refused_by_the_parser_and_the_schema_alike() {
    let cases = [
        BASE.replacen("name = \"shop\"", "name = \"shop\"\nedition = \"2023\"", 1),
        BASE.replacen("name = \"shop\"", "name = \"shop\"\nrust-version = \"2.0\"", 1),
        BASE.replacen("layer = \"base\"", "layer = \"base\"\nkind = \"library\"", 1),
        BASE.replacen("= \"allow\"", "= \"warn\"", 1),
        BASE.replacen("order = [\"base\"]", "order = []", 1),
        BASE.replacen("\n[workspace]", "format = 2\n[workspace]", 1),
    ];
    for text in cases {
        assert_ne!(text, BASE);
        assert!(parse(&text, "value.toml").is_err(), "{text}");
        assert!(validate(&text).is_err(), "{text}");
    }
}

#[test]
fn a_spec_that_names_the_schema_in_its_header_still_parses_and_validates() {
    let text = schema::with_directive(BASE);
    assert!(text.starts_with(schema::DIRECTIVE));
    assert!(parse(&text, "directive.toml").is_ok());
    assert!(validate(&text).is_ok());
}

/// The flagship example opens with the line that points editors at the schema, as every spec
/// Trellis writes does: `demo` writes it as it is into the workspace, beside the schema.
#[test]
fn the_flagship_example_names_the_schema_first() {
    assert!(trellis_spec::EXAMPLE.starts_with(&format!("{}\n\n", schema::DIRECTIVE)));
}
