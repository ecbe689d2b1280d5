//! Background jobs and their schedules, as system administrators see and retry them.

use crate::Context;
use crate::access::require;
use domain::jobs::{Job, JobRepository, JobSchedule, JobStatus};
use domain::{DomainError, DomainResult, Permission, Principal};
use std::sync::atomic::{AtomicU64, Ordering};
use time::OffsetDateTime;

/// How many jobs this node's worker ran, by outcome. The worker records into it; the
/// server's metrics read the same counters (shared through an `Arc`).
#[derive(Debug, Default)]
pub struct JobCounters {
    succeeded: AtomicU64,
    failed: AtomicU64,
}

impl JobCounters {
    /// Counts one job that ran to its end, successfully or not.
    pub fn record(&self, succeeded: bool) {
        let counter = if succeeded {
            &self.succeeded
        } else {
            &self.failed
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Jobs that succeeded.
    pub fn succeeded(&self) -> u64 {
        self.succeeded.load(Ordering::Relaxed)
    }

    /// Jobs that failed (each failed attempt of a retried job counts).
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

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
