//! Notifications: events, inboxes, opt-outs, reminders' sent-log, webhooks and their
//! delivery log.
//!
//! [`notify_in!`] writes an event inside the caller's transaction, so a notification
//! exists exactly when the change it announces commits. E-mail and webhooks leave
//! through one `notification_dispatch` job queued in the same transaction (an outbox):
//! a slow mail server or endpoint never holds a request.

use crate::audit::append_in;
use crate::query::{fetch_page, fetch_rows, one_or_not_found, paged, push_in_list};
use crate::{DbTime, db_error, on_pool};
use domain::audit::Actor;
use domain::notifications::{
    Channel, DeliveryStatus, DueReminder, EmailRecipient, InboxItem, MessageStyle,
    NotificationEvent, NotificationKind, Params, Preference, StoredEvent, ValidWebhook,
    WebhookAnswer, WebhookDelivery, WebhookEndpoint, WebhookPlatform, check_preferences,
    full_preferences,
};
use domain::{DomainError, DomainResult, Page, Paged};
use sqlx::QueryBuilder;
use time::{Duration, OffsetDateTime};

/// Job kind that fans one event out to e-mail and webhooks.
pub const DISPATCH_JOB: &str = "notification_dispatch";
/// Job kind of one webhook POST (payload `{"delivery": id}`).
pub const WEBHOOK_JOB: &str = "webhook_delivery";
/// Tries of a webhook delivery before it is marked failed (backoff 30 s doubling).
pub const WEBHOOK_ATTEMPTS: i32 = 6;

/// Writes `$event` inside the open transaction `$tx`: the event row, an inbox row per
/// active recipient who has not switched the kind off in the app (mandatory kinds
/// always land), and the dispatch job when e-mail is on (`$email`) or an active webhook
/// takes the kind. Evaluates to the number of inbox rows.
macro_rules! notify_in {
    ($tx:ident, $event:expr, $email:expr) => {{
        let email: bool = $email;
        let event: &domain::notifications::NotificationEvent = $event;
        event.validated()?;
        let mut recipients: Vec<i64> = event.recipients.clone();
        recipients.sort_unstable();
        recipients.dedup();
        let mut written = 0usize;
        if !recipients.is_empty() {
            let now = $crate::DbTime(time::OffsetDateTime::now_utc());
            let params = serde_json::to_string(&event.params)
                .map_err(|e| domain::DomainError::internal_from("cannot encode JSON", e))?;
            let event_id: i64 = sqlx::query_scalar(
                "INSERT INTO notification_events (kind, params, link, recipients, occurred_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(event.kind.code())
            .bind(&params)
            .bind(&event.link)
            .bind(serde_json::json!(&recipients).to_string())
            .bind(now)
            .fetch_one(&mut *$tx)
            .await
            .map_err($crate::db_error)?;
            for chunk in recipients.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO notifications (event_id, user_id, created_at) SELECT ",
                );
                qb.push_bind(event_id).push(", u.id, ").push_bind(now);
                qb.push(" FROM users u WHERE u.active AND u.id IN (");
                push_in_list(&mut qb, chunk.iter().copied());
                if !event.kind.is_mandatory() {
                    qb.push(" AND NOT EXISTS (SELECT 1 FROM notification_opt_outs o WHERE o.user_id = u.id AND o.kind = ")
                        .push_bind(event.kind.code())
                        .push(" AND o.channel = 'in_app')");
                }
                written += qb.build().execute(&mut *$tx).await.map_err($crate::db_error)?.rows_affected() as usize;
            }
            let hooks: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM webhook_endpoints WHERE active AND (',' || kinds || ',') LIKE $1",
            )
            .bind(format!("%,{},%", event.kind.code()))
            .fetch_one(&mut *$tx)
            .await
            .map_err($crate::db_error)?;
            if email || hooks > 0 {
                sqlx::query(
                    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
                     VALUES ($1, $2, 'queued', 0, 5, $3, $3)",
                )
                .bind($crate::notifications::DISPATCH_JOB)
                .bind(serde_json::json!({ "event": event_id }).to_string())
                .bind(now)
                .execute(&mut *$tx)
                .await
                .map_err($crate::db_error)?;
            }
        }
        written
    }};
}
pub(crate) use notify_in;

