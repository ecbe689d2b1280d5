//! Errors as HTTP responses: RFC 9457 problem+json for the API, HTML for pages.

use crate::i18n::Locale;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use serde::Serialize;

/// The request id set by the request-id layer, or `-`.
fn current_request_id() -> String {
    REQUEST_ID
        .try_with(|id| id.clone())
        .unwrap_or_else(|_| "-".into())
}

tokio::task_local! {
    /// The id of the request being served, for error bodies and logs.
    pub static REQUEST_ID: String;

    /// The language of the page being served: the browser's until the page extractor
    /// knows the caller, then the caller's. It lets `?` turn a `DomainError` into a
    /// [`PageError`] in the right language without each handler naming the locale.
    pub static PAGE_LOCALE: std::cell::Cell<Locale>;
}

/// The language errors of the current page are shown in (the default outside a request).
pub fn current_page_locale() -> Locale {
    PAGE_LOCALE.try_with(|l| l.get()).unwrap_or_default()
}

/// Sets the language errors of the current page are shown in; outside a request it does nothing.
pub fn set_page_locale(locale: Locale) {
    let _ = PAGE_LOCALE.try_with(|l| l.set(locale));
}

/// Body of an RFC 9457 problem response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The request id, to quote when reporting the problem.
    pub request_id: String,
    /// The input field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error of a JSON endpoint.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub detail: String,
    pub field: Option<String>,
    pub retry_after: Option<u64>,
    /// RFC 9457 extension members added to the body (e.g. a clash list), so a client
    /// can act on them without parsing `detail`.
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// An error with a status, a problem type slug and a human-readable detail.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            detail: detail.into(),
            field: None,
            retry_after: None,
            extensions: serde_json::Map::new(),
        }
    }

    /// Adds an extension member to the problem body.
    pub fn with_extension(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extensions.insert(key.to_string(), value);
        self
    }

    /// 400 for a malformed request.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// 404 for an unknown route or record.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", detail)
    }
}

/// Logs an internal fault with its chain of causes and the request id, once, where it
/// becomes a 500; the caller sees only the id.
fn log_internal(error: &DomainError) {
    if let Some(cause) = error.internal_cause() {
        tracing::error!(request_id = %current_request_id(), cause = %cause, "internal error");
    }
}

/// Status, problem slug and public detail for a domain error.
pub fn classify(error: &DomainError) -> (StatusCode, &'static str, String) {
    match error {
        DomainError::NotFound { entity } => (
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{entity} not found"),
        ),
        DomainError::Validation { field, message } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            format!("{field}: {message}"),
        ),
        DomainError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m.clone()),
        DomainError::Forbidden => (
            StatusCode::FORBIDDEN,
            "forbidden",
            "you do not have permission for this".into(),
        ),
        DomainError::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "authentication required".into(),
        ),
        DomainError::TooLarge { what, limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("{what} is larger than the limit of {limit}"),
        ),
        DomainError::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!("too many attempts; retry in {retry_after_secs} seconds"),
        ),
        DomainError::Internal { .. } => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred; quote the request id when reporting it".into(),
        ),
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        log_internal(&error);
        let (status, kind, detail) = classify(&error);
        let field = match &error {
            DomainError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let retry_after = match error {
            DomainError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        Self {
            status,
            kind,
            detail,
            field,
            retry_after,
            extensions: serde_json::Map::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: format!("/problems/{}", self.kind),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            request_id: current_request_id(),
            field: self.field,
        };
        let body = match serde_json::to_value(&problem) {
            Ok(serde_json::Value::Object(mut map)) if !self.extensions.is_empty() => {
                for (key, value) in self.extensions {
                    // The standard members win over an extension of the same name.
                    map.entry(key).or_insert(value);
                }
                serde_json::to_vec(&map).unwrap_or_default()
            }
            _ => serde_json::to_vec(&problem).unwrap_or_default(),
        };
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An error of an HTML page; rendered as a page in the caller's language.
#[derive(Debug)]
pub struct PageError {
    pub error: DomainError,
    pub locale: Locale,
}

impl PageError {
    /// Wraps a domain error for a page in `locale`.
    pub fn new(error: DomainError, locale: Locale) -> Self {
        Self { error, locale }
    }
}

impl From<DomainError> for PageError {
    /// A domain error in the current page's language, so that `?` works in page handlers.
    fn from(error: DomainError) -> Self {
        Self::new(error, current_page_locale())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.error, DomainError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        log_internal(&self.error);
        let (status, _, detail) = classify(&self.error);
        let t = crate::i18n::Tr(self.locale);
        let message = match &self.error {
            DomainError::Forbidden => t.get("error.forbidden").to_string(),
            DomainError::NotFound { .. } => t.get("error.not_found").to_string(),
            _ => detail,
        };
        crate::ui::error_page(status, &message, self.locale, &current_request_id())
    }
}
