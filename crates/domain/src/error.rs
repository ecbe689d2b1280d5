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
    /// The upload or request body is larger than the limit allows.
    #[error("{what} is larger than the limit of {limit}")]
    TooLarge { what: String, limit: String },
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many attempts, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A fault outside the caller's control (database down, bug): what failed and the
    /// error it came from. Callers never see either; the HTTP layer logs both with the
    /// request id and answers 500 with that id.
    #[error("internal error: {message}")]
    Internal {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl DomainError {
    /// An internal fault described by `message` alone.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal {
            message: message.into(),
            source: None,
        }
    }

    /// An internal fault: `context` says what failed, `source` is the cause.
    pub fn internal_from(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Internal {
            message: context.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message and the chain of causes of an internal fault, for the log.
    pub fn internal_cause(&self) -> Option<String> {
        let Self::Internal { message, source } = self else {
            return None;
        };
        let mut out = message.clone();
        let mut next: Option<&(dyn std::error::Error + 'static)> = match source {
            Some(s) => Some(s.as_ref()),
            None => None,
        };
        while let Some(cause) = next {
            out.push_str(": ");
            out.push_str(&cause.to_string());
            next = cause.source();
        }
        Some(out)
    }

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
