//! Accepting an invitation: the link's single-use token lets the contact choose
//! its password (twice, at least 10 characters, not its email); that uses the
//! token, activates the contact, signs it in and lands it in the portal. A
//! token that is unknown, used, revoked or expired, or whose contact's access
//! to this portal is off, gets one clear page and writes nothing.

use poem::{
    Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path},
};
use portico_data::{Actor, By, PortalTokenHolder, PortalTokenPurpose};
use portico_web::{AppError, CurrentTenant, Ui, observe::RequestId, password::hash_new_password};

use crate::{
    auth::{Arrival, signed_in},
    mailed::{Message, render_message},
    password::{self, PasswordForm, PasswordPage, Problems, check},
    session::settle,
    site::PortalSite,
};

/// The valid invitation behind a token, for this portal.
async fn invitation(
    ui: &Ui,
    tenant: &CurrentTenant,
    site: PortalSite,
    token: &str,
) -> Result<Option<PortalTokenHolder>, AppError> {
    let mut tx = ui.state.db.tenant_tx(&tenant.0).await?;
    let holder = tx
        .portal_tokens()
        .find(token, PortalTokenPurpose::Invitation)
        .await?;
    tx.commit().await?;
    Ok(holder.filter(|h| h.has(site.portal) && h.email.is_some()))
}

/// The page for a link that cannot be used.
fn invalid(ui: &Ui, site: PortalSite) -> poem::Result<Response> {
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    let message = Message {
        title: ui.lang.t("portal-invite-invalid-title"),
        detail: ui.lang.t_args(
            "portal-invite-invalid-detail",
            &[("company", company.into())],
        ),
        hint: None,
        link_href: site.path("/sign-in"),
        link_label: ui.lang.t("portal-go-sign-in"),
        role: "alert",
    };
    render_message(ui, site, message, StatusCode::NOT_FOUND)
}

/// The invitation's password form.
fn render(
    ui: &Ui,
    site: PortalSite,
    token: &str,
    holder: &PortalTokenHolder,
    problems: &Problems,
    status: StatusCode,
) -> poem::Result<Response> {
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    let portal_name = ui.lang.t(site.name_id());
    let email = holder
        .email
        .as_ref()
        .map(|e| e.as_str().to_owned())
        .unwrap_or_default();
    let form = PasswordPage {
        action: site.path(&format!("/invitation/{token}")),
        title: ui.lang.t_args(
            "portal-invite-title",
            &[("name", holder.display_name.clone().into())],
        ),
        intro: ui.lang.t_args(
            "portal-invite-intro",
            &[("portal", portal_name.into()), ("company", company.into())],
        ),
        email: &email,
    };
    password::render(ui, site, form, problems, status)
}

#[handler]
pub(crate) async fn page(
    ui: Ui,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    match invitation(&ui, &tenant, *site, &token).await? {
        Some(holder) => render(
            &ui,
            *site,
            &token,
            &holder,
            &Problems::default(),
            StatusCode::OK,
        ),
        None => invalid(&ui, *site),
    }
}

#[handler]
pub(crate) async fn accept(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let site = *site;
    let Some(holder) = invitation(&ui, &tenant, site, &token).await? else {
        return invalid(&ui, site);
    };
    let Some(email) = holder.email.clone() else {
        return invalid(&ui, site);
    };
    let problems = check(&form, email.as_str());
    if problems.any() {
        return render(
            &ui,
            site,
            &token,
            &holder,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Hash with no transaction open: argon2 is slow.
    let hash = hash_new_password(&form.password).await?;
    let by = By {
        actor: Actor::Contact(holder.contact_id),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.as_str()),
    };
    let mut tx = ui
        .state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    // Using the token decides, even when two submissions race: the second finds
    // it used, and its transaction (dropped) writes nothing.
    let used = tx
        .portal_tokens()
        .consume(&token, PortalTokenPurpose::Invitation)
        .await
        .map_err(AppError::from)?;
    if used != Some(holder.contact_id) {
        return invalid(&ui, site);
    }
    let Some(epoch) = tx
        .portal_credentials()
        .set_password(holder.contact_id, &hash, by)
        .await
        .map_err(AppError::from)?
    else {
        return invalid(&ui, site);
    };
    tx.portal_credentials()
        .record_sign_in(holder.contact_id, site.portal, by)
        .await
        .map_err(AppError::from)?;
    let version = tx.policy().version().await.map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    settle(&ui.state, &tenant.0, version).await;
    tracing::info!(contact = %holder.contact_id, portal = %site.portal, "invitation accepted");
    let arrival = Arrival {
        contact: holder.contact_id,
        epoch,
        language: None,
        next: None,
    };
    signed_in(&ui, &tenant, session, site, arrival).await
}
