//! Single-use portal tokens (invitations, emailed sign-in links, password
//! resets), of which only the SHA-256 is stored.

use chrono::{DateTime, Duration, Utc};
use portico_auth::{hash_token, random_token};
use portico_domain::{Email, Portal};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::tables::{Contacts, PortalTokens};
use crate::{ContactId, DataError, TenantTx};

/// The unused, unrevoked, unexpired tokens of `purpose` of the contact `contact`
/// (an expression: a column of an outer query, or a value).
pub(crate) fn valid_tokens(
    tenant: Uuid,
    purpose: PortalTokenPurpose,
    contact: impl Into<sea_query::SimpleExpr>,
) -> sea_query::SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(PortalTokens::Table)
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::TenantId)).eq(tenant))
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::ContactId)).eq(contact.into()))
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::Purpose)).eq(purpose.as_str()))
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::UsedAt)).is_null())
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::RevokedAt)).is_null())
        .and_where(Expr::col((PortalTokens::Table, PortalTokens::ExpiresAt)).gt(Utc::now()))
        .to_owned()
}

/// What a single-use portal token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortalTokenPurpose {
    /// Accepting an invitation: the contact sets its first password.
    Invitation,
    /// An emailed one-time sign-in link.
    SignIn,
    /// An emailed password reset.
    Reset,
}

impl PortalTokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PortalTokenPurpose::Invitation => "invitation",
            PortalTokenPurpose::SignIn => "sign_in",
            PortalTokenPurpose::Reset => "reset",
        }
    }
}

/// The contact a valid (unused, unrevoked, unexpired) token belongs to.
#[derive(Debug, Clone)]
pub struct PortalTokenHolder {
    pub token_id: Uuid,
    pub contact_id: ContactId,
    pub display_name: String,
    pub email: Option<Email>,
    pub customer_portal: bool,
    pub supplier_portal: bool,
    pub expires_at: DateTime<Utc>,
}

impl PortalTokenHolder {
    /// Whether the contact's access to a portal is on.
    pub fn has(&self, portal: Portal) -> bool {
        match portal {
            Portal::Customer => self.customer_portal,
            Portal::Supplier => self.supplier_portal,
        }
    }
}

#[derive(sqlx::FromRow)]
struct HolderRow {
    id: Uuid,
    contact_id: Uuid,
    expires_at: DateTime<Utc>,
    display_name: String,
    email: Option<String>,
    customer_portal: bool,
    supplier_portal: bool,
}

