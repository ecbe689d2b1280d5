//! The pure core of Skillbridge's xAPI Learning Record Store (xAPI 1.0.3 and
//! xAPI 2.0 / IEEE 9274.1.1): statement validation, normalisation and output
//! formats, statement-query and voiding semantics, agent identity, document
//! resource concurrency and merge rules, and multipart/mixed parsing with
//! signed-statement checks. Nothing here performs I/O; the HTTP layer and the
//! store call into it.

pub mod agent;
pub mod document;
pub mod formats;
pub mod multipart;
pub mod normalize;
pub mod query;
pub mod signature;
pub mod validate;

pub use agent::{ifi_key, person_object};
pub use document::{check_preconditions, etag, post_document};
pub use multipart::parse_statements_request;
pub use normalize::{
    Format, StoreStamp, format_statement, prepare_for_storage, statements_equivalent,
};
pub use query::{StatementFilter, StatementIndexRow, select, void_effect, voiding_target};

pub use validate::{ValidationError, validate_statement, validate_statements};

/// The xAPI version an LRS endpoint speaks (chosen by the `X-Experience-API-Version`
/// request header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XapiVersion {
    /// xAPI 1.0.3 (accepts statement versions 1.0.x).
    V1_0_3,
    /// xAPI 2.0 / IEEE 9274.1.1 (accepts statement versions 1.0.x and 2.0.x).
    V2_0,
}

impl XapiVersion {
    /// The value of the `version` property the LRS stores when a statement has none.
    pub fn default_statement_version(self) -> &'static str {
        match self {
            XapiVersion::V1_0_3 => "1.0.0",
            XapiVersion::V2_0 => "2.0.0",
        }
    }

    /// The version from an `X-Experience-API-Version` header value (`1.0.x` or `2.0.x`).
    pub fn from_header(value: &str) -> Option<Self> {
        let v = value.trim();
        let minor_ok = |rest: &str| {
            rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        };
        if let Some(rest) = v.strip_prefix("1.0") {
            minor_ok(rest).then_some(XapiVersion::V1_0_3)
        } else if let Some(rest) = v.strip_prefix("2.0") {
            minor_ok(rest).then_some(XapiVersion::V2_0)
        } else {
            None
        }
    }

    /// Whether a statement's `version` property is acceptable to this endpoint.
    pub fn accepts_statement_version(self, value: &str) -> bool {
        match XapiVersion::from_header(value) {
            Some(XapiVersion::V1_0_3) => true,
            Some(XapiVersion::V2_0) => self == XapiVersion::V2_0,
            None => false,
        }
    }
}

/// The IRI of the verb that voids a statement.
pub const VOIDED_VERB: &str = "http://adlnet.gov/expapi/verbs/voided";
/// The attachment usage type of a statement signature.
pub const SIGNATURE_USAGE_TYPE: &str = "http://adlnet.gov/expapi/attachments/signature";
