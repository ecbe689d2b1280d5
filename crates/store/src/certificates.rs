//! Certificates issued on completion (automatically when a program's completion is
//! settled, or by hand), their revocation and expiry; learning hours and credits per
//! person and year against the yearly requirement of their position.

use crate::audit::{append_in, write_audited};
use crate::org::{Own, push_scope};
use crate::prelude::*;
use crate::query::{fetch_page, one_or_not_found, paged, push_any_contains};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::certificates::{
    Certificate, CertificateFilter, CertificateStatus, CreditFilter, CreditLine,
    PositionRequirement,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use time::{Date, OffsetDateTime};

/// A certificate's number: `SB-<year issued>-<id, six digits>`.
pub(crate) fn certificate_number(year: i32, id: i64) -> String {
    format!("SB-{year}-{id:06}")
}

/// A fresh verification token: 16 random bytes in hex.
pub(crate) fn new_token() -> DomainResult<String> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf)
        .map_err(|e| DomainError::internal_from("the random generator failed", e))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Issues a certificate inside the open transaction `$tx` for each enrollment id in
/// `$enrollments` that has no valid one, dated `$issued_on` and valid for `$months`
/// (None: never expires). Evaluates to the new certificate ids.
macro_rules! issue_certificates_in {
    ($tx:ident, $enrollments:expr, $issued_on:expr, $months:expr) => {{
        let issued_on: time::Date = $issued_on;
        let months: Option<i32> = $months;
        let expires_on = months.map(|m| domain::certificates::expiry_after(issued_on, m));
        let now = $crate::DbTime(time::OffsetDateTime::now_utc());
        let mut issued: Vec<i64> = Vec::new();
        for enrollment in $enrollments {
            let enrollment: i64 = *enrollment;
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM certificates WHERE enrollment_id = $1 AND status = 'valid'",
            )
            .bind(enrollment)
            .fetch_optional(&mut *$tx)
            .await
            .map_err($crate::db_error)?;
            if existing.is_some() {
                continue;
            }
            // The token stands in for the number until the id is known.
            let token = $crate::certificates::new_token()?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO certificates (number, enrollment_id, employee_id, program_id, issued_on, expires_on, token, created_at) \
                 SELECT $1, en.id, en.employee_id, en.program_id, $2, $3, $1, $4 FROM enrollments en WHERE en.id = $5 RETURNING id",
            )
            .bind(&token)
            .bind(issued_on)
            .bind(expires_on)
            .bind(now)
            .bind(enrollment)
            .fetch_one(&mut *$tx)
            .await
            .map_err($crate::db_error)?;
            sqlx::query("UPDATE certificates SET number = $2 WHERE id = $1")
                .bind(id)
                .bind($crate::certificates::certificate_number(issued_on.year(), id))
                .execute(&mut *$tx)
                .await
                .map_err($crate::db_error)?;
            issued.push(id);
        }
        issued
    }};
}
pub(crate) use issue_certificates_in;

const CERTIFICATE_SELECT: &str = "SELECT c.id, c.number, c.enrollment_id, c.employee_id, e.employee_no AS employee_number, \
    e.name AS employee_name, d.name AS department, c.program_id, p.code AS program_code, p.title AS program_title, \
    COALESCE(en.hours, p.hours) AS hours, c.issued_on, c.expires_on, c.status, c.revoke_reason, c.token \
    FROM certificates c JOIN employees e ON e.id = c.employee_id JOIN departments d ON d.id = e.department_id \
    JOIN programs p ON p.id = c.program_id JOIN enrollments en ON en.id = c.enrollment_id";

#[derive(sqlx::FromRow)]
struct CertificateRow {
    id: i64,
    number: String,
    enrollment_id: i64,
    employee_id: i64,
    employee_number: String,
    employee_name: String,
    department: String,
    program_id: i64,
    program_code: String,
    program_title: String,
    hours: f64,
    issued_on: Date,
    expires_on: Option<Date>,
    status: String,
    revoke_reason: Option<String>,
    token: String,
}

