//! Account safety and HTTP guards (the hardening issue's findings 2, 7, 8 and 9): each
//! test fails on the code before the fix.

use crate::db_test;
use crate::support::extract_csrf;
use serde_json::json;

db_test!(the_last_system_administrator_cannot_lose_the_role, |app| {
    let token = app.token("admin").await;
    let c = app.client();
    let admin_id = app.user_id("admin").await;
    let revoke = |id: i64, token: String| {
        c.delete(app.url(&format!(
            "/api/v1/users/{id}/grants?role=system_admin&scope=company"
        )))
        .bearer_auth(token)
        .send()
    };
    let res = revoke(admin_id, token.clone()).await.unwrap();
    assert_eq!(res.status(), 409, "the only administrator kept the role");
    let me = app.get_json(&token, "/api/v1/me").await;
    assert!(
        me["grants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "system_admin"),
        "{me}"
    );
    // With a second administrator the grant can go, and then the second one is the last.
    let res = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"username": "second.admin", "display_name": "第二管理员",
            "password": "correct horse battery", "grants": [{"role": "system_admin", "scope": "company"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let second: serde_json::Value = res.json().await.unwrap();
    let second_id = second["id"].as_i64().unwrap();
    assert_eq!(revoke(admin_id, token.clone()).await.unwrap().status(), 200);
    let second_token = app.token("second.admin").await;
    assert_eq!(
        revoke(second_id, second_token.clone())
            .await
            .unwrap()
            .status(),
        409
    );
    // Nor can the last administrator be disabled by anyone.
    let res = c
        .post(app.url(&format!("/api/v1/users/{admin_id}/grants")))
        .bearer_auth(&second_token)
        .json(&json!({"role": "system_admin", "scope": "company"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disable = |id: i64, token: String| {
        c.post(app.url(&format!("/api/v1/users/{id}/disable")))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        disable(second_id, token.clone()).await.unwrap().status(),
        204
    );
    let other = app.token("training").await;
    assert_eq!(
        disable(admin_id, other).await.unwrap().status(),
        403,
        "only account managers disable accounts"
    );
    let refused = app.audit("role.revoke").await;
    assert_eq!(
        refused.total, 1,
        "the refused revocations left no audit entry"
    );
});

db_test!(
    usernames_are_case_insensitive_and_passwords_must_be_strong,
    |app| {
        let token = app.token("admin").await;
        let c = app.client();
        let create = |username: &str, password: &str| {
            c.post(app.url("/api/v1/users"))
                .bearer_auth(&token)
                .json(&json!({"username": username, "display_name": "张三",
                "password": password, "grants": []}))
                .send()
        };
        let res = create("ADMIN", "correct horse battery").await.unwrap();
        assert_eq!(res.status(), 409, "ADMIN is admin");
        let huge = "x".repeat(100_000);
        let spaces = " ".repeat(10);
        for weak in ["1234567890", "aaaaaaaaaa", spaces.as_str(), huge.as_str()] {
            let res = create("zhang.san", weak).await.unwrap();
            assert_eq!(res.status(), 422, "{:.12} was accepted", weak);
            let problem: serde_json::Value = res.json().await.unwrap();
            assert_eq!(problem["field"], "password", "{problem}");
        }
        let list = app.get_json(&token, "/api/v1/users?q=zhang.san").await;
        assert_eq!(list["total"], 0, "nothing half-written");
        // Signing in is case-insensitive too.
        let browser = app.browser();
        let csrf = extract_csrf(&app.page_text(&browser, "/login").await);
        let res = browser
            .post(app.url("/login"))
            .form(&[
                ("username", "Manager"),
                ("password", demo::DEMO_PASSWORD),
                ("_csrf", csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
    }
);

db_test!(
    a_password_change_is_throttled_and_revokes_api_tokens,
    |app| {
        let c = app.client();
        let call_me = |token: String| c.get(app.url("/api/v1/me")).bearer_auth(token).send();
        let kept = app.token("reviewer").await;
        let change = |token: String, current: &'static str, keep: bool| {
            c.post(app.url("/api/v1/me/password"))
                .bearer_auth(token)
                .json(&json!({"current_password": current,
                "new_password": "a brand new password", "keep_tokens": keep}))
                .send()
        };
        // Keeping the tokens keeps them.
        let res = change(kept.clone(), demo::DEMO_PASSWORD, true)
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(call_me(kept.clone()).await.unwrap().status(), 200);
        // By default a change revokes every API token of the account.
        let other = app.token("reviewer").await;
        let res = c
            .post(app.url("/api/v1/me/password"))
            .bearer_auth(&other)
            .json(&json!({"current_password": "a brand new password",
            "new_password": "another fresh passphrase"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(call_me(kept).await.unwrap().status(), 401);
        assert_eq!(call_me(other).await.unwrap().status(), 401);
        // Guessing the current password is throttled like signing in.
        let token = app.token("instructor").await;
        for _ in 0..5 {
            let res = change(token.clone(), "not the password", false)
                .await
                .unwrap();
            assert_eq!(res.status(), 422);
        }
        let res = change(token.clone(), demo::DEMO_PASSWORD, false)
            .await
            .unwrap();
        assert_eq!(res.status(), 429);
        assert!(res.headers().contains_key("retry-after"));
    }
);

db_test!(pages_carry_security_headers_and_stay_on_site, |app| {
    let (browser, csrf) = app.login("employee").await;
    let res = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let res = browser
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["cache-control"], "no-store");
    for evil in ["/\\evil.example", "//evil.example", "https://evil.example"] {
        let res = browser
            .post(app.url("/lang"))
            .form(&[("lang", "en"), ("back", evil), ("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/", "{evil}");
    }
});
