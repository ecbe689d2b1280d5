//! Build-and-query benchmark on synthetic manufacturing-training resources.
//!
//! ```text
//! cargo run --release -p skillbridge-search --example search_bench -- \
//!     --docs 50000 --dir /tmp/sb-index [--queries 2000] [--threads 2]
//! ```
//!
//! Generates `--docs` resources (Chinese titles, summaries and 200–800 character
//! bodies, some English), rebuilds the index in `--dir` (its previous content is
//! replaced), reopens it as a restarted server would, then runs `--queries`
//! searches (first page of 20, highlighted, a third of them filtered) on
//! `--threads` threads and reports latency percentiles and throughput.
//! Everything is seeded, so runs are comparable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use search::{Query, ResourceDoc, ResourceIndex};

mod corpus;
use corpus::*;

struct Args {
    docs: usize,
    dir: PathBuf,
    queries: usize,
    threads: usize,
    limit: usize,
    /// Query an index left by an earlier run instead of building one.
    skip_build: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        docs: 50_000,
        dir: PathBuf::from("/tmp/sb-index"),
        queries: 2_000,
        threads: 2,
        limit: 20,
        skip_build: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--skip-build" {
            args.skip_build = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: expected a positive number, got {value:?}"))
        };
        match flag.as_str() {
            "--docs" => args.docs = number()?,
            "--queries" => args.queries = number()?,
            "--threads" => args.threads = number()?,
            // 0 measures matching and counting alone, without loading and highlighting hits.
            "--limit" => args.limit = value.parse().map_err(|_| format!("--limit: {value:?}"))?,
            "--dir" => args.dir = PathBuf::from(&value),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(args)
}

fn generate(n: usize) -> Vec<ResourceDoc> {
    let mut rng = Rng(20_240_601);
    (0..n)
        .map(|i| {
            let target_chars = 200 + rng.below(601);
            let mut body = String::new();
            while body.chars().count() < target_chars {
                body.push_str(&sentence(&mut rng));
            }
            let summary = format!(
                "面向{}，聚焦{}{}与{}。",
                rng.pick(POSITIONS),
                rng.pick(EQUIPMENT),
                rng.pick(ACTIONS),
                rng.pick(TOPICS)
            );
            let status = match rng.below(100) {
                0..=4 => "retired",
                5..=9 => "draft",
                10..=12 => "in_review",
                _ => "published",
            };
            ResourceDoc {
                id: i as i64 + 1,
                title: title(&mut rng),
                summary,
                body,
                kind: rng.pick(KINDS).into(),
                tier: rng.pick(TIERS).into(),
                status: status.into(),
                origin: if rng.chance(70) {
                    "internal"
                } else {
                    "external"
                }
                .into(),
                tags: vec![
                    format!("business_line:{}", rng.pick(BUSINESS_LINES)),
                    format!("task_type:{}", rng.pick(TASK_TYPES)),
                    format!("scenario:{}", rng.pick(SCENARIOS)),
                ],
                skills: (0..1 + rng.below(3))
                    .map(|_| format!("SK-{:03}", rng.below(120)))
                    .collect(),
                positions: vec![rng.pick(POSITIONS).into()],
                updated_at: 1_650_000_000 + rng.below(63_000_000) as i64,
            }
        })
        .collect()
}

const QUERY_TEXTS: &[&str] = &[
    "设备故障排查",
    "液压系统漏油",
    "焊接安全",
    "客户投诉处理",
    "销售谈判技巧",
    "精益生产",
    "5S管理",
    "PLC编程",
    "PLC 故障",
    "数控机床保养",
    "冲压模具异常处理",
    "质量检验标准",
    "新员工入职",
    "班组长 沟通",
    "伺服电机过热",
    "变频器报警停机",
    "预防性维护",
    "挂牌上锁",
    "六西格玛 根本原因",
    "问题分析与解决",
    "叉车安全操作",
    "注塑机尺寸超差",
    "目视化管理实战",
    "大客户管理",
    "成本控制",
    "供应商质量",
    "PLC troubleshooting",
    "lean production",
    "welding safety",
    "customer complaint",
    "root cause analysis",
    "hydraulic pressure",
    "\"液压系统\"",
    "设备 -焊接",
    "安全生产 -叉车",
    "如何排查设备异响",
    "空压机润滑管理",
    "产线换型",
    "焊缝气孔",
    "通讯中断",
];

