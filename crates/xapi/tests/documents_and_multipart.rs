//! Document resources (ETag, preconditions, POST merge) and statements requests with
//! attachments (multipart/mixed, signatures).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{minimal, with};
use serde_json::{Value, json};
use xapi::document::{Document, DocumentResource as R, WriteMethod as M, is_json_content_type};
use xapi::multipart::{boundary, sha2_hex, split_parts};
use xapi::{
    SIGNATURE_USAGE_TYPE, XapiVersion, check_preconditions, etag, parse_statements_request,
    post_document,
};

#[test]
fn etags() {
    assert_eq!(etag(b""), "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"");
    assert_eq!(etag(b"abc"), "\"a9993e364706816aba3e25717850c26c9cd0d89d\"");
}

#[test]
fn preconditions() {
    let tag = "\"a9993e364706816aba3e25717850c26c9cd0d89d\"";
    let other = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";
    type Case<'a> = (
        &'a str,
        R,
        M,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<u16>,
    );
    let cases: Vec<Case> = vec![
        (
            "matching If-Match",
            R::ActivityProfile,
            M::Put,
            Some(tag),
            Some(tag),
            None,
            None,
        ),
        (
            "If-Match in a list",
            R::AgentProfile,
            M::Put,
            Some(tag),
            Some("\"x\", \"a9993e364706816aba3e25717850c26c9cd0d89d\""),
            None,
            None,
        ),
        (
            "If-Match *",
            R::AgentProfile,
            M::Post,
            Some(tag),
            Some("*"),
            None,
            None,
        ),
        (
            "wrong If-Match on PUT",
            R::ActivityProfile,
            M::Put,
            Some(tag),
            Some(other),
            None,
            Some(412),
        ),
        (
            "wrong If-Match on POST",
            R::State,
            M::Post,
            Some(tag),
            Some(other),
            None,
            Some(412),
        ),
        (
            "wrong If-Match on DELETE",
            R::AgentProfile,
            M::Delete,
            Some(tag),
            Some(other),
            None,
            Some(412),
        ),
        (
            "If-Match without document",
            R::ActivityProfile,
            M::Put,
            None,
            Some("*"),
            None,
            Some(412),
        ),
        (
            "If-None-Match * with document",
            R::ActivityProfile,
            M::Put,
            Some(tag),
            None,
            Some("*"),
            Some(412),
        ),
        (
            "If-None-Match * without document",
            R::ActivityProfile,
            M::Put,
            None,
            None,
            Some("*"),
            None,
        ),
        (
            "If-None-Match listing the tag",
            R::AgentProfile,
            M::Put,
            Some(tag),
            None,
            Some(tag),
            Some(412),
        ),
        (
            "If-None-Match another tag",
            R::AgentProfile,
            M::Put,
            Some(tag),
            None,
            Some(other),
            None,
        ),
        (
            "PUT without headers, activity profile exists",
            R::ActivityProfile,
            M::Put,
            Some(tag),
            None,
            None,
            Some(409),
        ),
        (
            "PUT without headers, agent profile exists",
            R::AgentProfile,
            M::Put,
            Some(tag),
            None,
            None,
            Some(409),
        ),
        (
            "PUT without headers, new document",
            R::AgentProfile,
            M::Put,
            None,
            None,
            None,
            None,
        ),
        (
            "PUT without headers, state exists",
            R::State,
            M::Put,
            Some(tag),
            None,
            None,
            None,
        ),
        (
            "POST without headers",
            R::ActivityProfile,
            M::Post,
            Some(tag),
            None,
            None,
            None,
        ),
        (
            "DELETE without headers",
            R::ActivityProfile,
            M::Delete,
            Some(tag),
            None,
            None,
            None,
        ),
        (
            "weak comparison of W/ tags",
            R::State,
            M::Put,
            Some(tag),
            Some("W/\"a9993e364706816aba3e25717850c26c9cd0d89d\""),
            None,
            None,
        ),
    ];
    for (name, r, m, current, im, inm, want) in cases {
        let got = check_preconditions(r, m, current, im, inm)
            .err()
            .map(|e| e.status);
        assert_eq!(got, want, "{name}");
    }
}

fn doc(ct: &str, body: &str) -> Document {
    Document {
        content_type: ct.into(),
        content: body.as_bytes().to_vec(),
    }
}

