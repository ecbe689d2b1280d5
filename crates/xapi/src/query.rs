//! Statement query semantics over index rows, and the voiding rules.
//!
//! The store keeps one [`StatementIndexRow`] per statement (built with
//! [`StatementIndexRow::from_statement`]) and the HTTP layer turns the query string into a
//! [`StatementFilter`]; [`select`] then gives the statements to return, in order. A store
//! that translates the filter into SQL must give the same answer as these functions, which
//! the tests pin down.

use std::collections::HashMap;

use serde_json::Value;

use crate::VOIDED_VERB;
use crate::agent::ifi_key;
use crate::formats::Timestamp;

/// What a statement query can filter on, for one stored statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementIndexRow {
    /// The statement id, lowercase.
    pub id: String,
    /// When the LRS stored it.
    pub stored: Timestamp,
    pub verb_id: String,
    /// Whether a voiding statement has voided this statement.
    pub voided: bool,
    /// The id (lowercase) this statement's object refers to, when the object is a
    /// StatementRef (for voiding statements, the statement voided).
    pub statement_ref: Option<String>,
    /// Whether this is a voiding statement (verb `voided`, object a StatementRef).
    pub is_voiding: bool,
    /// IFI keys ([`ifi_key`]) of the actor and of an Agent/Group object: what `agent` matches.
    pub agents: Vec<String>,
    /// IFI keys `agent` matches with `related_agents=true`: the above plus authority,
    /// context instructor and team, and the same properties of a SubStatement object.
    pub related_agents: Vec<String>,
    /// The id of an Activity object: what `activity` matches.
    pub activities: Vec<String>,
    /// Activity ids `activity` matches with `related_activities=true`: the above plus all
    /// context activities, and the object and context activities of a SubStatement.
    pub related_activities: Vec<String>,
    /// `context.registration`, lowercase.
    pub registration: Option<String>,
}

fn push_agent(list: &mut Vec<String>, v: Option<&Value>) {
    if let Some(k) = v.and_then(ifi_key)
        && !list.contains(&k)
    {
        list.push(k);
    }
}

fn push(list: &mut Vec<String>, s: Option<&str>) {
    if let Some(s) = s
        && !list.iter().any(|x| x == s)
    {
        list.push(s.to_string());
    }
}

fn context_agents_and_activities(s: &Value, agents: &mut Vec<String>, acts: &mut Vec<String>) {
    let Some(c) = s.get("context") else { return };
    push_agent(agents, c.get("instructor"));
    push_agent(agents, c.get("team"));
    for (list, member) in [("contextAgents", "agent"), ("contextGroups", "group")] {
        if let Some(Value::Array(items)) = c.get(list) {
            for item in items {
                push_agent(agents, item.get(member));
            }
        }
    }
    if let Some(ca) = c.get("contextActivities").and_then(Value::as_object) {
        for v in ca.values() {
            match v {
                Value::Array(list) => {
                    for a in list {
                        push(acts, a.get("id").and_then(Value::as_str));
                    }
                }
                other => push(acts, other.get("id").and_then(Value::as_str)),
            }
        }
    }
}

fn is_activity(o: &Value) -> bool {
    matches!(
        o.get("objectType").and_then(Value::as_str),
        None | Some("Activity")
    )
}

fn is_agent_or_group(o: &Value) -> bool {
    matches!(
        o.get("objectType").and_then(Value::as_str),
        Some("Agent" | "Group")
    )
}

impl StatementIndexRow {
    /// Builds the row of a valid, stored statement (`voided` starts false).
    pub fn from_statement(statement: &Value, stored: Timestamp) -> StatementIndexRow {
        let s = statement;
        let object = s.get("object").unwrap_or(&Value::Null);
        let verb_id = s
            .pointer("/verb/id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let statement_ref = (object.get("objectType").and_then(Value::as_str)
            == Some("StatementRef"))
        .then(|| object.get("id").and_then(Value::as_str))
        .flatten()
        .map(str::to_ascii_lowercase);
        let mut agents = Vec::new();
        push_agent(&mut agents, s.get("actor"));
        if is_agent_or_group(object) {
            push_agent(&mut agents, Some(object));
        }
        let mut activities = Vec::new();
        if is_activity(object) {
            push(&mut activities, object.get("id").and_then(Value::as_str));
        }
        let mut related_agents = agents.clone();
        let mut related_activities = activities.clone();
        push_agent(&mut related_agents, s.get("authority"));
        context_agents_and_activities(s, &mut related_agents, &mut related_activities);
        if object.get("objectType").and_then(Value::as_str) == Some("SubStatement") {
            push_agent(&mut related_agents, object.get("actor"));
            let inner = object.get("object").unwrap_or(&Value::Null);
            if is_agent_or_group(inner) {
                push_agent(&mut related_agents, Some(inner));
            }
            if is_activity(inner) {
                push(
                    &mut related_activities,
                    inner.get("id").and_then(Value::as_str),
                );
            }
            context_agents_and_activities(object, &mut related_agents, &mut related_activities);
        }
        StatementIndexRow {
            id: s
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase(),
            stored,
            is_voiding: verb_id == VOIDED_VERB && statement_ref.is_some(),
            verb_id,
            voided: false,
            statement_ref,
            agents,
            related_agents,
            activities,
            related_activities,
            registration: s
                .pointer("/context/registration")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase),
        }
    }
}

