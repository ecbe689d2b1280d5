//! History import of training records (service, command line, upload page): historical
//! programs for new codes, imported enrollments, every bad row reported and nothing
//! written, re-imports that change nothing, changed values that update.

use crate::competency_import::{count, has, run, skillbridge, upload};
use crate::db_test;
use crate::support::{Backend, TempDir, TestApp};
use domain::audit::Actor;
use domain::org::{EmployeeFilter, OrgRepository};
use domain::training_records::TrainingRecordOutcome;
use domain::{DataScope, Page};
use service::imports::import_training_records;

/// The first `n` employee numbers of the demo company.
async fn employee_numbers(app: &TestApp, n: u32) -> Vec<String> {
    app.store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter::default(),
            Page::new(Some(1), Some(n)),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.employee_no)
        .collect()
}

/// One stored enrollment as (program code, employee number, source, status, started_on,
/// completed_on, hours, score, cost per head).
type Enrollment = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// The enrollments of programs whose code starts with `prefix`, by code and employee.
async fn enrollments(app: &TestApp, prefix: &str) -> Vec<Enrollment> {
    use sqlx::Connection;
    let sql = format!(
        "SELECT p.code, e.employee_no, n.source, n.status, CAST(n.started_on AS TEXT), CAST(n.completed_on AS TEXT), \
                n.hours, n.score, n.cost_per_head \
         FROM enrollments n JOIN programs p ON p.id = n.program_id JOIN employees e ON e.id = n.employee_id \
         WHERE p.code LIKE '{prefix}%'"
    );
    let mut rows: Vec<Enrollment> = match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        }
    };
    // Byte order on both engines (PostgreSQL's collation may differ).
    rows.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
    rows
}

/// Programs whose code starts with `prefix`: (code, title, status, hours).
async fn programs(app: &TestApp, prefix: &str) -> Vec<(String, String, String, f64)> {
    use sqlx::Connection;
    let sql = format!(
        "SELECT code, title, status, hours FROM programs WHERE code LIKE '{prefix}%' ORDER BY code"
    );
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            sqlx::query_as(&sql).fetch_all(&mut conn).await.unwrap()
        }
    }
}

/// Rows of programs, enrollments, attendance and import audit entries: all that an
/// import may write.
async fn footprint(app: &TestApp) -> [i64; 4] {
    [
        count(app, "SELECT COUNT(*) FROM programs").await,
        count(app, "SELECT COUNT(*) FROM enrollments").await,
        count(app, "SELECT COUNT(*) FROM attendance").await,
        count(
            app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'training_records.import'",
        )
        .await,
    ]
}

fn outcome(
    programs_created: usize,
    programs_updated: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
) -> Option<TrainingRecordOutcome> {
    Some(TrainingRecordOutcome {
        programs_created,
        programs_updated,
        enrollments_created: created,
        enrollments_updated: updated,
        enrollments_unchanged: unchanged,
    })
}

fn enrollment(
    code: &str,
    no: &str,
    status: &str,
    dates: (&str, Option<&str>),
    hours: f64,
    score: Option<f64>,
    cost: Option<f64>,
) -> Enrollment {
    (
        code.into(),
        no.into(),
        "imported".into(),
        status.into(),
        Some(dates.0.into()),
        dates.1.map(str::to_string),
        Some(hours),
        score,
        cost,
    )
}

/// A Chinese file: two new programs, every status, optional cells empty and filled.
fn chinese_file(no: &[String], score: &str, hours: &str) -> String {
    format!(
        "\u{feff}项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩,人均费用\n\
         OLD-2019-01,班组长轮训,{a},2019-03-01,2019/3/5,已完成,{hours},{score},\"1,200\"\n\
         OLD-2019-01,班组长轮训,{b},2019/03/01,,未完成,12,,\n\
         OLD-2019-01,班组长轮训,{c},2019-03-01,,已取消,0,,\n\
         OLD-2020-07,质量工具入门,{a},2020-07-06,2020-07-06,completed,4,100,0\n",
        a = no[0],
        b = no[1],
        c = no[2],
    )
}

