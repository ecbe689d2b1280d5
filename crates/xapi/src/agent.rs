//! Agent identity: the inverse functional identifier (IFI) key used to index Agents and
//! Groups, and the Person object the Agents resource returns.

use serde_json::{Map, Value, json};

/// The IFI of an Agent or identified Group as one string, for indexing and equality:
/// `mbox::mailto:a@example.com`, `mbox_sha1sum::<lowercase hex>`, `openid::<iri>` or
/// `account::<homePage>::<name>`. `None` when the value has no IFI (an anonymous Group) or
/// is not an object. The objectType is not part of the key: an Agent and a Group never
/// legitimately share an IFI, and query parameters often omit the objectType.
pub fn ifi_key(agent: &Value) -> Option<String> {
    let m = agent.as_object()?;
    if let Some(s) = m.get("mbox").and_then(Value::as_str) {
        return Some(format!("mbox::{s}"));
    }
    if let Some(s) = m.get("mbox_sha1sum").and_then(Value::as_str) {
        return Some(format!("mbox_sha1sum::{}", s.to_ascii_lowercase()));
    }
    if let Some(s) = m.get("openid").and_then(Value::as_str) {
        return Some(format!("openid::{s}"));
    }
    let account = m.get("account")?.as_object()?;
    let home = account.get("homePage")?.as_str()?;
    let name = account.get("name")?.as_str()?;
    Some(format!("account::{home}::{name}"))
}

/// The Agent or Group reduced to its identity: objectType and IFI (and, for an anonymous
/// Group, its members reduced the same way). Used by the `ids` statement format.
pub fn identity_only(agent: &Value) -> Value {
    let Some(m) = agent.as_object() else {
        return agent.clone();
    };
    let mut out = Map::new();
    if let Some(t) = m.get("objectType") {
        out.insert("objectType".into(), t.clone());
    }
    let mut has_ifi = false;
    for key in ["mbox", "mbox_sha1sum", "openid", "account"] {
        if let Some(v) = m.get(key) {
            out.insert(key.into(), v.clone());
            has_ifi = true;
        }
    }
    if !has_ifi && let Some(Value::Array(members)) = m.get("member") {
        out.insert(
            "member".into(),
            Value::Array(members.iter().map(identity_only).collect()),
        );
    }
    Value::Object(out)
}

/// The Person object for `GET /agents`: every name and IFI known for the person, each
/// property an array without duplicates, in the order first seen. `agents` are the Agent
/// objects the LRS has that share an identity (at least the requested Agent itself).
pub fn person_object(agents: &[Value]) -> Value {
    let mut lists: [(&str, Vec<Value>); 5] = [
        ("name", vec![]),
        ("mbox", vec![]),
        ("mbox_sha1sum", vec![]),
        ("openid", vec![]),
        ("account", vec![]),
    ];
    for agent in agents {
        for (key, list) in lists.iter_mut() {
            if let Some(v) = agent.get(*key)
                && !list.contains(v)
            {
                list.push(v.clone());
            }
        }
    }
    let mut out = Map::new();
    out.insert("objectType".into(), json!("Person"));
    for (key, list) in lists {
        if !list.is_empty() {
            out.insert(key.into(), Value::Array(list));
        }
    }
    Value::Object(out)
}
