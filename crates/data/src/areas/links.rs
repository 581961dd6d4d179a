//! A contact's links to customers and suppliers: its position there and whether
//! it is the account's primary contact (at most one per account).

use chrono::Utc;
use portico_domain::{AccountKind, FieldErrors, LinkFields};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::json;
use uuid::Uuid;

use crate::tables::{Accounts, ContactLinks};
use crate::{AccountId, By, ContactId, DataError, LinkId, TenantTx, error::taken};

/// A contact's link to an account, with what a list shows of the account.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContactLink {
    pub id: LinkId,
    pub contact_id: ContactId,
    pub account_id: AccountId,
    pub account_kind: AccountKind,
    pub account_code: String,
    pub account_name: String,
    pub fields: LinkFields,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: Uuid,
    contact_id: Uuid,
    account_id: Uuid,
    account_kind: String,
    code: String,
    name: String,
    position: Option<String>,
    is_primary: bool,
}

impl TryFrom<LinkRow> for ContactLink {
    type Error = DataError;

    fn try_from(r: LinkRow) -> Result<Self, DataError> {
        Ok(ContactLink {
            id: r.id.into(),
            contact_id: r.contact_id.into(),
            account_id: r.account_id.into(),
            account_kind: r.account_kind.parse().map_err(DataError::Corrupt)?,
            account_code: r.code,
            account_name: r.name,
            fields: LinkFields {
                position: r.position,
                is_primary: r.is_primary,
            },
        })
    }
}

/// The join condition of a link to its account (same tenant, same account).
pub(crate) fn link_account() -> sea_query::Condition {
    sea_query::Cond::all()
        .add(
            Expr::col((Accounts::Table, Accounts::TenantId))
                .equals((ContactLinks::Table, ContactLinks::TenantId)),
        )
        .add(
            Expr::col((Accounts::Table, Accounts::Id))
                .equals((ContactLinks::Table, ContactLinks::AccountId)),
        )
}

/// A link to insert (see [`LinksArea::insert`]).
pub(crate) struct NewLink<'a> {
    pub id: LinkId,
    pub contact: ContactId,
    pub account: AccountId,
    pub kind: AccountKind,
    pub fields: &'a LinkFields,
}

