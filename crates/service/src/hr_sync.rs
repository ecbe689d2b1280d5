//! HR sync: an employee file compared with the people the database holds, before
//! anything is written ([`diff`]); the refusal of a sync that would make too many people
//! leave ([`check_leaver_share`]); a person's job history; and the outbox of domain
//! events other contexts read from a cursor ([`events_after`]).
//!
//! The employee import ([`crate::imports::Employees`]) calls these; its store write
//! records the job history, the events and the leavers' consequences in the import's
//! own transaction.

use crate::Context;
use crate::access::scope_or_forbidden;
use domain::hr_sync::{
    DomainEvent, FieldChange, JobChange, JobChangeKind, JobHistoryEntry, SyncDiff, SyncSnapshot,
    Unit,
};
use domain::org::EmployeeStatus;
use domain::{DomainError, DomainResult, Permission, Principal};
use import::employees::{EmployeeRecord, Ref};
use std::collections::{HashMap, HashSet};
use store::prelude::*;
use time::Date;

/// Kinds of the domain events the HR sync emits, as stored.
pub const EVENT_KINDS: [&str; 5] = [
    "employee.hired",
    "employee.rehired",
    "employee.transferred",
    "employee.position_changed",
    "employee.left",
];

fn unit(r: &Ref) -> Unit {
    match r {
        Ref::Existing(id) => Unit::Existing(*id),
        Ref::New(name) => Unit::New(name.clone()),
    }
}

