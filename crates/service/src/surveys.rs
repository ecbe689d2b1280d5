//! Reaction surveys (Kirkpatrick level 1): templates, attaching surveys to sessions,
//! answering them, and the results of a program, a session or an instructor.

use crate::Context;
use crate::access::{may_see_instructor_results, may_see_session_results, require};
use domain::audit::Actor;
use domain::operations::{Instructor, ProgramDetail, Session};
use domain::surveys::{
    Answer, AttachInput, ReactionSubject, ReactionSummary, Survey, SurveyTemplate, TemplateInput,
};
use domain::{DomainError, DomainResult, Permission, Principal};
use store::prelude::*;
use time::OffsetDateTime;

// ----- templates ----------------------------------------------------------------------

/// Every survey template (program staff).
pub async fn list_survey_templates(
    ctx: &Context,
    principal: &Principal,
) -> DomainResult<Vec<SurveyTemplate>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.list_survey_templates().await
}

/// The templates and, when `edit` names one, that template to fill a form with
/// (`NotFound` if it does not exist).
pub async fn survey_templates_for_editing(
    ctx: &Context,
    principal: &Principal,
    edit: Option<i64>,
) -> DomainResult<(Vec<SurveyTemplate>, Option<SurveyTemplate>)> {
    require(principal, Permission::ManagePrograms)?;
    let editing = match edit {
        Some(id) => Some(ctx.store.survey_template(id).await?),
        None => None,
    };
    Ok((ctx.store.list_survey_templates().await?, editing))
}

/// Adds a survey template; returns its id.
pub async fn create_survey_template(
    ctx: &Context,
    principal: &Principal,
    input: &TemplateInput,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.save_survey_template(None, input, actor).await
}

/// Replaces template `id` (surveys already attached keep their questions).
pub async fn update_survey_template(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &TemplateInput,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.survey_template(id).await?;
    ctx.store
        .save_survey_template(Some(id), input, actor)
        .await?;
    Ok(())
}

// ----- attaching ------------------------------------------------------------------------

/// The surveys of a program's sessions (program staff).
pub async fn program_surveys(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
) -> DomainResult<Vec<Survey>> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.program_detail(program_id).await?;
    ctx.store.program_surveys(program_id).await
}

/// Attaches a survey from a template to one session of the program (`session`, which
/// must belong to it) or to every held session of the program without one; returns the
/// ids of the surveys attached.
pub async fn attach_program_surveys(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
    session: Option<i64>,
    input: &AttachInput,
    actor: &Actor,
) -> DomainResult<Vec<i64>> {
    require(principal, Permission::ManagePrograms)?;
    match session {
        None => {
            ctx.store
                .attach_program_surveys(program_id, input, actor)
                .await
        }
        Some(session) => {
            if ctx.store.session(session).await?.program_id != program_id {
                return Err(DomainError::NotFound { entity: "session" });
            }
            Ok(vec![ctx.store.attach_survey(session, input, actor).await?])
        }
    }
}

/// Attaches a survey from a template to one session (`Conflict` if it has one).
pub async fn attach_session_survey(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
    input: &AttachInput,
    actor: &Actor,
) -> DomainResult<i64> {
    require(principal, Permission::ManagePrograms)?;
    ctx.store.attach_survey(session_id, input, actor).await
}

// ----- answering ------------------------------------------------------------------------

/// Open surveys the caller attended the session of and has not answered (none for an
/// account without an employee record).
pub async fn surveys_to_answer(ctx: &Context, principal: &Principal) -> DomainResult<Vec<Survey>> {
    match principal.employee_id {
        Some(me) => {
            ctx.store
                .surveys_to_answer(me, OffsetDateTime::now_utc())
                .await
        }
        None => Ok(Vec::new()),
    }
}

/// The survey the caller attended the session of; `NotFound` for anybody else, as if
/// it were not there.
async fn attended_survey(ctx: &Context, principal: &Principal, id: i64) -> DomainResult<Survey> {
    let survey = ctx.store.survey(id).await?;
    let attended = match principal.employee_id {
        Some(e) => ctx.store.attended_session(survey.session_id, e).await?,
        None => false,
    };
    if attended {
        Ok(survey)
    } else {
        Err(DomainError::NotFound { entity: "survey" })
    }
}

