//! Proposed pre-bookings (提前预留): the venue-weeks forecast to be busier than a
//! utilisation threshold.

use crate::{VenueForecast, Week};

/// Forecast utilisation above which a venue-week is proposed for pre-booking.
pub const DEFAULT_THRESHOLD: f64 = 0.85;

/// A venue-week to reserve ahead.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub venue: i64,
    pub week: Week,
    /// Forecast booked hours over available hours.
    pub utilisation: f64,
    pub forecast_hours: f64,
    pub available_hours: f64,
    /// Hours to hold: the forecast demand, at most what the venue has.
    pub reserve_hours: f64,
    /// Forecast demand the venue cannot hold; it needs another venue.
    pub overflow_hours: f64,
    /// The forecast's interval, for judging how sure the proposal is.
    pub lower: f64,
    pub upper: f64,
}

/// Every venue-week whose forecast utilisation exceeds `threshold`, by week, then
/// busiest first. Closed weeks (no available hours) are never proposed.
pub fn proposals(forecasts: &[VenueForecast], threshold: f64) -> Vec<Proposal> {
    let mut out: Vec<Proposal> = forecasts
        .iter()
        .flat_map(|f| {
            f.weeks.iter().filter_map(move |w| {
                let utilisation = w.utilisation()?;
                (utilisation > threshold).then(|| Proposal {
                    venue: f.venue.id,
                    week: w.week,
                    utilisation,
                    forecast_hours: w.hours,
                    available_hours: w.available_hours,
                    reserve_hours: w.hours.min(w.available_hours),
                    overflow_hours: (w.hours - w.available_hours).max(0.0),
                    lower: w.lower,
                    upper: w.upper,
                })
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.week
            .cmp(&b.week)
            .then(b.utilisation.total_cmp(&a.utilisation))
            .then(a.venue.cmp(&b.venue))
    });
    out
}