/// What the file's rows `records` change against `snapshot`, effective `today` (a hire
/// on its hire date when the file has one). With `full`, the file is the whole company:
/// people not `left` who are absent from it leave. `manager_mapped`: the file has a
/// manager column (otherwise managers are not compared).
pub fn diff(
    snapshot: &SyncSnapshot,
    records: &[EmployeeRecord],
    full: bool,
    manager_mapped: bool,
    today: Date,
) -> SyncDiff {
    let current: HashMap<&str, &domain::hr_sync::CurrentEmployee> = snapshot
        .employees
        .iter()
        .map(|e| (e.employee_no.as_str(), e))
        .collect();
    let dept_label = |u: &Unit| match u {
        Unit::Existing(id) => snapshot
            .departments
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string()),
        Unit::New(name) => format!("{name} (new)"),
    };
    let pos_label = |u: Option<&Unit>| match u {
        Some(Unit::Existing(id)) => snapshot
            .positions
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string()),
        Some(Unit::New(name)) => format!("{name} (new)"),
        None => "-".into(),
    };
    let mut d = SyncDiff {
        full,
        active_before: snapshot
            .employees
            .iter()
            .filter(|e| e.status != EmployeeStatus::Left)
            .count(),
        ..SyncDiff::default()
    };
    let mut seen: HashSet<&str> = HashSet::with_capacity(records.len());
    for r in records {
        seen.insert(r.employee_no.as_str());
        let to_department = unit(&r.department);
        let to_position = r.position.as_ref().map(unit);
        let Some(c) = current.get(r.employee_no.as_str()) else {
            if r.status != EmployeeStatus::Left {
                d.hires.push(JobChange {
                    kind: JobChangeKind::Hire,
                    employee_no: r.employee_no.clone(),
                    name: r.name.clone(),
                    employee_id: None,
                    from_department_id: None,
                    summary: format!(
                        "{} / {}",
                        dept_label(&to_department),
                        pos_label(to_position.as_ref())
                    ),
                    to_department: Some(to_department),
                    from_position_id: None,
                    to_position,
                    effective_on: r.hire_date.unwrap_or(today),
                });
            }
            continue;
        };
        let change = |kind, summary: String| JobChange {
            kind,
            employee_no: r.employee_no.clone(),
            name: r.name.clone(),
            employee_id: Some(c.id),
            from_department_id: Some(c.department_id),
            to_department: None,
            from_position_id: c.position_id,
            to_position: None,
            effective_on: today,
            summary,
        };
        let was_left = c.status == EmployeeStatus::Left;
        let leaves = r.status == EmployeeStatus::Left;
        if was_left && !leaves {
            d.rehires.push(JobChange {
                to_department: Some(to_department.clone()),
                to_position: to_position.clone().or(c.position_id.map(Unit::Existing)),
                from_department_id: None,
                from_position_id: None,
                effective_on: r.hire_date.filter(|h| *h > today).unwrap_or(today),
                ..change(
                    JobChangeKind::Rehire,
                    format!(
                        "{} / {}",
                        dept_label(&to_department),
                        pos_label(to_position.as_ref())
                    ),
                )
            });
        } else if !was_left && leaves {
            d.leavers.push(change(
                JobChangeKind::Leave,
                format!(
                    "{} / {}",
                    dept_label(&Unit::Existing(c.department_id)),
                    pos_label(c.position_id.map(Unit::Existing).as_ref())
                ),
            ));
            continue;
        }
        let from_dept = Unit::Existing(c.department_id);
        let from_pos = c.position_id.map(Unit::Existing);
        let dept_changed = to_department != from_dept;
        let pos_changed = to_position
            .as_ref()
            .is_some_and(|p| Some(p) != from_pos.as_ref());
        if !was_left && dept_changed {
            d.transfers.push(JobChange {
                to_department: Some(to_department.clone()),
                to_position: if pos_changed {
                    to_position.clone()
                } else {
                    from_pos.clone()
                },
                ..change(
                    JobChangeKind::Transfer,
                    format!(
                        "{} → {}",
                        dept_label(&from_dept),
                        dept_label(&to_department)
                    ),
                )
            });
        }
        if !was_left && pos_changed {
            d.position_changes.push(JobChange {
                to_department: Some(to_department.clone()),
                to_position: to_position.clone(),
                ..change(
                    JobChangeKind::PositionChange,
                    format!(
                        "{} → {}",
                        pos_label(from_pos.as_ref()),
                        pos_label(to_position.as_ref())
                    ),
                )
            });
        }
        let mut fields = Vec::new();
        if r.name != c.name {
            fields.push("name");
        }
        for (field, new, old) in [
            ("email", &r.email, &c.email),
            ("phone", &r.phone, &c.phone),
            ("city", &r.city, &c.city),
        ] {
            if new.is_some() && new != old {
                fields.push(field);
            }
        }
        if manager_mapped && r.manager_no != c.manager_no {
            fields.push("manager");
        }
        if r.status != c.status && !was_left && !leaves {
            fields.push("status");
        }
        if !fields.is_empty() {
            d.field_changes.push(FieldChange {
                employee_id: c.id,
                employee_no: r.employee_no.clone(),
                name: r.name.clone(),
                fields,
            });
        }
    }
    if full {
        for c in &snapshot.employees {
            if c.status != EmployeeStatus::Left && !seen.contains(c.employee_no.as_str()) {
                d.leavers.push(JobChange {
                    kind: JobChangeKind::Leave,
                    employee_no: c.employee_no.clone(),
                    name: c.name.clone(),
                    employee_id: Some(c.id),
                    from_department_id: Some(c.department_id),
                    to_department: None,
                    from_position_id: c.position_id,
                    to_position: None,
                    effective_on: today,
                    summary: format!(
                        "{} / {}",
                        dept_label(&Unit::Existing(c.department_id)),
                        pos_label(c.position_id.map(Unit::Existing).as_ref())
                    ),
                });
            }
        }
    }
    d
}

/// Refuses a sync whose leavers exceed `max_share` of the people not `left`, unless
/// `force`: a truncated or wrong export would otherwise disable a large part of the
/// company.
pub fn check_leaver_share(diff: &SyncDiff, max_share: f64, force: bool) -> DomainResult<()> {
    if force || diff.leaver_share() <= max_share {
        return Ok(());
    }
    Err(DomainError::invalid(
        "file",
        format!(
            "the sync would make {} of {} people leave ({:.1}%), more than the {:.1}% allowed \
             (setting sync_max_leaver_percent); check that the file is the whole company, or \
             force the sync (--force on the command line, \"force\" on the page)",
            diff.leavers.len(),
            diff.active_before,
            diff.leaver_share() * 100.0,
            max_share * 100.0
        ),
    ))
}

/// A person's job history, oldest first, for a caller who may see the person.
pub async fn job_history(
    ctx: &Context,
    caller: &Principal,
    employee_id: i64,
) -> DomainResult<Vec<JobHistoryEntry>> {
    let scope = scope_or_forbidden(caller, Permission::ViewPeople)?;
    ctx.store.get_employee(&scope, employee_id).await?;
    ctx.store.job_history(employee_id).await
}

