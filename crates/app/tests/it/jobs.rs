//! Background jobs: leasing, retries with backoff, recurring schedules.

use crate::db_test;
use domain::jobs::{JobRepository, JobStatus};
use time::OffsetDateTime;

db_test!(a_job_is_leased_by_one_worker_only, |app| {
    let now = OffsetDateTime::now_utc();
    let id = app.store.enqueue_job("noop", "{}", now, 3).await.unwrap();
    let lease = now + time::Duration::minutes(5);
    let (a, b, c) = tokio::join!(
        app.store.lease_job("node-a", now, lease),
        app.store.lease_job("node-b", now, lease),
        app.store.lease_job("node-c", now, lease),
    );
    let winners: Vec<_> = [a.unwrap(), b.unwrap(), c.unwrap()]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(winners.len(), 1, "exactly one node gets the job");
    assert_eq!(winners[0].id, id);
    assert_eq!(winners[0].attempts, 1);
    // A lease that ran out (its node died) can be taken over.
    let later = lease + time::Duration::seconds(1);
    let again = app
        .store
        .lease_job("node-d", later, later + time::Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (id, 2));
});

db_test!(failing_jobs_retry_with_backoff_then_fail, |app| {
    let mut worker = app.worker();
    worker.register("always_fails", |_, _| {
        Box::pin(async { Err("the mail server said no".to_string()) })
    });
    worker.register("works", |_, _| Box::pin(async { Ok(()) }));
    let now = OffsetDateTime::now_utc();
    let failing = app
        .store
        .enqueue_job("always_fails", "{}", now, 2)
        .await
        .unwrap();
    let fine = app.store.enqueue_job("works", "{}", now, 2).await.unwrap();
    let unknown = app
        .store
        .enqueue_job("no_such_kind", "{}", now, 1)
        .await
        .unwrap();
    assert_eq!(worker.tick().await.unwrap(), 3);
    let jobs = app.store.list_jobs(None, 10).await.unwrap();
    let get = |id| jobs.iter().find(|j| j.id == id).unwrap().clone();
    assert_eq!(get(fine).status, JobStatus::Succeeded);
    let retrying = get(failing);
    assert_eq!(retrying.status, JobStatus::Queued);
    assert_eq!(
        retrying.last_error.as_deref(),
        Some("the mail server said no")
    );
    assert!(
        retrying.run_at >= now + time::Duration::seconds(29),
        "backoff before the retry"
    );
    let gone = get(unknown);
    assert_eq!(gone.status, JobStatus::Failed);
    assert!(gone.last_error.unwrap().contains("no handler"));
    // Nothing due now: the retry waits for its backoff.
    assert_eq!(worker.tick().await.unwrap(), 0);
    // Make it due, and the second failure uses up the attempts.
    let due = OffsetDateTime::now_utc() + time::Duration::minutes(2);
    let job = app
        .store
        .lease_job("test", due, due + time::Duration::minutes(5))
        .await
        .unwrap()
        .unwrap();
    app.store
        .fail_job(job.id, "still no", due, due)
        .await
        .unwrap();
    let failed = app
        .store
        .list_jobs(Some(JobStatus::Failed), 10)
        .await
        .unwrap();
    assert!(failed.iter().any(|j| j.id == failing));
    // An admin can put it back.
    app.store
        .retry_job(failing, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(
        app.store
            .list_jobs(Some(JobStatus::Queued), 10)
            .await
            .unwrap()
            .len(),
        1
    );
});

db_test!(a_due_schedule_enqueues_one_job_across_nodes, |app| {
    let past = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    app.store
        .ensure_schedule("monthly-reconcile", "reconcile", "monthly 5 02:00", past)
        .await
        .unwrap();
    let due = app
        .store
        .due_schedules(OffsetDateTime::now_utc())
        .await
        .unwrap();
    let s = due
        .iter()
        .find(|s| s.name == "monthly-reconcile")
        .unwrap()
        .clone();
    let next = OffsetDateTime::now_utc() + time::Duration::days(20);
    let (a, b) = tokio::join!(
        app.store.advance_schedule(&s.name, s.next_run_at, next),
        app.store.advance_schedule(&s.name, s.next_run_at, next),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|x| **x).count(),
        1,
        "one node wins the occurrence"
    );
    let queued = app
        .store
        .list_jobs(Some(JobStatus::Queued), 10)
        .await
        .unwrap();
    assert_eq!(queued.iter().filter(|j| j.kind == "reconcile").count(), 1);
    // The built-in schedules register and keep their next run.
    let worker = app.worker();
    worker.ensure_schedules().await.unwrap();
    let schedules = app.store.list_schedules().await.unwrap();
    assert!(
        schedules
            .iter()
            .any(|s| s.kind == app::worker::PURGE_SESSIONS)
    );
});

db_test!(
    the_monthly_reconciliation_job_runs_through_the_worker,
    |app| {
        let worker = app.worker();
        app.store
            .enqueue_job(
                app::worker::RECONCILE_KPIS,
                "{}",
                OffsetDateTime::now_utc(),
                3,
            )
            .await
            .unwrap();
        assert_eq!(worker.tick().await.unwrap(), 1);
        let done = app
            .store
            .list_jobs(Some(JobStatus::Succeeded), 10)
            .await
            .unwrap();
        assert!(done.iter().any(|j| j.kind == app::worker::RECONCILE_KPIS));
        let runs = app.audit("reconciliation.run").await;
        assert_eq!(runs.items[0].actor, "system");
        worker.ensure_schedules().await.unwrap();
        let schedules = app.store.list_schedules().await.unwrap();
        assert!(schedules.iter().any(|s| s.kind == app::worker::RECONCILE_KPIS && s.recurrence == "monthly 6 02:00"));
    }
);

// A worker started with the server counts its jobs in the server's metrics: /metrics
// reports them (the worker used to count into a registry of its own nobody read).
db_test!(the_servers_metrics_count_the_workers_jobs, |app| {
    let mut worker = app.worker();
    worker.register("works", |_, _| Box::pin(async { Ok(()) }));
    app.store
        .enqueue_job("works", "{}", OffsetDateTime::now_utc(), 1)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let context = service::Context::new(app.store.clone(), Default::default());
    let server = app::server::start(context, web::WebConfig::default(), listener, Some(worker))
        .await
        .unwrap();
    let url = format!("http://{}/metrics", server.addr);
    let succeeded = |text: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("skillbridge_jobs_total{outcome=\"succeeded\"} "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    // The worker's first pass runs at start; wait for it (bounded), then read.
    let mut seen = 0;
    for _ in 0..100 {
        let text = reqwest::get(&url).await.unwrap().text().await.unwrap();
        seen = succeeded(&text);
        if seen >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.stop().await;
    assert!(
        seen >= 1,
        "the job ran but /metrics counted {seen} succeeded jobs"
    );
    let jobs = app
        .store
        .list_jobs(Some(JobStatus::Succeeded), 10)
        .await
        .unwrap();
    assert!(jobs.iter().any(|j| j.kind == "works"));
});
