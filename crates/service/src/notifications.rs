//! Rendering notifications: an event's kind and parameters become a title and a body
//! in the reader's language at display or send time, and the JSON body of webhooks.
//! The inbox, preferences and webhooks as people manage them, and what the notification
//! jobs do: fanning an event out to e-mail and webhooks, and the reminders that are due.
//!
//! Templates are UI texts (`notify.<kind>.title` / `.body`, or `notify.<kind>.<change>.*`
//! when the event has a `change` parameter). `{name}` is replaced by the parameter;
//! a `[...]` part is left out when a parameter inside it is missing. Parameters named
//! `*_at` are RFC 3339 times, shown in the company's zone.

use crate::Context;
use crate::access::require;
use domain::audit::Actor;
use domain::notifications::{
    Channel, DueReminder, EmailRecipient, InboxItem, NotificationEvent, NotificationKind, Params,
    Preference, StoredEvent, WebhookAnswer, WebhookDelivery, WebhookEndpoint, WebhookInput,
    WebhookPlatform,
};
use domain::{DomainError, DomainResult, Page, Paged, Permission, Principal};
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

/// The JSON body of a webhook delivery: `{id, kind, occurred_at, params, text, link}`,
/// `text` being the title and body in Chinese (the company's language), ready for a chat
/// bot, and `link` the site path the event opens (or null). Chat platform endpoints get
/// this turned into their own message format when it is sent (`app::chat`).
pub fn webhook_body(
    delivery_key: &str,
    kind: &str,
    occurred_at: OffsetDateTime,
    params: &Params,
    text: &str,
    link: Option<&str>,
) -> String {
    serde_json::json!({
        "id": delivery_key,
        "kind": kind,
        "occurred_at": occurred_at.format(&Rfc3339).unwrap_or_default(),
        "params": params,
        "text": text,
        "link": link,
    })
    .to_string()
}

/// Sends one message to an endpoint at once and reports its answer. The binary's
/// delivery adapter (`app::notify`) implements it: it turns the generic body into the
/// endpoint platform's format, signs it and POSTs it. The server puts one in the
/// [`Context`]; contexts without one (the CLI) cannot send test messages.
pub trait WebhookSender: Send + Sync {
    /// POSTs `body` (a [`webhook_body`]) to `endpoint`; `delivery` is the delivery's id
    /// when it has one.
    fn send<'a>(
        &'a self,
        endpoint: &'a WebhookEndpoint,
        kind: &'a str,
        delivery: Option<i64>,
        body: &'a str,
    ) -> futures::future::BoxFuture<'a, WebhookAnswer>;
}

/// The body of a test message to `endpoint`.
fn test_body(endpoint: &WebhookEndpoint) -> String {
    let key = format!(
        "test-{}",
        crate::secrets::hex(&crate::secrets::random_bytes::<8>())
    );
    let mut params = Params::new();
    params.insert("webhook".into(), endpoint.name.clone());
    let text = Tr(Locale::ZhCn).get("notify.test.text");
    webhook_body(
        &key,
        "test",
        OffsetDateTime::now_utc(),
        &params,
        text,
        Some("/inbox"),
    )
}

/// Sends a test message to an endpoint at once (active or not), in its platform's
/// format, and returns the logged delivery's id and what the endpoint answered (the
/// platform's `errcode` / `code` and message), so an administrator sees at once whether
/// the bot took it. The try is in the delivery log and the audit log.
pub async fn send_test_message(
    ctx: &Context,
    principal: &Principal,
    id: i64,
    actor: &Actor,
) -> DomainResult<(i64, WebhookAnswer)> {
    require(principal, Permission::ManageWebhooks)?;
    let endpoint = ctx.store.webhook(id).await?;
    let sender = ctx
        .webhook_sender
        .as_ref()
        .ok_or_else(|| DomainError::internal("this process has no webhook sender"))?;
    let body = test_body(&endpoint);
    let answer = sender.send(&endpoint, "test", None, &body).await;
    let delivery = ctx
        .store
        .log_test_message(endpoint.id, &body, &answer, actor)
        .await?;
    Ok((delivery, answer))
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
    // Chat bots sign only with the secret their platform gave; a generic endpoint
    // always signs, with a generated secret when none was given.
    let secret = match (&valid.secret, valid.platform) {
        (Some(s), _) => s.clone(),
        (None, WebhookPlatform::Generic) => format!("whsec_{}", crate::secrets::new_secret()),
        (None, _) => String::new(),
    };
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
    let body = test_body(&endpoint);
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

// What the notification jobs do (the worker calls these; it only reads the job's
// payload, sends the e-mail over SMTP and POSTs the webhook).

/// Job kind of one notification e-mail (payload `{"event": id, "user": id}`).
pub const EMAIL_JOB: &str = "notification_email";
/// How often an e-mail job is tried.
const EMAIL_ATTEMPTS: i32 = 5;

/// What dispatching an event queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dispatched {
    /// E-mail jobs, one per recipient who takes the event by e-mail.
    pub emails: usize,
    /// Webhook deliveries, one per active endpoint subscribed to the event's kind.
    pub webhooks: usize,
}

