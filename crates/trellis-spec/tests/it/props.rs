//! Properties of random specs: random names, random layered DAGs (with dev edges in any
//! direction, cycles included), free text. Every such spec parses to the model it describes,
//! and validates against the spec's JSON Schema; renaming one dependency to an undeclared name
//! is always an error.

use std::collections::BTreeSet;

use proptest::prelude::*;
use trellis_spec::{CrateKind, EdgeKind, codes, parse};

/// A spec as the generator sees it, before it becomes text.
#[derive(Debug, Clone)]
struct Model {
    layers: usize,
    crates: Vec<Crate>,
}

#[derive(Debug, Clone)]
struct Crate {
    name: String,
    layer: usize,
    bin: bool,
    summary: String,
    modules: Vec<String>,
    /// (kind, index of the crate depended on), no repeats within a kind.
    edges: Vec<(EdgeKind, usize)>,
    /// (id, text)
    requirements: Vec<(String, String)>,
    /// Indices into [`EXTERNAL`].
    uses: Vec<usize>,
    /// Lives under `libs/` instead of the default `crates/`.
    custom_path: bool,
}

/// External crates a random crate may use; only the used ones are declared.
const EXTERNAL: [&str; 3] = ["serde", "anyhow", "rand-core"];

/// Per crate: layer, summary, modules, raw edges (kind, target), raw requirements, bin wish,
/// uses, custom path.
type Raw = (
    usize,
    String,
    BTreeSet<String>,
    Vec<(usize, usize)>,
    Vec<(String, u16, String)>,
    bool,
    BTreeSet<usize>,
    bool,
);

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,4})?".prop_filter("a name cargo takes without a word", |n| {
        matches!(trellis_spec::check_crate_name(n, true), Ok(w) if w.is_empty())
            && n != "xtask"
            // A keyword from edition 2024 on, the spec's default (cargo's rule is edition-free).
            && n != "gen"
            && !EXTERNAL.contains(&n.replace('_', "-").as_str())
    })
}

fn module() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,5}(_[a-z0-9]{1,3})?".prop_filter("a module name", |m| {
        trellis_spec::check_ident(m).is_ok()
            && m != "lib"
            && m != "main"
            && !trellis_spec::is_windows_reserved(m)
    })
}

fn model() -> impl Strategy<Value = Model> {
    (1usize..4, prop::collection::vec(name(), 1..12))
        .prop_flat_map(|(layers, names)| {
            // Distinct once `-` is `_`, as the spec requires.
            let mut seen = BTreeSet::new();
            let names: Vec<String> =
                names.into_iter().filter(|n| seen.insert(n.replace('-', "_"))).collect();
            let n = names.len();
            let raw = (
                0..layers,
                any::<String>(),
                prop::collection::btree_set(module(), 0..4),
                prop::collection::vec((0usize..3, 0..n), 0..5),
                prop::collection::vec(("[A-Z]{1,4}", 0u16..1000, any::<String>()), 0..3),
                any::<bool>(),
                prop::collection::btree_set(0..EXTERNAL.len(), 0..3),
                any::<bool>(),
            );
            (Just(layers), Just(names), prop::collection::vec(raw, n))
        })
        .prop_map(|(layers, names, raw)| build(layers, names, raw))
}

/// Turns random data into a valid model: normal and build edges only point to crates earlier
/// in (layer, declaration) order, so they form a DAG that never climbs a layer; dev edges may
/// point anywhere but at the crate itself; a crate is a binary only if nobody depends on it.
fn build(layers: usize, names: Vec<String>, raw: Vec<Raw>) -> Model {
    let keys: Vec<(usize, usize)> = raw.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let mut crates: Vec<Crate> = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, (name, (layer, summary, modules, edges, requirements, _, uses, custom_path))) in
        names.into_iter().zip(raw.iter().cloned()).enumerate()
    {
        let mut kept: Vec<(EdgeKind, usize)> = Vec::new();
        for (kind, target) in edges {
            let kind = EdgeKind::ALL[kind];
            let ok = match kind {
                EdgeKind::Dev => target != i,
                _ => keys[target] < keys[i],
            };
            if ok && !kept.contains(&(kind, target)) {
                kept.push((kind, target));
            }
        }
        let requirements = requirements
            .into_iter()
            .map(|(prefix, number, text)| (format!("{prefix}-{number}"), text))
            .filter(|(id, _)| ids.insert(id.to_lowercase()))
            .map(|(id, text)| (id, if text.trim().is_empty() { format!("{text}x") } else { text }))
            .collect();
        crates.push(Crate {
            name,
            layer,
            bin: false,
            summary,
            modules: modules.into_iter().collect(),
            edges: kept,
            requirements,
            uses: uses.into_iter().collect(),
            custom_path,
        });
    }
    let depended: BTreeSet<usize> =
        crates.iter().flat_map(|c| c.edges.iter().map(|&(_, t)| t)).collect();
    for (i, c) in crates.iter_mut().enumerate() {
        c.bin = raw[i].5 && !depended.contains(&i);
    }
    Model { layers, crates }
}

/// A TOML string literal that holds `s` exactly.
fn quote(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_owned()
}

