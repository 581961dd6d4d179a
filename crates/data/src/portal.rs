//! Portal access: each contact's access to the portals, the tenant's portal roles
//! (seeded from `policies/portal_roles.csv`, then the tenant's own), and per link
//! the roles, individual permissions and visible branches. Every change bumps the
//! tenant's policy version in the same transaction (so every instance drops the
//! stale policy) and is audited.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::Utc;
use portico_domain::{
    AccountKind, FieldErrors, Permission, Portal,
    fields::{Checker, limits},
};
use sea_query::{Alias, Expr, ExprTrait, Iden, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AccountId, By, ContactId, DataError, LinkId, PortalStatus, TenantTx,
    accounts::{Accounts, Branches, taken},
    contacts::Contacts,
    links::{ContactLinks, link_account},
    tenants::Tenants,
};

#[derive(Iden, Clone, Copy)]
enum PortalRoles {
    Table,
    TenantId,
    Id,
    Portal,
    SeedKey,
    NameEs,
    NameEn,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
enum PortalRolePermissions {
    Table,
    TenantId,
    RoleId,
    Permission,
}

#[derive(Iden, Clone, Copy)]
enum LinkRoles {
    Table,
    TenantId,
    LinkId,
    RoleId,
}

#[derive(Iden, Clone, Copy)]
enum LinkPermissions {
    Table,
    TenantId,
    LinkId,
    Permission,
}

#[derive(Iden, Clone, Copy)]
enum LinkBranches {
    Table,
    TenantId,
    LinkId,
    BranchId,
}

/// The roles every new company starts with (`policies/portal_roles.csv`).
const SEEDED_ROLES: &str = include_str!("../../../policies/portal_roles.csv");

/// A seeded role: portal, key, Spanish and English names, permissions.
type SeedRole<'a> = (Portal, &'a str, &'a str, &'a str, Vec<&'a str>);

fn seeded_roles() -> Vec<SeedRole<'static>> {
    SEEDED_ROLES
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|line| {
            let parts: Vec<&str> = line.splitn(5, ',').map(str::trim).collect();
            let [portal, key, es, en, permissions] = parts.as_slice() else {
                return None;
            };
            Some((
                portal.parse().ok()?,
                *key,
                *es,
                *en,
                permissions.split_whitespace().collect(),
            ))
        })
        .collect()
}

/// A portal role: a named bundle of one portal's permissions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PortalRole {
    pub id: Uuid,
    pub portal: Portal,
    pub seed_key: Option<String>,
    pub name_es: String,
    pub name_en: String,
    /// `object.action` names, sorted.
    pub permissions: Vec<String>,
}

impl PortalRole {
    /// The name in a language (`es` or `en`).
    pub fn name(&self, lang: portico_domain::Locale) -> &str {
        match lang {
            portico_domain::Locale::En => &self.name_en,
            _ => &self.name_es,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: Uuid,
    portal: String,
    seed_key: Option<String>,
    name_es: String,
    name_en: String,
}

#[derive(sqlx::FromRow)]
struct PermissionRow {
    owner: Uuid,
    permission: String,
}

/// What a role is made of, as submitted.
#[derive(Debug, Clone, Default)]
pub struct PortalRoleInput {
    pub name_es: String,
    pub name_en: String,
    pub permissions: Vec<String>,
}

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
}

/// A link's access as submitted from the grant matrix.
#[derive(Debug, Clone, Default)]
pub struct LinkAccessInput {
    pub role_ids: Vec<Uuid>,
    pub permissions: Vec<String>,
    pub all_branches: bool,
    pub branch_ids: Vec<Uuid>,
}

/// A contact's latest invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct InvitationInfo {
    pub sent_at: chrono::DateTime<Utc>,
    pub expires_at: chrono::DateTime<Utc>,
    /// Neither used, revoked nor expired.
    pub usable: bool,
}

