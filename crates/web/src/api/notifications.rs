//! Notifications over the API: one's own inbox and preferences; webhooks for administrators.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::i18n::Locale;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use domain::Page;
use domain::notifications::{
    Channel, InboxItem, NotificationKind, Params, Preference, WebhookDelivery, WebhookEndpoint,
    WebhookInput,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A notification rendered in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// The kind's code (enrolled, session_changed, ...).
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Path on this site the notification is about.
    pub link: Option<String>,
    #[schema(value_type = Object)]
    pub params: Params,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    pub read: bool,
}

/// A page of notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Inbox filter and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// How many notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadDto {
    pub unread: i64,
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedDto {
    pub marked: u64,
}

/// One switch: a kind on a channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferenceDto {
    pub kind: String,
    /// in_app or email.
    pub channel: String,
    pub enabled: bool,
    /// Cannot be switched off.
    pub mandatory: bool,
}

impl From<Preference> for PreferenceDto {
    fn from(p: Preference) -> Self {
        Self {
            kind: p.kind.code().into(),
            channel: p.channel.code().into(),
            enabled: p.enabled,
            mandatory: p.kind.is_mandatory(),
        }
    }
}

/// A change of one switch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreferenceInput {
    pub kind: String,
    /// in_app or email.
    pub channel: String,
    pub enabled: bool,
}

fn dto(state: &AppState, item: InboxItem, locale: Locale) -> NotificationDto {
    let r = service::notifications::rendered(state, item.kind, &item.params, locale);
    NotificationDto {
        id: item.id,
        kind: item.kind.code().into(),
        title: r.title,
        body: r.body,
        link: item.link,
        params: item.params,
        created_at: item.created_at,
        read: item.read_at.is_some(),
    }
}

fn locale_of(caller: &ApiCaller, headers: &HeaderMap) -> Locale {
    crate::locale::from_request(headers, caller.principal.locale.as_deref())
}

/// The caller's own notifications, newest first, in their language.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])),
    params(InboxQuery),
    responses((status = 200, body = NotificationPage), (status = 401, body = Problem)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<InboxQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let locale = locale_of(&caller, &headers);
    let page = service::notifications::inbox(
        &state,
        &caller.principal,
        query.unread.unwrap_or(false),
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(NotificationPage {
        items: page
            .items
            .into_iter()
            .map(|i| dto(&state, i, locale))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadDto), (status = 401, body = Problem)))]
pub async fn unread_count(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<UnreadDto>, ApiError> {
    let unread = service::notifications::unread_count(&state, &caller.principal).await?;
    Ok(Json(UnreadDto { unread }))
}

/// Marks one of the caller's notifications read (someone else's is not found).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, body = NotificationDto), (status = 404, body = Problem)))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NotificationDto>, ApiError> {
    let item = service::notifications::mark_read(&state, &caller.principal, id).await?;
    Ok(Json(dto(&state, item, locale_of(&caller, &headers))))
}

/// Marks all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedDto), (status = 401, body = Problem)))]
pub async fn mark_all_read(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<MarkedDto>, ApiError> {
    let marked = service::notifications::mark_all_read(&state, &caller.principal).await?;
    Ok(Json(MarkedDto { marked }))
}

/// The caller's switches: every kind on every channel.
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<PreferenceDto>), (status = 401, body = Problem)))]
pub async fn preferences(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<PreferenceDto>>, ApiError> {
    let prefs = service::notifications::preferences(&state, &caller.principal).await?;
    Ok(Json(prefs.into_iter().map(PreferenceDto::from).collect()))
}

/// Switches kinds on or off per channel; switching a mandatory kind off is refused (422).
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    request_body = Vec<PreferenceInput>,
    responses((status = 200, body = Vec<PreferenceDto>), (status = 422, body = Problem)))]
pub async fn set_preferences(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<Vec<PreferenceInput>>,
) -> Result<Json<Vec<PreferenceDto>>, ApiError> {
    let mut changes = Vec::with_capacity(input.len());
    for p in &input {
        changes.push(Preference {
            kind: NotificationKind::parse(&p.kind)?,
            channel: Channel::parse(&p.channel)?,
            enabled: p.enabled,
        });
    }
    let prefs = service::notifications::set_preferences(
        &state,
        &caller.principal,
        &changes,
        &caller.actor(),
    )
    .await?;
    Ok(Json(prefs.into_iter().map(PreferenceDto::from).collect()))
}

// ----- webhooks -----------------------------------------------------------------------

/// An endpoint (its secret is never returned after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDto {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// generic, wecom, dingtalk or feishu.
    pub platform: String,
    /// text or card.
    pub style: String,
    pub kinds: Vec<String>,
    pub active: bool,
    /// The secret's first characters.
    pub secret_hint: String,
}

impl From<WebhookEndpoint> for WebhookDto {
    fn from(w: WebhookEndpoint) -> Self {
        Self {
            secret_hint: w.masked_secret(),
            id: w.id,
            name: w.name,
            url: w.url,
            platform: w.platform.code().into(),
            style: w.style.code().into(),
            kinds: w.kinds.iter().map(|k| k.code().to_string()).collect(),
            active: w.active,
        }
    }
}

