//! The Mermaid Trellis draws (the generated ARCHITECTURE.md, `trellis graph`) through Mermaid's
//! own parser, on crate and layer names Mermaid's grammar reads as syntax.
//!
//! Needs Node.js and Mermaid installed once (`npm ci --prefix xtask/tests/mermaid`, from the
//! npm registry): `.ci/run` does both and runs it with the other ignored tests.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::cli;

/// Crates named after Mermaid's keywords and edge shapes, in layers whose names need quoting.
const RESERVED: &str = r#"
[workspace]
name = "reserved"

[layers]
order = ["end", "the \"core\" layer", "graph [app]"]

[crates.end]
layer = "end"

[crates.graph]
layer = "end"
depends = ["end"]

[crates.style]
layer = "the \"core\" layer"
depends = ["graph", "end"]

[crates.click]
layer = "the \"core\" layer"
depends = ["style"]

[crates.class]
layer = "graph [app]"
depends = ["click", "style"]

[crates.subgraph]
layer = "graph [app]"
kind = "bin"
depends = ["class"]

[crates.o]
layer = "graph [app]"
depends = ["end"]

[crates.x]
layer = "graph [app]"
depends = ["o"]

[crates.default]
layer = "end"

[crates.layer_end]
layer = "end"
depends = ["default"]
"#;

/// The fenced ```mermaid blocks of a Markdown text, and the text itself when it has none
/// (a bare diagram, as `trellis graph` prints).
fn diagrams(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim()) {
            (None, "```mermaid") => current = Some(String::new()),
            (Some(block), "```") => {
                out.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    if out.is_empty() { vec![text.to_owned()] } else { out }
}

/// Mermaid's parser's verdict on each diagram: `Err` with its message for the first it
/// refuses.
fn parse_all(diagrams: &[String]) -> Result<(), String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid");
    assert!(
        folder.join("node_modules/mermaid").is_dir(),
        "Mermaid is not installed: run `npm ci --prefix xtask/tests/mermaid` (Node.js and the npm registry) first"
    );
    let mut child = Command::new("node")
        .arg(folder.join("parse.mjs"))
        .current_dir(&folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (Node.js is installed)");
    child.stdin.take().unwrap().write_all(diagrams.join("\n%%--%%\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.success() {
        true => Ok(()),
        false => Err(said),
    }
}

#[test]
#[ignore = "needs Node.js and `npm ci --prefix xtask/tests/mermaid`; .ci/run runs it"]
fn every_diagram_trellis_draws_parses_in_mermaid_whatever_the_names() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("spec.toml"), RESERVED).unwrap();
    let new = cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = tmp.path().join("ws");
    let architecture = fs::read_to_string(ws.join("ARCHITECTURE.md")).unwrap();
    let mut all = diagrams(&architecture);
    assert_eq!(all.len(), 1, "ARCHITECTURE.md draws one diagram: {architecture}");
    for args in [
        &["graph"][..],
        &["graph", "--actual"],
        &["graph", "--diff"],
        &["graph", "--reduce"],
        &["graph", "--layer", "the \"core\" layer"],
    ] {
        let graph = cli::xtask(&ws, args);
        assert_eq!(graph.code, Some(0), "{graph}");
        all.extend(diagrams(&graph.stdout));
    }
    if let Err(said) = parse_all(&all) {
        panic!("Mermaid refuses a diagram Trellis drew:\n{said}");
    }
    // The parser is the judge, not a formality: it refuses a bare keyword as a node.
    assert!(parse_all(&["flowchart BT\n    end --> graph\n".to_owned()]).is_err());
}
