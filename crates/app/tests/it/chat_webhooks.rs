//! Chat platforms' group bots: WeCom, DingTalk and Feishu endpoints get their platform's
//! message format (text, or markdown / a card with a link) and signature, checked by a
//! real local HTTP receiver that verifies each platform's documented signature the way
//! the platform does; a test message from the API and the page shows the platform's
//! answer (`errcode` / `code`); events reach them through the worker.

use crate::db_test;
use crate::support::extract_csrf;
use base64::Engine;
use domain::notifications::{DeliveryStatus, NotificationEvent, NotificationKind};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::prelude::*;

/// One request the receiver got: path, query parameters, body.
#[derive(Clone, Debug)]
struct Call {
    path: String,
    query: HashMap<String, String>,
    body: Value,
}

#[derive(Clone, Default)]
struct Bot {
    calls: Arc<Mutex<Vec<Call>>>,
    /// The secret each platform's bot was given (empty: unsigned).
    secret: Arc<Mutex<String>>,
}

fn hmac_b64(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What each platform answers, after checking what it checks: the JSON shape and, when
/// the bot has a secret, the signature (and that the timestamp is recent).
async fn bot(
    axum::extract::State(bot): axum::extract::State<Bot>,
    uri: axum::http::Uri,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    body: String,
) -> axum::Json<Value> {
    let path = uri.path().to_string();
    let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    bot.calls.lock().unwrap().push(Call {
        path: path.clone(),
        query: query.clone(),
        body: body.clone(),
    });
    let secret = bot.secret.lock().unwrap().clone();
    let now_ms = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    axum::Json(match path.as_str() {
        "/cgi-bin/webhook/send" => {
            // WeCom: the key is in the URL; text needs text.content, markdown markdown.content.
            let shape = match body["msgtype"].as_str() {
                Some("text") => body["text"]["content"].is_string(),
                Some("markdown") => body["markdown"]["content"].is_string(),
                _ => false,
            };
            if query.get("key").map(String::as_str) != Some("bot-key-1") {
                json!({"errcode": 93000, "errmsg": "invalid webhook url"})
            } else if !shape {
                json!({"errcode": 40008, "errmsg": "invalid message type"})
            } else {
                json!({"errcode": 0, "errmsg": "ok"})
            }
        }
        "/robot/send" => {
            // DingTalk: sign = urlencode(base64(HMAC-SHA256(secret, ts + "\n" + secret))),
            // the timestamp in ms within an hour.
            if !secret.is_empty() {
                let ts: i64 = query
                    .get("timestamp")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                let expected = hmac_b64(secret.as_bytes(), format!("{ts}\n{secret}").as_bytes());
                // The Query extractor already URL-decoded the sign.
                if query.get("sign") != Some(&expected) || (now_ms - ts).abs() > 3_600_000 {
                    return axum::Json(json!({"errcode": 310000, "errmsg": "sign not match"}));
                }
            }
            let shape = match body["msgtype"].as_str() {
                Some("text") => body["text"]["content"].is_string(),
                Some("markdown") => {
                    body["markdown"]["title"].is_string() && body["markdown"]["text"].is_string()
                }
                _ => false,
            };
            if shape {
                json!({"errcode": 0, "errmsg": "ok"})
            } else {
                json!({"errcode": 40035, "errmsg": "缺少参数 json"})
            }
        }
        "/open-apis/bot/v2/hook/feishu-1" => {
            // Feishu: sign = base64(HMAC-SHA256 keyed by ts + "\n" + secret over ""), in the body.
            if !secret.is_empty() {
                let ts: i64 = body["timestamp"]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                let expected = hmac_b64(format!("{ts}\n{secret}").as_bytes(), b"");
                if body["sign"].as_str() != Some(expected.as_str())
                    || (now_ms / 1000 - ts).abs() > 3600
                {
                    return axum::Json(
                        json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}),
                    );
                }
            }
            let shape = match body["msg_type"].as_str() {
                Some("text") => body["content"]["text"].is_string(),
                Some("interactive") => body["card"]["elements"].is_array(),
                _ => false,
            };
            if shape {
                json!({"code": 0, "msg": "success", "data": {}})
            } else {
                json!({"code": 9499, "msg": "Bad Request"})
            }
        }
        _ => json!({"errcode": 404, "errmsg": "no such bot"}),
    })
}

async fn start_bot() -> (String, Bot) {
    let state = Bot::default();
    let router = axum::Router::new()
        .fallback(axum::routing::post(bot))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, state)
}

