//! Customers and suppliers in the back office: the list (search, archived,
//! pagination, row action menu), the form, the record with its tabs (details,
//! contacts, branches, history), archiving and branches. One set of handlers
//! serves both kinds; the route says which.

use chrono::Utc;
use poem::{
    IntoResponse, Response, get, handler,
    http::{StatusCode, Uri},
    post,
    session::Session,
    web::{Data, Form, Html, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{
    Account, AccountFilter, AccountId, BranchId, ContactFilter, DataError, PortalStatus, TenantTx,
};
use portico_domain::{AccountInput, AccountKind, BranchInput, FieldErrors, Portal, fields::limits};
use portico_web::{Access, ByMethod, Routes};
use portico_web::{AppError, Ui, page::set_flash};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    SignedInStaff,
    contacts::{contact_rows, owner_choices},
    forms::{FormBuilder, country_choices},
    history::{history_rows, names_in},
    paging::{PAGE, cursor, here, next_link},
};

/// The routes of one kind, nested at `/admin/customers` or `/admin/suppliers`.
pub(crate) fn routes(kind: AccountKind) -> Routes {
    use poem::EndpointExt;
    let area = Area::accounts(kind);
    let read = Access::staff(area, Action::Read);
    let write = Access::staff(area, Action::Write);
    Routes::new()
        .at("/", ByMethod::get(read).post(write), get(list).post(create))
        .at("/new", write, get(new_form))
        .at("/export.csv", read, get(export))
        .at(
            "/:id",
            ByMethod::get(read).post(write),
            get(show).post(update),
        )
        .at("/:id/edit", write, get(edit_form))
        .at("/:id/archive", write, post(archive))
        .at("/:id/restore", write, post(restore))
        .at("/:id/branches", write, post(add_branch))
        .at(
            "/:id/branches/:branch",
            write,
            get(edit_branch).post(update_branch),
        )
        .wrap(|route| route.data(kind))
}

fn base(kind: AccountKind) -> String {
    format!("/admin/{}", kind.plural())
}

fn parse_id(raw: &str) -> Result<AccountId, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Loads an account of this kind, or "not found" (another tenant's or kind's id too).
async fn load(tx: &mut TenantTx, kind: AccountKind, id: AccountId) -> Result<Account, AppError> {
    match tx.find_account(id).await? {
        Some(account) if account.kind == kind => Ok(account),
        _ => Err(AppError::NotFound),
    }
}

/// What templates show of an account.
pub(crate) fn account_json(account: &Account) -> Value {
    let f = &account.fields;
    json!({
        "id": account.id.to_string(),
        "kind": account.kind.as_str(),
        "href": format!("{}/{}", base(account.kind), account.id),
        "code": f.code,
        "name": f.name,
        "legal_name": f.legal_name,
        "tax_id": f.tax_id,
        "email": f.email,
        "phone": f.phone,
        "address": f.address,
        "branches_enabled": f.branches_enabled,
        "active": account.active,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    pub q: Option<String>,
    pub archived: Option<String>,
    after_name: Option<String>,
    after_id: Option<String>,
}

#[handler]
async fn list(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    uri: &Uri,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Read).await?;
    let after = cursor(query.after_name.as_deref(), query.after_id.as_deref())?;
    let archived = query.archived.as_deref() == Some("1");
    let filter = AccountFilter {
        kind,
        search: query.q.clone(),
        archived,
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let mut rows = tx.list_accounts(&filter, after.as_ref(), PAGE + 1).await?;
    tx.commit().await?;
    let q = query.q.clone().unwrap_or_default();
    let next = next_link(
        &mut rows,
        &base(kind),
        &[
            ("q", q.clone()),
            (
                "archived",
                if archived { "1".into() } else { String::new() },
            ),
        ],
        Account::cursor,
    );
    let mut ctx = staff.page(&ui, kind.plural()).await?;
    ctx.insert("kind", kind.as_str());
    ctx.insert("base", &base(kind));
    ctx.insert(
        "first",
        &if q.is_empty() {
            base(kind)
        } else {
            format!(
                "{}?q={}",
                base(kind),
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            )
        },
    );
    let mut filters = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        filters.append_pair("q", &q);
    }
    if archived {
        filters.append_pair("archived", "1");
    }
    ctx.insert(
        "export_csv",
        &format!("{}/export.csv?{}", base(kind), filters.finish()),
    );
    ctx.insert("q", &q);
    ctx.insert("archived", &archived);
    let back: String =
        url::form_urlencoded::byte_serialize(here(&base(kind), uri).as_bytes()).collect();
    let rows: Vec<Value> = rows
        .iter()
        .map(|a| {
            let mut row = account_json(a);
            row["add_contact"] = json!(format!("/admin/contacts/new?account={}&back={back}", a.id));
            row
        })
        .collect();
    ctx.insert("accounts", &rows);
    ctx.insert("next", &next);
    ctx.insert("is_first_page", &after.is_none());
    ui.render("admin/accounts.html", &ctx)
}

#[handler]
async fn export(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    crate::export::accounts_csv(&ui, &staff, *kind.0, query).await
}

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

#[handler]
async fn new_form(
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

#[handler]
async fn create(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Form(input): Form<AccountInput>,
) -> Result<Response, AppError> {
    let kind = *kind.0;
    staff.require(Area::accounts(kind), Action::Write).await?;
    let fields = match input.validate(kind) {
        Ok(fields) => fields,
        Err(errors) => {
            return render_form(
                &ui,
                &staff,
                kind,
                None,
                &input,
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    match tx.create_account(kind, &fields, staff.by(&ui)).await {
        Ok(account) => {
            tx.commit().await?;
            set_flash(session, &format!("{kind}-saved"));
            Ok(Redirect::see_other(format!("{}/{}", base(kind), account.id)).into_response())
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
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
        Err(other) => Err(other.into()),
    }
}

#[handler]
async fn edit_form(
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

#[handler]
async fn update(
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
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = load(&mut tx, kind, id).await?;
    let result = match input.validate(kind) {
        Ok(fields) => tx.update_account(id, &fields, staff.by(&ui)).await,
        Err(errors) => Err(DataError::Invalid(errors)),
    };
    match result {
        Ok(_) => {
            tx.commit().await?;
            set_flash(session, &format!("{kind}-saved"));
            Ok(Redirect::see_other(format!("{}/{}", base(kind), id)).into_response())
        }
        Err(DataError::Invalid(errors)) => {
            drop(tx);
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
        Err(other) => Err(other.into()),
    }
}

async fn set_active(
    ui: &Ui,
    staff: &SignedInStaff,
    session: &Session,
    kind: AccountKind,
    id: &str,
    active: bool,
) -> Result<Response, AppError> {
    staff.require(Area::accounts(kind), Action::Write).await?;
    let id = parse_id(id)?;
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    load(&mut tx, kind, id).await?;
    tx.set_account_active(id, active, staff.by(ui)).await?;
    tx.commit().await?;
    set_flash(
        session,
        if active {
            "record-restored"
        } else {
            "record-archived"
        },
    );
    Ok(Redirect::see_other(format!("{}/{}", base(kind), id)).into_response())
}

#[handler]
async fn archive(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&ui, &staff, session, *kind.0, &id, false).await
}

#[handler]
async fn restore(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&ui, &staff, session, *kind.0, &id, true).await
}

#[derive(Deserialize, Default)]
pub(crate) struct ShowQuery {
    tab: Option<String>,
    after_name: Option<String>,
    after_id: Option<String>,
}

/// How many history entries a record shows.
pub(crate) const HISTORY: u64 = 100;

async fn render_record(
    ui: &Ui,
    staff: &SignedInStaff,
    kind: AccountKind,
    id: AccountId,
    query: &ShowQuery,
    branch: (&BranchInput, &FieldErrors),
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::accounts(kind), Action::Read).await?;
    let tab = match query.tab.as_deref() {
        Some(t @ ("contacts" | "history")) => t,
        Some("branches") if kind == AccountKind::Customer => "branches",
        _ => "details",
    };
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = load(&mut tx, kind, id).await?;
    let mut ctx = staff.page(ui, kind.plural()).await?;
    let record = format!("{}/{}", base(kind), id);
    let mut next = None;
    match tab {
        "contacts" => {
            let after = cursor(query.after_name.as_deref(), query.after_id.as_deref())?;
            let filter = ContactFilter {
                account: Some(id),
                ..ContactFilter::default()
            };
            let mut contacts = tx.list_contacts(&filter, after.as_ref(), PAGE + 1).await?;
            next = next_link(
                &mut contacts,
                &record,
                &[("tab", "contacts".into())],
                portico_data::Contact::cursor,
            );
            let mut rows = contact_rows(&mut tx, &contacts, Some(id)).await?;
            for (row, contact) in rows.iter_mut().zip(&contacts) {
                row["phones"] =
                    json!({ "phone": contact.fields.phone, "mobile": contact.fields.mobile });
                row["portal"] = json!(portal_state(contact, Portal::of(kind)));
            }
            ctx.insert("contacts", &rows);
        }
        "branches" => {
            let branches = tx.list_branches(id, 500).await?;
            ctx.insert("branches", &branches);
        }
        "history" => {
            let events = tx.record_history(id.as_uuid(), HISTORY).await?;
            let names = names_in(&mut tx, &events, &ui.lang).await?;
            ctx.insert("history", &history_rows(&ui.lang, &events, &names));
        }
        _ => {
            let owner = match account.fields.owner_id {
                Some(owner) => tx.find_staff_user(owner.into()).await?.map(|u| u.name),
                None => None,
            };
            ctx.insert("owner", &owner);
        }
    }
    tx.commit().await?;
    let (branch_input, branch_errors) = branch;
    let branch_form = FormBuilder::new(&ui.lang, branch_input, branch_errors)
        .text("code", limits::SHORT)
        .required()
        .text("name", limits::TEXT)
        .required()
        .text("street", limits::TEXT * 2)
        .text("city", limits::NAME)
        .text("state", limits::NAME)
        .text("postal_code", limits::SHORT / 2)
        .select("country", country_choices(&ui.lang))
        .build();
    ctx.insert("kind", kind.as_str());
    ctx.insert("base", &base(kind));
    ctx.insert("account", &account_json(&account));
    ctx.insert("tab", tab);
    ctx.insert("record", &record);
    ctx.insert("next", &next);
    ctx.insert("branch_form", &branch_form);
    ctx.insert("has_errors", &!branch_errors.is_empty());
    ctx.insert(
        "add_contact",
        &format!(
            "/admin/contacts/new?account={id}&back={}",
            url::form_urlencoded::byte_serialize(format!("{record}?tab=contacts").as_bytes())
                .collect::<String>()
        ),
    );
    ctx.insert(
        "add_contact_from_record",
        &format!(
            "/admin/contacts/new?account={id}&back={}",
            url::form_urlencoded::byte_serialize(record.as_bytes()).collect::<String>()
        ),
    );
    Ok(ui
        .render("admin/account.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// Where a contact stands with the portal of an account's kind, as the
/// Contactos tab shows it: `none` (access to that portal off), `invited`,
/// `active`, `locked` (failed sign-ins, now) or `disabled` (all access off).
fn portal_state(contact: &portico_data::Contact, portal: Portal) -> &'static str {
    let access = &contact.portal;
    match access.status {
        PortalStatus::Disabled => "disabled",
        _ if !access.to(portal) => "none",
        PortalStatus::Active if access.locked_until.is_some_and(|t| t > Utc::now()) => "locked",
        status => status.as_str(),
    }
}

#[handler]
async fn show(
    ui: Ui,
    staff: SignedInStaff,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let none = (&BranchInput::default(), &FieldErrors::default());
    render_record(
        &ui,
        &staff,
        *kind.0,
        parse_id(&id)?,
        &query,
        none,
        StatusCode::OK,
    )
    .await
}

#[handler]
async fn add_branch(
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
    let result = match input.validate() {
        Ok(fields) => {
            let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
            load(&mut tx, kind, id).await?;
            match tx.create_branch(id, &fields, staff.by(&ui)).await {
                Ok(_) => tx.commit().await,
                Err(e) => Err(e),
            }
        }
        Err(errors) => Err(DataError::Invalid(errors)),
    };
    match result {
        Ok(()) => {
            set_flash(session, "branch-saved");
            Ok(Redirect::see_other(format!("{}/{}?tab=branches", base(kind), id)).into_response())
        }
        Err(DataError::Invalid(errors)) => {
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
        Err(other) => Err(other.into()),
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

async fn render_branch(
    ui: &Ui,
    staff: &SignedInStaff,
    account: &Account,
    branch_id: BranchId,
    form: &BranchForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let groups = FormBuilder::new(&ui.lang, &form.branch, errors)
        .text("code", limits::SHORT)
        .required()
        .text("name", limits::TEXT)
        .required()
        .text("street", limits::TEXT * 2)
        .text("city", limits::NAME)
        .text("state", limits::NAME)
        .text("postal_code", limits::SHORT / 2)
        .select("country", country_choices(&ui.lang))
        .build();
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

#[handler]
async fn edit_branch(
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
        .find_branch(account.id, branch_id)
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

#[handler]
async fn update_branch(
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
    let mut tx = ui.state.db.tenant_tx(&staff.tenant.0).await?;
    let account = load(&mut tx, kind, parse_id(&id)?).await?;
    let active = form
        .active
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "false");
    let result = match form.branch.validate() {
        Ok(fields) => {
            tx.update_branch(account.id, branch_id, &fields, active, staff.by(&ui))
                .await
        }
        Err(errors) => Err(DataError::Invalid(errors)),
    };
    match result {
        Ok(Some(_)) => {
            tx.commit().await?;
            set_flash(session, "branch-saved");
            Ok(
                Redirect::see_other(format!("{}/{}?tab=branches", base(kind), account.id))
                    .into_response(),
            )
        }
        Ok(None) => Err(AppError::NotFound),
        Err(DataError::Invalid(errors)) => {
            drop(tx);
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
        Err(other) => Err(other.into()),
    }
}
