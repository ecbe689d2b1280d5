//! Competency data from files: assessments (an employee's level in a skill on a date)
//! and competency models (the skills a position requires, with level and tier).
//!
//! Both are validated whole against what exists, so the store can write all rows or none.

use crate::RowError;
use crate::kpis::{column, message, parse_number};
use crate::values::parse_date;
use domain::competency::Tier;
use std::collections::HashMap;
use time::Date;

const EMPLOYEE_NO: &[&str] = &["工号", "employee_number", "employee_no", "employee number"];
const SKILL_CODE: &[&str] = &["技能编码", "skill_code", "skill code", "技能代码"];
const LEVEL: &[&str] = &["等级", "level", "测评等级"];
const SCORE: &[&str] = &["分数", "score", "得分"];
const METHOD: &[&str] = &["方式", "method", "测评方式", "评估方式"];
const ASSESSOR: &[&str] = &["评估人", "assessor", "测评人"];
const ASSESSED_ON: &[&str] = &["评估日期", "assessed_on", "assessed on", "测评日期", "date"];
const EVIDENCE: &[&str] = &["证据", "evidence"];
const POSITION_CODE: &[&str] = &["岗位编码", "position_code", "position code", "岗位代码"];
const REQUIRED_LEVEL: &[&str] = &["要求等级", "required_level", "required level"];
const TIER: &[&str] = &["层级", "tier"];
const MODEL_SOURCE: &[&str] = &["来源", "source"];
/// How an export marks requirements derived from tasks: such rows are not direct
/// settings, so re-importing an export leaves them following the tasks.
const DERIVED_MARKS: &[&str] = &[
    "来自任务",
    "由岗位任务推导",
    "from tasks",
    "derived from tasks",
    "tasks",
];

/// What rows are resolved against.
#[derive(Debug, Clone)]
pub struct CompetencyRefs {
    /// Employee number → employee id.
    pub employees: HashMap<String, i64>,
    /// Skill code → (skill id, number of levels).
    pub skills: HashMap<String, (i64, i32)>,
    /// Position code → position id.
    pub positions: HashMap<String, i64>,
    /// Today in the company's time zone; an assessment dated later is refused.
    pub today: Date,
}

/// One valid assessment row.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentRecord {
    /// The row in the file.
    pub row: usize,
    pub employee_id: i64,
    pub skill_id: i64,
    pub level: i32,
    /// 0–100 when given.
    pub score: Option<f64>,
    /// The stored method code (`exam`, `observation`, `360`, `self`, `manager`).
    pub method: &'static str,
    pub assessor: Option<String>,
    pub assessed_on: Date,
    pub evidence: Option<String>,
}

/// One valid competency-model row: a position requires a skill at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelRecord {
    /// The row in the file.
    pub row: usize,
    pub position_id: i64,
    pub skill_id: i64,
    pub required_level: i32,
    pub tier: Tier,
}

/// Parses an assessment method in English or Chinese into its stored code.
pub fn parse_method(text: &str) -> Result<&'static str, String> {
    match text.trim().to_lowercase().as_str() {
        "" => Err("missing".into()),
        "exam" | "考试" | "笔试" => Ok("exam"),
        "observation" | "观察" | "现场观察" => Ok("observation"),
        "360" | "360评估" | "360 评估" | "360度评估" | "360°" => Ok("360"),
        "self" | "自评" => Ok("self"),
        "manager" | "上级评价" | "上级" => Ok("manager"),
        other => Err(format!(
            "'{other}' is not a method (exam, observation, 360, self, manager or 考试/观察/360评估/自评/上级评价)"
        )),
    }
}

/// A whole number; Excel's `2.0` counts as 2.
fn parse_whole(text: &str) -> Result<i32, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("missing".into());
    }
    if let Ok(v) = t.parse::<i32>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v.abs() <= f64::from(i32::MAX) => Ok(v as i32),
        _ => Err(format!("'{t}' is not a whole number")),
    }
}

/// Finds the required columns, or reports each missing one on row 1.
pub(crate) fn required_columns<const N: usize>(
    headers: &[String],
    fields: [(&str, &[&str]); N],
) -> Result<[usize; N], Vec<RowError>> {
    let mut found = [0usize; N];
    let mut errors = Vec::new();
    for (i, (field, names)) in fields.iter().enumerate() {
        match column(headers, names) {
            Some(c) => found[i] = c,
            None => errors.push(RowError {
                row: 1,
                column: (*field).to_string(),
                reason: format!("no column {}/{field}", names[0]),
            }),
        }
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(errors)
    }
}