async fn create(app: &crate::support::TestApp, token: &str, body: Value) -> i64 {
    let (status, created) = app
        .call(token, "POST", "/api/v1/webhooks", Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn test_message(app: &crate::support::TestApp, token: &str, id: i64) -> Value {
    let (status, answer) = app
        .call(
            token,
            "POST",
            &format!("/api/v1/webhooks/{id}/test-message"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

db_test!(chat_webhooks_wecom_text_and_markdown, |app| {
    let (base, bot) = start_bot().await;
    let admin = app.token("admin").await;
    let id = create(
        &app,
        &admin,
        json!({"name": "企业微信群", "url": format!("{base}/cgi-bin/webhook/send?key=bot-key-1"),
               "platform": "wecom", "kinds": ["enrolled"]}),
    )
    .await;
    let (_, hook) = app
        .call(&admin, "GET", &format!("/api/v1/webhooks/{id}"), None)
        .await;
    assert_eq!(
        (hook["platform"].as_str(), hook["style"].as_str()),
        (Some("wecom"), Some("text"))
    );
    let answer = test_message(&app, &admin, id).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(
        (
            answer["status_code"].as_i64(),
            answer["platform_code"].as_i64()
        ),
        (Some(200), Some(0))
    );
    assert_eq!(answer["message"], "ok");
    let call = bot.calls.lock().unwrap()[0].clone();
    assert_eq!(call.path, "/cgi-bin/webhook/send");
    assert_eq!(call.body["msgtype"], "text");
    let content = call.body["text"]["content"].as_str().unwrap();
    assert!(content.contains("测试消息"), "{content}");
    assert!(
        content.ends_with("/inbox"),
        "the link on the last line: {content}"
    );
    assert_eq!(
        call.body.as_object().unwrap().len(),
        2,
        "only msgtype and text: {}",
        call.body
    );

    // Markdown with a link, through the worker for a real event.
    let (status, _) = app
        .call(&admin, "PUT", &format!("/api/v1/webhooks/{id}"),
            Some(json!({"name": "企业微信群", "url": format!("{base}/cgi-bin/webhook/send?key=bot-key-1"),
                        "platform": "wecom", "style": "card", "kinds": ["enrolled"]})))
        .await;
    assert_eq!(status, 204);
    let user = app.user_id("employee").await;
    app.store
        .notify(
            &NotificationEvent::new(NotificationKind::Enrolled, vec![user])
                .param("program", "安全生产复训")
                .link("/programs/7"),
        )
        .await
        .unwrap();
    let worker = app.worker();
    worker.tick().await.unwrap();
    worker.tick().await.unwrap();
    let calls = bot.calls.lock().unwrap().clone();
    let md = &calls.last().unwrap().body;
    assert_eq!(md["msgtype"], "markdown", "{md}");
    let content = md["markdown"]["content"].as_str().unwrap();
    assert!(
        content.starts_with("**报名成功：安全生产复训**\n"),
        "{content}"
    );
    assert!(content.ends_with("[查看详情](/programs/7)"), "{content}");
    let (_, log) = app
        .call(
            &admin,
            "GET",
            &format!("/api/v1/webhooks/{id}/deliveries"),
            None,
        )
        .await;
    let kinds: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("enrolled".into(), "delivered".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("test".into(), "delivered".into())),
        "{kinds:?}"
    );
    assert_eq!(
        app.audit("notifications.webhook_test_message").await.total,
        1
    );
    assert_eq!(app.audit("notifications.webhook_platform").await.total, 1);

    // A wrong key: WeCom's errcode reaches the admin, and the try is logged as failed.
    let bad = create(
        &app,
        &admin,
        json!({"name": "错 key", "url": format!("{base}/cgi-bin/webhook/send?key=nope"),
               "platform": "wecom", "kinds": ["enrolled"]}),
    )
    .await;
    let answer = test_message(&app, &admin, bad).await;
    assert_eq!(answer["ok"], false);
    assert_eq!(answer["platform_code"], 93000);
    assert_eq!(answer["message"], "invalid webhook url");
    let delivery = app
        .store
        .webhook_delivery(answer["delivery_id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(delivery.status, DeliveryStatus::Failed);
    assert!(delivery.last_error.unwrap().contains("93000"));
});

db_test!(chat_webhooks_dingtalk_signature, |app| {
    let (base, bot) = start_bot().await;
    let secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
    *bot.secret.lock().unwrap() = secret.into();
    let admin = app.token("admin").await;
    let id = create(
        &app,
        &admin,
        json!({"name": "钉钉群", "url": format!("{base}/robot/send?access_token=tok"),
               "platform": "dingtalk", "style": "card", "secret": secret, "kinds": ["enrolled"]}),
    )
    .await;
    let answer = test_message(&app, &admin, id).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["platform_code"], 0);
    let call = bot.calls.lock().unwrap()[0].clone();
    assert_eq!(call.query["access_token"], "tok");
    assert!(call.query.contains_key("timestamp") && call.query.contains_key("sign"));
    assert_eq!(call.body["msgtype"], "markdown");
    let title = call.body["markdown"]["title"].as_str().unwrap();
    let text = call.body["markdown"]["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("### {title}\n\n")), "{text}");
    assert!(text.contains("[查看详情](/inbox)"), "{text}");

    // The bot with another secret refuses the signature: its errcode is shown.
    *bot.secret.lock().unwrap() = "SECanother-secret-entirely-0000000000".into();
    let answer = test_message(&app, &admin, id).await;
    assert_eq!(answer["ok"], false);
    assert_eq!(answer["platform_code"], 310000);
    assert_eq!(answer["message"], "sign not match");

    // Text style, unsigned bot (keyword security): no timestamp or sign in the URL.
    *bot.secret.lock().unwrap() = String::new();
    let plain = create(
        &app,
        &admin,
        json!({"name": "钉钉关键词", "url": format!("{base}/robot/send?access_token=kw"),
               "platform": "dingtalk", "kinds": ["enrolled"]}),
    )
    .await;
    assert_eq!(test_message(&app, &admin, plain).await["ok"], true);
    let call = bot.calls.lock().unwrap().last().unwrap().clone();
    assert!(!call.query.contains_key("sign"), "{:?}", call.query);
    assert_eq!(call.body["msgtype"], "text");
    assert!(
        call.body["text"]["content"]
            .as_str()
            .unwrap()
            .contains("测试消息")
    );
});

db_test!(chat_webhooks_feishu_card_and_page_button, |app| {
    let (base, bot) = start_bot().await;
    let secret = "feishu-bot-secret-0123";
    *bot.secret.lock().unwrap() = secret.into();
    let admin = app.token("admin").await;
    let id = create(
        &app,
        &admin,
        json!({"name": "飞书群", "url": format!("{base}/open-apis/bot/v2/hook/feishu-1"),
               "platform": "feishu", "style": "card", "secret": secret, "kinds": ["enrolled"]}),
    )
    .await;
    let answer = test_message(&app, &admin, id).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["message"], "success");
    let call = bot.calls.lock().unwrap()[0].clone();
    assert_eq!(call.body["msg_type"], "interactive");
    assert!(call.body["timestamp"].is_string() && call.body["sign"].is_string());
    let card = &call.body["card"];
    assert_eq!(card["header"]["title"]["tag"], "plain_text");
    let button = &card["elements"][1]["actions"][0];
    assert_eq!(
        (button["tag"].as_str(), button["url"].as_str()),
        (Some("button"), Some("/inbox"))
    );

    // Text style, from the page: the page shows Feishu's answer.
    let (status, _) = app
        .call(
            &admin,
            "PUT",
            &format!("/api/v1/webhooks/{id}"),
            Some(
                json!({"name": "飞书群", "url": format!("{base}/open-apis/bot/v2/hook/feishu-1"),
                        "platform": "feishu", "style": "text", "kinds": ["enrolled"]}),
            ),
        )
        .await;
    assert_eq!(status, 204);
    let (browser, _) = app.login("admin").await;
    let page = app
        .page_text(&browser, &format!("/admin/webhooks/{id}"))
        .await;
    assert!(page.contains("立即发送测试消息") || page.contains("Send a test message now"));
    let csrf = extract_csrf(&page);
    let res = browser
        .post(app.url(&format!("/admin/webhooks/{id}/test-message")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"test-answer\""), "{html}");
    assert!(html.contains("success"), "the platform's message is shown");
    let call = bot.calls.lock().unwrap().last().unwrap().clone();
    assert_eq!(call.body["msg_type"], "text");
    assert!(
        call.body["content"]["text"]
            .as_str()
            .unwrap()
            .contains("测试消息")
    );
    // The secret was kept on update, so the text message is signed too.
    assert!(call.body["sign"].is_string());

    // A bad platform is refused with its field named.
    let (status, problem) = app
        .call(&admin, "POST", "/api/v1/webhooks",
            Some(json!({"name": "x", "url": format!("{base}/x"), "platform": "slack", "kinds": ["enrolled"]})))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["field"], "platform");
});
