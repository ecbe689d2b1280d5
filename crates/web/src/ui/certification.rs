//! Pages of reaction surveys (templates, answering, results), certificates (list,
//! issue, revoke, PDF, public verification) and learning hours and credits.

use super::{Chrome, Pager, Viewer, path_id, query_string, render, xlsx_response};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::certificates::{
    Certificate, CertificateFilter, CertificateStanding, CreditLine, PositionRequirement,
    masked_name,
};
use domain::org::Department;
use domain::surveys::{
    Answer, AttachInput, Dimension, Question, QuestionKind, ReactionSummary, Survey,
    SurveyTemplate, TemplateInput,
};
use domain::{DomainError, DomainResult, Page};
use serde::Deserialize;
use service::certificates::CreditQuery;
use time::Date;

// ----- survey templates ---------------------------------------------------------------

/// The template form as typed: one question per line, `kind | text | dimension` for
/// ratings, `choice | text | option, option` and `text | text`.
#[derive(Deserialize, Default, Clone)]
pub struct TemplateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    questions: String,
    #[serde(default)]
    active: Option<String>,
}

impl TemplateForm {
    fn input(&self) -> DomainResult<TemplateInput> {
        let mut questions = Vec::new();
        for (i, line) in self
            .questions
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let field = format!("questions line {}", i + 1);
            let parts: Vec<&str> = line.splitn(3, ['|', '｜']).map(str::trim).collect();
            if parts.len() < 2 {
                return Err(DomainError::invalid(
                    field,
                    "write 'kind | question | dimension or options'",
                ));
            }
            let kind = QuestionKind::parse(parts[0])
                .map_err(|e| DomainError::invalid(&field, e.to_string()))?;
            let extra = parts.get(2).copied().unwrap_or("");
            let dimension = match kind {
                QuestionKind::Rating if !extra.is_empty() => Some(
                    Dimension::parse(extra)
                        .map_err(|e| DomainError::invalid(&field, e.to_string()))?,
                ),
                _ => None,
            };
            let options = match kind {
                QuestionKind::Choice => extra
                    .split([',', '，', '、'])
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect(),
                _ => Vec::new(),
            };
            questions.push(Question {
                text: parts[1].to_string(),
                kind,
                dimension,
                options,
            });
        }
        TemplateInput {
            code: self.code.clone(),
            title: self.title.clone(),
            questions,
            active: self.active.is_some(),
        }
        .validated()
    }

    fn from_template(t: &SurveyTemplate) -> Self {
        let lines: Vec<String> = t
            .questions
            .iter()
            .map(|q| match q.kind {
                QuestionKind::Rating => format!(
                    "rating | {} | {}",
                    q.text,
                    q.dimension.unwrap_or(Dimension::Other).code()
                ),
                QuestionKind::Choice => format!("choice | {} | {}", q.text, q.options.join(", ")),
                QuestionKind::Text => format!("text | {}", q.text),
            })
            .collect();
        Self {
            code: t.code.clone(),
            title: t.title.clone(),
            questions: lines.join("\n"),
            active: t.active.then(|| "1".to_string()),
        }
    }
}

