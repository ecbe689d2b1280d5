//! Training operations: plans, venues, instructors, programs, sessions, enrollment,
//! attendance, check-in, completion and calendars.

use crate::Context;
use crate::access::{require, require_session_runner, scope_or_forbidden};
use domain::audit::Actor;
use domain::operations::{
    AttendanceLine, AttendanceMethod, AttendanceStatus, CompletionOutcome, Conflict, EnrollOutcome,
    Enrollment, EnrollmentSource, Instructor, InstructorInput, Plan, PlanInput, ProgramDetail,
    ProgramFilter, ProgramInput, ProgramStatus, ProgramSummary, Session, SessionInput,
    Unavailability, Venue, VenueInput,
};
use domain::org::OrgRepository;
use domain::{DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal};
use std::collections::HashMap;
use store::CalendarOwner;
use store::prelude::*;
use time::OffsetDateTime;

/// Who is being enrolled into a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrollees {
    /// The caller's own employee record (self-service).
    Myself,
    /// Named people by employee number, within the caller's enrollment scope.
    People(Vec<String>),
    /// Everyone the program's audience rule matches (program staff only).
    Audience,
}

/// Enrols people into program `program_id`: seats go first come first served, the rest
/// wait. The same rules answer the page and the API: an empty list of people, or an
/// audience rule that is missing or matches no active employee, is a validation error
/// on that field, never a silent success.
pub async fn enroll(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    who: Enrollees,
    actor: &Actor,
) -> DomainResult<EnrollOutcome> {
    let (people, source) = match who {
        Enrollees::Myself => {
            let me = principal.employee_id.ok_or_else(|| {
                DomainError::invalid("self", "your account is not linked to an employee record")
            })?;
            ctx.store.program_detail(program_id).await?;
            (vec![me], EnrollmentSource::SelfService)
        }
        Enrollees::People(numbers) => {
            let scope = scope_or_forbidden(principal, Permission::EnrollPeople)?;
            ctx.store.program_detail(program_id).await?;
            let numbers: Vec<String> = numbers
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
            if numbers.is_empty() {
                return Err(DomainError::invalid(
                    "employees",
                    "list at least one employee number",
                ));
            }
            let ids = ctx.store.employees_in_scope(&numbers, &scope).await?;
            (ids, EnrollmentSource::Assigned)
        }
        Enrollees::Audience => {
            require(principal, Permission::ManagePrograms)?;
            let detail = ctx.store.program_detail(program_id).await?;
            if detail.audience.is_empty() {
                return Err(DomainError::invalid(
                    "audience",
                    "the program has no audience rule",
                ));
            }
            let members = ctx
                .store
                .audience_members(&detail.audience, &DataScope::company())
                .await?;
            if members.is_empty() {
                return Err(DomainError::invalid(
                    "audience",
                    "the program's audience rule matches no active employee",
                ));
            }
            (members, EnrollmentSource::Pushed)
        }
    };
    ctx.store.enroll(program_id, &people, source, actor).await
}

// ----- who may do what ----------------------------------------------------------------

/// Whether the caller keeps programs (setup, editing, sessions, drafts): for pages
/// that show or hide the buttons.
pub fn may_manage_programs(principal: &Principal) -> bool {
    principal.can(Permission::ManagePrograms)
}

/// Whether the caller enrols other people somewhere.
pub fn may_enroll_others(principal: &Principal) -> bool {
    principal.can(Permission::EnrollPeople)
}

/// The people whose enrollments the caller sees and changes: their EnrollPeople scope
/// (programme staff hold it with the same reach as their ManagePrograms grant), the
/// same scope in which they enrol people. `Forbidden` when it covers nobody.
pub fn enrollment_scope(principal: &Principal) -> DomainResult<DataScope> {
    scope_or_forbidden(principal, Permission::EnrollPeople)
}

