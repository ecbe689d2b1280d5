//! Transfer to work: practice tasks after completion, reports reviewed by mentors,
//! promotion into the case library, and behavior ratings at +30 and +90 days,
//! through the API and the pages.

use crate::competency_import::count;
use crate::db_test;
use crate::operations_api::number_of;
use crate::support::TestApp;
use domain::Page;
use serde_json::{Value, json};
use store::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// Active employee numbers in a department subtree, skipping `except`.
async fn numbers_in(app: &TestApp, department: &str, n: usize, except: &str) -> Vec<String> {
    app.active_employees(department, 50)
        .await
        .into_iter()
        .map(|e| e.employee_no)
        .filter(|no| no != except)
        .take(n)
        .collect()
}

/// A program `code` held yesterday for `people`, all present, then closed: everyone
/// completes. Returns the program id.
async fn completed_program(app: &TestApp, training: &str, code: &str, people: &[String]) -> i64 {
    let (status, created) = app
        .call(
            training,
            "POST",
            "/api/v1/programs",
            Some(
                json!({ "code": code, "title": format!("{code} 客户投诉处理"), "hours": 8.0,
            "skills": [{ "code": "QA-AWARE", "level": 3 }] }),
            ),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let at = |minutes: i64| {
        (OffsetDateTime::now_utc() + Duration::minutes(minutes))
            .format(&Rfc3339)
            .unwrap()
    };
    let (status, s) = app
        .call(
            training,
            "POST",
            &format!("/api/v1/programs/{id}/sessions"),
            Some(
                json!({ "title": "第一讲", "starts_at": at(-60 * 26), "ends_at": at(-60 * 24),
            "mode": "online", "join_url": "https://meet.example.com/x" }),
            ),
        )
        .await;
    assert_eq!(status, 201, "{s}");
    let session = s["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            training,
            "POST",
            &format!("/api/v1/programs/{id}/status"),
            Some(json!({ "status": "running" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call(
            training,
            "POST",
            &format!("/api/v1/programs/{id}/enrollments"),
            Some(json!({ "employees": people })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let marks: Vec<Value> = people
        .iter()
        .map(|p| json!({ "employee_number": p, "status": "present" }))
        .collect();
    let (status, body) = app
        .call(
            training,
            "POST",
            &format!("/api/v1/sessions/{session}/roll-call"),
            Some(json!({ "marks": marks })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .call(
            training,
            "POST",
            &format!("/api/v1/programs/{id}/status"),
            Some(json!({ "status": "closed" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    id
}

fn due_in(days: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(days)).to_string()
}

db_test!(practice_from_assignment_to_case_over_the_api, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    let manager = app.token("manager").await;
    let instructor = app.token("instructor").await;
    let learner = number_of(&app, &employee).await;
    let mentor = number_of(&app, &manager).await;
    let mut people = numbers_in(&app, "PROD1-STAMP", 2, &learner).await;
    people.push(learner.clone());
    let id = completed_program(&app, &training, "PR-API", &people).await;
    // Completion scheduled each learner's manager at +30 and +90 days.
    let manager_ratings = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM behavior_ratings WHERE program_id = {id} AND rater_role = 'manager'"
        ),
    )
    .await;
    assert_eq!(manager_ratings, 6);

    let assign = format!("/api/v1/programs/{id}/practice-tasks");
    // Bad input names the field and writes nothing.
    for (body, field) in [
        (
            json!({ "title": "", "due_on": due_in(30), "mentor": { "kind": "manager" } }),
            "title",
        ),
        (
            json!({ "title": "用五步法处理三起投诉", "due_on": due_in(-1), "mentor": { "kind": "manager" } }),
            "due_on",
        ),
        (
            json!({ "title": "用五步法处理三起投诉", "due_on": due_in(30), "mentor": { "kind": "colleague", "employee_number": "NOBODY" } }),
            "mentor",
        ),
        (
            json!({ "title": "用五步法处理三起投诉", "due_on": due_in(30), "mentor": { "kind": "manager" }, "employee_numbers": [learner, "NOBODY"] }),
            "employee_numbers[1]",
        ),
    ] {
        let (status, problem) = app.call(&training, "POST", &assign, Some(body)).await;
        assert_eq!(
            (status, problem["field"].as_str()),
            (422, Some(field)),
            "{problem}"
        );
    }
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM practice_tasks WHERE program_id = {id}")
        )
        .await,
        0
    );
    // Learners and instructors may not assign.
    let body = json!({ "title": "用五步法处理三起投诉", "due_on": due_in(30),
        "mentor": { "kind": "colleague", "employee_number": mentor } });
    for token in [&employee, &instructor] {
        let (status, _) = app.call(token, "POST", &assign, Some(body.clone())).await;
        assert_eq!(status, 403);
    }
    let (status, outcome) = app
        .call(&training, "POST", &assign, Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{outcome}");
    assert_eq!(outcome["assigned"], 3, "{outcome}");
    // The same task twice is not duplicated.
    let (_, again) = app.call(&training, "POST", &assign, Some(body)).await;
    assert_eq!(
        (
            again["assigned"].as_i64(),
            again["already_assigned"].as_i64()
        ),
        (Some(0), Some(3))
    );
    // The named mentor owes +30/+90 ratings for each learner too (as their manager
    // already, for a learner who heads the workshop).
    let mentor_ratings = count(
        &app,
        &format!(
            "SELECT COUNT(*) FROM behavior_ratings r JOIN employees e ON e.id = r.rater_id \
             WHERE r.program_id = {id} AND e.employee_no = '{mentor}'"
        ),
    )
    .await;
    assert_eq!(mentor_ratings, 6);

    let (status, mine) = app
        .call(&employee, "GET", "/api/v1/practice-tasks", None)
        .await;
    assert_eq!(status, 200);
    let task = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["program_id"] == id)
        .expect("the learner sees their task")
        .clone();
    assert_eq!(task["due_on"], due_in(30));
    let task_id = task["id"].as_i64().unwrap();
    let (_, mentoring) = app
        .call(
            &manager,
            "GET",
            &format!("/api/v1/practice-tasks?view=mentoring&program={id}"),
            None,
        )
        .await;
    assert_eq!(mentoring["total"], 3, "{mentoring}");
    // Someone with no part in it sees nothing.
    let (status, _) = app
        .call(
            &instructor,
            "GET",
            &format!("/api/v1/practice-tasks/{task_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .call(&instructor, "GET", "/api/v1/practice-tasks?view=all", None)
        .await;
    assert_eq!(status, 403);

    let report = format!("/api/v1/practice-tasks/{task_id}/report");
    let review = format!("/api/v1/practice-tasks/{task_id}/review");
    // Only the learner reports; an empty report is refused.
    let (status, _) = app
        .call(&manager, "POST", &report, Some(json!({ "body": "x" })))
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app
        .call(&employee, "POST", &report, Some(json!({ "body": "  " })))
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("body")));
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &report,
            Some(json!({ "body": "本月处理了两起投诉，只用了倾听和复述两步。" })),
        )
        .await;
    assert_eq!(status, 201);
    // A second report waits for the review.
    let (status, _) = app
        .call(&employee, "POST", &report, Some(json!({ "body": "again" })))
        .await;
    assert_eq!(status, 422);
    // The learner cannot review their own report; returning needs a comment.
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &review,
            Some(json!({ "decision": "accepted", "score": 100 })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app
        .call(
            &manager,
            "POST",
            &review,
            Some(json!({ "decision": "returned" })),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("comment")));
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &review,
            Some(json!({ "decision": "returned", "comment": "五步都要用上，并写出客户反馈。" })),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.call(&employee,
        "POST",
        &report,
        Some(json!({ "body": "三起投诉都按五步处理：倾听、复述、道歉、方案、回访。两位客户回访满意，一起转技术部。" })),
    )
    .await;
    assert_eq!(status, 201);
    let (status, problem) = app
        .call(
            &manager,
            "POST",
            &review,
            Some(json!({ "decision": "accepted" })),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("score")));
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &review,
            Some(json!({ "decision": "accepted", "score": 88, "comment": "很好" })),
        )
        .await;
    assert_eq!(status, 204);
    let (_, detail) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/practice-tasks/{task_id}"),
            None,
        )
        .await;
    assert_eq!(detail["task"]["status"], "reviewed");
    assert_eq!(detail["task"]["score"], 88);
    let decisions: Vec<&str> = detail["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["returned", "accepted"]);

    // Promotion needs the library permission, then makes a draft case once.
    let promote = format!("/api/v1/practice-tasks/{task_id}/promote");
    let (status, _) = app.call(&manager, "POST", &promote, None).await;
    assert_eq!(status, 403);
    let (status, created) = app.call(&training, "POST", &promote, None).await;
    assert_eq!(status, 201, "{created}");
    let resource = created["id"].as_i64().unwrap();
    let (_, case) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/resources/{resource}"),
            None,
        )
        .await;
    assert_eq!(case["kind"], "case", "{case}");
    assert_eq!(case["status"], "draft", "{case}");
    let (status, _) = app.call(&training, "POST", &promote, None).await;
    assert_eq!(status, 422);

    // Ratings open on their due date and are given once, by the rater only.
    let (_, owed) = app
        .call(&manager, "GET", "/api/v1/me/behavior-ratings", None)
        .await;
    let rating = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["program_id"] == id && r["checkpoint_days"] == 30)
        .expect("the mentor owes a +30 rating")
        .clone();
    let rating_id = rating["id"].as_i64().unwrap();
    let rate = format!("/api/v1/behavior-ratings/{rating_id}");
    let (status, problem) = app
        .call(
            &manager,
            "POST",
            &rate,
            Some(json!({ "rating": 4, "observation": "能主动回访" })),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("rating")));
    app.exec(&format!(
        "UPDATE behavior_ratings SET due_on = '{}' WHERE id = {rating_id}",
        due_in(-1)
    ))
    .await;
    let (status, _) = app
        .call(&employee, "POST", &rate, Some(json!({ "rating": 5 })))
        .await;
    assert_eq!(status, 404);
    let (status, problem) = app
        .call(&manager, "POST", &rate, Some(json!({ "rating": 6 })))
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("rating")));
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &rate,
            Some(json!({ "rating": 4, "observation": "能主动回访" })),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .call(&manager, "POST", &rate, Some(json!({ "rating": 3 })))
        .await;
    assert_eq!(status, 422);

    let (status, summary) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{id}/transfer"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(summary["tasks"], 3);
    assert_eq!(summary["reviewed"], 1);
    assert_eq!(summary["mean_score"], 88.0);
    assert_eq!(summary["promoted_cases"], 1);
    assert_eq!(summary["rating_30"], 4.0);
    assert_eq!(summary["rated_30"], 1);
});

