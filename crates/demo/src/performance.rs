//! Two years of monthly KPI history that behaves like a plant: seasonality (the
//! Spring Festival dip, a year-end push), a personal level and trend, noise, a few
//! missing entries, and a few HR figures that disagree with the business system.

use crate::{DemoEmployee, SplitMix64};

/// A KPI definition of the demo.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoKpi {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    /// `higher` or `lower`.
    pub direction: &'static str,
    /// `sum`, `mean` or `rate`.
    pub aggregation: &'static str,
    pub source_system: &'static str,
}

/// One value: employee, KPI, month (`YYYY-MM`), figure, source (`business` or `hr`), and
/// whether it was entered after the deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoKpiValue {
    pub late: bool,
    pub employee_no: String,
    pub kpi: &'static str,
    pub period: String,
    pub value: f64,
    pub source: &'static str,
}

/// The demo's KPIs.
pub const KPIS: &[DemoKpi] = &[
    DemoKpi {
        code: "OUTPUT",
        name: "产量",
        unit: "件",
        direction: "higher",
        aggregation: "sum",
        source_system: "MES",
    },
    DemoKpi {
        code: "DEFECT_RATE",
        name: "不良率",
        unit: "%",
        direction: "lower",
        aggregation: "rate",
        source_system: "QMS",
    },
    DemoKpi {
        code: "DOWNTIME",
        name: "设备停机时长",
        unit: "小时",
        direction: "lower",
        aggregation: "sum",
        source_system: "MES",
    },
    DemoKpi {
        code: "REVENUE",
        name: "销售额",
        unit: "万元",
        direction: "higher",
        aggregation: "sum",
        source_system: "CRM",
    },
    DemoKpi {
        code: "NEW_CUSTOMERS",
        name: "新客户数",
        unit: "个",
        direction: "higher",
        aggregation: "sum",
        source_system: "CRM",
    },
    DemoKpi {
        code: "COMPLAINT_RATE",
        name: "客户投诉率",
        unit: "%",
        direction: "lower",
        aggregation: "rate",
        source_system: "CRM",
    },
    DemoKpi {
        code: "PERF_SCORE",
        name: "绩效考核得分",
        unit: "分",
        direction: "higher",
        aggregation: "mean",
        source_system: "HR",
    },
    DemoKpi {
        code: "PERF_RATING",
        name: "绩效考核等级",
        unit: "级",
        direction: "higher",
        aggregation: "mean",
        source_system: "HR",
    },
    DemoKpi {
        code: "COACHING",
        name: "辅导评分",
        unit: "分",
        direction: "higher",
        aggregation: "mean",
        source_system: "HR",
    },
    DemoKpi {
        code: "KNOWLEDGE_SHARING",
        name: "知识分享次数",
        unit: "次",
        direction: "higher",
        aggregation: "sum",
        source_system: "HR",
    },
];

/// First month of the history; it runs for [`MONTHS`] months.
pub const FIRST_MONTH: (i32, u8) = (2024, 11);
/// Length of the history.
pub const MONTHS: usize = 24;

fn month(i: usize) -> (i32, u8) {
    let m0 = FIRST_MONTH.1 as usize - 1 + i;
    (FIRST_MONTH.0 + (m0 / 12) as i32, (m0 % 12) as u8 + 1)
}

/// Production seasonality: February (Spring Festival) low, Q4 push high.
fn season(month: u8) -> f64 {
    match month {
        1 => 0.95,
        2 => 0.78,
        3 => 0.97,
        10 => 1.05,
        11 => 1.08,
        12 => 1.1,
        _ => 1.0,
    }
}

