//! Customers' sales records end to end: an ERP pushes invoices, credit notes
//! and payments through the admin API in batches (upsert by reference,
//! idempotent, all or nothing, exact amounts computed by Portico), and a
//! customer contact reads them in the portal's Sales and Receivables areas
//! and API — ageing, open items and statements that always agree.

use chrono::{Days, Local, NaiveDate};
use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant, invoice_input, payment_input, portal_base};
use portico_tests::{
    Browser, TestApp, TestDb, backend_tests,
    pdf::{pdf_text, pdftotext_available},
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

backend_tests!(
    an_erp_batch_is_upserted_by_reference_and_a_repeat_changes_nothing,
    a_bad_record_refuses_the_whole_batch_and_names_itself,
    ageing_open_items_and_statements_agree,
    the_branch_selector_narrows_every_list,
    a_bad_statement_range_is_explained_not_failed,
    invoices_and_statements_print_as_pdfs_people_can_read,
    a_contact_of_many_branches_sees_them_through_one_statement,
);

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// `today` moved by `days` (negative: in the past), as `2026-01-31`.
fn day(days: i64) -> String {
    let today = today();
    let date = if days < 0 {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    };
    date.expect("a date").to_string()
}

fn dec(value: &Value) -> Decimal {
    Decimal::from_str(
        value
            .as_str()
            .unwrap_or_else(|| panic!("a decimal string: {value}")),
    )
    .expect("a decimal")
}

/// A company with customer `C-1` (branches `S1`, `S2`) and an admin API client.
async fn company(app: &TestApp) -> (Company<'_>, Browser<'_>) {
    let alfa = Company::new(app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    alfa.branch(customer, "S1", "Sucursal Norte").await;
    alfa.branch(customer, "S2", "Sucursal Sur").await;
    alfa.account(AccountKind::Customer, "C-2", "Farmacia Dos")
        .await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Sales).await);
    (alfa, api)
}

/// A contact of `C-1` who sees sales and receivables of `branches` (every
/// branch when `None`), signed in to the customer portal.
async fn finance_contact<'a>(alfa: &Company<'a>, branches: Option<&[&str]>) -> Browser<'a> {
    let customer = alfa.account_id("C-1").await;
    let contact = alfa.contact("Fina", "Uno", "fina@uno.test").await;
    let permissions = &["sales.view", "receivables.view"];
    let grant = match branches {
        None => Grant::all_branches(permissions),
        Some(codes) => {
            let mut ids = Vec::new();
            for code in codes {
                ids.push(alfa.branch_id(customer, code).await);
            }
            Grant::branches(permissions, &ids)
        }
    };
    alfa.link(contact, customer, AccountKind::Customer, &grant)
        .await;
    alfa.portal_session(Portal::Customer, "fina@uno.test").await
}

fn invoice_json(number: &str, lines: Value) -> Value {
    json!({
        "kind": "invoice",
        "number": number,
        "external_ref": format!("ERP-{number}"),
        "customer": "C-1",
        "branch": "S1",
        "issued_on": "2026-03-01",
        "due_on": "2026-03-31",
        "currency": "DOP",
        "notes": null,
        "lines": lines,
    })
}

