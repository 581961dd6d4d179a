//! Company lifecycle commands that span the registry and the company's own audit
//! log, each in one transaction: creating a company with its first staff user,
//! and suspending or reactivating it.

use portico_domain::Slug;

use crate::{
    Actor, DataError, Database, NewAuditEvent, NewStaffUser, NewTenant, Tenant, TenantStatus,
};
use serde_json::json;

/// Registers the company, adds its first staff user and records both in the
/// company's audit log; nothing is kept if any step fails.
pub async fn provision_tenant(
    db: &Database,
    tenant: &NewTenant,
    first_user: &NewStaffUser,
    actor: Actor,
) -> Result<Tenant, DataError> {
    let mut platform = db.operator_tx().await?;
    let created = platform.create_tenant(tenant).await?;
    let mut tx = platform.into_tenant(&created).await?;
    tx.audit()
        .record(NewAuditEvent {
            actor,
            action: "tenant.create",
            subject_kind: "tenant",
            subject_id: Some(created.id().as_uuid()),
            related_id: None,
            changes: json!({ "after": { "slug": created.slug(), "name": created.name(),
            "locale": created.locale(), "currency": created.currency(),
            "max_contacts": created.max_contacts() } }),
            request_id: None,
        })
        .await?;
    tx.lists().seed_titles().await?;
    tx.portal_roles().seed().await?;
    let user = tx.staff().create(first_user).await?;
    tx.audit().record(NewAuditEvent {
        actor,
        action: "staff.create",
        subject_kind: "staff_user",
        subject_id: Some(user.id.as_uuid()),
        related_id: None,
        changes: json!({ "after": { "email": user.email, "name": user.name, "role": user.role } }),
        request_id: None,
    })
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Suspends or reactivates a company and records it in the company's audit log;
/// `None` when no company has that slug.
pub async fn change_tenant_status(
    db: &Database,
    slug: &Slug,
    status: TenantStatus,
    actor: Actor,
    request_id: Option<&str>,
) -> Result<Option<Tenant>, DataError> {
    let mut platform = db.operator_tx().await?;
    let Some(before) = platform.find_tenant_by_slug(slug).await? else {
        return Ok(None);
    };
    let Some(tenant) = platform.set_tenant_status(slug, status).await? else {
        return Ok(None);
    };
    let mut tx = platform.into_tenant(&tenant).await?;
    tx.audit().record(NewAuditEvent {
        actor,
        action: match status {
            TenantStatus::Active => "tenant.reactivate",
            TenantStatus::Suspended => "tenant.suspend",
        },
        subject_kind: "tenant",
        subject_id: Some(tenant.id().as_uuid()),
        related_id: None,
        changes: json!({ "before": { "status": before.status() }, "after": { "status": tenant.status() } }),
        request_id,
    })
    .await?;
    tx.commit().await?;
    Ok(Some(tenant))
}
