//! A synthetic workspace for the `trace` benchmark, and the baseline to compare against.
//!
//! [`write_workspace`] writes `Trellis.toml` and, per crate, the files the render stage seeds
//! (crate docs listing the requirements, a module, `tests/requirements/` with one pending test per
//! requirement), with one requirement in three covered by a person's test. [`read_baseline`] lists
//! the same files with walkdir and reads each once: what `trace` must stay within 1.5× of.

use std::fmt::Write;
use std::io;
use std::path::Path;

use walkdir::WalkDir;

use crate::report::Target;

/// The crates of the synthetic workspace, without writing anything: what [`write_workspace`]
/// returns for the same numbers.
pub fn targets(crates: usize, requirements: usize) -> Vec<Target> {
    let per = crates.max(1);
    (0..crates)
        .map(|c| {
            let name = format!("crate-{c:04}");
            // Spread evenly: crate `c` gets the requirements whose number modulo `crates` is `c`.
            let requirements = (0..requirements)
                .filter(|r| r % per == c)
                .map(|r| format!("C{c:04}-{}", r / per + 1))
                .collect();
            Target { path: format!("crates/{name}"), name, requirements }
        })
        .collect()
}

/// Writes a workspace of `crates` crates with `requirements` requirements in all (spread evenly)
/// under `root`, which should be empty, and returns its crates as trace targets. The spec text
/// is in `root/Trellis.toml`.
pub fn write_workspace(root: &Path, crates: usize, requirements: usize) -> io::Result<Vec<Target>> {
    let mut spec = String::from(
        "[workspace]\nname = \"synthetic\"\nsummary = \"A synthetic workspace to time trace\"\n\
         edition = \"2024\"\n",
    );
    let targets = targets(crates, requirements);
    for (c, target) in targets.iter().enumerate() {
        let name = &target.name;
        let _ = write!(spec, "\n[crates.{name}]\nsummary = \"Synthetic crate {c}\"\n");
        let _ = writeln!(spec, "modules = [\"model\"]");
        if !target.requirements.is_empty() {
            spec.push_str("requirements = [\n");
            for id in &target.requirements {
                let _ = writeln!(spec, "  {{ id = \"{id}\", text = \"{}\" }},", text(id));
            }
            spec.push_str("]\n");
        }
        write_crate(&root.join(&target.path), c, &target.requirements)?;
    }
    std::fs::write(root.join("Trellis.toml"), spec)?;
    Ok(targets)
}

fn text(id: &str) -> String {
    format!("Requirement {id} holds for every input the crate accepts, and says so in its errors")
}

fn write_crate(dir: &Path, c: usize, ids: &[String]) -> io::Result<()> {
    let tests = dir.join("tests/requirements");
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::create_dir_all(&tests)?;
    let mut lib = format!("//! Synthetic crate {c}.\n//!\n//! # Requirements\n//!\n");
    for id in ids {
        let _ = writeln!(lib, "//! - **{id}**: {}", text(id));
    }
    lib.push_str("\npub mod model;\n");
    std::fs::write(dir.join("src/lib.rs"), lib)?;
    std::fs::write(dir.join("src/model.rs"), MODEL)?;
    let mut main = String::from("//! The requirements of this crate, one pending test each.\n\n");
    for (k, id) in ids.iter().enumerate() {
        let name = trellis_spec::requirement_test_name(id);
        let _ = writeln!(main, "mod {name};");
        // One in three is covered, half of those by the person's own test with a marker.
        let body = match k % 6 {
            0 => format!(
                "//! {id}: the pending test of this requirement.\n\n/// {}\n#[test]\nfn {name}() {{\n    \
                 assert_eq!(1 + 1, 2);\n}}\n",
                text(id)
            ),
            3 => format!(
                "//! {id}: the pending test of this requirement.\n\n/// {t}\n#[test]\n#[ignore = \"pending: {id}\"]\n\
                 fn {name}() {{\n    todo!(\"{id}\")\n}}\n\n// covers: {id}\n#[test]\nfn rounds_half_even_{k}() {{\n    \
                 let s = \"not {id} at all\";\n    assert!(!s.is_empty());\n}}\n",
                t = text(id)
            ),
            _ => pending(id, &name),
        };
        std::fs::write(tests.join(format!("{name}.rs")), body)?;
    }
    std::fs::write(tests.join("main.rs"), main)
}

/// A requirement's pending test, as the render stage writes it.
fn pending(id: &str, name: &str) -> String {
    format!(
        "//! {id}: the pending test of this requirement.\n\n/// {}\n#[test]\n#[ignore = \"pending: {id}\"]\n\
         fn {name}() {{\n    todo!(\"{id}\")\n}}\n",
        text(id)
    )
}

/// A module of ordinary code, so that not every byte read is a test.
const MODEL: &str = r#"//! The crate's model.

/// An amount in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    /// Minor units, e.g. cents.
    pub minor: i64,
}

impl Amount {
    /// Adds two amounts; `None` on overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        // Overflow is an error the caller must see, never a wrap.
        self.minor.checked_add(other.minor).map(|minor| Amount { minor })
    }

    /// Formats with two decimals: "12.34".
    pub fn display(self) -> String {
        format!("{}.{:02}", self.minor / 100, (self.minor % 100).abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        assert_eq!(Amount { minor: 1 }.checked_add(Amount { minor: 2 }), Some(Amount { minor: 3 }));
    }
}
"#;

/// Lists every `.rs` file under `root` with walkdir and reads each once; returns how many
/// bytes it read. The baseline `trace` is timed against.
pub fn read_baseline(root: &Path) -> io::Result<u64> {
    let mut bytes = 0;
    for entry in WalkDir::new(root) {
        let entry = entry.map_err(io::Error::from)?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "rs") {
            bytes += std::fs::read(entry.path())?.len() as u64;
        }
    }
    Ok(bytes)
}
