//! Cargo is the judge: random person-written workspaces, adopted, then changed by a random
//! spec change that removes or moves what the person's text depends on.
//!
//! The workspaces have what real ones have and Trellis must not guess from text: members that
//! are members only because a member depends on them by path (directly, or through a
//! `[workspace.dependencies]` entry used with `workspace = true`), optional dependencies with
//! and without `dep:`, features that name dependencies (`dep:x`, `x/f`, `x?/f`), relative paths
//! in keys other than dependency paths (`readme`, `build`, `[lib] path`), registry dependencies
//! a `[patch]` redirects. "External" crates are local packages outside the workspace, so
//! everything resolves offline.
//!
//! For every case, `plan`'s verdict (exit code and conflicted files) equals `apply`'s, and a
//! workspace `apply` exits 0 on is one cargo resolves (`cargo metadata` with dependencies,
//! offline). (`check` may still fail there, rightly: a spec that drops an edge a person wrote
//! leaves drift for the person to settle.)
//!
//! CI runs a few cases (each runs cargo several times); `PROPTEST_CASES=200` runs many.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use toml_edit::{Array, DocumentMut, Item, value};

use crate::adopt_property::run as ok;
use crate::{command, xtask};

/// How crate `i` is a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Membership {
    /// Listed in `members`.
    Listed,
    /// Reached only through a path dependency of a listed member.
    ByPath,
    /// Reached only through the root's `[workspace.dependencies]` entry, which a listed member
    /// uses with `workspace = true`.
    ByRootEntry,
}

/// How crate `i` uses external crate `e`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// `ext0 = { path = "…" }`
    Plain,
    /// `ext0 = { path = "…", optional = true }`, and a feature `with-ext0 = ["ext0?/fa"]`: the
    /// implicit feature `ext0` exists.
    Optional,
    /// `ext0 = { path = "…", optional = true }` and `with-ext0 = ["dep:ext0", "ext0/fa"]`: no
    /// implicit feature.
    OptionalDep,
    /// `ext0.workspace = true`, the root pinning it.
    Inherited,
    /// `ext0 = "0.1"` from the registry, which the root's `[patch.crates-io]` redirects to the
    /// package beside the workspace (cargo resolves it offline: the patch meets it).
    Patched,
}

#[derive(Debug, Clone)]
struct Crate {
    membership: Membership,
    /// Edges on lower crates (a DAG): index, and whether it is optional.
    edges: Vec<(usize, bool)>,
    /// External crates used: (index in `EXTERNALS`, how).
    uses: Vec<(usize, Use)>,
    /// `readme = "../../README.md"`, `build = "build.rs"`, `[lib] path = "src/lib.rs"`.
    paths: bool,
}

#[derive(Debug, Clone)]
struct Person {
    crates: Vec<Crate>,
}

const EXTERNALS: [&str; 2] = ["ext0", "ext1"];

fn name(i: usize) -> String {
    format!("p{i}")
}

