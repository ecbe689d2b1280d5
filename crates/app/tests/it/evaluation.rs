//! Value proof, levels 1–3: the funnel and levels per program on known data (and
//! their agreement with the per-program store functions), the efficiency index and
//! vendor flag, the coaching task of a low post-test, falling skill coverage, the
//! manager's scope, the pages and the export.

use crate::db_test;
use crate::support::TestApp;
use domain::audit::Actor;
use domain::evaluation::{EfficiencyBy, EvaluationFilter};
use domain::exams::{ExamInput, ExamPurpose};
use domain::operations::{
    AttendanceMethod, AttendanceStatus, EnrollmentSource, InstructorInput, ProgramInput,
    ProgramStatus, SessionInput, SessionMode,
};
use domain::org::OrgRepository;
use domain::practice::{
    MentorChoice, PracticeAssignment, PracticeFilter, RatingInput, ReportDecision, ReportReview,
};
use domain::surveys::{Answer, AttachInput};
use domain::{DataScope, Page};
use store::prelude::*;
use time::{Duration, OffsetDateTime};

/// Active employees of a department subtree who do not head their own department.
async fn people(app: &TestApp, department: &str, n: usize) -> Vec<(i64, String)> {
    let list = app.active_employees(department, 100).await;
    let heads: Vec<i64> = app
        .store
        .list_departments(&DataScope::company())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|d| d.head_employee_id)
        .collect();
    let out: Vec<(i64, String)> = list
        .into_iter()
        .filter(|e| !heads.contains(&e.id))
        .take(n)
        .map(|e| (e.id, e.employee_no))
        .collect();
    assert_eq!(out.len(), n, "{department} has {n} employees");
    out
}

/// A running program with online sessions `(start, hours, instructor)`.
async fn program(
    app: &TestApp,
    code: &str,
    sessions: &[(OffsetDateTime, i64, Option<&str>)],
) -> (i64, Vec<i64>) {
    let actor = Actor::system();
    let input = serde_json::from_value::<ProgramInput>(
        serde_json::json!({ "code": code, "title": format!("{code} 评估测试") }),
    )
    .unwrap();
    let id = app.store.create_program(&input, &actor).await.unwrap();
    let mut ids = Vec::new();
    for (i, (starts, hours, who)) in sessions.iter().enumerate() {
        let (session, _) = app
            .store
            .save_session(
                id,
                None,
                &SessionInput {
                    title: format!("第{}讲", i + 1),
                    starts_at: *starts,
                    ends_at: *starts + Duration::hours(*hours),
                    mode: SessionMode::Online,
                    venue_code: None,
                    capacity: None,
                    join_url: Some("https://meet.example.com/ev".into()),
                    instructors: who.iter().map(|w| w.to_string()).collect(),
                    allow_conflicts: true,
                },
                &actor,
            )
            .await
            .unwrap();
        ids.push(session);
    }
    app.store
        .set_program_status(id, ProgramStatus::Running, &actor)
        .await
        .unwrap();
    (id, ids)
}

async fn exam(app: &TestApp, program: &str, purpose: ExamPurpose) -> i64 {
    app.store
        .create_exam(
            &ExamInput {
                code: format!("{program}-{}", purpose.code()),
                title: format!("{program} {}", purpose.code()),
                program_code: Some(program.into()),
                purpose,
                skill_code: "QA-AWARE".into(),
                draw_easy: 0,
                draw_medium: 1,
                draw_hard: 0,
                time_limit_minutes: 30,
                pass_mark_pct: 60,
                max_attempts: 3,
                retake_wait_hours: 0,
            },
            &Actor::system(),
        )
        .await
        .unwrap()
}

/// A graded attempt with a known score (60 passes).
async fn attempt(app: &TestApp, exam: i64, employee: i64, no: i32, pct: f64) {
    let passed = if pct >= 60.0 { "TRUE" } else { "FALSE" };
    app.exec(&format!(
        "INSERT INTO exam_attempts (exam_id, employee_id, attempt_no, seed, started_at, deadline_at, submitted_at, status, score, max_score, score_pct, passed) \
         VALUES ({exam}, {employee}, {no}, 1, '2026-01-05T01:00:00.000000Z', '2026-01-05T02:00:00.000000Z', '2026-01-05T01:30:00.000000Z', 'graded', {pct}, 100, {pct}, {passed})"
    ))
    .await;
}

fn ratings(values: [i32; 4]) -> Vec<Answer> {
    let mut answers: Vec<Answer> = values
        .iter()
        .enumerate()
        .map(|(i, r)| Answer {
            question: i,
            rating: Some(*r),
            choice: None,
            text: None,
        })
        .collect();
    answers.push(Answer {
        question: 4,
        rating: None,
        choice: Some("会".into()),
        text: None,
    });
    answers
}

