//! The tenant's portal policy: its version (bumped by every access change and
//! announced on commit) and the rows a contact's policy is built from — one
//! contact's, or those of the people of one account who may be told about
//! its records.

use std::collections::{BTreeMap, BTreeSet};

use portico_domain::{Email, Locale, Portal};
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::tables::{ContactLinks, Contacts, Tenants};
use crate::{AccountId, ContactId, DataError, LinkId, TenantTx};
use crate::{LinkAccess, PortalRole};

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

/// A portal contact of one account, as someone to write to about its records:
/// the policy rows of its link to that account alone, and its address.
#[derive(Debug, Clone)]
pub struct AccountContact {
    pub rows: ContactPolicyRows,
    pub display_name: String,
    pub email: Email,
    pub preferred_language: Option<Locale>,
}

#[derive(sqlx::FromRow)]
struct AccountContactRow {
    id: Uuid,
    link_id: Uuid,
    display_name: String,
    email: Option<String>,
    customer_portal: bool,
    supplier_portal: bool,
    portal_session_epoch: i32,
    preferred_language: Option<String>,
}

/// The tenant's portal policy: its version and the rows a contact's policy is built from.
pub struct PolicyArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl PolicyArea<'_> {
    /// Bumps this tenant's policy version (in this transaction) and returns it.
    pub async fn bump_version(&mut self) -> Result<i64, DataError> {
        let update = Query::update()
            .table(Tenants::Table)
            .value(
                Tenants::PolicyVersion,
                Expr::col(Tenants::PolicyVersion).add(1),
            )
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let version = self.version().await?;
        self.tx.bumped = Some(version);
        Ok(version)
    }

    /// This tenant's policy version.
    pub async fn version(&mut self) -> Result<i64, DataError> {
        let select = Query::select()
            .column(Tenants::PolicyVersion)
            .from(Tenants::Table)
            .and_where(Expr::col(Tenants::Id).eq(self.tx.tenant_id().as_uuid()))
            .to_owned();
        let row: Option<(i64,)> = self.tx.conn.fetch_optional(&select).await?;
        row.map(|(v,)| v)
            .ok_or_else(|| DataError::Corrupt("tenant row missing".into()))
    }
}

impl PolicyArea<'_> {
    /// What the policy of one contact is built from: its access, its links to
    /// active accounts with their grants, and the roles they hold. Four queries,
    /// whatever the size of the tenant. `None` when the contact is not here.
    pub async fn contact_rows(
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
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(contact.as_uuid()))
            .and_where(Expr::col(Contacts::ArchivedAt).is_null())
            .to_owned();
        let Some((customer_portal, supplier_portal, session_epoch)) = self
            .tx
            .conn
            .fetch_optional::<(bool, bool, i32)>(&select)
            .await?
        else {
            return Ok(None);
        };
        let links = if customer_portal || supplier_portal {
            self.tx
                .link_grants()
                .of_links(&[contact], &[], true)
                .await?
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
            self.tx.portal_roles().by_ids(&role_ids).await?
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

    /// The contacts of `account` (or only `only`, when it is one) who use
    /// `portal` — not archived, access on, a password chosen, an email —
    /// each with the policy rows of its link to `account` alone; at most
    /// `cap` of them, by id. Four queries, whatever the size of the account.
    pub async fn account_contacts(
        &mut self,
        account: AccountId,
        portal: Portal,
        only: Option<ContactId>,
        cap: u64,
    ) -> Result<Vec<AccountContact>, DataError> {
        let tenant = self.tx.tenant_id().as_uuid();
        let access = match portal {
            Portal::Customer => Contacts::CustomerPortal,
            Portal::Supplier => Contacts::SupplierPortal,
        };
        let mut select = Query::select()
            .columns([
                (Contacts::Table, Contacts::Id),
                (Contacts::Table, Contacts::DisplayName),
                (Contacts::Table, Contacts::Email),
                (Contacts::Table, Contacts::CustomerPortal),
                (Contacts::Table, Contacts::SupplierPortal),
                (Contacts::Table, Contacts::PortalSessionEpoch),
                (Contacts::Table, Contacts::PreferredLanguage),
            ])
            .expr_as(
                Expr::col((ContactLinks::Table, ContactLinks::Id)),
                sea_query::Alias::new("link_id"),
            )
            .from(Contacts::Table)
            .inner_join(
                ContactLinks::Table,
                Expr::col((ContactLinks::Table, ContactLinks::TenantId))
                    .equals((Contacts::Table, Contacts::TenantId))
                    .and(
                        Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                            .equals((Contacts::Table, Contacts::Id)),
                    ),
            )
            .and_where(Expr::col((Contacts::Table, Contacts::TenantId)).eq(tenant))
            .and_where(
                Expr::col((ContactLinks::Table, ContactLinks::AccountId)).eq(account.as_uuid()),
            )
            .and_where(Expr::col((Contacts::Table, access)).eq(true))
            .and_where(Expr::col((Contacts::Table, Contacts::ArchivedAt)).is_null())
            .and_where(Expr::col((Contacts::Table, Contacts::Email)).is_not_null())
            .and_where(
                Expr::col((Contacts::Table, Contacts::PortalStatus))
                    .eq(crate::PortalStatus::Active.as_str()),
            )
            .order_by((Contacts::Table, Contacts::Id), Order::Asc)
            .limit(cap)
            .to_owned();
        if let Some(contact) = only {
            select.and_where(Expr::col((Contacts::Table, Contacts::Id)).eq(contact.as_uuid()));
        }
        let people: Vec<AccountContactRow> = self.tx.conn.fetch_all(&select).await?;
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let link_ids: Vec<LinkId> = people.iter().map(|p| p.link_id.into()).collect();
        let mut links: BTreeMap<ContactId, LinkAccess> = self
            .tx
            .link_grants()
            .of_links(&[], &link_ids, true)
            .await?
            .into_iter()
            .map(|l| (l.contact_id, l))
            .collect();
        let role_ids: BTreeSet<Uuid> = links
            .values()
            .flat_map(|l| l.role_ids.iter().copied())
            .collect();
        let roles = if role_ids.is_empty() {
            Vec::new()
        } else {
            self.tx.portal_roles().by_ids(&role_ids).await?
        };
        let mut found = Vec::with_capacity(people.len());
        for person in people {
            let contact = ContactId::from(person.id);
            // An archived account has no link here: nothing to tell.
            let Some(link) = links.remove(&contact) else {
                continue;
            };
            let Some(email) = crate::areas::accounts::stored_email(person.email)? else {
                continue;
            };
            let held: Vec<PortalRole> = roles
                .iter()
                .filter(|r| link.role_ids.contains(&r.id))
                .cloned()
                .collect();
            found.push(AccountContact {
                rows: ContactPolicyRows {
                    contact,
                    session_epoch: person.portal_session_epoch,
                    customer_portal: person.customer_portal,
                    supplier_portal: person.supplier_portal,
                    links: vec![link],
                    roles: held,
                },
                display_name: person.display_name,
                email,
                preferred_language: person
                    .preferred_language
                    .as_deref()
                    .and_then(Locale::from_tag),
            });
        }
        Ok(found)
    }
}
