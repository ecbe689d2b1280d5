//! Loads the demo's exams (`demo::exams`): question banks, the pre- and post-tests of
//! the closed 2025 programs with one attempt per learner who completed or not, and
//! the running equipment program's final exam, published for live attempts.

use anyhow::{Context, Result};
use domain::DataScope;
use domain::audit::Actor;
use domain::exams::{
    ExamInput, ExamPurpose, ExamStatus, QuestionInput, QuestionKind, attempt_seed,
};
use domain::operations::EnrollmentStatus;
use store::prelude::*;
use store::{RecordedAttempt, Store};

/// Writes the demo exams for the programs of `ops` (loaded before).
pub async fn load_exams(
    store: &Store,
    seed: u64,
    ops: &demo::operations::DemoOperations,
) -> Result<()> {
    let actor = Actor::system();
    let plan = demo::exams::exams();
    for q in &plan.questions {
        let input = QuestionInput {
            skill_code: q.skill.into(),
            kind: QuestionKind::parse(q.kind)?,
            difficulty: q.difficulty,
            stem: q.stem.into(),
            options: q.options.iter().map(|s| s.to_string()).collect(),
            answers: q.answers.iter().map(|s| s.to_string()).collect(),
            points: 2.0,
            explanation: String::new(),
        };
        store.create_question(&input, &actor).await?;
    }
    let china = time::UtcOffset::from_hms(8, 0, 0)?;
    let mut rng = demo::SplitMix64::new(seed ^ 0x4558_414D);
    for exam in &plan.exams {
        let Some(program) = ops.programs.iter().find(|p| p.code == exam.program) else {
            continue;
        };
        let input = ExamInput {
            code: exam.code.clone(),
            title: exam.title.clone(),
            program_code: Some(exam.program.clone()),
            purpose: ExamPurpose::parse(exam.purpose)?,
            skill_code: exam.skill.into(),
            draw_easy: exam.draw.0,
            draw_medium: exam.draw.1,
            draw_hard: exam.draw.2,
            time_limit_minutes: 20,
            pass_mark_pct: 60,
            max_attempts: 2,
            retake_wait_hours: 24,
        };
        let id = store.create_exam(&input, &actor).await?;
        store
            .set_exam_status(id, ExamStatus::Published, &actor)
            .await?;
        let Some(mean) = exam.mean_chance else {
            continue;
        };
        // Pre-tests at the start of the first session, post-tests after the last one.
        let session = if exam.purpose == "pre_test" {
            program.sessions.first()
        } else {
            program.sessions.last()
        }
        .context("a demo program has sessions")?;
        let hour = if exam.purpose == "pre_test" {
            session.start_hour
        } else {
            session.start_hour + session.hours
        };
        let started = time::PrimitiveDateTime::new(session.day, time::Time::from_hms(hour, 0, 0)?)
            .assume_offset(china);
        let program_id = store.program_id(&exam.program).await?;
        let enrolled = store
            .program_enrollments(
                program_id,
                &DataScope::company(),
                domain::Page::new(Some(1), Some(200)),
            )
            .await?
            .items;
        let bank = store.exam_bank(id).await?;
        let mut attempts = Vec::new();
        for e in enrolled.iter().filter(|e| {
            matches!(
                e.status,
                EnrollmentStatus::Completed | EnrollmentStatus::Incomplete
            )
        }) {
            let chance = demo::exams::learner_chance(&mut rng, mean);
            let mut items = bank.draw(attempt_seed(id, e.employee_id, 1))?;
            for item in &mut items {
                let key = item.answers.clone().unwrap_or_default();
                item.response = Some(if demo::exams::answers_right(&mut rng, chance) {
                    key
                } else {
                    match item.kind {
                        QuestionKind::TrueFalse => {
                            vec![if key.first().map(String::as_str) == Some("true") {
                                "false".into()
                            } else {
                                "true".into()
                            }]
                        }
                        QuestionKind::FillIn => vec!["不清楚".into()],
                        _ => vec![if key.first().map(String::as_str) == Some("A") {
                            "B".into()
                        } else {
                            "A".into()
                        }],
                    }
                });
            }
            attempts.push(RecordedAttempt {
                employee_id: e.employee_id,
                attempt_no: 1,
                started_at: started,
                submitted_at: started + time::Duration::minutes(15),
                items,
            });
        }
        store.record_attempts(id, &attempts, &actor).await?;
    }
    Ok(())
}
