//! Transfer to work: practice tasks, reports and reviews, promotion into the case
//! library, and behavior-change ratings at +30 and +90 days.

use crate::audit::{append_in, write_audited};
use crate::org::{Own, push_scope};
use crate::prelude::*;
use crate::query::{fetch_page, fetch_rows, one_or_not_found, paged, push_any_contains};
use crate::{DbTime, db_error, on_pool, search_pattern};
use domain::audit::Actor;
use domain::competency::Tier;
use domain::library::{Origin, ResourceInput, ResourceKind, SkillLevel};
use domain::practice::{
    AssignmentOutcome, BehaviorRating, CHECKPOINTS, MentorChoice, PROMOTION_MIN_SCORE,
    PracticeAssignment, PracticeFilter, PracticeReport, PracticeStatus, PracticeTask, RaterRole,
    RatingInput, ReportDecision, ReportReview, TransferSummary, validate_report,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

/// A learner's manager: the head of their department, or of the department above
/// when they head their own. `e` is the learner's employees row.
const MANAGER_OF_E: &str = "CASE WHEN d.head_employee_id IS NOT NULL AND d.head_employee_id <> e.id \
    THEN d.head_employee_id ELSE pd.head_employee_id END";

/// A learner who completed: (employee id, number, completed on, manager id).
type CompletedLearner = (i64, String, Option<Date>, Option<i64>);

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    program_id: i64,
    program_code: String,
    program_title: String,
    employee_id: i64,
    employee_number: String,
    employee_name: String,
    mentor_id: i64,
    mentor_name: String,
    title: String,
    description: String,
    due_on: Date,
    status: String,
    score: Option<i32>,
    case_resource_id: Option<i64>,
    reports: i64,
}

impl TaskRow {
    fn into_task(self) -> DomainResult<PracticeTask> {
        Ok(PracticeTask {
            id: self.id,
            program_id: self.program_id,
            program_code: self.program_code,
            program_title: self.program_title,
            employee_id: self.employee_id,
            employee_number: self.employee_number,
            employee_name: self.employee_name,
            mentor_id: self.mentor_id,
            mentor_name: self.mentor_name,
            title: self.title,
            description: self.description,
            due_on: self.due_on,
            status: PracticeStatus::parse(&self.status)?,
            score: self.score,
            case_resource_id: self.case_resource_id,
            reports: self.reports,
        })
    }
}

const TASK_SELECT: &str = "SELECT t.id, t.program_id, p.code AS program_code, p.title AS program_title, \
    t.employee_id, e.employee_no AS employee_number, e.name AS employee_name, t.mentor_id, m.name AS mentor_name, \
    t.title, t.description, t.due_on, t.status, t.score, t.case_resource_id, \
    (SELECT COUNT(*) FROM practice_reports r WHERE r.task_id = t.id) AS reports";

const TASK_FROM: &str = " FROM practice_tasks t JOIN programs p ON p.id = t.program_id \
    JOIN employees e ON e.id = t.employee_id JOIN employees m ON m.id = t.mentor_id \
    JOIN departments d ON d.id = e.department_id";

#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    body: String,
    submitted_at: DbTime,
    decision: Option<String>,
    score: Option<i32>,
    review: Option<String>,
    reviewed_by: Option<String>,
    reviewed_at: Option<DbTime>,
}

#[derive(sqlx::FromRow)]
struct RatingRow {
    id: i64,
    program_id: i64,
    program_title: String,
    employee_id: i64,
    employee_name: String,
    rater_id: i64,
    rater_role: String,
    checkpoint_days: i32,
    due_on: Date,
    rating: Option<i32>,
    observation: Option<String>,
    rated_at: Option<DbTime>,
}

impl RatingRow {
    fn into_rating(self) -> DomainResult<BehaviorRating> {
        Ok(BehaviorRating {
            id: self.id,
            program_id: self.program_id,
            program_title: self.program_title,
            employee_id: self.employee_id,
            employee_name: self.employee_name,
            rater_id: self.rater_id,
            rater_role: RaterRole::parse(&self.rater_role)?,
            checkpoint_days: self.checkpoint_days,
            due_on: self.due_on,
            rating: self.rating,
            observation: self.observation,
            rated_at: self.rated_at.map(|t| t.0),
        })
    }
}

