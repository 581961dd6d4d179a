//! A staff user's forgotten password, by the portals' rules.
//!
//! "¿Olvidó su contraseña?" (`/admin/password/forgot`) takes an email and always
//! answers the same "if this is a user, we sent a link" page, so it tells
//! nobody who the company's users are. A mail goes out only to an active user
//! with a password. Requests are throttled per typed email and per client
//! address (scope `staff-mail:<tenant>`), counted whether a mail went out or
//! not. The token is created, the mail (in the user's language, else the
//! company's) put in the outbox and the sending audited in one transaction; the
//! dispatcher is woken after the commit. Only the newest link works.
//!
//! The link (`/admin/password/reset/<token>`, one hour, single use) asks for a
//! new password with the usual rules; saving it uses the token, ends every
//! session of the user, lifts a sign-in lockout (the link proves the mailbox)
//! and signs the user in here. A used, replaced, expired or unknown link gets
//! one clear page and changes nothing.

use chrono::Duration;
use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Path, Redirect},
};
use portico_data::{Actor, By, NewMail, StaffStatus, StaffUser, Tenant, TenantTx};
use portico_domain::Email;
use portico_web::{
    AppError, CurrentTenant, Lang, Ui,
    i18n::remember_language,
    mail_link::{LinkForm, LinkKind, mail_link},
    observe::request_id,
    page::set_flash,
    password::hash_new_password,
    signin::{Refusal, SignInAttempt},
};
use serde_json::json;

use crate::{
    auth::begin_session,
    profile::{PasswordForm, Problems, check},
};

/// How long a reset link works (the pages and the mail say so in words).
fn ttl() -> Duration {
    Duration::hours(1)
}

fn company(ui: &Ui) -> String {
    ui.tenant
        .as_ref()
        .map(|t| t.name().to_owned())
        .unwrap_or_default()
}

/// The forgotten-password page: the form, or a message instead of it.
fn render(
    ui: &Ui,
    title: &str,
    email: &str,
    error: Option<String>,
    message: Option<serde_json::Value>,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert("title", &ui.lang.t(title));
    ctx.insert(
        "intro",
        &ui.lang
            .t_args("staff-forgot-intro", &[("company", company(ui).into())]),
    );
    ctx.insert("email", email);
    ctx.insert("error", &error);
    ctx.insert("message", &message);
    Ok(ui
        .render("admin/forgot_password.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) fn ask_page(ui: Ui) -> poem::Result<Response> {
    render(&ui, "staff-forgot-title", "", None, None, StatusCode::OK)
}

/// Mails a reset link when the address is an active user's; the same answer
/// either way.
#[handler]
pub(crate) async fn ask(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    Form(form): Form<LinkForm>,
) -> poem::Result<Response> {
    mail_link(&StaffReset(&tenant.0), &ui, req, &tenant.0, &form.email).await
}

/// A staff password reset, as a kind of mailed link.
struct StaffReset<'a>(&'a Tenant);

impl LinkKind for StaffReset<'_> {
    fn scope(&self, tenant: &Tenant) -> String {
        format!("staff-mail:{}", tenant.id())
    }

    fn throttled_id(&self) -> &'static str {
        "staff-forgot-throttled"
    }

    fn form(&self, ui: &Ui, refusal: Refusal<'_>) -> poem::Result<Response> {
        render(
            ui,
            "staff-forgot-title",
            refusal.email,
            Some(refusal.error),
            None,
            refusal.status,
        )
    }

    /// Only an active user with a password gets a link.
    async fn send(
        &self,
        ui: &Ui,
        tx: &mut TenantTx,
        email: &Email,
        by: By<'_>,
    ) -> Result<Option<String>, AppError> {
        let tenant = self.0;
        let user = tx
            .staff()
            .find_by_email(email)
            .await?
            .filter(|u| u.status == StaffStatus::Active && u.password_hash.is_some());
        let Some(user) = user else {
            return Ok(None);
        };
        let Some(secret) = tx.staff_reset_tokens().create(user.id, ttl()).await? else {
            return Ok(None);
        };
        let link = ui
            .state
            .config
            .tenant_url(tenant.slug())
            .join(&format!("/admin/password/reset/{secret}"))
            .map_err(AppError::internal)?;
        tx.outbox()
            .enqueue(&compose(tenant, &user, link.as_str())?)
            .await?;
        tx.staff_reset_tokens().record_sent(user.id, by).await?;
        Ok(Some(format!("staff user {}", user.id)))
    }

    fn answer(&self, ui: &Ui, email: &Email) -> poem::Result<Response> {
        let message = json!({
            "role": "status",
            "detail": ui.lang.t_args("staff-forgot-sent", &[
                ("email", email.as_str().to_owned().into()),
                ("company", company(ui).into()),
            ]),
            "hint": ui.lang.t("staff-forgot-sent-hint"),
            "link_href": "/admin/sign-in",
            "link_label": ui.lang.t("staff-back-to-sign-in"),
        });
        render(
            ui,
            "staff-forgot-sent-title",
            "",
            None,
            Some(message),
            StatusCode::OK,
        )
    }
}

