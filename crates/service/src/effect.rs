//! Level 4 of value proof, shared by the page, the API and `skillbridge evaluate`:
//! the panel from the store, the matched difference-in-differences from the
//! analytics crate, the event-time series for the chart, and ROI.

use analytics::effect::{Estimate, Matching, Options, Stratum, Warning};
use domain::effect::{EffectRequest, MatchingMethod, ProgramCost, RoiAssumptions, StratifyBy};
use domain::evaluation::NoKpiEffectAlert;
use domain::operations::ProgramDetail;
use domain::performance::{Direction, Kpi};
use domain::{DomainError, DomainResult, Permission, Principal};
use serde::Serialize;
use std::collections::HashMap;
use store::Store;
use store::prelude::*;
use utoipa::ToSchema;

/// Participant hour cost used where neither the request nor the position says.
pub const DEFAULT_HOURLY_COST: f64 = 80.0;

/// Months an effect is assumed to last when the program sets no transfer window.
pub const DEFAULT_BENEFIT_MONTHS: f64 = 12.0;

/// Effects and ROI aggregate people across the whole company (the comparison group
/// comes from everywhere), so they need company-wide evaluation rights.
pub fn may_view_effects(principal: &Principal) -> DomainResult<()> {
    if principal.scope_for(Permission::ViewEvaluation).company {
        Ok(())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// The program and KPI an estimate is about.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectSubject {
    pub program_id: i64,
    pub program_code: String,
    pub program_title: String,
    pub kpi_id: i64,
    pub kpi_code: String,
    pub kpi_name: String,
    pub kpi_unit: Option<String>,
    /// `lower` or `higher` is better.
    pub kpi_direction: String,
}

/// One covariate's balance before and after matching.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BalanceLine {
    pub covariate: String,
    pub smd_before: f64,
    pub smd_after: f64,
}

/// A caution, as a code with its figures and an English sentence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectWarning {
    /// too_few_trained, too_few_clusters, short_window, missing_data, unmatched,
    /// imbalance, pre_trend, naive_misleading.
    pub code: String,
    /// The figures the sentence uses (n, minimum, share, p_value, smd, months...).
    pub values: HashMap<String, f64>,
    pub message: String,
}

/// The KPI's mean in one month relative to completion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SeriesPoint {
    /// Months after completion (negative before).
    pub month: i32,
    pub trained: Option<f64>,
    pub comparison: Option<f64>,
    pub trained_n: usize,
    pub comparison_n: usize,
}

/// A figure with the range implied by the effect's confidence interval.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Ranged {
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// Return on investment of the program.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoiResult {
    pub unit_value: f64,
    pub benefit_months: f64,
    pub default_hourly_cost: f64,
    pub people: usize,
    pub cost: f64,
    pub benefit: Ranged,
    pub net_benefit: Ranged,
    /// Percent: (benefit − cost) / cost × 100.
    pub roi_pct: Ranged,
    pub benefit_cost_ratio: Ranged,
    pub payback_months: Ranged,
    /// What the figures assume, in English (the page words them in the reader's language).
    pub assumptions: Vec<String>,
}

/// Cost lines and participants' time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostSummary {
    pub cost_lines: f64,
    pub per_head: f64,
    pub participants: i64,
    pub participant_hours: f64,
    pub participant_time_cost: f64,
    pub default_cost_used_for: i64,
    pub total: f64,
}

impl From<ProgramCost> for CostSummary {
    fn from(c: ProgramCost) -> Self {
        Self {
            cost_lines: c.cost_lines,
            per_head: c.per_head,
            participants: c.participants,
            participant_hours: c.participant_hours,
            participant_time_cost: c.participant_time_cost,
            default_cost_used_for: c.default_cost_used_for,
            total: c.total(),
        }
    }
}