/// Everything the policy of one contact is built from.
#[derive(Debug, Clone)]
pub struct ContactPolicyRows {
    pub contact: ContactId,
    /// Portal sessions started in another epoch are over.
    pub session_epoch: i32,
    pub customer_portal: bool,
    pub supplier_portal: bool,
    /// Only links of accounts that are active.
    pub links: Vec<LinkAccess>,
    /// The roles those links hold.
    pub roles: Vec<PortalRole>,
}

fn valid_permissions(portal: Portal, names: &[String]) -> Result<Vec<String>, ()> {
    let mut set = BTreeSet::new();
    for name in names {
        let permission = Permission::parse(portal, name.trim()).ok_or(())?;
        set.insert(permission.name());
    }
    Ok(set.into_iter().map(str::to_owned).collect())
}

impl TenantTx {
    /// Bumps this tenant's policy version (in this transaction) and returns it.
    pub async fn bump_policy_version(&mut self) -> Result<i64, DataError> {
        let update = Query::update()
            .table(Tenants::Table)
            .value(
                Tenants::PolicyVersion,
                Expr::col(Tenants::PolicyVersion).add(1),
            )
            .and_where(Expr::col(Tenants::Id).eq(self.tenant_id().as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        let version = self.policy_version().await?;
        self.bumped = Some(version);
        Ok(version)
    }

    /// This tenant's policy version.
    pub async fn policy_version(&mut self) -> Result<i64, DataError> {
        let select = Query::select()
            .column(Tenants::PolicyVersion)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tenant_id().as_uuid()))
            .to_owned();
        let row: Option<(i64,)> = self.conn.fetch_optional(&select).await?;
        row.map(|(v,)| v)
            .ok_or_else(|| DataError::Corrupt("tenant row missing".into()))
    }

    /// Gives a new company the seeded portal roles.
    pub(crate) async fn seed_portal_roles(&mut self) -> Result<(), DataError> {
        for (portal, key, es, en, permissions) in seeded_roles() {
            let id = Uuid::now_v7();
            self.insert_role(id, portal, Some(key), es, en).await?;
            let names: Vec<String> = permissions.iter().map(|p| (*p).to_owned()).collect();
            self.insert_role_permissions(id, &names).await?;
        }
        Ok(())
    }

    async fn insert_role(
        &mut self,
        id: Uuid,
        portal: Portal,
        seed_key: Option<&str>,
        name_es: &str,
        name_en: &str,
    ) -> Result<(), DataError> {
        let insert = Query::insert()
            .into_table(PortalRoles::Table)
            .columns([
                PortalRoles::TenantId,
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
                PortalRoles::CreatedAt,
            ])
            .values_panic([
                self.tenant_id().as_uuid().into(),
                id.into(),
                portal.as_str().into(),
                seed_key.map(str::to_owned).into(),
                name_es.into(),
                name_en.into(),
                Utc::now().into(),
            ])
            .to_owned();
        self.conn
            .execute(&insert)
            .await
            .map(drop)
            .map_err(|e| taken(e, &["portal_roles_name_key"], "name_es", "field-name-taken"))
    }

    async fn insert_role_permissions(
        &mut self,
        role: Uuid,
        permissions: &[String],
    ) -> Result<(), DataError> {
        if permissions.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert()
            .into_table(PortalRolePermissions::Table)
            .columns([
                PortalRolePermissions::TenantId,
                PortalRolePermissions::RoleId,
                PortalRolePermissions::Permission,
            ])
            .to_owned();
        for permission in permissions {
            insert.values_panic([
                self.tenant_id().as_uuid().into(),
                role.into(),
                permission.clone().into(),
            ]);
        }
        self.conn.execute(&insert).await.map(drop)
    }

