//! Exam pages: the question bank and exams for programme staff, results and their
//! Excel export, the grading queue, and the learner's own exams, papers and results.

use super::PageId;
use super::{Chrome, Pager, local_time, path_id, query_string, render, xlsx_response};
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
use domain::exams::{
    Attempt, AttemptDetail, AttemptFilter, AttemptStatus, DIFFICULTIES, Exam, ExamFilter,
    ExamInput, ExamPurpose, ExamStats, ExamStatus, GradingTask, LearningGain, MyExam, Question,
    QuestionFilter, QuestionInput, QuestionKind, option_letter, parse_difficulty,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::exams::{self as exams, visible_attempt};
use time::OffsetDateTime;

fn number(field: &str, text: &str, default: i32) -> DomainResult<i32> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(default);
    }
    text.parse()
        .map_err(|_| DomainError::invalid(field, format!("'{text}' is not a whole number")))
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

// ----- question bank --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exam_questions.html")]
struct QuestionsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<Question>,
    skills: Vec<(String, String)>,
    kinds: &'static [QuestionKind],
    difficulties: [i32; 3],
    skill: String,
    kind: String,
    difficulty: String,
    q: String,
    inactive: bool,
    notice: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct QuestionsQuery {
    #[serde(default)]
    skill: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    difficulty: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    inactive: String,
    #[serde(default)]
    done: String,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /exams/questions`: the bank, filtered by skill, kind, difficulty and text.
pub async fn questions(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<QuestionsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = (|| -> DomainResult<QuestionFilter> {
        Ok(QuestionFilter {
            skill_code: Some(query.skill.clone()),
            kind: match query.kind.trim() {
                "" => None,
                k => Some(QuestionKind::parse(k)?),
            },
            difficulty: match query.difficulty.trim() {
                "" => None,
                d => Some(parse_difficulty(d)?),
            },
            q: Some(query.q.clone()),
            include_inactive: !query.inactive.is_empty(),
        })
    })();
    let paged = exams::list_questions(
        &state,
        &caller.principal,
        filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let qs = query_string(&[
        ("skill", query.skill.clone()),
        ("kind", query.kind.clone()),
        ("difficulty", query.difficulty.clone()),
        ("q", query.q.clone()),
        ("inactive", query.inactive.clone()),
    ]);
    let pager = Pager::new(t, &paged, "/exams/questions", &qs);
    let skills = exams::skill_options(&state, &caller.principal).await?;
    let notice = match query.done.as_str() {
        "" => String::new(),
        d => t.get(&format!("exams.done.{d}")).to_string(),
    };
    Ok(render(&QuestionsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        skills,
        kinds: QuestionKind::ALL,
        difficulties: DIFFICULTIES,
        skill: query.skill,
        kind: query.kind,
        difficulty: query.difficulty,
        q: query.q,
        inactive: !query.inactive.is_empty(),
        notice,
        pager,
    }))
}

/// The question form as typed: options and answers one per line.
#[derive(Deserialize, Default, Clone)]
pub struct QuestionForm {
    #[serde(default)]
    skill_code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    difficulty: String,
    #[serde(default)]
    stem: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    answers: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    explanation: String,
}

impl QuestionForm {
    fn input(&self) -> DomainResult<QuestionInput> {
        let points = match self.points.trim() {
            "" => 1.0,
            p => p
                .parse()
                .map_err(|_| DomainError::invalid("points", format!("'{p}' is not a number")))?,
        };
        // Letters may come on one line: "A C" or "A,C".
        let kind = QuestionKind::parse(&self.kind)?;
        let answers = if kind.has_options() {
            self.answers
                .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            lines(&self.answers)
        };
        Ok(QuestionInput {
            skill_code: self.skill_code.clone(),
            kind,
            difficulty: parse_difficulty(&self.difficulty)?,
            stem: self.stem.clone(),
            options: lines(&self.options),
            answers,
            points,
            explanation: self.explanation.clone(),
        })
    }

    fn from_question(q: &Question) -> Self {
        Self {
            skill_code: q.skill_code.clone(),
            kind: q.kind.code().into(),
            difficulty: q.difficulty.to_string(),
            stem: q.stem.clone(),
            options: q.options.join("\n"),
            answers: if q.kind.has_options() {
                q.answers.join(" ")
            } else {
                q.answers.join("\n")
            },
            points: q.points.to_string(),
            explanation: q.explanation.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "exam_question_form.html")]
struct QuestionFormPage {
    t: Tr,
    chrome: Chrome,
    id: Option<i64>,
    form: QuestionForm,
    error: String,
    skills: Vec<(String, String)>,
    kinds: &'static [QuestionKind],
    difficulties: [i32; 3],
}

async fn question_form_page(
    state: &AppState,
    caller: &PageCaller,
    id: Option<i64>,
    form: QuestionForm,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let skills = exams::skill_options(state, &caller.principal).await?;
    let page = QuestionFormPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        id,
        form,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        skills,
        kinds: QuestionKind::ALL,
        difficulties: DIFFICULTIES,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /exams/questions/new`.
pub async fn new_question(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let form = QuestionForm {
        kind: "single_choice".into(),
        difficulty: "2".into(),
        points: "1".into(),
        ..QuestionForm::default()
    };
    question_form_page(&state, &caller, None, form, None).await
}

/// `POST /exams/questions`.
pub async fn create_question(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<QuestionForm>,
) -> Result<Response, PageError> {
    let saved =
        exams::create_question(&state, &caller.principal, &caller.actor(), form.input()).await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!(
            "/exams/questions?skill={}&done=saved",
            form.skill_code.trim()
        ))
        .into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            question_form_page(&state, &caller, None, form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /exams/questions/{id}/edit`.
pub async fn edit_question(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let q = exams::question(&state, &caller.principal, id).await?;
    question_form_page(
        &state,
        &caller,
        Some(id),
        QuestionForm::from_question(&q),
        None,
    )
    .await
}

/// `POST /exams/questions/{id}/edit`.
pub async fn update_question(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<QuestionForm>,
) -> Result<Response, PageError> {
    let saved =
        exams::update_question(&state, &caller.principal, &caller.actor(), id, form.input()).await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!(
            "/exams/questions?skill={}&done=saved",
            form.skill_code.trim()
        ))
        .into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            question_form_page(&state, &caller, Some(id), form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    active: String,
}

/// `POST /exams/questions/{id}/active`: deactivate (or reactivate) a question.
pub async fn set_question_active(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ActiveForm>,
) -> Result<Response, PageError> {
    let active = form.active == "1";
    let q =
        exams::set_question_active(&state, &caller.principal, &caller.actor(), id, active).await?;
    Ok(Redirect::to(&format!(
        "/exams/questions?skill={}&inactive=1&done={}",
        q.skill_code,
        if active { "activated" } else { "deactivated" }
    ))
    .into_response())
}

// ----- exams -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exams.html")]
struct ExamsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<Exam>,
    statuses: &'static [ExamStatus],
    q: String,
    status: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct ExamsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /exams`: every exam, for programme staff.
pub async fn list(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<ExamsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = (|| -> DomainResult<ExamFilter> {
        Ok(ExamFilter {
            q: Some(query.q.clone()),
            status: match query.status.trim() {
                "" => None,
                s => Some(ExamStatus::parse(s)?),
            },
            ..ExamFilter::default()
        })
    })();
    let paged = exams::list_exams(
        &state,
        &caller.principal,
        filter,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let qs = query_string(&[("q", query.q.clone()), ("status", query.status.clone())]);
    let pager = Pager::new(t, &paged, "/exams", &qs);
    Ok(render(&ExamsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        statuses: ExamStatus::ALL,
        q: query.q,
        status: query.status,
        pager,
    }))
}

/// The exam form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ExamForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    program_code: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    skill_code: String,
    #[serde(default)]
    draw_easy: String,
    #[serde(default)]
    draw_medium: String,
    #[serde(default)]
    draw_hard: String,
    #[serde(default)]
    time_limit_minutes: String,
    #[serde(default)]
    pass_mark_pct: String,
    #[serde(default)]
    max_attempts: String,
    #[serde(default)]
    retake_wait_hours: String,
}

impl ExamForm {
    fn input(&self) -> DomainResult<ExamInput> {
        Ok(ExamInput {
            code: self.code.clone(),
            title: self.title.clone(),
            program_code: Some(self.program_code.clone()),
            purpose: ExamPurpose::parse(&self.purpose)?,
            skill_code: self.skill_code.clone(),
            draw_easy: number("draw_easy", &self.draw_easy, 0)?,
            draw_medium: number("draw_medium", &self.draw_medium, 0)?,
            draw_hard: number("draw_hard", &self.draw_hard, 0)?,
            time_limit_minutes: number("time_limit_minutes", &self.time_limit_minutes, 30)?,
            pass_mark_pct: number("pass_mark_pct", &self.pass_mark_pct, 60)?,
            max_attempts: number("max_attempts", &self.max_attempts, 1)?,
            retake_wait_hours: number("retake_wait_hours", &self.retake_wait_hours, 0)?,
        })
    }

    fn from_exam(x: &Exam) -> Self {
        let i = x.to_input();
        Self {
            code: i.code,
            title: i.title,
            program_code: i.program_code.unwrap_or_default(),
            purpose: i.purpose.code().into(),
            skill_code: i.skill_code,
            draw_easy: i.draw_easy.to_string(),
            draw_medium: i.draw_medium.to_string(),
            draw_hard: i.draw_hard.to_string(),
            time_limit_minutes: i.time_limit_minutes.to_string(),
            pass_mark_pct: i.pass_mark_pct.to_string(),
            max_attempts: i.max_attempts.to_string(),
            retake_wait_hours: i.retake_wait_hours.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "exam_form.html")]
struct ExamFormPage {
    t: Tr,
    chrome: Chrome,
    id: Option<i64>,
    form: ExamForm,
    error: String,
    skills: Vec<(String, String)>,
    purposes: &'static [ExamPurpose],
}

async fn exam_form_page(
    state: &AppState,
    caller: &PageCaller,
    id: Option<i64>,
    form: ExamForm,
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let skills = exams::skill_options(state, &caller.principal).await?;
    let page = ExamFormPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        id,
        form,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        skills,
        purposes: ExamPurpose::ALL,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct NewExamQuery {
    #[serde(default)]
    program: String,
}

/// `GET /exams/new` (`?program=CODE` fills the program).
pub async fn new_form(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<NewExamQuery>,
) -> Result<Response, PageError> {
    let form = ExamForm {
        program_code: query.program,
        purpose: "final".into(),
        draw_medium: "5".into(),
        time_limit_minutes: "30".into(),
        pass_mark_pct: "60".into(),
        max_attempts: "2".into(),
        retake_wait_hours: "24".into(),
        ..ExamForm::default()
    };
    exam_form_page(&state, &caller, None, form, None).await
}

/// `POST /exams`.
pub async fn create(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ExamForm>,
) -> Result<Response, PageError> {
    let saved = exams::create_exam(&state, &caller.principal, &caller.actor(), form.input()).await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/exams/{id}?done=saved")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            exam_form_page(&state, &caller, None, form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /exams/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let exam = exams::exam_to_edit(&state, &caller.principal, id).await?;
    exam_form_page(&state, &caller, Some(id), ExamForm::from_exam(&exam), None).await
}

/// `POST /exams/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<ExamForm>,
) -> Result<Response, PageError> {
    let saved =
        exams::update_exam(&state, &caller.principal, &caller.actor(), id, form.input()).await;
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/exams/{id}?done=saved")).into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            exam_form_page(&state, &caller, Some(id), form, Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
}

/// `POST /exams/{id}/status`: publish, close or back to draft.
pub async fn set_status(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<StatusForm>,
) -> Result<Response, PageError> {
    exams::set_exam_status(&state, &caller.principal, &caller.actor(), id, &form.status).await?;
    Ok(Redirect::to(&format!("/exams/{id}?done=status")).into_response())
}

// ----- exam page with results --------------------------------------------------------------

#[derive(Template)]
#[template(path = "exam.html")]
struct ExamPage {
    t: Tr,
    chrome: Chrome,
    x: Exam,
    moves: Vec<ExamStatus>,
    bank: [usize; 3],
    stats: ExamStats,
    /// (score band label, count, bar width percent).
    bands: Vec<(String, i64, i64)>,
    items: Vec<(Attempt, String)>,
    statuses: &'static [AttemptStatus],
    status: String,
    passed: String,
    q: String,
    can_manage: bool,
    notice: String,
    export_query: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct ResultsQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl ResultsQuery {
    fn filter(&self) -> DomainResult<AttemptFilter> {
        Ok(AttemptFilter {
            status: match self.status.trim() {
                "" => None,
                s => Some(AttemptStatus::parse(s)?),
            },
            passed: match self.passed.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            q: Some(self.q.clone()),
        })
    }
}

/// `GET /exams/{id}`: the exam's rules, bank, and results (programme staff and the
/// program's instructors).
pub async fn detail(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<ResultsQuery>,
) -> Result<Response, PageError> {
    let results = exams::exam_results(
        &state,
        &caller.principal,
        id,
        query.filter(),
        Page::new(query.page, query.per_page),
    )
    .await?;
    let t = Tr(caller.locale);
    let (x, stats, paged) = (results.exam, results.stats, results.attempts);
    let qs = query_string(&[
        ("status", query.status.clone()),
        ("passed", query.passed.clone()),
        ("q", query.q.clone()),
    ]);
    let pager = Pager::new(t, &paged, &format!("/exams/{id}"), &qs);
    let most = stats.distribution.iter().copied().max().unwrap_or(0).max(1);
    let bands = stats
        .distribution
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let label = if i == 9 {
                "90–100".to_string()
            } else {
                format!("{}–{}", i * 10, i * 10 + 9)
            };
            (label, *n, n * 100 / most)
        })
        .collect();
    let items = paged
        .items
        .into_iter()
        .map(|a| {
            let at = local_time(&state, a.started_at);
            (a, at)
        })
        .collect();
    let notice = match query.done.as_str() {
        "" => String::new(),
        d => t.get(&format!("exams.done.{d}")).to_string(),
    };
    Ok(render(&ExamPage {
        t,
        chrome: Chrome::for_caller(&caller),
        bank: results.bank,
        moves: ExamStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s != x.status)
            .collect(),
        x,
        stats,
        bands,
        items,
        statuses: AttemptStatus::ALL,
        status: query.status,
        passed: query.passed,
        q: query.q,
        can_manage: exams::may_manage_exams(&caller.principal),
        notice,
        export_query: qs,
        pager,
    }))
}

