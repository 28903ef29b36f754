//! `infer` on a workspace Trellis generated reads back its modules and requirements, and from
//! its ledger the spec it last applied, so that `apply` with the inferred spec changes nothing
//! (issue 11).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::cli::{self, session};
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
fn infer_then_apply_on_the_flagship_changes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let flagship = repo_root().join("crates/trellis-spec/specs/sme-market.toml");
    let flagship = flagship.to_str().unwrap();
    // A folder named otherwise than the system: the name comes from the ledger's spec. `demo`
    // names this checkout's engine (`[workspace] trellis`), which cargo sees only as the
    // xtask's dependency: it comes from the ledger's spec too.
    let (code, stderr) = outcome(&xtask(dir, &["demo", "--out", "market"]));
    assert_eq!(code, Some(0), "{stderr}");
    let ws = dir.join("market");

    let infer = cli::xtask(dir, &["infer", "--root", "market"]);
    fs::write(ws.join("Trellis.toml"), &infer.stdout).unwrap();
    assert_eq!(
        declared(&infer.stdout),
        declared(&fs::read_to_string(flagship).unwrap()),
        "{infer}"
    );

    let before = tree(&ws);
    let apply = cli::xtask(dir, &["apply", "--root", "market"]);
    let after = tree(&ws);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "apply created or deleted files"
    );
    let changed: Vec<&String> =
        before.keys().filter(|path| before[*path] != after[*path]).collect();
    // Every file stays byte for byte: the crates' from cargo and their own files, README's and
    // ARCHITECTURE's (the system's name and summary, the layers, the order of crates and
    // edges) from the spec the ledger keeps.
    assert!(changed.is_empty(), "{changed:?}\n{apply}");

    let check = cli::xtask(dir, &["check", "--root", "market"]);
    insta::assert_snapshot!(session([&infer, &apply, &check]));
}

#[test]
fn a_ledger_spec_infer_cannot_use_is_said_and_the_layers_are_suggested() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("spec.toml"), "[workspace]\nname = \"sys\"\n\n[layers]\norder = [\"low\"]\n\n[crates.core]\nlayer = \"low\"\n").unwrap();
    let (code, stderr) = outcome(&xtask(dir, &["new", "spec.toml", "--out", "ws"]));
    assert_eq!(code, Some(0), "{stderr}");
    // The spec the ledger records as applied (by its hash) no longer parses, as one an older
    // Trellis accepted might not.
    let spec = dir.join("ws/Trellis.toml");
    let broken = fs::read_to_string(&spec).unwrap().replacen("[layers]", "[layers", 1);
    fs::write(&spec, &broken).unwrap();
    fs::remove_file(dir.join("ws/.trellis/applied.toml")).unwrap();
    let ledger = dir.join("ws/.trellis/ledger.toml");
    let text = fs::read_to_string(&ledger).unwrap();
    let short = |t: &str| -> String {
        use sha2::Digest as _;
        sha2::Sha256::digest(t.as_bytes())[..8].iter().map(|b| format!("{b:02x}")).collect()
    };
    let recorded = text.lines().find(|l| l.contains("{ spec = ")).unwrap().to_owned();
    fs::write(&ledger, text.replace(&recorded, &format!("  {{ spec = \"{}\" }},", short(&broken))))
        .unwrap();
    insta::assert_snapshot!(cli::xtask(dir, &["infer", "--root", "ws"]));
}
