//! The supplier portal's API (`/supplier/api/v1`), mirroring the Purchase
//! orders pages: the same scope and branch narrowing, the same SQL, the same
//! command (`acknowledging`). `account` picks one of the contact's accounts
//! (else the current one); `branch` narrows to one visible branch.

use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use portico_domain::{
    Permission,
    purchasing::{AckInput, LineAckInput},
    supplier_invoices::{InvoiceLineInput, SupplierInvoiceInput},
};
use portico_portal::{
    PortalSession, SignedInContact,
    api_scope::{cursor, default_limit, more, scope},
};
use portico_web::{
    AppError,
    date::Date,
    problem::ApiError,
    purchasing_json::{
        MatchJson, PoJson, PoPage, PoSummary, SupplierInvoiceJson, SupplierInvoicePage,
        SupplierInvoiceSummary,
    },
    text::Text,
};
use uuid::Uuid;

use crate::{acknowledging, invoicing};

type Result<T> = std::result::Result<T, ApiError>;

/// The supplier's answer to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub(crate) enum LineDecisionJson {
    Accept,
    /// Needs a reason.
    Reject,
    /// Accept with another quantity and/or a promised date.
    Change,
}

/// The answer to one line, in the order's line order.
#[derive(Debug, Clone, Object)]
pub(crate) struct LineAnswerBody {
    pub decision: LineDecisionJson,
    /// `change`: the quantity it will deliver instead (above zero).
    #[oai(nullable)]
    pub quantity: Option<Text>,
    /// `change`: the date it promises instead (not before the order's).
    #[oai(nullable)]
    pub promised_on: Option<Date>,
    /// Required to reject; optional otherwise.
    #[oai(nullable)]
    pub reason: Option<Text>,
}

/// An acknowledgement: one answer per line of the order, and a note for
/// staff. Accepting every line acknowledges the order; any other answer
/// waits for staff's review (`in_review`).
#[derive(Debug, Clone, Object)]
pub(crate) struct AckBody {
    pub lines: Vec<LineAnswerBody>,
    #[oai(nullable)]
    pub note: Option<Text>,
}

impl From<&AckBody> for AckInput {
    fn from(b: &AckBody) -> Self {
        AckInput {
            lines: b
                .lines
                .iter()
                .map(|l| LineAckInput {
                    decision: match l.decision {
                        LineDecisionJson::Accept => "accept",
                        LineDecisionJson::Reject => "reject",
                        LineDecisionJson::Change => "change",
                    }
                    .into(),
                    quantity: l.quantity.as_ref().map(|q| q.0.clone()),
                    promised_on: l.promised_on.map(|d| d.0.to_string()),
                    reason: l.reason.as_ref().map(|r| r.0.clone()),
                })
                .collect(),
            note: b.note.as_ref().map(|n| n.0.clone()),
        }
    }
}

/// One invoice line: the order line it bills and how much, at what price
/// and tax.
#[derive(Debug, Clone, Object)]
pub(crate) struct InvoiceLineBody {
    /// The order line's position (1, 2, …).
    pub position: i64,
    pub quantity: Text,
    pub unit_price: Text,
    /// Percent (`"18"`).
    pub tax_rate: Text,
}

/// An invoice against one of the supplier's purchase orders.
#[derive(Debug, Clone, Object)]
pub(crate) struct InvoiceBody {
    /// The purchase order it bills (acknowledged or received).
    pub order_id: Uuid,
    /// The supplier's own invoice number.
    pub number: Text,
    pub issued_on: Date,
    /// The issue date when absent.
    #[oai(nullable)]
    pub due_on: Option<Date>,
    /// The tax id printed on the invoice.
    pub tax_id: Text,
    /// Required to submit an invoice with exceptions.
    #[oai(nullable)]
    pub note: Option<Text>,
    pub lines: Vec<InvoiceLineBody>,
}

impl From<&InvoiceBody> for SupplierInvoiceInput {
    fn from(b: &InvoiceBody) -> Self {
        SupplierInvoiceInput {
            number: b.number.0.clone(),
            issued_on: b.issued_on.0.to_string(),
            due_on: b.due_on.map(|d| d.0.to_string()),
            tax_id: b.tax_id.0.clone(),
            note: b.note.as_ref().map(|n| n.0.clone()),
            lines: b
                .lines
                .iter()
                .map(|l| InvoiceLineInput {
                    position: l.position,
                    quantity: l.quantity.0.clone(),
                    unit_price: l.unit_price.0.clone(),
                    tax_rate: l.tax_rate.0.clone(),
                })
                .collect(),
        }
    }
}

/// Purchase orders and invoices of the signed-in contact's supplier.
pub struct SupplierApi;

/// The contact acting for the account asked for, whatever it may do there:
/// the command finds the order first (another's is "not found") and only
/// then asks for the grant.
fn acting(
    mut session: PortalSession,
    account: Option<&str>,
) -> std::result::Result<SignedInContact, AppError> {
    let scope = session
        .resolve(account, false)?
        .ok_or(AppError::BadRequest("customer-api-account-required"))?;
    Ok(SignedInContact { session, scope })
}

