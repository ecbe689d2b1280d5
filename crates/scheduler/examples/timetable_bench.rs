//! Solves a generated product-size timetabling problem (the general model of
//! `scheduler::timetable`) and prints, per time limit, the time to the first
//! timetable without hard violations and the cost reached, by constraint.
//!
//! `cargo run --release -p skillbridge-scheduler --example timetable_bench --
//! [--sessions N] [--programs N] [--venues N] [--instructors N] [--weeks N]
//! [--seed N] [--time-limits 10,60]`
//!
//! The problem: working days of 8 hourly slots; programs of 1–4-slot sessions for
//! one learner cohort each, some with a prerequisite chain; classrooms, labs and
//! workshops (strict capacity) on three sites, some rented; internal and external
//! instructors with fees, days off and (for some) a preference for mornings;
//! cohorts on shifts and with production-peak days blocked; a few pinned sessions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use scheduler::timetable::{
    Assignment, Calendar, Cohort, Group, Instructor, PlanOptions, Problem, Session, Venue, Weights,
    conflicts, evaluate, solve_with_stats,
};

struct Args {
    sessions: usize,
    programs: usize,
    venues: usize,
    instructors: usize,
    weeks: usize,
    seed: u64,
    time_limits: Vec<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        sessions: 400,
        programs: 40,
        venues: 20,
        instructors: 30,
        weeks: 4,
        seed: 1,
        time_limits: vec![10.0, 60.0],
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |text: String| text.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--sessions" => args.sessions = number(value()?)?,
            "--programs" => args.programs = number(value()?)?.max(1),
            "--venues" => args.venues = number(value()?)?.max(3),
            "--instructors" => args.instructors = number(value()?)?.max(1),
            "--weeks" => args.weeks = number(value()?)?.max(1),
            "--seed" => args.seed = number(value()?)? as u64,
            "--time-limits" => {
                args.time_limits = value()?
                    .split(',')
                    .map(|t| t.trim().parse::<f64>().map_err(|e| format!("{flag}: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "-h" | "--help" => {
                println!(
                    "timetable_bench [--sessions N] [--programs N] [--venues N] [--instructors N] [--weeks N] [--seed N] [--time-limits 10,60]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// SplitMix64, so the generated problem depends on the seed only.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.range(1, 100) <= percent
    }
}

fn generate(args: &Args) -> Problem {
    let mut rng = Rng(args.seed);
    const PER_DAY: usize = 8;
    let days = args.weeks * 5;
    let calendar = Calendar {
        days,
        slots_per_day: PER_DAY,
    };
    let day_slots = |day: usize| (day * PER_DAY..(day + 1) * PER_DAY).collect::<Vec<_>>();
    let kinds = ["classroom", "lab", "workshop"];
    // 60% classrooms, 25% labs, the rest workshops.
    let venues: Vec<Venue> = (0..args.venues)
        .map(|v| {
            let kind = match v * 100 / args.venues {
                0..60 => 0,
                60..85 => 1,
                _ => 2,
            };
            let rented = rng.chance(20);
            Venue {
                id: format!("{}-{v}", kinds[kind]),
                kind: kinds[kind].into(),
                capacity: [rng.range(20, 80), rng.range(15, 30), rng.range(20, 40)][kind],
                site: format!("site-{}", rng.range(0, 2)),
                cost_per_slot: if rented { rng.range(10, 40) as u64 } else { 0 },
                unavailable: if rng.chance(30) {
                    day_slots(rng.range(0, days - 1))
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let instructors: Vec<Instructor> = (0..args.instructors)
        .map(|i| {
            let external = rng.chance(30);
            let unavailable = (0..rng.range(2, 2 * args.weeks))
                .flat_map(|_| day_slots(rng.range(0, days - 1)))
                .collect();
            let preferred = if rng.chance(40) {
                (0..days)
                    .flat_map(|d| d * PER_DAY..d * PER_DAY + 4)
                    .collect()
            } else {
                Vec::new()
            };
            Instructor {
                id: format!("{}-{i}", if external { "ext" } else { "int" }),
                unavailable,
                hourly_cost: if external {
                    rng.range(30, 80) as u64
                } else {
                    rng.range(0, 10) as u64
                },
                preferred,
            }
        })
        .collect();
    // One cohort per program: its learners.
    let cohorts: Vec<Cohort> = (0..args.programs)
        .map(|c| {
            let mut blocked: Vec<usize> = (0..rng.range(0, 3))
                .flat_map(|_| day_slots(rng.range(0, days - 1)))
                .collect();
            // A fifth of the cohorts work the early shift: afternoons only.
            if rng.chance(20) {
                blocked.extend((0..days).flat_map(|d| d * PER_DAY..d * PER_DAY + 4));
            }
            Cohort {
                id: format!("cohort-{c}"),
                blocked,
            }
        })
        .collect();
    let groups: Vec<Group> = (0..args.programs)
        .map(|g| Group {
            id: format!("program-{g}"),
            min_days: rng.range(2, 5),
        })
        .collect();
    let mut sessions = Vec::with_capacity(args.sessions);
    for s in 0..args.sessions {
        let program = s * args.programs / args.sessions.max(1);
        let first_of_program = s == 0 || (s - 1) * args.programs / args.sessions != program;
        let kind = match rng.range(1, 100) {
            1..=70 => 0,
            71..=90 => 1,
            _ => 2,
        };
        let candidates: Vec<usize> = {
            let mut list: Vec<usize> = (0..rng.range(1, 3))
                .map(|_| rng.range(0, args.instructors - 1))
                .collect();
            list.sort_unstable();
            list.dedup();
            list
        };
        // Labs and workshops take the program in batches that fit their largest one.
        let largest = venues
            .iter()
            .filter(|v| v.kind == kinds[kind])
            .map(|v| v.capacity)
            .max()
            .unwrap_or(usize::MAX);
        let learners = (10 + (program * 7) % 25).min(largest);
        sessions.push(Session {
            id: format!("p{program}-s{s}"),
            length: [1, 2, 2, 2, 3, 4][rng.range(0, 5)],
            venue_kind: kinds[kind].into(),
            learners,
            strict_capacity: kind > 0,
            cohorts: vec![program],
            candidate_instructors: candidates,
            // The first sessions of some programs build on each other.
            predecessors: if !first_of_program && rng.chance(25) {
                vec![s - 1]
            } else {
                Vec::new()
            },
            pinned: None,
            group: Some(program),
        });
    }
    let mut problem = Problem {
        calendar,
        sessions,
        venues,
        instructors,
        cohorts,
        groups,
        weights: Weights::default(),
    };
    // Pin 2% of the sessions where a quick solve put them (an already published part).
    let pins: Vec<usize> = (0..problem.sessions.len())
        .filter(|_| rng.chance(2))
        .collect();
    if !pins.is_empty() {
        let quick = scheduler::timetable::solve(
            &problem,
            &PlanOptions {
                time_limit: Duration::from_secs(5),
                max_iterations: Some(20_000),
                seed: args.seed,
            },
        );
        for &s in &pins {
            let a: Assignment = quick.timetable.assignments[s];
            problem.sessions[s].pinned = Some(a);
        }
    }
    problem
}

fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let problem = generate(&args);
    let slots: usize = problem.sessions.iter().map(|s| s.length).sum();
    println!(
        "{} sessions ({} session-slots), {} programs, {} venues, {} instructors, {} days x {} slots, {} pinned",
        problem.sessions.len(),
        slots,
        problem.groups.len(),
        problem.venues.len(),
        problem.instructors.len(),
        problem.calendar.days,
        problem.calendar.slots_per_day,
        problem
            .sessions
            .iter()
            .filter(|s| s.pinned.is_some())
            .count(),
    );
    // Lower bounds of the two largest lines, each session at its cheapest alone.
    let weights = problem.weights;
    let (mut fees, mut seats) = (0, 0);
    for session in &problem.sessions {
        fees += session
            .candidate_instructors
            .iter()
            .map(|&i| problem.instructors[i].hourly_cost * session.length as u64)
            .min()
            .unwrap_or(0)
            * weights.instructor_cost;
        seats += problem
            .venues
            .iter()
            .filter(|v| v.kind == session.venue_kind)
            .filter(|v| !session.strict_capacity || v.capacity >= session.learners)
            .map(|v| {
                v.capacity
                    .saturating_sub(session.learners + session.learners.div_ceil(4))
                    as u64
            })
            .min()
            .unwrap_or(0)
            * weights.oversized_venue;
    }
    println!("lower bounds: instructor_cost {fees}, oversized_venue {seats}");
    for &limit in &args.time_limits {
        let (plan, stats) = solve_with_stats(
            &problem,
            &PlanOptions {
                time_limit: Duration::from_secs_f64(limit),
                max_iterations: None,
                seed: args.seed,
            },
        );
        let report = &plan.report;
        assert_eq!(*report, evaluate(&problem, &plan.timetable, None, &[]));
        let found = conflicts(&problem, &plan.timetable, None, &[]);
        let unavoidable = found.iter().filter(|c| c.unavoidable).count();
        let first = stats
            .first_feasible
            .map_or("never".to_string(), |t| format!("{:.3} s", t.as_secs_f64()));
        println!(
            "time limit {limit:>5} s: first feasible {first}, hard {} ({unavoidable} unavoidable), soft {}, {} moves in {:.1} s ({:.2} M/s)",
            report.hard(),
            report.soft,
            stats.iterations,
            stats.elapsed.as_secs_f64(),
            stats.iterations as f64 / stats.elapsed.as_secs_f64().max(1e-9) / 1e6,
        );
        let lines: Vec<String> = report
            .lines()
            .iter()
            .filter(|line| line.cost > 0)
            .map(|line| format!("{} {}", line.key, line.cost))
            .collect();
        println!("    {}", lines.join(", "));
    }
}