const RATING_SELECT: &str = "SELECT r.id, r.program_id, p.title AS program_title, r.employee_id, e.name AS employee_name, \
    r.rater_id, r.rater_role, r.checkpoint_days, r.due_on, r.rating, r.observation, r.rated_at \
    FROM behavior_ratings r JOIN programs p ON p.id = r.program_id JOIN employees e ON e.id = r.employee_id";

/// Inserts the +30 and +90 day ratings of `rater` for a learner who completed on
/// `completed_on`; existing ones stay.
macro_rules! schedule_ratings_in {
    ($tx:ident, $program:expr, $employee:expr, $rater:expr, $role:expr, $completed_on:expr) => {{
        let completed_on: Date = $completed_on;
        let mut added = 0u64;
        for days in CHECKPOINTS {
            added += sqlx::query(
                "INSERT INTO behavior_ratings (program_id, employee_id, rater_id, rater_role, checkpoint_days, due_on) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind($program).bind($employee).bind($rater).bind($role.code())
            .bind(days as i32).bind(completed_on + Duration::days(days))
            .execute(&mut *$tx).await.map_err(db_error)?
            .rows_affected();
        }
        added
    }};
}

fn push_task_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, filter: &PracticeFilter)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Date: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(id) = filter.program_id {
        qb.push(" AND t.program_id = ").push_bind(id);
    }
    if let Some(status) = filter.status {
        qb.push(" AND t.status = ").push_bind(status.code());
    }
    if let Some(id) = filter.employee_id {
        qb.push(" AND t.employee_id = ").push_bind(id);
    }
    if let Some(id) = filter.mentor_id {
        qb.push(" AND t.mentor_id = ").push_bind(id);
    }
    if let Some(pattern) = search_pattern(filter.q.as_deref()) {
        push_any_contains(qb, &["t.title", "e.name", "e.employee_no"], &pattern);
    }
    if let Some(today) = filter.overdue_on {
        qb.push(" AND t.status IN ('assigned', 'returned') AND t.due_on < ")
            .push_bind(today);
    }
}

