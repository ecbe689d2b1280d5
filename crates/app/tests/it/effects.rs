//! Level 4 of value proof: a program's effect on a KPI through the API, the page, the
//! export, the printable report and `skillbridge evaluate`, on data with a known effect.

use crate::competency_import::{run, skillbridge};
use crate::db_test;
use crate::support::{Backend, TempDir, TestApp};
use domain::audit::AuditRepository;
use domain::jobs::JobRepository;
use serde_json::{Value, json};
use store::prelude::*;

/// 80 people in one new position; 40 complete program EV-P1 (20 in June, 20 in August
/// 2025); their KPI (lower is better) drops by exactly 1.0 from the month after
/// completion. Everyone shares a seasonal pattern and a drift and keeps a personal
/// level, and those trained start 0.5 worse (weaker performers are sent), so the
/// difference-in-differences is exactly −1.0 while the naive comparisons are not.
async fn planted(app: &TestApp) -> i64 {
    planted_with(app, 1.0).await
}

/// An SQL timestamp literal for the rows the tests write, in each engine's form.
fn entered_at(app: &TestApp) -> &'static str {
    match app.backend {
        Backend::Sqlite => "'2025-01-01T00:00:00.000000Z'",
        Backend::Postgres => "TIMESTAMPTZ '2025-01-01 00:00:00+00'",
    }
}