#[derive(Template)]
#[template(path = "survey_templates.html")]
struct TemplatesPage {
    t: Tr,
    chrome: Chrome,
    templates: Vec<SurveyTemplate>,
    form: TemplateForm,
    /// The template being edited; none for a new one.
    edit_id: Option<i64>,
    error: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct TemplatesQuery {
    edit: Option<String>,
    #[serde(default)]
    done: String,
}

fn templates_page(
    caller: &PageCaller,
    templates: Vec<SurveyTemplate>,
    form: TemplateForm,
    edit_id: Option<i64>,
    error: Option<DomainError>,
    notice: String,
) -> Result<Response, PageError> {
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TemplatesPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        templates,
        form,
        edit_id,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
        notice,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /surveys/templates`: the templates and a form (`?edit=ID` fills it in).
pub async fn templates(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<TemplatesQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let edit_id = match query.edit.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => Some(path_id(id, "survey template").map_err(|e| caller.err(e))?),
        None => None,
    };
    let (templates, editing) =
        service::surveys::survey_templates_for_editing(&state, &caller.principal, edit_id)
            .await
            .map_err(|e| caller.err(e))?;
    let form = match &editing {
        Some(template) => TemplateForm::from_template(template),
        None => TemplateForm {
            active: Some("1".into()),
            questions: "rating | 课程内容 | content\nrating | 讲师表现 | instructor\ntext | 建议"
                .into(),
            ..TemplateForm::default()
        },
    };
    let notice = match query.done.as_str() {
        "" => String::new(),
        _ => t.get("surveys.saved").to_string(),
    };
    templates_page(&caller, templates, form, edit_id, None, notice)
}

/// Saves the form as a new template (`id` none) or over template `id`; a form that
/// does not read or validate is shown again with its error.
async fn save_template(
    state: &AppState,
    caller: &PageCaller,
    id: Option<i64>,
    form: TemplateForm,
) -> Result<Response, PageError> {
    let actor = caller.actor();
    let saved = match (form.input(), id) {
        (Ok(input), None) => {
            service::surveys::create_survey_template(state, &caller.principal, &input, &actor)
                .await
                .map(|_| ())
        }
        (Ok(input), Some(id)) => {
            service::surveys::update_survey_template(state, &caller.principal, id, &input, &actor)
                .await
        }
        (Err(e), _) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to("/surveys/templates?done=saved").into_response()),
        Err(e @ DomainError::Validation { .. }) => {
            // The same read as the templates page: permission, then the template edited.
            let (templates, _) =
                service::surveys::survey_templates_for_editing(state, &caller.principal, id)
                    .await
                    .map_err(|e| caller.err(e))?;
            templates_page(caller, templates, form, id, Some(e), String::new())
        }
        Err(e) => Err(caller.err(e)),
    }
}

/// `POST /surveys/templates`.
pub async fn create_template(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    save_template(&state, &caller, None, form).await
}

/// `POST /surveys/templates/{id}`.
pub async fn update_template(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "survey template").map_err(|e| caller.err(e))?;
    save_template(&state, &caller, Some(id), form).await
}

// ----- attaching surveys ----------------------------------------------------------------

#[derive(Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    template_code: String,
    #[serde(default)]
    anonymous: Option<String>,
    /// One session; empty: every session of the program.
    #[serde(default)]
    session_id: String,
}

/// `POST /programs/{id}/surveys`: a survey on one session or on every session.
pub async fn attach(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<AttachForm>,
) -> Result<Response, PageError> {
    let program = path_id(&id, "program").map_err(|e| caller.err(e))?;
    let input = AttachInput {
        template_code: form.template_code.clone(),
        anonymous: form.anonymous.is_some(),
        opens_at: None,
        closes_at: None,
    };
    let session = match form.session_id.trim() {
        "" => None,
        session => Some(path_id(session, "session").map_err(|e| caller.err(e))?),
    };
    let attached = service::surveys::attach_program_surveys(
        &state,
        &caller.principal,
        program,
        session,
        &input,
        &caller.actor(),
    )
    .await
    .map_err(|e| caller.err(e))?
    .len();
    Ok(Redirect::to(&format!("/programs/{program}?done=surveys&n={attached}")).into_response())
}

// ----- results --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reaction.html")]
struct ReactionPage {
    t: Tr,
    chrome: Chrome,
    heading: String,
    back: (String, String),
    summary: ReactionSummary,
    surveys: Vec<Survey>,
    /// Where the Excel export of these results is, if any.
    export: Option<String>,
}

fn reaction_page(
    caller: &PageCaller,
    summary: ReactionSummary,
    heading: String,
    back: (String, String),
    surveys: Vec<Survey>,
    export: Option<String>,
) -> Result<Response, PageError> {
    Ok(render(&ReactionPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        heading,
        back,
        summary,
        surveys,
        export,
    }))
}

/// `GET /programs/{id}/reaction`: program staff.
pub async fn program_reaction(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "program").map_err(|e| caller.err(e))?;
    let r = service::surveys::program_reaction(&state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))?;
    let d = &r.subject;
    reaction_page(
        &caller,
        r.summary,
        d.summary.title.clone(),
        (format!("/programs/{id}"), d.summary.code.clone()),
        r.surveys,
        Some(format!("/programs/{id}/reaction.xlsx")),
    )
}

/// `GET /sessions/{id}/reaction`: program staff and the session's instructors.
pub async fn session_reaction(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "session").map_err(|e| caller.err(e))?;
    let r = service::surveys::session_reaction(&state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))?;
    let s = &r.subject;
    reaction_page(
        &caller,
        r.summary,
        format!("{} · {}", s.program_title, s.title),
        (format!("/sessions/{id}"), s.title.clone()),
        r.surveys,
        None,
    )
}

/// `GET /instructors/{id}/reaction`: over every session the instructor taught.
pub async fn instructor_reaction(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "instructor").map_err(|e| caller.err(e))?;
    let r = service::surveys::instructor_reaction(&state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))?;
    let instructor = &r.subject;
    reaction_page(
        &caller,
        r.summary,
        instructor.name.clone(),
        ("/my/learning".into(), instructor.code.clone()),
        r.surveys,
        None,
    )
}

/// `GET /programs/{id}/reaction.xlsx`.
pub async fn program_reaction_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "program").map_err(|e| caller.err(e))?;
    let r = service::surveys::program_reaction(&state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))?;
    let bytes = reaction_workbook(Tr(caller.locale), &r.summary)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(
        bytes,
        &format!("reaction-{}.xlsx", r.subject.summary.code),
    ))
}

pub fn reaction_workbook(
    t: Tr,
    summary: &ReactionSummary,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("reaction.questions"))?;
    for (col, key) in [
        "reaction.question",
        "reaction.kind",
        "reaction.dimension",
        "reaction.answers",
        "reaction.mean",
        "reaction.distribution",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, q) in summary.questions.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &q.text)?;
        sheet.write_string(r, 1, t.get(&format!("survey.kind.{}", q.kind.code())))?;
        if let Some(d) = q.dimension {
            sheet.write_string(r, 2, t.get(&format!("survey.dimension.{}", d.code())))?;
        }
        sheet.write_number(r, 3, q.answers as f64)?;
        if let Some(mean) = q.mean {
            sheet.write_number(r, 4, mean)?;
        }
        let distribution: Vec<String> = q
            .distribution
            .iter()
            .map(|(label, n)| format!("{label}: {n}"))
            .collect();
        sheet.write_string(r, 5, distribution.join("; "))?;
    }
    let r = summary.questions.len() as u32 + 2;
    sheet.write_string_with_format(r, 0, t.get("reaction.responses"), &bold)?;
    sheet.write_number(r, 3, summary.responses as f64)?;
    sheet.write_string_with_format(r + 1, 0, t.get("reaction.invited"), &bold)?;
    sheet.write_number(r + 1, 3, summary.invited as f64)?;
    sheet.autofit();
    let comments = workbook.add_worksheet();
    comments.set_name(t.get("reaction.comments"))?;
    comments.write_string_with_format(0, 0, t.get("reaction.question"), &bold)?;
    comments.write_string_with_format(0, 1, t.get("reaction.comment"), &bold)?;
    comments.write_string_with_format(0, 2, t.get("reaction.author"), &bold)?;
    for (i, c) in summary.comments.iter().enumerate() {
        let r = i as u32 + 1;
        comments.write_string(r, 0, &c.question)?;
        comments.write_string(r, 1, &c.text)?;
        comments.write_string(r, 2, c.author.as_deref().unwrap_or(""))?;
    }
    comments.autofit();
    workbook.save_to_buffer()
}

// ----- answering ------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "survey_answer.html")]
struct AnswerPage {
    t: Tr,
    chrome: Chrome,
    survey: Survey,
    /// (question position, question, value typed so far).
    questions: Vec<(usize, Question, String)>,
    answered: bool,
    open: bool,
    error: String,
}

fn answer_page(
    caller: &PageCaller,
    form: service::surveys::SurveyForm,
    values: &[(String, String)],
    error: Option<DomainError>,
) -> Result<Response, PageError> {
    let service::surveys::SurveyForm {
        survey,
        answered,
        open,
    } = form;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let questions = survey
        .questions
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, q)| {
            let key = format!("q{i}");
            let value = values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (i, q, value)
        })
        .collect();
    let page = AnswerPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        open,
        questions,
        survey,
        answered,
        error: error.map(|e| e.to_string()).unwrap_or_default(),
    };
    Ok((status, render(&page)).into_response())
}

/// The survey form, if the caller attended its session (others get a 404, as if it
/// were not there).
async fn survey_form(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
) -> Result<service::surveys::SurveyForm, PageError> {
    service::surveys::survey_form(state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))
}

/// `GET /surveys/{id}`: the learner's form.
pub async fn answer_form(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "survey").map_err(|e| caller.err(e))?;
    let form = survey_form(&state, &caller, id).await?;
    answer_page(&caller, form, &[], None)
}

/// Reads `q<N>` fields into answers for the survey's questions.
pub fn answers_from_fields(questions: &[Question], fields: &[(String, String)]) -> Vec<Answer> {
    let mut out = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        let key = format!("q{i}");
        let Some(value) = fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
        else {
            continue;
        };
        out.push(Answer {
            question: i,
            // A score that is not a number is left out, so the check names the question.
            rating: (q.kind == QuestionKind::Rating)
                .then(|| value.parse().ok())
                .flatten(),
            choice: (q.kind == QuestionKind::Choice).then(|| value.to_string()),
            text: (q.kind == QuestionKind::Text).then(|| value.to_string()),
        });
    }
    out
}

/// `POST /surveys/{id}`: fields `q0`, `q1`, … by question position.
pub async fn submit(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "survey").map_err(|e| caller.err(e))?;
    // The questions, to read the fields by (a 404 for anybody who did not attend).
    let form = survey_form(&state, &caller, id).await?;
    let answers = answers_from_fields(&form.survey.questions, &fields);
    match service::surveys::answer_survey(&state, &caller.principal, id, &answers, &caller.actor())
        .await
    {
        Ok(()) => Ok(Redirect::to("/my/learning?done=survey").into_response()),
        Err(e @ (DomainError::Validation { .. } | DomainError::Conflict(_))) => {
            answer_page(&caller, form, &fields, Some(e))
        }
        Err(e) => Err(caller.err(e)),
    }
}

// ----- certificates ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "certificates.html")]
struct CertificatesPage {
    t: Tr,
    chrome: Chrome,
    /// (certificate, standing code).
    items: Vec<(Certificate, &'static str)>,
    q: String,
    within: String,
    program: String,
    notice: String,
    export: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct CertificatesQuery {
    q: Option<String>,
    /// Days: only certificates expiring within them.
    within: Option<String>,
    program: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl CertificatesQuery {
    fn filter(&self) -> DomainResult<CertificateFilter> {
        let number = |field: &str, v: &Option<String>| -> DomainResult<Option<i64>> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => s.parse().map(Some).map_err(|_| {
                    DomainError::invalid(field, format!("'{s}' is not a whole number"))
                }),
            }
        };
        Ok(CertificateFilter {
            q: self.q.clone(),
            program_id: number("program", &self.program)?,
            employee_id: None,
            expiring_within_days: number("within", &self.within)?,
        })
    }

    fn query_string(&self) -> String {
        query_string(&[
            ("q", self.q.clone().unwrap_or_default()),
            ("within", self.within.clone().unwrap_or_default()),
            ("program", self.program.clone().unwrap_or_default()),
        ])
    }
}

/// `GET /certificates`: program staff; filter by text, program, expiry window.
pub async fn certificates(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CertificatesQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter().map_err(|e| caller.err(e))?;
    let paged = service::certificates::list_certificates(
        &state,
        &caller.principal,
        &filter,
        Page::new(query.page, query.per_page),
    )
    .await
    .map_err(|e| caller.err(e))?;
    let today = state.today();
    let qs = query.query_string();
    let pager = Pager::new(t, &paged, "/certificates", &qs);
    let notice = match query.done.as_str() {
        "" => String::new(),
        other => t.get(&format!("cert.done.{other}")).to_string(),
    };
    Ok(render(&CertificatesPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged
            .items
            .into_iter()
            .map(|c| {
                let standing = c.standing(today).code();
                (c, standing)
            })
            .collect(),
        q: query.q.clone().unwrap_or_default(),
        within: query.within.clone().unwrap_or_default(),
        program: query.program.clone().unwrap_or_default(),
        notice,
        export: format!("/certificates/export.xlsx?{qs}"),
        pager,
    }))
}

/// `GET /certificates/export.xlsx`: the filtered list (recorded in the audit log).
pub async fn certificates_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CertificatesQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let filter = query.filter().map_err(|e| caller.err(e))?;
    let rows = service::certificates::export_certificates(
        &state,
        &caller.principal,
        &filter,
        &caller.actor(),
    )
    .await
    .map_err(|e| caller.err(e))?;
    let bytes = certificates_workbook(t, &rows, state.today())
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(bytes, "certificates.xlsx"))
}

fn certificates_workbook(
    t: Tr,
    rows: &[Certificate],
    today: Date,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("cert.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "cert.number",
        "field.employee_no",
        "field.name",
        "field.department",
        "programs.program",
        "programs.hours",
        "cert.issued_on",
        "cert.expires_on",
        "cert.standing",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, c) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.number)?;
        sheet.write_string(r, 1, &c.employee_number)?;
        sheet.write_string(r, 2, &c.employee_name)?;
        sheet.write_string(r, 3, &c.department)?;
        sheet.write_string(r, 4, format!("{} {}", c.program_code, c.program_title))?;
        sheet.write_number(r, 5, c.hours)?;
        sheet.write_string(r, 6, c.issued_on.to_string())?;
        sheet.write_string(
            r,
            7,
            c.expires_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| t.get("cert.never_expires").to_string()),
        )?;
        sheet.write_string(
            r,
            8,
            t.get(&format!("cert.standing.{}", c.standing(today).code())),
        )?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

/// `POST /enrollments/{id}/certificate`: issue by hand (a completed enrolment).
pub async fn issue(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "enrollment").map_err(|e| caller.err(e))?;
    let c =
        service::certificates::issue_certificate(&state, &caller.principal, id, &caller.actor())
            .await
            .map_err(|e| caller.err(e))?;
    Ok(Redirect::to(&format!("/certificates?done=issued&q={}", c.number)).into_response())
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    reason: String,
}

/// `POST /certificates/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    let id = path_id(&id, "certificate").map_err(|e| caller.err(e))?;
    service::certificates::revoke_certificate(
        &state,
        &caller.principal,
        id,
        &form.reason,
        &caller.actor(),
    )
    .await
    .map_err(|e| caller.err(e))?;
    Ok(Redirect::to("/certificates?done=revoked").into_response())
}

/// The public verification address of a certificate, on the server the request reached.
pub fn verify_url(headers: &HeaderMap, token: &str) -> String {
    format!(
        "{}/certificates/verify/{token}",
        super::operations::origin(headers)
    )
}

/// `GET /certificates/{id}/pdf`: for the holder and program staff (404 for others).
pub async fn pdf(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let id = path_id(&id, "certificate").map_err(|e| caller.err(e))?;
    let c = service::certificates::holder_certificate(&state, &caller.principal, id)
        .await
        .map_err(|e| caller.err(e))?;
    let url = verify_url(&headers, &c.token);
    let bytes = crate::certificate_pdf::render(
        Tr(caller.locale),
        &crate::certificate_pdf::CertificateDoc {
            certificate: &c,
            standing: c.standing(state.today()),
            verify_url: &url,
        },
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", c.number),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "certificate_verify.html")]
struct VerifyPage {
    t: Tr,
    lang: &'static str,
    found: bool,
    standing: &'static str,
    number: String,
    holder: String,
    program: String,
    issued_on: String,
    expires_on: String,
}

/// `GET /certificates/verify/{token}`: public; states whether the certificate is
/// valid, expired or revoked, with the holder's name masked.
pub async fn verify(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> Response {
    let t = Tr(viewer.locale);
    let found = service::certificates::verify_certificate(&state, &token).await;
    let page = match &found {
        Ok(c) => VerifyPage {
            t,
            lang: viewer.locale.tag(),
            found: true,
            standing: c.standing(state.today()).code(),
            number: c.number.clone(),
            holder: masked_name(&c.employee_name),
            program: c.program_title.clone(),
            issued_on: c.issued_on.to_string(),
            expires_on: c
                .expires_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| t.get("cert.never_expires").to_string()),
        },
        Err(_) => VerifyPage {
            t,
            lang: viewer.locale.tag(),
            found: false,
            standing: "",
            number: String::new(),
            holder: String::new(),
            program: String::new(),
            issued_on: String::new(),
            expires_on: String::new(),
        },
    };
    let status = if found.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, render(&page)).into_response()
}

// ----- learning hours and credits --------------------------------------------------------

#[derive(Template)]
#[template(path = "credits.html")]
struct CreditsPage {
    t: Tr,
    chrome: Chrome,
    items: Vec<CreditLine>,
    year: i32,
    q: String,
    department: String,
    below: bool,
    departments: Vec<Department>,
    /// Positions and their requirement, for program staff to edit.
    requirements: Vec<PositionRequirement>,
    can_set: bool,
    notice: String,
    export: String,
    pager: Pager,
}

#[derive(Deserialize, Default)]
pub struct CreditsQuery {
    year: Option<String>,
    q: Option<String>,
    department: Option<String>,
    below: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
    #[serde(default)]
    done: String,
}

impl CreditsQuery {
    fn filter(&self) -> DomainResult<CreditQuery> {
        let year = match self
            .year
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .map_err(|_| DomainError::invalid("year", format!("'{y}' is not a year")))?,
            ),
        };
        let department_id = match self
            .department
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(d) => Some(d.parse::<i64>().map_err(|_| {
                DomainError::invalid("department", format!("'{d}' is not a department"))
            })?),
        };
        Ok(CreditQuery {
            year,
            q: self.q.clone(),
            department_id,
            below_requirement: self.below.as_deref().is_some_and(|b| !b.is_empty()),
        })
    }
}

