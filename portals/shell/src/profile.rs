//! The contact's own profile in either portal (`…/profile`): its phones, its
//! address and its language, changed by the contact itself, checked by the
//! contact record's rules and kept in its history as the contact's change.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Redirect},
};
use portico_domain::{FieldErrors, Locale, contact_profile::ContactProfileInput};
use portico_web::{AppError, Ui, i18n::remember_language, page::set_flash};
use serde_json::{Value, json};

use crate::pages::{context, load};
use crate::session::PortalSession;

/// The form's controls: name, input type and browser autofill hint.
const CONTROLS: [(&str, &str, &str); 8] = [
    ("phone", "tel", "tel"),
    ("mobile", "tel", "tel"),
    ("street", "textarea", "street-address"),
    ("city", "text", "address-level2"),
    ("state", "text", "address-level1"),
    ("postal_code", "text", "postal-code"),
    ("country", "select", "country"),
    ("preferred_language", "select", "language"),
];

/// The choices of a select control.
fn options(ui: &Ui, name: &str) -> Vec<Value> {
    match name {
        "country" => portico_domain::iso::countries(ui.lang.0)
            .into_iter()
            .map(|c| json!({ "value": c.code, "label": c.name(ui.lang.0) }))
            .collect(),
        "preferred_language" => Locale::ALL
            .iter()
            .map(|l| json!({ "value": l.tag(), "label": ui.lang.t(&format!("language-{}", l.tag())) }))
            .collect(),
        _ => Vec::new(),
    }
}

async fn render(
    ui: &Ui,
    me: &mut PortalSession,
    input: Option<&ContactProfileInput>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let scope = me.resolve(None, false).ok().flatten();
    let view = load(me, scope.as_ref()).await?;
    let stored;
    let input = match input {
        Some(input) => input,
        None => {
            let mut tx = me.tx().await?;
            let contact = tx.contacts().find(me.contact).await?;
            tx.commit().await?;
            let contact = contact.ok_or(AppError::NotFound)?;
            stored = ContactProfileInput::from(&contact.fields);
            &stored
        }
    };
    let values = serde_json::to_value(input).unwrap_or(Value::Null);
    let fields: Vec<Value> = CONTROLS
        .iter()
        .map(|(name, kind, autocomplete)| {
            json!({
                "name": name,
                "kind": kind,
                "autocomplete": autocomplete,
                "label": ui.lang.t(&format!("label-{name}")),
                "value": values.get(*name).and_then(Value::as_str).unwrap_or_default(),
                "error": errors.get(name).map(|id| ui.lang.t(id)),
                "options": options(ui, name),
            })
        })
        .collect();
    let mut ctx = context(ui, me, &view, scope.as_ref(), "profile");
    ctx.insert("title", &ui.lang.t("portal-profile"));
    ctx.insert("fields", &fields);
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("form_error", &errors.get("profile").map(|id| ui.lang.t(id)));
    Ok(ui
        .render("portal/profile.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET …/profile`.
#[handler]
pub(crate) async fn page(ui: Ui, mut me: PortalSession) -> Result<Response, AppError> {
    render(&ui, &mut me, None, &FieldErrors::default(), StatusCode::OK).await
}

/// Saves the contact's profile: the record with these parts replaced, in
/// one transaction, audited as the contact's own change.
pub(crate) async fn save_profile(
    me: &PortalSession,
    input: &ContactProfileInput,
) -> Result<Option<Locale>, AppError> {
    let mut tx = me.tx().await?;
    let contact = tx
        .contacts()
        .find(me.contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let fields = input
        .apply(&contact.fields, me.tenant.contact_required())
        .map_err(AppError::Invalid)?;
    tx.contacts().update(me.contact, &fields, me.by()).await?;
    tx.commit().await?;
    Ok(fields.preferred_language)
}

/// `POST …/profile`: saves it, and shows the portal in the chosen language.
#[handler]
pub(crate) async fn save(
    ui: Ui,
    mut me: PortalSession,
    session: &Session,
    Form(input): Form<ContactProfileInput>,
) -> Result<Response, AppError> {
    match save_profile(&me, &input).await {
        Ok(language) => {
            set_flash(session, "portal-profile-saved");
            let mut resp = Redirect::see_other(me.site.path("/profile")).into_response();
            if let Some(locale) = language {
                remember_language(&mut resp, locale, ui.state.config.secure_cookies());
            }
            Ok(resp)
        }
        Err(AppError::Invalid(errors)) => {
            render(
                &ui,
                &mut me,
                Some(&input),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_form_has_every_field_of_the_profile() {
        let controls: Vec<&str> = super::CONTROLS.iter().map(|(n, _, _)| *n).collect();
        assert_eq!(controls, portico_domain::contact_profile::FIELDS);
    }
}
