//! The Receivables area: what the customer owes by age (per currency, as
//! figures and as a chart whose buckets always sum to the open balance), the
//! open documents oldest due first, and the statement of any date range. Also
//! the home page's card of the same figures.

use chrono::{Datelike, Days, NaiveDate};
use poem::{IntoResponse, Response, handler, web::Query};
use portico_data::{Ageing, OpenItem, PortalBranch, Statement};
use portico_domain::{Currency, Permission, fields::Checker, orders::OrderKind};
use portico_portal::SignedInContact;
use portico_web::{AppError, Ui};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    ageing::{self, BUCKET_LABELS},
    view::{self, ListQuery, PAGE},
};

/// Refuses (403) a contact whose scope does not grant viewing receivables.
pub(crate) fn require(me: &SignedInContact) -> Result<(), AppError> {
    if me.scope.may(Permission::ReceivablesView) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// One currency's ageing as the page and the home card show it.
pub(crate) fn ageing_json(ui: &Ui, ageing: &Ageing, n: usize) -> Value {
    let currency = &ageing.currency;
    json!({
        "currency": currency,
        "open": view::amount(ageing.open, currency),
        "overdue": view::amount(ageing.overdue(), currency),
        "has_overdue": ageing.overdue().is_sign_positive() && !ageing.overdue().is_zero(),
        "buckets": BUCKET_LABELS.iter().zip(ageing.buckets.iter()).map(|(label, value)| json!({
            "label": ui.lang.t(label),
            "amount": view::amount(*value, currency),
        })).collect::<Vec<_>>(),
        "chart": ageing::chart(ui, ageing, &format!("ageing-{n}")),
    })
}

fn open_item_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    item: &OpenItem,
    today: NaiveDate,
) -> Value {
    let path = if item.kind == "payment" {
        "payments"
    } else {
        "invoices"
    };
    let late = item.days_late(today);
    json!({
        "href": format!("{base}/sales/{path}/{}?account={account}", item.id),
        "kind": ui.lang.t(&format!("customer-kind-{}", item.kind)),
        "number": item.number,
        "date": view::date(ui, item.date),
        "due_on": view::date(ui, item.due_on),
        "branch": view::branch_name(ui, visible, item.branch_id.map(|b| b.as_uuid())),
        "amount": view::amount(item.amount, &item.currency),
        "open": view::amount(item.open, &item.currency),
        "late": (item.kind == "invoice" && late > 0).then(|| ui.lang.t_args("customer-days-late", &[("days", late.into())])),
    })
}

/// `GET {base}/receivables`: the ageing and the open documents.
#[handler]
pub(crate) async fn page(
    ui: Ui,
    me: SignedInContact,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    require(&me)?;
    let title = ui.lang.t("portal-area-receivables");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "receivables", &title, query.branch.as_deref()).await?;
    let today = view::today();
    let after = query.after();
    let mut tx = me.session.tx().await?;
    let ageing = tx.customer_records().ageing(&scope, today).await?;
    let mut items = tx
        .customer_records()
        .open_items(&scope, after.as_ref(), PAGE + 1)
        .await?;
    tx.commit().await?;
    let more = items.len() as u64 > PAGE;
    items.truncate(PAGE as usize);
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    let path = format!("{base}/receivables");
    let branch = chosen.map(|b| format!("&branch={b}")).unwrap_or_default();
    ctx.insert(
        "ageing",
        &ageing
            .iter()
            .enumerate()
            .map(|(n, a)| ageing_json(&ui, a, n))
            .collect::<Vec<_>>(),
    );
    ctx.insert("today", &view::date(&ui, today));
    ctx.insert(
        "items",
        &items
            .iter()
            .map(|i| open_item_json(&ui, base, account, &visible, i, today))
            .collect::<Vec<_>>(),
    );
    ctx.insert("first_page", &after.is_some());
    ctx.insert("list_path", &path);
    ctx.insert(
        "next",
        &more
            .then(|| {
                items.last().map(|i| {
                    format!(
                        "{path}?account={account}{branch}&after={}",
                        i.cursor().encode()
                    )
                })
            })
            .flatten(),
    );
    statement_form(
        &ui,
        &mut ctx,
        &me,
        &ageing,
        &StatementForm::default(),
        today,
    );
    Ok(ui
        .render("customer/receivables.html", &ctx)?
        .into_response())
}

/// The statement form's query.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub(crate) struct StatementForm {
    pub currency: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub branch: Option<String>,
}

