//! Contact imports: the import record with its state and counts, its per-line
//! results, the batch lookups a run plans with, and the bulk writes of a real
//! run (contacts, links and their audit events in multi-row inserts).

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};
use portico_domain::{AccountKind, ContactFields, LinkFields};
use sea_query::{Expr, ExprTrait, Func, Order, Query};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use crate::tables::{Accounts, ContactImportRows, ContactImports, Contacts};
use crate::{
    Account, AccountId, AuditEventId, By, Contact, ContactId, DataError, LinkId, NewAuditEvent,
    StaffUserId, TenantTx,
    areas::accounts::AccountRow,
    areas::contacts::{ContactRow, contact_select},
    areas::links::NewLink,
};

/// Rows per multi-row statement: well under both backends' bound-parameter limits.
pub const WRITE_BATCH: usize = 500;

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// The dry run is reading the file.
    Checking,
    /// The dry run is done: the results say what the real run would do.
    Checked,
    /// The real run is writing.
    Importing,
    /// The real run committed.
    Imported,
    /// Either run could not finish; nothing was written.
    Failed,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Checking => "checking",
            ImportState::Checked => "checked",
            ImportState::Importing => "importing",
            ImportState::Imported => "imported",
            ImportState::Failed => "failed",
        }
    }

    /// Whether a run is working on it.
    pub fn running(self) -> bool {
        matches!(self, ImportState::Checking | ImportState::Importing)
    }
}

impl FromStr for ImportState {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "checking" => ImportState::Checking,
            "checked" => ImportState::Checked,
            "importing" => ImportState::Importing,
            "imported" => ImportState::Imported,
            "failed" => ImportState::Failed,
            other => return Err(format!("unknown import state {other:?}")),
        })
    }
}

/// What a line of the file does (or would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new contact (maybe with links).
    Create,
    /// An existing contact's fields change (maybe with new links).
    Update,
    /// Only new links for an existing contact.
    Link,
    /// Nothing to do: the contact already is as the line says.
    Unchanged,
    /// The line cannot be imported; its detail says why.
    Error,
}

impl RowAction {
    pub const ALL: [RowAction; 5] = [
        RowAction::Create,
        RowAction::Update,
        RowAction::Link,
        RowAction::Unchanged,
        RowAction::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Create => "create",
            RowAction::Update => "update",
            RowAction::Link => "link",
            RowAction::Unchanged => "unchanged",
            RowAction::Error => "error",
        }
    }
}

impl fmt::Display for RowAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RowAction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        RowAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown import action {s:?}"))
    }
}

/// How many lines do what.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub total: i32,
    pub creates: i32,
    pub updates: i32,
    pub links: i32,
    pub unchanged: i32,
    pub errors: i32,
}

impl ImportCounts {
    pub fn add(&mut self, action: RowAction) {
        self.total += 1;
        *match action {
            RowAction::Create => &mut self.creates,
            RowAction::Update => &mut self.updates,
            RowAction::Link => &mut self.links,
            RowAction::Unchanged => &mut self.unchanged,
            RowAction::Error => &mut self.errors,
        } += 1;
    }

    /// Lines the real run would write.
    pub fn writes(&self) -> i32 {
        self.creates + self.updates + self.links
    }
}

/// An import of a contact file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContactImport {
    pub id: Uuid,
    pub file_name: String,
    pub created_by: StaffUserId,
    pub created_at: DateTime<Utc>,
    pub state: ImportState,
    pub updated_at: DateTime<Utc>,
    pub counts: ImportCounts,
    /// Why the whole file failed (a message id), when it did.
    pub failure: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ImportRecord {
    id: Uuid,
    file_name: String,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    state: String,
    updated_at: DateTime<Utc>,
    total_rows: i32,
    creates: i32,
    updates: i32,
    links: i32,
    unchanged: i32,
    errors: i32,
    failure: Option<String>,
}