db_test!(practice_through_the_pages, |app| {
    let employee_token = app.token("employee").await;
    let learner = number_of(&app, &employee_token).await;
    let mentor = number_of(&app, &app.token("manager").await).await;
    let training_token = app.token("training").await;
    let id = completed_program(
        &app,
        &training_token,
        "PR-WEB",
        std::slice::from_ref(&learner),
    )
    .await;

    let (training, training_csrf) = app.login("training").await;
    let page = training
        .get(app.url(&format!("/programs/{id}/practice")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("布置实践任务"));
    // A bad date comes back with the input kept and the field named.
    let form = |due: String| {
        vec![
            ("_csrf", training_csrf.clone()),
            ("title", "设备点检表实操".to_string()),
            ("due_on", due),
            ("mentor", "colleague".to_string()),
            ("colleague", mentor.clone()),
        ]
    };
    let res = app
        .post_form(
            &training,
            &format!("/programs/{id}/practice"),
            &form("31/12/2026".into()),
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("due_on") && html.contains("设备点检表实操"),
        "{html}"
    );
    let res = app
        .post_form(
            &training,
            &format!("/programs/{id}/practice"),
            &form(due_in(14)),
        )
        .await;
    assert_eq!(res.status(), 303);
    let task_id = count(
        &app,
        &format!("SELECT MAX(id) FROM practice_tasks WHERE program_id = {id}"),
    )
    .await;

    // The learner finds it on /practice and reports.
    let (browser, csrf) = app.login("employee").await;
    let list = browser.get(app.url("/practice")).send().await.unwrap();
    let html = list.text().await.unwrap();
    assert!(html.contains("设备点检表实操"), "{html}");
    let res = app
        .post_form(
            &browser,
            &format!("/practice/{task_id}/report"),
            &[("_csrf", csrf.as_str()), ("body", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &browser,
            &format!("/practice/{task_id}/report"),
            &[
                ("_csrf", csrf.as_str()),
                ("body", "按点检表完成了 3 台冲床的日点检。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The mentor reviews on the task page.
    let (mentor_browser, mentor_csrf) = app.login("manager").await;
    let html = app
        .page_text(&mentor_browser, &format!("/practice/{task_id}"))
        .await;
    assert!(
        html.contains("3 台冲床") && html.contains("保存评阅"),
        "{html}"
    );
    let res = app
        .post_form(
            &mentor_browser,
            &format!("/practice/{task_id}/review"),
            &[
                ("_csrf", mentor_csrf.as_str()),
                ("decision", "accepted"),
                ("score", "abc"),
                ("comment", "好"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &mentor_browser,
            &format!("/practice/{task_id}/review"),
            &[
                ("_csrf", mentor_csrf.as_str()),
                ("decision", "accepted"),
                ("score", "92"),
                ("comment", "好"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    // The learner cannot review, and others cannot see the task.
    let res = app
        .post_form(
            &browser,
            &format!("/practice/{task_id}/review"),
            &[
                ("_csrf", csrf.as_str()),
                ("decision", "accepted"),
                ("score", "100"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let (other, _) = app.login("reviewer").await;
    let res = other
        .get(app.url(&format!("/practice/{task_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Staff export the list and promote the report.
    let xlsx = training
        .get(app.url("/practice/export.xlsx?view=all"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let res = app
        .post_form(
            &training,
            &format!("/practice/{task_id}/promote"),
            &[("_csrf", training_csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        res.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/library/")
    );

    // The rating form appears on /practice when due.
    app.exec(&format!(
        "UPDATE behavior_ratings SET due_on = '{}' WHERE program_id = {id}",
        due_in(0)
    ))
    .await;
    let html = app.page_text(&mentor_browser, "/practice").await;
    assert!(html.contains("待评估的行为改变"), "{html}");
    let rating = count(
        &app,
        &format!(
            "SELECT MIN(id) FROM behavior_ratings WHERE program_id = {id} AND rater_role = 'mentor'"
        ),
    )
    .await;
    let res = app
        .post_form(
            &mentor_browser,
            &format!("/ratings/{rating}"),
            &[
                ("_csrf", mentor_csrf.as_str()),
                ("rating", ""),
                ("observation", "主动带新人点检"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("主动带新人点检"));
    let res = app
        .post_form(
            &mentor_browser,
            &format!("/ratings/{rating}"),
            &[
                ("_csrf", mentor_csrf.as_str()),
                ("rating", "5"),
                ("observation", "主动带新人点检"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM behavior_ratings WHERE id = {rating} AND rating = 5")
        )
        .await,
        1
    );
});

db_test!(demo_practice_agrees_with_the_programs_that_worked, |app| {
    let training = app.token("training").await;
    // The customer-service and quality programs moved their KPI; the TPM, sales and
    // team-leader programs did not.
    let worked = [
        "CS-2025-01",
        "CS-2025-02",
        "CS-2025-03",
        "QA-2025-01",
        "QA-2025-02",
    ];
    let flat = ["EQ-2025-01", "SA-2026-01", "MG-2026-01"];
    let mut groups = Vec::new();
    for codes in [&worked[..], &flat[..]] {
        let (mut rating_sum, mut rated, mut score_sum, mut reviewed) = (0.0, 0, 0.0, 0);
        for code in codes {
            let id = app.store.program_id(code).await.unwrap();
            let (status, s) = app
                .call(
                    &training,
                    "GET",
                    &format!("/api/v1/programs/{id}/transfer"),
                    None,
                )
                .await;
            assert_eq!(status, 200);
            assert!(s["tasks"].as_i64().unwrap() > 0, "{code}: {s}");
            let n = s["rated_90"].as_i64().unwrap();
            if n > 0 {
                rating_sum += s["rating_90"].as_f64().unwrap() * n as f64;
                rated += n;
            }
            let m = s["reviewed"].as_i64().unwrap();
            if m > 0 {
                score_sum += s["mean_score"].as_f64().unwrap() * m as f64;
                reviewed += m;
            }
        }
        assert!(
            rated >= 8 && reviewed >= 8,
            "{codes:?}: {rated} ratings, {reviewed} reviews"
        );
        groups.push((rating_sum / rated as f64, score_sum / reviewed as f64));
    }
    let (good, poor) = (groups[0], groups[1]);
    assert!(
        good.0 > poor.0 + 0.8,
        "L3 at +90 days: {good:?} vs {poor:?}"
    );
    assert!(good.1 > poor.1 + 5.0, "report scores: {good:?} vs {poor:?}");
});

db_test!(
    reminders_for_practice_ratings_approvals_and_certificates,
    |app| {
        use domain::notifications::NotificationKind;
        let training = app.token("training").await;
        let employee = app.token("employee").await;
        let manager = app.token("manager").await;
        let learner = number_of(&app, &employee).await;
        let mentor = number_of(&app, &manager).await;
        let id = completed_program(&app, &training, "PR-REM", std::slice::from_ref(&learner)).await;
        let (status, _) = app
            .call(
                &training,
                "POST",
                &format!("/api/v1/programs/{id}/practice-tasks"),
                Some(json!({ "title": "首件检验实操", "due_on": due_in(2),
            "mentor": { "kind": "colleague", "employee_number": mentor } })),
            )
            .await;
        assert_eq!(status, 201);
        app.exec(&format!(
            "UPDATE behavior_ratings SET due_on = '{}' WHERE program_id = {id}",
            due_in(-1)
        ))
        .await;
        // The learner's certificate from it runs out in ten days.
        app.exec(&format!(
            "UPDATE certificates SET expires_on = '{}' WHERE program_id = {id}",
            due_in(10)
        ))
        .await;
        let days = app::notify::NotifyConfig::default().learning_overdue_days;
        let due =
            service::notifications::due_reminders(app.state(), OffsetDateTime::now_utc(), days)
                .await
                .unwrap();
        let about = |kind: NotificationKind, prefix: &str| {
            due.iter()
                .filter(|r| r.event.kind == kind && r.subject.starts_with(prefix))
                .count()
        };
        assert_eq!(about(NotificationKind::PracticeTaskDue, "practice:"), 1);
        // The manager login rates the learner as mentor (and maybe as manager).
        assert!(about(NotificationKind::BehaviorRatingDue, "rating:") >= 2);
        // The demo has needs waiting for approvers.
        assert!(about(NotificationKind::ApprovalWaiting, "approval:") > 0);
        assert!(about(NotificationKind::CertificateExpiring, "certificate:") >= 1);
        let sent = app.store.send_reminders(&due).await.unwrap();
        assert!(
            sent >= due.len(),
            "{sent} people for {} reminders",
            due.len()
        );
        // Sending again reminds nobody: each subject reaches each person once.
        assert_eq!(app.store.send_reminders(&due).await.unwrap(), 0);
        let learner_user = app.user_id("employee").await;
        let inbox = app
            .store
            .inbox(learner_user, true, Page::default())
            .await
            .unwrap();
        let kinds: Vec<NotificationKind> = inbox.items.iter().map(|n| n.kind).collect();
        assert!(
            kinds.contains(&NotificationKind::PracticeTaskDue),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&NotificationKind::CertificateExpiring),
            "{kinds:?}"
        );
    }
);

db_test!(
    an_unknown_practice_view_is_refused_on_page_and_api_alike,
    |app| {
        // The page answered 403 to a view it did not know, the API 422; both now name the
        // field with a 422.
        let token = app.token("training").await;
        let (status, problem) = app
            .call(
                &token,
                "GET",
                "/api/v1/practice-tasks?view=everything",
                None,
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "view");
        let (browser, _) = app.login("training").await;
        let res = browser
            .get(app.url("/practice?view=everything"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("everything"));
        // A view the caller lacks is still forbidden on both.
        let employee = app.token("employee").await;
        let (status, _) = app
            .call(&employee, "GET", "/api/v1/practice-tasks?view=all", None)
            .await;
        assert_eq!(status, 403);
        let (browser, _) = app.login("employee").await;
        let res = browser
            .get(app.url("/practice?view=all"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
);
