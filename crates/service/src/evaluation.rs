//! Value proof, levels 1–3: programs with reaction, learning, behavior and the funnel,
//! their quarterly trends, the resource efficiency index, the dashboard and the
//! alerts. Every figure is limited to the caller's evaluation scope (managers: their
//! subtree); only creating coaching tasks changes data, which program staff do.

use crate::Context;
use crate::access::scope_or_forbidden;
use domain::audit::Actor;
use domain::evaluation::{
    CoachingOutcome, Coverage, CoverageChange, EfficiencyBy, EfficiencyReport, EvaluationAlerts,
    EvaluationFilter, LevelsRollup, ProgramEvaluation, TrendPoint, trends,
};
use domain::operations::{Plan, ProgramStatus};
use domain::{DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::prelude::*;

/// The filter fields of the evaluation pages and the API, as sent.
#[derive(Debug, Clone, Default)]
pub struct EvaluationQuery {
    /// Substring of the program code or title.
    pub q: Option<String>,
    /// Plan code.
    pub plan: Option<String>,
    /// A program status code.
    pub status: Option<String>,
    /// Programs with a session in this year (2000–2100).
    pub year: Option<String>,
}

impl EvaluationQuery {
    /// Only a year.
    pub fn year(year: Option<String>) -> Self {
        EvaluationQuery {
            year,
            ..EvaluationQuery::default()
        }
    }
}

/// The evaluation filter of a query; a bad status or a year outside 2000–2100 is the
/// caller's mistake (a validation error).
pub fn evaluation_filter(ctx: &Context, query: &EvaluationQuery) -> DomainResult<EvaluationFilter> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let year = match text(&query.year) {
        None => None,
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Some(y),
            _ => {
                return Err(DomainError::invalid(
                    "year",
                    format!("'{y}' is not a year between 2000 and 2100"),
                ));
            }
        },
    };
    Ok(EvaluationFilter {
        q: text(&query.q),
        plan: text(&query.plan),
        status: text(&query.status)
            .map(|s| ProgramStatus::parse(&s))
            .transpose()?,
        year,
        utc_offset: Some(ctx.settings.timezone),
    })
}

fn evaluation_scope(principal: &Principal) -> DomainResult<DataScope> {
    scope_or_forbidden(principal, Permission::ViewEvaluation)
}

/// Programs with levels 1–3 and the funnel, latest delivery first.
pub async fn evaluate_programs(
    ctx: &Context,
    principal: &Principal,
    query: &EvaluationQuery,
    page: Page,
) -> DomainResult<Paged<ProgramEvaluation>> {
    let scope = evaluation_scope(principal)?;
    let filter = evaluation_filter(ctx, query)?;
    ctx.store
        .evaluate_programs(&filter, &scope, Some(page))
        .await
}

/// [`evaluate_programs`] with the plans to filter by.
pub async fn evaluate_programs_with_plans(
    ctx: &Context,
    principal: &Principal,
    query: &EvaluationQuery,
    page: Page,
) -> DomainResult<(Paged<ProgramEvaluation>, Vec<Plan>)> {
    let programs = evaluate_programs(ctx, principal, query, page).await?;
    Ok((programs, ctx.store.list_plans().await?))
}

/// Every program matching the query, for a download.
pub async fn export_program_evaluations(
    ctx: &Context,
    principal: &Principal,
    query: &EvaluationQuery,
) -> DomainResult<Vec<ProgramEvaluation>> {
    let scope = evaluation_scope(principal)?;
    let filter = evaluation_filter(ctx, query)?;
    Ok(ctx
        .store
        .evaluate_programs(&filter, &scope, None)
        .await?
        .items)
}

