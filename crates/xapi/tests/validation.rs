//! Table-driven statement validation, in both versions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{full, minimal, with, with_substatement, without};
use serde_json::{Value, json};
use xapi::validate::validate_agent_parameter;
use xapi::{XapiVersion, validate_statement, validate_statements};

const BOTH: &[XapiVersion] = &[XapiVersion::V1_0_3, XapiVersion::V2_0];
const V1: &[XapiVersion] = &[XapiVersion::V1_0_3];
const V2: &[XapiVersion] = &[XapiVersion::V2_0];

/// `Ok(())` for valid; `Err(path)` for the path the rejection must name.
type Expect = Result<(), &'static str>;

fn check(cases: Vec<(&str, &[XapiVersion], Value, Expect)>) {
    let mut wrong = Vec::new();
    for (name, versions, statement, expect) in cases {
        for &v in versions {
            let got = validate_statement(&statement, v);
            let ok = match (&got, expect) {
                (Ok(()), Ok(())) => true,
                (Err(e), Err(path)) => e.path == path,
                _ => false,
            };
            if !ok {
                wrong.push(format!("{name} ({v:?}): expected {expect:?}, got {got:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn valid_examples() {
    check(vec![
        ("full statement", BOTH, full(), Ok(())),
        ("minimal statement", BOTH, minimal(), Ok(())),
        ("substatement", BOTH, with_substatement(), Ok(())),
        (
            "version 1.0.3",
            BOTH,
            with(minimal(), "/version", json!("1.0.3")),
            Ok(()),
        ),
        (
            "version 1.0",
            BOTH,
            with(minimal(), "/version", json!("1.0")),
            Ok(()),
        ),
        (
            "version 2.0.0 on 2.0",
            V2,
            with(minimal(), "/version", json!("2.0.0")),
            Ok(()),
        ),
        (
            "stored and authority sent",
            BOTH,
            with(
                with(minimal(), "/stored", json!("2024-05-01T09:30:00Z")),
                "/authority",
                json!({"objectType": "Agent", "account": {"homePage": "https://lrs.example.com", "name": "client"}}),
            ),
            Ok(()),
        ),
        (
            "OAuth authority group of two",
            BOTH,
            with(
                minimal(),
                "/authority",
                json!({"objectType": "Group", "member": [
                {"account": {"homePage": "https://lrs.example.com", "name": "app"}},
                {"mbox": "mailto:user@example.com"}]}),
            ),
            Ok(()),
        ),
        (
            "agent object",
            BOTH,
            with(
                minimal(),
                "/object",
                json!({"objectType": "Agent", "mbox": "mailto:b@example.com"}),
            ),
            Ok(()),
        ),
        (
            "identified group object without members",
            BOTH,
            with(
                minimal(),
                "/object",
                json!({"objectType": "Group", "openid": "https://id.example.com/g"}),
            ),
            Ok(()),
        ),
        (
            "statement ref object",
            BOTH,
            with(
                minimal(),
                "/object",
                json!({"objectType": "StatementRef", "id": "0a8f3c52-8d1e-4e0e-8f0b-9c1d2e3f4a5b"}),
            ),
            Ok(()),
        ),
        (
            "voiding statement",
            BOTH,
            with(
                with(
                    minimal(),
                    "/verb/id",
                    json!("http://adlnet.gov/expapi/verbs/voided"),
                ),
                "/object",
                json!({"objectType": "StatementRef", "id": "0a8f3c52-8d1e-4e0e-8f0b-9c1d2e3f4a5b"}),
            ),
            Ok(()),
        ),
        (
            "empty extensions",
            BOTH,
            with(minimal(), "/result/extensions", json!({})),
            Ok(()),
        ),
        (
            "null extension value",
            BOTH,
            with(
                minimal(),
                "/context/extensions",
                json!({"http://example.com/x": null}),
            ),
            Ok(()),
        ),
        (
            "timestamp without zone in 1.0.3",
            V1,
            with(minimal(), "/timestamp", json!("2024-05-01T09:30:00")),
            Ok(()),
        ),
        (
            "RFC 3339 +00:00",
            BOTH,
            with(
                minimal(),
                "/timestamp",
                json!("2008-09-15T15:53:00.601+00:00"),
            ),
            Ok(()),
        ),
        (
            "score without min/max",
            BOTH,
            with(minimal(), "/result/score", json!({"raw": 1234.5})),
            Ok(()),
        ),
        (
            "scaled at bounds",
            BOTH,
            with(minimal(), "/result/score", json!({"scaled": -1})),
            Ok(()),
        ),
        (
            "duration in weeks",
            BOTH,
            with(minimal(), "/result/duration", json!("P4W")),
            Ok(()),
        ),
        (
            "every interaction type",
            BOTH,
            with(
                minimal(),
                "/object/definition",
                json!({"interactionType": "likert",
                "scale": [{"id": "1", "description": {"en": "poor"}}, {"id": "2"}]}),
            ),
            Ok(()),
        ),
        (
            "matching source and target",
            BOTH,
            with(
                minimal(),
                "/object/definition",
                json!({"interactionType": "matching",
                "source": [{"id": "x"}], "target": [{"id": "x"}], "correctResponsesPattern": ["x[.]x"]}),
            ),
            Ok(()),
        ),
        (
            "performance steps",
            BOTH,
            with(
                minimal(),
                "/object/definition",
                json!({"interactionType": "performance", "steps": [{"id": "s1"}]}),
            ),
            Ok(()),
        ),
        (
            "sequencing choices",
            BOTH,
            with(
                minimal(),
                "/object/definition",
                json!({"interactionType": "sequencing", "choices": [{"id": "a"}, {"id": "b"}]}),
            ),
            Ok(()),
        ),
        (
            "context activity as array of one",
            BOTH,
            with(
                minimal(),
                "/context/contextActivities/other",
                json!([{"id": "https://example.com/a"}]),
            ),
            Ok(()),
        ),
        (
            "context agents in 2.0",
            V2,
            with(
                minimal(),
                "/context/contextAgents",
                json!([{"objectType": "contextAgent",
                "agent": {"mbox": "mailto:coach@example.com"}, "relevantTypes": ["https://example.com/types/coach"]}]),
            ),
            Ok(()),
        ),
        (
            "context groups in 2.0",
            V2,
            with(
                minimal(),
                "/context/contextGroups",
                json!([{"objectType": "contextGroup",
                "group": {"objectType": "Group", "member": [{"mbox": "mailto:p@example.com"}]}}]),
            ),
            Ok(()),
        ),
    ]);
    for v in BOTH {
        assert!(validate_statements(&json!([full(), minimal()]), *v).is_ok());
    }
}

#[test]
fn statement_level_rules() {
    check(vec![
        ("not an object", BOTH, json!([]), Err("statement")),
        (
            "unknown property",
            BOTH,
            with(minimal(), "/foo", json!(1)),
            Err("foo"),
        ),
        (
            "wrong case property",
            BOTH,
            with(
                without(minimal(), "/verb"),
                "/Verb",
                json!({"id": "http://x.example/v"}),
            ),
            Err("Verb"),
        ),
        (
            "missing actor",
            BOTH,
            without(minimal(), "/actor"),
            Err("actor"),
        ),
        (
            "missing verb",
            BOTH,
            without(minimal(), "/verb"),
            Err("verb"),
        ),
        (
            "missing object",
            BOTH,
            without(minimal(), "/object"),
            Err("object"),
        ),
        (
            "null context",
            BOTH,
            with(minimal(), "/context", Value::Null),
            Err("context"),
        ),
        (
            "null actor",
            BOTH,
            with(minimal(), "/actor", Value::Null),
            Err("actor"),
        ),
        (
            "id not a UUID",
            BOTH,
            with(
                minimal(),
                "/id",
                json!("AA97B177-9383-4934-8543-0F91A7A028368"),
            ),
            Err("id"),
        ),
        (
            "id with non-hex",
            BOTH,
            with(
                minimal(),
                "/id",
                json!("MA97B177-9383-4934-8543-0F91A7A02836"),
            ),
            Err("id"),
        ),
        (
            "id a number",
            BOTH,
            with(minimal(), "/id", json!(12345)),
            Err("id"),
        ),
        (
            "timestamp not ISO",
            BOTH,
            with(minimal(), "/timestamp", json!("01/011/2015")),
            Err("timestamp"),
        ),
        (
            "timestamp -00:00",
            BOTH,
            with(
                minimal(),
                "/timestamp",
                json!("2008-09-15T15:53:00.601-00:00"),
            ),
            Err("timestamp"),
        ),
        (
            "timestamp -0000",
            BOTH,
            with(
                minimal(),
                "/timestamp",
                json!("2008-09-15T15:53:00.601-0000"),
            ),
            Err("timestamp"),
        ),
        (
            "timestamp -00",
            BOTH,
            with(minimal(), "/timestamp", json!("2008-09-15T15:53:00.601-00")),
            Err("timestamp"),
        ),
        (
            "timestamp without zone in 2.0",
            V2,
            with(minimal(), "/timestamp", json!("2024-05-01T09:30:00")),
            Err("timestamp"),
        ),
        (
            "stored not ISO",
            BOTH,
            with(minimal(), "/stored", json!("yesterday")),
            Err("stored"),
        ),
        (
            "version 0.9.9",
            BOTH,
            with(minimal(), "/version", json!("0.9.9")),
            Err("version"),
        ),
        (
            "version 1.1.0",
            BOTH,
            with(minimal(), "/version", json!("1.1.0")),
            Err("version"),
        ),
        (
            "version 2.0.0 on 1.0.3",
            V1,
            with(minimal(), "/version", json!("2.0.0")),
            Err("version"),
        ),
        (
            "version a number",
            BOTH,
            with(minimal(), "/version", json!(1.0)),
            Err("version"),
        ),
        (
            "voiding without StatementRef",
            BOTH,
            with(
                minimal(),
                "/verb/id",
                json!("http://adlnet.gov/expapi/verbs/voided"),
            ),
            Err("object.objectType"),
        ),
        (
            "context agents in 1.0.3",
            V1,
            with(minimal(), "/context/contextAgents", json!([])),
            Err("context.contextAgents"),
        ),
    ]);
}

#[test]
fn actor_rules() {
    let acct = |h: Value, n: Value| json!({"account": {"homePage": h, "name": n}});
    check(vec![
        (
            "agent without IFI",
            BOTH,
            with(minimal(), "/actor", json!({"name": "Ana"})),
            Err("actor"),
        ),
        (
            "agent with two IFIs",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"mbox": "mailto:a@example.com", "openid": "https://id.example.com/a"}),
            ),
            Err("actor"),
        ),
        (
            "mbox without mailto",
            BOTH,
            with(minimal(), "/actor/mbox", json!("ana@example.com")),
            Err("actor.mbox"),
        ),
        (
            "mbox http IRI",
            BOTH,
            with(minimal(), "/actor/mbox", json!("http://should.fail.com")),
            Err("actor.mbox"),
        ),
        (
            "mbox without @",
            BOTH,
            with(minimal(), "/actor/mbox", json!("mailto:should.fail.com")),
            Err("actor.mbox"),
        ),
        (
            "mbox_sha1sum not hex",
            BOTH,
            with(minimal(), "/actor", json!({"mbox_sha1sum": "xyz"})),
            Err("actor.mbox_sha1sum"),
        ),
        (
            "openid not IRI",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"openid": "open.id.com/testUser"}),
            ),
            Err("actor.openid"),
        ),
        (
            "account without homePage",
            BOTH,
            with(minimal(), "/actor", json!({"account": {"name": "a"}})),
            Err("actor.account.homePage"),
        ),
        (
            "account without name",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"account": {"homePage": "https://x.example"}}),
            ),
            Err("actor.account.name"),
        ),
        (
            "account homePage not IRL",
            BOTH,
            with(
                minimal(),
                "/actor",
                acct(json!("homePage.com/testUser"), json!("1")),
            ),
            Err("actor.account.homePage"),
        ),
        (
            "account name a number",
            BOTH,
            with(
                minimal(),
                "/actor",
                acct(json!("https://x.example"), json!(123)),
            ),
            Err("actor.account.name"),
        ),
        (
            "account extra property",
            BOTH,
            with(
                minimal(),
                "/actor/account",
                json!({"homePage": "https://x.example", "name": "a", "id": 1}),
            ),
            Err("actor.account.id"),
        ),
        (
            "objectType lowercase agent",
            BOTH,
            with(minimal(), "/actor/objectType", json!("agent")),
            Err("actor.objectType"),
        ),
        (
            "objectType a number",
            BOTH,
            with(minimal(), "/actor/objectType", json!(123)),
            Err("actor.objectType"),
        ),
        (
            "agent with member",
            BOTH,
            with(minimal(), "/actor/member", json!([])),
            Err("actor.member"),
        ),
        (
            "anonymous group without member",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"objectType": "Group", "name": "G"}),
            ),
            Err("actor.member"),
        ),
        (
            "anonymous group with empty member",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"objectType": "Group", "member": []}),
            ),
            Err("actor.member"),
        ),
        (
            "group with two IFIs",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"objectType": "Group", "mbox": "mailto:g@example.com", "openid": "https://g.example"}),
            ),
            Err("actor"),
        ),
        (
            "group member a group",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@example.com"}]}),
            ),
            Err("actor.member[0].objectType"),
        ),
        (
            "group member without IFI",
            BOTH,
            with(
                minimal(),
                "/actor",
                json!({"objectType": "Group", "member": [{"name": "x"}]}),
            ),
            Err("actor.member[0]"),
        ),
        (
            "name a number",
            BOTH,
            with(minimal(), "/actor/name", json!(5)),
            Err("actor.name"),
        ),
        (
            "authority identified group",
            BOTH,
            with(
                minimal(),
                "/authority",
                json!({"objectType": "Group", "mbox": "mailto:g@example.com",
                "member": [{"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}]}),
            ),
            Err("authority"),
        ),
        (
            "authority group of three",
            BOTH,
            with(
                minimal(),
                "/authority",
                json!({"objectType": "Group", "member": [
                {"mbox": "mailto:a@example.com"}, {"mbox": "mailto:b@example.com"}, {"mbox": "mailto:c@example.com"}]}),
            ),
            Err("authority.member"),
        ),
        (
            "authority group of one",
            BOTH,
            with(
                minimal(),
                "/authority",
                json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
            ),
            Err("authority.member"),
        ),
        (
            "instructor without IFI",
            BOTH,
            with(minimal(), "/context/instructor", json!({"name": "x"})),
            Err("context.instructor"),
        ),
        (
            "team an agent",
            BOTH,
            with(
                minimal(),
                "/context/team",
                json!({"mbox": "mailto:a@example.com"}),
            ),
            Err("context.team.objectType"),
        ),
    ]);
}

#[test]
fn verb_rules() {
    check(vec![
        (
            "verb without id",
            BOTH,
            with(minimal(), "/verb", json!({"display": {"en": "x"}})),
            Err("verb.id"),
        ),
        (
            "verb id not IRI",
            BOTH,
            with(
                minimal(),
                "/verb/id",
                json!("adlnet.gov/expapi/verbs/attended"),
            ),
            Err("verb.id"),
        ),
        (
            "verb display a string",
            BOTH,
            with(minimal(), "/verb/display", json!("attended")),
            Err("verb.display"),
        ),
        (
            "verb display a number",
            BOTH,
            with(minimal(), "/verb/display", json!(12345)),
            Err("verb.display"),
        ),
        (
            "verb display bad tag",
            BOTH,
            with(minimal(), "/verb/display", json!({"a12345": "x"})),
            Err("verb.display['a12345']"),
        ),
        (
            "verb display value not string",
            BOTH,
            with(minimal(), "/verb/display", json!({"en": 1})),
            Err("verb.display['en']"),
        ),
        (
            "verb extra property",
            BOTH,
            with(minimal(), "/verb/name", json!("x")),
            Err("verb.name"),
        ),
    ]);
}

#[test]
fn object_rules() {
    let def = |d: Value| with(minimal(), "/object/definition", d);
    check(vec![
        (
            "activity without id",
            BOTH,
            with(minimal(), "/object", json!({"objectType": "Activity"})),
            Err("object.id"),
        ),
        (
            "activity id not IRI",
            BOTH,
            with(minimal(), "/object/id", json!("www.example.com/meetings")),
            Err("object.id"),
        ),
        (
            "unknown objectType",
            BOTH,
            with(minimal(), "/object/objectType", json!("activity")),
            Err("object.objectType"),
        ),
        (
            "agent object without objectType",
            BOTH,
            with(
                minimal(),
                "/object",
                json!({"mbox": "mailto:a@example.com"}),
            ),
            Err("object.mbox"),
        ),
        (
            "statement ref without id",
            BOTH,
            with(minimal(), "/object", json!({"objectType": "StatementRef"})),
            Err("object.id"),
        ),
        (
            "statement ref bad id",
            BOTH,
            with(
                minimal(),
                "/object",
                json!({"objectType": "StatementRef", "id": "nope"}),
            ),
            Err("object.id"),
        ),
        (
            "definition a string",
            BOTH,
            def(json!("x")),
            Err("object.definition"),
        ),
        (
            "definition unknown key",
            BOTH,
            def(json!({"title": {"en": "x"}})),
            Err("object.definition.title"),
        ),
        (
            "name bad tag",
            BOTH,
            def(json!({"name": {"a12345678": "x"}})),
            Err("object.definition.name['a12345678']"),
        ),
        (
            "description a number",
            BOTH,
            def(json!({"description": 5})),
            Err("object.definition.description"),
        ),
        (
            "type not IRI",
            BOTH,
            def(json!({"type": "meeting"})),
            Err("object.definition.type"),
        ),
        (
            "moreInfo not IRL",
            BOTH,
            def(json!({"moreInfo": "virtualmeeting.example.com/345256"})),
            Err("object.definition.moreInfo"),
        ),
        (
            "interactionType unknown",
            BOTH,
            def(json!({"interactionType": "foo"})),
            Err("object.definition.interactionType"),
        ),
        (
            "interactionType wrong case",
            BOTH,
            def(json!({"interactionType": "choiCe"})),
            Err("object.definition.interactionType"),
        ),
        (
            "interactionType a number",
            BOTH,
            def(json!({"interactionType": 12345})),
            Err("object.definition.interactionType"),
        ),
        (
            "correctResponsesPattern a string",
            BOTH,
            def(json!({"interactionType": "choice", "correctResponsesPattern": "a"})),
            Err("object.definition.correctResponsesPattern"),
        ),
        (
            "correctResponsesPattern without interactionType",
            BOTH,
            def(json!({"correctResponsesPattern": ["a"]})),
            Err("object.definition.correctResponsesPattern"),
        ),
        (
            "choices with likert",
            BOTH,
            def(json!({"interactionType": "likert", "choices": [{"id": "a"}]})),
            Err("object.definition.choices"),
        ),
        (
            "component without id",
            BOTH,
            def(json!({"interactionType": "choice", "choices": [{"description": {"en": "a"}}]})),
            Err("object.definition.choices[0].id"),
        ),
        (
            "duplicate component ids",
            BOTH,
            def(json!({"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]})),
            Err("object.definition.choices[1].id"),
        ),
        (
            "component bad description",
            BOTH,
            def(
                json!({"interactionType": "performance", "steps": [{"id": "a", "description": {"a12345": "x"}}]}),
            ),
            Err("object.definition.steps[0].description['a12345']"),
        ),
        (
            "extension key not IRI",
            BOTH,
            def(json!({"extensions": {"should fail": true}})),
            Err("object.definition.extensions['should fail']"),
        ),
    ]);
}

#[test]
fn substatement_rules() {
    check(vec![
        (
            "substatement with id",
            BOTH,
            with(
                with_substatement(),
                "/object/id",
                json!("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
            ),
            Err("object.id"),
        ),
        (
            "substatement with stored",
            BOTH,
            with(
                with_substatement(),
                "/object/stored",
                json!("2024-06-01T08:00:00Z"),
            ),
            Err("object.stored"),
        ),
        (
            "substatement with version",
            BOTH,
            with(with_substatement(), "/object/version", json!("1.0.0")),
            Err("object.version"),
        ),
        (
            "substatement with authority",
            BOTH,
            with(
                with_substatement(),
                "/object/authority",
                json!({"mbox": "mailto:a@example.com"}),
            ),
            Err("object.authority"),
        ),
        (
            "nested substatement",
            BOTH,
            with(
                with_substatement(),
                "/object/object",
                json!({"objectType": "SubStatement",
                "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": "http://x.example/v"}, "object": {"id": "http://x.example/a"}}),
            ),
            Err("object.object.objectType"),
        ),
        (
            "substatement without verb",
            BOTH,
            without(with_substatement(), "/object/verb"),
            Err("object.verb"),
        ),
        (
            "substatement bad timestamp",
            BOTH,
            with(
                with_substatement(),
                "/object/timestamp",
                json!("2008-09-15T15:53:00.601-00:00"),
            ),
            Err("object.timestamp"),
        ),
        (
            "substatement bad duration",
            BOTH,
            with(
                with_substatement(),
                "/object/result/duration",
                json!("P4W1D"),
            ),
            Err("object.result.duration"),
        ),
        (
            "substatement context language",
            BOTH,
            with(
                with_substatement(),
                "/object/context/language",
                json!("xyz123"),
            ),
            Err("object.context.language"),
        ),
        (
            "substatement statement ref",
            BOTH,
            with(
                with_substatement(),
                "/object/object",
                json!({"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}),
            ),
            Ok(()),
        ),
    ]);
}

#[test]
fn result_rules() {
    let score = |s: Value| with(minimal(), "/result/score", s);
    check(vec![
        (
            "scaled above 1",
            BOTH,
            score(json!({"scaled": 1.01})),
            Err("result.score.scaled"),
        ),
        (
            "scaled below -1",
            BOTH,
            score(json!({"scaled": -1.5})),
            Err("result.score.scaled"),
        ),
        (
            "raw below min",
            BOTH,
            score(json!({"raw": -1, "min": 0, "max": 10})),
            Err("result.score.raw"),
        ),
        (
            "raw above max",
            BOTH,
            score(json!({"raw": 11, "min": 0, "max": 10})),
            Err("result.score.raw"),
        ),
        (
            "max not above min",
            BOTH,
            score(json!({"min": 10, "max": 10})),
            Err("result.score.max"),
        ),
        (
            "raw a string",
            BOTH,
            score(json!({"raw": "5"})),
            Err("result.score.raw"),
        ),
        (
            "score extra key",
            BOTH,
            score(json!({"percent": 5})),
            Err("result.score.percent"),
        ),
        (
            "success a string",
            BOTH,
            with(minimal(), "/result/success", json!("true")),
            Err("result.success"),
        ),
        (
            "completion a number",
            BOTH,
            with(minimal(), "/result/completion", json!(1)),
            Err("result.completion"),
        ),
        (
            "response an object",
            BOTH,
            with(minimal(), "/result/response", json!({})),
            Err("result.response"),
        ),
        (
            "duration alternative format",
            BOTH,
            with(minimal(), "/result/duration", json!("P0003-01-02T04:05:06")),
            Err("result.duration"),
        ),
        (
            "duration garbage",
            BOTH,
            with(minimal(), "/result/duration", json!("PA1H0M0S")),
            Err("result.duration"),
        ),
        (
            "duration a number",
            BOTH,
            with(minimal(), "/result/duration", json!(12345)),
            Err("result.duration"),
        ),
        (
            "extensions an array",
            BOTH,
            with(minimal(), "/result/extensions", json!([])),
            Err("result.extensions"),
        ),
    ]);
}

#[test]
fn context_rules() {
    let ctx = |k: &str, v: Value| with(minimal(), &format!("/context/{k}"), v);
    let agent_object = |s: Value| {
        with(
            s,
            "/object",
            json!({"objectType": "Agent", "mbox": "mailto:b@example.com"}),
        )
    };
    check(vec![
        (
            "registration not UUID",
            BOTH,
            ctx("registration", json!("abc")),
            Err("context.registration"),
        ),
        (
            "revision with agent object",
            BOTH,
            agent_object(ctx("revision", json!("r1"))),
            Err("context.revision"),
        ),
        (
            "platform with agent object",
            BOTH,
            agent_object(ctx("platform", json!("web"))),
            Err("context.platform"),
        ),
        (
            "revision with statement ref object",
            BOTH,
            with(
                ctx("revision", json!("r1")),
                "/object",
                json!({"objectType": "StatementRef", "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}),
            ),
            Err("context.revision"),
        ),
        (
            "revision a number",
            BOTH,
            ctx("revision", json!(2)),
            Err("context.revision"),
        ),
        (
            "language bad",
            BOTH,
            ctx("language", json!("zh-z-aaa-z-bbb-c-ccc")),
            Err("context.language"),
        ),
        (
            "statement not a StatementRef",
            BOTH,
            ctx(
                "statement",
                json!({"id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}),
            ),
            Err("context.statement.objectType"),
        ),
        (
            "contextActivities unknown key",
            BOTH,
            ctx("contextActivities", json!({"sibling": []})),
            Err("context.contextActivities.sibling"),
        ),
        (
            "contextActivities a string",
            BOTH,
            ctx(
                "contextActivities",
                json!({"parent": "https://x.example/a"}),
            ),
            Err("context.contextActivities.parent"),
        ),
        (
            "contextActivities activity without id",
            BOTH,
            ctx(
                "contextActivities",
                json!({"grouping": [{"objectType": "Activity"}]}),
            ),
            Err("context.contextActivities.grouping[0].id"),
        ),
        (
            "context extension key",
            BOTH,
            ctx("extensions", json!({"room": 1})),
            Err("context.extensions['room']"),
        ),
        (
            "contextAgent wrong objectType",
            V2,
            ctx(
                "contextAgents",
                json!([{"objectType": "Agent", "agent": {"mbox": "mailto:a@example.com"}}]),
            ),
            Err("context.contextAgents[0].objectType"),
        ),
        (
            "contextAgent without agent",
            V2,
            ctx("contextAgents", json!([{"objectType": "contextAgent"}])),
            Err("context.contextAgents[0].agent"),
        ),
        (
            "contextAgent empty relevantTypes",
            V2,
            ctx(
                "contextAgents",
                json!([{"objectType": "contextAgent", "agent": {"mbox": "mailto:a@example.com"}, "relevantTypes": []}]),
            ),
            Err("context.contextAgents[0].relevantTypes"),
        ),
        (
            "contextGroup with an agent",
            V2,
            ctx(
                "contextGroups",
                json!([{"objectType": "contextGroup", "group": {"mbox": "mailto:a@example.com"}}]),
            ),
            Err("context.contextGroups[0].group.objectType"),
        ),
        (
            "contextGroup relevantTypes not IRIs",
            V2,
            ctx(
                "contextGroups",
                json!([{"objectType": "contextGroup", "group": {"objectType": "Group", "mbox": "mailto:g@example.com"}, "relevantTypes": ["coach"]}]),
            ),
            Err("context.contextGroups[0].relevantTypes[0]"),
        ),
    ]);
}

#[test]
fn attachment_rules() {
    let att = |k: &str, v: Value| with(full(), &format!("/attachments/0/{k}"), v);
    check(vec![
        (
            "attachments an object",
            BOTH,
            with(minimal(), "/attachments", json!({})),
            Err("attachments"),
        ),
        (
            "attachment a string",
            BOTH,
            with(minimal(), "/attachments", json!(["x"])),
            Err("attachments[0]"),
        ),
        (
            "usageType not IRI",
            BOTH,
            att("usageType", json!("certificate")),
            Err("attachments[0].usageType"),
        ),
        (
            "display missing",
            BOTH,
            without(full(), "/attachments/0/display"),
            Err("attachments[0].display"),
        ),
        (
            "display bad tag",
            BOTH,
            att("display", json!({"a12345": "x"})),
            Err("attachments[0].display['a12345']"),
        ),
        (
            "description a string",
            BOTH,
            att("description", json!("x")),
            Err("attachments[0].description"),
        ),
        (
            "contentType a number",
            BOTH,
            att("contentType", json!(5)),
            Err("attachments[0].contentType"),
        ),
        (
            "contentType not a media type",
            BOTH,
            att("contentType", json!("pdf")),
            Err("attachments[0].contentType"),
        ),
        (
            "length a string",
            BOTH,
            att("length", json!("12")),
            Err("attachments[0].length"),
        ),
        (
            "length negative",
            BOTH,
            att("length", json!(-1)),
            Err("attachments[0].length"),
        ),
        (
            "sha2 not hex",
            BOTH,
            att("sha2", json!("should fail")),
            Err("attachments[0].sha2"),
        ),
        (
            "sha2 missing",
            BOTH,
            without(full(), "/attachments/0/sha2"),
            Err("attachments[0].sha2"),
        ),
        (
            "fileUrl not IRL",
            BOTH,
            att("fileUrl", json!("files/cert.pdf")),
            Err("attachments[0].fileUrl"),
        ),
        (
            "unknown attachment key",
            BOTH,
            att("name", json!("x")),
            Err("attachments[0].name"),
        ),
    ]);
}

#[test]
fn error_messages_name_path_and_reason() {
    let s = with(
        minimal(),
        "/object/definition",
        json!({"interactionType": "foo"}),
    );
    let e = validate_statement(&s, XapiVersion::V2_0).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "object.definition.interactionType: 'foo' is not one of true-false, choice"
        ),
        "{e}"
    );
    let e = validate_statement(&json!(5), XapiVersion::V1_0_3).unwrap_err();
    assert_eq!(
        e.to_string(),
        "statement: must be a JSON object, not a number"
    );
}

#[test]
fn batches() {
    let two = json!([minimal(), with(minimal(), "/verb/id", json!("nope"))]);
    let e = validate_statements(&two, XapiVersion::V1_0_3).unwrap_err();
    assert_eq!(e.path, "[1].verb.id");
    let id = json!("fd41c918-b88b-4b20-a0a5-a4c32391aaa0");
    let dup = json!([
        with(minimal(), "/id", id.clone()),
        with(minimal(), "/id", id)
    ]);
    assert_eq!(
        validate_statements(&dup, XapiVersion::V2_0)
            .unwrap_err()
            .path,
        "[1].id"
    );
    assert!(validate_statements(&json!([]), XapiVersion::V2_0).is_ok());
}

#[test]
fn agent_parameter() {
    let v = XapiVersion::V1_0_3;
    assert!(validate_agent_parameter(&json!({"mbox": "mailto:a@example.com"}), v).is_ok());
    assert!(
        validate_agent_parameter(
            &json!({"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}),
            v
        )
        .is_err()
    );
    assert!(validate_agent_parameter(&json!({"mbox": "a@example.com"}), v).is_err());
}

#[test]
fn versions_from_headers() {
    assert_eq!(XapiVersion::from_header("1.0.3"), Some(XapiVersion::V1_0_3));
    assert_eq!(XapiVersion::from_header("1.0"), Some(XapiVersion::V1_0_3));
    assert_eq!(XapiVersion::from_header("2.0.0"), Some(XapiVersion::V2_0));
    assert_eq!(XapiVersion::from_header("0.95"), None);
    assert_eq!(XapiVersion::from_header("1.0."), None);
    assert_eq!(XapiVersion::V2_0.default_statement_version(), "2.0.0");
}
