//! Synthetic specs of any size: layered DAGs that look like real systems.

use std::fmt::Write as _;

/// A valid spec of `crates` crates in four layers, each with two modules, up to three
/// dependencies on crates below it, and `requirements` requirements (`C<crate>-<n>`).
pub(crate) fn spec(crates: usize, requirements: usize) -> String {
    spec_with_ids(crates, requirements, |i, r| format!("C{i}-{r}"))
}

/// [`spec`] with requirements numbered across the workspace under one prefix (`REQ-1`,
/// `REQ-2`…), as an issue tracker numbers them.
pub(crate) fn spec_numbered(crates: usize, requirements: usize) -> String {
    spec_with_ids(crates, requirements, |i, r| format!("REQ-{}", i * requirements + r + 1))
}

/// The `r`th requirement of crate `i` in [`spec_numbered`].
pub(crate) fn numbered_id(i: usize, requirements: usize, r: usize) -> String {
    format!("REQ-{}", i * requirements + r + 1)
}

fn spec_with_ids(
    crates: usize,
    requirements: usize,
    id: impl Fn(usize, usize) -> String,
) -> String {
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
                    "  {{ id = \"{}\", text = \"Crate {i} meets requirement {r}.\" }},",
                    id(i, r)
                );
            }
            text.push_str("]\n");
        }
    }
    text
}

/// One source file of about `lines` lines, as a person writes them: docs, functions, string
/// literals, comments and a test module. A file named in `covers` holds a test marked as
/// covering that requirement.
pub(crate) fn source(
    crate_index: usize,
    file: usize,
    lines: usize,
    covers: Option<&str>,
) -> String {
    let mut text = format!(
        "//! Part {file} of crate {crate_index}: parsing, pricing and the errors between them.\n\n\
         use std::collections::BTreeMap;\n\n"
    );
    let (mut item, mut written) = (0, 4);
    // Each item is eleven lines; the test module (at least nine) closes the file.
    while written + 11 + 9 <= lines {
        let _ = write!(
            text,
            "/// Prices item {item} of a basket: the rate applies after the discount, in minor\n\
             /// units, rounded half-even.\n\
             pub fn price_{item}(basket: &BTreeMap<String, u64>, rate: u64) -> Result<u64, String> {{\n\
             \x20   // An empty basket is a caller's mistake, not a zero price.\n\
             \x20   let total: u64 = basket.values().sum();\n\
             \x20   if total == 0 {{\n\
             \x20       return Err(format!(\"basket {item} of part {file} is empty\"));\n\
             \x20   }}\n\
             \x20   Ok(total * rate / 100)\n\
             }}\n\n"
        );
        item += 1;
        written += 11;
    }
    text.push_str("#[cfg(test)]\nmod tests {\n    use super::*;\n\n");
    let marker = covers.map_or_else(
        || "    // An empty basket must never price at zero.\n".to_owned(),
        |id| format!("    // covers: {id}\n"),
    );
    text.push_str(&marker);
    text.push_str(
        "    #[test]\n    fn an_empty_basket_is_refused() {\n\
         \x20       assert!(price_0(&BTreeMap::new(), 20).is_err());\n    }\n",
    );
    written += 9;
    while written + 1 < lines {
        text.push_str("    // Rates are percentages; a rate above 100 is a surcharge.\n");
        written += 1;
    }
    text.push_str("}\n");
    text
}
