//! Employee imports through the upload page and the CLI service: validation before
//! any write, all-or-nothing, idempotent re-imports, saved mappings, audit.

use crate::db_test;
use crate::support::TestApp;
use domain::org::OrgRepository;
use domain::{DataScope, Page};
use service::imports::{EmployeeImportRequest, import_employees};
use store::prelude::*;

/// Uploads a people file as `user` through the import page.
async fn upload(
    app: &TestApp,
    user: &str,
    bytes: Vec<u8>,
    name: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    app.upload(user, "/people/import", (bytes, name), fields)
        .await
}

async fn count(app: &TestApp) -> i64 {
    app.store
        .list_employees(
            &DataScope::company(),
            &Default::default(),
            Page::new(Some(1), Some(1)),
        )
        .await
        .unwrap()
        .total
}

const GOOD: &str = "工号,姓名,部门,岗位,直属上级,入职日期,状态,手机\n\
                    N0001,赵一,PROD1-STAMP,生产操作工,HC000001,2024/3/1,在职,13800000001\n\
                    N0002,钱二,冲压车间,生产操作工,N0001,2024年3月2日,在职,13800000002\n\
                    N0003,孙三,QA-IQC,,N0002,45352,休假,\n";

db_test!(
    upload_preview_then_import_then_reimport_changes_nothing,
    |app| {
        let before = count(&app).await;
        let (gb18030, _, _) = encoding_rs::GB18030.encode(GOOD);
        let (status, page) = upload(
            &app,
            "training",
            gb18030.to_vec(),
            "hr.csv",
            &[("dry_run", "on")],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("预览完成"), "preview");
        assert_eq!(count(&app).await, before, "a preview writes nothing");
        let (status, page) = upload(&app, "training", gb18030.to_vec(), "hr.csv", &[]).await;
        assert_eq!(status, 200);
        assert!(page.contains("导入完成"), "{page}");
        assert_eq!(count(&app).await, before + 3);
        let no2 = app.store.find_employee_id("N0002").await.unwrap().unwrap();
        let e = app
            .store
            .get_employee(&DataScope::company(), no2)
            .await
            .unwrap();
        assert_eq!(e.department_name, "冲压车间", "department found by name");
        assert_eq!(
            e.manager_name.as_deref(),
            Some("赵一"),
            "manager from the same file"
        );
        assert_eq!(e.hire_date.unwrap().to_string(), "2024-03-02");
        // The same file again: every row unchanged.
        let state = app.state().clone();
        let again = import_employees(
            &state,
            None,
            request(GOOD.as_bytes().to_vec()),
            &domain::audit::Actor::cli(),
        )
        .await
        .unwrap();
        let o = again.outcome.unwrap();
        assert_eq!(
            (o.inserted, o.updated, o.unchanged, o.managers_changed),
            (0, 0, 3, 0)
        );
        let audit = app.audit("people.import").await;
        assert_eq!(audit.total, 2);
        assert!(audit.items.iter().any(
            |a| a.actor == "training" && a.after.as_deref().unwrap().contains("\"inserted\":3")
        ));
    }
);

fn request(bytes: Vec<u8>) -> EmployeeImportRequest {
    EmployeeImportRequest::new(bytes, "test.csv", false, Default::default())
}

