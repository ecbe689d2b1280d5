//! Employee imports: map columns, validate every row, resolve references.

use crate::RowError;
use crate::table::Table;
use crate::values::{parse_date, parse_status};
use domain::org::EmployeeStatus;
use std::collections::{BTreeMap, HashMap, HashSet};
use time::Date;

/// A field an employee import fills, with the headers recognised for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    EmployeeNo,
    Name,
    Department,
    Position,
    Manager,
    HireDate,
    Status,
    City,
    Phone,
    Email,
    Grade,
    JobFamily,
    Duties,
    Projects,
}

impl Field {
    /// Every field, in report order.
    pub const ALL: [Field; 14] = [
        Field::EmployeeNo,
        Field::Name,
        Field::Department,
        Field::Position,
        Field::Manager,
        Field::HireDate,
        Field::Status,
        Field::City,
        Field::Phone,
        Field::Email,
        Field::Grade,
        Field::JobFamily,
        Field::Duties,
        Field::Projects,
    ];

    /// The field's code (used in saved mappings and `--map field=Header`).
    pub fn code(self) -> &'static str {
        match self {
            Field::EmployeeNo => "employee_no",
            Field::Name => "name",
            Field::Department => "department",
            Field::Position => "position",
            Field::Manager => "manager",
            Field::HireDate => "hire_date",
            Field::Status => "status",
            Field::City => "city",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Grade => "grade",
            Field::JobFamily => "job_family",
            Field::Duties => "duties",
            Field::Projects => "projects",
        }
    }

    /// Parses a field code.
    pub fn parse(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code.trim())
    }

    /// Headers that map to this field without configuration (compared case-insensitively).
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::EmployeeNo => &[
                "工号",
                "员工编号",
                "员工号",
                "人员编号",
                "employee number",
                "employee_no",
                "employee no",
                "employee no.",
            ],
            Field::Name => &["姓名", "员工姓名", "name", "full name"],
            Field::Department => &[
                "部门",
                "所属部门",
                "部门编码",
                "部门名称",
                "department",
                "department_code",
            ],
            Field::Position => &["岗位", "职位", "岗位名称", "position", "job title"],
            Field::Manager => &[
                "直属上级",
                "直属上级工号",
                "上级工号",
                "汇报对象",
                "manager",
                "manager_no",
                "manager number",
            ],
            Field::HireDate => &[
                "入职日期",
                "入职时间",
                "hire date",
                "hire_date",
                "start date",
            ],
            Field::Status => &["状态", "在职状态", "员工状态", "status"],
            Field::City => &["城市", "工作地点", "工作城市", "city", "location"],
            Field::Phone => &["电话", "手机", "手机号", "联系电话", "phone", "mobile"],
            Field::Email => &["邮箱", "电子邮件", "邮件", "email", "e-mail"],
            Field::Grade => &["职级", "级别", "grade", "job level"],
            Field::JobFamily => &["职族", "序列", "岗位序列", "job family"],
            Field::Duties => &["职责", "岗位职责", "职责标签", "duties"],
            Field::Projects => &["项目", "参与项目", "项目标签", "projects"],
        }
    }

    fn required(self) -> bool {
        // Without a name column (some exports carry none) the employee number stands in.
        matches!(self, Field::EmployeeNo | Field::Department)
    }
}

/// What a mapped column fills: an employee field, or the value of a KPI for the
/// import's period (written `kpi:CODE=Header`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Field(Field),
    Kpi(String),
}

/// Which file column fills which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: BTreeMap<Field, String>,
    /// KPI code → header of the column holding its value.
    pub kpis: BTreeMap<String, String>,
}

impl Mapping {
    /// Lines `field=Header`, for saving.
    pub fn to_lines(&self) -> String {
        let fields = self
            .columns
            .iter()
            .map(|(f, h)| format!("{}={h}\n", f.code()));
        let kpis = self
            .kpis
            .iter()
            .map(|(code, h)| format!("kpi:{code}={h}\n"));
        fields.chain(kpis).collect()
    }

