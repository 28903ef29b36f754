//! Random person-written workspaces, adopted and then evolved through the binary: every edge
//! form cargo reads (plain, by path, `workspace = true`, renamed, optional with and without
//! `dep:`, dotted tables, under `[target.'cfg(…)']`), inline tables, comments, globs, `exclude`
//! and `default-members`, crates cargo makes members only because a member depends on them by
//! path (through `[workspace.dependencies]` too), and features a crate's tests turn on that
//! are the implicit ones of its optional dependencies.
//!
//! `infer` then `apply` must change no byte. A random spec change that adds crates and edges
//! must then only insert text, leave a workspace cargo loads with the spec's graph (`check`
//! exits 0), and write exactly the files `plan` listed.
//!
//! CI runs a few cases (each runs cargo several times); `PROPTEST_CASES=200` runs many.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use proptest::prelude::*;

use crate::{files_under, outcome, xtask};

/// How one crate depends on another, in the person's manifest.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `b = { path = "../b" }`
    Path,
    /// `b = { path = "../b", version = "0.1.0", default-features = false }`
    PathVersion,
    /// `b = { workspace = true }` (the root lists members in `[workspace.dependencies]`)
    Inherited,
    /// `b.workspace = true`
    Dotted,
    /// `alias = { package = "b", path = "../b" }`
    Renamed,
    /// `b = { path = "../b", optional = true }` named by a feature as `dep:b` (no dev edges)
    Optional,
    /// `b = { path = "../b", optional = true }` that no feature names: cargo gives the crate
    /// the implicit feature `b`, which its tests turn on where it has them (no dev edges)
    OptionalImplicit,
    /// `[target.'cfg(unix)'.<kind>] b = { path = "../b" }`
    Target,
    /// `[<kind>.b]` as a table of its own
    Table,
}

#[derive(Debug, Clone)]
struct Edge {
    to: usize,
    /// `dependencies`, `dev-dependencies` or `build-dependencies`
    kind: &'static str,
    form: Form,
}

/// What one crate is, beyond its edges: the shapes issue 9 is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A library.
    Lib,
    /// A library whose tests dev-depend on itself to turn its feature `approx` on.
    SelfTested,
    /// Examples only: no lib, no bin (nothing depends on it).
    Examples,
}

#[derive(Debug, Clone)]
struct Person {
    /// Each crate's folder group: `crates/`, `libs/`, the root, or inside crate 0's folder.
    groups: Vec<usize>,
    shapes: Vec<Shape>,
    edges: Vec<Vec<Edge>>,
    /// Crates that use crate `.0`'s released version from the registry (`p0 = "0.1"`).
    released: Option<(usize, Vec<usize>)>,
    /// Crate 0 is the package at the root, beside `[workspace]`.
    root_package: bool,
    /// Crates left out of `members`: cargo makes them members where a member depends on them
    /// by path (else they are listed after all).
    unlisted: Vec<bool>,
    globs: bool,
    multiline: bool,
    default_members: bool,
    sorted_members: bool,
}

const GROUPS: [&str; 4] = ["crates/", "libs/", "", "nested"];

impl Person {
    fn name(i: usize) -> String {
        format!("p{i}")
    }

    /// The crate's folder, `""` for the package at the root.
    fn dir(&self, i: usize) -> String {
        if i == 0 && self.root_package {
            return String::new();
        }
        if GROUPS[self.groups[i]] == "nested" {
            // Inside crate 0's folder (at the root, that is just the root's folder).
            if i == 0 {
                return "crates/p0".to_owned();
            }
            let outer = self.dir(0);
            return if outer.is_empty() {
                Person::name(i)
            } else {
                format!("{outer}/{}", Person::name(i))
            };
        }
        format!("{}{}", GROUPS[self.groups[i]], Person::name(i))
    }

    /// Whether crate `i` is a member only through a path dependency of another member.
    fn implicit(&self, i: usize) -> bool {
        let n = self.groups.len();
        let mut member: Vec<bool> = (0..n).map(|j| !self.unlisted[j]).collect();
        loop {
            let reached: Vec<usize> = (0..n)
                .filter(|&j| {
                    !member[j]
                        && (0..n).any(|k| member[k] && self.edges[k].iter().any(|e| e.to == j))
                })
                .collect();
            if reached.is_empty() {
                break;
            }
            for j in reached {
                member[j] = true;
            }
        }
        self.unlisted[i] && member[i]
    }

