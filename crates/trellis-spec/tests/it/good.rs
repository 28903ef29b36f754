//! Specs that must parse, and the model they must give.

use trellis_spec::{CrateKind, parse};

const FLAGSHIP: &str = include_str!("../../specs/sme-market.toml");

#[test]
fn the_flagship_example_parses_without_warnings() {
    let parsed = match parse(FLAGSHIP, "specs/sme-market.toml") {
        Ok(parsed) => parsed,
        Err(diagnostics) => panic!("{}", crate::render_all(&diagnostics, FLAGSHIP)),
    };
    assert!(parsed.warnings.is_empty(), "{}", crate::render_all(&parsed.warnings, FLAGSHIP));
    let spec = parsed.spec;
    assert!(spec.crates.len() >= 8);
    assert!(spec.layers.len() >= 3);
    assert!(spec.crates.iter().any(|c| c.kind == CrateKind::Bin));
    assert!(spec.crates.iter().map(|c| c.requirements.len()).sum::<usize>() >= 15);
}
