//! The notification jobs' adapters: the handlers read a job's payload and call the
//! use cases of `service::notifications` (fanning an event out, the hourly reminders,
//! who still takes an e-mail, which webhook delivery goes where); sending one e-mail
//! over SMTP and POSTing one signed webhook over HTTP are done here.
//!
//! Webhook signature: `X-Skillbridge-Signature: sha256=<hex>` where the hex is
//! HMAC-SHA256 with the endpoint's secret over `<timestamp>.<body>`, the timestamp
//! (Unix seconds) being sent in `X-Skillbridge-Timestamp`. Chat platform endpoints
//! (WeCom, DingTalk, Feishu) get their platform's format and signature instead
//! (`crate::chat`), and their answer's result code decides whether the try succeeded.

use crate::worker::Worker;
use crate::worker::job_error;
use domain::jobs::Job;
use domain::notifications::{StoredEvent, WebhookAnswer, WebhookEndpoint};
use domain::{DomainError, DomainResult};
use hmac::{Hmac, Mac};
use i18n::{Locale, Tr};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use service::Context;
use service::notifications::render;
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use store::{DISPATCH_JOB, WEBHOOK_JOB};
use time::{OffsetDateTime, UtcOffset};

/// Job kind of one notification e-mail (payload `{"event": id, "user": id}`), queued
/// by `service::notifications::dispatch_event`.
pub use service::notifications::EMAIL_JOB;
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
    /// The company's zone, for times in e-mail.
    pub timezone: UtcOffset,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            public_url: None,
            learning_overdue_days: 14,
            timezone: time::macros::offset!(+8),
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
    let email = config.smtp.is_some();
    worker.context().store.set_email_notifications(email);
    let config = Arc::new(config);
    worker.register(DISPATCH_JOB, move |ctx, job| {
        Box::pin(async move {
            let event = payload_id(&job, "event").map_err(job_error)?;
            let dispatched = service::notifications::dispatch_event(&ctx, event, email)
                .await
                .map_err(job_error)?;
            tracing::debug!(
                event,
                emails = dispatched.emails,
                webhooks = dispatched.webhooks,
                "notification dispatched"
            );
            Ok(())
        })
    });
    let c = config.clone();
    worker.register(EMAIL_JOB, move |ctx, job| {
        let c = c.clone();
        Box::pin(async move { send_email(&ctx, &job, &c).await })
    });
    let c = config.clone();
    worker.register(WEBHOOK_JOB, move |ctx, job| {
        let c = c.clone();
        Box::pin(async move { deliver_webhook(&ctx, &job, &c).await })
    });
    let learning_overdue_days = config.learning_overdue_days;
    worker.register(REMINDERS_JOB, move |ctx, _job| {
        Box::pin(async move {
            let now = OffsetDateTime::now_utc();
            let sent = service::notifications::send_due_reminders(&ctx, now, learning_overdue_days)
                .await
                .map_err(job_error)?;
            tracing::info!(
                reminders = sent.due,
                reminded = sent.reminded,
                "reminders sent"
            );
            Ok(())
        })
    });
    worker.schedule("hourly-reminders", REMINDERS_JOB, "every 60m");
}

fn payload_id(job: &Job, name: &str) -> DomainResult<i64> {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|v| v.get(name).and_then(serde_json::Value::as_i64))
        .ok_or_else(|| DomainError::internal(format!("job payload lacks '{name}'")))
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

/// Sends one e-mail; whether the recipient still takes it is checked again at send time.
async fn send_email(ctx: &Context, job: &Job, config: &NotifyConfig) -> Result<(), String> {
    let Some(smtp) = &config.smtp else {
        return Err("SMTP is not configured (smtp_host)".into());
    };
    let event = payload_id(job, "event").map_err(job_error)?;
    let user = payload_id(job, "user").map_err(job_error)?;
    let Some((event, recipient)) = service::notifications::email_to_send(ctx, event, user)
        .await
        .map_err(job_error)?
    else {
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
    #[expect(clippy::expect_used, reason = "HMAC takes keys of any size")]
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

/// POSTs one message to `endpoint` in its platform's format, signed as that platform
/// documents (`crate::chat`), and reads the answer; never fails: an unreachable endpoint
/// is an answer without a status.
pub async fn post_webhook(
    endpoint: &WebhookEndpoint,
    kind: &str,
    delivery: Option<i64>,
    body: &str,
    public_url: Option<&str>,
) -> WebhookAnswer {
    let out = crate::chat::outgoing(
        endpoint,
        kind,
        delivery,
        body,
        public_url,
        OffsetDateTime::now_utc(),
    );
    let client = match reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            return WebhookAnswer {
                status_code: None,
                platform_code: None,
                message: e.to_string(),
                ok: false,
            };
        }
    };
    let mut request = client
        .post(&out.url)
        .header("content-type", "application/json")
        .header("user-agent", "Skillbridge-Webhook/1");
    for (name, value) in &out.headers {
        request = request.header(*name, value);
    }
    match request.body(out.body).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            crate::chat::answer(endpoint.platform, status, &text)
        }
        Err(e) => WebhookAnswer {
            status_code: None,
            platform_code: None,
            message: e.to_string(),
            ok: false,
        },
    }
}

/// The server's [`service::notifications::WebhookSender`]: sends test messages at once.
pub struct HttpWebhookSender {
    /// Base of links in chat messages.
    pub public_url: Option<String>,
}

impl service::notifications::WebhookSender for HttpWebhookSender {
    fn send<'a>(
        &'a self,
        endpoint: &'a WebhookEndpoint,
        kind: &'a str,
        delivery: Option<i64>,
        body: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = WebhookAnswer> + Send + 'a>> {
        Box::pin(post_webhook(
            endpoint,
            kind,
            delivery,
            body,
            self.public_url.as_deref(),
        ))
    }
}

/// POSTs one delivery, in the endpoint's platform format and signed; records the try;
/// an error (including a chat platform's non-zero result code) retries the job with
/// backoff until its attempts are used up, and then the delivery is marked failed.
async fn deliver_webhook(ctx: &Context, job: &Job, config: &NotifyConfig) -> Result<(), String> {
    let id = payload_id(job, "delivery").map_err(job_error)?;
    let (delivery, endpoint) = service::notifications::webhook_to_deliver(ctx, id)
        .await
        .map_err(job_error)?;
    let answer = post_webhook(
        &endpoint,
        &delivery.kind,
        Some(delivery.id),
        &delivery.body,
        config.public_url.as_deref(),
    )
    .await;
    let error = answer.error();
    let gave_up = job.attempts >= job.max_attempts;
    service::notifications::record_webhook_attempt(
        ctx,
        id,
        answer.status_code,
        error.as_deref(),
        gave_up,
    )
    .await
    .map_err(job_error)?;
    match error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}
