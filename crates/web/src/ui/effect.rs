//! The effect of a program on a business KPI (Kirkpatrick level 4) and ROI, as a page
//! with a chart, an Excel export and a printable program value report.

use super::PageId;
use super::{Chrome, render, xlsx_response};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::effect::{MatchingMethod, StratifyBy};
use domain::performance::Kpi;
use domain::{DomainError, DomainResult};
use serde::Deserialize;
use service::effect::{EffectOptions, EffectResult, GivenAssumptions, Ranged, SeriesPoint};
use std::fmt::Write;

/// The query as typed into the form, kept as text so a bad value is shown back.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct EffectForm {
    #[serde(default)]
    kpi: String,
    #[serde(default)]
    pre_months: String,
    #[serde(default)]
    post_months: String,
    #[serde(default)]
    matching: String,
    #[serde(default)]
    stratify: String,
    #[serde(default)]
    unit_value: String,
    #[serde(default)]
    benefit_months: String,
    #[serde(default)]
    hourly_cost: String,
}

fn number<T: std::str::FromStr>(field: &'static str, text: &str) -> DomainResult<Option<T>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| DomainError::invalid(field, format!("'{text}' is not a number")))
}

impl EffectForm {
    /// The KPI asked for, if any.
    fn kpi(&self) -> Option<&str> {
        Some(self.kpi.as_str()).filter(|k| !k.trim().is_empty())
    }

    fn options(&self) -> DomainResult<EffectOptions> {
        Ok(EffectOptions {
            pre_months: number("pre_months", &self.pre_months)?,
            post_months: number("post_months", &self.post_months)?,
            matching: Some(self.matching.clone()),
            stratify: Some(self.stratify.clone()),
            replications: None,
            seed: None,
            given: GivenAssumptions {
                unit_value: number("unit_value", &self.unit_value)?,
                benefit_months: number("benefit_months", &self.benefit_months)?,
                hourly_cost: number("hourly_cost", &self.hourly_cost)?,
            },
        })
    }

    /// The same query as a URL query string (for the export and report links).
    fn link(&self) -> String {
        serde_urlencoded::to_string([
            ("kpi", &self.kpi),
            ("pre_months", &self.pre_months),
            ("post_months", &self.post_months),
            ("matching", &self.matching),
            ("stratify", &self.stratify),
            ("unit_value", &self.unit_value),
            ("benefit_months", &self.benefit_months),
            ("hourly_cost", &self.hourly_cost),
        ])
        .unwrap_or_default()
    }
}

/// A figure with its interval, formatted.
pub struct RangeView {
    pub label: &'static str,
    pub value: String,
    pub range: String,
}

