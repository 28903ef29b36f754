//! Integration tests of the sync stage, driven through the real spec parser and renderer:
//! scenarios as data, whole-tree snapshots, cargo's view of the result, and a property test
//! of random spec and person edits.

mod property;
mod scenarios;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use trellis_render::{PlannedFile, Templates};
use trellis_sync::{Options, Report};

/// Parses and renders a spec, panicking with its diagnostics when it is invalid.
pub(crate) fn render(spec: &str) -> Vec<PlannedFile> {
    let parsed = trellis_spec::parse(spec, "Trellis.toml").unwrap_or_else(|diagnostics| {
        let shown: Vec<String> = diagnostics
            .iter()
            .map(|d| anstream::adapter::strip_str(&d.render(Some(spec))).to_string())
            .collect();
        panic!("invalid spec:\n{}\n{spec}", shown.join("\n"))
    });
    trellis_render::render(&parsed.spec, spec, &Templates::embedded()).expect("renders")
}

/// The renames a spec declares.
pub(crate) fn renames(spec: &str) -> Vec<trellis_sync::Rename> {
    let parsed = trellis_spec::parse(spec, "Trellis.toml").expect("valid spec");
    parsed
        .spec
        .crates
        .iter()
        .filter_map(|c| {
            let from = c.renamed_from.as_ref()?;
            Some(trellis_sync::Rename { from: from.name.clone(), to: c.name.to_string() })
        })
        .collect()
}

/// Applies the workspace's own `Trellis.toml`, as `cargo xtask apply` does.
pub(crate) fn apply_spec(root: &Path, options: &Options) -> Report {
    let spec = fs::read_to_string(root.join("Trellis.toml")).expect("the workspace has a spec");
    let options = Options { renames: renames(&spec), ..options.clone() };
    trellis_sync::apply(root, &render(&spec), &trellis_sync::ApplyOptions::from(options.clone()))
        .expect("apply succeeds")
}

/// Every file under `root` (but the apply lock), by `/`-separated relative path.
pub(crate) fn files(root: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "target") {
                    continue;
                }
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if rel != ".trellis/apply.lock" && rel != "Cargo.lock" {
                    out.insert(rel, path);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// The whole tree as sorted `==== path ====` sections, for a snapshot.
pub(crate) fn tree_snapshot(root: &Path) -> String {
    let mut out = String::new();
    for (rel, path) in files(root) {
        out.push_str(&format!("==== {rel} ====\n"));
        out.push_str(&fs::read_to_string(path).expect("text file"));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Every file's modification time.
pub(crate) fn mtimes(root: &Path) -> BTreeMap<String, SystemTime> {
    files(root)
        .into_iter()
        .map(|(rel, path)| (rel, fs::metadata(path).and_then(|m| m.modified()).expect("mtime")))
        .collect()
}

/// Applies again and checks that nothing at all is written.
pub(crate) fn assert_second_apply_writes_nothing(root: &Path, options: &Options) {
    let before = mtimes(root);
    let contents_before = tree_snapshot(root);
    let report = apply_spec(root, options);
    assert!(
        !report.plan.writes() && report.written() == 0 && !report.ledger_written,
        "a second apply wrote something:\n{}",
        human(&report.plan.entries)
    );
    assert_eq!(mtimes(root), before, "modification times changed");
    assert_eq!(tree_snapshot(root), contents_before);
}

/// Every `Cargo.toml` under `root` parses as TOML.
pub(crate) fn assert_manifests_parse(root: &Path) {
    for (rel, path) in files(root) {
        if rel.ends_with("Cargo.toml") {
            let text = fs::read_to_string(&path).unwrap();
            if let Err(e) = text.parse::<toml_edit::DocumentMut>() {
                panic!("`{rel}` does not parse: {e}\n{text}");
            }
        }
    }
}

/// The members and path-dependency edges cargo sees (`cargo metadata --no-deps --offline`),
/// as `name -> [kind:dep]`, without the workspace's own xtask.
pub(crate) fn cargo_graph(root: &Path) -> BTreeMap<String, Vec<String>> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .unwrap_or_else(|e| panic!("cargo metadata fails on `{}`: {e}", root.display()));
    let mut graph = BTreeMap::new();
    for package in metadata.packages {
        if package.name.as_str() == "xtask" {
            continue;
        }
        let mut edges: Vec<String> = package
            .dependencies
            .iter()
            .filter(|d| d.path.is_some())
            .map(|d| format!("{}:{}", kind(d.kind), d.name))
            .collect();
        edges.sort();
        edges.dedup();
        graph.insert(package.name.to_string(), edges);
    }
    graph
}

fn kind(k: cargo_metadata::DependencyKind) -> &'static str {
    match k {
        cargo_metadata::DependencyKind::Development => "dev",
        cargo_metadata::DependencyKind::Build => "build",
        _ => "normal",
    }
}

/// The graph a spec declares, in the shape of [`cargo_graph`].
pub(crate) fn spec_graph(spec: &str) -> BTreeMap<String, Vec<String>> {
    let parsed = trellis_spec::parse(spec, "Trellis.toml").expect("valid spec");
    parsed
        .spec
        .crates
        .iter()
        .map(|c| {
            let mut edges: Vec<String> = c
                .depends
                .iter()
                .map(|(k, n)| {
                    let k = match k {
                        trellis_spec::EdgeKind::Normal => "normal",
                        trellis_spec::EdgeKind::Dev => "dev",
                        trellis_spec::EdgeKind::Build => "build",
                    };
                    format!("{k}:{}", n.name)
                })
                .collect();
            edges.sort();
            edges.dedup();
            (c.name.to_string(), edges)
        })
        .collect()
}

/// The plan as people see it ([`trellis_sync::render_human`], every entry, unstyled).
pub(crate) fn human(entries: &[trellis_sync::Entry]) -> String {
    let styled = trellis_sync::render_human(entries, false, true, &|path| path.to_owned());
    anstream::adapter::strip_str(&styled).to_string()
}