/// The whole result of evaluating a program against a KPI.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EffectResult {
    pub subject: EffectSubject,
    pub pre_months: u32,
    pub post_months: u32,
    pub placebo_months: u32,
    /// `nearest` or `cem`.
    pub matching: String,
    /// `position` or `department`.
    pub stratify: String,
    /// Difference-in-differences, in KPI units per person and month.
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub std_error: f64,
    /// The effect relative to the trained group's pre-period mean, in percent.
    pub effect_pct: Option<f64>,
    /// improved, worsened or inconclusive (the interval includes zero).
    pub verdict: String,
    pub n_trained: usize,
    pub n_trained_total: usize,
    pub n_comparison: usize,
    pub n_clusters: usize,
    pub naive_before_after: f64,
    pub naive_trained_vs_untrained: f64,
    pub pretrend_effect: Option<f64>,
    pub pretrend_p_value: Option<f64>,
    pub trained_pre: f64,
    pub trained_post: f64,
    pub comparison_pre: f64,
    pub comparison_post: f64,
    pub balance: Vec<BalanceLine>,
    pub warnings: Vec<EffectWarning>,
    pub series: Vec<SeriesPoint>,
    pub cost: CostSummary,
    /// Absent when the KPI has no value per unit.
    pub roi: Option<RoiResult>,
}

/// The program an evaluation is asked for, by its code.
pub async fn program_by_code(store: &Store, code: &str) -> DomainResult<ProgramDetail> {
    let id = store.program_id(code.trim()).await?;
    store.program_detail(id).await
}

/// Finds a KPI by code, naming the field when it does not exist.
pub async fn kpi_by_code(store: &Store, code: &str) -> DomainResult<Kpi> {
    let code = code.trim();
    store
        .list_kpis()
        .await?
        .into_iter()
        .find(|k| k.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| DomainError::invalid("kpi", format!("no KPI has the code '{code}'")))
}

/// The KPI named by `code`, or else the one the program targets (its transfer goal).
pub async fn resolve_kpi(
    store: &Store,
    program: &ProgramDetail,
    code: Option<&str>,
) -> DomainResult<Kpi> {
    match (
        code.map(str::trim).filter(|c| !c.is_empty()),
        &program.transfer,
    ) {
        (Some(code), _) => kpi_by_code(store, code).await,
        (None, Some(goal)) => kpi_by_code(store, &goal.kpi_code).await,
        (None, None) => Err(DomainError::invalid(
            "kpi",
            "the program has no transfer goal KPI; name one",
        )),
    }
}

/// ROI assumptions a caller may give; what is left out takes the configured default.
#[derive(Debug, Clone, Copy, Default)]
pub struct GivenAssumptions {
    pub unit_value: Option<f64>,
    pub benefit_months: Option<f64>,
    pub hourly_cost: Option<f64>,
}

/// The ROI assumptions: what was given, else the KPI's value per unit (0 when unset),
/// the program's transfer window (or 12 months) and the default hourly cost.
pub async fn assumptions(
    store: &Store,
    program: &ProgramDetail,
    kpi: &Kpi,
    given: GivenAssumptions,
) -> DomainResult<RoiAssumptions> {
    let unit_value = match given.unit_value {
        Some(v) => v,
        None => store.kpi_unit_value(kpi.id).await?.unwrap_or(0.0),
    };
    RoiAssumptions {
        unit_value,
        benefit_months: given.benefit_months.unwrap_or_else(|| {
            program
                .transfer
                .as_ref()
                .map(|t| f64::from(t.months))
                .unwrap_or(DEFAULT_BENEFIT_MONTHS)
        }),
        default_hourly_cost: given.hourly_cost.unwrap_or(DEFAULT_HOURLY_COST),
    }
    .validated()
}

