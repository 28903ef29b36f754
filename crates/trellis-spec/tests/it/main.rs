//! Integration tests of the spec stage: bad specs as data with snapshots of their diagnostics,
//! good specs and their models, the flagship example, properties of random specs, and the JSON
//! Schema of the format.

mod bad;
mod good;
mod props;
mod robust;
mod schema;

/// Renders every diagnostic plainly, as a terminal without colour would show them.
fn render_all(diagnostics: &[trellis_spec::Diagnostic], text: &str) -> String {
    diagnostics
        .iter()
        .map(|d| anstream::adapter::strip_str(&d.render(Some(text))).to_string())
        .collect::<Vec<_>>()
        .join("\n\n")
}
