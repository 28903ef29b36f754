//! Which words are requirement ids: the spec's own ids, and words shaped like them (strays).
//!
//! A word is a maximal run of id characters (ASCII letters, digits, `_`, `-`, `.`, and any other
//! ASCII punctuation some spec id uses), trimmed of leading and trailing characters that are not
//! letters or digits, so `(CORE-1).` yields `CORE-1`. Matching is exact and case-sensitive.
//!
//! An id is *id-shaped* when it is one of the spec's prefixes followed by digits only. A prefix
//! is a spec id with its trailing digits cut off (`CORE-12` → `CORE-`); ids that do not end in a
//! digit give no prefix. So with `CORE-1` in the spec, `CORE-7` is id-shaped, while `CORE`,
//! `CORE-1a` and `RFC-2119` are not.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use memchr::memmem;

/// The most needles [`Ids::may_hold_id`] searches a file for. Each is a pass over the file with
/// a SIMD search that is several times faster than the tokenizer, so a handful of them is
/// cheaper than scanning a file that names no requirement; a spec with ids in dozens of forms
/// (a prefix per crate, say) scans every file instead.
const MAX_NEEDLES: usize = 8;

/// FNV-1a: ids are short, hashed once per word of every comment, and never chosen by an
/// attacker who could exploit a weak hash, so speed wins over SipHash's defences.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hash map keyed by short text.
type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// What a word or a test name turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Id {
    /// The requirement at this index of [`Ids::known`].
    Known(usize),
    /// Shaped like a requirement id, but the spec has no such id.
    Stray(String),
}

/// The ids a spec knows, ready for fast lookup.
#[derive(Debug)]
pub(crate) struct Ids<'a> {
    /// The spec's ids, in the order of the report.
    pub(crate) known: Vec<&'a str>,
    by_text: Map<&'a [u8], usize>,
    by_test_name: Map<String, usize>,
    /// Prefixes of id-shaped words (`CORE-`).
    prefixes: Map<&'a [u8], ()>,
    /// Prefixes in test-name form (`core_` → `CORE-`), to name a stray found in a test name.
    name_prefixes: Map<String, &'a str>,
    /// Which bytes may be part of a word.
    word_byte: [bool; 256],
    /// Which bytes may start an id or a prefix: a cheap filter before any hashing.
    first_byte: [bool; 256],
    /// The same for test names.
    name_first_byte: [bool; 256],
    /// Text one of which every file that holds an id contains; `None` when there are too many
    /// to search for.
    needles: Option<Vec<memmem::Finder<'static>>>,
}

