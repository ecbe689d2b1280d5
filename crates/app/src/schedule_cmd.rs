//! `skillbridge schedule`: the timetabling engine on ITC-2007 track 3 files.

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
