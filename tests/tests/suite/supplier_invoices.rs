//! Supplier invoices end to end: a supplier contact "flips" an acknowledged,
//! received purchase order into an invoice (lines prefilled with what was
//! received and not yet invoiced), sees each line's pre-match before sending
//! — quantity, price tolerance, tax, the order's open amount, the normalised
//! number, the tax id — and nothing is written on a refusal; a clean invoice
//! reaches staff as matched, one with exceptions only with a note, and
//! staff approve or reject it (with a reason the supplier reads).

use poem::http::{Method, StatusCode};
use portico_domain::{AccountFields, AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant};
use portico_tests::{Browser, TestApp, TestDb, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    an_invoice_is_prematched_refused_without_writing_and_decided_by_staff,
    the_pages_flip_an_order_check_it_and_send_it,
);

const BILLING: &[&str] = &[
    "purchase_orders.view",
    "supplier_invoices.view",
    "supplier_invoices.create",
];

async fn call(
    browser: &Browser<'_>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let page = browser.json(method, path, body).await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

/// A company with suppliers `P-1` (tax id 1-31-22334-5) and `P-2`; order
/// `OC-ERP-1` of P-1 acknowledged, 6 of its 10 × 100 received and all 4 ×
/// 50; an order of P-2. The order's id, the other supplier's order's id, the
/// purchasing API client and P-1's billing contact.
async fn setup(app: &TestApp) -> (Company<'_>, String, String, Browser<'_>, Browser<'_>) {
    let alfa = Company::new(app, "alfa").await;
    let supplier = alfa
        .account_with(
            AccountKind::Supplier,
            &AccountFields {
                code: "P-1".into(),
                name: "Laboratorio Uno".into(),
                tax_id: Some("1-31-22334-5".into()),
                ..Default::default()
            },
        )
        .await;
    alfa.account(AccountKind::Supplier, "P-2", "Laboratorio Dos")
        .await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Purchasing).await);
    let line = |code: &str, quantity: &str, price: &str| {
        json!({ "item_code": code, "description": format!("Artículo {code}"), "unit": "kg",
                "quantity": quantity, "unit_price": price, "tax_rate": "18" })
    };
    let (status, out) = call(
        &api,
        Method::PUT,
        "/api/v1/purchase-orders",
        Some(json!({ "records": [
            { "external_ref": "OC-ERP-1", "supplier": "P-1", "currency": "DOP",
              "status": "acknowledged", "issued_on": "2026-11-02",
              "lines": [line("A-1", "10", "100"), line("B-2", "4", "50")] },
            { "external_ref": "OC-ERP-2", "supplier": "P-2", "currency": "DOP",
              "status": "received", "issued_on": "2026-11-02",
              "lines": [line("A-1", "1", "100")] },
        ] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let id = |reference: &str| {
        out["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["external_ref"] == reference)
            .and_then(|r| r["id"].as_str())
            .expect("an id")
            .to_owned()
    };
    let (order, other) = (id("OC-ERP-1"), id("OC-ERP-2"));
    let (status, out) = call(
        &api,
        Method::PUT,
        "/api/v1/goods-receipts",
        Some(json!({ "records": [
            { "external_ref": "EM-1", "purchase_order": "OC-ERP-1",
              "lines": [{ "position": 1, "accepted": "6" }, { "position": 2, "accepted": "4" }] },
        ] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let contact = alfa
        .contact("Fabiola", "Facturas", "facturas@uno.test")
        .await;
    alfa.link(
        contact,
        supplier,
        AccountKind::Supplier,
        &Grant::all_branches(BILLING),
    )
    .await;
    let browser = alfa
        .portal_session(Portal::Supplier, "facturas@uno.test")
        .await;
    let token = browser.get("/supplier").await.csrf();
    let billing = browser.with_header("x-csrf-token", &token);
    (alfa, order, other, api, billing)
}

fn invoice(order: &str, number: &str, tax_id: &str, lines: &[(i64, &str, &str, &str)]) -> Value {
    json!({
        "order_id": order, "number": number, "issued_on": "2026-11-20", "tax_id": tax_id,
        "lines": lines.iter().map(|(position, quantity, price, rate)| json!({
            "position": position, "quantity": quantity, "unit_price": price, "tax_rate": rate,
        })).collect::<Vec<_>>(),
    })
}

fn fields(out: &Value) -> Vec<String> {
    out["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["field"].as_str().unwrap_or(""),
                        e["code"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn an_invoice_is_prematched_refused_without_writing_and_decided_by_staff(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, order, other, api, billing) = setup(&app).await;
    let check = "/supplier/api/v1/supplier-invoice-checks";
    let submit = "/supplier/api/v1/supplier-invoices";

    // The pre-match names each line's exception and writes nothing.
    let bad = invoice(
        &order,
        "F-0001",
        "131223345",
        &[(1, "7", "103", "16"), (2, "4", "50", "18")],
    );
    let (status, report) = call(&billing, Method::POST, check, Some(bad.clone())).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["matched"], false, "{report}");
    assert_eq!(
        report["lines"][0]["exceptions"],
        json!(["over_quantity", "price_out_of_tolerance", "tax_differs"]),
        "{report}"
    );
    assert_eq!(report["lines"][0]["billable"], "6", "{report}");
    assert_eq!(report["lines"][1]["exceptions"], json!([]), "{report}");

    // Submitted with exceptions and no note: 422 naming each, nothing written.
    let (status, out) = call(&billing, Method::POST, submit, Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let named = fields(&out);
    for field in [
        "lines[0].quantity supplier-invoices-over-quantity",
        "lines[0].unit_price supplier-invoices-price-out-of-tolerance",
        "lines[0].tax_rate supplier-invoices-tax-differs",
        "note supplier-invoices-note-required",
    ] {
        assert!(named.contains(&field.to_owned()), "{field}: {out}");
    }
    let (_, list) = call(&billing, Method::GET, submit, None).await;
    assert_eq!(list["items"], json!([]), "{list}");

    // A clean one goes to staff as matched; the order's line is invoiced.
    let clean = invoice(
        &order,
        "F-0001",
        "1-31-22334-5",
        &[(1, "6", "101.50", "18")],
    );
    let (status, sent) = call(&billing, Method::POST, submit, Some(clean)).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(
        (sent["matched"].as_bool(), sent["status"].as_str()),
        (Some(true), Some("submitted")),
        "{sent}"
    );
    let (_, po) = call(
        &api,
        Method::GET,
        &format!("/api/v1/purchase-orders/{order}"),
        None,
    )
    .await;
    assert!(po["events"].to_string().contains("invoiced"), "{po}");

    // The same number however typed, another company's tax id, a line the
    // order lacks: refused even with a note; nothing written.
    let mut again = invoice(&order, "f 1", "1-31-22334-5", &[(2, "1", "50", "18")]);
    again["note"] = json!("Otra vez");
    let (status, out) = call(&billing, Method::POST, submit, Some(again)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(
        fields(&out).contains(&"number supplier-invoices-duplicate-number".to_owned()),
        "{out}"
    );
    let mut wrong = invoice(&order, "F-2", "999", &[(3, "1", "50", "18")]);
    wrong["note"] = json!("Nota");
    let (status, out) = call(&billing, Method::POST, submit, Some(wrong)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let named = fields(&out);
    assert!(
        named.contains(&"tax_id supplier-invoices-tax-id-mismatch".to_owned()),
        "{out}"
    );
    assert!(
        named.contains(&"lines[0].position supplier-invoices-unknown-line".to_owned()),
        "{out}"
    );
    // Over what was received and not yet invoiced: 6 of line 1 are billed.
    let over = invoice(&order, "F-3", "1-31-22334-5", &[(1, "1", "100", "18")]);
    let (_, report) = call(&billing, Method::POST, check, Some(over)).await;
    assert_eq!(
        report["lines"][0]["exceptions"],
        json!(["over_quantity"]),
        "{report}"
    );
    // Another supplier's order is not found.
    let (status, _) = call(
        &billing,
        Method::POST,
        submit,
        Some(invoice(
            &other,
            "F-4",
            "1-31-22334-5",
            &[(1, "1", "100", "18")],
        )),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = call(&billing, Method::GET, submit, None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");

    // With exceptions and a note it reaches staff, exceptions first.
    let mut priced = invoice(&order, "F-5", "1-31-22334-5", &[(2, "4", "60", "18")]);
    priced["note"] = json!("Subió el precio del envase");
    let (status, noted) = call(&billing, Method::POST, submit, Some(priced)).await;
    assert_eq!(status, StatusCode::OK, "{noted}");
    assert_eq!(noted["matched"], false, "{noted}");
    let (_, inbox) = call(&api, Method::GET, "/api/v1/supplier-invoices", None).await;
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(inbox["items"][0]["number"], "F-5", "{inbox}");
    let (_, matched) = call(
        &api,
        Method::GET,
        "/api/v1/supplier-invoices?filter=matched",
        None,
    )
    .await;
    assert_eq!(matched["items"][0]["number"], "F-0001", "{matched}");

    // Staff reject it with a reason (required) and approve the clean one.
    let owner = alfa.staff_session("owner@alfa.test").await;
    let page = owner.get("/admin/supplier-invoices").await;
    assert!(
        page.body.contains("F-5") && !page.body.contains("F-0001"),
        "{}",
        page.body
    );
    let noted_id = noted["id"].as_str().expect("id");
    let path = format!("/admin/supplier-invoices/{noted_id}");
    let detail = owner.get(&path).await;
    assert!(
        detail.body.contains("Subió el precio del envase"),
        "{}",
        detail.body
    );
    let decision = format!("/api/v1/supplier-invoices/{noted_id}/decision");
    let (status, _) = call(
        &api,
        Method::POST,
        &decision,
        Some(json!({ "decision": "reject" })),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = owner
        .submit(
            &path,
            &format!("{path}/decision"),
            &[("decision", "reject"), ("reason", "Precio no acordado")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (status, _) = call(
        &api,
        Method::POST,
        &decision,
        Some(json!({ "decision": "approve" })),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let sent_id = sent["id"].as_str().expect("id");
    let (status, approved) = call(
        &api,
        Method::POST,
        &format!("/api/v1/supplier-invoices/{sent_id}/decision"),
        Some(json!({ "decision": "approve" })),
    )
    .await;
    assert_eq!(
        (status, approved["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{approved}"
    );

    // The supplier reads why; the rejected quantity may be billed again,
    // under the same number.
    let page = billing
        .get(&format!("/supplier/supplier_invoices/{noted_id}"))
        .await;
    assert!(page.body.contains("Precio no acordado"), "{}", page.body);
    let (status, again) = call(
        &billing,
        Method::POST,
        submit,
        Some(invoice(
            &order,
            "F-5",
            "1-31-22334-5",
            &[(2, "4", "50", "18")],
        )),
    )
    .await;
    assert_eq!(
        (status, again["matched"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{again}"
    );
}

async fn the_pages_flip_an_order_check_it_and_send_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let (_alfa, order, _, _, billing) = setup(&app).await;
    let po_page = billing
        .get(&format!("/supplier/purchase_orders/{order}"))
        .await;
    let new = format!("/supplier/supplier_invoices/new?order={order}");
    assert!(
        po_page.body.contains("Facturar esta orden"),
        "{}",
        po_page.body
    );
    let form = billing.get(&new).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    // Prefilled with what was received and not invoiced, and the tax id.
    assert!(
        form.body
            .contains("name=\"quantity.0\" inputmode=\"decimal\" size=\"8\" value=\"6\"")
            && form.body.contains("1-31-22334-5"),
        "{}",
        form.body
    );
    let fields = |quantity: &'static str, action: &'static str| {
        vec![
            ("number", "FAC-77"),
            ("issued_on", "2026-11-20"),
            ("tax_id", "1-31-22334-5"),
            ("position.0", "1"),
            ("quantity.0", quantity),
            ("unit_price.0", "100"),
            ("tax_rate.0", "18"),
            ("position.1", "2"),
            ("quantity.1", "4"),
            ("unit_price.1", "50"),
            ("tax_rate.1", "18"),
            ("action", action),
        ]
    };
    // Check: one exception explained, with what is available; nothing sent.
    let checked = billing.submit(&new, &new, &fields("8", "check")).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(
        checked
            .body
            .contains("Factura más de lo recibido sin facturar (disponible: 6)")
            && checked.body.contains("Coincide"),
        "{}",
        checked.body
    );
    let list = billing.get("/supplier/supplier_invoices").await;
    assert!(!list.body.contains("FAC-77"), "{}", list.body);
    // Sent as is, it comes back asking for a note.
    let refused = billing.submit(&new, &new, &fields("8", "submit")).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("role=\"alert\"") && refused.body.contains("value=\"8\""),
        "{}",
        refused.body
    );
    // Fixed, it is sent.
    let sent = billing.submit(&new, &new, &fields("6", "submit")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = billing
        .get(sent.location().expect("the invoice's page"))
        .await;
    assert!(
        page.body.contains("FAC-77") && page.body.contains("status-submitted"),
        "{}",
        page.body
    );
    let list = billing.get("/supplier/supplier_invoices").await;
    assert!(list.body.contains("FAC-77"), "{}", list.body);
}
