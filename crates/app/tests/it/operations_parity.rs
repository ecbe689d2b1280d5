//! Training operations answer the same on the pages and the API: each action is one
//! use case of `service::operations`, so where the two surfaces used to disagree they
//! now give the same answer. One test per rule that had drifted.

use crate::db_test;
use crate::operations_web::post;
use crate::support::TestApp;
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::{Role, ScopeKind};
use serde_json::{Value, json};
use store::prelude::*;

/// An active employee number of `department`.
async fn number_in(app: &TestApp, department: &str) -> String {
    app.active_employees(department, 1)
        .await
        .remove(0)
        .employee_no
}

/// A training administrator whose grant covers one department only.
async fn department_training_admin(app: &TestApp, username: &str, department: &str) {
    let dept = app.department(department).await;
    let user = domain::account::NewUser {
        username: username.into(),
        display_name: "车间培训专员".into(),
        password_hash: service::secrets::hash_password(demo::DEMO_PASSWORD).unwrap(),
        employee_id: None,
        grants: vec![(Role::TrainingAdmin, ScopeKind::Department(dept.id))],
    };
    app.store
        .create_user(&user, &Actor::system())
        .await
        .unwrap();
}

async fn program(app: &TestApp, token: &str, code: &str) -> i64 {
    let (status, created) = app
        .call(
            token,
            "POST",
            "/api/v1/programs",
            Some(json!({ "code": code, "title": format!("{code} 项目"), "hours": 4.0 })),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

/// An online session of `program` in 2031; returns its id.
async fn online_session(app: &TestApp, token: &str, program: i64) -> i64 {
    let (status, saved) = app
        .call(
            token,
            "POST",
            &format!("/api/v1/programs/{program}/sessions"),
            Some(json!({
                "title": "线上一讲",
                "starts_at": "2031-04-01T01:00:00Z",
                "ends_at": "2031-04-01T03:00:00Z",
                "mode": "online",
                "join_url": "https://meet.example.com/parity",
            })),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    saved["id"].as_i64().unwrap()
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["employee_number"].as_str().unwrap().to_string())
        .collect()
}

// The API showed programme staff every enrollment while the program page showed only
// those in their EnrollPeople scope (and the page let them cancel any). Both now use
// the enrollment scope, the scope in which they enrol people.
db_test!(
    enrollments_are_seen_and_cancelled_in_one_scope_on_page_and_api,
    |app| {
        let training = app.token("training").await;
        department_training_admin(&app, "parity.weld", "PROD1-WELD").await;
        let scoped = app.token("parity.weld").await;
        let inside = number_in(&app, "PROD1-WELD").await;
        let outside = number_in(&app, "MKT-EAST").await;
        let id = program(&app, &training, "PAR-SCOPE").await;
        let path = format!("/api/v1/programs/{id}/enrollments");
        let (status, outcome) = app
            .call(
                &training,
                "POST",
                &path,
                Some(json!({ "employees": [inside, outside] })),
            )
            .await;
        assert_eq!(status, 200, "{outcome}");

        let (status, all) = app.call(&training, "GET", &path, None).await;
        assert_eq!(status, 200);
        assert_eq!(all["total"], json!(2));
        let outside_enrollment = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["employee_number"] == json!(outside))
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        // API and page list the same people: the workshop's only.
        let (status, seen) = app.call(&scoped, "GET", &path, None).await;
        assert_eq!(status, 200, "{seen}");
        assert_eq!(numbers(&seen), vec![inside.clone()]);
        let (browser, csrf) = app.login("parity.weld").await;
        let html = app.page_text(&browser, &format!("/programs/{id}")).await;
        assert!(
            html.contains(&inside),
            "the page lists the workshop's learner"
        );
        assert!(!html.contains(&outside), "the page hides the outsider");

        // Neither surface cancels an enrollment outside that scope: it is not there.
        let (status, _) = app
            .call(
                &scoped,
                "POST",
                &format!("/api/v1/enrollments/{outside_enrollment}/cancel"),
                None,
            )
            .await;
        assert_eq!(status, 404);
        let res = post(
            &app,
            &browser,
            &csrf,
            &format!("/enrollments/{outside_enrollment}/cancel"),
            vec![],
        )
        .await;
        assert_eq!(res.status(), 404);
        let (_, all) = app.call(&training, "GET", &path, None).await;
        assert_eq!(all["total"], json!(2), "nothing was cancelled");
    }
);

// The page recorded an empty roll call and reported success; the API refused it.
db_test!(an_empty_roll_call_is_refused_on_page_and_api_alike, |app| {
    let training = app.token("training").await;
    let id = program(&app, &training, "PAR-ROLL").await;
    let session = online_session(&app, &training, id).await;
    let (status, problem) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/sessions/{session}/roll-call"),
            Some(json!({ "marks": [] })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "marks");
    let (browser, csrf) = app.login("training").await;
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/sessions/{session}/roll-call"),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("mark at least one learner"), "{html}");
});

// The page's session view answered 404 for a missing session to anyone; the API
// refused non-teachers first (403). Both now check like the API.
db_test!(a_missing_session_reads_the_same_on_page_and_api, |app| {
    let employee = app.token("employee").await;
    let training = app.token("training").await;
    let missing = "/sessions/987654";
    let (status, _) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1{missing}/attendance"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1{missing}/attendance"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    for (user, expected) in [("employee", 403), ("training", 404)] {
        let (browser, _) = app.login(user).await;
        let res = browser.get(app.url(missing)).send().await.unwrap();
        assert_eq!(res.status(), expected, "{user}");
    }
});

// The page told an account without an employee record "not linked to an employee",
// the API "not linked to an employee record": one message now.
db_test!(
    check_in_without_an_employee_record_reads_the_same_on_page_and_api,
    |app| {
        let admin = app.token("admin").await;
        let (status, problem) = app
            .call(
                &admin,
                "POST",
                "/api/v1/checkin",
                Some(json!({ "code": "123456" })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "code");
        let text = "your account is not linked to an employee record";
        assert!(problem.to_string().contains(text), "{problem}");
        let (browser, csrf) = app.login("admin").await;
        let res = post(
            &app,
            &browser,
            &csrf,
            "/checkin",
            vec![("code", "123456".into())],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains(text), "{html}");
    }
);

// The setup page accepted any rate that was not negative, created the venue and then
// failed on the scheduler's limit (1,000,000), leaving the venue behind; the API's
// rule now holds for both, before anything is written.
db_test!(
    a_venue_rate_out_of_range_is_refused_on_page_and_api_alike,
    |app| {
        let training = app.token("training").await;
        let (browser, csrf) = app.login("training").await;
        let res = post(
            &app,
            &browser,
            &csrf,
            "/programs/setup/venues",
            vec![
                ("code", "PAR-V1".into()),
                ("name", "对照教室".into()),
                ("capacity", "20".into()),
                ("kind", "classroom".into()),
                ("hourly_rate", "2000000".into()),
            ],
        )
        .await;
        assert_eq!(res.status(), 422);
        assert!(
            !app.store
                .list_venues()
                .await
                .unwrap()
                .iter()
                .any(|v| v.code == "PAR-V1"),
            "a refused venue is not written"
        );
        let (status, created) = app
            .call(
                &training,
                "POST",
                "/api/v1/venues",
                Some(json!({ "code": "PAR-V2", "name": "对照教室二", "capacity": 20, "kind": "classroom" })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let venue = created["id"].as_i64().unwrap();
        let (status, problem) = app
            .call(
                &training,
                "POST",
                &format!("/api/v1/venues/{venue}/scheduling"),
                Some(json!({ "hourly_rate": 2000000.0 })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "hourly_rate");
    }
);
