//! A validated spec in, the files of its workspace out: the second stage of Trellis.
//!
//! Rendering is pure given its templates: the defaults are embedded from `templates/`, and a
//! team's overrides are read once by [`Templates::with_overrides`]. Files go out as
//! [`PlannedFile`]s; only the sync stage decides what to do with them on disk.

mod context;
mod templates;
mod text;

pub use templates::{DEFAULTS, TemplateError, Templates};
use trellis_spec::{CrateKind, CrateSpec, Spec};

/// Where every generated workspace keeps its own `xtask` crate ([`trellis_spec::XTASK`]).
pub const XTASK_PATH: &str = trellis_spec::XTASK;

pub use trellis_spec::{SCHEMA_FILE, SPEC_FILE};

/// One file of the workspace, as Trellis would write it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the workspace root, `/`-separated, never absolute, never with `..`.
    pub path: String,
    /// The whole text Trellis wants there.
    pub contents: String,
    /// Who owns which byte of it once it exists.
    pub ownership: Ownership,
    /// When the sync stage may create it while it is absent.
    pub seed: Seed,
}

/// When the sync stage may create a planned file that is absent.
///
/// A workspace Trellis did not create (an adopted one) already has its own README, its own
/// tooling and its own targets: Trellis adds only what the spec asks for, never a second
/// README or a `src/lib.rs` beside a library whose root lives elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seed {
    /// Whenever it is absent: manifests, the spec and its schema, requirement tests.
    Always,
    /// Only in a workspace Trellis created: the workspace's README, ARCHITECTURE.md,
    /// `rustfmt.toml`, `.gitignore`, cargo alias and `xtask` crate (unless the spec says
    /// `scaffold = true`, which makes them [`Seed::Always`]).
    Scaffold,
    /// A target source of the crate in this folder (its root, its modules, its build script):
    /// only while Trellis seeds that crate, that is when it creates the crate's manifest or
    /// seeded its sources before.
    Source(String),
}

