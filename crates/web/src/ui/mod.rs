//! Server-rendered pages (askama), zh-CN by default and English on request.

pub mod account;
pub mod admin;
pub mod api_docs;
pub mod certificates;
pub mod charts;
pub mod competency;
pub mod competency_import;
pub mod decoding;
pub mod effect;
pub mod evaluation;
pub mod exams;
pub mod home;
pub mod hr_sync;
pub mod import;
pub mod library;
pub mod library_packs;
pub mod library_tags;
pub mod login;
pub mod needs;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod org_tree;
pub mod performance;
pub mod practice;
pub mod sso;
pub mod surveys;
pub mod timetables;
pub mod training_records;

use crate::auth::{CurrentSession, PageCaller, client_ip};
use crate::error::PageError;
use crate::i18n::{Locale, Tr};
use crate::state::AppState;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use domain::Role;
use service::access::Destination;
use std::convert::Infallible;

/// A navigation entry.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub user_name: String,
    pub roles: String,
    pub nav: Vec<NavItem>,
    pub csrf: String,
    pub path: String,
    /// Unread notifications (the bell links to the inbox).
    pub unread: i64,
}

/// Where a navigation entry leads and the key of its label.
fn destination_link(destination: Destination) -> (&'static str, &'static str) {
    match destination {
        Destination::Home => ("/", "nav.home"),
        Destination::People => ("/people", "nav.people"),
        Destination::Org => ("/org", "nav.org"),
        Destination::Performance => ("/performance", "nav.performance"),
        Destination::Entry => ("/performance/entry", "nav.entry"),
        Destination::Competency => ("/competency", "nav.competency"),
        Destination::Decoding => ("/decoding", "nav.decoding"),
        Destination::Needs => ("/needs", "nav.needs"),
        Destination::MyNeeds => ("/my/needs", "nav.my_needs"),
        Destination::MyApprovals => ("/my/approvals", "nav.my_approvals"),
        Destination::Credits => ("/credits", "nav.credits"),
        Destination::Certificates => ("/certificates", "nav.certificates"),
        Destination::Library => ("/library", "nav.library"),
        Destination::Programs => ("/programs", "nav.programs"),
        Destination::MyLearning => ("/my/learning", "nav.my_learning"),
        Destination::Practice => ("/practice", "nav.practice"),
        Destination::MyExams => ("/my/exams", "nav.my_exams"),
        Destination::Timetables => ("/timetables", "nav.timetables"),
        Destination::Exams => ("/exams", "nav.exams"),
        Destination::Grading => ("/exams/grading", "nav.grading"),
        Destination::Reconciliation => ("/performance/reconciliation", "nav.reconciliation"),
        Destination::Evaluation => ("/evaluation", "nav.evaluation"),
        Destination::Users => ("/admin/users", "nav.users"),
        Destination::Audit => ("/admin/audit", "nav.audit"),
        Destination::Jobs => ("/admin/jobs", "nav.jobs"),
        Destination::Webhooks => ("/admin/webhooks", "nav.webhooks"),
        Destination::Inbox => ("/inbox", "nav.inbox"),
        Destination::Account => ("/account", "nav.account"),
        Destination::Api => ("/api/docs", "nav.api"),
    }
}

impl Chrome {
    /// The frame for `caller`: navigation follows their roles.
    pub fn for_caller(caller: &PageCaller) -> Self {
        let t = Tr(caller.locale);
        let p = &caller.principal;
        let items = service::access::destinations(p)
            .into_iter()
            .map(destination_link);
        let mut nav: Vec<NavItem> = items
            .into_iter()
            .map(|(href, key)| NavItem {
                href,
                label: t.get(key),
                active: false,
            })
            .collect();
        // The longest entry the current path falls under is the active one.
        let active = nav
            .iter()
            .enumerate()
            .filter(|(_, item)| {
                caller.path == item.href
                    || (item.href != "/" && caller.path.starts_with(&format!("{}/", item.href)))
            })
            .max_by_key(|(_, item)| item.href.len())
            .map(|(i, _)| i);
        if let Some(i) = active {
            nav[i].active = true;
        }
        Chrome {
            lang: caller.locale.tag(),
            other_lang: match caller.locale {
                Locale::ZhCn => "en",
                Locale::En => "zh-CN",
            },
            user_name: p.display_name.clone(),
            roles: p
                .roles()
                .iter()
                .map(|r| role_label(t, *r))
                .collect::<Vec<_>>()
                .join(" · "),
            nav,
            csrf: caller.session.csrf_token.clone(),
            path: caller.path.clone(),
            unread: caller.unread_notifications,
        }
    }
}

/// A role's name in the UI language.
pub fn role_label(t: Tr, role: Role) -> &'static str {
    t.get(&format!("role.{}", role.code()))
}