impl Person {
    fn write(&self, tmp: &Path) {
        for ext in EXTERNALS {
            let dir = tmp.join("vendor").join(ext);
            fs::create_dir_all(dir.join("src")).unwrap();
            fs::write(
                dir.join("Cargo.toml"),
                format!(
                    "[package]\nname = \"{ext}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[features]\nfa = []\nfb = []\n"
                ),
            )
            .unwrap();
            fs::write(dir.join("src/lib.rs"), "").unwrap();
        }
        let ws = tmp.join("ws");
        fs::create_dir_all(&ws).unwrap();
        fs::write(ws.join("README.md"), "# ws\n").unwrap();
        let listed: Vec<String> = (0..self.crates.len())
            .filter(|&i| self.crates[i].membership == Membership::Listed)
            .map(|i| format!("    \"crates/{}\",\n", name(i)))
            .collect();
        let mut root =
            format!("[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n", listed.concat());
        let patched: std::collections::BTreeSet<usize> = self
            .crates
            .iter()
            .flat_map(|c| c.uses.iter().filter(|(_, how)| *how == Use::Patched).map(|(e, _)| *e))
            .collect();
        if !patched.is_empty() {
            root.push_str("\n[patch.crates-io]\n");
            for e in &patched {
                root.push_str(&format!("{0} = {{ path = \"../vendor/{0}\" }}\n", EXTERNALS[*e]));
            }
        }
        root.push_str("\n[workspace.dependencies]\n");
        for ext in EXTERNALS {
            root.push_str(&format!("{ext} = {{ path = \"../vendor/{ext}\" }}\n"));
        }
        for (i, c) in self.crates.iter().enumerate() {
            if c.membership == Membership::ByRootEntry {
                root.push_str(&format!("{} = {{ path = \"crates/{}\" }}\n", name(i), name(i)));
            }
        }
        fs::write(ws.join("Cargo.toml"), root).unwrap();
        for (i, c) in self.crates.iter().enumerate() {
            let dir = ws.join("crates").join(name(i));
            fs::create_dir_all(dir.join("src")).unwrap();
            fs::write(dir.join("Cargo.toml"), self.manifest(i)).unwrap();
            fs::write(dir.join("src/lib.rs"), "//! A crate.\n").unwrap();
            if c.paths {
                fs::write(dir.join("build.rs"), "fn main() {}\n").unwrap();
            }
        }
    }

    fn manifest(&self, i: usize) -> String {
        let c = &self.crates[i];
        let mut m =
            format!("[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n", name(i));
        if c.paths {
            m.push_str("readme = \"../../README.md\"\nbuild = \"build.rs\"\n\n[lib]\npath = \"src/lib.rs\"\n");
        }
        m.push_str("\n[dependencies]\n");
        let mut features = Vec::new();
        for &(to, optional) in &c.edges {
            let inherits = self.crates[to].membership == Membership::ByRootEntry;
            let opt = if optional { ", optional = true" } else { "" };
            if inherits {
                m.push_str(&format!("{} = {{ workspace = true{opt} }}\n", name(to)));
            } else {
                m.push_str(&format!("{} = {{ path = \"../{}\"{opt} }}\n", name(to), name(to)));
            }
            if optional {
                features.push(format!("with-{0} = [\"{0}\"]", name(to)));
            }
        }
        for &(e, how) in &c.uses {
            let ext = EXTERNALS[e];
            match how {
                Use::Plain => {
                    m.push_str(&format!("{ext} = {{ path = \"../../../vendor/{ext}\" }}\n"))
                }
                Use::Inherited => m.push_str(&format!("{ext}.workspace = true\n")),
                Use::Patched => m.push_str(&format!("{ext} = \"0.1\"\n")),
                Use::Optional | Use::OptionalDep => {
                    m.push_str(&format!(
                        "{ext} = {{ path = \"../../../vendor/{ext}\", optional = true }}\n"
                    ));
                }
            }
            match how {
                Use::Plain | Use::Inherited | Use::Patched => {
                    features.push(format!("{ext}-fa = [\"{ext}/fa\"]"));
                }
                Use::Optional => features.push(format!("with-{ext} = [\"{ext}?/fa\"]")),
                Use::OptionalDep => {
                    features.push(format!("with-{ext} = [\"dep:{ext}\", \"{ext}/fb\"]"));
                }
            }
        }
        if !features.is_empty() {
            m.push_str(&format!("\n[features]\n{}\n", features.join("\n")));
        }
        m
    }
}

fn membership() -> impl Strategy<Value = Membership> {
    prop_oneof![
        3 => Just(Membership::Listed),
        1 => Just(Membership::ByPath),
        1 => Just(Membership::ByRootEntry),
    ]
}

fn a_use() -> impl Strategy<Value = Use> {
    prop_oneof![
        Just(Use::Plain),
        Just(Use::Optional),
        Just(Use::OptionalDep),
        Just(Use::Inherited),
        Just(Use::Patched),
    ]
}

