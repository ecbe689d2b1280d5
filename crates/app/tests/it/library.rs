//! The resource library: review workflow and versions, filters, ratings, comment
//! moderation, usage reports (lifecycle, supply gaps), micro-courses, vocabularies,
//! scenario packs, files and the search-index feed.

use crate::db_test;
use crate::support::TestApp;
use domain::DomainError;
use domain::Page;
use domain::audit::Actor;
use domain::competency::Tier;
use domain::library::{
    CommentStatus, EventKind, LifecycleAction, MicroCourseInput, Origin, ResourceFilter,
    ResourceInput, ResourceKind, ResourceStatus, ScenarioPackInput, SkillLevel, TagKind, TagRef,
    TagRemoval,
};
use store::prelude::*;
use time::{Duration, OffsetDateTime};

async fn actor(app: &TestApp, username: &str) -> Actor {
    Actor {
        user_id: Some(app.user_id(username).await),
        name: username.into(),
        ip: None,
    }
}

fn input(code: &str, kind: ResourceKind) -> ResourceInput {
    ResourceInput {
        code: code.into(),
        kind,
        title: format!("{code} 标题"),
        summary: "摘要".into(),
        body: "正文".into(),
        tier: Tier::Core,
        origin: Origin::Internal,
        vendor: None,
        owner_user_id: None,
        estimated_minutes: 30,
        tags: vec![],
        skills: vec![],
        positions: vec![],
    }
}

fn skill(code: &str, level: i32) -> SkillLevel {
    SkillLevel {
        code: code.into(),
        level,
    }
}

