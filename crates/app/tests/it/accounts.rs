//! Accounts: login, CSRF, rate limiting, passwords, tokens, disabling, audit.

use crate::db_test;
use crate::support::extract_csrf;
use domain::audit::{AuditFilter, AuditRepository};
use serde_json::json;

db_test!(
    login_sets_a_safe_cookie_and_logout_ends_the_session,
    |app| {
        let browser = app.browser();
        let page = app.page_text(&browser, "/login").await;
        let csrf = extract_csrf(&page);
        let res = app
            .post_form(
                &browser,
                "/login",
                &[
                    ("username", "admin"),
                    ("password", demo::DEMO_PASSWORD),
                    ("_csrf", csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let home = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let csrf = extract_csrf(&home.text().await.unwrap());
        let out = app
            .post_form(&browser, "/logout", &[("_csrf", csrf.as_str())])
            .await;
        assert_eq!(out.status(), 303);
        let after = browser.get(app.url("/")).send().await.unwrap();
        assert_eq!(
            after.status(),
            303,
            "signed out: pages redirect to the login"
        );
        assert_eq!(after.headers()["location"], "/login");
    }
);

db_test!(forms_without_the_csrf_token_are_refused, |app| {
    let (browser, csrf) = app.login("admin").await;
    let missing = app
        .post_form(&browser, "/account/tokens", &[("name", "x")])
        .await;
    assert_eq!(missing.status(), 403);
    let wrong = app
        .post_form(
            &browser,
            "/account/tokens",
            &[("name", "x"), ("_csrf", "forged")],
        )
        .await;
    assert_eq!(wrong.status(), 403);
    let right = app
        .post_form(
            &browser,
            "/account/tokens",
            &[("name", "x"), ("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(right.status(), 200);
    assert!(
        right.text().await.unwrap().contains("sb_"),
        "the new token is shown once"
    );
    // Login itself needs the pre-login token.
    let fresh = app.browser();
    let res = app
        .post_form(
            &fresh,
            "/login",
            &[("username", "admin"), ("password", demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);
});

db_test!(
    failed_logins_are_rate_limited_without_revealing_usernames,
    |app| {
        let browser = app.browser();
        let csrf = extract_csrf(&app.page_text(&browser, "/login").await);
        let attempt = |user: &'static str, pw: &'static str| {
            let browser = browser.clone();
            let csrf = csrf.clone();
            let url = app.url("/login");
            async move {
                browser
                    .post(url)
                    .form(&[
                        ("username", user),
                        ("password", pw),
                        ("_csrf", csrf.as_str()),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        let unknown = attempt("nobody-here", "whatever-password").await;
        let known = attempt("employee", "wrong-password-1").await;
        assert_eq!(unknown.status(), 401);
        assert_eq!(known.status(), 401);
        let (a, b) = (unknown.text().await.unwrap(), known.text().await.unwrap());
        assert!(
            a.contains("用户名或密码错误") && b.contains("用户名或密码错误"),
            "the same message for both"
        );
        for _ in 0..4 {
            assert_eq!(attempt("employee", "wrong-password-1").await.status(), 401);
        }
        // Five failures for one account from this address: the sixth attempt is refused
        // even with the right password (the username's case does not matter), until the
        // oldest failure leaves the 15-minute window.
        let limited = attempt("EMPLOYEE", demo::DEMO_PASSWORD).await;
        assert_eq!(limited.status(), 429);
        let retry: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((840..=900).contains(&retry), "Retry-After {retry}");
        // Someone else behind the same address (one office, one NAT address) still gets in.
        assert_eq!(attempt("manager", demo::DEMO_PASSWORD).await.status(), 303);
    }
);

db_test!(admin_creates_accounts_with_validation_and_audit, |app| {
    let token = app.token("admin").await;
    let c = app.client();
    let create = |body: serde_json::Value| {
        c.post(app.url("/api/v1/users"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let res = create(
        json!({"username": "li.ming", "display_name": "李明", "password": "short", "grants": []}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["field"], "password");
    let res = create(
        json!({"username": "li.ming", "display_name": "李明", "password": "long enough password",
        "grants": [{"role": "manager", "scope": "department", "department_code": "NOPE"}]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["field"],
        "department_code"
    );
    let res = create(
        json!({"username": "li.ming", "display_name": "李明", "password": "long enough password",
        "grants": [{"role": "manager", "scope": "department", "department_code": "QA"}]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let user: serde_json::Value = res.json().await.unwrap();
    assert_eq!(user["grants"][0]["role"], "manager");
    assert_eq!(user["grants"][0]["department_name"], "质量部");
    let dup = create(
        json!({"username": "li.ming", "display_name": "x", "password": "long enough password"}),
    )
    .await
    .unwrap();
    assert_eq!(dup.status(), 409);
    // Nothing half-written: the failed attempts left no account behind.
    let list = app.get_json(&token, "/api/v1/users?q=li.ming").await;
    assert_eq!(list["total"], 1);
    let audit = app.audit("account.create").await;
    let entry = audit
        .items
        .iter()
        .find(|e| e.after.as_deref().unwrap_or("").contains("li.ming"))
        .expect("audited");
    assert_eq!(entry.actor, "admin");
    assert!(
        entry.ip.as_deref().is_some_and(|ip| ip.starts_with("127.")),
        "address recorded"
    );
    // Grants are audited with before/after too.
    let id = user["id"].as_i64().unwrap();
    let res = c
        .post(app.url(&format!("/api/v1/users/{id}/grants")))
        .bearer_auth(&token)
        .json(&json!({"role": "instructor", "scope": "company"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .delete(app.url(&format!(
            "/api/v1/users/{id}/grants?role=instructor&scope=company"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = c
        .delete(app.url(&format!(
            "/api/v1/users/{id}/grants?role=instructor&scope=company"
        )))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "revoking twice");
    let actions: Vec<String> = app
        .store
        .list_audit(
            &AuditFilter {
                actor: Some("admin".into()),
                ..Default::default()
            },
            domain::Page::default(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"role.grant".to_string()) && actions.contains(&"role.revoke".to_string()),
        "{actions:?}"
    );
});

db_test!(the_audit_log_cannot_be_changed, |app| {
    let entries = app
        .store
        .list_audit(&AuditFilter::default(), domain::Page::default())
        .await
        .unwrap();
    assert!(
        entries.total > 0,
        "the demo load and account creation were audited"
    );
    let id = entries.items[0].id;
    let (update, delete) = match app.backend {
        crate::support::Backend::Sqlite => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            let u = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = $1")
                .bind(id)
                .execute(&mut conn)
                .await;
            let d = sqlx::query("DELETE FROM audit_log WHERE id = $1")
                .bind(id)
                .execute(&mut conn)
                .await;
            (u.is_err(), d.is_err())
        }
        crate::support::Backend::Postgres => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            let u = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE id = $1")
                .bind(id)
                .execute(&mut conn)
                .await;
            let d = sqlx::query("DELETE FROM audit_log WHERE id = $1")
                .bind(id)
                .execute(&mut conn)
                .await;
            (u.is_err(), d.is_err())
        }
    };
    assert!(
        update && delete,
        "UPDATE and DELETE on audit_log are refused by the database"
    );
});

db_test!(disabling_an_account_ends_its_sessions_and_tokens, |app| {
    let admin = app.token("admin").await;
    let victim_token = app.token("reviewer").await;
    let (browser, _) = app.login("reviewer").await;
    let c = app.client();
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&victim_token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let id = app.user_id("reviewer").await;
    let me_id = app.user_id("admin").await;
    let own = c
        .post(app.url(&format!("/api/v1/users/{me_id}/disable")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 422, "an admin cannot lock themselves out");
    let res = c
        .post(app.url(&format!("/api/v1/users/{id}/disable")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&victim_token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(app.page_status(&browser, "/").await, 303, "session ended");
    // Re-enabling does not bring revoked tokens back.
    let res = c
        .post(app.url(&format!("/api/v1/users/{id}/enable")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&victim_token)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
});

db_test!(password_change_and_token_revocation, |app| {
    let token = app.token("employee").await;
    let c = app.client();
    let (browser, _) = app.login("employee").await;
    let wrong = c
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(&token)
        .json(
            &json!({"current_password": "nope nope nope", "new_password": "a brand new password"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let ok = c
        .post(app.url("/api/v1/me/password"))
        .bearer_auth(&token)
        .json(
            &json!({"current_password": demo::DEMO_PASSWORD, "new_password": "a brand new password",
            // The token is used below; without this the change would revoke it.
            "keep_tokens": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    assert_eq!(
        app.page_status(&browser, "/").await,
        303,
        "other sessions end on a password change"
    );
    let fresh = app.browser();
    let csrf = extract_csrf(&app.page_text(&fresh, "/login").await);
    let old = app
        .post_form(
            &fresh,
            "/login",
            &[
                ("username", "employee"),
                ("password", demo::DEMO_PASSWORD),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(old.status(), 401);
    let new = app
        .post_form(
            &fresh,
            "/login",
            &[
                ("username", "employee"),
                ("password", "a brand new password"),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(new.status(), 303);
    // Tokens: listed without their secret, revocable once.
    let created: serde_json::Value = c
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["token"].as_str().unwrap().to_string();
    let list = c
        .get(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains(&secret), "secrets are never listed");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        c.delete(app.url(&format!("/api/v1/me/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        c.get(app.url("/api/v1/me"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        c.delete(app.url(&format!("/api/v1/me/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let empty = c
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .json(&json!({"name": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
});

// The page and the API create accounts through one use case: an account linked to an
// employee also holds the employee role for itself, whatever it was granted (the API
// used to leave it out while the page added it).
db_test!(
    accounts_linked_to_an_employee_hold_the_employee_role_on_page_and_api,
    |app| {
        use domain::org::{EmployeeFilter, OrgRepository};
        let dept = app.department("QA").await;
        let filter = EmployeeFilter {
            department_id: Some(dept.id),
            ..Default::default()
        };
        let people = app
            .store
            .list_employees(
                &domain::DataScope::company(),
                &filter,
                domain::Page::new(Some(1), Some(50)),
            )
            .await
            .unwrap()
            .items;
        let (api_no, page_no) = (
            people[10].employee_no.clone(),
            people[11].employee_no.clone(),
        );

        let token = app.token("admin").await;
        let (status, user) = app
        .call(
            &token,
            "POST",
            "/api/v1/users",
            Some(json!({"username": "qa.lead.api", "display_name": "质量主管", "password": "long enough password",
                "employee_no": api_no,
                "grants": [{"role": "manager", "scope": "department", "department_code": "QA"}]})),
        )
        .await;
        assert_eq!(status, 201, "{user}");
        let roles: Vec<(String, String)> = user["grants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["role"].as_str().unwrap().to_string(),
                    g["scope"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert!(
            roles.contains(&("manager".into(), "department".into())),
            "{roles:?}"
        );
        assert!(
            roles.contains(&("employee".into(), "self".into())),
            "{roles:?}"
        );

        let (browser, csrf) = app.login("admin").await;
        let res = app
            .post_form(
                &browser,
                "/admin/users",
                &[
                    ("username", "qa.lead.page"),
                    ("display_name", "质量主管二"),
                    ("password", "long enough password"),
                    ("employee_no", page_no.as_str()),
                    ("role", "manager"),
                    ("scope", "department"),
                    ("department_code", "QA"),
                    ("_csrf", csrf.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), 200);
        let (status, list) = app
            .call(&token, "GET", "/api/v1/users?q=qa.lead.page", None)
            .await;
        assert_eq!(status, 200);
        let grants = &list["items"][0]["grants"];
        assert_eq!(grants.as_array().unwrap().len(), 2, "{grants}");
    }
);
