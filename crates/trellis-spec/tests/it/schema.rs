//! The JSON Schema of the spec, `trellis.schema.json`: committed, and fresh.

use std::path::Path;

use trellis_spec::schema;

/// Where the schema is committed, for people and tools that want it without running Trellis.
const COMMITTED: &str = "trellis.schema.json";

fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_committed_schema_is_fresh() {
    let path = here().join(COMMITTED);
    let fresh = schema::json();
    if std::env::var_os("TRELLIS_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "crates/trellis-spec/{COMMITTED} is stale: `TRELLIS_BLESS=1 cargo test -p trellis-spec --test it schema` rewrites it"
    );
}
