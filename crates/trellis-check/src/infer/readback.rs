//! Reading back what Trellis generated in a crate: the modules its root declares and the
//! requirements its `tests/requirements/` holds, so that `infer` → `apply` on a Trellis
//! workspace unwires nothing.
//!
//! Only text comes in, through [`Sources`]; the tests are read with trellis-trace's scanner.

use trellis_spec::{CrateKind, is_requirement_id, requirement_test_name};
use trellis_trace::{TestText, read_tests};

use crate::actual::Member;

/// The files `infer` reads beyond what cargo reports, by path relative to the workspace root
/// (`/`-separated). The caller does the I/O; `infer` stays a function of its inputs.
pub trait Sources {
    /// The text of a file; `None` when it does not exist or cannot be read as UTF-8.
    fn text(&self, path: &str) -> Option<String>;
    /// Whether a file exists.
    fn is_file(&self, path: &str) -> bool;
    /// The names of the `.rs` files directly in a folder, sorted; empty when there is none.
    fn rust_files(&self, dir: &str) -> Vec<String>;
    /// The text of the spec Trellis last applied to the workspace (its ledger keeps it), if
    /// any: where `infer` takes what neither cargo nor the files say.
    fn previous_spec(&self) -> Option<String> {
        None
    }
}

/// No files at all: `infer` from cargo's view alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSources;

impl Sources for NoSources {
    fn text(&self, _: &str) -> Option<String> {
        None
    }
    fn is_file(&self, _: &str) -> bool {
        false
    }
    fn rust_files(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

/// What a crate's files say about its modules and requirements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ReadBack {
    /// File modules its root declares, whose `src/<name>.rs` exists, in the root's order.
    pub(crate) modules: Vec<String>,
    /// Requirements, in the order the crate root lists them, then as found.
    pub(crate) requirements: Vec<Found>,
    /// Comments on what was not read back, and why.
    pub(crate) notes: Vec<String>,
}

/// A requirement found in the crate's tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) id: String,
    pub(crate) text: String,
    /// Why the text may not be the spec's exactly, when it may not.
    pub(crate) note: Option<String>,
}

/// Reads back a member's modules and requirements.
pub(crate) fn read_back(m: &Member, sources: &dyn Sources) -> ReadBack {
    let mut out = ReadBack::default();
    let at = |rel: &str| if m.dir == "." { rel.to_owned() } else { format!("{}/{rel}", m.dir) };
    // The spec's module model: `src/<module>.rs` declared in `src/lib.rs` or `src/main.rs`.
    let root = match m.kind() {
        Some(CrateKind::Lib | CrateKind::ProcMacro) => Some("src/lib.rs"),
        Some(CrateKind::Bin) => Some("src/main.rs"),
        Some(CrateKind::Examples) | None => None,
    };
    let root_text = match root {
        Some(root) if m.roots.iter().any(|r| r == root) => sources.text(&at(root)),
        Some(root) if !m.roots.is_empty() => {
            out.notes.push(format!(
                "modules are not read back: the crate root is `{}`, not `{root}`",
                m.roots.join("`, `")
            ));
            None
        }
        _ => None,
    };
    if let Some(text) = &root_text {
        for name in declared_modules(text) {
            if sources.is_file(&at(&format!("src/{name}.rs"))) {
                out.modules.push(name.to_owned());
            } else {
                out.notes.push(format!(
                    "module `{name}` is not read back: `src/{name}.rs` does not exist (a folder module or a `#[path]`), which a spec cannot declare"
                ));
            }
        }
    }
    let listed = root_text.as_deref().map(listed_requirements).unwrap_or_default();
    let dir = at("tests/requirements");
    let mut found: Vec<Found> = Vec::new();
    for file in sources.rust_files(&dir) {
        if file == "main.rs" {
            continue;
        }
        let Some(text) = sources.text(&format!("{dir}/{file}")) else { continue };
        let stem = file.trim_end_matches(".rs");
        let tests = read_tests(&text);
        for test in &tests.tests {
            for (id, from_doc) in ids_of(test, tests.first_line.as_deref(), stem) {
                if found.iter().any(|f| f.id == id) {
                    continue;
                }
                let doc = if from_doc { undoc(&test.doc) } else { None };
                let listed_text = listed.iter().find(|(l, _)| *l == id).map(|(_, t)| t.clone());
                let (text, mut note) = match (doc, listed_text) {
                    (Some(text), _) | (None, Some(text)) => (text, None),
                    (None, None) => (
                        format!("{id}: its text was not found; say what it requires"),
                        Some("claimed by a test with no text to read back".to_owned()),
                    ),
                };
                if note.is_none() && has_code_point(&text) {
                    note = Some(
                        "the text holds `U+…`, which may stand for a control character the spec had"
                            .to_owned(),
                    );
                }
                found.push(Found { id, text, note });
            }
        }
    }
    // The crate root lists requirements in the spec's order, which the files cannot keep.
    found.sort_by_key(|f| listed.iter().position(|(id, _)| *id == f.id).unwrap_or(usize::MAX));
    out.requirements = found;
    out
}

