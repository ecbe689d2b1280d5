//! Library search through the real HTTP server (issue #5): index build time, index size
//! on disk and `GET /api/v1/resources?q=` latency under a loopback load.
//!
//! ```text
//! cargo run --release -p skillbridge --example search_http_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/skillbridge_searchbench \
//!     [--resources 50000] [--clients 8] [--requests 4000]
//! ```
//!
//! The database is DROPPED and re-created (PostgreSQL; the name must contain `bench`) or
//! its file removed (SQLite, `sqlite:///path/file.db`), then migrated by `open_store`.
//! `--resources` published resources (version 1, three business tags each; text from
//! the search crate's benchmark vocabulary) are written through a separate connection.
//! The index is built in a temporary folder with `web::library::rebuild_index`, then
//! the server is started with `app::server::start` on 127.0.0.1:0 (which rebuilds it
//! again, as at every start) and `--clients` keep-alive clients share `--requests`
//! searches as an employee with an API token. Client and server run in this process,
//! so they share its CPUs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use clap::Parser;
use domain::ScopeKind;
use domain::access::Role;
use domain::account::{AccountRepository, NewUser};
use domain::audit::Actor;

mod common;
use common::{Bulk, Raw, peak_rss, recreate_database};

#[path = "../../search/examples/corpus/mod.rs"]
mod corpus;
use corpus::Rng;

