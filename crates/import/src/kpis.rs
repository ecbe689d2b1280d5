//! KPI definitions and KPI values (long format: one value per row; wide format: one
//! column per month), validated row by row so that millions of values stream through.

use crate::RowError;
use domain::performance::{Aggregation, Direction, KpiInput, KpiSource, Period};
use std::collections::{HashMap, HashSet};

/// Finds the column whose header is one of `names` (case-insensitive).
pub(crate) fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
}

const KPI_CODE: &[&str] = &["指标编码", "kpi_code", "kpi code", "code", "编码"];
const KPI_NAME: &[&str] = &["指标名称", "name", "kpi name", "名称"];
const UNIT: &[&str] = &["单位", "unit"];
const DIRECTION: &[&str] = &["方向", "direction"];
const AGGREGATION: &[&str] = &["汇总", "汇总方式", "aggregation"];
const SOURCE_SYSTEM: &[&str] = &["来源系统", "source_system", "system of record"];
const TOLERANCE: &[&str] = &["容差", "校验容差", "tolerance"];
const RESPONSIBLE_ROLE: &[&str] = &["责任角色", "responsible_role"];
const RESPONSIBLE_DEPARTMENT: &[&str] = &["责任部门", "responsible_department"];
const DEADLINE_DAY: &[&str] = &["截止日", "录入截止日", "deadline_day"];
const FREQUENCY: &[&str] = &["频率", "录入频率", "frequency"];
const EMPLOYEE_NO: &[&str] = &["工号", "employee_number", "employee_no", "employee number"];
const DEPARTMENT_CODE: &[&str] = &["部门编码", "department_code", "department code"];
const PERIOD: &[&str] = &["期间", "period", "月份"];
const VALUE: &[&str] = &["数值", "value", "值"];
const SOURCE: &[&str] = &["来源", "source"];

