//! Training operations over the JSON API: scheduling with clash checks, enrollment
//! with waitlists and deadlines, scoped enrollment by managers, check-in, roll call
//! and completion.

use crate::db_test;
use crate::support::TestApp;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// RFC 3339 text of now plus `minutes`.
fn at(minutes: i64) -> String {
    (OffsetDateTime::now_utc() + Duration::minutes(minutes))
        .format(&Rfc3339)
        .unwrap()
}

/// Active employee numbers of a department subtree.
async fn numbers_in(app: &TestApp, department: &str, n: usize) -> Vec<String> {
    let people = app.active_employees(department, 50).await;
    assert!(people.len() >= n, "{department} has too few people");
    people.into_iter().take(n).map(|e| e.employee_no).collect()
}

/// The employee number of a demo login.
pub(crate) async fn number_of(app: &TestApp, token: &str) -> String {
    let (_, me) = app.call(token, "GET", "/api/v1/me", None).await;
    me["employee"]["employee_no"].as_str().unwrap().to_string()
}

/// Creates a program (as training); returns its id.
async fn program(app: &TestApp, token: &str, code: &str, extra: Value) -> i64 {
    let mut body = json!({ "code": code, "title": format!("{code} 项目"), "hours": 8.0 });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, created) = app
        .call(token, "POST", "/api/v1/programs", Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn open(app: &TestApp, token: &str, program: i64) {
    let (status, body) = app
        .call(
            token,
            "POST",
            &format!("/api/v1/programs/{program}/status"),
            Some(json!({ "status": "open" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// A classroom session in venue `venue`; returns status and body.
async fn session(
    app: &TestApp,
    token: &str,
    program: i64,
    venue: &str,
    (from, to): (i64, i64),
    extra: Value,
) -> (u16, Value) {
    let mut body = json!({
        "title": "第一讲", "starts_at": at(from), "ends_at": at(to),
        "mode": "classroom", "venue_code": venue,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.call(
        token,
        "POST",
        &format!("/api/v1/programs/{program}/sessions"),
        Some(body),
    )
    .await
}

fn kinds(conflicts: &Value) -> Vec<&str> {
    conflicts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect()
}

db_test!(scheduling_refuses_clashes_and_names_bad_fields, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    // The demo's instructor login already teaches (IN-EQ); a quality engineer is new.
    let teacher = numbers_in(&app, "QA-PQC", 1).await.remove(0);

    let venue = json!({ "code": "R-OPS1", "name": "实训教室一", "site": "总部", "capacity": 30, "kind": "classroom" });
    let (status, _) = app
        .call(&employee, "POST", "/api/v1/venues", Some(venue.clone()))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(&training, "POST", "/api/v1/venues", Some(venue))
        .await;
    assert_eq!(status, 201);
    let (status, venues) = app.call(&training, "GET", "/api/v1/venues", None).await;
    assert_eq!(status, 200);
    assert!(
        venues
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["code"] == "R-OPS1")
    );

    let (status, created) = app.call(&training,
        "POST",
        "/api/v1/instructors",
        Some(json!({ "code": "T-OPS1", "name": "内训师", "employee_number": teacher, "hourly_cost": 300.0 })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let instructor = created["id"].as_i64().unwrap();

    // Bad plan period, unknown venue and an end before the start all name their field.
    let (status, problem) = app
        .call(
            &training,
            "POST",
            "/api/v1/plans",
            Some(json!({ "code": "P-OPS", "name": "计划", "period": "2026Q5" })),
        )
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("period")));
    let (status, _) = app
        .call(
            &training,
            "POST",
            "/api/v1/plans",
            Some(json!({ "code": "P-OPS", "name": "计划", "period": "2026q3" })),
        )
        .await;
    assert_eq!(status, 201);
    let (_, plans) = app.call(&training, "GET", "/api/v1/plans", None).await;
    assert!(
        plans
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["period"] == "2026Q3")
    );

    let first = program(&app, &training, "OPS-A", json!({ "plan_code": "P-OPS" })).await;
    let second = program(&app, &training, "OPS-B", json!({})).await;
    let (status, problem) = session(&app, &training, first, "NO-SUCH", (60, 120), json!({})).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("venue_code")),
        "{problem}"
    );
    let (status, problem) = session(&app, &training, first, "R-OPS1", (120, 60), json!({})).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("ends_at")),
        "{problem}"
    );

    let (status, saved) = session(
        &app,
        &training,
        first,
        "R-OPS1",
        (60, 180),
        json!({ "instructors": ["T-OPS1"] }),
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    let booked = saved["id"].as_i64().unwrap();

    // Same room, overlapping hour: refused with the clash listed, kept when allowed.
    let (status, problem) = session(&app, &training, second, "R-OPS1", (120, 240), json!({})).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(kinds(&problem["conflicts"]), vec!["venue_booked"]);
    assert_eq!(problem["conflicts"][0]["other_session_id"], json!(booked));
    let (status, saved) = session(
        &app,
        &training,
        second,
        "R-OPS1",
        (120, 240),
        json!({ "allow_conflicts": true }),
    )
    .await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(kinds(&saved["conflicts"]), vec!["venue_booked"]);
    let clashing = saved["id"].as_i64().unwrap();

    // An instructor away for a day cannot be booked then.
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/instructors/{instructor}/unavailability"),
            Some(json!({ "starts_at": at(60 * 24), "ends_at": at(60 * 48), "reason": "外出" })),
        )
        .await;
    assert_eq!(status, 201);
    let away = json!({ "title": "第二讲", "starts_at": at(60 * 30), "ends_at": at(60 * 31),
        "mode": "online", "join_url": "https://meet.example.com/x", "instructors": ["T-OPS1"] });
    let (status, conflicts) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{first}/conflicts"),
            Some(away.clone()),
        )
        .await;
    assert_eq!(status, 200, "{conflicts}");
    assert_eq!(kinds(&conflicts), vec!["instructor_unavailable"]);
    let (status, problem) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{first}/sessions"),
            Some(away),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(kinds(&problem["conflicts"]), vec!["instructor_unavailable"]);

    // Moving the clashing session to a free hour clears it; cancelling it drops it.
    let (status, moved) = app.call(&training,
        "PUT",
        &format!("/api/v1/sessions/{clashing}"),
        Some(json!({ "title": "改期", "starts_at": at(300), "ends_at": at(360), "mode": "classroom", "venue_code": "R-OPS1" })),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["conflicts"], json!([]));
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/sessions/{clashing}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    // The program is still a draft, so only program staff see it.
    let (status, detail) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{second}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(detail["sessions"][0]["cancelled"], json!(true));
    assert_eq!(detail["summary"]["sessions"], json!(0));

    let (status, list) = app
        .call(&training, "GET", "/api/v1/programs?plan=P-OPS", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], json!(1));
    assert_eq!(list["items"][0]["code"], "OPS-A");
    // Learners do not see drafts.
    let (status, list) = app
        .call(&employee, "GET", "/api/v1/programs?plan=P-OPS", None)
        .await;
    assert_eq!((status, list["total"].clone()), (200, json!(0)));
    let (status, problem) = app
        .call(&employee, "GET", "/api/v1/programs?status=done", None)
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("status")));
});

