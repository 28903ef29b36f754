//! Where a workspace is, where its spec is, and how to show its paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use trellis_spec::{Diagnostic, SPEC_FILE, Spec};

use crate::{Error, StageError};

/// A workspace Trellis works on: its root folder, its spec, and the templates to render with.
///
/// Build one with [`Project::discover`] (as cargo finds its manifest: the nearest folder, from
/// where you stand upward, that holds a `Trellis.toml`) or [`Project::at`] (a root you name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    root: PathBuf,
    spec_file: PathBuf,
    templates: Option<PathBuf>,
    shown_root: String,
}

impl Project {
    /// The workspace whose root is `root`, with its spec at `root/Trellis.toml`. The folder
    /// need not exist yet (`plan` of a workspace still to be made). Paths are shown as `root`
    /// is written.
    pub fn at(root: impl Into<PathBuf>) -> Project {
        let root = root.into();
        let shown_root =
            if root == Path::new(".") { String::new() } else { root.display().to_string() };
        Project { spec_file: root.join(SPEC_FILE), root, templates: None, shown_root }
    }

    /// The workspace around `start`: the nearest of `start` and the folders above it that
    /// holds a `Trellis.toml`, the way cargo finds `Cargo.toml`. Paths are shown relative to
    /// `start` (`Trellis.toml`, `../../Trellis.toml`), so that they work where the caller
    /// stands.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Input`] when no folder from `start` up holds a spec.
    pub fn discover(start: impl AsRef<Path>) -> Result<Project, Error> {
        // Upward from a relative start means from where it is: `..` climbs above `.`.
        let given = start.as_ref();
        let absolute = std::path::absolute(given).unwrap_or_else(|_| given.to_path_buf());
        let start = absolute.as_path();
        let found = start.ancestors().enumerate().find(|(_, dir)| dir.join(SPEC_FILE).is_file());
        let Some((up, root)) = found else {
            return Err(Error::input(format!(
                "no `{SPEC_FILE}` in `{}` or any folder above it\n\
                 hint: at a workspace's root, `trellis infer > {SPEC_FILE}` writes one that describes it; \
                 or name the workspace with `--root DIR`",
                start.display()
            )));
        };
        let shown_root = vec![".."; up].join("/");
        Ok(Project {
            root: root.to_path_buf(),
            spec_file: root.join(SPEC_FILE),
            templates: None,
            shown_root,
        })
    }

    /// The same workspace with its spec kept in another file.
    pub fn with_spec(mut self, file: impl Into<PathBuf>) -> Project {
        self.spec_file = file.into();
        self
    }

    /// The same workspace rendered with a folder of templates that replace the defaults, by
    /// the same relative names (see docs/templates.md).
    pub fn with_templates(mut self, dir: impl Into<PathBuf>) -> Project {
        self.templates = Some(dir.into());
        self
    }

