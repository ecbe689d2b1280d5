//! KPI definitions and values imports on both databases.

use crate::db_test;
use domain::org::OrgRepository;
use service::imports::{import_kpi_definitions, import_kpi_values};
use store::prelude::*;

const DEFINITIONS: &str = "指标编码,指标名称,单位,方向,汇总,来源系统\nOUTPUT,产量,件,越高越好,求和,MES\nDEFECT,不良率,%,越低越好,比率,QMS\n";

async fn kpi_count(app: &crate::support::TestApp) -> usize {
    app.store.list_kpis().await.unwrap().len()
}

db_test!(definitions_then_values_long_and_wide, |app| {
    let state = app.state().clone();
    let actor = domain::audit::Actor::cli();
    let before = kpi_count(&app).await;
    let bad = format!("{DEFINITIONS}X,,,sideways,sum,\n");
    let report = import_kpi_definitions(&state, None, bad.as_bytes(), "k.csv", false, &actor)
        .await
        .unwrap();
    assert!(report.outcome.is_none() && report.errors.iter().any(|e| e.row == 4));
    assert_eq!(kpi_count(&app).await, before, "all or nothing");
    let report =
        import_kpi_definitions(&state, None, DEFINITIONS.as_bytes(), "k.csv", false, &actor)
            .await
            .unwrap();
    assert_eq!(
        report.outcome,
        Some((1, 0)),
        "OUTPUT is already defined alike by the demo; DEFECT is new"
    );
    let again =
        import_kpi_definitions(&state, None, DEFINITIONS.as_bytes(), "k.csv", false, &actor)
            .await
            .unwrap();
    assert_eq!(again.outcome, Some((0, 0)), "re-import changes nothing");

    let long = "工号,部门编码,指标编码,期间,数值,来源\nHC000013,,OUTPUT,2025-06,1200,业务系统\nHC000013,,OUTPUT,2025-06,1180,人力\n,PROD1,DEFECT,2025/6,1.5%,\n";
    let r = import_kpi_values(&state, None, long.as_bytes(), "v.csv", false, false, &actor)
        .await
        .unwrap();
    let o = r.outcome.expect("written");
    assert_eq!((r.valid, o.written, o.unchanged), (3, 3, 0));
    let r = import_kpi_values(&state, None, long.as_bytes(), "v.csv", false, false, &actor)
        .await
        .unwrap();
    assert_eq!(r.outcome.unwrap().unchanged, 3, "idempotent");

    let wide = "工号,指标编码,来源,2025-01,2025-02,2025-03\nHC000013,OUTPUT,hr,100,,120\nHC000014,OUTPUT,hr,90,95,99\nNOBODY,OUTPUT,hr,1,2,3\n";
    let r = import_kpi_values(&state, None, wide.as_bytes(), "w.csv", false, false, &actor)
        .await
        .unwrap();
    assert!(r.outcome.is_none(), "a bad row rejects the file");
    assert!(
        r.errors
            .iter()
            .any(|e| e.row == 4 && e.reason.contains("NOBODY"))
    );
    let r = import_kpi_values(&state, None, wide.as_bytes(), "w.csv", true, false, &actor)
        .await
        .unwrap();
    assert_eq!(r.outcome.unwrap().written, 5, "valid rows only");
    let dry = import_kpi_values(&state, None, wide.as_bytes(), "w.csv", true, true, &actor)
        .await
        .unwrap();
    assert!(dry.outcome.is_none());
});

db_test!(kpi_imports_need_a_company_people_manager, |app| {
    let state = app.state().clone();
    let manager = {
        use domain::account::AccountRepository;
        app.store
            .load_principal(app.user_id("manager").await)
            .await
            .unwrap()
    };
    let actor = domain::audit::Actor::cli();
    assert!(matches!(
        import_kpi_definitions(
            &state,
            Some(&manager),
            DEFINITIONS.as_bytes(),
            "k.csv",
            false,
            &actor
        )
        .await,
        Err(domain::DomainError::Forbidden)
    ));
});

