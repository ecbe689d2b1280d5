//! The background-job worker: leases jobs from the database table, so any number
//! of nodes can run it; turns due schedules into jobs; retries with backoff. Each job
//! kind's handler calls one use case of the application layer (`service`) and logs
//! what it did; the queue's own bookkeeping (schedules, leases, outcomes) is here.

use domain::audit::Actor;
use domain::jobs::{Job, JobRepository, Recurrence, retry_backoff};
use service::Context;
use service::jobs::JobCounters;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// What a job handler returns: an error message makes the job retry.
/// A job's failure as stored and logged: an internal fault with its chain of causes,
/// anything else as it reads.
pub fn job_error(error: domain::DomainError) -> String {
    error.internal_cause().unwrap_or_else(|| error.to_string())
}

pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
/// A job handler: gets the use cases' context and the job.
pub type JobHandler = Arc<dyn Fn(Context, Job) -> JobFuture + Send + Sync>;

/// How long a lease lasts before another node may take the job over.
const LEASE: Duration = Duration::from_secs(300);
/// Pause between polls when the queue is empty.
const POLL: Duration = Duration::from_secs(2);

/// Job kind of the monthly reconciliation of HR against business-system KPI figures.
pub const RECONCILE_KPIS: &str = "reconcile_kpis";

/// Job kind of the nightly clean-up of expired sessions and old login failures.
pub const PURGE_SESSIONS: &str = "purge_expired_sessions";

/// Job kind of the nightly refresh of how far each KPI target is from being met (the
/// KPI pressure that weights skill gaps).
pub const REFRESH_TARGET_PROGRESS: &str = "refresh_target_progress";

/// Estimates the KPI effect of every closed program with a transfer goal and records it
/// (history, and the "completed but no effect" alert).
pub const EVALUATE_PROGRAMS: &str = "evaluate_programs";
/// Job kind of the daily evaluation alerts: a coaching task for the manager of every
/// learner who completed a program below 60 on its post-test (once per learner).
pub const COACHING_TASKS: &str = "evaluation_coaching_tasks";

/// Runs registered job kinds.
pub struct Worker {
    context: Context,
    handlers: HashMap<String, JobHandler>,
    schedules: Vec<(String, String, String)>,
    node: String,
    counters: Arc<JobCounters>,
}

impl Worker {
    /// A worker over the use cases' `context` (its settings' time zone places the
    /// schedules and "today") with the foundation's own jobs registered, counting its
    /// jobs in counters of its own until [`Worker::with_counters`].
    pub fn new(context: Context) -> Self {
        let node = format!(
            "{}-{}",
            std::process::id(),
            service::secrets::hex(&service::secrets::random_bytes::<4>())
        );
        let mut worker = Self {
            context,
            handlers: HashMap::new(),
            schedules: Vec::new(),
            node,
            counters: Arc::default(),
        };
        worker.register(PURGE_SESSIONS, |ctx, _job| {
            Box::pin(async move {
                let removed = service::accounts::purge_expired_sessions(&ctx)
                    .await
                    .map_err(job_error)?;
                tracing::info!(removed, "purged expired sessions and login failures");
                Ok(())
            })
        });
        worker.schedule("nightly-session-cleanup", PURGE_SESSIONS, "daily 03:00");
        worker.register(RECONCILE_KPIS, |ctx, _job| {
            Box::pin(async move {
                // The previous month in the company's zone: its figures are due by the 5th.
                let (period, run) =
                    service::performance::reconcile_month_due(&ctx, &Actor::system())
                        .await
                        .map_err(job_error)?;
                tracing::info!(%period, queued = run.queued, open = run.open, "monthly reconciliation");
                Ok(())
            })
        });
        worker.schedule("monthly-reconciliation", RECONCILE_KPIS, "monthly 6 02:00");
        worker.register(REFRESH_TARGET_PROGRESS, |ctx, _job| {
            Box::pin(async move {
                let targets = service::decoding::refresh_target_progress(&ctx)
                    .await
                    .map_err(job_error)?;
                tracing::info!(targets, "refreshed KPI target progress");
                Ok(())
            })
        });
        worker.schedule(
            "nightly-target-progress",
            REFRESH_TARGET_PROGRESS,
            "daily 03:30",
        );
        worker.register(EVALUATE_PROGRAMS, |ctx, _job| {
            Box::pin(async move {
                let recorded = service::effect::evaluate_closed_programs(&ctx.store)
                    .await
                    .map_err(job_error)?;
                tracing::info!(recorded, "program effects estimated");
                Ok(())
            })
        });
        worker.schedule("nightly-program-effects", EVALUATE_PROGRAMS, "daily 04:00");
        worker.register(COACHING_TASKS, |ctx, _job| {
            Box::pin(async move {
                let outcome =
                    service::evaluation::create_due_coaching_tasks(&ctx, &Actor::system())
                        .await
                        .map_err(job_error)?;
                tracing::info!(
                    created = outcome.created,
                    without_manager = outcome.without_manager.len(),
                    "coaching tasks for low post-test scores"
                );
                Ok(())
            })
        });
        worker.schedule("daily-coaching-tasks", COACHING_TASKS, "daily 04:00");
        // Notifications without e-mail until `with_notifications` gives the settings.
        let notify = crate::notify::NotifyConfig {
            timezone: worker.context.settings.timezone,
            ..Default::default()
        };
        crate::notify::register(&mut worker, notify);
        worker
    }