db_test!(
    a_file_with_bad_rows_writes_nothing_unless_valid_only,
    |app| {
        let bad = format!(
            "{GOOD}N0004,,NOWHERE,,N0999,2024-02-30,fired,\nN0005,周五,PROD1,,,,,\nN0005,吴六,PROD1,,,,,\n"
        );
        let before = count(&app).await;
        let state = app.state().clone();
        let actor = domain::audit::Actor::cli();
        let report = import_employees(&state, None, request(bad.clone().into_bytes()), &actor)
            .await
            .unwrap();
        assert!(report.outcome.is_none());
        assert_eq!(count(&app).await, before, "all or nothing");
        let has = |row: usize, col: &str| {
            report
                .errors
                .iter()
                .any(|e| e.row == row && e.column == col)
        };
        assert!(
            has(5, "姓名") && has(5, "部门") && has(5, "入职日期") && has(5, "状态"),
            "{:?}",
            report.errors
        );
        assert!(
            has(6, "工号") && has(7, "工号"),
            "both rows of a repeated employee number"
        );
        let mut valid_only = request(bad.into_bytes());
        valid_only.kind.options.valid_only = true;
        let report = import_employees(&state, None, valid_only, &actor)
            .await
            .unwrap();
        assert_eq!(report.outcome.unwrap().inserted, 3);
        assert_eq!(count(&app).await, before + 3);
        // A page upload of the bad file shows the rows and their reasons.
        let (status, page) = upload(
            &app,
            "admin",
            "工号,姓名,部门\nX1,,PROD1\n".as_bytes().to_vec(),
            "bad.csv",
            &[],
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("未导入任何数据") && page.contains("missing"),
            "{page}"
        );
    }
);

db_test!(xlsx_and_saved_mappings, |app| {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["EmpNo", "FullName", "Dept", "JobRole", "JoinDate"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "X0001").unwrap();
    sheet.write_string(1, 1, "李雷").unwrap();
    sheet.write_string(1, 2, "Field Service").unwrap();
    sheet.write_string(1, 3, "Technician").unwrap();
    sheet.write_number(1, 4, 45352.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let state = app.state().clone();
    let actor = domain::audit::Actor::cli();
    // Without a mapping the required columns are missing, and the report says which.
    let report = import_employees(&state, None, request(bytes.clone()), &actor)
        .await
        .unwrap();
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.row == 1 && e.column == "employee_no"),
        "{:?}",
        report.errors
    );
    let mut first = request(bytes.clone());
    first.kind.pairs = [
        "employee_no=EmpNo",
        "name=FullName",
        "department=Dept",
        "position=JobRole",
        "hire_date=JoinDate",
    ]
    .map(String::from)
    .to_vec();
    first.kind.save_mapping_as = Some("hris-en".into());
    first.kind.options.create_missing = true;
    let o = import_employees(&state, None, first, &actor)
        .await
        .unwrap()
        .outcome
        .unwrap();
    assert_eq!(
        (o.inserted, o.departments_created, o.positions_created),
        (1, 1, 1)
    );
    let dept = app
        .store
        .find_department_by_code("Field Service")
        .await
        .unwrap()
        .expect("created");
    assert!(
        dept.parent_id.is_some(),
        "new departments hang under the root"
    );
    let mut reuse = request(bytes);
    reuse.kind.mapping_name = Some("hris-en".into());
    let o = import_employees(&state, None, reuse, &actor)
        .await
        .unwrap()
        .outcome
        .unwrap();
    assert_eq!(o.unchanged, 1, "the saved mapping reproduces the import");
    let mut missing = request(b"a,b\n".to_vec());
    missing.kind.mapping_name = Some("nope".into());
    assert!(
        import_employees(&state, None, missing, &actor)
            .await
            .is_err()
    );
});

db_test!(only_company_people_managers_may_import, |app| {
    let (status, _) = upload(&app, "manager", GOOD.as_bytes().to_vec(), "hr.csv", &[]).await;
    assert_eq!(status, 403);
    let (browser, _) = app.login("employee").await;
    assert_eq!(app.page_status(&browser, "/people/import").await, 403);
});

const IBM_HR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ibm-hr/WA_Fn-UseC_-HR-Employee-Attrition.csv"
);

