//! Training needs: raised by hand or from gaps (for a person, a team or a position),
//! listed within the caller's scope with the decoding chain that justifies each, their
//! approval chains and rules, and merging approved needs into programs.

use super::{Chrome, PageId, Pager, input_error, local_time, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::need_approvals::{
    ApprovalRule, MergeRequest, NeedApproval, NeedInput, NeedOrigin, PeopleChoice, RuleStep,
    StepKind, WaitingApproval, parse_cost, parse_day, split_numbers,
};
use domain::needs::{NeedDetail, NeedFilter, NeedSummary, Urgency};
use domain::operations::ProgramSummary;
use domain::{DomainError, Page};
use serde::Deserialize;
use service::needs::{GapNeedInput, NeedFormOptions, NeedOverview, Resubmission};

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
    .await?;
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
    need_page(&state, &caller, id, message, None, String::new()).await
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
            .await?;
    Ok(Redirect::to(&format!("/needs/{need}")).into_response())
}

/// Form fields and their labels, for messages naming the field.
const FIELDS: &[(&str, &str)] = &[
    ("title", "needs.field.title"),
    ("skill", "needs.field.skill"),
    ("problem", "needs.field.problem"),
    ("people", "needs.field.people"),
    ("employees", "needs.field.employees"),
    ("team", "needs.field.team"),
    ("urgency", "needs.urgency"),
    ("reason", "needs.field.reason"),
    ("estimated_cost", "needs.field.cost"),
    ("wanted_by", "needs.field.wanted_by"),
    ("decision", "approvals.decision"),
    ("reason_decision", "approvals.reason"),
    ("need_ids", "needs.merge.needs"),
    ("code", "needs.merge.code"),
    ("program_id", "needs.merge.program"),
    ("name", "rules.name"),
    ("min_cost", "rules.min_cost"),
    ("origin", "needs.origin"),
    ("steps", "rules.steps"),
];

// ----- raising and resubmitting ------------------------------------------------------

/// The need form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct NeedForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    skill: String,
    #[serde(default)]
    problem: String,
    /// self, employees or team.
    #[serde(default)]
    people: String,
    #[serde(default)]
    employees: String,
    #[serde(default)]
    team: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    estimated_cost: String,
    #[serde(default)]
    wanted_by: String,
}

impl NeedForm {
    fn input(&self) -> Result<NeedInput, DomainError> {
        let people = match self.people.trim() {
            "" | "self" => PeopleChoice::Myself,
            "employees" => PeopleChoice::Employees {
                numbers: split_numbers(&self.employees),
            },
            "team" => PeopleChoice::Team {
                department_code: self.team.trim().to_string(),
            },
            other => {
                return Err(DomainError::invalid(
                    "people",
                    format!("'{other}' is not self, employees or team"),
                ));
            }
        };
        Ok(NeedInput {
            title: self.title.clone(),
            skill_code: Some(self.skill.clone()).filter(|s| !s.trim().is_empty()),
            problem: self.problem.clone(),
            people,
            urgency: Urgency::parse(&self.urgency)?,
            reason: self.reason.clone(),
            estimated_cost: parse_cost(&self.estimated_cost)?,
            wanted_by: parse_day(&self.wanted_by)?,
        })
    }
}

#[derive(Template)]
#[template(path = "need_form.html")]
struct NeedFormPage {
    t: Tr,
    chrome: Chrome,
    form: NeedForm,
    /// None: a new need; Some: resubmitting this need.
    need_id: Option<i64>,
    /// People and skill are fixed (a need raised from gaps).
    fixed_people: bool,
    /// The caller may raise needs for others.
    for_others: bool,
    skills: Vec<(String, String, i32)>,
    teams: Vec<(String, String)>,
    error: Option<String>,
}

fn form_page(
    caller: &PageCaller,
    options: NeedFormOptions,
    form: NeedForm,
    need_id: Option<i64>,
    fixed_people: bool,
    error: Option<String>,
) -> Result<Response, PageError> {
    let NeedFormOptions {
        for_others,
        skills,
        teams,
    } = options;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&NeedFormPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        form,
        need_id,
        fixed_people,
        for_others,
        skills,
        teams,
        error,
    });
    Ok((status, html).into_response())
}

/// `GET /needs/new`.
pub async fn new_form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let options = service::needs::new_need_form(&state, &caller.principal).await?;
    let form = NeedForm {
        people: "self".into(),
        urgency: "normal".into(),
        ..NeedForm::default()
    };
    form_page(&caller, options, form, None, false, None)
}