/// What the page and the report show, formatted for the reader's language.
pub struct EffectView {
    pub result: EffectResult,
    pub headline: String,
    pub verdict_class: &'static str,
    pub effect: String,
    pub ci: String,
    pub effect_pct: String,
    pub naive_before_after: String,
    pub naive_trained_vs_untrained: String,
    pub pretrend: String,
    pub warnings: Vec<String>,
    pub chart: String,
    pub roi: Vec<RangeView>,
    pub assumptions: Vec<String>,
    pub cost_lines: Vec<(&'static str, String)>,
}

fn fmt(v: f64, digits: usize) -> String {
    format!("{v:.digits$}")
}

fn signed(v: f64, digits: usize) -> String {
    format!("{v:+.digits$}")
}

fn ranged(t: Tr, r: &Ranged, digits: usize, suffix: &str) -> (String, String) {
    // Adding 0.0 turns a negative zero into zero, so a range never reads "-0%".
    let show = |v: Option<f64>| {
        v.map_or_else(
            || "—".to_string(),
            |v| format!("{:.digits$}{suffix}", v + 0.0),
        )
    };
    let range = match (r.low, r.high) {
        (None, None) => t.get("effect.no_range").to_string(),
        (low, high) => format!("{} – {}", show(low), show(high)),
    };
    (show(r.value), range)
}

fn view(t: Tr, result: EffectResult) -> EffectView {
    let unit = result.subject.kpi_unit.clone().unwrap_or_default();
    let headline_key = format!("effect.headline.{}", result.verdict);
    let headline = t
        .get(&headline_key)
        .replace("{kpi}", &result.subject.kpi_name)
        .replace("{effect}", &signed(result.effect, 3))
        .replace("{unit}", &unit)
        .replace("{low}", &signed(result.ci_low, 3))
        .replace("{high}", &signed(result.ci_high, 3))
        .replace("{n}", &result.n_trained.to_string())
        .replace("{m}", &result.n_comparison.to_string());
    let warnings = result
        .warnings
        .iter()
        .map(|w| {
            let mut text = t.get(&format!("effect.warning.{}", w.code)).to_string();
            for (name, value) in &w.values {
                let shown = match name.as_str() {
                    "share" => format!("{:.0}%", value * 100.0),
                    "p_value" => format!("{value:.3}"),
                    "smd" => format!("{value:.2}"),
                    _ => format!("{value:.0}"),
                };
                text = text.replace(&format!("{{{name}}}"), &shown);
            }
            text
        })
        .collect();
    let mut roi = Vec::new();
    let mut assumptions = Vec::new();
    if let Some(r) = &result.roi {
        for (label, figure, digits, suffix) in [
            ("effect.roi.benefit", &r.benefit, 0, ""),
            ("effect.roi.net", &r.net_benefit, 0, ""),
            ("effect.roi.roi", &r.roi_pct, 0, "%"),
            ("effect.roi.bcr", &r.benefit_cost_ratio, 2, ""),
            ("effect.roi.payback", &r.payback_months, 1, ""),
        ] {
            let (value, range) = ranged(t, figure, digits, suffix);
            roi.push(RangeView {
                label: t.get(label),
                value,
                range,
            });
        }
        assumptions = vec![
            t.get("effect.assume.unit_value")
                .replace("{value}", &fmt(r.unit_value, 2)),
            t.get("effect.assume.months")
                .replace("{months}", &fmt(r.benefit_months, 0)),
            t.get("effect.assume.people")
                .replace("{n}", &r.people.to_string()),
            t.get("effect.assume.hourly")
                .replace("{value}", &fmt(r.default_hourly_cost, 0))
                .replace("{n}", &result.cost.default_cost_used_for.to_string()),
            t.get("effect.assume.interval").to_string(),
        ];
    }
    let cost_lines = vec![
        ("effect.cost.lines", fmt(result.cost.cost_lines, 0)),
        ("effect.cost.per_head", fmt(result.cost.per_head, 0)),
        (
            "effect.cost.time",
            format!(
                "{} ({} h)",
                fmt(result.cost.participant_time_cost, 0),
                fmt(result.cost.participant_hours, 0)
            ),
        ),
        ("effect.cost.total", fmt(result.cost.total, 0)),
    ]
    .into_iter()
    .map(|(k, v)| (t.get(k), v))
    .collect();
    let chart = event_chart(
        &result.series,
        t.get("effect.chart.trained"),
        t.get("effect.chart.comparison"),
        t.get("effect.chart.months"),
    );
    EffectView {
        headline,
        verdict_class: match result.verdict.as_str() {
            "improved" => "ok",
            "worsened" => "error",
            _ => "",
        },
        effect: format!("{} {unit}", signed(result.effect, 3)),
        ci: format!(
            "{} – {}",
            signed(result.ci_low, 3),
            signed(result.ci_high, 3)
        ),
        effect_pct: result
            .effect_pct
            .map_or_else(|| "—".into(), |p| format!("{p:+.1}%")),
        naive_before_after: signed(result.naive_before_after, 3),
        naive_trained_vs_untrained: signed(result.naive_trained_vs_untrained, 3),
        pretrend: match (result.pretrend_effect, result.pretrend_p_value) {
            (Some(e), Some(p)) => format!("{} (p = {p:.3})", signed(e, 3)),
            _ => "—".into(),
        },
        warnings,
        chart,
        roi,
        assumptions,
        cost_lines,
        result,
    }
}

#[derive(Template)]
#[template(path = "effect.html")]
struct EffectPage {
    t: Tr,
    chrome: Chrome,
    program_id: i64,
    program_code: String,
    program_title: String,
    kpis: Vec<Kpi>,
    form: EffectForm,
    link: String,
    error: String,
    view: Option<EffectView>,
    matchings: &'static [MatchingMethod],
    stratifications: &'static [StratifyBy],
}

/// The overview's estimate for the page and the report: the KPI evaluated is shown
/// selected in the form; `None` when there is no KPI to evaluate; a bad form gives
/// the text of its error, naming the field.
fn form_view(
    t: Tr,
    overview: &mut service::effect::EffectOverview,
    form: &mut EffectForm,
) -> (Option<EffectView>, String) {
    if let Some(kpi) = &overview.kpi {
        form.kpi = kpi.clone();
    }
    match overview.estimate.take() {
        None => (None, String::new()),
        Some(Ok(result)) => (Some(view(t, result)), String::new()),
        Some(Err(DomainError::Validation { field, message })) => (
            None,
            format!("{}: {message}", t.get(&format!("effect.field.{field}"))),
        ),
        Some(Err(other)) => (None, other.to_string()),
    }
}

/// `GET /evaluation/programs/{id}/effect`: the estimate with its chart, diagnostics and ROI.
pub async fn page(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(mut form): Query<EffectForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let mut overview =
        service::effect::effect_overview(&state, &caller.principal, id, form.kpi(), form.options())
            .await?;
    let (view, error) = form_view(t, &mut overview, &mut form);
    let detail = overview.program;
    let kpis = overview.kpis;
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EffectPage {
        t,
        chrome: Chrome::for_caller(&caller),
        program_id: id,
        program_code: detail.summary.code.clone(),
        program_title: detail.summary.title.clone(),
        kpis,
        link: form.link(),
        form,
        error,
        view,
        matchings: MatchingMethod::ALL,
        stratifications: StratifyBy::ALL,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /evaluation/programs/{id}/effect.xlsx`: the estimate, the month-by-month series
/// and the assumptions as a workbook.
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(form): Query<EffectForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let options = form.options()?;
    let result =
        service::effect::program_effect(&state, &caller.principal, id, form.kpi(), &options)
            .await?;
    let bytes = workbook(t, &view(t, result))?;
    Ok(xlsx_response(bytes, "program-effect.xlsx"))
}

fn workbook(t: Tr, v: &EffectView) -> DomainResult<Vec<u8>> {
    use rust_xlsxwriter::Workbook;
    let fail = |e: rust_xlsxwriter::XlsxError| DomainError::internal_from("xlsx", e);
    let r = &v.result;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name(t.get("effect.sheet.summary"))
        .map_err(fail)?;
    let rows: Vec<(&str, String)> = vec![
        (
            t.get("effect.program"),
            format!("{} {}", r.subject.program_code, r.subject.program_title),
        ),
        (
            t.get("effect.kpi"),
            format!("{} {}", r.subject.kpi_code, r.subject.kpi_name),
        ),
        (t.get("effect.pre_months"), r.pre_months.to_string()),
        (t.get("effect.post_months"), r.post_months.to_string()),
        (
            t.get("effect.matching"),
            t.get(&format!("effect.matching.{}", r.matching))
                .to_string(),
        ),
        (t.get("effect.effect"), fmt(r.effect, 4)),
        (t.get("effect.ci_low"), fmt(r.ci_low, 4)),
        (t.get("effect.ci_high"), fmt(r.ci_high, 4)),
        (t.get("effect.n_trained"), r.n_trained.to_string()),
        (t.get("effect.n_comparison"), r.n_comparison.to_string()),
        (
            t.get("effect.naive_before_after"),
            fmt(r.naive_before_after, 4),
        ),
        (
            t.get("effect.naive_trained_vs_untrained"),
            fmt(r.naive_trained_vs_untrained, 4),
        ),
        (t.get("effect.pretrend"), v.pretrend.clone()),
    ];
    for (i, (label, value)) in rows.iter().enumerate() {
        sheet.write_string(i as u32, 0, *label).map_err(fail)?;
        sheet.write_string(i as u32, 1, value).map_err(fail)?;
    }
    let mut row = rows.len() as u32 + 1;
    for w in &v.warnings {
        sheet
            .write_string(row, 0, t.get("effect.warnings"))
            .map_err(fail)?;
        sheet.write_string(row, 1, w).map_err(fail)?;
        row += 1;
    }
    for line in &v.roi {
        sheet.write_string(row, 0, line.label).map_err(fail)?;
        sheet.write_string(row, 1, &line.value).map_err(fail)?;
        sheet.write_string(row, 2, &line.range).map_err(fail)?;
        row += 1;
    }
    for a in &v.assumptions {
        sheet
            .write_string(row, 0, t.get("effect.assumptions"))
            .map_err(fail)?;
        sheet.write_string(row, 1, a).map_err(fail)?;
        row += 1;
    }
    let series = book.add_worksheet();
    series
        .set_name(t.get("effect.sheet.series"))
        .map_err(fail)?;
    for (c, h) in [
        "effect.chart.months",
        "effect.chart.trained",
        "effect.chart.comparison",
        "effect.chart.trained_n",
        "effect.chart.comparison_n",
    ]
    .iter()
    .enumerate()
    {
        series.write_string(0, c as u16, t.get(h)).map_err(fail)?;
    }
    for (i, p) in r.series.iter().enumerate() {
        let row = i as u32 + 1;
        series
            .write_number(row, 0, f64::from(p.month))
            .map_err(fail)?;
        if let Some(y) = p.trained {
            series.write_number(row, 1, y).map_err(fail)?;
        }
        if let Some(y) = p.comparison {
            series.write_number(row, 2, y).map_err(fail)?;
        }
        series
            .write_number(row, 3, p.trained_n as f64)
            .map_err(fail)?;
        series
            .write_number(row, 4, p.comparison_n as f64)
            .map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

#[derive(Template)]
#[template(path = "value_report.html")]
struct ReportPage {
    t: Tr,
    chrome: Chrome,
    program_id: i64,
    program_code: String,
    program_title: String,
    today: String,
    enrolled: i64,
    completed: i64,
    reaction: String,
    response_rate: String,
    learning: String,
    transfer: String,
    behavior: String,
    error: String,
    view: Option<EffectView>,
}

fn maybe(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

/// `GET /evaluation/programs/{id}/report`: the program value report to print and take
/// to the general manager: levels 1–3 in one line each, the KPI effect, ROI and the
/// assumptions.
pub async fn report(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(mut form): Query<EffectForm>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let report =
        service::effect::value_report(&state, &caller.principal, id, form.kpi(), form.options())
            .await?;
    let service::effect::ValueReport {
        effect: mut overview,
        reaction,
        learning: gain,
        transfer,
    } = report;
    let (view, mut error) = form_view(t, &mut overview, &mut form);
    let detail = overview.program;
    if view.is_none() && error.is_empty() {
        error = t.get("effect.no_kpi").to_string();
    }
    let page = ReportPage {
        t,
        chrome: Chrome::for_caller(&caller),
        program_id: id,
        program_code: detail.summary.code.clone(),
        program_title: detail.summary.title.clone(),
        today: state.today().to_string(),
        enrolled: detail.summary.enrolled,
        completed: detail.summary.completed,
        reaction: maybe(reaction.overall_mean, 2),
        response_rate: reaction
            .response_rate
            .map_or_else(|| "—".into(), |r| format!("{:.0}%", r * 100.0)),
        learning: t
            .get("report.learning_line")
            .replace("{pre}", &maybe(gain.mean_pre, 1))
            .replace("{post}", &maybe(gain.mean_post, 1))
            .replace("{gain}", &maybe(gain.normalised_gain, 2))
            .replace("{n}", &gain.n_paired.to_string()),
        transfer: t
            .get("report.transfer_line")
            .replace("{tasks}", &transfer.tasks.to_string())
            .replace("{reviewed}", &transfer.reviewed.to_string())
            .replace("{score}", &maybe(transfer.mean_score, 1))
            .replace("{cases}", &transfer.promoted_cases.to_string()),
        behavior: t
            .get("report.behavior_line")
            .replace("{r30}", &maybe(transfer.rating_30, 2))
            .replace("{n30}", &transfer.rated_30.to_string())
            .replace("{r90}", &maybe(transfer.rating_90, 2))
            .replace("{n90}", &transfer.rated_90.to_string()),
        error,
        view,
    };
    Ok(render(&page))
}

/// The KPI around completion: the trained group and the matched comparison group,
/// month by month, with the completion month marked.
pub fn event_chart(
    series: &[SeriesPoint],
    trained_label: &str,
    comparison_label: &str,
    months_label: &str,
) -> String {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|p| [p.trained, p.comparison])
        .flatten()
        .collect();
    if values.is_empty() {
        return String::new();
    }
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    if (hi - lo).abs() < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.1;
    let (lo, hi) = (lo - pad, hi + pad);
    let (first, last) = (
        series.first().map_or(0, |p| p.month),
        series.last().map_or(0, |p| p.month),
    );
    let (left, right, top, bottom) = (56.0, 620.0, 20.0, 250.0);
    let x =
        |m: i32| left + (right - left) * f64::from(m - first) / f64::from((last - first).max(1));
    let y = |v: f64| bottom - (bottom - top) * (v - lo) / (hi - lo);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 320" class="effect-chart" role="img" aria-label="{}">"#,
        esc(trained_label)
    );
    for i in 0..=4 {
        let v = lo + (hi - lo) * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{right}" y2="{yy:.1}" stroke="#e5e9ef"/><text x="{lx}" y="{yy:.1}" font-size="11" text-anchor="end" dominant-baseline="middle" fill="#5b6675">{v:.2}</text>"##,
            yy = y(v),
            lx = left - 6.0
        );
    }
    for m in first..=last {
        if (m - first) % 2 == 0 || m == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#5b6675">{m:+}</text>"##,
                x(m),
                bottom + 16.0
            );
        }
    }
    let zero = x(0);
    let _ = write!(
        svg,
        r##"<line x1="{zero:.1}" y1="{top}" x2="{zero:.1}" y2="{bottom}" stroke="#9aa5b1" stroke-dasharray="4 3"/><text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#5b6675">{}</text>"##,
        (left + right) / 2.0,
        bottom + 34.0,
        esc(months_label)
    );
    for (pick, colour) in [(0usize, "#c0392b"), (1usize, "#2d6cdf")] {
        let points: Vec<String> = series
            .iter()
            .filter_map(|p| {
                let v = if pick == 0 { p.trained } else { p.comparison };
                v.map(|v| format!("{:.1},{:.1}", x(p.month), y(v)))
            })
            .collect();
        let dash = if pick == 0 {
            ""
        } else {
            r#" stroke-dasharray="6 4""#
        };
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
            points.join(" ")
        );
        for point in &points {
            let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
            let _ = write!(
                svg,
                r#"<circle cx="{px}" cy="{py}" r="3" fill="{colour}"/>"#
            );
        }
    }
    let _ = write!(
        svg,
        r##"<rect x="{left}" y="302" width="14" height="4" fill="#c0392b"/><text x="{}" y="307" font-size="12" fill="#1d2733">{}</text><rect x="260" y="302" width="14" height="4" fill="#2d6cdf"/><text x="280" y="307" font-size="12" fill="#1d2733">{}</text></svg>"##,
        left + 20.0,
        esc(trained_label),
        esc(comparison_label)
    );
    svg
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/evaluation/programs/{id}/effect", Page, page)
        .get("/evaluation/programs/{id}/effect.xlsx", Page, export)
        .get("/evaluation/programs/{id}/report", Page, report)
}
