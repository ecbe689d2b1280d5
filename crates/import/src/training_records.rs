//! Training records from an old system (项目编码, 项目名称, 工号, 开始日期, 完成日期, 状态,
//! 学时, 成绩, 人均费用), validated whole so the store can write all of them or none.

use crate::RowError;
use crate::competency::{lookup, required_columns};
use crate::kpis::{column, message, parse_number};
use crate::values::parse_date;
use domain::training_records::{
    ExistingProgram, HistoricalProgram, RecordStatus, TrainingRecord, check_completion, check_cost,
    check_hours, check_score, check_start,
};
use std::collections::HashMap;
use time::Date;

const PROGRAM_CODE: &[&str] = &["项目编码", "program_code", "program code", "项目代码"];
const PROGRAM_TITLE: &[&str] = &[
    "项目名称",
    "program_title",
    "program title",
    "program_name",
    "program name",
];
const EMPLOYEE_NO: &[&str] = &["工号", "employee_number", "employee_no", "employee number"];
const START_DATE: &[&str] = &["开始日期", "start_date", "start date", "started_on"];
const COMPLETION_DATE: &[&str] = &[
    "完成日期",
    "completion_date",
    "completion date",
    "completed_on",
];
const STATUS: &[&str] = &["状态", "status"];
const HOURS: &[&str] = &["学时", "hours"];
const SCORE: &[&str] = &["成绩", "score"];
const COST_PER_HEAD: &[&str] = &["人均费用", "cost_per_head", "cost per head"];

/// What records are resolved against.
#[derive(Debug, Clone)]
pub struct TrainingRecordRefs {
    /// Employee number → employee id.
    pub employees: HashMap<String, i64>,
    /// Program code → the stored program.
    pub programs: HashMap<String, ExistingProgram>,
    /// Today in the company's time zone; records may not start or end later.
    pub today: Date,
}

/// A validated file: its programs (in order of first appearance) and its records.
#[derive(Debug, Clone, Default)]
pub struct TrainingRecordPlan {
    /// Data rows read.
    pub rows: usize,
    pub programs: Vec<HistoricalProgram>,
    pub records: Vec<TrainingRecord>,
    /// The header of the employee column, for problems found later against the store.
    pub employee_column: String,
}

impl TrainingRecordPlan {
    /// Rows whose person already holds an enrollment made in Skillbridge itself
    /// (`live`: (program id, employee id) → its status): history never overwrites those.
    pub fn live_conflicts(&self, live: &HashMap<(i64, i64), String>) -> Vec<RowError> {
        if live.is_empty() {
            return Vec::new();
        }
        let ids: HashMap<&str, i64> = self
            .programs
            .iter()
            .filter_map(|p| p.existing.as_ref().map(|e| (p.code.as_str(), e.id)))
            .collect();
        self.records
            .iter()
            .filter_map(|r| {
                let program = *ids.get(r.program_code.as_str())?;
                let status = live.get(&(program, r.employee_id))?;
                Some(RowError {
                    row: r.row,
                    column: self.employee_column.clone(),
                    reason: format!(
                        "this person already has an enrollment in program {} made in Skillbridge (status {status}); a history import does not overwrite it",
                        r.program_code
                    ),
                })
            })
            .collect()
    }
}

/// Per program code while reading: the title and row that first named it, and the index
/// of its entry in the plan's programs.
struct Seen {
    title: String,
    first_row: usize,
    index: usize,
}