db_test!(the_demo_history_shows_in_the_api_and_pages, |app| {
    let token = app.token("executive").await;
    let kpis = app.get_json(&token, "/api/v1/kpis").await;
    let kpis = kpis.as_array().unwrap();
    assert_eq!(kpis.len(), demo::performance::KPIS.len());
    let output = kpis.iter().find(|k| k["code"] == "OUTPUT").unwrap();
    assert!(output["values"].as_i64().unwrap() > 1000, "{output}");
    assert_eq!(output["latest_period"], "2026-10");
    let (browser, csrf) = app.login("training").await;
    let page = app.page_text(&browser, "/performance").await;
    assert!(page.contains("产量") && page.contains("越低越好"));
    // An operator's page shows their history.
    let op = app
        .store
        .find_employee_id("HC000015")
        .await
        .unwrap()
        .unwrap();
    let person = app.page_text(&browser, &format!("/people/{op}")).await;
    assert!(
        person.contains("绩效数据") && person.contains("2026-10"),
        "history on the person page"
    );
    // Upload through the page: definitions, as a dry run first.
    let form = |dry: bool| {
        let mut f = reqwest::multipart::Form::new()
            .text("kind", "definitions")
            .part("file", reqwest::multipart::Part::bytes(b"\xef\xbb\xbf\xe6\x8c\x87\xe6\xa0\x87\xe7\xbc\x96\xe7\xa0\x81,\xe6\x8c\x87\xe6\xa0\x87\xe5\x90\x8d\xe7\xa7\xb0,\xe6\x96\xb9\xe5\x90\x91,\xe6\xb1\x87\xe6\x80\xbb\nSAFETY,safety,lower,sum\n".to_vec()).file_name("k.csv"));
        if dry {
            f = f.text("dry_run", "on");
        }
        f
    };
    let res = browser
        .post(app.url(&format!("/performance/import?_csrf={csrf}")))
        .multipart(form(true))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.store.list_kpis().await.unwrap().len(),
        demo::performance::KPIS.len(),
        "dry run"
    );
    let res = browser
        .post(app.url(&format!("/performance/import?_csrf={csrf}")))
        .multipart(form(false))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        app.store
            .list_kpis()
            .await
            .unwrap()
            .iter()
            .any(|k| k.code == "SAFETY")
    );
});

db_test!(
    reconciliation_queues_differences_and_audits_decisions,
    |app| {
        use domain::performance::{Period, ReconciliationStatus};
        let actor = domain::audit::Actor::cli();
        // The demo history holds a few HR figures that disagree with the business system.
        let mut queued = 0;
        for m in [
            "2025-03", "2025-06", "2025-09", "2025-12", "2026-03", "2026-06",
        ] {
            queued += app
                .store
                .reconcile(Period::parse(m).unwrap(), &actor)
                .await
                .unwrap()
                .queued;
        }
        assert!(queued > 0, "the demo's mismatches reach the queue");
        // A difference inside the KPI's tolerance is not queued.
        let state = app.state().clone();
        let csv = "工号,指标编码,期间,数值,来源\nHC000013,OUTPUT,2031-01,100,hr\nHC000013,OUTPUT,2031-01,100,business\nHC000014,OUTPUT,2031-01,90,hr\nHC000014,OUTPUT,2031-01,80,business\n";
        import_kpi_values(&state, None, csv.as_bytes(), "r.csv", false, false, &actor)
            .await
            .unwrap();
        let period = Period::parse("2031-01").unwrap();
        let run = app.store.reconcile(period, &actor).await.unwrap();
        assert_eq!((run.queued, run.open), (1, 1));
        assert_eq!(
            app.store.reconcile(period, &actor).await.unwrap().open,
            1,
            "running again queues nothing new"
        );
        let token = app.token("training").await;
        let c = app.client();
        let page = app
            .get_json(&token, "/api/v1/reconciliation?period=2031-01")
            .await;
        assert_eq!(page["total"], 1);
        let item = &page["items"][0];
        assert_eq!(
            (item["hr_value"].as_f64(), item["business_value"].as_f64()),
            (Some(90.0), Some(80.0))
        );
        let id = item["id"].as_i64().unwrap();
        let bad = c
            .post(app.url(&format!("/api/v1/reconciliation/{id}/decision")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"decision": "annotated"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422, "an annotation needs a note");
        let ok = c
            .post(app.url(&format!("/api/v1/reconciliation/{id}/decision")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"decision": "accepted_business", "note": "MES 为准"}))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 204);
        let decided = app
            .store
            .list_reconciliation(
                &domain::DataScope::company(),
                Some(period),
                Some(ReconciliationStatus::AcceptedBusiness),
                domain::Page::default(),
            )
            .await
            .unwrap();
        assert_eq!(decided.total, 1);
        let audit = app.audit("reconciliation.decide").await;
        assert_eq!(audit.items[0].actor, "training");
        assert!(
            audit.items[0].before.as_deref().unwrap().contains("open")
                && audit.items[0].after.as_deref().unwrap().contains("MES")
        );
        // The page shows the summary per department and month.
        let (browser, _) = app.login("training").await;
        let html = app
            .page_text(&browser, "/performance/reconciliation?period=2031-01")
            .await;
        assert!(html.contains("各部门校验状态") && html.contains("已采用业务数据"));
    }
);