db_test!(waitlist_promotes_and_learners_keep_the_deadline, |app| {
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    let people = numbers_in(&app, "PROD1-WELD", 3).await;

    let small = program(&app, &training, "OPS-CAP", json!({ "capacity": 2 })).await;
    let (status, outcome) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{small}/enrollments"),
            Some(json!({ "employees": people })),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(
        outcome,
        json!({ "enrolled": 2, "waitlisted": 1, "already": 0 })
    );
    let (_, list) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{small}/enrollments"),
            None,
        )
        .await;
    let rows = list["items"].as_array().unwrap();
    let waiting = rows.iter().find(|r| r["status"] == "waitlisted").unwrap()["id"].clone();
    let seated = rows.iter().find(|r| r["status"] == "enrolled").unwrap()["id"].clone();
    let (status, cancelled) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/enrollments/{seated}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["promoted"], json!([waiting]));
    let (_, list) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{small}/enrollments"),
            None,
        )
        .await;
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["enrolled", "enrolled", "cancelled"]);

    // A learner cannot cancel inside the deadline; training still can.
    let soon = program(
        &app,
        &training,
        "OPS-SOON",
        json!({ "cancel_deadline_hours": 24 }),
    )
    .await;
    let (status, _) = app.call(&training,
        "POST",
        &format!("/api/v1/programs/{soon}/sessions"),
        Some(json!({ "title": "线上", "starts_at": at(120), "ends_at": at(180), "mode": "online", "join_url": "https://meet.example.com/s" })),
    )
    .await;
    assert_eq!(status, 201);
    let sign_up = Some(json!({ "self": true }));
    let path = format!("/api/v1/programs/{soon}/enrollments");
    let (status, problem) = app.call(&employee, "POST", &path, sign_up.clone()).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("program")),
        "draft takes no sign-ups"
    );
    open(&app, &training, soon).await;
    let (status, outcome) = app.call(&employee, "POST", &path, sign_up).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["enrolled"], json!(1));
    let (status, mine) = app
        .call(&employee, "GET", "/api/v1/me/enrollments", None)
        .await;
    assert_eq!(status, 200);
    let own = mine[0]["id"].as_i64().unwrap();
    assert_eq!(mine[0]["program_code"], "OPS-SOON");
    let cancel = format!("/api/v1/enrollments/{own}/cancel");
    let (status, problem) = app.call(&employee, "POST", &cancel, None).await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("enrollment")),
        "{problem}"
    );
    // Someone else's enrollment is not the employee's to see.
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &format!("/api/v1/enrollments/{waiting}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.call(&training, "POST", &cancel, None).await;
    assert_eq!(status, 200);
});

