//! A validated spec in, the files of its workspace out: the second stage of Trellis.
//!
//! Rendering is pure given its templates: the defaults are embedded from `templates/`, and a
//! team's overrides are read once by [`Templates::with_overrides`]. Files go out as
//! [`PlannedFile`]s; only the sync stage decides what to do with them on disk.

mod context;
mod templates;
mod text;

pub use templates::{DEFAULTS, TemplateError, Templates};
use trellis_spec::{CrateKind, Spec};

/// Where every generated workspace keeps its own `xtask` crate.
pub const XTASK_PATH: &str = "xtask";

/// The spec's file name at a workspace root.
pub const SPEC_FILE: &str = "Trellis.toml";

/// One file of the workspace, as Trellis would write it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the workspace root, `/`-separated, never absolute, never with `..`.
    pub path: String,
    /// The whole text Trellis wants there.
    pub contents: String,
    /// Who owns which byte of it once it exists.
    pub ownership: Ownership,
}

/// How the sync stage may touch a file that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ownership {
    /// A Cargo manifest: merged key by key. Trellis owns the keys it renders (and those the
    /// ledger says it rendered last time); every other key, comment and blank line is the
    /// person's.
    Manifest,
    /// A seeded file (sources, tests, docs): written when absent, rewritten only while it is
    /// exactly what Trellis last wrote.
    Seeded,
    /// Written when absent and never again: the person owns it from the first byte
    /// (`Trellis.toml` itself).
    Once,
}

/// A template failed to render.
#[derive(Debug, thiserror::Error)]
#[error("cannot render `{file}` from template `{template}`: {message}")]
pub struct RenderError {
    /// The file being rendered.
    pub file: String,
    /// The template it comes from.
    pub template: String,
    /// Handlebars' message (strict mode names the missing variable).
    pub message: String,
}

/// Renders every file of the workspace a spec describes, sorted by path.
///
/// `spec_text` is the spec as written: the workspace keeps it as `Trellis.toml`.
pub fn render(
    spec: &Spec,
    spec_text: &str,
    templates: &Templates,
) -> Result<Vec<PlannedFile>, RenderError> {
    use Ownership::{Manifest, Once, Seeded};

    let workspace = handlebars::Context::from(context::workspace(spec));
    let meta = context::meta(spec);
    let mut files = Vec::new();
    let mut emit = |path: String, template: &str, context: &handlebars::Context, ownership| {
        let contents = templates.render(template, context).map_err(|e| RenderError {
            file: path.clone(),
            template: template.to_owned(),
            message: e.to_string(),
        })?;
        files.push(PlannedFile { path, contents, ownership });
        Ok::<(), RenderError>(())
    };

    for (path, template, ownership) in [
        ("Cargo.toml", "workspace/Cargo.toml", Manifest),
        ("README.md", "workspace/README.md", Seeded),
        ("ARCHITECTURE.md", "workspace/ARCHITECTURE.md", Seeded),
        (".gitignore", "workspace/.gitignore", Seeded),
        ("rustfmt.toml", "workspace/rustfmt.toml", Seeded),
        (".cargo/config.toml", "workspace/.cargo/config.toml", Seeded),
        ("xtask/Cargo.toml", "workspace/xtask/Cargo.toml", Manifest),
        ("xtask/src/main.rs", "workspace/xtask/src/main.rs", Seeded),
    ] {
        emit(path.to_owned(), template, &workspace, ownership)?;
    }

    for krate in &spec.crates {
        let base = &krate.path;
        let krate_value = context::crate_value(krate);
        let context = handlebars::Context::from(context::for_crate(&meta, &krate_value, None));
        emit(format!("{base}/Cargo.toml"), "crate/Cargo.toml", &context, Manifest)?;
        match krate.kind {
            CrateKind::Lib | CrateKind::ProcMacro => {
                emit(format!("{base}/src/lib.rs"), "crate/src/lib.rs", &context, Seeded)?;
            }
            CrateKind::Bin => {
                emit(format!("{base}/src/main.rs"), "crate/src/main.rs", &context, Seeded)?;
            }
        }
        for module in &krate.modules {
            let extra = Some(("module", serde_json::Value::from(module.name.as_str())));
            let module_context =
                handlebars::Context::from(context::for_crate(&meta, &krate_value, extra));
            let path = format!("{base}/src/{}.rs", module.name);
            emit(path, "crate/src/module.rs", &module_context, Seeded)?;
        }
        if !krate.depends.build.is_empty() || !krate.uses.build.is_empty() {
            emit(format!("{base}/build.rs"), "crate/build.rs", &context, Seeded)?;
        }
        if !krate.requirements.is_empty() {
            let tests = format!("{base}/tests/requirements");
            emit(format!("{tests}/main.rs"), "crate/tests/requirements/main.rs", &context, Seeded)?;
            for requirement in &krate.requirements {
                let path = format!("{tests}/{}.rs", requirement.test_name());
                let extra = Some(("requirement", context::requirement(requirement)));
                let req_context =
                    handlebars::Context::from(context::for_crate(&meta, &krate_value, extra));
                emit(path, "crate/tests/requirements/requirement.rs", &req_context, Seeded)?;
            }
        }
    }

    files.push(PlannedFile {
        path: SPEC_FILE.to_owned(),
        contents: spec_text.to_owned(),
        ownership: Once,
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
