//! A customer's or supplier's record with its tabs (details, contacts with
//! their portal state, branches, a customer's latest invoices, payments,
//! quotes, orders, service requests and documents, history), and archiving and restoring it.

use chrono::Utc;
use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    session::Session,
    web::{Data, Path, Query, Redirect},
};
use portico_authz::{Action, Area};
use portico_data::{AccountId, ContactFilter, PortalStatus};
use portico_domain::{AccountKind, BranchInput, FieldErrors, Portal, orders::OrderKind};
use portico_web::{AppError, Ui, page::set_flash};
use serde::Deserialize;
use serde_json::json;

use super::{account_json, base, branches::branch_groups, parse_id};
use crate::{
    SignedInStaff,
    commands::{
        Issuer,
        accounts::{self, load},
    },
    contact_table::contact_rows,
    history::{HISTORY, history_rows, names_in},
    paging::{PAGE, cursor, next_link},
    sales::{
        PAGE as SALES_PAGE, documents, orders, service,
        view::{InvoiceItem, Names, PaymentItem},
    },
};

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
    accounts::set_active(&Issuer::staff(staff, ui), kind, id, active).await?;
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

/// `POST /admin/{customers|suppliers}/{id}/archive`.
#[handler]
pub(super) async fn archive(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&ui, &staff, session, *kind.0, &id, false).await
}

/// `POST /admin/{customers|suppliers}/{id}/restore`.
#[handler]
pub(super) async fn restore(
    ui: Ui,
    staff: SignedInStaff,
    session: &Session,
    kind: Data<&AccountKind>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_active(&ui, &staff, session, *kind.0, &id, true).await
}

/// The record's query string: the tab, and the Contacts tab's page.
#[derive(Deserialize, Default)]
pub(super) struct ShowQuery {
    pub tab: Option<String>,
    pub after_name: Option<String>,
    pub after_id: Option<String>,
}

/// Renders the record on its tab, with the branch form's values and errors.
pub(super) async fn render_record(
    ui: &Ui,
    staff: &SignedInStaff,
    kind: AccountKind,
    id: AccountId,
    query: &ShowQuery,
    branch: (&BranchInput, &FieldErrors),
    status: StatusCode,
) -> Result<Response, AppError> {
    staff.require(Area::accounts(kind), Action::Read).await?;
    let sales_tabs = kind == AccountKind::Customer && staff.may(Area::Sales, Action::Read).await?;
    let tab = match query.tab.as_deref() {
        Some(t @ ("contacts" | "history")) => t,
        Some("branches") if kind == AccountKind::Customer => "branches",
        Some(
            t @ ("invoices" | "payments" | "quotes" | "orders" | "documents" | "service-requests"),
        ) if sales_tabs => t,
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
            let mut contacts = tx
                .contacts()
                .list(&filter, after.as_ref(), PAGE + 1)
                .await?;
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
            let branches = tx.branches().list(id, 500).await?;
            ctx.insert("branches", &branches);
        }
        "invoices" => {
            let mut rows = tx.sales().invoices(Some(id), None, SALES_PAGE + 1).await?;
            ctx.insert("more_sales", &(rows.len() as u64 > SALES_PAGE));
            rows.truncate(SALES_PAGE as usize);
            let names = Names::of_invoices(&mut tx, &rows).await?;
            ctx.insert("invoices", &InvoiceItem::list(&ui.lang, &names, &rows));
        }
        "payments" => {
            let mut rows = tx.sales().payments(Some(id), None, SALES_PAGE + 1).await?;
            ctx.insert("more_sales", &(rows.len() as u64 > SALES_PAGE));
            rows.truncate(SALES_PAGE as usize);
            let names = Names::of_payments(&mut tx, &rows).await?;
            ctx.insert("payments", &PaymentItem::list(&ui.lang, &names, &rows));
        }
        "quotes" | "orders" => {
            let kind = if tab == "quotes" {
                OrderKind::Quote
            } else {
                OrderKind::Order
            };
            let mut rows = tx
                .orders()
                .list(kind, Some(id), None, SALES_PAGE + 1)
                .await?;
            ctx.insert("more_sales", &(rows.len() as u64 > SALES_PAGE));
            rows.truncate(SALES_PAGE as usize);
            let names = orders::names_of(&mut tx, &rows).await?;
            let rows: Vec<_> = rows
                .iter()
                .map(|r| orders::row_json(&ui.lang, &names, r))
                .collect();
            ctx.insert("rows", &rows);
            ctx.insert(
                "may_write_sales",
                &staff.may(Area::Sales, Action::Write).await?,
            );
        }
        "service-requests" => {
            let mut rows = tx
                .service_requests()
                .list(Some(id), false, None, SALES_PAGE + 1)
                .await?;
            rows.truncate(SALES_PAGE as usize);
            let names = service::names_of(&mut tx, &rows).await?;
            let rows: Vec<_> = rows
                .iter()
                .map(|r| service::row_json(&ui.lang, &names, r))
                .collect();
            ctx.insert("requests", &rows);
            ctx.insert(
                "may_write_sales",
                &staff.may(Area::Sales, Action::Write).await?,
            );
        }
        "documents" => {
            let mut rows = tx.documents().list(Some(id), None, SALES_PAGE + 1).await?;
            ctx.insert("more_sales", &(rows.len() as u64 > SALES_PAGE));
            rows.truncate(SALES_PAGE as usize);
            let names = documents::names_of(&mut tx, &rows).await?;
            let rows: Vec<_> = rows
                .iter()
                .map(|r| documents::row_json(&ui.lang, &names, r))
                .collect();
            ctx.insert("documents", &rows);
            ctx.insert(
                "may_write_sales",
                &staff.may(Area::Sales, Action::Write).await?,
            );
        }
        "history" => {
            let events = tx.audit().history(id.as_uuid(), HISTORY).await?;
            let names = names_in(&mut tx, &events, &ui.lang).await?;
            ctx.insert("history", &history_rows(&ui.lang, &events, &names));
        }
        _ => {
            let owner = match account.fields.owner_id {
                Some(owner) => tx.staff().find(owner.into()).await?.map(|u| u.name),
                None => None,
            };
            ctx.insert("owner", &owner);
        }
    }
    tx.commit().await?;
    let (branch_input, branch_errors) = branch;
    let branch_form = branch_groups(&ui.lang, branch_input, branch_errors);
    ctx.insert("kind", kind.as_str());
    ctx.insert("base", &base(kind));
    ctx.insert("account", &account_json(&account));
    ctx.insert("tab", tab);
    ctx.insert("sales_tabs", &sales_tabs);
    ctx.insert("show_customer", &false);
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

/// `GET /admin/{customers|suppliers}/{id}`: the record.
#[handler]
pub(super) async fn show(
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
