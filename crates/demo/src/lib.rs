//! The demo company: a Chinese manufacturing enterprise, generated deterministically.
//!
//! The same seed and size always give the same company, so screenshots, tests and
//! demos agree. About 60% of people work in production; names, departments and
//! positions are Chinese, as in the seeds. Pure: plain structs out, no I/O.

// The generator builds fixed data from a seed: a broken invariant here is a bug to see at
// once in every test and demo, not an error for a caller to handle.
#![allow(clippy::expect_used)]

pub mod certification;
pub mod competency;
pub mod decoding;
pub mod exams;
pub mod library;
mod names;
pub mod needs;
pub mod notifications;
pub mod operations;
pub mod performance;
pub mod practice;
mod rng;

use domain::Role;
pub use rng::SplitMix64;
use time::{Date, Duration, Month};

/// A department of the demo company; `parent_code` is `None` for the root.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDepartment {
    pub code: String,
    pub name: String,
    pub business_line: Option<String>,
    pub parent_code: Option<String>,
    /// Finance's cost center of the department.
    pub cost_center: String,
    /// Where the department works.
    pub site: String,
}

/// A position of the demo company.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPosition {
    pub code: String,
    pub name: String,
    pub job_family: String,
    /// Grade band.
    pub grade: String,
    /// Cost of an hour of the position's time (yuan), by grade band.
    pub hourly_cost: f64,
}

/// An employee; managers are referred to by employee number.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEmployee {
    pub employee_no: String,
    pub name: String,
    pub department_code: String,
    pub position_code: String,
    pub manager_no: Option<String>,
    pub hire_date: Date,
    /// `active`, `on_leave` or `left`.
    pub status: &'static str,
    pub city: String,
    pub phone: String,
    pub email: String,
}

/// Scope of a demo grant, by department code.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoScope {
    SelfOnly,
    Department(String),
    Company,
}

/// A demo login with its roles.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAccount {
    pub username: String,
    pub display_name: String,
    pub employee_no: Option<String>,
    pub grants: Vec<(Role, DemoScope)>,
}

/// The whole generated company.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCompany {
    pub name: String,
    pub departments: Vec<DemoDepartment>,
    pub positions: Vec<DemoPosition>,
    pub employees: Vec<DemoEmployee>,
    pub accounts: Vec<DemoAccount>,
}

/// The password of every demo account (printed by `skillbridge demo`).
pub const DEMO_PASSWORD: &str = "demo-pass-2026";

/// Leaf departments that hold staff: (code, name, parent code, business line, weight, positions).
/// Weights are shares of the head count; production lines sum to about 60%.
struct Unit {
    code: &'static str,
    name: &'static str,
    parent: &'static str,
    line: &'static str,
    weight: u32,
    city: &'static str,
    /// Position codes staff are drawn from; the first is the unit head's position.
    positions: &'static [&'static str],
}

const GROUPS: &[(&str, &str, &str, &str)] = &[
    // (code, name, parent, business line)
    ("PROD", "生产制造中心", "HQ", "production"),
    ("PROD1", "生产一部", "PROD", "production"),
    ("PROD2", "生产二部", "PROD", "production"),
    ("PROD3", "生产三部", "PROD", "production"),
    ("EQP", "设备部", "PROD", "equipment"),
    ("QA", "质量部", "PROD", "quality"),
    ("MKT", "营销中心", "HQ", "sales"),
    ("CS", "客户服务部", "MKT", "service"),
    ("RD", "研发中心", "HQ", "rnd"),
    ("HR", "人力资源部", "HQ", "hr"),
    ("FIN", "财务部", "HQ", "finance"),
];

