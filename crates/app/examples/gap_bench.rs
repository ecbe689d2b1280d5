//! Competency-gap benchmark: builds a fresh database with a large synthetic company and
//! times the store's gap computations on it.
//!
//! ```text
//! cargo run --release -p skillbridge --example gap_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillbridge_gapbench \
//!     [--employees 100000] [--skills-per-position 30] [--repeat 3]
//! ```
//!
//! The database named by `--database-url` is DROPPED and re-created (PostgreSQL; the
//! name must contain `bench`) or its file removed (SQLite, `sqlite:///path/file.db`),
//! then migrated by the same `open_store` the binary uses. The company: 50 departments in
//! a 3-level tree, 40 positions, 60 skills in 6 areas, K required skills per position,
//! KPI targets with shortfalls and position tasks linking skills to them, N employees
//! and one or two assessments for ~80% of each employee's required skills. Data goes in
//! through a separate connection (multi-row INSERTs on SQLite, COPY on PostgreSQL),
//! bypassing the store's validation. After `ANALYZE` (PostgreSQL: `VACUUM ANALYZE`, the
//! state autovacuum reaches after a bulk load) it times `Store::gap_heatmap` over the
//! whole company and batches of `Store::employee_gaps` calls, whatever their SQL is at
//! the time, and prints min/median wall times, the rows returned and the peak RSS of
//! this process (for PostgreSQL the server's memory is not included).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use store::prelude::*;

use anyhow::{Result, bail};
use clap::Parser;

mod common;
use common::{Bulk, Raw, peak_rss, recreate_database};