/// The practice port: every query and change of this context.
pub trait PracticeRepository {
    /// Assigns a practice task to the learners who completed `program_id` (all of
    /// them, or the named ones), each with a mentor, and schedules the mentor's and
    /// the manager's behavior ratings. Only learners in `scope` are touched; a named
    /// learner outside it, unknown, or not completed is an error and nothing is written.
    /// The due date may not be before `today` (the caller's calendar day).
    fn assign_practice(
        &self,
        program_id: i64,
        input: &PracticeAssignment,
        scope: &DataScope,
        today: Date,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<AssignmentOutcome>> + Send;

    /// Schedules each completed learner's manager to rate their behavior change at
    /// +30 and +90 days after completion; returns how many ratings were added.
    fn schedule_behavior_ratings(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<u64>> + Send;

    /// Practice tasks matching `filter`, of learners in `scope`, soonest due first.
    fn list_practice_tasks(
        &self,
        filter: &PracticeFilter,
        scope: &DataScope,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<PracticeTask>>> + Send;

    /// One task, whoever may see it (the caller decides).
    fn practice_task(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<PracticeTask>> + Send;

    /// Whether the learner of task `id` is in `scope`.
    fn practice_task_in_scope(
        &self,
        id: i64,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    /// A task's reports, the first one first.
    fn practice_reports(
        &self,
        task_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<PracticeReport>>> + Send;

    /// The learner hands in a report; allowed while the task is assigned or returned.
    fn submit_practice_report(
        &self,
        task_id: i64,
        body: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// The mentor accepts the latest report with a score, or returns it with a reason.
    fn review_practice_report(
        &self,
        task_id: i64,
        review: &ReportReview,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Turns an accepted report that scored at least [`PROMOTION_MIN_SCORE`] into a
    /// draft library case (skills from the program), for the library's own review.
    /// Returns the new resource's id.
    fn promote_practice_report(
        &self,
        task_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Ratings `rater` (an employee) owes or gave, the unrated and soonest due first.
    fn ratings_of_rater(
        &self,
        rater: i64,
        open_only: bool,
    ) -> impl std::future::Future<Output = DomainResult<Vec<BehaviorRating>>> + Send;

    /// Every rating scheduled for a program, by learner and checkpoint.
    fn program_behavior_ratings(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<BehaviorRating>>> + Send;

    fn behavior_rating(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<BehaviorRating>> + Send;

    /// Records a rating; refused before its due date, and once given it stays.
    fn rate_behavior(
        &self,
        id: i64,
        input: &RatingInput,
        today: Date,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// A program's transfer to work: tasks by state, mean score, cases, and the
    /// behavior-change ratings at +30 and +90 days.
    fn transfer_summary(
        &self,
        program_id: i64,
        today: Date,
    ) -> impl std::future::Future<Output = DomainResult<TransferSummary>> + Send;

    /// Open tasks due on or before `by` whose learner has not reported: for the
    /// practice-due reminder.
    fn practice_tasks_due(
        &self,
        by: Date,
    ) -> impl std::future::Future<Output = DomainResult<Vec<PracticeTask>>> + Send;

    /// Ratings due on or before `by` and not given: for the rating reminder.
    fn behavior_ratings_due(
        &self,
        by: Date,
    ) -> impl std::future::Future<Output = DomainResult<Vec<BehaviorRating>>> + Send;
}

impl PracticeRepository for crate::Store {
    /// Assigns a practice task to the learners who completed `program_id` (all of
    /// them, or the named ones), each with a mentor, and schedules the mentor's and
    /// the manager's behavior ratings. Only learners in `scope` are touched; a named
    /// learner outside it, unknown, or not completed is an error and nothing is written.
    /// The due date may not be before `today` (the caller's calendar day).
    async fn assign_practice(
        &self,
        program_id: i64,
        input: &PracticeAssignment,
        scope: &DataScope,
        today: Date,
        actor: &Actor,
    ) -> DomainResult<AssignmentOutcome> {
        let input = input.validated(today)?;
        let completed: Vec<CompletedLearner> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!(
                "SELECT e.id, e.employee_no, en.completed_on, {MANAGER_OF_E} \
                 FROM enrollments en JOIN employees e ON e.id = en.employee_id \
                 JOIN departments d ON d.id = e.department_id LEFT JOIN departments pd ON pd.id = d.parent_id \
                 WHERE en.status = 'completed' AND en.program_id = "
            ));
            qb.push_bind(program_id).push(" AND ");
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" ORDER BY e.employee_no");
            fetch_rows(pool, &mut qb).await?
        });
        let chosen: Vec<&CompletedLearner> = if input.employee_numbers.is_empty() {
            if completed.is_empty() {
                return Err(DomainError::invalid(
                    "program",
                    "nobody has completed this program yet: practice follows completion",
                ));
            }
            completed.iter().collect()
        } else {
            let by_number: HashMap<&str, &CompletedLearner> =
                completed.iter().map(|c| (c.1.as_str(), c)).collect();
            let mut chosen = Vec::new();
            for (i, number) in input.employee_numbers.iter().enumerate() {
                let learner = by_number.get(number.as_str()).ok_or_else(|| {
                    DomainError::invalid(
                        format!("employee_numbers[{i}]"),
                        format!(
                            "{number} has not completed this program (or is outside your scope)"
                        ),
                    )
                })?;
                chosen.push(*learner);
            }
            chosen
        };
        let colleague: Option<i64> = match &input.mentor {
            MentorChoice::Manager => None,
            MentorChoice::Colleague(number) => {
                let id: Option<i64> = on_pool!(self, |pool| {
                    sqlx::query_scalar(
                        "SELECT id FROM employees WHERE employee_no = $1 AND status = 'active'",
                    )
                    .bind(number)
                    .fetch_optional(pool)
                    .await
                    .map_err(db_error)?
                });
                Some(id.ok_or_else(|| {
                    DomainError::invalid(
                        "mentor",
                        format!("no active employee has the number '{number}'"),
                    )
                })?)
            }
        };
        let now = DbTime(OffsetDateTime::now_utc());
        let mut outcome = AssignmentOutcome::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            for (employee_id, number, completed_on, manager) in
                chosen.iter().map(|c| (c.0, &c.1, c.2, c.3))
            {
                let mentor = match colleague.or(manager) {
                    Some(m) if m != employee_id => m,
                    _ => {
                        outcome.without_mentor.push(number.clone());
                        continue;
                    }
                };
                let inserted = sqlx::query(
                    "INSERT INTO practice_tasks (program_id, employee_id, mentor_id, title, description, due_on, status, assigned_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'assigned', $7, $8, $8) ON CONFLICT DO NOTHING",
                )
                .bind(program_id).bind(employee_id).bind(mentor).bind(&input.title).bind(&input.description)
                .bind(input.due_on).bind(actor.user_id).bind(now)
                .execute(&mut *tx).await.map_err(db_error)?
                .rows_affected();
                if inserted == 0 {
                    outcome.already_assigned += 1;
                    continue;
                }
                outcome.assigned += 1;
                let completed_on = completed_on.unwrap_or(today);
                if Some(mentor) != manager {
                    schedule_ratings_in!(
                        tx,
                        program_id,
                        employee_id,
                        mentor,
                        RaterRole::Mentor,
                        completed_on
                    );
                }
                if let Some(manager) = manager.filter(|m| *m != employee_id) {
                    schedule_ratings_in!(
                        tx,
                        program_id,
                        employee_id,
                        manager,
                        RaterRole::Manager,
                        completed_on
                    );
                }
            }
            let after = serde_json::json!({ "input": &input, "outcome": &outcome }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("practice.assign", "program")
                    .entity(program_id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(outcome)
    }

    /// Schedules each completed learner's manager to rate their behavior change at
    /// +30 and +90 days after completion; returns how many ratings were added.
    async fn schedule_behavior_ratings(&self, program_id: i64) -> DomainResult<u64> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let learners: Vec<(i64, Date, Option<i64>)> = sqlx::query_as(&format!(
                "SELECT e.id, en.completed_on, {MANAGER_OF_E} FROM enrollments en \
                 JOIN employees e ON e.id = en.employee_id JOIN departments d ON d.id = e.department_id \
                 LEFT JOIN departments pd ON pd.id = d.parent_id \
                 WHERE en.program_id = $1 AND en.status = 'completed' AND en.completed_on IS NOT NULL"
            )).bind(program_id).fetch_all(&mut *tx).await.map_err(db_error)?;
            let mut added = 0;
            for (employee_id, completed_on, manager) in learners {
                if let Some(manager) = manager.filter(|m| *m != employee_id) {
                    added += schedule_ratings_in!(
                        tx,
                        program_id,
                        employee_id,
                        manager,
                        RaterRole::Manager,
                        completed_on
                    );
                }
            }
            tx.commit().await.map_err(db_error)?;
            Ok(added)
        })
    }

    /// Practice tasks matching `filter`, of learners in `scope`, soonest due first.
    async fn list_practice_tasks(
        &self,
        filter: &PracticeFilter,
        scope: &DataScope,
        page: Page,
    ) -> DomainResult<Paged<PracticeTask>> {
        let (rows, total): (Vec<TaskRow>, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("{TASK_SELECT}{TASK_FROM} WHERE "));
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            push_task_filter(&mut qb, filter);
            qb.push(" ORDER BY CASE WHEN t.status IN ('assigned', 'returned', 'submitted') THEN 0 ELSE 1 END, t.due_on, t.id");
            let mut count = QueryBuilder::new(format!("SELECT COUNT(*){TASK_FROM} WHERE "));
            push_scope(&mut count, scope, "d.path", Own::EmployeeIn("e.id"));
            push_task_filter(&mut count, filter);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(TaskRow::into_task);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// One task, whoever may see it (the caller decides).
    async fn practice_task(&self, id: i64) -> DomainResult<PracticeTask> {
        let row: TaskRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{TASK_SELECT}{TASK_FROM} WHERE t.id = $1"),
                id,
                "practice task",
            )
            .await?
        });
        row.into_task()
    }

    /// Whether the learner of task `id` is in `scope`.
    async fn practice_task_in_scope(&self, id: i64, scope: &DataScope) -> DomainResult<bool> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("SELECT COUNT(*){TASK_FROM} WHERE t.id = "));
            qb.push_bind(id).push(" AND ");
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            let n: i64 = qb
                .build_query_scalar()
                .fetch_one(pool)
                .await
                .map_err(db_error)?;
            Ok(n > 0)
        })
    }

    /// A task's reports, the first one first.
    async fn practice_reports(&self, task_id: i64) -> DomainResult<Vec<PracticeReport>> {
        let rows: Vec<ReportRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.id, r.body, r.submitted_at, r.decision, r.score, r.review, u.display_name AS reviewed_by, r.reviewed_at \
                 FROM practice_reports r LEFT JOIN users u ON u.id = r.reviewed_by WHERE r.task_id = $1 ORDER BY r.id",
            ).bind(task_id).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(|r| {
                Ok(PracticeReport {
                    id: r.id,
                    body: r.body,
                    submitted_at: r.submitted_at.0,
                    decision: r
                        .decision
                        .as_deref()
                        .map(ReportDecision::parse)
                        .transpose()?,
                    score: r.score,
                    review: r.review,
                    reviewed_by: r.reviewed_by,
                    reviewed_at: r.reviewed_at.map(|t| t.0),
                })
            })
            .collect()
    }

