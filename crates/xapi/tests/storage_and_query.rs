//! Normalisation, output formats, equivalence, agent identity, query and voiding semantics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{full, minimal, with, with_substatement};
use serde_json::{Value, json};
use xapi::formats::{Timestamp, parse_timestamp};
use xapi::normalize::{choose_language, parse_accept_language};
use xapi::query::{VoidEffect, by_statement_id, by_voided_statement_id};
use xapi::{
    Format, StatementFilter, StatementIndexRow, StoreStamp, XapiVersion, format_statement, ifi_key,
    person_object, prepare_for_storage, select, statements_equivalent, void_effect, voiding_target,
};

fn stamp(version: XapiVersion) -> StoreStamp {
    StoreStamp {
        id: "11111111-2222-4333-8444-555555555555".into(),
        stored: "2024-05-01T10:00:00.000Z".into(),
        authority: json!({"objectType": "Agent", "account": {"homePage": "https://lrs.example.com", "name": "client"}}),
        version,
    }
}

#[test]
fn storage_form() {
    for (v, default_version) in [(XapiVersion::V1_0_3, "1.0.0"), (XapiVersion::V2_0, "2.0.0")] {
        let sent = with(
            full(),
            "/authority",
            json!({"mbox": "mailto:forged@example.com"}),
        );
        let s = prepare_for_storage(sent, &stamp(v));
        assert_eq!(
            s["id"], "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
            "keeps the sent id"
        );
        assert_eq!(s["stored"], "2024-05-01T10:00:00.000Z");
        assert_eq!(
            s["timestamp"], "2024-05-01T09:30:00.123+02:00",
            "keeps the sent timestamp"
        );
        assert_eq!(
            s["authority"]["account"]["name"], "client",
            "authority replaced"
        );
        assert_eq!(s["version"], default_version);
        assert_eq!(
            s["context"]["contextActivities"]["parent"],
            json!([{"id": "https://skillbridge.example/courses/forklift/quiz"}])
        );
        let m = prepare_for_storage(with(minimal(), "/version", json!("1.0.3")), &stamp(v));
        assert_eq!(m["id"], "11111111-2222-4333-8444-555555555555");
        assert_eq!(m["timestamp"], m["stored"]);
        assert_eq!(m["version"], "1.0.3");
    }
    let sub = prepare_for_storage(with_substatement(), &stamp(XapiVersion::V1_0_3));
    assert!(sub["object"]["context"]["contextActivities"]["parent"].is_array());
}

#[test]
fn ids_format() {
    let s = with(
        full(),
        "/context/contextAgents",
        json!([{"objectType": "contextAgent", "agent": {"name": "Coach", "mbox": "mailto:c@example.com"}}]),
    );
    let ids = format_statement(&s, &Format::Ids);
    assert_eq!(
        ids["actor"],
        json!({"objectType": "Agent", "mbox": "mailto:ana.berg@example.com"})
    );
    assert_eq!(
        ids["verb"],
        json!({"id": "http://adlnet.gov/expapi/verbs/answered"})
    );
    assert_eq!(
        ids["object"],
        json!({"objectType": "Activity", "id": "https://skillbridge.example/courses/forklift/quiz/q1"})
    );
    assert_eq!(
        ids["context"]["team"],
        json!({"objectType": "Group", "account": {"homePage": "https://hr.example.com", "name": "team-b"}})
    );
    assert_eq!(
        ids["context"]["contextAgents"][0]["agent"],
        json!({"mbox": "mailto:c@example.com"})
    );
    assert_eq!(ids["result"], s["result"], "results are kept");
    let sub = format_statement(&with_substatement(), &Format::Ids);
    assert_eq!(
        sub["object"]["actor"]["member"][1],
        json!({"account": {"homePage": "https://lms.example.com", "name": "b"}})
    );
    assert_eq!(format_statement(&s, &Format::Exact), s);
}

