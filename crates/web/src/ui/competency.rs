//! The team heat map (department × skill) and the biggest weighted gaps.

use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::competency::{Heatmap, ModelsView};
use store::{HeatCell, ModelRequirement};

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
    can_raise: bool,
    /// Whether to link to the import page (company-wide people managers only).
    can_import: bool,
}

/// `GET /competency`.
pub async fn heatmap(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let Heatmap { cells, top } =
        service::competency::gap_heatmap(&state, &caller.principal).await?;
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
    Ok(render(&HeatmapPage {
        t,
        chrome: Chrome::for_caller(&caller),
        skills: skills.into_iter().map(|s| s.1).collect(),
        rows,
        top,
        can_raise: service::needs::may_raise_from_gaps(&caller.principal),
        can_import: service::competency::may_edit(&caller.principal),
    }))
}

#[derive(Template)]
#[template(path = "models.html")]
struct ModelsPage {
    t: Tr,
    chrome: Chrome,
    positions: Vec<(i64, String, String, i64)>,
    position: Option<i64>,
    requirements: Vec<ModelRequirement>,
    skills: Vec<(String, String, i32)>,
    can_edit: bool,
    can_raise: bool,
}

/// Which position's model to show.
#[derive(Deserialize)]
pub struct ModelsQuery {
    position: Option<String>,
}

/// `GET /competency/models`: a position's competency model, derived from its tasks and
/// edited directly.
pub async fn models(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ModelsQuery>,
) -> Result<Response, PageError> {
    let asked = query.position.and_then(|p| p.trim().parse::<i64>().ok());
    let ModelsView {
        positions,
        position,
        requirements,
        skills,
    } = service::competency::competency_models(&state, &caller.principal, asked).await?;
    Ok(render(&ModelsPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        positions,
        position,
        requirements,
        skills,
        can_edit: service::competency::may_edit(&caller.principal),
        can_raise: service::needs::may_raise_from_gaps(&caller.principal),
    }))
}

/// A direct requirement's fields; `reset` set drops the direct setting.
#[derive(Deserialize)]
pub struct RequirementForm {
    skill: String,
    #[serde(default)]
    required_level: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    reset: String,
}

/// `POST /competency/models/{id}`: sets a requirement of position `id` directly, or drops
/// the direct setting.
pub async fn set_requirement(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<RequirementForm>,
) -> Result<Response, PageError> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| caller.err(domain::DomainError::NotFound { entity: "position" }))?;
    let wanted = if form.reset.is_empty() {
        Some(super::decoding::requirement(
            &caller,
            &form.required_level,
            &form.tier,
        )?)
    } else {
        None
    };
    service::competency::set_model_requirement(
        &state,
        &caller.principal,
        id,
        &form.skill,
        wanted,
        &caller.actor(),
    )
    .await?;
    Ok(Redirect::to(&format!("/competency/models?position={id}")).into_response())
}

#[derive(Template)]
#[template(path = "skills.html")]
struct SkillsPage {
    t: Tr,
    chrome: Chrome,
    skills: Vec<store::SkillEntry>,
    can_edit: bool,
}

/// `GET /competency/skills`: the taxonomy (area → skill) with each level's behavior.
pub async fn skills(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let skills = service::competency::list_skills(&state, &caller.principal).await?;
    Ok(render(&SkillsPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        skills,
        can_edit: service::competency::may_edit(&caller.principal),
    }))
}

/// A skill's fields: name and one behavioral description per level, one per line.
#[derive(Deserialize)]
pub struct SkillForm {
    name: String,
    descriptors: String,
}

/// `POST /competency/skills/{code}`.
pub async fn update_skill(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(code): Path<String>,
    Form(form): Form<SkillForm>,
) -> Result<Response, PageError> {
    let descriptors: Vec<String> = form.descriptors.lines().map(str::to_string).collect();
    service::competency::update_skill(
        &state,
        &caller.principal,
        &code,
        &form.name,
        &descriptors,
        &caller.actor(),
    )
    .await?;
    Ok(Redirect::to("/competency/skills").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/competency", Page, heatmap)
        .get("/competency/models", Page, models)
        .get("/competency/skills", Page, skills)
        .post("/competency/skills/{code}", Page, update_skill)
        .post("/competency/models/{id}", Page, set_requirement)
}
