//! Store-level behavior: migrations, demo reuse, backups.

use crate::db_test;
use crate::support::{Backend, TempDir};
use domain::account::AccountRepository;

db_test!(migrations_are_idempotent_and_demo_is_reused, |app| {
    assert_eq!(
        app.store.migrate().await.unwrap(),
        0,
        "nothing left to apply"
    );
    let users = app.store.count_users().await.unwrap();
    let (outcome, _) = app::demo_data::load_demo(&app.store, 99, 500)
        .await
        .unwrap();
    assert!(matches!(outcome, app::demo_data::DemoOutcome::Reused));
    assert_eq!(app.store.count_users().await.unwrap(), users);
});

db_test!(backup_copies_a_live_sqlite_database, |app| {
    let dir = TempDir::new();
    let out = dir.0.join("copy.db");
    let result = store::backup_sqlite(&app.url, &out).await;
    if app.backend == Backend::Postgres {
        assert!(result.unwrap_err().contains("pg_dump"));
        return;
    }
    result.unwrap();
    let copy = store::Store::connect(&format!("sqlite://{}", out.display()))
        .await
        .unwrap();
    assert_eq!(
        copy.count_users().await.unwrap(),
        app.store.count_users().await.unwrap()
    );
    assert!(
        store::backup_sqlite(&app.url, &out)
            .await
            .unwrap_err()
            .contains("already exists")
    );
});
