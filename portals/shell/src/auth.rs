//! Signing in to a portal with email and password (the shared flow of
//! [`portico_web::signin`]; a lockout is also stored with the contact), signing
//! out, and signing out everywhere. Where the contact lands afterwards: the page
//! it asked for, its only account, or the account picker.
//! The emailed one-time sign-in link and the password reset are in `mailed`.

use chrono::{DateTime, Utc};
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Query, Redirect},
};
use portico_data::{Actor, By, ContactId, PortalCredentials};
use portico_domain::{Email, Locale, Portal};
use portico_web::{
    AppError, AppState, CurrentTenant, Ui,
    i18n::remember_language,
    signin::{self, Refusal, SignInKind},
};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    session::{self, PortalSession, Principal},
    site::PortalSite,
};

/// What the sign-in page shows besides the form.
#[derive(Default)]
pub(crate) struct SignInView<'a> {
    pub email: &'a str,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub next: Option<String>,
}

/// The sign-in page (also what a portal's home shows to visitors).
pub(crate) fn render_sign_in(
    ui: &Ui,
    site: PortalSite,
    view: SignInView<'_>,
    status: StatusCode,
) -> poem::Result<Response> {
    let company = ui
        .tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default();
    let portal_name = ui.lang.t(site.name_id());
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &portal_name);
    ctx.insert(
        "welcome",
        &ui.lang.t_args(
            "portal-welcome",
            &[
                ("portal", portal_name.clone().into()),
                ("company", company.clone().into()),
            ],
        ),
    );
    ctx.insert(
        "hint",
        &ui.lang
            .t_args("portal-invitation-hint", &[("company", company.into())]),
    );
    ctx.insert("email", view.email);
    ctx.insert("error", &view.error);
    ctx.insert("notice", &view.notice);
    ctx.insert("next", &view.next);
    Ok(ui
        .render("portal/sign_in.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct SignInQuery {
    signed_out: Option<String>,
    next: Option<String>,
}

/// The notice after signing out (`?signed_out=1` or `=everywhere`).
pub(crate) fn signed_out_notice(ui: &Ui, signed_out: Option<&str>) -> Option<String> {
    signed_out.map(|how| match how {
        "everywhere" => ui.lang.t("portal-signed-out-everywhere"),
        _ => ui.lang.t("signed-out"),
    })
}

#[handler]
pub(crate) fn sign_in_page(
    ui: Ui,
    Data(site): Data<&PortalSite>,
    Query(query): Query<SignInQuery>,
) -> poem::Result<Response> {
    let view = SignInView {
        notice: signed_out_notice(&ui, query.signed_out.as_deref()),
        next: site.local_next(query.next.as_deref()),
        ..SignInView::default()
    };
    render_sign_in(&ui, *site, view, StatusCode::OK)
}

/// Contacts signing in to one portal, as the shared sign-in flow finds and
/// admits them; one throttle scope for both portals (the contact has one password).
struct PortalSignIn<'a> {
    tenant: &'a CurrentTenant,
    site: PortalSite,
    /// The local page asked for.
    next: Option<String>,
}

