//! What a signed-in contact sees in a portal, read through the `PortalScope`
//! the authorization layer decided: every query filters in SQL by the scope's
//! tenant, account and allowed branches, so no handler filters rows after
//! loading them.

use portico_authz::PortalScope;
use portico_domain::{BranchScope, Portal};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::tables::{Accounts, Branches};
use crate::{AccountId, BranchId, DataError, DateCursor, RecordKey, RecordTable, TenantTx};

/// A branch as a portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortalBranch {
    pub id: BranchId,
    pub code: String,
    pub name: String,
}

/// A customer or supplier as a portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortalAccount {
    pub id: AccountId,
    pub code: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct NamedRow {
    id: Uuid,
    code: String,
    name: String,
}

/// What a signed-in contact sees in a portal, read through its scope.
pub struct PortalScopeArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalScopeArea<'_> {
    /// The active branches of the scope's account that the scope lets the
    /// contact see, by name: every branch with "all branches", else only the
    /// chosen ones. Empty for an account without branches, and for a scope of
    /// another tenant.
    pub async fn visible_branches(
        &mut self,
        scope: &PortalScope,
    ) -> Result<Vec<PortalBranch>, DataError> {
        let tenant = self.tx.tenant_id();
        if scope.tenant() != tenant || scope.portal() != Portal::Customer {
            return Ok(Vec::new());
        }
        let mut select = Query::select()
            .columns([
                (Branches::Table, Branches::Id),
                (Branches::Table, Branches::Code),
                (Branches::Table, Branches::Name),
            ])
            .from(Branches::Table)
            .inner_join(
                Accounts::Table,
                Expr::col((Accounts::Table, Accounts::TenantId))
                    .equals((Branches::Table, Branches::TenantId))
                    .and(
                        Expr::col((Accounts::Table, Accounts::Id))
                            .equals((Branches::Table, Branches::AccountId)),
                    ),
            )
            .and_where(Expr::col((Branches::Table, Branches::TenantId)).eq(tenant.as_uuid()))
            .and_where(
                Expr::col((Branches::Table, Branches::AccountId)).eq(scope.account().as_uuid()),
            )
            .and_where(Expr::col((Branches::Table, Branches::Active)).eq(true))
            .and_where(Expr::col((Accounts::Table, Accounts::BranchesEnabled)).eq(true))
            .order_by((Branches::Table, Branches::Name), Order::Asc)
            .order_by((Branches::Table, Branches::Id), Order::Asc)
            .to_owned();
        match scope.branches() {
            BranchScope::All => {}
            BranchScope::Only(ids) if ids.is_empty() => return Ok(Vec::new()),
            BranchScope::Only(ids) => {
                select.and_where(
                    Expr::col((Branches::Table, Branches::Id))
                        .is_in(ids.iter().map(BranchId::as_uuid)),
                );
            }
        }
        Ok(self
            .tx
            .conn
            .fetch_all::<NamedRow>(&select)
            .await?
            .into_iter()
            .map(|r| PortalBranch {
                id: r.id.into(),
                code: r.code,
                name: r.name,
            })
            .collect())
    }

    /// The keys of one page of `table` as `scope` sees it (see
    /// [`RecordTable::portal_page`]): newest first, at most `limit`. Empty for
    /// a scope of another tenant.
    pub async fn portal_page_keys(
        &mut self,
        table: &RecordTable,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<RecordKey>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(Vec::new());
        }
        let select = table
            .portal_page(scope, after, limit)
            .clear_selects()
            .expr_as(Expr::col(table.id()), "id")
            .expr_as(Expr::col(table.date()), "date")
            .expr_as(Expr::col(table.branch()), "branch_id")
            .to_owned();
        self.tx.conn.fetch_page::<RecordKey>(&select, scope).await
    }

    /// The active accounts among `ids` that a portal serves (customers for the
    /// customer portal, suppliers for the supplier portal), by name.
    pub async fn accounts(
        &mut self,
        portal: Portal,
        ids: &[Uuid],
    ) -> Result<Vec<PortalAccount>, DataError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .columns([Accounts::Id, Accounts::Code, Accounts::Name])
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Accounts::Kind).eq(portal.kind().as_str()))
            .and_where(Expr::col(Accounts::Active).eq(true))
            .and_where(Expr::col(Accounts::Id).is_in(ids.iter().copied()))
            .order_by(Accounts::SortName, Order::Asc)
            .order_by(Accounts::Id, Order::Asc)
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_all::<NamedRow>(&select)
            .await?
            .into_iter()
            .map(|r| PortalAccount {
                id: r.id.into(),
                code: r.code,
                name: r.name,
            })
            .collect())
    }
}
