//! Cargo's rules for package names, as `cargo new` enforces them, and Rust's for module names.
//!
//! Cargo refuses some names outright and only warns about others; Trellis refuses what cargo
//! refuses, plus what would break the workspace it generates (a non-ASCII name rustc cannot
//! load), and warns where cargo warns.

#[cfg(test)]
mod tests;

use thiserror::Error;

use crate::codes;
use crate::diag::Diagnostic;
use crate::model::{CrateKind, CrateSpec, Spec};

/// Why a name cannot be a package name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NameError {
    /// The name is empty.
    #[error("the name is empty")]
    Empty,
    /// The name starts with a digit, `-` or another character that cannot start an identifier.
    #[error("`{name}` starts with `{first}`; a package name must start with a letter or `_`")]
    BadStart {
        /// The name.
        name: String,
        /// Its first character.
        first: char,
    },
    /// The name holds a character other than an ASCII letter, digit, `-` or `_`.
    #[error(
        "`{name}` contains `{found}`; a package name may hold only ASCII letters, digits, `-` and `_`"
    )]
    BadChar {
        /// The name.
        name: String,
        /// The first offending character.
        found: char,
    },
    /// The name is a Rust keyword.
    #[error("`{0}` is a Rust keyword")]
    Keyword(String),
    /// Longer than a file name may be: the crate's folder and files are named after it.
    #[error(
        "the name is {0} bytes long; a file name holds {MAX_FILE_NAME} bytes, and the crate's files add `.rs` to it"
    )]
    TooLong(usize),
    /// `test` would shadow Rust's built-in test library.
    #[error("`test` conflicts with Rust's built-in test library")]
    Test,
    /// The name is one of cargo's build-folder names, and the crate has a binary of that name.
    #[error("`{0}` conflicts with cargo's build folder names for a crate with a binary")]
    BuildFolder(String),
    /// The name is a reserved file name on Windows.
    #[error("`{0}` is a reserved file name on Windows")]
    WindowsReserved(String),
}

/// Something cargo accepts but warns about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameWarning {
    /// `core`, `std`, `alloc`, `proc_macro`, `proc-macro`, `test`-like names of the standard library.
    StdLibrary,
    /// The name has upper-case letters (cargo recommends snake_case or kebab-case).
    UpperCase,
    /// A library named after a build folder cannot later grow a binary of the same name.
    BuildFolderLib,
    /// A `bin` crate named after a build folder: one that exists keeps binaries of other
    /// names (`[[bin]] name = "…"`), but the `src/main.rs` Trellis seeds for a new one would be
    /// a binary of the crate's name, which cargo refuses (see [`created_binaries`]).
    BuildFolderBin,
    /// Two separators in a row (`a--b`, `a_-b`): `a__b` in code, which rustc's
    /// `non_snake_case` lint warns about (cargo does not).
    DoubleSeparator,
}

impl NameWarning {
    /// What to say about it: lowercase, no trailing period.
    pub fn message(&self, name: &str) -> String {
        match self {
            NameWarning::StdLibrary => {
                format!("the name `{name}` is part of Rust's standard library")
            }
            NameWarning::UpperCase => {
                format!("the name `{name}` is not snake_case or kebab-case")
            }
            NameWarning::BuildFolderLib => format!(
                "the name `{name}` conflicts with cargo's build folder names, so the crate can \
                 never have a binary of that name"
            ),
            NameWarning::BuildFolderBin => format!(
                "the name `{name}` conflicts with cargo's build folder names, so the crate's \
                 binaries must have other names and Trellis cannot create it"
            ),
            NameWarning::DoubleSeparator => format!(
                "the name `{name}` is `{}` in code, which is not snake_case",
                crate_ident(name)
            ),
        }
    }

