//! Accounts, role grants, sessions, API tokens and login throttling.

use crate::audit::{append_in, write_audited};
use crate::query::{fetch_page, fetch_rows, paged, push_any_contains, push_in_list};
use crate::{DbTime, db_error, db_error_or, on_pool, search_pattern};
use domain::account::{
    AccountRepository, ApiToken, Credentials, LoginFailures, NewUser, SessionRecord, User,
    UserFilter,
};
use domain::audit::Actor;
use domain::{DomainError, DomainResult, Grant, Page, Paged, Principal, Role, ScopeKind};
use sqlx::{Database, Encode, QueryBuilder, Type};
use time::{Duration, OffsetDateTime};

/// Refuses, inside the write transaction `$tx`, a change that would leave the company
/// without an active system administrator (the change is rolled back with the error).
macro_rules! ensure_an_admin_remains {
    ($tx:ident) => {{
        let admins: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT u.id) FROM users u JOIN role_grants g ON g.user_id = u.id \
             WHERE g.role = 'system_admin' AND u.active",
        )
        .fetch_one(&mut *$tx)
        .await
        .map_err(db_error)?;
        if admins == 0 {
            return Err(DomainError::Conflict(
                "at least one active system administrator must remain".into(),
            ));
        }
    }};
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    employee_id: Option<i64>,
    active: bool,
    locale: Option<String>,
    created_at: DbTime,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: i64,
    role: String,
    scope_kind: String,
    department_id: Option<i64>,
    department_path: Option<String>,
    department_name: Option<String>,
}

impl GrantRow {
    fn into_grant(self) -> Option<Grant> {
        let role = Role::parse(&self.role)?;
        let scope = match (self.scope_kind.as_str(), self.department_id) {
            ("self", _) => ScopeKind::SelfOnly,
            ("company", _) => ScopeKind::Company,
            ("department", Some(id)) => ScopeKind::Department(id),
            _ => return None,
        };
        Some(Grant {
            role,
            scope,
            department_path: self.department_path,
            department_name: self.department_name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created_at: DbTime,
    last_used_at: Option<DbTime>,
    revoked_at: Option<DbTime>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at.0,
            last_used_at: r.last_used_at.map(|t| t.0),
            revoked_at: r.revoked_at.map(|t| t.0),
        }
    }
}

const USER_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.employee_id, u.active, u.locale, u.created_at";
const GRANT_SELECT: &str = "SELECT g.user_id, g.role, g.scope_kind, g.department_id, d.path AS department_path, \
     d.name AS department_name FROM role_grants g LEFT JOIN departments d ON d.id = g.department_id ";

fn scope_key(scope: ScopeKind) -> String {
    match scope {
        ScopeKind::SelfOnly => "self".into(),
        ScopeKind::Company => "company".into(),
        ScopeKind::Department(id) => format!("department:{id}"),
    }
}

fn scope_department(scope: ScopeKind) -> Option<i64> {
    match scope {
        ScopeKind::Department(id) => Some(id),
        _ => None,
    }
}

fn grant_json(role: Role, scope: ScopeKind) -> String {
    serde_json::json!({ "role": role.code(), "scope": scope }).to_string()
}

fn user_json(user: &User) -> String {
    serde_json::to_string(user).unwrap_or_default()
}

fn assemble(rows: Vec<UserRow>, grants: Vec<GrantRow>) -> Vec<User> {
    let mut users: Vec<User> = rows
        .into_iter()
        .map(|r| User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            employee_id: r.employee_id,
            active: r.active,
            locale: r.locale,
            created_at: r.created_at.0,
            grants: Vec::new(),
        })
        .collect();
    for g in grants {
        let user_id = g.user_id;
        if let (Some(user), Some(grant)) =
            (users.iter_mut().find(|u| u.id == user_id), g.into_grant())
        {
            user.grants.push(grant);
        }
    }
    users
}