/// `POST /needs`: raises a need and submits it for approval.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<NeedForm>,
) -> Result<Response, PageError> {
    let result =
        service::needs::raise_need(&state, &caller.principal, || form.input(), &caller.actor())
            .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/needs/{id}?done=raised")).into_response()),
        Err(e) => match input_error(Tr(caller.locale), &e, FIELDS) {
            Some(message) => {
                let options = service::needs::new_need_form(&state, &caller.principal).await?;
                form_page(&caller, options, form, None, false, Some(message))
            }
            None => Err(e.into()),
        },
    }
}

/// `GET /needs/{id}/edit`: the requester's form to resubmit a need sent back.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let Resubmission {
        need,
        approval,
        people_fixed,
        options,
    } = service::needs::need_for_resubmission(&state, &caller.principal, id).await?;
    let numbers: Vec<String> = need.people.iter().map(|p| p.employee_no.clone()).collect();
    let own_only = need.people.len() == 1 && need.summary.origin == NeedOrigin::Employee.code();
    let form = NeedForm {
        title: need.summary.title.clone(),
        skill: need.summary.skill_code.clone().unwrap_or_default(),
        problem: approval.problem.clone(),
        people: if own_only { "self" } else { "employees" }.into(),
        employees: numbers.join("\n"),
        team: String::new(),
        urgency: need.summary.urgency.clone(),
        reason: need.summary.reason.clone(),
        estimated_cost: approval
            .estimated_cost
            .map(|c| format!("{c:.2}"))
            .unwrap_or_default(),
        wanted_by: approval.wanted_by.clone().unwrap_or_default(),
    };
    form_page(&caller, options, form, Some(id), people_fixed, None)
}

/// `POST /needs/{id}/resubmit`.
pub async fn resubmit(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<NeedForm>,
) -> Result<Response, PageError> {
    let mut fixed = false;
    let result = service::needs::resubmit_need(
        &state,
        &caller.principal,
        id,
        |people_fixed| {
            fixed = people_fixed;
            let mut typed = form.clone();
            if people_fixed {
                typed.people = "self".into();
            }
            typed.input()
        },
        &caller.actor(),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/needs/{id}?done=resubmitted")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            let message = input_error(Tr(caller.locale), &e, FIELDS);
            let options = service::needs::need_form_options(&state, &caller.principal).await?;
            form_page(&caller, options, form, Some(id), fixed, message)
        }
        Err(e) => Err(e.into()),
    }
}

// ----- the need page: approval, history, merging ---------------------------------------

#[derive(Template)]
#[template(path = "need.html")]
struct NeedPage {
    t: Tr,
    chrome: Chrome,
    need: NeedDetail,
    approval: NeedApproval,
    created_at: String,
    /// The gap figures in the reader's language.
    summary: String,
    /// (step, activated, due, decided) with times formatted.
    history: Vec<(domain::need_approvals::ApprovalStep, String, String, String)>,
    /// The current step, when the caller may decide it (and whether as delegate).
    decide: Option<(i64, bool)>,
    can_edit: bool,
    /// Training staff: merge an approved need.
    can_merge: bool,
    similar: Vec<NeedSummary>,
    programs: Vec<ProgramSummary>,
    audit: Vec<(String, String, String)>,
    message: Option<String>,
    error: Option<String>,
    reason: String,
}

/// Renders need `id` for the caller, with a message or an input error (and its status).
pub async fn need_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    message: Option<String>,
    error: Option<(StatusCode, String)>,
    reason: String,
) -> Result<Response, PageError> {
    let NeedOverview {
        need,
        approval,
        decide,
        can_edit,
        can_merge,
        similar,
        programs,
        audit,
    } = service::needs::need_overview(state, &caller.principal, id).await?;
    let t = Tr(caller.locale);
    let created_at = local_time(state, need.summary.created_at);
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
    let fmt = |t: Option<time::OffsetDateTime>| t.map(|t| local_time(state, t)).unwrap_or_default();
    let history = approval
        .steps
        .iter()
        .map(|s| {
            (
                s.clone(),
                fmt(s.activated_at),
                fmt(s.due_at),
                fmt(s.decided_at),
            )
        })
        .collect();
    let audit = audit
        .into_iter()
        .map(|a| (local_time(state, a.at), a.actor, a.action))
        .collect();
    let (status, error) = match error {
        Some((status, message)) => (status, Some(message)),
        None => (StatusCode::OK, None),
    };
    let html = render(&NeedPage {
        t,
        chrome: Chrome::for_caller(caller),
        need,
        approval,
        created_at,
        summary,
        history,
        decide,
        can_edit,
        can_merge,
        similar,
        programs,
        audit,
        message,
        error,
        reason,
    });
    Ok((status, html).into_response())
}

