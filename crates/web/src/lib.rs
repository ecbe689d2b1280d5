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
pub mod effect_service;
pub mod error;
pub mod exams;
pub mod i18n;
mod i18n_effect;
mod i18n_evaluation;
mod i18n_exams;
mod i18n_timetables;
pub mod library;
pub mod metrics;
pub mod need_service;
pub mod notifications;
pub mod ops;
pub mod routes;
pub mod service;
pub mod state;
pub mod timetable_service;
pub mod ui;

pub use routes::{RouteInfo, build_router};
pub use state::{AppState, WebConfig};
