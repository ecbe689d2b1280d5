//! Notifications (通知): what can be announced to whom, on which channel, and the
//! webhooks that forward events to other systems (WeCom, DingTalk, Feishu bots).
//!
//! An event is stored as its kind plus structured parameters; the text is rendered
//! when it is shown or sent, in the reader's language.

use crate::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

coded_enum!(
    /// What a notification is about.
    NotificationKind, "kind", {
        /// A seat in a program.
        Enrolled => "enrolled",
        /// Moved from the waiting list into a seat.
        WaitlistPromoted => "waitlist_promoted",
        /// A session starts within a day.
        SessionReminder => "session_reminder",
        /// A session was moved or cancelled.
        SessionChanged => "session_changed",
        /// A request waits for the recipient's decision.
        ApprovalWaiting => "approval_waiting",
        /// A request of the recipient was decided.
        ApprovalDecided => "approval_decided",
        /// A program ended long ago and the recipient has not finished it.
        LearningOverdue => "learning_overdue",
        PracticeTaskDue => "practice_task_due",
        BehaviorRatingDue => "behavior_rating_due",
        CertificateIssued => "certificate_issued",
        CertificateExpiring => "certificate_expiring",
        ExamGraded => "exam_graded",
    }
);

impl NotificationKind {
    /// Kinds nobody can switch off, on any channel: a moved or cancelled session
    /// (people would otherwise travel to an empty room), a request waiting for
    /// one's decision (others are blocked until it is made) and a certificate about
    /// to expire (working without a valid one breaks safety rules).
    pub fn is_mandatory(self) -> bool {
        matches!(
            self,
            NotificationKind::SessionChanged
                | NotificationKind::ApprovalWaiting
                | NotificationKind::CertificateExpiring
        )
    }
}

coded_enum!(
    /// Where a notification is delivered to a person.
    Channel, "channel", {
        InApp => "in_app",
        Email => "email",
    }
);

/// Parameters of an event: names to plain values (times as RFC 3339, rendered in the
/// company's zone).
pub type Params = BTreeMap<String, String>;

/// Something to announce: the one way every part of the product notifies people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationEvent {
    pub kind: NotificationKind,
    /// Users (accounts) to notify.
    pub recipients: Vec<i64>,
    pub params: Params,
    /// Path inside the site the notification opens (`/programs/12`).
    pub link: Option<String>,
}

impl NotificationEvent {
    /// An event of `kind` for `recipients`.
    pub fn new(kind: NotificationKind, recipients: Vec<i64>) -> Self {
        Self {
            kind,
            recipients,
            params: Params::new(),
            link: None,
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, name: &str, value: impl ToString) -> Self {
        self.params.insert(name.to_string(), value.to_string());
        self
    }

    /// Sets the link.
    pub fn link(mut self, path: impl Into<String>) -> Self {
        self.link = Some(path.into());
        self
    }

    /// Checks the link is a path of this site (it is followed by a redirect).
    pub fn validated(&self) -> DomainResult<()> {
        if let Some(link) = &self.link
            && !is_site_path(link)
        {
            return Err(DomainError::invalid(
                "link",
                "must be a path of this site, starting with a single '/'",
            ));
        }
        Ok(())
    }
}

/// Whether `path` stays on this site (no scheme, no `//host`).
pub fn is_site_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

/// One entry of a person's inbox.
#[derive(Debug, Clone, Serialize)]
pub struct InboxItem {
    pub id: i64,
    pub event_id: i64,
    pub kind: NotificationKind,
    pub params: Params,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub read_at: Option<OffsetDateTime>,
}

/// A stored event (for delivery jobs).
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub id: i64,
    pub kind: NotificationKind,
    pub params: Params,
    pub link: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub recipients: Vec<i64>,
}

/// One switch of a person's preferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preference {
    pub kind: NotificationKind,
    pub channel: Channel,
    pub enabled: bool,
}

/// A person's full preference table: every kind × channel, mandatory ones always on.
pub fn full_preferences(opted_out: &[(NotificationKind, Channel)]) -> Vec<Preference> {
    let mut out = Vec::new();
    for &kind in NotificationKind::ALL {
        for &channel in Channel::ALL {
            out.push(Preference {
                kind,
                channel,
                enabled: kind.is_mandatory() || !opted_out.contains(&(kind, channel)),
            });
        }
    }
    out
}

