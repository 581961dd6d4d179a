//! The Purchase orders area: the list (newest first, narrowed by the branch
//! selector, keyset-paginated), each order's detail with its lines, the
//! supplier's answers and the chain, the acknowledgement form (the whole
//! order at once, or line by line: accept, reject with a reason, or accept
//! with a promised date or another quantity), the PDF, and the home page's
//! card of orders waiting for an answer. Every change goes through
//! `acknowledging`, the command the portal API calls too.

use poem::{
    IntoResponse, Response, handler,
    session::Session,
    web::{Form, Path, Query, Redirect},
};
use portico_data::{PoDetail, PoRow, PortalBranch};
use portico_domain::{
    FieldErrors, Permission, money,
    purchasing::{AckInput, LineAck, LineAckInput, PoStatus},
};
use portico_pdf::Template;
use portico_portal::{
    SignedInContact,
    view::{self, ListQuery, PAGE},
};
use portico_web::{AppError, Ui, page::set_flash_named};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::acknowledging::{self, require};

/// A purchase order's state as people read it, with its badge class.
pub(crate) fn row_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    row: &PoRow,
) -> Value {
    let state = row.state();
    json!({
        "id": row.id,
        "href": format!("{base}/purchase_orders/{}?account={account}", row.id),
        "number": row.number,
        "issued_on": view::date(ui, row.issued_on),
        "expected_on": row.expected_on.map(|d| view::date(ui, d)),
        "branch": view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid())),
        "total": view::amount(row.total, &row.currency),
        "status": state,
        "status_label": ui.lang.t(&format!("purchasing-status-{state}")),
        "waiting": row.waits_for_supplier(),
    })
}

/// `GET {base}/purchase_orders`: the account's purchase orders.
#[handler]
pub(crate) async fn list(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&me, Permission::PurchaseOrdersView)?;
    let title = ui.lang.t("portal-area-purchase_orders");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "purchase_orders", &title, query.branch.as_deref()).await?;
    let mut tx = me.session.tx().await?;
    let mut rows = tx
        .purchase_orders()
        .portal_page(&scope, query.after().as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = rows.len() as u64 > PAGE;
    rows.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/purchase_orders");
    ctx.insert("list_path", &path);
    ctx.insert("list_href", &format!("{path}?account={account}"));
    ctx.insert(
        "items",
        &rows
            .iter()
            .map(|r| row_json(&ui, base, account, &visible, r))
            .collect::<Vec<_>>(),
    );
    ctx.insert("first_page", &query.after.is_some());
    let branch = chosen.map(|b| format!("&branch={b}")).unwrap_or_default();
    ctx.insert(
        "next",
        &more.then(|| rows.last()).flatten().map(|r| {
            format!(
                "{path}?account={account}{branch}&after={}",
                r.cursor().encode()
            )
        }),
    );
    Ok(ui
        .render("supplier/purchase_orders.html", &ctx)?
        .into_response())
}

/// A line as the detail page and the PDF show it, with the answer typed
/// back when a form came back with problems.
fn line_json(ui: &Ui, detail: &PoDetail, n: usize, sent: Option<&[(String, String)]>) -> Value {
    let l = &detail.lines[n];
    let value = |key: &str| {
        sent.and_then(|pairs| {
            pairs
                .iter()
                .find(|(k, _)| *k == format!("{key}.{n}"))
                .map(|(_, v)| v.clone())
        })
    };
    let expected = l.expected_on.or(detail.row.expected_on);
    json!({
        "n": n,
        "position": l.position,
        "item_code": l.item_code,
        "description": l.description,
        "unit": l.unit,
        "quantity": l.quantity.to_string(),
        "unit_price": money::display(l.unit_price),
        "tax_rate": format!("{} %", l.tax_rate),
        "net": money::display(l.net),
        "expected_on": expected.map(|d| view::date(ui, d)),
        "ack": l.ack.as_str(),
        "ack_label": ui.lang.t(&format!("purchasing-ack-{}", l.ack.as_str())),
        "ack_quantity": l.ack_quantity.map(|q| q.to_string()),
        "ack_date": l.ack_date.map(|d| view::date(ui, d)),
        "ack_reason": l.ack_reason,
        "received": l.received.to_string(),
        "rejected": (!l.rejected.is_zero()).then(|| l.rejected.to_string()),
        "form": {
            "decision": value("decision").unwrap_or_else(|| "accept".into()),
            "quantity": value("quantity").unwrap_or_default(),
            "promised_on": value("promised_on").unwrap_or_default(),
            "reason": value("reason").unwrap_or_default(),
        },
    })
}