/// The text of an event for webhooks: title and body in the company's language.
fn webhook_text(event: &StoredEvent, timezone: UtcOffset) -> String {
    let r = render(event.kind, &event.params, Locale::ZhCn, timezone);
    format!("{}\n{}", r.title, r.body)
}

/// Fans event `event_id` out: one e-mail job per recipient who takes it by e-mail (when
/// `email` is on, i.e. SMTP is configured), one delivery per active webhook subscribed
/// to its kind.
pub async fn dispatch_event(ctx: &Context, event_id: i64, email: bool) -> DomainResult<Dispatched> {
    let event = ctx.store.notification_event(event_id).await?;
    let mut dispatched = Dispatched::default();
    if email {
        for recipient in ctx.store.email_recipients(&event).await? {
            let payload = serde_json::json!({ "event": event.id, "user": recipient.user_id });
            ctx.store
                .enqueue_job(
                    EMAIL_JOB,
                    &payload.to_string(),
                    OffsetDateTime::now_utc(),
                    EMAIL_ATTEMPTS,
                )
                .await?;
            dispatched.emails += 1;
        }
    }
    let hooks = ctx.store.webhooks_for(event.kind).await?;
    for hook in &hooks {
        let key = format!("evt{}-wh{}", event.id, hook.id);
        let body = webhook_body(
            &key,
            event.kind.code(),
            event.occurred_at,
            &event.params,
            &webhook_text(&event, ctx.settings.timezone),
            event.link.as_deref(),
        );
        ctx.store
            .queue_webhook_delivery(hook.id, Some(event.id), event.kind.code(), &body)
            .await?;
    }
    dispatched.webhooks = hooks.len();
    Ok(dispatched)
}

/// The event of an e-mail job and its recipient `user`, checked again at send time:
/// `None` when they no longer take it (opted out, lost their address or left since).
pub async fn email_to_send(
    ctx: &Context,
    event_id: i64,
    user: i64,
) -> DomainResult<Option<(StoredEvent, EmailRecipient)>> {
    let event = ctx.store.notification_event(event_id).await?;
    let recipients = ctx.store.email_recipients(&event).await?;
    Ok(recipients
        .into_iter()
        .find(|r| r.user_id == user)
        .map(|recipient| (event, recipient)))
}

/// A queued webhook delivery and the endpoint it goes to.
pub async fn webhook_to_deliver(
    ctx: &Context,
    delivery_id: i64,
) -> DomainResult<(WebhookDelivery, WebhookEndpoint)> {
    let delivery = ctx.store.webhook_delivery(delivery_id).await?;
    let endpoint = ctx.store.webhook(delivery.endpoint_id).await?;
    Ok((delivery, endpoint))
}

/// Records one try of a delivery: the endpoint's status code (none when it could not be
/// reached), the error (none on success), and whether this was the last try (then a
/// failed delivery is marked failed).
pub async fn record_webhook_attempt(
    ctx: &Context,
    delivery_id: i64,
    status_code: Option<i32>,
    error: Option<&str>,
    gave_up: bool,
) -> DomainResult<()> {
    ctx.store
        .record_webhook_attempt(delivery_id, status_code, error, gave_up)
        .await
}

/// Days before its due date a practice task is reminded of.
const PRACTICE_DUE_AHEAD_DAYS: i64 = 3;
/// Days before expiry a certificate holder is told to plan the refresher.
const CERTIFICATE_AHEAD_DAYS: i64 = 30;
/// How far ahead a session is reminded of.
const SESSION_AHEAD_HOURS: i64 = 24;

/// What a reminder sweep found and sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemindersSent {
    /// Reminders due.
    pub due: usize,
    /// Of those, how many reached someone not reminded of the same thing before.
    pub reminded: usize,
}