/// A decision typed on the need page or the approvals list.
#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /approvals/{id}/decide` (step id).
pub async fn decide(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let step: i64 = id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "approval step",
        })
    })?;
    let result = service::needs::decide_step(
        &state,
        &caller.principal,
        step,
        &form.decision,
        &form.reason,
        &caller.actor(),
    )
    .await;
    match result {
        Ok((need, _)) => Ok(Redirect::to(&format!("/needs/{need}?done=decided")).into_response()),
        Err(e @ (DomainError::Validation { .. } | DomainError::Conflict(_))) => {
            let status = if matches!(e, DomainError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let message = input_error(Tr(caller.locale), &e, FIELDS).unwrap_or_default();
            let need = service::needs::need_of_step(&state, &caller.principal, step).await?;
            need_page(
                &state,
                &caller,
                need,
                None,
                Some((status, message)),
                form.reason,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- my approvals, my needs ------------------------------------------------------------

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(WaitingApproval, String)>,
    pager: Pager,
}

/// Paging of a list.
#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /my/approvals`: steps waiting for the caller, overdue ones marked.
pub async fn my_approvals(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let paged = service::needs::waiting_approvals(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let pager = Pager::new(t, &paged, "/my/approvals", "");
    let items = paged
        .items
        .into_iter()
        .map(|w| {
            let due = w.due_at.map(|d| local_time(&state, d)).unwrap_or_default();
            (w, due)
        })
        .collect();
    Ok(render(&ApprovalsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "my_needs.html")]
struct MyNeedsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(NeedSummary, String)>,
    pager: Pager,
    can_raise: bool,
}

/// `GET /my/needs`: the needs the caller raised.
pub async fn my_needs(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let paged = service::needs::my_needs(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let pager = Pager::new(t, &paged, "/my/needs", "");
    let items = paged
        .items
        .into_iter()
        .map(|n| {
            let at = local_time(&state, n.created_at);
            (n, at)
        })
        .collect();
    Ok(render(&MyNeedsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        pager,
        can_raise: service::needs::may_raise(&caller.principal).is_ok(),
    }))
}

// ----- approval rules ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "approval_rules.html")]
struct RulesPage {
    t: Tr,
    chrome: Chrome,
    rules: Vec<ApprovalRule>,
    kinds: Vec<&'static str>,
    message: Option<String>,
    error: Option<String>,
}

impl RulesPage {
    fn origin_code(&self, rule: &ApprovalRule) -> &'static str {
        rule.origin.map(|o| o.code()).unwrap_or("")
    }

    fn step_kind(&self, rule: &ApprovalRule, i: &usize) -> &'static str {
        rule.steps.get(*i).map(|s| s.kind.code()).unwrap_or("")
    }

    fn step_hours(&self, rule: &ApprovalRule, i: &usize) -> i32 {
        rule.steps.get(*i).map(|s| s.deadline_hours).unwrap_or(72)
    }
}

/// One rule as typed: up to three steps.
#[derive(Deserialize, Default)]
pub struct RuleForm {
    #[serde(default)]
    position: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    min_cost: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    step1_kind: String,
    #[serde(default)]
    step1_hours: String,
    #[serde(default)]
    step2_kind: String,
    #[serde(default)]
    step2_hours: String,
    #[serde(default)]
    step3_kind: String,
    #[serde(default)]
    step3_hours: String,
}

impl RuleForm {
    fn rule(&self) -> Result<(usize, ApprovalRule), DomainError> {
        let position = match self.position.trim() {
            "" => 0,
            p => p
                .parse::<usize>()
                .map_err(|_| DomainError::invalid("position", "must be a whole number"))?,
        };
        let origin = match self.origin.trim() {
            "" | "any" => None,
            o => Some(NeedOrigin::parse(o)?),
        };
        let min_cost = parse_cost(&self.min_cost)
            .map_err(|_| DomainError::invalid("min_cost", "must be an amount in yuan"))?;
        let mut steps = Vec::new();
        for (i, (kind, hours)) in [
            (&self.step1_kind, &self.step1_hours),
            (&self.step2_kind, &self.step2_hours),
            (&self.step3_kind, &self.step3_hours),
        ]
        .into_iter()
        .enumerate()
        {
            if kind.trim().is_empty() {
                continue;
            }
            let field = format!("step{}_hours", i + 1);
            steps.push(RuleStep {
                kind: StepKind::parse(kind).map_err(|_| {
                    DomainError::invalid(format!("step{}_kind", i + 1), "unknown step")
                })?,
                deadline_hours: hours
                    .trim()
                    .parse()
                    .map_err(|_| DomainError::invalid(field, "must be a number of hours"))?,
            });
        }
        Ok((
            position,
            ApprovalRule {
                id: 0,
                name: self.name.trim().to_string(),
                origin,
                min_cost,
                steps,
                active: self.active.is_some(),
            },
        ))
    }
}

async fn rules_page(
    state: &AppState,
    caller: &PageCaller,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let rules = service::needs::approval_rules(state, &caller.principal).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(&RulesPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        rules,
        kinds: StepKind::ALL.iter().map(|k| k.code()).collect(),
        message,
        error,
    });
    Ok((status, html).into_response())
}

/// `GET /needs/rules`.
pub async fn rules(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let message = (!done.done.is_empty()).then(|| Tr(caller.locale).get("rules.saved").to_string());
    rules_page(&state, &caller, message, None).await
}

async fn save_rule(
    state: &AppState,
    caller: &PageCaller,
    id: Option<i64>,
    form: RuleForm,
) -> Result<Response, PageError> {
    let result = match form.rule() {
        Ok((position, rule)) => {
            service::needs::save_approval_rule(
                state,
                &caller.principal,
                id,
                position,
                &rule,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/needs/rules?done=saved").into_response()),
        Err(e) => match input_error(Tr(caller.locale), &e, FIELDS) {
            Some(message) => rules_page(state, caller, None, Some(message)).await,
            None => Err(e.into()),
        },
    }
}

/// `POST /needs/rules`: adds a rule.
pub async fn create_rule(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RuleForm>,
) -> Result<Response, PageError> {
    save_rule(&state, &caller, None, form).await
}

/// `POST /needs/rules/{id}`: changes a rule.
pub async fn update_rule(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<RuleForm>,
) -> Result<Response, PageError> {
    let id: i64 = id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "approval rule",
        })
    })?;
    save_rule(&state, &caller, Some(id), form).await
}

