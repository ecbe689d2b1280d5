//! Recognition: certificates (list, issue, revoke, download, public verification),
//! learning hours and credits, and the learner's own surveys, certificates and credits.

use crate::Context;
use crate::access::{require, scope_or_forbidden};
use domain::audit::{Actor, AuditRepository};
use domain::certificates::{
    Certificate, CertificateFilter, CreditFilter, CreditLine, PositionRequirement,
};
use domain::org::{Department, OrgRepository};
use domain::surveys::Survey;
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::prelude::*;
use time::OffsetDateTime;

/// Pages one export reads at most (of `Page::MAX_PER_PAGE` rows each).
const EXPORT_MAX_PAGES: u32 = 500;

// ----- certificates ---------------------------------------------------------------------

/// Certificates in the caller's program scope (program staff).
pub async fn list_certificates(
    ctx: &Context,
    principal: &Principal,
    filter: &CertificateFilter,
    page: Page,
) -> DomainResult<Paged<Certificate>> {
    let scope = scope_or_forbidden(principal, Permission::ManagePrograms)?;
    ctx.store
        .list_certificates(&scope, filter, ctx.today(), page)
        .await
}

/// Every certificate matching the filter, for a download; the export is recorded in
/// the audit log.
pub async fn export_certificates(
    ctx: &Context,
    principal: &Principal,
    filter: &CertificateFilter,
    actor: &Actor,
) -> DomainResult<Vec<Certificate>> {
    let scope = scope_or_forbidden(principal, Permission::ManagePrograms)?;
    let today = ctx.today();
    let mut rows = Vec::new();
    let mut page_no = 1;
    loop {
        let chunk = ctx
            .store
            .list_certificates(
                &scope,
                filter,
                today,
                Page::new(Some(page_no), Some(Page::MAX_PER_PAGE)),
            )
            .await?;
        let done = chunk.items.len() < Page::MAX_PER_PAGE as usize || page_no >= EXPORT_MAX_PAGES;
        rows.extend(chunk.items);
        if done {
            break;
        }
        page_no += 1;
    }
    ctx.store
        .append_audit(&actor.entry("certificate.export", "certificate").change(
            None,
            Some(serde_json::json!({ "rows": rows.len() }).to_string()),
        ))
        .await?;
    Ok(rows)
}