/// The mail carrying a reset link, in the user's language, else the company's.
fn compose(tenant: &Tenant, user: &StaffUser, link: &str) -> Result<NewMail, AppError> {
    let lang = Lang(user.locale.unwrap_or(tenant.locale()));
    let company = || ("company", tenant.name().to_owned().into());
    let paragraphs = [
        lang.t_args(
            "staff-reset-mail-greeting",
            &[("name", user.name.clone().into())],
        ),
        lang.t_args(
            "staff-reset-mail-intro",
            &[company(), ("email", user.email.clone().into())],
        ),
        link.to_owned(),
        lang.t("staff-reset-mail-validity"),
        lang.t("staff-reset-mail-ignore"),
        lang.t_args("staff-reset-mail-signature", &[company()]),
    ];
    Ok(NewMail {
        to: Email::parse(&user.email)
            .map_err(|_| AppError::Internal("stored staff email".into()))?,
        to_name: Some(user.name.clone()),
        subject: lang.t_args("staff-reset-mail-subject", &[company()]),
        body_text: paragraphs.join("\n\n") + "\n",
        body_html: None,
    })
}

/// The page for a link that cannot be used.
fn invalid(ui: &Ui) -> poem::Result<Response> {
    let message = json!({
        "role": "alert",
        "detail": ui.lang.t("staff-reset-invalid-detail"),
        "hint": null,
        "link_href": "/admin/password/forgot",
        "link_label": ui.lang.t("staff-reset-ask-again"),
    });
    render(
        ui,
        "staff-reset-invalid-title",
        "",
        None,
        Some(message),
        StatusCode::NOT_FOUND,
    )
}

/// The user a link is for, while it may be used. Reads only.
async fn holder(ui: &Ui, tenant: &Tenant, token: &str) -> Result<Option<StaffUser>, AppError> {
    let mut tx = ui.state.db.tenant_tx(tenant).await?;
    let user = tx.staff_reset_tokens().find(token).await?;
    tx.commit().await?;
    Ok(user)
}

fn render_reset(
    ui: &Ui,
    token: &str,
    user: &StaffUser,
    problems: &Problems,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert(
        "title",
        &ui.lang.t_args(
            "staff-reset-form-title",
            &[("name", user.name.clone().into())],
        ),
    );
    ctx.insert(
        "intro",
        &ui.lang
            .t_args("staff-reset-form-intro", &[("company", company(ui).into())]),
    );
    ctx.insert("submit", &ui.lang.t("staff-reset-submit"));
    ctx.insert("action", &format!("/admin/password/reset/{token}"));
    ctx.insert("email", &user.email);
    ctx.insert("signed_in", &false);
    ctx.insert("errors", &problems.shown(ui));
    Ok(ui
        .render("admin/choose_password.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) async fn reset_page(
    ui: Ui,
    tenant: CurrentTenant,
    Path(token): Path<String>,
) -> poem::Result<Response> {
    match holder(&ui, &tenant.0, &token).await? {
        Some(user) => render_reset(&ui, &token, &user, &Problems::default(), StatusCode::OK),
        None => invalid(&ui),
    }
}

/// Uses a reset link: sets the new password, ends every session of the user,
/// and signs it in here.
#[handler]
pub(crate) async fn reset(
    ui: Ui,
    req: &Request,
    tenant: CurrentTenant,
    session: &Session,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> poem::Result<Response> {
    let Some(user) = holder(&ui, &tenant.0, &token).await? else {
        return invalid(&ui);
    };
    let problems = check(&form, &user.email);
    if problems.any() {
        return render_reset(
            &ui,
            &token,
            &user,
            &problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // Hash with no transaction open: argon2 is slow.
    let hashed = hash_new_password(&form.password).await?;
    let mut tx = ui
        .state
        .db
        .tenant_tx(&tenant.0)
        .await
        .map_err(AppError::from)?;
    // Using the token decides, even when two submissions race: the second finds
    // it used, and its transaction (dropped) writes nothing.
    let used = tx
        .staff_reset_tokens()
        .consume(&token)
        .await
        .map_err(AppError::from)?;
    if used.as_ref().map(|u| u.id) != Some(user.id) {
        return invalid(&ui);
    }
    let by = By {
        actor: Actor::Staff(user.id),
        request_id: request_id(req),
    };
    let Some(epoch) = tx
        .staff()
        .set_password(user.id, &hashed, false, by)
        .await
        .map_err(AppError::from)?
    else {
        return invalid(&ui);
    };
    tx.staff()
        .touch_sign_in(user.id)
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    // The link proves the mailbox: the password's failed attempts are forgotten.
    SignInAttempt::new(&format!("staff:{}", tenant.0.id()), &user.email, req)
        .succeeded(&ui.state)
        .await?;
    begin_session(session, &tenant, user.id, epoch);
    set_flash(session, "staff-password-chosen");
    tracing::info!(staff_user = %user.id, "staff user reset its password");
    let mut resp = Redirect::see_other("/admin").into_response();
    if let Some(locale) = user.locale {
        remember_language(&mut resp, locale, ui.state.config.secure_cookies());
    }
    Ok(resp)
}
