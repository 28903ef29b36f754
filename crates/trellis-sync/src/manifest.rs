//! Manifests merged key by key: Trellis adds, changes and removes only the keys it owns (those
//! it renders now, or those the ledger says it rendered last time); every other key, comment,
//! blank line and the order of keys stay exactly as a person left them.
//!
//! Ownership is per leaf (a value that is not a table), so a person may add `features` to a
//! dependency entry Trellis wrote. `workspace.members` is managed element by element, in the
//! manner of `cargo new`: a path already covered by a glob, or listed in `exclude`, is not
//! added; a sorted array stays sorted; a new element copies its neighbours' layout.

use std::collections::{BTreeMap, HashMap, HashSet};

use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};

use crate::ledger::{KeyPath, dotted, short_hash};

/// Arrays Trellis manages element by element rather than as one value.
const SET_ARRAYS: &[[&str; 2]] = &[["workspace", "members"], ["workspace", "default-members"]];

/// How a merge should treat what it finds.
pub(crate) struct Policy<'a> {
    /// The keys Trellis owned last time, with the hash of the value it wanted then.
    pub(crate) base: &'a BTreeMap<KeyPath, String>,
    /// Owned keys that are no longer rendered but must stay for now (they point at an orphan
    /// crate that is not being pruned).
    pub(crate) keep: &'a dyn Fn(&[String]) -> bool,
    /// The person has resolved this file's conflicts: keep their values, own Trellis' ones.
    pub(crate) accept: bool,
    /// Let Trellis' values win every conflict: only to show a person what Trellis would write.
    pub(crate) force: bool,
}

/// What a merge did.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// Whether the document changed at all.
    pub(crate) changed: bool,
    /// The keys Trellis owns after the merge, with the hash of the value it wants.
    pub(crate) keys: BTreeMap<KeyPath, String>,
    /// Keys whose value a person changed while Trellis wants a new one: kept as they are.
    pub(crate) conflicts: Vec<String>,
    /// Whether some owned key was kept only because of [`Policy::keep`].
    pub(crate) deferred: bool,
}

/// Merges the rendered manifest `new` into the person's `cur`, in place.
pub(crate) fn merge(cur: &mut DocumentMut, new: &DocumentMut, policy: &Policy<'_>) -> Merged {
    let mut out = Merged::default();
    let leaves = leaves(new.as_table());
    let wanted: HashSet<&KeyPath> = leaves.iter().map(|(p, _)| p).collect();

    // Removals first, so that a key whose shape changes (a string becoming a table) has room.
    for (path, base_hash) in policy.base {
        if wanted.contains(path) {
            continue;
        }
        if (policy.keep)(path) {
            out.deferred = true;
            out.keys.insert(path.clone(), base_hash.clone());
            continue;
        }
        match find(cur.as_table(), path) {
            Found::Element => {
                remove_element(cur.as_table_mut(), path);
                out.changed = true;
            }
            Found::Present(item) if canon_hash(item) == *base_hash => {
                remove_leaf(cur.as_table_mut(), path);
                out.changed = true;
            }
            // Changed by a person, and Trellis no longer wants it: it is theirs now.
            Found::Present(_) | Found::Absent(_) | Found::Blocked(_) => {}
        }
    }

    for (path, value) in &leaves {
        let new_hash = value.hash();
        let base = policy.base.get(path);
        match find(cur.as_table(), path) {
            Found::Absent(depth) => {
                insert(cur.as_table_mut(), new.as_table(), path, depth);
                out.changed = true;
                out.keys.insert(path.clone(), new_hash);
            }
            Found::Element => {
                out.keys.insert(path.clone(), new_hash);
            }
            Found::Present(item) => {
                let cur_hash = canon_hash(item);
                if cur_hash == new_hash || base == Some(&new_hash) || policy.accept {
                    // Equal, or the person changed it and Trellis has nothing new to say, or
                    // the person resolved the conflict: their value stays.
                    out.keys.insert(path.clone(), new_hash);
                } else if base == Some(&cur_hash) || policy.force {
                    let LeafValue::Item(new_item) = value else {
                        unreachable!("elements are never present items")
                    };
                    replace_leaf(cur.as_table_mut(), path, new_item);
                    out.changed = true;
                    out.keys.insert(path.clone(), new_hash);
                } else {
                    out.conflicts.push(dotted(path));
                    if let Some(base) = base {
                        out.keys.insert(path.clone(), base.clone());
                    }
                }
            }
            Found::Blocked(depth) => {
                if policy.force {
                    let parent = &path[..depth];
                    if let Some(t) = get_table_mut(cur.as_table_mut(), parent)
                        && let Some(item) = get_item(new.as_table(), &path[..=depth])
                    {
                        t.insert(&path[depth], detached(item));
                        out.changed = true;
                    }
                } else {
                    out.conflicts.push(dotted(path));
                    if let Some(base) = base {
                        out.keys.insert(path.clone(), base.clone());
                    }
                }
            }
        }
    }
    out
}

