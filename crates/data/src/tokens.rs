//! Single-use, expiring tokens mailed to someone (staff password resets; portal
//! invitations, sign-in links and password resets), of which only the SHA-256 is
//! stored: issuing one (the holder's earlier unused ones of that purpose are
//! revoked, so only the newest link works), using one once, and revoking.
//! Finding a valid token stays with each kind, which joins its own holder.

use chrono::{Duration, Utc};
use portico_auth::{hash_token, random_token};
use sea_query::{Alias, Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::{DataError, TenantTx};

/// A table of tokens and the column naming who holds each.
#[derive(Clone, Copy)]
pub(crate) struct TokenTable {
    table: &'static str,
    holder: &'static str,
}

/// Staff users' tokens.
pub(crate) const STAFF_TOKENS: TokenTable = TokenTable {
    table: "staff_tokens",
    holder: "staff_user_id",
};

/// Contacts' portal tokens.
pub(crate) const PORTAL_TOKENS: TokenTable = TokenTable {
    table: "portal_tokens",
    holder: "contact_id",
};

fn col(name: &'static str) -> Alias {
    Alias::new(name)
}

impl TenantTx {
    /// Issues a token of `purpose` to `holder`, valid for `ttl`, and returns its
    /// secret (for the link in an email); earlier unused tokens of the same
    /// purpose are revoked.
    pub(crate) async fn issue_token(
        &mut self,
        tokens: TokenTable,
        holder: Uuid,
        purpose: &str,
        ttl: Duration,
    ) -> Result<String, DataError> {
        self.revoke_tokens(tokens, holder, purpose).await?;
        let secret = random_token();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(col(tokens.table))
            .columns([
                col("tenant_id"),
                col("id"),
                col(tokens.holder),
                col("purpose"),
                col("token_hash"),
                col("created_at"),
                col("expires_at"),
            ])
            .values_panic([
                self.tenant_id().as_uuid().into(),
                Uuid::now_v7().into(),
                holder.into(),
                purpose.into(),
                hash_token(&secret).into(),
                now.into(),
                (now + ttl).into(),
            ])
            .to_owned();
        self.conn.execute(&insert).await?;
        Ok(secret)
    }

    /// Marks the token `id` used unless it was used or revoked meanwhile: whether
    /// this use won (a second use, even a concurrent one, does not).
    pub(crate) async fn spend_token(
        &mut self,
        tokens: TokenTable,
        id: Uuid,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(col(tokens.table))
            .value(col("used_at"), Utc::now())
            .and_where(Expr::col(col("tenant_id")).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(col("id")).eq(id))
            .and_where(Expr::col(col("used_at")).is_null())
            .and_where(Expr::col(col("revoked_at")).is_null())
            .to_owned();
        Ok(self.conn.execute(&update).await? == 1)
    }

    /// Revokes `holder`'s unused tokens of `purpose`; returns how many.
    pub(crate) async fn revoke_tokens(
        &mut self,
        tokens: TokenTable,
        holder: Uuid,
        purpose: &str,
    ) -> Result<u64, DataError> {
        let update = Query::update()
            .table(col(tokens.table))
            .value(col("revoked_at"), Utc::now())
            .and_where(Expr::col(col("tenant_id")).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(col(tokens.holder)).eq(holder))
            .and_where(Expr::col(col("purpose")).eq(purpose))
            .and_where(Expr::col(col("used_at")).is_null())
            .and_where(Expr::col(col("revoked_at")).is_null())
            .to_owned();
        self.conn.execute(&update).await
    }
}
