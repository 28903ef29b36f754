//! The codebase checks itself: every template is known and renders, every module says what it
//! is for, the README starts with the commands it promises.

use std::fs;

use crate::{files_under, repo_root};

#[test]
fn every_template_file_is_known_and_every_known_template_exists() {
    let root = repo_root().join("templates");
    let on_disk: Vec<String> = files_under(&root)
        .into_iter()
        .map(|f| f.strip_suffix(".hbs").unwrap_or_else(|| panic!("{f} lacks .hbs")).to_owned())
        .collect();
    let mut known: Vec<String> =
        trellis_render::DEFAULTS.iter().map(|(n, _)| (*n).to_owned()).collect();
    known.sort();
    assert_eq!(on_disk, known, "templates/ and trellis_render::DEFAULTS disagree");
}

#[test]
fn every_template_renders_in_strict_mode() {
    // The example uses every template: layers, a binary, a proc-macro, modules, a build
    // script, requirements. Strict mode makes any unknown variable an error.
    let parsed = trellis_spec::parse(trellis_spec::EXAMPLE, "example").expect("valid example");
    let files = trellis_render::render(
        &parsed.spec,
        trellis_spec::EXAMPLE,
        &trellis_render::Templates::embedded(),
    )
    .expect("renders");
    for path in
        ["build.rs", "src/main.rs", "src/lib.rs", "tests/requirements/main.rs", "xtask/src/main.rs"]
    {
        assert!(files.iter().any(|f| f.path.ends_with(path)), "no file renders {path}");
    }
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let root = repo_root();
    let mut missing = Vec::new();
    for top in ["crates", "xtask"] {
        for file in files_under(&root.join(top)) {
            let is_fixture = file.contains("/fixtures/") || file.contains("/snapshots/");
            if !file.ends_with(".rs") || is_fixture {
                continue;
            }
            let path = root.join(top).join(&file);
            let text = fs::read_to_string(&path).unwrap();
            // Unit-test files beside a module are documented by the module's `mod tests;`.
            let is_unit_tests = file.ends_with("/tests.rs");
            if !is_unit_tests && !text.starts_with("//!") {
                missing.push(format!("{top}/{file}"));
            }
        }
    }
    assert!(missing.is_empty(), "these files do not open with a `//!` line: {missing:#?}");
}

#[test]
fn the_readme_opens_with_the_two_commands() {
    let readme = fs::read_to_string(repo_root().join("README.md")).unwrap();
    let head: String = readme.lines().take(15).collect::<Vec<_>>().join("\n");
    assert!(head.contains("cargo xtask demo"), "{head}");
    assert!(head.contains("cargo test --workspace"), "{head}");
    let ci = fs::read_to_string(repo_root().join(".ci/run")).unwrap();
    for command in [
        "cargo test --workspace",
        "cargo fmt",
        "--check",
        "cargo clippy --workspace --all-targets -- -D warnings",
    ] {
        assert!(ci.contains(command), ".ci/run lacks `{command}`");
    }
}

#[test]
fn the_template_reference_names_every_template() {
    let doc = fs::read_to_string(repo_root().join("docs/templates.md")).unwrap();
    for (name, _) in trellis_render::DEFAULTS {
        assert!(doc.contains(&format!("`{name}`")), "docs/templates.md does not describe `{name}`");
    }
}

/// The keys of a JSON value, and of the first element of each array it holds, by path; the
/// paths whose value holds keys go in `containers` too.
fn json_keys(
    value: &serde_json::Value,
    at: &str,
    out: &mut std::collections::BTreeSet<String>,
    containers: &mut std::collections::BTreeSet<String>,
) {
    match value {
        serde_json::Value::Object(map) => {
            containers.insert(at.to_owned());
            for (key, inner) in map {
                let path = format!("{at}.{key}");
                out.insert(path.clone());
                json_keys(inner, &path, out, containers);
            }
        }
        serde_json::Value::Array(items) => {
            if let Some(first) = items.first() {
                containers.insert(at.to_owned());
                json_keys(first, &format!("{at}[]"), out, containers);
            }
        }
        _ => {}
    }
}

