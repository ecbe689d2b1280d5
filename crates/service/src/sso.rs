//! Single sign-on: directory (LDAP / Active Directory) passwords on the login form and
//! OpenID Connect sign-in, both mapped to an employee and that employee's account.
//!
//! Whatever proves who someone is, the account it opens is found (or made) by
//! [`link_or_create_account`]: the account linked to the employee, or a new one named
//! after the employee number with the employee role. Leavers and disabled accounts are
//! refused. Local passwords keep working for the accounts that have one.

use crate::Context;
use crate::accounts::{
    LoginOutcome, SessionPolicy, check_throttle, failed_sign_in, open_session, password_matches,
};
use crate::secrets::{random_bytes, secret_hash};
use domain::account::{AccountRepository, User};
use domain::audit::Actor;
use domain::org::{Employee, EmployeeStatus, OrgRepository};
use domain::{DataScope, DomainError, DomainResult};
use sha2::{Digest, Sha256};
use std::fmt;
use std::time::Duration;
use store::PendingSignIn;
use store::prelude::SsoRepository;
use time::OffsetDateTime;

/// How the login form's passwords are checked against an LDAP directory.
#[derive(Clone)]
pub struct LdapSettings {
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// The service account that searches for people; empty for an anonymous search.
    pub bind_dn: String,
    pub bind_password: String,
    /// Where people are searched (subtree).
    pub base_dn: String,
    /// The search filter; `{username}` stands for the entered name, escaped (RFC 4515).
    pub user_filter: String,
    /// Attribute holding the employee number (`employeeNumber`); matched first.
    pub employee_no_attribute: String,
    /// Attribute holding the e-mail address (`mail`); matched when there is no number.
    pub email_attribute: String,
    /// Seconds to wait for the directory.
    pub timeout_secs: u64,
}

impl fmt::Debug for LdapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LdapSettings")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("bind_password", &"***")
            .field("base_dn", &self.base_dn)
            .field("user_filter", &self.user_filter)
            .field("employee_no_attribute", &self.employee_no_attribute)
            .field("email_attribute", &self.email_attribute)
            .finish_non_exhaustive()
    }
}

/// How people sign in through an OpenID provider.
#[derive(Clone)]
pub struct OidcSettings {
    /// The provider's issuer URL; its discovery document is under
    /// `/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// This site's callback, `https://…/login/oidc/callback`, as registered at the provider.
    pub redirect_url: String,
    /// The ID-token claim naming the employee: `email` is matched against employees'
    /// e-mail addresses, any other claim (`employee_number`) against employee numbers.
    pub claim: String,
    /// Scopes asked for besides `openid`.
    pub scopes: String,
    /// The provider's name on the login button.
    pub provider_name: String,
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("redirect_url", &self.redirect_url)
            .field("claim", &self.claim)
            .field("provider_name", &self.provider_name)
            .finish_non_exhaustive()
    }
}

/// The account of `employee`: the one linked to them, or the one
/// [`crate::accounts::provision_for_employee`] creates (as the HR import does). Leavers
/// and disabled accounts are refused with `Unauthenticated`.
pub async fn link_or_create_account(
    ctx: &Context,
    employee: &Employee,
    actor: &Actor,
) -> DomainResult<User> {
    if employee.status == EmployeeStatus::Left {
        return Err(DomainError::Unauthenticated);
    }
    if let Some(user) = ctx.store.account_for_employee(employee.id).await? {
        return if user.active {
            Ok(user)
        } else {
            Err(DomainError::Unauthenticated)
        };
    }
    // The same login the HR import provisions: username, role (manager for a
    // department head), no local password.
    crate::accounts::provision_for_employee(ctx, employee.id, actor).await?;
    ctx.store
        .account_for_employee(employee.id)
        .await?
        .ok_or(DomainError::Unauthenticated)
}

/// Who a directory or a provider says someone is.
enum Identity {
    EmployeeNo(String),
    Email(String),
}

/// The employee an identity names.
async fn employee_of(ctx: &Context, identity: &Identity) -> DomainResult<Option<Employee>> {
    let id = match identity {
        Identity::EmployeeNo(no) => ctx.store.find_employee_id(no.trim()).await?,
        Identity::Email(mail) => ctx.store.employee_by_email(mail).await?,
    };
    match id {
        Some(id) => Ok(Some(
            ctx.store.get_employee(&DataScope::company(), id).await?,
        )),
        None => Ok(None),
    }
}

