//! Imports of assessments and competency models (service, command line, upload page) and
//! the competency-model export: validation before any write, all or nothing, idempotent
//! re-imports, manual requirements replaced per position, derived ones kept.

use crate::db_test;
use crate::support::{Backend, TempDir, TestApp};
use domain::audit::Actor;
use domain::org::{EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DataScope, Page};
use service::imports::{import_assessments, import_competency_models};
use std::process::Command;
use store::prelude::*;

/// Date of the test assessments: after every demo assessment, and in the past.
const ON: &str = "2026-10-15";

/// Runs a `SELECT COUNT(*) ...` on the app's database.
pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    use sqlx::Connection;
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

async fn assessment_count(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM assessments").await
}

/// The `skip`-th active employee with a required skill that is unassessed or below its
/// level: (employee id, employee number, skill code, required level).
pub(crate) async fn employee_with_gap(app: &TestApp, skip: usize) -> (i64, String, String, i32) {
    let filter = EmployeeFilter {
        status: Some(EmployeeStatus::Active),
        ..Default::default()
    };
    let people = app
        .store
        .list_employees(
            &DataScope::company(),
            &filter,
            Page::new(Some(1), Some(200)),
        )
        .await
        .unwrap();
    let mut found = 0;
    for e in people.items {
        let gaps = app.store.employee_gaps(e.id).await.unwrap();
        if let Some(g) = gaps.iter().find(|g| g.gap() != Some(0)) {
            if found == skip {
                return (e.id, e.employee_no, g.skill_code.clone(), g.required_level);
            }
            found += 1;
        }
    }
    panic!("the demo has people with gaps");
}

/// (skill code, required level, tier, source) of one position's model, by skill code.
async fn model_of(app: &TestApp, position: &str) -> Vec<(String, i32, String, String)> {
    let mut rows: Vec<_> = app
        .store
        .competency_model_rows()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.position_code == position)
        .map(|r| (r.skill_code, r.required_level, r.tier, r.source))
        .collect();
    rows.sort();
    rows
}

fn row(skill: &str, level: i32, tier: &str, source: &str) -> (String, i32, String, String) {
    (skill.into(), level, tier.into(), source.into())
}

pub(crate) fn has(errors: &[import::RowError], row: usize, column: &str, reason: &str) -> bool {
    errors
        .iter()
        .any(|e| e.row == row && e.column == column && e.reason.contains(reason))
}

fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

db_test!(
    chinese_csv_imports_then_gaps_change_and_a_reimport_adds_nothing,
    |app| {
        let (id, no, skill, required) = employee_with_gap(&app, 0).await;
        let csv = format!(
            "\u{feff}工号,技能编码,等级,分数,方式,评估人,评估日期,证据\n\
         {no},{skill},{required},88,考试,王工,2026/10/15,结业考试\n"
        );
        let state = app.state().clone();
        let actor = Actor::cli();
        let before = assessment_count(&app).await;
        let preview = import_assessments(&state, None, csv.as_bytes(), "a.csv", true, &actor)
            .await
            .unwrap();
        assert!(preview.errors.is_empty(), "{:?}", preview.errors);
        assert_eq!((preview.rows, preview.valid, preview.outcome), (1, 1, None));
        assert_eq!(
            assessment_count(&app).await,
            before,
            "a preview writes nothing"
        );
        let report = import_assessments(&state, None, csv.as_bytes(), "a.csv", false, &actor)
            .await
            .unwrap();
        assert_eq!(report.outcome, Some(1));
        assert_eq!(assessment_count(&app).await, before + 1);
        let gaps = app.store.employee_gaps(id).await.unwrap();
        let g = gaps.iter().find(|g| g.skill_code == skill).unwrap();
        assert_eq!(
            (g.current_level, g.gap(), g.method.as_deref()),
            (Some(required), Some(0), Some("exam"))
        );
        assert_eq!(g.assessed_on.unwrap().to_string(), ON);
        let again = import_assessments(&state, None, csv.as_bytes(), "a.csv", false, &actor)
            .await
            .unwrap();
        assert_eq!(
            again.outcome,
            Some(0),
            "the same file again inserts nothing"
        );
        assert_eq!(assessment_count(&app).await, before + 1);
        let audit = app.audit("assessment.import").await;
        assert_eq!(audit.total, 2, "one entry per import");
        assert!(
            audit
                .items
                .iter()
                .any(|a| a.after.as_deref().unwrap().contains("\"inserted\":1"))
        );
    }
);

