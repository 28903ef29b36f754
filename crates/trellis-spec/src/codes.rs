//! Every diagnostic code the spec stage emits, in one place; docs/spec.md documents each one.

use crate::diag::Code;

/// The text is not valid TOML.
pub const TOML_SYNTAX: Code = Code::new("S001", "toml-syntax");
/// A key the format does not know, where it stands.
pub const UNKNOWN_KEY: Code = Code::new("S002", "unknown-key");
/// A value of the wrong TOML type.
pub const WRONG_TYPE: Code = Code::new("S003", "wrong-type");
/// A required key is absent.
pub const MISSING_KEY: Code = Code::new("S004", "missing-key");
/// A value of the right type that is not allowed (an unknown edition, kind, version form…).
pub const INVALID_VALUE: Code = Code::new("S005", "invalid-value");
/// A crate name cargo refuses.
pub const INVALID_CRATE_NAME: Code = Code::new("S006", "invalid-crate-name");
/// A crate name cargo accepts with a warning (a warning here too).
pub const DISCOURAGED_CRATE_NAME: Code = Code::new("S007", "discouraged-crate-name");
/// Two crates whose names are one once `-` becomes `_`.
pub const CRATE_NAME_COLLISION: Code = Code::new("S008", "crate-name-collision");
/// A crate path that is absolute, empty, leaves the root or is otherwise malformed.
pub const INVALID_PATH: Code = Code::new("S009", "invalid-path");
/// Two crates on one path, or one inside another.
pub const PATH_OVERLAP: Code = Code::new("S010", "path-overlap");
/// A crate name that is not declared in `[crates]`.
pub const UNKNOWN_CRATE: Code = Code::new("S012", "unknown-crate");
/// A `uses` entry that is not declared in `[dependencies]`.
pub const UNKNOWN_DEPENDENCY: Code = Code::new("S013", "unknown-dependency");
/// A dependency on a `bin` crate, which has no library.
pub const DEPENDS_ON_BINARY: Code = Code::new("S014", "depends-on-binary");
/// A crate that depends on itself.
pub const SELF_DEPENDENCY: Code = Code::new("S015", "self-dependency");
/// A cycle through normal and build dependencies.
pub const DEPENDENCY_CYCLE: Code = Code::new("S016", "dependency-cycle");
/// A normal or build edge from a lower layer to a higher one.
pub const LAYER_VIOLATION: Code = Code::new("S017", "layer-violation");
/// A layer that `[layers] order` does not declare.
pub const UNKNOWN_LAYER: Code = Code::new("S018", "unknown-layer");
/// A crate without `layer` though layers are declared.
pub const MISSING_LAYER: Code = Code::new("S019", "missing-layer");
/// A crate with `layer` though no layers are declared.
pub const LAYER_WITHOUT_LAYERS: Code = Code::new("S020", "layer-without-layers");
/// A layer named twice in `[layers] order`.
pub const DUPLICATE_LAYER: Code = Code::new("S021", "duplicate-layer");
/// A requirement id used twice in the spec.
pub const DUPLICATE_REQUIREMENT: Code = Code::new("S022", "duplicate-requirement");
/// A requirement id of the wrong form, or whose test name Rust would refuse.
pub const INVALID_REQUIREMENT_ID: Code = Code::new("S023", "invalid-requirement-id");
/// Two requirement ids that give the same test name.
pub const REQUIREMENT_NAME_COLLISION: Code = Code::new("S024", "requirement-name-collision");
/// A text that must say something is empty (requirement text, allow reason).
pub const EMPTY_TEXT: Code = Code::new("S025", "empty-text");
/// A module name that is not a snake_case ASCII identifier, is a keyword, or is taken.
pub const INVALID_MODULE: Code = Code::new("S026", "invalid-module");
/// A module named twice in one crate.
pub const DUPLICATE_MODULE: Code = Code::new("S027", "duplicate-module");
/// A crate that uses an external dependency whose name in code is that of a crate it depends
/// on, or its own (`-` and `_` alike, spelled differently): one name for two crates.
pub const DEPENDENCY_SHADOWS_CRATE: Code = Code::new("S028", "dependency-shadows-crate");
/// A spec that declares no crate.
pub const NO_CRATES: Code = Code::new("S029", "no-crates");
/// The same name twice in one `depends`/`uses` list.
pub const DUPLICATE_ENTRY: Code = Code::new("S030", "duplicate-entry");
/// A `renamed-from` equal to the crate's name or to another current crate.
pub const INVALID_RENAME: Code = Code::new("S031", "invalid-rename");
/// An external dependency with no source, or a git reference that does not fit.
pub const INVALID_SOURCE: Code = Code::new("S032", "invalid-source");
/// An external dependency no crate uses (a warning).
pub const UNUSED_DEPENDENCY: Code = Code::new("S033", "unused-dependency");
/// A `format` this version of Trellis does not read.
pub const UNSUPPORTED_FORMAT: Code = Code::new("S034", "unsupported-format");
/// A `[[forbid]]` of the wrong shape: both or neither of `layer` and `crate`, both or neither
/// of `uses` and `only-uses`, an empty list, an empty or invalid glob.
pub const INVALID_RULE: Code = Code::new("S035", "invalid-rule");
/// A crate whose own `uses` breaks a `[[forbid]]` rule of the spec.
pub const FORBIDDEN_USE: Code = Code::new("S036", "forbidden-use");
/// An `[[allow]]` whose `until` is not a `YYYY-MM-DD` date.
pub const INVALID_DATE: Code = Code::new("S037", "invalid-date");

/// Every code above, in id order.
pub const ALL: &[Code] = &[
    TOML_SYNTAX,
    UNKNOWN_KEY,
    WRONG_TYPE,
    MISSING_KEY,
    INVALID_VALUE,
    INVALID_CRATE_NAME,
    DISCOURAGED_CRATE_NAME,
    CRATE_NAME_COLLISION,
    INVALID_PATH,
    PATH_OVERLAP,
    UNKNOWN_CRATE,
    UNKNOWN_DEPENDENCY,
    DEPENDS_ON_BINARY,
    SELF_DEPENDENCY,
    DEPENDENCY_CYCLE,
    LAYER_VIOLATION,
    UNKNOWN_LAYER,
    MISSING_LAYER,
    LAYER_WITHOUT_LAYERS,
    DUPLICATE_LAYER,
    DUPLICATE_REQUIREMENT,
    INVALID_REQUIREMENT_ID,
    REQUIREMENT_NAME_COLLISION,
    EMPTY_TEXT,
    INVALID_MODULE,
    DUPLICATE_MODULE,
    DEPENDENCY_SHADOWS_CRATE,
    NO_CRATES,
    DUPLICATE_ENTRY,
    INVALID_RENAME,
    INVALID_SOURCE,
    UNUSED_DEPENDENCY,
    UNSUPPORTED_FORMAT,
    INVALID_RULE,
    FORBIDDEN_USE,
    INVALID_DATE,
];