/// A rendered leaf: a value, or one element of a managed array.
pub(crate) enum LeafValue<'a> {
    Item(&'a Item),
    Element(String),
}

impl LeafValue<'_> {
    fn hash(&self) -> String {
        match self {
            LeafValue::Item(item) => canon_hash(item),
            LeafValue::Element(s) => short_hash(s),
        }
    }
}

fn set_array(path: &[String]) -> bool {
    SET_ARRAYS.iter().any(|a| path.len() == 2 && path[0] == a[0] && path[1] == a[1])
}

fn is_element(path: &[String]) -> bool {
    path.len() == 3 && set_array(&path[..2])
}

/// Every leaf of a rendered manifest, in document order.
pub(crate) fn leaves(table: &Table) -> Vec<(KeyPath, LeafValue<'_>)> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(table, &mut path, &mut out);
    out
}

fn walk<'a>(
    table: &'a dyn TableLike,
    path: &mut Vec<String>,
    out: &mut Vec<(KeyPath, LeafValue<'a>)>,
) {
    for (key, item) in table.iter() {
        path.push(key.to_owned());
        if set_array(path)
            && let Some(array) = item.as_array()
        {
            for element in array.iter() {
                if let Some(s) = element.as_str() {
                    let mut p = path.clone();
                    p.push(s.to_owned());
                    out.push((p, LeafValue::Element(s.to_owned())));
                }
            }
        } else if let Some(sub) = item.as_table_like() {
            walk(sub, path, out);
        } else if !item.is_none() {
            out.push((path.clone(), LeafValue::Item(item)));
        }
        path.pop();
    }
}

/// The short hash of a value's canonical text: formatting, comments and quoting style aside.
pub(crate) fn canon_hash(item: &Item) -> String {
    let mut s = String::new();
    canon_item(item, &mut s);
    short_hash(&s)
}

fn canon_item(item: &Item, out: &mut String) {
    match item {
        Item::None => {}
        Item::Value(v) => canon_value(v, out),
        Item::Table(t) => canon_table(t, out),
        Item::ArrayOfTables(a) => {
            out.push('[');
            for t in a.iter() {
                canon_table(t, out);
                out.push(',');
            }
            out.push(']');
        }
    }
}

fn canon_table(t: &dyn TableLike, out: &mut String) {
    out.push('{');
    for (k, v) in t.iter() {
        out.push_str(&format!("{k:?}="));
        canon_item(v, out);
        out.push(',');
    }
    out.push('}');
}

fn canon_value(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(&format!("{:?}", s.value())),
        Value::Integer(i) => out.push_str(&i.value().to_string()),
        Value::Float(f) => out.push_str(&format!("{:?}", f.value())),
        Value::Boolean(b) => out.push_str(&b.value().to_string()),
        Value::Datetime(d) => out.push_str(&d.value().to_string()),
        Value::Array(a) => {
            out.push('[');
            for v in a.iter() {
                canon_value(v, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::InlineTable(t) => canon_table(t, out),
    }
}

/// Where a key path leads in a document.
enum Found<'a> {
    /// The component at this depth is missing (every table above it exists).
    Absent(usize),
    /// The component at this depth is a value, not a table, so the path cannot exist.
    Blocked(usize),
    /// The leaf.
    Present(&'a Item),
    /// An element of a managed array: listed, or covered by a glob, or excluded.
    Element,
}

fn find<'a>(root: &'a Table, path: &[String]) -> Found<'a> {
    if is_element(path) {
        return match get_item(root, &path[..2]) {
            None => find_prefix(root, &path[..2]),
            Some(item) => match item.as_array() {
                None => Found::Blocked(1),
                Some(array) if covers(root, array, &path[2]) => Found::Element,
                Some(_) => Found::Absent(2),
            },
        };
    }
    find_prefix(root, path)
}