/// Like [`planted`], with the KPI dropping by `drop` instead of 1.0.
async fn planted_with(app: &TestApp, drop: f64) -> i64 {
    let ts = entered_at(app);
    app.exec("INSERT INTO positions (code, name) VALUES ('EV-POS', '评估岗位')")
        .await;
    app.exec(
        "UPDATE employees SET position_id = (SELECT id FROM positions WHERE code = 'EV-POS') \
         WHERE id IN (SELECT id FROM employees WHERE status = 'active' ORDER BY id LIMIT 80)",
    )
    .await;
    app.exec(&format!(
        "INSERT INTO kpis (code, name, unit, direction, aggregation, created_at, updated_at) \
         VALUES ('EV_KPI', '返工率', '%', 'lower', 'mean', {ts}, {ts})"
    ))
    .await;
    let token = app.token("training").await;
    let (status, created) = app
        .call(
            &token,
            "POST",
            "/api/v1/programs",
            Some(json!({ "code": "EV-P1", "title": "返工预防", "hours": 8.0,
                "transfer": { "kpi_code": "EV_KPI", "change_pct": -10.0, "months": 6 } })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let program = created["id"].as_i64().unwrap();
    app.exec(&format!(
        "UPDATE programs SET status = 'closed' WHERE id = {program}"
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO program_costs (program_id, kind, amount, note) VALUES ({program}, 'materials', 5000, '')"
    ))
    .await;
    for (offset, done) in [(0, "2025-06-15"), (20, "2025-08-10")] {
        app.exec(&format!(
            "INSERT INTO enrollments (program_id, employee_id, source, status, requested_at, completed_on, hours, updated_at) \
             SELECT {program}, e.id, 'assigned', 'completed', {ts}, '{done}', 8.0, {ts} FROM employees e \
             JOIN positions p ON p.id = e.position_id WHERE p.code = 'EV-POS' ORDER BY e.id LIMIT 20 OFFSET {offset}"
        ))
        .await;
    }
    let months: Vec<String> = (0..30)
        .map(|i| {
            let index = 2024 * 12 + i;
            let (year, month) = (index / 12, index % 12 + 1);
            // Seasonality: higher in winter.
            let season = [
                0.6, 0.5, 0.3, 0.1, 0.0, -0.1, -0.2, -0.1, 0.0, 0.2, 0.4, 0.5,
            ][month - 1];
            // A company-wide drift as well, which a before/after comparison mistakes
            // for an effect.
            format!("('{year:04}-{month:02}', {})", season + 0.05 * i as f64)
        })
        .collect();
    app.exec(&format!(
        "INSERT INTO kpi_values (kpi_id, employee_id, period, value, source, entered_by, entered_at) \
         SELECT k.id, e.id, v.column1, 5.0 + (e.id % 7) * 0.25 + v.column2 \
           + CASE WHEN en.completed_on IS NOT NULL THEN 0.5 ELSE 0.0 END \
           - CASE WHEN en.completed_on IS NOT NULL AND v.column1 > substr(CAST(en.completed_on AS TEXT), 1, 7) THEN {drop:.1} ELSE 0.0 END, \
           'business', 'test', {ts} \
         FROM employees e JOIN positions p ON p.id = e.position_id AND p.code = 'EV-POS' \
         CROSS JOIN kpis k CROSS JOIN (VALUES {}) v \
         LEFT JOIN enrollments en ON en.employee_id = e.id AND en.program_id = {program} \
         WHERE k.code = 'EV_KPI'",
        months.join(", ")
    ))
    .await;
    program
}

/// The 200 characters before `needle` in `text`, for failure messages.
fn before(text: &str, needle: &str) -> String {
    let end = text.find(needle).unwrap_or(0);
    let start: Vec<char> = text[..end].chars().collect();
    start[start.len().saturating_sub(200)..].iter().collect()
}

/// The planted KPI's rows of `kpi_values`.
const EV_KPI: &str = "kpi_id = (SELECT id FROM kpis WHERE code = 'EV_KPI')";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

db_test!(
    the_effect_of_a_program_is_the_planted_one_with_its_roi,
    |app| {
        let program = planted(&app).await;
        let token = app.token("training").await;
        let path = format!("/api/v1/evaluation/programs/{program}/effect");
        let (status, r) = app.call(&token, "GET", &path, None).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(
            r["subject"]["kpi_code"], "EV_KPI",
            "the transfer goal's KPI by default"
        );
        assert!(
            close(r["effect"].as_f64().unwrap(), -1.0),
            "{}",
            r["effect"]
        );
        assert!(
            close(r["ci_low"].as_f64().unwrap(), -1.0),
            "{}",
            r["ci_low"]
        );
        assert!(
            close(r["ci_high"].as_f64().unwrap(), -1.0),
            "{}",
            r["ci_high"]
        );
        // The worst of those sent have no untrained colleague that bad: left out.
        let n = r["n_trained"].as_f64().unwrap();
        assert!((30.0..=40.0).contains(&n), "{n}");
        assert_eq!(r["n_trained_total"], 40);
        assert!(r["n_comparison"].as_u64().unwrap() > 0);
        assert!(
            r["n_comparison"].as_u64().unwrap() <= 40,
            "trained people are never controls"
        );
        assert_eq!(r["verdict"], "improved");
        // The drift moves everyone, so the naive before/after is not the effect; those
        // sent were worse to begin with, so neither is trained-vs-untrained.
        assert!(
            (r["naive_before_after"].as_f64().unwrap() + 1.0).abs() > 0.2,
            "{r}"
        );
        assert!(
            (r["naive_trained_vs_untrained"].as_f64().unwrap() + 1.0).abs() > 0.2,
            "{r}"
        );
        for field in [
            "naive_trained_vs_untrained",
            "pretrend_p_value",
            "warnings",
            "balance",
        ] {
            assert!(r.get(field).is_some(), "{field} is in the result");
        }
        // Month by month around completion: 12 before, the month itself, 6 after.
        let series = r["series"].as_array().unwrap();
        assert_eq!(series.len(), 19);
        let at = |m: i64, group: &str| {
            series.iter().find(|p| p["month"] == m).unwrap()[group]
                .as_f64()
                .unwrap()
        };
        let gap_before = at(-1, "trained") - at(-1, "comparison");
        let gap_after = at(3, "trained") - at(3, "comparison");
        assert!(
            close(gap_after - gap_before, -1.0),
            "{gap_before} {gap_after}"
        );
        // No value per unit yet: costs but no ROI.
        assert!(r["roi"].is_null());
        // 40 people × 8 h × ¥80 default hourly cost + ¥5,000 of materials.
        assert!(
            close(r["cost"]["total"].as_f64().unwrap(), 30_600.0),
            "{}",
            r["cost"]
        );

        let (status, _) = app
            .call(
                &token,
                "PUT",
                "/api/v1/kpis/EV_KPI/unit-value",
                Some(json!({ "unit_value": 100.0 })),
            )
            .await;
        assert_eq!(status, 204);
        let (_, r) = app.call(&token, "GET", &path, None).await;
        let roi = &r["roi"];
        // 1.0 unit better × ¥100 × n people × 6 months (the transfer goal's window),
        // against the cost of all 40 who took part.
        let benefit = 100.0 * n * 6.0;
        assert!(
            close(roi["benefit"]["value"].as_f64().unwrap(), benefit),
            "{roi}"
        );
        assert!(
            close(
                roi["net_benefit"]["value"].as_f64().unwrap(),
                benefit - 30_600.0
            ),
            "{roi}"
        );
        assert!(close(
            roi["roi_pct"]["value"].as_f64().unwrap(),
            (benefit - 30_600.0) / 30_600.0 * 100.0
        ));
        assert!(close(
            roi["payback_months"]["value"].as_f64().unwrap(),
            30_600.0 / (100.0 * n)
        ));
        assert_eq!(roi["assumptions"].as_array().unwrap().len(), 5);
        // Overridden assumptions.
        let (_, r) = app
            .call(
                &token,
                "GET",
                &format!("{path}?benefit_months=12&hourly_cost=0"),
                None,
            )
            .await;
        assert!(close(
            r["roi"]["benefit"]["value"].as_f64().unwrap(),
            100.0 * n * 12.0
        ));
        assert!(close(r["cost"]["total"].as_f64().unwrap(), 5_000.0));
        let audit = app
            .store
            .list_audit(
                &domain::audit::AuditFilter::default(),
                domain::Page::new(Some(1), Some(50)),
            )
            .await
            .unwrap();
        assert!(
            audit
                .items
                .iter()
                .any(|a| a.action == "kpi.unit_value" && a.actor == "training")
        );
    }
);

db_test!(
    the_business_figure_wins_over_imports_and_hr_and_only_months_count,
    |app| {
        let program = planted(&app).await;
        let ts = entered_at(&app);
        // Copies the rows `rows` selects as `source`'s, `shift` apart.
        let copy = |source: &str, shift: f64, rows: &str| {
            format!(
                "INSERT INTO kpi_values (kpi_id, employee_id, period, value, source, entered_by, entered_at) \
                 SELECT kpi_id, employee_id, period, value + {shift:.1}, '{source}', 'test', {ts} \
                 FROM kpi_values WHERE {rows}"
            )
        };
        // HR's figures are 100 off everywhere: the business figure must win.
        app.exec(&copy(
            "hr",
            100.0,
            &format!("{EV_KPI} AND source = 'business'"),
        ))
        .await;
        // For the trained, March 2025 comes only from an import (which must win over
        // HR's), and July only from HR (used, as the only figure).
        let trained_in = |source: &str, period: &str| {
            format!(
                "{EV_KPI} AND source = '{source}' AND period = '{period}' \
                 AND employee_id IN (SELECT employee_id FROM enrollments WHERE program_id = {program})"
            )
        };
        app.exec(&copy("import", 0.0, &trained_in("business", "2025-03")))
            .await;
        app.exec(&format!(
            "DELETE FROM kpi_values WHERE {}",
            trained_in("business", "2025-03")
        ))
        .await;
        app.exec(&format!(
            "UPDATE kpi_values SET value = value - 100.0 WHERE {}",
            trained_in("hr", "2025-07")
        ))
        .await;
        app.exec(&format!(
            "DELETE FROM kpi_values WHERE {}",
            trained_in("business", "2025-07")
        ))
        .await;
        // Quarterly and yearly figures in the window are not months.
        for period in ["2025-Q1", "2025"] {
            app.exec(&format!(
                "INSERT INTO kpi_values (kpi_id, employee_id, period, value, source, entered_by, entered_at) \
                 SELECT DISTINCT kpi_id, employee_id, '{period}', 1000.0, 'business', 'test', {ts} \
                 FROM kpi_values WHERE {EV_KPI}"
            ))
            .await;
        }
        let token = app.token("training").await;
        let (status, r) = app
            .call(
                &token,
                "GET",
                &format!("/api/v1/evaluation/programs/{program}/effect"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{r}");
        for field in ["effect", "ci_low", "ci_high"] {
            assert!(close(r[field].as_f64().unwrap(), -1.0), "{field}: {r}");
        }
        let series = r["series"].as_array().unwrap();
        assert_eq!(series.len(), 19, "months only");
        for point in series {
            for group in ["trained", "comparison"] {
                let y = point[group].as_f64().unwrap();
                assert!((3.0..10.0).contains(&y), "{point}");
            }
        }
    }
);

db_test!(
    bad_effect_requests_name_the_field_and_callers_need_company_rights,
    |app| {
        let program = planted(&app).await;
        let token = app.token("training").await;
        let path = format!("/api/v1/evaluation/programs/{program}/effect");
        for (query, field) in [
            ("pre_months=1", "pre_months"),
            ("post_months=99", "post_months"),
            ("matching=magic", "matching"),
            ("kpi=NOPE", "kpi"),
            ("unit_value=-3", "unit_value"),
            ("benefit_months=0", "benefit_months"),
        ] {
            let (status, body) = app
                .call(&token, "GET", &format!("{path}?{query}"), None)
                .await;
            assert_eq!(status, 422, "{query}: {body}");
            assert!(
                body.to_string().contains(field),
                "{query} names {field}: {body}"
            );
        }
        let (status, _) = app
            .call(
                &token,
                "PUT",
                "/api/v1/kpis/EV_KPI/unit-value",
                Some(json!({ "unit_value": -1 })),
            )
            .await;
        assert_eq!(status, 422);
        let (status, _) = app
            .call(
                &token,
                "GET",
                "/api/v1/evaluation/programs/999999/effect",
                None,
            )
            .await;
        assert_eq!(status, 404);
        // The comparison group spans the company: department-scoped managers may not see it.
        for (user, expected) in [
            ("manager", 403),
            ("employee", 403),
            ("instructor", 403),
            ("executive", 200),
        ] {
            let token = app.token(user).await;
            let (status, _) = app.call(&token, "GET", &path, None).await;
            assert_eq!(status, expected, "{user}");
        }
        let manager = app.token("executive").await;
        let (status, _) = app
            .call(
                &manager,
                "PUT",
                "/api/v1/kpis/EV_KPI/unit-value",
                Some(json!({ "unit_value": 1 })),
            )
            .await;
        assert_eq!(status, 403, "executives read, they do not configure");
    }
);

db_test!(the_effect_page_export_and_report_show_the_estimate, |app| {
    let program = planted(&app).await;
    let (browser, _) = app.login("training").await;
    let page = browser
        .get(app.url(&format!("/evaluation/programs/{program}/effect")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"headline\""), "{html}");
    assert!(html.contains("-1.000"), "the effect is shown");
    assert!(html.contains("<svg"), "the chart is drawn");
    assert!(
        !html.contains("??"),
        "every text is translated: …{}",
        before(&html, "??")
    );
    let bad = browser
        .get(app.url(&format!(
            "/evaluation/programs/{program}/effect?kpi=EV_KPI&pre_months=x"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\""),
        "the error is shown: {html}"
    );
    assert!(html.contains("value=\"x\""), "what was typed is kept");
    let xlsx = browser
        .get(app.url(&format!(
            "/evaluation/programs/{program}/effect.xlsx?kpi=EV_KPI"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), 2);
    let series = book.worksheet_range(&names[1]).unwrap();
    assert_eq!(series.height(), 20, "a header and 19 months");
    let report = browser
        .get(app.url(&format!("/evaluation/programs/{program}/report")))
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), 200);
    let html = report.text().await.unwrap();
    assert!(html.contains("EV-P1") && html.contains("<svg") && html.contains("data-print"));
    // Managers do not get the page.
    let (manager, _) = app.login("manager").await;
    let denied = manager
        .get(app.url(&format!("/evaluation/programs/{program}/effect")))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
});

db_test!(evaluate_prints_the_estimate_as_text_and_json, |app| {
    planted(&app).await;
    let dir = TempDir::new();
    let (ok, out, err) = run(skillbridge(&app, &dir).args([
        "evaluate",
        "--program",
        "EV-P1",
        "--kpi",
        "EV_KPI",
        "--json",
        "--record",
    ]));
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).expect("one JSON object");
    for key in [
        "effect",
        "ci_low",
        "ci_high",
        "n_trained",
        "n_comparison",
        "naive_before_after",
        "naive_trained_vs_untrained",
        "pretrend_p_value",
        "warnings",
    ] {
        assert!(r.get(key).is_some(), "{key} in {out}");
    }
    assert!(close(r["effect"].as_f64().unwrap(), -1.0));
    let runs = app.store.latest_effect_runs().await.unwrap();
    assert_eq!(runs.len(), 1);
    assert!(close(runs[0].effect, -1.0));
    let (ok, out, err) = run(skillbridge(&app, &dir).args([
        "evaluate",
        "--program",
        "EV-P1",
        "--pre-months",
        "4",
        "--post-months",
        "3",
    ]));
    assert!(ok, "{err}");
    assert!(
        out.contains("Effect (difference-in-differences): -1.000"),
        "{out}"
    );
    assert!(out.contains("Naive before/after"), "{out}");
    let (ok, _, err) = run(skillbridge(&app, &dir).args(["evaluate", "--program", "NOPE"]));
    assert!(!ok);
    assert!(err.contains("--program"), "{err}");
    let (ok, _, err) =
        run(skillbridge(&app, &dir).args(["evaluate", "--program", "EV-P1", "--pre-months", "1"]));
    assert!(!ok);
    assert!(err.contains("--pre-months"), "{err}");
});

db_test!(a_program_too_small_to_judge_says_so, |app| {
    // On the 400-person test company the first complaint-handling cohort has only a
    // handful of learners: the result must say so rather than claim an effect.
    let token = app.token("training").await;
    let id = app.store.program_id("CS-2025-01").await.unwrap();
    let (status, r) = app
        .call(
            &token,
            "GET",
            &format!("/api/v1/evaluation/programs/{id}/effect"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["subject"]["kpi_code"], "COMPLAINT_RATE");
    assert!(r["n_trained_total"].as_u64().unwrap() > 0, "{r}");
    assert!(r["n_trained"].as_u64().unwrap() < 30, "{r}");
    let codes: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert!(codes.contains(&"too_few_trained"), "{codes:?}");
    if r["n_trained"] == 0 {
        assert_eq!(r["verdict"], "inconclusive");
        assert!(r["roi"].is_null(), "no ROI without anyone in the estimate");
    }
});

db_test!(
    the_nightly_job_records_effects_and_flags_completed_programs_without_one,
    |app| {
        let program = planted_with(&app, 0.0).await;
        app.store
            .enqueue_job(
                app::worker::EVALUATE_PROGRAMS,
                "{}",
                time::OffsetDateTime::now_utc(),
                3,
            )
            .await
            .unwrap();
        assert_eq!(app.worker().tick().await.unwrap(), 1);
        let runs = app.store.latest_effect_runs().await.unwrap();
        let ours = runs
            .iter()
            .find(|r| r.program_id == program)
            .expect("EV-P1 was estimated");
        assert!(close(ours.effect, 0.0), "{}", ours.effect);
        // The demo's closed programs with a KPI goal were estimated too.
        assert!(runs.len() > 1, "{}", runs.len());
        let alerts = service::effect::no_effect_alerts(&app.store).await.unwrap();
        let flagged = alerts
            .iter()
            .find(|a| a.program_id == program)
            .expect("EV-P1 is flagged");
        assert_eq!(flagged.verdict, "inconclusive");
        assert!(close(flagged.completion_rate, 1.0));
        // A program that worked is not flagged.
        let cs = app.store.program_id("CS-2025-01").await.unwrap();
        let cs_run = runs.iter().find(|r| r.program_id == cs).unwrap();
        if cs_run.ci_high < 0.0 {
            assert!(alerts.iter().all(|a| a.program_id != cs));
        }
    }
);
