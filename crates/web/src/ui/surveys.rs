//! Pages of reaction surveys: templates, attaching them to sessions, answering, and the
//! reaction results of programs, sessions and instructors.

use super::PageId;
use super::{Chrome, path_id, render, xlsx_response};
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
use domain::surveys::{
    Answer, AttachInput, Dimension, Question, QuestionKind, ReactionSummary, Survey,
    SurveyTemplate, TemplateInput,
};
use domain::{DomainError, DomainResult};
use serde::Deserialize;

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
        Some(id) => Some(path_id(id, "survey template")?),
        None => None,
    };
    let (templates, editing) =
        service::surveys::survey_templates_for_editing(&state, &caller.principal, edit_id).await?;
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
                    .await?;
            templates_page(caller, templates, form, id, Some(e), String::new())
        }
        Err(e) => Err(e.into()),
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
    PageId(id): PageId,
    Form(form): Form<TemplateForm>,
) -> Result<Response, PageError> {
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
    PageId(program): PageId,
    Form(form): Form<AttachForm>,
) -> Result<Response, PageError> {
    let input = AttachInput {
        template_code: form.template_code.clone(),
        anonymous: form.anonymous.is_some(),
        opens_at: None,
        closes_at: None,
    };
    let session = match form.session_id.trim() {
        "" => None,
        session => Some(path_id(session, "session")?),
    };
    let attached = service::surveys::attach_program_surveys(
        &state,
        &caller.principal,
        program,
        session,
        &input,
        &caller.actor(),
    )
    .await?
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
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let r = service::surveys::program_reaction(&state, &caller.principal, id).await?;
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
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let r = service::surveys::session_reaction(&state, &caller.principal, id).await?;
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
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let r = service::surveys::instructor_reaction(&state, &caller.principal, id).await?;
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
    PageId(id): PageId,
) -> Result<Response, PageError> {
    let r = service::surveys::program_reaction(&state, &caller.principal, id).await?;
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
    Ok(service::surveys::survey_form(state, &caller.principal, id).await?)
}

/// `GET /surveys/{id}`: the learner's form.
pub async fn answer_form(
    State(state): State<AppState>,
    caller: PageCaller,
    PageId(id): PageId,
) -> Result<Response, PageError> {
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
    PageId(id): PageId,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
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
        Err(e) => Err(e.into()),
    }
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/surveys/templates", Page, templates)
        .post("/surveys/templates", Page, create_template)
        .post("/surveys/templates/{id}", Page, update_template)
        .post("/programs/{id}/surveys", Page, attach)
        .get("/programs/{id}/reaction", Page, program_reaction)
        .get(
            "/programs/{id}/reaction.xlsx",
            Page,
            program_reaction_export,
        )
        .get("/sessions/{id}/reaction", Page, session_reaction)
        .get("/instructors/{id}/reaction", Page, instructor_reaction)
        .get("/surveys/{id}", Page, answer_form)
        .post("/surveys/{id}", Page, submit)
}
