//! Contacts: the people at customers and suppliers. One person is one contact per
//! tenant (main email unique, case-insensitively); links tie it to accounts.
//! Every write records its audit event in the same transaction.
//! The record is in `model`, the list and search in `list`.

mod list;
mod model;

pub use list::{ContactFilter, ContactSort, PortalFilter};
pub use model::{AddedContact, Contact, PortalAccess, PortalStatus};
pub(crate) use model::{ContactRow, FIELD_COLUMNS, contact_select, values};

use chrono::Utc;
use portico_domain::{ContactFields, FieldErrors, LinkFields};
use sea_query::{Expr, ExprTrait, Func, Query};
use serde_json::json;
use uuid::Uuid;

use crate::tables::{ContactCategories, ContactLinks, ContactTitles, Contacts};
use crate::{AccountId, By, ContactId, DataError, TenantTx, areas::audit::diff, error::taken};

/// Contacts of the transaction's tenant.
pub struct ContactsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ContactsArea<'_> {
    /// Fails with field errors when a chosen title, category or owner is not
    /// one of this tenant's.
    async fn check_references(&mut self, fields: &ContactFields) -> Result<(), DataError> {
        let mut errors = FieldErrors::default();
        if let Some(id) = fields.title_id
            && !self
                .tx
                .lists()
                .entry_exists(ContactTitles::Table, id)
                .await?
        {
            errors.add("title_id", "field-choice-invalid");
        }
        if let Some(id) = fields.category_id
            && !self
                .tx
                .lists()
                .entry_exists(ContactCategories::Table, id)
                .await?
        {
            errors.add("category_id", "field-choice-invalid");
        }
        if !errors.is_empty() {
            return Err(DataError::Invalid(errors));
        }
        self.tx.accounts().check_owner(fields.owner_id).await
    }

    /// Fails when the company already keeps as many contacts as its plan allows
    /// (`tenants.max_contacts`; archived contacts count too).
    async fn check_contact_limit(&mut self) -> Result<(), DataError> {
        let Some(max) = self.tx.settings().max_contacts().await? else {
            return Ok(());
        };
        let count: Option<(i64,)> = self
            .tx
            .conn
            .fetch_optional(
                &Query::select()
                    .expr(Func::count(Expr::col(Contacts::Id)))
                    .from(Contacts::Table)
                    .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .to_owned(),
            )
            .await?;
        if count.map_or(0, |(c,)| c) >= i64::from(max) {
            let mut errors = FieldErrors::default();
            errors.add("first_name", "contact-limit-reached");
            return Err(DataError::Invalid(errors));
        }
        Ok(())
    }

    /// A contact of this tenant, archived or not.
    pub async fn find(&mut self, id: ContactId) -> Result<Option<Contact>, DataError> {
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(Expr::col((Contacts::Table, Contacts::Id)).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ContactRow>(&select)
            .await?
            .map(Contact::try_from)
            .transpose()
    }

    /// The contact whose main email is `email` (case-insensitively), if any.
    pub async fn find_by_email(
        &mut self,
        email: &portico_domain::Email,
    ) -> Result<Option<Contact>, DataError> {
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(
                Expr::expr(Func::lower(Expr::col((Contacts::Table, Contacts::Email))))
                    .eq(email.as_str()),
            )
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ContactRow>(&select)
            .await?
            .map(Contact::try_from)
            .transpose()
    }

    /// Adds a contact. A main email that another contact has is a field error
    /// (callers offer to link that person instead, see `ContactsArea::find_by_email`).
    pub async fn create(
        &mut self,
        fields: &ContactFields,
        by: By<'_>,
    ) -> Result<Contact, DataError> {
        self.check_references(fields).await?;
        self.check_contact_limit().await?;
        let id = ContactId::generate();
        self.insert(&[(id, fields)]).await?;
        self.tx
            .audit()
            .log(
                by,
                "contact.create",
                ("contact", id.as_uuid()),
                None,
                json!({ "after": fields }),
            )
            .await?;
        self.find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("contact vanished after insert".into()))
    }

    /// Inserts contacts in one statement, without audit events or reference
    /// checks (callers do both). A taken main email is a field error.
    pub(crate) async fn insert(
        &mut self,
        rows: &[(ContactId, &ContactFields)],
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let mut columns = vec![Contacts::TenantId, Contacts::Id];
        columns.extend(FIELD_COLUMNS);
        columns.extend([Contacts::CreatedAt, Contacts::UpdatedAt]);
        let mut insert = Query::insert()
            .into_table(Contacts::Table)
            .columns(columns)
            .to_owned();
        for (id, fields) in rows {
            let mut row = vec![self.tx.tenant_id().as_uuid().into(), id.as_uuid().into()];
            row.extend(values(fields));
            row.extend([now.into(), now.into()]);
            insert.values_panic(row.into_iter().map(Into::into));
        }
        self.tx
            .conn
            .execute(&insert)
            .await
            .map(drop)
            .map_err(|e| taken(e, &["contacts_email_key"], "email", "field-email-taken"))
    }

    /// Adds a contact and, when given, links it to an account: the command behind
    /// every "Add contact". A main email that is taken yields the existing contact.
    pub async fn add(
        &mut self,
        fields: &ContactFields,
        link: Option<(AccountId, &LinkFields)>,
        by: By<'_>,
    ) -> Result<AddedContact, DataError> {
        if let Some(email) = &fields.email
            && let Some(existing) = self.find_by_email(email).await?
        {
            return Ok(AddedContact::Existing(existing));
        }
        let contact = self.create(fields, by).await?;
        if let Some((account, link)) = link {
            self.tx
                .links()
                .create(contact.id, account, link, by)
                .await?
                .ok_or_else(|| DataError::Corrupt("the account vanished while linking".into()))?;
        }
        Ok(AddedContact::Created(contact))
    }

    /// Changes a contact's fields; `None` when it is not in this tenant.
    pub async fn update(
        &mut self,
        id: ContactId,
        fields: &ContactFields,
        by: By<'_>,
    ) -> Result<Option<Contact>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        self.check_references(fields).await?;
        let mut assignments: Vec<(Contacts, sea_query::SimpleExpr)> = FIELD_COLUMNS
            .into_iter()
            .zip(values(fields))
            .map(|(c, v)| (c, Expr::val(v)))
            .collect();
        assignments.push((Contacts::UpdatedAt, Expr::val(Utc::now())));
        let update = Query::update()
            .table(Contacts::Table)
            .values(assignments)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx
            .conn
            .execute(&update)
            .await
            .map_err(|e| taken(e, &["contacts_email_key"], "email", "field-email-taken"))?;
        if before.fields.email != fields.email {
            // Links and sessions were for the old mailbox: none survives it.
            self.tx.portal_credentials().void(id).await?;
        }
        let changes = diff(&json!(before.fields), &json!(fields));
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            self.tx
                .audit()
                .log(
                    by,
                    "contact.update",
                    ("contact", id.as_uuid()),
                    None,
                    changes,
                )
                .await?;
        }
        self.find(id).await
    }

    /// Sets (`Some`) or removes (`None`) a contact's photo and returns the previous
    /// one, so the caller can remove its files once this commits. The change is
    /// recorded in the contact's history. Callers load the contact first; an id
    /// that is not this tenant's is an error and writes nothing.
    pub async fn set_photo(
        &mut self,
        id: ContactId,
        photo: Option<Uuid>,
        by: By<'_>,
    ) -> Result<Option<Uuid>, DataError> {
        // Lock the row first (a no-op write waits for a concurrent change to
        // commit), so the previous photo read next is the one being replaced.
        let lock = Query::update()
            .table(Contacts::Table)
            .value(Contacts::PhotoId, Expr::col(Contacts::PhotoId))
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        if self.tx.conn.execute(&lock).await? == 0 {
            return Err(DataError::Corrupt("no such contact for its photo".into()));
        }
        let previous = self
            .find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("no such contact for its photo".into()))?
            .photo_id;
        if previous == photo {
            return Ok(previous);
        }
        let update = Query::update()
            .table(Contacts::Table)
            .values([
                (Contacts::PhotoId, photo.into()),
                (Contacts::UpdatedAt, Utc::now().into()),
            ])
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        let action = if photo.is_some() {
            "contact.photo_change"
        } else {
            "contact.photo_remove"
        };
        // Not a before/after pair: the ids mean nothing to people, so the history
        // shows the action alone, and the API's history keeps the ids.
        self.tx
            .audit()
            .log(
                by,
                action,
                ("contact", id.as_uuid()),
                None,
                json!({ "photo": { "previous": previous, "current": photo } }),
            )
            .await?;
        Ok(previous)
    }

    /// Archives or restores a contact; `None` when it is not in this tenant.
    pub async fn set_archived(
        &mut self,
        id: ContactId,
        archived: bool,
        by: By<'_>,
    ) -> Result<Option<Contact>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        if before.archived_at.is_some() != archived {
            let now = Utc::now();
            let update = Query::update()
                .table(Contacts::Table)
                .values([
                    (Contacts::ArchivedAt, archived.then_some(now).into()),
                    (Contacts::UpdatedAt, now.into()),
                ])
                .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
                .to_owned();
            self.tx.conn.execute(&update).await?;
            // An archived contact has no portal access: its sessions end (for
            // good: restoring it does not revive them).
            if archived {
                self.tx.portal_credentials().next_session_epoch(id).await?;
            } else {
                self.tx.policy().bump_version().await?;
            }
            let verb = if archived { "archive" } else { "restore" };
            self.tx
                .audit()
                .log(
                    by,
                    &format!("contact.{verb}"),
                    ("contact", id.as_uuid()),
                    None,
                    json!({ "archived": { "before": !archived, "after": archived } }),
                )
                .await?;
        }
        self.find(id).await
    }

    /// Deletes a contact and its links for good, recording what it was (fields and
    /// links) in the audit log; the quotes and orders it created or decided
    /// stop referring to it. `false` when it is not in this tenant.
    pub async fn delete(&mut self, id: ContactId, by: By<'_>) -> Result<bool, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(false);
        };
        let links = self.tx.links().of_contacts(&[id]).await?;
        let delete_links = Query::delete()
            .from_table(ContactLinks::Table)
            .and_where(Expr::col(ContactLinks::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactLinks::ContactId).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&delete_links).await?;
        // Its quotes and orders stay, without naming it (their chains keep
        // its name as it was).
        self.tx.orders().forget_contact(id).await?;
        self.tx.purchase_orders().forget_contact(id).await?;
        self.tx.supplier_invoices().forget_contact(id).await?;
        let delete = Query::delete()
            .from_table(Contacts::Table)
            .and_where(Expr::col(Contacts::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Contacts::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.tx.policy().bump_version().await?;
        let accounts: Vec<_> = links
            .iter()
            .map(|l| json!({ "id": l.account_id, "name": l.account_name, "link": l.fields }))
            .collect();
        self.tx
            .audit()
            .log(
                by,
                "contact.delete",
                ("contact", id.as_uuid()),
                None,
                json!({ "before": before.fields, "links": accounts }),
            )
            .await?;
        Ok(true)
    }
}