/// `GET /exams/{id}/results.xlsx`: the filtered attempts as Excel.
pub async fn export(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<ResultsQuery>,
) -> Result<Response, PageError> {
    let (x, rows) = exams::all_exam_results(&state, &caller.principal, id, query.filter()).await?;
    let t = Tr(caller.locale);
    let bytes = results_workbook(t, &state, &rows)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(bytes, &format!("exam-{}.xlsx", x.code)))
}

fn results_workbook(
    t: Tr,
    state: &AppState,
    rows: &[Attempt],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("exams.results"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "field.employee_no",
        "field.name",
        "field.department",
        "exams.attempt_no",
        "exams.started_at",
        "exams.submitted_at",
        "exams.attempt_status",
        "exams.score",
        "exams.score_pct",
        "exams.passed",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, a) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &a.employee_number)?;
        sheet.write_string(r, 1, &a.employee_name)?;
        sheet.write_string(r, 2, &a.department)?;
        sheet.write_number(r, 3, f64::from(a.attempt_no))?;
        sheet.write_string(r, 4, local_time(state, a.started_at))?;
        sheet.write_string(
            r,
            5,
            a.submitted_at
                .map(|s| local_time(state, s))
                .unwrap_or_default(),
        )?;
        sheet.write_string(r, 6, t.get(&format!("attempt.status.{}", a.status.code())))?;
        if let Some(s) = a.score {
            sheet.write_number(r, 7, s)?;
        }
        if let Some(p) = a.score_pct {
            sheet.write_number(r, 8, p)?;
        }
        if let Some(p) = a.passed {
            sheet.write_string(r, 9, t.get(if p { "exams.pass" } else { "exams.fail" }))?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

// ----- grading -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "exam_grading.html")]
struct GradingPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<GradingTask>,
    notice: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct GradingQuery {
    #[serde(default)]
    done: String,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /exams/grading`: short answers waiting for the caller.
pub async fn grading(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<GradingQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let paged = exams::grading_queue(
        &state,
        &caller.principal,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let pager = Pager::new(t, &paged, "/exams/grading", "");
    let notice = match query.done.as_str() {
        "" => String::new(),
        d => t.get(&format!("exams.done.{d}")).to_string(),
    };
    Ok(render(&GradingPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        notice,
        pager,
    }))
}

#[derive(Deserialize)]
pub struct GradeForm {
    #[serde(default)]
    position: String,
    #[serde(default)]
    points: String,
}

/// `POST /attempts/{id}/grade`: scores one short answer.
pub async fn grade(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Form(form): Form<GradeForm>,
) -> Result<Response, PageError> {
    let score = number("position", &form.position, 0).and_then(|position| {
        let points: f64 = form.points.trim().parse().map_err(|_| {
            DomainError::invalid(
                "points",
                format!("'{}' is not a number", form.points.trim()),
            )
        })?;
        Ok((position, points))
    });
    exams::grade_answer(&state, &caller.principal, &caller.actor(), id, score).await?;
    Ok(Redirect::to("/exams/grading?done=graded").into_response())
}

// ----- the learner ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "my_exams.html")]
struct MyExamsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<MyExam>,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct MyExamsQuery {
    #[serde(default)]
    error: String,
}

/// `GET /my/exams`: the caller's exams, attempts and results.
pub async fn my_exams(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<MyExamsQuery>,
) -> Result<Response, PageError> {
    let items = exams::my_exams(&state, &caller.principal).await?;
    Ok(render(&MyExamsPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(&caller),
        items,
        error: query.error,
    }))
}

/// `POST /exams/{id}/start`: starts (or resumes) an attempt and opens the paper.
pub async fn start(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
    match exams::start_attempt(&state, &caller.principal, &caller.actor(), id).await {
        Ok(detail) => Ok(Redirect::to(&format!("/attempts/{}", detail.attempt.id)).into_response()),
        Err(DomainError::Validation { message, .. }) => {
            let q = query_string(&[("error", message)]);
            Ok(Redirect::to(&format!("/my/exams?{q}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One question of the paper as the template shows it.
struct PaperItem {
    position: i32,
    kind: QuestionKind,
    stem: String,
    /// (letter, text, chosen, correct)
    options: Vec<(String, String, bool, bool)>,
    /// The text typed, or `true`/`false`.
    text: String,
    answers: String,
    points: f64,
    awarded: Option<f64>,
    correct: Option<bool>,
}

#[derive(Template)]
#[template(path = "attempt.html")]
struct AttemptPage {
    t: Tr,
    chrome: Chrome,
    a: Attempt,
    own: bool,
    running: bool,
    deadline_unix: i64,
    remaining: String,
    deadline: String,
    score_text: String,
    items: Vec<PaperItem>,
    notice: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct AttemptQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    error: String,
}

fn paper_items(detail: &AttemptDetail) -> Vec<PaperItem> {
    detail
        .items
        .iter()
        .map(|item| {
            let response = item.response.clone().unwrap_or_default();
            let answers = item.answers.clone().unwrap_or_default();
            PaperItem {
                position: item.position,
                kind: item.kind,
                stem: item.stem.clone(),
                options: item
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, text)| {
                        let letter = option_letter(i);
                        (
                            letter.clone(),
                            text.clone(),
                            response.contains(&letter),
                            answers.contains(&letter),
                        )
                    })
                    .collect(),
                text: response.join("\n"),
                answers: answers.join(" / "),
                points: item.points,
                awarded: item.awarded,
                correct: item.correct(),
            }
        })
        .collect()
}

/// `GET /attempts/{id}`: the paper with the time left while running; afterwards
/// the result with each question's correctness.
pub async fn attempt(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
    Query(query): Query<AttemptQuery>,
) -> Result<Response, PageError> {
    let detail = visible_attempt(&state, &caller.principal, id).await?;
    let t = Tr(caller.locale);
    let now = OffsetDateTime::now_utc();
    let running = detail.attempt.status == AttemptStatus::InProgress;
    let left = (detail.attempt.deadline_at - now).whole_seconds().max(0);
    let notice = match query.done.as_str() {
        "" => String::new(),
        d => t.get(&format!("exams.done.{d}")).to_string(),
    };
    Ok(render(&AttemptPage {
        t,
        chrome: Chrome::for_caller(&caller),
        own: caller.principal.employee_id == Some(detail.attempt.employee_id),
        running,
        deadline_unix: detail.attempt.deadline_at.unix_timestamp(),
        remaining: format!("{:02}:{:02}", left / 60, left % 60),
        deadline: local_time(&state, detail.attempt.deadline_at),
        items: paper_items(&detail),
        score_text: format!(
            "{} / {} ({}%)",
            detail.attempt.score.unwrap_or_default(),
            detail.attempt.max_score,
            detail.attempt.score_pct.unwrap_or_default()
        ),
        a: detail.attempt,
        notice,
        error: query.error,
    }))
}

/// Reads the paper form: `q{position}` fields, repeated for multiple choice.
fn responses_of(fields: &[(String, String)]) -> Vec<(i32, Vec<String>)> {
    let mut out: Vec<(i32, Vec<String>)> = Vec::new();
    for (key, value) in fields {
        let Some(position) = key.strip_prefix('q').and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        match out.iter_mut().find(|(p, _)| *p == position) {
            Some((_, values)) => values.push(value.clone()),
            None => out.push((position, vec![value.clone()])),
        }
    }
    out
}

/// `POST /attempts/{id}/save` and `/submit`: saves the answers, and with `submit`
/// hands the paper in. The time limit is the server's: late answers are refused.
async fn save_or_submit(
    state: AppState,
    caller: PageCaller,
    id: String,
    fields: Vec<(String, String)>,
    submit: bool,
) -> Result<Response, PageError> {
    let id = path_id(&id, "attempt")?;
    let responses = responses_of(&fields);
    let (principal, actor) = (&caller.principal, &caller.actor());
    let result = if submit {
        exams::submit_attempt(&state, principal, actor, id, &responses)
            .await
            .map(|_| "submitted")
    } else {
        exams::save_answers(&state, principal, actor, id, &responses)
            .await
            .map(|_| "answers_saved")
    };
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/attempts/{id}?done={done}")).into_response()),
        Err(DomainError::Validation { field, message }) => {
            let q = query_string(&[("error", format!("{field}: {message}"))]);
            Ok(Redirect::to(&format!("/attempts/{id}?{q}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /attempts/{id}/save`.
pub async fn save(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_or_submit(state, caller, id, fields, false).await
}

/// `POST /attempts/{id}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    save_or_submit(state, caller, id, fields, true).await
}

// ----- on the program page --------------------------------------------------------------------

/// The exams part of a program's page: its exams and, for programme staff, the
/// learning gain of its pre- and post-tests.
pub struct ProgramExams {
    pub exams: Vec<Exam>,
    pub gain: Option<LearningGain>,
    pub program_code: String,
}

/// What the program page shows of exams to `caller`.
pub async fn program_exams(
    state: &AppState,
    caller: &PageCaller,
    program_id: i64,
    program_code: &str,
) -> Result<ProgramExams, PageError> {
    let found = exams::program_exams(state, &caller.principal, program_id).await?;
    Ok(ProgramExams {
        exams: found.exams,
        gain: found.gain,
        program_code: program_code.to_string(),
    })
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/exams", Page, list)
        .post("/exams", Page, create)
        .get("/exams/new", Page, new_form)
        .get("/exams/questions", Page, questions)
        .post("/exams/questions", Page, create_question)
        .get("/exams/questions/new", Page, new_question)
        .get("/exams/questions/{id}/edit", Page, edit_question)
        .post("/exams/questions/{id}/edit", Page, update_question)
        .post("/exams/questions/{id}/active", Page, set_question_active)
        .get("/exams/grading", Page, grading)
        .get("/exams/{id}", Page, detail)
        .get("/exams/{id}/edit", Page, edit_form)
        .post("/exams/{id}/edit", Page, update)
        .post("/exams/{id}/status", Page, set_status)
        .get("/exams/{id}/results.xlsx", Page, export)
        .post("/exams/{id}/start", Page, start)
        .get("/my/exams", Page, my_exams)
        .get("/attempts/{id}", Page, attempt)
        .post("/attempts/{id}/save", Page, save)
        .post("/attempts/{id}/submit", Page, submit)
        .post("/attempts/{id}/grade", Page, grade)
}