fn find_prefix<'a>(root: &'a Table, path: &[String]) -> Found<'a> {
    let mut table: &dyn TableLike = root;
    for (depth, key) in path.iter().enumerate() {
        match table.get(key) {
            None => return Found::Absent(depth),
            Some(item) if item.is_none() => return Found::Absent(depth),
            Some(item) if depth + 1 == path.len() => return Found::Present(item),
            Some(item) => match item.as_table_like() {
                Some(t) => table = t,
                None => return Found::Blocked(depth),
            },
        }
    }
    Found::Absent(path.len())
}

/// Whether `member` is already in `array`, matched by one of its globs, or excluded.
fn covers(root: &Table, array: &Array, member: &str) -> bool {
    let listed = array.iter().filter_map(Value::as_str).any(|p| p == member || glob(p, member));
    let excluded = get_item(root, &["workspace".into(), "exclude".into()])
        .and_then(Item::as_array)
        .is_some_and(|a| a.iter().filter_map(Value::as_str).any(|p| p == member));
    listed || excluded
}

fn get_item<'a>(root: &'a Table, path: &[String]) -> Option<&'a Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &dyn TableLike = root;
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last).filter(|i| !i.is_none())
}

fn get_table_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut dyn TableLike> {
    get_table_mut_in(root, path)
}

/// A copy of a rendered item fit to be placed in another document: its tables lose their
/// positions in the rendered one, so they print right after their neighbours.
fn detached(item: &Item) -> Item {
    let mut item = item.clone();
    unposition(&mut item);
    item
}

fn unposition(item: &mut Item) {
    match item {
        Item::Table(t) => {
            t.set_position(None);
            for (_, v) in t.iter_mut() {
                unposition(v);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                t.set_position(None);
            }
        }
        _ => {}
    }
}

/// Inserts the rendered subtree at `path[..=depth]` (its parent exists, it does not), or one
/// element of a managed array.
fn insert(cur: &mut Table, new: &Table, path: &[String], depth: usize) {
    if is_element(path) && depth == 2 {
        if let Some(array) = get_table_mut(cur, &path[..1])
            .and_then(|t| t.get_mut(&path[1]))
            .and_then(Item::as_array_mut)
        {
            insert_element(array, &path[2]);
        }
        return;
    }
    let Some(item) = get_item(new, &path[..=depth]) else { return };
    let item = detached(item);
    let key = &path[depth];
    let Some(parent) = get_table_mut(cur, &path[..depth]) else { return };
    let was_sorted = parent.len() >= 2 && is_sorted(parent.iter().map(|(k, _)| k));
    parent.insert(key, item);
    if matches!(parent.get(key), Some(Item::Table(t)) if !t.is_dotted()) {
        // A standard table prints where its position says, not where it sits in the map.
        return;
    }
    if was_sorted {
        parent.sort_values();
    } else {
        place_by_neighbour(cur, new, &path[..depth], key);
    }
}

/// Moves a key just added to a table next to its neighbour in the render (before the key that
/// follows it there, else after the one that precedes it), as a fresh render would place it.
/// When it takes the place of a key that carries the comment the render gives the new key (a
/// section's heading comment), the comment moves up to the new key.
fn place_by_neighbour(cur: &mut Table, new: &Table, parent: &[String], key: &str) {
    let rendered: &dyn TableLike = if parent.is_empty() {
        new
    } else {
        match get_item(new, parent).and_then(Item::as_table_like) {
            Some(t) => t,
            None => return,
        }
    };
    let table: &mut Table = if parent.is_empty() {
        cur
    } else {
        match get_table_mut(cur, &parent[..parent.len() - 1])
            .and_then(|t| t.get_mut(&parent[parent.len() - 1]))
        {
            Some(Item::Table(t)) => t,
            _ => return,
        }
    };
    let order: Vec<&str> = rendered.iter().map(|(k, _)| k).collect();
    let Some(r) = order.iter().position(|k| *k == key) else { return };
    let mut present: Vec<String> =
        table.iter().map(|(k, _)| k.to_owned()).filter(|k| k != key).collect();
    let successor = order[r + 1..].iter().find(|k| present.iter().any(|p| p == *k)).copied();
    let predecessor = order[..r].iter().rev().find(|k| present.iter().any(|p| p == *k)).copied();
    let at = match (successor, predecessor) {
        (Some(s), _) => present.iter().position(|k| k == s),
        (None, Some(p)) => present.iter().position(|k| k == p).map(|i| i + 1),
        (None, None) => None,
    };
    let Some(at) = at else { return };
    present.insert(at, key.to_owned());
    let rank: HashMap<&str, usize> =
        present.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    // The sort is stable, so keys of dotted sub-tables (unranked) keep their order.
    table.sort_values_by(|a, _, b, _| rank.get(a.get()).cmp(&rank.get(b.get())));

    let Some(successor) = successor else { return };
    let prefix = |t: &dyn TableLike, k: &str| {
        t.key(k).and_then(|k| k.leaf_decor().prefix()?.as_str().map(str::to_owned))
    };
    let values = |t: &dyn TableLike| {
        matches!(t.get(key), Some(Item::Value(_)))
            && matches!(t.get(successor), Some(Item::Value(_)))
    };
    if !values(rendered) || !values(table) {
        return;
    }
    let heading = prefix(rendered, key);
    if heading.is_some()
        && prefix(table, successor) == heading
        && prefix(rendered, successor) != heading
    {
        let own = prefix(rendered, successor).unwrap_or_default();
        if let Some(mut k) = table.key_mut(successor) {
            k.leaf_decor_mut().set_prefix(own);
        }
        if let (Some(mut k), Some(heading)) = (table.key_mut(key), heading) {
            k.leaf_decor_mut().set_prefix(heading);
        }
    }
}

