//! Notification jobs: fan an event out to e-mail and webhooks, send one e-mail over
//! SMTP, POST one signed webhook, and the hourly reminders.
//!
//! Webhook signature: `X-Skillbridge-Signature: sha256=<hex>` where the hex is
//! HMAC-SHA256 with the endpoint's secret over `<timestamp>.<body>`, the timestamp
//! (Unix seconds) being sent in `X-Skillbridge-Timestamp`.

use crate::worker::Worker;
use crate::worker::job_error;
use domain::jobs::{Job, JobRepository};
use domain::notifications::{DueReminder, NotificationEvent, NotificationKind, StoredEvent};
use domain::{DomainError, DomainResult};
use hmac::{Hmac, Mac};
use i18n::{Locale, Tr};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use service::notifications::{render, webhook_body};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use store::prelude::*;
use store::{DISPATCH_JOB, Store, WEBHOOK_JOB};
use time::{OffsetDateTime, UtcOffset};

/// Job kind of one notification e-mail (payload `{"event": id, "user": id}`).
pub const EMAIL_JOB: &str = "notification_email";
/// Job kind of the reminder sweep.
pub const REMINDERS_JOB: &str = "notification_reminders";
/// How long a webhook endpoint may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a relay on the same host or network only).
    None,
    /// Plain connection upgraded with STARTTLS (port 587); refused without it.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Some(Self::None),
            "starttls" => Some(Self::Starttls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }
}

/// The mail server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    /// `None`: the mode's usual port (25, 587 or 465).
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

/// What the notification jobs need from the settings.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// `None`: no e-mail is sent.
    pub smtp: Option<SmtpSettings>,
    /// Base of links in e-mail; without it links are site paths.
    pub public_url: Option<String>,
    pub learning_overdue_days: i64,
    pub timezone: UtcOffset,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            public_url: None,
            learning_overdue_days: 14,
            timezone: UtcOffset::from_hms(8, 0, 0).expect("valid offset"),
        }
    }
}

impl Worker {
    /// Registers (or re-registers with a new configuration) the notification jobs.
    pub fn with_notifications(mut self, config: NotifyConfig) -> Self {
        register(&mut self, config);
        self
    }
}

/// Registers the notification job kinds and the hourly reminder schedule; turns the
/// queueing of e-mail on when SMTP is configured.
pub fn register(worker: &mut Worker, config: NotifyConfig) {
    worker
        .store()
        .set_email_notifications(config.smtp.is_some());
    let config = Arc::new(config);
    let c = config.clone();
    worker.register(DISPATCH_JOB, move |store, job| {
        let c = c.clone();
        Box::pin(async move { dispatch(&store, &job, &c).await.map_err(job_error) })
    });
    let c = config.clone();
    worker.register(EMAIL_JOB, move |store, job| {
        let c = c.clone();
        Box::pin(async move { send_email(&store, &job, &c).await })
    });
    worker.register(WEBHOOK_JOB, move |store, job| {
        Box::pin(async move { deliver_webhook(&store, &job).await })
    });
    let c = config;
    worker.register(REMINDERS_JOB, move |store, _job| {
        let c = c.clone();
        Box::pin(async move {
            let now = OffsetDateTime::now_utc();
            let due = due_reminders(&store, now, &c).await.map_err(job_error)?;
            let reminded = store.send_reminders(&due).await.map_err(job_error)?;
            tracing::info!(reminders = due.len(), reminded, "reminders sent");
            Ok(())
        })
    });
    worker.schedule("hourly-reminders", REMINDERS_JOB, "every 60m");
}

/// Every reminder that is due now. A new source (approvals waiting, practice tasks,
/// certificates expiring...) is one store function returning [`DueReminder`]s, added
/// here; the sent-log keeps each (kind, subject, person) to one reminder.
pub async fn due_reminders(
    store: &Store,
    now: OffsetDateTime,
    config: &NotifyConfig,
) -> DomainResult<Vec<DueReminder>> {
    let mut due = store
        .due_session_reminders(now, time::Duration::hours(24))
        .await?;
    due.extend(
        store
            .due_learning_overdue(now, config.learning_overdue_days)
            .await?,
    );
    let today = now.to_offset(config.timezone).date();
    due.extend(approval_reminders(store, now).await?);
    due.extend(practice_reminders(store, today).await?);
    due.extend(certificate_reminders(store, today).await?);
    Ok(due)
}

