//! The scheduler in the product: draft timetables over the demo's scheduling plan
//! (four programs all in one morning of next month, a company holiday), repair after
//! an instructor falls ill, moves and pins, publication, staleness, calendar blocks
//! and the `schedule plan` command.

use crate::db_test;
use crate::support::{TempDir, TestApp, extract_csrf};
use app::demo_data::SCHEDULING_PLAN;
use domain::Page;
use serde_json::{Value, json};
use std::collections::HashMap;
use store::prelude::*;
use time::{Date, Duration, OffsetDateTime, UtcOffset};

fn china() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap()
}

/// Next month's first weekday and last day: the demo plan's window.
fn window() -> (Date, Date) {
    let today = OffsetDateTime::now_utc().to_offset(china()).date();
    let (year, month) = match today.month() {
        time::Month::December => (today.year() + 1, time::Month::January),
        m => (today.year(), m.next()),
    };
    let mut first = Date::from_calendar_date(year, month, 1).unwrap();
    let last = Date::from_calendar_date(year, month, month.length(year)).unwrap();
    while first.weekday().number_from_monday() > 5 {
        first = first.next_day().unwrap();
    }
    (first, last)
}

/// The demo's company holiday: the first weekday two or more days after the window opens.
fn holiday() -> Date {
    let mut day = window().0 + Duration::days(2);
    while day.weekday().number_from_monday() > 5 {
        day = day.next_day().unwrap();
    }
    day
}

