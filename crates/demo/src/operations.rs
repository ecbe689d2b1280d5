//! Two years of training operations for the demo company: plans, venues and
//! instructors; programs with their sessions, learners and attendance; programs that
//! moved their target KPI and programs that did not; and current programs with
//! sessions in the coming weeks, so learners can sign up and check in.

use crate::{DemoEmployee, SplitMix64};
use time::{Date, Duration, Month};

#[derive(Debug, Clone, PartialEq)]
pub struct DemoVenue {
    pub code: &'static str,
    pub name: &'static str,
    pub site: &'static str,
    pub capacity: i32,
    /// A `VenueKind` code.
    pub kind: &'static str,
    pub equipment: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoInstructor {
    pub code: String,
    pub name: String,
    /// Internal instructors are employees.
    pub employee_no: Option<String>,
    pub vendor: Option<&'static str>,
    pub hourly_cost: f64,
    pub skills: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoSession {
    pub title: String,
    /// Local date and start hour; sessions last `hours`.
    pub day: Date,
    pub start_hour: u8,
    pub hours: u8,
    pub venue: Option<&'static str>,
    pub instructor: String,
}

/// Where a demo program stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoStage {
    /// Finished: attendance recorded, completion settled.
    Closed,
    /// Under way: some learners assigned, sessions ahead.
    Running,
    /// Open for sign-up, sessions ahead.
    Open,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoProgram {
    pub code: String,
    pub title: String,
    pub plan: &'static str,
    pub objectives: &'static str,
    pub positions: Vec<&'static str>,
    pub skills: Vec<(&'static str, i32)>,
    pub hours: f64,
    pub capacity: Option<i32>,
    pub costs: Vec<(&'static str, f64, &'static str)>,
    /// (KPI, targeted change in percent, months).
    pub transfer: Option<(&'static str, f64, i32)>,
    pub sessions: Vec<DemoSession>,
    /// Learners by employee number.
    pub learners: Vec<String>,
    pub stage: DemoStage,
    /// The change the program really brought to its learners' KPI after completion
    /// (relative, e.g. -0.15); 0 for programs that did not work.
    pub real_effect: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPlan {
    pub code: &'static str,
    pub name: &'static str,
    pub period: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoOperations {
    pub plans: Vec<DemoPlan>,
    pub venues: Vec<DemoVenue>,
    pub instructors: Vec<DemoInstructor>,
    pub programs: Vec<DemoProgram>,
}

/// A change in one person's KPI from one month on, planted by a program that worked.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingEffect {
    pub employee_no: String,
    pub kpi: &'static str,
    /// First month (`YYYY-MM`) the change shows: the month after completion.
    pub from_period: String,
    /// Multiplier of the KPI from then on.
    pub factor: f64,
}

pub const VENUES: &[DemoVenue] = &[
    DemoVenue {
        code: "HQ-301",
        name: "总部培训中心301教室",
        site: "总部",
        capacity: 40,
        kind: "classroom",
        equipment: "投影、白板、音响",
    },
    DemoVenue {
        code: "HQ-HALL",
        name: "总部报告厅",
        site: "总部",
        capacity: 200,
        kind: "hall",
        equipment: "LED屏、同传设备",
    },
    DemoVenue {
        code: "P1-LAB",
        name: "一厂实训车间",
        site: "一厂",
        capacity: 24,
        kind: "workshop",
        equipment: "冲压机、焊接工位",
    },
    DemoVenue {
        code: "P2-ROOM",
        name: "二厂班组活动室",
        site: "二厂",
        capacity: 30,
        kind: "classroom",
        equipment: "投影",
    },
    DemoVenue {
        code: "EQ-LAB",
        name: "设备维修实训室",
        site: "一厂",
        capacity: 16,
        kind: "lab",
        equipment: "液压试验台、PLC实训台",
    },
];

pub const PLANS: &[DemoPlan] = &[
    DemoPlan {
        code: "PLAN-2025",
        name: "2025年度培训计划",
        period: "2025",
    },
    DemoPlan {
        code: "PLAN-2026",
        name: "2026年度培训计划",
        period: "2026",
    },
    DemoPlan {
        code: "PLAN-2026Q4",
        name: "2026年第四季度重点项目",
        period: "2026Q4",
    },
];

fn date(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).expect("month"), day).expect("date")
}

/// The next weekday on or after `d`.
fn weekday_from(mut d: Date) -> Date {
    while matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
        d = d.next_day().expect("date");
    }
    d
}

/// Picks about `share` of `pool`, at most `max`, in a stable order.
fn pick(rng: &mut SplitMix64, pool: &[&DemoEmployee], share: f64, max: usize) -> Vec<String> {
    let mut out: Vec<String> = pool
        .iter()
        .filter(|_| rng.unit() < share)
        .map(|e| e.employee_no.clone())
        .collect();
    out.truncate(max);
    out
}

/// The demo's operations for `people`, with current programs placed after `today`.
pub fn generate(seed: u64, people: &[DemoEmployee], today: Date) -> DemoOperations {
    let mut rng = SplitMix64::new(seed ^ 0x4f50_5321);
    let active: Vec<&DemoEmployee> = people.iter().filter(|e| e.status == "active").collect();
    let holding = |positions: &[&str]| -> Vec<&DemoEmployee> {
        active
            .iter()
            .copied()
            .filter(|e| positions.contains(&e.position_code.as_str()))
            .collect()
    };
    // Internal instructors: the first engineers and leads of their fields.
    let mut instructors = Vec::new();
    for (code, position, skills) in [
        ("IN-EQ", "E-ENG", vec!["EQ-TROUBLE", "EQ-TPM", "EQ-PLC"]),
        ("IN-QA", "Q-ENG", vec!["QA-SPC", "QA-AWARE"]),
        ("IN-CS", "C-LEAD", vec!["SV-COMPLAINT"]),
        ("IN-TL", "P-WSD", vec!["MG-TEAM", "MG-PROBLEM", "SF-RULES"]),
    ] {
        if let Some(e) = holding(&[position]).first() {
            instructors.push(DemoInstructor {
                code: code.to_string(),
                name: e.name.clone(),
                employee_no: Some(e.employee_no.clone()),
                vendor: None,
                hourly_cost: 200.0,
                skills,
            });
        }
    }
    instructors.push(DemoInstructor {
        code: "EX-SALES".into(),
        name: "林志远".into(),
        employee_no: None,
        vendor: Some("华睿营销管理咨询"),
        hourly_cost: 1500.0,
        skills: vec!["SA-NEGO", "SA-NEEDS"],
    });
    instructors.push(DemoInstructor {
        code: "EX-HYD".into(),
        name: "周海涛".into(),
        employee_no: None,
        vendor: Some("上海海德液压技术培训中心"),
        hourly_cost: 1200.0,
        skills: vec!["EQ-TROUBLE"],
    });
    let teacher = |code: &str| -> String {
        instructors
            .iter()
            .find(|i| i.code == code)
            .map_or_else(|| "EX-HYD".to_string(), |i| i.code.clone())
    };

    let days =
        |start: Date, n: usize, venue: &'static str, who: &str, title: &str| -> Vec<DemoSession> {
            let mut out = Vec::new();
            let mut d = weekday_from(start);
            for i in 0..n {
                out.push(DemoSession {
                    title: format!("{title} 第{}讲", i + 1),
                    day: d,
                    start_hour: 9,
                    hours: 3,
                    venue: Some(venue),
                    instructor: who.to_string(),
                });
                d = weekday_from(d + Duration::days(7));
            }
            out
        };

    let mut programs = Vec::new();
    // Complaint handling, three cohorts in 2025 Q3: it worked (complaint rate −15 %).
    let agents = holding(&["C-AGENT", "C-FIELD"]);
    for (i, month) in [7u8, 8, 9].into_iter().enumerate() {
        let title = format!("客户投诉处理实战（第{}期）", i + 1);
        programs.push(DemoProgram {
            code: format!("CS-2025-{:02}", i + 1),
            sessions: days(
                date(2025, month, 3),
                3,
                "HQ-301",
                &teacher("IN-CS"),
                "投诉处理",
            ),
            title,
            plan: "PLAN-2025",
            objectives: "掌握投诉受理—原因分析—回访闭环，降低客户投诉率。",
            positions: vec!["C-AGENT", "C-FIELD"],
            skills: vec![("SV-COMPLAINT", 2)],
            hours: 9.0,
            capacity: Some(40),
            costs: vec![
                ("venue", 1500.0, "培训中心"),
                ("materials", 1200.0, "案例手册"),
            ],
            transfer: Some(("COMPLAINT_RATE", -20.0, 3)),
            learners: pick(&mut rng, &agents, 0.3, 40),
            stage: DemoStage::Closed,
            real_effect: -0.15,
        });
    }
    // Defect analysis for operators, 2025 Q2: it worked (defect rate −10 %).
    let operators = holding(&["P-OP"]);
    for (i, (month, venue)) in [(4u8, "P1-LAB"), (5, "P2-ROOM")].into_iter().enumerate() {
        programs.push(DemoProgram {
            code: format!("QA-2025-{:02}", i + 1),
            title: format!("不良品分析与自检（第{}期）", i + 1),
            plan: "PLAN-2025",
            objectives: "学会首件自检和不良品标识隔离，降低不良率。",
            positions: vec!["P-OP"],
            skills: vec![("QA-AWARE", 2)],
            hours: 6.0,
            capacity: Some(if venue == "P1-LAB" { 24 } else { 30 }),
            costs: vec![("materials", 800.0, "自检卡")],
            transfer: Some(("DEFECT_RATE", -15.0, 3)),
            sessions: days(
                date(2025, month, 8),
                2,
                venue,
                &teacher("IN-QA"),
                "质量自检",
            ),
            learners: pick(
                &mut rng,
                &operators,
                0.05,
                if venue == "P1-LAB" { 24 } else { 30 },
            ),
            stage: DemoStage::Closed,
            real_effect: -0.10,
        });
    }
    // Preventive maintenance for technicians, 2025 Q4–2026 Q1: no measurable effect on downtime.
    programs.push(DemoProgram {
        code: "EQ-2025-01".into(),
        title: "设备预防性维护（TPM）".into(),
        plan: "PLAN-2025",
        objectives: "建立点检与预防性维护习惯，减少非计划停机。",
        positions: vec!["E-TECH"],
        skills: vec![("EQ-TPM", 2)],
        hours: 12.0,
        capacity: Some(16),
        costs: vec![
            ("instructor_fee", 9600.0, "外聘讲师"),
            ("materials", 600.0, "点检表"),
        ],
        transfer: Some(("DOWNTIME", -20.0, 3)),
        // Weekly from mid-December into January: the vendor's teaching spans two
        // quarters, both below the company's usual gain (its vendor is flagged).
        sessions: days(
            date(2025, 12, 15),
            4,
            "EQ-LAB",
            &teacher("EX-HYD"),
            "预防性维护",
        ),
        learners: pick(&mut rng, &holding(&["E-TECH"]), 0.5, 16),
        stage: DemoStage::Closed,
        real_effect: 0.0,
    });
    // Negotiation for sales reps, 2026 Q1: no measurable effect on revenue.
    programs.push(DemoProgram {
        code: "SA-2026-01".into(),
        title: "大客户商务谈判".into(),
        plan: "PLAN-2026",
        objectives: "提升大客户谈判中的让步管理与成交能力。",
        positions: vec!["S-REP"],
        skills: vec![("SA-NEGO", 2)],
        hours: 12.0,
        capacity: Some(40),
        costs: vec![
            ("instructor_fee", 18000.0, "外聘讲师"),
            ("travel", 4000.0, "讲师差旅"),
            ("venue", 2000.0, "报告厅"),
        ],
        transfer: Some(("REVENUE", 10.0, 6)),
        sessions: days(
            date(2026, 3, 9),
            2,
            "HQ-HALL",
            &teacher("EX-SALES"),
            "商务谈判",
        ),
        learners: pick(&mut rng, &holding(&["S-REP"]), 0.4, 40),
        stage: DemoStage::Closed,
        real_effect: 0.0,
    });
    // Team-leader skills, 2026 Q2, no KPI target (a development program).
    programs.push(DemoProgram {
        code: "MG-2026-01".into(),
        title: "班组长现场管理".into(),
        plan: "PLAN-2026",
        objectives: "班组晨会、现场问题解决与新员工带教。",
        positions: vec!["P-TL"],
        skills: vec![("MG-TEAM", 2), ("MG-PROBLEM", 2)],
        hours: 9.0,
        capacity: Some(30),
        costs: vec![("venue", 900.0, "")],
        transfer: None,
        sessions: days(
            date(2026, 5, 11),
            3,
            "P2-ROOM",
            &teacher("IN-TL"),
            "现场管理",
        ),
        learners: pick(&mut rng, &holding(&["P-TL"]), 0.5, 30),
        stage: DemoStage::Closed,
        real_effect: 0.0,
    });
    // Now: troubleshooting workshop running (sessions from tomorrow), and safety
    // refresher open for sign-up (sessions in two weeks).
    let tomorrow = weekday_from(today + Duration::days(1));
    programs.push(DemoProgram {
        code: "EQ-2026-Q4".into(),
        title: "设备故障排查工作坊".into(),
        plan: "PLAN-2026Q4",
        objectives: "按“看油液—测压力—查泄漏”三步法定位液压故障。",
        positions: vec!["E-TECH", "E-ENG"],
        skills: vec![("EQ-TROUBLE", 2)],
        hours: 6.0,
        capacity: Some(16),
        costs: vec![("instructor_fee", 7200.0, "外聘讲师")],
        transfer: Some(("DOWNTIME", -15.0, 3)),
        sessions: days(tomorrow, 2, "EQ-LAB", &teacher("IN-EQ"), "故障排查"),
        learners: pick(&mut rng, &holding(&["E-TECH", "E-ENG"]), 0.3, 12),
        stage: DemoStage::Running,
        real_effect: 0.0,
    });
    programs.push(DemoProgram {
        code: "SF-2026-Q4".into(),
        title: "安全操作规范年度复训".into(),
        plan: "PLAN-2026Q4",
        objectives: "年度安全复训：危险源辨识、上锁挂牌与应急处置。",
        positions: vec!["P-OP", "P-TL"],
        skills: vec![("SF-RULES", 2)],
        hours: 3.0,
        capacity: Some(200),
        costs: vec![("venue", 1000.0, "报告厅")],
        transfer: None,
        sessions: days(
            weekday_from(today + Duration::days(14)),
            1,
            "HQ-HALL",
            &teacher("IN-TL"),
            "安全复训",
        ),
        learners: Vec::new(),
        stage: DemoStage::Open,
        real_effect: 0.0,
    });
    DemoOperations {
        plans: PLANS.to_vec(),
        venues: VENUES.to_vec(),
        instructors,
        programs,
    }
}

/// The KPI changes the closed programs that worked planted in their learners.
pub fn kpi_effects(ops: &DemoOperations) -> Vec<TrainingEffect> {
    let mut out = Vec::new();
    for p in ops
        .programs
        .iter()
        .filter(|p| p.stage == DemoStage::Closed && p.real_effect != 0.0)
    {
        let (Some((kpi, _, _)), Some(last)) = (p.transfer, p.sessions.iter().map(|s| s.day).max())
        else {
            continue;
        };
        let next = last.replace_day(1).expect("day") + Duration::days(32);
        let from_period = format!("{:04}-{:02}", next.year(), u8::from(next.month()));
        for learner in &p.learners {
            out.push(TrainingEffect {
                employee_no: learner.clone(),
                kpi,
                from_period: from_period.clone(),
                factor: 1.0 + p.real_effect,
            });
        }
    }
    out
}

/// Attendance of a closed program's learner at one session: mostly present, a few
/// late, a few absent (so some do not complete).
pub fn attendance(rng: &mut SplitMix64) -> &'static str {
    match rng.below(100) {
        0..=87 => "present",
        88..=93 => "late",
        _ => "absent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_have_learners_sessions_and_planted_effects() {
        let company = crate::generate(7, 2000);
        let today = date(2026, 11, 24);
        let ops = generate(7, &company.employees, today);
        assert!(ops.programs.len() >= 8);
        for p in &ops.programs {
            assert!(!p.sessions.is_empty(), "{}", p.code);
            if p.stage != DemoStage::Open {
                assert!(!p.learners.is_empty(), "{} has learners", p.code);
            }
            if let Some(c) = p.capacity {
                assert!(p.learners.len() <= c as usize, "{}", p.code);
            }
        }
        let effects = kpi_effects(&ops);
        assert!(
            effects
                .iter()
                .any(|e| e.kpi == "COMPLAINT_RATE" && e.factor < 1.0)
        );
        assert!(
            effects.iter().all(|e| e.kpi != "DOWNTIME"),
            "TPM did not work"
        );
        let running = ops
            .programs
            .iter()
            .find(|p| p.stage == DemoStage::Running)
            .unwrap();
        assert!(running.sessions[0].day > today);
        assert_eq!(generate(7, &company.employees, today), ops, "deterministic");
    }
}
