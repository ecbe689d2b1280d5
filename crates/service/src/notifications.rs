//! Rendering notifications: an event's kind and parameters become a title and a body
//! in the reader's language at display or send time, and the JSON body of webhooks.
//!
//! Templates are UI texts (`notify.<kind>.title` / `.body`, or `notify.<kind>.<change>.*`
//! when the event has a `change` parameter). `{name}` is replaced by the parameter;
//! a `[...]` part is left out when a parameter inside it is missing. Parameters named
//! `*_at` are RFC 3339 times, shown in the company's zone.

use crate::Context;
use crate::access::require;
use domain::audit::Actor;
use domain::notifications::{
    Channel, InboxItem, NotificationKind, Params, Preference, WebhookDelivery, WebhookEndpoint,
    WebhookInput,
};
use domain::{DomainResult, Page, Paged, Permission, Principal};
use i18n::{Locale, Tr};
use store::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// A rendered notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

/// Title and body of an event in `locale`.
pub fn render(
    kind: NotificationKind,
    params: &Params,
    locale: Locale,
    timezone: UtcOffset,
) -> Rendered {
    let t = Tr(locale);
    let base = format!("notify.{}", kind.code());
    let specific = params
        .get("change")
        .map(|c| format!("{base}.{c}"))
        .filter(|k| Tr::has(&format!("{k}.title")));
    let key = specific.unwrap_or(base);
    Rendered {
        title: fill(t.get(&format!("{key}.title")), params, timezone),
        body: fill(t.get(&format!("{key}.body")), params, timezone),
    }
}

/// The name of a kind in `locale`.
pub fn kind_label(kind: NotificationKind, locale: Locale) -> &'static str {
    Tr(locale).get(&format!("notify.kind.{}", kind.code()))
}

/// A parameter's value as shown: times in the company's zone, the rest as stored.
fn shown(name: &str, value: &str, timezone: UtcOffset) -> String {
    if name.ends_with("_at")
        && let Ok(t) = OffsetDateTime::parse(value, &Rfc3339)
    {
        let l = t.to_offset(timezone);
        return format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            u8::from(l.month()),
            l.day(),
            l.hour(),
            l.minute()
        );
    }
    value.to_string()
}

