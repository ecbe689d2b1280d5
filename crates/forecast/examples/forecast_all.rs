//! Times what the venue forecast page computes: every venue's forecast, the
//! kind-and-site group totals and the pre-booking proposals, for 200 venues × 3 years.
//!
//! `cargo run --release -p skillbridge-forecast --example forecast_all -- [venues] [runs]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forecast::synth::{SynthConfig, generate};
use forecast::{Config, DEFAULT_THRESHOLD, GroupBy, forecast_all, forecast_groups, proposals};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let venues = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    let runs: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let series = generate(&SynthConfig::years(venues, 2022, 3, 1));
    let config = Config::default();
    let mut venue_times = Vec::new();
    let mut page_times = Vec::new();
    let mut summary = (0, 0, 0);
    for _ in 0..runs {
        let started = Instant::now();
        let forecasts = forecast_all(&series, &config).expect("valid series");
        venue_times.push(started.elapsed());
        let groups = forecast_groups(&series, GroupBy::KindAndSite, &config).expect("valid");
        let proposed = proposals(&forecasts, DEFAULT_THRESHOLD);
        page_times.push(started.elapsed());
        summary = (forecasts.len(), groups.len(), proposed.len());
    }
    let median = |t: &mut Vec<Duration>| {
        t.sort();
        t[t.len() / 2].as_secs_f64() * 1e3
    };
    let max = |t: &[Duration]| t.iter().max().map_or(0.0, |d| d.as_secs_f64() * 1e3);
    println!(
        "{} venues × 13 weeks, {} kind-and-site groups, {} proposed pre-bookings",
        summary.0, summary.1, summary.2
    );
    println!(
        "forecast_all: median {:.1} ms, max {:.1} ms over {runs} runs",
        median(&mut venue_times.clone()),
        max(&venue_times)
    );
    println!(
        "forecast_all + forecast_groups + proposals: median {:.1} ms, max {:.1} ms",
        median(&mut page_times.clone()),
        max(&page_times)
    );
}