db_test!(xlsx_assessments_import, |app| {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let (id, no, skill, required) = employee_with_gap(&app, 1).await;
    let level = (required - 1).max(0);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = [
        "Employee_Number",
        "Skill_Code",
        "Level",
        "Score",
        "Method",
        "Assessor",
        "Assessed_On",
        "Evidence",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, &no).unwrap();
    sheet.write_string(1, 1, &skill).unwrap();
    sheet.write_number(1, 2, f64::from(level)).unwrap();
    sheet.write_number(1, 3, 72.5).unwrap();
    sheet.write_string(1, 4, "上级评价").unwrap();
    let date = ExcelDateTime::from_ymd(2026, 10, 15).unwrap();
    let format = Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 6, &date, &format)
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let before = assessment_count(&app).await;
    let report = import_assessments(app.state(), None, &bytes, "a.xlsx", false, &Actor::cli())
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.outcome, Some(1));
    assert_eq!(assessment_count(&app).await, before + 1);
    let gaps = app.store.employee_gaps(id).await.unwrap();
    let g = gaps.iter().find(|g| g.skill_code == skill).unwrap();
    assert_eq!(
        (
            g.current_level,
            g.method.as_deref(),
            g.assessed_on.unwrap().to_string()
        ),
        (Some(level), Some("manager"), ON.to_string())
    );
});

db_test!(bad_rows_are_each_reported_and_nothing_is_written, |app| {
    let (_, no, skill, required) = employee_with_gap(&app, 0).await;
    let csv = format!(
        "工号,技能编码,等级,分数,方式,评估日期\n\
         {no},{skill},{required},80,考试,2026-10-15\n\
         NOBODY,{skill},1,80,考试,2026-10-15\n\
         {no},NO-SUCH-SKILL,1,,exam,2026-10-15\n\
         {no},{skill},9,120,guess,2099-01-01\n\
         {no},{skill},1,,exam,2026/10/15\n\
         {no},{skill},1,,self,2026-02-30\n"
    );
    let state = app.state().clone();
    let before = assessment_count(&app).await;
    let report = import_assessments(
        &state,
        None,
        csv.as_bytes(),
        "bad.csv",
        false,
        &Actor::cli(),
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, None);
    assert_eq!(assessment_count(&app).await, before, "all or nothing");
    let e = &report.errors;
    assert!(has(e, 3, "工号", "employee NOBODY does not exist"), "{e:?}");
    assert!(has(e, 4, "技能编码", "skill NO-SUCH-SKILL does not exist"));
    assert!(has(e, 5, "等级", "outside 0..=3"));
    assert!(has(e, 5, "分数", "between 0 and 100"));
    assert!(has(e, 5, "方式", "'guess' is not a method"));
    assert!(has(e, 5, "评估日期", "in the future"));
    assert!(has(e, 6, "工号", "already appear on row 2"));
    assert!(has(e, 7, "评估日期", "not a date"));
    assert_eq!(report.error_count, 8, "{e:?}");
    // Missing columns are named on row 1; an unreadable file is a clear error, not a fault.
    let report = import_assessments(
        &state,
        None,
        "工号,等级\nX,1\n".as_bytes(),
        "x.csv",
        false,
        &Actor::cli(),
    )
    .await
    .unwrap();
    assert!(has(&report.errors, 1, "skill_code", "技能编码"));
    let garbage = import_assessments(
        &state,
        None,
        &[0, 159, 146, 150],
        "x.bin",
        false,
        &Actor::cli(),
    )
    .await;
    assert!(
        matches!(garbage, Err(domain::DomainError::Validation { ref field, .. }) if field == "file"),
        "{garbage:?}"
    );
    // A bad model file leaves every model as it was.
    let models_before = count(&app, "SELECT COUNT(*) FROM position_skills").await;
    let operator_before = model_of(&app, "P-TL").await;
    let csv = "岗位编码,技能编码,要求等级,层级\n\
               P-TL,OP-EQUIP,2,核心\n\
               P-NOPE,OP-EQUIP,2,核心\n\
               P-TL,OP-EQUIP,3,支撑\n\
               P-TL,MG-TEAM,4,核心\n\
               P-TL,MG-PROBLEM,2,关键\n";
    let report =
        import_competency_models(&state, None, csv.as_bytes(), "m.csv", false, &Actor::cli())
            .await
            .unwrap();
    assert_eq!(report.outcome, None);
    let e = &report.errors;
    assert!(
        has(e, 3, "岗位编码", "position P-NOPE does not exist"),
        "{e:?}"
    );
    assert!(has(e, 4, "技能编码", "already appear on row 2"));
    assert!(has(e, 5, "要求等级", "outside 1..=3"));
    assert!(has(e, 6, "层级", "'关键'"));
    assert_eq!(report.error_count, 4);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM position_skills").await,
        models_before
    );
    assert_eq!(model_of(&app, "P-TL").await, operator_before);
});

