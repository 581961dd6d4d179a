//! The emailed one-time sign-in link, and asking for it or for a password
//! reset.
//!
//! Asking for either (`/sign-in/link`, `/password/forgot`) is the one
//! [`portico_web::mail_link`] flow: the same "if the address has access, we
//! sent a link" page whether a mail went out or not. A mail goes out only to a
//! contact whose access to this portal is on, who is not archived and who has
//! chosen a password (status active): an invited contact comes in through its
//! invitation first, which the answer reminds of. Both kinds share one throttle
//! scope (`portal-mail:<tenant>`: whatever mails the contact). The mail is in
//! the contact's language, else the company's, and only the newest link of a
//! kind works.
//!
//! A sign-in link (`/sign-in/link/<token>`, 15 minutes) first shows a button:
//! signing in is a POST with the CSRF token, so a mail scanner that fetches the
//! link does not use it up. The POST uses the token once and starts the
//! session exactly as a password sign-in does; it works during a lockout after
//! failed passwords (the link proves the mailbox) and lifts it. A reset link
//! (`/password/reset/<token>`, one hour) leads to the password form of
//! [`crate::password_link`]. Secrets travel only in the mail and the path,
//! which the request log masks.

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
    mail_link::{LinkForm, LinkKind, mail_link},
    observe::request_id,
    signin::{Refusal, SignInAttempt},
};

use crate::{
    auth::{Arrival, signed_in},
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
    pub(crate) fn link_path(self, secret: &str) -> String {
        match self {
            Mailed::SignIn => format!("/sign-in/link/{secret}"),
            Mailed::Reset => format!("/password/reset/{secret}"),
        }
    }
}

/// Whether a contact found for this portal may be mailed a link and use it:
/// it has chosen a password (an invited contact accepts its invitation first).
fn may_use_links(person: &PortalCredentials) -> bool {
    person.status == PortalStatus::Active && person.password_hash.is_some()
}

pub(crate) fn company(ui: &Ui) -> String {
    ui.tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default()
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

#[handler]
pub(crate) async fn ask(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    Data(site): Data<&PortalSite>,
    Data(kind): Data<&Mailed>,
    Form(form): Form<LinkForm>,
) -> poem::Result<Response> {
    let link = PortalLink {
        tenant: &tenant.0,
        site: *site,
        kind: *kind,
    };
    mail_link(&link, &ui, req, &tenant.0, &form.email).await
}

/// A portal's sign-in link or password reset, as a kind of mailed link.
struct PortalLink<'a> {
    tenant: &'a Tenant,
    site: PortalSite,
    kind: Mailed,
}

impl LinkKind for PortalLink<'_> {
    /// One scope for both kinds: whatever mails the contact.
    fn scope(&self, tenant: &Tenant) -> String {
        format!("portal-mail:{}", tenant.id())
    }

    fn throttled_id(&self) -> &'static str {
        "portal-mail-throttled"
    }

    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response> {
        render_ask(
            ui,
            self.site,
            self.kind,
            refusal.email,
            Some(refusal.error),
            refusal.status,
        )
    }

    /// Only a contact who may use links here gets one.
    async fn send(
        &self,
        ui: &Ui,
        tx: &mut TenantTx,
        email: &Email,
        by: By<'_>,
    ) -> Result<Option<String>, AppError> {
        let (tenant, site, kind) = (self.tenant, self.site, self.kind);
        let found = tx.portal_credentials().find(email, site.portal).await?;
        let Some(person) = found.filter(may_use_links) else {
            return Ok(None);
        };
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
        let mail = compose(lang, kind, site, tenant.name(), &person, link.as_str());
        tx.outbox().enqueue(&mail).await?;
        tx.portal_credentials()
            .record_link_sent(contact, kind.purpose(), site.portal, by)
            .await?;
        Ok(Some(format!(
            "contact {contact} ({}, {kind:?})",
            site.portal
        )))
    }

    fn answer(&self, ui: &Ui, email: &Email) -> poem::Result<Response> {
        let (site, kind) = (self.site, self.kind);
        let portal_name = ui.lang.t(site.name_id());
        let message = Message {
            title: ui.lang.t("portal-mail-sent-title"),
            detail: ui.lang.t_args(
                &kind.id("sent"),
                &[
                    ("email", email.as_str().to_owned().into()),
                    ("portal", portal_name.into()),
                    ("company", company(ui).into()),
                ],
            ),
            hint: Some(
                ui.lang
                    .t_args("portal-mail-sent-hint", &[("company", company(ui).into())]),
            ),
            link_href: site.path("/sign-in"),
            link_label: ui.lang.t("portal-go-sign-in"),
            role: "status",
        };
        render_message(ui, site, message, StatusCode::OK)
    }
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
pub(crate) async fn link_holder(
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
pub(crate) fn invalid(ui: &Ui, site: PortalSite, kind: Mailed) -> poem::Result<Response> {
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
pub(crate) async fn forget_failures(
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
