//! What-if simulation of allocation strategies on forecast demand (issue 20, part 7).
//!
//! Each venue's forecast hours are its demand. Within a site, demand a venue cannot
//! hold spills to the other venues of the same kind with spare hours that week, in
//! proportion to their spare hours; what still does not fit is overflow, counted at
//! the venue whose demand it is. "Before" and "after" are allocated the same way, so
//! the difference is the strategies' effect alone.

use crate::{NOMINAL_WORKING_DAYS, VenueForecast, Week};
use std::collections::BTreeMap;

/// A change to the venues or the demand.
#[derive(Debug, Clone, PartialEq)]
pub enum Strategy {
    /// A new venue with `weekly_hours` available in a five-day week (pro rata in
    /// shorter weeks, using the working days of its site's other venues); it takes
    /// spill-over from its site's venues of its kind.
    AddVenue {
        id: i64,
        kind: String,
        site: String,
        weekly_hours: f64,
    },
    /// The venue closes; all its demand spills to its site's venues of its kind.
    RemoveVenue { venue: i64 },
    /// A department's demand grows (or shrinks) by `factor`: a venue's demand becomes
    /// `demand × (1 + (factor − 1) × share)` for the department's share of its bookings.
    ScaleDepartment { department: i64, factor: f64 },
}

/// A venue's week after allocation.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueWeekLoad {
    pub venue: i64,
    pub week: Week,
    /// Forecast hours of the venue's own demand.
    pub demand_hours: f64,
    /// Hours held at the venue: its own demand that fits plus spill-over it takes.
    pub hosted_hours: f64,
    pub available_hours: f64,
    /// Hosted over available hours; none when the venue has no hours.
    pub utilisation: Option<f64>,
    /// The venue's own demand that fits nowhere at its site.
    pub overflow_hours: f64,
}

/// Loads before and after the strategies, by venue then week.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub before: Vec<VenueWeekLoad>,
    pub after: Vec<VenueWeekLoad>,
    pub overflow_before: f64,
    pub overflow_after: f64,
}

#[derive(Clone)]
struct SimVenue {
    id: i64,
    kind: String,
    site: String,
    shares: Vec<(i64, f64)>,
    /// Week → (demand, available, working days).
    weeks: BTreeMap<Week, (f64, f64, u8)>,
}

/// Applies the strategies in order to the forecasts' point demand and allocates both
/// states.
pub fn simulate(forecasts: &[VenueForecast], strategies: &[Strategy]) -> Simulation {
    let mut venues: Vec<SimVenue> = forecasts
        .iter()
        .map(|f| SimVenue {
            id: f.venue.id,
            kind: f.venue.kind.clone(),
            site: f.venue.site.clone(),
            shares: f.venue.department_shares.clone(),
            weeks: f
                .weeks
                .iter()
                .map(|w| (w.week, (w.hours, w.available_hours, w.working_days)))
                .collect(),
        })
        .collect();
    let before = allocate(&venues);
    for strategy in strategies {
        apply(&mut venues, strategy);
    }
    let after = allocate(&venues);
    let total = |loads: &[VenueWeekLoad]| loads.iter().map(|l| l.overflow_hours).sum();
    Simulation {
        overflow_before: total(&before),
        overflow_after: total(&after),
        before,
        after,
    }
}

fn apply(venues: &mut Vec<SimVenue>, strategy: &Strategy) {
    match strategy {
        Strategy::AddVenue {
            id,
            kind,
            site,
            weekly_hours,
        } => {
            let mut working_days: BTreeMap<Week, u8> = BTreeMap::new();
            for v in venues.iter() {
                for (&week, &(_, _, wd)) in &v.weeks {
                    let e = working_days.entry(week).or_insert(0);
                    if v.site == *site {
                        *e = (*e).max(wd);
                    }
                }
            }
            let nominal = f64::from(NOMINAL_WORKING_DAYS);
            let weeks = working_days
                .into_iter()
                .map(|(week, wd)| {
                    let wd = if wd == 0 { NOMINAL_WORKING_DAYS } else { wd };
                    let hours = weekly_hours.max(0.0) * f64::from(wd) / nominal;
                    (week, (0.0, hours, wd))
                })
                .collect();
            venues.push(SimVenue {
                id: *id,
                kind: kind.clone(),
                site: site.clone(),
                shares: Vec::new(),
                weeks,
            });
        }
        Strategy::RemoveVenue { venue } => {
            for v in venues.iter_mut().filter(|v| v.id == *venue) {
                v.weeks.values_mut().for_each(|w| w.1 = 0.0);
            }
        }
        Strategy::ScaleDepartment { department, factor } => {
            for v in venues.iter_mut() {
                let share: f64 = v
                    .shares
                    .iter()
                    .filter(|(d, _)| d == department)
                    .map(|(_, s)| s)
                    .sum();
                let scale = (1.0 + (factor - 1.0) * share).max(0.0);
                v.weeks.values_mut().for_each(|w| w.0 *= scale);
            }
        }
    }
}

