//! Customers and suppliers (one table, told apart by kind).
//! Every write records its audit event in the same transaction.

use chrono::{DateTime, Utc};
use portico_domain::{AccountFields, AccountKind, Address, Email, FieldErrors, fold};
use sea_query::{Expr, ExprTrait, Func, LikeExpr, Order, Query, SelectStatement};
use serde_json::json;
use uuid::Uuid;

use crate::error::taken;
use crate::tables::Accounts;
use crate::{
    AccountId, By, DataError, TenantTx,
    areas::audit::diff,
    search::{Matches, NameCursor, like_pattern, matches, name_after},
};

const ACCOUNT_COLUMNS: [Accounts; 18] = [
    Accounts::Id,
    Accounts::Kind,
    Accounts::Code,
    Accounts::Name,
    Accounts::LegalName,
    Accounts::TaxId,
    Accounts::Email,
    Accounts::Phone,
    Accounts::Street,
    Accounts::City,
    Accounts::State,
    Accounts::PostalCode,
    Accounts::Country,
    Accounts::OwnerId,
    Accounts::BranchesEnabled,
    Accounts::Active,
    Accounts::CreatedAt,
    Accounts::UpdatedAt,
];

/// A customer or supplier.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub fields: AccountFields,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    kind: String,
    code: String,
    name: String,
    legal_name: Option<String>,
    tax_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    street: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    owner_id: Option<Uuid>,
    branches_enabled: bool,
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

pub(crate) fn stored_email(value: Option<String>) -> Result<Option<Email>, DataError> {
    value
        .map(|e| Email::parse(&e).map_err(|e| DataError::Corrupt(format!("stored email: {e}"))))
        .transpose()
}

impl TryFrom<AccountRow> for Account {
    type Error = DataError;

