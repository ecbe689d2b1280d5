//! Performance data: KPI definitions and monthly values.

use crate::{DomainError, DomainResult};
use serde::Serialize;
use std::fmt;

/// Whether a higher or a lower value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Higher,
    Lower,
}

impl Direction {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Direction::Higher => "higher",
            Direction::Lower => "lower",
        }
    }

    /// Parses `higher`/`lower` or the Chinese forms HR files use.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim().to_lowercase().as_str() {
            "higher" | "high" | "up" | "越高越好" | "高" | "正向" => Ok(Direction::Higher),
            "lower" | "low" | "down" | "越低越好" | "低" | "反向" => Ok(Direction::Lower),
            other => Err(DomainError::invalid(
                "direction",
                format!("'{other}' is not higher or lower (越高越好/越低越好)"),
            )),
        }
    }
}

/// How values of a KPI combine across people or months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Mean,
    Rate,
}

impl Aggregation {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Rate => "rate",
        }
    }

    /// Parses `sum`/`mean`/`rate` or their Chinese names.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim().to_lowercase().as_str() {
            "sum" | "total" | "求和" | "合计" | "累计" => Ok(Aggregation::Sum),
            "mean" | "average" | "avg" | "平均" | "平均值" => Ok(Aggregation::Mean),
            "rate" | "ratio" | "比率" | "比例" | "率" => Ok(Aggregation::Rate),
            other => Err(DomainError::invalid(
                "aggregation",
                format!("'{other}' is not sum, mean or rate (求和/平均/比率)"),
            )),
        }
    }
}

/// Who reported a value; reconciliation compares `Hr` (or `Import`) with `Business`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiSource {
    /// Entered by HR.
    Hr,
    /// Delivered by a business system (MES, CRM, ERP).
    Business,
    /// Loaded from a file without saying who reported it.
    Import,
}

impl KpiSource {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            KpiSource::Hr => "hr",
            KpiSource::Business => "business",
            KpiSource::Import => "import",
        }
    }

    /// Parses a source code or its Chinese name; empty means `Import`.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim().to_lowercase().as_str() {
            "" | "import" | "导入" => Ok(KpiSource::Import),
            "hr" | "人力" | "人力资源" | "hr录入" | "人工录入" => Ok(KpiSource::Hr),
            "business" | "system" | "业务" | "业务系统" | "系统" => Ok(KpiSource::Business),
            other => Err(DomainError::invalid(
                "source",
                format!("'{other}' is not hr, business or import (人力/业务系统/导入)"),
            )),
        }
    }
}

/// A calendar month, the default KPI period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub month: u8,
}

impl Period {
    /// Parses `2025-06`, `2025/6`, `2025.06`, `2025年6月` or `202506`.
    pub fn parse(text: &str) -> DomainResult<Self> {
        let t = text.trim();
        let bad = || {
            DomainError::invalid(
                "period",
                format!("'{t}' is not a month (use 2025-06 or 2025年6月)"),
            )
        };
        let (y, m) = if t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) {
            (&t[..4], &t[4..])
        } else {
            let norm = t.trim_end_matches('月');
            let split = norm.find(['-', '/', '.', '年']).ok_or_else(bad)?;
            let sep_len = norm[split..]
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(1);
            (&norm[..split], &norm[split + sep_len..])
        };
        let year: i32 = y.trim().parse().map_err(|_| bad())?;
        let month: u8 = m.trim().parse().map_err(|_| bad())?;
        if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    /// Months since January 1900 (a compact, ordered number).
    pub fn index(self) -> u32 {
        (self.year as u32 - 1900) * 12 + u32::from(self.month) - 1
    }

    /// The month containing `date`.
    pub fn containing(date: time::Date) -> Self {
        Self {
            year: date.year(),
            month: u8::from(date.month()),
        }
    }

    /// The preceding month.
    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The following month.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A KPI definition.
#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub aggregation: Aggregation,
    /// The system of record (e.g. MES, CRM, HR).
    pub source_system: Option<String>,
}

