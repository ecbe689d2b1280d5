//! Value proof over the API, levels 1–3: programs with reaction, learning, behavior
//! and the funnel, the funnel of everything in scope with its quarterly trend, the
//! resource efficiency index and the evaluation alerts. Every answer is limited to
//! the caller's evaluation scope.

use super::{ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Page;
use domain::evaluation::{
    AlertKind, Behavior, CoachingAlert, CoachingOutcome, CoverageChange, EfficiencyBy,
    EfficiencyReport, EfficiencyRow, Funnel, Learning, LevelsRollup, NoKpiEffectAlert,
    ProgramEvaluation, Reaction, TrendPoint,
};
use serde::{Deserialize, Serialize};
use service::evaluation::EvaluationQuery;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

// ----- DTOs -----------------------------------------------------------------------

/// One funnel stage: learners who reached it and their share of the enrolled.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageDto {
    /// enrolled, attended, completed, passed_post_test, practice_accepted or behavior_changed.
    pub stage: String,
    pub count: i64,
    /// 0–1 of the enrolled; null without learners.
    pub share: Option<f64>,
}

fn stages(f: &Funnel) -> Vec<StageDto> {
    f.stages()
        .into_iter()
        .map(|(stage, count)| StageDto {
            stage: stage.code().into(),
            count,
            share: f.share(count),
        })
        .collect()
}

/// Level 1 (reaction): survey answers of the program's sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionDto {
    pub responses: i64,
    pub invited: i64,
    pub response_rate: Option<f64>,
    /// Mean rating, 1–5.
    pub mean: Option<f64>,
}

impl From<&Reaction> for ReactionDto {
    fn from(r: &Reaction) -> Self {
        ReactionDto {
            responses: r.responses,
            invited: r.invited,
            response_rate: r.response_rate(),
            mean: r.mean(),
        }
    }
}

/// Level 2 (learning): pre/post pairs, normalised gain and post-test pass rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearningDto {
    /// Learner × skill pairs with both tests graded.
    pub n_paired: i64,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// (mean post − mean pre) / (100 − mean pre).
    pub normalised_gain: Option<f64>,
    pub post_takers: i64,
    pub post_passed: i64,
    pub post_pass_rate: Option<f64>,
}

impl From<&Learning> for LearningDto {
    fn from(l: &Learning) -> Self {
        LearningDto {
            n_paired: l.n_paired,
            mean_pre: l.mean_pre(),
            mean_post: l.mean_post(),
            normalised_gain: l.normalised_gain(),
            post_takers: l.post_takers,
            post_passed: l.post_passed,
            post_pass_rate: l.post_pass_rate(),
        }
    }
}

/// Level 3 (behavior): practice tasks and behavior ratings at +30/+90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct BehaviorDto {
    pub tasks: i64,
    pub tasks_accepted: i64,
    pub rating_30: Option<f64>,
    pub rated_30: i64,
    pub rating_90: Option<f64>,
    pub rated_90: i64,
    pub learners_rated_90: i64,
    /// Learners whose mean +90 rating is 4 or more.
    pub learners_changed: i64,
    pub changed_share: Option<f64>,
}

impl From<&Behavior> for BehaviorDto {
    fn from(b: &Behavior) -> Self {
        BehaviorDto {
            tasks: b.tasks,
            tasks_accepted: b.tasks_accepted,
            rating_30: b.rating_30(),
            rated_30: b.rated_30,
            rating_90: b.rating_90(),
            rated_90: b.rated_90,
            learners_rated_90: b.learners_rated_90,
            learners_changed: b.learners_changed,
            changed_share: b.changed_share(),
        }
    }
}

/// Levels 1–3 and the funnel of one program, over the learners in the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramEvaluationDto {
    pub program_id: i64,
    pub code: String,
    pub title: String,
    pub status: String,
    pub plan_code: Option<String>,
    /// The code up to its first dash.
    pub family: String,
    /// YYYY-MM-DD (company time).
    pub first_session: Option<String>,
    pub last_session: Option<String>,
    pub funnel: Vec<StageDto>,
    pub reaction: ReactionDto,
    pub learning: LearningDto,
    pub behavior: BehaviorDto,
}

impl From<&ProgramEvaluation> for ProgramEvaluationDto {
    fn from(p: &ProgramEvaluation) -> Self {
        ProgramEvaluationDto {
            program_id: p.program_id,
            code: p.code.clone(),
            title: p.title.clone(),
            status: p.status.code().into(),
            plan_code: p.plan_code.clone(),
            family: p.family().into(),
            first_session: p.first_session.map(|d| d.to_string()),
            last_session: p.last_session.map(|d| d.to_string()),
            funnel: stages(&p.funnel),
            reaction: (&p.reaction).into(),
            learning: (&p.learning).into(),
            behavior: (&p.behavior).into(),
        }
    }
}

