//! Chat platforms' group bots: turning the generic webhook body (`{id, kind, occurred_at,
//! params, text, link}`, see `service::notifications::webhook_body`) into the message a
//! platform takes, signing it the way the platform documents, and reading its answer.
//!
//! - WeCom (企业微信) group bot: `{"msgtype":"text","text":{"content":..}}` or
//!   `{"msgtype":"markdown","markdown":{"content":..}}`; the bot's key is in the URL.
//! - DingTalk (钉钉) group bot: `{"msgtype":"text","text":{"content":..}}` or
//!   `{"msgtype":"markdown","markdown":{"title":..,"text":..}}`; with a secret the URL
//!   gets `&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256(secret, "<ms>\n<secret>")))>`.
//! - Feishu (飞书) bot: `{"msg_type":"text","content":{"text":..}}` or an interactive card
//!   with a link button; with a secret the body gets `timestamp` (seconds) and `sign` =
//!   base64(HMAC-SHA256 keyed by "<timestamp>\n<secret>" over an empty message).
//!
//! Their answers carry a result code: `errcode` (WeCom, DingTalk) or `code` (Feishu), zero
//! when the message was taken.

use base64::Engine;
use domain::notifications::{MessageStyle, WebhookAnswer, WebhookEndpoint, WebhookPlatform};
use hmac::{Hmac, Mac};
use i18n::{Locale, Tr};
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;

/// One HTTP POST, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub url: String,
    pub body: String,
    /// Extra headers (the generic endpoint's signature).
    pub headers: Vec<(&'static str, String)>,
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any size")]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any size");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// DingTalk's signature for `timestamp_ms`: base64 of HMAC-SHA256 keyed by the secret over
/// `"<timestamp>\n<secret>"` (not yet URL-encoded).
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let text = format!("{timestamp_ms}\n{secret}");
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(secret.as_bytes(), text.as_bytes()))
}

