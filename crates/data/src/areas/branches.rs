//! Customer branches. Every write records its audit event in the same transaction.

use chrono::Utc;
use portico_domain::{Address, BranchFields, FieldErrors};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::error::taken;
use crate::tables::Branches;
use crate::{AccountId, BranchId, By, DataError, TenantTx, areas::audit::diff};

/// A customer branch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Branch {
    pub id: BranchId,
    pub account_id: AccountId,
    pub fields: BranchFields,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
struct BranchRow {
    id: Uuid,
    account_id: Uuid,
    code: String,
    name: String,
    street: Option<String>,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    active: bool,
}

impl From<BranchRow> for Branch {
    fn from(row: BranchRow) -> Self {
        Branch {
            id: row.id.into(),
            account_id: row.account_id.into(),
            fields: BranchFields {
                code: row.code,
                name: row.name,
                address: Address {
                    street: row.street,
                    city: row.city,
                    state: row.state,
                    postal_code: row.postal_code,
                    country: row.country,
                },
            },
            active: row.active,
        }
    }
}

/// Customer branches of the transaction's tenant.
pub struct BranchesArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl BranchesArea<'_> {
    /// Adds a branch to a customer that has branches enabled; `None` when the
    /// customer is not in this tenant.
    pub async fn create(
        &mut self,
        account: AccountId,
        fields: &BranchFields,
        by: By<'_>,
    ) -> Result<Option<Branch>, DataError> {
        let Some(parent) = self.tx.accounts().find(account).await? else {
            return Ok(None);
        };
        if !parent.fields.branches_enabled || !parent.active {
            let mut errors = FieldErrors::default();
            errors.add("code", "branch-not-enabled");
            return Err(DataError::Invalid(errors));
        }
        let now = Utc::now();
        let id = BranchId::generate();
        let a = &fields.address;
        let insert = Query::insert()
            .into_table(Branches::Table)
            .columns([
                Branches::TenantId,
                Branches::Id,
                Branches::AccountId,
                Branches::Code,
                Branches::Name,
                Branches::Street,
                Branches::City,
                Branches::State,
                Branches::PostalCode,
                Branches::Country,
                Branches::Active,
                Branches::CreatedAt,
                Branches::UpdatedAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                account.as_uuid().into(),
                fields.code.clone().into(),
                fields.name.clone().into(),
                a.street.clone().into(),
                a.city.clone().into(),
                a.state.clone().into(),
                a.postal_code.clone().into(),
                a.country.clone().into(),
                true.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx
            .conn
            .execute(&insert)
            .await
            .map_err(|e| taken(e, &["branches_code_key"], "code", "field-code-taken"))?;
        self.tx
            .audit()
            .log(
                by,
                "branch.create",
                ("branch", id.as_uuid()),
                Some(account.as_uuid()),
                json!({ "after": fields }),
            )
            .await?;
        Ok(Some(Branch {
            id,
            account_id: account,
            fields: fields.clone(),
            active: true,
        }))
    }

    /// A customer's branches by name, at most `limit`.
    pub async fn list(&mut self, account: AccountId, limit: u64) -> Result<Vec<Branch>, DataError> {
        let select = Query::select()
            .columns(BRANCH_COLUMNS)
            .from(Branches::Table)
            .and_where(Expr::col(Branches::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Branches::AccountId).eq(account.as_uuid()))
            .order_by(Branches::Name, Order::Asc)
            .order_by(Branches::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_all::<BranchRow>(&select)
            .await?
            .into_iter()
            .map(Branch::from)
            .collect())
    }

    /// One branch of a customer of this tenant.
    pub async fn find(
        &mut self,
        account: AccountId,
        id: BranchId,
    ) -> Result<Option<Branch>, DataError> {
        let select = Query::select()
            .columns(BRANCH_COLUMNS)
            .from(Branches::Table)
            .and_where(Expr::col(Branches::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Branches::AccountId).eq(account.as_uuid()))
            .and_where(Expr::col(Branches::Id).eq(id.as_uuid()))
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_optional::<BranchRow>(&select)
            .await?
            .map(Branch::from))
    }

    /// The branch a record of `account` is given: none, or one of the
    /// account's branches (any other id is an error on `branch`).
    pub async fn chosen(
        &mut self,
        account: AccountId,
        branch: Option<uuid::Uuid>,
    ) -> Result<Option<BranchId>, DataError> {
        let Some(branch) = branch else {
            return Ok(None);
        };
        match self.find(account, branch.into()).await? {
            Some(found) => Ok(Some(found.id)),
            None => {
                let mut errors = portico_domain::FieldErrors::default();
                errors.add("branch", "field-choice-invalid");
                Err(DataError::Invalid(errors))
            }
        }
    }

    /// Changes a branch's fields and whether it is active (archived branches are
    /// kept for the records that name them); `None` when it is not this customer's.
    pub async fn update(
        &mut self,
        account: AccountId,
        id: BranchId,
        fields: &BranchFields,
        active: bool,
        by: By<'_>,
    ) -> Result<Option<Branch>, DataError> {
        let Some(before) = self.find(account, id).await? else {
            return Ok(None);
        };
        let a = &fields.address;
        let update = Query::update()
            .table(Branches::Table)
            .values([
                (Branches::Code, fields.code.clone().into()),
                (Branches::Name, fields.name.clone().into()),
                (Branches::Street, a.street.clone().into()),
                (Branches::City, a.city.clone().into()),
                (Branches::State, a.state.clone().into()),
                (Branches::PostalCode, a.postal_code.clone().into()),
                (Branches::Country, a.country.clone().into()),
                (Branches::Active, active.into()),
                (Branches::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Branches::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Branches::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["branches_code_key"], "code", "field-code-taken"))?;
        let mut changes = diff(&json!(before.fields), &json!(fields));
        if before.active != active {
            changes["active"] = json!({ "before": before.active, "after": active });
        }
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.tx
                .audit()
                .log(
                    by,
                    "branch.update",
                    ("branch", id.as_uuid()),
                    Some(account.as_uuid()),
                    changes,
                )
                .await?;
        }
        self.find(account, id).await
    }
}

const BRANCH_COLUMNS: [Branches; 10] = [
    Branches::Id,
    Branches::AccountId,
    Branches::Code,
    Branches::Name,
    Branches::Street,
    Branches::City,
    Branches::State,
    Branches::PostalCode,
    Branches::Country,
    Branches::Active,
];