/// A page of program evaluations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramEvaluationPage {
    pub items: Vec<ProgramEvaluationDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Levels 1–3 summed over several programs.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelsDto {
    pub programs: i64,
    pub funnel: Vec<StageDto>,
    pub reaction: ReactionDto,
    pub learning: LearningDto,
    pub behavior: BehaviorDto,
}

impl From<&LevelsRollup> for LevelsDto {
    fn from(l: &LevelsRollup) -> Self {
        LevelsDto {
            programs: l.programs,
            funnel: stages(&l.funnel),
            reaction: (&l.reaction).into(),
            learning: (&l.learning).into(),
            behavior: (&l.behavior).into(),
        }
    }
}

/// One quarter of a trend (programs count in the quarter of their last session).
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendDto {
    /// 2025Q4.
    pub quarter: String,
    /// Program family, or null for every program in scope.
    pub family: Option<String>,
    pub levels: LevelsDto,
}

impl From<&TrendPoint> for TrendDto {
    fn from(t: &TrendPoint) -> Self {
        TrendDto {
            quarter: t.quarter.to_string(),
            family: t.family.clone(),
            levels: (&t.levels).into(),
        }
    }
}

/// One program's evaluation with the trend of its family.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramEvaluationDetail {
    pub program: ProgramEvaluationDto,
    pub family_trend: Vec<TrendDto>,
    /// Where level 4 (the effect on business KPIs) of this program is shown.
    pub effect_path: String,
}

/// The funnel of every program matching the filter, and its quarterly trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelDto {
    pub programs: i64,
    pub stages: Vec<StageDto>,
    /// Every program in scope per quarter, then per family and quarter.
    pub trend: Vec<TrendDto>,
}

/// The index of a subject in one quarter.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterIndexDto {
    pub quarter: String,
    pub hours: f64,
    pub gain: Option<f64>,
    pub index: Option<f64>,
}

/// An instructor, vendor or resource with its efficiency index and levels 1–3.
#[derive(Debug, Serialize, ToSchema)]
pub struct EfficiencyRowDto {
    /// Instructor or resource code; vendor name.
    pub key: String,
    pub label: String,
    /// Origin (and vendor) of an instructor or resource.
    pub detail: String,
    pub programs: i64,
    /// Session hours delivered (taught, for an instructor).
    pub hours: f64,
    /// Hours × learners with a measured pre/post gain: the index's weight.
    pub learner_hours: f64,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// Hour-weighted normalised gain of the learners taught.
    pub gain: Option<f64>,
    /// The gain relative to the baseline of everything in scope, which is 100.
    pub index: Option<f64>,
    pub quarters: Vec<QuarterIndexDto>,
    /// Below the baseline in two consecutive quarters.
    pub below_twice: bool,
    /// A vendor below the baseline in two consecutive quarters.
    pub flagged: bool,
    pub levels: LevelsDto,
}

fn efficiency_row(by: EfficiencyBy, r: &EfficiencyRow) -> EfficiencyRowDto {
    EfficiencyRowDto {
        key: r.key.clone(),
        label: r.label.clone(),
        detail: r.detail.clone(),
        programs: r.programs,
        hours: r.totals.hours,
        learner_hours: r.totals.learner_hours,
        mean_pre: r.totals.mean_pre(),
        mean_post: r.totals.mean_post(),
        gain: r.gain,
        index: r.index,
        quarters: r
            .quarters
            .iter()
            .map(|q| QuarterIndexDto {
                quarter: q.quarter.to_string(),
                hours: q.hours,
                gain: q.gain,
                index: q.index,
            })
            .collect(),
        below_twice: r.below_twice,
        flagged: by == EfficiencyBy::Vendor && r.below_twice,
        levels: (&r.levels).into(),
    }
}

/// The resource efficiency index (资源效能指数) by instructor, vendor or resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct EfficiencyDto {
    /// instructor, vendor or resource.
    pub by: String,
    /// The gain of everything in scope, index 100.
    pub baseline_gain: Option<f64>,
    pub baseline_hours: f64,
    pub rows: Vec<EfficiencyRowDto>,
}

impl From<&EfficiencyReport> for EfficiencyDto {
    fn from(r: &EfficiencyReport) -> Self {
        EfficiencyDto {
            by: r.by.code().into(),
            baseline_gain: r.baseline_gain,
            baseline_hours: r.baseline.hours,
            rows: r.rows.iter().map(|row| efficiency_row(r.by, row)).collect(),
        }
    }
}