fn allocate(venues: &[SimVenue]) -> Vec<VenueWeekLoad> {
    let mut groups: BTreeMap<(&str, &str, Week), Vec<usize>> = BTreeMap::new();
    for (i, v) in venues.iter().enumerate() {
        for &week in v.weeks.keys() {
            groups
                .entry((v.site.as_str(), v.kind.as_str(), week))
                .or_default()
                .push(i);
        }
    }
    let mut loads = Vec::new();
    for ((_, _, week), members) in groups {
        let state: Vec<(f64, f64)> = members
            .iter()
            .map(|&i| {
                let (d, a, _) = venues[i].weeks[&week];
                (d, a)
            })
            .collect();
        let excess: f64 = state.iter().map(|&(d, a)| (d - a).max(0.0)).sum();
        let spare: f64 = state.iter().map(|&(d, a)| (a - d).max(0.0)).sum();
        let moved = excess.min(spare);
        for (&i, &(d, a)) in members.iter().zip(&state) {
            let taken = if spare > 0.0 {
                moved * (a - d).max(0.0) / spare
            } else {
                0.0
            };
            let hosted = d.min(a) + taken;
            let overflow = if excess > 0.0 {
                (d - a).max(0.0) * (1.0 - moved / excess)
            } else {
                0.0
            };
            loads.push(VenueWeekLoad {
                venue: venues[i].id,
                week,
                demand_hours: d,
                hosted_hours: hosted,
                available_hours: a,
                utilisation: (a > 0.0).then(|| hosted / a),
                overflow_hours: overflow,
            });
        }
    }
    loads.sort_by(|a, b| a.venue.cmp(&b.venue).then(a.week.cmp(&b.week)));
    loads
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Method, Venue, WeekForecast};

    fn venue(id: i64, site: &str, shares: Vec<(i64, f64)>, weeks: &[(f64, f64)]) -> VenueForecast {
        let start = Week::new(2025, 10).unwrap();
        VenueForecast {
            venue: Venue {
                id,
                kind: "classroom".into(),
                site: site.into(),
                department_shares: shares,
            },
            method: Method::Mean,
            weeks: weeks
                .iter()
                .enumerate()
                .map(|(i, &(hours, available))| WeekForecast {
                    week: start.plus(i as i64),
                    hours,
                    lower: hours,
                    upper: hours,
                    working_days: if available < 40.0 { 3 } else { 5 },
                    available_hours: available,
                    known_hours: 0.0,
                })
                .collect(),
        }
    }

    fn at(loads: &[VenueWeekLoad], venue: i64, week: usize) -> &VenueWeekLoad {
        loads.iter().filter(|l| l.venue == venue).nth(week).unwrap()
    }

    #[test]
    fn spill_fills_siblings_then_overflows() {
        let f = [
            venue(1, "HQ", vec![], &[(50.0, 40.0)]),
            venue(2, "HQ", vec![], &[(36.0, 40.0)]),
            venue(3, "Plant", vec![], &[(0.0, 40.0)]),
        ];
        let s = simulate(&f, &[]);
        assert_eq!(s.before, s.after);
        // Venue 1 needs 10 more hours; venue 2 has 4 spare; the other site does not help.
        assert!((at(&s.before, 1, 0).overflow_hours - 6.0).abs() < 1e-9);
        assert!((at(&s.before, 2, 0).hosted_hours - 40.0).abs() < 1e-9);
        assert_eq!(at(&s.before, 3, 0).hosted_hours, 0.0);
        assert!((s.overflow_before - 6.0).abs() < 1e-9);
    }

    #[test]
    fn adding_a_venue_absorbs_overflow_pro_rata_in_short_weeks() {
        let f = [venue(1, "HQ", vec![], &[(50.0, 40.0), (30.0, 24.0)])];
        let add = Strategy::AddVenue {
            id: 9,
            kind: "classroom".into(),
            site: "HQ".into(),
            weekly_hours: 5.0,
        };
        let s = simulate(&f, &[add]);
        assert!((s.overflow_before - 16.0).abs() < 1e-9);
        // 5 hours in the five-day week, 3 in the three-day week.
        assert!((at(&s.after, 9, 0).hosted_hours - 5.0).abs() < 1e-9);
        assert!((at(&s.after, 9, 1).available_hours - 3.0).abs() < 1e-9);
        assert!((s.overflow_after - 8.0).abs() < 1e-9);
    }

    #[test]
    fn removing_a_venue_moves_its_load_and_scaling_uses_shares() {
        let f = [
            venue(1, "HQ", vec![(7, 0.5), (8, 0.5)], &[(20.0, 40.0)]),
            venue(2, "HQ", vec![(8, 1.0)], &[(10.0, 40.0)]),
        ];
        let s = simulate(&f, &[Strategy::RemoveVenue { venue: 1 }]);
        assert_eq!(at(&s.after, 1, 0).hosted_hours, 0.0);
        assert!((at(&s.after, 2, 0).hosted_hours - 30.0).abs() < 1e-9);
        assert_eq!(s.overflow_after, 0.0);

        let s = simulate(
            &f,
            &[Strategy::ScaleDepartment {
                department: 7,
                factor: 3.0,
            }],
        );
        assert!((at(&s.after, 1, 0).demand_hours - 40.0).abs() < 1e-9);
        assert!((at(&s.after, 2, 0).demand_hours - 10.0).abs() < 1e-9);
        assert_eq!(at(&s.after, 1, 0).utilisation, Some(1.0));
    }
}
