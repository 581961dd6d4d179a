//! Display names of records referred to by id in the audit log: staff users
//! (owners), contact titles, categories and branches in its changes; the
//! contacts, customers and suppliers its events are about.

use std::collections::HashMap;

use sea_query::{Expr, ExprTrait, Query};
use uuid::Uuid;

use crate::areas::audit::Actor;
use crate::tables::{Named, Records};
use crate::{DataError, TenantTx};

/// Display names of records, for history and audit pages.
pub struct NamesArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl NamesArea<'_> {
    /// The names of whichever of `ids` are this tenant's staff users, titles,
    /// categories or branches (four indexed lookups, whatever the tenant's size).
    pub async fn display(&mut self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, DataError> {
        let mut names = HashMap::new();
        if ids.is_empty() {
            return Ok(names);
        }
        for table in [
            Named::StaffUsers,
            Named::ContactTitles,
            Named::ContactCategories,
            Named::Branches,
        ] {
            for chunk in ids.chunks(500) {
                let select = Query::select()
                    .columns([Named::Id, Named::Name])
                    .from(table)
                    .and_where(Expr::col(Named::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .and_where(Expr::col(Named::Id).is_in(chunk.iter().copied()))
                    .to_owned();
                let rows: Vec<(Uuid, String)> = self.tx.conn.fetch_all(&select).await?;
                names.extend(rows);
            }
        }
        Ok(names)
    }

    /// The names of whichever of `ids` are this tenant's contacts or accounts
    /// (customers and suppliers): what audit events are about.
    pub async fn of_records(&mut self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>, DataError> {
        let mut names = HashMap::new();
        for (table, column) in [
            (Records::Contacts, Records::DisplayName),
            (Records::Accounts, Records::Name),
        ] {
            for chunk in ids.chunks(500) {
                let select = Query::select()
                    .columns([Records::Id, column])
                    .from(table)
                    .and_where(Expr::col(Named::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .and_where(Expr::col(Named::Id).is_in(chunk.iter().copied()))
                    .to_owned();
                let rows: Vec<(Uuid, String)> = self.tx.conn.fetch_all(&select).await?;
                names.extend(rows);
            }
        }
        Ok(names)
    }

    /// The name an actor goes by in a record's history: a contact's or staff
    /// user's name as it is now, "API" for a key, "Portico" for itself.
    pub(crate) async fn actor(&mut self, actor: Actor) -> Result<String, DataError> {
        Ok(match actor {
            Actor::Contact(id) => self
                .of_records(&[id.as_uuid()])
                .await?
                .remove(&id.as_uuid())
                .unwrap_or_default(),
            Actor::Staff(id) => self
                .display(&[id.as_uuid()])
                .await?
                .remove(&id.as_uuid())
                .unwrap_or_default(),
            Actor::ApiKey(_) => "API".to_owned(),
            Actor::Operator(_) | Actor::System => "Portico".to_owned(),
        })
    }
}