fn options(request: &EffectRequest) -> Options {
    Options {
        pre_months: request.pre_months,
        post_months: request.post_months,
        placebo_months: request.placebo_months(),
        stratify_by: match request.stratify {
            StratifyBy::Position => Stratum::Position,
            StratifyBy::Department => Stratum::Department,
        },
        matching: match request.matching {
            // Five neighbours within 1 SD: wide enough to keep the weakest performers
            // (whom programs target) in the estimate; the estimator's regression
            // adjustment corrects what the looser matches leave.
            MatchingMethod::Nearest => Matching::NearestNeighbour {
                neighbours: 5,
                caliper: 1.0,
            },
            MatchingMethod::Coarsened => Matching::CoarsenedExact { bins: 4 },
        },
        replications: request.replications as usize,
        seed: request.seed,
        confidence: 0.95,
    }
}

/// Evaluates a program against a KPI: the estimate, its chart series, costs and ROI.
pub async fn evaluate(
    store: &Store,
    detail: &ProgramDetail,
    kpi: &Kpi,
    request: EffectRequest,
    assumptions: RoiAssumptions,
) -> DomainResult<EffectResult> {
    let request = request.validated()?;
    let assumptions = assumptions.validated()?;
    let program_id = detail.summary.id;
    let panel = store
        .effect_panel(
            program_id,
            kpi.id,
            request.pre_months,
            request.post_months,
            request.placebo_months(),
            request.stratify,
        )
        .await?;
    let opts = options(&request);
    let estimate = tokio::task::spawn_blocking(move || {
        analytics::effect::estimate(&panel.trained, &panel.candidates, &opts)
    })
    .await
    .map_err(|e| DomainError::internal_from("the estimator stopped", e))?;
    let series = series(
        store,
        kpi.id,
        &estimate,
        request.pre_months,
        request.post_months,
    )
    .await?;
    let cost = store
        .program_cost(program_id, assumptions.default_hourly_cost)
        .await?;
    let roi = if assumptions.unit_value > 0.0 && estimate.n_trained > 0 {
        roi(&estimate, kpi.direction, &assumptions, &cost)
    } else {
        None
    };
    let improved = |e: f64| match kpi.direction {
        Direction::Lower => e < 0.0,
        Direction::Higher => e > 0.0,
    };
    let verdict = if estimate.n_trained == 0 || (estimate.ci_low <= 0.0 && estimate.ci_high >= 0.0)
    {
        "inconclusive"
    } else if improved(estimate.effect) {
        "improved"
    } else {
        "worsened"
    };
    Ok(EffectResult {
        subject: EffectSubject {
            program_id,
            program_code: detail.summary.code.clone(),
            program_title: detail.summary.title.clone(),
            kpi_id: kpi.id,
            kpi_code: kpi.code.clone(),
            kpi_name: kpi.name.clone(),
            kpi_unit: kpi.unit.clone(),
            kpi_direction: kpi.direction.code().into(),
        },
        pre_months: request.pre_months,
        post_months: request.post_months,
        placebo_months: request.placebo_months(),
        matching: request.matching.code().into(),
        stratify: request.stratify.code().into(),
        effect: estimate.effect,
        ci_low: estimate.ci_low,
        ci_high: estimate.ci_high,
        std_error: estimate.std_error,
        effect_pct: (estimate.trained_pre.abs() > f64::EPSILON && estimate.n_trained > 0)
            .then(|| estimate.effect / estimate.trained_pre * 100.0),
        verdict: verdict.into(),
        n_trained: estimate.n_trained,
        n_trained_total: estimate.n_trained_total,
        n_comparison: estimate.n_comparison,
        n_clusters: estimate.n_clusters,
        naive_before_after: estimate.naive_before_after,
        naive_trained_vs_untrained: estimate.naive_trained_vs_untrained,
        pretrend_effect: estimate.pretrend_effect,
        pretrend_p_value: estimate.pretrend_p_value,
        trained_pre: estimate.trained_pre,
        trained_post: estimate.trained_post,
        comparison_pre: estimate.comparison_pre,
        comparison_post: estimate.comparison_post,
        balance: estimate
            .balance
            .iter()
            .map(|b| BalanceLine {
                covariate: b.covariate.into(),
                smd_before: b.smd_before,
                smd_after: b.smd_after,
            })
            .collect(),
        warnings: estimate.warnings.iter().map(warning).collect(),
        series,
        cost: cost.into(),
        roi,
    })
}

