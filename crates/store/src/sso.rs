//! Single sign-on: the account linked to an employee, employees by e-mail, OpenID
//! sign-ins in flight.

use crate::audit::append_in;
use crate::{DbTime, db_error, on_pool};
use domain::DomainResult;
use domain::account::{AccountRepository, User};
use domain::audit::Actor;
use std::future::Future;
use time::OffsetDateTime;

/// An OpenID sign-in in flight, as its callback finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    pub nonce: String,
    pub verifier: String,
}

/// What a SCIM directory keeps on an account besides its username and display name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimProfile {
    pub external_id: Option<String>,
    pub email: Option<String>,
}

/// The SSO port.
pub trait SsoRepository {
    /// The (oldest) account linked to an employee.
    fn account_for_employee(
        &self,
        employee_id: i64,
    ) -> impl Future<Output = DomainResult<Option<User>>> + Send;
    /// The one employee with this e-mail address (case-insensitive); `None` when none
    /// or several have it.
    fn employee_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = DomainResult<Option<i64>>> + Send;
    /// Remembers an OpenID sign-in under the hash of its state.
    fn save_pending_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingSignIn,
        now: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Takes (and forgets) the sign-in of a state if it started after `not_before`;
    /// forgets older ones too.
    fn take_pending_sign_in(
        &self,
        state_hash: &str,
        not_before: OffsetDateTime,
    ) -> impl Future<Output = DomainResult<Option<PendingSignIn>>> + Send;
    /// The SCIM attributes of an account (empty when a directory never set them).
    fn scim_profile(&self, user_id: i64) -> impl Future<Output = DomainResult<ScimProfile>> + Send;
    /// Account ids in username order from `offset`, and how many accounts there are.
    fn account_id_page(
        &self,
        offset: i64,
        limit: i64,
    ) -> impl Future<Output = DomainResult<(Vec<i64>, i64)>> + Send;
    /// Accounts holding `role` in any scope, as (id, username), by username.
    fn role_members(
        &self,
        role: &str,
    ) -> impl Future<Output = DomainResult<Vec<(i64, String)>>> + Send;
    /// Sets an account's display name (when given) and SCIM attributes, audited.
    fn update_scim_account(
        &self,
        user_id: i64,
        display_name: Option<&str>,
        profile: &ScimProfile,
        actor: &Actor,
    ) -> impl Future<Output = DomainResult<()>> + Send;
}

impl SsoRepository for crate::Store {
    async fn account_for_employee(&self, employee_id: i64) -> DomainResult<Option<User>> {
        let id: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM users WHERE employee_id = $1 ORDER BY id LIMIT 1")
                .bind(employee_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        match id {
            Some(id) => Ok(Some(self.get_user(id).await?)),
            None => Ok(None),
        }
    }

    async fn employee_by_email(&self, email: &str) -> DomainResult<Option<i64>> {
        let ids: Vec<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT id FROM employees WHERE LOWER(email) = LOWER($1) ORDER BY id LIMIT 2",
            )
            .bind(email.trim())
            .fetch_all(pool)
            .await
            .map_err(db_error)?
        });
        Ok(match ids.as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }

    async fn save_pending_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingSignIn,
        now: OffsetDateTime,
    ) -> DomainResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sso_pending (state_hash, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(state_hash)
            .bind(&pending.nonce)
            .bind(&pending.verifier)
            .bind(DbTime(now))
            .execute(pool)
            .await
            .map_err(db_error)?;
            Ok(())
        })
    }

    async fn take_pending_sign_in(
        &self,
        state_hash: &str,
        not_before: OffsetDateTime,
    ) -> DomainResult<Option<PendingSignIn>> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sso_pending WHERE created_at < $1")
                .bind(DbTime(not_before))
                .execute(pool)
                .await
                .map_err(db_error)?;
            let row: Option<(String, String)> = sqlx::query_as(
                "DELETE FROM sso_pending WHERE state_hash = $1 RETURNING nonce, verifier",
            )
            .bind(state_hash)
            .fetch_optional(pool)
            .await
            .map_err(db_error)?;
            Ok(row.map(|(nonce, verifier)| PendingSignIn { nonce, verifier }))
        })
    }

    async fn scim_profile(&self, user_id: i64) -> DomainResult<ScimProfile> {
        let row: Option<(Option<String>, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT external_id, email FROM scim_users WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
        });
        Ok(row
            .map(|(external_id, email)| ScimProfile { external_id, email })
            .unwrap_or_default())
    }

    async fn account_id_page(&self, offset: i64, limit: i64) -> DomainResult<(Vec<i64>, i64)> {
        on_pool!(self, |pool| {
            let ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM users ORDER BY username LIMIT $1 OFFSET $2")
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await
                    .map_err(db_error)?;
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await
                .map_err(db_error)?;
            Ok((ids, total))
        })
    }

    async fn role_members(&self, role: &str) -> DomainResult<Vec<(i64, String)>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.username FROM users u WHERE EXISTS \
                 (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.role = $1) ORDER BY u.username",
            )
            .bind(role)
            .fetch_all(pool)
            .await
            .map_err(db_error)
        })
    }

    async fn update_scim_account(
        &self,
        user_id: i64,
        display_name: Option<&str>,
        profile: &ScimProfile,
        actor: &Actor,
    ) -> DomainResult<()> {
        let before_user = self.get_user(user_id).await?;
        let before_profile = self.scim_profile(user_id).await?;
        let name = display_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&before_user.display_name)
            .to_string();
        let now = DbTime(OffsetDateTime::now_utc());
        let json = |name: &str, p: &ScimProfile| serde_json::json!({"display_name": name, "external_id": p.external_id, "email": p.email});
        let before = json(&before_user.display_name, &before_profile);
        let after = json(&name, profile);
        on_pool!(self, |pool| {
            let mut tx = pool.begin_write().await.map_err(db_error)?;
            sqlx::query("UPDATE users SET display_name = $1, updated_at = $2 WHERE id = $3")
                .bind(&name)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            sqlx::query(
                "INSERT INTO scim_users (user_id, external_id, email) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET external_id = excluded.external_id, email = excluded.email",
            )
            .bind(user_id)
            .bind(&profile.external_id)
            .bind(&profile.email)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
            append_in!(
                tx,
                &actor
                    .entry("account.scim_update", "user")
                    .entity(user_id)
                    .change(Some(before.to_string()), Some(after.to_string()))
            );
            tx.commit().await.map_err(db_error)
        })
    }
}