/// The chain: who did what, when, with what comment.
fn chain_json(ui: &Ui, detail: &PoDetail) -> Vec<Value> {
    detail
        .events
        .iter()
        .map(|e| {
            json!({
                "when": e.occurred_at.format("%Y-%m-%d %H:%M").to_string(),
                "who": e.actor_name,
                "what": ui.lang.t(&format!("purchasing-event-{}", e.action)),
                "via": ui.lang.t(&format!("orders-actor-{}", e.actor_kind)),
                "comment": e.comment,
            })
        })
        .collect()
}

/// Each field error as people read it: `Line 2 · Reason: …`.
fn error_messages(ui: &Ui, errors: &FieldErrors) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = ui.lang.t(&format!("purchasing-field-{}", e.field));
            let message = ui.lang.t(e.message);
            let line = e
                .within
                .as_deref()
                .and_then(|w| w.strip_prefix("lines["))
                .and_then(|r| r.strip_suffix(']'));
            match line {
                Some(n) => {
                    let line = n.parse::<usize>().map(|n| n + 1).unwrap_or_default();
                    let label = ui
                        .lang
                        .t_args("purchasing-line-n", &[("n", (line as i64).into())]);
                    format!("{label} · {field}: {message}")
                }
                None => format!("{field}: {message}"),
            }
        })
        .collect()
}

async fn detail_page(
    ui: &Ui,
    me: &SignedInContact,
    id: Uuid,
    sent: Option<(&[(String, String)], &FieldErrors)>,
) -> Result<Response, AppError> {
    require(me, Permission::PurchaseOrdersView)?;
    let mut tx = me.session.tx().await?;
    let detail = acknowledging::find(&mut tx, me, id).await?;
    tx.commit().await?;
    let row = &detail.row;
    let title = format!("{} {}", ui.lang.t("purchasing-kind"), row.number);
    let view::Layout {
        mut ctx, visible, ..
    } = view::layout(ui, me, "purchase_orders", &title, None).await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let currency = &row.currency;
    ctx.insert("doc", &row_json(ui, base, account, &visible, row));
    let pairs = sent.map(|(p, _)| p);
    ctx.insert(
        "lines",
        &(0..detail.lines.len())
            .map(|n| line_json(ui, &detail, n, pairs))
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "answered",
        &detail.lines.iter().any(|l| l.ack != LineAck::Open),
    );
    ctx.insert(
        "totals",
        &json!({
            "subtotal": view::amount(detail.subtotal, currency),
            "tax": view::amount(detail.tax, currency),
            "total": view::amount(row.total, currency),
        }),
    );
    ctx.insert("notes", &detail.notes);
    ctx.insert("response_note", &detail.response_note);
    ctx.insert("review_note", &detail.review_note);
    ctx.insert("chain", &chain_json(ui, &detail));
    ctx.insert(
        "receipts",
        &detail
            .receipts
            .iter()
            .map(|r| json!({ "number": r.number, "received_on": view::date(ui, r.received_on), "notes": r.notes }))
            .collect::<Vec<_>>(),
    );
    let may_answer =
        row.waits_for_supplier() && me.scope.may(Permission::PurchaseOrdersAcknowledge);
    ctx.insert(
        "answer",
        &may_answer.then(|| {
            json!({
                "action": format!("{base}/purchase_orders/{}/acknowledgement?account={account}", row.id),
                "note": pairs.and_then(|p| p.iter().find(|(k, _)| k == "note").map(|(_, v)| v.clone())),
            })
        }),
    );
    ctx.insert(
        "errors",
        &sent
            .map(|(_, errors)| error_messages(ui, errors))
            .unwrap_or_default(),
    );
    ctx.insert(
        "pdf",
        &format!("{base}/purchase_orders/{}/pdf?account={account}", row.id),
    );
    let billable = matches!(
        row.status,
        PoStatus::Acknowledged | PoStatus::PartiallyReceived | PoStatus::Received
    ) && detail.lines.iter().any(|l| l.received > l.invoiced);
    ctx.insert(
        "invoice_href",
        &(billable && me.scope.may(Permission::SupplierInvoicesCreate)).then(|| {
            format!(
                "{base}/supplier_invoices/new?order={}&account={account}",
                row.id
            )
        }),
    );
    ctx.insert("back", &format!("{base}/purchase_orders?account={account}"));
    let status = if sent.is_some() {
        poem::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        poem::http::StatusCode::OK
    };
    Ok(ui
        .render("supplier/purchase_order.html", &ctx)?
        .with_status(status)
        .into_response())
}