/// Days before its due date a practice task is reminded of.
const PRACTICE_DUE_AHEAD_DAYS: i64 = 3;
/// Days before expiry a certificate holder is told to plan the refresher.
const CERTIFICATE_AHEAD_DAYS: i64 = 30;

/// One reminder to the logins of `employee` (none when they have no login).
async fn to_employee(
    store: &Store,
    employee: i64,
    event: NotificationEvent,
    subject: String,
) -> DomainResult<Option<DueReminder>> {
    let users = store.users_of_employees(&[employee]).await?;
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
async fn approval_reminders(store: &Store, now: OffsetDateTime) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    let waiting = store
        .approval_steps_waiting_since(now - time::Duration::days(7))
        .await?;
    let overdue = store.overdue_approval_steps(now).await?;
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

/// Practice tasks due within a few days without a report, and behaviour ratings that
/// fell due.
async fn practice_reminders(store: &Store, today: time::Date) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    for task in store
        .practice_tasks_due(today + time::Duration::days(PRACTICE_DUE_AHEAD_DAYS))
        .await?
    {
        let event = NotificationEvent::new(NotificationKind::PracticeTaskDue, Vec::new())
            .param("task", &task.title)
            .param("due_on", task.due_on)
            .link(format!("/practice/{}", task.id));
        out.extend(
            to_employee(
                store,
                task.employee_id,
                event,
                format!("practice:{}", task.id),
            )
            .await?,
        );
    }
    for rating in store.behaviour_ratings_due(today).await? {
        let event = NotificationEvent::new(NotificationKind::BehaviourRatingDue, Vec::new())
            .param("program", &rating.program_title)
            .param("employee", &rating.employee_name)
            .link("/practice");
        out.extend(
            to_employee(
                store,
                rating.rater_id,
                event,
                format!("rating:{}", rating.id),
            )
            .await?,
        );
    }
    Ok(out)
}

/// Valid certificates that expire within the month: time to plan recertification.
async fn certificate_reminders(store: &Store, today: time::Date) -> DomainResult<Vec<DueReminder>> {
    let mut out = Vec::new();
    for certificate in store
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
                store,
                certificate.employee_id,
                event,
                format!("certificate:{}", certificate.id),
            )
            .await?,
        );
    }
    Ok(out)
}

fn payload_id(job: &Job, name: &str) -> DomainResult<i64> {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| v.get(name).and_then(serde_json::Value::as_i64))
        .ok_or_else(|| DomainError::internal(format!("job payload lacks '{name}'")))
}

/// The text of an event for webhooks: title and body in the company's language.
fn webhook_text(event: &StoredEvent, timezone: UtcOffset) -> String {
    let r = render(event.kind, &event.params, Locale::ZhCn, timezone);
    format!("{}\n{}", r.title, r.body)
}

/// Fans an event out: one e-mail job per recipient who takes it by e-mail (when SMTP
/// is configured), one delivery per active webhook subscribed to its kind.
async fn dispatch(store: &Store, job: &Job, config: &NotifyConfig) -> DomainResult<()> {
    let event = store.notification_event(payload_id(job, "event")?).await?;
    let mut emails = 0;
    if config.smtp.is_some() {
        for recipient in store.email_recipients(&event).await? {
            let payload = serde_json::json!({ "event": event.id, "user": recipient.user_id });
            store
                .enqueue_job(
                    EMAIL_JOB,
                    &payload.to_string(),
                    OffsetDateTime::now_utc(),
                    5,
                )
                .await?;
            emails += 1;
        }
    }
    let hooks = store.webhooks_for(event.kind).await?;
    for hook in &hooks {
        let key = format!("evt{}-wh{}", event.id, hook.id);
        let body = webhook_body(
            &key,
            event.kind.code(),
            event.occurred_at,
            &event.params,
            &webhook_text(&event, config.timezone),
        );
        store
            .queue_webhook_delivery(hook.id, Some(event.id), event.kind.code(), &body)
            .await?;
    }
    tracing::debug!(
        event = event.id,
        emails,
        webhooks = hooks.len(),
        "notification dispatched"
    );
    Ok(())
}

