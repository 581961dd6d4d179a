//! The customer portal's API (`/portal/api/v1`), mirroring the Sales and
//! Receivables pages for the signed-in contact: the same scope, the same
//! branch narrowing, the same SQL. `account` picks one of the contact's
//! accounts (else the current one); `branch` narrows to one visible branch.

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_domain::Permission;
use portico_portal::PortalSession;
use portico_web::{
    AppError,
    date::Date,
    problem::ApiError,
    sales_json::{
        InvoiceJson, InvoicePage, InvoiceSummary, PaymentJson, PaymentPage, PaymentSummary,
    },
};
use uuid::Uuid;

use crate::{
    ageing::BUCKET_LABELS,
    receivables::{StatementForm, checked_range},
    view,
};

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) use portico_portal::api_scope::{cursor, default_limit, more, scope};

/// One ageing bucket.
#[derive(Debug, Object)]
pub(crate) struct BucketJson {
    /// `current`, `1_30`, `31_60`, `61_90` or `over_90` (days past due).
    pub bucket: String,
    pub amount: String,
}

/// What the customer owes in one currency, by age.
#[derive(Debug, Object)]
pub(crate) struct AgeingJson {
    pub currency: String,
    /// The sum of the buckets.
    pub open: String,
    /// Every bucket but `current`.
    pub overdue: String,
    pub buckets: Vec<BucketJson>,
}

/// What is owed, per currency, on a date.
#[derive(Debug, Object)]
pub(crate) struct ReceivablesJson {
    pub on: Date,
    pub currencies: Vec<AgeingJson>,
}

/// An open document.
#[derive(Debug, Object, Clone)]
pub(crate) struct OpenItemJson {
    /// `invoice`, `credit_note` or `payment`.
    pub kind: String,
    pub id: Uuid,
    pub number: String,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub date: Date,
    pub due_on: Date,
    pub currency: String,
    pub amount: String,
    /// Still open: positive owed, negative a credit.
    pub open: String,
}

/// A page of open documents, the oldest due first.
#[derive(Debug, Object)]
pub(crate) struct OpenItemPage {
    pub items: Vec<OpenItemJson>,
    #[oai(nullable)]
    pub next: Option<String>,
}

/// A line of a statement.
#[derive(Debug, Object)]
pub(crate) struct MovementJson {
    pub kind: String,
    pub id: Uuid,
    pub number: String,
    pub date: Date,
    #[oai(nullable)]
    pub branch_id: Option<Uuid>,
    pub debit: String,
    pub credit: String,
    /// The running balance after it.
    pub balance: String,
}

/// A statement of account.
#[derive(Debug, Object)]
pub(crate) struct StatementJson {
    pub currency: String,
    pub from: Date,
    pub to: Date,
    pub opening: String,
    pub movements: Vec<MovementJson>,
    pub closing: String,
    /// False when the range has more than 1,000 movements and the list stops there.
    pub complete: bool,
}

/// The customer portal's operations.
pub struct CustomerApi;

