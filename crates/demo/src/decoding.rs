//! The demo company's decoded strategy.

/// (code, name, horizon).
pub const STRATEGY: (&str, &str, &str) = ("S2025", "2025—2027 高质量发展战略", "2025-2027");

/// (code, name, BSC perspective).
pub const OBJECTIVES: &[(&str, &str, &str)] = &[
    ("O-FIN", "提升盈利能力", "financial"),
    ("O-CUS", "提高客户满意度", "customer"),
    ("O-PRO", "提升制造质量与效率", "internal_process"),
    ("O-LEA", "打造学习型组织", "learning_growth"),
];

/// (objective, department code, KPI code, period, comparator, target). Sum-aggregated
/// targets are sized for the default 5,000-person demo.
pub const TARGETS: &[(&str, &str, &str, &str, &str, f64)] = &[
    ("O-FIN", "MKT", "REVENUE", "2025", ">=", 560000.0),
    ("O-CUS", "CS", "COMPLAINT_RATE", "2025Q3", "<=", 2.0),
    ("O-PRO", "PROD", "DEFECT_RATE", "2025", "<=", 1.5),
    ("O-PRO", "EQP", "DOWNTIME", "2025", "<=", 50000.0),
    ("O-LEA", "HR", "KNOWLEDGE_SHARING", "2025", ">=", 500.0),
];

/// (position, index into TARGETS, task code, name, process step, [(skill, level, tier)]).
pub type Task = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    i32,
    &'static [(&'static str, i32, &'static str)],
);

/// Position tasks at the steps of their business processes.
pub const TASKS: &[Task] = &[
    (
        "C-AGENT",
        1,
        "CS-1",
        "需求对接",
        1,
        &[("SA-PRODUCT", 2, "support"), ("SV-COMPLAINT", 1, "core")],
    ),
    (
        "C-AGENT",
        1,
        "CS-2",
        "问题解决",
        2,
        &[("SV-COMPLAINT", 2, "core")],
    ),
    (
        "C-AGENT",
        1,
        "CS-3",
        "售后跟进",
        3,
        &[("SV-COMPLAINT", 2, "core")],
    ),
    (
        "P-OP",
        2,
        "OP-1",
        "开机点检",
        1,
        &[("OP-EQUIP", 2, "core"), ("SF-RULES", 2, "core")],
    ),
    (
        "P-OP",
        2,
        "OP-2",
        "按工艺作业",
        2,
        &[("OP-EQUIP", 2, "core"), ("OP-5S", 2, "support")],
    ),
    ("P-OP", 2, "OP-3", "首件自检", 3, &[("QA-AWARE", 2, "core")]),
    (
        "E-TECH",
        3,
        "EQ-1",
        "故障诊断与排除",
        1,
        &[("EQ-TROUBLE", 2, "core")],
    ),
    (
        "E-TECH",
        3,
        "EQ-2",
        "预防性维护",
        2,
        &[("EQ-TPM", 2, "core"), ("EQ-PLC", 1, "support")],
    ),
    (
        "S-REP",
        0,
        "SA-1",
        "客户需求分析",
        1,
        &[("SA-NEEDS", 2, "core")],
    ),
    (
        "S-REP",
        0,
        "SA-2",
        "方案报价与谈判",
        2,
        &[("SA-NEGO", 2, "core"), ("SA-PRODUCT", 2, "support")],
    ),
];
