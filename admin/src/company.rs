//! The company page of the settings: its profile (legal name, tax id,
//! address) and its logo, as its letterhead and page headers show them.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Form, Redirect},
};
use portico_authz::{Action, Area};
use portico_domain::{
    FieldErrors,
    company::{ADDRESS_CHARS, ADDRESS_LINES, CompanyProfile, CompanyProfileInput},
    fields::limits,
};
use portico_web::{AppError, FormWithFiles, Ui, logo, page::set_flash};
use serde::Deserialize;

use crate::{SignedInStaff, commands::Issuer, commands::company, forms::FormBuilder};

/// Where the page lives.
const HREF: &str = "/admin/settings/company";

fn input_of(profile: &CompanyProfile) -> CompanyProfileInput {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    CompanyProfileInput {
        legal_name: s(&profile.legal_name),
        tax_id: s(&profile.tax_id),
        address: s(&profile.address),
    }
}

/// The page with the profile form showing `input` and the problems of each
/// form (`errors` of the profile, `logo_error` of the logo upload).
async fn render(
    ui: &Ui,
    staff: &SignedInStaff,
    input: Option<&CompanyProfileInput>,
    errors: &FieldErrors,
    logo_error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::Settings, Action::Write).await?;
    let stored;
    let input = match input {
        Some(input) => input,
        None => {
            let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
            stored = input_of(&tx.settings().profile().await?);
            tx.commit().await?;
            &stored
        }
    };
    let groups = FormBuilder::new(&ui.lang, input, errors)
        .group("company-profile")
        .text("legal_name", limits::TEXT)
        .text("tax_id", limits::SHORT)
        .hint("company-tax-id-hint")
        .textarea("address", ADDRESS_CHARS)
        .hint_text(
            ui.lang
                .t_args("company-address-hint", &[("lines", ADDRESS_LINES.into())]),
        )
        .build();
    // The tenant as this request resolved it may be a few seconds old; the
    // registry row is what the page must show after a change.
    let current = ui
        .state
        .tenants
        .resolve(staff.tenant.0.slug())
        .await?
        .and_then(|t| t.logo_id());
    let mut ctx = staff.page(ui, "settings").await?;
    ctx.insert("groups", &groups);
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("logo", &current.map(|id| format!("/logo/{id}")));
    ctx.insert("logo_accept", logo::ACCEPT);
    ctx.insert("logo_error", &logo_error.map(|id| ui.lang.t(id)));
    ctx.insert(
        "logo_hint",
        &ui.lang.t_args(
            "company-logo-hint",
            &[(
                "megabytes",
                (portico_files::MAX_LOGO_BYTES / 1024 / 1024).into(),
            )],
        ),
    );
    Ok(ui
        .render("admin/company.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/settings/company`.
#[handler]
pub(crate) async fn page(ui: Ui, staff: SignedInStaff) -> Result<Response, AppError> {
    render(
        &ui,
        &staff,
        None,
        &FieldErrors::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/settings/company`: saves the profile.
#[handler]
pub(crate) async fn save(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    Form(input): Form<CompanyProfileInput>,
) -> Result<Response, AppError> {
    match company::save_profile(&Issuer::staff(&staff, &ui), &input).await {
        Ok(()) => {
            set_flash(session, "settings-saved");
            Ok(Redirect::see_other(HREF).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render(
                &ui,
                &staff,
                Some(&input),
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// The logo form has no fields but its file.
#[derive(Deserialize)]
pub(crate) struct LogoForm {}

/// `POST /admin/settings/company/logo`: replaces the logo.
#[handler]
pub(crate) async fn upload(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    upload: FormWithFiles<LogoForm>,
) -> Result<Response, AppError> {
    let refused = |message: &'static str| {
        let (ui, staff) = (&ui, &staff);
        async move {
            render(
                ui,
                staff,
                None,
                &FieldErrors::default(),
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let Some(file) = upload.file(logo::FIELD) else {
        return refused("company-logo-missing").await;
    };
    match company::replace_logo(&Issuer::staff(&staff, &ui), file.bytes.clone()).await {
        Ok(()) => {
            set_flash(session, "company-logo-saved");
            Ok(Redirect::see_other(HREF).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            refused(errors.get(logo::FIELD).unwrap_or("form-has-errors")).await
        }
        Err(other) => Err(other),
    }
}

/// `POST /admin/settings/company/logo/remove`: the company goes without a logo.
#[handler]
pub(crate) async fn remove(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
) -> Result<Response, AppError> {
    company::remove_logo(&Issuer::staff(&staff, &ui)).await?;
    set_flash(session, "company-logo-removed");
    Ok(Redirect::see_other(HREF).into_response())
}