/// `GET /credits`: hours and credits per person for a year, within the caller's
/// training-needs scope (a manager sees their subtree).
pub async fn credits(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CreditsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let asked = query.filter().map_err(|e| caller.err(e))?;
    let overview = service::certificates::credits_overview(
        &state,
        &caller.principal,
        &asked,
        Page::new(query.page, query.per_page),
    )
    .await
    .map_err(|e| caller.err(e))?;
    let filter = overview.filter;
    let paged = overview.lines;
    let qs = query_string(&[
        ("year", filter.year.to_string()),
        ("q", query.q.clone().unwrap_or_default()),
        ("department", query.department.clone().unwrap_or_default()),
        (
            "below",
            if filter.below_requirement {
                "1".into()
            } else {
                String::new()
            },
        ),
    ]);
    let pager = Pager::new(t, &paged, "/credits", &qs);
    let can_set = overview.requirements.is_some();
    let notice = match query.done.as_str() {
        "" => String::new(),
        _ => t.get("credits.requirement_saved").to_string(),
    };
    Ok(render(&CreditsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        items: paged.items,
        year: filter.year,
        q: query.q.clone().unwrap_or_default(),
        department: query.department.clone().unwrap_or_default(),
        below: filter.below_requirement,
        departments: overview.departments,
        requirements: overview.requirements.unwrap_or_default(),
        can_set,
        notice,
        export: format!("/credits/export.xlsx?{qs}"),
        pager,
    }))
}

