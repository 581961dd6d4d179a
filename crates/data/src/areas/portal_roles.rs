//! The tenant's portal roles: seeded from `policies/portal_roles.csv`, then the
//! tenant's own, each a named set of permissions of one portal. Every change
//! bumps the tenant's policy version in the same transaction and is audited.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use portico_domain::{
    FieldErrors, Permission, Portal,
    fields::{Checker, limits},
};
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::tables::{PortalRolePermissions, PortalRoles};
use crate::{By, DataError, TenantTx, error::taken};

/// The roles every new company starts with (`policies/portal_roles.csv`).
const SEEDED_ROLES: &str = include_str!("../../../../policies/portal_roles.csv");

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
pub(crate) struct PermissionRow {
    pub(crate) owner: Uuid,
    pub(crate) permission: String,
}

/// What a role is made of, as submitted.
#[derive(Debug, Clone, Default)]
pub struct PortalRoleInput {
    pub name_es: String,
    pub name_en: String,
    pub permissions: Vec<String>,
}

pub(crate) fn valid_permissions(portal: Portal, names: &[String]) -> Result<Vec<String>, ()> {
    let mut set = BTreeSet::new();
    for name in names {
        let permission = Permission::parse(portal, name.trim()).ok_or(())?;
        set.insert(permission.name());
    }
    Ok(set.into_iter().map(str::to_owned).collect())
}

/// The company's portal roles and their permissions.
pub struct PortalRolesArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PortalRolesArea<'_> {
    /// The roles with these ids, with their permissions.
    pub(crate) async fn by_ids(
        &mut self,
        role_ids: &BTreeSet<Uuid>,
    ) -> Result<Vec<PortalRole>, DataError> {
        let select = Query::select()
            .columns([
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
            ])
            .from(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).is_in(role_ids.iter().copied()))
            .to_owned();
        let rows: Vec<RoleRow> = self.tx.conn.fetch_all(&select).await?;
        self.roles_with_permissions(rows).await
    }

    /// Gives a new company the seeded portal roles.
    pub(crate) async fn seed(&mut self) -> Result<(), DataError> {
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
                self.tx.tenant_id().as_uuid().into(),
                id.into(),
                portal.as_str().into(),
                seed_key.map(str::to_owned).into(),
                name_es.into(),
                name_en.into(),
                Utc::now().into(),
            ])
            .to_owned();
        self.tx
            .conn
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
                self.tx.tenant_id().as_uuid().into(),
                role.into(),
                permission.clone().into(),
            ]);
        }
        self.tx.conn.execute(&insert).await.map(drop)
    }

    /// This tenant's portal roles (of one portal, or both), by name.
    pub async fn list(&mut self, portal: Option<Portal>) -> Result<Vec<PortalRole>, DataError> {
        let mut select = Query::select()
            .columns([
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
            ])
            .from(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .order_by(PortalRoles::Portal, Order::Asc)
            .order_by(PortalRoles::NameEs, Order::Asc)
            .to_owned();
        if let Some(portal) = portal {
            select.and_where(Expr::col(PortalRoles::Portal).eq(portal.as_str()));
        }
        let rows: Vec<RoleRow> = self.tx.conn.fetch_all(&select).await?;
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
            .and_where(Expr::col(PortalRolePermissions::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRolePermissions::RoleId).is_in(rows.iter().map(|r| r.id)))
            .to_owned();
        let mut permissions: HashMap<Uuid, Vec<String>> = HashMap::new();
        for row in self.tx.conn.fetch_all::<PermissionRow>(&select).await? {
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
    pub async fn create(
        &mut self,
        portal: Portal,
        input: &PortalRoleInput,
        by: By<'_>,
    ) -> Result<Uuid, DataError> {
        let (es, en, permissions) = Self::checked_role(portal, input)?;
        let id = Uuid::now_v7();
        self.insert_role(id, portal, None, &es, &en).await?;
        self.insert_role_permissions(id, &permissions).await?;
        self.tx.policy().bump_version().await?;
        self.tx.audit().log(
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
    pub async fn update(
        &mut self,
        id: Uuid,
        input: &PortalRoleInput,
        by: By<'_>,
    ) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        let (es, en, permissions) = Self::checked_role(before.portal, input)?;
        let update = Query::update()
            .table(PortalRoles::Table)
            .values([
                (PortalRoles::NameEs, es.clone().into()),
                (PortalRoles::NameEn, en.clone().into()),
            ])
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        self.tx
            .conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["portal_roles_name_key"], "name_es", "field-name-taken"))?;
        let delete = Query::delete()
            .from_table(PortalRolePermissions::Table)
            .and_where(Expr::col(PortalRolePermissions::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRolePermissions::RoleId).eq(id))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.insert_role_permissions(id, &permissions).await?;
        self.tx.policy().bump_version().await?;
        let after = json!({ "name_es": es, "name_en": en, "permissions": permissions });
        let before = json!({ "name_es": before.name_es, "name_en": before.name_en, "permissions": before.permissions });
        self.tx
            .audit()
            .log(
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
    pub async fn delete(&mut self, id: Uuid, by: By<'_>) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        let delete = Query::delete()
            .from_table(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.tx.policy().bump_version().await?;
        self.tx
            .audit()
            .log(
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
    pub async fn find(&mut self, id: Uuid) -> Result<Option<PortalRole>, DataError> {
        let select = Query::select()
            .columns([
                PortalRoles::Id,
                PortalRoles::Portal,
                PortalRoles::SeedKey,
                PortalRoles::NameEs,
                PortalRoles::NameEn,
            ])
            .from(PortalRoles::Table)
            .and_where(Expr::col(PortalRoles::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(PortalRoles::Id).eq(id))
            .to_owned();
        let rows: Vec<RoleRow> = self.tx.conn.fetch_all(&select).await?;
        Ok(self.roles_with_permissions(rows).await?.pop())
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