    /// Who warns: said under the underline.
    pub fn label(&self) -> &'static str {
        match self {
            NameWarning::DoubleSeparator => "rustc warns about this name",
            NameWarning::BuildFolderBin => "cargo refuses a binary of this name",
            _ => "cargo warns about this name",
        }
    }

    /// What to do about it.
    pub fn hint(&self, name: &str) -> String {
        match self {
            NameWarning::StdLibrary => {
                "use another name, to avoid confusing it with the standard library".to_owned()
            }
            NameWarning::UpperCase => format!(
                "cargo recommends `{}`; rustc's `non_snake_case` lint warns about the crate too, \
                 which fails `clippy -D warnings` unless its root allows that lint",
                name.to_lowercase()
            ),
            NameWarning::BuildFolderLib => "use another name if the crate may need a binary".into(),
            NameWarning::BuildFolderBin => format!(
                "a crate that exists keeps its `[[bin]]` names; a new one needs another name, \
                 e.g. `{name}-rs`"
            ),
            NameWarning::DoubleSeparator => {
                let mut single = name.replace('_', "-");
                while single.contains("--") {
                    single = single.replace("--", "-");
                }
                format!(
                    "rustc's `non_snake_case` lint warns about the crate, which fails \
                     `clippy -D warnings` unless its root allows that lint; e.g. `{single}`"
                )
            }
        }
    }
}

/// Rust's keywords, strict and reserved, as cargo lists them. `gen`, reserved since the 2024
/// edition only, is in `EDITION_2024_KEYWORDS`: cargo itself accepts it as a package name.
pub const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The longest file or folder name most file systems hold, in bytes (ext4, APFS, NTFS: 255).
pub(crate) const MAX_FILE_NAME: usize = 255;

/// Keywords reserved from the 2024 edition on: code of that edition could not name a crate so.
pub(crate) const EDITION_2024_KEYWORDS: &[&str] = &["gen"];

/// Folder names inside cargo's `target/<profile>/`: a binary of that name would collide.
pub const BUILD_FOLDERS: &[&str] = &["deps", "examples", "build", "incremental"];

/// Whether `name` is a Rust keyword (see [`KEYWORDS`]).
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Whether `name` is a reserved device name on Windows, in any case (`con`, `NUL`, `com1`…).
pub fn is_windows_reserved(name: &str) -> bool {
    const FIXED: [&str; 4] = ["con", "prn", "aux", "nul"];
    if FIXED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_bytes(), [b'c', b'o', b'm', b'1'..=b'9'] | [b'l', b'p', b't', b'1'..=b'9'])
}

/// Checks a package name by cargo's rules. `has_bin` says whether the crate has a binary named
/// after it (cargo refuses build-folder names only then).
///
/// Returns the first reason the name is refused, or the warnings cargo would print.
pub fn check_crate_name(name: &str, has_bin: bool) -> Result<Vec<NameWarning>, NameError> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Err(NameError::Empty);
    };
    if !(first.is_ascii_alphabetic() || first == '_') {
        return Err(NameError::BadStart { name: name.to_owned(), first });
    }
    if let Some(found) = chars.find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        return Err(NameError::BadChar { name: name.to_owned(), found });
    }
    if is_keyword(name) {
        return Err(NameError::Keyword(name.to_owned()));
    }
    // Its folder, and an example or a binary's file `<name>.rs`, are named after it.
    if name.len() + ".rs".len() > MAX_FILE_NAME {
        return Err(NameError::TooLong(name.len()));
    }
    if name == "test" {
        return Err(NameError::Test);
    }
    if is_windows_reserved(name) {
        return Err(NameError::WindowsReserved(name.to_owned()));
    }
    let mut warnings = Vec::new();
    if BUILD_FOLDERS.contains(&name) {
        if has_bin {
            return Err(NameError::BuildFolder(name.to_owned()));
        }
        warnings.push(NameWarning::BuildFolderLib);
    }
    if ["core", "std", "alloc", "proc_macro", "proc-macro"].contains(&name) {
        warnings.push(NameWarning::StdLibrary);
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        warnings.push(NameWarning::UpperCase);
    }
    if crate_ident(name).trim_matches('_').contains("__") {
        warnings.push(NameWarning::DoubleSeparator);
    }
    Ok(warnings)
}

