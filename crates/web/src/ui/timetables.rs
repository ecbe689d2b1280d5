//! Scheduler pages: draft timetables (list, new, the draft with its cost breakdown,
//! conflicts and diff, moves and pins, re-solve, publish) and the working calendars.

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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::operations::Plan;
use domain::timetables::{
    CalendarBlock, CalendarBlockInput, CalendarBlockKind, TimetableFilter, TimetableMode,
    TimetableRequest, TimetableStatus, TimetableSummary,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::timetables::{ConflictView, CostLineView, DraftView, EntryChange, EntryView};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

fn date_input(field: &str, text: &str) -> DomainResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), format)
        .map_err(|_| DomainError::invalid(field, "must be a date such as 2026-03-02"))
}

// ----- list ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "timetables.html")]
struct ListPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<(TimetableSummary, String)>,
    status: String,
    plan: String,
    plans: Vec<Plan>,
    statuses: &'static [TimetableStatus],
    pager: Pager,
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    plan: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /timetables`.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let status = query.status.clone().unwrap_or_default();
    let plan = query.plan.clone().unwrap_or_default();
    let filter = TimetableFilter {
        status: match status.trim() {
            "" => None,
            s => Some(TimetableStatus::parse(s)?),
        },
        plan_code: Some(plan.clone()),
    };
    let (paged, plans) = service::timetables::timetable_list(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let qs = query_string(&[("status", status.clone()), ("plan", plan.clone())]);
    let pager = Pager::new(t, &paged, "/timetables", &qs);
    let items = paged
        .items
        .into_iter()
        .map(|s| {
            let created = local_time(&state, s.created_at);
            (s, created)
        })
        .collect();
    Ok(render(&ListPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items,
        status,
        plan,
        plans,
        statuses: TimetableStatus::ALL,
        pager,
    }))
}

// ----- new draft ------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    plan_code: String,
    #[serde(default)]
    program_code: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    time_limit_secs: String,
    #[serde(default)]
    seed: String,
}

#[derive(Template)]
#[template(path = "timetable_new.html")]
struct NewPage {
    t: Tr,
    chrome: Chrome,
    form: NewForm,
    error: String,
    plans: Vec<Plan>,
    programs: Vec<(String, String)>,
    modes: &'static [TimetableMode],
}

async fn new_page(
    state: &AppState,
    caller: &PageCaller,
    form: NewForm,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (plans, programs) =
        service::timetables::timetable_choices(state, &caller.principal).await?;
    let page = NewPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        form,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        plans,
        programs,
        modes: TimetableMode::ALL,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    program: String,
}

/// `GET /timetables/new?plan=CODE|program=CODE`: the window starts tomorrow, four weeks.
pub async fn new_form(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let from = state.today() + time::Duration::days(1);
    let form = NewForm {
        plan_code: query.plan,
        program_code: query.program,
        from: from.to_string(),
        to: (from + time::Duration::days(27)).to_string(),
        mode: "fresh".into(),
        time_limit_secs: domain::timetables::DEFAULT_TIME_LIMIT.to_string(),
        seed: "0".into(),
    };
    new_page(&state, &caller, form, None).await
}

impl NewForm {
    fn request(&self) -> DomainResult<TimetableRequest> {
        let number = |field: &str, text: &str| -> DomainResult<Option<u64>> {
            match text.trim() {
                "" => Ok(None),
                t => t.parse().map(Some).map_err(|_| {
                    DomainError::invalid(field, format!("'{t}' is not a whole number"))
                }),
            }
        };
        let limit = number("time_limit_secs", &self.time_limit_secs)?;
        TimetableRequest {
            plan_code: Some(self.plan_code.clone()),
            program_code: Some(self.program_code.clone()),
            from: date_input("from", &self.from)?,
            to: date_input("to", &self.to)?,
            mode: TimetableMode::parse(if self.mode.trim().is_empty() {
                "fresh"
            } else {
                &self.mode
            })?,
            time_limit_secs: match limit {
                Some(l) => Some(u32::try_from(l).map_err(|_| {
                    DomainError::invalid("time_limit_secs", "must be between 1 and 60 seconds")
                })?),
                None => None,
            },
            seed: number("seed", &self.seed)?,
        }
        .validated()
    }
}

/// `POST /timetables`: runs the solver and shows the draft.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<NewForm>,
) -> Result<Response, PageError> {
    let made = match form.request() {
        Ok(request) => {
            service::timetables::generate_timetable(
                &state,
                &caller.principal,
                &request,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(v) => Ok(Redirect::to(&format!("/timetables/{}", v.timetable.id)).into_response()),
        Err(e @ DomainError::Validation { .. }) => new_page(&state, &caller, form, Some(e)).await,
        Err(e) => Err(e.into()),
    }
}

// ----- the draft --------------------------------------------------------------------------

/// An entry as shown: local times and the form's start field.
struct Row {
    e: EntryView,
    focused: bool,
    time: String,
    start_field: String,
    was: String,
}

#[derive(Template)]
#[template(path = "timetable.html")]
struct DraftPage {
    t: Tr,
    chrome: Chrome,
    v: DraftView,
    days: Vec<(String, Vec<Row>)>,
    moves: Vec<Row>,
    hard_lines: Vec<CostLineView>,
    soft_lines: Vec<CostLineView>,
    conflicts: Vec<ConflictView>,
    is_draft: bool,
    created: String,
    venues: Vec<(String, String)>,
    instructors: Vec<(String, String)>,
    notice: String,
    error: String,
    /// The entry just moved or pinned, and its conflicts.
    focus: Option<i64>,
    focus_conflicts: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    entry: Option<i64>,
}

async fn draft_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    query: DraftQuery,
    failure: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let bench = service::timetables::timetable_workbench(state, &caller.principal, id).await?;
    let v = bench.view;
    let tz = state.settings.timezone;
    let hm = |x: OffsetDateTime| {
        let l = x.to_offset(tz);
        format!("{:02}:{:02}", l.hour(), l.minute())
    };
    let row = |e: &EntryView| Row {
        focused: query.entry == Some(e.session_id),
        time: format!("{}–{}", hm(e.starts_at), hm(e.ends_at)),
        start_field: local_time(state, e.starts_at).replace(' ', "T"),
        was: local_time(state, e.was_starts_at),
        e: e.clone(),
    };
    let mut days: Vec<(String, Vec<Row>)> = Vec::new();
    let mut entries = v.entries.clone();
    entries.sort_by_key(|e| (e.starts_at, e.session_id));
    for e in &entries {
        let day = e.starts_at.to_offset(tz).date();
        let label = format!(
            "{day} {}",
            t.get(&format!(
                "timetables.weekday.{}",
                day.weekday().number_from_monday()
            ))
        );
        match days.last_mut() {
            Some((l, rows)) if *l == label => rows.push(row(e)),
            _ => days.push((label, vec![row(e)])),
        }
    }
    let moves = entries.iter().filter(|e| e.changed).map(row).collect();
    let focus_conflicts = query
        .entry
        .and_then(|s| v.entries.iter().find(|e| e.session_id == s))
        .map(|e| e.conflicts.clone())
        .unwrap_or_default();
    let notice = match query.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("timetables.done.{other}")).to_string(),
    };
    let (status, error) = failure.unwrap_or((StatusCode::OK, String::new()));
    let page = DraftPage {
        t,
        chrome: Chrome::for_caller(caller),
        hard_lines: v.lines.iter().filter(|l| l.hard).cloned().collect(),
        soft_lines: v.lines.iter().filter(|l| !l.hard).cloned().collect(),
        conflicts: v.conflicts.clone(),
        is_draft: v.timetable.status == TimetableStatus::Draft,
        created: local_time(state, v.timetable.created_at),
        days,
        moves,
        venues: bench.venues,
        instructors: bench.instructors,
        notice,
        error,
        focus: query.entry,
        focus_conflicts,
        v,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /timetables/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<DraftQuery>,
) -> Result<Response, PageError> {
    draft_page(&state, &caller, id, query, None).await
}

/// A user's mistake or refusal shown on the draft page with its status; other errors
/// get the error page.
async fn draft_failure(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    error: DomainError,
) -> Result<Response, PageError> {
    let status = match &error {
        DomainError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::Conflict(_) => StatusCode::CONFLICT,
        _ => return Err(caller.err(error)),
    };
    draft_page(
        state,
        caller,
        id,
        DraftQuery::default(),
        Some((status, error.to_string())),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct EntryForm {
    /// move, pin or unpin.
    #[serde(default)]
    action: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    venue_code: Option<String>,
    #[serde(default)]
    instructor_code: Option<String>,
}

/// `POST /timetables/{id}/entries/{session_id}`: a move or a pin, then the draft with
/// that entry's conflicts on top.
pub async fn change_entry(
    State(state): State<AppState>,
    caller: PageCaller,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<EntryForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "timetable")?;
    let session = path_id(&session, "timetable entry")?;
    let change = match form.action.as_str() {
        "pin" | "unpin" => Ok(EntryChange {
            pinned: Some(form.action == "pin"),
            ..EntryChange::default()
        }),
        "move" => {
            let starts_at = match form.starts_at.trim() {
                "" => Ok(None),
                text => {
                    let format =
                        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
                    PrimitiveDateTime::parse(text, format)
                        .map(|t| Some(t.assume_offset(state.settings.timezone)))
                        .map_err(|_| {
                            DomainError::invalid(
                                "starts_at",
                                "must be a date and time such as 2026-03-02T09:00",
                            )
                        })
                }
            };
            starts_at.map(|starts_at| EntryChange {
                starts_at,
                venue_code: form.venue_code.clone(),
                instructor_code: form.instructor_code.clone(),
                pinned: None,
            })
        }
        other => Err(DomainError::invalid(
            "action",
            format!("'{other}' is not move, pin or unpin"),
        )),
    };
    let done = match change {
        Ok(change) => service::timetables::change_timetable_entry(
            &state,
            &caller.principal,
            id,
            session,
            &change,
            &caller.actor(),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/timetables/{id}?done={}&entry={session}#entry-{session}",
            if form.action == "move" {
                "moved"
            } else {
                "pinned"
            }
        ))
        .into_response()),
        Err(e) => draft_failure(&state, &caller, id, e).await,
    }
}

/// `POST /timetables/{id}/resolve`.
pub async fn resolve(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    match service::timetables::resolve_timetable(&state, &caller.principal, id, &caller.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/timetables/{id}?done=resolved")).into_response()),
        Err(e) => draft_failure(&state, &caller, id, e).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    anyway: Option<String>,
}

/// `POST /timetables/{id}/publish` (confirmed in the browser).
pub async fn publish(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    match service::timetables::publish_timetable(
        &state,
        &caller.principal,
        id,
        form.anyway.is_some(),
        &caller.actor(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/timetables/{id}?done=published")).into_response()),
        Err(e) => draft_failure(&state, &caller, id, e).await,
    }
}

/// `POST /timetables/{id}/discard` (confirmed in the browser).
pub async fn discard(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    match service::timetables::discard_timetable(&state, &caller.principal, id, &caller.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/timetables/{id}?done=discarded")).into_response()),
        Err(e) => draft_failure(&state, &caller, id, e).await,
    }
}

// ----- working calendars ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "calendar_blocks.html")]
struct BlocksPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<CalendarBlock>,
    kinds: &'static [CalendarBlockKind],
    form: BlockForm,
    error: String,
    pager: Pager,
}

#[derive(Deserialize, Default, Clone)]
pub struct BlockForm {
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    department_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    daily_from: String,
    #[serde(default)]
    daily_to: String,
}

#[derive(Deserialize)]
pub struct BlocksQuery {
    page: Option<u32>,
    per_page: Option<u32>,
}

async fn blocks_page(
    state: &AppState,
    caller: &PageCaller,
    page: Page,
    form: BlockForm,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let paged = service::timetables::list_calendar_blocks(state, &caller.principal, page).await?;
    let pager = Pager::new(t, &paged, "/calendar-blocks", "");
    let body = BlocksPage {
        t,
        chrome: Chrome::for_caller(caller),
        items: paged.items,
        kinds: CalendarBlockKind::ALL,
        form,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        pager,
    };
    Ok((status, render(&body)).into_response())
}

/// `GET /calendar-blocks`.
pub async fn blocks(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<BlocksQuery>,
) -> Result<Response, PageError> {
    blocks_page(
        &state,
        &caller,
        Page::new(query.page, query.per_page),
        BlockForm::default(),
        None,
    )
    .await
}

/// `POST /calendar-blocks`.
pub async fn create_block(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<BlockForm>,
) -> Result<Response, PageError> {
    let input = || -> DomainResult<CalendarBlockInput> {
        Ok(CalendarBlockInput {
            starts_on: date_input("starts_on", &form.starts_on)?,
            ends_on: date_input(
                "ends_on",
                if form.ends_on.trim().is_empty() {
                    &form.starts_on
                } else {
                    &form.ends_on
                },
            )?,
            department_code: Some(form.department_code.clone()),
            kind: CalendarBlockKind::parse(&form.kind)?,
            note: form.note.clone(),
            daily_from: Some(form.daily_from.clone()),
            daily_to: Some(form.daily_to.clone()),
        })
    };
    let saved = match input() {
        Ok(input) => {
            service::timetables::create_calendar_block(
                &state,
                &caller.principal,
                &input,
                &caller.actor(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/calendar-blocks").into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            blocks_page(&state, &caller, Page::default(), form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /calendar-blocks/{id}/delete` (confirmed in the browser).
pub async fn delete_block(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    service::timetables::delete_calendar_block(&state, &caller.principal, id, &caller.actor())
        .await?;
    Ok(Redirect::to("/calendar-blocks").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/timetables", Page, list)
        .post("/timetables", Page, create)
        .get("/timetables/new", Page, new_form)
        .get("/timetables/{id}", Page, detail)
        .post("/timetables/{id}/entries/{session_id}", Page, change_entry)
        .post("/timetables/{id}/resolve", Page, resolve)
        .post("/timetables/{id}/publish", Page, publish)
        .post("/timetables/{id}/discard", Page, discard)
        .get("/calendar-blocks", Page, blocks)
        .post("/calendar-blocks", Page, create_block)
        .post("/calendar-blocks/{id}/delete", Page, delete_block)
}