db_test!(
    chinese_file_creates_historical_programs_and_a_reimport_changes_nothing,
    |app| {
        let no = employee_numbers(&app, 3).await;
        let state = app.state().clone();
        let actor = Actor::cli();
        let file = chinese_file(&no, "88.5", "16");
        let before = footprint(&app).await;
        let preview = import_training_records(&state, None, file.as_bytes(), "h.csv", true, &actor)
            .await
            .unwrap();
        assert!(preview.errors.is_empty(), "{:?}", preview.errors);
        assert_eq!(
            (preview.rows, preview.valid, preview.written),
            (4, 4, false)
        );
        assert_eq!(
            preview.outcome,
            outcome(2, 0, 4, 0, 0),
            "a preview counts exactly"
        );
        assert_eq!(footprint(&app).await, before, "a preview writes nothing");

        let report = import_training_records(&state, None, file.as_bytes(), "h.csv", false, &actor)
            .await
            .unwrap();
        assert!(report.written);
        assert_eq!(report.outcome, outcome(2, 0, 4, 0, 0));
        assert_eq!(
            programs(&app, "OLD-").await,
            vec![
                (
                    "OLD-2019-01".into(),
                    "班组长轮训".into(),
                    "historical".into(),
                    16.0
                ),
                (
                    "OLD-2020-07".into(),
                    "质量工具入门".into(),
                    "historical".into(),
                    4.0
                ),
            ],
            "hours are the largest of each program's records"
        );
        let mut expected = vec![
            enrollment(
                "OLD-2019-01",
                &no[0],
                "completed",
                ("2019-03-01", Some("2019-03-05")),
                16.0,
                Some(88.5),
                Some(1200.0),
            ),
            enrollment(
                "OLD-2019-01",
                &no[1],
                "incomplete",
                ("2019-03-01", None),
                12.0,
                None,
                None,
            ),
            enrollment(
                "OLD-2019-01",
                &no[2],
                "cancelled",
                ("2019-03-01", None),
                0.0,
                None,
                None,
            ),
            enrollment(
                "OLD-2020-07",
                &no[0],
                "completed",
                ("2020-07-06", Some("2020-07-06")),
                4.0,
                Some(100.0),
                Some(0.0),
            ),
        ];
        expected.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        assert_eq!(enrollments(&app, "OLD-").await, expected);
        let after = footprint(&app).await;
        assert_eq!(
            [
                after[0] - before[0],
                after[1] - before[1],
                after[2] - before[2]
            ],
            [2, 4, 0],
            "no attendance is generated"
        );

        // The same file again: nothing changes, not even a timestamp.
        let stamps = "SELECT COUNT(DISTINCT updated_at) FROM enrollments";
        let stamps_before = count(&app, stamps).await;
        let again = import_training_records(&state, None, file.as_bytes(), "h.csv", false, &actor)
            .await
            .unwrap();
        assert_eq!(again.outcome, outcome(0, 0, 0, 0, 4));
        assert_eq!(enrollments(&app, "OLD-").await, expected);
        assert_eq!(count(&app, stamps).await, stamps_before);

        // A changed score and a longer record update that enrollment and the program's hours.
        let changed = chinese_file(&no, "92", "20");
        let report =
            import_training_records(&state, None, changed.as_bytes(), "h2.csv", false, &actor)
                .await
                .unwrap();
        assert_eq!(report.outcome, outcome(0, 1, 0, 1, 3));
        let rows = enrollments(&app, "OLD-2019-01").await;
        let first = rows.iter().find(|r| r.1 == no[0]).unwrap();
        assert_eq!((first.6, first.7), (Some(20.0), Some(92.0)));
        assert_eq!(programs(&app, "OLD-2019-01").await[0].3, 20.0);

        let audit = app.audit("training_records.import").await;
        assert_eq!(audit.total, 3, "one entry per import, none for the preview");
        assert!(audit.items.iter().any(|a| {
            let after: serde_json::Value =
                serde_json::from_str(a.after.as_deref().unwrap()).unwrap();
            after["programs_created"] == 2
                && after["enrollments_created"] == 4
                && after["enrollments_updated"] == 0
        }));
        assert!(audit.items.iter().any(|a| {
            let after: serde_json::Value =
                serde_json::from_str(a.after.as_deref().unwrap()).unwrap();
            after["enrollments_updated"] == 1 && after["source"] == "h2.csv"
        }));
    }
);

