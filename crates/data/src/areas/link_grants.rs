//! What each of a contact's links grants in a portal: roles, individual
//! permissions and visible branches. Every change bumps the tenant's policy
//! version in the same transaction (so every instance drops the stale policy)
//! and is audited.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::{
    AccountKind, FieldErrors, Portal,
    money::{self, Dec},
};
use sea_query::{Alias, Expr, ExprTrait, Iden, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::areas::portal_roles::{PermissionRow, valid_permissions};
use crate::tables::{Accounts, Branches, ContactLinks, LinkBranches, LinkPermissions, LinkRoles};
use crate::{AccountId, By, ContactId, DataError, LinkId, TenantTx, areas::links::link_account};

/// A link's portal access: who it is with, and what it grants.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkAccess {
    pub link_id: LinkId,
    pub contact_id: ContactId,
    pub account_id: AccountId,
    pub portal: Portal,
    pub account_code: String,
    pub account_name: String,
    pub account_active: bool,
    /// Whether the account has branches (only then can a link be restricted).
    pub branches_enabled: bool,
    pub all_branches: bool,
    /// The visible branches when not `all_branches`.
    pub branch_ids: Vec<Uuid>,
    pub role_ids: Vec<Uuid>,
    /// Individual permissions (`object.action`).
    pub permissions: Vec<String>,
    /// Up to what total the contact may accept quotes and authorize orders
    /// for this account, in the company's currency; `None`: no limit.
    pub approval_limit: Option<Dec>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Uuid,
    contact_id: Uuid,
    account_id: Uuid,
    account_kind: String,
    code: String,
    name: String,
    active: bool,
    branches_enabled: bool,
    all_branches: bool,
    approval_limit: Option<i64>,
}

/// A link's access as submitted from the grant matrix.
#[derive(Debug, Clone, Default)]
pub struct LinkAccessInput {
    pub role_ids: Vec<Uuid>,
    pub permissions: Vec<String>,
    pub all_branches: bool,
    pub branch_ids: Vec<Uuid>,
    /// See [`LinkAccess::approval_limit`].
    pub approval_limit: Option<Dec>,
}

