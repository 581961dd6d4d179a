//! What a service request is made of: its states and priorities, what a
//! contact sends to open one, and what either side adds to its thread (a
//! comment, files, a change of state by staff).

use crate::fields::{Checker, FieldErrors, limits};

/// Files one request or comment may carry.
pub const MAX_ATTACHMENTS: usize = 3;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    InProgress,
    /// The company asked the customer something.
    WaitingCustomer,
    Resolved,
    Closed,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Open,
        RequestStatus::InProgress,
        RequestStatus::WaitingCustomer,
        RequestStatus::Resolved,
        RequestStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::InProgress => "in_progress",
            RequestStatus::WaitingCustomer => "waiting_customer",
            RequestStatus::Resolved => "resolved",
            RequestStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Still to be dealt with: neither resolved nor closed.
    pub fn is_open(self) -> bool {
        !matches!(self, RequestStatus::Resolved | RequestStatus::Closed)
    }

    /// The state a request takes when its customer writes in it: a request
    /// waiting for the customer, or one resolved, is open again.
    pub fn after_customer_comment(self) -> Self {
        match self {
            RequestStatus::WaitingCustomer | RequestStatus::Resolved => RequestStatus::Open,
            other => other,
        }
    }
}

/// How urgent a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
}

/// The human number of the `n`th request: `SOL-000012`.
pub fn number(n: i64) -> String {
    format!("SOL-{n:06}")
}

/// What a contact sends to open a request.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub subject: String,
    pub description: String,
    /// `normal` when blank.
    pub priority: String,
    /// The branch it is about, or the account itself.
    pub branch: Option<uuid::Uuid>,
}

/// A checked request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFields {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub branch: Option<uuid::Uuid>,
}

impl RequestInput {
    pub fn validate(&self) -> Result<RequestFields, FieldErrors> {
        let mut check = Checker::default();
        let subject = check.required("subject", &self.subject, limits::TEXT);
        let description = check.required("description", &self.description, limits::LONG_TEXT);
        let priority = match self.priority.trim() {
            "" => Some(Priority::Normal),
            raw => Priority::parse(raw),
        };
        if priority.is_none() {
            check.errors.add("priority", "field-choice-invalid");
        }
        check.errors.finish(RequestFields {
            subject,
            description,
            priority: priority.unwrap_or(Priority::Normal),
            branch: self.branch,
        })
    }
}

/// What either side adds to a request's thread.
#[derive(Debug, Clone, Default)]
pub struct CommentInput {
    pub body: String,
    /// Staff only: the state the request moves to (blank: unchanged).
    pub status: String,
}

/// A checked comment: its text and the state asked for (at least one).
#[derive(Debug, Clone, PartialEq)]
pub struct CommentFields {
    pub body: Option<String>,
    pub status: Option<RequestStatus>,
}

impl CommentInput {
    /// Checks a comment; `files` is how many files come with it (a comment
    /// may be only files).
    pub fn validate(&self, files: usize) -> Result<CommentFields, FieldErrors> {
        let mut check = Checker::default();
        let body = check.text("body", &self.body, limits::LONG_TEXT);
        let status = match self.status.trim() {
            "" => None,
            raw => {
                let status = RequestStatus::parse(raw);
                if status.is_none() {
                    check.errors.add("status", "field-choice-invalid");
                }
                status
            }
        };
        if body.is_none() && status.is_none() && files == 0 && check.errors.is_empty() {
            check.errors.add("body", "field-required");
        }
        check.errors.finish(CommentFields { body, status })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_needs_a_subject_a_description_and_a_known_priority() {
        let errors = RequestInput {
            priority: "ya".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(errors.get("subject"), Some("field-required"));
        assert_eq!(errors.get("description"), Some("field-required"));
        assert_eq!(errors.get("priority"), Some("field-choice-invalid"));
        let ok = RequestInput {
            subject: "Nevera dañada".into(),
            description: "Llegó con la puerta rota.\nFoto adjunta.".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.priority, Priority::Normal);
    }

    #[test]
    fn a_comment_is_text_files_or_a_change_of_state() {
        let empty = CommentInput::default();
        assert_eq!(
            empty.validate(0).unwrap_err().get("body"),
            Some("field-required")
        );
        assert!(empty.validate(1).is_ok());
        let moved = CommentInput {
            status: "resolved".into(),
            ..Default::default()
        };
        assert_eq!(
            moved.validate(0).unwrap().status,
            Some(RequestStatus::Resolved)
        );
    }

    #[test]
    fn the_customer_writing_reopens_what_waited_for_it_or_was_resolved() {
        assert_eq!(
            RequestStatus::WaitingCustomer.after_customer_comment(),
            RequestStatus::Open
        );
        assert_eq!(
            RequestStatus::Resolved.after_customer_comment(),
            RequestStatus::Open
        );
        assert_eq!(
            RequestStatus::InProgress.after_customer_comment(),
            RequestStatus::InProgress
        );
        assert_eq!(
            RequestStatus::Closed.after_customer_comment(),
            RequestStatus::Closed
        );
    }
}