    /// The same workspace, its paths shown under `root` (`""`: as workspace-relative paths).
    pub fn shown_as(mut self, root: impl Into<String>) -> Project {
        self.shown_root = root.into();
        self
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The spec file.
    pub fn spec_file(&self) -> &Path {
        &self.spec_file
    }

    /// The folder of template overrides, if any.
    pub fn templates(&self) -> Option<&Path> {
        self.templates.as_deref()
    }

    /// How the root is shown: `""` when paths are shown relative to it.
    pub fn shown_root(&self) -> &str {
        &self.shown_root
    }

    /// A workspace-relative path (`/`-separated) as it is shown: `crates/a/Cargo.toml`, or
    /// `../../crates/a/Cargo.toml` from two folders down.
    pub fn show(&self, relative: &str) -> String {
        match (self.shown_root.as_str(), relative) {
            ("", rel) => rel.to_owned(),
            (root, "" | ".") => root.to_owned(),
            (root, rel) => format!("{}/{rel}", root.trim_end_matches('/')),
        }
    }

    /// The spec file as it is shown.
    pub fn shown_spec_file(&self) -> String {
        match self.spec_file.strip_prefix(&self.root) {
            Ok(rel) => self.show(&trellis_spec::slashed(rel)),
            Err(_) => self.spec_file.display().to_string(),
        }
    }

    /// A file a person named on the command line (`apply --accept FILE`) as [`crate::apply`]
    /// takes it: a relative path is taken from `here`, the current folder (as `plan` shows
    /// paths), when that leads into the workspace, else from the root. A path that names
    /// nothing yet is judged by the folder it would be in; `apply` refuses it after.
    pub fn accepted(&self, here: &Path, path: &Path) -> PathBuf {
        if path.is_absolute() {
            return path.to_path_buf();
        }
        let from_here = here.join(path);
        let canonical = |p: &Path| std::fs::canonicalize(p).ok();
        let resolved = canonical(&from_here).or_else(|| from_here.parent().and_then(canonical));
        let inside =
            resolved.zip(canonical(&self.root)).is_some_and(|(p, root)| p.starts_with(root));
        if inside { from_here } else { path.to_path_buf() }
    }

    /// Whether the spec is the workspace's own `Trellis.toml`.
    fn is_default_spec(&self) -> bool {
        self.spec_file == self.root.join(SPEC_FILE)
    }

    /// Reads and validates the spec.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Input`] when the spec is missing, not text, or has errors (then
    /// [`Error::diagnostics`] lists every one, and the spec's warnings); the environment's
    /// when it cannot be read.
    pub fn load(&self) -> Result<Loaded, Error> {
        let file = self.shown_spec_file();
        let text = std::fs::read_to_string(&self.spec_file).map_err(|e| match e.kind() {
            // A root that is not there: the folder is what is wrong, not a missing spec.
            std::io::ErrorKind::NotFound if !self.root.exists() && self.is_default_spec() => {
                Error::input(format!("there is no folder at `{}`", self.root.display()))
            }
            // The workspace's own spec missing: one can be written from the workspace.
            std::io::ErrorKind::NotFound if self.is_default_spec() => Error::input(format!(
                "no spec at `{file}`\nhint: `trellis infer > {}` writes one that describes the workspace",
                shell_word(&file)
            )),
            std::io::ErrorKind::NotFound => Error::input(format!("no spec at `{file}`")),
            std::io::ErrorKind::IsADirectory => Error::input(format!(
                "`{file}` is a folder, not a spec\nhint: name the spec file, e.g. `{file}/{SPEC_FILE}`"
            )),
            // A spec that is not UTF-8 is the user's input, not a failing machine.
            std::io::ErrorKind::InvalidData => {
                Error::input(format!("`{file}` is not UTF-8 text; a spec is a TOML file"))
            }
            _ => Error::env(format!("cannot read `{file}`: {e}")).caused_by(StageError::Io(e)),
        })?;
        Loaded::parse(text, file)
    }
}

/// A spec read and validated.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file, as diagnostics name it.
    pub file: String,
    /// The spec's text, as read.
    pub text: String,
    /// The validated model.
    pub spec: Spec,
    /// What is worth saying about it without failing (see [`trellis_spec::Parsed`]).
    pub warnings: Vec<Diagnostic>,
}

impl Loaded {
    /// Validates spec text; `file` is how diagnostics name it.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Input`], with every diagnostic, when the spec has errors.
    pub fn parse(text: String, file: String) -> Result<Loaded, Error> {
        match trellis_spec::parse(&text, &file) {
            Ok(parsed) => Ok(Loaded { file, text, spec: parsed.spec, warnings: parsed.warnings }),
            Err(diagnostics) => {
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                let plural = if errors == 1 { "" } else { "s" };
                let mut message = format!("`{file}` has {errors} error{plural}");
                // What a version-control merge leaves where both sides changed the same lines.
                if let Some(line) = text.lines().position(|l| l.starts_with("<<<<<<<")) {
                    message.push_str(&format!(
                        "\nnote: line {} opens a merge conflict two branches left in the spec\nhint: resolve it (keep the lines the system should have, remove the markers), then run this again; Trellis' own files merge by themselves",
                        line + 1
                    ));
                }
                Err(Error::input(message)
                    .with_diagnostics(diagnostics, BTreeMap::from([(file, text)])))
            }
        }
    }

    /// The warnings rendered (styled, a blank line after each); empty when there are none.
    pub fn render_warnings(&self) -> String {
        crate::render_diagnostics(
            &self.warnings,
            &BTreeMap::from([(self.file.clone(), self.text.clone())]),
        )
    }
}

/// The current folder, where a command line stands.
///
/// # Errors
///
/// [`crate::ErrorKind::Environment`] when it cannot be read (it was deleted, say).
pub fn current_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|e| {
        Error::env(format!("cannot read the current folder: {e}")).caused_by(StageError::Io(e))
    })
}

/// A path as a shell reads it back as one word: quoted when it holds more than plain
/// characters (hints are commands to paste).
pub fn shell_word(path: &str) -> String {
    if !path.is_empty()
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}
