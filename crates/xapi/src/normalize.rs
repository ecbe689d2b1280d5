//! Normalisation of valid statements for storage, the `format` variants of the Statement
//! resource (`exact`, `ids`, `canonical`), and statement equivalence.

use serde_json::{Map, Value, json};

use crate::XapiVersion;
use crate::agent::identity_only;
use crate::formats::{parse_duration, parse_timestamp};

/// What the LRS sets on a statement when it stores it.
#[derive(Debug, Clone)]
pub struct StoreStamp {
    /// The id to use when the statement has none (a fresh UUID from the caller).
    pub id: String,
    /// The `stored` time, RFC 3339 (see [`crate::formats::Timestamp::to_rfc3339`]).
    pub stored: String,
    /// The authority of the request's credentials; replaces any authority sent.
    pub authority: Value,
    /// The endpoint's version, for the default `version` property.
    pub version: XapiVersion,
}

/// Puts a valid statement in the form the LRS stores (and returns for `format=exact`):
/// `id` filled in, `stored` and `authority` set by the LRS, `timestamp` defaulting to
/// `stored`, `version` defaulting to the endpoint's version, and every
/// `context.contextActivities` value (also in a SubStatement) made an array.
pub fn prepare_for_storage(mut statement: Value, stamp: &StoreStamp) -> Value {
    normalise_context_activities(&mut statement);
    if let Some(m) = statement.as_object_mut() {
        m.entry("id").or_insert_with(|| json!(stamp.id));
        m.insert("stored".into(), json!(stamp.stored));
        m.entry("timestamp").or_insert_with(|| json!(stamp.stored));
        m.insert("authority".into(), stamp.authority.clone());
        m.entry("version")
            .or_insert_with(|| json!(stamp.version.default_statement_version()));
    }
    statement
}

/// Makes every `context.contextActivities.{parent,grouping,category,other}` an array, in the
/// statement and in a SubStatement object.
pub fn normalise_context_activities(statement: &mut Value) {
    if let Some(ca) = statement
        .pointer_mut("/context/contextActivities")
        .and_then(Value::as_object_mut)
    {
        for v in ca.values_mut() {
            if v.is_object() {
                *v = Value::Array(vec![v.take()]);
            }
        }
    }
    if let Some(obj) = statement.get_mut("object")
        && obj.get("objectType").and_then(Value::as_str) == Some("SubStatement")
    {
        normalise_context_activities(obj);
    }
}

/// The `format` parameter of `GET /statements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// Agents, Groups, Activities and Verbs reduced to their identifiers.
    Ids,
    /// The statement as stored.
    Exact,
    /// Language maps reduced to the single best entry for these language preferences (from
    /// [`parse_accept_language`], best first). Canonical Activity definitions replacing the
    /// statement's own are the store's job; this only does the language choice.
    Canonical(Vec<String>),
}

impl Format {
    /// The parameter value (`ids`, `exact`, `canonical`), with the Accept-Language header for
    /// `canonical`. `None` for an unknown value (the LRS answers 400).
    pub fn from_param(value: Option<&str>, accept_language: Option<&str>) -> Option<Format> {
        match value.unwrap_or("exact") {
            "exact" => Some(Format::Exact),
            "ids" => Some(Format::Ids),
            "canonical" => Some(Format::Canonical(parse_accept_language(
                accept_language.unwrap_or(""),
            ))),
            _ => None,
        }
    }
}

