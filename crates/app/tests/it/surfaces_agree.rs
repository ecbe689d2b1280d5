//! The pages and the JSON API of the library and exams call the same use cases, so
//! they give the same answer to the same request: each test asks both surfaces.

use crate::db_test;
use crate::library_web::post;
use domain::Page;
use domain::library::ResourceFilter;
use serde_json::json;
use store::prelude::*;

db_test!(
    library_micro_course_main_skill_is_refused_on_page_and_api_alike,
    |app| {
        // Before, the page silently added an unlisted main skill at level 1 while the
        // API refused it (422 on skill_code).
        let token = app.token("instructor").await;
        let (status, problem) = app
            .call(
                &token,
                "POST",
                "/api/v1/micro-courses",
                Some(json!({
                    "code": "MC-DRIFT-API", "title": "主技能未列出", "tier": "core",
                    "origin": "internal", "estimated_minutes": 10,
                    "skills": [{"code": "OP-EQUIP", "level": 1}],
                    "problem": "问题", "case": "案例", "solution": "方法",
                    "skill_code": "OP-SAFE"
                })),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["field"], "skill_code");

        let author = app.login("instructor").await;
        let (status, _, html) = post(
            &app,
            &author,
            "/library/micro",
            &[
                ("code", "MC-DRIFT-PAGE"),
                ("title", "主技能未列出"),
                ("tier", "core"),
                ("origin", "internal"),
                ("estimated_minutes", "10"),
                ("skills", "OP-EQUIP:1"),
                ("skill", "OP-SAFE"),
                ("problem", "问题"),
                ("case", "案例"),
                ("solution", "方法"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("(skill_code)"), "{html}");
        let written = app
            .store
            .list_resources(&ResourceFilter::default(), Page::default())
            .await
            .unwrap();
        assert!(
            written
                .items
                .iter()
                .all(|r| !r.code.starts_with("MC-DRIFT")),
            "nothing written on either surface"
        );
    }
);

db_test!(
    exams_missing_question_is_not_found_before_its_input_on_page_and_api_alike,
    |app| {
        // Before, the API judged the body first (422) where the page answered 404.
        let token = app.token("training").await;
        let (status, problem) = app
            .call(
                &token,
                "PUT",
                "/api/v1/exam-questions/999999",
                Some(json!({
                    "skill_code": "OP-EQUIP", "kind": "fill_in", "difficulty": 9,
                    "stem": "不存在的题", "answers": ["x"]
                })),
            )
            .await;
        assert_eq!(status, 404, "{problem}");

        let staff = app.login("training").await;
        let (status, _, _) = post(
            &app,
            &staff,
            "/exams/questions/999999/edit",
            &[
                ("skill_code", "OP-EQUIP"),
                ("kind", "fill_in"),
                ("difficulty", "9"),
                ("stem", "不存在的题"),
                ("answers", "x"),
            ],
        )
        .await;
        assert_eq!(status, 404);
    }
);

db_test!(
    exams_missing_exam_is_not_found_before_its_input_on_page_and_api_alike,
    |app| {
        // Before, the API judged the body first (422) where the page answered 404.
        let token = app.token("training").await;
        let (status, problem) = app
            .call(
                &token,
                "PUT",
                "/api/v1/exams/999999",
                Some(json!({
                    "code": "MISSING", "title": "不存在的考试", "purpose": "final",
                    "skill_code": "OP-EQUIP", "draw_medium": 0,
                    "time_limit_minutes": 10, "pass_mark_pct": 60
                })),
            )
            .await;
        assert_eq!(status, 404, "{problem}");

        let staff = app.login("training").await;
        let (status, _, _) = post(
            &app,
            &staff,
            "/exams/999999/edit",
            &[
                ("code", "MISSING"),
                ("title", "不存在的考试"),
                ("purpose", "final"),
                ("skill_code", "OP-EQUIP"),
                ("draw_medium", "0"),
            ],
        )
        .await;
        assert_eq!(status, 404);
    }
);
