//! The demo's competency models and assessments.

use crate::{DemoEmployee, SplitMix64};

/// (area code, area name).
pub const AREAS: &[(&str, &str)] = &[
    ("OPS", "生产操作"),
    ("QUAL", "质量管理"),
    ("EQUIP", "设备维护"),
    ("MGMT", "班组管理"),
    ("SALES", "营销服务"),
    ("SAFE", "安全环保"),
];

/// (skill code, name, area code).
pub const SKILLS: &[(&str, &str, &str)] = &[
    ("OP-EQUIP", "设备操作", "OPS"),
    ("OP-5S", "5S现场管理", "OPS"),
    ("QA-AWARE", "质量意识与自检", "QUAL"),
    ("QA-SPC", "统计过程控制", "QUAL"),
    ("QA-GAUGE", "测量器具使用", "QUAL"),
    ("EQ-TROUBLE", "设备故障排查", "EQUIP"),
    ("EQ-PLC", "PLC编程", "EQUIP"),
    ("EQ-TPM", "预防性维护", "EQUIP"),
    ("MG-TEAM", "班组管理", "MGMT"),
    ("MG-PROBLEM", "现场问题解决", "MGMT"),
    ("SA-NEEDS", "客户需求分析", "SALES"),
    ("SA-NEGO", "商务谈判", "SALES"),
    ("SA-PRODUCT", "产品知识", "SALES"),
    ("SV-COMPLAINT", "客户投诉处理", "SALES"),
    ("SF-RULES", "安全操作规范", "SAFE"),
];

/// Level descriptors shared by the demo skills (初级/中级/高级).
pub const DESCRIPTORS: [&str; 3] = [
    "在指导下完成常规任务",
    "独立完成任务并处理常见问题",
    "解决复杂问题并能指导他人",
];

/// (position code, skill code, required level, tier).
pub const REQUIREMENTS: &[(&str, &str, i32, &str)] = &[
    ("P-OP", "OP-EQUIP", 2, "core"),
    ("P-OP", "QA-AWARE", 2, "core"),
    ("P-OP", "SF-RULES", 2, "core"),
    ("P-OP", "OP-5S", 2, "support"),
    ("P-TL", "OP-EQUIP", 3, "core"),
    ("P-TL", "MG-TEAM", 2, "core"),
    ("P-TL", "MG-PROBLEM", 2, "core"),
    ("P-TL", "QA-SPC", 2, "support"),
    ("P-TL", "SF-RULES", 3, "core"),
    ("E-TECH", "EQ-TROUBLE", 2, "core"),
    ("E-TECH", "EQ-TPM", 2, "core"),
    ("E-TECH", "EQ-PLC", 1, "support"),
    ("E-TECH", "SF-RULES", 2, "core"),
    ("E-ENG", "EQ-TROUBLE", 3, "core"),
    ("E-ENG", "EQ-PLC", 3, "core"),
    ("E-ENG", "EQ-TPM", 3, "support"),
    ("Q-INSP", "QA-GAUGE", 2, "core"),
    ("Q-INSP", "QA-AWARE", 3, "core"),
    ("Q-INSP", "QA-SPC", 1, "support"),
    ("Q-ENG", "QA-SPC", 3, "core"),
    ("Q-ENG", "MG-PROBLEM", 2, "support"),
    ("S-REP", "SA-NEEDS", 2, "core"),
    ("S-REP", "SA-NEGO", 2, "core"),
    ("S-REP", "SA-PRODUCT", 2, "support"),
    ("C-AGENT", "SV-COMPLAINT", 2, "core"),
    ("C-AGENT", "SA-PRODUCT", 2, "support"),
    ("C-FIELD", "SV-COMPLAINT", 2, "core"),
    ("C-FIELD", "EQ-TROUBLE", 2, "core"),
    ("C-FIELD", "SA-PRODUCT", 2, "support"),
];

/// One assessment: employee, skill, level, method, date (YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAssessment {
    pub employee_no: String,
    pub skill: &'static str,
    pub level: i32,
    pub method: &'static str,
    pub date: String,
}

/// Assessments of about three in four required skills, some people assessed twice.
pub fn assessments(seed: u64, people: &[DemoEmployee]) -> Vec<DemoAssessment> {
    let mut rng = SplitMix64::new(seed ^ 0x534b_494c);
    let methods = ["exam", "observation", "360", "self", "manager"];
    let mut out = Vec::new();
    for person in people.iter().filter(|p| p.status != "left") {
        for (_, skill, required, _) in REQUIREMENTS.iter().filter(|r| r.0 == person.position_code) {
            if rng.below(4) == 0 {
                continue;
            }
            // Most people sit at or one below the requirement; a few well below or above.
            let level = match rng.below(10) {
                0 => (required - 2).max(0),
                1..=4 => (required - 1).max(0),
                5..=8 => *required,
                _ => (required + 1).min(3),
            };
            let month = 1 + rng.below(9);
            out.push(DemoAssessment {
                employee_no: person.employee_no.clone(),
                skill,
                level,
                method: methods[rng.below(methods.len() as u64) as usize],
                date: format!("2026-{month:02}-{:02}", 1 + rng.below(28)),
            });
        }
    }
    out
}
