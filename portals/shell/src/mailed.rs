//! The emailed one-time sign-in link and the emailed password reset.
//!
//! Asking for either (`/sign-in/link`, `/password/forgot`) takes an email and
//! always answers the same "if the address has access, we sent a link" page,
//! whether a mail went out or not: the pages tell nobody which addresses have
//! access. A mail goes out only to a contact whose access to this portal is on,
//! who is not archived and who has chosen a password (status active): an
//! invited contact comes in through its invitation first, which the answer
//! reminds of. Requests are throttled per typed email and per client address,
//! in one scope for both kinds (`portal-mail:<tenant>`: whatever mails the
//! contact), counted whether a mail went out or not, so the pages cannot
//! flood an inbox. The mail (in the contact's language, else the company's) is
//! written to the outbox in the transaction that creates the token, and only
//! the newest link of a kind works.
//!
//! A sign-in link (`/sign-in/link/<token>`, 15 minutes) first shows a button:
//! signing in is a POST with the CSRF token, so a mail scanner that fetches the
//! link does not use it up. The POST uses the token once and starts the
//! session exactly as a password sign-in does. A reset link
//! (`/password/reset/<token>`, one hour) asks for a new password with the
//! invitation's rules; saving it uses the token, ends every other session of
//! the contact (and revokes its unused sign-in links), signs it in and lands
//! it in the portal. A link that is unknown, used, replaced or expired, or
//! whose contact may no longer use it here, gets one clear page and writes
//! nothing. Both links prove the mailbox, so they work during a lockout after
//! failed passwords (and lift it). Secrets travel only in the mail and the
//! path, which the request log masks.

use chrono::Duration;
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path},
};
use portico_data::{
    Actor, By, NewMail, PortalCredentials, PortalStatus, PortalTokenPurpose, Tenant, TenantTx,
};
use portico_domain::Email;
use portico_web::{
    AppError, CurrentTenant, Lang, Ui,
    observe::RequestId,
    password::hash_new_password,
    signin::{SignInAttempt, minutes_left, with_retry_after},
};
use serde::Deserialize;

use crate::{
    auth::{Arrival, signed_in},
    password::{self, PasswordForm, PasswordPage, Problems, check},
    session::settle,
    site::PortalSite,
};

/// What a mailed link is for (route data of the pages that ask for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mailed {
    /// A one-time sign-in link.
    SignIn,
    /// A password reset.
    Reset,
}

impl Mailed {
    fn purpose(self) -> PortalTokenPurpose {
        match self {
            Mailed::SignIn => PortalTokenPurpose::SignIn,
            Mailed::Reset => PortalTokenPurpose::Reset,
        }
    }

    /// How long a link works (the pages and mails say so in words).
    fn ttl(self) -> Duration {
        match self {
            Mailed::SignIn => Duration::minutes(15),
            Mailed::Reset => Duration::hours(1),
        }
    }

    /// A message id of this kind: `portal-link-…` or `portal-reset-…`.
    fn id(self, suffix: &str) -> String {
        let prefix = match self {
            Mailed::SignIn => "portal-link",
            Mailed::Reset => "portal-reset",
        };
        format!("{prefix}-{suffix}")
    }

    /// Where one asks for a link, under the portal.
    fn ask_path(self) -> &'static str {
        match self {
            Mailed::SignIn => "/sign-in/link",
            Mailed::Reset => "/password/forgot",
        }
    }

    /// Where a link leads, under the portal.
    fn link_path(self, secret: &str) -> String {
        match self {
            Mailed::SignIn => format!("/sign-in/link/{secret}"),
            Mailed::Reset => format!("/password/reset/{secret}"),
        }
    }
}

/// The throttle scope of every request that mails a contact.
fn throttle_scope(tenant: &Tenant) -> String {
    format!("portal-mail:{}", tenant.id())
}

/// Whether a contact found for this portal may be mailed a link and use it:
/// it has chosen a password (an invited contact accepts its invitation first).
fn may_use_links(person: &PortalCredentials) -> bool {
    person.status == PortalStatus::Active && person.password_hash.is_some()
}

