//! Transfer to work: practice tasks (listing, assigning, reports, reviews, promotion
//! into the case library), a program's transfer summary and behavior-change ratings,
//! with how a caller stands to each.

use crate::Context;
use crate::access::{require, scope_or_forbidden};
use domain::audit::Actor;
use domain::operations::ProgramDetail;
use domain::practice::{
    AssignmentOutcome, BehaviorRating, PROMOTION_MIN_SCORE, PracticeAssignment, PracticeFilter,
    PracticeReport, PracticeStatus, PracticeTask, RatingInput, ReportReview, TransferSummary,
};
use domain::{DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::prelude::*;
use time::{Date, Duration};
/// How the caller stands to a practice task; decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeRole {
    /// The learner: writes reports.
    Learner,
    /// The mentor: reviews and scores reports.
    Mentor,
    /// Program staff: see everything, may review as the mentor's delegate.
    Staff,
    /// A manager whose scope covers the learner: reads.
    Viewer,
}

impl PracticeRole {
    pub fn may_review(self) -> bool {
        matches!(self, PracticeRole::Mentor | PracticeRole::Staff)
    }
}

/// The caller's role on `task`; `NotFound` when they have none, so a task outside
/// one's reach reads the same as a missing one.
pub async fn practice_role(
    ctx: &Context,
    principal: &Principal,
    task: &domain::practice::PracticeTask,
) -> DomainResult<PracticeRole> {
    if principal.employee_id == Some(task.employee_id) {
        return Ok(PracticeRole::Learner);
    }
    if principal.employee_id == Some(task.mentor_id) {
        return Ok(PracticeRole::Mentor);
    }
    if principal.can(Permission::ManagePrograms) {
        return Ok(PracticeRole::Staff);
    }
    let scope = principal.scope_for(Permission::EnrollPeople);
    if !scope.is_empty() && ctx.store.practice_task_in_scope(task.id, &scope).await? {
        return Ok(PracticeRole::Viewer);
    }
    Err(DomainError::NotFound {
        entity: "practice task",
    })
}

/// The scope in which the caller assigns practice and lists everybody's tasks:
/// program staff company-wide, managers their EnrollPeople scope.
pub fn practice_oversight_scope(principal: &Principal) -> DomainResult<DataScope> {
    if principal.can(Permission::ManagePrograms) {
        Ok(DataScope::company())
    } else {
        scope_or_forbidden(principal, Permission::EnrollPeople)
    }
}

/// A behavior rating the caller owes (only the rater may see and give it).
pub async fn own_behavior_rating(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<domain::practice::BehaviorRating> {
    let rating = ctx.store.behavior_rating(id).await?;
    if principal.employee_id != Some(rating.rater_id) {
        return Err(DomainError::NotFound {
            entity: "behavior rating",
        });
    }
    Ok(rating)
}

// ----- listing ------------------------------------------------------------------------

/// Which practice tasks a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PracticeView {
    /// The caller's own tasks.
    Mine,
    /// The tasks the caller mentors.
    Mentoring,
    /// Everybody's in the caller's oversight scope.
    All,
}

impl PracticeView {
    pub fn code(self) -> &'static str {
        match self {
            PracticeView::Mine => "mine",
            PracticeView::Mentoring => "mentoring",
            PracticeView::All => "all",
        }
    }

    /// `mine`, `mentoring` or `all`; anything else is a validation error on `view`.
    pub fn parse(text: &str) -> DomainResult<Self> {
        match text.trim() {
            "mine" => Ok(PracticeView::Mine),
            "mentoring" => Ok(PracticeView::Mentoring),
            "all" => Ok(PracticeView::All),
            other => Err(DomainError::invalid(
                "view",
                format!("'{other}' is not mine, mentoring or all"),
            )),
        }
    }

    /// The views the caller has: their own and mentored tasks with an employee
    /// record, everybody's with an oversight scope.
    pub fn available(principal: &Principal) -> Vec<PracticeView> {
        let mut views = Vec::new();
        if principal.employee_id.is_some() {
            views.push(PracticeView::Mine);
            views.push(PracticeView::Mentoring);
        }
        if practice_oversight_scope(principal).is_ok() {
            views.push(PracticeView::All);
        }
        views
    }

    /// The view of a list that names none: one's own tasks, or everybody's for an
    /// account with no employee record.
    pub fn default_for(principal: &Principal) -> PracticeView {
        if principal.employee_id.is_some() {
            PracticeView::Mine
        } else {
            PracticeView::All
        }
    }
}