/// The KPI month by month around completion, for the trained and their matched
/// comparison people (weighted as matched), aligned on each trained person's anchor.
async fn series(
    store: &Store,
    kpi_id: i64,
    estimate: &Estimate,
    pre: u32,
    post: u32,
) -> DomainResult<Vec<SeriesPoint>> {
    let (pre, post) = (pre as i32, post as i32);
    if estimate.matches.is_empty() {
        return Ok(Vec::new());
    }
    let mut people: Vec<i64> = estimate
        .matches
        .iter()
        .flat_map(|m| std::iter::once(m.trained).chain(m.controls.iter().map(|(c, _)| *c)))
        .collect();
    people.sort_unstable();
    people.dedup();
    let first = estimate.matches.iter().map(|m| m.anchor).min().unwrap_or(0) - pre;
    let last = estimate.matches.iter().map(|m| m.anchor).max().unwrap_or(0) + post;
    let values: HashMap<(i64, i32), f64> = store
        .kpi_months(kpi_id, &people, first, last)
        .await?
        .into_iter()
        .map(|(p, m, y)| ((p, m), y))
        .collect();
    let mut points = Vec::new();
    for t in -pre..=post {
        let (mut trained_sum, mut trained_n) = (0.0, 0usize);
        let (mut comparison_sum, mut comparison_n) = (0.0, 0usize);
        for m in &estimate.matches {
            let month = m.anchor + t;
            if let Some(y) = values.get(&(m.trained, month)) {
                trained_sum += y;
                trained_n += 1;
            }
            let (mut weighted, mut weight) = (0.0, 0.0);
            for (control, w) in &m.controls {
                if let Some(y) = values.get(&(*control, month)) {
                    weighted += w * y;
                    weight += w;
                }
            }
            if weight > 0.0 {
                comparison_sum += weighted / weight;
                comparison_n += 1;
            }
        }
        points.push(SeriesPoint {
            month: t,
            trained: (trained_n > 0).then(|| trained_sum / trained_n as f64),
            comparison: (comparison_n > 0).then(|| comparison_sum / comparison_n as f64),
            trained_n,
            comparison_n,
        });
    }
    Ok(points)
}

fn ranged(range: Option<analytics::roi::Range>) -> Ranged {
    Ranged {
        value: range.map(|r| r.central),
        low: range.map(|r| r.low),
        high: range.map(|r| r.high),
    }
}

/// Benefit = effect in the good direction × value of a unit × people × months; cost =
/// cost lines, per-head costs and participants' time (at their positions' hourly
/// costs, passed on as the average). Each figure also at both ends of the interval.
fn roi(
    estimate: &Estimate,
    direction: Direction,
    assumptions: &RoiAssumptions,
    cost: &ProgramCost,
) -> Option<RoiResult> {
    let people = estimate.n_trained;
    let input = analytics::roi::Input {
        effect: estimate.effect,
        ci_low: estimate.ci_low,
        ci_high: estimate.ci_high,
        direction: match direction {
            Direction::Lower => analytics::roi::Direction::LowerIsBetter,
            Direction::Higher => analytics::roi::Direction::HigherIsBetter,
        },
        value_per_unit: assumptions.unit_value,
        people: people as f64,
        months: assumptions.benefit_months,
        program_cost: cost.cost_lines + cost.per_head,
        participant_hours: cost.participant_hours,
        hourly_cost: if cost.participant_hours > 0.0 {
            cost.participant_time_cost / cost.participant_hours
        } else {
            0.0
        },
    };
    let figures = match analytics::roi::compute(&input) {
        Ok(figures) => figures,
        Err(e) => {
            tracing::warn!(field = e.field, message = e.message, "ROI not computed");
            return None;
        }
    };
    Some(RoiResult {
        unit_value: assumptions.unit_value,
        benefit_months: assumptions.benefit_months,
        default_hourly_cost: assumptions.default_hourly_cost,
        people,
        cost: figures.cost,
        benefit: ranged(Some(figures.benefit)),
        net_benefit: ranged(Some(figures.net)),
        roi_pct: ranged(figures.roi_percent),
        benefit_cost_ratio: ranged(figures.benefit_cost_ratio),
        payback_months: Ranged {
            value: figures.payback_months.central,
            low: figures.payback_months.shortest,
            high: figures.payback_months.longest,
        },
        assumptions: vec![
            format!(
                "One unit of the KPI is worth ¥{:.2} per person and month.",
                assumptions.unit_value
            ),
            format!(
                "The effect lasts {} months after completion and then stops (not discounted).",
                assumptions.benefit_months
            ),
            format!("The benefit counts the {people} trained people in the estimate."),
            format!(
                "Participants' time is costed at their position's hourly cost, or ¥{:.0} an hour where the position has none ({} people).",
                assumptions.default_hourly_cost, cost.default_cost_used_for
            ),
            "The effect is the difference-in-differences against matched untrained colleagues; the range follows its 95% confidence interval.".into(),
        ],
    })
}