async fn put(api: &Browser<'_>, path: &str, records: Value) -> (StatusCode, Value) {
    let page = api
        .json(Method::PUT, path, Some(json!({ "records": records })))
        .await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

async fn an_erp_batch_is_upserted_by_reference_and_a_repeat_changes_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let (_alfa, api) = company(&app).await;
    // 3 × 33.335 = 100.005 → 100.01 (half away from zero), 18 % of it 18.00;
    // 2 × 10.10 exempt.
    let lines = json!([
        { "item_code": "MED-1", "description": "Jarabe", "quantity": "3", "unit_price": "33.335", "tax_rate": "18" },
        { "item_code": null, "description": "Gasas", "quantity": "2", "unit_price": "10.10", "tax_rate": "0" },
    ]);
    let batch = json!([invoice_json("FAC-1", lines.clone())]);
    let (status, out) = put(&api, "/api/v1/invoices", batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["created"], 1, "{out}");
    let id = out["results"][0]["id"].as_str().expect("id").to_owned();
    let invoice = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(invoice["subtotal"], "120.21", "{invoice}");
    assert_eq!(invoice["tax"], "18.00", "{invoice}");
    assert_eq!(invoice["total"], "138.21", "{invoice}");
    assert_eq!(invoice["balance"], "138.21", "{invoice}");

    // The same batch again: nothing written.
    let (status, out) = put(&api, "/api/v1/invoices", batch).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        (out["unchanged"].as_u64(), out["created"].as_u64()),
        (Some(1), Some(0)),
        "{out}"
    );
    assert_eq!(out["results"][0]["id"], id.as_str());

    // A changed record is replaced under the same id.
    let mut changed = invoice_json("FAC-1", lines);
    changed["notes"] = json!("Entregar en la mañana");
    let (status, out) = put(&api, "/api/v1/invoices", json!([changed])).await;
    assert_eq!(
        (status, out["updated"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{out}"
    );
    assert_eq!(out["results"][0]["id"], id.as_str());

    // A credit note and a payment lower the balance; the payment's remittance
    // names the invoice.
    let credit = json!([{
        "kind": "credit_note", "number": "NC-1", "external_ref": "ERP-NC-1",
        "customer": "C-1", "branch": "S1", "issued_on": "2026-03-05", "due_on": null,
        "currency": "DOP", "notes": null,
        "lines": [{ "item_code": null, "description": "Devolución", "quantity": "1", "unit_price": "20", "tax_rate": "0" }],
        "applied_to": [{ "invoice": "FAC-1", "amount": "20" }],
    }]);
    let (status, out) = put(&api, "/api/v1/invoices", credit).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let payment = json!([{
        "number": "REC-1", "external_ref": "ERP-REC-1", "customer": "C-1", "branch": null,
        "received_on": "2026-03-20", "currency": "DOP", "method": "transfer",
        "reference": "TR-881", "amount": "100.00",
        "applied_to": [{ "invoice": "fac-1", "amount": "68.21" }],
    }]);
    let (status, out) = put(&api, "/api/v1/payments", payment.clone()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let payment_id = out["results"][0]["id"].as_str().expect("id").to_owned();
    let invoice = api.get(&format!("/api/v1/invoices/{id}")).await.json();
    assert_eq!(invoice["balance"], "50.00", "{invoice}");
    assert_eq!(
        invoice["applied"].as_array().map(Vec::len),
        Some(2),
        "{invoice}"
    );
    let paid = api
        .get(&format!("/api/v1/payments/{payment_id}"))
        .await
        .json();
    assert_eq!(paid["unapplied"], "31.79", "{paid}");
    assert_eq!(paid["applied"][0]["number"], "FAC-1", "{paid}");
    let (_, again) = put(&api, "/api/v1/payments", payment).await;
    assert_eq!(again["unchanged"], 1, "{again}");

    // Listed newest first, and a read-only key may read but not write.
    let list = api.get("/api/v1/invoices").await.json();
    let numbers: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["number"].as_str())
        .collect();
    assert_eq!(numbers, ["NC-1", "FAC-1"], "{list}");
}

async fn a_bad_record_refuses_the_whole_batch_and_names_itself(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let good = invoice_json(
        "FAC-9",
        json!([{ "item_code": null, "description": "Uno", "quantity": "1", "unit_price": "100", "tax_rate": "0" }]),
    );
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    let mut unknown = good.clone();
    unknown["number"] = json!("FAC-10");
    unknown["external_ref"] = json!("ERP-FAC-10");
    unknown["customer"] = json!("NO-EXISTE");
    cases.push((
        "an unknown customer",
        json!([good.clone(), unknown]),
        "records[1].customer",
    ));
    let mut foreign_branch = good.clone();
    foreign_branch["customer"] = json!("C-2");
    cases.push((
        "another customer's branch",
        json!([foreign_branch]),
        "records[0].branch",
    ));
    let mut comma = good.clone();
    comma["lines"][0]["unit_price"] = json!("12,5");
    cases.push((
        "a decimal comma",
        json!([comma]),
        "records[0].lines[0].unit_price",
    ));
    let mut twice = good.clone();
    twice["number"] = json!("FAC-11");
    cases.push((
        "a repeated reference",
        json!([good.clone(), twice]),
        "records[1].external_ref",
    ));
    let mut late = good.clone();
    late["due_on"] = json!("2026-02-01");
    cases.push(("due before issued", json!([late]), "records[0].due_on"));
    let mut no_lines = good.clone();
    no_lines["lines"] = json!([]);
    cases.push(("no lines", json!([no_lines]), "records[0].lines"));
    let too_many: Vec<Value> = (0..1001)
        .map(|n| {
            let mut r = good.clone();
            r["number"] = json!(format!("FAC-M{n}"));
            r["external_ref"] = json!(format!("ERP-M{n}"));
            r
        })
        .collect();
    cases.push(("1,001 records", Value::Array(too_many), "records"));
    for (case, batch, field) in cases {
        let (status, problem) = put(&api, "/api/v1/invoices", batch).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {problem}"
        );
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .map(|e| e.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(fields.contains(&field), "{case}: {field} not in {problem}");
    }
    let list = api.get("/api/v1/invoices").await.json();
    assert_eq!(list["items"], json!([]), "nothing was written: {list}");

    // A payment may not apply more than an invoice owes, nor to another
    // customer's invoice; nothing of the batch is written.
    alfa.invoices(&[
        invoice_input("FAC-20", "C-1", None, "2026-03-01", "2026-03-31", "100"),
        invoice_input("FAC-21", "C-2", None, "2026-03-01", "2026-03-31", "100"),
    ])
    .await;
    for (case, amount, applied, field) in [
        (
            "over the balance",
            "200",
            json!([{ "invoice": "FAC-20", "amount": "100.01" }]),
            "records[0].applied_to",
        ),
        (
            "another customer's",
            "200",
            json!([{ "invoice": "FAC-21", "amount": "10" }]),
            "records[0].applied_to[0].invoice",
        ),
        (
            "more than received",
            "100",
            json!([{ "invoice": "FAC-20", "amount": "60" }, { "invoice": "FAC-20", "amount": "50" }]),
            "records[0].applied_to",
        ),
    ] {
        let payment = json!([{
            "number": "REC-20", "external_ref": "ERP-REC-20", "customer": "C-1", "branch": null,
            "received_on": "2026-03-20", "currency": "DOP", "method": "cash",
            "reference": null, "amount": amount, "applied_to": applied,
        }]);
        let (status, problem) = put(&api, "/api/v1/payments", payment).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{case}: {problem}"
        );
        assert!(
            problem["errors"].as_array().is_some_and(|e| e
                .iter()
                .any(|e| e["field"].as_str().is_some_and(|f| f.starts_with(field)))),
            "{case}: {field} not in {problem}"
        );
    }
    let payments = api.get("/api/v1/payments").await.json();
    assert_eq!(payments["items"], json!([]), "{payments}");

    // A key that may only read is refused before anything is checked.
    let reader = alfa.api_client(&alfa.api_key(StaffRole::ReadOnly).await);
    let (status, _) = put(&reader, "/api/v1/invoices", json!([good])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(reader.get("/api/v1/invoices").await.status, StatusCode::OK);
}

async fn ageing_open_items_and_statements_agree(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _api) = company(&app).await;
    // Due in 10 days (current), 10, 45, 75 and 120 days ago.
    alfa.invoices(&[
        invoice_input(
            "FAC-A",
            "C-1",
            Some("S1"),
            &day(-150),
            &day(-120),
            "1000.10",
        ),
        invoice_input("FAC-B", "C-1", Some("S2"), &day(-105), &day(-75), "500.25"),
        invoice_input("FAC-C", "C-1", None, &day(-75), &day(-45), "250"),
        invoice_input("FAC-D", "C-1", Some("S1"), &day(-40), &day(-10), "125.50"),
        invoice_input("FAC-E", "C-1", Some("S2"), &day(-20), &day(10), "80"),
        invoice_input("FAC-X", "C-2", None, &day(-20), &day(10), "999"),
    ])
    .await;
    // FAC-A paid in part, FAC-B in full; 40.00 left on account as a credit.
    alfa.payments(&[payment_input(
        "REC-A",
        "C-1",
        None,
        &day(-60),
        "940.35",
        &[("FAC-A", "400.10"), ("FAC-B", "500.25")],
    )])
    .await;
    let fina = finance_contact(&alfa, None).await;
    let base = portal_base(Portal::Customer);
    let receivables = fina.get(&format!("{base}/api/v1/receivables")).await.json();
    let dop = &receivables["currencies"][0];
    let buckets: Vec<Decimal> = dop["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| dec(&b["amount"]))
        .collect();
    // Open: 600.00 + 250 + 125.50 + 80 − 40.00 credit = 1015.50.
    assert_eq!(
        dec(&dop["open"]),
        Decimal::from_str("1015.50").unwrap(),
        "{dop}"
    );
    assert_eq!(buckets.iter().sum::<Decimal>(), dec(&dop["open"]), "{dop}");
    // current 80; 1–30 125.50; 31–60 250 − 40 (the credit, received 60 days ago);
    // 61–90 nothing (FAC-B paid); over 90 600.
    let expected: Vec<Decimal> = ["80", "125.50", "210", "0", "600"]
        .iter()
        .map(|v| Decimal::from_str(v).unwrap())
        .collect();
    assert_eq!(buckets, expected, "{dop}");
    assert_eq!(
        dec(&dop["overdue"]),
        Decimal::from_str("935.50").unwrap(),
        "{dop}"
    );

    // The open items, page by page, add up to the same.
    let mut open = Decimal::ZERO;
    let mut numbers = Vec::new();
    let mut next = String::new();
    loop {
        let page = fina
            .get(&format!(
                "{base}/api/v1/receivables/open-items?limit=2{next}"
            ))
            .await
            .json();
        for item in page["items"].as_array().expect("items") {
            open += dec(&item["open"]);
            numbers.push(item["number"].as_str().unwrap_or_default().to_owned());
        }
        match page["next"].as_str() {
            Some(after) => next = format!("&after={after}"),
            None => break,
        }
    }
    assert_eq!(open, dec(&dop["open"]));
    assert_eq!(numbers, ["FAC-A", "REC-A", "FAC-C", "FAC-D", "FAC-E"]);

    // A statement from the start closes at the open balance; cut in two, the
    // second half opens where the first closed.
    let statement = |from: String, to: String| {
        let fina = &fina;
        async move {
            fina.get(&format!(
                "{base}/api/v1/receivables/statement?currency=DOP&from={from}&to={to}"
            ))
            .await
            .json()
        }
    };
    let whole = statement(day(-400), day(0)).await;
    assert_eq!(dec(&whole["opening"]), Decimal::ZERO, "{whole}");
    assert_eq!(dec(&whole["closing"]), dec(&dop["open"]), "{whole}");
    assert_eq!(
        whole["movements"].as_array().map(Vec::len),
        Some(6),
        "{whole}"
    );
    let first = statement(day(-400), day(-61)).await;
    let second = statement(day(-60), day(0)).await;
    assert_eq!(first["closing"], second["opening"], "{first} {second}");
    assert_eq!(
        dec(&first["closing"]),
        Decimal::from_str("1750.35").unwrap()
    );
    let last = second["movements"]
        .as_array()
        .and_then(|m| m.last().cloned())
        .expect("movements");
    assert_eq!(last["balance"], second["closing"]);

    // The same figures on the pages.
    let page = fina.get(&format!("{base}/receivables")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("1,015.50 DOP"), "{}", page.body);
    assert!(page.body.contains("<svg"), "the ageing chart");
    let home = fina.get(base).await;
    assert!(home.body.contains("1,015.50 DOP"), "the home card");
    let statement_page = fina
        .get(&format!(
            "{base}/receivables/statement?currency=DOP&from={}&to={}",
            day(-60),
            day(0)
        ))
        .await;
    assert_eq!(statement_page.status, StatusCode::OK);
    assert!(
        statement_page.body.contains("1,750.35"),
        "the opening balance"
    );
}

async fn the_branch_selector_narrows_every_list(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _api) = company(&app).await;
    alfa.invoices(&[
        invoice_input(
            "FAC-N1",
            "C-1",
            Some("S1"),
            "2026-03-01",
            "2026-03-31",
            "10",
        ),
        invoice_input(
            "FAC-S1",
            "C-1",
            Some("S2"),
            "2026-03-02",
            "2026-04-01",
            "20",
        ),
        invoice_input("FAC-C1", "C-1", None, "2026-03-03", "2026-04-02", "30"),
    ])
    .await;
    let fina = finance_contact(&alfa, None).await;
    let base = portal_base(Portal::Customer);
    let customer = alfa.account_id("C-1").await;
    let south = alfa.branch_id(customer, "S2").await;
    let all = fina.get(&format!("{base}/sales")).await;
    for number in ["FAC-N1", "FAC-S1", "FAC-C1"] {
        assert!(all.body.contains(number), "{number} in every branch");
    }
    let narrowed = fina.get(&format!("{base}/sales?branch={south}")).await;
    assert!(narrowed.body.contains("FAC-S1"));
    assert!(
        narrowed.body.contains("FAC-C1"),
        "account-level documents stay"
    );
    assert!(
        !narrowed.body.contains("FAC-N1"),
        "the other branch's are gone"
    );
    let api = fina
        .get(&format!("{base}/api/v1/receivables?branch={south}"))
        .await
        .json();
    assert_eq!(api["currencies"][0]["open"], "50.00", "{api}");

    // A contact of the northern branch only never meets the southern one,
    // and cannot choose it.
    let contact = alfa.contact("Nora", "Norte", "nora@uno.test").await;
    let north = alfa.branch_id(customer, "S1").await;
    alfa.link(
        contact,
        customer,
        AccountKind::Customer,
        &Grant::branches(&["sales.view", "receivables.view"], &[north]),
    )
    .await;
    let nora = alfa.portal_session(Portal::Customer, "nora@uno.test").await;
    let page = nora.get(&format!("{base}/sales?branch={south}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("FAC-N1") && !page.body.contains("FAC-S1"));
    assert!(!page.body.contains("Sucursal Sur"));
    let api = nora
        .get(&format!("{base}/api/v1/invoices?branch={south}"))
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
}

async fn a_bad_statement_range_is_explained_not_failed(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _api) = company(&app).await;
    let fina = finance_contact(&alfa, Some(&["S1"])).await;
    let base = portal_base(Portal::Customer);
    // The page explains each problem; the API answers 400 for what its
    // document already refuses (text not shaped as a date) and 422 for the
    // rest, naming the field.
    for (query, message, api_status) in [
        ("from=ayer&to=2026-12-31", "fecha", StatusCode::BAD_REQUEST),
        (
            "from=2026-13-01&to=2026-12-31",
            "fecha",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "from=2026-06-01&to=2026-01-01",
            "anterior",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "from=2010-01-01&to=2026-01-01",
            "cinco años",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "currency=XX1&from=2026-01-01&to=2026-02-01",
            "moneda",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let page = fina
            .get(&format!("{base}/receivables/statement?{query}"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert!(
            page.body.to_lowercase().contains(message),
            "{query}: {message} not in {}",
            page.body
        );
        let api = fina
            .get(&format!("{base}/api/v1/receivables/statement?{query}"))
            .await;
        assert_eq!(api.status, api_status, "{query}: {}", api.body);
        if api_status == StatusCode::UNPROCESSABLE_ENTITY {
            assert!(api.body.contains("\"errors\""), "{}", api.body);
        }
    }
    // A contact without the receivables grant is refused.
    let customer = alfa.account_id("C-1").await;
    let contact = alfa.contact("Sola", "Ventas", "sola@uno.test").await;
    alfa.link(
        contact,
        customer,
        AccountKind::Customer,
        &Grant::all_branches(&["sales.view"]),
    )
    .await;
    let sola = alfa.portal_session(Portal::Customer, "sola@uno.test").await;
    assert_eq!(
        sola.get(&format!("{base}/receivables/statement"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sola.get(&format!("{base}/sales")).await.status,
        StatusCode::OK
    );
}

async fn invoices_and_statements_print_as_pdfs_people_can_read(db: TestDb) {
    if !pdftotext_available() {
        return;
    }
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let lines = json!([
        { "item_code": "MED-1", "description": "Jarabe de ñame", "quantity": "3", "unit_price": "1250.50", "tax_rate": "18" },
        { "item_code": null, "description": "#import \"x\" ]*_ <a>", "quantity": "1", "unit_price": "10", "tax_rate": "0" },
    ]);
    let (status, out) = put(
        &api,
        "/api/v1/invoices",
        json!([invoice_json("FAC-P1", lines)]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let id = out["results"][0]["id"].as_str().expect("id").to_owned();
    let hidden = alfa
        .invoices(&[invoice_input(
            "FAC-P2",
            "C-1",
            Some("S2"),
            "2026-03-02",
            "2026-04-01",
            "20",
        )])
        .await[0];
    let fina = finance_contact(&alfa, Some(&["S1"])).await;
    let base = portal_base(Portal::Customer);

    let page = fina.get(&format!("{base}/sales/invoices/{id}")).await;
    assert!(
        page.body.contains(&format!("/sales/invoices/{id}/pdf")),
        "the page links its PDF"
    );
    let pdf = fina.get(&format!("{base}/sales/invoices/{id}/pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(
        pdf.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    let text = pdf_text(&pdf.bytes);
    for shown in [
        "Factura FAC-P1",
        "Farmacia Uno (C-1)",
        "Sucursal Norte",
        "Jarabe de ñame",
        "#import \"x\" ]*_ <a>",
        "3,751.50",
        "675.27",
        "4,436.77 DOP",
        "Página 1 / 1",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
    fina.set_cookie("portico_lang", "en");
    let english = pdf_text(
        &fina
            .get(&format!("{base}/sales/invoices/{id}/pdf"))
            .await
            .bytes,
    );
    assert!(
        english.contains("Invoice FAC-P1") && english.contains("Page 1 / 1"),
        "{english}"
    );
    fina.set_cookie("portico_lang", "es");
    // Another branch's invoice is not found, as on its page.
    assert_eq!(
        fina.get(&format!("{base}/sales/invoices/{hidden}/pdf"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let statement = fina
        .get(&format!(
            "{base}/receivables/statement/pdf?currency=DOP&from=2026-01-01&to=2026-12-31"
        ))
        .await;
    assert_eq!(statement.status, StatusCode::OK);
    let text = pdf_text(&statement.bytes);
    for shown in [
        "Estado de cuenta",
        "Saldo inicial",
        "FAC-P1",
        "Saldo final",
        "4,436.77 DOP",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
    assert!(!text.contains("FAC-P2"), "another branch's invoice");
    // A bad range goes to the page that explains it.
    let bad = fina
        .get(&format!(
            "{base}/receivables/statement/pdf?from=2026-06-01&to=2026-01-01"
        ))
        .await;
    assert_eq!(bad.status, StatusCode::SEE_OTHER);
    assert!(
        bad.location()
            .is_some_and(|l| l.contains("/receivables/statement?")),
        "{:?}",
        bad.location()
    );
}

/// A contact who sees more branches than a statement is split into arms
/// (`listing::MAX_ARMS`) reads its lists and ageing through one filtered
/// statement: the same rows and totals, never another branch's.
async fn a_contact_of_many_branches_sees_them_through_one_statement(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _api) = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let mut seen = Vec::new();
    let mut invoices = Vec::new();
    for n in 0..35 {
        let code = format!("B{n:02}");
        let branch = alfa.branch(customer, &code, &format!("Sucursal {n}")).await;
        if n < portico_data::listing::MAX_ARMS + 1 {
            seen.push(branch);
        }
        invoices.push(invoice_input(
            &format!("FAC-{n:02}"),
            "C-1",
            Some(&code),
            &day(-40),
            &day(-10),
            "10",
        ));
    }
    alfa.invoices(&invoices).await;
    let contact = alfa.contact("Mara", "Muchas", "mara@uno.test").await;
    alfa.link(
        contact,
        customer,
        AccountKind::Customer,
        &Grant::branches(&["sales.view", "receivables.view"], &seen),
    )
    .await;
    let mara = alfa.portal_session(Portal::Customer, "mara@uno.test").await;
    let base = portal_base(Portal::Customer);
    let list = mara
        .get(&format!("{base}/api/v1/invoices?limit=100"))
        .await
        .json();
    let numbers: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["number"].as_str())
        .collect();
    assert_eq!(numbers.len(), seen.len(), "{list}");
    assert!(!numbers.contains(&"FAC-34"), "a hidden branch's invoice");
    let receivables = mara.get(&format!("{base}/api/v1/receivables")).await.json();
    let open = dec(&receivables["currencies"][0]["open"]);
    assert_eq!(open, Decimal::from(10 * seen.len()), "{receivables}");
}