/// An endpoint to register or change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct WebhookBody {
    pub name: String,
    /// http:// or https:// address (a chat bot's webhook address with its key).
    pub url: String,
    /// generic (default: signed JSON), wecom, dingtalk or feishu.
    pub platform: Option<String>,
    /// text (default) or card (markdown for WeCom and DingTalk, an interactive card for
    /// Feishu), both with a link.
    pub style: Option<String>,
    /// 16 to 200 characters; omitted: generated for generic endpoints, none for chat
    /// bots (DingTalk and Feishu sign with the secret their platform gave), or kept (update).
    pub secret: Option<String>,
    /// Subscribed kind codes.
    pub kinds: Vec<String>,
    pub active: Option<bool>,
}

impl WebhookBody {
    fn input(self) -> WebhookInput {
        WebhookInput {
            name: self.name,
            url: self.url,
            platform: self.platform.unwrap_or_default(),
            style: self.style.unwrap_or_default(),
            secret: self.secret.unwrap_or_default(),
            kinds: self.kinds,
            active: self.active.unwrap_or(true),
        }
    }
}

/// A registered endpoint and its secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookDto {
    pub id: i64,
    pub secret: String,
}

/// A queued delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedDto {
    pub delivery_id: i64,
}

/// One delivery of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDto {
    pub id: i64,
    pub event_id: Option<i64>,
    pub kind: String,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i32,
    pub status_code: Option<i32>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// The JSON that is POSTed.
    pub body: String,
}

impl From<WebhookDelivery> for DeliveryDto {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            kind: d.kind,
            status: d.status.code().into(),
            attempts: d.attempts,
            status_code: d.status_code,
            last_error: d.last_error,
            created_at: d.created_at,
            body: d.body,
        }
    }
}

/// A page of deliveries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryDto>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Registered endpoints (system administrators).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookDto>), (status = 403, body = Problem)))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<WebhookDto>>, ApiError> {
    let hooks = service::notifications::list_webhooks(&state, &caller.principal).await?;
    Ok(Json(hooks.into_iter().map(WebhookDto::from).collect()))
}

/// Registers an endpoint; the answer carries the secret, the only time it is shown.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "notifications", security(("bearer" = [])),
    request_body = WebhookBody,
    responses((status = 201, body = CreatedWebhookDto), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<WebhookBody>,
) -> Result<(StatusCode, Json<CreatedWebhookDto>), ApiError> {
    let (id, secret) = service::notifications::create_webhook(
        &state,
        &caller.principal,
        &body.input(),
        &caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedWebhookDto { id, secret })))
}

/// One endpoint.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 200, body = WebhookDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WebhookDto>, ApiError> {
    Ok(Json(
        service::notifications::webhook(&state, &caller.principal, id)
            .await?
            .into(),
    ))
}

/// Changes an endpoint.
#[utoipa::path(put, path = "/api/v1/webhooks/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    request_body = WebhookBody,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<WebhookBody>,
) -> Result<StatusCode, ApiError> {
    service::notifications::update_webhook(
        &state,
        &caller.principal,
        id,
        &body.input(),
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    service::notifications::delete_webhook(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id"), PageQuery),
    responses((status = 200, body = DeliveryPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let page = service::notifications::webhook_deliveries(
        &state,
        &caller.principal,
        id,
        Page::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(DeliveryPage {
        items: page.items.into_iter().map(DeliveryDto::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Queues a `test` event to the endpoint.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 202, body = QueuedDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn send_test(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<QueuedDto>), ApiError> {
    let delivery_id =
        service::notifications::send_test_event(&state, &caller.principal, id).await?;
    Ok((StatusCode::ACCEPTED, Json(QueuedDto { delivery_id })))
}

/// What an endpoint answered to a test message.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestMessageDto {
    /// The logged delivery.
    pub delivery_id: i64,
    /// Whether the platform took the message (2xx and a zero result code).
    pub ok: bool,
    /// HTTP status; null when the endpoint could not be reached.
    pub status_code: Option<i32>,
    /// `errcode` (WeCom, DingTalk) or `code` (Feishu).
    pub platform_code: Option<i64>,
    /// The platform's message, or why it could not be reached.
    pub message: String,
}

/// Sends a test message at once, in the endpoint's platform format, and returns what the
/// platform answered.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test-message", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Webhook id")),
    responses((status = 200, body = TestMessageDto), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn send_test_message(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TestMessageDto>, ApiError> {
    let (delivery_id, answer) =
        service::notifications::send_test_message(&state, &caller.principal, id, &caller.actor())
            .await?;
    Ok(Json(TestMessageDto {
        delivery_id,
        ok: answer.ok,
        status_code: answer.status_code,
        platform_code: answer.platform_code,
        message: answer.message,
    }))
}

/// The routes of this module's endpoints.
pub(super) fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_notifications))
        .routes(routes!(unread_count))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
        .routes(routes!(preferences, set_preferences))
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(send_test))
        .routes(routes!(send_test_message))
}
