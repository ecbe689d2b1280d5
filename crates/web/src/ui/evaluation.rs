//! Value proof pages, levels 1–3: the evaluation dashboard, programs with reaction,
//! learning, behavior and the funnel (list, export, one program), the resource
//! efficiency index by instructor, vendor and resource, and the alerts. Every figure
//! is limited to the caller's evaluation scope (managers: their subtree); nothing
//! here changes data except creating coaching tasks, which program staff do.

use super::PageId;
use super::{Chrome, Pager, query_string, render, xlsx_response};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::evaluation::{
    AlertKind, CoachingAlert, EfficiencyBy, EfficiencyReport, Funnel, ProgramEvaluation, TrendPoint,
};
use domain::operations::{Plan, ProgramStatus};
use domain::{DomainError, Page};
use serde::Deserialize;
use service::evaluation::EvaluationQuery;
use std::fmt::Write;

// ----- the query --------------------------------------------------------------------------

/// Filter fields of the evaluation pages.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct EvalQuery {
    pub q: Option<String>,
    pub plan: Option<String>,
    pub status: Option<String>,
    pub year: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub created: String,
}

impl EvalQuery {
    /// The filter fields for the use cases.
    pub fn asked(&self) -> EvaluationQuery {
        EvaluationQuery {
            q: self.q.clone(),
            plan: self.plan.clone(),
            status: self.status.clone(),
            year: self.year.clone(),
        }
    }
}

// ----- formatting -----------------------------------------------------------------------

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{:.0}%", x * 100.0))
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.decimals$}"))
}

fn day(d: Option<time::Date>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

/// Escapes text for SVG content and attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A row of the programs table, formatted once for the page and the export.
pub struct ProgramRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub period: String,
    pub enrolled: i64,
    /// attended … behavior changed: "count (share)".
    pub stages: Vec<String>,
    pub reaction: String,
    pub response_rate: String,
    pub pre_post: String,
    pub gain: String,
    pub pass_rate: String,
    pub rating_30: String,
    pub rating_90: String,
    pub changed: String,
}

fn program_row(t: Tr, p: &ProgramEvaluation) -> ProgramRow {
    let f = &p.funnel;
    ProgramRow {
        id: p.program_id,
        code: p.code.clone(),
        title: p.title.clone(),
        status: t.get(&format!("program.status.{}", p.status.code())),
        period: match (p.first_session, p.last_session) {
            (Some(a), Some(b)) if a == b => a.to_string(),
            (a, b) => format!("{} – {}", day(a), day(b)),
        },
        enrolled: f.enrolled,
        stages: f
            .stages()
            .into_iter()
            .skip(1)
            .map(|(_, n)| format!("{n} ({})", pct(f.share(n))))
            .collect(),
        reaction: num(p.reaction.mean(), 2),
        response_rate: pct(p.reaction.response_rate()),
        pre_post: match (p.learning.mean_pre(), p.learning.mean_post()) {
            (Some(a), Some(b)) => format!("{a:.0} → {b:.0}"),
            _ => "—".into(),
        },
        gain: num(p.learning.normalised_gain(), 2),
        pass_rate: pct(p.learning.post_pass_rate()),
        rating_30: num(p.behavior.rating_30(), 2),
        rating_90: num(p.behavior.rating_90(), 2),
        changed: pct(p.behavior.changed_share()),
    }
}

// ----- charts -----------------------------------------------------------------------------

