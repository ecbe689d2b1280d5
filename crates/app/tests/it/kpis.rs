//! KPI definitions and values imports on both databases.

use crate::db_test;
use web::service::{import_kpi_definitions, import_kpi_values};

const DEFINITIONS: &str = "指标编码,指标名称,单位,方向,汇总,来源系统\nOUTPUT,产量,件,越高越好,求和,MES\nDEFECT,不良率,%,越低越好,比率,QMS\n";

async fn kpi_count(app: &crate::support::TestApp) -> usize {
    app.store.list_kpis().await.unwrap().len()
}

db_test!(definitions_then_values_long_and_wide, |app| {
    let state = app.state().clone();
    let actor = domain::audit::Actor::cli();
    let bad = format!("{DEFINITIONS}X,,,sideways,sum,\n");
    let report = import_kpi_definitions(&state, None, bad.as_bytes(), "k.csv", false, &actor)
        .await
        .unwrap();
    assert!(report.written.is_none() && report.errors.iter().any(|e| e.row == 4));
    assert_eq!(kpi_count(&app).await, 0, "all or nothing");
    let report =
        import_kpi_definitions(&state, None, DEFINITIONS.as_bytes(), "k.csv", false, &actor)
            .await
            .unwrap();
    assert_eq!(report.written, Some((2, 0)));
    let again =
        import_kpi_definitions(&state, None, DEFINITIONS.as_bytes(), "k.csv", false, &actor)
            .await
            .unwrap();
    assert_eq!(again.written, Some((0, 0)), "re-import changes nothing");

    let long = "工号,部门编码,指标编码,期间,数值,来源\nHC000013,,OUTPUT,2025-06,1200,业务系统\nHC000013,,OUTPUT,2025-06,1180,人力\n,PROD1,DEFECT,2025/6,1.5%,\n";
    let r = import_kpi_values(&state, None, long.as_bytes(), "v.csv", false, false, &actor)
        .await
        .unwrap();
    let o = r.outcome.expect("written");
    assert_eq!((r.values, o.written, o.unchanged), (3, 3, 0));
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
