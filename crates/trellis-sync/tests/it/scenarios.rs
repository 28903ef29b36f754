//! Scenarios as data: generate a workspace, let a person edit it, change the spec, snapshot the
//! plan, apply it, then check that every byte the person wrote is still there, that every
//! manifest parses, that cargo sees the spec's graph, and that a second apply writes nothing.

use std::fs;
use std::path::Path;

use trellis_sync::{Action, Ledger, Options};

use crate::{
    assert_manifests_parse, assert_second_apply_writes_nothing, cargo_graph, renames, render,
    spec_graph, tree_snapshot,
};

/// The spec every scenario starts from.
pub(crate) const BASE: &str = r#"[workspace]
name = "shop"
summary = "A small shop"
edition = "2024"
license = "MIT"

[layers]
order = ["base", "domain", "app"]

[dependencies]
serde = { version = "1", features = ["derive"] }

[crates.money]
layer = "base"
summary = "Money in minor units"
modules = ["amount"]
requirements = [{ id = "MON-1", text = "Amounts are exact." }]

[crates.catalog]
layer = "domain"
summary = "What the shop sells"
depends = ["money"]

[crates.orders]
layer = "domain"
summary = "What customers bought"
depends = ["money"]
dev-depends = ["catalog"]

[crates.shop]
kind = "bin"
layer = "app"
summary = "The shop's server"
depends = ["catalog", "orders"]
"#;

