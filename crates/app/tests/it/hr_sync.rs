//! HR sync: a second export as a diff (dry run writes nothing), applied through the
//! CLI; leavers cannot sign in; job history, domain events and audit entries; the
//! leaver threshold; logins provisioned from employee records; forced password resets.

use crate::db_test;
use crate::support::{Backend, TempDir, TestApp};
use domain::account::AccountRepository;
use domain::hr_sync::SyncSnapshot;
use domain::org::EmployeeStatus;
use domain::{DataScope, Role, ScopeKind};
use std::collections::HashMap;
use std::process::Command;
use store::prelude::*;

/// One number from the app's database.
async fn scalar(app: &TestApp, sql: &str) -> i64 {
    use sqlx::Connection;
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// Runs the binary against the app's database; (success, stdout + stderr).
fn cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let dir = TempDir::new();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_skillbridge"));
    cmd.current_dir(&dir.0).env("SKILLBRIDGE_LOG", "warn");
    for (key, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("SKILLBRIDGE_") && k != "SKILLBRIDGE_LOG")
    {
        cmd.env_remove(key);
    }
    let out = cmd
        .arg("--database-url")
        .arg(&app.url)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The company as HR exports it: one row per person not `left` (工号, 姓名, 部门 by code,
/// 岗位 left blank unless `positions` names one, 状态), without the people in `drop`,
/// with the departments in `moves` changed, plus `hires` (number, department code).
struct Export {
    drop: Vec<String>,
    moves: HashMap<String, String>,
    positions: HashMap<String, String>,
    hires: Vec<(String, String)>,
}

impl Export {
    fn new() -> Self {
        Self {
            drop: Vec::new(),
            moves: HashMap::new(),
            positions: HashMap::new(),
            hires: Vec::new(),
        }
    }

    fn csv(&self, snap: &SyncSnapshot, codes: &HashMap<i64, String>) -> String {
        let mut out = String::from("工号,姓名,部门,岗位,状态\n");
        for e in &snap.employees {
            if e.status == EmployeeStatus::Left || self.drop.contains(&e.employee_no) {
                continue;
            }
            let dept = self
                .moves
                .get(&e.employee_no)
                .cloned()
                .unwrap_or_else(|| codes[&e.department_id].clone());
            let pos = self
                .positions
                .get(&e.employee_no)
                .cloned()
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{dept},{pos},{}\n",
                e.employee_no,
                e.name,
                e.status.code()
            ));
        }
        for (no, dept) in &self.hires {
            out.push_str(&format!("{no},新人{no},{dept},,active\n"));
        }
        out
    }
}

async fn department_codes(app: &TestApp) -> HashMap<i64, String> {
    app.store
        .list_departments(&DataScope::company())
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect()
}

async fn employee_no_of(app: &TestApp, username: &str) -> (i64, String) {
    let user = app
        .store
        .get_user(app.user_id(username).await)
        .await
        .unwrap();
    let id = user.employee_id.unwrap();
    let e = app
        .store
        .get_employee(&DataScope::company(), id)
        .await
        .unwrap();
    (id, e.employee_no)
}