    /// Parses `field=Header` pairs (one per line or item).
    pub fn parse_pairs<'a>(
        pairs: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<(Target, String)>, String> {
        let mut out = Vec::new();
        for pair in pairs.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
            let (field, header) = pair
                .split_once('=')
                .ok_or_else(|| format!("'{pair}' is not field=Header"))?;
            let target = match field.trim().strip_prefix("kpi:") {
                Some(code) if !code.trim().is_empty() => Target::Kpi(code.trim().to_string()),
                _ => Target::Field(Field::parse(field).ok_or_else(|| {
                    format!(
                        "'{}' is not a field; fields are {} (or kpi:CODE for a KPI value)",
                        field.trim(),
                        Field::ALL.map(Field::code).join(", ")
                    )
                })?),
            };
            out.push((target, header.trim().to_string()));
        }
        Ok(out)
    }
}

/// Matches headers to fields: explicit pairs first, then the known Chinese and English
/// headers. Fails naming every required field without a column, and every explicit
/// header the file lacks.
pub fn map_columns(
    headers: &[String],
    explicit: &[(Target, String)],
) -> Result<Mapping, Vec<RowError>> {
    let mut mapping = Mapping::default();
    let mut errors = Vec::new();
    for (target, header) in explicit {
        if headers.iter().any(|h| h.eq_ignore_ascii_case(header)) {
            match target {
                Target::Field(f) => mapping.columns.insert(*f, header.clone()),
                Target::Kpi(code) => mapping.kpis.insert(code.clone(), header.clone()),
            };
        } else {
            let what = match target {
                Target::Field(f) => f.code().to_string(),
                Target::Kpi(code) => format!("KPI {code}"),
            };
            errors.push(RowError {
                row: 1,
                column: header.clone(),
                reason: format!(
                    "the mapping names this column for {what}, but the file has no such header"
                ),
            });
        }
    }
    for field in Field::ALL {
        if mapping.columns.contains_key(&field) {
            continue;
        }
        let taken: HashSet<String> = mapping.columns.values().map(|h| h.to_lowercase()).collect();
        if let Some(h) = headers.iter().find(|h| {
            let l = h.to_lowercase();
            !taken.contains(&l) && field.synonyms().contains(&l.as_str())
        }) {
            mapping.columns.insert(field, h.clone());
        } else if field.required() {
            errors.push(RowError {
                row: 1,
                column: field.code().into(),
                reason: format!(
                    "no column for the required field {} (headers such as {})",
                    field.code(),
                    field.synonyms()[..2].join(" / ")
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(mapping)
    } else {
        Err(errors)
    }
}

/// What the database already holds, to check references against.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Department id by code and by name (lower case).
    pub departments: HashMap<String, i64>,
    /// Position id by code and by name (lower case).
    pub positions: HashMap<String, i64>,
    /// KPI id by code.
    pub kpis: HashMap<String, i64>,
    /// Existing employees: employee number → their manager's employee number.
    pub employees: HashMap<String, Option<String>>,
}

/// Choices of the person importing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Create departments and positions the database does not have (otherwise an error).
    pub create_missing: bool,
    /// Import the valid rows and skip the bad ones (otherwise nothing is written if any row is bad).
    pub valid_only: bool,
    /// The month that KPI columns report on.
    pub period: Option<domain::performance::Period>,
}

/// A department or position: existing by id, or to be created with this name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    Existing(i64),
    New(String),
}

/// One valid employee row.
#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeRecord {
    pub row: usize,
    pub employee_no: String,
    pub name: String,
    pub department: Ref,
    pub position: Option<Ref>,
    pub grade: Option<String>,
    pub job_family: Option<String>,
    pub manager_no: Option<String>,
    pub hire_date: Option<Date>,
    pub status: EmployeeStatus,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// (KPI id, value) for the import's period.
    pub kpi_values: Vec<(i64, f64)>,
    /// Person tags; `None` when the file has no such column (tags are then left as they are).
    pub duties: Option<Vec<String>>,
    pub projects: Option<Vec<String>>,
}

