//! A customer's (or supplier's) branches: adding one from the record's
//! Branches tab, and the branch's own form, where unchecking "active" archives it.

use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Form, Path, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{Account, BranchId};
use portico_domain::{AccountKind, BranchInput, FieldErrors, fields::limits};
use portico_web::{AppError, Lang, Ui, page::set_flash};
use serde::Deserialize;

use super::{
    account_json, base, parse_id,
    record::{ShowQuery, render_record},
};
use crate::{
    SignedInStaff,
    commands::{
        Issuer,
        accounts::{self, load},
    },
    forms::{FormBuilder, Group, country_choices},
};

/// A branch's fields, as the record's "add" form and the branch's form show them.
pub(super) fn branch_groups(lang: &Lang, input: &BranchInput, errors: &FieldErrors) -> Vec<Group> {
    FormBuilder::new(lang, input, errors)
        .text("code", limits::SHORT)
        .required()
        .text("name", limits::TEXT)
        .required()
        .text("street", limits::TEXT * 2)
        .text("city", limits::NAME)
        .text("state", limits::NAME)
        .text("postal_code", limits::SHORT / 2)
        .select("country", country_choices(lang))
        .build()
}

/// `POST /admin/{customers|suppliers}/{id}/branches`: adds a branch, or shows
/// the record's Branches tab again with the errors.
#[handler]
pub(super) async fn add_branch(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
    Form(input): Form<BranchInput>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let id = parse_id(&id)?;
    let back = ShowQuery {
        tab: Some("branches".into()),
        ..ShowQuery::default()
    };
    match accounts::create_branch(&Issuer::staff(&staff, &ui), kind, id, &input).await {
        Ok(_) => {
            set_flash(session, "branch-saved");
            Ok(Redirect::see_other(format!("{}/{}?tab=branches", base(kind), id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_record(
                &ui,
                &staff,
                kind,
                id,
                &back,
                (&input, &errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}

/// A branch as its edit form submits it.
#[derive(Deserialize, serde::Serialize, Default)]
#[serde(default)]
struct BranchForm {
    #[serde(flatten)]
    branch: BranchInput,
    /// A checkbox: unchecked archives the branch.
    active: Option<String>,
}

/// Renders a branch's form with `form`'s values and `errors`.
async fn render_branch(
    ui: &Ui,
    staff: &SignedInStaff,
    account: &Account,
    branch_id: BranchId,
    form: &BranchForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = branch_groups(&ui.lang, &form.branch, errors);
    let mut ctx = staff.page(ui, account.kind.plural()).await?;
    ctx.insert("account", &account_json(account));
    ctx.insert("branch_id", &branch_id.to_string());
    ctx.insert("groups", &groups);
    ctx.insert("active", &form.active.is_some());
    ctx.insert("has_errors", &!errors.is_empty());
    Ok(ui
        .render("admin/branch_form.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET /admin/{customers|suppliers}/{id}/branches/{branch}`: the branch's form.
#[handler]
pub(super) async fn edit_branch(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    Path((id, branch)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let branch_id: BranchId = branch.parse().map_err(|_| AppError::NotFound)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = load(&mut tx, kind, parse_id(&id)?).await?;
    let branch = tx
        .branches()
        .find(account.id, branch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let a = &branch.fields.address;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let form = BranchForm {
        branch: BranchInput {
            code: branch.fields.code.clone(),
            name: branch.fields.name.clone(),
            street: s(&a.street),
            city: s(&a.city),
            state: s(&a.state),
            postal_code: s(&a.postal_code),
            country: s(&a.country),
        },
        active: branch.active.then(|| "on".into()),
    };
    render_branch(
        &ui,
        &staff,
        &account,
        branch_id,
        &form,
        &FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/{customers|suppliers}/{id}/branches/{branch}`: saves the branch.
#[handler]
pub(super) async fn update_branch(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path((id, branch)): Path<(String, String)>,
    Form(form): Form<BranchForm>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let branch_id: BranchId = branch.parse().map_err(|_| AppError::NotFound)?;
    let id = parse_id(&id)?;
    let active = form
        .active
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "false");
    let issuer = Issuer::staff(&staff, &ui);
    match accounts::update_branch(&issuer, kind, (id, branch_id), &form.branch, active).await {
        Ok(_) => {
            set_flash(session, "branch-saved");
            Ok(Redirect::see_other(format!("{}/{}?tab=branches", base(kind), id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
            let account = load(&mut tx, kind, id).await?;
            tx.commit().await?;
            render_branch(
                &ui,
                &staff,
                &account,
                branch_id,
                &form,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other),
    }
}