fn push_user_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, filter: &UserFilter)
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    bool: Encode<'a, DB> + Type<DB>,
{
    qb.push("1=1");
    if let Some(pattern) = search_pattern(filter.q.as_deref()) {
        push_any_contains(qb, &["u.username", "u.display_name"], &pattern);
    }
    if let Some(role) = filter.role {
        qb.push(" AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.role = ")
            .push_bind(role.code().to_string())
            .push(")");
    }
    if let Some(active) = filter.active {
        qb.push(" AND u.active = ").push_bind(active);
    }
}

impl AccountRepository for crate::Store {
    async fn create_user(&self, user: &NewUser, actor: &Actor) -> DomainResult<User> {
        domain::account::validate_username(&user.username)?;
        if user.display_name.trim().is_empty() {
            return Err(DomainError::invalid("display_name", "must not be empty"));
        }
        let now = DbTime(OffsetDateTime::now_utc());
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (username, display_name, password_hash, employee_id, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(&user.username)
            .bind(user.display_name.trim())
            .bind(&user.password_hash)
            .bind(user.employee_id)
            .bind(true)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error_or(|| DomainError::Conflict(format!("username '{}' is taken", user.username))))?;
            for (role, scope) in &user.grants {
                sqlx::query(
                    "INSERT INTO role_grants (user_id, role, scope_kind, department_id, scope_key, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(role.code())
                .bind(scope.code())
                .bind(scope_department(*scope))
                .bind(scope_key(*scope))
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            let after = serde_json::json!({
                "username": user.username,
                "display_name": user.display_name,
                "employee_id": user.employee_id,
                "grants": user.grants.iter().map(|(r, s)| serde_json::json!({"role": r.code(), "scope": s})).collect::<Vec<_>>(),
            });
            append_in!(
                tx,
                &actor
                    .entry("account.create", "user")
                    .entity(id)
                    .change(None, Some(after.to_string()))
            );
            tx.commit().await.map_err(db_error)?;
            id
        });
        self.get_user(id).await
    }

