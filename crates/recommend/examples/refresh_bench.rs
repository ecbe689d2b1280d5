//! Nightly full refresh on a simulated company: fit the model, then rank `k`
//! resources for everyone on `threads` threads. Prints the time of each step and
//! the process's peak resident memory (VmHWM).
//!
//! `cargo run --release -p skillbridge-recommend --example refresh_bench -- [--people N]
//! [--resources N] [--completions C] [--k K] [--threads T] [--seed S]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use recommend::sim::{SimConfig, generate};
use recommend::{Model, Weights, refresh_all};

struct Args {
    people: usize,
    resources: usize,
    completions: f64,
    k: usize,
    threads: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        people: 100_000,
        resources: 50_000,
        completions: 12.0,
        k: 10,
        threads: 2,
        seed: 1,
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let value = iter.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag}: {e}");
        match flag.as_str() {
            "--people" => args.people = value.parse().map_err(|e| bad(&e))?,
            "--resources" => args.resources = value.parse().map_err(|e| bad(&e))?,
            "--completions" => args.completions = value.parse().map_err(|e| bad(&e))?,
            "--k" => args.k = value.parse().map_err(|e| bad(&e))?,
            "--threads" => args.threads = value.parse().map_err(|e| bad(&e))?,
            "--seed" => args.seed = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    Ok(args)
}

/// A field of /proc/self/status in MiB (Linux only; 0 elsewhere).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let config = SimConfig {
        people: args.people,
        resources: args.resources,
        seed: args.seed,
        completions_per_person: args.completions,
        ..SimConfig::default()
    };
    let t = Instant::now();
    let company = generate(&config);
    let completions = company
        .interactions
        .events
        .iter()
        .filter(|e| e.kind == recommend::EventKind::Completed)
        .count();
    println!(
        "generated {} people, {} resources, {} events ({} completions) in {:.1} s; RSS {:.0} MiB",
        company.profiles_at_end.len(),
        company.catalog.len(),
        company.interactions.events.len(),
        completions,
        t.elapsed().as_secs_f64(),
        status_mib("VmRSS:")
    );
    let before = status_mib("VmHWM:");

    let start = Instant::now();
    let model = Model::fit(
        &company.catalog,
        &company.interactions,
        &company.people,
        config.days,
        &Weights::default(),
    );
    let fit = start.elapsed().as_secs_f64();
    let t = Instant::now();
    let all = refresh_all(&model, &company.profiles_at_end, args.k, args.threads);
    let rank = t.elapsed().as_secs_f64();
    let total = start.elapsed().as_secs_f64();
    let recommendations: usize = all.iter().map(Vec::len).sum();
    println!(
        "fit {fit:.1} s, rank {rank:.1} s ({} threads, {recommendations} recommendations, {:.1} µs per person), refresh total {total:.1} s",
        args.threads,
        rank * 1e6 * args.threads as f64 / all.len().max(1) as f64
    );
    println!(
        "peak RSS (VmHWM) {:.0} MiB; {:.0} MiB at the end of generation",
        status_mib("VmHWM:"),
        before
    );
}
