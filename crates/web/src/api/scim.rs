//! SCIM 2.0 (RFC 7643/7644) under `/scim/v2`: `Users` (list with `filter=userName eq
//! "x"` and `startIndex`/`count`, create, read, replace, patch, delete = deactivate)
//! and `Groups`, which are Skillbridge's roles (read, members patched). Authenticated
//! with an administrator's API token; answers `application/scim+json`, errors in the
//! SCIM error schema. Each handler translates and calls one use case of
//! `service::scim`.

use crate::auth::ApiCaller;
use crate::routes::{Registry, Surface::Api};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::DomainError;
use serde::Deserialize;
use serde_json::{Value, json};
use service::scim::{NewScimUser, ScimChange, ScimGroup, ScimUser};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const CONTENT_TYPE: &str = "application/scim+json";

/// An error in SCIM's schema.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            scim_type: Some(scim_type),
            detail: detail.into(),
        }
    }

    fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            scim_type: None,
            detail: "no such resource".into(),
        }
    }
}

impl From<DomainError> for ScimError {
    fn from(e: DomainError) -> Self {
        let (status, scim_type, detail) = match &e {
            DomainError::NotFound { entity } => {
                (StatusCode::NOT_FOUND, None, format!("{entity} not found"))
            }
            DomainError::Validation { field, message } => (
                StatusCode::BAD_REQUEST,
                Some("invalidValue"),
                format!("{field}: {message}"),
            ),
            DomainError::Conflict(m) => (StatusCode::CONFLICT, Some("uniqueness"), m.clone()),
            DomainError::Forbidden => (
                StatusCode::FORBIDDEN,
                None,
                "an administrator's token is required".into(),
            ),
            DomainError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                None,
                "a bearer API token is required".into(),
            ),
            DomainError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "too many requests".into(),
            ),
            _ => {
                let id = crate::error::REQUEST_ID
                    .try_with(|id| id.clone())
                    .unwrap_or_default();
                tracing::error!(error = ?e, request_id = %id, "SCIM request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    format!("internal error; request id {id}"),
                )
            }
        };
        Self {
            status,
            scim_type,
            detail,
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        scim_json(self.status, &body)
    }
}

fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        body.to_string(),
    )
        .into_response()
}

/// The API caller, with SCIM's error body when the token is missing or wrong.
pub struct ScimCaller(ApiCaller);

impl FromRequestParts<AppState> for ScimCaller {
    type Rejection = ScimError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        ApiCaller::from_request_parts(parts, state)
            .await
            .map(ScimCaller)
            .map_err(|_| DomainError::Unauthenticated.into())
    }
}

type ScimResult = Result<Response, ScimError>;

fn user_id(path: Result<Path<String>, PathRejection>) -> Result<i64, ScimError> {
    path.ok()
        .and_then(|Path(id)| id.parse().ok())
        .ok_or_else(ScimError::not_found)
}

fn body(bytes: &Bytes) -> Result<Value, ScimError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ScimError::bad("invalidSyntax", format!("the body is not JSON: {e}")))
}

fn user_json(u: &ScimUser) -> Value {
    let mut v = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": u.user.id.to_string(),
        "userName": u.user.username,
        "displayName": u.user.display_name,
        "name": {"formatted": u.user.display_name},
        "active": u.user.active,
        "groups": u.user.grants.iter().map(|g| g.role.code()).collect::<std::collections::BTreeSet<_>>()
            .into_iter().map(|r| json!({"value": r, "display": r, "$ref": format!("/scim/v2/Groups/{r}")})).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "User",
            "created": u.user.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
            "location": format!("/scim/v2/Users/{}", u.user.id),
        },
    });
    if let Some(x) = &u.profile.external_id {
        v["externalId"] = json!(x);
    }
    if let Some(mail) = &u.profile.email {
        v["emails"] = json!([{"value": mail, "type": "work", "primary": true}]);
    }
    if let Some(no) = &u.employee_no {
        v[ENTERPRISE] = json!({"employeeNumber": no});
    }
    v
}

fn group_json(g: &ScimGroup) -> Value {
    let code = g.role.code();
    json!({
        "schemas": [GROUP_SCHEMA],
        "id": code,
        "displayName": code,
        "members": g.members.iter().map(|(id, name)| json!({
            "value": id.to_string(), "display": name, "$ref": format!("/scim/v2/Users/{id}"),
        })).collect::<Vec<_>>(),
        "meta": {"resourceType": "Group", "location": format!("/scim/v2/Groups/{code}")},
    })
}

