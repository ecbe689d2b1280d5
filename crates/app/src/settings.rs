//! Effective settings: defaults, then `skillbridge.toml`, then `SKILLBRIDGE_*`
//! environment variables, then command-line flags; each value remembers its source.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => write!(f, "default"),
            Source::File(p) => write!(f, "file {}", p.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Flag => write!(f, "flag"),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Compact,
    Json,
}

/// All settings of the binary.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to serve on.
    pub listen: String,
    /// Folder for the embedded database and files.
    pub data_dir: PathBuf,
    /// Explicit database URL; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    /// `tracing` filter directives.
    pub log: String,
    /// Mark cookies Secure (behind HTTPS).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// The company's UTC offset in hours (Asia/Shanghai: 8).
    pub timezone_offset_hours: i8,
    /// Run the background-job worker inside `serve`.
    pub worker: bool,
    /// Folder of the library's files; `None` means `<data_dir>/files`. Unused with S3.
    pub files_dir: Option<PathBuf>,
    /// An S3-compatible bucket for the library's files instead of the folder.
    pub s3_bucket: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_allow_http: bool,
    /// Largest library upload, in MiB.
    pub upload_limit_mb: u64,
    /// Learners' comments wait for a moderator before they are shown.
    pub moderate_comments: bool,
    /// SMTP server for notification e-mail; `None` sends no e-mail.
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: crate::notify::TlsMode,
    pub smtp_user: Option<String>,
    pub smtp_password: Option<String>,
    /// Sender address, `Name <addr>` or `addr`.
    pub smtp_from: Option<String>,
    /// The site's address as people reach it, for links in e-mail.
    pub public_url: Option<String>,
    /// Days after a program's last session before unfinished learners are reminded.
    pub learning_overdue_days: i64,
    /// Bearer token that opens `/metrics` to other hosts; without it only loopback may read it.
    pub metrics_token: Option<String>,
    /// The `[ldap]` and `[oidc]` sections as given, by key (`ldap_url`, `oidc_issuer`, …).
    sso: BTreeMap<&'static str, String>,
    /// A full HR sync that would make more than this share (percent) of the people not
    /// `left` leave is refused unless forced.
    pub sync_max_leaver_percent: f64,
    /// Username of the logins provisioned from employee records: `employee_no` or `email`.
    pub login_username: String,
    sources: BTreeMap<&'static str, Source>,
}

/// Command-line overrides.
#[derive(Debug, Clone, Default)]
pub struct FlagOverrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

/// Keys of the settings, as written in the TOML file; the env name is `SKILLBRIDGE_` + upper case.
pub const KEYS: [&str; 44] = [
    "listen",
    "data_dir",
    "database_url",
    "log_format",
    "log",
    "secure_cookies",
    "session_hours",
    "timezone_offset_hours",
    "worker",
    "files_dir",
    "s3_bucket",
    "s3_endpoint",
    "s3_region",
    "s3_access_key_id",
    "s3_secret_access_key",
    "s3_allow_http",
    "upload_limit_mb",
    "moderate_comments",
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_user",
    "smtp_password",
    "smtp_from",
    "public_url",
    "learning_overdue_days",
    "metrics_token",
    "ldap_url",
    "ldap_bind_dn",
    "ldap_bind_password",
    "ldap_base_dn",
    "ldap_user_filter",
    "ldap_employee_no_attribute",
    "ldap_email_attribute",
    "ldap_timeout_secs",
    "oidc_issuer",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_redirect_url",
    "oidc_claim",
    "oidc_scopes",
    "oidc_provider_name",
    "sync_max_leaver_percent",
    "login_username",
];

/// Sections of the TOML file; `[ldap] url = …` is the key `ldap_url`.
const SECTIONS: [&str; 2] = ["ldap", "oidc"];

/// Settings whose values `describe` hides.
const SECRET_KEYS: [&str; 2] = ["ldap_bind_password", "oidc_client_secret"];

