//! Signing in to a portal with email and password (throttled per account and
//! address, with lockout), signing out, and signing out everywhere. Where the
//! contact lands afterwards: the page it asked for, its only account, or the
//! account picker.
//! The emailed one-time sign-in link and the password reset are in `mailed`.

use chrono::Utc;
use poem::{
    IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    session::Session,
    web::{Data, Form, Query, Redirect},
};
use portico_auth::verify_password;
use portico_data::{Actor, By, ContactId};
use portico_domain::{Email, Locale};
use portico_web::{
    AppError, CurrentTenant, Ui,
    i18n::remember_language,
    observe::RequestId,
    signin::{SignInAttempt, minutes_left},
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

#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// The answer while an account or address is locked out.
fn locked_out(
    ui: &Ui,
    site: PortalSite,
    view: SignInView<'_>,
    retry_after: std::time::Duration,
) -> poem::Result<Response> {
    let locked = portico_auth::Locked { retry_after };
    let message = ui.lang.t_args(
        "sign-in-locked",
        &[("minutes", minutes_left(locked).into())],
    );
    let mut resp = render_sign_in(
        ui,
        site,
        SignInView {
            error: Some(message),
            ..view
        },
        StatusCode::TOO_MANY_REQUESTS,
    )?;
    if let Ok(value) = retry_after.as_secs().max(1).to_string().parse() {
        resp.headers_mut().insert(header::RETRY_AFTER, value);
    }
    Ok(resp)
}

#[handler]
pub(crate) async fn sign_in(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Form(form): Form<SignInForm>,
) -> poem::Result<Response> {
    let (state, site) = (&ui.state, *site);
    let view = || SignInView {
        email: &form.email,
        next: site.local_next(form.next.as_deref()),
        ..SignInView::default()
    };
    let refuse = |message: &str| {
        render_sign_in(
            &ui,
            site,
            SignInView {
                error: Some(ui.lang.t(message)),
                ..view()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Ok(email) = Email::parse(&form.email) else {
        return refuse("sign-in-email-invalid");
    };
    if form.password.is_empty() {
        return refuse("sign-in-password-missing");
    }
    // One scope for both portals: the contact has one password.
    let attempt = SignInAttempt::new(&format!("portal:{}", tenant.0.id()), email.as_str(), req);
    if let Err(locked) = attempt.check(state).await? {
        return locked_out(&ui, site, view(), locked.retry_after);
    }
    let mut tx = state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    let found = tx
        .portal_credentials()
        .find(&email, site.portal)
        .await
        .map_err(AppError::from)?;
    // Verify with no transaction open: argon2 is slow and must not hold a
    // connection (or SQLite's write lock).
    tx.commit().await.map_err(AppError::from)?;
    let now = Utc::now();
    if let Some(until) = found.as_ref().and_then(|c| c.locked_at(now)) {
        let left = (until - now).to_std().unwrap_or_default();
        return locked_out(&ui, site, view(), left);
    }
    let hash = found.as_ref().and_then(|c| c.password_hash.as_deref());
    let valid = verify_password(&form.password, hash).await;
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.as_str());
    let person = match found {
        Some(person) if valid => person,
        found => {
            attempt.failed(state).await?;
            if let Some(person) = found
                && let Err(locked) = attempt.check(state).await?
            {
                let until =
                    now + chrono::Duration::from_std(locked.retry_after).unwrap_or_default();
                let by = By {
                    actor: Actor::System,
                    request_id,
                };
                let mut tx = state
                    .db
                    .tenant_tx(&tenant.0)
                    .await
                    .map_err(AppError::from)?;
                tx.portal_credentials()
                    .set_lock(person.contact_id, Some(until), by)
                    .await
                    .map_err(AppError::from)?;
                tx.commit().await.map_err(AppError::from)?;
            }
            tracing::info!(portal = %site.portal, "portal sign-in refused");
            return refuse("sign-in-failed");
        }
    };
    let by = By {
        actor: Actor::Contact(person.contact_id),
        request_id,
    };
    let mut tx = state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    tx.portal_credentials()
        .record_sign_in(person.contact_id, site.portal, by)
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    attempt.succeeded(state).await?;
    tracing::info!(contact = %person.contact_id, portal = %site.portal, "contact signed in");
    let arrival = Arrival {
        contact: person.contact_id,
        epoch: person.session_epoch,
        language: person.preferred_language,
        next: site.local_next(form.next.as_deref()),
    };
    signed_in(&ui, &tenant, session, site, arrival).await
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
    let accounts: Vec<Uuid> = ui
        .state
        .policies
        .policy(&tenant.0, arrival.contact)
        .await?
        .map(|p| p.accounts(site.portal).iter().map(|(id, _)| *id).collect())
        .unwrap_or_default();
    let only = match accounts.as_slice() {
        [id] => Some(*id),
        _ => None,
    };
    session::start(
        session,
        site,
        &Principal {
            tenant: tenant.0.id().as_uuid(),
            contact: arrival.contact.as_uuid(),
            portal: site.portal,
            epoch: arrival.epoch,
            account: only,
        },
    );
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