fn person() -> impl Strategy<Value = Person> {
    (2usize..6).prop_flat_map(|n| {
        (
            proptest::collection::vec(membership(), n),
            proptest::collection::vec(
                proptest::collection::vec((0usize..8, any::<bool>()), 0..3),
                n,
            ),
            proptest::collection::vec(proptest::collection::vec((0usize..2, a_use()), 0..3), n),
            proptest::collection::vec(any::<bool>(), n),
        )
            .prop_map(|(mut memberships, edges, uses, paths)| {
                let n = memberships.len();
                // The top crate is listed, so that the rest can hang below it.
                memberships[n - 1] = Membership::Listed;
                let mut crates: Vec<Crate> = (0..n)
                    .map(|i| {
                        let mut e: Vec<(usize, bool)> = edges[i]
                            .iter()
                            .filter(|_| i > 0)
                            .map(|&(to, optional)| (to % i, optional))
                            .collect();
                        e.sort();
                        e.dedup_by_key(|(to, _)| *to);
                        let mut u = uses[i].clone();
                        u.sort_by_key(|(e, _)| *e);
                        u.dedup_by_key(|(e, _)| *e);
                        Crate { membership: memberships[i], edges: e, uses: u, paths: paths[i] }
                    })
                    .collect();
                // A crate that is a member only through others needs a listed crate above it
                // that depends on it (not optionally: an optional path dependency makes a
                // member too, but keep the shape plain).
                for i in 0..n {
                    if crates[i].membership == Membership::Listed {
                        continue;
                    }
                    let holder = (i + 1..n)
                        .find(|&j| crates[j].membership == Membership::Listed)
                        .expect("the top crate is listed");
                    if !crates[holder].edges.iter().any(|(to, _)| *to == i) {
                        crates[holder].edges.push((i, false));
                    }
                }
                Person { crates }
            })
    })
}

/// A random spec change, of the kinds that move what a person's text depends on.
#[derive(Debug, Clone)]
enum Change {
    /// Drop external crate `.1` from crate `.0`'s `uses`.
    DropUse(usize, usize),
    /// Drop an edge of crate `.0` (its first one).
    DropEdge(usize),
    /// Drop crate `.0`'s features from the spec.
    DropFeatures(usize),
    /// Move crate `.0` to `libs/`.
    Move(usize),
    /// Rename crate `.0` (`renamed-from`).
    Rename(usize),
    /// A new crate that crate `.0` depends on.
    AddCrate(usize),
}

fn change() -> impl Strategy<Value = Change> {
    (0usize..6, 0usize..2, 0usize..6).prop_flat_map(|(c, e, k)| {
        Just(match k {
            0 => Change::DropUse(c, e),
            1 => Change::DropEdge(c),
            2 => Change::DropFeatures(c),
            3 => Change::Move(c),
            4 => Change::Rename(c),
            _ => Change::AddCrate(c),
        })
    })
}

/// Applies `change` to the inferred spec; `None` when it does not fit this spec (nothing to
/// drop), so the case tests adoption alone.
fn changed(spec: &str, change: &Change, n: usize) -> Option<String> {
    let mut doc: DocumentMut = spec.parse().unwrap();
    let crates = doc["crates"].as_table_mut().unwrap();
    let key = |i: usize| name(i % n);
    let array_drop = |t: &mut toml_edit::Table, field: &str, what: Option<&str>| -> bool {
        let Some(a) = t.get_mut(field).and_then(Item::as_array_mut) else { return false };
        let at = match what {
            Some(w) => a.iter().position(|v| v.as_str() == Some(w)),
            None => (!a.is_empty()).then_some(0),
        };
        let Some(at) = at else { return false };
        a.remove(at);
        if a.is_empty() {
            t.remove(field);
        }
        true
    };
    match change {
        Change::DropUse(c, e) => {
            let t = crates.get_mut(&key(*c))?.as_table_mut()?;
            array_drop(t, "uses", Some(EXTERNALS[*e])).then_some(())?;
        }
        Change::DropEdge(c) => {
            let t = crates.get_mut(&key(*c))?.as_table_mut()?;
            array_drop(t, "depends", None).then_some(())?;
        }
        Change::DropFeatures(c) => {
            let t = crates.get_mut(&key(*c))?.as_table_mut()?;
            t.remove("features")?;
        }
        Change::Move(c) => {
            let t = crates.get_mut(&key(*c))?.as_table_mut()?;
            t.insert("path", value(format!("libs/{}", key(*c))));
        }
        Change::Rename(c) => {
            let old = key(*c);
            let new = format!("q{}", c % n);
            let mut t = crates.remove(&old)?.into_table().ok()?;
            t.insert("renamed-from", value(old.clone()));
            crates.insert(&new, Item::Table(t));
            for (_, other) in crates.iter_mut() {
                let Some(other) = other.as_table_mut() else { continue };
                for field in ["depends", "dev-depends", "build-depends"] {
                    if let Some(a) = other.get_mut(field).and_then(Item::as_array_mut) {
                        for v in a.iter_mut() {
                            if v.as_str() == Some(old.as_str()) {
                                *v = new.as_str().into();
                            }
                        }
                    }
                }
            }
        }
        Change::AddCrate(c) => {
            let layer = doc
                .get("layers")
                .and_then(|l| l.get("order"))
                .and_then(Item::as_array)
                .and_then(|a| a.get(0))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let crates = doc["crates"].as_table_mut().unwrap();
            let mut fresh = toml_edit::Table::new();
            fresh.insert("kind", value("lib"));
            if let Some(layer) = layer {
                fresh.insert("layer", value(layer));
            }
            crates.insert("fresh", Item::Table(fresh));
            let user = crates.get_mut(&key(*c))?.as_table_mut()?;
            let depends = user.entry("depends").or_insert(value(Array::new()));
            depends.as_array_mut()?.push("fresh");
        }
    }
    Some(doc.to_string())
}