impl CertificateRow {
    fn into_certificate(self) -> DomainResult<Certificate> {
        Ok(Certificate {
            id: self.id,
            number: self.number,
            enrollment_id: self.enrollment_id,
            employee_id: self.employee_id,
            employee_number: self.employee_number,
            employee_name: self.employee_name,
            department: self.department,
            program_id: self.program_id,
            program_code: self.program_code,
            program_title: self.program_title,
            hours: self.hours,
            issued_on: self.issued_on,
            expires_on: self.expires_on,
            status: CertificateStatus::parse(&self.status)?,
            revoke_reason: self.revoke_reason,
            token: self.token,
        })
    }
}

/// Credits of one completed enrollment: the program's credits, or, when the program
/// has none (imported history), its hours.
const ENROLLMENT_CREDITS_SQL: &str =
    "CASE WHEN p.credits > 0 THEN p.credits ELSE COALESCE(en.hours, p.hours) END";

#[derive(sqlx::FromRow)]
struct CreditRow {
    employee_id: i64,
    employee_number: String,
    employee_name: String,
    department: String,
    position: Option<String>,
    required: Option<f64>,
    hours: f64,
    credits: f64,
    programs: i64,
}

impl From<CreditRow> for CreditLine {
    fn from(r: CreditRow) -> Self {
        CreditLine {
            employee_id: r.employee_id,
            employee_number: r.employee_number,
            employee_name: r.employee_name,
            department: r.department,
            position: r.position,
            required: r.required,
            hours: (r.hours * 100.0).round() / 100.0,
            credits: (r.credits * 100.0).round() / 100.0,
            programs: r.programs,
        }
    }
}

fn year_bounds(year: i32) -> DomainResult<(Date, Date)> {
    let start = Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|_| DomainError::invalid("year", "is not a year"))?;
    let end = Date::from_calendar_date(year + 1, time::Month::January, 1)
        .map_err(|_| DomainError::invalid("year", "is not a year"))?;
    Ok((start, end))
}

/// The certificates port: every query and change of this context.
pub trait CertificateRepository {
    // ----- certificates -----------------------------------------------------------