    /// The learner hands in a report; allowed while the task is assigned or returned.
    async fn submit_practice_report(
        &self,
        task_id: i64,
        body: &str,
        actor: &Actor,
    ) -> DomainResult<i64> {
        validate_report(body)?;
        let task = self.practice_task(task_id).await?;
        if !matches!(
            task.status,
            PracticeStatus::Assigned | PracticeStatus::Returned
        ) {
            return Err(DomainError::invalid(
                "status",
                format!("a {} task takes no new report", task.status.code()),
            ));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // The status guard makes two concurrent submissions produce one report.
            let moved = sqlx::query("UPDATE practice_tasks SET status = 'submitted', updated_at = $2 WHERE id = $1 AND status IN ('assigned', 'returned')")
                .bind(task_id).bind(now).execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if moved == 0 {
                return Err(DomainError::Conflict(
                    "the task changed meanwhile; reload it".into(),
                ));
            }
            let id: i64 = sqlx::query_scalar("INSERT INTO practice_reports (task_id, body, submitted_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(task_id).bind(body.trim()).bind(now).fetch_one(&mut *tx).await.map_err(db_error)?;
            append_in!(
                tx,
                &actor
                    .entry("practice.report", "practice_task")
                    .entity(task_id)
                    .change(None, Some(serde_json::json!({ "report": id }).to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// The mentor accepts the latest report with a score, or returns it with a reason.
    async fn review_practice_report(
        &self,
        task_id: i64,
        review: &ReportReview,
        actor: &Actor,
    ) -> DomainResult<()> {
        review.validate()?;
        let task = self.practice_task(task_id).await?;
        if task.status != PracticeStatus::Submitted {
            return Err(DomainError::invalid(
                "status",
                format!(
                    "a {} task has no report waiting for review",
                    task.status.code()
                ),
            ));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        let (status, score) = match review.decision {
            ReportDecision::Accepted => (PracticeStatus::Reviewed, review.score),
            ReportDecision::Returned => (PracticeStatus::Returned, None),
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let moved = sqlx::query("UPDATE practice_tasks SET status = $2, score = $3, updated_at = $4 WHERE id = $1 AND status = 'submitted'")
                .bind(task_id).bind(status.code()).bind(score).bind(now)
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if moved == 0 {
                return Err(DomainError::Conflict(
                    "the task changed meanwhile; reload it".into(),
                ));
            }
            sqlx::query(
                "UPDATE practice_reports SET decision = $2, score = $3, review = $4, reviewed_by = $5, reviewed_at = $6 \
                 WHERE id = (SELECT MAX(id) FROM practice_reports WHERE task_id = $1)",
            )
            .bind(task_id).bind(review.decision.code()).bind(review.score).bind(review.comment.trim())
            .bind(actor.user_id).bind(now)
            .execute(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::to_string(review).ok();
            append_in!(
                tx,
                &actor
                    .entry("practice.review", "practice_task")
                    .entity(task_id)
                    .change(None, after)
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(())
    }

    /// Turns an accepted report that scored at least [`PROMOTION_MIN_SCORE`] into a
    /// draft library case (skills from the program), for the library's own review.
    /// Returns the new resource's id.
    async fn promote_practice_report(&self, task_id: i64, actor: &Actor) -> DomainResult<i64> {
        let task = self.practice_task(task_id).await?;
        if task.case_resource_id.is_some() {
            return Err(DomainError::invalid(
                "task",
                "this report is already in the case library",
            ));
        }
        if task.status != PracticeStatus::Reviewed || task.score.unwrap_or(0) < PROMOTION_MIN_SCORE
        {
            return Err(DomainError::invalid(
                "score",
                format!(
                    "only an accepted report scoring {PROMOTION_MIN_SCORE} or more becomes a case"
                ),
            ));
        }
        let report = self
            .practice_reports(task_id)
            .await?
            .into_iter()
            .rev()
            .find(|r| r.decision == Some(ReportDecision::Accepted))
            .ok_or(DomainError::NotFound {
                entity: "accepted report",
            })?;
        let skills: Vec<(String, i32)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT s.code, ps.level FROM program_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.program_id = $1 ORDER BY s.code")
                .bind(task.program_id).fetch_all(pool).await.map_err(db_error)?
        });
        let input = ResourceInput {
            code: format!("CASE-PR-{task_id}"),
            kind: ResourceKind::Case,
            title: format!("{}：{}", task.program_title, task.title),
            summary: format!("{} · {}", task.employee_name, task.program_code),
            body: report.body,
            tier: Tier::Support,
            origin: Origin::Internal,
            vendor: None,
            owner_user_id: None,
            estimated_minutes: 15,
            tags: Vec::new(),
            skills: skills
                .into_iter()
                .map(|(code, level)| SkillLevel { code, level })
                .collect(),
            positions: Vec::new(),
        };
        let resource_id = self.create_resource(&input, actor).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(tx, sqlx::query(
                "UPDATE practice_tasks SET case_resource_id = $2, updated_at = $3 WHERE id = $1",
            )
            .bind(task_id)
            .bind(resource_id)
            .bind(DbTime(OffsetDateTime::now_utc())), &actor
                    .entry("practice.promote", "practice_task")
                    .entity(task_id)
                    .change(
                        None,
                        Some(serde_json::json!({ "resource": resource_id }).to_string())
                    ));
            tx.commit().await.map_err(db_error)?;
        });
        Ok(resource_id)
    }

    /// Ratings `rater` (an employee) owes or gave, the unrated and soonest due first.
    async fn ratings_of_rater(
        &self,
        rater: i64,
        open_only: bool,
    ) -> DomainResult<Vec<BehaviorRating>> {
        let rows: Vec<RatingRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{RATING_SELECT} WHERE r.rater_id = $1 {} ORDER BY CASE WHEN r.rating IS NULL THEN 0 ELSE 1 END, r.due_on, r.id LIMIT 500",
                if open_only { "AND r.rating IS NULL" } else { "" }
            )).bind(rater).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter().map(RatingRow::into_rating).collect()
    }

    /// Every rating scheduled for a program, by learner and checkpoint.
    async fn program_behavior_ratings(&self, program_id: i64) -> DomainResult<Vec<BehaviorRating>> {
        let rows: Vec<RatingRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!("{RATING_SELECT} WHERE r.program_id = $1 ORDER BY r.employee_id, r.checkpoint_days, r.id"))
                .bind(program_id).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter().map(RatingRow::into_rating).collect()
    }

    async fn behavior_rating(&self, id: i64) -> DomainResult<BehaviorRating> {
        let row: RatingRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{RATING_SELECT} WHERE r.id = $1"),
                id,
                "behavior rating",
            )
            .await?
        });
        row.into_rating()
    }