/// One program's evaluation and the quarterly trend of its family; `NotFound` outside
/// the caller's scope.
pub async fn program_evaluation(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<(ProgramEvaluation, Vec<TrendPoint>)> {
    let scope = evaluation_scope(principal)?;
    let program = ctx
        .store
        .evaluate_program(id, &scope, ctx.settings.timezone)
        .await?
        .ok_or(DomainError::NotFound { entity: "program" })?;
    let filter = EvaluationFilter {
        utc_offset: Some(ctx.settings.timezone),
        ..EvaluationFilter::default()
    };
    let family: Vec<ProgramEvaluation> = ctx
        .store
        .evaluate_programs(&filter, &scope, None)
        .await?
        .items
        .into_iter()
        .filter(|p| p.family() == program.family())
        .collect();
    let trend = trends(&family)
        .into_iter()
        .filter(|t| t.family.is_some())
        .collect();
    Ok((program, trend))
}

/// The funnel of every program matching a query and its quarterly trend.
pub struct EvaluationFunnel {
    pub total: LevelsRollup,
    /// Scope-wide points first, then the families', each by quarter.
    pub trend: Vec<TrendPoint>,
}

/// The funnel from enrolled to behavior changed over every program matching the
/// query, with the quarterly trend for the scope and per program family.
pub async fn evaluation_funnel(
    ctx: &Context,
    principal: &Principal,
    query: &EvaluationQuery,
) -> DomainResult<EvaluationFunnel> {
    let programs = export_program_evaluations(ctx, principal, query).await?;
    let mut total = LevelsRollup::default();
    for p in &programs {
        total.add(p);
    }
    let mut trend = trends(&programs);
    trend.sort_by(|a, b| {
        (a.family.is_some(), &a.family, a.quarter).cmp(&(b.family.is_some(), &b.family, b.quarter))
    });
    Ok(EvaluationFunnel { total, trend })
}

/// The resource efficiency index by instructor (the default), vendor or resource, for
/// programs with a session in `year` (any year when none).
pub async fn efficiency_report(
    ctx: &Context,
    principal: &Principal,
    by: Option<EfficiencyBy>,
    year: Option<String>,
) -> DomainResult<EfficiencyReport> {
    let scope = evaluation_scope(principal)?;
    let filter = evaluation_filter(ctx, &EvaluationQuery::year(year))?;
    ctx.store
        .efficiency(
            by.unwrap_or(EfficiencyBy::Instructor),
            &filter,
            &scope,
            time::OffsetDateTime::now_utc(),
        )
        .await
}

async fn alerts_in(ctx: &Context, scope: &DataScope) -> DomainResult<EvaluationAlerts> {
    Ok(EvaluationAlerts {
        low_post_test: ctx.store.coaching_alerts(scope).await?,
        coverage_falling: ctx
            .store
            .coverage_changes(scope, ctx.today())
            .await?
            .into_iter()
            .filter(CoverageChange::is_alert)
            .collect(),
        // Effects compare with the whole company, so only company-wide scopes see them.
        no_kpi_effect: if scope.company {
            crate::effect::no_effect_alerts(&ctx.store).await?
        } else {
            Vec::new()
        },
    })
}

/// The alerts in the caller's scope: low post-tests with their coaching tasks and
/// falling coverage (level 4 adds programs without a KPI effect, company-wide only).
pub async fn evaluation_alerts(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<EvaluationAlerts> {
    let scope = evaluation_scope(principal)?;
    alerts_in(ctx, &scope).await
}

/// Whether the caller may create coaching tasks (program staff).
pub fn may_create_coaching_tasks(principal: &Principal) -> bool {
    principal.can(Permission::ManagePrograms)
}

/// Creates the coaching practice tasks of the low post-test alerts in the caller's
/// program scope (the learner's manager mentors); learners who have one keep it.
pub async fn create_coaching_tasks(
    ctx: &Context,
    principal: &Principal,
    actor: &Actor,
) -> DomainResult<CoachingOutcome> {
    let scope = scope_or_forbidden(principal, Permission::ManagePrograms)?;
    ctx.store
        .create_coaching_tasks(&scope, ctx.today(), actor)
        .await
}

/// Creates the coaching practice tasks of every low post-test alert in the company (the
/// daily job, trusted): the learner's manager mentors; learners who have one keep it.
pub async fn create_due_coaching_tasks(
    ctx: &Context,
    actor: &Actor,
) -> DomainResult<CoachingOutcome> {
    ctx.store
        .create_coaching_tasks(&DataScope::company(), ctx.today(), actor)
        .await
}

/// Everything the evaluation dashboard shows for the caller's scope.
pub struct EvaluationDashboard {
    /// The scope is the whole company.
    pub company: bool,
    pub programs: Vec<ProgramEvaluation>,
    pub total: LevelsRollup,
    pub coverage: Coverage,
    pub alerts: EvaluationAlerts,
    /// By instructor.
    pub efficiency: EfficiencyReport,
    /// The scope-wide quarterly trend.
    pub trend: Vec<TrendPoint>,
}

/// The dashboard of the caller's scope for programs with a session in `year` (any
/// year when none).
pub async fn evaluation_dashboard(
    ctx: &Context,
    principal: &Principal,
    year: Option<String>,
) -> DomainResult<EvaluationDashboard> {
    let scope = evaluation_scope(principal)?;
    let filter = evaluation_filter(ctx, &EvaluationQuery::year(year))?;
    let programs = ctx
        .store
        .evaluate_programs(&filter, &scope, None)
        .await?
        .items;
    let mut total = LevelsRollup::default();
    for p in &programs {
        total.add(p);
    }
    let coverage = ctx.store.coverage(&scope, ctx.today()).await?;
    let alerts = alerts_in(ctx, &scope).await?;
    let efficiency = ctx
        .store
        .efficiency(
            EfficiencyBy::Instructor,
            &filter,
            &scope,
            time::OffsetDateTime::now_utc(),
        )
        .await?;
    let trend = trends(&programs)
        .into_iter()
        .filter(|p| p.family.is_none())
        .collect();
    Ok(EvaluationDashboard {
        company: scope.company,
        programs,
        total,
        coverage,
        alerts,
        efficiency,
        trend,
    })
}
