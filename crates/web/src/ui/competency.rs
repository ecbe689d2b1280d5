//! The team heat map (department × skill) and the biggest weighted gaps.

use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::service::scope_or_forbidden;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Permission;
use store::HeatCell;

/// One heat-map cell as shown.
pub struct CellView {
    pub text: String,
    /// `hot`, `warm`, `cool` or `none` (nobody assessed / not required).
    pub class: &'static str,
    pub title: String,
}

/// One department row.
pub struct RowView {
    pub department: String,
    pub cells: Vec<CellView>,
}

#[derive(Template)]
#[template(path = "competency.html")]
struct HeatmapPage {
    t: Tr,
    chrome: Chrome,
    skills: Vec<String>,
    rows: Vec<RowView>,
    top: Vec<HeatCell>,
    /// Whether to link to the import page (company-wide people managers only).
    can_import: bool,
}

/// `GET /competency`.
pub async fn heatmap(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ViewHeadcount)
        .map_err(|e| caller.err(e))?;
    let t = Tr(caller.locale);
    let cells = state
        .store
        .gap_heatmap(&scope)
        .await
        .map_err(|e| caller.err(e))?;
    let mut skills: Vec<(String, String)> = cells
        .iter()
        .map(|c| (c.skill_code.clone(), c.skill.clone()))
        .collect();
    skills.sort();
    skills.dedup();
    let mut rows: Vec<RowView> = Vec::new();
    let mut current: Option<i64> = None;
    for c in &cells {
        if current != Some(c.department_id) {
            current = Some(c.department_id);
            rows.push(RowView {
                department: c.department.clone(),
                cells: skills
                    .iter()
                    .map(|_| CellView {
                        text: String::new(),
                        class: "none",
                        title: String::new(),
                    })
                    .collect(),
            });
        }
        let i = skills.iter().position(|s| s.0 == c.skill_code).unwrap_or(0);
        if let Some(row) = rows.last_mut() {
            row.cells[i] = match c.avg_gap {
                Some(g) => CellView {
                    text: format!("{g:.2}"),
                    class: if g >= 1.0 {
                        "hot"
                    } else if g >= 0.5 {
                        "warm"
                    } else {
                        "cool"
                    },
                    title: t
                        .get("competency.cell")
                        .replace("{assessed}", &c.assessed.to_string())
                        .replace("{people}", &c.people.to_string()),
                },
                None => CellView {
                    text: "?".into(),
                    class: "none",
                    title: t.get("gaps.unassessed").into(),
                },
            };
        }
    }
    let mut top: Vec<HeatCell> = cells
        .into_iter()
        .filter(|c| c.weighted.unwrap_or(0.0) > 0.0)
        .collect();
    top.sort_by(|a, b| {
        b.weighted
            .unwrap_or(0.0)
            .total_cmp(&a.weighted.unwrap_or(0.0))
    });
    top.truncate(10);
    Ok(render(&HeatmapPage {
        t,
        chrome: Chrome::for_caller(&caller),
        skills: skills.into_iter().map(|s| s.1).collect(),
        rows,
        top,
        can_import: caller.principal.manages_people_company_wide(),
    }))
}
