//! The decoding tree: strategy → objective → target → task → skill, back up from a skill,
//! and the forms that change it (each change audited, the level below marked for review).

use super::PageId;
use super::path_id;
use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::DomainError;
use domain::competency::Tier;
use domain::decoding::{
    ObjectiveInput, PERSPECTIVES, ReviewItem, StrategyInput, StrategyNode, TargetInput, TaskInput,
};
use serde::Deserialize;
use service::decoding::{DecodingView, TaskChange};

#[derive(Template)]
#[template(path = "decoding.html")]
struct DecodingPage {
    t: Tr,
    chrome: Chrome,
    strategies: Vec<StrategyNode>,
    skill: String,
    can_edit: bool,
    perspectives: &'static [&'static str],
    /// (code, name) pickers, filled only for editors.
    departments: Vec<(String, String)>,
    kpis: Vec<(String, String)>,
    positions: Vec<(String, String)>,
    skills: Vec<(String, String)>,
}

/// Filter of the tree: one skill's chains.
#[derive(Deserialize)]
pub struct DecodingQuery {
    skill: Option<String>,
}

/// `GET /decoding`.
pub async fn tree(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<DecodingQuery>,
) -> Result<Response, PageError> {
    let skill = query.skill.unwrap_or_default();
    let DecodingView {
        strategies,
        can_edit,
        departments,
        kpis,
        positions,
        skills,
    } = service::decoding::decoding_view(&state, &caller.principal, Some(&skill)).await?;
    Ok(render(&DecodingPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        strategies,
        skill,
        can_edit,
        perspectives: &PERSPECTIVES,
        departments,
        kpis,
        positions,
        skills,
    }))
}

fn parse_number<T: std::str::FromStr>(
    caller: &PageCaller,
    field: &str,
    text: &str,
) -> Result<T, PageError> {
    text.trim()
        .parse()
        .map_err(|_| caller.err(DomainError::invalid(field, "must be a number")))
}

fn optional_id(caller: &PageCaller, field: &str, text: &str) -> Result<Option<i64>, PageError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_number(caller, field, text).map(Some)
    }
}

fn back() -> Response {
    Redirect::to("/decoding").into_response()
}

/// The strategy form's fields.
#[derive(Deserialize)]
pub struct StrategyForm {
    code: String,
    name: String,
    #[serde(default)]
    horizon: String,
}

impl StrategyForm {
    fn input(self) -> StrategyInput {
        StrategyInput {
            code: self.code,
            name: self.name,
            horizon: Some(self.horizon),
        }
    }
}

/// `POST /decoding/strategies`.
pub async fn create_strategy(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<StrategyForm>,
) -> Result<Response, PageError> {
    service::decoding::create_strategy(&state, &caller.principal, &form.input(), &caller.actor())
        .await?;
    Ok(back())
}

/// `POST /decoding/strategies/{id}`: marks the strategy's objectives for review.
pub async fn update_strategy(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<StrategyForm>,
) -> Result<Response, PageError> {
    service::decoding::update_strategy(
        &state,
        &caller.principal,
        id,
        &form.input(),
        &caller.actor(),
    )
    .await?;
    Ok(back())
}

/// The objective form's fields; key results one per line.
#[derive(Deserialize)]
pub struct ObjectiveForm {
    #[serde(default)]
    strategy_id: String,
    code: String,
    name: String,
    #[serde(default)]
    perspective: String,
    #[serde(default)]
    key_results: String,
}

impl ObjectiveForm {
    fn input(self, caller: &PageCaller) -> Result<ObjectiveInput, PageError> {
        Ok(ObjectiveInput {
            strategy_id: optional_id(caller, "strategy_id", &self.strategy_id)?.unwrap_or(0),
            code: self.code,
            name: self.name,
            perspective: Some(self.perspective),
            key_results: self.key_results.lines().map(str::to_string).collect(),
        })
    }
}

/// `POST /decoding/objectives`.
pub async fn create_objective(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ObjectiveForm>,
) -> Result<Response, PageError> {
    let input = form.input(&caller)?;
    service::decoding::create_objective(&state, &caller.principal, &input, &caller.actor()).await?;
    Ok(back())
}

/// `POST /decoding/objectives/{id}`: marks the objective's targets for review.
pub async fn update_objective(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ObjectiveForm>,
) -> Result<Response, PageError> {
    let input = form.input(&caller)?;
    service::decoding::update_objective(&state, &caller.principal, id, &input, &caller.actor())
        .await?;
    Ok(back())
}

/// The new-target form's fields.
#[derive(Deserialize)]
pub struct NewTargetForm {
    objective_id: String,
    department_code: String,
    kpi_code: String,
    period: String,
    comparator: String,
    target_value: String,
}