fn is_sorted<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let Some(mut prev) = keys.next() else { return true };
    for k in keys {
        if k < prev {
            return false;
        }
        prev = k;
    }
    true
}

/// Adds `member` to a managed array as `cargo new` would: in order when the array is sorted,
/// else at the end, with the layout of the elements already there.
fn insert_element(array: &mut Array, member: &str) {
    let strs: Vec<&str> = array.iter().filter_map(Value::as_str).collect();
    let sorted = strs.len() == array.len() && is_sorted(strs.iter().copied());
    let index = if sorted { strs.partition_point(|s| *s < member) } else { array.len() };
    let prefix_of =
        |v: &Value| v.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
    let first = array.get(0).map(prefix_of);
    let other = array.get(1).map(prefix_of).or_else(|| {
        first.as_ref().map(|f| if f.contains('\n') { f.clone() } else { " ".to_owned() })
    });
    array.insert(index, member);
    let (Some(first), Some(other)) = (first, other) else { return };
    let mut set = |i: usize, prefix: String| {
        if let Some(v) = array.get_mut(i) {
            v.decor_mut().set_prefix(prefix);
        }
    };
    if index == 0 {
        set(0, first);
        set(1, other);
    } else {
        set(index, other);
    }
}

fn remove_element(cur: &mut Table, path: &[String]) {
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
    let removed = array.remove(index);
    let prefix = removed.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
    let commented = prefix.contains('#');
    if let Some(next) = array.get_mut(index) {
        // The first element's spacing, or a comment above the element, stays in place.
        if index == 0 || commented {
            let own = next.decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
            let kept = match (commented, own.contains('#')) {
                (true, _) => keep_comment(&prefix, &own),
                // The new first element takes the old first one's spacing, unless a person's
                // comment stands before it.
                (false, false) => prefix,
                (false, true) => own,
            };
            next.decor_mut().set_prefix(kept);
        }
    } else if commented {
        let trailing = array.trailing().as_str().unwrap_or("").to_owned();
        array.set_trailing(keep_comment(&prefix, &trailing));
    }
}

/// The comment lines of `removed` (what stood before a removed element) followed by `own`.
fn keep_comment(removed: &str, own: &str) -> String {
    let comment = removed.trim_end_matches([' ', '\t']);
    format!("{comment}{own}")
}

/// Replaces a leaf's value, keeping the comments and spacing around it.
fn replace_leaf(cur: &mut Table, path: &[String], new: &Item) {
    let (last, parents) = path.split_last().expect("a leaf path is never empty");
    let Some(parent) = get_table_mut(cur, parents) else { return };
    let Some(slot) = parent.get_mut(last) else { return };
    let mut new = detached(new);
    if let (Item::Value(old), Item::Value(fresh)) = (&*slot, &mut new) {
        *fresh.decor_mut() = old.decor().clone();
    }
    *slot = new;
}

/// Removes a leaf, then every table above it that this left empty and that carries no
/// comment of a person's.
fn remove_leaf(cur: &mut Table, path: &[String]) {
    let (last, parents) = path.split_last().expect("a leaf path is never empty");
    rescue_comment(cur, path);
    if let Some(parent) = get_table_mut(cur, parents) {
        parent.remove(last);
    }
    for depth in (1..path.len()).rev() {
        let Some(item) = get_item(cur, &path[..depth]) else { return };
        let removable = match item {
            Item::Value(Value::InlineTable(t)) => t.is_empty(),
            Item::Table(t) => {
                let decor = t.decor();
                let commented = [decor.prefix(), decor.suffix()]
                    .into_iter()
                    .flatten()
                    .any(|raw| raw.as_str().is_some_and(|s| s.contains('#')));
                t.is_empty() && !commented
            }
            _ => false,
        };
        if !removable {
            return;
        }
        rescue_comment(cur, &path[..depth]);
        if let Some(parent) = get_table_mut(cur, &path[..depth - 1]) {
            parent.remove(&path[depth - 1]);
        }
    }
}

