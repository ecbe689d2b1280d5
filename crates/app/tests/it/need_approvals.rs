//! Training needs raised by hand, approval chains from configurable rules, decisions,
//! reminders' queries and merging approved needs into programs (pages and API).

use crate::db_test;
use crate::support::TestApp;
use domain::DataScope;
use serde_json::{Value, json};
use store::prelude::*;

/// Employee numbers of `n` active people of a department.
async fn people_of(app: &TestApp, department: &str, n: usize) -> Vec<String> {
    app.active_employees(department, 50)
        .await
        .into_iter()
        .take(n)
        .map(|e| e.employee_no)
        .collect()
}

async fn post_json(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn need_body(title: &str, people: Value, cost: Option<f64>) -> Value {
    json!({
        "title": title, "problem": "设备点检漏项多", "people": people, "urgency": "high",
        "reason": "停机时间超标", "estimated_cost": cost, "wanted_by": "2099-01-31"
    })
}

async fn created(res: reqwest::Response) -> i64 {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn approval(app: &TestApp, token: &str, need: i64) -> Value {
    let (status, body) = app
        .call(
            token,
            "GET",
            &format!("/api/v1/training-needs/{need}/approval"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["approval"].clone()
}

fn current_step(approval: &Value) -> Option<(i64, String)> {
    let round = approval["round"].as_i64().unwrap();
    approval["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["round"].as_i64() == Some(round) && s["status"] == "pending")
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["kind"].as_str().unwrap().to_string(),
            )
        })
}

async fn decide(
    app: &TestApp,
    token: &str,
    step: i64,
    decision: &str,
    reason: &str,
) -> (u16, Value) {
    let res = post_json(
        app,
        token,
        &format!("/api/v1/approval-steps/{step}/decision"),
        json!({"decision": decision, "reason": reason}),
    )
    .await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

db_test!(raising_by_hand_is_validated_and_scoped, |app| {
    // An employee raises a need for themself on the page; mistakes name the field.
    let (browser, csrf) = app.login("employee").await;
    let form = |fields: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
        f.push(("_csrf", csrf.clone()));
        f
    };
    let page = browser.get(app.url("/needs/new")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程"),
                ("people", "self"),
                ("reason", "提升效率"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("(problem)") && html.contains("数控编程"),
        "input kept, field named"
    );
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程"),
                ("skill", "NO-SUCH"),
                ("people", "self"),
                ("reason", "x"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(skill)"));
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程"),
                ("problem", "不会编程"),
                ("people", "self"),
                ("reason", "x"),
                ("estimated_cost", "很多"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(estimated_cost)"));
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程"),
                ("problem", "不会编程"),
                ("people", "self"),
                ("reason", "x"),
                ("wanted_by", "2001-01-01"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(wanted_by)"));
    // An employee may not raise needs for others.
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程"),
                ("problem", "不会编程"),
                ("people", "team"),
                ("team", "PROD1"),
                ("reason", "x"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .post_form(
            &browser,
            "/needs",
            &form(&[
                ("title", "数控编程基础"),
                ("problem", "不会编程"),
                ("people", "self"),
                ("reason", "新设备"),
                ("estimated_cost", "2,500"),
                ("urgency", "high"),
            ]),
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let need: i64 = location
        .trim_start_matches("/needs/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let html = app.page_text(&browser, &location).await;
    assert!(html.contains("数控编程基础") && html.contains("2500.00"));
    let mine = app.page_text(&browser, "/my/needs").await;
    assert!(mine.contains("数控编程基础"));
    // It waits for the manager (head of PROD1, the nearest head who can sign in).
    let manager = app.token("manager").await;
    let steps = approval(&app, &manager, need).await;
    assert_eq!(steps["status"], "pending");
    let manager_id = app.user_id("manager").await;
    assert_eq!(
        steps["steps"][0]["approver_user_id"].as_i64(),
        Some(manager_id)
    );
    let (_, waiting) = app
        .call(&manager, "GET", "/api/v1/me/approvals?per_page=100", None)
        .await;
    assert!(
        waiting["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["need_id"].as_i64() == Some(need))
    );
    let (browser_m, _) = app.login("manager").await;
    let html = app.page_text(&browser_m, "/my/approvals").await;
    assert!(html.contains("数控编程基础"));

    // A manager raises for people and teams in their subtree only.
    let outside = people_of(&app, "MKT-EAST", 1).await;
    let inside = people_of(&app, "PROD1-WELD", 2).await;
    let res = post_json(
        &app,
        &manager,
        "/api/v1/training-needs",
        need_body(
            "点检",
            json!({"kind": "employees", "numbers": [inside[0], outside[0]]}),
            None,
        ),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "employees");
    let res = post_json(
        &app,
        &manager,
        "/api/v1/training-needs",
        need_body(
            "点检",
            json!({"kind": "team", "department_code": "MKT-EAST"}),
            None,
        ),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "team");
    let res = post_json(
        &app,
        &manager,
        "/api/v1/training-needs",
        need_body("点检", json!({"kind": "crowd"}), None),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "people.kind");
    let team_need = created(
        post_json(
            &app,
            &manager,
            "/api/v1/training-needs",
            need_body(
                "焊接点检",
                json!({"kind": "team", "department_code": "PROD1-WELD"}),
                None,
            ),
        )
        .await,
    )
    .await;
    let (status, detail) = app
        .call(
            &manager,
            "GET",
            &format!("/api/v1/training-needs/{team_need}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (detail["origin"].as_str(), detail["audience"].as_str()),
        (Some("manager"), Some("team"))
    );
    assert!(detail["people"].as_array().unwrap().len() >= 2);
    // A need of people outside the manager's subtree is invisible to them; the
    // employee, who is not involved, is refused.
    let training = app.token("training").await;
    let sales_need = created(
        post_json(
            &app,
            &training,
            "/api/v1/training-needs",
            need_body(
                "销售谈判",
                json!({"kind": "employees", "numbers": outside}),
                None,
            ),
        )
        .await,
    )
    .await;
    let (status, _) = app
        .call(
            &manager,
            "GET",
            &format!("/api/v1/training-needs/{sales_need}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let employee = app.token("employee").await;
    let (status, _) = app
        .call(
            &employee,
            "GET",
            &format!("/api/v1/training-needs/{sales_need}/approval"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (_, listed) = app
        .call(
            &manager,
            "GET",
            "/api/v1/training-needs?origin=manager&per_page=100",
            None,
        )
        .await;
    let ids: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&team_need) && !ids.contains(&sales_need));
    // The needs list filters by status, origin and urgency.
    let html = app
        .page_text(
            &browser_m,
            "/needs?status=pending&origin=employee&urgency=high",
        )
        .await;
    assert!(html.contains("数控编程基础") && !html.contains("焊接点检"));
});

db_test!(chains_follow_the_rules_and_decisions_move_them, |app| {
    let manager = app.token("manager").await;
    let training = app.token("training").await;
    let employee = app.token("employee").await;
    let kinds = |a: &Value| -> Vec<String> {
        a["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap().to_string())
            .collect()
    };
    // Under the threshold: manager → training admin; at or over 50,000 also the department head.
    let weld = people_of(&app, "PROD1-WELD", 2).await;
    let cheap = created(
        post_json(
            &app,
            &manager,
            "/api/v1/training-needs",
            need_body(
                "焊接",
                json!({"kind": "employees", "numbers": weld}),
                Some(49_999.0),
            ),
        )
        .await,
    )
    .await;
    let costly = created(
        post_json(
            &app,
            &manager,
            "/api/v1/training-needs",
            need_body(
                "焊接机器人",
                json!({"kind": "employees", "numbers": weld}),
                Some(50_000.0),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(
        kinds(&approval(&app, &training, cheap).await),
        ["manager", "training_admin"]
    );
    let costly_steps = approval(&app, &training, costly).await;
    assert_eq!(
        kinds(&costly_steps),
        ["manager", "training_admin", "department_head"]
    );
    // The department head is the head of 生产制造中心 (PROD), above PROD1.
    assert!(
        costly_steps["steps"][2]["approver"]
            .as_str()
            .unwrap()
            .contains("生产制造中心")
    );

    // The employee's own need: the manager decides the first step.
    let own = created(
        post_json(
            &app,
            &employee,
            "/api/v1/training-needs",
            need_body("叉车复审", json!({"kind": "self"}), Some(800.0)),
        )
        .await,
    )
    .await;
    let a = approval(&app, &employee, own).await;
    let (manager_step, kind) = current_step(&a).unwrap();
    assert_eq!(kind, "manager");
    let training_step = a["steps"][1]["id"].as_i64().unwrap();
    // Wrong approvers are refused; a step that is not current is a conflict.
    assert_eq!(
        decide(&app, &employee, manager_step, "approve", "").await.0,
        403
    );
    let reviewer = app.token("reviewer").await;
    assert_eq!(
        decide(&app, &reviewer, manager_step, "approve", "").await.0,
        403
    );
    let (status, problem) = decide(&app, &training, training_step, "approve", "").await;
    assert_eq!(status, 409, "{problem}");
    // Rejecting or sending back needs a reason.
    let (status, problem) = decide(&app, &manager, manager_step, "send_back", " ").await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("reason")));
    assert_eq!(
        decide(&app, &manager, manager_step, "approve", "").await.0,
        200
    );
    let (status, body) = decide(
        &app,
        &training,
        training_step,
        "send_back",
        "请补充费用明细",
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("sent_back")));
    // Deciding a step again is a conflict.
    assert_eq!(
        decide(&app, &training, training_step, "approve", "")
            .await
            .0,
        409
    );
    // Only the requester resubmits, and only a need sent back.
    let res = post_json(
        &app,
        &manager,
        &format!("/api/v1/training-needs/{own}/resubmit"),
        need_body("叉车复审", json!({"kind": "self"}), Some(800.0)),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_json(
        &app,
        &employee,
        &format!("/api/v1/training-needs/{own}/resubmit"),
        need_body("", json!({"kind": "self"}), Some(800.0)),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "title");
    // The page form for the edit shows the need; resubmitting restarts the steps.
    let (browser, csrf) = app.login("employee").await;
    let html = app.page_text(&browser, &format!("/needs/{own}/edit")).await;
    assert!(html.contains("叉车复审") && html.contains("800.00"));
    let res = app
        .post_form(
            &browser,
            &format!("/needs/{own}/resubmit"),
            &[
                ("title", "叉车操作证复审"),
                ("problem", "证件到期"),
                ("people", "self"),
                ("reason", "无证不能上岗"),
                ("estimated_cost", "850"),
                ("urgency", "high"),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let a = approval(&app, &employee, own).await;
    assert_eq!(
        (a["status"].as_str(), a["round"].as_i64()),
        (Some("pending"), Some(2))
    );
    let round_one: Vec<&Value> = a["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["round"] == 1)
        .collect();
    assert_eq!(round_one[1]["status"], "sent_back");
    assert_eq!(round_one[1]["reason"], "请补充费用明细");
    // Round two: the training admin decides the manager's step as delegate (recorded).
    let (step, _) = current_step(&a).unwrap();
    assert_eq!(decide(&app, &training, step, "approve", "").await.0, 200);
    let (step, kind) = current_step(&approval(&app, &training, own).await).unwrap();
    assert_eq!(kind, "training_admin");
    let (_, body) = decide(&app, &training, step, "approve", "").await;
    assert_eq!(body["status"], "approved");
    let a = approval(&app, &employee, own).await;
    let round_two: Vec<&Value> = a["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["round"] == 2)
        .collect();
    assert_eq!(round_two[0]["decided_as"], "delegate");
    assert_eq!(round_two[1]["decided_as"], "approver");
    // The page shows the history and the audit rows.
    let html = app.page_text(&browser, &format!("/needs/{own}")).await;
    assert!(
        html.contains("请补充费用明细")
            && html.contains("need.step_send_back")
            && html.contains("need.resubmit")
    );

    // Rejecting on the page (the requester's own head cannot sign in: a training admin
    // decides as delegate); the reason is required there too.
    let (browser_m, csrf_m) = app.login("training").await;
    let (step, _) = current_step(&approval(&app, &manager, cheap).await).unwrap();
    let res = app
        .post_form(
            &browser_m,
            &format!("/approvals/{step}/decide"),
            &[
                ("decision", "reject"),
                ("reason", ""),
                ("_csrf", csrf_m.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(reason)"));
    let res = app
        .post_form(
            &browser_m,
            &format!("/approvals/{step}/decide"),
            &[
                ("decision", "reject"),
                ("reason", "预算已用完"),
                ("_csrf", csrf_m.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(approval(&app, &manager, cheap).await["status"], "rejected");
    let res = app
        .post_form(
            &browser_m,
            &format!("/approvals/{step}/decide"),
            &[("decision", "approve"), ("_csrf", csrf_m.as_str())],
        )
        .await;
    assert_eq!(res.status(), 409);

    // Rules: invalid lists are refused naming the row; a change applies to new needs only.
    let res = app
        .client()
        .put(app.url("/api/v1/approval-rules"))
        .bearer_auth(&training)
        .json(&json!({"rules": [{"name": "快", "steps": [{"kind": "training_admin", "deadline_hours": 0}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["field"],
        "rules[0].steps[0].deadline_hours"
    );
    let res = app
        .client()
        .put(app.url("/api/v1/approval-rules"))
        .bearer_auth(&training)
        .json(&json!({"rules": [{"name": "仅培训管理员", "steps": [{"kind": "training_admin", "deadline_hours": 24}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        kinds(&approval(&app, &training, costly).await),
        ["manager", "training_admin", "department_head"]
    );
    let after = created(
        post_json(
            &app,
            &manager,
            "/api/v1/training-needs",
            need_body(
                "焊接机器人二期",
                json!({"kind": "employees", "numbers": weld}),
                Some(90_000.0),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(
        kinds(&approval(&app, &training, after).await),
        ["training_admin"]
    );
    // The settings page shows the rules and refuses a bad one naming the field.
    let (browser_t, csrf_t) = app.login("training").await;
    let html = app.page_text(&browser_t, "/needs/rules").await;
    assert!(html.contains("仅培训管理员"));
    let res = app
        .post_form(
            &browser_t,
            "/needs/rules",
            &[
                ("name", "高额"),
                ("min_cost", "abc"),
                ("step1_kind", "department_head"),
                ("step1_hours", "48"),
                ("_csrf", csrf_t.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("(min_cost)"));
    let res = app
        .post_form(
            &browser_t,
            "/needs/rules",
            &[
                ("name", "高额"),
                ("min_cost", "10000"),
                ("active", "on"),
                ("step1_kind", "department_head"),
                ("step1_hours", "48"),
                ("_csrf", csrf_t.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, rules) = app
        .call(&training, "GET", "/api/v1/approval-rules", None)
        .await;
    assert_eq!(rules["rules"].as_array().unwrap().len(), 2);
    assert_eq!(rules["rules"][1]["min_cost"].as_f64(), Some(10_000.0));
});

db_test!(reminders_lists_and_the_demo_needs, |app| {
    use domain::need_approvals::NeedViewer;
    let now = time::OffsetDateTime::now_utc();
    let employee = app.token("employee").await;
    let need = created(
        post_json(
            &app,
            &employee,
            "/api/v1/training-needs",
            need_body("液压系统点检", json!({"kind": "self"}), None),
        )
        .await,
    )
    .await;
    let manager_id = app.user_id("manager").await;
    // Nothing is overdue yet; 73 hours on, the manager's step (72 h) is.
    let overdue = app.store.overdue_approval_steps(now).await.unwrap();
    assert!(overdue.iter().all(|s| s.need_id != need));
    let later = app
        .store
        .overdue_approval_steps(now + time::Duration::hours(73))
        .await
        .unwrap();
    let step = later
        .iter()
        .find(|s| s.need_id == need)
        .expect("overdue later");
    assert_eq!(
        (step.kind.as_str(), step.approver_user_id),
        ("manager", Some(manager_id))
    );
    assert_eq!(step.recipient_user_ids, vec![manager_id]);
    let fresh = app
        .store
        .approval_steps_waiting_since(now - time::Duration::seconds(5))
        .await
        .unwrap();
    assert!(
        fresh
            .iter()
            .any(|s| s.need_id == need && s.recipient_user_ids == vec![manager_id])
    );
    // A training-admin step reminds every training admin.
    let training_id = app.user_id("training").await;
    let demo_waiting = app
        .store
        .overdue_approval_steps(now + time::Duration::days(30))
        .await
        .unwrap();
    assert!(
        demo_waiting
            .iter()
            .any(|s| s.kind == "training_admin" && s.recipient_user_ids.contains(&training_id))
    );

    // The demo leaves something waiting for the employee, the manager and the training admin.
    let (_, mine) = app
        .call(
            &employee,
            "GET",
            "/api/v1/me/training-needs?per_page=100",
            None,
        )
        .await;
    let statuses: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    for s in ["pending", "rejected", "sent_back"] {
        assert!(
            statuses.contains(&s),
            "employee's demo needs lack {s}: {statuses:?}"
        );
    }
    for login in ["manager", "training"] {
        let token = app.token(login).await;
        let (_, waiting) = app.call(&token, "GET", "/api/v1/me/approvals", None).await;
        assert!(
            waiting["total"].as_i64().unwrap() >= 1,
            "nothing waits for {login}"
        );
    }
    let all = app
        .store
        .list_needs_for(
            &NeedViewer {
                scope: DataScope::company(),
                user_id: None,
            },
            &domain::needs::NeedFilter {
                status: Some("planned".into()),
                ..Default::default()
            },
            domain::Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    let program = all.items[0].program_id.unwrap();
    assert!(all.items.iter().all(|n| n.program_id == Some(program)));
    let (browser, _) = app.login("training").await;
    let html = app
        .page_text(&browser, &format!("/programs/{program}"))
        .await;
    assert!(
        html.contains("SF-2026-Q4")
            && html.contains("冲压班组安全操作复训")
            && html.contains("焊接班组安全操作复训")
    );
    let html = app.page_text(&browser, "/needs?status=pending").await;
    assert!(html.contains("焊接机器人编程与维护"));
});

db_test!(approved_needs_merge_into_new_and_existing_programs, |app| {
    let training = app.token("training").await;
    // Only the training admin approves, to keep the setup short.
    let res = app
        .client()
        .put(app.url("/api/v1/approval-rules"))
        .bearer_auth(&training)
        .json(&json!({"rules": [{"name": "培训管理员", "steps": [{"kind": "training_admin", "deadline_hours": 24}]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let stamp = people_of(&app, "PROD1-STAMP", 3).await;
    let weld = people_of(&app, "PROD1-WELD", 2).await;
    let raise = |title: &'static str, people: Vec<String>| {
        let body = json!({"title": title, "skill": "SF-RULES", "people": {"kind": "employees", "numbers": people}, "reason": "安全", "estimated_cost": 500.0});
        let training = training.clone();
        let app = &app;
        async move { created(post_json(app, &training, "/api/v1/training-needs", body).await).await }
    };
    let a = raise("冲压安全规范", stamp.clone()).await;
    let b = raise("焊接安全规范", weld.clone()).await;
    let c = raise("装配安全规范", stamp[..1].to_vec()).await;
    let pending = raise("涂装安全规范", weld[..1].to_vec()).await;
    for need in [a, b, c] {
        let (step, _) = current_step(&approval(&app, &training, need).await).unwrap();
        assert_eq!(decide(&app, &training, step, "approve", "").await.0, 200);
    }
    // Similar approved needs are suggested (same skill).
    let (status, similar) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/training-needs/{a}/similar"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = similar
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&b) && ids.contains(&c) && !ids.contains(&pending) && !ids.contains(&a));
    // A pending need cannot be merged; a new program needs a code.
    let res = post_json(
        &app,
        &training,
        "/api/v1/training-needs/merge",
        json!({"need_ids": [a, pending], "code": "SF-NEED-1"}),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "need_ids");
    let res = post_json(
        &app,
        &training,
        "/api/v1/training-needs/merge",
        json!({"need_ids": [a, b]}),
    )
    .await;
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "code");
    let manager = app.token("manager").await;
    let res = post_json(
        &app,
        &manager,
        "/api/v1/training-needs/merge",
        json!({"need_ids": [a, b], "code": "SF-NEED-1"}),
    )
    .await;
    assert_eq!(res.status(), 403);
    // Into a new draft program: title, skill and the people of both needs.
    let program = created(
        post_json(
            &app,
            &training,
            "/api/v1/training-needs/merge",
            json!({"need_ids": [a, b], "code": "SF-NEED-1"}),
        )
        .await,
    )
    .await;
    let (_, detail) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/programs/{program}"),
            None,
        )
        .await;
    assert_eq!(detail["summary"]["status"], "draft");
    assert_eq!(detail["summary"]["title"], "冲压安全规范");
    let audience = detail["audience"]["employees"].as_array().unwrap();
    assert_eq!(audience.len(), stamp.len() + weld.len());
    assert!(
        detail["skills"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "SF-RULES")
    );
    let (_, listed) = app
        .call(
            &training,
            "GET",
            &format!("/api/v1/training-needs?program={program}"),
            None,
        )
        .await;
    assert_eq!(listed["total"], 2);
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "planned")
    );
    // Merging again is refused: they are planned now.
    let res = post_json(
        &app,
        &training,
        "/api/v1/training-needs/merge",
        json!({"need_ids": [a], "program_id": program}),
    )
    .await;
    assert_eq!(res.status(), 422);
    // Into an existing program from the need's page; the program page lists its needs.
    let (browser, csrf) = app.login("training").await;
    let html = app.page_text(&browser, &format!("/needs/{c}")).await;
    assert!(html.contains("/needs/merge") && html.contains("SF-NEED-1"));
    let res = app
        .post_form(
            &browser,
            "/needs/merge",
            &[
                ("from", c.to_string()),
                ("need", c.to_string()),
                ("need", pending.to_string()),
                ("program_id", program.to_string()),
                ("_csrf", csrf.clone()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &browser,
            "/needs/merge",
            &[
                ("from", c.to_string()),
                ("need", c.to_string()),
                ("program_id", program.to_string()),
                ("_csrf", csrf.clone()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("/programs/{program}").as_str()
    );
    let html = app
        .page_text(&browser, &format!("/programs/{program}"))
        .await;
    assert!(
        html.contains("冲压安全规范")
            && html.contains("焊接安全规范")
            && html.contains("装配安全规范")
    );
    let need = app.page_text(&browser, &format!("/needs/{c}")).await;
    assert!(need.contains("SF-NEED-1"));
});

db_test!(
    deciding_a_step_of_an_unseen_need_reads_the_same_on_page_and_api,
    |app| {
        // Training raises a need for two marketing people, outside the production
        // manager's subtree. The page refused the manager with 404 (who may not see the
        // need learns nothing about its steps); the API answered 403. Both now say 404.
        let training = app.token("training").await;
        let outside = people_of(&app, "MKT-EAST", 2).await;
        let need = created(
            post_json(
                &app,
                &training,
                "/api/v1/training-needs",
                need_body(
                    "市场部谈判技巧",
                    json!({"kind": "employees", "numbers": outside}),
                    Some(2000.0),
                ),
            )
            .await,
        )
        .await;
        let chain = approval(&app, &training, need).await;
        let (step, _) = current_step(&chain).expect("the need waits for a decision");

        let manager = app.token("manager").await;
        let (status, need_view) = app
            .call(
                &manager,
                "GET",
                &format!("/api/v1/training-needs/{need}"),
                None,
            )
            .await;
        assert_eq!(status, 404, "{need_view}");
        let (status, problem) = decide(&app, &manager, step, "approve", "").await;
        assert_eq!(status, 404, "{problem}");
        // A malformed decision does not reveal the step either.
        let (status, problem) = decide(&app, &manager, step, "maybe", "").await;
        assert_eq!(status, 404, "{problem}");

        let (browser, csrf) = app.login("manager").await;
        let res = app
            .post_form(
                &browser,
                &format!("/approvals/{step}/decide"),
                &[("decision", "approve"), ("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 404);

        // The step is still waiting.
        let chain = approval(&app, &training, need).await;
        assert_eq!(current_step(&chain).map(|s| s.0), Some(step));
    }
);