/// A KPI definition to create or update (by code).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiInput {
    pub code: String,
    pub name: String,
    pub unit: Option<String>,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub source_system: Option<String>,
    /// Reconciliation tolerance: the absolute HR/business difference accepted.
    pub tolerance: Option<f64>,
    /// Data-entry rule: the role that enters the KPI.
    pub responsible_role: Option<crate::Role>,
    /// Data-entry rule: the department that enters it (a department id).
    pub responsible_department_id: Option<i64>,
    /// Data-entry rule: the day of the following month by which values are due.
    pub entry_deadline_day: Option<u8>,
    /// Values are due every quarter-end month instead of every month.
    pub quarterly: bool,
}

/// Default deadline: the 5th of the month after the period.
pub const DEFAULT_DEADLINE_DAY: u8 = 5;

/// Whether a KPI's values for a month are complete and on time.
#[derive(Debug, Clone, Serialize)]
pub struct EntryStatus {
    pub kpi_code: String,
    pub kpi_name: String,
    pub responsible_role: Option<String>,
    pub responsible_department: Option<String>,
    /// The due date (YYYY-MM-DD).
    pub deadline: String,
    /// People who reported the KPI in the three months before (and have not left).
    pub expected: i64,
    pub present: i64,
    pub missing: i64,
    /// Values entered after the deadline.
    pub late: i64,
    /// False for a quarterly KPI outside a quarter-end month (nothing is due).
    pub due: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_the_forms_exports_use() {
        for t in ["2025-06", "2025/6", "2025.06", "2025年6月", "202506"] {
            assert_eq!(Period::parse(t).unwrap().to_string(), "2025-06", "{t}");
        }
        for bad in ["2025-13", "June", "25-06", ""] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert!(
            Period::parse("2024-12").unwrap().index() < Period::parse("2025-01").unwrap().index()
        );
        assert_eq!(
            Period::parse("2024-12").unwrap().next().to_string(),
            "2025-01"
        );
        assert_eq!(
            Period::parse("2025-01").unwrap().previous().to_string(),
            "2024-12"
        );
        assert_eq!(
            Period::containing(time::macros::date!(2026 - 03 - 15))
                .previous()
                .to_string(),
            "2026-02"
        );
    }

    #[test]
    fn codes_and_chinese_names() {
        assert_eq!(Direction::parse("越低越好").unwrap(), Direction::Lower);
        assert_eq!(Aggregation::parse("平均").unwrap(), Aggregation::Mean);
        assert_eq!(KpiSource::parse("业务系统").unwrap(), KpiSource::Business);
        assert!(KpiSource::parse("rumour").is_err());
    }
}

/// Where a reconciliation difference stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconciliationStatus {
    Open,
    AcceptedHr,
    AcceptedBusiness,
    Annotated,
}

impl ReconciliationStatus {
    /// Every status.
    pub const ALL: [ReconciliationStatus; 4] = [
        Self::Open,
        Self::AcceptedHr,
        Self::AcceptedBusiness,
        Self::Annotated,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::AcceptedHr => "accepted_hr",
            Self::AcceptedBusiness => "accepted_business",
            Self::Annotated => "annotated",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> DomainResult<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
            .ok_or_else(|| {
                DomainError::invalid(
                    "status",
                    format!("'{code}' is not open, accepted_hr, accepted_business or annotated"),
                )
            })
    }
}

/// One HR figure that differs from the business system's beyond the KPI's tolerance.
#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationItem {
    pub id: i64,
    pub kpi_code: String,
    pub kpi_name: String,
    pub employee_no: Option<String>,
    pub employee_name: Option<String>,
    pub department_name: String,
    pub period: String,
    pub hr_value: f64,
    pub business_value: f64,
    pub status: ReconciliationStatus,
    pub note: Option<String>,
    pub decided_by: Option<String>,
}

/// Open and decided differences of one department and month.
#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationSummary {
    pub department_name: String,
    pub period: String,
    pub open: i64,
    pub decided: i64,
}
