//! Statement requests with attachments: `multipart/mixed` bodies (xAPI Communication 1.5.2),
//! split, matched to the statements' attachment objects by SHA-2 and checked; plus the
//! checks for signature attachments.

use serde_json::Value;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use crate::signature::check_signed_statement;
use crate::validate::validate_statements;
use crate::{SIGNATURE_USAGE_TYPE, XapiVersion};

/// One part of a multipart body: headers (names lowercase, in order) and the raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Part {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Raw attachment data received with statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentPart {
    /// The SHA-2 hex digest (lowercase) that names it, from `X-Experience-API-Hash`.
    pub sha2: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A statements request body taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementsRequest {
    /// The statement object or array, validated.
    pub statements: Value,
    /// The attachment data, one per distinct hash.
    pub attachments: Vec<AttachmentPart>,
}

/// Why a statements request was rejected (400 Bad Request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError(pub String);

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RequestError {}

fn bad<T>(m: impl Into<String>) -> Result<T, RequestError> {
    Err(RequestError(m.into()))
}

/// The media type of a Content-Type value, lowercase, without parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The `boundary` parameter of a multipart Content-Type (quotes removed).
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Splits a multipart body (RFC 2046) at `boundary`. Preamble and epilogue are ignored; the
/// closing delimiter is required. Header lines may end in CRLF or LF.
pub fn split_parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, RequestError> {
    let delim = format!("--{boundary}").into_bytes();
    let Some(mut pos) = find(body, &delim, 0) else {
        return bad("multipart body: no boundary delimiter found");
    };
    let mut parts = Vec::new();
    loop {
        let after = pos + delim.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        // Skip transport padding and the line break after the delimiter.
        let Some(line_end) = find(body, b"\n", after) else {
            return bad("multipart body: truncated after a boundary");
        };
        let start = line_end + 1;
        let Some(next) = find(body, &delim, start) else {
            return bad("multipart body: the closing boundary is missing");
        };
        // The line break before the delimiter belongs to the delimiter.
        let mut end = next;
        if end > start && body[end - 1] == b'\n' {
            end -= 1;
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(parse_part(&body[start..end])?);
        pos = next;
    }
}

fn parse_part(raw: &[u8]) -> Result<Part, RequestError> {
    let (head, body) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else if raw.starts_with(b"\n") {
        (&raw[..0], &raw[1..])
    } else if let Some(i) = find(raw, b"\r\n\r\n", 0) {
        (&raw[..i], &raw[i + 4..])
    } else if let Some(i) = find(raw, b"\n\n", 0) {
        (&raw[..i], &raw[i + 2..])
    } else {
        return bad("multipart body: a part has no blank line after its headers");
    };
    let Ok(head) = std::str::from_utf8(head) else {
        return bad("multipart body: part headers are not UTF-8");
    };
    let mut headers = Vec::new();
    for line in head.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return bad(format!("multipart body: malformed part header '{line}'"));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Part {
        headers,
        body: body.to_vec(),
    })
}

