//! The audit log: who did what to which record, when, with the values before and after.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::tables::{AuditEvents, StaffUsers};
use crate::{ApiKeyId, AuditEventId, ContactId, DataError, OperatorId, StaffUserId, TenantTx};

/// Who performed an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(StaffUserId),
    Operator(OperatorId),
    /// A program calling the admin API with a key.
    ApiKey(ApiKeyId),
    /// Portico itself (start-up, demo data, background jobs).
    System,
    /// A contact acting in a portal (accepting its invitation, signing in).
    Contact(ContactId),
}

impl Actor {
    fn kind(self) -> &'static str {
        match self {
            Actor::Staff(_) => "staff",
            Actor::Operator(_) => "operator",
            Actor::ApiKey(_) => "api_key",
            Actor::System => "system",
            Actor::Contact(_) => "contact",
        }
    }

    fn id(self) -> Option<Uuid> {
        match self {
            Actor::Staff(id) => Some(id.as_uuid()),
            Actor::Operator(id) => Some(id.as_uuid()),
            Actor::ApiKey(id) => Some(id.as_uuid()),
            Actor::System => None,
            Actor::Contact(id) => Some(id.as_uuid()),
        }
    }
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub actor: Actor,
    /// A dotted verb such as `staff.sign_in` or `tenant.suspend`.
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: Option<Uuid>,
    /// A second record the event concerns (the account a contact was linked to).
    pub related_id: Option<Uuid>,
    /// `{"before": …, "after": …}` or any detail worth keeping; never secrets.
    pub changes: Json,
    pub request_id: Option<&'a str>,
}

/// A recorded event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEvent {
    #[sqlx(try_from = "Uuid")]
    pub id: AuditEventId,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<Uuid>,
    pub related_id: Option<Uuid>,
    #[sqlx(json)]
    pub changes: Json,
    pub request_id: Option<String>,
    /// The staff user's name, when a staff user did it.
    pub actor_name: Option<String>,
}

/// The tenant's audit log: recording events and reading history.
pub struct AuditArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl AuditArea<'_> {
    /// Appends an event to this tenant's audit log.
    pub async fn record(&mut self, event: NewAuditEvent<'_>) -> Result<AuditEventId, DataError> {
        let id = AuditEventId::generate();
        self.record_all(&[(id, event)]).await?;
        Ok(id)
    }

    /// Appends events in one statement.
    pub(crate) async fn record_all(
        &mut self,
        events: &[(AuditEventId, NewAuditEvent<'_>)],
    ) -> Result<(), DataError> {
        let now = Utc::now();
        let mut insert = Query::insert()
            .into_table(AuditEvents::Table)
            .columns([
                AuditEvents::TenantId,
                AuditEvents::Id,
                AuditEvents::OccurredAt,
                AuditEvents::ActorKind,
                AuditEvents::ActorId,
                AuditEvents::Action,
                AuditEvents::SubjectKind,
                AuditEvents::SubjectId,
                AuditEvents::RelatedId,
                AuditEvents::Changes,
                AuditEvents::RequestId,
            ])
            .to_owned();
        for (id, event) in events {
            insert.values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                now.into(),
                event.actor.kind().into(),
                event.actor.id().into(),
                event.action.into(),
                event.subject_kind.into(),
                event.subject_id.into(),
                event.related_id.into(),
                event.changes.clone().into(),
                event.request_id.map(str::to_owned).into(),
            ]);
        }
        self.tx.conn.execute(&insert).await.map(drop)
    }

    /// This tenant's most recent events, newest first, at most `limit`.
    pub async fn list(&mut self, limit: u64) -> Result<Vec<AuditEvent>, DataError> {
        let select = self
            .event_select()
            .order_by((AuditEvents::Table, AuditEvents::OccurredAt), Order::Desc)
            .order_by((AuditEvents::Table, AuditEvents::Id), Order::Desc)
            .limit(limit)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }

    /// The history of one record: events about it or related to it, newest first,
    /// at most `limit`.
    pub async fn history(
        &mut self,
        record: Uuid,
        limit: u64,
    ) -> Result<Vec<AuditEvent>, DataError> {
        let select = self
            .event_select()
            .and_where(
                Expr::col((AuditEvents::Table, AuditEvents::SubjectId))
                    .eq(record)
                    .or(Expr::col((AuditEvents::Table, AuditEvents::RelatedId)).eq(record)),
            )
            .order_by((AuditEvents::Table, AuditEvents::OccurredAt), Order::Desc)
            .order_by((AuditEvents::Table, AuditEvents::Id), Order::Desc)
            .limit(limit)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }
}

impl AuditArea<'_> {
    /// Events of this tenant with the acting staff user's name.
    fn event_select(&self) -> sea_query::SelectStatement {
        Query::select()
            .columns(EVENT_COLUMNS.map(|c| (AuditEvents::Table, c)))
            .expr_as(
                Expr::col((StaffUsers::Table, StaffUsers::Name)),
                sea_query::Alias::new("actor_name"),
            )
            .from(AuditEvents::Table)
            .left_join(
                StaffUsers::Table,
                Expr::col((StaffUsers::Table, StaffUsers::TenantId))
                    .equals((AuditEvents::Table, AuditEvents::TenantId))
                    .and(
                        Expr::col((StaffUsers::Table, StaffUsers::Id))
                            .equals((AuditEvents::Table, AuditEvents::ActorId)),
                    ),
            )
            .and_where(
                Expr::col((AuditEvents::Table, AuditEvents::TenantId))
                    .eq(self.tx.tenant_id().as_uuid()),
            )
            .to_owned()
    }
}

const EVENT_COLUMNS: [AuditEvents; 10] = [
    AuditEvents::Id,
    AuditEvents::OccurredAt,
    AuditEvents::ActorKind,
    AuditEvents::ActorId,
    AuditEvents::Action,
    AuditEvents::SubjectKind,
    AuditEvents::SubjectId,
    AuditEvents::RelatedId,
    AuditEvents::Changes,
    AuditEvents::RequestId,
];

/// `{"field": {"before": …, "after": …}}` for the top-level fields that differ
/// between two JSON objects: what a history entry shows for an edit.
pub fn diff(before: &Json, after: &Json) -> Json {
    let (Some(old_fields), Some(new_fields)) = (before.as_object(), after.as_object()) else {
        if before == after {
            return Json::Object(serde_json::Map::new());
        }
        return serde_json::json!({ "value": { "before": before, "after": after } });
    };
    let mut changed = serde_json::Map::new();
    let keys: std::collections::BTreeSet<&String> =
        old_fields.keys().chain(new_fields.keys()).collect();
    for key in keys {
        let old = old_fields.get(key).unwrap_or(&Json::Null);
        let new = new_fields.get(key).unwrap_or(&Json::Null);
        if old != new {
            changed.insert(
                key.clone(),
                serde_json::json!({ "before": old, "after": new }),
            );
        }
    }
    Json::Object(changed)
}

/// Who is making a change, carried into every event the change records.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    pub actor: Actor,
    pub request_id: Option<&'a str>,
}

impl AuditArea<'_> {
    /// Records one event of a change made `by` someone.
    pub(crate) async fn log(
        &mut self,
        by: By<'_>,
        action: &str,
        subject: (&str, Uuid),
        related_id: Option<Uuid>,
        changes: Json,
    ) -> Result<(), DataError> {
        self.record(NewAuditEvent {
            actor: by.actor,
            action,
            subject_kind: subject.0,
            subject_id: Some(subject.1),
            related_id,
            changes,
            request_id: by.request_id,
        })
        .await
        .map(drop)
    }
}