impl TryFrom<ImportRecord> for ContactImport {
    type Error = DataError;

    fn try_from(r: ImportRecord) -> Result<Self, DataError> {
        Ok(ContactImport {
            id: r.id,
            file_name: r.file_name,
            created_by: r.created_by.into(),
            created_at: r.created_at,
            state: r.state.parse().map_err(DataError::Corrupt)?,
            updated_at: r.updated_at,
            counts: ImportCounts {
                total: r.total_rows,
                creates: r.creates,
                updates: r.updates,
                links: r.links,
                unchanged: r.unchanged,
                errors: r.errors,
            },
            failure: r.failure,
        })
    }
}

/// The result of one line of the file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportRow {
    /// The line number in the file (the heading is line 1).
    pub line: i32,
    pub action: RowAction,
    pub contact_id: Option<ContactId>,
    /// The person's name as the line gives it (or as stored).
    pub name: String,
    pub email: Option<String>,
    /// `{"fields": [changed field keys], "links": [account codes], "errors":
    /// [{"field", "message"}]}` (each part only when it has something).
    pub detail: Json,
}

#[derive(sqlx::FromRow)]
struct RowRecord {
    line: i32,
    action: String,
    contact_id: Option<Uuid>,
    name: String,
    email: Option<String>,
    #[sqlx(json)]
    detail: Json,
}

impl TryFrom<RowRecord> for ImportRow {
    type Error = DataError;

    fn try_from(r: RowRecord) -> Result<Self, DataError> {
        Ok(ImportRow {
            line: r.line,
            action: r.action.parse().map_err(DataError::Corrupt)?,
            contact_id: r.contact_id.map(Into::into),
            name: r.name,
            email: r.email,
            detail: r.detail,
        })
    }
}

/// A contact a real run creates.
#[derive(Debug, Clone)]
pub struct ImportedContact {
    pub id: ContactId,
    pub fields: ContactFields,
}

/// A link a real run adds.
#[derive(Debug, Clone)]
pub struct ImportedLink {
    pub contact: ContactId,
    pub account: AccountId,
    pub kind: AccountKind,
    pub account_name: String,
}

