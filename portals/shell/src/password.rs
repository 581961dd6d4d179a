//! Choosing a password, shared by accepting an invitation and resetting a
//! forgotten password: the rules (twice, at least 10 characters, at most 256,
//! not the email) and the form.

use poem::{IntoResponse, Response, http::StatusCode};
use portico_web::{Ui, password::NewPasswordProblems};
use serde::Deserialize;
use serde_json::json;

use crate::site::PortalSite;

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirmation: String,
}

/// The form's problems, by field (message ids).
pub(crate) type Problems = NewPasswordProblems;

/// What is wrong with a chosen password, if anything.
pub(crate) fn check(form: &PasswordForm, email: &str) -> Problems {
    Problems::check(&form.password, &form.password_confirmation, email)
}

/// What a password form page says.
pub(crate) struct PasswordPage<'a> {
    /// Where the form posts (the link's path).
    pub action: String,
    pub title: String,
    pub intro: String,
    /// The contact's email, shown read-only (and for password managers).
    pub email: &'a str,
}

/// The page that asks for a new password.
pub(crate) fn render(
    ui: &Ui,
    site: PortalSite,
    page: PasswordPage<'_>,
    problems: &Problems,
    status: StatusCode,
) -> poem::Result<Response> {
    let mut ctx = ui.context();
    ctx.insert("base", site.base());
    ctx.insert("portal_name", &ui.lang.t(site.name_id()));
    ctx.insert("action", &page.action);
    ctx.insert("title", &page.title);
    ctx.insert("intro", &page.intro);
    ctx.insert("email", page.email);
    ctx.insert(
        "errors",
        &json!({
            "password": problems.password.map(|id| ui.lang.t(id)),
            "password_confirmation": problems.password_confirmation.map(|id| ui.lang.t(id)),
        }),
    );
    Ok(ui
        .render("portal/password.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(password: &str, again: &str) -> PasswordForm {
        PasswordForm {
            password: password.into(),
            password_confirmation: again.into(),
        }
    }

    #[test]
    fn a_password_is_long_enough_typed_twice_and_not_the_email() {
        let email = "ana@carol.do";
        let ok = check(&form("un buen secreto", "un buen secreto"), email);
        assert!(!ok.any());
        assert_eq!(
            check(&form("corta", "corta"), email).password,
            Some("portal-password-too-short")
        );
        assert_eq!(
            check(&form("ANA@carol.do", "ANA@carol.do"), email).password,
            Some("portal-password-is-email")
        );
        assert_eq!(
            check(&form("un buen secreto", "otro secreto!"), email).password_confirmation,
            Some("portal-password-mismatch")
        );
    }
}
