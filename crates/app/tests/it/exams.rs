//! Exams over the API and the pages: the question bank with its validation,
//! drawing papers, the time limit, automatic and manual grading, retake rules,
//! assessments from passed exams, completion with a required exam, learning gain,
//! and who may see and do what.

use crate::db_test;
use crate::support::TestApp;
use domain::audit::{Actor, AuditRepository};
use serde_json::{Value, json};
use store::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

fn at(minutes: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::minutes(minutes))
        .format(&Rfc3339)
        .unwrap()
}

/// Adds a question; returns its id.
async fn question(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, created) = app
        .call(token, "POST", "/api/v1/exam-questions", Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// A medium bank of one question of every kind, 2 points each, on `skill`.
async fn five_kinds(app: &TestApp, token: &str, skill: &str) {
    let q = |kind: &str, stem: &str, options: Value, answers: Value| {
        json!({ "skill_code": skill, "kind": kind, "difficulty": 2, "stem": stem,
                "options": options, "answers": answers, "points": 2 })
    };
    for body in [
        q(
            "single_choice",
            "S1 扭矩单位是？",
            json!(["N·m", "kg", "m/s"]),
            json!(["A"]),
        ),
        q(
            "multiple_choice",
            "S2 哪些属于点检内容？",
            json!(["油位", "颜色", "温度"]),
            json!(["A", "C"]),
        ),
        q(
            "true_false",
            "S3 设备运行中可以打开防护罩。",
            json!([]),
            json!(["错"]),
        ),
        q(
            "fill_in",
            "S4 拧紧力矩的英文是？",
            json!([]),
            json!(["Torque", "扭矩"]),
        ),
        q(
            "short_answer",
            "S5 简述TPM的含义。",
            json!([]),
            json!(["全员生产维护"]),
        ),
    ] {
        question(app, token, body).await;
    }
}

/// Creates and publishes an exam; returns its id.
async fn exam(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, created) = app.call(token, "POST", "/api/v1/exams", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            token,
            "POST",
            &format!("/api/v1/exams/{id}/status"),
            Some(json!({ "status": "published" })),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    id
}

/// The response that answers the five-kinds paper's question at `item` as in
/// `right` (per stem prefix) – right or deliberately wrong.
fn answer_for(item: &Value, right: bool) -> Value {
    let stem = item["stem"].as_str().unwrap();
    let response = match (&stem[..2], right) {
        ("S1", true) => json!(["a"]),
        ("S1", false) => json!(["B"]),
        ("S2", true) => json!(["C", "A"]),
        ("S2", false) => json!(["A"]),
        ("S3", true) => json!(["false"]),
        ("S3", false) => json!(["对"]),
        ("S4", true) => json!(["  torque "]),
        ("S4", false) => json!(["force"]),
        _ => json!(["全员参与的设备维护"]),
    };
    json!({ "position": item["position"], "response": response })
}

async fn employee_id(app: &TestApp, token: &str) -> i64 {
    let (_, me) = app.call(token, "GET", "/api/v1/me", None).await;
    me["employee"]["id"].as_i64().unwrap()
}

/// Moves an attempt's deadline into the past, as if its time had run out.
async fn expire(app: &TestApp, attempt: i64) {
    let past = store::DbTime(OffsetDateTime::now_utc() - Duration::minutes(5));
    if app.url.starts_with("sqlite") {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
        sqlx::query("UPDATE exam_attempts SET deadline_at = $1 WHERE id = $2")
            .bind(past)
            .bind(attempt)
            .execute(&mut conn)
            .await
            .unwrap();
    } else {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
        sqlx::query("UPDATE exam_attempts SET deadline_at = $1 WHERE id = $2")
            .bind(past)
            .bind(attempt)
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

/// Counts exam assessments of an employee.
async fn exam_assessments(app: &TestApp, employee: i64) -> Vec<(i32, String)> {
    let sql = "SELECT level, evidence FROM assessments WHERE employee_id = $1 AND method = 'exam' AND assessor LIKE 'exam:%' ORDER BY id";
    use sqlx::Connection;
    if app.url.starts_with("sqlite") {
        let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
        sqlx::query_as(sql)
            .bind(employee)
            .fetch_all(&mut conn)
            .await
            .unwrap()
    } else {
        let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
        sqlx::query_as(sql)
            .bind(employee)
            .fetch_all(&mut conn)
            .await
            .unwrap()
    }
}

db_test!(exam_bank_validation_and_crud, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    // Mistakes name their field.
    for (body, field) in [
        (
            json!({ "skill_code": "NOPE", "kind": "true_false", "difficulty": 1, "stem": "x", "answers": ["对"] }),
            "skill_code",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "single_choice", "difficulty": 1, "stem": "x", "options": ["a"], "answers": ["A"] }),
            "options",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "single_choice", "difficulty": 1, "stem": "x", "options": ["a", "b"], "answers": ["A", "B"] }),
            "answers",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "multiple_choice", "difficulty": 1, "stem": "x", "options": ["a", "b"], "answers": ["D"] }),
            "answers",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "true_false", "difficulty": 1, "stem": "x", "answers": ["maybe"] }),
            "answers",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "fill_in", "difficulty": 1, "stem": "x", "answers": [] }),
            "answers",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "fill_in", "difficulty": 4, "stem": "x", "answers": ["y"] }),
            "difficulty",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "fill_in", "difficulty": 1, "stem": "  ", "answers": ["y"] }),
            "stem",
        ),
        (
            json!({ "skill_code": "MG-PROBLEM", "kind": "fill_in", "difficulty": 1, "stem": "x", "answers": ["y"], "points": 0 }),
            "points",
        ),
    ] {
        let (status, problem) = app
            .call(
                &training,
                "POST",
                "/api/v1/exam-questions",
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{body} → {problem}"
        );
    }
    // Learners do not see the bank.
    let (status, _) = app
        .call(&employee, "GET", "/api/v1/exam-questions", None)
        .await;
    assert_eq!(status, 403);
    five_kinds(&app, &training, "MG-PROBLEM").await;
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?skill=MG-PROBLEM",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(5));
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?skill=MG-PROBLEM&kind=fill_in",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(1));
    let fill = listed["items"][0]["id"].as_i64().unwrap();
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?q=tpm&difficulty=medium",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(1), "{listed}");
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?skill=MG-PROBLEM&difficulty=hard",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(0));
    // Edit, then deactivate: the list leaves it out unless asked.
    let (status, _) = app.call(&training, "PUT", &format!("/api/v1/exam-questions/{fill}"),
        Some(json!({ "skill_code": "MG-PROBLEM", "kind": "fill_in", "difficulty": 3, "stem": "S4 力矩（英文）", "answers": ["torque"] }))).await;
    assert_eq!(status, 204);
    let (_, got) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/exam-questions/{fill}"),
            None,
        )
        .await;
    assert_eq!(
        (got["difficulty"].as_i64(), got["stem"].as_str()),
        (Some(3), Some("S4 力矩（英文）"))
    );
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/exam-questions/{fill}/active"),
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(status, 204);
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?skill=MG-PROBLEM",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(4));
    let (_, listed) = app
        .call(
            &training,
            "GET",
            "/api/v1/exam-questions?skill=MG-PROBLEM&include_inactive=true",
            None,
        )
        .await;
    assert_eq!(listed["total"], json!(5));

    // Pages: the list, and a bad form comes back 422 with what was typed and the field.
    let (browser, csrf) = app.login("training").await;
    let page = browser
        .get(app.url("/exams/questions?skill=MG-PROBLEM"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("S2 哪些属于点检内容"));
    let res = app
        .post_form(
            &browser,
            "/exams/questions",
            &[
                ("skill_code", "MG-PROBLEM"),
                ("kind", "single_choice"),
                ("difficulty", "1"),
                ("stem", "页面新题"),
                ("options", "甲\n乙"),
                ("answers", "C"),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("answers") && html.contains("页面新题"),
        "{html}"
    );
    let res = app
        .post_form(
            &browser,
            "/exams/questions",
            &[
                ("skill_code", "MG-PROBLEM"),
                ("kind", "single_choice"),
                ("difficulty", "1"),
                ("stem", "页面新题"),
                ("options", "甲\n乙"),
                ("answers", "b"),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // Every change is audited, by whom it was made.
    let audit = app
        .store
        .list_audit(
            &domain::audit::AuditFilter {
                action: Some("exam.question_create".into()),
                actor: Some("training".into()),
                ..Default::default()
            },
            domain::Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(audit.total, 6);
});

db_test!(exam_drawing_grading_and_assessment, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    let instructor = app.token("instructor").await;
    five_kinds(&app, &training, "MG-PROBLEM").await;
    // A paper that draws more than the bank holds cannot be published.
    let (_, created) = app
        .call(
            &training,
            "POST",
            "/api/v1/exams",
            Some(json!({
        "code": "X-TPM", "title": "TPM 考试", "purpose": "final", "skill_code": "MG-PROBLEM",
        "draw_medium": 6, "time_limit_minutes": 30, "pass_mark_pct": 60, "max_attempts": 2 })),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    let (status, problem) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/exams/{id}/status"),
            Some(json!({ "status": "published" })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("draw_medium")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("holds 5"),
        "{problem}"
    );
    // A draft is not there for learners.
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .call(
            &training,
            "PUT",
            &format!("/api/v1/exams/{id}"),
            Some(json!({
        "code": "X-TPM", "title": "TPM 考试", "purpose": "final", "skill_code": "MG-PROBLEM",
        "draw_medium": 5, "time_limit_minutes": 30, "pass_mark_pct": 60, "max_attempts": 2 })),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/exams/{id}/status"),
            Some(json!({ "status": "published" })),
        )
        .await;
    assert_eq!(status, 204);

    // The learner starts: five questions, no key.
    let (status, paper) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{paper}");
    let attempt = paper["attempt"]["id"].as_i64().unwrap();
    let items = paper["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|i| i["answers"].is_null()), "{paper}");
    // Starting again resumes the same attempt.
    let (_, again) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(again["attempt"]["id"].as_i64(), Some(attempt));
    // Another person cannot see it, the learner cannot grade or see results.
    let (status, _) = app
        .call(
            &instructor,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    // A bad response names the question.
    let (status, problem) = app
        .call(
            &employee,
            "PUT",
            &format!("/api/v1/attempts/{attempt}/answers"),
            Some(json!({ "answers": [{ "position": 99, "response": ["A"] }] })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("answers[99]"))
    );
    // Right answers except the multiple choice (all or nothing).
    let answers: Vec<Value> = items
        .iter()
        .map(|i| {
            let stem = i["stem"].as_str().unwrap();
            answer_for(i, !stem.starts_with("S2"))
        })
        .collect();
    let (status, saved) = app
        .call(
            &employee,
            "PUT",
            &format!("/api/v1/attempts/{attempt}/answers"),
            Some(json!({ "answers": answers })),
        )
        .await;
    assert_eq!((status, saved["saved"].as_u64()), (200, Some(5)));
    let (status, result) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/attempts/{attempt}/submit"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(result["attempt"]["status"], "grading");
    for item in result["items"].as_array().unwrap() {
        let stem = item["stem"].as_str().unwrap();
        let expected = match &stem[..2] {
            "S2" => json!(0.0),
            "S5" => Value::Null,
            _ => json!(2.0),
        };
        assert_eq!(item["awarded"], expected, "{item}");
        assert!(!item["answers"].is_null(), "the key shows after submission");
    }
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/attempts/{attempt}/submit"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 422);

    // Grading: not the learner, not an instructor of another program; programme staff yes.
    let position = result["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "short_answer")
        .unwrap()["position"]
        .as_i64()
        .unwrap();
    for token in [&employee, &instructor] {
        let (status, _) = app
            .call(
                token,
                "POST",
                &format!("/api/v1/attempts/{attempt}/grades"),
                Some(json!({ "position": position, "points": 2 })),
            )
            .await;
        assert_eq!(status, 403);
    }
    let (_, queue) = app.call(&training, "GET", "/api/v1/grading", None).await;
    assert_eq!(queue["total"], json!(1), "{queue}");
    let (_, queue) = app.call(&instructor, "GET", "/api/v1/grading", None).await;
    assert_eq!(queue["total"], json!(0));
    let (status, problem) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/attempts/{attempt}/grades"),
            Some(json!({ "position": position, "points": 3 })),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("points")));
    let (status, graded) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/attempts/{attempt}/grades"),
            Some(json!({ "position": position, "points": 2 })),
        )
        .await;
    assert_eq!((status, graded["status"].as_str()), (200, Some("graded")));
    let (_, done) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    assert_eq!(
        (
            done["attempt"]["score"].as_f64(),
            done["attempt"]["score_pct"].as_f64(),
            done["attempt"]["passed"].as_bool()
        ),
        (Some(8.0), Some(80.0), Some(true))
    );
    // 80 % → level 3 (60/75/90 bands), capped by the skill's levels; once only.
    let me = employee_id(&app, &employee).await;
    let assessments = exam_assessments(&app, me).await;
    assert_eq!(assessments.len(), 1);
    let levels = app
        .store
        .skill_options()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.0 == "MG-PROBLEM")
        .unwrap()
        .2;
    assert_eq!(assessments[0].0, 3.min(levels));
    assert!(assessments[0].1.contains("X-TPM"));
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/attempts/{attempt}/grades"),
            Some(json!({ "position": position, "points": 1 })),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(exam_assessments(&app, me).await.len(), 1);
    // Passed: no further attempt.
    let (status, problem) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    // Results: figures and the list, as JSON and as Excel.
    let (_, results) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/exams/{id}/attempts?passed=true"),
            None,
        )
        .await;
    assert_eq!(
        (
            results["total"].as_i64(),
            results["stats"]["pass_rate_pct"].as_f64(),
            results["stats"]["distribution"][8].as_i64()
        ),
        (Some(1), Some(100.0), Some(1)),
        "{results}"
    );
    let (browser, _) = app.login("training").await;
    let res = browser
        .get(app.url(&format!("/exams/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = browser
        .get(app.url(&format!("/exams/{id}/results.xlsx?passed=yes")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
});

db_test!(exam_time_limit_and_retakes, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    five_kinds(&app, &training, "MG-PROBLEM").await;
    let id = exam(&app, &training, json!({
        "code": "X-RETAKE", "title": "补考规则", "purpose": "final", "skill_code": "MG-PROBLEM",
        "draw_medium": 4, "time_limit_minutes": 10, "pass_mark_pct": 90, "max_attempts": 2, "retake_wait_hours": 0 })).await;
    let (_, paper) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    let attempt = paper["attempt"]["id"].as_i64().unwrap();
    let first = paper["items"][0].clone();
    let (status, _) = app
        .call(
            &employee,
            "PUT",
            &format!("/api/v1/attempts/{attempt}/answers"),
            Some(json!({ "answers": [answer_for(&first, true)] })),
        )
        .await;
    assert_eq!(status, 200);
    // The time runs out: answers are refused and the attempt is handed in with what was saved.
    expire(&app, attempt).await;
    let second = paper["items"][1].clone();
    let (status, problem) = app
        .call(
            &employee,
            "PUT",
            &format!("/api/v1/attempts/{attempt}/answers"),
            Some(json!({ "answers": [answer_for(&second, true)] })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("time is up"));
    let (_, done) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    assert_ne!(done["attempt"]["status"], "in_progress");
    let awarded: Vec<Value> = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["awarded"].clone())
        .collect();
    let first_kind_auto = first["kind"] != "short_answer";
    if first_kind_auto {
        assert_eq!(
            awarded[0],
            json!(2.0),
            "the answer saved in time counts: {done}"
        );
    }
    assert!(
        done["items"][1]["response"].is_null(),
        "the late answer is not kept: {done}"
    );
    // A short answer may wait for grading; grade it so the attempt is final.
    if done["attempt"]["status"] == "grading" {
        let pos = done["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "short_answer" && i["awarded"].is_null())
            .unwrap()["position"]
            .clone();
        app.call(
            &training,
            "POST",
            &format!("/api/v1/attempts/{attempt}/grades"),
            Some(json!({ "position": pos, "points": 0 })),
        )
        .await;
    }
    // Failed (pass mark 90): a second attempt, then none.
    let (status, paper2) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{paper2}");
    let attempt2 = paper2["attempt"]["id"].as_i64().unwrap();
    assert_ne!(attempt2, attempt);
    assert_eq!(paper2["attempt"]["attempt_no"], json!(2));
    app.call(
        &employee,
        "POST",
        &format!("/api/v1/attempts/{attempt2}/submit"),
        Some(json!({})),
    )
    .await;
    let (_, state2) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt2}"),
            None,
        )
        .await;
    assert_eq!(
        state2["attempt"]["passed"],
        json!(false),
        "unanswered short answers earn nothing at once: {state2}"
    );
    let (status, problem) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("exam")));
    assert!(
        problem["detail"].as_str().unwrap().contains("2 attempt"),
        "{problem}"
    );
    // A waiting time between attempts.
    let wait = exam(&app, &training, json!({
        "code": "X-WAIT", "title": "间隔", "purpose": "final", "skill_code": "MG-PROBLEM",
        "draw_medium": 1, "time_limit_minutes": 10, "pass_mark_pct": 100, "max_attempts": 3, "retake_wait_hours": 24 })).await;
    let (_, p) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/exams/{wait}/attempts"),
            None,
        )
        .await;
    let a = p["attempt"]["id"].as_i64().unwrap();
    let wrong = answer_for(&p["items"][0], false);
    app.call(
        &employee,
        "POST",
        &format!("/api/v1/attempts/{a}/submit"),
        Some(json!({ "answers": [wrong] })),
    )
    .await;
    let (_, mine) = app.call(&employee, "GET", "/api/v1/me/exams", None).await;
    let listed = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["exam"]["code"] == "X-WAIT")
        .unwrap()
        .clone();
    if listed["attempts"][0]["status"] == "graded" {
        assert_eq!(listed["can_start"], json!(false));
        let (status, problem) = app
            .call(
                &employee,
                "POST",
                &format!("/api/v1/exams/{wait}/attempts"),
                None,
            )
            .await;
        assert_eq!(status, 422);
        assert!(
            problem["detail"].as_str().unwrap().contains("24 hour"),
            "{problem}"
        );
    }
});