fn warning(w: &Warning) -> EffectWarning {
    let mut values = HashMap::new();
    let (code, message) = match w {
        Warning::TooFewTrained { n, minimum } => {
            values.insert("n".into(), *n as f64);
            values.insert("minimum".into(), *minimum as f64);
            ("too_few_trained", format!("Only {n} trained people have enough KPI data; with fewer than {minimum} the estimate is fragile."))
        }
        Warning::TooFewClusters { n, minimum } => {
            values.insert("n".into(), *n as f64);
            values.insert("minimum".into(), *minimum as f64);
            ("too_few_clusters", format!("The trained people come from {n} department(s); with fewer than {minimum} the interval is unreliable."))
        }
        Warning::ShortWindow { months, minimum } => {
            values.insert("months".into(), f64::from(*months));
            values.insert("minimum".into(), f64::from(*minimum));
            ("short_window", format!("A window of {months} months is short; use at least {minimum}."))
        }
        Warning::MissingData { share } => {
            values.insert("share".into(), *share);
            ("missing_data", format!("{:.0}% of the trained people lack KPI values in the window and were left out.", share * 100.0))
        }
        Warning::Unmatched { share } => {
            values.insert("share".into(), *share);
            ("unmatched", format!("{:.0}% of the trained people found no comparable untrained colleague and were left out.", share * 100.0))
        }
        Warning::Imbalance { covariate, smd } => {
            values.insert("smd".into(), *smd);
            ("imbalance", format!("After matching, the groups still differ on {covariate} (standardised difference {smd:.2})."))
        }
        Warning::PreTrend { p_value } => {
            values.insert("p_value".into(), *p_value);
            ("pre_trend", format!("Before training the groups already moved apart (placebo test p = {p_value:.3}); the effect may be biased."))
        }
        Warning::NaiveMisleading => (
            "naive_misleading",
            "The simple before/after or trained-vs-untrained comparisons differ clearly from the estimate: selection into training or regression to the mean would mislead them.".into(),
        ),
    };
    EffectWarning {
        code: code.into(),
        values,
        message,
    }
}

/// Records an estimate for history and alerts.
pub async fn record(store: &Store, result: &EffectResult, by: &str) -> DomainResult<i64> {
    let json = serde_json::to_string(result)
        .map_err(|e| DomainError::internal_from("cannot encode the result", e))?;
    store
        .record_effect_run(
            result.subject.program_id,
            result.subject.kpi_id,
            result.pre_months,
            result.post_months,
            (
                result.effect,
                result.ci_low,
                result.ci_high,
                result.n_trained,
                result.n_comparison,
            ),
            &json,
            by,
        )
        .await
}