/// The known program: six PROD1 learners (A–F) and one outsider (O) of marketing.
struct Fixture {
    program: i64,
    /// A program whose only learner is a second outsider, who completed below 60.
    outside_program: i64,
    /// A, B, C, D, E, F (PROD1-WELD), then O (MKT-EAST).
    learners: Vec<(i64, String)>,
    outsider2: (i64, String),
}

/// Attendance: A–E and O at session 1; A–D and O at session 2 (F never came).
/// Completed (80 % attendance): A, B, C, D, O. Pre → best post: A 40→80, B 50→70,
/// C 60→50, D 20→65 (55 first), O 50→90. Practice accepted: A, B (C's returned).
/// Ratings at +90: A 5, B 4, C 2, D 3; at +30: A 4, B 3. Survey of session 1:
/// A answers 5,5,4,4 and B 3,3,4,4.
async fn fixture(app: &TestApp) -> Fixture {
    let actor = Actor::system();
    let mut learners = people(app, "PROD1-WELD", 6).await;
    let outsiders = people(app, "MKT-EAST", 2).await;
    learners.push(outsiders[0].clone());
    let ids: Vec<i64> = learners.iter().map(|l| l.0).collect();
    let start = OffsetDateTime::now_utc() - Duration::days(10);
    let (id, sessions) = program(
        app,
        "EVF-FUN",
        &[(start, 2, None), (start + Duration::days(1), 2, None)],
    )
    .await;
    app.store
        .enroll(id, &ids, EnrollmentSource::Assigned, &actor)
        .await
        .unwrap();
    let mark = |present: &[usize]| -> Vec<(i64, AttendanceStatus)> {
        ids.iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    *e,
                    if present.contains(&i) {
                        AttendanceStatus::Present
                    } else {
                        AttendanceStatus::Absent
                    },
                )
            })
            .collect()
    };
    app.store
        .roll_call(
            sessions[0],
            &mark(&[0, 1, 2, 3, 4, 6]),
            AttendanceMethod::RollCall,
            &actor,
        )
        .await
        .unwrap();
    app.store
        .roll_call(
            sessions[1],
            &mark(&[0, 1, 2, 3, 6]),
            AttendanceMethod::RollCall,
            &actor,
        )
        .await
        .unwrap();
    let survey = app
        .store
        .attach_survey(
            sessions[0],
            &AttachInput {
                template_code: "REACTION-STD".into(),
                anonymous: false,
                opens_at: None,
                closes_at: None,
            },
            &actor,
        )
        .await
        .unwrap();
    let answered_at = start + Duration::hours(3);
    app.store
        .submit_survey(survey, ids[0], &ratings([5, 5, 4, 4]), answered_at, &actor)
        .await
        .unwrap();
    app.store
        .submit_survey(survey, ids[1], &ratings([3, 3, 4, 4]), answered_at, &actor)
        .await
        .unwrap();
    app.store
        .set_program_status(id, ProgramStatus::Closed, &actor)
        .await
        .unwrap();
    let pre = exam(app, "EVF-FUN", ExamPurpose::PreTest).await;
    let post = exam(app, "EVF-FUN", ExamPurpose::PostTest).await;
    for (i, p) in [(0, 40.0), (1, 50.0), (2, 60.0), (3, 20.0), (6, 50.0)] {
        attempt(app, pre, ids[i], 1, p).await;
    }
    for (i, no, p) in [
        (0, 1, 80.0),
        (1, 1, 70.0),
        (2, 1, 50.0),
        (3, 1, 55.0),
        (3, 2, 65.0),
        (6, 1, 90.0),
    ] {
        attempt(app, post, ids[i], no, p).await;
    }
    app.store
        .assign_practice(
            id,
            &PracticeAssignment {
                title: "把自检清单用到本工位".into(),
                description: String::new(),
                due_on: OffsetDateTime::now_utc().date() + Duration::days(30),
                mentor: MentorChoice::Manager,
                employee_numbers: vec![],
            },
            &DataScope::company(),
            OffsetDateTime::now_utc().date(),
            &actor,
        )
        .await
        .unwrap();
    let tasks = app
        .store
        .list_practice_tasks(
            &PracticeFilter {
                program_id: Some(id),
                ..PracticeFilter::default()
            },
            &DataScope::company(),
            Page::default(),
        )
        .await
        .unwrap()
        .items;
    for (i, decision) in [
        (0, ReportDecision::Accepted),
        (1, ReportDecision::Accepted),
        (2, ReportDecision::Returned),
    ] {
        let task = tasks.iter().find(|t| t.employee_id == ids[i]).unwrap();
        app.store
            .submit_practice_report(task.id, "按清单做了首件检验，找到一处易错点。", &actor)
            .await
            .unwrap();
        app.store
            .review_practice_report(
                task.id,
                &ReportReview {
                    decision,
                    score: (decision == ReportDecision::Accepted).then_some(85),
                    comment: "好".into(),
                },
                &actor,
            )
            .await
            .unwrap();
    }
    // Ratings fall due now; the managers give them.
    app.exec(&format!(
        "UPDATE behavior_ratings SET due_on = '{}' WHERE program_id = {id}",
        OffsetDateTime::now_utc().date() - Duration::days(1)
    ))
    .await;
    let scheduled = app.store.program_behavior_ratings(id).await.unwrap();
    for (i, days, rating) in [
        (0, 90, 5),
        (1, 90, 4),
        (2, 90, 2),
        (3, 90, 3),
        (0, 30, 4),
        (1, 30, 3),
    ] {
        let r = scheduled
            .iter()
            .find(|r| r.employee_id == ids[i] && r.checkpoint_days == days)
            .unwrap();
        app.store
            .rate_behavior(
                r.id,
                &RatingInput {
                    rating,
                    observation: String::new(),
                },
                OffsetDateTime::now_utc().date(),
                &actor,
            )
            .await
            .unwrap();
    }
    // The second outsider completes another program with 45 on its post-test.
    let outsider2 = outsiders[1].clone();
    let (out_id, out_sessions) = program(app, "EVF-OUT", &[(start, 2, None)]).await;
    app.store
        .enroll(out_id, &[outsider2.0], EnrollmentSource::Assigned, &actor)
        .await
        .unwrap();
    app.store
        .roll_call(
            out_sessions[0],
            &[(outsider2.0, AttendanceStatus::Present)],
            AttendanceMethod::RollCall,
            &actor,
        )
        .await
        .unwrap();
    app.store
        .set_program_status(out_id, ProgramStatus::Closed, &actor)
        .await
        .unwrap();
    let out_post = exam(app, "EVF-OUT", ExamPurpose::PostTest).await;
    attempt(app, out_post, outsider2.0, 1, 45.0).await;
    Fixture {
        program: id,
        outside_program: out_id,
        learners,
        outsider2,
    }
}