/// `POST /needs/rules/{id}/delete`.
pub async fn delete_rule(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.trim().parse().map_err(|_| {
        caller.err(DomainError::NotFound {
            entity: "approval rule",
        })
    })?;
    service::needs::delete_approval_rule(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(Redirect::to("/needs/rules?done=deleted").into_response())
}

// ----- merging ---------------------------------------------------------------------

/// `POST /needs/merge`: the selected approved needs (`need` repeated) into a new draft
/// program (`code`, `title`) or an existing one (`program_id`). The form comes from a
/// need's page, named by `from`.
pub async fn merge(
    State(state): State<AppState>,
    caller: PageCaller,
    body: String,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| caller.err(DomainError::invalid("need_ids", "malformed form")))?;
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let from: Option<i64> = value("from").parse().ok();
    let mut need_ids = Vec::new();
    let mut bad = None;
    for (k, v) in &pairs {
        if k == "need" {
            match v.trim().parse::<i64>() {
                Ok(id) => need_ids.push(id),
                Err(_) => bad = Some(v.clone()),
            }
        }
    }
    let program_id = match value("program_id").as_str() {
        "" => Ok(None),
        p => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| DomainError::invalid("program_id", "choose a program")),
    };
    let result = match (bad, program_id) {
        (Some(v), _) => Err(DomainError::invalid(
            "need_ids",
            format!("'{v}' is not a need id"),
        )),
        (None, Err(e)) => Err(e),
        (None, Ok(program_id)) => {
            let request = MergeRequest {
                need_ids,
                program_id,
                code: Some(value("code")).filter(|c| !c.is_empty()),
                title: Some(value("title")).filter(|c| !c.is_empty()),
            };
            service::needs::merge_needs(&state, &caller.principal, &request, &caller.actor()).await
        }
    };
    match result {
        Ok(program) => Ok(Redirect::to(&format!("/programs/{program}")).into_response()),
        Err(e @ (DomainError::Validation { .. } | DomainError::Conflict(_))) => {
            let message = input_error(Tr(caller.locale), &e, FIELDS).unwrap_or_default();
            match from {
                Some(need) => {
                    need_page(
                        &state,
                        &caller,
                        need,
                        None,
                        Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
                        String::new(),
                    )
                    .await
                }
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/needs", Page, list)
        .post("/needs/from-gaps", Page, raise_from_gaps)
        .get("/needs/{id}", Page, detail)
        .post("/needs", Page, create)
        .get("/needs/new", Page, new_form)
        .get("/needs/rules", Page, rules)
        .post("/needs/rules", Page, create_rule)
        .post("/needs/rules/{id}", Page, update_rule)
        .post("/needs/rules/{id}/delete", Page, delete_rule)
        .post("/needs/merge", Page, merge)
        .get("/needs/{id}/edit", Page, edit_form)
        .post("/needs/{id}/resubmit", Page, resubmit)
        .post("/approvals/{id}/decide", Page, decide)
        .get("/my/approvals", Page, my_approvals)
        .get("/my/needs", Page, my_needs)
}