/// `GET /credits/export.xlsx`: the filtered report (recorded in the audit log).
pub async fn credits_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<CreditsQuery>,
) -> Result<Response, PageError> {
    let t = Tr(caller.locale);
    let asked = query.filter().map_err(|e| caller.err(e))?;
    let (filter, rows) =
        service::certificates::export_credits(&state, &caller.principal, &asked, &caller.actor())
            .await
            .map_err(|e| caller.err(e))?;
    let bytes = credits_workbook(t, &rows)
        .map_err(|e| caller.err(DomainError::internal_from("cannot build the workbook", e)))?;
    Ok(xlsx_response(
        bytes,
        &format!("credits-{}.xlsx", filter.year),
    ))
}

fn credits_workbook(t: Tr, rows: &[CreditLine]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(t.get("credits.title"))?;
    let bold = Format::new().set_bold();
    let headers = [
        "field.employee_no",
        "field.name",
        "field.department",
        "field.position",
        "credits.programs",
        "credits.hours",
        "credits.credits",
        "credits.required",
        "credits.shortfall",
    ];
    for (col, key) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, t.get(key), &bold)?;
    }
    for (i, c) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &c.employee_number)?;
        sheet.write_string(r, 1, &c.employee_name)?;
        sheet.write_string(r, 2, &c.department)?;
        sheet.write_string(r, 3, c.position.as_deref().unwrap_or(""))?;
        sheet.write_number(r, 4, c.programs as f64)?;
        sheet.write_number(r, 5, c.hours)?;
        sheet.write_number(r, 6, c.credits)?;
        if let Some(req) = c.required {
            sheet.write_number(r, 7, req)?;
        }
        sheet.write_number(r, 8, c.shortfall())?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    workbook.save_to_buffer()
}