/// The active accounts of employees (a person without an account gets nothing).
macro_rules! users_of_employees_in {
    ($tx:ident, $employees:expr) => {{
        let employees: &[i64] = $employees;
        let mut users: Vec<i64> = Vec::new();
        for chunk in employees.chunks(500) {
            let mut qb =
                sqlx::QueryBuilder::new("SELECT id FROM users WHERE active AND employee_id IN (");
            push_in_list(&mut qb, chunk.iter().copied());
            let found: Vec<i64> = qb
                .build_query_scalar()
                .fetch_all(&mut *$tx)
                .await
                .map_err($crate::db_error)?;
            users.extend(found);
        }
        users
    }};
}
pub(crate) use users_of_employees_in;

/// RFC 3339 text of a time, the form times take in event parameters.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Announces seats to `$employees` of a program (`enrolled` or `waitlist_promoted`),
/// inside `$tx`.
macro_rules! announce_seats_in {
    ($tx:ident, $email:expr, $kind:expr, $program:expr, $employees:expr) => {{
        let program: &domain::operations::ProgramSummary = $program;
        let employees: &[i64] = $employees;
        if !employees.is_empty() {
            let users = $crate::notifications::users_of_employees_in!($tx, employees);
            let mut event = domain::notifications::NotificationEvent::new($kind, users)
                .param("program", &program.title)
                .param("code", &program.code)
                .link(format!("/programs/{}", program.id));
            if let Some(first) = program.first_session {
                event = event.param("starts_at", $crate::notifications::rfc3339(first));
            }
            $crate::notifications::notify_in!($tx, &event, $email);
        }
    }};
}
pub(crate) use announce_seats_in;

/// Announces that `$session` (as it was) moved to `$moved_to` (`Some(start)`) or was
/// cancelled (`None`), to its program's enrolled learners and its instructors, inside `$tx`.
macro_rules! announce_session_change_in {
    ($tx:ident, $email:expr, $session:expr, $moved_to:expr) => {{
        let session: &domain::operations::Session = $session;
        let moved_to: Option<time::OffsetDateTime> = $moved_to;
        let users: Vec<i64> = sqlx::query_scalar(
            "SELECT u.id FROM users u WHERE u.active AND u.employee_id IN ( \
               SELECT employee_id FROM enrollments WHERE program_id = $1 AND status = 'enrolled' \
               UNION SELECT i.employee_id FROM training_session_instructors si JOIN instructors i ON i.id = si.instructor_id \
               WHERE si.session_id = $2 AND i.employee_id IS NOT NULL)",
        )
        .bind(session.program_id)
        .bind(session.id)
        .fetch_all(&mut *$tx)
        .await
        .map_err($crate::db_error)?;
        let mut event = domain::notifications::NotificationEvent::new(
            domain::notifications::NotificationKind::SessionChanged,
            users,
        )
        .param("program", &session.program_title)
        .param("session", &session.title)
        .param("starts_at", $crate::notifications::rfc3339(session.starts_at))
        .link(format!("/programs/{}", session.program_id));
        event = match moved_to {
            Some(start) => event
                .param("change", "moved")
                .param("new_starts_at", $crate::notifications::rfc3339(start)),
            None => event.param("change", "cancelled"),
        };
        $crate::notifications::notify_in!($tx, &event, $email);
    }};
}
pub(crate) use announce_session_change_in;

fn parse_params(text: &str) -> Params {
    serde_json::from_str(text).unwrap_or_default()
}

#[derive(sqlx::FromRow)]
struct InboxRow {
    id: i64,
    event_id: i64,
    kind: String,
    params: String,
    link: Option<String>,
    created_at: DbTime,
    read_at: Option<DbTime>,
}

impl InboxRow {
    fn into_item(self) -> DomainResult<InboxItem> {
        Ok(InboxItem {
            id: self.id,
            event_id: self.event_id,
            kind: NotificationKind::parse(&self.kind)?,
            params: parse_params(&self.params),
            link: self.link,
            created_at: self.created_at.0,
            read_at: self.read_at.map(|t| t.0),
        })
    }
}

const INBOX_SELECT: &str = "SELECT n.id, n.event_id, e.kind, e.params, e.link, n.created_at, n.read_at \
    FROM notifications n JOIN notification_events e ON e.id = n.event_id";

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    name: String,
    url: String,
    platform: String,
    style: String,
    secret: String,
    kinds: String,
    active: bool,
    created_at: DbTime,
}

impl From<WebhookRow> for WebhookEndpoint {
    fn from(r: WebhookRow) -> Self {
        WebhookEndpoint {
            id: r.id,
            name: r.name,
            url: r.url,
            platform: WebhookPlatform::parse(&r.platform).unwrap_or(WebhookPlatform::Generic),
            style: MessageStyle::parse(&r.style).unwrap_or(MessageStyle::Text),
            secret: r.secret,
            kinds: r
                .kinds
                .split(',')
                .filter_map(|c| NotificationKind::parse(c).ok())
                .collect(),
            active: r.active,
            created_at: r.created_at.0,
        }
    }
}

