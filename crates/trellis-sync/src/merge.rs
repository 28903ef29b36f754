//! Three-way merges of seeded files: what Trellis last wrote (the base), the person's file and
//! the new render, line by line, by `diffy`.

use crate::lines::{LineOp, line_ops};

/// Merges `ours` (the person's file) and `theirs` (the new render) from `base`. `Err` holds the
/// merge with conflict markers (`<<<<<<< ours`, `||||||| original`, `=======`, `>>>>>>> theirs`).
///
/// A conflict is where both sides changed the same lines of the base into different lines.
/// Changes next to each other merge (a crate's reworded summary right above the person's code),
/// and lines both sides add at one place are both kept, Trellis' first, as git's `union` merge
/// keeps them (a module Trellis declares where a person appended code).
///
/// A line Trellis' side inserts that the person's side already inserted identically (both
/// relative to the base) is taken as already there, wherever either put it: a module a person
/// declared by hand before the spec declared it is declared once (see [`already_added`]).
///
/// A text without a final newline is merged as if it had one, so that a last line is a line
/// like any other (and a marker never lands at the end of one); the result ends without one
/// only when the person's file did.
pub fn merge3(base: &str, ours: &str, theirs: &str) -> Result<String, String> {
    let bare = !ours.is_empty() && !ours.ends_with('\n');
    // A file the person keeps with CRLF line ends (an editor's or git's `autocrlf`) merges
    // as if Trellis had written it so: otherwise every line would count as changed.
    let crlf = ours.contains("\r\n");
    let line = |text: &str| {
        let text =
            if crlf { text.replace("\r\n", "\n").replace('\n', "\r\n") } else { text.to_owned() };
        if text.is_empty() || text.ends_with('\n') {
            text
        } else {
            format!("{text}{}", if crlf { "\r\n" } else { "\n" })
        }
    };
    let (base, ours, theirs) = (line(base), line(ours), line(theirs));
    let theirs = already_added(&base, &ours, &theirs);
    let merged = match diffy::merge(&base, &ours, &theirs) {
        Ok(merged) => Ok(merged),
        // diffy ends its marker lines with `\n`: in a CRLF file they get its line ends too.
        Err(marked) => resolve_insertions(&marked).ok_or_else(|| {
            if crlf { marked.replace("\r\n", "\n").replace('\n', "\r\n") } else { marked }
        }),
    };
    let trim = |mut text: String| {
        if bare && text.ends_with('\n') {
            text.pop();
            if crlf && text.ends_with('\r') {
                text.pop();
            }
        }
        text
    };
    merged.map(trim)
}

/// `theirs` without the lines it inserts that `ours` inserted too, so that the merge takes
/// them once. A line counts only where it identifies itself: it holds a word (a `}` or a blank
/// line is one of many), it is new to the file (not in the base), and each side has it once.
fn already_added(base: &str, ours: &str, theirs: &str) -> String {
    let base: Vec<&str> = base.split_inclusive('\n').collect();
    let ours_lines: Vec<&str> = ours.split_inclusive('\n').collect();
    let theirs_lines: Vec<&str> = theirs.split_inclusive('\n').collect();
    let once = |lines: &[&str], line: &str| lines.iter().filter(|l| **l == line).count() == 1;
    // Each side's runs of inserted lines.
    let inserted = |side: &[&str]| -> Vec<std::ops::Range<usize>> {
        line_ops(&base.concat(), &side.concat())
            .into_iter()
            .filter_map(|op| match op {
                LineOp::Insert { new_index, new_len, .. }
                | LineOp::Replace { new_index, new_len, .. } => {
                    Some(new_index..new_index + new_len)
                }
                _ => None,
            })
            .collect()
    };
    let ours_added: Vec<&str> =
        inserted(&ours_lines).into_iter().flatten().map(|i| ours_lines[i]).collect();
    let taken = |line: &str| {
        line.chars().any(char::is_alphanumeric)
            && !base.contains(&line)
            && ours_added.contains(&line)
            && once(&ours_lines, line)
            && once(&theirs_lines, line)
    };
    let mut dropped = Vec::new();
    for run in inserted(&theirs_lines) {
        let words = run.clone().filter(|&i| !theirs_lines[i].trim().is_empty());
        // A run whose every line is there already goes whole, with the blank lines that
        // spaced it out.
        if words.clone().next().is_some() && words.clone().all(|i| taken(theirs_lines[i])) {
            dropped.extend(run);
        } else {
            dropped.extend(words.filter(|&i| taken(theirs_lines[i])));
        }
    }
    if dropped.is_empty() {
        return theirs.to_owned();
    }
    theirs_lines.iter().enumerate().filter(|(i, _)| !dropped.contains(i)).map(|(_, l)| *l).collect()
}

