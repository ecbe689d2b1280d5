//! HR sync: the difference between an HR export and the people the database holds,
//! the job history it leaves, the domain events it emits, and what happens to leavers.

use crate::org::EmployeeStatus;
use serde::Serialize;
use time::Date;

coded_enum!(
    /// What kind of move a job-history row records.
    JobChangeKind, "kind", {
        Hire => "hire",
        Rehire => "rehire",
        /// A change of department.
        Transfer => "transfer",
        /// A promotion or any other change of position.
        PositionChange => "position_change",
        Leave => "leave",
    }
);

impl JobChangeKind {
    /// The kind of the domain event this change emits (`employee.hired`, ...).
    pub fn event_kind(self) -> &'static str {
        match self {
            JobChangeKind::Hire => "employee.hired",
            JobChangeKind::Rehire => "employee.rehired",
            JobChangeKind::Transfer => "employee.transferred",
            JobChangeKind::PositionChange => "employee.position_changed",
            JobChangeKind::Leave => "employee.left",
        }
    }
}

/// A department or position a change moves to: one the database has, or one the
/// import creates under this name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Unit {
    Existing(i64),
    New(String),
}

/// A person as the database holds them, for comparison with a file.
#[derive(Debug, Clone)]
pub struct CurrentEmployee {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub position_id: Option<i64>,
    pub manager_no: Option<String>,
    pub status: EmployeeStatus,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The people, departments and positions an HR file is compared with.
#[derive(Debug, Clone, Default)]
pub struct SyncSnapshot {
    pub employees: Vec<CurrentEmployee>,
    /// Department id → "code name".
    pub departments: std::collections::HashMap<i64, String>,
    /// Position id → name.
    pub positions: std::collections::HashMap<i64, String>,
}

/// One move of one person, before it is written.
#[derive(Debug, Clone, Serialize)]
pub struct JobChange {
    pub kind: JobChangeKind,
    pub employee_no: String,
    pub name: String,
    /// `None` for a person the import creates.
    pub employee_id: Option<i64>,
    pub from_department_id: Option<i64>,
    pub to_department: Option<Unit>,
    pub from_position_id: Option<i64>,
    pub to_position: Option<Unit>,
    #[serde(with = "crate::iso_date")]
    pub effective_on: Date,
    /// "from → to" in words, for reports.
    pub summary: String,
}

/// Fields other than department and position that an import changes for one person.
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    /// Codes of the changed fields: name, email, phone, city, manager, status.
    pub fields: Vec<&'static str>,
}

/// What an employee file changes, computed before anything is written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncDiff {
    /// Whether the file is the whole company (people absent from it leave).
    pub full: bool,
    /// People not `left` before the import.
    pub active_before: usize,
    pub hires: Vec<JobChange>,
    pub rehires: Vec<JobChange>,
    pub leavers: Vec<JobChange>,
    pub transfers: Vec<JobChange>,
    pub position_changes: Vec<JobChange>,
    pub field_changes: Vec<FieldChange>,
}

impl SyncDiff {
    /// Every job change, in the order they are written.
    pub fn job_changes(&self) -> impl Iterator<Item = &JobChange> {
        self.hires
            .iter()
            .chain(&self.rehires)
            .chain(&self.transfers)
            .chain(&self.position_changes)
            .chain(&self.leavers)
    }

    /// The share of the people not `left` before that would leave (0 when there are none).
    pub fn leaver_share(&self) -> f64 {
        if self.active_before == 0 {
            0.0
        } else {
            self.leavers.len() as f64 / self.active_before as f64
        }
    }

    /// Whether the diff changes nothing at all.
    pub fn is_empty(&self) -> bool {
        self.job_changes().next().is_none() && self.field_changes.is_empty()
    }

    /// The counts in words: "2 hires, 3 leavers, 1 transfers, ...".
    pub fn summary(&self) -> String {
        format!(
            "{} hires, {} rehires, {} leavers, {} transfers, {} position changes, {} field changes",
            self.hires.len(),
            self.rehires.len(),
            self.leavers.len(),
            self.transfers.len(),
            self.position_changes.len(),
            self.field_changes.len()
        )
    }
}

/// What a sync did to the logins, enrollments and approvals of its leavers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeaverReport {
    /// Usernames of the accounts disabled.
    pub accounts_disabled: Vec<String>,
    pub sessions_ended: usize,
    pub tokens_revoked: usize,
    /// (employee number, program code) of each open enrollment cancelled.
    pub enrollments_cancelled: Vec<(String, String)>,
    /// Approval steps handed on: (need id, leaver's employee number, new approver's name).
    pub approvals_reassigned: Vec<(i64, String, String)>,
    /// Approval steps cancelled for want of anyone to hand them to: (need id, employee number).
    pub approvals_cancelled: Vec<(i64, String)>,
    /// Usernames of rehired people's accounts enabled again.
    pub accounts_enabled: Vec<String>,
}

/// Where the username of a provisioned login comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum UsernameSource {
    #[default]
    EmployeeNo,
    Email,
}

/// What provisioning logins did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProvisionReport {
    /// Usernames of the accounts created.
    pub created: Vec<String>,
    /// Of those, the ones granted `manager` over the department they head.
    pub managers: Vec<String>,
    /// People left without a login: (employee number, reason).
    pub skipped: Vec<(String, String)>,
}

/// One row of a person's job history.
#[derive(Debug, Clone, Serialize)]
pub struct JobHistoryEntry {
    pub id: i64,
    pub employee_id: i64,
    /// hire, rehire, transfer, position_change, leave
    pub kind: String,
    pub from_department: Option<String>,
    pub to_department: Option<String>,
    pub from_position: Option<String>,
    pub to_position: Option<String>,
    #[serde(with = "crate::iso_date")]
    pub effective_on: Date,
    pub source: String,
    pub actor: String,
}

/// A stored domain event, read by other contexts from a cursor (its id).
#[derive(Debug, Clone, Serialize)]
pub struct DomainEvent {
    pub id: i64,
    /// employee.hired, employee.rehired, employee.transferred, employee.position_changed, employee.left
    pub kind: String,
    pub employee_id: Option<i64>,
    /// JSON.
    pub payload: String,
    pub occurred_at: time::OffsetDateTime,
}
