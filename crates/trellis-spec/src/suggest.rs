//! "Did you mean" suggestions: the closest known name to a misspelt one.

#[cfg(test)]
mod tests;

/// The candidate closest to `name`, if one is close enough to be what the user meant.
///
/// Close enough is rustc's measure: an edit distance of at most a third of the longer length
/// (at least one edit), or the same name up to case and `-`/`_`.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let folded = fold(name);
    let length = name.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let other = candidate.chars().count();
        let limit = length.max(other).max(3) / 3;
        // The distance is at least the difference in length: most candidates of a large spec
        // are ruled out without computing it.
        if length.abs_diff(other) > limit {
            continue;
        }
        let distance = if fold(candidate) == folded { 0 } else { distance(name, candidate) };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Suggestions among the names of one spec, in bounded time: after [`Suggester::BUDGET`]
/// candidates looked at, it stops suggesting. A spec with thousands of misspelt names gets
/// every error at once, in time linear in their number, and hints for the first ones only.
pub(crate) struct Suggester {
    left: std::cell::Cell<usize>,
}

impl Suggester {
    /// How many candidates one validation may look at, all lookups together.
    const BUDGET: usize = 2_000_000;

    pub(crate) fn new() -> Suggester {
        Suggester { left: std::cell::Cell::new(Suggester::BUDGET) }
    }

    /// [`closest`], while the budget lasts.
    pub(crate) fn closest<'a>(&self, name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let left = self.left.get();
        if left < candidates.len() {
            self.left.set(0);
            return None;
        }
        self.left.set(left - candidates.len());
        closest(name, candidates.iter().copied())
    }

    /// [`did_you_mean`], while the budget lasts.
    pub(crate) fn did_you_mean(&self, name: &str, candidates: &[&str]) -> Option<String> {
        self.closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
    }
}

/// `closest` as a hint, or `None`.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

fn fold(name: &str) -> String {
    name.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// Levenshtein distance, in characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
