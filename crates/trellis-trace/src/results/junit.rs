//! Reads a JUnit XML report (nextest's, the Jenkins flavour) into results, with quick-xml.

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::attributes::AttrError;
use quick_xml::events::{BytesStart, Event};

use super::{Binary, Outcome, ResultsError, TestResult};

/// The test case being read.
struct Case {
    /// How deep its element is: its children are one deeper.
    depth: usize,
    name: String,
    classname: Option<String>,
    outcome: Outcome,
    reason: Option<String>,
    flaky: bool,
}

/// What is open while reading.
#[derive(Default)]
struct State {
    /// The names of the open elements: enough to know a test case's direct children.
    open: Vec<String>,
    /// The name of the open `<testsuite>`.
    suite: Option<String>,
    case: Option<Case>,
    found_suite: bool,
    out: Vec<TestResult>,
}

pub(super) fn read(xml: &str) -> Result<Vec<TestResult>, ResultsError> {
    let mut reader = Reader::from_str(xml);
    let mut state = State::default();
    loop {
        let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let offset = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            xml_error(xml, offset, e.to_string())
        })?;
        match event {
            Event::Start(e) => {
                state.element(xml, at, &e)?;
                state.open.push(e.local_name().as_ref().to_owned());
            }
            Event::Empty(e) => {
                state.element(xml, at, &e)?;
                // An empty test case passed, and ends here.
                state.finish_case_at(state.open.len());
            }
            Event::End(_) => {
                let closed = state.open.pop();
                if !state.finish_case_at(state.open.len()) && closed.as_deref() == Some("testsuite")
                {
                    state.suite = None;
                }
            }
            Event::Eof => {
                if let Some(name) = state.open.last() {
                    let message = format!("the report ends inside `<{name}>`");
                    return Err(xml_error(xml, xml.len(), message));
                }
                break;
            }
            _ => {}
        }
    }
    if !state.found_suite {
        return Err(ResultsError::NotJunit);
    }
    Ok(state.out)
}

impl State {
    /// Handles an element that opens (or is empty) at byte `at`.
    fn element(&mut self, xml: &str, at: usize, e: &BytesStart<'_>) -> Result<(), ResultsError> {
        // Every attribute well-formed (no duplicates, quoted values), whatever is read of them.
        for a in e.attributes() {
            a.map_err(|err| attr_error(xml, at, &err))?;
        }
        let attr = |key: &str| attribute(xml, at, e, key);
        match e.local_name().as_ref() {
            "testsuites" => self.found_suite = true,
            "testsuite" => {
                self.found_suite = true;
                self.suite = Some(attr("name")?.unwrap_or_default());
            }
            "testcase" if self.case.is_none() => {
                self.case = Some(Case {
                    depth: self.open.len(),
                    name: attr("name")?.unwrap_or_default(),
                    classname: attr("classname")?,
                    outcome: Outcome::Passed,
                    reason: None,
                    flaky: false,
                });
            }
            child => {
                let depth = self.open.len();
                let Some(c) = self.case.as_mut().filter(|c| depth == c.depth + 1) else {
                    return Ok(());
                };
                match child {
                    "failure" | "error" => c.outcome = Outcome::Failed,
                    "skipped" if c.outcome != Outcome::Failed => {
                        c.outcome = Outcome::Skipped;
                        c.reason = attr("message")?;
                    }
                    "flakyFailure" | "flakyError" => c.flaky = true,
                    // `rerunFailure` and `rerunError` come with a `failure`; output and
                    // properties say nothing about the outcome.
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Files the open test case when its element is at `depth`; whether it did.
    fn finish_case_at(&mut self, depth: usize) -> bool {
        if self.case.as_ref().is_none_or(|c| c.depth != depth) {
            return false;
        }
        if let Some(case) = self.case.take() {
            finish(case, self.suite.as_deref(), &mut self.out);
        }
        true
    }
}

/// An attribute's value, entities replaced.
fn attribute(
    xml: &str,
    at: usize,
    e: &BytesStart<'_>,
    key: &str,
) -> Result<Option<String>, ResultsError> {
    let Some(a) = e.try_get_attribute(key).map_err(|err| attr_error(xml, at, &err))? else {
        return Ok(None);
    };
    let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
        // `at 3..6: unrecognized entity `bad``: the range is inside the value.
        let message = err.to_string();
        let message = match message.split_once(": ") {
            Some((range, rest)) if range.starts_with("at ") => rest.to_owned(),
            _ => message,
        };
        xml_error(xml, at, format!("in the attribute `{key}`: {message}"))
    })?;
    Ok(Some(value.into_owned()))
}

/// An attribute's error where it is: quick-xml counts from the element's `<`.
fn attr_error(xml: &str, at: usize, err: &AttrError) -> ResultsError {
    let (pos, message) = match *err {
        AttrError::Duplicated(pos, _) => (pos, "an attribute is given twice".to_owned()),
        AttrError::ExpectedEq(pos)
        | AttrError::ExpectedValue(pos)
        | AttrError::UnquotedValue(pos)
        | AttrError::ExpectedQuote(pos, _) => {
            let message = err.to_string();
            // `position 4: attribute value must be…`
            let message = message.split_once(": ").map_or(message.as_str(), |(_, m)| m);
            (pos, message.to_owned())
        }
    };
    xml_error(xml, at.saturating_add(1).saturating_add(pos), message)
}

/// Files a finished test case under its binary: the case's `classname` (nextest's binary
/// id), else its suite's name.
fn finish(case: Case, suite: Option<&str>, out: &mut Vec<TestResult>) {
    let id = case.classname.as_deref().filter(|c| !c.is_empty()).or(suite).unwrap_or("");
    // `orders@stress-3` is a stress run of `orders`; `@setup-script:db` is no test at all.
    if id.starts_with('@') {
        return;
    }
    let id = id.split_once('@').map_or(id, |(id, _)| id);
    let (package, binary) = binary_id(id);
    out.push(TestResult {
        package,
        binary,
        executable: None,
        name: case.name,
        outcome: case.outcome,
        reason: case.reason,
        flaky: case.flaky,
    });
}

/// A nextest binary id: `orders` (unit tests of the library), `orders::requirements` (an
/// integration test), `orders::bin/web`, `orders::bench/speed`, `orders::example/demo`.
fn binary_id(id: &str) -> (Option<String>, Option<Binary>) {
    if id.is_empty() {
        return (None, None);
    }
    let Some((package, target)) = id.split_once("::") else {
        return (Some(id.to_owned()), Some(Binary::Unit));
    };
    let binary = match target.split_once('/') {
        None => Some(Binary::Test(target.to_owned())),
        Some(("bin", name)) => Some(Binary::Bin(name.to_owned())),
        Some(("test", name)) => Some(Binary::Test(name.to_owned())),
        Some(("bench", name)) => Some(Binary::Bench(name.to_owned())),
        Some(("example", name)) => Some(Binary::Example(name.to_owned())),
        Some(_) => None,
    };
    (Some(package.to_owned()), binary)
}

/// An XML error at a byte offset, with its line and column.
fn xml_error(xml: &str, offset: usize, message: String) -> ResultsError {
    let (line, column) = trellis_spec::line_col(xml, offset);
    ResultsError::Xml { line, column, message }
}
