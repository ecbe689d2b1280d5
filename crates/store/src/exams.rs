//! Exams: the question bank per skill, exam papers, attempts with their drawn
//! questions, automatic and manual grading, the competency assessment of a passed
//! attempt, and the learning gain of a program's pre- and post-tests.

use crate::audit::{append_in, write_audited};
use crate::org::{Own, push_scope};
use crate::query::{
    fetch_page, fetch_rows, id_by_code, one_or_not_found, paged, push_any_contains,
};
use crate::{
    DbTime, code_exists, contains_pattern, db_error, db_error_or, on_pool, search_pattern,
};
use domain::audit::Actor;
use domain::exams::{
    Attempt, AttemptDetail, AttemptFilter, AttemptItem, AttemptStatus, Bank, Exam, ExamFilter,
    ExamInput, ExamPurpose, ExamStats, ExamStatus, GRACE_SECONDS, GradingTask, LearnerGain,
    LearningGain, MyExam, Question, QuestionFilter, QuestionInput, QuestionKind, SkillGain,
    attempt_seed, auto_grade, level_for_score, normalise_response, retake_refusal, summarise_pairs,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::{HashMap, HashSet};
use time::{Duration, OffsetDateTime};

/// Who grades short answers: programme staff every exam, an instructor the exams of
/// the programs they teach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grader {
    Everyone,
    Instructor(i64),
}

/// An attempt written in one go (benchmarks, demo data, imports of paper exams):
/// the paper as drawn for it and the learner's responses; the store grades it.
#[derive(Debug, Clone)]
pub struct RecordedAttempt {
    pub employee_id: i64,
    pub attempt_no: i32,
    pub started_at: OffsetDateTime,
    pub submitted_at: OffsetDateTime,
    /// The drawn items with `response` filled.
    pub items: Vec<AttemptItem>,
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

#[derive(sqlx::FromRow)]
struct QuestionRow {
    id: i64,
    skill_code: String,
    skill_name: String,
    kind: String,
    difficulty: i32,
    stem: String,
    options: String,
    answers: String,
    points: f64,
    explanation: String,
    active: bool,
}

impl QuestionRow {
    fn into_question(self) -> DomainResult<Question> {
        Ok(Question {
            id: self.id,
            skill_code: self.skill_code,
            skill_name: self.skill_name,
            kind: QuestionKind::parse(&self.kind)?,
            difficulty: self.difficulty,
            stem: self.stem,
            options: json_list(&self.options),
            answers: json_list(&self.answers),
            points: self.points,
            explanation: self.explanation,
            active: self.active,
        })
    }
}

const QUESTION_SELECT: &str = "SELECT q.id, s.code AS skill_code, s.name AS skill_name, q.kind, q.difficulty, q.stem, q.options, \
    q.answers, q.points, q.explanation, q.active FROM exam_questions q JOIN skills s ON s.id = q.skill_id";

#[derive(sqlx::FromRow)]
struct ExamRow {
    id: i64,
    code: String,
    title: String,
    program_id: Option<i64>,
    program_code: Option<String>,
    program_title: Option<String>,
    purpose: String,
    skill_id: i64,
    skill_code: String,
    skill_name: String,
    draw_easy: i32,
    draw_medium: i32,
    draw_hard: i32,
    time_limit_minutes: i32,
    pass_mark_pct: i32,
    max_attempts: i32,
    retake_wait_hours: i32,
    status: String,
    attempts: i64,
}

impl ExamRow {
    fn into_exam(self) -> DomainResult<Exam> {
        Ok(Exam {
            id: self.id,
            code: self.code,
            title: self.title,
            program_id: self.program_id,
            program_code: self.program_code,
            program_title: self.program_title,
            purpose: ExamPurpose::parse(&self.purpose)?,
            skill_id: self.skill_id,
            skill_code: self.skill_code,
            skill_name: self.skill_name,
            draw_easy: self.draw_easy,
            draw_medium: self.draw_medium,
            draw_hard: self.draw_hard,
            time_limit_minutes: self.time_limit_minutes,
            pass_mark_pct: self.pass_mark_pct,
            max_attempts: self.max_attempts,
            retake_wait_hours: self.retake_wait_hours,
            status: ExamStatus::parse(&self.status)?,
            attempts: self.attempts,
        })
    }
}

const EXAM_SELECT: &str = "SELECT x.id, x.code, x.title, x.program_id, p.code AS program_code, p.title AS program_title, x.purpose, \
    x.skill_id, s.code AS skill_code, s.name AS skill_name, x.draw_easy, x.draw_medium, x.draw_hard, x.time_limit_minutes, \
    x.pass_mark_pct, x.max_attempts, x.retake_wait_hours, x.status, \
    (SELECT COUNT(*) FROM exam_attempts a WHERE a.exam_id = x.id) AS attempts \
    FROM exams x JOIN skills s ON s.id = x.skill_id LEFT JOIN programs p ON p.id = x.program_id";

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: i64,
    exam_id: i64,
    exam_code: String,
    exam_title: String,
    employee_id: i64,
    employee_number: String,
    employee_name: String,
    department: String,
    attempt_no: i32,
    started_at: DbTime,
    deadline_at: DbTime,
    submitted_at: Option<DbTime>,
    status: String,
    score: Option<f64>,
    max_score: f64,
    score_pct: Option<f64>,
    passed: Option<bool>,
    assessment_id: Option<i64>,
}

impl AttemptRow {
    fn into_attempt(self) -> DomainResult<Attempt> {
        Ok(Attempt {
            id: self.id,
            exam_id: self.exam_id,
            exam_code: self.exam_code,
            exam_title: self.exam_title,
            employee_id: self.employee_id,
            employee_number: self.employee_number,
            employee_name: self.employee_name,
            department: self.department,
            attempt_no: self.attempt_no,
            started_at: self.started_at.0,
            deadline_at: self.deadline_at.0,
            submitted_at: self.submitted_at.map(|t| t.0),
            status: AttemptStatus::parse(&self.status)?,
            score: self.score,
            max_score: self.max_score,
            score_pct: self.score_pct,
            passed: self.passed,
            assessment_id: self.assessment_id,
        })
    }
}

const ATTEMPT_SELECT: &str = "SELECT a.id, a.exam_id, x.code AS exam_code, x.title AS exam_title, a.employee_id, \
    e.employee_no AS employee_number, e.name AS employee_name, d.name AS department, a.attempt_no, a.started_at, a.deadline_at, \
    a.submitted_at, a.status, a.score, a.max_score, a.score_pct, a.passed, a.assessment_id \
    FROM exam_attempts a JOIN exams x ON x.id = a.exam_id JOIN employees e ON e.id = a.employee_id \
    JOIN departments d ON d.id = e.department_id";

/// (position, question id, kind, difficulty, stem, options, answers, points, response, awarded).
type ItemRow = (
    i32,
    i64,
    String,
    i32,
    String,
    String,
    String,
    f64,
    Option<String>,
    Option<f64>,
);

/// The id of the skill a question or exam is about, by its `skill_code`.
async fn skill_by_code<'e, DB, E>(executor: E, code: &'e str) -> DomainResult<i64>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    &'e str: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
{
    let sql = "SELECT id FROM skills WHERE code = $1";
    id_by_code(executor, sql, code, "skill_code", "skill").await
}

