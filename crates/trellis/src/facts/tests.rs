//! Cargo's facts of a small workspace: members cargo adds through a path dependency, edges in
//! every form, implicit features; and none where cargo cannot say.

use std::fs;
use std::path::Path;

use trellis_spec::EdgeKind;
use trellis_sync::DepFacts;

use super::read;

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

#[test]
fn cargo_says_what_the_text_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        &[
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"app\"]\nresolver = \"2\"\n\n[workspace.dependencies]\ncore = { path = \"libs/core\", package = \"acme-core\" }\n",
            ),
            (
                "app/Cargo.toml",
                "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[target.'cfg(unix)'.dependencies]\ncore = { workspace = true, optional = true }\n",
            ),
            ("app/src/main.rs", "fn main() {}\n"),
            (
                "libs/core/Cargo.toml",
                "[package]\nname = \"acme-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
            ),
            ("libs/core/src/lib.rs", ""),
        ],
    );
    let facts = read(root).expect("cargo loads the workspace");
    assert_eq!(facts.members.iter().collect::<Vec<_>>(), ["app", "libs/core"]);
    let app = facts.package("app").unwrap();
    assert_eq!(
        app.deps,
        [DepFacts {
            package: "acme-core".into(),
            rename: Some("core".into()),
            kind: EdgeKind::Normal,
            target: Some("cfg(unix)".into()),
            path: Some("libs/core".into()),
        }]
    );
    // The optional dependency's implicit feature.
    assert_eq!(app.features.get("core"), Some(&vec!["dep:core".to_owned()]));
    assert_eq!(app.targets[0].path, "app/src/main.rs");
    assert_eq!(facts.package("libs/core").unwrap().name, "acme-core");
}

#[test]
fn no_facts_without_a_root_or_from_a_manifest_cargo_refuses() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(read(tmp.path()), None);
    write(tmp.path(), &[("Cargo.toml", "[workspace]\nmembers = [\"missing\"]\n")]);
    assert_eq!(read(tmp.path()), None);
}
