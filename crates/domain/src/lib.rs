//! Domain types and rules shared by every bounded context.
//!
//! Nothing here knows about SQL or HTTP: the store crate implements the
//! repository traits, the web crate maps [`DomainError`] to responses.

pub mod access;
pub mod account;
pub mod audit;
pub mod competency;
pub mod decoding;
pub mod error;
pub mod jobs;
pub mod library;
pub mod needs;
pub mod org;
pub mod page;
pub mod performance;
pub mod training_records;

pub use access::{DataScope, Grant, Permission, Principal, Role, ScopeKind};
pub use error::{DomainError, DomainResult};
pub use page::{Page, Paged};
