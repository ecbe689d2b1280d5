//! Enrolment benchmark (issue #6): pushes a whole company into one program and records
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
//! (c) one `roll_call` per session (~90% present, 5% late, 5% absent); (d) closing the
//! program, which settles completion. Prints each step, the total, the rows written and
//! the peak RSS of this process (for PostgreSQL the server's memory is not included).

use std::time::{Duration, Instant};

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

    // (b) Audience and enrolment.
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

    // (d) Closing settles completion.
    let t = Instant::now();
    let settled = store
        .set_program_status(program, ProgramStatus::Closed, &actor)
        .await?
        .unwrap_or_default();
    steps.push(("(d) close + settle", t.elapsed()));
    let total = total.elapsed();

    for (step, took) in &steps {
        println!("{step:<24} {:>8.3} s", took.as_secs_f64());
    }
    println!("{:<24} {:>8.3} s", "total", total.as_secs_f64());
    println!(
        "rows written: {} enrolments, {attendance} attendance; completed {}, incomplete {}",
        outcome.enrolled + outcome.waitlisted,
        settled.completed,
        settled.incomplete
    );
    println!("peak RSS during the steps {}", peak_rss());
    store.close().await;
    Ok(())
}

/// splitmix64, for reproducible marks.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