/// The hex SHA-2 digest of `data` with the variant whose digest has `hex_len` hex digits
/// (56, 64, 96 or 128); `None` for another length.
pub fn sha2_hex(data: &[u8], hex_len: usize) -> Option<String> {
    let bytes: Vec<u8> = match hex_len {
        56 => Sha224::digest(data).to_vec(),
        64 => Sha256::digest(data).to_vec(),
        96 => Sha384::digest(data).to_vec(),
        128 => Sha512::digest(data).to_vec(),
        _ => return None,
    };
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn statement_list(statements: &Value) -> Vec<&Value> {
    match statements {
        Value::Array(list) => list.iter().collect(),
        other => vec![other],
    }
}

/// Parses and checks a POST/PUT statements body:
/// - `application/json`: the statements are validated and every attachment must have a
///   `fileUrl` (there is nowhere else for its data to be);
/// - `multipart/mixed`: the first part must be `application/json` statements; every other
///   part must have `Content-Transfer-Encoding: binary` and an `X-Experience-API-Hash` equal
///   to the SHA-2 of its body and to the `sha2` of an attachment object; every attachment
///   object without `fileUrl` must have a part; no part may be left over.
///
/// Signature attachments (usageType `…/attachments/signature`) must be
/// `application/octet-stream`, have their data in the request, and hold a JWS that passes
/// [`check_signed_statement`] for the statement that declares them.
pub fn parse_statements_request(
    content_type: &str,
    body: &[u8],
    version: XapiVersion,
) -> Result<StatementsRequest, RequestError> {
    let (json, parts) = match media_type(content_type).as_str() {
        "application/json" => (body.to_vec(), Vec::new()),
        "multipart/mixed" => {
            let Some(b) = boundary(content_type) else {
                return bad("multipart/mixed Content-Type without a boundary");
            };
            let mut parts = split_parts(body, &b)?.into_iter();
            let Some(first) = parts.next() else {
                return bad("multipart body has no parts");
            };
            let ct = first.header("content-type").map(media_type);
            if ct.as_deref() != Some("application/json") {
                return bad(
                    "the first part of a multipart statements request must be application/json",
                );
            }
            (first.body, parts.collect())
        }
        other => return bad(format!("statements cannot be sent as '{other}'")),
    };
    let statements: Value = match serde_json::from_slice(&json) {
        Ok(v) => v,
        Err(e) => return bad(format!("the statements are not valid JSON: {e}")),
    };
    validate_statements(&statements, version).map_err(|e| RequestError(e.to_string()))?;

    let mut attachments: Vec<AttachmentPart> = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let n = i + 2;
        match part.header("content-transfer-encoding") {
            Some(v) if v.eq_ignore_ascii_case("binary") => {}
            _ => {
                return bad(format!(
                    "part {n}: Content-Transfer-Encoding must be binary"
                ));
            }
        }
        let Some(hash) = part.header("x-experience-api-hash") else {
            return bad(format!(
                "part {n}: the X-Experience-API-Hash header is missing"
            ));
        };
        let hash = hash.to_ascii_lowercase();
        if sha2_hex(&part.body, hash.len()).as_deref() != Some(hash.as_str()) {
            return bad(format!(
                "part {n}: X-Experience-API-Hash does not match the SHA-2 of the part's data"
            ));
        }
        if !attachments.iter().any(|a| a.sha2 == hash) {
            attachments.push(AttachmentPart {
                sha2: hash,
                content_type: part
                    .header("content-type")
                    .unwrap_or("application/octet-stream")
                    .to_string(),
                content: part.body.clone(),
            });
        }
    }

    let mut used = vec![false; attachments.len()];
    for (si, statement) in statement_list(&statements).into_iter().enumerate() {
        let Some(list) = statement.get("attachments").and_then(Value::as_array) else {
            continue;
        };
        for (ai, a) in list.iter().enumerate() {
            let path = format!("statement {si} attachments[{ai}]");
            let sha2 = a
                .get("sha2")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let data = attachments.iter().position(|p| p.sha2 == sha2);
            if let Some(d) = data {
                used[d] = true;
            }
            let is_signature =
                a.get("usageType").and_then(Value::as_str) == Some(SIGNATURE_USAGE_TYPE);
            if is_signature {
                let ct = a.get("contentType").and_then(Value::as_str).map(media_type);
                if ct.as_deref() != Some("application/octet-stream") {
                    return bad(format!(
                        "{path}: a signature must have contentType application/octet-stream"
                    ));
                }
                let Some(d) = data else {
                    return bad(format!("{path}: the signature's JWS is not in the request"));
                };
                check_signed_statement(statement, &attachments[d].content)
                    .map_err(|e| RequestError(format!("{path}: {e}")))?;
            } else if data.is_none() && a.get("fileUrl").is_none() {
                return bad(format!(
                    "{path}: no fileUrl and no multipart part with X-Experience-API-Hash {sha2}"
                ));
            }
        }
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return bad(format!(
            "attachment data with hash {} matches no attachment of the statements",
            attachments[i].sha2
        ));
    }
    Ok(StatementsRequest {
        statements,
        attachments,
    })
}