/// One change a person makes to a generated workspace.
pub(crate) enum Edit {
    /// Text added at the end of a file.
    Append(&'static str, &'static str),
    /// Text added right after the first occurrence of an anchor.
    After(&'static str, &'static str, &'static str),
    /// A generated file deleted.
    Delete(&'static str),
}

/// The edits of issue 3: a line in `lib.rs`, a comment and new keys in the root manifest, a
/// hand-added external dependency in a crate's manifest, a deleted generated file.
pub(crate) const EDITS: &[Edit] = &[
    Edit::Append(
        "crates/money/src/lib.rs",
        "\n/// Written by a person.\npub fn person_written() -> u32 {\n    42\n}\n",
    ),
    Edit::After(
        "Cargo.toml",
        "[workspace.package]\n",
        "# A person's note about the package.\nauthors = [\"A. Person <a@example.com>\"]\n",
    ),
    Edit::Append("Cargo.toml", "\n[profile.release]\nlto = true # a person's choice\n"),
    Edit::After(
        "crates/catalog/Cargo.toml",
        "[dependencies]\n",
        "libc = { version = \"0.2\", default-features = false } # added by hand\n",
    ),
    Edit::Append("crates/orders/src/lib.rs", "\npub const PERSON: &str = \"mine\";\n"),
    Edit::Delete("ARCHITECTURE.md"),
];

/// Makes the edits; returns `(path, text)` for every byte the person wrote.
pub(crate) fn edit(root: &Path, edits: &[Edit]) -> Vec<(String, String)> {
    let mut written = Vec::new();
    for e in edits {
        match *e {
            Edit::Append(path, text) => {
                let mut s = fs::read_to_string(root.join(path)).unwrap();
                s.push_str(text);
                fs::write(root.join(path), s).unwrap();
                written.push((path.to_owned(), text.to_owned()));
            }
            Edit::After(path, anchor, text) => {
                let s = fs::read_to_string(root.join(path)).unwrap();
                let at = s.find(anchor).unwrap_or_else(|| panic!("`{anchor}` not in {path}:\n{s}"));
                let s = format!("{}{text}{}", &s[..at + anchor.len()], &s[at + anchor.len()..]);
                fs::write(root.join(path), s).unwrap();
                written.push((path.to_owned(), text.to_owned()));
            }
            Edit::Delete(path) => fs::remove_file(root.join(path)).unwrap(),
        }
    }
    written
}

/// One scenario: how the spec changes, and how `apply` is run.
struct Scenario {
    name: &'static str,
    /// Replacements (`from`, `to`) that turn [`BASE`] into the new spec, in order.
    change: &'static [(&'static str, &'static str)],
    prune: bool,
    /// A crate folder that moves: the person's bytes follow it.
    moved: Option<(&'static str, &'static str)>,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "add_crate",
        change: &[(
            "[crates.shop]",
            "[crates.billing]\nlayer = \"domain\"\nsummary = \"Invoices\"\ndepends = [\"money\"]\n\n[crates.shop]",
        )],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "remove_crate",
        change: &[
            (
                "[crates.orders]\nlayer = \"domain\"\nsummary = \"What customers bought\"\ndepends = [\"money\"]\ndev-depends = [\"catalog\"]\n\n",
                "",
            ),
            ("depends = [\"catalog\", \"orders\"]", "depends = [\"catalog\"]"),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "remove_crate_and_prune",
        change: &[
            (
                "[crates.catalog]\nlayer = \"domain\"\nsummary = \"What the shop sells\"\ndepends = [\"money\"]\n\n",
                "",
            ),
            ("dev-depends = [\"catalog\"]\n", ""),
            ("depends = [\"catalog\", \"orders\"]", "depends = [\"orders\"]"),
        ],
        prune: true,
        moved: None,
    },
    Scenario {
        name: "remove_unedited_crate_and_prune",
        change: &[(
            "[crates.shop]\nkind = \"bin\"\nlayer = \"app\"\nsummary = \"The shop's server\"\ndepends = [\"catalog\", \"orders\"]\n",
            "",
        )],
        prune: true,
        moved: None,
    },
    Scenario {
        name: "add_edges_of_each_kind",
        change: &[
            (
                "depends = [\"catalog\", \"orders\"]",
                "depends = [\"catalog\", \"orders\", \"money\"]\nbuild-depends = [\"money\"]\ndev-depends = [\"catalog\"]",
            ),
            (
                "summary = \"What the shop sells\"\ndepends = [\"money\"]",
                "summary = \"What the shop sells\"\ndepends = [\"money\"]\ndev-depends = [\"orders\"]",
            ),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "remove_edges_of_each_kind",
        change: &[
            ("depends = [\"money\"]\ndev-depends = [\"catalog\"]", ""),
            ("depends = [\"catalog\", \"orders\"]", "depends = [\"catalog\"]"),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "add_external_dependency",
        change: &[
            (
                "serde = { version = \"1\", features = [\"derive\"] }",
                "serde = { version = \"1\", features = [\"derive\"] }\nthiserror = \"2\"",
            ),
            ("modules = [\"amount\"]", "modules = [\"amount\"]\nuses = [\"serde\", \"thiserror\"]"),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "change_texts_and_add_requirement",
        change: &[
            ("summary = \"Money in minor units\"", "summary = \"Money, kept in minor units\""),
            ("summary = \"What the shop sells\"", "summary = \"Everything the shop sells\""),
            (
                "requirements = [{ id = \"MON-1\", text = \"Amounts are exact.\" }]",
                "requirements = [\n  { id = \"MON-1\", text = \"Amounts are exact, never floats.\" },\n  { id = \"MON-2\", text = \"Every amount has a currency.\" },\n]",
            ),
            (
                "summary = \"What customers bought\"",
                "summary = \"What customers bought\"\nrequirements = [{ id = \"ORD-1\", text = \"An order is never lost.\" }]",
            ),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "add_module",
        change: &[
            ("modules = [\"amount\"]", "modules = [\"amount\", \"currency\"]"),
            (
                "summary = \"What the shop sells\"",
                "summary = \"What the shop sells\"\nmodules = [\"search\"]",
            ),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "change_workspace_metadata",
        change: &[
            ("edition = \"2024\"", "edition = \"2021\"\nrust-version = \"1.85\""),
            ("license = \"MIT\"", "license = \"MIT OR Apache-2.0\""),
        ],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "change_layer",
        change: &[("[crates.catalog]\nlayer = \"domain\"", "[crates.catalog]\nlayer = \"base\"")],
        prune: false,
        moved: None,
    },
    Scenario {
        name: "rename_crate",
        change: &[
            ("[crates.orders]\n", "[crates.ordering]\nrenamed-from = \"orders\"\n"),
            ("depends = [\"catalog\", \"orders\"]", "depends = [\"catalog\", \"ordering\"]"),
        ],
        prune: false,
        moved: Some(("crates/orders/", "crates/ordering/")),
    },
];

fn new_spec(s: &Scenario) -> String {
    s.change.iter().fold(BASE.to_owned(), |spec, (from, to)| {
        assert!(spec.contains(from), "{}: `{from}` is not in the spec", s.name);
        spec.replacen(from, to, 1)
    })
}

fn run(s: &Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    trellis_sync::create(&root, &render(BASE)).unwrap();
    let person = edit(&root, EDITS);

    let spec = new_spec(s);
    fs::write(root.join("Trellis.toml"), &spec).unwrap();
    let files = render(&spec);
    let options = Options { prune: s.prune, renames: renames(&spec), ..Options::default() };
    let plan = trellis_sync::plan(&root, &files, &Ledger::load(&root).unwrap(), &options).unwrap();
    // Only what changes, and what a person touched: a template change elsewhere leaves the
    // snapshot alone.
    let shown: Vec<_> = plan
        .entries
        .iter()
        .filter(|e| e.action != Action::Unchanged || e.note.is_some())
        .cloned()
        .collect();
    insta::assert_snapshot!(s.name, crate::human(&shown));

    let report =
        trellis_sync::apply(&root, &files, &trellis_sync::ApplyOptions::from(options.clone()))
            .unwrap();
    assert_eq!(report.plan.entries, plan.entries, "{}: apply did not do what plan showed", s.name);

    for (path, text) in &person {
        let path = match s.moved {
            Some((from, to)) if path.starts_with(from) => path.replacen(from, to, 1),
            _ => path.clone(),
        };
        let now = fs::read_to_string(root.join(&path)).unwrap_or_default();
        assert!(
            now.contains(text.as_str()),
            "{}: the person's `{text}` is gone from {path}:\n{now}",
            s.name
        );
    }
    assert!(root.join("ARCHITECTURE.md").is_file(), "a deleted generated file comes back");
    assert_manifests_parse(&root);

    // Cargo sees every crate of the spec with exactly its edges; any other member is an
    // orphan that the plan reported and kept.
    let actual = cargo_graph(&root);
    for (name, edges) in spec_graph(&spec) {
        assert_eq!(actual.get(&name), Some(&edges), "{}: cargo's view of `{name}`", s.name);
    }
    let declared = spec_graph(&spec);
    for name in actual.keys().filter(|n| !declared.contains_key(*n)) {
        let kept =
            report.plan.entries.iter().any(|e| {
                e.action == Action::Orphan && e.path.ends_with(&format!("{name}/Cargo.toml"))
            });
        assert!(
            kept,
            "{}: cargo sees `{name}`, which is neither in the spec nor a kept orphan",
            s.name
        );
    }

    assert_second_apply_writes_nothing(&root, &Options { prune: s.prune, ..Options::default() });
}

#[test]
fn scenarios() {
    for s in SCENARIOS {
        run(s);
    }
}

/// The manifests after a person's edits and an added crate, whole, as sorted
/// `==== path ====` sections: what the key-by-key merge produces.
#[test]
fn manifests_after_person_edits_and_an_added_crate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    trellis_sync::create(&root, &render(BASE)).unwrap();
    edit(&root, EDITS);
    let spec = new_spec(&SCENARIOS[0]);
    fs::write(root.join("Trellis.toml"), &spec).unwrap();
    trellis_sync::apply(&root, &render(&spec), &trellis_sync::ApplyOptions::default()).unwrap();
    let manifests: String = tree_snapshot(&root)
        .split("==== ")
        .filter(|section| {
            section.split_once(" ====").is_some_and(|(p, _)| p.ends_with("Cargo.toml"))
        })
        .map(|section| format!("==== {section}"))
        .collect();
    insta::assert_snapshot!(manifests);
}