db_test!(the_ibm_hr_sample_imports_through_a_saved_mapping, |app| {
    let Ok(bytes) = std::fs::read(IBM_HR) else {
        panic!("the IBM HR sample is expected at {IBM_HR}");
    };
    let state = app.state().clone();
    let actor = domain::audit::Actor::cli();
    let kpis =
        "指标编码,指标名称,单位,方向,汇总,来源系统\nPERF_RATING,绩效评分,分,越高越好,平均,HR\n";
    service::imports::import_kpi_definitions(
        &state,
        None,
        kpis.as_bytes(),
        "kpis.csv",
        false,
        &actor,
    )
    .await
    .unwrap();
    let mut first = request(bytes.clone());
    first.kind.pairs = [
        "employee_no=EmployeeNumber",
        "department=Department",
        "position=JobRole",
        "grade=JobLevel",
        "kpi:PERF_RATING=PerformanceRating",
    ]
    .map(String::from)
    .to_vec();
    first.kind.save_mapping_as = Some("ibm-hr".into());
    first.kind.options.create_missing = true;
    first.kind.options.period = Some(domain::performance::Period::parse("2025-12").unwrap());
    let report = import_employees(&state, None, first, &actor).await.unwrap();
    assert_eq!(report.rows, 1473);
    assert!(
        report.outcome.is_none(),
        "the sample has problems, so nothing is written by default"
    );
    // Two employee numbers are each used by two different people: all four rows are reported.
    for (row, no) in [(432, "1479"), (1054, "1479"), (624, "1285"), (925, "1285")] {
        assert!(
            report
                .errors
                .iter()
                .any(|e| e.row == row && e.reason.contains(no)),
            "row {row}: {:?}",
            report.errors
        );
    }
    assert!(report.notes.iter().any(|n| n.contains("no name column")));
    let mut second = request(bytes);
    second.kind.mapping_name = Some("ibm-hr".into());
    second.kind.options = import::employees::Options {
        create_missing: true,
        valid_only: true,
        period: Some(domain::performance::Period::parse("2025-12").unwrap()),
    };
    let report = import_employees(&state, None, second, &actor)
        .await
        .unwrap();
    let o = report.outcome.expect("valid rows written");
    assert_eq!(
        (
            o.inserted,
            o.rejected_rows,
            o.departments_created,
            o.positions_created,
            o.kpi_values_written
        ),
        (1469, 4, 3, 9, 1469)
    );
    let id = app.store.find_employee_id("1384").await.unwrap().unwrap();
    let e = app
        .store
        .get_employee(&DataScope::company(), id)
        .await
        .unwrap();
    assert_eq!(
        (e.department_name.as_str(), e.position_name.as_deref()),
        ("Human Resources", Some("Human Resources"))
    );
});

db_test!(person_tags_import_filter_and_show, |app| {
    let csv = "工号,姓名,部门,职责,项目\nT0001,郑七,PROD1-STAMP,设备点检；安全员,精益改善\nT0002,冯八,PROD1-WELD,安全员,\n";
    let state = app.state().clone();
    let o = import_employees(
        &state,
        None,
        request(csv.as_bytes().to_vec()),
        &domain::audit::Actor::cli(),
    )
    .await
    .unwrap()
    .outcome
    .unwrap();
    assert_eq!(o.inserted, 2);
    let token = app.token("admin").await;
    let page = app.get_json(&token, "/api/v1/employees?tag=安全员").await;
    assert_eq!(page["total"], 2);
    let page = app.get_json(&token, "/api/v1/employees?tag=精益改善").await;
    assert_eq!(page["total"], 1);
    // Re-importing with a new set replaces the old one.
    let csv = "工号,姓名,部门,职责\nT0002,冯八,PROD1-WELD,班组培训员\n";
    import_employees(
        &state,
        None,
        request(csv.as_bytes().to_vec()),
        &domain::audit::Actor::cli(),
    )
    .await
    .unwrap();
    let id = app.store.find_employee_id("T0002").await.unwrap().unwrap();
    assert_eq!(
        app.store.employee_tags(id).await.unwrap(),
        vec![("duty".to_string(), "班组培训员".to_string())]
    );
    let (browser, _) = app.login("admin").await;
    let html = app.page_text(&browser, &format!("/people/{id}")).await;
    assert!(html.contains("班组培训员"));
});