/// What each of a contact's links grants in a portal: roles, extra permissions, branches.
pub struct LinkGrantsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl LinkGrantsArea<'_> {
    /// The portal access of a contact's links, by account name.
    pub async fn of_contact(&mut self, contact: ContactId) -> Result<Vec<LinkAccess>, DataError> {
        self.of_links(&[contact], &[], false).await
    }

    /// Links of `contacts` (or, when `only` names some, those links) with
    /// their grants; `active_only` skips links to archived accounts.
    pub(crate) async fn of_links(
        &mut self,
        contacts: &[ContactId],
        only: &[LinkId],
        active_only: bool,
    ) -> Result<Vec<LinkAccess>, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let mut select = Query::select()
            .columns([
                (ContactLinks::Table, ContactLinks::Id),
                (ContactLinks::Table, ContactLinks::ContactId),
                (ContactLinks::Table, ContactLinks::AccountId),
                (ContactLinks::Table, ContactLinks::AccountKind),
                (ContactLinks::Table, ContactLinks::AllBranches),
                (ContactLinks::Table, ContactLinks::ApprovalLimit),
            ])
            .columns([
                (Accounts::Table, Accounts::Code),
                (Accounts::Table, Accounts::Name),
                (Accounts::Table, Accounts::Active),
                (Accounts::Table, Accounts::BranchesEnabled),
            ])
            .from(ContactLinks::Table)
            .inner_join(Accounts::Table, link_account())
            .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
            .order_by((Accounts::Table, Accounts::SortName), Order::Asc)
            .to_owned();
        if !only.is_empty() {
            select.and_where(
                Expr::col((ContactLinks::Table, ContactLinks::Id))
                    .is_in(only.iter().map(|l| l.as_uuid())),
            );
        } else {
            select.and_where(
                Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                    .is_in(contacts.iter().map(|c| c.as_uuid())),
            );
        }
        if active_only {
            select.and_where(Expr::col((Accounts::Table, Accounts::Active)).eq(true));
        }
        let rows: Vec<LinkRow> = self.tx.conn.fetch_all(&select).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let roles = self
            .link_values(LinkRoles::Table, LinkRoles::RoleId, &ids)
            .await?;
        let permissions = self.link_values_text(&ids).await?;
        let branches = self
            .link_values(LinkBranches::Table, LinkBranches::BranchId, &ids)
            .await?;
        rows.into_iter()
            .map(|r| {
                let kind: AccountKind = r.account_kind.parse().map_err(DataError::Corrupt)?;
                Ok(LinkAccess {
                    link_id: r.id.into(),
                    contact_id: r.contact_id.into(),
                    account_id: r.account_id.into(),
                    portal: Portal::of(kind),
                    account_code: r.code,
                    account_name: r.name,
                    account_active: r.active,
                    branches_enabled: r.branches_enabled,
                    all_branches: r.all_branches || !r.branches_enabled,
                    branch_ids: branches.get(&r.id).cloned().unwrap_or_default(),
                    role_ids: roles.get(&r.id).cloned().unwrap_or_default(),
                    permissions: permissions.get(&r.id).cloned().unwrap_or_default(),
                    approval_limit: r.approval_limit.map(money::amount),
                })
            })
            .collect()
    }

    /// `link id → values` of a per-link id table (roles or branches).
    async fn link_values(
        &mut self,
        table: impl Iden + Copy + 'static,
        value: impl Iden + Copy + 'static,
        links: &[Uuid],
    ) -> Result<BTreeMap<Uuid, Vec<Uuid>>, DataError> {
        #[derive(sqlx::FromRow)]
        struct Pair {
            owner: Uuid,
            value: Uuid,
        }
        let select = Query::select()
            .expr_as(Expr::col(Alias::new("link_id")), Alias::new("owner"))
            .expr_as(Expr::col(value), Alias::new("value"))
            .from(table)
            .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Alias::new("link_id")).is_in(links.iter().copied()))
            .to_owned();
        let mut map: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for pair in self.tx.conn.fetch_all::<Pair>(&select).await? {
            map.entry(pair.owner).or_default().push(pair.value);
        }
        Ok(map)
    }

    async fn link_values_text(
        &mut self,
        links: &[Uuid],
    ) -> Result<BTreeMap<Uuid, Vec<String>>, DataError> {
        let select = Query::select()
            .expr_as(Expr::col(LinkPermissions::LinkId), Alias::new("owner"))
            .column(LinkPermissions::Permission)
            .from(LinkPermissions::Table)
            .and_where(Expr::col(LinkPermissions::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(LinkPermissions::LinkId).is_in(links.iter().copied()))
            .order_by(LinkPermissions::Permission, Order::Asc)
            .to_owned();
        let mut map: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for row in self.tx.conn.fetch_all::<PermissionRow>(&select).await? {
            map.entry(row.owner).or_default().push(row.permission);
        }
        Ok(map)
    }

    /// Replaces a link's roles, individual permissions and visible branches.
    /// Roles must be this tenant's for the link's portal, permissions the
    /// portal's, branches the account's (and only when it has branches).
    /// `None` when the link is not in this tenant.
    pub async fn set(
        &mut self,
        link: LinkId,
        input: &LinkAccessInput,
        by: By<'_>,
    ) -> Result<Option<LinkAccess>, DataError> {
        let Some(before) = self.of_links(&[], &[link], false).await?.pop() else {
            return Ok(None);
        };
        let mut errors = FieldErrors::default();
        let roles: BTreeSet<Uuid> = input.role_ids.iter().copied().collect();
        let known: Vec<Uuid> = self
            .tx
            .portal_roles()
            .list(Some(before.portal))
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        if roles.iter().any(|r| !known.contains(r)) {
            errors.add("role_ids", "field-choice-invalid");
        }
        let permissions =
            valid_permissions(before.portal, &input.permissions).unwrap_or_else(|()| {
                errors.add("permissions", "field-choice-invalid");
                Vec::new()
            });
        let all_branches = input.all_branches || !before.branches_enabled;
        let branches: BTreeSet<Uuid> = if all_branches {
            BTreeSet::new()
        } else {
            input.branch_ids.iter().copied().collect()
        };
        if !branches.is_empty() {
            let select = Query::select()
                .column(Branches::Id)
                .from(Branches::Table)
                .and_where(Expr::col(Branches::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Branches::AccountId).eq(before.account_id.as_uuid()))
                .and_where(Expr::col(Branches::Id).is_in(branches.iter().copied()))
                .to_owned();
            let found: Vec<(Uuid,)> = self.tx.conn.fetch_all(&select).await?;
            if found.len() != branches.len() {
                errors.add("branch_ids", "field-choice-invalid");
            }
        }
        if input
            .approval_limit
            .is_some_and(|l| l.is_sign_negative() || l >= Dec::from(1_000_000_000_000_i64))
        {
            errors.add("approval_limit", "field-decimal-too-large");
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let tenant = self.tx.tenant_id().as_uuid();
        for (table, column) in [
            (Alias::new("link_roles"), Alias::new("link_id")),
            (Alias::new("link_permissions"), Alias::new("link_id")),
            (Alias::new("link_branches"), Alias::new("link_id")),
        ] {
            let delete = Query::delete()
                .from_table(table)
                .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant))
                .and_where(Expr::col(column).eq(link.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&delete).await?;
        }
        self.insert_link_values(
            LinkRoles::Table,
            [LinkRoles::TenantId, LinkRoles::LinkId, LinkRoles::RoleId],
            link,
            roles.iter().map(|r| (*r).into()),
        )
        .await?;
        self.insert_link_values(
            LinkPermissions::Table,
            [
                LinkPermissions::TenantId,
                LinkPermissions::LinkId,
                LinkPermissions::Permission,
            ],
            link,
            permissions.iter().map(|p| p.clone().into()),
        )
        .await?;
        self.insert_link_values(
            LinkBranches::Table,
            [
                LinkBranches::TenantId,
                LinkBranches::LinkId,
                LinkBranches::BranchId,
            ],
            link,
            branches.iter().map(|b| (*b).into()),
        )
        .await?;
        let update = Query::update()
            .table(ContactLinks::Table)
            .value(ContactLinks::AllBranches, all_branches)
            .value(
                ContactLinks::ApprovalLimit,
                input.approval_limit.map(money::to_stored),
            )
            .and_where(Expr::col(ContactLinks::TenantId).eq(tenant))
            .and_where(Expr::col(ContactLinks::Id).eq(link.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        self.tx.policy().bump_version().await?;
        let after = self
            .of_links(&[], &[link], false)
            .await?
            .pop()
            .ok_or_else(|| DataError::Corrupt("link vanished".into()))?;
        let view = |a: &LinkAccess| {
            json!({ "role_ids": a.role_ids, "permissions": a.permissions,
                    "all_branches": a.all_branches, "branch_ids": a.branch_ids,
                    "approval_limit": a.approval_limit })
        };
        let changes = crate::diff(&view(&before), &view(&after));
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.tx.audit().log(
                by,
                "contact.link_access",
                ("contact", before.contact_id.as_uuid()),
                Some(before.account_id.as_uuid()),
                json!({ "account": { "id": before.account_id, "name": before.account_name }, "changes": changes }),
            )
            .await?;
        }
        Ok(Some(after))
    }

    async fn insert_link_values<T: Iden + Copy + 'static, C: Iden + Copy + 'static>(
        &mut self,
        table: T,
        columns: [C; 3],
        link: LinkId,
        values: impl Iterator<Item = sea_query::Value>,
    ) -> Result<(), DataError> {
        let mut insert = Query::insert()
            .into_table(table)
            .columns(columns)
            .to_owned();
        let mut any = false;
        for value in values {
            any = true;
            insert.values_panic([
                self.tx.tenant_id().as_uuid().into(),
                link.as_uuid().into(),
                value.into(),
            ]);
        }
        if any {
            self.tx.conn.execute(&insert).await?;
        }
        Ok(())
    }
}
