//! `infer` on a workspace Trellis generated reads back its modules and requirements, so that
//! `apply` with the inferred spec unwires no crate root and orphans no file (issue 11).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::{files_under, outcome, repo_root, xtask};

/// Every file under `dir` but the ledger's folder, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .filter(|path| !path.starts_with(".trellis/"))
        .map(|path| {
            let bytes = fs::read(dir.join(&path)).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Per crate: its modules, sorted (the crate root declares them sorted, so their order in the
/// spec is not on disk), and its requirements as `(id, text)`, in order.
type Declared = BTreeMap<String, (Vec<String>, Vec<(String, String)>)>;

fn declared(text: &str) -> Declared {
    let spec = trellis_spec::parse(text, "Trellis.toml").expect("the spec parses").spec;
    spec.crates
        .iter()
        .map(|c| {
            let mut modules: Vec<String> = c.modules.iter().map(|m| m.name.clone()).collect();
            modules.sort();
            let requirements =
                c.requirements.iter().map(|r| (r.id.clone(), r.text.clone())).collect();
            (c.name.as_str().to_owned(), (modules, requirements))
        })
        .collect()
}

#[test]
fn infer_then_apply_on_the_flagship_changes_no_crate_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let flagship = repo_root().join("crates/trellis-spec/specs/sme-market.toml");
    let flagship = flagship.to_str().unwrap();
    // Named as the spec names the system, which `infer` takes from the folder.
    let (code, stderr) = outcome(&xtask(dir, &["new", flagship, "--out", "sme-market"]));
    assert_eq!(code, Some(0), "{stderr}");
    let ws = dir.join("sme-market");

    let inferred = xtask(dir, &["infer", "--workspace", "sme-market"]);
    assert_eq!(inferred.status.code(), Some(0), "{}", String::from_utf8_lossy(&inferred.stderr));
    let inferred = String::from_utf8(inferred.stdout).unwrap();
    fs::write(ws.join("Trellis.toml"), &inferred).unwrap();
    assert_eq!(
        declared(&inferred),
        declared(&fs::read_to_string(flagship).unwrap()),
        "the inferred spec:\n{inferred}"
    );

    let before = tree(&ws);
    let (code, stderr) = outcome(&xtask(dir, &["apply", "--workspace", "sme-market"]));
    assert_eq!(code, Some(0), "{stderr}");
    let after = tree(&ws);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "apply created or deleted files"
    );
    let changed: Vec<&String> =
        before.keys().filter(|path| before[*path] != after[*path]).collect();
    // README and ARCHITECTURE show the workspace's summary, its layers and the spec's order of
    // edges, none of which cargo or the files `infer` reads hold: `infer` suggests layers. Every
    // crate file (manifests, roots, modules, requirement tests) stays byte for byte.
    assert_eq!(changed, ["ARCHITECTURE.md", "README.md"], "{stderr}");

    let (code, stderr) = outcome(&xtask(dir, &["check", "--workspace", "sme-market"]));
    assert_eq!(code, Some(0), "{stderr}");
}
