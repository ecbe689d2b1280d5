//! Training needs: raised from gaps with one action (for a person, a team or a position),
//! listed within the caller's scope, each with the decoding chain that justifies it.

use super::{Chrome, Pager, local_time, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::needs::{NeedFilter, NeedSummary};
use domain::{DomainError, Page};
use serde::Deserialize;
use service::needs::GapNeedInput;

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(NeedSummary, String)>,
    q: String,
    skill: String,
    status: String,
    origin: String,
    urgency: String,
    pager: Pager,
    /// Training staff keep the approval rules.
    can_admin: bool,
}

/// Filters and page of the list.
#[derive(Deserialize)]
pub struct NeedsQuery {
    q: Option<String>,
    skill: Option<String>,
    status: Option<String>,
    origin: Option<String>,
    urgency: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /needs`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<NeedsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = NeedFilter {
        status: query.status.clone(),
        skill: query.skill.clone(),
        q: query.q.clone(),
        origin: query.origin.clone(),
        urgency: query.urgency.clone(),
        ..NeedFilter::default()
    };
    let paged = service::needs::list_needs(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await
    .map_err(|e| caller.err(e))?;
    let q = query.q.unwrap_or_default();
    let skill = query.skill.unwrap_or_default();
    let status = query.status.unwrap_or_default();
    let origin = query.origin.unwrap_or_default();
    let urgency = query.urgency.unwrap_or_default();
    let qs = query_string(&[
        ("q", q.clone()),
        ("skill", skill.clone()),
        ("status", status.clone()),
        ("origin", origin.clone()),
        ("urgency", urgency.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/needs", &qs);
    let items = paged
        .items
        .into_iter()
        .map(|n| {
            let at = local_time(&state, n.created_at);
            (n, at)
        })
        .collect();
    Ok(render(&NeedsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        q,
        skill,
        status,
        origin,
        urgency,
        pager,
        can_admin: service::needs::may_manage_rules(&caller.principal),
    }))
}

/// `?done=` after an action.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /needs/{id}`: the need, its justification, people, approval chain and history.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let id: i64 = id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "training need",
        })
    })?;
    let t = Tr(caller.locale);
    let message = match done.done.as_str() {
        "raised" | "resubmitted" | "decided" => {
            Some(t.get(&format!("needs.done.{}", done.done)).to_string())
        }
        _ => None,
    };
    super::need_approvals::need_page(&state, &caller, id, message, None, String::new()).await
}

/// The one-action form on gap views.
#[derive(Deserialize)]
pub struct RaiseForm {
    skill: String,
    audience: String,
    audience_id: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    note: String,
}

/// `POST /needs/from-gaps`: turns the open gaps in one skill of a person, a team or a
/// position (within the caller's scope) into a training need.
pub async fn raise_from_gaps(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RaiseForm>,
) -> Result<Response, PageError> {
    let id: i64 = form
        .audience_id
        .trim()
        .parse()
        .map_err(|_| caller.err(DomainError::invalid("audience_id", "must be a record id")))?;
    let input = GapNeedInput {
        skill: form.skill,
        audience: form.audience,
        audience_id: id,
        urgency: form.urgency,
        note: Some(form.note),
    };
    let need =
        service::needs::raise_need_from_gaps(&state, &caller.principal, input, &caller.actor())
            .await
            .map_err(|e| caller.err(e))?;
    Ok(Redirect::to(&format!("/needs/{need}")).into_response())
}
