//! Integration tests of `check`, `graph` and `infer` on fixture workspaces written by hand
//! under `tests/fixtures/`, one per feature real workspaces have.

mod check;
mod formats;
mod graph;
mod infer;

use std::path::{Path, PathBuf};

use trellis_check::{Cargo, Checked, Metadata, Names, Workspace};

/// The fixture folder with this name.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// `cargo metadata --no-deps --offline` on a fixture, with the cargo that runs the tests.
fn metadata(name: &str) -> Metadata {
    trellis_check::read_metadata(&fixture(name), &Cargo::from_env())
        .unwrap_or_else(|e| panic!("cargo metadata on fixture `{name}`: {e}"))
}

fn model(name: &str) -> Workspace {
    Workspace::from_metadata(&metadata(name))
}

/// `check` on a fixture with a spec text, files named relative to the fixture.
fn check_with(name: &str, spec_text: &str) -> Checked {
    let spec = match trellis_spec::parse(spec_text, "Trellis.toml") {
        Ok(parsed) => parsed.spec,
        Err(diagnostics) => {
            let shown: Vec<String> = diagnostics
                .iter()
                .map(|d| anstream::adapter::strip_str(&d.render(Some(spec_text))).to_string())
                .collect();
            panic!("the spec of `{name}` does not parse:\n{}\n----\n{spec_text}", shown.join("\n"))
        }
    };
    let names = Names { spec_file: "Trellis.toml", root: "" };
    trellis_check::check_metadata(&spec, spec_text, &metadata(name), names)
}

/// `check` on a fixture with its own `Trellis.toml`.
fn check(name: &str) -> Checked {
    let text = std::fs::read_to_string(fixture(name).join("Trellis.toml")).expect("fixture spec");
    check_with(name, &text)
}