    fn write(&self, root: &Path) {
        let n = self.groups.len();
        // The root package is a member without being listed, as is a crate a member depends
        // on by path.
        let mut members: Vec<String> = (0..n)
            .filter(|&i| !self.implicit(i))
            .map(|i| self.dir(i))
            .filter(|d| !d.is_empty())
            .collect();
        // A glob that matches no folder is an error to cargo: only where a crate lives, one
        // level deep (`*` does not cross `/`).
        let globbed = |m: &String| m.starts_with("crates/") && m.matches('/').count() == 1;
        if self.globs && members.iter().any(globbed) {
            members.retain(|m| !globbed(m));
            members.push("crates/*".into());
        }
        if self.sorted_members {
            members.sort();
        }
        let list = if self.multiline {
            let lines: Vec<String> =
                members.iter().map(|m| format!("    # {m}, by hand\n    \"{m}\",")).collect();
            format!("[\n{}\n]", lines.join("\n"))
        } else {
            let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
            format!("[{}]", quoted.join(", "))
        };
        let mut text = String::new();
        if self.root_package {
            text.push_str(&self.manifest(0));
            text.push('\n');
        }
        text.push_str(&format!(
            "# The person's workspace.\n[workspace]\nresolver = \"2\"\nmembers = {list}\n"
        ));
        text.push_str("exclude = [\"crates/old\"]\n");
        if self.default_members {
            text.push_str(&format!("default-members = [\"{}\"]\n", self.dir(0)));
        }
        text.push_str("\n[workspace.package]\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        text.push_str("\n[workspace.dependencies]\n# members\n");
        for i in (0..n).filter(|&i| self.shapes[i] != Shape::Examples) {
            let dir = if self.dir(i).is_empty() { ".".to_owned() } else { self.dir(i) };
            text.push_str(&format!("{} = {{ path = \"{dir}\" }}\n", Person::name(i)));
        }
        text.push_str("\n[profile.dev]\nopt-level = 1 # a person's choice\n");
        fs::write(root.join("Cargo.toml"), text).unwrap();

        for i in 0..n {
            let dir = root.join(self.dir(i));
            fs::create_dir_all(&dir).unwrap();
            if self.shapes[i] == Shape::Examples {
                fs::create_dir_all(dir.join("examples")).unwrap();
                fs::write(dir.join("examples/demo.rs"), "fn main() {}\n").unwrap();
            } else {
                fs::create_dir_all(dir.join("src")).unwrap();
                fs::write(dir.join("src/lib.rs"), "").unwrap();
            }
            if !(i == 0 && self.root_package) {
                fs::write(dir.join("Cargo.toml"), self.manifest(i)).unwrap();
            }
        }
    }

    /// Crate `i`'s package tables, as a person wrote them.
    fn manifest(&self, i: usize) -> String {
        let mut tables: BTreeMap<String, String> = BTreeMap::new();
        let mut features = String::new();
        if self.shapes[i] == Shape::SelfTested {
            features.push_str("approx = []\n");
            // Its tests turn on its own feature, and the implicit one of each optional
            // dependency that no feature names with `dep:`.
            let mut on = vec!["\"approx\"".to_owned()];
            let named = |to: usize| {
                self.edges[i].iter().any(|e| e.to == to && matches!(e.form, Form::Optional))
            };
            for e in self.edges[i].iter().filter(|e| matches!(e.form, Form::OptionalImplicit)) {
                if !named(e.to) {
                    on.push(format!("\"{}\"", Person::name(e.to)));
                }
            }
            on.sort();
            on.dedup();
            let line = format!(
                "{} = {{ path = \".\", features = [{}] }}\n",
                Person::name(i),
                on.join(", ")
            );
            tables.entry("dev-dependencies".into()).or_default().push_str(&line);
        }
        if let Some((used, users)) = &self.released
            && users.contains(&i)
        {
            let line = format!("{} = \"0.1\" # its release\n", Person::name(*used));
            tables.entry("dependencies".into()).or_default().push_str(&line);
        }
        for (k, e) in self.edges[i].iter().enumerate() {
            let to = Person::name(e.to);
            let rel = relative(&self.dir(i), &self.dir(e.to));
            let (table, line) = match e.form {
                Form::Path => (e.kind.to_owned(), format!("{to} = {{ path = \"{rel}\" }}\n")),
                Form::PathVersion => (
                    e.kind.to_owned(),
                    format!(
                        "{to} = {{ path = \"{rel}\", version = \"0.1.0\" , default-features = false}}\n"
                    ),
                ),
                Form::Inherited => {
                    (e.kind.to_owned(), format!("{to} = {{ workspace = true }} # inherited\n"))
                }
                Form::Dotted => (e.kind.to_owned(), format!("{to}.workspace = true\n")),
                Form::Renamed => (
                    e.kind.to_owned(),
                    format!("alias{k} = {{ package = \"{to}\", path = \"{rel}\" }}\n"),
                ),
                Form::Optional => {
                    features.push_str(&format!("extra{k} = [\"dep:{to}\"]\n"));
                    (e.kind.to_owned(), format!("{to} = {{ path = \"{rel}\", optional = true }}\n"))
                }
                Form::OptionalImplicit => {
                    (e.kind.to_owned(), format!("{to} = {{ path = \"{rel}\", optional = true }}\n"))
                }
                Form::Target => (
                    format!("target.'cfg(unix)'.{}", e.kind),
                    format!("{to} = {{ path = \"{rel}\" }}\n"),
                ),
                Form::Table => (format!("{}.{to}", e.kind), format!("path = \"{rel}\"\n")),
            };
            tables.entry(table).or_default().push_str(&line);
        }
        let mut text = format!(
            "[package]\nname = \"{}\"\nversion.workspace = true\nedition = \"2021\" # pinned\n",
            Person::name(i)
        );
        for (table, body) in tables {
            text.push_str(&format!("\n# {table}, by hand\n[{table}]\n{body}"));
        }
        if !features.is_empty() {
            text.push_str(&format!("\n[features]\n{features}"));
        }
        text
    }
}

fn relative(from: &str, to: &str) -> String {
    trellis_spec::relative_path(from, to)
}

fn person() -> impl Strategy<Value = Person> {
    (2usize..6).prop_flat_map(|n| {
        let form = prop_oneof![
            Just(Form::Path),
            Just(Form::PathVersion),
            Just(Form::Inherited),
            Just(Form::Dotted),
            Just(Form::Renamed),
            Just(Form::Optional),
            Just(Form::OptionalImplicit),
            Just(Form::Target),
            Just(Form::Table),
        ];
        let kind =
            prop_oneof![Just("dependencies"), Just("dev-dependencies"), Just("build-dependencies")];
        let edge = (0..n, 0..n, kind, form);
        let shape = prop_oneof![
            4 => Just(Shape::Lib),
            1 => Just(Shape::SelfTested),
            1 => Just(Shape::Examples),
        ];
        (
            proptest::collection::vec(0..GROUPS.len(), n),
            proptest::collection::vec(shape, n),
            proptest::collection::vec(edge, 0..n * 2),
            any::<(bool, bool, bool, bool)>(),
            any::<(bool, bool)>(),
            proptest::collection::vec(any::<bool>(), n),
        )
            .prop_map(
                move |(groups, mut shapes, raw, flags, (root_package, release), unlisted)| {
                    let (globs, multiline, default_members, sorted_members) = flags;
                    // Crate 0 is a library: packages nest in its folder, and it may be released.
                    shapes[0] = Shape::Lib;
                    // It is listed (`default-members` may name it).
                    let mut unlisted = unlisted;
                    unlisted[0] = false;
                    let mut edges: Vec<Vec<Edge>> = vec![Vec::new(); n];
                    for (a, b, kind, form) in raw {
                        // Normal and build edges go from later crates to earlier ones (no cycle);
                        // dev edges may go either way, but never to the crate itself.
                        let (from, to) =
                            if kind == "dev-dependencies" { (a, b) } else { (a.max(b), a.min(b)) };
                        // Nothing depends on a package without a lib.
                        if from == to
                            || shapes[to] == Shape::Examples
                            || edges[from].iter().any(|e| e.to == to && e.kind == kind)
                        {
                            continue;
                        }
                        let form = match form {
                            Form::Optional | Form::OptionalImplicit
                                if kind == "dev-dependencies" =>
                            {
                                Form::Path
                            }
                            f => f,
                        };
                        edges[from].push(Edge { to, kind, form });
                    }
                    // Crate 0's release, used by crates that have no path to it.
                    let users: Vec<usize> =
                        (1..n).filter(|&i| !edges[i].iter().any(|e| e.to == 0)).collect();
                    let released = (release && !users.is_empty()).then_some((0, users));
                    Person {
                        groups,
                        shapes,
                        edges,
                        released,
                        root_package,
                        unlisted,
                        globs,
                        multiline,
                        default_members,
                        sorted_members,
                    }
                },
            )
    })
}

/// Every file with its bytes, bookkeeping and the spec aside.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    files_under(dir)
        .into_iter()
        .filter(|p| !p.starts_with(".trellis/") && p != "Trellis.toml" && !p.starts_with("target/"))
        .map(|p| {
            let text = fs::read_to_string(dir.join(&p)).unwrap();
            (p, text)
        })
        .collect()
}

