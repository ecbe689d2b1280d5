//! OpenID Connect sign-in against a real provider: the certified `oidc-provider`
//! package (crates/app/tests/oidc) run with Node, driven through its development
//! sign-in forms by a browser-like client, ending in a session of the app.

use crate::ldap_server::free_port;
use crate::support::{Backend, TestApp};
use domain::org::{Employee, EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DataScope, Page};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use store::prelude::SsoRepository;

/// A running provider, stopped on drop.
struct Provider {
    child: Child,
    issuer: String,
}

impl Provider {
    /// Starts the provider on `port` for the app's callback with `accounts` (JSON).
    fn start(port: u16, redirect_uri: &str, accounts: &serde_json::Value) -> Self {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "run `npm ci` in {} first (.ci/run does)",
            dir.display()
        );
        let child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("REDIRECT_URI", redirect_uri)
            .env("ACCOUNTS", accounts.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let provider = Self {
            child,
            issuer: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the OpenID provider did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        provider
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn oidc_settings(issuer: &str, base: &str) -> service::sso::OidcSettings {
    service::sso::OidcSettings {
        issuer: issuer.into(),
        client_id: "skillbridge".into(),
        client_secret: "skillbridge-test-secret".into(),
        redirect_url: format!("{base}/login/oidc/callback"),
        claim: "employee_number".into(),
        scopes: "email profile employee".into(),
        provider_name: "TestID".into(),
    }
}

/// The value of an HTML attribute after `marker` in `html`.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let from = html.find(marker)?;
    let rest = &html[..from];
    let form = rest.rfind("<form")?;
    let tag = &html[form..];
    let start = tag.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    Some(
        tag[start..]
            .split('"')
            .next()?
            .replace("&amp;", "&")
            .replace("&#x2F;", "/")
            .replace("&#47;", "/"),
    )
}

/// Follows the sign-in from `/login/oidc` through the provider's forms as `login`,
/// until the app's callback answers; that answer's status and Location.
async fn sign_in(app: &TestApp, browser: &reqwest::Client, login: &str) -> (u16, String) {
    let mut url = app.url("/login/oidc");
    for _ in 0..12 {
        let res = browser.get(&url).send().await.unwrap();
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if url.starts_with(&app.url("/login/oidc/callback")) {
            return match location {
                Some(to) => (status, to),
                None => (status, res.text().await.unwrap()),
            };
        }
        if let Some(next) = location {
            url = res.url().join(&next).unwrap().to_string();
            continue;
        }
        assert_eq!(status, 200, "{url}");
        let page_url = res.url().clone();
        let html = res.text().await.unwrap();
        let (prompt, fields): (&str, Vec<(&str, &str)>) = if html.contains("value=\"login\"") {
            (
                "value=\"login\"",
                vec![("prompt", "login"), ("login", login), ("password", "any")],
            )
        } else if html.contains("value=\"consent\"") {
            ("value=\"consent\"", vec![("prompt", "consent")])
        } else {
            panic!("unexpected provider page at {url}: {html}");
        };
        let action = attribute_after(&html, prompt, "action").expect("form action");
        let action = page_url.join(&action).unwrap();
        let res = browser.post(action).form(&fields).send().await.unwrap();
        let next = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("redirect");
        url = res.url().join(next).unwrap().to_string();
    }
    panic!("the sign-in did not come back to the app");
}

/// Active demo employees without an account.
async fn free_employees(app: &TestApp) -> Vec<Employee> {
    let filter = EmployeeFilter {
        status: Some(EmployeeStatus::Active),
        ..Default::default()
    };
    let mut free = Vec::new();
    for e in app
        .store
        .list_employees(&DataScope::company(), &filter, Page::new(Some(1), Some(40)))
        .await
        .unwrap()
        .items
    {
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
    free
}

async fn people_sign_in_through_the_provider(backend: Backend) {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let Some(app) = TestApp::spawn_with_settings(backend, |base| service::Settings {
        oidc: Some(oidc_settings(&issuer, base)),
        ..Default::default()
    })
    .await
    else {
        return;
    };
    let free = free_employees(&app).await;
    app.exec(&format!(
        "UPDATE employees SET status = 'left' WHERE id = {}",
        free[1].id
    ))
    .await;
    let accounts = serde_json::json!({
        "alice": {"employee_number": free[0].employee_no, "email": "alice@id.test", "name": "Alice"},
        "leaver": {"employee_number": free[1].employee_no},
        "nobody": {"employee_number": "NO-SUCH-NUMBER"},
        "no-claim": {"email": "no-claim@id.test"},
    });
    let provider = Provider::start(port, &app.url("/login/oidc/callback"), &accounts);
    assert_eq!(provider.issuer, issuer);

    // The login page offers the provider.
    let browser = app.browser();
    let login = app.page_text(&browser, "/login").await;
    assert!(
        login.contains("/login/oidc") && login.contains("TestID"),
        "{login}"
    );

    // The whole redirect flow ends in a session of the employee's new account.
    let (status, location) = sign_in(&app, &browser, "alice").await;
    assert_eq!((status, location.as_str()), (303, "/"));
    assert!(app.page_text(&browser, "/").await.contains(&free[0].name));
    let user = app
        .store
        .account_for_employee(free[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.username, free[0].employee_no);
    // Again: the same account.
    let (status, _) = sign_in(&app, &app.browser(), "alice").await;
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

    // Leavers, people who are no employee and tokens without the claim are refused.
    for who in ["leaver", "nobody", "no-claim"] {
        let browser = app.browser();
        let (status, page) = sign_in(&app, &browser, who).await;
        assert_eq!(status, 401, "{who}");
        assert!(
            page.contains("Single sign-on") || page.contains("单点登录"),
            "{page}"
        );
        assert_eq!(
            app.page_status(&browser, "/").await,
            303,
            "{who} has no session"
        );
    }

    // A callback with a state this browser did not start is refused.
    let browser = app.browser();
    let res = browser
        .get(app.url("/login/oidc/callback?code=forged&state=forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The state of another browser is refused too.
    let started = browser.get(app.url("/login/oidc")).send().await.unwrap();
    let to = started.headers()["location"].to_str().unwrap().to_string();
    let state = reqwest::Url::parse(&to)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.to_string())
        .unwrap();
    let res = app
        .browser()
        .get(app.url(&format!("/login/oidc/callback?code=x&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    drop(provider);
}
crate::sso_test!(oidc_sign_in, people_sign_in_through_the_provider);

async fn without_a_provider_there_is_no_button(backend: Backend) {
    let Some(app) = TestApp::spawn_with_settings(backend, |_| service::Settings::default()).await
    else {
        return;
    };
    let browser = app.browser();
    assert!(
        !app.page_text(&browser, "/login")
            .await
            .contains("/login/oidc")
    );
    assert_eq!(app.page_status(&browser, "/login/oidc").await, 404);
}
crate::sso_test!(oidc_not_configured, without_a_provider_there_is_no_button);
