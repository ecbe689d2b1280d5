//! Training needs: raised from gaps with one action (for a person, a team or a position),
//! listed within the caller's scope, each with the decoding chain that justifies it.

use super::{Chrome, Pager, local_time, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::service::scope_or_forbidden;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::needs::{Audience, GapNeedRequest, NeedDetail, NeedFilter, NeedSummary, Urgency};
use domain::{DomainError, Page, Permission};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "needs.html")]
struct NeedsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(NeedSummary, String)>,
    q: String,
    skill: String,
    status: String,
    pager: Pager,
}

/// Filters and page of the list.
#[derive(Deserialize)]
pub struct NeedsQuery {
    q: Option<String>,
    skill: Option<String>,
    status: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /needs`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<NeedsQuery>,
) -> Result<Response, PageError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ManageTrainingNeeds)
        .map_err(|e| caller.err(e))?;
    let t = Tr(caller.locale);
    let filter = NeedFilter {
        status: query.status.clone(),
        skill: query.skill.clone(),
        q: query.q.clone(),
    };
    let paged = state
        .store
        .list_needs(&scope, &filter, Page::new(query.page, query.per_page))
        .await
        .map_err(|e| caller.err(e))?;
    let q = query.q.unwrap_or_default();
    let skill = query.skill.unwrap_or_default();
    let status = query.status.unwrap_or_default();
    let qs = query_string(&[
        ("q", q.clone()),
        ("skill", skill.clone()),
        ("status", status.clone()),
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
        pager,
    }))
}

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    t: Tr,
    chrome: Chrome,
    need: NeedDetail,
    created_at: String,
    /// The gap figures in the reader's language.
    summary: String,
}

/// `GET /needs/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = scope_or_forbidden(&caller.principal, Permission::ManageTrainingNeeds)
        .map_err(|e| caller.err(e))?;
    let id: i64 = id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "training need",
        })
    })?;
    let need = state
        .store
        .need_detail(id, &scope)
        .await
        .map_err(|e| caller.err(e))?;
    let created_at = local_time(&state, need.summary.created_at);
    let t = Tr(caller.locale);
    let summary = t
        .get("needs.summary")
        .replace("{n}", &need.summary.people.to_string())
        .replace(
            "{skill}",
            need.summary.skill_name.as_deref().unwrap_or_default(),
        )
        .replace(
            "{gap}",
            &format!("{:.1}", need.summary.mean_gap.unwrap_or_default()),
        );
    Ok(render(&NeedPage {
        t,
        chrome: Chrome::for_caller(&caller),
        need,
        created_at,
        summary,
    }))
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
    let scope = scope_or_forbidden(&caller.principal, Permission::ManageTrainingNeeds)
        .map_err(|e| caller.err(e))?;
    let id: i64 = form
        .audience_id
        .trim()
        .parse()
        .map_err(|_| caller.err(DomainError::invalid("audience_id", "must be a record id")))?;
    let request = GapNeedRequest {
        skill_code: form.skill,
        audience: Audience::parse(&form.audience, id).map_err(|e| caller.err(e))?,
        urgency: Urgency::parse(&form.urgency).map_err(|e| caller.err(e))?,
        note: Some(form.note),
    };
    let (need, _) = state
        .store
        .raise_need_from_gaps(&request, &scope, &caller.actor())
        .await
        .map_err(|e| caller.err(e))?;
    Ok(Redirect::to(&format!("/needs/{need}")).into_response())
}