db_test!(entry_status_shows_missing_and_late_values, |app| {
    use domain::performance::Period;
    let utc8 = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    // The demo history misses about 1 in 100 monthly entries.
    let status = app
        .store
        .entry_status(
            &domain::DataScope::company(),
            Period::parse("2026-06").unwrap(),
            utc8,
        )
        .await
        .unwrap();
    let output = status.iter().find(|s| s.kpi_code == "OUTPUT").unwrap();
    assert!(output.expected > 100 && output.present > 0, "{output:?}");
    assert_eq!(output.deadline, "2026-07-05");
    // Values for a month whose deadline has passed arrive late now.
    let late_before = app
        .store
        .entry_status(
            &domain::DataScope::company(),
            Period::parse("2026-10").unwrap(),
            utc8,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kpi_code == "OUTPUT")
        .unwrap()
        .late;
    let csv = "工号,指标编码,期间,数值,来源\nHC000013,OUTPUT,2026-10,100,business\n";
    let state = app.state().clone();
    import_kpi_values(
        &state,
        None,
        csv.as_bytes(),
        "late.csv",
        false,
        false,
        &domain::audit::Actor::cli(),
    )
    .await
    .unwrap();
    let status = app
        .store
        .entry_status(
            &domain::DataScope::company(),
            Period::parse("2026-10").unwrap(),
            utc8,
        )
        .await
        .unwrap();
    let output = status.iter().find(|s| s.kpi_code == "OUTPUT").unwrap();
    assert_eq!(output.late, late_before + 1, "{output:?}");
    let quarterly = status.iter().find(|s| s.kpi_code == "PERF_SCORE").unwrap();
    assert!(
        !quarterly.due && quarterly.missing == 0,
        "a quarterly KPI is not due in October"
    );
    // A manager's view covers their subtree only.
    let prod1 = app.department("PROD1").await;
    let scoped = domain::DataScope {
        department_paths: vec![prod1.path],
        ..Default::default()
    };
    let mine = app
        .store
        .entry_status(&scoped, Period::parse("2026-06").unwrap(), utc8)
        .await
        .unwrap();
    assert!(
        mine.iter()
            .find(|s| s.kpi_code == "OUTPUT")
            .unwrap()
            .expected
            < output.expected.max(1) + 10_000
    );
    let (browser, _) = app.login("manager").await;
    let html = app
        .page_text(&browser, "/performance/entry?period=2026-06")
        .await;
    assert!(html.contains("缺报") && html.contains("2026-07-05"));
    assert!(
        html.contains(r#"href="/performance/entry" class="active""#),
        "the most specific navigation entry is active"
    );
    assert!(!html.contains(r#"href="/performance" class="active""#));
});

db_test!(kpi_values_and_entry_status_through_the_api, |app| {
    let token = app.token("manager").await;
    let c = app.client();
    let op = app
        .store
        .find_employee_id("HC000015")
        .await
        .unwrap()
        .unwrap();
    let values = app
        .get_json(&token, &format!("/api/v1/employees/{op}/kpi-values"))
        .await;
    let values = values.as_array().unwrap();
    assert!(values.iter().any(|v| v["kpi_code"] == "OUTPUT"
        && v["period"] == "2026-10"
        && v["source"] == "business"));
    let status = app
        .get_json(&token, "/api/v1/kpis/entry-status?period=2026-06")
        .await;
    let output = status
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kpi_code"] == "OUTPUT")
        .unwrap()
        .clone();
    assert_eq!(output["deadline"], "2026-07-05");
    let bad = c
        .get(app.url("/api/v1/kpis/entry-status?period=June"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "period");
});

db_test!(
    a_bad_reconciliation_decision_is_refused_alike_on_page_and_api,
    |app| {
        // The page used to name the field `status` with the status list's wording, the API
        // `decision`; both now name `decision` and ask for one of the three decisions.
        let token = app.token("training").await;
        let (status, problem) = app
            .call(
                &token,
                "POST",
                "/api/v1/reconciliation/999999/decision",
                Some(serde_json::json!({ "decision": "open" })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "decision");
        let (status, problem) = app
            .call(
                &token,
                "POST",
                "/api/v1/reconciliation/999999/decision",
                Some(serde_json::json!({ "decision": "nonsense" })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "decision");
        assert_eq!(
            problem["detail"],
            "decision: choose accepted_hr, accepted_business or annotated"
        );

        let (browser, csrf) = app.login("training").await;
        let res = app
            .post_form(
                &browser,
                "/performance/reconciliation/999999/decision",
                &[("decision", "nonsense"), ("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("choose accepted_hr, accepted_business or annotated"),
            "{html}"
        );
        assert!(!html.contains("is not open, accepted_hr"), "{html}");
    }
);
