//! A light Rust scanner: finds test functions and every requirement id written in one file.
//!
//! It tokenises just enough of Rust to tell comments, strings, attributes and items apart
//! (nested block comments, raw strings, char literals versus lifetimes), then finds each
//! `#[test]` function with the attributes and comments attached to it and its body. It is not a
//! parser: it trusts the file to be Rust, and on text that is not, it still ends, never panics,
//! and finds what it can.

use std::ops::Range;

use crate::ids::{Id, Ids};

/// Attribute names (the last segment of the path) that make a function a test: libtest's and
/// the async runtimes' `test`, rstest's, test-case's (`test_case`, `test_matrix`), quickcheck's,
/// test-strategy's `proptest` and proptest's `property_test`.
const TEST_ATTRS: [&[u8]; 7] = [
    b"test",
    b"rstest",
    b"test_case",
    b"test_matrix",
    b"quickcheck",
    b"proptest",
    b"property_test",
];

/// Of those, the ones that may make a test of each case, in a module named after the function
/// (`ord_1::case_1`, `ord_1::with_name`): rstest's and test-case's.
const CASE_ATTRS: [&[u8]; 3] = [b"rstest", b"test_case", b"test_matrix"];

/// The words a covering comment starts with, compared without regard to ASCII case.
pub(crate) const MARKER: &[u8] = b"covers:";

/// A test function found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Test {
    /// Where the name is; empty when it is not an identifier (`fn $name` inside a macro).
    pub(crate) name_span: Range<usize>,
    /// Whether `#[ignore]` (with or without a reason) is on it. `#[cfg_attr(…, ignore)]` does
    /// not count: such a test runs in the configurations that matter to it.
    pub(crate) ignored: bool,
    /// Whether an attribute on it may make a test of each case (`#[rstest]`, `#[test_case]`),
    /// which the harness names `<function>::<case>`.
    pub(crate) cases: bool,
}

/// How an id is written where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Via {
    /// A doc comment that is not a marker: the crate docs' list, a test's requirement text.
    Doc,
    /// Plain comments and string literals, outside tests or inside them.
    Text,
    /// A marker comment (`// covers: CORE-1`) on or in a test.
    Marker,
    /// The name of a test function.
    Name,
}

/// One id written in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Which id.
    pub(crate) id: Id,
    /// Its bytes in the file.
    pub(crate) span: Range<usize>,
    /// How it is written.
    pub(crate) via: Via,
    /// The test it belongs to, as an index into [`FileScan::tests`].
    pub(crate) test: Option<usize>,
}

impl Test {
    /// The function's name, empty when it has none the scanner could read.
    pub(crate) fn name<'a>(&self, src: &'a [u8]) -> &'a str {
        std::str::from_utf8(&src[self.name_span.clone()]).unwrap_or("")
    }
}

/// What one file holds. Kept across files, so that scanning thousands of them allocates
/// almost nothing.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileScan {
    /// Its test functions, in order.
    pub(crate) tests: Vec<Test>,
    /// Every id written in it, text first, then test names.
    pub(crate) hits: Vec<Hit>,
    /// The tokens of each test: its attributes and comments, signature and body.
    regions: Vec<Range<usize>>,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    Plain,
    Outer,
    Inner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    Punct(u8),
    /// A string literal; `text` is between the quotes.
    Str,
    /// A comment; `text` is after the opener (and before `*/`).
    Comment(Doc),
    /// Numbers, char literals, lifetimes: nothing the scanner looks into.
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    kind: Kind,
    start: usize,
    end: usize,
    text_start: usize,
    text_end: usize,
}

/// Scans one file's bytes into `out`, replacing what it held.
pub(crate) fn scan_file(src: &[u8], ids: &Ids, out: &mut FileScan) {
    out.tests.clear();
    out.hits.clear();
    out.regions.clear();
    out.tokens.clear();
    tokenize(src, &mut out.tokens);
    find_tests(src, &out.tokens, &mut out.tests, &mut out.regions);
    let regions = &out.regions;
    let mut next_region = 0;
    for (index, token) in out.tokens.iter().enumerate() {
        let (via, text) = match token.kind {
            Kind::Str => (Via::Text, token.text_start..token.text_end),
            Kind::Comment(_) => (Via::Doc, token.text_start..token.text_end),
            _ => continue,
        };
        while next_region < regions.len() && regions[next_region].end <= index {
            next_region += 1;
        }
        let test = regions.get(next_region).filter(|r| r.start <= index).map(|_| next_region);
        let (via, text) = match token.kind {
            Kind::Comment(doc) => match marker_end(&src[text.clone()]) {
                // The words before the marker are `covers:` itself: nothing to find.
                Some(end) if test.is_some() => (Via::Marker, text.start + end..text.end),
                _ if doc != Doc::Plain => (Via::Doc, text),
                _ => (Via::Text, text),
            },
            _ => (via, text),
        };
        let base = text.start;
        let hits = &mut out.hits;
        ids.find_in(&src[text], |range, id| {
            hits.push(Hit { id, span: base + range.start..base + range.end, via, test });
        });
    }
    for (index, test) in out.tests.iter().enumerate() {
        if let Some(id) = ids.test_name(test.name(src)) {
            out.hits.push(Hit {
                id,
                span: test.name_span.clone(),
                via: Via::Name,
                test: Some(index),
            });
        }
    }
}

