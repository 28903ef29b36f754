//! Unit tests of the whole stage (create, plan, apply, and the fault-injection point), one
//! module a subject; the helpers they share are here.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::*;
use crate::fsx::fault;

use crate::journal::JOURNAL_PATH;

/// [`crate::apply`] with nothing asked beyond how to plan.
fn apply(root: &Path, files: &[PlannedFile], options: &Options) -> Result<Report, SyncError> {
    crate::apply(root, files, &ApplyOptions::from(options.clone()))
}

/// The plan as people see it ([`render_human`], every entry, unstyled).
fn human(entries: &[Entry]) -> String {
    let styled = render_human(entries, false, true, &|path| path.to_owned());
    anstream::adapter::strip_str(&styled).to_string()
}

pub(crate) fn pf(path: &str, contents: &str, ownership: Ownership) -> PlannedFile {
    PlannedFile {
        path: path.to_owned(),
        contents: contents.to_owned(),
        ownership,
        seed: seed(path),
    }
}

/// When a render would let a file be created: as `trellis_render` marks its files.
fn seed(path: &str) -> Seed {
    match path.split_once("/src/") {
        _ if path == "README.md" => Seed::Scaffold,
        Some((dir, _)) => Seed::Source(dir.to_owned()),
        None => Seed::Always,
    }
}

/// A small workspace as a render would plan it: `crates` are `(name, deps)`.
pub(crate) fn workspace(summary: &str, crates: &[(&str, &[&str])]) -> Vec<PlannedFile> {
    let mut members = String::new();
    let mut deps = String::new();
    for (name, _) in crates {
        members.push_str(&format!("    \"crates/{name}\",\n"));
        deps.push_str(&format!("{name} = {{ path = \"crates/{name}\" }}\n"));
    }
    let root = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{members}]\n\n[workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[workspace.dependencies]\n{deps}"
    );
    let mut files = vec![
        pf("Cargo.toml", &root, Ownership::Manifest),
        pf("README.md", &format!("# demo\n\n{summary}\n"), Ownership::Seeded),
        pf("Trellis.toml", "[workspace]\nname = \"demo\"\n", Ownership::Once),
    ];
    for (name, uses) in crates {
        let mut manifest = format!(
            "[package]\nname = \"{name}\"\nversion.workspace = true\nedition.workspace = true\n\n[lints]\nworkspace = true\n"
        );
        if !uses.is_empty() {
            manifest.push_str("\n[dependencies]\n");
            for dep in *uses {
                manifest.push_str(&format!("{dep}.workspace = true\n"));
            }
        }
        files.push(pf(&format!("crates/{name}/Cargo.toml"), &manifest, Ownership::Manifest));
        files.push(pf(
            &format!("crates/{name}/src/lib.rs"),
            &format!("//! {name}: {summary}\n"),
            Ownership::Seeded,
        ));
    }
    files
}

/// Every file under `root` but the lock, by relative path.
pub(crate) fn tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                if rel != ".trellis/apply.lock" {
                    out.insert(rel, fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Every folder under `root`, by relative path: a recovered run must leave none of its own.
pub(crate) fn folders(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.push(path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"));
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.entries.iter().map(|e| (e.path.clone(), e.action)).collect()
}

/// A spec, parsed and rendered for real.
fn render_spec(spec: &str) -> Vec<PlannedFile> {
    let parsed = trellis_spec::parse(spec, "Trellis.toml").expect("a valid spec");
    trellis_render::render(&parsed.spec, spec, &trellis_render::Templates::embedded()).unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A workspace of `names` that cargo loads: each crate depends on the one before it.
fn chain(summary: &str, names: &[String]) -> Vec<PlannedFile> {
    let pairs: Vec<(&str, Vec<&str>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if i == 0 { vec![] } else { vec![names[i - 1].as_str()] }))
        .collect();
    let borrowed: Vec<(&str, &[&str])> = pairs.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    workspace(summary, &borrowed)
        .into_iter()
        // Without `[workspace.lints]` in the root, cargo refuses `lints.workspace`.
        .map(|mut f| {
            f.contents = f.contents.replace("\n[lints]\nworkspace = true\n", "");
            f
        })
        .collect()
}

/// `files` with a description in crate `a`'s manifest.
fn described(mut files: Vec<PlannedFile>, description: &str) -> Vec<PlannedFile> {
    let a = files.iter_mut().find(|f| f.path == "crates/a/Cargo.toml").unwrap();
    a.contents = a
        .contents
        .replace("name = \"a\"\n", &format!("name = \"a\"\ndescription = \"{description}\"\n"));
    files
}

/// The whole tree as sorted `==== path ====` sections.
fn tree_text(root: &Path) -> String {
    tree(root).into_iter().map(|(path, text)| format!("==== {path} ====\n{text}")).collect()
}

mod create;
mod files;
mod judge;
mod manifests;
mod moves;
mod recovery;
mod safety;
mod saves;