db_test!(
    model_import_replaces_manual_rows_of_the_files_positions_only,
    |app| {
        let all_before = app.store.competency_model_rows().await.unwrap();
        // The demo: 班组长 (P-TL) is set directly; 设备技术员 (E-TECH) mostly derived from its
        // tasks with one direct requirement; 生产操作工 (P-OP) wholly derived.
        assert!(model_of(&app, "P-TL").await.iter().all(|r| r.3 == "manual"));
        assert_eq!(
            model_of(&app, "E-TECH").await,
            vec![
                row("EQ-PLC", 1, "support", "tasks"),
                row("EQ-TPM", 2, "core", "tasks"),
                row("EQ-TROUBLE", 2, "core", "tasks"),
                row("SF-RULES", 2, "core", "manual"),
            ]
        );
        let csv = "岗位编码,技能编码,要求等级,层级\n\
               E-TECH,SF-RULES,3,核心\n\
               E-TECH,EQ-TROUBLE,3,core\n\
               P-TL,OP-EQUIP,2,支撑\n\
               P-TL,MG-TEAM,3,核心\n";
        let state = app.state().clone();
        let actor = Actor::cli();
        let preview = import_competency_models(&state, None, csv.as_bytes(), "m.csv", true, &actor)
            .await
            .unwrap();
        assert!(preview.errors.is_empty() && preview.outcome.is_none());
        assert_eq!(
            app.store.competency_model_rows().await.unwrap().len(),
            all_before.len()
        );
        let report = import_competency_models(&state, None, csv.as_bytes(), "m.csv", false, &actor)
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.outcome, Some((2, 4)));
        assert_eq!(
            model_of(&app, "E-TECH").await,
            vec![
                row("EQ-PLC", 1, "support", "tasks"),
                row("EQ-TPM", 2, "core", "tasks"),
                row("EQ-TROUBLE", 3, "core", "manual"),
                row("SF-RULES", 3, "core", "manual"),
            ],
            "a file row overrides the derived one; other derived rows stay"
        );
        assert_eq!(
            model_of(&app, "P-TL").await,
            vec![
                row("MG-TEAM", 3, "core", "manual"),
                row("OP-EQUIP", 2, "support", "manual"),
            ],
            "the manual rows are exactly the file's"
        );
        let untouched = |rows: Vec<store::ModelExportRow>| -> Vec<_> {
            rows.into_iter()
                .filter(|r| r.position_code != "E-TECH" && r.position_code != "P-TL")
                .map(|r| {
                    (
                        r.position_code,
                        r.skill_code,
                        r.required_level,
                        r.tier,
                        r.source,
                    )
                })
                .collect()
        };
        let others = untouched(app.store.competency_model_rows().await.unwrap());
        assert!(others.iter().any(|r| r.0 == "P-OP" && r.4 == "tasks"));
        assert_eq!(
            others,
            untouched(all_before),
            "positions not in the file keep their models"
        );
        // Dropping the override brings the derived requirement back.
        let csv = "岗位编码,技能编码,要求等级,层级\nE-TECH,SF-RULES,3,核心\n";
        import_competency_models(&state, None, csv.as_bytes(), "m2.csv", false, &actor)
            .await
            .unwrap();
        assert!(
            model_of(&app, "E-TECH")
                .await
                .contains(&row("EQ-TROUBLE", 2, "core", "tasks"))
        );
        let audit = app.audit("competency_model.import").await;
        assert_eq!(audit.total, 2);
        let first = audit
            .items
            .iter()
            .find(|a| a.after.as_deref().unwrap().contains("m.csv"))
            .unwrap();
        let before: serde_json::Value =
            serde_json::from_str(first.before.as_deref().unwrap()).unwrap();
        let after: serde_json::Value =
            serde_json::from_str(first.after.as_deref().unwrap()).unwrap();
        assert_eq!(
            (
                before["positions"].as_i64(),
                before["manual_rows"].as_i64(),
                before["derived_rows"].as_i64()
            ),
            (Some(2), Some(6), Some(3))
        );
        assert_eq!(
            (
                after["manual_rows"].as_i64(),
                after["derived_rows"].as_i64()
            ),
            (Some(4), Some(2))
        );
    }
);

