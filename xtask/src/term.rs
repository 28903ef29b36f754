//! The terminal: whether to use colour, and how.
//!
//! Colour only when the stream is a terminal, and never when `NO_COLOR` is set to anything
//! non-empty (<https://no-color.org>).

use std::io::IsTerminal;

/// A colour role.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Style {
    Error,
    Warning,
    Good,
}

/// Whether stderr, where diagnostics go, should be coloured.
pub(crate) fn stderr_color() -> bool {
    color_allowed() && std::io::stderr().is_terminal()
}

/// Whether stdout should be coloured.
pub(crate) fn stdout_color() -> bool {
    color_allowed() && std::io::stdout().is_terminal()
}

fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Wraps text in a colour for stderr, when stderr takes colour.
pub(crate) fn paint(text: &str, style: Style) -> String {
    if !stderr_color() {
        return text.to_owned();
    }
    let code = match style {
        Style::Error => "1;31",
        Style::Warning => "1;33",
        Style::Good => "1;32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
