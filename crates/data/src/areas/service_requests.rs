//! Service requests of the tenant's customers: opened with the next number of
//! their series and their files, a thread both sides write in (each entry a
//! comment, files, a change of state), the company's first answer kept for
//! the time it took; read page by page through a contact's `PortalScope`
//! (filtered in SQL by account and visible branches) or by staff. Every
//! change is audited.

use chrono::{DateTime, NaiveDate, Utc};
use portico_authz::PortalScope;
use portico_domain::service::{Priority, RequestFields, RequestStatus};
use sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};
use serde_json::json;
use uuid::Uuid;

use crate::areas::audit::Actor;
use crate::areas::customer_records::sees_branch;
use crate::areas::orders::next_in_series;
use crate::tables::{Accounts, ServiceRequestComments, ServiceRequestFiles, ServiceRequests};
use crate::{
    AccountId, BranchId, By, ContactId, DataError, DateCursor, NewVersion, RecordTable, TenantTx,
};

/// The most entries a request's thread shows.
pub const MAX_THREAD: u64 = 500;

/// A service request in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub id: Uuid,
    pub number: String,
    pub account_id: AccountId,
    pub branch_id: Option<BranchId>,
    pub subject: String,
    pub status: RequestStatus,
    pub priority: Priority,
    pub opened_on: NaiveDate,
    pub opened_by: String,
    /// The contact who opened it in the portal (none when staff did).
    pub opened_by_contact: Option<ContactId>,
    pub created_at: DateTime<Utc>,
    /// When the company first wrote in the thread.
    pub first_answer_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl RequestRow {
    /// The cursor that continues a list after this row.
    pub fn cursor(&self) -> DateCursor {
        DateCursor::new(self.opened_on, self.id)
    }

    /// How long the company took to answer first, in minutes.
    pub fn minutes_to_first_answer(&self) -> Option<i64> {
        self.first_answer_at
            .map(|at| Ord::max((at - self.created_at).num_minutes(), 0))
    }
}

/// A file of a request.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attachment {
    pub file_id: Uuid,
    /// 0: sent with the request; else the thread entry it came with.
    pub seq: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

/// One entry of a request's thread.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ThreadEntry {
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    /// `contact`, `staff`, `api_key` or `system`.
    pub author_kind: String,
    pub author_name: String,
    pub body: Option<String>,
    /// The state the request moved to with it.
    pub status: Option<RequestStatus>,
}

/// A request with its description, thread and files.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDetail {
    pub row: RequestRow,
    pub account_name: String,
    pub description: String,
    pub thread: Vec<ThreadEntry>,
    pub files: Vec<Attachment>,
}

