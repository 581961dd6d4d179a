//! Portal sign-in data: a contact found by its main email for one portal, its
//! password, sign-ins and lockouts, and the session epoch that ends every portal
//! session of a contact at once. Each function is one step of a command; the
//! caller's transaction holds them.

use chrono::{DateTime, Utc};
use portico_domain::{Email, Locale, Portal};
use sea_query::{Expr, ExprTrait, Func, Query};
use serde_json::json;
use uuid::Uuid;

use crate::PortalTokenPurpose;
use crate::tables::Contacts;
use crate::{By, ContactId, DataError, PortalStatus, TenantTx};

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

/// A contact's portal sign-in: password, lockout and sessions.
pub struct PortalCredentialsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalCredentialsArea<'_> {
    /// The contact whose main email is `email` (any case), with access to
    /// `portal` on and not archived, as the sign-in needs it. `None` otherwise:
    /// callers answer both cases alike.
    pub async fn find(
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
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::expr(Func::lower(Expr::col(Contacts::Email))).eq(email.as_str()))
            .and_where(Expr::col(access).eq(true))
            .and_where(Expr::col(Contacts::ArchivedAt).is_null())
            .to_owned();
        let Some(row) = self
            .tx
            .conn
            .fetch_optional::<CredentialsRow>(&select)
            .await?
        else {
            return Ok(None);
        };
        let email = crate::areas::accounts::stored_email(row.email)?
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
    pub async fn set_password(
        &mut self,
        contact: ContactId,
        password_hash: &str,
        by: By<'_>,
    ) -> Result<Option<i32>, DataError> {
        let Some(person) = self.tx.contacts().find(contact).await? else {
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
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        for purpose in [PortalTokenPurpose::Invitation, PortalTokenPurpose::Reset] {
            self.tx.portal_tokens().revoke(contact, purpose).await?;
        }
        let epoch = self.next_session_epoch(contact).await?;
        self.tx
            .audit()
            .log(
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
    pub async fn record_sign_in(
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
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        self.tx
            .audit()
            .log(
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
    pub async fn record_link_sent(
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
        self.tx
            .audit()
            .log(
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
    pub async fn set_lock(
        &mut self,
        contact: ContactId,
        until: Option<DateTime<Utc>>,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(Contacts::Table)
            .value(Contacts::PortalLockedUntil, until)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        if self.tx.conn.execute(&update).await? == 0 {
            return Ok(false);
        }
        let action = if until.is_some() {
            "contact.portal_lock"
        } else {
            "contact.portal_unlock"
        };
        self.tx
            .audit()
            .log(
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
    pub async fn end_sessions(
        &mut self,
        contact: ContactId,
        by: By<'_>,
    ) -> Result<Option<i32>, DataError> {
        if self.tx.contacts().find(contact).await?.is_none() {
            return Ok(None);
        }
        let epoch = self.next_session_epoch(contact).await?;
        self.tx
            .audit()
            .log(
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
    pub(crate) async fn void(&mut self, contact: ContactId) -> Result<(), DataError> {
        for purpose in [
            PortalTokenPurpose::Invitation,
            PortalTokenPurpose::SignIn,
            PortalTokenPurpose::Reset,
        ] {
            self.tx.portal_tokens().revoke(contact, purpose).await?;
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
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let select = Query::select()
            .column(Contacts::PortalSessionEpoch)
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        let (epoch,): (i32,) = self
            .tx
            .conn
            .fetch_optional(&select)
            .await?
            .ok_or_else(|| DataError::Corrupt("contact vanished".into()))?;
        self.tx.policy().bump_version().await?;
        Ok(epoch)
    }
}
