//! Enrollment benchmark (issue #6): pushes a whole company into one program and records
//! its sessions' attendance, through the store functions the app uses.
//!
//! ```text
//! cargo run --release -p skillbridge --example enroll_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillbridge_enrollbench \
//!     [--people 20000] [--sessions 4]
//! ```
//!
//! The database is DROPPED and re-created (PostgreSQL; the name must contain `bench`) or
//! its file removed (SQLite, `sqlite:///path/file.db`), then migrated by `open_store`.
//! The demo company for `--people` is written with `load_demo_company`, everybody made
//! active. Then it times: (a) creating a program whose audience is the root department,
//! with `--sessions` online sessions; (b) `audience_members` + `enroll` (pushed);
//! (c) one `roll_call` per session (~90% present, 5% late, 5% absent); (d) the exam
//! records: a 30-question bank, a pre-test and a post-test of 10 questions, and one
//! graded attempt per learner and test written by `record_attempts` (with the learning
//! gain read back); (e) closing the program, which settles completion. Prints each step, the total, the rows written and
//! the peak RSS of this process (for PostgreSQL the server's memory is not included).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use store::prelude::*;

use anyhow::{Context, Result, bail};
use clap::Parser;
use domain::DataScope;
use domain::audit::Actor;
use domain::operations::{
    AttendanceMethod, AttendanceStatus, EnrollmentSource, ProgramInput, ProgramStatus,
    SessionInput, SessionMode,
};

mod common;
use common::{peak_rss, recreate_database};