#[derive(sqlx::FromRow)]
struct RowDb {
    id: Uuid,
    number: String,
    account_id: Uuid,
    branch_id: Option<Uuid>,
    subject: String,
    status: String,
    priority: String,
    opened_on: NaiveDate,
    opened_by: String,
    opened_by_contact: Option<Uuid>,
    created_at: DateTime<Utc>,
    first_answer_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<RowDb> for RequestRow {
    type Error = DataError;

    fn try_from(r: RowDb) -> Result<Self, DataError> {
        Ok(RequestRow {
            id: r.id,
            number: r.number,
            account_id: r.account_id.into(),
            branch_id: r.branch_id.map(Into::into),
            subject: r.subject,
            status: RequestStatus::parse(&r.status)
                .ok_or_else(|| DataError::Corrupt(format!("request status {}", r.status)))?,
            priority: Priority::parse(&r.priority)
                .ok_or_else(|| DataError::Corrupt(format!("request priority {}", r.priority)))?,
            opened_on: r.opened_on,
            opened_by: r.opened_by,
            opened_by_contact: r.opened_by_contact.map(Into::into),
            created_at: r.created_at,
            first_answer_at: r.first_answer_at,
            updated_at: r.updated_at,
        })
    }
}

fn rows(rows: Vec<RowDb>) -> Result<Vec<RequestRow>, DataError> {
    rows.into_iter().map(RequestRow::try_from).collect()
}

const ROW_COLUMNS: [ServiceRequests; 13] = [
    ServiceRequests::Id,
    ServiceRequests::Number,
    ServiceRequests::AccountId,
    ServiceRequests::BranchId,
    ServiceRequests::Subject,
    ServiceRequests::Status,
    ServiceRequests::Priority,
    ServiceRequests::OpenedOn,
    ServiceRequests::OpenedBy,
    ServiceRequests::OpenedByContact,
    ServiceRequests::CreatedAt,
    ServiceRequests::FirstAnswerAt,
    ServiceRequests::UpdatedAt,
];

#[derive(sqlx::FromRow)]
struct EntryDb {
    seq: i32,
    occurred_at: DateTime<Utc>,
    author_kind: String,
    author_name: String,
    body: Option<String>,
    status: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FileDb {
    file_id: Uuid,
    seq: i32,
    file_name: String,
    content_type: String,
    size: i64,
}

impl From<FileDb> for Attachment {
    fn from(f: FileDb) -> Self {
        Attachment {
            file_id: f.file_id,
            seq: f.seq,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TextDb {
    text: String,
}

/// A request to open.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub account: AccountId,
    pub fields: RequestFields,
}

/// What a comment did.
#[derive(Debug, Clone, PartialEq)]
pub enum Commented {
    /// Added; the request as it is now.
    Done(RequestRow),
    /// The request is closed: its customer cannot write in it.
    Closed,
}

fn actor_kind(actor: Actor) -> &'static str {
    match actor {
        Actor::Contact(_) => "contact",
        Actor::Staff(_) => "staff",
        Actor::ApiKey(_) => "api_key",
        Actor::Operator(_) | Actor::System => "system",
    }
}

/// The tenant's service requests.
pub struct ServiceRequestsArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl ServiceRequestsArea<'_> {
    fn tenant(&self) -> Uuid {
        self.tx.tenant_id().as_uuid()
    }

    /// Keeps `files` as the request's, sent with thread entry `seq`.
    async fn attach(&mut self, id: Uuid, seq: i32, files: &[NewVersion]) -> Result<(), DataError> {
        if files.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert()
            .into_table(ServiceRequestFiles::Table)
            .columns([
                ServiceRequestFiles::TenantId,
                ServiceRequestFiles::RequestId,
                ServiceRequestFiles::FileId,
                ServiceRequestFiles::Seq,
                ServiceRequestFiles::FileName,
                ServiceRequestFiles::ContentType,
                ServiceRequestFiles::Size,
                ServiceRequestFiles::Sha256,
            ])
            .to_owned();
        for file in files {
            insert.values_panic([
                self.tenant().into(),
                id.into(),
                file.file_id.into(),
                seq.into(),
                file.file_name.clone().into(),
                file.content_type.clone().into(),
                file.size.into(),
                file.sha256.clone().into(),
            ]);
        }
        self.tx.conn.execute(&insert).await?;
        Ok(())
    }

