//! The customer or supplier form: a new account and an edit, and saving them.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::Account;
use portico_domain::{AccountInput, AccountKind, FieldErrors, fields::limits};
use portico_web::{AppError, Ui, page::set_flash};

use super::{account_json, base, parse_id};
use crate::{
    SignedInStaff,
    choices::owner_choices,
    commands::{
        Issuer,
        accounts::{self, load},
    },
    forms::{FormBuilder, country_choices},
};

/// Renders the form with `input`'s values and `errors`.
async fn render_form(
    ui: &Ui,
    staff: &SignedInStaff,
    kind: AccountKind,
    account: Option<&Account>,
    input: &AccountInput,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let owners = owner_choices(&mut tx).await?;
    tx.commit().await?;
    let mut form = FormBuilder::new(&ui.lang, input, errors)
        .group("group-main")
        .text("code", limits::SHORT)
        .required()
        .text("name", limits::TEXT)
        .required()
        .text("legal_name", limits::TEXT)
        .text("tax_id", limits::SHORT)
        .hint("hint-tax_id")
        .select("owner_id", owners)
        .group("group-communication")
        .input("email", "email", 254)
        .input("phone", "tel", limits::SHORT)
        .group("group-address")
        .textarea("street", limits::TEXT * 2)
        .text("city", limits::NAME)
        .text("state", limits::NAME)
        .text("postal_code", limits::SHORT / 2)
        .select("country", country_choices(&ui.lang));
    if kind == AccountKind::Customer {
        form = form
            .group("group-branches")
            .checkbox("branches_enabled")
            .hint("hint-branches_enabled");
    }
    let mut ctx = staff.page(ui, kind.plural()).await?;
    ctx.insert("kind", kind.as_str());
    ctx.insert("base", &base(kind));
    ctx.insert("account", &account.map(account_json));
    ctx.insert("groups", &form.build());
    ctx.insert("has_errors", &!errors.is_empty());
    Ok(ui
        .render("admin/account_form.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// The form's values for an account as stored.
fn input_of(account: &Account) -> AccountInput {
    let f = &account.fields;
    let a = &f.address;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    AccountInput {
        code: f.code.clone(),
        name: f.name.clone(),
        legal_name: s(&f.legal_name),
        tax_id: s(&f.tax_id),
        email: f
            .email
            .as_ref()
            .map(|e| e.as_str().to_owned())
            .unwrap_or_default(),
        phone: s(&f.phone),
        street: s(&a.street),
        city: s(&a.city),
        state: s(&a.state),
        postal_code: s(&a.postal_code),
        country: s(&a.country),
        owner_id: f.owner_id.map(|o| o.to_string()).unwrap_or_default(),
        branches_enabled: f.branches_enabled.then(|| "on".into()),
    }
}

/// `GET /admin/{customers|suppliers}/new`.
#[handler]
pub(super) async fn new_form(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let input = AccountInput {
        owner_id: staff.user.id.to_string(),
        ..AccountInput::default()
    };
    render_form(
        &ui,
        &staff,
        kind,
        None,
        &input,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/{customers|suppliers}`: creates the account, or shows the form again.
#[handler]
pub(super) async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Form(input): Form<AccountInput>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    match accounts::create(&Issuer::staff(&staff, &ui), kind, &input).await {
        Ok(account) => {
            set_flash(session, &format!("{kind}-saved"));
            Ok(Redirect::see_other(format!("{}/{}", base(kind), account.id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_form(
                &ui,
                &staff,
                kind,
                None,
                &input,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// `GET /admin/{customers|suppliers}/{id}/edit`.
#[handler]
pub(super) async fn edit_form(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = load(&mut tx, kind, parse_id(&id)?).await?;
    tx.commit().await?;
    render_form(
        &ui,
        &staff,
        kind,
        Some(&account),
        &input_of(&account),
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/{customers|suppliers}/{id}`: saves the edit, or shows the form again.
#[handler]
pub(super) async fn update(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
    Form(input): Form<AccountInput>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let id = parse_id(&id)?;
    match accounts::update(&Issuer::staff(&staff, &ui), kind, id, &input).await {
        Ok(_) => {
            set_flash(session, &format!("{kind}-saved"));
            Ok(Redirect::see_other(format!("{}/{}", base(kind), id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
            let account = load(&mut tx, kind, id).await?;
            tx.commit().await?;
            render_form(
                &ui,
                &staff,
                kind,
                Some(&account),
                &input,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