fn company(ui: &Ui) -> String {
    ui.tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default()
}

fn request_id(req: &Request) -> Option<&str> {
    req.extensions().get::<RequestId>().map(|r| r.0.as_str())
}

/// What the portal's message page shows.
pub(crate) struct Message {
    pub title: String,
    pub detail: String,
    pub hint: Option<String>,
    pub link_href: String,
    pub link_label: String,
    /// `alert` for a problem, `status` for news.
    pub role: &'static str,
}

/// The portal's one-message page.
pub(crate) fn render_message(
    ui: &Ui,
    site: PortalSite,
    message: Message,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &ui.lang.t(site.name_id()));
    ctx.insert("title", &message.title);
    ctx.insert("detail", &message.detail);
    ctx.insert("hint", &message.hint);
    ctx.insert("link_href", &message.link_href);
    ctx.insert("link_label", &message.link_label);
    ctx.insert("role", message.role);
    Ok(ui
        .render("portal/message.html", &ctx)?
        .with_status(status)
        .into_response())
}

// ----- asking for a link -----

/// The form that asks for a link.
fn render_ask(
    ui: &Ui,
    site: PortalSite,
    kind: Mailed,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> poem::Result<Response> {
    let portal_name = ui.lang.t(site.name_id());
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &portal_name);
    ctx.insert("action", &site.path(kind.ask_path()));
    ctx.insert("title", &ui.lang.t(&kind.id("title")));
    ctx.insert(
        "intro",
        &ui.lang.t_args(
            &kind.id("intro"),
            &[
                ("portal", portal_name.into()),
                ("company", company(ui).into()),
            ],
        ),
    );
    ctx.insert("submit", &ui.lang.t(&kind.id("submit")));
    ctx.insert("email", email);
    ctx.insert("error", &error);
    Ok(ui
        .render("portal/ask_link.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) fn ask_page(
    ui: Ui,
    Data(site): Data<&PortalSite>,
    Data(kind): Data<&Mailed>,
) -> poem::Result<Response> {
    render_ask(&ui, *site, *kind, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct AskForm {
    #[serde(default)]
    email: String,
}

#[handler]
pub(crate) async fn ask(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Data(kind): Data<&Mailed>,
    Form(form): Form<AskForm>,
) -> poem::Result<Response> {
    let (state, site, kind, tenant) = (&ui.state, *site, *kind, &tenant.0);
    let Ok(email) = Email::parse(&form.email) else {
        let error = ui.lang.t("sign-in-email-invalid");
        return render_ask(
            &ui,
            site,
            kind,
            &form.email,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let attempt = SignInAttempt::new(&throttle_scope(tenant), email.as_str(), req);
    if let Err(locked) = attempt.check(state).await? {
        let error = ui.lang.t_args(
            "portal-mail-throttled",
            &[("minutes", minutes_left(locked).into())],
        );
        let resp = render_ask(
            &ui,
            site,
            kind,
            email.as_str(),
            Some(error),
            StatusCode::TOO_MANY_REQUESTS,
        )?;
        return Ok(with_retry_after(resp, locked.retry_after));
    }
    // Every request counts, whether it mails anyone or not.
    attempt.failed(state).await?;
    let mut tx = state.db.tenant_tx(tenant).await.map_err(AppError::from)?;
    let found = tx
        .portal_credentials()
        .find(&email, site.portal)
        .await
        .map_err(AppError::from)?;
    let sent = match found.filter(may_use_links) {
        Some(person) => {
            let by = By {
                actor: Actor::System,
                request_id: request_id(req),
            };
            send(&ui, &mut tx, tenant, site, kind, &person, by).await?
        }
        None => None,
    };
    tx.commit().await.map_err(AppError::from)?;
    match sent {
        Some(contact) => {
            state.mail.kick(tenant);
            tracing::info!(%contact, portal = %site.portal, kind = ?kind, "portal link mailed");
        }
        None => {
            tracing::info!(portal = %site.portal, kind = ?kind, "portal link asked for; none mailed")
        }
    }
    let portal_name = ui.lang.t(site.name_id());
    let message = Message {
        title: ui.lang.t("portal-mail-sent-title"),
        detail: ui.lang.t_args(
            &kind.id("sent"),
            &[
                ("email", email.as_str().to_owned().into()),
                ("portal", portal_name.into()),
                ("company", company(&ui).into()),
            ],
        ),
        hint: Some(
            ui.lang
                .t_args("portal-mail-sent-hint", &[("company", company(&ui).into())]),
        ),
        link_href: site.path("/sign-in"),
        link_label: ui.lang.t("portal-go-sign-in"),
        role: "status",
    };
    render_message(&ui, site, message, StatusCode::OK)
}

/// Creates the contact's token and puts the mail carrying its link in the
/// outbox (in `tx`). The contact, when the token was created.
async fn send(
    ui: &Ui,
    tx: &mut TenantTx,
    tenant: &Tenant,
    site: PortalSite,
    kind: Mailed,
    person: &PortalCredentials,
    by: By<'_>,
) -> Result<Option<portico_data::ContactId>, AppError> {
    let contact = person.contact_id;
    let Some(secret) = tx
        .portal_tokens()
        .create(contact, kind.purpose(), kind.ttl())
        .await?
    else {
        return Ok(None);
    };
    let link = ui
        .state
        .config
        .tenant_url(tenant.slug())
        .join(&site.path(&kind.link_path(&secret)))
        .map_err(AppError::internal)?;
    let lang = Lang(person.preferred_language.unwrap_or(tenant.locale()));
    let mail = compose(lang, kind, site, tenant.name(), person, link.as_str());
    tx.outbox().enqueue(&mail).await?;
    tx.portal_credentials()
        .record_link_sent(contact, kind.purpose(), site.portal, by)
        .await?;
    Ok(Some(contact))
}

/// The mail carrying a link, in `lang`.
fn compose(
    lang: Lang,
    kind: Mailed,
    site: PortalSite,
    company: &str,
    person: &PortalCredentials,
    link: &str,
) -> NewMail {
    let portal = lang.t(site.name_id());
    let about = || {
        [
            ("portal", portal.clone().into()),
            ("company", company.to_owned().into()),
        ]
    };
    let paragraphs = [
        lang.t_args(
            "portal-mail-greeting",
            &[("name", person.display_name.clone().into())],
        ),
        lang.t_args(&kind.id("mail-intro"), &about()),
        link.to_owned(),
        lang.t(&kind.id("mail-validity")),
        lang.t("portal-mail-ignore"),
        lang.t_args("portal-mail-signature", &about()),
    ];
    NewMail {
        to: person.email.clone(),
        to_name: Some(person.display_name.clone()),
        subject: lang.t_args(&kind.id("mail-subject"), &about()),
        body_text: paragraphs.join("\n\n") + "\n",
        body_html: None,
    }
}

// ----- following a link -----

/// The contact a link of `kind` is for, when it may use it here: the token
/// valid (unused, unrevoked, unexpired, the newest of its kind), and its
/// contact not archived, with access to this portal on and a password. Reads
/// only.
async fn link_holder(
    tx: &mut TenantTx,
    site: PortalSite,
    kind: Mailed,
    secret: &str,
) -> Result<Option<PortalCredentials>, AppError> {
    let Some(holder) = tx.portal_tokens().find(secret, kind.purpose()).await? else {
        return Ok(None);
    };
    let email = match &holder.email {
        Some(email) if holder.has(site.portal) => email,
        _ => return Ok(None),
    };
    let person = tx.portal_credentials().find(email, site.portal).await?;
    Ok(person.filter(|p| p.contact_id == holder.contact_id && may_use_links(p)))
}

/// [`link_holder`] in a transaction of its own.
async fn read_link(
    ui: &Ui,
    tenant: &Tenant,
    site: PortalSite,
    kind: Mailed,
    secret: &str,
) -> Result<Option<PortalCredentials>, AppError> {
    let mut tx = ui.state.db.tenant_tx(tenant).await?;
    let person = link_holder(&mut tx, site, kind, secret).await?;
    tx.commit().await?;
    Ok(person)
}

/// The page for a link that cannot be used.
fn invalid(ui: &Ui, site: PortalSite, kind: Mailed) -> poem::Result<Response> {
    let message = Message {
        title: ui.lang.t(&kind.id("invalid-title")),
        detail: ui.lang.t(&kind.id("invalid-detail")),
        hint: None,
        link_href: site.path(kind.ask_path()),
        link_label: ui.lang.t("portal-ask-again"),
        role: "alert",
    };
    render_message(ui, site, message, StatusCode::NOT_FOUND)
}

/// A link proves the mailbox: the password's failed attempts are forgotten.
async fn forget_failures(
    ui: &Ui,
    req: &Request,
    tenant: &Tenant,
    email: &Email,
) -> poem::Result<()> {
    let password = SignInAttempt::new(&format!("portal:{}", tenant.id()), email.as_str(), req);
    password.succeeded(&ui.state).await?;
    Ok(())
}

/// A sign-in link: one button that signs in.
#[handler]
pub(crate) async fn confirm_page(
    ui: Ui,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    let site = *site;
    let Some(person) = read_link(&ui, &tenant.0, site, Mailed::SignIn, &token).await? else {
        return invalid(&ui, site, Mailed::SignIn);
    };
    let portal_name = ui.lang.t(site.name_id());
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &portal_name);
    ctx.insert("action", &site.path(&Mailed::SignIn.link_path(&token)));
    ctx.insert(
        "title",
        &ui.lang.t_args(
            "portal-link-confirm-title",
            &[("portal", portal_name.clone().into())],
        ),
    );
    ctx.insert(
        "detail",
        &ui.lang.t_args(
            "portal-link-confirm-detail",
            &[
                ("portal", portal_name.into()),
                ("company", company(&ui).into()),
                ("email", person.email.as_str().to_owned().into()),
            ],
        ),
    );
    Ok(ui.render("portal/confirm_link.html", &ctx)?.into_response())
}

/// Uses a sign-in link: signs the contact in and lands it in the portal.
#[handler]
pub(crate) async fn confirm(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    let site = *site;
    let mut tx = ui
        .state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    let Some(person) = link_holder(&mut tx, site, Mailed::SignIn, &token).await? else {
        return invalid(&ui, site, Mailed::SignIn);
    };
    // Using the token decides, even when two submissions race: the second finds
    // it used, and its transaction (dropped) writes nothing.
    let used = tx
        .portal_tokens()
        .consume(&token, PortalTokenPurpose::SignIn)
        .await
        .map_err(AppError::from)?;
    if used != Some(person.contact_id) {
        return invalid(&ui, site, Mailed::SignIn);
    }
    let by = By {
        actor: Actor::Contact(person.contact_id),
        request_id: request_id(req),
    };
    tx.portal_credentials()
        .record_sign_in(person.contact_id, site.portal, by)
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    forget_failures(&ui, req, &tenant.0, &person.email).await?;
    tracing::info!(contact = %person.contact_id, portal = %site.portal, "contact signed in with a mailed link");
    let arrival = Arrival {
        contact: person.contact_id,
        epoch: person.session_epoch,
        language: person.preferred_language,
        next: None,
    };
    signed_in(&ui, &tenant, session, site, arrival).await
}

/// The reset form.
fn render_reset(
    ui: &Ui,
    site: PortalSite,
    token: &str,
    person: &PortalCredentials,
    problems: &Problems,
    status: StatusCode,
) -> poem::Result<Response> {
    let page = PasswordPage {
        action: site.path(&Mailed::Reset.link_path(token)),
        title: ui.lang.t_args(
            "portal-reset-form-title",
            &[("name", person.display_name.clone().into())],
        ),
        intro: ui.lang.t_args(
            "portal-reset-form-intro",
            &[
                ("portal", ui.lang.t(site.name_id()).into()),
                ("company", company(ui).into()),
            ],
        ),
        email: person.email.as_str(),
    };
    password::render(ui, site, page, problems, status)
}

/// A reset link: the form for a new password.
#[handler]
pub(crate) async fn reset_page(
    ui: Ui,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    let site = *site;
    match read_link(&ui, &tenant.0, site, Mailed::Reset, &token).await? {
        Some(person) => render_reset(
            &ui,
            site,
            &token,
            &person,
            &Problems::default(),
            StatusCode::OK,
        ),
        None => invalid(&ui, site, Mailed::Reset),
    }
}

/// Uses a reset link: sets the new password, ends every other session, signs
/// the contact in and lands it in the portal.
#[handler]
pub(crate) async fn reset(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Data(site): Data<&PortalSite>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let site = *site;
    let Some(person) = read_link(&ui, &tenant.0, site, Mailed::Reset, &token).await? else {
        return invalid(&ui, site, Mailed::Reset);
    };
    let problems = check(&form, person.email.as_str());
    if problems.any() {
        return render_reset(
            &ui,
            site,
            &token,
            &person,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Hash with no transaction open: argon2 is slow.
    let hash = hash_new_password(&form.password).await?;
    let contact = person.contact_id;
    let by = By {
        actor: Actor::Contact(contact),
        request_id: request_id(req),
    };
    let mut tx = ui
        .state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    // Checked again in the transaction that uses the token: access may have
    // been turned off while the password was hashed.
    let still = link_holder(&mut tx, site, Mailed::Reset, &token).await?;
    if still.map(|p| p.contact_id) != Some(contact) {
        return invalid(&ui, site, Mailed::Reset);
    }
    let used = tx
        .portal_tokens()
        .consume(&token, PortalTokenPurpose::Reset)
        .await
        .map_err(AppError::from)?;
    if used != Some(contact) {
        return invalid(&ui, site, Mailed::Reset);
    }
    // A new epoch: every other session of the contact ends.
    let Some(epoch) = tx
        .portal_credentials()
        .set_password(contact, &hash, by)
        .await
        .map_err(AppError::from)?
    else {
        return invalid(&ui, site, Mailed::Reset);
    };
    // Sign-in links mailed before the reset stop working too.
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
    forget_failures(&ui, req, &tenant.0, &person.email).await?;
    tracing::info!(%contact, portal = %site.portal, "contact reset its password");
    let arrival = Arrival {
        contact,
        epoch,
        language: person.preferred_language,
        next: None,
    };
    signed_in(&ui, &tenant, session, site, arrival).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::{Locale, Portal};

    fn person(language: Option<Locale>) -> PortalCredentials {
        PortalCredentials {
            contact_id: uuid::Uuid::nil().into(),
            display_name: "José Núñez".into(),
            email: Email::parse("jose@pena.do").unwrap(),
            password_hash: Some("x".into()),
            status: PortalStatus::Active,
            locked_until: None,
            session_epoch: 0,
            preferred_language: language,
        }
    }

    #[test]
    fn the_mails_name_the_company_the_portal_the_validity_and_what_to_do_if_unasked() {
        let site = PortalSite::new(Portal::Customer);
        let link = "http://pena.localhost:8080/portal/sign-in/link/abc";
        for (kind, lang, validity, ignore) in [
            (
                Mailed::SignIn,
                Locale::Es,
                "15 minutos",
                "ignore este mensaje",
            ),
            (
                Mailed::SignIn,
                Locale::En,
                "15 minutes",
                "ignore this message",
            ),
            (Mailed::Reset, Locale::Es, "una hora", "ignore este mensaje"),
            (Mailed::Reset, Locale::En, "one hour", "ignore this message"),
        ] {
            let mail = compose(
                Lang(lang),
                kind,
                site,
                "Distribuidora Peña",
                &person(None),
                link,
            );
            let portal = Lang(lang).t(site.name_id());
            assert!(
                mail.subject.contains("Distribuidora Peña"),
                "{}",
                mail.subject
            );
            for part in [
                "José Núñez",
                "Distribuidora Peña",
                &portal,
                link,
                validity,
                ignore,
            ] {
                assert!(mail.body_text.contains(part), "{part}: {}", mail.body_text);
            }
            assert_eq!(mail.to.as_str(), "jose@pena.do");
        }
    }
}