    /// Opens a request with its files and the next number of its series.
    pub async fn create(
        &mut self,
        new: NewRequest,
        files: &[NewVersion],
        by: By<'_>,
    ) -> Result<RequestRow, DataError> {
        let branch = self
            .tx
            .branches()
            .chosen(new.account, new.fields.branch)
            .await?;
        let number =
            portico_domain::service::number(next_in_series(self.tx, "service_request").await?);
        let opened_by = self.tx.names().actor(by.actor).await?;
        let opened_by_contact = match by.actor {
            Actor::Contact(contact) => Some(contact),
            _ => None,
        };
        let id = Uuid::now_v7();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(ServiceRequests::Table)
            .columns([
                ServiceRequests::TenantId,
                ServiceRequests::Id,
                ServiceRequests::Number,
                ServiceRequests::AccountId,
                ServiceRequests::BranchId,
                ServiceRequests::Subject,
                ServiceRequests::Description,
                ServiceRequests::Status,
                ServiceRequests::Priority,
                ServiceRequests::OpenedOn,
                ServiceRequests::OpenedBy,
                ServiceRequests::OpenedByContact,
                ServiceRequests::CreatedAt,
                ServiceRequests::UpdatedAt,
            ])
            .values_panic([
                self.tenant().into(),
                id.into(),
                number.clone().into(),
                new.account.as_uuid().into(),
                branch.map(|b| b.as_uuid()).into(),
                new.fields.subject.clone().into(),
                new.fields.description.clone().into(),
                RequestStatus::Open.as_str().into(),
                new.fields.priority.as_str().into(),
                now.date_naive().into(),
                opened_by.clone().into(),
                opened_by_contact.map(|c| c.as_uuid()).into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.attach(id, 0, files).await?;
        self.tx
            .audit()
            .log(
                by,
                "service_request.create",
                ("service_request", id),
                Some(new.account.as_uuid()),
                json!({ "after": { "number": number, "subject": new.fields.subject,
                                   "priority": new.fields.priority.as_str(),
                                   "files": files.len() } }),
            )
            .await?;
        Ok(RequestRow {
            id,
            number,
            account_id: new.account,
            branch_id: branch,
            subject: new.fields.subject,
            status: RequestStatus::Open,
            priority: new.fields.priority,
            opened_on: now.date_naive(),
            opened_by,
            opened_by_contact,
            created_at: now,
            first_answer_at: None,
            updated_at: now,
        })
    }

    /// Adds an entry to `row`'s thread: a comment, files, and (staff) a
    /// change of state. A contact writing reopens a request that waited for
    /// it or was resolved, and cannot write in a closed one; the company's
    /// first entry is its first answer.
    pub async fn comment(
        &mut self,
        row: &RequestRow,
        body: Option<&str>,
        status: Option<RequestStatus>,
        files: &[NewVersion],
        by: By<'_>,
    ) -> Result<Commented, DataError> {
        let from_customer = matches!(by.actor, Actor::Contact(_));
        let status = if from_customer {
            if row.status == RequestStatus::Closed {
                return Ok(Commented::Closed);
            }
            Some(row.status.after_customer_comment()).filter(|s| *s != row.status)
        } else {
            status.filter(|s| *s != row.status)
        };
        let seq = Query::select()
            .expr(Expr::cust("CAST(COALESCE(MAX(seq), 0) + 1 AS BIGINT)"))
            .from(ServiceRequestComments::Table)
            .and_where(Expr::col(ServiceRequestComments::TenantId).eq(self.tenant()))
            .and_where(Expr::col(ServiceRequestComments::RequestId).eq(row.id))
            .to_owned();
        let (seq,): (i64,) = self.tx.conn.fetch_optional(&seq).await?.unwrap_or((1,));
        let seq = i32::try_from(seq).unwrap_or(i32::MAX);
        let author = self.tx.names().actor(by.actor).await?;
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(ServiceRequestComments::Table)
            .columns([
                ServiceRequestComments::TenantId,
                ServiceRequestComments::RequestId,
                ServiceRequestComments::Seq,
                ServiceRequestComments::OccurredAt,
                ServiceRequestComments::AuthorKind,
                ServiceRequestComments::AuthorName,
                ServiceRequestComments::Body,
                ServiceRequestComments::Status,
            ])
            .values_panic([
                self.tenant().into(),
                row.id.into(),
                seq.into(),
                now.into(),
                actor_kind(by.actor).into(),
                author.into(),
                body.map(str::to_owned).into(),
                status.map(RequestStatus::as_str).into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        self.attach(row.id, seq, files).await?;
        let first_answer = (!from_customer && row.first_answer_at.is_none()).then_some(now);
        let mut update = Query::update()
            .table(ServiceRequests::Table)
            .value(ServiceRequests::UpdatedAt, now)
            .and_where(Expr::col(ServiceRequests::TenantId).eq(self.tenant()))
            .and_where(Expr::col(ServiceRequests::Id).eq(row.id))
            .to_owned();
        if let Some(status) = status {
            update.value(ServiceRequests::Status, status.as_str());
        }
        if let Some(at) = first_answer {
            update.value(ServiceRequests::FirstAnswerAt, at);
        }
        self.tx.conn.execute(&update).await?;
        self.tx
            .audit()
            .log(
                by,
                "service_request.comment",
                ("service_request", row.id),
                Some(row.account_id.as_uuid()),
                json!({ "number": row.number, "seq": seq, "files": files.len(),
                        "status": status.map(RequestStatus::as_str) }),
            )
            .await?;
        Ok(Commented::Done(RequestRow {
            status: status.unwrap_or(row.status),
            first_answer_at: row.first_answer_at.or(first_answer),
            updated_at: now,
            ..row.clone()
        }))
    }

    async fn one(&mut self, select: SelectStatement) -> Result<Option<RequestRow>, DataError> {
        self.tx
            .conn
            .fetch_optional::<RowDb>(&select)
            .await?
            .map(RequestRow::try_from)
            .transpose()
    }

    fn row_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns(ROW_COLUMNS.map(|c| (ServiceRequests::Table, c)))
            .from(ServiceRequests::Table)
            .and_where(
                Expr::col((ServiceRequests::Table, ServiceRequests::TenantId)).eq(self.tenant()),
            )
            .and_where(Expr::col((ServiceRequests::Table, ServiceRequests::Id)).eq(id))
            .to_owned()
    }

    /// The request `id` of this tenant, any customer.
    pub async fn find(&mut self, id: Uuid) -> Result<Option<RequestRow>, DataError> {
        let select = self.row_select(id);
        self.one(select).await
    }

    /// The request `id`, when `scope` sees it.
    pub async fn portal_find(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<RequestRow>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(None);
        }
        let mut select = self.row_select(id);
        select
            .and_where(
                Expr::col((ServiceRequests::Table, ServiceRequests::AccountId))
                    .eq(scope.account().as_uuid()),
            )
            .and_where_option(sees_branch(
                scope,
                (ServiceRequests::Table, ServiceRequests::BranchId),
            ));
        self.one(select).await
    }

    /// `row` with its customer's name, description, thread and files.
    async fn detail_of(&mut self, row: RequestRow) -> Result<RequestDetail, DataError> {
        let tenant = self.tenant();
        let name = Query::select()
            .expr_as(Expr::col(Accounts::Name), "text")
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::TenantId).eq(tenant))
            .and_where(Expr::col(Accounts::Id).eq(row.account_id.as_uuid()))
            .to_owned();
        let account_name = self
            .tx
            .conn
            .fetch_optional::<TextDb>(&name)
            .await?
            .map(|n| n.text)
            .unwrap_or_default();
        let description = Query::select()
            .expr_as(Expr::col(ServiceRequests::Description), "text")
            .from(ServiceRequests::Table)
            .and_where(Expr::col(ServiceRequests::TenantId).eq(tenant))
            .and_where(Expr::col(ServiceRequests::Id).eq(row.id))
            .to_owned();
        let description = self
            .tx
            .conn
            .fetch_optional::<TextDb>(&description)
            .await?
            .map(|d| d.text)
            .unwrap_or_default();
        let thread = Query::select()
            .columns([
                ServiceRequestComments::Seq,
                ServiceRequestComments::OccurredAt,
                ServiceRequestComments::AuthorKind,
                ServiceRequestComments::AuthorName,
                ServiceRequestComments::Body,
                ServiceRequestComments::Status,
            ])
            .from(ServiceRequestComments::Table)
            .and_where(Expr::col(ServiceRequestComments::TenantId).eq(tenant))
            .and_where(Expr::col(ServiceRequestComments::RequestId).eq(row.id))
            .order_by(ServiceRequestComments::Seq, Order::Asc)
            .limit(MAX_THREAD)
            .to_owned();
        let thread = self
            .tx
            .conn
            .fetch_all::<EntryDb>(&thread)
            .await?
            .into_iter()
            .map(|e| ThreadEntry {
                seq: e.seq,
                occurred_at: e.occurred_at,
                author_kind: e.author_kind,
                author_name: e.author_name,
                body: e.body,
                status: e.status.as_deref().and_then(RequestStatus::parse),
            })
            .collect();
        let files = self
            .files_select(row.id)
            .order_by(ServiceRequestFiles::Seq, Order::Asc)
            .order_by(ServiceRequestFiles::FileName, Order::Asc)
            .limit(MAX_THREAD * 3)
            .to_owned();
        let files = self
            .tx
            .conn
            .fetch_all::<FileDb>(&files)
            .await?
            .into_iter()
            .map(Into::into)
            .collect();
        Ok(RequestDetail {
            row,
            account_name,
            description,
            thread,
            files,
        })
    }

