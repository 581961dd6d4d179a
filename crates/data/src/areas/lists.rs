//! The tenant-editable lists a contact picks from: titles (seeded with Sr., Sra.,
//! Srta., Lic., Ing., Dr., Dra.) and contact categories. Entries are added,
//! renamed, archived (no longer offered, still shown where used) and restored.

use chrono::Utc;
use portico_domain::fields::{Checker, limits};
use sea_query::{Alias, Expr, ExprTrait, Func, Iden, Order, Query};
use uuid::Uuid;

use crate::tables::{ContactCategories, ContactTitles, Entry};
use crate::{By, DataError, TenantTx, error::taken};

/// The titles every new company starts with.
pub const SEEDED_TITLES: [&str; 7] = ["Sr.", "Sra.", "Srta.", "Lic.", "Ing.", "Dr.", "Dra."];

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactList {
    Titles,
    Categories,
}

impl ContactList {
    fn table(self) -> sea_query::DynIden {
        match self {
            ContactList::Titles => sea_query::DynIden::from(ContactTitles::Table),
            ContactList::Categories => sea_query::DynIden::from(ContactCategories::Table),
        }
    }

    fn subject(self) -> &'static str {
        match self {
            ContactList::Titles => "contact_title",
            ContactList::Categories => "contact_category",
        }
    }

    /// The index that keeps names unique (in any case) within the list.
    fn name_index(self) -> &'static str {
        match self {
            ContactList::Titles => "contact_titles_name_key",
            ContactList::Categories => "contact_categories_name_key",
        }
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ListEntry {
    pub id: Uuid,
    pub name: String,
    /// No longer offered in forms; contacts that have it keep it.
    pub archived: bool,
}

