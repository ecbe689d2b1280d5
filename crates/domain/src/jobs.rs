//! Background jobs: a table that workers lease, recurring schedules, retries.

use crate::{DomainError, DomainResult};
use serde::Serialize;
use std::future::Future;
use std::time::Duration;
use time::{Date, OffsetDateTime, Time, UtcOffset};

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    Queued,
    /// Leased by a worker until `locked_until`.
    Running,
    Succeeded,
    /// Gave up after `max_attempts`.
    Failed,
}

impl JobStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Succeeded, Self::Failed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A job row.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// A recurring schedule that enqueues a job of `kind` at each occurrence.
#[derive(Debug, Clone, Serialize)]
pub struct JobSchedule {
    pub name: String,
    pub kind: String,
    pub recurrence: String,
    #[serde(with = "time::serde::rfc3339")]
    pub next_run_at: OffsetDateTime,
}

/// A calendar rule, evaluated in the company's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// Every day at a time of day.
    Daily(Time),
    /// Each month on a day (clamped to the month's last day) at a time of day.
    Monthly(u8, Time),
    /// Every fixed interval.
    Every(Duration),
}

impl Recurrence {
    /// Parses `daily HH:MM`, `monthly D HH:MM` or `every Nm` / `every Nh`.
    pub fn parse(text: &str) -> DomainResult<Self> {
        let bad = || {
            DomainError::invalid(
                "recurrence",
                format!(
                    "cannot read '{text}'; use 'daily HH:MM', 'monthly D HH:MM' or 'every 15m'"
                ),
            )
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let time_of = |s: &str| -> DomainResult<Time> {
            let (h, m) = s.split_once(':').ok_or_else(bad)?;
            let h: u8 = h.parse().map_err(|_| bad())?;
            let m: u8 = m.parse().map_err(|_| bad())?;
            Time::from_hms(h, m, 0).map_err(|_| bad())
        };
        match parts.as_slice() {
            ["daily", t] => Ok(Self::Daily(time_of(t)?)),
            ["monthly", d, t] => {
                let day: u8 = d.parse().map_err(|_| bad())?;
                if !(1..=31).contains(&day) {
                    return Err(bad());
                }
                Ok(Self::Monthly(day, time_of(t)?))
            }
            ["every", n] => {
                let (num, unit) = n.split_at(n.len().saturating_sub(1));
                let num: u64 = num.parse().map_err(|_| bad())?;
                let secs = match unit {
                    "m" => num * 60,
                    "h" => num * 3600,
                    _ => return Err(bad()),
                };
                if secs == 0 {
                    return Err(bad());
                }
                Ok(Self::Every(Duration::from_secs(secs)))
            }
            _ => Err(bad()),
        }
    }

    /// The first occurrence strictly after `after`, in the zone `offset`.
    pub fn next_after(&self, after: OffsetDateTime, offset: UtcOffset) -> OffsetDateTime {
        let local = after.to_offset(offset);
        match *self {
            Recurrence::Every(d) => after + d,
            Recurrence::Daily(at) => {
                let today = local.date().with_time(at).assume_offset(offset);
                if today > local {
                    today
                } else {
                    today + time::Duration::days(1)
                }
            }
            Recurrence::Monthly(day, at) => {
                let (mut year, mut month) = (local.year(), local.month());
                loop {
                    let d = day.min(month.length(year));
                    #[expect(
                        clippy::expect_used,
                        reason = "the day is clamped to the month's length"
                    )]
                    let date = Date::from_calendar_date(year, month, d)
                        .expect("day clamped to month length");
                    let candidate = date.with_time(at).assume_offset(offset);
                    if candidate > local {
                        return candidate;
                    }
                    if month == time::Month::December {
                        year += 1;
                    }
                    month = month.next();
                }
            }
        }
    }
}

/// Wait before retry `attempt` (1-based): 30 s doubling, capped at one hour.
pub fn retry_backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.clamp(1, 12) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exp).min(3600))
}

/// Storage of jobs and schedules.
pub trait JobRepository {
    /// Queues a job to run at `run_at`.
    fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        run_at: OffsetDateTime,
        max_attempts: i32,
    ) -> impl Future<Output = DomainResult<i64>> + Send;
    /// Leases the oldest due job for `worker` until `lease_until`; no two workers get the same job.
    fn lease_job(
        &self,
        worker: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<Option<Job>>> + Send;
    /// Marks a leased job done.
    fn complete_job(
        &self,
        id: i64,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Records a failure: requeues at `retry_at`, or marks failed when attempts are used up.
    fn fail_job(
        &self,
        id: i64,
        error: &str,
        now: OffsetDateTime,
        retry_at: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Puts a failed job back in the queue.
    fn retry_job(
        &self,
        id: i64,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Recent jobs, newest first, optionally of one status.
    fn list_jobs(
        &self,
        status: Option<JobStatus>,
        limit: i64,
    ) -> impl Future<Output = DomainResult<Vec<Job>>> + Send;
    /// Creates a schedule if missing (keeps the stored next run otherwise).
    fn ensure_schedule(
        &self,
        name: &str,
        kind: &str,
        recurrence: &str,
        next_run_at: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Schedules whose next run is due.
    fn due_schedules(
        &self,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<Vec<JobSchedule>>> + Send;
    /// Moves a schedule from `expected` to `next` and enqueues its job, atomically; false if
    /// another node already did it.
    fn advance_schedule(
        &self,
        name: &str,
        expected: OffsetDateTime,
        next: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<bool>> + Send;
    /// All schedules.
    fn list_schedules(&self) -> impl Future<Output = DomainResult<Vec<JobSchedule>>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{datetime, offset};

    #[test]
    fn daily_runs_later_today_or_tomorrow() {
        let r = Recurrence::parse("daily 02:30").unwrap();
        let tz = offset!(+8);
        assert_eq!(
            r.next_after(datetime!(2025-06-01 01:00 +8), tz),
            datetime!(2025-06-01 02:30 +8)
        );
        assert_eq!(
            r.next_after(datetime!(2025-06-01 02:30 +8), tz),
            datetime!(2025-06-02 02:30 +8)
        );
    }

    #[test]
    fn monthly_clamps_to_month_end() {
        let r = Recurrence::parse("monthly 31 03:00").unwrap();
        let tz = offset!(+8);
        assert_eq!(
            r.next_after(datetime!(2025-02-01 00:00 +8), tz),
            datetime!(2025-02-28 03:00 +8)
        );
        assert_eq!(
            r.next_after(datetime!(2025-12-31 04:00 +8), tz),
            datetime!(2026-01-31 03:00 +8)
        );
    }

    #[test]
    fn parse_rejects_nonsense() {
        for bad in [
            "weekly",
            "daily 25:00",
            "monthly 0 01:00",
            "every 0m",
            "every 5s",
        ] {
            assert!(Recurrence::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Recurrence::parse("every 15m").unwrap(),
            Recurrence::Every(Duration::from_secs(900))
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(retry_backoff(1), Duration::from_secs(30));
        assert_eq!(retry_backoff(2), Duration::from_secs(60));
        assert_eq!(retry_backoff(20), Duration::from_secs(3600));
    }
}