/// Normal noise from two uniforms (Box-Muller).
fn noise(rng: &mut SplitMix64) -> f64 {
    let u1 = rng.unit().max(1e-12);
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The history of every active or on-leave employee in `people`.
pub fn history(seed: u64, people: &[DemoEmployee]) -> Vec<DemoKpiValue> {
    history_with(seed, people, &[])
}

/// [`history`] with the changes training brought: from its month on, each effect
/// multiplies its person's KPI (the random draws stay the same, so the history
/// without training is the counterfactual).
pub fn history_with(
    seed: u64,
    people: &[DemoEmployee],
    effects: &[crate::operations::TrainingEffect],
) -> Vec<DemoKpiValue> {
    let mut by_person: std::collections::HashMap<&str, Vec<&crate::operations::TrainingEffect>> =
        std::collections::HashMap::new();
    for e in effects {
        by_person.entry(e.employee_no.as_str()).or_default().push(e);
    }
    let mut rng = SplitMix64::new(seed ^ 0x4b50_4953);
    let mut out = Vec::new();
    for person in people.iter().filter(|p| p.status != "left") {
        let mine = by_person.get(person.employee_no.as_str());
        // Each person's own level and trend, so some improve and some decline.
        let level = 1.0 + 0.12 * noise(&mut rng);
        let trend = 0.004 * noise(&mut rng);
        let monthly: &[&'static str] = match person.position_code.as_str() {
            "P-OP" | "P-TL" => &["OUTPUT", "DEFECT_RATE"],
            "E-TECH" | "E-ENG" => &["DOWNTIME"],
            "S-REP" | "S-MGR" => &["REVENUE", "NEW_CUSTOMERS"],
            "C-AGENT" | "C-FIELD" | "C-LEAD" => &["COMPLAINT_RATE"],
            _ => &[],
        };
        let leader = matches!(
            person.position_code.as_str(),
            "P-TL"
                | "P-WSD"
                | "E-MGR"
                | "Q-MGR"
                | "S-MGR"
                | "C-LEAD"
                | "R-MGR"
                | "H-MGR"
                | "F-MGR"
                | "G-MGR"
                | "G-DIR"
        );
        for i in 0..MONTHS {
            let (y, m) = month(i);
            let period = format!("{y:04}-{m:02}");
            let t = 1.0 + trend * i as f64;
            for kpi in monthly {
                // About 1 entry in 100 is missing, as in real monthly reporting.
                if rng.below(100) == 0 {
                    continue;
                }
                let value = match *kpi {
                    "OUTPUT" => {
                        (2200.0 * level * t * season(m) * (1.0 + 0.06 * noise(&mut rng))).round()
                    }
                    "DEFECT_RATE" => round2(
                        (1.8 / level.max(0.5) / t * (1.0 + 0.15 * noise(&mut rng))).max(0.05),
                    ),
                    "DOWNTIME" => round1(
                        (14.0 / level.max(0.5) / t * (1.0 + 0.25 * noise(&mut rng))).max(0.0),
                    ),
                    "REVENUE" => {
                        round1(85.0 * level * t * season(m) * (1.0 + 0.2 * noise(&mut rng)))
                            .max(0.0)
                    }
                    "NEW_CUSTOMERS" => (3.0 * level * t + 1.2 * noise(&mut rng)).round().max(0.0),
                    _ => {
                        round2((2.6 / level.max(0.5) / t * (1.0 + 0.2 * noise(&mut rng))).max(0.1))
                    }
                };
                let factor: f64 = mine
                    .into_iter()
                    .flatten()
                    .filter(|e| e.kpi == *kpi && e.from_period <= period)
                    .map(|e| e.factor)
                    .product();
                let value = if factor == 1.0 {
                    value
                } else if *kpi == "OUTPUT" || *kpi == "NEW_CUSTOMERS" {
                    (value * factor).round()
                } else {
                    round2(value * factor)
                };
                out.push(DemoKpiValue {
                    late: rng.below(50) == 0,
                    employee_no: person.employee_no.clone(),
                    kpi,
                    period: period.clone(),
                    value,
                    source: "business",
                });
                // A few HR figures differ from the business system: the reconciliation queue's work.
                if rng.below(400) == 0 {
                    let wrong = if *kpi == "OUTPUT" {
                        (value * 1.1).round()
                    } else {
                        round2(value * 1.3 + 0.5)
                    };
                    out.push(DemoKpiValue {
                        late: rng.below(50) == 0,
                        employee_no: person.employee_no.clone(),
                        kpi,
                        period: period.clone(),
                        value: wrong,
                        source: "hr",
                    });
                }
            }
            // Quarterly HR ratings at the end of each quarter.
            if m % 3 == 0 {
                let score = (80.0
                    + 8.0 * (level - 1.0) / 0.12 * 0.5
                    + 300.0 * trend * i as f64
                    + 4.0 * noise(&mut rng))
                .clamp(55.0, 100.0);
                out.push(DemoKpiValue {
                    late: rng.below(50) == 0,
                    employee_no: person.employee_no.clone(),
                    kpi: "PERF_SCORE",
                    period: period.clone(),
                    value: round1(score),
                    source: "hr",
                });
                // The review rating (1-5) follows from the score, as HR's grading table does.
                let rating = match score {
                    s if s >= 92.0 => 5.0,
                    s if s >= 85.0 => 4.0,
                    s if s >= 75.0 => 3.0,
                    s if s >= 65.0 => 2.0,
                    _ => 1.0,
                };
                out.push(DemoKpiValue {
                    late: rng.below(50) == 0,
                    employee_no: person.employee_no.clone(),
                    kpi: "PERF_RATING",
                    period: period.clone(),
                    value: rating,
                    source: "hr",
                });
                let shares = (1.5 * level + 0.8 * noise(&mut rng)).round().max(0.0);
                out.push(DemoKpiValue {
                    late: rng.below(50) == 0,
                    employee_no: person.employee_no.clone(),
                    kpi: "KNOWLEDGE_SHARING",
                    period: period.clone(),
                    value: shares,
                    source: "hr",
                });
                if leader {
                    let coaching = (4.0 + 0.4 * noise(&mut rng)).clamp(1.0, 5.0);
                    out.push(DemoKpiValue {
                        late: rng.below(50) == 0,
                        employee_no: person.employee_no.clone(),
                        kpi: "COACHING",
                        period: period.clone(),
                        value: round1(coaching),
                        source: "hr",
                    });
                }
            }
        }
    }
    out
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_has_seasonality_gaps_and_mismatches() {
        let company = crate::generate(3, 2000);
        let values = history(3, &company.employees);
        let output = |m: &str| {
            let v: Vec<f64> = values
                .iter()
                .filter(|v| v.kpi == "OUTPUT" && v.source == "business" && v.period == m)
                .map(|v| v.value)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(
            output("2025-02") < 0.9 * output("2025-05"),
            "Spring Festival dip"
        );
        assert!(output("2025-12") > output("2025-05"), "year-end push");
        let operators = company
            .employees
            .iter()
            .filter(|e| matches!(e.position_code.as_str(), "P-OP" | "P-TL") && e.status != "left")
            .count();
        let outputs = values
            .iter()
            .filter(|v| v.kpi == "OUTPUT" && v.source == "business")
            .count();
        assert!(
            outputs < operators * MONTHS + 1000 && outputs > operators * MONTHS * 95 / 100,
            "a few entries are missing"
        );
        assert!(
            values.iter().any(|v| v.source == "hr" && v.kpi == "OUTPUT"),
            "some HR figures to reconcile"
        );
        assert!(
            values
                .iter()
                .any(|v| v.kpi == "PERF_SCORE" && v.period == "2026-09")
        );
        assert_eq!(history(3, &company.employees), values, "deterministic");
    }
}