/// Opens a session for the employee an identity names, linking or creating the account.
async fn sign_in_employee(
    ctx: &Context,
    identity: &Identity,
    attempt: &str,
    ip: &str,
    policy: &SessionPolicy,
    actor: &Actor,
) -> DomainResult<LoginOutcome> {
    let Some(employee) = employee_of(ctx, identity).await? else {
        tracing::info!(attempt, "single sign-on names no employee");
        return failed_sign_in(ctx, attempt, ip).await;
    };
    match link_or_create_account(ctx, &employee, actor).await {
        Ok(user) => open_session(ctx, user.id, attempt, ip, policy).await,
        Err(DomainError::Unauthenticated) => {
            tracing::info!(
                attempt,
                employee = employee.id,
                "leaver or disabled account refused"
            );
            failed_sign_in(ctx, attempt, ip).await
        }
        Err(e) => Err(e),
    }
}

/// The login form: a local password where the account has one that matches, otherwise
/// (when a directory is configured) the directory's. The two fail alike and both count
/// towards the sign-in throttle.
pub async fn sign_in(
    ctx: &Context,
    username: &str,
    password: &str,
    ip: &str,
    policy: &SessionPolicy,
) -> DomainResult<LoginOutcome> {
    let Some(ldap) = ctx.settings.ldap.as_ref() else {
        return crate::accounts::sign_in(ctx, username, password, ip, policy).await;
    };
    check_throttle(ctx, username, ip, policy).await?;
    if let Some(local) = ctx.store.find_credentials(username).await?
        && local.active
        && password_matches(password, local.password_hash).await?
    {
        return open_session(ctx, local.user_id, username, ip, policy).await;
    }
    let found = match directory_identity(ldap, username, password).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, url = %ldap.url, "the LDAP directory failed");
            return Ok(LoginOutcome::Unavailable);
        }
    };
    let Some(identity) = found else {
        return failed_sign_in(ctx, username, ip).await;
    };
    let actor = Actor {
        user_id: None,
        name: format!("ldap:{username}"),
        ip: Some(ip.to_string()),
    };
    sign_in_employee(ctx, &identity, username, ip, policy, &actor).await
}

/// Finds `username` in the directory and binds as them with `password`; `None` when the
/// name is unknown or ambiguous, the password wrong, or the entry carries neither an
/// employee number nor an e-mail address.
async fn directory_identity(
    cfg: &LdapSettings,
    username: &str,
    password: &str,
) -> Result<Option<Identity>, ldap3::LdapError> {
    use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
    // An empty password is an unauthenticated bind, which directories accept.
    if username.is_empty() || password.is_empty() {
        return Ok(None);
    }
    let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
    let settings = LdapConnSettings::new().set_conn_timeout(timeout);
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &cfg.url).await?;
    ldap3::drive!(conn);
    if !cfg.bind_dn.is_empty() {
        ldap.with_timeout(timeout)
            .simple_bind(&cfg.bind_dn, &cfg.bind_password)
            .await?
            .success()?;
    }
    let filter = cfg
        .user_filter
        .replace("{username}", &ldap3::ldap_escape(username));
    let attributes = [
        cfg.employee_no_attribute.as_str(),
        cfg.email_attribute.as_str(),
    ];
    let (entries, _) = ldap
        .with_timeout(timeout)
        .search(&cfg.base_dn, Scope::Subtree, &filter, attributes.to_vec())
        .await?
        .success()?;
    let mut entries = entries.into_iter();
    let (Some(entry), None) = (entries.next(), entries.next()) else {
        let _ = ldap.unbind().await;
        return Ok(None);
    };
    // A malformed entry from the directory is a failed sign-in, not a crash.
    let Ok(entry) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        SearchEntry::construct(entry)
    })) else {
        let _ = ldap.unbind().await;
        return Ok(None);
    };
    let bound = ldap
        .with_timeout(timeout)
        .simple_bind(&entry.dn, password)
        .await?;
    let _ = ldap.unbind().await;
    if bound.rc != 0 {
        return Ok(None);
    }
    let first = |name: &str| {
        entry
            .attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.first())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    Ok(first(&cfg.employee_no_attribute)
        .map(Identity::EmployeeNo)
        .or_else(|| first(&cfg.email_attribute).map(Identity::Email)))
}

/// Where the browser goes to sign in at the provider, and the state it must bring back
/// (kept in a cookie, so the callback belongs to the browser that started).
pub struct OidcStart {
    pub url: String,
    pub state: String,
}

/// How long a browser may take at the provider.
const PENDING_MINUTES: i64 = 10;

fn oidc_settings(ctx: &Context) -> DomainResult<&OidcSettings> {
    ctx.settings.oidc.as_ref().ok_or(DomainError::NotFound {
        entity: "OpenID provider",
    })
}

