//! The job queue: workers lease rows, so several nodes never run one job twice.

use crate::{DbTime, Pool, db_error, on_pool};
use domain::jobs::{Job, JobRepository, JobSchedule, JobStatus};
use domain::{DomainError, DomainResult};
use time::OffsetDateTime;

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    payload: String,
    status: String,
    attempts: i32,
    max_attempts: i32,
    run_at: DbTime,
    locked_by: Option<String>,
    last_error: Option<String>,
    created_at: DbTime,
    finished_at: Option<DbTime>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            status: JobStatus::parse(&r.status).unwrap_or(JobStatus::Failed),
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: r.run_at.0,
            locked_by: r.locked_by,
            last_error: r.last_error,
            created_at: r.created_at.0,
            finished_at: r.finished_at.map(|t| t.0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    name: String,
    kind: String,
    recurrence: String,
    next_run_at: DbTime,
}

impl From<ScheduleRow> for JobSchedule {
    fn from(r: ScheduleRow) -> Self {
        JobSchedule {
            name: r.name,
            kind: r.kind,
            recurrence: r.recurrence,
            next_run_at: r.next_run_at.0,
        }
    }
}

const JOB_COLUMNS: &str = "id, kind, payload, status, attempts, max_attempts, run_at, locked_by, last_error, created_at, finished_at";

impl JobRepository for crate::Store {
    async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        run_at: OffsetDateTime,
        max_attempts: i32,
    ) -> DomainResult<i64> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
                 VALUES ($1, $2, 'queued', 0, $3, $4, $5) RETURNING id",
            )
            .bind(kind)
            .bind(payload)
            .bind(max_attempts.max(1))
            .bind(DbTime(run_at))
            .bind(DbTime(OffsetDateTime::now_utc()))
            .fetch_one(pool)
            .await
            .map_err(db_error)
        })
    }

    async fn lease_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> DomainResult<Option<Job>> {
        // Due queued jobs, and running jobs whose lease ran out (their worker died).
        // PostgreSQL skips rows another node is leasing; SQLite has one writer at a time.
        let lock = match self.pool {
            Pool::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Pool::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE (status = 'queued' AND run_at <= $3) \
                         OR (status = 'running' AND locked_until < $3) ORDER BY run_at, id LIMIT 1{lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        on_pool!(self, |pool| {
            let row: Option<JobRow> = sqlx::query_as(&sql)
                .bind(worker)
                .bind(DbTime(lease_until))
                .bind(DbTime(now))
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            Ok(row.map(Job::from))
        })
    }

    async fn complete_job(&self, id: i64, now: OffsetDateTime) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE jobs SET status = 'succeeded', finished_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $2")
                .bind(DbTime(now))
                .bind(id)
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    async fn fail_job(
        &self,
        id: i64,
        error: &str,
        now: OffsetDateTime,
        retry_at: OffsetDateTime,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE jobs SET last_error = $1, run_at = $2, \
                 finished_at = CASE WHEN attempts >= max_attempts THEN $3 ELSE NULL END, \
                 status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
                 locked_by = NULL, locked_until = NULL WHERE id = $4",
            )
            .bind(error)
            .bind(DbTime(retry_at))
            .bind(DbTime(now))
            .bind(id)
            .execute(pool)
            .await
            .map_err(db_error)?;
            Ok(())
        })
    }

    async fn retry_job(&self, id: i64, now: OffsetDateTime) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let changed = sqlx::query(
                "UPDATE jobs SET status = 'queued', run_at = $1, attempts = 0, finished_at = NULL WHERE id = $2 AND status = 'failed'",
            )
            .bind(DbTime(now))
            .bind(id)
            .execute(pool)
            .await
            .map_err(db_error)?
            .rows_affected();
            if changed == 0 {
                return Err(DomainError::NotFound {
                    entity: "failed job",
                });
            }
            Ok(())
        })
    }

    async fn list_jobs(&self, status: Option<JobStatus>, limit: i64) -> DomainResult<Vec<Job>> {
        on_pool!(self, |pool| {
            let rows: Vec<JobRow> =
                match status {
                    Some(s) => sqlx::query_as(&format!(
                        "SELECT {JOB_COLUMNS} FROM jobs WHERE status = $1 ORDER BY id DESC LIMIT $2"
                    ))
                    .bind(s.code())
                    .bind(limit)
                    .fetch_all(pool)
                    .await,
                    None => {
                        sqlx::query_as(&format!(
                            "SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT $1"
                        ))
                        .bind(limit)
                        .fetch_all(pool)
                        .await
                    }
                }
                .map_err(db_error)?;
            Ok(rows.into_iter().map(Job::from).collect())
        })
    }

    async fn ensure_schedule(
        &self,
        name: &str,
        kind: &str,
        recurrence: &str,
        next_run_at: OffsetDateTime,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO job_schedules (name, kind, recurrence, next_run_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, recurrence = excluded.recurrence, \
                 next_run_at = CASE WHEN job_schedules.recurrence <> excluded.recurrence \
                                    THEN excluded.next_run_at ELSE job_schedules.next_run_at END",
            )
            .bind(name)
            .bind(kind)
            .bind(recurrence)
            .bind(DbTime(next_run_at))
            .execute(pool)
            .await
            .map_err(db_error)?;
            Ok(())
        })
    }

    async fn due_schedules(&self, now: OffsetDateTime) -> DomainResult<Vec<JobSchedule>> {
        on_pool!(self, |pool| {
            let rows: Vec<ScheduleRow> = sqlx::query_as(
                "SELECT name, kind, recurrence, next_run_at FROM job_schedules WHERE next_run_at <= $1 ORDER BY name",
            )
            .bind(DbTime(now))
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows.into_iter().map(JobSchedule::from).collect())
        })
    }

    async fn advance_schedule(
        &self,
        name: &str,
        expected: OffsetDateTime,
        next: OffsetDateTime,
    ) -> DomainResult<bool> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let kind: Option<String> = sqlx::query_scalar(
                "UPDATE job_schedules SET next_run_at = $1 WHERE name = $2 AND next_run_at = $3 RETURNING kind",
            )
            .bind(DbTime(next))
            .bind(name)
            .bind(DbTime(expected))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            let Some(kind) = kind else { return Ok(false) };
            sqlx::query(
                "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
                 VALUES ($1, $2, 'queued', 0, 5, $3, $3)",
            )
            .bind(&kind)
            .bind(serde_json::json!({ "schedule": name, "due": expected.unix_timestamp() }).to_string())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok(true)
        })
    }

    async fn list_schedules(&self) -> DomainResult<Vec<JobSchedule>> {
        on_pool!(self, |pool| {
            let rows: Vec<ScheduleRow> = sqlx::query_as(
                "SELECT name, kind, recurrence, next_run_at FROM job_schedules ORDER BY name",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows.into_iter().map(JobSchedule::from).collect())
        })
    }
}
