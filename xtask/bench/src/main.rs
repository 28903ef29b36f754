//! `cargo xtask bench`: the speed targets of the issues, measured on synthetic workspaces.
//!
//! Each measurement runs several times and reports the median, beside a baseline that does the
//! least work the same job must do (a plain write of the same files, one `cargo metadata`, one
//! read of every file). Benchmarks run in release mode: a debug build re-runs itself with
//! `cargo run --release`.

//! `cargo xtask bench`: the speed targets of the issues, measured on synthetic workspaces.
//!
//! Each measurement runs several times and reports the median, beside a baseline that does the
//! least work the same job must do (a plain write of the same files, one `cargo metadata`, one
//! read of every file). Benchmarks run in release mode: `cargo xtask bench` (whose `--help`
//! says the options) builds and runs this binary with `cargo run --release`, with the
//! benchmarks to run by name and `--runs N`. A package of its own, so that what only the
//! benchmarks need stays out of the command line people install.

mod check;
mod synthetic;

use std::fmt::Display;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use trellis::trellis_check;
use trellis::trellis_render;
use trellis::trellis_spec;
use trellis::trellis_sync;
use trellis::trellis_trace;
use trellis::{ErrorKind, Exit, anstream};

/// Why a benchmark could not run: the engine's error, or the environment's.
#[derive(Debug)]
struct Failure(trellis::Error);

impl Failure {
    /// An environment failure with a message.
    fn env(message: impl Display) -> Failure {
        Failure(trellis::Error::new(ErrorKind::Environment, message.to_string()))
    }
}

impl From<trellis::Error> for Failure {
    fn from(e: trellis::Error) -> Failure {
        Failure(e)
    }
}

type Outcome = Result<(), Failure>;

/// The benchmarks, by the names `cargo xtask bench` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bench {
    Render,
    New,
    Apply,
    Check,
    Trace,
    Diagnostics,
}

impl Bench {
    fn named(name: &str) -> Option<Bench> {
        Some(match name {
            "render" => Bench::Render,
            "new" => Bench::New,
            "apply" => Bench::Apply,
            "check" => Bench::Check,
            "trace" => Bench::Trace,
            "diagnostics" => Bench::Diagnostics,
            _ => return None,
        })
    }
}

/// What `cargo xtask bench` asked: the benchmarks (all when none is named), and how many times
/// each measurement runs.
struct Args {
    only: Vec<Bench>,
    runs: usize,
}

impl Args {
    /// `[NAME]... [--runs N]`, as `cargo xtask bench` passes them, having checked them.
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args { only: Vec::new(), runs: 5 };
        while let Some(arg) = args.next() {
            if arg == "--runs" {
                let n = args.next().and_then(|n| n.parse().ok());
                parsed.runs = n.ok_or("`--runs` takes a number")?;
            } else {
                let bench = Bench::named(&arg).ok_or_else(|| {
                    format!("no benchmark `{arg}`; run them with `cargo xtask bench`")
                })?;
                parsed.only.push(bench);
            }
        }
        Ok(parsed)
    }
}

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            anstream::eprintln!("error: {message}");
            return Exit::Failed(ErrorKind::Input).into();
        }
    };
    match run(&args) {
        Ok(()) => Exit::Success.into(),
        Err(Failure(error)) => {
            anstream::eprint!("{}", error.render_diagnostics());
            anstream::eprintln!("error: {error}");
            Exit::Failed(error.kind()).into()
        }
    }
}

/// This repository's root: this package lives at `<root>/xtask/bench`.
fn repo_root() -> std::path::PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

fn run(args: &Args) -> Outcome {
    let all = args.only.is_empty();
    let runs = args.runs.max(1);
    let tmp = tempfile_dir()?;
    if all || args.only.contains(&Bench::Render) {
        render(runs)?;
    }
    if all || args.only.contains(&Bench::New) {
        new(runs, &tmp)?;
    }
    let wanted = |b| all || args.only.contains(&b);
    if wanted(Bench::Apply) || wanted(Bench::Check) {
        let text = synthetic::spec(1_000, 2);
        let root = tmp.join("ws-1000");
        generate(&text, &root)?;
        anstream::println!(
            "\n1,000 crates, each beside `cargo metadata --no-deps` run alternately with it"
        );
        if wanted(Bench::Apply) {
            apply(runs, &text, &root)?;
            adopted(runs, &text, &root, &tmp.join("ws-1000-adopted"))?;
        }
        if wanted(Bench::Check) {
            check::check(runs, &root)?;
        }
    }
    if wanted(Bench::Check) {
        check::check_sources(runs, &tmp)?;
    }
    if wanted(Bench::Trace) {
        trace(runs, &tmp)?;
    }
    if wanted(Bench::Diagnostics) {
        diagnostics(runs)?;
    }
    Ok(())
}

