//! Statement validation as the xAPI data model requires, for xAPI 1.0.3 and 2.0.
//!
//! Every rejection names the JSON path of the offending value, e.g.
//! `object.definition.interactionType: 'foo' is not one of true-false, choice, …`.
//! Validation stops at the first error.
//!
//! Differences between the versions handled here:
//! - 2.0 adds `context.contextAgents` and `context.contextGroups` (unknown in 1.0.3);
//! - 2.0 accepts statement `version` 2.0.x besides 1.0.x;
//! - 2.0 requires a time zone on `timestamp` and `stored`; 1.0.3 only recommends one, so
//!   a timestamp without one is accepted there (and read as UTC).

use std::collections::HashSet;
use std::fmt;

use serde_json::{Map, Value};

use crate::formats::{
    is_hex, is_iri, is_irl, is_language_tag, is_mailto, is_sha2_hex, is_uuid, parse_duration,
    parse_timestamp,
};
use crate::{VOIDED_VERB, XapiVersion};

/// Why a statement was rejected: the JSON path of the offending value and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Dotted path with array indices, e.g. `context.contextActivities.parent[0].id`;
    /// empty for the statement itself.
    pub path: String,
    /// What is wrong, e.g. `must be a UUID`.
    pub reason: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "statement: {}", self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

impl std::error::Error for ValidationError {}

type Check = Result<(), ValidationError>;

