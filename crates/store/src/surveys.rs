//! Reaction surveys: templates, surveys on sessions, answers kept apart from who
//! answered, and results per session, instructor and program.

use crate::audit::append_in;
use crate::prelude::*;
use crate::query::{one_or_not_found, row_by_code};
use crate::{DbTime, code_exists, db_error, db_error_or, on_pool};
use domain::audit::Actor;
use domain::surveys::{
    Answer, AttachInput, Comment, Dimension, DimensionResult, Question, QuestionKind,
    QuestionResult, ReactionSubject, ReactionSummary, Survey, SurveyTemplate, TemplateInput,
    validate_answers,
};
use domain::{DomainError, DomainResult};
use std::collections::HashMap;
use time::OffsetDateTime;

/// SQL (over `en`, an enrollment) that is 1 when the learner meets the survey part of
/// the completion rule and 0 otherwise: nothing asked when the program does not
/// require a survey; else they answered at least one survey of the program and every
/// survey of a held session they attended.
pub(crate) const SURVEY_CONDITION_SQL: &str = "CAST(CASE WHEN NOT (SELECT p.survey_required FROM programs p WHERE p.id = en.program_id) THEN 1 \
    WHEN EXISTS (SELECT 1 FROM survey_respondents r JOIN surveys sv ON sv.id = r.survey_id JOIN training_sessions s ON s.id = sv.session_id \
        WHERE s.program_id = en.program_id AND r.employee_id = en.employee_id) \
     AND NOT EXISTS (SELECT 1 FROM surveys sv JOIN training_sessions s ON s.id = sv.session_id \
        JOIN attendance a ON a.session_id = s.id AND a.employee_id = en.employee_id AND a.status IN ('present', 'late') \
        WHERE s.program_id = en.program_id AND s.status = 'scheduled' \
        AND NOT EXISTS (SELECT 1 FROM survey_respondents r WHERE r.survey_id = sv.id AND r.employee_id = en.employee_id)) THEN 1 \
    ELSE 0 END AS BIGINT)";

const SURVEY_SELECT: &str = "SELECT sv.id, sv.session_id, s.title AS session_title, s.program_id, p.title AS program_title, \
    t.code AS template_code, sv.title, sv.questions, sv.anonymous, sv.opens_at, sv.closes_at, \
    (SELECT COUNT(*) FROM attendance a WHERE a.session_id = sv.session_id AND a.status IN ('present', 'late')) AS invited, \
    (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = sv.id) AS responses \
    FROM surveys sv JOIN training_sessions s ON s.id = sv.session_id JOIN programs p ON p.id = s.program_id \
    JOIN survey_templates t ON t.id = sv.template_id";

#[derive(sqlx::FromRow)]
struct SurveyRow {
    id: i64,
    session_id: i64,
    session_title: String,
    program_id: i64,
    program_title: String,
    template_code: String,
    title: String,
    questions: String,
    anonymous: bool,
    opens_at: DbTime,
    closes_at: DbTime,
    invited: i64,
    responses: i64,
}

fn parse_questions(json: &str) -> DomainResult<Vec<Question>> {
    serde_json::from_str(json).map_err(|e| DomainError::internal_from("stored survey questions", e))
}

impl SurveyRow {
    fn into_survey(self) -> DomainResult<Survey> {
        Ok(Survey {
            id: self.id,
            session_id: self.session_id,
            session_title: self.session_title,
            program_id: self.program_id,
            program_title: self.program_title,
            template_code: self.template_code,
            title: self.title,
            questions: parse_questions(&self.questions)?,
            anonymous: self.anonymous,
            opens_at: self.opens_at.0,
            closes_at: self.closes_at.0,
            invited: self.invited,
            responses: self.responses,
        })
    }
}

/// The sessions a summary covers, as a clause over `s` (training_sessions) with one bind.
fn subject_clause(subject: ReactionSubject) -> (&'static str, i64) {
    match subject {
        ReactionSubject::Session(id) => ("s.id = $1", id),
        ReactionSubject::Program(id) => ("s.program_id = $1", id),
        ReactionSubject::Instructor(id) => (
            "s.id IN (SELECT si.session_id FROM training_session_instructors si WHERE si.instructor_id = $1)",
            id,
        ),
    }
}