/// One-time portal tokens: invitations, sign-in links and password resets.
pub struct PortalTokensArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalTokensArea<'_> {
    /// Creates a single-use token for a contact and returns its secret (for the
    /// link in an email; only its SHA-256 is stored). Earlier unused tokens of
    /// the same purpose are revoked, so only the newest link works. The caller
    /// audits the sending. `None` when the contact is not here or archived.
    pub async fn create(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
        ttl: Duration,
    ) -> Result<Option<String>, DataError> {
        match self.tx.contacts().find(contact).await? {
            Some(person) if person.archived_at.is_none() => {}
            _ => return Ok(None),
        }
        self.revoke(contact, purpose).await?;
        let secret = random_token();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(PortalTokens::Table)
            .columns([
                PortalTokens::TenantId,
                PortalTokens::Id,
                PortalTokens::ContactId,
                PortalTokens::Purpose,
                PortalTokens::TokenHash,
                PortalTokens::CreatedAt,
                PortalTokens::ExpiresAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                Uuid::now_v7().into(),
                contact.as_uuid().into(),
                purpose.as_str().into(),
                hash_token(&secret).into(),
                now.into(),
                (now + ttl).into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        Ok(Some(secret))
    }

    /// The contact a token's secret belongs to, when the token has that
    /// purpose, is unused, unrevoked and unexpired, and its contact is not
    /// archived. Reads only: see [`PortalTokensArea::consume`].
    pub async fn find(
        &mut self,
        secret: &str,
        purpose: PortalTokenPurpose,
    ) -> Result<Option<PortalTokenHolder>, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let select = Query::select()
            .columns([
                (PortalTokens::Table, PortalTokens::Id),
                (PortalTokens::Table, PortalTokens::ContactId),
                (PortalTokens::Table, PortalTokens::ExpiresAt),
            ])
            .columns([
                (Contacts::Table, Contacts::DisplayName),
                (Contacts::Table, Contacts::Email),
                (Contacts::Table, Contacts::CustomerPortal),
                (Contacts::Table, Contacts::SupplierPortal),
            ])
            .from(PortalTokens::Table)
            .inner_join(
                Contacts::Table,
                Expr::col((Contacts::Table, Contacts::TenantId))
                    .equals((PortalTokens::Table, PortalTokens::TenantId))
                    .and(
                        Expr::col((Contacts::Table, Contacts::Id))
                            .equals((PortalTokens::Table, PortalTokens::ContactId)),
                    ),
            )
            .and_where(Expr::col((PortalTokens::Table, PortalTokens::TenantId)).eq(tenant))
            .and_where(
                Expr::col((PortalTokens::Table, PortalTokens::TokenHash)).eq(hash_token(secret)),
            )
            .and_where(Expr::col((PortalTokens::Table, PortalTokens::Purpose)).eq(purpose.as_str()))
            .and_where(Expr::col((PortalTokens::Table, PortalTokens::UsedAt)).is_null())
            .and_where(Expr::col((PortalTokens::Table, PortalTokens::RevokedAt)).is_null())
            .and_where(Expr::col((Contacts::Table, Contacts::ArchivedAt)).is_null())
            .to_owned();
        let Some(row) = self.tx.conn.fetch_optional::<HolderRow>(&select).await? else {
            return Ok(None);
        };
        // Compared here rather than in SQL: SQLite keeps timestamps as text.
        if row.expires_at <= Utc::now() {
            return Ok(None);
        }
        Ok(Some(PortalTokenHolder {
            token_id: row.id,
            contact_id: row.contact_id.into(),
            display_name: row.display_name,
            email: crate::areas::accounts::stored_email(row.email)?,
            customer_portal: row.customer_portal,
            supplier_portal: row.supplier_portal,
            expires_at: row.expires_at,
        }))
    }

    /// Uses a token once: when it is valid (see [`PortalTokensArea::find`])
    /// it is marked used and its contact returned. A second use, even a
    /// concurrent one, finds nothing.
    pub async fn consume(
        &mut self,
        secret: &str,
        purpose: PortalTokenPurpose,
    ) -> Result<Option<ContactId>, DataError> {
        let Some(holder) = self.find(secret, purpose).await? else {
            return Ok(None);
        };
        let update = Query::update()
            .table(PortalTokens::Table)
            .value(PortalTokens::UsedAt, Utc::now())
            .and_where(Expr::col(PortalTokens::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalTokens::Id).eq(holder.token_id))
            .and_where(Expr::col(PortalTokens::UsedAt).is_null())
            .and_where(Expr::col(PortalTokens::RevokedAt).is_null())
            .to_owned();
        Ok((self.tx.conn.execute(&update).await? == 1).then_some(holder.contact_id))
    }

    /// Revokes a contact's unused tokens of one purpose; returns how many.
    pub async fn revoke(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
    ) -> Result<u64, DataError> {
        let update = Query::update()
            .table(PortalTokens::Table)
            .value(PortalTokens::RevokedAt, Utc::now())
            .and_where(Expr::col(PortalTokens::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalTokens::ContactId).eq(contact.as_uuid()))
            .and_where(Expr::col(PortalTokens::Purpose).eq(purpose.as_str()))
            .and_where(Expr::col(PortalTokens::UsedAt).is_null())
            .and_where(Expr::col(PortalTokens::RevokedAt).is_null())
            .to_owned();
        self.tx.conn.execute(&update).await
    }
}
