//! Level 4 of value proof: the effect of a program on a business KPI, and what it
//! returned (ROI). The statistics are in the analytics crate; this module holds the
//! request a user makes and its validation.

use crate::{DomainError, DomainResult};
use time::Date;

coded_enum!(
    /// How comparison people are chosen.
    MatchingMethod, "matching", {
        /// Nearest neighbours on pre-period level and trend.
        Nearest => "nearest" | "nn",
        /// Coarsened exact matching on binned level and trend.
        Coarsened => "cem" | "coarsened",
    }
);

coded_enum!(
    /// What a comparison person must share with the trained person.
    StratifyBy, "stratify", {
        Position => "position",
        Department => "department",
    }
);

/// Shortest and longest pre- and post-periods, in months.
pub const PRE_MONTHS: std::ops::RangeInclusive<u32> = 2..=36;
pub const POST_MONTHS: std::ops::RangeInclusive<u32> = 1..=36;

/// What to estimate: windows, matching and the bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectRequest {
    pub pre_months: u32,
    pub post_months: u32,
    pub matching: MatchingMethod,
    pub stratify: StratifyBy,
    pub replications: u32,
    pub seed: u64,
}

impl Default for EffectRequest {
    fn default() -> Self {
        Self {
            pre_months: 12,
            post_months: 6,
            matching: MatchingMethod::Nearest,
            stratify: StratifyBy::Position,
            replications: 1000,
            seed: 1,
        }
    }
}

impl EffectRequest {
    /// Checks the ranges, naming the field that is out of range.
    pub fn validated(self) -> DomainResult<Self> {
        if !PRE_MONTHS.contains(&self.pre_months) {
            return Err(DomainError::invalid(
                "pre_months",
                format!(
                    "must be between {} and {} months",
                    PRE_MONTHS.start(),
                    PRE_MONTHS.end()
                ),
            ));
        }
        if !POST_MONTHS.contains(&self.post_months) {
            return Err(DomainError::invalid(
                "post_months",
                format!(
                    "must be between {} and {} months",
                    POST_MONTHS.start(),
                    POST_MONTHS.end()
                ),
            ));
        }
        if !(50..=5000).contains(&self.replications) {
            return Err(DomainError::invalid(
                "replications",
                "must be between 50 and 5000",
            ));
        }
        Ok(self)
    }

    /// The last months of the pre-period that the placebo test treats as a pretend
    /// post-period: a third of it, at least one month.
    pub fn placebo_months(&self) -> u32 {
        (self.pre_months / 3).max(1)
    }
}

/// The ROI assumptions a user can change; each is listed on the report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoiAssumptions {
    /// Yuan per KPI unit per person and month.
    pub unit_value: f64,
    /// Months the effect is assumed to last.
    pub benefit_months: f64,
    /// Yuan per participant hour where the position has no hourly cost.
    pub default_hourly_cost: f64,
}

impl RoiAssumptions {
    /// Checks that every figure is a finite, non-negative number in range.
    pub fn validated(self) -> DomainResult<Self> {
        if !self.unit_value.is_finite() || self.unit_value < 0.0 {
            return Err(DomainError::invalid(
                "unit_value",
                "must be a number of yuan, 0 or more",
            ));
        }
        if !self.benefit_months.is_finite() || !(1.0..=60.0).contains(&self.benefit_months) {
            return Err(DomainError::invalid(
                "benefit_months",
                "must be between 1 and 60 months",
            ));
        }
        if !self.default_hourly_cost.is_finite() || self.default_hourly_cost < 0.0 {
            return Err(DomainError::invalid(
                "hourly_cost",
                "must be a number of yuan, 0 or more",
            ));
        }
        Ok(self)
    }
}

/// What a program cost, from its cost lines and its participants' time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ProgramCost {
    /// Sum of the program's cost lines.
    pub cost_lines: f64,
    /// Sum of per-head costs recorded on enrollments (imported history).
    pub per_head: f64,
    /// People who completed.
    pub participants: i64,
    /// Their hours in training.
    pub participant_hours: f64,
    /// Those hours at their positions' hourly cost (or the default).
    pub participant_time_cost: f64,
    /// Participants whose position has no hourly cost, so the default was used.
    pub default_cost_used_for: i64,
}

impl ProgramCost {
    /// Everything the program cost.
    pub fn total(&self) -> f64 {
        self.cost_lines + self.per_head + self.participant_time_cost
    }
}

/// Months counted as `year * 12 + month - 1`, the analytics crate's month index.
pub fn month_index(date: Date) -> i32 {
    date.year() * 12 + i32::from(u8::from(date.month())) - 1
}

/// `2026-03` for a month index.
pub fn month_label(index: i32) -> String {
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// The month index of a stored `YYYY-MM` label, the inverse of [`month_label`];
/// `None` for quarters, years and any other spelling.
pub fn label_month(label: &str) -> Option<i32> {
    let period = crate::performance::Period::parse(label).ok()?;
    (period.to_string() == label).then(|| period.year * 12 + i32::from(period.month) - 1)
}

/// One recorded estimate, for history and alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectRun {
    pub id: i64,
    pub program_id: i64,
    pub kpi_id: i64,
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n_trained: i64,
    pub n_comparison: i64,
    pub result_json: String,
    pub created_at: time::OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_round_trip() {
        let date = Date::from_calendar_date(2026, time::Month::March, 31).unwrap();
        assert_eq!(month_index(date), 2026 * 12 + 2);
        assert_eq!(month_label(month_index(date)), "2026-03");
        assert_eq!(month_label(2026 * 12), "2026-01");
    }

    #[test]
    fn only_month_labels_are_months() {
        assert_eq!(label_month("2025-03"), Some(2025 * 12 + 2));
        assert_eq!(label_month("2025-12"), Some(2025 * 12 + 11));
        for label in [
            "2025-Q1",
            "2025",
            "2025-13",
            "2025-00",
            "25-03",
            "2025-3",
            "2025-03-01",
        ] {
            assert_eq!(label_month(label), None, "{label}");
        }
    }

    #[test]
    fn requests_name_the_field_out_of_range() {
        let bad = EffectRequest {
            pre_months: 1,
            ..EffectRequest::default()
        };
        assert!(
            matches!(bad.validated(), Err(DomainError::Validation { field, .. }) if field == "pre_months")
        );
        let bad = EffectRequest {
            post_months: 40,
            ..EffectRequest::default()
        };
        assert!(
            matches!(bad.validated(), Err(DomainError::Validation { field, .. }) if field == "post_months")
        );
        assert_eq!(EffectRequest::default().placebo_months(), 4);
        let roi = RoiAssumptions {
            unit_value: 10.0,
            benefit_months: 0.0,
            default_hourly_cost: 80.0,
        };
        assert!(
            matches!(roi.validated(), Err(DomainError::Validation { field, .. }) if field == "benefit_months")
        );
    }
}
