//! `members` (and `default-members`) arrays, edited as a person would: whether a folder is
//! covered as cargo decides it, and a line joined, removed or moved to its sorted place in the
//! array's own layout, every comment kept on the line it was written on.

use std::collections::BTreeMap;

use toml_edit::{Array, Item, Table, Value};

use super::document::{get_table_mut, is_sorted, set_str};
use super::follow::styled_like;

/// Whether `member` is a member through `members`, as cargo decides it
/// (`WorkspaceRootConfig::is_excluded` in cargo's `core/workspace.rs`): listed exactly, or
/// matched by a glob and not under a `workspace.exclude` path. Globs match as cargo expands
/// them, folder by folder: `*` never crosses a `/`.
pub(super) fn covers(members: &Array, exclude: Option<&Array>, member: &str) -> bool {
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let listed: Vec<&str> = members.iter().filter_map(Value::as_str).map(clean).collect();
    if listed.contains(&member) {
        return true;
    }
    let excluded = exclude.into_iter().flatten().filter_map(Value::as_str).map(clean).any(|x| {
        member.strip_prefix(x).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    !excluded
        && listed
            .iter()
            .any(|m| glob::Pattern::new(m).is_ok_and(|p| p.matches_with(member, options)))
}

/// A member path as cargo reads it: without a leading `./` or a trailing `/`.
pub(super) fn clean(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    path.strip_suffix('/').unwrap_or(path)
}

/// The text between two elements of a one-element-per-line array (an element's prefix, or the
/// array's trailing text) split in two: what ends the previous element's line (spaces and a
/// comment there, through the line break), and the rest (comment lines above the next element,
/// then its indentation). `None` for the gaps of an array on one line.
pub(super) fn split_gap(gap: &str) -> Option<(&str, &str)> {
    gap.find('\n').map(|i| gap.split_at(i + 1))
}

pub(super) fn prefix_of(v: &Value) -> String {
    v.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned()
}

/// Whether an array's elements are strings in plain string order (an empty array is): the
/// order `cargo new` keeps, and the one a person who sorted the array keeps.
pub(super) fn is_sorted_array(array: &Array) -> bool {
    let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
    strs.len() == array.len() && is_sorted(strs.iter().copied())
}

/// Adds `member` to an array (`members`) as `cargo new` would: in order when the array is
/// sorted, else at the end, with the layout of the elements already there (see
/// [`insert_value`]).
pub(super) fn insert_element(array: &mut Array, member: &str) {
    insert_value(array, Value::from(member));
}

/// Adds a string to an array in order when the array is sorted (plain string order), else at
/// the end, with the layout of the elements already there: one element a line, indented as
/// they are, or on one line, spaced as they are. Every comment stays on the line it was written
/// on: one that ends an element's line stays after that element, one above an element stays
/// above it, one before the closing bracket stays before it. Returns where it went.
pub(super) fn insert_value(array: &mut Array, value: Value) -> usize {
    let sorted = is_sorted_array(array);
    let index = match value.as_str() {
        Some(text) if sorted => {
            let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
            strs.partition_point(|s| *s < text)
        }
        _ => array.len(),
    };
    let len = array.len();
    // A last element without a comma may hold the comments after it as its own suffix: they
    // belong after the comma that joins the new element.
    let mut trailing = array.trailing().as_str().unwrap_or("").to_owned();
    if index == len
        && let Some(last) = array.get_mut(len.wrapping_sub(1))
    {
        let suffix = last.decor().suffix().and_then(|s| s.as_str()).unwrap_or("").to_owned();
        if suffix.contains('\n') {
            last.decor_mut().set_suffix("");
            trailing = format!("{suffix}{trailing}");
        }
    }
    let gap = if index < len {
        array.get(index).map(prefix_of).unwrap_or_default()
    } else {
        trailing.clone()
    };
    // The indentation of an element's line, from the elements there are.
    let indent = (0..len)
        .filter_map(|i| array.get(i).map(prefix_of))
        .find_map(|p| p.rfind('\n').map(|n| p[n + 1..].to_owned()))
        .unwrap_or_else(|| "    ".to_owned());
    let mut value = value;
    value.decor_mut().clear();
    array.insert_formatted(index, value);
    let set = |array: &mut Array, i: usize, prefix: String| {
        if let Some(v) = array.get_mut(i) {
            v.decor_mut().set_prefix(prefix);
        }
    };
    match split_gap(&gap) {
        Some((ends_line, rest)) if len > 0 => {
            set(array, index, format!("{ends_line}{indent}"));
            let after = format!("\n{rest}");
            if index < len {
                set(array, index + 1, after);
            } else {
                array.set_trailing(after);
            }
        }
        // One line: the new element is spaced as the others are.
        _ if len > 0 => {
            if index == 0 {
                set(array, 0, gap.clone());
                set(array, 1, " ".to_owned());
            } else {
                set(array, index, " ".to_owned());
            }
            if index == len {
                array.set_trailing(trailing);
            }
        }
        _ => {}
    }
    index
}

pub(super) fn remove_element(cur: &mut Table, path: &[String]) {
    let Some(array) = get_table_mut(cur, &path[..1])
        .and_then(|t| t.get_mut(&path[1]))
        .and_then(Item::as_array_mut)
    else {
        return;
    };
    let Some(index) = array.iter().position(|v| v.as_str() == Some(path[2].as_str())) else {
        // Covered by a glob or excluded: nothing of Trellis' to remove.
        return;
    };
    remove_at(array, index, false);
}

/// Removes element `index` of an array, joining what stood around it. One element a line:
/// what ended the line before stays, comment lines above the removed element stay, and a
/// comment that ended its own line becomes a line of its own, unless `carry`: then it is
/// returned (with the line break after it) for the element to take along, and left out.
pub(super) fn remove_at(array: &mut Array, index: usize, carry: bool) -> Option<String> {
    let removed = array.remove(index);
    let before = prefix_of(&removed);
    let last = index == array.len();
    let after = if last {
        // Without a trailing comma, what stands before `]` may be the last element's suffix.
        let suffix = removed.decor().suffix().and_then(|s| s.as_str()).unwrap_or("");
        format!("{suffix}{}", array.trailing().as_str().unwrap_or(""))
    } else {
        array.get(index).map(prefix_of).unwrap_or_default()
    };
    let mut carried = None;
    let joined = match (split_gap(&before), split_gap(&after)) {
        (Some((ends_before, above)), Some((ends_removed, rest))) => {
            let mut comment = ends_removed.trim();
            if carry && !comment.is_empty() {
                carried = Some(ends_removed.to_owned());
                comment = "";
            }
            let own_line = if comment.is_empty() {
                String::new()
            } else {
                let indent = above.rsplit('\n').next().unwrap_or("");
                format!("{comment}\n{indent}")
            };
            let above = above.trim_end_matches([' ', '\t']);
            let indent = rest.rsplit('\n').next().unwrap_or("");
            let rest_lines = &rest[..rest.len() - indent.len()];
            if own_line.is_empty() {
                format!("{ends_before}{above}{rest_lines}{indent}")
            } else {
                let own_indent = own_line.rsplit('\n').next().unwrap_or("");
                format!("{ends_before}{above}{own_indent}{comment}\n{rest_lines}{indent}")
            }
        }
        // On one line: the element's spacing goes with it, the first one's stays first.
        _ => {
            if index == 0 {
                before
            } else {
                after
            }
        }
    };
    if last {
        array.set_trailing(joined);
    } else if let Some(next) = array.get_mut(index) {
        next.decor_mut().set_prefix(joined);
    }
    carried
}

/// Moves element `from` of a sorted array to its sorted place as `value` (a crate's folder
/// that moved), as a person would move the line: the element's line goes, with a comment that
/// ended it, and joins where [`insert_value`] puts a new element; comment lines above it stay
/// where they were, as when an element is removed. Where the comment cannot go along (a line
/// of the array that holds more than one element), it stays behind on a line of its own.
pub(super) fn move_element(array: &mut Array, from: usize, value: Value) -> usize {
    let mut moved = array.clone();
    let comment = remove_at(&mut moved, from, true);
    let to = insert_value(&mut moved, value.clone());
    if comment.is_none_or(|comment| end_line_with(&mut moved, to, &comment)) {
        *array = moved;
        return to;
    }
    remove_at(array, from, false);
    insert_value(array, value)
}

/// Ends the line of element `index` (one element a line) with `comment` (its text through the
/// line break), where that line ends with nothing else; `false` where it cannot.
pub(super) fn end_line_with(array: &mut Array, index: usize, comment: &str) -> bool {
    let last = index + 1 == array.len();
    let gap = if last {
        let suffix = array.get(index).and_then(|v| v.decor().suffix()?.as_str()).unwrap_or("");
        format!("{suffix}{}", array.trailing().as_str().unwrap_or(""))
    } else {
        array.get(index + 1).map(prefix_of).unwrap_or_default()
    };
    let Some((ends, rest)) = split_gap(&gap) else { return false };
    if !ends.trim().is_empty() {
        return false;
    }
    let gap = format!("{comment}{rest}");
    if last {
        if let Some(v) = array.get_mut(index) {
            v.decor_mut().set_suffix("");
        }
        array.set_trailing(gap);
    } else if let Some(next) = array.get_mut(index + 1) {
        next.decor_mut().set_prefix(gap);
    }
    true
}

/// Follows moves (old folder → new folder) in a `members` or `default-members` array: each
/// line that named a moved folder names the new one, written in the style of the old
/// (`styled_like`, quoting kept). In place where the array is not sorted, or where the new
/// folder keeps it sorted; in a sorted array the element otherwise moves to its sorted place
/// ([`move_element`]), so that the array stays sorted and later members keep joining in
/// order.
pub(super) fn follow_elements(array: &mut Array, moved: &BTreeMap<String, String>) {
    let sorted = is_sorted_array(array);
    // The elements followed already: a folder may move to where another one moved from.
    let mut done = vec![false; array.len()];
    loop {
        let next = (0..array.len()).find(|&i| {
            !done[i]
                && array
                    .get(i)
                    .and_then(Value::as_str)
                    .is_some_and(|s| moved.contains_key(clean(s)))
        });
        let Some(i) = next else { break };
        let Some(was) = array.get(i).and_then(Value::as_str).map(str::to_owned) else { break };
        let to = styled_like(&was, moved[clean(&was)].clone());
        let text = |at: usize| array.get(at).and_then(Value::as_str);
        let fits = !sorted
            || (i.checked_sub(1).and_then(text).is_none_or(|prev| prev <= to.as_str())
                && text(i + 1).is_none_or(|next| to.as_str() <= next));
        let element = array.get_mut(i).expect("found above");
        set_str(element, &to);
        if fits {
            done[i] = true;
            continue;
        }
        let value = array.get(i).cloned().expect("found above");
        let at = move_element(array, i, value);
        done.remove(i);
        done.insert(at, true);
    }
}
