//! Document resources (State, Activity Profile, Agent Profile): ETags, conditional request
//! evaluation, and the JSON merge of POST.

use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

/// The ETag of a document: the SHA-1 hex digest of its content, in double quotes.
pub fn etag(content: &[u8]) -> String {
    let digest = Sha1::digest(content);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Which document resource a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentResource {
    State,
    ActivityProfile,
    AgentProfile,
}

/// The writing methods conditional headers apply to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMethod {
    Put,
    Post,
    Delete,
}

/// A refused conditional request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreconditionError {
    /// 412 Precondition Failed or 409 Conflict.
    pub status: u16,
    pub message: String,
}

fn tag_list_matches(header: &str, current: &str) -> bool {
    let strip = |t: &str| {
        let t = t.trim();
        t.strip_prefix("W/").unwrap_or(t).to_string()
    };
    let current = strip(current);
    header.split(',').any(|t| {
        let t = strip(t);
        t == "*" || t == current || t.trim_matches('"') == current.trim_matches('"')
    })
}

/// Evaluates `If-Match` / `If-None-Match` for a write, given the ETag of the document as it
/// is now (`None` when there is none):
/// - `If-Match` that does not match (or any `If-Match` when there is no document): 412;
/// - `If-None-Match: *` when the document exists, or listing its ETag: 412;
/// - a PUT with neither header to an Activity or Agent Profile document that exists: 409
///   (xAPI 1.0.3 Communication 3.1, kept in 2.0; the State resource has no such rule).
pub fn check_preconditions(
    resource: DocumentResource,
    method: WriteMethod,
    current: Option<&str>,
    if_match: Option<&str>,
    if_none_match: Option<&str>,
) -> Result<(), PreconditionError> {
    let failed = |m: &str| {
        Err(PreconditionError {
            status: 412,
            message: m.to_string(),
        })
    };
    if let Some(h) = if_match {
        match current {
            None => return failed("If-Match was given but the document does not exist"),
            Some(c) if !tag_list_matches(h, c) => {
                return failed("If-Match does not match the document's current ETag");
            }
            Some(_) => {}
        }
    }
    if let Some(h) = if_none_match
        && let Some(c) = current
        && tag_list_matches(h, c)
    {
        return failed("If-None-Match matches the existing document");
    }
    if if_match.is_none()
        && if_none_match.is_none()
        && method == WriteMethod::Put
        && current.is_some()
        && resource != DocumentResource::State
    {
        return Err(PreconditionError {
            status: 409,
            message: "the document already exists: send If-Match with its ETag to overwrite it, \
                      or If-None-Match: * to create it only when absent"
                .to_string(),
        });
    }
    Ok(())
}

/// A stored or submitted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Whether a Content-Type is `application/json` (parameters such as charset allowed).
pub fn is_json_content_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

fn json_object(doc: &Document, which: &str) -> Result<Map<String, Value>, String> {
    if !is_json_content_type(&doc.content_type) {
        return Err(format!(
            "the {which} document is '{}', not application/json",
            doc.content_type
        ));
    }
    match serde_json::from_slice::<Value>(&doc.content) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(format!("the {which} document is not a JSON object")),
    }
}

/// The document a POST leaves: the posted JSON object merged into the existing one (top-level
/// properties of the posted document replace those of the existing one; others are kept), or
/// the posted document when there is none. `Err` (400 Bad Request, with the reason) when the
/// posted or the existing document is not an application/json JSON object.
pub fn post_document(existing: Option<&Document>, posted: &Document) -> Result<Document, String> {
    let new = json_object(posted, "posted")?;
    let mut merged = match existing {
        Some(e) => json_object(e, "existing")?,
        None => Map::new(),
    };
    for (k, v) in new {
        merged.insert(k, v);
    }
    Ok(Document {
        content_type: "application/json".to_string(),
        content: serde_json::to_vec(&Value::Object(merged)).unwrap_or_default(),
    })
}
