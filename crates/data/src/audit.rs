//! The audit log: who did what to which record, when, with the values before and after.

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, Iden, Order, Query};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::{AuditEventId, DataError, OperatorId, StaffUserId, TenantTx};

#[derive(Iden)]
enum AuditEvents {
    Table,
    TenantId,
    Id,
    OccurredAt,
    ActorKind,
    ActorId,
    Action,
    SubjectKind,
    SubjectId,
    Changes,
    RequestId,
}

/// Who performed an audited action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(StaffUserId),
    Operator(OperatorId),
    /// Portico itself (start-up, demo data, background jobs).
    System,
}

impl Actor {
    fn kind(self) -> &'static str {
        match self {
            Actor::Staff(_) => "staff",
            Actor::Operator(_) => "operator",
            Actor::System => "system",
        }
    }

    fn id(self) -> Option<Uuid> {
        match self {
            Actor::Staff(id) => Some(id.as_uuid()),
            Actor::Operator(id) => Some(id.as_uuid()),
            Actor::System => None,
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
    #[sqlx(json)]
    pub changes: Json,
    pub request_id: Option<String>,
}

impl TenantTx {
    /// Appends an event to this tenant's audit log.
    pub async fn record_audit_event(
        &mut self,
        event: NewAuditEvent<'_>,
    ) -> Result<AuditEventId, DataError> {
        let id = AuditEventId::generate();
        let insert = Query::insert()
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
                AuditEvents::Changes,
                AuditEvents::RequestId,
            ])
            .values_panic([
                self.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                Utc::now().into(),
                event.actor.kind().into(),
                event.actor.id().into(),
                event.action.into(),
                event.subject_kind.into(),
                event.subject_id.into(),
                event.changes.into(),
                event.request_id.map(str::to_owned).into(),
            ])
            .to_owned();
        self.conn.execute(&insert).await?;
        Ok(id)
    }

    /// This tenant's most recent events, newest first, at most `limit`.
    pub async fn list_audit_events(&mut self, limit: u64) -> Result<Vec<AuditEvent>, DataError> {
        let select = Query::select()
            .columns([
                AuditEvents::Id,
                AuditEvents::OccurredAt,
                AuditEvents::ActorKind,
                AuditEvents::ActorId,
                AuditEvents::Action,
                AuditEvents::SubjectKind,
                AuditEvents::SubjectId,
                AuditEvents::Changes,
                AuditEvents::RequestId,
            ])
            .from(AuditEvents::Table)
            .and_where(Expr::col(AuditEvents::TenantId).eq(self.tenant_id().as_uuid()))
            .order_by(AuditEvents::OccurredAt, Order::Desc)
            .order_by(AuditEvents::Id, Order::Desc)
            .limit(limit)
            .to_owned();
        self.conn.fetch_all(&select).await
    }
}
