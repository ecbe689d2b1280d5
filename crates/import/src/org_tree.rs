//! The department tree (部门编码, 部门名称, 上级部门编码, 负责人工号, 成本中心, 地点) and
//! positions (编码, 名称, 序列, 职级, 小时成本), validated row by row: parents may come
//! after their children in the file, loops and unknown parents or heads are refused
//! with the row they are on.

use crate::RowError;
use crate::kpis::{column, parse_number};
use domain::org_tree::{MAX_TEXT, PositionInput, limit, valid_code};
use std::collections::{HashMap, HashSet};

const CODE: &[&str] = &[
    "部门编码",
    "code",
    "department_code",
    "department code",
    "编码",
];
const NAME: &[&str] = &[
    "部门名称",
    "name",
    "department_name",
    "department name",
    "名称",
];
const PARENT: &[&str] = &[
    "上级部门编码",
    "parent_code",
    "parent code",
    "parent",
    "上级部门",
];
const HEAD: &[&str] = &["负责人工号", "head", "head_employee_no", "负责人"];
const COST_CENTER: &[&str] = &["成本中心", "cost_center", "cost center"];
const SITE: &[&str] = &["地点", "site", "办公地点"];

const POSITION_CODE: &[&str] = &["编码", "code", "岗位编码", "position_code", "position code"];
const POSITION_NAME: &[&str] = &["名称", "name", "岗位名称", "position_name", "position name"];
const FAMILY: &[&str] = &["序列", "family", "job_family", "job family", "岗位序列"];
const GRADE: &[&str] = &["职级", "grade band", "grade_band", "grade", "职级带"];
const HOURLY_COST: &[&str] = &["小时成本", "hourly_cost", "hourly cost"];

/// A stored department as an import checks a file against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDepartment {
    pub code: String,
    pub parent_code: Option<String>,
    pub closed: bool,
}

/// What a department file is checked against: stored departments and people.
#[derive(Debug, Clone, Default)]
pub struct DepartmentRefs {
    pub departments: Vec<KnownDepartment>,
    /// Employee number → whether the person has left.
    pub employees: HashMap<String, bool>,
}

/// One valid row of a department file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRecord {
    /// The row number in the file.
    pub row: usize,
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// Employee number of the head; `None` leaves a stored head as it is.
    pub head: Option<String>,
    /// `None` leaves a stored value as it is.
    pub cost_center: Option<String>,
    pub site: Option<String>,
}