/// What narrows a list of practice tasks.
#[derive(Debug, Clone, Default)]
pub struct PracticeCriteria {
    pub program_id: Option<i64>,
    pub status: Option<PracticeStatus>,
    /// Title, learner name or number.
    pub q: Option<String>,
    /// Only tasks past their due date without a report.
    pub overdue: bool,
}

fn view_filter(
    ctx: &Context,
    principal: &Principal,
    view: PracticeView,
    criteria: &PracticeCriteria,
) -> DomainResult<(PracticeFilter, DataScope)> {
    let mut filter = PracticeFilter {
        program_id: criteria.program_id,
        status: criteria.status,
        q: criteria.q.clone(),
        overdue_on: criteria.overdue.then(|| ctx.today()),
        ..PracticeFilter::default()
    };
    let scope = match view {
        PracticeView::Mine => {
            filter.employee_id = Some(principal.employee_id.ok_or(DomainError::Forbidden)?);
            DataScope::company()
        }
        PracticeView::Mentoring => {
            filter.mentor_id = Some(principal.employee_id.ok_or(DomainError::Forbidden)?);
            DataScope::company()
        }
        PracticeView::All => practice_oversight_scope(principal)?,
    };
    Ok((filter, scope))
}

/// Practice tasks of a view: `Forbidden` for a view the caller lacks (their own or
/// mentored tasks without an employee record, everybody's without oversight).
pub async fn list_practice_tasks(
    ctx: &Context,
    principal: &Principal,
    view: PracticeView,
    criteria: &PracticeCriteria,
    page: Page,
) -> DomainResult<Paged<PracticeTask>> {
    let (filter, scope) = view_filter(ctx, principal, view, criteria)?;
    ctx.store.list_practice_tasks(&filter, &scope, page).await
}