fn http() -> DomainResult<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DomainError::internal_from("cannot build an HTTP client", e))
}

/// base64url without padding.
fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The parts of a discovery document we use.
#[derive(serde::Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// A provider failure the person cannot fix: the sign-in is unavailable.
#[derive(Debug)]
struct Unavailable(String);

async fn discover(cfg: &OidcSettings) -> Result<Discovery, Unavailable> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        cfg.issuer.trim_end_matches('/')
    );
    let doc: Discovery = fetch_json(http_or_unavailable()?.get(&url)).await?;
    if doc.issuer != cfg.issuer {
        return Err(Unavailable(format!(
            "the discovery document names issuer {} instead of {}",
            doc.issuer, cfg.issuer
        )));
    }
    Ok(doc)
}

fn http_or_unavailable() -> Result<reqwest::Client, Unavailable> {
    http().map_err(|e| Unavailable(e.to_string()))
}

async fn fetch_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, Unavailable> {
    let response = request
        .send()
        .await
        .map_err(|e| Unavailable(format!("request failed: {e}")))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| Unavailable(format!("reading the answer failed: {e}")))?;
    if !status.is_success() {
        return Err(Unavailable(format!("answered {status}: {text}")));
    }
    serde_json::from_str(&text).map_err(|e| Unavailable(format!("unexpected answer: {e}")))
}

/// Starts an OpenID sign-in: remembers a fresh state, nonce and PKCE verifier and
/// returns the provider's authorization URL. `Ok(None)` when the provider cannot be
/// reached.
pub async fn oidc_start(ctx: &Context) -> DomainResult<Option<OidcStart>> {
    let cfg = oidc_settings(ctx)?;
    let discovery = match discover(cfg).await {
        Ok(d) => d,
        Err(Unavailable(why)) => {
            tracing::warn!(issuer = %cfg.issuer, why, "the OpenID provider failed");
            return Ok(None);
        }
    };
    let state = b64url(&random_bytes::<24>());
    let pending = PendingSignIn {
        nonce: b64url(&random_bytes::<24>()),
        verifier: b64url(&random_bytes::<32>()),
    };
    let challenge = b64url(&Sha256::digest(pending.verifier.as_bytes()));
    ctx.store
        .save_pending_sign_in(&secret_hash(&state), &pending, OffsetDateTime::now_utc())
        .await?;
    let scopes: Vec<&str> = std::iter::once("openid")
        .chain(cfg.scopes.split_whitespace().filter(|s| *s != "openid"))
        .collect();
    let separator = if discovery.authorization_endpoint.contains('?') {
        '&'
    } else {
        '?'
    };
    let url = format!(
        "{}{separator}response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&nonce={}&code_challenge={challenge}&code_challenge_method=S256",
        discovery.authorization_endpoint,
        encode(&cfg.client_id),
        encode(&cfg.redirect_url),
        encode(&scopes.join(" ")),
        encode(&state),
        encode(&pending.nonce),
    );
    Ok(Some(OidcStart { url, state }))
}

/// What the provider's callback carries.
pub struct OidcCallback<'a> {
    pub code: Option<&'a str>,
    pub state: Option<&'a str>,
    /// The provider's `error`, when the person was not signed in there.
    pub error: Option<&'a str>,
    /// The state remembered in the browser's cookie.
    pub cookie_state: Option<&'a str>,
}