fn make_queries(n: usize, limit: usize) -> Vec<Query> {
    let mut rng = Rng(7);
    (0..n)
        .map(|i| {
            let mut q = Query::text(rng.pick(QUERY_TEXTS));
            q.limit = limit;
            // One in fifty is a filter-only listing (the library page with no text).
            if i % 50 == 0 {
                q.text.clear();
            }
            if i % 3 == 0 {
                q.kind = Some(rng.pick(KINDS).into());
            }
            if i % 5 == 0 {
                q.tags = vec![format!("business_line:{}", rng.pick(BUSINESS_LINES))];
            }
            if i % 7 == 0 {
                q.tier = Some("core".into());
            }
            if i % 11 == 0 {
                q.skill = Some(format!("SK-{:03}", rng.below(120)));
            }
            q
        })
        .collect()
}

fn dir_size(dir: &Path) -> std::io::Result<(u64, usize)> {
    let mut bytes = 0;
    let mut segments = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        bytes += entry.metadata()?.len();
        if entry.path().extension().is_some_and(|e| e == "idx") {
            segments += 1;
        }
    }
    Ok((bytes, segments))
}

/// CPU time (user + system) used by this process so far, from /proc; `None`
/// where that is not available. Other builds on the machine inflate wall-clock
/// latency, not this.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux reports in USER_HZ, which is 100 on every mainstream configuration.
    Some(Duration::from_millis(ticks * 10))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;

    if !args.skip_build {
        let t = Instant::now();
        let docs = generate(args.docs);
        let chars: usize = docs
            .iter()
            .map(|d| d.title.chars().count() + d.summary.chars().count() + d.body.chars().count())
            .sum();
        println!(
            "generated {} docs ({:.1} M characters) in {:.2?}",
            docs.len(),
            chars as f64 / 1e6,
            t.elapsed()
        );

        let index = ResourceIndex::open_or_create(&args.dir)?;
        let t = Instant::now();
        let written = index.rebuild(&docs)?;
        let build = t.elapsed();
        println!(
            "built index of {written} docs in {build:.2?} ({:.0} docs/s)",
            written as f64 / build.as_secs_f64()
        );
        drop(index);
        drop(docs);
    }

    // Reopen as a restarted server would; searches below run on what is on disk.
    let t = Instant::now();
    let index = ResourceIndex::open_or_create(&args.dir)?;
    println!(
        "reopened in {:.2?}: {} docs",
        t.elapsed(),
        index.doc_count()
    );
    let (bytes, segments) = dir_size(&args.dir)?;
    println!(
        "index size on disk: {:.1} MiB in {segments} segments ({})",
        bytes as f64 / (1024.0 * 1024.0),
        args.dir.display()
    );

    let queries = make_queries(args.queries, args.limit);
    // Warm-up: jieba's dictionary, page cache, allocator; not measured.
    for q in queries.iter().take(200) {
        index.search(q)?;
    }

    let cpu_before = process_cpu();
    let t = Instant::now();
    let per_thread: Vec<Result<Vec<(Duration, usize)>, search::SearchError>> =
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..args.threads)
                .map(|t| {
                    let (index, queries) = (&index, &queries);
                    s.spawn(move || {
                        queries
                            .iter()
                            .skip(t)
                            .step_by(args.threads)
                            .map(|q| {
                                let start = Instant::now();
                                let page = index.search(q)?;
                                Ok((start.elapsed(), page.total))
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("query thread panicked"))
                .collect()
        });
    let wall = t.elapsed();
    let cpu = process_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));

    let mut latencies = Vec::with_capacity(args.queries);
    let mut totals = 0usize;
    for result in per_thread {
        for (d, total) in result? {
            latencies.push(d);
            totals += total;
        }
    }
    latencies.sort();
    let n = latencies.len();
    println!(
        "{n} queries on {} threads in {wall:.2?}: {:.0} queries/s",
        args.threads,
        n as f64 / wall.as_secs_f64()
    );
    println!(
        "latency ms: p50 {:.2}  p95 {:.2}  p99 {:.2}  max {:.2}  (mean matches per query {:.0})",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.95)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies[n - 1]),
        totals as f64 / n as f64
    );

    if let Some(cpu) = cpu {
        println!(
            "CPU time {:.2?}: {:.2} ms per query",
            cpu,
            ms(cpu) / n as f64
        );
    }

    // A sample of what a user would see, to eyeball relevance.
    let page = index.search(&Query::text("设备故障排查"))?;
    println!("sample: 设备故障排查 → {} matches", page.total);
    for hit in page.hits.iter().take(3) {
        println!("  {:>6} {:6.2}  {}", hit.id, hit.score, hit.title_html);
    }
    Ok(())
}
