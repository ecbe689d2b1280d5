//! Training needs: the list, raising them by hand or from gaps, their approval chains,
//! approval rules and merging approved needs into programs.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::api::decoding::CreatedDto;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::need_approvals::{
    ApprovalRule, MergeRequest, NeedApproval, NeedInput, PeopleChoice, WaitingApproval, parse_day,
};
use domain::needs::{NeedDetail, NeedFilter, NeedSummary, Urgency};
use domain::{DomainError, DomainResult, Page};
use serde::{Deserialize, Serialize};
use service::needs::GapNeedInput;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whom a need covers.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PeopleBody {
    /// self, employees or team.
    pub kind: String,
    /// Employee numbers (kind employees).
    #[serde(default)]
    pub numbers: Vec<String>,
    /// Department code (kind team).
    #[serde(default)]
    pub department_code: Option<String>,
}

/// A need raised by hand (or edited before resubmission).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NeedBody {
    pub title: String,
    /// Skill code; optional when the problem is described.
    #[serde(default)]
    pub skill: Option<String>,
    /// The problem in words.
    #[serde(default)]
    pub problem: String,
    pub people: PeopleBody,
    /// low, normal (default) or high.
    #[serde(default)]
    pub urgency: String,
    /// The business reason.
    pub reason: String,
    /// Estimated cost in yuan.
    #[serde(default)]
    pub estimated_cost: Option<f64>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub wanted_by: Option<String>,
}

impl NeedBody {
    /// The domain input, naming the field of a malformed value.
    pub fn into_input(self) -> DomainResult<NeedInput> {
        let people = match self.people.kind.trim() {
            "self" => PeopleChoice::Myself,
            "employees" => PeopleChoice::Employees {
                numbers: self.people.numbers,
            },
            "team" => PeopleChoice::Team {
                department_code: self.people.department_code.unwrap_or_default(),
            },
            other => {
                return Err(DomainError::invalid(
                    "people.kind",
                    format!("'{other}' is not self, employees or team"),
                ));
            }
        };
        Ok(NeedInput {
            title: self.title,
            skill_code: self.skill,
            problem: self.problem,
            people,
            urgency: Urgency::parse(&self.urgency)?,
            reason: self.reason,
            estimated_cost: self.estimated_cost,
            wanted_by: parse_day(self.wanted_by.as_deref().unwrap_or(""))?,
        })
    }
}

/// A decision on an approval step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// approve, reject or send_back.
    pub decision: String,
    /// Required to reject or send back.
    #[serde(default)]
    pub reason: String,
}

/// The need's status after a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecidedDto {
    pub need_id: i64,
    /// pending, approved, rejected or sent_back.
    pub status: String,
}

/// A need with its approval chain and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedWithApproval {
    #[schema(value_type = Object)]
    pub need: NeedDetail,
    #[schema(value_type = Object)]
    pub approval: NeedApproval,
}

/// A page of steps waiting for the caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<WaitingApproval>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A page of needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyNeedsPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<NeedSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PagingQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The ordered approval rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesBody {
    /// Each: name, origin (gap, employee, manager or null for any), min_cost (yuan or
    /// null), steps [{kind: manager | training_admin | department_head, deadline_hours}], active.
    #[schema(value_type = Vec<Object>)]
    pub rules: Vec<ApprovalRule>,
}

/// Approved needs to put into a program.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeBody {
    pub need_ids: Vec<i64>,
    /// An existing draft, open or running program.
    #[serde(default)]
    pub program_id: Option<i64>,
    /// Code of a new draft program (when no program_id).
    #[serde(default)]
    pub code: Option<String>,
    /// Title of the new program (default: the first need's title).
    #[serde(default)]
    pub title: Option<String>,
}