/// Validates a department table; the records come parents first, so a write can
/// create or move them in order.
pub fn plan_departments(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    refs: &DepartmentRefs,
) -> (Vec<DepartmentRecord>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut idx = HashMap::new();
    for (field, names) in [
        ("code", CODE),
        ("name", NAME),
        ("parent_code", PARENT),
        ("head", HEAD),
    ] {
        match column(headers, names) {
            Some(i) => {
                idx.insert(field, i);
            }
            None => errors.push(RowError {
                row: 1,
                column: field.into(),
                reason: format!("no column for {field} (header {})", names[0]),
            }),
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let cost_col = column(headers, COST_CENTER);
    let site_col = column(headers, SITE);
    let stored: HashMap<&str, &KnownDepartment> = refs
        .departments
        .iter()
        .map(|d| (d.code.as_str(), d))
        .collect();
    let stored_root = refs
        .departments
        .iter()
        .find(|d| d.parent_code.is_none() && !d.closed)
        .map(|d| d.code.clone());
    let file_codes: HashSet<String> = rows
        .iter()
        .filter_map(|(_, cells)| {
            let c = cells[idx["code"]].trim();
            (!c.is_empty()).then(|| c.to_string())
        })
        .collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut records: Vec<DepartmentRecord> = Vec::new();
    let mut file_roots: Vec<(usize, String)> = Vec::new();
    for (row, cells) in rows {
        let cell = |i: usize| cells[i].trim().to_string();
        let mut row_errors: Vec<RowError> = Vec::new();
        let mut err = |col: usize, reason: String| {
            row_errors.push(RowError {
                row: *row,
                column: headers[col].clone(),
                reason,
            })
        };
        let code = match valid_code("code", &cell(idx["code"])) {
            Ok(c) => c,
            Err(e) => {
                err(idx["code"], reason(e));
                String::new()
            }
        };
        if !code.is_empty() {
            if let Some(first) = seen.get(&code) {
                err(
                    idx["code"],
                    format!("department {code} already appears on row {first}"),
                );
            } else {
                seen.insert(code.clone(), *row);
            }
            if stored.get(code.as_str()).is_some_and(|d| d.closed) {
                err(
                    idx["code"],
                    format!("department {code} is closed and cannot be changed by an import"),
                );
            }
        }
        let name = cell(idx["name"]);
        if name.is_empty() {
            err(idx["name"], "missing".into());
        } else if let Err(e) = limit("name", &name, MAX_TEXT) {
            err(idx["name"], reason(e));
        }
        let parent = cell(idx["parent_code"]);
        let parent_code = if parent.is_empty() {
            None
        } else if file_codes.contains(&parent) {
            Some(parent)
        } else {
            match stored.get(parent.as_str()) {
                None => {
                    err(
                        idx["parent_code"],
                        format!(
                            "no department has the code '{parent}' (neither in the file nor stored)"
                        ),
                    );
                    None
                }
                Some(d) if d.closed => {
                    err(idx["parent_code"], format!("department {parent} is closed"));
                    None
                }
                Some(_) => Some(parent),
            }
        };
        if parent_code.is_none() && cell(idx["parent_code"]).is_empty() && !code.is_empty() {
            file_roots.push((*row, code.clone()));
        }
        let head = cell(idx["head"]);
        let head = if head.is_empty() {
            None
        } else {
            match refs.employees.get(&head) {
                None => {
                    err(idx["head"], format!("no employee has the number '{head}'"));
                    None
                }
                Some(true) => {
                    err(idx["head"], format!("employee {head} has left"));
                    None
                }
                Some(false) => Some(head),
            }
        };
        let mut optional = |col: Option<usize>, field: &str| -> Option<String> {
            let i = col?;
            let v = cell(i);
            if v.is_empty() {
                return None;
            }
            if let Err(e) = limit(field, &v, MAX_TEXT) {
                err(i, reason(e));
                return None;
            }
            Some(v)
        };
        let cost_center = optional(cost_col, "cost_center");
        let site = optional(site_col, "site");
        if row_errors.is_empty() {
            records.push(DepartmentRecord {
                row: *row,
                code,
                name,
                parent_code,
                head,
                cost_center,
                site,
            });
        } else {
            errors.extend(row_errors);
        }
    }
    // One top department: the stored one, or the file's only row without a parent.
    for (row, code) in &file_roots {
        let other = stored_root.clone().filter(|r| r != code).or_else(|| {
            file_roots
                .iter()
                .find(|(_, c)| c != code)
                .map(|(_, c)| c.clone())
        });
        if let Some(other) = other {
            errors.push(RowError {
                row: *row,
                column: headers[idx["parent_code"]].clone(),
                reason: format!(
                    "missing: {other} is already the top department, so {code} needs a parent"
                ),
            });
            records.retain(|r| &r.code != code);
        }
    }
    // The tree as it would be: stored parents, overridden by the file's rows.
    let mut parent_of: HashMap<String, Option<String>> = refs
        .departments
        .iter()
        .filter(|d| !d.closed)
        .map(|d| (d.code.clone(), d.parent_code.clone()))
        .collect();
    for r in &records {
        parent_of.insert(r.code.clone(), r.parent_code.clone());
    }
    let mut depth: HashMap<String, usize> = HashMap::new();
    let mut looped: Vec<usize> = Vec::new();
    for r in &records {
        let mut chain = vec![r.code.clone()];
        let mut cursor = r.parent_code.clone();
        let mut cycle = false;
        while let Some(c) = cursor {
            if chain.contains(&c) {
                chain.push(c);
                cycle = true;
                break;
            }
            chain.push(c.clone());
            cursor = parent_of.get(&c).cloned().flatten();
        }
        if cycle {
            errors.push(RowError {
                row: r.row,
                column: headers[idx["parent_code"]].clone(),
                reason: format!("the parent chain loops: {}", chain.join(" → ")),
            });
            looped.push(r.row);
        } else {
            depth.insert(r.code.clone(), chain.len());
        }
    }
    records.retain(|r| !looped.contains(&r.row));
    records.sort_by_key(|r| (depth.get(&r.code).copied().unwrap_or(0), r.row));
    errors.sort_by_key(|e| e.row);
    (records, errors)
}

/// Validates a positions table (编码, 名称, 序列, 职级, 小时成本).
pub fn plan_positions(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
) -> (Vec<PositionInput>, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut idx = HashMap::new();
    for (field, names) in [("code", POSITION_CODE), ("name", POSITION_NAME)] {
        match column(headers, names) {
            Some(i) => {
                idx.insert(field, i);
            }
            None => errors.push(RowError {
                row: 1,
                column: field.into(),
                reason: format!("no column for {field} (header {})", names[0]),
            }),
        }
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    let family = column(headers, FAMILY);
    let grade = column(headers, GRADE);
    let cost = column(headers, HOURLY_COST);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, cells) in rows {
        let cell = |i: Option<usize>| {
            i.map(|i| cells[i].trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let column_of = |field: &str| match field {
            "code" => headers[idx["code"]].clone(),
            "name" => headers[idx["name"]].clone(),
            "job_family" => family.map(|i| headers[i].clone()).unwrap_or_default(),
            "grade" => grade.map(|i| headers[i].clone()).unwrap_or_default(),
            _ => cost.map(|i| headers[i].clone()).unwrap_or_default(),
        };
        let hourly_cost = match cell(cost) {
            None => Ok(None),
            Some(t) => parse_number(&t).map(Some).map_err(|_| RowError {
                row: *row,
                column: column_of("hourly_cost"),
                reason: format!("'{t}' is not an hourly cost (a number ≥ 0)"),
            }),
        };
        let hourly_cost = match hourly_cost {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let input = PositionInput {
            code: cell(idx.get("code").copied()).unwrap_or_default(),
            name: cell(idx.get("name").copied()).unwrap_or_default(),
            job_family: cell(family),
            grade: cell(grade),
            hourly_cost,
        };
        match input.validated() {
            Ok(p) => {
                if let Some(first) = seen.get(&p.code) {
                    errors.push(RowError {
                        row: *row,
                        column: column_of("code"),
                        reason: format!("position {} already appears on row {first}", p.code),
                    });
                } else {
                    seen.insert(p.code.clone(), *row);
                    out.push(p);
                }
            }
            Err(domain::DomainError::Validation { field, message }) => errors.push(RowError {
                row: *row,
                column: column_of(&field),
                reason: message,
            }),
            Err(e) => errors.push(RowError {
                row: *row,
                column: "row".into(),
                reason: e.to_string(),
            }),
        }
    }
    (out, errors)
}

/// The message of a validation error, without its field.
fn reason(e: domain::DomainError) -> String {
    match e {
        domain::DomainError::Validation { message, .. } => message,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> (Vec<String>, Vec<(usize, Vec<String>)>) {
        let headers = ["部门编码", "部门名称", "上级部门编码", "负责人工号"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
            .collect();
        (headers, rows)
    }

    fn refs() -> DepartmentRefs {
        DepartmentRefs {
            departments: vec![
                KnownDepartment {
                    code: "HQ".into(),
                    parent_code: None,
                    closed: false,
                },
                KnownDepartment {
                    code: "A".into(),
                    parent_code: Some("HQ".into()),
                    closed: false,
                },
                KnownDepartment {
                    code: "OLD".into(),
                    parent_code: Some("HQ".into()),
                    closed: true,
                },
            ],
            employees: [("E1".to_string(), false), ("E9".to_string(), true)].into(),
        }
    }

    #[test]
    fn children_before_parents_come_out_parents_first() {
        let (h, rows) = table(&[&["C", "丙", "B", ""], &["B", "乙", "A", "E1"]]);
        let (records, errors) = plan_departments(&h, &rows, &refs());
        assert!(errors.is_empty(), "{errors:?}");
        let order: Vec<&str> = records.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(order, vec!["B", "C"]);
    }

    #[test]
    fn loops_unknown_parents_and_heads_name_their_rows() {
        let (h, rows) = table(&[
            &["A", "甲", "B", ""],
            &["B", "乙", "A", ""],
            &["X", "叉", "NOPE", ""],
            &["Y", "歪", "HQ", "E404"],
            &["Z", "泽", "HQ", "E9"],
            &["W", "达", "OLD", ""],
        ]);
        let (records, errors) = plan_departments(&h, &rows, &refs());
        assert!(records.is_empty(), "{records:?}");
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![2, 3, 4, 5, 6, 7], "{errors:?}");
        assert!(errors[0].reason.contains("loops"), "{}", errors[0].reason);
        assert!(errors[2].reason.contains("NOPE"));
        assert!(errors[3].reason.contains("E404"));
        assert!(errors[4].reason.contains("left"));
        assert!(errors[5].reason.contains("closed"));
    }

    #[test]
    fn a_second_top_department_is_refused() {
        let (h, rows) = table(&[&["TOP2", "另一个", "", ""]]);
        let (_, errors) = plan_departments(&h, &rows, &refs());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].reason.contains("HQ"), "{}", errors[0].reason);
    }

    #[test]
    fn positions_check_cost_and_duplicates() {
        let headers: Vec<String> = ["编码", "名称", "序列", "职级", "小时成本"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = vec![
            (
                2,
                vec![
                    "P1".into(),
                    "焊工".into(),
                    "生产".into(),
                    "S2".into(),
                    "85".into(),
                ],
            ),
            (
                3,
                vec!["P1".into(), "焊工".into(), "".into(), "".into(), "".into()],
            ),
            (
                4,
                vec!["P2".into(), "".into(), "".into(), "".into(), "".into()],
            ),
            (
                5,
                vec![
                    "P3".into(),
                    "钳工".into(),
                    "".into(),
                    "".into(),
                    "-3".into(),
                ],
            ),
            (
                6,
                vec![
                    "P4".into(),
                    "钳工".into(),
                    "".into(),
                    "".into(),
                    "abc".into(),
                ],
            ),
        ];
        let (ok, errors) = plan_positions(&headers, &rows);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].hourly_cost, Some(85.0));
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![3, 4, 5, 6], "{errors:?}");
        assert_eq!(errors[2].column, "小时成本");
    }
}
