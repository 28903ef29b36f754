//! Bad input never panics: random edits of real specs and random text each give a model or
//! at least one error, with every diagnostic placed inside the text and renderable; an edited
//! spec the parser accepts validates against the spec's JSON Schema.

use proptest::prelude::*;
use trellis_spec::{Diagnostic, parse};

const SPECS: [&str; 2] =
    [include_str!("../../specs/sme-market.toml"), include_str!("good/every-key.toml")];

/// One edit: at a fraction of the text, delete some characters and insert a snippet.
fn edit() -> impl Strategy<Value = (f64, usize, String)> {
    let snippet = prop_oneof![
        Just(String::new()),
        prop::sample::select(vec![
            "\"",
            "[",
            "]",
            "[[",
            "=",
            "\n",
            "{",
            "}",
            ",",
            ".",
            "-",
            "\\",
            "'''",
            "\"\"\"",
            "#",
            "[crates.x]\n",
            "depends = [\"ghost\"]\n",
            "layer = \"nowhere\"\n",
            "kind = 1\n",
            "é",
            "\u{0}",
            "\r\n",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    (0.0..1.0f64, 0usize..30, snippet)
}

fn apply(text: &str, (at, delete, insert): &(f64, usize, String)) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = ((chars.len() as f64) * at) as usize;
    let end = (at + delete).min(chars.len());
    let mut out: String = chars[..at].iter().collect();
    out.push_str(insert);
    out.extend(&chars[end..]);
    out
}

fn check_diagnostics(diagnostics: &[Diagnostic], text: &str) {
    for d in diagnostics {
        assert!(d.file.is_some(), "{d:?}");
        for label in d.primary.iter().chain(&d.secondary) {
            assert!(label.span.start <= label.span.end && label.span.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(label.span.start) && text.is_char_boundary(label.span.end)
            );
        }
        let rendered = anstream::adapter::strip_str(&d.render(Some(text))).to_string();
        assert!(rendered.contains(d.code.id));
        let _ = d.render(None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn edited_specs_never_panic(which in 0..SPECS.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let mut text = SPECS[which].to_owned();
        for e in &edits {
            text = apply(&text, e);
        }
        match parse(&text, "edited.toml") {
            Ok(parsed) => {
                check_diagnostics(&parsed.warnings, &text);
                // An edit the parser accepts, the schema editors check with accepts too.
                if let Err(e) = crate::schema::validate(&text) {
                    panic!("{e}\n---\n{text}");
                }
            }
            Err(diagnostics) => {
                prop_assert!(diagnostics.iter().any(Diagnostic::is_error));
                check_diagnostics(&diagnostics, &text);
            }
        }
    }

    #[test]
    fn random_text_never_panics(text in any::<String>()) {
        let diagnostics = parse(&text, "random.toml").expect_err("random text is no spec");
        prop_assert!(diagnostics.iter().any(Diagnostic::is_error));
        check_diagnostics(&diagnostics, &text);
    }
}
