//! Every finding `check` can report, with its stable id and name (docs/check.md explains each).
//!
//! An id never changes meaning once released; a retired id is never reused.

use trellis_spec::Code;

/// A crate the spec declares is not a member of the workspace.
pub const MISSING_CRATE: Code = Code::new("C001", "missing-crate");
/// A member of the workspace is not in the spec.
pub const UNDECLARED_CRATE: Code = Code::new("C002", "undeclared-crate");
/// A crate's targets do not include the kind the spec gives it.
pub const KIND_MISMATCH: Code = Code::new("C003", "kind-mismatch");
/// A crate lives at another folder than the spec says.
pub const PATH_MISMATCH: Code = Code::new("C004", "path-mismatch");
/// A manifest has an internal dependency the spec does not declare.
pub const UNDECLARED_EDGE: Code = Code::new("C005", "undeclared-edge");
/// The spec declares an internal dependency no manifest has.
pub const MISSING_EDGE: Code = Code::new("C006", "missing-edge");
/// A normal or build dependency goes from a lower layer to a higher one.
pub const LAYER_VIOLATION: Code = Code::new("C007", "layer-violation");
/// Normal and build dependencies form a cycle.
pub const CYCLE: Code = Code::new("C008", "cycle");
/// A member uses an external crate the spec's `[dependencies]` does not list.
pub const UNDECLARED_DEPENDENCY: Code = Code::new("C009", "undeclared-dependency");
/// A member uses a listed external crate that its `uses` does not name (a warning).
pub const UNDECLARED_USE: Code = Code::new("C010", "undeclared-use");
/// The spec says a crate uses an external crate its manifest lacks (a warning).
pub const MISSING_USE: Code = Code::new("C011", "missing-use");
/// An `[[allow]]` entry matches no finding: the exception has rotted.
pub const UNUSED_ALLOWANCE: Code = Code::new("C012", "unused-allowance");

/// A member's `package.description` is not the spec's summary of it (a warning).
pub const SUMMARY_DRIFT: Code = Code::new("C013", "summary-drift");
/// A module the spec declares has neither its file nor its `mod` line (a warning).
pub const MISSING_MODULE: Code = Code::new("C014", "missing-module");
/// A member uses an external crate a `[[forbid]]` rule of the spec forbids it: directly, or
/// with `check --deep` through another crate.
pub const FORBIDDEN_DEPENDENCY: Code = Code::new("C015", "forbidden-dependency");
/// An `[[allow]]` that expires (its `until`) within 30 days (a warning).
pub const EXPIRING_ALLOWANCE: Code = Code::new("C016", "expiring-allowance");

/// Every code, in id order.
pub const ALL: [Code; 16] = [
    MISSING_CRATE,
    UNDECLARED_CRATE,
    KIND_MISMATCH,
    PATH_MISMATCH,
    UNDECLARED_EDGE,
    MISSING_EDGE,
    LAYER_VIOLATION,
    CYCLE,
    UNDECLARED_DEPENDENCY,
    UNDECLARED_USE,
    MISSING_USE,
    UNUSED_ALLOWANCE,
    SUMMARY_DRIFT,
    MISSING_MODULE,
    FORBIDDEN_DEPENDENCY,
    EXPIRING_ALLOWANCE,
];
