//! Crate paths: their form, their normal spelling, and two crates on one path.

use std::collections::HashMap;

use super::V;
use crate::codes;
use crate::diag::Diagnostic;
use crate::names;
use crate::parse::Draft;

impl V<'_> {
    /// Checks and normalizes every crate's path (`.` is the package at the workspace root), then
    /// looks for two crates on one path.
    pub(super) fn paths(&mut self, draft: &mut Draft) {
        let mut ok: Vec<Option<String>> = Vec::new();
        for (c, places) in draft.spec.crates.iter_mut().zip(&draft.crates) {
            let span = places.path.clone().unwrap_or_else(|| c.span.clone());
            if places.path.is_none() && names::check_crate_name(c.name.as_str(), false).is_err() {
                // The default path comes from an invalid name, which is reported already.
                ok.push(None);
                continue;
            }
            // `.` is the package at the workspace root, beside `[workspace]`.
            let normalized = match normalize_path(&c.path) {
                Err(PathProblem::Root) => Ok(".".to_owned()),
                other => other,
            };
            match normalized {
                Ok(normal) => {
                    c.path = normal.clone();
                    ok.push(Some(normal));
                }
                Err(problem) => {
                    let (message, hint) = problem.describe(&c.path);
                    self.push(
                        Diagnostic::error(codes::INVALID_PATH, message)
                            .at(span, "invalid path")
                            .hint(hint),
                    );
                    ok.push(None);
                }
            }
        }
        // File systems on macOS and Windows ignore case, so paths that differ only in case are one.
        let mut owners: HashMap<String, usize> = HashMap::new();
        for (i, path) in ok.iter().enumerate() {
            if let Some(path) = path {
                owners.entry(path.to_lowercase()).or_insert(i);
            }
        }
        let spec = &draft.spec;
        for (i, path) in ok.iter().enumerate() {
            let Some(path) = path else { continue };
            let c = &spec.crates[i];
            let span = draft.crates[i].path.clone().unwrap_or_else(|| c.span.clone());
            let lower = path.to_lowercase();
            if let Some(&first) = owners.get(&lower).filter(|&&f| f != i) {
                let other = &spec.crates[first];
                self.push(
                    Diagnostic::error(
                        codes::PATH_OVERLAP,
                        format!("crates `{}` and `{}` are both at `{path}`", other.name, c.name),
                    )
                    .at(span, "same path")
                    .also(other.span.clone(), "first crate there")
                    .hint("give each crate its own folder with `path = \"…\"`"),
                );
                continue;
            }
            // A crate inside another crate's folder is allowed: cargo leaves a folder with
            // its own `Cargo.toml` out of the outer package, and real workspaces nest so.
        }
    }
}

