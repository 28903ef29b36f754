//! Spec text that would break TOML, Rust or Markdown if it were pasted in as it is.

use crate::render_spec;

const HOSTILE: &str = r#####"
[workspace]
name = "hostile"
summary = "quotes \" and \\ backslashes, */ and \"# and {{ braces }}"

[crates.alpha]
summary = "a summary with \"quotes\", a \\ backslash,\nnew lines, */ comment ends, \"# raw ends, {{handlebars}} and `ticks`"
requirements = [
  { id = "A-1", text = "```\nfn main() { panic!() }\n```\n    indented code\n- a list\n[link] <tag> */ \"# {{x}}" },
]
"#####;

#[test]
fn hostile_text_yields_manifests_that_parse() {
    for file in render_spec(HOSTILE).iter().filter(|f| f.path.ends_with(".toml")) {
        file.contents
            .parse::<toml_edit::DocumentMut>()
            .unwrap_or_else(|e| panic!("{} does not parse: {e}\n{}", file.path, file.contents));
    }
}

#[test]
fn hostile_text_stays_inside_comments() {
    let files = render_spec(HOSTILE);
    let lib = files.iter().find(|f| f.path == "crates/alpha/src/lib.rs").expect("lib.rs");
    // Every line of the crate docs is a doc comment: no text escaped into code.
    assert!(
        lib.contents
            .lines()
            .all(|l| l.is_empty() || l.starts_with("//!") || l.starts_with("pub mod"))
    );
    let test =
        files.iter().find(|f| f.path == "crates/alpha/tests/requirements/a_1.rs").expect("test");
    assert!(!test.contents.contains("\n```"), "a fence would make a doctest:\n{}", test.contents);
    insta::assert_snapshot!(test.contents);
}