db_test!(
    english_xlsx_attaches_to_existing_programs_and_never_overwrites_live_enrollments,
    |app| {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let no = employee_numbers(&app, 3).await;
        // A program kept in Skillbridge itself, with one person enrolled there.
        app.exec("INSERT INTO programs (code, title, status, hours, created_at, updated_at) \
             VALUES ('LIVE-SAFETY', '安全生产', 'open', 8, '2026-01-05T00:00:00.000000Z', '2026-01-05T00:00:00.000000Z')",
        )
        .await;
        let live_program = count(&app, "SELECT id FROM programs WHERE code = 'LIVE-SAFETY'").await;
        let live_person = count(
            &app,
            &format!("SELECT id FROM employees WHERE employee_no = '{}'", no[2]),
        )
        .await;
        app.exec(&format!(
                "INSERT INTO enrollments (program_id, employee_id, source, status, requested_at, updated_at) \
                 VALUES ({live_program}, {live_person}, 'self', 'enrolled', '2026-01-06T00:00:00.000000Z', '2026-01-06T00:00:00.000000Z')"
            ),
        )
        .await;

        let headers = [
            "Program_Code",
            "Program_Title",
            "Employee_Number",
            "Start_Date",
            "Completion_Date",
            "Status",
            "Hours",
            "Score",
            "Cost_Per_Head",
        ];
        let workbook = |rows: &[(&str, &str, &str)]| {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in headers.iter().enumerate() {
                sheet.write_string(0, c as u16, *h).unwrap();
            }
            let format = Format::new().set_num_format("yyyy-mm-dd");
            let start = ExcelDateTime::from_ymd(2021, 9, 1).unwrap();
            let done = ExcelDateTime::from_ymd(2021, 9, 3).unwrap();
            for (i, (code, title, person)) in rows.iter().enumerate() {
                let r = i as u32 + 1;
                sheet.write_string(r, 0, *code).unwrap();
                sheet.write_string(r, 1, *title).unwrap();
                sheet.write_string(r, 2, *person).unwrap();
                sheet
                    .write_datetime_with_format(r, 3, &start, &format)
                    .unwrap();
                sheet
                    .write_datetime_with_format(r, 4, &done, &format)
                    .unwrap();
                sheet.write_string(r, 5, "Completed").unwrap();
                sheet.write_number(r, 6, 6.0).unwrap();
                sheet.write_number(r, 7, 75.0).unwrap();
                sheet.write_number(r, 8, 350.0).unwrap();
            }
            book.save_to_buffer().unwrap()
        };
        let good = workbook(&[
            ("LIVE-SAFETY", "安全生产", &no[0]),
            ("OLD-LEAN", "Lean basics", &no[0]),
            ("OLD-LEAN", "Lean basics", &no[1]),
        ]);
        let state = app.state().clone();
        let report = import_training_records(&state, None, &good, "h.xlsx", false, &Actor::cli())
            .await
            .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.outcome, outcome(1, 0, 3, 0, 0));
        assert_eq!(
            programs(&app, "LIVE-").await,
            vec![("LIVE-SAFETY".into(), "安全生产".into(), "open".into(), 8.0)],
            "an existing program is attached to, not changed"
        );
        assert_eq!(
            programs(&app, "OLD-").await,
            vec![(
                "OLD-LEAN".into(),
                "Lean basics".into(),
                "historical".into(),
                6.0
            )]
        );
        let live = enrollments(&app, "LIVE-").await;
        let done = ("2021-09-01", Some("2021-09-03"));
        assert!(live.contains(&enrollment(
            "LIVE-SAFETY",
            &no[0],
            "completed",
            done,
            6.0,
            Some(75.0),
            Some(350.0)
        )));

        // A record of someone enrolled in Skillbridge itself is refused, with the rest.
        let before = footprint(&app).await;
        let clash = workbook(&[
            ("OLD-LEAN", "Lean basics", &no[2]),
            ("LIVE-SAFETY", "Safety (old name)", &no[1]),
            ("LIVE-SAFETY", "Safety (old name)", &no[2]),
        ]);
        let report = import_training_records(&state, None, &clash, "c.xlsx", false, &Actor::cli())
            .await
            .unwrap();
        assert_eq!(report.outcome, None);
        let e = &report.errors;
        assert!(
            has(e, 3, "Program_Title", "already exists titled '安全生产'"),
            "{e:?}"
        );
        assert!(
            has(
                e,
                4,
                "Employee_Number",
                "already has an enrollment in program LIVE-SAFETY made in Skillbridge (status enrolled)"
            ),
            "{e:?}"
        );
        assert_eq!(report.error_count, 2, "{e:?}");
        assert_eq!(footprint(&app).await, before);
        assert!(
            enrollments(&app, "LIVE-")
                .await
                .iter()
                .all(|r| r.1 != no[2] || r.2 == "self"),
            "the live enrollment is as it was"
        );
    }
);