#[OpenApi]
impl CustomerApi {
    /// The invoices and credit notes the contact sees, newest first.
    #[oai(path = "/invoices", method = "get", operation_id = "invoices")]
    async fn invoices(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// One of the visible branches (account-level documents stay listed).
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default).
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<InvoicePage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::SalesView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .customer_records()
            .invoices_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(InvoicePage {
            items: rows.iter().map(InvoiceSummary::from).collect(),
            next,
        }))
    }

    /// One invoice or credit note the contact sees.
    #[oai(path = "/invoices/:id", method = "get", operation_id = "invoice")]
    async fn invoice(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<InvoiceJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::SalesView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let invoice = tx.customer_records().invoice(&scope, id.0).await?;
        tx.commit().await?;
        let invoice = invoice.ok_or(AppError::NotFound)?;
        Ok(Json(InvoiceJson::from(&invoice)))
    }

    /// The payments the contact sees, newest first.
    #[oai(path = "/payments", method = "get", operation_id = "payments")]
    async fn payments(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<PaymentPage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::SalesView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .customer_records()
            .payments_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(PaymentPage {
            items: rows.iter().map(PaymentSummary::from).collect(),
            next,
        }))
    }

    /// One payment the contact sees, with the invoices it paid.
    #[oai(path = "/payments/:id", method = "get", operation_id = "payment")]
    async fn payment(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<PaymentJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::SalesView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let payment = tx.customer_records().payment(&scope, id.0).await?;
        tx.commit().await?;
        let payment = payment.ok_or(AppError::NotFound)?;
        Ok(Json(PaymentJson::from(&payment)))
    }

    /// What the customer owes today, per currency, by age.
    #[oai(path = "/receivables", method = "get", operation_id = "receivables")]
    async fn receivables(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        branch: Query<Option<Uuid>>,
    ) -> Result<Json<ReceivablesJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::ReceivablesView,
        )
        .await?;
        let today = view::today();
        let mut tx = session.tx().await?;
        let ageing = tx.customer_records().ageing(&scope, today).await?;
        tx.commit().await?;
        const KEYS: [&str; 5] = ["current", "1_30", "31_60", "61_90", "over_90"];
        debug_assert_eq!(KEYS.len(), BUCKET_LABELS.len());
        Ok(Json(ReceivablesJson {
            on: Date(today),
            currencies: ageing
                .iter()
                .map(|a| AgeingJson {
                    currency: a.currency.clone(),
                    open: a.open.to_string(),
                    overdue: a.overdue().to_string(),
                    buckets: KEYS
                        .iter()
                        .zip(a.buckets.iter())
                        .map(|(k, v)| BucketJson {
                            bucket: (*k).to_owned(),
                            amount: v.to_string(),
                        })
                        .collect(),
                })
                .collect(),
        }))
    }

    /// The open documents, the oldest due first.
    #[oai(
        path = "/receivables/open-items",
        method = "get",
        operation_id = "open_items"
    )]
    async fn open_items(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        branch: Query<Option<Uuid>>,
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))] after: Query<Option<String>>,
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<OpenItemPage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::ReceivablesView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .customer_records()
            .open_items(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(OpenItemPage {
            items: rows
                .iter()
                .map(|i| OpenItemJson {
                    kind: i.kind.to_owned(),
                    id: i.id,
                    number: i.number.clone(),
                    branch_id: i.branch_id.map(|b| b.as_uuid()),
                    date: Date(i.date),
                    due_on: Date(i.due_on),
                    currency: i.currency.clone(),
                    amount: i.amount.to_string(),
                    open: i.open.to_string(),
                })
                .collect(),
            next,
        }))
    }

    /// The statement of account of a date range (both days included) in one
    /// currency (the company's by default): opening balance, each document
    /// with the running balance, closing balance. Bad dates or a range over
    /// five years answer 422.
    #[oai(
        path = "/receivables/statement",
        method = "get",
        operation_id = "statement"
    )]
    async fn statement(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        branch: Query<Option<Uuid>>,
        /// ISO 4217; the company's currency when absent.
        currency: Query<Option<String>>,
        /// The first day, `YYYY-MM-DD` (three months back, from the 1st, when
        /// absent or empty).
        #[oai(validator(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"))]
        from: Query<Option<String>>,
        /// The last day, `YYYY-MM-DD` (today when absent or empty); a real
        /// date, not before `from`, at most five years after it (else 422).
        #[oai(validator(pattern = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"))]
        to: Query<Option<String>>,
    ) -> Result<Json<StatementJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::ReceivablesView,
        )
        .await?;
        let form = StatementForm {
            currency: currency.0,
            from: from.0,
            to: to.0,
            branch: None,
        };
        let company = session.tenant.currency().to_owned();
        let (currency, from, to) =
            checked_range(&form, &company, view::today()).map_err(AppError::Invalid)?;
        let mut tx = session.tx().await?;
        let s = tx
            .customer_records()
            .statement(&scope, &currency, from, to)
            .await?;
        tx.commit().await?;
        Ok(Json(StatementJson {
            currency: s.currency.clone(),
            from: Date(s.from),
            to: Date(s.to),
            opening: s.opening.to_string(),
            closing: s.closing.to_string(),
            complete: s.complete,
            movements: s
                .movements
                .iter()
                .map(|m| MovementJson {
                    kind: m.kind.to_owned(),
                    id: m.id,
                    number: m.number.clone(),
                    date: Date(m.date),
                    branch_id: m.branch_id.map(|b| b.as_uuid()),
                    debit: m.debit.to_string(),
                    credit: m.credit.to_string(),
                    balance: m.balance.to_string(),
                })
                .collect(),
        }))
    }
}
