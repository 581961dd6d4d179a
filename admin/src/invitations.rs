//! Portal invitations: turning a contact's access on (or "resend") sends, through
//! the mail outbox, an email with a single-use link, valid for a week, where the
//! contact sets its password and lands in the portal. A newer invitation voids
//! the older ones; "revoke" voids them all. Only the token's hash is stored.

use chrono::Duration;
use portico_data::{
    By, Contact, ContactId, NewAuditEvent, NewMail, PortalTokenPurpose, Tenant, TenantTx,
};
use portico_domain::Portal;
use portico_web::{AppError, AppState, Lang};
use serde_json::json;

/// How long an invitation link works.
pub(crate) const VALID_DAYS: i64 = 7;

/// Where a portal lives on a company's site.
pub(crate) fn portal_base(portal: Portal) -> &'static str {
    match portal {
        Portal::Customer => "/portal",
        Portal::Supplier => "/supplier",
    }
}

/// Writes (in `tx`) a new invitation for `contact` to `portal` and its email.
/// The caller commits, then kicks the mailer. A contact without a main email
/// cannot be invited (its access could not have been turned on either).
pub(crate) async fn invite(
    tx: &mut TenantTx,
    state: &AppState,
    tenant: &Tenant,
    contact: &Contact,
    portal: Portal,
    by: By<'_>,
) -> Result<(), AppError> {
    let to = contact
        .fields
        .email
        .clone()
        .ok_or(AppError::BadRequest("portal-needs-email"))?;
    let secret = tx
        .portal_tokens()
        .create(
            contact.id,
            PortalTokenPurpose::Invitation,
            Duration::days(VALID_DAYS),
        )
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = Lang(contact.fields.preferred_language.unwrap_or(tenant.locale()));
    let mut url = state.config.tenant_url(tenant.slug());
    url.set_path(&format!("{}/invitation/{secret}", portal_base(portal)));
    let portal_name = lang.t(&format!("portal-{portal}-name"));
    let args = [
        ("company", tenant.name().to_owned().into()),
        ("portal", portal_name.into()),
        ("name", contact.display_name.clone().into()),
        ("link", url.to_string().into()),
        ("days", VALID_DAYS.into()),
    ];
    tx.outbox()
        .enqueue(&NewMail {
            to,
            to_name: Some(contact.display_name.clone()),
            subject: lang.t_args("invite-subject", &args),
            body_text: lang.t_args("invite-body", &args),
            body_html: None,
        })
        .await?;
    tx.audit()
        .record(NewAuditEvent {
            actor: by.actor,
            action: "contact.portal_invite",
            subject_kind: "contact",
            subject_id: Some(contact.id.as_uuid()),
            related_id: None,
            changes: json!({ "portal": portal, "valid_days": VALID_DAYS }),
            request_id: by.request_id,
        })
        .await?;
    Ok(())
}

/// Voids (in `tx`) every pending invitation of a contact, audited.
pub(crate) async fn revoke(
    tx: &mut TenantTx,
    contact: ContactId,
    by: By<'_>,
) -> Result<(), AppError> {
    let revoked = tx
        .portal_tokens()
        .revoke(contact, PortalTokenPurpose::Invitation)
        .await?;
    tx.audit()
        .record(NewAuditEvent {
            actor: by.actor,
            action: "contact.portal_invite_revoke",
            subject_kind: "contact",
            subject_id: Some(contact.as_uuid()),
            related_id: None,
            changes: json!({ "revoked": revoked }),
            request_id: by.request_id,
        })
        .await?;
    Ok(())
}
