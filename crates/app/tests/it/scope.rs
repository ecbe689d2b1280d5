//! Data scopes: what each role sees, through the API and the UI alike.

use crate::db_test;
use domain::DataScope;
use domain::org::OrgRepository;

db_test!(manager_sees_only_their_department_subtree, |app| {
    let prod1 = app.department("PROD1").await;
    let all = app
        .store
        .list_employees(
            &DataScope::company(),
            &Default::default(),
            domain::Page::new(Some(1), Some(200)),
        )
        .await
        .unwrap();
    let in_subtree = |path: &str| path.starts_with(&prod1.path);
    let token = app.token("manager").await;
    let (status, page) = app
        .call(&token, "GET", "/api/v1/employees?per_page=200", None)
        .await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let subtree_ids: Vec<i64> = {
        let scope = DataScope {
            department_paths: vec![prod1.path.clone()],
            ..Default::default()
        };
        let mut ids = Vec::new();
        let mut p = 1;
        loop {
            let page = app
                .store
                .list_employees(
                    &scope,
                    &Default::default(),
                    domain::Page::new(Some(p), Some(200)),
                )
                .await
                .unwrap();
            ids.extend(page.items.iter().map(|e| e.id));
            if page.items.len() < 200 {
                break;
            }
            p += 1;
        }
        ids
    };
    assert_eq!(
        page["total"].as_i64().unwrap(),
        subtree_ids.len() as i64,
        "total counts the subtree exactly"
    );
    for item in items {
        assert!(
            subtree_ids.contains(&item["id"].as_i64().unwrap()),
            "{item} is outside 生产一部"
        );
    }
    // Someone outside the subtree is invisible: 404, not 403, so existence is not revealed.
    // Someone in a department that is neither in the subtree nor above it (the CEO's HQ would
    // contain it when used as a filter).
    let outsider = all
        .items
        .iter()
        .find(|e| !in_subtree(&e.department_path) && !prod1.path.starts_with(&e.department_path))
        .unwrap();
    let (status, _) = app
        .call(
            &token,
            "GET",
            &format!("/api/v1/employees/{}", outsider.id),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let insider = all
        .items
        .iter()
        .find(|e| in_subtree(&e.department_path))
        .unwrap();
    assert_eq!(
        app.call(
            &token,
            "GET",
            &format!("/api/v1/employees/{}", insider.id),
            None
        )
        .await
        .0,
        200
    );
    // Filtering by an outside department yields nothing rather than leaking it.
    let (_, filtered) = app
        .call(
            &token,
            "GET",
            &format!("/api/v1/employees?department_id={}", outsider.department_id),
            None,
        )
        .await;
    assert_eq!(filtered["total"], 0);
    // The same limit applies in the UI.
    let (browser, _) = app.login("manager").await;
    let page = browser
        .get(app.url(&format!("/people/{}", outsider.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    let list = app.page_text(&browser, "/people?q=").await;
    assert!(
        !list.contains(&outsider.employee_no),
        "UI list hides people outside the scope"
    );
    // Head counts: the manager's view starts at 生产一部.
    let (_, heads) = app
        .call(&token, "GET", "/api/v1/departments/headcount", None)
        .await;
    let codes: Vec<&str> = heads
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.first(), Some(&"PROD1"));
    assert!(codes.iter().all(|c| c.starts_with("PROD1")), "{codes:?}");
});

db_test!(employee_sees_only_themselves, |app| {
    let token = app.token("employee").await;
    let (status, me) = app.call(&token, "GET", "/api/v1/me", None).await;
    assert_eq!(status, 200);
    let own_id = me["employee"]["id"].as_i64().unwrap();
    let (_, page) = app.call(&token, "GET", "/api/v1/employees", None).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"].as_i64(), Some(own_id));
    assert!(
        !me["employee"]["phone"].as_str().unwrap().contains('*'),
        "own contact details are not masked"
    );
    assert_eq!(
        app.call(&token, "GET", "/api/v1/departments/headcount", None)
            .await
            .0,
        403
    );
    assert_eq!(app.call(&token, "GET", "/api/v1/users", None).await.0, 403);
});

db_test!(
    contact_details_are_masked_outside_the_contact_scope,
    |app| {
        let exec = app.token("executive").await;
        let (_, page) = app
            .call(&exec, "GET", "/api/v1/employees?per_page=50", None)
            .await;
        let items = page["items"].as_array().unwrap();
        let me_id = app.call(&exec, "GET", "/api/v1/me", None).await.1["employee"]["id"].as_i64();
        for item in items.iter().filter(|i| i["id"].as_i64() != me_id) {
            assert!(
                item["phone"].as_str().unwrap().contains("****"),
                "executive sees masked phones: {item}"
            );
            assert!(item["email"].as_str().unwrap().contains("***@"));
        }
        let admin = app.token("training").await;
        let (_, page) = app
            .call(&admin, "GET", "/api/v1/employees?per_page=50", None)
            .await;
        assert!(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| !i["phone"].as_str().unwrap().contains('*')),
            "training admin sees contacts"
        );
    }
);

db_test!(exports_follow_the_same_scope_and_are_audited, |app| {
    use calamine::Reader;

    let (browser, _) = app.login("manager").await;
    let res = browser
        .get(app.url("/people/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("people.xlsx")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "工号");
    let prod1 = app.department("PROD1").await;
    let scope = DataScope {
        department_paths: vec![prod1.path.clone()],
        ..Default::default()
    };
    let expected = app
        .store
        .list_employees(
            &scope,
            &Default::default(),
            domain::Page::new(Some(1), Some(1)),
        )
        .await
        .unwrap()
        .total;
    assert_eq!(
        rows.len() as i64 - 1,
        expected,
        "one row per person in 生产一部's subtree, no more"
    );
    let all_departments: Vec<String> = app
        .store
        .list_departments(&scope)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert!(
        rows[1..].iter().all(|r| all_departments.contains(&r[2])),
        "only subtree departments"
    );
    let audit = app.audit("people.export").await;
    assert_eq!(audit.total, 1);
    assert_eq!(audit.items[0].actor, "manager");
    assert!(
        audit.items[0]
            .after
            .as_deref()
            .unwrap()
            .contains(&format!("\"rows\":{expected}"))
    );
});
