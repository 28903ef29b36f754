//! The Handlebars templates a workspace is rendered from: the defaults embedded from
//! `templates/`, and a team's overrides found by walking a folder of its own.
//!
//! Strict mode is on (a missing variable is an error, never an empty string) and HTML escaping
//! is off: the helpers in [`crate::text`] do the quoting each target language needs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use handlebars::{Handlebars, handlebars_helper};
use walkdir::WalkDir;

/// Declares the default templates: each name is a path under `templates/` without `.hbs`.
macro_rules! defaults {
    ($($name:literal),* $(,)?) => {
        /// Every template Trellis knows, with its default text.
        pub const DEFAULTS: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../../templates/", $name, ".hbs")))),*
        ];
    };
}

defaults![
    "workspace/Cargo.toml",
    "workspace/README.md",
    "workspace/ARCHITECTURE.md",
    "workspace/.gitignore",
    "workspace/rustfmt.toml",
    "workspace/.cargo/config.toml",
    "workspace/xtask/Cargo.toml",
    "workspace/xtask/src/main.rs",
    "workspace/.github/workflows/ci.yml",
    "crate/Cargo.toml",
    "crate/src/lib.rs",
    "crate/src/main.rs",
    "crate/src/module.rs",
    "crate/build.rs",
    "crate/tests/requirements/main.rs",
    "crate/tests/requirements/requirement.rs",
];

/// A template set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The override folder, or a file in it, could not be read.
    #[error("cannot read templates from `{}`", path.display())]
    Read {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An override has a name no default has: most likely a typo that would silently do nothing.
    #[error("unknown template `{}`\nhint: overrides must have the relative name of a default template; known: {known}", path.display())]
    Unknown {
        /// The override's path.
        path: PathBuf,
        /// The known names, comma-separated.
        known: String,
    },
    /// A template does not parse.
    #[error("template `{name}` does not parse: {message}")]
    Syntax {
        /// The template's name.
        name: String,
        /// Handlebars' message, with line and column.
        message: String,
    },
}

/// A loaded template set, ready to render.
#[derive(Debug)]
pub struct Templates {
    registry: Handlebars<'static>,
    /// Each template's length: what its output starts with room for.
    sizes: HashMap<String, usize>,
}

impl Templates {
    /// The defaults embedded from `templates/`.
    pub fn embedded() -> Templates {
        let mut registry = registry();
        for (name, text) in DEFAULTS {
            // The defaults are tested to parse (the tidy tests), so this cannot fail at run time.
            registry
                .register_template_string(name, text)
                .unwrap_or_else(|e| panic!("embedded template `{name}` does not parse: {e}"));
        }
        let sizes = DEFAULTS.iter().map(|(name, text)| ((*name).to_owned(), text.len())).collect();
        Templates { registry, sizes }
    }

    /// The defaults, with every template found under `dir` (by the same relative name, plus
    /// `.hbs`) taking the place of its default. Hidden files (`.gitignore.hbs`) count too.
    pub fn with_overrides(dir: &Path) -> Result<Templates, TemplateError> {
        let mut templates = Templates::embedded();
        for entry in WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| TemplateError::Read {
                path: e.path().unwrap_or(dir).to_path_buf(),
                source: e.into(),
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let relative = path.strip_prefix(dir).unwrap_or(path);
            let name = relative
                .to_str()
                .and_then(|s| s.strip_suffix(".hbs"))
                .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"))
                .filter(|name| DEFAULTS.iter().any(|(known, _)| known == name))
                .ok_or_else(|| TemplateError::Unknown {
                    path: path.to_path_buf(),
                    known: DEFAULTS
                        .iter()
                        .map(|(n, _)| format!("{n}.hbs"))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let text = std::fs::read_to_string(path)
                .map_err(|source| TemplateError::Read { path: path.to_path_buf(), source })?;
            templates.registry.register_template_string(&name, text).map_err(|e| {
                TemplateError::Syntax { name: name.clone(), message: e.to_string() }
            })?;
        }
        Ok(templates)
    }

    /// Renders one template with a context. Taking a ready [`handlebars::Context`] (not a
    /// `Serialize` value, which Handlebars would serialize anew on every call) lets one context
    /// serve many files.
    pub(crate) fn render(
        &self,
        name: &str,
        context: &handlebars::Context,
    ) -> Result<String, handlebars::RenderError> {
        // Handlebars' own output starts empty and doubles as it grows; room for about the
        // template's length up front saves those copies, a fifth of rendering's time.
        let size = self.sizes.get(name).copied().unwrap_or(0);
        let mut out = Vec::with_capacity(size * 2);
        self.registry.render_with_context_to_write(name, context, &mut out)?;
        // Templates and contexts are `str`, and Handlebars writes only what they hold.
        Ok(String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

fn registry() -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(handlebars::no_escape);
    registry.register_helper("toml_str", Box::new(toml_str));
    registry.register_helper("toml_key", Box::new(toml_key));
    registry.register_helper("rust_str", Box::new(rust_str));
    registry.register_helper("doc", Box::new(doc));
    registry.register_helper("doc_item", Box::new(doc_item));
    registry.register_helper("md_cell", Box::new(md_cell));
    registry.register_helper("md_line", Box::new(md_line));
    registry.register_helper("snake", Box::new(snake));
    registry.register_helper("mermaid_id", Box::new(mermaid_id));
    registry.register_helper("mermaid_label", Box::new(mermaid_label));
    registry.register_helper("mermaid_layer_id", Box::new(mermaid_layer_id));
    registry.register_helper("pascal", Box::new(pascal));
    registry.register_helper("kebab", Box::new(kebab));
    registry
}

handlebars_helper!(toml_str: |s: str| crate::text::toml_str(s));
handlebars_helper!(toml_key: |s: str| crate::text::toml_key(s));
handlebars_helper!(rust_str: |s: str| crate::text::rust_str(s));
handlebars_helper!(doc: |prefix: str, s: str| crate::text::doc(prefix, s));
handlebars_helper!(doc_item: |prefix: str, label: str, s: str| crate::text::doc_item(prefix, label, s));
handlebars_helper!(md_cell: |s: str| crate::text::md_cell(s));
handlebars_helper!(md_line: |s: str| crate::text::md_line(s));
handlebars_helper!(mermaid_id: |s: str| trellis_spec::graph::mermaid_id(s));
handlebars_helper!(mermaid_label: |s: str| trellis_spec::graph::mermaid_label(s));
handlebars_helper!(mermaid_layer_id: |n: u64| trellis_spec::graph::mermaid_layer_id(n as usize));
handlebars_helper!(snake: |s: str| crate::text::snake(s));
handlebars_helper!(pascal: |s: str| crate::text::pascal(s));
handlebars_helper!(kebab: |s: str| crate::text::kebab(s));
