//! The life of a requirement: seeded pending, covered by a person's test (both ways), renamed
//! in the spec so that its old id is stray and its new one lost, then seeded again.

use insta::assert_snapshot;
use trellis_trace::{Naming, Status, trace};

use crate::support::{Workspace, findings, human};

const SPEC: &str = r#"[workspace]
name = "life"
summary = "A requirement's life"
edition = "2024"

[crates.money]
summary = "Money in minor units"
requirements = [
  { id = "CORE-1", text = "Amounts are kept in minor units with an ISO 4217 currency" },
  { id = "CORE-2", text = "Rounding is half-even" },
  { id = "CORE-3", text = "Currencies are compared by code" },
]

[crates.ledger]
summary = "Double-entry books"
depends = ["money"]
requirements = [
  { id = "LEDGER-1", text = "Every entry balances" },
]

[crates.web]
kind = "bin"
summary = "The shop front"
"#;

/// The person's edits of the second stage: the pending test of CORE-1 made real, CORE-2 covered
/// by a test of their own with a marker, LEDGER-1 by a unit test named after it.
fn cover(ws: &Workspace) {
    ws.write(
        "crates/money/tests/requirements/core_1.rs",
        r#"//! CORE-1: the pending test of this requirement.

/// Amounts are kept in minor units with an ISO 4217 currency
#[test]
fn core_1() {
    assert_eq!(money::cents("12.34"), 1234);
}
"#,
    );
    ws.write(
        "crates/money/tests/it/rounding.rs",
        r#"//! Rounding, the way accountants expect it.

// covers: CORE-2
#[test]
fn half_even() {
    assert_eq!(money::round(2.5), 2);
}

#[test]
#[ignore = "slow; see CORE-3"]
fn every_currency() {}
"#,
    );
    ws.write(
        "crates/ledger/src/entry.rs",
        r#"//! Entries.

pub fn balanced() -> bool {
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn ledger_1_balances() {
        assert!(super::balanced());
    }
}
"#,
    );
}

#[test]
fn a_requirement_s_life() {
    let ws = Workspace::new();

    // 1. Seeded: every requirement waits in its pending test.
    let spec = ws.seed(SPEC);
    let report = trace(&spec, ws.root()).expect("trace");
    assert!(
        report.crates.iter().flat_map(|c| &c.requirements).all(|r| r.status == Status::Pending)
    );
    assert!(report.stray.is_empty());
    assert_snapshot!("1-seeded", human(&report));
    assert_snapshot!("1-seeded-findings", findings(&ws, &spec, &report, false));

    // 2. Covered: CORE-1 by its own test, no longer ignored; CORE-2 by a marker; LEDGER-1 by
    //    a unit test whose name starts with its test name.
    cover(&ws);
    let report = trace(&spec, ws.root()).expect("trace");
    let core_2 = report.requirement("CORE-2").expect("CORE-2");
    assert_eq!(core_2.status, Status::Covered);
    assert!(core_2.tests.iter().any(|t| t.name == "half_even" && t.via == Naming::Marker));
    assert_eq!(report.requirement("CORE-3").map(|r| r.status), Some(Status::Pending));
    assert_snapshot!("2-covered", human(&report));
    assert_snapshot!("2-covered-strict-findings", findings(&ws, &spec, &report, true));

    // 3. Renamed in the spec, before `apply`: CORE-1 is now CORE-10. The person's test still
    //    says CORE-1 (stray), nothing says CORE-10 (lost).
    let renamed = SPEC.replace("\"CORE-1\"", "\"CORE-10\"");
    ws.write("Trellis.toml", &renamed);
    let spec = crate::support::parse(&renamed);
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-10").map(|r| r.status), Some(Status::Lost));
    assert_eq!(report.stray.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["CORE-1"]);
    assert_snapshot!("3-renamed", human(&report));
    assert_snapshot!("3-renamed-findings", findings(&ws, &spec, &report, false));
    assert_snapshot!("3-renamed-json", trellis_trace::format::json(&report));
    assert_snapshot!("3-renamed-markdown", trellis_trace::format::markdown(&report));

    // 4. After `apply`: the crate docs name CORE-10 and its pending test is seeded; the
    //    person's file still says CORE-1 until they fix it.
    let spec = ws.seed(&renamed);
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-10").map(|r| r.status), Some(Status::Pending));
    assert_snapshot!("4-reseeded", human(&report));

    // 5. The person moves their test over to the new id: all is well again.
    ws.remove("crates/money/tests/requirements/core_10.rs");
    let test = ws.read("crates/money/tests/requirements/core_1.rs").replace("CORE-1", "CORE-10");
    ws.remove("crates/money/tests/requirements/core_1.rs");
    ws.write(
        "crates/money/tests/requirements/core_10.rs",
        &test.replace("fn core_1", "fn core_10"),
    );
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("CORE-10").map(|r| r.status), Some(Status::Covered));
    assert!(report.stray.is_empty());
    assert_snapshot!("5-moved", human(&report));
}