const UNITS: &[Unit] = &[
    Unit {
        code: "PROD1-STAMP",
        name: "冲压车间",
        parent: "PROD1",
        line: "production",
        weight: 110,
        city: "株洲",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "PROD1-WELD",
        name: "焊装车间",
        parent: "PROD1",
        line: "production",
        weight: 110,
        city: "株洲",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "PROD2-MACH",
        name: "机加工车间",
        parent: "PROD2",
        line: "production",
        weight: 100,
        city: "株洲",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "PROD2-ASSY",
        name: "部件装配车间",
        parent: "PROD2",
        line: "production",
        weight: 100,
        city: "株洲",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "PROD3-PAINT",
        name: "涂装车间",
        parent: "PROD3",
        line: "production",
        weight: 90,
        city: "湘潭",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "PROD3-FINAL",
        name: "总装车间",
        parent: "PROD3",
        line: "production",
        weight: 90,
        city: "湘潭",
        positions: &["P-WSD", "P-TL", "P-OP"],
    },
    Unit {
        code: "EQP-M1",
        name: "设备维修一科",
        parent: "EQP",
        line: "equipment",
        weight: 35,
        city: "株洲",
        positions: &["E-MGR", "E-ENG", "E-TECH"],
    },
    Unit {
        code: "EQP-M2",
        name: "设备维修二科",
        parent: "EQP",
        line: "equipment",
        weight: 30,
        city: "湘潭",
        positions: &["E-MGR", "E-ENG", "E-TECH"],
    },
    Unit {
        code: "QA-IQC",
        name: "来料检验科",
        parent: "QA",
        line: "quality",
        weight: 20,
        city: "株洲",
        positions: &["Q-MGR", "Q-ENG", "Q-INSP"],
    },
    Unit {
        code: "QA-PQC",
        name: "过程检验科",
        parent: "QA",
        line: "quality",
        weight: 25,
        city: "株洲",
        positions: &["Q-MGR", "Q-ENG", "Q-INSP"],
    },
    Unit {
        code: "QA-FQC",
        name: "成品检验科",
        parent: "QA",
        line: "quality",
        weight: 20,
        city: "湘潭",
        positions: &["Q-MGR", "Q-ENG", "Q-INSP"],
    },
    Unit {
        code: "MKT-EAST",
        name: "华东销售大区",
        parent: "MKT",
        line: "sales",
        weight: 30,
        city: "上海",
        positions: &["S-MGR", "S-REP"],
    },
    Unit {
        code: "MKT-SOUTH",
        name: "华南销售大区",
        parent: "MKT",
        line: "sales",
        weight: 28,
        city: "广州",
        positions: &["S-MGR", "S-REP"],
    },
    Unit {
        code: "MKT-NORTH",
        name: "华北销售大区",
        parent: "MKT",
        line: "sales",
        weight: 26,
        city: "北京",
        positions: &["S-MGR", "S-REP"],
    },
    Unit {
        code: "MKT-WEST",
        name: "西部销售大区",
        parent: "MKT",
        line: "sales",
        weight: 22,
        city: "成都",
        positions: &["S-MGR", "S-REP"],
    },
    Unit {
        code: "CS-HOTLINE",
        name: "客服热线组",
        parent: "CS",
        line: "service",
        weight: 22,
        city: "长沙",
        positions: &["C-LEAD", "C-AGENT"],
    },
    Unit {
        code: "CS-FIELD",
        name: "售后服务组",
        parent: "CS",
        line: "service",
        weight: 24,
        city: "长沙",
        positions: &["C-LEAD", "C-FIELD"],
    },
    Unit {
        code: "RD-PROD",
        name: "产品研发部",
        parent: "RD",
        line: "rnd",
        weight: 40,
        city: "长沙",
        positions: &["R-MGR", "R-ENG"],
    },
    Unit {
        code: "RD-PROC",
        name: "工艺技术部",
        parent: "RD",
        line: "rnd",
        weight: 25,
        city: "株洲",
        positions: &["R-MGR", "R-PROC"],
    },
    Unit {
        code: "HR-OPS",
        name: "人事运营科",
        parent: "HR",
        line: "hr",
        weight: 8,
        city: "株洲",
        positions: &["H-MGR", "H-SPEC"],
    },
    Unit {
        code: "HR-TRAIN",
        name: "培训中心",
        parent: "HR",
        line: "hr",
        weight: 7,
        city: "株洲",
        positions: &["H-MGR", "H-TRAIN"],
    },
    Unit {
        code: "FIN-ACC",
        name: "会计核算科",
        parent: "FIN",
        line: "finance",
        weight: 10,
        city: "株洲",
        positions: &["F-MGR", "F-ACC"],
    },
];

