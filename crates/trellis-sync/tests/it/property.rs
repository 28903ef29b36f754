//! Random spec edits and random person edits, in sequence, never lose a byte a person wrote;
//! after every step the manifests parse and a second apply writes nothing, and every seeded file
//! both sides changed is exactly the three-way merge of what Trellis last wrote, the person's
//! file and the new render, or, where that merge conflicts, the person's file untouched and a
//! conflict reported.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use proptest::prelude::*;
use trellis_sync::Options;

use crate::{assert_manifests_parse, files, render};

/// A spec small enough to generate: crates may depend only on crates declared before them,
/// so the graph is always acyclic.
#[derive(Debug, Clone)]
struct Model {
    next: usize,
    edition: &'static str,
    crates: Vec<Krate>,
}

#[derive(Debug, Clone)]
struct Krate {
    name: String,
    summary: usize,
    bin: bool,
    modules: Vec<String>,
    requirements: usize,
    /// (edge kind, crate name)
    edges: Vec<(&'static str, String)>,
}

impl Model {
    fn new() -> Model {
        let mut m = Model { next: 0, edition: "2024", crates: Vec::new() };
        m.add(false);
        m.add(false);
        m
    }

    fn add(&mut self, bin: bool) {
        let name = format!("c{}", self.next);
        self.next += 1;
        self.crates.push(Krate {
            name,
            summary: 0,
            bin,
            modules: Vec::new(),
            requirements: 0,
            edges: Vec::new(),
        });
    }

    fn text(&self) -> String {
        let mut s = format!(
            "[workspace]\nname = \"prop\"\nsummary = \"Random\"\nedition = \"{}\"\n",
            self.edition
        );
        for c in &self.crates {
            s.push_str(&format!("\n[crates.{}]\nsummary = \"Summary {}\"\n", c.name, c.summary));
            if c.bin {
                s.push_str("kind = \"bin\"\n");
            }
            if !c.modules.is_empty() {
                let m: Vec<String> = c.modules.iter().map(|m| format!("\"{m}\"")).collect();
                s.push_str(&format!("modules = [{}]\n", m.join(", ")));
            }
            for kind in ["depends", "dev-depends", "build-depends"] {
                let mut names: Vec<&str> =
                    c.edges.iter().filter(|(k, _)| *k == kind).map(|(_, n)| n.as_str()).collect();
                names.sort();
                names.dedup();
                if !names.is_empty() {
                    let n: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    s.push_str(&format!("{kind} = [{}]\n", n.join(", ")));
                }
            }
            if c.requirements > 0 {
                s.push_str("requirements = [\n");
                for r in 0..c.requirements {
                    let id = format!("{}-{r}", c.name.to_uppercase());
                    s.push_str(&format!("  {{ id = \"{id}\", text = \"Requirement {r}.\" }},\n"));
                }
                s.push_str("]\n");
            }
        }
        s
    }

