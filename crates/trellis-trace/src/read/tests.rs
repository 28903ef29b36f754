use super::*;

#[test]
fn a_generated_test_and_a_real_one() {
    let src = "//! CORE-1: the pending test of this requirement.\n\n/// Amounts are \\[exact\\].\n/// Second line.\n#[test]\n#[ignore = \"pending: CORE-1\"]\nfn core_1() {\n    /// not a doc of the test\n    todo!(\"CORE-1\")\n}\n\n// covers: CORE-2, CORE-3.\n#[test]\nfn real() {}\n";
    let file = read_tests(src);
    assert_eq!(file.first_line.as_deref(), Some(" CORE-1: the pending test of this requirement."));
    assert_eq!(
        file.tests,
        vec![
            TestText {
                name: "core_1".into(),
                ignore: Some("pending: CORE-1".into()),
                doc: vec![" Amounts are \\[exact\\].".into(), " Second line.".into()],
                covers: vec![],
            },
            TestText {
                name: "real".into(),
                ignore: None,
                doc: vec![],
                covers: vec!["CORE-2".into(), "CORE-3".into()],
            },
        ]
    );
}