async fn one(me: &SignedInContact, id: Uuid) -> Result<Json<PoJson>> {
    let mut tx = me.session.tx().await?;
    let detail = acknowledging::find(&mut tx, me, id).await?;
    tx.commit().await?;
    Ok(Json(PoJson::from(&detail)))
}

#[OpenApi]
impl SupplierApi {
    /// The supplier's purchase orders (drafts apart), newest first.
    #[oai(path = "/purchase-orders", method = "get")]
    async fn list_purchase_orders(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// One of the branches the contact sees.
        branch: Query<Option<Uuid>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<PoPage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            branch.0,
            Permission::PurchaseOrdersView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .purchase_orders()
            .portal_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(PoPage {
            items: rows.iter().map(PoSummary::from).collect(),
            next,
        }))
    }

    /// One purchase order with its lines, answers and history; 404 for one
    /// the contact does not see.
    #[oai(path = "/purchase-orders/:id", method = "get")]
    async fn get_purchase_order(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<PoJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::PurchaseOrdersView,
        )
        .await?;
        one(&SignedInContact { session, scope }, id.0).await
    }

    /// Acknowledges a purchase order line by line: 404 for one the contact
    /// does not see, 403 without the grant, 409 once it no longer waits for
    /// an answer, 422 naming each line's problem as `lines[n].…`.
    #[oai(path = "/purchase-orders/:id/acknowledgement", method = "post")]
    async fn acknowledge_purchase_order(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
        body: Json<AckBody>,
    ) -> Result<Json<PoJson>> {
        let me = acting(session, account.0.as_deref())?;
        acknowledging::acknowledge(&me, id.0, &AckInput::from(&body.0)).await?;
        one(&me, id.0).await
    }

    /// The supplier's invoices, newest first.
    #[oai(path = "/supplier-invoices", method = "get")]
    async fn list_supplier_invoices(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        /// The `next` value of the previous page.
        #[oai(validator(pattern = r"^00[0-4][0-9a-f]{37}$"))]
        after: Query<Option<String>>,
        /// Rows per page, 1 to 200 (50 by default); any other number is a 400.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        limit: Query<u64>,
    ) -> Result<Json<SupplierInvoicePage>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::SupplierInvoicesView,
        )
        .await?;
        let after = cursor(after.0.as_deref())?;
        let mut tx = session.tx().await?;
        let mut rows = tx
            .supplier_invoices()
            .portal_page(&scope, after.as_ref(), limit.0 + 1)
            .await?;
        tx.commit().await?;
        let next = more(&mut rows, limit.0).map(|r| r.cursor().encode());
        Ok(Json(SupplierInvoicePage {
            items: rows.iter().map(SupplierInvoiceSummary::from).collect(),
            next,
        }))
    }

    /// One invoice with each line's match result; 404 for one the contact
    /// does not see.
    #[oai(path = "/supplier-invoices/:id", method = "get")]
    async fn get_supplier_invoice(
        &self,
        session: PortalSession,
        id: Path<Uuid>,
        account: Query<Option<String>>,
    ) -> Result<Json<SupplierInvoiceJson>> {
        let mut session = session;
        let (scope, _) = scope(
            &mut session,
            account.0.as_deref(),
            None,
            Permission::SupplierInvoicesView,
        )
        .await?;
        let mut tx = session.tx().await?;
        let detail = tx
            .supplier_invoices()
            .portal_detail(&scope, id.0)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Json(SupplierInvoiceJson::from(&detail)))
    }

    /// Pre-matches an invoice against its order, writing nothing: each
    /// line's result (quantity within what was received and not yet
    /// invoiced, price within the company's tolerance, tax as ordered) and
    /// the invoice's (total within what is open on the order, number not
    /// already used, tax id the supplier's). 404 for an order the contact
    /// does not see, 409 for one that takes no invoices, 422 for a malformed
    /// invoice.
    #[oai(path = "/supplier-invoice-checks", method = "post")]
    async fn check_supplier_invoice(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        body: Json<InvoiceBody>,
    ) -> Result<Json<MatchJson>> {
        let me = acting(session, account.0.as_deref())?;
        let (_, _, report) =
            invoicing::check(&me, body.0.order_id, &SupplierInvoiceInput::from(&body.0)).await?;
        Ok(Json(MatchJson::from(&report)))
    }

    /// Submits an invoice: a clean one goes to the company as matched; one
    /// with exceptions only with a `note` (else 422 naming each exception
    /// and `note`); a duplicate number (normalised), another tax id or a line
    /// the order lacks never (422). Nothing is written on a refusal.
    #[oai(path = "/supplier-invoices", method = "post")]
    async fn submit_supplier_invoice(
        &self,
        session: PortalSession,
        account: Query<Option<String>>,
        body: Json<InvoiceBody>,
    ) -> Result<Json<SupplierInvoiceJson>> {
        let me = acting(session, account.0.as_deref())?;
        let row =
            invoicing::submit(&me, body.0.order_id, &SupplierInvoiceInput::from(&body.0)).await?;
        let mut tx = me.session.tx().await?;
        let detail = tx
            .supplier_invoices()
            .portal_detail(&me.scope, row.id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(Json(SupplierInvoiceJson::from(&detail)))
    }
}
