//! Signed statements (xAPI Data 2.6): structural checks of the JWS carried as a signature
//! attachment.
//!
//! Checked: the JWS is in compact serialisation (three base64url parts), its header is a
//! JSON object whose `alg` is RS256, RS384 or RS512, its payload is a JSON object equivalent
//! to the statement without its `attachments` (compared with the rules of
//! [`crate::normalize::statements_equivalent`]), and the signature part is non-empty.
//! Not checked: the RSA signature itself. The suite signs without a certificate (`x5c`), so
//! there is no key to verify against; verifying against an `x5c` chain would need an RSA
//! and X.509 implementation, which this crate does without to stay small.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use crate::normalize::statements_equivalent;

/// Why a signature attachment was rejected (the LRS answers 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureError(pub String);

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "signature: {}", self.0)
    }
}

impl std::error::Error for SignatureError {}

fn b64url(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(part)
        .or_else(|_| URL_SAFE.decode(part))
        .ok()
}

/// The algorithms xAPI allows for statement signatures.
pub const ALGORITHMS: [&str; 3] = ["RS256", "RS384", "RS512"];

/// Checks the JWS `jws` (the body of the signature attachment) against `statement` (the
/// statement as received, with its attachments).
pub fn check_signed_statement(statement: &Value, jws: &[u8]) -> Result<(), SignatureError> {
    let err = |m: &str| Err(SignatureError(m.to_string()));
    let Ok(text) = std::str::from_utf8(jws) else {
        return err("the JWS is not text");
    };
    let parts: Vec<&str> = text.trim().split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return err("the JWS is not in compact serialisation (header.payload.signature)");
    };
    let Some(header) = b64url(header).and_then(|h| serde_json::from_slice::<Value>(&h).ok()) else {
        return err("the JWS header is not base64url-encoded JSON");
    };
    match header.get("alg").and_then(Value::as_str) {
        Some(alg) if ALGORITHMS.contains(&alg) => {}
        Some(alg) => {
            return Err(SignatureError(format!(
                "algorithm '{alg}' is not one of RS256, RS384, RS512"
            )));
        }
        None => return err("the JWS header has no 'alg'"),
    }
    let Some(payload) = b64url(payload).and_then(|p| serde_json::from_slice::<Value>(&p).ok())
    else {
        return err("the JWS payload is not base64url-encoded JSON");
    };
    if !payload.is_object() {
        return err("the JWS payload is not a JSON object");
    }
    if signature.is_empty() || b64url(signature).is_none() {
        return err("the JWS signature part is empty or not base64url");
    }
    let mut unsigned = statement.clone();
    if let Some(m) = unsigned.as_object_mut() {
        m.remove("attachments");
    }
    let mut signed = payload;
    if let Some(m) = signed.as_object_mut() {
        m.remove("attachments");
    }
    if !statements_equivalent(&unsigned, &signed) {
        return err("the JWS payload does not match the statement");
    }
    Ok(())
}