/// Sends every reminder due at `now` (the hourly job); the sent-log keeps each (kind,
/// subject, person) to one reminder. `learning_overdue_days`: how long after a program
/// unfinished learning is reminded of.
pub async fn send_due_reminders(
    ctx: &Context,
    now: OffsetDateTime,
    learning_overdue_days: i64,
) -> DomainResult<RemindersSent> {
    let due = due_reminders(ctx, now, learning_overdue_days).await?;
    let reminded = ctx.store.send_reminders(&due).await?;
    Ok(RemindersSent {
        due: due.len(),
        reminded,
    })
}

/// Every reminder that is due at `now`: sessions within a day, unfinished learning,
/// approval steps waiting or overdue, practice tasks and behavior ratings due, and
/// certificates expiring. A new source is one store function returning
/// [`DueReminder`]s, added here.
pub async fn due_reminders(
    ctx: &Context,
    now: OffsetDateTime,
    learning_overdue_days: i64,
) -> DomainResult<Vec<DueReminder>> {
    let store = &ctx.store;
    let mut due = store
        .due_session_reminders(now, time::Duration::hours(SESSION_AHEAD_HOURS))
        .await?;
    due.extend(
        store
            .due_learning_overdue(now, learning_overdue_days)
            .await?,
    );
    let today = now.to_offset(ctx.settings.timezone).date();
    due.extend(approval_reminders(ctx, now).await?);
    due.extend(practice_reminders(ctx, today).await?);
    due.extend(certificate_reminders(ctx, today).await?);
    Ok(due)
}

/// One reminder to the logins of `employee` (none when they have no login).
async fn to_employee(
    ctx: &Context,
    employee: i64,
    event: NotificationEvent,
    subject: String,
) -> DomainResult<Option<DueReminder>> {
    let users = ctx.store.users_of_employees(&[employee]).await?;
    Ok((!users.is_empty()).then_some(DueReminder {
        event: NotificationEvent {
            recipients: users,
            ..event
        },
        subject,
    }))
}

/// Approval steps waiting in the last week (each approver hears once per step) and
/// steps past their deadline (once more).
async fn approval_reminders(ctx: &Context, now: OffsetDateTime) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    let waiting = ctx
        .store
        .approval_steps_waiting_since(now - time::Duration::days(7))
        .await?;
    let overdue = ctx.store.overdue_approval_steps(now).await?;
    for (steps, prefix) in [(waiting, "approval"), (overdue, "approval-overdue")] {
        for step in steps {
            if step.recipient_user_ids.is_empty() {
                continue;
            }
            out.push(DueReminder {
                event: NotificationEvent::new(
                    NotificationKind::ApprovalWaiting,
                    step.recipient_user_ids.clone(),
                )
                .param("request", &step.need_title)
                .link(format!("/needs/{}", step.need_id)),
                subject: format!("{prefix}:{}", step.step_id),
            });
        }
    }
    Ok(out)
}

/// Practice tasks due within a few days without a report, and behavior ratings that
/// fell due.
async fn practice_reminders(ctx: &Context, today: time::Date) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    for task in ctx
        .store
        .practice_tasks_due(today + time::Duration::days(PRACTICE_DUE_AHEAD_DAYS))
        .await?
    {
        let event = NotificationEvent::new(NotificationKind::PracticeTaskDue, Vec::new())
            .param("task", &task.title)
            .param("due_on", task.due_on)
            .link(format!("/practice/{}", task.id));
        out.extend(
            to_employee(
                ctx,
                task.employee_id,
                event,
                format!("practice:{}", task.id),
            )
            .await?,
        );
    }
    for rating in ctx.store.behavior_ratings_due(today).await? {
        let event = NotificationEvent::new(NotificationKind::BehaviorRatingDue, Vec::new())
            .param("program", &rating.program_title)
            .param("employee", &rating.employee_name)
            .link("/practice");
        out.extend(
            to_employee(ctx, rating.rater_id, event, format!("rating:{}", rating.id)).await?,
        );
    }
    Ok(out)
}

/// Valid certificates that expire within the month: time to plan recertification.
async fn certificate_reminders(ctx: &Context, today: time::Date) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    for certificate in ctx
        .store
        .certificates_expiring(CERTIFICATE_AHEAD_DAYS, today)
        .await?
    {
        let Some(expires_on) = certificate.expires_on else {
            continue;
        };
        let event = NotificationEvent::new(NotificationKind::CertificateExpiring, Vec::new())
            .param(
                "certificate",
                format!("{} {}", certificate.program_title, certificate.number),
            )
            .param("expires_on", expires_on)
            .link("/my/learning");
        out.extend(
            to_employee(
                ctx,
                certificate.employee_id,
                event,
                format!("certificate:{}", certificate.id),
            )
            .await?,
        );
    }
    Ok(out)
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