#[test]
fn post_merge() {
    let old = doc("application/json", r#"{"a": 1, "b": {"x": 1, "y": 2}}"#);
    let new = doc(
        "application/json; charset=utf-8",
        r#"{"b": {"x": 9}, "c": 3}"#,
    );
    let merged = post_document(Some(&old), &new).unwrap();
    let v: Value = serde_json::from_slice(&merged.content).unwrap();
    assert_eq!(
        v,
        json!({"a": 1, "b": {"x": 9}, "c": 3}),
        "one level deep, whole values replaced"
    );
    let first = post_document(None, &new).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&first.content).unwrap(),
        json!({"b": {"x": 9}, "c": 3})
    );
    assert!(
        post_document(Some(&old), &doc("application/json", "[1]")).is_err(),
        "posted array"
    );
    assert!(
        post_document(Some(&old), &doc("application/json", "nope")).is_err(),
        "posted not JSON"
    );
    assert!(
        post_document(Some(&old), &doc("text/plain", "{}")).is_err(),
        "posted not application/json"
    );
    assert!(
        post_document(Some(&doc("application/octet-stream", "xx")), &new).is_err(),
        "existing not JSON"
    );
    assert!(
        post_document(Some(&doc("application/json", "5")), &new).is_err(),
        "existing not an object"
    );
    assert!(is_json_content_type("Application/JSON ; charset=utf-8"));
}

const B: &str = "-------314159265358979323846";

/// Part headers and body.
type PartSpec<'a> = (&'a [(&'a str, &'a str)], &'a [u8]);

fn multipart(parts: &[PartSpec]) -> Vec<u8> {
    let mut out = Vec::new();
    for (headers, body) in parts {
        out.extend_from_slice(format!("--{B}\r\n").as_bytes());
        for (k, v) in *headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{B}--\r\n").as_bytes());
    out
}

fn ct() -> String {
    format!("multipart/mixed; boundary={B}")
}

const TEXT: &[u8] = b"here is a simple attachment";

fn with_text_attachment() -> Value {
    with(
        minimal(),
        "/attachments",
        json!([{
            "usageType": "http://example.com/attachment-usage/test",
            "display": {"en-US": "A test attachment"},
            "contentType": "text/plain",
            "length": TEXT.len(),
            "sha2": sha2_hex(TEXT, 64).unwrap()
        }]),
    )
}

#[test]
fn multipart_parsing() {
    assert_eq!(boundary(&ct()).as_deref(), Some(B));
    assert_eq!(
        boundary("multipart/mixed; charset=x; boundary=\"abc\"").as_deref(),
        Some("abc")
    );
    assert_eq!(boundary("multipart/mixed"), None);
    let body = multipart(&[
        (&[("Content-Type", "text/plain")], b"line1\r\nline2"),
        (&[], b""),
    ]);
    let parts = split_parts(&body, B).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].header("CONTENT-TYPE"), Some("text/plain"));
    assert_eq!(parts[0].body, b"line1\r\nline2");
    assert!(parts[1].body.is_empty());
    assert!(
        split_parts(b"--abc\r\nContent-Type: x\r\n\r\nbody", "abc").is_err(),
        "no closing boundary"
    );
}

