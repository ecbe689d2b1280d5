//! Backtests the forecasts on the synthetic history: 200 venues × 3 years by default.
//!
//! `cargo run --release -p skillbridge-forecast --example backtest_sim -- [venues] [seed] [first year]`
//!
//! Origins are the starts of the four quarters of the third year, each forecast 13
//! weeks ahead with only the history before it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forecast::synth::{SynthConfig, generate};
use forecast::{Benchmark, Config, Method, backtest};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let venues = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let seed = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let start_year = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(2022);
    let synth = SynthConfig::years(venues, start_year, 3, seed);
    let started = Instant::now();
    let series = generate(&synth);
    let generated = started.elapsed();
    let horizon = 13;
    let first = synth.start.plus(synth.weeks as i64 - 52);
    let origins: Vec<_> = (0..4).map(|q| first.plus(13 * q)).collect();
    let started = Instant::now();
    let report = backtest(&series, &origins, horizon, &Config::default()).expect("valid series");
    let elapsed = started.elapsed();
    println!(
        "{venues} venues × {} weeks from {}, seed {seed}; origins {}",
        synth.weeks,
        synth.start,
        origins
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "MASE {:.3} (mean over {} venue-origins with a scale), relative MAE vs seasonal naive {:.3}, 80% interval coverage {:.3} over {} weeks",
        report.mase,
        report.scores.iter().filter(|s| s.mase.is_some()).count(),
        report.relative_mae,
        report.coverage,
        report.points
    );
    // Sparse venues (mean utilisation under 0.15) against the rest.
    let utilisation = |id: i64| {
        let s = series
            .iter()
            .find(|s| s.venue.id == id)
            .expect("scored venue");
        let booked: f64 = s.history.iter().map(|o| o.booked_hours).sum();
        let available: f64 = s.history.iter().map(|o| o.available_hours).sum();
        booked / available
    };
    for (name, sparse) in [("sparse", true), ("regular", false)] {
        let s: Vec<_> = report
            .scores
            .iter()
            .filter(|s| (utilisation(s.venue) < 0.15) == sparse)
            .collect();
        if s.is_empty() {
            continue;
        }
        let m: Vec<f64> = s.iter().filter_map(|s| s.mase).collect();
        let cov = s.iter().map(|s| s.covered).sum::<usize>() as f64
            / s.iter().map(|s| s.points).sum::<usize>() as f64;
        let methods: Vec<_> = s.iter().map(|s| s.method).collect();
        let seasonal = methods
            .iter()
            .filter(|m| matches!(m, Method::Seasonal { .. }))
            .count();
        println!(
            "  {name}: {} venue-origins ({seasonal} seasonal model), MASE {:.3}, coverage {:.3}",
            s.len(),
            m.iter().sum::<f64>() / m.len() as f64,
            cov
        );
    }
    for origin in &origins {
        let s: Vec<_> = report
            .scores
            .iter()
            .filter(|s| s.origin == *origin)
            .collect();
        let m: Vec<f64> = s.iter().filter_map(|s| s.mase).collect();
        let cov = s.iter().map(|s| s.covered).sum::<usize>() as f64
            / s.iter().map(|s| s.points).sum::<usize>() as f64;
        println!(
            "  origin {origin}: MASE {:.3}, coverage {:.3}",
            m.iter().sum::<f64>() / m.len() as f64,
            cov
        );
    }
    let naive = report
        .scores
        .iter()
        .filter(|s| s.benchmark == Benchmark::Naive)
        .count();
    println!("  benchmark naive (history under a year) for {naive} venue-origins");
    println!(
        "generate {:.1} ms, backtest {:.1} ms ({} forecasts, {:.2} ms each)",
        generated.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3,
        report.scores.len(),
        elapsed.as_secs_f64() * 1e3 / report.scores.len() as f64
    );
}
