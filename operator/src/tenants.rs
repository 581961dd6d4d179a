//! The companies list, and suspending or reactivating a company (audited in that
//! company's own log).

use poem::{
    IntoResponse, Request, Response, handler,
    web::{Html, Path, Redirect},
};
use portico_data::{Actor, TenantStatus, change_tenant_status};
use portico_domain::Slug;
use portico_web::{AppError, Ui, observe::request_id};
use serde_json::json;

use crate::auth::SignedInOperator;

#[handler]
pub(crate) async fn list(ui: Ui, operator: SignedInOperator) -> Result<Html<String>, AppError> {
    let mut tx = ui.state.db.platform_tx().await?;
    let tenants = tx.list_tenants().await?;
    tx.commit().await?;
    let rows: Vec<_> = tenants
        .iter()
        .map(|t| {
            json!({
                "slug": t.slug().as_str(),
                "name": t.name(),
                "locale": t.locale().tag(),
                "currency": t.currency(),
                "status": t.status(),
                "created": t.created_at().format("%Y-%m-%d").to_string(),
                "url": ui.state.config.tenant_url(t.slug()).to_string(),
            })
        })
        .collect();
    let mut ctx = ui.context();
    ctx.insert("me", &json!({ "name": operator.name }));
    ctx.insert("tenants", &rows);
    ui.render("operator/tenants.html", &ctx)
}

async fn set_status(
    ui: &Ui,
    req: &Request,
    operator: &SignedInOperator,
    slug: &str,
    status: TenantStatus,
) -> Result<Response, AppError> {
    let slug = Slug::parse(slug).map_err(|_| AppError::NotFound)?;
    let request_id = request_id(req);
    change_tenant_status(
        &ui.state.db,
        &slug,
        status,
        Actor::Operator(operator.id),
        request_id,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    ui.state.tenants.forget(&slug).await;
    tracing::info!(tenant = %slug, ?status, "tenant status changed");
    Ok(Redirect::see_other("/").into_response())
}

#[handler]
pub(crate) async fn suspend(
    ui: Ui,
    req: &Request,
    operator: SignedInOperator,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    set_status(&ui, req, &operator, &slug, TenantStatus::Suspended).await
}

#[handler]
pub(crate) async fn reactivate(
    ui: Ui,
    req: &Request,
    operator: SignedInOperator,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    set_status(&ui, req, &operator, &slug, TenantStatus::Active).await
}