/// Validates a KPI definitions table: every row with its problems.
/// `departments` resolves department codes (lower case) of the optional 责任部门 column.
pub fn plan_definitions(
    headers: &[String],
    rows: &[(usize, Vec<String>)],
    departments: &HashMap<String, i64>,
) -> (Vec<KpiInput>, Vec<RowError>) {
    let mut errors = Vec::new();
    let required = [
        ("code", KPI_CODE),
        ("name", KPI_NAME),
        ("direction", DIRECTION),
        ("aggregation", AGGREGATION),
    ];
    let mut idx = HashMap::new();
    for (field, names) in required {
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
    let unit = column(headers, UNIT);
    let system = column(headers, SOURCE_SYSTEM);
    let tolerance_col = column(headers, TOLERANCE);
    let role_col = column(headers, RESPONSIBLE_ROLE);
    let department_col = column(headers, RESPONSIBLE_DEPARTMENT);
    let deadline_col = column(headers, DEADLINE_DAY);
    let frequency_col = column(headers, FREQUENCY);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, cells) in rows {
        let cell = |i: usize| cells[i].trim();
        // A non-empty cell with the column it came from.
        let opt = |i: Option<usize>| {
            i.map(|i| (i, cell(i).to_string()))
                .filter(|(_, v)| !v.is_empty())
        };
        let mut row_errors = Vec::new();
        let mut err = |col: usize, reason: String| {
            row_errors.push(RowError {
                row: *row,
                column: headers[col].clone(),
                reason,
            })
        };
        let code = cell(idx["code"]).to_string();
        if code.is_empty() {
            err(idx["code"], "missing".into());
        } else if let Some(first) = seen.get(&code) {
            err(
                idx["code"],
                format!("KPI {code} already appears on row {first}"),
            );
        } else {
            seen.insert(code.clone(), *row);
        }
        let name = cell(idx["name"]).to_string();
        if name.is_empty() {
            err(idx["name"], "missing".into());
        }
        let direction = Direction::parse(cell(idx["direction"]))
            .map_err(|e| err(idx["direction"], message(e)))
            .ok();
        let aggregation = Aggregation::parse(cell(idx["aggregation"]))
            .map_err(|e| err(idx["aggregation"], message(e)))
            .ok();
        let tolerance = match opt(tolerance_col) {
            None => None,
            Some((col, t)) => match parse_number(&t) {
                Ok(v) if v >= 0.0 => Some(v),
                _ => {
                    err(col, format!("'{t}' is not a tolerance (a number ≥ 0)"));
                    None
                }
            },
        };
        let responsible_role = match opt(role_col) {
            None => None,
            Some((col, r)) => match domain::Role::parse(r.trim()) {
                Some(role) => Some(role),
                None => {
                    err(
                        col,
                        format!(
                            "'{r}' is not a role code (employee, manager, training_admin, ...)"
                        ),
                    );
                    None
                }
            },
        };
        let responsible_department_id = match opt(department_col) {
            None => None,
            Some((col, d)) => match departments.get(&d.to_lowercase()) {
                Some(id) => Some(*id),
                None => {
                    err(col, format!("department {d} does not exist"));
                    None
                }
            },
        };
        let entry_deadline_day = match opt(deadline_col) {
            None => None,
            Some((col, d)) => match d.parse::<u8>() {
                Ok(day) if (1..=28).contains(&day) => Some(day),
                _ => {
                    err(col, format!("'{d}' is not a day between 1 and 28"));
                    None
                }
            },
        };
        let quarterly = match opt(frequency_col).map(|(col, f)| (col, f.to_lowercase())) {
            None => false,
            Some((_, f)) if matches!(f.as_str(), "monthly" | "month" | "月" | "月度" | "每月") => {
                false
            }
            Some((_, f))
                if matches!(f.as_str(), "quarterly" | "quarter" | "季" | "季度" | "每季") =>
            {
                true
            }
            Some((col, f)) => {
                err(
                    col,
                    format!("'{f}' is not monthly or quarterly (月度/季度)"),
                );
                false
            }
        };
        if row_errors.is_empty()
            && let (Some(direction), Some(aggregation)) = (direction, aggregation)
        {
            out.push(KpiInput {
                quarterly,
                code,
                name,
                unit: opt(unit).map(|(_, v)| v),
                direction,
                aggregation,
                source_system: opt(system).map(|(_, v)| v),
                tolerance,
                responsible_role,
                responsible_department_id,
                entry_deadline_day,
            });
        }
        errors.extend(row_errors);
    }
    (out, errors)
}

/// The message of a domain validation error, without its field prefix.
pub(crate) fn message(e: domain::DomainError) -> String {
    match e {
        domain::DomainError::Validation { message, .. } => message,
        other => other.to_string(),
    }
}

/// Whom a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Employee(i64),
    Department(i64),
}

/// One resolved KPI value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRecord {
    pub kpi_id: i64,
    pub subject: Subject,
    pub period: Period,
    pub value: f64,
    pub source: KpiSource,
    /// When the value was entered; `None` means now (files), history loads give their own.
    pub entered_at: Option<time::OffsetDateTime>,
}

impl ValueRecord {
    /// The identity of the cell as one exact number (KPI, subject, month, source), so a
    /// file of millions of values is checked for repeats in little memory.
    fn key(&self) -> u64 {
        let (kind, id) = match self.subject {
            Subject::Employee(id) => (0u64, id as u64),
            Subject::Department(id) => (1u64, id as u64),
        };
        let source = match self.source {
            KpiSource::Hr => 0u64,
            KpiSource::Business => 1,
            KpiSource::Import => 2,
        };
        ((self.kpi_id as u64 & 0xFFFF) << 48)
            | ((id & 0x7FFF_FFFF) << 17)
            | (kind << 16)
            | ((u64::from(self.period.index()) & 0x3FFF) << 2)
            | source
    }
}

/// What values are checked against.
#[derive(Debug, Clone, Default)]
pub struct ValueRefs {
    pub kpis: HashMap<String, i64>,
    pub employees: HashMap<String, i64>,
    pub departments: HashMap<String, i64>,
}

