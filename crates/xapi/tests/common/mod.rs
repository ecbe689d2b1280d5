//! Example statements written from the specification's descriptions, and helpers to vary them.
#![allow(dead_code)]

use serde_json::{Value, json};

/// A full statement: Agent actor, verb with display, Activity with a choice interaction,
/// result, context with every property, timestamp, attachment.
pub fn full() -> Value {
    json!({
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "actor": {"objectType": "Agent", "name": "Ana Berg", "mbox": "mailto:ana.berg@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered", "de-DE": "beantwortete"}},
        "object": {
            "objectType": "Activity",
            "id": "https://skillbridge.example/courses/forklift/quiz/q1",
            "definition": {
                "name": {"en-US": "Load limit", "de-DE": "Traglast"},
                "description": {"en-US": "Which load is safe?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "moreInfo": "https://skillbridge.example/courses/forklift",
                "interactionType": "choice",
                "correctResponsesPattern": ["b"],
                "choices": [
                    {"id": "a", "description": {"en-US": "2 t"}},
                    {"id": "b", "description": {"en-US": "1 t", "de-DE": "1 t"}}
                ],
                "extensions": {"https://skillbridge.example/ext/difficulty": 3}
            }
        },
        "result": {
            "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
            "success": true, "completion": true, "response": "b",
            "duration": "PT1M5.25S",
            "extensions": {"https://skillbridge.example/ext/attempt": 2}
        },
        "context": {
            "registration": "6e2b2a4f-3c3e-4c6b-9b1a-2f1d8c7a5e10",
            "instructor": {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
            "team": {"objectType": "Group", "name": "Shift B", "account": {"homePage": "https://hr.example.com", "name": "team-b"}},
            "contextActivities": {
                "parent": {"id": "https://skillbridge.example/courses/forklift/quiz"},
                "grouping": [{"id": "https://skillbridge.example/courses/forklift"}],
                "category": [{"id": "https://skillbridge.example/profiles/safety"}],
                "other": [{"objectType": "Activity", "id": "https://skillbridge.example/sites/berlin"}]
            },
            "revision": "r2", "platform": "Skillbridge", "language": "de-DE",
            "statement": {"objectType": "StatementRef", "id": "0a8f3c52-8d1e-4e0e-8f0b-9c1d2e3f4a5b"},
            "extensions": {"https://skillbridge.example/ext/room": "B-12"}
        },
        "timestamp": "2024-05-01T09:30:00.123+02:00",
        "attachments": [{
            "usageType": "http://id.tincanapi.com/attachment/certificate",
            "display": {"en-US": "Certificate"},
            "description": {"en-US": "Forklift certificate"},
            "contentType": "application/pdf",
            "length": 12345,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
            "fileUrl": "https://files.example.com/cert.pdf"
        }]
    })
}

/// The smallest valid statement.
pub fn minimal() -> Value {
    json!({
        "actor": {"mbox": "mailto:ana.berg@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},
        "object": {"id": "https://skillbridge.example/sessions/42"}
    })
}

/// A statement whose object is a SubStatement.
pub fn with_substatement() -> Value {
    json!({
        "actor": {"openid": "https://id.example.com/ana"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/planned", "display": {"en": "planned"}},
        "object": {
            "objectType": "SubStatement",
            "actor": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}, {"account": {"homePage": "https://lms.example.com", "name": "b"}}]},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": "https://skillbridge.example/courses/forklift"},
            "result": {"completion": true},
            "context": {"contextActivities": {"parent": {"id": "https://skillbridge.example/programs/logistics"}}},
            "timestamp": "2024-06-01T08:00:00Z"
        }
    })
}

/// Sets the value at a JSON pointer, creating objects on the way.
pub fn with(mut v: Value, pointer: &str, value: Value) -> Value {
    let mut cur = &mut v;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, p) in parts.iter().enumerate() {
        let last = i == parts.len() - 1;
        if let Ok(idx) = p.parse::<usize>()
            && cur.is_array()
        {
            if last {
                cur[idx] = value;
                return v;
            }
            cur = &mut cur[idx];
            continue;
        }
        if !cur.is_object() {
            *cur = json!({});
        }
        let m = cur.as_object_mut().unwrap();
        if last {
            m.insert(p.clone(), value);
            return v;
        }
        cur = m.entry(p.clone()).or_insert_with(|| json!({}));
    }
    value
}

/// Removes the property at a JSON pointer.
pub fn without(mut v: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        Some(&mut v)
    } else {
        v.pointer_mut(parent)
    };
    if let Some(Value::Object(m)) = target {
        m.remove(key);
    }
    v
}
