use std::collections::BTreeSet;

use serde_json::Value;

use super::*;
use crate::parse::{
    ALLOW_KEYS, CHECK_KEYS, CRATE_KEYS, DEP_KEYS, FORBID_KEYS, FORMAT, LAYERS_KEYS,
    REQUIREMENT_KEYS, TOP_KEYS, WORKSPACE_KEYS,
};
use crate::{CrateKind, Edition};

fn schema() -> Value {
    serde_json::from_str(&json()).unwrap()
}

/// The schema of a table: the root, or a definition by name.
fn table<'a>(schema: &'a Value, definition: Option<&str>) -> &'a Value {
    definition.map_or(schema, |name| &schema["definitions"][name])
}

fn keys(table: &Value) -> BTreeSet<&str> {
    table["properties"].as_object().unwrap().keys().map(String::as_str).collect()
}

/// The parser refuses every key its list for a table does not hold (S002), and reads every
/// one it does; the schema's properties, each table closed by `additionalProperties: false`,
/// must be the same keys, or an editor would flag a key Trellis takes or offer one it refuses.
#[test]
fn every_table_of_the_schema_has_the_keys_the_parser_reads() {
    let schema = schema();
    let tables: [(Option<&str>, &[&str]); 9] = [
        (None, TOP_KEYS),
        (Some("Workspace"), WORKSPACE_KEYS),
        (Some("Layers"), LAYERS_KEYS),
        (Some("DependencyTable"), DEP_KEYS),
        (Some("Crate"), CRATE_KEYS),
        (Some("Requirement"), REQUIREMENT_KEYS),
        (Some("Allow"), ALLOW_KEYS),
        (Some("Forbid"), FORBID_KEYS),
        (Some("Check"), CHECK_KEYS),
    ];
    for (name, parser) in tables {
        let t = table(&schema, name);
        assert_eq!(keys(t), parser.iter().copied().collect(), "{name:?}");
        assert_eq!(t["additionalProperties"], Value::Bool(false), "{name:?}");
    }
    let definitions = schema["definitions"].as_object().unwrap();
    for (name, definition) in definitions {
        if definition.get("properties").is_some() {
            assert_eq!(definition["additionalProperties"], false, "{name} is closed");
        }
    }
}

/// A closed set of values is an enum with exactly the values the parser takes.
#[test]
fn the_schemas_enums_are_the_values_the_parser_takes() {
    let schema = schema();
    let values = |name: &str| -> Vec<String> {
        let values = schema["definitions"][name]["enum"].as_array().unwrap();
        values.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(values("Edition"), Edition::ALL.map(Edition::as_str));
    assert_eq!(values("Kind"), CrateKind::ALL.map(CrateKind::as_str));
    // `parse.rs` matches these two by hand (`Cx::check`).
    assert_eq!(values("Pending"), ["allow", "deny"]);
    let format = &schema["properties"]["format"];
    assert_eq!((&format["minimum"], &format["maximum"]), (&FORMAT.into(), &FORMAT.into()));
}

#[test]
fn the_schema_has_no_null_a_toml_file_cannot_hold_and_ends_in_a_newline() {
    let text = json();
    assert!(!text.contains("null"), "{text}");
    assert!(text.ends_with("}\n"));
    assert_eq!(text, json(), "the text is stable");
    assert_eq!(schema()["$schema"], "http://json-schema.org/draft-07/schema#");
}

#[test]
fn the_directive_names_the_schema_file_relative_to_the_spec() {
    assert_eq!(DIRECTIVE, format!("#:schema ./{}", crate::SCHEMA_FILE));
}

#[test]
fn a_directive_goes_first_with_a_blank_line_after_it_unless_the_header_has_one() {
    assert_eq!(with_directive("[workspace]\n"), format!("{DIRECTIVE}\n\n[workspace]\n"));
    assert_eq!(
        with_directive("# A spec.\r\n[workspace]\r\n"),
        format!("{DIRECTIVE}\r\n\r\n# A spec.\r\n[workspace]\r\n")
    );
    assert_eq!(
        with_directive("\u{feff}[workspace]"),
        format!("\u{feff}{DIRECTIVE}\n\n[workspace]")
    );
    assert_eq!(with_directive(""), format!("{DIRECTIVE}\n\n"));
    assert_eq!(with_directive("\n[workspace]\n"), format!("{DIRECTIVE}\n\n[workspace]\n"));
    // A person's own directive, anywhere in the header, is kept as it is.
    for own in [
        "#:schema https://example.com/trellis.json\n[workspace]\n",
        "# A spec.\n\n#:schema ./elsewhere.json\n[workspace]\n",
        &format!("{DIRECTIVE}\n\n[workspace]\n"),
    ] {
        assert!(has_directive(own), "{own}");
        assert_eq!(with_directive(own), own);
    }
    // A directive below the first key is no header directive: editors ignore it.
    assert!(!has_directive("format = 1\n#:schema ./x.json\n"));
}

#[test]
fn a_spec_with_the_directive_parses_as_without_it() {
    let text = "[workspace]\nname = \"tiny\"\n\n[crates.tiny-core]\n";
    let with = with_directive(text);
    assert_ne!(with, text);
    let without = crate::parse(text, "Trellis.toml").unwrap();
    let parsed = crate::parse(&with, "Trellis.toml").map_err(|d| format!("{d:?}")).unwrap();
    assert!(parsed.warnings.is_empty());
    assert_eq!(parsed.spec.crates[0].name, without.spec.crates[0].name);
}