enum Layout {
    Long { period: usize, value: usize },
    Wide { months: Vec<(usize, Period)> },
}

/// Reads value rows of one file; create with [`ValueReader::new`] from the headers.
pub struct ValueReader {
    headers: Vec<String>,
    employee: Option<usize>,
    department: Option<usize>,
    /// The column a missing subject is reported on (the employee column if both exist).
    subject: usize,
    kpi: usize,
    source: Option<usize>,
    layout: Layout,
    seen: HashSet<u64>,
    first_row: HashMap<u64, usize>,
}

impl ValueReader {
    /// Recognises the layout: long (期间 and 数值 columns) or wide (month headers such as 2024-01).
    pub fn new(headers: &[String]) -> Result<Self, Vec<RowError>> {
        let mut errors = Vec::new();
        let employee = column(headers, EMPLOYEE_NO);
        let department = column(headers, DEPARTMENT_CODE);
        if employee.is_none() && department.is_none() {
            errors.push(RowError {
                row: 1,
                column: "employee_number".into(),
                reason: "no 工号/employee_number or 部门编码/department_code column".into(),
            });
        }
        let kpi = column(headers, KPI_CODE);
        if kpi.is_none() {
            errors.push(RowError {
                row: 1,
                column: "kpi_code".into(),
                reason: "no 指标编码/kpi_code column".into(),
            });
        }
        let months: Vec<(usize, Period)> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Period::parse(h).ok().map(|p| (i, p)))
            .collect();
        let layout = match (column(headers, PERIOD), column(headers, VALUE)) {
            (Some(period), Some(value)) => Layout::Long { period, value },
            _ if !months.is_empty() => Layout::Wide { months },
            _ => {
                errors.push(RowError {
                    row: 1,
                    column: "period".into(),
                    reason: "neither 期间/period and 数值/value columns (long format) nor month columns such as 2024-01 (wide format)".into(),
                });
                Layout::Wide { months: Vec::new() }
            }
        };
        let (Some(kpi), Some(subject), true) = (kpi, employee.or(department), errors.is_empty())
        else {
            return Err(errors);
        };
        Ok(Self {
            headers: headers.to_vec(),
            employee,
            department,
            subject,
            kpi,
            source: column(headers, SOURCE),
            layout,
            seen: HashSet::new(),
            first_row: HashMap::new(),
        })
    }

    /// Validates one row; pushes its values to `out` or its problems to `errors`.
    pub fn read_row(
        &mut self,
        row: usize,
        cells: &[String],
        refs: &ValueRefs,
        out: &mut Vec<ValueRecord>,
        errors: &mut Vec<RowError>,
    ) {
        let before = errors.len();
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        let headers = &self.headers;
        let mut err = |col: usize, reason: String| {
            errors.push(RowError {
                row,
                column: headers[col].clone(),
                reason,
            })
        };
        let filled = |col: Option<usize>| col.map(|c| (c, cell(c))).filter(|(_, v)| !v.is_empty());
        let employee_no = filled(self.employee);
        let department_code = filled(self.department);
        let subject = match (employee_no, department_code) {
            (Some((col, no)), None) => match refs.employees.get(no) {
                Some(id) => Some(Subject::Employee(*id)),
                None => {
                    err(col, format!("employee {no} does not exist"));
                    None
                }
            },
            (None, Some((col, code))) => match refs.departments.get(&code.to_lowercase()) {
                Some(id) => Some(Subject::Department(*id)),
                None => {
                    err(col, format!("department {code} does not exist"));
                    None
                }
            },
            (Some((col, _)), Some(_)) => {
                err(
                    col,
                    "give an employee number or a department code, not both".into(),
                );
                None
            }
            (None, None) => {
                err(self.subject, "missing".into());
                None
            }
        };
        let code = cell(self.kpi);
        let kpi_id = match refs.kpis.get(code) {
            Some(id) => Some(*id),
            None if code.is_empty() => {
                err(self.kpi, "missing".into());
                None
            }
            None => {
                err(
                    self.kpi,
                    format!("KPI {code} is not defined; import the KPI definitions first"),
                );
                None
            }
        };
        let source = match KpiSource::parse(self.source.map(cell).unwrap_or("")) {
            Ok(s) => Some(s),
            Err(e) => {
                // Only a cell can be bad (no column means the default source).
                err(self.source.unwrap_or(self.kpi), message(e));
                None
            }
        };
        let mut values: Vec<(usize, Period, f64)> = Vec::new();
        match &self.layout {
            Layout::Long { period, value } => {
                let p = Period::parse(cell(*period))
                    .map_err(|e| err(*period, message(e)))
                    .ok();
                let v = parse_number(cell(*value)).map_err(|e| err(*value, e)).ok();
                if let (Some(p), Some(v)) = (p, v) {
                    values.push((*value, p, v));
                }
            }
            Layout::Wide { months } => {
                for (col, p) in months {
                    let text = cell(*col);
                    if text.is_empty() {
                        continue;
                    }
                    match parse_number(text) {
                        Ok(v) => values.push((*col, *p, v)),
                        Err(e) => err(*col, e),
                    }
                }
            }
        }
        if errors.len() != before {
            return;
        }
        let (Some(subject), Some(kpi_id), Some(source)) = (subject, kpi_id, source) else {
            return;
        };
        for (col, period, value) in values {
            let record = ValueRecord {
                kpi_id,
                subject,
                period,
                value,
                source,
                entered_at: None,
            };
            let key = record.key();
            if !self.seen.insert(key) {
                let first = self.first_row.get(&key).copied().unwrap_or(0);
                errors.push(RowError { row, column: self.headers[col].clone(), reason: format!("the same KPI, person or department, month and source already appear on row {first}") });
                continue;
            }
            // Remember rows only for repeats' messages while the map stays small.
            if self.first_row.len() < 200_000 {
                self.first_row.insert(key, row);
            }
            out.push(record);
        }
    }
}