/// Runs the binary in `ws`; a failure of the case unless it exits 0.
pub(crate) fn run(ws: &Path, args: &[&str]) -> Result<std::process::Output, TestCaseError> {
    let out = xtask(ws, args);
    if out.status.code() == Some(0) {
        Ok(out)
    } else {
        Err(TestCaseError::fail(format!(
            "`{}` exits {:?}:\n{}{}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            outcome(&out).1
        )))
    }
}

/// The spec change: a crate `fresh` in `new/` (or under the glob) that `p{user}` depends on,
/// and which dev-depends on `p{used}`.
fn change(spec: &str, user: usize, used: usize, under_glob: bool) -> String {
    let mut doc: toml_edit::DocumentMut = spec.parse().unwrap();
    let path = if under_glob { "crates/fresh" } else { "new/fresh" };
    let fresh: toml_edit::Table = format!(
        "kind = \"lib\"\npath = \"{path}\"\nlayer = \"layer-0\"\ndev-depends = [\"{}\"]\n",
        Person::name(used)
    )
    .parse::<toml_edit::DocumentMut>()
    .unwrap()
    .as_table()
    .clone();
    let crates = doc["crates"].as_table_mut().unwrap();
    crates.insert("fresh", toml_edit::Item::Table(fresh));
    let user = crates[&Person::name(user)].as_table_mut().unwrap();
    let depends = user.entry("depends").or_insert(toml_edit::value(toml_edit::Array::new()));
    depends.as_array_mut().unwrap().push("fresh");
    doc.to_string()
}