#[derive(Deserialize)]
pub struct RequirementForm {
    #[serde(default)]
    position_code: String,
    #[serde(default)]
    annual_credits: String,
}

/// `POST /credits/requirements`: a position's yearly credits (empty clears it).
pub async fn set_requirement(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RequirementForm>,
) -> Result<Response, PageError> {
    let credits = match form.annual_credits.trim() {
        "" => None,
        text => Some(text.parse::<f64>().map_err(|_| {
            caller.err(DomainError::invalid(
                "annual_credits",
                format!("'{text}' is not a number"),
            ))
        })?),
    };
    service::certificates::set_credit_requirement(
        &state,
        &caller.principal,
        &form.position_code,
        credits,
        &caller.actor(),
    )
    .await
    .map_err(|e| caller.err(e))?;
    Ok(Redirect::to("/credits?done=requirement").into_response())
}

// ----- the learner's panel on /my/learning -------------------------------------------------

/// Surveys to answer, certificates and this year's credits, for `/my/learning`.
pub struct MyPanel {
    pub surveys: Vec<Survey>,
    /// (certificate, standing code).
    pub certificates: Vec<(Certificate, &'static str)>,
    pub credits: Option<CreditLine>,
    pub year: i32,
    /// The caller's instructor record, for the link to their results.
    pub instructor: Option<i64>,
}

impl MyPanel {
    pub async fn load(state: &AppState, caller: &PageCaller) -> Result<Self, PageError> {
        let today = state.today();
        let panel = service::certificates::learner_panel(state, &caller.principal)
            .await
            .map_err(|e| caller.err(e))?;
        Ok(MyPanel {
            surveys: panel.surveys,
            certificates: panel
                .certificates
                .into_iter()
                .map(|c| {
                    let standing = c.standing(today).code();
                    (c, standing)
                })
                .collect(),
            credits: panel.credits,
            year: panel.year,
            instructor: panel.instructor,
        })
    }

    /// Whether a certificate is still worth showing as valid.
    pub fn is_valid(standing: &str) -> bool {
        standing == CertificateStanding::Valid.code()
    }
}
