//! Value-proof benchmark (issue #8): evaluates one program against a KPI with
//! `--people` employees × `--months` months of KPI values, through the same service
//! the page, the API and `skillbridge evaluate` use.
//!
//! ```text
//! cargo run --release -p skillbridge --example evaluate_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillbridge_evalbench \
//!     [--people 100000] [--months 60] [--trained 2000] [--positions 5]
//! ```
//!
//! The database is DROPPED and re-created (PostgreSQL; the name must contain `bench`) or
//! its file removed (SQLite, `sqlite:///path/file.db`), then migrated. It writes the demo
//! company for `--people`, one KPI with a value for every person and month (lower is
//! better; personal levels, seasonality, noise, and −0.5 for trained people from the
//! month after completion), a program whose `--trained` learners (in the `--positions`
//! largest positions, or every position with 0) completed in four monthly cohorts, then times the evaluation (12 months before, 6 after, nearest-
//! neighbour matching, 1,000 bootstrap replications) and prints the estimate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;
use store::prelude::*;

use anyhow::{Context, Result, bail};
use clap::Parser;
use domain::audit::Actor;
use domain::effect::EffectRequest;

mod common;
use common::{Raw, peak_rss, recreate_database};

#[derive(Parser, Debug)]
#[command(about = "Times evaluating a program's effect on a KPI over a large history")]
struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/NAME` (NAME containing `bench`);
    /// the database is deleted and re-created.
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 100_000)]
    people: usize,
    /// Months of KPI history, ending in December 2025.
    #[arg(long, default_value_t = 60)]
    months: usize,
    /// People who completed the program (four cohorts, June to September 2024).
    #[arg(long, default_value_t = 2_000)]
    trained: usize,
    /// The trained work in the N largest positions (a program targets some positions);
    /// 0 spreads them over every position.
    #[arg(long, default_value_t = 5)]
    positions: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.people < args.trained || args.months < 24 {
        bail!("--people must be at least --trained, and --months at least 24");
    }
    let backend = recreate_database(&args.database_url).await?;
    println!(
        "evaluate_bench: {backend}, {} people × {} months, {} trained in {}",
        args.people,
        args.months,
        args.trained,
        if args.positions == 0 {
            "every position".to_string()
        } else {
            format!("the {} largest positions", args.positions)
        }
    );
    let mut settings = app::settings::Settings::default();
    settings.database_url = Some(args.database_url.clone());
    let store = app::server::open_store(&settings).await?;

    let t = Instant::now();
    let mut company = demo::generate(args.seed, args.people);
    for e in &mut company.employees {
        e.status = "active";
    }
    store.load_demo_company(&company, &Actor::system()).await?;
    println!("company written in {:.1} s", t.elapsed().as_secs_f64());

    let mut raw = Raw::connect(&args.database_url).await?;
    let now = if raw.is_pg() {
        "now()".to_string()
    } else {
        "'2026-01-01T00:00:00.000000Z'".to_string()
    };
    raw.exec(&format!(
        "INSERT INTO kpis (code, name, unit, direction, aggregation, unit_value, created_at, updated_at) \
         VALUES ('BENCH_RATE', '返工率', '%', 'lower', 'mean', 500, {now}, {now})"
    ))
    .await?;
    raw.exec(&format!(
        "INSERT INTO programs (code, title, status, hours, transfer_kpi_id, transfer_change_pct, transfer_months, created_at, updated_at) \
         SELECT 'BENCH-P', '返工预防', 'closed', 8, id, -10, 6, {now}, {now} FROM kpis WHERE code = 'BENCH_RATE'"
    ))
    .await?;
    // Four cohorts: completion on the 15th of June to September 2024.
    let date_type = if raw.is_pg() { "DATE" } else { "TEXT" };
    let targeted = if args.positions == 0 {
        String::new()
    } else {
        format!(
            "AND e.position_id IN (SELECT position_id FROM employees WHERE position_id IS NOT NULL \
             GROUP BY position_id ORDER BY COUNT(*) DESC, position_id LIMIT {})",
            args.positions
        )
    };
    raw.exec(&format!(
        "INSERT INTO enrollments (program_id, employee_id, source, status, requested_at, completed_on, hours, updated_at) \
         SELECT p.id, e.id, 'assigned', 'completed', {now}, \
           CAST(CASE e.id % 4 WHEN 0 THEN '2024-06-15' WHEN 1 THEN '2024-07-15' WHEN 2 THEN '2024-08-15' ELSE '2024-09-15' END AS {date_type}), \
           8, {now} FROM employees e CROSS JOIN programs p WHERE p.code = 'BENCH-P' {targeted} \
           ORDER BY (e.id * 7919) % 10007, e.id LIMIT {}",
        args.trained
    ))
    .await?;
    let months: Vec<String> = (0..args.months)
        .map(|i| {
            let index = 2025 * 12 + 11 - (args.months - 1 - i) as i64;
            let (year, month) = (index / 12, index % 12 + 1);
            let season = [
                0.6, 0.5, 0.3, 0.1, 0.0, -0.1, -0.2, -0.1, 0.0, 0.2, 0.4, 0.5,
            ][(month - 1) as usize];
            format!("('{year:04}-{month:02}', {season}, {i})")
        })
        .collect();
    let t = Instant::now();
    raw.exec(&format!(
        "INSERT INTO kpi_values (kpi_id, employee_id, period, value, source, entered_by, entered_at) \
         SELECT k.id, e.id, v.column1, \
           3.0 + (e.id % 13) * 0.2 + v.column2 + ((e.id * 7 + v.column3 * 13) % 17) * 0.05 \
           - CASE WHEN en.completed_on IS NOT NULL AND v.column1 > substr(CAST(en.completed_on AS TEXT), 1, 7) THEN 0.5 ELSE 0.0 END, \
           'business', 'bench', {now} \
         FROM employees e CROSS JOIN kpis k CROSS JOIN (VALUES {}) v \
         LEFT JOIN enrollments en ON en.employee_id = e.id AND en.status = 'completed' \
         WHERE k.code = 'BENCH_RATE'",
        months.join(", ")
    ))
    .await?;
    raw.analyze().await?;
    let values = raw.count("kpi_values").await?;
    raw.close().await?;
    println!(
        "{values} KPI values written in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let program = store.program_id("BENCH-P").await?;
    let kpi = service::effect::kpi_by_code(&store, "BENCH_RATE").await?;
    let request = EffectRequest::default();
    let t = Instant::now();
    let panel = store
        .effect_panel(
            program,
            kpi.id,
            request.pre_months,
            request.post_months,
            request.placebo_months(),
            request.stratify,
        )
        .await?;
    let panel_time = t.elapsed();
    println!(
        "panel (SQL aggregation): {:.2} s — {} trained, {} candidate windows",
        panel_time.as_secs_f64(),
        panel.trained.len(),
        panel.candidates.len()
    );
    let t = Instant::now();
    let detail = store.program_detail(program).await?;
    let assumptions =
        service::effect::assumptions(&store, &detail, &kpi, Default::default()).await?;
    let result = service::effect::evaluate(&store, &detail, &kpi, request, assumptions)
        .await
        .context("evaluating")?;
    let total = t.elapsed();
    println!(
        "evaluate (panel + matching + 1,000 bootstrap replications + placebo + series + ROI): {:.2} s",
        total.as_secs_f64()
    );
    println!(
        "effect {:+.3} [{:+.3}, {:+.3}] (planted −0.500), n trained {}, n comparison {}, naive before/after {:+.3}, naive trained vs untrained {:+.3}, pre-trend p {:?}",
        result.effect,
        result.ci_low,
        result.ci_high,
        result.n_trained,
        result.n_comparison,
        result.naive_before_after,
        result.naive_trained_vs_untrained,
        result.pretrend_p_value
    );
    println!("peak RSS of the bench: {}", peak_rss());
    store.close().await;
    Ok(())
}