/// Validates the rows of a training-records file: the plan, and every problem of every row.
pub fn plan_training_records<I>(
    headers: &[String],
    rows: I,
    refs: &TrainingRecordRefs,
) -> (TrainingRecordPlan, Vec<RowError>)
where
    I: IntoIterator<Item = Result<(usize, Vec<String>), RowError>>,
{
    let mut plan = TrainingRecordPlan::default();
    let [
        code_col,
        title_col,
        employee_col,
        start_col,
        status_col,
        hours_col,
    ] = match required_columns(
        headers,
        [
            ("program_code", PROGRAM_CODE),
            ("program_title", PROGRAM_TITLE),
            ("employee_number", EMPLOYEE_NO),
            ("start_date", START_DATE),
            ("status", STATUS),
            ("hours", HOURS),
        ],
    ) {
        Ok(c) => c,
        Err(errors) => return (plan, errors),
    };
    plan.employee_column = headers[employee_col].clone();
    let completion_col = column(headers, COMPLETION_DATE);
    let score_col = column(headers, SCORE);
    let cost_col = column(headers, COST_PER_HEAD);
    let today = refs.today;
    let mut errors = Vec::new();
    let mut programs: HashMap<String, Seen> = HashMap::new();
    // (program code index, employee) → the first row that had it.
    let mut pairs: HashMap<(usize, i64), usize> = HashMap::new();
    for item in rows {
        let (row, cells) = match item {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                // The CSV reader cannot go on after a broken record.
                break;
            }
        };
        plan.rows += 1;
        let cell = |i: usize| cells.get(i).map(|c| c.trim()).unwrap_or("");
        let before = errors.len();
        let mut err = |col: usize, reason: String| {
            errors.push(RowError {
                row,
                column: headers[col].clone(),
                reason,
            })
        };
        let code = cell(code_col);
        let title = cell(title_col);
        if title.is_empty() {
            err(title_col, "missing".into());
        }
        let program = if code.is_empty() {
            err(code_col, "missing".into());
            None
        } else if let Some(seen) = programs.get(code) {
            if !title.is_empty() && title != seen.title {
                err(
                    title_col,
                    format!(
                        "program {code} is titled '{}' on row {}, but '{title}' here; a code has one title",
                        seen.title, seen.first_row
                    ),
                );
            }
            Some(seen.index)
        } else if title.is_empty() {
            None
        } else {
            let existing = refs.programs.get(code).cloned();
            if let Some(e) = existing.as_ref().filter(|e| e.title != title) {
                err(
                    title_col,
                    format!(
                        "program {code} already exists titled '{}'; use that title or another code",
                        e.title
                    ),
                );
            }
            let index = plan.programs.len();
            plan.programs.push(HistoricalProgram {
                code: code.to_string(),
                title: title.to_string(),
                hours: 0.0,
                existing,
            });
            programs.insert(
                code.to_string(),
                Seen {
                    title: title.to_string(),
                    first_row: row,
                    index,
                },
            );
            Some(index)
        };
        let employee_no = cell(employee_col);
        let employee_id = lookup(&refs.employees, employee_no, "employee")
            .map_err(|e| err(employee_col, e))
            .ok();
        let status = RecordStatus::parse(cell(status_col))
            .map_err(|e| err(status_col, message(e)))
            .ok();
        let started_on = match cell(start_col) {
            "" => {
                err(start_col, "missing".into());
                None
            }
            text => parse_date(text)
                .and_then(|d| check_start(d, today).map(|()| d))
                .map_err(|e| err(start_col, e))
                .ok(),
        };
        let completion = completion_col
            .map(|col| (col, cell(col)))
            .filter(|(_, text)| !text.is_empty());
        let completed_on = match completion {
            None => Some(None),
            Some((col, text)) => parse_date(text).map_err(|e| err(col, e)).ok().map(Some),
        };
        // Without the column the problem is named by the field (pushed once `err` is done).
        let mut no_completion_column = None;
        if let (Some(status), Some(completed_on)) = (status, completed_on)
            && let Err(e) = check_completion(status, started_on, completed_on, today)
        {
            match completion_col {
                Some(col) => err(col, e),
                None => {
                    no_completion_column = Some(RowError {
                        row,
                        column: "completion_date".into(),
                        reason: format!("{e} (the file has no 完成日期/completion_date column)"),
                    })
                }
            }
        }
        let hours = parse_number(cell(hours_col))
            .and_then(check_hours)
            .map_err(|e| err(hours_col, e))
            .ok();
        let optional = |col: Option<usize>, check: fn(f64) -> Result<f64, String>| match col
            .map(|col| (col, cell(col)))
            .filter(|(_, v)| !v.is_empty())
        {
            None => Ok(None),
            Some((col, text)) => parse_number(text)
                .and_then(check)
                .map(Some)
                .map_err(|e| (col, e)),
        };
        let score = optional(score_col, check_score)
            .map_err(|(col, e)| err(col, e))
            .ok();
        let cost = optional(cost_col, check_cost)
            .map_err(|(col, e)| err(col, e))
            .ok();
        // A repeat is a repeat even when another cell of the row is bad.
        if let (Some(p), Some(e)) = (program, employee_id) {
            if let Some(first) = pairs.get(&(p, e)) {
                err(
                    employee_col,
                    format!(
                        "employee {employee_no} already appears for program {code} on row {first}"
                    ),
                );
            } else {
                pairs.insert((p, e), row);
            }
        }
        errors.extend(no_completion_column);
        if errors.len() != before {
            continue;
        }
        if let (
            Some(p),
            Some(employee_id),
            Some(status),
            Some(started_on),
            Some(completed_on),
            Some(hours),
            Some(score),
            Some(cost_per_head),
        ) = (
            program,
            employee_id,
            status,
            started_on,
            completed_on,
            hours,
            score,
            cost,
        ) {
            let entry = &mut plan.programs[p];
            entry.hours = entry.hours.max(hours);
            plan.records.push(TrainingRecord {
                row,
                program_code: entry.code.clone(),
                employee_id,
                status,
                started_on,
                completed_on,
                hours,
                score,
                cost_per_head,
            });
        }
    }
    (plan, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_table;
    use time::macros::date;

    fn refs() -> TrainingRecordRefs {
        TrainingRecordRefs {
            employees: [("E1".to_string(), 10), ("E2".to_string(), 11)].into(),
            programs: [(
                "P-LIVE".to_string(),
                ExistingProgram {
                    id: 7,
                    title: "安全生产".into(),
                    historical: false,
                },
            )]
            .into(),
            today: date!(2026 - 06 - 30),
        }
    }

    fn plan_bytes(bytes: &[u8]) -> (TrainingRecordPlan, Vec<RowError>) {
        let t = read_table(bytes).unwrap();
        plan_training_records(&t.headers, t.rows.into_iter().map(Ok), &refs())
    }

    fn plan(text: &str) -> (TrainingRecordPlan, Vec<RowError>) {
        plan_bytes(text.as_bytes())
    }

    fn has(errors: &[RowError], row: usize, column: &str, reason: &str) -> bool {
        errors
            .iter()
            .any(|e| e.row == row && e.column == column && e.reason.contains(reason))
    }

    #[test]
    fn chinese_headers_and_every_value_form() {
        let (p, errors) = plan(
            "项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩,人均费用\n\
             H-2019-01,班组长轮训,E1,2019-03-01,2019/3/5,已完成,16,88.5,\"1,200\"\n\
             H-2019-01,班组长轮训,E2,2019/03/01,,未完成,8,,\n\
             P-LIVE,安全生产,E1,43466,43467,completed,4,100,0\n\
             H-2019-02,质量工具,E2,2019-05-06,,已取消,0,,\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p.rows, 4);
        assert_eq!(p.records.len(), 4);
        assert_eq!(
            p.records[0],
            TrainingRecord {
                row: 2,
                program_code: "H-2019-01".into(),
                employee_id: 10,
                status: RecordStatus::Completed,
                started_on: date!(2019 - 03 - 01),
                completed_on: Some(date!(2019 - 03 - 05)),
                hours: 16.0,
                score: Some(88.5),
                cost_per_head: Some(1200.0),
            }
        );
        assert_eq!(
            (
                p.records[1].status,
                p.records[1].score,
                p.records[1].completed_on
            ),
            (RecordStatus::Incomplete, None, None)
        );
        // Excel serial days: 43466 is 2019-01-01.
        assert_eq!(p.records[2].started_on, date!(2019 - 01 - 01));
        assert_eq!(p.records[3].status, RecordStatus::Cancelled);
        let codes: Vec<(&str, f64, bool)> = p
            .programs
            .iter()
            .map(|p| (p.code.as_str(), p.hours, p.existing.is_some()))
            .collect();
        assert_eq!(
            codes,
            [
                ("H-2019-01", 16.0, false),
                ("P-LIVE", 4.0, true),
                ("H-2019-02", 0.0, false)
            ],
            "hours are the largest of each program's records"
        );
        assert_eq!(p.programs[0].title, "班组长轮训");
    }

    #[test]
    fn english_headers_in_any_case_and_optional_columns() {
        let (p, errors) = plan(
            "Program_Code,Program_Title,Employee_Number,Start_Date,Status,Hours\n\
             H1,Lean basics,E1,2020-01-06,Incomplete,3.5\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(p.records[0].hours, 3.5);
        assert_eq!(p.employee_column, "Employee_Number");
        // Without a completion column a completed record cannot be valid.
        let (_, errors) = plan(
            "program_code,program_title,employee_number,start_date,status,hours\n\
             H1,Lean basics,E1,2020-01-06,completed,3.5\n",
        );
        assert!(has(&errors, 2, "completion_date", "missing"), "{errors:?}");
    }

    #[test]
    fn xlsx_with_date_cells() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in [
            "program_code",
            "program_title",
            "employee_number",
            "start_date",
            "completion_date",
            "status",
            "hours",
            "score",
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let format = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write_string(1, 0, "H1").unwrap();
        sheet.write_string(1, 1, "Lean basics").unwrap();
        sheet.write_string(1, 2, "E2").unwrap();
        let start = ExcelDateTime::from_ymd(2021, 9, 1).unwrap();
        let done = ExcelDateTime::from_ymd(2021, 9, 3).unwrap();
        sheet
            .write_datetime_with_format(1, 3, &start, &format)
            .unwrap();
        sheet
            .write_datetime_with_format(1, 4, &done, &format)
            .unwrap();
        sheet.write_string(1, 5, "已完成").unwrap();
        sheet.write_number(1, 6, 12.0).unwrap();
        sheet.write_number(1, 7, 91.0).unwrap();
        let (p, errors) = plan_bytes(&book.save_to_buffer().unwrap());
        assert!(errors.is_empty(), "{errors:?}");
        let r = &p.records[0];
        assert_eq!(
            (r.started_on, r.completed_on, r.hours, r.score),
            (
                date!(2021 - 09 - 01),
                Some(date!(2021 - 09 - 03)),
                12.0,
                Some(91.0)
            )
        );
    }

    #[test]
    fn every_bad_cell_is_reported() {
        let (p, errors) = plan(
            "项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩,人均费用\n\
             H1,班组长轮训,E1,2019-03-01,2019-03-05,已完成,16,88,100\n\
             H1,班组长轮训,E9,2019-03-01,2019-03-05,已完成,16,88,100\n\
             H1,班组长轮训,E2,2019-03-10,2019-03-05,已完成,16,120,-5\n\
             H1,班组长培训,E1,2019-03-01,,未完成,-1,,\n\
             ,,E2,2019-02-30,,maybe,x,abc,\n\
             H2,质量工具,E2,2027-01-01,2027-01-02,已完成,4,,\n\
             H3,精益,E2,2020-01-01,,已完成,4,,\n\
             H3,精益,E1,2020-01-01,2020-01-02,已取消,4,,\n\
             P-LIVE,安全生产（旧）,E2,2020-01-01,,未完成,4,,\n",
        );
        assert!(p.records.len() == 1, "{:?}", p.records);
        assert!(
            has(&errors, 3, "工号", "employee E9 does not exist"),
            "{errors:?}"
        );
        assert!(has(
            &errors,
            4,
            "完成日期",
            "before the start date 2019-03-10"
        ));
        assert!(has(&errors, 4, "成绩", "between 0 and 100"));
        assert!(has(&errors, 4, "人均费用", "-5"));
        assert!(has(&errors, 5, "项目名称", "titled '班组长轮训' on row 2"));
        assert!(has(
            &errors,
            5,
            "工号",
            "already appears for program H1 on row 2"
        ));
        assert!(has(&errors, 5, "学时", "below 0"));
        assert!(has(&errors, 6, "项目编码", "missing"));
        assert!(has(&errors, 6, "项目名称", "missing"));
        assert!(has(&errors, 6, "开始日期", "not a date"));
        assert!(has(&errors, 6, "状态", "'maybe'"));
        assert!(has(&errors, 6, "学时", "'x' is not a number"));
        assert!(has(&errors, 6, "成绩", "'abc'"));
        assert!(has(&errors, 7, "开始日期", "in the future"));
        assert!(has(&errors, 7, "完成日期", "in the future"));
        assert!(has(&errors, 8, "完成日期", "needs its completion date"));
        assert!(has(
            &errors,
            9,
            "完成日期",
            "status cancelled has no completion date"
        ));
        assert!(has(
            &errors,
            10,
            "项目名称",
            "already exists titled '安全生产'"
        ));
        assert_eq!(errors.len(), 18, "{errors:#?}");
    }

    #[test]
    fn missing_columns_are_reported_on_row_one() {
        let (p, errors) = plan("项目编码,工号,状态\nH1,E1,已完成\n");
        assert!(p.records.is_empty());
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["program_title", "start_date", "hours"]);
        assert!(errors.iter().all(|e| e.row == 1));
        assert!(errors[0].reason.contains("项目名称"));
    }

    #[test]
    fn live_enrollments_are_not_overwritten() {
        let (p, errors) = plan(
            "项目编码,项目名称,工号,开始日期,完成日期,状态,学时\n\
             P-LIVE,安全生产,E1,2020-01-01,2020-01-02,已完成,4\n\
             P-LIVE,安全生产,E2,2020-01-01,2020-01-02,已完成,4\n\
             H1,精益,E1,2020-01-01,2020-01-02,已完成,4\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert!(p.live_conflicts(&HashMap::new()).is_empty());
        let live = [((7, 11), "enrolled".to_string())].into();
        let conflicts = p.live_conflicts(&live);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert!(has(&conflicts, 3, "工号", "status enrolled"));
    }
}
