//! Notifications: the inbox (pages and API) rendered in each reader's language,
//! opt-outs and mandatory kinds, events from enrollment and session changes, idempotent
//! reminders, e-mail over a real SMTP conversation, signed webhooks with retries.

use crate::db_test;
use crate::support::{Backend, TestApp, extract_csrf};
use app::notify::{NotifyConfig, SmtpSettings, TlsMode};
use domain::DataScope;
use domain::account::AccountRepository;
use domain::audit::Actor;
use domain::jobs::{JobRepository, JobStatus};
use domain::notifications::{
    Channel, DeliveryStatus, NotificationEvent, NotificationKind, Preference,
};
use domain::operations::{EnrollmentSource, SessionInput, SessionMode};
use domain::org::OrgRepository;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use store::prelude::*;
use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn enrolled(user: i64, program: &str) -> NotificationEvent {
    NotificationEvent::new(NotificationKind::Enrolled, vec![user])
        .param("program", program)
        .param("starts_at", "2026-12-01T01:00:00Z")
        .link("/programs/1")
}

async fn unread(app: &TestApp, token: &str) -> i64 {
    let (status, body) = app
        .call(token, "GET", "/api/v1/notifications/unread-count", None)
        .await;
    assert_eq!(status, 200);
    body["unread"].as_i64().unwrap()
}

/// Makes every queued job due now (backoff skipped), straight in the database.
async fn make_jobs_due(app: &TestApp) {
    use sqlx::Connection;
    let now = store::DbTime(OffsetDateTime::now_utc() - Duration::seconds(1));
    let sql = "UPDATE jobs SET run_at = $1 WHERE status = 'queued'";
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.url).await.unwrap();
            sqlx::query(sql).bind(now).execute(&mut conn).await.unwrap();
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.url).await.unwrap();
            sqlx::query(sql).bind(now).execute(&mut conn).await.unwrap();
        }
    }
}

