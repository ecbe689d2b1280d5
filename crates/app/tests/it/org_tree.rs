//! The organisation as a maintained tree: moving a subtree (and the scopes that
//! follow it), refused cycles, merging, closing with a successor, heads and deputies
//! reaching the approval steps, the department and position imports, and positions,
//! through the API, the pages and the command line.

use crate::competency_import::{run, skillbridge};
use crate::db_test;
use crate::support::{TempDir, TestApp};
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::org::OrgRepository;
use domain::org_tree::{NewDepartment, PositionInput};
use domain::{DataScope, Page};
use serde_json::{Value, json};
use std::collections::HashMap;
use store::prelude::*;

async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    app.call(token, method, path, Some(body)).await
}

/// The employee number behind a demo login.
async fn number_of(app: &TestApp, login: &str) -> String {
    let user = app.store.get_user(app.user_id(login).await).await.unwrap();
    app.store
        .get_employee(&DataScope::company(), user.employee_id.unwrap())
        .await
        .unwrap()
        .employee_no
}

async fn departments_count(app: &TestApp) -> usize {
    app.store
        .department_tree(&DataScope::company(), true)
        .await
        .unwrap()
        .len()
}

db_test!(
    moving_a_subtree_rewrites_paths_and_scopes_and_refuses_cycles,
    |app| {
        let admin = app.token("admin").await;
        let manager = app.token("manager").await;
        let prod1 = app.department("PROD1").await;
        let east = app.department("MKT-EAST").await;
        let outsider = app.active_employees("MKT-EAST", 1).await[0].id;
        let (status, _) = app
            .call(
                &manager,
                "GET",
                &format!("/api/v1/employees/{outsider}"),
                None,
            )
            .await;
        assert_eq!(
            status, 404,
            "MKT-EAST is outside the manager's PROD1 subtree"
        );

        // A new department under MKT-EAST, then MKT-EAST with it under PROD1.
        let (status, created) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/departments",
        json!({"code": "MKT-EAST-KA", "name": "大客户组", "parent_id": east.id, "cost_center": "CC-9100", "site": "上海"}),
    )
    .await;
        assert_eq!(status, 201, "{created}");
        let child = created["id"].as_i64().unwrap();
        assert!(created["path"].as_str().unwrap().starts_with(&east.path));
        let (status, body) = send(
            &app,
            &manager,
            "POST",
            &format!("/api/v1/departments/{}/move", east.id),
            json!({"parent_id": prod1.id}),
        )
        .await;
        assert_eq!(status, 403, "only HR moves departments: {body}");
        let (status, moved) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/move", east.id),
            json!({"parent_id": prod1.id, "effective_on": "2027-01-01"}),
        )
        .await;
        assert_eq!(status, 200, "{moved}");
        let new_east = format!("{}{}/", prod1.path, east.id);
        assert_eq!(moved["path"], new_east.as_str());
        assert_eq!(moved["parent_id"].as_i64(), Some(prod1.id));
        let detail = app
            .get_json(&admin, &format!("/api/v1/departments/{child}"))
            .await;
        assert_eq!(
            detail["department"]["path"],
            format!("{new_east}{child}/").as_str(),
            "the descendant's path follows"
        );
        // The manager's subtree scope now covers MKT-EAST's people and the new child.
        let (status, _) = app
            .call(
                &manager,
                "GET",
                &format!("/api/v1/employees/{outsider}"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .call(
                &manager,
                "GET",
                &format!("/api/v1/departments/{child}"),
                None,
            )
            .await;
        assert_eq!(status, 200);

        // Cycles: under its own descendant, and under itself.
        let (status, problem) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/move", prod1.id),
            json!({"parent_id": child}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "parent_id");
        let detail_text = problem["detail"].as_str().unwrap_or_default().to_string();
        assert!(
            detail_text.contains("PROD1") && detail_text.contains("MKT-EAST-KA"),
            "{problem}"
        );
        let (status, _) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/move", east.id),
            json!({"parent_id": east.id}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(
            app.department("PROD1").await.path,
            prod1.path,
            "nothing moved"
        );

        // The move is dated in the history and audited.
        let history = app
            .get_json(&admin, &format!("/api/v1/departments/{}", east.id))
            .await;
        let moves: Vec<&Value> = history["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "moved")
            .collect();
        assert_eq!(moves.len(), 1, "{history}");
        assert_eq!(moves[0]["effective_on"], "2027-01-01");
        assert_eq!(app.audit("department.move").await.total, 1);

        // The tree page shows the moved subtree nested under PROD1, with its head count.
        let (browser, _) = app.login("training").await;
        let html = app.page_text(&browser, "/org").await;
        let prod1_at = html.find("生产一部").unwrap();
        let east_at = html.find(&east.name).unwrap();
        let ka_at = html.find("大客户组").unwrap();
        assert!(prod1_at < east_at && east_at < ka_at, "nested in order");
    }
);

db_test!(
    merging_and_closing_hand_people_and_children_to_the_successor,
    |app| {
        let admin = app.token("admin").await;
        let east = app.department("MKT-EAST").await;
        let south = app.department("MKT-SOUTH").await;
        let east_people = app.active_employees("MKT-EAST", 200).await.len();
        let south_people = app.active_employees("MKT-SOUTH", 200).await.len();
        assert!(east_people > 0);
        // A child of MKT-EAST, to see it move with the merge.
        let child = app
            .store
            .create_department(
                &NewDepartment {
                    code: "EAST-SUB".into(),
                    name: "东区子组".into(),
                    parent_id: Some(east.id),
                    ..Default::default()
                },
                time::macros::date!(2026 - 12 - 01),
                &Actor::system(),
            )
            .await
            .unwrap();
        // Into its own child is refused.
        let (status, problem) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/merge", east.id),
            json!({"target_id": child}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "target_id");
        let (status, merged) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/merge", east.id),
            json!({"target_id": south.id, "effective_on": "2027-02-01"}),
        )
        .await;
        assert_eq!(status, 200, "{merged}");
        assert_eq!(merged["people_moved"].as_u64(), Some(east_people as u64));
        assert_eq!(merged["departments_moved"].as_u64(), Some(1));
        assert_eq!(merged["department"]["status"], "closed");
        assert_eq!(
            merged["department"]["successor_id"].as_i64(),
            Some(south.id)
        );
        assert_eq!(merged["department"]["closed_on"], "2027-02-01");
        assert_eq!(
            app.active_employees("MKT-SOUTH", 200).await.len(),
            south_people + east_people
        );
        let sub = app
            .get_json(&admin, &format!("/api/v1/departments/{child}"))
            .await;
        assert_eq!(sub["department"]["parent_id"].as_i64(), Some(south.id));
        // Closed departments are kept but hidden from the pickers and the default tree.
        let list = app.get_json(&admin, "/api/v1/departments").await;
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|d| d["code"] != "MKT-EAST")
        );
        let tree = app.get_json(&admin, "/api/v1/departments/tree").await;
        assert!(
            tree.as_array()
                .unwrap()
                .iter()
                .all(|d| d["code"] != "MKT-EAST")
        );
        let all = app
            .get_json(&admin, "/api/v1/departments/tree?include_closed=true")
            .await;
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|d| d["code"] == "MKT-EAST")
        );
        // A closed department takes no more changes.
        let (status, _) = send(
            &app,
            &admin,
            "PATCH",
            &format!("/api/v1/departments/{}", east.id),
            json!({"name": "复活"}),
        )
        .await;
        assert_eq!(status, 422);

        // Closing on the page: confirmation required, a successor required while it has people.
        let north = app.department("MKT-NORTH").await;
        let west = app.department("MKT-WEST").await;
        let north_people = app.active_employees("MKT-NORTH", 200).await.len();
        let west_people = app.active_employees("MKT-WEST", 200).await.len();
        let (browser, csrf) = app.login("training").await;
        let path = format!("/org/departments/{}/close", north.id);
        let res = app
            .post_form(
                &browser,
                &path,
                &[
                    ("_csrf", csrf.as_str()),
                    ("successor_id", &west.id.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "no confirmation");
        assert!(res.text().await.unwrap().contains("(confirm)"));
        let res = app
            .post_form(
                &browser,
                &path,
                &[("_csrf", csrf.as_str()), ("confirm", "on")],
            )
            .await;
        assert_eq!(res.status(), 422, "people but no successor");
        assert!(res.text().await.unwrap().contains("successor_id"));
        assert_eq!(
            app.active_employees("MKT-NORTH", 200).await.len(),
            north_people
        );
        let res = app
            .post_form(
                &browser,
                &path,
                &[
                    ("_csrf", csrf.as_str()),
                    ("confirm", "on"),
                    ("successor_id", &west.id.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(
            app.active_employees("MKT-WEST", 200).await.len(),
            west_people + north_people
        );
        let html = app
            .page_text(&browser, &format!("/org/departments/{}", north.id))
            .await;
        assert!(
            html.contains("已撤销") || html.contains("Closed"),
            "status shown"
        );
        assert_eq!(app.audit("department.merge").await.total, 1);
        assert_eq!(app.audit("department.close").await.total, 1);
        // The top department is never closed.
        let hq = app.department("HQ").await;
        let (status, _) = send(
            &app,
            &admin,
            "POST",
            &format!("/api/v1/departments/{}/close", hq.id),
            json!({"successor_id": west.id}),
        )
        .await;
        assert_eq!(status, 422);
    }
);

db_test!(
    a_need_reaches_the_head_set_through_the_api_or_the_deputy,
    |app| {
        let admin = app.token("admin").await;
        let stamp = app.department("PROD1-STAMP").await;
        let requester_no = number_of(&app, "employee").await;
        // A colleague who can sign in becomes the head of the employee's department.
        let colleague = app
            .active_employees("PROD1-STAMP", 50)
            .await
            .into_iter()
            .find(|e| e.employee_no != requester_no && Some(e.id) != stamp.head_employee_id)
            .unwrap();
        let (status, user) = send(
        &app,
        &admin,
        "POST",
        "/api/v1/users",
        json!({"username": "stamp.head", "display_name": colleague.name, "password": "stamp head password",
               "employee_no": colleague.employee_no, "grants": []}),
    )
    .await;
        assert_eq!(status, 201, "{user}");
        let head_user = user["id"].as_i64().unwrap();
        let (status, body) = send(
            &app,
            &admin,
            "PATCH",
            &format!("/api/v1/departments/{}", stamp.id),
            json!({"head": "NO-SUCH-PERSON"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["field"], "head");
        let (status, node) = send(
            &app,
            &admin,
            "PATCH",
            &format!("/api/v1/departments/{}", stamp.id),
            json!({"head": colleague.employee_no, "cost_center": "CC-1101"}),
        )
        .await;
        assert_eq!(status, 200, "{node}");
        assert_eq!(node["head"]["employee_no"], colleague.employee_no.as_str());
        assert_eq!(node["cost_center"], "CC-1101");

        let employee = app.token("employee").await;
        let raise = |title: &'static str| {
            let app = &app;
            let employee = employee.clone();
            let admin = admin.clone();
            async move {
                let (status, body) = send(
                app,
                &employee,
                "POST",
                "/api/v1/training-needs",
                json!({"title": title, "problem": "冲压模具换型慢", "people": {"kind": "self"}, "urgency": "high",
                       "reason": "换型时间超标", "estimated_cost": 800.0, "wanted_by": "2099-01-31"}),
            )
            .await;
                assert_eq!(status, 201, "{body}");
                let need = body["id"].as_i64().unwrap();
                let (status, approval) = app
                    .call(
                        &admin,
                        "GET",
                        &format!("/api/v1/training-needs/{need}/approval"),
                        None,
                    )
                    .await;
                assert_eq!(status, 200, "{approval}");
                approval["approval"]["steps"][0]["approver_user_id"].as_i64()
            }
        };
        assert_eq!(
            raise("快速换模").await,
            Some(head_user),
            "the new head approves"
        );

        // When the head is the requester, the deputy stands in.
        let (status, node) = send(
            &app,
            &admin,
            "PATCH",
            &format!("/api/v1/departments/{}", stamp.id),
            json!({"head": requester_no, "deputies": [colleague.employee_no]}),
        )
        .await;
        assert_eq!(status, 200, "{node}");
        assert_eq!(
            node["deputies"][0]["employee_no"],
            colleague.employee_no.as_str()
        );
        assert_eq!(
            raise("模具保养").await,
            Some(head_user),
            "the deputy approves"
        );
        // Head and deputy changes are one dated leadership record each, and audited.
        let detail = app
            .get_json(&admin, &format!("/api/v1/departments/{}", stamp.id))
            .await;
        let leadership = detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "leadership")
            .count();
        assert_eq!(leadership, 2, "{detail}");
        assert_eq!(app.audit("department.update").await.total, 2);
    }
);

fn csv(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

db_test!(
    the_department_import_takes_parents_after_children_and_all_rows_or_none,
    |app| {
        let dir = TempDir::new();
        let head = app.active_employees("RD-PROD", 1).await[0]
            .employee_no
            .clone();
        let before = departments_count(&app).await;
        // A bad row (unknown head) and a loop: nothing is written, the rows are named.
        let bad = dir.0.join("bad.csv");
        std::fs::write(
            &bad,
            format!(
                "部门编码,部门名称,上级部门编码,负责人工号,成本中心,地点\n\
             LAB-1,一号实验室,LAB,{head},CC-7001,株洲\n\
             LAB,实验中心,RD,,CC-7000,株洲\n\
             LAB-2,二号实验室,LAB,NOBODY,,\n\
             LOOP-A,甲,LOOP-B,,,\n\
             LOOP-B,乙,LOOP-A,,,\n"
            ),
        )
        .unwrap();
        let (ok, out, _) = run(skillbridge(&app, &dir)
            .args(["import", "departments"])
            .arg(&bad));
        assert!(!ok, "{out}");
        assert!(out.contains("row 4, column 负责人工号"), "{out}");
        assert!(out.contains("NOBODY"), "{out}");
        assert!(out.contains("row 5") && out.contains("loops"), "{out}");
        assert_eq!(departments_count(&app).await, before, "nothing written");
        assert_eq!(app.audit("department.import").await.total, 0);

        // The same without the bad rows: the child before its parent is fine.
        let good = dir.0.join("good.csv");
        std::fs::write(
            &good,
            format!(
                "部门编码,部门名称,上级部门编码,负责人工号,成本中心,地点\n\
             LAB-1,一号实验室,LAB,{head},CC-7001,株洲\n\
             LAB,实验中心,RD,,CC-7000,株洲\n"
            ),
        )
        .unwrap();
        let (ok, out, _) = run(skillbridge(&app, &dir)
            .args(["import", "departments", "--dry-run"])
            .arg(&good));
        assert!(ok, "{out}");
        assert_eq!(
            departments_count(&app).await,
            before,
            "a dry run writes nothing"
        );
        let (ok, out, err) = run(skillbridge(&app, &dir)
            .args(["import", "departments"])
            .arg(&good));
        assert!(ok, "{out}{err}");
        assert!(out.contains("2 departments created"), "{out}");
        let lab = app.department("LAB").await;
        let lab1 = app.department("LAB-1").await;
        assert_eq!(lab1.parent_id, Some(lab.id));
        assert!(lab1.path.starts_with(&app.department("RD").await.path));
        let node = app
            .store
            .department_node(&DataScope::company(), lab1.id)
            .await
            .unwrap();
        assert_eq!(node.head.unwrap().employee_no, head);
        assert_eq!(node.cost_center.as_deref(), Some("CC-7001"));

        // Upsert by code on the upload page: LAB moves under HQ, LAB-1 with it.
        let file = "部门编码,部门名称,上级部门编码,负责人工号\nLAB,研发实验中心,HQ,\n";
        let (status, html) = app
            .upload(
                "training",
                "/org/import/departments",
                (csv(file), "tree.csv"),
                &[],
            )
            .await;
        assert_eq!(status, 200, "{html}");
        let hq = app.department("HQ").await;
        let lab = app.department("LAB").await;
        assert_eq!(lab.parent_id, Some(hq.id));
        assert_eq!(lab.name, "研发实验中心");
        assert!(app.department("LAB-1").await.path.starts_with(&lab.path));
        // A move under its own child through the file is refused with its row.
        let file = "部门编码,部门名称,上级部门编码,负责人工号\nLAB,研发实验中心,LAB-1,\n";
        let (status, html) = app
            .upload(
                "training",
                "/org/import/departments",
                (csv(file), "loop.csv"),
                &[],
            )
            .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("loops"), "{html}");
        assert_eq!(app.department("LAB").await.parent_id, Some(hq.id));
        // Only HR imports.
        let (status, _) = app
            .upload(
                "manager",
                "/org/import/departments",
                (csv(file), "x.csv"),
                &[],
            )
            .await;
        assert_eq!(status, 403);
    }
);

db_test!(positions_are_created_changed_retired_and_imported, |app| {
    let admin = app.token("admin").await;
    let employee = app.token("employee").await;
    let body = json!({"code": "WLD-SR", "name": "高级焊工", "job_family": "生产", "grade": "S3", "hourly_cost": 95.5});
    let (status, _) = send(&app, &employee, "POST", "/api/v1/positions", body.clone()).await;
    assert_eq!(status, 403);
    let (status, created) = send(&app, &admin, "POST", "/api/v1/positions", body.clone()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["hourly_cost"].as_f64(), Some(95.5));
    let (status, problem) = send(&app, &admin, "POST", "/api/v1/positions", body).await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "code");
    let (status, problem) = send(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v1/positions/{id}"),
        json!({"hourly_cost": -4.0}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["field"], "hourly_cost");
    let (status, patched) = send(
        &app,
        &admin,
        "PATCH",
        &format!("/api/v1/positions/{id}"),
        json!({"grade": "S4"}),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["grade"], "S4");
    assert_eq!(patched["job_family"], "生产", "untouched fields stay");
    let found = app.get_json(&employee, "/api/v1/positions?q=高级焊").await;
    assert_eq!(found["total"].as_i64(), Some(1), "{found}");

    // Retire on the page: confirmed, then gone from the default list.
    let (browser, csrf) = app.login("training").await;
    let path = format!("/org/positions/{id}/retire");
    let res = app
        .post_form(&browser, &path, &[("_csrf", csrf.as_str())])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &browser,
            &path,
            &[("_csrf", csrf.as_str()), ("confirm", "on")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let list = app.page_text(&browser, "/org/positions?q=WLD").await;
    assert!(!list.contains("WLD-SR"), "retired positions are hidden");
    let list = app
        .page_text(&browser, "/org/positions?q=WLD&retired=1")
        .await;
    assert!(list.contains("WLD-SR"));
    let (status, _) = send(
        &app,
        &admin,
        "POST",
        &format!("/api/v1/positions/{id}/retire"),
        json!({}),
    )
    .await;
    assert_eq!(status, 422, "already retired");
    // Created on the page; a bad cost names the field and keeps the input.
    let res = app
        .post_form(
            &browser,
            "/org/positions",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "QC-LEAD"),
                ("name", "质检组长"),
                ("hourly_cost", "很多"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("hourly_cost") && html.contains("QC-LEAD"));
    let res = app
        .post_form(
            &browser,
            "/org/positions",
            &[
                ("_csrf", csrf.as_str()),
                ("code", "QC-LEAD"),
                ("name", "质检组长"),
                ("grade", "M1"),
                ("hourly_cost", "150"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The import: a bad row leaves nothing written; a good file upserts by code.
    let dir = TempDir::new();
    let bad = dir.0.join("bad.csv");
    std::fs::write(
        &bad,
        "编码,名称,序列,职级,小时成本\nNEW-1,新岗位,生产,S1,60\nNEW-2,,生产,S1,-1\n",
    )
    .unwrap();
    let (ok, out, _) = run(skillbridge(&app, &dir)
        .args(["import", "positions"])
        .arg(&bad));
    assert!(!ok);
    assert!(out.contains("row 3"), "{out}");
    let none = app
        .store
        .list_positions(
            &domain::org_tree::PositionFilter {
                q: Some("NEW-1".into()),
                include_retired: true,
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(none.total, 0, "nothing written");
    let good = dir.0.join("good.csv");
    std::fs::write(
        &good,
        "编码,名称,序列,职级,小时成本\nNEW-1,新岗位,生产,S1,60\nQC-LEAD,质检组长,质量,M1,160\n",
    )
    .unwrap();
    let (ok, out, err) = run(skillbridge(&app, &dir)
        .args(["import", "positions"])
        .arg(&good));
    assert!(ok, "{out}{err}");
    assert!(out.contains("1 positions created, 1 updated"), "{out}");
    let found = app.get_json(&admin, "/api/v1/positions?q=QC-LEAD").await;
    assert_eq!(found["items"][0]["hourly_cost"].as_f64(), Some(160.0));
    assert_eq!(found["items"][0]["job_family"], "质量");
    assert!(app.audit("position.").await.total >= 4);
});

/// Departments and positions the authorization matrix probes: `{org_…}` placeholders.
pub(crate) async fn matrix_targets(app: &TestApp) -> HashMap<&'static str, String> {
    let system = &Actor::system();
    let on = time::macros::date!(2026 - 12 - 01);
    let hq = app.department("HQ").await.id;
    let fresh = |code: &'static str| async move {
        app.store
            .create_department(
                &NewDepartment {
                    code: code.into(),
                    name: format!("矩阵{code}"),
                    parent_id: Some(hq),
                    ..Default::default()
                },
                on,
                system,
            )
            .await
            .unwrap()
            .to_string()
    };
    let position = |code: &'static str| async move {
        app.store
            .create_position(
                &PositionInput {
                    code: code.into(),
                    name: "矩阵岗位".into(),
                    ..Default::default()
                },
                system,
            )
            .await
            .unwrap()
            .to_string()
    };
    HashMap::from([
        ("{org_root}", hq.to_string()),
        (
            "{org_dept}",
            app.department("MKT-EAST").await.id.to_string(),
        ),
        ("{org_mkt}", app.department("MKT").await.id.to_string()),
        ("{org_merge}", fresh("MX-ORG-A").await),
        ("{org_close}", fresh("MX-ORG-B").await),
        ("{org_page}", fresh("MX-ORG-C").await),
        ("{org_page_merge}", fresh("MX-ORG-D").await),
        ("{org_page_close}", fresh("MX-ORG-E").await),
        ("{org_pos}", position("MX-POS").await),
        ("{org_pos_retire}", position("MX-POS-R").await),
        ("{org_pos_retire_page}", position("MX-POS-RP").await),
    ])
}

/// `text` with the `{org_…}` placeholders filled.
pub(crate) fn fill(targets: &HashMap<&'static str, String>, text: &str) -> String {
    targets
        .iter()
        .fold(text.to_string(), |s, (k, v)| s.replace(k, v))
}
