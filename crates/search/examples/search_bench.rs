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

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use search::{Query, ResourceDoc, ResourceIndex};

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

/// splitmix64: tiny, seedable, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const EQUIPMENT: &[&str] = &[
    "设备",
    "液压系统",
    "气动元件",
    "数控机床",
    "冲压模具",
    "焊接机器人",
    "PLC",
    "变频器",
    "伺服电机",
    "输送线",
    "空压机",
    "注塑机",
    "叉车",
    "行车",
    "检测仪器",
    "减速机",
    "冷却塔",
];
const ACTIONS: &[&str] = &[
    "故障排查",
    "日常点检",
    "预防性维护",
    "安全操作",
    "参数设定",
    "调试",
    "保养",
    "质量检验",
    "异常处理",
    "标准作业",
    "换型",
    "润滑管理",
];
const TOPICS: &[&str] = &[
    "客户投诉处理",
    "销售谈判",
    "大客户管理",
    "班组管理",
    "团队沟通",
    "精益生产",
    "5S管理",
    "目视化管理",
    "六西格玛",
    "问题分析与解决",
    "时间管理",
    "安全生产",
    "质量管理体系",
    "成本控制",
    "焊接工艺",
    "冲压工艺",
    "新员工入职",
    "现场改善",
    "供应商质量",
    "客户满意度",
];
const PROBLEMS: &[&str] = &[
    "压力不稳",
    "异响",
    "漏油",
    "过热",
    "报警停机",
    "尺寸超差",
    "焊缝气孔",
    "毛刺",
    "通讯中断",
    "定位偏差",
    "效率下降",
    "客户退货",
];
const CAUSES: &[&str] = &[
    "密封件老化",
    "参数设置不当",
    "润滑不足",
    "操作不规范",
    "来料不良",
    "传感器脏污",
    "接线松动",
    "点检缺失",
    "培训不到位",
    "沟通不畅",
];
const STEPS: &[&str] = &[
    "切断电源并挂牌上锁",
    "记录报警代码",
    "检查油位和油温",
    "核对作业指导书",
    "确认防护用品",
    "与班组长确认",
    "填写点检表",
    "隔离不良品",
    "复盘根本原因",
    "更新标准作业",
    "倾听客户诉求",
    "明确谈判底线",
];
const SCENES: &[&str] = &[
    "夜班生产",
    "产线换型",
    "新设备导入",
    "客户审核",
    "旺季赶工",
    "来料检验",
    "售后服务",
    "新员工上岗",
    "月度盘点",
];
const EN_PHRASES: &[&str] = &[
    "PLC troubleshooting",
    "lean production",
    "welding safety",
    "customer complaint handling",
    "root cause analysis",
    "preventive maintenance",
    "hydraulic system basics",
    "negotiation skills",
    "5S workplace organization",
    "quality inspection",
];
const EN_SENTENCES: &[&str] = &[
    "Always lock out and tag out before maintenance.",
    "Check the hydraulic pressure gauge before restarting the line.",
    "Use the 5 Whys to find the root cause.",
    "Record every alarm code in the maintenance log.",
    "Listen to the customer before proposing a solution.",
    "Standard work reduces variation and defects.",
];
const KINDS: &[&str] = &[
    "course",
    "micro_course",
    "micro_course",
    "document",
    "document",
    "video",
    "tool",
    "case",
    "exam",
];
const TIERS: &[&str] = &["core", "support", "support", "reserve"];
const BUSINESS_LINES: &[&str] = &["装备制造", "汽车零部件", "电子电器", "工程机械", "新能源"];
const TASK_TYPES: &[&str] = &["设备维护", "质量控制", "客户服务", "销售", "生产管理"];
const SCENARIOS: &[&str] = &["故障排查", "新员工入职", "安全生产", "客户投诉", "产线换型"];
const POSITIONS: &[&str] = &[
    "设备维修工",
    "焊工",
    "质检员",
    "班组长",
    "销售代表",
    "客服专员",
    "生产主管",
    "工艺工程师",
];
const NUMBERS: &[&str] = &["三", "四", "五", "六", "七"];

fn sentence(rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => format!(
            "在{}中，{}{}往往由{}引起。",
            rng.pick(SCENES),
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS),
            rng.pick(CAUSES)
        ),
        1 => format!(
            "操作人员应当先{}，再{}，最后{}。",
            rng.pick(STEPS),
            rng.pick(STEPS),
            rng.pick(STEPS)
        ),
        2 => format!(
            "本课程结合{}个真实案例，讲解{}的关键要点和常见误区。",
            rng.pick(NUMBERS),
            rng.pick(TOPICS)
        ),
        3 => format!(
            "{}{}时，需要{}，避免再次出现{}。",
            rng.pick(EQUIPMENT),
            rng.pick(ACTIONS),
            rng.pick(STEPS),
            rng.pick(PROBLEMS)
        ),
        4 => format!(
            "学员完成学习后能够独立开展{}，并在{}中应用{}方法。",
            rng.pick(ACTIONS),
            rng.pick(SCENES),
            rng.pick(TOPICS)
        ),
        5 => rng.pick(EN_SENTENCES).to_owned(),
        _ => format!(
            "根据统计，{}导致的{}占全部问题的{}成以上，{}是最有效的对策。",
            rng.pick(CAUSES),
            rng.pick(PROBLEMS),
            rng.pick(NUMBERS),
            rng.pick(STEPS)
        ),
    }
}

fn title(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!(
            "{}{}：{}步定位{}{}",
            rng.pick(EQUIPMENT),
            rng.pick(ACTIONS),
            rng.pick(NUMBERS),
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS)
        ),
        1 => format!("{}实战", rng.pick(TOPICS)),
        2 => format!("{}入门与进阶", rng.pick(TOPICS)),
        3 => format!("{}{}标准作业指导书", rng.pick(EQUIPMENT), rng.pick(ACTIONS)),
        4 => format!(
            "案例：{}{}的{}个教训",
            rng.pick(EQUIPMENT),
            rng.pick(PROBLEMS),
            rng.pick(NUMBERS)
        ),
        5 => {
            let p = rng.pick(EN_PHRASES);
            format!("{}{} ({p})", p[..1].to_uppercase(), &p[1..])
        }
        6 => format!("{}与{}", rng.pick(TOPICS), rng.pick(TOPICS)),
        _ => format!("{}{}考核", rng.pick(EQUIPMENT), rng.pick(ACTIONS)),
    }
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
