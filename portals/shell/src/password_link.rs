//! The mailed links that let a contact choose a password: accepting an
//! invitation (`/invitation/<token>`) and resetting a forgotten password
//! (`/password/reset/<token>`). Both show the password form (twice, at least 10
//! characters, not the email); saving it checks the link again in the
//! transaction that uses its single-use token, sets the password (activating an
//! invited contact; a new session epoch ends every other session), revokes the
//! contact's unused sign-in links, signs it in and lands it in the portal. The
//! link proves the mailbox, so it lifts a lockout after failed passwords. A
//! link that is unknown, used, replaced or expired, or whose contact may no
//! longer use it here, gets one clear page and writes nothing.

use poem::{
    Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path},
};
use portico_data::{ContactId, PortalTokenPurpose, TenantTx};
use portico_domain::{Email, Locale};
use portico_web::{AppError, CurrentTenant, Ui, observe::request_id, password::hash_new_password};

use crate::{
    auth::{Arrival, signed_in},
    mailed::{self, Mailed, Message, render_message},
    password::{self, PasswordForm, PasswordPage, Problems, check},
    session::settle,
    site::PortalSite,
};

/// Which link leads to the password form (route data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PasswordLink {
    /// An invitation: the contact's first password.
    Invitation,
    /// A password reset.
    Reset,
}

/// Who a valid link is for.
struct Holder {
    contact: ContactId,
    display_name: String,
    email: Email,
    language: Option<Locale>,
}

impl PasswordLink {
    fn purpose(self) -> PortalTokenPurpose {
        match self {
            PasswordLink::Invitation => PortalTokenPurpose::Invitation,
            PasswordLink::Reset => PortalTokenPurpose::Reset,
        }
    }

    /// The link's path under the portal.
    fn path(self, token: &str) -> String {
        match self {
            PasswordLink::Invitation => format!("/invitation/{token}"),
            PasswordLink::Reset => Mailed::Reset.link_path(token),
        }
    }

    /// The form's title and introduction (message ids).
    fn texts(self) -> (&'static str, &'static str) {
        match self {
            PasswordLink::Invitation => ("portal-invite-title", "portal-invite-intro"),
            PasswordLink::Reset => ("portal-reset-form-title", "portal-reset-form-intro"),
        }
    }

    /// The contact a link is for, when it may use it here: an invitation's
    /// contact needs access to this portal and an email; a reset's contact must
    /// also have chosen a password. Reads only.
    async fn holder(
        self,
        tx: &mut TenantTx,
        site: PortalSite,
        token: &str,
    ) -> Result<Option<Holder>, AppError> {
        Ok(match self {
            PasswordLink::Invitation => tx
                .portal_tokens()
                .find(token, self.purpose())
                .await?
                .filter(|h| h.has(site.portal))
                .and_then(|h| {
                    Some(Holder {
                        contact: h.contact_id,
                        display_name: h.display_name,
                        email: h.email?,
                        language: None,
                    })
                }),
            PasswordLink::Reset => mailed::link_holder(tx, site, Mailed::Reset, token)
                .await?
                .map(|p| Holder {
                    contact: p.contact_id,
                    display_name: p.display_name,
                    email: p.email,
                    language: p.preferred_language,
                }),
        })
    }

    /// [`PasswordLink::holder`] in a transaction of its own.
    async fn read(
        self,
        ui: &Ui,
        tenant: &CurrentTenant,
        site: PortalSite,
        token: &str,
    ) -> Result<Option<Holder>, AppError> {
        let mut tx = ui.state.db.tenant_tx(&tenant.0).await?;
        let holder = self.holder(&mut tx, site, token).await?;
        tx.commit().await?;
        Ok(holder)
    }

