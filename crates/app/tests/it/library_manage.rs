//! The library's management surfaces over HTTP: tag vocabularies, scenario packs, old
//! versions, file deletion, streamed downloads, form errors that keep the input, and
//! the JSON API for updates, micro-courses, ratings and comments.

use crate::db_test;
use crate::library_web::{PDF, create_course, get, post, upload};
use crate::support::TestApp;
use domain::audit::Actor;
use domain::library::{ResourceStatus, TagKind};
use serde_json::{Value, json};
use store::prelude::*;

async fn actor(app: &TestApp, name: &str) -> Actor {
    Actor {
        user_id: Some(app.user_id(name).await),
        name: name.into(),
        ip: None,
    }
}

/// Submits (as training, a library manager) and publishes (as the reviewer).
async fn publish(app: &TestApp, id: i64) {
    let training = actor(app, "training").await;
    app.store
        .change_status(id, ResourceStatus::InReview, None, &training)
        .await
        .unwrap();
    app.store
        .change_status(
            id,
            ResourceStatus::Published,
            None,
            &actor(app, "reviewer").await,
        )
        .await
        .unwrap();
}

/// A JSON request with a bearer token; returns status and body (null when empty).
async fn api(
    app: &TestApp,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.call(token, method.as_str(), path, body).await
}

