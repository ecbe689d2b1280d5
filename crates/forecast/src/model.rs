//! The forecasting method.
//!
//! A venue's week `t` has booked hours `y`, available hours `a` (its daily hours ×
//! the working days of the working calendar) and working days `d`. The model works on
//! utilisation `u = y / a`, so a holiday week with three working days is expected to
//! book three fifths of a normal week before anything is estimated, and fits
//!
//! ```text
//! u(t) = b0 + g·(5 − d)/5 + Σ_{k=1..K} [s_k sin(2πk·φ(t)) + c_k cos(2πk·φ(t))] + ℓ(t) + e(t)
//! ```
//!
//! by least squares weighted by `a`, where `φ(t)` is the position of the week's
//! Thursday in the mean solar year (so 52- and 53-week years share one cycle), `g`
//! lets short weeks be busier or quieter per available hour than their length says
//! (people also take leave around 春节 and 国庆), and `ℓ` is a local level: simple
//! exponential smoothing of the regression's residuals, with the smoothing weight
//! chosen from a grid by one-step squared error, so level shifts of a venue carry into
//! the forecast. `K` is chosen by AICc from 1–6 (1–3 with less than two years of
//! history). The forecast is `max(0, a·û)` and never below the known load.
//!
//! Fallbacks by the number of weeks with available hours ("usable" weeks):
//! - none: [`Method::Empty`], forecasts the known load, interval up to the available hours;
//! - fewer than 8: [`Method::Mean`], the weighted mean utilisation;
//! - fewer than 52 weeks of history (or fewer than 40 usable): [`Method::Level`], the
//!   model above without the yearly terms.
//!
//! Prediction intervals come from empirical quantiles of past forecast errors at each
//! horizon. An error of utilisation is divided by a spread, `(û + 0.2·ū) / √(d/5)` for
//! the forecast `û`, the history's mean utilisation `ū` and the week's working days
//! `d`, because errors grow with the level (busy spring and autumn weeks vary more in
//! hours than quiet summer ones) and, per available hour, in short weeks. The bounds
//! are the forecast plus those quantiles times the target week's spread, times its
//! available hours (so a closed week has none). The quantiles are the order statistics
//! split-conformal prediction uses (the ⌈(n+1)·0.9⌉-th of `n` for the upper bound of an
//! 80% interval), which widens them a little for small samples. The errors:
//! - the seasonal model refits its coefficients every 13 weeks on the history before
//!   that point (over at most the last 78 weeks) and collects the errors of forecasts
//!   made from each week after it, using only data before that week; it does so when
//!   that gives at least 20 errors at the longest horizon (about 85 weeks of history);
//! - otherwise the errors are in-sample (coefficients fitted on all the history, level
//!   filtered up to each origin), widened by `sqrt(n / (n − p))` for the `p`
//!   coefficients fitted on `n` weeks;
//! - a horizon with fewer than 10 errors uses all horizons' errors pooled.

use crate::linalg::Normal;
use crate::{
    Config, Error, NOMINAL_WORKING_DAYS, Observed, Planned, Series, VenueForecast, Week,
    WeekForecast,
};
use std::f64::consts::TAU;

/// Which model a forecast used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// No week with available hours: the known load, interval up to the available hours.
    Empty,
    /// Fewer than 8 usable weeks: mean utilisation.
    Mean,
    /// Less than a year: short-week effect and local level, no yearly seasonality.
    Level,
    /// A year or more: yearly Fourier terms with `harmonics` sine/cosine pairs,
    /// short-week effect and local level.
    Seasonal { harmonics: u8 },
}

pub(crate) const MIN_LEVEL_WEEKS: usize = 8;
pub(crate) const MIN_SEASONAL_WEEKS: usize = 52;
const MIN_SEASONAL_USABLE: usize = 40;
const MAX_HARMONICS_SHORT: usize = 3;
const MAX_HARMONICS: usize = 6;
const REFIT_EVERY: usize = 13;
const ROLLING_SPAN: usize = 78;
/// The error spread's floor, as a share of the history's mean utilisation.
const SPREAD_FLOOR: f64 = 0.2;

const MIN_ROLLING_ERRORS: usize = 20;
const MIN_HORIZON_ERRORS: usize = 10;
const ALPHAS: [f64; 11] = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7];

/// One week as the model sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// `sin(2πkφ)` and `cos(2πkφ)` for `k = 1..=MAX_HARMONICS`, computed once.
    harmonics: [(f64, f64); MAX_HARMONICS],
    short: f64,
    avail: f64,
    /// Utilisation; meaningless when `avail` is zero.
    u: f64,
}