/// The field a validation error names.
fn field<T: std::fmt::Debug>(result: Result<T, DomainError>) -> String {
    match result {
        Err(DomainError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Draft → review → published; returns the published version.
async fn publish(app: &TestApp, id: i64, reviewer: &Actor) -> i32 {
    let status = app.store.resource_detail(id).await.unwrap().summary.status;
    if status == ResourceStatus::Draft {
        app.store
            .change_status(id, ResourceStatus::InReview, None, reviewer)
            .await
            .unwrap();
    }
    app.store
        .change_status(id, ResourceStatus::Published, Some("通过"), reviewer)
        .await
        .unwrap()
        .current_version
}

db_test!(
    workflow_keeps_versions_and_every_move,
    without_library,
    |app| {
        let training = actor(&app, "training").await;
        let reviewer = actor(&app, "reviewer").await;
        app.store
            .create_tag(TagKind::BusinessLine, "冲压", &training)
            .await
            .unwrap();
        let mut course = input("C-PRESS-101", ResourceKind::Course);
        course.tags = vec![TagRef::parse("业务线:冲压").unwrap()];
        course.skills = vec![skill("OP-EQUIP", 2)];
        course.positions = vec!["P-OP".into()];
        let id = app.store.create_resource(&course, &training).await.unwrap();

        // Bad links are refused naming the field, and nothing is written.
        let mut bad = input("C-BAD", ResourceKind::Course);
        bad.skills = vec![skill("OP-EQUIP", 4)];
        assert_eq!(
            field(app.store.create_resource(&bad, &training).await),
            "skills"
        );
        bad.skills = vec![skill("NO-SUCH", 1)];
        assert_eq!(
            field(app.store.create_resource(&bad, &training).await),
            "skills"
        );
        bad.skills = vec![];
        bad.positions = vec!["NO-SUCH".into()];
        assert_eq!(
            field(app.store.create_resource(&bad, &training).await),
            "positions"
        );
        bad.positions = vec![];
        bad.tags = vec![TagRef::parse("scenario:不存在").unwrap()];
        assert_eq!(
            field(app.store.create_resource(&bad, &training).await),
            "tags"
        );
        bad.tags = vec![];
        bad.origin = Origin::External;
        assert_eq!(
            field(app.store.create_resource(&bad, &training).await),
            "vendor"
        );
        assert_eq!(
            field(app.store.create_resource(&course, &training).await),
            "code",
            "codes are unique"
        );
        let all = app
            .store
            .list_resources(&ResourceFilter::default(), Page::default())
            .await
            .unwrap();
        assert_eq!(all.total, 1, "refused inputs leave nothing behind");

        // Illegal moves name the status; sending back needs a comment.
        assert_eq!(
            field(
                app.store
                    .change_status(id, ResourceStatus::Published, None, &reviewer)
                    .await
            ),
            "status"
        );
        app.store
            .change_status(id, ResourceStatus::InReview, None, &training)
            .await
            .unwrap();
        assert_eq!(
            field(
                app.store
                    .change_status(id, ResourceStatus::Draft, Some("  "), &reviewer)
                    .await
            ),
            "comment"
        );
        app.store
            .change_status(id, ResourceStatus::Draft, Some("请补充案例"), &reviewer)
            .await
            .unwrap();
        assert_eq!(publish(&app, id, &reviewer).await, 1);

        // A published resource is frozen; a new version goes through review again.
        let mut v2 = course.clone();
        v2.title = "冲压设备操作（第二版）".into();
        assert_eq!(
            field(app.store.update_resource(id, &v2, &training).await),
            "status"
        );
        let change = app
            .store
            .change_status(id, ResourceStatus::InReview, None, &training)
            .await
            .unwrap();
        assert_eq!(
            change.current_version, 1,
            "version 1 stays the published one"
        );
        app.store.update_resource(id, &v2, &training).await.unwrap();
        assert_eq!(publish(&app, id, &reviewer).await, 2);

        let detail = app.store.resource_detail(id).await.unwrap();
        assert_eq!(detail.summary.status, ResourceStatus::Published);
        assert_eq!(detail.summary.current_version, 2);
        let versions: Vec<(i32, &str)> = detail
            .versions
            .iter()
            .map(|v| (v.version, v.title.as_str()))
            .collect();
        assert_eq!(
            versions,
            vec![(2, "冲压设备操作（第二版）"), (1, "C-PRESS-101 标题")]
        );
        let first = app.store.resource_version(id, 1).await.unwrap();
        assert_eq!(first.entry.title, "C-PRESS-101 标题");
        assert_eq!(first.entry.published_by, "reviewer");
        let snapshot: serde_json::Value = serde_json::from_str(&first.snapshot).unwrap();
        assert_eq!(snapshot["tags"][0], "business_line:冲压");
        assert_eq!(snapshot["skills"][0]["code"], "OP-EQUIP");
        assert_eq!(snapshot["positions"][0], "P-OP");
        let moves: Vec<(ResourceStatus, ResourceStatus)> = detail
            .reviews
            .iter()
            .rev()
            .map(|r| (r.from_status, r.to_status))
            .collect();
        use ResourceStatus::*;
        assert_eq!(
            moves,
            vec![
                (Draft, InReview),
                (InReview, Draft),
                (Draft, InReview),
                (InReview, Published),
                (Published, InReview),
                (InReview, Published)
            ]
        );
        assert_eq!(detail.reviews.last().unwrap().comment, "");
        assert_eq!(detail.reviews[4].comment, "请补充案例");

        // Retiring needs a reason; a retired resource reopens as a draft, never straight to published.
        assert_eq!(
            field(app.store.change_status(id, Retired, None, &training).await),
            "comment"
        );
        app.store
            .change_status(id, Retired, Some("工艺已淘汰"), &training)
            .await
            .unwrap();
        assert_eq!(
            field(
                app.store
                    .change_status(id, Published, Some("x"), &reviewer)
                    .await
            ),
            "status"
        );
        app.store
            .change_status(id, Draft, None, &training)
            .await
            .unwrap();
        let audit = app.audit("library.status_change").await;
        assert_eq!(audit.total, 8);
    }
);

db_test!(files_belong_to_versions, without_library, |app| {
    let training = actor(&app, "training").await;
    let files = files::FileStore::memory();
    let pdf = bytes::Bytes::from_static(b"%PDF-1.7\n1 0 obj << >> endobj\n");
    let id = app
        .store
        .create_resource(&input("D-SOP", ResourceKind::Document), &training)
        .await
        .unwrap();
    // Refused types and sizes name the file; nothing is recorded.
    let err = app
        .store
        .upload_resource_file(
            &files,
            id,
            "run.exe",
            bytes::Bytes::from_static(b"MZ\x90\x00\x03\x00"),
            1024,
            &training,
        )
        .await;
    assert_eq!(field(err), "file");
    let err = app
        .store
        .upload_resource_file(&files, id, "big.pdf", pdf.clone(), 10, &training)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("limit of 10 B"), "{err}");
    let file = app
        .store
        .upload_resource_file(&files, id, "../../规程.pdf", pdf.clone(), 1024, &training)
        .await
        .unwrap();
    assert_eq!(
        (
            file.version,
            file.original_name.as_str(),
            file.content_type.as_str()
        ),
        (1, "规程.pdf", "application/pdf")
    );
    assert!(file.storage_key.starts_with(&format!("resources/{id}/1/")));
    let key = files::FileKey::parse(&file.storage_key).unwrap();
    assert_eq!(files.get(&key).await.unwrap(), pdf);

    let reviewer = actor(&app, "reviewer").await;
    publish(&app, id, &reviewer).await;
    // Published: no new files, and the version's files stay.
    assert_eq!(
        field(
            app.store
                .upload_resource_file(&files, id, "x.pdf", pdf.clone(), 1024, &training)
                .await
        ),
        "status"
    );
    // A new version starts with the published one's files (same bytes).
    app.store
        .change_status(id, ResourceStatus::InReview, None, &training)
        .await
        .unwrap();
    let detail = app.store.resource_detail(id).await.unwrap();
    let versions: Vec<i32> = detail.files.iter().map(|f| f.version).collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(detail.files[0].storage_key, detail.files[1].storage_key);
    assert_eq!(
        field(app.store.remove_file(detail.files[1].id, &training).await),
        "file",
        "version 1's file is kept"
    );
    // Dropping it from version 2 keeps the bytes version 1 still refers to.
    app.store
        .delete_resource_file(&files, detail.files[0].id, &training)
        .await
        .unwrap();
    assert_eq!(files.get(&key).await.unwrap(), pdf);
    let detail = app.store.resource_detail(id).await.unwrap();
    assert_eq!(detail.files.len(), 1);
});

db_test!(filters_and_pagination, without_library, |app| {
    let training = actor(&app, "training").await;
    let instructor = actor(&app, "instructor").await;
    let reviewer = actor(&app, "reviewer").await;
    let safety = app
        .store
        .create_tag(TagKind::Scenario, "设备点检", &training)
        .await
        .unwrap();
    for i in 0..7 {
        let mut r = input(
            &format!("R-{i}"),
            if i % 2 == 0 {
                ResourceKind::Video
            } else {
                ResourceKind::Document
            },
        );
        r.title = format!("资源{i}{}", if i == 3 { " 安全_规程" } else { "" });
        r.tier = if i < 3 { Tier::Core } else { Tier::Reserve };
        if i == 5 {
            r.origin = Origin::External;
            r.vendor = Some("华信咨询".into());
        }
        if i % 3 == 0 {
            r.tags = vec![TagRef::Id(safety)];
            r.skills = vec![skill("SF-RULES", 2)];
        }
        let who = if i == 6 { &instructor } else { &training };
        let id = app.store.create_resource(&r, who).await.unwrap();
        if i < 2 {
            publish(&app, id, &reviewer).await;
        }
    }
    let count = |filter: ResourceFilter| {
        let store = app.store.clone();
        async move {
            store
                .list_resources(&filter, Page::new(Some(1), Some(50)))
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(count(ResourceFilter::default()).await, 7);
    assert_eq!(
        count(ResourceFilter {
            kind: Some(ResourceKind::Video),
            ..Default::default()
        })
        .await,
        4
    );
    assert_eq!(
        count(ResourceFilter {
            tier: Some(Tier::Core),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(ResourceFilter {
            status: Some(ResourceStatus::Published),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(ResourceFilter {
            origin: Some(Origin::External),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(ResourceFilter {
            tag: Some(TagRef::Id(safety)),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(ResourceFilter {
            tag: Some(TagRef::parse("scenario:设备点检").unwrap()),
            kind: Some(ResourceKind::Video),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(ResourceFilter {
            skill: Some("SF-RULES".into()),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(ResourceFilter {
            owner_user_id: instructor.user_id,
            ..Default::default()
        })
        .await,
        1
    );
    // `_` is a literal in the search, not a wildcard.
    assert_eq!(
        count(ResourceFilter {
            q: Some("安全_规程".into()),
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(ResourceFilter {
            q: Some("r-".into()),
            ..Default::default()
        })
        .await,
        7,
        "codes match case-insensitively"
    );
    let page2 = app
        .store
        .list_resources(&ResourceFilter::default(), Page::new(Some(2), Some(3)))
        .await
        .unwrap();
    assert_eq!((page2.total, page2.items.len()), (7, 3));
    let page3 = app
        .store
        .list_resources(&ResourceFilter::default(), Page::new(Some(3), Some(3)))
        .await
        .unwrap();
    assert_eq!(page3.items.len(), 1);
    let page1 = app
        .store
        .list_resources(&ResourceFilter::default(), Page::new(Some(1), Some(3)))
        .await
        .unwrap();
    let mut seen: Vec<i64> = [&page1, &page2, &page3]
        .iter()
        .flat_map(|p| p.items.iter().map(|r| r.id))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 7, "pages do not overlap");
});

db_test!(ratings_and_moderated_comments, without_library, |app| {
    let training = actor(&app, "training").await;
    let id = app
        .store
        .create_resource(&input("V-1", ResourceKind::Video), &training)
        .await
        .unwrap();
    let users = [
        app.user_id("employee").await,
        app.user_id("manager").await,
        app.user_id("instructor").await,
    ];
    assert_eq!(field(app.store.rate(id, users[0], 5).await), "resource");
    publish(&app, id, &training).await;
    assert_eq!(field(app.store.rate(id, users[0], 6).await), "stars");
    assert_eq!(field(app.store.rate(id, users[0], 0).await), "stars");
    for (user, stars) in users.iter().zip([5, 4, 3]) {
        app.store.rate(id, *user, stars).await.unwrap();
    }
    let (avg, count) = app.store.rate(id, users[0], 2).await.unwrap();
    assert_eq!(count, 3, "a second rating replaces the first");
    assert!((avg - 3.0).abs() < 1e-9, "{avg}");
    let summary = app.store.resource_detail(id).await.unwrap().summary;
    assert_eq!((summary.ratings, summary.avg_stars), (3, Some(3.0)));

    // Comments wait for a moderator when the site says so.
    assert_eq!(
        field(app.store.add_comment(id, users[1], "  ", true).await),
        "body"
    );
    let pending = app
        .store
        .add_comment(id, users[1], "案例很实用", true)
        .await
        .unwrap();
    assert_eq!(pending.status, CommentStatus::Pending);
    let direct = app
        .store
        .add_comment(id, users[2], "建议增加字幕", false)
        .await
        .unwrap();
    assert_eq!(direct.status, CommentStatus::Visible);
    let shown = |store: store::Store| async move {
        store
            .resource_detail(id)
            .await
            .unwrap()
            .comments
            .iter()
            .map(|c| c.body.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(app.store.clone()).await, vec!["建议增加字幕"]);
    let queue = app.store.pending_comments(Page::default()).await.unwrap();
    assert_eq!((queue.total, queue.items[0].id), (1, pending.id));
    assert_eq!(
        field(
            app.store
                .moderate_comment(pending.id, CommentStatus::Pending, &training)
                .await
        ),
        "status"
    );
    app.store
        .moderate_comment(pending.id, CommentStatus::Visible, &training)
        .await
        .unwrap();
    app.store
        .moderate_comment(direct.id, CommentStatus::Hidden, &training)
        .await
        .unwrap();
    assert_eq!(shown(app.store.clone()).await, vec!["案例很实用"]);
    let detail = app.store.resource_detail(id).await.unwrap();
    assert_eq!(detail.comments[0].moderated_by.as_deref(), Some("training"));
    let audit = app.audit("library.comment_moderate").await;
    assert_eq!(audit.total, 2);
    let hidden = audit
        .items
        .iter()
        .find(|e| e.entity_id == Some(direct.id.to_string()))
        .unwrap();
    assert!(hidden.before.as_deref().unwrap().contains("visible"));
    assert!(hidden.after.as_deref().unwrap().contains("hidden"));
    assert_eq!(hidden.actor, "training");
});

db_test!(
    lifecycle_flags_unused_published_resources,
    without_library,
    |app| {
        let training = actor(&app, "training").await;
        let learner = Some(app.user_id("employee").await);
        let mut ids = Vec::new();
        for (code, skills) in [
            ("D-USED", vec![skill("QA-SPC", 2)]),
            ("D-IDLE", vec![skill("EQ-PLC", 1)]),
            ("D-TWIN", vec![skill("QA-SPC", 1)]),
            ("D-SOME", vec![skill("MG-TEAM", 1)]),
        ] {
            let mut r = input(code, ResourceKind::Document);
            r.skills = skills;
            let id = app.store.create_resource(&r, &training).await.unwrap();
            publish(&app, id, &training).await;
            ids.push(id);
        }
        // Drafts are not used.
        assert_eq!(
            field(
                app.store
                    .record_event(
                        app.store
                            .create_resource(&input("D-DRAFT", ResourceKind::Document), &training)
                            .await
                            .unwrap(),
                        learner,
                        EventKind::View,
                        OffsetDateTime::now_utc(),
                    )
                    .await
            ),
            "resource"
        );
        // Judge a window that starts after the publications: six months ending seven months on.
        let as_of = OffsetDateTime::now_utc() + Duration::days(214);
        let in_last_month = as_of - Duration::days(10);
        for kind in [EventKind::View, EventKind::View, EventKind::Complete] {
            app.store
                .record_event(ids[0], learner, kind, in_last_month)
                .await
                .unwrap();
        }
        for id in [ids[2], ids[3]] {
            app.store
                .record_event(id, learner, EventKind::View, in_last_month)
                .await
                .unwrap();
        }
        // Events outside the window do not count.
        app.store
            .record_event(ids[3], learner, EventKind::View, as_of + Duration::days(1))
            .await
            .unwrap();
        let report = app.store.lifecycle_report(6, 3, as_of).await.unwrap();
        let flagged: Vec<(&str, i64, LifecycleAction, Option<&str>)> = report
            .iter()
            .map(|r| {
                (
                    r.code.as_str(),
                    r.views + r.completions,
                    r.action,
                    r.merge_into.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            flagged,
            vec![
                ("D-IDLE", 0, LifecycleAction::Retire, None),
                ("D-SOME", 1, LifecycleAction::Optimise, None),
                ("D-TWIN", 1, LifecycleAction::Merge, Some("D-USED")),
            ],
            "D-USED reached 3 in a month and is not flagged"
        );
        // Freshly published resources are not judged yet.
        assert!(
            app.store
                .lifecycle_report(6, 3, OffsetDateTime::now_utc())
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            field(app.store.lifecycle_report(0, 3, as_of).await),
            "months"
        );
        assert_eq!(
            field(app.store.lifecycle_report(6, 0, as_of).await),
            "threshold"
        );
        let used = app.store.resource_detail(ids[0]).await.unwrap();
        assert_eq!((used.views, used.completions), (2, 1));
    }
);

db_test!(
    supply_gaps_list_uncovered_skills_and_tasks,
    without_library,
    |app| {
        let training = actor(&app, "training").await;
        let before = app.store.supply_gaps().await.unwrap();
        let sf = before
            .skills
            .iter()
            .find(|g| g.skill_code == "SF-RULES")
            .expect("nothing covers safety rules yet");
        assert_eq!((sf.required_level, sf.covered_level), (Some(3), None));
        assert!(sf.people > 0 && sf.positions >= 3, "{sf:?}");
        assert!(before.skills.iter().any(|g| g.skill_code == "OP-EQUIP"));

        let mut full = input("C-EQUIP", ResourceKind::Course);
        full.skills = vec![skill("OP-EQUIP", 3), skill("SA-NEEDS", 3)];
        let id = app.store.create_resource(&full, &training).await.unwrap();
        publish(&app, id, &training).await;
        let mut partial = input("C-QA", ResourceKind::Course);
        partial.skills = vec![skill("QA-AWARE", 1)];
        let id = app
            .store
            .create_resource(&partial, &training)
            .await
            .unwrap();
        publish(&app, id, &training).await;
        // A draft covers nothing.
        let mut draft = input("C-SF", ResourceKind::Course);
        draft.skills = vec![skill("SF-RULES", 3)];
        app.store.create_resource(&draft, &training).await.unwrap();

        let after = app.store.supply_gaps().await.unwrap();
        let codes: Vec<&str> = after.skills.iter().map(|g| g.skill_code.as_str()).collect();
        assert!(!codes.contains(&"OP-EQUIP"), "{codes:?}");
        assert!(codes.contains(&"SF-RULES"), "drafts do not count");
        let qa = after
            .skills
            .iter()
            .find(|g| g.skill_code == "QA-AWARE")
            .unwrap();
        assert_eq!((qa.required_level, qa.covered_level), (Some(3), Some(1)));
        for task in &after.tasks {
            assert!(
                task.missing.iter().all(|m| m.skill_code != "OP-EQUIP"),
                "{task:?}"
            );
        }
        // The sales tasks needing only SA-NEEDS are covered now.
        let sales_gaps_before = before
            .tasks
            .iter()
            .filter(|t| t.missing.iter().any(|m| m.skill_code == "SA-NEEDS"))
            .count();
        assert!(sales_gaps_before > 0);
        assert!(
            after
                .tasks
                .iter()
                .all(|t| t.missing.iter().all(|m| m.skill_code != "SA-NEEDS"))
        );
    }
);

db_test!(micro_courses_and_their_authors, without_library, |app| {
    let author = actor(&app, "instructor").await;
    let reviewer = actor(&app, "reviewer").await;
    let mut resource = input("M-SMED", ResourceKind::MicroCourse);
    resource.estimated_minutes = 16;
    resource.skills = vec![skill("OP-EQUIP", 2)];
    app.store
        .create_tag(TagKind::TaskType, "换模", &author)
        .await
        .unwrap();
    resource.tags = vec![TagRef::Value {
        kind: TagKind::TaskType,
        value: "换模".into(),
    }];
    let mut micro = MicroCourseInput {
        resource,
        problem: "换模时间长，停线损失大".into(),
        case: "三号线换模用时 90 分钟".into(),
        solution: "SMED：内外作业分离".into(),
        need_id: None,
        skill_code: Some("OP-EQUIP".into()),
    };
    assert_eq!(
        field(app.store.create_micro_course(&micro, &author).await),
        "estimated_minutes",
        "a micro-course lasts 15 minutes at most"
    );
    micro.resource.estimated_minutes = 12;
    micro.case = " ".into();
    assert_eq!(
        field(app.store.create_micro_course(&micro, &author).await),
        "case"
    );
    micro.case = "三号线换模用时 90 分钟".into();
    micro.need_id = Some(999_999);
    assert_eq!(
        field(app.store.create_micro_course(&micro, &author).await),
        "need_id"
    );
    micro.need_id = None;
    assert_eq!(
        field(app.store.create_resource(&micro.resource, &author).await),
        "kind",
        "micro-courses need their three parts"
    );
    let id = app
        .store
        .create_micro_course(&micro, &author)
        .await
        .unwrap();
    assert_eq!(
        field(
            app.store
                .update_resource(id, &micro.resource, &author)
                .await
        ),
        "kind"
    );
    let parts = app
        .store
        .resource_detail(id)
        .await
        .unwrap()
        .micro_course
        .unwrap();
    assert_eq!(parts.skill_code.as_deref(), Some("OP-EQUIP"));
    assert_eq!(parts.case, "三号线换模用时 90 分钟");

    app.store
        .change_status(id, ResourceStatus::InReview, None, &author)
        .await
        .unwrap();
    app.store
        .change_status(id, ResourceStatus::Draft, Some("方法部分请配图"), &reviewer)
        .await
        .unwrap();
    micro.solution = "SMED：内外作业分离，配图说明".into();
    app.store
        .update_micro_course(id, &micro, &author)
        .await
        .unwrap();
    publish(&app, id, &reviewer).await;
    let learner = app.user_id("employee").await;
    let now = OffsetDateTime::now_utc();
    for kind in [
        EventKind::View,
        EventKind::View,
        EventKind::View,
        EventKind::Complete,
    ] {
        app.store
            .record_event(id, Some(learner), kind, now)
            .await
            .unwrap();
    }
    app.store.rate(id, learner, 4).await.unwrap();
    let stats = app
        .store
        .author_stats(author.user_id.unwrap())
        .await
        .unwrap();
    assert_eq!(stats.len(), 1);
    let s = &stats[0];
    assert_eq!((s.views, s.completions), (3, 1));
    assert_eq!((s.resource.avg_stars, s.resource.ratings), (Some(4.0), 1));
    assert_eq!(s.skip_rate(), Some(2.0 / 3.0));
    let comments: Vec<&str> = s.reviews.iter().map(|r| r.comment.as_str()).collect();
    assert_eq!(comments, vec!["通过", "方法部分请配图"]);
    assert!(
        app.store
            .author_stats(app.user_id("employee").await)
            .await
            .unwrap()
            .is_empty()
    );

    // The search feed carries the parts, tags and skills.
    let docs = app.store.resources_for_index(0, 10, None).await.unwrap();
    let doc = docs.iter().find(|d| d.id == id).unwrap();
    assert!(doc.body.contains("三号线换模") && doc.body.contains("配图说明"));
    assert_eq!(doc.tags, vec!["task_type:换模"]);
    assert_eq!(doc.skills, vec!["OP-EQUIP"]);
    assert_eq!(doc.kind, ResourceKind::MicroCourse);
});

db_test!(
    vocabularies_packs_and_the_index_feed,
    without_library,
    |app| {
        let training = actor(&app, "training").await;
        let line = app
            .store
            .create_tag(TagKind::BusinessLine, "总装", &training)
            .await
            .unwrap();
        let spare = app
            .store
            .create_tag(TagKind::BusinessLine, "涂装", &training)
            .await
            .unwrap();
        assert_eq!(
            field(
                app.store
                    .create_tag(TagKind::BusinessLine, "总装", &training)
                    .await
            ),
            "value"
        );
        assert_eq!(
            field(
                app.store
                    .create_tag(TagKind::Scenario, "a:b", &training)
                    .await
            ),
            "value"
        );
        let mut tagged = input("C-ASSY", ResourceKind::Course);
        tagged.tags = vec![TagRef::Id(line)];
        tagged.positions = vec!["P-OP".into(), "P-TL".into()];
        let a = app.store.create_resource(&tagged, &training).await.unwrap();
        // A used entry is deactivated, an unused one deleted.
        assert_eq!(
            app.store.remove_tag(line, &training).await.unwrap(),
            TagRemoval::Deactivated { uses: 1 }
        );
        assert_eq!(
            app.store.remove_tag(spare, &training).await.unwrap(),
            TagRemoval::Deleted
        );
        let tags = app
            .store
            .list_tags(Some(TagKind::BusinessLine), true)
            .await
            .unwrap();
        assert_eq!(tags.len(), 1);
        assert!(!tags[0].tag.active);
        assert!(app.store.list_tags(None, false).await.unwrap().is_empty());
        let mut other = input("C-NEW", ResourceKind::Course);
        other.tags = vec![TagRef::Id(line)];
        assert_eq!(
            field(app.store.create_resource(&other, &training).await),
            "tags",
            "an inactive tag cannot be picked"
        );
        tagged.title = "总装基础".into();
        app.store
            .update_resource(a, &tagged, &training)
            .await
            .unwrap();
        app.store
            .update_tag(line, "总装线", true, &training)
            .await
            .unwrap();

        // Scenario packs keep their order.
        other.tags = vec![];
        let b = app.store.create_resource(&other, &training).await.unwrap();
        publish(&app, b, &training).await;
        let mut pack = ScenarioPackInput {
            code: "PK-CHANGE".into(),
            name: "换型准备".into(),
            scenario_step: "生产准备 → 换型".into(),
            description: String::new(),
            resources: vec!["C-ASSY".into(), "C-NEW".into()],
        };
        let pack_id = app.store.create_pack(&pack, &training).await.unwrap();
        pack.resources = vec!["C-NEW".into(), "C-ASSY".into()];
        app.store
            .update_pack(pack_id, &pack, &training)
            .await
            .unwrap();
        let stored = app.store.pack(pack_id).await.unwrap();
        let order: Vec<(i32, &str)> = stored
            .items
            .iter()
            .map(|i| (i.position, i.code.as_str()))
            .collect();
        assert_eq!(order, vec![(1, "C-NEW"), (2, "C-ASSY")]);
        assert_eq!(stored.published_minutes(), 30);
        pack.resources = vec!["C-NONE".into()];
        assert_eq!(
            field(app.store.update_pack(pack_id, &pack, &training).await),
            "resources"
        );
        assert_eq!(app.store.pack(pack_id).await.unwrap().items.len(), 2);
        pack.resources = vec!["C-NEW".into(), "C-NEW".into()];
        assert_eq!(
            field(app.store.create_pack(&pack, &training).await),
            "resources"
        );
        assert_eq!(app.store.list_packs().await.unwrap().len(), 1);
        app.store.delete_pack(pack_id, &training).await.unwrap();
        assert!(app.store.list_packs().await.unwrap().is_empty());

        // The index feed pages by id and reports the renamed tag.
        let first = app.store.resources_for_index(0, 1, None).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].id, a);
        assert_eq!(first[0].tags, vec!["business_line:总装线"]);
        assert_eq!(first[0].positions, vec!["P-OP", "P-TL"]);
        assert_eq!(first[0].status, ResourceStatus::Draft);
        let rest = app
            .store
            .resources_for_index(first[0].id, 100, None)
            .await
            .unwrap();
        assert_eq!(rest.iter().map(|d| d.id).collect::<Vec<_>>(), vec![b]);
        let future = OffsetDateTime::now_utc() + Duration::hours(1);
        assert!(
            app.store
                .resources_for_index(0, 100, Some(future))
                .await
                .unwrap()
                .is_empty()
        );
    }
);
