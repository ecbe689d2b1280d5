//! The OpenAPI document is snapshot-tested so API changes show up in review.
//! Run with UPDATE_SNAPSHOTS=1 to accept a change.

use crate::db_test;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/openapi.json");

db_test!(openapi_document_matches_the_snapshot, |app| {
    let res = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let served = res.text().await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(SNAPSHOT, format!("{served}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(SNAPSHOT)
        .expect("snapshot exists (run with UPDATE_SNAPSHOTS=1 to create it)");
    assert_eq!(
        served.trim_end(),
        expected.trim_end(),
        "the OpenAPI document changed; review it and run with UPDATE_SNAPSHOTS=1"
    );
});
