//! Test harness: the real app on 127.0.0.1:0 over a fresh database per test.
//!
//! SQLite tests always run. PostgreSQL variants run when
//! `SKILLBRIDGE_TEST_DATABASE_URL` points at a server (each test creates and
//! drops its own database there) and are skipped with a note otherwise.

use app::server::{RunningServer, start};
use app::worker::Worker;
use domain::account::AccountRepository;
use domain::audit::{AuditEntry, AuditFilter, AuditRepository};
use domain::org::{Department, Employee, EmployeeFilter, EmployeeStatus, OrgRepository};
use domain::{DataScope, Page, Paged};
use std::sync::atomic::{AtomicU64, Ordering};
use store::Store;
use web::WebConfig;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `db_test!(name, |app| async { ... })`, on the demo
/// company without its resource library (loading it costs seconds per test, and tests of
/// the library's rules count what they create). `db_test!(name, with_library, |app| ...)`
/// loads the whole demo; `without_library` says the default explicitly.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::db_test!(@with $name, spawn_without_library, |$app| $body);
    };
    ($name:ident, with_library, |$app:ident| $body:block) => {
        $crate::db_test!(@with $name, spawn, |$app| $body);
    };
    ($name:ident, without_library, |$app:ident| $body:block) => {
        $crate::db_test!(@with $name, spawn_without_library, |$app| $body);
    };
    (@with $name:ident, $spawn:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::support::TestApp::$spawn($crate::support::Backend::Sqlite)
                    .await
                    .expect("sqlite test app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($app) =
                    $crate::support::TestApp::$spawn($crate::support::Backend::Postgres).await
                else {
                    eprintln!("skipped: SKILLBRIDGE_TEST_DATABASE_URL is not set");
                    return;
                };
                $body
            }
        }
    };
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "sbt_{}_{}_{}",
        std::process::id(),
        n,
        service::secrets::hex(&service::secrets::random_bytes::<3>())
    )
}

/// Drops a per-test PostgreSQL database when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // The test's runtime is shutting down; use a private one on a plain thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .execute(&mut conn)
                            .await;
                }
            });
        })
        .join();
    }
}

/// A running app with its own database.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub url: String,
    pub backend: Backend,
    server: Option<RunningServer>,
    _pg: Option<PgDatabase>,
    _dir: Option<TempDir>,
}

/// A temporary folder removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Demo size for tests: big enough for every department to have staff.
pub const TEST_EMPLOYEES: usize = 400;
pub const TEST_SEED: u64 = 11;

