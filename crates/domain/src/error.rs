//! The error every domain operation and repository returns.

/// What went wrong, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The record does not exist, or the caller's data scope does not include it.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// A user's input broke a rule; `field` names the input.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The change collides with existing data (a duplicate code, say).
    #[error("{0}")]
    Conflict(String),
    /// The caller is known but lacks the permission.
    #[error("forbidden")]
    Forbidden,
    /// The caller did not authenticate, or the credentials are wrong.
    #[error("authentication required")]
    Unauthenticated,
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A fault outside the caller's control (database down, bug).
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    /// Shorthand for a validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result of a domain operation.
pub type DomainResult<T> = Result<T, DomainError>;