/// Fills `{name}` placeholders; drops `[...]` parts whose placeholders are missing.
fn fill(template: &str, params: &Params, timezone: UtcOffset) -> String {
    // Returns the filled text and whether every placeholder was known.
    fn plain(text: &str, params: &Params, timezone: UtcOffset) -> (String, bool) {
        let mut out = String::with_capacity(text.len());
        let mut complete = true;
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match params.get(name).filter(|v| !v.trim().is_empty()) {
                        Some(v) => out.push_str(&shown(name, v, timezone)),
                        None => complete = false,
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push_str(&rest[open..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        (out, complete)
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('[') {
        out.push_str(&plain(&rest[..open], params, timezone).0);
        let after = &rest[open + 1..];
        let close = after.find(']').unwrap_or(after.len());
        let (part, complete) = plain(&after[..close], params, timezone);
        if complete {
            out.push_str(&part);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    out.push_str(&plain(rest, params, timezone).0);
    out
}

/// The JSON body of a webhook delivery: `{id, kind, occurred_at, params, text}`, `text`
/// being the title and body in Chinese (the company's language), ready for a chat bot.
pub fn webhook_body(
    delivery_key: &str,
    kind: &str,
    occurred_at: OffsetDateTime,
    params: &Params,
    text: &str,
) -> String {
    serde_json::json!({
        "id": delivery_key,
        "kind": kind,
        "occurred_at": occurred_at.format(&Rfc3339).unwrap_or_default(),
        "params": params,
        "text": text,
    })
    .to_string()
}

// The rules the pages and the API share.

/// Registers an endpoint; returns its id and the secret, generated when none was given.
pub async fn create_webhook(
    ctx: &Context,
    principal: &Principal,
    input: &WebhookInput,
    actor: &Actor,
) -> DomainResult<(i64, String)> {
    require(principal, Permission::ManageWebhooks)?;
    let valid = input.validated()?;
    let secret = valid
        .secret
        .clone()
        .unwrap_or_else(|| format!("whsec_{}", crate::secrets::new_secret()));
    let id = ctx.store.create_webhook(&valid, &secret, actor).await?;
    Ok((id, secret))
}

/// Changes an endpoint (an empty secret keeps the stored one).
pub async fn update_webhook(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    input: &WebhookInput,
    actor: &Actor,
) -> DomainResult<()> {
    require(principal, Permission::ManageWebhooks)?;
    let valid = input.validated()?;
    ctx.store.update_webhook(id, &valid, actor).await
}

/// Queues a `test` event to an endpoint (active or not); returns the delivery id.
pub async fn send_test_event(ctx: &Context, principal: &Principal, id: i64) -> DomainResult<i64> {
    require(principal, Permission::ManageWebhooks)?;
    let endpoint = ctx.store.webhook(id).await?;
    let key = format!(
        "test-{}",
        crate::secrets::hex(&crate::secrets::random_bytes::<8>())
    );
    let mut params = Params::new();
    params.insert("webhook".into(), endpoint.name.clone());
    let text = Tr(Locale::ZhCn).get("notify.test.text");
    let body = webhook_body(&key, "test", OffsetDateTime::now_utc(), &params, text);
    ctx.store
        .queue_webhook_delivery(endpoint.id, None, "test", &body)
        .await
}

/// Title and body of a notification for `locale`, times in the company's zone.
pub fn rendered(
    ctx: &Context,
    kind: domain::notifications::NotificationKind,
    params: &Params,
    locale: Locale,
) -> Rendered {
    render(kind, params, locale, ctx.settings.timezone)
}

/// The caller's inbox, newest first; `unread_only` leaves out what was read.
pub async fn inbox(
    ctx: &Context,
    caller: &Principal,
    unread_only: bool,
    page: Page,
) -> DomainResult<Paged<InboxItem>> {
    ctx.store.inbox(caller.user_id, unread_only, page).await
}

/// How many of the caller's notifications are unread.
pub async fn unread_count(ctx: &Context, caller: &Principal) -> DomainResult<i64> {
    ctx.store.unread_notifications(caller.user_id).await
}

/// Marks one of the caller's notifications read (someone else's is not found).
pub async fn mark_read(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<InboxItem> {
    ctx.store.mark_notification_read(caller.user_id, id).await
}

/// Marks all of the caller's notifications read; returns how many were unread.
pub async fn mark_all_read(ctx: &Context, caller: &Principal) -> DomainResult<u64> {
    ctx.store.mark_all_notifications_read(caller.user_id).await
}

/// The caller's switches: every kind on every channel.
pub async fn preferences(ctx: &Context, caller: &Principal) -> DomainResult<Vec<Preference>> {
    ctx.store.notification_preferences(caller.user_id).await
}

/// Switches kinds on or off per channel for the caller (switching a mandatory kind off
/// is refused); returns the full table after the change.
pub async fn set_preferences(
    ctx: &Context,
    caller: &Principal,
    changes: &[Preference],
    actor: &Actor,
) -> DomainResult<Vec<Preference>> {
    ctx.store
        .set_notification_preferences(caller.user_id, changes, actor)
        .await
}

/// Every optional kind on every channel, on where `on` lists `kind:channel` and off
/// elsewhere (a form of check boxes sends only the checked ones; mandatory kinds are
/// not in it and stay on).
pub fn preferences_from_switches(on: &[&str]) -> Vec<Preference> {
    NotificationKind::ALL
        .iter()
        .filter(|k| !k.is_mandatory())
        .flat_map(|&kind| {
            Channel::ALL.iter().map(move |&channel| Preference {
                kind,
                channel,
                enabled: on.contains(&format!("{}:{}", kind.code(), channel.code()).as_str()),
            })
        })
        .collect()
}

/// Registered webhook endpoints.
pub async fn list_webhooks(
    ctx: &Context,
    caller: &Principal,
) -> DomainResult<Vec<WebhookEndpoint>> {
    require(caller, Permission::ManageWebhooks)?;
    ctx.store.list_webhooks().await
}

/// One webhook endpoint.
pub async fn webhook(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<WebhookEndpoint> {
    require(caller, Permission::ManageWebhooks)?;
    ctx.store.webhook(id).await
}

/// An endpoint's deliveries, newest first.
pub async fn webhook_deliveries(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    page: Page,
) -> DomainResult<Paged<WebhookDelivery>> {
    require(caller, Permission::ManageWebhooks)?;
    ctx.store.webhook(id).await?;
    ctx.store.webhook_deliveries(id, page).await
}

/// Removes an endpoint and its delivery log.
pub async fn delete_webhook(
    ctx: &Context,
    caller: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<()> {
    require(caller, Permission::ManageWebhooks)?;
    ctx.store.delete_webhook(id, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn renders_in_both_languages_with_local_times() {
        let tz = UtcOffset::from_hms(8, 0, 0).unwrap();
        let p = params(&[
            ("program", "安全生产"),
            ("session", "第一讲"),
            ("starts_at", "2026-11-25T01:00:00Z"),
            ("change", "moved"),
            ("new_starts_at", "2026-11-26T01:30:00Z"),
        ]);
        let zh = render(NotificationKind::SessionChanged, &p, Locale::ZhCn, tz);
        assert_eq!(zh.title, "课程时间调整：第一讲");
        assert_eq!(
            zh.body,
            "「安全生产」的「第一讲」由 2026-11-25 09:00 调整到 2026-11-26 09:30。"
        );
        let en = render(NotificationKind::SessionChanged, &p, Locale::En, tz);
        assert_eq!(en.title, "Session moved: 第一讲");
    }

    #[test]
    fn optional_parts_drop_when_their_parameter_is_missing() {
        let tz = UtcOffset::UTC;
        let p = params(&[("program", "QC")]);
        let r = render(NotificationKind::Enrolled, &p, Locale::En, tz);
        assert_eq!(r.body, "You have a seat in “QC”.");
        let p = params(&[("program", "QC"), ("starts_at", "2026-01-02T03:04:00Z")]);
        let r = render(NotificationKind::Enrolled, &p, Locale::En, tz);
        assert_eq!(
            r.body,
            "You have a seat in “QC”. First session: 2026-01-02 03:04."
        );
    }

    #[test]
    fn every_kind_has_texts() {
        for kind in NotificationKind::ALL {
            for part in ["title", "body"] {
                assert!(
                    Tr::has(&format!("notify.{}.{part}", kind.code())),
                    "{kind:?}"
                );
            }
            assert!(Tr::has(&format!("notify.kind.{}", kind.code())));
        }
    }
}
