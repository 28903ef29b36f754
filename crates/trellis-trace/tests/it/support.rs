//! Workspaces written by hand in a temporary folder, the way the render stage seeds them.

use std::path::Path;

use tempfile::TempDir;
use trellis_spec::Spec;
use trellis_trace::TraceReport;

/// Parses spec text that must be valid.
pub(crate) fn parse(text: &str) -> Spec {
    match trellis_spec::parse(text, "Trellis.toml") {
        Ok(parsed) => parsed.spec,
        Err(diagnostics) => panic!("bad test spec: {diagnostics:#?}"),
    }
}

/// A workspace in a temporary folder.
pub(crate) struct Workspace {
    dir: TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Workspace {
        Workspace { dir: tempfile::tempdir().expect("temporary folder") }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, path: &str, contents: &str) {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
        std::fs::write(path, contents).expect("write file");
    }

    pub(crate) fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).expect("read file")
    }

    pub(crate) fn remove(&self, path: &str) {
        std::fs::remove_file(self.root().join(path)).expect("remove file");
    }

    /// Writes the spec, and for each crate the files the render stage seeds for requirements:
    /// crate docs listing them, `tests/requirements/main.rs` and one pending test each. Files
    /// that exist are left alone, as `apply` leaves a file a person changed.
    pub(crate) fn seed(&self, spec_text: &str) -> Spec {
        let spec = parse(spec_text);
        self.write("Trellis.toml", spec_text);
        for krate in &spec.crates {
            let base = &krate.path;
            let mut lib = format!("//! {}\n", krate.summary);
            if !krate.requirements.is_empty() {
                lib.push_str("//!\n//! # Requirements\n//!\n");
                for r in &krate.requirements {
                    lib.push_str(&format!("//! - **{}**: {}\n", r.id, r.text));
                }
            }
            self.write(&format!("{base}/src/lib.rs"), &lib);
            if krate.requirements.is_empty() {
                continue;
            }
            let mut main = String::from("//! The requirements of this crate.\n\n");
            for r in &krate.requirements {
                let name = r.test_name();
                main.push_str(&format!("mod {name};\n"));
                let file = format!("{base}/tests/requirements/{name}.rs");
                if !self.root().join(&file).exists() {
                    self.write(&file, &pending_test(&r.id, &name, &r.text));
                }
            }
            self.write(&format!("{base}/tests/requirements/main.rs"), &main);
        }
        spec
    }
}

/// A requirement's pending test, exactly as the convention has it.
pub(crate) fn pending_test(id: &str, name: &str, text: &str) -> String {
    let doc: String = text.lines().map(|l| format!("/// {l}\n")).collect();
    format!(
        "//! {id}: the pending test of this requirement.\n\n{doc}#[test]\n#[ignore = \"pending: {id}\"]\nfn {name}() {{\n    todo!(\"{id}\")\n}}\n"
    )
}

/// The report for a terminal, its styles stripped as a terminal without colour gets it.
pub(crate) fn human(report: &TraceReport) -> String {
    anstream::adapter::strip_str(&trellis_trace::format::human(report)).to_string()
}

/// `check`'s requirement findings, rendered as rustc would against the files they name.
pub(crate) fn findings(ws: &Workspace, spec: &Spec, report: &TraceReport, strict: bool) -> String {
    let mut out = String::new();
    for d in trellis_trace::findings(spec, report, strict) {
        let source = d.file.as_ref().map(|f| ws.read(f));
        out.push_str(&anstream::adapter::strip_str(&d.render(source.as_deref())).to_string());
        out.push_str("\n\n");
    }
    out
}