#[test]
fn statements_with_attachments() {
    let v = XapiVersion::V1_0_3;
    let stmt = with_text_attachment();
    let json_part: &[(&str, &str)] = &[("Content-Type", "application/json")];
    let hash = sha2_hex(TEXT, 64).unwrap();
    let att_headers = [
        ("Content-Type", "text/plain"),
        ("Content-Transfer-Encoding", "binary"),
        ("X-Experience-API-Hash", hash.as_str()),
    ];
    let stmt_bytes = serde_json::to_vec(&stmt).unwrap();

    let ok = parse_statements_request(
        &ct(),
        &multipart(&[(json_part, &stmt_bytes), (&att_headers, TEXT)]),
        v,
    )
    .unwrap();
    assert_eq!(ok.statements, stmt);
    assert_eq!(ok.attachments.len(), 1);
    assert_eq!(ok.attachments[0].content, TEXT);
    assert_eq!(ok.attachments[0].content_type, "text/plain");

    let err = |body: Vec<u8>| parse_statements_request(&ct(), &body, v).unwrap_err().0;
    assert!(
        err(multipart(&[(json_part, &stmt_bytes)])).contains("no fileUrl"),
        "missing binary"
    );
    let extra = [
        ("Content-Type", "text/plain"),
        ("Content-Transfer-Encoding", "binary"),
        ("X-Experience-API-Hash", &sha2_hex(b"other", 64).unwrap()),
    ];
    assert!(
        err(multipart(&[
            (json_part, &stmt_bytes),
            (&att_headers, TEXT),
            (&extra, b"other")
        ]))
        .contains("matches no attachment"),
        "excess part"
    );
    let no_hash = [
        ("Content-Type", "text/plain"),
        ("Content-Transfer-Encoding", "binary"),
    ];
    assert!(
        err(multipart(&[(json_part, &stmt_bytes), (&no_hash, TEXT)]))
            .contains("X-Experience-API-Hash header is missing")
    );
    assert!(
        err(multipart(&[
            (json_part, &stmt_bytes),
            (&att_headers, b"tampered")
        ]))
        .contains("does not match")
    );
    let base64_part = [
        ("Content-Type", "text/plain"),
        ("Content-Transfer-Encoding", "base64"),
        ("X-Experience-API-Hash", hash.as_str()),
    ];
    assert!(err(multipart(&[(json_part, &stmt_bytes), (&base64_part, TEXT)])).contains("binary"));
    let text_first: &[(&str, &str)] = &[("Content-Type", "text/plain")];
    assert!(
        err(multipart(&[
            (text_first, &stmt_bytes),
            (&att_headers, TEXT)
        ]))
        .contains("first part")
    );
    let invalid = serde_json::to_vec(&with(stmt.clone(), "/verb/id", json!("bad"))).unwrap();
    assert!(err(multipart(&[(json_part, &invalid), (&att_headers, TEXT)])).starts_with("verb.id"));

    // application/json: attachments need a fileUrl.
    assert!(parse_statements_request("application/json", &stmt_bytes, v).is_err());
    let by_url = with(
        stmt.clone(),
        "/attachments/0/fileUrl",
        json!("https://files.example.com/a.txt"),
    );
    assert!(
        parse_statements_request("application/json", &serde_json::to_vec(&by_url).unwrap(), v)
            .is_ok()
    );
    // multipart without attachments, and with a fileUrl attachment only.
    assert!(
        parse_statements_request(
            &ct(),
            &multipart(&[(json_part, &serde_json::to_vec(&minimal()).unwrap())]),
            v
        )
        .is_ok()
    );
    assert!(
        parse_statements_request(
            &ct(),
            &multipart(&[(json_part, &serde_json::to_vec(&by_url).unwrap())]),
            v
        )
        .is_ok()
    );
    assert!(parse_statements_request("multipart/form-data; boundary=x", b"", v).is_err());
    assert!(parse_statements_request("application/json", b"{not json", v).is_err());
}

fn jws(alg: &str, payload: &str) -> Vec<u8> {
    let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg}).to_string());
    let p = URL_SAFE_NO_PAD.encode(payload);
    let s = URL_SAFE_NO_PAD.encode([7u8; 256]);
    format!("{h}.{p}.{s}").into_bytes()
}

fn signed_request(statement: &Value, sig: &[u8], content_type: &str) -> (String, Vec<u8>) {
    let hash = sha2_hex(sig, 64).unwrap();
    let mut s = statement.clone();
    s["attachments"] = json!([{
        "usageType": SIGNATURE_USAGE_TYPE, "display": {"en-US": "Signed"},
        "contentType": content_type, "length": sig.len(), "sha2": hash
    }]);
    let body = multipart(&[
        (
            &[("Content-Type", "application/json")],
            &serde_json::to_vec(&s).unwrap(),
        ),
        (
            &[
                ("Content-Type", "application/octet-stream"),
                ("Content-Transfer-Encoding", "binary"),
                ("X-Experience-API-Hash", hash.as_str()),
            ],
            sig,
        ),
    ]);
    (ct(), body)
}

#[test]
fn signed_statements() {
    let stmt = with(
        minimal(),
        "/id",
        json!("fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
    );
    let payload = stmt.to_string();
    for v in [XapiVersion::V1_0_3, XapiVersion::V2_0] {
        for alg in ["RS256", "RS384", "RS512"] {
            let (c, b) = signed_request(&stmt, &jws(alg, &payload), "application/octet-stream");
            assert!(parse_statements_request(&c, &b, v).is_ok(), "{alg}");
        }
        let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
            (
                "HS256",
                jws("HS256", &payload),
                "application/octet-stream",
                "algorithm",
            ),
            (
                "broken JSON payload",
                jws("RS256", &payload.replacen('"', "'", 1)),
                "application/octet-stream",
                "payload",
            ),
            (
                "other statement",
                jws(
                    "RS256",
                    &with(stmt.clone(), "/verb/id", json!("http://x.example/v")).to_string(),
                ),
                "application/octet-stream",
                "does not match",
            ),
            (
                "not compact",
                b"abc".to_vec(),
                "application/octet-stream",
                "compact",
            ),
            (
                "text content type",
                jws("RS256", &payload),
                "text/plain; charset=ascii",
                "application/octet-stream",
            ),
        ];
        for (name, sig, content_type, reason) in cases {
            let (c, b) = signed_request(&stmt, &sig, content_type);
            let e = parse_statements_request(&c, &b, v).unwrap_err().0;
            assert!(e.contains(reason), "{name}: {e}");
        }
    }
}