    fn apply(&mut self, edit: &SpecEdit) {
        let n = self.crates.len();
        match *edit {
            SpecEdit::AddCrate(bin) => self.add(bin),
            SpecEdit::RemoveCrate(i) if n > 1 => {
                let gone = self.crates.remove(i % n).name;
                for c in &mut self.crates {
                    c.edges.retain(|(_, d)| *d != gone);
                }
            }
            SpecEdit::AddEdge(kind, i, j) if n > 1 => {
                let (a, b) = (i % n, j % n);
                let (from, to) = if a > b {
                    (a, b)
                } else if b > a {
                    (b, a)
                } else {
                    return;
                };
                // Only libraries can be depended on.
                if self.crates[to].bin {
                    return;
                }
                let target = self.crates[to].name.clone();
                self.crates[from].edges.push((kind, target));
            }
            SpecEdit::RemoveEdge(i) => {
                let c = &mut self.crates[i % n];
                c.edges.pop();
            }
            SpecEdit::Summary(i) => self.crates[i % n].summary += 1,
            SpecEdit::AddModule(i) => {
                let c = &mut self.crates[i % n];
                let m = format!("m{}", c.modules.len());
                c.modules.push(m);
            }
            SpecEdit::AddRequirement(i) => self.crates[i % n].requirements += 1,
            SpecEdit::Edition => {
                self.edition = if self.edition == "2024" { "2021" } else { "2024" };
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
enum SpecEdit {
    AddCrate(bool),
    RemoveCrate(usize),
    AddEdge(&'static str, usize, usize),
    RemoveEdge(usize),
    Summary(usize),
    AddModule(usize),
    AddRequirement(usize),
    Edition,
}

#[derive(Debug, Clone)]
enum PersonEdit {
    /// A line at the end of some file.
    Append(usize),
    /// A new table at the end of some manifest.
    Table(usize),
    /// A comment line before some line of some manifest.
    Comment(usize, usize),
    /// The value of some one-line key of some manifest changed.
    Value(usize, usize),
    /// A generated file deleted.
    Delete(usize),
    /// A line put before some line of some seeded file.
    Insert(usize, usize),
    /// Some line of some seeded file deleted.
    DeleteLine(usize, usize),
}

#[derive(Debug, Clone)]
enum Step {
    Spec(SpecEdit),
    Person(PersonEdit),
    Apply { prune: bool },
}

fn step() -> impl Strategy<Value = Step> {
    let i = 0..64usize;
    let kind = prop_oneof![Just("depends"), Just("dev-depends"), Just("build-depends")];
    prop_oneof![
        any::<bool>().prop_map(|b| Step::Spec(SpecEdit::AddCrate(b))),
        i.clone().prop_map(|i| Step::Spec(SpecEdit::RemoveCrate(i))),
        (kind, i.clone(), i.clone()).prop_map(|(k, a, b)| Step::Spec(SpecEdit::AddEdge(k, a, b))),
        i.clone().prop_map(|i| Step::Spec(SpecEdit::RemoveEdge(i))),
        i.clone().prop_map(|i| Step::Spec(SpecEdit::Summary(i))),
        i.clone().prop_map(|i| Step::Spec(SpecEdit::AddModule(i))),
        i.clone().prop_map(|i| Step::Spec(SpecEdit::AddRequirement(i))),
        Just(Step::Spec(SpecEdit::Edition)),
        i.clone().prop_map(|i| Step::Person(PersonEdit::Append(i))),
        i.clone().prop_map(|i| Step::Person(PersonEdit::Table(i))),
        (i.clone(), 0..40usize).prop_map(|(i, l)| Step::Person(PersonEdit::Comment(i, l))),
        (i.clone(), 0..40usize).prop_map(|(i, l)| Step::Person(PersonEdit::Value(i, l))),
        i.clone().prop_map(|i| Step::Person(PersonEdit::Delete(i))),
        (i.clone(), 0..40usize).prop_map(|(i, l)| Step::Person(PersonEdit::Insert(i, l))),
        (i, 0..40usize).prop_map(|(i, l)| Step::Person(PersonEdit::DeleteLine(i, l))),
        any::<bool>().prop_map(|prune| Step::Apply { prune }),
    ]
}

/// Files a person may edit: everything but the spec and Trellis' own bookkeeping.
fn editable(root: &Path, manifests_only: bool) -> Vec<String> {
    files(root)
        .into_keys()
        .filter(|p| {
            !p.starts_with(".trellis/") && p != "Trellis.toml" && !p.ends_with(".trellis-new")
        })
        .filter(|p| !manifests_only || p.ends_with("Cargo.toml"))
        .collect()
}

/// The seeded files a person may edit: every editable file but the manifests.
fn seeded(root: &Path) -> Vec<String> {
    editable(root, false).into_iter().filter(|p| !p.ends_with("Cargo.toml")).collect()
}

/// Every seeded file a person and the spec both changed since Trellis last wrote it, as
/// (path, base, the person's text, the new render).
fn both_changed(root: &Path, files: &[trellis_sync::PlannedFile]) -> Vec<[String; 4]> {
    let ledger = trellis_sync::Ledger::load(root).unwrap();
    files
        .iter()
        .filter_map(|f| {
            let base = ledger.base(&f.path)?;
            let person = fs::read_to_string(root.join(&f.path)).ok()?;
            (person != base && f.contents != base)
                .then(|| [f.path.clone(), base.to_owned(), person, f.contents.clone()])
        })
        .collect()
}

/// Each file of [`both_changed`] is now the three-way merge, or untouched and in conflict.
fn check_merges(root: &Path, report: &trellis_sync::Report, merges: &[[String; 4]], after: &str) {
    // A manifest in conflict holds the whole run back: every file stays as it is.
    let held = report.plan.entries.iter().any(|e| {
        e.action == trellis_sync::Action::Conflict
            && e.ownership == Some(trellis_sync::Ownership::Manifest)
    });
    for [path, base, person, render] in merges {
        // The requirements' `main.rs` is rendered again with the person's tests wired in.
        if path.ends_with("tests/requirements/main.rs") {
            continue;
        }
        let now = fs::read_to_string(root.join(path)).unwrap();
        let action = report.plan.entries.iter().find(|e| &e.path == path).map(|e| e.action);
        match trellis_sync::merge3(base, person, render) {
            _ if held => assert_eq!(&now, person, "after {after}: `{path}` held back was changed"),
            Ok(merged) => assert_eq!(&now, &merged, "after {after}: `{path}` is not the merge"),
            Err(_) => {
                assert_eq!(&now, person, "after {after}: `{path}` in conflict was changed");
                assert_eq!(action, Some(trellis_sync::Action::Conflict), "after {after}: `{path}`");
            }
        }
    }
}

fn person_edit(
    root: &Path,
    edit: &PersonEdit,
    n: usize,
    marks: &mut BTreeMap<String, Vec<String>>,
) {
    let pick =
        |list: Vec<String>, i: usize| (!list.is_empty()).then(|| list[i % list.len()].clone());
    let mark = format!("person-{n}");
    let (path, text) = match *edit {
        PersonEdit::Append(i) => {
            let Some(path) = pick(editable(root, false), i) else { return };
            let text = format!("\n# {mark}\n");
            let mut s = fs::read_to_string(root.join(&path)).unwrap();
            s.push_str(&text);
            fs::write(root.join(&path), s).unwrap();
            (path, text)
        }
        PersonEdit::Table(i) => {
            let Some(path) = pick(editable(root, true), i) else { return };
            let section = if path == "Cargo.toml" { "workspace" } else { "package" };
            let text = format!("\n[{section}.metadata.{mark}]\nvalue = \"{mark}\" # {mark}\n");
            let mut s = fs::read_to_string(root.join(&path)).unwrap();
            s.push_str(&text);
            fs::write(root.join(&path), s).unwrap();
            (path, format!("value = \"{mark}\" # {mark}"))
        }
        PersonEdit::Comment(i, line) => {
            let Some(path) = pick(editable(root, true), i) else { return };
            let s = fs::read_to_string(root.join(&path)).unwrap();
            let mut lines: Vec<&str> = s.lines().collect();
            let comment = format!("# {mark}");
            let at = line % (lines.len() + 1);
            lines.insert(at, &comment);
            fs::write(root.join(&path), lines.join("\n") + "\n").unwrap();
            (path, comment)
        }
        PersonEdit::Value(i, line) => {
            let Some(path) = pick(editable(root, true), i) else { return };
            let s = fs::read_to_string(root.join(&path)).unwrap();
            let mut lines: Vec<String> = s.lines().map(str::to_owned).collect();
            // A line `key = value` with the whole value on it.
            let simple = |l: &str| {
                l.split_once(" = ").is_some_and(|(k, v)| {
                    !k.starts_with('#')
                        && !k.contains(['[', '"'])
                        && !v.ends_with('[')
                        && !v.contains('#')
                })
            };
            let candidates: Vec<usize> = (0..lines.len()).filter(|&n| simple(&lines[n])).collect();
            if candidates.is_empty() {
                return;
            }
            let at = candidates[line % candidates.len()];
            let key = lines[at].split_once(" = ").unwrap().0.to_owned();
            let text = format!("{key} = \"{mark}\"");
            lines[at] = text.clone();
            fs::write(root.join(&path), lines.join("\n") + "\n").unwrap();
            (path, text)
        }
        PersonEdit::Insert(i, line) => {
            let Some(path) = pick(seeded(root), i) else { return };
            let s = fs::read_to_string(root.join(&path)).unwrap();
            let mut lines: Vec<&str> = s.lines().collect();
            let text = format!("// {mark}");
            lines.insert(line % (lines.len() + 1), &text);
            fs::write(root.join(&path), lines.join("\n") + "\n").unwrap();
            (path, text)
        }
        PersonEdit::DeleteLine(i, line) => {
            let Some(path) = pick(seeded(root), i) else { return };
            let s = fs::read_to_string(root.join(&path)).unwrap();
            let mut lines: Vec<&str> = s.lines().collect();
            if lines.is_empty() {
                return;
            }
            lines.remove(line % lines.len());
            fs::write(root.join(&path), lines.join("\n") + "\n").unwrap();
            // Only what is there now must stay (below).
            let now = fs::read_to_string(root.join(&path)).unwrap();
            if let Some(texts) = marks.get_mut(&path) {
                texts.retain(|t| now.contains(t.as_str()));
            }
            return;
        }
        PersonEdit::Delete(i) => {
            let Some(path) = pick(editable(root, false), i) else { return };
            fs::remove_file(root.join(&path)).unwrap();
            // The person threw their own bytes away with the file.
            marks.remove(&path);
            return;
        }
    };
    // A person may overwrite their own earlier edit: only what is there now must stay.
    let now = fs::read_to_string(root.join(&path)).unwrap();
    let texts = marks.entry(path).or_default();
    texts.retain(|t| now.contains(t.as_str()));
    texts.push(text);
}

fn check(root: &Path, marks: &BTreeMap<String, Vec<String>>, after: &str) {
    for (path, texts) in marks {
        let now = fs::read_to_string(root.join(path))
            .unwrap_or_else(|_| panic!("after {after}: `{path}`, which a person edited, is gone"));
        for text in texts {
            assert!(
                now.contains(text.as_str()),
                "after {after}: `{text}` is gone from `{path}`:\n{now}"
            );
        }
    }
    assert_manifests_parse(root);
}

proptest! {
    // 24 cases in CI; `PROPTEST_CASES=2000` for many more locally.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24)
    ))]

    #[test]
    fn no_person_byte_is_ever_lost(steps in proptest::collection::vec(step(), 1..14)) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let mut model = Model::new();
        trellis_sync::create(&root, &render(&model.text())).unwrap();
        let mut marks: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (n, step) in steps.iter().enumerate() {
            match step {
                Step::Spec(edit) => {
                    model.apply(edit);
                    fs::write(root.join("Trellis.toml"), model.text()).unwrap();
                }
                Step::Person(edit) => person_edit(&root, edit, n, &mut marks),
                Step::Apply { prune } => {
                    let files = render(&model.text());
                    let options = Options { prune: *prune, ..Options::default() };
                    let merges = both_changed(&root, &files);
                    let report = trellis_sync::apply(&root, &files, &trellis_sync::ApplyOptions::from(options.clone())).unwrap();
                    let after = format!("step {n} ({step:?})");
                    check(&root, &marks, &after);
                    check_merges(&root, &report, &merges, &after);
                    let again = trellis_sync::apply(&root, &files, &trellis_sync::ApplyOptions::from(options.clone())).unwrap();
                    prop_assert!(
                        !again.plan.writes(),
                        "after {after}, a second apply writes:\n{}",
                        crate::human(&again.plan.entries)
                    );
                }
            }
        }
        let files = render(&model.text());
        trellis_sync::apply(&root, &files, &trellis_sync::ApplyOptions::from(Options { prune: true, ..Options::default() })).unwrap();
        check(&root, &marks, "the final apply");
    }
}
