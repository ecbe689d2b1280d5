//! Reaction surveys: templates, answering once as an attendee, anonymity, results on a
//! known data set, and completion that requires the survey.

use crate::db_test;
use crate::support::{Backend, TestApp};
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::operations::{
    AttendanceMethod, AttendanceStatus, AudienceRule, EnrollmentSource, EnrollmentStatus,
    ProgramInput, ProgramStatus, SessionInput, SessionMode,
};
use domain::org::{EmployeeFilter, OrgRepository};
use domain::surveys::{Answer, AttachInput};
use domain::{DataScope, DomainError, Page};
use store::prelude::*;
use time::OffsetDateTime;

/// A program run for tests.
pub struct Run {
    pub program: i64,
    pub session: i64,
    /// The employee login's employee id, then two other employees.
    pub learners: [i64; 3],
}

/// The employee login's employee and two others of the same department.
pub async fn three_learners(app: &TestApp) -> [i64; 3] {
    let me = app
        .store
        .get_user(app.user_id("employee").await)
        .await
        .unwrap()
        .employee_id
        .unwrap();
    let mine = app
        .store
        .get_employee(&DataScope::company(), me)
        .await
        .unwrap();
    let others: Vec<i64> = app
        .store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter {
                department_id: Some(mine.department_id),
                ..Default::default()
            },
            Page::new(Some(1), Some(10)),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.id)
        .filter(|id| *id != me)
        .collect();
    [me, others[0], others[1]]
}

/// A running program `code` with one session from an hour ago to an hour from now;
/// learners marked present, late and absent.
pub async fn run_program(
    app: &TestApp,
    code: &str,
    hours: f64,
    credits: f64,
    survey_required: bool,
    certificate_months: Option<i32>,
) -> Run {
    let system = Actor::system();
    let program = app
        .store
        .create_program(
            &ProgramInput {
                code: code.into(),
                title: format!("测试项目 {code}"),
                plan_code: None,
                objectives: String::new(),
                audience: AudienceRule::default(),
                capacity: None,
                hours,
                credits,
                skills: vec![],
                resources: vec![],
                instructors: vec![],
                costs: vec![],
                transfer: None,
                min_attendance_pct: 100,
                cancel_deadline_hours: 0,
                survey_required,
                certificate_months,
                exam_required: false,
            },
            &system,
        )
        .await
        .unwrap();
    let now = OffsetDateTime::now_utc();
    let (session, _) = app
        .store
        .save_session(
            program,
            None,
            &SessionInput {
                title: "第一天".into(),
                starts_at: now - time::Duration::hours(1),
                ends_at: now + time::Duration::hours(1),
                mode: SessionMode::Online,
                venue_code: None,
                capacity: None,
                join_url: Some("https://meet.example.com/t".into()),
                instructors: vec![],
                allow_conflicts: true,
            },
            &system,
        )
        .await
        .unwrap();
    app.store
        .set_program_status(program, ProgramStatus::Running, &system)
        .await
        .unwrap();
    let learners = three_learners(app).await;
    app.store
        .enroll(program, &learners, EnrollmentSource::Assigned, &system)
        .await
        .unwrap();
    app.store
        .roll_call(
            session,
            &[
                (learners[0], AttendanceStatus::Present),
                (learners[1], AttendanceStatus::Late),
                (learners[2], AttendanceStatus::Absent),
            ],
            AttendanceMethod::RollCall,
            &system,
        )
        .await
        .unwrap();
    Run {
        program,
        session,
        learners,
    }
}

fn ratings(values: [i32; 4], choice: &str, text: Option<&str>) -> Vec<Answer> {
    let mut out: Vec<Answer> = values
        .iter()
        .enumerate()
        .map(|(question, r)| Answer {
            question,
            rating: Some(*r),
            choice: None,
            text: None,
        })
        .collect();
    out.push(Answer {
        question: 4,
        rating: None,
        choice: Some(choice.into()),
        text: None,
    });
    out.push(Answer {
        question: 5,
        rating: None,
        choice: None,
        text: text.map(str::to_string),
    });
    out
}

/// Rows of `survey_responses` of a survey that name a person or a time.
async fn identifying_rows(app: &TestApp, survey: i64) -> i64 {
    let sql = "SELECT COUNT(*) FROM survey_responses WHERE survey_id = $1 AND (employee_id IS NOT NULL OR submitted_at IS NOT NULL)";
    match app.backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql)
                .bind(survey)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql)
                .bind(survey)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    }
}