    /// The files of request `id`, unordered.
    fn files_select(&self, id: Uuid) -> SelectStatement {
        Query::select()
            .columns([
                ServiceRequestFiles::FileId,
                ServiceRequestFiles::Seq,
                ServiceRequestFiles::FileName,
                ServiceRequestFiles::ContentType,
                ServiceRequestFiles::Size,
            ])
            .from(ServiceRequestFiles::Table)
            .and_where(Expr::col(ServiceRequestFiles::TenantId).eq(self.tenant()))
            .and_where(Expr::col(ServiceRequestFiles::RequestId).eq(id))
            .to_owned()
    }

    /// The file `file` of request `id` (whose visibility the caller settled).
    pub async fn attachment(
        &mut self,
        id: Uuid,
        file: Uuid,
    ) -> Result<Option<Attachment>, DataError> {
        let select = self
            .files_select(id)
            .and_where(Expr::col(ServiceRequestFiles::FileId).eq(file))
            .to_owned();
        Ok(self
            .tx
            .conn
            .fetch_optional::<FileDb>(&select)
            .await?
            .map(Into::into))
    }

    /// The file `file` of request `id`, when `scope` sees the request.
    pub async fn portal_attachment(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
        file: Uuid,
    ) -> Result<Option<Attachment>, DataError> {
        match self.portal_find(scope, id).await? {
            Some(row) => self.attachment(row.id, file).await,
            None => Ok(None),
        }
    }