/// `POST /decoding/targets`.
pub async fn create_target(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<NewTargetForm>,
) -> Result<Response, PageError> {
    let input = TargetInput {
        objective_id: parse_number(&caller, "objective_id", &form.objective_id)?,
        department_code: form.department_code,
        kpi_code: form.kpi_code,
        period: form.period,
        comparator: form.comparator,
        target_value: parse_number(&caller, "target_value", &form.target_value)?,
    };
    service::decoding::create_kpi_target(&state, &caller.principal, &input, &caller.actor())
        .await?;
    Ok(back())
}

/// The target form's fields.
#[derive(Deserialize)]
pub struct TargetForm {
    comparator: String,
    target_value: String,
}

/// `POST /decoding/targets/{id}`: changes a target and marks its tasks for review.
pub async fn update_target(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<TargetForm>,
) -> Result<Response, PageError> {
    let value: f64 = parse_number(&caller, "target_value", &form.target_value)?;
    service::decoding::update_kpi_target(
        &state,
        &caller.principal,
        id,
        &form.comparator,
        value,
        &caller.actor(),
    )
    .await?;
    Ok(back())
}

/// The task form's fields (position and code only when creating).
#[derive(Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    position_code: String,
    #[serde(default)]
    kpi_target_id: String,
    #[serde(default)]
    code: String,
    name: String,
    process_step: String,
}

impl TaskForm {
    fn input(self, caller: &PageCaller) -> Result<TaskInput, PageError> {
        Ok(TaskInput {
            position_code: self.position_code,
            kpi_target_id: optional_id(caller, "kpi_target_id", &self.kpi_target_id)?,
            code: self.code,
            name: self.name,
            process_step: parse_number(caller, "process_step", &self.process_step)?,
        })
    }
}

/// `POST /decoding/tasks`.
pub async fn create_task(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<TaskForm>,
) -> Result<Response, PageError> {
    let input = form.input(&caller)?;
    service::decoding::create_task(&state, &caller.principal, &input, &caller.actor()).await?;
    Ok(back())
}

/// `POST /decoding/tasks/{id}`: changes name, step or target.
pub async fn update_task(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<TaskForm>,
) -> Result<Response, PageError> {
    let input = form.input(&caller)?;
    let change = TaskChange {
        kpi_target_id: input.kpi_target_id,
        name: input.name,
        process_step: input.process_step,
    };
    service::decoding::update_task(&state, &caller.principal, id, change, &caller.actor()).await?;
    Ok(back())
}

/// A task skill's fields; `remove` set drops the skill.
#[derive(Deserialize)]
pub struct TaskSkillForm {
    skill: String,
    #[serde(default)]
    required_level: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    remove: String,
}

/// Parses a level and tier from form fields.
pub(crate) fn requirement(
    caller: &PageCaller,
    level: &str,
    tier: &str,
) -> Result<(i32, Tier), PageError> {
    Ok((
        parse_number(caller, "required_level", level)?,
        Tier::parse(tier)?,
    ))
}

/// `POST /decoding/tasks/{id}/skills`: sets or removes a required skill; the position's
/// competency model follows.
pub async fn set_task_skill(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<TaskSkillForm>,
) -> Result<Response, PageError> {
    let wanted = if form.remove.is_empty() {
        Some(requirement(&caller, &form.required_level, &form.tier)?)
    } else {
        None
    };
    service::decoding::set_task_skill(
        &state,
        &caller.principal,
        id,
        &form.skill,
        wanted,
        &caller.actor(),
    )
    .await?;
    Ok(back())
}

/// The review form: which item.
#[derive(Deserialize)]
pub struct ReviewForm {
    kind: String,
    id: String,
}

/// `POST /decoding/review`: clears a review mark.
pub async fn reviewed(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let item = ReviewItem::parse(&form.kind)?;
    let id = path_id(&form.id, "item awaiting review")?;
    service::decoding::mark_reviewed(&state, &caller.principal, item, id, &caller.actor()).await?;
    Ok(back())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/decoding", Page, tree)
        .post("/decoding/strategies", Page, create_strategy)
        .post("/decoding/strategies/{id}", Page, update_strategy)
        .post("/decoding/objectives", Page, create_objective)
        .post("/decoding/objectives/{id}", Page, update_objective)
        .post("/decoding/targets", Page, create_target)
        .post("/decoding/targets/{id}", Page, update_target)
        .post("/decoding/tasks", Page, create_task)
        .post("/decoding/tasks/{id}", Page, update_task)
        .post("/decoding/tasks/{id}/skills", Page, set_task_skill)
        .post("/decoding/review", Page, reviewed)
}
