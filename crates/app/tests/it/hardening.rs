//! Account safety and HTTP guards (the hardening issue's findings 2, 7, 8 and 9): each
//! test fails on the code before the fix.

use crate::db_test;
use crate::support::extract_csrf;
use serde_json::json;
use store::prelude::*;

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

db_test!(
    errors_and_calendars_show_nothing_outside_the_callers_view,
    |app| {
        // A manager (scope: PROD1) raising a need for a person elsewhere learns nothing of
        // them: "not found", as their record's own page says, not "nobody in 吕敏 …".
        let manager = app.token("manager").await;
        let outsider = app.active_employees("QA", 1).await.remove(0);
        let skill = app
            .store
            .gap_heatmap(&domain::DataScope::company())
            .await
            .unwrap()
            .remove(0)
            .skill_code;
        let res = app
            .client()
            .post(app.url("/api/v1/training-needs/from-gaps"))
            .bearer_auth(&manager)
            .json(&json!({"skill": skill, "audience": "person", "audience_id": outsider.id}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        let body = res.text().await.unwrap();
        assert!(!body.contains(&outsider.name), "{body}");
        let page = app
            .client()
            .get(app.url(&format!("/api/v1/employees/{}", outsider.id)))
            .bearer_auth(&manager)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404, "the same answer as the record itself");

        // A draft program's booking of a room is not on the room's calendar for employees.
        let training = app.token("training").await;
        let starts = (time::OffsetDateTime::now_utc() + time::Duration::days(400))
            .replace_time(time::Time::from_hms(19, 0, 0).unwrap());
        let at = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap()
        };
        let (status, created) = app
            .call(
                &training,
                "POST",
                "/api/v1/programs",
                Some(
                    json!({"code": "DRAFT-SECRET", "title": "未公布的裁员沟通培训", "hours": 4.0}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let program = created["id"].as_i64().unwrap();
        let (status, body) = app
            .call(
                &training,
                "POST",
                &format!("/api/v1/programs/{program}/sessions"),
                Some(json!({"title": "第一讲", "starts_at": at(starts),
                "ends_at": at(starts + time::Duration::hours(2)),
                "mode": "classroom", "venue_code": "HQ-301"})),
            )
            .await;
        assert!(status == 201 || status == 200, "{body}");
        let venue = app
            .store
            .list_venues()
            .await
            .unwrap()
            .into_iter()
            .find(|v| v.code == "HQ-301")
            .unwrap()
            .id;
        let calendar = format!("/calendar/venues/{venue}.ics");
        let (employee, _) = app.login("employee").await;
        let ics = app.page_text(&employee, &calendar).await;
        assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
        assert!(!ics.contains("未公布的裁员沟通培训"), "{ics}");
        let (staff, _) = app.login("training").await;
        let ics = app.page_text(&staff, &calendar).await;
        assert!(
            ics.contains("未公布的裁员沟通培训"),
            "programme staff see drafts"
        );
    }
);
