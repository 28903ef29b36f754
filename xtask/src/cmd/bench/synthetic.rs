//! Synthetic specs of any size: layered DAGs that look like real systems.

use std::fmt::Write as _;

/// A valid spec of `crates` crates in four layers, each with two modules, up to three
/// dependencies on crates below it, and `requirements` requirements.
pub(crate) fn spec(crates: usize, requirements: usize) -> String {
    let mut text = String::from(
        "[workspace]\nname = \"synthetic\"\nsummary = \"A synthetic system\"\n\n\
         [layers]\norder = [\"l0\", \"l1\", \"l2\", \"l3\"]\n",
    );
    let layer_of = |i: usize| i * 4 / crates.max(1);
    for i in 0..crates {
        let depends: Vec<String> = [i / 2, i / 3, i.saturating_sub(7)]
            .into_iter()
            .filter(|&j| j < i)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|j| format!("\"c{j:05}\""))
            .collect();
        let _ = write!(
            text,
            "\n[crates.c{i:05}]\nlayer = \"l{}\"\nsummary = \"Crate number {i}\"\nmodules = [\"alpha\", \"beta\"]\ndepends = [{}]\n",
            layer_of(i),
            depends.join(", ")
        );
        if requirements > 0 {
            text.push_str("requirements = [\n");
            for r in 0..requirements {
                let _ = writeln!(
                    text,
                    "  {{ id = \"C{i}-{r}\", text = \"Crate {i} meets requirement {r}.\" }},"
                );
            }
            text.push_str("]\n");
        }
    }
    text
}