impl TestApp {
    /// A fresh database with the (small) demo company and a running server.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::with_demo(backend, true).await
    }

    /// Like [`Self::spawn`], without the demo's resource library.
    pub async fn spawn_without_library(backend: Backend) -> Option<Self> {
        Self::with_demo(backend, false).await
    }

    /// A fresh database with the demo company, with or without its resource library.
    async fn with_demo(backend: Backend, library: bool) -> Option<Self> {
        Self::with_demo_and_settings(backend, library, |_| service::Settings::default()).await
    }

    /// The demo company without its library, served with the use cases' settings that
    /// `settings` makes from the app's base URL (a directory or an OpenID provider to
    /// sign in with).
    pub async fn spawn_with_settings(
        backend: Backend,
        settings: impl FnOnce(&str) -> service::Settings,
    ) -> Option<Self> {
        Self::with_demo_and_settings(backend, false, settings).await
    }

    async fn with_demo_and_settings(
        backend: Backend,
        library: bool,
        settings: impl FnOnce(&str) -> service::Settings,
    ) -> Option<Self> {
        let app = Self::empty_with_settings(backend, settings).await?;
        app::demo_data::load_demo_with(&app.store, TEST_SEED, TEST_EMPLOYEES, library)
            .await
            .expect("demo data loads");
        // The server indexed an empty library at start; index what the demo added.
        service::library::rebuild_index(&app.store, app.state().search.clone())
            .await
            .expect("index rebuilds");
        Some(app)
    }

    /// A fresh, migrated database with no data and a running server whose use cases'
    /// settings `settings` makes from the app's base URL.
    async fn empty_with_settings(
        backend: Backend,
        settings: impl FnOnce(&str) -> service::Settings,
    ) -> Option<Self> {
        let (url, pg, dir) = match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                (
                    format!("sqlite://{}?mode=rwc", dir.0.join("test.db").display()),
                    None,
                    Some(dir),
                )
            }
            Backend::Postgres => {
                let admin_url = std::env::var("SKILLBRIDGE_TEST_DATABASE_URL")
                    .ok()
                    .filter(|u| !u.is_empty())?;
                let name = unique_name();
                {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect(&admin_url)
                        .await
                        .expect("connect to SKILLBRIDGE_TEST_DATABASE_URL");
                    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                        .execute(&mut conn)
                        .await
                        .expect("create test database");
                }
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .expect("URL has a database name");
                let url = format!("{base}/{name}");
                (url, Some(PgDatabase { admin_url, name }), None)
            }
        };
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        // Files in memory: each test starts empty and leaves nothing on disk.
        let files = files::FileStore::memory();
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        let context = service::Context::with_files(store.clone(), settings(&base), files);
        let server = start(context, WebConfig::default(), listener, None)
            .await
            .expect("start");
        Some(Self {
            base: format!("http://{}", server.addr),
            store,
            url,
            backend,
            server: Some(server),
            _pg: pg,
            _dir: dir,
        })
    }

    /// Full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's shared state (metrics etc.).
    pub fn state(&self) -> &web::AppState {
        &self.server.as_ref().expect("running").state
    }

    /// Sends a JSON API request with a bearer token; returns the status and the body
    /// (`Null` when it is not JSON).
    pub async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client()
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Runs one statement on the app's database (to set up states the product
    /// reaches only with time, such as a rating falling due).
    pub async fn exec(&self, sql: &str) {
        use sqlx::Connection;
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
                sqlx::query(sql).execute(&mut conn).await.unwrap();
            }
        }
    }

    /// A worker over this app's use-case context (not started).
    pub fn worker(&self) -> Worker {
        Worker::new(self.state().context.clone())
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A plain client.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// User id of a login.
    pub async fn user_id(&self, username: &str) -> i64 {
        self.store
            .find_credentials(username)
            .await
            .expect("query")
            .expect("user exists")
            .user_id
    }

    /// A fresh API token for a login.
    pub async fn token(&self, username: &str) -> String {
        let id = self.user_id(username).await;
        let actor = domain::audit::Actor::system();
        service::accounts::issue_token(self.state(), id, "test", &actor)
            .await
            .expect("token")
            .0
    }

    /// Signs a browser in through the login form; returns the client and the CSRF token.
    pub async fn login(&self, username: &str) -> (reqwest::Client, String) {
        let browser = self.browser();
        let form = browser
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .unwrap();
        let csrf = extract_csrf(&form);
        let res = browser
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", demo::DEMO_PASSWORD),
                ("_csrf", csrf.as_str()),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 303, "login of {username} redirects");
        let home = browser
            .get(self.url("/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .unwrap();
        (browser, extract_csrf(&home))
    }
}

/// Steps many tests take: reading the demo's organisation and audit log, and the
/// requests of an API client or a signed-in browser.
impl TestApp {
    /// A department by its code (the demo has it).
    pub async fn department(&self, code: &str) -> Department {
        self.store
            .find_department_by_code(code)
            .await
            .expect("query")
            .expect("department exists")
    }

    /// The first `per_page` active employees of a department subtree.
    pub async fn active_employees(&self, department: &str, per_page: u32) -> Vec<Employee> {
        let filter = EmployeeFilter {
            department_id: Some(self.department(department).await.id),
            status: Some(EmployeeStatus::Active),
            ..Default::default()
        };
        self.store
            .list_employees(
                &DataScope::company(),
                &filter,
                Page::new(Some(1), Some(per_page)),
            )
            .await
            .expect("employees")
            .items
    }

    /// A page of the audit log, newest first, of the actions starting with `action`.
    pub async fn audit_page(&self, action: &str, page: Page) -> Paged<AuditEntry> {
        let filter = AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        };
        self.store.list_audit(&filter, page).await.expect("audit")
    }

    /// The first (default-sized) page of the audit log of the actions starting with `action`.
    pub async fn audit(&self, action: &str) -> Paged<AuditEntry> {
        self.audit_page(action, Page::default()).await
    }

    /// GETs an API path with a bearer token; the status.
    pub async fn get_status(&self, token: &str, path: &str) -> u16 {
        self.client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// GETs an API path with a bearer token; the body, which must be JSON.
    pub async fn get_json(&self, token: &str, path: &str) -> serde_json::Value {
        self.client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// GETs a page in a browser; its status.
    pub async fn page_status(&self, browser: &reqwest::Client, path: &str) -> u16 {
        let res = browser.get(self.url(path)).send().await.unwrap();
        res.status().as_u16()
    }

    /// GETs a page in a browser; its text.
    pub async fn page_text(&self, browser: &reqwest::Client, path: &str) -> String {
        let res = browser.get(self.url(path)).send().await.unwrap();
        res.text().await.unwrap()
    }

    /// Posts a form from a browser, the fields as given (with their `_csrf`).
    pub async fn post_form<F: serde::Serialize + ?Sized>(
        &self,
        browser: &reqwest::Client,
        path: &str,
        fields: &F,
    ) -> reqwest::Response {
        browser
            .post(self.url(path))
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Signs `user` in and uploads `bytes` as the file `name` with `fields` to the form
    /// at `path`; returns the status and the body.
    pub async fn upload(
        &self,
        user: &str,
        path: &str,
        (bytes, name): (Vec<u8>, &str),
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        let (browser, csrf) = self.login(user).await;
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let res = browser
            .post(self.url(&format!("{path}?_csrf={csrf}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Connections must close before the PostgreSQL database is dropped.
        if let Some(server) = self.server.take() {
            drop(server);
        }
    }
}

/// The value of the first `_csrf` hidden field in a page.
pub fn extract_csrf(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF field");
    html[start..].split('"').next().unwrap().to_string()
}
