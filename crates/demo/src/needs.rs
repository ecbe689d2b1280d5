//! Demo training needs raised by hand, in every approval state: the employee login's
//! own needs (one waiting for the manager, one at the training admin, one rejected,
//! one sent back to them), a costly team need at the department head, and two safety
//! needs of production teams approved and merged into the open program SF-2026-Q4.

use crate::DemoEmployee;
use crate::rng::SplitMix64;

/// Whom a demo need covers.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoPeople {
    /// The requester.
    Myself,
    /// Named employees by number.
    Employees(Vec<String>),
}

/// Where the demo leaves a need; the loader replays the decisions that lead there.
#[derive(Debug, Clone, PartialEq)]
pub enum DemoFate {
    /// Waiting at its first step (the manager).
    AtManager,
    /// The manager approved; waiting at the training admin.
    AtTrainingAdmin,
    /// Manager and training admin approved; waiting at the department head.
    AtDepartmentHead,
    /// The manager rejected it with this reason.
    Rejected(&'static str),
    /// The manager sent it back with this reason.
    SentBack(&'static str),
    /// Approved by everyone and put into this program.
    MergedInto(&'static str),
}

/// One demo need.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoNeed {
    /// Username of the demo login that raises it.
    pub raised_by: &'static str,
    pub title: String,
    pub skill: Option<&'static str>,
    pub problem: &'static str,
    pub people: DemoPeople,
    /// low, normal or high.
    pub urgency: &'static str,
    pub reason: &'static str,
    pub estimated_cost: Option<f64>,
    /// Days from today.
    pub wanted_in_days: Option<i64>,
    pub fate: DemoFate,
}

/// A few active operators of `department`, chosen with `rng` (deterministic).
fn pick(
    rng: &mut SplitMix64,
    employees: &[DemoEmployee],
    department: &str,
    skip: &[&str],
    n: usize,
) -> Vec<String> {
    let pool: Vec<&DemoEmployee> = employees
        .iter()
        .filter(|e| {
            e.department_code == department
                && e.status == "active"
                && e.position_code == "P-OP"
                && !skip.contains(&e.employee_no.as_str())
        })
        .collect();
    let mut chosen: Vec<String> = Vec::new();
    let mut guard = 0;
    while chosen.len() < n.min(pool.len()) && guard < 1000 {
        guard += 1;
        let e = pool[rng.below(pool.len() as u64) as usize];
        if !chosen.contains(&e.employee_no) {
            chosen.push(e.employee_no.clone());
        }
    }
    chosen.sort();
    chosen
}

/// The demo needs for a company whose employee login is `employee_no`.
pub fn generate(seed: u64, employees: &[DemoEmployee], employee_no: &str) -> Vec<DemoNeed> {
    let mut rng = SplitMix64::new(seed ^ 0x4e45_4544);
    let stamp = pick(&mut rng, employees, "PROD1-STAMP", &[employee_no], 3);
    let weld = pick(&mut rng, employees, "PROD1-WELD", &[], 3);
    let weld_team = pick(&mut rng, employees, "PROD1-WELD", &[], 6);
    let own = |title: &str,
               problem: &'static str,
               urgency: &'static str,
               reason: &'static str,
               cost: Option<f64>,
               fate: DemoFate| DemoNeed {
        raised_by: "employee",
        title: title.into(),
        skill: None,
        problem,
        people: DemoPeople::Myself,
        urgency,
        reason,
        estimated_cost: cost,
        wanted_in_days: Some(60),
        fate,
    };
    vec![
        own(
            "冲压模具快速换模",
            "换模时间经常超过 40 分钟，想系统学习快速换模（SMED）方法。",
            "normal",
            "换模时间长影响班产，本线 OEE 低于目标。",
            Some(1_800.0),
            DemoFate::AtManager,
        ),
        own(
            "叉车操作证复审",
            "叉车操作证下月到期，需要参加复审培训。",
            "high",
            "无有效证件不能上岗转运物料。",
            Some(600.0),
            DemoFate::AtTrainingAdmin,
        ),
        own(
            "Excel 高级函数",
            "想学 Excel 数据透视表和高级函数。",
            "low",
            "整理班组报表更快。",
            Some(300.0),
            DemoFate::Rejected("与当前岗位关联不大，建议使用资源库中的自学课程。"),
        ),
        own(
            "冲压件质量检验",
            "首件检验经常漏检尺寸。",
            "normal",
            "减少首件漏检造成的批量返工。",
            None,
            DemoFate::SentBack("请写明涉及的具体零件和近三个月的返工次数。"),
        ),
        DemoNeed {
            raised_by: "manager",
            title: "焊接机器人编程与维护".into(),
            skill: None,
            problem: "焊接线新上两台机器人，班组无人会离线编程和日常维护。",
            people: DemoPeople::Employees(weld_team),
            urgency: "high",
            reason: "新设备投产后产能提升 30%，需尽快具备自主编程和维护能力。",
            estimated_cost: Some(86_000.0),
            wanted_in_days: Some(45),
            fate: DemoFate::AtDepartmentHead,
        },
        DemoNeed {
            raised_by: "manager",
            title: "冲压班组安全操作复训".into(),
            skill: Some("SF-RULES"),
            problem: "",
            people: DemoPeople::Employees(stamp),
            urgency: "normal",
            reason: "上季度冲压线发生两起未遂事件，需重温上锁挂牌与应急处置。",
            estimated_cost: Some(1_200.0),
            wanted_in_days: Some(30),
            fate: DemoFate::MergedInto("SF-2026-Q4"),
        },
        DemoNeed {
            raised_by: "manager",
            title: "焊接班组安全操作复训".into(),
            skill: Some("SF-RULES"),
            problem: "",
            people: DemoPeople::Employees(weld),
            urgency: "normal",
            reason: "焊接烟尘与弧光防护要求更新，班组需统一复训。",
            estimated_cost: Some(1_000.0),
            wanted_in_days: Some(30),
            fate: DemoFate::MergedInto("SF-2026-Q4"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_needs_and_every_state() {
        let company = crate::generate(3, 400);
        let employee = company
            .accounts
            .iter()
            .find(|a| a.username == "employee")
            .and_then(|a| a.employee_no.clone())
            .unwrap();
        let a = generate(3, &company.employees, &employee);
        assert_eq!(a, generate(3, &company.employees, &employee));
        assert!(a.iter().any(|n| n.fate == DemoFate::AtManager));
        assert!(
            a.iter().any(|n| n.fate == DemoFate::AtDepartmentHead
                && n.estimated_cost.unwrap_or(0.0) >= 50_000.0)
        );
        for n in &a {
            if let DemoPeople::Employees(list) = &n.people {
                assert!(!list.is_empty(), "{} covers nobody", n.title);
            }
        }
    }
}