/// The first of the caller's own and mentored views that has tasks in it (so a
/// manager who mentors lands on the reports waiting for them), else the first view
/// they have.
pub async fn busiest_practice_view(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<PracticeView> {
    if let Some(me) = principal.employee_id {
        for (view, filter) in [
            (
                PracticeView::Mine,
                PracticeFilter {
                    employee_id: Some(me),
                    ..PracticeFilter::default()
                },
            ),
            (
                PracticeView::Mentoring,
                PracticeFilter {
                    mentor_id: Some(me),
                    ..PracticeFilter::default()
                },
            ),
        ] {
            let any = ctx
                .store
                .list_practice_tasks(&filter, &DataScope::company(), Page::new(Some(1), Some(1)))
                .await?;
            if any.total > 0 {
                return Ok(view);
            }
        }
    }
    Ok(PracticeView::available(principal)
        .first()
        .copied()
        .unwrap_or(PracticeView::Mine))
}

/// The caller's practice overview: the tasks of a view (the busiest one when none is
/// named), the views they have and the behavior ratings they still owe.
pub struct PracticeOverview {
    pub view: PracticeView,
    pub views: Vec<PracticeView>,
    pub tasks: Paged<PracticeTask>,
    pub ratings_owed: Vec<BehaviorRating>,
}

/// [`list_practice_tasks`] of `view` (or of [`busiest_practice_view`]) with the views
/// the caller has and the ratings they owe.
pub async fn practice_overview(
    ctx: &Context,
    principal: &Principal,
    view: Option<PracticeView>,
    criteria: &PracticeCriteria,
    page: Page,
) -> DomainResult<PracticeOverview> {
    let view = match view {
        Some(v) => v,
        None => busiest_practice_view(ctx, principal).await?,
    };
    let tasks = list_practice_tasks(ctx, principal, view, criteria, page).await?;
    Ok(PracticeOverview {
        view,
        views: PracticeView::available(principal),
        tasks,
        ratings_owed: my_behavior_ratings(ctx, principal, true).await?,
    })
}

/// Most rows one export of practice tasks writes.
pub const PRACTICE_EXPORT_LIMIT: i64 = 20_000;

/// Every task of the caller's oversight view matching the criteria, for a download;
/// more than [`PRACTICE_EXPORT_LIMIT`] is a validation error asking for a narrower filter.
pub async fn export_practice_tasks(
    ctx: &Context,
    principal: &Principal,
    criteria: &PracticeCriteria,
) -> DomainResult<Vec<PracticeTask>> {
    let (filter, scope) = view_filter(ctx, principal, PracticeView::All, criteria)?;
    let mut rows = Vec::new();
    let mut page_no = 1;
    loop {
        let chunk = ctx
            .store
            .list_practice_tasks(
                &filter,
                &scope,
                Page::new(Some(page_no), Some(Page::MAX_PER_PAGE)),
            )
            .await?;
        if chunk.total > PRACTICE_EXPORT_LIMIT {
            return Err(DomainError::invalid(
                "filter",
                format!(
                    "{} rows match; narrow the filter to at most {PRACTICE_EXPORT_LIMIT}",
                    chunk.total
                ),
            ));
        }
        let done = chunk.items.len() < Page::MAX_PER_PAGE as usize;
        rows.extend(chunk.items);
        if done {
            break;
        }
        page_no += 1;
    }
    Ok(rows)
}

// ----- one task -------------------------------------------------------------------------

/// A practice task as the caller sees it: its reports, their role and what they may do.
pub struct PracticeTaskView {
    pub task: PracticeTask,
    pub reports: Vec<PracticeReport>,
    pub role: PracticeRole,
    /// The learner may hand in a report (the task is assigned or returned).
    pub may_report: bool,
    /// The caller may review the submitted report.
    pub may_review: bool,
    /// The caller may promote the report into the case library.
    pub may_promote: bool,
}

/// Whether the caller may turn the task's report into a library case: library staff,
/// an accepted report scoring at least [`PROMOTION_MIN_SCORE`], not promoted yet.
pub fn may_promote_practice_report(principal: &Principal, task: &PracticeTask) -> bool {
    principal.can(Permission::ManageLibrary)
        && task.status == PracticeStatus::Reviewed
        && task.score.unwrap_or(0) >= PROMOTION_MIN_SCORE
        && task.case_resource_id.is_none()
}

/// Task `id` with its reports, for its learner, mentor, program staff and the
/// learner's managers (`NotFound` for anybody else).
pub async fn practice_task(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<PracticeTaskView> {
    let task = ctx.store.practice_task(id).await?;
    let role = practice_role(ctx, principal, &task).await?;
    let reports = ctx.store.practice_reports(id).await?;
    Ok(PracticeTaskView {
        may_report: role == PracticeRole::Learner
            && matches!(
                task.status,
                PracticeStatus::Assigned | PracticeStatus::Returned
            ),
        may_review: role.may_review() && task.status == PracticeStatus::Submitted,
        may_promote: may_promote_practice_report(principal, &task),
        task,
        reports,
        role,
    })
}

/// The learner hands in a report on task `id`; returns the report's id.
pub async fn submit_practice_report(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    body: &str,
    actor: &Actor,
) -> DomainResult<i64> {
    let task = ctx.store.practice_task(id).await?;
    if practice_role(ctx, principal, &task).await? != PracticeRole::Learner {
        return Err(DomainError::Forbidden);
    }
    ctx.store.submit_practice_report(id, body, actor).await
}

/// The mentor (or program staff for them) accepts the latest report with a score, or
/// returns it with a comment.
pub async fn review_practice_report(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    review: &ReportReview,
    actor: &Actor,
) -> DomainResult<()> {
    let task = ctx.store.practice_task(id).await?;
    if !practice_role(ctx, principal, &task).await?.may_review() {
        return Err(DomainError::Forbidden);
    }
    ctx.store.review_practice_report(id, review, actor).await
}

/// Turns an accepted, well-scored report into a draft case in the library (library
/// staff with a role on the task); returns the new resource's id.
pub async fn promote_practice_report(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManageLibrary)?;
    let task = ctx.store.practice_task(id).await?;
    practice_role(ctx, principal, &task).await?;
    ctx.store.promote_practice_report(id, actor).await
}

// ----- a program's practice ---------------------------------------------------------------

/// Days from today to the due date a new practice task is offered with.
pub const DEFAULT_PRACTICE_DAYS: i64 = 30;

/// A program's transfer to work as its staff and the learners' managers see it.
pub struct ProgramPractice {
    pub program: ProgramDetail,
    pub summary: TransferSummary,
    /// The tasks in the caller's oversight scope.
    pub tasks: Paged<PracticeTask>,
    /// The due date a new assignment is offered with.
    pub default_due_on: Date,
}

/// Program `program_id`'s practice: its transfer summary and tasks in the caller's
/// oversight scope.
pub async fn program_practice(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    page: Page,
) -> DomainResult<ProgramPractice> {
    let scope = practice_oversight_scope(principal)?;
    let program = ctx.store.program_detail(program_id).await?;
    let filter = PracticeFilter {
        program_id: Some(program_id),
        ..PracticeFilter::default()
    };
    let tasks = ctx.store.list_practice_tasks(&filter, &scope, page).await?;
    let today = ctx.today();
    let summary = ctx.store.transfer_summary(program_id, today).await?;
    Ok(ProgramPractice {
        program,
        summary,
        tasks,
        default_due_on: today + Duration::days(DEFAULT_PRACTICE_DAYS),
    })
}

/// Assigns a practice task to the learners in the caller's oversight scope who
/// completed program `program_id` (all, or the named ones), and schedules behavior
/// ratings.
pub async fn assign_practice(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    input: &PracticeAssignment,
    actor: &Actor,
) -> DomainResult<AssignmentOutcome> {
    let scope = practice_oversight_scope(principal)?;
    ctx.store.program_detail(program_id).await?;
    ctx.store
        .assign_practice(program_id, input, &scope, ctx.today(), actor)
        .await
}

/// A program's transfer summary (program staff).
pub async fn transfer_summary(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
) -> DomainResult<TransferSummary> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.program_detail(program_id).await?;
    ctx.store.transfer_summary(program_id, ctx.today()).await
}

// ----- behavior ratings ------------------------------------------------------------------

/// Behavior ratings the caller owes (`open_only`) or owes and gave, the unrated
/// first; none for an account without an employee record.
pub async fn my_behavior_ratings(
    ctx: &Context,
    principal: &Principal,
    open_only: bool,
) -> DomainResult<Vec<BehaviorRating>> {
    match principal.employee_id {
        Some(me) => ctx.store.ratings_of_rater(me, open_only).await,
        None => Ok(Vec::new()),
    }
}

/// The rater records the behavior change they observed (1–5), once, from the due
/// date; `NotFound` for anybody but the rater, before the rating is looked at.
pub async fn rate_behavior(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &RatingInput,
    actor: &Actor,
) -> DomainResult<()> {
    own_behavior_rating(ctx, principal, id).await?;
    ctx.store.rate_behavior(id, input, ctx.today(), actor).await
}