impl Row {
    fn new(week: Week, working_days: u8, avail: f64, booked: f64) -> Row {
        let nominal = f64::from(NOMINAL_WORKING_DAYS);
        let phase = week.year_phase();
        Row {
            harmonics: std::array::from_fn(|k| (TAU * (k + 1) as f64 * phase).sin_cos()),
            short: (nominal - f64::from(working_days)) / nominal,
            avail,
            u: if avail > 0.0 { booked / avail } else { 0.0 },
        }
    }

    fn usable(&self) -> bool {
        self.avail > 0.0
    }

    pub(crate) fn observed(o: &Observed) -> Row {
        Row::new(o.week, o.working_days, o.available_hours, o.booked_hours)
    }

    fn planned(p: &Planned) -> Row {
        Row::new(p.week, p.working_days, p.available_hours, 0.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Spec {
    harmonics: usize,
    short: bool,
}

impl Spec {
    fn p(self) -> usize {
        1 + usize::from(self.short) + 2 * self.harmonics
    }

    fn x(self, row: &Row, out: &mut Vec<f64>) {
        out.clear();
        out.push(1.0);
        if self.short {
            out.push(row.short);
        }
        for &(sin, cos) in &row.harmonics[..self.harmonics] {
            out.push(sin);
            out.push(cos);
        }
    }
}

struct Coefficients {
    beta: Vec<f64>,
    /// Weighted residual sum of squares and the number of usable weeks.
    wrss: f64,
    n: usize,
}

fn fitted(spec: Spec, beta: &[f64], row: &Row, x: &mut Vec<f64>) -> f64 {
    spec.x(row, x);
    x.iter().zip(beta).map(|(a, b)| a * b).sum()
}

/// Weights proportional to available hours, scaled to average 1 over `rows`.
fn weight_scale(rows: &[Row]) -> f64 {
    let (sum, n) = rows
        .iter()
        .filter(|r| r.usable())
        .fold((0.0, 0usize), |(s, n), r| (s + r.avail, n + 1));
    if sum > 0.0 { n as f64 / sum } else { 0.0 }
}

fn fit_coefficients(rows: &[Row], spec: Spec) -> Option<Coefficients> {
    let scale = weight_scale(rows);
    let mut normal = Normal::new(spec.p());
    let mut x = Vec::with_capacity(spec.p());
    let mut n = 0;
    for row in rows.iter().filter(|r| r.usable()) {
        spec.x(row, &mut x);
        normal.add(&x, row.u, row.avail * scale);
        n += 1;
    }
    let beta = normal.solve(1e-9 * n as f64)?;
    let wrss = rows
        .iter()
        .filter(|r| r.usable())
        .map(|r| {
            let e = r.u - fitted(spec, &beta, r, &mut x);
            r.avail * scale * e * e
        })
        .sum();
    Some(Coefficients { beta, wrss, n })
}

fn aicc(c: &Coefficients, p: usize) -> f64 {
    let n = c.n as f64;
    let p = p as f64;
    if n - p - 1.0 <= 0.0 {
        return f64::INFINITY;
    }
    let rss = c.wrss.max(1e-12 * n);
    n * (rss / n).ln() + 2.0 * p + 2.0 * p * (p + 1.0) / (n - p - 1.0)
}

/// A fitted model.
struct Fit {
    method: Method,
    spec: Spec,
    beta: Vec<f64>,
    alpha: f64,
    /// The local level after the last week.
    level: f64,
    /// Utilisation added to a forecast before it scales the errors.
    kappa: f64,
}

impl Fit {
    /// The spread forecast errors are measured in: proportional to the forecast plus
    /// `kappa`, and to one over the square root of the week's working days.
    fn spread(&self, forecast: f64, row: &Row) -> f64 {
        let days = (1.0 - row.short).max(0.2);
        (forecast.max(0.0) + self.kappa) / days.sqrt()
    }
}

/// The smoothing weight with the least weighted one-step squared error on the
/// residuals `(residual, weight)`.
fn choose_alpha(resid: &[(f64, f64)]) -> f64 {
    let skip = (resid.len() / 4).min(4);
    let mut best = (f64::INFINITY, 0.0);
    for alpha in ALPHAS {
        let mut level = 0.0;
        let mut sse = 0.0;
        for (i, &(r, w)) in resid.iter().enumerate() {
            let e = r - level;
            if i >= skip {
                sse += w * e * e;
            }
            level += alpha * e;
        }
        if sse < best.0 - 1e-12 {
            best = (sse, alpha);
        }
    }
    best.1
}

fn fit(rows: &[Row]) -> Option<Fit> {
    let usable = rows.iter().filter(|r| r.usable()).count();
    if usable == 0 {
        return None;
    }
    let short_weeks = rows.iter().filter(|r| r.usable() && r.short != 0.0).count();
    let short = usable >= MIN_LEVEL_WEEKS && short_weeks >= 3 && usable - short_weeks >= 3;
    let (method, spec, coefficients) = if usable < MIN_LEVEL_WEEKS {
        let spec = Spec {
            harmonics: 0,
            short: false,
        };
        (Method::Mean, spec, fit_coefficients(rows, spec)?)
    } else if rows.len() < MIN_SEASONAL_WEEKS || usable < MIN_SEASONAL_USABLE {
        let spec = Spec {
            harmonics: 0,
            short,
        };
        let c = fit_coefficients(rows, spec).or_else(|| {
            fit_coefficients(
                rows,
                Spec {
                    harmonics: 0,
                    short: false,
                },
            )
        })?;
        let spec = Spec {
            harmonics: 0,
            short: c.beta.len() == 2,
        };
        (Method::Level, spec, c)
    } else {
        let max = if rows.len() >= 2 * MIN_SEASONAL_WEEKS {
            MAX_HARMONICS
        } else {
            MAX_HARMONICS_SHORT
        };
        let mut best: Option<(f64, Spec, Coefficients)> = None;
        for harmonics in 1..=max {
            let spec = Spec { harmonics, short };
            if let Some(c) = fit_coefficients(rows, spec) {
                let score = aicc(&c, spec.p());
                if best.as_ref().is_none_or(|b| score < b.0) {
                    best = Some((score, spec, c));
                }
            }
        }
        let (_, spec, c) = best?;
        (
            Method::Seasonal {
                harmonics: spec.harmonics as u8,
            },
            spec,
            c,
        )
    };
    let beta = coefficients.beta;
    let scale = weight_scale(rows);
    let mut x = Vec::new();
    let resid: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.usable())
        .map(|r| (r.u - fitted(spec, &beta, r, &mut x), r.avail * scale))
        .collect();
    let alpha = if method == Method::Mean {
        0.0
    } else {
        choose_alpha(&resid)
    };
    let level = resid.iter().fold(0.0, |l, &(r, _)| l + alpha * (r - l));
    let mean_u = rows
        .iter()
        .filter(|r| r.usable())
        .map(|r| r.u * r.avail * scale)
        .sum::<f64>()
        / usable as f64;
    let kappa = (SPREAD_FLOOR * mean_u).max(1e-3);
    Some(Fit {
        kappa,
        method,
        spec,
        beta,
        alpha,
        level,
    })
}

/// Errors of utilisation forecasts made from origins `origins` (data before the origin
/// known) at horizons `1..=horizon`, with `beta`; pushed into `errors[h - 1]`.
fn collect_errors(
    rows: &[Row],
    fit: &Fit,
    beta: &[f64],
    origins: std::ops::Range<usize>,
    errors: &mut [Vec<f64>],
) {
    let (spec, alpha) = (fit.spec, fit.alpha);
    let mut x = Vec::new();
    let mut level = 0.0;
    for t in 0..origins.end.min(rows.len()) {
        if t >= origins.start {
            for (h, errs) in errors.iter_mut().enumerate() {
                let Some(target) = rows.get(t + h) else { break };
                if target.usable() {
                    let f = fitted(spec, beta, target, &mut x) + level;
                    errs.push((target.u - f) / fit.spread(f, target));
                }
            }
        }
        let row = &rows[t];
        if row.usable() {
            level += alpha * (row.u - fitted(spec, beta, row, &mut x) - level);
        }
    }
}

/// Lower and upper error quantiles per horizon; none when there are no errors to
/// learn from.
fn error_bands(rows: &[Row], fit: &Fit, horizon: usize, coverage: f64) -> Option<Vec<(f64, f64)>> {
    let n = rows.len();
    let mut errors = vec![Vec::new(); horizon];
    let mut inflate = 1.0;
    let start = MIN_SEASONAL_WEEKS.max(n.saturating_sub(ROLLING_SPAN));
    let rolling = matches!(fit.method, Method::Seasonal { .. })
        && n + 1 >= start + horizon + MIN_ROLLING_ERRORS;
    if rolling {
        for refit in (start..n).step_by(REFIT_EVERY) {
            if let Some(c) = fit_coefficients(&rows[..refit], fit.spec) {
                let end = (refit + REFIT_EVERY).min(n);
                collect_errors(rows, fit, &c.beta, refit..end, &mut errors);
            }
        }
    }
    if !rolling || errors[horizon - 1].len() < MIN_HORIZON_ERRORS {
        errors.iter_mut().for_each(Vec::clear);
        let warm = if fit.method == Method::Mean {
            0
        } else {
            (n / 4).min(4)
        };
        collect_errors(rows, fit, &fit.beta, warm..n, &mut errors);
        let usable = rows.iter().filter(|r| r.usable()).count() as f64;
        let p = fit.spec.p() as f64;
        inflate = if usable > p + 1.0 {
            (usable / (usable - p)).sqrt()
        } else {
            2.0
        };
    }
    let pooled: Vec<f64> = errors.iter().flatten().copied().collect();
    if pooled.len() < 2 {
        return None;
    }
    let lo_p = (1.0 - coverage) / 2.0;
    let hi_p = 1.0 - lo_p;
    let pooled_band = band(pooled, lo_p, hi_p, inflate);
    Some(
        errors
            .into_iter()
            .map(|e| {
                if e.len() >= MIN_HORIZON_ERRORS {
                    band(e, lo_p, hi_p, inflate)
                } else {
                    pooled_band
                }
            })
            .collect(),
    )
}

fn band(mut e: Vec<f64>, lo: f64, hi: f64, inflate: f64) -> (f64, f64) {
    e.sort_by(f64::total_cmp);
    let n = e.len() as f64;
    let i_lo = ((n + 1.0) * lo).floor().max(1.0) as usize - 1;
    let i_hi = (((n + 1.0) * hi).ceil() as usize).min(e.len()) - 1;
    (e[i_lo] * inflate, e[i_hi] * inflate)
}

fn valid(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn validate(series: &Series, config: &Config) -> Result<(), Error> {
    if !(config.coverage > 0.0 && config.coverage < 1.0) || config.horizon == 0 {
        return Err(Error::InvalidConfig);
    }
    let venue = series.venue.id;
    let mut previous: Option<Week> = None;
    let weeks = series
        .history
        .iter()
        .map(|o| (o.week, valid(o.booked_hours) && valid(o.available_hours)))
        .chain(
            series
                .future
                .iter()
                .map(|p| (p.week, valid(p.known_hours) && valid(p.available_hours))),
        );
    for (week, ok) in weeks {
        if !ok {
            return Err(Error::InvalidValue { venue, week });
        }
        if previous.is_some_and(|p| p.next() != week) {
            return Err(Error::NotConsecutive { venue, week });
        }
        previous = Some(week);
    }
    if series.future.len() < config.horizon {
        return Err(Error::ShortCalendar {
            venue,
            weeks: series.future.len(),
            horizon: config.horizon,
        });
    }
    Ok(())
}

/// Forecasts one venue's next `config.horizon` weeks.
pub fn forecast(series: &Series, config: &Config) -> Result<VenueForecast, Error> {
    validate(series, config)?;
    let rows: Vec<Row> = series.history.iter().map(Row::observed).collect();
    let future = &series.future[..config.horizon];
    let Some(fit) = fit(&rows) else {
        let weeks = future
            .iter()
            .map(|p| WeekForecast {
                week: p.week,
                hours: p.known_hours,
                lower: p.known_hours,
                upper: p.known_hours.max(p.available_hours),
                working_days: p.working_days,
                available_hours: p.available_hours,
                known_hours: p.known_hours,
            })
            .collect();
        return Ok(VenueForecast {
            venue: series.venue.clone(),
            method: Method::Empty,
            weeks,
        });
    };
    let bands = error_bands(&rows, &fit, config.horizon, config.coverage);
    let mut x = Vec::new();
    let weeks = future
        .iter()
        .enumerate()
        .map(|(h, p)| {
            let row = Row::planned(p);
            let u = fitted(fit.spec, &fit.beta, &row, &mut x) + fit.level;
            let hours = (p.available_hours * u).max(0.0);
            let (lower, upper) = match &bands {
                Some(b) => {
                    let spread = fit.spread(u, &row);
                    (
                        (p.available_hours * (u + b[h].0 * spread))
                            .max(0.0)
                            .min(hours),
                        (p.available_hours * (u + b[h].1 * spread)).max(hours),
                    )
                }
                None => (0.0, 2.0 * hours),
            };
            WeekForecast {
                week: p.week,
                hours: hours.max(p.known_hours),
                lower: lower.max(p.known_hours),
                upper: upper.max(p.known_hours),
                working_days: p.working_days,
                available_hours: p.available_hours,
                known_hours: p.known_hours,
            }
        })
        .collect();
    Ok(VenueForecast {
        venue: series.venue.clone(),
        method: fit.method,
        weeks,
    })
}

/// Forecasts every venue; the first invalid series stops it.
pub fn forecast_all(series: &[Series], config: &Config) -> Result<Vec<VenueForecast>, Error> {
    series.iter().map(|s| forecast(s, config)).collect()
}