    async fn get_user(&self, id: i64) -> DomainResult<User> {
        on_pool!(self, |pool| {
            let rows: Vec<UserRow> = sqlx::query_as(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
            ))
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            let grants: Vec<GrantRow> = sqlx::query_as(&format!(
                "{GRANT_SELECT} WHERE g.user_id = $1 ORDER BY g.id"
            ))
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            assemble(rows, grants)
                .pop()
                .ok_or(DomainError::NotFound { entity: "user" })
        })
    }

    async fn list_users(&self, filter: &UserFilter, page: Page) -> DomainResult<Paged<User>> {
        on_pool!(self, |pool| {
            let mut qb = QueryBuilder::new(format!("SELECT {USER_COLUMNS} FROM users u WHERE "));
            push_user_filter(&mut qb, filter);
            qb.push(" ORDER BY u.username");
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM users u WHERE ");
            push_user_filter(&mut count, filter);
            let (rows, total): (Vec<UserRow>, i64) =
                fetch_page(pool, &mut qb, &mut count, page).await?;
            let mut grants = Vec::new();
            if !rows.is_empty() {
                let mut gq = QueryBuilder::new(GRANT_SELECT);
                gq.push(" WHERE g.user_id IN (");
                push_in_list(&mut gq, rows.iter().map(|r| r.id));
                gq.push(" ORDER BY g.id");
                grants = fetch_rows(pool, &mut gq).await?;
            }
            Ok(paged(page, total, assemble(rows, grants)))
        })
    }

    async fn find_credentials(&self, username: &str) -> DomainResult<Option<Credentials>> {
        on_pool!(self, |pool| {
            let row: Option<(i64, String, bool)> = sqlx::query_as(
                "SELECT id, password_hash, active FROM users WHERE lower(username) = lower($1)",
            )
            .bind(username)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(row.map(|(user_id, password_hash, active)| Credentials {
                user_id,
                password_hash,
                active,
            }))
        })
    }

    async fn load_principal(&self, user_id: i64) -> DomainResult<Principal> {
        let user = self.get_user(user_id).await?;
        if !user.active {
            return Err(DomainError::Unauthenticated);
        }
        Ok(Principal {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            employee_id: user.employee_id,
            grants: user.grants,
            locale: user.locale,
        })
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session_hash: Option<&str>,
        keep_tokens: bool,
        actor: &Actor,
    ) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let changed =
                sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(password_hash)
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?
                    .rows_affected();
            if changed == 0 {
                return Err(DomainError::NotFound { entity: "user" });
            }
            if !keep_tokens {
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            write_audited!(
                tx,
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user_id)
                    .bind(keep_session_hash.unwrap_or("")),
                &actor
                    .entry("account.password_change", "user")
                    .entity(user_id)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    async fn set_active(&self, user_id: i64, active: bool, actor: &Actor) -> DomainResult<()> {
        let before = self.get_user(user_id).await?;
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
                .bind(active)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            if !active {
                ensure_an_admin_remains!(tx);
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
            }
            let action = if active {
                "account.enable"
            } else {
                "account.disable"
            };
            let mut after = before.clone();
            after.active = active;
            append_in!(
                tx,
                &actor
                    .entry(action, "user")
                    .entity(user_id)
                    .change(Some(user_json(&before)), Some(user_json(&after)))
            );
            tx.commit().await.map_err(db_error)
        })
    }

    async fn set_locale(&self, user_id: i64, locale: &str) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
                .bind(locale)
                .bind(user_id)
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    async fn add_grant(
        &self,
        user_id: i64,
        role: Role,
        scope: ScopeKind,
        actor: &Actor,
    ) -> DomainResult<()> {
        let now = DbTime(OffsetDateTime::now_utc());
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let added = sqlx::query(
                "INSERT INTO role_grants (user_id, role, scope_kind, department_id, scope_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, role, scope_key) DO NOTHING",
            )
            .bind(user_id)
            .bind(role.code())
            .bind(scope.code())
            .bind(scope_department(scope))
            .bind(scope_key(scope))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db_error_or(|| DomainError::invalid("scope", "the user or the department does not exist")))?
            .rows_affected();
            if added > 0 {
                append_in!(
                    tx,
                    &actor
                        .entry("role.grant", "user")
                        .entity(user_id)
                        .change(None, Some(grant_json(role, scope)))
                );
            }
            tx.commit().await.map_err(db_error)
        })
    }

    async fn remove_grant(
        &self,
        user_id: i64,
        role: Role,
        scope: ScopeKind,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let removed = sqlx::query(
                "DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND scope_key = $3",
            )
            .bind(user_id)
            .bind(role.code())
            .bind(scope_key(scope))
            .execute(&mut *tx)
            .await
            .map_err(db_error)?
            .rows_affected();
            if removed == 0 {
                return Err(DomainError::NotFound {
                    entity: "role grant",
                });
            }
            if role == Role::SystemAdmin {
                ensure_an_admin_remains!(tx);
            }
            append_in!(
                tx,
                &actor
                    .entry("role.revoke", "user")
                    .entity(user_id)
                    .change(Some(grant_json(role, scope)), None)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    async fn count_users(&self) -> DomainResult<i64> {
        on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM users"
        )
        .fetch_one(pool)
        .await
        .map_err(db_error))
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: OffsetDateTime,
        ip: Option<&str>,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(token_hash)
                .bind(user_id)
                .bind(csrf_token)
                .bind(DbTime(OffsetDateTime::now_utc()))
                .bind(DbTime(expires_at))
                .bind(ip)
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    async fn find_session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> DomainResult<Option<SessionRecord>> {
        on_pool!(self, |pool| {
            let row: Option<(i64, String, DbTime)> = sqlx::query_as(
                "SELECT s.user_id, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
            )
            .bind(token_hash)
            .bind(DbTime(now))
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(row.map(|(user_id, csrf_token, expires_at)| SessionRecord {
                user_id,
                csrf_token,
                expires_at: expires_at.0,
            }))
        })
    }

    async fn delete_session(&self, token_hash: &str) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    async fn purge_expired(&self, now: OffsetDateTime) -> DomainResult<u64> {
        on_pool!(self, |pool| {
            let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(DbTime(now))
                .execute(pool)
                .await
                .map_err(db_error)?
                .rows_affected();
            let failures = sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(DbTime(now - Duration::days(1)))
                .execute(pool)
                .await
                .map_err(db_error)?
                .rows_affected();
            Ok(sessions + failures)
        })
    }

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
        actor: &Actor,
    ) -> DomainResult<ApiToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(DomainError::invalid(
                "name",
                "must be 1 to 100 characters long",
            ));
        }
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let row: TokenRow = sqlx::query_as(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING id, name, prefix, created_at, last_used_at, revoked_at",
            )
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(prefix)
            .bind(DbTime(OffsetDateTime::now_utc()))
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let after = serde_json::json!({ "name": name, "prefix": prefix }).to_string();
            append_in!(
                tx,
                &actor
                    .entry("api_token.create", "api_token")
                    .entity(row.id)
                    .change(None, Some(after))
            );
            tx.commit().await.map_err(db_error)?;
            Ok(row.into())
        })
    }

    async fn find_user_by_token(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> DomainResult<Option<i64>> {
        on_pool!(self, |pool| {
            let row: Option<(i64, i64, Option<DbTime>)> = sqlx::query_as(
                "SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            let Some((token_id, user_id, last_used)) = row else {
                return Ok(None);
            };
            // Record use at most once a minute: a write per request would serialise SQLite.
            if last_used.is_none_or(|t| now - t.0 > Duration::minutes(1)) {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(DbTime(now))
                    .bind(token_id)
                    .execute(pool)
                    .await
                    .map_err(db_error)?;
            }
            Ok(Some(user_id))
        })
    }

    async fn list_api_tokens(&self, user_id: i64) -> DomainResult<Vec<ApiToken>> {
        on_pool!(self, |pool| {
            let rows: Vec<TokenRow> = sqlx::query_as(
                "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
            Ok(rows.into_iter().map(ApiToken::from).collect())
        })
    }

    async fn revoke_api_token(
        &self,
        user_id: i64,
        token_id: i64,
        actor: &Actor,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            let revoked = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                .bind(DbTime(OffsetDateTime::now_utc()))
                .bind(token_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?
                .rows_affected();
            if revoked == 0 {
                return Err(DomainError::NotFound {
                    entity: "API token",
                });
            }
            append_in!(
                tx,
                &actor
                    .entry("api_token.revoke", "api_token")
                    .entity(token_id)
            );
            tx.commit().await.map_err(db_error)
        })
    }

    async fn record_login_failure(
        &self,
        username: &str,
        ip: &str,
        at: OffsetDateTime,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("INSERT INTO login_failures (username, ip, at) VALUES ($1, $2, $3)")
                .bind(username)
                .bind(ip)
                .bind(DbTime(at))
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }

    async fn count_login_failures(
        &self,
        username: &str,
        ip: &str,
        since: OffsetDateTime,
    ) -> DomainResult<LoginFailures> {
        on_pool!(self, |pool| {
            let (pair, pair_oldest, address, address_oldest): (
                i64,
                Option<DbTime>,
                i64,
                Option<DbTime>,
            ) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM login_failures WHERE username = $1 AND ip = $3 AND at >= $2), \
                        (SELECT MIN(at) FROM login_failures WHERE username = $1 AND ip = $3 AND at >= $2), \
                        (SELECT COUNT(*) FROM login_failures WHERE ip = $3 AND at >= $2), \
                        (SELECT MIN(at) FROM login_failures WHERE ip = $3 AND at >= $2)",
            )
            .bind(username)
            .bind(DbTime(since))
            .bind(ip)
            .fetch_one(pool)
            .await
            .map_err(db_error)?;
            Ok(LoginFailures {
                pair,
                pair_oldest: pair_oldest.map(|t| t.0),
                address,
                address_oldest: address_oldest.map(|t| t.0),
            })
        })
    }

    async fn clear_login_failures(&self, username: &str, ip: &str) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM login_failures WHERE username = $1 AND ip = $2")
                .bind(username)
                .bind(ip)
                .execute(pool)
                .await
                .map_err(db_error)?;
            Ok(())
        })
    }
}