db_test!(notifications_inbox_in_each_language_and_private, |app| {
    let employee = app.user_id("employee").await;
    let token = app.token("employee").await;
    let before = unread(&app, &token).await;
    let written = app
        .store
        .notify(&enrolled(employee, "安全生产复训"))
        .await
        .unwrap();
    assert_eq!(written, 1);
    assert_eq!(unread(&app, &token).await, before + 1);

    // The API renders in the caller's language, from the same stored parameters.
    let list = |lang: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = app
                .client()
                .get(app.url("/api/v1/notifications?unread=true"))
                .bearer_auth(&token)
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let en = list("en").await;
    let item = &en["items"][0];
    assert_eq!(item["title"], "Enrolled: 安全生产复训");
    assert_eq!(
        item["body"],
        "You have a seat in “安全生产复训”. First session: 2026-12-01 09:00."
    );
    assert_eq!(item["kind"], "enrolled");
    assert_eq!(item["read"], false);
    let zh = list("zh-CN").await;
    assert_eq!(zh["items"][0]["title"], "报名成功：安全生产复训");
    let id = item["id"].as_i64().unwrap();

    // The page, in Chinese by default, with the bell's count in the frame.
    let (browser, csrf) = app.login("employee").await;
    let page = browser.get(app.url("/inbox")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("报名成功：安全生产复训"), "{html}");
    assert!(html.contains(&format!("class=\"badge\">{}<", before + 1)));

    // Nobody else sees, opens or marks it.
    let manager = app.token("manager").await;
    let (status, _) = app
        .call(
            &manager,
            "POST",
            &format!("/api/v1/notifications/{id}/read"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (other, _) = app.login("manager").await;
    let res = other
        .get(app.url(&format!("/inbox/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let (_, theirs) = app
        .call(&manager, "GET", "/api/v1/notifications", None)
        .await;
    assert!(
        theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != id)
    );

    // Opening it marks it read and follows its link.
    let res = browser
        .get(app.url(&format!("/inbox/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/programs/1");
    assert_eq!(unread(&app, &token).await, before);
    let page = app.page_text(&browser, "/inbox").await;
    assert!(
        !page.contains("报名成功：安全生产复训"),
        "read ones leave the unread view"
    );
    let page = app.page_text(&browser, "/inbox?show=all").await;
    assert!(page.contains("报名成功：安全生产复训"));

    // Many: pages of the inbox; mark one read by form, then all.
    for n in 0..30 {
        app.store
            .notify(&enrolled(employee, &format!("课程{n}")))
            .await
            .unwrap();
    }
    let page2 = app.page_text(&browser, "/inbox?per_page=10&page=2").await;
    assert!(page2.contains("rel=\"prev\""), "{page2}");
    let (_, first) = app
        .call(
            &token,
            "GET",
            "/api/v1/notifications?unread=true&per_page=1",
            None,
        )
        .await;
    let newest = first["items"][0]["id"].as_i64().unwrap();
    let res = app
        .post_form(
            &browser,
            &format!("/inbox/{newest}/read"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(unread(&app, &token).await, before + 29);
    let (status, body) = app
        .call(&token, "POST", "/api/v1/notifications/read-all", None)
        .await;
    assert_eq!((status, body["marked"].as_i64()), (200, Some(before + 29)));
    assert_eq!(unread(&app, &token).await, 0);
    let html = app.page_text(&browser, "/inbox").await;
    assert!(html.contains("没有未读消息"));
    assert!(!html.contains("class=\"badge\""));

    // A link off the site is refused when the event is made.
    let bad = enrolled(employee, "x").link("https://evil.example.com/");
    assert!(app.store.notify(&bad).await.is_err());
});

db_test!(
    notifications_opt_out_is_honoured_and_mandatory_kinds_stay_on,
    |app| {
        let employee = app.user_id("employee").await;
        let token = app.token("employee").await;
        // Through the API: the enrolled kind off in the app.
        let (status, prefs) = app
            .call(
                &token,
                "PUT",
                "/api/v1/notifications/preferences",
                Some(json!([{ "kind": "enrolled", "channel": "in_app", "enabled": false }])),
            )
            .await;
        assert_eq!(status, 200, "{prefs}");
        let find = |prefs: &Value, kind: &str, channel: &str| {
            prefs
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["kind"] == kind && p["channel"] == channel)
                .unwrap()
                .clone()
        };
        assert_eq!(find(&prefs, "enrolled", "in_app")["enabled"], false);
        assert_eq!(find(&prefs, "enrolled", "email")["enabled"], true);
        assert_eq!(find(&prefs, "session_changed", "in_app")["mandatory"], true);
        assert_eq!(
            app.store
                .notify(&enrolled(employee, "关掉的"))
                .await
                .unwrap(),
            0
        );

        // Mandatory kinds cannot be switched off, and stay delivered.
        let (status, problem) = app
            .call(
                &token,
                "PUT",
                "/api/v1/notifications/preferences",
                Some(json!([{ "kind": "session_changed", "channel": "in_app", "enabled": false }])),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem.to_string().contains("kind"), "{problem}");
        let (status, problem) = app
            .call(
                &token,
                "PUT",
                "/api/v1/notifications/preferences",
                Some(json!([{ "kind": "nonsense", "channel": "in_app", "enabled": false }])),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let changed = NotificationEvent::new(NotificationKind::SessionChanged, vec![employee])
            .param("program", "P")
            .param("session", "S")
            .param("starts_at", "2026-12-01T01:00:00Z")
            .param("change", "cancelled");
        assert_eq!(app.store.notify(&changed).await.unwrap(), 1);
        let refused = app
            .store
            .set_notification_preferences(
                employee,
                &[Preference {
                    kind: NotificationKind::CertificateExpiring,
                    channel: Channel::Email,
                    enabled: false,
                }],
                &Actor::system(),
            )
            .await;
        assert!(refused.is_err());

        // Through the page: the boxes sent are on, the rest off; mandatory ones are locked.
        let (browser, csrf) = app.login("employee").await;
        let html = app.page_text(&browser, "/inbox/settings").await;
        assert!(
            html.contains("name=\"session_changed:in_app\" checked disabled"),
            "{html}"
        );
        assert!(!html.contains("name=\"enrolled:in_app\" checked"));
        let res = app
            .post_form(
                &browser,
                "/inbox/settings",
                &[
                    ("_csrf", csrf.as_str()),
                    ("enrolled:in_app", "on"),
                    ("enrolled:email", "on"),
                    ("session_changed:in_app", "off"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let prefs = app.store.notification_preferences(employee).await.unwrap();
        let on = |k: NotificationKind, c: Channel| {
            prefs
                .iter()
                .find(|p| p.kind == k && p.channel == c)
                .unwrap()
                .enabled
        };
        assert!(on(NotificationKind::Enrolled, Channel::InApp));
        assert!(!on(NotificationKind::ExamGraded, Channel::Email));
        assert!(on(NotificationKind::SessionChanged, Channel::InApp));
        assert!(on(NotificationKind::SessionChanged, Channel::Email));
        let html = app.page_text(&browser, "/inbox/settings?saved=1").await;
        assert!(html.contains("通知设置已保存"));
        // Changes are audited.
        let audit = app.audit("notifications.preferences").await;
        assert!(audit.items.len() >= 2);
    }
);

/// The open demo program, the employee login's employee id and its account.
async fn open_program(app: &TestApp) -> (i64, i64, i64) {
    let program = app.store.program_id("SF-2026-Q4").await.unwrap();
    let user = app.user_id("employee").await;
    let employee = app.store.get_user(user).await.unwrap().employee_id.unwrap();
    (program, employee, user)
}

async fn kinds_of(
    app: &TestApp,
    user: i64,
) -> Vec<(NotificationKind, domain::notifications::Params)> {
    app.store
        .inbox(user, false, domain::Page::new(Some(1), Some(200)))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|i| (i.kind, i.params))
        .collect()
}

db_test!(
    notifications_come_from_enrollment_and_session_changes,
    |app| {
        let (program, employee, user) = open_program(&app).await;
        let actor = Actor::system();
        app.store
            .enroll(program, &[employee], EnrollmentSource::Assigned, &actor)
            .await
            .unwrap();
        let got = kinds_of(&app, user).await;
        let seat = got
            .iter()
            .find(|(k, p)| {
                *k == NotificationKind::Enrolled && p["program"] == "安全操作规范年度复训"
            })
            .expect("an enrolled notification");
        assert!(seat.1.contains_key("starts_at"));

        // Moving a session tells its learners, old and new time.
        let session = app.store.program_sessions(program).await.unwrap()[0].clone();
        let moved_to = session.starts_at + Duration::days(1);
        let input = SessionInput {
            title: session.title.clone(),
            starts_at: moved_to,
            ends_at: session.ends_at + Duration::days(1),
            mode: SessionMode::Classroom,
            venue_code: session.venue_code.clone(),
            capacity: session.capacity,
            join_url: None,
            instructors: vec![],
            allow_conflicts: true,
        };
        app.store
            .save_session(program, Some(session.id), &input, &actor)
            .await
            .unwrap();
        let got = kinds_of(&app, user).await;
        let moved = got
            .iter()
            .find(|(k, p)| {
                *k == NotificationKind::SessionChanged
                    && p.get("change").map(String::as_str) == Some("moved")
            })
            .expect("a moved notification");
        assert!(moved.1.contains_key("new_starts_at"));
        // Cancelling tells them too.
        app.store.cancel_session(session.id, &actor).await.unwrap();
        let got = kinds_of(&app, user).await;
        assert!(
            got.iter()
                .any(|(k, p)| *k == NotificationKind::SessionChanged
                    && p.get("change").map(String::as_str) == Some("cancelled"))
        );

        // A full program: cancelling a seat promotes the first waiting person.
        let p2 = app.store.program_id("EQ-2026-Q4").await.unwrap();
        let taken = app
            .store
            .program_enrollments(
                p2,
                &DataScope::company(),
                domain::Page::new(Some(1), Some(200)),
            )
            .await
            .unwrap()
            .items;
        let seated = taken
            .iter()
            .find(|e| e.status == domain::operations::EnrollmentStatus::Enrolled)
            .unwrap()
            .clone();
        let detail = app.store.program_detail(p2).await.unwrap();
        let free = detail.summary.capacity.unwrap() as i64 - detail.summary.enrolled;
        // Fill the free seats with others, then the employee waits.
        let others: Vec<i64> = app
            .store
            .list_employees(
                &DataScope::company(),
                &domain::org::EmployeeFilter::default(),
                domain::Page::new(Some(1), Some(200)),
            )
            .await
            .unwrap()
            .items
            .iter()
            .map(|e| e.id)
            .filter(|id| *id != employee && taken.iter().all(|t| t.employee_id != *id))
            .take(free as usize)
            .collect();
        app.store
            .enroll(p2, &others, EnrollmentSource::Assigned, &actor)
            .await
            .unwrap();
        let outcome = app
            .store
            .enroll(p2, &[employee], EnrollmentSource::Assigned, &actor)
            .await
            .unwrap();
        assert_eq!(outcome.waitlisted, 1);
        app.store
            .cancel_enrollment(seated.id, false, &actor)
            .await
            .unwrap();
        let got = kinds_of(&app, user).await;
        assert!(
            got.iter()
                .any(|(k, p)| *k == NotificationKind::WaitlistPromoted
                    && p["program"] == detail.summary.title)
        );
    }
);

db_test!(notifications_reminders_are_sent_once, |app| {
    let (program, employee, user) = open_program(&app).await;
    let actor = Actor::system();
    app.store
        .enroll(program, &[employee], EnrollmentSource::Assigned, &actor)
        .await
        .unwrap();
    // A session five hours from now.
    let start = OffsetDateTime::now_utc() + Duration::hours(5);
    let input = SessionInput {
        title: "临时加课".into(),
        starts_at: start,
        ends_at: start + Duration::hours(2),
        mode: SessionMode::Online,
        venue_code: None,
        capacity: None,
        join_url: Some("https://meet.example.com/x".into()),
        instructors: vec![],
        allow_conflicts: true,
    };
    app.store
        .save_session(program, None, &input, &actor)
        .await
        .unwrap();
    let worker = app.worker();
    let reminders = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .inbox(user, false, domain::Page::new(Some(1), Some(200)))
                .await
                .unwrap()
                .items
                .iter()
                .filter(|i| {
                    i.kind == NotificationKind::SessionReminder && i.params["session"] == "临时加课"
                })
                .count()
        }
    };
    for _ in 0..2 {
        app.store
            .enqueue_job(
                app::notify::REMINDERS_JOB,
                "{}",
                OffsetDateTime::now_utc(),
                1,
            )
            .await
            .unwrap();
        assert!(worker.tick().await.unwrap() >= 1);
    }
    assert_eq!(
        reminders(&app).await,
        1,
        "one reminder per session and person"
    );
    let done = app
        .store
        .list_jobs(Some(JobStatus::Succeeded), 50)
        .await
        .unwrap();
    assert_eq!(
        done.iter()
            .filter(|j| j.kind == app::notify::REMINDERS_JOB)
            .count(),
        2
    );
    // The reminder schedule is registered.
    worker.ensure_schedules().await.unwrap();
    assert!(
        app.store
            .list_schedules()
            .await
            .unwrap()
            .iter()
            .any(|s| s.kind == app::notify::REMINDERS_JOB)
    );

    // Unfinished learning: seen from a day long after the program, reminded once.
    let later = OffsetDateTime::now_utc() + Duration::days(400);
    let days = NotifyConfig::default().learning_overdue_days;
    let due = service::notifications::due_reminders(app.state(), later, days)
        .await
        .unwrap();
    let overdue: Vec<_> = due
        .iter()
        .filter(|r| {
            r.event.kind == NotificationKind::LearningOverdue && r.event.recipients.contains(&user)
        })
        .collect();
    assert_eq!(overdue.len(), 1);
    assert!(app.store.send_reminders(&due).await.unwrap() >= 1);
    assert_eq!(
        app.store.send_reminders(&due).await.unwrap(),
        0,
        "nothing twice"
    );
    let got = kinds_of(&app, user).await;
    assert_eq!(
        got.iter()
            .filter(|(k, p)| *k == NotificationKind::LearningOverdue
                && p["program"] == "安全操作规范年度复训")
            .count(),
        1
    );
    // Not before the threshold.
    let soon = service::notifications::due_reminders(app.state(), OffsetDateTime::now_utc(), days)
        .await
        .unwrap();
    assert!(
        soon.iter()
            .all(|r| r.subject != format!("program:{program}"))
    );
});

/// A mail received by the test SMTP server.
#[derive(Debug, Clone, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A small SMTP server: greets, answers EHLO, MAIL, RCPT, DATA, QUIT; keeps the mail.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read);
                let mut mail = Mail::default();
                write
                    .write_all(b"220 test.local ESMTP ready\r\n")
                    .await
                    .unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-test.local\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        mail.from = line[10..].trim().to_string();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        mail.to.push(line[8..].trim().to_string());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        write.write_all(b"354 end with .\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if lines.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        mail.data = data;
                        kept.lock().unwrap().push(std::mem::take(&mut mail));
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`) of a header value.
fn decode_header(value: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    for word in value.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&word[10..word.len() - 2])
                .unwrap();
            out.push_str(&String::from_utf8(bytes).unwrap());
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

/// Headers (unfolded) and the decoded text body of a single-part message.
fn parse_mail(data: &str) -> (Vec<(String, String)>, String) {
    use base64::Engine;
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            headers
                .last_mut()
                .unwrap()
                .1
                .push_str(&format!(" {}", line.trim()));
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let encoding = headers
        .iter()
        .find(|(k, _)| k == "content-transfer-encoding")
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    let text = match encoding.as_str() {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap(),
            )
            .unwrap()
        }
        "7bit" | "8bit" | "" => body.to_string(),
        other => panic!("unexpected transfer encoding {other}: {data}"),
    };
    (headers, text)
}

db_test!(notifications_are_sent_by_email_over_smtp, |app| {
    let (port, mails) = smtp_server().await;
    let config = NotifyConfig {
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: Some(port),
            tls: TlsMode::None,
            user: None,
            password: None,
            from: "培训中心 <training@skillbridge.test>".into(),
        }),
        public_url: Some("https://sb.example.com".into()),
        ..NotifyConfig::default()
    };
    let worker = app.worker().with_notifications(config);
    let user = app.user_id("employee").await;
    let employee = app.store.get_user(user).await.unwrap().employee_id.unwrap();
    let address = app
        .store
        .get_employee(&DataScope::company(), employee)
        .await
        .unwrap()
        .email
        .expect("demo employees have e-mail");
    app.store
        .notify(&enrolled(user, "安全生产复训"))
        .await
        .unwrap();
    worker.tick().await.unwrap();
    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    let mail = &got[0];
    assert_eq!(mail.to, vec![format!("<{address}>")]);
    assert_eq!(mail.from, "<training@skillbridge.test>");
    let (headers, body) = parse_mail(&mail.data);
    let header = |name: &str| headers.iter().find(|(k, _)| k == name).unwrap().1.clone();
    assert_eq!(decode_header(&header("subject")), "报名成功：安全生产复训");
    assert!(header("to").contains(&address));
    assert!(
        header("content-type")
            .to_ascii_lowercase()
            .contains("charset=utf-8")
    );
    assert!(
        body.contains("你已获得「安全生产复训」的席位。首次课程：2026-12-01 09:00。"),
        "{body}"
    );
    assert!(body.contains("https://sb.example.com/programs/1"), "{body}");

    // Switched off for e-mail: the inbox still gets it, the mail server does not.
    app.store
        .set_notification_preferences(
            user,
            &[Preference {
                kind: NotificationKind::Enrolled,
                channel: Channel::Email,
                enabled: false,
            }],
            &Actor::system(),
        )
        .await
        .unwrap();
    assert_eq!(
        app.store.notify(&enrolled(user, "第二次")).await.unwrap(),
        1
    );
    worker.tick().await.unwrap();
    assert_eq!(mails.lock().unwrap().len(), 1);
    // A mandatory kind is mailed anyway.
    let changed = NotificationEvent::new(NotificationKind::SessionChanged, vec![user])
        .param("program", "P")
        .param("session", "第一讲")
        .param("starts_at", "2026-12-01T01:00:00Z")
        .param("change", "cancelled");
    app.store.notify(&changed).await.unwrap();
    worker.tick().await.unwrap();
    let got = mails.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let (headers, _) = parse_mail(&got[1].data);
    let subject = headers
        .iter()
        .find(|(k, _)| k == "subject")
        .unwrap()
        .1
        .clone();
    assert_eq!(decode_header(&subject), "课程取消：第一讲");
});

/// What the webhook receiver got.
#[derive(Clone, Default)]
struct Receiver {
    calls: Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>,
    /// Answers 500 this many times first.
    failures: Arc<Mutex<u32>>,
}

async fn webhook_receiver() -> (String, Receiver) {
    use axum::extract::State;
    use axum::http::StatusCode;
    let receiver = Receiver::default();
    async fn hook(
        State(r): State<Receiver>,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> StatusCode {
        r.calls.lock().unwrap().push((headers, body));
        let mut failures = r.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        }
    }
    async fn broken() -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(hook))
        .route("/broken", axum::routing::post(broken))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, receiver)
}

fn verify(secret: &str, headers: &axum::http::HeaderMap, body: &str) -> bool {
    use hmac::{Hmac, Mac};
    let timestamp = headers["x-skillbridge-timestamp"].to_str().unwrap();
    let given = headers["x-skillbridge-signature"].to_str().unwrap();
    let Some(hex) = given.strip_prefix("sha256=") else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == hex
}

db_test!(notifications_webhooks_are_signed_and_retried, |app| {
    let (base, receiver) = webhook_receiver().await;
    *receiver.failures.lock().unwrap() = 1;
    let admin = app.token("admin").await;
    let secret = "a-shared-secret-of-some-length";
    let (status, created) = app.call(&admin,
        "POST",
        "/api/v1/webhooks",
        Some(json!({ "name": "企业微信转发", "url": format!("{base}/hook"), "secret": secret, "kinds": ["enrolled"] })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let hook = created["id"].as_i64().unwrap();
    assert_eq!(created["secret"], secret);
    let worker = app.worker();
    let user = app.user_id("employee").await;
    app.store
        .notify(&enrolled(user, "安全生产复训"))
        .await
        .unwrap();
    worker.tick().await.unwrap();
    // The first try met a 500: logged, retried after a backoff.
    let (_, log) = app
        .call(
            &admin,
            "GET",
            &format!("/api/v1/webhooks/{hook}/deliveries"),
            None,
        )
        .await;
    let first = &log["items"][0];
    assert_eq!(
        (
            first["status"].as_str(),
            first["attempts"].as_i64(),
            first["status_code"].as_i64()
        ),
        (Some("pending"), Some(1), Some(500))
    );
    assert!(first["last_error"].as_str().unwrap().contains("500"));
    assert_eq!(
        worker.tick().await.unwrap(),
        0,
        "the retry waits for its backoff"
    );
    make_jobs_due(&app).await;
    worker.tick().await.unwrap();
    let delivery = app
        .store
        .webhook_delivery(first["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!((delivery.attempts, delivery.status_code), (2, Some(200)));
    let calls = receiver.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    for (headers, body) in &calls {
        assert!(verify(secret, headers, body), "signature of {body}");
        assert!(!verify("another secret entirely", headers, body));
        assert_eq!(headers["x-skillbridge-event"], "enrolled");
        assert_eq!(headers["content-type"], "application/json");
    }
    let body: Value = serde_json::from_str(&calls[1].1).unwrap();
    assert_eq!(body["kind"], "enrolled");
    assert_eq!(body["params"]["program"], "安全生产复训");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("报名成功：安全生产复训\n")
    );
    assert!(body["occurred_at"].as_str().unwrap().contains('T'));
    assert_eq!(
        calls[0].1, calls[1].1,
        "a retry sends the same body (same id)"
    );
    // Kinds the endpoint did not subscribe to are not sent.
    let changed =
        NotificationEvent::new(NotificationKind::ExamGraded, vec![user]).param("exam", "E");
    app.store.notify(&changed).await.unwrap();
    worker.tick().await.unwrap();
    assert_eq!(receiver.calls.lock().unwrap().len(), 2);

    // The test button of the page; an endpoint that keeps failing gives up.
    let (browser, csrf) = app.login("admin").await;
    let res = app
        .post_form(
            &browser,
            &format!("/admin/webhooks/{hook}/test"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    worker.tick().await.unwrap();
    let calls = receiver.calls.lock().unwrap().clone();
    let last: Value = serde_json::from_str(&calls.last().unwrap().1).unwrap();
    assert_eq!(last["kind"], "test");
    assert!(verify(
        secret,
        &calls.last().unwrap().0,
        &calls.last().unwrap().1
    ));
    let (status, broken) = app
        .call(
            &admin,
            "POST",
            "/api/v1/webhooks",
            Some(json!({ "name": "坏的", "url": format!("{base}/broken"), "kinds": ["enrolled"] })),
        )
        .await;
    assert_eq!(status, 201);
    assert!(
        broken["secret"].as_str().unwrap().len() >= 16,
        "a secret is generated"
    );
    let broken = broken["id"].as_i64().unwrap();
    let (status, queued) = app
        .call(
            &admin,
            "POST",
            &format!("/api/v1/webhooks/{broken}/test"),
            None,
        )
        .await;
    assert_eq!(status, 202);
    let delivery = queued["delivery_id"].as_i64().unwrap();
    for _ in 0..store::WEBHOOK_ATTEMPTS {
        make_jobs_due(&app).await;
        worker.tick().await.unwrap();
    }
    let gone = app.store.webhook_delivery(delivery).await.unwrap();
    assert_eq!(gone.status, DeliveryStatus::Failed);
    assert_eq!(
        (gone.attempts, gone.status_code),
        (store::WEBHOOK_ATTEMPTS, Some(503))
    );
    // The delivery log page shows it.
    let html = app
        .page_text(&browser, &format!("/admin/webhooks/{broken}"))
        .await;
    assert!(html.contains("503") && html.contains("失败"), "{html}");
});

db_test!(
    notifications_webhook_pages_and_api_manage_endpoints,
    |app| {
        let (browser, csrf) = app.login("admin").await;
        // A bad address keeps the input and names the field.
        let res = app
            .post_form(
                &browser,
                "/admin/webhooks",
                &[
                    ("_csrf", csrf.as_str()),
                    ("name", "钉钉群"),
                    ("url", "ftp://nowhere"),
                    ("kinds", "enrolled"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("(url)") && html.contains("value=\"钉钉群\""),
            "{html}"
        );
        let res = app
            .post_form(
                &browser,
                "/admin/webhooks",
                &[
                    ("_csrf", csrf.as_str()),
                    ("name", "钉钉群"),
                    ("url", "https://bridge.example.com/dingtalk"),
                    ("kinds", "enrolled"),
                    ("kinds", "session_changed"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("whsec_"),
            "the generated secret is shown once"
        );
        let admin = app.token("admin").await;
        let (_, hooks) = app.call(&admin, "GET", "/api/v1/webhooks", None).await;
        let hook = hooks
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == "钉钉群")
            .unwrap()
            .clone();
        assert_eq!(hook["kinds"], json!(["enrolled", "session_changed"]));
        assert!(hook.get("secret").is_none());
        let id = hook["id"].as_i64().unwrap();
        // Update by page (secret kept), then by API.
        let page = app
            .page_text(&browser, &format!("/admin/webhooks/{id}"))
            .await;
        let csrf2 = extract_csrf(&page);
        let res = app
            .post_form(
                &browser,
                &format!("/admin/webhooks/{id}"),
                &[
                    ("_csrf", csrf2.as_str()),
                    ("name", "钉钉群2"),
                    ("url", "https://bridge.example.com/d2"),
                    ("kinds", "exam_graded"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let saved = app.store.webhook(id).await.unwrap();
        assert_eq!(
            (saved.name.as_str(), saved.active, saved.kinds.clone()),
            ("钉钉群2", false, vec![NotificationKind::ExamGraded])
        );
        assert!(saved.secret.starts_with("whsec_"));
        let (status, problem) = app
            .call(
                &admin,
                "PUT",
                &format!("/api/v1/webhooks/{id}"),
                Some(json!({ "name": "x", "url": "https://x.example.com", "kinds": ["nope"] })),
            )
            .await;
        assert_eq!(status, 422);
        assert!(problem.to_string().contains("kinds"));
        // Others may not see or change them.
        let training = app.token("training").await;
        let (status, _) = app.call(&training, "GET", "/api/v1/webhooks", None).await;
        assert_eq!(status, 403);
        let (status, _) = app
            .call(&admin, "DELETE", &format!("/api/v1/webhooks/{id}"), None)
            .await;
        assert_eq!(status, 204);
        let (status, _) = app
            .call(&admin, "GET", &format!("/api/v1/webhooks/{id}"), None)
            .await;
        assert_eq!(status, 404);
        let audit = app.audit("notifications.webhook").await;
        let actions: Vec<&str> = audit.items.iter().map(|a| a.action.as_str()).collect();
        for action in [
            "notifications.webhook_create",
            "notifications.webhook_update",
            "notifications.webhook_delete",
        ] {
            assert!(actions.contains(&action), "{actions:?}");
        }
        assert!(
            audit
                .items
                .iter()
                .all(|a| !a.after.as_deref().unwrap_or("").contains("whsec_")),
            "secrets stay out of the audit log"
        );
    }
);