#[test]
fn canonical_format_picks_one_language() {
    let langs = parse_accept_language("de;q=0.9, fr, en-US;q=0.5, *;q=0");
    assert_eq!(langs, vec!["fr", "de", "en-US"]);
    let c = format_statement(&full(), &Format::Canonical(langs));
    assert_eq!(c["verb"]["display"], json!({"de-DE": "beantwortete"}));
    assert_eq!(
        c["object"]["definition"]["name"],
        json!({"de-DE": "Traglast"})
    );
    assert_eq!(
        c["object"]["definition"]["description"],
        json!({"en-US": "Which load is safe?"}),
        "falls back to the only entry"
    );
    assert_eq!(
        c["object"]["definition"]["choices"][1]["description"],
        json!({"de-DE": "1 t"})
    );
    assert_eq!(
        c["attachments"][0]["display"],
        json!({"en-US": "Certificate"})
    );

    let map = json!({"en-GB": "colour", "en-US": "color", "und": "?"});
    let m = map.as_object().unwrap();
    let pick = |h: &str| choose_language(m, &parse_accept_language(h)).map(str::to_string);
    assert_eq!(pick("en-US"), Some("en-US".into()));
    assert_eq!(pick("EN-gb"), Some("en-GB".into()));
    assert_eq!(
        pick("en"),
        Some("en-GB".into()),
        "prefix match, first in key order"
    );
    assert_eq!(pick("ja"), Some("und".into()));
    assert_eq!(
        Format::from_param(Some("canonical"), Some("fr")),
        Some(Format::Canonical(vec!["fr".into()]))
    );
    assert_eq!(Format::from_param(None, None), Some(Format::Exact));
    assert_eq!(Format::from_param(Some("full"), None), None);
}

#[test]
fn equivalence() {
    let a = full();
    let stored = prepare_for_storage(a.clone(), &stamp(XapiVersion::V2_0));
    assert!(
        statements_equivalent(&a, &stored),
        "LRS-set properties ignored"
    );
    let b = with(a.clone(), "/timestamp", json!("2024-05-01T07:30:00.123Z"));
    assert!(statements_equivalent(&a, &b), "same instant");
    let c = with(a.clone(), "/result/duration", json!("PT1M5.259S"));
    assert!(statements_equivalent(&a, &c), "durations to 0.01 s");
    let d = with(a.clone(), "/result/duration", json!("PT1M5.26S"));
    assert!(!statements_equivalent(&a, &d));
    let e = with(
        a.clone(),
        "/verb/id",
        json!("http://adlnet.gov/expapi/verbs/passed"),
    );
    assert!(!statements_equivalent(&a, &e));
    let f = with(
        a.clone(),
        "/id",
        json!("FD41C918-B88B-4B20-A0A5-A4C32391AAA0"),
    );
    assert!(statements_equivalent(&a, &f), "UUID case");
}

#[test]
fn agent_identity() {
    assert_eq!(
        ifi_key(&json!({"mbox": "mailto:a@example.com", "name": "A"})).as_deref(),
        Some("mbox::mailto:a@example.com")
    );
    assert_eq!(
        ifi_key(&json!({"mbox_sha1sum": "EBD31E95054C018B10727CCFFD2EF2EC3A016EE9"})).as_deref(),
        Some("mbox_sha1sum::ebd31e95054c018b10727ccffd2ef2ec3a016ee9")
    );
    assert_eq!(
        ifi_key(&json!({"openid": "https://id.example.com/a"})).as_deref(),
        Some("openid::https://id.example.com/a")
    );
    assert_eq!(
        ifi_key(&json!({"account": {"homePage": "https://lms.example.com", "name": "a"}}))
            .as_deref(),
        Some("account::https://lms.example.com::a")
    );
    assert_eq!(ifi_key(&json!({"objectType": "Group", "member": []})), None);
    let p = person_object(&[
        json!({"name": "Ana", "mbox": "mailto:a@example.com"}),
        json!({"name": "Ana B.", "mbox": "mailto:a@example.com", "account": {"homePage": "https://lms.example.com", "name": "ana"}}),
        json!({"name": "Ana"}),
    ]);
    assert_eq!(
        p,
        json!({"objectType": "Person", "name": ["Ana", "Ana B."], "mbox": ["mailto:a@example.com"],
            "account": [{"homePage": "https://lms.example.com", "name": "ana"}]})
    );
}