/// Tries the real login form with the demo password; the status.
async fn login_status(app: &TestApp, username: &str, password: &str) -> u16 {
    let browser = app.browser();
    let form = app.page_text(&browser, "/login").await;
    let csrf = crate::support::extract_csrf(&form);
    browser
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

db_test!(
    a_second_export_shows_its_diff_in_the_dry_run_then_applies,
    |app| {
        // Before: the demo's logins work, and the employee has an API token.
        assert_eq!(
            login_status(&app, "employee", demo::DEMO_PASSWORD).await,
            303
        );
        let token = app.token("employee").await;
        assert_eq!(app.call(&token, "GET", "/api/v1/me", None).await.0, 200);
        let snap = app.store.sync_snapshot().await.unwrap();
        let codes = department_codes(&app).await;
        let (employee_id, employee_no) = employee_no_of(&app, "employee").await;
        let (manager_id, manager_no) = employee_no_of(&app, "manager").await;
        let active: Vec<_> = snap
            .employees
            .iter()
            .filter(|e| e.status == EmployeeStatus::Active)
            .collect();
        let third = active
            .iter()
            .rev()
            .find(|e| e.id != employee_id && e.id != manager_id)
            .unwrap();
        let mut export = Export::new();
        export.drop = vec![
            employee_no.clone(),
            manager_no.clone(),
            third.employee_no.clone(),
        ];
        // Two transfers: to a department other than their own.
        let movers: Vec<_> = active
            .iter()
            .filter(|e| !export.drop.contains(&e.employee_no))
            .take(2)
            .collect();
        for m in &movers {
            let target = codes
                .iter()
                .find(|(id, _)| **id != m.department_id)
                .map(|(_, c)| c.clone())
                .unwrap();
            export.moves.insert(m.employee_no.clone(), target);
        }
        // One position change (a promotion).
        let known = app.store.import_known().await.unwrap();
        let promoted = active
            .iter()
            .filter(|e| !export.drop.contains(&e.employee_no))
            .nth(5)
            .unwrap();
        let (position_key, new_position) = known
            .positions
            .iter()
            .find(|(_, id)| Some(**id) != promoted.position_id)
            .map(|(k, id)| (k.clone(), *id))
            .unwrap();
        export
            .positions
            .insert(promoted.employee_no.clone(), position_key);
        let some_dept = codes.values().next().unwrap().clone();
        export.hires = vec![
            ("T90001".into(), some_dept.clone()),
            ("T90002".into(), some_dept),
        ];
        let dir = TempDir::new();
        let file = dir.0.join("hr-2.csv");
        std::fs::write(&file, export.csv(&snap, &codes)).unwrap();
        let file = file.to_str().unwrap();
        // Open enrollments and approval steps waiting for the leavers, before.
        let leavers = format!("({employee_id}, {manager_id}, {})", third.id);
        let open_enrollments = scalar(
            &app,
            &format!("SELECT COUNT(*) FROM enrollments WHERE status IN ('enrolled', 'waitlisted') AND employee_id IN {leavers}"),
        )
        .await;
        let waiting_steps = scalar(
            &app,
            &format!("SELECT COUNT(*) FROM need_approval_steps WHERE status IN ('pending', 'waiting') AND approver_employee_id IN {leavers}"),
        )
        .await;
        let left_before =
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await;
        let users_before = scalar(&app, "SELECT COUNT(*) FROM users").await;
        // A department head without a login gets one with the manager role.
        let heads: Vec<(i64, i64)> = app
            .store
            .list_departments(&DataScope::company())
            .await
            .unwrap()
            .into_iter()
            .filter_map(|d| d.head_employee_id.map(|h| (d.id, h)))
            .collect();
        let mut head_without_login = None;
        for (dept, head) in heads {
            if scalar(
                &app,
                &format!("SELECT COUNT(*) FROM users WHERE employee_id = {head}"),
            )
            .await
                == 0
                && head != third.id
            {
                head_without_login = Some((dept, head));
                break;
            }
        }
        let (head_dept, head) = head_without_login.expect("a head without a login");

        // The dry run shows exactly the diff and writes nothing.
        let (ok, out) = cli(&app, &["import", "employees", file, "--full", "--dry-run"]);
        assert!(ok, "{out}");
        assert!(
            out.contains("full sync: 2 hires, 0 rehires, 3 leavers, 2 transfers, 1 position changes, 0 field changes"),
            "{out}"
        );
        assert!(
            out.contains(&employee_no) && out.contains(&manager_no) && out.contains("T90001"),
            "{out}"
        );
        assert!(out.contains("nothing was written"), "{out}");
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM job_history").await, 0);
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM domain_events").await, 0);
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await,
            left_before
        );
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM users").await,
            users_before
        );
        assert_eq!(app.audit("people.").await.total, 0);

        // Applied.
        let (ok, out) = cli(&app, &["import", "employees", file, "--full"]);
        assert!(ok, "{out}");
        assert!(
            out.contains("2 hires, 0 rehires, 3 leavers, 2 transfers, 1 position changes"),
            "{out}"
        );
        assert!(out.contains("leavers: 2 logins disabled"), "{out}");
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await,
            left_before + 3
        );
        for (kind, n) in [
            ("hire", 2),
            ("leave", 3),
            ("transfer", 2),
            ("position_change", 1),
        ] {
            assert_eq!(
                scalar(
                    &app,
                    &format!("SELECT COUNT(*) FROM job_history WHERE kind = '{kind}'")
                )
                .await,
                n,
                "{kind}"
            );
            assert_eq!(
                app.audit(&format!("people.{kind}")).await.total,
                n,
                "audit {kind}"
            );
        }
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM job_history WHERE kind = 'position_change' AND employee_id = {} AND to_position_id = {new_position}", promoted.id)).await,
            1
        );
        // The outbox, read from a cursor: new hires and the position change.
        let state = app.state().clone();
        let events = service::hr_sync::events_after(&state, 0, &[], 100)
            .await
            .unwrap();
        assert_eq!(events.len(), 8);
        let wanted = service::hr_sync::events_after(
            &state,
            0,
            &["employee.hired", "employee.position_changed"],
            100,
        )
        .await
        .unwrap();
        assert_eq!(wanted.len(), 3);
        assert!(wanted.iter().any(|e| e.payload.contains("T90001")));
        let after = service::hr_sync::events_after(
            &state,
            wanted[0].id,
            &["employee.hired", "employee.position_changed"],
            100,
        )
        .await
        .unwrap();
        assert_eq!(after.len(), 2, "the cursor skips what was read");
        // Leavers' consequences, exactly as many as there were.
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM enrollments WHERE status IN ('enrolled', 'waitlisted') AND employee_id IN {leavers}")).await,
            0
        );
        assert!(
            out.contains(&format!("{open_enrollments} open enrollments cancelled")),
            "{out}"
        );
        assert_eq!(
            scalar(&app, &format!("SELECT COUNT(*) FROM need_approval_steps WHERE status IN ('pending', 'waiting') AND approver_employee_id IN {leavers}")).await,
            0
        );
        let handled = app.audit("need_approval.reassign").await.total
            + app.audit("need_approval.cancel").await.total;
        assert_eq!(handled as i64, waiting_steps);
        // Leavers cannot sign in, through the real login page, and their tokens are dead.
        assert_eq!(
            login_status(&app, "employee", demo::DEMO_PASSWORD).await,
            401
        );
        assert_eq!(
            login_status(&app, "manager", demo::DEMO_PASSWORD).await,
            401
        );
        assert_eq!(app.call(&token, "GET", "/api/v1/me", None).await.0, 401);
        assert_eq!(
            login_status(&app, "training", demo::DEMO_PASSWORD).await,
            303
        );
        // Logins provisioned: hires as employees, a head as the manager of their department.
        let hire = app
            .store
            .find_credentials("T90001")
            .await
            .unwrap()
            .expect("hire login");
        let user = app.store.get_user(hire.user_id).await.unwrap();
        assert_eq!(
            user.grants
                .iter()
                .map(|g| (g.role, g.scope))
                .collect::<Vec<_>>(),
            vec![(Role::Employee, ScopeKind::SelfOnly)]
        );
        assert_eq!(
            login_status(&app, "T90001", demo::DEMO_PASSWORD).await,
            401,
            "no usable local password"
        );
        let head_no = app
            .store
            .get_employee(&DataScope::company(), head)
            .await
            .unwrap()
            .employee_no;
        let head_user = app
            .store
            .find_credentials(&head_no)
            .await
            .unwrap()
            .expect("head login");
        let grants = app.store.get_user(head_user.user_id).await.unwrap().grants;
        assert!(
            grants
                .iter()
                .any(|g| g.role == Role::Manager && g.scope == ScopeKind::Department(head_dept)),
            "{grants:?}"
        );
        let provisioned = app.audit("account.provision").await.total as i64;
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM users").await,
            users_before + provisioned
        );
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees e WHERE e.status <> 'left' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.employee_id = e.id)").await,
            0,
            "everyone who works here has a login"
        );
        // Job history through the API and on the person's page.
        let admin = app.token("admin").await;
        let (status, body) = app
            .call(
                &admin,
                "GET",
                &format!("/api/v1/employees/{}/job-history", promoted.id),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let rows = body.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{body}");
        assert_eq!(rows[0]["kind"], "position_change");
        assert_eq!(rows[0]["source"], file);
        let (status, body) = app
            .call(
                &admin,
                "GET",
                &format!("/api/v1/employees/{employee_id}/job-history"),
                None,
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(body[0]["kind"], "leave");
        let (browser, _) = app.login("training").await;
        let page = app
            .page_text(&browser, &format!("/people/{}", movers[0].id))
            .await;
        assert!(page.contains("任职经历") && page.contains("调动"), "{page}");
        // The same file again changes nothing.
        let (ok, out) = cli(&app, &["import", "employees", file, "--full"]);
        assert!(ok, "{out}");
        assert!(
            out.contains(
                "0 hires, 0 rehires, 0 leavers, 0 transfers, 0 position changes, 0 field changes"
            ),
            "{out}"
        );
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM job_history").await, 8);
    }
);

