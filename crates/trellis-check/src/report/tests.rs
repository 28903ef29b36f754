use super::github::{data, property};
use super::place::Layout;
use super::sarif::encode;
use super::{Format, rules};

#[test]
fn github_escapes_messages_and_properties_as_its_runner_reads_them() {
    assert_eq!(data("100% done\r\nnext: a, b"), "100%25 done%0D%0Anext: a, b");
    assert_eq!(property("C:/x, y\n%"), "C%3A/x%2C y%0A%25");
}

#[test]
fn uris_are_percent_encoded() {
    assert_eq!(encode("crates/a b/Cargo.toml"), "crates/a%20b/Cargo.toml");
    assert_eq!(encode("x#y%z:é"), "x%23y%25z%3A%C3%A9");
}

#[test]
fn files_are_named_relative_to_the_workspace_root() {
    let layout = |root: &str| Layout { root: root.to_owned(), ..Layout::default() };
    assert_eq!(layout("").relative("crates/a/Cargo.toml"), "crates/a/Cargo.toml");
    assert_eq!(layout("../..").relative("../../crates/a/Cargo.toml"), "crates/a/Cargo.toml");
    assert_eq!(layout("ws/").relative("ws/Trellis.toml"), "Trellis.toml");
    assert_eq!(layout("ws").relative(r"ws\crates\a\Cargo.toml"), "crates/a/Cargo.toml");
    // Not under the root: kept as the engine named it.
    assert_eq!(layout("ws").relative("/tmp/spec.toml"), "/tmp/spec.toml");
    assert_eq!(layout("ws").relative("wsx/Cargo.toml"), "wsx/Cargo.toml");
}

#[test]
fn docs_links_follow_the_repository() {
    let code = crate::codes::UNDECLARED_EDGE;
    assert_eq!(rules::link(None, code), None);
    assert_eq!(
        rules::link(Some("https://example.org/trellis/"), code).as_deref(),
        Some("https://example.org/trellis/blob/main/docs/check.md#findings")
    );
    assert_eq!(
        rules::link(Some("https://example.org/t"), trellis_trace::findings::LOST).as_deref(),
        Some("https://example.org/t/blob/main/docs/trace.md#findings-in-check")
    );
}

#[test]
fn the_markdown_links_codes_when_the_repository_is_known() {
    let d = trellis_spec::Diagnostic::error(crate::codes::CYCLE, "`a` -> `b|c` -> `a`")
        .in_file("Trellis.toml");
    let text = super::markdown::render(
        &[d],
        &Default::default(),
        &Layout::default(),
        &[],
        Some("https://example.org/t"),
    );
    assert!(
        text.contains(
            "| ❌ error | [`C008`](https://example.org/t/blob/main/docs/check.md#findings) cycle | `a` -&gt; `b\\|c` -&gt; `a` | `Trellis.toml:1` |"
        ),
        "{text}"
    );
}

#[test]
fn the_sarif_names_the_repository_when_it_is_known() {
    let log = super::sarif::log(
        &[],
        &Default::default(),
        &Layout::default(),
        &[],
        Some("https://example.org/t"),
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], "https://example.org/t");
    assert_eq!(
        driver["rules"][0]["helpUri"],
        "https://example.org/t/blob/main/docs/check.md#findings"
    );
}

#[test]
fn every_format_has_a_name_the_command_line_takes() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>(), Ok(format));
    }
}