db_test!(
    export_reads_back_with_every_requirement_and_imports_again,
    |app| {
        let (bytes, rows) = service::imports::export_competency_models(
            app.state(),
            None,
            web::i18n::Locale::ZhCn,
            &Actor::cli(),
        )
        .await
        .unwrap();
        let total = count(&app, "SELECT COUNT(*) FROM position_skills").await;
        assert_eq!(rows as i64, total);
        let sheet = read_xlsx(bytes.clone());
        assert_eq!(
            sheet[0],
            [
                "岗位编码",
                "岗位名称",
                "技能编码",
                "技能名称",
                "能力领域",
                "要求等级",
                "层级",
                "来源"
            ]
        );
        assert_eq!(sheet.len() as i64 - 1, total);
        assert!(
            sheet.iter().any(|r| r[0] == "P-OP"
                && r[2] == "OP-EQUIP"
                && r[5] == "2"
                && r[6] == "核心"
                && r[7] == "来自任务"),
            "{:?}",
            &sheet[..5]
        );
        // The export's columns are the import's: an edited export goes straight back in.
        let again = import_competency_models(
            app.state(),
            None,
            &bytes,
            "export.xlsx",
            true,
            &Actor::cli(),
        )
        .await
        .unwrap();
        assert!(again.errors.is_empty(), "{:?}", again.errors);
        assert_eq!(again.rows as i64, total);
        // Importing the unedited export keeps the derived rows following the tasks.
        let derived = "SELECT COUNT(*) FROM position_skills WHERE source = 'tasks'";
        let derived_before = count(&app, derived).await;
        assert!(derived_before > 0);
        let written = import_competency_models(
            app.state(),
            None,
            &bytes,
            "export.xlsx",
            false,
            &Actor::cli(),
        )
        .await
        .unwrap();
        assert!(written.errors.is_empty(), "{:?}", written.errors);
        assert_eq!(count(&app, derived).await, derived_before);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM position_skills").await,
            total
        );
        // Through the page: English headers for an English session, and an audit entry.
        let (browser, csrf) = app.login("training").await;
        app.post_form(
            &browser,
            "/lang",
            &[("lang", "en"), ("back", "/"), ("_csrf", csrf.as_str())],
        )
        .await;
        let res = browser
            .get(app.url("/competency/models/export.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("competency-models.xlsx")
        );
        let sheet = read_xlsx(res.bytes().await.unwrap().to_vec());
        assert_eq!(sheet[0][0], "Position code");
        assert_eq!(sheet.len() as i64 - 1, total);
        let audit = app.audit("competency_model.export").await;
        assert_eq!(audit.total, 2);
        assert!(audit.items.iter().any(|a| a.actor == "training"));
    }
);

/// The binary against the test app's database.
pub(crate) fn skillbridge(app: &TestApp, dir: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillbridge"));
    cmd.current_dir(&dir.0).env("SKILLBRIDGE_LOG", "warn");
    for (key, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("SKILLBRIDGE_") && k != "SKILLBRIDGE_LOG")
    {
        cmd.env_remove(key);
    }
    cmd.args(["--database-url", &app.url]);
    cmd
}

pub(crate) fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

db_test!(command_line_imports_and_exports, |app| {
    let dir = TempDir::new();
    let (_, no, skill, required) = employee_with_gap(&app, 2).await;
    let bad = dir.0.join("bad.csv");
    std::fs::write(
        &bad,
        format!("工号,技能编码,等级,方式,评估日期\n{no},{skill},{required},考试,{ON}\nNOBODY,{skill},1,考试,{ON}\n"),
    )
    .unwrap();
    let before = assessment_count(&app).await;
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "assessments"])
        .arg(&bad));
    assert!(!ok, "a file with problems fails: {out}");
    assert!(
        out.contains("row 3, column 工号: employee NOBODY does not exist"),
        "{out}"
    );
    assert_eq!(assessment_count(&app).await, before);
    let good = dir.0.join("good.csv");
    std::fs::write(
        &good,
        format!("工号,技能编码,等级,方式,评估日期\n{no},{skill},{required},考试,{ON}\n"),
    )
    .unwrap();
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "assessments", "--dry-run"])
        .arg(&good));
    assert!(ok && out.contains("dry run"), "{out}{err}");
    assert_eq!(assessment_count(&app).await, before);
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "assessments"])
        .arg(&good));
    assert!(ok, "{out}{err}");
    assert!(out.contains("written: 1 new assessments"), "{out}");
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "assessments"])
        .arg(&good));
    assert!(
        ok && out.contains("written: 0 new assessments, 1 already stored"),
        "{out}"
    );
    assert_eq!(assessment_count(&app).await, before + 1);

    let models = dir.0.join("models.csv");
    std::fs::write(
        &models,
        "position_code,skill_code,required_level,tier\nP-TL,MG-TEAM,3,core\n",
    )
    .unwrap();
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "competency-models"])
        .arg(&models));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("written: 1 requirements set directly for 1 positions"),
        "{out}"
    );
    assert_eq!(
        model_of(&app, "P-TL").await,
        vec![row("MG-TEAM", 3, "core", "manual")]
    );
    std::fs::write(
        &models,
        "position_code,skill_code,required_level\nP-TL,MG-TEAM,3\n",
    )
    .unwrap();
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "competency-models", "--dry-run"])
        .arg(&models));
    assert!(!ok && out.contains("row 1, column tier"), "{out}");

    let xlsx = dir.0.join("models.xlsx");
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["export", "competency-models", "--out"])
        .arg(&xlsx));
    assert!(ok, "{out}{err}");
    let sheet = read_xlsx(std::fs::read(&xlsx).unwrap());
    assert_eq!(sheet[0][0], "岗位编码");
    assert_eq!(
        sheet.len() as i64 - 1,
        count(&app, "SELECT COUNT(*) FROM position_skills").await
    );
});