/// Checks a preference change: mandatory kinds cannot be switched off.
pub fn check_preferences(changes: &[Preference]) -> DomainResult<()> {
    for p in changes {
        if !p.enabled && p.kind.is_mandatory() {
            return Err(DomainError::invalid(
                "kind",
                format!(
                    "'{}' is mandatory and cannot be switched off",
                    p.kind.code()
                ),
            ));
        }
    }
    Ok(())
}

/// Where e-mail of a recipient goes and in which language it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRecipient {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub locale: Option<String>,
}

coded_enum!(
    /// Which system an endpoint is: our signed generic JSON, or a chat platform's
    /// group bot that takes that platform's own message format.
    WebhookPlatform, "platform", {
        /// Signed JSON `{id, kind, occurred_at, params, text, link}`.
        Generic => "generic",
        /// WeCom (企业微信) group bot: the key is in the URL, no signature.
        Wecom => "wecom" | "企业微信",
        /// DingTalk (钉钉) group bot: optional `SEC…` secret signs the URL.
        Dingtalk => "dingtalk" | "钉钉",
        /// Feishu / Lark (飞书) bot: optional secret signs the body.
        Feishu => "feishu" | "飞书" | "lark",
    }
);

coded_enum!(
    /// How a chat platform message looks.
    MessageStyle, "style", {
        /// Plain text, the link on its last line.
        Text => "text",
        /// Markdown (WeCom, DingTalk) or an interactive card (Feishu) with a link.
        Card => "card" | "markdown",
    }
);

/// What an endpoint answered to one POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookAnswer {
    /// HTTP status; `None` when the endpoint could not be reached.
    pub status_code: Option<i32>,
    /// The platform's own result code (`errcode` of WeCom and DingTalk, `code` of Feishu).
    pub platform_code: Option<i64>,
    /// The platform's message (`errmsg` / `msg`), or why the endpoint could not be reached.
    pub message: String,
    /// Whether the message was accepted: a 2xx status and a zero platform code.
    pub ok: bool,
}

impl WebhookAnswer {
    /// The error to record for a failed try; `None` when it succeeded.
    pub fn error(&self) -> Option<String> {
        if self.ok {
            return None;
        }
        Some(match (self.status_code, self.platform_code) {
            (None, _) => format!("cannot reach the endpoint: {}", self.message),
            (Some(s), Some(c)) => format!("HTTP {s}, code {c}: {}", self.message),
            (Some(s), None) => format!("the endpoint answered {s}: {}", self.message),
        })
    }
}

/// A company's endpoint that receives events: signed JSON, or a chat platform's bot.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub platform: WebhookPlatform,
    pub style: MessageStyle,
    /// Shared secret of the HMAC-SHA256 signature.
    #[serde(skip)]
    pub secret: String,
    pub kinds: Vec<NotificationKind>,
    pub active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl WebhookEndpoint {
    /// The secret with all but its first four characters hidden.
    pub fn masked_secret(&self) -> String {
        let head: String = self.secret.chars().take(4).collect();
        format!("{head}…")
    }
}

/// What an administrator enters for an endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookInput {
    pub name: String,
    pub url: String,
    /// `generic` (default), `wecom`, `dingtalk` or `feishu`.
    #[serde(default)]
    pub platform: String,
    /// `text` (default) or `card`.
    #[serde(default)]
    pub style: String,
    /// Empty when creating: a random one is made for generic endpoints (chat bots sign
    /// only when their platform gave one). Empty when updating: kept.
    #[serde(default)]
    pub secret: String,
    pub kinds: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A checked [`WebhookInput`].
#[derive(Debug, Clone, PartialEq)]
pub struct ValidWebhook {
    pub name: String,
    pub url: String,
    pub platform: WebhookPlatform,
    pub style: MessageStyle,
    pub secret: Option<String>,
    pub kinds: Vec<NotificationKind>,
    pub active: bool,
}