/// Contact imports: their state, their staged rows and their bulk writes.
pub struct ImportsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ImportsArea<'_> {
    /// Starts an import of `file_name` (its dry run is about to read it).
    pub async fn create(
        &mut self,
        file_name: &str,
        by: StaffUserId,
    ) -> Result<ContactImport, DataError> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(ContactImports::Table)
            .columns([
                ContactImports::TenantId,
                ContactImports::Id,
                ContactImports::FileName,
                ContactImports::CreatedBy,
                ContactImports::CreatedAt,
                ContactImports::State,
                ContactImports::UpdatedAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.into(),
                file_name.into(),
                by.as_uuid().into(),
                now.into(),
                ImportState::Checking.as_str().into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.find(id)
            .await?
            .ok_or_else(|| DataError::Corrupt("import vanished after insert".into()))
    }

    fn import_select(&self) -> sea_query::SelectStatement {
        Query::select()
            .columns([
                ContactImports::Id,
                ContactImports::FileName,
                ContactImports::CreatedBy,
                ContactImports::CreatedAt,
                ContactImports::State,
                ContactImports::UpdatedAt,
                ContactImports::TotalRows,
                ContactImports::Creates,
                ContactImports::Updates,
                ContactImports::Links,
                ContactImports::Unchanged,
                ContactImports::Errors,
                ContactImports::Failure,
            ])
            .from(ContactImports::Table)
            .and_where(Expr::col(ContactImports::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .to_owned()
    }

    /// One import of this tenant.
    pub async fn find(&mut self, id: Uuid) -> Result<Option<ContactImport>, DataError> {
        let select = self
            .import_select()
            .and_where(Expr::col(ContactImports::Id).eq(id))
            .to_owned();
        self.tx
            .conn
            .fetch_optional::<ImportRecord>(&select)
            .await?
            .map(ContactImport::try_from)
            .transpose()
    }

    /// This tenant's most recent imports, newest first.
    pub async fn list(&mut self, limit: u64) -> Result<Vec<ContactImport>, DataError> {
        let select = self
            .import_select()
            .order_by(ContactImports::CreatedAt, Order::Desc)
            .order_by(ContactImports::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        self.tx
            .conn
            .fetch_all::<ImportRecord>(&select)
            .await?
            .into_iter()
            .map(ContactImport::try_from)
            .collect()
    }

    /// Moves an import from state `from` to `to` (with its counts and failure);
    /// `false` when it was not in `from`, so two runs can never both start.
    pub async fn set_state(
        &mut self,
        id: Uuid,
        from: ImportState,
        to: ImportState,
        counts: ImportCounts,
        failure: Option<&str>,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(ContactImports::Table)
            .values([
                (ContactImports::State, to.as_str().into()),
                (ContactImports::UpdatedAt, Utc::now().into()),
                (ContactImports::TotalRows, counts.total.into()),
                (ContactImports::Creates, counts.creates.into()),
                (ContactImports::Updates, counts.updates.into()),
                (ContactImports::Links, counts.links.into()),
                (ContactImports::Unchanged, counts.unchanged.into()),
                (ContactImports::Errors, counts.errors.into()),
                (ContactImports::Failure, failure.map(str::to_owned).into()),
            ])
            .and_where(Expr::col(ContactImports::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactImports::Id).eq(id))
            .and_where(Expr::col(ContactImports::State).eq(from.as_str()))
            .to_owned();
        Ok(self.tx.conn.execute(&update).await? == 1)
    }

    /// Keeps a running import alive: its `updated_at` is the heartbeat that
    /// [`ImportsArea::interrupt_stale`] reads.
    pub async fn touch(&mut self, id: Uuid) -> Result<(), DataError> {
        let update = Query::update()
            .table(ContactImports::Table)
            .value(ContactImports::UpdatedAt, Utc::now())
            .and_where(Expr::col(ContactImports::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactImports::Id).eq(id))
            .and_where(Expr::col(ContactImports::State).is_in([
                ImportState::Checking.as_str(),
                ImportState::Importing.as_str(),
            ]))
            .to_owned();
        self.tx.conn.execute(&update).await?;
        Ok(())
    }

    /// Marks as failed with `failure` every running import whose heartbeat
    /// is older than `before`, except those in `alive` (run by this process);
    /// returns their ids. Nothing was written by an interrupted real run: it
    /// writes in one transaction.
    pub async fn interrupt_stale(
        &mut self,
        before: DateTime<Utc>,
        alive: &[Uuid],
        failure: &str,
    ) -> Result<Vec<Uuid>, DataError> {
        let select = self
            .import_select()
            .and_where(Expr::col(ContactImports::State).is_in([
                ImportState::Checking.as_str(),
                ImportState::Importing.as_str(),
            ]))
            .to_owned();
        let running: Vec<ContactImport> = self
            .tx
            .conn
            .fetch_all::<ImportRecord>(&select)
            .await?
            .into_iter()
            .map(ContactImport::try_from)
            .collect::<Result<_, _>>()?;
        let mut interrupted = Vec::new();
        // Compared here rather than in SQL: SQLite keeps timestamps as text.
        for import in running
            .into_iter()
            .filter(|i| i.updated_at < before && !alive.contains(&i.id))
        {
            let failed = ImportState::Failed;
            if self
                .set_state(
                    import.id,
                    import.state,
                    failed,
                    import.counts,
                    Some(failure),
                )
                .await?
            {
                interrupted.push(import.id);
            }
        }
        Ok(interrupted)
    }

    /// Removes an import and its results.
    pub async fn delete(&mut self, id: Uuid) -> Result<bool, DataError> {
        self.clear_rows(id).await?;
        let delete = Query::delete()
            .from_table(ContactImports::Table)
            .and_where(Expr::col(ContactImports::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactImports::Id).eq(id))
            .to_owned();
        Ok(self.tx.conn.execute(&delete).await? == 1)
    }

    /// Forgets an import's line results (before a run writes new ones).
    pub async fn clear_rows(&mut self, id: Uuid) -> Result<(), DataError> {
        let delete = Query::delete()
            .from_table(ContactImportRows::Table)
            .and_where(Expr::col(ContactImportRows::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactImportRows::ImportId).eq(id))
            .to_owned();
        self.tx.conn.execute(&delete).await.map(drop)
    }

    /// Appends line results (at most [`WRITE_BATCH`] per call).
    pub async fn add_rows(&mut self, id: Uuid, rows: &[ImportRow]) -> Result<(), DataError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert()
            .into_table(ContactImportRows::Table)
            .columns([
                ContactImportRows::TenantId,
                ContactImportRows::ImportId,
                ContactImportRows::Line,
                ContactImportRows::Action,
                ContactImportRows::ContactId,
                ContactImportRows::Name,
                ContactImportRows::Email,
                ContactImportRows::Detail,
            ])
            .to_owned();
        for row in rows {
            insert.values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.into(),
                row.line.into(),
                row.action.as_str().into(),
                row.contact_id.map(|c| c.as_uuid()).into(),
                row.name.clone().into(),
                row.email.clone().into(),
                row.detail.clone().into(),
            ]);
        }
        self.tx.conn.execute(&insert).await.map(drop)
    }

    /// An import's line results in line order, after line `after`, optionally
    /// only those doing `action`.
    pub async fn rows(
        &mut self,
        id: Uuid,
        action: Option<RowAction>,
        after: Option<i32>,
        limit: u64,
    ) -> Result<Vec<ImportRow>, DataError> {
        let mut select = Query::select()
            .columns([
                ContactImportRows::Line,
                ContactImportRows::Action,
                ContactImportRows::ContactId,
                ContactImportRows::Name,
                ContactImportRows::Email,
                ContactImportRows::Detail,
            ])
            .from(ContactImportRows::Table)
            .and_where(Expr::col(ContactImportRows::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(ContactImportRows::ImportId).eq(id))
            .order_by(ContactImportRows::Line, Order::Asc)
            .limit(limit)
            .to_owned();
        if let Some(action) = action {
            select.and_where(Expr::col(ContactImportRows::Action).eq(action.as_str()));
        }
        if let Some(after) = after {
            select.and_where(Expr::col(ContactImportRows::Line).gt(after));
        }
        self.tx
            .conn
            .fetch_all::<RowRecord>(&select)
            .await?
            .into_iter()
            .map(ImportRow::try_from)
            .collect()
    }

    // ----- lookups a run plans with -----

    /// The contacts among `ids` (of this tenant).
    pub async fn contacts_by_ids(&mut self, ids: &[ContactId]) -> Result<Vec<Contact>, DataError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(
                Expr::col((Contacts::Table, Contacts::Id)).is_in(ids.iter().map(|i| i.as_uuid())),
            )
            .to_owned();
        self.contacts_of(&select).await
    }

    /// The contacts whose main email is one of `emails` (lower-cased already).
    pub async fn contacts_by_emails(
        &mut self,
        emails: &[String],
    ) -> Result<Vec<Contact>, DataError> {
        if emails.is_empty() {
            return Ok(Vec::new());
        }
        let select = contact_select(self.tx.tenant_id().as_uuid())
            .and_where(
                Expr::expr(Func::lower(Expr::col((Contacts::Table, Contacts::Email))))
                    .is_in(emails.iter().cloned()),
            )
            .to_owned();
        self.contacts_of(&select).await
    }

    async fn contacts_of(
        &mut self,
        select: &sea_query::SelectStatement,
    ) -> Result<Vec<Contact>, DataError> {
        self.tx
            .conn
            .fetch_all::<ContactRow>(select)
            .await?
            .into_iter()
            .map(Contact::try_from)
            .collect()
    }

    /// The accounts of `kind` whose code is one of `codes` (any case).
    pub async fn accounts_by_codes(
        &mut self,
        kind: AccountKind,
        codes: &[String],
    ) -> Result<Vec<Account>, DataError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let select = self
            .tx
            .accounts()
            .select()
            .and_where(Expr::col(Accounts::Kind).eq(kind.as_str()))
            .and_where(
                // Both sides lowered by the database, as in `AccountsArea::find_by_code`.
                Expr::expr(Func::lower(Expr::col(Accounts::Code)))
                    .is_in(codes.iter().map(|c| Func::lower(Expr::val(c.clone())))),
            )
            .to_owned();
        self.tx
            .conn
            .fetch_all::<AccountRow>(&select)
            .await?
            .into_iter()
            .map(Account::try_from)
            .collect()
    }

    /// How many contacts the tenant keeps and how many its plan allows.
    pub async fn contact_room(&mut self) -> Result<(i64, Option<i32>), DataError> {
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
        Ok((
            count.map_or(0, |(c,)| c),
            self.tx.settings().max_contacts().await?,
        ))
    }

    // ----- the real run's bulk writes -----

    /// Creates contacts (at most [`WRITE_BATCH`]) with their audit events. The
    /// caller resolved their references from this tenant's own lists.
    pub async fn write_contacts(
        &mut self,
        import: Uuid,
        contacts: &[ImportedContact],
        by: By<'_>,
    ) -> Result<(), DataError> {
        if contacts.is_empty() {
            return Ok(());
        }
        let rows: Vec<(ContactId, &ContactFields)> =
            contacts.iter().map(|c| (c.id, &c.fields)).collect();
        self.tx.contacts().insert(&rows).await?;
        let events: Vec<(AuditEventId, NewAuditEvent)> = contacts
            .iter()
            .map(|c| {
                event(
                    by,
                    "contact.create",
                    c.id,
                    None,
                    json!({ "after": c.fields, "import": import }),
                )
            })
            .collect();
        self.tx.audit().record_all(&events).await
    }

    /// Adds links (at most [`WRITE_BATCH`]) with their audit events; never primary.
    pub async fn write_links(
        &mut self,
        import: Uuid,
        links: &[ImportedLink],
        by: By<'_>,
    ) -> Result<(), DataError> {
        if links.is_empty() {
            return Ok(());
        }
        let fields = LinkFields::default();
        let rows: Vec<NewLink> = links
            .iter()
            .map(|l| NewLink {
                id: LinkId::generate(),
                contact: l.contact,
                account: l.account,
                kind: l.kind,
                fields: &fields,
            })
            .collect();
        self.tx.links().insert(&rows).await?;
        let events: Vec<(AuditEventId, NewAuditEvent)> = links
            .iter()
            .map(|l| {
                event(
                    by,
                    "contact.link",
                    l.contact,
                    Some(l.account.as_uuid()),
                    json!({ "account": { "id": l.account, "kind": l.kind, "name": l.account_name },
                            "after": fields, "import": import }),
                )
            })
            .collect();
        self.tx.audit().record_all(&events).await
    }
}

fn event<'a>(
    by: By<'a>,
    action: &'a str,
    contact: ContactId,
    related_id: Option<Uuid>,
    changes: Json,
) -> (AuditEventId, NewAuditEvent<'a>) {
    (
        AuditEventId::generate(),
        NewAuditEvent {
            actor: by.actor,
            action,
            subject_kind: "contact",
            subject_id: Some(contact.as_uuid()),
            related_id,
            changes,
            request_id: by.request_id,
        },
    )
}
