//! Background jobs and their schedules, as system administrators see and retry them.

use crate::Context;
use crate::access::require;
use domain::jobs::{Job, JobRepository, JobSchedule, JobStatus};
use domain::{DomainError, DomainResult, Permission, Principal};
use time::OffsetDateTime;

/// The most recent `limit` jobs, of one status (a code; unknown is a validation error).
pub async fn list_jobs(
    ctx: &Context,
    caller: &Principal,
    status: Option<&str>,
    limit: i64,
) -> DomainResult<Vec<Job>> {
    require(caller, Permission::ManageJobs)?;
    let status =
        match status.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(JobStatus::parse(s).ok_or_else(|| {
                DomainError::invalid("status", format!("unknown job status '{s}'"))
            })?),
            None => None,
        };
    ctx.store.list_jobs(status, limit).await
}

/// The recurring schedules.
pub async fn list_schedules(ctx: &Context, caller: &Principal) -> DomainResult<Vec<JobSchedule>> {
    require(caller, Permission::ManageJobs)?;
    ctx.store.list_schedules().await
}

/// Puts a failed job back in the queue.
pub async fn retry_job(ctx: &Context, caller: &Principal, id: i64) -> DomainResult<()> {
    require(caller, Permission::ManageJobs)?;
    ctx.store.retry_job(id, OffsetDateTime::now_utc()).await
}
