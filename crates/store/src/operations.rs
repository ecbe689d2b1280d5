//! Training operations: venues, instructors, plans, programs, sessions, enrollment
//! with waitlists, attendance and completion.

use crate::audit::{append_in, write_audited};
use crate::notifications::{announce_seats_in, announce_session_change_in};
use crate::org::{Own, push_scope};
use crate::prelude::*;
use crate::query::{
    fetch_page, fetch_rows, id_by_code, one_or_not_found, paged, push_any_contains, push_in_list,
    row_by_code,
};
use crate::{DbTime, code_exists, db_error, db_error_or, on_pool, search_pattern};
use domain::audit::Actor;
use domain::operations::{
    AttendanceLine, AttendanceMethod, AttendanceStatus, CHECKIN_CODE_MAX_MINUTES,
    CompletionOutcome, Conflict, ConflictKind, CostKind, CostLine, EnrollOutcome, Enrollment,
    EnrollmentSource, EnrollmentStatus, Instructor, InstructorInput, LATE_AFTER_MINUTES, Plan,
    PlanInput, ProgramDetail, ProgramFilter, ProgramInput, ProgramSkill, ProgramStatus,
    ProgramSummary, Session, SessionInput, SessionMode, TransferGoal, Unavailability, Venue,
    VenueInput, VenueKind,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use time::{Date, Duration, OffsetDateTime};

/// Which calendar to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarOwner {
    /// The sessions of the programs an employee is enrolled in.
    Employee(i64),
    Instructor(i64),
    /// Every booking of a venue, drafts included (programme staff).
    Venue(i64),
    /// The bookings of a venue by programs past their draft (everyone else).
    VenuePublished(i64),
}