db_test!(
    surveys_are_answered_once_by_attendees_and_anonymously,
    |app| {
        let run = run_program(&app, "SV-1", 6.0, 2.0, false, None).await;
        let training = app.token("training").await;
        let api = app.client();
        // Attach through the API; a second survey on the same session is refused.
        let attach = |body: &'static str| {
            api.post(app.url(&format!("/api/v1/sessions/{}/survey", run.session)))
                .bearer_auth(&training)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let res = attach(r#"{"template_code":"REACTION-STD","anonymous":true}"#)
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let survey = res.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            attach(r#"{"template_code":"REACTION-STD"}"#)
                .await
                .unwrap()
                .status(),
            409
        );
        assert_eq!(
            attach(r#"{"template_code":"NOPE"}"#)
                .await
                .unwrap()
                .status(),
            422
        );

        // The attendee finds it on their page and answers through the form, once.
        let (browser, csrf) = app.login("employee").await;
        let mine = app.page_text(&browser, "/my/learning").await;
        assert!(mine.contains(&format!("/surveys/{survey}")));
        let form = browser
            .get(app.url(&format!("/surveys/{survey}")))
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 200);
        assert!(form.text().await.unwrap().contains("课程内容"));
        let answer = |fields: Vec<(&'static str, &'static str)>| {
            let mut fields: Vec<(&str, String)> = fields
                .into_iter()
                .map(|(k, v)| (k, v.to_string()))
                .collect();
            fields.push(("_csrf", csrf.clone()));
            browser
                .post(app.url(&format!("/surveys/{survey}")))
                .form(&fields)
                .send()
        };
        // A missing score names the question and keeps what was typed.
        let res = answer(vec![("q0", "5"), ("q5", "保留我")]).await.unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("answers[1]") && page.contains("保留我"));
        let res = answer(vec![
            ("q0", "5"),
            ("q1", "4"),
            ("q2", "5"),
            ("q3", "4"),
            ("q4", "会"),
            ("q5", "很好的课程"),
        ])
        .await
        .unwrap();
        assert_eq!(res.status(), 303);
        let again = answer(vec![
            ("q0", "1"),
            ("q1", "1"),
            ("q2", "1"),
            ("q3", "1"),
            ("q4", "不会"),
        ])
        .await
        .unwrap();
        assert_eq!(again.status(), 422, "a second answer is refused");
        let employee_token = app.token("employee").await;
        let res = api
        .post(app.url(&format!("/api/v1/surveys/{survey}/responses")))
        .bearer_auth(&employee_token)
        .header("content-type", "application/json")
        .body(r#"{"answers":[{"question":0,"rating":1},{"question":1,"rating":1},{"question":2,"rating":1},{"question":3,"rating":1},{"question":4,"choice":"会"}]}"#)
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 409);

        // The late learner answers; the absent one may not.
        let now = OffsetDateTime::now_utc();
        app.store
            .submit_survey(
                survey,
                run.learners[1],
                &ratings([3, 2, 3, 2], "不会", Some("太长了")),
                now,
                &Actor::system(),
            )
            .await
            .unwrap();
        assert!(matches!(
            app.store
                .submit_survey(
                    survey,
                    run.learners[2],
                    &ratings([5, 5, 5, 5], "会", None),
                    now,
                    &Actor::system()
                )
                .await,
            Err(DomainError::Forbidden)
        ));
        // Nor after the survey closed.
        assert!(matches!(
            app.store
                .submit_survey(
                    survey,
                    run.learners[1],
                    &ratings([5, 5, 5, 5], "会", None),
                    now + time::Duration::days(30),
                    &Actor::system()
                )
                .await,
            Err(DomainError::Validation { field, .. }) if field == "survey"
        ));

        // Anonymous: no response row names a person or a time, the audit trail records
        // that someone answered but not what, and comments carry no author.
        assert_eq!(identifying_rows(&app, survey).await, 0);
        let audit = app.audit("survey.answer").await;
        assert!(audit.items.iter().all(|e| e.after.is_none()));

        // Results on this known set: two of two attendees answered.
        let res = api
            .get(app.url(&format!("/api/v1/sessions/{}/reaction", run.session)))
            .bearer_auth(&training)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let summary: serde_json::Value = res.json().await.unwrap();
        assert_eq!(summary["responses"], 2);
        assert_eq!(summary["invited"], 2);
        assert_eq!(summary["response_rate"], 1.0);
        assert_eq!(summary["overall_mean"], 3.5);
        let content = &summary["questions"][0];
        assert_eq!(content["text"], "课程内容");
        assert_eq!(content["mean"], 4.0);
        assert_eq!(
            content["distribution"],
            serde_json::json!([["1", 0], ["2", 0], ["3", 1], ["4", 0], ["5", 1]])
        );
        assert_eq!(summary["dimensions"][1]["dimension"], "instructor");
        assert_eq!(summary["dimensions"][1]["mean"], 3.0);
        assert_eq!(
            summary["questions"][4]["distribution"],
            serde_json::json!([["会", 1], ["不确定", 0], ["不会", 1]])
        );
        let comments: Vec<(String, serde_json::Value)> = summary["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["text"].as_str().unwrap().to_string(), c["author"].clone()))
            .collect();
        assert_eq!(comments.len(), 2);
        assert!(comments.iter().all(|(_, a)| a.is_null()));
        // The program's results are the same here, on the page and in Excel.
        let program = app.store.program_reaction(run.program).await.unwrap();
        assert_eq!(program.responses, 2);
        assert_eq!(program.overall_mean, Some(3.5));
        let (staff, _) = app.login("training").await;
        let page = app
            .page_text(&staff, &format!("/programs/{}/reaction", run.program))
            .await;
        assert!(page.contains("3.50") && page.contains("太长了"));
        let xlsx = staff
            .get(app.url(&format!("/programs/{}/reaction.xlsx", run.program)))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), 200);
        assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
        // Someone who did not attend sees no survey; people who neither teach nor keep
        // programs see no results.
        let (other, _) = app.login("manager").await;
        assert_eq!(
            app.page_status(&other, &format!("/surveys/{survey}")).await,
            404
        );
        assert_eq!(
            app.page_status(&browser, &format!("/sessions/{}/reaction", run.session))
                .await,
            403
        );
    }
);