/// A spec with one error a crate (each depends on a crate that does not exist), parsed,
/// validated and every diagnostic rendered as the command line prints it: linear in the
/// number of errors (target of issue 10).
fn diagnostics(runs: usize) -> Outcome {
    anstream::println!(
        "
specs with one error a crate: parse, validate, render every diagnostic"
    );
    for errors in [16_000, 100_000] {
        let mut text = String::from("[workspace]\nname = \"errors\"\n");
        for i in 0..errors {
            text.push_str(&format!("\n[crates.c{i}]\ndepends = [\"gone{i}\"]\n"));
        }
        let time = median(
            runs,
            |_| (),
            |()| {
                let found = trellis_spec::parse(&text, "Trellis.toml").err().unwrap_or_default();
                let source = trellis_spec::Source::new(&text);
                let rendered: usize = found.iter().map(|d| d.render_in(Some(&source)).len()).sum();
                Ok((found.len(), rendered))
            },
        )?;
        let each = time.as_secs_f64() * 1e6 / errors as f64;
        print_row(&format!("{errors} errors"), time, &format!("{each:.1} µs an error"));
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf, Failure> {
    let dir = repo_root().join("target/bench");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|_| Failure::env("cannot clear target/bench"))?;
    }
    std::fs::create_dir_all(&dir).map_err(|_| Failure::env("cannot create target/bench"))?;
    Ok(dir)
}