/// One test function as its own text says it: for reading a generated test back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TestText<'a> {
    /// The function's name, empty when the scanner could not read one.
    pub(crate) name: &'a str,
    /// `None` when not ignored; the reason of `#[ignore = "…"]` as written between the quotes,
    /// or empty for a bare `#[ignore]`.
    pub(crate) ignore: Option<&'a str>,
    /// The outer doc comment lines before it, after `///`, in order.
    pub(crate) doc: Vec<&'a str>,
    /// The text after `covers:` of every marker comment on it or in it.
    pub(crate) markers: Vec<&'a str>,
}

/// The first inner doc comment of a file (after `//!`), when the file starts with one, and
/// every test with its text. Uses the tokens of the last [`scan_file`] of `src` into `scan`.
pub(crate) fn test_texts<'a>(
    src: &'a [u8],
    scan: &FileScan,
) -> (Option<&'a str>, Vec<TestText<'a>>) {
    let text = |t: &Token| std::str::from_utf8(&src[t.text_start..t.text_end]).unwrap_or("");
    let first = scan.tokens.first().filter(|t| t.kind == Kind::Comment(Doc::Inner)).map(text);
    let mut out = Vec::with_capacity(scan.tests.len());
    for (test, region) in scan.tests.iter().zip(&scan.regions) {
        let tokens = &scan.tokens[region.start..region.end.min(scan.tokens.len())];
        let mut doc = Vec::new();
        let mut markers = Vec::new();
        let ignore = test.ignored.then(|| reason_in(src, tokens, test).unwrap_or(""));
        for t in tokens {
            if let Kind::Comment(kind) = t.kind {
                let body = &src[t.text_start..t.text_end];
                if let Some(end) = marker_end(body) {
                    markers.push(std::str::from_utf8(&body[end..]).unwrap_or(""));
                } else if kind == Doc::Outer && t.start < test_start(src, tokens, test) {
                    doc.push(text(t));
                }
            }
        }
        out.push(TestText { name: test.name(src), ignore, doc, markers });
    }
    (first, out)
}

/// The reason of an ignored test's `#[ignore = "…"]`, as written between the quotes; `None`
/// for a bare `#[ignore]` or a test that is not ignored. Uses the tokens of the last
/// [`scan_file`] of `src` into `scan`.
pub(crate) fn ignore_reason<'a>(src: &'a [u8], scan: &FileScan, test: usize) -> Option<&'a str> {
    let t = scan.tests.get(test).filter(|t| t.ignored)?;
    let region = scan.regions.get(test)?;
    let tokens = scan.tokens.get(region.start..region.end.min(scan.tokens.len()))?;
    reason_in(src, tokens, t)
}

/// The reason of `#[ignore = "reason"]` among a test's attributes (before its `fn`): the
/// ident right after `[`, `=` and a string, comments aside.
fn reason_in<'a>(src: &'a [u8], tokens: &[Token], test: &Test) -> Option<&'a str> {
    let before = test_start(src, tokens, test);
    let code = tokens
        .iter()
        .take_while(|t| t.start < before)
        .filter(|t| !matches!(t.kind, Kind::Comment(_)));
    // The last four code tokens, without a list per test: every pending test has a reason.
    let mut w: [Option<&Token>; 4] = [None; 4];
    for t in code {
        w.rotate_left(1);
        w[3] = Some(t);
        if let [Some(open), Some(ident), Some(eq), Some(reason)] = w
            && open.kind == Kind::Punct(b'[')
            && ident.kind == Kind::Ident
            && &src[ident.text_start..ident.text_end] == b"ignore"
            && eq.kind == Kind::Punct(b'=')
            && reason.kind == Kind::Str
        {
            return Some(
                std::str::from_utf8(&src[reason.text_start..reason.text_end]).unwrap_or(""),
            );
        }
    }
    None
}

