//! Diagnostics in rustc's manner: a severity, a message, the offending text underlined, a hint.
//!
//! Every stage reports through [`Diagnostic`], so a spec error and a `check` finding read the
//! same in a terminal and serialize the same as JSON.

use std::fmt;

use annotate_snippets::{
    AnnotationKind, Group, Level, Origin, Renderer, Snippet, renderer::DecorStyle,
};

use crate::model::Span;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something to know; never fails a run.
    Warning,
    /// Fails the run.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stable identity for a kind of problem: a short id (`S003`) and a name (`unknown-crate`).
///
/// The id never changes meaning once released; the reference documents every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    /// `S…` for the spec, `C…` for `check`, `R…` for requirements.
    pub id: &'static str,
    /// A kebab-case name that says the same as the id.
    pub name: &'static str,
}

impl Code {
    /// A code with its id and name.
    pub const fn new(id: &'static str, name: &'static str) -> Code {
        Code { id, name }
    }
}

/// One problem, with where it is written and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem it is, stable for documentation and for JSON consumers.
    pub code: Code,
    /// What is wrong: lowercase, no trailing period.
    pub message: String,
    /// The file it is about, relative to where the user ran the command when possible.
    pub file: Option<String>,
    /// The offending text in that file, with a short label.
    pub primary: Option<Label>,
    /// Other places that explain it (the first declaration of a duplicate, say).
    pub secondary: Vec<Label>,
    /// What to do about it: lowercase, no trailing period; rendered as `hint: …`.
    pub hint: Option<String>,
}

/// An underlined range with a short label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Byte range in the file's text.
    pub span: Span,
    /// Said under the underline; may be empty.
    pub text: String,
}

impl Diagnostic {
    /// An error with a message and nothing else yet.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message.into())
    }

    /// A warning with a message and nothing else yet.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message.into())
    }

    fn new(severity: Severity, code: Code, message: String) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message,
            file: None,
            primary: None,
            secondary: Vec::new(),
            hint: None,
        }
    }

    /// Sets the file the diagnostic is about.
    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    /// Underlines the offending text.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label { span, text: label.into() });
        self
    }

    /// Adds a second place that explains the first.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label { span, text: label.into() });
        self
    }

    /// Says what to do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this diagnostic fails the run.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic as rustc would, given the text of [`Diagnostic::file`] (pass
    /// `None` when there is no file or it cannot be read: the message and hint still show).
    ///
    /// The text is styled with ANSI escapes, as rustc's is on a terminal. Whether they reach the
    /// reader is the terminal layer's decision, not the renderer's: write it through
    /// [anstream](https://docs.rs/anstream), which strips them for a pipe, `NO_COLOR` or
    /// `--color never`; `anstream::adapter::strip_str` gives the plain text.
    ///
    /// To render many diagnostics of one file, build its [`Source`] once and use
    /// [`Diagnostic::render_in`]: this indexes the text's lines on every call.
    pub fn render(&self, source: Option<&str>) -> String {
        self.render_in(source.map(Source::new).as_ref())
    }

    /// Renders the diagnostic against an indexed source. Only the lines its labels cover are
    /// handed to the renderer, so rendering costs what those lines cost, not the whole file:
    /// thousands of diagnostics on a large spec render in time linear in their number.
    pub fn render_in(&self, source: Option<&Source<'_>>) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(&self.message).id(self.code.id);
        let mut group = match (source, &self.primary, &self.file) {
            (Some(source), Some(primary), _) => {
                let text = source.text;
                let spans: Vec<Span> = std::iter::once(&primary.span)
                    .chain(self.secondary.iter().map(|l| &l.span))
                    .map(|s| clamp(s, text))
                    .collect();
                let (start, end, first_line) = source.excerpt(&spans);
                let shift = |s: &Span| s.start - start..s.end - start;
                let mut snippet =
                    Snippet::source(&text[start..end]).line_start(first_line).fold(true);
                if let Some(file) = &self.file {
                    snippet = snippet.path(file.as_str());
                }
                snippet = snippet.annotation(
                    AnnotationKind::Primary.span(shift(&spans[0])).label(primary.text.as_str()),
                );
                for (label, span) in self.secondary.iter().zip(&spans[1..]) {
                    snippet = snippet.annotation(
                        AnnotationKind::Context.span(shift(span)).label(label.text.as_str()),
                    );
                }
                title.element(snippet)
            }
            (_, _, Some(file)) => title.element(Origin::path(file.as_str())),
            (_, _, None) => Group::with_title(title),
        };
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.with_name("hint").message(hint.as_str()));
        }
        Renderer::styled().decor_style(DecorStyle::Ascii).render(&[group])
    }
}

/// Keeps a span inside the text and on character boundaries, so a stale span can never make
/// rendering panic.
fn clamp(span: &Span, text: &str) -> Span {
    let end = text.floor_char_boundary(span.end.min(text.len()));
    text.floor_char_boundary(span.start.min(end))..end
}

/// A file's text with where each of its lines starts: what rendering and locating many
/// diagnostics in one file need, computed once.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    text: &'a str,
    /// The byte offset at which each line starts; the first is 0.
    lines: Vec<usize>,
}

impl<'a> Source<'a> {
    /// Indexes `text`'s lines.
    pub fn new(text: &'a str) -> Source<'a> {
        let lines =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Source { text, lines }
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The 0-based index of the line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// The 1-based line and column (in characters) of a byte offset, as [`line_col`].
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_of(offset);
        (line + 1, self.text[self.lines[line]..offset].chars().count() + 1)
    }

    /// The whole lines that hold `spans`: their start and end offsets, and the 1-based number
    /// of the first.
    fn excerpt(&self, spans: &[Span]) -> (usize, usize, usize) {
        let from = spans.iter().map(|s| s.start).min().unwrap_or(0);
        let to = spans.iter().map(|s| s.end).max().unwrap_or(0);
        let first = self.line_of(from);
        let last = self.line_of(to);
        let end = self.lines.get(last + 1).map_or(self.text.len(), |&next| next);
        (self.lines[first], end, first + 1)
    }
}

/// The 1-based line and column (in characters) of a byte offset in a text: for one offset
/// ([`Source::line_col`] for many in one text, [`LineCursor`] for growing offsets in bytes).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// [`line_col`] for offsets that mostly grow, in bytes that may not all be UTF-8 (a column
/// counts the bytes that start a character): each call reads only the bytes since the last
/// offset, so a file's places cost one pass over it.
#[derive(Debug, Default)]
pub struct LineCursor {
    offset: usize,
    line: usize,
    line_start: usize,
}

impl LineCursor {
    /// The 1-based line and column of byte `offset` in `src` (the end for an offset past it).
    /// `src` must be the same text at every call.
    pub fn at(&mut self, src: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        if offset < self.offset || self.line == 0 {
            *self = LineCursor { offset: 0, line: 1, line_start: 0 };
        }
        for (k, &b) in src[self.offset..offset].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + k + 1;
            }
        }
        self.offset = offset;
        let column = src[self.line_start..offset].iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        (self.line, column + 1)
    }
}
