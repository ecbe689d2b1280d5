//! Certificates (结业证书) issued on completion, with expiry and a public verification
//! page, and learning hours and credits (学时、学分) per person and year against the
//! yearly requirement of their position.

use serde::{Deserialize, Serialize};
use time::Date;

coded_enum!(
    /// A certificate's stored status; expiry is computed from the date.
    CertificateStatus, "status", {
        Valid => "valid" | "有效",
        Revoked => "revoked" | "已撤销",
    }
);

/// What a certificate is worth on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStanding {
    Valid,
    Expired,
    Revoked,
}

impl CertificateStanding {
    pub fn code(self) -> &'static str {
        match self {
            CertificateStanding::Valid => "valid",
            CertificateStanding::Expired => "expired",
            CertificateStanding::Revoked => "revoked",
        }
    }
}

/// A certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    pub id: i64,
    /// SB-2026-000123.
    pub number: String,
    pub enrollment_id: i64,
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub hours: f64,
    pub issued_on: Date,
    /// None: never expires.
    pub expires_on: Option<Date>,
    pub status: CertificateStatus,
    pub revoke_reason: Option<String>,
    /// The secret of the public verification page.
    pub token: String,
}

impl Certificate {
    /// Its standing on `today` (see [`standing`]).
    pub fn standing(&self, today: Date) -> CertificateStanding {
        standing(self.status, self.expires_on, today)
    }
}

/// A certificate is revoked, or expired from its expiry date on, or valid.
pub fn standing(
    status: CertificateStatus,
    expires_on: Option<Date>,
    today: Date,
) -> CertificateStanding {
    match (status, expires_on) {
        (CertificateStatus::Revoked, _) => CertificateStanding::Revoked,
        (_, Some(expiry)) if today >= expiry => CertificateStanding::Expired,
        _ => CertificateStanding::Valid,
    }
}

/// The expiry of a certificate issued on `issued_on` valid for `months` (the same day
/// of the month, or the month's last day when it is shorter).
pub fn expiry_after(issued_on: Date, months: i32) -> Date {
    let total = issued_on.year() * 12 + i32::from(u8::from(issued_on.month())) - 1 + months;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = time::Month::try_from(month0 as u8 + 1).unwrap_or(time::Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, issued_on.day().min(last)).unwrap_or(issued_on)
}

/// Masks a name for the public page: first and last character kept (张*明, 李*).
pub fn masked_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => format!("{}*", chars[0]),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Filters of the certificate list.
#[derive(Debug, Clone, Default)]
pub struct CertificateFilter {
    /// Number, employee number or name, program code or title.
    pub q: Option<String>,
    pub program_id: Option<i64>,
    pub employee_id: Option<i64>,
    /// Only valid certificates whose expiry falls after today and by `today + days`.
    pub expiring_within_days: Option<i64>,
}

/// Learning of one person in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditLine {
    pub employee_id: i64,
    pub employee_number: String,
    pub employee_name: String,
    pub department: String,
    pub position: Option<String>,
    /// Credits the position asks for per year; none when not set.
    pub required: Option<f64>,
    pub hours: f64,
    pub credits: f64,
    /// Completed programs in the year.
    pub programs: i64,
}

impl CreditLine {
    /// Credits still missing (0 when met or no requirement).
    pub fn shortfall(&self) -> f64 {
        self.required
            .map(|r| (r - self.credits).max(0.0))
            .unwrap_or(0.0)
    }

    /// Progress towards the requirement in percent, capped at 100.
    pub fn progress_pct(&self) -> Option<u32> {
        self.required.map(|r| {
            if r <= 0.0 {
                100
            } else {
                ((self.credits / r * 100.0).round() as u32).min(100)
            }
        })
    }
}

/// Filters of the credits report.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CreditFilter {
    pub year: i32,
    pub q: Option<String>,
    pub department_id: Option<i64>,
    /// Only people below their position's requirement.
    #[serde(default)]
    pub below_requirement: bool,
}

/// A position's yearly credit requirement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositionRequirement {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub job_family: Option<String>,
    pub annual_credits: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn expiry_keeps_the_day_or_the_month_end() {
        assert_eq!(
            expiry_after(date!(2025 - 03 - 14), 12),
            date!(2026 - 03 - 14)
        );
        assert_eq!(
            expiry_after(date!(2025 - 01 - 31), 1),
            date!(2025 - 02 - 28)
        );
        assert_eq!(
            expiry_after(date!(2025 - 11 - 30), 3),
            date!(2026 - 02 - 28)
        );
        assert_eq!(
            expiry_after(date!(2024 - 12 - 01), 24),
            date!(2026 - 12 - 01)
        );
    }

    #[test]
    fn standing_follows_status_then_date() {
        let expiry = Some(date!(2026 - 06 - 01));
        use CertificateStatus::*;
        assert_eq!(
            standing(Valid, expiry, date!(2026 - 05 - 31)),
            CertificateStanding::Valid
        );
        assert_eq!(
            standing(Valid, expiry, date!(2026 - 06 - 01)),
            CertificateStanding::Expired
        );
        assert_eq!(
            standing(Revoked, None, date!(2020 - 01 - 01)),
            CertificateStanding::Revoked
        );
        assert_eq!(
            standing(Valid, None, date!(2099 - 01 - 01)),
            CertificateStanding::Valid
        );
    }

    #[test]
    fn names_are_masked() {
        assert_eq!(masked_name("张三明"), "张*明");
        assert_eq!(masked_name("李四"), "李*");
        assert_eq!(masked_name("欧阳小明"), "欧**明");
        assert_eq!(masked_name(""), "");
    }
}
