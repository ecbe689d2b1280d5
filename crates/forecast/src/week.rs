//! ISO 8601 weeks on plain day numbers (days since 1970-01-01, a Thursday).
//! Only what the engine needs: ordering, stepping, the date of a week's days and a
//! yearly phase for the seasonal terms.

use std::fmt;

/// An ISO 8601 week: weeks start on Monday and week 1 holds the year's first Thursday,
/// so a year has 52 or 53 weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    year: i32,
    week: u8,
}

/// Mean length of the Gregorian year in days; the seasonal terms use it as their period
/// so 52- and 53-week years share one smooth yearly cycle.
pub const YEAR_DAYS: f64 = 365.2425;

impl Week {
    /// The week `week` of ISO year `year`, if that year has such a week.
    pub fn new(year: i32, week: u8) -> Option<Week> {
        (week >= 1 && week <= weeks_in_year(year)).then_some(Week { year, week })
    }

    /// The week holding day number `day`.
    pub fn containing(day: i64) -> Week {
        let thursday = day - weekday(day) + 3;
        let (year, _, _) = civil_from_days(thursday);
        let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
        Week {
            year,
            week: week as u8,
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn week(self) -> u8 {
        self.week
    }

    /// Day number of the week's Monday.
    pub fn monday(self) -> i64 {
        let jan4 = days_from_civil(self.year, 1, 4);
        jan4 - weekday(jan4) + 7 * (i64::from(self.week) - 1)
    }

    /// The week `n` weeks later (earlier if negative).
    pub fn plus(self, n: i64) -> Week {
        Week::containing(self.monday() + 7 * n)
    }

    pub fn next(self) -> Week {
        self.plus(1)
    }

    /// Whole weeks from `self` to `later` (negative if `later` is earlier).
    pub fn weeks_until(self, later: Week) -> i64 {
        (later.monday() - self.monday()).div_euclid(7)
    }

    /// Position of the week's Thursday in the mean solar year, in `[0, 1)`.
    pub fn year_phase(self) -> f64 {
        ((self.monday() + 3) as f64 / YEAR_DAYS).rem_euclid(1.0)
    }

    /// The same week a year earlier: the same week number, or week 52 for a week 53
    /// whose previous year has only 52 weeks.
    pub fn year_before(self) -> Week {
        let year = self.year - 1;
        Week {
            year,
            week: self.week.min(weeks_in_year(year)),
        }
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

/// 52 or 53: a year has 53 ISO weeks when 1 January is a Thursday, or a Wednesday in a
/// leap year.
pub fn weeks_in_year(year: i32) -> u8 {
    let jan1 = weekday(days_from_civil(year, 1, 1));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if jan1 == 3 || (leap && jan1 == 2) {
        53
    } else {
        52
    }
}

/// Day of the week, Monday 0 … Sunday 6.
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// Day number of a proleptic Gregorian date (Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day number (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(weekday(0), 3, "1970-01-01 was a Thursday");
        for day in -800_000..800_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }

    #[test]
    fn iso_weeks_match_known_dates() {
        // 2021-01-03 (Sunday) is in 2020-W53; 2024-12-30 (Monday) is in 2025-W01.
        assert_eq!(
            Week::containing(days_from_civil(2021, 1, 3)),
            Week::new(2020, 53).unwrap()
        );
        assert_eq!(
            Week::containing(days_from_civil(2024, 12, 30)),
            Week::new(2025, 1).unwrap()
        );
        assert_eq!(
            Week::new(2025, 1).unwrap().monday(),
            days_from_civil(2024, 12, 30)
        );
        assert_eq!(weeks_in_year(2020), 53);
        assert_eq!(weeks_in_year(2026), 53);
        assert_eq!(weeks_in_year(2025), 52);
        assert!(Week::new(2025, 53).is_none());
        assert_eq!(
            Week::new(2020, 53).unwrap().next(),
            Week::new(2021, 1).unwrap()
        );
        assert_eq!(
            Week::new(2021, 53)
                .unwrap_or(Week::new(2021, 52).unwrap())
                .week(),
            52
        );
        assert_eq!(
            Week::new(2020, 53).unwrap().year_before(),
            Week::new(2019, 52).unwrap()
        );
        let w = Week::new(2023, 10).unwrap();
        assert_eq!(w.weeks_until(w.plus(60)), 60);
        assert_eq!(w.plus(-3).weeks_until(w), 3);
        assert_eq!(w.to_string(), "2023-W10");
    }

    #[test]
    fn every_monday_maps_to_its_week() {
        let mut w = Week::new(1999, 1).unwrap();
        for _ in 0..3000 {
            let n = w.next();
            assert_eq!(n.monday() - w.monday(), 7);
            assert_eq!(Week::containing(n.monday() + 6), n);
            w = n;
        }
    }
}
