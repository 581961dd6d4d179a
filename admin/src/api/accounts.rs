//! `/api/v1/customers` and `/api/v1/suppliers`: list, create, read, replace,
//! archive and restore; customer branches; and adding a contact to either.

use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_authz::{Action, Area};
use portico_data::AccountFilter;
use portico_domain::{AccountInput, AccountKind, BranchInput, LinkInput};
use uuid::Uuid;

use super::{
    ApiTags, Created, Result,
    auth::{Auth, Caller},
    dto::{
        AccountBody, AccountContactBody, AccountOut, AccountPage, BranchBody, BranchOut,
        ContactOut, HistoryOut, PortalAccessBody, decode_cursor, encode_cursor,
    },
};
use crate::{
    commands::{
        Issuer,
        accounts::{self, load},
    },
    history::HISTORY,
};

/// What the account endpoints answer.
#[derive(ApiResponse)]
pub(crate) enum AccountCreated {
    #[oai(status = 201)]
    Created(Json<AccountOut>),
}

async fn list(
    caller: &Caller,
    kind: AccountKind,
    q: Option<String>,
    archived: bool,
    after: Option<String>,
    limit: u64,
) -> Result<Json<AccountPage>> {
    caller.require(Area::accounts(kind), Action::Read).await?;
    let after = decode_cursor(after.as_deref())?;
    let filter = AccountFilter {
        kind,
        search: q,
        archived,
    };
    let mut tx = caller.tx().await?;
    let mut rows = tx
        .accounts()
        .list(&filter, after.as_ref(), limit + 1)
        .await?;
    tx.commit().await?;
    let next = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|a| encode_cursor(&a.cursor()))
    });
    Ok(Json(AccountPage {
        items: rows.iter().map(AccountOut::from).collect(),
        next: next.flatten(),
    }))
}

async fn create(caller: &Caller, kind: AccountKind, body: &AccountBody) -> Result<AccountCreated> {
    let input = AccountInput::from(body);
    let account = accounts::create(&Issuer::api(caller), kind, &input).await?;
    Ok(AccountCreated::Created(Json(AccountOut::from(&account))))
}

async fn get(caller: &Caller, kind: AccountKind, id: Uuid) -> Result<Json<AccountOut>> {
    caller.require(Area::accounts(kind), Action::Read).await?;
    let mut tx = caller.tx().await?;
    let account = load(&mut tx, kind, id.into()).await?;
    tx.commit().await?;
    Ok(Json(AccountOut::from(&account)))
}

async fn replace(
    caller: &Caller,
    kind: AccountKind,
    id: Uuid,
    body: &AccountBody,
) -> Result<Json<AccountOut>> {
    let input = AccountInput::from(body);
    let account = accounts::update(&Issuer::api(caller), kind, id.into(), &input).await?;
    Ok(Json(AccountOut::from(&account)))
}

async fn set_active(
    caller: &Caller,
    kind: AccountKind,
    id: Uuid,
    active: bool,
) -> Result<Json<AccountOut>> {
    let account = accounts::set_active(&Issuer::api(caller), kind, id.into(), active).await?;
    Ok(Json(AccountOut::from(&account)))
}

async fn history(caller: &Caller, kind: AccountKind, id: Uuid) -> Result<Json<Vec<HistoryOut>>> {
    caller.require(Area::accounts(kind), Action::Read).await?;
    let mut tx = caller.tx().await?;
    load(&mut tx, kind, id.into()).await?;
    let events = tx.audit().history(id, HISTORY).await?;
    tx.commit().await?;
    Ok(Json(events.iter().map(HistoryOut::from).collect()))
}

/// What adding a contact to an account answers.
#[derive(ApiResponse)]
pub(crate) enum ContactCreated {
    /// The contact was created and linked.
    #[oai(status = 201)]
    Created(Json<ContactOut>),
}