/// The ids a test claims, each with whether its doc comment is that requirement's text: the
/// id of a pending test's `#[ignore = "pending: ID"]`; else an id in the file's first line or
/// the test's doc whose test name is the file's or the function's (a test a person made
/// real); then the ids of its `covers:` markers.
fn ids_of(test: &TestText, first_line: Option<&str>, stem: &str) -> Vec<(String, bool)> {
    let mut ids = Vec::new();
    let pending = test.ignore.as_deref().and_then(|r| r.strip_prefix("pending: "));
    if let Some(id) = pending.filter(|id| is_requirement_id(id)) {
        ids.push((id.to_owned(), true));
    } else {
        let named = |id: &&str| {
            let name = requirement_test_name(id);
            is_requirement_id(id) && (name == stem || name == test.name)
        };
        let mut words = first_line
            .into_iter()
            .chain(test.doc.iter().map(String::as_str))
            .flat_map(str::split_whitespace)
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()));
        if let Some(id) = words.find(named) {
            ids.push((id.to_owned(), true));
        }
    }
    for id in test.covers.iter().filter(|id| is_requirement_id(id)) {
        // A marker's test documents what it covers only when it covers one requirement.
        let own = test.covers.len() == 1 && ids.is_empty();
        ids.push((id.clone(), own));
    }
    ids
}

/// The names of the file modules declared at the top of a crate root: lines `mod x;`,
/// `pub mod x;` or `pub(…) mod x;` at the start of a line (rustfmt's place for a top-level
/// item; a `mod` inside an inline module is indented). Inline modules (`mod x { … }`) are
/// not files and are skipped.
fn declared_modules(root: &str) -> Vec<&str> {
    root.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let rest = match line.strip_prefix("pub") {
                Some(rest) if rest.starts_with('(') => rest.split_once(')')?.1.trim_start(),
                Some(rest) if rest.starts_with(' ') => rest.trim_start(),
                Some(_) => return None,
                None => line,
            };
            let name = rest.strip_prefix("mod ")?.trim().strip_suffix(';')?.trim_end();
            let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '#';
            (!name.is_empty() && name.chars().all(ident)).then_some(name)
        })
        .collect()
}

/// The crate root's `# Requirements` list, as the crate templates write it with `doc_item`:
/// `//! - **ID**: text`, continued on lines indented by two spaces.
fn listed_requirements(root: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut open = false;
    for line in root.lines() {
        let Some(body) = line.strip_prefix("//!") else {
            open = false;
            continue;
        };
        let body = body.strip_prefix(' ').unwrap_or(body);
        if let Some(item) = body.strip_prefix("- **")
            && let Some((label, text)) = item.split_once("**: ")
        {
            out.push((unescape_line(label), vec![text.to_owned()]));
            open = true;
        } else if let (true, Some(more), Some(last)) =
            (open, body.strip_prefix("  "), out.last_mut())
        {
            last.1.push(more.to_owned());
        } else {
            open = false;
        }
    }
    out.into_iter()
        .filter_map(|(id, lines)| {
            let text = undoc(&lines.iter().map(|l| format!(" {l}")).collect::<Vec<_>>())?;
            Some((id, text))
        })
        .collect()
}

/// The text `trellis_render::text::doc` wrote as these doc lines (each after its `///`), or
/// `None` when there are none or they hold nothing. Escapes are undone exactly; what `doc`
/// does not keep cannot come back: a tab (now a space), a carriage return (now a line break),
/// blanks at the ends of lines, and a control character (now `U+…`, which the text may also
/// have held as written).
pub(crate) fn undoc(lines: &[String]) -> Option<String> {
    let lines: Vec<String> =
        lines.iter().map(|l| unescape_line(l.strip_prefix(' ').unwrap_or(l))).collect();
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Undoes `escape_block` and `escape_markdown` on one line. `doc` escapes every `\` it is
/// given, so each `\` left in a line is an escape: the character after it is taken as is when
/// it is one that `doc` escapes where it stands.
fn unescape_line(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let mut out = String::with_capacity(line.len());
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\'
            && let Some(&(_, next)) = chars.peek()
        {
            let markdown = matches!(next, '\\' | '`' | '[' | ']' | '<' | '>' | '~');
            let block = i == 0 && matches!(next, '-' | '+' | '#' | '=' | '|' | '*');
            let ordered = digits > 0 && i == digits && matches!(next, '.' | ')');
            if markdown || block || ordered {
                out.push(next);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Whether the text holds `U+` and four hex digits: what `doc` writes for a control or
/// bidirectional character.
fn has_code_point(text: &str) -> bool {
    text.match_indices("U+").any(|(i, _)| {
        let hex = &text[i + 2..];
        hex.len() >= 4 && hex.as_bytes()[..4].iter().all(u8::is_ascii_hexdigit)
    })
}

#[cfg(test)]
mod tests;