db_test!(
    a_sync_that_would_empty_the_company_is_refused_unless_forced,
    |app| {
        let snap = app.store.sync_snapshot().await.unwrap();
        let codes = department_codes(&app).await;
        let active: Vec<String> = snap
            .employees
            .iter()
            .filter(|e| e.status != EmployeeStatus::Left)
            .map(|e| e.employee_no.clone())
            .collect();
        // 15% of the people missing: more than the default 10%.
        let mut export = Export::new();
        export.drop = active
            .iter()
            .take(active.len() * 15 / 100)
            .cloned()
            .collect();
        let dir = TempDir::new();
        let file = dir.0.join("truncated.csv");
        std::fs::write(&file, export.csv(&snap, &codes)).unwrap();
        let file = file.to_str().unwrap();
        let left_before =
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await;
        let (ok, out) = cli(&app, &["import", "employees", file, "--full", "--dry-run"]);
        assert!(ok, "{out}");
        assert!(
            out.contains("sync_max_leaver_percent"),
            "the dry run warns: {out}"
        );
        let (ok, out) = cli(&app, &["import", "employees", file, "--full"]);
        assert!(!ok, "refused: {out}");
        assert!(
            out.contains(&format!(
                "would make {} of {} people leave",
                export.drop.len(),
                active.len()
            )),
            "{out}"
        );
        assert!(out.contains("--force"), "{out}");
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await,
            left_before
        );
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM job_history").await, 0);
        let (ok, out) = cli(&app, &["import", "employees", file, "--full", "--force"]);
        assert!(ok, "{out}");
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await,
            left_before + export.drop.len() as i64
        );
        // A full sync cannot skip bad rows.
        let (ok, out) = cli(
            &app,
            &["import", "employees", file, "--full", "--valid-only"],
        );
        assert!(!ok && out.contains("valid_only"), "{out}");
    }
);

