//! The keys each table of the spec takes, and where a key that is unknown in one table belongs.

use crate::model::EdgeKind;
pub(crate) const TOP_KEYS: &[&str] =
    &["format", "workspace", "layers", "dependencies", "crates", "allow", "forbid", "check"];
pub(crate) const WORKSPACE_KEYS: &[&str] =
    &["name", "summary", "edition", "rust-version", "license", "version", "scaffold", "trellis"];
pub(crate) const LAYERS_KEYS: &[&str] = &["order"];
pub(crate) const DEP_KEYS: &[&str] = &[
    "version",
    "features",
    "default-features",
    "package",
    "git",
    "branch",
    "tag",
    "rev",
    "path",
    "registry",
];
pub(crate) const CRATE_KEYS: &[&str] = &[
    "kind",
    "path",
    "layer",
    "summary",
    "modules",
    EdgeKind::Normal.depends_key(),
    EdgeKind::Dev.depends_key(),
    EdgeKind::Build.depends_key(),
    EdgeKind::Normal.uses_key(),
    EdgeKind::Dev.uses_key(),
    EdgeKind::Build.uses_key(),
    "requirements",
    "renamed-from",
    "features",
];
pub(crate) const REQUIREMENT_KEYS: &[&str] = &["id", "text"];
pub(crate) const ALLOW_KEYS: &[&str] = &["from", "to", "reason", "until"];
pub(crate) const FORBID_KEYS: &[&str] = &["layer", "crate", "uses", "only-uses", "reason"];
pub(crate) const CHECK_KEYS: &[&str] = &["pending-requirements", "suspect-requirements"];

/// Where a key that is unknown in one table belongs, or what it is called here: the slips of
/// someone who knows Cargo.toml, or who put a key in the wrong table.
pub(super) fn known_elsewhere(key: &str, here: &[&str]) -> Option<String> {
    let crate_table = here == CRATE_KEYS;
    let hint = match key {
        "name" if crate_table => "a crate's name is its table's key: `[crates.<name>]`".to_owned(),
        "dependencies" | "dev-dependencies" | "build-dependencies" if crate_table => {
            "list crates of this spec in `depends` (`dev-depends`, `build-depends`) and external \
             crates, by their key in `[dependencies]`, in `uses` (`dev-uses`, `build-uses`)"
                .to_owned()
        }
        "description" => "write it as `summary`".to_owned(),
        "type" | "crate-type" if crate_table => "write it as `kind`".to_owned(),
        "members" => "the members are the `[crates.<name>]` tables".to_owned(),
        _ => {
            let tables: [(&[&str], &str); 7] = [
                (WORKSPACE_KEYS, "`[workspace]`"),
                (CRATE_KEYS, "a `[crates.<name>]` table"),
                (LAYERS_KEYS, "`[layers]`"),
                (ALLOW_KEYS, "an `[[allow]]` table"),
                (FORBID_KEYS, "a `[[forbid]]` table"),
                (CHECK_KEYS, "`[check]`"),
                (TOP_KEYS, "the top level"),
            ];
            let (_, place) =
                tables.iter().find(|(keys, _)| *keys != here && keys.contains(&key))?;
            format!("`{key}` belongs in {place}")
        }
    };
    Some(hint)
}
