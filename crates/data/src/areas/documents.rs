//! Documents a company shares with an account's contacts: created by staff or
//! upserted by an ERP's reference, each with its versions (the current one
//! and every earlier one, each a stored file named by id); read by staff, and
//! through a contact's `PortalScope` — filtered in SQL by account and visible
//! branches, and only once a first version exists. Every change is audited.

use chrono::{DateTime, NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::documents::{DocumentFields, DocumentKind};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde_json::json;
use uuid::Uuid;

use crate::areas::customer_records::sees_branch;
use crate::error::taken;
use crate::tables::{Accounts, DocumentVersions, Documents};
use crate::{AccountId, BranchId, By, DataError, DateCursor, RecordTable, TenantTx};

/// The most versions a document's detail lists (newest first).
pub const MAX_VERSIONS: u64 = 100;

/// A document in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRow {
    pub id: Uuid,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub external_ref: Option<String>,
    pub title: String,
    pub kind: DocumentKind,
    /// The current version; 0 before the first file.
    pub version: i32,
    /// The day the current version was published.
    pub published_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

impl DocumentRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.published_on, self.id)
    }
}

/// One version of a document: its file and who uploaded it when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocumentVersion {
    pub version: i32,
    pub file_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub note: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// A document with its account's name and its versions, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentDetail {
    pub row: DocumentRow,
    pub account_name: String,
    pub versions: Vec<DocumentVersion>,
}

/// A file stored for a new version, described.
#[derive(Debug, Clone)]
pub struct NewVersion {
    pub file_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub note: Option<String>,
}

impl NewVersion {
    /// The description of `bytes` stored as `file_id`: their size and hash.
    pub fn of(
        file_id: Uuid,
        file_name: String,
        content_type: String,
        bytes: &[u8],
        note: Option<String>,
    ) -> Self {
        use sha2::{Digest, Sha256};
        Self {
            file_id,
            file_name,
            content_type,
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            sha256: hex::encode(Sha256::digest(bytes)),
            note,
        }
    }
}

/// What adding a version did.
#[derive(Debug, Clone, PartialEq)]
pub enum VersionAdded {
    /// A new current version.
    New(DocumentVersion),
    /// The file is the current version's already: nothing was added (the
    /// stored upload is unused).
    Same(DocumentVersion),
}

#[derive(sqlx::FromRow)]
struct RowDb {
    id: Uuid,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    external_ref: Option<String>,
    title: String,
    kind: String,
    version: i32,
    published_on: NaiveDate,
    updated_at: DateTime<Utc>,
}

impl TryFrom<RowDb> for DocumentRow {
    type Error = DataError;

    fn try_from(r: RowDb) -> Result<Self, DataError> {
        Ok(DocumentRow {
            id: r.id,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            external_ref: r.external_ref,
            title: r.title,
            kind: DocumentKind::parse(&r.kind)
                .ok_or_else(|| DataError::Corrupt(format!("document kind {}", r.kind)))?,
            version: r.version,
            published_on: r.published_on,
            updated_at: r.updated_at,
        })
    }
}

fn rows(rows: Vec<RowDb>) -> Result<Vec<DocumentRow>, DataError> {
    rows.into_iter().map(DocumentRow::try_from).collect()
}

const ROW_COLUMNS: [Documents; 9] = [
    Documents::Id,
    Documents::AccountId,
    Documents::BranchId,
    Documents::ExternalRef,
    Documents::Title,
    Documents::Kind,
    Documents::Version,
    Documents::PublishedOn,
    Documents::UpdatedAt,
];

#[derive(sqlx::FromRow)]
struct VersionDb {
    version: i32,
    file_id: Uuid,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    note: Option<String>,
    uploaded_at: DateTime<Utc>,
    uploaded_by: String,
}

impl From<VersionDb> for DocumentVersion {
    fn from(v: VersionDb) -> Self {
        DocumentVersion {
            version: v.version,
            file_id: v.file_id,
            file_name: v.file_name,
            content_type: v.content_type,
            size: v.size,
            sha256: v.sha256,
            note: v.note,
            uploaded_at: v.uploaded_at,
            uploaded_by: v.uploaded_by,
        }
    }
}

#[derive(sqlx::FromRow)]
struct NameDb {
    name: String,
}