/// Whether `text` holds any of the labelled conflict markers [`merge3`] writes, each on a
/// line of its own (`=======` alone is also a Markdown heading's underline).
/// Whether `text` holds what is left of a three-way merge's conflict nobody resolved:
/// Trellis' own (`--write-conflicts`) or a version-control tool's (git, jj, hg and diff3 all
/// open one with a line of seven `<`, mark the base with seven `|` and close it with seven
/// `>`); one such line is enough.
pub(crate) fn has_markers(text: &str) -> bool {
    text.lines().any(|l| ["<<<<<<<", "|||||||", ">>>>>>>"].iter().any(|m| l.starts_with(m)))
}

/// The merge with every conflict [`resolve`] can resolve resolved; `None` when one cannot be.
fn resolve_insertions(marked: &str) -> Option<String> {
    let mut out = String::with_capacity(marked.len());
    let mut lines = marked.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if !line.starts_with("<<<<<<< ") {
            out.push_str(line);
            continue;
        }
        let (mut ours, mut original, mut theirs) = (String::new(), String::new(), String::new());
        let mut part = &mut ours;
        loop {
            let line = lines.next()?;
            if line.starts_with("||||||| ") {
                part = &mut original;
            } else if line.starts_with("=======") {
                part = &mut theirs;
            } else if line.starts_with(">>>>>>> ") {
                break;
            } else {
                part.push_str(line);
            }
        }
        out.push_str(&resolve(&original, &ours, &theirs)?);
    }
    Some(out)
}

/// One conflict, merged again line by line: `diffy` (as diff3 does) calls changes that touch
/// or adjoin one another a conflict, but only a base line both sides changed, and changed
/// differently, is one. Lines both add at one place are both kept, Trellis' first (git's
/// `union`). `None` for a real conflict.
fn resolve(original: &str, ours: &str, theirs: &str) -> Option<String> {
    let base: Vec<&str> = original.split_inclusive('\n').collect();
    let (ours, theirs) = (Side::of(&base, ours), Side::of(&base, theirs));
    let mut out = String::new();
    for i in 0..=base.len() {
        let changed = |side: &Side<'_>| i < base.len() && !side.kept[i];
        // The same line changed on both sides, into different lines: a conflict.
        if changed(&ours) && changed(&theirs) && ours.added[i] != theirs.added[i] {
            return None;
        }
        if ours.added[i] == theirs.added[i] {
            out.extend(ours.added[i].iter().copied());
        } else {
            out.extend(theirs.added[i].iter().copied());
            out.extend(ours.added[i].iter().copied());
        }
        if i < base.len() && ours.kept[i] && theirs.kept[i] {
            out.push_str(base[i]);
        }
    }
    Some(out)
}

/// One side of a conflict against its base lines: which base lines it keeps, and the lines it
/// adds before each base line (`added[base.len()]`: after the last).
struct Side<'a> {
    kept: Vec<bool>,
    added: Vec<Vec<&'a str>>,
}

impl<'a> Side<'a> {
    fn of(base: &[&str], text: &'a str) -> Side<'a> {
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut side =
            Side { kept: vec![false; base.len()], added: vec![Vec::new(); base.len() + 1] };
        for op in line_ops(&base.concat(), text) {
            match op {
                LineOp::Equal { old_index, len, .. } => {
                    side.kept[old_index..old_index + len].fill(true);
                }
                LineOp::Delete { .. } => {}
                LineOp::Insert { old_index, new_index, new_len } => {
                    side.added[old_index].extend(&lines[new_index..new_index + new_len]);
                }
                LineOp::Replace { old_index, new_index, new_len, .. } => {
                    side.added[old_index].extend(&lines[new_index..new_index + new_len]);
                }
            }
        }
        side
    }
}

#[cfg(test)]
mod tests;
