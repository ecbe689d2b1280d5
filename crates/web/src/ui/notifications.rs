//! Pages of notifications: everyone's inbox and preferences; the administrators'
//! webhooks with their delivery log.

use super::{Chrome, Pager, input_error, local_time, query_string, render};
use crate::auth::PageCaller;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::routes::Registry;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Page;
use domain::notifications::{
    Channel, MessageStyle, NotificationKind, Preference, WebhookEndpoint, WebhookInput,
    WebhookPlatform, is_site_path,
};
use serde::Deserialize;
use service::notifications::kind_label;

/// One inbox line as shown.
pub struct InboxLine {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub kind: &'static str,
    pub received: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    t: Tr,
    chrome: Chrome,
    unread_only: bool,
    lines: Vec<InboxLine>,
    pager: Pager,
}

/// Inbox filters.
#[derive(Deserialize)]
pub struct InboxQuery {
    show: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// `GET /inbox`: the caller's own notifications, unread first by default.
pub async fn inbox(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let unread_only = query.show.as_deref() != Some("all");
    let page = Page::new(query.page, query.per_page);
    let paged = service::notifications::inbox(&state, &caller.principal, unread_only, page).await?;
    let t = Tr(caller.locale);
    let lines = paged
        .items
        .iter()
        .map(|item| {
            let r =
                service::notifications::rendered(&state, item.kind, &item.params, caller.locale);
            InboxLine {
                id: item.id,
                title: r.title,
                body: r.body,
                kind: kind_label(item.kind, caller.locale),
                received: local_time(&state, item.created_at),
                unread: item.read_at.is_none(),
            }
        })
        .collect();
    let show = if unread_only { "" } else { "all" };
    let pager = Pager::new(
        t,
        &paged,
        "/inbox",
        &query_string(&[("show", show.to_string())]),
    );
    let page = InboxPage {
        t,
        chrome: Chrome::for_caller(&caller),
        unread_only,
        lines,
        pager,
    };
    Ok(render(&page).into_response())
}

/// `GET /inbox/{id}`: marks one's own notification read and follows its link.
pub async fn open(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let item = service::notifications::mark_read(&state, &caller.principal, id).await?;
    let target = item
        .link
        .filter(|l| is_site_path(l))
        .unwrap_or_else(|| "/inbox".into());
    Ok(Redirect::to(&target).into_response())
}

/// `POST /inbox/{id}/read`.
pub async fn mark_read(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    service::notifications::mark_read(&state, &caller.principal, id).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// `POST /inbox/read-all`.
pub async fn mark_all_read(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    service::notifications::mark_all_read(&state, &caller.principal).await?;
    Ok(Redirect::to("/inbox?show=all").into_response())
}

/// One kind's row of switches.
pub struct PreferenceRow {
    pub code: &'static str,
    pub label: &'static str,
    pub mandatory: bool,
    /// (channel code, channel label, enabled).
    pub channels: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "inbox_settings.html")]
struct SettingsPage {
    t: Tr,
    chrome: Chrome,
    rows: Vec<PreferenceRow>,
    saved: bool,
}

fn preference_rows(t: Tr, prefs: &[Preference]) -> Vec<PreferenceRow> {
    NotificationKind::ALL
        .iter()
        .map(|&kind| PreferenceRow {
            code: kind.code(),
            label: kind_label(kind, t.0),
            mandatory: kind.is_mandatory(),
            channels: Channel::ALL
                .iter()
                .map(|&channel| {
                    let enabled = prefs
                        .iter()
                        .any(|p| p.kind == kind && p.channel == channel && p.enabled);
                    (
                        channel.code(),
                        t.get(&format!("notify.channel.{}", channel.code())),
                        enabled,
                    )
                })
                .collect(),
        })
        .collect()
}

/// Notice after saving.
#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /inbox/settings`: the caller's switches per kind and channel.
pub async fn settings(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(query): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let prefs = service::notifications::preferences(&state, &caller.principal).await?;
    let t = Tr(caller.locale);
    let page = SettingsPage {
        t,
        chrome: Chrome::for_caller(&caller),
        rows: preference_rows(t, &prefs),
        saved: query.saved.is_some(),
    };
    Ok(render(&page).into_response())
}

/// `POST /inbox/settings`: a checked box `kind:channel` is on, an unchecked one off;
/// mandatory kinds are not in the form and stay on.
pub async fn save_settings(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let on: Vec<&str> = fields
        .iter()
        .filter(|(_, v)| v == "on")
        .map(|(k, _)| k.as_str())
        .collect();
    let changes = service::notifications::preferences_from_switches(&on);
    service::notifications::set_preferences(&state, &caller.principal, &changes, &caller.actor())
        .await?;
    Ok(Redirect::to("/inbox/settings?saved=1").into_response())
}

// ----- webhooks ---------------------------------------------------------------------

/// An endpoint as listed.
pub struct WebhookLine {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// The platform's name.
    pub platform: &'static str,
    pub kinds: String,
    pub active: bool,
    pub secret: String,
}

fn webhook_line(caller: &PageCaller, w: &WebhookEndpoint) -> WebhookLine {
    WebhookLine {
        id: w.id,
        name: w.name.clone(),
        url: w.url.clone(),
        platform: Tr(caller.locale).get(&format!("webhooks.platform.{}", w.platform.code())),
        kinds: w
            .kinds
            .iter()
            .map(|k| kind_label(*k, caller.locale))
            .collect::<Vec<_>>()
            .join("、"),
        active: w.active,
        secret: w.masked_secret(),
    }
}

/// The endpoint form as filled in.
#[derive(Default)]
pub struct WebhookForm {
    pub name: String,
    pub url: String,
    /// (code, label, selected) of each platform.
    pub platforms: Vec<(&'static str, &'static str, bool)>,
    /// (code, label, selected) of each message style.
    pub styles: Vec<(&'static str, &'static str, bool)>,
    /// (code, label, checked).
    pub kinds: Vec<(&'static str, &'static str, bool)>,
    pub active: bool,
}

impl WebhookForm {
    fn from_input(caller: &PageCaller, input: &WebhookInput) -> Self {
        let t = Tr(caller.locale);
        let chosen = |given: &str, code: &str, first: bool| {
            given.trim() == code || (given.trim().is_empty() && first)
        };
        Self {
            name: input.name.clone(),
            url: input.url.clone(),
            platforms: WebhookPlatform::ALL
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    (
                        p.code(),
                        t.get(&format!("webhooks.platform.{}", p.code())),
                        chosen(&input.platform, p.code(), i == 0),
                    )
                })
                .collect(),
            styles: MessageStyle::ALL
                .iter()
                .enumerate()
                .map(|(i, st)| {
                    (
                        st.code(),
                        t.get(&format!("webhooks.style.{}", st.code())),
                        chosen(&input.style, st.code(), i == 0),
                    )
                })
                .collect(),
            kinds: NotificationKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.code(),
                        kind_label(*k, caller.locale),
                        input.kinds.iter().any(|c| c == k.code()),
                    )
                })
                .collect(),
            active: input.active,
        }
    }

    fn parse(fields: &[(String, String)]) -> WebhookInput {
        let one = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        WebhookInput {
            name: one("name"),
            url: one("url"),
            platform: one("platform"),
            style: one("style"),
            secret: one("secret"),
            kinds: fields
                .iter()
                .filter(|(k, _)| k == "kinds")
                .map(|(_, v)| v.clone())
                .collect(),
            active: fields.iter().any(|(k, v)| k == "active" && v == "on"),
        }
    }
}