/// How the sync stage may touch a file that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ownership {
    /// A Cargo manifest. Trellis owns facts, not text: that a member is listed, that an
    /// edge or a `uses` exists, the package keys the spec sets. A missing fact is inserted in
    /// the file's own style; every other key, comment and blank line is the person's.
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
/// `spec_text` is the spec as written: the workspace keeps it as `Trellis.toml`, with the
/// `#:schema` line that points editors at the schema first unless it names a schema already
/// (see [`trellis_spec::schema::with_directive`]). The schema itself is planned at
/// [`SCHEMA_FILE`], in Trellis' own folder, in every workspace, adopted ones too: it is what
/// the directive names, and it matches the Trellis that manages the workspace.
pub fn render(
    spec: &Spec,
    spec_text: &str,
    templates: &Templates,
) -> Result<Vec<PlannedFile>, RenderError> {
    let meta = context::meta(spec);
    // Each crate's files depend on that crate alone, so large specs render on every core:
    // Handlebars' own work per file is what rendering costs, and it cannot be made smaller.
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = spec.crates.len().div_ceil(threads).max(CRATES_PER_THREAD);
    let (workspace_files, crate_files) = std::thread::scope(|scope| {
        let workers: Vec<_> = spec
            .crates
            .chunks(chunk)
            .map(|crates| scope.spawn(|| render_crates(crates, &meta, templates)))
            .collect();
        // The workspace's own files render here, while the workers render the crates.
        let workspace_files = render_workspace(spec, templates);
        let crate_files = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Result<Vec<_>, _>>();
        (workspace_files, crate_files)
    });
    let mut files = workspace_files?;
    let mut crate_files: Vec<PlannedFile> = crate_files?.into_iter().flatten().collect();
    // The package at the root (`path = "."`) shares the root manifest: its package tables
    // first, as cargo new writes a root package, then the workspace's.
    if let Some(at) = crate_files.iter().position(|f| f.path == "Cargo.toml") {
        let package = crate_files.swap_remove(at);
        if let Some(root) = files.iter_mut().find(|f| f.path == "Cargo.toml") {
            root.contents = format!("{}\n{}", package.contents, root.contents);
        }
    }
    files.extend(crate_files);
    files.push(PlannedFile {
        path: SPEC_FILE.to_owned(),
        contents: trellis_spec::schema::with_directive(spec_text).into_owned(),
        ownership: Ownership::Once,
        seed: Seed::Always,
    });
    // A seeded file: a newer Trellis rewrites it while nobody has edited it.
    files.push(PlannedFile {
        path: SCHEMA_FILE.to_owned(),
        contents: trellis_spec::schema::json(),
        ownership: Ownership::Seeded,
        seed: Seed::Always,
    });
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The files at the workspace's root and its own xtask crate.
fn render_workspace(spec: &Spec, templates: &Templates) -> Result<Vec<PlannedFile>, RenderError> {
    use Ownership::{Manifest, Seeded};

    let workspace = handlebars::Context::from(context::workspace(spec));
    let mut files = Files { templates, files: Vec::new() };
    files.emit(
        "Cargo.toml".to_owned(),
        "workspace/Cargo.toml",
        &workspace,
        Manifest,
        Seed::Always,
    )?;
    for (path, template, ownership) in [
        ("README.md", "workspace/README.md", Seeded),
        ("ARCHITECTURE.md", "workspace/ARCHITECTURE.md", Seeded),
        (".gitignore", "workspace/.gitignore", Seeded),
        ("rustfmt.toml", "workspace/rustfmt.toml", Seeded),
        (".cargo/config.toml", "workspace/.cargo/config.toml", Seeded),
        ("xtask/Cargo.toml", "workspace/xtask/Cargo.toml", Manifest),
        ("xtask/src/main.rs", "workspace/xtask/src/main.rs", Seeded),
        (".github/workflows/ci.yml", "workspace/.github/workflows/ci.yml", Seeded),
    ] {
        // A workspace with an xtask of its own keeps it, its own cargo alias and its own CI.
        let xtask = path.starts_with("xtask/")
            || path == ".cargo/config.toml"
            || path == ".github/workflows/ci.yml";
        if xtask && spec.has_own_xtask() {
            continue;
        }
        let seed = if spec.workspace.scaffold { Seed::Always } else { Seed::Scaffold };
        files.emit(path.to_owned(), template, &workspace, ownership, seed)?;
    }
    Ok(files.files)
}

/// Below this many crates a thread costs more than it saves.
const CRATES_PER_THREAD: usize = 64;

/// The files of some crates: manifest, lib.rs or main.rs, modules, build script, requirements.
fn render_crates(
    crates: &[CrateSpec],
    meta: &serde_json::Value,
    templates: &Templates,
) -> Result<Vec<PlannedFile>, RenderError> {
    use Ownership::{Manifest, Seeded};

    let mut files = Files { templates, files: Vec::new() };
    for krate in crates {
        // The root package's files sit at the root itself.
        let base = if krate.path == "." { String::new() } else { krate.path.clone() };
        let at = |rel: &str| if base.is_empty() { rel.to_owned() } else { format!("{base}/{rel}") };
        let context = handlebars::Context::from(context::for_crate(meta, krate));
        let source = || Seed::Source(base.clone());
        files.emit(at("Cargo.toml"), "crate/Cargo.toml", &context, Manifest, Seed::Always)?;
        let (root, template) = match krate.kind {
            CrateKind::Lib | CrateKind::ProcMacro => ("src/lib.rs".to_owned(), "crate/src/lib.rs"),
            CrateKind::Bin => ("src/main.rs".to_owned(), "crate/src/main.rs"),
            // A package of examples: one example, named after the crate, as cargo finds it.
            CrateKind::Examples => (
                format!("examples/{}.rs", krate.name.as_str().replace('-', "_")),
                "crate/src/main.rs",
            ),
        };
        files.emit(at(&root), template, &context, Seeded, source())?;
        for module in &krate.modules {
            let item = serde_json::Value::from(module.name.as_str());
            let module_context =
                handlebars::Context::from(context::for_item(meta, krate, "module", item));
            let path = at(&format!("src/{}.rs", module.name));
            files.emit(path, "crate/src/module.rs", &module_context, Seeded, source())?;
        }
        if !krate.depends.build.is_empty() || !krate.uses.build.is_empty() {
            files.emit(at("build.rs"), "crate/build.rs", &context, Seeded, source())?;
        }
        if !krate.requirements.is_empty() {
            let tests = at("tests/requirements");
            let main = format!("{tests}/main.rs");
            files.emit(main, "crate/tests/requirements/main.rs", &context, Seeded, Seed::Always)?;
            for requirement in &krate.requirements {
                let path = format!("{tests}/{}.rs", requirement.test_name());
                let item = context::requirement(requirement);
                let req_context =
                    handlebars::Context::from(context::for_item(meta, krate, "requirement", item));
                files.emit(
                    path,
                    "crate/tests/requirements/requirement.rs",
                    &req_context,
                    Seeded,
                    Seed::Always,
                )?;
            }
        }
    }
    Ok(files.files)
}

/// Rendered files, gathered one template at a time.
struct Files<'a> {
    templates: &'a Templates,
    files: Vec<PlannedFile>,
}

impl Files<'_> {
    fn emit(
        &mut self,
        path: String,
        template: &str,
        context: &handlebars::Context,
        ownership: Ownership,
        seed: Seed,
    ) -> Result<(), RenderError> {
        let contents = self.templates.render(template, context).map_err(|e| RenderError {
            file: path.clone(),
            template: template.to_owned(),
            message: e.to_string(),
        })?;
        self.files.push(PlannedFile { path, contents, ownership, seed });
        Ok(())
    }
}
