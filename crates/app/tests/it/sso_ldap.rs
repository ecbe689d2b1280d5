//! Directory sign-in: the login page checks passwords against a real OpenLDAP slapd,
//! maps the person to their employee and opens a session; leavers, disabled accounts
//! and wrong passwords are refused alike; local passwords keep working.

use crate::ldap_server::{Person, Slapd, free_port, settings};
use crate::support::{Backend, TestApp, extract_csrf};
use domain::account::AccountRepository;
use domain::org::{Employee, EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DataScope, Page};
use store::prelude::SsoRepository;

/// `sso_test!(name, body)`: `body(backend)` once per database, like `db_test!`.
#[macro_export]
macro_rules! sso_test {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::support::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if std::env::var("SKILLBRIDGE_TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
                    eprintln!("skipped: SKILLBRIDGE_TEST_DATABASE_URL is not set");
                    return;
                }
                super::$body($crate::support::Backend::Postgres).await;
            }
        }
    };
}

const PASSWORD: &str = "directory-pass-1";

/// Active demo employees without an account, and with one.
async fn employees(app: &TestApp) -> (Vec<Employee>, Employee) {
    let filter = EmployeeFilter {
        status: Some(EmployeeStatus::Active),
        ..Default::default()
    };
    let all = app
        .store
        .list_employees(&DataScope::company(), &filter, Page::new(Some(1), Some(60)))
        .await
        .unwrap()
        .items;
    let mut free = Vec::new();
    for e in all {
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
    let linked_id = app
        .store
        .get_user(app.user_id("employee").await)
        .await
        .unwrap()
        .employee_id
        .unwrap();
    let linked = app
        .store
        .get_employee(&DataScope::company(), linked_id)
        .await
        .unwrap();
    (free, linked)
}

/// Posts the login form; the status and the page (or redirect) text.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, user: &str, pw: &str) -> (u16, String) {
    let form = app.page_text(browser, "/login").await;
    let csrf = extract_csrf(&form);
    let res = app
        .post_form(
            browser,
            "/login",
            &[
                ("username", user),
                ("password", pw),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// An app whose login form checks a slapd that holds `people(free, linked)`.
async fn app_with_directory(backend: Backend) -> Option<(TestApp, Slapd, Vec<Employee>, Employee)> {
    let port = free_port();
    let config = service::Settings {
        ldap: Some(settings(port)),
        ..Default::default()
    };
    let app = TestApp::spawn_with_settings(backend, |_| config).await?;
    let (free, linked) = employees(&app).await;
    app.exec(&format!(
        "UPDATE employees SET email = 'li.na@corp.test' WHERE id = {}",
        free[2].id
    ))
    .await;
    let people = [
        Person {
            uid: "wang.fang",
            password: PASSWORD,
            employee_no: Some(&free[0].employee_no),
            mail: None,
        },
        Person {
            uid: "leaver",
            password: PASSWORD,
            employee_no: Some(&free[1].employee_no),
            mail: None,
        },
        Person {
            uid: "li.na",
            password: PASSWORD,
            employee_no: None,
            mail: Some("Li.Na@corp.test"),
        },
        Person {
            uid: "linked",
            password: PASSWORD,
            employee_no: Some(&linked.employee_no),
            mail: None,
        },
        Person {
            uid: "stranger",
            password: PASSWORD,
            employee_no: Some("NO-SUCH-NUMBER"),
            mail: None,
        },
    ];
    let slapd = Slapd::start(port, &people);
    Some((app, slapd, free, linked))
}

async fn directory_people_sign_in_through_the_login_page(backend: Backend) {
    let Some((app, _slapd, free, linked)) = app_with_directory(backend).await else {
        return;
    };
    // A person without an account: one is made, named after the employee number.
    let browser = app.browser();
    let (status, _) = sign_in(&app, &browser, "wang.fang", PASSWORD).await;
    assert_eq!(status, 303);
    let home = app.page_text(&browser, "/").await;
    assert!(home.contains(&free[0].name), "home greets the person");
    let user = app
        .store
        .account_for_employee(free[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.username, free[0].employee_no);
    assert!(user.active);
    // Provisioned as the HR import provisions logins.
    let created = app.audit("account.provision").await;
    assert!(
        created
            .items
            .iter()
            .any(|e| e.entity_id == Some(user.id.to_string()) && e.actor == "ldap:wang.fang"),
        "the new account is audited"
    );
    // Signing in again reuses it.
    let (status, _) = sign_in(&app, &app.browser(), "wang.fang", PASSWORD).await;
    assert_eq!(status, 303);
    assert_eq!(
        app.store
            .account_for_employee(free[0].id)
            .await
            .unwrap()
            .unwrap()
            .id,
        user.id
    );

    // Matched by e-mail when the entry has no employee number (case-insensitive).
    let (status, _) = sign_in(&app, &app.browser(), "li.na", PASSWORD).await;
    assert_eq!(status, 303);
    assert!(
        app.store
            .account_for_employee(free[2].id)
            .await
            .unwrap()
            .is_some()
    );

    // A person who already has an account signs in to that account.
    let before = app.store.count_users().await.unwrap();
    let browser = app.browser();
    let (status, _) = sign_in(&app, &browser, "linked", PASSWORD).await;
    assert_eq!(status, 303);
    assert_eq!(app.store.count_users().await.unwrap(), before);
    assert!(app.page_text(&browser, "/").await.contains(&linked.name));

    // Local passwords still work (the break-glass administrator).
    let (status, _) = sign_in(&app, &app.browser(), "admin", demo::DEMO_PASSWORD).await;
    assert_eq!(status, 303);
}
crate::sso_test!(
    directory_sign_in,
    directory_people_sign_in_through_the_login_page
);

async fn wrong_passwords_leavers_and_strangers_fail_alike(backend: Backend) {
    let Some((app, _slapd, free, _)) = app_with_directory(backend).await else {
        return;
    };
    let browser = app.browser();
    let (status, wrong) = sign_in(&app, &browser, "wang.fang", "not the password").await;
    assert_eq!(status, 401);
    let (status, unknown) = sign_in(&app, &browser, "nobody.here", PASSWORD).await;
    assert_eq!(status, 401);
    // The same page says the same thing (bar the echoed username).
    assert_eq!(
        wrong.replace("wang.fang", "X"),
        unknown.replace("nobody.here", "X")
    );
    // The username is escaped into the filter: a wildcard finds nobody.
    let (status, _) = sign_in(&app, &browser, "*", PASSWORD).await;
    assert_eq!(status, 401);
    // An empty password is not an anonymous bind.
    let form = app.page_text(&browser, "/login").await;
    let csrf = extract_csrf(&form);
    let res = app
        .post_form(
            &browser,
            "/login",
            &[
                ("username", "wang.fang"),
                ("password", ""),
                ("_csrf", csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 401);
    // A directory person who is no employee.
    let (status, _) = sign_in(&app, &browser, "stranger", PASSWORD).await;
    assert_eq!(status, 401);

    // Five failures from this address so far: the next would be throttled (below).
    app.exec("DELETE FROM login_failures").await;
    // A leaver cannot sign in, though the directory still knows them.
    app.exec(&format!(
        "UPDATE employees SET status = 'left' WHERE id = {}",
        free[1].id
    ))
    .await;
    let (status, _) = sign_in(&app, &browser, "leaver", PASSWORD).await;
    assert_eq!(status, 401);
    assert!(
        app.store
            .account_for_employee(free[1].id)
            .await
            .unwrap()
            .is_none()
    );

    // A disabled account cannot either.
    let (status, _) = sign_in(&app, &app.browser(), "wang.fang", PASSWORD).await;
    assert_eq!(status, 303);
    let user = app
        .store
        .account_for_employee(free[0].id)
        .await
        .unwrap()
        .unwrap();
    app.store
        .set_active(user.id, false, &domain::audit::Actor::system())
        .await
        .unwrap();
    let (status, _) = sign_in(&app, &app.browser(), "wang.fang", PASSWORD).await;
    assert_eq!(status, 401);

    // Failures count in the sign-in throttle.
    app.exec("DELETE FROM login_failures").await;
    let mut last = 0;
    for _ in 0..6 {
        last = sign_in(&app, &app.browser(), "li.na", "wrong again")
            .await
            .0;
    }
    assert_eq!(last, 429);
}
crate::sso_test!(
    directory_refusals,
    wrong_passwords_leavers_and_strangers_fail_alike
);

/// A directory that is down: the page says so (503), and local accounts still sign in.
async fn an_unreachable_directory_is_reported(backend: Backend) {
    let config = service::Settings {
        ldap: Some(settings(free_port())),
        ..Default::default()
    };
    let Some(app) = TestApp::spawn_with_settings(backend, |_| config).await else {
        return;
    };
    let (status, page) = sign_in(&app, &app.browser(), "wang.fang", PASSWORD).await;
    assert_eq!(status, 503);
    assert!(page.contains("cannot be reached") || page.contains("无法访问"));
    let (status, _) = sign_in(&app, &app.browser(), "admin", demo::DEMO_PASSWORD).await;
    assert_eq!(status, 303);
}
crate::sso_test!(directory_down, an_unreachable_directory_is_reported);

/// Median latency of a directory sign-in through the login page (service bind, search,
/// user bind, account lookup, session), over 50 sign-ins. Printed for the record.
async fn directory_sign_in_latency(backend: Backend) {
    let Some((app, _slapd, _, _)) = app_with_directory(backend).await else {
        return;
    };
    // The first sign-in creates the account; measure the steady state.
    sign_in(&app, &app.browser(), "wang.fang", PASSWORD).await;
    let mut times = Vec::new();
    for _ in 0..50 {
        let browser = app.browser();
        let csrf = extract_csrf(&app.page_text(&browser, "/login").await);
        let started = std::time::Instant::now();
        let res = app
            .post_form(
                &browser,
                "/login",
                &[
                    ("username", "wang.fang"),
                    ("password", PASSWORD),
                    ("_csrf", csrf.as_str()),
                ],
            )
            .await;
        times.push(started.elapsed());
        assert_eq!(res.status(), 303);
    }
    times.sort();
    eprintln!(
        "LDAP sign-in latency on {backend:?}: median {:.1} ms, p90 {:.1} ms over {} sign-ins",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() * 9 / 10].as_secs_f64() * 1000.0,
        times.len()
    );
}
crate::sso_test!(directory_latency, directory_sign_in_latency);
