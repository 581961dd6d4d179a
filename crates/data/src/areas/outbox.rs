//! The mail outbox: outgoing mail written in the same transaction as the change
//! that causes it, then claimed, delivered and marked by the mail dispatcher.
//!
//! A row is *pending* while it has no `sent_at` and a `next_attempt_at`; it is
//! *due* once `next_attempt_at` has passed. A delivery attempt first claims the
//! row ([`OutboxArea::claim`]: one more attempt, and `next_attempt_at` moved to
//! when the claim lapses), so two dispatchers never send the same mail at once
//! and a crash mid-send only delays it. A mail that failed for good keeps its
//! `last_error` and has no `next_attempt_at`.

use chrono::{DateTime, Utc};
use portico_domain::Email;
use sea_query::{Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::tables::MailOutbox;
use crate::{DataError, MailId, TenantTx};

const COLUMNS: [MailOutbox; 12] = [
    MailOutbox::Id,
    MailOutbox::ToAddress,
    MailOutbox::ToName,
    MailOutbox::Subject,
    MailOutbox::BodyText,
    MailOutbox::BodyHtml,
    MailOutbox::CreatedAt,
    MailOutbox::Attempts,
    MailOutbox::NextAttemptAt,
    MailOutbox::SentAt,
    MailOutbox::LastError,
    MailOutbox::TenantId,
];

/// How much of a transport's error message is kept.
const MAX_ERROR_CHARS: usize = 1000;

/// A mail to send: one recipient, a plain-text body and optionally an HTML one.
/// The sender is the configured `mail_from`.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub to: Email,
    /// The recipient's name as shown in `To:` (any characters; encoded as needed).
    pub to_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    /// When present the mail is `multipart/alternative` (text and HTML).
    pub body_html: Option<String>,
}

/// A mail in the outbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxMail {
    #[sqlx(try_from = "Uuid")]
    pub id: MailId,
    pub to_address: String,
    pub to_name: Option<String>,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Delivery attempts started so far.
    pub attempts: i32,
    /// When it is due (pending), when the running attempt's claim lapses, or
    /// `None` once sent or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed (the transport's message, no credentials).
    pub last_error: Option<String>,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: crate::TenantId,
}

impl OutboxMail {
    /// Not sent and not given up.
    pub fn is_pending(&self) -> bool {
        self.sent_at.is_none() && self.next_attempt_at.is_some()
    }
}

/// The tenant's mail outbox.
pub struct OutboxArea<'t> {
    pub(crate) tx: &'t mut TenantTx,
}