/// Before the line of `path` goes, moves the comment lines above it (a person's, or Trellis'
/// own) onto the next line of the same table, or after the previous one, or after the
/// table's header, so that no comment is lost with a key.
fn rescue_comment(cur: &mut Table, path: &[String]) {
    // The standard table whose body holds the line (dotted keys are lines of their table).
    let mut depth = path.len() - 1;
    while depth > 0 {
        if matches!(get_item(cur, &path[..depth]), Some(Item::Table(t)) if !t.is_dotted()) {
            break;
        }
        depth -= 1;
    }
    let (head, rel) = path.split_at(depth);
    let Some(table) = get_table_mut(cur, head) else { return };
    let (last, parents) = rel.split_last().expect("a line has a key");
    let prefix = get_table_mut_in(table, parents)
        .and_then(|p| {
            p.key(last).and_then(|k| k.leaf_decor().prefix()?.as_str().map(str::to_owned))
        })
        .unwrap_or_default();
    if !prefix.contains('#') {
        return;
    }
    let mut lines = Vec::new();
    body_lines(&*table, &mut Vec::new(), &mut lines);
    let Some(at) = lines.iter().position(|l| l.as_slice() == rel) else { return };
    if let Some(next) = lines.get(at + 1) {
        let (key, parents) = next.split_last().expect("a line has a key");
        if let Some(parent) = get_table_mut_in(table, parents)
            && let Some(mut key) = parent.key_mut(key)
        {
            let old = key.leaf_decor().prefix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
            key.leaf_decor_mut().set_prefix(format!("{prefix}{old}"));
        }
        return;
    }
    let comment = prefix.trim_end_matches('\n');
    if let Some(previous) = at.checked_sub(1).and_then(|i| lines.get(i)) {
        let (key, parents) = previous.split_last().expect("a line has a key");
        if let Some(Item::Value(value)) =
            get_table_mut_in(table, parents).and_then(|p| p.get_mut(key))
        {
            let old = value.decor().suffix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
            value.decor_mut().set_suffix(format!("{old}\n{comment}"));
        }
        return;
    }
    if depth > 0
        && let Some(Item::Table(t)) =
            get_table_mut(cur, &path[..depth - 1]).and_then(|p| p.get_mut(&path[depth - 1]))
    {
        let old = t.decor().suffix().and_then(|p| p.as_str()).unwrap_or("").to_owned();
        t.decor_mut().set_suffix(format!("{old}\n{comment}"));
    }
}

fn get_table_mut_in<'a>(
    table: &'a mut dyn TableLike,
    path: &[String],
) -> Option<&'a mut dyn TableLike> {
    let mut table = table;
    for key in path {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    Some(table)
}

/// The lines of a table's body, in order: its values, and the values of its dotted tables.
fn body_lines(table: &dyn TableLike, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    for (key, item) in table.iter() {
        prefix.push(key.to_owned());
        match item {
            Item::Table(t) if t.is_dotted() => body_lines(t, prefix, out),
            Item::Value(_) => out.push(prefix.clone()),
            _ => {}
        }
        prefix.pop();
    }
}

/// Glob matching as Cargo applies it to `workspace.members`: `*` (any run of characters),
/// `?` (one character) and `[...]` classes.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    glob_at(&p, &t)
}

fn glob_at(p: &[char], t: &[char]) -> bool {
    match p.first() {
        None => t.is_empty(),
        Some('*') => (0..=t.len()).any(|i| glob_at(&p[1..], &t[i..])),
        Some('?') => !t.is_empty() && glob_at(&p[1..], &t[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(2).position(|&c| c == ']').map(|i| i + 2) else {
                return t.first() == Some(&'[') && glob_at(&p[1..], &t[1..]);
            };
            let Some(&c) = t.first() else { return false };
            let (negate, class) = match p[1] {
                '!' | '^' => (true, &p[2..close]),
                _ => (false, &p[1..close]),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && glob_at(&p[close + 1..], &t[1..])
        }
        Some(&c) => t.first() == Some(&c) && glob_at(&p[1..], &t[1..]),
    }
}

#[cfg(test)]
mod tests;
