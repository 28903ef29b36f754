//! Three-way merges of seeded files: what Trellis last wrote (the base), the person's file and
//! the new render, line by line, by `diffy`.

/// Merges `ours` (the person's file) and `theirs` (the new render) from `base`. `Err` holds the
/// merge with conflict markers (`<<<<<<< ours`, `||||||| original`, `=======`, `>>>>>>> theirs`).
///
/// Where both sides only added lines at the same place (a module Trellis declares where a
/// person appended code), that is no conflict: both additions are kept, Trellis' first, as git's
/// `union` merge keeps them; likewise where one side only added lines next to lines the other
/// changed (a crate's reworded summary right above the person's code). A conflict is where both
/// sides changed the same lines of the base.
pub(crate) fn merge3(base: &str, ours: &str, theirs: &str) -> Result<String, String> {
    let marked = match diffy::merge(base, ours, theirs) {
        Ok(merged) => return Ok(merged),
        Err(marked) => marked,
    };
    resolve_insertions(&marked).ok_or(marked)
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

/// One conflict, resolved when one side only added lines around the base's lines and the
/// other changed them: the change, with the additions where they were made. `None` when both
/// changed the base's lines.
fn resolve(original: &str, ours: &str, theirs: &str) -> Option<String> {
    if original.is_empty() {
        return Some(format!("{theirs}{ours}"));
    }
    // The person kept the lines and wrote after (or before) them: Trellis' change of them,
    // the person's lines where the person put them.
    if let Some(after) = ours.strip_prefix(original) {
        return Some(format!("{theirs}{after}"));
    }
    if let Some(before) = ours.strip_suffix(original) {
        return Some(format!("{before}{theirs}"));
    }
    // Trellis kept the lines and added after (or before) them: the person's change of them,
    // Trellis' lines where it put them.
    if let Some(after) = theirs.strip_prefix(original) {
        return Some(format!("{ours}{after}"));
    }
    if let Some(before) = theirs.strip_suffix(original) {
        return Some(format!("{before}{ours}"));
    }
    None
}

#[cfg(test)]
mod tests;
