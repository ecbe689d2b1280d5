//! Forecasts of groups of venues (a kind, a site, or a kind at a site), made from the
//! summed weekly series of the group's venues.
//!
//! A group total is forecast from its own summed history rather than added up from
//! its venues' forecasts: its interval then comes from the total's own errors, which
//! is right whether the venues' errors cancel or move together. The cost is that a
//! group's forecast need not equal the sum of its venues' forecasts exactly (they
//! differ by the venues' separate level and seasonal estimates, typically by a few per
//! cent).

use crate::{Config, Error, Observed, Planned, Series, Venue, VenueForecast, Week, forecast};
use std::collections::BTreeMap;

/// How venues are grouped; the grouped-away field of a group's [`Venue`] is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Kind,
    Site,
    KindAndSite,
}

#[derive(Default, Clone, Copy)]
struct Sum {
    hours: f64,
    available: f64,
    working_days: u8,
}

fn add(map: &mut BTreeMap<Week, Sum>, week: Week, hours: f64, available: f64, working_days: u8) {
    let s = map.entry(week).or_default();
    s.hours += hours;
    s.available += available;
    s.working_days = s.working_days.max(working_days);
}

/// Consecutive weeks from the first to the last key, missing ones as zeros.
fn filled(map: &BTreeMap<Week, Sum>) -> Vec<(Week, Sum)> {
    let (Some(&first), Some(&last)) = (map.keys().next(), map.keys().next_back()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut week = first;
    while week <= last {
        out.push((week, map.get(&week).copied().unwrap_or_default()));
        week = week.next();
    }
    out
}

/// The summed series of each group, ordered by kind then site. Booked and available
/// hours (and known future hours) add up; a week's working days are the most any
/// member has (the calendar is shared); a venue without a row for a week adds nothing.
/// A group's id is its position in the returned list, and its department shares are
/// its members' shares weighted by their booked hours.
pub fn group_series(series: &[Series], by: GroupBy) -> Vec<Series> {
    #[derive(Default)]
    struct Acc {
        history: BTreeMap<Week, Sum>,
        future: BTreeMap<Week, Sum>,
        known: BTreeMap<Week, f64>,
        shares: BTreeMap<i64, f64>,
        share_weight: f64,
    }
    let mut groups: BTreeMap<(String, String), Acc> = BTreeMap::new();
    for s in series {
        let key = match by {
            GroupBy::Kind => (s.venue.kind.clone(), String::new()),
            GroupBy::Site => (String::new(), s.venue.site.clone()),
            GroupBy::KindAndSite => (s.venue.kind.clone(), s.venue.site.clone()),
        };
        let acc = groups.entry(key).or_default();
        for o in &s.history {
            add(
                &mut acc.history,
                o.week,
                o.booked_hours,
                o.available_hours,
                o.working_days,
            );
        }
        for p in &s.future {
            add(
                &mut acc.future,
                p.week,
                0.0,
                p.available_hours,
                p.working_days,
            );
            *acc.known.entry(p.week).or_default() += p.known_hours;
        }
        let booked: f64 = s.history.iter().map(|o| o.booked_hours).sum();
        for &(department, share) in &s.venue.department_shares {
            *acc.shares.entry(department).or_default() += share * booked;
        }
        if !s.venue.department_shares.is_empty() {
            acc.share_weight += booked;
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, ((kind, site), acc))| {
            let history = filled(&acc.history)
                .into_iter()
                .map(|(week, s)| Observed {
                    week,
                    booked_hours: s.hours,
                    working_days: s.working_days,
                    available_hours: s.available,
                })
                .collect();
            let future = filled(&acc.future)
                .into_iter()
                .map(|(week, s)| Planned {
                    week,
                    working_days: s.working_days,
                    available_hours: s.available,
                    known_hours: acc.known.get(&week).copied().unwrap_or(0.0),
                })
                .collect();
            let department_shares = if acc.share_weight > 0.0 {
                acc.shares
                    .into_iter()
                    .map(|(d, w)| (d, w / acc.share_weight))
                    .collect()
            } else {
                Vec::new()
            };
            Series {
                venue: Venue {
                    id: i as i64,
                    kind,
                    site,
                    department_shares,
                },
                history,
                future,
            }
        })
        .collect()
}

/// Forecasts of the groups' summed series (see [`group_series`]).
pub fn forecast_groups(
    series: &[Series],
    by: GroupBy,
    config: &Config,
) -> Result<Vec<VenueForecast>, Error> {
    group_series(series, by)
        .iter()
        .map(|s| forecast(s, config))
        .collect()
}
