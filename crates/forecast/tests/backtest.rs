//! Backtests on the synthetic history: accuracy against seasonal naive and interval
//! coverage, on several seeds and calendars (2020 has 53 ISO weeks).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forecast::synth::{SynthConfig, generate, working_days};
use forecast::{Benchmark, Config, Method, Observed, Series, Venue, Week, backtest};

/// The four quarter starts of the last year of history.
fn last_year_quarters(synth: &SynthConfig) -> Vec<Week> {
    let first = synth.start.plus(synth.weeks as i64 - 52);
    (0..4).map(|q| first.plus(13 * q)).collect()
}

#[test]
fn beats_seasonal_naive_with_calibrated_intervals() {
    for (seed, year) in [(1, 2022), (2, 2020), (3, 2019)] {
        let synth = SynthConfig::years(100, year, 3, seed);
        let series = generate(&synth);
        let report =
            backtest(&series, &last_year_quarters(&synth), 13, &Config::default()).unwrap();
        println!(
            "seed {seed}, from {year}: MASE {:.3}, relative MAE {:.3}, coverage {:.3}",
            report.mase, report.relative_mae, report.coverage
        );
        assert_eq!(report.scores.len(), 400);
        assert!(
            report
                .scores
                .iter()
                .all(|s| s.benchmark == Benchmark::SeasonalNaive)
        );
        assert!(report.mase < 1.0, "seed {seed}: MASE {}", report.mase);
        assert!(
            report.relative_mae < 1.0,
            "seed {seed}: {}",
            report.relative_mae
        );
        assert!(
            (0.70..=0.90).contains(&report.coverage),
            "seed {seed}: coverage {}",
            report.coverage
        );
    }
}

#[test]
fn short_histories_are_scored_against_naive() {
    // 30 to 50 weeks of history before the origins: the level model, the naive benchmark.
    let synth = SynthConfig::years(60, 2023, 2, 4);
    let series = generate(&synth);
    let origins: Vec<Week> = [30, 40, 50].iter().map(|&t| synth.start.plus(t)).collect();
    let report = backtest(&series, &origins, 13, &Config::default()).unwrap();
    println!(
        "short: MASE {:.3}, relative MAE {:.3}, coverage {:.3}",
        report.mase, report.relative_mae, report.coverage
    );
    assert_eq!(report.scores.len(), 180);
    for s in &report.scores {
        assert_eq!(s.method, Method::Level);
        assert_eq!(s.benchmark, Benchmark::Naive);
        assert!(s.mae.is_finite() && s.covered <= s.points);
    }
    assert!(report.mase < 1.0, "MASE {}", report.mase);
    assert!(
        (0.6..=0.95).contains(&report.coverage),
        "coverage {}",
        report.coverage
    );
}

#[test]
fn an_exactly_forecastable_series_scores_zero() {
    // Utilisation 0.6 every week: booked hours move only with the working days, which
    // seasonal naive gets wrong when 春节 changes week (2023-W01 onwards) but not for
    // 国庆, always in early October (2023-W40 onwards); the model gets both right.
    let start = Week::new(2021, 1).unwrap();
    let history = (0..156)
        .map(|t| {
            let week = start.plus(t);
            let wd = working_days(week);
            Observed {
                week,
                booked_hours: 0.6 * 8.0 * f64::from(wd),
                working_days: wd,
                available_hours: 8.0 * f64::from(wd),
            }
        })
        .collect();
    let series = Series {
        venue: Venue {
            id: 1,
            kind: "classroom".into(),
            site: "HQ".into(),
            department_shares: Vec::new(),
        },
        history,
        future: Vec::new(),
    };
    let origins = [Week::new(2023, 1).unwrap(), Week::new(2023, 40).unwrap()];
    let report = backtest(&[series], &origins, 13, &Config::default()).unwrap();
    assert_eq!(report.scores.len(), 2);
    for s in &report.scores {
        assert!(s.mae < 1e-6, "{s:?}");
        assert!(s.mase.unwrap() < 1e-6);
        assert_eq!(s.covered, 13);
    }
    assert!(report.scores[0].benchmark_mae > 1.0);
    assert!(report.scores[1].benchmark_mae < 1e-9);
    assert!(report.relative_mae < 1e-6);
}
