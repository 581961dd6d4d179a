//! Single-use portal tokens (invitations, emailed sign-in links, password
//! resets), kept as [`crate::areas::tokens`] keeps every mailed token.

use chrono::{DateTime, Duration, Utc};
use portico_domain::{Email, Portal};
use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::areas::tokens::{self, TokenColumn, TokenStore};
use crate::tables::Contacts;
use crate::{ContactId, DataError, TenantTx};

const STORE: TokenStore = TokenStore::Portal;

/// The unused, unrevoked, unexpired tokens of `purpose` of the contact `contact`
/// (an expression: a column of an outer query, or a value).
pub(crate) fn valid_tokens(
    tenant: Uuid,
    purpose: PortalTokenPurpose,
    contact: impl Into<sea_query::Expr>,
) -> sea_query::SelectStatement {
    tokens::valid_of(STORE, tenant, purpose.as_str(), contact)
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
        let secret =
            tokens::issue(self.tx, STORE, contact.as_uuid(), purpose.as_str(), ttl).await?;
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
            .expr(STORE.col(TokenColumn::Id))
            .expr(STORE.holder_col())
            .expr(STORE.col(TokenColumn::ExpiresAt))
            .columns([
                (Contacts::Table, Contacts::DisplayName),
                (Contacts::Table, Contacts::Email),
                (Contacts::Table, Contacts::CustomerPortal),
                (Contacts::Table, Contacts::SupplierPortal),
            ])
            .from(STORE.table())
            .inner_join(
                Contacts::Table,
                Expr::col((Contacts::Table, Contacts::TenantId))
                    .eq(STORE.col(TokenColumn::TenantId))
                    .and(Expr::col((Contacts::Table, Contacts::Id)).eq(STORE.holder_col())),
            )
            .cond_where(tokens::unspent(STORE, tenant, secret, purpose.as_str()))
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
        Ok(tokens::spend(self.tx, STORE, holder.token_id)
            .await?
            .then_some(holder.contact_id))
    }

    /// Revokes a contact's unused tokens of one purpose; returns how many.
    pub async fn revoke(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
    ) -> Result<u64, DataError> {
        tokens::revoke(self.tx, STORE, contact.as_uuid(), purpose.as_str()).await
    }
}
