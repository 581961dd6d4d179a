//! Creating a company from the console: the form, its field errors, and the
//! page that shows the new owner's one-time password.

use std::collections::BTreeMap;

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Form, Html},
};
use portico_auth::{hash_password, temporary_password};
use portico_data::{Actor, DataError, NewStaffUser, NewTenant, provision_tenant};
use portico_domain::{Currency, Email, Locale, Slug, SlugError, StaffRole, fields::Checker};
use portico_web::{AppError, Ui};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::SignedInOperator;

/// The longest name or company name accepted.
const MAX_NAME: usize = 200;

/// The form's fields that can carry an error, in page order, with their labels.
const FIELDS: [(&str, &str); 6] = [
    ("name", "operator-tenant-name"),
    ("slug", "operator-tenant-slug"),
    ("currency", "operator-tenant-currency"),
    ("max_contacts", "operator-tenant-max-contacts"),
    ("owner_name", "operator-owner-name"),
    ("owner_email", "operator-owner-email"),
];

/// The form as typed; every field comes back to the page on error.
#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct CompanyForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    max_contacts: String,
    #[serde(default)]
    owner_email: String,
    #[serde(default)]
    owner_name: String,
}

/// A valid form, ready to provision.
struct ValidCompany {
    tenant: NewTenant,
    owner_email: Email,
    owner_name: String,
}

/// Parses every field, collecting one message id per invalid field.
fn validate(form: &CompanyForm) -> Result<ValidCompany, BTreeMap<&'static str, &'static str>> {
    let mut errors = BTreeMap::new();
    let slug = Slug::parse(&form.slug)
        .map_err(|e| {
            errors.insert(
                "slug",
                match e {
                    SlugError::Reserved => "field-slug-reserved",
                    SlugError::Length | SlugError::Characters => "field-slug-invalid",
                },
            )
        })
        .ok();
    let mut check = Checker::default();
    let name = check.required("name", &form.name, MAX_NAME);
    let owner_name = check.required("owner_name", &form.owner_name, MAX_NAME);
    errors.extend(check.errors.0.iter().map(|e| (e.field, e.message)));
    let locale = Locale::from_tag(&form.locale).unwrap_or_default();
    let currency = Currency::parse(&form.currency)
        .map_err(|_| errors.insert("currency", "choose-currency"))
        .ok();
    let max_contacts = match form.max_contacts.trim() {
        "" => None,
        raw => match raw.parse::<i32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                errors.insert("max_contacts", "field-positive-number");
                None
            }
        },
    };
    let owner_email = Email::parse(&form.owner_email)
        .map_err(|_| errors.insert("owner_email", "field-email"))
        .ok();
    match (slug, currency, owner_email) {
        (Some(slug), Some(currency), Some(owner_email)) if errors.is_empty() => Ok(ValidCompany {
            tenant: NewTenant {
                slug,
                name,
                locale,
                currency,
                max_contacts,
            },
            owner_email,
            owner_name,
        }),
        _ => Err(errors),
    }
}

fn render_form(
    ui: &Ui,
    operator: &SignedInOperator,
    form: &CompanyForm,
    errors: &BTreeMap<&'static str, &'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    // Every field has an entry (null when valid): templates may not read missing keys.
    let messages: BTreeMap<&str, Option<String>> = FIELDS
        .iter()
        .map(|(field, _)| (*field, errors.get(field).map(|id| ui.lang.t(id))))
        .collect();
    // The error summary: each bad field, in page order, as a link to it.
    let summary: Vec<_> = FIELDS
        .iter()
        .filter_map(|(field, label)| {
            let message = ui.lang.t(errors.get(field)?);
            Some(json!({ "field": field, "label": ui.lang.t(label), "message": message }))
        })
        .collect();
    let currencies: Vec<_> = portico_domain::iso::currencies(ui.lang.0)
        .into_iter()
        .map(|c| json!({ "code": c.code, "name": c.name(ui.lang.0) }))
        .collect();
    let mut ctx = ui.context();
    ctx.insert("me", &json!({ "name": operator.name }));
    ctx.insert("form", form);
    ctx.insert("errors", &messages);
    ctx.insert("has_errors", &!errors.is_empty());
    ctx.insert("summary", &summary);
    ctx.insert("currencies", &currencies);
    ctx.insert("base_domain", ui.state.config.base_domain());
    Ok(ui
        .render("operator/new_tenant.html", &ctx)?
        .with_status(status)
        .into_response())
}

#[handler]
pub(crate) fn new_company(ui: Ui, operator: SignedInOperator) -> Result<Response, AppError> {
    let form = CompanyForm {
        locale: "es".into(),
        currency: "DOP".into(),
        ..CompanyForm::default()
    };
    render_form(&ui, &operator, &form, &BTreeMap::new(), StatusCode::OK)
}

#[handler]
pub(crate) async fn create_company(
    ui: Ui,
    operator: SignedInOperator,
    Form(form): Form<CompanyForm>,
) -> Result<Response, AppError> {
    let valid = match validate(&form) {
        Ok(valid) => valid,
        Err(errors) => {
            return render_form(
                &ui,
                &operator,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let password = temporary_password();
    let owner = NewStaffUser {
        email: valid.owner_email,
        name: valid.owner_name,
        role: StaffRole::Owner,
        password_hash: Some(hash_password(&password).await.map_err(AppError::internal)?),
        one_time_password: true,
        locale: Some(valid.tenant.locale),
    };
    let created = provision_tenant(
        &ui.state.db,
        &valid.tenant,
        &owner,
        Actor::Operator(operator.id),
    )
    .await;
    let tenant = match created {
        Ok(tenant) => tenant,
        Err(DataError::Conflict { .. }) => {
            let errors = BTreeMap::from([("slug", "field-slug-taken")]);
            return render_form(&ui, &operator, &form, &errors, StatusCode::CONFLICT);
        }
        Err(other) => return Err(other.into()),
    };
    // The resolver may have cached "no such company" for this slug.
    ui.state.tenants.forget(tenant.slug()).await;
    tracing::info!(tenant = %tenant.slug(), operator = %operator.id, "company created");
    let url = ui.state.config.tenant_url(tenant.slug());
    let mut ctx = ui.context();
    ctx.insert("me", &json!({ "name": operator.name }));
    ctx.insert(
        "created",
        &json!({
            "name": tenant.name(),
            "admin_url": format!("{url}admin"),
            "owner_email": owner.email.as_str(),
            "password": password,
        }),
    );
    let Html(body) = ui.render("operator/tenant_created.html", &ctx)?;
    Ok(Html(body).with_status(StatusCode::CREATED).into_response())
}
