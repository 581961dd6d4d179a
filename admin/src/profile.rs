//! A staff user's own account: the profile page (a new password, with the
//! current one required, and the language of its pages and mail), and the page
//! where a user who signed in with a one-time password chooses its own before
//! it may do anything else. A new password ends every other session of the
//! user and keeps this one.

use poem::{
    IntoResponse, Request, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Redirect},
};
use portico_auth::verify_password;
use portico_domain::Locale;
use portico_web::{
    AppError, Ui,
    i18n::remember_language,
    page::set_flash,
    password::{NewPasswordProblems, hash_new_password},
    signin::{SignInAttempt, minutes_left, with_retry_after},
};
use serde::Deserialize;
use serde_json::json;

use crate::{
    SignedInStaff,
    auth::{PendingStaff, begin_session},
};

/// A new password, typed twice (and, on the profile, the current one).
#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}

/// A password form's problems, by field: message ids, but the current
/// password's message already in words.
#[derive(Default)]
pub(crate) struct Problems {
    current_password: Option<String>,
    new: NewPasswordProblems,
}

impl Problems {
    pub(crate) fn any(&self) -> bool {
        self.current_password.is_some() || self.new.any()
    }

    /// The messages, in the page's language.
    pub(crate) fn shown(&self, ui: &Ui) -> serde_json::Value {
        json!({
            "current_password": self.current_password,
            "password": self.new.password.map(|id| ui.lang.t(id)),
            "password_confirmation": self.new.password_confirmation.map(|id| ui.lang.t(id)),
        })
    }
}

/// What is wrong with a chosen password: the rules portal passwords follow.
pub(crate) fn check(form: &PasswordForm, email: &str) -> Problems {
    Problems {
        current_password: None,
        new: NewPasswordProblems::check(&form.password, &form.password_confirmation, email),
    }
}

async fn render_profile(
    ui: &Ui,
    staff: &SignedInStaff,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut ctx = staff.page(ui, "profile").await?;
    let user = &staff.user;
    ctx.insert(
        "user",
        &json!({
            "name": user.name,
            "email": user.email,
            "locale": user.locale.unwrap_or(ui.lang.0).tag(),
        }),
    );
    let languages: Vec<_> = Locale::ALL
        .into_iter()
        .map(|l| json!({ "tag": l.tag(), "name": language_name(l) }))
        .collect();
    ctx.insert("languages", &languages);
    ctx.insert("errors", &problems.shown(ui));
    Ok(ui
        .render("admin/profile.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// A language's name in itself, as the language switcher shows it.
fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::Es => "Español",
        Locale::En => "English",
    }
}

#[handler]
pub(crate) async fn page(ui: Ui, staff: SignedInStaff) -> Result<Response, AppError> {
    render_profile(&ui, &staff, &Problems::default(), StatusCode::OK).await
}

/// Changes the user's own password: the current one must be right (a wrong
/// one counts against the sign-in lockout, like a failed sign-in), the new one
/// must follow the rules. Every other session of the user ends; this one
/// continues under a new session id.
#[handler]
pub(crate) async fn change_password(
    ui: Ui,
    req: &Request,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let state = &ui.state;
    let tenant = &staff.tenant;
    let attempt = SignInAttempt::new(&format!("staff:{}", tenant.0.id()), &staff.user.email, req);
    if let Err(locked) = attempt.check(state).await? {
        let problems = Problems {
            current_password: Some(ui.lang.t_args(
                "sign-in-locked",
                &[("minutes", minutes_left(locked).into())],
            )),
            ..Problems::default()
        };
        let resp = render_profile(&ui, &staff, &problems, StatusCode::TOO_MANY_REQUESTS).await?;
        return Ok(with_retry_after(resp, locked.retry_after));
    }
    let mut problems = check(&form, &staff.user.email);
    if !verify_password(&form.current_password, staff.user.password_hash.as_deref()).await {
        attempt.failed(state).await?;
        problems.current_password = Some(ui.lang.t("staff-current-password-wrong"));
    }
    if problems.any() {
        return render_profile(&ui, &staff, &problems, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let hashed = hash_new_password(&form.password).await?;
    let mut tx = state.db.tenant_tx(&tenant.0).await?;
    let epoch = tx
        .staff()
        .set_password(staff.user.id, &hashed, false, staff.by(&ui))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    begin_session(session, tenant, staff.user.id, epoch);
    set_flash(session, "staff-password-changed");
    tracing::info!(staff_user = %staff.user.id, "staff user changed its password");
    Ok(Redirect::see_other("/admin/profile").into_response())
}

#[derive(Deserialize)]
pub(crate) struct LanguageForm {
    #[serde(default)]
    locale: String,
}

/// Stores the language of the user's pages and mail, and switches this
/// browser to it.
#[handler]
pub(crate) async fn change_language(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(form): Form<LanguageForm>,
) -> Result<Response, AppError> {
    let locale =
        Locale::from_tag(&form.locale).ok_or(AppError::BadRequest("staff-language-invalid"))?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    tx.staff()
        .set_locale(staff.user.id, Some(locale), staff.by(&ui))
        .await?;
    tx.commit().await?;
    set_flash(session, "staff-language-saved");
    let mut resp = Redirect::see_other("/admin/profile").into_response();
    remember_language(&mut resp, locale, ui.state.config.secure_cookies());
    Ok(resp)
}

/// The page where a user holding a one-time password chooses its own.
fn render_choose(
    ui: &Ui,
    staff: &SignedInStaff,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut ctx = ui.context();
    ctx.insert("title", &ui.lang.t("staff-choose-title"));
    ctx.insert("intro", &ui.lang.t("staff-choose-intro"));
    ctx.insert("submit", &ui.lang.t("staff-choose-submit"));
    ctx.insert("action", crate::auth::CHOOSE_PASSWORD);
    ctx.insert("email", &staff.user.email);
    ctx.insert("signed_in", &true);
    ctx.insert("errors", &problems.shown(ui));
    Ok(ui
        .render("admin/choose_password.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) async fn choose_page(ui: Ui, staff: PendingStaff) -> Result<Response, AppError> {
    let PendingStaff(staff) = staff;
    if !staff.user.must_change_password {
        return Ok(Redirect::see_other("/admin").into_response());
    }
    render_choose(&ui, &staff, &Problems::default(), StatusCode::OK)
}

/// Replaces the one-time password with the user's own (not the same one):
/// the back office opens, other sessions end and this one continues.
#[handler]
pub(crate) async fn choose(
    ui: Ui,
    staff: PendingStaff,
    session: &Session,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let PendingStaff(staff) = staff;
    if !staff.user.must_change_password {
        return Ok(Redirect::see_other("/admin").into_response());
    }
    let mut problems = check(&form, &staff.user.email);
    if !problems.any() && verify_password(&form.password, staff.user.password_hash.as_deref()).await
    {
        problems.new.password = Some("staff-password-unchanged");
    }
    if problems.any() {
        return render_choose(&ui, &staff, &problems, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hashed = hash_new_password(&form.password).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let epoch = tx
        .staff()
        .set_password(staff.user.id, &hashed, false, staff.by(&ui))
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    begin_session(session, &staff.tenant, staff.user.id, epoch);
    set_flash(session, "staff-password-chosen");
    tracing::info!(staff_user = %staff.user.id, "staff user replaced its one-time password");
    Ok(Redirect::see_other("/admin").into_response())
}
