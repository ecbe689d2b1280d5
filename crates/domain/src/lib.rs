//! Domain types and rules shared by every bounded context.
//!
//! Nothing here knows about SQL or HTTP: the store crate implements the
//! repository traits, the web crate maps [`DomainError`] to responses.

/// An enum stored as a code; `parse` accepts the code or a Chinese name and names
/// `field` when it fails.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal, { $( $(#[$vmeta:meta])* $variant:ident => $code:literal $(| $alias:literal)* ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            /// Parses a code or its Chinese name.
            pub fn parse(text: &str) -> $crate::DomainResult<Self> {
                let text = text.trim();
                match text.to_lowercase().as_str() {
                    $($code $(| $alias)* => Ok($name::$variant),)+
                    _ => Err($crate::DomainError::invalid(
                        $field,
                        format!(
                            "'{text}' is not one of {}",
                            [$(concat!($code $(, "/", $alias)*)),+].join(", ")
                        ),
                    )),
                }
            }
        }
    };
}

// Calendar dates travel as `2026-12-31` in JSON (serde's default for `time::Date`
// would be a `[year, ordinal]` pair no API client expects).
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

pub mod access;
pub mod account;
pub mod audit;
pub mod certificates;
pub mod competency;
pub mod decoding;
pub mod effect;
pub mod error;
pub mod evaluation;
pub mod exams;
pub mod hr_sync;
pub mod jobs;
pub mod library;
pub mod need_approvals;
pub mod needs;
pub mod notifications;
pub mod operations;
pub mod org;
pub mod org_tree;
pub mod page;
pub mod performance;
pub mod practice;
pub mod surveys;
pub mod timetables;
pub mod training_records;

pub use access::{DataScope, Grant, Permission, Principal, Role, ScopeKind};
pub use error::{DomainError, DomainResult};
pub use page::{Page, Paged};