/// Parses an Accept-Language header into tags ordered by quality, best first; tags with
/// `q=0` are dropped, equal qualities keep their order.
pub fn parse_accept_language(header: &str) -> Vec<String> {
    let mut tags: Vec<(f32, usize, String)> = header
        .split(',')
        .enumerate()
        .filter_map(|(i, item)| {
            let mut bits = item.split(';');
            let tag = bits.next()?.trim();
            if tag.is_empty() {
                return None;
            }
            let mut q = 1.0;
            for b in bits {
                if let Some(v) = b.trim().strip_prefix("q=") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            (q > 0.0).then(|| (q, i, tag.to_string()))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    tags.into_iter().map(|t| t.2).collect()
}

/// Returns the statement in the requested format.
pub fn format_statement(statement: &Value, format: &Format) -> Value {
    let mut s = statement.clone();
    match format {
        Format::Exact => {}
        Format::Ids => ids_statement(&mut s),
        Format::Canonical(langs) => canonical_statement(&mut s, langs),
    }
    s
}

fn ids_statement(s: &mut Value) {
    let Some(m) = s.as_object_mut() else { return };
    for key in ["actor", "authority"] {
        if let Some(a) = m.get_mut(key) {
            *a = identity_only(a);
        }
    }
    if let Some(v) = m.get_mut("verb")
        && let Some(id) = v.get("id").cloned()
    {
        *v = json!({ "id": id });
    }
    if let Some(o) = m.get_mut("object") {
        match o.get("objectType").and_then(Value::as_str) {
            None | Some("Activity") => ids_activity(o),
            Some("Agent" | "Group") => *o = identity_only(o),
            Some("SubStatement") => ids_statement(o),
            _ => {}
        }
    }
    if let Some(c) = m.get_mut("context").and_then(Value::as_object_mut) {
        for key in ["instructor", "team"] {
            if let Some(a) = c.get_mut(key) {
                *a = identity_only(a);
            }
        }
        if let Some(ca) = c
            .get_mut("contextActivities")
            .and_then(Value::as_object_mut)
        {
            for v in ca.values_mut() {
                match v {
                    Value::Array(list) => list.iter_mut().for_each(ids_activity),
                    other => ids_activity(other),
                }
            }
        }
        for (list, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
            if let Some(Value::Array(items)) = c.get_mut(list) {
                for item in items {
                    if let Some(a) = item.get_mut(member) {
                        *a = identity_only(a);
                    }
                }
            }
        }
    }
}

fn ids_activity(a: &mut Value) {
    if let Some(m) = a.as_object_mut() {
        m.remove("definition");
    }
}

/// Picks the entry of a language map best matching `langs`: an exact (case-insensitive)
/// match, then a map tag that the preference is a prefix of (`en` → `en-US`) or that is a
/// prefix of the preference (`en-GB` → `en`), then `*`; otherwise `und`, else the first entry.
pub fn choose_language<'a>(map: &'a Map<String, Value>, langs: &[String]) -> Option<&'a str> {
    let keys: Vec<&String> = map.keys().collect();
    for pref in langs {
        let p = pref.to_ascii_lowercase();
        if p == "*" {
            return keys.first().map(|k| k.as_str());
        }
        if let Some(k) = keys.iter().find(|k| k.to_ascii_lowercase() == p) {
            return Some(k);
        }
        let related = |k: &&&String| {
            let k = k.to_ascii_lowercase();
            k.starts_with(&format!("{p}-")) || p.starts_with(&format!("{k}-"))
        };
        if let Some(k) = keys.iter().find(related) {
            return Some(k);
        }
    }
    keys.iter()
        .find(|k| k.eq_ignore_ascii_case("und"))
        .or(keys.first())
        .map(|k| k.as_str())
}

fn one_language(v: &mut Value, langs: &[String]) {
    if let Some(m) = v.as_object()
        && let Some(k) = choose_language(m, langs)
    {
        let k = k.to_string();
        let text = m[&k].clone();
        *v = json!({ k: text });
    }
}

fn canonical_statement(s: &mut Value, langs: &[String]) {
    if let Some(d) = s.pointer_mut("/verb/display") {
        one_language(d, langs);
    }
    if let Some(Value::Array(atts)) = s.get_mut("attachments") {
        for a in atts {
            for key in ["display", "description"] {
                if let Some(v) = a.get_mut(key) {
                    one_language(v, langs);
                }
            }
        }
    }
    let sub = s.pointer("/object/objectType").and_then(Value::as_str) == Some("SubStatement");
    if let Some(o) = s.get_mut("object") {
        if sub {
            canonical_statement(o, langs);
        } else {
            canonical_activity(o, langs);
        }
    }
    if let Some(ca) = s
        .pointer_mut("/context/contextActivities")
        .and_then(Value::as_object_mut)
    {
        for v in ca.values_mut() {
            match v {
                Value::Array(list) => list.iter_mut().for_each(|a| canonical_activity(a, langs)),
                other => canonical_activity(other, langs),
            }
        }
    }
}

fn canonical_activity(a: &mut Value, langs: &[String]) {
    let Some(def) = a.get_mut("definition").and_then(Value::as_object_mut) else {
        return;
    };
    for key in ["name", "description"] {
        if let Some(v) = def.get_mut(key) {
            one_language(v, langs);
        }
    }
    for key in ["choices", "scale", "source", "target", "steps"] {
        if let Some(Value::Array(list)) = def.get_mut(key) {
            for c in list {
                if let Some(d) = c.get_mut("description") {
                    one_language(d, langs);
                }
            }
        }
    }
}

/// Whether two statements are the same statement in the sense of the specification's
/// statement comparison (used for a PUT or POST that repeats an existing id, and for the
/// payload of a signed statement): `authority`, `stored` and `version` are ignored,
/// `contextActivities` compare as arrays, timestamps compare as instants, durations to
/// 0.01 s, and `mbox_sha1sum` digests case-insensitively.
pub fn statements_equivalent(a: &Value, b: &Value) -> bool {
    comparable(a) == comparable(b)
}

fn comparable(s: &Value) -> Value {
    let mut s = s.clone();
    normalise_context_activities(&mut s);
    if let Some(m) = s.as_object_mut() {
        for key in ["authority", "stored", "version"] {
            m.remove(key);
        }
    }
    comparable_values(&mut s, "");
    s
}

fn comparable_values(v: &mut Value, key: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "extensions" {
                    continue;
                }
                comparable_values(child, k);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|c| comparable_values(c, key)),
        Value::String(s) => match key {
            "timestamp" => {
                if let Some(t) = parse_timestamp(s) {
                    *v = json!(t.at.unix_nanos.to_string());
                }
            }
            "duration" => {
                if let Some(d) = parse_duration(s) {
                    *v = json!(d.to_canonical_string());
                }
            }
            "mbox_sha1sum" => *v = json!(s.to_ascii_lowercase()),
            "id" | "registration" if crate::formats::is_uuid(s) => {
                *v = json!(s.to_ascii_lowercase());
            }
            _ => {}
        },
        _ => {}
    }
}
