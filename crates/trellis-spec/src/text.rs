//! How Trellis spells values in the files and messages it writes, each in one place: TOML
//! strings and keys, and paths with `/` between their parts whatever the platform.

use std::path::Path;

/// A TOML basic string, quotes included, with every character a TOML parser would refuse or
/// misread escaped (quotes, backslashes, control characters).
pub fn toml_str(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare where TOML allows it (`A-Za-z0-9_-`), else a basic string ([`toml_str`]:
/// `"v1.2"`, which bare would be a dotted key).
pub fn toml_key(s: &str) -> String {
    let bare =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare { s.to_owned() } else { toml_str(s) }
}

/// `path` as reached from the folder `root`, both absolute, `/`-separated: `.` for `root`
/// itself, with `..` where `path` lies outside it, and `path` itself (slashed) where the two
/// are on different drives, where no relative way leads.
pub fn relative_to(root: &Path, path: &Path) -> String {
    let (root, path) = (slashed(root), slashed(path));
    if root.split('/').next() != path.split('/').next() {
        return path;
    }
    crate::relative_path(&root, &path)
}

/// A path with `/` between its parts, whatever the platform: how Trellis shows and records a
/// relative path (`tests/it/main.rs`). A part that is not UTF-8 is shown lossily.
pub fn slashed(path: &Path) -> String {
    let mut out = String::with_capacity(path.as_os_str().len());
    for (i, part) in path.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::relative_to;

    #[cfg(unix)]
    #[test]
    fn a_path_is_reached_from_a_folder_with_dot_for_itself_and_dot_dot_outside() {
        let root = Path::new("/w/ws");
        assert_eq!(relative_to(root, Path::new("/w/ws")), ".");
        assert_eq!(relative_to(root, Path::new("/w/ws/crates/a")), "crates/a");
        assert_eq!(relative_to(root, Path::new("/w/vendor/b")), "../vendor/b");
        assert_eq!(relative_to(root, Path::new("/")), "../..");
    }
}