/// The rules every package name meets, whoever publishes it: its form only, not cargo's
/// reserved words (an external crate's name is its owner's choice).
pub(crate) fn check_form(name: &str) -> Result<(), NameError> {
    match check_crate_name(name, false) {
        Err(e @ (NameError::Empty | NameError::BadStart { .. } | NameError::BadChar { .. })) => {
            Err(e)
        }
        _ => Ok(()),
    }
}

/// The `bin` crates Trellis would create (as `created` says: `new` creates every crate, `apply`
/// those without a manifest) under a name cargo refuses for their binary: the `src/main.rs`
/// Trellis seeds is a binary named after the crate, and cargo refuses a binary named after one
/// of its build folders (`examples`). A crate that exists, with binaries of other names, is
/// kept: only what Trellis would create is refused. Each is an error in `file`.
pub fn created_binaries(
    spec: &Spec,
    file: &str,
    created: impl Fn(&CrateSpec) -> bool,
) -> Vec<Diagnostic> {
    spec.crates
        .iter()
        .filter(|c| c.kind == CrateKind::Bin && created(c))
        .filter_map(|c| {
            let name = c.name.as_str();
            let e = check_crate_name(name, true).err()?;
            Some(
                Diagnostic::error(codes::INVALID_CRATE_NAME, format!("invalid crate name: {e}"))
                    .in_file(file)
                    .at(c.span.clone(), "Trellis would create its binary, named after the crate")
                    .hint(format!(
                        "cargo refuses a binary named `{name}`; Trellis keeps a crate of this \
                         name that exists with binaries named otherwise, but cannot create one: \
                         choose another name, e.g. `{name}-rs`"
                    )),
            )
        })
        .collect()
}

/// Why a name cannot be a module (or a generated test function).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentError {
    /// Not of the form `[a-z_][a-z0-9_]*` (an ASCII identifier: rustc needs `#[path]` for a
    /// non-ASCII module).
    #[error("`{0}` is not an ASCII Rust identifier")]
    NotIdent(String),
    /// A Rust keyword.
    #[error("`{0}` is a Rust keyword")]
    Keyword(String),
    /// Upper case or a doubled `_` inside: rustc's `non_snake_case` lint warns, and the
    /// generated workspace denies warnings.
    #[error("`{0}` is not snake_case")]
    NotSnakeCase(String),
}

/// Checks that `name` can name a module or function in generated code without a lint warning.
pub fn check_ident(name: &str) -> Result<(), IdentError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !first_ok || !rest_ok || name.chars().all(|c| c == '_') {
        return Err(IdentError::NotIdent(name.to_owned()));
    }
    // Modules and tests are code of any edition the spec may name: 2024's keywords too.
    if is_keyword(name) || EDITION_2024_KEYWORDS.contains(&name) {
        return Err(IdentError::Keyword(name.to_owned()));
    }
    let inner = name.trim_matches('_');
    if name.chars().any(|c| c.is_ascii_uppercase()) || inner.contains("__") {
        return Err(IdentError::NotSnakeCase(name.to_owned()));
    }
    Ok(())
}

/// How Rust code sees a package name: `-` becomes `_`.
pub(crate) fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

/// Whether Rust source `text` declares module `m` (`mod m;`, `pub mod m {`, `pub(crate) mod m;`):
/// a line whose words, after any visibility, are `mod` and the name. Comments are not parsed:
/// a commented-out declaration counts, which errs on the side of no finding.
pub fn declares_module(text: &str, m: &str) -> bool {
    text.lines().any(|line| {
        let mut rest = line.trim_start();
        if let Some(after) = rest.strip_prefix("pub") {
            rest = after.trim_start();
            if let Some(after) = rest.strip_prefix('(') {
                rest = after.split_once(')').map_or("", |(_, r)| r).trim_start();
            }
        }
        let Some(after) = rest.strip_prefix("mod") else { return false };
        let after = after.trim_start();
        after.strip_prefix(m).is_some_and(|tail| {
            let tail = tail.trim_start();
            tail.starts_with(';') || tail.starts_with('{')
        })
    })
}