db_test!(bad_rows_are_each_reported_and_nothing_is_written, |app| {
    let no = employee_numbers(&app, 2).await;
    let (a, b) = (&no[0], &no[1]);
    let file = format!(
        "项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩,人均费用\n\
         OLD-1,班组长轮训,{a},2019-03-01,2019-03-05,已完成,16,88,100\n\
         OLD-1,班组长轮训,NOBODY,2019-03-01,2019-03-05,已完成,16,88,100\n\
         OLD-1,班组长轮训,{b},2019-03-10,2019-03-05,已完成,16,80,\n\
         OLD-2,质量工具,{b},2019-04-01,2019-04-02,已完成,8,120,\n\
         OLD-1,班组长轮训,{a},2019-05-01,,未完成,4,,\n\
         OLD-2,质量工具（新）,{a},2019-04-01,,未完成,8,,\n\
         OLD-3,精益,{a},2019-04-01,,已完成,-2,,\n"
    );
    let before = footprint(&app).await;
    let report = import_training_records(
        app.state(),
        None,
        file.as_bytes(),
        "bad.csv",
        false,
        &Actor::cli(),
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, None);
    assert!(!report.written);
    assert_eq!(footprint(&app).await, before, "all or nothing");
    let e = &report.errors;
    assert!(has(e, 3, "工号", "employee NOBODY does not exist"), "{e:?}");
    assert!(has(e, 4, "完成日期", "before the start date 2019-03-10"));
    assert!(has(e, 5, "成绩", "120 is not a score between 0 and 100"));
    assert!(has(
        e,
        6,
        "工号",
        "already appears for program OLD-1 on row 2"
    ));
    assert!(has(e, 7, "项目名称", "titled '质量工具' on row 5"));
    assert!(has(e, 8, "完成日期", "needs its completion date"));
    assert!(has(e, 8, "学时", "below 0"));
    assert_eq!(report.error_count, 7, "{e:?}");
    assert_eq!((report.rows, report.valid), (7, 1));
    let rows: Vec<usize> = e.iter().map(|e| e.row).collect();
    assert!(rows.windows(2).all(|w| w[0] <= w[1]), "by row: {rows:?}");

    // Missing columns are named on row 1; an unreadable file is a clear error, not a fault.
    let report = import_training_records(
        app.state(),
        None,
        "项目编码,工号\nX,1\n".as_bytes(),
        "x.csv",
        false,
        &Actor::cli(),
    )
    .await
    .unwrap();
    assert!(has(&report.errors, 1, "program_title", "项目名称"));
    assert!(has(&report.errors, 1, "hours", "学时"));
    let garbage = import_training_records(
        app.state(),
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
    assert_eq!(footprint(&app).await, before);
});

db_test!(command_line_imports_training_records, |app| {
    let dir = TempDir::new();
    let no = employee_numbers(&app, 1).await;
    let bad = dir.0.join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "项目编码,项目名称,工号,开始日期,完成日期,状态,学时\n\
             OLD-CLI,班组长轮训,{},2019-03-01,2019-03-05,已完成,16\n\
             OLD-CLI,班组长轮训,NOBODY,2019-03-01,2019-03-05,已完成,16\n",
            no[0]
        ),
    )
    .unwrap();
    let before = footprint(&app).await;
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "training-records"])
        .arg(&bad));
    assert!(!ok, "a file with problems fails: {out}");
    assert!(
        out.contains("row 3, column 工号: employee NOBODY does not exist"),
        "{out}"
    );
    assert_eq!(footprint(&app).await, before);

    let good = dir.0.join("good.csv");
    std::fs::write(
        &good,
        format!(
            "program_code,program_title,employee_number,start_date,completion_date,status,hours,score\n\
             OLD-CLI,Team leader course,{},2019/03/01,2019/03/05,completed,16,90\n",
            no[0]
        ),
    )
    .unwrap();
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "training-records", "--dry-run"])
        .arg(&good));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("dry run") && out.contains("1 historical programs created"),
        "{out}"
    );
    assert_eq!(footprint(&app).await, before);
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "training-records"])
        .arg(&good));
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("written: 1 historical programs created, 0 with more hours; 1 enrollments created, 0 updated, 0 unchanged"),
        "{out}"
    );
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "training-records"])
        .arg(&good));
    assert!(
        ok && out.contains("0 historical programs created, 0 with more hours; 0 enrollments created, 0 updated, 1 unchanged"),
        "{out}"
    );
    let after = footprint(&app).await;
    assert_eq!(
        [
            after[0] - before[0],
            after[1] - before[1],
            after[3] - before[3]
        ],
        [1, 1, 2]
    );
    let audit = app.audit("training_records.import").await;
    assert!(audit.items.iter().all(|a| a.actor == "cli"));
});

