//! Portal sign-in data: a contact found by its main email for one portal, its
//! password, sign-ins and lockouts, the session epoch that ends every portal
//! session of a contact at once, and single-use tokens (invitations, emailed
//! sign-in links, password resets) of which only the SHA-256 is stored.
//! Each function is one step of a command; the caller's transaction holds them.

use chrono::{DateTime, Duration, Utc};
use portico_auth::hash_token;
use portico_domain::{Email, Locale, Portal};
use sea_query::{Expr, ExprTrait, Func, Iden, Query};
use serde_json::json;
use uuid::Uuid;

use crate::{
    By, ContactId, DataError, PortalStatus, TenantTx, contacts::Contacts, tokens::PORTAL_TOKENS,
};

#[derive(Iden, Clone, Copy)]
pub(crate) enum PortalTokens {
    Table,
    TenantId,
    Id,
    ContactId,
    Purpose,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

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

/// A contact as the portal sign-in sees it: found by main email, with its
/// access to the portal asked for on and not archived.
#[derive(Clone)]
pub struct PortalCredentials {
    pub contact_id: ContactId,
    pub display_name: String,
    pub email: Email,
    /// The argon2id hash; `None` until the contact sets a password.
    pub password_hash: Option<String>,
    pub status: PortalStatus,
    /// Until when too many failed sign-ins lock the contact out.
    pub locked_until: Option<DateTime<Utc>>,
    /// The epoch a new session starts in.
    pub session_epoch: i32,
    pub preferred_language: Option<Locale>,
}

impl std::fmt::Debug for PortalCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalCredentials")
            .field("contact_id", &self.contact_id)
            .field("status", &self.status)
            .field("has_password", &self.password_hash.is_some())
            .finish_non_exhaustive()
    }
}

impl PortalCredentials {
    /// Whether a lockout is in force at `now`.
    pub fn locked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    id: Uuid,
    display_name: String,
    email: Option<String>,
    portal_password_hash: Option<String>,
    portal_status: String,
    portal_locked_until: Option<DateTime<Utc>>,
    portal_session_epoch: i32,
    preferred_language: Option<String>,
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

impl TenantTx {
    /// The contact whose main email is `email` (any case), with access to
    /// `portal` on and not archived, as the sign-in needs it. `None` otherwise:
    /// callers answer both cases alike.
    pub async fn find_portal_credentials(
        &mut self,
        email: &Email,
        portal: Portal,
    ) -> Result<Option<PortalCredentials>, DataError> {
        let access = match portal {
            Portal::Customer => Contacts::CustomerPortal,
            Portal::Supplier => Contacts::SupplierPortal,
        };
        let select = Query::select()
            .columns([
                Contacts::Id,
                Contacts::DisplayName,
                Contacts::Email,
                Contacts::PortalPasswordHash,
                Contacts::PortalStatus,
                Contacts::PortalLockedUntil,
                Contacts::PortalSessionEpoch,
                Contacts::PreferredLanguage,
            ])
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::expr(Func::lower(Expr::col(Contacts::Email))).eq(email.as_str()))
            .and_where(Expr::col(access).eq(true))
            .and_where(Expr::col(Contacts::ArchivedAt).is_null())
            .to_owned();
        let Some(row) = self.conn.fetch_optional::<CredentialsRow>(&select).await? else {
            return Ok(None);
        };
        let email = crate::accounts::stored_email(row.email)?
            .ok_or_else(|| DataError::Corrupt("contact matched by email has none".into()))?;
        Ok(Some(PortalCredentials {
            contact_id: row.id.into(),
            display_name: row.display_name,
            email,
            password_hash: row.portal_password_hash,
            status: row.portal_status.parse().map_err(DataError::Corrupt)?,
            locked_until: row.portal_locked_until,
            session_epoch: row.portal_session_epoch,
            preferred_language: row.preferred_language.as_deref().and_then(Locale::from_tag),
        }))
    }