/// `GET {base}/purchase_orders/:id`: one order the scope sees (any other
/// id: 404).
#[handler]
pub(crate) async fn show(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    detail_page(&ui, &me, id, None).await
}

/// What the acknowledgement form sent: `all=accept` accepts every line;
/// otherwise `decision.N`, `quantity.N`, `promised_on.N`, `reason.N` per
/// line, and `note`.
fn ack_of(pairs: &[(String, String)], lines: usize) -> AckInput {
    let value = |key: String| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let all = value("all".into()).is_some_and(|v| v == "accept");
    AckInput {
        lines: (0..lines)
            .map(|n| {
                if all {
                    return LineAckInput {
                        decision: "accept".into(),
                        ..Default::default()
                    };
                }
                LineAckInput {
                    decision: value(format!("decision.{n}")).unwrap_or_default(),
                    quantity: value(format!("quantity.{n}")),
                    promised_on: value(format!("promised_on.{n}")),
                    reason: value(format!("reason.{n}")),
                }
            })
            .collect(),
        note: value("note".into()),
    }
}

/// `POST {base}/purchase_orders/:id/acknowledgement`: the contact's answer.
#[handler]
pub(crate) async fn acknowledge(
    ui: Ui,
    me: SignedInContact,
    session: &Session,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let lines = {
        let mut tx = me.session.tx().await?;
        let detail = acknowledging::find(&mut tx, &me, id).await?;
        tx.commit().await?;
        detail.lines.len()
    };
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let back = format!("{base}/purchase_orders/{id}?account={account}");
    match acknowledging::acknowledge(&me, id, &ack_of(&pairs, lines)).await {
        Ok(row) => {
            let key = if row.awaiting_review {
                "purchasing-answered-for-review"
            } else {
                "purchasing-acknowledged"
            };
            set_flash_named(session, key, &row.number);
            Ok(Redirect::see_other(back).into_response())
        }
        Err(AppError::Invalid(errors)) => detail_page(&ui, &me, id, Some((&pairs, &errors))).await,
        Err(AppError::StateConflict(message)) => {
            portico_web::page::set_flash_error(session, message);
            Ok(Redirect::see_other(back).into_response())
        }
        Err(other) => Err(other),
    }
}

/// `GET {base}/purchase_orders/:id/pdf`: the order as a PDF, in the
/// reader's language, with the supplier's answers.
#[handler]
pub(crate) async fn pdf(
    ui: Ui,
    me: SignedInContact,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    require(&me, Permission::PurchaseOrdersView)?;
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let mut tx = me.session.tx().await?;
    let detail = acknowledging::find(&mut tx, &me, id).await?;
    let visible = tx.portal_scope().visible_branches(&me.scope).await?;
    tx.commit().await?;
    let data = pdf_data(&ui, &detail, &visible);
    let name = format!("{}.pdf", detail.row.number);
    portico_web::pdf::respond(&ui, Template::Invoice, data, &name).await
}

