//! `skillbridge schedule`: the timetabling engine on ITC-2007 track 3 files, and
//! draft timetables of the product's plans and programs.

use anyhow::Context;
use clap::{Args, Subcommand};
use scheduler::ctt;
use std::path::PathBuf;
use std::time::Duration;

/// `schedule` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Solve a curriculum-based course timetabling instance (.ctt) and write the solution.
    Ctt(SolveArgs),
    /// Check a solution: hard violations by kind and the UD2 soft cost by kind.
    Validate(ValidateArgs),
    /// Generate a draft timetable for a plan or a program over a window (database).
    Plan(PlanArgs),
}

impl ScheduleCommand {
    /// Whether the subcommand works on the database (the others are pure computation).
    pub fn needs_database(&self) -> bool {
        matches!(self, ScheduleCommand::Plan(_))
    }
}

/// Options of `schedule plan`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("scope").required(true).args(["plan", "program"])))]
pub struct PlanArgs {
    /// Plan code: its draft, open and running programs.
    #[arg(long)]
    pub plan: Option<String>,
    /// Program code.
    #[arg(long)]
    pub program: Option<String>,
    /// First day of the window (YYYY-MM-DD).
    #[arg(long)]
    pub from: String,
    /// Last day of the window (YYYY-MM-DD).
    #[arg(long)]
    pub to: String,
    /// fresh (from scratch) or repair (as few moves as possible).
    #[arg(long, default_value = "fresh")]
    pub mode: String,
    /// Solver time limit in seconds (1-60).
    #[arg(long, default_value_t = 5)]
    pub time_limit: u32,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Publish the draft: move the sessions and notify the people concerned.
    #[arg(long)]
    pub publish: bool,
    /// With --publish: publish even when hard conflicts remain.
    #[arg(long, requires = "publish")]
    pub anyway: bool,
}

/// Options of `schedule ctt`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The instance file.
    pub instance: PathBuf,
    /// Wall-clock budget in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub time_limit: f64,
    /// Seed (same seed and iteration count, same result).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the solution (official format: course room day slot).
    #[arg(long)]
    pub out: PathBuf,
}

/// Options of `schedule validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The instance file.
    pub instance: PathBuf,
    /// The solution file.
    pub solution: PathBuf,
}

fn read_instance(path: &PathBuf) -> anyhow::Result<ctt::Instance> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    ctt::parse_instance(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Runs a `schedule` subcommand.
pub fn run(command: &ScheduleCommand) -> anyhow::Result<()> {
    match command {
        ScheduleCommand::Ctt(args) => {
            anyhow::ensure!(
                args.time_limit > 0.0 && args.time_limit.is_finite(),
                "--time-limit must be a positive number of seconds"
            );
            let instance = read_instance(&args.instance)?;
            let options = ctt::SolveOptions {
                time_limit: Duration::from_secs_f64(args.time_limit),
                seed: args.seed,
                ..ctt::SolveOptions::default()
            };
            let outcome = ctt::solve(&instance, &options);
            std::fs::write(
                &args.out,
                ctt::write_solution(&instance, &outcome.placements),
            )
            .with_context(|| format!("cannot write {}", args.out.display()))?;
            println!("{}", outcome.evaluation);
            match outcome.time_to_first_feasible {
                Some(t) => println!("First feasible after {:.2} s", t.as_secs_f64()),
                None => println!("No feasible timetable found within the time limit"),
            }
            println!(
                "Iterations: {}  Time: {:.1} s",
                outcome.iterations,
                outcome.elapsed.as_secs_f64()
            );
            println!("Solution written to {}", args.out.display());
            Ok(())
        }
        ScheduleCommand::Plan(_) => anyhow::bail!("schedule plan needs the database"),
        ScheduleCommand::Validate(args) => {
            let instance = read_instance(&args.instance)?;
            let text = std::fs::read_to_string(&args.solution)
                .with_context(|| format!("cannot read {}", args.solution.display()))?;
            let placements = ctt::parse_solution(&instance, &text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", args.solution.display()))?;
            println!("{}", ctt::evaluate(&instance, &placements));
            Ok(())
        }
    }
}

fn date_arg(flag: &str, text: &str) -> anyhow::Result<time::Date> {
    time::Date::parse(
        text.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .with_context(|| format!("{flag} must be a date such as 2026-03-02, not '{text}'"))
}

/// `schedule plan`: generates a draft, prints its breakdown, conflicts and diff, and
/// publishes it when asked.
pub async fn plan(ctx: &service::Context, args: &PlanArgs) -> anyhow::Result<()> {
    use domain::audit::Actor;
    use domain::timetables::{TimetableMode, TimetableRequest};
    use service::timetables;
    let request = TimetableRequest {
        plan_code: args.plan.clone(),
        program_code: args.program.clone(),
        from: date_arg("--from", &args.from)?,
        to: date_arg("--to", &args.to)?,
        mode: TimetableMode::parse(&args.mode)?,
        time_limit_secs: Some(args.time_limit),
        seed: Some(args.seed),
    };
    let actor = Actor::cli();
    let id = timetables::generate(ctx, &request, &actor).await?;
    let view = timetables::draft_view(ctx, id).await?;
    let tz = ctx.settings.timezone;
    let local = |t: time::OffsetDateTime| {
        let l = t.to_offset(tz);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            u8::from(l.month()),
            l.day(),
            l.hour(),
            l.minute()
        )
    };
    let tt = &view.timetable;
    println!(
        "Draft timetable {id}: {} {} to {} ({}), {} sessions",
        tt.scope_name,
        tt.window_from,
        tt.window_to,
        tt.mode.code(),
        view.entries.len()
    );
    println!(
        "Hard conflicts: {} -> {}   Soft cost: {} -> {} points",
        tt.baseline_hard, view.hard, tt.baseline_soft, view.soft
    );
    println!("\nCost by constraint:");
    for line in &view.lines {
        println!(
            "  {:<18} {:<5} {:>8}",
            line.key,
            if line.hard { "hard" } else { "soft" },
            line.cost
        );
    }
    println!("\nConflicts:");
    if view.conflicts.is_empty() {
        println!("  none");
    }
    for c in &view.conflicts {
        println!(
            "  {:<22} {}{}",
            c.kind,
            c.titles.join(" <-> "),
            if c.unavoidable {
                " (unavoidable: no placement meets this session's own constraints)"
            } else {
                ""
            }
        );
    }
    println!(
        "\nChanges: {} sessions move; {} learners and {} instructors affected",
        view.diff.moved, view.diff.learners, view.diff.instructors
    );
    for e in view.entries.iter().filter(|e| e.changed) {
        println!(
            "  {} · {}: {} {} {} -> {} {} {}",
            e.program_code,
            e.title,
            local(e.was_starts_at),
            e.was_venue_name.as_deref().unwrap_or("-"),
            e.was_instructor_name.as_deref().unwrap_or("-"),
            local(e.starts_at),
            e.venue_name.as_deref().unwrap_or("-"),
            e.instructor_name.as_deref().unwrap_or("-"),
        );
    }
    if args.publish {
        let done = timetables::publish(ctx, id, args.anyway, &actor).await?;
        println!(
            "\nPublished: {} sessions moved, {} notifications",
            done.sessions_moved, done.notified
        );
    } else {
        println!("\nNot published: review it at /timetables/{id}, or run again with --publish.");
    }
    Ok(())
}
