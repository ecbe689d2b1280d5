//! Transfer to work pages: practice tasks for learners, mentors and staff; the
//! program's practice page with assignment; behavior-change ratings.

use super::PageId;
use super::{Chrome, Pager, input_error, query_string, render, xlsx_response};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::practice::{
    BehaviorRating, MentorChoice, PracticeAssignment, PracticeReport, PracticeStatus, PracticeTask,
    RatingInput, ReportDecision, ReportReview, TransferSummary,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::practice::{PracticeCriteria, PracticeView};
use time::Date;

fn parse_date(field: &str, text: &str) -> DomainResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|_| DomainError::invalid(field, "must be a date such as 2026-12-31"))
}

const FIELD_LABELS: &[(&str, &str)] = &[
    ("title", "practice.task"),
    ("description", "practice.description"),
    ("due_on", "practice.due_on"),
    ("mentor", "practice.mentor"),
    ("body", "practice.report"),
    ("score", "practice.score"),
    ("comment", "practice.comment"),
    ("rating", "ratings.rating"),
    ("observation", "ratings.observation"),
];

// ----- the list ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "practice.html")]
struct PracticePage {
    t: Tr,
    chrome: Chrome,
    view: String,
    views: Vec<&'static str>,
    items: Vec<PracticeTask>,
    today: Date,
    q: String,
    status: String,
    overdue: bool,
    statuses: &'static [PracticeStatus],
    ratings: Vec<BehaviorRating>,
    notice: String,
    error: String,
    /// The rating form that failed, to keep its input.
    failed_rating: Option<(i64, String)>,
    export_link: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct PracticeQuery {
    #[serde(default)]
    view: String,
    q: Option<String>,
    status: Option<String>,
    program: Option<i64>,
    #[serde(default)]
    overdue: String,
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl PracticeQuery {
    /// The view named, if any (an unknown one is a validation error on `view`).
    fn view(&self) -> DomainResult<Option<PracticeView>> {
        match self.view.trim() {
            "" => Ok(None),
            v => PracticeView::parse(v).map(Some),
        }
    }

    fn criteria(&self) -> DomainResult<PracticeCriteria> {
        Ok(PracticeCriteria {
            program_id: self.program,
            status: match self.status.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(PracticeStatus::parse(s)?),
            },
            q: self.q.clone(),
            overdue: self.overdue == "1",
        })
    }
}

async fn practice_page(
    state: &AppState,
    caller: &PageCaller,
    query: PracticeQuery,
    error: Option<DomainError>,
    failed_rating: Option<(i64, String)>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let view = query.view()?;
    let criteria = query.criteria()?;
    let overview = service::practice::practice_overview(
        state,
        &caller.principal,
        view,
        &criteria,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let view = overview.view.code().to_string();
    let paged = overview.tasks;
    let q = query.q.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let qs = query_string(&[
        ("view", view.clone()),
        ("q", q.clone()),
        ("status", status.clone()),
        (
            "program",
            query.program.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("overdue", query.overdue.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/practice", &qs);
    let ratings = overview.ratings_owed;
    let status_code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let error = match &error {
        Some(e) => input_error(t, e, FIELD_LABELS).unwrap_or_default(),
        None => String::new(),
    };
    let notice = match query.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("practice.done.{other}")).to_string(),
    };
    let page = PracticePage {
        t,
        chrome: Chrome::for_caller(caller),
        views: overview.views.iter().map(|v| v.code()).collect(),
        export_link: format!("/practice/export.xlsx?{qs}"),
        view,
        items: paged.items.clone(),
        today: state.today(),
        q,
        status,
        overdue: query.overdue == "1",
        statuses: PracticeStatus::ALL,
        ratings,
        notice,
        error,
        failed_rating,
        pager,
    };
    Ok((status_code, render(&page)).into_response())
}

/// `GET /practice`: my tasks, the tasks I mentor, everybody's (staff and managers),
/// and the behavior ratings I owe.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PracticeQuery>,
) -> Result<Response, PageError> {
    practice_page(&state, &caller, query, None, None).await
}

/// `GET /practice/export.xlsx`: the "all" view as a workbook.
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<PracticeQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let criteria = query.criteria()?;
    let rows =
        service::practice::export_practice_tasks(&state, &caller.principal, &criteria).await?;
    let bytes = practice_workbook(t, &rows)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(bytes, "practice-tasks.xlsx"))
}

fn practice_workbook(t: Tr, rows: &[PracticeTask]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("practice.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "programs.program",
        "field.employee_no",
        "field.name",
        "practice.task",
        "practice.mentor",
        "practice.due_on",
        "practice.status",
        "practice.score",
        "practice.reports",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, task) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let cells = [
            format!("{} {}", task.program_code, task.program_title),
            task.employee_number.clone(),
            task.employee_name.clone(),
            task.title.clone(),
            task.mentor_name.clone(),
            task.due_on.to_string(),
            t.get(&format!("practice.status.{}", task.status.code()))
                .to_string(),
        ];
        for (col, value) in cells.iter().enumerate() {
            sheet.write_string(r, col as u16, value)?;
        }
        if let Some(score) = task.score {
            sheet.write_number(r, 7, f64::from(score))?;
        }
        sheet.write_number(r, 8, task.reports as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

// ----- one task -----------------------------------------------------------------------

#[derive(Template)]
#[template(path = "practice_task.html")]
struct TaskPage {
    t: Tr,
    chrome: Chrome,
    task: PracticeTask,
    reports: Vec<(PracticeReport, String, String)>,
    overdue: bool,
    may_report: bool,
    may_review: bool,
    may_promote: bool,
    notice: String,
    error: String,
    draft: String,
    review: ReviewForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn task_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    done: &str,
    error: Option<DomainError>,
    draft: String,
    review: ReviewForm,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let view = service::practice::practice_task(state, &caller.principal, id).await?;
    let task = view.task;
    let reports = view
        .reports
        .into_iter()
        .map(|r| {
            let submitted = super::local_time(state, r.submitted_at);
            let reviewed = r
                .reviewed_at
                .map(|at| super::local_time(state, at))
                .unwrap_or_default();
            (r, submitted, reviewed)
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TaskPage {
        t,
        chrome: Chrome::for_caller(caller),
        overdue: task.overdue(state.today()),
        may_report: view.may_report,
        may_review: view.may_review,
        may_promote: view.may_promote,
        task,
        reports,
        notice: match done {
            "" => String::new(),
            other => t.get(&format!("practice.done.{other}")).to_string(),
        },
        error: match &error {
            Some(e) => input_error(t, e, FIELD_LABELS).unwrap_or_default(),
            None => String::new(),
        },
        draft,
        review,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /practice/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(done): Query<DoneQuery>,
) -> Result<Response, PageError> {
    task_page(
        &state,
        &caller,
        id,
        &done.done,
        None,
        String::new(),
        ReviewForm::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    body: String,
}

/// `POST /practice/{id}/report`: the learner hands in a report.
pub async fn submit_report(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(task): PageId,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    match service::practice::submit_practice_report(
        &state,
        &caller.principal,
        task,
        &form.body,
        &caller.actor(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/practice/{task}?done=reported")).into_response()),
        Err(e @ (DomainError::Validation { .. } | DomainError::Conflict(_))) => {
            task_page(
                &state,
                &caller,
                task,
                "",
                Some(e),
                form.body,
                ReviewForm::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /practice/{id}/review`: the mentor (or staff for them) accepts with a score
/// or returns with a reason.
pub async fn review(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(task): PageId,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let parsed = (|| -> DomainResult<ReportReview> {
        Ok(ReportReview {
            decision: ReportDecision::parse(&form.decision)?,
            score: match form.score.trim() {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|_| DomainError::invalid("score", "must be a whole number"))?,
                ),
            },
            comment: form.comment.clone(),
        })
    })();
    let result = match parsed {
        Ok(r) => {
            service::practice::review_practice_report(
                &state,
                &caller.principal,
                task,
                &r,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/practice/{task}?done=reviewed")).into_response()),
        Err(e @ (DomainError::Validation { .. } | DomainError::Conflict(_))) => {
            task_page(&state, &caller, task, "", Some(e), String::new(), form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /practice/{id}/promote`: a good report becomes a draft case in the library.
pub async fn promote(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(task): PageId,
) -> Result<Response, PageError> {
    match service::practice::promote_practice_report(
        &state,
        &caller.principal,
        task,
        &caller.actor(),
    )
    .await
    {
        Ok(resource) => Ok(Redirect::to(&format!("/library/{resource}")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            task_page(
                &state,
                &caller,
                task,
                "",
                Some(e),
                String::new(),
                ReviewForm::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- a program's practice --------------------------------------------------------------

#[derive(Template)]
#[template(path = "program_practice.html")]
struct ProgramPracticePage {
    t: Tr,
    chrome: Chrome,
    program_id: i64,
    program_code: String,
    program_title: String,
    summary: TransferSummary,
    items: Vec<PracticeTask>,
    today: Date,
    pager: Pager,
    form: AssignForm,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    due_on: String,
    /// `manager` or `colleague`.
    #[serde(default)]
    mentor: String,
    #[serde(default)]
    colleague: String,
    /// Employee numbers separated by spaces or commas; empty means all who completed.
    #[serde(default)]
    employees: String,
}

#[derive(Deserialize, Default)]
pub struct ProgramPracticeQuery {
    page: Option<u32>,
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: String,
}

async fn program_practice_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    query: ProgramPracticeQuery,
    form: AssignForm,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let practice = service::practice::program_practice(
        state,
        &caller.principal,
        id,
        Page::new(query.page, Some(100)),
    )
    .await?;
    let program = practice.program;
    let paged = practice.tasks;
    let pager = Pager::new(t, &paged, &format!("/programs/{id}/practice"), "");
    let summary = practice.summary;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let form = if form.due_on.is_empty() {
        AssignForm {
            due_on: practice.default_due_on.to_string(),
            mentor: "manager".into(),
            ..form
        }
    } else {
        form
    };
    let page = ProgramPracticePage {
        t,
        chrome: Chrome::for_caller(caller),
        program_id: id,
        program_code: program.summary.code.clone(),
        program_title: program.summary.title.clone(),
        summary,
        items: paged.items.clone(),
        today: state.today(),
        pager,
        form,
        notice: match query.done.as_str() {
            "" => String::new(),
            "assigned" => t.get("practice.done.assigned").replace("{n}", &query.n),
            other => t.get(&format!("practice.done.{other}")).to_string(),
        },
        error: match &error {
            Some(e) => input_error(t, e, FIELD_LABELS).unwrap_or_default(),
            None => String::new(),
        },
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /programs/{id}/practice`: the program's transfer to work.
pub async fn program_practice(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<ProgramPracticeQuery>,
) -> Result<Response, PageError> {
    program_practice_page(&state, &caller, id, query, AssignForm::default(), None).await
}

fn assignment_of(form: &AssignForm) -> DomainResult<PracticeAssignment> {
    Ok(PracticeAssignment {
        title: form.title.clone(),
        description: form.description.clone(),
        due_on: parse_date("due_on", &form.due_on)?,
        mentor: match form.mentor.trim() {
            "colleague" => MentorChoice::Colleague(form.colleague.clone()),
            "manager" | "" => MentorChoice::Manager,
            other => {
                return Err(DomainError::invalid(
                    "mentor",
                    format!("'{other}' is not manager or colleague"),
                ));
            }
        },
        employee_numbers: form
            .employees
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// `POST /programs/{id}/practice`: assigns a practice task to the learners who
/// completed.
pub async fn assign(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(program_id): PageId,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    // A form that does not read is shown again by the program's page, which checks
    // the caller's reach and the program first.
    let result = match assignment_of(&form) {
        Ok(input) => {
            service::practice::assign_practice(
                &state,
                &caller.principal,
                program_id,
                &input,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(outcome) => Ok(Redirect::to(&format!(
            "/programs/{program_id}/practice?done=assigned&n={}",
            outcome.assigned
        ))
        .into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            program_practice_page(
                &state,
                &caller,
                program_id,
                ProgramPracticeQuery::default(),
                form,
                Some(e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- behavior ratings ----------------------------------------------------------------

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    observation: String,
}

/// `POST /ratings/{id}`: the rater records the behavior change they observed.
pub async fn rate(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<RatingForm>,
) -> Result<Response, PageError> {
    let input = RatingInput {
        // A rating that is not a number is out of range: refused, after the caller was
        // found to be the rater, with the same message as any other out of range.
        rating: form.rating.trim().parse::<i32>().unwrap_or(0),
        observation: form.observation.clone(),
    };
    let result =
        service::practice::rate_behavior(&state, &caller.principal, id, &input, &caller.actor())
            .await;
    match result {
        Ok(()) => Ok(Redirect::to("/practice?done=rated").into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            practice_page(
                &state,
                &caller,
                PracticeQuery::default(),
                Some(e),
                Some((id, form.observation)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/practice", Page, list)
        .get("/practice/export.xlsx", Page, export)
        .get("/practice/{id}", Page, detail)
        .post("/practice/{id}/report", Page, submit_report)
        .post("/practice/{id}/review", Page, review)
        .post("/practice/{id}/promote", Page, promote)
        .post("/ratings/{id}", Page, rate)
        .get("/programs/{id}/practice", Page, program_practice)
        .post("/programs/{id}/practice", Page, assign)
}