impl WebhookInput {
    /// Trims and checks every field, naming the first bad one.
    pub fn validated(&self) -> DomainResult<ValidWebhook> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::invalid("name", "1 to 100 characters"));
        }
        let url = self.url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !host.starts_with('/') && url.len() <= 2000 => {}
            _ => {
                return Err(DomainError::invalid(
                    "url",
                    "must be an http:// or https:// address",
                ));
            }
        }
        if url.chars().any(char::is_whitespace) {
            return Err(DomainError::invalid("url", "must not contain spaces"));
        }
        let platform = if self.platform.trim().is_empty() {
            WebhookPlatform::Generic
        } else {
            WebhookPlatform::parse(&self.platform)?
        };
        let style = if self.style.trim().is_empty() {
            MessageStyle::Text
        } else {
            MessageStyle::parse(&self.style)?
        };
        let secret = self.secret.trim();
        if !secret.is_empty() && !(16..=200).contains(&secret.len()) {
            return Err(DomainError::invalid("secret", "16 to 200 characters"));
        }
        let mut kinds = Vec::new();
        for code in self.kinds.iter().filter(|c| !c.trim().is_empty()) {
            let kind = NotificationKind::parse(code).map_err(|_| {
                DomainError::invalid("kinds", format!("'{code}' is not a notification kind"))
            })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        if kinds.is_empty() {
            return Err(DomainError::invalid("kinds", "choose at least one kind"));
        }
        Ok(ValidWebhook {
            name: name.to_string(),
            url: url.to_string(),
            platform,
            style,
            secret: (!secret.is_empty()).then(|| secret.to_string()),
            kinds,
            active: self.active,
        })
    }
}

coded_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus, "status", {
        Pending => "pending",
        Delivered => "delivered",
        Failed => "failed",
    }
);

/// One POST to an endpoint, retried until it succeeds or gives up.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: Option<i64>,
    /// The event kind, or `test`.
    pub kind: String,
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub status_code: Option<i32>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
}

/// A reminder some source found due: sent once per (kind, subject, recipient).
#[derive(Debug, Clone, PartialEq)]
pub struct DueReminder {
    pub event: NotificationEvent,
    /// What the reminder is about, e.g. `session:12`; with the kind it keys the sent-log.
    pub subject: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_mandatory_ones_stay_on() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.code()).unwrap(), *kind);
        }
        let prefs = full_preferences(&[
            (NotificationKind::Enrolled, Channel::Email),
            (NotificationKind::SessionChanged, Channel::InApp),
        ]);
        assert_eq!(
            prefs.len(),
            NotificationKind::ALL.len() * Channel::ALL.len()
        );
        let find = |k, c| {
            prefs
                .iter()
                .find(|p| p.kind == k && p.channel == c)
                .unwrap()
                .enabled
        };
        assert!(!find(NotificationKind::Enrolled, Channel::Email));
        assert!(find(NotificationKind::Enrolled, Channel::InApp));
        assert!(find(NotificationKind::SessionChanged, Channel::InApp));
        let off = Preference {
            kind: NotificationKind::CertificateExpiring,
            channel: Channel::Email,
            enabled: false,
        };
        assert!(check_preferences(&[off]).is_err());
    }

    #[test]
    fn webhook_input_is_checked() {
        let ok = WebhookInput {
            name: " 企业微信 ".into(),
            url: "https://bridge.example.com/hook".into(),
            platform: String::new(),
            style: String::new(),
            secret: String::new(),
            kinds: vec!["enrolled".into(), "session_changed".into()],
            active: true,
        };
        let v = ok.validated().unwrap();
        assert_eq!(v.name, "企业微信");
        assert_eq!(v.secret, None);
        assert_eq!(v.platform, WebhookPlatform::Generic);
        assert_eq!(v.style, MessageStyle::Text);
        let ding = WebhookInput {
            platform: "钉钉".into(),
            style: "markdown".into(),
            ..ok.clone()
        };
        let v = ding.validated().unwrap();
        assert_eq!(
            (v.platform, v.style),
            (WebhookPlatform::Dingtalk, MessageStyle::Card)
        );
        for (field, bad) in [
            (
                "url",
                WebhookInput {
                    url: "ftp://x".into(),
                    ..ok.clone()
                },
            ),
            (
                "kinds",
                WebhookInput {
                    kinds: vec!["nope".into()],
                    ..ok.clone()
                },
            ),
            (
                "kinds",
                WebhookInput {
                    kinds: vec![],
                    ..ok.clone()
                },
            ),
            (
                "secret",
                WebhookInput {
                    secret: "short".into(),
                    ..ok.clone()
                },
            ),
            (
                "platform",
                WebhookInput {
                    platform: "slack".into(),
                    ..ok.clone()
                },
            ),
            (
                "style",
                WebhookInput {
                    style: "html".into(),
                    ..ok.clone()
                },
            ),
        ] {
            match bad.validated() {
                Err(DomainError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn links_stay_on_site() {
        assert!(is_site_path("/programs/1"));
        assert!(!is_site_path("//evil.example.com"));
        assert!(!is_site_path("https://evil.example.com"));
        let e = NotificationEvent::new(NotificationKind::Enrolled, vec![1]).link("http://x");
        assert!(e.validated().is_err());
    }
}