/// Evaluates every closed program that has a transfer goal KPI and completers, with
/// the default request, and records each estimate (the daily job). Returns how many
/// were recorded; a program that cannot be estimated is logged and skipped.
pub async fn evaluate_closed_programs(store: &Store) -> DomainResult<usize> {
    let kpis = store.list_kpis().await?;
    let mut recorded = 0;
    for (program, kpi_id) in store.programs_to_evaluate().await? {
        let Some(kpi) = kpis.iter().find(|k| k.id == kpi_id) else {
            continue;
        };
        let detail = store.program_detail(program).await?;
        let given = GivenAssumptions::default();
        let outcome = match assumptions(store, &detail, kpi, given).await {
            Ok(a) => evaluate(store, &detail, kpi, EffectRequest::default(), a).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(result) => {
                record(store, &result, "system").await?;
                recorded += 1;
            }
            Err(e) => tracing::warn!(program, error = %e, "program effect not estimated"),
        }
    }
    Ok(recorded)
}

/// Completion at or above which a program without effect is flagged.
pub const HIGH_COMPLETION: f64 = 0.8;

/// Programs with high completion but no measurable KPI effect, from the latest
/// recorded estimate of each program.
pub async fn no_effect_alerts(store: &Store) -> DomainResult<Vec<NoKpiEffectAlert>> {
    let mut alerts = Vec::new();
    for run in store.latest_effect_runs().await? {
        let Ok(result) = serde_json::from_str::<serde_json::Value>(&run.result_json) else {
            continue;
        };
        let verdict = result["verdict"].as_str().unwrap_or("inconclusive");
        if verdict == "improved" {
            continue;
        }
        let detail = store.program_detail(run.program_id).await?;
        let taken = detail.summary.enrolled.max(1) as f64;
        let rate = detail.summary.completed as f64 / taken;
        if rate < HIGH_COMPLETION {
            continue;
        }
        alerts.push(NoKpiEffectAlert {
            program_id: run.program_id,
            program_code: detail.summary.code.clone(),
            program_title: detail.summary.title.clone(),
            kpi_code: result["subject"]["kpi_code"]
                .as_str()
                .unwrap_or_default()
                .into(),
            completion_rate: rate,
            effect: run.effect,
            ci_low: run.ci_low,
            ci_high: run.ci_high,
            verdict: verdict.into(),
            estimated_on: run.created_at.date().to_string(),
        });
    }
    Ok(alerts)
}

// ----- the use cases of the page and the API -----------------------------------------------

/// How to estimate an effect, as a caller asks; what is left out takes its default.
#[derive(Debug, Clone, Default)]
pub struct EffectOptions {
    /// Months before each person's completion month.
    pub pre_months: Option<u32>,
    /// Months after it.
    pub post_months: Option<u32>,
    /// A matching method code.
    pub matching: Option<String>,
    /// A stratification code.
    pub stratify: Option<String>,
    pub replications: Option<u32>,
    pub seed: Option<u64>,
    pub given: GivenAssumptions,
}

impl EffectOptions {
    /// The request, with defaults for what is missing; bad codes name their field.
    pub fn request(&self) -> DomainResult<EffectRequest> {
        let defaults = EffectRequest::default();
        Ok(EffectRequest {
            pre_months: self.pre_months.unwrap_or(defaults.pre_months),
            post_months: self.post_months.unwrap_or(defaults.post_months),
            matching: match self.matching.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => MatchingMethod::parse(m)?,
                None => defaults.matching,
            },
            stratify: match self.stratify.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => StratifyBy::parse(m)?,
                None => defaults.stratify,
            },
            replications: self.replications.unwrap_or(defaults.replications),
            seed: self.seed.unwrap_or(defaults.seed),
        })
    }
}

/// Evaluates `program` as asked: the KPI named (or the transfer goal's), windows,
/// matching and ROI assumptions, with defaults for what is left out.
async fn estimate(
    store: &Store,
    program: &ProgramDetail,
    kpi: Option<&str>,
    options: &EffectOptions,
) -> DomainResult<EffectResult> {
    let request = options.request()?;
    let kpi = resolve_kpi(store, program, kpi).await?;
    let assumptions = assumptions(store, program, &kpi, options.given).await?;
    evaluate(store, program, &kpi, request, assumptions).await
}