/// Feishu's signature for `timestamp` (seconds): base64 of HMAC-SHA256 keyed by
/// `"<timestamp>\n<secret>"` over an empty message.
pub fn feishu_sign(secret: &str, timestamp: i64) -> String {
    let key = format!("{timestamp}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key.as_bytes(), b""))
}

/// The POST of `body` (a generic webhook body) to `endpoint` at `now`: the generic body
/// signed in headers, or the platform's message. `public_url` makes the link absolute.
pub fn outgoing(
    endpoint: &WebhookEndpoint,
    kind: &str,
    delivery: Option<i64>,
    body: &str,
    public_url: Option<&str>,
    now: OffsetDateTime,
) -> Outgoing {
    if endpoint.platform == WebhookPlatform::Generic {
        let timestamp = now.unix_timestamp();
        let mut headers = vec![
            ("x-skillbridge-event", kind.to_string()),
            ("x-skillbridge-timestamp", timestamp.to_string()),
            (
                "x-skillbridge-signature",
                crate::notify::signature(&endpoint.secret, timestamp, body),
            ),
        ];
        if let Some(id) = delivery {
            headers.push(("x-skillbridge-delivery", id.to_string()));
        }
        return Outgoing {
            url: endpoint.url.clone(),
            body: body.to_string(),
            headers,
        };
    }
    let generic: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let text = generic["text"].as_str().unwrap_or_default();
    let (title, rest) = text.split_once('\n').unwrap_or((text, ""));
    let link = generic["link"].as_str().map(|path| {
        if path.starts_with('/') {
            format!("{}{path}", public_url.unwrap_or_default())
        } else {
            path.to_string()
        }
    });
    let open = Tr(Locale::ZhCn).get("webhooks.open_link");
    let plain = match &link {
        Some(l) => format!("{text}\n{l}"),
        None => text.to_string(),
    };
    let link_md = link
        .as_ref()
        .map(|l| format!("\n\n[{open}]({l})"))
        .unwrap_or_default();
    let secret = endpoint.secret.trim();
    let mut url = endpoint.url.clone();
    let message = match (endpoint.platform, endpoint.style) {
        (WebhookPlatform::Wecom, MessageStyle::Text) => {
            json!({"msgtype": "text", "text": {"content": plain}})
        }
        (WebhookPlatform::Wecom, MessageStyle::Card) => json!({
            "msgtype": "markdown",
            "markdown": {"content": format!("**{title}**\n{rest}{link_md}")}
        }),
        (WebhookPlatform::Dingtalk, style) => {
            if !secret.is_empty() {
                let ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
                let sign = url_encode(&dingtalk_sign(secret, ms));
                let joiner = if url.contains('?') { '&' } else { '?' };
                url = format!("{url}{joiner}timestamp={ms}&sign={sign}");
            }
            match style {
                MessageStyle::Text => json!({"msgtype": "text", "text": {"content": plain}}),
                MessageStyle::Card => json!({
                    "msgtype": "markdown",
                    "markdown": {"title": title, "text": format!("### {title}\n\n{rest}{link_md}")}
                }),
            }
        }
        (WebhookPlatform::Feishu, style) => {
            let mut message = match style {
                MessageStyle::Text => json!({"msg_type": "text", "content": {"text": plain}}),
                MessageStyle::Card => {
                    let mut elements = vec![json!({
                        "tag": "div",
                        "text": {"tag": "lark_md", "content": rest}
                    })];
                    if let Some(l) = &link {
                        elements.push(json!({
                            "tag": "action",
                            "actions": [{
                                "tag": "button",
                                "text": {"tag": "plain_text", "content": open},
                                "type": "primary",
                                "url": l
                            }]
                        }));
                    }
                    json!({
                        "msg_type": "interactive",
                        "card": {
                            "header": {"title": {"tag": "plain_text", "content": title}, "template": "blue"},
                            "elements": elements
                        }
                    })
                }
            };
            if !secret.is_empty() {
                let ts = now.unix_timestamp();
                message["timestamp"] = json!(ts.to_string());
                message["sign"] = json!(feishu_sign(secret, ts));
            }
            message
        }
        (WebhookPlatform::Generic, _) => Value::Null,
    };
    Outgoing {
        url,
        body: message.to_string(),
        headers: Vec::new(),
    }
}

/// What the endpoint's answer says: for chat platforms the result code of the JSON body
/// decides (a 200 with a non-zero code is a refusal); for a generic endpoint the status.
pub fn answer(platform: WebhookPlatform, status: u16, body: &str) -> WebhookAnswer {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let (code, message) = match platform {
        WebhookPlatform::Generic => (None, None),
        WebhookPlatform::Wecom | WebhookPlatform::Dingtalk => (
            json["errcode"].as_i64(),
            json["errmsg"].as_str().map(str::to_string),
        ),
        WebhookPlatform::Feishu => (
            json["code"].as_i64().or(json["StatusCode"].as_i64()),
            json["msg"]
                .as_str()
                .or(json["StatusMessage"].as_str())
                .map(str::to_string),
        ),
    };
    let success = (200..300).contains(&status);
    WebhookAnswer {
        status_code: Some(i32::from(status)),
        platform_code: code,
        message: message.unwrap_or_else(|| body.chars().take(300).collect()),
        ok: success && code.unwrap_or(0) == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_openssl() {
        // printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
        assert_eq!(
            dingtalk_sign("SECabc", 1_700_000_000_000),
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM="
        );
        // printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nsecret')" -binary | base64
        assert_eq!(
            feishu_sign("secret", 1_700_000_000),
            "fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA="
        );
        assert_eq!(url_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
    }

    #[test]
    fn answers_read_the_platform_code() {
        let a = answer(
            WebhookPlatform::Wecom,
            200,
            r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#,
        );
        assert!(!a.ok);
        assert_eq!(a.platform_code, Some(93000));
        let a = answer(
            WebhookPlatform::Feishu,
            200,
            r#"{"code":0,"msg":"success"}"#,
        );
        assert!(a.ok);
        assert!(
            answer(WebhookPlatform::Generic, 500, "boom")
                .error()
                .is_some()
        );
    }
}