fn parse(text: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(
        text.as_str().expect("a time"),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
}

fn local_date(text: &Value) -> Date {
    parse(text).to_offset(china()).date()
}

async fn generate(app: &TestApp, token: &str, mode: &str, seed: u64) -> Value {
    let (from, to) = window();
    let (status, body) = app
        .call(
            token,
            "POST",
            "/api/v1/timetables",
            Some(json!({
                "plan_code": SCHEDULING_PLAN, "from": from.to_string(), "to": to.to_string(),
                "mode": mode, "time_limit_secs": 1, "seed": seed
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

fn entry(draft: &Value, session: i64) -> &Value {
    draft["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["session_id"] == session)
        .expect("the entry")
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    app.audit_page(action, Page::new(Some(1), Some(1)))
        .await
        .total
}

/// Every program's sessions keep their order and no entry falls on the holiday.
fn assert_sound(draft: &Value) {
    let mut by_program: HashMap<i64, Vec<(OffsetDateTime, OffsetDateTime, String)>> =
        HashMap::new();
    for e in draft["entries"].as_array().unwrap() {
        assert_ne!(
            local_date(&e["starts_at"]),
            holiday(),
            "the holiday is respected: {e}"
        );
        by_program
            .entry(e["program_id"].as_i64().unwrap())
            .or_default()
            .push((
                parse(&e["starts_at"]),
                parse(&e["ends_at"]),
                e["title"].as_str().unwrap().to_string(),
            ));
    }
    for sessions in by_program.values_mut() {
        sessions.sort_by(|a, b| a.2.cmp(&b.2));
        for pair in sessions.windows(2) {
            assert!(
                pair[0].1 <= pair[1].0,
                "sessions keep their order: {pair:?}"
            );
        }
    }
}

db_test!(generation_beats_the_starting_timetable, |app| {
    let token = app.token("training").await;
    let draft = generate(&app, &token, "fresh", 1).await;
    let tt = &draft["timetable"];
    assert_eq!(tt["status"], "draft");
    assert_eq!(
        draft["hard"], 0,
        "no hard conflict left: {}",
        draft["conflicts"]
    );
    assert!(draft["conflicts"].as_array().unwrap().is_empty());
    let before =
        tt["baseline_hard"].as_i64().unwrap() * 1000 + tt["baseline_soft"].as_i64().unwrap();
    let after = draft["hard"].as_i64().unwrap() * 1000 + draft["soft"].as_i64().unwrap();
    assert!(
        tt["baseline_hard"].as_i64().unwrap() > 0,
        "the demo starts in clashes"
    );
    assert!(after < before, "{after} < {before}");
    assert_eq!(draft["entries"].as_array().unwrap().len(), 10);
    assert!(
        draft["diff"]["moved"].as_u64().unwrap() >= 6,
        "{}",
        draft["diff"]
    );
    assert!(draft["diff"]["learners"].as_u64().unwrap() > 0);
    assert_sound(&draft);
    // The breakdown names every constraint, hard ones first.
    let lines = draft["lines"].as_array().unwrap();
    assert_eq!(lines[0]["key"], "overlaps");
    assert!(
        lines
            .iter()
            .any(|l| l["key"] == "instructor_cost" && l["hard"] == false)
    );
    // Nothing moved yet: the sessions are where they were.
    let id = tt["id"].as_i64().unwrap();
    let (status, again) = app
        .call(&token, "GET", &format!("/api/v1/timetables/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["hard"], 0);
    let (status, list) = app
        .call(
            &token,
            "GET",
            &format!("/api/v1/timetables?status=draft&plan={SCHEDULING_PLAN}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    let (status, _) = app
        .call(&token, "GET", "/api/v1/timetables?status=nonsense", None)
        .await;
    assert_eq!(status, 422);

    // The pages: list, new form with the plan chosen, a draft made from the form.
    let (browser, csrf) = app.login("training").await;
    let page = browser.get(app.url("/timetables")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains(&format!("/timetables/{id}"))
    );
    let form = app
        .page_text(&browser, &format!("/timetables/new?plan={SCHEDULING_PLAN}"))
        .await;
    assert!(form.contains(&format!("value=\"{SCHEDULING_PLAN}\" selected")));
    let (from, to) = window();
    let res = app
        .post_form(
            &browser,
            "/timetables",
            &[
                ("_csrf", csrf.as_str()),
                ("plan_code", SCHEDULING_PLAN),
                ("from", &from.to_string()),
                ("to", &to.to_string()),
                ("mode", "fresh"),
                ("time_limit_secs", "1"),
                ("seed", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.page_text(&browser, &location).await;
    for text in [
        "按约束分解的成本",
        "无法避免的冲突及原因",
        "与现有课表的差异",
        "讲师课酬",
        "没有硬冲突",
    ] {
        assert!(html.contains(text), "the draft page shows {text}");
    }
    assert!(!html.contains("??"), "every text is translated");
    let english = browser
        .get(app.url(&location))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("Cost by constraint") && !english.contains("??"));
    // A bad window comes back with the form and what was typed.
    let res = app
        .post_form(
            &browser,
            "/timetables",
            &[
                ("_csrf", csrf.as_str()),
                ("plan_code", SCHEDULING_PLAN),
                ("from", &to.to_string()),
                ("to", &from.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("to: must not be before from")
    );
});

db_test!(repair_moves_only_what_must_move_and_never_pins, |app| {
    let token = app.token("admin").await;
    let draft = generate(&app, &token, "fresh", 3).await;
    let id = draft["timetable"]["id"].as_i64().unwrap();
    let (status, published) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{published}");
    // The instructor of the first session falls ill on that day.
    let first = draft["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["instructor_code"].is_string())
        .min_by_key(|e| parse(&e["starts_at"]))
        .unwrap()
        .clone();
    let ill = first["instructor_code"].as_str().unwrap().to_string();
    let day = local_date(&first["starts_at"]);
    let instructor = app
        .store
        .list_instructors()
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.code == ill)
        .unwrap()
        .id;
    let starts = day.midnight().assume_offset(china());
    let (status, body) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/instructors/{instructor}/unavailability"),
            Some(json!({
                "starts_at": starts.format(&time::format_description::well_known::Rfc3339).unwrap(),
                "ends_at": (starts + Duration::days(1)).format(&time::format_description::well_known::Rfc3339).unwrap(),
                "reason": "病假"
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let repair = generate(&app, &token, "repair", 4).await;
    assert_eq!(repair["hard"], 0, "{}", repair["conflicts"]);
    assert!(
        repair["timetable"]["baseline_hard"].as_i64().unwrap() > 0,
        "the illness breaks the timetable"
    );
    let moved: Vec<&Value> = repair["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["changed"] == true)
        .collect();
    assert!(!moved.is_empty());
    // Only the ill instructor's sessions that day had to move (or follow them in order).
    let must: Vec<i64> = repair["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["was_instructor_name"] == first["instructor_name"]
                && local_date(&e["was_starts_at"]) == day
        })
        .map(|e| e["session_id"].as_i64().unwrap())
        .collect();
    assert!(
        must.iter()
            .all(|s| moved.iter().any(|m| m["session_id"] == *s)),
        "the ill instructor's sessions move"
    );
    assert!(
        moved.len() <= must.len() + 2,
        "as few moves as possible: {moved:?} for {must:?}"
    );
    let rid = repair["timetable"]["id"].as_i64().unwrap();
    assert!(
        repair["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["key"] == "moved_session" && l["cost"].as_u64().unwrap() > 0)
    );

    // Move one of them back onto the ill day by hand: kept and flagged at once.
    let back = must[0];
    let was = entry(&repair, back)["was_starts_at"].clone();
    let (status, moved_back) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{rid}/entries/{back}"),
            Some(json!({ "starts_at": was, "pinned": true })),
        )
        .await;
    assert_eq!(status, 200, "{moved_back}");
    let flagged = entry(&moved_back, back);
    assert_eq!(flagged["pinned"], true);
    assert!(
        flagged["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "instructor_unavailable"),
        "{flagged}"
    );
    assert!(moved_back["hard"].as_u64().unwrap() > 0);
    // Pin a second entry where it is, then re-solve: neither pinned entry moves.
    let other = repair["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["session_id"] != back && e["locked"] == false)
        .unwrap()["session_id"]
        .as_i64()
        .unwrap();
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{rid}/entries/{other}"),
            Some(json!({ "pinned": true })),
        )
        .await;
    assert_eq!(status, 200);
    let before_other = entry(&repair, other)["starts_at"].clone();
    let (status, resolved) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{rid}/resolve"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(entry(&resolved, back)["starts_at"], was);
    assert_eq!(entry(&resolved, other)["starts_at"], before_other);
    assert!(
        entry(&resolved, back)["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "instructor_unavailable")
    );
    // Publishing with a hard conflict needs "anyway", which the audit records.
    let (status, refused) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{rid}/publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    let (status, done) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{rid}/publish"),
            Some(json!({ "anyway": true })),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    let (_, shown) = app
        .call(&token, "GET", &format!("/api/v1/timetables/{rid}"), None)
        .await;
    assert_eq!(shown["timetable"]["status"], "published");
    assert_eq!(shown["timetable"]["published_with_conflicts"], true);
});

db_test!(moves_are_checked_and_flagged, |app| {
    let token = app.token("training").await;
    let draft = generate(&app, &token, "fresh", 5).await;
    let id = draft["timetable"]["id"].as_i64().unwrap();
    let entries = draft["entries"].as_array().unwrap();
    // Two sessions in the same venue: put the second on top of the first.
    let (a, b) = entries
        .iter()
        .flat_map(|a| entries.iter().map(move |b| (a, b)))
        .find(|(a, b)| {
            a["session_id"] != b["session_id"]
                && a["venue_code"] == b["venue_code"]
                && a["program_id"] != b["program_id"]
        })
        .expect("two programs share a venue");
    let target = b["session_id"].as_i64().unwrap();
    let moves_before = audit_count(&app, "timetables.entry_move").await;
    let (status, moved) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/entries/{target}"),
            Some(json!({ "starts_at": a["starts_at"] })),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let flagged = entry(&moved, target);
    assert_eq!(flagged["starts_at"], a["starts_at"]);
    assert!(
        flagged["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "venue_overlap"),
        "{flagged}"
    );
    assert!(moved["hard"].as_u64().unwrap() > 0);
    assert!(
        moved["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "venue_overlap" && c["unavoidable"] == false)
    );
    assert_eq!(
        audit_count(&app, "timetables.entry_move").await,
        moves_before + 1
    );

    // Bad input: 422 naming the field, nothing written.
    let saturday = {
        let mut d = window().0;
        while d.weekday().number_from_monday() != 6 {
            d = d.next_day().unwrap();
        }
        format!("{d}T09:00:00+08:00")
    };
    for (body, field) in [
        (json!({ "starts_at": "tomorrow morning" }), "starts_at"),
        (json!({ "starts_at": saturday }), "starts_at"),
        (json!({ "venue_code": "NO-SUCH-ROOM" }), "venue_code"),
        (json!({ "venue_code": "" }), "venue_code"),
        (json!({ "instructor_code": "NOBODY" }), "instructor_code"),
    ] {
        let (status, problem) = app
            .call(
                &token,
                "POST",
                &format!("/api/v1/timetables/{id}/entries/{target}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{problem}");
    }
    let (status, problem) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/entries/{target}"),
            Some(json!({ "pinned": "yes" })),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("pinned"),
        "{problem}"
    );
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/entries/999999"),
            Some(json!({ "pinned": true })),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        audit_count(&app, "timetables.entry_move").await,
        moves_before + 1
    );
    let (_, after) = app
        .call(&token, "GET", &format!("/api/v1/timetables/{id}"), None)
        .await;
    assert_eq!(
        entry(&after, target),
        flagged,
        "nothing written by the refused moves"
    );
    for (body, field) in [
        (
            json!({ "plan_code": SCHEDULING_PLAN, "from": "2030-01-10", "to": "2030-01-01" }),
            "to",
        ),
        (
            json!({ "plan_code": "NO-PLAN", "from": "2030-01-01", "to": "2030-01-10" }),
            "plan_code",
        ),
        (
            json!({ "plan_code": SCHEDULING_PLAN, "from": "2030-01-01", "to": "2030-01-10", "time_limit_secs": 0 }),
            "time_limit_secs",
        ),
        (
            json!({ "plan_code": SCHEDULING_PLAN, "program_code": "SCH-QC", "from": "2030-01-01", "to": "2030-01-10" }),
            "plan_code",
        ),
        (
            json!({ "plan_code": SCHEDULING_PLAN, "from": "2030-01-01", "to": "2030-01-10" }),
            "from",
        ),
    ] {
        let (status, problem) = app
            .call(&token, "POST", "/api/v1/timetables", Some(body.clone()))
            .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field, "{problem}");
    }

    // The page: a move shows that entry's conflicts right away; bad input is a 422.
    let (browser, csrf) = app.login("training").await;
    let res = app
        .post_form(
            &browser,
            &format!("/timetables/{id}/entries/{target}"),
            &[
                ("_csrf", csrf.as_str()),
                ("action", "move"),
                ("starts_at", "not a time"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("starts_at"));
    let local = parse(&a["starts_at"]).to_offset(china());
    let field = format!("{}T{:02}:00", local.date(), local.hour());
    let res = app
        .post_form(
            &browser,
            &format!("/timetables/{id}/entries/{target}"),
            &[
                ("_csrf", csrf.as_str()),
                ("action", "move"),
                ("starts_at", field.as_str()),
                ("venue_code", b["venue_code"].as_str().unwrap()),
                (
                    "instructor_code",
                    b["instructor_code"].as_str().unwrap_or(""),
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.page_text(&browser, &location).await;
    assert!(
        html.contains("已保存，但该班次有冲突"),
        "the moved entry's conflicts are on top"
    );
    assert!(html.contains("场地时间冲突"));
    let _ = extract_csrf(&html);
});

db_test!(publishing_moves_sessions_audits_and_notifies, |app| {
    let token = app.token("training").await;
    // The employee login joins a demo program, so a learner with an inbox is affected.
    let lean = app.store.program_id("SCH-LEAN").await.unwrap();
    let employee_no = crate::operations_api::number_of(&app, &app.token("employee").await).await;
    let (status, body) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/programs/{lean}/enrollments"),
            Some(json!({ "employees": [employee_no] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The training administrator owns every venue (through the API), so each move
    // reaches a venue owner.
    let owner_no = crate::operations_api::number_of(&app, &token).await;
    for venue in app.store.list_venues().await.unwrap() {
        let (status, body) = app
            .call(
                &token,
                "POST",
                &format!("/api/v1/venues/{}/scheduling", venue.id),
                Some(json!({ "hourly_rate": 100.0, "owner_employee_number": owner_no })),
            )
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let (status, problem) = app
        .call(
            &token,
            "POST",
            "/api/v1/venues/1/scheduling",
            Some(json!({ "hourly_rate": -1.0 })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("hourly_rate"))
    );
    let (status, problem) = app
        .call(
            &token,
            "POST",
            "/api/v1/venues/1/scheduling",
            Some(json!({ "owner_employee_number": "NOBODY" })),
        )
        .await;
    assert_eq!(
        (status, problem["field"].as_str()),
        (422, Some("owner_employee_number"))
    );
    let draft = generate(&app, &token, "fresh", 7).await;
    assert_eq!(draft["hard"], 0);
    let id = draft["timetable"]["id"].as_i64().unwrap();
    let changed: Vec<&Value> = draft["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["changed"] == true)
        .collect();
    let inbox = |user: i64| {
        let store = app.store.clone();
        async move {
            store
                .inbox(user, false, Page::new(Some(1), Some(200)))
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|i| i.kind == domain::notifications::NotificationKind::SessionChanged)
                .map(|i| i.params.get("change").cloned().unwrap_or_default())
                .collect::<Vec<String>>()
        }
    };
    let employee = app.user_id("employee").await;
    let instructor = app.user_id("instructor").await;
    let owner = app.user_id("training").await;
    let (before_employee, before_instructor, before_owner) = (
        inbox(employee).await.len(),
        inbox(instructor).await.len(),
        inbox(owner).await.len(),
    );
    let moves_before = audit_count(&app, "timetables.session_move").await;

    // A manager may not publish; the training administrator may.
    let manager = app.token("manager").await;
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &format!("/api/v1/timetables/{id}/publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, done) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        done["sessions_moved"].as_u64().unwrap() as usize,
        changed.len()
    );
    assert_eq!(
        audit_count(&app, "timetables.session_move").await,
        moves_before + changed.len() as i64
    );
    assert_eq!(audit_count(&app, "timetables.publish").await, 1);
    // The sessions are where the draft put them.
    for e in &changed {
        let session = app
            .store
            .session(e["session_id"].as_i64().unwrap())
            .await
            .unwrap();
        assert_eq!(session.starts_at, parse(&e["starts_at"]));
        assert_eq!(session.ends_at, parse(&e["ends_at"]));
        assert_eq!(session.venue_code.as_deref(), e["venue_code"].as_str());
        assert!(
            session
                .instructors
                .iter()
                .any(|n| Some(n.as_str()) == e["instructor_name"].as_str())
        );
    }
    // The learner hears about the moved LEAN sessions, the PLC instructor (the
    // instructor login, IN-EQ) about theirs, the venues' owner about the bookings.
    // Every program starts with its sessions on top of each other, so each moves.
    for code in ["SCH-LEAN", "SCH-PLC"] {
        assert!(
            changed.iter().any(|e| e["program_code"] == code),
            "{code} moves"
        );
    }
    let mine = inbox(employee).await;
    assert!(mine.len() > before_employee);
    assert!(mine.iter().any(|c| c == "rescheduled"), "{mine:?}");
    let (learner, _) = app.login("employee").await;
    let html = app.page_text(&learner, "/inbox").await;
    assert!(
        html.contains("课程安排调整：精益生产基础"),
        "the learner reads what changed"
    );
    let theirs = inbox(instructor).await;
    assert!(theirs.len() > before_instructor, "{theirs:?}");
    assert!(
        theirs
            .iter()
            .any(|c| c == "rescheduled" || c == "unassigned"),
        "{theirs:?}"
    );
    let owners = inbox(owner).await;
    assert!(owners.len() >= before_owner + changed.len(), "{owners:?}");
    assert!(owners.iter().any(|c| c == "venue_booked"), "{owners:?}");
    // Once published, it cannot be published or changed again.
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 409);
    let any = changed[0]["session_id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/entries/{any}"),
            Some(json!({ "pinned": true })),
        )
        .await;
    assert_eq!(status, 409);
});

db_test!(a_stale_draft_is_refused, |app| {
    let token = app.token("training").await;
    let draft = generate(&app, &token, "fresh", 9).await;
    let id = draft["timetable"]["id"].as_i64().unwrap();
    // Someone cancels a session after the draft was made.
    let victim = draft["entries"][0]["session_id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/sessions/{victim}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let untouched: Vec<(i64, OffsetDateTime)> = {
        let mut out = Vec::new();
        for e in draft["entries"].as_array().unwrap() {
            let s = e["session_id"].as_i64().unwrap();
            out.push((s, app.store.session(s).await.unwrap().starts_at));
        }
        out
    };
    let (status, problem) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/publish"),
            Some(json!({ "anyway": true })),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("stale"),
        "{problem}"
    );
    for (s, at) in untouched {
        assert_eq!(
            app.store.session(s).await.unwrap().starts_at,
            at,
            "nothing moved"
        );
    }
    let (_, shown) = app
        .call(&token, "GET", &format!("/api/v1/timetables/{id}"), None)
        .await;
    assert_eq!(shown["timetable"]["status"], "draft");
    assert_eq!(shown["stale"], json!([victim]));
    // The page says so too, and a discarded draft is no longer a draft.
    let (browser, csrf) = app.login("training").await;
    let res = app
        .post_form(
            &browser,
            &format!("/timetables/{id}/publish"),
            &[("_csrf", csrf.as_str()), ("anyway", "1")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = app
        .post_form(
            &browser,
            &format!("/timetables/{id}/discard"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, _) = app
        .call(
            &token,
            "POST",
            &format!("/api/v1/timetables/{id}/resolve"),
            None,
        )
        .await;
    assert_eq!(status, 409);
});

db_test!(calendar_blocks_are_managed_and_respected, |app| {
    let token = app.token("training").await;
    let (first, _) = window();
    let mut blocked = first + Duration::days(1);
    while blocked.weekday().number_from_monday() > 5 || blocked == holiday() {
        blocked = blocked.next_day().unwrap();
    }
    // Bad input names the field and writes nothing.
    let (_, listed) = app
        .call(&token, "GET", "/api/v1/calendar-blocks", None)
        .await;
    let count = listed["total"].as_i64().unwrap();
    for (body, field) in [
        (
            json!({ "starts_on": "2030-01-05", "ends_on": "2030-01-01", "kind": "holiday" }),
            "ends_on",
        ),
        (
            json!({ "starts_on": "2030-01-01", "ends_on": "2030-01-01", "kind": "holiday", "department_code": "NOPE" }),
            "department_code",
        ),
        (
            json!({ "starts_on": "2030-01-01", "ends_on": "2030-01-01", "kind": "shift", "daily_from": "25:00", "daily_to": "26:00" }),
            "daily_from",
        ),
    ] {
        let (status, problem) = app
            .call(
                &token,
                "POST",
                "/api/v1/calendar-blocks",
                Some(body.clone()),
            )
            .await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert_eq!(problem["field"], field);
    }
    let (status, _) = app
        .call(
            &token,
            "POST",
            "/api/v1/calendar-blocks",
            Some(json!({ "starts_on": "2030-01-01", "ends_on": "2030-01-01", "kind": "lunch" })),
        )
        .await;
    assert_eq!(status, 422);
    let (_, listed) = app
        .call(&token, "GET", "/api/v1/calendar-blocks", None)
        .await;
    assert_eq!(listed["total"].as_i64().unwrap(), count);
    // A production peak for the whole company on another day of the window.
    let (status, created) = app
        .call(&token, "POST", "/api/v1/calendar-blocks", Some(json!({ "starts_on": blocked.to_string(), "ends_on": blocked.to_string(), "kind": "production_peak", "note": "月初冲量" })))
        .await;
    assert_eq!(status, 201, "{created}");
    let draft = generate(&app, &token, "fresh", 11).await;
    assert_eq!(draft["hard"], 0);
    for e in draft["entries"].as_array().unwrap() {
        let day = local_date(&e["starts_at"]);
        assert!(
            day != blocked && day != holiday(),
            "calendar blocks are respected: {e}"
        );
    }
    let id = created["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            &token,
            "DELETE",
            &format!("/api/v1/calendar-blocks/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .call(
            &token,
            "DELETE",
            &format!("/api/v1/calendar-blocks/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(audit_count(&app, "timetables.block_create").await, 2);
    assert_eq!(audit_count(&app, "timetables.block_delete").await, 1);

    // The page: list, add (with a 422 keeping input), delete.
    let (browser, csrf) = app.login("training").await;
    let res = app
        .post_form(
            &browser,
            "/calendar-blocks",
            &[
                ("_csrf", csrf.as_str()),
                ("starts_on", "2030-02-01"),
                ("kind", "shift"),
                ("daily_from", "08:00"),
                ("note", "夜班补休"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("夜班补休"));
    let res = app
        .post_form(
            &browser,
            "/calendar-blocks",
            &[
                ("_csrf", csrf.as_str()),
                ("starts_on", "2030-02-01"),
                ("kind", "shift"),
                ("daily_from", "08:00"),
                ("daily_to", "12:00"),
                ("department_code", "PROD1"),
                ("note", "夜班补休"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = app.page_text(&browser, "/calendar-blocks").await;
    assert!(html.contains("夜班补休") && html.contains("08:00–12:00"));
    let (_, listed) = app
        .call(&token, "GET", "/api/v1/calendar-blocks", None)
        .await;
    let shift = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["note"] == "夜班补休")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post_form(
            &browser,
            &format!("/calendar-blocks/{shift}/delete"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = app.page_text(&browser, "/calendar-blocks").await;
    assert!(!html.contains("夜班补休"));
});

fn skillbridge(dir: &TempDir) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_skillbridge"));
    cmd.current_dir(&dir.0).env("SKILLBRIDGE_LOG", "warn");
    for (key, _) in
        std::env::vars().filter(|(k, _)| k.starts_with("SKILLBRIDGE_") && k != "SKILLBRIDGE_LOG")
    {
        cmd.env_remove(key);
    }
    cmd
}

db_test!(the_schedule_plan_command_prints_and_publishes, |app| {
    let dir = TempDir::new();
    let (from, to) = window();
    let run = |extra: &[&str]| {
        let mut cmd = skillbridge(&dir);
        cmd.args([
            "--database-url",
            &app.url,
            "schedule",
            "plan",
            "--plan",
            SCHEDULING_PLAN,
            "--from",
            &from.to_string(),
            "--to",
            &to.to_string(),
            "--time-limit",
            "1",
            "--seed",
            "5",
        ]);
        cmd.args(extra);
        let out = cmd.output().expect("the binary runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&[]);
    assert!(ok, "{err}");
    for text in [
        "Cost by constraint:",
        "instructor_cost",
        "Conflicts:",
        "Changes:",
        "Not published",
    ] {
        assert!(out.contains(text), "prints {text}:\n{out}");
    }
    assert!(
        out.contains("Hard conflicts: ") && out.contains(" -> 0"),
        "{out}"
    );
    let lean = app.store.program_id("SCH-LEAN").await.unwrap();
    let before: Vec<OffsetDateTime> = app
        .store
        .program_sessions(lean)
        .await
        .unwrap()
        .iter()
        .map(|s| s.starts_at)
        .collect();
    let (ok, out, err) = run(&["--publish"]);
    assert!(ok, "{err}");
    assert!(out.contains("Published:"), "{out}");
    let after: Vec<OffsetDateTime> = app
        .store
        .program_sessions(lean)
        .await
        .unwrap()
        .iter()
        .map(|s| s.starts_at)
        .collect();
    assert_ne!(before, after, "the sessions moved");
    assert_eq!(audit_count(&app, "timetables.publish").await, 1);
    let (ok, _, err) = run(&["--mode", "sideways"]);
    assert!(!ok);
    assert!(err.contains("mode"), "{err}");
    let mut cmd = skillbridge(&dir);
    let out = cmd
        .args([
            "--database-url",
            &app.url,
            "schedule",
            "plan",
            "--from",
            "2030-01-01",
            "--to",
            "2030-01-10",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a plan or a program is required");
});
