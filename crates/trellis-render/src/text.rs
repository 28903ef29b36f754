//! Quoting spec text into TOML, Rust and Markdown, so that no summary or requirement can break
//! the file it lands in.
//!
//! These are the bodies of the template helpers; they are plain functions so they can be tested
//! on their own.

use std::fmt::Write as _;

pub(crate) use trellis_spec::{toml_key, toml_str};

/// A Rust string literal, quotes included.
pub(crate) fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

/// Text as doc-comment lines: every line behind `prefix`, Markdown that could turn into code
/// (a doctest), a link or an HTML tag escaped, so the text reads as written and rustdoc has
/// nothing to compile or warn about.
pub(crate) fn doc(prefix: &str, text: &str) -> String {
    doc_lines(prefix, "", "", text)
}

/// A Markdown list item in doc comments: `- **label**: text`, continuation lines indented so
/// they stay inside the item.
pub(crate) fn doc_item(prefix: &str, label: &str, text: &str) -> String {
    let first = format!("- **{}**: ", escape_markdown(label));
    doc_lines(prefix, &first, "  ", text)
}

fn doc_lines(prefix: &str, first: &str, rest: &str, text: &str) -> String {
    let mut out = String::new();
    let text = doc_chars(text);
    let lines: Vec<&str> = text.trim().lines().collect();
    let lines = if lines.is_empty() { vec![""] } else { lines };
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim();
        let lead = if i == 0 { first } else { rest };
        let body = format!("{lead}{}", escape_block(line));
        if body.is_empty() {
            out.push_str(prefix.trim_end());
        } else {
            out.push_str(prefix);
            out.push_str(&body);
        }
    }
    out
}

/// Text a doc comment can hold as every lint requires: a tab becomes a space (clippy's
/// `tabs_in_doc_comments`), a carriage return a line break (rustc refuses a bare CR in a doc
/// comment), and a control or bidirectional-text character its code point written out as
/// `U+202E` (rustc's deny-by-default `text_direction_codepoint_in_comment`, and characters no
/// reader would see).
fn doc_chars(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            '\r' => out.push('\n'),
            '\n' => out.push('\n'),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "U+{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// The code points that change the direction text is shown in (rustc's list in its
/// `text_direction_codepoint_in_comment` lint, after Unicode's Bidi_Control property).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes a line's inline Markdown, and the first character when it would start a block
/// (a list, a heading, a quote, a table) that changes how the rest reads.
fn escape_block(line: &str) -> String {
    let escaped = escape_markdown(line);
    let starts_block = escaped.starts_with(['-', '+', '#', '>', '=', '|'])
        || escaped.starts_with("* ")
        || ordered_marker(&escaped).is_some();
    match ordered_marker(&escaped) {
        Some(digits) => format!("{}\\{}", &escaped[..digits], &escaped[digits..]),
        None if starts_block => format!("\\{escaped}"),
        None => escaped,
    }
}

/// `Some(n)` when the line starts with `n` digits and `.` or `)`: an ordered-list marker.
fn ordered_marker(line: &str) -> Option<usize> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let next = line.as_bytes().get(digits);
    (digits > 0 && matches!(next, Some(b'.' | b')'))).then_some(digits)
}

fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '[' | ']' | '<' | '>' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text as one line of a Markdown table cell.
pub(crate) fn md_cell(s: &str) -> String {
    md_line(s).replace('|', "\\|")
}

/// Text as one line of Markdown (newlines become spaces).
pub(crate) fn md_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `market-core` → `market_core`: an identifier for code and diagrams.
pub(crate) fn snake(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect()
}

/// `market-core` → `MarketCore`.
pub(crate) fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase()).into_iter();
            first.chain(cs.map(|c| c.to_ascii_lowercase())).collect::<String>()
        })
        .collect()
}

/// `market_core` → `market-core`.
pub(crate) fn kebab(s: &str) -> String {
    snake(s).replace('_', "-")
}

#[cfg(test)]
mod tests;
