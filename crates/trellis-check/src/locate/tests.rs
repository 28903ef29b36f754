use super::*;

fn at(text: &str, span: Option<Range<usize>>) -> &str {
    &text[span.expect("found")]
}

#[test]
fn finds_keys_in_every_section_and_spelling() {
    let text = r#"
[package]
name = "app"

[dependencies]
core = { path = "../core" }
json = { package = "serde_json", version = "1" }

[dependencies.store]
path = "../store"

[dev_dependencies]
kit = { path = "../kit" }

[build-dependencies]
gen.workspace = true

[target.'cfg(unix)'.dependencies]
sys = { path = "../sys" }

[target."cfg(any(unix, windows))".dev-dependencies]
sys = { path = "../sys" }
"#;
    assert_eq!(at(text, dependency_key(text, EdgeKind::Normal, None, "core")), "core");
    assert_eq!(at(text, dependency_key(text, EdgeKind::Normal, None, "json")), "json");
    assert_eq!(at(text, dependency_key(text, EdgeKind::Normal, None, "store")), "store");
    assert_eq!(at(text, dependency_key(text, EdgeKind::Dev, None, "kit")), "kit");
    assert_eq!(at(text, dependency_key(text, EdgeKind::Build, None, "gen")), "gen");
    let unix = dependency_key(text, EdgeKind::Normal, Some("cfg(unix)"), "sys").expect("found");
    assert_eq!(&text[unix.clone()], "sys");
    // cargo prints the platform its own way; the manifest may space it differently.
    let any =
        dependency_key(text, EdgeKind::Dev, Some("cfg(any(unix,windows))"), "sys").expect("found");
    assert!(any.start > unix.start);
    assert_eq!(dependency_key(text, EdgeKind::Normal, None, "sys"), None);
    assert_eq!(at(text, package_name(text)), "\"app\"");
}

#[test]
fn a_manifest_that_does_not_parse_has_no_places() {
    assert_eq!(dependency_key("[dependencies\n", EdgeKind::Normal, None, "a"), None);
    assert_eq!(package_name("name = "), None);
}