db_test!(managers_enrol_only_inside_their_department, |app| {
    let training = app.token("training").await;
    let manager = app.token("manager").await;
    let employee = app.token("employee").await;
    let inside = numbers_in(&app, "PROD1-WELD", 1).await;
    let outside = numbers_in(&app, "MKT-EAST", 1).await;
    let id = program(&app, &training, "OPS-MGR", json!({})).await;
    let path = format!("/api/v1/programs/{id}/enrollments");

    let (status, problem) = app
        .call(
            &manager,
            "POST",
            &path,
            Some(json!({ "employees": outside })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("employees")),
        "{problem}"
    );
    let (status, outcome) = app
        .call(
            &manager,
            "POST",
            &path,
            Some(json!({ "employees": inside })),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["enrolled"], json!(1));
    let (status, _) = app
        .call(
            &employee,
            "POST",
            &path,
            Some(json!({ "employees": inside })),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .call(&manager, "POST", &path, Some(json!({ "audience": true })))
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app
        .call(
            &manager,
            "POST",
            &path,
            Some(json!({ "self": true, "audience": true })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");

    // Training enrols the outsider; the manager's list still shows only PROD1 people.
    let (status, _) = app
        .call(
            &training,
            "POST",
            &path,
            Some(json!({ "employees": outside })),
        )
        .await;
    assert_eq!(status, 200);
    let (_, all) = app.call(&training, "GET", &path, None).await;
    assert_eq!(all["total"], json!(2));
    let (_, theirs) = app.call(&manager, "GET", &path, None).await;
    assert_eq!(theirs["total"], json!(1));
    assert_eq!(theirs["items"][0]["employee_number"], json!(inside[0]));
    let (status, _) = app.call(&employee, "GET", &path, None).await;
    assert_eq!(status, 403);

    // The audience rule pushes the program to a whole department.
    let crowd = program(
        &app,
        &training,
        "OPS-AUD",
        json!({ "audience": { "departments": ["PROD1-WELD"] } }),
    )
    .await;
    let (status, outcome) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{crowd}/enrollments"),
            Some(json!({ "audience": true })),
        )
        .await;
    assert_eq!(status, 200, "{outcome}");
    assert!(outcome["enrolled"].as_u64().unwrap() >= 1);
});

db_test!(check_in_roll_call_and_completion, |app| {
    let training = app.token("training").await;
    let instructor = app.token("instructor").await;
    let employee = app.token("employee").await;
    let reviewer = app.token("reviewer").await;
    let teacher = number_of(&app, &instructor).await;
    let learner = number_of(&app, &employee).await;
    let others = numbers_in(&app, "PROD1-WELD", 2).await;

    // The demo links the instructor login to its instructor record IN-EQ.
    let (_, listed) = app
        .call(&training, "GET", "/api/v1/instructors", None)
        .await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == "IN-EQ" && i["employee_number"] == teacher.as_str()),
        "{listed}"
    );
    let id = program(
        &app,
        &training,
        "OPS-ROLL",
        json!({ "min_attendance_pct": 50 }),
    )
    .await;
    let online = |from: i64, to: i64| {
        json!({ "title": "线上课", "starts_at": at(from), "ends_at": at(to), "mode": "online",
            "join_url": "https://meet.example.com/r", "instructors": ["IN-EQ"] })
    };
    let sessions = format!("/api/v1/programs/{id}/sessions");
    let (_, first) = app
        .call(&training, "POST", &sessions, Some(online(-5, 60)))
        .await;
    let first = first["id"].as_i64().unwrap();
    let (_, second) = app
        .call(
            &training,
            "POST",
            &sessions,
            Some(online(-60 * 24, -60 * 23)),
        )
        .await;
    let second = second["id"].as_i64().unwrap();

    let issue = format!("/api/v1/sessions/{first}/checkin-code");
    let (status, _) = app
        .call(&reviewer, "POST", &issue, Some(json!({ "minutes": 15 })))
        .await;
    assert_eq!(status, 403);
    let (status, problem) = app
        .call(&instructor, "POST", &issue, Some(json!({ "minutes": 0 })))
        .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("minutes")));
    let (status, code) = app
        .call(&instructor, "POST", &issue, Some(json!({ "minutes": 15 })))
        .await;
    assert_eq!(status, 200, "{code}");
    let code = code["code"].as_str().unwrap().to_string();
    let wrong = if code == "000000" { "000001" } else { "000000" };

    // Not enrolled yet: refused.
    let (status, problem) = app
        .call(
            &employee,
            "POST",
            "/api/v1/checkin",
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("code")),
        "{problem}"
    );
    let mut people = others.clone();
    people.push(learner.clone());
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{id}/enrollments"),
            Some(json!({ "employees": people })),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            &employee,
            "POST",
            "/api/v1/checkin",
            Some(json!({ "code": wrong })),
        )
        .await;
    assert_eq!(status, 422);
    let (status, done) = app
        .call(
            &employee,
            "POST",
            "/api/v1/checkin",
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done, json!({ "session_id": first, "status": "present" }));

    let (status, sheet) = app
        .call(
            &instructor,
            "GET",
            &format!("/api/v1/sessions/{first}/attendance"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let line = sheet
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["employee_number"] == json!(learner))
        .unwrap();
    assert_eq!(
        (line["status"].as_str(), line["method"].as_str()),
        (Some("present"), Some("code"))
    );

    // Roll call: one other person late in the first session, nobody else in either.
    let roll = |session: i64| format!("/api/v1/sessions/{session}/roll-call");
    let (status, problem) = app.call(&instructor,
        "POST",
        &roll(first),
        Some(json!({ "marks": [{ "employee_number": others[0], "status": "late" }, { "employee_number": "NOBODY", "status": "present" }] })),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("marks[1].employee_number"))
    );
    let (status, problem) = app
        .call(
            &instructor,
            "POST",
            &roll(first),
            Some(json!({ "marks": [{ "employee_number": others[0], "status": "asleep" }] })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("marks[0].status"))
    );
    let (status, recorded) = app.call(&instructor,
        "POST",
        &roll(first),
        Some(json!({ "marks": [{ "employee_number": others[0], "status": "late" }, { "employee_number": others[1], "status": "absent" }] })),
    )
    .await;
    assert_eq!(status, 200, "{recorded}");
    assert_eq!(recorded["recorded"], json!(2));
    let (status, _) = app.call(&instructor,
        "POST",
        &roll(second),
        Some(json!({ "marks": [{ "employee_number": others[1], "status": "absent" }, { "employee_number": learner, "status": "absent" }] })),
    )
    .await;
    assert_eq!(status, 200);

    // A program is run before it is closed.
    let (status, _) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{id}/status"),
            Some(json!({ "status": "running" })),
        )
        .await;
    assert_eq!(status, 200);
    // Half the two sessions is enough: the learner and the late one complete, the absent one does not.
    let (status, closed) = app
        .call(
            &training,
            "POST",
            &format!("/api/v1/programs/{id}/status"),
            Some(json!({ "status": "closed" })),
        )
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(
        closed,
        json!({ "status": "closed", "completion": { "completed": 2, "incomplete": 1 } })
    );
    let (_, mine) = app
        .call(&employee, "GET", "/api/v1/me/enrollments", None)
        .await;
    assert_eq!(mine[0]["status"], "completed");
    assert_eq!(mine[0]["hours"], json!(8.0));
});