db_test!(upload_page_previews_imports_and_reports_errors, |app| {
    let (browser, _) = app.login("training").await;
    let html = app.page_text(&browser, "/programs/import").await;
    assert!(
        html.contains("action=\"/programs/import?_csrf=") && html.contains("导入历史培训记录"),
        "{html}"
    );
    let no = employee_numbers(&app, 2).await;
    let csv = format!(
        "项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩\n\
         OLD-WEB,设备点检,{},2022-05-09,2022-05-10,已完成,8,86\n\
         OLD-WEB,设备点检,{},2022-05-09,,未完成,4,\n",
        no[0], no[1]
    );
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&csv);
    let before = footprint(&app).await;
    let (status, page) = upload(
        &app,
        "training",
        "/programs/import",
        gb18030.to_vec(),
        &[("dry_run", "on")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("预览完成") && page.contains("新建历史项目 1 · 新增培训记录 2"),
        "{page}"
    );
    assert_eq!(footprint(&app).await, before);
    let (status, page) = upload(&app, "training", "/programs/import", gb18030.to_vec(), &[]).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("导入完成: 新建历史项目 1 · 新增培训记录 2 · 更新 0 · 未变 0"),
        "{page}"
    );
    assert_eq!(programs(&app, "OLD-WEB").await.len(), 1);
    assert_eq!(enrollments(&app, "OLD-WEB").await.len(), 2);

    let bad = format!(
        "项目编码,项目名称,工号,开始日期,完成日期,状态,学时,成绩\n\
         OLD-WEB,设备点检,{},2022-05-09,2022-05-10,已完成,8,120\n",
        no[0]
    );
    let (status, page) = upload(&app, "admin", "/programs/import", bad.into_bytes(), &[]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("未导入任何数据")
            && page.contains("<td class=\"num\">2</td><td>成绩</td>")
            && page.contains("120 is not a score between 0 and 100"),
        "{page}"
    );
    let (status, page) = upload(&app, "training", "/programs/import", Vec::new(), &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("请选择要上传的文件"), "{page}");
    for user in ["manager", "instructor"] {
        let (status, _) = upload(&app, user, "/programs/import", gb18030.to_vec(), &[]).await;
        assert_eq!(status, 403, "{user}");
    }
    let after = footprint(&app).await;
    assert_eq!(
        [
            after[0] - before[0],
            after[1] - before[1],
            after[3] - before[3]
        ],
        [1, 2, 1]
    );
});