/// A finite number; `12.5%` means 12.5 and thousands separators are allowed.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let cleaned: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| *c != ',' && *c != '，')
        .collect();
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ if text.trim().is_empty() => Err("missing".into()),
        _ => Err(format!("'{}' is not a number", text.trim())),
    }
}

/// A stream of validated value batches, consumed by the store inside one transaction.
pub trait ValueBatches: Send {
    /// The next batch of valid values, or `None` at the end of the file.
    fn next_batch(&mut self) -> Option<Vec<ValueRecord>>;
    /// Whether what was read may be committed (no errors, or only valid rows wanted).
    fn writable(&self) -> bool;
}

/// Rows per batch handed to the store.
pub const BATCH: usize = 1000;

/// Value rows streamed from a file (CSV is parsed as it is read, XLSX is read whole), in
/// batches of valid values; what was read and found is tallied in `checked`, where a
/// wide row counts as valid when all its cells are.
pub struct ValueImport {
    reader: ValueReader,
    refs: ValueRefs,
    rows: crate::table::RowStream<'static>,
    /// Rows read so far, valid rows and problems.
    pub checked: crate::Checked,
}

impl ValueImport {
    /// Starts reading `bytes` (CSV or XLSX); the problems of a file whose header cannot
    /// be used (or that cannot be read at all).
    pub fn open(bytes: Vec<u8>, refs: ValueRefs) -> Result<Self, Vec<RowError>> {
        let (headers, rows) = crate::table::stream_rows(bytes).map_err(|e| {
            vec![RowError {
                row: 1,
                column: "file".into(),
                reason: e.0,
            }]
        })?;
        let reader = ValueReader::new(&headers)?;
        Ok(Self {
            reader,
            refs,
            rows,
            checked: crate::Checked::default(),
        })
    }
}

impl Iterator for ValueImport {
    type Item = Vec<ValueRecord>;