    /// Sets a contact's portal password (`password_hash`: argon2id, from
    /// `portico_auth::hash_password`). The contact becomes active when a portal's
    /// access is on, a lockout is lifted, unused invitation and reset tokens are
    /// revoked, and the session epoch moves on (with the policy version) so that
    /// every other session ends. Returns the new epoch; `None` when the contact
    /// is not here or archived.
    pub async fn set_portal_password(
        &mut self,
        contact: ContactId,
        password_hash: &str,
        by: By<'_>,
    ) -> Result<Option<i32>, DataError> {
        let Some(person) = self.find_contact(contact).await? else {
            return Ok(None);
        };
        if person.archived_at.is_some() {
            return Ok(None);
        }
        let status = if person.portal.any() {
            PortalStatus::Active
        } else {
            person.portal.status
        };
        let now = Utc::now();
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (Contacts::PortalPasswordHash, password_hash.into()),
                (Contacts::PortalStatus, status.as_str().into()),
                (Contacts::PortalLockedUntil, None::<DateTime<Utc>>.into()),
                (
                    Contacts::PortalActivatedAt,
                    person.portal.activated_at.unwrap_or(now).into(),
                ),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        for purpose in [PortalTokenPurpose::Invitation, PortalTokenPurpose::Reset] {
            self.revoke_portal_tokens(contact, purpose).await?;
        }
        let epoch = self.next_session_epoch(contact).await?;
        self.log(
            by,
            "contact.portal_password",
            ("contact", contact.as_uuid()),
            None,
            json!({ "portal_status": { "before": person.portal.status, "after": status } }),
        )
        .await?;
        Ok(Some(epoch))
    }

    /// Records a successful sign-in to `portal` (and lifts any lockout);
    /// `false` when the contact is not here.
    pub async fn record_portal_sign_in(
        &mut self,
        contact: ContactId,
        portal: Portal,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (Contacts::PortalSignedInAt, Utc::now().into()),
                (Contacts::PortalLockedUntil, None::<DateTime<Utc>>.into()),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        if self.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        self.log(
            by,
            "contact.portal_sign_in",
            ("contact", contact.as_uuid()),
            None,
            json!({ "portal": portal }),
        )
        .await?;
        Ok(true)
    }

    /// Records that a single-use link was mailed to a contact for `portal`
    /// (an emailed sign-in link or password reset, asked for on the portal's
    /// public pages). The secret is never recorded.
    pub async fn record_portal_link_sent(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
        portal: Portal,
        by: By<'_>,
    ) -> Result<(), DataError> {
        let action = match purpose {
            PortalTokenPurpose::Invitation => "contact.portal_invitation_sent",
            PortalTokenPurpose::SignIn => "contact.portal_sign_in_link_sent",
            PortalTokenPurpose::Reset => "contact.portal_reset_link_sent",
        };
        self.log(
            by,
            action,
            ("contact", contact.as_uuid()),
            None,
            json!({ "portal": portal }),
        )
        .await
    }

    /// Locks the contact out of the portals until `until` (after too many failed
    /// sign-ins), or lifts the lockout with `None`. `false` when not here.
    pub async fn set_portal_lock(
        &mut self,
        contact: ContactId,
        until: Option<DateTime<Utc>>,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(Contacts::Table)
            .value(Contacts::PortalLockedUntil, until)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        if self.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        let action = if until.is_some() {
            "contact.portal_lock"
        } else {
            "contact.portal_unlock"
        };
        self.log(
            by,
            action,
            ("contact", contact.as_uuid()),
            None,
            json!({ "until": until }),
        )
        .await?;
        Ok(true)
    }

    /// Ends every portal session of a contact, on every instance: the session
    /// epoch moves on and so does the policy version. Returns the new epoch;
    /// `None` when the contact is not here.
    pub async fn end_portal_sessions(
        &mut self,
        contact: ContactId,
        by: By<'_>,
    ) -> Result<Option<i32>, DataError> {
        if self.find_contact(contact).await?.is_none() {
            return Ok(None);
        }
        let epoch = self.next_session_epoch(contact).await?;
        self.log(
            by,
            "contact.portal_sessions_end",
            ("contact", contact.as_uuid()),
            None,
            json!({}),
        )
        .await?;
        Ok(Some(epoch))
    }