/// A command's verdict: its exit code and the files it names as conflicts.
fn verdict(out: &std::process::Output) -> (Option<i32>, Vec<String>) {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let entries = json["entries"].as_array().or_else(|| json["plan"]["entries"].as_array());
    let mut conflicts: Vec<String> = entries
        .into_iter()
        .flatten()
        .filter(|e| e["action"].as_str() == Some("conflict"))
        .filter_map(|e| Some(e["path"].as_str()?.to_owned()))
        .collect();
    conflicts.sort();
    (out.status.code(), conflicts)
}

/// `cargo metadata` with dependencies, offline: cargo resolves the workspace.
fn resolves(ws: &Path) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = command(&cargo, ws)
        .args(["metadata", "--format-version", "1", "--offline"])
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

proptest! {
    // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6),
        ..ProptestConfig::default()
    })]

    #[test]
    fn plan_and_apply_agree_and_what_apply_accepts_cargo_resolves(p in person(), change in change()) {
        let tmp = tempfile::tempdir().unwrap();
        p.write(tmp.path());
        let ws = tmp.path().join("ws");
        resolves(&ws).map_err(|e| TestCaseError::reject(format!("the person's workspace does not resolve: {e}")))?;

        let inferred = ok(&ws, &["infer", "--root", "."])?;
        fs::write(ws.join("Trellis.toml"), &inferred.stdout).unwrap();
        ok(&ws, &["apply", "--root", "."])?;
        resolves(&ws).map_err(|e| TestCaseError::fail(format!("adopting broke the workspace:\n{e}")))?;

        let spec = String::from_utf8(inferred.stdout).unwrap();
        let Some(next) = changed(&spec, &change, p.crates.len()) else { return Ok(()) };
        fs::write(ws.join("Trellis.toml"), &next).unwrap();
        let planned = xtask(&ws, &["plan", "--root", ".", "--format", "json"]);
        let applied = xtask(&ws, &["apply", "--root", ".", "--format", "json"]);
        prop_assert_eq!(
            verdict(&planned),
            verdict(&applied),
            "plan and apply disagree on\n{}\nplan: {}{}\napply: {}{}",
            next,
            String::from_utf8_lossy(&planned.stdout),
            String::from_utf8_lossy(&planned.stderr),
            String::from_utf8_lossy(&applied.stdout),
            String::from_utf8_lossy(&applied.stderr),
        );
        if applied.status.code() == Some(0) {
            resolves(&ws).map_err(|e| {
                TestCaseError::fail(format!("apply exited 0 on a workspace cargo refuses:\n{next}\n{e}"))
            })?;
        }
    }
}