proptest! {
    // `PROPTEST_CASES` runs more cases locally; CI keeps a small share.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(16),
        ..ProptestConfig::default()
    })]

    #[test]
    fn adopting_changes_no_byte_and_a_spec_change_only_inserts(
        p in person(),
        user in 0usize..6,
        used in 0usize..6,
        under_glob in any::<bool>(),
    ) {
        let n = p.groups.len();
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("ws");
        fs::create_dir_all(&ws).unwrap();
        p.write(&ws);
        let before = tree(&ws);

        let inferred = run(&ws, &["infer", "--workspace", "."])?;
        fs::write(ws.join("Trellis.toml"), &inferred.stdout).unwrap();
        run(&ws, &["apply", "--workspace", "."])?;
        prop_assert_eq!(&tree(&ws), &before, "adopting changed bytes");
        crate::adopt::round_trip(&ws).map_err(TestCaseError::fail)?;

        let spec = String::from_utf8(inferred.stdout).unwrap();
        // The new crate's tests use a crate with a library.
        let libs: Vec<usize> = (0..n).filter(|&i| p.shapes[i] != Shape::Examples).collect();
        let used = libs[used % libs.len()];
        fs::write(ws.join("Trellis.toml"), change(&spec, user % n, used, under_glob)).unwrap();
        let planned = run(&ws, &["plan", "--workspace", ".", "--format", "json"])?;
        let plan: serde_json::Value = serde_json::from_slice(&planned.stdout).unwrap();
        let listed = crate::adopt::planned_writes(&plan);
        run(&ws, &["apply", "--workspace", "."])?;
        let after = tree(&ws);
        let written: Vec<String> =
            after.iter().filter(|(k, v)| before.get(*k) != Some(*v)).map(|(k, _)| k.clone()).collect();
        prop_assert_eq!(&written, &listed, "plan and apply disagree");
        for (path, old) in &before {
            let new = &after[path];
            prop_assert!(crate::adopt::only_insertions(old, new), "{} lost text:\n{}", path, new);
        }
        run(&ws, &["check", "--workspace", "."])?;
    }
}
