//! A deterministic synthetic booking history to measure the forecasts on.
//!
//! Bookings are drawn per working day and summed per ISO week, with:
//! - a yearly cycle: training peaks in spring (April) and autumn (October), troughs
//!   in January–February, the summer (late July–August) and the last days of December,
//!   its amplitude varying by venue;
//! - a weekday profile (Tuesday to Thursday busiest), so which day a holiday takes
//!   matters a little;
//! - an approximate Chinese holiday calendar (元旦 1 January, 春节 from its eve for 8
//!   days, 清明 4 April, 劳动节 1–5 May, 国庆 1–7 October; 端午, 中秋 and make-up
//!   working weekends are left out): holiday weekdays are not working days, and the
//!   remaining days of a holiday week are quieter still (people take leave);
//! - per venue: a base utilisation, a slow trend, for some a level shift at a random
//!   week, and weekly and daily noise; days are capped at the venue's daily hours;
//! - sparse venues (15% by default) that are booked on few days, for 2, 4 or 8 hours.
//!
//! This is a test bed, not the official State Council calendar.

use crate::{Observed, Planned, Series, Venue, Week, civil_from_days, days_from_civil, weekday};
use std::f64::consts::TAU;

/// splitmix64 (Steele, Lea and Flood 2014): tiny, fast and deterministic per seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        (-2.0 * u.ln()).sqrt() * (TAU * self.uniform()).cos()
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthConfig {
    pub venues: usize,
    /// First week of history.
    pub start: Week,
    /// Weeks of history.
    pub weeks: usize,
    /// Weeks of future calendar (with some known load) after the history.
    pub future_weeks: usize,
    pub seed: u64,
    /// Share of sparse venues.
    pub sparse_share: f64,
}

impl SynthConfig {
    /// `venues` venues with `years` ISO years of history from `start_year`, and 13
    /// weeks of future calendar.
    pub fn years(venues: usize, start_year: i32, years: i32, seed: u64) -> Self {
        let weeks = (start_year..start_year + years)
            .map(|y| usize::from(crate::weeks_in_year(y)))
            .sum();
        SynthConfig {
            venues,
            start: Week::new(start_year, 1).unwrap_or(Week::containing(0)),
            weeks,
            future_weeks: 13,
            seed,
            sparse_share: 0.15,
        }
    }
}

/// 春节 (the first day of the lunar year) for 2015–2035; other years use 5 February.
fn spring_festival(year: i32) -> i64 {
    const DATES: [(u32, u32); 21] = [
        (2, 19),
        (2, 8),
        (1, 28),
        (2, 16),
        (2, 5),
        (1, 25),
        (2, 12),
        (2, 1),
        (1, 22),
        (2, 10),
        (1, 29),
        (2, 17),
        (2, 6),
        (1, 26),
        (2, 13),
        (2, 3),
        (1, 23),
        (2, 11),
        (1, 31),
        (2, 19),
        (2, 8),
    ];
    let (m, d) = usize::try_from(year - 2015)
        .ok()
        .and_then(|i| DATES.get(i).copied())
        .unwrap_or((2, 5));
    days_from_civil(year, m, d)
}

/// Whether day `day` is a public holiday in the synthetic calendar.
pub fn is_holiday(day: i64) -> bool {
    let (year, month, dom) = civil_from_days(day);
    let sf = spring_festival(year);
    (month == 1 && dom == 1)
        || (sf - 1..=sf + 6).contains(&day)
        || (month == 4 && dom == 4)
        || (month == 5 && dom <= 5)
        || (month == 10 && dom <= 7)
}

/// Working days (Monday to Friday, less holidays) of a week in the synthetic calendar.
pub fn working_days(week: Week) -> u8 {
    let monday = week.monday();
    (0..5).filter(|d| !is_holiday(monday + d)).count() as u8
}

/// The yearly demand cycle at day `doy` (0-based) of the year, about 1 on average.
fn season(doy: f64) -> f64 {
    let bump = |centre: f64, width: f64| {
        let d = (doy - centre).rem_euclid(365.25);
        let d = d.min(365.25 - d);
        (-0.5 * (d / width).powi(2)).exp()
    };
    1.0 + 0.30 * bump(100.0, 30.0) + 0.30 * bump(290.0, 30.0)
        - 0.40 * bump(215.0, 22.0)
        - 0.35 * bump(359.0, 8.0)
        - 0.25 * bump(35.0, 18.0)
}

const WEEKDAY_PROFILE: [f64; 5] = [0.85, 1.05, 1.1, 1.05, 0.95];
const KINDS: [&str; 4] = ["classroom", "computer_lab", "workshop", "meeting_room"];
const SITES: [&str; 4] = ["HQ", "Plant-1", "Plant-2", "R&D"];