/// The relative path from folder `from` to folder `to`, both normalized workspace-relative
/// paths (`.` or `""` is the root), as a `path = "…"` dependency between them is written.
pub fn relative_path(from: &str, to: &str) -> String {
    let split = |p: &str| -> Vec<String> {
        p.split('/').filter(|p| !p.is_empty() && *p != ".").map(str::to_owned).collect()
    };
    let (from, to) = (split(from), split(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(to[common..].iter().map(String::as_str));
    if out.is_empty() { ".".to_owned() } else { out.join("/") }
}

/// Why a crate path is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathProblem {
    /// `""`.
    #[error("the path is empty")]
    Empty,
    /// `a\b`: not portable.
    #[error("the path has a backslash")]
    Backslash,
    /// `/a`, `C:/a`, `~/a`.
    #[error("the path is absolute")]
    Absolute,
    /// A `..` component.
    #[error("the path leaves the workspace root")]
    Parent,
    /// `.` or `./`: the root itself.
    #[error("the path is the workspace root")]
    Root,
    /// Under `target/`, which `cargo clean` deletes.
    #[error("the path is inside cargo's build folder `target`")]
    BuildFolder,
    /// A folder name longer than file systems hold.
    #[error("the path has a folder name longer than {} bytes", names::MAX_FILE_NAME)]
    TooLong,
    /// A glob character (`*`, `?`, `[`, `]`), which `workspace.members` would expand.
    #[error("the path has a glob character")]
    Glob,
    /// A folder with a Windows device name (`aux`, `con.d`).
    #[error("the path has the folder `{0}`, a reserved name on Windows")]
    WindowsReserved(String),
    /// A character some system refuses in a file name: a control character (NUL and DEL
    /// included), `:`, or one of Windows' `<>"|`.
    #[error("the path has the character `{}`, which a file name cannot hold on every system", .0.escape_debug())]
    Character(char),
    /// A folder name that ends in `.` or a space, which Windows drops silently.
    #[error("the path has the folder `{0}`, whose name ends in `.` or a space")]
    TrailingDot(String),
    /// Inside a folder that belongs to a tool: version control's own (`.git`, `.hg`, `.svn`,
    /// `.jj`, anywhere in the path) or Trellis' bookkeeping (`.trellis` at the root).
    #[error("the path is inside `{0}`, which belongs to a tool")]
    Reserved(String),
}

/// Folders of version control's own, never a crate's, wherever they stand in a path.
const VCS_FOLDERS: [&str; 4] = [".git", ".hg", ".svn", ".jj"];

impl PathProblem {
    fn describe(&self, path: &str) -> (String, String) {
        let (message, hint) = match self {
            PathProblem::Empty => {
                ("the path is empty".to_owned(), "leave `path` out for the default `crates/<name>`")
            }
            PathProblem::Backslash => (
                format!("the path `{path}` has a backslash"),
                "separate folders with `/`, which works on every system",
            ),
            PathProblem::Absolute => (
                format!("the path `{path}` is absolute"),
                "paths are relative to the workspace root, e.g. \"crates/core\"",
            ),
            PathProblem::Parent => (
                format!("the path `{path}` leaves the workspace root"),
                "a crate's folder is inside the workspace; remove `..`",
            ),
            PathProblem::Root => (
                format!("the path `{path}` is the workspace root"),
                "write `path = \".\"` for the package at the root",
            ),
            PathProblem::BuildFolder => (
                format!("the path `{path}` is inside cargo's build folder `target`"),
                "`cargo clean` would delete it; choose another folder",
            ),
            PathProblem::TooLong => (
                format!(
                    "the path `{path}` has a folder name longer than {} bytes",
                    names::MAX_FILE_NAME
                ),
                "file systems hold 255 bytes a name; shorten it",
            ),
            PathProblem::Glob => (
                format!("the path `{path}` has a glob character (`*`, `?`, `[` or `]`)"),
                "cargo reads `workspace.members` as globs; name the folder without them",
            ),
            PathProblem::WindowsReserved(part) => (
                format!("the path `{path}` has the folder `{part}`, a reserved name on Windows"),
                "the folder could not be created on Windows; choose another name",
            ),
            PathProblem::Character(c) => (
                format!(
                    "the path `{}` has the character `{}`, which a file name cannot hold on every system",
                    path.escape_debug(),
                    c.escape_debug()
                ),
                "name folders with letters, digits, `-`, `_` and `.`",
            ),
            PathProblem::Reserved(part) => (
                format!("the path `{path}` is inside `{part}`"),
                if part == ".trellis" {
                    "`.trellis` holds Trellis' own bookkeeping; choose another folder"
                } else {
                    "that folder is version control's own (a crate there is invisible to it, or breaks it); choose another folder"
                },
            ),
            PathProblem::TrailingDot(part) => (
                format!(
                    "the path `{}` has the folder `{}`, whose name ends in `.` or a space",
                    path.escape_debug(),
                    part.escape_debug()
                ),
                "Windows drops the ending, so the folder would not be the one the spec names; remove it",
            ),
        };
        (message, hint.to_owned())
    }
}

/// A crate path with `.` and empty components removed (`./crates//a/` is `crates/a`), or why
/// it is refused. The spec's paths are normalized so; other stages may compare theirs the same way.
pub fn normalize_path(path: &str) -> Result<String, PathProblem> {
    if path.is_empty() {
        return Err(PathProblem::Empty);
    }
    if path.contains('\\') {
        return Err(PathProblem::Backslash);
    }
    let bytes = path.as_bytes();
    // `C:/a` or `C:\a`; `a:b` is refused below for its `:`.
    let drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    if path.starts_with('/') || path.starts_with('~') || drive {
        return Err(PathProblem::Absolute);
    }
    if let Some(c) =
        path.chars().find(|&c| c.is_control() || matches!(c, ':' | '<' | '>' | '"' | '|'))
    {
        return Err(PathProblem::Character(c));
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.contains(&"..") {
        return Err(PathProblem::Parent);
    }
    if parts.is_empty() {
        return Err(PathProblem::Root);
    }
    if parts[0] == "target" {
        return Err(PathProblem::BuildFolder);
    }
    if let Some(part) = parts.iter().find(|p| VCS_FOLDERS.contains(p)) {
        return Err(PathProblem::Reserved((*part).to_owned()));
    }
    if parts[0] == ".trellis" {
        return Err(PathProblem::Reserved(".trellis".to_owned()));
    }
    // Cargo reads `members` as globs, so a folder named with one of their characters could not
    // be listed as itself.
    if path.contains(['*', '?', '[', ']']) {
        return Err(PathProblem::Glob);
    }
    if parts.iter().any(|p| p.len() > names::MAX_FILE_NAME) {
        return Err(PathProblem::TooLong);
    }
    if let Some(part) = parts.iter().find(|p| {
        let stem = p.split('.').next().unwrap_or(p);
        names::is_windows_reserved(stem)
    }) {
        return Err(PathProblem::WindowsReserved((*part).to_owned()));
    }
    if let Some(part) = parts.iter().find(|p| p.ends_with(['.', ' '])) {
        return Err(PathProblem::TrailingDot((*part).to_owned()));
    }
    Ok(parts.join("/"))
}
