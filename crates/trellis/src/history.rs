//! The specs applied before: where a format-2 ledger's hashes are resolved once `Trellis.toml`
//! has moved on (see `trellis_sync::Ledger::resolve_with` and docs/sync.md, "Branches and
//! merges").
//!
//! The ledger records what Trellis wrote as hashes of what a spec rendered, not as texts, so
//! reading it back takes that spec. The sync stage first reads this machine's full copy of the
//! ledger (`.trellis/applied.toml`); the candidates here are for what that does not give (a
//! fresh clone, a merge of two branches): `Trellis.toml` as version control has it at `HEAD`,
//! at each of `HEAD`'s parents (a merge commit: the two branches' specs) and at `MERGE_HEAD`
//! (a merge in progress). Git is asked through its command line, as cargo does
//! for its git sources; outside a git checkout, or without git, there are no such candidates.

use std::path::{Path, PathBuf};

use trellis_render::PlannedFile;
use trellis_spec::SPEC_FILE;
use trellis_sync::{APPLIED_PATH, History, Ledger};

use crate::Loaded;

/// The spec texts Trellis may have applied here before, most likely first, without repeats.
pub(crate) fn candidates(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |text: String| {
        if !out.contains(&text) {
            out.push(text);
        }
    };
    for rev in revisions(root) {
        if let Some(text) = git(root, &["show", &format!("{rev}:./{SPEC_FILE}")]) {
            push(text);
        }
    }
    out
}

/// The commit checked out, as `git rev-parse --short HEAD` names it: what a report says it was
/// made from. `None` outside a git checkout, without git, or before the first commit.
pub(crate) fn commit(root: &Path) -> Option<String> {
    let hash = git(root, &["rev-parse", "--short", "HEAD"])?;
    let hash = hash.trim();
    (!hash.is_empty()).then(|| hash.to_owned())
}

/// `HEAD`, its parents, and `MERGE_HEAD` when a merge is under way.
fn revisions(root: &Path) -> Vec<String> {
    let mut revs: Vec<String> = git(root, &["rev-list", "--parents", "-n", "1", "HEAD"])
        .map(|line| line.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if let Some(merge) = git(root, &["rev-parse", "--verify", "--quiet", "MERGE_HEAD"]) {
        revs.push(merge.trim().to_owned());
    }
    revs
}

/// Git's output, or `None` where git is missing, the folder is no checkout, or git fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    crate::diff::git(root, args, &[]).ok()
}

/// The history `plan` and `apply` resolve the ledger with: each candidate spec, rendered with
/// the project's templates; one that no longer parses or renders is passed over.
pub(crate) fn history(root: &Path, templates: Option<&Path>) -> History {
    let (root, templates): (PathBuf, Option<PathBuf>) =
        (root.to_path_buf(), templates.map(Path::to_path_buf));
    History::new(move || {
        let Ok(templates) = crate::sync::templates(templates.as_deref()) else {
            return Vec::new();
        };
        candidates(&root)
            .into_iter()
            .filter_map(|text| {
                let loaded = Loaded::parse(text, SPEC_FILE.to_owned()).ok()?;
                crate::sync::render(&loaded, &templates).ok()
            })
            .collect::<Vec<Vec<PlannedFile>>>()
    })
}

/// The text of the spec the ledger at `root` records as applied: the ledger's own, this
/// machine's full copy's, or a candidate's whose hash it records.
pub(crate) fn applied_spec(root: &Path, ledger: &Ledger) -> Option<String> {
    if let Some(text) = ledger.spec() {
        return Some(text.to_owned());
    }
    let local = root.join(APPLIED_PATH);
    if let Ok(text) = std::fs::read_to_string(&local)
        && let Ok(copy) = Ledger::parse(&text, &local)
        && let Some(spec) = copy.spec().filter(|spec| ledger.applied(spec))
    {
        return Some(spec.to_owned());
    }
    candidates(root).into_iter().find(|text| ledger.applied(text))
}
