//! HR-sync benchmark: a full sync of a large company with a small share of changes,
//! through the same use case as `skillbridge import employees FILE --full`.
//!
//! ```text
//! cargo run --release -p skillbridge --example sync_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillbridge_syncbench \
//!     [--employees 100000] [--change-percent 1]
//! ```
//!
//! The database named by `--database-url` is DROPPED and re-created (PostgreSQL; the
//! name must contain `bench`) or its file removed (SQLite, `sqlite:///path/file.db`),
//! then migrated. A first import loads N people (工号, 姓名, 部门, 岗位, 直属上级, 状态,
//! 城市; 50 departments and 40 positions created from the file) and provisions their
//! logins. The second file is the same company with `--change-percent` of the people
//! changed: 30% of the changes leavers (absent), 30% transfers, 20% position changes
//! and 20% hires. It times the second file's dry run (the diff only) and its full sync
//! (diff, upsert, job history, events, leavers' logins, enrollments and approvals,
//! audit, logins for the hires), checks the diff's counts, and prints the wall times
//! and the peak RSS of this process (for PostgreSQL the server's memory is not included).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Result, bail, ensure};
use clap::Parser;
use domain::audit::Actor;
use service::imports::{EmployeeImportRequest, Employees, import_employees};

mod common;
use common::{peak_rss, recreate_database};

#[derive(Parser, Debug)]
#[command(about = "Times a full HR sync on a generated company")]
struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/NAME` (NAME containing `bench`);
    /// the database is deleted and re-created.
    #[arg(long)]
    database_url: String,
    /// People in the company.
    #[arg(long, default_value_t = 100_000)]
    employees: usize,
    /// Share of the people changed by the second export, in percent.
    #[arg(long, default_value_t = 1.0)]
    change_percent: f64,
}

const DEPARTMENTS: usize = 50;
const POSITIONS: usize = 40;

/// One person of the generated company: (number, department, position, manager).
fn row(out: &mut String, i: usize, dept: usize, pos: usize) {
    let manager = if i.is_multiple_of(10) || i < 10 {
        String::new()
    } else {
        format!("E{:07}", i - i % 10)
    };
    let _ = writeln!(
        out,
        "E{i:07},员工{i},D{dept:03},P{pos:03},{manager},在职,城市{}",
        i % 7
    );
}

const HEADER: &str = "工号,姓名,部门,岗位,直属上级,状态,城市\n";

async fn sync(
    ctx: &service::Context,
    bytes: Vec<u8>,
    name: &str,
    full: bool,
    dry_run: bool,
) -> Result<(std::time::Duration, store::EmployeeImportOutcome)> {
    let kind = Employees {
        options: import::employees::Options {
            create_missing: true,
            ..Default::default()
        },
        full,
        ..Default::default()
    };
    let started = Instant::now();
    let report = import_employees(
        ctx,
        None,
        EmployeeImportRequest::new(bytes, name, dry_run, kind),
        &Actor::cli(),
    )
    .await?;
    let elapsed = started.elapsed();
    if report.error_count > 0 {
        bail!(
            "{name}: {} problems, e.g. {:?}",
            report.error_count,
            report.errors.first()
        );
    }
    let outcome = report
        .outcome
        .ok_or_else(|| anyhow::anyhow!("{name}: no outcome"))?;
    Ok((elapsed, outcome))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(args.employees >= 1000, "--employees must be at least 1000");
    ensure!(
        (0.0..=9.0).contains(&args.change_percent),
        "--change-percent must be between 0 and 9 (above, the leaver threshold refuses)"
    );
    let engine = recreate_database(&args.database_url).await?;
    let store = store::Store::connect(&args.database_url).await?;
    store.migrate().await?;
    let ctx = service::Context::new(store.clone(), service::Settings::default());
    let n = args.employees;
    let changes = ((n as f64) * args.change_percent / 100.0).round() as usize;
    let (leavers, transfers, promotions) = (changes * 3 / 10, changes * 3 / 10, changes * 2 / 10);
    let hires = changes - leavers - transfers - promotions;

    let mut first = String::from(HEADER);
    for i in 0..n {
        row(&mut first, i, i % DEPARTMENTS, i % POSITIONS);
    }
    let (load, o) = sync(&ctx, first.into_bytes(), "hr-1.csv", false, false).await?;
    println!(
        "{engine}: initial import of {n} people: {:.1} s ({} logins provisioned)",
        load.as_secs_f64(),
        o.provisioned.created.len()
    );

    // The second export: leavers are the last people (not managers), transfers and
    // position changes spread over the rest, hires appended.
    let mut second = String::from(HEADER);
    let stride = (n / (transfers + promotions + 1)).max(1);
    let (mut moved, mut promoted) = (0, 0);
    for i in 0..n - leavers {
        let (mut dept, mut pos) = (i % DEPARTMENTS, i % POSITIONS);
        if i % stride == 1 {
            if moved < transfers {
                dept = (dept + 1) % DEPARTMENTS;
                moved += 1;
            } else if promoted < promotions {
                pos = (pos + 1) % POSITIONS;
                promoted += 1;
            }
        }
        row(&mut second, i, dept, pos);
    }
    for i in 0..hires {
        row(&mut second, n + i, i % DEPARTMENTS, i % POSITIONS);
    }
    let bytes = second.into_bytes();
    let (preview, o) = sync(&ctx, bytes.clone(), "hr-2.csv", true, true).await?;
    println!(
        "{engine}: dry run of the full sync: {:.2} s: {}",
        preview.as_secs_f64(),
        o.diff.summary()
    );
    let (applied, o) = sync(&ctx, bytes, "hr-2.csv", true, false).await?;
    let d = &o.diff;
    ensure!(
        (
            d.hires.len(),
            d.leavers.len(),
            d.transfers.len(),
            d.position_changes.len()
        ) == (hires, leavers, moved, promoted),
        "unexpected diff: {}",
        d.summary()
    );
    println!(
        "{engine}: full sync with {changes} changes ({} hires, {} leavers, {} transfers, {} position changes): {:.2} s; {} logins disabled, {} created",
        d.hires.len(),
        d.leavers.len(),
        d.transfers.len(),
        d.position_changes.len(),
        applied.as_secs_f64(),
        o.leavers.accounts_disabled.len(),
        o.provisioned.created.len()
    );
    println!("peak RSS of this process: {}", peak_rss());
    store.close().await;
    Ok(())
}