impl<'a> Ids<'a> {
    /// Indexes the spec's ids; `known[i]` is the id of requirement `i`.
    pub(crate) fn new(known: Vec<&'a str>) -> Ids<'a> {
        let mut word_byte = [false; 256];
        for b in 0..=255u8 {
            word_byte[usize::from(b)] =
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        }
        for id in &known {
            for &b in id.as_bytes() {
                if b.is_ascii_graphic() {
                    word_byte[usize::from(b)] = true;
                }
            }
        }
        let mut ids = Ids {
            by_text: Map::with_capacity_and_hasher(known.len(), Default::default()),
            by_test_name: Map::with_capacity_and_hasher(known.len(), Default::default()),
            prefixes: Map::default(),
            name_prefixes: Map::default(),
            word_byte,
            first_byte: [false; 256],
            name_first_byte: [false; 256],
            needles: None,
            known: Vec::new(),
        };
        for (i, &id) in known.iter().enumerate() {
            ids.by_text.entry(id.as_bytes()).or_insert(i);
            let test_name = trellis_spec::requirement_test_name(id);
            if let Some(&first) = test_name.as_bytes().first() {
                ids.name_first_byte[usize::from(first)] = true;
            }
            ids.by_test_name.entry(test_name).or_insert(i);
            if let Some(first) = trim(id.as_bytes()).first() {
                ids.first_byte[usize::from(*first)] = true;
            }
            let prefix = id.trim_end_matches(|c: char| c.is_ascii_digit());
            let is_prefix = prefix.len() < id.len() && !prefix.is_empty();
            if is_prefix && ids.prefixes.insert(prefix.as_bytes(), ()).is_none() {
                ids.name_prefixes
                    .entry(trellis_spec::requirement_test_name(prefix))
                    .or_insert(prefix);
            }
        }
        ids.needles = needles(&known);
        ids.known = known;
        ids
    }

    /// Whether a file can hold an id at all: false only when it contains none of the text every
    /// id, id-shaped word and test name that [`Ids::find_in`] and [`Ids::test_name`] match must
    /// contain. A file without any is not worth tokenizing.
    pub(crate) fn may_hold_id(&self, src: &[u8]) -> bool {
        match &self.needles {
            Some(needles) => needles.iter().any(|n| n.find(src).is_some()),
            None => true,
        }
    }

    /// Whether a byte can be part of a word.
    pub(crate) fn is_word_byte(&self, b: u8) -> bool {
        self.word_byte[usize::from(b)]
    }

    /// Calls `found` with the byte range (relative to `text`) and identity of every id in a
    /// piece of comment or string text.
    pub(crate) fn find_in(&self, text: &[u8], mut found: impl FnMut(std::ops::Range<usize>, Id)) {
        let mut i = 0;
        while i < text.len() {
            if !self.is_word_byte(text[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && self.is_word_byte(text[i]) {
                i += 1;
            }
            let word = &text[start..i];
            let lead = word.iter().take_while(|b| !b.is_ascii_alphanumeric()).count();
            let word = &word[lead..];
            let Some(&first) = word.first() else { continue };
            if !self.first_byte[usize::from(first)] {
                continue;
            }
            if let Some((id, len)) = self.word(word) {
                let s = start + lead;
                found(s..s + len, id);
            }
        }
    }

    /// What a word is, if it is an id at all, and how long the id is. A known id may end in
    /// `.`, `-` or `_`; so may a sentence (`see CORE-1.`): the word is tried as it is, then
    /// without each trailing punctuation character in turn.
    fn word(&self, mut word: &[u8]) -> Option<(Id, usize)> {
        loop {
            if let Some(&i) = self.by_text.get(word) {
                return Some((Id::Known(i), word.len()));
            }
            match word.split_last() {
                Some((last, rest)) if !last.is_ascii_alphanumeric() => word = rest,
                _ => break,
            }
        }
        let digits = word.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits == word.len() {
            return None;
        }
        let prefix = &word[..word.len() - digits];
        self.prefixes.contains_key(prefix).then(|| {
            // Only ASCII bytes reach a prefix match, so this never loses anything.
            (Id::Stray(String::from_utf8_lossy(word).into_owned()), word.len())
        })
    }

    /// What a test function's name says it is about: the longest of the name itself and its
    /// `_`-separated beginnings (`core_1_rounds` → `core_1_rounds`, `core_1`, `core`) that is a
    /// requirement's test name, or failing that, shaped like one.
    pub(crate) fn test_name(&self, name: &str) -> Option<Id> {
        if name.is_empty() || !self.first_byte_of_name(name) {
            return None;
        }
        // Longest first: the whole name, then up to each `_` from the right.
        let ends = || std::iter::once(name.len()).chain(name.rmatch_indices('_').map(|(i, _)| i));
        for end in ends() {
            if let Some(&i) = self.by_test_name.get(&name[..end]) {
                return Some(Id::Known(i));
            }
        }
        for end in ends() {
            let candidate = &name[..end];
            let digits = candidate.bytes().rev().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits == candidate.len() {
                continue;
            }
            let (prefix, number) = candidate.split_at(candidate.len() - digits);
            if let Some(original) = self.name_prefixes.get(prefix) {
                return Some(Id::Stray(format!("{original}{number}")));
            }
        }
        None
    }

    /// Whether a test name's first byte can start a requirement's test name or prefix.
    fn first_byte_of_name(&self, name: &str) -> bool {
        self.name_first_byte[usize::from(name.as_bytes()[0])]
    }
}

/// What every match contains: a known id is written whole, an id-shaped word starts with its
/// prefix, and a test name starts with the test-name form of either (`CORE-12` → `CORE-` and
/// `core_`; `LOGIN` → `LOGIN` and `login`). A needle that holds a shorter one adds nothing.
fn needles(known: &[&str]) -> Option<Vec<memmem::Finder<'static>>> {
    let mut texts: Vec<String> = Vec::new();
    for id in known {
        let prefix = id.trim_end_matches(|c: char| c.is_ascii_digit());
        let stem = if prefix.len() < id.len() && !prefix.is_empty() { prefix } else { id };
        texts.push(stem.to_owned());
        texts.push(trellis_spec::requirement_test_name(stem));
    }
    texts.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    texts.dedup();
    let mut kept: Vec<String> = Vec::new();
    for text in texts {
        if !kept.iter().any(|k| text.contains(k.as_str())) {
            kept.push(text);
            if kept.len() > MAX_NEEDLES {
                return None;
            }
        }
    }
    Some(kept.iter().map(|k| memmem::Finder::new(k.as_bytes()).into_owned()).collect())
}

/// The word without leading and trailing bytes that are not letters or digits.
fn trim(word: &[u8]) -> &[u8] {
    let lead = word.iter().take_while(|b| !b.is_ascii_alphanumeric()).count();
    let rest = &word[lead..];
    let trail = rest.iter().rev().take_while(|b| !b.is_ascii_alphanumeric()).count();
    &rest[..rest.len() - trail]
}
