//! The JSON shapes of service requests, their threads and files, answered
//! alike by the admin API and the customer portal's API (a file is fetched
//! from `…/service-requests/{id}/files/{file_id}`), and the thread as both
//! apps' pages show it.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use portico_data::{Attachment, RequestDetail, RequestRow, ThreadEntry};
use portico_domain::service::{Priority, RequestStatus};
use uuid::Uuid;

use serde_json::{Value, json};

use crate::{Ui, date::Date, download};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RequestStatusJson {
    Open,
    InProgress,
    WaitingCustomer,
    Resolved,
    Closed,
}

impl From<RequestStatus> for RequestStatusJson {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::Open => Self::Open,
            RequestStatus::InProgress => Self::InProgress,
            RequestStatus::WaitingCustomer => Self::WaitingCustomer,
            RequestStatus::Resolved => Self::Resolved,
            RequestStatus::Closed => Self::Closed,
        }
    }
}

impl From<RequestStatusJson> for RequestStatus {
    fn from(s: RequestStatusJson) -> Self {
        match s {
            RequestStatusJson::Open => Self::Open,
            RequestStatusJson::InProgress => Self::InProgress,
            RequestStatusJson::WaitingCustomer => Self::WaitingCustomer,
            RequestStatusJson::Resolved => Self::Resolved,
            RequestStatusJson::Closed => Self::Closed,
        }
    }
}

/// How urgent a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PriorityJson {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<Priority> for PriorityJson {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Low => Self::Low,
            Priority::Normal => Self::Normal,
            Priority::High => Self::High,
            Priority::Urgent => Self::Urgent,
        }
    }
}

impl From<PriorityJson> for Priority {
    fn from(p: PriorityJson) -> Self {
        match p {
            PriorityJson::Low => Self::Low,
            PriorityJson::Normal => Self::Normal,
            PriorityJson::High => Self::High,
            PriorityJson::Urgent => Self::Urgent,
        }
    }
}

/// A request in a list.
#[derive(Debug, Clone, Object)]
pub struct RequestSummary {
    pub id: Uuid,
    /// `SOL-000123`.
    pub number: String,
    pub customer_id: Uuid,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub subject: String,
    pub status: RequestStatusJson,
    pub priority: PriorityJson,
    pub opened_on: Date,
    /// Who opened it.
    pub opened_by: String,
    pub created_at: DateTime<Utc>,
    /// When the company first wrote in its thread.
    #[oai(nullable)]
    pub first_answer_at: Option<DateTime<Utc>>,
    /// Minutes from opening to the company's first answer.
    #[oai(nullable)]
    pub minutes_to_first_answer: Option<i64>,
}

impl From<&RequestRow> for RequestSummary {
    fn from(r: &RequestRow) -> Self {
        Self {
            id: r.id,
            number: r.number.clone(),
            customer_id: r.account_id.as_uuid(),
            branch_id: r.branch_id.map(|b| b.as_uuid()),
            subject: r.subject.clone(),
            status: r.status.into(),
            priority: r.priority.into(),
            opened_on: Date(r.opened_on),
            opened_by: r.opened_by.clone(),
            created_at: r.created_at,
            first_answer_at: r.first_answer_at,
            minutes_to_first_answer: r.minutes_to_first_answer(),
        }
    }
}

/// A page of requests, newest first.
#[derive(Debug, Clone, Object)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    /// Pass as `after` for the next page; `null` on the last.
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A file of a request.
#[derive(Debug, Clone, Object)]
pub struct AttachmentJson {
    pub id: Uuid,
    /// 0: sent with the request; else the thread entry it came with.
    pub seq: i32,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

impl From<&Attachment> for AttachmentJson {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.file_id,
            seq: a.seq,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
        }
    }
}

/// An entry of a request's thread.
#[derive(Debug, Clone, Object)]
pub struct ThreadEntryJson {
    pub seq: i32,
    pub occurred_at: DateTime<Utc>,
    /// `contact` (the customer's side), `staff`, `api_key` or `system`.
    pub author_kind: String,
    pub author_name: String,
    #[oai(nullable)]
    pub body: Option<String>,
    /// The state the request moved to with it.
    #[oai(nullable)]
    pub status: Option<RequestStatusJson>,
}

impl From<&ThreadEntry> for ThreadEntryJson {
    fn from(e: &ThreadEntry) -> Self {
        Self {
            seq: e.seq,
            occurred_at: e.occurred_at,
            author_kind: e.author_kind.clone(),
            author_name: e.author_name.clone(),
            body: e.body.clone(),
            status: e.status.map(Into::into),
        }
    }
}

/// A request with its description, thread and files.
#[derive(Debug, Clone, Object)]
pub struct RequestJson {
    #[oai(flatten)]
    pub summary: RequestSummary,
    pub customer_name: String,
    pub description: String,
    pub thread: Vec<ThreadEntryJson>,
    pub files: Vec<AttachmentJson>,
}

impl From<&RequestDetail> for RequestJson {
    fn from(d: &RequestDetail) -> Self {
        Self {
            summary: RequestSummary::from(&d.row),
            customer_name: d.account_name.clone(),
            description: d.description.clone(),
            thread: d.thread.iter().map(ThreadEntryJson::from).collect(),
            files: d.files.iter().map(AttachmentJson::from).collect(),
        }
    }
}

/// A request's thread and the files sent with it, as the portal's and the
/// back office's pages show them (`href`: the path of a file).
pub fn thread_view(
    ui: &Ui,
    detail: &RequestDetail,
    href: impl Fn(Uuid) -> String,
) -> (Vec<Value>, Vec<Value>) {
    let file_json = |seq: i32| -> Vec<Value> {
        detail
            .files
            .iter()
            .filter(|f| f.seq == seq)
            .map(|f| {
                json!({
                    "href": href(f.file_id), "file_name": f.file_name,
                    "size": download::size_label(f.size),
                })
            })
            .collect()
    };
    let thread = detail
        .thread
        .iter()
        .map(|e| {
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "who": e.author_name,
                "from_company": e.author_kind != "contact",
                "body": e.body,
                "status": e.status.map(|s| ui.lang.t(&format!("service-status-{}", s.as_str()))),
                "files": file_json(e.seq),
            })
        })
        .collect();
    (thread, file_json(0))
}