/// Raises a training need by hand and submits it for approval: for oneself (every
/// employee), or for named employees or a team within the caller's needs scope
/// (managers, training staff).
#[utoipa::path(post, path = "/api/v1/training-needs", tag = "needs", security(("bearer" = [])),
    request_body = NeedBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn raise_need(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NeedBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let id = service::needs::raise_need(
        &state,
        &caller.principal,
        || body.into_input(),
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// The needs the caller raised, newest first.
#[utoipa::path(get, path = "/api/v1/me/training-needs", tag = "needs", security(("bearer" = [])),
    params(PagingQuery),
    responses((status = 200, body = MyNeedsPage)))]
pub async fn my_needs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PagingQuery>,
) -> Result<Json<MyNeedsPage>, ApiError> {
    let page = service::needs::my_needs(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(MyNeedsPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A need with its approval steps of every round (who, when, decision, reason).
#[utoipa::path(get, path = "/api/v1/training-needs/{id}/approval", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training need id")),
    responses((status = 200, body = NeedWithApproval), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn need_approval(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NeedWithApproval>, ApiError> {
    let (need, approval) = service::needs::need_approval(&state, &caller.principal, id).await?;
    Ok(Json(NeedWithApproval { need, approval }))
}

/// The requester edits a need that was sent back and submits it again; the approval
/// steps start over from the rules in force now.
#[utoipa::path(post, path = "/api/v1/training-needs/{id}/resubmit", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training need id")),
    request_body = NeedBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn resubmit_need(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NeedBody>,
) -> Result<StatusCode, ApiError> {
    service::needs::resubmit_need(
        &state,
        &caller.principal,
        id,
        |_| body.into_input(),
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approves, rejects (reason required) or sends back (reason required) the current
/// step of a need. Only the step's approver decides, or a training admin or system
/// administrator as delegate (recorded). A step that is not current is a 409.
#[utoipa::path(post, path = "/api/v1/approval-steps/{id}/decision", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Approval step id")),
    request_body = DecisionBody,
    responses((status = 200, body = DecidedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<DecidedDto>, ApiError> {
    let (need_id, status) = service::needs::decide_step(
        &state,
        &caller.principal,
        id,
        &body.decision,
        &body.reason,
        &caller.actor(),
    )
    .await?;
    Ok(Json(DecidedDto {
        need_id,
        status: status.code().into(),
    }))
}

/// Approval steps waiting for the caller, soonest deadline first; `overdue` marks
/// those past it, `as_delegate` those decided in someone else's stead.
#[utoipa::path(get, path = "/api/v1/me/approvals", tag = "needs", security(("bearer" = [])),
    params(PagingQuery),
    responses((status = 200, body = WaitingPage)))]
pub async fn my_approvals(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<PagingQuery>,
) -> Result<Json<WaitingPage>, ApiError> {
    let page = service::needs::waiting_approvals(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(WaitingPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// The approval rules in order (training administration).
#[utoipa::path(get, path = "/api/v1/approval-rules", tag = "needs", security(("bearer" = [])),
    responses((status = 200, body = RulesBody), (status = 403, body = Problem)))]
pub async fn list_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<RulesBody>, ApiError> {
    Ok(Json(RulesBody {
        rules: service::needs::approval_rules(&state, &caller.principal).await?,
    }))
}

/// Replaces the ordered approval rules. Running approvals keep the chain they were
/// given at submission.
#[utoipa::path(put, path = "/api/v1/approval-rules", tag = "needs", security(("bearer" = [])),
    request_body = RulesBody,
    responses((status = 200, body = RulesBody), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn replace_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<RulesBody>,
) -> Result<Json<RulesBody>, ApiError> {
    let rules = service::needs::replace_approval_rules(
        &state,
        &caller.principal,
        &body.rules,
        &caller.actor(),
    )
    .await?;
    Ok(Json(RulesBody { rules }))
}

/// Approved needs similar to this one (same skill, or titles sharing words), to
/// merge into one program.
#[utoipa::path(get, path = "/api/v1/training-needs/{id}/similar", tag = "needs", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training need id")),
    responses((status = 200, description = "Array of needs", content_type = "application/json"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn similar(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NeedSummary>>, ApiError> {
    Ok(Json(
        service::needs::similar_needs(&state, &caller.principal, id).await?,
    ))
}

/// Puts approved needs into a new draft program (prefilled from them) or an existing
/// one; the needs become planned. Returns the program's id.
#[utoipa::path(post, path = "/api/v1/training-needs/merge", tag = "needs", security(("bearer" = [])),
    request_body = MergeBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let request = MergeRequest {
        need_ids: body.need_ids,
        program_id: body.program_id,
        code: body.code,
        title: body.title,
    };
    let id =
        service::needs::merge_needs(&state, &caller.principal, &request, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// Filters and paging of the needs list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NeedsQuery {
    /// pending, approved, rejected, sent_back, planned or closed.
    pub status: Option<String>,
    /// Skill code.
    pub skill: Option<String>,
    /// Substring of the title, reason or problem.
    pub q: Option<String>,
    /// gap, employee or manager.
    pub origin: Option<String>,
    /// low, normal or high.
    pub urgency: Option<String>,
    /// Needs put into this program.
    pub program: Option<i64>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of training needs.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedPage {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<NeedSummary>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Training needs covering people in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/training-needs", tag = "decoding", security(("bearer" = [])),
    params(NeedsQuery),
    responses((status = 200, body = NeedPage), (status = 403, body = Problem)))]
pub async fn list_needs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(query): ApiQuery<NeedsQuery>,
) -> Result<Json<NeedPage>, ApiError> {
    let filter = NeedFilter {
        status: query.status,
        skill: query.skill,
        q: query.q,
        origin: query.origin,
        urgency: query.urgency,
        program_id: query.program,
        raised_by: None,
    };
    let page = service::needs::list_needs(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(NeedPage {
        items: page.items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One training need with its decoding chain and the people in scope it covers (its
/// requester and approvers see all its people).
#[utoipa::path(get, path = "/api/v1/training-needs/{id}", tag = "decoding", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Training need id")),
    responses((status = 200, description = "The need, its chain and people", content_type = "application/json"), (status = 404, body = Problem)))]
pub async fn get_need(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NeedDetail>, ApiError> {
    Ok(Json(
        service::needs::visible_need(&state, &caller.principal, id).await?,
    ))
}

/// Gaps in one skill to turn into a need.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GapNeedBody {
    /// Skill code.
    pub skill: String,
    /// person, team or position.
    pub audience: String,
    /// Employee, department or position id.
    pub audience_id: i64,
    /// low, normal (default) or high.
    #[serde(default)]
    pub urgency: String,
    pub note: Option<String>,
}

/// Turns the open gaps in one skill of a person, a team or a position (within the
/// caller's scope) into a training need carrying the decoding chain.
#[utoipa::path(post, path = "/api/v1/training-needs/from-gaps", tag = "decoding", security(("bearer" = [])),
    request_body = GapNeedBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn raise_from_gaps(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<GapNeedBody>,
) -> Result<(StatusCode, Json<CreatedDto>), ApiError> {
    let input = GapNeedInput {
        skill: body.skill,
        audience: body.audience,
        audience_id: body.audience_id,
        urgency: body.urgency,
        note: body.note,
    };
    let id =
        service::needs::raise_need_from_gaps(&state, &caller.principal, input, &caller.actor())
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_needs, raise_need))
        .routes(routes!(get_need))
        .routes(routes!(raise_from_gaps))
        .routes(routes!(my_needs))
        .routes(routes!(need_approval))
        .routes(routes!(resubmit_need))
        .routes(routes!(decide))
        .routes(routes!(my_approvals))
        .routes(routes!(list_rules, replace_rules))
        .routes(routes!(similar))
        .routes(routes!(merge))
}