/// The validated import: rows to write and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub records: Vec<EmployeeRecord>,
    pub errors: Vec<RowError>,
    /// Data rows in the file.
    pub total_rows: usize,
    pub mapping: Mapping,
    pub options: Options,
    /// Remarks that are not errors (e.g. names taken from employee numbers).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether the plan may be written: no errors, or the user chose to skip bad rows.
    pub fn writable(&self) -> bool {
        self.errors.is_empty() || self.options.valid_only
    }

    /// Distinct rows with at least one error.
    pub fn rejected_rows(&self) -> usize {
        self.errors
            .iter()
            .filter(|e| e.row > 1)
            .map(|e| e.row)
            .collect::<HashSet<_>>()
            .len()
    }
}

const MAX_TEXT: usize = 200;

/// Tags in one cell, separated by `;`, `；`, `,`, `，`, `、` or `|`.
fn split_tags(cell: Option<&str>) -> Vec<String> {
    let mut tags: Vec<String> = cell
        .unwrap_or("")
        .split([';', '；', ',', '，', '、', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Validates every row of `table` and resolves its references.
pub fn plan(table: &Table, mapping: Mapping, known: &Known, options: Options) -> Plan {
    let index: HashMap<Field, (usize, &str)> = mapping
        .columns
        .iter()
        .filter_map(|(f, h)| {
            table
                .headers
                .iter()
                .position(|x| x.eq_ignore_ascii_case(h))
                .map(|i| (*f, (i, table.headers[i].as_str())))
        })
        .collect();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    if !mapping.columns.contains_key(&Field::Name) {
        notes.push("the file has no name column; names are set to the employee number".to_string());
    }
    let mut kpi_columns: Vec<(i64, usize)> = Vec::new();
    for (code, header) in &mapping.kpis {
        let col = table
            .headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(header));
        match (known.kpis.get(code), col) {
            (Some(id), Some(col)) => kpi_columns.push((*id, col)),
            (None, _) => errors.push(RowError {
                row: 1,
                column: header.clone(),
                reason: format!("KPI {code} is not defined; import the KPI definitions first"),
            }),
            (_, None) => {}
        }
    }
    if !mapping.kpis.is_empty() && options.period.is_none() {
        errors.push(RowError {
            row: 1,
            column: "period".into(),
            reason: "KPI columns need the period they report on (e.g. --period 2025-12)".into(),
        });
    }
    let mut records: Vec<EmployeeRecord> = Vec::new();
    // Rows of each employee number, to reject every row of a number used twice.
    let no_col = index.get(&Field::EmployeeNo).map(|(i, _)| *i);
    let mut rows_of: HashMap<&str, Vec<usize>> = HashMap::new();
    if let Some(col) = no_col {
        for (row, cells) in &table.rows {
            let no = cells[col].trim();
            if !no.is_empty() {
                rows_of.entry(no).or_default().push(*row);
            }
        }
    }
    let first_row_of: HashMap<String, usize> = rows_of
        .iter()
        .map(|(no, rows)| (no.to_string(), rows[0]))
        .collect();
    for (row, cells) in &table.rows {
        let row = *row;
        let mut row_errors = Vec::new();
        let get = |f: Field| {
            index
                .get(&f)
                .map(|(i, _)| cells[*i].trim())
                .filter(|v| !v.is_empty())
        };
        let col = |f: Field| {
            index
                .get(&f)
                .map(|(_, h)| h.to_string())
                .unwrap_or_else(|| f.code().to_string())
        };
        let mut err = |f: Field, reason: String| {
            row_errors.push(RowError {
                row,
                column: col(f),
                reason,
            })
        };
        for field in Field::ALL {
            if let Some(v) = get(field)
                && v.chars().count() > MAX_TEXT
            {
                err(field, format!("longer than {MAX_TEXT} characters"));
            }
        }
        let employee_no = get(Field::EmployeeNo).map(str::to_string);
        if employee_no.is_none() {
            err(Field::EmployeeNo, "missing".into());
        }
        let name = match (index.contains_key(&Field::Name), get(Field::Name)) {
            (_, Some(n)) => Some(n.to_string()),
            (false, None) => employee_no.clone(),
            (true, None) => {
                err(Field::Name, "missing".into());
                None
            }
        };
        let mut kpi_values = Vec::new();
        let mut kpi_errors = Vec::new();
        for (kpi_id, col) in &kpi_columns {
            let text = cells[*col].trim();
            if text.is_empty() {
                continue;
            }
            match crate::kpis::parse_number(text) {
                Ok(v) => kpi_values.push((*kpi_id, v)),
                Err(e) => kpi_errors.push(RowError {
                    row,
                    column: table.headers[*col].clone(),
                    reason: e,
                }),
            }
        }
        if let Some(no) = &employee_no
            && let Some(rows) = rows_of.get(no.as_str()).filter(|r| r.len() > 1)
        {
            // Two rows, one number: which person it belongs to cannot be told, so neither is taken.
            let list = rows
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            err(
                Field::EmployeeNo,
                format!(
                    "employee number {no} appears on rows {list}; a number must identify one person"
                ),
            );
        }
        let resolve =
            |map: &HashMap<String, i64>, value: &str| map.get(&value.to_lowercase()).copied();
        let department = match get(Field::Department) {
            None => {
                err(Field::Department, "missing".into());
                None
            }
            Some(d) => match resolve(&known.departments, d) {
                Some(id) => Some(Ref::Existing(id)),
                None if options.create_missing => Some(Ref::New(d.to_string())),
                None => {
                    err(
                        Field::Department,
                        format!(
                            "department '{d}' does not exist; create it first or choose to create missing departments"
                        ),
                    );
                    None
                }
            },
        };
        let position = match get(Field::Position) {
            None => None,
            Some(p) => match resolve(&known.positions, p) {
                Some(id) => Some(Ref::Existing(id)),
                None if options.create_missing => Some(Ref::New(p.to_string())),
                None => {
                    err(
                        Field::Position,
                        format!(
                            "position '{p}' does not exist; create it first or choose to create missing positions"
                        ),
                    );
                    None
                }
            },
        };
        let hire_date = match get(Field::HireDate).map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                err(Field::HireDate, e);
                None
            }
            None => None,
        };
        let status = match parse_status(get(Field::Status).unwrap_or("")) {
            Ok(s) => s,
            Err(e) => {
                err(Field::Status, e);
                EmployeeStatus::Active
            }
        };
        if let Some(email) = get(Field::Email)
            && !(email.contains('@') && email.rsplit('@').next().is_some_and(|d| d.contains('.')))
        {
            err(Field::Email, format!("'{email}' is not an e-mail address"));
        }
        if let Some(phone) = get(Field::Phone)
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
        {
            err(Field::Phone, format!("'{phone}' is not a phone number"));
        }
        let manager_no = get(Field::Manager).map(str::to_string);
        if manager_no.is_some() && manager_no == employee_no {
            err(
                Field::Manager,
                "an employee cannot be their own manager".into(),
            );
        }
        row_errors.extend(kpi_errors);
        if let (true, Some(department)) = (row_errors.is_empty(), department) {
            records.push(EmployeeRecord {
                row,
                employee_no: employee_no.unwrap_or_default(),
                name: name.unwrap_or_default(),
                department,
                position,
                grade: get(Field::Grade).map(str::to_string),
                job_family: get(Field::JobFamily).map(str::to_string),
                duties: index
                    .contains_key(&Field::Duties)
                    .then(|| split_tags(get(Field::Duties))),
                projects: index
                    .contains_key(&Field::Projects)
                    .then(|| split_tags(get(Field::Projects))),
                manager_no,
                hire_date,
                status,
                city: get(Field::City).map(str::to_string),
                phone: get(Field::Phone).map(str::to_string),
                email: get(Field::Email).map(str::to_string),
                kpi_values,
            });
        }
        errors.extend(row_errors);
    }
    let manager_col = index
        .get(&Field::Manager)
        .map(|(_, h)| h.to_string())
        .unwrap_or_else(|| "manager".into());
    check_managers(
        &mut records,
        &mut errors,
        known,
        &manager_col,
        &first_row_of,
    );
    errors.sort_by_key(|e| e.row);
    Plan {
        records,
        errors,
        total_rows: table.rows.len(),
        mapping,
        options,
        notes,
    }
}