/// A survey as its attendee sees it.
#[derive(Debug, Clone)]
pub struct SurveyForm {
    pub survey: Survey,
    /// The caller answered it already.
    pub answered: bool,
    /// It takes answers now.
    pub open: bool,
}

/// Survey `id` for the caller to answer: only attendees of its session see it.
pub async fn survey_form(
    ctx: &Context,
    principal: &Principal,
    id: i64,
) -> DomainResult<SurveyForm> {
    let survey = attended_survey(ctx, principal, id).await?;
    let answered = match principal.employee_id {
        Some(e) => ctx.store.has_answered(survey.id, e).await?,
        None => false,
    };
    Ok(SurveyForm {
        open: survey.is_open(OffsetDateTime::now_utc()),
        survey,
        answered,
    })
}

/// Answers survey `id`, once, as an attendee of its session while it is open. Someone
/// who did not attend gets `NotFound` before anything else is checked, so the answers
/// they send tell them nothing about the survey.
pub async fn answer_survey(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    answers: &[Answer],
    actor: &Actor,
) -> DomainResult<()> {
    let survey = attended_survey(ctx, principal, id).await?;
    let Some(me) = principal.employee_id else {
        return Err(DomainError::NotFound { entity: "survey" });
    };
    match ctx
        .store
        .submit_survey(survey.id, me, answers, OffsetDateTime::now_utc(), actor)
        .await
    {
        Err(DomainError::Forbidden) => Err(DomainError::NotFound { entity: "survey" }),
        other => other,
    }
}

// ----- results ----------------------------------------------------------------------------

/// Reaction results with what they are about.
#[derive(Debug, Clone)]
pub struct Reaction<S> {
    pub subject: S,
    /// The surveys the results come from.
    pub surveys: Vec<Survey>,
    pub summary: ReactionSummary,
}

/// Reaction results of a program over its sessions' surveys (program staff).
pub async fn program_reaction(
    ctx: &Context,
    principal: &Principal,
    program_id: i64,
) -> DomainResult<Reaction<ProgramDetail>> {
    require(principal, Permission::ManagePrograms)?;
    let program = ctx.store.program_detail(program_id).await?;
    let surveys = ctx.store.program_surveys(program_id).await?;
    let summary = ctx
        .store
        .reaction_summary(ReactionSubject::Program(program_id))
        .await?;
    Ok(Reaction {
        subject: program,
        surveys,
        summary,
    })
}

/// Reaction results of a session: program staff and its instructors (`NotFound` for a
/// missing session before `Forbidden`).
pub async fn session_reaction(
    ctx: &Context,
    principal: &Principal,
    session_id: i64,
) -> DomainResult<Reaction<Session>> {
    let session = ctx.store.session(session_id).await?;
    if !may_see_session_results(ctx, principal, session_id).await? {
        return Err(DomainError::Forbidden);
    }
    let surveys = ctx
        .store
        .program_surveys(session.program_id)
        .await?
        .into_iter()
        .filter(|s| s.session_id == session_id)
        .collect();
    let summary = ctx
        .store
        .reaction_summary(ReactionSubject::Session(session_id))
        .await?;
    Ok(Reaction {
        subject: session,
        surveys,
        summary,
    })
}

/// Reaction results of an instructor over every session they taught: program staff and
/// the instructor.
pub async fn instructor_reaction(
    ctx: &Context,
    principal: &Principal,
    instructor_id: i64,
) -> DomainResult<Reaction<Instructor>> {
    if !may_see_instructor_results(ctx, principal, instructor_id).await? {
        return Err(DomainError::Forbidden);
    }
    let instructor = ctx
        .store
        .list_instructors()
        .await?
        .into_iter()
        .find(|i| i.id == instructor_id)
        .ok_or(DomainError::NotFound {
            entity: "instructor",
        })?;
    let surveys = ctx.store.instructor_surveys(instructor_id).await?;
    let summary = ctx
        .store
        .reaction_summary(ReactionSubject::Instructor(instructor_id))
        .await?;
    Ok(Reaction {
        subject: instructor,
        surveys,
        summary,
    })
}

/// Whether the caller may see a program's reaction results (program staff).
pub fn may_see_program_reaction(principal: &Principal) -> bool {
    principal.can(Permission::ManagePrograms)
}