fn stage(item: &serde_json::Value, name: &str) -> (i64, Option<f64>) {
    let s = item["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == name)
        .unwrap_or_else(|| panic!("stage {name}"));
    (s["count"].as_i64().unwrap(), s["share"].as_f64())
}

fn close(a: &serde_json::Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

db_test!(
    funnel_and_levels_on_known_data_agree_with_the_store,
    |app| {
        let f = fixture(&app).await;
        let token = app.token("training").await;
        let (status, body) = app
            .call(&token, "GET", "/api/v1/evaluation/programs?q=EVF-FUN", None)
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], 1);
        let p = &body["items"][0];
        assert_eq!(p["program_id"], f.program);
        assert_eq!(p["family"], "EVF");
        let expected = [
            ("enrolled", 7),
            ("attended", 6),
            ("completed", 5),
            ("passed_post_test", 4),
            ("practice_accepted", 2),
            ("behavior_changed", 2),
        ];
        for (name, n) in expected {
            assert_eq!(stage(p, name).0, n, "{name}");
        }
        assert!((stage(p, "completed").1.unwrap() - 5.0 / 7.0).abs() < 1e-9);

        // Level 1: (5+5+4+4+3+3+4+4)/8 = 4.0 over 2 responses of 6 present.
        assert_eq!(p["reaction"]["responses"], 2);
        assert_eq!(p["reaction"]["invited"], 6);
        assert!(close(&p["reaction"]["mean"], 4.0));
        let reaction = app.store.program_reaction(f.program).await.unwrap();
        assert_eq!(reaction.overall_mean, Some(4.0));
        assert_eq!(reaction.responses, 2);
        assert_eq!(reaction.invited, 6);
        assert_eq!(
            reaction.response_rate,
            Some((p["reaction"]["response_rate"].as_f64().unwrap() * 100.0).round() / 100.0)
        );

        // Level 2: pairs A, B, C, D (best 65), O: pre 44, post 71.
        let gain = app.store.learning_gain(f.program).await.unwrap();
        assert_eq!(gain.n_paired, 5);
        assert_eq!(p["learning"]["n_paired"], 5);
        assert!(close(&p["learning"]["mean_pre"], 44.0));
        assert!(close(&p["learning"]["mean_post"], 71.0));
        assert!(close(&p["learning"]["mean_pre"], gain.mean_pre.unwrap()));
        assert!(close(&p["learning"]["mean_post"], gain.mean_post.unwrap()));
        assert!(close(
            &p["learning"]["normalised_gain"],
            gain.normalised_gain.unwrap()
        ));
        assert!(close(&p["learning"]["normalised_gain"], 27.0 / 56.0));
        assert_eq!(p["learning"]["post_takers"], 5);
        assert_eq!(p["learning"]["post_passed"], 4);

        // Level 3: the same figures as the program's transfer summary.
        let transfer = app
            .store
            .transfer_summary(f.program, OffsetDateTime::now_utc().date())
            .await
            .unwrap();
        assert_eq!(p["behavior"]["tasks"], transfer.tasks);
        assert_eq!(p["behavior"]["tasks_accepted"], transfer.reviewed);
        assert_eq!(p["behavior"]["tasks_accepted"], 2);
        assert!(close(
            &p["behavior"]["rating_90"],
            transfer.rating_90.unwrap()
        ));
        assert!(close(&p["behavior"]["rating_90"], 3.5));
        assert!(close(
            &p["behavior"]["rating_30"],
            transfer.rating_30.unwrap()
        ));
        assert_eq!(p["behavior"]["rated_90"], transfer.rated_90);
        assert_eq!(p["behavior"]["learners_changed"], 2);
        assert!(close(&p["behavior"]["changed_share"], 0.5));

        // The detail answers the same and links level 4.
        let (status, detail) = app
            .call(
                &token,
                "GET",
                &format!("/api/v1/evaluation/programs/{}", f.program),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(detail["program"]["funnel"], p["funnel"]);
        assert_eq!(
            detail["effect_path"],
            format!("/evaluation/programs/{}/effect", f.program)
        );
        assert!(
            detail["family_trend"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["family"] == "EVF")
        );

        // The funnel of both programs adds them up.
        let (status, funnel) = app
            .call(&token, "GET", "/api/v1/evaluation/funnel?q=EVF-", None)
            .await;
        assert_eq!(status, 200);
        assert_eq!(funnel["programs"], 2);
        assert_eq!(funnel["stages"][0]["count"], 8);
        assert_eq!(funnel["stages"][2]["count"], 6);

        // Bad filters name the field.
        for (path, field) in [
            ("/api/v1/evaluation/programs?status=done", "status"),
            ("/api/v1/evaluation/programs?year=20x6", "year"),
            ("/api/v1/evaluation/efficiency?by=room", "by"),
        ] {
            let (status, body) = app.call(&token, "GET", path, None).await;
            assert_eq!(status, 422, "{path}");
            assert_eq!(body["field"], field, "{path}: {body}");
        }
    }
);

db_test!(managers_see_only_their_subtree, |app| {
    let f = fixture(&app).await;
    let token = app.token("manager").await;
    let (status, body) = app
        .call(&token, "GET", "/api/v1/evaluation/programs?q=EVF-", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1, "the outsiders' program is not in scope");
    let p = &body["items"][0];
    // Without O: six enrolled, A–E attended, A–D completed, A, B, D passed.
    for (name, n) in [
        ("enrolled", 6),
        ("attended", 5),
        ("completed", 4),
        ("passed_post_test", 3),
        ("practice_accepted", 2),
        ("behavior_changed", 2),
    ] {
        assert_eq!(stage(p, name).0, n, "{name}");
    }
    assert_eq!(p["learning"]["n_paired"], 4);
    assert!(close(&p["learning"]["mean_pre"], 42.5));
    assert!(close(&p["learning"]["mean_post"], 66.25));
    let (status, _) = app
        .call(
            &token,
            "GET",
            &format!("/api/v1/evaluation/programs/{}", f.outside_program),
            None,
        )
        .await;
    assert_eq!(status, 404);
    // Alerts: C of PROD1 appears, the outsider does not (the company sees both).
    let (_, alerts) = app
        .call(&token, "GET", "/api/v1/evaluation/alerts", None)
        .await;
    let numbers: Vec<&str> = alerts["low_post_test"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["employee_number"].as_str().unwrap())
        .collect();
    assert!(numbers.contains(&f.learners[2].1.as_str()));
    assert!(!numbers.contains(&f.outsider2.1.as_str()));
    let training = app.token("training").await;
    let (_, all) = app
        .call(&training, "GET", "/api/v1/evaluation/alerts", None)
        .await;
    assert!(
        all["low_post_test"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["employee_number"] == f.outsider2.1.as_str())
    );
    // Pages: the manager's program list and detail follow the same scope.
    let (browser, _) = app.login("manager").await;
    let html = app.page_text(&browser, "/evaluation/programs?q=EVF-").await;
    assert!(html.contains("EVF-FUN") && !html.contains("EVF-OUT"));
    let res = browser
        .get(app.url(&format!("/evaluation/programs/{}", f.outside_program)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Employees and instructors have no evaluation at all.
    let employee = app.token("employee").await;
    let (status, _) = app
        .call(&employee, "GET", "/api/v1/evaluation/programs", None)
        .await;
    assert_eq!(status, 403);
});

db_test!(
    a_low_post_test_creates_one_coaching_task_for_the_manager,
    |app| {
        let f = fixture(&app).await;
        let c = &f.learners[2];
        let weld = app.department("PROD1-WELD").await;
        let manager = weld.head_employee_id.expect("PROD1-WELD has a head");
        let alerts = app
            .store
            .coaching_alerts(&DataScope::company())
            .await
            .unwrap();
        let mine: Vec<_> = alerts
            .iter()
            .filter(|a| a.program_id == f.program)
            .collect();
        assert_eq!(
            mine.len(),
            1,
            "only C is below 60 (D's second attempt passed)"
        );
        assert_eq!(mine[0].employee_id, c.0);
        assert_eq!(mine[0].post_test_pct, 50.0);
        assert_eq!(mine[0].manager_id, Some(manager));
        assert_eq!(mine[0].coaching_task_id, None);

        // The API (program staff) creates the tasks; a second run creates none.
        let training = app.token("training").await;
        let (status, first) = app
            .call(
                &training,
                "POST",
                "/api/v1/evaluation/alerts/coaching",
                None,
            )
            .await;
        assert_eq!(status, 200, "{first}");
        assert!(first["created"].as_i64().unwrap() >= 1);
        let (_, second) = app
            .call(
                &training,
                "POST",
                "/api/v1/evaluation/alerts/coaching",
                None,
            )
            .await;
        assert_eq!(second["created"], 0);
        assert_eq!(
            second["existing"].as_i64().unwrap(),
            first["created"].as_i64().unwrap() + first["existing"].as_i64().unwrap()
        );
        // As does the daily job.
        let again = app
            .store
            .create_coaching_tasks(
                &DataScope::company(),
                OffsetDateTime::now_utc().date(),
                &Actor::system(),
            )
            .await
            .unwrap();
        assert_eq!(again.created, 0);

        let tasks = app
            .store
            .list_practice_tasks(
                &PracticeFilter {
                    program_id: Some(f.program),
                    employee_id: Some(c.0),
                    ..PracticeFilter::default()
                },
                &DataScope::company(),
                Page::default(),
            )
            .await
            .unwrap()
            .items;
        let coaching: Vec<_> = tasks
            .iter()
            .filter(|t| t.title.starts_with("辅导 / Coaching: "))
            .collect();
        assert_eq!(coaching.len(), 1, "one coaching task");
        assert_eq!(coaching[0].mentor_id, manager, "the manager mentors it");
        assert_eq!(coaching[0].title, "辅导 / Coaching: EVF-FUN 评估测试");
        // The manager finds it among the tasks they mentor.
        let mentoring = app
            .store
            .list_practice_tasks(
                &PracticeFilter {
                    mentor_id: Some(manager),
                    ..PracticeFilter::default()
                },
                &DataScope::company(),
                Page::new(Some(1), Some(100)),
            )
            .await
            .unwrap()
            .items;
        assert!(mentoring.iter().any(|t| t.id == coaching[0].id));
        // The alert now points at it, and the creation is audited.
        let alerts = app
            .store
            .coaching_alerts(&DataScope::company())
            .await
            .unwrap();
        let a = alerts.iter().find(|a| a.program_id == f.program).unwrap();
        assert_eq!(a.coaching_task_id, Some(coaching[0].id));
        let audit = app
            .audit_page("evaluation.coaching_task", Page::new(Some(1), Some(100)))
            .await;
        assert!(
            audit
                .items
                .iter()
                .any(|e| e.entity_id.as_deref() == Some(coaching[0].id.to_string().as_str()))
        );
        // Managers may not create them; the page button is program staff's.
        let manager_token = app.token("manager").await;
        let (status, _) = app
            .call(
                &manager_token,
                "POST",
                "/api/v1/evaluation/alerts/coaching",
                None,
            )
            .await;
        assert_eq!(status, 403);
        let (browser, csrf) = app.login("training").await;
        let res = app
            .post_form(
                &browser,
                "/evaluation/alerts/coaching",
                &[("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 303);
        let html = app.page_text(&browser, "/evaluation/alerts").await;
        assert!(html.contains(&format!("/practice/{}", coaching[0].id)));
    }
);

db_test!(falling_skill_coverage_raises_an_alert, |app| {
    let today = app.state().today();
    let inside = people(&app, "PROD1-WELD", 5).await;
    let outside = people(&app, "MKT-EAST", 2).await;
    app.exec("INSERT INTO positions (code, name) VALUES ('EVX-POS', '评估测试岗')")
        .await;
    for (code, required) in [("EVX-SKILL", 2), ("EVX-STEADY", 1)] {
        app.exec(&format!(
            "INSERT INTO skills (code, name, area_id, levels) VALUES ('{code}', '{code}', (SELECT MIN(id) FROM skill_areas), 3)"
        ))
        .await;
        app.exec(&format!(
            "INSERT INTO position_skills (position_id, skill_id, required_level, tier) VALUES \
             ((SELECT id FROM positions WHERE code = 'EVX-POS'), (SELECT id FROM skills WHERE code = '{code}'), {required}, 'core')"
        ))
        .await;
    }
    let assess = |employee: i64, skill: &'static str, level: i32, on: time::Date| {
        format!(
            "INSERT INTO assessments (employee_id, skill_id, level, method, assessed_on, created_at) VALUES \
             ({employee}, (SELECT id FROM skills WHERE code = '{skill}'), {level}, 'exam', '{on}', '2026-01-01T00:00:00.000000Z')"
        )
    };
    let long_ago = today - Duration::days(150);
    // Four old hands inside and two outside met both levels five months ago; one
    // inside was reassessed lower last month; a new hire inside meets only the
    // steady skill.
    for (i, (e, _)) in inside.iter().chain(outside.iter()).enumerate() {
        let hired = if i == 4 {
            today - Duration::days(10)
        } else {
            long_ago
        };
        app.exec(&format!(
            "UPDATE employees SET position_id = (SELECT id FROM positions WHERE code = 'EVX-POS'), hire_date = '{hired}' WHERE id = {e}"
        ))
        .await;
        if i == 4 {
            // Assessed on arrival in the steady skill only.
            app.exec(&assess(*e, "EVX-STEADY", 1, today - Duration::days(5)))
                .await;
            continue;
        }
        app.exec(&assess(*e, "EVX-SKILL", 2, long_ago)).await;
        app.exec(&assess(*e, "EVX-STEADY", 1, long_ago)).await;
    }
    app.exec(&assess(
        inside[0].0,
        "EVX-SKILL",
        1,
        today - Duration::days(30),
    ))
    .await;

    let find = |alerts: &serde_json::Value, skill: &str| {
        alerts["coverage_falling"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["position_code"] == "EVX-POS" && a["skill_code"] == skill)
            .cloned()
    };
    let training = app.token("training").await;
    let (_, all) = app
        .call(&training, "GET", "/api/v1/evaluation/alerts", None)
        .await;
    let a = find(&all, "EVX-SKILL").expect("company alert");
    assert_eq!(
        (a["people_now"].as_i64(), a["meeting_now"].as_i64()),
        (Some(7), Some(5))
    );
    assert_eq!(
        (a["people_then"].as_i64(), a["meeting_then"].as_i64()),
        (Some(6), Some(6))
    );
    assert!(close(&a["fall_points"], 100.0 - 500.0 / 7.0));
    assert!(
        find(&all, "EVX-STEADY").is_none(),
        "a skill that held is no alert"
    );
    let manager = app.token("manager").await;
    let (_, mine) = app
        .call(&manager, "GET", "/api/v1/evaluation/alerts", None)
        .await;
    let a = find(&mine, "EVX-SKILL").expect("the manager's alert");
    assert_eq!(
        (a["people_now"].as_i64(), a["meeting_now"].as_i64()),
        (Some(5), Some(3))
    );
    assert_eq!(
        (a["people_then"].as_i64(), a["meeting_then"].as_i64()),
        (Some(4), Some(4))
    );
    assert!(close(&a["fall_points"], 40.0));
    let count = mine["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "coverage_falling")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert!(count >= 1);
});

db_test!(efficiency_index_and_vendor_flag_on_known_data, |app| {
    let actor = Actor::system();
    for (code, vendor) in [("EVX-IN-GOOD", "优训咨询"), ("EVX-IN-WEAK", "平庸培训")] {
        app.store
            .create_instructor(
                &InstructorInput {
                    code: code.into(),
                    name: code.into(),
                    employee_number: None,
                    vendor: Some(vendor.into()),
                    hourly_cost: 1000.0,
                    skills: vec![],
                },
                &actor,
            )
            .await
            .unwrap();
    }
    let at = |y, m, d| {
        time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d)
            .unwrap()
            .with_hms(1, 0, 0)
            .unwrap()
            .assume_utc()
    };
    let learners = people(&app, "PROD1-WELD", 4).await;
    // GOOD: 3 h in 2025Q4 and 3 h in 2026Q1, learners 40→80 and 60→90.
    // WEAK: 2 h in each quarter, learners 50→55 and 30→37.
    for (code, who, hours, days, scores, pair) in [
        (
            "EVX-GOOD",
            "EVX-IN-GOOD",
            3,
            [at(2025, 11, 3), at(2026, 1, 12)],
            [(40.0, 80.0), (60.0, 90.0)],
            &learners[0..2],
        ),
        (
            "EVX-WEAK",
            "EVX-IN-WEAK",
            2,
            [at(2025, 11, 10), at(2026, 1, 19)],
            [(50.0, 55.0), (30.0, 37.0)],
            &learners[2..4],
        ),
    ] {
        let (id, sessions) = program(
            &app,
            code,
            &[(days[0], hours, Some(who)), (days[1], hours, Some(who))],
        )
        .await;
        let ids: Vec<i64> = pair.iter().map(|p| p.0).collect();
        app.store
            .enroll(id, &ids, EnrollmentSource::Assigned, &actor)
            .await
            .unwrap();
        for s in &sessions {
            let marks: Vec<_> = ids
                .iter()
                .map(|e| (*e, AttendanceStatus::Present))
                .collect();
            app.store
                .roll_call(*s, &marks, AttendanceMethod::RollCall, &actor)
                .await
                .unwrap();
        }
        let pre = exam(&app, code, ExamPurpose::PreTest).await;
        let post = exam(&app, code, ExamPurpose::PostTest).await;
        for (e, (a, b)) in ids.iter().zip(scores) {
            attempt(&app, pre, *e, 1, a).await;
            attempt(&app, post, *e, 1, b).await;
        }
    }
    let filter = EvaluationFilter {
        q: Some("EVX-".into()),
        utc_offset: Some(time::UtcOffset::from_hms(8, 0, 0).unwrap()),
        ..EvaluationFilter::default()
    };
    let report = app
        .store
        .efficiency(
            EfficiencyBy::Vendor,
            &filter,
            &DataScope::company(),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    // Baseline: pre (3·100·2 + 2·80·2)/20 = 46, post (3·170·2 + 2·92·2)/20 = 69.4.
    let baseline = (69.4 - 46.0) / 54.0;
    assert_eq!(report.baseline.hours, 10.0);
    assert_eq!(report.baseline.learner_hours, 20.0);
    assert!((report.baseline_gain.unwrap() - baseline).abs() < 1e-9);
    assert_eq!(report.rows.len(), 2);
    let good = &report.rows[0];
    assert_eq!(good.key, "优训咨询");
    assert!((good.gain.unwrap() - 0.7).abs() < 1e-9);
    assert!((good.index.unwrap() - 70.0 / baseline).abs() < 1e-6);
    assert!(!good.below_twice);
    let weak = &report.rows[1];
    assert_eq!(weak.key, "平庸培训");
    assert!((weak.gain.unwrap() - 0.1).abs() < 1e-9);
    assert!((weak.index.unwrap() - 10.0 / baseline).abs() < 1e-6);
    assert_eq!(weak.quarters.len(), 2, "2025Q4 and 2026Q1");
    assert_eq!(weak.quarters[0].quarter.to_string(), "2025Q4");
    assert!(weak.below_twice, "below the baseline two quarters running");
    assert_eq!(weak.totals.hours, 4.0);
    assert_eq!(weak.levels.programs, 1);
    // By instructor the same sessions give the same indices.
    let by_instructor = app
        .store
        .efficiency(
            EfficiencyBy::Instructor,
            &filter,
            &DataScope::company(),
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap();
    assert_eq!(by_instructor.rows[0].key, "EVX-IN-GOOD");
    assert!((by_instructor.rows[1].index.unwrap() - weak.index.unwrap()).abs() < 1e-9);

    // Over the whole demo, the vendor of the maintenance program that did not work is
    // flagged, and the vendors page says so.
    let token = app.token("training").await;
    let (status, body) = app
        .call(
            &token,
            "GET",
            "/api/v1/evaluation/efficiency?by=vendor",
            None,
        )
        .await;
    assert_eq!(status, 200);
    let flagged: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flagged"] == true)
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(flagged.contains(&"上海海德液压技术培训中心"), "{flagged:?}");
    assert!(flagged.contains(&"平庸培训"), "{flagged:?}");
    assert!(!flagged.contains(&"优训咨询"));
    let (browser, _) = app.login("training").await;
    let html = app.page_text(&browser, "/evaluation/vendors").await;
    assert!(html.contains("上海海德液压技术培训中心") && html.contains("连续两季度低于基准"));
});

db_test!(pages_render_and_the_export_opens, |app| {
    let f = fixture(&app).await;
    for login in ["training", "manager", "executive", "admin"] {
        let (browser, _) = app.login(login).await;
        for path in [
            "/evaluation".to_string(),
            "/evaluation?year=2025".into(),
            "/evaluation/programs".into(),
            format!("/evaluation/programs/{}", f.program),
            "/evaluation/instructors".into(),
            "/evaluation/vendors".into(),
            "/evaluation/resources".into(),
            "/evaluation/alerts".into(),
        ] {
            let res = browser.get(app.url(&path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{login} {path}");
            let html = res.text().await.unwrap();
            assert!(!html.contains("??"), "{login} {path} misses a text");
            assert!(html.contains("href=\"/evaluation\""), "{login}: nav entry");
        }
    }
    let (browser, _) = app.login("training").await;
    let html = app
        .page_text(&browser, &format!("/evaluation/programs/{}", f.program))
        .await;
    assert!(
        html.contains("<svg")
            && html.contains(&format!("/evaluation/programs/{}/effect", f.program))
    );
    let res = browser
        .get(app.url("/evaluation/programs?year=abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);

    // The dashboard shows the demo's story: complaint handling and quality gained and
    // changed behavior, maintenance did not.
    let token = app.token("training").await;
    let (_, body) = app
        .call(
            &token,
            "GET",
            "/api/v1/evaluation/programs?per_page=100",
            None,
        )
        .await;
    // Per family: (pairs, pre sum, post sum, learners rated at +90, changed).
    let family = |prefix: &str| {
        let mut t = (0.0, 0.0, 0.0, 0.0, 0.0);
        for p in body["items"].as_array().unwrap() {
            let code = p["code"].as_str().unwrap();
            if !code.starts_with(prefix) || !code.contains("-2025-") {
                continue;
            }
            let l = &p["learning"];
            let n = l["n_paired"].as_f64().unwrap();
            t.0 += n;
            t.1 += n * l["mean_pre"].as_f64().unwrap_or(0.0);
            t.2 += n * l["mean_post"].as_f64().unwrap_or(0.0);
            t.3 += p["behavior"]["learners_rated_90"].as_f64().unwrap();
            t.4 += p["behavior"]["learners_changed"].as_f64().unwrap();
        }
        let (pre, post) = (t.1 / t.0, t.2 / t.0);
        ((post - pre) / (100.0 - pre), t.4 / t.3)
    };
    let (eq_gain, eq_changed) = family("EQ");
    for worked in ["CS", "QA"] {
        let (gain, changed) = family(worked);
        assert!(gain > eq_gain + 0.15, "{worked}: gain {gain} vs {eq_gain}");
        assert!(changed > eq_changed, "{worked}: {changed} vs {eq_changed}");
    }
    // And at least one learner of the demo completed below 60 on a post-test.
    let (_, alerts) = app
        .call(&token, "GET", "/api/v1/evaluation/alerts", None)
        .await;
    assert!(
        alerts["low_post_test"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["program_code"].as_str().unwrap().ends_with("-2025-01"))
    );

    // The export: one row per program, the header in the user's language.
    let res = browser
        .get(app.url("/evaluation/programs/export.xlsx?q=EVF-"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let t = web::i18n::Tr(web::i18n::Locale::ZhCn);
    let header: Vec<String> = web::ui::evaluation::PROGRAM_EXPORT_COLUMNS
        .iter()
        .map(|k| t.get(k).to_string())
        .collect();
    assert_eq!(rows[0], header);
    assert_eq!(rows[0][0], "项目编号");
    assert_eq!(rows.len(), 3, "two programs");
    let fun = rows.iter().find(|r| r[0] == "EVF-FUN").unwrap();
    assert_eq!(fun[6], "7", "enrolled");
    assert_eq!(fun[8], "5", "completed");
    let res = browser
        .get(app.url("/evaluation/vendors/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut book =
        calamine::Xlsx::new(std::io::Cursor::new(res.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let first: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[9], t.get("eval.col.index"));
});