db_test!(
    an_upsert_import_records_job_history_but_makes_nobody_leave,
    |app| {
        let snap = app.store.sync_snapshot().await.unwrap();
        let codes = department_codes(&app).await;
        let mover = snap
            .employees
            .iter()
            .find(|e| e.status == EmployeeStatus::Active)
            .unwrap();
        let target = codes
            .iter()
            .find(|(id, _)| **id != mover.department_id)
            .map(|(_, c)| c.clone())
            .unwrap();
        let file = format!(
            "工号,姓名,部门\n{},{},{target}\n",
            mover.employee_no, mover.name
        );
        let left_before =
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await;
        let (status, page) = app
            .upload(
                "training",
                "/people/import",
                (file.into_bytes(), "one.csv"),
                &[],
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM employees WHERE status = 'left'").await,
            left_before
        );
        assert_eq!(
            scalar(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM job_history WHERE kind = 'transfer' AND employee_id = {}",
                    mover.id
                )
            )
            .await,
            1
        );
        assert_eq!(app.audit("people.transfer").await.total, 1);
    }
);

db_test!(an_administrator_forces_a_password_reset, |app| {
    assert_eq!(
        login_status(&app, "reviewer", demo::DEMO_PASSWORD).await,
        303
    );
    let (browser, _) = app.login("reviewer").await;
    assert_eq!(app.page_status(&browser, "/account").await, 200);
    let api_token = app.token("reviewer").await;
    assert_eq!(app.get_status(&api_token, "/api/v1/me").await, 200);
    let (ok, out) = cli(&app, &["admin", "reset-password", "--username", "reviewer"]);
    assert!(ok, "{out}");
    let link = out
        .lines()
        .find(|l| l.contains("/password-reset?token="))
        .expect("the link is printed");
    let token = link.split("token=").nth(1).unwrap().trim().to_string();
    // The old password no longer works, and the session has ended.
    assert_eq!(
        login_status(&app, "reviewer", demo::DEMO_PASSWORD).await,
        401
    );
    assert_ne!(app.page_status(&browser, "/account").await, 200);
    assert_eq!(
        app.get_status(&api_token, "/api/v1/me").await,
        401,
        "the API tokens are revoked too"
    );
    assert_eq!(app.audit("account.password_reset").await.total, 1);
    // The token sets a new password once.
    let state = app.state().clone();
    let bad = service::accounts::complete_password_reset(&state, &token, "short", "short").await;
    assert!(bad.is_err());
    let username = service::accounts::complete_password_reset(
        &state,
        &token,
        "a-new-pass-2027",
        "a-new-pass-2027",
    )
    .await
    .unwrap();
    assert_eq!(username, "reviewer");
    assert_eq!(login_status(&app, "reviewer", "a-new-pass-2027").await, 303);
    let again = service::accounts::complete_password_reset(
        &state,
        &token,
        "another-pass-2027",
        "another-pass-2027",
    )
    .await;
    assert!(again.is_err(), "a token works once");
    let (ok, out) = cli(&app, &["admin", "reset-password", "--username", "nobody"]);
    assert!(
        !ok && out.contains("no account is called 'nobody'"),
        "{out}"
    );
});

