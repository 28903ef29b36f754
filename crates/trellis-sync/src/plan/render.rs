//! The plan for people: what `trellis plan` and `apply` print.

use anstyle::{AnsiColor, Style};

use super::{Action, Entry};

/// A plan for people: one aligned line per entry that changes something (every entry with
/// `all`): its action, styled (green for a change, red for a conflict, yellow for an orphan, a
/// deletion or a held-back change), its path as `show` shows a workspace-relative path (both
/// folders of a move), its note in parentheses; then its diff when `diffs` and the entry has
/// one. The style is ANSI: write it through anstream (or strip it) for a terminal that has
/// none.
pub fn render_human(
    entries: &[Entry],
    diffs: bool,
    all: bool,
    show: &dyn Fn(&str) -> String,
) -> String {
    // One width for every plan, whatever it holds, so that lines align across runs too.
    let width = Action::ALL.iter().map(|a| a.as_str().len()).max().unwrap_or(0);
    let mut out = String::new();
    for e in entries.iter().filter(|e| all || e.action != Action::Unchanged) {
        let style = match e.action {
            Action::Create | Action::Update | Action::Merge | Action::Move => {
                AnsiColor::Green.on_default().bold()
            }
            Action::Conflict => AnsiColor::Red.on_default().bold(),
            Action::Orphan | Action::Delete | Action::Held => AnsiColor::Yellow.on_default().bold(),
            Action::Unchanged => Style::new(),
        };
        let path = match &e.moves {
            Some(m) => format!("{} -> {}", show(&m.from), show(&m.to)),
            None => show(&e.path),
        };
        let action = format!("{:<width$}", e.action.as_str());
        out.push_str(&format!("{style}{action}{style:#}  {path}"));
        if let Some(note) = &e.note {
            out.push_str(&format!("  ({note})"));
        }
        out.push('\n');
        if diffs && let Some(diff) = &e.diff {
            out.push_str(diff);
            if !diff.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}