fn text(model: &Model) -> String {
    let mut out = String::from("[workspace]\nname = \"random\"\n\n[layers]\norder = [");
    let layers: Vec<String> = (0..model.layers).map(|l| format!("\"l{l}\"")).collect();
    out.push_str(&layers.join(", "));
    out.push_str("]\n\n[dependencies]\n");
    let used: BTreeSet<usize> = model.crates.iter().flat_map(|c| c.uses.iter().copied()).collect();
    for &e in &used {
        out.push_str(&format!(
            "{} = {{ version = \"1\", default-features = false }}\n",
            EXTERNAL[e]
        ));
    }
    for c in &model.crates {
        out.push_str(&format!("\n[crates.{}]\nlayer = \"l{}\"\n", c.name, c.layer));
        if c.bin {
            out.push_str("kind = \"bin\"\n");
        }
        if c.custom_path {
            out.push_str(&format!("path = \"libs/{}\"\n", c.name));
        }
        let uses: Vec<&str> = c.uses.iter().map(|&e| EXTERNAL[e]).collect();
        out.push_str(&format!("uses = {uses:?}\n"));
        out.push_str(&format!("summary = {}\n", quote(&c.summary)));
        let list = |items: Vec<&str>| {
            items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
        };
        out.push_str(&format!(
            "modules = [{}]\n",
            list(c.modules.iter().map(String::as_str).collect())
        ));
        for (kind, key) in [
            (EdgeKind::Normal, "depends"),
            (EdgeKind::Dev, "dev-depends"),
            (EdgeKind::Build, "build-depends"),
        ] {
            let targets: Vec<&str> = c
                .edges
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|&(_, t)| model.crates[t].name.as_str())
                .collect();
            out.push_str(&format!("{key} = [{}]\n", list(targets)));
        }
        for (id, text) in &c.requirements {
            out.push_str(&format!(
                "[[crates.{}.requirements]]\nid = \"{id}\"\ntext = {}\n",
                c.name,
                quote(text)
            ));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_valid_specs_parse_to_their_model(model in model()) {
        let text = text(&model);
        let parsed = match parse(&text, "random.toml") {
            Ok(parsed) => parsed,
            Err(d) => panic!("{}\n---\n{text}", crate::render_all(&d, &text)),
        };
        prop_assert!(parsed.warnings.is_empty());
        // What the parser accepts, the schema editors check with accepts too.
        if let Err(e) = crate::schema::validate(&text) {
            panic!("{e}\n---\n{text}");
        }
        let spec = parsed.spec;
        prop_assert_eq!(spec.layers.len(), model.layers);
        prop_assert_eq!(spec.crates.len(), model.crates.len());
        for (got, want) in spec.crates.iter().zip(&model.crates) {
            prop_assert_eq!(got.name.as_str(), want.name.as_str());
            prop_assert_eq!(got.kind == CrateKind::Bin, want.bin);
            prop_assert_eq!(&got.summary, &want.summary);
            let folder = if want.custom_path { "libs" } else { "crates" };
            prop_assert_eq!(got.path.clone(), format!("{folder}/{}", want.name));
            let uses: Vec<&str> = got.uses.normal.iter().map(|n| n.name.as_str()).collect();
            let expected: Vec<&str> = want.uses.iter().map(|&e| EXTERNAL[e]).collect();
            prop_assert_eq!(uses, expected);
            let mut edges: Vec<(EdgeKind, String)> =
                got.depends.iter().map(|(k, n)| (k, n.name.clone())).collect();
            let mut expected: Vec<(EdgeKind, String)> =
                want.edges.iter().map(|&(k, t)| (k, model.crates[t].name.clone())).collect();
            edges.sort();
            expected.sort();
            prop_assert_eq!(edges, expected);
            let requirements: Vec<(String, String)> =
                got.requirements.iter().map(|r| (r.id.clone(), r.text.clone())).collect();
            prop_assert_eq!(&requirements, &want.requirements);
        }
    }

    #[test]
    fn renaming_a_dependency_to_an_undeclared_name_is_an_error(
        model in model().prop_filter("has an edge", |m| m.crates.iter().any(|c| !c.edges.is_empty())),
        pick in any::<prop::sample::Index>(),
        suffix in "[a-z]{1,3}",
    ) {
        let edges: Vec<(usize, usize)> = model
            .crates
            .iter()
            .enumerate()
            .flat_map(|(i, c)| (0..c.edges.len()).map(move |e| (i, e)))
            .collect();
        let (from, edge) = edges[pick.index(edges.len())];
        let target = model.crates[from].edges[edge].1;
        // No crate has this name: generated names have at most four characters after a `-`.
        let ghost = format!("{}-{suffix}ghost", model.crates[target].name);
        let mut text = text(&model);
        let (kind, _) = model.crates[from].edges[edge];
        let key = match kind {
            EdgeKind::Normal => "depends",
            EdgeKind::Dev => "dev-depends",
            EdgeKind::Build => "build-depends",
        };
        // Rewrite the one list that holds the edge.
        let header = format!("\n[crates.{}]\n", model.crates[from].name);
        let at = text.find(&header).expect("the crate's header") + header.len();
        let line_start = at + text[at..].find(&format!("\n{key} = [")).expect("the list") + 1;
        let line_end = line_start + text[line_start..].find('\n').expect("a line end");
        let line = &text[line_start..line_end];
        let quoted = format!("\"{}\"", model.crates[target].name);
        let new_line = line.replacen(&quoted, &format!("\"{ghost}\""), 1);
        prop_assert_ne!(line, new_line.as_str());
        text.replace_range(line_start..line_end, &new_line);
        let diagnostics = parse(&text, "random.toml").expect_err("an undeclared crate is an error");
        prop_assert!(
            diagnostics.iter().any(|d| d.code == codes::UNKNOWN_CRATE && d.is_error()),
            "{}", crate::render_all(&diagnostics, &text)
        );
    }
}