#[derive(Parser, Debug)]
#[command(about = "Times competency-gap computations on a generated company")]
struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/NAME` (NAME containing `bench`);
    /// the database is deleted and re-created.
    #[arg(long)]
    database_url: String,
    /// Employees to generate.
    #[arg(long, default_value_t = 100_000)]
    employees: usize,
    /// Required skills per position (at most 60).
    #[arg(long, default_value_t = 30)]
    skills_per_position: usize,
    /// Timed runs of each measurement.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// `employee_gaps` calls per timed run.
    #[arg(long, default_value_t = 1000)]
    profiles: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Skip `ANALYZE` after loading (to see plans without statistics).
    #[arg(long)]
    no_analyze: bool,
}

const LEVEL2: i64 = 7;
const DEPARTMENTS: i64 = 50;
const POSITIONS: i64 = 40;
const AREAS: i64 = 6;
const SKILLS: i64 = 60;
const KPIS: i64 = 6;
const OBJECTIVES: i64 = 3;
const TARGETS: i64 = 20;
const TASKS_PER_POSITION: usize = 4;
const SKILLS_PER_TASK: usize = 5;
const TS: &str = "2026-01-01T00:00:00.000000Z";
const METHODS: [&str; 5] = ["exam", "observation", "360", "self", "manager"];
const TIERS: [&str; 3] = ["core", "support", "reserve"];

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.skills_per_position == 0 || args.skills_per_position > SKILLS as usize {
        bail!("--skills-per-position must be between 1 and {SKILLS}");
    }
    if args.repeat == 0 || args.employees == 0 {
        bail!("--repeat and --employees must be positive");
    }
    let backend = recreate_database(&args.database_url).await?;
    println!(
        "gap_bench: {backend}, {} employees x {} required skills, {} runs",
        args.employees, args.skills_per_position, args.repeat
    );

    let mut settings = app::settings::Settings::default();
    settings.database_url = Some(args.database_url.clone());
    let store = app::server::open_store(&settings).await?;

    let started = Instant::now();
    let mut raw = Raw::connect(&args.database_url).await?;
    let counts = generate(&mut raw, &args).await?;
    let generated = started.elapsed();
    let started = Instant::now();
    if !args.no_analyze {
        raw.analyze().await?;
    }
    let analyzed = started.elapsed();
    raw.close().await?;
    println!(
        "data: {} employees, {} required (person, skill) pairs, {} assessments",
        counts.employees, counts.requirements, counts.assessments
    );
    println!(
        "generation {:.1} s, {} {:.1} s, peak RSS while loading {}",
        generated.as_secs_f64(),
        if args.no_analyze {
            "no analyze"
        } else {
            "analyze"
        },
        analyzed.as_secs_f64(),
        peak_rss()
    );
    // Measure the queries' own peak (writing 5 to clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");

    let scope = domain::DataScope::company();
    let mut heat = Vec::with_capacity(args.repeat);
    let mut cells = 0;
    for _ in 0..args.repeat {
        let t = Instant::now();
        let rows = store.gap_heatmap(&scope).await?;
        heat.push(t.elapsed());
        cells = rows.len();
    }
    report("gap_heatmap (company)", &heat, &format!("{cells} cells"));

    let n = args.employees as i64;
    let ids: Vec<i64> = (0..args.profiles as i64)
        .map(|i| 1 + (i * 7919) % n)
        .collect();
    let mut profiles = Vec::with_capacity(args.repeat);
    let mut gap_rows = 0;
    for _ in 0..args.repeat {
        let t = Instant::now();
        gap_rows = 0;
        for id in &ids {
            gap_rows += store.employee_gaps(*id).await?.len();
        }
        profiles.push(t.elapsed());
    }
    report(
        &format!("{} x employee_gaps", ids.len()),
        &profiles,
        &format!("{gap_rows} rows"),
    );
    println!("peak RSS while querying {}", peak_rss());
    store.close().await;
    Ok(())
}

fn report(what: &str, times: &[Duration], rows: &str) {
    let mut sorted = times.to_vec();
    sorted.sort();
    println!(
        "{what}: min {:.3} s, median {:.3} s ({})",
        sorted[0].as_secs_f64(),
        sorted[sorted.len() / 2].as_secs_f64(),
        rows
    );
}

/// splitmix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn date(&mut self, year: u32) -> String {
        format!("{year}-{:02}-{:02}", 1 + self.below(12), 1 + self.below(28))
    }
}

/// One required skill of a position.
#[derive(Clone, Copy)]
struct Requirement {
    skill: i64,
    level: i64,
    tier: &'static str,
    from_tasks: bool,
}

struct Counts {
    employees: i64,
    requirements: i64,
    assessments: i64,
}

async fn generate(raw: &mut Raw, args: &Args) -> Result<Counts> {
    let mut rng = Rng(args.seed);
    raw.exec("BEGIN").await?;

    let mut t = Bulk::new(
        raw,
        "departments",
        "id, code, name, parent_id, path, created_at",
    );
    for id in 1..=DEPARTMENTS {
        let (parent, path) = match id {
            1 => (None, "/1/".to_string()),
            2..=8 => (Some(1), format!("/1/{id}/")),
            _ => {
                let parent = 2 + (id - 9) % LEVEL2;
                (Some(parent), format!("/1/{parent}/{id}/"))
            }
        };
        t.int(id)
            .text(&format!("D{id:03}"))
            .text(&format!("Department {id}"))
            .opt_int(parent)
            .text(&path)
            .text(TS);
        t.end().await?;
    }
    t.flush().await?;

    let mut t = Bulk::new(raw, "positions", "id, code, name, job_family");
    for id in 1..=POSITIONS {
        t.int(id)
            .text(&format!("P{id:02}"))
            .text(&format!("Position {id}"))
            .text(&format!("Family {}", 1 + (id - 1) / 8));
        t.end().await?;
    }
    t.flush().await?;

    let mut t = Bulk::new(raw, "skill_areas", "id, code, name");
    for id in 1..=AREAS {
        t.int(id)
            .text(&format!("A{id}"))
            .text(&format!("Area {id}"));
        t.end().await?;
    }
    t.flush().await?;
    let mut t = Bulk::new(raw, "skills", "id, code, name, area_id, levels");
    for id in 1..=SKILLS {
        t.int(id)
            .text(&format!("S{id:02}"))
            .text(&format!("Skill {id}"))
            .int(1 + (id - 1) * AREAS / SKILLS)
            .int(3);
        t.end().await?;
    }
    t.flush().await?;

    // Competency models: K distinct skills per position, levels 1-3, mixed tiers.
    let mut models: Vec<Vec<Requirement>> = Vec::with_capacity(POSITIONS as usize);
    for _ in 0..POSITIONS {
        let mut pool: Vec<i64> = (1..=SKILLS).collect();
        for i in 0..args.skills_per_position {
            let j = i + rng.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        let mut chosen = pool[..args.skills_per_position].to_vec();
        chosen.sort_unstable();
        models.push(
            chosen
                .into_iter()
                .map(|skill| Requirement {
                    skill,
                    level: match rng.below(100) {
                        0..25 => 1,
                        25..70 => 2,
                        _ => 3,
                    },
                    tier: TIERS[match rng.below(10) {
                        0..3 => 0,
                        3..7 => 1,
                        _ => 2,
                    }],
                    from_tasks: false,
                })
                .collect(),
        );
    }

    // Decoding chain: strategy → objectives → department KPI targets (most missed).
    let mut t = Bulk::new(
        raw,
        "kpis",
        "id, code, name, unit, direction, aggregation, created_at, updated_at",
    );
    for id in 1..=KPIS {
        t.int(id)
            .text(&format!("K{id}"))
            .text(&format!("KPI {id}"))
            .text("%")
            .text("higher")
            .text("mean")
            .text(TS)
            .text(TS);
        t.end().await?;
    }
    t.flush().await?;
    raw.exec(&format!(
        "INSERT INTO strategies (id, code, name, updated_at) VALUES (1, 'ST1', 'Strategy', '{TS}')"
    ))
    .await?;
    let mut t = Bulk::new(
        raw,
        "objectives",
        "id, strategy_id, code, name, perspective, updated_at",
    );
    for id in 1..=OBJECTIVES {
        t.int(id)
            .int(1)
            .text(&format!("O{id}"))
            .text(&format!("Objective {id}"))
            .text("internal_process")
            .text(TS);
        t.end().await?;
    }
    t.flush().await?;
    let mut t = Bulk::new(
        raw,
        "kpi_targets",
        "id, objective_id, department_id, kpi_id, period, comparator, target_value, actual_value, shortfall, updated_at",
    );
    for id in 1..=TARGETS {
        let shortfall = if rng.chance(0.25) {
            0.0
        } else {
            (5 + rng.below(56)) as f64 / 100.0
        };
        t.int(id)
            .int(1 + (id - 1) % OBJECTIVES)
            .int(2 + rng.below((DEPARTMENTS - 1) as u64) as i64)
            .int(1 + rng.below(KPIS as u64) as i64)
            .text("2026-03")
            .text(">=")
            .real(100.0)
            .real(100.0 * (1.0 - shortfall))
            .real(shortfall);
        t.text(TS);
        t.end().await?;
    }
    t.flush().await?;

    // Tasks: a few per position, most serving a KPI target, each needing some of the
    // position's skills at the position's level and tier (those requirements are 'tasks').
    let mut tasks = Bulk::new(
        raw,
        "position_tasks",
        "id, position_id, kpi_target_id, code, name, process_step, updated_at",
    );
    let mut task_skills: Vec<(i64, Requirement)> = Vec::new();
    let mut task_id = 0;
    for (p, model) in models.iter_mut().enumerate() {
        for step in 1..=TASKS_PER_POSITION {
            task_id += 1;
            let target = (!rng.chance(0.25)).then(|| 1 + rng.below(TARGETS as u64) as i64);
            tasks
                .int(task_id)
                .int(p as i64 + 1)
                .opt_int(target)
                .text(&format!("T{step}"))
                .text(&format!("Task {step} of position {}", p + 1))
                .int(step as i64)
                .text(TS);
            tasks.end().await?;
            let mut picked: Vec<usize> = Vec::new();
            while picked.len() < SKILLS_PER_TASK.min(model.len()) {
                let i = rng.below(model.len() as u64) as usize;
                if !picked.contains(&i) {
                    picked.push(i);
                }
            }
            for i in picked {
                model[i].from_tasks = true;
                task_skills.push((task_id, model[i]));
            }
        }
    }
    tasks.flush().await?;
    let mut t = Bulk::new(
        raw,
        "task_skills",
        "task_id, skill_id, required_level, tier",
    );
    for (task, r) in &task_skills {
        t.int(*task).int(r.skill).int(r.level).text(r.tier);
        t.end().await?;
    }
    t.flush().await?;
    let mut t = Bulk::new(
        raw,
        "position_skills",
        "position_id, skill_id, required_level, tier, source",
    );
    for (p, model) in models.iter().enumerate() {
        for r in model {
            t.int(p as i64 + 1)
                .int(r.skill)
                .int(r.level)
                .text(r.tier)
                .text(if r.from_tasks { "tasks" } else { "manual" });
            t.end().await?;
        }
    }
    t.flush().await?;
    raw.exec("COMMIT").await?;

    // People: 90% in the 42 leaf departments, 10% in the 7 divisions; 1% have left.
    let n = args.employees as i64;
    let mut positions = Vec::with_capacity(args.employees);
    raw.exec("BEGIN").await?;
    let mut t = Bulk::new(
        raw,
        "employees",
        "id, employee_no, name, department_id, position_id, hire_date, status, created_at, updated_at",
    );
    for id in 1..=n {
        let department = if rng.chance(0.9) {
            LEVEL2 + 2 + rng.below((DEPARTMENTS - LEVEL2 - 1) as u64) as i64
        } else {
            2 + rng.below(LEVEL2 as u64) as i64
        };
        let position = 1 + rng.below(POSITIONS as u64) as i64;
        positions.push(position);
        let status = match rng.below(100) {
            0 => "left",
            1..3 => "on_leave",
            _ => "active",
        };
        let year = 2010 + rng.below(15) as u32;
        let hire = rng.date(year);
        t.int(id)
            .text(&format!("E{id:07}"))
            .text(&format!("Employee {id}"))
            .int(department)
            .int(position)
            .text(&hire)
            .text(status)
            .text(TS)
            .text(TS);
        t.end().await?;
    }
    t.flush().await?;
    raw.exec("COMMIT").await?;

    // Assessments: ~80% of each person's required skills assessed, half of them twice.
    raw.exec("BEGIN").await?;
    let mut t = Bulk::new(
        raw,
        "assessments",
        "employee_id, skill_id, level, score, method, assessor, assessed_on, created_at",
    );
    let mut requirements = 0;
    for (e, position) in positions.iter().enumerate() {
        let model = &models[(*position - 1) as usize];
        requirements += model.len() as i64;
        for r in model {
            if !rng.chance(0.8) {
                continue;
            }
            if rng.chance(0.5) {
                let level = rng.below(r.level as u64 + 1) as i64;
                t.int(e as i64 + 1)
                    .int(r.skill)
                    .int(level)
                    .real((40 + rng.below(60)) as f64)
                    .text(METHODS[rng.below(5) as usize])
                    .text("bench")
                    .text(&rng.date(2024))
                    .text(TS);
                t.end().await?;
            }
            let level = (r.level - 2 + rng.below(4) as i64).clamp(0, 3);
            t.int(e as i64 + 1)
                .int(r.skill)
                .int(level)
                .real((40 + rng.below(60)) as f64)
                .text(METHODS[rng.below(5) as usize])
                .text("bench")
                .text(&rng.date(2025))
                .text(TS);
            t.end().await?;
        }
    }
    t.flush().await?;
    raw.exec("COMMIT").await?;

    if raw.is_pg() {
        // Explicit ids leave the identity sequences behind; move them past the data.
        for table in [
            "departments",
            "positions",
            "skill_areas",
            "skills",
            "kpis",
            "strategies",
            "objectives",
            "kpi_targets",
            "position_tasks",
            "employees",
        ] {
            raw.exec(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    Ok(Counts {
        employees: raw.count("employees").await?,
        requirements,
        assessments: raw.count("assessments").await?,
    })
}
