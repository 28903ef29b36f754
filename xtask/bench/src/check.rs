//! The `check` benchmarks: `check` and its SARIF report on the 1,000-crate workspace,
//! `diff --base`, and `check` on workspaces shaped like real ones.

use std::path::Path;

use trellis::{anstream, trellis_spec, trellis_trace};

use crate::{
    Failure, Outcome, generate, median, metadata, print_pair, print_row, synthetic, timed, versus,
};

/// What `check` does: read the spec, run `cargo metadata --no-deps` once, compare, and trace the
/// requirements (the command's own code, all but the printing).
pub(crate) fn check(runs: usize, root: &Path) -> Outcome {
    let (baseline, time) = versus(runs, |_| metadata(root), |_| timed(|| checked_clean(root)))?;
    print_pair("check (target: within 1.2x)", baseline, time);
    // The report code scanning reads: the same check, written as SARIF.
    let sarif = |_| {
        timed(|| {
            let project = trellis::Project::at(root).shown_as("");
            let checked = trellis::check(&project, &trellis::CheckOptions::default())?;
            Ok(checked.render_as(trellis::trellis_check::report::Format::Sarif))
        })
    };
    let (baseline, time) = versus(runs, |_| metadata(root), sarif)?;
    print_pair("check --format sarif (target: within 1.2x)", baseline, time);
    diff(runs, root)
}

/// `diff --base HEAD` on the 1,000-crate workspace made a git repository whose commit is the
/// workspace as generated, and whose spec then gains a crate: the base written out through
/// git, both sides checked.
fn diff(runs: usize, root: &Path) -> Outcome {
    let git = |args: &[&str]| -> Outcome {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["-c", "user.name=Trellis bench", "-c", "user.email=bench@example.com"])
            .args(args)
            .output()
            .map_err(Failure::env)?;
        match output.status.success() {
            true => Ok(()),
            false => Err(Failure::env(format!(
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            ))),
        }
    };
    if !root.join(".git").exists() {
        git(&["init", "-q"])?;
    }
    git(&["add", "-A"])?;
    git(&["commit", "-q", "--allow-empty", "-m", "bench base"])?;
    let spec = root.join("Trellis.toml");
    let before = std::fs::read_to_string(&spec).map_err(Failure::env)?;
    let changed =
        format!("{before}\n[crates.bench-added]\nlayer = \"l3\"\ndepends = [\"c00001\"]\n");
    std::fs::write(&spec, changed).map_err(Failure::env)?;
    let project = trellis::Project::at(root).shown_as("");
    let options =
        trellis::DiffOptions { base: "HEAD".into(), check: trellis::CheckOptions::default() };
    let timing =
        versus(runs, |_| metadata(root), |_| timed(|| Ok(trellis::diff(&project, &options)?)));
    std::fs::write(&spec, before).map_err(Failure::env)?;
    let (baseline, time) = timing?;
    print_pair("diff --base HEAD, one crate added (target: within 3x)", baseline, time);
    Ok(())
}

/// `check` on the command's path, failing the benchmark on any finding: a workspace fresh from
/// `new` has none.
fn checked_clean(root: &Path) -> Result<Vec<trellis_spec::Diagnostic>, Failure> {
    let project = trellis::Project::at(root).shown_as("");
    let diagnostics = trellis::check(&project, &trellis::CheckOptions::default())?.diagnostics;
    match diagnostics.iter().find(|d| d.is_error()) {
        Some(d) => Err(Failure::env(format!(
            "check found drift in a workspace fresh from new: {}",
            d.message
        ))),
        None => Ok(diagnostics),
    }
}

/// Crates, files per crate and lines per file of the realistic `check` benchmark: 2,000 source
/// files, about what the large workspaces of issue 9 hold.
const REAL_CRATES: usize = 100;
const REAL_FILES: usize = 20;
const REAL_LINES: usize = 300;

/// `check` on workspaces shaped like real ones: 100 crates of 20 files of 300 lines each (beside
/// what `new` writes), once with no requirements (nothing to trace) and once with two a crate,
/// numbered under one prefix, the first covered by a marked test in the crate's first file.
pub(crate) fn check_sources(runs: usize, tmp: &Path) -> Outcome {
    anstream::println!(
        "\n{REAL_CRATES} crates of {REAL_FILES} files of {REAL_LINES} lines (and what `new` writes), \
         each beside `cargo metadata --no-deps` run alternately with it (target: within 1.2x)"
    );
    for requirements in [0, 2] {
        let text = synthetic::spec_numbered(REAL_CRATES, requirements);
        let root = tmp.join(format!("ws-real-{requirements}"));
        let spec = generate(&text, &root)?;
        for (i, krate) in spec.crates.iter().enumerate() {
            let covered = (requirements > 0).then(|| synthetic::numbered_id(i, requirements, 0));
            for f in 0..REAL_FILES {
                let covers = covered.as_deref().filter(|_| f == 0);
                let path = root.join(&krate.path).join(format!("src/part_{f:02}.rs"));
                let code = synthetic::source(i, f, REAL_LINES, covers);
                std::fs::write(&path, code).map_err(Failure::env)?;
            }
        }
        let (baseline, time) =
            versus(runs, |_| metadata(&root), |_| timed(|| checked_clean(&root)))?;
        let files = trellis_trace::trace(&spec, &root).map_err(Failure::env)?.files;
        let name = match requirements {
            0 => format!("check, no requirements, {files} files"),
            n => format!("check, {} requirements, {files} files", n * REAL_CRATES),
        };
        print_pair(&name, baseline, time);
        if requirements > 0 {
            // What `check` hides behind cargo: the trace on its own.
            let alone = median(
                runs,
                |_| (),
                |()| trellis_trace::trace(&spec, &root).map_err(Failure::env),
            )?;
            print_row("  the trace alone (check runs it beside cargo)", alone, "");
        }
    }
    Ok(())
}