/// The value of the hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).map(|i| i + marker.len()).expect("field");
    page[start..].split('"').next().unwrap().to_string()
}

db_test!(
    the_upload_page_previews_a_full_sync_and_applies_it_on_confirm,
    |app| {
        let snap = app.store.sync_snapshot().await.unwrap();
        let codes = department_codes(&app).await;
        let active: Vec<_> = snap
            .employees
            .iter()
            .filter(|e| e.status == EmployeeStatus::Active)
            .collect();
        let mut export = Export::new();
        export.drop = vec![active[3].employee_no.clone()];
        export.hires = vec![("W70001".into(), codes[&active[0].department_id].clone())];
        let csv = export.csv(&snap, &codes).into_bytes();
        let (status, page) = app
            .upload(
                "training",
                "/people/import",
                (csv, "full.csv"),
                &[("full", "on"), ("dry_run", "on")],
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("入职 1") && page.contains("离职 1"), "{page}");
        assert!(
            page.contains(&active[3].employee_no) && page.contains("W70001"),
            "{page}"
        );
        assert_eq!(
            scalar(&app, "SELECT COUNT(*) FROM job_history").await,
            0,
            "a preview writes nothing"
        );
        // The confirm step sends the previewed file back.
        let b64 = hidden(&page, "file_b64");
        assert!(!b64.is_empty());
        let (browser, csrf) = app.login("training").await;
        let form = reqwest::multipart::Form::new()
            .text("file_b64", b64)
            .text("file_name", "full.csv")
            .text("full", "on");
        let res = browser
            .post(app.url(&format!("/people/import?_csrf={csrf}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let page = res.text().await.unwrap();
        assert!(page.contains("导入完成"), "{page}");
        assert_eq!(scalar(&app, "SELECT COUNT(*) FROM job_history").await, 2);
        assert_eq!(
            scalar(
                &app,
                &format!(
                    "SELECT COUNT(*) FROM employees WHERE status = 'left' AND id = {}",
                    active[3].id
                )
            )
            .await,
            1
        );
        // A damaged confirm is refused, naming the file.
        let form = reqwest::multipart::Form::new()
            .text("file_b64", "@@not base64@@")
            .text("full", "on");
        let res = browser
            .post(app.url(&format!("/people/import?_csrf={csrf}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 422);
    }
);

db_test!(
    a_reset_link_from_the_users_page_sets_a_new_password,
    |app| {
        let (admin, csrf) = app.login("admin").await;
        let target = app.user_id("instructor").await;
        let res = app
            .post_form(
                &admin,
                &format!("/admin/users/{target}/password-reset"),
                &[("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let page = res.text().await.unwrap();
        let start = page.find("/password-reset?token=").expect("link shown");
        let path: String = page[start..].split('"').next().unwrap().to_string();
        assert_eq!(
            login_status(&app, "instructor", demo::DEMO_PASSWORD).await,
            401
        );
        // The link's page sets the new password (a mismatch first is refused).
        let browser = app.browser();
        let form = app.page_text(&browser, &path).await;
        let token = hidden(&form, "token");
        let csrf = crate::support::extract_csrf(&form);
        let res = app
            .post_form(
                &browser,
                "/password-reset",
                &[
                    ("_csrf", csrf.as_str()),
                    ("token", &token),
                    ("password", "fresh-pass-2027"),
                    ("repeat", "other-pass-2027"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 422);
        let res = app
            .post_form(
                &browser,
                "/password-reset",
                &[
                    ("_csrf", csrf.as_str()),
                    ("token", &token),
                    ("password", "fresh-pass-2027"),
                    ("repeat", "fresh-pass-2027"),
                ],
            )
            .await;
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("instructor"));
        assert_eq!(
            login_status(&app, "instructor", "fresh-pass-2027").await,
            303
        );
        // The API: an administrator gets the token once; others may not.
        let admin_token = app.token("admin").await;
        let (status, body) = app
            .call(
                &admin_token,
                "POST",
                &format!("/api/v1/users/{target}/password-reset"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body["path"]
                .as_str()
                .unwrap()
                .starts_with("/password-reset?token=")
        );
        assert_eq!(
            login_status(&app, "instructor", "fresh-pass-2027").await,
            401
        );
        let training = app.token("training").await;
        let (status, _) = app
            .call(
                &training,
                "POST",
                &format!("/api/v1/users/{target}/password-reset"),
                None,
            )
            .await;
        assert_eq!(status, 403);
    }
);