/// Binds the paper columns of an attempt item (`attempt_id, position, question_id, kind,
/// difficulty, stem, options, answers, points`) into a row of `push_values`.
fn push_paper_item<'args, DB>(
    row: &mut sqlx::query_builder::Separated<'_, 'args, DB, &'static str>,
    attempt_id: i64,
    item: &AttemptItem,
) where
    DB: sqlx::Database,
    i64: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
    i32: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
    f64: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
    &'static str: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'args, DB> + sqlx::Type<DB>,
{
    row.push_bind(attempt_id)
        .push_bind(item.position)
        .push_bind(item.question_id)
        .push_bind(item.kind.code())
        .push_bind(item.difficulty)
        .push_bind(item.stem.clone())
        .push_bind(to_json(&item.options))
        .push_bind(to_json(item.answers.as_deref().unwrap_or_default()))
        .push_bind(item.points);
}

fn item_of(row: ItemRow) -> DomainResult<AttemptItem> {
    let (
        position,
        question_id,
        kind,
        difficulty,
        stem,
        options,
        answers,
        points,
        response,
        awarded,
    ) = row;
    Ok(AttemptItem {
        position,
        question_id,
        kind: QuestionKind::parse(&kind)?,
        difficulty,
        stem,
        options: json_list(&options),
        answers: Some(json_list(&answers)),
        points,
        response: response.as_deref().map(json_list),
        awarded,
    })
}

/// Grades what can be graded of attempt `$attempt` inside `$tx` and settles it: the
/// objective items are scored; while a short answer waits for a person the attempt
/// is `grading`, otherwise `graded` with its score, and a passed attempt records a
/// competency assessment (once). Evaluates to the attempt's new status code.
macro_rules! settle_attempt_in {
    ($tx:ident, $attempt:expr, $now:expr, $actor:expr) => {{
        let attempt_id: i64 = $attempt;
        let now: OffsetDateTime = $now;
        let actor: &Actor = $actor;
        let items: Vec<(i32, String, String, f64, Option<String>, Option<f64>)> = sqlx::query_as(
            "SELECT position, kind, answers, points, response, awarded FROM exam_attempt_items WHERE attempt_id = $1 ORDER BY position",
        ).bind(attempt_id).fetch_all(&mut *$tx).await.map_err(db_error)?;
        let mut total = 0.0_f64;
        let mut waiting = false;
        for (position, kind, answers, points, response, awarded) in items {
            let kind = QuestionKind::parse(&kind)?;
            match awarded {
                Some(a) => total += a,
                None => match auto_grade(kind, &json_list(&answers), &response.as_deref().map(json_list).unwrap_or_default(), points) {
                    Some(a) => {
                        total += a;
                        sqlx::query("UPDATE exam_attempt_items SET awarded = $3, graded_at = $4 WHERE attempt_id = $1 AND position = $2")
                            .bind(attempt_id).bind(position).bind(a).bind(DbTime(now))
                            .execute(&mut *$tx).await.map_err(db_error)?;
                    }
                    // An unanswered short answer earns nothing without waiting for a person.
                    None if response.as_deref().map(json_list).unwrap_or_default().is_empty() => {
                        sqlx::query("UPDATE exam_attempt_items SET awarded = 0, graded_at = $3 WHERE attempt_id = $1 AND position = $2")
                            .bind(attempt_id).bind(position).bind(DbTime(now))
                            .execute(&mut *$tx).await.map_err(db_error)?;
                    }
                    None => waiting = true,
                },
            }
        }
        let (max_score, pass_mark, exam_code, exam_title, skill_id, levels, employee_id, attempt_no, submitted): (f64, i32, String, String, i64, i32, i64, i32, Option<DbTime>) = sqlx::query_as(
            "SELECT a.max_score, x.pass_mark_pct, x.code, x.title, x.skill_id, s.levels, a.employee_id, a.attempt_no, a.submitted_at \
             FROM exam_attempts a JOIN exams x ON x.id = a.exam_id JOIN skills s ON s.id = x.skill_id WHERE a.id = $1",
        ).bind(attempt_id).fetch_one(&mut *$tx).await.map_err(db_error)?;
        let submitted = submitted.map(|t| t.0).unwrap_or(now);
        let status = if waiting {
            sqlx::query("UPDATE exam_attempts SET status = 'grading', submitted_at = $2 WHERE id = $1")
                .bind(attempt_id).bind(DbTime(submitted)).execute(&mut *$tx).await.map_err(db_error)?;
            AttemptStatus::Grading
        } else {
            let pct = (total / max_score * 100.0).clamp(0.0, 100.0);
            let pct = (pct * 100.0).round() / 100.0;
            let passed = pct + 1e-9 >= f64::from(pass_mark);
            sqlx::query("UPDATE exam_attempts SET status = 'graded', submitted_at = $2, score = $3, score_pct = $4, passed = $5 WHERE id = $1")
                .bind(attempt_id).bind(DbTime(submitted)).bind(total).bind(pct).bind(passed)
                .execute(&mut *$tx).await.map_err(db_error)?;
            if passed {
                let existing: Option<i64> = sqlx::query_scalar("SELECT assessment_id FROM exam_attempts WHERE id = $1")
                    .bind(attempt_id).fetch_one(&mut *$tx).await.map_err(db_error)?;
                if existing.is_none() {
                    let evidence = format!("exam {exam_code} 《{exam_title}》 attempt {attempt_no}: {pct}%");
                    let assessment: i64 = sqlx::query_scalar(
                        "INSERT INTO assessments (employee_id, skill_id, level, score, method, assessor, assessed_on, evidence, created_at) \
                         VALUES ($1, $2, $3, $4, 'exam', $5, $6, $7, $8) ON CONFLICT (employee_id, skill_id, assessed_on, method) DO UPDATE SET \
                         level = CASE WHEN excluded.level > assessments.level THEN excluded.level ELSE assessments.level END, \
                         score = excluded.score, assessor = excluded.assessor, evidence = excluded.evidence RETURNING id",
                    ).bind(employee_id).bind(skill_id).bind(level_for_score(pct, levels)).bind(pct)
                        .bind(format!("exam:{exam_code}")).bind(submitted.date()).bind(&evidence).bind(DbTime(now))
                        .fetch_one(&mut *$tx).await.map_err(db_error)?;
                    sqlx::query("UPDATE exam_attempts SET assessment_id = $2 WHERE id = $1")
                        .bind(attempt_id).bind(assessment).execute(&mut *$tx).await.map_err(db_error)?;
                }
            }
            AttemptStatus::Graded
        };
        append_in!($tx, &actor.entry("exam.attempt_settle", "exam_attempt").entity(attempt_id)
            .change(None, Some(serde_json::json!({ "status": status.code(), "score": total }).to_string())));
        status
    }};
}