/// Whether the caller acts for instructor `instructor_id`: programme staff for every
/// instructor, an instructor for themself.
async fn may_act_for_instructor(
    ctx: &Context,
    principal: &Principal,
    instructor_id: i64,
) -> DomainResult<bool> {
    if let Some(employee) = principal.employee_id
        && ctx.store.instructor_of_employee(employee).await? == Some(instructor_id)
    {
        return Ok(true);
    }
    Ok(may_manage_programs(principal))
}

// ----- plans, venues, instructors -------------------------------------------------------

/// Training plans, newest period first (programme staff).
pub async fn list_plans(ctx: &Context, principal: &Principal) -> DomainResult<Vec<Plan>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.list_plans().await
}

/// Adds a yearly or quarterly plan.
pub async fn create_plan(
    ctx: &Context,
    principal: &Principal,
    input: &PlanInput,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.create_plan(input, actor).await
}

/// Venues, by site and code (programme staff).
pub async fn list_venues(ctx: &Context, principal: &Principal) -> DomainResult<Vec<Venue>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.list_venues().await
}

/// A venue's hourly rate and owner, as the scheduler uses them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueScheduling {
    /// ¥ per hour, 0 to 1,000,000.
    pub hourly_rate: f64,
    /// Employee number of the person told about the venue's changed bookings; none or
    /// empty: nobody.
    pub owner_employee_number: Option<String>,
}

