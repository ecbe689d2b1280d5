//! The HTTP surface: health, metrics, request ids, error formats, limits, languages.

use crate::db_test;

db_test!(health_ready_and_metrics, |app| {
    let c = app.client();
    let health = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        health.headers().contains_key("x-request-id"),
        "every response carries a request id"
    );
    let ready = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let metrics = app.page_text(&c, "/metrics").await;
    assert!(
        metrics.contains(
            "skillbridge_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("skillbridge_http_request_duration_seconds_count"));
});

db_test!(unknown_routes_answer_in_the_callers_format, |app| {
    let c = app.client();
    let api = c.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let request_id = api.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["status"], 404);
    assert_eq!(
        body["request_id"],
        request_id.as_str(),
        "the problem quotes the request id"
    );
    let page = c.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("页面不存在"));
});

db_test!(malformed_json_is_a_400_that_says_why, |app| {
    let token = app.token("admin").await;
    let c = app.client();
    let res = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"username\": \"x\",")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("eof"),
        "{body}"
    );
    let wrong_type = c
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"username": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 422);
    let body: serde_json::Value = wrong_type.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("username"),
        "{body}"
    );
});

db_test!(oversized_bodies_are_refused, |app| {
    let token = app.token("admin").await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let res = app
        .client()
        .post(app.url("/api/v1/me/tokens"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
});

db_test!(api_requires_a_valid_token, |app| {
    let c = app.client();
    let none = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["content-type"], "application/problem+json");
    let wrong = c
        .get(app.url("/api/v1/me"))
        .bearer_auth("sb_not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
});

db_test!(
    pages_speak_chinese_by_default_and_english_on_request,
    |app| {
        let (browser, csrf) = app.login("admin").await;
        let zh = app.page_text(&browser, "/").await;
        assert!(zh.contains("各部门在职人数"), "Chinese by default");
        let en = browser
            .get(app.url("/"))
            .header("accept-language", "en-US,en;q=0.9")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(en.contains("Head count by department"), "browser language");
        // The user's choice beats the browser's language.
        let res = app
            .post_form(
                &browser,
                "/lang",
                &[("lang", "zh-CN"), ("back", "/"), ("_csrf", csrf.as_str())],
            )
            .await;
        assert_eq!(res.status(), 303);
        let chosen = browser
            .get(app.url("/"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(chosen.contains("各部门在职人数"));
        let login_en = app
            .client()
            .get(app.url("/login"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(login_en.contains("Sign in"));
    }
);

db_test!(assets_are_served_from_the_binary, |app| {
    let c = app.client();
    let css = c.get(app.url("/assets/app.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert_eq!(app.page_status(&c, "/assets/missing.js").await, 404);
    let docs = app.page_text(&c, "/api/docs").await;
    assert!(
        docs.contains("/api/v1/employees"),
        "the API page lists the operations"
    );
    assert!(
        !docs.contains("src=\"http"),
        "the API page loads nothing from elsewhere"
    );
});

db_test!(
    page_errors_speak_the_callers_language_and_a_non_numeric_id_is_not_found,
    |app| {
        let (browser, _) = app.login("employee").await;
        for (lang, not_found, forbidden) in [
            (
                "en",
                "This page does not exist.",
                "You do not have permission to see this.",
            ),
            ("zh-CN", "页面不存在。", "您没有权限访问此内容。"),
        ] {
            // The path id extractor: a word where a number belongs is "not found".
            let page = browser
                .get(app.url("/exams/not-a-number/edit"))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 404, "{lang}");
            let html = page.text().await.unwrap();
            assert!(html.contains(not_found), "{lang}: {html}");
            // A use case's refusal, turned into the page's error by `?`.
            let page = browser
                .get(app.url("/exams/questions"))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), 403, "{lang}");
            let html = page.text().await.unwrap();
            assert!(html.contains(forbidden), "{lang}: {html}");
        }
    }
);