fn at(s: &str) -> Timestamp {
    parse_timestamp(s).unwrap().at
}

fn statement(id: &str, actor: &str, verb: &str, object: Value) -> Value {
    json!({"id": id, "actor": {"mbox": format!("mailto:{actor}@example.com")},
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}")}, "object": object})
}

const A: &str = "aaaaaaaa-0000-4000-8000-000000000001";
const B: &str = "bbbbbbbb-0000-4000-8000-000000000002";
const C: &str = "cccccccc-0000-4000-8000-000000000003";
const D: &str = "dddddddd-0000-4000-8000-000000000004";
const E: &str = "eeeeeeee-0000-4000-8000-000000000005";

fn rows() -> Vec<StatementIndexRow> {
    let course = "https://skillbridge.example/courses/forklift";
    let a = with(
        with(
            statement(A, "ana", "completed", json!({"id": course})),
            "/context",
            json!({"registration": "6E2B2A4F-3C3E-4C6B-9B1A-2F1D8C7A5E10", "instructor": {"mbox": "mailto:coach@example.com"},
                "contextActivities": {"parent": {"id": "https://skillbridge.example/programs/logistics"}}}),
        ),
        "/authority",
        json!({"mbox": "mailto:lrs@example.com"}),
    );
    let b = statement(
        B,
        "ben",
        "attended",
        json!({"id": "https://skillbridge.example/sessions/1"}),
    );
    let c = statement(
        C,
        "ana",
        "mentored",
        json!({"objectType": "Agent", "mbox": "mailto:ben@example.com"}),
    );
    let d = statement(
        D,
        "lead",
        "voided",
        json!({"objectType": "StatementRef", "id": B}),
    );
    let e = statement(
        E,
        "lead",
        "commented",
        json!({"objectType": "SubStatement",
        "actor": {"mbox": "mailto:ana@example.com"}, "verb": {"id": "http://x.example/v"}, "object": {"id": course}}),
    );
    let mut rows: Vec<StatementIndexRow> = [
        (a, "2024-05-01T10:00:00Z"),
        (b, "2024-05-01T11:00:00Z"),
        (c, "2024-05-01T12:00:00Z"),
        (d, "2024-05-01T13:00:00Z"),
        (e, "2024-05-01T14:00:00Z"),
    ]
    .iter()
    .map(|(s, t)| StatementIndexRow::from_statement(s, at(t)))
    .collect();
    // D voids B.
    assert_eq!(
        void_effect(rows.iter().find(|r| r.id == B)),
        VoidEffect::Void(B.into())
    );
    rows[1].voided = true;
    rows
}

fn ids(rows: &[StatementIndexRow], f: &StatementFilter) -> Vec<String> {
    select(rows, f)
        .into_iter()
        .map(|r| r.id[..1].to_string())
        .collect()
}

#[test]
fn query_filters() {
    let rows = rows();
    let key = |who: &str| Some(format!("mbox::mailto:{who}@example.com"));
    let course = Some("https://skillbridge.example/courses/forklift".to_string());
    let cases: Vec<(&str, StatementFilter, &str)> = vec![
        (
            "everything not voided, newest first",
            StatementFilter::default(),
            "edca",
        ),
        (
            "ascending",
            StatementFilter {
                ascending: true,
                ..Default::default()
            },
            "acde",
        ),
        (
            "limit",
            StatementFilter {
                limit: 2,
                ..Default::default()
            },
            "ed",
        ),
        (
            "agent as actor or object",
            StatementFilter {
                agent: key("ana"),
                ..Default::default()
            },
            "ca",
        ),
        (
            "agent as object, and the voiding statement targeting ben's voided statement",
            StatementFilter {
                agent: key("ben"),
                ..Default::default()
            },
            "dc",
        ),
        (
            "instructor only when related",
            StatementFilter {
                agent: key("coach"),
                ..Default::default()
            },
            "",
        ),
        (
            "related agents: instructor",
            StatementFilter {
                agent: key("coach"),
                related_agents: true,
                ..Default::default()
            },
            "a",
        ),
        (
            "related agents: authority",
            StatementFilter {
                agent: key("lrs"),
                related_agents: true,
                ..Default::default()
            },
            "a",
        ),
        (
            "related agents: substatement actor",
            StatementFilter {
                agent: key("ana"),
                related_agents: true,
                ..Default::default()
            },
            "eca",
        ),
        (
            "verb",
            StatementFilter {
                verb: Some("http://adlnet.gov/expapi/verbs/completed".into()),
                ..Default::default()
            },
            "a",
        ),
        (
            "voided statement's verb matches its voiding statement only",
            StatementFilter {
                verb: Some("http://adlnet.gov/expapi/verbs/attended".into()),
                ..Default::default()
            },
            "d",
        ),
        (
            "activity as object",
            StatementFilter {
                activity: course.clone(),
                ..Default::default()
            },
            "a",
        ),
        (
            "related activities: substatement object",
            StatementFilter {
                activity: course.clone(),
                related_activities: true,
                ..Default::default()
            },
            "ea",
        ),
        (
            "related activities: parent",
            StatementFilter {
                activity: Some("https://skillbridge.example/programs/logistics".into()),
                related_activities: true,
                ..Default::default()
            },
            "a",
        ),
        (
            "registration, case-insensitive in the row",
            StatementFilter {
                registration: Some("6e2b2a4f-3c3e-4c6b-9b1a-2f1d8c7a5e10".into()),
                ..Default::default()
            },
            "a",
        ),
        (
            "since is exclusive",
            StatementFilter {
                since: Some(at("2024-05-01T12:00:00Z")),
                ..Default::default()
            },
            "ed",
        ),
        (
            "until is inclusive",
            StatementFilter {
                until: Some(at("2024-05-01T12:00:00+00:00")),
                ..Default::default()
            },
            "ca",
        ),
        (
            "since and until with offsets",
            StatementFilter {
                since: Some(at("2024-05-01T11:30:00+01:00")),
                until: Some(at("2024-05-01T15:00:00+02:00")),
                ..Default::default()
            },
            "dc",
        ),
    ];
    for (name, f, want) in cases {
        assert_eq!(ids(&rows, &f).concat(), want, "{name}");
    }
}

#[test]
fn voiding_rules() {
    let rows = rows();
    let get = |id: &str| rows.iter().find(|r| r.id == id);
    assert!(
        by_statement_id(get(B)).is_none(),
        "voided: 404 by statementId"
    );
    assert!(
        by_voided_statement_id(get(B)).is_some(),
        "returned by voidedStatementId"
    );
    assert!(
        by_voided_statement_id(get(A)).is_none(),
        "not voided: 404 by voidedStatementId"
    );
    assert!(by_statement_id(get(A)).is_some());
    assert_eq!(
        void_effect(get(D)),
        VoidEffect::TargetIsVoiding,
        "a voiding statement cannot be voided"
    );
    assert_eq!(void_effect(get(B)), VoidEffect::AlreadyVoided);
    assert_eq!(void_effect(None), VoidEffect::TargetMissing);
    let voiding = statement(
        D,
        "lead",
        "voided",
        json!({"objectType": "StatementRef", "id": "BBBBBBBB-0000-4000-8000-000000000002"}),
    );
    assert_eq!(voiding_target(&voiding).as_deref(), Some(B));
    assert_eq!(voiding_target(&minimal()), None);
    assert!(get(D).unwrap().is_voiding);
    assert!(!get(A).unwrap().is_voiding);
}

#[test]
fn stored_timestamp_text() {
    assert_eq!(
        Timestamp::from_unix(1_714_557_600, 5_000_000).to_rfc3339(),
        "2024-05-01T10:00:00.005Z"
    );
}
