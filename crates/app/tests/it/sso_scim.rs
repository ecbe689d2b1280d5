//! SCIM 2.0 through HTTP: a directory creates, finds, pages, patches, replaces and
//! deactivates accounts with an administrator's token, and sets role membership
//! through groups; deactivation ends the account's sessions.

use crate::db_test;
use crate::support::TestApp;
use domain::account::AccountRepository;
use domain::org::{EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DataScope, Page};
use serde_json::{Value, json};
use store::prelude::SsoRepository;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A SCIM request; the status, the content type and the JSON body (`Null` when none).
async fn scim(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, String, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client().request(method, app.url(path));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/scim+json")
            .body(body.to_string());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = res.text().await.unwrap();
    (
        status,
        kind,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

db_test!(scim_users_lifecycle, |app| {
    let admin = app.token("admin").await;
    let employee = app
        .store
        .list_employees(
            &DataScope::company(),
            &EmployeeFilter {
                status: Some(EmployeeStatus::Active),
                ..Default::default()
            },
            Page::new(Some(1), Some(40)),
        )
        .await
        .unwrap()
        .items
        .into_iter();
    let mut free = Vec::new();
    for e in employee {
        if app
            .store
            .account_for_employee(e.id)
            .await
            .unwrap()
            .is_none()
        {
            free.push(e);
        }
    }

    // Create, linked to the employee by the enterprise extension's number.
    let new_user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "scim.wang",
        "externalId": "dir-0001",
        "name": {"givenName": "Fang", "familyName": "Wang"},
        "emails": [{"value": "wang@corp.test", "type": "work", "primary": true}],
        ENTERPRISE: {"employeeNumber": free[0].employee_no},
    });
    let (status, kind, created) = scim(
        &app,
        &admin,
        "POST",
        "/scim/v2/Users",
        Some(new_user.clone()),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(kind.starts_with("application/scim+json"), "{kind}");
    assert_eq!(created["userName"], "scim.wang");
    assert_eq!(created["displayName"], "Fang Wang");
    assert_eq!(created["externalId"], "dir-0001");
    assert_eq!(created["emails"][0]["value"], "wang@corp.test");
    assert_eq!(
        created[ENTERPRISE]["employeeNumber"],
        free[0].employee_no.as_str()
    );
    assert_eq!(created["active"], true);
    let id = created["id"].as_str().unwrap().to_string();
    let user = app.store.get_user(id.parse().unwrap()).await.unwrap();
    assert_eq!(user.employee_id, Some(free[0].id));

    // The same userName again: a SCIM uniqueness error; without one: invalid.
    let (status, kind, error) = scim(&app, &admin, "POST", "/scim/v2/Users", Some(new_user)).await;
    assert_eq!(status, 409);
    assert!(kind.starts_with("application/scim+json"));
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(error["scimType"], "uniqueness");
    assert_eq!(error["status"], "409");
    let (status, _, error) = scim(
        &app,
        &admin,
        "POST",
        "/scim/v2/Users",
        Some(json!({"name": {}})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["scimType"], "invalidValue");
    let (status, _, error) = scim(
        &app,
        &admin,
        "POST",
        "/scim/v2/Users",
        Some(json!("not an object")),
    )
    .await;
    assert_eq!(status, 400, "{error}");
    let (status, _, _) = scim(
        &app,
        &admin,
        "POST",
        "/scim/v2/Users",
        Some(json!({"userName": "x y z"})),
    )
    .await;
    assert_eq!(status, 400);

    // Find by userName; page through all.
    let (status, _, found) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Users?filter=userName%20eq%20%22scim.wang%22",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let (_, _, none) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Users?filter=userName%20eq%20%22nobody%22",
        None,
    )
    .await;
    assert_eq!(none["totalResults"], 0);
    let (status, _, bad) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Users?filter=userName%20co%20%22s%22",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(bad["scimType"], "invalidFilter");
    let (_, _, first) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Users?startIndex=1&count=3",
        None,
    )
    .await;
    let (_, _, second) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Users?startIndex=3&count=2",
        None,
    )
    .await;
    let total = app.store.count_users().await.unwrap();
    assert_eq!(first["totalResults"], total);
    assert_eq!(first["itemsPerPage"], 3);
    assert_eq!(second["startIndex"], 3);
    assert_eq!(second["Resources"][0]["id"], first["Resources"][2]["id"]);

    // Patch the name and e-mail (Azure's capitalised op, a filtered path).
    let patch = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "name.formatted", "value": "Wang Fang"},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "fang.wang@corp.test"},
        ],
    });
    let (status, _, patched) = scim(
        &app,
        &admin,
        "PATCH",
        &format!("/scim/v2/Users/{id}"),
        Some(patch),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["displayName"], "Wang Fang");
    assert_eq!(patched["emails"][0]["value"], "fang.wang@corp.test");
    assert!(app.audit("account.scim_update").await.items.len() >= 2);

    // Deactivating an account that is signed in ends its session.
    let employee_id = app.user_id("employee").await;
    let (browser, _) = app.login("employee").await;
    assert_eq!(app.page_status(&browser, "/").await, 200);
    let off = json!({"Operations": [{"op": "replace", "value": {"active": false}}]});
    let (status, _, off) = scim(
        &app,
        &admin,
        "PATCH",
        &format!("/scim/v2/Users/{employee_id}"),
        Some(off),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(off["active"], false);
    assert_eq!(
        app.page_status(&browser, "/").await,
        303,
        "the session is gone"
    );
    let form = app.page_text(&app.browser(), "/login").await;
    assert!(!form.is_empty());
    assert!(
        app.store
            .find_credentials("employee")
            .await
            .unwrap()
            .is_some_and(|c| !c.active)
    );
    assert!(
        app.audit("account.disable")
            .await
            .items
            .iter()
            .any(|e| e.entity_id == Some(employee_id.to_string()))
    );

    // PUT replaces; DELETE deactivates.
    let put =
        json!({"userName": "scim.wang", "displayName": "W. Fang", "active": true, "emails": []});
    let (status, _, replaced) = scim(
        &app,
        &admin,
        "PUT",
        &format!("/scim/v2/Users/{id}"),
        Some(put),
    )
    .await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["displayName"], "W. Fang");
    assert!(replaced.get("emails").is_none());
    let (status, _, _) = scim(
        &app,
        &admin,
        "DELETE",
        &format!("/scim/v2/Users/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, _, gone) = scim(&app, &admin, "GET", &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(gone["active"], false);

    // Unknown ids, other callers, no token.
    let (status, _, missing) = scim(&app, &admin, "GET", "/scim/v2/Users/999999", None).await;
    assert_eq!(status, 404);
    assert_eq!(missing["status"], "404");
    let (status, _, _) = scim(&app, &admin, "GET", "/scim/v2/Users/not-a-number", None).await;
    assert_eq!(status, 404);
    let manager = app.token("manager").await;
    let (status, _, _) = scim(&app, &manager, "GET", "/scim/v2/Users", None).await;
    assert_eq!(status, 403);
    let (status, kind, denied) = scim(&app, "", "GET", "/scim/v2/Users", None).await;
    assert_eq!(status, 401);
    assert!(kind.starts_with("application/scim+json"));
    assert_eq!(
        denied["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
});

db_test!(scim_groups_are_roles, |app| {
    let admin = app.token("admin").await;
    let (status, _, created) = scim(
        &app,
        &admin,
        "POST",
        "/scim/v2/Users",
        Some(json!({"userName": "scim.trainer"})),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap().to_string();

    let (status, _, groups) = scim(&app, &admin, "GET", "/scim/v2/Groups", None).await;
    assert_eq!(status, 200);
    assert_eq!(groups["totalResults"], 7);
    let add = json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
    let (status, _, group) = scim(
        &app,
        &admin,
        "PATCH",
        "/scim/v2/Groups/training_admin",
        Some(add),
    )
    .await;
    assert_eq!(status, 200, "{group}");
    assert!(
        group["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"] == id.as_str())
    );
    let (_, _, found) = scim(
        &app,
        &admin,
        "GET",
        "/scim/v2/Groups?filter=displayName%20eq%20%22training_admin%22",
        None,
    )
    .await;
    assert_eq!(found["totalResults"], 1);
    let user = app.store.get_user(id.parse().unwrap()).await.unwrap();
    assert!(user.grants.iter().any(|g| g.role == domain::Role::TrainingAdmin && g.scope == domain::ScopeKind::Company));
    let (_, _, as_user) = scim(&app, &admin, "GET", &format!("/scim/v2/Users/{id}"), None).await;
    assert_eq!(as_user["groups"][0]["value"], "training_admin");

    // A manager manages their employee's department; an account without one cannot.
    let add = json!({"Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
    let (status, _, error) =
        scim(&app, &admin, "PATCH", "/scim/v2/Groups/manager", Some(add)).await;
    assert_eq!(status, 400, "{error}");

    let remove =
        json!({"Operations": [{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]});
    let (status, _, group) = scim(
        &app,
        &admin,
        "PATCH",
        "/scim/v2/Groups/training_admin",
        Some(remove),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !group["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["value"] == id.as_str())
    );
    let rename = json!({"Operations": [{"op": "replace", "path": "displayName", "value": "x"}]});
    let (status, _, error) = scim(
        &app,
        &admin,
        "PATCH",
        "/scim/v2/Groups/training_admin",
        Some(rename),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error["scimType"], "mutability");
    let (status, _, _) = scim(&app, &admin, "GET", "/scim/v2/Groups/no_such_role", None).await;
    assert_eq!(status, 404);
    assert!(app.audit("account.").await.total > 0);
});