db_test!(
    named_surveys_show_authors_and_templates_are_checked,
    |app| {
        let run = run_program(&app, "SV-2", 4.0, 1.0, false, None).await;
        let system = Actor::system();
        let survey = app
            .store
            .attach_survey(
                run.session,
                &AttachInput {
                    template_code: "REACTION-STD".into(),
                    anonymous: false,
                    opens_at: None,
                    closes_at: None,
                },
                &system,
            )
            .await
            .unwrap();
        app.store
            .submit_survey(
                survey,
                run.learners[0],
                &ratings([4, 4, 4, 4], "会", Some("署名意见")),
                OffsetDateTime::now_utc(),
                &system,
            )
            .await
            .unwrap();
        assert_eq!(identifying_rows(&app, survey).await, 1);
        let summary = app.store.program_reaction(run.program).await.unwrap();
        assert!(summary.comments[0].author.is_some());

        // Templates through the page: a bad line is named and the form kept.
        let (browser, csrf) = app.login("training").await;
        let post = |questions: &'static str| {
            browser
                .post(app.url("/surveys/templates"))
                .form(&[
                    ("code", "TPL-X"),
                    ("title", "测试模板"),
                    ("questions", questions),
                    ("active", "1"),
                    ("_csrf", csrf.as_str()),
                ])
                .send()
        };
        let res = post("rating | 内容 | content\nchoice | 只有一个 | 是")
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("questions[1].options") && page.contains("只有一个"));
        assert_eq!(
            post("rating | 内容 | content\nchoice | 推荐吗 | 会, 不会\ntext | 建议")
                .await
                .unwrap()
                .status(),
            303
        );
        let templates = app.store.list_survey_templates().await.unwrap();
        let made = templates.iter().find(|t| t.code == "TPL-X").unwrap();
        assert_eq!(made.questions.len(), 3);
        assert_eq!(made.questions[1].options, vec!["会", "不会"]);
        let audit = app.audit("survey.").await;
        for action in ["survey.template_create", "survey.attach", "survey.answer"] {
            assert!(
                audit.items.iter().any(|e| e.action == action),
                "{action} is audited"
            );
        }
    }
);