impl crate::Store {
    async fn save_question(
        &self,
        id: Option<i64>,
        input: &QuestionInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let input = input.validated()?;
        let before = match id {
            Some(id) => Some(self.question(id).await?),
            None => None,
        };
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let skill = skill_by_code(&mut *tx, &input.skill_code).await?;
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO exam_questions (skill_id, kind, difficulty, stem, options, answers, points, explanation, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                ).bind(skill).bind(input.kind.code()).bind(input.difficulty).bind(&input.stem).bind(to_json(&input.options))
                    .bind(to_json(&input.answers)).bind(input.points).bind(&input.explanation).bind(now)
                    .fetch_one(&mut *tx).await.map_err(db_error)?,
                Some(id) => {
                    sqlx::query(
                        "UPDATE exam_questions SET skill_id = $2, kind = $3, difficulty = $4, stem = $5, options = $6, answers = $7, \
                         points = $8, explanation = $9, updated_at = $10 WHERE id = $1",
                    ).bind(id).bind(skill).bind(input.kind.code()).bind(input.difficulty).bind(&input.stem).bind(to_json(&input.options))
                        .bind(to_json(&input.answers)).bind(input.points).bind(&input.explanation).bind(now)
                        .execute(&mut *tx).await.map_err(db_error)?;
                    id
                }
            };
            let action = if before.is_some() {
                "exam.question_change"
            } else {
                "exam.question_create"
            };
            append_in!(
                tx,
                &actor.entry(action, "exam_question").entity(id).change(
                    before.as_ref().and_then(|b| serde_json::to_string(b).ok()),
                    serde_json::to_string(&input).ok()
                )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn save_exam(
        &self,
        id: Option<i64>,
        input: &ExamInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let input = input.validated()?;
        let before = match id {
            Some(id) => Some(self.exam(id).await?),
            None => None,
        };
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let skill = skill_by_code(&mut *tx, &input.skill_code).await?;
            let program: Option<i64> = match &input.program_code {
                Some(code) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM programs WHERE code = $1",
                        code,
                        "program_code",
                        "program",
                    )
                    .await?,
                ),
                None => None,
            };
            let taken = code_exists("an exam", &input.code);
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO exams (code, title, program_id, purpose, skill_id, draw_easy, draw_medium, draw_hard, time_limit_minutes, \
                     pass_mark_pct, max_attempts, retake_wait_hours, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id",
                ).bind(&input.code).bind(&input.title).bind(program).bind(input.purpose.code()).bind(skill)
                    .bind(input.draw_easy).bind(input.draw_medium).bind(input.draw_hard).bind(input.time_limit_minutes)
                    .bind(input.pass_mark_pct).bind(input.max_attempts).bind(input.retake_wait_hours).bind(now)
                    .fetch_one(&mut *tx).await.map_err(taken)?,
                Some(id) => {
                    sqlx::query(
                        "UPDATE exams SET code = $2, title = $3, program_id = $4, purpose = $5, skill_id = $6, draw_easy = $7, draw_medium = $8, \
                         draw_hard = $9, time_limit_minutes = $10, pass_mark_pct = $11, max_attempts = $12, retake_wait_hours = $13, updated_at = $14 WHERE id = $1",
                    ).bind(id).bind(&input.code).bind(&input.title).bind(program).bind(input.purpose.code()).bind(skill)
                        .bind(input.draw_easy).bind(input.draw_medium).bind(input.draw_hard).bind(input.time_limit_minutes)
                        .bind(input.pass_mark_pct).bind(input.max_attempts).bind(input.retake_wait_hours).bind(now)
                        .execute(&mut *tx).await.map_err(taken)?;
                    id
                }
            };
            let action = if before.is_some() {
                "exam.change"
            } else {
                "exam.create"
            };
            append_in!(
                tx,
                &actor.entry(action, "exam").entity(id).change(
                    before
                        .as_ref()
                        .and_then(|b| serde_json::to_string(&b.to_input()).ok()),
                    serde_json::to_string(&input).ok()
                )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Attempt `attempt_id` of `employee_id` (anyone else's is not found), still running.
    async fn running_attempt_of(
        &self,
        attempt_id: i64,
        employee_id: i64,
    ) -> DomainResult<AttemptDetail> {
        let detail = self.attempt_raw(attempt_id).await?;
        if detail.attempt.employee_id != employee_id {
            return Err(DomainError::NotFound { entity: "attempt" });
        }
        if detail.attempt.status != AttemptStatus::InProgress {
            return Err(DomainError::invalid(
                "attempt",
                "the attempt is already submitted",
            ));
        }
        Ok(detail)
    }

    async fn attempt_raw(&self, id: i64) -> DomainResult<AttemptDetail> {
        let (row, items): (Option<AttemptRow>, Vec<ItemRow>) = on_pool!(self, |pool| {
            let row = sqlx::query_as(&format!("{ATTEMPT_SELECT} WHERE a.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            let items = sqlx::query_as(
                "SELECT position, question_id, kind, difficulty, stem, options, answers, points, response, awarded \
                 FROM exam_attempt_items WHERE attempt_id = $1 ORDER BY position",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            (row, items)
        });
        Ok(AttemptDetail {
            attempt: row
                .ok_or(DomainError::NotFound { entity: "attempt" })?
                .into_attempt()?,
            items: items
                .into_iter()
                .map(item_of)
                .collect::<DomainResult<_>>()?,
        })
    }

    /// Checks and writes responses of a running attempt.
    async fn write_responses(
        &self,
        detail: &AttemptDetail,
        responses: &[(i32, Vec<String>)],
    ) -> DomainResult<usize> {
        let attempt_id = detail.attempt.id;
        let mut normalised = Vec::with_capacity(responses.len());
        for (position, response) in responses {
            let field = format!("answers[{position}]");
            let item = detail
                .items
                .iter()
                .find(|i| i.position == *position)
                .ok_or_else(|| DomainError::invalid(&field, "the paper has no such question"))?;
            normalised.push((
                *position,
                normalise_response(&field, item.kind, item.options.len(), response)?,
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            for (position, response) in &normalised {
                sqlx::query("UPDATE exam_attempt_items SET response = $3 WHERE attempt_id = $1 AND position = $2")
                    .bind(attempt_id).bind(position).bind(to_json(response)).execute(&mut *tx).await.map_err(db_error)?;
            }
            tx.commit().await.map_err(db_error)?;
        });
        Ok(normalised.len())
    }
}

/// The exams port: every query and change of this context.
pub trait ExamRepository {
    // ----- question bank ---------------------------------------------------------

    /// Adds a question to a skill's bank.
    fn create_question(
        &self,
        input: &QuestionInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes a question; attempts already drawn keep the question as it was.
    fn update_question(
        &self,
        id: i64,
        input: &QuestionInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Deactivates (or reactivates) a question: new papers no longer draw it.
    fn set_question_active(
        &self,
        id: i64,
        active: bool,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    fn question(&self, id: i64)
    -> impl std::future::Future<Output = DomainResult<Question>> + Send;

    /// The bank, filtered by skill, kind, difficulty and stem text.
    fn list_questions(
        &self,
        filter: &QuestionFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<Question>>> + Send;

    // ----- exams -----------------------------------------------------------------

    fn create_exam(
        &self,
        input: &ExamInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes an exam's rules; attempts already taken keep their papers.
    fn update_exam(
        &self,
        id: i64,
        input: &ExamInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Publishes, closes or returns an exam to draft. Publishing checks that the
    /// bank holds enough active questions for a paper.
    fn set_exam_status(
        &self,
        id: i64,
        status: ExamStatus,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    fn exam(&self, id: i64) -> impl std::future::Future<Output = DomainResult<Exam>> + Send;

    fn exam_id(&self, code: &str) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn list_exams(
        &self,
        filter: &ExamFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<Exam>>> + Send;

    /// A program's exams, pre-tests first.
    fn program_exams(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Exam>>> + Send;

    /// The exam and its skill's active questions, from which papers are drawn.
    fn exam_bank(
        &self,
        exam_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Bank>> + Send;

    // ----- taking an exam ---------------------------------------------------------

    /// Whether `employee_id` may take the exam at all: anyone a standalone exam, the
    /// learners enrolled in (or having completed) the program its exam.
    fn may_take_exam(
        &self,
        exam: &Exam,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    /// One learner's attempts at one exam, oldest first.
    fn employee_exam_attempts(
        &self,
        exam_id: i64,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Attempt>>> + Send;

    /// Starts an attempt: draws the paper and stores it with the deadline. An
    /// attempt still running is returned instead of a new one.
    fn start_attempt(
        &self,
        exam_id: i64,
        employee_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// An attempt with its paper (answers included: the caller hides them while the
    /// attempt runs). An attempt past its deadline is submitted first.
    fn attempt(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<AttemptDetail>> + Send;

    /// Saves responses of a running attempt (position → response); refused after the
    /// deadline and its grace, and for anyone but the learner.
    fn save_responses(
        &self,
        attempt_id: i64,
        employee_id: i64,
        responses: &[(i32, Vec<String>)],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Submits an attempt, saving `responses` first when they come in time, and
    /// grades it. Past the deadline and grace the saved answers count alone.
    fn submit_attempt(
        &self,
        attempt_id: i64,
        employee_id: i64,
        responses: &[(i32, Vec<String>)],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Attempt>> + Send;

    /// Submits every running attempt past its deadline and grace with what was saved.
    fn close_expired_attempts(
        &self,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// The exams an employee can see: standalone published exams and the published
    /// exams of the programs they are enrolled in or completed, with their attempts.
    fn my_exams(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<MyExam>>> + Send;

    // ----- results and grading ------------------------------------------------------

    /// An exam's attempts of people in `scope`, newest first.
    fn exam_attempts(
        &self,
        exam_id: i64,
        filter: &AttemptFilter,
        scope: &DataScope,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<Attempt>>> + Send;

    /// Pass rate, mean and score distribution of an exam's attempts in `scope`.
    fn exam_stats(
        &self,
        exam_id: i64,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<ExamStats>> + Send;

    /// Whether an instructor (by employee id) teaches the program of an exam.
    fn teaches_exam(
        &self,
        employee_id: i64,
        exam_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    /// Short answers waiting for a grader, oldest submission first.
    fn grading_queue(
        &self,
        grader: Grader,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<GradingTask>>> + Send;

    /// Scores a short answer (0 to the question's points); when nothing else waits,
    /// the attempt's result becomes final. Returns the attempt's status.
    fn grade_item(
        &self,
        attempt_id: i64,
        position: i32,
        points: f64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<AttemptStatus>> + Send;

    // ----- learning gain and completion ---------------------------------------------

    /// The program's learning gain (Kirkpatrick level 2). For every skill with a
    /// pre-test and a post-test in the program, each learner's first graded pre-test
    /// attempt is paired with their best graded post-test attempt.
    fn learning_gain(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<LearningGain>> + Send;

    /// Enrollment ids of a program's learners with a passed attempt at one of its
    /// final exams (the completion rule when the program requires an exam).
    fn final_exam_passers(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<HashSet<i64>>> + Send;

    // ----- bulk ---------------------------------------------------------------------

    /// Writes submitted attempts of one exam in bulk (benchmarks, demo data, paper
    /// exams keyed in later): each is graded as a submission would be, short
    /// answers with a response wait for a person, passed attempts record their
    /// competency assessment. Each learner at most once per call. Returns the count.
    fn record_attempts(
        &self,
        exam_id: i64,
        attempts: &[RecordedAttempt],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;
}

impl ExamRepository for crate::Store {
    // ----- question bank ---------------------------------------------------------

    /// Adds a question to a skill's bank.
    async fn create_question(&self, input: &QuestionInput, actor: &Actor) -> DomainResult<i64> {
        self.save_question(None, input, actor).await
    }

    /// Changes a question; attempts already drawn keep the question as it was.
    async fn update_question(
        &self,
        id: i64,
        input: &QuestionInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        self.save_question(Some(id), input, actor).await.map(|_| ())
    }

    /// Deactivates (or reactivates) a question: new papers no longer draw it.
    async fn set_question_active(&self, id: i64, active: bool, actor: &Actor) -> DomainResult<()> {
        let before = self.question(id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(
                tx,
                sqlx::query("UPDATE exam_questions SET active = $2, updated_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(active)
                    .bind(DbTime(OffsetDateTime::now_utc())),
                &actor
                    .entry("exam.question_active", "exam_question")
                    .entity(id)
                    .change(
                        Some(serde_json::json!({ "active": before.active }).to_string()),
                        Some(serde_json::json!({ "active": active }).to_string())
                    )
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(())
    }

    async fn question(&self, id: i64) -> DomainResult<Question> {
        let row: QuestionRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{QUESTION_SELECT} WHERE q.id = $1"),
                id,
                "question",
            )
            .await?
        });
        row.into_question()
    }

    /// The bank, filtered by skill, kind, difficulty and stem text.
    async fn list_questions(
        &self,
        filter: &QuestionFilter,
        page: Page,
    ) -> DomainResult<Paged<Question>> {
        let (rows, total): (Vec<QuestionRow>, i64) = on_pool!(self, |pool| {
            let build = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" WHERE 1=1");
                if let Some(skill) = filter
                    .skill_code
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    qb.push(" AND s.code = ").push_bind(skill.to_string());
                }
                if let Some(kind) = filter.kind {
                    qb.push(" AND q.kind = ").push_bind(kind.code());
                }
                if let Some(d) = filter.difficulty {
                    qb.push(" AND q.difficulty = ").push_bind(d);
                }
                if let Some(q) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    qb.push(" AND LOWER(q.stem) LIKE ")
                        .push_bind(contains_pattern(q))
                        .push(" ESCAPE '\\'");
                }
                if !filter.include_inactive {
                    qb.push(" AND q.active = ").push_bind(true);
                }
            };
            let mut qb = QueryBuilder::new(QUESTION_SELECT);
            build(&mut qb);
            qb.push(" ORDER BY s.code, q.difficulty, q.id");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM exam_questions q JOIN skills s ON s.id = q.skill_id",
            );
            build(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(QuestionRow::into_question);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    // ----- exams -----------------------------------------------------------------

    async fn create_exam(&self, input: &ExamInput, actor: &Actor) -> DomainResult<i64> {
        self.save_exam(None, input, actor).await
    }

    /// Changes an exam's rules; attempts already taken keep their papers.
    async fn update_exam(&self, id: i64, input: &ExamInput, actor: &Actor) -> DomainResult<()> {
        self.save_exam(Some(id), input, actor).await.map(|_| ())
    }

    /// Publishes, closes or returns an exam to draft. Publishing checks that the
    /// bank holds enough active questions for a paper.
    async fn set_exam_status(
        &self,
        id: i64,
        status: ExamStatus,
        actor: &Actor,
    ) -> DomainResult<()> {
        let exam = self.exam(id).await?;
        if status == ExamStatus::Published {
            self.exam_bank(id).await?.check()?;
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(
                tx,
                sqlx::query("UPDATE exams SET status = $2, updated_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(status.code())
                    .bind(DbTime(OffsetDateTime::now_utc())),
                &actor.entry("exam.status", "exam").entity(id).change(
                    Some(serde_json::json!({ "status": exam.status.code() }).to_string()),
                    Some(serde_json::json!({ "status": status.code() }).to_string())
                )
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(())
    }

    async fn exam(&self, id: i64) -> DomainResult<Exam> {
        let row: ExamRow = on_pool!(self, |pool| {
            one_or_not_found(pool, &format!("{EXAM_SELECT} WHERE x.id = $1"), id, "exam").await?
        });
        row.into_exam()
    }

    async fn exam_id(&self, code: &str) -> DomainResult<i64> {
        let id: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM exams WHERE code = $1")
                .bind(code.trim())
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        id.ok_or(DomainError::NotFound { entity: "exam" })
    }

    async fn list_exams(&self, filter: &ExamFilter, page: Page) -> DomainResult<Paged<Exam>> {
        let (rows, total): (Vec<ExamRow>, i64) = on_pool!(self, |pool| {
            let build = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" WHERE 1=1");
                if let Some(pattern) = search_pattern(filter.q.as_deref()) {
                    push_any_contains(qb, &["x.code", "x.title"], &pattern);
                }
                if let Some(p) = filter.program_id {
                    qb.push(" AND x.program_id = ").push_bind(p);
                }
                if let Some(s) = filter
                    .skill_code
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    qb.push(" AND s.code = ").push_bind(s.to_string());
                }
                if let Some(st) = filter.status {
                    qb.push(" AND x.status = ").push_bind(st.code());
                }
            };
            let mut qb = QueryBuilder::new(EXAM_SELECT);
            build(&mut qb);
            qb.push(" ORDER BY x.code");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM exams x JOIN skills s ON s.id = x.skill_id",
            );
            build(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(ExamRow::into_exam);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// A program's exams, pre-tests first.
    async fn program_exams(&self, program_id: i64) -> DomainResult<Vec<Exam>> {
        let rows: Vec<ExamRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{EXAM_SELECT} WHERE x.program_id = $1 ORDER BY x.purpose DESC, x.code"
            ))
            .bind(program_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        rows.into_iter().map(ExamRow::into_exam).collect()
    }

    /// The exam and its skill's active questions, from which papers are drawn.
    async fn exam_bank(&self, exam_id: i64) -> DomainResult<Bank> {
        let exam = self.exam(exam_id).await?;
        let rows: Vec<QuestionRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{QUESTION_SELECT} WHERE q.skill_id = $1 AND q.active = $2 ORDER BY q.id"
            ))
            .bind(exam.skill_id)
            .bind(true)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        let mut by_difficulty: [Vec<Question>; 3] = Default::default();
        for row in rows {
            let q = row.into_question()?;
            if let Some(slot) = by_difficulty.get_mut((q.difficulty - 1).clamp(0, 2) as usize) {
                slot.push(q);
            }
        }
        Ok(Bank {
            exam,
            by_difficulty,
        })
    }

    // ----- taking an exam ---------------------------------------------------------

    /// Whether `employee_id` may take the exam at all: anyone a standalone exam, the
    /// learners enrolled in (or having completed) the program its exam.
    async fn may_take_exam(&self, exam: &Exam, employee_id: i64) -> DomainResult<bool> {
        let Some(program) = exam.program_id else {
            return Ok(true);
        };
        let status: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT status FROM enrollments WHERE program_id = $1 AND employee_id = $2",
            )
            .bind(program)
            .bind(employee_id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?
        });
        Ok(matches!(status.as_deref(), Some("enrolled" | "completed")))
    }

    /// One learner's attempts at one exam, oldest first.
    async fn employee_exam_attempts(
        &self,
        exam_id: i64,
        employee_id: i64,
    ) -> DomainResult<Vec<Attempt>> {
        let rows: Vec<AttemptRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{ATTEMPT_SELECT} WHERE a.exam_id = $1 AND a.employee_id = $2 ORDER BY a.attempt_no"
            ))
            .bind(exam_id)
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        rows.into_iter().map(AttemptRow::into_attempt).collect()
    }

    /// Starts an attempt: draws the paper and stores it with the deadline. An
    /// attempt still running is returned instead of a new one.
    async fn start_attempt(
        &self,
        exam_id: i64,
        employee_id: i64,
        actor: &Actor,
    ) -> DomainResult<i64> {
        self.close_expired_attempts(actor).await?;
        let bank = self.exam_bank(exam_id).await?;
        let exam = &bank.exam;
        if !self.may_take_exam(exam, employee_id).await? {
            return Err(DomainError::Forbidden);
        }
        let attempts = self.employee_exam_attempts(exam_id, employee_id).await?;
        if let Some(open) = attempts
            .iter()
            .find(|a| a.status == AttemptStatus::InProgress)
        {
            return Ok(open.id);
        }
        let now = OffsetDateTime::now_utc();
        if let Some(reason) = retake_refusal(exam, &attempts, now) {
            return Err(DomainError::invalid("exam", reason));
        }
        let attempt_no = attempts.len() as i32 + 1;
        let seed = attempt_seed(exam_id, employee_id, attempt_no);
        let items = bank.draw(seed)?;
        let max_score: f64 = items.iter().map(|i| i.points).sum();
        let deadline = now + Duration::minutes(i64::from(exam.time_limit_minutes));
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO exam_attempts (exam_id, employee_id, attempt_no, seed, started_at, deadline_at, max_score) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            ).bind(exam_id).bind(employee_id).bind(attempt_no).bind(seed).bind(DbTime(now)).bind(DbTime(deadline)).bind(max_score)
                .fetch_one(&mut *tx).await
                // Two starts at once: the other one won.
                .map_err(db_error_or(|| DomainError::Conflict("an attempt was started at the same time; reload".into())))?;
            let mut qb = QueryBuilder::new(
                "INSERT INTO exam_attempt_items (attempt_id, position, question_id, kind, difficulty, stem, options, answers, points) ",
            );
            qb.push_values(&items, |mut row, item| push_paper_item(&mut row, id, item));
            write_audited!(tx, qb.build(), &actor.entry("exam.attempt_start", "exam_attempt").entity(id)
                .change(None, Some(serde_json::json!({ "exam_id": exam_id, "employee_id": employee_id, "attempt_no": attempt_no, "seed": seed }).to_string())));
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// An attempt with its paper (answers included: the caller hides them while the
    /// attempt runs). An attempt past its deadline is submitted first.
    async fn attempt(&self, id: i64) -> DomainResult<AttemptDetail> {
        let mut detail = self.attempt_raw(id).await?;
        if detail.attempt.status == AttemptStatus::InProgress
            && OffsetDateTime::now_utc()
                > detail.attempt.deadline_at + Duration::seconds(GRACE_SECONDS)
        {
            self.submit_attempt(id, detail.attempt.employee_id, &[], &Actor::system())
                .await?;
            detail = self.attempt_raw(id).await?;
        }
        Ok(detail)
    }

    /// Saves responses of a running attempt (position → response); refused after the
    /// deadline and its grace, and for anyone but the learner.
    async fn save_responses(
        &self,
        attempt_id: i64,
        employee_id: i64,
        responses: &[(i32, Vec<String>)],
        actor: &Actor,
    ) -> DomainResult<usize> {
        let detail = self.running_attempt_of(attempt_id, employee_id).await?;
        if OffsetDateTime::now_utc() > detail.attempt.deadline_at + Duration::seconds(GRACE_SECONDS)
        {
            self.submit_attempt(attempt_id, employee_id, &[], actor)
                .await?;
            return Err(DomainError::invalid(
                "attempt",
                "the time is up: the attempt was submitted with the answers saved before the deadline",
            ));
        }
        self.write_responses(&detail, responses).await
    }

    /// Submits an attempt, saving `responses` first when they come in time, and
    /// grades it. Past the deadline and grace the saved answers count alone.
    async fn submit_attempt(
        &self,
        attempt_id: i64,
        employee_id: i64,
        responses: &[(i32, Vec<String>)],
        actor: &Actor,
    ) -> DomainResult<Attempt> {
        let detail = self.running_attempt_of(attempt_id, employee_id).await?;
        let now = OffsetDateTime::now_utc();
        let late = now > detail.attempt.deadline_at + Duration::seconds(GRACE_SECONDS);
        if !responses.is_empty() && !late {
            self.write_responses(&detail, responses).await?;
        }
        let submitted = if late {
            detail.attempt.deadline_at
        } else {
            now
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // Only one submission wins; a second sees the status already moved.
            let moved = sqlx::query("UPDATE exam_attempts SET submitted_at = $2, status = 'grading' WHERE id = $1 AND status = 'in_progress'")
                .bind(attempt_id).bind(DbTime(submitted)).execute(&mut *tx).await.map_err(db_error)?;
            if moved.rows_affected() == 0 {
                return Err(DomainError::invalid(
                    "attempt",
                    "the attempt is already submitted",
                ));
            }
            settle_attempt_in!(tx, attempt_id, now, actor);
            tx.commit().await.map_err(db_error)?;
        });
        Ok(self.attempt_raw(attempt_id).await?.attempt)
    }

    /// Submits every running attempt past its deadline and grace with what was saved.
    async fn close_expired_attempts(&self, actor: &Actor) -> DomainResult<usize> {
        let cutoff = OffsetDateTime::now_utc() - Duration::seconds(GRACE_SECONDS);
        let expired: Vec<(i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, employee_id FROM exam_attempts WHERE status = 'in_progress' AND deadline_at < $1")
                .bind(DbTime(cutoff)).fetch_all(pool).await.map_err(db_error)?
        });
        let mut closed = 0;
        for (id, employee) in expired {
            match self.submit_attempt(id, employee, &[], actor).await {
                Ok(_) => closed += 1,
                // Submitted meanwhile by the learner.
                Err(DomainError::Validation { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }

    /// The exams an employee can see: standalone published exams and the published
    /// exams of the programs they are enrolled in or completed, with their attempts.
    async fn my_exams(&self, employee_id: i64) -> DomainResult<Vec<MyExam>> {
        self.close_expired_attempts(&Actor::system()).await?;
        let rows: Vec<ExamRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{EXAM_SELECT} WHERE x.status <> 'draft' AND (x.program_id IS NULL OR x.program_id IN \
                 (SELECT program_id FROM enrollments WHERE employee_id = $1 AND status IN ('enrolled', 'completed'))) \
                 AND (x.status = 'published' OR EXISTS (SELECT 1 FROM exam_attempts a WHERE a.exam_id = x.id AND a.employee_id = $1)) \
                 ORDER BY x.code"
            )).bind(employee_id).fetch_all(pool).await.map_err(db_error)?
        });
        let attempt_rows: Vec<AttemptRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{ATTEMPT_SELECT} WHERE a.employee_id = $1 ORDER BY a.attempt_no"
            ))
            .bind(employee_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        let mut by_exam: HashMap<i64, Vec<Attempt>> = HashMap::new();
        for row in attempt_rows {
            let a = row.into_attempt()?;
            by_exam.entry(a.exam_id).or_default().push(a);
        }
        let now = OffsetDateTime::now_utc();
        let mut out = Vec::new();
        for row in rows {
            let exam = row.into_exam()?;
            let attempts = by_exam.remove(&exam.id).unwrap_or_default();
            let running = attempts
                .iter()
                .any(|a| a.status == AttemptStatus::InProgress);
            let reason = if running {
                None
            } else {
                retake_refusal(&exam, &attempts, now)
            };
            out.push(MyExam {
                can_start: reason.is_none(),
                reason,
                exam,
                attempts,
            });
        }
        Ok(out)
    }

    // ----- results and grading ------------------------------------------------------

    /// An exam's attempts of people in `scope`, newest first.
    async fn exam_attempts(
        &self,
        exam_id: i64,
        filter: &AttemptFilter,
        scope: &DataScope,
        page: Page,
    ) -> DomainResult<Paged<Attempt>> {
        self.close_expired_attempts(&Actor::system()).await?;
        let (rows, total): (Vec<AttemptRow>, i64) = on_pool!(self, |pool| {
            let build = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" WHERE a.exam_id = ")
                    .push_bind(exam_id)
                    .push(" AND ");
                push_scope(qb, scope, "d.path", Own::EmployeeIn("e.id"));
                if let Some(s) = filter.status {
                    qb.push(" AND a.status = ").push_bind(s.code());
                }
                if let Some(p) = filter.passed {
                    qb.push(" AND a.passed = ").push_bind(p);
                }
                if let Some(pattern) = search_pattern(filter.q.as_deref()) {
                    push_any_contains(qb, &["e.employee_no", "e.name"], &pattern);
                }
            };
            let mut qb = QueryBuilder::new(ATTEMPT_SELECT);
            build(&mut qb);
            qb.push(" ORDER BY a.started_at DESC, a.id DESC");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM exam_attempts a JOIN employees e ON e.id = a.employee_id JOIN departments d ON d.id = e.department_id",
            );
            build(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(AttemptRow::into_attempt);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// Pass rate, mean and score distribution of an exam's attempts in `scope`.
    async fn exam_stats(&self, exam_id: i64, scope: &DataScope) -> DomainResult<ExamStats> {
        let rows: Vec<(String, Option<f64>, Option<bool>)> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT a.status, a.score_pct, a.passed FROM exam_attempts a JOIN employees e ON e.id = a.employee_id \
                JOIN departments d ON d.id = e.department_id WHERE a.exam_id = ",
            );
            qb.push_bind(exam_id).push(" AND ");
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            fetch_rows(pool, &mut qb).await?
        });
        let mut stats = ExamStats {
            attempts: rows.len() as i64,
            ..ExamStats::default()
        };
        let mut sum = 0.0;
        for (status, pct, passed) in rows {
            match status.as_str() {
                "graded" => {
                    stats.graded += 1;
                    let pct = pct.unwrap_or(0.0);
                    sum += pct;
                    stats.distribution[((pct / 10.0).floor() as usize).min(9)] += 1;
                    if passed == Some(true) {
                        stats.passed += 1;
                    }
                }
                "grading" => stats.waiting_for_grading += 1,
                _ => {}
            }
        }
        if stats.graded > 0 {
            stats.mean_pct = Some((sum / stats.graded as f64 * 10.0).round() / 10.0);
            stats.pass_rate_pct =
                Some((stats.passed as f64 * 1000.0 / stats.graded as f64).round() / 10.0);
        }
        Ok(stats)
    }

    /// Whether an instructor (by employee id) teaches the program of an exam.
    async fn teaches_exam(&self, employee_id: i64, exam_id: i64) -> DomainResult<bool> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM exams x JOIN program_instructors pi ON pi.program_id = x.program_id \
                 JOIN instructors i ON i.id = pi.instructor_id WHERE x.id = $1 AND i.employee_id = $2",
            ).bind(exam_id).bind(employee_id).fetch_one(pool).await.map_err(db_error)?
        });
        Ok(n > 0)
    }

    /// Short answers waiting for a grader, oldest submission first.
    async fn grading_queue(&self, grader: Grader, page: Page) -> DomainResult<Paged<GradingTask>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            attempt_id: i64,
            position: i32,
            exam_code: String,
            exam_title: String,
            employee_number: String,
            employee_name: String,
            stem: String,
            answers: String,
            response: Option<String>,
            points: f64,
        }
        let (rows, total): (Vec<Row>, i64) = on_pool!(self, |pool| {
            let build = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" FROM exam_attempt_items it JOIN exam_attempts a ON a.id = it.attempt_id JOIN exams x ON x.id = a.exam_id \
                          JOIN employees e ON e.id = a.employee_id WHERE a.status = 'grading' AND it.awarded IS NULL");
                if let Grader::Instructor(employee) = grader {
                    qb.push(" AND x.program_id IN (SELECT pi.program_id FROM program_instructors pi JOIN instructors i ON i.id = pi.instructor_id WHERE i.employee_id = ")
                        .push_bind(employee).push(")");
                }
            };
            let mut qb = QueryBuilder::new(
                "SELECT it.attempt_id, it.position, x.code AS exam_code, x.title AS exam_title, e.employee_no AS employee_number, \
                 e.name AS employee_name, it.stem, it.answers, it.response, it.points",
            );
            build(&mut qb);
            qb.push(" ORDER BY a.submitted_at, it.attempt_id, it.position");
            let mut count = QueryBuilder::new("SELECT COUNT(*)");
            build(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(|row| GradingTask {
            attempt_id: row.attempt_id,
            position: row.position,
            exam_code: row.exam_code,
            exam_title: row.exam_title,
            employee_number: row.employee_number,
            employee_name: row.employee_name,
            stem: row.stem,
            answers: json_list(&row.answers),
            response: row.response.as_deref().map(json_list).unwrap_or_default(),
            points: row.points,
        });
        Ok(paged(page, total, items.collect()))
    }

    /// Scores a short answer (0 to the question's points); when nothing else waits,
    /// the attempt's result becomes final. Returns the attempt's status.
    async fn grade_item(
        &self,
        attempt_id: i64,
        position: i32,
        points: f64,
        actor: &Actor,
    ) -> DomainResult<AttemptStatus> {
        let detail = self.attempt_raw(attempt_id).await?;
        let item = detail
            .items
            .iter()
            .find(|i| i.position == position)
            .ok_or(DomainError::NotFound { entity: "question" })?;
        if !item.kind.graded_by_person() {
            return Err(DomainError::invalid(
                "position",
                "only short answers are graded by a person",
            ));
        }
        if detail.attempt.status == AttemptStatus::InProgress {
            return Err(DomainError::invalid(
                "attempt",
                "the attempt is not submitted yet",
            ));
        }
        if detail.attempt.status == AttemptStatus::Graded {
            return Err(DomainError::invalid(
                "attempt",
                "the attempt's result is final",
            ));
        }
        if !points.is_finite() || points < 0.0 || points > item.points + 1e-9 {
            return Err(DomainError::invalid(
                "points",
                format!("must be between 0 and {}", item.points),
            ));
        }
        let now = OffsetDateTime::now_utc();
        let status = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(tx, sqlx::query("UPDATE exam_attempt_items SET awarded = $3, graded_by = $4, graded_at = $5 WHERE attempt_id = $1 AND position = $2")
                .bind(attempt_id).bind(position).bind(points).bind(actor.user_id).bind(DbTime(now)), &actor
                    .entry("exam.grade", "exam_attempt")
                    .entity(attempt_id)
                    .change(
                        item.awarded
                            .map(|a| serde_json::json!({ "position": position, "points": a })
                                .to_string()),
                        Some(
                            serde_json::json!({ "position": position, "points": points })
                                .to_string()
                        )
                    ));
            let status = settle_attempt_in!(tx, attempt_id, now, actor);
            tx.commit().await.map_err(db_error)?;
            status
        });
        Ok(status)
    }

    // ----- learning gain and completion ---------------------------------------------

    /// The program's learning gain (Kirkpatrick level 2). For every skill with a
    /// pre-test and a post-test in the program, each learner's first graded pre-test
    /// attempt is paired with their best graded post-test attempt.
    async fn learning_gain(&self, program_id: i64) -> DomainResult<LearningGain> {
        let exams = self.program_exams(program_id).await?;
        // (skill, employee, purpose, attempt_no, pct, number, name)
        type Row = (i64, i64, String, i32, f64, String, String);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT x.skill_id, a.employee_id, x.purpose, a.attempt_no, a.score_pct, e.employee_no, e.name \
                 FROM exam_attempts a JOIN exams x ON x.id = a.exam_id JOIN employees e ON e.id = a.employee_id \
                 WHERE x.program_id = $1 AND x.purpose IN ('pre_test', 'post_test') AND a.status = 'graded' \
                 ORDER BY a.employee_id, a.attempt_no",
            ).bind(program_id).fetch_all(pool).await.map_err(db_error)?
        });
        let mut skills: Vec<SkillGain> = Vec::new();
        let mut learners: Vec<LearnerGain> = Vec::new();
        let mut all_pairs: Vec<(f64, f64)> = Vec::new();
        let mut seen_skills = HashSet::new();
        for pre_exam in exams.iter().filter(|x| x.purpose == ExamPurpose::PreTest) {
            let Some(post_exam) = exams
                .iter()
                .find(|x| x.purpose == ExamPurpose::PostTest && x.skill_id == pre_exam.skill_id)
            else {
                continue;
            };
            if !seen_skills.insert(pre_exam.skill_id) {
                continue;
            }
            let mut pre: HashMap<i64, f64> = HashMap::new();
            let mut post: HashMap<i64, (f64, String, String)> = HashMap::new();
            for (skill, employee, purpose, _no, pct, number, name) in &rows {
                if *skill != pre_exam.skill_id {
                    continue;
                }
                if purpose == "pre_test" {
                    pre.entry(*employee).or_insert(*pct);
                } else {
                    let slot =
                        post.entry(*employee)
                            .or_insert((*pct, number.clone(), name.clone()));
                    if *pct > slot.0 {
                        slot.0 = *pct;
                    }
                }
            }
            let mut pairs = Vec::new();
            let mut paired: Vec<(&i64, &(f64, String, String))> =
                post.iter().filter(|(e, _)| pre.contains_key(e)).collect();
            paired.sort_by(|a, b| a.1.1.cmp(&b.1.1));
            for (employee, (post_pct, number, name)) in paired {
                let pre_pct = pre[employee];
                pairs.push((pre_pct, *post_pct));
                learners.push(LearnerGain {
                    employee_id: *employee,
                    employee_number: number.clone(),
                    employee_name: name.clone(),
                    skill_code: pre_exam.skill_code.clone(),
                    pre_pct,
                    post_pct: *post_pct,
                    gain: post_pct - pre_pct,
                    normalised_gain: (pre_pct < 100.0 - 1e-9)
                        .then(|| (post_pct - pre_pct) / (100.0 - pre_pct)),
                });
            }
            let (mean_pre, mean_post, mean_gain, normalised_gain) = summarise_pairs(&pairs);
            skills.push(SkillGain {
                skill_code: pre_exam.skill_code.clone(),
                skill_name: pre_exam.skill_name.clone(),
                pre_exam_code: pre_exam.code.clone(),
                post_exam_code: post_exam.code.clone(),
                n_paired: pairs.len(),
                mean_pre,
                mean_post,
                mean_gain,
                normalised_gain,
            });
            all_pairs.extend(pairs);
        }
        let (mean_pre, mean_post, mean_gain, normalised_gain) = summarise_pairs(&all_pairs);
        Ok(LearningGain {
            program_id,
            n_paired: all_pairs.len(),
            mean_pre,
            mean_post,
            mean_gain,
            normalised_gain,
            skills,
            learners,
        })
    }

    /// Enrollment ids of a program's learners with a passed attempt at one of its
    /// final exams (the completion rule when the program requires an exam).
    async fn final_exam_passers(&self, program_id: i64) -> DomainResult<HashSet<i64>> {
        let ids: Vec<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT en.id FROM enrollments en WHERE en.program_id = $1 AND EXISTS (SELECT 1 FROM exam_attempts a \
                 JOIN exams x ON x.id = a.exam_id WHERE x.program_id = en.program_id AND x.purpose = 'final' \
                 AND a.employee_id = en.employee_id AND a.passed = $2)",
            ).bind(program_id).bind(true).fetch_all(pool).await.map_err(db_error)?
        });
        Ok(ids.into_iter().collect())
    }

    // ----- bulk ---------------------------------------------------------------------

    /// Writes submitted attempts of one exam in bulk (benchmarks, demo data, paper
    /// exams keyed in later): each is graded as a submission would be, short
    /// answers with a response wait for a person, passed attempts record their
    /// competency assessment. Each learner at most once per call. Returns the count.
    async fn record_attempts(
        &self,
        exam_id: i64,
        attempts: &[RecordedAttempt],
        actor: &Actor,
    ) -> DomainResult<usize> {
        let exam = self.exam(exam_id).await?;
        let levels: i32 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT levels FROM skills WHERE id = $1")
                .bind(exam.skill_id)
                .fetch_one(pool)
                .await
                .map_err(db_error)?
        });
        let mut seen = HashSet::new();
        // Grade in memory: (attempt, awarded per item, status, score, pct, passed).
        struct Graded<'a> {
            a: &'a RecordedAttempt,
            awarded: Vec<Option<f64>>,
            responses: Vec<Option<Vec<String>>>,
            waiting: bool,
            score: f64,
            max: f64,
            pct: f64,
            passed: bool,
        }
        let mut graded = Vec::with_capacity(attempts.len());
        for (i, a) in attempts.iter().enumerate() {
            if !seen.insert(a.employee_id) {
                return Err(DomainError::invalid(
                    format!("attempts[{i}]"),
                    "a learner appears twice in one call",
                ));
            }
            if a.items.is_empty() {
                return Err(DomainError::invalid(
                    format!("attempts[{i}].items"),
                    "the paper is empty",
                ));
            }
            let mut awarded = Vec::with_capacity(a.items.len());
            let mut responses = Vec::with_capacity(a.items.len());
            let mut waiting = false;
            for (k, item) in a.items.iter().enumerate() {
                let response = match &item.response {
                    Some(r) => Some(normalise_response(
                        &format!("attempts[{i}].items[{k}]"),
                        item.kind,
                        item.options.len(),
                        r,
                    )?),
                    None => None,
                };
                let given = response.clone().unwrap_or_default();
                let points = auto_grade(
                    item.kind,
                    item.answers.as_deref().unwrap_or_default(),
                    &given,
                    item.points,
                )
                .or_else(|| given.is_empty().then_some(0.0));
                waiting |= points.is_none();
                awarded.push(points);
                responses.push(response);
            }
            let max: f64 = a.items.iter().map(|i| i.points).sum();
            let score: f64 = awarded.iter().flatten().sum();
            let pct = ((score / max * 100.0).clamp(0.0, 100.0) * 100.0).round() / 100.0;
            let passed = !waiting && pct + 1e-9 >= f64::from(exam.pass_mark_pct);
            graded.push(Graded {
                a,
                awarded,
                responses,
                waiting,
                score,
                max,
                pct,
                passed,
            });
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // Assessments first, so attempts can refer to them; keyed by learner (once per call).
            let mut assessment_of: HashMap<i64, i64> = HashMap::new();
            let passed: Vec<&Graded> = graded.iter().filter(|g| g.passed).collect();
            for chunk in passed.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO assessments (employee_id, skill_id, level, score, method, assessor, assessed_on, evidence, created_at) ",
                );
                qb.push_values(chunk, |mut row, g| {
                    row.push_bind(g.a.employee_id)
                        .push_bind(exam.skill_id)
                        .push_bind(level_for_score(g.pct, levels))
                        .push_bind(g.pct)
                        .push_bind("exam")
                        .push_bind(format!("exam:{}", exam.code))
                        .push_bind(g.a.submitted_at.date())
                        .push_bind(format!(
                            "exam {} 《{}》 attempt {}: {}%",
                            exam.code, exam.title, g.a.attempt_no, g.pct
                        ))
                        .push_bind(now);
                });
                // One assessment per learner, skill, day and method: a second exam passed the
                // same day keeps the higher level.
                qb.push(" ON CONFLICT (employee_id, skill_id, assessed_on, method) DO UPDATE SET \
                    level = CASE WHEN excluded.level > assessments.level THEN excluded.level ELSE assessments.level END, \
                    score = excluded.score, assessor = excluded.assessor, evidence = excluded.evidence RETURNING employee_id, id");
                let ids: Vec<(i64, i64)> = fetch_rows(&mut *tx, &mut qb).await?;
                assessment_of.extend(ids);
            }
            let mut attempt_of: HashMap<i64, i64> = HashMap::new();
            for chunk in graded.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO exam_attempts (exam_id, employee_id, attempt_no, seed, started_at, deadline_at, submitted_at, \
                    status, score, max_score, score_pct, passed, assessment_id) ",
                );
                qb.push_values(chunk, |mut row, g| {
                    let deadline =
                        g.a.started_at + Duration::minutes(i64::from(exam.time_limit_minutes));
                    row.push_bind(exam_id)
                        .push_bind(g.a.employee_id)
                        .push_bind(g.a.attempt_no)
                        .push_bind(attempt_seed(exam_id, g.a.employee_id, g.a.attempt_no))
                        .push_bind(DbTime(g.a.started_at))
                        .push_bind(DbTime(deadline))
                        .push_bind(DbTime(g.a.submitted_at))
                        .push_bind(if g.waiting { "grading" } else { "graded" })
                        .push_bind((!g.waiting).then_some(g.score))
                        .push_bind(g.max)
                        .push_bind((!g.waiting).then_some(g.pct))
                        .push_bind((!g.waiting).then_some(g.passed))
                        .push_bind(assessment_of.get(&g.a.employee_id).copied());
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            // Read the new ids back by (learner, attempt number): one query, whatever the chunking.
            let ids: Vec<(i64, i32, i64)> = sqlx::query_as(
                "SELECT employee_id, attempt_no, id FROM exam_attempts WHERE exam_id = $1",
            )
            .bind(exam_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
            let wanted: HashMap<i64, i32> = graded
                .iter()
                .map(|g| (g.a.employee_id, g.a.attempt_no))
                .collect();
            for (employee, no, id) in ids {
                if wanted.get(&employee) == Some(&no) {
                    attempt_of.insert(employee, id);
                }
            }
            let rows: Vec<(i64, &AttemptItem, Option<String>, Option<f64>)> = graded
                .iter()
                .flat_map(|g| {
                    let attempt = attempt_of
                        .get(&g.a.employee_id)
                        .copied()
                        .unwrap_or_default();
                    g.a.items
                        .iter()
                        .zip(g.responses.iter())
                        .zip(g.awarded.iter())
                        .map(move |((item, response), awarded)| {
                            (attempt, item, response.as_deref().map(to_json), *awarded)
                        })
                })
                .collect();
            // 13 binds a row; stay under SQLite's 32,766 bound parameters.
            for chunk in rows.chunks(2000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO exam_attempt_items (attempt_id, position, question_id, kind, difficulty, stem, options, answers, points, response, awarded, graded_at) ",
                );
                qb.push_values(chunk, |mut row, (attempt, item, response, awarded)| {
                    push_paper_item(&mut row, *attempt, item);
                    row.push_bind(response.clone())
                        .push_bind(*awarded)
                        .push_bind(awarded.map(|_| now));
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            append_in!(
                tx,
                &actor
                    .entry("exam.attempts_record", "exam")
                    .entity(exam_id)
                    .change(
                        None,
                        Some(
                            serde_json::json!({ "attempts": graded.len(), "passed": passed.len() })
                                .to_string()
                        )
                    )
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(graded.len())
    }
}