    /// The page for a link that cannot be used.
    fn invalid(self, ui: &Ui, site: PortalSite) -> poem::Result<Response> {
        match self {
            PasswordLink::Reset => mailed::invalid(ui, site, Mailed::Reset),
            PasswordLink::Invitation => {
                let message = Message {
                    title: ui.lang.t("portal-invite-invalid-title"),
                    detail: ui.lang.t_args(
                        "portal-invite-invalid-detail",
                        &[("company", mailed::company(ui).into())],
                    ),
                    hint: None,
                    link_href: site.path("/sign-in"),
                    link_label: ui.lang.t("portal-go-sign-in"),
                    role: "alert",
                };
                render_message(ui, site, message, StatusCode::NOT_FOUND)
            }
        }
    }

    /// The password form.
    fn form(
        self,
        ui: &Ui,
        site: PortalSite,
        token: &str,
        holder: &Holder,
        problems: &Problems,
        status: StatusCode,
    ) -> poem::Result<Response> {
        let (title, intro) = self.texts();
        let shown = PasswordPage {
            action: site.path(&self.path(token)),
            title: ui
                .lang
                .t_args(title, &[("name", holder.display_name.clone().into())]),
            intro: ui.lang.t_args(
                intro,
                &[
                    ("portal", ui.lang.t(site.name_id()).into()),
                    ("company", mailed::company(ui).into()),
                ],
            ),
            email: holder.email.as_str(),
        };
        password::render(ui, site, shown, problems, status)
    }
}

/// The link's password form.
#[handler]
pub(crate) async fn page(
    ui: Ui,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Data(link): Data<&PasswordLink>,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    let (site, link) = (*site, *link);
    match link.read(&ui, &tenant, site, &token).await? {
        Some(holder) => link.form(
            &ui,
            site,
            &token,
            &holder,
            &Problems::default(),
            StatusCode::OK,
        ),
        None => link.invalid(&ui, site),
    }
}

/// Uses the link: sets the password, ends every other session, signs the
/// contact in and lands it in the portal.
// A handler's arguments are its extractors.
#[allow(clippy::too_many_arguments)]
#[handler]
pub(crate) async fn choose(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Data(link): Data<&PasswordLink>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let (site, link) = (*site, *link);
    let Some(holder) = link.read(&ui, &tenant, site, &token).await? else {
        return link.invalid(&ui, site);
    };
    let problems = check(&form, holder.email.as_str());
    if problems.any() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return link.form(&ui, site, &token, &holder, &problems, status);
    }
    // Hash with no transaction open: argon2 is slow.
    let hash = hash_new_password(&form.password).await?;
    let contact = holder.contact;
    let by = portico_data::By {
        actor: portico_data::Actor::Contact(contact),
        request_id: request_id(req),
    };
    let mut tx = ui
        .state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    // Checked again in the transaction that uses the token: access may have
    // been turned off while the password was hashed. Using the token decides,
    // even when two submissions race: the second finds it used, and its
    // transaction (dropped) writes nothing.
    let still = link.holder(&mut tx, site, &token).await?;
    if still.map(|h| h.contact) != Some(contact) {
        return link.invalid(&ui, site);
    }
    let used = tx
        .portal_tokens()
        .consume(&token, link.purpose())
        .await
        .map_err(AppError::from)?;
    if used != Some(contact) {
        return link.invalid(&ui, site);
    }
    // A new epoch: every other session of the contact ends.
    let Some(epoch) = tx
        .portal_credentials()
        .set_password(contact, &hash, by)
        .await
        .map_err(AppError::from)?
    else {
        return link.invalid(&ui, site);
    };
    // Sign-in links mailed before stop working too.
    tx.portal_tokens()
        .revoke(contact, PortalTokenPurpose::SignIn)
        .await
        .map_err(AppError::from)?;
    tx.portal_credentials()
        .record_sign_in(contact, site.portal, by)
        .await
        .map_err(AppError::from)?;
    let version = tx.policy().version().await.map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    settle(&ui.state, &tenant.0, version).await;
    mailed::forget_failures(&ui, req, &tenant.0, &holder.email).await?;
    tracing::info!(%contact, portal = %site.portal, link = ?link, "contact chose a password");
    let arrival = Arrival {
        contact,
        epoch,
        language: holder.language,
        next: None,
    };
    signed_in(&ui, &tenant, session, site, arrival).await
}