#[test]
fn deleting_the_pending_test_loses_the_requirement() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.remove("crates/money/tests/requirements/core_3.rs");
    let report = trace(&spec, ws.root()).expect("trace");
    // The crate docs still list it: docs do not keep a requirement alive.
    assert_eq!(report.requirement("CORE-3").map(|r| r.status), Some(Status::Lost));
}

#[test]
fn a_missing_crate_folder_loses_its_requirements_without_failing() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    std::fs::remove_dir_all(ws.root().join("crates/ledger")).expect("remove crate");
    let report = trace(&spec, ws.root()).expect("trace");
    assert_eq!(report.requirement("LEDGER-1").map(|r| r.status), Some(Status::Lost));
    assert!(report.crates[1].missing && !report.crates[0].missing);
    // `check` reports the missing crate itself: no lost finding per requirement repeats it.
    assert!(trellis_trace::findings(&spec, &report, true).iter().all(|d| d.code.id == "R003"));
    assert!(human(&report).contains("ledger (crates/ledger): folder missing; 1 requirement"));
}

#[test]
fn the_spec_setting_denies_pending_requirements() {
    let ws = Workspace::new();
    let text = format!("{SPEC}\n[check]\npending-requirements = \"deny\"\n");
    let spec = ws.seed(&text);
    let report = trace(&spec, ws.root()).expect("trace");
    let codes: Vec<&str> =
        trellis_trace::findings(&spec, &report, false).iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["R003", "R003", "R003", "R003"]);
}

#[test]
fn a_spec_without_requirements_finds_nothing_in_any_code() {
    let ws = Workspace::new();
    let mut spec = ws.seed(SPEC);
    // The same code, but a spec that has dropped every requirement.
    ws.write("crates/web/src/main.rs", "// covers: CORE-9, WEB-1\n#[test]\nfn core_7() {}\n");
    for krate in &mut spec.crates {
        krate.requirements.clear();
    }
    let report = trace(&spec, ws.root()).expect("trace");
    assert!(!trellis_trace::findings::possible(&spec));
    assert!(report.stray.is_empty());
    assert_eq!(trellis_trace::findings(&spec, &report, true), []);
    assert!(trellis_trace::findings::possible(&ws.seed(SPEC)));
}

#[test]
fn findings_can_be_shown_from_elsewhere() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.remove("crates/money/tests/requirements/core_3.rs");
    ws.write("crates/money/src/old.rs", "// CORE-4 is gone\n");
    let report = trace(&spec, ws.root()).expect("trace");
    let mut found = trellis_trace::findings(&spec, &report, false);
    trellis_trace::findings::relocate(&mut found, "ws/Trellis.toml", "ws/");
    let files: Vec<_> = found.iter().filter_map(|d| d.file.as_deref()).collect();
    assert_eq!(files, ["ws/Trellis.toml", "ws/crates/money/src/old.rs"]);
}

#[test]
fn styles_strip_away_and_every_markdown_row_has_every_column() {
    let ws = Workspace::new();
    let spec = ws.seed(SPEC);
    ws.remove("crates/money/tests/requirements/core_3.rs");
    ws.write("crates/web/src/main.rs", "// CORE-9 was renamed\nfn main() {}\n");
    ws.write("crates/web/tests/shop.rs", "#[test] // covers: LEDGER-1\nfn buys() {}\n");
    let report = trace(&spec, ws.root()).expect("trace");
    assert!(!human(&report).contains('\x1b'));
    let coloured = trellis_trace::format::human(&report);
    for code in ["\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"] {
        assert!(coloured.contains(code), "{code:?} missing in {coloured}");
    }
    let markdown = trellis_trace::format::markdown(&report);
    let mut columns = None;
    for line in markdown.lines() {
        if line.starts_with('|') {
            let n = line.matches(" |").count() + usize::from(line.ends_with("-|"));
            if line.starts_with("|:--") {
                continue;
            }
            if line.starts_with("| crate ")
                || line.starts_with("| requirement ")
                || line.starts_with("| id ")
            {
                columns = Some(n);
            }
            assert_eq!(Some(n), columns, "{line}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&trellis_trace::format::json(&report)).expect("json");
    assert_eq!(json["totals"]["lost"], 1);
    assert_eq!(json["stray"][0]["id"], "CORE-9");
}