/// The median of `runs` timings of `f`; `setup` runs before each, untimed.
fn median<S, T>(
    runs: usize,
    mut setup: impl FnMut(usize) -> S,
    mut f: impl FnMut(S) -> Result<T, Failure>,
) -> Result<Duration, Failure> {
    let mut times = Vec::with_capacity(runs);
    for run in 0..runs {
        let input = setup(run);
        let start = Instant::now();
        let out = f(input)?;
        times.push(start.elapsed());
        drop(out);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The medians of `runs` timings each of a baseline and a subject, run alternately so that both
/// meet the same machine: timing all of one and then all of the other lets a change in the page
/// cache or in other load between the two land on one side only. Each side times itself with
/// [`timed`], so that what it prepares first is not counted.
fn versus(
    runs: usize,
    mut baseline: impl FnMut(usize) -> Result<Duration, Failure>,
    mut subject: impl FnMut(usize) -> Result<Duration, Failure>,
) -> Result<(Duration, Duration), Failure> {
    let mut base = Vec::with_capacity(runs);
    let mut sub = Vec::with_capacity(runs);
    for run in 0..runs {
        base.push(baseline(run)?);
        sub.push(subject(run)?);
    }
    base.sort();
    sub.sort();
    Ok((base[runs / 2], sub[runs / 2]))
}

/// How long `f` takes; what it returns is dropped after the clock stops.
fn timed<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<Duration, Failure> {
    let start = Instant::now();
    let out = f()?;
    let elapsed = start.elapsed();
    drop(out);
    Ok(elapsed)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_row(name: &str, value: Duration, note: &str) {
    anstream::println!("{name:<48} {:>10.1} ms  {note}", ms(value));
}

fn render(runs: usize) -> Outcome {
    anstream::println!(
        "\nparse + validate + render (target: render of 1,000 crates under 100 ms, linear to 10,000)"
    );
    for crates in [100, 1_000, 10_000] {
        let text = synthetic::spec(crates, 2);
        let parse = median(
            runs,
            |_| (),
            |()| trellis_spec::parse(&text, "Trellis.toml").map_err(|_| invalid_synthetic()),
        )?;
        let spec =
            trellis_spec::parse(&text, "Trellis.toml").map_err(|_| invalid_synthetic())?.spec;
        let templates = trellis_render::Templates::embedded();
        let render = median(
            runs,
            |_| (),
            |()| trellis_render::render(&spec, &text, &templates).map_err(Failure::env),
        )?;
        let both = parse + render;
        let each = ms(both) * 1000.0 / crates as f64;
        print_row(
            &format!("{crates} crates"),
            both,
            &format!(
                "{each:.0} µs per crate (parse {:.1} ms, render {:.1} ms)",
                ms(parse),
                ms(render)
            ),
        );
    }
    Ok(())
}

fn new(runs: usize, tmp: &Path) -> Outcome {
    anstream::println!(
        "\nnew at 1,000 crates (target: within 2x of a plain write of the same files + cargo metadata)"
    );
    let text = synthetic::spec(1_000, 2);
    let parsed = trellis_spec::parse(&text, "Trellis.toml").map_err(|_| invalid_synthetic())?;
    let templates = trellis_render::Templates::embedded();
    let files = trellis_render::render(&parsed.spec, &text, &templates).map_err(Failure::env)?;
    let cargo = trellis_check::Cargo::from_env();

    let write_plain = |dir: &Path| -> Result<(), Failure> {
        for file in &files {
            let path = dir.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(Failure::env)?;
            }
            std::fs::write(&path, &file.contents).map_err(Failure::env)?;
        }
        Ok(())
    };
    let (baseline, new) = versus(
        runs,
        |run| {
            let dir = tmp.join(format!("plain-{run}"));
            timed(|| {
                write_plain(&dir)?;
                trellis_check::read_metadata(&dir, &cargo).map_err(Failure::env)
            })
        },
        |run| {
            let dir = tmp.join(format!("new-{run}"));
            timed(|| {
                let parsed =
                    trellis_spec::parse(&text, "Trellis.toml").map_err(|_| invalid_synthetic())?;
                let files = trellis_render::render(&parsed.spec, &text, &templates)
                    .map_err(Failure::env)?;
                trellis_sync::create(&dir, &files).map_err(Failure::env)?;
                let metadata = trellis_check::read_metadata(&dir, &cargo).map_err(Failure::env)?;
                Ok(trellis_check::check_metadata(
                    &parsed.spec,
                    &text,
                    &metadata,
                    Default::default(),
                ))
            })
        },
    )?;
    print_row(
        "plain write + cargo metadata --no-deps",
        baseline,
        &format!("{} files", files.len()),
    );
    print_row("new (parse, render, write, verify)", new, &ratio(new, baseline));
    Ok(())
}

/// Writes the workspace of a spec to `root`, as `new` would.
fn generate(text: &str, root: &Path) -> Result<trellis_spec::Spec, Failure> {
    let parsed = trellis_spec::parse(text, "Trellis.toml").map_err(|_| invalid_synthetic())?;
    let templates = trellis_render::Templates::embedded();
    let files = trellis_render::render(&parsed.spec, text, &templates).map_err(Failure::env)?;
    trellis_sync::create(root, &files).map_err(Failure::env)?;
    Ok(parsed.spec)
}

/// One timing of the baseline of `apply`, `plan` and `check`: `cargo metadata --no-deps`.
fn metadata(root: &Path) -> Result<Duration, Failure> {
    let cargo = trellis_check::Cargo::from_env();
    timed(|| trellis_check::read_metadata(root, &cargo).map_err(Failure::env))
}

/// A subject beside its baseline, `cargo metadata --no-deps`, with the ratio.
fn print_pair(name: &str, baseline: Duration, subject: Duration) {
    print_pair_with(name, baseline, subject, "cargo metadata");
}

/// A subject beside the baseline named `what`, with the ratio.
fn print_pair_with(name: &str, baseline: Duration, subject: Duration, what: &str) {
    print_row(
        name,
        subject,
        &format!("{} ({what}: {:.1} ms)", ratio(subject, baseline), ms(baseline)),
    );
}

/// `apply` and `plan` as the commands run them (the engine's calls: the spec read, rendered,
/// planned against disk and ledger, cargo's facts read where a merge needs them, and cargo's
/// judgement of whatever the plan would write).
///
/// A no-op `apply` asks cargo nothing, so its baseline is `cargo metadata --no-deps`. A `plan`
/// of one added crate asks cargo once, with dependencies, offline (the workspace has a lock
/// file): its baseline is that same question, `cargo metadata` with dependencies.
fn apply(runs: usize, text: &str, root: &Path) -> Outcome {
    let project = trellis::Project::at(root);
    let (baseline, noop) = versus(
        runs,
        |_| metadata(root),
        |_| {
            timed(|| {
                let applied = trellis::apply(&project, &trellis::ApplyOptions::default())
                    .map_err(Failure::env)?;
                match applied.report.written() {
                    0 => Ok(applied),
                    n => Err(Failure::env(format!("a no-op apply wrote {n} files"))),
                }
            })
        },
    )?;
    print_pair("apply, nothing to do (target: below 0.5x)", baseline, noop);
    // What `.trellis/` holds: the files committed with the project, and this machine's copy.
    let size = |path: &str| std::fs::metadata(root.join(path)).map_or(0, |m| m.len());
    let committed: u64 = [
        ".trellis/ledger.toml",
        ".trellis/trellis.schema.json",
        ".trellis/.gitignore",
        ".trellis/.gitattributes",
    ]
    .into_iter()
    .map(size)
    .sum();
    anstream::println!(
        "{:<52} {:>6.1} KB committed (target: at most 100 KB; the ledger {:.1} KB), {:.1} KB git-ignored copy",
        ".trellis/",
        committed as f64 / 1024.0,
        size(".trellis/ledger.toml") as f64 / 1024.0,
        size(".trellis/applied.toml") as f64 / 1024.0,
    );

    // The spec with one crate more, beside the workspace; the lock file the judge resolves by.
    let added = root.with_extension("added.toml");
    let spec = format!("{text}\n[crates.added]\nlayer = \"l3\"\ndepends = [\"c00001\"]\n");
    std::fs::write(&added, spec).map_err(|_| Failure::env("cannot write the spec"))?;
    resolved(root)?;
    let changed = trellis::Project::at(root).with_spec(&added);
    let (baseline, plan) = versus(
        runs,
        |_| resolved(root),
        |_| {
            timed(|| {
                let planned = trellis::plan(&changed, &trellis::PlanOptions::default())
                    .map_err(Failure::env)?;
                match planned.judged.level {
                    Some(_) if planned.judged.refusal.is_none() => Ok(planned),
                    _ => Err(Failure::env("cargo did not judge the plan, or refused it")),
                }
            })
        },
    )?;
    print_pair_with(
        "plan of one added crate, judged (target: within 1.2x)",
        baseline,
        plan,
        "cargo metadata with dependencies",
    );
    Ok(())
}

/// One timing of `cargo metadata` with dependencies, offline: the question the judge asks.
fn resolved(root: &Path) -> Result<Duration, Failure> {
    let cargo = trellis_check::Cargo::from_env();
    timed(|| {
        let output = Command::new(&cargo.program)
            .args(["metadata", "--format-version", "1", "--offline"])
            .current_dir(root)
            .stdout(std::process::Stdio::null())
            .output()
            .map_err(|_| Failure::env("cannot run cargo"))?;
        match output.status.success() {
            true => Ok(()),
            false => Err(Failure::env(format!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ))),
        }
    })
}

/// `apply` on an adopted workspace: the generated one with its ledger gone, so every file is
/// the person's. Adopting merges every manifest's facts (and writes only the ledger); the
/// no-op `apply` after it is measured like the one on a generated workspace.
fn adopted(runs: usize, text: &str, generated: &Path, root: &Path) -> Outcome {
    let templates = trellis_render::Templates::embedded();
    let parsed = trellis_spec::parse(text, "Trellis.toml").map_err(|_| invalid_synthetic())?;
    let files = trellis_render::render(&parsed.spec, text, &templates).map_err(Failure::env)?;
    let fresh = |root: &Path| -> Outcome {
        let _ = std::fs::remove_dir_all(root);
        let copy = Command::new("cp")
            .arg("-r")
            .arg(generated)
            .arg(root)
            .status()
            .map_err(|_| Failure::env("cannot copy the workspace"))?;
        if !copy.success() {
            return Err(Failure::env("cp -r failed"));
        }
        // Adopted: no ledger. (The spec's schema beside it is a file like any other.)
        std::fs::remove_file(root.join(".trellis/ledger.toml")).map_err(Failure::env)
    };
    let apply = |root: &Path| {
        trellis_sync::apply(root, &files, &trellis_sync::ApplyOptions::default())
            .map_err(Failure::env)
    };
    let (baseline, adopting) = versus(
        runs,
        |_| metadata(generated),
        |_| {
            fresh(root)?;
            timed(|| {
                let report = apply(root)?;
                match report.written() {
                    0 => Ok(report),
                    n => Err(Failure::env(format!("adopting wrote {n} files"))),
                }
            })
        },
    )?;
    print_pair("apply adopting it (every manifest merged)", baseline, adopting);
    let (baseline, noop) = versus(
        runs,
        |_| metadata(root),
        |_| {
            timed(|| {
                let report = apply(root)?;
                match report.written() {
                    0 => Ok(report),
                    n => Err(Failure::env(format!("a no-op apply wrote {n} files"))),
                }
            })
        },
    )?;
    print_pair("apply on it, nothing to do (target: within 1.2x)", baseline, noop);
    Ok(())
}

/// `trace` against the least any scanner must do: walk the same folders and read every file once.
fn trace(runs: usize, tmp: &Path) -> Outcome {
    let text = synthetic::spec(1_000, 10);
    let root = tmp.join("ws-trace");
    let spec = generate(&text, &root)?;
    let walk_and_read = || -> Result<usize, Failure> {
        let mut bytes = 0;
        for krate in &spec.crates {
            for entry in walkdir::WalkDir::new(root.join(&krate.path)) {
                let entry = entry.map_err(Failure::env)?;
                if entry.file_type().is_file() {
                    bytes += std::fs::read(entry.path()).map_err(Failure::env)?.len();
                }
            }
        }
        Ok(bytes)
    };
    let (baseline, time) = versus(
        runs,
        |_| timed(walk_and_read),
        |_| timed(|| trellis_trace::trace(&spec, &root).map_err(Failure::env)),
    )?;
    anstream::println!("\n1,000 crates, 10,000 requirements");
    print_row("walkdir + read every file once (the baseline)", baseline, "");
    print_row("trace (target: within 1.5x)", time, &ratio(time, baseline));

    // Every test made real, and a `cargo test` run's output in which each passed: reading the
    // results and matching them to the tests is part of the time.
    let output = made_real_and_passed(&spec, &root)?;
    let with_results = || -> Result<trellis_trace::TraceReport, Failure> {
        let results = trellis_trace::TestResults::from_libtest(&output);
        let none = std::collections::BTreeMap::new();
        let inputs = trellis_trace::TraceInputs { results: Some(&results), affirmed: &none };
        trellis_trace::trace_with(&spec, &root, &inputs).map_err(Failure::env)
    };
    let report = with_results()?;
    if report.totals().passing != report.totals().requirements {
        return Err(Failure::env(format!(
            "not every requirement passed with every test passing: {:?}",
            report.totals()
        )));
    }
    let (baseline, time) = versus(runs, |_| timed(walk_and_read), |_| timed(with_results))?;
    anstream::println!("\nthe same, each test made real, with a `cargo test` run's 10,000 results");
    print_row("walkdir + read every file once (the baseline)", baseline, "");
    print_row("trace with results (target: within 1.5x)", time, &ratio(time, baseline));
    Ok(())
}

/// Takes the pending `#[ignore]` off every requirement's test, and writes what `cargo test`
/// prints when each of them passes: a `Running` line per crate's test binary, then a line per
/// test.
fn made_real_and_passed(spec: &trellis_spec::Spec, root: &Path) -> Result<String, Failure> {
    let mut output = String::new();
    for krate in &spec.crates {
        if krate.requirements.is_empty() {
            continue;
        }
        output.push_str(&format!(
            "     Running tests/requirements/main.rs (target/debug/deps/requirements-{:016x})\n\nrunning {} tests\n",
            output.len(),
            krate.requirements.len()
        ));
        for r in &krate.requirements {
            let name = r.test_name();
            let file = root.join(&krate.path).join(format!("tests/requirements/{name}.rs"));
            let text = std::fs::read_to_string(&file).map_err(Failure::env)?;
            let real = text.replace(&format!("#[ignore = \"pending: {}\"]\n", r.id), "");
            std::fs::write(&file, real).map_err(Failure::env)?;
            output.push_str(&format!("test {name}::{name} ... ok\n"));
        }
        output.push_str("\ntest result: ok.\n\n");
    }
    Ok(output)
}

fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}x the baseline", a.as_secs_f64() / b.as_secs_f64())
}

fn invalid_synthetic() -> Failure {
    Failure::env("the synthetic spec does not validate; this is a bug in the benchmark")
}