/// The filter parameters of `GET /statements` (without `statementId`/`voidedStatementId`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementFilter {
    /// IFI key ([`ifi_key`]) of the `agent` parameter.
    pub agent: Option<String>,
    pub verb: Option<String>,
    pub activity: Option<String>,
    /// Lowercase registration UUID.
    pub registration: Option<String>,
    pub related_agents: bool,
    pub related_activities: bool,
    /// Only statements stored strictly after this.
    pub since: Option<Timestamp>,
    /// Only statements stored at or before this.
    pub until: Option<Timestamp>,
    /// Oldest first instead of newest first.
    pub ascending: bool,
    /// At most this many (0: no limit here; the HTTP layer applies its page size).
    pub limit: usize,
}

/// Whether the row itself satisfies the agent, verb, activity and registration filters.
pub fn matches_properties(row: &StatementIndexRow, f: &StatementFilter) -> bool {
    let agent_ok = f.agent.as_ref().is_none_or(|a| {
        let list = if f.related_agents {
            &row.related_agents
        } else {
            &row.agents
        };
        list.contains(a)
    });
    let activity_ok = f.activity.as_ref().is_none_or(|a| {
        let list = if f.related_activities {
            &row.related_activities
        } else {
            &row.activities
        };
        list.contains(a)
    });
    agent_ok
        && activity_ok
        && f.verb.as_ref().is_none_or(|v| *v == row.verb_id)
        && f.registration
            .as_ref()
            .is_none_or(|r| row.registration.as_deref() == Some(r.as_str()))
}

/// How many StatementRef hops are followed when matching a referencing statement.
const MAX_REF_DEPTH: usize = 10;

/// The statements a `GET /statements` query returns, in order: not voided; stored within
/// `since`/`until`; and matching the property filters either themselves or through the
/// statement their StatementRef object targets (followed transitively, as the specification
/// requires for statements that reference matching statements; the time filters and order
/// apply to the referencing statement). Newest first unless `ascending`; ties by id.
pub fn select<'a>(
    rows: &'a [StatementIndexRow],
    f: &StatementFilter,
) -> Vec<&'a StatementIndexRow> {
    let by_id: HashMap<&str, &StatementIndexRow> =
        rows.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut out: Vec<&StatementIndexRow> = rows
        .iter()
        .filter(|r| !r.voided)
        .filter(|r| f.since.is_none_or(|s| r.stored > s))
        .filter(|r| f.until.is_none_or(|u| r.stored <= u))
        .filter(|r| {
            let mut cur = *r;
            for _ in 0..=MAX_REF_DEPTH {
                if matches_properties(cur, f) {
                    return true;
                }
                match cur.statement_ref.as_deref().and_then(|id| by_id.get(id)) {
                    Some(next) => cur = next,
                    None => return false,
                }
            }
            false
        })
        .collect();
    out.sort_by(|a, b| a.stored.cmp(&b.stored).then_with(|| a.id.cmp(&b.id)));
    if !f.ascending {
        out.reverse();
    }
    if f.limit > 0 {
        out.truncate(f.limit);
    }
    out
}

/// `GET /statements?statementId=…`: the statement unless it is voided (then 404).
pub fn by_statement_id(row: Option<&StatementIndexRow>) -> Option<&StatementIndexRow> {
    row.filter(|r| !r.voided)
}

/// `GET /statements?voidedStatementId=…`: the statement only if it is voided (else 404).
pub fn by_voided_statement_id(row: Option<&StatementIndexRow>) -> Option<&StatementIndexRow> {
    row.filter(|r| r.voided)
}

/// The id a voiding statement targets: verb `voided` and a StatementRef object.
pub fn voiding_target(statement: &Value) -> Option<String> {
    if statement.pointer("/verb/id").and_then(Value::as_str) != Some(VOIDED_VERB) {
        return None;
    }
    if statement
        .pointer("/object/objectType")
        .and_then(Value::as_str)
        != Some("StatementRef")
    {
        return None;
    }
    statement
        .pointer("/object/id")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
}

/// What storing a voiding statement does to its target. The voiding statement itself is
/// always accepted and stored (the specification forbids rejecting it on these grounds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidEffect {
    /// Mark the target voided.
    Void(String),
    /// The target is not in the LRS (yet); nothing to mark.
    TargetMissing,
    /// The target is itself a voiding statement, which cannot be voided.
    TargetIsVoiding,
    /// The target was voided before.
    AlreadyVoided,
}

/// Decides the effect of a voiding statement on `target` (the row of the statement its
/// StatementRef names, if stored).
pub fn void_effect(target: Option<&StatementIndexRow>) -> VoidEffect {
    match target {
        None => VoidEffect::TargetMissing,
        Some(t) if t.is_voiding => VoidEffect::TargetIsVoiding,
        Some(t) if t.voided => VoidEffect::AlreadyVoided,
        Some(t) => VoidEffect::Void(t.id.clone()),
    }
}