/// The tenant's shared documents.
pub struct DocumentsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl DocumentsArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    /// Creates a document of `account` (without a version yet).
    pub async fn create(
        &mut self,
        account: AccountId,
        fields: &DocumentFields,
        by: By<'_>,
    ) -> Result<DocumentRow, DataError> {
        let branch = self.tx.branches().chosen(account, fields.branch).await?;
        let id = Uuid::now_v7();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(Documents::Table)
            .columns([
                Documents::TenantId,
                Documents::Id,
                Documents::AccountId,
                Documents::BranchId,
                Documents::ExternalRef,
                Documents::Title,
                Documents::Kind,
                Documents::Version,
                Documents::PublishedOn,
                Documents::CreatedAt,
                Documents::UpdatedAt,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                account.as_uuid().into(),
                branch.map(|b| b.as_uuid()).into(),
                fields.external_ref.clone().into(),
                fields.title.clone().into(),
                fields.kind.as_str().into(),
                0_i32.into(),
                now.date_naive().into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await.map_err(|e| {
            taken(
                e,
                &["documents_ref_key", "external_ref"],
                "external_ref",
                "field-value-taken",
            )
        })?;
        self.tx
            .audit()
            .log(
                by,
                "document.create",
                ("document", id),
                Some(account.as_uuid()),
                json!({ "after": { "title": fields.title, "kind": fields.kind.as_str(),
                                   "branch_id": branch, "external_ref": fields.external_ref } }),
            )
            .await?;
        Ok(DocumentRow {
            id,
            account_id: account,
            branch_id: branch,
            external_ref: fields.external_ref.clone(),
            title: fields.title.clone(),
            kind: fields.kind,
            version: 0,
            published_on: now.date_naive(),
            updated_at: now,
        })
    }

    /// Changes a document's account, title, type, branch and reference.
    /// `None` when it is not this tenant's.
    pub async fn update(
        &mut self,
        id: Uuid,
        account: AccountId,
        fields: &DocumentFields,
        by: By<'_>,
    ) -> Result<Option<DocumentRow>, DataError> {
        let Some(before) = self.find(id).await? else {
            return Ok(None);
        };
        let branch = self.tx.branches().chosen(account, fields.branch).await?;
        let now = Utc::now();
        let update = Query::update()
            .table(Documents::Table)
            .values([
                (Documents::AccountId, account.as_uuid().into()),
                (Documents::BranchId, branch.map(|b| b.as_uuid()).into()),
                (Documents::ExternalRef, fields.external_ref.clone().into()),
                (Documents::Title, fields.title.clone().into()),
                (Documents::Kind, fields.kind.as_str().into()),
                (Documents::UpdatedAt, now.into()),
            ])
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Documents::Id).eq(id))
            .to_owned();
        self.tx.conn.execute(&update).await.map_err(|e| {
            taken(
                e,
                &["documents_ref_key", "external_ref"],
                "external_ref",
                "field-value-taken",
            )
        })?;
        let after = DocumentRow {
            account_id: account,
            branch_id: branch,
            external_ref: fields.external_ref.clone(),
            title: fields.title.clone(),
            kind: fields.kind,
            updated_at: now,
            ..before.clone()
        };
        let unchanged = DocumentRow {
            updated_at: now,
            ..before.clone()
        };
        if after != unchanged {
            self.tx
                .audit()
                .log(
                    by,
                    "document.update",
                    ("document", id),
                    Some(account.as_uuid()),
                    json!({
                        "before": { "account_id": before.account_id, "title": before.title,
                                    "kind": before.kind.as_str(), "branch_id": before.branch_id,
                                    "external_ref": before.external_ref },
                        "after": { "account_id": account, "title": fields.title,
                                   "kind": fields.kind.as_str(), "branch_id": branch,
                                   "external_ref": fields.external_ref },
                    }),
                )
                .await?;
        }
        Ok(Some(after))
    }

    /// The document with the ERP reference `reference`.
    pub async fn by_ref(&mut self, reference: &str) -> Result<Option<DocumentRow>, DataError> {
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(Documents::Table)
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Documents::ExternalRef).eq(reference))
            .to_owned();
        self.one(select).await
    }

    async fn one(&mut self, select: SelectStatement) -> Result<Option<DocumentRow>, DataError> {
        self.tx
            .conn
            .fetch_optional::<RowDb>(&select)
            .await?
            .map(DocumentRow::try_from)
            .transpose()
    }

    /// The document `id` of this tenant, any account.
    pub async fn find(&mut self, id: Uuid) -> Result<Option<DocumentRow>, DataError> {
        let select = Query::select()
            .columns(ROW_COLUMNS)
            .from(Documents::Table)
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Documents::Id).eq(id))
            .to_owned();
        self.one(select).await
    }

    /// Adds `file` as the next version of `id` — unless it is the current
    /// version's file already. `None` when the document is not this tenant's.
    /// Two uploads at once: one becomes the next version, the other fails
    /// with a conflict and adds nothing.
    pub async fn add_version(
        &mut self,
        id: Uuid,
        file: NewVersion,
        by: By<'_>,
    ) -> Result<Option<VersionAdded>, DataError> {
        let Some(row) = self.find(id).await? else {
            return Ok(None);
        };
        if row.version > 0 {
            let current = self.versions(id, 1).await?;
            if let Some(current) = current
                .into_iter()
                .next()
                .filter(|c| c.sha256 == file.sha256)
            {
                return Ok(Some(VersionAdded::Same(current)));
            }
        }
        let version = row.version + 1;
        let now = Utc::now();
        let uploaded_by = self.tx.names().actor(by.actor).await?;
        let bump = Query::update()
            .table(Documents::Table)
            .values([
                (Documents::Version, version.into()),
                (Documents::PublishedOn, now.date_naive().into()),
                (Documents::UpdatedAt, now.into()),
            ])
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Documents::Id).eq(id))
            .and_where(Expr::col(Documents::Version).eq(row.version))
            .to_owned();
        if self.tx.conn.execute(&bump).await? == 0 {
            return Err(DataError::Conflict {
                constraint: "document_versions.version".into(),
            });
        }
        let insert = Query::insert()
            .into_table(DocumentVersions::Table)
            .columns([
                DocumentVersions::TenantId,
                DocumentVersions::DocumentId,
                DocumentVersions::Version,
                DocumentVersions::FileId,
                DocumentVersions::FileName,
                DocumentVersions::ContentType,
                DocumentVersions::Size,
                DocumentVersions::Sha256,
                DocumentVersions::Note,
                DocumentVersions::UploadedAt,
                DocumentVersions::UploadedBy,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                version.into(),
                file.file_id.into(),
                file.file_name.clone().into(),
                file.content_type.clone().into(),
                file.size.into(),
                file.sha256.clone().into(),
                file.note.clone().into(),
                now.into(),
                uploaded_by.clone().into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.tx
            .audit()
            .log(
                by,
                "document.version",
                ("document", id),
                Some(row.account_id.as_uuid()),
                json!({ "after": { "version": version, "file_name": file.file_name,
                                   "size": file.size, "sha256": file.sha256, "note": file.note } }),
            )
            .await?;
        Ok(Some(VersionAdded::New(DocumentVersion {
            version,
            file_id: file.file_id,
            file_name: file.file_name,
            content_type: file.content_type,
            size: file.size,
            sha256: file.sha256,
            note: file.note,
            uploaded_at: now,
            uploaded_by,
        })))
    }

    /// Deletes a document and its versions for good; the ids of the files to
    /// remove once the change commits, or `None` when it is not this tenant's.
    pub async fn delete(&mut self, id: Uuid, by: By<'_>) -> Result<Option<Vec<Uuid>>, DataError> {
        let Some(row) = self.find(id).await? else {
            return Ok(None);
        };
        let versions = self.versions(id, 1_000_000).await?;
        let delete = Query::delete()
            .from_table(Documents::Table)
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Documents::Id).eq(id))
            .to_owned();
        self.tx.conn.execute(&delete).await?;
        self.tx
            .audit()
            .log(
                by,
                "document.delete",
                ("document", id),
                Some(row.account_id.as_uuid()),
                json!({ "before": { "title": row.title, "kind": row.kind.as_str(),
                                    "versions": versions.len() } }),
            )
            .await?;
        Ok(Some(versions.into_iter().map(|v| v.file_id).collect()))
    }

    /// The newest `limit` versions of `id`.
    async fn versions(&mut self, id: Uuid, limit: u64) -> Result<Vec<DocumentVersion>, DataError> {
        let select = self
            .versions_select(id)
            .order_by(DocumentVersions::Version, Order::Desc)
            .limit(limit)
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_all::<VersionDb>(&select)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Version `n` of document `id` (whose visibility the caller settled).
    pub async fn version(
        &mut self,
        id: Uuid,
        n: i32,
    ) -> Result<Option<DocumentVersion>, DataError> {
        let select = self
            .versions_select(id)
            .and_where(Expr::col(DocumentVersions::Version).eq(n))
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_optional::<VersionDb>(&select)
            .await?
            .map(Into::into))
    }

    /// The versions of `id`, unordered.
    fn versions_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns([
                DocumentVersions::Version,
                DocumentVersions::FileId,
                DocumentVersions::FileName,
                DocumentVersions::ContentType,
                DocumentVersions::Size,
                DocumentVersions::Sha256,
                DocumentVersions::Note,
                DocumentVersions::UploadedAt,
                DocumentVersions::UploadedBy,
            ])
            .from(DocumentVersions::Table)
            .and_where(Expr::col(DocumentVersions::TenantId).eq(self.tenant()))
            .and_where(Expr::col(DocumentVersions::DocumentId).eq(id))
            .to_owned()
    }

    /// `row` with its account's name and newest versions.
    async fn detail_of(&mut self, row: DocumentRow) -> Result<DocumentDetail, DataError> {
        let name = Query::select()
            .column(Accounts::Name)
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(self.tenant()))
            .and_where(Expr::col(Accounts::Id).eq(row.account_id.as_uuid()))
            .to_owned();
        let account_name = self
            .tx
            .conn
            .fetch_optional::<NameDb>(&name)
            .await?
            .map(|n| n.name)
            .unwrap_or_default();
        let versions = self.versions(row.id, MAX_VERSIONS).await?;
        Ok(DocumentDetail {
            row,
            account_name,
            versions,
        })
    }

    /// The document `id` with its versions, for staff.
    pub async fn detail(&mut self, id: Uuid) -> Result<Option<DocumentDetail>, DataError> {
        match self.find(id).await? {
            Some(row) => Ok(Some(self.detail_of(row).await?)),
            None => Ok(None),
        }
    }

    /// The back office's documents, of one account or all, newest first.
    pub async fn list(
        &mut self,
        account: Option<AccountId>,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<DocumentRow>, DataError> {
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(Documents::Table)
            .and_where(Expr::col(Documents::TenantId).eq(self.tenant()))
            .order_by(Documents::PublishedOn, Order::Desc)
            .order_by(Documents::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(account) = account {
            select.and_where(Expr::col(Documents::AccountId).eq(account.as_uuid()));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                Documents::PublishedOn,
                Documents::Id,
                cursor,
                Order::Desc,
            ));
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }

    /// One page of the documents `scope` sees (those with a version), newest
    /// first.
    pub async fn portal_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<DocumentRow>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(Documents::Table, Documents::PublishedOn)
            .only(Expr::col(Documents::Version).gt(0))
            .portal_page(scope, after, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// The document `id` with its versions, when `scope` sees it.
    pub async fn portal_detail(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<DocumentDetail>, DataError> {
        match self.portal_find(scope, id).await? {
            Some(row) => Ok(Some(self.detail_of(row).await?)),
            None => Ok(None),
        }
    }

    /// Version `n` of document `id`, when `scope` sees the document.
    pub async fn portal_version(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
        n: i32,
    ) -> Result<Option<DocumentVersion>, DataError> {
        match self.portal_find(scope, id).await? {
            Some(row) => self.version(row.id, n).await,
            None => Ok(None),
        }
    }

    /// The document `id`, when `scope` sees it (and it has a version).
    pub async fn portal_find(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<DocumentRow>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(None);
        }
        let select = Query::select()
            .columns(ROW_COLUMNS.map(|c| (Documents::Table, c)))
            .from(Documents::Table)
            .and_where(Expr::col((Documents::Table, Documents::TenantId)).eq(self.tenant()))
            .and_where(Expr::col((Documents::Table, Documents::Id)).eq(id))
            .and_where(
                Expr::col((Documents::Table, Documents::AccountId)).eq(scope.account().as_uuid()),
            )
            .and_where(Expr::col((Documents::Table, Documents::Version)).gt(0))
            .and_where_option(sees_branch(scope, (Documents::Table, Documents::BranchId)))
            .to_owned();
        self.one(select).await
    }
}