/// Environment variables that are not settings but are ours.
const OTHER_ENV: [&str; 2] = ["SKILLBRIDGE_CONFIG", "SKILLBRIDGE_TEST_DATABASE_URL"];

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            log_format: LogFormat::Pretty,
            log: "info,sqlx=warn".into(),
            secure_cookies: false,
            session_hours: 12,
            timezone_offset_hours: 8,
            worker: true,
            files_dir: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_allow_http: false,
            upload_limit_mb: 200,
            moderate_comments: true,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: crate::notify::TlsMode::Starttls,
            smtp_user: None,
            smtp_password: None,
            smtp_from: None,
            public_url: None,
            learning_overdue_days: 14,
            metrics_token: None,
            sso: BTreeMap::new(),
            sync_max_leaver_percent: 10.0,
            login_username: "employee_no".into(),
            sources: KEYS.iter().map(|k| (*k, Source::Default)).collect(),
        }
    }
}

impl Settings {
    /// Loads settings from `config_file` (or `./skillbridge.toml` if present), the
    /// process environment and `flags`.
    pub fn load(config_file: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Self> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(config_file, &env, flags)
    }

    /// As [`Settings::load`] with an explicit environment (for tests).
    pub fn load_from(
        config_file: Option<&Path>,
        env: &[(String, String)],
        flags: &FlagOverrides,
    ) -> anyhow::Result<Self> {
        let mut s = Settings::default();
        let env_file = env
            .iter()
            .find(|(k, _)| k == "SKILLBRIDGE_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        let (file, required) = match (config_file.map(Path::to_path_buf), env_file) {
            (Some(f), _) | (None, Some(f)) => (f, true),
            (None, None) => (PathBuf::from("skillbridge.toml"), false),
        };
        if file.exists() {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let table: toml::Table = text
                .parse()
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let mut entries = Vec::new();
            for (key, value) in table {
                match value {
                    toml::Value::Table(section) if SECTIONS.contains(&key.as_str()) => {
                        entries.extend(section.into_iter().map(|(k, v)| (format!("{key}_{k}"), v)))
                    }
                    value => entries.push((key, value)),
                }
            }
            for (key, value) in entries {
                let text = match &value {
                    toml::Value::String(v) => v.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => anyhow::bail!(
                        "{}: {key} must be a string, number or boolean",
                        file.display()
                    ),
                };
                s.apply(&key, &text, Source::File(file.clone()))
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            }
        } else if required {
            anyhow::bail!("config file {} does not exist", file.display());
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("SKILLBRIDGE_") else {
                continue;
            };
            if OTHER_ENV.contains(&name.as_str()) {
                continue;
            }
            let key = rest.to_ascii_lowercase();
            if KEYS.contains(&key.as_str()) {
                s.apply(&key, value, Source::Env(name.clone()))
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            } else {
                tracing::warn!(
                    "ignoring unknown environment variable {name}; settings are {}",
                    KEYS.map(|k| format!("SKILLBRIDGE_{}", k.to_uppercase()))
                        .join(", ")
                );
            }
        }
        if let Some(v) = &flags.listen {
            s.apply("listen", v, Source::Flag)?;
        }
        if let Some(v) = &flags.data_dir {
            s.apply("data_dir", &v.to_string_lossy(), Source::Flag)?;
        }
        if let Some(v) = &flags.database_url {
            s.apply("database_url", v, Source::Flag)?;
        }
        s.ldap_settings()?;
        s.oidc_settings()?;
        Ok(s)
    }