impl VenueScheduling {
    fn owner(&self) -> Option<&str> {
        self.owner_employee_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// Checks the rate and the owner before anything is written.
    async fn checked(&self, ctx: &Context) -> DomainResult<()> {
        if !self.hourly_rate.is_finite() || !(0.0..=1_000_000.0).contains(&self.hourly_rate) {
            return Err(DomainError::invalid(
                "hourly_rate",
                "must be between 0 and 1000000",
            ));
        }
        if let Some(owner) = self.owner() {
            ctx.store
                .employees_in_scope(&[owner.to_string()], &DataScope::company())
                .await
                .map_err(|_| {
                    DomainError::invalid(
                        "owner_employee_number",
                        format!("'{owner}' is not an active employee"),
                    )
                })?;
        }
        Ok(())
    }
}

/// Adds a venue, with its rate and owner when given. Everything is checked first, so
/// a mistake writes nothing.
pub async fn create_venue(
    ctx: &Context,
    principal: &Principal,
    input: &VenueInput,
    scheduling: Option<&VenueScheduling>,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    input.validated()?;
    if let Some(s) = scheduling {
        s.checked(ctx).await?;
    }
    let id = ctx.store.create_venue(input, actor).await?;
    if let Some(s) = scheduling
        && (s.hourly_rate > 0.0 || s.owner().is_some())
    {
        ctx.store
            .set_venue_scheduling(id, s.hourly_rate, s.owner(), actor)
            .await?;
    }
    Ok(id)
}

/// Sets a venue's hourly rate and owner.
pub async fn set_venue_scheduling(
    ctx: &Context,
    principal: &Principal,
    venue_id: i64,
    scheduling: &VenueScheduling,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store
        .set_venue_scheduling(
            venue_id,
            scheduling.hourly_rate,
            scheduling.owner_employee_number.as_deref(),
            actor,
        )
        .await
}

/// Instructors, internal and external (programme staff).
pub async fn list_instructors(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<Instructor>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.list_instructors().await
}

/// Adds an instructor.
pub async fn create_instructor(
    ctx: &Context,
    principal: &Principal,
    input: &InstructorInput,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.create_instructor(input, actor).await
}

/// Records a period an instructor cannot teach: programme staff for anyone, an
/// instructor for themself.
pub async fn add_unavailability(
    ctx: &Context,
    principal: &Principal,
    instructor_id: i64,
    input: &Unavailability,
    actor: &Actor,
) -> DomainResult<i64> {
    if !may_act_for_instructor(ctx, principal, instructor_id).await? {
        return Err(DomainError::Forbidden);
    }
    // An unknown id would otherwise surface as a foreign-key conflict.
    if !ctx
        .store
        .list_instructors()
        .await?
        .iter()
        .any(|i| i.id == instructor_id)
    {
        return Err(DomainError::NotFound {
            entity: "instructor",
        });
    }
    ctx.store
        .add_unavailability(instructor_id, input, actor)
        .await
}

/// A venue's scheduling settings as recorded: the hourly rate, and the owner's
/// employee number and name.
pub type VenueSettings = (f64, Option<String>, Option<String>);

/// What the setup page shows: venues with their scheduling settings, instructors and
/// plans.
pub struct Setup {
    /// Each venue with its settings, when recorded.
    pub venues: Vec<(Venue, Option<VenueSettings>)>,
    pub instructors: Vec<Instructor>,
    pub plans: Vec<Plan>,
}

/// Plans, venues and instructors for programme staff.
pub async fn setup(ctx: &Context, principal: &Principal) -> DomainResult<Setup> {
    require(principal, Permission::ManagePrograms)?;
    let settings = ctx.store.venue_scheduling().await?;
    let venues = ctx
        .store
        .list_venues()
        .await?
        .into_iter()
        .map(|v| {
            let found = settings
                .iter()
                .find(|x| x.0 == v.id)
                .map(|x| (x.1, x.3.clone(), x.4.clone()));
            (v, found)
        })
        .collect();
    Ok(Setup {
        venues,
        instructors: ctx.store.list_instructors().await?,
        plans: ctx.store.list_plans().await?,
    })
}

// ----- programs -------------------------------------------------------------------

/// Programs, open ones first; every signed-in person may browse them, drafts only
/// programme staff (`filter.hide_drafts` is set here).
pub async fn list_programs(
    ctx: &Context,
    principal: &Principal,
    filter: &ProgramFilter,
    page: Page,
) -> DomainResult<Paged<ProgramSummary>> {
    let filter = ProgramFilter {
        hide_drafts: !may_manage_programs(principal),
        ..filter.clone()
    };
    ctx.store.list_programs(&filter, page).await
}

/// The program list page: the programs as [`list_programs`] answers, and the plans to
/// filter by.
pub struct ProgramCatalogue {
    pub programs: Paged<ProgramSummary>,
    pub plans: Vec<Plan>,
}

/// Programs and the plans to filter them by, for everyone signed in.
pub async fn program_catalogue(
    ctx: &Context,
    principal: &Principal,
    filter: &ProgramFilter,
    page: Page,
) -> DomainResult<ProgramCatalogue> {
    Ok(ProgramCatalogue {
        programs: list_programs(ctx, principal, filter, page).await?,
        plans: ctx.store.list_plans().await?,
    })
}

/// Adds a program as a draft; `strict_venue_capacity`, when given, says whether its
/// venue must seat every learner.
pub async fn create_program(
    ctx: &Context,
    principal: &Principal,
    input: &ProgramInput,
    strict_venue_capacity: Option<bool>,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    let id = ctx.store.create_program(input, actor).await?;
    if let Some(strict) = strict_venue_capacity {
        ctx.store
            .set_program_strict_capacity(id, strict, actor)
            .await?;
    }
    Ok(id)
}

/// Replaces a program's fields (sessions and enrollments stay).
pub async fn update_program(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &ProgramInput,
    strict_venue_capacity: Option<bool>,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.update_program(id, input, actor).await?;
    if let Some(strict) = strict_venue_capacity {
        ctx.store
            .set_program_strict_capacity(id, strict, actor)
            .await?;
    }
    Ok(())
}

/// A program as the caller may see it: a draft is not there yet for anyone but the
/// people preparing it.
pub async fn get_program(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<ProgramDetail> {
    let detail = ctx.store.program_detail(id).await?;
    if detail.summary.status == ProgramStatus::Draft && !may_manage_programs(principal) {
        return Err(DomainError::NotFound { entity: "program" });
    }
    Ok(detail)
}

/// A program as its edit form needs it.
pub struct ProgramEdit {
    pub detail: ProgramDetail,
    pub strict_venue_capacity: bool,
    pub plans: Vec<Plan>,
}

/// A program to edit (programme staff).
pub async fn program_for_edit(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<ProgramEdit> {
    require(principal, Permission::ManagePrograms)?;
    Ok(ProgramEdit {
        detail: ctx.store.program_detail(id).await?,
        strict_venue_capacity: ctx.store.program_strict_capacity(id).await?,
        plans: ctx.store.list_plans().await?,
    })
}

/// What the program page shows the caller.
pub struct ProgramOverview {
    pub detail: ProgramDetail,
    /// The enrollments of the people in the caller's enrollment scope (first 200), and
    /// their total; empty for callers who enrol nobody.
    pub enrollments: Vec<Enrollment>,
    pub enrollment_total: i64,
    /// The caller's own enrollment.
    pub mine: Option<Enrollment>,
    pub can_manage: bool,
    pub can_enroll_others: bool,
    /// Venues to book (programme staff only).
    pub venues: Vec<Venue>,
    /// The training needs the program was planned from (programme staff only).
    pub needs: Vec<domain::needs::NeedSummary>,
}

/// A program with what the caller may see and do about it.
pub async fn program_overview(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<ProgramOverview> {
    let detail = get_program(ctx, principal, id).await?;
    let can_manage = may_manage_programs(principal);
    let (enrollments, enrollment_total) = match enrollment_scope(principal) {
        Ok(scope) => {
            let paged = ctx
                .store
                .program_enrollments(id, &scope, Page::new(Some(1), Some(200)))
                .await?;
            (paged.items, paged.total)
        }
        Err(_) => (Vec::new(), 0),
    };
    let mine = match principal.employee_id {
        Some(e) => ctx
            .store
            .employee_enrollments(e)
            .await?
            .into_iter()
            .find(|en| en.program_id == id),
        None => None,
    };
    let (venues, needs) = if can_manage {
        (
            ctx.store.list_venues().await?,
            ctx.store.program_needs(id).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ProgramOverview {
        detail,
        enrollments,
        enrollment_total,
        mine,
        can_manage,
        can_enroll_others: may_enroll_others(principal),
        venues,
        needs,
    })
}

/// Moves a program to another status; closing settles completion by the program's
/// minimum attendance.
pub async fn set_program_status(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    status: ProgramStatus,
    actor: &Actor,
) -> DomainResult<Option<CompletionOutcome>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.set_program_status(id, status, actor).await
}

// ----- sessions -------------------------------------------------------------------

/// Why a session was not saved.
#[derive(Debug)]
pub enum SessionRefusal {
    /// It clashes and the caller did not allow clashes.
    Clashes(Vec<Conflict>),
    Error(DomainError),
}

impl From<DomainError> for SessionRefusal {
    fn from(e: DomainError) -> Self {
        SessionRefusal::Error(e)
    }
}

impl SessionRefusal {
    /// The refusal as one domain error (clashes as a `Conflict` listing them).
    pub fn into_domain(self) -> DomainError {
        match self {
            SessionRefusal::Error(e) => e,
            SessionRefusal::Clashes(conflicts) => {
                let list: Vec<String> = conflicts
                    .iter()
                    .map(|c| format!("{}: {}", c.kind.code(), c.detail))
                    .collect();
                DomainError::Conflict(format!("the session clashes: {}", list.join("; ")))
            }
        }
    }
}

/// A saved session and the clashes it was saved with (allowed ones).
#[derive(Debug)]
pub struct SavedSession {
    pub id: i64,
    pub conflicts: Vec<Conflict>,
}

/// Saves a new (`session` None) or moved session after a structured clash check.
async fn save_checked_session(
    ctx: &Context,
    program_id: i64,
    session: Option<i64>,
    input: &SessionInput,
    actor: &Actor,
) -> Result<SavedSession, SessionRefusal> {
    // The store refuses clashes too, but only with text; checking here gives the list.
    let conflicts = ctx
        .store
        .session_conflicts(program_id, input, session)
        .await?;
    if !conflicts.is_empty() && !input.allow_conflicts {
        return Err(SessionRefusal::Clashes(conflicts));
    }
    let (id, conflicts) = ctx
        .store
        .save_session(program_id, session, input, actor)
        .await?;
    Ok(SavedSession { id, conflicts })
}

/// Adds a session to a program. Clashes of venue, instructors or learners refuse it
/// unless `input.allow_conflicts` is set.
pub async fn add_session(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    input: &SessionInput,
    actor: &Actor,
) -> Result<SavedSession, SessionRefusal> {
    require(principal, Permission::ManagePrograms)?;
    // 404 before any clash is reported for a program that does not exist.
    ctx.store.program_detail(program_id).await?;
    save_checked_session(ctx, program_id, None, input, actor).await
}

/// Moves or changes a session, checked for clashes as when adding one.
pub async fn move_session(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
    input: &SessionInput,
    actor: &Actor,
) -> Result<SavedSession, SessionRefusal> {
    require(principal, Permission::ManagePrograms)?;
    let session = ctx.store.session(session_id).await?;
    if session.cancelled {
        return Err(DomainError::invalid("session", "a cancelled session cannot be moved").into());
    }
    save_checked_session(ctx, session.program_id, Some(session_id), input, actor).await
}

/// Cancels a session: it leaves calendars and no longer counts for attendance.
/// Returns the session as it was.
pub async fn cancel_session(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
    actor: &Actor,
) -> DomainResult<Session> {
    require(principal, Permission::ManagePrograms)?;
    let session = ctx.store.session(session_id).await?;
    ctx.store.cancel_session(session_id, actor).await?;
    Ok(session)
}

/// Checks a session against the calendars without saving it; `session_id` is the
/// session being moved, so it does not clash with itself.
pub async fn check_conflicts(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    input: &SessionInput,
    session_id: Option<i64>,
) -> DomainResult<Vec<Conflict>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.program_detail(program_id).await?;
    ctx.store
        .session_conflicts(program_id, input, session_id)
        .await
}

// ----- enrollment ------------------------------------------------------------------

/// A program's enrollments of the people in the caller's enrollment scope, waiting list
/// in order.
pub async fn list_enrollments(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    page: Page,
) -> DomainResult<Paged<Enrollment>> {
    let scope = enrollment_scope(principal)?;
    ctx.store.program_detail(program_id).await?;
    ctx.store
        .program_enrollments(program_id, &scope, page)
        .await
}

/// What a cancellation did.
#[derive(Debug)]
pub struct CancelledEnrollment {
    pub program_id: i64,
    /// Enrollment ids moved off the waiting list.
    pub promoted: Vec<i64>,
    /// Cancelled by someone who enrols the person (not held to the deadline), rather
    /// than by the learner themself.
    pub by_staff: bool,
}

/// Cancels an enrollment and gives the seat to the first person waiting. Learners
/// cancelling their own are held to the program's deadline; people who enrol the
/// learner (within their enrollment scope) are not. Anyone else finds nothing.
pub async fn cancel_enrollment(
    ctx: &Context,
    principal: &Principal,
    enrollment_id: i64,
    actor: &Actor,
) -> DomainResult<CancelledEnrollment> {
    let enrollment = ctx.store.enrollment(enrollment_id).await?;
    let by_staff = match enrollment_scope(principal) {
        Ok(scope) => match ctx.store.get_employee(&scope, enrollment.employee_id).await {
            Ok(_) => true,
            Err(DomainError::NotFound { .. }) => false,
            Err(e) => return Err(e),
        },
        Err(_) => false,
    };
    let own = principal.employee_id == Some(enrollment.employee_id);
    if !by_staff && !own {
        // Other people's enrollments outside one's scope are not visible at all.
        return Err(DomainError::NotFound {
            entity: "enrollment",
        });
    }
    let promoted = ctx
        .store
        .cancel_enrollment(enrollment_id, !by_staff, actor)
        .await?;
    Ok(CancelledEnrollment {
        program_id: enrollment.program_id,
        promoted,
        by_staff,
    })
}

/// The caller's own enrollments, newest first.
pub async fn my_enrollments(ctx: &Context, principal: &Principal) -> DomainResult<Vec<Enrollment>> {
    match principal.employee_id {
        Some(me) => ctx.store.employee_enrollments(me).await,
        None => Ok(Vec::new()),
    }
}

/// The learner's side: their enrollments, their coming sessions, the coming sessions
/// they teach and the programs open for sign-up.
pub struct MyLearning {
    pub enrollments: Vec<Enrollment>,
    /// At most 20 sessions not yet over.
    pub upcoming: Vec<Session>,
    /// At most 20 sessions not yet over that the caller teaches.
    pub teaching: Vec<Session>,
    /// The first 20 programs taking sign-ups.
    pub open: Vec<ProgramSummary>,
}

/// The caller's learning.
pub async fn my_learning(ctx: &Context, principal: &Principal) -> DomainResult<MyLearning> {
    let now = OffsetDateTime::now_utc();
    let coming = |sessions: Vec<Session>| -> Vec<Session> {
        sessions
            .into_iter()
            .filter(|s| s.ends_at > now)
            .take(20)
            .collect()
    };
    let (enrollments, upcoming) = match principal.employee_id {
        Some(e) => {
            let upcoming = coming(ctx.store.calendar(CalendarOwner::Employee(e)).await?);
            (ctx.store.employee_enrollments(e).await?, upcoming)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut teaching = Vec::new();
    if let Some(e) = principal.employee_id
        && let Some(instructor) = ctx.store.instructor_of_employee(e).await?
    {
        teaching = coming(
            ctx.store
                .calendar(CalendarOwner::Instructor(instructor))
                .await?,
        );
    }
    let open = list_programs(
        ctx,
        principal,
        &ProgramFilter {
            open_only: true,
            ..ProgramFilter::default()
        },
        Page::new(Some(1), Some(20)),
    )
    .await?
    .items;
    Ok(MyLearning {
        enrollments,
        upcoming,
        teaching,
        open,
    })
}

// ----- attendance -----------------------------------------------------------------

/// A session with its attendance sheet and live check-in code, for those who run it.
pub struct SessionSheet {
    pub session: Session,
    pub sheet: Vec<AttendanceLine>,
    /// The live code and until when it works.
    pub code: Option<(String, OffsetDateTime)>,
}

/// A session as the people who run it see it (programme staff any session, an
/// instructor the sessions they teach).
pub async fn session_sheet(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
) -> DomainResult<SessionSheet> {
    require_session_runner(ctx, principal, session_id).await?;
    Ok(SessionSheet {
        session: ctx.store.session(session_id).await?,
        sheet: ctx.store.attendance_sheet(session_id).await?,
        code: ctx.store.live_checkin_code(session_id).await?,
    })
}

/// A session's attendance sheet: every enrolled learner and what is recorded.
pub async fn attendance_sheet(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
) -> DomainResult<Vec<AttendanceLine>> {
    require_session_runner(ctx, principal, session_id).await?;
    ctx.store.attendance_sheet(session_id).await
}

/// Issues a fresh check-in code valid for `minutes` (1 to 240); the previous code
/// stops working.
pub async fn issue_checkin_code(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
    minutes: i64,
    actor: &Actor,
) -> DomainResult<(String, OffsetDateTime)> {
    require_session_runner(ctx, principal, session_id).await?;
    ctx.store
        .issue_checkin_code(session_id, minutes, actor)
        .await
}

/// Checks the caller in with the code shown in the room; late after ten minutes.
/// Returns the session and the recorded status.
pub async fn check_in(
    ctx: &Context,
    principal: &Principal,
    code: &str,
    actor: &Actor,
) -> DomainResult<(i64, AttendanceStatus)> {
    let Some(me) = principal.employee_id else {
        return Err(DomainError::invalid(
            "code",
            "your account is not linked to an employee record",
        ));
    };
    ctx.store.check_in(code, me, actor).await
}

/// A learner in a roll call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Learner {
    /// By employee id (the page's sheet).
    Id(i64),
    /// By employee number (the API).
    Number(String),
}

/// Records a roll call. At least one learner must be marked, and every learner named
/// must be enrolled, or nothing is written; a wrong line is named
/// (`marks[i].employee_number`).
pub async fn roll_call(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
    marks: &[(Learner, AttendanceStatus)],
    actor: &Actor,
) -> DomainResult<usize> {
    require_session_runner(ctx, principal, session_id).await?;
    if marks.is_empty() {
        return Err(DomainError::invalid("marks", "mark at least one learner"));
    }
    // The sheet lists exactly the learners who may be marked, so one read resolves
    // every number and names the line that is wrong.
    let sheet: HashMap<String, i64> = ctx
        .store
        .attendance_sheet(session_id)
        .await?
        .into_iter()
        .map(|line| (line.employee_number, line.employee_id))
        .collect();
    let mut resolved = Vec::with_capacity(marks.len());
    for (i, (learner, status)) in marks.iter().enumerate() {
        let employee = match learner {
            Learner::Id(id) => *id,
            Learner::Number(number) => {
                let number = number.trim();
                *sheet.get(number).ok_or_else(|| {
                    DomainError::invalid(
                        format!("marks[{i}].employee_number"),
                        format!("'{number}' is not enrolled in this session's program"),
                    )
                })?
            }
        };
        resolved.push((employee, *status));
    }
    ctx.store
        .roll_call(session_id, &resolved, AttendanceMethod::RollCall, actor)
        .await
}

// ----- calendars ------------------------------------------------------------------

/// The caller's sessions (none without an employee record).
pub async fn my_calendar(ctx: &Context, principal: &Principal) -> DomainResult<Vec<Session>> {
    match principal.employee_id {
        Some(employee) => ctx.store.calendar(CalendarOwner::Employee(employee)).await,
        None => Ok(Vec::new()),
    }
}

/// An instructor's sessions, for programme staff and the instructor.
pub async fn instructor_calendar(
    ctx: &Context,
    principal: &Principal,
    instructor_id: i64,
) -> DomainResult<Vec<Session>> {
    if !may_act_for_instructor(ctx, principal, instructor_id).await? {
        return Err(DomainError::Forbidden);
    }
    ctx.store
        .calendar(CalendarOwner::Instructor(instructor_id))
        .await
}

/// A venue and its bookings, for everyone signed in; the bookings of draft programs
/// only for programme staff (a draft is not there yet for anyone else).
pub async fn venue_calendar(
    ctx: &Context,
    principal: &Principal,
    venue_id: i64,
) -> DomainResult<(Venue, Vec<Session>)> {
    let venue = ctx
        .store
        .list_venues()
        .await?
        .into_iter()
        .find(|v| v.id == venue_id)
        .ok_or(DomainError::NotFound { entity: "venue" })?;
    let owner = if may_manage_programs(principal) {
        CalendarOwner::Venue(venue_id)
    } else {
        CalendarOwner::VenuePublished(venue_id)
    };
    let sessions = ctx.store.calendar(owner).await?;
    Ok((venue, sessions))
}