impl OutboxArea<'_> {
    /// Puts a mail in this tenant's outbox, due at once. It is only sent if this
    /// transaction commits; call the dispatcher's `kick` after the commit to send
    /// it without waiting for the next sweep.
    pub async fn enqueue(&mut self, mail: &NewMail) -> Result<MailId, DataError> {
        let id = MailId::generate();
        let now = Utc::now();
        let insert = Query::insert()
            .into_table(MailOutbox::Table)
            .columns([
                MailOutbox::TenantId,
                MailOutbox::Id,
                MailOutbox::ToAddress,
                MailOutbox::ToName,
                MailOutbox::Subject,
                MailOutbox::BodyText,
                MailOutbox::BodyHtml,
                MailOutbox::CreatedAt,
                MailOutbox::Attempts,
                MailOutbox::NextAttemptAt,
            ])
            .values_panic([
                self.tx.tenant_id().as_uuid().into(),
                id.as_uuid().into(),
                mail.to.as_str().into(),
                mail.to_name.clone().into(),
                mail.subject.clone().into(),
                mail.body_text.clone().into(),
                mail.body_html.clone().into(),
                now.into(),
                0i32.into(),
                now.into(),
            ])
            .to_owned();
        self.tx.conn.execute(&insert).await?;
        Ok(id)
    }

    fn select(&self) -> sea_query::SelectStatement {
        Query::select()
            .columns(COLUMNS)
            .from(MailOutbox::Table)
            .and_where(Expr::col(MailOutbox::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .to_owned()
    }

    /// One mail of this tenant's outbox, whatever its state.
    pub async fn find(&mut self, id: MailId) -> Result<Option<OutboxMail>, DataError> {
        let select = self
            .select()
            .and_where(Expr::col(MailOutbox::Id).eq(id.as_uuid()))
            .to_owned();
        self.tx.conn.fetch_optional(&select).await
    }

    /// Up to `limit` pending mails that are due now, oldest due first.
    pub async fn pending(&mut self, limit: u64) -> Result<Vec<OutboxMail>, DataError> {
        let select = self
            .select()
            .and_where(Expr::col(MailOutbox::SentAt).is_null())
            .and_where(Expr::col(MailOutbox::NextAttemptAt).is_not_null())
            .and_where(Expr::col(MailOutbox::NextAttemptAt).lte(Utc::now()))
            .order_by(MailOutbox::NextAttemptAt, Order::Asc)
            .order_by(MailOutbox::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }

    /// Up to `limit` mails still on their way — neither sent nor given up,
    /// due or not, an attempt running or not — oldest first.
    pub async fn unsent(&mut self, limit: u64) -> Result<Vec<OutboxMail>, DataError> {
        let select = self
            .select()
            .and_where(Expr::col(MailOutbox::SentAt).is_null())
            .and_where(Expr::col(MailOutbox::NextAttemptAt).is_not_null())
            .order_by(MailOutbox::CreatedAt, Order::Asc)
            .order_by(MailOutbox::Id, Order::Asc)
            .limit(limit)
            .to_owned();
        self.tx.conn.fetch_all(&select).await
    }

    /// Starts a delivery attempt: counts it and moves `next_attempt_at` to
    /// `lease_until`, when the claim lapses if the attempt never reports back.
    /// `false` when the mail is no longer due (sent, given up, or claimed by
    /// another dispatcher meanwhile).
    pub async fn claim(
        &mut self,
        id: MailId,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, DataError> {
        let update = Query::update()
            .table(MailOutbox::Table)
            .value(MailOutbox::Attempts, Expr::col(MailOutbox::Attempts).add(1))
            .value(MailOutbox::NextAttemptAt, lease_until)
            .and_where(Expr::col(MailOutbox::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(MailOutbox::Id).eq(id.as_uuid()))
            .and_where(Expr::col(MailOutbox::SentAt).is_null())
            .and_where(Expr::col(MailOutbox::NextAttemptAt).is_not_null())
            .and_where(Expr::col(MailOutbox::NextAttemptAt).lte(Utc::now()))
            .to_owned();
        Ok(self.tx.conn.execute(&update).await? == 1)
    }

    /// Records a delivered mail; `false` when no such pending mail exists.
    pub async fn mark_sent(&mut self, id: MailId) -> Result<bool, DataError> {
        let update = Query::update()
            .table(MailOutbox::Table)
            .values([
                (MailOutbox::SentAt, Utc::now().into()),
                (
                    MailOutbox::NextAttemptAt,
                    Option::<DateTime<Utc>>::None.into(),
                ),
            ])
            .and_where(Expr::col(MailOutbox::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(MailOutbox::Id).eq(id.as_uuid()))
            .and_where(Expr::col(MailOutbox::SentAt).is_null())
            .to_owned();
        Ok(self.tx.conn.execute(&update).await? == 1)
    }

    /// Records a failed attempt: `error` is the transport's message (the caller
    /// keeps credentials out of it; it is cut to 1000 characters), and the mail
    /// is tried again at `next_attempt_at`, or never again when `None`. `false`
    /// when no such pending mail exists.
    pub async fn mark_failed(
        &mut self,
        id: MailId,
        error: &str,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<bool, DataError> {
        let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
        let update = Query::update()
            .table(MailOutbox::Table)
            .values([
                (MailOutbox::LastError, error.into()),
                (MailOutbox::NextAttemptAt, next_attempt_at.into()),
            ])
            .and_where(Expr::col(MailOutbox::TenantId).eq(self.tx.tenant_id().as_uuid()))
            .and_where(Expr::col(MailOutbox::Id).eq(id.as_uuid()))
            .and_where(Expr::col(MailOutbox::SentAt).is_null())
            .to_owned();
        Ok(self.tx.conn.execute(&update).await? == 1)
    }
}