/// Uploads `bytes` as `user` to the import page at `path`.
pub(crate) async fn upload(
    app: &TestApp,
    user: &str,
    path: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, String) {
    app.upload(user, path, (bytes, "upload.csv"), fields).await
}

db_test!(upload_page_previews_imports_and_reports_errors, |app| {
    let (browser, _) = app.login("training").await;
    let html = app.page_text(&browser, "/competency/import").await;
    assert!(
        html.contains("action=\"/competency/import/assessments?_csrf=")
            && html.contains("action=\"/competency/import/models?_csrf=")
            && html.contains("/competency/models/export.xlsx"),
        "{html}"
    );
    let heat = app.page_text(&browser, "/competency").await;
    assert!(
        heat.contains("href=\"/competency/import\""),
        "training sees the import link"
    );
    let (manager, _) = app.login("manager").await;
    let heat = app.page_text(&manager, "/competency").await;
    assert!(
        !heat.contains("href=\"/competency/import\""),
        "a department manager does not"
    );

    let (_, no, skill, required) = employee_with_gap(&app, 3).await;
    let csv = format!("工号,技能编码,等级,方式,评估日期\n{no},{skill},{required},观察,{ON}\n");
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&csv);
    let before = assessment_count(&app).await;
    let (status, page) = upload(
        &app,
        "training",
        "/competency/import/assessments",
        gb18030.to_vec(),
        &[("dry_run", "on")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("预览完成"), "{page}");
    assert_eq!(assessment_count(&app).await, before);
    let (status, page) = upload(
        &app,
        "training",
        "/competency/import/assessments",
        gb18030.to_vec(),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("导入完成") && page.contains("新增 1"),
        "{page}"
    );
    assert_eq!(assessment_count(&app).await, before + 1);

    let bad = format!("工号,技能编码,等级,方式,评估日期\n{no},{skill},7,观察,{ON}\n");
    let (status, page) = upload(
        &app,
        "training",
        "/competency/import/assessments",
        bad.into_bytes(),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("未导入任何数据")
            && page.contains("<td class=\"num\">2</td><td>等级</td>")
            && page.contains("outside 0..=3"),
        "{page}"
    );
    assert_eq!(assessment_count(&app).await, before + 1);

    let models = "岗位编码,技能编码,要求等级,层级\nQ-ENG,QA-SPC,3,核心\nQ-ENG,QA-GAUGE,2,支撑\n";
    let (status, page) = upload(
        &app,
        "training",
        "/competency/import/models",
        models.as_bytes().to_vec(),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("导入完成") && page.contains("能力要求 2"),
        "{page}"
    );
    assert_eq!(
        model_of(&app, "Q-ENG").await,
        vec![
            row("QA-GAUGE", 2, "support", "manual"),
            row("QA-SPC", 3, "core", "manual")
        ]
    );
    let (status, page) = upload(
        &app,
        "training",
        "/competency/import/models",
        Vec::new(),
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择要上传的文件"), "{page}");
    let (status, _) = upload(
        &app,
        "manager",
        "/competency/import/models",
        models.as_bytes().to_vec(),
        &[],
    )
    .await;
    assert_eq!(status, 403);
});
