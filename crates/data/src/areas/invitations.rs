//! Portal invitations: the latest one sent to a contact for a portal.

use chrono::Utc;
use sea_query::{Expr, ExprTrait, Order, Query};

use crate::{ContactId, DataError, TenantTx};

/// A contact's latest invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct InvitationInfo {
    pub sent_at: chrono::DateTime<Utc>,
    pub expires_at: chrono::DateTime<Utc>,
    /// Neither used, revoked nor expired.
    pub usable: bool,
}

/// Portal invitations sent to contacts.
pub struct InvitationsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl InvitationsArea<'_> {
    /// The newest invitation sent to a contact, if any.
    pub async fn latest(
        &mut self,
        contact: ContactId,
    ) -> Result<Option<InvitationInfo>, DataError> {
        use crate::areas::tokens::{TokenColumn as T, TokenStore};
        let select = Query::select()
            .columns([T::CreatedAt, T::ExpiresAt, T::UsedAt, T::RevokedAt])
            .from(TokenStore::Portal.table())
            .and_where(Expr::col(T::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(TokenStore::Portal.holder_col().eq(contact.as_uuid()))
            .and_where(Expr::col(T::Purpose).eq(crate::PortalTokenPurpose::Invitation.as_str()))
            .order_by(T::CreatedAt, Order::Desc)
            .limit(1)
            .to_owned();
        type Row = (
            chrono::DateTime<Utc>,
            chrono::DateTime<Utc>,
            Option<chrono::DateTime<Utc>>,
            Option<chrono::DateTime<Utc>>,
        );
        let row: Option<Row> = self.tx.conn.fetch_optional(&select).await?;
        Ok(
            row.map(|(sent_at, expires_at, used, revoked)| InvitationInfo {
                sent_at,
                expires_at,
                usable: used.is_none() && revoked.is_none() && expires_at > Utc::now(),
            }),
        )
    }
}
