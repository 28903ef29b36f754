//! The files that still call a renamed crate by its old name, after `apply` moved it.

use std::path::{Path, PathBuf};

use trellis_sync::Rename;

/// A source file that calls a renamed crate by its old name (`old_name::`, `use old_name`,
/// `extern crate old_name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldName {
    /// The file, relative to the workspace root, `/`-separated.
    pub path: String,
    /// The crate's old package name (its `renamed-from`), the key its dependents keep.
    pub from: String,
    /// The crate's new package name.
    pub to: String,
}

/// The source files of each renamed crate's dependents (and of the members the spec does not
/// declare, whose edges it does not know) that still use its old name, found by reading every
/// `.rs` file under their folders (`target` folders aside).
pub(super) fn old_names(
    root: &Path,
    spec: &trellis_spec::Spec,
    renames: &[Rename],
    others: &[String],
) -> Vec<OldName> {
    let mut out = Vec::new();
    for rename in renames.iter().filter(|r| r.from != r.to) {
        let old = rename.from.replace('-', "_");
        let dependents = spec
            .crates
            .iter()
            .filter(|c| c.depends.iter().any(|(_, to)| to.name == rename.to))
            .map(|c| c.path.clone())
            .chain(others.iter().cloned());
        let mut files = Vec::new();
        for dir in dependents {
            rust_files(&root.join(&dir), &mut files);
        }
        files.sort();
        files.dedup();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            if !uses_crate(&text, &old) {
                continue;
            }
            let rel = file.strip_prefix(root).unwrap_or(&file);
            let path =
                rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
            let (from, to) = (rename.from.clone(), rename.to.clone());
            out.push(OldName { path: path.join("/"), from, to });
        }
    }
    out
}

/// Every `.rs` file under `dir`, `target` folders and hidden ones aside.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        match entry.file_type() {
            Ok(t) if t.is_dir() && name != "target" && !name.starts_with('.') => {
                rust_files(&path, out);
            }
            Ok(t) if t.is_file() && name.ends_with(".rs") => out.push(path),
            _ => {}
        }
    }
}

/// Whether Rust source names crate `name` as a path's first segment (`name::`), in a `use`
/// or in an `extern crate`.
fn uses_crate(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + name.len()..];
        if before.is_some_and(ident) || after.chars().next().is_some_and(ident) {
            return false;
        }
        let head = text[..at].trim_end();
        let last_word = |s: &str| s.rsplit(|c: char| !ident(c)).next().unwrap_or("").to_owned();
        let word = last_word(head);
        let extern_crate =
            word == "crate" && last_word(head[..head.len() - word.len()].trim_end()) == "extern";
        // `name::…`, but not `other::name::…`.
        let path = after.trim_start().starts_with("::") && !head.ends_with("::");
        path || word == "use" || extern_crate
    })
}

#[cfg(test)]
mod tests {
    use super::uses_crate;

    #[test]
    fn a_crate_is_used_by_name_as_a_paths_head_a_use_or_an_extern_crate() {
        for text in [
            "use core_types::answer;",
            "fn f() { core_types :: answer() }",
            "pub use core_types;",
            "extern crate core_types;",
            "extern   crate\ncore_types as c;",
        ] {
            assert!(uses_crate(text, "core_types"), "{text}");
        }
        for text in
            ["my_core_types::x", "crate::core_types::x", "let core_types = 1;", "reuse core_types"]
        {
            assert!(!uses_crate(text, "core_types"), "{text}");
        }
    }
}