db_test!(tag_vocabularies_through_pages_and_api, |app| {
    use reqwest::Method;
    let training = app.login("training").await;
    let employee = app.login("employee").await;
    assert_eq!(get(&app, &employee, "/library/tags").await.0, 403);
    let (status, html) = get(&app, &training, "/library/tags").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("业务线") && html.contains("业务场景"),
        "{html}"
    );

    let (status, location, _) = post(
        &app,
        &training,
        "/library/tags",
        &[("kind", "scenario"), ("value", "设备点检")],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/library/tags?done=created")
    );
    let count = |app: &TestApp| {
        let store = app.store.clone();
        async move { store.list_tags(None, true).await.unwrap().len() }
    };
    let before = count(&app).await;
    // Empty and duplicate values are refused naming the field; the form keeps the input.
    let (status, _, html) = post(
        &app,
        &training,
        "/library/tags",
        &[("kind", "task_type"), ("value", "  ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("(value): is required"), "{html}");
    assert!(
        html.contains("<option value=\"task_type\" selected>"),
        "the chosen kind stays selected"
    );
    let (status, _, html) = post(
        &app,
        &training,
        "/library/tags",
        &[("kind", "scenario"), ("value", "设备点检")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("(value):") && html.contains("is already a scenario tag"),
        "{html}"
    );
    assert!(html.contains("value=\"设备点检\""), "{html}");
    assert_eq!(count(&app).await, before, "nothing written");

    // A published resource carries the tag; renaming re-indexes it under the new value.
    let tag = app
        .store
        .list_tags(Some(TagKind::Scenario), true)
        .await
        .unwrap()[0]
        .tag
        .id;
    let author = app.login("instructor").await;
    let id = create_course(&app, &author, "DOC-TAGGED").await;
    let mut detail = app.store.resource_detail(id).await.unwrap();
    let input = domain::library::ResourceInput {
        code: "DOC-TAGGED".into(),
        kind: detail.summary.kind,
        title: "点检标签资源".into(),
        summary: String::new(),
        body: std::mem::take(&mut detail.body),
        tier: detail.summary.tier,
        origin: detail.summary.origin,
        vendor: None,
        owner_user_id: None,
        estimated_minutes: 30,
        tags: vec![domain::library::TagRef::Id(tag)],
        skills: vec![],
        positions: vec![],
    };
    app.store
        .update_resource(id, &input, &actor(&app, "instructor").await)
        .await
        .unwrap();
    publish(&app, id).await;
    service::library::reindex_resource(app.state(), id)
        .await
        .unwrap();
    let (status, _, _) = post(
        &app,
        &training,
        &format!("/library/tags/{tag}"),
        &[("value", "点检作业"), ("active", "on")],
    )
    .await;
    assert_eq!(status, 303);
    let token = app.token("employee").await;
    let (_, found) = api(
        &app,
        Method::GET,
        &token,
        "/api/v1/resources?q=点检标签资源&tag=scenario:点检作业",
        None,
    )
    .await;
    assert_eq!(found["total"], 1, "the index knows the new value: {found}");
    // A rename onto a taken value keeps what was typed in that row.
    post(
        &app,
        &training,
        "/library/tags",
        &[("kind", "scenario"), ("value", "异常上报")],
    )
    .await;
    let (status, _, html) = post(
        &app,
        &training,
        &format!("/library/tags/{tag}"),
        &[("value", "异常上报"), ("active", "on")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("(value):"), "{html}");
    assert_eq!(
        app.store
            .list_tags(Some(TagKind::Scenario), true)
            .await
            .unwrap()
            .iter()
            .find(|e| e.tag.id == tag)
            .unwrap()
            .tag
            .value,
        "点检作业"
    );

    // Removing a tag in use deactivates it and says so; an unused one is deleted.
    let (status, location, _) =
        post(&app, &training, &format!("/library/tags/{tag}/delete"), &[]).await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/library/tags?done=deactivated&uses=1")
    );
    let (_, html) = get(&app, &training, &location).await;
    assert!(html.contains("仍被 1 项资源使用"), "{html}");
    let entry = app
        .store
        .list_tags(Some(TagKind::Scenario), true)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.tag.id == tag)
        .unwrap();
    assert!(!entry.tag.active && entry.uses == 1);

    // The API: managers write, everyone reads.
    let manager = app.token("training").await;
    let (status, body) = api(
        &app,
        Method::POST,
        &manager,
        "/api/v1/tags",
        Some(json!({"kind": "business_line", "value": ""})),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("value")));
    let (status, body) = api(
        &app,
        Method::POST,
        &manager,
        "/api/v1/tags",
        Some(json!({"kind": "business_line", "value": "总装"})),
    )
    .await;
    assert_eq!(status, 201);
    let line = body["id"].as_i64().unwrap();
    let (status, body) = api(
        &app,
        Method::POST,
        &manager,
        "/api/v1/tags",
        Some(json!({"kind": "business_line", "value": "总装"})),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("value")));
    let (status, _) = api(
        &app,
        Method::POST,
        &token,
        "/api/v1/tags",
        Some(json!({"kind": "business_line", "value": "涂装"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, list) = api(
        &app,
        Method::GET,
        &token,
        "/api/v1/tags?kind=business_line",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["value"], "总装", "{list}");
    let (status, _) = api(
        &app,
        Method::PUT,
        &manager,
        &format!("/api/v1/tags/{line}"),
        Some(json!({"value": "总装线", "active": false})),
    )
    .await;
    assert_eq!(status, 204);
    let (_, list) = api(
        &app,
        Method::GET,
        &token,
        "/api/v1/tags?kind=business_line",
        None,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        0,
        "inactive values are left out"
    );
    let (_, list) = api(
        &app,
        Method::GET,
        &token,
        "/api/v1/tags?kind=business_line&include_inactive=true",
        None,
    )
    .await;
    assert_eq!(
        (list[0]["value"].as_str(), list[0]["active"].as_bool()),
        (Some("总装线"), Some(false))
    );
    let (status, body) = api(
        &app,
        Method::DELETE,
        &manager,
        &format!("/api/v1/tags/{line}"),
        None,
    )
    .await;
    assert_eq!((status, body["outcome"].as_str()), (200, Some("deleted")));
    let (status, body) = api(
        &app,
        Method::DELETE,
        &manager,
        &format!("/api/v1/tags/{tag}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["outcome"].as_str(), body["uses"].as_i64()),
        (200, Some("deactivated"), Some(1))
    );
    let (status, _) = api(
        &app,
        Method::DELETE,
        &manager,
        &format!("/api/v1/tags/{line}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
});

db_test!(scenario_packs_through_pages_and_api, |app| {
    use reqwest::Method;
    let training = app.login("training").await;
    let author = app.login("instructor").await;
    let employee = app.login("employee").await;
    let public = create_course(&app, &training, "DOC-PUB").await;
    publish(&app, public).await;
    let draft = create_course(&app, &author, "DOC-DRAFT").await;

    assert_eq!(get(&app, &employee, "/library/packs/new").await.0, 403);
    assert_eq!(
        post(&app, &employee, "/library/packs", &[("code", "PK-X")])
            .await
            .0,
        403
    );
    // Mistakes name the field and keep what was typed; nothing is written.
    let (status, _, html) = post(
        &app,
        &training,
        "/library/packs",
        &[
            ("code", "PK-CHECK"),
            ("name", ""),
            ("scenario_step", "设备点检 → 异常上报"),
            ("resources", "DOC-PUB\nDOC-DRAFT"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("(name): is required"), "{html}");
    assert!(html.contains("value=\"PK-CHECK\""), "{html}");
    assert!(html.contains("设备点检 → 异常上报"), "{html}");
    let (status, _, html) = post(
        &app,
        &training,
        "/library/packs",
        &[
            ("code", "PK-CHECK"),
            ("name", "点检资源包"),
            ("scenario_step", "设备点检"),
            ("resources", "DOC-PUB\nDOC-NONE"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("(resources): no resource has the code") && html.contains("DOC-NONE"),
        "{html}"
    );
    assert!(app.store.list_packs().await.unwrap().is_empty());

    let (status, location, _) = post(
        &app,
        &training,
        "/library/packs",
        &[
            ("code", "PK-CHECK"),
            ("name", "点检资源包"),
            ("scenario_step", "设备点检 → 异常上报"),
            ("resources", "DOC-PUB\nDOC-DRAFT"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let pack: i64 = location.rsplit('/').next().unwrap().parse().unwrap();

    // Learners see the published resource only; staff and the draft's author see both.
    let (status, html) = get(&app, &employee, &location).await;
    assert_eq!(status, 200);
    assert!(html.contains("DOC-PUB 设备点检手册"), "{html}");
    assert!(
        !html.contains("DOC-DRAFT"),
        "a learner does not see drafts in a pack"
    );
    assert!(!html.contains("/edit"), "learners get no edit link");
    for who in [&training, &author] {
        let (_, html) = get(&app, who, &location).await;
        assert!(html.contains("DOC-DRAFT 设备点检手册"), "{html}");
    }
    let (_, html) = get(&app, &training, &location).await;
    assert!(html.contains("data-confirm"), "deleting asks first");
    let (_, list) = get(&app, &employee, "/library/packs").await;
    assert!(list.contains("点检资源包"), "{list}");
    assert!(
        get(&app, &employee, "/library")
            .await
            .1
            .contains("href=\"/library/packs\""),
        "the library links its packs"
    );
    let (_, html) = get(&app, &employee, &format!("/library/{public}")).await;
    assert!(
        html.contains(&format!("href=\"/library/packs/{pack}\"")),
        "a resource shows its packs"
    );

    // Editing reorders.
    let (status, _, _) = post(
        &app,
        &training,
        &format!("/library/packs/{pack}/edit"),
        &[
            ("code", "PK-CHECK"),
            ("name", "点检资源包"),
            ("scenario_step", "设备点检"),
            ("resources", "DOC-DRAFT, DOC-PUB"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let stored = app.store.pack(pack).await.unwrap();
    assert_eq!(stored.items[0].resource_id, draft);
    let (status, html) = get(&app, &training, &format!("/library/packs/{pack}/edit")).await;
    assert_eq!(status, 200);
    assert!(html.contains("DOC-DRAFT\nDOC-PUB"), "{html}");

    // The API: the same visibility, managers write.
    let manager = app.token("training").await;
    let learner = app.token("employee").await;
    let (status, body) = api(
        &app,
        Method::GET,
        &learner,
        &format!("/api/v1/scenario-packs/{pack}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{body}");
    assert_eq!(items[0]["code"], "DOC-PUB");
    assert_eq!(items[0]["position"], 2, "positions stay as stored");
    let (_, body) = api(&app, Method::GET, &manager, "/api/v1/scenario-packs", None).await;
    assert_eq!(body[0]["items"].as_array().unwrap().len(), 2);
    let pack_body = json!({"code": "PK-API", "name": "接口资源包", "scenario_step": "换型", "resources": ["DOC-PUB"]});
    let (status, _) = api(
        &app,
        Method::POST,
        &learner,
        "/api/v1/scenario-packs",
        Some(pack_body.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = api(
        &app,
        Method::POST,
        &manager,
        "/api/v1/scenario-packs",
        Some(pack_body.clone()),
    )
    .await;
    assert_eq!(status, 201);
    let api_pack = body["id"].as_i64().unwrap();
    let (status, body) = api(
        &app,
        Method::POST,
        &manager,
        "/api/v1/scenario-packs",
        Some(pack_body),
    )
    .await;
    assert_eq!((status, body["field"].as_str()), (422, Some("code")));
    let (status, body) = api(
        &app,
        Method::PUT,
        &manager,
        &format!("/api/v1/scenario-packs/{api_pack}"),
        Some(json!({"code": "PK-API", "name": "换型资源包", "scenario_step": "换型", "resources": ["DOC-PUB", "DOC-DRAFT"]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "换型资源包");
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    let (status, _) = api(
        &app,
        Method::DELETE,
        &manager,
        &format!("/api/v1/scenario-packs/{api_pack}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = api(
        &app,
        Method::GET,
        &learner,
        &format!("/api/v1/scenario-packs/{api_pack}"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Deleting through the page keeps the resources.
    let (status, location, _) = post(
        &app,
        &training,
        &format!("/library/packs/{pack}/delete"),
        &[],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/library/packs?done=deleted")
    );
    assert!(app.store.list_packs().await.unwrap().is_empty());
    assert!(app.store.resource_detail(draft).await.is_ok());
    assert_eq!(
        get(&app, &employee, &format!("/library/packs/{pack}"))
            .await
            .0,
        404
    );
});

db_test!(old_versions_stay_readable, |app| {
    use reqwest::Method;
    let author = app.token("instructor").await;
    let reviewer = app.token("reviewer").await;
    let learner = app.token("employee").await;
    let micro = |title: &str, solution: &str| {
        json!({
            "code": "MC-SMED", "title": title, "tier": "core", "origin": "internal",
            "estimated_minutes": 12, "skills": [{"code": "OP-EQUIP", "level": 1}],
            "problem": "换模时间长", "case": "三号线换模 90 分钟", "solution": solution,
            "skill_code": "OP-EQUIP"
        })
    };
    let (status, body) = api(
        &app,
        Method::POST,
        &author,
        "/api/v1/micro-courses",
        Some(micro("快速换模", "SMED **四步**")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let move_to = |token: String, to: &'static str| {
        let app = &app;
        async move {
            let (status, body) = api(
                app,
                Method::POST,
                &token,
                &format!("/api/v1/resources/{id}/status"),
                Some(json!({"status": to})),
            )
            .await;
            assert_eq!(status, 200, "{to}: {body}");
        }
    };
    move_to(author.clone(), "in_review").await;
    move_to(reviewer.clone(), "published").await;
    // A new version with a new title and method.
    move_to(author.clone(), "in_review").await;
    let (status, body) = api(
        &app,
        Method::PUT,
        &author,
        &format!("/api/v1/micro-courses/{id}"),
        Some(micro("快速换模（第二版）", "SMED 五步")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    move_to(reviewer.clone(), "published").await;

    let employee = app.login("employee").await;
    let (status, html) = get(&app, &employee, &format!("/library/{id}/versions/1")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<h1>快速换模 <span class=\"tag\">v1</span></h1>"),
        "{html}"
    );
    assert!(
        html.contains("<strong>四步</strong>"),
        "the old method as Markdown: {html}"
    );
    assert!(!html.contains("五步"), "{html}");
    let (_, html) = get(&app, &employee, &format!("/library/{id}/versions/2")).await;
    assert!(
        html.contains("快速换模（第二版）") && html.contains("SMED 五步"),
        "{html}"
    );
    let (_, html) = get(&app, &employee, &format!("/library/{id}")).await;
    assert!(
        html.contains(&format!("href=\"/library/{id}/versions/1\"")),
        "the history links old versions"
    );
    assert_eq!(
        get(&app, &employee, &format!("/library/{id}/versions/3"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(&app, &employee, &format!("/library/{id}/versions/x"))
            .await
            .0,
        404
    );

    let (status, body) = api(
        &app,
        Method::GET,
        &learner,
        &format!("/api/v1/resources/{id}/versions/1"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["title"], "快速换模");
    assert_eq!(body["snapshot"]["code"], "MC-SMED");
    assert_eq!(
        body["snapshot"]["micro_course"]["solution"],
        "SMED **四步**"
    );
    assert_eq!(body["snapshot"]["skills"][0]["code"], "OP-EQUIP");
    assert!(
        body["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["to_status"] == "published")
    );

    // A draft's versions are as hidden as the draft.
    let draft = create_course(&app, &app.login("instructor").await, "DOC-HIDDEN").await;
    let (status, _) = api(
        &app,
        Method::GET,
        &learner,
        &format!("/api/v1/resources/{draft}/versions/1"),
        None,
    )
    .await;
    assert_eq!(status, 404);
});

db_test!(deleting_files_removes_row_and_bytes, |app| {
    use reqwest::Method;
    let author = app.login("instructor").await;
    let reviewer = app.login("reviewer").await;
    let employee = app.login("employee").await;
    let id = create_course(&app, &author, "DOC-FILES").await;
    let (status, _) = upload(&app, &author, id, "手册.pdf", PDF).await;
    assert_eq!(status, 303);
    let file = app.store.resource_detail(id).await.unwrap().files[0].clone();
    let key = files::FileKey::parse(&file.storage_key).unwrap();
    let (_, html) = get(&app, &author, &format!("/library/{id}")).await;
    assert!(
        html.contains(&format!(
            "action=\"/library/files/{}/delete\" class=\"inline\" data-confirm=",
            file.id
        )),
        "editors get a delete button that asks first: {html}"
    );
    let (_, html) = get(&app, &reviewer, &format!("/library/{id}")).await;
    assert!(
        !html.contains("/delete\""),
        "no button for who may not edit"
    );
    let path = format!("/library/files/{}/delete", file.id);
    assert_eq!(post(&app, &employee, &path, &[]).await.0, 404);
    assert_eq!(post(&app, &reviewer, &path, &[]).await.0, 403);
    let (status, location, _) = post(&app, &author, &path, &[]).await;
    assert_eq!(
        (status, location),
        (303, format!("/library/{id}?done=file_deleted"))
    );
    assert!(
        app.store
            .resource_detail(id)
            .await
            .unwrap()
            .files
            .is_empty()
    );
    assert!(
        matches!(
            app.state().files.get(&key).await,
            Err(files::FileError::NotFound(_))
        ),
        "the bytes are gone"
    );
    assert_eq!(post(&app, &author, &path, &[]).await.0, 404);

    // Through the API: the same checks as the page's upload.
    let token = app.token("instructor").await;
    let send = |bytes: Vec<u8>, name: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            let res = app
                .client()
                .post(app.url(&format!("/api/v1/resources/{id}/files")))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send(
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec(),
        "a.exe",
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("file")),
        "{body}"
    );
    assert!(body["detail"].as_str().unwrap().contains("not accepted"));
    let (status, body) = send(PDF.to_vec(), "规程.pdf").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content_type"], "application/pdf");
    assert_eq!(body["original_name"], "规程.pdf");
    let api_file = body["id"].as_i64().unwrap();
    assert_eq!(app.store.resource_detail(id).await.unwrap().files.len(), 1);
    let reviewer_token = app.token("reviewer").await;
    let (status, _) = api(
        &app,
        Method::DELETE,
        &reviewer_token,
        &format!("/api/v1/resources/{id}/files/{api_file}"),
        None,
    )
    .await;
    assert_eq!(status, 403);

    // Published, the file stays; the next version's copy shares its bytes.
    publish(&app, id).await;
    let (status, body) = api(
        &app,
        Method::DELETE,
        &token,
        &format!("/api/v1/resources/{id}/files/{api_file}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("file")),
        "{body}"
    );
    let training = actor(&app, "training").await;
    app.store
        .change_status(id, ResourceStatus::InReview, None, &training)
        .await
        .unwrap();
    let files_now = app.store.resource_detail(id).await.unwrap().files;
    assert_eq!(files_now.len(), 2, "carried over to version 2");
    let copy = files_now.iter().find(|f| f.version == 2).unwrap();
    let (status, body) = api(
        &app,
        Method::DELETE,
        &token,
        &format!("/api/v1/resources/{id}/files/{}", copy.id),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let left = app.store.resource_detail(id).await.unwrap().files;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].version, 1);
    let kept = files::FileKey::parse(&left[0].storage_key).unwrap();
    assert_eq!(
        app.state().files.get(&kept).await.unwrap().as_ref(),
        PDF,
        "version 1 keeps its bytes"
    );
    let (status, body) = api(
        &app,
        Method::DELETE,
        &token,
        &format!("/api/v1/resources/{id}/files/{}", left[0].id),
        None,
    )
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("file")),
        "{body}"
    );
});

db_test!(full_downloads_stream_the_whole_file, |app| {
    let author = app.login("instructor").await;
    let id = create_course(&app, &author, "DOC-BIG").await;
    // Six MiB: a PDF header, then bytes that do not repeat in short cycles.
    let mut big = b"%PDF-1.7\n".to_vec();
    let mut x: u32 = 2_463_534_242;
    while big.len() < 6 * 1024 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big.extend_from_slice(&x.to_le_bytes());
    }
    let token = app.token("instructor").await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(big.clone()).file_name("大文件.pdf"),
    );
    let res = app
        .client()
        .post(app.url(&format!("/api/v1/resources/{id}/files")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let file: Value = res.json().await.unwrap();
    assert_eq!(file["size_bytes"], big.len() as i64);
    let url = app.url(file["download_path"].as_str().unwrap());

    let res = author.0.get(&url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-length"], big.len().to_string().as_str());
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(
        h["content-disposition"],
        "inline; filename*=UTF-8''%E5%A4%A7%E6%96%87%E4%BB%B6.pdf"
    );
    let body = res.bytes().await.unwrap();
    assert_eq!(body.len(), big.len());
    assert!(
        body.as_ref() == big.as_slice(),
        "the streamed bytes equal the upload"
    );

    let res = author
        .0
        .get(&url)
        .header("range", "bytes=3000000-3000099")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 3000000-3000099/{}", big.len())
    );
    assert_eq!(res.headers()["content-length"], "100");
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        &big[3_000_000..3_000_100]
    );
    let res = author
        .0
        .get(&url)
        .header("range", "bytes=-16")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap().as_ref(), &big[big.len() - 16..]);
});

db_test!(form_errors_keep_what_was_typed, |app| {
    let author = app.login("instructor").await;
    let (status, _, html) = post(
        &app,
        &author,
        "/library",
        &[
            ("code", "KEEP-1"),
            ("kind", "video"),
            ("title", "  "),
            ("summary", "保留我的摘要"),
            ("tier", "support"),
            ("origin", "internal"),
            ("estimated_minutes", "30"),
            ("skills", "OP-EQUIP:2"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains("标题 (title): is required"), "{html}");
    assert!(
        html.contains("value=\"KEEP-1\"") && html.contains("保留我的摘要"),
        "{html}"
    );
    assert!(html.contains("<option value=\"video\" selected>"), "{html}");
    assert!(html.contains("OP-EQUIP:2"), "{html}");
    // An unknown skill is caught by the store: the same page, naming the field.
    let (status, _, html) = post(
        &app,
        &author,
        "/library",
        &[
            ("code", "KEEP-1"),
            ("kind", "video"),
            ("title", "保留"),
            ("tier", "support"),
            ("estimated_minutes", "30"),
            ("skills", "NO-SUCH:1"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("(skills): no skill has the code"), "{html}");
    let (status, _, html) = post(
        &app,
        &author,
        "/library/micro",
        &[
            ("code", "KEEP-MC"),
            ("title", "换模微课"),
            ("tier", "core"),
            ("estimated_minutes", "20"),
            ("problem", "换模慢的问题"),
            ("case", "三号线案例"),
            ("solution", "四步法"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("(estimated_minutes)"), "{html}");
    assert!(
        html.contains("换模慢的问题") && html.contains("三号线案例") && html.contains("四步法")
    );
    assert!(html.contains("action=\"/library/micro\""), "{html}");
    assert!(
        app.store
            .list_resources(&Default::default(), domain::Page::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "nothing written"
    );
    // Editing: the typed values come back, the stored resource is unchanged.
    let id = create_course(&app, &author, "KEEP-2").await;
    let (status, _, html) = post(
        &app,
        &author,
        &format!("/library/{id}/edit"),
        &[
            ("code", "KEEP-2"),
            ("kind", "document"),
            ("title", "改过的标题"),
            ("tier", "core"),
            ("estimated_minutes", "半小时"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("(estimated_minutes): must be a whole number"),
        "{html}"
    );
    assert!(
        html.contains("改过的标题") && html.contains("value=\"半小时\""),
        "{html}"
    );
    assert!(
        html.contains(&format!("action=\"/library/{id}/edit\"")),
        "{html}"
    );
    assert_eq!(
        app.store.resource_detail(id).await.unwrap().summary.title,
        "KEEP-2 设备点检手册"
    );
});

db_test!(api_updates_ratings_and_comments, |app| {
    use reqwest::Method;
    let author = app.token("instructor").await;
    let reviewer = app.token("reviewer").await;
    let learner = app.token("employee").await;
    let page = app.login("instructor").await;
    let id = create_course(&app, &page, "DOC-API").await;
    let body = |title: &str| {
        json!({
            "code": "DOC-API", "kind": "document", "title": title, "summary": "点检要点",
            "tier": "core", "origin": "internal", "estimated_minutes": 40,
            "skills": [{"code": "OP-EQUIP", "level": 2}]
        })
    };
    let path = format!("/api/v1/resources/{id}");
    let (status, _) = api(&app, Method::PUT, &learner, &path, Some(body("x"))).await;
    assert_eq!(status, 404);
    let (status, _) = api(&app, Method::PUT, &reviewer, &path, Some(body("x"))).await;
    assert_eq!(status, 403);
    let (status, problem) = api(&app, Method::PUT, &author, &path, Some(body(""))).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("title")));
    let (status, updated) = api(
        &app,
        Method::PUT,
        &author,
        &path,
        Some(body("焊接飞溅控制规程")),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (
            updated["title"].as_str(),
            updated["estimated_minutes"].as_i64()
        ),
        (Some("焊接飞溅控制规程"), Some(40))
    );
    // The search index follows the change.
    let (_, found) = api(
        &app,
        Method::GET,
        &author,
        "/api/v1/resources?q=焊接飞溅&status=draft",
        None,
    )
    .await;
    assert_eq!(found["total"], 1, "{found}");

    // Micro-courses: at most 15 minutes, all three parts; a document is not one.
    let micro = json!({
        "code": "MC-API", "title": "点检微课", "tier": "core", "origin": "internal",
        "estimated_minutes": 16, "problem": "漏检", "case": "案例", "solution": "方法"
    });
    let (status, problem) = api(
        &app,
        Method::POST,
        &author,
        "/api/v1/micro-courses",
        Some(micro.clone()),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("estimated_minutes"))
    );
    let mut no_case = micro.clone();
    no_case["estimated_minutes"] = json!(10);
    no_case["case"] = json!(" ");
    let (status, problem) = api(
        &app,
        Method::POST,
        &author,
        "/api/v1/micro-courses",
        Some(no_case),
    )
    .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("case")));
    let (status, _) = api(
        &app,
        Method::POST,
        &learner,
        "/api/v1/micro-courses",
        Some(micro.clone()),
    )
    .await;
    assert_eq!(status, 403);
    let mut ok = micro.clone();
    ok["estimated_minutes"] = json!(10);
    let (status, created) = api(
        &app,
        Method::POST,
        &author,
        "/api/v1/micro-courses",
        Some(ok.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let mc = created["id"].as_i64().unwrap();
    let detail = app.store.resource_detail(mc).await.unwrap();
    assert_eq!(
        detail.summary.kind,
        domain::library::ResourceKind::MicroCourse
    );
    assert_eq!(detail.micro_course.unwrap().problem, "漏检");
    let (status, problem) = api(
        &app,
        Method::PUT,
        &author,
        &format!("/api/v1/micro-courses/{id}"),
        Some(ok),
    )
    .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("kind")),
        "{problem}"
    );

    // Ratings and comments on the published resource.
    let rate = |stars: i64| {
        let app = &app;
        let learner = learner.clone();
        async move {
            api(
                app,
                Method::POST,
                &learner,
                &format!("/api/v1/resources/{id}/ratings"),
                Some(json!({"stars": stars})),
            )
            .await
        }
    };
    assert_eq!(rate(4).await.0, 404, "a draft is not for learners");
    publish(&app, id).await;
    let (status, problem) = api(&app, Method::PUT, &author, &path, Some(body("再改"))).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("status")));
    let (status, problem) = rate(6).await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("stars")));
    let (status, rated) = rate(4).await;
    assert_eq!(
        (
            status,
            rated["avg_stars"].as_f64(),
            rated["ratings"].as_i64()
        ),
        (200, Some(4.0), Some(1))
    );
    let (_, rated) = rate(2).await;
    assert_eq!(
        (rated["avg_stars"].as_f64(), rated["ratings"].as_i64()),
        (Some(2.0), Some(1)),
        "a second rating replaces the first"
    );
    let comments = format!("/api/v1/resources/{id}/comments");
    let (status, problem) = api(
        &app,
        Method::POST,
        &learner,
        &comments,
        Some(json!({"body": "  "})),
    )
    .await;
    assert_eq!((status, problem["field"].as_str()), (422, Some("body")));
    let (status, comment) = api(
        &app,
        Method::POST,
        &learner,
        &comments,
        Some(json!({"body": "很实用"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        (comment["status"].as_str(), comment["body"].as_str()),
        (Some("pending"), Some("很实用"))
    );
    assert_eq!(
        app.store
            .pending_comments(domain::Page::default())
            .await
            .unwrap()
            .total,
        1
    );
});