/// Links between contacts and accounts.
pub struct LinksArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl LinksArea<'_> {
    /// Inserts links in one statement, without audit events or checks (callers
    /// do both). Linking a pair twice is a field error.
    pub(crate) async fn insert(&mut self, links: &[NewLink<'_>]) -> Result<(), DataError> {
        let now = Utc::now();
        let mut insert = Query::insert()
            .into_table(ContactLinks::Table)
            .columns([
                ContactLinks::TenantId,
                ContactLinks::Id,
                ContactLinks::ContactId,
                ContactLinks::AccountId,
                ContactLinks::AccountKind,
                ContactLinks::Position,
                ContactLinks::IsPrimary,
                ContactLinks::CreatedAt,
            ])
            .to_owned();
        for link in links {
            insert.values_panic([
                self.tx.tenant_id().as_uuid().into(),
                link.id.as_uuid().into(),
                link.contact.as_uuid().into(),
                link.account.as_uuid().into(),
                link.kind.as_str().into(),
                link.fields.position.clone().into(),
                link.fields.is_primary.into(),
                now.into(),
            ]);
        }
        self.tx.conn.execute(&insert).await.map_err(|e| {
            let markers = [
                "contact_links_pair_key",
                "contact_links.contact_id, contact_links.account_id",
            ];
            taken(e, &markers, "account_id", "link-exists")
        })?;
        // A new link is a new account its contact may act for.
        self.tx.policy().bump_version().await.map(drop)
    }

    /// Clears the account's primary contact, so that another can become it.
    async fn clear_primary(&mut self, account: AccountId) -> Result<(), DataError> {
        let update = Query::update()
            .table(ContactLinks::Table)
            .value(ContactLinks::IsPrimary, false)
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactLinks::AccountId).eq(account.as_uuid()))
            .and_where(Expr::col(ContactLinks::IsPrimary).eq(true))
            .to_owned();
        self.tx.conn.execute(&update).await.map(drop)
    }

    /// Links a contact to a customer or supplier; `None` when either is not in
    /// this tenant. Linking twice is a field error. A primary link takes the
    /// place of the account's previous primary contact.
    pub async fn create(
        &mut self,
        contact: ContactId,
        account: AccountId,
        fields: &LinkFields,
        by: By<'_>,
    ) -> Result<Option<ContactLink>, DataError> {
        let Some(target) = self.tx.accounts().find(account).await? else {
            return Ok(None);
        };
        let Some(person) = self.tx.contacts().find(contact).await? else {
            return Ok(None);
        };
        if !target.active || person.archived_at.is_some() {
            let mut errors = FieldErrors::default();
            errors.add("account_id", "link-archived");
            return Err(DataError::Invalid(errors));
        }
        if fields.is_primary {
            self.clear_primary(account).await?;
        }
        let id = LinkId::generate();
        self.insert(&[NewLink {
            id,
            contact,
            account,
            kind: target.kind,
            fields,
        }])
        .await?;
        self.tx.audit().log(
            by,
            "contact.link",
            ("contact", contact.as_uuid()),
            Some(account.as_uuid()),
            json!({ "account": { "id": account, "kind": target.kind, "name": target.fields.name },
                    "after": fields }),
        )
        .await?;
        self.find(id).await
    }

    /// One link of this tenant.
    pub async fn find(&mut self, id: LinkId) -> Result<Option<ContactLink>, DataError> {
        let mut select = self.link_select();
        select.and_where(Expr::col((ContactLinks::Table, ContactLinks::Id)).eq(id.as_uuid()));
        self.tx
            .conn
            .fetch_optional::<LinkRow>(&select)
            .await?
            .map(ContactLink::try_from)
            .transpose()
    }

    fn link_select(&self) -> sea_query::SelectStatement {
        let tenant = self.tx.tenant_id().as_uuid();
        Query::select()
            .columns([
                (ContactLinks::Table, ContactLinks::Id),
                (ContactLinks::Table, ContactLinks::ContactId),
                (ContactLinks::Table, ContactLinks::AccountId),
                (ContactLinks::Table, ContactLinks::AccountKind),
                (ContactLinks::Table, ContactLinks::Position),
                (ContactLinks::Table, ContactLinks::IsPrimary),
            ])
            .columns([
                (Accounts::Table, Accounts::Code),
                (Accounts::Table, Accounts::Name),
            ])
            .from(ContactLinks::Table)
            .inner_join(Accounts::Table, link_account())
            .and_where(Expr::col((ContactLinks::Table, ContactLinks::TenantId)).eq(tenant))
            .to_owned()
    }

    /// The links of the given contacts, in one query: by account name.
    pub async fn of_contacts(
        &mut self,
        contacts: &[ContactId],
    ) -> Result<Vec<ContactLink>, DataError> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = self.link_select();
        select
            .and_where(
                Expr::col((ContactLinks::Table, ContactLinks::ContactId))
                    .is_in(contacts.iter().map(|c| c.as_uuid())),
            )
            .order_by((Accounts::Table, Accounts::Name), Order::Asc);
        self.tx
            .conn
            .fetch_all::<LinkRow>(&select)
            .await?
            .into_iter()
            .map(ContactLink::try_from)
            .collect()
    }

    /// Changes a link's position and primary flag; `None` when it is not in this tenant.
    pub async fn update(
        &mut self,
        id: LinkId,
        fields: &LinkFields,
        by: By<'_>,
    ) -> Result<Option<ContactLink>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        if fields.is_primary && !before.fields.is_primary {
            self.clear_primary(before.account_id).await?;
        }
        let update = Query::update()
            .table(ContactLinks::Table)
            .values([
                (ContactLinks::Position, fields.position.clone().into()),
                (ContactLinks::IsPrimary, fields.is_primary.into()),
            ])
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactLinks::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await.map_err(primary_taken)?;
        if &before.fields != fields {
            self.tx
                .audit()
                .log(
                    by,
                    "contact.link_update",
                    ("contact", before.contact_id.as_uuid()),
                    Some(before.account_id.as_uuid()),
                    json!({ "account": { "id": before.account_id, "name": before.account_name },
                        "before": before.fields, "after": fields }),
                )
                .await?;
        }
        self.find(id).await
    }

    /// Removes a link; `false` when it is not in this tenant.
    pub async fn remove(&mut self, id: LinkId, by: By<'_>) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        let delete = Query::delete()
            .from_table(ContactLinks::Table)
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactLinks::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.tx.policy().bump_version().await?;
        self.tx
            .audit()
            .log(
                by,
                "contact.unlink",
                ("contact", before.contact_id.as_uuid()),
                Some(before.account_id.as_uuid()),
                json!({ "account": { "id": before.account_id, "name": before.account_name },
                    "before": before.fields }),
            )
            .await?;
        Ok(true)
    }
}

/// Two requests making different contacts primary at once: the second gets a
/// field error instead of a server error.
fn primary_taken(error: DataError) -> DataError {
    let markers = [
        "contact_links_primary_key",
        "contact_links.tenant_id, contact_links.account_id",
    ];
    taken(error, &markers, "is_primary", "link-primary-conflict")
}