    /// Records a rating; refused before its due date, and once given it stays.
    async fn rate_behavior(
        &self,
        id: i64,
        input: &RatingInput,
        today: Date,
        actor: &Actor,
    ) -> DomainResult<()> {
        input.validate()?;
        let rating = self.behavior_rating(id).await?;
        if rating.rating.is_some() {
            return Err(DomainError::invalid(
                "rating",
                "this rating was already given",
            ));
        }
        if rating.due_on > today {
            return Err(DomainError::invalid(
                "rating",
                format!("this rating opens on {}", rating.due_on),
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let done = sqlx::query("UPDATE behavior_ratings SET rating = $2, observation = $3, rated_at = $4 WHERE id = $1 AND rating IS NULL")
                .bind(id).bind(input.rating).bind(input.observation.trim()).bind(DbTime(OffsetDateTime::now_utc()))
                .execute(&mut *tx).await.map_err(db_error)?.rows_affected();
            if done == 0 {
                return Err(DomainError::invalid(
                    "rating",
                    "this rating was already given",
                ));
            }
            append_in!(
                tx,
                &actor
                    .entry("practice.behavior_rating", "behavior_rating")
                    .entity(id)
                    .change(None, serde_json::to_string(input).ok())
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(())
    }

    /// A program's transfer to work: tasks by state, mean score, cases, and the
    /// behavior-change ratings at +30 and +90 days.
    async fn transfer_summary(
        &self,
        program_id: i64,
        today: Date,
    ) -> DomainResult<TransferSummary> {
        type TaskFigures = (
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<f64>,
            Option<i64>,
        );
        // (checkpoint, mean rating, ratings given, ratings overdue)
        type CheckpointFigures = (i32, Option<f64>, i64, i64);
        let (tasks, ratings): (TaskFigures, Vec<CheckpointFigures>) = on_pool!(self, |pool| {
            let tasks: TaskFigures = sqlx::query_as(
                "SELECT COUNT(*), \
                   SUM(CASE WHEN status IN ('submitted', 'reviewed') THEN 1 ELSE 0 END), \
                   SUM(CASE WHEN status = 'reviewed' THEN 1 ELSE 0 END), \
                   SUM(CASE WHEN status IN ('assigned', 'returned') AND due_on < $2 THEN 1 ELSE 0 END), \
                   AVG(CAST(score AS DOUBLE PRECISION)), \
                   SUM(CASE WHEN case_resource_id IS NOT NULL THEN 1 ELSE 0 END) \
                 FROM practice_tasks WHERE program_id = $1",
            ).bind(program_id).bind(today).fetch_one(pool).await.map_err(db_error)?;
            let ratings = sqlx::query_as(
                "SELECT checkpoint_days, AVG(CAST(rating AS DOUBLE PRECISION)), COUNT(rating), \
                   SUM(CASE WHEN rating IS NULL AND due_on < $2 THEN 1 ELSE 0 END) \
                 FROM behavior_ratings WHERE program_id = $1 GROUP BY checkpoint_days",
            )
            .bind(program_id)
            .bind(today)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            (tasks, ratings)
        });
        let mut summary = TransferSummary {
            tasks: tasks.0,
            submitted: tasks.1.unwrap_or(0),
            reviewed: tasks.2.unwrap_or(0),
            overdue: tasks.3.unwrap_or(0),
            mean_score: tasks.4,
            promoted_cases: tasks.5.unwrap_or(0),
            ..TransferSummary::default()
        };
        for (days, mean, rated, overdue) in ratings {
            summary.ratings_overdue += overdue;
            if days == 30 {
                summary.rating_30 = mean;
                summary.rated_30 = rated;
            } else {
                summary.rating_90 = mean;
                summary.rated_90 = rated;
            }
        }
        Ok(summary)
    }

    /// Open tasks due on or before `by` whose learner has not reported: for the
    /// practice-due reminder.
    async fn practice_tasks_due(&self, by: Date) -> DomainResult<Vec<PracticeTask>> {
        let rows: Vec<TaskRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{TASK_SELECT}{TASK_FROM} WHERE t.status IN ('assigned', 'returned') AND t.due_on <= $1 ORDER BY t.due_on, t.id"
            )).bind(by).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter().map(TaskRow::into_task).collect()
    }

    /// Ratings due on or before `by` and not given: for the rating reminder.
    async fn behavior_ratings_due(&self, by: Date) -> DomainResult<Vec<BehaviorRating>> {
        let rows: Vec<RatingRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!(
                "{RATING_SELECT} WHERE r.rating IS NULL AND r.due_on <= $1 ORDER BY r.due_on, r.id"
            ))
            .bind(by)
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        rows.into_iter().map(RatingRow::into_rating).collect()
    }
}
