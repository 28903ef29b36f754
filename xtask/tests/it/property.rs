//! Random valid specs (random layered DAGs, random names) generate workspaces whose crate graph,
//! as `cargo metadata` reports it, is exactly the spec's.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use proptest::prelude::*;
use trellis_spec::EdgeKind;

/// One random crate: a name stem, a kind, a layer, and edges to crates declared before it.
#[derive(Debug, Clone)]
struct RandomCrate {
    stem: String,
    kind: u8,
    layer_step: bool,
    normal: Vec<prop::sample::Index>,
    build: Vec<prop::sample::Index>,
    dev: Vec<prop::sample::Index>,
}

fn random_crate() -> impl Strategy<Value = RandomCrate> {
    (
        "[a-z][a-z0-9]{0,7}",
        0u8..6,
        any::<bool>(),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        prop::collection::vec(any::<prop::sample::Index>(), 0..2),
        prop::collection::vec(any::<prop::sample::Index>(), 0..2),
    )
        .prop_map(|(stem, kind, layer_step, normal, build, dev)| RandomCrate {
            stem,
            kind,
            layer_step,
            normal,
            build,
            dev,
        })
}

/// Builds the spec text, and the edges it declares, from random crates. Crates only depend
/// (normally or at build time) on libraries declared before them, in their layer or below, so
/// the spec is valid; dev edges go anywhere a library is, cycles included, as cargo allows.
fn spec_of(crates: &[RandomCrate]) -> (String, BTreeSet<(String, String, EdgeKind)>) {
    let names: Vec<String> =
        crates.iter().enumerate().map(|(i, c)| format!("{}-{i}", c.stem)).collect();
    let kinds: Vec<&str> = crates
        .iter()
        .map(|c| match c.kind {
            0 => "bin",
            1 => "proc-macro",
            _ => "lib",
        })
        .collect();
    let mut layer = 0;
    let mut layers = Vec::new();
    for c in crates {
        if c.layer_step && layer < 2 {
            layer += 1;
        }
        layers.push(layer);
    }
    let libs: Vec<usize> = (0..crates.len()).filter(|&i| kinds[i] != "bin").collect();
    let mut edges = BTreeSet::new();
    let mut text = String::from(
        "[workspace]\nname = \"random\"\n\n[layers]\norder = [\"l0\", \"l1\", \"l2\"]\n",
    );
    for (i, c) in crates.iter().enumerate() {
        let earlier: Vec<usize> = libs.iter().copied().filter(|&j| j < i).collect();
        let pick = |picks: &[prop::sample::Index], from: &[usize]| -> BTreeSet<usize> {
            if from.is_empty() {
                BTreeSet::new()
            } else {
                picks.iter().map(|p| from[p.index(from.len())]).collect()
            }
        };
        let normal = pick(&c.normal, &earlier);
        let build = pick(&c.build, &earlier);
        let others: Vec<usize> = libs.iter().copied().filter(|&j| j != i).collect();
        let dev = pick(&c.dev, &others);
        let list = |set: &BTreeSet<usize>| {
            set.iter().map(|&j| format!("\"{}\"", names[j])).collect::<Vec<_>>().join(", ")
        };
        let _ = write!(
            text,
            "\n[crates.{}]\nkind = \"{}\"\nlayer = \"l{}\"\ndepends = [{}]\nbuild-depends = [{}]\ndev-depends = [{}]\n",
            names[i],
            kinds[i],
            layers[i],
            list(&normal),
            list(&build),
            list(&dev)
        );
        for (set, kind) in
            [(&normal, EdgeKind::Normal), (&build, EdgeKind::Build), (&dev, EdgeKind::Dev)]
        {
            for &j in set {
                edges.insert((names[i].clone(), names[j].clone(), kind));
            }
        }
    }
    (text, edges)
}

/// The internal edges cargo sees, read straight from `cargo metadata --no-deps`.
pub(crate) fn cargo_edges(
    root: &std::path::Path,
) -> (BTreeSet<String>, BTreeSet<(String, String, EdgeKind)>) {
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(root)
        .no_deps()
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .expect("cargo metadata reads the generated workspace");
    let members: BTreeSet<String> = metadata.packages.iter().map(|p| p.name.to_string()).collect();
    let mut edges = BTreeSet::new();
    for package in &metadata.packages {
        for dep in package.dependencies.iter().filter(|d| d.path.is_some()) {
            let kind = match dep.kind {
                cargo_metadata::DependencyKind::Development => EdgeKind::Dev,
                cargo_metadata::DependencyKind::Build => EdgeKind::Build,
                _ => EdgeKind::Normal,
            };
            edges.insert((package.name.to_string(), dep.name.clone(), kind));
        }
    }
    (members, edges)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn cargo_sees_exactly_the_spec_graph(crates in prop::collection::vec(random_crate(), 1..9)) {
        let (text, declared) = spec_of(&crates);
        let parsed = trellis_spec::parse(&text, "Trellis.toml").map_err(|d| {
            TestCaseError::fail(format!("{text}\n{}", d.iter().map(|d| anstream::adapter::strip_str(&d.render(Some(&text))).to_string()).collect::<Vec<_>>().join("\n")))
        })?;
        let files = trellis_render::render(&parsed.spec, &text, &trellis_render::Templates::embedded()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        trellis_sync::create(&root, &files).unwrap();

        let (members, actual) = cargo_edges(&root);
        let mut expected_members: BTreeSet<String> = parsed.spec.crates.iter().map(|c| c.name.to_string()).collect();
        expected_members.insert("xtask".to_owned());
        prop_assert_eq!(members, expected_members);
        prop_assert_eq!(actual, declared, "{}", text);
    }
}