/// The synthetic venues, ids from 1, with `weeks` of history and `future_weeks` of
/// calendar (a fifth of the venues with known load in some future weeks).
pub fn generate(config: &SynthConfig) -> Vec<Series> {
    let mut rng = Rng::new(config.seed ^ 0x5345_4153_4f4e);
    (0..config.venues)
        .map(|i| venue(config, i as i64 + 1, &mut rng))
        .collect()
}

fn venue(config: &SynthConfig, id: i64, rng: &mut Rng) -> Series {
    let sparse = rng.uniform() < config.sparse_share;
    let hours_per_day = if rng.uniform() < 0.3 { 10.0 } else { 8.0 };
    let base = if sparse {
        rng.range(0.04, 0.15)
    } else {
        rng.range(0.25, 0.72)
    };
    let amplitude = rng.range(0.5, 1.5);
    let trend = rng.range(-0.1, 0.1);
    let leave = rng.range(0.7, 0.95);
    let shift = (rng.uniform() < 0.3 && config.weeks > 40)
        .then(|| (26 + rng.below(config.weeks - 34), rng.range(0.6, 1.5)));
    let departments = 1 + rng.below(3);
    let mut shares: Vec<(i64, f64)> = (0..departments)
        .map(|_| (1 + rng.below(12) as i64, rng.range(0.2, 1.0)))
        .collect();
    shares.sort_by_key(|s| s.0);
    shares.dedup_by(|a, b| {
        let same = a.0 == b.0;
        if same {
            b.1 += a.1;
        }
        same
    });
    let total: f64 = shares.iter().map(|s| s.1).sum();
    shares.iter_mut().for_each(|s| s.1 /= total);
    let venue = Venue {
        id,
        kind: KINDS[rng.below(KINDS.len())].to_string(),
        site: SITES[rng.below(SITES.len())].to_string(),
        department_shares: shares,
    };
    let (sd_week, sd_day) = (0.10, 0.30);
    let history = (0..config.weeks)
        .map(|t| {
            let week = config.start.plus(t as i64);
            let wd = working_days(week);
            let mut level = base * (1.0 + trend * t as f64 / 52.0);
            if let Some((at, factor)) = shift
                && t >= at
            {
                level *= factor;
            }
            if wd < 5 {
                level *= leave;
            }
            let week_noise = sd_week * rng.normal() - 0.5 * sd_week * sd_week;
            let mut booked = 0.0;
            for d in 0..5 {
                let day = week.monday() + d;
                if is_holiday(day) {
                    continue;
                }
                let (year, _, _) = civil_from_days(day);
                let doy = (day - days_from_civil(year, 1, 1)) as f64;
                let demand = level
                    * (1.0 + amplitude * (season(doy) - 1.0))
                    * WEEKDAY_PROFILE[weekday(day) as usize];
                booked += if sparse {
                    if rng.uniform() < demand {
                        [2.0f64, 4.0, 8.0][rng.below(3)].min(hours_per_day)
                    } else {
                        0.0
                    }
                } else {
                    let noise = week_noise + sd_day * rng.normal() - 0.5 * sd_day * sd_day;
                    let hours = hours_per_day * (demand * noise.exp()).min(1.0);
                    (hours * 2.0).round() / 2.0
                };
            }
            Observed {
                week,
                booked_hours: booked,
                working_days: wd,
                available_hours: hours_per_day * f64::from(wd),
            }
        })
        .collect();
    let known = rng.uniform() < 0.2;
    let future = (0..config.future_weeks)
        .map(|j| {
            let week = config.start.plus((config.weeks + j) as i64);
            let wd = working_days(week);
            let known_hours = if known && rng.uniform() < 0.3 {
                rng.range(4.0, 16.0).round()
            } else {
                0.0
            };
            Planned {
                week,
                working_days: wd,
                available_hours: hours_per_day * f64::from(wd),
                known_hours,
            }
        })
        .collect();
    Series {
        venue,
        history,
        future,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_has_the_long_holidays() {
        // 2024: 春节 10 February (a Saturday; eve the 9th, a Friday), 国庆 1–7 October
        // (Tuesday to Monday).
        assert_eq!(working_days(Week::new(2024, 6).unwrap()), 4);
        assert_eq!(working_days(Week::new(2024, 7).unwrap()), 0);
        assert_eq!(working_days(Week::new(2024, 40).unwrap()), 1);
        assert_eq!(working_days(Week::new(2024, 41).unwrap()), 4);
        assert_eq!(working_days(Week::new(2024, 20).unwrap()), 5);
    }

    #[test]
    fn generation_is_deterministic_and_plausible() {
        let config = SynthConfig::years(30, 2022, 2, 7);
        let a = generate(&config);
        assert_eq!(a, generate(&config));
        assert_ne!(a, generate(&SynthConfig { seed: 8, ..config }));
        for s in &a {
            assert_eq!(s.history.len(), 104);
            for o in &s.history {
                assert!(o.booked_hours >= 0.0 && o.booked_hours <= o.available_hours);
            }
        }
    }
}
