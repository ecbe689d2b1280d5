//! Performance data: KPI definitions and values, their monthly entry, and the
//! reconciliation of HR figures against the business systems'.

use crate::Context;
use crate::access::{require, scope_or_forbidden};
use crate::imports::require_company_people_manager;
use domain::audit::Actor;
use domain::org::OrgRepository;
use domain::performance::{
    EntryStatus, Period, ReconciliationItem, ReconciliationStatus, ReconciliationSummary,
};
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::prelude::*;
use store::{KpiHistoryRow, KpiSummary, ReconciliationRun};

/// Whether the caller may upload KPI definitions and values (and sees the form).
pub fn may_import(principal: &Principal) -> bool {
    principal.manages_people_company_wide()
}

/// Fails with `Forbidden` unless the caller may upload KPI data (checked before an
/// upload is read).
pub fn require_importer(principal: &Principal) -> DomainResult<()> {
    require_company_people_manager(Some(principal))
}

/// KPI definitions with how much data each has.
pub async fn list_kpis(ctx: &Context, principal: &Principal) -> DomainResult<Vec<KpiSummary>> {
    require(principal, Permission::ViewPeople)?;
    ctx.store.kpi_summaries().await
}

/// A filter of the reconciliation queue as typed: a month (YYYY-MM) and a status, each
/// ignored when empty.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueFilter<'a> {
    pub period: Option<&'a str>,
    pub status: Option<&'a str>,
}

impl QueueFilter<'_> {
    /// Parsed period and status; bad values name their field.
    pub fn parse(&self) -> DomainResult<(Option<Period>, Option<ReconciliationStatus>)> {
        let period = self
            .period
            .filter(|p| !p.is_empty())
            .map(Period::parse)
            .transpose()?;
        let status = self
            .status
            .filter(|s| !s.is_empty())
            .map(ReconciliationStatus::parse)
            .transpose()?;
        Ok((period, status))
    }
}

/// The reconciliation queue within the caller's people-management scope.
pub async fn list_reconciliation(
    ctx: &Context,
    principal: &Principal,
    filter: QueueFilter<'_>,
    page: Page,
) -> DomainResult<Paged<ReconciliationItem>> {
    let scope = scope_or_forbidden(principal, Permission::ManagePeople)?;
    let (period, status) = filter.parse()?;
    ctx.store
        .list_reconciliation(&scope, period, status, page)
        .await
}

/// The reconciliation queue with a summary per department and month.
pub struct ReconciliationView {
    pub items: Paged<ReconciliationItem>,
    pub summary: Vec<ReconciliationSummary>,
    /// The caller may reconcile a month now (company-wide people managers).
    pub can_run: bool,
}

/// The queue (filtered) and its summary, within the caller's scope.
pub async fn reconciliation_view(
    ctx: &Context,
    principal: &Principal,
    filter: QueueFilter<'_>,
    page: Page,
) -> DomainResult<ReconciliationView> {
    let items = list_reconciliation(ctx, principal, filter, page).await?;
    let scope = scope_or_forbidden(principal, Permission::ManagePeople)?;
    let summary = ctx.store.reconciliation_summary(&scope).await?;
    Ok(ReconciliationView {
        items,
        summary,
        can_run: scope.company,
    })
}

/// Accepts the HR or the business figure of queue item `id`, or annotates it (a note
/// required); within the caller's scope, audited.
pub async fn decide_reconciliation(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    decision: &str,
    note: Option<&str>,
    actor: &Actor,
) -> DomainResult<()> {
    let scope = scope_or_forbidden(principal, Permission::ManagePeople)?;
    let decision = ReconciliationStatus::parse(decision).map_err(|_| {
        DomainError::invalid(
            "decision",
            "choose accepted_hr, accepted_business or annotated",
        )
    })?;
    ctx.store
        .decide_reconciliation(&scope, id, decision, note, actor)
        .await
}

/// Reconciles month `period` (YYYY-MM) now (company-wide people managers only; the
/// command line has no caller); returns the month and what the run found.
pub async fn reconcile(
    ctx: &Context,
    principal: Option<&Principal>,
    period: &str,
    actor: &Actor,
) -> DomainResult<(Period, ReconciliationRun)> {
    require_company_people_manager(principal)?;
    let period = Period::parse(period)?;
    let run = ctx.store.reconcile(period, actor).await?;
    Ok((period, run))
}

/// Reconciles the month whose figures are due now ([`month_due`]: the previous month
/// in the company's zone; the monthly job, trusted). Returns the month and what the run
/// found.
pub async fn reconcile_month_due(
    ctx: &Context,
    actor: &Actor,
) -> DomainResult<(Period, ReconciliationRun)> {
    let period = month_due(ctx);
    let run = ctx.store.reconcile(period, actor).await?;
    Ok((period, run))
}

/// The month whose KPI figures are due now: the previous one.
pub fn month_due(ctx: &Context) -> Period {
    Period::containing(ctx.today()).previous()
}

/// Per KPI of month `period` (YYYY-MM; None: the month due now), who should have
/// reported, who did, who is missing or late, within the caller's head-count scope.
/// Returns the month shown.
pub async fn entry_status(
    ctx: &Context,
    principal: &Principal,
    period: Option<&str>,
) -> DomainResult<(Period, Vec<EntryStatus>)> {
    let scope = scope_or_forbidden(principal, Permission::ViewHeadcount)?;
    let period = match period {
        Some(text) => Period::parse(text)?,
        None => month_due(ctx),
    };
    let rows = ctx
        .store
        .entry_status(&scope, period, ctx.settings.timezone)
        .await?;
    Ok((period, rows))
}

/// Employee `id`'s KPI values, newest month first (at most `limit`); 404 outside the
/// caller's scope.
pub async fn employee_kpi_values(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    limit: i64,
) -> DomainResult<Vec<KpiHistoryRow>> {
    let scope = scope_or_forbidden(principal, Permission::ViewPeople)?;
    ctx.store.get_employee(&scope, id).await?;
    ctx.store.employee_kpi_history(id, limit).await
}