/// Finishes an OpenID sign-in: checks the state against the browser's, redeems the code
/// with the PKCE verifier, validates the ID token (signature against the provider's
/// keys, issuer, audience, expiry, nonce), maps its claim to an employee and opens a
/// session.
pub async fn oidc_finish(
    ctx: &Context,
    callback: OidcCallback<'_>,
    ip: &str,
    policy: &SessionPolicy,
) -> DomainResult<LoginOutcome> {
    let cfg = oidc_settings(ctx)?;
    let (Some(state), Some(cookie_state)) = (callback.state, callback.cookie_state) else {
        return Ok(LoginOutcome::Invalid);
    };
    if state != cookie_state {
        tracing::info!("OpenID callback with a state of another browser");
        return Ok(LoginOutcome::Invalid);
    }
    let not_before = OffsetDateTime::now_utc() - time::Duration::minutes(PENDING_MINUTES);
    let Some(pending) = ctx
        .store
        .take_pending_sign_in(&secret_hash(state), not_before)
        .await?
    else {
        tracing::info!("OpenID callback with an unknown or expired state");
        return Ok(LoginOutcome::Invalid);
    };
    if let Some(error) = callback.error {
        tracing::info!(error, "the OpenID provider did not sign the person in");
        return Ok(LoginOutcome::Invalid);
    }
    let Some(code) = callback.code else {
        return Ok(LoginOutcome::Invalid);
    };
    let claims = match redeem(cfg, code, &pending).await {
        Ok(Ok(claims)) => claims,
        Ok(Err(why)) => {
            tracing::warn!(why, "OpenID ID token refused");
            return Ok(LoginOutcome::Invalid);
        }
        Err(Unavailable(why)) => {
            tracing::warn!(issuer = %cfg.issuer, why, "the OpenID provider failed");
            return Ok(LoginOutcome::Unavailable);
        }
    };
    let subject = claims
        .get("sub")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let Some(value) = claims
        .get(&cfg.claim)
        .and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|v| !v.is_empty())
    else {
        tracing::warn!(claim = %cfg.claim, subject, "the ID token lacks the employee claim");
        return Ok(LoginOutcome::Invalid);
    };
    let identity = if cfg.claim == "email" {
        // An address the provider has not verified names nobody.
        if claims.get("email_verified") == Some(&serde_json::Value::Bool(false)) {
            tracing::warn!(subject, "the ID token's e-mail address is not verified");
            return Ok(LoginOutcome::Invalid);
        }
        Identity::Email(value)
    } else {
        Identity::EmployeeNo(value)
    };
    let attempt = format!("oidc:{subject}");
    check_throttle(ctx, &attempt, ip, policy).await?;
    let actor = Actor {
        user_id: None,
        name: attempt.clone(),
        ip: Some(ip.to_string()),
    };
    sign_in_employee(ctx, &identity, &attempt, ip, policy, &actor).await
}

/// The token answer's part we use.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    id_token: String,
}

/// The key set's part we use.
#[derive(serde::Deserialize)]
struct KeySet {
    keys: Vec<serde_json::Value>,
}

/// Redeems the code and validates the ID token: the claims, or why the token is refused
/// (inside), or why the provider could not be used (outside).
async fn redeem(
    cfg: &OidcSettings,
    code: &str,
    pending: &PendingSignIn,
) -> Result<Result<serde_json::Map<String, serde_json::Value>, String>, Unavailable> {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::Jwk};
    let discovery = discover(cfg).await?;
    let client = http_or_unavailable()?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", cfg.redirect_url.as_str()),
        ("code_verifier", pending.verifier.as_str()),
    ];
    let answer: TokenAnswer = fetch_json(
        client
            .post(&discovery.token_endpoint)
            .basic_auth(encode(&cfg.client_id), Some(encode(&cfg.client_secret)))
            .form(&form),
    )
    .await?;
    let header = match jsonwebtoken::decode_header(&answer.id_token) {
        Ok(h) => h,
        Err(e) => return Ok(Err(format!("malformed ID token: {e}"))),
    };
    let asymmetric = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];
    if !asymmetric.contains(&header.alg) {
        return Ok(Err(format!("ID token signed with {:?}", header.alg)));
    }
    let keys: KeySet = fetch_json(client.get(&discovery.jwks_uri)).await?;
    let key = keys
        .keys
        .into_iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
        .find(|k| match (&header.kid, &k.common.key_id) {
            (Some(wanted), Some(id)) => wanted == id,
            (None, _) => true,
            (Some(_), None) => false,
        });
    let Some(key) = key else {
        return Ok(Err("no key of the provider signed the ID token".into()));
    };
    let key = match DecodingKey::from_jwk(&key) {
        Ok(k) => k,
        Err(e) => return Ok(Err(format!("unusable provider key: {e}"))),
    };
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[&cfg.issuer]);
    validation.set_audience(&[&cfg.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 60;
    let claims = match jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
        &answer.id_token,
        &key,
        &validation,
    ) {
        Ok(data) => data.claims,
        Err(e) => return Ok(Err(format!("invalid ID token: {e}"))),
    };
    if claims.get("nonce").and_then(|n| n.as_str()) != Some(pending.nonce.as_str()) {
        return Ok(Err("the ID token's nonce is not the one sent".into()));
    }
    Ok(Ok(claims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            encode("http://x/cb?a=1 b"),
            "http%3A%2F%2Fx%2Fcb%3Fa%3D1%20b"
        );
    }

    #[test]
    fn pkce_challenge_is_unpadded_base64url_of_sha256() {
        // `printf VERIFIER | openssl dgst -sha256 -binary | base64`, made URL-safe.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWxRSKCg";
        assert_eq!(
            b64url(&Sha256::digest(verifier.as_bytes())),
            "Wx4nkEELeWJQzVphwRMc4BNrh1fliMTqQfadSk55vfw"
        );
    }
}