fn fail<T>(path: &str, reason: impl Into<String>) -> Result<T, ValidationError> {
    Err(ValidationError {
        path: path.to_string(),
        reason: reason.into(),
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s.to_string()
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ValidationError> {
    match v {
        Value::Object(m) => Ok(m),
        other => fail(path, format!("must be a JSON object, not {}", kind(other))),
    }
}

fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, ValidationError> {
    match v {
        Value::String(s) => Ok(s),
        other => fail(path, format!("must be a string, not {}", kind(other))),
    }
}

/// Rejects properties not in `allowed` and properties whose value is `null`.
fn known_keys(m: &Map<String, Value>, path: &str, allowed: &[&str]) -> Check {
    for (k, v) in m {
        if !allowed.contains(&k.as_str()) {
            return fail(
                &join(path, k),
                format!("unknown property (allowed here: {})", allowed.join(", ")),
            );
        }
        if v.is_null() {
            return fail(&join(path, k), "must not be null");
        }
    }
    Ok(())
}

fn required<'a>(
    m: &'a Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<&'a Value, ValidationError> {
    m.get(key).ok_or_else(|| ValidationError {
        path: join(path, key),
        reason: "is required".into(),
    })
}

fn uuid(v: &Value, path: &str) -> Check {
    let s = string(v, path)?;
    if is_uuid(s) {
        Ok(())
    } else {
        fail(
            path,
            format!("'{}' is not a UUID in standard string form", short(s)),
        )
    }
}

fn iri(v: &Value, path: &str) -> Check {
    let s = string(v, path)?;
    if is_iri(s) {
        Ok(())
    } else {
        fail(path, format!("'{}' is not an absolute IRI", short(s)))
    }
}

fn irl(v: &Value, path: &str) -> Check {
    let s = string(v, path)?;
    if is_irl(s) {
        Ok(())
    } else {
        fail(path, format!("'{}' is not an IRL", short(s)))
    }
}

fn boolean(v: &Value, path: &str) -> Check {
    match v {
        Value::Bool(_) => Ok(()),
        other => fail(path, format!("must be a boolean, not {}", kind(other))),
    }
}

fn number(v: &Value, path: &str) -> Result<f64, ValidationError> {
    match v.as_f64() {
        Some(n) => Ok(n),
        None => fail(path, format!("must be a number, not {}", kind(v))),
    }
}

/// A language map: keys are RFC 5646 tags, values strings.
fn language_map(v: &Value, path: &str) -> Check {
    let m = object(v, path)?;
    for (tag, text) in m {
        let p = format!("{path}['{tag}']");
        if !is_language_tag(tag) {
            return fail(
                &p,
                format!("'{}' is not an RFC 5646 language tag", short(tag)),
            );
        }
        string(text, &p)?;
    }
    Ok(())
}

/// Extensions: keys are IRIs, values any JSON (including null).
fn extensions(v: &Value, path: &str) -> Check {
    let m = object(v, path)?;
    for key in m.keys() {
        if !is_iri(key) {
            return fail(
                &format!("{path}['{key}']"),
                format!("extension key '{}' is not an absolute IRI", short(key)),
            );
        }
    }
    Ok(())
}

/// Timestamp as the version requires.
fn timestamp(v: &Value, path: &str, version: XapiVersion) -> Check {
    let s = string(v, path)?;
    match parse_timestamp(s) {
        None => fail(
            path,
            format!(
                "'{}' is not an ISO 8601 date-time (e.g. 2024-05-01T09:30:00.000Z)",
                short(s)
            ),
        ),
        Some(t) if !t.has_offset && version == XapiVersion::V2_0 => fail(
            path,
            format!("'{}' has no time zone, which xAPI 2.0 requires", short(s)),
        ),
        Some(_) => Ok(()),
    }
}

const INTERACTION_TYPES: [&str; 10] = [
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
];

const IFIS: [&str; 4] = ["mbox", "mbox_sha1sum", "openid", "account"];

/// Validates one statement as posted to the Statement resource.
pub fn validate_statement(statement: &Value, version: XapiVersion) -> Result<(), ValidationError> {
    Validator { version }.statement(statement, "", false)
}

/// Validates a POST/PUT body: one statement object or an array of them. Paths of errors in an
/// array start with the index, e.g. `[2].verb.id`. Also rejects two statements in one batch
/// with the same `id`.
pub fn validate_statements(body: &Value, version: XapiVersion) -> Result<(), ValidationError> {
    match body {
        Value::Array(items) => {
            let mut ids = HashSet::new();
            for (i, s) in items.iter().enumerate() {
                let p = format!("[{i}]");
                Validator { version }.statement(s, &p, false)?;
                if let Some(id) = s.get("id").and_then(Value::as_str)
                    && !ids.insert(id.to_ascii_lowercase())
                {
                    return fail(
                        &format!("{p}.id"),
                        format!("'{id}' appears twice in this batch"),
                    );
                }
            }
            Ok(())
        }
        other => validate_statement(other, version),
    }
}

/// Validates an Agent or Group given on its own (the `agent` query parameter, the Agents,
/// State and Agent Profile resources): it must be identified (have exactly one IFI).
pub fn validate_agent_parameter(
    agent: &Value,
    version: XapiVersion,
) -> Result<(), ValidationError> {
    let v = Validator { version };
    let m = object(agent, "agent")?;
    v.actor(agent, "agent")?;
    if v.ifi_count(m, "agent")? == 0 {
        return fail(
            "agent",
            "must be identified by one of mbox, mbox_sha1sum, openid, account",
        );
    }
    Ok(())
}

struct Validator {
    version: XapiVersion,
}

impl Validator {
    fn statement(&self, v: &Value, path: &str, sub: bool) -> Check {
        let m = object(v, if path.is_empty() { "statement" } else { path })?;
        if sub {
            known_keys(
                m,
                path,
                &[
                    "objectType",
                    "actor",
                    "verb",
                    "object",
                    "result",
                    "context",
                    "timestamp",
                    "attachments",
                ],
            )?;
            let ot = string(required(m, path, "objectType")?, &join(path, "objectType"))?;
            if ot != "SubStatement" {
                return fail(
                    &join(path, "objectType"),
                    format!("'{ot}' must be 'SubStatement'"),
                );
            }
        } else {
            known_keys(
                m,
                path,
                &[
                    "id",
                    "actor",
                    "verb",
                    "object",
                    "result",
                    "context",
                    "timestamp",
                    "stored",
                    "authority",
                    "version",
                    "attachments",
                ],
            )?;
        }
        if let Some(id) = m.get("id") {
            uuid(id, &join(path, "id"))?;
        }
        self.actor(required(m, path, "actor")?, &join(path, "actor"))?;
        let verb = required(m, path, "verb")?;
        self.verb(verb, &join(path, "verb"))?;
        let obj = required(m, path, "object")?;
        self.object(obj, &join(path, "object"), sub)?;
        if let Some(r) = m.get("result") {
            self.result(r, &join(path, "result"))?;
        }
        if let Some(c) = m.get("context") {
            let object_is_activity = matches!(
                obj.get("objectType").and_then(Value::as_str),
                None | Some("Activity")
            );
            self.context(c, &join(path, "context"), object_is_activity)?;
        }
        if let Some(t) = m.get("timestamp") {
            timestamp(t, &join(path, "timestamp"), self.version)?;
        }
        if let Some(t) = m.get("stored") {
            timestamp(t, &join(path, "stored"), self.version)?;
        }
        if let Some(a) = m.get("authority") {
            self.authority(a, &join(path, "authority"))?;
        }
        if let Some(ver) = m.get("version") {
            let p = join(path, "version");
            let s = string(ver, &p)?;
            if !self.version.accepts_statement_version(s) {
                let allowed = match self.version {
                    XapiVersion::V1_0_3 => "1.0.x",
                    XapiVersion::V2_0 => "1.0.x or 2.0.x",
                };
                return fail(
                    &p,
                    format!("'{}' is not a supported version ({allowed})", short(s)),
                );
            }
        }
        if let Some(a) = m.get("attachments") {
            self.attachments(a, &join(path, "attachments"))?;
        }
        if !sub && verb.get("id").and_then(Value::as_str) == Some(VOIDED_VERB) {
            let ot = obj.get("objectType").and_then(Value::as_str);
            if ot != Some("StatementRef") {
                return fail(
                    &join(path, "object.objectType"),
                    "a voiding statement's object must be a StatementRef",
                );
            }
        }
        Ok(())
    }

    /// An Agent or a Group (actor, instructor, authority, object).
    fn actor(&self, v: &Value, path: &str) -> Check {
        let m = object(v, path)?;
        match m.get("objectType") {
            None => self.agent(m, path),
            Some(Value::String(s)) if s == "Agent" => self.agent(m, path),
            Some(Value::String(s)) if s == "Group" => self.group(m, path),
            Some(Value::String(s)) => fail(
                &join(path, "objectType"),
                format!("'{}' must be 'Agent' or 'Group'", short(s)),
            ),
            Some(other) => fail(
                &join(path, "objectType"),
                format!("must be a string, not {}", kind(other)),
            ),
        }
    }

    fn agent(&self, m: &Map<String, Value>, path: &str) -> Check {
        known_keys(
            m,
            path,
            &[
                "objectType",
                "name",
                "mbox",
                "mbox_sha1sum",
                "openid",
                "account",
            ],
        )?;
        if let Some(n) = m.get("name") {
            string(n, &join(path, "name"))?;
        }
        match self.ifi_count(m, path)? {
            1 => Ok(()),
            0 => fail(
                path,
                "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account; it has none",
            ),
            n => fail(
                path,
                format!(
                    "an Agent needs exactly one of mbox, mbox_sha1sum, openid, account; it has {n}"
                ),
            ),
        }
    }

    fn group(&self, m: &Map<String, Value>, path: &str) -> Check {
        known_keys(
            m,
            path,
            &[
                "objectType",
                "name",
                "member",
                "mbox",
                "mbox_sha1sum",
                "openid",
                "account",
            ],
        )?;
        if let Some(n) = m.get("name") {
            string(n, &join(path, "name"))?;
        }
        let ifis = self.ifi_count(m, path)?;
        if ifis > 1 {
            return fail(
                path,
                format!(
                    "a Group may have at most one of mbox, mbox_sha1sum, openid, account; it has {ifis}"
                ),
            );
        }
        match m.get("member") {
            None if ifis == 0 => fail(&join(path, "member"), "is required for an anonymous Group"),
            None => Ok(()),
            Some(members) => {
                let mp = join(path, "member");
                let Value::Array(list) = members else {
                    return fail(
                        &mp,
                        format!("must be an array of Agents, not {}", kind(members)),
                    );
                };
                if list.is_empty() && ifis == 0 {
                    return fail(&mp, "an anonymous Group must have at least one member");
                }
                for (i, a) in list.iter().enumerate() {
                    let p = format!("{mp}[{i}]");
                    let am = object(a, &p)?;
                    match am.get("objectType") {
                        None => {}
                        Some(Value::String(s)) if s == "Agent" => {}
                        Some(Value::String(s)) if s == "Group" => {
                            return fail(
                                &join(&p, "objectType"),
                                "a Group's members must be Agents, not Groups",
                            );
                        }
                        Some(other) => {
                            return fail(
                                &join(&p, "objectType"),
                                format!("must be 'Agent', not {other}"),
                            );
                        }
                    }
                    self.agent(am, &p)?;
                }
                Ok(())
            }
        }
    }

    /// Validates the inverse functional identifiers present and counts them.
    fn ifi_count(&self, m: &Map<String, Value>, path: &str) -> Result<usize, ValidationError> {
        let mut n = 0;
        for key in IFIS {
            let Some(v) = m.get(key) else { continue };
            let p = join(path, key);
            n += 1;
            match key {
                "mbox" => {
                    let s = string(v, &p)?;
                    if !is_mailto(s) {
                        return fail(
                            &p,
                            format!("'{}' is not a mailto: IRI with an e-mail address", short(s)),
                        );
                    }
                }
                "mbox_sha1sum" => {
                    let s = string(v, &p)?;
                    if !is_hex(s, 40) {
                        return fail(
                            &p,
                            format!("'{}' is not a hex-encoded SHA-1 digest", short(s)),
                        );
                    }
                }
                "openid" => iri(v, &p)?,
                _ => {
                    let am = object(v, &p)?;
                    known_keys(am, &p, &["homePage", "name"])?;
                    irl(required(am, &p, "homePage")?, &join(&p, "homePage"))?;
                    string(required(am, &p, "name")?, &join(&p, "name"))?;
                }
            }
        }
        Ok(n)
    }

    fn verb(&self, v: &Value, path: &str) -> Check {
        let m = object(v, path)?;
        known_keys(m, path, &["id", "display"])?;
        iri(required(m, path, "id")?, &join(path, "id"))?;
        if let Some(d) = m.get("display") {
            language_map(d, &join(path, "display"))?;
        }
        Ok(())
    }

    fn object(&self, v: &Value, path: &str, in_sub: bool) -> Check {
        let m = object(v, path)?;
        let ot = match m.get("objectType") {
            None => "Activity",
            Some(t) => string(t, &join(path, "objectType"))?,
        };
        match ot {
            "Activity" => self.activity(v, path),
            "Agent" => self.agent(m, path),
            "Group" => self.group(m, path),
            "StatementRef" => self.statement_ref(m, path),
            "SubStatement" if in_sub => fail(
                &join(path, "objectType"),
                "a SubStatement cannot have a SubStatement as its object",
            ),
            "SubStatement" => self.statement(v, path, true),
            other => fail(
                &join(path, "objectType"),
                format!(
                    "'{}' is not one of Activity, Agent, Group, StatementRef, SubStatement",
                    short(other)
                ),
            ),
        }
    }

    fn statement_ref(&self, m: &Map<String, Value>, path: &str) -> Check {
        known_keys(m, path, &["objectType", "id"])?;
        let ot = string(required(m, path, "objectType")?, &join(path, "objectType"))?;
        if ot != "StatementRef" {
            return fail(
                &join(path, "objectType"),
                format!("'{}' must be 'StatementRef'", short(ot)),
            );
        }
        uuid(required(m, path, "id")?, &join(path, "id"))
    }

    fn activity(&self, v: &Value, path: &str) -> Check {
        let m = object(v, path)?;
        known_keys(m, path, &["objectType", "id", "definition"])?;
        if let Some(t) = m.get("objectType") {
            let s = string(t, &join(path, "objectType"))?;
            if s != "Activity" {
                return fail(
                    &join(path, "objectType"),
                    format!("'{}' must be 'Activity'", short(s)),
                );
            }
        }
        iri(required(m, path, "id")?, &join(path, "id"))?;
        if let Some(d) = m.get("definition") {
            self.definition(d, &join(path, "definition"))?;
        }
        Ok(())
    }

    fn definition(&self, v: &Value, path: &str) -> Check {
        let m = object(v, path)?;
        known_keys(
            m,
            path,
            &[
                "name",
                "description",
                "type",
                "moreInfo",
                "interactionType",
                "correctResponsesPattern",
                "choices",
                "scale",
                "source",
                "target",
                "steps",
                "extensions",
            ],
        )?;
        for key in ["name", "description"] {
            if let Some(x) = m.get(key) {
                language_map(x, &join(path, key))?;
            }
        }
        if let Some(t) = m.get("type") {
            iri(t, &join(path, "type"))?;
        }
        if let Some(t) = m.get("moreInfo") {
            irl(t, &join(path, "moreInfo"))?;
        }
        if let Some(e) = m.get("extensions") {
            extensions(e, &join(path, "extensions"))?;
        }
        let interaction = match m.get("interactionType") {
            None => None,
            Some(t) => {
                let p = join(path, "interactionType");
                let s = string(t, &p)?;
                if !INTERACTION_TYPES.contains(&s) {
                    return fail(
                        &p,
                        format!(
                            "'{}' is not one of {}",
                            short(s),
                            INTERACTION_TYPES.join(", ")
                        ),
                    );
                }
                Some(s)
            }
        };
        if let Some(c) = m.get("correctResponsesPattern") {
            let p = join(path, "correctResponsesPattern");
            let Value::Array(list) = c else {
                return fail(&p, format!("must be an array of strings, not {}", kind(c)));
            };
            for (i, s) in list.iter().enumerate() {
                string(s, &format!("{p}[{i}]"))?;
            }
        }
        for key in ["choices", "scale", "source", "target", "steps"] {
            let Some(list) = m.get(key) else { continue };
            let p = join(path, key);
            let allowed: &[&str] = match key {
                "choices" => &["choice", "sequencing"],
                "scale" => &["likert"],
                "steps" => &["performance"],
                _ => &["matching"],
            };
            match interaction {
                Some(t) if allowed.contains(&t) => {}
                Some(t) => {
                    return fail(
                        &p,
                        format!(
                            "is not used with interactionType '{t}' (only with {})",
                            allowed.join(", ")
                        ),
                    );
                }
                None => return fail(&p, "needs an interactionType"),
            }
            self.components(list, &p)?;
        }
        if m.get("correctResponsesPattern").is_some() && interaction.is_none() {
            return fail(
                &join(path, "correctResponsesPattern"),
                "needs an interactionType",
            );
        }
        Ok(())
    }

    fn components(&self, v: &Value, path: &str) -> Check {
        let Value::Array(list) = v else {
            return fail(
                path,
                format!(
                    "must be an array of interaction components, not {}",
                    kind(v)
                ),
            );
        };
        let mut ids = HashSet::new();
        for (i, c) in list.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let m = object(c, &p)?;
            known_keys(m, &p, &["id", "description"])?;
            let idp = join(&p, "id");
            let id = string(required(m, &p, "id")?, &idp)?;
            if id.is_empty() {
                return fail(&idp, "must not be empty");
            }
            if !ids.insert(id) {
                return fail(
                    &idp,
                    format!("'{}' is used by another component of this list", short(id)),
                );
            }
            if let Some(d) = m.get("description") {
                language_map(d, &join(&p, "description"))?;
            }
        }
        Ok(())
    }

    fn result(&self, v: &Value, path: &str) -> Check {
        let m = object(v, path)?;
        known_keys(
            m,
            path,
            &[
                "score",
                "success",
                "completion",
                "response",
                "duration",
                "extensions",
            ],
        )?;
        if let Some(s) = m.get("score") {
            let p = join(path, "score");
            let sm = object(s, &p)?;
            known_keys(sm, &p, &["scaled", "raw", "min", "max"])?;
            let get = |k: &str| -> Result<Option<f64>, ValidationError> {
                sm.get(k).map(|x| number(x, &join(&p, k))).transpose()
            };
            let (scaled, raw, min, max) = (get("scaled")?, get("raw")?, get("min")?, get("max")?);
            if let Some(x) = scaled
                && !(-1.0..=1.0).contains(&x)
            {
                return fail(&join(&p, "scaled"), format!("{x} is not between -1 and 1"));
            }
            if let (Some(lo), Some(hi)) = (min, max)
                && lo >= hi
            {
                return fail(
                    &join(&p, "max"),
                    format!("{hi} must be greater than min {lo}"),
                );
            }
            if let Some(r) = raw {
                if let Some(lo) = min
                    && r < lo
                {
                    return fail(&join(&p, "raw"), format!("{r} is below min {lo}"));
                }
                if let Some(hi) = max
                    && r > hi
                {
                    return fail(&join(&p, "raw"), format!("{r} is above max {hi}"));
                }
            }
        }
        for key in ["success", "completion"] {
            if let Some(b) = m.get(key) {
                boolean(b, &join(path, key))?;
            }
        }
        if let Some(r) = m.get("response") {
            string(r, &join(path, "response"))?;
        }
        if let Some(d) = m.get("duration") {
            let p = join(path, "duration");
            let s = string(d, &p)?;
            if parse_duration(s).is_none() {
                return fail(
                    &p,
                    format!(
                        "'{}' is not an ISO 8601 duration (e.g. PT1H30M5.25S)",
                        short(s)
                    ),
                );
            }
        }
        if let Some(e) = m.get("extensions") {
            extensions(e, &join(path, "extensions"))?;
        }
        Ok(())
    }

    fn context(&self, v: &Value, path: &str, object_is_activity: bool) -> Check {
        let m = object(v, path)?;
        let mut allowed = vec![
            "registration",
            "instructor",
            "team",
            "contextActivities",
            "revision",
            "platform",
            "language",
            "statement",
            "extensions",
        ];
        if self.version == XapiVersion::V2_0 {
            allowed.extend(["contextAgents", "contextGroups"]);
        }
        known_keys(m, path, &allowed)?;
        if let Some(r) = m.get("registration") {
            uuid(r, &join(path, "registration"))?;
        }
        if let Some(i) = m.get("instructor") {
            self.actor(i, &join(path, "instructor"))?;
        }
        if let Some(t) = m.get("team") {
            let p = join(path, "team");
            let tm = object(t, &p)?;
            if tm.get("objectType").and_then(Value::as_str) != Some("Group") {
                return fail(
                    &join(&p, "objectType"),
                    "the team must be a Group (objectType 'Group')",
                );
            }
            self.group(tm, &p)?;
        }
        if let Some(ca) = m.get("contextActivities") {
            let p = join(path, "contextActivities");
            let cm = object(ca, &p)?;
            known_keys(cm, &p, &["parent", "grouping", "category", "other"])?;
            for (key, value) in cm {
                let kp = join(&p, key);
                match value {
                    Value::Array(list) => {
                        for (i, a) in list.iter().enumerate() {
                            self.activity(a, &format!("{kp}[{i}]"))?;
                        }
                    }
                    Value::Object(_) => self.activity(value, &kp)?,
                    other => {
                        return fail(
                            &kp,
                            format!(
                                "must be an Activity or an array of Activities, not {}",
                                kind(other)
                            ),
                        );
                    }
                }
            }
        }
        for key in ["revision", "platform"] {
            if let Some(x) = m.get(key) {
                let p = join(path, key);
                string(x, &p)?;
                if !object_is_activity {
                    return fail(
                        &p,
                        "may only be used when the statement's object is an Activity",
                    );
                }
            }
        }
        if let Some(l) = m.get("language") {
            let p = join(path, "language");
            let s = string(l, &p)?;
            if !is_language_tag(s) {
                return fail(
                    &p,
                    format!("'{}' is not an RFC 5646 language tag", short(s)),
                );
            }
        }
        if let Some(s) = m.get("statement") {
            let p = join(path, "statement");
            self.statement_ref(object(s, &p)?, &p)?;
        }
        if let Some(e) = m.get("extensions") {
            extensions(e, &join(path, "extensions"))?;
        }
        for (key, item_type, member) in [
            ("contextAgents", "contextAgent", "agent"),
            ("contextGroups", "contextGroup", "group"),
        ] {
            let Some(list) = m.get(key) else { continue };
            let p = join(path, key);
            let Value::Array(items) = list else {
                return fail(&p, format!("must be an array, not {}", kind(list)));
            };
            for (i, item) in items.iter().enumerate() {
                let ip = format!("{p}[{i}]");
                let im = object(item, &ip)?;
                known_keys(im, &ip, &["objectType", member, "relevantTypes"])?;
                let ot = string(required(im, &ip, "objectType")?, &join(&ip, "objectType"))?;
                if ot != item_type {
                    return fail(
                        &join(&ip, "objectType"),
                        format!("'{}' must be '{item_type}'", short(ot)),
                    );
                }
                let mp = join(&ip, member);
                let who = object(required(im, &ip, member)?, &mp)?;
                if member == "group" {
                    if who.get("objectType").and_then(Value::as_str) != Some("Group") {
                        return fail(&join(&mp, "objectType"), "must be 'Group'");
                    }
                    self.group(who, &mp)?;
                } else {
                    match who.get("objectType") {
                        None => {}
                        Some(Value::String(s)) if s == "Agent" => {}
                        Some(_) => return fail(&join(&mp, "objectType"), "must be 'Agent'"),
                    }
                    self.agent(who, &mp)?;
                }
                if let Some(rt) = im.get("relevantTypes") {
                    let rp = join(&ip, "relevantTypes");
                    let Value::Array(types) = rt else {
                        return fail(&rp, format!("must be an array of IRIs, not {}", kind(rt)));
                    };
                    if types.is_empty() {
                        return fail(&rp, "must not be empty");
                    }
                    for (j, t) in types.iter().enumerate() {
                        iri(t, &format!("{rp}[{j}]"))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The authority: an Agent, or (for OAuth 1.0 three-legged) an anonymous Group of exactly
    /// two Agents.
    fn authority(&self, v: &Value, path: &str) -> Check {
        self.actor(v, path)?;
        let m = object(v, path)?;
        if m.get("objectType").and_then(Value::as_str) == Some("Group") {
            if self.ifi_count(m, path)? > 0 {
                return fail(
                    path,
                    "an authority Group must be anonymous (an OAuth consumer and user)",
                );
            }
            let n = m
                .get("member")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if n != 2 {
                return fail(
                    &join(path, "member"),
                    format!("an authority Group must have exactly two members, not {n}"),
                );
            }
        }
        Ok(())
    }

    fn attachments(&self, v: &Value, path: &str) -> Check {
        let Value::Array(list) = v else {
            return fail(path, format!("must be an array, not {}", kind(v)));
        };
        for (i, a) in list.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let m = object(a, &p)?;
            known_keys(
                m,
                &p,
                &[
                    "usageType",
                    "display",
                    "description",
                    "contentType",
                    "length",
                    "sha2",
                    "fileUrl",
                ],
            )?;
            iri(required(m, &p, "usageType")?, &join(&p, "usageType"))?;
            language_map(required(m, &p, "display")?, &join(&p, "display"))?;
            if let Some(d) = m.get("description") {
                language_map(d, &join(&p, "description"))?;
            }
            let cp = join(&p, "contentType");
            let ct = string(required(m, &p, "contentType")?, &cp)?;
            if !is_media_type(ct) {
                return fail(
                    &cp,
                    format!("'{}' is not an Internet media type", short(ct)),
                );
            }
            let lp = join(&p, "length");
            let length = required(m, &p, "length")?;
            if length.as_u64().is_none() {
                return fail(&lp, format!("must be a non-negative integer, not {length}"));
            }
            let sp = join(&p, "sha2");
            let sha2 = string(required(m, &p, "sha2")?, &sp)?;
            if !is_sha2_hex(sha2) {
                return fail(&sp, format!("'{}' is not a hex SHA-2 digest", short(sha2)));
            }
            if let Some(u) = m.get("fileUrl") {
                irl(u, &join(&p, "fileUrl"))?;
            }
        }
        Ok(())
    }
}

/// `type/subtype` with optional parameters.
pub fn is_media_type(s: &str) -> bool {
    let essence = s.split(';').next().unwrap_or("").trim();
    let Some((t, sub)) = essence.split_once('/') else {
        return false;
    };
    let token = |x: &str| {
        !x.is_empty()
            && x.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&c))
    };
    token(t) && token(sub)
}