    /// The valid values of the next [`BATCH`] rows; `None` at the end of the file (or
    /// where the file cannot be read further).
    fn next(&mut self) -> Option<Vec<ValueRecord>> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let Some(next) = self.rows.next() else {
                if batch.is_empty() {
                    return None;
                }
                break;
            };
            match next {
                Ok((row, cells)) => {
                    self.checked.rows += 1;
                    let mut row_errors = Vec::new();
                    self.reader
                        .read_row(row, &cells, &self.refs, &mut batch, &mut row_errors);
                    if row_errors.is_empty() {
                        self.checked.valid += 1;
                    }
                    self.checked.add_errors(row_errors);
                }
                Err(e) => {
                    self.checked.add_errors([e]);
                    return None;
                }
            }
        }
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_table;

    fn refs() -> ValueRefs {
        let mut r = ValueRefs::default();
        r.kpis.insert("OUTPUT".into(), 1);
        r.kpis.insert("DEFECT".into(), 2);
        r.employees.insert("E1".into(), 10);
        r.departments.insert("prod1".into(), 5);
        r
    }

    fn read(text: &str) -> (Vec<ValueRecord>, Vec<RowError>) {
        let t = read_table(text.as_bytes()).unwrap();
        let mut reader = ValueReader::new(&t.headers).unwrap();
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        for (row, cells) in &t.rows {
            reader.read_row(*row, cells, &refs(), &mut out, &mut errors);
        }
        (out, errors)
    }

    #[test]
    fn definitions_are_validated() {
        let t = read_table("指标编码,指标名称,单位,方向,汇总\nOUTPUT,产量,件,越高越好,求和\nDEFECT,不良率,%,lower,rate\nOUTPUT,重复,,up,sum\nX,,,sideways,median\n".as_bytes()).unwrap();
        let (ok, errors) = plan_definitions(&t.headers, &t.rows, &HashMap::new());
        assert_eq!(ok.len(), 2);
        assert!(
            errors
                .iter()
                .any(|e| e.row == 4 && e.reason.contains("row 2"))
        );
        assert_eq!(
            errors.iter().filter(|e| e.row == 5).count(),
            3,
            "{errors:?}"
        );
    }

    #[test]
    fn long_format_values() {
        let (out, errors) = read(
            "工号,部门编码,指标编码,期间,数值,来源\nE1,,OUTPUT,2025-06,1200,业务系统\n,PROD1,DEFECT,2025/6,1.5%,hr\nE1,,OUTPUT,2025年6月,1300,business\nE9,,NOPE,2025-13,abc,rumour\n",
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].subject, Subject::Department(5));
        assert!((out[1].value - 1.5).abs() < 1e-9);
        assert!(
            errors
                .iter()
                .any(|e| e.row == 4 && e.reason.contains("already appear on row 2"))
        );
        assert_eq!(
            errors.iter().filter(|e| e.row == 5).count(),
            5,
            "{errors:?}"
        );
    }

    #[test]
    fn wide_format_values() {
        let (out, errors) =
            read("工号,指标编码,2025-01,2025-02,2025-03\nE1,OUTPUT,100,,120\nE1,DEFECT,1.2,x,\n");
        assert_eq!(out.len(), 2, "empty months are skipped");
        assert_eq!(out[1].period.to_string(), "2025-03");
        assert!(errors.iter().any(|e| e.row == 3 && e.column == "2025-02"));
    }

    #[test]
    fn keys_are_exact() {
        let a = ValueRecord {
            kpi_id: 3,
            subject: Subject::Employee(100_000),
            period: Period::parse("2025-06").unwrap(),
            value: 1.0,
            source: KpiSource::Hr,
            entered_at: None,
        };
        let mut b = a;
        b.subject = Subject::Department(100_000);
        let mut c = a;
        c.source = KpiSource::Business;
        let mut d = a;
        d.period = Period::parse("2025-07").unwrap();
        let keys: HashSet<u64> = [a, b, c, d].iter().map(|r| r.key()).collect();
        assert_eq!(keys.len(), 4);
    }
}
