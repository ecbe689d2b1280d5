//! Training operations through the pages: programs and sessions with conflict
//! checks, enrollment with a waiting list, check-in codes, roll call, completion and
//! calendars.

use crate::db_test;
use crate::support::TestApp;
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::operations::{
    AudienceRule, EnrollmentSource, EnrollmentStatus, ProgramInput, ProgramStatus, SessionInput,
    SessionMode,
};
use domain::org::{EmployeeFilter, OrgRepository};
use domain::{DataScope, Page};
use store::prelude::*;

type Fields = Vec<(&'static str, String)>;

/// Posts a form with the page's CSRF token.
pub(crate) async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    csrf: &str,
    path: &str,
    mut fields: Fields,
) -> reqwest::Response {
    fields.push(("_csrf", csrf.to_string()));
    app.post_form(browser, path, &fields).await
}

async fn employee_no(app: &TestApp, user: &str) -> (i64, String) {
    let user = app.store.get_user(app.user_id(user).await).await.unwrap();
    let id = user.employee_id.unwrap();
    let e = app
        .store
        .get_employee(&DataScope::company(), id)
        .await
        .unwrap();
    (id, e.employee_no)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

db_test!(program_to_completion_through_the_pages, |app| {
    let (browser, csrf) = app.login("training").await;
    let demo_venues = app.store.list_venues().await.unwrap().len();
    // Setup: a plan, a venue for 30 and an external instructor.
    for (path, fields) in [
        (
            "/programs/setup/plans",
            vec![
                ("code", "P2031".into()),
                ("name", "2031 年度计划".into()),
                ("period", "2031".into()),
            ],
        ),
        (
            "/programs/setup/venues",
            vec![
                ("code", "R101".into()),
                ("name", "一号教室".into()),
                ("site", "总部".into()),
                ("capacity", "30".into()),
                ("kind", "classroom".into()),
            ],
        ),
        (
            "/programs/setup/instructors",
            vec![
                ("code", "EXT-1".into()),
                ("name", "王老师".into()),
                ("vendor", "某咨询公司".into()),
                ("hourly_cost", "800".into()),
            ],
        ),
    ] {
        let res = post(&app, &browser, &csrf, path, fields).await;
        assert_eq!(res.status(), 303, "{path}: {}", res.text().await.unwrap());
    }
    // A bad venue capacity comes back as the page with the error, nothing saved.
    let res = post(
        &app,
        &browser,
        &csrf,
        "/programs/setup/venues",
        vec![
            ("code", "R102".into()),
            ("name", "二号".into()),
            ("capacity", "0".into()),
            ("kind", "classroom".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("capacity"));
    assert_eq!(
        app.store.list_venues().await.unwrap().len(),
        demo_venues + 1
    );

    let people = app
        .store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter::default(),
            Page::new(Some(1), Some(3)),
        )
        .await
        .unwrap()
        .items;
    let (learner_id, learner_no) = employee_no(&app, "employee").await;
    let numbers = format!(
        "{} {} {}",
        learner_no, people[0].employee_no, people[1].employee_no
    );

    // The program form keeps what was typed when something is wrong.
    let mut form: Fields = vec![
        ("code", "OPS-1".into()),
        ("title", "客户投诉处理实战".into()),
        ("plan_code", "P2031".into()),
        ("capacity", "2".into()),
        ("hours", "abc".into()),
        ("audience_employees", numbers.clone()),
        ("costs", "instructor_fee 8000 外聘\nvenue 500".into()),
        ("transfer_kpi", "COMPLAINT_RATE".into()),
        ("transfer_change_pct", "-20".into()),
        ("transfer_months", "3".into()),
        ("min_attendance_pct", "100".into()),
        ("cancel_deadline_hours", "24".into()),
        ("instructors", "EXT-1".into()),
    ];
    let res = post(&app, &browser, &csrf, "/programs", form.clone()).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("hours"), "{html}");
    assert!(html.contains("客户投诉处理实战"), "the title typed is kept");
    form[4].1 = "8".into();
    form.push(("audience_departments", "NO-SUCH".into()));
    let res = post(&app, &browser, &csrf, "/programs", form.clone()).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("audience.departments[0]")
    );
    form.pop();
    let res = post(&app, &browser, &csrf, "/programs", form).await;
    assert_eq!(res.status(), 303);
    let program: i64 = location(&res).rsplit('/').next().unwrap().parse().unwrap();
    let detail = app.store.program_detail(program).await.unwrap();
    assert_eq!(detail.total_cost(), 8500.0);
    assert_eq!(detail.transfer.as_ref().unwrap().change_pct, -20.0);
    assert_eq!(detail.audience.employees.len(), 3);

    // One session in ten days; another program's session in the same room then clashes.
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(10))
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap())
        .date();
    let session_form = |title: &str| -> Fields {
        vec![
            ("title", title.to_string()),
            ("starts_at", format!("{day}T09:00")),
            ("ends_at", format!("{day}T12:00")),
            ("mode", "classroom".into()),
            ("venue_code", "R101".into()),
            ("instructors", "EXT-1".into()),
        ]
    };
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{program}/sessions"),
        session_form("第一天"),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let other = app
        .store
        .create_program(
            &ProgramInput {
                code: "OPS-2".into(),
                title: "另一个项目".into(),
                plan_code: None,
                objectives: String::new(),
                audience: AudienceRule::default(),
                capacity: None,
                hours: 3.0,
                credits: 0.0,
                skills: vec![],
                resources: vec![],
                instructors: vec![],
                costs: vec![],
                transfer: None,
                min_attendance_pct: 80,
                cancel_deadline_hours: 24,
                survey_required: false,
                certificate_months: None,
                exam_required: false,
            },
            &Actor::system(),
        )
        .await
        .unwrap();
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{other}/sessions"),
        session_form("撞车"),
    )
    .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("venue_booked") && html.contains("instructor_booked"),
        "{html}"
    );
    assert!(app.store.program_sessions(other).await.unwrap().is_empty());
    let mut anyway = session_form("撞车");
    anyway.push(("allow_conflicts", "1".into()));
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{other}/sessions"),
        anyway,
    )
    .await;
    assert_eq!(res.status(), 303);

    // Open: the learner signs up; training assigns the other two; two seats.
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{program}/status"),
        vec![("status", "open".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (learner, learner_csrf) = app.login("employee").await;
    let res = post(
        &app,
        &learner,
        &learner_csrf,
        &format!("/programs/{program}/enroll"),
        vec![("how", "self".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{program}/enroll"),
        vec![("how", "people".into()), ("employees", numbers.clone())],
    )
    .await;
    assert_eq!(
        location(&res),
        format!("/programs/{program}?done=enrolled&n=1&w=1")
    );
    let statuses = |list: Vec<domain::operations::Enrollment>| {
        list.into_iter()
            .map(|e| (e.employee_number, e.status))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let all = app
        .store
        .program_enrollments(program, &DataScope::company(), Page::default())
        .await
        .unwrap();
    let s = statuses(all.items);
    assert_eq!(s[&learner_no], EnrollmentStatus::Enrolled);
    assert_eq!(s[&people[0].employee_no], EnrollmentStatus::Enrolled);
    assert_eq!(s[&people[1].employee_no], EnrollmentStatus::Waitlisted);

    // The second person cancels (by staff); the waiting one moves up.
    let second = app
        .store
        .program_enrollments(program, &DataScope::company(), Page::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| e.employee_number == people[0].employee_no)
        .unwrap();
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/enrollments/{}/cancel", second.id),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 303);
    let s = statuses(
        app.store
            .program_enrollments(program, &DataScope::company(), Page::default())
            .await
            .unwrap()
            .items,
    );
    assert_eq!(s[&people[0].employee_no], EnrollmentStatus::Cancelled);
    assert_eq!(s[&people[1].employee_no], EnrollmentStatus::Enrolled);

    // Check-in: training issues a code; the learner types it; a wrong code is refused.
    let session = app.store.program_sessions(program).await.unwrap()[0].id;
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/sessions/{session}/code"),
        vec![("minutes", "15".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (code, _) = app.store.live_checkin_code(session).await.unwrap().unwrap();
    let page = app
        .page_text(&browser, &format!("/sessions/{session}"))
        .await;
    assert!(page.contains(&code));
    assert!(page.contains("<svg"), "the code is also a QR code");
    // Scanning it opens the learner's check-in with the code filled in.
    let scanned = app
        .page_text(&learner, &format!("/my/learning?code={code}"))
        .await;
    assert!(scanned.contains(&format!("value=\"{code}\"")), "{scanned}");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let res = post(
        &app,
        &learner,
        &learner_csrf,
        "/checkin",
        vec![("code", wrong.into())],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post(
        &app,
        &learner,
        &learner_csrf,
        "/checkin",
        vec![("code", code.clone())],
    )
    .await;
    assert_eq!(location(&res), "/my/learning?done=checked_in_present");
    // Someone not in the program cannot use the code.
    let (outsider, outsider_csrf) = app.login("reviewer").await;
    let res = post(
        &app,
        &outsider,
        &outsider_csrf,
        "/checkin",
        vec![("code", code)],
    )
    .await;
    assert_eq!(res.status(), 422);

    // Roll call marks the other learner absent; closing settles completion (100 % needed).
    // A roll call that marks nobody (blank marks are skipped) is refused, as on the API.
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/sessions/{session}/roll-call"),
        vec![("mark_0", String::new())],
    )
    .await;
    assert_eq!(res.status(), 422);
    let mark = format!("mark_{}", people[1].id);
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/sessions/{session}/roll-call"),
        vec![(mark.leak(), "absent".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let sheet = app.store.attendance_sheet(session).await.unwrap();
    assert_eq!(sheet.len(), 2, "the cancelled learner is not on the sheet");
    let res = post(
        &app,
        &browser,
        &csrf,
        &format!("/programs/{program}/status"),
        vec![("status", "closed".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let mine = app.store.employee_enrollments(learner_id).await.unwrap();
    let done = mine.iter().find(|e| e.program_id == program).unwrap();
    assert_eq!(
        (done.status, done.hours, done.attended),
        (EnrollmentStatus::Completed, Some(8.0), 1)
    );
    assert_eq!(done.completed_on, Some(day));
    let s = statuses(
        app.store
            .program_enrollments(program, &DataScope::company(), Page::default())
            .await
            .unwrap()
            .items,
    );
    assert_eq!(s[&people[1].employee_no], EnrollmentStatus::Incomplete);

    // The learner's page and calendar show the program.
    let page = app.page_text(&learner, "/my/learning").await;
    assert!(page.contains("客户投诉处理实战"));
    let ics = learner
        .get(app.url("/calendar/me.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ics.headers()[reqwest::header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    let ics = ics.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("SUMMARY:客户投诉处理实战 · 第一天"), "{ics}");
    assert!(ics.contains("LOCATION:一号教室"), "{ics}");
    let venue = app
        .store
        .list_venues()
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.code == "R101")
        .unwrap()
        .id;
    let ics = app
        .page_text(&browser, &format!("/calendar/venues/{venue}.ics"))
        .await;
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        2,
        "both bookings of the room"
    );

    // Every step left an audit entry.
    let audit = app
        .audit_page("operations.", Page::new(Some(1), Some(100)))
        .await;
    let actions: std::collections::HashSet<String> =
        audit.items.iter().map(|e| e.action.clone()).collect();
    for expected in [
        "operations.program_create",
        "operations.session_create",
        "operations.enroll",
        "operations.enrollment_cancel",
        "operations.checkin_code",
        "operations.check_in",
        "operations.roll_call",
        "operations.completion",
    ] {
        assert!(
            actions.contains(expected),
            "{expected} missing from {actions:?}"
        );
    }
});

db_test!(learners_cannot_cancel_after_the_deadline, |app| {
    let system = Actor::system();
    let program = app
        .store
        .create_program(
            &ProgramInput {
                code: "SOON".into(),
                title: "明天开课".into(),
                plan_code: None,
                objectives: String::new(),
                audience: AudienceRule::default(),
                capacity: None,
                hours: 2.0,
                credits: 0.0,
                skills: vec![],
                resources: vec![],
                instructors: vec![],
                costs: vec![],
                transfer: None,
                min_attendance_pct: 80,
                cancel_deadline_hours: 24,
                survey_required: false,
                certificate_months: None,
                exam_required: false,
            },
            &system,
        )
        .await
        .unwrap();
    let start = time::OffsetDateTime::now_utc() + time::Duration::hours(3);
    app.store
        .save_session(
            program,
            None,
            &SessionInput {
                title: "线上".into(),
                starts_at: start,
                ends_at: start + time::Duration::hours(1),
                mode: SessionMode::Online,
                venue_code: None,
                capacity: None,
                join_url: Some("https://meet.example.com/soon".into()),
                instructors: vec![],
                allow_conflicts: false,
            },
            &system,
        )
        .await
        .unwrap();
    // Not open yet: learners neither see the draft nor can sign up.
    let (learner, csrf) = app.login("employee").await;
    let page = learner
        .get(app.url(&format!("/programs/{program}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let list = app.page_text(&learner, "/programs?q=SOON").await;
    assert!(!list.contains("明天开课"), "{list}");
    let token = app.token("employee").await;
    let api = app
        .client()
        .get(app.url(&format!("/api/v1/programs/{program}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
    let res = post(
        &app,
        &learner,
        &csrf,
        &format!("/programs/{program}/enroll"),
        vec![("how", "self".into())],
    )
    .await;
    assert_eq!(res.status(), 422);
    app.store
        .set_program_status(program, ProgramStatus::Open, &system)
        .await
        .unwrap();
    let page = learner
        .get(app.url(&format!("/programs/{program}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let res = post(
        &app,
        &learner,
        &csrf,
        &format!("/programs/{program}/enroll"),
        vec![("how", "self".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (learner_id, _) = employee_no(&app, "employee").await;
    let enrollment = app.store.employee_enrollments(learner_id).await.unwrap()[0].clone();
    assert_eq!(enrollment.source, EnrollmentSource::SelfService);
    let res = post(
        &app,
        &learner,
        &csrf,
        &format!("/enrollments/{}/cancel", enrollment.id),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("24"));
    // The manager of the learner's department still may.
    let (manager, manager_csrf) = app.login("manager").await;
    let res = post(
        &app,
        &manager,
        &manager_csrf,
        &format!("/enrollments/{}/cancel", enrollment.id),
        vec![],
    )
    .await;
    assert_eq!(res.status(), 303);
    // A manager cannot enrol someone outside their department.
    let east = app.department("MKT-EAST").await;
    let stranger = app
        .store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter {
                department_id: Some(east.id),
                ..EmployeeFilter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let res = post(
        &app,
        &manager,
        &manager_csrf,
        &format!("/programs/{program}/enroll"),
        vec![
            ("how", "people".into()),
            ("employees", stranger.employee_no.clone()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains(&stranger.employee_no));
    // The learner's calendar entry of the online session carries the joining link.
    let res = post(
        &app,
        &learner,
        &csrf,
        &format!("/programs/{program}/enroll"),
        vec![("how", "self".into())],
    )
    .await;
    assert_eq!(res.status(), 303);
    let ics = app.page_text(&learner, "/calendar/me.ics").await;
    assert!(
        ics.contains("LOCATION:https://meet.example.com/soon"),
        "{ics}"
    );
});

db_test!(demo_has_two_years_of_operations, |app| {
    let programs = app
        .store
        .list_programs(
            &domain::operations::ProgramFilter::default(),
            Page::default(),
        )
        .await
        .unwrap();
    assert!(programs.total >= 9, "{}", programs.total);
    let closed = app.store.program_id("CS-2025-01").await.unwrap();
    let d = app.store.program_detail(closed).await.unwrap();
    assert_eq!(d.summary.status, ProgramStatus::Closed);
    assert!(d.summary.completed > 0, "learners completed");
    assert_eq!(d.transfer.unwrap().kpi_code, "COMPLAINT_RATE");
    // Some did not attend enough to complete.
    let all = app
        .store
        .program_enrollments(closed, &DataScope::company(), Page::new(Some(1), Some(200)))
        .await
        .unwrap();
    assert!(
        all.items
            .iter()
            .any(|e| e.status == EnrollmentStatus::Incomplete)
            || all.items.len() < 20
    );
    // The running workshop's sessions lie ahead and the instructor login teaches them.
    let running = app.store.program_id("EQ-2026-Q4").await.unwrap();
    let sessions = app.store.program_sessions(running).await.unwrap();
    assert!(sessions[0].starts_at > time::OffsetDateTime::now_utc());
    let (browser, _) = app.login("instructor").await;
    let res = browser
        .get(app.url(&format!("/sessions/{}", sessions[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Learners can sign up for the open safety refresher.
    let open = app
        .store
        .list_programs(
            &domain::operations::ProgramFilter {
                open_only: true,
                ..Default::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert!(open.items.iter().any(|p| p.code == "SF-2026-Q4"));
});

// The page and the API enrol through one use case, so an audience rule that matches
// nobody is the same validation error on both (the page used to report success).
db_test!(
    audience_matching_nobody_is_refused_on_page_and_api_alike,
    |app| {
        let token = app.token("training").await;
        let (status, created) = app
            .call(
                &token,
                "POST",
                "/api/v1/programs",
                Some(serde_json::json!({
                    "code": "OPS-NOBODY",
                    "title": "无人匹配的项目",
                    "hours": 4.0,
                    "audience": { "tags": ["没有人有的标签"] },
                })),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let program = created["id"].as_i64().unwrap();

        let (status, problem) = app
            .call(
                &token,
                "POST",
                &format!("/api/v1/programs/{program}/enrollments"),
                Some(serde_json::json!({ "audience": true })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "audience");

        let (browser, csrf) = app.login("training").await;
        let res = post(
            &app,
            &browser,
            &csrf,
            &format!("/programs/{program}/enroll"),
            vec![("how", "audience".into()), ("employees", String::new())],
        )
        .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("audience"), "{html}");
        let enrolled = app
            .store
            .program_enrollments(program, &DataScope::company(), Page::new(None, None))
            .await
            .unwrap();
        assert_eq!(enrolled.total, 0);
    }
);
