//! Whole-tree snapshots: a spec in, every rendered file out, as sorted `==== path ====` sections.

use trellis_render::{PlannedFile, Templates, render};

mod escaping;
mod trees;

/// Parses a spec that must be valid, and renders it with the default templates.
fn render_spec(text: &str) -> Vec<PlannedFile> {
    let parsed = trellis_spec::parse(text, "Trellis.toml").unwrap_or_else(|diagnostics| {
        let shown: Vec<String> = diagnostics
            .iter()
            .map(|d| anstream::adapter::strip_str(&d.render(Some(text))).to_string())
            .collect();
        panic!("spec does not validate:\n{}", shown.join("\n"))
    });
    render(&parsed.spec, text, &Templates::embedded()).expect("renders")
}

/// The tree as one text: `==== path (ownership) ====` and the contents, sorted by path.
fn tree(files: &[PlannedFile]) -> String {
    let mut out = String::new();
    for file in files {
        // The schema is the same in every workspace, and checked fresh where it is committed.
        if file.path == trellis_render::SCHEMA_FILE {
            assert_eq!(file.contents, trellis_spec::schema::json());
            out.push_str(&format!(
                "==== {} ({:?}) ====\ntrellis_spec::schema::json() (crates/trellis-spec/trellis.schema.json)\n",
                file.path, file.ownership
            ));
            continue;
        }
        out.push_str(&format!("==== {} ({:?}) ====\n{}", file.path, file.ownership, file.contents));
        if !file.contents.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}