db_test!(completion_can_require_the_survey, |app| {
    let run = run_program(&app, "SV-3", 8.0, 2.0, true, Some(12)).await;
    let system = Actor::system();
    let training = app.token("training").await;
    // Attach to every session of the program through the API.
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/programs/{}/surveys", run.program)))
        .bearer_auth(&training)
        .header("content-type", "application/json")
        .body(r#"{"template_code":"REACTION-STD","anonymous":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let ids: Vec<i64> =
        serde_json::from_value(res.json::<serde_json::Value>().await.unwrap()["ids"].clone())
            .unwrap();
    assert_eq!(ids.len(), 1);
    // Only the first attendee answers.
    app.store
        .submit_survey(
            ids[0],
            run.learners[0],
            &ratings([5, 5, 5, 5], "会", None),
            OffsetDateTime::now_utc(),
            &system,
        )
        .await
        .unwrap();
    let outcome = app
        .store
        .set_program_status(run.program, ProgramStatus::Closed, &system)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((outcome.completed, outcome.incomplete), (1, 2));
    let status_of = |employee: i64| {
        let store = app.store.clone();
        async move {
            store
                .employee_enrollments(employee)
                .await
                .unwrap()
                .into_iter()
                .find(|e| e.program_id == run.program)
                .unwrap()
                .status
        }
    };
    assert_eq!(
        status_of(run.learners[0]).await,
        EnrollmentStatus::Completed
    );
    assert_eq!(
        status_of(run.learners[1]).await,
        EnrollmentStatus::Incomplete,
        "attended but did not answer"
    );
    // The certificate came with completion, only for the one who completed.
    assert_eq!(
        app.store
            .employee_certificates(run.learners[0])
            .await
            .unwrap()
            .iter()
            .filter(|c| c.program_id == run.program)
            .count(),
        1
    );
    assert!(
        app.store
            .employee_certificates(run.learners[1])
            .await
            .unwrap()
            .iter()
            .all(|c| c.program_id != run.program)
    );
    // survey_required is part of the program in the API.
    let detail = app
        .get_json(&training, &format!("/api/v1/programs/{}", run.program))
        .await;
    assert_eq!(detail["survey_required"], true);
    assert_eq!(detail["certificate_months"], 12);
});

db_test!(demo_surveys_have_answers, |app| {
    let program = app.store.program_id("CS-2025-01").await.unwrap();
    let summary = app.store.program_reaction(program).await.unwrap();
    assert!(summary.surveys > 0 && summary.responses > 0);
    assert!(summary.responses <= summary.invited);
    assert!(
        summary
            .overall_mean
            .is_some_and(|m| (1.0..=5.0).contains(&m))
    );
});

db_test!(
    a_non_attendee_finds_no_survey_on_page_and_api_alike,
    |app| {
        let run = run_program(&app, "SV-NA", 3.0, 1.0, false, None).await;
        let survey = app
            .store
            .attach_survey(
                run.session,
                &AttachInput {
                    template_code: "REACTION-STD".into(),
                    anonymous: false,
                    opens_at: None,
                    closes_at: None,
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        // The manager login did not attend. Answers that would not validate used to
        // answer 422 through the API (telling them the survey is there and open) while
        // the page answered 404; both now answer 404 before looking at the answers.
        let manager = app.token("manager").await;
        let (status, problem) = app
            .call(
                &manager,
                "POST",
                &format!("/api/v1/surveys/{survey}/responses"),
                Some(serde_json::json!({ "answers": [{ "question": 0, "rating": 9 }] })),
            )
            .await;
        assert_eq!(status, 404, "{problem}");
        let (browser, csrf) = app.login("manager").await;
        let res = app
            .post_form(
                &browser,
                &format!("/surveys/{survey}"),
                &[("q0", "9"), ("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 404);

        // The attendee gets the validation error on both.
        let employee = app.token("employee").await;
        let (status, problem) = app
            .call(
                &employee,
                "POST",
                &format!("/api/v1/surveys/{survey}/responses"),
                Some(serde_json::json!({ "answers": [{ "question": 0, "rating": 9 }] })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let (browser, csrf) = app.login("employee").await;
        let res = app
            .post_form(
                &browser,
                &format!("/surveys/{survey}"),
                &[("q0", "9"), ("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(
            !app.store
                .has_answered(survey, run.learners[0])
                .await
                .unwrap()
        );
    }
);
