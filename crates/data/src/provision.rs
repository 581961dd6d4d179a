//! Creating a company together with its first staff user, in one transaction.

use crate::{Actor, DataError, Database, NewAuditEvent, NewStaffUser, NewTenant, Tenant};
use serde_json::json;

/// Registers the company, adds its first staff user and records both in the
/// company's audit log; nothing is kept if any step fails.
pub async fn provision_tenant(
    db: &Database,
    tenant: &NewTenant,
    first_user: &NewStaffUser,
    actor: Actor,
) -> Result<Tenant, DataError> {
    let mut platform = db.platform_tx().await?;
    let created = platform.create_tenant(tenant).await?;
    let mut tx = platform.into_tenant(&created).await?;
    tx.record_audit_event(NewAuditEvent {
        actor,
        action: "tenant.create",
        subject_kind: "tenant",
        subject_id: Some(created.id().as_uuid()),
        changes: json!({ "after": { "slug": created.slug(), "name": created.name(),
            "locale": created.locale(), "currency": created.currency(),
            "max_contacts": created.max_contacts() } }),
        request_id: None,
    })
    .await?;
    let user = tx.create_staff_user(first_user).await?;
    tx.record_audit_event(NewAuditEvent {
        actor,
        action: "staff.create",
        subject_kind: "staff_user",
        subject_id: Some(user.id.as_uuid()),
        changes: json!({ "after": { "email": user.email, "name": user.name, "role": user.role } }),
        request_id: None,
    })
    .await?;
    tx.commit().await?;
    Ok(created)
}