/// Each JSON example in the docs has the keys the command's real output has, no more and no
/// fewer (at the top, and in the first element of every array both have): a renamed or added
/// field cannot leave the docs behind.
#[test]
fn every_json_example_in_the_docs_has_the_real_outputs_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = "[workspace]\nname = \"shop\"\n\n[crates.base]\nrequirements = [{ id = \"B-1\", text = \"Ids are unique.\" }]\n\n[crates.app]\nkind = \"bin\"\n";
    fs::write(tmp.path().join("spec.toml"), spec).unwrap();
    let new = crate::cli::xtask(tmp.path(), &["new", "spec.toml", "--out", "ws"]);
    assert_eq!(new.code, Some(0), "{new}");
    let ws = tmp.path().join("ws");
    // A finding for check to report: an edge the spec does not declare.
    let manifest = ws.join("crates/app/Cargo.toml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace("[lints]", "[dependencies]\nbase.workspace = true\n\n[lints]"),
    )
    .unwrap();
    for (doc, args) in [
        ("docs/check.md", &["check", "--format", "json"][..]),
        ("docs/sync.md", &["plan", "--format", "json"]),
        ("docs/trace.md", &["trace", "--format", "json"]),
    ] {
        let text = fs::read_to_string(repo_root().join(doc)).unwrap();
        let block = text.split("```json\n").nth(1).and_then(|b| b.split("```").next());
        let example: serde_json::Value = serde_json::from_str(block.expect(doc))
            .unwrap_or_else(|e| panic!("{doc}: its JSON example does not parse: {e}"));
        let real = crate::cli::xtask(&ws, args).json();
        let (mut documented, mut produced) = (Default::default(), Default::default());
        let (mut in_doc, mut in_real) = (Default::default(), Default::default());
        json_keys(&example, "", &mut documented, &mut in_doc);
        json_keys(&real, "", &mut produced, &mut in_real);
        let (in_doc, in_real): (
            std::collections::BTreeSet<String>,
            std::collections::BTreeSet<String>,
        ) = (in_doc, in_real);
        // `applied` is `apply`'s alone; the example shows `plan` and `apply` together.
        let produced: std::collections::BTreeSet<String> = produced;
        let documented: std::collections::BTreeSet<String> =
            documented.into_iter().filter(|k| !k.starts_with(".applied")).collect();
        // Only inside what holds keys in both (an object, an array with an element).
        let shared_prefix = |k: &String| {
            let parent = k.rsplit_once('.').map_or("", |(p, _)| p);
            let parent = parent.strip_suffix("[]").unwrap_or(parent);
            in_doc.contains(parent) && in_real.contains(parent)
        };
        let missing: Vec<_> =
            produced.iter().filter(|k| shared_prefix(k) && !documented.contains(*k)).collect();
        let stale: Vec<_> =
            documented.iter().filter(|k| shared_prefix(k) && !produced.contains(*k)).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "{doc}: undocumented {missing:?}, not produced {stale:?}"
        );
    }
}

/// Every code a finding can carry: the spec's `S…`, check's `C…` and the requirements' `R…`.
fn finding_codes() -> Vec<trellis_spec::Code> {
    let mut codes = trellis_spec::codes::ALL.to_vec();
    codes.extend(trellis_check::codes::ALL);
    codes.extend(trellis_trace::findings::ALL);
    codes
}

/// Whether `word` has the form of a finding code: `S`, `C` or `R`, then three digits.
fn is_code(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() == 4 && b"SCR".contains(&bytes[0]) && bytes[1..].iter().all(u8::is_ascii_digit)
}

/// Each finding code is documented in docs/ (a table row that gives its id and its name, as
/// `| S001 | toml-syntax |` or ``| `C001` missing-crate |``), once; every code the docs name,
/// in a table or in the text, exists; and every code the sources define is in its crate's
/// `ALL`, so that this test sees it.
#[test]
fn every_finding_code_is_documented_and_every_documented_code_exists() {
    let codes = finding_codes();
    let known: std::collections::BTreeMap<&str, &str> =
        codes.iter().map(|c| (c.id, c.name)).collect();
    assert_eq!(known.len(), codes.len(), "two finding codes share an id");

    // The codes the sources define, each by `Code::new("<id>", "<name>")`.
    let root = repo_root();
    let mut defined = Vec::new();
    for file in files_under(&root.join("crates")) {
        if !file.ends_with(".rs") || file.contains("/tests/") || file.ends_with("tests.rs") {
            continue;
        }
        let text = fs::read_to_string(root.join("crates").join(&file)).unwrap();
        for after in text.split("Code::new(\"").skip(1) {
            let id = after.split('"').next().unwrap_or_default();
            if is_code(id) {
                defined.push(format!("{id} ({file})"));
                assert!(known.contains_key(id), "{file} defines {id}, which no `ALL` lists");
            }
        }
    }
    assert_eq!(
        defined.len(),
        codes.len(),
        "the sources define other codes than `ALL`s list: {defined:#?}"
    );

    // The docs: their table rows that document a code, and every code-shaped word.
    let mut documented: Vec<(String, String, String)> = Vec::new();
    let mut named: Vec<(String, String)> = Vec::new();
    for file in files_under(&root.join("docs")) {
        if !file.ends_with(".md") {
            continue;
        }
        let text = fs::read_to_string(root.join("docs").join(&file)).unwrap();
        for (n, line) in text.lines().enumerate() {
            let place = format!("docs/{file}:{}", n + 1);
            for word in line.split(|c: char| !c.is_ascii_alphanumeric()) {
                if is_code(word) {
                    named.push((word.to_owned(), place.clone()));
                }
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if !line.starts_with('|') || cells.len() < 3 {
                continue;
            }
            // `| S001 | name |` or ``| `C001` name |``.
            let mut words = cells[1].split_whitespace().map(|w| w.trim_matches('`'));
            let Some(id) = words.next().filter(|id| is_code(id)) else { continue };
            let name = words.next().unwrap_or(cells[2]).trim_matches('`');
            documented.push((id.to_owned(), name.to_owned(), place));
        }
    }
    let unknown: Vec<String> = named
        .iter()
        .filter(|(id, _)| !known.contains_key(id.as_str()))
        .map(|(id, place)| format!("{place}: {id}"))
        .collect();
    assert!(unknown.is_empty(), "the docs name codes that do not exist: {unknown:#?}");
    let wrong: Vec<String> = documented
        .iter()
        .filter(|(id, name, _)| known.get(id.as_str()) != Some(&name.as_str()))
        .map(|(id, name, place)| {
            format!("{place}: {id} is documented as `{name}`, its name is `{}`", known[id.as_str()])
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    for code in &codes {
        let rows: Vec<&str> =
            documented.iter().filter(|(id, ..)| id == code.id).map(|(.., p)| p.as_str()).collect();
        assert!(
            rows.len() == 1,
            "{} {} should be documented by one table row in docs/, found {rows:?}",
            code.id,
            code.name
        );
    }
}