    /// This tenant's portal roles (of one portal, or both), by name.
    pub async fn portal_roles(
        &mut self,
        portal: Option<Portal>,
    ) -> Result<Vec<PortalRole>, DataError> {
        let mut select = Query::select()
            .columns([
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
            ])
            .from(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tenant_id().as_uuid()))
            .order_by(PortalRoles::Portal, Order::Asc)
            .order_by(PortalRoles::NameEs, Order::Asc)
            .to_owned();
        if let Some(portal) = portal {
            select.and_where(Expr::col(PortalRoles::Portal).eq(portal.as_str()));
        }
        let rows: Vec<RoleRow> = self.conn.fetch_all(&select).await?;
        self.roles_with_permissions(rows).await
    }

    async fn roles_with_permissions(
        &mut self,
        rows: Vec<RoleRow>,
    ) -> Result<Vec<PortalRole>, DataError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .expr_as(
                Expr::col(PortalRolePermissions::RoleId),
                Alias::new("owner"),
            )
            .column(PortalRolePermissions::Permission)
            .from(PortalRolePermissions::Table)
            .and_where(Expr::col(PortalRolePermissions::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRolePermissions::RoleId).is_in(rows.iter().map(|r| r.id)))
            .to_owned();
        let mut permissions: HashMap<Uuid, Vec<String>> = HashMap::new();
        for row in self.conn.fetch_all::<PermissionRow>(&select).await? {
            permissions
                .entry(row.owner)
                .or_default()
                .push(row.permission);
        }
        rows.into_iter()
            .map(|r| {
                let mut perms = permissions.remove(&r.id).unwrap_or_default();
                perms.sort();
                Ok(PortalRole {
                    id: r.id,
                    portal: r.portal.parse().map_err(DataError::Corrupt)?,
                    seed_key: r.seed_key,
                    name_es: r.name_es,
                    name_en: r.name_en,
                    permissions: perms,
                })
            })
            .collect()
    }

    fn checked_role(
        portal: Portal,
        input: &PortalRoleInput,
    ) -> Result<(String, String, Vec<String>), DataError> {
        let mut c = Checker::default();
        let es = c.required("name_es", &input.name_es, limits::NAME);
        let en = c.text("name_en", &input.name_en, limits::NAME);
        let permissions = valid_permissions(portal, &input.permissions).unwrap_or_else(|()| {
            c.errors.add("permissions", "field-choice-invalid");
            Vec::new()
        });
        let errors: FieldErrors = c.errors;
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let en = en.unwrap_or_else(|| es.clone());
        Ok((es, en, permissions))
    }

    /// Adds a tenant-defined role.
    pub async fn create_portal_role(
        &mut self,
        portal: Portal,
        input: &PortalRoleInput,
        by: By<'_>,
    ) -> Result<Uuid, DataError> {
        let (es, en, permissions) = Self::checked_role(portal, input)?;
        let id = Uuid::now_v7();
        self.insert_role(id, portal, None, &es, &en).await?;
        self.insert_role_permissions(id, &permissions).await?;
        self.bump_policy_version().await?;
        self.log(
            by,
            "portal_role.create",
            ("portal_role", id),
            None,
            json!({ "after": { "portal": portal, "name_es": es, "name_en": en, "permissions": permissions } }),
        )
        .await?;
        Ok(id)
    }

    /// Renames a role and replaces its permissions; `false` when it is not this tenant's.
    pub async fn update_portal_role(
        &mut self,
        id: Uuid,
        input: &PortalRoleInput,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let Some(before) = self.find_portal_role(id).await? else {
            return Ok(false);
        };
        let (es, en, permissions) = Self::checked_role(before.portal, input)?;
        let update = Query::update()
            .table(PortalRoles::Table)
            .values([
                (PortalRoles::NameEs, es.clone().into()),
                (PortalRoles::NameEn, en.clone().into()),
            ])
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        self.conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["portal_roles_name_key"], "name_es", "field-name-taken"))?;
        let delete = Query::delete()
            .from_table(PortalRolePermissions::Table)
            .and_where(Expr::col(PortalRolePermissions::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRolePermissions::RoleId).eq(id))
            .to_owned();
        self.conn.execute(&delete).await?;
        self.insert_role_permissions(id, &permissions).await?;
        self.bump_policy_version().await?;
        let after = json!({ "name_es": es, "name_en": en, "permissions": permissions });
        let before = json!({ "name_es": before.name_es, "name_en": before.name_en, "permissions": before.permissions });
        self.log(
            by,
            "portal_role.update",
            ("portal_role", id),
            None,
            crate::diff(&before, &after),
        )
        .await?;
        Ok(true)
    }

    /// Removes a role (and so takes it from every link); `false` when not found.
    pub async fn delete_portal_role(&mut self, id: Uuid, by: By<'_>) -> Result<bool, DataError> {
        let Some(before) = self.find_portal_role(id).await? else {
            return Ok(false);
        };
        let delete = Query::delete()
            .from_table(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        self.conn.execute(&delete).await?;
        self.bump_policy_version().await?;
        self.log(
            by,
            "portal_role.delete",
            ("portal_role", id),
            None,
            json!({ "before": before }),
        )
        .await?;
        Ok(true)
    }

    /// One role of this tenant.
    pub async fn find_portal_role(&mut self, id: Uuid) -> Result<Option<PortalRole>, DataError> {
        let select = Query::select()
            .columns([
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
            ])
            .from(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        let rows: Vec<RoleRow> = self.conn.fetch_all(&select).await?;
        Ok(self.roles_with_permissions(rows).await?.pop())
    }

    /// Turns a contact's access to a portal on or off. Turning it on needs a main
    /// email (the contact signs in with it). `None` when the contact is not here.
    pub async fn set_portal_access(
        &mut self,
        contact: ContactId,
        portal: Portal,
        on: bool,
        by: By<'_>,
    ) -> Result<Option<bool>, DataError> {
        let Some(person) = self.find_contact(contact).await? else {
            return Ok(None);
        };
        if person.portal.to(portal) == on {
            return Ok(Some(false));
        }
        if on && (person.fields.email.is_none() || person.archived_at.is_some()) {
            let mut errors = FieldErrors::default();
            errors.add(
                "email",
                if person.archived_at.is_some() {
                    "portal-archived"
                } else {
                    "portal-needs-email"
                },
            );
            return Err(DataError::Invalid(errors));
        }
        let column = match portal {
            Portal::Customer => Contacts::CustomerPortal,
            Portal::Supplier => Contacts::SupplierPortal,
        };
        let other = match portal {
            Portal::Customer => person.portal.supplier,
            Portal::Supplier => person.portal.customer,
        };
        let has_password: Option<(bool,)> = self
            .conn
            .fetch_optional(
                &Query::select()
                    .expr(Expr::col(Contacts::PortalPasswordHash).is_not_null())
                    .from(Contacts::Table)
                    .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
                    .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
                    .to_owned(),
            )
            .await?;
        let status = match (on || other, has_password.is_some_and(|(p,)| p)) {
            (true, true) => PortalStatus::Active,
            (true, false) => PortalStatus::Invited,
            (false, _) if person.portal.status == PortalStatus::None => PortalStatus::None,
            (false, _) => PortalStatus::Disabled,
        };
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (column, on.into()),
                (Contacts::PortalStatus, status.as_str().into()),
                (Contacts::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        if on {
            self.bump_policy_version().await?;
        } else if other {
            // Turning access off ends the contact's portal sessions for good
            // (turning it back on does not revive them); the epoch is the
            // contact's, so a session in its other portal ends too.
            self.next_session_epoch(contact).await?;
        } else {
            // No access left: pending invitations and links die with the sessions.
            self.void_portal_credentials(contact).await?;
        }
        self.log(
            by,
            "contact.portal_access",
            ("contact", contact.as_uuid()),
            None,
            json!({ "portal": portal, "before": !on, "after": on }),
        )
        .await?;
        Ok(Some(true))
    }

    /// The newest invitation sent to a contact, if any.
    pub async fn latest_invitation(
        &mut self,
        contact: ContactId,
    ) -> Result<Option<InvitationInfo>, DataError> {
        use crate::portal_auth::PortalTokens as T;
        let select = Query::select()
            .columns([T::CreatedAt, T::ExpiresAt, T::UsedAt, T::RevokedAt])
            .from(T::Table)
            .and_where(Expr::col(T::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(T::ContactId).eq(contact.as_uuid()))
            .and_where(Expr::col(T::Purpose).eq(crate::PortalTokenPurpose::Invitation.as_str()))
            .order_by(T::CreatedAt, Order::Desc)
            .limit(1)
            .to_owned();
        type Row = (
            chrono::DateTime<Utc>,
            chrono::DateTime<Utc>,
            Option<chrono::DateTime<Utc>>,
            Option<chrono::DateTime<Utc>>,
        );
        let row: Option<Row> = self.conn.fetch_optional(&select).await?;
        Ok(
            row.map(|(sent_at, expires_at, used, revoked)| InvitationInfo {
                sent_at,
                expires_at,
                usable: used.is_none() && revoked.is_none() && expires_at > Utc::now(),
            }),
        )
    }

    /// The portal access of a contact's links, by account name.
    pub async fn link_access(&mut self, contact: ContactId) -> Result<Vec<LinkAccess>, DataError> {
        self.links_access(&[contact], None, false).await
    }

    /// Links of `contacts` (or the single link `only`) with their grants;
    /// `active_only` skips links to archived accounts.
    async fn links_access(
        &mut self,
        contacts: &[ContactId],
        only: Option<LinkId>,
        active_only: bool,
    ) -> Result<Vec<LinkAccess>, DataError> {
        let tenant = self.tenant_id().as_uuid();
        let mut select = Query::select()
            .columns([
                (ContactLinks::Table, ContactLinks::Id),
                (ContactLinks::Table, ContactLinks::ContactId),
                (ContactLinks::Table, ContactLinks::AccountId),
                (ContactLinks::Table, ContactLinks::AccountKind),
                (ContactLinks::Table, ContactLinks::AllBranches),
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
        if let Some(link) = only {
            select.and_where(Expr::col((ContactLinks::Table, ContactLinks::Id)).eq(link.as_uuid()));
        } else {
            select.and_where(
                Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                    .is_in(contacts.iter().map(|c| c.as_uuid())),
            );
        }
        if active_only {
            select.and_where(Expr::col((Accounts::Table, Accounts::Active)).eq(true));
        }
        let rows: Vec<LinkRow> = self.conn.fetch_all(&select).await?;
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
            .and_where(Expr::col(Alias::new("tenant_id")).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Alias::new("link_id")).is_in(links.iter().copied()))
            .to_owned();
        let mut map: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for pair in self.conn.fetch_all::<Pair>(&select).await? {
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
            .and_where(Expr::col(LinkPermissions::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(LinkPermissions::LinkId).is_in(links.iter().copied()))
            .order_by(LinkPermissions::Permission, Order::Asc)
            .to_owned();
        let mut map: BTreeMap<Uuid, Vec<String>> = BTreeMap::new();
        for row in self.conn.fetch_all::<PermissionRow>(&select).await? {
            map.entry(row.owner).or_default().push(row.permission);
        }
        Ok(map)
    }

    /// Replaces a link's roles, individual permissions and visible branches.
    /// Roles must be this tenant's for the link's portal, permissions the
    /// portal's, branches the account's (and only when it has branches).
    /// `None` when the link is not in this tenant.
    pub async fn set_link_access(
        &mut self,
        link: LinkId,
        input: &LinkAccessInput,
        by: By<'_>,
    ) -> Result<Option<LinkAccess>, DataError> {
        let Some(before) = self.links_access(&[], Some(link), false).await?.pop() else {
            return Ok(None);
        };
        let mut errors = FieldErrors::default();
        let roles: BTreeSet<Uuid> = input.role_ids.iter().copied().collect();
        let known: Vec<Uuid> = self
            .portal_roles(Some(before.portal))
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
                .and_where(Expr::col(Branches::TenantId).eq(self.tenant_id().as_uuid()))
                .and_where(Expr::col(Branches::AccountId).eq(before.account_id.as_uuid()))
                .and_where(Expr::col(Branches::Id).is_in(branches.iter().copied()))
                .to_owned();
            let found: Vec<(Uuid,)> = self.conn.fetch_all(&select).await?;
            if found.len() != branches.len() {
                errors.add("branch_ids", "field-choice-invalid");
            }
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        let tenant = self.tenant_id().as_uuid();
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
            self.conn.execute(&delete).await?;
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
            .and_where(Expr::col(ContactLinks::TenantId).eq(tenant))
            .and_where(Expr::col(ContactLinks::Id).eq(link.as_uuid()))
            .to_owned();
        self.conn.execute(&update).await?;
        self.bump_policy_version().await?;
        let after = self
            .links_access(&[], Some(link), false)
            .await?
            .pop()
            .ok_or_else(|| DataError::Corrupt("link vanished".into()))?;
        let view = |a: &LinkAccess| {
            json!({ "role_ids": a.role_ids, "permissions": a.permissions,
                    "all_branches": a.all_branches, "branch_ids": a.branch_ids })
        };
        let changes = crate::diff(&view(&before), &view(&after));
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.log(
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
                self.tenant_id().as_uuid().into(),
                link.as_uuid().into(),
                value.into(),
            ]);
        }
        if any {
            self.conn.execute(&insert).await?;
        }
        Ok(())
    }

    /// What the policy of one contact is built from: its access, its links to
    /// active accounts with their grants, and the roles they hold. Four queries,
    /// whatever the size of the tenant. `None` when the contact is not here.
    pub async fn contact_policy_rows(
        &mut self,
        contact: ContactId,
    ) -> Result<Option<ContactPolicyRows>, DataError> {
        let select = Query::select()
            .columns([
                Contacts::CustomerPortal,
                Contacts::SupplierPortal,
                Contacts::PortalSessionEpoch,
            ])
            .from(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .and_where(Expr::col(Contacts::ArchivedAt).is_null())
            .to_owned();
        let Some((customer_portal, supplier_portal, session_epoch)) = self
            .conn
            .fetch_optional::<(bool, bool, i32)>(&select)
            .await?
        else {
            return Ok(None);
        };
        let links = if customer_portal || supplier_portal {
            self.links_access(&[contact], None, true).await?
        } else {
            Vec::new()
        };
        let role_ids: BTreeSet<Uuid> = links
            .iter()
            .flat_map(|l| l.role_ids.iter().copied())
            .collect();
        let roles = if role_ids.is_empty() {
            Vec::new()
        } else {
            let select = Query::select()
                .columns([
                    PortalRoles::Id,
                    PortalRoles::Portal,
                    PortalRoles::SeedKey,
                    PortalRoles::NameEs,
                    PortalRoles::NameEn,
                ])
                .from(PortalRoles::Table)
                .and_where(Expr::col(PortalRoles::TenantId).eq(self.tenant_id().as_uuid()))
                .and_where(Expr::col(PortalRoles::Id).is_in(role_ids.iter().copied()))
                .to_owned();
            let rows: Vec<RoleRow> = self.conn.fetch_all(&select).await?;
            self.roles_with_permissions(rows).await?
        };
        Ok(Some(ContactPolicyRows {
            contact,
            session_epoch,
            customer_portal,
            supplier_portal,
            links,
            roles,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeded_roles_name_real_permissions() {
        let roles = seeded_roles();
        assert!(roles.len() >= 6);
        for (portal, key, es, en, permissions) in roles {
            assert!(!key.is_empty() && !es.is_empty() && !en.is_empty());
            for name in permissions {
                assert!(
                    Permission::parse(portal, name).is_some(),
                    "{portal} {key}: {name}"
                );
            }
        }
    }
}