/// A random positive 63-bit id, so response ids carry no order.
fn random_id() -> DomainResult<i64> {
    let mut buf = [0u8; 8];
    getrandom::fill(&mut buf)
        .map_err(|e| DomainError::internal_from("the random generator failed", e))?;
    Ok((u64::from_le_bytes(buf) >> 1).max(1) as i64)
}

/// (survey id, question, rating, choice, text, author when not anonymous).
type AnswerRow = (
    i64,
    i32,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl crate::Store {
    /// The surveys `tail` (a condition with one `$1` for `key`, then the order) selects.
    async fn surveys_where(&self, tail: &str, key: i64) -> DomainResult<Vec<Survey>> {
        let rows: Vec<SurveyRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!("{SURVEY_SELECT} WHERE {tail}"))
                .bind(key)
                .fetch_all(pool)
                .await
                .map_err(db_error)?
        });
        rows.into_iter().map(SurveyRow::into_survey).collect()
    }

    async fn attach_surveys(
        &self,
        sessions: &[domain::operations::Session],
        input: &AttachInput,
        actor: &Actor,
    ) -> DomainResult<Vec<i64>> {
        let code = input.template_code.trim().to_string();
        let mut windows = Vec::with_capacity(sessions.len());
        for s in sessions {
            windows.push((s, input.window(s.starts_at, s.ends_at)?));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let (template_id, title, questions, active): (i64, String, String, bool) = row_by_code(
                &mut *tx,
                "SELECT id, title, questions, active FROM survey_templates WHERE code = $1",
                &code,
                "template_code",
                "survey template",
            )
            .await?;
            if !active {
                return Err(DomainError::invalid(
                    "template_code",
                    format!("the template '{code}' is not active"),
                ));
            }
            let mut ids = Vec::new();
            for (session, (opens, closes)) in &windows {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM surveys WHERE session_id = $1")
                        .bind(session.id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_error)?;
                if exists.is_some() {
                    continue;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO surveys (session_id, template_id, title, questions, anonymous, opens_at, closes_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(session.id).bind(template_id).bind(&title).bind(&questions).bind(input.anonymous)
                .bind(DbTime(*opens)).bind(DbTime(*closes)).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?;
                let after = serde_json::json!({
                    "session_id": session.id, "template": code, "anonymous": input.anonymous,
                })
                .to_string();
                append_in!(
                    tx,
                    &actor
                        .entry("survey.attach", "survey")
                        .entity(id)
                        .change(None, Some(after))
                );
                ids.push(id);
            }
            tx.commit().await.map_err(db_error)?;
            Ok(ids)
        })
    }
}

