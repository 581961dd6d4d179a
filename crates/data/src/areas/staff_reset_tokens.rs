//! Staff password resets: single-use, expiring tokens mailed to a staff user
//! (kept as [`crate::areas::tokens`] keeps every mailed token). Each function is one step of a command;
//! the caller's transaction holds them.

use chrono::{DateTime, Duration, Utc};
use sea_query::Query;
use serde_json::json;
use uuid::Uuid;

use crate::areas::tokens::{self, TokenColumn, TokenStore};
use crate::{By, DataError, StaffStatus, StaffUser, StaffUserId, TenantTx};

/// The only purpose a staff token has today.
const RESET: &str = "reset";
const STORE: TokenStore = TokenStore::Staff;

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    staff_user_id: Uuid,
    expires_at: DateTime<Utc>,
}

/// Staff password-reset tokens.
pub struct StaffResetTokensArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl StaffResetTokensArea<'_> {
    /// Creates a password-reset token for an active staff user and returns its
    /// secret (for the link in an email; only its SHA-256 is stored). Earlier
    /// unused reset tokens of the user are revoked, so only the newest link
    /// works. `None` when the user is not here or disabled.
    pub async fn create(
        &mut self,
        user: StaffUserId,
        ttl: Duration,
    ) -> Result<Option<String>, DataError> {
        match self.tx.staff().find(user).await? {
            Some(found) if found.status == StaffStatus::Active => {}
            _ => return Ok(None),
        }
        let secret = tokens::issue(self.tx, STORE, user.as_uuid(), RESET, ttl).await?;
        Ok(Some(secret))
    }

    /// The active staff user a reset token's secret belongs to, when the token
    /// is unused, unrevoked and unexpired. Reads only: see
    /// [`StaffResetTokensArea::consume`].
    pub async fn find(&mut self, secret: &str) -> Result<Option<StaffUser>, DataError> {
        Ok(match self.valid_reset_token(secret).await? {
            Some(row) => self
                .tx
                .staff()
                .find(row.staff_user_id.into())
                .await?
                .filter(|u| u.status == StaffStatus::Active),
            None => None,
        })
    }

    async fn valid_reset_token(&mut self, secret: &str) -> Result<Option<TokenRow>, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let select = Query::select()
            .expr(STORE.col(TokenColumn::Id))
            .expr(STORE.holder_col())
            .expr(STORE.col(TokenColumn::ExpiresAt))
            .from(STORE.table())
            .cond_where(tokens::unspent(STORE, tenant, secret, RESET))
            .to_owned();
        let row = self.tx.conn.fetch_optional::<TokenRow>(&select).await?;
        // Compared here rather than in SQL: SQLite keeps timestamps as text.
        Ok(row.filter(|r| r.expires_at > Utc::now()))
    }

    /// Uses a reset token once: when it is valid and its user active, it is
    /// marked used and the user returned. A second use, even a concurrent one,
    /// finds nothing.
    pub async fn consume(&mut self, secret: &str) -> Result<Option<StaffUser>, DataError> {
        let Some(row) = self.valid_reset_token(secret).await? else {
            return Ok(None);
        };
        let Some(user) = self
            .tx
            .staff()
            .find(row.staff_user_id.into())
            .await?
            .filter(|u| u.status == StaffStatus::Active)
        else {
            return Ok(None);
        };
        Ok(tokens::spend(self.tx, STORE, row.id).await?.then_some(user))
    }

    /// Revokes a staff user's unused reset tokens; returns how many.
    pub async fn revoke(&mut self, user: StaffUserId) -> Result<u64, DataError> {
        tokens::revoke(self.tx, STORE, user.as_uuid(), RESET).await
    }

    /// Records that a reset link was mailed to a staff user (asked for on the
    /// sign-in page). The secret is never recorded.
    pub async fn record_sent(&mut self, user: StaffUserId, by: By<'_>) -> Result<(), DataError> {
        self.tx
            .audit()
            .log(
                by,
                "staff.reset_link_sent",
                ("staff_user", user.as_uuid()),
                None,
                json!({}),
            )
            .await
    }
}
