//! Three-way merges of seeded files: what Trellis last wrote (the base), the person's file and
//! the new render, line by line, by `diffy`.

/// Merges `ours` (the person's file) and `theirs` (the new render) from `base`. `Err` holds the
/// merge with conflict markers (`<<<<<<< ours`, `||||||| original`, `=======`, `>>>>>>> theirs`).
///
/// Where both sides only added lines at the same place (a module Trellis declares where a
/// person appended code), that is no conflict: both additions are kept, Trellis' first, as git's
/// `union` merge keeps them. A conflict is where both sides changed the same lines of the base.
pub(crate) fn merge3(base: &str, ours: &str, theirs: &str) -> Result<String, String> {
    let marked = match diffy::merge(base, ours, theirs) {
        Ok(merged) => return Ok(merged),
        Err(marked) => marked,
    };
    resolve_insertions(&marked).ok_or(marked)
}

/// The merge with every conflict whose base part is empty resolved as a union; `None` when a
/// conflict changed lines of the base.
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
        if !original.is_empty() {
            return None;
        }
        out.push_str(&theirs);
        out.push_str(&ours);
    }
    Some(out)
}

#[cfg(test)]
mod tests;