/// Folds answers into results; questions of different surveys are the same question
/// when kind and text match.
fn summarise(
    subject: ReactionSubject,
    surveys: &[Survey],
    answers: &[AnswerRow],
    responses: i64,
) -> ReactionSummary {
    let by_id: HashMap<i64, &Survey> = surveys.iter().map(|s| (s.id, s)).collect();
    let mut questions: Vec<QuestionResult> = Vec::new();
    let mut index: HashMap<(QuestionKind, String), usize> = HashMap::new();
    for s in surveys {
        for q in &s.questions {
            index.entry((q.kind, q.text.clone())).or_insert_with(|| {
                questions.push(QuestionResult {
                    text: q.text.clone(),
                    kind: q.kind,
                    dimension: q.dimension,
                    answers: 0,
                    mean: None,
                    distribution: match q.kind {
                        QuestionKind::Rating => (1..=5).map(|r| (r.to_string(), 0)).collect(),
                        QuestionKind::Choice => q.options.iter().map(|o| (o.clone(), 0)).collect(),
                        QuestionKind::Text => Vec::new(),
                    },
                });
                questions.len() - 1
            });
        }
    }
    let mut sums: Vec<i64> = vec![0; questions.len()];
    let mut dimensions: Vec<(Dimension, i64, i64)> = Vec::new();
    let mut comments: Vec<Comment> = Vec::new();
    let (mut all_sum, mut all_count) = (0i64, 0i64);
    for (survey_id, question, rating, choice, text, author) in answers {
        let Some(q) = by_id
            .get(survey_id)
            .and_then(|s| s.questions.get(*question as usize))
        else {
            continue;
        };
        let Some(&at) = index.get(&(q.kind, q.text.clone())) else {
            continue;
        };
        let result = &mut questions[at];
        match (q.kind, rating, choice, text) {
            (QuestionKind::Rating, Some(r), _, _) if (1..=5).contains(r) => {
                result.answers += 1;
                sums[at] += i64::from(*r);
                result.distribution[(*r - 1) as usize].1 += 1;
                all_sum += i64::from(*r);
                all_count += 1;
                let dimension = q.dimension.unwrap_or(Dimension::Other);
                match dimensions.iter_mut().find(|d| d.0 == dimension) {
                    Some(d) => {
                        d.1 += i64::from(*r);
                        d.2 += 1;
                    }
                    None => dimensions.push((dimension, i64::from(*r), 1)),
                }
            }
            (QuestionKind::Choice, _, Some(c), _) => {
                result.answers += 1;
                match result.distribution.iter_mut().find(|(o, _)| o == c) {
                    Some(slot) => slot.1 += 1,
                    None => result.distribution.push((c.clone(), 1)),
                }
            }
            (QuestionKind::Text, _, _, Some(t)) => {
                result.answers += 1;
                comments.push(Comment {
                    question: q.text.clone(),
                    text: t.clone(),
                    author: author.clone(),
                });
            }
            _ => {}
        }
    }
    for (q, sum) in questions.iter_mut().zip(&sums) {
        if q.kind == QuestionKind::Rating && q.answers > 0 {
            q.mean = Some(round2(*sum as f64 / q.answers as f64));
        }
    }
    dimensions.sort_by_key(|d| {
        Dimension::ALL
            .iter()
            .position(|x| *x == d.0)
            .unwrap_or(usize::MAX)
    });
    comments.sort_by(|a, b| (&a.question, &a.text).cmp(&(&b.question, &b.text)));
    let invited: i64 = surveys.iter().map(|s| s.invited).sum();
    ReactionSummary {
        subject,
        surveys: surveys.len() as i64,
        invited,
        responses,
        response_rate: (invited > 0).then(|| round2(responses as f64 / invited as f64)),
        overall_mean: (all_count > 0).then(|| round2(all_sum as f64 / all_count as f64)),
        dimensions: dimensions
            .into_iter()
            .map(|(dimension, sum, count)| DimensionResult {
                dimension,
                answers: count,
                mean: round2(sum as f64 / count as f64),
            })
            .collect(),
        questions,
        comments,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The surveys port: every query and change of this context.
pub trait SurveyRepository {
    // ----- templates --------------------------------------------------------------

    fn list_survey_templates(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<SurveyTemplate>>> + Send;

    fn survey_template(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<SurveyTemplate>> + Send;

    /// Creates (`id` None) or replaces a template; surveys made from it keep the
    /// questions they were attached with.
    fn save_survey_template(
        &self,
        id: Option<i64>,
        input: &TemplateInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    // ----- surveys on sessions ----------------------------------------------------

    /// Attaches a survey from a template to one session; returns its id.
    fn attach_survey(
        &self,
        session_id: i64,
        input: &AttachInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Attaches a survey to every held session of a program that has none yet;
    /// returns the new survey ids.
    fn attach_program_surveys(
        &self,
        program_id: i64,
        input: &AttachInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Vec<i64>>> + Send;

    fn survey(&self, id: i64) -> impl std::future::Future<Output = DomainResult<Survey>> + Send;

    /// The surveys of a program's sessions, in session order.
    fn program_surveys(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Survey>>> + Send;

    /// Surveys of the sessions an instructor teaches, newest first.
    fn instructor_surveys(
        &self,
        instructor_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Survey>>> + Send;

    /// Open surveys the employee attended the session of and has not answered yet.
    fn surveys_to_answer(
        &self,
        employee_id: i64,
        now: OffsetDateTime,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Survey>>> + Send;

    /// Whether the employee attended the session (present or late): who may answer.
    fn attended_session(
        &self,
        session_id: i64,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    /// Whether the employee answered the survey.
    fn has_answered(
        &self,
        survey_id: i64,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    /// Records one learner's answers at `now`: only attendees of the session, only
    /// while the survey is open, only once. On an anonymous survey the response
    /// carries neither the person nor the time; who answered is kept apart.
    fn submit_survey(
        &self,
        survey_id: i64,
        employee_id: i64,
        answers: &[Answer],
        now: OffsetDateTime,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    // ----- results ----------------------------------------------------------------

    /// Reaction results of a program over the surveys of all its sessions.
    fn program_reaction(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<ReactionSummary>> + Send;

    /// Reaction results of a session, an instructor (over the sessions they teach)
    /// or a program: response rate, means per dimension and question, distributions
    /// and comments (without authors on anonymous surveys; sorted, so their order
    /// says nothing about who answered when).
    fn reaction_summary(
        &self,
        subject: ReactionSubject,
    ) -> impl std::future::Future<Output = DomainResult<ReactionSummary>> + Send;
}

impl SurveyRepository for crate::Store {
    // ----- templates --------------------------------------------------------------

    async fn list_survey_templates(&self) -> DomainResult<Vec<SurveyTemplate>> {
        let rows: Vec<(i64, String, String, String, bool, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.code, t.title, t.questions, t.active, (SELECT COUNT(*) FROM surveys sv WHERE sv.template_id = t.id) \
                 FROM survey_templates t ORDER BY t.active DESC, t.code",
            ).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(|(id, code, title, questions, active, surveys)| {
                Ok(SurveyTemplate {
                    id,
                    code,
                    title,
                    questions: parse_questions(&questions)?,
                    active,
                    surveys,
                })
            })
            .collect()
    }

    async fn survey_template(&self, id: i64) -> DomainResult<SurveyTemplate> {
        self.list_survey_templates()
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(DomainError::NotFound {
                entity: "survey template",
            })
    }

    /// Creates (`id` None) or replaces a template; surveys made from it keep the
    /// questions they were attached with.
    async fn save_survey_template(
        &self,
        id: Option<i64>,
        input: &TemplateInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let input = input.validated()?;
        let before = match id {
            Some(id) => Some(self.survey_template(id).await?),
            None => None,
        };
        let questions = serde_json::to_string(&input.questions)
            .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
        let now = DbTime(OffsetDateTime::now_utc());
        let taken = code_exists("a template", &input.code);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO survey_templates (code, title, questions, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(&input.code).bind(&input.title).bind(&questions).bind(input.active).bind(now)
                .fetch_one(&mut *tx).await.map_err(taken)?,
                Some(id) => {
                    sqlx::query("UPDATE survey_templates SET code = $2, title = $3, questions = $4, active = $5, updated_at = $6 WHERE id = $1")
                        .bind(id).bind(&input.code).bind(&input.title).bind(&questions).bind(input.active).bind(now)
                        .execute(&mut *tx).await.map_err(taken)?;
                    id
                }
            };
            let action = if before.is_some() {
                "survey.template_change"
            } else {
                "survey.template_create"
            };
            let before_json = before.as_ref().and_then(|b| serde_json::to_string(b).ok());
            append_in!(
                tx,
                &actor
                    .entry(action, "survey_template")
                    .entity(id)
                    .change(before_json, serde_json::to_string(&input).ok())
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    // ----- surveys on sessions ----------------------------------------------------

    /// Attaches a survey from a template to one session; returns its id.
    async fn attach_survey(
        &self,
        session_id: i64,
        input: &AttachInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let session = self.session(session_id).await?;
        if session.cancelled {
            return Err(DomainError::invalid("session", "the session is cancelled"));
        }
        let ids = self.attach_surveys(&[session], input, actor).await?;
        ids.first()
            .copied()
            .ok_or_else(|| DomainError::Conflict("the session already has a survey".into()))
    }

    /// Attaches a survey to every held session of a program that has none yet;
    /// returns the new survey ids.
    async fn attach_program_surveys(
        &self,
        program_id: i64,
        input: &AttachInput,
        actor: &Actor,
    ) -> DomainResult<Vec<i64>> {
        let sessions: Vec<_> = self
            .program_detail(program_id)
            .await?
            .sessions
            .into_iter()
            .filter(|s| !s.cancelled)
            .collect();
        if sessions.is_empty() {
            return Err(DomainError::invalid(
                "program",
                "the program has no sessions to survey",
            ));
        }
        self.attach_surveys(&sessions, input, actor).await
    }

    async fn survey(&self, id: i64) -> DomainResult<Survey> {
        let row: SurveyRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{SURVEY_SELECT} WHERE sv.id = $1"),
                id,
                "survey",
            )
            .await?
        });
        row.into_survey()
    }

    /// The surveys of a program's sessions, in session order.
    async fn program_surveys(&self, program_id: i64) -> DomainResult<Vec<Survey>> {
        self.surveys_where("s.program_id = $1 ORDER BY s.starts_at, sv.id", program_id)
            .await
    }

    /// Surveys of the sessions an instructor teaches, newest first.
    async fn instructor_surveys(&self, instructor_id: i64) -> DomainResult<Vec<Survey>> {
        let (clause, id) = subject_clause(ReactionSubject::Instructor(instructor_id));
        self.surveys_where(&format!("{clause} ORDER BY s.starts_at DESC, sv.id"), id)
            .await
    }

    /// Open surveys the employee attended the session of and has not answered yet.
    async fn surveys_to_answer(
        &self,
        employee_id: i64,
        now: OffsetDateTime,
    ) -> DomainResult<Vec<Survey>> {
        let rows: Vec<SurveyRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{SURVEY_SELECT} WHERE sv.opens_at <= $2 AND sv.closes_at > $2 \
                 AND EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = sv.session_id AND a.employee_id = $1 AND a.status IN ('present', 'late')) \
                 AND NOT EXISTS (SELECT 1 FROM survey_respondents r WHERE r.survey_id = sv.id AND r.employee_id = $1) \
                 ORDER BY sv.closes_at, sv.id"
            )).bind(employee_id).bind(DbTime(now))
                .fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter().map(SurveyRow::into_survey).collect()
    }

    /// Whether the employee attended the session (present or late): who may answer.
    async fn attended_session(&self, session_id: i64, employee_id: i64) -> DomainResult<bool> {
        let found: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT status FROM attendance WHERE session_id = $1 AND employee_id = $2 AND status IN ('present', 'late')")
                .bind(session_id).bind(employee_id).fetch_optional(pool).await.map_err(db_error)?
        });
        Ok(found.is_some())
    }

    /// Whether the employee answered the survey.
    async fn has_answered(&self, survey_id: i64, employee_id: i64) -> DomainResult<bool> {
        let found: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT survey_id FROM survey_respondents WHERE survey_id = $1 AND employee_id = $2")
                .bind(survey_id).bind(employee_id).fetch_optional(pool).await.map_err(db_error)?
        });
        Ok(found.is_some())
    }

    /// Records one learner's answers at `now`: only attendees of the session, only
    /// while the survey is open, only once. On an anonymous survey the response
    /// carries neither the person nor the time; who answered is kept apart.
    async fn submit_survey(
        &self,
        survey_id: i64,
        employee_id: i64,
        answers: &[Answer],
        now: OffsetDateTime,
        actor: &Actor,
    ) -> DomainResult<()> {
        let survey = self.survey(survey_id).await?;
        let answers = validate_answers(&survey.questions, answers)?;
        if !survey.is_open(now) {
            return Err(DomainError::invalid(
                "survey",
                "the survey is not open for answers now",
            ));
        }
        let response_id = random_id()?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let attended: Option<String> = sqlx::query_scalar(
                "SELECT status FROM attendance WHERE session_id = $1 AND employee_id = $2 AND status IN ('present', 'late')",
            ).bind(survey.session_id).bind(employee_id).fetch_optional(&mut *tx).await.map_err(db_error)?;
            if attended.is_none() {
                return Err(DomainError::Forbidden);
            }
            sqlx::query("INSERT INTO survey_respondents (survey_id, employee_id) VALUES ($1, $2)")
                .bind(survey_id)
                .bind(employee_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error_or(|| {
                    DomainError::Conflict("you have already answered this survey".into())
                }))?;
            let (who, when) = if survey.anonymous {
                (None, None)
            } else {
                (Some(employee_id), Some(DbTime(now)))
            };
            sqlx::query("INSERT INTO survey_responses (id, survey_id, employee_id, submitted_at) VALUES ($1, $2, $3, $4)")
                .bind(response_id).bind(survey_id).bind(who).bind(when)
                .execute(&mut *tx).await.map_err(db_error)?;
            for a in &answers {
                sqlx::query("INSERT INTO survey_answers (response_id, question, rating, choice, text) VALUES ($1, $2, $3, $4, $5)")
                    .bind(response_id).bind(a.question as i32).bind(a.rating).bind(&a.choice).bind(&a.text)
                    .execute(&mut *tx).await.map_err(db_error)?;
            }
            // The audit trail says that the person answered, never what (nor the response).
            append_in!(
                tx,
                &actor.entry("survey.answer", "survey").entity(survey_id)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    // ----- results ----------------------------------------------------------------

    /// Reaction results of a program over the surveys of all its sessions.
    async fn program_reaction(&self, program_id: i64) -> DomainResult<ReactionSummary> {
        self.reaction_summary(ReactionSubject::Program(program_id))
            .await
    }

    /// Reaction results of a session, an instructor (over the sessions they teach)
    /// or a program: response rate, means per dimension and question, distributions
    /// and comments (without authors on anonymous surveys; sorted, so their order
    /// says nothing about who answered when).
    async fn reaction_summary(&self, subject: ReactionSubject) -> DomainResult<ReactionSummary> {
        let (clause, id) = subject_clause(subject);
        let (surveys, answers, responses): (Vec<SurveyRow>, Vec<AnswerRow>, i64) = on_pool!(
            self,
            |pool| {
                let surveys = sqlx::query_as(&format!(
                    "{SURVEY_SELECT} WHERE {clause} ORDER BY s.starts_at, sv.id"
                ))
                .bind(id)
                .fetch_all(pool)
                .await
                .map_err(db_error)?;
                let answers = sqlx::query_as(&format!(
                "SELECT r.survey_id, a.question, a.rating, a.choice, a.text, CASE WHEN sv.anonymous THEN NULL ELSE e.name END \
                 FROM survey_answers a JOIN survey_responses r ON r.id = a.response_id JOIN surveys sv ON sv.id = r.survey_id \
                 JOIN training_sessions s ON s.id = sv.session_id LEFT JOIN employees e ON e.id = r.employee_id \
                 WHERE {clause}"
            )).bind(id).fetch_all(pool).await.map_err(db_error)?;
                let responses = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM survey_responses r JOIN surveys sv ON sv.id = r.survey_id \
                 JOIN training_sessions s ON s.id = sv.session_id WHERE {clause}"
            )).bind(id).fetch_one(pool).await.map_err(db_error)?;
                (surveys, answers, responses)
            }
        );
        let surveys: Vec<Survey> = surveys
            .into_iter()
            .map(SurveyRow::into_survey)
            .collect::<DomainResult<_>>()?;
        Ok(summarise(subject, &surveys, &answers, responses))
    }
}