    /// Issues a certificate by hand for a completed enrollment that has no valid one.
    fn issue_certificate(
        &self,
        enrollment_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Revokes a valid certificate, with the reason shown on the verification page.
    fn revoke_certificate(
        &self,
        id: i64,
        reason: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    fn certificate(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Certificate>> + Send;

    /// The certificate behind a verification token.
    fn certificate_by_token(
        &self,
        token: &str,
    ) -> impl std::future::Future<Output = DomainResult<Certificate>> + Send;

    /// Certificates of the people in `scope`, newest first.
    fn list_certificates(
        &self,
        scope: &DataScope,
        filter: &CertificateFilter,
        today: Date,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<Certificate>>> + Send;

    /// Valid certificates whose expiry falls after `today` and by `today + within_days`,
    /// soonest first, company-wide: for recertification reminders.
    fn certificates_expiring(
        &self,
        within_days: i64,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Certificate>>> + Send;

    /// One employee's certificates, newest first.
    fn employee_certificates(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Certificate>>> + Send;

    // ----- learning hours and credits ----------------------------------------------

    /// Hours and credits per active person in `scope` for a calendar year, from the
    /// enrollments completed in it (credits: the program's, or its hours when it has
    /// none), against their position's yearly requirement.
    fn credit_report(
        &self,
        scope: &DataScope,
        filter: &CreditFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<CreditLine>>> + Send;

    /// One person's hours and credits in a year (also when they have left).
    fn person_credits(
        &self,
        employee_id: i64,
        year: i32,
    ) -> impl std::future::Future<Output = DomainResult<CreditLine>> + Send;

    /// Every position with its yearly credit requirement.
    fn position_requirements(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<PositionRequirement>>> + Send;

    /// Sets (or clears, with None) a position's yearly credit requirement.
    fn set_credit_requirement(
        &self,
        position_code: &str,
        annual_credits: Option<f64>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;
}

impl CertificateRepository for crate::Store {
    // ----- certificates -----------------------------------------------------------

    /// Issues a certificate by hand for a completed enrollment that has no valid one.
    async fn issue_certificate(&self, enrollment_id: i64, actor: &Actor) -> DomainResult<i64> {
        let enrollment = self.enrollment(enrollment_id).await?;
        if enrollment.status != domain::operations::EnrollmentStatus::Completed {
            return Err(DomainError::invalid(
                "enrollment",
                "only a completed enrollment earns a certificate",
            ));
        }
        let months = self
            .program_detail(enrollment.program_id)
            .await?
            .certificate_months;
        let issued_on = enrollment
            .completed_on
            .unwrap_or_else(|| OffsetDateTime::now_utc().date());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let issued = issue_certificates_in!(tx, &[enrollment_id], issued_on, months);
            let Some(id) = issued.first().copied() else {
                return Err(DomainError::Conflict(
                    "the enrollment already has a valid certificate".into(),
                ));
            };
            let after = serde_json::json!({ "enrollment_id": enrollment_id, "issued_on": issued_on.to_string() }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("certificate.issue", "certificate")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Revokes a valid certificate, with the reason shown on the verification page.
    async fn revoke_certificate(&self, id: i64, reason: &str, actor: &Actor) -> DomainResult<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(DomainError::invalid(
                "reason",
                "is required, at most 500 characters",
            ));
        }
        let certificate = self.certificate(id).await?;
        if certificate.status == CertificateStatus::Revoked {
            return Err(DomainError::invalid(
                "status",
                "the certificate is already revoked",
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE certificates SET status = 'revoked', revoked_at = $2, revoke_reason = $3 WHERE id = $1 AND status = 'valid'")
                .bind(id).bind(DbTime(OffsetDateTime::now_utc())).bind(reason)
                .execute(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "status": "revoked", "reason": reason }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("certificate.revoke", "certificate")
                    .entity(id)
                    .change(
                        Some(serde_json::json!({ "status": "valid" }).to_string()),
                        Some(after)
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    async fn certificate(&self, id: i64) -> DomainResult<Certificate> {
        let row: CertificateRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{CERTIFICATE_SELECT} WHERE c.id = $1"),
                id,
                "certificate",
            )
            .await?
        });
        row.into_certificate()
    }

    /// The certificate behind a verification token.
    async fn certificate_by_token(&self, token: &str) -> DomainResult<Certificate> {
        let token = token.trim();
        if token.is_empty() || token.len() > 64 {
            return Err(DomainError::NotFound {
                entity: "certificate",
            });
        }
        let row: CertificateRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{CERTIFICATE_SELECT} WHERE c.token = $1"),
                token,
                "certificate",
            )
            .await?
        });
        row.into_certificate()
    }

    /// Certificates of the people in `scope`, newest first.
    async fn list_certificates(
        &self,
        scope: &DataScope,
        filter: &CertificateFilter,
        today: Date,
        page: Page,
    ) -> DomainResult<Paged<Certificate>> {
        let q = search_pattern(filter.q.as_deref());
        let until = filter
            .expiring_within_days
            .map(|days| today + time::Duration::days(days.clamp(0, 3650)));
        let (rows, total): (Vec<CertificateRow>, i64) = on_pool!(self, |pool| {
            let mut rows_qb = QueryBuilder::new(CERTIFICATE_SELECT);
            let mut count_qb = QueryBuilder::new(
                "SELECT COUNT(*) FROM certificates c JOIN employees e ON e.id = c.employee_id \
                 JOIN departments d ON d.id = e.department_id JOIN programs p ON p.id = c.program_id",
            );
            for qb in [&mut rows_qb, &mut count_qb] {
                qb.push(" WHERE ");
                push_scope(qb, scope, "d.path", Own::EmployeeIn("e.id"));
                if let Some(pattern) = &q {
                    let columns = ["c.number", "e.name", "e.employee_no", "p.code", "p.title"];
                    push_any_contains(qb, &columns, pattern);
                }
                if let Some(program) = filter.program_id {
                    qb.push(" AND c.program_id = ").push_bind(program);
                }
                if let Some(employee) = filter.employee_id {
                    qb.push(" AND c.employee_id = ").push_bind(employee);
                }
                if let Some(until) = until {
                    qb.push(" AND c.status = 'valid' AND c.expires_on > ")
                        .push_bind(today)
                        .push(" AND c.expires_on <= ")
                        .push_bind(until);
                }
            }
            if until.is_some() {
                rows_qb.push(" ORDER BY c.expires_on, c.id");
            } else {
                rows_qb.push(" ORDER BY c.issued_on DESC, c.id DESC");
            }
            fetch_page(pool, &mut rows_qb, &mut count_qb, page).await?
        });
        let items = rows.into_iter().map(CertificateRow::into_certificate);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// Valid certificates whose expiry falls after `today` and by `today + within_days`,
    /// soonest first, company-wide: for recertification reminders.
    async fn certificates_expiring(
        &self,
        within_days: i64,
        today: Date,
    ) -> DomainResult<Vec<Certificate>> {
        let filter = CertificateFilter {
            expiring_within_days: Some(within_days),
            ..CertificateFilter::default()
        };
        let mut out = Vec::new();
        let mut page_no = 1;
        loop {
            let page = Page::new(Some(page_no), Some(Page::MAX_PER_PAGE));
            let chunk = self
                .list_certificates(&DataScope::company(), &filter, today, page)
                .await?;
            let done = chunk.items.len() < Page::MAX_PER_PAGE as usize;
            out.extend(chunk.items);
            if done {
                break;
            }
            page_no += 1;
        }
        Ok(out)
    }

    /// One employee's certificates, newest first.
    async fn employee_certificates(&self, employee_id: i64) -> DomainResult<Vec<Certificate>> {
        let rows: Vec<CertificateRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{CERTIFICATE_SELECT} WHERE c.employee_id = $1 ORDER BY c.issued_on DESC, c.id DESC"
            ))
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        rows.into_iter()
            .map(CertificateRow::into_certificate)
            .collect()
    }

    // ----- learning hours and credits ----------------------------------------------

    /// Hours and credits per active person in `scope` for a calendar year, from the
    /// enrollments completed in it (credits: the program's, or its hours when it has
    /// none), against their position's yearly requirement.
    async fn credit_report(
        &self,
        scope: &DataScope,
        filter: &CreditFilter,
        page: Page,
    ) -> DomainResult<Paged<CreditLine>> {
        let (start, end) = year_bounds(filter.year)?;
        let q = search_pattern(filter.q.as_deref());
        let department_path: Option<String> =
            match filter.department_id {
                Some(id) => {
                    let path: Option<String> = on_pool!(self, |pool| {
                        sqlx::query_scalar("SELECT path FROM departments WHERE id = $1")
                            .bind(id)
                            .fetch_optional(pool)
                            .await
                            .map_err(db_error)?
                    });
                    Some(path.ok_or_else(|| {
                        DomainError::invalid("department_id", "no such department")
                    })?)
                }
                None => None,
            };
        let (rows, total): (Vec<CreditRow>, i64) = on_pool!(self, |pool| {
            let mut rows_qb = QueryBuilder::new(
                "SELECT e.id AS employee_id, e.employee_no AS employee_number, e.name AS employee_name, d.name AS department, \
                 pos.name AS position, pos.annual_credits AS required, COALESCE(c.hours, 0.0) AS hours, \
                 COALESCE(c.credits, 0.0) AS credits, COALESCE(c.programs, 0) AS programs",
            );
            let mut count_qb = QueryBuilder::new("SELECT COUNT(*)");
            for qb in [&mut rows_qb, &mut count_qb] {
                qb.push(format!(
                    " FROM employees e JOIN departments d ON d.id = e.department_id LEFT JOIN positions pos ON pos.id = e.position_id \
                     LEFT JOIN (SELECT en.employee_id, SUM(COALESCE(en.hours, p.hours)) AS hours, SUM({ENROLLMENT_CREDITS_SQL}) AS credits, \
                       COUNT(*) AS programs FROM enrollments en JOIN programs p ON p.id = en.program_id \
                       WHERE en.status = 'completed' AND en.completed_on >= "
                ))
                .push_bind(start).push(" AND en.completed_on < ").push_bind(end)
                .push(" GROUP BY en.employee_id) c ON c.employee_id = e.id WHERE e.status = 'active' AND ");
                push_scope(qb, scope, "d.path", Own::EmployeeIn("e.id"));
                if let Some(path) = &department_path {
                    qb.push(" AND d.path LIKE ").push_bind(format!("{path}%"));
                }
                if let Some(pattern) = &q {
                    push_any_contains(qb, &["e.name", "e.employee_no"], pattern);
                }
                if filter.below_requirement {
                    qb.push(" AND pos.annual_credits IS NOT NULL AND COALESCE(c.credits, 0.0) < pos.annual_credits");
                }
            }
            rows_qb.push(" ORDER BY d.path, e.employee_no");
            fetch_page(pool, &mut rows_qb, &mut count_qb, page).await?
        });
        Ok(paged(
            page,
            total,
            rows.into_iter().map(CreditLine::from).collect(),
        ))
    }

    /// One person's hours and credits in a year (also when they have left).
    async fn person_credits(&self, employee_id: i64, year: i32) -> DomainResult<CreditLine> {
        let (start, end) = year_bounds(year)?;
        let row: Option<CreditRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "SELECT e.id AS employee_id, e.employee_no AS employee_number, e.name AS employee_name, d.name AS department, \
                 pos.name AS position, pos.annual_credits AS required, \
                 COALESCE((SELECT SUM(COALESCE(en.hours, p.hours)) FROM enrollments en JOIN programs p ON p.id = en.program_id \
                   WHERE en.employee_id = e.id AND en.status = 'completed' AND en.completed_on >= $2 AND en.completed_on < $3), 0.0) AS hours, \
                 COALESCE((SELECT SUM({ENROLLMENT_CREDITS_SQL}) FROM enrollments en JOIN programs p ON p.id = en.program_id \
                   WHERE en.employee_id = e.id AND en.status = 'completed' AND en.completed_on >= $2 AND en.completed_on < $3), 0.0) AS credits, \
                 (SELECT COUNT(*) FROM enrollments en WHERE en.employee_id = e.id AND en.status = 'completed' \
                   AND en.completed_on >= $2 AND en.completed_on < $3) AS programs \
                 FROM employees e JOIN departments d ON d.id = e.department_id LEFT JOIN positions pos ON pos.id = e.position_id \
                 WHERE e.id = $1"
            )).bind(employee_id).bind(start).bind(end).fetch_optional(pool).await.map_err(db_error)?
        });
        row.map(CreditLine::from)
            .ok_or(DomainError::NotFound { entity: "employee" })
    }

    /// Every position with its yearly credit requirement.
    async fn position_requirements(&self) -> DomainResult<Vec<PositionRequirement>> {
        /// (id, code, name, job family, yearly credits).
        type Row = (i64, String, String, Option<String>, Option<f64>);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, code, name, job_family, annual_credits FROM positions ORDER BY job_family, code")
                .fetch_all(pool).await.map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, code, name, job_family, annual_credits)| PositionRequirement {
                    id,
                    code,
                    name,
                    job_family,
                    annual_credits,
                },
            )
            .collect())
    }

    /// Sets (or clears, with None) a position's yearly credit requirement.
    async fn set_credit_requirement(
        &self,
        position_code: &str,
        annual_credits: Option<f64>,
        actor: &Actor,
    ) -> DomainResult<()> {
        if let Some(c) = annual_credits
            && !(c.is_finite() && (0.0..=1000.0).contains(&c))
        {
            return Err(DomainError::invalid(
                "annual_credits",
                "must be between 0 and 1000",
            ));
        }
        let code = position_code.trim();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let before: Option<(i64, Option<f64>)> =
                sqlx::query_as("SELECT id, annual_credits FROM positions WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let Some((id, before)) = before else {
                return Err(DomainError::NotFound { entity: "position" });
            };
            write_audited!(
                tx,
                sqlx::query("UPDATE positions SET annual_credits = $2 WHERE id = $1")
                    .bind(id)
                    .bind(annual_credits),
                &actor
                    .entry("position.credit_requirement", "position")
                    .entity(id)
                    .change(
                        Some(serde_json::json!({ "annual_credits": before }).to_string()),
                        Some(serde_json::json!({ "annual_credits": annual_credits }).to_string()),
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }
}