/// Up to `limit` domain events after the cursor `after` (the last event id the reader
/// handled; 0 from the start), of `kinds` (every kind when empty), oldest first. For
/// trusted readers in other contexts (jobs, the future targeted push); a reader keeps
/// its own cursor.
pub async fn events_after(
    ctx: &Context,
    after: i64,
    kinds: &[&str],
    limit: i64,
) -> DomainResult<Vec<DomainEvent>> {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_string()).collect();
    ctx.store.domain_events_after(after, &kinds, limit).await
}

/// Rows of each kind of change a report lists; the rest are counted.
pub const ROWS_SHOWN: usize = 10;

/// The diff in words: the counts, then the first rows of each kind of change.
pub fn describe_diff(d: &SyncDiff) -> String {
    use std::fmt::Write;
    let mut out = format!("{}{}", if d.full { "full sync: " } else { "" }, d.summary());
    let lists: [(&str, &[JobChange]); 5] = [
        ("hires", &d.hires),
        ("rehires", &d.rehires),
        ("leavers", &d.leavers),
        ("transfers", &d.transfers),
        ("position changes", &d.position_changes),
    ];
    for (label, rows) in lists {
        if rows.is_empty() {
            continue;
        }
        let _ = write!(out, "\n  {label}:");
        for c in rows.iter().take(ROWS_SHOWN) {
            let _ = write!(out, "\n    {} {}: {}", c.employee_no, c.name, c.summary);
        }
        if rows.len() > ROWS_SHOWN {
            let _ = write!(out, "\n    ... and {} more", rows.len() - ROWS_SHOWN);
        }
    }
    if !d.field_changes.is_empty() {
        out.push_str("\n  field changes:");
        for f in d.field_changes.iter().take(ROWS_SHOWN) {
            let _ = write!(
                out,
                "\n    {} {}: {}",
                f.employee_no,
                f.name,
                f.fields.join(", ")
            );
        }
        if d.field_changes.len() > ROWS_SHOWN {
            let _ = write!(
                out,
                "\n    ... and {} more",
                d.field_changes.len() - ROWS_SHOWN
            );
        }
    }
    out
}

/// What the import did to leavers and logins, in words.
pub fn describe_consequences(o: &store::EmployeeImportOutcome) -> String {
    use std::fmt::Write;
    let l = &o.leavers;
    let mut out = format!(
        "leavers: {} logins disabled, {} sessions ended, {} API tokens revoked, {} open enrollments cancelled, \
         {} approval steps reassigned, {} cancelled; {} logins enabled again for rehires\n\
         logins created: {} ({} with the manager role), {} people left without one",
        l.accounts_disabled.len(),
        l.sessions_ended,
        l.tokens_revoked,
        l.enrollments_cancelled.len(),
        l.approvals_reassigned.len(),
        l.approvals_cancelled.len(),
        l.accounts_enabled.len(),
        o.provisioned.created.len(),
        o.provisioned.managers.len(),
        o.provisioned.skipped.len(),
    );
    if !l.accounts_disabled.is_empty() {
        let shown: Vec<&str> = l
            .accounts_disabled
            .iter()
            .take(ROWS_SHOWN)
            .map(String::as_str)
            .collect();
        let _ = write!(out, "\n  disabled: {}", shown.join(", "));
    }
    for (no, program) in l.enrollments_cancelled.iter().take(ROWS_SHOWN) {
        let _ = write!(out, "\n  enrollment cancelled: {no} in {program}");
    }
    for (need, no, to) in l.approvals_reassigned.iter().take(ROWS_SHOWN) {
        let _ = write!(out, "\n  approval of need {need}: {no} → {to}");
    }
    for (need, no) in l.approvals_cancelled.iter().take(ROWS_SHOWN) {
        let _ = write!(
            out,
            "\n  approval of need {need} cancelled: {no} left, nobody to hand it to"
        );
    }
    for (no, reason) in o.provisioned.skipped.iter().take(ROWS_SHOWN) {
        let _ = write!(out, "\n  no login for {no}: {reason}");
    }
    out
}
