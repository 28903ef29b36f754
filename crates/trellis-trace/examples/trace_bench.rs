//! Times `trace` against its baseline (walkdir listing the same files, reading each once) on a
//! synthetic workspace: `cargo run --release -p trellis-trace --example trace_bench -- 1000 10000 [RUNS [DIR]]`.
//!
//! A quick measurement for people, not a test: `cargo xtask bench` is where the project times it.

#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let crates = args.next().transpose()?.unwrap_or(1000);
    let requirements = args.next().transpose()?.unwrap_or(10_000);
    let runs = args.next().transpose()?.unwrap_or(7);
    // A fourth argument names a folder to keep the workspace in between runs.
    let kept = std::env::args().nth(4).map(std::path::PathBuf::from);
    let temp = tempfile::tempdir()?;
    let dir = kept.as_deref().unwrap_or(temp.path());
    let targets = if dir.join("Trellis.toml").exists() {
        trellis_trace::synth::targets(crates, requirements)
    } else {
        std::fs::create_dir_all(dir)?;
        trellis_trace::synth::write_workspace(dir, crates, requirements)?
    };
    // Warm the page cache for both, so that both time the same thing.
    trellis_trace::synth::read_baseline(dir)?;
    let mut base = Vec::new();
    let mut traced = Vec::new();
    let mut report = None;
    let (mut base_cpu, mut traced_cpu) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let (start, cpu) = (Instant::now(), cpu_time());
        let bytes = trellis_trace::synth::read_baseline(dir)?;
        base.push(start.elapsed());
        base_cpu.push(cpu_time().saturating_sub(cpu));
        std::hint::black_box(bytes);
        // Dropping the last report is not part of the trace.
        drop(report.take());
        let (start, cpu) = (Instant::now(), cpu_time());
        report = Some(trellis_trace::trace_targets(&targets, dir)?);
        traced.push(start.elapsed());
        traced_cpu.push(cpu_time().saturating_sub(cpu));
    }
    let report = report.ok_or("no runs")?;
    let (b, t) = (median(&mut base), median(&mut traced));
    println!("{crates} crates, {requirements} requirements, {} files", report.files);
    println!("totals: {:?}", report.totals());
    println!("baseline (walkdir + read): median {b:?} of {runs}");
    println!("trace:                     median {t:?} of {runs}");
    println!("ratio: {:.2} (wall)", t.as_secs_f64() / b.as_secs_f64());
    let (b, t) = (median(&mut base_cpu), median(&mut traced_cpu));
    if !b.is_zero() {
        // On a busy machine, time on the CPU says more than the wall clock.
        println!(
            "cpu: baseline {b:?}, trace {t:?}, ratio {:.2}",
            t.as_secs_f64() / b.as_secs_f64()
        );
    }
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Time this thread has spent on a CPU (Linux; zero elsewhere).
fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}