/// A learner who completed with a post-test below 60 %.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoachingAlertDto {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub employee_number: String,
    pub employee_name: String,
    pub department_name: String,
    pub post_test_pct: f64,
    pub completed_on: Option<String>,
    pub manager_name: Option<String>,
    /// The coaching practice task, once created.
    pub coaching_task_id: Option<i64>,
}

impl From<&CoachingAlert> for CoachingAlertDto {
    fn from(a: &CoachingAlert) -> Self {
        CoachingAlertDto {
            program_id: a.program_id,
            program_code: a.program_code.clone(),
            program_title: a.program_title.clone(),
            employee_number: a.employee_number.clone(),
            employee_name: a.employee_name.clone(),
            department_name: a.department_name.clone(),
            post_test_pct: a.post_test_pct,
            completed_on: a.completed_on.map(|d| d.to_string()),
            manager_name: a.manager_name.clone(),
            coaching_task_id: a.coaching_task_id,
        }
    }
}

/// A position's required skill whose coverage fell by 5 points or more in three months.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageAlertDto {
    pub position_code: String,
    pub position_name: String,
    pub skill_code: String,
    pub skill_name: String,
    pub required_level: i32,
    pub people_now: i64,
    pub meeting_now: i64,
    pub people_then: i64,
    pub meeting_then: i64,
    /// Percent of holders meeting the level.
    pub share_now: Option<f64>,
    pub share_then: Option<f64>,
    /// Percentage points lost.
    pub fall_points: Option<f64>,
}

impl From<&CoverageChange> for CoverageAlertDto {
    fn from(c: &CoverageChange) -> Self {
        CoverageAlertDto {
            position_code: c.position_code.clone(),
            position_name: c.position_name.clone(),
            skill_code: c.skill_code.clone(),
            skill_name: c.skill_name.clone(),
            required_level: c.required_level,
            people_now: c.people_now,
            meeting_now: c.meeting_now,
            people_then: c.people_then,
            meeting_then: c.meeting_then,
            share_now: c.share_now(),
            share_then: c.share_then(),
            fall_points: c.fall_points(),
        }
    }
}

/// A program with high completion and no measurable KPI effect (level 4).
#[derive(Debug, Serialize, ToSchema)]
pub struct NoKpiEffectDto {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub kpi_code: String,
    pub completion_rate: f64,
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// inconclusive or worsened.
    pub verdict: String,
    /// The date of the estimate.
    pub estimated_on: String,
}

impl From<&NoKpiEffectAlert> for NoKpiEffectDto {
    fn from(a: &NoKpiEffectAlert) -> Self {
        NoKpiEffectDto {
            program_id: a.program_id,
            program_code: a.program_code.clone(),
            program_title: a.program_title.clone(),
            kpi_code: a.kpi_code.clone(),
            completion_rate: a.completion_rate,
            effect: a.effect,
            ci_low: a.ci_low,
            ci_high: a.ci_high,
            verdict: a.verdict.clone(),
            estimated_on: a.estimated_on.clone(),
        }
    }
}

/// How many alerts of one kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertCountDto {
    /// low_post_test, coverage_falling or no_kpi_effect.
    pub kind: String,
    pub count: usize,
}

/// The evaluation alerts in the caller's scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsDto {
    pub counts: Vec<AlertCountDto>,
    pub low_post_test: Vec<CoachingAlertDto>,
    pub coverage_falling: Vec<CoverageAlertDto>,
    pub no_kpi_effect: Vec<NoKpiEffectDto>,
}

/// What creating coaching tasks did.
#[derive(Debug, Serialize, ToSchema)]
pub struct CoachingOutcomeDto {
    pub created: i64,
    pub existing: i64,
    /// Learners without a manager to coach them.
    pub without_manager: Vec<String>,
}

impl From<CoachingOutcome> for CoachingOutcomeDto {
    fn from(o: CoachingOutcome) -> Self {
        CoachingOutcomeDto {
            created: o.created,
            existing: o.existing,
            without_manager: o.without_manager,
        }
    }
}

// ----- queries ----------------------------------------------------------------------

/// Which programs to evaluate.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramsQuery {
    /// Substring of the program code or title.
    pub q: Option<String>,
    /// Plan code.
    pub plan: Option<String>,
    /// draft, open, running, closed or historical.
    pub status: Option<String>,
    /// Programs with a session in this year.
    pub year: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ProgramsQuery {
    fn eval(&self) -> EvaluationQuery {
        EvaluationQuery {
            q: self.q.clone(),
            plan: self.plan.clone(),
            status: self.status.clone(),
            year: self.year.clone(),
        }
    }
}

/// The efficiency subject and period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EfficiencyQuery {
    /// instructor (the default), vendor or resource.
    pub by: Option<String>,
    /// Programs with a session in this year.
    pub year: Option<String>,
}

