//! The HTTP surface of Skillbridge: the JSON API under `/api/v1` (described by
//! OpenAPI at `/api/openapi.json`), the server-rendered UI, operational endpoints
//! and embedded assets.
//!
//! Error policy: handlers return [`error::ApiError`] (JSON, RFC 9457) or
//! [`error::PageError`] (HTML). Both are built from `DomainError`; internal faults
//! are logged with their cause and shown only as a request id.

pub mod api;
pub mod assets;
pub mod auth;
pub mod certificate_pdf;
pub mod csrf;
pub mod error;
pub mod locale;
pub mod metrics;
pub mod multipart;
pub mod ops;
pub mod routes;
pub mod state;
pub mod ui;

/// The UI texts, re-exported so pages and templates name them `crate::i18n`.
pub use i18n;
pub use routes::{RouteInfo, build_router};
pub use state::{AppState, WebConfig};
