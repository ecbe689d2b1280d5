//! The scheduler in the product: working-calendar blocks, venue rates and owners,
//! strict venue capacity, the facts a timetable is computed from, draft timetables
//! and their publication (sessions moved, audited and announced in one transaction).

use crate::audit::{append_in, write_audited};
use crate::notifications::{notify_in, rfc3339};
use crate::query::{fetch_page, fetch_rows, id_by_code, one_or_not_found, paged, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::notifications::{NotificationEvent, NotificationKind};
use domain::timetables::{
    Busy, CalendarBlock, CalendarBlockInput, CalendarBlockKind, NewTimetable, SchedInstructor,
    SchedProgram, SchedSession, SchedVenue, SchedulingData, SessionChange, TimetableEntry,
    TimetableFilter, TimetableMode, TimetableRequest, TimetableScope, TimetableStatus,
    TimetableSummary, TimetableTotals,
};
use domain::{DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// (id, code, name, site, kind, capacity, active, hourly rate).
type VenueRow = (i64, String, String, String, String, i32, bool, f64);

/// Venue scheduling settings: (venue id, hourly rate, owner employee id, owner number, owner name).
pub type VenueScheduling = (i64, f64, Option<i64>, Option<String>, Option<String>);

#[derive(sqlx::FromRow)]
struct BlockRow {
    id: i64,
    starts_on: Date,
    ends_on: Date,
    department_code: Option<String>,
    department_name: Option<String>,
    department_path: Option<String>,
    kind: String,
    note: String,
    daily_from: Option<i32>,
    daily_to: Option<i32>,
}

impl BlockRow {
    fn into_block(self) -> DomainResult<CalendarBlock> {
        Ok(CalendarBlock {
            id: self.id,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            department_code: self.department_code,
            department_name: self.department_name,
            department_path: self.department_path,
            kind: CalendarBlockKind::parse(&self.kind)?,
            note: self.note,
            daily_from: self.daily_from,
            daily_to: self.daily_to,
        })
    }
}

const BLOCK_SELECT: &str = "SELECT b.id, b.starts_on, b.ends_on, d.code AS department_code, d.name AS department_name, \
    d.path AS department_path, b.kind, b.note, b.daily_from, b.daily_to \
    FROM calendar_blocks b LEFT JOIN departments d ON d.id = b.department_id";

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    plan_id: Option<i64>,
    plan_code: Option<String>,
    program_id: Option<i64>,
    program_code: Option<String>,
    scope_name: Option<String>,
    window_from: Date,
    window_to: Date,
    mode: String,
    seed: i64,
    time_limit_secs: i32,
    status: String,
    baseline_hard: i64,
    baseline_soft: i64,
    hard: i64,
    soft: i64,
    report: String,
    entries: i64,
    created_by: Option<String>,
    created_at: DbTime,
    published_by: Option<String>,
    published_at: Option<DbTime>,
    published_with_conflicts: bool,
}

impl SummaryRow {
    fn into_summary(self) -> DomainResult<TimetableSummary> {
        Ok(TimetableSummary {
            id: self.id,
            plan_id: self.plan_id,
            plan_code: self.plan_code,
            program_id: self.program_id,
            program_code: self.program_code,
            scope_name: self.scope_name.unwrap_or_default(),
            window_from: self.window_from,
            window_to: self.window_to,
            mode: TimetableMode::parse(&self.mode)?,
            seed: self.seed.max(0) as u64,
            time_limit_secs: self.time_limit_secs.max(0) as u32,
            status: TimetableStatus::parse(&self.status)?,
            baseline_hard: self.baseline_hard,
            baseline_soft: self.baseline_soft,
            hard: self.hard,
            soft: self.soft,
            report: self.report,
            entries: self.entries,
            created_by: self.created_by,
            created_at: self.created_at.0,
            published_by: self.published_by,
            published_at: self.published_at.map(|t| t.0),
            published_with_conflicts: self.published_with_conflicts,
        })
    }
}

const SUMMARY_SELECT: &str = "SELECT t.id, t.plan_id, pl.code AS plan_code, t.program_id, p.code AS program_code, \
    COALESCE(pl.name, p.title) AS scope_name, t.window_from, t.window_to, t.mode, t.seed, t.time_limit_secs, t.status, \
    t.baseline_hard, t.baseline_soft, t.hard, t.soft, t.report, \
    (SELECT COUNT(*) FROM timetable_entries e WHERE e.timetable_id = t.id) AS entries, \
    cu.username AS created_by, t.created_at, pu.username AS published_by, t.published_at, t.published_with_conflicts \
    FROM timetables t LEFT JOIN plans pl ON pl.id = t.plan_id LEFT JOIN programs p ON p.id = t.program_id \
    LEFT JOIN users cu ON cu.id = t.created_by LEFT JOIN users pu ON pu.id = t.published_by";

#[derive(sqlx::FromRow)]
struct EntryRow {
    session_id: i64,
    starts_at: DbTime,
    ends_at: DbTime,
    venue_id: Option<i64>,
    instructor_id: Option<i64>,
    pinned: bool,
    was_starts_at: DbTime,
    was_ends_at: DbTime,
    was_venue_id: Option<i64>,
    was_instructor_id: Option<i64>,
    session_updated_at: DbTime,
}

impl From<EntryRow> for TimetableEntry {
    fn from(r: EntryRow) -> Self {
        TimetableEntry {
            session_id: r.session_id,
            starts_at: r.starts_at.0,
            ends_at: r.ends_at.0,
            venue_id: r.venue_id,
            instructor_id: r.instructor_id,
            pinned: r.pinned,
            was_starts_at: r.was_starts_at.0,
            was_ends_at: r.was_ends_at.0,
            was_venue_id: r.was_venue_id,
            was_instructor_id: r.was_instructor_id,
            session_updated_at: r.session_updated_at.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    program_id: i64,
    title: String,
    starts_at: DbTime,
    ends_at: DbTime,
    mode: String,
    venue_id: Option<i64>,
    updated_at: DbTime,
    attended: i64,
}

/// Pushes `(a, b, c)` of binds, or `(NULL)` for an empty list (so `IN` matches nothing).
fn push_ids<'a, DB: sqlx::Database>(qb: &mut QueryBuilder<'a, DB>, ids: &'a [i64])
where
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push("(");
    if ids.is_empty() {
        qb.push("NULL");
    }
    push_in_list(qb, ids.iter().copied());
}

/// Fails unless timetable `id` exists and is still a draft (`Conflict` naming its status).
async fn ensure_draft<'e, DB, E>(executor: E, id: i64) -> DomainResult<()>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    i64: sqlx::Encode<'e, DB> + sqlx::Type<DB>,
    (String,): for<'r> sqlx::FromRow<'r, DB::Row>,
    DB::Arguments<'e>: sqlx::IntoArguments<'e, DB>,
{
    let (status,): (String,) = one_or_not_found(
        executor,
        "SELECT status FROM timetables WHERE id = $1",
        id,
        "timetable",
    )
    .await?;
    if status != "draft" {
        return Err(DomainError::Conflict(format!(
            "the timetable is {status}, not a draft"
        )));
    }
    Ok(())
}

fn busy(rows: Vec<(i64, DbTime, DbTime)>) -> Vec<Busy> {
    rows.into_iter()
        .map(|(owner, a, b)| Busy {
            owner,
            starts_at: a.0,
            ends_at: b.0,
        })
        .collect()
}

/// The timetables port: every query and change of this context.
pub trait TimetableRepository {
    // ----- working calendars ------------------------------------------------------

    /// Working-calendar blocks, the latest first; with `overlapping`, only those
    /// touching the days `[from, to]`.
    fn list_calendar_blocks(
        &self,
        overlapping: Option<(Date, Date)>,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<CalendarBlock>>> + Send;

    fn create_calendar_block(
        &self,
        input: &CalendarBlockInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn delete_calendar_block(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    // ----- venue and program settings the scheduler uses ------------------------------

    /// Each venue's hourly rate and owner.
    fn venue_scheduling(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<VenueScheduling>>> + Send;

    /// Sets a venue's hourly rate (¥, at least 0) and owner (an employee number; empty: none).
    fn set_venue_scheduling(
        &self,
        venue_id: i64,
        hourly_rate: f64,
        owner_number: Option<&str>,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Whether a program's learners must fit the venue (a hard constraint when true).
    fn program_strict_capacity(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    fn set_program_strict_capacity(
        &self,
        program_id: i64,
        strict: bool,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    // ----- the engine's facts -------------------------------------------------------

    /// The scope of a request by code, naming the field of an unknown code.
    fn timetable_scope(
        &self,
        request: &TimetableRequest,
    ) -> impl std::future::Future<Output = DomainResult<TimetableScope>> + Send;

    /// What the engine needs for `[from, to)`: the scope's scheduled sessions starting
    /// then (or exactly the sessions `only`, for a stored draft), their programs,
    /// venues, instructors, what keeps them busy outside the scope, and calendar blocks.
    fn scheduling_data(
        &self,
        scope: TimetableScope,
        from: OffsetDateTime,
        to: OffsetDateTime,
        only: Option<&[i64]>,
    ) -> impl std::future::Future<Output = DomainResult<SchedulingData>> + Send;

    // ----- timetables -----------------------------------------------------------------

    /// Stores a draft timetable; returns its id.
    fn create_timetable(
        &self,
        new: &NewTimetable,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn list_timetables(
        &self,
        filter: &TimetableFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<TimetableSummary>>> + Send;

    /// A timetable and its entries (in start order).
    fn timetable(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<(TimetableSummary, Vec<TimetableEntry>)>> + Send;

    /// Saves changed entries of a draft (a move, a pin, a re-solve) with its new
    /// totals; `action` names the audit entry.
    fn save_timetable_entries(
        &self,
        id: i64,
        entries: &[TimetableEntry],
        totals: &TimetableTotals,
        action: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Discards a draft.
    fn discard_timetable(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Publishes a draft in one transaction: refuses (409) when it is not a draft or
    /// any of its sessions changed since it was made; moves the `changes`' sessions
    /// (time, venue, instructor), audits each, and tells the people concerned —
    /// learners and instructors of the session, an instructor taken off or put on it,
    /// and the owners of the venues it leaves and enters. Returns the notified users.
    fn publish_timetable(
        &self,
        id: i64,
        entries: &[TimetableEntry],
        changes: &[SessionChange],
        hard_conflicts: i64,
        anyway: bool,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;
}

impl TimetableRepository for crate::Store {
    // ----- working calendars ------------------------------------------------------

    /// Working-calendar blocks, the latest first; with `overlapping`, only those
    /// touching the days `[from, to]`.
    async fn list_calendar_blocks(
        &self,
        overlapping: Option<(Date, Date)>,
        page: Page,
    ) -> DomainResult<Paged<CalendarBlock>> {
        let (rows, total): (Vec<BlockRow>, i64) = on_pool!(self, |pool| {
            let push_where = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" WHERE 1=1");
                if let Some((from, to)) = overlapping {
                    qb.push(" AND b.starts_on <= ")
                        .push_bind(to)
                        .push(" AND b.ends_on >= ")
                        .push_bind(from);
                }
            };
            let mut qb = QueryBuilder::new(BLOCK_SELECT);
            push_where(&mut qb);
            qb.push(" ORDER BY b.starts_on DESC, b.id DESC");
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM calendar_blocks b");
            push_where(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(BlockRow::into_block);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    async fn create_calendar_block(
        &self,
        input: &CalendarBlockInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let block = input.validated()?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let department: Option<i64> = match &block.department_code {
                Some(code) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM departments WHERE code = $1",
                        code,
                        "department_code",
                        "department",
                    )
                    .await?,
                ),
                None => None,
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO calendar_blocks (starts_on, ends_on, department_id, kind, note, daily_from, daily_to, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(block.starts_on).bind(block.ends_on).bind(department).bind(block.kind.code()).bind(&block.note)
            .bind(block.daily.map(|d| d.0)).bind(block.daily.map(|d| d.1)).bind(DbTime(OffsetDateTime::now_utc()))
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            append_in!(
                tx,
                &actor
                    .entry("timetables.block_create", "calendar_block")
                    .entity(id)
                    .change(None, serde_json::to_string(&block).ok())
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn delete_calendar_block(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let row: Option<BlockRow> = sqlx::query_as(&format!("{BLOCK_SELECT} WHERE b.id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
            let block = row
                .ok_or(DomainError::NotFound {
                    entity: "calendar block",
                })?
                .into_block()?;
            write_audited!(
                tx,
                sqlx::query("DELETE FROM calendar_blocks WHERE id = $1").bind(id),
                &actor
                    .entry("timetables.block_delete", "calendar_block")
                    .entity(id)
                    .change(serde_json::to_string(&block).ok(), None)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    // ----- venue and program settings the scheduler uses ------------------------------

    /// Each venue's hourly rate and owner.
    async fn venue_scheduling(&self) -> DomainResult<Vec<VenueScheduling>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT v.id, v.hourly_rate, v.owner_employee_id, e.employee_no, e.name FROM venues v \
                 LEFT JOIN employees e ON e.id = v.owner_employee_id ORDER BY v.id",
            ).fetch_all(pool).await.map_err(db_error)
        })
    }

    /// Sets a venue's hourly rate (¥, at least 0) and owner (an employee number; empty: none).
    async fn set_venue_scheduling(
        &self,
        venue_id: i64,
        hourly_rate: f64,
        owner_number: Option<&str>,
        actor: &Actor,
    ) -> DomainResult<()> {
        if !hourly_rate.is_finite() || !(0.0..=1_000_000.0).contains(&hourly_rate) {
            return Err(DomainError::invalid(
                "hourly_rate",
                "must be between 0 and 1000000",
            ));
        }
        let owner_number = owner_number.map(str::trim).filter(|s| !s.is_empty());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let owner: Option<i64> = match owner_number {
                Some(number) => {
                    let id: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM employees WHERE employee_no = $1 AND status = 'active'",
                    )
                    .bind(number)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    Some(id.ok_or_else(|| {
                        DomainError::invalid(
                            "owner_employee_number",
                            format!("'{number}' is not an active employee"),
                        )
                    })?)
                }
                None => None,
            };
            let done = sqlx::query("UPDATE venues SET hourly_rate = $2, owner_employee_id = $3, updated_at = $4 WHERE id = $1")
                .bind(venue_id).bind(hourly_rate).bind(owner).bind(DbTime(OffsetDateTime::now_utc()))
                .execute(&mut *tx).await.map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(DomainError::NotFound { entity: "venue" });
            }
            let after = serde_json::json!({ "hourly_rate": hourly_rate, "owner_employee_number": owner_number }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("operations.venue_scheduling", "venue")
                    .entity(venue_id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Whether a program's learners must fit the venue (a hard constraint when true).
    async fn program_strict_capacity(&self, program_id: i64) -> DomainResult<bool> {
        let strict: Option<bool> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT strict_venue_capacity FROM programs WHERE id = $1")
                .bind(program_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        strict.ok_or(DomainError::NotFound { entity: "program" })
    }

    async fn set_program_strict_capacity(
        &self,
        program_id: i64,
        strict: bool,
        actor: &Actor,
    ) -> DomainResult<()> {
        let before = self.program_strict_capacity(program_id).await?;
        if before == strict {
            return Ok(());
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(
                tx,
                sqlx::query("UPDATE programs SET strict_venue_capacity = $2 WHERE id = $1")
                    .bind(program_id)
                    .bind(strict),
                &actor
                    .entry("operations.program_strict_capacity", "program")
                    .entity(program_id)
                    .change(
                        Some(serde_json::json!({ "strict_venue_capacity": before }).to_string()),
                        Some(serde_json::json!({ "strict_venue_capacity": strict }).to_string())
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    // ----- the engine's facts -------------------------------------------------------

    /// The scope of a request by code, naming the field of an unknown code.
    async fn timetable_scope(&self, request: &TimetableRequest) -> DomainResult<TimetableScope> {
        let (sql, field, code) = match (&request.plan_code, &request.program_code) {
            (Some(code), _) => ("SELECT id FROM plans WHERE code = $1", "plan_code", code),
            (None, Some(code)) => (
                "SELECT id FROM programs WHERE code = $1",
                "program_code",
                code,
            ),
            (None, None) => {
                return Err(DomainError::invalid(
                    "plan_code",
                    "give either a plan or a program",
                ));
            }
        };
        let id = on_pool!(self, |pool| {
            id_by_code(pool, sql, code.trim(), field, "record").await?
        });
        Ok(if field == "plan_code" {
            TimetableScope::Plan(id)
        } else {
            TimetableScope::Program(id)
        })
    }

    /// What the engine needs for `[from, to)`: the scope's scheduled sessions starting
    /// then (or exactly the sessions `only`, for a stored draft), their programs,
    /// venues, instructors, what keeps them busy outside the scope, and calendar blocks.
    async fn scheduling_data(
        &self,
        scope: TimetableScope,
        from: OffsetDateTime,
        to: OffsetDateTime,
        only: Option<&[i64]>,
    ) -> DomainResult<SchedulingData> {
        let (from_t, to_t) = (DbTime(from), DbTime(to));
        let first_day = from.date();
        let last_day = to.date();
        on_pool!(self, |pool| {
            let program_rows: Vec<(i64, String, String, Option<i32>, bool)> = match only {
                Some(ids) => {
                    let mut qb = QueryBuilder::new(
                        "SELECT id, code, title, capacity, strict_venue_capacity FROM programs WHERE id IN (SELECT program_id FROM training_sessions WHERE id IN ",
                    );
                    push_ids(&mut qb, ids);
                    qb.push(") ORDER BY code");
                    fetch_rows(pool, &mut qb).await?
                }
                None => {
                    let (clause, id) = match scope {
                        TimetableScope::Plan(id) => ("plan_id = $1", id),
                        TimetableScope::Program(id) => ("id = $1", id),
                    };
                    sqlx::query_as(&format!(
                        "SELECT id, code, title, capacity, strict_venue_capacity FROM programs WHERE {clause} \
                         AND status IN ('draft', 'open', 'running') ORDER BY code"
                    )).bind(id).fetch_all(pool).await.map_err(db_error)?
                }
            };
            let program_ids: Vec<i64> = program_rows.iter().map(|p| p.0).collect();
            let sessions: Vec<SessionRow> = {
                let mut qb = QueryBuilder::new(
                    "SELECT s.id, s.program_id, s.title, s.starts_at, s.ends_at, s.mode, s.venue_id, s.updated_at, \
                     (SELECT COUNT(*) FROM attendance a WHERE a.session_id = s.id) AS attended FROM training_sessions s WHERE s.status = 'scheduled' AND ",
                );
                match only {
                    Some(ids) => {
                        qb.push("s.id IN ");
                        push_ids(&mut qb, ids);
                    }
                    None => {
                        qb.push("s.program_id IN ");
                        push_ids(&mut qb, &program_ids);
                        qb.push(" AND s.starts_at >= ")
                            .push_bind(from_t)
                            .push(" AND s.starts_at < ")
                            .push_bind(to_t);
                    }
                }
                qb.push(" ORDER BY s.program_id, s.starts_at, s.id");
                fetch_rows(pool, &mut qb).await?
            };
            let session_ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
            let session_instructors: Vec<(i64, i64)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT si.session_id, si.instructor_id FROM training_session_instructors si JOIN instructors i ON i.id = si.instructor_id WHERE si.session_id IN ",
                );
                push_ids(&mut qb, &session_ids);
                qb.push(" ORDER BY i.code");
                fetch_rows(pool, &mut qb).await?
            };
            let learners: Vec<(i64, i64, String)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT en.program_id, en.employee_id, d.path FROM enrollments en JOIN employees e ON e.id = en.employee_id \
                    JOIN departments d ON d.id = e.department_id WHERE en.status = 'enrolled' AND en.program_id IN ",
                );
                push_ids(&mut qb, &program_ids);
                qb.push(" ORDER BY en.employee_id");
                fetch_rows(pool, &mut qb).await?
            };
            let program_instructors: Vec<(i64, i64)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT program_id, instructor_id FROM program_instructors WHERE program_id IN ",
                );
                push_ids(&mut qb, &program_ids);
                qb.push(" ORDER BY instructor_id");
                fetch_rows(pool, &mut qb).await?
            };
            let venues: Vec<VenueRow> = sqlx::query_as(
                "SELECT id, code, name, site, kind, capacity, active, hourly_rate FROM venues ORDER BY code",
            ).fetch_all(pool).await.map_err(db_error)?;
            let instructors: Vec<(i64, String, String, f64, bool)> = sqlx::query_as(
                "SELECT id, code, name, hourly_cost, active FROM instructors ORDER BY code",
            )
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let venue_busy: Vec<(i64, DbTime, DbTime)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT venue_id, starts_at, ends_at FROM training_sessions WHERE status = 'scheduled' AND venue_id IS NOT NULL AND starts_at < ",
                );
                qb.push_bind(to_t)
                    .push(" AND ends_at > ")
                    .push_bind(from_t)
                    .push(" AND id NOT IN ");
                push_ids(&mut qb, &session_ids);
                fetch_rows(pool, &mut qb).await?
            };
            let mut instructor_busy: Vec<(i64, DbTime, DbTime)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT si.instructor_id, s.starts_at, s.ends_at FROM training_session_instructors si JOIN training_sessions s ON s.id = si.session_id \
                    WHERE s.status = 'scheduled' AND s.starts_at < ",
                );
                qb.push_bind(to_t)
                    .push(" AND s.ends_at > ")
                    .push_bind(from_t)
                    .push(" AND s.id NOT IN ");
                push_ids(&mut qb, &session_ids);
                fetch_rows(pool, &mut qb).await?
            };
            let away: Vec<(i64, DbTime, DbTime)> = sqlx::query_as(
                "SELECT instructor_id, starts_at, ends_at FROM instructor_unavailability WHERE starts_at < $1 AND ends_at > $2",
            ).bind(to_t).bind(from_t).fetch_all(pool).await.map_err(db_error)?;
            instructor_busy.extend(away);
            let learner_busy: Vec<(i64, DbTime, DbTime)> = {
                let mut qb = QueryBuilder::new(
                    "SELECT en.employee_id, s.starts_at, s.ends_at FROM training_sessions s \
                    JOIN enrollments en ON en.program_id = s.program_id AND en.status = 'enrolled' WHERE s.status = 'scheduled' AND s.starts_at < ",
                );
                qb.push_bind(to_t)
                    .push(" AND s.ends_at > ")
                    .push_bind(from_t)
                    .push(" AND s.id NOT IN ");
                push_ids(&mut qb, &session_ids);
                qb.push(" AND en.employee_id IN (SELECT employee_id FROM enrollments WHERE status = 'enrolled' AND program_id IN ");
                push_ids(&mut qb, &program_ids);
                qb.push(")");
                fetch_rows(pool, &mut qb).await?
            };
            let blocks: Vec<BlockRow> = sqlx::query_as(&format!(
                "{BLOCK_SELECT} WHERE b.starts_on <= $1 AND b.ends_on >= $2 ORDER BY b.id"
            ))
            .bind(last_day)
            .bind(first_day)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;

            let mut by_session: HashMap<i64, Vec<i64>> = HashMap::new();
            for (session, instructor) in session_instructors {
                by_session.entry(session).or_default().push(instructor);
            }
            let mut programs: Vec<SchedProgram> = program_rows
                .into_iter()
                .map(|(id, code, title, capacity, strict)| SchedProgram {
                    id,
                    code,
                    title,
                    capacity,
                    strict_venue_capacity: strict,
                    learners: Vec::new(),
                    learner_paths: Vec::new(),
                    instructor_ids: Vec::new(),
                })
                .collect();
            for program in &mut programs {
                for (p, employee, path) in &learners {
                    if *p == program.id {
                        program.learners.push(*employee);
                        if !program.learner_paths.contains(path) {
                            program.learner_paths.push(path.clone());
                        }
                    }
                }
                program.instructor_ids = program_instructors
                    .iter()
                    .filter(|(p, _)| *p == program.id)
                    .map(|(_, i)| *i)
                    .collect();
            }
            Ok(SchedulingData {
                sessions: sessions
                    .into_iter()
                    .map(|s| SchedSession {
                        instructor_ids: by_session.remove(&s.id).unwrap_or_default(),
                        id: s.id,
                        program_id: s.program_id,
                        title: s.title,
                        starts_at: s.starts_at.0,
                        ends_at: s.ends_at.0,
                        mode: s.mode,
                        venue_id: s.venue_id,
                        updated_at: s.updated_at.0,
                        attended: s.attended > 0,
                    })
                    .collect(),
                programs,
                venues: venues
                    .into_iter()
                    .map(
                        |(id, code, name, site, kind, capacity, active, hourly_rate)| SchedVenue {
                            id,
                            code,
                            name,
                            site,
                            kind,
                            capacity,
                            active,
                            hourly_rate,
                        },
                    )
                    .collect(),
                instructors: instructors
                    .into_iter()
                    .map(|(id, code, name, hourly_cost, active)| SchedInstructor {
                        id,
                        code,
                        name,
                        hourly_cost,
                        active,
                    })
                    .collect(),
                venue_busy: busy(venue_busy),
                instructor_busy: busy(instructor_busy),
                learner_busy: busy(learner_busy),
                blocks: blocks
                    .into_iter()
                    .map(BlockRow::into_block)
                    .collect::<DomainResult<_>>()?,
            })
        })
    }

    // ----- timetables -----------------------------------------------------------------

    /// Stores a draft timetable; returns its id.
    async fn create_timetable(&self, new: &NewTimetable, actor: &Actor) -> DomainResult<i64> {
        let (plan, program) = match new.scope {
            TimetableScope::Plan(id) => (Some(id), None),
            TimetableScope::Program(id) => (None, Some(id)),
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO timetables (plan_id, program_id, window_from, window_to, mode, seed, time_limit_secs, status, \
                 baseline_hard, baseline_soft, hard, soft, report, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(plan).bind(program).bind(new.from).bind(new.to).bind(new.mode.code())
            .bind(new.seed.min(i64::MAX as u64) as i64).bind(new.time_limit_secs as i32)
            .bind(new.totals.baseline_hard).bind(new.totals.baseline_soft).bind(new.totals.hard).bind(new.totals.soft)
            .bind(&new.totals.report).bind(actor.user_id).bind(DbTime(OffsetDateTime::now_utc()))
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            for e in &new.entries {
                sqlx::query(
                    "INSERT INTO timetable_entries (timetable_id, session_id, starts_at, ends_at, venue_id, instructor_id, pinned, \
                     was_starts_at, was_ends_at, was_venue_id, was_instructor_id, session_updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(id).bind(e.session_id).bind(DbTime(e.starts_at)).bind(DbTime(e.ends_at)).bind(e.venue_id).bind(e.instructor_id)
                .bind(e.pinned).bind(DbTime(e.was_starts_at)).bind(DbTime(e.was_ends_at)).bind(e.was_venue_id).bind(e.was_instructor_id)
                .bind(DbTime(e.session_updated_at))
                .execute(&mut *tx).await.map_err(db_error)?;
            }
            let after = serde_json::json!({
                "scope": new.scope, "from": new.from.to_string(), "to": new.to.to_string(), "mode": new.mode.code(),
                "seed": new.seed, "time_limit_secs": new.time_limit_secs, "entries": new.entries.len(),
                "moved": new.entries.iter().filter(|e| e.changed()).count(),
                "hard": new.totals.hard, "soft": new.totals.soft,
            }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("timetables.create", "timetable")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn list_timetables(
        &self,
        filter: &TimetableFilter,
        page: Page,
    ) -> DomainResult<Paged<TimetableSummary>> {
        let plan = filter
            .plan_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let status = filter.status.map(|s| s.code().to_string());
        let (rows, total): (Vec<SummaryRow>, i64) = on_pool!(self, |pool| {
            let push_where = |qb: &mut QueryBuilder<'_, _>| {
                qb.push(" WHERE 1=1");
                if let Some(status) = &status {
                    qb.push(" AND t.status = ").push_bind(status.clone());
                }
                if let Some(plan) = &plan {
                    qb.push(" AND (pl.code = ")
                        .push_bind(plan.clone())
                        .push(" OR p.plan_id IN (SELECT id FROM plans WHERE code = ")
                        .push_bind(plan.clone())
                        .push("))");
                }
            };
            let mut qb = QueryBuilder::new(SUMMARY_SELECT);
            push_where(&mut qb);
            qb.push(" ORDER BY t.id DESC");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM timetables t LEFT JOIN plans pl ON pl.id = t.plan_id LEFT JOIN programs p ON p.id = t.program_id",
            );
            push_where(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(SummaryRow::into_summary);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// A timetable and its entries (in start order).
    async fn timetable(&self, id: i64) -> DomainResult<(TimetableSummary, Vec<TimetableEntry>)> {
        let (row, entries): (Option<SummaryRow>, Vec<EntryRow>) = on_pool!(self, |pool| {
            let row = sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE t.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            let entries = sqlx::query_as(
                "SELECT session_id, starts_at, ends_at, venue_id, instructor_id, pinned, was_starts_at, was_ends_at, was_venue_id, \
                 was_instructor_id, session_updated_at FROM timetable_entries WHERE timetable_id = $1 ORDER BY starts_at, session_id",
            ).bind(id).fetch_all(pool).await.map_err(db_error)?;
            (row, entries)
        });
        let summary = row
            .ok_or(DomainError::NotFound {
                entity: "timetable",
            })?
            .into_summary()?;
        Ok((
            summary,
            entries.into_iter().map(TimetableEntry::from).collect(),
        ))
    }

    /// Saves changed entries of a draft (a move, a pin, a re-solve) with its new
    /// totals; `action` names the audit entry.
    async fn save_timetable_entries(
        &self,
        id: i64,
        entries: &[TimetableEntry],
        totals: &TimetableTotals,
        action: &str,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_draft(&mut *tx, id).await?;
            for e in entries {
                sqlx::query(
                    "UPDATE timetable_entries SET starts_at = $3, ends_at = $4, venue_id = $5, instructor_id = $6, pinned = $7 \
                     WHERE timetable_id = $1 AND session_id = $2",
                )
                .bind(id).bind(e.session_id).bind(DbTime(e.starts_at)).bind(DbTime(e.ends_at)).bind(e.venue_id)
                .bind(e.instructor_id).bind(e.pinned)
                .execute(&mut *tx).await.map_err(db_error)?;
            }
            sqlx::query("UPDATE timetables SET hard = $2, soft = $3, report = $4 WHERE id = $1")
                .bind(id)
                .bind(totals.hard)
                .bind(totals.soft)
                .bind(&totals.report)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let after =
                serde_json::json!({ "entries": entries, "hard": totals.hard, "soft": totals.soft })
                    .to_string();
            append_in!(
                tx,
                &actor
                    .entry(action, "timetable")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Discards a draft.
    async fn discard_timetable(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_draft(&mut *tx, id).await?;
            write_audited!(
                tx,
                sqlx::query("UPDATE timetables SET status = 'discarded' WHERE id = $1").bind(id),
                &actor.entry("timetables.discard", "timetable").entity(id)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Publishes a draft in one transaction: refuses (409) when it is not a draft or
    /// any of its sessions changed since it was made; moves the `changes`' sessions
    /// (time, venue, instructor), audits each, and tells the people concerned —
    /// learners and instructors of the session, an instructor taken off or put on it,
    /// and the owners of the venues it leaves and enters. Returns the notified users.
    async fn publish_timetable(
        &self,
        id: i64,
        entries: &[TimetableEntry],
        changes: &[SessionChange],
        hard_conflicts: i64,
        anyway: bool,
        actor: &Actor,
    ) -> DomainResult<usize> {
        let email = self.email_notifications();
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            ensure_draft(&mut *tx, id).await?;
            // Lock the sessions (PostgreSQL) and compare each with the draft's snapshot.
            for e in entries {
                // A no-op write takes the row lock on PostgreSQL (SQLite's IMMEDIATE
                // transaction already holds the database), so no save slips in between.
                sqlx::query("UPDATE training_sessions SET updated_at = updated_at WHERE id = $1")
                    .bind(e.session_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                let current: Option<(DbTime, String)> = sqlx::query_as(
                    "SELECT updated_at, status FROM training_sessions WHERE id = $1",
                )
                .bind(e.session_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
                match current {
                    Some((updated, status))
                        if updated.0 == e.session_updated_at && status == "scheduled" => {}
                    _ => {
                        return Err(DomainError::Conflict(format!(
                            "session {} changed after the draft was made; the draft is stale, generate a new one",
                            e.session_id
                        )));
                    }
                }
            }
            let mut notified = 0usize;
            for change in changes {
                let e = &change.entry;
                sqlx::query("UPDATE training_sessions SET starts_at = $2, ends_at = $3, venue_id = $4, updated_at = $5 WHERE id = $1")
                    .bind(e.session_id).bind(DbTime(e.starts_at)).bind(DbTime(e.ends_at)).bind(e.venue_id).bind(DbTime(now))
                    .execute(&mut *tx).await.map_err(db_error)?;
                let instructor_changed = e.instructor_id != e.was_instructor_id;
                if instructor_changed {
                    if let Some(old) = e.was_instructor_id {
                        sqlx::query("DELETE FROM training_session_instructors WHERE session_id = $1 AND instructor_id = $2")
                            .bind(e.session_id).bind(old).execute(&mut *tx).await.map_err(db_error)?;
                    }
                    if let Some(new) = e.instructor_id {
                        sqlx::query("INSERT INTO training_session_instructors (session_id, instructor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                            .bind(e.session_id).bind(new).execute(&mut *tx).await.map_err(db_error)?;
                    }
                }
                let before = serde_json::json!({ "starts_at": rfc3339(e.was_starts_at), "ends_at": rfc3339(e.was_ends_at), "venue_id": e.was_venue_id, "instructor_id": e.was_instructor_id }).to_string();
                let after = serde_json::json!({ "starts_at": rfc3339(e.starts_at), "ends_at": rfc3339(e.ends_at), "venue_id": e.venue_id, "instructor_id": e.instructor_id, "timetable": id }).to_string();
                append_in!(
                    tx,
                    &actor
                        .entry("timetables.session_move", "session")
                        .entity(e.session_id)
                        .change(Some(before), Some(after))
                );

                // Who hears about it, each with what changed for them.
                let link = format!("/programs/{}", change.program_id);
                let base = |change_kind: &str, users: Vec<i64>| {
                    NotificationEvent::new(NotificationKind::SessionChanged, users)
                        .param("program", &change.program_title)
                        .param("session", &change.session_title)
                        .param("starts_at", rfc3339(e.was_starts_at))
                        .param("new_starts_at", rfc3339(e.starts_at))
                        .param("change", change_kind)
                        .link(link.clone())
                };
                let with_place = |mut event: NotificationEvent| {
                    if let Some(venue) = &change.venue_name {
                        event = event.param("venue", venue);
                    }
                    if let Some(instructor) = &change.instructor_name {
                        event = event.param("instructor", instructor);
                    }
                    event
                };
                let mut staying: Vec<i64> = sqlx::query_scalar(
                    "SELECT u.id FROM users u WHERE u.active AND u.employee_id IN ( \
                       SELECT employee_id FROM enrollments WHERE program_id = $1 AND status = 'enrolled' \
                       UNION SELECT i.employee_id FROM training_session_instructors si JOIN instructors i ON i.id = si.instructor_id \
                       WHERE si.session_id = $2 AND i.employee_id IS NOT NULL AND si.instructor_id <> $3)",
                ).bind(change.program_id).bind(e.session_id).bind(if instructor_changed { e.instructor_id.unwrap_or(0) } else { 0 })
                    .fetch_all(&mut *tx).await.map_err(db_error)?;
                staying.sort_unstable();
                let instructor_user = |instructor: i64| {
                    sqlx::query_scalar::<_, i64>(
                    "SELECT u.id FROM users u JOIN instructors i ON i.employee_id = u.employee_id WHERE u.active AND i.id = $1",
                ).bind(instructor)
                };
                notified += notify_in!(tx, &with_place(base("rescheduled", staying)), email);
                if instructor_changed {
                    if let Some(old) = e.was_instructor_id {
                        let users: Vec<i64> = instructor_user(old)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        notified += notify_in!(tx, &base("unassigned", users), email);
                    }
                    if let Some(new) = e.instructor_id {
                        let users: Vec<i64> = instructor_user(new)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(db_error)?;
                        notified += notify_in!(tx, &with_place(base("assigned", users)), email);
                    }
                }
                let owner = |venue: i64| {
                    sqlx::query_scalar::<_, i64>(
                    "SELECT u.id FROM users u JOIN venues v ON v.owner_employee_id = u.employee_id WHERE u.active AND v.id = $1",
                ).bind(venue)
                };
                if let Some(venue) = e.venue_id {
                    let users: Vec<i64> =
                        owner(venue).fetch_all(&mut *tx).await.map_err(db_error)?;
                    notified += notify_in!(tx, &with_place(base("venue_booked", users)), email);
                }
                if let Some(old) = e.was_venue_id.filter(|old| Some(*old) != e.venue_id) {
                    let name: Option<String> =
                        sqlx::query_scalar("SELECT name FROM venues WHERE id = $1")
                            .bind(old)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_error)?;
                    let users: Vec<i64> = owner(old).fetch_all(&mut *tx).await.map_err(db_error)?;
                    notified += notify_in!(
                        tx,
                        &base("venue_released", users).param("old_venue", name.unwrap_or_default()),
                        email
                    );
                }
            }
            sqlx::query("UPDATE timetables SET status = 'published', published_by = $2, published_at = $3, published_with_conflicts = $4, hard = $5 WHERE id = $1")
                .bind(id).bind(actor.user_id).bind(DbTime(now)).bind(anyway && hard_conflicts > 0).bind(hard_conflicts)
                .execute(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "sessions_moved": changes.len(), "hard_conflicts": hard_conflicts, "publish_anyway": anyway, "notified": notified }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("timetables.publish", "timetable")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(notified)
        })
    }
}