const POSITIONS: &[(&str, &str, &str, &str)] = &[
    // (code, name, job family, grade)
    ("G-CEO", "总经理", "管理", "M5"),
    ("G-DIR", "中心总监", "管理", "M4"),
    ("G-MGR", "部门经理", "管理", "M3"),
    ("P-WSD", "车间主任", "生产", "M2"),
    ("P-TL", "班组长", "生产", "S3"),
    ("P-OP", "生产操作工", "生产", "S1"),
    ("E-MGR", "设备科科长", "设备", "M2"),
    ("E-ENG", "设备工程师", "设备", "P3"),
    ("E-TECH", "设备维修工", "设备", "S2"),
    ("Q-MGR", "质量科科长", "质量", "M2"),
    ("Q-ENG", "质量工程师", "质量", "P3"),
    ("Q-INSP", "质量检验员", "质量", "S2"),
    ("S-MGR", "大区经理", "销售", "M2"),
    ("S-REP", "销售代表", "销售", "P2"),
    ("C-LEAD", "客服主管", "客服", "M1"),
    ("C-AGENT", "客服专员", "客服", "P1"),
    ("C-FIELD", "售后工程师", "客服", "P2"),
    ("R-MGR", "研发经理", "研发", "M2"),
    ("R-ENG", "研发工程师", "研发", "P3"),
    ("R-PROC", "工艺工程师", "研发", "P3"),
    ("H-MGR", "人力资源主管", "职能", "M1"),
    ("H-SPEC", "人事专员", "职能", "P1"),
    ("H-TRAIN", "培训专员", "职能", "P2"),
    ("F-MGR", "财务主管", "职能", "M1"),
    ("F-ACC", "会计", "职能", "P2"),
];

/// The demo's hourly cost of a grade band (yuan): management, professional and skilled
/// bands, higher with the level.
fn hourly_cost(grade: &str) -> f64 {
    match grade {
        "M3" => 260.0,
        "M2" => 210.0,
        "M1" => 170.0,
        "P3" => 150.0,
        "P2" => 120.0,
        "P1" => 95.0,
        "S3" => 90.0,
        "S2" => 80.0,
        _ => 70.0,
    }
}

