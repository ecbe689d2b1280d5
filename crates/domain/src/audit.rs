//! The append-only audit log.

use crate::{DomainResult, Page, Paged};
use serde::Serialize;
use std::future::Future;
use time::OffsetDateTime;

/// One recorded change: who, when, from where, what, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    /// The actor's username, or `system` / `cli` for unattended changes.
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    /// JSON of the record before the change.
    pub before: Option<String>,
    /// JSON of the record after the change.
    pub after: Option<String>,
}

/// A change to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub ip: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl NewAuditEntry {
    /// An entry with no before/after payload.
    pub fn new(actor_user_id: Option<i64>, actor: &str, action: &str, entity_kind: &str) -> Self {
        Self {
            actor_user_id,
            actor: actor.to_string(),
            ip: None,
            action: action.to_string(),
            entity_kind: entity_kind.to_string(),
            entity_id: None,
            before: None,
            after: None,
        }
    }

    /// Sets the affected record's id.
    pub fn entity(mut self, id: impl ToString) -> Self {
        self.entity_id = Some(id.to_string());
        self
    }

    /// Sets the caller's address.
    pub fn from_ip(mut self, ip: Option<String>) -> Self {
        self.ip = ip;
        self
    }

    /// Sets the before and after JSON.
    pub fn change(mut self, before: Option<String>, after: Option<String>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// Who makes a change, recorded with it in the same transaction.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// Username, or `cli` / `system` for unattended changes.
    pub name: String,
    pub ip: Option<String>,
}

impl Actor {
    /// A change made from the command line by the machine's operator.
    pub fn cli() -> Self {
        Self {
            user_id: None,
            name: "cli".into(),
            ip: None,
        }
    }

    /// A change made by the system itself (jobs, demo generation).
    pub fn system() -> Self {
        Self {
            user_id: None,
            name: "system".into(),
            ip: None,
        }
    }

    /// An audit entry for `action` on `entity_kind` made by this actor.
    pub fn entry(&self, action: &str, entity_kind: &str) -> NewAuditEntry {
        NewAuditEntry::new(self.user_id, &self.name, action, entity_kind).from_ip(self.ip.clone())
    }
}

/// Filters for the audit list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_kind: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

/// Storage of the audit log: append and read, never change.
pub trait AuditRepository {
    /// Appends an entry.
    fn append_audit(&self, entry: &NewAuditEntry) -> impl Future<Output = DomainResult<()>> + Send;
    /// Entries newest first.
    fn list_audit(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> impl Future<Output = DomainResult<Paged<AuditEntry>>> + Send;
}