    fn apply(&mut self, key: &str, value: &str, source: Source) -> anyhow::Result<()> {
        let bad = |what: &str| anyhow::anyhow!("{key}: '{value}' is not {what}");
        match key {
            "listen" => {
                value
                    .parse::<std::net::SocketAddr>()
                    .map_err(|_| bad("an address like 127.0.0.1:8080"))?;
                self.listen = value.into();
            }
            "data_dir" => self.data_dir = PathBuf::from(value),
            "database_url" => {
                if !(value.starts_with("sqlite:")
                    || value.starts_with("postgres:")
                    || value.starts_with("postgresql:"))
                {
                    return Err(bad("a sqlite:// or postgres:// URL"));
                }
                self.database_url = Some(value.into());
            }
            "log_format" => {
                self.log_format = match value {
                    "pretty" => LogFormat::Pretty,
                    "compact" => LogFormat::Compact,
                    "json" => LogFormat::Json,
                    _ => return Err(bad("pretty, compact or json")),
                }
            }
            "log" => self.log = value.into(),
            "secure_cookies" => {
                self.secure_cookies = parse_bool(value).ok_or_else(|| bad("true or false"))?
            }
            "worker" => self.worker = parse_bool(value).ok_or_else(|| bad("true or false"))?,
            "session_hours" => {
                self.session_hours = value
                    .parse()
                    .ok()
                    .filter(|h| (1..=720).contains(h))
                    .ok_or_else(|| bad("hours between 1 and 720"))?
            }
            "timezone_offset_hours" => {
                self.timezone_offset_hours = value
                    .parse()
                    .ok()
                    .filter(|h: &i8| (-12..=14).contains(h))
                    .ok_or_else(|| bad("an offset between -12 and 14"))?
            }
            "files_dir" => self.files_dir = Some(PathBuf::from(value)),
            "s3_bucket" => self.s3_bucket = Some(value.into()).filter(|v: &String| !v.is_empty()),
            "s3_endpoint" => {
                self.s3_endpoint = Some(value.into()).filter(|v: &String| !v.is_empty())
            }
            "s3_region" => self.s3_region = value.into(),
            "s3_access_key_id" => self.s3_access_key_id = Some(value.into()),
            "s3_secret_access_key" => self.s3_secret_access_key = Some(value.into()),
            "s3_allow_http" => {
                self.s3_allow_http = parse_bool(value).ok_or_else(|| bad("true or false"))?
            }
            "upload_limit_mb" => {
                self.upload_limit_mb = value
                    .parse()
                    .ok()
                    .filter(|m| (1..=102_400).contains(m))
                    .ok_or_else(|| bad("megabytes between 1 and 102400"))?
            }
            "moderate_comments" => {
                self.moderate_comments = parse_bool(value).ok_or_else(|| bad("true or false"))?
            }
            "metrics_token" => {
                self.metrics_token = Some(value.trim().to_string()).filter(|v| !v.is_empty())
            }
            "sync_max_leaver_percent" => {
                self.sync_max_leaver_percent = value
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..=100.0).contains(p))
                    .ok_or_else(|| bad("a percentage between 0 and 100"))?
            }
            "login_username" => {
                self.login_username = match value.trim() {
                    v @ ("employee_no" | "email") => v.to_string(),
                    _ => return Err(bad("employee_no or email")),
                }
            }
            "smtp_host" => {
                self.smtp_host = Some(value.trim().to_string()).filter(|v| !v.is_empty())
            }
            "smtp_port" => {
                self.smtp_port = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| bad("a port between 1 and 65535"))?,
                )
            }
            "smtp_tls" => {
                self.smtp_tls = crate::notify::TlsMode::parse(value)
                    .ok_or_else(|| bad("none, starttls or tls"))?
            }
            "smtp_user" => self.smtp_user = Some(value.to_string()).filter(|v| !v.is_empty()),
            "smtp_password" => {
                self.smtp_password = Some(value.to_string()).filter(|v| !v.is_empty())
            }
            "smtp_from" => {
                value
                    .parse::<lettre::message::Mailbox>()
                    .map_err(|_| bad("an address like 培训中心 <training@example.com>"))?;
                self.smtp_from = Some(value.to_string())
            }
            "public_url" => {
                if !(value.starts_with("http://") || value.starts_with("https://")) {
                    return Err(bad("an http:// or https:// address"));
                }
                self.public_url = Some(value.trim_end_matches('/').to_string())
            }
            "learning_overdue_days" => {
                self.learning_overdue_days = value
                    .parse()
                    .ok()
                    .filter(|d| (1..=365).contains(d))
                    .ok_or_else(|| bad("days between 1 and 365"))?
            }
            "ldap_url" => {
                if !(value.starts_with("ldap://") || value.starts_with("ldaps://")) {
                    return Err(bad("an ldap:// or ldaps:// URL"));
                }
                self.set_sso(key, value);
            }
            "ldap_user_filter" => {
                if !(value.contains("{username}") && value.starts_with('(')) {
                    return Err(bad("an LDAP filter with {username}, like (uid={username})"));
                }
                self.set_sso(key, value);
            }
            "ldap_timeout_secs" => {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|s| (1..=120).contains(s))
                    .ok_or_else(|| bad("seconds between 1 and 120"))?;
                self.set_sso(key, value);
            }
            "oidc_issuer" | "oidc_redirect_url" => {
                if !(value.starts_with("http://") || value.starts_with("https://")) {
                    return Err(bad("an http:// or https:// address"));
                }
                self.set_sso(key, value);
            }
            key if key.starts_with("ldap_") || key.starts_with("oidc_") => self.set_sso(key, value),
            other => anyhow::bail!(
                "unknown setting '{other}'; known settings: {}",
                KEYS.join(", ")
            ),
        }
        self.sources.insert(
            KEYS.iter().find(|k| **k == key).copied().unwrap_or("?"),
            source,
        );
        Ok(())
    }

    fn set_sso(&mut self, key: &str, value: &str) {
        if let Some(key) = KEYS.iter().find(|k| **k == key) {
            self.sso.insert(key, value.trim().to_string());
        }
    }

    fn sso_value(&self, key: &str) -> Option<String> {
        self.sso.get(key).filter(|v| !v.is_empty()).cloned()
    }

    /// The LDAP directory for login-form passwords, when `ldap_url` is set (then
    /// `ldap_base_dn` is required).
    pub fn ldap_settings(&self) -> anyhow::Result<Option<service::sso::LdapSettings>> {
        let Some(url) = self.sso_value("ldap_url") else {
            return Ok(None);
        };
        let Some(base_dn) = self.sso_value("ldap_base_dn") else {
            anyhow::bail!("[ldap] url is set: base_dn is required");
        };
        let or = |key: &str, default: &str| self.sso_value(key).unwrap_or_else(|| default.into());
        Ok(Some(service::sso::LdapSettings {
            url,
            bind_dn: or("ldap_bind_dn", ""),
            bind_password: or("ldap_bind_password", ""),
            base_dn,
            user_filter: or(
                "ldap_user_filter",
                "(&(objectClass=inetOrgPerson)(uid={username}))",
            ),
            employee_no_attribute: or("ldap_employee_no_attribute", "employeeNumber"),
            email_attribute: or("ldap_email_attribute", "mail"),
            timeout_secs: or("ldap_timeout_secs", "5").parse().unwrap_or(5),
        }))
    }

    /// The OpenID provider, when `oidc_issuer` is set (then the client id and secret are
    /// required, and the redirect URL unless `public_url` gives it).
    pub fn oidc_settings(&self) -> anyhow::Result<Option<service::sso::OidcSettings>> {
        let Some(issuer) = self.sso_value("oidc_issuer") else {
            return Ok(None);
        };
        let (Some(client_id), Some(client_secret)) = (
            self.sso_value("oidc_client_id"),
            self.sso_value("oidc_client_secret"),
        ) else {
            anyhow::bail!("[oidc] issuer is set: client_id and client_secret are required");
        };
        let redirect_url = match (self.sso_value("oidc_redirect_url"), &self.public_url) {
            (Some(url), _) => url,
            (None, Some(base)) => format!("{base}/login/oidc/callback"),
            (None, None) => {
                anyhow::bail!("[oidc] issuer is set: redirect_url (or public_url) is required")
            }
        };
        let or = |key: &str, default: &str| self.sso_value(key).unwrap_or_else(|| default.into());
        Ok(Some(service::sso::OidcSettings {
            issuer,
            client_id,
            client_secret,
            redirect_url,
            claim: or("oidc_claim", "email"),
            scopes: or("oidc_scopes", "email profile"),
            provider_name: or("oidc_provider_name", "SSO"),
        }))
    }

    /// The database URL in use: the explicit one, or SQLite in the data folder.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("skillbridge.db").display()
            ),
        }
    }

    /// Where the library's files live: the S3 bucket when one is set (its keys are
    /// then required), otherwise the folder.
    pub fn file_settings(&self) -> anyhow::Result<files::FileSettings> {
        let Some(bucket) = &self.s3_bucket else {
            return Ok(files::FileSettings::Local {
                dir: self.files_dir.clone(),
            });
        };
        let (Some(key), Some(secret)) = (&self.s3_access_key_id, &self.s3_secret_access_key) else {
            anyhow::bail!(
                "s3_bucket is set: s3_access_key_id and s3_secret_access_key are required"
            );
        };
        Ok(files::FileSettings::S3(files::S3Settings {
            endpoint: self.s3_endpoint.clone(),
            bucket: bucket.clone(),
            region: self.s3_region.clone(),
            access_key_id: key.clone(),
            secret_access_key: secret.clone(),
            allow_http: self.s3_allow_http,
        }))
    }

    /// What the notification jobs need: the SMTP server (when `smtp_host` is set; then
    /// `smtp_from` is required), links' base address and the overdue threshold.
    pub fn notify_config(&self) -> anyhow::Result<crate::notify::NotifyConfig> {
        let smtp = match &self.smtp_host {
            None => None,
            Some(host) => {
                let Some(from) = &self.smtp_from else {
                    anyhow::bail!("smtp_host is set: smtp_from is required");
                };
                if self.smtp_user.is_some() != self.smtp_password.is_some() {
                    anyhow::bail!("smtp_user and smtp_password go together");
                }
                Some(crate::notify::SmtpSettings {
                    host: host.clone(),
                    port: self.smtp_port,
                    tls: self.smtp_tls,
                    user: self.smtp_user.clone(),
                    password: self.smtp_password.clone(),
                    from: from.clone(),
                })
            }
        };
        Ok(crate::notify::NotifyConfig {
            smtp,
            public_url: self.public_url.clone(),
            learning_overdue_days: self.learning_overdue_days,
            timezone: time::UtcOffset::from_hms(self.timezone_offset_hours, 0, 0)?,
        })
    }

    /// `key = value    # source` lines with secrets redacted.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for key in KEYS {
            let value = match key {
                "listen" => self.listen.clone(),
                "data_dir" => self.data_dir.display().to_string(),
                "database_url" => match &self.database_url {
                    Some(url) => redact_url(url),
                    None => format!("(none: {})", self.effective_database_url()),
                },
                "log_format" => format!("{:?}", self.log_format).to_lowercase(),
                "log" => self.log.clone(),
                "secure_cookies" => self.secure_cookies.to_string(),
                "session_hours" => self.session_hours.to_string(),
                "timezone_offset_hours" => self.timezone_offset_hours.to_string(),
                "worker" => self.worker.to_string(),
                "files_dir" => match &self.files_dir {
                    Some(dir) => dir.display().to_string(),
                    None => format!("(none: {})", self.data_dir.join("files").display()),
                },
                "s3_bucket" => self.s3_bucket.clone().unwrap_or_default(),
                "s3_endpoint" => self.s3_endpoint.clone().unwrap_or_default(),
                "s3_region" => self.s3_region.clone(),
                "s3_access_key_id" => self.s3_access_key_id.clone().unwrap_or_default(),
                "s3_secret_access_key" => match &self.s3_secret_access_key {
                    Some(_) => "***".into(),
                    None => String::new(),
                },
                "s3_allow_http" => self.s3_allow_http.to_string(),
                "upload_limit_mb" => self.upload_limit_mb.to_string(),
                "moderate_comments" => self.moderate_comments.to_string(),
                "smtp_host" => self.smtp_host.clone().unwrap_or_default(),
                "smtp_port" => self.smtp_port.map(|p| p.to_string()).unwrap_or_default(),
                "smtp_tls" => self.smtp_tls.code().to_string(),
                "smtp_user" => self.smtp_user.clone().unwrap_or_default(),
                "smtp_password" => match &self.smtp_password {
                    Some(_) => "***".into(),
                    None => String::new(),
                },
                "smtp_from" => self.smtp_from.clone().unwrap_or_default(),
                "public_url" => self.public_url.clone().unwrap_or_default(),
                "learning_overdue_days" => self.learning_overdue_days.to_string(),
                "metrics_token" => match &self.metrics_token {
                    Some(_) => "***".into(),
                    None => String::new(),
                },
                key if SECRET_KEYS.contains(&key) => match self.sso.get(key) {
                    Some(_) => "***".into(),
                    None => String::new(),
                },
                "sync_max_leaver_percent" => self.sync_max_leaver_percent.to_string(),
                "login_username" => self.login_username.clone(),
                key => self.sso.get(key).cloned().unwrap_or_default(),
            };
            let source = self.sources.get(key).cloned().unwrap_or(Source::Default);
            out.push_str(&format!("{key:<26} = {value:<50} # {source}\n"));
        }
        out
    }

    /// Where `key` came from.
    pub fn source_of(&self, key: &str) -> Source {
        self.sources.get(key).cloned().unwrap_or(Source::Default)
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Replaces the password of a URL with `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_in_order_and_remember_sources() {
        let dir = std::env::temp_dir().join(format!("sb-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("skillbridge.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nsession_hours = 8\nworker = false\n",
        )
        .unwrap();
        let flags = FlagOverrides {
            data_dir: Some(PathBuf::from("/tmp/x")),
            ..Default::default()
        };
        let s = Settings::load_from(
            Some(&file),
            &env(&[("SKILLBRIDGE_SESSION_HOURS", "4")]),
            &flags,
        )
        .unwrap();
        assert_eq!(s.listen, "127.0.0.1:9000");
        assert_eq!(s.source_of("listen"), Source::File(file.clone()));
        assert_eq!(s.session_hours, 4);
        assert_eq!(
            s.source_of("session_hours"),
            Source::Env("SKILLBRIDGE_SESSION_HOURS".into())
        );
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.source_of("data_dir"), Source::Flag);
        assert!(!s.worker);
        assert_eq!(s.source_of("log"), Source::Default);
        assert_eq!(
            s.effective_database_url(),
            "sqlite:///tmp/x/skillbridge.db?mode=rwc"
        );
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_LISTEN", "nowhere")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("SKILLBRIDGE_LISTEN"), "{err}");
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_DATABASE_URL", "mysql://x")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("database_url"), "{err}");
    }

    #[test]
    fn library_settings_default_and_parse() {
        let s = Settings::load_from(None, &env(&[]), &FlagOverrides::default()).unwrap();
        assert_eq!(s.upload_limit_mb, 200);
        assert!(s.moderate_comments);
        assert!(matches!(
            s.file_settings().unwrap(),
            files::FileSettings::Local { dir: None }
        ));
        let s = Settings::load_from(
            None,
            &env(&[
                ("SKILLBRIDGE_UPLOAD_LIMIT_MB", "5"),
                ("SKILLBRIDGE_MODERATE_COMMENTS", "false"),
                ("SKILLBRIDGE_S3_BUCKET", "library"),
            ]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert_eq!(s.upload_limit_mb, 5);
        assert!(!s.moderate_comments);
        let err = s.file_settings().unwrap_err().to_string();
        assert!(err.contains("s3_access_key_id"), "{err}");
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_UPLOAD_LIMIT_MB", "0")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("upload_limit_mb"), "{err}");
        let s = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_S3_SECRET_ACCESS_KEY", "t0psecret")]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert!(!s.describe().contains("t0psecret"));
    }

    #[test]
    fn smtp_settings_parse_and_hide_the_password() {
        let s = Settings::load_from(None, &env(&[]), &FlagOverrides::default()).unwrap();
        assert!(s.notify_config().unwrap().smtp.is_none());
        assert_eq!(s.learning_overdue_days, 14);
        let s = Settings::load_from(
            None,
            &env(&[
                ("SKILLBRIDGE_SMTP_HOST", "mail.example.com"),
                ("SKILLBRIDGE_SMTP_TLS", "tls"),
                ("SKILLBRIDGE_SMTP_USER", "training"),
                ("SKILLBRIDGE_SMTP_PASSWORD", "m@ilpass"),
                ("SKILLBRIDGE_SMTP_FROM", "培训中心 <training@example.com>"),
                ("SKILLBRIDGE_LEARNING_OVERDUE_DAYS", "30"),
            ]),
            &FlagOverrides::default(),
        )
        .unwrap();
        let smtp = s.notify_config().unwrap().smtp.unwrap();
        assert_eq!(smtp.tls, crate::notify::TlsMode::Tls);
        assert_eq!(s.learning_overdue_days, 30);
        assert!(!s.describe().contains("m@ilpass"));
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_SMTP_TLS", "ssl3")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("smtp_tls"), "{err}");
        let s = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_SMTP_HOST", "mail.example.com")]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert!(
            s.notify_config()
                .unwrap_err()
                .to_string()
                .contains("smtp_from")
        );
    }

    #[test]
    fn ldap_and_oidc_sections_parse() {
        let dir = std::env::temp_dir().join(format!("sb-sso-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("skillbridge.toml");
        std::fs::write(
            &file,
            "public_url = \"https://sb.example.com\"\n[ldap]\nurl = \"ldap://dc.example.com\"\nbase_dn = \"dc=example,dc=com\"\nbind_password = \"b1ndpass\"\n[oidc]\nissuer = \"https://id.example.com\"\nclient_id = \"sb\"\nclient_secret = \"cl1entsecret\"\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&file), &env(&[]), &FlagOverrides::default()).unwrap();
        let ldap = s.ldap_settings().unwrap().unwrap();
        assert_eq!(ldap.employee_no_attribute, "employeeNumber");
        assert!(ldap.user_filter.contains("{username}"));
        let oidc = s.oidc_settings().unwrap().unwrap();
        assert_eq!(
            oidc.redirect_url,
            "https://sb.example.com/login/oidc/callback"
        );
        let text = s.describe();
        assert!(
            !text.contains("b1ndpass") && !text.contains("cl1entsecret"),
            "{text}"
        );
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_LDAP_URL", "ldap://dc")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("base_dn"), "{err}");
        let err = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_LDAP_USER_FILTER", "uid=x")]),
            &FlagOverrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("ldap_user_filter"), "{err}");
    }

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/sb"),
            "postgres://app:***@db:5432/sb"
        );
        let s = Settings::load_from(
            None,
            &env(&[("SKILLBRIDGE_DATABASE_URL", "postgres://app:s3cret@db/sb")]),
            &FlagOverrides::default(),
        )
        .unwrap();
        assert!(!s.describe().contains("s3cret"));
        assert!(s.describe().contains("env SKILLBRIDGE_DATABASE_URL"));
    }
}