/// Validates an assessments table: the valid records, and every problem of every row.
pub fn plan_assessments(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    refs: &CompetencyRefs,
) -> (Vec<AssessmentRecord>, Vec<RowError>) {
    let [employee_col, skill_col, level_col, method_col, date_col] = match required_columns(
        headers,
        [
            ("employee_number", EMPLOYEE_NO),
            ("skill_code", SKILL_CODE),
            ("level", LEVEL),
            ("method", METHOD),
            ("assessed_on", ASSESSED_ON),
        ],
    ) {
        Ok(c) => c,
        Err(errors) => return (Vec::new(), errors),
    };
    let score_col = column(headers, SCORE);
    let assessor_col = column(headers, ASSESSOR);
    let evidence_col = column(headers, EVIDENCE);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    // (employee, skill, date, method) → the first row that had it.
    let mut seen: HashMap<(i64, i64, Date, &'static str), usize> = HashMap::new();
    for (row, cells) in rows {
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        let opt = |i: Option<usize>| i.map(cell).filter(|v| !v.is_empty()).map(str::to_string);
        let before = errors.len();
        let mut err = |col: usize, reason: String| {
            errors.push(RowError {
                row: *row,
                column: headers[col].clone(),
                reason,
            })
        };
        let employee_no = cell(employee_col);
        let employee_id = lookup(&refs.employees, employee_no, "employee")
            .map_err(|e| err(employee_col, e))
            .ok();
        let skill_code = cell(skill_col);
        let skill = lookup(&refs.skills, skill_code, "skill")
            .map_err(|e| err(skill_col, e))
            .ok();
        let level = level_in_range(cell(level_col), skill, 0, "level", skill_code)
            .map_err(|e| err(level_col, e))
            .ok();
        let score = match score_col.zip(opt(score_col)) {
            None => None,
            Some((col, s)) => match parse_number(&s) {
                Ok(v) if (0.0..=100.0).contains(&v) => Some(v),
                _ => {
                    err(col, format!("'{s}' is not a score between 0 and 100"));
                    None
                }
            },
        };
        let method = parse_method(cell(method_col))
            .map_err(|e| err(method_col, e))
            .ok();
        let date_text = cell(date_col);
        let assessed_on = match parse_date(date_text) {
            Err(_) if date_text.is_empty() => {
                err(date_col, "missing".into());
                None
            }
            Err(e) => {
                err(date_col, e);
                None
            }
            Ok(d) if d > refs.today => {
                err(
                    date_col,
                    format!("{d} is in the future (today is {})", refs.today),
                );
                None
            }
            Ok(d) => Some(d),
        };
        // A repeat is a repeat even when another cell of the row is bad.
        if let (Some(e), Some((s, _)), Some(d), Some(m)) = (employee_id, skill, assessed_on, method)
        {
            if let Some(first) = seen.get(&(e, s, d, m)) {
                err(
                    employee_col,
                    format!(
                        "the same employee, skill, date and method already appear on row {first}"
                    ),
                );
            } else {
                seen.insert((e, s, d, m), *row);
            }
        }
        if errors.len() != before {
            continue;
        }
        if let (Some(employee_id), Some((skill_id, _)), Some(level), Some(method), Some(date)) =
            (employee_id, skill, level, method, assessed_on)
        {
            out.push(AssessmentRecord {
                row: *row,
                employee_id,
                skill_id,
                level,
                score,
                method,
                assessor: opt(assessor_col),
                assessed_on: date,
                evidence: opt(evidence_col),
            });
        }
    }
    (out, errors)
}

/// Resolves a code cell: "missing" when blank, "<what> <code> does not exist" when unknown.
pub(crate) fn lookup<T: Copy>(
    known: &HashMap<String, T>,
    code: &str,
    what: &str,
) -> Result<T, String> {
    match known.get(code) {
        Some(v) => Ok(*v),
        None if code.is_empty() => Err("missing".into()),
        None => Err(format!("{what} {code} does not exist")),
    }
}

/// Parses a level cell and checks it lies in `lowest..=` the skill's levels (when the
/// skill is known; otherwise only against `lowest`).
fn level_in_range(
    text: &str,
    skill: Option<(i64, i32)>,
    lowest: i32,
    what: &str,
    skill_code: &str,
) -> Result<i32, String> {
    let level = parse_whole(text)?;
    match skill {
        Some((_, levels)) if !(lowest..=levels).contains(&level) => Err(format!(
            "{what} {level} is outside {lowest}..={levels} of skill {skill_code}"
        )),
        None if level < lowest => Err(format!("{what} {level} is below {lowest}")),
        _ => Ok(level),
    }
}
/// Validates a competency-model table: the valid records, and every problem of every row.
pub fn plan_models(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    refs: &CompetencyRefs,
) -> (Vec<ModelRecord>, Vec<RowError>) {
    let [position_col, skill_col, level_col, tier_col] = match required_columns(
        headers,
        [
            ("position_code", POSITION_CODE),
            ("skill_code", SKILL_CODE),
            ("required_level", REQUIRED_LEVEL),
            ("tier", TIER),
        ],
    ) {
        Ok(c) => c,
        Err(errors) => return (Vec::new(), errors),
    };
    let source_col = column(headers, MODEL_SOURCE);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    // (position, skill) → the first row that had it.
    let mut seen: HashMap<(i64, i64), usize> = HashMap::new();
    for (row, cells) in rows {
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        if source_col.is_some_and(|c| DERIVED_MARKS.contains(&cell(c).to_lowercase().as_str())) {
            continue;
        }
        let before = errors.len();
        let mut err = |col: usize, reason: String| {
            errors.push(RowError {
                row: *row,
                column: headers[col].clone(),
                reason,
            })
        };
        let position_code = cell(position_col);
        let position_id = lookup(&refs.positions, position_code, "position")
            .map_err(|e| err(position_col, e))
            .ok();
        let skill_code = cell(skill_col);
        let skill = lookup(&refs.skills, skill_code, "skill")
            .map_err(|e| err(skill_col, e))
            .ok();
        let level = level_in_range(cell(level_col), skill, 1, "required level", skill_code)
            .map_err(|e| err(level_col, e))
            .ok();
        let tier = match cell(tier_col) {
            "" => {
                err(tier_col, "missing".into());
                None
            }
            t => Tier::parse(t).map_err(|e| err(tier_col, message(e))).ok(),
        };
        if let (Some(p), Some((s, _))) = (position_id, skill) {
            if let Some(first) = seen.get(&(p, s)) {
                err(
                    skill_col,
                    format!(
                        "position {position_code} and skill {skill_code} already appear on row {first}"
                    ),
                );
            } else {
                seen.insert((p, s), *row);
            }
        }
        if errors.len() != before {
            continue;
        }
        if let (Some(position_id), Some((skill_id, _)), Some(required_level), Some(tier)) =
            (position_id, skill, level, tier)
        {
            out.push(ModelRecord {
                row: *row,
                position_id,
                skill_id,
                required_level,
                tier,
            });
        }
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_table;
    use time::macros::date;

    fn refs() -> CompetencyRefs {
        CompetencyRefs {
            employees: [("E1".to_string(), 10), ("E2".to_string(), 11)].into(),
            skills: [
                ("OP-EQUIP".to_string(), (1, 3)),
                ("EQ-PLC".to_string(), (2, 5)),
            ]
            .into(),
            positions: [("P-OP".to_string(), 100)].into(),
            today: date!(2026 - 06 - 30),
        }
    }

    fn assessments(text: &str) -> (Vec<AssessmentRecord>, Vec<RowError>) {
        let t = read_table(text.as_bytes()).unwrap();
        plan_assessments(&t.headers, &t.rows, &refs())
    }

    fn models(text: &str) -> (Vec<ModelRecord>, Vec<RowError>) {
        let t = read_table(text.as_bytes()).unwrap();
        plan_models(&t.headers, &t.rows, &refs())
    }

    fn has(errors: &[RowError], row: usize, column: &str, reason: &str) -> bool {
        errors
            .iter()
            .any(|e| e.row == row && e.column == column && e.reason.contains(reason))
    }

    #[test]
    fn chinese_headers_and_every_value_form() {
        let (ok, errors) = assessments(
            "工号,技能编码,等级,分数,方式,评估人,评估日期,证据\n\
             E1,OP-EQUIP,2,85.5,考试,王工,2026/3/1,试卷\n\
             E2,EQ-PLC,5,,360评估,,2026年3月2日,\n\
             E1,OP-EQUIP,0,90%,self,,46000,\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ok.len(), 3);
        assert_eq!(
            ok[0],
            AssessmentRecord {
                row: 2,
                employee_id: 10,
                skill_id: 1,
                level: 2,
                score: Some(85.5),
                method: "exam",
                assessor: Some("王工".into()),
                assessed_on: date!(2026 - 03 - 01),
                evidence: Some("试卷".into()),
            }
        );
        assert_eq!(
            (ok[1].method, ok[1].score, ok[1].assessor.as_deref()),
            ("360", None, None)
        );
        assert_eq!((ok[2].level, ok[2].method), (0, "self"));
    }

    #[test]
    fn english_headers_in_any_case() {
        let (ok, errors) = assessments(
            "Employee_Number,SKILL_CODE,Level,Method,Assessed_On\nE1,OP-EQUIP,3,Manager,2026-01-05\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ok[0].method, "manager");
    }

    #[test]
    fn every_bad_cell_is_reported() {
        let (ok, errors) = assessments(
            "工号,技能编码,等级,分数,方式,评估日期\n\
             E1,OP-EQUIP,2,80,考试,2026-03-01\n\
             E9,NOPE,1,80,考试,2026-03-01\n\
             E1,OP-EQUIP,4,101,guess,2026-02-30\n\
             E2,OP-EQUIP,-1,abc,exam,2027-01-01\n\
             E1,OP-EQUIP,1,,exam,2026-03-01\n\
             ,,,,,\n\
             E2,EQ-PLC,x,,自评,\n",
        );
        assert_eq!(ok.len(), 1);
        assert!(has(&errors, 3, "工号", "employee E9 does not exist"));
        assert!(has(&errors, 3, "技能编码", "skill NOPE does not exist"));
        assert!(has(&errors, 4, "等级", "outside 0..=3"));
        assert!(has(&errors, 4, "分数", "between 0 and 100"));
        assert!(has(&errors, 4, "方式", "'guess' is not a method"));
        assert!(has(&errors, 4, "评估日期", "not a date"));
        assert!(has(&errors, 5, "等级", "outside 0..=3"));
        assert!(has(&errors, 5, "分数", "'abc'"));
        assert!(has(&errors, 5, "评估日期", "in the future"));
        assert!(has(&errors, 6, "工号", "already appear on row 2"));
        // A blank line is skipped by the reader; the next row keeps its own number.
        assert!(has(&errors, 8, "等级", "not a whole number"));
        assert!(has(&errors, 8, "评估日期", "missing"));
        assert_eq!(
            errors.iter().filter(|e| e.row == 3).count(),
            2,
            "{errors:?}"
        );
    }

    #[test]
    fn missing_columns_are_reported_on_row_one() {
        let (ok, errors) = assessments("工号,等级\nE1,2\n");
        assert!(ok.is_empty());
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["skill_code", "method", "assessed_on"]);
        assert!(errors.iter().all(|e| e.row == 1));
        assert!(errors[0].reason.contains("技能编码"));
    }

    #[test]
    fn methods() {
        for (text, code) in [
            ("考试", "exam"),
            ("观察", "observation"),
            ("360评估", "360"),
            ("360", "360"),
            ("自评", "self"),
            ("上级评价", "manager"),
            ("Observation", "observation"),
        ] {
            assert_eq!(parse_method(text).unwrap(), code, "{text}");
        }
        assert!(parse_method("").unwrap_err().contains("missing"));
        assert!(parse_method("peer").is_err());
    }

    #[test]
    fn models_are_validated() {
        let (ok, errors) = models(
            "岗位编码,技能编码,要求等级,层级\n\
             P-OP,OP-EQUIP,2,核心\n\
             P-OP,EQ-PLC,5,support\n\
             P-OP,OP-EQUIP,3,reserve\n\
             P-XX,OP-EQUIP,0,关键\n\
             P-OP,NOPE,4,\n\
             P-OP,EQ-PLC,2.0,储备\n",
        );
        assert_eq!(ok.len(), 2, "{errors:?}");
        assert_eq!(ok[0].tier, Tier::Core);
        assert_eq!((ok[1].required_level, ok[1].tier), (5, Tier::Support));
        assert!(has(&errors, 4, "技能编码", "already appear on row 2"));
        assert!(has(&errors, 5, "岗位编码", "position P-XX does not exist"));
        assert!(has(&errors, 5, "要求等级", "outside 1..=3"));
        assert!(has(&errors, 5, "层级", "'关键'"));
        assert!(has(&errors, 6, "技能编码", "skill NOPE does not exist"));
        assert!(has(&errors, 6, "层级", "missing"));
        assert!(has(&errors, 7, "技能编码", "already appear on row 3"));
        let (_, errors) =
            models("position_code,skill_code,required_level,tier\nP-OP,OP-EQUIP,4,core\n");
        assert!(has(&errors, 2, "required_level", "outside 1..=3"));
        let (_, errors) = models("岗位编码,技能编码\nP-OP,OP-EQUIP\n");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[1].column, "tier");
    }
}
