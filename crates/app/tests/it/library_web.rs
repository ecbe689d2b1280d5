//! The resource library over HTTP: pages (authoring, review, files, ratings, comments,
//! moderation, micro-courses) and the JSON API.

use crate::db_test;
use crate::support::TestApp;
use domain::Page;
use domain::audit::Actor;
use domain::library::{ResourceFilter, ResourceStatus};
use reqwest::Client;
use serde_json::{Value, json};
use store::prelude::*;

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n";

/// Posts a form with the CSRF token; returns status, Location and body.
pub(crate) async fn post(
    app: &TestApp,
    (browser, csrf): &(Client, String),
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", csrf));
    let res = app.post_form(browser, path, &form).await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, res.text().await.unwrap())
}

pub(crate) async fn get(
    app: &TestApp,
    (browser, _): &(Client, String),
    path: &str,
) -> (u16, String) {
    let res = browser.get(app.url(path)).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Creates a course through the form; returns its id.
pub(crate) async fn create_course(app: &TestApp, author: &(Client, String), code: &str) -> i64 {
    let (status, location, body) = post(
        app,
        author,
        "/library",
        &[
            ("code", code),
            ("kind", "document"),
            ("title", &format!("{code} 设备点检手册")),
            ("summary", "点检要点"),
            ("body", "按 **五步法** 点检"),
            ("tier", "core"),
            ("origin", "internal"),
            ("estimated_minutes", "30"),
            ("skills", "OP-EQUIP:2"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    location.strip_prefix("/library/").unwrap().parse().unwrap()
}

pub(crate) async fn upload(
    app: &TestApp,
    (browser, csrf): &(Client, String),
    id: i64,
    name: &str,
    bytes: &'static [u8],
) -> (u16, String) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = browser
        .post(app.url(&format!("/library/{id}/files?_csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

db_test!(review_workflow_through_pages, |app| {
    let author = app.login("instructor").await;
    let reviewer = app.login("reviewer").await;
    let employee = app.login("employee").await;
    assert_eq!(get(&app, &author, "/library/new").await.0, 200);
    let id = create_course(&app, &author, "DOC-CHECK").await;
    let page = format!("/library/{id}");

    // A draft is its author's and the reviewers' only.
    let (status, html) = get(&app, &author, &page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("/decoding?skill=OP-EQUIP"),
        "skills link to the chain"
    );
    assert!(
        html.contains("<strong>五步法</strong>"),
        "the body is Markdown"
    );
    assert_eq!(get(&app, &employee, &page).await.0, 404);
    assert!(
        !get(&app, &employee, "/library")
            .await
            .1
            .contains("DOC-CHECK")
    );
    assert_eq!(get(&app, &reviewer, &page).await.0, 200);

    // The author submits; they cannot approve their own resource.
    let (status, _, _) = post(
        &app,
        &author,
        &format!("{page}/status"),
        &[("status", "in_review")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _, _) = post(
        &app,
        &author,
        &format!("{page}/status"),
        &[("status", "published")],
    )
    .await;
    assert_eq!(status, 403);
    // Sending back needs a reason, naming the field.
    let (status, _, body) = post(
        &app,
        &reviewer,
        &format!("{page}/status"),
        &[("status", "draft")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("comment"), "{body}");
    let (status, _, _) = post(
        &app,
        &reviewer,
        &format!("{page}/status"),
        &[("status", "published")],
    )
    .await;
    assert_eq!(status, 303);

    let (status, html) = get(&app, &employee, &page).await;
    assert_eq!(status, 200);
    assert!(html.contains("DOC-CHECK 设备点检手册"));
    assert!(
        !html.contains("/status\""),
        "learners get no review actions"
    );
    let (_, list) = get(&app, &employee, "/library?kind=document&skill=OP-EQUIP").await;
    assert!(list.contains("DOC-CHECK"), "published resources are listed");
    let detail = app.store.resource_detail(id).await.unwrap();
    assert_eq!(detail.summary.current_version, 1);
    assert!(
        detail.views >= 1,
        "opening a published resource counts a view"
    );
    assert_eq!(
        detail.reviews.len(),
        2,
        "submit and publish; the refused send-back left nothing"
    );

    // A bad filter names its parameter instead of failing.
    let (status, body) = get(&app, &employee, "/library?kind=podcast").await;
    assert_eq!(status, 422);
    assert!(body.contains("kind"), "{body}");
});

db_test!(files_upload_and_ranged_download, |app| {
    let author = app.login("instructor").await;
    let employee = app.login("employee").await;
    let id = create_course(&app, &author, "DOC-FILE").await;
    let (status, body) = upload(&app, &author, id, "点检 手册.pdf", PDF).await;
    assert_eq!(status, 303, "{body}");
    let (status, body) = upload(
        &app,
        &author,
        id,
        "setup.exe",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("not accepted"), "{body}");
    let files = app.store.resource_detail(id).await.unwrap().files;
    assert_eq!(files.len(), 1, "the refused upload left nothing");
    let url = format!("/library/files/{}", files[0].id);

    // Before publication the file is the author's.
    assert_eq!(get(&app, &employee, &url).await.0, 404);
    let res = author.0.get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    assert_eq!(
        res.headers()["content-disposition"],
        "inline; filename*=UTF-8''%E7%82%B9%E6%A3%80%20%E6%89%8B%E5%86%8C.pdf"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    let training = Actor {
        user_id: Some(app.user_id("training").await),
        name: "training".into(),
        ip: None,
    };
    let reviewer = Actor {
        user_id: Some(app.user_id("reviewer").await),
        name: "reviewer".into(),
        ip: None,
    };
    app.store
        .change_status(id, ResourceStatus::InReview, None, &training)
        .await
        .unwrap();
    app.store
        .change_status(id, ResourceStatus::Published, None, &reviewer)
        .await
        .unwrap();

    // Published: learners get it, with ranges for seeking.
    let res = employee
        .0
        .get(app.url(&url))
        .header("range", "bytes=5-7")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 5-7/{}", PDF.len())
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), &PDF[5..8]);
    let res = employee
        .0
        .get(app.url(&url))
        .header("range", "bytes=0-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    let res = employee
        .0
        .get(app.url(&url))
        .header("range", "bytes=9000-9999")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 416);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes */{}", PDF.len())
    );
    // Published files stay: no more uploads to a published version.
    let (status, body) = upload(&app, &author, id, "more.pdf", PDF).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("status"), "{body}");
});

db_test!(ratings_comments_and_moderation, |app| {
    let author = app.login("instructor").await;
    let training = app.login("training").await;
    let employee = app.login("employee").await;
    let reviewer = app.login("reviewer").await;
    let id = create_course(&app, &author, "DOC-TALK").await;
    let page = format!("/library/{id}");
    // Nobody rates or comments on a draft.
    assert_eq!(
        post(&app, &author, &format!("{page}/rate"), &[("stars", "5")])
            .await
            .0,
        422
    );
    post(
        &app,
        &author,
        &format!("{page}/status"),
        &[("status", "in_review")],
    )
    .await;
    post(
        &app,
        &reviewer,
        &format!("{page}/status"),
        &[("status", "published")],
    )
    .await;

    let (status, location, _) =
        post(&app, &employee, &format!("{page}/rate"), &[("stars", "4")]).await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{page}?done=rated").as_str())
    );
    let (status, _, body) = post(&app, &employee, &format!("{page}/rate"), &[("stars", "9")]).await;
    assert_eq!(status, 422);
    assert!(body.contains("stars"), "{body}");
    let summary = app.store.resource_detail(id).await.unwrap().summary;
    assert_eq!((summary.avg_stars, summary.ratings), (Some(4.0), 1));

    let (status, _, body) = post(
        &app,
        &employee,
        &format!("{page}/comments"),
        &[("body", "  ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(body.contains("body"), "{body}");
    let (status, _, _) = post(
        &app,
        &employee,
        &format!("{page}/comments"),
        &[("body", "案例很贴近<b>现场</b>")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get(&app, &employee, &page).await;
    assert!(
        !html.contains("案例很贴近"),
        "a pending comment is not shown"
    );

    assert_eq!(get(&app, &employee, "/library/moderation").await.0, 403);
    let (status, html) = get(&app, &training, "/library/moderation").await;
    assert_eq!(status, 200);
    assert!(html.contains("案例很贴近"), "{html}");
    assert!(!html.contains("<b>现场"), "comments are escaped");
    let pending = app.store.pending_comments(Page::default()).await.unwrap();
    let comment = pending.items[0].id;
    let path = format!("/library/comments/{comment}/moderate");
    assert_eq!(
        post(&app, &employee, &path, &[("status", "visible")])
            .await
            .0,
        403
    );
    let (status, _, body) = post(&app, &training, &path, &[("status", "pending")]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        post(&app, &training, &path, &[("status", "visible")])
            .await
            .0,
        303
    );
    let (_, html) = get(&app, &employee, &page).await;
    assert!(html.contains("案例很贴近"), "a visible comment is shown");

    let (status, _, _) = post(&app, &employee, &format!("{page}/complete"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(app.store.resource_detail(id).await.unwrap().completions, 1);

    // Reports and the author's own feedback.
    let (status, html) = get(&app, &training, "/library/reports?months=3&threshold=2").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        get(&app, &training, "/library/reports?months=99").await.0,
        422
    );
    assert_eq!(get(&app, &author, "/library/reports").await.0, 403);
    assert_eq!(get(&app, &author, "/library/mine").await.0, 200);
});

db_test!(micro_courses_through_pages, |app| {
    let author = app.login("instructor").await;
    let fields = |minutes: &'static str| {
        vec![
            ("code", "MC-SMED"),
            ("title", "快速换模"),
            ("tier", "core"),
            ("origin", "internal"),
            ("estimated_minutes", minutes),
            ("problem", "换模时间长 <script>alert(1)</script>"),
            ("case", "三号线换模 **90 分钟**"),
            ("solution", "SMED 四步"),
            ("skill", "OP-EQUIP"),
            // The main skill is among the skills it develops (the API's rule too).
            ("skills", "OP-EQUIP:1"),
        ]
    };
    assert_eq!(get(&app, &author, "/library/micro/new").await.0, 200);
    let (status, _, body) = post(&app, &author, "/library/micro", &fields("20")).await;
    assert_eq!(status, 422);
    assert!(body.contains("estimated_minutes"), "{body}");
    let none = app
        .store
        .list_resources(&ResourceFilter::default(), Page::default())
        .await
        .unwrap();
    assert!(
        none.items.iter().all(|r| r.code != "MC-SMED"),
        "nothing written"
    );
    let (status, location, body) = post(&app, &author, "/library/micro", &fields("12")).await;
    assert_eq!(status, 303, "{body}");
    let (status, html) = get(&app, &author, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("<strong>90 分钟</strong>"), "{html}");
    assert!(!html.contains("<script>alert"), "raw HTML is escaped");
    // Editing keeps the three parts.
    let (status, html) = get(&app, &author, &format!("{location}/edit")).await;
    assert_eq!(status, 200);
    assert!(html.contains("SMED 四步"));
    let mut changed = fields("8");
    changed[7] = ("solution", "SMED 五步");
    let (status, _, body) = post(&app, &author, &format!("{location}/edit"), &changed).await;
    assert_eq!(status, 303, "{body}");
    let id: i64 = location.strip_prefix("/library/").unwrap().parse().unwrap();
    let detail = app.store.resource_detail(id).await.unwrap();
    assert_eq!(detail.summary.estimated_minutes, 8);
    assert_eq!(detail.micro_course.unwrap().solution, "SMED 五步");
    // Learners cannot author.
    let employee = app.login("employee").await;
    assert_eq!(
        post(&app, &employee, "/library/micro", &fields("12"))
            .await
            .0,
        403
    );
});

db_test!(resources_api, |app| {
    let client = app.client();
    let author = app.token("instructor").await;
    let reviewer = app.token("reviewer").await;
    let employee = app.token("employee").await;
    let res = client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&author)
        .json(&json!({
            "code": "API-1", "kind": "video", "title": "点检视频", "tier": "support",
            "origin": "external", "vendor": "华信", "estimated_minutes": 25,
            "skills": [{"code": "OP-EQUIP", "level": 1}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // A micro-course over 15 minutes is refused naming the field.
    let res = client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&author)
        .json(&json!({
            "code": "API-MC", "kind": "micro_course", "title": "微课", "tier": "core",
            "origin": "internal", "estimated_minutes": 16,
            "problem": "p", "case": "c", "solution": "s"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["field"],
        "estimated_minutes"
    );
    let res = client
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&employee)
        .json(&json!({"code": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let list = |token: String, query: &'static str| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/resources{query}"));
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let mine = list(author.clone(), "?status=draft").await;
    assert_eq!(mine["total"], 1, "{mine}");
    let theirs = list(employee.clone(), "?status=draft").await;
    assert_eq!(theirs["total"], 0, "learners see published resources only");
    let detail = |token: String| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/resources/{id}"));
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(detail(employee.clone()).await.status(), 404);
    let body: Value = detail(author.clone()).await.json().await.unwrap();
    assert_eq!(body["vendor"], "华信");
    assert_eq!(body["skills"][0]["code"], "OP-EQUIP");

    let status = |token: String, body: Value| {
        let client = client.clone();
        let url = app.url(&format!("/api/v1/resources/{id}/status"));
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        status(author.clone(), json!({"status": "in_review"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        status(author.clone(), json!({"status": "published"}))
            .await
            .status(),
        403
    );
    assert_eq!(
        status(employee.clone(), json!({"status": "published"}))
            .await
            .status(),
        404
    );
    let res = status(reviewer.clone(), json!({"status": "draft"})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "comment");
    let res = status(reviewer.clone(), json!({"status": "published"})).await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["to"], "published");
    assert_eq!(moved["current_version"], 1);
    assert_eq!(detail(employee.clone()).await.status(), 200);
    let published = list(employee.clone(), "?kind=video&origin=external").await;
    assert_eq!(published["total"], 1, "{published}");
    let res = client
        .get(app.url("/api/v1/resources?tier=gold"))
        .bearer_auth(&employee)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
});

db_test!(
    full_text_search_finds_chinese_and_stays_current,
    with_library,
    |app| {
        let (browser, csrf) = app.login("employee").await;
        let html = app.page_text(&browser, "/library?q=设备故障排查").await;
        // The troubleshooting micro-course comes first, ahead of the basic course
        // and its video and card that carry the same phrase; every hit is highlighted.
        let rows: Vec<&str> = html.split("<tr>").skip(2).collect();
        assert!(rows.len() >= 3, "{html}");
        assert!(rows[0].contains("液压系统异常"), "{}", rows[0]);
        assert!(rows[0].contains("<mark>设备故障排查</mark>"), "{}", rows[0]);
        assert!(
            rows[1].contains("<mark>设备故障排查</mark>基础"),
            "{}",
            rows[1]
        );
        // Drafts stay out of learners' results; publishing a new resource brings it in.
        let author = app.token("instructor").await;
        let res = app
        .client()
        .post(app.url("/api/v1/resources"))
        .bearer_auth(&author)
        .json(&serde_json::json!({
            "code": "SRCH-1", "kind": "document", "title": "焊接飞溅控制要点", "summary": "减少焊接飞溅的参数调整",
            "body": "", "tier": "core", "origin": "internal", "estimated_minutes": 20
        }))
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let find = |q: &'static str| {
            let browser = browser.clone();
            let url = app.url(&format!("/library?q={q}"));
            async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
        };
        assert!(!find("焊接飞溅").await.contains("SRCH-1"));
        let id = app
            .store
            .list_resources(
                &domain::library::ResourceFilter {
                    q: Some("SRCH-1".into()),
                    ..Default::default()
                },
                domain::Page::default(),
            )
            .await
            .unwrap()
            .items[0]
            .id;
        let reviewer = app.token("reviewer").await;
        for (who, status) in [(&author, "in_review"), (&reviewer, "published")] {
            let res = app
                .client()
                .post(app.url(&format!("/api/v1/resources/{id}/status")))
                .bearer_auth(who)
                .json(&serde_json::json!({ "status": status }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        assert!(find("焊接飞溅").await.contains("SRCH-1"));
        let _ = csrf;
    }
);
