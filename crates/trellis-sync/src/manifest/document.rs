//! The manifest being edited, as cargo's `toml_mut::LocalManifest`: the person's text, the
//! document parsed from it, and the edits every merge step shares (read and write by key
//! path, replace a string in its quoting, remove a line without losing a comment). What the
//! merge changes is carried back into the person's text with every untouched line's bytes
//! kept ([`carry_over`]); facts are compared by the hash of their canonical text
//! ([`canon_hash`]).

use toml_edit::{DocumentMut, Item, Table, TableLike, TomlError, Value};

use crate::ledger::short_hash;
use crate::lines::{LineOp, line_ops};

/// A manifest being edited: the person's text and the document parsed from it.
#[derive(Clone)]
pub(crate) struct LocalManifest {
    /// The text as the file has it.
    text: String,
    /// The untouched document as toml_edit prints it.
    printed: String,
    /// The document the merge edits.
    pub(crate) doc: DocumentMut,
}

impl LocalManifest {
    /// Parses a manifest's text; errors where it is not TOML.
    pub(crate) fn parse(text: &str) -> Result<LocalManifest, TomlError> {
        let doc: DocumentMut = text.parse()?;
        Ok(LocalManifest { text: text.to_owned(), printed: doc.to_string(), doc })
    }

    /// The edited document as the person's own text: their bytes wherever the edits left a
    /// line alone (see [`carry_over`]).
    pub(crate) fn text(&self) -> String {
        carry_over(&self.text, &self.printed, &self.doc.to_string())
    }
}

/// The merge's result as the person's own text: toml_edit prints what it parsed nearly, not
/// exactly, as it was (line endings, a missing final line break, the quoting of a table
/// header's parts). So the changes from `printed` (the untouched document as toml_edit prints
/// it) to `merged` are carried over to `text` line by line: a line the merge did not touch
/// keeps its bytes, an inserted line takes the file's line ending. When toml_edit's printing
/// changed the number of lines, `merged` is used as it is, with the file's line ending.
pub(crate) fn carry_over(text: &str, printed: &str, merged: &str) -> String {
    if printed == merged {
        return text.to_owned();
    }
    let crlf = text.contains("\r\n") && !text.replace("\r\n", "").contains('\n');
    let ending = |line: &str| -> String {
        match line.strip_suffix('\n') {
            Some(body) if crlf && !body.ends_with('\r') => format!("{body}\r\n"),
            _ => line.to_owned(),
        }
    };
    let theirs: Vec<&str> = text.split_inclusive('\n').collect();
    let printed_lines: Vec<&str> = printed.split_inclusive('\n').collect();
    if theirs.len() != printed_lines.len() {
        let mut out: String = merged.split_inclusive('\n').map(ending).collect();
        if !text.ends_with('\n') && out.ends_with('\n') {
            out.pop();
            if out.ends_with('\r') {
                out.pop();
            }
        }
        return out;
    }
    let merged_lines: Vec<&str> = merged.split_inclusive('\n').collect();
    let mut out = String::with_capacity(merged.len() + 64);
    // A person's last line without a line break gets one only if something follows it.
    let mut owed = "";
    for op in line_ops(printed, merged) {
        match op {
            LineOp::Delete { .. } => {}
            LineOp::Equal { old_index, len, .. } => {
                for line in &theirs[old_index..old_index + len] {
                    out.push_str(owed);
                    out.push_str(line);
                    owed = if line.ends_with('\n') {
                        ""
                    } else if crlf {
                        "\r\n"
                    } else {
                        "\n"
                    };
                }
            }
            LineOp::Insert { new_index, new_len, .. }
            | LineOp::Replace { new_index, new_len, .. } => {
                for line in &merged_lines[new_index..new_index + new_len] {
                    out.push_str(owed);
                    owed = "";
                    out.push_str(&ending(line));
                }
            }
        }
    }
    // A file that ended without a line break still does.
    if !text.is_empty() && !text.ends_with('\n') && out.ends_with('\n') {
        out.pop();
        if out.ends_with('\r') {
            out.pop();
        }
    }
    out
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

pub(crate) fn get_item<'a>(root: &'a Table, path: &[String]) -> Option<&'a Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &dyn TableLike = root;
    for key in parents {
        table = table.get(key)?.as_table_like()?;
    }
    table.get(last).filter(|i| !i.is_none())
}

pub(crate) fn get_item_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut Item> {
    let (last, parents) = path.split_last()?;
    let mut table: &mut dyn TableLike = root;
    for key in parents {
        table = table.get_mut(key)?.as_table_like_mut()?;
    }
    table.get_mut(last).filter(|i| !i.is_none())
}

pub(crate) fn get_table_mut<'a>(
    root: &'a mut Table,
    path: &[String],
) -> Option<&'a mut dyn TableLike> {
    get_table_mut_in(root, path)
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

/// A copy of a rendered item fit to be placed in another document: its tables lose their
/// positions in the rendered one, so they print right after their neighbours.
pub(crate) fn detached(item: &Item) -> Item {
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

pub(crate) fn is_sorted<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let Some(mut prev) = keys.next() else { return true };
    for k in keys {
        if k < prev {
            return false;
        }
        prev = k;
    }
    true
}

/// Removes a leaf, then every table above it that this left empty and that carries no
/// comment of a person's.
pub(crate) fn remove_leaf(cur: &mut Table, path: &[String]) {
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

/// The lines of a table's body, in order: its values, and the values of its dotted tables.
pub(crate) fn body_lines(
    table: &dyn TableLike,
    prefix: &mut Vec<String>,
    out: &mut Vec<Vec<String>>,
) {
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

/// Replaces a string value, keeping the comments and spacing around it and its quoting: a
/// literal string (`'…'`) stays one where the new text can be one.
pub(crate) fn set_str(slot: &mut Value, text: &str) {
    let decor = slot.decor().clone();
    let literal = match &*slot {
        Value::String(f) => f
            .as_repr()
            .and_then(|r| r.as_raw().as_str())
            .is_some_and(|raw| raw.starts_with('\'') && !raw.starts_with("\'\'\'")),
        _ => false,
    };
    *slot = match format!("'{text}'").parse::<Value>() {
        Ok(v) if literal && !text.contains(['\'', '\n', '\r']) => v,
        _ => Value::from(text),
    };
    *slot.decor_mut() = decor;
}
