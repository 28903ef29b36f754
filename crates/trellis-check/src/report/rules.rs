//! What each finding code means, in one sentence, and where its documentation is: the rules
//! a SARIF report describes, and the links of the Markdown summary.

use trellis_spec::Code;
use trellis_trace::findings as trace;

use crate::codes;

/// The repository Trellis is published from, as its `Cargo.toml` names it (`repository`),
/// if it does: the documentation links of the reports CI reads start there. `None` while the
/// manifest names none; the reports then carry no link (SARIF's `informationUri` and `helpUri`
/// are optional).
pub const REPOSITORY: Option<&str> = match option_env!("CARGO_PKG_REPOSITORY") {
    Some(repository) if !repository.is_empty() => Some(repository),
    _ => None,
};

/// The codes every report describes whether or not they were found: all of `check`'s own and
/// the requirements' (spec warnings, `S…`, are described when one is found).
pub(crate) fn described() -> impl Iterator<Item = Code> {
    codes::ALL.into_iter().chain([
        trace::LOST,
        trace::STRAY,
        trace::PENDING,
        trace::FAILING,
        trace::SUSPECT,
        trace::SKIPPED,
    ])
}

/// One sentence that says what a finding of `code` means (the "what" column of the docs'
/// tables).
pub(crate) fn description(code: Code) -> String {
    let known = match code.id {
        "C001" => "A crate of the spec is not a member of the workspace.",
        "C002" => "A member of the workspace is not in the spec.",
        "C003" => "The member has no target of the kind the spec gives it.",
        "C004" => "The member lives in another folder than the spec's `path`.",
        "C005" => "A manifest has an internal dependency that the spec does not declare.",
        "C006" => "The spec declares an internal dependency that no manifest has.",
        "C007" => {
            "An undeclared normal or build dependency goes from a lower layer to a higher one."
        }
        "C008" => "Normal and build dependencies form a cycle.",
        "C009" => "A member uses an external crate that the spec's `[dependencies]` does not list.",
        "C010" => "A member uses a listed external crate that its `uses` does not name.",
        "C011" => "The spec says a crate uses an external crate that its manifest lacks.",
        "C012" => "An `[[allow]]` entry excuses nothing: the exception has rotted.",
        "C013" => "A member's `package.description` is not the spec's `summary` of it.",
        "C014" => "A module of the spec has neither its file nor its `mod` line.",
        "C015" => {
            "A member depends on an external crate a `[[forbid]]` rule of the spec forbids it."
        }
        "C016" => "An `[[allow]]` entry expires within 30 days (`until`).",
        "R001" => "A requirement of the spec is lost: no test names it any more.",
        "R002" => "The code names a requirement id that the spec does not have.",
        "R003" => "A requirement's test is still the pending one Trellis seeded.",
        "R004" => "A test that claims a requirement failed.",
        "R005" => "A requirement's text changed since its tests were affirmed.",
        "R006" => "Every test of a requirement is skipped (`#[ignore]`).",
        _ => "",
    };
    if known.is_empty() {
        format!("The spec: {}.", code.name.replace('-', " "))
    } else {
        known.to_owned()
    }
}

/// The page of the documentation that explains `code` (relative to the repository), the
/// anchor of its section and that section's title.
fn doc_page(code: Code) -> (&'static str, &'static str, &'static str) {
    match code.id.as_bytes().first() {
        Some(b'C') => ("docs/check.md", "findings", "Findings"),
        Some(b'R') => ("docs/trace.md", "findings-in-check", "Findings in `check`"),
        _ => ("docs/spec.md", "diagnostics", "Diagnostics"),
    }
}

/// The documentation of `code` online, when [`REPOSITORY`] names where it is.
pub fn help_uri(code: Code) -> Option<String> {
    link(REPOSITORY, code)
}

/// The documentation of `code` under `repository` (a GitHub-style `…/blob/main/` link).
pub(crate) fn link(repository: Option<&str>, code: Code) -> Option<String> {
    let repository = repository?.trim_end_matches('/');
    let (page, anchor, _) = doc_page(code);
    Some(format!("{repository}/blob/main/{page}#{anchor}"))
}

/// Help for a rule: its description, then where the documentation explains it.
pub(crate) fn help(code: Code) -> String {
    let (page, _, section) = doc_page(code);
    format!(
        "{} ({} {}). Trellis' {page} explains it, under \"{section}\".",
        description(code).trim_end_matches('.'),
        code.id,
        code.name,
    )
}

/// Whether findings of `code` are warnings unless a setting makes them errors: the ones
/// docs/check.md and docs/trace.md list as warnings, and every spec diagnostic `check` shows
/// (a spec with an error stops before the check).
pub(crate) fn warns(code: Code) -> bool {
    matches!(code.id, "C010" | "C011" | "C013" | "C014" | "C016" | "R005")
        || code.id.starts_with('S')
}