#[derive(Parser, Debug)]
#[command(about = "Times enrolling a whole company into a program and its roll calls")]
struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/NAME` (NAME containing `bench`);
    /// the database is deleted and re-created.
    #[arg(long)]
    database_url: String,
    /// Active employees in the company (all in the audience).
    #[arg(long, default_value_t = 20_000)]
    people: usize,
    /// Sessions of the program, each with a roll call.
    #[arg(long, default_value_t = 4)]
    sessions: usize,
    /// Seed of the demo company and of the attendance marks.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.people == 0 || args.sessions == 0 {
        bail!("--people and --sessions must be positive");
    }
    let backend = recreate_database(&args.database_url).await?;
    println!(
        "enroll_bench: {backend}, {} people, {} sessions",
        args.people, args.sessions
    );
    let mut settings = app::settings::Settings::default();
    settings.database_url = Some(args.database_url.clone());
    let store = app::server::open_store(&settings).await?;
    let actor = Actor::system();

    let t = Instant::now();
    let mut company = demo::generate(args.seed, args.people);
    // The audience rule takes active people only; the brief is everybody enrolled.
    for e in &mut company.employees {
        e.status = "active";
    }
    store.load_demo_company(&company, &actor).await?;
    let root = company
        .departments
        .iter()
        .find(|d| d.parent_code.is_none())
        .context("the demo company has no root department")?
        .code
        .clone();
    println!(
        "setup: {} employees loaded in {:.1} s",
        company.employees.len(),
        t.elapsed().as_secs_f64()
    );
    drop(company);
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let mut steps: Vec<(&str, Duration)> = Vec::new();
    let total = Instant::now();

    // (a) The program and its sessions.
    let t = Instant::now();
    let input: ProgramInput = serde_json::from_value(serde_json::json!({
        "code": "BENCH-ALL",
        "title": "全员安全生产培训",
        "audience": { "departments": [root] },
        "hours": 8.0,
        "min_attendance_pct": 75,
    }))?;
    let program = store.create_program(&input, &actor).await?;
    let first = time::OffsetDateTime::now_utc().replace_time(time::macros::time!(09:00));
    let mut sessions = Vec::with_capacity(args.sessions);
    for i in 0..args.sessions {
        let starts_at = first + time::Duration::days(7 * i as i64);
        let session = SessionInput {
            title: format!("第{}讲", i + 1),
            starts_at,
            ends_at: starts_at + time::Duration::hours(2),
            mode: SessionMode::Online,
            venue_code: None,
            capacity: None,
            join_url: Some("https://meet.example.com/bench".into()),
            instructors: Vec::new(),
            allow_conflicts: true,
        };
        sessions.push(store.save_session(program, None, &session, &actor).await?.0);
    }
    store
        .set_program_status(program, ProgramStatus::Running, &actor)
        .await?;
    steps.push(("(a) program + sessions", t.elapsed()));

    // (b) Audience and enrollment.
    let t = Instant::now();
    let members = store
        .audience_members(&input.audience, &DataScope::company())
        .await?;
    let found = t.elapsed();
    let outcome = store
        .enroll(program, &members, EnrollmentSource::Pushed, &actor)
        .await?;
    steps.push(("(b) audience + enroll", t.elapsed()));
    println!(
        "    audience_members {:.3} s: {} people; enrolled {}, waitlisted {}, already {}",
        found.as_secs_f64(),
        members.len(),
        outcome.enrolled,
        outcome.waitlisted,
        outcome.already
    );

    // (c) One roll call per session.
    let t = Instant::now();
    let mut rng = args.seed ^ 0x5EED;
    let mut attendance = 0;
    for session in &sessions {
        let marks: Vec<(i64, AttendanceStatus)> = members
            .iter()
            .map(|&id| {
                let status = match splitmix(&mut rng) % 100 {
                    0..90 => AttendanceStatus::Present,
                    90..95 => AttendanceStatus::Late,
                    _ => AttendanceStatus::Absent,
                };
                (id, status)
            })
            .collect();
        let one = Instant::now();
        attendance += store
            .roll_call(*session, &marks, AttendanceMethod::Generated, &actor)
            .await?;
        println!(
            "    roll_call session {session}: {:.3} s",
            one.elapsed().as_secs_f64()
        );
    }
    steps.push(("(c) roll calls", t.elapsed()));

    // (d) Exam records: a pre-test and a post-test on the program's skill, one graded
    // attempt each per learner, written in bulk by `record_attempts`.
    let t = Instant::now();
    let (exam_rows, gain) = exam_records(&store, &actor, program, &members, args.seed).await?;
    steps.push(("(d) exam attempts", t.elapsed()));
    println!(
        "    {exam_rows} attempts; learning gain over {} pairs: pre {:.1}, post {:.1}, normalised {:.2}",
        gain.n_paired,
        gain.mean_pre.unwrap_or_default(),
        gain.mean_post.unwrap_or_default(),
        gain.normalised_gain.unwrap_or_default()
    );

    // (e) Closing settles completion.
    let t = Instant::now();
    let settled = store
        .set_program_status(program, ProgramStatus::Closed, &actor)
        .await?
        .unwrap_or_default();
    steps.push(("(e) close + settle", t.elapsed()));
    let total = total.elapsed();

    for (step, took) in &steps {
        println!("{step:<24} {:>8.3} s", took.as_secs_f64());
    }
    println!("{:<24} {:>8.3} s", "total", total.as_secs_f64());
    println!(
        "rows written: {} enrollments, {attendance} attendance, {exam_rows} exam attempts; completed {}, incomplete {}",
        outcome.enrolled + outcome.waitlisted,
        settled.completed,
        settled.incomplete
    );
    println!("peak RSS during the steps {}", peak_rss());
    store.close().await;
    Ok(())
}

/// Writes a bank of 30 objective questions on the first skill, a pre-test and a
/// post-test of 10 questions each for `program`, and one submitted attempt per learner
/// and test: each answer right with the learner's chance (higher after the training).
/// Returns the attempts written and the learning gain, both through the store.
async fn exam_records(
    store: &store::Store,
    actor: &Actor,
    program: i64,
    members: &[i64],
    seed: u64,
) -> Result<(usize, domain::exams::LearningGain)> {
    use domain::exams::*;
    // The bench's company has no skill catalogue; one skill is enough.
    if store.skill_options().await?.is_empty() {
        let catalog = store::SkillCatalog {
            areas: &[("BENCH", "基准")],
            skills: &[("BENCH-SAFETY", "安全生产", "BENCH")],
            descriptors: "[]".into(),
            requirements: &[],
        };
        store.load_skill_catalog(&catalog, actor).await?;
    }
    let skill = store
        .skill_options()
        .await?
        .into_iter()
        .next()
        .context("a skill exists")?
        .0;
    for i in 0..30 {
        let difficulty = (i % 3) + 1;
        let (kind, options, answers) = match i % 4 {
            0 => (
                QuestionKind::SingleChoice,
                vec!["甲", "乙", "丙", "丁"],
                vec!["B"],
            ),
            1 => (
                QuestionKind::MultipleChoice,
                vec!["甲", "乙", "丙", "丁"],
                vec!["A", "D"],
            ),
            2 => (QuestionKind::TrueFalse, vec![], vec!["true"]),
            _ => (QuestionKind::FillIn, vec![], vec!["扭矩"]),
        };
        let input = QuestionInput {
            skill_code: skill.clone(),
            kind,
            difficulty,
            stem: format!("基准测试题 {i}"),
            options: options.into_iter().map(String::from).collect(),
            answers: answers.into_iter().map(String::from).collect(),
            points: 10.0,
            explanation: String::new(),
        };
        store.create_question(&input, actor).await?;
    }
    let code: String = store.program_detail(program).await?.summary.code;
    let mut rng = seed ^ 0xE7A3;
    // Each learner's chance of a right answer before the training, in percent.
    let ability: Vec<u64> = members
        .iter()
        .map(|_| 30 + splitmix(&mut rng) % 50)
        .collect();
    let started = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    let mut written = 0;
    for (purpose, uplift) in [(ExamPurpose::PreTest, 0), (ExamPurpose::PostTest, 20)] {
        let input = ExamInput {
            code: format!("{code}-{}", purpose.code()),
            title: format!("基准{}", purpose.code()),
            program_code: Some(code.clone()),
            purpose,
            skill_code: skill.clone(),
            draw_easy: 3,
            draw_medium: 4,
            draw_hard: 3,
            time_limit_minutes: 30,
            pass_mark_pct: 60,
            max_attempts: 1,
            retake_wait_hours: 0,
        };
        let exam = store.create_exam(&input, actor).await?;
        store
            .set_exam_status(exam, ExamStatus::Published, actor)
            .await?;
        let bank = store.exam_bank(exam).await?;
        let attempts: Vec<store::RecordedAttempt> = members
            .iter()
            .zip(&ability)
            .map(|(&employee, &chance)| -> Result<store::RecordedAttempt> {
                let mut items = bank.draw(attempt_seed(exam, employee, 1))?;
                for item in &mut items {
                    let right = splitmix(&mut rng) % 100 < (chance + uplift).min(100);
                    let key = item.answers.clone().unwrap_or_default();
                    item.response = Some(match (right, item.kind) {
                        (true, _) => key,
                        (false, QuestionKind::TrueFalse) => vec!["false".into()],
                        (false, QuestionKind::FillIn) => vec!["力".into()],
                        (false, _) => vec!["C".into()],
                    });
                }
                Ok(store::RecordedAttempt {
                    employee_id: employee,
                    attempt_no: 1,
                    started_at: started,
                    submitted_at: started + time::Duration::minutes(25),
                    items,
                })
            })
            .collect::<Result<_>>()?;
        written += store.record_attempts(exam, &attempts, actor).await?;
    }
    Ok((written, store.learning_gain(program).await?))
}

/// splitmix64, for reproducible marks.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