/// Writes a program's skills, resources, instructors and costs (after clearing them).
macro_rules! write_program_links_in {
    ($tx:ident, $id:expr, $input:expr) => {{
        let id: i64 = $id;
        let input: &ProgramInput = $input;
        for table in ["program_skills", "program_resources", "program_instructors", "program_costs"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE program_id = $1"))
                .bind(id)
                .execute(&mut *$tx)
                .await
                .map_err(db_error)?;
        }
        for (i, skill) in input.skills.iter().enumerate() {
            let skill_id = id_by_code(&mut *$tx, "SELECT id FROM skills WHERE code = $1", skill.code.trim(), format!("skills[{i}].code"), "record").await?;
            sqlx::query("INSERT INTO program_skills (program_id, skill_id, level) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(id).bind(skill_id).bind(skill.level)
                .execute(&mut *$tx).await.map_err(db_error)?;
        }
        for (i, code) in input.resources.iter().enumerate() {
            let resource_id = id_by_code(&mut *$tx, "SELECT id FROM resources WHERE code = $1", code.trim(), format!("resources[{i}]"), "record").await?;
            sqlx::query("INSERT INTO program_resources (program_id, resource_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id).bind(resource_id)
                .execute(&mut *$tx).await.map_err(db_error)?;
        }
        for (i, code) in input.instructors.iter().enumerate() {
            let instructor_id = id_by_code(&mut *$tx, "SELECT id FROM instructors WHERE code = $1", code.trim(), format!("instructors[{i}]"), "record").await?;
            sqlx::query("INSERT INTO program_instructors (program_id, instructor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id).bind(instructor_id)
                .execute(&mut *$tx).await.map_err(db_error)?;
        }
        for cost in &input.costs {
            sqlx::query("INSERT INTO program_costs (program_id, kind, amount, note) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(cost.kind.code()).bind(cost.amount).bind(cost.note.trim())
                .execute(&mut *$tx).await.map_err(db_error)?;
        }
    }};
}

/// Moves the earliest waiting learners of `program` into free seats.
macro_rules! promote_waitlist_in {
    ($tx:ident, $program:expr) => {{
        let program: i64 = $program;
        let capacity: Option<i32> = sqlx::query_scalar("SELECT capacity FROM programs WHERE id = $1")
            .bind(program).fetch_one(&mut *$tx).await.map_err(db_error)?;
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enrollments WHERE program_id = $1 AND status IN ('enrolled', 'completed', 'incomplete')")
            .bind(program).fetch_one(&mut *$tx).await.map_err(db_error)?;
        let free = capacity.map_or(i64::MAX, |c| (i64::from(c) - taken).max(0));
        let mut promoted: Vec<i64> = Vec::new();
        if free > 0 {
            promoted = sqlx::query_scalar("SELECT id FROM enrollments WHERE program_id = $1 AND status = 'waitlisted' ORDER BY requested_at, id LIMIT $2")
                .bind(program).bind(free.min(1_000_000))
                .fetch_all(&mut *$tx).await.map_err(db_error)?;
            for id in &promoted {
                sqlx::query("UPDATE enrollments SET status = 'enrolled', updated_at = $2 WHERE id = $1")
                    .bind(id).bind(DbTime(OffsetDateTime::now_utc()))
                    .execute(&mut *$tx).await.map_err(db_error)?;
            }
        }
        promoted
    }};
}

/// (id, code, name, site, capacity, kind, equipment, active).
type VenueRow = (i64, String, String, String, i32, String, String, bool);
/// (employee id, number, name, attendance status, method).
type SheetRow = (i64, String, String, Option<String>, Option<String>);

#[derive(sqlx::FromRow)]
struct ProgramRow {
    id: i64,
    code: String,
    title: String,
    status: String,
    plan_code: Option<String>,
    capacity: Option<i32>,
    hours: f64,
    enrolled: i64,
    waitlisted: i64,
    completed: i64,
    sessions: i64,
    first_session: Option<DbTime>,
}

impl ProgramRow {
    fn into_summary(self) -> DomainResult<ProgramSummary> {
        Ok(ProgramSummary {
            id: self.id,
            code: self.code,
            title: self.title,
            status: ProgramStatus::parse(&self.status)?,
            plan_code: self.plan_code,
            capacity: self.capacity,
            hours: self.hours,
            enrolled: self.enrolled,
            waitlisted: self.waitlisted,
            completed: self.completed,
            sessions: self.sessions,
            first_session: self.first_session.map(|t| t.0),
        })
    }
}

const PROGRAM_SELECT: &str = "SELECT p.id, p.code, p.title, p.status, pl.code AS plan_code, p.capacity, p.hours, \
    (SELECT COUNT(*) FROM enrollments e WHERE e.program_id = p.id AND e.status IN ('enrolled', 'completed', 'incomplete')) AS enrolled, \
    (SELECT COUNT(*) FROM enrollments e WHERE e.program_id = p.id AND e.status = 'waitlisted') AS waitlisted, \
    (SELECT COUNT(*) FROM enrollments e WHERE e.program_id = p.id AND e.status = 'completed') AS completed, \
    (SELECT COUNT(*) FROM training_sessions s WHERE s.program_id = p.id AND s.status = 'scheduled') AS sessions, \
    (SELECT MIN(s.starts_at) FROM training_sessions s WHERE s.program_id = p.id AND s.status = 'scheduled') AS first_session \
    FROM programs p LEFT JOIN plans pl ON pl.id = p.plan_id";

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    program_id: i64,
    program_code: String,
    program_title: String,
    title: String,
    starts_at: DbTime,
    ends_at: DbTime,
    mode: String,
    venue_code: Option<String>,
    venue_name: Option<String>,
    capacity: Option<i32>,
    join_url: Option<String>,
    status: String,
}

const SESSION_SELECT: &str = "SELECT s.id, s.program_id, p.code AS program_code, p.title AS program_title, s.title, s.starts_at, s.ends_at, \
    s.mode, v.code AS venue_code, v.name AS venue_name, s.capacity, s.join_url, s.status \
    FROM training_sessions s JOIN programs p ON p.id = s.program_id LEFT JOIN venues v ON v.id = s.venue_id";

#[derive(sqlx::FromRow)]
struct EnrollmentRow {
    id: i64,
    program_id: i64,
    program_code: String,
    program_title: String,
    employee_id: i64,
    employee_number: String,
    employee_name: String,
    department: String,
    source: String,
    status: String,
    requested_at: DbTime,
    completed_on: Option<Date>,
    hours: Option<f64>,
    score: Option<f64>,
    attended: i64,
}

impl EnrollmentRow {
    fn into_enrollment(self) -> DomainResult<Enrollment> {
        Ok(Enrollment {
            id: self.id,
            program_id: self.program_id,
            program_code: self.program_code,
            program_title: self.program_title,
            employee_id: self.employee_id,
            employee_number: self.employee_number,
            employee_name: self.employee_name,
            department: self.department,
            source: EnrollmentSource::parse(&self.source)?,
            status: EnrollmentStatus::parse(&self.status)?,
            requested_at: self.requested_at.0,
            completed_on: self.completed_on,
            hours: self.hours,
            score: self.score,
            attended: self.attended,
        })
    }
}

const ENROLLMENT_SELECT: &str = "SELECT en.id, en.program_id, p.code AS program_code, p.title AS program_title, en.employee_id, \
    e.employee_no AS employee_number, e.name AS employee_name, d.name AS department, en.source, en.status, en.requested_at, \
    en.completed_on, en.hours, en.score, \
    (SELECT COUNT(*) FROM attendance a JOIN training_sessions s ON s.id = a.session_id \
      WHERE s.program_id = en.program_id AND a.employee_id = en.employee_id AND a.status IN ('present', 'late')) AS attended \
    FROM enrollments en JOIN programs p ON p.id = en.program_id JOIN employees e ON e.id = en.employee_id \
    JOIN departments d ON d.id = e.department_id";

/// A six-digit check-in code; not secret beyond the room, so a time-seeded mix suffices.
fn checkin_code(session_id: i64, attempt: u64) -> String {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos() as u64;
    let mut x = nanos
        ^ (session_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ attempt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    format!("{:06}", x % 1_000_000)
}

impl crate::Store {
    async fn save_program(
        &self,
        id: Option<i64>,
        input: &ProgramInput,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let input = input.validated()?;
        let before = match id {
            Some(id) => Some(self.program_detail(id).await?),
            None => None,
        };
        let now = DbTime(OffsetDateTime::now_utc());
        let audience = serde_json::to_string(&input.audience)
            .map_err(|e| DomainError::internal_from("cannot encode JSON", e))?;
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let plan_id: Option<i64> = match &input.plan_code {
                Some(code) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM plans WHERE code = $1",
                        code,
                        "plan_code",
                        "record",
                    )
                    .await?,
                ),
                None => None,
            };
            let kpi_id: Option<i64> = match &input.transfer {
                Some(goal) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM kpis WHERE code = $1",
                        goal.kpi_code.trim(),
                        "transfer.kpi_code",
                        "record",
                    )
                    .await?,
                ),
                None => None,
            };
            for (i, code) in input.audience.departments.iter().enumerate() {
                id_by_code(
                    &mut *tx,
                    "SELECT id FROM departments WHERE code = $1",
                    code,
                    format!("audience.departments[{i}]"),
                    "record",
                )
                .await?;
            }
            for (i, code) in input.audience.positions.iter().enumerate() {
                id_by_code(
                    &mut *tx,
                    "SELECT id FROM positions WHERE code = $1",
                    code,
                    format!("audience.positions[{i}]"),
                    "record",
                )
                .await?;
            }
            for (i, number) in input.audience.employees.iter().enumerate() {
                id_by_code(
                    &mut *tx,
                    "SELECT id FROM employees WHERE employee_no = $1",
                    number,
                    format!("audience.employees[{i}]"),
                    "record",
                )
                .await?;
            }
            let taken = code_exists("a program", &input.code);
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO programs (code, title, plan_id, objectives, audience, capacity, hours, credits, transfer_kpi_id, \
                     transfer_change_pct, transfer_months, min_attendance_pct, cancel_deadline_hours, created_at, updated_at, \
                     survey_required, certificate_months) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16) RETURNING id",
                )
                .bind(&input.code).bind(&input.title).bind(plan_id).bind(&input.objectives).bind(&audience)
                .bind(input.capacity).bind(input.hours).bind(input.credits).bind(kpi_id)
                .bind(input.transfer.as_ref().map(|g| g.change_pct)).bind(input.transfer.as_ref().map(|g| g.months))
                .bind(input.min_attendance_pct).bind(input.cancel_deadline_hours).bind(now)
                .bind(input.survey_required).bind(input.certificate_months)
                .fetch_one(&mut *tx).await.map_err(taken)?,
                Some(id) => {
                    sqlx::query(
                        "UPDATE programs SET code = $2, title = $3, plan_id = $4, objectives = $5, audience = $6, capacity = $7, \
                         hours = $8, credits = $9, transfer_kpi_id = $10, transfer_change_pct = $11, transfer_months = $12, \
                         min_attendance_pct = $13, cancel_deadline_hours = $14, updated_at = $15, \
                         survey_required = $16, certificate_months = $17 WHERE id = $1",
                    )
                    .bind(id).bind(&input.code).bind(&input.title).bind(plan_id).bind(&input.objectives).bind(&audience)
                    .bind(input.capacity).bind(input.hours).bind(input.credits).bind(kpi_id)
                    .bind(input.transfer.as_ref().map(|g| g.change_pct)).bind(input.transfer.as_ref().map(|g| g.months))
                    .bind(input.min_attendance_pct).bind(input.cancel_deadline_hours).bind(now)
                    .bind(input.survey_required).bind(input.certificate_months)
                    .execute(&mut *tx).await.map_err(taken)?;
                    id
                }
            };
            write_program_links_in!(tx, id, &input);
            sqlx::query("UPDATE programs SET exam_required = $2 WHERE id = $1")
                .bind(id)
                .bind(input.exam_required)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            // A larger capacity frees seats for people waiting.
            if before.is_some() {
                promote_waitlist_in!(tx, id);
            }
            let action = if before.is_some() {
                "operations.program_change"
            } else {
                "operations.program_create"
            };
            let before_json = before.as_ref().and_then(|b| serde_json::to_string(b).ok());
            append_in!(
                tx,
                &actor
                    .entry(action, "program")
                    .entity(id)
                    .change(before_json, serde_json::to_string(&input).ok())
            );
            tx.commit().await.map_err(db_error)?;
            id
        });
        Ok(id)
    }

    async fn program_exam_required(&self, id: i64) -> DomainResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT exam_required FROM programs WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await
                .map_err(db_error)
        })
    }

    // ----- sessions ---------------------------------------------------------------

    async fn sessions_where(&self, clause: &str, id: i64) -> DomainResult<Vec<Session>> {
        let (rows, instructors): (Vec<SessionRow>, Vec<(i64, String)>) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(&format!(
                "{SESSION_SELECT} WHERE {clause} ORDER BY s.starts_at, s.id"
            ))
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let instructors = sqlx::query_as(&format!(
                "SELECT si.session_id, i.name FROM training_session_instructors si JOIN instructors i ON i.id = si.instructor_id \
                 WHERE si.session_id IN (SELECT s.id FROM training_sessions s WHERE {clause}) ORDER BY i.code"
            )).bind(id).fetch_all(pool).await.map_err(db_error)?;
            (rows, instructors)
        });
        let mut by_session: HashMap<i64, Vec<String>> = HashMap::new();
        for (session, name) in instructors {
            by_session.entry(session).or_default().push(name);
        }
        rows.into_iter()
            .map(|r| {
                Ok(Session {
                    id: r.id,
                    program_id: r.program_id,
                    program_code: r.program_code,
                    program_title: r.program_title,
                    title: r.title,
                    starts_at: r.starts_at.0,
                    ends_at: r.ends_at.0,
                    mode: SessionMode::parse(&r.mode)?,
                    venue_code: r.venue_code,
                    venue_name: r.venue_name,
                    capacity: r.capacity,
                    join_url: r.join_url,
                    cancelled: r.status == "cancelled",
                    instructors: by_session.remove(&r.id).unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// The operations port: every query and change of this context.
pub trait OperationsRepository {
    // ----- venues and instructors -------------------------------------------------

    fn create_venue(
        &self,
        input: &VenueInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn list_venues(&self) -> impl std::future::Future<Output = DomainResult<Vec<Venue>>> + Send;

    fn create_instructor(
        &self,
        input: &InstructorInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn list_instructors(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Instructor>>> + Send;

    /// The instructor record of an employee, if they teach.
    fn instructor_of_employee(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Option<i64>>> + Send;

    /// Whether the employee teaches the session, and it is still scheduled.
    fn teaches(
        &self,
        employee_id: i64,
        session_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<bool>> + Send;

    fn add_unavailability(
        &self,
        instructor_id: i64,
        period: &Unavailability,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    // ----- plans and programs -----------------------------------------------------

    fn create_plan(
        &self,
        input: &PlanInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn list_plans(&self) -> impl std::future::Future<Output = DomainResult<Vec<Plan>>> + Send;

    /// Creates a program in status draft; returns its id.
    fn create_program(
        &self,
        input: &ProgramInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Replaces a program's fields and links; its sessions and enrollments stay.
    fn update_program(
        &self,
        id: i64,
        input: &ProgramInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Moves a program to `status`; closing it settles every enrollment's completion
    /// and returns what that did.
    fn set_program_status(
        &self,
        id: i64,
        status: ProgramStatus,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Option<CompletionOutcome>>> + Send;

    fn list_programs(
        &self,
        filter: &ProgramFilter,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<ProgramSummary>>> + Send;

    /// A program's id by its code.
    fn program_id(&self, code: &str)
    -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    fn program_detail(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<ProgramDetail>> + Send;

    fn program_sessions(
        &self,
        program_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Session>>> + Send;

    fn session(&self, id: i64) -> impl std::future::Future<Output = DomainResult<Session>> + Send;

    /// The scheduled sessions on one person's, instructor's or venue's calendar.
    fn calendar(
        &self,
        owner: CalendarOwner,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Session>>> + Send;

    /// What would clash if a session of `program_id` were held as `input`
    /// (`except`: the session being moved).
    fn session_conflicts(
        &self,
        program_id: i64,
        input: &SessionInput,
        except: Option<i64>,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Conflict>>> + Send;

    /// Adds a session to a program, or moves `session` (`Some`). Refuses with the
    /// conflicts listed unless the input allows them.
    fn save_session(
        &self,
        program_id: i64,
        session: Option<i64>,
        input: &SessionInput,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(i64, Vec<Conflict>)>> + Send;

    /// Cancels a session: it leaves calendars and no longer counts for attendance.
    fn cancel_session(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    // ----- enrollment --------------------------------------------------------------

    /// Active employees matched by a program's audience rule, within `scope`.
    fn audience_members(
        &self,
        rule: &domain::operations::AudienceRule,
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<Vec<i64>>> + Send;

    /// Employee ids for employee numbers, in `scope`; names the first unknown one.
    fn employees_in_scope(
        &self,
        numbers: &[String],
        scope: &DataScope,
    ) -> impl std::future::Future<Output = DomainResult<Vec<i64>>> + Send;

    /// Enrols `employees` into a program: seats first come first served, the rest
    /// wait. People already in the program are left as they are.
    fn enroll(
        &self,
        program_id: i64,
        employees: &[i64],
        source: EnrollmentSource,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<EnrollOutcome>> + Send;

    fn enrollment(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Enrollment>> + Send;

    /// Cancels an enrollment and gives its seat to the first person waiting. With
    /// `by_learner`, refused after the program's cancellation deadline.
    fn cancel_enrollment(
        &self,
        id: i64,
        by_learner: bool,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Vec<i64>>> + Send;

    /// A program's enrollments of people in `scope`, waiting list in its order.
    fn program_enrollments(
        &self,
        program_id: i64,
        scope: &DataScope,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<Enrollment>>> + Send;

    /// Everything one employee is or was enrolled in, newest first.
    fn employee_enrollments(
        &self,
        employee_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Enrollment>>> + Send;

    // ----- attendance -------------------------------------------------------------

    /// Issues a fresh check-in code for a session, valid for `minutes`.
    fn issue_checkin_code(
        &self,
        session_id: i64,
        minutes: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(String, OffsetDateTime)>> + Send;

    /// The live check-in code of a session, if any.
    fn live_checkin_code(
        &self,
        session_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Option<(String, OffsetDateTime)>>> + Send;

    /// Checks an enrolled learner in with a session's code; late after
    /// [`LATE_AFTER_MINUTES`]. Returns the session and the recorded status.
    fn check_in(
        &self,
        code: &str,
        employee_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<(i64, AttendanceStatus)>> + Send;

    /// The attendance sheet of a session: every enrolled learner and what is recorded.
    fn attendance_sheet(
        &self,
        session_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<AttendanceLine>>> + Send;

    /// Records a roll call: each listed learner's status. Every learner must be
    /// enrolled in the session's program; nothing is written otherwise.
    fn roll_call(
        &self,
        session_id: i64,
        marks: &[(i64, AttendanceStatus)],
        method: AttendanceMethod,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// Settles completion: every enrolled learner who attended at least the
    /// program's share of its held sessions (and, when the program requires it,
    /// answered its surveys) completes with the program's hours and gets a
    /// certificate; the others are incomplete.
    fn settle_completion(
        &self,
        program_id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<CompletionOutcome>> + Send;
}

impl OperationsRepository for crate::Store {
    // ----- venues and instructors -------------------------------------------------

    async fn create_venue(&self, input: &VenueInput, actor: &Actor) -> DomainResult<i64> {
        let input = input.validated()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO venues (code, name, site, capacity, kind, equipment, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(&input.code).bind(&input.name).bind(&input.site).bind(input.capacity)
            .bind(input.kind.code()).bind(&input.equipment).bind(now)
            .fetch_one(&mut *tx).await
            .map_err(code_exists("a venue", &input.code))?;
            let after = serde_json::to_string(&input).ok();
            append_in!(
                tx,
                &actor
                    .entry("operations.venue_create", "venue")
                    .entity(id)
                    .change(None, after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn list_venues(&self) -> DomainResult<Vec<Venue>> {
        let rows: Vec<VenueRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, code, name, site, capacity, kind, equipment, active FROM venues ORDER BY site, code")
                .fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(
                |(id, code, name, site, capacity, kind, equipment, active)| {
                    Ok(Venue {
                        id,
                        code,
                        name,
                        site,
                        capacity,
                        kind: VenueKind::parse(&kind)?,
                        equipment,
                        active,
                    })
                },
            )
            .collect()
    }

    async fn create_instructor(&self, input: &InstructorInput, actor: &Actor) -> DomainResult<i64> {
        let input = input.validated()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let employee_id: Option<i64> = match &input.employee_number {
                Some(number) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM employees WHERE employee_no = $1",
                        number,
                        "employee_number",
                        "record",
                    )
                    .await?,
                ),
                None => None,
            };
            let origin = if employee_id.is_some() {
                "internal"
            } else {
                "external"
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO instructors (code, name, origin, employee_id, vendor, hourly_cost, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(&input.code).bind(&input.name).bind(origin).bind(employee_id)
            .bind(&input.vendor).bind(input.hourly_cost).bind(now)
            .fetch_one(&mut *tx).await
            .map_err(db_error_or(|| DomainError::invalid("code", format!("the code '{}' or the employee is already an instructor", input.code))))?;
            for (i, skill) in input.skills.iter().enumerate() {
                let skill_id = id_by_code(
                    &mut *tx,
                    "SELECT id FROM skills WHERE code = $1",
                    skill,
                    format!("skills[{i}]"),
                    "record",
                )
                .await?;
                sqlx::query(
                    "INSERT INTO instructor_skills (instructor_id, skill_id) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(skill_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            let after = serde_json::to_string(&input).ok();
            append_in!(
                tx,
                &actor
                    .entry("operations.instructor_create", "instructor")
                    .entity(id)
                    .change(None, after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn list_instructors(&self) -> DomainResult<Vec<Instructor>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            code: String,
            name: String,
            origin: String,
            employee_id: Option<i64>,
            employee_number: Option<String>,
            vendor: Option<String>,
            hourly_cost: f64,
            active: bool,
        }
        let (rows, skills): (Vec<Row>, Vec<(i64, String)>) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(
                "SELECT i.id, i.code, i.name, i.origin, i.employee_id, e.employee_no AS employee_number, i.vendor, i.hourly_cost, i.active \
                 FROM instructors i LEFT JOIN employees e ON e.id = i.employee_id ORDER BY i.code",
            ).fetch_all(pool).await.map_err(db_error)?;
            let skills = sqlx::query_as(
                "SELECT isk.instructor_id, s.code FROM instructor_skills isk JOIN skills s ON s.id = isk.skill_id ORDER BY s.code",
            ).fetch_all(pool).await.map_err(db_error)?;
            (rows, skills)
        });
        let mut by_instructor: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, code) in skills {
            by_instructor.entry(id).or_default().push(code);
        }
        Ok(rows
            .into_iter()
            .map(|r| Instructor {
                skills: by_instructor.remove(&r.id).unwrap_or_default(),
                id: r.id,
                code: r.code,
                name: r.name,
                origin: r.origin,
                employee_id: r.employee_id,
                employee_number: r.employee_number,
                vendor: r.vendor,
                hourly_cost: r.hourly_cost,
                active: r.active,
            })
            .collect())
    }

    /// The instructor record of an employee, if they teach.
    async fn instructor_of_employee(&self, employee_id: i64) -> DomainResult<Option<i64>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM instructors WHERE employee_id = $1")
                .bind(employee_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)
        })
    }

    /// Whether the employee teaches the session, and it is still scheduled.
    async fn teaches(&self, employee_id: i64, session_id: i64) -> DomainResult<bool> {
        on_pool!(self, |pool| {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT si.session_id FROM training_session_instructors si \
                 JOIN instructors i ON i.id = si.instructor_id \
                 JOIN training_sessions s ON s.id = si.session_id \
                 WHERE si.session_id = $1 AND i.employee_id = $2 AND s.status = 'scheduled'",
            )
            .bind(session_id)
            .bind(employee_id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(found.is_some())
        })
    }

    async fn add_unavailability(
        &self,
        instructor_id: i64,
        period: &Unavailability,
        actor: &Actor,
    ) -> DomainResult<i64> {
        if period.ends_at <= period.starts_at {
            return Err(DomainError::invalid("ends_at", "must be after the start"));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO instructor_unavailability (instructor_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(instructor_id).bind(DbTime(period.starts_at)).bind(DbTime(period.ends_at)).bind(period.reason.trim())
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::to_string(period).ok();
            append_in!(
                tx,
                &actor
                    .entry("operations.instructor_unavailable", "instructor")
                    .entity(instructor_id)
                    .change(None, after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    // ----- plans and programs -----------------------------------------------------

    async fn create_plan(&self, input: &PlanInput, actor: &Actor) -> DomainResult<i64> {
        let input = input.validated()?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (code, name, period, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(&input.code).bind(&input.name).bind(&input.period).bind(now)
            .fetch_one(&mut *tx).await
            .map_err(code_exists("a plan", &input.code))?;
            let after = serde_json::to_string(&input).ok();
            append_in!(
                tx,
                &actor
                    .entry("operations.plan_create", "plan")
                    .entity(id)
                    .change(None, after)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    async fn list_plans(&self) -> DomainResult<Vec<Plan>> {
        let rows: Vec<(i64, String, String, String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT pl.id, pl.code, pl.name, pl.period, pl.status, (SELECT COUNT(*) FROM programs p WHERE p.plan_id = pl.id) \
                 FROM plans pl ORDER BY pl.period DESC, pl.code",
            ).fetch_all(pool).await.map_err(db_error)?
        });
        Ok(rows
            .into_iter()
            .map(|(id, code, name, period, status, programs)| Plan {
                id,
                code,
                name,
                period,
                status,
                programs,
            })
            .collect())
    }

    /// Creates a program in status draft; returns its id.
    async fn create_program(&self, input: &ProgramInput, actor: &Actor) -> DomainResult<i64> {
        self.save_program(None, input, actor).await
    }

    /// Replaces a program's fields and links; its sessions and enrollments stay.
    async fn update_program(
        &self,
        id: i64,
        input: &ProgramInput,
        actor: &Actor,
    ) -> DomainResult<()> {
        self.save_program(Some(id), input, actor).await.map(|_| ())
    }

    /// Moves a program to `status`; closing it settles every enrollment's completion
    /// and returns what that did.
    async fn set_program_status(
        &self,
        id: i64,
        status: ProgramStatus,
        actor: &Actor,
    ) -> DomainResult<Option<CompletionOutcome>> {
        let current = self.program_detail(id).await?.summary.status;
        if current == ProgramStatus::Historical || status == ProgramStatus::Historical {
            return Err(DomainError::invalid(
                "status",
                "historical programs come only from an import and stay as they are",
            ));
        }
        // Asking for the status a program already has changes nothing.
        if current == status {
            return Ok(None);
        }
        if !current.can_move_to(status) {
            return Err(DomainError::invalid(
                "status",
                format!(
                    "a {} program cannot become {}",
                    current.code(),
                    status.code()
                ),
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE programs SET status = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(status.code())
                .bind(DbTime(OffsetDateTime::now_utc()))
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let before = serde_json::json!({ "status": current.code() }).to_string();
            let after = serde_json::json!({ "status": status.code() }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("operations.program_status", "program")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
        });
        if status == ProgramStatus::Closed {
            let outcome = self.settle_completion(id, actor).await?;
            // Managers rate the completed learners' behavior change at +30 and +90 days.
            self.schedule_behavior_ratings(id).await?;
            return Ok(Some(outcome));
        }
        Ok(None)
    }

    async fn list_programs(
        &self,
        filter: &ProgramFilter,
        page: Page,
    ) -> DomainResult<Paged<ProgramSummary>> {
        let (rows, total): (Vec<ProgramRow>, i64) = on_pool!(self, |pool| {
            let push_where = |qb: &mut QueryBuilder<'_, _>| {
                if let Some(pattern) = search_pattern(filter.q.as_deref()) {
                    push_any_contains(qb, &["p.title", "p.code"], &pattern);
                }
                if let Some(status) = filter.status {
                    qb.push(" AND p.status = ")
                        .push_bind(status.code().to_string());
                }
                if filter.open_only {
                    qb.push(" AND p.status = 'open'");
                }
                if filter.hide_drafts {
                    qb.push(" AND p.status <> 'draft'");
                }
                if let Some(plan) = filter
                    .plan_code
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                {
                    qb.push(" AND pl.code = ").push_bind(plan.to_string());
                }
            };
            let mut qb = QueryBuilder::new(PROGRAM_SELECT);
            qb.push(" WHERE 1=1");
            push_where(&mut qb);
            qb.push(" ORDER BY CASE p.status WHEN 'open' THEN 0 WHEN 'running' THEN 1 WHEN 'draft' THEN 2 WHEN 'closed' THEN 3 ELSE 4 END, p.updated_at DESC, p.id DESC");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM programs p LEFT JOIN plans pl ON pl.id = p.plan_id WHERE 1=1",
            );
            push_where(&mut count);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(ProgramRow::into_summary);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// A program's id by its code.
    async fn program_id(&self, code: &str) -> DomainResult<i64> {
        let id: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM programs WHERE code = $1")
                .bind(code.trim())
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        id.ok_or(DomainError::NotFound { entity: "program" })
    }

    async fn program_detail(&self, id: i64) -> DomainResult<ProgramDetail> {
        type Extra = (
            String,
            String,
            f64,
            Option<String>,
            Option<f64>,
            Option<i32>,
            i32,
            i32,
        );
        type Links = (
            Vec<(String, i32)>,
            Vec<String>,
            Vec<String>,
            Vec<(String, f64, String)>,
        );
        let (
            row,
            extra,
            (skills, resources, instructors, costs),
            (survey_required, certificate_months),
        ): (
            Option<ProgramRow>,
            Option<Extra>,
            Links,
            (bool, Option<i32>),
        ) = on_pool!(self, |pool| {
            let row = sqlx::query_as(&format!("{PROGRAM_SELECT} WHERE p.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?;
            let extra = sqlx::query_as(
                "SELECT p.objectives, p.audience, p.credits, k.code, p.transfer_change_pct, p.transfer_months, p.min_attendance_pct, \
                 p.cancel_deadline_hours FROM programs p LEFT JOIN kpis k ON k.id = p.transfer_kpi_id WHERE p.id = $1",
            ).bind(id).fetch_optional(pool).await.map_err(db_error)?;
            let skills = sqlx::query_as("SELECT s.code, ps.level FROM program_skills ps JOIN skills s ON s.id = ps.skill_id WHERE ps.program_id = $1 ORDER BY s.code")
                .bind(id).fetch_all(pool).await.map_err(db_error)?;
            let resources = sqlx::query_scalar("SELECT r.code FROM program_resources pr JOIN resources r ON r.id = pr.resource_id WHERE pr.program_id = $1 ORDER BY r.code")
                .bind(id).fetch_all(pool).await.map_err(db_error)?;
            let instructors = sqlx::query_scalar("SELECT i.code FROM program_instructors pi JOIN instructors i ON i.id = pi.instructor_id WHERE pi.program_id = $1 ORDER BY i.code")
                .bind(id).fetch_all(pool).await.map_err(db_error)?;
            let costs = sqlx::query_as(
                "SELECT kind, amount, note FROM program_costs WHERE program_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let certification: Option<(bool, Option<i32>)> = sqlx::query_as(
                "SELECT survey_required, certificate_months FROM programs WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            (
                row,
                extra,
                (skills, resources, instructors, costs),
                certification.unwrap_or_default(),
            )
        });
        let (Some(row), Some(extra)) = (row, extra) else {
            return Err(DomainError::NotFound { entity: "program" });
        };
        let (
            objectives,
            audience,
            credits,
            kpi,
            change_pct,
            months,
            min_attendance_pct,
            cancel_deadline_hours,
        ) = extra;
        let transfer = match (kpi, change_pct, months) {
            (Some(kpi_code), Some(change_pct), Some(months)) => Some(TransferGoal {
                kpi_code,
                change_pct,
                months,
            }),
            _ => None,
        };
        let sessions = self.program_sessions(id).await?;
        Ok(ProgramDetail {
            summary: row.into_summary()?,
            objectives,
            audience: serde_json::from_str(&audience).unwrap_or_default(),
            credits,
            skills: skills
                .into_iter()
                .map(|(code, level)| ProgramSkill { code, level })
                .collect(),
            resources,
            instructors,
            costs: costs
                .into_iter()
                .map(|(kind, amount, note)| {
                    Ok(CostLine {
                        kind: CostKind::parse(&kind)?,
                        amount,
                        note,
                    })
                })
                .collect::<DomainResult<_>>()?,
            transfer,
            min_attendance_pct,
            cancel_deadline_hours,
            survey_required,
            certificate_months,
            exam_required: self.program_exam_required(id).await?,
            sessions,
        })
    }

    async fn program_sessions(&self, program_id: i64) -> DomainResult<Vec<Session>> {
        self.sessions_where("s.program_id = $1", program_id).await
    }

    async fn session(&self, id: i64) -> DomainResult<Session> {
        self.sessions_where("s.id = $1", id)
            .await?
            .pop()
            .ok_or(DomainError::NotFound { entity: "session" })
    }

    /// The scheduled sessions on one person's, instructor's or venue's calendar.
    async fn calendar(&self, owner: CalendarOwner) -> DomainResult<Vec<Session>> {
        let (clause, id) = match owner {
            CalendarOwner::Employee(id) => (
                "s.status = 'scheduled' AND s.program_id IN (SELECT program_id FROM enrollments WHERE employee_id = $1 AND status IN ('enrolled', 'completed', 'incomplete'))",
                id,
            ),
            CalendarOwner::Instructor(id) => (
                "s.status = 'scheduled' AND s.id IN (SELECT session_id FROM training_session_instructors WHERE instructor_id = $1)",
                id,
            ),
            CalendarOwner::Venue(id) => ("s.status = 'scheduled' AND s.venue_id = $1", id),
            CalendarOwner::VenuePublished(id) => (
                "s.status = 'scheduled' AND s.venue_id = $1 \
                 AND s.program_id IN (SELECT id FROM programs WHERE status <> 'draft')",
                id,
            ),
        };
        self.sessions_where(clause, id).await
    }

    /// What would clash if a session of `program_id` were held as `input`
    /// (`except`: the session being moved).
    async fn session_conflicts(
        &self,
        program_id: i64,
        input: &SessionInput,
        except: Option<i64>,
    ) -> DomainResult<Vec<Conflict>> {
        let input = input.validated()?;
        let (start, end) = (DbTime(input.starts_at), DbTime(input.ends_at));
        let except = except.unwrap_or(0);
        let mut conflicts = Vec::new();
        on_pool!(self, |pool| {
            if let Some(code) = &input.venue_code {
                let (venue_id, venue_name, venue_capacity, active): (i64, String, i32, bool) =
                    row_by_code(
                        pool,
                        "SELECT id, name, capacity, active FROM venues WHERE code = $1",
                        code,
                        "venue_code",
                        "venue",
                    )
                    .await?;
                if !active {
                    conflicts.push(Conflict {
                        kind: ConflictKind::VenueInactive,
                        subject: code.clone(),
                        other_session_id: None,
                        detail: format!("{venue_name} is no longer in use"),
                    });
                }
                let clashes: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT s.id, s.title, p.title FROM training_sessions s JOIN programs p ON p.id = s.program_id \
                     WHERE s.venue_id = $1 AND s.status = 'scheduled' AND s.id <> $2 AND s.starts_at < $4 AND s.ends_at > $3 ORDER BY s.starts_at",
                ).bind(venue_id).bind(except).bind(start).bind(end).fetch_all(pool).await.map_err(db_error)?;
                for (other, title, program) in clashes {
                    conflicts.push(Conflict {
                        kind: ConflictKind::VenueBooked,
                        subject: code.clone(),
                        other_session_id: Some(other),
                        detail: format!("{venue_name} is booked for {program} · {title}"),
                    });
                }
                let seats: Option<i32> = match input.capacity {
                    Some(c) => Some(c),
                    None => sqlx::query_scalar("SELECT capacity FROM programs WHERE id = $1")
                        .bind(program_id)
                        .fetch_optional(pool)
                        .await
                        .map_err(db_error)?
                        .flatten(),
                };
                if let Some(seats) = seats
                    && seats > venue_capacity
                {
                    conflicts.push(Conflict {
                        kind: ConflictKind::VenueTooSmall,
                        subject: code.clone(),
                        other_session_id: None,
                        detail: format!(
                            "{venue_name} seats {venue_capacity}, the session needs {seats}"
                        ),
                    });
                }
            }
            for (i, code) in input.instructors.iter().enumerate() {
                let (instructor_id, name): (i64, String) = row_by_code(
                    pool,
                    "SELECT id, name FROM instructors WHERE code = $1",
                    code.trim(),
                    format!("instructors[{i}]"),
                    "instructor",
                )
                .await?;
                let clashes: Vec<(i64, String, String)> = sqlx::query_as(
                    "SELECT s.id, s.title, p.title FROM training_sessions s JOIN programs p ON p.id = s.program_id \
                     JOIN training_session_instructors si ON si.session_id = s.id \
                     WHERE si.instructor_id = $1 AND s.status = 'scheduled' AND s.id <> $2 AND s.starts_at < $4 AND s.ends_at > $3 ORDER BY s.starts_at",
                ).bind(instructor_id).bind(except).bind(start).bind(end).fetch_all(pool).await.map_err(db_error)?;
                for (other, title, program) in clashes {
                    conflicts.push(Conflict {
                        kind: ConflictKind::InstructorBooked,
                        subject: code.trim().to_string(),
                        other_session_id: Some(other),
                        detail: format!("{name} teaches {program} · {title} then"),
                    });
                }
                let away: Vec<String> = sqlx::query_scalar(
                    "SELECT reason FROM instructor_unavailability WHERE instructor_id = $1 AND starts_at < $3 AND ends_at > $2",
                ).bind(instructor_id).bind(start).bind(end).fetch_all(pool).await.map_err(db_error)?;
                for reason in away {
                    conflicts.push(Conflict {
                        kind: ConflictKind::InstructorUnavailable,
                        subject: code.trim().to_string(),
                        other_session_id: None,
                        detail: format!("{name} is unavailable ({reason})"),
                    });
                }
            }
            // Enrolled learners already sitting in another program's session then.
            let learners: Vec<(String, String, i64, String)> = sqlx::query_as(
                "SELECT e.employee_no, e.name, s.id, p.title FROM enrollments mine \
                 JOIN enrollments other ON other.employee_id = mine.employee_id AND other.program_id <> mine.program_id AND other.status = 'enrolled' \
                 JOIN training_sessions s ON s.program_id = other.program_id AND s.status = 'scheduled' AND s.starts_at < $3 AND s.ends_at > $2 \
                 JOIN programs p ON p.id = s.program_id JOIN employees e ON e.id = mine.employee_id \
                 WHERE mine.program_id = $1 AND mine.status = 'enrolled' ORDER BY e.employee_no LIMIT 200",
            ).bind(program_id).bind(start).bind(end).fetch_all(pool).await.map_err(db_error)?;
            for (number, name, other, program) in learners {
                conflicts.push(Conflict {
                    kind: ConflictKind::LearnerBooked,
                    subject: number,
                    other_session_id: Some(other),
                    detail: format!("{name} attends {program} then"),
                });
            }
        });
        Ok(conflicts)
    }

    /// Adds a session to a program, or moves `session` (`Some`). Refuses with the
    /// conflicts listed unless the input allows them.
    async fn save_session(
        &self,
        program_id: i64,
        session: Option<i64>,
        input: &SessionInput,
        actor: &Actor,
    ) -> DomainResult<(i64, Vec<Conflict>)> {
        let input = input.validated()?;
        let detail = self.program_detail(program_id).await?;
        if !detail.summary.status.is_active() {
            return Err(DomainError::invalid(
                "program",
                "a closed or historical program takes no new or moved sessions",
            ));
        }
        let before = match session {
            Some(id) => {
                let s = self.session(id).await?;
                if s.program_id != program_id {
                    return Err(DomainError::NotFound { entity: "session" });
                }
                Some(s)
            }
            None => None,
        };
        let conflicts = self.session_conflicts(program_id, &input, session).await?;
        if !conflicts.is_empty() && !input.allow_conflicts {
            let list: Vec<String> = conflicts
                .iter()
                .map(|c| format!("{}: {}", c.kind.code(), c.detail))
                .collect();
            return Err(DomainError::Conflict(format!(
                "the session clashes: {}",
                list.join("; ")
            )));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let venue_id: Option<i64> = match &input.venue_code {
                Some(code) => Some(
                    id_by_code(
                        &mut *tx,
                        "SELECT id FROM venues WHERE code = $1",
                        code,
                        "venue_code",
                        "record",
                    )
                    .await?,
                ),
                None => None,
            };
            let id: i64 = match session {
                None => sqlx::query_scalar(
                    "INSERT INTO training_sessions (program_id, title, starts_at, ends_at, mode, venue_id, capacity, join_url, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(program_id).bind(&input.title).bind(DbTime(input.starts_at)).bind(DbTime(input.ends_at))
                .bind(input.mode.code()).bind(venue_id).bind(input.capacity).bind(&input.join_url).bind(now)
                .fetch_one(&mut *tx).await.map_err(db_error)?,
                Some(id) => {
                    sqlx::query(
                        "UPDATE training_sessions SET title = $2, starts_at = $3, ends_at = $4, mode = $5, venue_id = $6, capacity = $7, \
                         join_url = $8, updated_at = $9 WHERE id = $1",
                    )
                    .bind(id).bind(&input.title).bind(DbTime(input.starts_at)).bind(DbTime(input.ends_at))
                    .bind(input.mode.code()).bind(venue_id).bind(input.capacity).bind(&input.join_url).bind(now)
                    .execute(&mut *tx).await.map_err(db_error)?;
                    sqlx::query("DELETE FROM training_session_instructors WHERE session_id = $1")
                        .bind(id).execute(&mut *tx).await.map_err(db_error)?;
                    id
                }
            };
            for (i, code) in input.instructors.iter().enumerate() {
                let instructor = id_by_code(
                    &mut *tx,
                    "SELECT id FROM instructors WHERE code = $1",
                    code.trim(),
                    format!("instructors[{i}]"),
                    "record",
                )
                .await?;
                sqlx::query("INSERT INTO training_session_instructors (session_id, instructor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id).bind(instructor).execute(&mut *tx).await.map_err(db_error)?;
            }
            if let Some(was) = before.as_ref().filter(|b| {
                b.starts_at != input.starts_at
                    || b.ends_at != input.ends_at
                    || b.venue_code != input.venue_code
            }) {
                announce_session_change_in!(
                    tx,
                    self.email_notifications(),
                    was,
                    Some(input.starts_at)
                );
            }
            let action = if before.is_some() {
                "operations.session_move"
            } else {
                "operations.session_create"
            };
            let after = serde_json::json!({ "input": &input, "conflicts": &conflicts }).to_string();
            append_in!(
                tx,
                &actor.entry(action, "session").entity(id).change(
                    before.as_ref().and_then(|b| serde_json::to_string(b).ok()),
                    Some(after)
                )
            );
            tx.commit().await.map_err(db_error)?;
            id
        });
        Ok((id, conflicts))
    }

    /// Cancels a session: it leaves calendars and no longer counts for attendance.
    async fn cancel_session(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        let session = self.session(id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            write_audited!(tx, sqlx::query("UPDATE training_sessions SET status = 'cancelled', checkin_code = NULL, updated_at = $2 WHERE id = $1")
                .bind(id).bind(DbTime(OffsetDateTime::now_utc())), &actor
                    .entry("operations.session_cancel", "session")
                    .entity(id));
            if !session.cancelled {
                announce_session_change_in!(tx, self.email_notifications(), &session, None);
            }
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    // ----- enrollment --------------------------------------------------------------

    /// Active employees matched by a program's audience rule, within `scope`.
    async fn audience_members(
        &self,
        rule: &domain::operations::AudienceRule,
        scope: &DataScope,
    ) -> DomainResult<Vec<i64>> {
        if rule.is_empty() {
            return Ok(Vec::new());
        }
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT e.id FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status = 'active' AND ",
            );
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" AND (1=0");
            for code in &rule.departments {
                qb.push(" OR d.path LIKE (SELECT path FROM departments WHERE code = ")
                    .push_bind(code.clone())
                    .push(") || '%'");
            }
            for code in &rule.positions {
                qb.push(" OR e.position_id = (SELECT id FROM positions WHERE code = ")
                    .push_bind(code.clone())
                    .push(")");
            }
            for tag in &rule.tags {
                qb.push(" OR e.id IN (SELECT employee_id FROM person_tags WHERE value = ")
                    .push_bind(tag.clone())
                    .push(")");
            }
            for number in &rule.employees {
                qb.push(" OR e.employee_no = ").push_bind(number.clone());
            }
            qb.push(") ORDER BY e.id");
            qb.build_query_scalar()
                .fetch_all(pool)
                .await
                .map_err(db_error)
        })
    }

    /// Employee ids for employee numbers, in `scope`; names the first unknown one.
    async fn employees_in_scope(
        &self,
        numbers: &[String],
        scope: &DataScope,
    ) -> DomainResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(numbers.len());
        for chunk in numbers.chunks(500) {
            let found: Vec<(String, i64)> = on_pool!(self, |pool| {
                let mut qb = QueryBuilder::new(
                    "SELECT e.employee_no, e.id FROM employees e JOIN departments d ON d.id = e.department_id WHERE e.status = 'active' AND ",
                );
                push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
                qb.push(" AND e.employee_no IN (");
                push_in_list(&mut qb, chunk.iter().map(|n| n.trim().to_string()));
                fetch_rows(pool, &mut qb).await?
            });
            let found: HashMap<String, i64> = found.into_iter().collect();
            for n in chunk {
                match found.get(n.trim()) {
                    Some(id) => ids.push(*id),
                    None => {
                        return Err(DomainError::invalid(
                            "employees",
                            format!("'{}' is not an active employee you may enrol", n.trim()),
                        ));
                    }
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    /// Enrols `employees` into a program: seats first come first served, the rest
    /// wait. People already in the program are left as they are.
    async fn enroll(
        &self,
        program_id: i64,
        employees: &[i64],
        source: EnrollmentSource,
        actor: &Actor,
    ) -> DomainResult<EnrollOutcome> {
        let detail = self.program_detail(program_id).await?;
        match (detail.summary.status, source) {
            (ProgramStatus::Open, _) => {}
            (
                ProgramStatus::Running | ProgramStatus::Draft,
                EnrollmentSource::Assigned | EnrollmentSource::Pushed,
            ) => {}
            (ProgramStatus::Draft | ProgramStatus::Running, EnrollmentSource::SelfService) => {
                return Err(DomainError::invalid(
                    "program",
                    "this program does not take sign-ups",
                ));
            }
            _ => return Err(DomainError::invalid("program", "this program is closed")),
        }
        let now = OffsetDateTime::now_utc();
        let mut outcome = EnrollOutcome::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // Lock the program row on PostgreSQL so concurrent enrollments count seats one at a time.
            sqlx::query("UPDATE programs SET updated_at = updated_at WHERE id = $1")
                .bind(program_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let existing: Vec<(i64, String)> =
                sqlx::query_as("SELECT employee_id, status FROM enrollments WHERE program_id = $1")
                    .bind(program_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(db_error)?;
            let existing: HashMap<i64, String> = existing.into_iter().collect();
            let taken = existing
                .values()
                .filter(|s| matches!(s.as_str(), "enrolled" | "completed" | "incomplete"))
                .count() as i64;
            let mut free = detail
                .summary
                .capacity
                .map_or(i64::MAX, |c| (i64::from(c) - taken).max(0));
            let mut fresh: Vec<(i64, &'static str)> = Vec::new();
            let mut revived: Vec<(i64, &'static str)> = Vec::new();
            for &employee in employees {
                let status = if free > 0 {
                    free -= 1;
                    "enrolled"
                } else {
                    "waitlisted"
                };
                match existing.get(&employee).map(String::as_str) {
                    None => fresh.push((employee, status)),
                    Some("cancelled") => revived.push((employee, status)),
                    Some(_) => {
                        outcome.already += 1;
                        continue;
                    }
                }
                if status == "enrolled" {
                    outcome.enrolled += 1
                } else {
                    outcome.waitlisted += 1
                }
            }
            let stamp = DbTime(now);
            for chunk in fresh.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO enrollments (program_id, employee_id, source, status, requested_at, enrolled_by, updated_at) ",
                );
                qb.push_values(chunk, |mut row, (employee, status)| {
                    row.push_bind(program_id)
                        .push_bind(*employee)
                        .push_bind(source.code())
                        .push_bind(*status)
                        .push_bind(stamp)
                        .push_bind(actor.user_id)
                        .push_bind(stamp);
                });
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            for (employee, status) in &revived {
                sqlx::query("UPDATE enrollments SET status = $3, source = $4, requested_at = $5, cancelled_at = NULL, enrolled_by = $6, updated_at = $5 \
                             WHERE program_id = $1 AND employee_id = $2")
                    .bind(program_id).bind(employee).bind(*status).bind(source.code()).bind(stamp).bind(actor.user_id)
                    .execute(&mut *tx).await.map_err(db_error)?;
            }
            let after = serde_json::json!({ "source": source.code(), "requested": employees.len(), "outcome": &outcome }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("operations.enroll", "program")
                    .entity(program_id)
                    .change(None, Some(after))
            );
            let seated: Vec<i64> = fresh
                .iter()
                .chain(&revived)
                .filter(|(_, s)| *s == "enrolled")
                .map(|(e, _)| *e)
                .collect();
            announce_seats_in!(
                tx,
                self.email_notifications(),
                domain::notifications::NotificationKind::Enrolled,
                &detail.summary,
                &seated
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(outcome)
    }

    async fn enrollment(&self, id: i64) -> DomainResult<Enrollment> {
        let row: EnrollmentRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{ENROLLMENT_SELECT} WHERE en.id = $1"),
                id,
                "enrollment",
            )
            .await?
        });
        row.into_enrollment()
    }

    /// Cancels an enrollment and gives its seat to the first person waiting. With
    /// `by_learner`, refused after the program's cancellation deadline.
    async fn cancel_enrollment(
        &self,
        id: i64,
        by_learner: bool,
        actor: &Actor,
    ) -> DomainResult<Vec<i64>> {
        let enrollment = self.enrollment(id).await?;
        if !matches!(
            enrollment.status,
            EnrollmentStatus::Enrolled | EnrollmentStatus::Waitlisted
        ) {
            return Err(DomainError::invalid(
                "status",
                format!(
                    "a {} enrollment cannot be cancelled",
                    enrollment.status.code()
                ),
            ));
        }
        let detail = self.program_detail(enrollment.program_id).await?;
        if by_learner
            && let Some(first) = detail.summary.first_session
            && OffsetDateTime::now_utc()
                > first - Duration::hours(i64::from(detail.cancel_deadline_hours))
        {
            return Err(DomainError::invalid(
                "enrollment",
                format!(
                    "cancellation closed {} hours before the first session; ask your training administrator",
                    detail.cancel_deadline_hours
                ),
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let now = DbTime(OffsetDateTime::now_utc());
            sqlx::query("UPDATE enrollments SET status = 'cancelled', cancelled_at = $2, updated_at = $2 WHERE id = $1")
                .bind(id).bind(now).execute(&mut *tx).await.map_err(db_error)?;
            let promoted = promote_waitlist_in!(tx, enrollment.program_id);
            let mut seated: Vec<i64> = Vec::new();
            for id in &promoted {
                seated.push(
                    sqlx::query_scalar("SELECT employee_id FROM enrollments WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_error)?,
                );
            }
            announce_seats_in!(
                tx,
                self.email_notifications(),
                domain::notifications::NotificationKind::WaitlistPromoted,
                &detail.summary,
                &seated
            );
            let before = serde_json::json!({ "status": enrollment.status.code() }).to_string();
            let after =
                serde_json::json!({ "status": "cancelled", "promoted": &promoted }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("operations.enrollment_cancel", "enrollment")
                    .entity(id)
                    .change(Some(before), Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(promoted)
        })
    }

    /// A program's enrollments of people in `scope`, waiting list in its order.
    async fn program_enrollments(
        &self,
        program_id: i64,
        scope: &DataScope,
        page: Page,
    ) -> DomainResult<Paged<Enrollment>> {
        let (rows, total): (Vec<EnrollmentRow>, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(ENROLLMENT_SELECT);
            qb.push(" WHERE en.program_id = ")
                .push_bind(program_id)
                .push(" AND ");
            push_scope(&mut qb, scope, "d.path", Own::EmployeeIn("e.id"));
            qb.push(" ORDER BY CASE en.status WHEN 'enrolled' THEN 0 WHEN 'completed' THEN 1 WHEN 'incomplete' THEN 2 WHEN 'waitlisted' THEN 3 ELSE 4 END, en.requested_at, en.id");
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM enrollments en JOIN employees e ON e.id = en.employee_id JOIN departments d ON d.id = e.department_id WHERE en.program_id = ",
            );
            count.push_bind(program_id).push(" AND ");
            push_scope(&mut count, scope, "d.path", Own::EmployeeIn("e.id"));
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(EnrollmentRow::into_enrollment);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// Everything one employee is or was enrolled in, newest first.
    async fn employee_enrollments(&self, employee_id: i64) -> DomainResult<Vec<Enrollment>> {
        let rows: Vec<EnrollmentRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!("{ENROLLMENT_SELECT} WHERE en.employee_id = $1 ORDER BY en.requested_at DESC, en.id DESC"))
                .bind(employee_id).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(EnrollmentRow::into_enrollment)
            .collect()
    }

    // ----- attendance -------------------------------------------------------------

    /// Issues a fresh check-in code for a session, valid for `minutes`.
    async fn issue_checkin_code(
        &self,
        session_id: i64,
        minutes: i64,
        actor: &Actor,
    ) -> DomainResult<(String, OffsetDateTime)> {
        if !(1..=CHECKIN_CODE_MAX_MINUTES).contains(&minutes) {
            return Err(DomainError::invalid(
                "minutes",
                format!("must be between 1 and {CHECKIN_CODE_MAX_MINUTES}"),
            ));
        }
        let session = self.session(session_id).await?;
        if session.cancelled {
            return Err(DomainError::invalid("session", "the session is cancelled"));
        }
        let now = OffsetDateTime::now_utc();
        let expires = now + Duration::minutes(minutes);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // Codes are looked up alone, so no two live codes may be equal.
            let mut code = checkin_code(session_id, 0);
            for attempt in 1..50u64 {
                let clash: Option<i64> = sqlx::query_scalar("SELECT id FROM training_sessions WHERE checkin_code = $1 AND checkin_expires_at > $2 AND id <> $3")
                    .bind(&code).bind(DbTime(now)).bind(session_id).fetch_optional(&mut *tx).await.map_err(db_error)?;
                if clash.is_none() {
                    break;
                }
                code = checkin_code(session_id, attempt);
            }
            write_audited!(tx, sqlx::query("UPDATE training_sessions SET checkin_code = $2, checkin_expires_at = $3 WHERE id = $1")
                .bind(session_id).bind(&code).bind(DbTime(expires)), &actor
                    .entry("operations.checkin_code", "session")
                    .entity(session_id)
                    .change(
                        None,
                        Some(serde_json::json!({ "minutes": minutes }).to_string())
                    ));
            tx.commit().await.map_err(db_error)?;
            Ok((code, expires))
        })
    }

    /// The live check-in code of a session, if any.
    async fn live_checkin_code(
        &self,
        session_id: i64,
    ) -> DomainResult<Option<(String, OffsetDateTime)>> {
        let row: Option<(Option<String>, Option<DbTime>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT checkin_code, checkin_expires_at FROM training_sessions WHERE id = $1",
            )
            .bind(session_id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?
        });
        Ok(match row {
            Some((Some(code), Some(expires))) if expires.0 > OffsetDateTime::now_utc() => {
                Some((code, expires.0))
            }
            _ => None,
        })
    }

    /// Checks an enrolled learner in with a session's code; late after
    /// [`LATE_AFTER_MINUTES`]. Returns the session and the recorded status.
    async fn check_in(
        &self,
        code: &str,
        employee_id: i64,
        actor: &Actor,
    ) -> DomainResult<(i64, AttendanceStatus)> {
        let code = code.trim();
        if code.is_empty() {
            return Err(DomainError::invalid("code", "is required"));
        }
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let session: Option<(i64, i64, DbTime)> = sqlx::query_as(
                "SELECT id, program_id, starts_at FROM training_sessions WHERE checkin_code = $1 AND checkin_expires_at > $2 AND status = 'scheduled'",
            ).bind(code).bind(DbTime(now)).fetch_optional(&mut *tx).await.map_err(db_error)?;
            let Some((session_id, program_id, starts_at)) = session else {
                return Err(DomainError::invalid(
                    "code",
                    "the code is wrong or has expired",
                ));
            };
            let enrolled: Option<String> = sqlx::query_scalar(
                "SELECT status FROM enrollments WHERE program_id = $1 AND employee_id = $2",
            )
            .bind(program_id)
            .bind(employee_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
            if enrolled.as_deref() != Some("enrolled") {
                return Err(DomainError::invalid(
                    "code",
                    "you are not enrolled in this session's program",
                ));
            }
            let status = if now > starts_at.0 + Duration::minutes(LATE_AFTER_MINUTES) {
                AttendanceStatus::Late
            } else {
                AttendanceStatus::Present
            };
            write_audited!(tx, sqlx::query(
                "INSERT INTO attendance (session_id, employee_id, status, method, recorded_at, recorded_by) VALUES ($1, $2, $3, 'code', $4, $5) \
                 ON CONFLICT (session_id, employee_id) DO UPDATE SET status = excluded.status, method = excluded.method, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by",
            ).bind(session_id).bind(employee_id).bind(status.code()).bind(DbTime(now)).bind(actor.user_id), &actor.entry("operations.check_in", "session").entity(session_id).change(None, Some(serde_json::json!({ "employee_id": employee_id, "status": status.code() }).to_string())));
            tx.commit().await.map_err(db_error)?;
            Ok((session_id, status))
        })
    }

    /// The attendance sheet of a session: every enrolled learner and what is recorded.
    async fn attendance_sheet(&self, session_id: i64) -> DomainResult<Vec<AttendanceLine>> {
        let rows: Vec<SheetRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, e.employee_no, e.name, a.status, a.method FROM training_sessions s \
                 JOIN enrollments en ON en.program_id = s.program_id AND en.status IN ('enrolled', 'completed', 'incomplete') \
                 JOIN employees e ON e.id = en.employee_id \
                 LEFT JOIN attendance a ON a.session_id = s.id AND a.employee_id = e.id \
                 WHERE s.id = $1 ORDER BY e.employee_no",
            ).bind(session_id).fetch_all(pool).await.map_err(db_error)?
        });
        rows.into_iter()
            .map(
                |(employee_id, employee_number, employee_name, status, method)| {
                    Ok(AttendanceLine {
                        employee_id,
                        employee_number,
                        employee_name,
                        status: status.as_deref().map(AttendanceStatus::parse).transpose()?,
                        method: method.as_deref().map(AttendanceMethod::parse).transpose()?,
                    })
                },
            )
            .collect()
    }

    /// Records a roll call: each listed learner's status. Every learner must be
    /// enrolled in the session's program; nothing is written otherwise.
    async fn roll_call(
        &self,
        session_id: i64,
        marks: &[(i64, AttendanceStatus)],
        method: AttendanceMethod,
        actor: &Actor,
    ) -> DomainResult<usize> {
        let session = self.session(session_id).await?;
        if session.cancelled {
            return Err(DomainError::invalid("session", "the session is cancelled"));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let enrolled: Vec<i64> = sqlx::query_scalar("SELECT employee_id FROM enrollments WHERE program_id = $1 AND status IN ('enrolled', 'completed', 'incomplete')")
                .bind(session.program_id).fetch_all(&mut *tx).await.map_err(db_error)?;
            let enrolled: std::collections::HashSet<i64> = enrolled.into_iter().collect();
            if let Some((stranger, _)) = marks.iter().find(|(e, _)| !enrolled.contains(e)) {
                return Err(DomainError::invalid(
                    "employee",
                    format!("employee {stranger} is not enrolled in this program"),
                ));
            }
            for chunk in marks.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO attendance (session_id, employee_id, status, method, recorded_at, recorded_by) ",
                );
                qb.push_values(chunk, |mut row, (employee, status)| {
                    row.push_bind(session_id)
                        .push_bind(*employee)
                        .push_bind(status.code())
                        .push_bind(method.code())
                        .push_bind(now)
                        .push_bind(actor.user_id);
                });
                qb.push(" ON CONFLICT (session_id, employee_id) DO UPDATE SET status = excluded.status, method = excluded.method, \
                          recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by");
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            let counts = serde_json::json!({
                "present": marks.iter().filter(|m| m.1 == AttendanceStatus::Present).count(),
                "late": marks.iter().filter(|m| m.1 == AttendanceStatus::Late).count(),
                "absent": marks.iter().filter(|m| m.1 == AttendanceStatus::Absent).count(),
                "method": method.code(),
            });
            append_in!(
                tx,
                &actor
                    .entry("operations.roll_call", "session")
                    .entity(session_id)
                    .change(None, Some(counts.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(marks.len())
        })
    }

    /// Settles completion: every enrolled learner who attended at least the
    /// program's share of its held sessions (and, when the program requires it,
    /// answered its surveys) completes with the program's hours and gets a
    /// certificate; the others are incomplete.
    async fn settle_completion(
        &self,
        program_id: i64,
        actor: &Actor,
    ) -> DomainResult<CompletionOutcome> {
        let detail = self.program_detail(program_id).await?;
        let held: Vec<&Session> = detail.sessions.iter().filter(|s| !s.cancelled).collect();
        let last_day = held.iter().map(|s| s.ends_at).max().map(|t| t.date());
        let held_count = held.len() as i64;
        let needed = (held_count * i64::from(detail.min_attendance_pct) + 99) / 100;
        let today = OffsetDateTime::now_utc().date();
        // With exam_required, only the learners who passed the final exam complete.
        let exam_passers = if detail.exam_required {
            Some(self.final_exam_passers(program_id).await?)
        } else {
            None
        };
        let mut outcome = CompletionOutcome::default();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            // The last column: 1 when the survey part of the rule is met (see surveys.rs).
            let rows: Vec<(i64, i64, i64)> = sqlx::query_as(&format!(
                "SELECT en.id, (SELECT COUNT(*) FROM attendance a JOIN training_sessions s ON s.id = a.session_id \
                   WHERE s.program_id = en.program_id AND s.status = 'scheduled' AND a.employee_id = en.employee_id AND a.status IN ('present', 'late')), \
                 {} \
                 FROM enrollments en WHERE en.program_id = $1 AND en.status = 'enrolled'",
                crate::surveys::SURVEY_CONDITION_SQL,
            )).bind(program_id).fetch_all(&mut *tx).await.map_err(db_error)?;
            let now = DbTime(OffsetDateTime::now_utc());
            let (done, not_done): (Vec<i64>, Vec<i64>) = {
                let mut done = Vec::new();
                let mut not_done = Vec::new();
                for (id, attended, survey_done) in rows {
                    let exam_passed = exam_passers.as_ref().is_none_or(|p| p.contains(&id));
                    if held_count > 0 && attended >= needed && survey_done == 1 && exam_passed {
                        done.push(id)
                    } else {
                        not_done.push(id)
                    }
                }
                (done, not_done)
            };
            for chunk in done.chunks(500) {
                let mut qb = QueryBuilder::new(
                    "UPDATE enrollments SET status = 'completed', completed_on = ",
                );
                qb.push_bind(last_day.unwrap_or(today))
                    .push(", hours = ")
                    .push_bind(detail.summary.hours)
                    .push(", updated_at = ")
                    .push_bind(now)
                    .push(" WHERE id IN (");
                push_in_list(&mut qb, chunk.iter().copied());
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            for chunk in not_done.chunks(500) {
                let mut qb = QueryBuilder::new(
                    "UPDATE enrollments SET status = 'incomplete', updated_at = ",
                );
                qb.push_bind(now).push(" WHERE id IN (");
                push_in_list(&mut qb, chunk.iter().copied());
                qb.build().execute(&mut *tx).await.map_err(db_error)?;
            }
            // Certificates for the completed, in the same transaction.
            crate::certificates::issue_certificates_in!(
                tx,
                &done,
                last_day.unwrap_or(today),
                detail.certificate_months
            );
            outcome.completed = done.len();
            outcome.incomplete = not_done.len();
            append_in!(
                tx,
                &actor
                    .entry("operations.completion", "program")
                    .entity(program_id)
                    .change(
                        None,
                        Some(serde_json::to_string(&outcome).unwrap_or_default())
                    )
            );
            tx.commit().await.map_err(db_error)?;
        });
        Ok(outcome)
    }
}