/// `POST /customers/{id}/contacts` and its supplier twin: the one "add
/// contact" command, linked to this account. A taken email answers 409 with
/// `existing_contact_id`, and nothing is written.
async fn add_contact(
    caller: &Caller,
    kind: AccountKind,
    id: Uuid,
    body: &AccountContactBody,
) -> Result<ContactCreated> {
    caller
        .require(Area::contacts_of(kind), Action::Write)
        .await?;
    let mut tx = caller.tx().await?;
    let account = load(&mut tx, kind, id.into()).await?;
    tx.commit().await?;
    let link = LinkInput {
        link_position: body.link_position.clone().map(|t| t.0).unwrap_or_default(),
        is_primary: body.is_primary.and_then(|p| p.then(|| "on".to_owned())),
    };
    let portals = PortalAccessBody::portals(body.portal_access.as_ref());
    let out = super::contacts::add_contact(caller, Some(&account), &body.contact, &link, &portals)
        .await?;
    Ok(ContactCreated::Created(Json(out)))
}

/// Customers and suppliers.
pub(crate) struct AccountsApi;

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Lists customers by name, with search and keyset pagination.
    #[oai(path = "/customers", method = "get")]
    async fn list_customers(
        &self,
        auth: Auth,
        /// Matches code, name, legal name, tax id and email.
        q: Query<Option<String>>,
        /// Archived customers instead of active ones.
        archived: Query<Option<bool>>,
        /// The `next` value of the previous page.
        #[oai(validator(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:"
        ))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<AccountPage>> {
        list(
            auth.caller(),
            AccountKind::Customer,
            q.0,
            archived.0.unwrap_or(false),
            after.0,
            limit.0,
        )
        .await
    }

    /// Creates a customer.
    #[oai(path = "/customers", method = "post")]
    async fn create_customer(&self, auth: Auth, body: Json<AccountBody>) -> Result<AccountCreated> {
        create(auth.caller(), AccountKind::Customer, &body.0).await
    }

    /// Reads a customer.
    #[oai(path = "/customers/:id", method = "get")]
    async fn get_customer(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        get(auth.caller(), AccountKind::Customer, id.0).await
    }

    /// Replaces a customer's fields.
    #[oai(path = "/customers/:id", method = "put")]
    async fn replace_customer(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AccountBody>,
    ) -> Result<Json<AccountOut>> {
        replace(auth.caller(), AccountKind::Customer, id.0, &body.0).await
    }

    /// Archives a customer (its contacts and history are kept).
    #[oai(path = "/customers/:id/archive", method = "post")]
    async fn archive_customer(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        set_active(auth.caller(), AccountKind::Customer, id.0, false).await
    }

    /// Restores an archived customer.
    #[oai(path = "/customers/:id/restore", method = "post")]
    async fn restore_customer(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        set_active(auth.caller(), AccountKind::Customer, id.0, true).await
    }

    /// A customer's history, newest first.
    #[oai(path = "/customers/:id/history", method = "get")]
    async fn customer_history(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<Vec<HistoryOut>>> {
        history(auth.caller(), AccountKind::Customer, id.0).await
    }

    /// Adds a contact to a customer. If another contact has the email, nothing is
    /// written and the answer is 409 with `existing_contact_id`: link that person
    /// with `POST /contacts/{id}/links` instead.
    #[oai(path = "/customers/:id/contacts", method = "post")]
    async fn add_customer_contact(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AccountContactBody>,
    ) -> Result<ContactCreated> {
        add_contact(auth.caller(), AccountKind::Customer, id.0, &body.0).await
    }

    /// A customer's branches, by name.
    #[oai(path = "/customers/:id/branches", method = "get")]
    async fn list_branches(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<Vec<BranchOut>>> {
        let caller = auth.caller();
        caller.require(Area::Customers, Action::Read).await?;
        let mut tx = caller.tx().await?;
        let account = load(&mut tx, AccountKind::Customer, id.0.into()).await?;
        let branches = tx.branches().list(account.id, 1_000).await?;
        tx.commit().await?;
        Ok(Json(branches.iter().map(BranchOut::from).collect()))
    }

    /// Adds a branch to a customer that has branches enabled.
    #[oai(path = "/customers/:id/branches", method = "post")]
    async fn create_branch(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<BranchBody>,
    ) -> Result<Created<BranchOut>> {
        let issuer = Issuer::api(auth.caller());
        let input = BranchInput::from(&body.0);
        let customer = AccountKind::Customer;
        let branch = accounts::create_branch(&issuer, customer, id.0.into(), &input).await?;
        Ok(Created::Created(Json(BranchOut::from(&branch))))
    }

    /// Replaces a branch's fields; `active: false` archives it.
    #[oai(path = "/customers/:id/branches/:branch_id", method = "put")]
    async fn replace_branch(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        branch_id: Path<Uuid>,
        body: Json<BranchBody>,
    ) -> Result<Json<BranchOut>> {
        let issuer = Issuer::api(auth.caller());
        let input = BranchInput::from(&body.0);
        let ids = (id.0.into(), branch_id.0.into());
        let active = body.0.active.unwrap_or(true);
        let branch =
            accounts::update_branch(&issuer, AccountKind::Customer, ids, &input, active).await?;
        Ok(Json(BranchOut::from(&branch)))
    }

    /// Lists suppliers by name, with search and keyset pagination.
    #[oai(path = "/suppliers", method = "get")]
    async fn list_suppliers(
        &self,
        auth: Auth,
        /// Matches code, name, legal name, tax id and email.
        q: Query<Option<String>>,
        /// Archived suppliers instead of active ones.
        archived: Query<Option<bool>>,
        /// The `next` value of the previous page.
        #[oai(validator(
            pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}:"
        ))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "super::default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<AccountPage>> {
        list(
            auth.caller(),
            AccountKind::Supplier,
            q.0,
            archived.0.unwrap_or(false),
            after.0,
            limit.0,
        )
        .await
    }

    /// Creates a supplier.
    #[oai(path = "/suppliers", method = "post")]
    async fn create_supplier(&self, auth: Auth, body: Json<AccountBody>) -> Result<AccountCreated> {
        create(auth.caller(), AccountKind::Supplier, &body.0).await
    }

    /// Reads a supplier.
    #[oai(path = "/suppliers/:id", method = "get")]
    async fn get_supplier(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        get(auth.caller(), AccountKind::Supplier, id.0).await
    }

    /// Replaces a supplier's fields.
    #[oai(path = "/suppliers/:id", method = "put")]
    async fn replace_supplier(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AccountBody>,
    ) -> Result<Json<AccountOut>> {
        replace(auth.caller(), AccountKind::Supplier, id.0, &body.0).await
    }

    /// Archives a supplier (its contacts and history are kept).
    #[oai(path = "/suppliers/:id/archive", method = "post")]
    async fn archive_supplier(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        set_active(auth.caller(), AccountKind::Supplier, id.0, false).await
    }

    /// Restores an archived supplier.
    #[oai(path = "/suppliers/:id/restore", method = "post")]
    async fn restore_supplier(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<AccountOut>> {
        set_active(auth.caller(), AccountKind::Supplier, id.0, true).await
    }

    /// A supplier's history, newest first.
    #[oai(path = "/suppliers/:id/history", method = "get")]
    async fn supplier_history(&self, auth: Auth, id: Path<Uuid>) -> Result<Json<Vec<HistoryOut>>> {
        history(auth.caller(), AccountKind::Supplier, id.0).await
    }

    /// Adds a contact to a supplier; a taken email answers 409 as for customers.
    #[oai(path = "/suppliers/:id/contacts", method = "post")]
    async fn add_supplier_contact(
        &self,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AccountContactBody>,
    ) -> Result<ContactCreated> {
        add_contact(auth.caller(), AccountKind::Supplier, id.0, &body.0).await
    }
}