/// The company's editable contact lists (titles, categories).
pub struct ListsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ListsArea<'_> {
    pub(crate) async fn entry_exists(
        &mut self,
        table: impl Iden + 'static,
        id: Uuid,
    ) -> Result<bool, DataError> {
        let select = Query::select()
            .column(Entry::Id)
            .from(table)
            .and_where(Expr::col(Entry::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(Entry::Id).eq(id))
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_optional::<(Uuid,)>(&select)
            .await?
            .is_some())
    }

    /// The select of this tenant's entries of a list, as [`ListEntry`] rows.
    fn entry_select(&self, list: ContactList) -> sea_query::SelectStatement {
        Query::select()
            .columns([Entry::Id, Entry::Name])
            .expr_as(
                Expr::col(Entry::ArchivedAt).is_not_null(),
                Alias::new("archived"),
            )
            .from(list.table())
            .and_where(Expr::col(Entry::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .to_owned()
    }

    /// A list's entries in their order, archived ones too (the lists are short:
    /// at most `limit`).
    pub async fn entries(
        &mut self,
        list: ContactList,
        limit: u64,
    ) -> Result<Vec<ListEntry>, DataError> {
        let select = self
            .entry_select(list)
            .order_by(Entry::Sort, Order::Asc)
            .order_by(Entry::Name, Order::Asc)
            .limit(limit)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }

    /// Appends an entry to a list; a name already there (in any case) is a field error.
    pub async fn add_entry(
        &mut self,
        list: ContactList,
        name: &str,
        by: By<'_>,
    ) -> Result<ListEntry, DataError> {
        let mut check = Checker::default();
        let name = check.required("name", name, limits::SHORT);
        check.errors.finish(()).map_err(DataError::Invalid)?;
        let name = name.as_str();
        let next: Option<(Option<i32>,)> = self
            .tx
            .conn
            .fetch_optional(
                &Query::select()
                    .expr(Func::max(Expr::col(Entry::Sort)))
                    .from(list.table())
                    .and_where(Expr::col(Entry::TenantId).eq(self.tx.tenant_id().as_uuid()))
                    .to_owned(),
            )
            .await?;
        let sort = next.and_then(|(s,)| s).unwrap_or(0) + 1;
        let id = Uuid::now_v7();
        let insert = Query::insert()
            .into_table(list.table())
            .columns([Entry::TenantId, Entry::Id, Entry::Name, Entry::Sort])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.into(),
                name.into(),
                sort.into(),
            ])
            .to_owned();
        self.tx
            .conn
            .execute(&insert)
            .await
            .map_err(|e| taken(e, &[list.name_index()], "name", "field-name-taken"))?;
        self.tx
            .audit()
            .log(
                by,
                &format!("{}.create", list.subject()),
                (list.subject(), id),
                None,
                serde_json::json!({ "after": { "name": name } }),
            )
            .await?;
        Ok(ListEntry {
            id,
            name: name.to_owned(),
            archived: false,
        })
    }

    /// One entry of a list; `None` when it is not in this tenant's list.
    async fn find_entry(
        &mut self,
        list: ContactList,
        id: Uuid,
    ) -> Result<Option<ListEntry>, DataError> {
        let select = self
            .entry_select(list)
            .and_where(Expr::col(Entry::Id).eq(id))
            .to_owned();
        self.tx.conn.fetch_optional(&select).await
    }

    /// Renames an entry (every contact that has it shows the new name); a name
    /// already in the list (in any case) is a field error. `None` when the
    /// entry is not in this tenant's list.
    pub async fn rename_entry(
        &mut self,
        list: ContactList,
        id: Uuid,
        name: &str,
        by: By<'_>,
    ) -> Result<Option<ListEntry>, DataError> {
        let mut check = Checker::default();
        let name = check.required("name", name, limits::SHORT);
        check.errors.finish(()).map_err(DataError::Invalid)?;
        let Some(before) = self.find_entry(list, id).await? else {
            return Ok(None);
        };
        if before.name != name {
            let update = Query::update()
                .table(list.table())
                .value(Entry::Name, name.as_str())
                .and_where(Expr::col(Entry::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Entry::Id).eq(id))
                .to_owned();
            self.tx
                .conn
                .execute(&update)
                .await
                .map_err(|e| taken(e, &[list.name_index()], "name", "field-name-taken"))?;
            self.tx
                .audit()
                .log(
                    by,
                    &format!("{}.update", list.subject()),
                    (list.subject(), id),
                    None,
                    serde_json::json!({ "name": { "before": before.name, "after": name } }),
                )
                .await?;
        }
        self.find_entry(list, id).await
    }

    /// Archives (no longer offered in forms) or restores an entry. `None` when
    /// the entry is not in this tenant's list.
    pub async fn set_entry_archived(
        &mut self,
        list: ContactList,
        id: Uuid,
        archived: bool,
        by: By<'_>,
    ) -> Result<Option<ListEntry>, DataError> {
        let Some(before) = self.find_entry(list, id).await? else {
            return Ok(None);
        };
        if before.archived != archived {
            let update = Query::update()
                .table(list.table())
                .value(Entry::ArchivedAt, archived.then(Utc::now))
                .and_where(Expr::col(Entry::TenantId).eq(self.tx.tenant_id().as_uuid()))
                .and_where(Expr::col(Entry::Id).eq(id))
                .to_owned();
            self.tx.conn.execute(&update).await?;
            let verb = if archived { "archive" } else { "restore" };
            self.tx
                .audit()
                .log(
                    by,
                    &format!("{}.{verb}", list.subject()),
                    (list.subject(), id),
                    None,
                    serde_json::json!({ "name": before.name,
                    "archived": { "before": before.archived, "after": archived } }),
                )
                .await?;
        }
        self.find_entry(list, id).await
    }

    /// Gives a new company its seeded titles.
    pub(crate) async fn seed_titles(&mut self) -> Result<(), DataError> {
        let mut insert = Query::insert()
            .into_table(ContactTitles::Table)
            .columns([Entry::TenantId, Entry::Id, Entry::Name, Entry::Sort])
            .to_owned();
        for (sort, name) in (1..).zip(SEEDED_TITLES) {
            insert.values_panic([
                self.tx.tenant_id().as_uuid().into(),
                Uuid::now_v7().into(),
                name.into(),
                sort.into(),
            ]);
        }
        self.tx.conn.execute(&insert).await.map(drop)
    }
}
