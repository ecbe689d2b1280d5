//! Runs the CB-CTT solver over every `.ctt` file of a folder and prints a table.
//!
//! `cargo run --release -p skillbridge-scheduler --example ctt_bench -- [--dir DIR]
//! [--seeds N] [--time-limit SECS] [--jobs J]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use scheduler::ctt::{SolveOptions, parse_instance, solve};

struct Args {
    dir: PathBuf,
    seeds: u64,
    time_limit: f64,
    jobs: usize,
    /// Print each run's per-kind evaluation.
    verbose: bool,
    /// Solver parameters (defaults from `SolveOptions::default()`).
    tuning: SolveOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/benchmarks/ctt/instances"),
        seeds: 5,
        time_limit: 300.0,
        jobs: 1,
        verbose: false,
        tuning: SolveOptions::default(),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--dir" => args.dir = PathBuf::from(value()?),
            "--seeds" => args.seeds = value()?.parse().map_err(|e| format!("--seeds: {e}"))?,
            "--time-limit" => {
                args.time_limit = value()?.parse().map_err(|e| format!("--time-limit: {e}"))?
            }
            "--jobs" => args.jobs = value()?.parse().map_err(|e| format!("--jobs: {e}"))?,
            "--verbose" => args.verbose = true,
            "--hard-weight" => {
                args.tuning.hard_weight = value()?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--kempe" => {
                args.tuning.kempe_rate = value()?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--t0" => {
                args.tuning.initial_temperature =
                    value()?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "--t1" => {
                args.tuning.final_temperature =
                    value()?.parse().map_err(|e| format!("{flag}: {e}"))?
            }
            "-h" | "--help" => {
                println!(
                    "ctt_bench [--dir DIR] [--seeds N] [--time-limit SECS] [--jobs J] [--verbose] [--hard-weight W] [--kempe RATE] [--t0 T] [--t1 T]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.seeds == 0 || args.jobs == 0 || args.time_limit.is_nan() || args.time_limit <= 0.0 {
        return Err("--seeds, --jobs and --time-limit must be positive".into());
    }
    Ok(args)
}

/// `best_known.tsv` next to the folder's parent: instance → (best known, winner's average).
fn read_best_known(dir: &Path) -> HashMap<String, (String, String)> {
    let candidates = [dir.join("best_known.tsv"), dir.join("../best_known.tsv")];
    let Some(text) = candidates
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
    else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| header.iter().position(|&h| h == name);
    let (Some(best), Some(winner)) = (column("best_known"), column("itc2007_winner_avg")) else {
        return HashMap::new();
    };
    lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            Some((
                fields.first()?.to_string(),
                (
                    fields.get(best)?.to_string(),
                    fields.get(winner)?.to_string(),
                ),
            ))
        })
        .collect()
}

struct Row {
    name: String,
    costs: Vec<u64>,
    feasible: usize,
    first_feasible: Vec<f64>,
    runs: u64,
    iterations: u64,
}

fn run_instance(path: &Path, args: &Args) -> Result<Row, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let instance = parse_instance(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = path
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut row = Row {
        name,
        costs: Vec::new(),
        feasible: 0,
        first_feasible: Vec::new(),
        runs: args.seeds,
        iterations: 0,
    };
    for seed in 1..=args.seeds {
        let options = SolveOptions {
            time_limit: Duration::from_secs_f64(args.time_limit),
            seed,
            ..args.tuning.clone()
        };
        let outcome = solve(&instance, &options);
        let evaluation = outcome.evaluation;
        eprintln!(
            "{} seed {seed}: hard {} cost {} first feasible {:?} iterations {}",
            row.name,
            evaluation.hard_total(),
            evaluation.soft_total(),
            outcome.time_to_first_feasible,
            outcome.iterations
        );
        if args.verbose {
            eprintln!("{evaluation}");
        }
        row.iterations += outcome.iterations;
        if evaluation.is_feasible() {
            row.feasible += 1;
            row.costs.push(evaluation.soft_total());
        }
        if let Some(time) = outcome.time_to_first_feasible {
            row.first_feasible.push(time.as_secs_f64());
        }
    }
    Ok(row)
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(&args.dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "ctt"))
            .collect(),
        Err(error) => {
            eprintln!("error: {}: {error}", args.dir.display());
            std::process::exit(2);
        }
    };
    paths.sort();
    let best_known = read_best_known(&args.dir);
    let queue = Mutex::new(paths.iter().enumerate());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.min(paths.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().expect("queue lock").next();
                    let Some((index, path)) = next else { break };
                    let result = run_instance(path, &args);
                    results.lock().expect("results lock").push((index, result));
                }
            });
        }
    });
    let mut results = results.into_inner().expect("results lock");
    results.sort_by_key(|(index, _)| *index);

    println!(
        "time limit {} s, seeds 1..={}, jobs {}",
        args.time_limit, args.seeds, args.jobs
    );
    println!(
        "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>10}",
        "instance", "best", "itc_avg", "mean", "our_best", "gap%", "1st_feas", "feasible", "iter/s"
    );
    for (_, result) in results {
        let row = match result {
            Ok(row) => row,
            Err(message) => {
                println!("{message}");
                continue;
            }
        };
        let (best, winner) = best_known
            .get(&row.name)
            .cloned()
            .unwrap_or(("-".into(), "-".into()));
        let mean = (!row.costs.is_empty())
            .then(|| row.costs.iter().sum::<u64>() as f64 / row.costs.len() as f64);
        let ours = row.costs.iter().min().map_or("-".into(), u64::to_string);
        let gap = match (mean, best.parse::<f64>()) {
            (Some(mean), Ok(best)) if best > 0.0 => format!("{:.1}", 100.0 * (mean - best) / best),
            (Some(mean), Ok(_)) => format!("{mean:.1}abs"),
            _ => "-".into(),
        };
        let first = if row.first_feasible.is_empty() {
            "-".into()
        } else {
            format!(
                "{:.3}s",
                row.first_feasible.iter().sum::<f64>() / row.first_feasible.len() as f64
            )
        };
        let rate = row.iterations as f64 / (row.runs as f64 * args.time_limit);
        println!(
            "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8} {:>10} {:>9} {:>10.0}",
            row.name,
            best,
            winner,
            mean.map_or("-".into(), |m| format!("{m:.1}")),
            ours,
            gap,
            first,
            format!("{}/{}", row.feasible, row.runs),
            rate
        );
    }
}