/// Managers must exist (in the database or on a valid row) and must not form a cycle.
/// Rows that fail are removed, which may in turn orphan rows that point at them, so
/// the check repeats until nothing changes.
fn check_managers(
    records: &mut Vec<EmployeeRecord>,
    errors: &mut Vec<RowError>,
    known: &Known,
    column: &str,
    row_of: &HashMap<String, usize>,
) {
    loop {
        let in_file: HashMap<&str, usize> = records
            .iter()
            .map(|r| (r.employee_no.as_str(), r.row))
            .collect();
        let mut bad: Vec<(usize, String)> = Vec::new();
        for r in records.iter() {
            let Some(m) = &r.manager_no else { continue };
            if !in_file.contains_key(m.as_str()) && !known.employees.contains_key(m) {
                let reason = match row_of.get(m) {
                    Some(row) => format!("manager {m} is on row {row}, which has errors"),
                    None => format!("manager {m} does not exist"),
                };
                bad.push((r.row, reason));
            }
        }
        // The manager of each person after the import: the file overrides the database.
        let mut manager_of: HashMap<&str, Option<&str>> = known
            .employees
            .iter()
            .map(|(no, m)| (no.as_str(), m.as_deref()))
            .collect();
        for r in records.iter() {
            manager_of.insert(r.employee_no.as_str(), r.manager_no.as_deref());
        }
        // Every chain is walked once overall: nodes already known to end at the top of the
        // organisation, or to lead into a cycle, stop the walk (deep hierarchies stay linear).
        let in_file: HashMap<&str, usize> = records
            .iter()
            .map(|r| (r.employee_no.as_str(), r.row))
            .collect();
        let mut settled: HashMap<&str, bool> = HashMap::new(); // employee → is part of a cycle
        for r in records.iter() {
            let mut path: Vec<&str> = Vec::new();
            let mut on_path: HashMap<&str, usize> = HashMap::new();
            let mut current = Some(r.employee_no.as_str());
            let cycle_start = loop {
                let Some(node) = current else { break None };
                if settled.contains_key(node) {
                    break None;
                }
                if let Some(&at) = on_path.get(node) {
                    break Some(at);
                }
                on_path.insert(node, path.len());
                path.push(node);
                current = manager_of.get(node).copied().flatten();
            };
            if let Some(at) = cycle_start {
                let cycle = &path[at..];
                for (i, member) in cycle.iter().enumerate() {
                    settled.insert(member, true);
                    if let Some(row) = in_file.get(member) {
                        // The loop as seen from this member: it, its managers, back to it.
                        let mut shown: Vec<&str> = cycle[i..]
                            .iter()
                            .chain(cycle[..i].iter())
                            .copied()
                            .collect();
                        shown.push(member);
                        bad.push((
                            *row,
                            format!(
                                "the manager chain returns to this employee ({})",
                                shown.join(" → ")
                            ),
                        ));
                    }
                }
                for node in &path[..at] {
                    settled.insert(node, false);
                }
            } else {
                for node in path {
                    settled.insert(node, false);
                }
            }
        }
        if bad.is_empty() {
            return;
        }
        let rows: HashSet<usize> = bad.iter().map(|(row, _)| *row).collect();
        errors.extend(bad.into_iter().map(|(row, reason)| RowError {
            row,
            column: column.to_string(),
            reason,
        }));
        records.retain(|r| !rows.contains(&r.row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_table;

    fn known() -> Known {
        let mut k = Known::default();
        k.departments.insert("prod1".into(), 10);
        k.departments.insert("生产一部".into(), 10);
        k.positions.insert("操作工".into(), 3);
        k.employees.insert("E0".into(), None);
        k
    }

    fn plan_text(text: &str, options: Options) -> Plan {
        let table = read_table(text.as_bytes()).unwrap();
        let mapping = map_columns(&table.headers, &[]).unwrap();
        plan(&table, mapping, &known(), options)
    }

    #[test]
    fn maps_chinese_and_english_headers_and_explicit_pairs() {
        let headers: Vec<String> = ["工号", "Name", "部门", "JobRole"]
            .map(String::from)
            .to_vec();
        let explicit = Mapping::parse_pairs(["position=JobRole"]).unwrap();
        let m = map_columns(&headers, &explicit).unwrap();
        assert_eq!(m.columns[&Field::EmployeeNo], "工号");
        assert_eq!(m.columns[&Field::Name], "Name");
        assert_eq!(m.columns[&Field::Position], "JobRole");
        let missing = map_columns(&["工号".to_string()], &[]).unwrap_err();
        assert_eq!(missing.len(), 1, "department is required: {missing:?}");
        assert!(Mapping::parse_pairs(["salary=Pay"]).is_err());
    }

    #[test]
    fn every_bad_row_is_reported_with_row_column_and_reason() {
        let text = "工号,姓名,部门,岗位,直属上级,入职日期,状态,邮箱\n\
                    E1,张三,生产一部,操作工,E0,2024/3/1,在职,z@x.cn\n\
                    E2,,生产一部,,,2024-02-30,,\n\
                    E1,李四,NOWHERE,,,,,\n\
                    E3,王五,PROD1,,E9,,fired,nope\n";
        let p = plan_text(text, Options::default());
        assert_eq!(p.records.len(), 0);
        assert!(!p.writable());
        let has = |row: usize, col: &str, needle: &str| {
            p.errors
                .iter()
                .any(|e| e.row == row && e.column == col && e.reason.contains(needle))
        };
        assert!(has(3, "姓名", "missing"));
        assert!(has(3, "入职日期", "not a date"));
        assert!(
            has(2, "工号", "appears on rows 2, 4"),
            "every row of a repeated number is rejected"
        );
        assert!(has(4, "工号", "appears on rows 2, 4"));
        assert!(has(4, "部门", "does not exist"));
        assert!(has(5, "状态", "not a status"));
        assert!(has(5, "邮箱", "not an e-mail"));
        assert_eq!(p.rejected_rows(), 4);
        let valid_only = plan_text(
            text,
            Options {
                valid_only: true,
                ..Default::default()
            },
        );
        assert!(valid_only.writable());
    }

    #[test]
    fn managers_must_exist_and_not_cycle() {
        let text = "工号,姓名,部门,直属上级\nA,a,PROD1,B\nB,b,PROD1,C\nC,c,PROD1,A\nD,d,PROD1,X\nF,f,PROD1,D\nG,g,PROD1,E0\n";
        let p = plan_text(text, Options::default());
        let rows: Vec<usize> = p.records.iter().map(|r| r.row).collect();
        assert_eq!(
            rows,
            vec![7],
            "only G (reporting to an existing employee) is valid"
        );
        assert!(
            p.errors
                .iter()
                .any(|e| e.row == 2 && e.reason.contains("A → B → C → A"))
        );
        assert!(
            p.errors
                .iter()
                .any(|e| e.row == 5 && e.reason.contains("X does not exist"))
        );
        assert!(
            p.errors
                .iter()
                .any(|e| e.row == 6 && e.reason.contains("row 5, which has errors")),
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn missing_departments_are_created_only_on_request() {
        let text = "工号,姓名,部门,岗位\nE1,张三,新部门,新岗位\n";
        assert_eq!(plan_text(text, Options::default()).errors.len(), 2);
        let p = plan_text(
            text,
            Options {
                create_missing: true,
                ..Default::default()
            },
        );
        assert!(p.errors.is_empty());
        assert_eq!(p.records[0].department, Ref::New("新部门".into()));
        assert_eq!(p.records[0].position, Some(Ref::New("新岗位".into())));
    }
}