fn list_json(total: i64, start_index: i64, resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `attribute eq "value"` with `attribute` one of `allowed` (case-insensitive); the value.
fn eq_filter(filter: &str, allowed: &str) -> Result<String, ScimError> {
    let invalid = || {
        ScimError::bad(
            "invalidFilter",
            format!("only the filter {allowed} eq \"value\" is supported"),
        )
    };
    let mut parts = filter.trim().splitn(3, char::is_whitespace);
    let (Some(attr), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    let value = value.trim();
    if !attr.eq_ignore_ascii_case(allowed)
        || !op.eq_ignore_ascii_case("eq")
        || value.len() < 2
        || !value.starts_with('"')
        || !value.ends_with('"')
    {
        return Err(invalid());
    }
    serde_json::from_str::<String>(value).map_err(|_| invalid())
}

/// The list query.
#[derive(Deserialize)]
pub struct ListQuery {
    filter: Option<String>,
    #[serde(rename = "startIndex")]
    start_index: Option<i64>,
    count: Option<i64>,
}

/// `GET /scim/v2/Users`.
pub async fn list_users(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ScimResult {
    let Ok(Query(q)) = query else {
        return Err(ScimError::bad(
            "invalidValue",
            "startIndex and count are numbers",
        ));
    };
    let user_name = q
        .filter
        .as_deref()
        .map(|f| eq_filter(f, "userName"))
        .transpose()?;
    let start = q.start_index.unwrap_or(1).max(1);
    let count = q.count.unwrap_or(100).clamp(0, 200);
    let (total, users) = service::scim::list_users(
        &state,
        &caller.principal,
        user_name.as_deref(),
        start,
        count,
    )
    .await?;
    let resources = users.iter().map(user_json).collect();
    Ok(scim_json(
        StatusCode::OK,
        &list_json(total, start, resources),
    ))
}

/// `GET /scim/v2/Users/{id}`.
pub async fn get_user(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    path: Result<Path<String>, PathRejection>,
) -> ScimResult {
    let user = service::scim::get_user(&state, &caller.principal, user_id(path)?).await?;
    Ok(scim_json(StatusCode::OK, &user_json(&user)))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(v: &Value) -> Result<bool, ScimError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::bad(
            "invalidValue",
            "active must be true or false",
        )),
    }
}

/// The primary (or first) address of an `emails` value.
fn primary_email(v: &Value) -> Option<String> {
    let list = v.as_array()?;
    list.iter()
        .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| list.first())
        .and_then(|e| e.get("value"))
        .and_then(text)
}

