//! Rules of the exams part shared by the pages and the API: who keeps the bank and
//! the exams, who sees results, who grades, and what a learner sees of an attempt.

use crate::Context;
use domain::audit::Actor;
use domain::exams::{
    Attempt, AttemptDetail, AttemptFilter, AttemptStatus, Exam, ExamFilter, ExamInput, ExamStats,
    ExamStatus, GradingTask, LearningGain, MyExam, Question, QuestionFilter, QuestionInput,
};
use domain::org::OrgRepository;
use domain::{DataScope, DomainError, DomainResult, Page, Paged, Permission, Principal};
use store::Grader;
use store::prelude::*;

/// Programme staff keep the question bank and the exams.
pub fn require_exam_staff(principal: &Principal) -> DomainResult<()> {
    crate::access::require(principal, Permission::ManagePrograms)
}

/// Who grades short answers: programme staff every exam, an instructor the exams
/// of the programs they teach; anyone else is refused.
pub fn grader_of(principal: &Principal) -> DomainResult<Grader> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(Grader::Everyone);
    }
    match principal.employee_id {
        Some(employee) if principal.can(Permission::TeachSessions) => {
            Ok(Grader::Instructor(employee))
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// Whether the caller may grade (and see the results of) `exam_id`.
pub async fn may_grade(ctx: &Context, principal: &Principal, exam_id: i64) -> DomainResult<bool> {
    Ok(match grader_of(principal) {
        Ok(Grader::Everyone) => true,
        Ok(Grader::Instructor(employee)) => ctx.store.teaches_exam(employee, exam_id).await?,
        Err(_) => false,
    })
}

/// The people whose attempts at `exam` the caller sees: programme staff within
/// their ManagePrograms scope, the program's instructors all of its learners.
pub async fn results_scope(
    ctx: &Context,
    principal: &Principal,
    exam: &Exam,
) -> DomainResult<DataScope> {
    if principal.can(Permission::ManagePrograms) {
        return Ok(principal.scope_for(Permission::ManagePrograms));
    }
    if may_grade(ctx, principal, exam.id).await? {
        Ok(DataScope::company())
    } else {
        Err(DomainError::Forbidden)
    }
}

/// An attempt as the caller may see it: the learner their own (the key only once
/// submitted), graders and programme staff those in their reach; 404 otherwise.
pub async fn visible_attempt(
    ctx: &Context,
    principal: &Principal,
    attempt_id: i64,
) -> DomainResult<AttemptDetail> {
    let mut detail = ctx.store.attempt(attempt_id).await?;
    let own = principal.employee_id == Some(detail.attempt.employee_id);
    if !own {
        let exam = ctx.store.exam(detail.attempt.exam_id).await?;
        let scope = results_scope(ctx, principal, &exam)
            .await
            .map_err(|_| DomainError::NotFound { entity: "attempt" })?;
        if !scope.company {
            // Outside the caller's departments reads the same as missing.
            ctx.store
                .get_employee(&scope, detail.attempt.employee_id)
                .await?;
        }
    }
    if detail.attempt.status == AttemptStatus::InProgress {
        for item in &mut detail.items {
            item.answers = None;
        }
    }
    Ok(detail)
}

/// The employee record a learner takes exams as.
pub fn learner(principal: &Principal) -> DomainResult<i64> {
    principal.employee_id.ok_or(DomainError::Forbidden)
}

/// Whether `p` keeps the question bank and the exams (their buttons and forms).
pub fn may_manage_exams(p: &Principal) -> bool {
    p.can(Permission::ManagePrograms)
}

// ----- question bank -------------------------------------------------------------------

/// The skills questions and exams are written for, as (code, name) options (staff).
pub async fn skill_options(
    ctx: &Context,
    caller: &Principal,
) -> DomainResult<Vec<(String, String)>> {
    require_exam_staff(caller)?;
    Ok(ctx
        .store
        .skill_options()
        .await?
        .into_iter()
        .map(|s| (s.0, s.1))
        .collect())
}

/// The question bank, by skill, kind, difficulty and stem text (programme staff).
/// `filter` is the request as parsed: a parse error comes after the permission check.
pub async fn list_questions(
    ctx: &Context,
    caller: &Principal,
    filter: DomainResult<QuestionFilter>,
    page: Page,
) -> DomainResult<Paged<Question>> {
    require_exam_staff(caller)?;
    ctx.store.list_questions(&filter?, page).await
}

/// Adds a question to a skill's bank (programme staff).
pub async fn create_question(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    input: DomainResult<QuestionInput>,
) -> DomainResult<i64> {
    require_exam_staff(caller)?;
    ctx.store.create_question(&input?, actor).await
}

/// One question with its key (programme staff).
pub async fn question(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<Question> {
    require_exam_staff(caller)?;
    ctx.store.question(id).await
}

/// Changes a question (programme staff); a missing question is not found before the
/// input is judged. Papers already drawn keep it as it was.
pub async fn update_question(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    input: DomainResult<QuestionInput>,
) -> DomainResult<()> {
    require_exam_staff(caller)?;
    ctx.store.question(id).await?;
    ctx.store.update_question(id, &input?, actor).await
}

/// Deactivates or reactivates a question (programme staff); returns it as it is now.
pub async fn set_question_active(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    active: bool,
) -> DomainResult<Question> {
    require_exam_staff(caller)?;
    ctx.store.set_question_active(id, active, actor).await?;
    ctx.store.question(id).await
}

// ----- exams -----------------------------------------------------------------------------

/// Exams by code (programme staff); `filter` is the request as parsed.
pub async fn list_exams(
    ctx: &Context,
    caller: &Principal,
    filter: DomainResult<ExamFilter>,
    page: Page,
) -> DomainResult<Paged<Exam>> {
    require_exam_staff(caller)?;
    ctx.store.list_exams(&filter?, page).await
}

/// Adds an exam as a draft (programme staff).
pub async fn create_exam(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    input: DomainResult<ExamInput>,
) -> DomainResult<i64> {
    require_exam_staff(caller)?;
    ctx.store.create_exam(&input?, actor).await
}

/// An exam to change, with its rules (programme staff).
pub async fn exam_to_edit(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<Exam> {
    require_exam_staff(caller)?;
    ctx.store.exam(id).await
}

/// An exam as `caller` may read it: a learner who may take it (not a draft), or one
/// who grades it; not found for anyone else.
pub async fn exam(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<Exam> {
    let exam = ctx.store.exam(id).await?;
    let learner_may = match caller.employee_id {
        Some(e) => exam.status != ExamStatus::Draft && ctx.store.may_take_exam(&exam, e).await?,
        None => false,
    };
    if !learner_may && !may_grade(ctx, caller, id).await? {
        return Err(DomainError::NotFound { entity: "exam" });
    }
    Ok(exam)
}

/// Changes an exam's rules (programme staff); a missing exam is not found before the
/// input is judged. Attempts already taken keep their papers.
pub async fn update_exam(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    input: DomainResult<ExamInput>,
) -> DomainResult<()> {
    require_exam_staff(caller)?;
    ctx.store.exam(id).await?;
    ctx.store.update_exam(id, &input?, actor).await
}

/// Publishes (the bank must hold enough questions), closes or returns an exam to
/// draft (programme staff); `status` as sent.
pub async fn set_exam_status(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    id: i64,
    status: &str,
) -> DomainResult<()> {
    require_exam_staff(caller)?;
    let status = ExamStatus::parse(status)?;
    ctx.store.set_exam_status(id, status, actor).await
}

/// An exam's results as `caller` may see them.
pub struct ExamResults {
    pub exam: Exam,
    pub stats: ExamStats,
    pub attempts: Paged<Attempt>,
    /// Active questions of its skill per difficulty (easy, medium, hard).
    pub bank: [usize; 3],
}

/// An exam's results (programme staff within their scope, the program's instructors):
/// pass rate, mean, distribution, a page of attempts, and the bank's size.
pub async fn exam_results(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    filter: DomainResult<AttemptFilter>,
    page: Page,
) -> DomainResult<ExamResults> {
    let exam = ctx.store.exam(id).await?;
    let scope = results_scope(ctx, caller, &exam).await?;
    let filter = filter?;
    let attempts = ctx.store.exam_attempts(id, &filter, &scope, page).await?;
    let stats = ctx.store.exam_stats(id, &scope).await?;
    let bank = ctx.store.exam_bank(id).await?;
    Ok(ExamResults {
        exam,
        stats,
        attempts,
        bank: [
            bank.by_difficulty[0].len(),
            bank.by_difficulty[1].len(),
            bank.by_difficulty[2].len(),
        ],
    })
}

/// Every attempt of an exam that `caller` may see and `filter` keeps (the export).
pub async fn all_exam_results(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    filter: DomainResult<AttemptFilter>,
) -> DomainResult<(Exam, Vec<Attempt>)> {
    let exam = ctx.store.exam(id).await?;
    let scope = results_scope(ctx, caller, &exam).await?;
    let filter = filter?;
    let mut rows = Vec::new();
    for page in 1.. {
        let paged = ctx
            .store
            .exam_attempts(
                id,
                &filter,
                &scope,
                Page::new(Some(page), Some(Page::MAX_PER_PAGE)),
            )
            .await?;
        let done = paged.page >= paged.page_count();
        rows.extend(paged.items);
        if done {
            break;
        }
    }
    Ok((exam, rows))
}

// ----- grading --------------------------------------------------------------------------------

/// Short answers waiting for `caller`: every exam for programme staff, the exams of
/// the programs an instructor teaches.
pub async fn grading_queue(
    ctx: &Context,
    caller: &Principal,
    page: Page,
) -> DomainResult<Paged<GradingTask>> {
    let grader = grader_of(caller)?;
    ctx.store.grading_queue(grader, page).await
}

/// Scores a short answer of an attempt `caller` may grade; `score` is (position,
/// points) as parsed. Returns the attempt's status (graded once nothing else waits).
pub async fn grade_answer(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    attempt_id: i64,
    score: DomainResult<(i32, f64)>,
) -> DomainResult<AttemptStatus> {
    grader_of(caller)?;
    let detail = ctx.store.attempt(attempt_id).await?;
    if !may_grade(ctx, caller, detail.attempt.exam_id).await? {
        return Err(DomainError::Forbidden);
    }
    let (position, points) = score?;
    ctx.store
        .grade_item(attempt_id, position, points, actor)
        .await
}

// ----- the learner ---------------------------------------------------------------------------

/// The caller's exams with their attempts (none without an employee record).
pub async fn my_exams(ctx: &Context, caller: &Principal) -> DomainResult<Vec<MyExam>> {
    match caller.employee_id {
        Some(e) => ctx.store.my_exams(e).await,
        None => Ok(Vec::new()),
    }
}

/// Starts an attempt (or returns the one running): draws the paper and starts the
/// clock. A draft exam is not found except for programme staff.
pub async fn start_attempt(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    exam_id: i64,
) -> DomainResult<AttemptDetail> {
    let employee = learner(caller)?;
    let exam = ctx.store.exam(exam_id).await?;
    if exam.status == ExamStatus::Draft && !caller.can(Permission::ManagePrograms) {
        return Err(DomainError::NotFound { entity: "exam" });
    }
    let attempt = ctx.store.start_attempt(exam_id, employee, actor).await?;
    visible_attempt(ctx, caller, attempt).await
}

/// The employee whose own attempt the caller works on; not found without one.
fn attempt_taker(caller: &Principal) -> DomainResult<i64> {
    caller
        .employee_id
        .ok_or(DomainError::NotFound { entity: "attempt" })
}

/// Saves responses (position, values) of the caller's running attempt; refused once
/// the time is up. Returns how many were saved.
pub async fn save_answers(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    attempt_id: i64,
    responses: &[(i32, Vec<String>)],
) -> DomainResult<usize> {
    let employee = attempt_taker(caller)?;
    ctx.store
        .save_responses(attempt_id, employee, responses, actor)
        .await
}

/// Submits the caller's attempt with last responses and grades it; short answers
/// wait for a grader. Returns the attempt with its key and correctness.
pub async fn submit_attempt(
    ctx: &Context,
    caller: &Principal,
    actor: &Actor,
    attempt_id: i64,
    responses: &[(i32, Vec<String>)],
) -> DomainResult<AttemptDetail> {
    let employee = attempt_taker(caller)?;
    ctx.store
        .submit_attempt(attempt_id, employee, responses, actor)
        .await?;
    visible_attempt(ctx, caller, attempt_id).await
}

// ----- learning gain ---------------------------------------------------------------------------

/// A program's learning gain for programme staff: the figures, with learners' names
/// only for staff whose scope is the whole company.
async fn gain_for_staff(
    ctx: &Context,
    caller: &Principal,
    program_id: i64,
) -> DomainResult<LearningGain> {
    let mut gain = ctx.store.learning_gain(program_id).await?;
    if !caller.scope_for(Permission::ManagePrograms).company {
        gain.learners.clear();
    }
    Ok(gain)
}

/// A program's learning gain (Kirkpatrick level 2), for programme staff.
pub async fn learning_gain(
    ctx: &Context,
    caller: &Principal,
    program_id: i64,
) -> DomainResult<LearningGain> {
    require_exam_staff(caller)?;
    ctx.store.program_detail(program_id).await?;
    gain_for_staff(ctx, caller, program_id).await
}

/// What a program's page shows of exams to `caller`: its exams (drafts for staff
/// only) and, for programme staff, the learning gain.
pub struct ProgramExams {
    pub exams: Vec<Exam>,
    pub gain: Option<LearningGain>,
}

/// The exams part of program `program_id`'s page for `caller`.
pub async fn program_exams(
    ctx: &Context,
    caller: &Principal,
    program_id: i64,
) -> DomainResult<ProgramExams> {
    let staff = may_manage_exams(caller);
    let exams = ctx
        .store
        .program_exams(program_id)
        .await?
        .into_iter()
        .filter(|x| staff || x.status != ExamStatus::Draft)
        .collect();
    let gain = if staff {
        Some(gain_for_staff(ctx, caller, program_id).await?)
    } else {
        None
    };
    Ok(ProgramExams { exams, gain })
}