/// The caller's own certificates (none for an account without an employee record).
pub async fn my_certificates(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<Certificate>> {
    match principal.employee_id {
        Some(me) => ctx.store.employee_certificates(me).await,
        None => Ok(Vec::new()),
    }
}

/// Issues a certificate by hand for a completed enrollment that has no valid one.
pub async fn issue_certificate(
    ctx: &Context,
    principal: &Principal,
    enrollment_id: i64,
    actor: &Actor,
) -> DomainResult<Certificate> {
    require(principal, Permission::ManagePrograms)?;
    let id = ctx.store.issue_certificate(enrollment_id, actor).await?;
    ctx.store.certificate(id).await
}

/// Revokes a certificate, with a reason.
pub async fn revoke_certificate(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    reason: &str,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.revoke_certificate(id, reason, actor).await
}

/// A certificate for its holder and program staff; `NotFound` for anybody else.
pub async fn holder_certificate(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<Certificate> {
    let c = ctx.store.certificate(id).await?;
    let own = principal.employee_id == Some(c.employee_id);
    if !own && !principal.can(Permission::ManagePrograms) {
        return Err(DomainError::NotFound {
            entity: "certificate",
        });
    }
    Ok(c)
}

/// The certificate with verification token `token` (public: anyone may verify).
pub async fn verify_certificate(ctx: &Context, token: &str) -> DomainResult<Certificate> {
    ctx.store.certificate_by_token(token).await
}

// ----- credits ---------------------------------------------------------------------------

/// What the credits report is asked for; the year defaults to this one.
#[derive(Debug, Clone, Default)]
pub struct CreditQuery {
    pub year: Option<i32>,
    pub q: Option<String>,
    pub department_id: Option<i64>,
    pub below_requirement: bool,
}

/// The year asked for, or this year; a year outside 1990–2200 is a validation error.
pub fn credit_year(ctx: &Context, year: Option<i32>) -> DomainResult<i32> {
    match year {
        None => Ok(ctx.today().year()),
        Some(y) if (1990..=2200).contains(&y) => Ok(y),
        Some(y) => Err(DomainError::invalid("year", format!("{y} is not a year"))),
    }
}

fn credit_filter(ctx: &Context, query: &CreditQuery) -> DomainResult<CreditFilter> {
    Ok(CreditFilter {
        year: credit_year(ctx, query.year)?,
        q: query.q.clone(),
        department_id: query.department_id,
        below_requirement: query.below_requirement,
    })
}

/// Hours and credits per person for a year, within the caller's training-needs scope
/// (a manager sees their subtree); with the filter applied (the year resolved).
pub async fn credit_report(
    ctx: &Context,
    principal: &Principal,
    query: &CreditQuery,
    page: Page,
) -> DomainResult<(CreditFilter, Paged<CreditLine>)> {
    let scope = scope_or_forbidden(principal, Permission::ManageTrainingNeeds)?;
    let filter = credit_filter(ctx, query)?;
    let lines = ctx.store.credit_report(&scope, &filter, page).await?;
    Ok((filter, lines))
}

/// Whether the caller may set positions' yearly credit requirements.
pub fn may_set_credit_requirements(principal: &Principal) -> bool {
    principal.can(Permission::ManagePrograms)
}

/// The credits report with what its page offers besides: the departments in scope to
/// filter by, and the positions' requirements for those who may set them.
pub struct CreditsOverview {
    pub filter: CreditFilter,
    pub lines: Paged<CreditLine>,
    pub departments: Vec<Department>,
    /// `None` unless the caller may set requirements.
    pub requirements: Option<Vec<PositionRequirement>>,
}

/// [`credit_report`] with the departments in scope and, for program staff, the
/// positions' requirements.
pub async fn credits_overview(
    ctx: &Context,
    principal: &Principal,
    query: &CreditQuery,
    page: Page,
) -> DomainResult<CreditsOverview> {
    let scope = scope_or_forbidden(principal, Permission::ManageTrainingNeeds)?;
    let filter = credit_filter(ctx, query)?;
    let lines = ctx.store.credit_report(&scope, &filter, page).await?;
    let departments = ctx.store.list_departments(&scope).await?;
    let requirements = if may_set_credit_requirements(principal) {
        Some(ctx.store.position_requirements().await?)
    } else {
        None
    };
    Ok(CreditsOverview {
        filter,
        lines,
        departments,
        requirements,
    })
}

/// The whole credits report for a download; the export is recorded in the audit log.
pub async fn export_credits(
    ctx: &Context,
    principal: &Principal,
    query: &CreditQuery,
    actor: &Actor,
) -> DomainResult<(CreditFilter, Vec<CreditLine>)> {
    let scope = scope_or_forbidden(principal, Permission::ManageTrainingNeeds)?;
    let filter = credit_filter(ctx, query)?;
    let mut rows = Vec::new();
    let mut page_no = 1;
    loop {
        let chunk = ctx
            .store
            .credit_report(
                &scope,
                &filter,
                Page::new(Some(page_no), Some(Page::MAX_PER_PAGE)),
            )
            .await?;
        let done = chunk.items.len() < Page::MAX_PER_PAGE as usize || page_no >= EXPORT_MAX_PAGES;
        rows.extend(chunk.items);
        if done {
            break;
        }
        page_no += 1;
    }
    ctx.store
        .append_audit(
            &actor.entry("credits.export", "employee").change(
                None,
                Some(
                    serde_json::json!({ "rows": rows.len(), "year": filter.year, "below": filter.below_requirement })
                        .to_string(),
                ),
            ),
        )
        .await?;
    Ok((filter, rows))
}

/// The caller's own hours and credits for a year (`NotFound` without an employee
/// record).
pub async fn my_credits(
    ctx: &Context,
    principal: &Principal,
    year: Option<i32>,
) -> DomainResult<CreditLine> {
    let year = credit_year(ctx, year)?;
    let Some(me) = principal.employee_id else {
        return Err(DomainError::NotFound { entity: "employee" });
    };
    ctx.store.person_credits(me, year).await
}

/// Sets a position's yearly credit requirement (`None` clears it).
pub async fn set_credit_requirement(
    ctx: &Context,
    principal: &Principal,
    position_code: &str,
    annual_credits: Option<f64>,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store
        .set_credit_requirement(position_code, annual_credits, actor)
        .await
}

// ----- the learner's own -------------------------------------------------------------------

/// What a learner sees of their recognition: surveys to answer, certificates, this
/// year's credits and, for an instructor, their instructor record.
#[derive(Debug, Clone, Default)]
pub struct LearnerPanel {
    pub surveys: Vec<Survey>,
    pub certificates: Vec<Certificate>,
    pub credits: Option<CreditLine>,
    pub year: i32,
    /// The caller's instructor record, for the link to their results.
    pub instructor: Option<i64>,
}

/// The caller's [`LearnerPanel`]; empty for an account without an employee record.
pub async fn learner_panel(ctx: &Context, principal: &Principal) -> DomainResult<LearnerPanel> {
    let today = ctx.today();
    let mut panel = LearnerPanel {
        year: today.year(),
        ..LearnerPanel::default()
    };
    let Some(employee) = principal.employee_id else {
        return Ok(panel);
    };
    panel.surveys = ctx
        .store
        .surveys_to_answer(employee, OffsetDateTime::now_utc())
        .await?;
    panel.certificates = ctx.store.employee_certificates(employee).await?;
    panel.credits = Some(ctx.store.person_credits(employee, today.year()).await?);
    if principal.can(Permission::TeachSessions) {
        panel.instructor = ctx.store.instructor_of_employee(employee).await?;
    }
    Ok(panel)
}
