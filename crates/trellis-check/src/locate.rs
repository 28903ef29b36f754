//! Where a finding is written in a manifest: the span of a dependency's key or of the package
//! name, found by parsing the manifest text with toml_edit.

use std::ops::Range;
use std::str::FromStr;

use cargo_metadata::cargo_platform::Platform;
use toml_edit::{Document, Item, TableLike};
use trellis_spec::EdgeKind;

/// The span of the key that declares a dependency: `key` in `[dependencies]` (or dev-, build-),
/// under `[target.'<target>'.…]` when the dependency is target-specific.
pub(crate) fn dependency_key(
    text: &str,
    kind: EdgeKind,
    target: Option<&str>,
    key: &str,
) -> Option<Range<usize>> {
    let doc = Document::parse(text).ok()?;
    let root = doc.as_table();
    let section_in = |table: &dyn TableLike| -> Option<Range<usize>> {
        let section = table.get(kind.manifest_section())?.as_table_like()?;
        // `dev_dependencies` and `build_dependencies` are old spellings cargo still reads.
        let (found, _) = section.get_key_value(key)?;
        found.span()
    };
    let alternate = |table: &dyn TableLike| -> Option<Range<usize>> {
        let old = kind.manifest_section().replace('-', "_");
        let section = table.get(&old)?.as_table_like()?;
        section.get_key_value(key)?.0.span()
    };
    match target {
        None => section_in(root).or_else(|| alternate(root)),
        Some(target) => {
            let targets = root.get("target")?.as_table_like()?;
            let wanted = Platform::from_str(target).ok();
            targets.iter().find_map(|(name, item): (&str, &Item)| {
                let same = name == target
                    || wanted
                        .as_ref()
                        .is_some_and(|w| Platform::from_str(name).ok().as_ref() == Some(w));
                let table = item.as_table_like()?;
                if same { section_in(table).or_else(|| alternate(table)) } else { None }
            })
        }
    }
}

/// The span of `package.name`'s value.
pub(crate) fn package_name(text: &str) -> Option<Range<usize>> {
    package_key(text, "name")
}

/// The string value of `package.<key>`, decoded.
pub(crate) fn package_str(text: &str, key: &str) -> Option<String> {
    let doc = Document::parse(text).ok()?;
    Some(doc.as_table().get("package")?.as_table_like()?.get(key)?.as_str()?.to_owned())
}

/// The span of the value of `package.<key>`.
pub(crate) fn package_key(text: &str, key: &str) -> Option<Range<usize>> {
    let doc = Document::parse(text).ok()?;
    doc.as_table().get("package")?.as_table_like()?.get(key)?.span()
}

#[cfg(test)]
mod tests;
