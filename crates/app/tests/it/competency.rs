//! Competency models, assessments and gaps.

use crate::db_test;
use domain::org::OrgRepository;
use store::prelude::*;

db_test!(
    gaps_use_the_latest_assessment_and_keep_unassessed_unknown,
    |app| {
        let token = app.token("training").await;
        // Find an operator with at least one assessed and one unassessed required skill.
        let ops = app
            .get_json(&token, "/api/v1/employees?q=HC0000&per_page=200")
            .await;
        let mut checked = false;
        for e in ops["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["position_name"] == "生产操作工")
        {
            let id = e["id"].as_i64().unwrap();
            let gaps = app
                .get_json(&token, &format!("/api/v1/employees/{id}/gaps"))
                .await;
            let gaps = gaps.as_array().unwrap();
            assert_eq!(gaps.len(), 4, "the operator model has four skills");
            assert_eq!(gaps[0]["tier"], "core", "core skills first");
            for g in gaps {
                match g["current_level"].as_i64() {
                    None => assert!(
                        g["gap"].is_null() && g["weighted_gap"].is_null(),
                        "unassessed is unknown, not zero: {g}"
                    ),
                    Some(level) => {
                        let expected = (g["required_level"].as_i64().unwrap() - level).max(0);
                        assert_eq!(g["gap"].as_i64(), Some(expected));
                    }
                }
            }
            if gaps.iter().any(|g| g["current_level"].is_null())
                && gaps.iter().any(|g| !g["current_level"].is_null())
            {
                // A newer assessment replaces the older one.
                let no = e["employee_no"].as_str().unwrap();
                let skill =
                    gaps.iter().find(|g| !g["current_level"].is_null()).unwrap()["skill_code"]
                        .as_str()
                        .unwrap()
                        .to_string();
                let later = time::macros::date!(2026 - 11 - 20);
                let input = store::AssessmentInput {
                    employee_no: no,
                    skill: &skill,
                    level: 3,
                    method: "exam",
                    assessed_on: later,
                };
                app.store
                    .record_assessments(&[input], &domain::audit::Actor::cli())
                    .await
                    .unwrap();
                let gaps = app.store.employee_gaps(id).await.unwrap();
                let g = gaps.iter().find(|g| g.skill_code == skill).unwrap();
                assert_eq!((g.current_level, g.gap()), (Some(3), Some(0)));
                let (browser, _) = app.login("training").await;
                let html = app.page_text(&browser, &format!("/people/{id}")).await;
                assert!(html.contains("能力差距") && html.contains("未测评"));
                assert!(
                    html.contains("<svg") && html.contains("class=\"radar\""),
                    "radar chart rendered on the server"
                );
                checked = true;
                break;
            }
        }
        assert!(checked, "the demo has partly assessed operators");
        let _ = app.store.find_employee_id("HC000001").await.unwrap();
    }
);

db_test!(heat_map_is_computed_in_sql_within_scope, |app| {
    let all = app
        .store
        .gap_heatmap(&domain::DataScope::company())
        .await
        .unwrap();
    assert!(
        all.iter().any(|c| c.avg_gap.unwrap_or(0.0) > 0.0),
        "the demo shows real gaps"
    );
    for c in &all {
        assert!(c.assessed <= c.people);
        if let Some(g) = c.avg_gap {
            assert!((0.0..=3.0).contains(&g));
        }
    }
    let prod1 = app.department("PROD1").await;
    let scope = domain::DataScope {
        department_paths: vec![prod1.path],
        ..Default::default()
    };
    let mine = app.store.gap_heatmap(&scope).await.unwrap();
    assert!(!mine.is_empty() && mine.len() < all.len());
    assert!(
        mine.iter()
            .all(|c| ["冲压车间", "焊装车间", "生产一部"].contains(&c.department.as_str())),
        "only 生产一部's subtree"
    );
    let (browser, _) = app.login("manager").await;
    let html = app.page_text(&browser, "/competency").await;
    assert!(
        html.contains("团队能力差距热力图")
            && html.contains("冲压车间")
            && !html.contains("华东销售大区")
    );
});
