//! The decoding tree: strategy → objective → target → task → skill, and back up from a skill.

use super::{Chrome, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::decoding::StrategyNode;
use domain::{DomainError, Permission};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "decoding.html")]
struct DecodingPage {
    t: Tr,
    chrome: Chrome,
    strategies: Vec<StrategyNode>,
    skill: String,
    can_edit: bool,
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
    caller.require(Permission::ViewHeadcount)?;
    let mut strategies = state
        .store
        .decoding_tree()
        .await
        .map_err(|e| caller.err(e))?;
    let skill = query.skill.unwrap_or_default();
    if !skill.trim().is_empty() {
        strategies
            .iter_mut()
            .for_each(|s| s.retain_skill(skill.trim()));
        strategies.retain(|s| !s.objectives.is_empty());
    }
    let can_edit = caller.principal.manages_people_company_wide();
    Ok(render(&DecodingPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        strategies,
        skill,
        can_edit,
    }))
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
    Path(id): Path<String>,
    Form(form): Form<TargetForm>,
) -> Result<Response, PageError> {
    caller.require_company_people_manager()?;
    let id: i64 = id.parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "KPI target",
        })
    })?;
    let value: f64 = form
        .target_value
        .trim()
        .parse()
        .map_err(|_| caller.err(DomainError::invalid("target_value", "must be a number")))?;
    state
        .store
        .update_kpi_target(id, form.comparator.trim(), value, &caller.actor())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Redirect::to("/decoding").into_response())
}

/// `POST /decoding/tasks/{id}/reviewed`.
pub async fn task_reviewed(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    caller.require_company_people_manager()?;
    let id: i64 = id
        .parse()
        .map_err(|_| caller.err(DomainError::NotFound { entity: "task" }))?;
    state
        .store
        .mark_task_reviewed(id, &caller.actor())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Redirect::to("/decoding").into_response())
}