/// Where a test's `fn` keyword (or what stands for its name) starts: doc comments after it
/// are inside the body, not about the test.
fn test_start(src: &[u8], tokens: &[Token], test: &Test) -> usize {
    tokens
        .iter()
        .find(|t| t.kind == Kind::Ident && &src[t.text_start..t.text_end] == b"fn")
        .map_or(test.name_span.start, |t| t.start)
}

/// Where the marker ends in a comment's text, when the text starts with it (after blanks and,
/// for a block comment's later lines, a leading `*`).
fn marker_end(text: &[u8]) -> Option<usize> {
    let start = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let rest = &text[start..];
    (rest.len() >= MARKER.len() && rest[..MARKER.len()].eq_ignore_ascii_case(MARKER))
        .then_some(start + MARKER.len())
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn tokenize(src: &[u8], out: &mut Vec<Token>) {
    let n = src.len();
    let mut i = 0;
    while i < n {
        let b = src[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let at = |k: usize| src.get(k).copied().unwrap_or(0);
        if b == b'/' && at(i + 1) == b'/' {
            let doc = match (at(i + 2), at(i + 3)) {
                (b'/', b'/') => Doc::Plain,
                (b'/', _) => Doc::Outer,
                (b'!', _) => Doc::Inner,
                _ => Doc::Plain,
            };
            let text_start = if doc == Doc::Plain { i + 2 } else { i + 3 };
            let end = memchr(b'\n', &src[i..]).map_or(n, |k| i + k);
            let text_end = if end > text_start && src[end - 1] == b'\r' { end - 1 } else { end };
            out.push(Token { kind: Kind::Comment(doc), start, end, text_start, text_end });
            i = end;
            continue;
        }
        if b == b'/' && at(i + 1) == b'*' {
            let doc = match (at(i + 2), at(i + 3)) {
                (b'*', b'*' | b'/') => Doc::Plain,
                (b'*', _) => Doc::Outer,
                (b'!', _) => Doc::Inner,
                _ => Doc::Plain,
            };
            let text_start = if doc == Doc::Plain { i + 2 } else { i + 3 };
            let mut depth = 1usize;
            let mut j = i + 2;
            let mut text_end = n;
            while j < n {
                if src[j] == b'/' && at(j + 1) == b'*' {
                    depth += 1;
                    j += 2;
                } else if src[j] == b'*' && at(j + 1) == b'/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        text_end = j - 2;
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            let end = j.min(n);
            let text_start = text_start.min(text_end);
            out.push(Token { kind: Kind::Comment(doc), start, end, text_start, text_end });
            i = end;
            continue;
        }
        if b == b'"' {
            let (end, text_end) = quoted(src, i + 1);
            out.push(Token { kind: Kind::Str, start, end, text_start: i + 1, text_end });
            i = end;
            continue;
        }
        if b == b'\'' {
            i = char_or_lifetime(src, i);
            out.push(Token { kind: Kind::Other, start, end: i, text_start: i, text_end: i });
            continue;
        }
        if b.is_ascii_digit() {
            while i < n && is_ident_continue(src[i]) {
                i += 1;
            }
            out.push(Token { kind: Kind::Other, start, end: i, text_start: i, text_end: i });
            continue;
        }
        if is_ident_start(b) {
            while i < n && is_ident_continue(src[i]) {
                i += 1;
            }
            let word = &src[start..i];
            let next = at(i);
            // String and char prefixes: b"…", c"…", r"…", r#"…"#, br"…", cr#"…"#, b'…'.
            let raw = matches!(word, b"r" | b"br" | b"cr");
            if raw && (next == b'"' || (next == b'#' && matches!(at(i + 1), b'"' | b'#'))) {
                let hashes = src[i..].iter().take_while(|&&c| c == b'#').count();
                let open = i + hashes;
                if at(open) == b'"' {
                    let (end, text_end) = raw_string(src, open + 1, hashes);
                    out.push(Token { kind: Kind::Str, start, end, text_start: open + 1, text_end });
                    i = end;
                    continue;
                }
            }
            if matches!(word, b"b" | b"c") && next == b'"' {
                let (end, text_end) = quoted(src, i + 1);
                out.push(Token { kind: Kind::Str, start, end, text_start: i + 1, text_end });
                i = end;
                continue;
            }
            if word == b"b" && next == b'\'' {
                i = char_or_lifetime(src, i);
                out.push(Token { kind: Kind::Other, start, end: i, text_start: i, text_end: i });
                continue;
            }
            if word == b"r" && next == b'#' && is_ident_start(at(i + 1)) {
                // A raw identifier, `r#type`: the identifier is what follows.
                i += 1;
                let ident_start = i;
                while i < n && is_ident_continue(src[i]) {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Ident,
                    start,
                    end: i,
                    text_start: ident_start,
                    text_end: i,
                });
                continue;
            }
            out.push(Token { kind: Kind::Ident, start, end: i, text_start: start, text_end: i });
            continue;
        }
        // Anything else is one byte of punctuation (or of something that is not Rust).
        i += 1;
        let text_start = start;
        out.push(Token { kind: Kind::Punct(b), start, end: i, text_start, text_end: i });
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// The end of a `"…"` string whose text starts at `from`, and the end of its text.
fn quoted(src: &[u8], from: usize) -> (usize, usize) {
    let mut j = from;
    while j < src.len() {
        match src[j] {
            b'\\' => j += 2,
            b'"' => return (j + 1, j),
            _ => j += 1,
        }
    }
    (src.len(), src.len())
}

/// The end of a raw string with `hashes` hashes whose text starts at `from`, and of its text.
fn raw_string(src: &[u8], from: usize, hashes: usize) -> (usize, usize) {
    let mut j = from;
    while j < src.len() {
        if src[j] == b'"' {
            let closing = src[j + 1..].iter().take(hashes).take_while(|&&c| c == b'#').count();
            if closing == hashes {
                return (j + 1 + hashes, j);
            }
        }
        j += 1;
    }
    (src.len(), src.len())
}

/// Skips a char literal (`'a'`, `'\''`, `b'\n'`, `'\u{1F600}'`) or a lifetime or label
/// (`'a`, `'static`) that starts at `i` (at the `'`, or at the `b` of a byte char).
fn char_or_lifetime(src: &[u8], i: usize) -> usize {
    let quote = if src[i] == b'b' { i + 1 } else { i };
    let at = |k: usize| src.get(k).copied().unwrap_or(0);
    let n = src.len();
    if at(quote + 1) == b'\\' {
        // An escape: the literal ends at the next quote, a few bytes on at most.
        let mut j = quote + 3;
        while j < n && j < quote + 16 && src[j] != b'\'' && src[j] != b'\n' {
            j += 1;
        }
        return if at(j) == b'\'' { j + 1 } else { quote + 1 };
    }
    let width = match at(quote + 1) {
        0 => return n.min(quote + 1),
        c if c < 0x80 => 1,
        c if c >= 0xF0 => 4,
        c if c >= 0xE0 => 3,
        _ => 2,
    };
    if at(quote + 1 + width) == b'\'' {
        return quote + 2 + width;
    }
    // A lifetime or a label.
    let mut j = quote + 1;
    while j < n && is_ident_continue(src[j]) {
        j += 1;
    }
    j.max(quote + 1)
}

/// Qualifiers that may stand between a function's attributes and its `fn`.
fn is_qualifier(word: &[u8]) -> bool {
    matches!(word, b"pub" | b"async" | b"unsafe" | b"const" | b"extern" | b"default" | b"safe")
}

/// Finds the test functions, each with the tokens that belong to it: the attributes and
/// comments before it, its signature and its body.
fn find_tests(
    src: &[u8],
    tokens: &[Token],
    tests: &mut Vec<Test>,
    regions: &mut Vec<Range<usize>>,
) {
    // The first token of the current item's attributes and outer comments, and what they said.
    let mut preamble: Option<usize> = None;
    let mut is_test = false;
    let mut ignored = false;
    let mut cases = false;
    let mut i = 0;
    let text = |t: &Token| &src[t.text_start..t.text_end];
    while i < tokens.len() {
        let token = &tokens[i];
        match token.kind {
            // An inner doc comment documents the enclosing item, not the next one.
            Kind::Comment(Doc::Inner) => i += 1,
            // A comment at the end of a line of code is about that line, not the next item.
            Kind::Comment(_) if !starts_line(src, token.start) => i += 1,
            Kind::Comment(_) => {
                preamble.get_or_insert(i);
                i += 1;
            }
            Kind::Punct(b'#') => {
                let mut j = next_code(tokens, i + 1);
                let inner = matches!(tokens.get(j).map(|t| t.kind), Some(Kind::Punct(b'!')));
                if inner {
                    j = next_code(tokens, j + 1);
                }
                if matches!(tokens.get(j).map(|t| t.kind), Some(Kind::Punct(b'['))) {
                    let close = matching(tokens, j);
                    if !inner {
                        preamble.get_or_insert(i);
                        let attr = read_attr(src, &tokens[j + 1..close.max(j + 1)]);
                        is_test |= attr.is_test;
                        ignored |= attr.ignored;
                        cases |= attr.cases;
                    }
                    i = close + 1;
                } else {
                    (preamble, is_test, ignored, cases) = (None, false, false, false);
                    i += 1;
                }
            }
            Kind::Ident if text(token) == b"fn" => {
                let start = preamble.unwrap_or(i);
                let (found_test, found_ignored, found_cases) = (is_test, ignored, cases);
                (preamble, is_test, ignored, cases) = (None, false, false, false);
                if !found_test {
                    i += 1;
                    continue;
                }
                let name_at = next_code(tokens, i + 1);
                let name_span = match tokens.get(name_at) {
                    Some(t) if t.kind == Kind::Ident => t.text_start..t.text_end,
                    _ => token.end..token.end,
                };
                let end = item_end(tokens, name_at);
                tests.push(Test { name_span, ignored: found_ignored, cases: found_cases });
                regions.push(start..end + 1);
                i = end + 1;
            }
            Kind::Ident if is_qualifier(text(token)) => {
                let next = next_code(tokens, i + 1);
                // `pub(crate)`, `pub(in path)`.
                if text(token) == b"pub"
                    && matches!(tokens.get(next).map(|t| t.kind), Some(Kind::Punct(b'(')))
                {
                    i = matching(tokens, next) + 1;
                } else {
                    i += 1;
                }
            }
            // The ABI of `extern "C" fn`.
            Kind::Str if preamble.is_some() || is_test => i += 1,
            _ => {
                (preamble, is_test, ignored, cases) = (None, false, false, false);
                i += 1;
            }
        }
    }
}

/// Whether only blanks stand between the start of the line and `at`.
fn starts_line(src: &[u8], at: usize) -> bool {
    src[..at].iter().rev().take_while(|&&b| b != b'\n').all(|&b| b == b' ' || b == b'\t')
}

/// The next token that is not a comment, at or after `i`.
fn next_code(tokens: &[Token], mut i: usize) -> usize {
    while i < tokens.len() && matches!(tokens[i].kind, Kind::Comment(_)) {
        i += 1;
    }
    i
}

/// The index of the bracket that closes the one at `open`, or the last token if none does.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    tokens.len().saturating_sub(1)
}

/// The last token of a function whose signature goes on from `from`: the `}` closing its body,
/// or the `;` of a function without one.
fn item_end(tokens: &[Token], from: usize) -> usize {
    let mut k = from;
    while k < tokens.len() {
        match tokens[k].kind {
            Kind::Punct(b'{') => return matching(tokens, k),
            Kind::Punct(b'(' | b'[') => k = matching(tokens, k) + 1,
            Kind::Punct(b';') => return k,
            _ => k += 1,
        }
    }
    tokens.len().saturating_sub(1)
}

struct Attr {
    is_test: bool,
    ignored: bool,
    cases: bool,
}

/// What an outer attribute's tokens (between `[` and `]`) say about a test.
fn read_attr(src: &[u8], tokens: &[Token]) -> Attr {
    let mut code = tokens.iter().filter(|t| !matches!(t.kind, Kind::Comment(_))).peekable();
    let mut last: Option<&[u8]> = None;
    let mut segments = 0;
    while let Some(t) = code.peek() {
        match t.kind {
            Kind::Ident => {
                last = Some(&src[t.text_start..t.text_end]);
                segments += 1;
            }
            Kind::Punct(b':') => {}
            _ => break,
        }
        code.next();
    }
    let Some(last) = last else { return Attr { is_test: false, ignored: false, cases: false } };
    let is_test = TEST_ATTRS.contains(&last);
    let cases = CASE_ATTRS.contains(&last);
    // `#[ignore]` or `#[ignore = "reason"]`; `#[cfg_attr(…, ignore)]` deliberately not.
    let ignored = segments == 1
        && last == b"ignore"
        && matches!(code.next().map(|t| t.kind), None | Some(Kind::Punct(b'=')));
    Attr { is_test, ignored, cases }
}

#[cfg(test)]
mod tests;