const WEBHOOK_LABELS: &[(&str, &str)] = &[
    ("name", "webhooks.name"),
    ("url", "webhooks.url"),
    ("platform", "webhooks.platform"),
    ("style", "webhooks.style"),
    ("secret", "webhooks.secret"),
    ("kinds", "webhooks.kinds"),
];

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    t: Tr,
    chrome: Chrome,
    hooks: Vec<WebhookLine>,
    form: WebhookForm,
    error: Option<String>,
    created_secret: Option<String>,
}

async fn webhooks_page(
    state: &AppState,
    caller: &PageCaller,
    form: WebhookForm,
    error: Option<String>,
    created_secret: Option<String>,
) -> Result<Response, PageError> {
    let hooks = service::notifications::list_webhooks(state, &caller.principal)
        .await?
        .iter()
        .map(|w| webhook_line(caller, w))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WebhooksPage {
        t: Tr(caller.locale),
        chrome: Chrome::for_caller(caller),
        hooks,
        form,
        error,
        created_secret,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /admin/webhooks`.
pub async fn webhooks(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Response, PageError> {
    let blank = WebhookInput {
        active: true,
        ..WebhookInput::default()
    };
    let form = WebhookForm::from_input(&caller, &blank);
    webhooks_page(&state, &caller, form, None, None).await
}

/// `POST /admin/webhooks`: the new secret is shown once on the page that answers.
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = WebhookForm::parse(&fields);
    match service::notifications::create_webhook(&state, &caller.principal, &input, &caller.actor())
        .await
    {
        Ok((_, secret)) => {
            let blank = WebhookInput {
                active: true,
                ..WebhookInput::default()
            };
            let form = WebhookForm::from_input(&caller, &blank);
            webhooks_page(&state, &caller, form, None, Some(secret)).await
        }
        Err(e) => match input_error(Tr(caller.locale), &e, WEBHOOK_LABELS) {
            Some(message) => {
                let form = WebhookForm::from_input(&caller, &input);
                webhooks_page(&state, &caller, form, Some(message), None).await
            }
            None => Err(e.into()),
        },
    }
}

/// A delivery as listed.
pub struct DeliveryLine {
    pub id: i64,
    pub kind: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub attempts: i32,
    pub status_code: String,
    pub last_error: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    t: Tr,
    chrome: Chrome,
    hook: WebhookLine,
    form: WebhookForm,
    error: Option<String>,
    notice: Option<&'static str>,
    /// What the endpoint answered to a test message just sent: (ok, text).
    answer: Option<(bool, String)>,
    deliveries: Vec<DeliveryLine>,
    pager: Pager,
}

/// Page and notice of the endpoint page.
#[derive(Deserialize)]
pub struct WebhookQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    done: Option<String>,
}

async fn webhook_page(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    query: &WebhookQuery,
    form: Option<WebhookForm>,
    error: Option<String>,
) -> Result<Response, PageError> {
    webhook_page_with(state, caller, id, query, form, error, None).await
}

async fn webhook_page_with(
    state: &AppState,
    caller: &PageCaller,
    id: i64,
    query: &WebhookQuery,
    form: Option<WebhookForm>,
    error: Option<String>,
    answer: Option<(bool, String)>,
) -> Result<Response, PageError> {
    let endpoint = service::notifications::webhook(state, &caller.principal, id).await?;
    let t = Tr(caller.locale);
    let paged = service::notifications::webhook_deliveries(
        state,
        &caller.principal,
        id,
        Page::new(query.page, query.per_page),
    )
    .await?;
    let deliveries = paged
        .items
        .iter()
        .map(|d| DeliveryLine {
            id: d.id,
            kind: d.kind.clone(),
            status: d.status.code(),
            status_label: t.get(&format!("delivery.status.{}", d.status.code())),
            attempts: d.attempts,
            status_code: d.status_code.map(|c| c.to_string()).unwrap_or_default(),
            last_error: d.last_error.clone().unwrap_or_default(),
            created: local_time(state, d.created_at),
        })
        .collect();
    let form = form.unwrap_or_else(|| {
        let input = WebhookInput {
            name: endpoint.name.clone(),
            url: endpoint.url.clone(),
            platform: endpoint.platform.code().to_string(),
            style: endpoint.style.code().to_string(),
            secret: String::new(),
            kinds: endpoint
                .kinds
                .iter()
                .map(|k| k.code().to_string())
                .collect(),
            active: endpoint.active,
        };
        WebhookForm::from_input(caller, &input)
    });
    let notice = match query.done.as_deref() {
        Some("test") => Some(t.get("webhooks.test_queued")),
        Some("saved") => Some(t.get("webhooks.saved")),
        _ => None,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WebhookPage {
        t,
        chrome: Chrome::for_caller(caller),
        hook: webhook_line(caller, &endpoint),
        form,
        error,
        notice,
        answer,
        pager: Pager::new(t, &paged, &format!("/admin/webhooks/{id}"), ""),
        deliveries,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /admin/webhooks/{id}`: the endpoint's form and delivery log.
pub async fn webhook(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(query): Query<WebhookQuery>,
) -> Result<Response, PageError> {
    webhook_page(&state, &caller, id, &query, None, None).await
}

/// `POST /admin/webhooks/{id}`.
pub async fn update_webhook(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let input = WebhookForm::parse(&fields);
    match service::notifications::update_webhook(
        &state,
        &caller.principal,
        id,
        &input,
        &caller.actor(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/webhooks/{id}?done=saved")).into_response()),
        Err(e) => match input_error(Tr(caller.locale), &e, WEBHOOK_LABELS) {
            Some(message) => {
                let form = WebhookForm::from_input(&caller, &input);
                let query = WebhookQuery {
                    page: None,
                    per_page: None,
                    done: None,
                };
                webhook_page(&state, &caller, id, &query, Some(form), Some(message)).await
            }
            None => Err(e.into()),
        },
    }
}

/// `POST /admin/webhooks/{id}/test`.
pub async fn send_test(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    service::notifications::send_test_event(&state, &caller.principal, id).await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?done=test")).into_response())
}

/// `POST /admin/webhooks/{id}/test-message`: sends a test message at once and shows
/// what the platform answered (its `errcode` / `code` and message).
pub async fn send_test_message(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (_, answer) =
        service::notifications::send_test_message(&state, &caller.principal, id, &caller.actor())
            .await?;
    let t = Tr(caller.locale);
    let text = format!(
        "{} HTTP {} · {} {} · {}",
        t.get(if answer.ok {
            "webhooks.answer_ok"
        } else {
            "webhooks.answer_failed"
        }),
        answer
            .status_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into()),
        t.get("webhooks.platform_code"),
        answer
            .platform_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "-".into()),
        answer.message
    );
    let query = WebhookQuery {
        page: None,
        per_page: None,
        done: None,
    };
    webhook_page_with(
        &state,
        &caller,
        id,
        &query,
        None,
        None,
        Some((answer.ok, text)),
    )
    .await
}

/// `POST /admin/webhooks/{id}/delete`.
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    service::notifications::delete_webhook(&state, &caller.principal, id, &caller.actor()).await?;
    Ok(Redirect::to("/admin/webhooks").into_response())
}

/// The routes of this module's pages.
pub(crate) fn routes(registry: Registry) -> Registry {
    use crate::routes::Surface::Page;
    registry
        .get("/inbox", Page, inbox)
        .post("/inbox/read-all", Page, mark_all_read)
        .get("/inbox/settings", Page, settings)
        .post("/inbox/settings", Page, save_settings)
        .get("/inbox/{id}", Page, open)
        .post("/inbox/{id}/read", Page, mark_read)
        .get("/admin/webhooks", Page, webhooks)
        .post("/admin/webhooks", Page, create_webhook)
        .get("/admin/webhooks/{id}", Page, webhook)
        .post("/admin/webhooks/{id}", Page, update_webhook)
        .post("/admin/webhooks/{id}/test", Page, send_test)
        .post("/admin/webhooks/{id}/test-message", Page, send_test_message)
        .post("/admin/webhooks/{id}/delete", Page, delete_webhook)
}