// ----- handlers ---------------------------------------------------------------------

/// Programs with levels 1–3 and the funnel, latest delivery first.
#[utoipa::path(get, path = "/api/v1/evaluation/programs", tag = "evaluation", security(("bearer" = [])),
    params(ProgramsQuery),
    responses((status = 200, body = ProgramEvaluationPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_programs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ProgramsQuery>,
) -> Result<Json<ProgramEvaluationPage>, ApiError> {
    let page = service::evaluation::evaluate_programs(
        &state,
        &caller.principal,
        &query.eval(),
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(ProgramEvaluationPage {
        items: page.items.iter().map(Into::into).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One program's levels 1–3 and funnel, with the quarterly trend of its family.
#[utoipa::path(get, path = "/api/v1/evaluation/programs/{id}", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = ProgramEvaluationDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_program(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProgramEvaluationDetail>, ApiError> {
    let (program, trend) =
        service::evaluation::program_evaluation(&state, &caller.principal, id).await?;
    Ok(Json(ProgramEvaluationDetail {
        program: (&program).into(),
        family_trend: trend.iter().map(Into::into).collect(),
        effect_path: format!("/evaluation/programs/{id}/effect"),
    }))
}

/// The funnel from enrolled to behavior changed over every program matching the
/// filter, with the quarterly trend for the scope and per program family.
#[utoipa::path(get, path = "/api/v1/evaluation/funnel", tag = "evaluation", security(("bearer" = [])),
    params(ProgramsQuery),
    responses((status = 200, body = FunnelDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn funnel(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<ProgramsQuery>,
) -> Result<Json<FunnelDto>, ApiError> {
    let funnel =
        service::evaluation::evaluation_funnel(&state, &caller.principal, &query.eval()).await?;
    Ok(Json(FunnelDto {
        programs: funnel.total.programs,
        stages: stages(&funnel.total.funnel),
        trend: funnel.trend.iter().map(Into::into).collect(),
    }))
}

/// The resource efficiency index: instructor hours weighted by the measured
/// (normalised pre/post) gain of the learners taught, relative to the baseline of
/// everything in scope (100), with each subject's quarters and levels 1–3; vendors
/// below the baseline in two consecutive quarters are flagged.
#[utoipa::path(get, path = "/api/v1/evaluation/efficiency", tag = "evaluation", security(("bearer" = [])),
    params(EfficiencyQuery),
    responses((status = 200, body = EfficiencyDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn efficiency(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<EfficiencyQuery>,
) -> Result<Json<EfficiencyDto>, ApiError> {
    let by = match query.by.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(b) => Some(EfficiencyBy::parse(b)?),
    };
    let report =
        service::evaluation::efficiency_report(&state, &caller.principal, by, query.year.clone())
            .await?;
    Ok(Json((&report).into()))
}

/// The evaluation alerts in scope: learners who completed below 60 % on the
/// post-test (with their coaching task), positions whose required-skill coverage fell
/// by 5 points or more in three months, and programs without a KPI effect (level 4).
#[utoipa::path(get, path = "/api/v1/evaluation/alerts", tag = "evaluation", security(("bearer" = [])),
    responses((status = 200, body = AlertsDto), (status = 403, body = Problem)))]
pub async fn alerts(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<AlertsDto>, ApiError> {
    let alerts = service::evaluation::evaluation_alerts(&state, &caller.principal).await?;
    Ok(Json(AlertsDto {
        counts: AlertKind::ALL
            .iter()
            .map(|k| AlertCountDto {
                kind: k.code().into(),
                count: alerts.count(*k),
            })
            .collect(),
        low_post_test: alerts.low_post_test.iter().map(Into::into).collect(),
        coverage_falling: alerts.coverage_falling.iter().map(Into::into).collect(),
        no_kpi_effect: alerts.no_kpi_effect.iter().map(Into::into).collect(),
    }))
}

/// Creates the coaching practice tasks of the low post-test alerts in the caller's
/// program scope (the learner's manager mentors); learners who have one keep it.
#[utoipa::path(post, path = "/api/v1/evaluation/alerts/coaching", tag = "evaluation", security(("bearer" = [])),
    responses((status = 200, body = CoachingOutcomeDto), (status = 403, body = Problem)))]
pub async fn create_coaching(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<(StatusCode, Json<CoachingOutcomeDto>), ApiError> {
    let outcome =
        service::evaluation::create_coaching_tasks(&state, &caller.principal, &caller.actor())
            .await?;
    Ok((StatusCode::OK, Json(outcome.into())))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_programs))
        .routes(routes!(get_program))
        .routes(routes!(funnel))
        .routes(routes!(efficiency))
        .routes(routes!(alerts))
        .routes(routes!(create_coaching))
}
