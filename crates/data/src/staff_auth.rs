//! Staff password resets: single-use, expiring tokens mailed to a staff user,
//! of which only the SHA-256 is stored. Each function is one step of a command;
//! the caller's transaction holds them.

use chrono::{DateTime, Duration, Utc};
use portico_auth::hash_token;
use sea_query::{Expr, ExprTrait, Iden, Query};
use serde_json::json;
use uuid::Uuid;

use crate::{By, DataError, StaffStatus, StaffUser, StaffUserId, TenantTx, tokens::STAFF_TOKENS};

#[derive(Iden, Clone, Copy)]
enum StaffTokens {
    Table,
    TenantId,
    Id,
    StaffUserId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

/// The only purpose a staff token has today.
const RESET: &str = "reset";

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    staff_user_id: Uuid,
    expires_at: DateTime<Utc>,
}

impl TenantTx {
    /// Creates a password-reset token for an active staff user and returns its
    /// secret (for the link in an email; only its SHA-256 is stored). Earlier
    /// unused reset tokens of the user are revoked, so only the newest link
    /// works. `None` when the user is not here or disabled.
    pub async fn create_staff_reset_token(
        &mut self,
        user: StaffUserId,
        ttl: Duration,
    ) -> Result<Option<String>, DataError> {
        match self.find_staff_user(user).await? {
            Some(found) if found.status == StaffStatus::Active => {}
            _ => return Ok(None),
        }
        self.issue_token(STAFF_TOKENS, user.as_uuid(), RESET, ttl)
            .await
            .map(Some)
    }

    /// The active staff user a reset token's secret belongs to, when the token
    /// is unused, unrevoked and unexpired. Reads only: see
    /// [`TenantTx::consume_staff_reset_token`].
    pub async fn find_staff_reset_token(
        &mut self,
        secret: &str,
    ) -> Result<Option<StaffUser>, DataError> {
        Ok(match self.valid_reset_token(secret).await? {
            Some(row) => self
                .find_staff_user(row.staff_user_id.into())
                .await?
                .filter(|u| u.status == StaffStatus::Active),
            None => None,
        })
    }

    async fn valid_reset_token(&mut self, secret: &str) -> Result<Option<TokenRow>, DataError> {
        let select = Query::select()
            .columns([
                StaffTokens::Id,
                StaffTokens::StaffUserId,
                StaffTokens::ExpiresAt,
            ])
            .from(StaffTokens::Table)
            .and_where(Expr::col(StaffTokens::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(StaffTokens::TokenHash).eq(hash_token(secret)))
            .and_where(Expr::col(StaffTokens::Purpose).eq(RESET))
            .and_where(Expr::col(StaffTokens::UsedAt).is_null())
            .and_where(Expr::col(StaffTokens::RevokedAt).is_null())
            .to_owned();
        let row = self.conn.fetch_optional::<TokenRow>(&select).await?;
        // Compared here rather than in SQL: SQLite keeps timestamps as text.
        Ok(row.filter(|r| r.expires_at > Utc::now()))
    }

    /// Uses a reset token once: when it is valid and its user active, it is
    /// marked used and the user returned. A second use, even a concurrent one,
    /// finds nothing.
    pub async fn consume_staff_reset_token(
        &mut self,
        secret: &str,
    ) -> Result<Option<StaffUser>, DataError> {
        let Some(row) = self.valid_reset_token(secret).await? else {
            return Ok(None);
        };
        let Some(user) = self
            .find_staff_user(row.staff_user_id.into())
            .await?
            .filter(|u| u.status == StaffStatus::Active)
        else {
            return Ok(None);
        };
        Ok(self
            .spend_token(STAFF_TOKENS, row.id)
            .await?
            .then_some(user))
    }

    /// Revokes a staff user's unused reset tokens; returns how many.
    pub async fn revoke_staff_reset_tokens(&mut self, user: StaffUserId) -> Result<u64, DataError> {
        self.revoke_tokens(STAFF_TOKENS, user.as_uuid(), RESET)
            .await
    }

    /// Records that a reset link was mailed to a staff user (asked for on the
    /// sign-in page). The secret is never recorded.
    pub async fn record_staff_reset_sent(
        &mut self,
        user: StaffUserId,
        by: By<'_>,
    ) -> Result<(), DataError> {
        self.log(
            by,
            "staff.reset_link_sent",
            ("staff_user", user.as_uuid()),
            None,
            json!({}),
        )
        .await
    }
}