impl SignInKind for PortalSignIn<'_> {
    type Credentials = PortalCredentials;

    fn scope(&self) -> String {
        format!("portal:{}", self.tenant.0.id())
    }

    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response> {
        let view = SignInView {
            email: refusal.email,
            error: Some(refusal.error),
            next: self.next.clone(),
            ..SignInView::default()
        };
        render_sign_in(ui, self.site, view, refusal.status)
    }

    async fn find(
        &self,
        state: &AppState,
        email: &Email,
    ) -> Result<Option<PortalCredentials>, AppError> {
        let mut tx = state.db.tenant_tx(&self.tenant.0).await?;
        let found = tx
            .portal_credentials()
            .find(email, self.site.portal)
            .await?;
        tx.commit().await?;
        Ok(found)
    }

    fn password_hash<'c>(&self, found: &'c PortalCredentials) -> Option<&'c str> {
        found.password_hash.as_deref()
    }

    fn stored_lock(&self, found: &PortalCredentials, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        found.locked_at(now)
    }

    /// The lockout is kept with the contact, so that staff see it.
    async fn locked(
        &self,
        state: &AppState,
        found: &PortalCredentials,
        until: DateTime<Utc>,
        request_id: Option<&str>,
    ) -> Result<(), AppError> {
        let by = By {
            actor: Actor::System,
            request_id,
        };
        let mut tx = state.db.tenant_tx(&self.tenant.0).await?;
        tx.portal_credentials()
            .set_lock(found.contact_id, Some(until), by)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record(
        &self,
        state: &AppState,
        found: &PortalCredentials,
        request_id: Option<&str>,
    ) -> Result<(), AppError> {
        let by = By {
            actor: Actor::Contact(found.contact_id),
            request_id,
        };
        let mut tx = state.db.tenant_tx(&self.tenant.0).await?;
        tx.portal_credentials()
            .record_sign_in(found.contact_id, self.site.portal, by)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn arrive(
        &self,
        ui: &Ui,
        session: &Session,
        person: PortalCredentials,
    ) -> poem::Result<Response> {
        tracing::info!(contact = %person.contact_id, portal = %self.site.portal, "contact signed in");
        let arrival = Arrival {
            contact: person.contact_id,
            epoch: person.session_epoch,
            language: person.preferred_language,
            next: self.next.clone(),
        };
        signed_in(ui, self.tenant, session, self.site, arrival).await
    }
}

#[handler]
pub(crate) async fn sign_in(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Form(form): Form<signin::SignInForm>,
) -> poem::Result<Response> {
    let kind = PortalSignIn {
        tenant: &tenant,
        site: *site,
        next: site.local_next(form.next.as_deref()),
    };
    signin::sign_in(&kind, &ui, req, session, &form.email, &form.password).await
}

/// A contact who just proved who it is, and where it asked to go.
pub(crate) struct Arrival {
    pub contact: ContactId,
    /// The contact's session epoch, read with its credentials.
    pub epoch: i32,
    /// The contact's stored language: remembered for a browser that has not
    /// chosen one.
    pub language: Option<Locale>,
    pub next: Option<String>,
}

/// Starts the session of an arriving contact and sends it on: to the page it
/// asked for, else to its only account's home, else to the account picker.
pub(crate) async fn signed_in(
    ui: &Ui,
    tenant: &CurrentTenant,
    session: &Session,
    site: PortalSite,
    arrival: Arrival,
) -> poem::Result<Response> {
    let policy = ui.state.policies.policy(&tenant.0, arrival.contact).await?;
    // The account acted for in `portal` when the contact has only one there.
    let only_account = |portal: Portal| {
        let accounts: Vec<Uuid> = policy
            .as_ref()
            .map(|p| p.accounts(portal).iter().map(|(id, _)| *id).collect())
            .unwrap_or_default();
        match accounts.as_slice() {
            [id] => Some(*id),
            _ => None,
        }
    };
    let only = only_account(site.portal);
    let principal = |portal: Portal, account: Option<Uuid>| Principal {
        tenant: tenant.0.id().as_uuid(),
        contact: arrival.contact.as_uuid(),
        portal,
        epoch: arrival.epoch,
        account,
    };
    // Open to the contact in the other portal too: one sign-in for both.
    let other = site.other().portal;
    let both = policy
        .as_ref()
        .filter(|p| p.has_portal(other) && !p.accounts(other).is_empty())
        .map(|_| principal(other, only_account(other)));
    session::start(session, site, &principal(site.portal, only), both);
    let target = match (arrival.next, only) {
        (Some(next), _) => next,
        (None, Some(_)) => site.base().to_owned(),
        (None, None) => site.path("/accounts"),
    };
    let mut resp = Redirect::see_other(target).into_response();
    // The contact's stored language applies only to a browser that has not
    // chosen one: a choice made on the sign-in page survives signing in.
    if let Some(locale) = arrival.language
        && !ui.language_chosen
    {
        remember_language(&mut resp, locale, ui.state.config.secure_cookies());
    }
    Ok(resp)
}

/// Signs out of this browser (both portals and anything else in the session).
#[handler]
pub(crate) fn sign_out(session: &Session, Data(site): Data<&PortalSite>) -> Response {
    session.purge();
    Redirect::see_other(site.path("/sign-in?signed_out=1")).into_response()
}

/// Ends every session of the contact, in every browser and on every instance.
#[handler]
pub(crate) async fn sign_out_everywhere(
    me: PortalSession,
    session: &Session,
) -> poem::Result<Response> {
    let mut tx = me.tx().await?;
    tx.portal_credentials()
        .end_sessions(me.contact, me.by())
        .await
        .map_err(AppError::from)?;
    let version = tx.policy().version().await.map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    session::settle(&me.state, &me.tenant, version).await;
    session.purge();
    tracing::info!(contact = %me.contact, "contact signed out everywhere");
    Ok(Redirect::see_other(me.site.path("/sign-in?signed_out=everywhere")).into_response())
}