#[derive(Parser, Debug)]
#[command(about = "Times library searches through the HTTP server")]
struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/NAME` (NAME containing `bench`);
    /// the database is deleted and re-created.
    #[arg(long)]
    database_url: String,
    /// Published resources to generate.
    #[arg(long, default_value_t = 50_000)]
    resources: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Timed requests in all.
    #[arg(long, default_value_t = 4_000)]
    requests: usize,
    /// Results per page, as the library's default.
    #[arg(long, default_value_t = 20)]
    per_page: usize,
}

/// Chinese and English, one- and two-word, phrase, exclusion and a miss.
const QUERIES: &[&str] = &[
    "设备故障排查",
    "液压",
    "液压系统漏油",
    "焊接质量",
    "焊接安全",
    "客户投诉",
    "客户投诉处理",
    "安全 操作",
    "精益生产",
    "5S管理",
    "PLC 故障",
    "数控机床保养",
    "冲压模具异常处理",
    "质量检验",
    "新员工入职",
    "班组长 沟通",
    "伺服电机过热",
    "变频器报警停机",
    "预防性维护",
    "挂牌上锁",
    "六西格玛 根本原因",
    "叉车安全操作",
    "troubleshooting",
    "lean production",
    "root cause analysis",
    "hydraulic pressure",
    "\"液压系统\"",
    "设备 -焊接",
    "产线换型",
    "量子纠缠",
];

const TS: &str = "2026-01-01T00:00:00.000000Z";
const TAG_KINDS: [(&str, &[&str]); 3] = [
    ("business_line", corpus::BUSINESS_LINES),
    ("task_type", corpus::TASK_TYPES),
    ("scenario", corpus::SCENARIOS),
];

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.resources == 0 || args.clients == 0 || args.requests == 0 || args.per_page == 0 {
        bail!("--resources, --clients, --requests and --per-page must be positive");
    }
    let backend = recreate_database(&args.database_url).await?;
    println!(
        "search_http_bench: {backend}, {} resources, {} clients x {} requests",
        args.resources, args.clients, args.requests
    );
    let mut settings = app::settings::Settings::default();
    settings.database_url = Some(args.database_url.clone());
    let store = app::server::open_store(&settings).await?;

    let t = Instant::now();
    let mut raw = Raw::connect(&args.database_url).await?;
    let chars = generate(&mut raw, args.resources).await?;
    raw.analyze().await?;
    raw.close().await?;
    println!(
        "data: {} resources ({:.1} M characters) written in {:.1} s",
        args.resources,
        chars as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    let dir = std::env::temp_dir().join(format!("sb-search-http-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = Arc::new(search::ResourceIndex::open_or_create(&dir)?);
    let t = Instant::now();
    let indexed = service::library::rebuild_index(&store, index.clone()).await?;
    let build = t.elapsed();
    println!(
        "index build (rebuild_index): {indexed} docs in {:.1} s ({:.0} docs/s); size on disk {:.1} MiB",
        build.as_secs_f64(),
        indexed as f64 / build.as_secs_f64(),
        dir_bytes(&dir)? as f64 / (1024.0 * 1024.0)
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let t = Instant::now();
    let context = service::Context::new(store.clone(), app::server::service_settings(&settings))
        .with_search(index);
    let server =
        app::server::start(context, app::server::web_config(&settings), listener, None).await?;
    println!(
        "server start (rebuilds the index again) {:.1} s; index size on disk {:.1} MiB",
        t.elapsed().as_secs_f64(),
        dir_bytes(&dir)? as f64 / (1024.0 * 1024.0)
    );

    // A plain employee: searches keep to published resources, the usual path.
    let user = NewUser {
        username: "bench".into(),
        display_name: "Bench".into(),
        password_hash: "-".into(),
        employee_id: None,
        grants: vec![(Role::Employee, ScopeKind::SelfOnly)],
    };
    let actor = Actor::system();
    let user_id = store.create_user(&user, &actor).await?.id;
    let (token, _) =
        service::accounts::issue_token(&server.state, user_id, "bench", &actor).await?;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let urls: Vec<String> = QUERIES
        .iter()
        .map(|q| {
            format!(
                "http://{}/api/v1/resources?per_page={}&q={}",
                server.addr,
                args.per_page,
                encode(q)
            )
        })
        .collect();
    // Warm-up and a look at the matches: every query once, not timed.
    let mut matches = Vec::with_capacity(QUERIES.len());
    for url in &urls {
        let res = client.get(url).bearer_auth(&token).send().await?;
        if !res.status().is_success() {
            bail!("{url}: {}", res.status());
        }
        let page: serde_json::Value = res.json().await?;
        matches.push(page["total"].as_i64().unwrap_or(-1));
    }
    println!(
        "matches per query: {}",
        QUERIES
            .iter()
            .zip(&matches)
            .map(|(q, n)| format!("{q}={n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let next = Arc::new(AtomicUsize::new(0));
    let urls = Arc::new(urls);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.clients)
        .map(|_| {
            let (client, urls, next, token) =
                (client.clone(), urls.clone(), next.clone(), token.clone());
            let requests = args.requests;
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= requests {
                        break;
                    }
                    // Stride through the list so concurrent clients ask different things.
                    let url = &urls[(i * 7) % urls.len()];
                    let t = Instant::now();
                    let res = client.get(url).bearer_auth(&token).send().await?;
                    let status = res.status();
                    res.bytes().await?;
                    if !status.is_success() {
                        bail!("{url}: {status}");
                    }
                    times.push(t.elapsed());
                }
                Ok(times)
            })
        })
        .collect();
    let mut times = Vec::with_capacity(args.requests);
    for w in workers {
        times.extend(w.await??);
    }
    let wall = started.elapsed();
    times.sort();
    println!(
        "{} requests, {} clients in {:.2} s: {:.0} requests/s",
        times.len(),
        args.clients,
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        ms(percentile(&times, 0.50)),
        ms(percentile(&times, 0.90)),
        ms(percentile(&times, 0.99)),
        ms(times[times.len() - 1])
    );
    println!("peak RSS under load {}", peak_rss());

    server.stop().await;
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Writes `n` published resources with a first version and three tags; returns the
/// characters of text written.
async fn generate(raw: &mut Raw, n: usize) -> Result<usize> {
    let mut rng = Rng(20_240_601);
    raw.exec("BEGIN").await?;
    let mut t = Bulk::new(raw, "tag_vocabularies", "id, kind, value, created_at");
    let mut vocabulary = 0;
    for (kind, values) in TAG_KINDS {
        for value in values {
            vocabulary += 1;
            t.int(vocabulary).text(kind).text(value).text(TS);
            t.end().await?;
        }
    }
    t.flush().await?;

    let mut chars = 0;
    let mut texts = Vec::with_capacity(n);
    let mut t = Bulk::new(
        raw,
        "resources",
        "id, code, kind, title, summary, body, tier, origin, vendor, estimated_minutes, status, \
         current_version, created_at, updated_at, published_at",
    );
    for i in 1..=n as i64 {
        let target = 200 + rng.below(601);
        let mut body = String::new();
        while body.chars().count() < target {
            body.push_str(&corpus::sentence(&mut rng));
        }
        let title = corpus::title(&mut rng);
        let summary = format!(
            "面向{}，聚焦{}{}与{}。",
            rng.pick(corpus::POSITIONS),
            rng.pick(corpus::EQUIPMENT),
            rng.pick(corpus::ACTIONS),
            rng.pick(corpus::TOPICS)
        );
        chars += title.chars().count() + summary.chars().count() + body.chars().count();
        let external = rng.chance(30);
        t.int(i)
            .text(&format!("RES-{i:06}"))
            .text(rng.pick(corpus::KINDS))
            .text(&title)
            .text(&summary)
            .text(&body)
            .text(rng.pick(corpus::TIERS))
            .text(if external { "external" } else { "internal" });
        if external {
            t.text("外部供应商");
        } else {
            t.opt_int(None);
        }
        t.int(5 + rng.below(116) as i64)
            .text("published")
            .int(1)
            .text(TS)
            .text(TS)
            .text(TS);
        t.end().await?;
        texts.push((title, summary, body));
    }
    t.flush().await?;

    let mut t = Bulk::new(
        raw,
        "resource_versions",
        "resource_id, version, title, summary, body, snapshot, published_at, publisher",
    );
    for (i, (title, summary, body)) in texts.iter().enumerate() {
        t.int(i as i64 + 1)
            .int(1)
            .text(title)
            .text(summary)
            .text(body)
            .text("{}")
            .text(TS)
            .text("bench");
        t.end().await?;
    }
    t.flush().await?;
    drop(texts);

    let mut t = Bulk::new(raw, "resource_tags", "resource_id, vocabulary_id");
    for i in 1..=n as i64 {
        let mut first = 1;
        for (_, values) in TAG_KINDS {
            t.int(i).int(first + rng.below(values.len()) as i64);
            t.end().await?;
            first += values.len() as i64;
        }
    }
    t.flush().await?;
    raw.exec("COMMIT").await?;
    if raw.is_pg() {
        // Explicit ids leave the identity sequences behind; move them past the data.
        for table in ["tag_vocabularies", "resources"] {
            raw.exec(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    Ok(chars)
}

/// Percent-encodes a query string value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn dir_bytes(dir: &std::path::Path) -> Result<u64> {
    let mut bytes = 0;
    for entry in std::fs::read_dir(dir)? {
        bytes += entry?.metadata()?.len();
    }
    Ok(bytes)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
