//! What the scanned files say about each requirement: the tests that name it, the other places, and the stray ids.

use std::collections::HashMap;
use std::ops::Range;

use trellis_spec::LineCursor;

use super::{Found, Naming, Place, RequirementTrace, TestRef};
use crate::fingerprint::fingerprint;
use crate::ids::Id;
use crate::results::Matcher;
use crate::scan::{self, Via};

/// What was found about one requirement so far.
#[derive(Debug, Clone, Default)]
pub(super) struct Evidence {
    pub(super) tests: Vec<TestRef>,
    pub(super) elsewhere: Vec<Place>,
}

impl Evidence {
    /// Gives each test that runs its results.
    pub(super) fn match_results(&mut self, matcher: &Matcher<'_>, paths: &HashMap<&str, &str>) {
        for t in &mut self.tests {
            if t.ignored || t.via == Naming::Text {
                continue;
            }
            let Some(crate_path) = paths.get(t.place.krate.as_str()) else { continue };
            let inside = t
                .place
                .file
                .strip_prefix(crate_path)
                .and_then(|f| f.strip_prefix('/'))
                .unwrap_or(&t.place.file);
            t.result = matcher.find(&t.place.krate, inside, &t.name, t.cases);
        }
    }

    pub(super) fn into_trace(
        mut self,
        id: &str,
        text: Option<&str>,
        affirmed: Option<&String>,
    ) -> RequirementTrace {
        self.tests.sort_by(|a, b| a.place.cmp(&b.place));
        self.elsewhere.sort();
        let fingerprint = text.map(fingerprint);
        let reworded = matches!((&fingerprint, affirmed), (Some(now), Some(then)) if now != then);
        let status = crate::status::status(&self.tests, &self.elsewhere, reworded);
        RequirementTrace {
            id: id.to_owned(),
            status,
            text: text.map(str::to_owned),
            fingerprint,
            affirmed: affirmed.cloned(),
            tests: self.tests,
            elsewhere: self.elsewhere,
        }
    }
}

/// Files the hits of one file under their requirements (or as strays).
pub(super) fn record(
    krate: &str,
    file: &str,
    src: &[u8],
    scanned: &mut scan::FileScan,
    found: &mut Found,
) {
    let Found { evidence, stray } = found;
    // Taken out (and put back, empty) so that the tests and their tokens can be read meanwhile.
    let mut hits = std::mem::take(&mut scanned.hits);
    let reasons = |t: usize| scan::ignore_reason(src, scanned, t);
    let tests = &scanned.tests;
    hits.sort_by_key(|h| h.span.start);
    let mut lines = LineCursor::default();
    // Per requirement and test of this file: the index of its entry in `evidence[..].tests`.
    // A file names few requirements, so a list beats a map.
    let mut seen: Vec<((usize, usize), usize)> = Vec::new();
    for hit in hits.drain(..) {
        let place = |span: Range<usize>, lines: &mut LineCursor| {
            let (line, column) = lines.at(src, span.start);
            Place { file: file.to_owned(), line, column, span, krate: krate.to_owned() }
        };
        match hit.id {
            Id::Stray(id) => {
                let p = place(hit.span, &mut lines);
                stray.entry(id).or_default().push(p);
            }
            Id::Known(req) => {
                let via = match hit.via {
                    Via::Doc => continue,
                    Via::Text => Naming::Text,
                    Via::Marker => Naming::Marker,
                    Via::Name => Naming::Name,
                };
                let Some(t) = hit.test else {
                    let p = place(hit.span, &mut lines);
                    evidence[req].elsewhere.push(p);
                    continue;
                };
                let e = &mut evidence[req];
                if let Some(&(_, k)) = seen.iter().find(|(key, _)| *key == (req, t)) {
                    e.tests[k].via = e.tests[k].via.min(via);
                    continue;
                }
                let test = &tests[t];
                let p = place(test.name_span.clone(), &mut lines);
                seen.push(((req, t), e.tests.len()));
                e.tests.push(TestRef {
                    name: test.name(src).to_owned(),
                    place: p,
                    ignored: test.ignored,
                    reason: reasons(t).map(str::to_owned),
                    via,
                    cases: test.cases,
                    result: None,
                });
            }
        }
    }
    scanned.hits = hits;
}