    /// Voids everything that lets someone in as this contact without its
    /// password: every unused invitation, sign-in link and reset link, and every
    /// open session. For when the mailbox those went to is no longer the
    /// contact's (its email changed) or its access ended.
    pub(crate) async fn void_portal_credentials(
        &mut self,
        contact: ContactId,
    ) -> Result<(), DataError> {
        for purpose in [
            PortalTokenPurpose::Invitation,
            PortalTokenPurpose::SignIn,
            PortalTokenPurpose::Reset,
        ] {
            self.revoke_portal_tokens(contact, purpose).await?;
        }
        self.next_session_epoch(contact).await.map(drop)
    }

    /// Moves the contact's session epoch on and bumps the policy version, so
    /// every instance drops the policy that still carries the old epoch.
    pub(crate) async fn next_session_epoch(
        &mut self,
        contact: ContactId,
    ) -> Result<i32, DataError> {
        let update = Query::update()
            .table(Contacts::Table)
            .value(
                Contacts::PortalSessionEpoch,
                Expr::col(Contacts::PortalSessionEpoch).add(1),
            )
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        let select = Query::select()
            .column(Contacts::PortalSessionEpoch)
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        let (epoch,): (i32,) = self
            .conn
            .fetch_optional(&select)
            .await?
            .ok_or_else(|| DataError::Corrupt("contact vanished".into()))?;
        self.bump_policy_version().await?;
        Ok(epoch)
    }

    /// Creates a single-use token for a contact and returns its secret (for the
    /// link in an email; only its SHA-256 is stored). Earlier unused tokens of
    /// the same purpose are revoked, so only the newest link works. The caller
    /// audits the sending. `None` when the contact is not here or archived.
    pub async fn create_portal_token(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
        ttl: Duration,
    ) -> Result<Option<String>, DataError> {
        match self.find_contact(contact).await? {
            Some(person) if person.archived_at.is_none() => {}
            _ => return Ok(None),
        }
        self.issue_token(PORTAL_TOKENS, contact.as_uuid(), purpose.as_str(), ttl)
            .await
            .map(Some)
    }

    /// The contact a token's secret belongs to, when the token has that
    /// purpose, is unused, unrevoked and unexpired, and its contact is not
    /// archived. Reads only: see [`TenantTx::consume_portal_token`].
    pub async fn find_portal_token(
        &mut self,
        secret: &str,
        purpose: PortalTokenPurpose,
    ) -> Result<Option<PortalTokenHolder>, DataError> {
        let tenant = self.tenant_id().as_uuid();
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
        let Some(row) = self.conn.fetch_optional::<HolderRow>(&select).await? else {
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
            email: crate::accounts::stored_email(row.email)?,
            customer_portal: row.customer_portal,
            supplier_portal: row.supplier_portal,
            expires_at: row.expires_at,
        }))
    }

    /// Uses a token once: when it is valid (see [`TenantTx::find_portal_token`])
    /// it is marked used and its contact returned. A second use, even a
    /// concurrent one, finds nothing.
    pub async fn consume_portal_token(
        &mut self,
        secret: &str,
        purpose: PortalTokenPurpose,
    ) -> Result<Option<ContactId>, DataError> {
        let Some(holder) = self.find_portal_token(secret, purpose).await? else {
            return Ok(None);
        };
        Ok(self
            .spend_token(PORTAL_TOKENS, holder.token_id)
            .await?
            .then_some(holder.contact_id))
    }

    /// Revokes a contact's unused tokens of one purpose; returns how many.
    pub async fn revoke_portal_tokens(
        &mut self,
        contact: ContactId,
        purpose: PortalTokenPurpose,
    ) -> Result<u64, DataError> {
        self.revoke_tokens(PORTAL_TOKENS, contact.as_uuid(), purpose.as_str())
            .await
    }
}