    /// The request `id` with its thread, for staff.
    pub async fn detail(&mut self, id: Uuid) -> Result<Option<RequestDetail>, DataError> {
        match self.find(id).await? {
            Some(row) => Ok(Some(self.detail_of(row).await?)),
            None => Ok(None),
        }
    }

    /// The request `id` with its thread, when `scope` sees it.
    pub async fn portal_detail(
        &mut self,
        scope: &PortalScope,
        id: Uuid,
    ) -> Result<Option<RequestDetail>, DataError> {
        match self.portal_find(scope, id).await? {
            Some(row) => Ok(Some(self.detail_of(row).await?)),
            None => Ok(None),
        }
    }

    /// One page of the requests `scope` sees, newest first.
    pub async fn portal_page(
        &mut self,
        scope: &PortalScope,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<RequestRow>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(ServiceRequests::Table, ServiceRequests::OpenedOn)
            .portal_page(scope, after, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// The open requests (neither resolved nor closed) `scope` sees, newest
    /// first, at most `limit`.
    pub async fn portal_open(
        &mut self,
        scope: &PortalScope,
        limit: u64,
    ) -> Result<Vec<RequestRow>, DataError> {
        if scope.tenant() != self.tx.tenant_id() {
            return Ok(Vec::new());
        }
        let mut select = RecordTable::new(ServiceRequests::Table, ServiceRequests::OpenedOn)
            .only(Expr::col(ServiceRequests::Status).is_not_in([
                RequestStatus::Resolved.as_str(),
                RequestStatus::Closed.as_str(),
            ]))
            .portal_page(scope, None, limit);
        select.clear_selects().columns(ROW_COLUMNS);
        rows(self.tx.conn.fetch_page(&select, scope).await?)
    }

    /// The back office's requests, of one customer or all, only the open
    /// ones when `open`, newest first.
    pub async fn list(
        &mut self,
        account: Option<AccountId>,
        open: bool,
        after: Option<&DateCursor>,
        limit: u64,
    ) -> Result<Vec<RequestRow>, DataError> {
        let mut select = Query::select()
            .columns(ROW_COLUMNS)
            .from(ServiceRequests::Table)
            .and_where(Expr::col(ServiceRequests::TenantId).eq(self.tenant()))
            .order_by(ServiceRequests::OpenedOn, Order::Desc)
            .order_by(ServiceRequests::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(account) = account {
            select.and_where(Expr::col(ServiceRequests::AccountId).eq(account.as_uuid()));
        }
        if open {
            select.and_where(Expr::col(ServiceRequests::Status).is_not_in([
                RequestStatus::Resolved.as_str(),
                RequestStatus::Closed.as_str(),
            ]));
        }
        if let Some(cursor) = after {
            select.and_where(crate::listing::after_cursor(
                ServiceRequests::OpenedOn,
                ServiceRequests::Id,
                cursor,
                Order::Desc,
            ));
        }
        rows(self.tx.conn.fetch_all(&select).await?)
    }
}