    /// The use cases' context the jobs run with.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Registers the handler of a job kind.
    pub fn register<F>(&mut self, kind: &str, handler: F)
    where
        F: Fn(Context, Job) -> JobFuture + Send + Sync + 'static,
    {
        self.handlers.insert(kind.to_string(), Arc::new(handler));
    }

    /// Adds a recurring schedule (`daily HH:MM`, `monthly D HH:MM`, `every 15m`).
    pub fn schedule(&mut self, name: &str, kind: &str, recurrence: &str) {
        self.schedules
            .push((name.into(), kind.into(), recurrence.into()));
    }

    /// Writes the schedules to the database (keeping their stored next run).
    pub async fn ensure_schedules(&self) -> anyhow::Result<()> {
        let now = OffsetDateTime::now_utc();
        for (name, kind, recurrence) in &self.schedules {
            let rule = Recurrence::parse(recurrence)?;
            self.context
                .store
                .ensure_schedule(
                    name,
                    kind,
                    recurrence,
                    rule.next_after(now, self.context.settings.timezone),
                )
                .await?;
        }
        Ok(())
    }

    /// One pass: enqueue due schedules, then run due jobs until none is left. Returns jobs run.
    pub async fn tick(&self) -> anyhow::Result<usize> {
        let now = OffsetDateTime::now_utc();
        for schedule in self.context.store.due_schedules(now).await? {
            let Ok(rule) = Recurrence::parse(&schedule.recurrence) else {
                tracing::error!(schedule = schedule.name, "unreadable recurrence");
                continue;
            };
            let next = rule.next_after(now, self.context.settings.timezone);
            if self
                .context
                .store
                .advance_schedule(&schedule.name, schedule.next_run_at, next)
                .await?
            {
                tracing::info!(
                    schedule = schedule.name,
                    kind = schedule.kind,
                    "schedule due; job queued"
                );
            }
        }
        let mut ran = 0;
        loop {
            let now = OffsetDateTime::now_utc();
            let Some(job) = self
                .context
                .store
                .lease_job(&self.node, now, now + LEASE)
                .await?
            else {
                break;
            };
            ran += 1;
            self.run_job(job).await?;
        }
        Ok(ran)
    }

    async fn run_job(&self, job: Job) -> anyhow::Result<()> {
        let (id, kind, attempt) = (job.id, job.kind.clone(), job.attempts);
        let outcome = match self.handlers.get(&kind) {
            // A panicking handler must not take the worker down: run it as its own task.
            Some(handler) => match tokio::spawn(handler(self.context.clone(), job)).await {
                Ok(result) => result,
                Err(e) => Err(format!("handler panicked: {e}")),
            },
            None => Err(format!("no handler is registered for job kind '{kind}'")),
        };
        let now = OffsetDateTime::now_utc();
        match outcome {
            Ok(()) => {
                self.context.store.complete_job(id, now).await?;
                self.counters.record(true);
                tracing::info!(job = id, kind, "job succeeded");
            }
            Err(error) => {
                let retry_at = now + retry_backoff(attempt);
                self.context
                    .store
                    .fail_job(id, &error, now, retry_at)
                    .await?;
                self.counters.record(false);
                tracing::warn!(job = id, kind, attempt, error, "job failed");
            }
        }
        Ok(())
    }

    /// The same worker counting its jobs in `counters` (the server's, so `/metrics`
    /// shows them).
    pub fn with_counters(mut self, counters: Arc<JobCounters>) -> Self {
        self.counters = counters;
        self
    }

    /// Polls until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        if let Err(e) = self.ensure_schedules().await {
            tracing::error!(error = %e, "could not register job schedules");
        }
        loop {
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "worker pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => break,
            }
            if *shutdown.borrow() {
                break;
            }
        }
    }
}