/// The funnel as horizontal bars, each with its count and share of the enrolled.
pub fn funnel_chart(t: Tr, funnel: &Funnel) -> String {
    let stages = funnel.stages();
    let max = stages.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
    let (label_w, bar_w, row_h) = (150.0, 330.0, 34.0);
    let height = row_h * stages.len() as f64 + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 {height:.0}" class="funnel" role="img" aria-label="{}">"#,
        esc(t.get("eval.funnel"))
    );
    for (i, (stage, n)) in stages.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let w = (*n as f64 / max * bar_w).max(if *n > 0 { 2.0 } else { 0.0 });
        // Centred bars narrow like a funnel.
        let x = label_w + (bar_w - w) / 2.0;
        let _ = write!(
            svg,
            r##"<text x="{:.0}" y="{:.1}" font-size="13" text-anchor="end" dominant-baseline="middle" fill="#1d2733">{}</text>"##,
            label_w - 8.0,
            y + row_h / 2.0 - 2.0,
            esc(t.get(&format!("eval.stage.{}", stage.code())))
        );
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.0}" rx="3" fill="#1f5fa8" fill-opacity="{:.2}"/>"##,
            y + 3.0,
            row_h - 10.0,
            1.0 - i as f64 * 0.12
        );
        let _ = write!(
            svg,
            r##"<text x="{:.0}" y="{:.1}" font-size="13" dominant-baseline="middle" fill="#1d2733">{n} · {}</text>"##,
            label_w + bar_w + 10.0,
            y + row_h / 2.0 - 2.0,
            pct(funnel.share(*n))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Quarterly lines (percent): completion rate, normalised gain and behavior changed.
/// None with fewer than two quarters.
pub fn trend_chart(t: Tr, points: &[&TrendPoint]) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let series: [(&str, &str, Vec<Option<f64>>); 3] = [
        (
            "eval.trend.completion",
            "#1f5fa8",
            points
                .iter()
                .map(|p| p.levels.funnel.completion_rate().map(|x| x * 100.0))
                .collect(),
        ),
        (
            "eval.trend.gain",
            "#1e7b45",
            points
                .iter()
                .map(|p| p.levels.learning.normalised_gain().map(|x| x * 100.0))
                .collect(),
        ),
        (
            "eval.trend.changed",
            "#9a6700",
            points
                .iter()
                .map(|p| p.levels.behavior.changed_share().map(|x| x * 100.0))
                .collect(),
        ),
    ];
    let low = series
        .iter()
        .flat_map(|s| s.2.iter().flatten())
        .fold(0.0f64, |a, b| a.min(*b));
    let (left, right, top, bottom) = (44.0, 580.0, 14.0, 200.0);
    let y = |v: f64| bottom - (v - low) / (100.0 - low).max(1.0) * (bottom - top);
    let step = (right - left) / (points.len() - 1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 250" class="trend" role="img" aria-label="{}">"#,
        esc(t.get("eval.trend"))
    );
    for v in [low, 50.0, 100.0] {
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{0:.1}" x2="{right}" y2="{0:.1}" stroke="#dde3ea"/><text x="{1}" y="{0:.1}" font-size="11" text-anchor="end" dominant-baseline="middle" fill="#66727f">{2:.0}%</text>"##,
            y(v),
            left - 6.0,
            v
        );
    }
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.0}" font-size="11" text-anchor="middle" fill="#66727f">{}</text>"##,
            left + i as f64 * step,
            bottom + 16.0,
            p.quarter
        );
    }
    for (s, (key, color, values)) in series.iter().enumerate() {
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", left + i as f64 * step, y(v))))
            .collect();
        if pts.len() > 1 {
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"#,
                pts.join(" ")
            );
        }
        for pt in &pts {
            let (x, yy) = pt.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(svg, r#"<circle cx="{x}" cy="{yy}" r="3" fill="{color}"/>"#);
        }
        let lx = left + s as f64 * 180.0;
        let _ = write!(
            svg,
            r##"<rect x="{lx:.0}" y="232" width="14" height="4" fill="{color}"/><text x="{:.0}" y="238" font-size="12" fill="#1d2733">{}</text>"##,
            lx + 20.0,
            esc(t.get(key))
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// A trend as table rows: quarter, programs, enrolled, completion, gain, changed.
pub struct TrendRow {
    pub quarter: String,
    pub programs: i64,
    pub enrolled: i64,
    pub completion: String,
    pub reaction: String,
    pub gain: String,
    pub changed: String,
}

fn trend_rows(points: &[&TrendPoint]) -> Vec<TrendRow> {
    points
        .iter()
        .map(|p| TrendRow {
            quarter: p.quarter.to_string(),
            programs: p.levels.programs,
            enrolled: p.levels.funnel.enrolled,
            completion: pct(p.levels.funnel.completion_rate()),
            reaction: num(p.levels.reaction.mean(), 2),
            gain: num(p.levels.learning.normalised_gain(), 2),
            changed: pct(p.levels.behavior.changed_share()),
        })
        .collect()
}

// ----- the dashboard ------------------------------------------------------------------------

/// An efficiency row formatted for the pages.
pub struct EfficiencyView {
    pub key: String,
    pub label: String,
    pub detail: String,
    pub programs: i64,
    pub hours: String,
    pub learner_hours: String,
    pub pre_post: String,
    pub gain: String,
    pub index: String,
    /// Bar width 0–100 (index 200 and more fill it).
    pub bar: u32,
    pub has_index: bool,
    pub below: bool,
    pub quarters: Vec<(String, String, bool)>,
    pub flagged: bool,
    pub reaction: String,
    pub completion: String,
    pub changed: String,
}

/// "external · vendor" with the origin code in the UI language.
fn detail_label(t: Tr, detail: &str) -> String {
    let (origin, rest) = detail.split_once(" · ").unwrap_or((detail, ""));
    let origin = match origin {
        "internal" | "external" => t.get(&format!("eval.origin.{origin}")).to_string(),
        other => other.to_string(),
    };
    if rest.is_empty() {
        origin
    } else {
        format!("{origin} · {rest}")
    }
}

fn efficiency_views(t: Tr, report: &EfficiencyReport) -> Vec<EfficiencyView> {
    report
        .rows
        .iter()
        .map(|r| EfficiencyView {
            key: r.key.clone(),
            label: r.label.clone(),
            detail: detail_label(t, &r.detail),
            programs: r.programs,
            hours: format!("{:.1}", r.totals.hours),
            learner_hours: format!("{:.0}", r.totals.learner_hours),
            pre_post: match (r.totals.mean_pre(), r.totals.mean_post()) {
                (Some(a), Some(b)) => format!("{a:.0} → {b:.0}"),
                _ => "—".into(),
            },
            gain: num(r.gain, 2),
            index: num(r.index, 0),
            bar: r.index.map_or(0, |i| (i / 2.0).clamp(0.0, 100.0) as u32),
            has_index: r.index.is_some(),
            below: r.index.is_some_and(|i| i < 100.0),
            quarters: r
                .quarters
                .iter()
                .map(|q| {
                    (
                        q.quarter.to_string(),
                        num(q.index, 0),
                        q.index.is_some_and(|i| i < 100.0),
                    )
                })
                .collect(),
            flagged: report.by == EfficiencyBy::Vendor && r.below_twice,
            reaction: num(r.levels.reaction.mean(), 2),
            completion: pct(r.levels.funnel.completion_rate()),
            changed: pct(r.levels.behavior.changed_share()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "evaluation.html")]
struct DashboardPage {
    t: Tr,
    chrome: Chrome,
    company: bool,
    year: String,
    years: Vec<i32>,
    programs: i64,
    coverage_year: i32,
    trained: String,
    trained_counts: String,
    required: String,
    required_counts: String,
    completion: String,
    completion_counts: String,
    alerts: usize,
    alert_counts: Vec<(&'static str, usize)>,
    funnel_svg: String,
    trend_svg: Option<String>,
    trend: Vec<TrendRow>,
    rows: Vec<ProgramRow>,
    top: Vec<EfficiencyView>,
    bottom: Vec<EfficiencyView>,
    baseline_gain: String,
}

/// Years offered by the year filters: this one and the four before.
fn recent_years(state: &AppState) -> Vec<i32> {
    let now = state.today().year();
    (now - 4..=now).rev().collect()
}

/// `GET /evaluation`: the dashboard of the caller's scope.
pub async fn dashboard(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EvalQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let dashboard =
        service::evaluation::evaluation_dashboard(&state, &caller.principal, query.year.clone())
            .await?;
    let service::evaluation::EvaluationDashboard {
        company,
        programs,
        total,
        coverage,
        alerts,
        efficiency,
        trend: company_trend,
    } = dashboard;
    let views = efficiency_views(t, &efficiency);
    // Highest first; with few measured instructors, the upper half is "top" and the
    // rest "bottom", lowest first, at most five each.
    let measured: Vec<&EfficiencyView> = views.iter().filter(|v| v.has_index).collect();
    let top_n = measured.len().div_ceil(2).min(5);
    let top: Vec<EfficiencyView> = measured.iter().take(top_n).map(|v| clone_view(v)).collect();
    let bottom: Vec<EfficiencyView> = measured
        .iter()
        .skip(top_n)
        .rev()
        .take(5)
        .map(|v| clone_view(v))
        .collect();
    let company_trend: Vec<&TrendPoint> = company_trend.iter().collect();
    let page = DashboardPage {
        t,
        chrome: Chrome::for_caller(&caller),
        company,
        year: query.year.clone().unwrap_or_default(),
        years: recent_years(&state),
        programs: total.programs,
        coverage_year: coverage.year,
        trained: pct(coverage.trained_share()),
        trained_counts: format!("{} / {}", coverage.trained, coverage.employees),
        required: pct(coverage.required_share()),
        required_counts: format!("{} / {}", coverage.required_met, coverage.required),
        completion: pct(total.funnel.completion_rate()),
        completion_counts: format!("{} / {}", total.funnel.completed, total.funnel.enrolled),
        alerts: alerts.total(),
        alert_counts: AlertKind::ALL
            .iter()
            .map(|k| (k.code(), alerts.count(*k)))
            .collect(),
        funnel_svg: funnel_chart(t, &total.funnel),
        trend_svg: trend_chart(t, &company_trend),
        trend: trend_rows(&company_trend),
        rows: programs
            .iter()
            .take(10)
            .map(|p| program_row(t, p))
            .collect(),
        top,
        bottom,
        baseline_gain: num(efficiency.baseline_gain, 2),
    };
    Ok(render(&page))
}

fn clone_view(v: &EfficiencyView) -> EfficiencyView {
    EfficiencyView {
        key: v.key.clone(),
        label: v.label.clone(),
        detail: v.detail.clone(),
        programs: v.programs,
        hours: v.hours.clone(),
        learner_hours: v.learner_hours.clone(),
        pre_post: v.pre_post.clone(),
        gain: v.gain.clone(),
        index: v.index.clone(),
        bar: v.bar,
        has_index: v.has_index,
        below: v.below,
        quarters: v.quarters.clone(),
        flagged: v.flagged,
        reaction: v.reaction.clone(),
        completion: v.completion.clone(),
        changed: v.changed.clone(),
    }
}

// ----- programs -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "evaluation_programs.html")]
struct ProgramsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<ProgramRow>,
    q: String,
    plan: String,
    status: String,
    year: String,
    plans: Vec<Plan>,
    statuses: &'static [ProgramStatus],
    years: Vec<i32>,
    stage_keys: Vec<String>,
    export_link: String,
    pager: Pager,
}

/// `GET /evaluation/programs`: levels 1–3 and the funnel per program.
pub async fn programs(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EvalQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let (paged, plans) = service::evaluation::evaluate_programs_with_plans(
        &state,
        &caller.principal,
        &query.asked(),
        Page::new(query.page, query.per_page),
    )
    .await?;
    let qs = query_string(&[
        ("q", query.q.clone().unwrap_or_default()),
        ("plan", query.plan.clone().unwrap_or_default()),
        ("status", query.status.clone().unwrap_or_default()),
        ("year", query.year.clone().unwrap_or_default()),
    ]);
    let pager = Pager::new(t, &paged, "/evaluation/programs", &qs);
    let page = ProgramsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        rows: paged.items.iter().map(|p| program_row(t, p)).collect(),
        q: query.q.clone().unwrap_or_default(),
        plan: query.plan.clone().unwrap_or_default(),
        status: query.status.clone().unwrap_or_default(),
        year: query.year.clone().unwrap_or_default(),
        plans,
        statuses: ProgramStatus::ALL,
        years: recent_years(&state),
        stage_keys: Funnel::default()
            .stages()
            .iter()
            .skip(1)
            .map(|(s, _)| format!("eval.stage.{}", s.code()))
            .collect(),
        export_link: format!("/evaluation/programs/export.xlsx?{qs}"),
        pager,
    };
    Ok(render(&page))
}

/// Columns of the programs workbook (text keys); the first row of the sheet.
pub const PROGRAM_EXPORT_COLUMNS: &[&str] = &[
    "eval.col.code",
    "eval.col.title",
    "programs.status",
    "eval.col.plan",
    "eval.col.first_session",
    "eval.col.last_session",
    "eval.stage.enrolled",
    "eval.stage.attended",
    "eval.stage.completed",
    "eval.stage.passed_post_test",
    "eval.stage.practice_accepted",
    "eval.stage.behavior_changed",
    "eval.col.reaction",
    "eval.col.response_rate",
    "eval.col.mean_pre",
    "eval.col.mean_post",
    "eval.col.gain",
    "eval.col.pass_rate",
    "eval.col.rating_30",
    "eval.col.rating_90",
    "eval.col.changed_share",
];

/// `GET /evaluation/programs/export.xlsx`: every program matching the filter.
pub async fn programs_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EvalQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let programs =
        service::evaluation::export_program_evaluations(&state, &caller.principal, &query.asked())
            .await?;
    let bytes = programs_workbook(t, &programs)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(bytes, "evaluation-programs.xlsx"))
}

fn programs_workbook(
    t: Tr,
    programs: &[ProgramEvaluation],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("eval.programs"))?;
    let bold = Format::new().set_bold();
    for (col, key) in PROGRAM_EXPORT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, p) in programs.iter().enumerate() {
        let r = i as u32 + 1;
        let texts = [
            p.code.clone(),
            p.title.clone(),
            t.get(&format!("program.status.{}", p.status.code()))
                .to_string(),
            p.plan_code.clone().unwrap_or_default(),
            p.first_session.map(|d| d.to_string()).unwrap_or_default(),
            p.last_session.map(|d| d.to_string()).unwrap_or_default(),
        ];
        for (col, v) in texts.iter().enumerate() {
            sheet.write_string(r, col as u16, v)?;
        }
        let mut col = texts.len() as u16;
        for (_, n) in p.funnel.stages() {
            sheet.write_number(r, col, n as f64)?;
            col += 1;
        }
        let numbers = [
            p.reaction.mean(),
            p.reaction.response_rate(),
            p.learning.mean_pre(),
            p.learning.mean_post(),
            p.learning.normalised_gain(),
            p.learning.post_pass_rate(),
            p.behavior.rating_30(),
            p.behavior.rating_90(),
            p.behavior.changed_share(),
        ];
        for v in numbers {
            if let Some(v) = v {
                sheet.write_number(r, col, (v * 1000.0).round() / 1000.0)?;
            }
            col += 1;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

#[derive(Template)]
#[template(path = "evaluation_program.html")]
struct ProgramPage {
    t: Tr,
    chrome: Chrome,
    row: ProgramRow,
    p: ProgramEvaluation,
    family: String,
    funnel_svg: String,
    trend_svg: Option<String>,
    trend: Vec<TrendRow>,
    reaction_link: bool,
    invited: i64,
    responses: i64,
    post_counts: String,
    tasks: String,
    rated: String,
}

/// `GET /evaluation/programs/{id}`: one program's levels 1–3, funnel and family trend.
pub async fn program(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let (p, trend) = service::evaluation::program_evaluation(&state, &caller.principal, id).await?;
    let points: Vec<&TrendPoint> = trend.iter().collect();
    let page = ProgramPage {
        t,
        chrome: Chrome::for_caller(&caller),
        row: program_row(t, &p),
        family: p.family().to_string(),
        funnel_svg: funnel_chart(t, &p.funnel),
        trend_svg: trend_chart(t, &points),
        trend: trend_rows(&points),
        reaction_link: service::surveys::may_see_program_reaction(&caller.principal),
        invited: p.reaction.invited,
        responses: p.reaction.responses,
        post_counts: format!("{} / {}", p.learning.post_passed, p.learning.post_takers),
        tasks: format!("{} / {}", p.behavior.tasks_accepted, p.behavior.tasks),
        rated: format!(
            "{} / {}",
            p.behavior.learners_changed, p.behavior.learners_rated_90
        ),
        p,
    };
    Ok(render(&page))
}

// ----- efficiency -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "evaluation_efficiency.html")]
struct EfficiencyPage {
    t: Tr,
    chrome: Chrome,
    by: &'static str,
    by_label: &'static str,
    year: String,
    years: Vec<i32>,
    rows: Vec<EfficiencyView>,
    baseline_gain: String,
    baseline_hours: String,
    flagged: usize,
    export_link: String,
}

#[derive(Deserialize, Default)]
pub struct EfficiencyQuery {
    year: Option<String>,
}

async fn efficiency_report(
    state: &AppState,
    caller: &PageCaller,
    by: EfficiencyBy,
    year: &Option<String>,
) -> Result<EfficiencyReport, PageError> {
    Ok(
        service::evaluation::efficiency_report(state, &caller.principal, Some(by), year.clone())
            .await?,
    )
}

async fn efficiency_page(
    state: AppState,
    caller: PageCaller,
    query: EfficiencyQuery,
    by: EfficiencyBy,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let report = efficiency_report(&state, &caller, by, &query.year).await?;
    let rows = efficiency_views(t, &report);
    let qs = query_string(&[("year", query.year.clone().unwrap_or_default())]);
    let page = EfficiencyPage {
        t,
        chrome: Chrome::for_caller(&caller),
        by: by.code(),
        by_label: t.get(&format!("eval.by.{}", by.code())),
        year: query.year.clone().unwrap_or_default(),
        years: recent_years(&state),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        rows,
        baseline_gain: num(report.baseline_gain, 2),
        baseline_hours: format!("{:.1}", report.baseline.hours),
        export_link: format!("/evaluation/{}s/export.xlsx?{qs}", by.code()),
    };
    Ok(render(&page))
}

async fn efficiency_export(
    state: AppState,
    caller: PageCaller,
    query: EfficiencyQuery,
    by: EfficiencyBy,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let report = efficiency_report(&state, &caller, by, &query.year).await?;
    let bytes = efficiency_workbook(t, &report)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(
        bytes,
        &format!("efficiency-{}s.xlsx", by.code()),
    ))
}

/// Columns of the efficiency workbooks (text keys).
pub const EFFICIENCY_EXPORT_COLUMNS: &[&str] = &[
    "eval.col.key",
    "eval.col.name",
    "eval.col.detail",
    "eval.col.programs",
    "eval.col.hours",
    "eval.col.learner_hours",
    "eval.col.mean_pre",
    "eval.col.mean_post",
    "eval.col.gain",
    "eval.col.index",
    "eval.col.quarters",
    "eval.col.flagged",
    "eval.col.reaction",
    "eval.col.completion",
    "eval.col.changed_share",
];

fn efficiency_workbook(
    t: Tr,
    report: &EfficiencyReport,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get(&format!("eval.by.{}", report.by.code())))?;
    let bold = Format::new().set_bold();
    for (col, key) in EFFICIENCY_EXPORT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    for (i, row) in report.rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.key)?;
        sheet.write_string(r, 1, &row.label)?;
        sheet.write_string(r, 2, &row.detail)?;
        sheet.write_number(r, 3, row.programs as f64)?;
        sheet.write_number(r, 4, round(row.totals.hours))?;
        sheet.write_number(r, 5, round(row.totals.learner_hours))?;
        for (col, v) in [
            (6u16, row.totals.mean_pre()),
            (7, row.totals.mean_post()),
            (8, row.gain),
            (9, row.index),
        ] {
            if let Some(v) = v {
                sheet.write_number(r, col, round(v))?;
            }
        }
        let quarters: Vec<String> = row
            .quarters
            .iter()
            .map(|q| format!("{} {}", q.quarter, num(q.index, 0)))
            .collect();
        sheet.write_string(r, 10, quarters.join(" · "))?;
        let flagged = report.by == EfficiencyBy::Vendor && row.below_twice;
        sheet.write_string(
            r,
            11,
            if flagged {
                t.get("common.yes")
            } else {
                t.get("common.no")
            },
        )?;
        for (col, v) in [
            (12u16, row.levels.reaction.mean()),
            (13, row.levels.funnel.completion_rate()),
            (14, row.levels.behavior.changed_share()),
        ] {
            if let Some(v) = v {
                sheet.write_number(r, col, round(v))?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// `GET /evaluation/instructors`.
pub async fn instructors(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_page(state, caller, query, EfficiencyBy::Instructor).await
}

/// `GET /evaluation/vendors`: vendors below the baseline twice in a row are flagged.
pub async fn vendors(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_page(state, caller, query, EfficiencyBy::Vendor).await
}

/// `GET /evaluation/resources`.
pub async fn resources(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_page(state, caller, query, EfficiencyBy::Resource).await
}

pub async fn instructors_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_export(state, caller, query, EfficiencyBy::Instructor).await
}

pub async fn vendors_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_export(state, caller, query, EfficiencyBy::Vendor).await
}