/// The statement form's values: the currencies to choose from (the
/// company's and those the customer has open), and the dates given or the
/// defaults (the last three months to today).
fn statement_form(
    ui: &Ui,
    ctx: &mut tera::Context,
    me: &SignedInContact,
    ageing: &[Ageing],
    form: &StatementForm,
    today: NaiveDate,
) {
    let mut currencies: Vec<String> = ageing.iter().map(|a| a.currency.clone()).collect();
    if let Some(company) = ui.tenant.as_ref().map(|t| t.currency().to_owned())
        && !currencies.contains(&company)
    {
        currencies.insert(0, company);
    }
    let (from, to) = default_range(today);
    ctx.insert(
        "statement_form",
        &json!({
            "action": format!("{}/receivables/statement", me.session.site.base()),
            "currencies": currencies,
            "currency": form.currency.clone().unwrap_or_else(|| currencies.first().cloned().unwrap_or_default()),
            "from": form.from.clone().unwrap_or_else(|| from.to_string()),
            "to": form.to.clone().unwrap_or_else(|| to.to_string()),
        }),
    );
}

/// The last three whole months and this one, to today.
fn default_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = today.with_day(1).unwrap_or(today);
    let from = first
        .checked_sub_months(chrono::Months::new(3))
        .unwrap_or(first);
    (from, today)
}

/// The statement a form asks for, checked: a currency, two dates in order,
/// at most five years apart.
pub(crate) fn checked_range(
    form: &StatementForm,
    company_currency: &str,
    today: NaiveDate,
) -> Result<(String, NaiveDate, NaiveDate), portico_domain::FieldErrors> {
    let mut check = Checker::default();
    let (default_from, default_to) = default_range(today);
    let from = check
        .date("from", form.from.as_deref().unwrap_or_default())
        .unwrap_or(default_from);
    let to = check
        .date("to", form.to.as_deref().unwrap_or_default())
        .unwrap_or(default_to);
    let currency = match form.currency.as_deref().map(str::trim) {
        None | Some("") => company_currency.to_owned(),
        Some(raw) => match Currency::parse(raw) {
            Ok(c) => c.as_str().to_owned(),
            Err(_) => {
                check.errors.add("currency", "field-currency-invalid");
                String::new()
            }
        },
    };
    if to < from {
        check.errors.add("to", "customer-statement-range-order");
    } else if from
        .checked_add_days(Days::new(5 * 366))
        .is_some_and(|limit| to > limit)
    {
        check.errors.add("to", "customer-statement-range-long");
    }
    check.errors.finish((currency, from, to))
}

fn statement_json(
    ui: &Ui,
    base: &str,
    account: Uuid,
    visible: &[PortalBranch],
    s: &Statement,
) -> Value {
    let currency = &s.currency;
    json!({
        "currency": currency,
        "from": view::date(ui, s.from),
        "to": view::date(ui, s.to),
        "opening": view::amount(s.opening, currency),
        "closing": view::amount(s.closing, currency),
        "complete": s.complete,
        "movements": s.movements.iter().map(|m| {
            let path = if m.kind == "payment" { "payments" } else { "invoices" };
            json!({
                "href": format!("{base}/sales/{path}/{}?account={account}", m.id),
                "date": view::date(ui, m.date),
                "kind": ui.lang.t(&format!("customer-kind-{}", m.kind)),
                "number": m.number,
                "branch": view::branch_name(ui, visible, m.branch_id.map(|b| b.as_uuid())),
                "debit": (!m.debit.is_zero()).then(|| portico_domain::money::display(m.debit)),
                "credit": (!m.credit.is_zero()).then(|| portico_domain::money::display(m.credit)),
                "balance": portico_domain::money::display(m.balance),
            })
        }).collect::<Vec<_>>(),
    })
}