/// The PDF's data: facts, lines (with each line's answer), totals, chain.
fn pdf_data(ui: &Ui, detail: &PoDetail, visible: &[PortalBranch]) -> Value {
    let row = &detail.row;
    let t = |key: &str| ui.lang.t(key);
    let currency = &row.currency;
    let mut facts = vec![
        json!([t("purchasing-supplier"), detail.supplier_name]),
        json!([
            t("customer-col-branch"),
            view::branch_name(ui, visible, row.branch_id.map(|b| b.as_uuid()))
        ]),
        json!([t("customer-col-date"), view::date(ui, row.issued_on)]),
    ];
    if let Some(expected) = row.expected_on {
        facts.push(json!([
            t("purchasing-expected-on"),
            view::date(ui, expected)
        ]));
    }
    facts.push(json!([t("customer-col-currency"), currency]));
    facts.push(json!([
        t("customer-col-status"),
        t(&format!("purchasing-status-{}", row.state()))
    ]));
    json!({
        "lang": ui.lang.0.tag(),
        "title": format!("{} {}", t("purchasing-kind"), row.number),
        "subtitle": null,
        "labels": {
            "page": t("customer-pdf-page"),
            "tax_id": t("customer-pdf-tax-id"),
            "notes": t("customer-pdf-notes"),
            "applied": t("orders-chain"),
            "columns": [
                t("customer-col-item"), t("customer-col-description"), t("customer-col-quantity"),
                t("customer-col-price"), t("customer-col-tax-rate"), t("customer-col-net"),
            ],
            "applied_columns": [
                t("orders-chain-what"), t("orders-chain-who"), t("customer-col-date"),
                t("purchasing-comment"),
            ],
        },
        "facts": facts,
        "lines": detail.lines.iter().map(|l| {
            let mut description = l.description.clone();
            if l.ack != LineAck::Open {
                description.push_str(&format!(" — {}", t(&format!("purchasing-ack-{}", l.ack.as_str()))));
            }
            json!({
                "code": l.item_code.clone().unwrap_or_default(),
                "description": description,
                "quantity": format!("{} {}", l.quantity, l.unit),
                "unit_price": money::display(l.unit_price),
                "tax_rate": format!("{} %", l.tax_rate),
                "net": money::display(l.net),
            })
        }).collect::<Vec<_>>(),
        "totals": [
            [t("customer-subtotal"), view::amount(detail.subtotal, currency)],
            [t("customer-tax"), view::amount(detail.tax, currency)],
            [t("customer-col-total"), view::amount(row.total, currency)],
        ],
        "applied": detail.events.iter().map(|e| json!({
            "kind": t(&format!("purchasing-event-{}", e.action)),
            "number": e.actor_name,
            "date": view::date(ui, e.occurred_at.date_naive()),
            "amount": e.comment.clone().unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "notes": detail.notes,
    })
}

/// The home page's cards: the orders waiting for this contact's answer, and
/// its invoices waiting for the company's decision (those with differences
/// marked).
pub(crate) fn home_cards<'a>(
    ui: &'a Ui,
    me: &'a SignedInContact,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Option<String>, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let orders = me.scope.may(Permission::PurchaseOrdersView);
        let invoices = me.scope.may(Permission::SupplierInvoicesView);
        if !orders && !invoices {
            return Ok(None);
        }
        let mut tx = me.session.tx().await?;
        let waiting = if orders {
            tx.purchase_orders().waiting(&me.scope, 10).await?
        } else {
            Vec::new()
        };
        let in_review = if invoices {
            tx.supplier_invoices().portal_waiting(&me.scope, 10).await?
        } else {
            Vec::new()
        };
        let visible = tx.portal_scope().visible_branches(&me.scope).await?;
        tx.commit().await?;
        let base = me.session.site.base();
        let account = me.scope.account().as_uuid();
        let mut ctx = ui.context();
        ctx.insert(
            "waiting",
            &waiting
                .iter()
                .map(|r| row_json(ui, base, account, &visible, r))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "orders_href",
            &format!("{base}/purchase_orders?account={account}"),
        );
        ctx.insert("orders", &orders);
        ctx.insert("invoices", &invoices);
        ctx.insert(
            "in_review",
            &in_review
                .iter()
                .map(|r| crate::invoices::row_json(ui, base, account, r))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "invoices_href",
            &format!("{base}/supplier_invoices?account={account}"),
        );
        Ok(Some(ui.render("supplier/home_cards.html", &ctx)?.0))
    })
}