pub async fn resources_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EfficiencyQuery>,
) -> Result<Response, PageError> {
    efficiency_export(state, caller, query, EfficiencyBy::Resource).await
}

// ----- alerts -------------------------------------------------------------------------------------

/// A coverage alert formatted for the page.
pub struct CoverageView {
    pub position: String,
    pub skill: String,
    pub required_level: i32,
    pub now: String,
    pub then: String,
    pub fall: String,
}

#[derive(Template)]
#[template(path = "evaluation_alerts.html")]
struct AlertsPage {
    t: Tr,
    chrome: Chrome,
    notice: String,
    coaching: Vec<CoachingAlert>,
    open_coaching: usize,
    coverage: Vec<CoverageView>,
    may_create: bool,
    lookback: u8,
    no_kpi_effect: Vec<domain::evaluation::NoKpiEffectAlert>,
}

/// `GET /evaluation/alerts`.
pub async fn alerts(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<EvalQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let alerts = service::evaluation::evaluation_alerts(&state, &caller.principal).await?;
    let notice = match query.done.as_str() {
        "coaching" => t
            .get("eval.alerts.created")
            .replace("{n}", query.created.trim()),
        _ => String::new(),
    };
    let page = AlertsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        notice,
        open_coaching: alerts
            .low_post_test
            .iter()
            .filter(|a| a.coaching_task_id.is_none())
            .count(),
        coverage: alerts
            .coverage_falling
            .iter()
            .map(|c| CoverageView {
                position: format!("{} {}", c.position_code, c.position_name),
                skill: format!("{} {}", c.skill_code, c.skill_name),
                required_level: c.required_level,
                now: format!(
                    "{} ({}/{})",
                    num(c.share_now(), 0),
                    c.meeting_now,
                    c.people_now
                ),
                then: format!(
                    "{} ({}/{})",
                    num(c.share_then(), 0),
                    c.meeting_then,
                    c.people_then
                ),
                fall: num(c.fall_points(), 1),
            })
            .collect(),
        coaching: alerts.low_post_test,
        no_kpi_effect: alerts.no_kpi_effect,
        may_create: service::evaluation::may_create_coaching_tasks(&caller.principal),
        lookback: domain::evaluation::COVERAGE_LOOKBACK_MONTHS,
    };
    Ok(render(&page))
}

/// `POST /evaluation/alerts/coaching`: program staff create the coaching tasks of the
/// low post-test alerts in their scope (the daily job does the same).
pub async fn create_coaching(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let outcome =
        service::evaluation::create_coaching_tasks(&state, &caller.principal, &caller.actor())
            .await?;
    Ok(Redirect::to(&format!(
        "/evaluation/alerts?done=coaching&created={}",
        outcome.created
    ))
    .into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/evaluation", Page, dashboard)
        .get("/evaluation/programs", Page, programs)
        .get("/evaluation/programs/export.xlsx", Page, programs_export)
        .get("/evaluation/programs/{id}", Page, program)
        .get("/evaluation/instructors", Page, instructors)
        .get(
            "/evaluation/instructors/export.xlsx",
            Page,
            instructors_export,
        )
        .get("/evaluation/vendors", Page, vendors)
        .get("/evaluation/vendors/export.xlsx", Page, vendors_export)
        .get("/evaluation/resources", Page, resources)
        .get("/evaluation/resources/export.xlsx", Page, resources_export)
        .get("/evaluation/alerts", Page, alerts)
        .post("/evaluation/alerts/coaching", Page, create_coaching)
}