const WEBHOOK_SELECT: &str = "SELECT id, name, url, platform, style, secret, kinds, active, created_at FROM webhook_endpoints";

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    endpoint_id: i64,
    event_id: Option<i64>,
    kind: String,
    body: String,
    status: String,
    attempts: i32,
    status_code: Option<i32>,
    last_error: Option<String>,
    created_at: DbTime,
    delivered_at: Option<DbTime>,
}

impl DeliveryRow {
    fn into_delivery(self) -> DomainResult<WebhookDelivery> {
        Ok(WebhookDelivery {
            id: self.id,
            endpoint_id: self.endpoint_id,
            event_id: self.event_id,
            kind: self.kind,
            body: self.body,
            status: DeliveryStatus::parse(&self.status)?,
            attempts: self.attempts,
            status_code: self.status_code,
            last_error: self.last_error,
            created_at: self.created_at.0,
            delivered_at: self.delivered_at.map(|t| t.0),
        })
    }
}

const DELIVERY_SELECT: &str = "SELECT id, endpoint_id, event_id, kind, body, status, attempts, status_code, last_error, created_at, delivered_at FROM webhook_deliveries";

fn kinds_text(kinds: &[NotificationKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

impl crate::Store {
    /// Turns queueing of notification e-mail on (SMTP is configured) or off.
    pub fn set_email_notifications(&self, on: bool) {
        self.email_notifications
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether notification e-mail is queued.
    pub fn email_notifications(&self) -> bool {
        self.email_notifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The notifications port: every query and change of this context.
pub trait NotificationRepository {
    /// Notifies the event's recipients (user ids): in-app at once, e-mail and webhooks
    /// through the job queue. Returns how many inbox entries were written.
    fn notify(
        &self,
        event: &NotificationEvent,
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;

    /// The active accounts of employees.
    fn users_of_employees(
        &self,
        employees: &[i64],
    ) -> impl std::future::Future<Output = DomainResult<Vec<i64>>> + Send;

    /// A person's inbox, newest first; `unread_only` leaves out what was read.
    fn inbox(
        &self,
        user_id: i64,
        unread_only: bool,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<InboxItem>>> + Send;

    /// How many of a person's notifications are unread (one indexed count, for the nav bell).
    fn unread_notifications(
        &self,
        user_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Marks one of the person's own notifications read and returns it; someone
    /// else's is not found.
    fn mark_notification_read(
        &self,
        user_id: i64,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<InboxItem>> + Send;

    /// Marks all of a person's notifications read; returns how many were unread.
    fn mark_all_notifications_read(
        &self,
        user_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<u64>> + Send;

    /// Every kind × channel switch of a person.
    fn notification_preferences(
        &self,
        user_id: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Preference>>> + Send;

    /// Switches kinds on or off per channel for a person (audited); mandatory kinds
    /// cannot be switched off. Returns the full table after the change.
    fn set_notification_preferences(
        &self,
        user_id: i64,
        changes: &[Preference],
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<Vec<Preference>>> + Send;

    /// A stored event with its recipients (the people it was addressed to).
    fn notification_event(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<StoredEvent>> + Send;

    /// Who gets an event by e-mail: its addressees with an e-mail address on their
    /// employee record who did not switch the kind off for e-mail (unless mandatory).
    fn email_recipients(
        &self,
        event: &StoredEvent,
    ) -> impl std::future::Future<Output = DomainResult<Vec<EmailRecipient>>> + Send;

    // ----- webhooks -------------------------------------------------------------------

    /// Registers an endpoint with its secret (audited, secret not logged).
    fn create_webhook(
        &self,
        input: &ValidWebhook,
        secret: &str,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// Changes an endpoint; a `None` secret keeps the stored one (audited).
    fn update_webhook(
        &self,
        id: i64,
        input: &ValidWebhook,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Removes an endpoint and its delivery log (audited).
    fn delete_webhook(
        &self,
        id: i64,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Every endpoint, by name.
    fn list_webhooks(
        &self,
    ) -> impl std::future::Future<Output = DomainResult<Vec<WebhookEndpoint>>> + Send;

    /// One endpoint.
    fn webhook(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<WebhookEndpoint>> + Send;

    /// Active endpoints subscribed to `kind`.
    fn webhooks_for(
        &self,
        kind: NotificationKind,
    ) -> impl std::future::Future<Output = DomainResult<Vec<WebhookEndpoint>>> + Send;

    /// Queues one POST of `body` to an endpoint: the delivery row and its job commit together.
    fn queue_webhook_delivery(
        &self,
        endpoint_id: i64,
        event_id: Option<i64>,
        kind: &str,
        body: &str,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    /// One delivery.
    fn webhook_delivery(
        &self,
        id: i64,
    ) -> impl std::future::Future<Output = DomainResult<WebhookDelivery>> + Send;

    /// An endpoint's deliveries, newest first.
    fn webhook_deliveries(
        &self,
        endpoint_id: i64,
        page: Page,
    ) -> impl std::future::Future<Output = DomainResult<Paged<WebhookDelivery>>> + Send;

    /// Records one try: delivered on success, failed when `gave_up`, pending otherwise.
    fn record_webhook_attempt(
        &self,
        id: i64,
        status_code: Option<i32>,
        error: Option<&str>,
        gave_up: bool,
    ) -> impl std::future::Future<Output = DomainResult<()>> + Send;

    /// Logs a test message sent at once (not queued): its delivery row with the
    /// endpoint's answer, and an audit entry, in one transaction. Returns the delivery id.
    fn log_test_message(
        &self,
        endpoint_id: i64,
        body: &str,
        answer: &WebhookAnswer,
        actor: &Actor,
    ) -> impl std::future::Future<Output = DomainResult<i64>> + Send;

    // ----- reminders ------------------------------------------------------------------

    /// `session_reminder` for scheduled sessions starting within `window` from `now`, to
    /// the enrolled learners with an account.
    fn due_session_reminders(
        &self,
        now: OffsetDateTime,
        window: Duration,
    ) -> impl std::future::Future<Output = DomainResult<Vec<DueReminder>>> + Send;

    /// `learning_overdue` for enrollments still 'enrolled' `days` after the last
    /// scheduled session of their program ended.
    fn due_learning_overdue(
        &self,
        now: OffsetDateTime,
        days: i64,
    ) -> impl std::future::Future<Output = DomainResult<Vec<DueReminder>>> + Send;

    /// Sends each reminder to the recipients who have not had it yet (the sent-log and
    /// the notification commit together). Returns how many people were reminded.
    fn send_reminders(
        &self,
        reminders: &[DueReminder],
    ) -> impl std::future::Future<Output = DomainResult<usize>> + Send;
}

impl NotificationRepository for crate::Store {
    /// Notifies the event's recipients (user ids): in-app at once, e-mail and webhooks
    /// through the job queue. Returns how many inbox entries were written.
    async fn notify(&self, event: &NotificationEvent) -> DomainResult<usize> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let written = notify_in!(tx, event, self.email_notifications());
            tx.commit().await.map_err(db_error)?;
            Ok(written)
        })
    }

    /// The active accounts of employees.
    async fn users_of_employees(&self, employees: &[i64]) -> DomainResult<Vec<i64>> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let users = users_of_employees_in!(tx, employees);
            tx.commit().await.map_err(db_error)?;
            Ok(users)
        })
    }

    /// A person's inbox, newest first; `unread_only` leaves out what was read.
    async fn inbox(
        &self,
        user_id: i64,
        unread_only: bool,
        page: Page,
    ) -> DomainResult<Paged<InboxItem>> {
        let filter = if unread_only {
            " AND n.read_at IS NULL"
        } else {
            ""
        };
        let (rows, total): (Vec<InboxRow>, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("{INBOX_SELECT} WHERE n.user_id = "));
            qb.push_bind(user_id)
                .push(filter)
                .push(" ORDER BY n.id DESC");
            let mut count =
                QueryBuilder::new("SELECT COUNT(*) FROM notifications n WHERE n.user_id = ");
            count.push_bind(user_id).push(filter);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(InboxRow::into_item);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// How many of a person's notifications are unread (one indexed count, for the nav bell).
    async fn unread_notifications(&self, user_id: i64) -> DomainResult<i64> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await
            .map_err(db_error)
        })
    }

    /// Marks one of the person's own notifications read and returns it; someone
    /// else's is not found.
    async fn mark_notification_read(&self, user_id: i64, id: i64) -> DomainResult<InboxItem> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL")
                .bind(id).bind(user_id).bind(DbTime(OffsetDateTime::now_utc()))
                .execute(pool).await.map_err(db_error)?;
            let row: Option<InboxRow> = sqlx::query_as(&format!(
                "{INBOX_SELECT} WHERE n.id = $1 AND n.user_id = $2"
            ))
            .bind(id)
            .bind(user_id)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            row.ok_or(DomainError::NotFound {
                entity: "notification",
            })?
            .into_item()
        })
    }

    /// Marks all of a person's notifications read; returns how many were unread.
    async fn mark_all_notifications_read(&self, user_id: i64) -> DomainResult<u64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .bind(DbTime(OffsetDateTime::now_utc()))
            .execute(pool)
            .await
            .map_err(db_error)?
            .rows_affected())
        })
    }

    /// Every kind × channel switch of a person.
    async fn notification_preferences(&self, user_id: i64) -> DomainResult<Vec<Preference>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT kind, channel FROM notification_opt_outs WHERE user_id = $1")
                .bind(user_id)
                .fetch_all(pool)
                .await
                .map_err(db_error)?
        });
        let off: Vec<(NotificationKind, Channel)> = rows
            .iter()
            .filter_map(|(k, c)| Some((NotificationKind::parse(k).ok()?, Channel::parse(c).ok()?)))
            .collect();
        Ok(full_preferences(&off))
    }

    /// Switches kinds on or off per channel for a person (audited); mandatory kinds
    /// cannot be switched off. Returns the full table after the change.
    async fn set_notification_preferences(
        &self,
        user_id: i64,
        changes: &[Preference],
        actor: &Actor,
    ) -> DomainResult<Vec<Preference>> {
        check_preferences(changes)?;
        let before = self.notification_preferences(user_id).await?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            for p in changes {
                if p.enabled {
                    sqlx::query("DELETE FROM notification_opt_outs WHERE user_id = $1 AND kind = $2 AND channel = $3")
                        .bind(user_id).bind(p.kind.code()).bind(p.channel.code())
                        .execute(&mut *tx).await.map_err(db_error)?;
                } else {
                    sqlx::query("INSERT INTO notification_opt_outs (user_id, kind, channel, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                        .bind(user_id).bind(p.kind.code()).bind(p.channel.code()).bind(now)
                        .execute(&mut *tx).await.map_err(db_error)?;
                }
            }
            let off = |prefs: &[Preference]| -> Vec<String> {
                prefs
                    .iter()
                    .filter(|p| !p.enabled)
                    .map(|p| format!("{}:{}", p.kind.code(), p.channel.code()))
                    .collect()
            };
            let after: Vec<Preference> = {
                let mut all = before.clone();
                for c in changes {
                    if let Some(p) = all
                        .iter_mut()
                        .find(|p| p.kind == c.kind && p.channel == c.channel)
                    {
                        p.enabled = c.enabled;
                    }
                }
                all
            };
            let entry = actor
                .entry("notifications.preferences", "user")
                .entity(user_id)
                .change(
                    Some(serde_json::json!({ "off": off(&before) }).to_string()),
                    Some(serde_json::json!({ "off": off(&after) }).to_string()),
                );
            append_in!(tx, &entry);
            tx.commit().await.map_err(db_error)?;
        });
        self.notification_preferences(user_id).await
    }

    /// A stored event with its recipients (the people it was addressed to).
    async fn notification_event(&self, id: i64) -> DomainResult<StoredEvent> {
        let row: Option<(String, String, Option<String>, String, DbTime)> = on_pool!(
            self,
            |pool| {
                sqlx::query_as("SELECT kind, params, link, recipients, occurred_at FROM notification_events WHERE id = $1")
                .bind(id).fetch_optional(pool).await.map_err(db_error)?
            }
        );
        let (kind, params, link, recipients, occurred_at) = row.ok_or(DomainError::NotFound {
            entity: "notification event",
        })?;
        let recipients: Vec<i64> = serde_json::from_str(&recipients).unwrap_or_default();
        Ok(StoredEvent {
            id,
            kind: NotificationKind::parse(&kind)?,
            params: parse_params(&params),
            link,
            occurred_at: occurred_at.0,
            recipients,
        })
    }

    /// Who gets an event by e-mail: its addressees with an e-mail address on their
    /// employee record who did not switch the kind off for e-mail (unless mandatory).
    async fn email_recipients(&self, event: &StoredEvent) -> DomainResult<Vec<EmailRecipient>> {
        let addressees = &event.recipients;
        if addressees.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, String, String, Option<String>)> = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(
                "SELECT u.id, e.name, e.email, u.locale FROM users u JOIN employees e ON e.id = u.employee_id \
                 WHERE u.active AND e.email IS NOT NULL AND e.email <> '' AND u.id IN (",
            );
            push_in_list(&mut qb, addressees.iter().copied());
            if !event.kind.is_mandatory() {
                qb.push(" AND NOT EXISTS (SELECT 1 FROM notification_opt_outs o WHERE o.user_id = u.id AND o.kind = ")
                    .push_bind(event.kind.code())
                    .push(" AND o.channel = 'email')");
            }
            qb.push(" ORDER BY u.id");
            fetch_rows(pool, &mut qb).await?
        });
        Ok(rows
            .into_iter()
            .map(|(user_id, name, email, locale)| EmailRecipient {
                user_id,
                name,
                email,
                locale,
            })
            .collect())
    }

    // ----- webhooks -------------------------------------------------------------------

    /// Registers an endpoint with its secret (audited, secret not logged).
    async fn create_webhook(
        &self,
        input: &ValidWebhook,
        secret: &str,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO webhook_endpoints (name, url, secret, kinds, active, created_at, updated_at, platform, style) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id",
            )
            .bind(&input.name).bind(&input.url).bind(secret).bind(kinds_text(&input.kinds)).bind(input.active).bind(now)
            .bind(input.platform.code()).bind(input.style.code())
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({ "name": input.name, "url": input.url, "platform": input.platform.code(), "style": input.style.code(), "kinds": kinds_text(&input.kinds), "active": input.active }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("notifications.webhook_create", "webhook")
                    .entity(id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// Changes an endpoint; a `None` secret keeps the stored one (audited).
    async fn update_webhook(
        &self,
        id: i64,
        input: &ValidWebhook,
        actor: &Actor,
    ) -> DomainResult<()> {
        let before = self.webhook(id).await?;
        let now = DbTime(OffsetDateTime::now_utc());
        let secret = input.secret.clone().unwrap_or(before.secret.clone());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE webhook_endpoints SET name = $2, url = $3, secret = $4, kinds = $5, active = $6, updated_at = $7, platform = $8, style = $9 WHERE id = $1")
                .bind(id).bind(&input.name).bind(&input.url).bind(&secret).bind(kinds_text(&input.kinds)).bind(input.active).bind(now)
                .bind(input.platform.code()).bind(input.style.code())
                .execute(&mut *tx).await.map_err(db_error)?;
            let describe = |name: &str,
                            url: &str,
                            kinds: &[NotificationKind],
                            active: bool,
                            secret_changed: bool| {
                serde_json::json!({ "name": name, "url": url, "kinds": kinds_text(kinds), "active": active, "secret_changed": secret_changed }).to_string()
            };
            if before.platform != input.platform || before.style != input.style {
                append_in!(
                    tx,
                    &actor
                        .entry("notifications.webhook_platform", "webhook")
                        .entity(id)
                        .change(
                            Some(format!(
                                "{} {}",
                                before.platform.code(),
                                before.style.code()
                            )),
                            Some(format!("{} {}", input.platform.code(), input.style.code())),
                        )
                );
            }
            append_in!(
                tx,
                &actor
                    .entry("notifications.webhook_update", "webhook")
                    .entity(id)
                    .change(
                        Some(describe(
                            &before.name,
                            &before.url,
                            &before.kinds,
                            before.active,
                            false
                        )),
                        Some(describe(
                            &input.name,
                            &input.url,
                            &input.kinds,
                            input.active,
                            input.secret.is_some()
                        )),
                    )
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Removes an endpoint and its delivery log (audited).
    async fn delete_webhook(&self, id: i64, actor: &Actor) -> DomainResult<()> {
        let before = self.webhook(id).await?;
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let before = serde_json::json!({ "name": before.name, "url": before.url }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("notifications.webhook_delete", "webhook")
                    .entity(id)
                    .change(Some(before), None)
            );
            tx.commit().await.map_err(db_error)?;
            Ok(())
        })
    }

    /// Every endpoint, by name.
    async fn list_webhooks(&self) -> DomainResult<Vec<WebhookEndpoint>> {
        let rows: Vec<WebhookRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!("{WEBHOOK_SELECT} ORDER BY name, id"))
                .fetch_all(pool)
                .await
                .map_err(db_error)?
        });
        Ok(rows.into_iter().map(WebhookEndpoint::from).collect())
    }

    /// One endpoint.
    async fn webhook(&self, id: i64) -> DomainResult<WebhookEndpoint> {
        let row: Option<WebhookRow> = on_pool!(self, |pool| {
            sqlx::query_as(&format!("{WEBHOOK_SELECT} WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        row.map(WebhookEndpoint::from)
            .ok_or(DomainError::NotFound { entity: "webhook" })
    }

    /// Active endpoints subscribed to `kind`.
    async fn webhooks_for(&self, kind: NotificationKind) -> DomainResult<Vec<WebhookEndpoint>> {
        Ok(self
            .list_webhooks()
            .await?
            .into_iter()
            .filter(|w| w.active && w.kinds.contains(&kind))
            .collect())
    }

    /// Queues one POST of `body` to an endpoint: the delivery row and its job commit together.
    async fn queue_webhook_delivery(
        &self,
        endpoint_id: i64,
        event_id: Option<i64>,
        kind: &str,
        body: &str,
    ) -> DomainResult<i64> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO webhook_deliveries (endpoint_id, event_id, kind, body, status, attempts, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5) RETURNING id",
            )
            .bind(endpoint_id).bind(event_id).bind(kind).bind(body).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            sqlx::query(
                "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, created_at) \
                 VALUES ($1, $2, 'queued', 0, $3, $4, $4)",
            )
            .bind(WEBHOOK_JOB)
            .bind(serde_json::json!({ "delivery": id }).to_string())
            .bind(WEBHOOK_ATTEMPTS)
            .bind(now)
            .execute(&mut *tx).await.map_err(db_error)?;
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    /// One delivery.
    async fn webhook_delivery(&self, id: i64) -> DomainResult<WebhookDelivery> {
        let row: DeliveryRow = on_pool!(self, |pool| {
            one_or_not_found(
                pool,
                &format!("{DELIVERY_SELECT} WHERE id = $1"),
                id,
                "webhook delivery",
            )
            .await?
        });
        row.into_delivery()
    }

    /// An endpoint's deliveries, newest first.
    async fn webhook_deliveries(
        &self,
        endpoint_id: i64,
        page: Page,
    ) -> DomainResult<Paged<WebhookDelivery>> {
        let (rows, total): (Vec<DeliveryRow>, i64) = on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("{DELIVERY_SELECT} WHERE endpoint_id = "));
            qb.push_bind(endpoint_id).push(" ORDER BY id DESC");
            let mut count =
                QueryBuilder::new("SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ");
            count.push_bind(endpoint_id);
            fetch_page(pool, &mut qb, &mut count, page).await?
        });
        let items = rows.into_iter().map(DeliveryRow::into_delivery);
        Ok(paged(page, total, items.collect::<DomainResult<_>>()?))
    }

    /// Records one try: delivered on success, failed when `gave_up`, pending otherwise.
    async fn record_webhook_attempt(
        &self,
        id: i64,
        status_code: Option<i32>,
        error: Option<&str>,
        gave_up: bool,
    ) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        let status = match (error, gave_up) {
            (None, _) => DeliveryStatus::Delivered,
            (Some(_), true) => DeliveryStatus::Failed,
            (Some(_), false) => DeliveryStatus::Pending,
        };
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2, status_code = $3, last_error = $4, \
                 delivered_at = CASE WHEN $2 = 'delivered' THEN $5 ELSE delivered_at END WHERE id = $1",
            )
            .bind(id).bind(status.code()).bind(status_code).bind(error).bind(now)
            .execute(pool).await.map_err(db_error)?;
            Ok(())
        })
    }

    async fn log_test_message(
        &self,
        endpoint_id: i64,
        body: &str,
        answer: &WebhookAnswer,
        actor: &Actor,
    ) -> DomainResult<i64> {
        let now = DbTime(OffsetDateTime::now_utc());
        let status = if answer.ok {
            DeliveryStatus::Delivered
        } else {
            DeliveryStatus::Failed
        };
        let error = answer.error();
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO webhook_deliveries (endpoint_id, event_id, kind, body, status, attempts, status_code, last_error, created_at, delivered_at) \
                 VALUES ($1, NULL, 'test', $2, $3, 1, $4, $5, $6, CASE WHEN $3 = 'delivered' THEN $6 ELSE NULL END) RETURNING id",
            )
            .bind(endpoint_id).bind(body).bind(status.code()).bind(answer.status_code).bind(&error).bind(now)
            .fetch_one(&mut *tx).await.map_err(db_error)?;
            let after = serde_json::json!({
                "delivery": id,
                "status_code": answer.status_code,
                "platform_code": answer.platform_code,
                "message": answer.message,
                "ok": answer.ok,
            })
            .to_string();
            append_in!(
                tx,
                &actor
                    .entry("notifications.webhook_test_message", "webhook")
                    .entity(endpoint_id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(id)
        })
    }

    // ----- reminders ------------------------------------------------------------------

    /// `session_reminder` for scheduled sessions starting within `window` from `now`, to
    /// the enrolled learners with an account.
    async fn due_session_reminders(
        &self,
        now: OffsetDateTime,
        window: Duration,
    ) -> DomainResult<Vec<DueReminder>> {
        type Row = (i64, i64, String, String, DbTime, Option<String>, i64);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, p.id, p.title, s.title, s.starts_at, v.name, u.id FROM training_sessions s \
                 JOIN programs p ON p.id = s.program_id LEFT JOIN venues v ON v.id = s.venue_id \
                 JOIN enrollments en ON en.program_id = p.id AND en.status = 'enrolled' \
                 JOIN users u ON u.employee_id = en.employee_id AND u.active \
                 WHERE s.status = 'scheduled' AND s.starts_at > $1 AND s.starts_at <= $2 ORDER BY s.id, u.id",
            )
            .bind(DbTime(now)).bind(DbTime(now + window))
            .fetch_all(pool).await.map_err(db_error)?
        });
        let mut out: Vec<DueReminder> = Vec::new();
        for (session, program, program_title, title, starts_at, venue, user) in rows {
            let subject = format!("session:{session}");
            match out.last_mut() {
                Some(last) if last.subject == subject => last.event.recipients.push(user),
                _ => {
                    let starts = starts_at
                        .0
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    let mut event =
                        NotificationEvent::new(NotificationKind::SessionReminder, vec![user])
                            .param("program", &program_title)
                            .param("session", &title)
                            .param("starts_at", starts)
                            .link(format!("/programs/{program}"));
                    if let Some(venue) = venue {
                        event = event.param("venue", venue);
                    }
                    out.push(DueReminder { event, subject });
                }
            }
        }
        Ok(out)
    }

    /// `learning_overdue` for enrollments still 'enrolled' `days` after the last
    /// scheduled session of their program ended.
    async fn due_learning_overdue(
        &self,
        now: OffsetDateTime,
        days: i64,
    ) -> DomainResult<Vec<DueReminder>> {
        type Row = (i64, String, i64);
        let cutoff = DbTime(now - Duration::days(days));
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.title, u.id FROM enrollments en JOIN programs p ON p.id = en.program_id \
                 JOIN users u ON u.employee_id = en.employee_id AND u.active \
                 WHERE en.status = 'enrolled' AND p.status <> 'historical' \
                 AND (SELECT MAX(s.ends_at) FROM training_sessions s WHERE s.program_id = p.id AND s.status = 'scheduled') <= $1 \
                 ORDER BY p.id, u.id",
            )
            .bind(cutoff)
            .fetch_all(pool).await.map_err(db_error)?
        });
        let mut out: Vec<DueReminder> = Vec::new();
        for (program, title, user) in rows {
            let subject = format!("program:{program}");
            match out.last_mut() {
                Some(last) if last.subject == subject => last.event.recipients.push(user),
                _ => out.push(DueReminder {
                    event: NotificationEvent::new(NotificationKind::LearningOverdue, vec![user])
                        .param("program", &title)
                        .param("days", days)
                        .link(format!("/programs/{program}")),
                    subject,
                }),
            }
        }
        Ok(out)
    }

    /// Sends each reminder to the recipients who have not had it yet (the sent-log and
    /// the notification commit together). Returns how many people were reminded.
    async fn send_reminders(&self, reminders: &[DueReminder]) -> DomainResult<usize> {
        let mut reminded = 0;
        for reminder in reminders {
            let now = DbTime(OffsetDateTime::now_utc());
            reminded += on_pool!(self, |pool| {
                let mut tx = pool.begin_write().await.map_err(db_error)?;
                let mut fresh: Vec<i64> = Vec::new();
                for user in &reminder.event.recipients {
                    let added = sqlx::query(
                        "INSERT INTO notification_reminders_sent (kind, subject, user_id, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(reminder.event.kind.code()).bind(&reminder.subject).bind(user).bind(now)
                    .execute(&mut *tx).await.map_err(db_error)?.rows_affected();
                    if added > 0 {
                        fresh.push(*user);
                    }
                }
                let event = NotificationEvent {
                    recipients: fresh.clone(),
                    ..reminder.event.clone()
                };
                notify_in!(tx, &event, self.email_notifications());
                tx.commit().await.map_err(db_error)?;
                fresh.len()
            });
        }
        Ok(reminded)
    }
}