/// Program `program_id`'s effect on a KPI (company-wide evaluation rights only).
pub async fn program_effect(
    ctx: &crate::Context,
    principal: &Principal,
    program_id: i64,
    kpi: Option<&str>,
    options: &EffectOptions,
) -> DomainResult<EffectResult> {
    may_view_effects(principal)?;
    let program = ctx.store.program_detail(program_id).await?;
    estimate(&ctx.store, &program, kpi, options).await
}

/// A program's effect as its page shows it: the KPIs to choose from, the KPI evaluated
/// and the estimate.
pub struct EffectOverview {
    pub program: ProgramDetail,
    pub kpis: Vec<Kpi>,
    /// The KPI asked for, else the program's transfer goal's; `None`: nothing to
    /// evaluate (and no estimate).
    pub kpi: Option<String>,
    /// The estimate, or the validation error of what was asked (naming its field).
    pub estimate: Option<Result<EffectResult, DomainError>>,
}

/// [`program_effect`] for a page: the KPI defaults to the program's transfer goal; a
/// validation error of the options (`options` is the caller's reading of them) or of
/// the estimate is returned in the overview rather than failing it.
pub async fn effect_overview(
    ctx: &crate::Context,
    principal: &Principal,
    program_id: i64,
    kpi: Option<&str>,
    options: DomainResult<EffectOptions>,
) -> DomainResult<EffectOverview> {
    may_view_effects(principal)?;
    let program = ctx.store.program_detail(program_id).await?;
    let kpis = ctx.store.list_kpis().await?;
    let kpi = kpi
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .or_else(|| program.transfer.as_ref().map(|g| g.kpi_code.clone()))
        .filter(|k| !k.trim().is_empty());
    let estimate = match &kpi {
        None => None,
        Some(code) => {
            let result = match options {
                Ok(options) => estimate(&ctx.store, &program, Some(code), &options).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(r) => Some(Ok(r)),
                Err(e @ DomainError::Validation { .. }) => Some(Err(e)),
                Err(other) => return Err(other),
            }
        }
    };
    Ok(EffectOverview {
        program,
        kpis,
        kpi,
        estimate,
    })
}

/// The program value report: levels 1–3 in one line each beside the KPI effect and ROI.
pub struct ValueReport {
    pub effect: EffectOverview,
    pub reaction: domain::surveys::ReactionSummary,
    pub learning: domain::exams::LearningGain,
    pub transfer: domain::practice::TransferSummary,
}

/// The value report of program `program_id` (company-wide evaluation rights only).
pub async fn value_report(
    ctx: &crate::Context,
    principal: &Principal,
    program_id: i64,
    kpi: Option<&str>,
    options: DomainResult<EffectOptions>,
) -> DomainResult<ValueReport> {
    let effect = effect_overview(ctx, principal, program_id, kpi, options).await?;
    let reaction = ctx.store.program_reaction(program_id).await?;
    let learning = ctx.store.learning_gain(program_id).await?;
    let transfer = ctx.store.transfer_summary(program_id, ctx.today()).await?;
    Ok(ValueReport {
        effect,
        reaction,
        learning,
        transfer,
    })
}

/// Sets what one unit of a KPI is worth, per person and month (program staff);
/// `None` clears it.
pub async fn set_kpi_unit_value(
    ctx: &crate::Context,
    principal: &Principal,
    code: &str,
    unit_value: Option<f64>,
    actor: &domain::audit::Actor,
) -> DomainResult<()> {
    crate::access::require(principal, Permission::ManagePrograms)?;
    let kpi = kpi_by_code(&ctx.store, code)
        .await
        .map_err(|_| DomainError::NotFound { entity: "KPI" })?;
    ctx.store
        .set_kpi_unit_value(kpi.id, unit_value, actor)
        .await
}