/// Generates the demo company with `employees` people (at least 100) from `seed`.
pub fn generate(seed: u64, employees: usize) -> DemoCompany {
    let employees = employees.max(100);
    let mut rng = SplitMix64::new(seed);
    let mut departments = vec![DemoDepartment {
        code: "HQ".into(),
        name: "华昌重工集团".into(),
        business_line: None,
        parent_code: None,
        cost_center: "CC-1000".into(),
        site: "株洲".into(),
    }];
    for (i, (code, name, parent, line)) in GROUPS.iter().enumerate() {
        departments.push(DemoDepartment {
            code: (*code).into(),
            name: (*name).into(),
            business_line: Some((*line).into()),
            parent_code: Some((*parent).into()),
            cost_center: format!("CC-{}", 1100 + 100 * i),
            site: "株洲".into(),
        });
    }
    for (i, unit) in UNITS.iter().enumerate() {
        departments.push(DemoDepartment {
            code: unit.code.into(),
            name: unit.name.into(),
            business_line: Some(unit.line.into()),
            parent_code: Some(unit.parent.into()),
            cost_center: format!("CC-{}", 5001 + i),
            site: unit.city.into(),
        });
    }
    let positions = POSITIONS
        .iter()
        .map(|(code, name, family, grade)| DemoPosition {
            code: (*code).into(),
            name: (*name).into(),
            job_family: (*family).into(),
            grade: (*grade).into(),
            hourly_cost: hourly_cost(grade),
        })
        .collect();

    let mut people = Vec::with_capacity(employees);
    let mut next_no = 1usize;
    let mut new_person = |rng: &mut SplitMix64,
                          dept: &str,
                          position: &str,
                          city: &str,
                          manager: Option<String>,
                          senior: bool| {
        let employee_no = format!("HC{next_no:06}");
        next_no += 1;
        let hire_date = random_hire_date(rng, senior);
        let status = match rng.below(1000) {
            0..=29 => "on_leave",
            30..=49 => "left",
            _ => "active",
        };
        let status = if senior { "active" } else { status };
        let phone = format!(
            "1{}{:09}",
            [3, 5, 8, 9][rng.below(4) as usize],
            rng.below(1_000_000_000)
        );
        DemoEmployee {
            email: format!("{}@huachang-demo.cn", employee_no.to_lowercase()),
            employee_no,
            name: names::random_name(rng),
            department_code: dept.into(),
            position_code: position.into(),
            manager_no: manager,
            hire_date,
            status,
            city: city.into(),
            phone,
        }
    };

    // Heads first, top down, so every manager exists before the people reporting to them.
    let ceo = new_person(&mut rng, "HQ", "G-CEO", "株洲", None, true);
    let ceo_no = ceo.employee_no.clone();
    people.push(ceo);
    let mut head_of: Vec<(String, String)> = vec![("HQ".into(), ceo_no)];
    for (code, _, parent, _) in GROUPS {
        let parent_head = lookup(&head_of, parent);
        let position = if *parent == "HQ" { "G-DIR" } else { "G-MGR" };
        let head = new_person(&mut rng, code, position, "株洲", Some(parent_head), true);
        head_of.push(((*code).into(), head.employee_no.clone()));
        people.push(head);
    }
    let total_weight: u32 = UNITS.iter().map(|u| u.weight).sum();
    let remaining = employees.saturating_sub(people.len());
    let mut allotted = 0usize;
    for (i, unit) in UNITS.iter().enumerate() {
        // Every unit gets at least a head and one member, so small demos still have every
        // role's login; the largest companies are exact.
        let size = if i + 1 == UNITS.len() {
            remaining.saturating_sub(allotted)
        } else {
            remaining * unit.weight as usize / total_weight as usize
        }
        .max(2);
        allotted += size;
        if size == 0 {
            continue;
        }
        let head = new_person(
            &mut rng,
            unit.code,
            unit.positions[0],
            unit.city,
            Some(lookup(&head_of, unit.parent)),
            true,
        );
        let head_no = head.employee_no.clone();
        head_of.push((unit.code.into(), head_no.clone()));
        people.push(head);
        // Production units have a team leader per ~12 operators; staff report to their leader.
        let mut leader: Option<String> = None;
        for n in 1..size {
            let staff = &unit.positions[1..];
            let (position, manager) = if staff.len() > 1 && staff[0] == "P-TL" {
                if (n - 1) % 13 == 0 {
                    ("P-TL", Some(head_no.clone()))
                } else {
                    ("P-OP", leader.clone().or(Some(head_no.clone())))
                }
            } else {
                let idx = if staff.len() > 1 && rng.below(5) == 0 {
                    0
                } else {
                    staff.len() - 1
                };
                (staff[idx], Some(head_no.clone()))
            };
            let person = new_person(&mut rng, unit.code, position, unit.city, manager, false);
            if position == "P-TL" {
                leader = Some(person.employee_no.clone());
            }
            people.push(person);
        }
    }

    let accounts = demo_accounts(&people, &head_of);
    DemoCompany {
        name: "华昌重工集团".into(),
        departments,
        positions,
        employees: people,
        accounts,
    }
}

fn lookup(heads: &[(String, String)], code: &str) -> String {
    heads
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, no)| no.clone())
        .expect("parent head is created first")
}

