//! The one import workflow: every import, run through the command line with a file of
//! good rows and one bad row, writes nothing and fails (all rows or none).

use crate::competency_import::{count, employee_with_gap, run, skillbridge};
use crate::db_test;
use crate::support::{TempDir, TestApp};
use domain::org::{EmployeeFilter, OrgRepository};
use domain::{DataScope, Page};

/// What the six imports write, counted.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "employees",
        "kpis",
        "kpi_values",
        "assessments",
        "position_skills",
        "programs",
        "enrollments",
    ] {
        counts.push(count(app, &format!("SELECT COUNT(*) FROM {table}")).await);
    }
    counts
}

db_test!(every_import_writes_nothing_when_one_row_is_bad, |app| {
    let dir = TempDir::new();
    let (_, no, skill, required) = employee_with_gap(&app, 0).await;
    let people: Vec<String> = app
        .store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter::default(),
            Page::new(Some(1), Some(100)),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.employee_no)
        .collect();
    // More values than one batch, so the stream has written some before the bad row.
    let months: Vec<String> = (1..=12).map(|m| format!("2031-{m:02}")).collect();
    let mut values = format!("工号,指标编码,来源,{}\n", months.join(","));
    for person in &people {
        values.push_str(&format!("{person},OUTPUT,hr{}\n", ",100".repeat(12)));
    }
    values.push_str(&format!("NOBODY,OUTPUT,hr{}\n", ",100".repeat(12)));
    let files = [
        (
            "employees",
            "工号,姓名,部门\nZ9001,新人,PROD1\nZ9002,,PROD1\n".to_string(),
        ),
        (
            "kpis",
            "指标编码,指标名称,单位,方向,汇总\nNEWKPI,新指标,件,越高越好,求和\nX,,,sideways,sum\n"
                .to_string(),
        ),
        ("kpi-values", values),
        (
            "assessments",
            format!(
                "工号,技能编码,等级,方式,评估日期\n{no},{skill},{required},考试,2026-10-15\nNOBODY,{skill},1,考试,2026-10-15\n"
            ),
        ),
        (
            "competency-models",
            format!("岗位编码,技能编码,要求等级,层级\nP-TL,{skill},1,核心\nP-TL,NOPE,1,核心\n"),
        ),
        (
            "training-records",
            format!(
                "项目编码,项目名称,工号,开始日期,完成日期,状态,学时\n\
                 OLD-FLOW,班组长轮训,{no},2019-03-01,2019-03-05,已完成,16\n\
                 OLD-FLOW,班组长轮训,NOBODY,2019-03-01,2019-03-05,已完成,16\n"
            ),
        ),
    ];
    let before = footprint(&app).await;
    for (import, text) in files {
        let file = dir.0.join(format!("{import}.csv"));
        std::fs::write(&file, &text).unwrap();
        let (ok, out, err) = run(skillbridge(&app, &dir).args(["import", import]).arg(&file));
        assert!(!ok, "{import}: a file with a bad row fails\n{out}{err}");
        let bad_row = format!("row {}, column", text.lines().count());
        assert!(
            out.contains(&bad_row),
            "{import}: the bad row is reported\n{out}"
        );
        assert!(err.contains("nothing was imported"), "{import}: {err}");
        assert_eq!(
            footprint(&app).await,
            before,
            "{import}: nothing is written"
        );
    }
});

db_test!(a_file_of_two_encodings_is_refused_naming_the_line, |app| {
    let dir = TempDir::new();
    // Chinese Excel saves GB18030; one row pasted in from a UTF-8 source.
    let (gb, _, _) = encoding_rs::GB18030.encode("工号,姓名,部门\nZ9101,张三,PROD1\n");
    let mut bytes = gb.into_owned();
    bytes.extend_from_slice("Z9102,李四,PROD1\n".as_bytes());
    let file = dir.0.join("mixed.csv");
    std::fs::write(&file, &bytes).unwrap();
    let before = footprint(&app).await;
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "employees"])
        .arg(&file));
    assert!(!ok, "a mixed file fails\n{out}{err}");
    assert!(
        format!("{out}{err}").contains("row 3: this line is UTF-8"),
        "{out}{err}"
    );
    assert_eq!(footprint(&app).await, before, "nothing is written");
});
