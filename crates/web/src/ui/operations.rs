//! Training operations pages: programs and their sessions, enrollment, attendance,
//! the learner's own learning and check-in, venues, instructors and calendars.

use super::PageId;
use super::{Chrome, Pager, local_time, path_id, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::operations::{
    AttendanceLine, AttendanceStatus, AudienceRule, CostKind, CostLine, Enrollment, Instructor,
    InstructorInput, Plan, PlanInput, ProgramDetail, ProgramFilter, ProgramInput, ProgramSkill,
    ProgramStatus, ProgramSummary, Session, SessionInput, SessionMode, TransferGoal, Venue,
    VenueInput, VenueKind,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::operations::{Enrollees, Learner, VenueScheduling};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Reads a `datetime-local` field (`2026-03-02T09:00`) in the company's time zone.
fn local_input(state: &AppState, field: &str, text: &str) -> DomainResult<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(text.trim(), format)
        .map(|t| t.assume_offset(state.settings.timezone))
        .map_err(|_| {
            DomainError::invalid(field, "must be a date and time such as 2026-03-02T09:00")
        })
}

fn local_field(state: &AppState, t: OffsetDateTime) -> String {
    local_time(state, t).replace(' ', "T")
}

// ----- program list -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(ProgramSummary, String)>,
    q: String,
    status: String,
    plan: String,
    plans: Vec<Plan>,
    statuses: &'static [ProgramStatus],
    can_manage: bool,
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ProgramsQuery {
    q: Option<String>,
    status: Option<String>,
    plan: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /programs`: every signed-in person sees the programs; open ones first.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ProgramsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let status = query.status.clone().unwrap_or_default();
    let filter = ProgramFilter {
        q: query.q.clone(),
        status: match status.trim() {
            "" => None,
            s => Some(ProgramStatus::parse(s)?),
        },
        plan_code: query.plan.clone(),
        open_only: false,
        hide_drafts: true,
    };
    let catalogue = service::operations::program_catalogue(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let paged = catalogue.programs;
    let q = query.q.unwrap_or_default();
    let plan = query.plan.unwrap_or_default();
    let qs = query_string(&[
        ("q", q.clone()),
        ("status", status.clone()),
        ("plan", plan.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/programs", &qs);
    let items = paged
        .items
        .into_iter()
        .map(|p| {
            let first = p
                .first_session
                .map(|f| local_time(&state, f))
                .unwrap_or_default();
            (p, first)
        })
        .collect();
    Ok(render(&ProgramsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        q,
        status,
        plan,
        plans: catalogue.plans,
        statuses: ProgramStatus::ALL,
        can_manage: service::operations::may_manage_programs(&caller.principal),
        pager,
    }))
}

// ----- program form -------------------------------------------------------------------

/// The program form as typed; lists are one item per line.
#[derive(Deserialize, Default, Clone)]
pub struct ProgramForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    plan_code: String,
    #[serde(default)]
    objectives: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    credits: String,
    #[serde(default)]
    audience_departments: String,
    #[serde(default)]
    audience_positions: String,
    #[serde(default)]
    audience_tags: String,
    #[serde(default)]
    audience_employees: String,
    /// `SKILL-CODE level` per line.
    #[serde(default)]
    skills: String,
    #[serde(default)]
    resources: String,
    #[serde(default)]
    instructors: String,
    /// `kind amount note` per line.
    #[serde(default)]
    costs: String,
    #[serde(default)]
    transfer_kpi: String,
    #[serde(default)]
    transfer_change_pct: String,
    #[serde(default)]
    transfer_months: String,
    #[serde(default)]
    min_attendance_pct: String,
    #[serde(default)]
    cancel_deadline_hours: String,
    #[serde(default)]
    survey_required: Option<String>,
    #[serde(default)]
    certificate_months: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    exam_required: Option<String>,
    /// A checkbox: the venue must seat every learner (a hard scheduling constraint).
    #[serde(default)]
    strict_venue_capacity: Option<String>,
}

fn number<T: std::str::FromStr>(field: &str, text: &str) -> DomainResult<Option<T>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| DomainError::invalid(field, format!("'{text}' is not a number")))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl ProgramForm {
    fn input(&self) -> DomainResult<ProgramInput> {
        let mut skills = Vec::new();
        for (i, line) in self
            .skills
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let mut parts = line.split_whitespace();
            let code = parts.next().unwrap_or_default().to_string();
            let level = number::<i32>(
                &format!("skills line {}", i + 1),
                parts.next().unwrap_or("1"),
            )?
            .unwrap_or(1);
            skills.push(ProgramSkill { code, level });
        }
        let mut costs = Vec::new();
        for (i, line) in self
            .costs
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let field = format!("costs line {}", i + 1);
            let mut parts = line.splitn(3, char::is_whitespace);
            let kind = CostKind::parse(parts.next().unwrap_or_default())
                .map_err(|e| DomainError::invalid(&field, e.to_string()))?;
            let amount = number::<f64>(&field, parts.next().unwrap_or_default())?
                .ok_or_else(|| DomainError::invalid(&field, "needs an amount after the kind"))?;
            costs.push(CostLine {
                kind,
                amount,
                note: parts.next().unwrap_or_default().trim().to_string(),
            });
        }
        let transfer = if self.transfer_kpi.trim().is_empty() {
            None
        } else {
            Some(TransferGoal {
                kpi_code: self.transfer_kpi.trim().to_string(),
                change_pct: number("transfer_change_pct", &self.transfer_change_pct)?.ok_or_else(
                    || DomainError::invalid("transfer_change_pct", "is required with a KPI"),
                )?,
                months: number("transfer_months", &self.transfer_months)?.unwrap_or(3),
            })
        };
        ProgramInput {
            code: self.code.clone(),
            title: self.title.clone(),
            plan_code: Some(self.plan_code.clone()),
            objectives: self.objectives.clone(),
            audience: AudienceRule::from_lists(
                &self.audience_departments,
                &self.audience_positions,
                &self.audience_tags,
                &self.audience_employees,
            ),
            capacity: number("capacity", &self.capacity)?,
            hours: number("hours", &self.hours)?.unwrap_or(0.0),
            credits: number("credits", &self.credits)?.unwrap_or(0.0),
            skills,
            resources: words(&self.resources),
            instructors: words(&self.instructors),
            costs,
            transfer,
            min_attendance_pct: number("min_attendance_pct", &self.min_attendance_pct)?
                .unwrap_or(80),
            cancel_deadline_hours: number("cancel_deadline_hours", &self.cancel_deadline_hours)?
                .unwrap_or(24),
            survey_required: self.survey_required.is_some(),
            certificate_months: number("certificate_months", &self.certificate_months)?,
            exam_required: self.exam_required.is_some(),
        }
        .validated()
    }

    fn from_detail(d: &ProgramDetail) -> Self {
        let join = |v: &[String]| v.join(" ");
        Self {
            code: d.summary.code.clone(),
            title: d.summary.title.clone(),
            plan_code: d.summary.plan_code.clone().unwrap_or_default(),
            objectives: d.objectives.clone(),
            capacity: d
                .summary
                .capacity
                .map(|c| c.to_string())
                .unwrap_or_default(),
            hours: d.summary.hours.to_string(),
            credits: d.credits.to_string(),
            audience_departments: join(&d.audience.departments),
            audience_positions: join(&d.audience.positions),
            audience_tags: join(&d.audience.tags),
            audience_employees: join(&d.audience.employees),
            skills: d
                .skills
                .iter()
                .map(|s| format!("{} {}", s.code, s.level))
                .collect::<Vec<_>>()
                .join("\n"),
            resources: join(&d.resources),
            instructors: join(&d.instructors),
            costs: d
                .costs
                .iter()
                .map(|c| {
                    format!("{} {} {}", c.kind.code(), c.amount, c.note)
                        .trim_end()
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
            transfer_kpi: d
                .transfer
                .as_ref()
                .map(|g| g.kpi_code.clone())
                .unwrap_or_default(),
            transfer_change_pct: d
                .transfer
                .as_ref()
                .map(|g| g.change_pct.to_string())
                .unwrap_or_default(),
            transfer_months: d
                .transfer
                .as_ref()
                .map(|g| g.months.to_string())
                .unwrap_or_default(),
            min_attendance_pct: d.min_attendance_pct.to_string(),
            cancel_deadline_hours: d.cancel_deadline_hours.to_string(),
            survey_required: d.survey_required.then(|| "1".to_string()),
            certificate_months: d
                .certificate_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            exam_required: d.exam_required.then(|| "on".to_string()),
            strict_venue_capacity: None,
        }
    }
}

#[derive(Template)]
#[template(path = "program_form.html")]
struct ProgramFormPage {
    t: Tr,
    chrome: Chrome,
    /// `None` for a new program.
    id: Option<i64>,
    form: ProgramForm,
    error: String,
    plans: Vec<Plan>,
}

fn form_page(
    caller: &PageCaller,
    id: Option<i64>,
    form: ProgramForm,
    plans: Vec<Plan>,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ProgramFormPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        id,
        form,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        plans,
    };
    Ok((status, render(&page)).into_response())
}

/// The program form again with `error`; the plans come from the same use case as the
/// empty form, so a caller who may not keep programs is refused here too.
async fn form_again(
    state: &AppState,
    caller: &PageCaller,
    id: Option<i64>,
    form: ProgramForm,
    error: DomainError,
) -> Result<Response, PageError> {
    let plans = service::operations::list_plans(state, &caller.principal).await?;
    form_page(caller, id, form, plans, Some(error))
}

/// `GET /programs/new`.
pub async fn new_form(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let plans = service::operations::list_plans(&state, &caller.principal).await?;
    let form = ProgramForm {
        min_attendance_pct: "80".into(),
        cancel_deadline_hours: "24".into(),
        strict_venue_capacity: Some("on".into()),
        ..ProgramForm::default()
    };
    form_page(&caller, None, form, plans, None)
}

/// `POST /programs`: on a mistake the form comes back with what was typed.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ProgramForm>,
) -> Result<Response, PageError> {
    let saved = match form.input() {
        Ok(input) => {
            service::operations::create_program(
                &state,
                &caller.principal,
                &input,
                Some(form.strict_venue_capacity.is_some()),
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/programs/{id}")).into_response()),
        Err(e @ DomainError::Validation { .. }) => form_again(&state, &caller, None, form, e).await,
        Err(e) => Err(e.into()),
    }
}

/// `GET /programs/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let edit = service::operations::program_for_edit(&state, &caller.principal, id).await?;
    let mut form = ProgramForm::from_detail(&edit.detail);
    if edit.strict_venue_capacity {
        form.strict_venue_capacity = Some("on".into());
    }
    form_page(&caller, Some(id), form, edit.plans, None)
}

/// `POST /programs/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ProgramForm>,
) -> Result<Response, PageError> {
    let saved = match form.input() {
        Ok(input) => {
            service::operations::update_program(
                &state,
                &caller.principal,
                id,
                &input,
                Some(form.strict_venue_capacity.is_some()),
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/programs/{id}?done=saved")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            form_again(&state, &caller, Some(id), form, e).await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- program page -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "program.html")]
struct ProgramPage {
    t: Tr,
    chrome: Chrome,
    d: ProgramDetail,
    sessions: Vec<(Session, String, String)>,
    enrollments: Vec<Enrollment>,
    enrollment_total: i64,
    mine: Option<Enrollment>,
    can_manage: bool,
    can_enroll_others: bool,
    /// Company-wide evaluation rights: the KPI effect and ROI link.
    can_view_effects: bool,
    notice: String,
    statuses: Vec<ProgramStatus>,
    modes: &'static [SessionMode],
    venues: Vec<Venue>,
    session_start: String,
    session_end: String,
    /// The training needs the program was planned from (program staff only).
    needs: Vec<domain::needs::NeedSummary>,
    exams: super::exams::ProgramExams,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    w: String,
    /// A check-in code from a scanned QR code.
    #[serde(default)]
    code: String,
}

/// `GET /programs/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(done): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let p = &caller.principal;
    let overview = service::operations::program_overview(&state, p, id).await?;
    let d = overview.detail;
    let t = Tr(caller.locale);
    let notice = match done.done.as_str() {
        "" => String::new(),
        "enrolled" => t
            .get("programs.done.enrolled")
            .replace("{n}", &done.n)
            .replace("{w}", &done.w),
        other => t.get(&format!("programs.done.{other}")).to_string(),
    };
    let statuses = ProgramStatus::ALL
        .iter()
        .copied()
        .filter(|s| d.summary.status.can_move_to(*s))
        .collect();
    let sessions = d
        .sessions
        .iter()
        .cloned()
        .map(|s| {
            let (a, b) = (
                local_time(&state, s.starts_at),
                local_time(&state, s.ends_at),
            );
            (s, a, b)
        })
        .collect();
    let tomorrow =
        OffsetDateTime::now_utc().to_offset(state.settings.timezone) + time::Duration::days(1);
    let start = tomorrow.replace_time(time::macros::time!(09:00));
    Ok(render(&ProgramPage {
        t,
        chrome: Chrome::for_caller(&caller),
        sessions,
        enrollments: overview.enrollments,
        enrollment_total: overview.enrollment_total,
        mine: overview.mine,
        can_manage: overview.can_manage,
        can_enroll_others: overview.can_enroll_others,
        can_view_effects: service::effect::may_view_effects(p).is_ok(),
        notice,
        statuses,
        modes: SessionMode::ALL,
        venues: overview.venues,
        session_start: local_field(&state, start),
        session_end: local_field(&state, start + time::Duration::hours(3)),
        needs: overview.needs,
        exams: super::exams::program_exams(&state, &caller, id, &d.summary.code).await?,
        d,
    }))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

/// `POST /programs/{id}/status`: closing settles completion.
pub async fn set_status(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    let status = ProgramStatus::parse(&form.status)?;
    service::operations::set_program_status(&state, &caller.principal, id, status, &caller.actor())
        .await?;
    Ok(Redirect::to(&format!("/programs/{id}?done=status")).into_response())
}

#[derive(Deserialize)]
pub struct SessionForm {
    title: String,
    starts_at: String,
    ends_at: String,
    mode: String,
    #[serde(default)]
    venue_code: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    join_url: String,
    #[serde(default)]
    instructors: String,
    #[serde(default)]
    allow_conflicts: Option<String>,
}

/// `POST /programs/{id}/sessions`: adds a session; a clash is refused with the list
/// of conflicts unless "save anyway" is ticked.
pub async fn add_session(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<SessionForm>,
) -> Result<Response, PageError> {
    let input = SessionInput {
        title: form.title,
        starts_at: local_input(&state, "starts_at", &form.starts_at)?,
        ends_at: local_input(&state, "ends_at", &form.ends_at)?,
        mode: SessionMode::parse(&form.mode)?,
        venue_code: Some(form.venue_code),
        capacity: number("capacity", &form.capacity)?,
        join_url: Some(form.join_url),
        instructors: words(&form.instructors),
        allow_conflicts: form.allow_conflicts.is_some(),
    };
    let saved =
        service::operations::add_session(&state, &caller.principal, id, &input, &caller.actor())
            .await
            .map_err(|e| caller.err(e.into_domain()))?;
    let done = if saved.conflicts.is_empty() {
        "session"
    } else {
        "session_with_conflicts"
    };
    Ok(Redirect::to(&format!("/programs/{id}?done={done}")).into_response())
}

#[derive(Deserialize)]
pub struct EnrollForm {
    /// `self`, `people` or `audience`.
    how: String,
    #[serde(default)]
    employees: String,
}

/// `POST /programs/{id}/enroll`: oneself, named people in one's scope, or the
/// program's whole audience.
pub async fn enroll(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<EnrollForm>,
) -> Result<Response, PageError> {
    let who = match form.how.as_str() {
        "self" => Enrollees::Myself,
        "people" => Enrollees::People(words(&form.employees)),
        "audience" => Enrollees::Audience,
        other => {
            return Err(caller.err(DomainError::invalid(
                "how",
                format!("'{other}' is not self, people or audience"),
            )));
        }
    };
    let outcome =
        service::operations::enroll(&state, &caller.principal, id, who, &caller.actor()).await?;
    Ok(Redirect::to(&format!(
        "/programs/{id}?done=enrolled&n={}&w={}",
        outcome.enrolled, outcome.waitlisted
    ))
    .into_response())
}

/// `POST /enrollments/{id}/cancel`: learners cancel their own before the deadline;
/// people who enrol others cancel for them at any time.
pub async fn cancel_enrollment(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let cancelled =
        service::operations::cancel_enrollment(&state, &caller.principal, id, &caller.actor())
            .await?;
    let back = if cancelled.by_staff {
        format!("/programs/{}?done=cancelled", cancelled.program_id)
    } else {
        "/my/learning?done=cancelled".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

// ----- session page -------------------------------------------------------------------

#[derive(Template)]
#[template(path = "session.html")]
struct SessionPage {
    t: Tr,
    chrome: Chrome,
    s: Session,
    starts: String,
    ends: String,
    sheet: Vec<AttendanceLine>,
    code: Option<(String, String)>,
    /// The check-in link as an SVG QR code, while a code is live.
    qr_svg: String,
    can_run: bool,
    notice: String,
    marks: &'static [AttendanceStatus],
}

/// The address learners' phones reach this server at, from the request (a proxy's
/// `X-Forwarded-Proto` wins over plain http).
pub(crate) fn origin(headers: &axum::http::HeaderMap) -> String {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text("x-forwarded-host")
        .or(text("host"))
        .unwrap_or("localhost");
    let scheme = text("x-forwarded-proto").unwrap_or("http");
    format!("{scheme}://{host}")
}

/// An SVG QR code of `url`; empty if it cannot be encoded.
fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|qr| {
            qr.render::<qrcode::render::svg::Color>()
                .min_dimensions(180, 180)
                .build()
        })
        .unwrap_or_default()
}

/// `GET /sessions/{id}`: the attendance sheet, check-in code (also as a QR code that
/// opens the learner's check-in with the code filled in) and roll call.
pub async fn session(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(done): Query<NoticeQuery>,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let sheet = service::operations::session_sheet(&state, &caller.principal, id).await?;
    let s = sheet.session;
    let code = sheet
        .code
        .map(|(code, until)| (code, local_time(&state, until)));
    let qr_svg = code
        .as_ref()
        .map(|(code, _)| qr_svg(&format!("{}/my/learning?code={code}", origin(&headers))))
        .unwrap_or_default();
    let t = Tr(caller.locale);
    let notice = match done.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("sessions.done.{other}")).to_string(),
    };
    Ok(render(&SessionPage {
        t,
        chrome: Chrome::for_caller(&caller),
        starts: local_time(&state, s.starts_at),
        ends: local_time(&state, s.ends_at),
        s,
        sheet: sheet.sheet,
        code,
        qr_svg,
        // Only the people who run the session reach this page.
        can_run: true,
        notice,
        marks: AttendanceStatus::ALL,
    }))
}

#[derive(Deserialize)]
pub struct CodeForm {
    minutes: String,
}

/// `POST /sessions/{id}/code`: a fresh check-in code.
pub async fn issue_code(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let minutes = number::<i64>("minutes", &form.minutes)?.unwrap_or(15);
    service::operations::issue_checkin_code(
        &state,
        &caller.principal,
        id,
        minutes,
        &caller.actor(),
    )
    .await?;
    Ok(Redirect::to(&format!("/sessions/{id}")).into_response())
}

/// `POST /sessions/{id}/roll-call`: fields `mark_<employee id>` = present/late/absent.
pub async fn roll_call(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut marks = Vec::new();
    for (key, value) in &form {
        let Some(employee) = key.strip_prefix("mark_") else {
            continue;
        };
        if value.trim().is_empty() {
            continue;
        }
        let employee: i64 = employee
            .parse()
            .map_err(|_| caller.err(DomainError::invalid(key.as_str(), "is not an employee")))?;
        let status = AttendanceStatus::parse(value)?;
        marks.push((Learner::Id(employee), status));
    }
    service::operations::roll_call(&state, &caller.principal, id, &marks, &caller.actor()).await?;
    Ok(Redirect::to(&format!("/sessions/{id}?done=roll_call")).into_response())
}

/// `POST /sessions/{id}/cancel`.
pub async fn cancel_session(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let s =
        service::operations::cancel_session(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(Redirect::to(&format!(
        "/programs/{}?done=session_cancelled",
        s.program_id
    ))
    .into_response())
}

// ----- the learner's side -------------------------------------------------------------

#[derive(Template)]
#[template(path = "my_learning.html")]
struct MyLearningPage {
    t: Tr,
    chrome: Chrome,
    enrollments: Vec<Enrollment>,
    upcoming: Vec<(Session, String)>,
    /// Coming sessions the caller teaches, for instructors.
    teaching: Vec<(Session, String)>,
    open: Vec<ProgramSummary>,
    notice: String,
    error: String,
    /// A check-in code arriving from a scanned QR code, filled into the form.
    code: String,
    /// Surveys to answer, certificates and this year's credits.
    certification: super::certificates::MyPanel,
}

async fn my_learning_page(
    state: &AppState,
    caller: &PageCaller,
    notice: String,
    error: Option<DomainError>,
    code: String,
) -> Result<Response, PageError> {
    let mine = service::operations::my_learning(state, &caller.principal).await?;
    let at = |sessions: Vec<Session>| -> Vec<(Session, String)> {
        sessions
            .into_iter()
            .map(|s| {
                let at = local_time(state, s.starts_at);
                (s, at)
            })
            .collect()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = MyLearningPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        enrollments: mine.enrollments,
        upcoming: at(mine.upcoming),
        teaching: at(mine.teaching),
        open: mine.open,
        notice,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        code,
        certification: super::certificates::MyPanel::load(state, caller).await?,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /my/learning`: my programs, my coming sessions, check-in, open programs.
pub async fn my_learning(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(done): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let notice = match done.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("my.done.{other}")).to_string(),
    };
    let code: String = done
        .code
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    my_learning_page(&state, &caller, notice, None, code).await
}

#[derive(Deserialize)]
pub struct CheckinForm {
    code: String,
}

/// `POST /checkin`: a learner types the code shown in the room.
pub async fn check_in(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<CheckinForm>,
) -> Result<Response, PageError> {
    match service::operations::check_in(&state, &caller.principal, &form.code, &caller.actor())
        .await
    {
        Ok((_, status)) => Ok(Redirect::to(&format!(
            "/my/learning?done=checked_in_{}",
            status.code()
        ))
        .into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            my_learning_page(&state, &caller, String::new(), Some(e), form.code).await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- venues, instructors, plans -----------------------------------------------------

#[derive(Template)]
#[template(path = "resources_admin.html")]
struct ResourcesAdminPage {
    t: Tr,
    chrome: Chrome,
    /// Each venue with its hourly rate and owner, as shown.
    venues: Vec<(Venue, String, String)>,
    instructors: Vec<Instructor>,
    plans: Vec<Plan>,
    kinds: &'static [VenueKind],
    error: String,
}

async fn resources_admin_page(
    state: &AppState,
    caller: &PageCaller,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let setup = service::operations::setup(state, &caller.principal).await?;
    let page = ResourcesAdminPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        venues: setup
            .venues
            .into_iter()
            .map(|(v, found)| {
                let rate = found.as_ref().map(|x| x.0.to_string()).unwrap_or_default();
                let owner = found
                    .and_then(|x| {
                        Some(format!(
                            "{} {}",
                            x.2.as_deref()?,
                            x.1.as_deref().unwrap_or("")
                        ))
                    })
                    .unwrap_or_default();
                (v, rate, owner)
            })
            .collect(),
        instructors: setup.instructors,
        plans: setup.plans,
        kinds: VenueKind::ALL,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /programs/setup`: plans, venues and instructors.
pub async fn setup(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    resources_admin_page(&state, &caller, None).await
}

async fn setup_result(
    state: &AppState,
    caller: &PageCaller,
    result: DomainResult<i64>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to("/programs/setup").into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            resources_admin_page(state, caller, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct VenueForm {
    code: String,
    name: String,
    #[serde(default)]
    site: String,
    capacity: String,
    kind: String,
    #[serde(default)]
    equipment: String,
    /// ¥ per hour, for the scheduler.
    #[serde(default)]
    hourly_rate: String,
    /// Told when the venue's bookings change.
    #[serde(default)]
    owner_employee_number: String,
}

/// `POST /programs/setup/venues`.
pub async fn create_venue(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<VenueForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = VenueInput {
            code: form.code,
            name: form.name,
            site: form.site,
            capacity: number("capacity", &form.capacity)?.unwrap_or(0),
            kind: VenueKind::parse(&form.kind)?,
            equipment: form.equipment,
        };
        let scheduling = VenueScheduling {
            hourly_rate: number::<f64>("hourly_rate", &form.hourly_rate)?.unwrap_or(0.0),
            owner_employee_number: Some(form.owner_employee_number),
        };
        service::operations::create_venue(
            &state,
            &caller.principal,
            &input,
            Some(&scheduling),
            &caller.actor(),
        )
        .await
    }
    .await;
    setup_result(&state, &caller, result).await
}

#[derive(Deserialize)]
pub struct InstructorForm {
    code: String,
    name: String,
    #[serde(default)]
    employee_number: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    hourly_cost: String,
    #[serde(default)]
    skills: String,
}

/// `POST /programs/setup/instructors`.
pub async fn create_instructor(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<InstructorForm>,
) -> Result<Response, PageError> {
    let result = async {
        let input = InstructorInput {
            code: form.code,
            name: form.name,
            employee_number: Some(form.employee_number),
            vendor: Some(form.vendor),
            hourly_cost: number("hourly_cost", &form.hourly_cost)?.unwrap_or(0.0),
            skills: words(&form.skills),
        };
        service::operations::create_instructor(&state, &caller.principal, &input, &caller.actor())
            .await
    }
    .await;
    setup_result(&state, &caller, result).await
}

/// `POST /programs/setup/plans`.
pub async fn create_plan(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<PlanInput>,
) -> Result<Response, PageError> {
    let result =
        service::operations::create_plan(&state, &caller.principal, &form, &caller.actor()).await;
    setup_result(&state, &caller, result).await
}

// ----- calendars ----------------------------------------------------------------------

/// Text escaping of iCalendar (RFC 5545 §3.3.11).
fn ics_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace(['\r', '\n'], "\\n")
}

fn ics_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Folds a content line at 75 octets (RFC 5545 §3.1) without splitting a character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

/// An iCalendar document of `sessions`.
pub fn ics(name: &str, sessions: &[Session]) -> String {
    let stamp = ics_time(OffsetDateTime::now_utc());
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Skillbridge//Training calendar//ZH".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        format!("X-WR-CALNAME:{}", ics_text(name)),
    ];
    for s in sessions {
        let location = match (&s.venue_name, &s.join_url) {
            (Some(v), Some(url)) => format!("{v} / {url}"),
            (Some(v), None) => v.clone(),
            (None, Some(url)) => url.clone(),
            (None, None) => String::new(),
        };
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:session-{}@skillbridge", s.id));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART:{}", ics_time(s.starts_at)));
        lines.push(format!("DTEND:{}", ics_time(s.ends_at)));
        lines.push(format!(
            "SUMMARY:{}",
            ics_text(&format!("{} · {}", s.program_title, s.title))
        ));
        if !location.is_empty() {
            lines.push(format!("LOCATION:{}", ics_text(&location)));
        }
        if !s.instructors.is_empty() {
            lines.push(format!(
                "DESCRIPTION:{}",
                ics_text(&s.instructors.join(", "))
            ));
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n");
    out.push_str("\r\n");
    out
}

fn ics_response(name: &str, sessions: &[Session]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"skillbridge.ics\"",
            ),
        ],
        ics(name, sessions),
    )
        .into_response()
}

/// `GET /calendar/me.ics`: the caller's sessions.
pub async fn my_calendar(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let sessions = service::operations::my_calendar(&state, &caller.principal).await?;
    Ok(ics_response(&caller.principal.display_name, &sessions))
}

/// `GET /calendar/instructors/{id}.ics`: for program staff and the instructor.
pub async fn instructor_calendar(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(file.trim_end_matches(".ics"), "instructor")?;
    let sessions = service::operations::instructor_calendar(&state, &caller.principal, id).await?;
    Ok(ics_response("instructor", &sessions))
}

/// `GET /calendar/venues/{id}.ics`: a venue's bookings, for everyone signed in.
pub async fn venue_calendar(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(file.trim_end_matches(".ics"), "venue")?;
    let (venue, sessions) =
        service::operations::venue_calendar(&state, &caller.principal, id).await?;
    Ok(ics_response(&venue.name, &sessions))
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/programs", Page, list)
        .post("/programs", Page, create)
        .get("/programs/new", Page, new_form)
        .get("/programs/setup", Page, setup)
        .post("/programs/setup/plans", Page, create_plan)
        .post("/programs/setup/venues", Page, create_venue)
        .post("/programs/setup/instructors", Page, create_instructor)
        .get("/programs/{id}", Page, detail)
        .get("/programs/{id}/edit", Page, edit_form)
        .post("/programs/{id}/edit", Page, update)
        .post("/programs/{id}/status", Page, set_status)
        .post("/programs/{id}/sessions", Page, add_session)
        .post("/programs/{id}/enroll", Page, enroll)
        .post("/enrollments/{id}/cancel", Page, cancel_enrollment)
        .get("/sessions/{id}", Page, session)
        .post("/sessions/{id}/code", Page, issue_code)
        .post("/sessions/{id}/roll-call", Page, roll_call)
        .post("/sessions/{id}/cancel", Page, cancel_session)
        .get("/my/learning", Page, my_learning)
        .post("/checkin", Page, check_in)
        .get("/calendar/me.ics", Page, my_calendar)
        .get("/calendar/instructors/{file}", Page, instructor_calendar)
        .get("/calendar/venues/{file}", Page, venue_calendar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ics_escapes_and_folds() {
        assert_eq!(ics_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = "SUMMARY:".to_string() + &"设".repeat(40);
        let folded = fold(&long);
        for line in folded.split("\r\n") {
            assert!(line.len() <= 75, "{} bytes", line.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), long);
    }
}
