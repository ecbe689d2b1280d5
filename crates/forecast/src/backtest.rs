//! Rolling-origin backtests: forecast from several past weeks with only the history
//! before each, and compare with what was booked.
//!
//! Accuracy is MASE (Hyndman and Koehler 2006): the mean absolute error over the
//! horizon divided by the in-sample mean absolute error of the benchmark. The
//! benchmark is seasonal naive: the same ISO week a year earlier (week 53 uses week
//! 52 when the year before has none). When the history before an origin does not
//! reach a year back from every forecast week, the benchmark is naive (the last week
//! booked) instead, and the score says so. A venue-origin whose benchmark has no
//! in-sample error (a venue never booked, or booked identically every week) has no
//! MASE; it still counts towards coverage and the relative MAE.

use crate::{Config, Error, Method, Planned, Series, Week, forecast};

/// The benchmark a score is scaled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Benchmark {
    SeasonalNaive,
    Naive,
}

/// One venue forecast from one origin.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginScore {
    pub venue: i64,
    /// The first forecast week.
    pub origin: Week,
    pub method: Method,
    pub benchmark: Benchmark,
    /// Mean absolute error of the forecast and of the benchmark over the horizon.
    pub mae: f64,
    pub benchmark_mae: f64,
    pub mase: Option<f64>,
    /// Weeks whose booked hours fell inside the interval, of `points`.
    pub covered: usize,
    pub points: usize,
}

/// A backtest's totals and its scores.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestReport {
    /// Mean MASE over the venue-origins that have one.
    pub mase: f64,
    /// Total absolute error of the forecasts over that of the benchmark forecasts.
    pub relative_mae: f64,
    /// Share of forecast weeks inside their prediction interval.
    pub coverage: f64,
    pub points: usize,
    pub scores: Vec<OriginScore>,
}

/// Forecasts each series from each origin (the first week forecast) `horizon` weeks
/// ahead and scores it. Series without a week of history before an origin, or without
/// `horizon` weeks of history from it, are skipped for that origin.
pub fn backtest(
    series: &[Series],
    origins: &[Week],
    horizon: usize,
    config: &Config,
) -> Result<BacktestReport, Error> {
    let config = Config { horizon, ..*config };
    let mut scores = Vec::new();
    for s in series {
        let Some(first) = s.history.first() else {
            continue;
        };
        for &origin in origins {
            let cut = first.week.weeks_until(origin);
            if cut < 1 || cut as usize + horizon > s.history.len() {
                continue;
            }
            let cut = cut as usize;
            let (train, test) = s.history.split_at(cut);
            let test = &test[..horizon];
            let trial = Series {
                venue: s.venue.clone(),
                history: train.to_vec(),
                future: test
                    .iter()
                    .map(|o| Planned {
                        week: o.week,
                        working_days: o.working_days,
                        available_hours: o.available_hours,
                        known_hours: 0.0,
                    })
                    .collect(),
            };
            let f = forecast(&trial, &config)?;
            let y: Vec<f64> = train.iter().map(|o| o.booked_hours).collect();
            let year_ago = |week: Week| {
                let i = first.week.weeks_until(week.year_before());
                (i >= 0 && (i as usize) < cut).then_some(i as usize)
            };
            let seasonal = test.iter().all(|o| year_ago(o.week).is_some());
            let (benchmark, bench, scale_terms): (Benchmark, Vec<f64>, Vec<f64>) = if seasonal {
                (
                    Benchmark::SeasonalNaive,
                    test.iter()
                        .map(|o| y[year_ago(o.week).unwrap_or(0)])
                        .collect(),
                    train
                        .iter()
                        .enumerate()
                        .filter_map(|(t, o)| year_ago(o.week).map(|j| (y[t] - y[j]).abs()))
                        .collect(),
                )
            } else {
                (
                    Benchmark::Naive,
                    vec![y[cut - 1]; horizon],
                    y.windows(2).map(|w| (w[1] - w[0]).abs()).collect(),
                )
            };
            let mut mae = 0.0;
            let mut benchmark_mae = 0.0;
            let mut covered = 0;
            for ((o, w), b) in test.iter().zip(&f.weeks).zip(&bench) {
                mae += (o.booked_hours - w.hours).abs();
                benchmark_mae += (o.booked_hours - b).abs();
                if o.booked_hours >= w.lower - 1e-9 && o.booked_hours <= w.upper + 1e-9 {
                    covered += 1;
                }
            }
            mae /= horizon as f64;
            benchmark_mae /= horizon as f64;
            let scale = if scale_terms.is_empty() {
                0.0
            } else {
                scale_terms.iter().sum::<f64>() / scale_terms.len() as f64
            };
            scores.push(OriginScore {
                venue: s.venue.id,
                origin,
                method: f.method,
                benchmark,
                mae,
                benchmark_mae,
                mase: (scale > 1e-12).then(|| mae / scale),
                covered,
                points: horizon,
            });
        }
    }
    Ok(summarise(scores))
}

fn summarise(scores: Vec<OriginScore>) -> BacktestReport {
    let mases: Vec<f64> = scores.iter().filter_map(|s| s.mase).collect();
    let points: usize = scores.iter().map(|s| s.points).sum();
    let covered: usize = scores.iter().map(|s| s.covered).sum();
    let mae: f64 = scores.iter().map(|s| s.mae).sum();
    let bench: f64 = scores.iter().map(|s| s.benchmark_mae).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    BacktestReport {
        mase: ratio(mases.iter().sum(), mases.len() as f64),
        relative_mae: ratio(mae, bench),
        coverage: ratio(covered as f64, points as f64),
        points,
        scores,
    }
}