/// The e-mail of an event for one recipient, in their language.
pub fn email_message(
    event: &StoredEvent,
    to: &Mailbox,
    from: &Mailbox,
    locale: Locale,
    config: &NotifyConfig,
) -> Result<Message, String> {
    let r = render(event.kind, &event.params, locale, config.timezone);
    let t = Tr(locale);
    let base = config.public_url.clone().unwrap_or_default();
    let mut text = r.body.clone();
    if let Some(link) = &event.link {
        text.push_str(&format!("\n\n{base}{link}"));
    }
    text.push_str(&format!(
        "\n\n--\n{}\n{base}/inbox/settings\n",
        t.get("notify.email.footer")
    ));
    Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(r.title)
        .header(ContentType::TEXT_PLAIN)
        .body(text)
        .map_err(|e| format!("cannot build the message: {e}"))
}

fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut builder = match smtp.tls {
        TlsMode::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
        TlsMode::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| e.to_string())?,
        TlsMode::Tls => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host).map_err(|e| e.to_string())?
        }
    };
    if let Some(port) = smtp.port {
        builder = builder.port(port);
    }
    if let (Some(user), Some(password)) = (&smtp.user, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.timeout(Some(Duration::from_secs(30))).build())
}

/// Sends one e-mail; the recipient's opt-out is checked again at send time.
async fn send_email(store: &Store, job: &Job, config: &NotifyConfig) -> Result<(), String> {
    let Some(smtp) = &config.smtp else {
        return Err("SMTP is not configured (smtp_host)".into());
    };
    let event = store
        .notification_event(payload_id(job, "event").map_err(job_error)?)
        .await
        .map_err(job_error)?;
    let user = payload_id(job, "user").map_err(job_error)?;
    let recipients = store.email_recipients(&event).await.map_err(job_error)?;
    let Some(recipient) = recipients.into_iter().find(|r| r.user_id == user) else {
        // Opted out, lost the address or left since the event: nothing to send.
        return Ok(());
    };
    let to = Mailbox::new(
        Some(recipient.name.clone()),
        recipient
            .email
            .parse()
            .map_err(|e| format!("bad address {}: {e}", recipient.email))?,
    );
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| format!("bad smtp_from: {e}"))?;
    let locale = recipient
        .locale
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_default();
    let message = email_message(&event, &to, &from, locale, config)?;
    transport(smtp)?
        .send(message)
        .await
        .map_err(|e| format!("SMTP: {e}"))?;
    Ok(())
}

/// `sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "sha256={}",
        service::secrets::hex(&mac.finalize().into_bytes())
    )
}

/// POSTs one delivery, signed; records the try; an error retries the job with backoff
/// until its attempts are used up, and then the delivery is marked failed.
async fn deliver_webhook(store: &Store, job: &Job) -> Result<(), String> {
    let id = payload_id(job, "delivery").map_err(job_error)?;
    let delivery = store.webhook_delivery(id).await.map_err(job_error)?;
    let endpoint = store
        .webhook(delivery.endpoint_id)
        .await
        .map_err(job_error)?;
    let timestamp = OffsetDateTime::now_utc().unix_timestamp();
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let outcome = client
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("user-agent", "Skillbridge-Webhook/1")
        .header("x-skillbridge-event", &delivery.kind)
        .header("x-skillbridge-delivery", delivery.id.to_string())
        .header("x-skillbridge-timestamp", timestamp.to_string())
        .header(
            "x-skillbridge-signature",
            signature(&endpoint.secret, timestamp, &delivery.body),
        )
        .body(delivery.body.clone())
        .send()
        .await;
    let (code, error) = match outcome {
        Ok(response) if response.status().is_success() => {
            (Some(i32::from(response.status().as_u16())), None)
        }
        Ok(response) => (
            Some(i32::from(response.status().as_u16())),
            Some(format!("the endpoint answered {}", response.status())),
        ),
        Err(e) => (None, Some(format!("cannot reach the endpoint: {e}"))),
    };
    let gave_up = job.attempts >= job.max_attempts;
    store
        .record_webhook_attempt(id, code, error.as_deref(), gave_up)
        .await
        .map_err(job_error)?;
    match error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}