/// `GET {base}/receivables/statement?currency=&from=&to=`: the statement of
/// account for the range, with the form to change it. Bad dates show the
/// form's errors, never a failure.
#[handler]
pub(crate) async fn statement(
    ui: Ui,
    me: SignedInContact,
    Query(form): Query<StatementForm>,
) -> Result<Response, AppError> {
    require(&me)?;
    let title = ui.lang.t("customer-statement-title");
    let view::Layout {
        mut ctx,
        visible,
        scope,
        chosen,
    } = view::layout(&ui, &me, "receivables", &title, form.branch.as_deref()).await?;
    let today = view::today();
    let company_currency = ui
        .tenant
        .as_ref()
        .map(|t| t.currency().to_owned())
        .unwrap_or_default();
    let checked = checked_range(&form, &company_currency, today);
    let mut tx = me.session.tx().await?;
    let ageing = tx.customer_records().ageing(&scope, today).await?;
    let statement = match &checked {
        Ok((currency, from, to)) => Some(
            tx.customer_records()
                .statement(&scope, currency, *from, *to)
                .await?,
        ),
        Err(_) => None,
    };
    tx.commit().await?;
    let base = me.session.site.base();
    let account = me.scope.account().as_uuid();
    statement_form(&ui, &mut ctx, &me, &ageing, &form, today);
    ctx.insert(
        "statement",
        &statement.map(|s| statement_json(&ui, base, account, &visible, &s)),
    );
    ctx.insert(
        "errors",
        &checked
            .as_ref()
            .err()
            .map(|errors| {
                errors
                    .0
                    .iter()
                    .map(|e| json!({ "field": e.field, "message": ui.lang.t(e.message) }))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
    );
    if let Ok((currency, from, to)) = &checked {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("account", &account.to_string())
            .append_pair("currency", currency)
            .append_pair("from", &from.to_string())
            .append_pair("to", &to.to_string());
        if let Some(branch) = chosen {
            query.append_pair("branch", &branch.to_string());
        }
        ctx.insert(
            "pdf",
            &format!("{base}/receivables/statement/pdf?{}", query.finish()),
        );
    }
    ctx.insert("back", &format!("{base}/receivables?account={account}"));
    Ok(ui.render("customer/statement.html", &ctx)?.into_response())
}

/// The home page's card: what the customer owes (open and overdue per
/// currency, with the chart) for a contact who may see receivables, and the
/// latest invoices for one who may see sales.
pub(crate) fn home_cards<'a>(
    ui: &'a Ui,
    me: &'a SignedInContact,
) -> std::pin::Pin<Box<dyn Future<Output = Result<Option<String>, AppError>> + Send + 'a>> {
    Box::pin(async move {
        let receivables = me.scope.may(Permission::ReceivablesView);
        let sales = me.scope.may(Permission::SalesView);
        let kinds: Vec<OrderKind> = [OrderKind::Quote, OrderKind::Order]
            .into_iter()
            .filter(|k| me.scope.may(k.authorize()))
            .collect();
        let service = me.scope.may(Permission::ServiceRequestsView);
        if !receivables && !sales && !service && kinds.is_empty() {
            return Ok(None);
        }
        let today = view::today();
        let mut tx = me.session.tx().await?;
        let waiting = if kinds.is_empty() {
            Vec::new()
        } else {
            let (limit, currency, four_eyes) = tx.orders().authority(&me.scope).await?;
            tx.orders()
                .waiting(&me.scope, &kinds, (limit, &currency, four_eyes), 10)
                .await?
        };
        let ageing = if receivables {
            tx.customer_records().ageing(&me.scope, today).await?
        } else {
            Vec::new()
        };
        let latest = if sales {
            tx.customer_records()
                .invoices_page(&me.scope, None, 5)
                .await?
        } else {
            Vec::new()
        };
        let open_requests = if service {
            tx.service_requests().portal_open(&me.scope, 5).await?
        } else {
            Vec::new()
        };
        let visible = tx.portal_scope().visible_branches(&me.scope).await?;
        tx.commit().await?;
        let base = me.session.site.base();
        let account = me.scope.account().as_uuid();
        let mut ctx = ui.context();
        ctx.insert("receivables", &receivables);
        ctx.insert("sales", &sales);
        ctx.insert("deciding", &!kinds.is_empty());
        ctx.insert(
            "waiting",
            &waiting
                .iter()
                .map(|r| crate::orders::row_json(ui, base, account, &visible, r))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "ageing",
            &ageing
                .iter()
                .enumerate()
                .map(|(n, a)| ageing_json(ui, a, n))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "latest",
            &latest
                .iter()
                .map(|r| crate::sales::invoice_json(ui, base, account, &visible, r))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "receivables_href",
            &format!("{base}/receivables?account={account}"),
        );
        ctx.insert("sales_href", &format!("{base}/sales?account={account}"));
        ctx.insert("service", &service);
        ctx.insert(
            "open_requests",
            &open_requests
                .iter()
                .map(|r| crate::service::row_json(ui, base, account, &visible, r))
                .collect::<Vec<_>>(),
        );
        ctx.insert(
            "service_href",
            &format!("{base}/service_requests?account={account}"),
        );
        Ok(Some(ui.render("customer/home_cards.html", &ctx)?.0))
    })
}