fn display_name_of(v: &Value) -> Option<String> {
    v.get("displayName").and_then(text).or_else(|| {
        let name = v.get("name")?;
        name.get("formatted").and_then(text).or_else(|| {
            let parts: Vec<String> = ["givenName", "familyName"]
                .iter()
                .filter_map(|k| name.get(*k).and_then(text))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    })
}

/// A whole user resource (POST, PUT).
fn full_user(v: &Value) -> Result<NewScimUser, ScimError> {
    let user_name = v
        .get("userName")
        .and_then(text)
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ScimError::bad("invalidValue", "userName is required"))?;
    Ok(NewScimUser {
        user_name,
        display_name: display_name_of(v),
        external_id: v.get("externalId").and_then(text),
        email: v.get("emails").and_then(primary_email),
        employee_no: v
            .get(ENTERPRISE)
            .and_then(|e| e.get("employeeNumber"))
            .and_then(text),
        active: v.get("active").map(flag).transpose()?.unwrap_or(true),
    })
}

/// `POST /scim/v2/Users`: 201 with the new user.
pub async fn create_user(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    bytes: Bytes,
) -> ScimResult {
    let input = full_user(&body(&bytes)?)?;
    let user =
        service::scim::create_user(&state, &caller.principal, input, &caller.actor()).await?;
    let mut response = scim_json(StatusCode::CREATED, &user_json(&user));
    if let Ok(location) = format!("/scim/v2/Users/{}", user.user.id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `PUT /scim/v2/Users/{id}`: replaces the name, e-mail, external id and activity.
pub async fn replace_user(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> ScimResult {
    let id = user_id(path)?;
    let input = full_user(&body(&bytes)?)?;
    let change = ScimChange {
        display_name: input.display_name,
        external_id: Some(input.external_id),
        email: Some(input.email),
        active: Some(input.active),
    };
    let user =
        service::scim::update_user(&state, &caller.principal, id, change, &caller.actor()).await?;
    Ok(scim_json(StatusCode::OK, &user_json(&user)))
}

/// One PATCH operation's effect on a user; unknown attributes are ignored.
fn apply(
    change: &mut ScimChange,
    op: &str,
    path: Option<&str>,
    value: &Value,
) -> Result<(), ScimError> {
    let Some(path) = path else {
        let Some(map) = value.as_object() else {
            return Err(ScimError::bad(
                "invalidValue",
                "an operation without a path needs an object value",
            ));
        };
        for (k, v) in map {
            apply(change, op, Some(k), v)?;
        }
        return Ok(());
    };
    let remove = op == "remove";
    let lower = path.to_ascii_lowercase();
    match lower.as_str() {
        "active" if !remove => change.active = Some(flag(value)?),
        "displayname" | "name.formatted" if !remove => change.display_name = text(value),
        "name" if !remove => change.display_name = display_name_of(&json!({ "name": value })),
        "externalid" => change.external_id = Some(if remove { None } else { text(value) }),
        "emails" => {
            change.email = Some(if remove { None } else { primary_email(value) });
        }
        p if p.starts_with("emails[") => {
            change.email = Some(if remove {
                None
            } else {
                text(value).or_else(|| value.get("value").and_then(text))
            });
        }
        "username" => {
            return Err(ScimError::bad(
                "mutability",
                "userName cannot change; create another account",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// The PATCH request's operations as (op, path, value).
fn operations(v: &Value) -> Result<Vec<(String, Option<String>, Value)>, ScimError> {
    let ops = v
        .get("Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| ScimError::bad("invalidSyntax", "Operations is required"))?;
    ops.iter()
        .map(|o| {
            let op = o
                .get("op")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .filter(|op| matches!(op.as_str(), "add" | "replace" | "remove"))
                .ok_or_else(|| ScimError::bad("invalidSyntax", "op is add, replace or remove"))?;
            let path = o.get("path").and_then(Value::as_str).map(str::to_string);
            Ok((op, path, o.get("value").cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// `PATCH /scim/v2/Users/{id}`: `active` (false deactivates), `displayName` /
/// `name.formatted`, `emails`, `externalId`.
pub async fn patch_user(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    path: Result<Path<String>, PathRejection>,
    bytes: Bytes,
) -> ScimResult {
    let id = user_id(path)?;
    let mut change = ScimChange::default();
    for (op, path, value) in operations(&body(&bytes)?)? {
        apply(&mut change, &op, path.as_deref(), &value)?;
    }
    let user =
        service::scim::update_user(&state, &caller.principal, id, change, &caller.actor()).await?;
    Ok(scim_json(StatusCode::OK, &user_json(&user)))
}

/// `DELETE /scim/v2/Users/{id}`: deactivates (the account and its history stay); 204.
pub async fn delete_user(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    path: Result<Path<String>, PathRejection>,
) -> ScimResult {
    let change = ScimChange {
        active: Some(false),
        ..Default::default()
    };
    service::scim::update_user(
        &state,
        &caller.principal,
        user_id(path)?,
        change,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /scim/v2/Groups`: the roles, `filter=displayName eq "manager"`.
pub async fn list_groups(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ScimResult {
    let Ok(Query(q)) = query else {
        return Err(ScimError::bad(
            "invalidValue",
            "startIndex and count are numbers",
        ));
    };
    let name = q
        .filter
        .as_deref()
        .map(|f| eq_filter(f, "displayName"))
        .transpose()?;
    let groups = service::scim::list_groups(&state, &caller.principal, name.as_deref()).await?;
    let resources: Vec<Value> = groups.iter().map(group_json).collect();
    Ok(scim_json(
        StatusCode::OK,
        &list_json(resources.len() as i64, 1, resources),
    ))
}

/// `GET /scim/v2/Groups/{id}` (a role's code).
pub async fn get_group(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    Path(code): Path<String>,
) -> ScimResult {
    let group = service::scim::get_group(&state, &caller.principal, &code).await?;
    Ok(scim_json(StatusCode::OK, &group_json(&group)))
}

/// Account ids of a members value (`[{"value": "12"}]`) or a `members[value eq "12"]` path.
fn member_ids(path: Option<&str>, value: &Value) -> Result<Vec<i64>, ScimError> {
    let bad = || ScimError::bad("invalidValue", "members are account ids");
    if let Some(filter) = path
        .and_then(|p| p.strip_prefix("members["))
        .and_then(|p| p.strip_suffix(']'))
    {
        let id = eq_filter(filter, "value")?;
        return Ok(vec![id.parse().map_err(|_| bad())?]);
    }
    match value {
        Value::Array(list) => list
            .iter()
            .map(|m| {
                m.get("value")
                    .and_then(text)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(bad)
            })
            .collect(),
        Value::Null => Ok(Vec::new()),
        _ => Err(bad()),
    }
}

/// `PATCH /scim/v2/Groups/{id}`: `add` / `remove` of `members`.
pub async fn patch_group(
    State(state): State<AppState>,
    ScimCaller(caller): ScimCaller,
    Path(code): Path<String>,
    bytes: Bytes,
) -> ScimResult {
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for (op, path, value) in operations(&body(&bytes)?)? {
        let (path, value) = match (path, value) {
            (None, Value::Object(mut map)) => (
                Some("members".to_string()),
                map.remove("members").unwrap_or(Value::Null),
            ),
            (path, value) => (path, value),
        };
        let is_members = path
            .as_deref()
            .is_some_and(|p| p.to_ascii_lowercase().starts_with("members"));
        if !is_members {
            return Err(ScimError::bad(
                "mutability",
                "a group is a role: only its members change",
            ));
        }
        let ids = member_ids(path.as_deref(), &value)?;
        match op.as_str() {
            "remove" => remove.extend(ids),
            _ => add.extend(ids),
        }
    }
    let group = service::scim::change_group_members(
        &state,
        &caller.principal,
        &code,
        &add,
        &remove,
        &caller.actor(),
    )
    .await?;
    Ok(scim_json(StatusCode::OK, &group_json(&group)))
}

/// `GET /scim/v2/ServiceProviderConfig`: what this server supports.
pub async fn service_provider_config(ScimCaller(_): ScimCaller) -> Response {
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": 200},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "API token",
                "description": "An administrator's Skillbridge API token as a bearer token",
            }],
        }),
    )
}

/// The SCIM routes.
pub(crate) fn routes(registry: Registry) -> Registry {
    registry
        .get(
            "/scim/v2/ServiceProviderConfig",
            Api,
            service_provider_config,
        )
        .get("/scim/v2/Users", Api, list_users)
        .post("/scim/v2/Users", Api, create_user)
        .get("/scim/v2/Users/{id}", Api, get_user)
        .put("/scim/v2/Users/{id}", Api, replace_user)
        .patch("/scim/v2/Users/{id}", Api, patch_user)
        .delete("/scim/v2/Users/{id}", Api, delete_user)
        .get("/scim/v2/Groups", Api, list_groups)
        .get("/scim/v2/Groups/{id}", Api, get_group)
        .patch("/scim/v2/Groups/{id}", Api, patch_group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_take_one_equality() {
        assert_eq!(
            eq_filter("userName eq \"E001\"", "userName").unwrap(),
            "E001"
        );
        assert_eq!(
            eq_filter("username EQ \"a \\\"b\\\"\"", "userName").unwrap(),
            "a \"b\""
        );
        assert!(eq_filter("userName co \"E\"", "userName").is_err());
        assert!(eq_filter("emails eq \"x\"", "userName").is_err());
        assert!(eq_filter("userName eq E001", "userName").is_err());
    }

    #[test]
    fn patch_operations_build_a_change() {
        let mut change = ScimChange::default();
        apply(
            &mut change,
            "replace",
            None,
            &json!({"active": "False", "displayName": "Wang"}),
        )
        .unwrap();
        apply(
            &mut change,
            "replace",
            Some("emails[type eq \"work\"].value"),
            &json!("w@x.test"),
        )
        .unwrap();
        assert_eq!(change.active, Some(false));
        assert_eq!(change.display_name.as_deref(), Some("Wang"));
        assert_eq!(change.email, Some(Some("w@x.test".into())));
        assert!(apply(&mut change, "replace", Some("userName"), &json!("x")).is_err());
    }
}
