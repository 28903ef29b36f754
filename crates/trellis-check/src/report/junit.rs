//! The report as JUnit XML, which every CI dashboard reads: one test suite, `trellis check`,
//! with one test case per rule and crate (`classname` the crate, `name` the rule: `C005
//! undeclared-edge`). A case fails when the check found an error of that rule about that
//! crate: its `<failure>` says the first finding's message and holds every finding with its
//! place. A warning does not fail a case, as it does not fail `check`: the case passes and
//! says it in `<system-out>`. Findings about no crate (an `[[allow]]` entry, say) are the
//! cases of the class `(workspace)`, present only when there are such findings.
//!
//! Written with quick-xml, which escapes every text and attribute.

use std::collections::BTreeMap;
use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use trellis_spec::{Code, Diagnostic};

use super::place::{self, Layout, Place};
use super::rules;

/// The class of the cases whose findings are about no crate.
const WORKSPACE: &str = "(workspace)";

/// The JUnit XML document, with a final newline.
pub fn junit(
    diagnostics: &[Diagnostic],
    sources: &BTreeMap<String, String>,
    layout: &Layout,
) -> String {
    let places = place::places(diagnostics, sources, layout);
    let owners = place::crates_of(diagnostics, &places, sources, layout);
    let mut codes: Vec<Code> = rules::described().collect();
    for d in diagnostics {
        if !codes.contains(&d.code) {
            codes.push(d.code);
        }
    }
    codes.sort_by_key(|c| c.id);
    let mut classes: Vec<&str> = Vec::new();
    for (name, _) in &layout.crates {
        if !classes.contains(&name.as_str()) {
            classes.push(name);
        }
    }
    if owners.iter().any(Option::is_none) {
        classes.push(WORKSPACE);
    }
    // (crate, code) → its findings, in the order `check` reports them.
    let mut found: BTreeMap<(&str, &str), Vec<(&Diagnostic, &Place)>> = BTreeMap::new();
    for ((d, place), owner) in diagnostics.iter().zip(&places).zip(&owners) {
        found.entry((owner.unwrap_or(WORKSPACE), d.code.id)).or_default().push((d, place));
    }
    let tests = classes.len() * codes.len();
    let failures = found.values().filter(|f| f.iter().any(|(d, _)| d.is_error())).count();
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written: io::Result<()> = (|| {
        writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let (tests, failures) = (tests.to_string(), failures.to_string());
        let counts = [("tests", tests.as_str()), ("failures", failures.as_str()), ("errors", "0")];
        writer
            .create_element("testsuites")
            .with_attribute(("name", "trellis check"))
            .with_attributes(counts)
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attribute(("name", "trellis check"))
                    .with_attributes(counts)
                    .with_attribute(("skipped", "0"))
                    .write_inner_content(|w| {
                        for class in &classes {
                            for code in &codes {
                                let findings = found.get(&(*class, code.id));
                                case(w, class, *code, findings.map_or(&[][..], Vec::as_slice))?;
                            }
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })();
    written.expect("writing to memory cannot fail");
    let mut text = String::from_utf8(writer.into_inner()).expect("the XML is UTF-8");
    text.push('\n');
    text
}

/// One test case: passed, passed with warnings said, or failed.
fn case(
    w: &mut Writer<Vec<u8>>,
    class: &str,
    code: Code,
    findings: &[(&Diagnostic, &Place)],
) -> io::Result<()> {
    let name = format!("{} {}", code.id, code.name);
    let element = w
        .create_element("testcase")
        .with_attributes([("classname", xml_safe(class).as_str()), ("name", name.as_str())]);
    if findings.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    let listed: Vec<String> = findings.iter().map(|(d, place)| line(d, place)).collect();
    let listed = xml_safe(&listed.join("\n"));
    let errors: Vec<_> = findings.iter().filter(|(d, _)| d.is_error()).collect();
    element.write_inner_content(|w| {
        match errors.first() {
            Some((first, _)) => {
                let message = match errors.len() {
                    1 => first.message.clone(),
                    n => format!("{} (and {} more)", first.message, n - 1),
                };
                w.create_element("failure")
                    .with_attributes([("message", xml_safe(&message).as_str()), ("type", code.id)])
                    .write_text_content(BytesText::new(&listed))?;
            }
            None => {
                w.create_element("system-out").write_text_content(BytesText::new(&listed))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// A finding on one line as a compiler says it, then its hint on the next:
/// `crates/api/Cargo.toml:9:1: error[C005]: …`.
fn line(d: &Diagnostic, place: &Place) -> String {
    let column = place.column.map(|c| format!(":{c}")).unwrap_or_default();
    let mut text = format!(
        "{}:{}{column}: {}[{}]: {}",
        place.file,
        place.line,
        d.severity.as_str(),
        d.code.id,
        d.message
    );
    if let Some(hint) = &d.hint {
        text.push_str("\n  hint: ");
        text.push_str(hint);
    }
    text
}

/// A text XML 1.0 can hold: the control characters it forbids even escaped (all below U+0020
/// but tab, LF and CR) become U+FFFD; quick-xml escapes the rest.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c < ' ' && !matches!(c, '\t' | '\n' | '\r') { '\u{FFFD}' } else { c })
        .collect()
}