    fn try_from(row: AccountRow) -> Result<Self, DataError> {
        Ok(Account {
            id: row.id.into(),
            kind: row.kind.parse().map_err(DataError::Corrupt)?,
            fields: AccountFields {
                code: row.code,
                name: row.name,
                legal_name: row.legal_name,
                tax_id: row.tax_id,
                email: stored_email(row.email)?,
                phone: row.phone,
                address: Address {
                    street: row.street,
                    city: row.city,
                    state: row.state,
                    postal_code: row.postal_code,
                    country: row.country,
                },
                owner_id: row.owner_id,
                branches_enabled: row.branches_enabled,
            },
            active: row.active,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Which accounts a list shows.
#[derive(Debug, Clone)]
pub struct AccountFilter {
    pub kind: AccountKind,
    /// Matches code, name, legal name, tax id and email, case-insensitively.
    pub search: Option<String>,
    /// Archived accounts instead of active ones.
    pub archived: bool,
}

impl Account {
    /// The cursor that continues a list after this account.
    pub fn cursor(&self) -> NameCursor {
        NameCursor {
            name: fold(&self.fields.name),
            id: self.id.as_uuid(),
        }
    }
}

/// Customers and suppliers of the transaction's tenant.
pub struct AccountsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl AccountsArea<'_> {
    pub(crate) fn select(&self) -> SelectStatement {
        Query::select()
            .columns(ACCOUNT_COLUMNS)
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .to_owned()
    }

    /// Fails with a field error when `owner` is not a staff user of this tenant.
    pub(crate) async fn check_owner(&mut self, owner: Option<Uuid>) -> Result<(), DataError> {
        if let Some(owner) = owner
            && self.tx.staff().find(owner.into()).await?.is_none()
        {
            let mut errors = FieldErrors::default();
            errors.add("owner_id", "field-choice-invalid");
            return Err(DataError::Invalid(errors));
        }
        Ok(())
    }

    /// Adds a customer or supplier; a taken code is a field error.
    pub async fn create(
        &mut self,
        kind: AccountKind,
        fields: &AccountFields,
        by: By<'_>,
    ) -> Result<Account, DataError> {
        self.check_owner(fields.owner_id).await?;
        let now = Utc::now();
        let id = AccountId::generate();
        let a = &fields.address;
        let insert = Query::insert()
            .into_table(Accounts::Table)
            .columns([
                Accounts::TenantId,
                Accounts::Id,
                Accounts::Kind,
                Accounts::Code,
                Accounts::Name,
                Accounts::LegalName,
                Accounts::TaxId,
                Accounts::Email,
                Accounts::Phone,
                Accounts::Street,
                Accounts::City,
                Accounts::State,
                Accounts::PostalCode,
                Accounts::Country,
                Accounts::OwnerId,
                Accounts::BranchesEnabled,
                Accounts::Active,
                Accounts::SortName,
                Accounts::SearchText,
                Accounts::CreatedAt,
                Accounts::UpdatedAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                kind.as_str().into(),
                fields.code.clone().into(),
                fields.name.clone().into(),
                fields.legal_name.clone().into(),
                fields.tax_id.clone().into(),
                fields.email.as_ref().map(|e| e.as_str().to_owned()).into(),
                fields.phone.clone().into(),
                a.street.clone().into(),
                a.city.clone().into(),
                a.state.clone().into(),
                a.postal_code.clone().into(),
                a.country.clone().into(),
                fields.owner_id.into(),
                fields.branches_enabled.into(),
                true.into(),
                fold(&fields.name).into(),
                fields.search_text().into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx
            .conn
            .execute(&insert)
            .await
            .map_err(|e| taken(e, &["accounts_code_key"], "code", "field-code-taken"))?;
        self.tx
            .audit()
            .log(
                by,
                &format!("{kind}.create"),
                (kind.as_str(), id.as_uuid()),
                None,
                json!({ "after": fields }),
            )
            .await?;
        self.find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("account vanished after insert".into()))
    }

    /// A customer or supplier of this tenant.
    pub async fn find(&mut self, id: AccountId) -> Result<Option<Account>, DataError> {
        let select = self
            .select()
            .and_where(Expr::col(Accounts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<AccountRow>(&select)
            .await?
            .map(Account::try_from)
            .transpose()
    }

    /// A customer or supplier of this tenant by its code, case-insensitively.
    pub async fn find_by_code(
        &mut self,
        kind: AccountKind,
        code: &str,
    ) -> Result<Option<Account>, DataError> {
        let select = self
            .select()
            .and_where(Expr::col(Accounts::Kind).eq(kind.as_str()))
            .and_where(
                // Both sides lowered by the database, so each backend agrees with itself.
                Expr::expr(Func::lower(Expr::col(Accounts::Code)))
                    .eq(Func::lower(Expr::val(code.trim().to_owned()))),
            )
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<AccountRow>(&select)
            .await?
            .map(Account::try_from)
            .transpose()
    }

    /// Changes an account's fields; `None` when it is not in this tenant.
    pub async fn update(
        &mut self,
        id: AccountId,
        fields: &AccountFields,
        by: By<'_>,
    ) -> Result<Option<Account>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        self.check_owner(fields.owner_id).await?;
        let a = &fields.address;
        let update = Query::update()
            .table(Accounts::Table)
            .values([
                (Accounts::Code, fields.code.clone().into()),
                (Accounts::Name, fields.name.clone().into()),
                (Accounts::LegalName, fields.legal_name.clone().into()),
                (Accounts::TaxId, fields.tax_id.clone().into()),
                (
                    Accounts::Email,
                    fields.email.as_ref().map(|e| e.as_str().to_owned()).into(),
                ),
                (Accounts::Phone, fields.phone.clone().into()),
                (Accounts::Street, a.street.clone().into()),
                (Accounts::City, a.city.clone().into()),
                (Accounts::State, a.state.clone().into()),
                (Accounts::PostalCode, a.postal_code.clone().into()),
                (Accounts::Country, a.country.clone().into()),
                (Accounts::OwnerId, fields.owner_id.into()),
                (Accounts::BranchesEnabled, fields.branches_enabled.into()),
                (Accounts::SortName, fold(&fields.name).into()),
                (Accounts::SearchText, fields.search_text().into()),
                (Accounts::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Accounts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Accounts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["accounts_code_key"], "code", "field-code-taken"))?;
        let changes = diff(&json!(before.fields), &json!(fields));
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            let kind = before.kind;
            self.tx
                .audit()
                .log(
                    by,
                    &format!("{kind}.update"),
                    (kind.as_str(), id.as_uuid()),
                    None,
                    changes,
                )
                .await?;
        }
        self.find(id).await
    }

    /// Archives (`active = false`) or restores an account; `None` when it is not
    /// in this tenant. Archiving keeps its contacts and history.
    pub async fn set_active(
        &mut self,
        id: AccountId,
        active: bool,
        by: By<'_>,
    ) -> Result<Option<Account>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        if before.active != active {
            let update = Query::update()
                .table(Accounts::Table)
                .values([
                    (Accounts::Active, active.into()),
                    (Accounts::UpdatedAt, Utc::now().into()),
                ])
                .and_where(Expr::col(Accounts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Accounts::Id).eq(id.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&update).await?;
            // Its contacts act for it in a portal only while it is active.
            self.tx.policy().bump_version().await?;
            let kind = before.kind;
            let verb = if active { "restore" } else { "archive" };
            self.tx
                .audit()
                .log(
                    by,
                    &format!("{kind}.{verb}"),
                    (kind.as_str(), id.as_uuid()),
                    None,
                    json!({ "active": { "before": before.active, "after": active } }),
                )
                .await?;
        }
        self.find(id).await
    }

    /// Up to `limit` accounts matching `filter`, by name then id, after `after`.
    pub async fn list(
        &mut self,
        filter: &AccountFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<Vec<Account>, DataError> {
        let select = self.list_select(filter, after, limit).await?;
        self.tx
            .conn
            .fetch_all::<AccountRow>(&select)
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// The statement [`AccountsArea::list`] runs for these arguments, in
    /// PostgreSQL's dialect with its values written in (after asking the
    /// search function, as `list` does): for `EXPLAIN` in the benchmarks.
    pub async fn list_sql(
        &mut self,
        filter: &AccountFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<String, DataError> {
        let select = self.list_select(filter, after, limit).await?;
        Ok(select.to_string(sea_query::PostgresQueryBuilder))
    }

    async fn list_select(
        &mut self,
        filter: &AccountFilter,
        after: Option<&NameCursor>,
        limit: u64,
    ) -> Result<SelectStatement, DataError> {
        let mut select = self
            .select()
            .and_where(Expr::col(Accounts::Kind).eq(filter.kind.as_str()))
            .and_where(Expr::col(Accounts::Active).eq(!filter.archived))
            .to_owned();
        if let Some(pattern) = filter.search.as_deref().and_then(like_pattern) {
            let args = vec![filter.kind.as_str().into(), pattern.clone().into()];
            let found = matches(&mut self.tx.conn, "portico_account_matches", args).await?;
            select.and_where(match found {
                Matches::Few(ids) => Expr::col(Accounts::Id).is_in(ids),
                Matches::Many => {
                    Expr::col(Accounts::SearchText).like(LikeExpr::new(pattern).escape('\\'))
                }
            });
        }
        if let Some(after) = after {
            select.and_where(name_after(Accounts::SortName, Accounts::Id, after));
        }
        Ok(select
            .order_by(Accounts::SortName, Order::Asc)
            .order_by(Accounts::Id, Order::Asc)
            .limit(limit)
            .to_owned())
    }
}
