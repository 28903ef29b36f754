//! Line diffs, by `diffy` (the crate's one diff library: it also merges three ways, see
//! `merge.rs`): the steps from one text's lines to another's, and the unified diff people
//! read.

/// One step of a line diff, by line indices (each text split after every `\n`). A run of
/// deleted lines directly followed by inserted ones is one [`LineOp::Replace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineOp {
    /// `len` lines the same on both sides.
    Equal { old_index: usize, new_index: usize, len: usize },
    /// `old_len` lines of the old text gone (before line `new_index` of the new one).
    Delete { old_index: usize, old_len: usize, new_index: usize },
    /// `new_len` lines of the new text added before line `old_index` of the old one.
    Insert { old_index: usize, new_index: usize, new_len: usize },
    /// `old_len` lines of the old text replaced by `new_len` lines of the new one.
    Replace { old_index: usize, old_len: usize, new_index: usize, new_len: usize },
}

/// The steps from `old`'s lines to `new`'s, in order, covering both texts whole.
pub(crate) fn line_ops(old: &str, new: &str) -> Vec<LineOp> {
    let lines = old.split_inclusive('\n').count() + new.split_inclusive('\n').count() + 1;
    // One hunk spanning both texts: every line, kept or not, is in it.
    let patch = diffy::DiffOptions::new().set_context_len(lines).create_patch(old, new);
    let mut ops: Vec<LineOp> = Vec::new();
    let (mut o, mut n) = (0, 0);
    for hunk in patch.hunks() {
        let (start_old, start_new) = (
            hunk.old_range().start().saturating_sub(1),
            hunk.new_range().start().saturating_sub(1),
        );
        if o < start_old {
            push(&mut ops, LineOp::Equal { old_index: o, new_index: n, len: start_old - o });
            (o, n) = (start_old, start_new);
        }
        for line in hunk.lines() {
            let op = match line {
                diffy::Line::Context(_) => LineOp::Equal { old_index: o, new_index: n, len: 1 },
                diffy::Line::Delete(_) => LineOp::Delete { old_index: o, old_len: 1, new_index: n },
                diffy::Line::Insert(_) => LineOp::Insert { old_index: o, new_index: n, new_len: 1 },
            };
            match line {
                diffy::Line::Context(_) => (o, n) = (o + 1, n + 1),
                diffy::Line::Delete(_) => o += 1,
                diffy::Line::Insert(_) => n += 1,
            }
            push(&mut ops, op);
        }
    }
    // Texts that are equal have no hunk: all their lines are kept.
    let old_len = old.split_inclusive('\n').count();
    if o < old_len {
        push(&mut ops, LineOp::Equal { old_index: o, new_index: n, len: old_len - o });
    }
    ops
}

/// A unified diff from `old` to `new`, with `a/` and `b/` headers and three lines of
/// context (a blank one as `" "`); empty where they are equal.
pub(crate) fn unified(path: &str, old: &str, new: &str) -> String {
    let patch = diffy::DiffOptions::new()
        .set_original_filename(format!("a/{path}"))
        .set_modified_filename(format!("b/{path}"))
        .create_patch(old, new);
    if patch.hunks().is_empty() {
        return String::new();
    }
    // A blank context line keeps its leading space, as `diff -u` and `git diff` write it.
    diffy::PatchFormatter::new().suppress_blank_empty(false).fmt_patch(&patch).to_string()
}

/// Adds a one-line step, joining it to the last one where they are of a kind (or a deletion
/// and the insertion after it, a replacement).
fn push(ops: &mut Vec<LineOp>, op: LineOp) {
    use LineOp::{Delete, Equal, Insert, Replace};
    let joined = match (ops.last().copied(), op) {
        (Some(Equal { old_index, new_index, len }), Equal { len: more, .. }) => {
            Some(Equal { old_index, new_index, len: len + more })
        }
        (Some(Delete { old_index, old_len, new_index }), Delete { .. }) => {
            Some(Delete { old_index, old_len: old_len + 1, new_index })
        }
        (Some(Insert { old_index, new_index, new_len }), Insert { .. }) => {
            Some(Insert { old_index, new_index, new_len: new_len + 1 })
        }
        (Some(Delete { old_index, old_len, new_index }), Insert { .. }) => {
            Some(Replace { old_index, old_len, new_index, new_len: 1 })
        }
        (Some(Replace { old_index, old_len, new_index, new_len }), Insert { .. }) => {
            Some(Replace { old_index, old_len, new_index, new_len: new_len + 1 })
        }
        _ => None,
    };
    match joined {
        Some(op) => *ops.last_mut().expect("joined to the last") = op,
        None => ops.push(op),
    }
}