fn random_hire_date(rng: &mut SplitMix64, senior: bool) -> Date {
    let start = Date::from_calendar_date(if senior { 1995 } else { 2005 }, Month::January, 1)
        .expect("valid date");
    let span_days = if senior { 365 * 20 } else { 365 * 20 + 300 };
    start + Duration::days(rng.below(span_days) as i64)
}

fn demo_accounts(people: &[DemoEmployee], head_of: &[(String, String)]) -> Vec<DemoAccount> {
    let person = |no: &str| {
        people
            .iter()
            .find(|p| p.employee_no == no)
            .expect("demo person exists")
    };
    let first_in = |dept: &str, position: &str| {
        // Small demo companies may lack the position in that unit; anyone active there will do.
        people
            .iter()
            .find(|p| {
                p.department_code == dept && p.position_code == position && p.status == "active"
            })
            .or_else(|| {
                people
                    .iter()
                    .find(|p| p.department_code == dept && p.status == "active")
            })
            .expect("every demo unit has an active head")
    };
    let employee = |username: &str, p: &DemoEmployee, mut grants: Vec<(Role, DemoScope)>| {
        grants.insert(0, (Role::Employee, DemoScope::SelfOnly));
        DemoAccount {
            username: username.into(),
            display_name: p.name.clone(),
            employee_no: Some(p.employee_no.clone()),
            grants,
        }
    };
    let prod1_head = person(&lookup(head_of, "PROD1"));
    let trainer = first_in("HR-TRAIN", "H-TRAIN");
    let ceo = person(&lookup(head_of, "HQ"));
    vec![
        DemoAccount {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            employee_no: None,
            grants: vec![(Role::SystemAdmin, DemoScope::Company)],
        },
        employee(
            "training",
            trainer,
            vec![(Role::TrainingAdmin, DemoScope::Company)],
        ),
        employee(
            "manager",
            prod1_head,
            vec![(Role::Manager, DemoScope::Department("PROD1".into()))],
        ),
        employee("employee", first_in("PROD1-STAMP", "P-OP"), vec![]),
        employee(
            "instructor",
            first_in("EQP-M1", "E-ENG"),
            vec![(Role::Instructor, DemoScope::Company)],
        ),
        employee(
            "reviewer",
            first_in("QA-PQC", "Q-ENG"),
            vec![(Role::Reviewer, DemoScope::Company)],
        ),
        employee(
            "executive",
            ceo,
            vec![(Role::Executive, DemoScope::Company)],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn same_seed_same_company() {
        assert_eq!(generate(7, 500), generate(7, 500));
        assert_ne!(generate(7, 500).employees, generate(8, 500).employees);
    }

    #[test]
    fn size_production_share_and_references() {
        let company = generate(1, 5000);
        assert_eq!(company.employees.len(), 5000);
        let dept_codes: HashSet<&str> = company
            .departments
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        let production = company
            .employees
            .iter()
            .filter(|e| e.department_code.starts_with("PROD"))
            .count();
        let share = production as f64 / 5000.0;
        assert!((0.55..0.65).contains(&share), "production share {share}");
        let mut seen = HashSet::new();
        for e in &company.employees {
            assert!(
                dept_codes.contains(e.department_code.as_str()),
                "{}",
                e.department_code
            );
            if let Some(m) = &e.manager_no {
                assert!(
                    seen.contains(m.as_str()),
                    "manager {m} of {} comes first",
                    e.employee_no
                );
            }
            assert!(
                seen.insert(e.employee_no.as_str()),
                "unique employee number"
            );
            assert!(e.name.chars().count() >= 2);
        }
        for account in &company.accounts {
            if let Some(no) = &account.employee_no {
                assert!(seen.contains(no.as_str()));
            }
        }
        let roles: HashSet<Role> = company
            .accounts
            .iter()
            .flat_map(|a| a.grants.iter().map(|g| g.0))
            .collect();
        assert_eq!(roles.len(), Role::ALL.len(), "one login per role");
    }
}