db_test!(exam_program_access_completion_and_pages, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    let manager = app.token("manager").await;
    five_kinds(&app, &training, "MG-PROBLEM").await;
    let (_, me) = app.call(&employee, "GET", "/api/v1/me", None).await;
    let learner = me["employee"]["employee_no"].as_str().unwrap().to_string();
    // A program that requires its final exam, the employee enrolled, the manager not.
    let (status, created) = app.call(&training, "POST", "/api/v1/programs", Some(json!({
        "code": "X-PROG", "title": "考试项目", "hours": 4.0, "min_attendance_pct": 0, "exam_required": true }))).await;
    assert_eq!(status, 201, "{created}");
    let program = created["id"].as_i64().unwrap();
    let (_, detail) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{program}"),
            None,
        )
        .await;
    assert_eq!(detail["exam_required"], json!(true), "{detail}");
    let (status, _) = app.call(&training, "POST", &format!("/api/v1/programs/{program}/sessions"), Some(json!({
        "title": "线上课", "starts_at": at(-120), "ends_at": at(-60), "mode": "online", "join_url": "https://meet.example.com/x" }))).await;
    assert_eq!(status, 201);
    let (status, body) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{program}/enrollments"),
            Some(json!({ "employees": [learner] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let id = exam(&app, &training, json!({
        "code": "X-FINAL", "title": "结业考试", "program_code": "X-PROG", "purpose": "final", "skill_code": "MG-PROBLEM",
        "draw_medium": 4, "time_limit_minutes": 30, "pass_mark_pct": 50, "max_attempts": 1 })).await;
    // Not enrolled: refused.
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &format!("/api/v1/exams/{id}/attempts"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (_, mine) = app.call(&manager, "GET", "/api/v1/me/exams", None).await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|m| m["exam"]["code"] != "X-FINAL")
    );

    // The learner takes it through the pages.
    let (browser, csrf) = app.login("employee").await;
    let page = app.page_text(&browser, "/my/exams").await;
    assert!(page.contains("结业考试"), "{page}");
    let res = app
        .post_form(
            &browser,
            &format!("/exams/{id}/start"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let paper_url = res.headers()["location"].to_str().unwrap().to_string();
    let attempt: i64 = paper_url.rsplit('/').next().unwrap().parse().unwrap();
    let html = app.page_text(&browser, &paper_url).await;
    assert!(
        html.contains("name=\"q1\"") && html.contains("data-deadline"),
        "{html}"
    );
    let (_, paper) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    let mut form: Vec<(String, String)> = vec![("_csrf".into(), csrf.clone())];
    for item in paper["items"].as_array().unwrap() {
        let answer = answer_for(item, true);
        for value in answer["response"].as_array().unwrap() {
            form.push((
                format!("q{}", item["position"]),
                value.as_str().unwrap().to_string(),
            ));
        }
    }
    let res = app
        .post_form(&browser, &format!("/attempts/{attempt}/submit"), &form)
        .await;
    assert_eq!(res.status(), 303);
    let html = app
        .page_text(&browser, &format!("/attempts/{attempt}"))
        .await;
    assert!(html.contains("正确"), "{html}");
    let (_, result) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    if result["attempt"]["status"] == "grading" {
        let pos = result["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["awarded"].is_null())
            .unwrap()["position"]
            .clone();
        let (trainer, tcsrf) = app.login("training").await;
        let queue = app.page_text(&trainer, "/exams/grading").await;
        assert!(queue.contains("S5"), "{queue}");
        let res = app
            .post_form(
                &trainer,
                &format!("/attempts/{attempt}/grade"),
                &[
                    ("position", pos.to_string()),
                    ("points", "2".into()),
                    ("_csrf", tcsrf),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let (_, result) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/attempts/{attempt}"),
            None,
        )
        .await;
    assert_eq!(result["attempt"]["passed"], json!(true), "{result}");

    // A second learner without a passed exam does not complete; the learner does.
    let other = crate::support::TestApp::token(&app, "instructor").await;
    let (_, me2) = app.call(&other, "GET", "/api/v1/me", None).await;
    let other_no = me2["employee"]["employee_no"].as_str().unwrap().to_string();
    app.call(
        &training,
        "POST",
        &format!("/api/v1/programs/{program}/enrollments"),
        Some(json!({ "employees": [other_no] })),
    )
    .await;
    app.call(
        &training,
        "POST",
        &format!("/api/v1/programs/{program}/status"),
        Some(json!({ "status": "running" })),
    )
    .await;
    let (status, closed) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{program}/status"),
            Some(json!({ "status": "closed" })),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        closed["completion"],
        json!({ "completed": 1, "incomplete": 1 })
    );
    // The program page lists its exam for staff.
    let (trainer, _) = app.login("training").await;
    let html = app
        .page_text(&trainer, &format!("/programs/{program}"))
        .await;
    assert!(html.contains(&format!("/exams/{id}")), "{html}");
});

db_test!(exam_learning_gain_on_known_data, |app| {
    use domain::exams::{ExamInput, ExamPurpose, ExamStatus, QuestionInput, QuestionKind};
    let actor = Actor::system();
    for i in 0..4 {
        app.store
            .create_question(
                &QuestionInput {
                    skill_code: "MG-TEAM".into(),
                    kind: QuestionKind::TrueFalse,
                    difficulty: 1,
                    stem: format!("规则 {i}"),
                    options: vec![],
                    answers: vec!["true".into()],
                    points: 1.0,
                    explanation: String::new(),
                },
                &actor,
            )
            .await
            .unwrap();
    }
    let program = app.store.program_id("MG-2026-01").await.unwrap();
    let mk = |code: &str, purpose: ExamPurpose| ExamInput {
        code: code.into(),
        title: code.into(),
        program_code: Some("MG-2026-01".into()),
        purpose,
        skill_code: "MG-TEAM".into(),
        draw_easy: 4,
        draw_medium: 0,
        draw_hard: 0,
        time_limit_minutes: 20,
        pass_mark_pct: 60,
        max_attempts: 1,
        retake_wait_hours: 0,
    };
    let pre = app
        .store
        .create_exam(&mk("G-PRE", ExamPurpose::PreTest), &actor)
        .await
        .unwrap();
    let post = app
        .store
        .create_exam(&mk("G-POST", ExamPurpose::PostTest), &actor)
        .await
        .unwrap();
    for x in [pre, post] {
        app.store
            .set_exam_status(x, ExamStatus::Published, &actor)
            .await
            .unwrap();
    }
    let people: Vec<i64> = app
        .store
        .program_enrollments(
            program,
            &domain::DataScope::company(),
            domain::Page::default(),
        )
        .await
        .unwrap()
        .items
        .iter()
        .map(|e| e.employee_id)
        .take(3)
        .collect();
    assert_eq!(people.len(), 3, "MG-2026-01 has learners");
    // (learner, right answers of 4) pre and post; the third has no post-test.
    let record = |exam: i64, results: Vec<(i64, usize)>| {
        let store = app.store.clone();
        async move {
            let bank = store.exam_bank(exam).await.unwrap();
            let now = OffsetDateTime::now_utc();
            let attempts: Vec<store::RecordedAttempt> = results
                .iter()
                .map(|(employee, right)| {
                    let mut items = bank
                        .draw(domain::exams::attempt_seed(exam, *employee, 1))
                        .unwrap();
                    for (k, item) in items.iter_mut().enumerate() {
                        item.response = Some(vec![if k < *right {
                            "true".into()
                        } else {
                            "false".into()
                        }]);
                    }
                    store::RecordedAttempt {
                        employee_id: *employee,
                        attempt_no: 1,
                        started_at: now - Duration::minutes(30),
                        submitted_at: now - Duration::minutes(10),
                        items,
                    }
                })
                .collect();
            store
                .record_attempts(exam, &attempts, &Actor::system())
                .await
                .unwrap()
        }
    };
    assert_eq!(
        record(pre, vec![(people[0], 1), (people[1], 2), (people[2], 3)]).await,
        3
    );
    assert_eq!(record(post, vec![(people[0], 3), (people[1], 4)]).await, 2);
    let gain = app.store.learning_gain(program).await.unwrap();
    assert_eq!(gain.n_paired, 2);
    assert_eq!(
        (gain.mean_pre, gain.mean_post, gain.mean_gain),
        (Some(37.5), Some(87.5), Some(50.0))
    );
    assert!((gain.normalised_gain.unwrap() - 0.8).abs() < 1e-9);
    // Passed attempts (75 %, 100 %, and 75 % in the pre-test) recorded assessments.
    assert_eq!(exam_assessments(&app, people[1]).await.len(), 1);
    assert_eq!(exam_assessments(&app, people[2]).await.len(), 1);
    // The same over the API and on the program page; learners may not ask.
    let training = app.token("training").await;
    let (status, body) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{program}/learning-gain"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["n_paired"].as_u64(), body["mean_gain"].as_f64()),
        (Some(2), Some(50.0))
    );
    assert_eq!(body["learners"].as_array().unwrap().len(), 2);
    let employee = app.token("employee").await;
    let (status, _) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/programs/{program}/learning-gain"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (browser, _) = app.login("training").await;
    let html = app
        .page_text(&browser, &format!("/programs/{program}"))
        .await;
    assert!(html.contains("0.80") && html.contains("+50.0"), "{html}");
});
