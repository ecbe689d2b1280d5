//! Venue utilisation forecasting (场地使用预测, seed 001 §2.1: "预测未来三个月的高频使用场地,
//! 提前进行预留"): plain structs in, plain structs out, no I/O, no clock.
//!
//! The store sums bookings per venue and ISO week and the working calendar gives each
//! week's available hours; [`forecast_all`] forecasts the next weeks (13 by default)
//! with 80% prediction intervals, [`forecast_groups`] does the same for the summed
//! series of a venue kind and/or site, and [`proposals`] turns forecasts above a
//! utilisation threshold into proposed pre-bookings (提前预留). [`backtest`] measures
//! the method on rolling origins against a seasonal-naive forecast, [`synth`] makes a
//! deterministic synthetic history to measure it on, and [`simulate`] answers "what if"
//! questions about adding, removing or loading venues (issue 20, part 7).
//!
//! The method is in [`model`]; the README beside this crate gives the measured
//! accuracy, interval coverage and run time.

mod aggregate;
mod backtest;
mod linalg;
pub mod model;
mod reserve;
mod simulate;
pub mod synth;
mod week;

pub use aggregate::{GroupBy, forecast_groups, group_series};
pub use backtest::{BacktestReport, Benchmark, OriginScore, backtest};
pub use model::{Method, forecast, forecast_all};
pub use reserve::{DEFAULT_THRESHOLD, Proposal, proposals};
pub use simulate::{Simulation, Strategy, VenueWeekLoad, simulate};
pub use week::{Week, civil_from_days, days_from_civil, weekday, weeks_in_year};

use std::fmt;

/// Working days of a normal week; a week with fewer is a short (holiday) week.
pub const NOMINAL_WORKING_DAYS: u8 = 5;

/// A venue as the forecasts and the what-if simulation need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Venue {
    pub id: i64,
    /// The venue kind's code name (`classroom`, `computer_lab`, ...).
    pub kind: String,
    pub site: String,
    /// Who books the venue: each department's share of its booked hours (summing to 1,
    /// or empty when unknown); the what-if simulation scales demand by it.
    pub department_shares: Vec<(i64, f64)>,
}

/// One past week of a venue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub week: Week,
    pub booked_hours: f64,
    /// Working days in the week from the working calendar: 5 normally, fewer in a
    /// holiday week (春节, 国庆, ...), 6 when a weekend day is worked in exchange (调休).
    pub working_days: u8,
    /// Hours the venue could be booked that week (its daily hours × working days);
    /// zero when it was closed.
    pub available_hours: f64,
}

/// One future week of a venue: the calendar, and load already known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planned {
    pub week: Week,
    pub working_days: u8,
    pub available_hours: f64,
    /// Expected hours of approved programs not yet scheduled that will need this venue
    /// this week; the forecast never falls below it.
    pub known_hours: f64,
}

/// A venue's weekly history (contiguous weeks, oldest first) and the calendar of the
/// weeks to forecast (starting the week after the history).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub venue: Venue,
    pub history: Vec<Observed>,
    pub future: Vec<Planned>,
}

/// Forecasting options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Weeks to forecast; the series' `future` must cover them.
    pub horizon: usize,
    /// Nominal coverage of the prediction intervals.
    pub coverage: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            horizon: 13,
            coverage: 0.8,
        }
    }
}

/// The forecast of one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeekForecast {
    pub week: Week,
    /// Forecast booked hours (demand: it may exceed the available hours).
    pub hours: f64,
    /// Prediction interval of the booked hours at [`Config::coverage`].
    pub lower: f64,
    pub upper: f64,
    pub working_days: u8,
    pub available_hours: f64,
    pub known_hours: f64,
}

impl WeekForecast {
    /// Forecast booked hours over available hours; none when the venue is closed.
    pub fn utilisation(&self) -> Option<f64> {
        (self.available_hours > 0.0).then(|| self.hours / self.available_hours)
    }
}

/// The forecast of one venue (or of a group's summed series).
#[derive(Debug, Clone, PartialEq)]
pub struct VenueForecast {
    pub venue: Venue,
    pub method: Method,
    pub weeks: Vec<WeekForecast>,
}

/// Why a series cannot be forecast.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A week does not follow the one before it (history and future together must be
    /// one run of consecutive weeks).
    NotConsecutive { venue: i64, week: Week },
    /// Hours or coverage that are negative, infinite or not a number.
    InvalidValue { venue: i64, week: Week },
    /// The future calendar has fewer weeks than the horizon.
    ShortCalendar {
        venue: i64,
        weeks: usize,
        horizon: usize,
    },
    /// The coverage is not strictly between 0 and 1, or the horizon is zero.
    InvalidConfig,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotConsecutive { venue, week } => {
                write!(
                    f,
                    "venue {venue}: week {week} does not follow the week before it"
                )
            }
            Error::InvalidValue { venue, week } => {
                write!(
                    f,
                    "venue {venue}: week {week} has a negative or non-finite value"
                )
            }
            Error::ShortCalendar {
                venue,
                weeks,
                horizon,
            } => write!(
                f,
                "venue {venue}: the calendar has {weeks} future weeks, the horizon needs {horizon}"
            ),
            Error::InvalidConfig => {
                write!(
                    f,
                    "the coverage must be in (0, 1) and the horizon at least 1"
                )
            }
        }
    }
}

impl std::error::Error for Error {}