/// A visitor who may or may not be signed in (public pages).
pub struct Viewer {
    pub caller: Option<PageCaller>,
    pub locale: Locale,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = crate::locale::from_request(&parts.headers, None);
        let caller = match parts.extensions.get::<CurrentSession>().cloned() {
            Some(session) => match service::accounts::principal(state, session.user_id).await {
                Ok(principal) => {
                    let locale =
                        crate::locale::from_request(&parts.headers, principal.locale.as_deref());
                    crate::error::set_page_locale(locale);
                    Some(PageCaller {
                        principal,
                        session,
                        locale,
                        ip: client_ip(parts),
                        path: parts.uri.path().to_string(),
                        unread_notifications: 0,
                    })
                }
                Err(_) => None,
            },
            None => None,
        };
        let locale = caller.as_ref().map(|c| c.locale).unwrap_or(locale);
        Ok(Self { caller, locale })
    }
}

/// Renders a template to a response (a rendering fault is a logged 500).
pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    lang: &'static str,
    status: u16,
    message: &'a str,
    request_id: &'a str,
}

/// A stand-alone error page in `locale`.
pub fn error_page(status: StatusCode, message: &str, locale: Locale, request_id: &str) -> Response {
    let t = Tr(locale);
    let page = ErrorPage {
        t,
        lang: locale.tag(),
        status: status.as_u16(),
        message,
        request_id,
    };
    (status, render(&page)).into_response()
}

/// Builds a query string for pager links from (key, value) pairs, skipping empties.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// Pager state for list templates.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub summary: String,
    pub position: String,
}

impl Pager {
    /// A pager for `paged`, linking to `base?query&page=N`.
    pub fn new<T>(t: Tr, paged: &domain::Paged<T>, base: &str, query: &str) -> Self {
        let pages = paged.page_count();
        let link = |p: u32| {
            let sep = if query.is_empty() { "" } else { "&" };
            format!("{base}?{query}{sep}page={p}")
        };
        Pager {
            page: paged.page,
            pages,
            total: paged.total,
            prev: (paged.page > 1).then(|| link(paged.page - 1)),
            next: (paged.page < pages).then(|| link(paged.page + 1)),
            summary: t.get("list.total").replace("{n}", &paged.total.to_string()),
            position: t
                .get("list.page")
                .replace("{p}", &paged.page.to_string())
                .replace("{n}", &pages.to_string()),
        }
    }
}

/// Formats a timestamp in the company's zone as `YYYY-MM-DD HH:MM`.
pub fn local_time(state: &AppState, t: time::OffsetDateTime) -> String {
    let local = t.to_offset(state.settings.timezone);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute()
    )
}

/// A user's mistake to show above the form they filled in: the field's label (from
/// `labels`, field code → text key) with its code, then what is wrong. `None` for
/// errors that are not the input's fault; those get an error page.
pub fn input_error(t: Tr, error: &domain::DomainError, labels: &[(&str, &str)]) -> Option<String> {
    match error {
        domain::DomainError::Validation { field, message } => {
            Some(match labels.iter().find(|(f, _)| f == field) {
                Some((_, key)) => format!("{} ({field}): {message}", t.get(key)),
                None => format!("{field}: {message}"),
            })
        }
        domain::DomainError::Conflict(message) => Some(message.clone()),
        _ => None,
    }
}

/// A record id from a path segment; anything that is not a number reads as a missing
/// `entity` (404), as a wrong id would.
pub fn path_id(text: &str, entity: &'static str) -> domain::DomainResult<i64> {
    text.trim()
        .parse()
        .map_err(|_| domain::DomainError::NotFound { entity })
}

/// An Excel workbook as a download named `file`.
pub fn xlsx_response(bytes: Vec<u8>, file: &str) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A numeric record id from the path (`/exams/{id}`); anything else is the page's
/// "not found", in the caller's language.
pub struct PageId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PageId {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let not_found = || PageError::from(domain::DomainError::NotFound { entity: "record" });
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| not_found())?;
        text.trim().parse().map(PageId).map_err(|_| not_found())
    }
}

/// Every page route: each module registers its own.
pub(crate) fn routes(registry: crate::routes::Registry) -> crate::routes::Registry {
    let registry = login::routes(registry);
    let registry = sso::routes(registry);
    let registry = home::routes(registry);
    let registry = org::routes(registry);
    let registry = org_tree::routes(registry);
    let registry = import::routes(registry);
    let registry = performance::routes(registry);
    let registry = competency::routes(registry);
    let registry = competency_import::routes(registry);
    let registry = decoding::routes(registry);
    let registry = needs::routes(registry);
    let registry = library::routes(registry);
    let registry = library_tags::routes(registry);
    let registry = library_packs::routes(registry);
    let registry = operations::routes(registry);
    let registry = timetables::routes(registry);
    let registry = surveys::routes(registry);
    let registry = certificates::routes(registry);
    let registry = practice::routes(registry);
    let registry = effect::routes(registry);
    let registry = exams::routes(registry);
    let registry = training_records::routes(registry);
    let registry = account::routes(registry);
    let registry = notifications::routes(registry);
    let registry = evaluation::routes(registry);
    let registry = hr_sync::routes(registry);
    admin::routes(registry)
}
