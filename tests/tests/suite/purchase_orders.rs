//! Purchase orders end to end: an ERP pushes them through the admin API (all
//! or nothing, idempotent, an answered order keeps its lines); a supplier
//! contact lists, reads, prints and acknowledges them in the supplier portal
//! — whole or line by line (accept, reject with a reason, a promised date or
//! another quantity) — and staff accept the changes (the order takes them
//! and is totalled again) or refuse them with a reason the supplier reads.
//! Every bad answer is explained and writes nothing; another supplier's
//! order, a draft and a missing grant stay out of reach. Goods receipts
//! the ERP records fill the order's lines and move it to (partially)
//! received, never beyond what was ordered.

use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant};
use portico_tests::{
    Browser, TestApp, TestDb, backend_tests,
    pdf::{pdf_text, pdftotext_available},
};
use serde_json::{Value, json};

backend_tests!(
    an_erp_upserts_purchase_orders_by_its_reference_all_or_nothing,
    a_supplier_answers_line_by_line_and_staff_accept_the_changes,
    staff_refuse_the_changes_and_the_supplier_answers_again,
    bad_answers_are_explained_and_write_nothing,
    the_supplier_pages_list_answer_and_print,
    goods_receipts_fill_the_order_and_refuse_what_was_not_ordered,
);

const SUPPLIER: &[&str] = &["purchase_orders.view", "purchase_orders.acknowledge"];

/// A company with suppliers `P-1` and `P-2`, customer `C-1`, and an API
/// client of the purchasing role.
async fn company(app: &TestApp) -> (Company<'_>, Browser<'_>) {
    let alfa = Company::new(app, "alfa").await;
    alfa.account(AccountKind::Supplier, "P-1", "Laboratorio Uno")
        .await;
    alfa.account(AccountKind::Supplier, "P-2", "Laboratorio Dos")
        .await;
    alfa.account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Purchasing).await);
    (alfa, api)
}

fn line(code: &str, quantity: &str, price: &str) -> Value {
    json!({ "item_code": code, "description": format!("Artículo {code}"), "unit": "kg",
            "quantity": quantity, "unit_price": price, "tax_rate": "18" })
}

/// An order of supplier `supplier` issued on 2026-11-02, expected 2026-11-20.
fn order(reference: &str, supplier: &str, lines: Vec<Value>) -> Value {
    json!({ "external_ref": reference, "supplier": supplier, "currency": "DOP",
            "issued_on": "2026-11-02", "expected_on": "2026-11-20", "lines": lines })
}

async fn put(api: &Browser<'_>, records: Value) -> (StatusCode, Value) {
    let page = api
        .json(
            Method::PUT,
            "/api/v1/purchase-orders",
            Some(json!({ "records": records })),
        )
        .await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

async fn get(browser: &Browser<'_>, path: &str) -> (StatusCode, Value) {
    let page = browser.json(Method::GET, path, None).await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

async fn post(browser: &Browser<'_>, path: &str, body: Value) -> (StatusCode, Value) {
    let page = browser.json(Method::POST, path, Some(body)).await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

/// A contact of `supplier` with `permissions`, signed in to the supplier
/// portal, its API calls carrying the CSRF token.
async fn supplier_contact<'a>(
    alfa: &Company<'a>,
    supplier: &str,
    email: &str,
    permissions: &[&'static str],
) -> Browser<'a> {
    let account = alfa.account_id(supplier).await;
    let id = alfa.contact("Andrés", "Restrepo", email).await;
    alfa.link(
        id,
        account,
        AccountKind::Supplier,
        &Grant::all_branches(permissions),
    )
    .await;
    let browser = alfa.portal_session(Portal::Supplier, email).await;
    let token = browser.get("/supplier").await.csrf();
    browser.with_header("x-csrf-token", &token)
}

/// The id of the order an upsert answered for `reference`.
fn id_of(out: &Value, reference: &str) -> String {
    out["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["external_ref"] == reference)
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("no {reference} in {out}"))
        .to_owned()
}

async fn an_erp_upserts_purchase_orders_by_its_reference_all_or_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let batch = json!([
        order(
            "OC-ERP-1",
            "P-1",
            vec![line("A-1", "10", "100"), line("B-2", "3", "33.34")]
        ),
        order("OC-ERP-2", "p-2", vec![line("A-1", "1", "100")]),
    ]);
    let (status, out) = put(&api, batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        (out["created"].as_u64(), out["unchanged"].as_u64()),
        (Some(2), Some(0)),
        "{out}"
    );
    let id = id_of(&out, "OC-ERP-1");
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    // 10 × 100 + 3 × 33.34 = 1100.02; tax 180 + 18.00 (of 18.0036) = 198.00.
    assert_eq!(po["subtotal"], "1100.02", "{po}");
    assert_eq!(po["tax"], "198.00", "{po}");
    assert_eq!(po["total"], "1298.02", "{po}");
    assert_eq!(po["state"], "sent", "{po}");
    assert!(
        po["number"].as_str().is_some_and(|n| n.starts_with("OC-")),
        "{po}"
    );
    assert_eq!(po["lines"][0]["answer"], "open", "{po}");

    // The same batch again changes nothing.
    let (status, out) = put(&api, batch).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["unchanged"].as_u64(), Some(2), "{out}");

    // Any problem in a batch: 422 for each, nothing written.
    let (status, out) = put(
        &api,
        json!([
            order("OC-ERP-3", "P-1", vec![line("A-1", "1", "5")]),
            json!({ "external_ref": "OC-ERP-5", "supplier": "P-1", "currency": "DOP",
                    "issued_on": "2026-11-10", "expected_on": "2026-11-01",
                    "lines": [line("A-1", "0", "5")] }),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    for field in ["records[1].expected_on", "records[1].lines[0].quantity"] {
        assert!(out.to_string().contains(field), "{field}: {out}");
    }
    // A customer's code names no supplier; neither does another company's.
    let beta = Company::new(&app, "beta").await;
    beta.account(AccountKind::Supplier, "P-9", "Laboratorio Beta")
        .await;
    let (status, out) = put(
        &api,
        json!([
            order("OC-ERP-3", "P-1", vec![line("A-1", "1", "5")]),
            order("OC-ERP-4", "C-1", vec![line("A-1", "1", "5")]),
            order("OC-ERP-6", "P-9", vec![line("A-1", "1", "5")]),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    for field in ["records[1].supplier", "records[2].supplier"] {
        assert!(out.to_string().contains(field), "{field}: {out}");
    }
    let (_, page) = get(&api, "/api/v1/purchase-orders").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2), "{page}");

    // Every role reads purchase orders (read-only and up); only purchasing
    // and up write them.
    for role in [StaffRole::Sales, StaffRole::ReadOnly] {
        let other = alfa.api_client(&alfa.api_key(role).await);
        assert_eq!(
            get(&other, "/api/v1/purchase-orders").await.0,
            StatusCode::OK
        );
        let (status, _) = put(
            &other,
            json!([order("OC-ERP-9", "P-1", vec![line("A-1", "1", "5")])]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
        let (status, _) = post(
            &other,
            &format!("/api/v1/purchase-orders/{id}/cancel"),
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}");
    }

    // Staff moves: a draft is sent, a sent order cancelled; a second cancel
    // is 409.
    let (status, out) = put(
        &api,
        json!([{ "external_ref": "OC-ERP-6", "supplier": "P-1", "currency": "DOP",
                 "status": "draft", "lines": [line("A-1", "1", "5")] }]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let draft = id_of(&out, "OC-ERP-6");
    let (status, po) = post(
        &api,
        &format!("/api/v1/purchase-orders/{draft}/send"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, po["state"].as_str()),
        (StatusCode::OK, Some("sent")),
        "{po}"
    );
    let (status, po) = post(
        &api,
        &format!("/api/v1/purchase-orders/{draft}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, po["state"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{po}"
    );
    let (status, _) = post(
        &api,
        &format!("/api/v1/purchase-orders/{draft}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn a_supplier_answers_line_by_line_and_staff_accept_the_changes(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let lines = vec![
        line("A-1", "10", "100"),
        line("B-2", "4", "50"),
        line("C-3", "2", "10"),
    ];
    let (_, out) = put(&api, json!([order("OC-ERP-1", "P-1", lines.clone())])).await;
    let id = id_of(&out, "OC-ERP-1");
    let rep = supplier_contact(&alfa, "P-1", "ventas@uno.test", SUPPLIER).await;

    let (status, page) = get(&rep, "/supplier/api/v1/purchase-orders").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str(), "{page}");

    // A later date on line 1, fewer of line 2, line 3 rejected.
    let (status, po) = post(
        &rep,
        &format!("/supplier/api/v1/purchase-orders/{id}/acknowledgement"),
        json!({ "lines": [
            { "decision": "change", "promised_on": "2026-11-27", "reason": "Lote en control de calidad" },
            { "decision": "change", "quantity": "3" },
            { "decision": "reject", "reason": "Descontinuado" },
        ], "note": "Llega en dos entregas" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{po}");
    assert_eq!(po["state"], "in_review", "{po}");
    assert_eq!(po["lines"][0]["answer"], "changed", "{po}");
    assert_eq!(po["lines"][0]["answer_date"], "2026-11-27", "{po}");
    assert_eq!(po["lines"][1]["answer_quantity"], "3", "{po}");
    assert_eq!(po["lines"][2]["answer_reason"], "Descontinuado", "{po}");
    // The order itself is unchanged until staff accept: 1220 + 18 %.
    assert_eq!(po["total"], "1439.60", "{po}");

    // Answering again while in review: 409.
    let (status, _) = post(
        &rep,
        &format!("/supplier/api/v1/purchase-orders/{id}/acknowledgement"),
        json!({ "lines": [{ "decision": "accept" }, { "decision": "accept" }, { "decision": "accept" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Staff see it among the answers to review, the exceptions first.
    let staff = alfa.staff_session("owner@alfa.test").await;
    let list = staff.get("/admin/purchase-orders?show=in_review").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("status-in_review"), "{}", list.body);
    let po_page = format!("/admin/purchase-orders/{id}");
    let page = staff.get(&po_page).await;
    assert!(
        page.body.contains("Descontinuado") && page.body.contains("Llega en dos entregas"),
        "{}",
        page.body
    );
    let done = staff
        .submit(
            &po_page,
            &format!("{po_page}/review"),
            &[("decision", "accept")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);

    // The order took the changes: 10 × 100 + 3 × 50 = 1150 + 18 % = 1357.00,
    // the rejected line at nothing, line 1 expected on the promised date.
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    assert_eq!(po["state"], "acknowledged", "{po}");
    assert_eq!(po["total"], "1357.00", "{po}");
    assert_eq!(po["lines"][0]["expected_on"], "2026-11-27", "{po}");
    assert_eq!(po["lines"][1]["quantity"], "3", "{po}");
    assert_eq!(po["lines"][2]["net"], "0.00", "{po}");
    let actions: Vec<&str> = po["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "imported",
            "sent",
            "answered_with_changes",
            "changes_accepted"
        ],
        "{po}"
    );
    // Reviewing again: 409.
    let (status, _) = post(
        &api,
        &format!("/api/v1/purchase-orders/{id}/review"),
        json!({ "decision": "accept" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The ERP may move the answered order on with its content as sent, but
    // not change its lines nor send it back.
    let mut received = order("OC-ERP-1", "P-1", lines.clone());
    received["status"] = json!("received");
    let (status, out) = put(&api, json!([received])).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["updated"].as_u64(), Some(1), "{out}");
    let mut changed = order("OC-ERP-1", "P-1", vec![line("A-1", "99", "100")]);
    changed["status"] = json!("received");
    let (status, out) = put(&api, json!([changed])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(out.to_string().contains("purchasing-answered"), "{out}");
    let mut back = order("OC-ERP-1", "P-1", lines);
    back["status"] = json!("sent");
    let (status, out) = put(&api, json!([back])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    assert_eq!(
        (po["state"].as_str(), po["total"].as_str()),
        (Some("received"), Some("1357.00")),
        "{po}"
    );
}

async fn staff_refuse_the_changes_and_the_supplier_answers_again(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let (_, out) = put(
        &api,
        json!([order("OC-ERP-1", "P-1", vec![line("A-1", "10", "100")])]),
    )
    .await;
    let id = id_of(&out, "OC-ERP-1");
    let rep = supplier_contact(&alfa, "P-1", "ventas@uno.test", SUPPLIER).await;
    let ack = format!("/supplier/api/v1/purchase-orders/{id}/acknowledgement");
    let (status, _) = post(
        &rep,
        &ack,
        json!({ "lines": [{ "decision": "change", "quantity": "8" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // A refusal needs its reason.
    let review = format!("/api/v1/purchase-orders/{id}/review");
    let (status, out) = post(&api, &review, json!({ "decision": "refuse" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let (status, po) = post(
        &api,
        &review,
        json!({ "decision": "refuse", "reason": "Necesitamos las diez" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{po}");
    assert_eq!(po["state"], "sent", "{po}");
    assert_eq!(po["lines"][0]["answer"], "open", "{po}");
    assert_eq!(po["lines"][0]["quantity"], "10", "{po}");

    // The supplier reads why and answers again, accepting the whole order.
    let page = rep.get(&format!("/supplier/purchase_orders/{id}")).await;
    assert!(page.body.contains("Necesitamos las diez"), "{}", page.body);
    let (status, po) = post(&rep, &ack, json!({ "lines": [{ "decision": "accept" }] })).await;
    assert_eq!(status, StatusCode::OK, "{po}");
    assert_eq!(po["state"], "acknowledged", "{po}");
    assert_eq!(po["review_note"], Value::Null, "{po}");
}

async fn bad_answers_are_explained_and_write_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let (_, out) = put(
        &api,
        json!([
            order("OC-ERP-1", "P-1", vec![line("A-1", "10", "100"), line("B-2", "2", "5")]),
            order("OC-ERP-2", "P-2", vec![line("A-1", "1", "100")]),
            { "external_ref": "OC-ERP-3", "supplier": "P-1", "currency": "DOP",
              "status": "draft", "lines": [line("A-1", "1", "5")] },
        ]),
    )
    .await;
    let (mine, other, draft) = (
        id_of(&out, "OC-ERP-1"),
        id_of(&out, "OC-ERP-2"),
        id_of(&out, "OC-ERP-3"),
    );
    let rep = supplier_contact(&alfa, "P-1", "ventas@uno.test", SUPPLIER).await;
    let ack = |id: &str| format!("/supplier/api/v1/purchase-orders/{id}/acknowledgement");

    let cases = [
        // A rejection without its reason, a change that changes nothing.
        (
            json!({ "lines": [{ "decision": "reject" }, { "decision": "change", "quantity": "2" }] }),
            vec!["lines[0].reason", "lines[1].promised_on"],
        ),
        // One answer for two lines.
        (
            json!({ "lines": [{ "decision": "accept" }] }),
            vec!["lines"],
        ),
        // A promised date before the order, a quantity of nothing.
        (
            json!({ "lines": [
                { "decision": "change", "promised_on": "2026-10-01" },
                { "decision": "change", "quantity": "0" },
            ] }),
            vec!["lines[0].promised_on", "lines[1].quantity"],
        ),
    ];
    for (body, fields) in cases {
        let (status, out) = post(&rep, &ack(&mine), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
        let got: Vec<&str> = out["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        for field in fields {
            assert!(got.contains(&field), "{field}: {out}");
        }
    }
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{mine}")).await;
    assert_eq!(po["state"], "sent", "{po}");
    assert_eq!(po["lines"][0]["answer"], "open", "{po}");
    assert_eq!(po["events"].as_array().map(Vec::len), Some(2), "{po}");

    // Another supplier's order and a draft are not found; so is either's page.
    let all = json!({ "lines": [{ "decision": "accept" }] });
    for id in [&other, &draft] {
        assert_eq!(
            post(&rep, &ack(id), all.clone()).await.0,
            StatusCode::NOT_FOUND
        );
        let page = rep.get(&format!("/supplier/purchase_orders/{id}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let pdf = rep
            .get(&format!("/supplier/purchase_orders/{id}/pdf"))
            .await;
        assert_eq!(pdf.status, StatusCode::NOT_FOUND);
    }
    // A contact that may only view is refused the answer.
    let viewer =
        supplier_contact(&alfa, "P-1", "lectura@uno.test", &["purchase_orders.view"]).await;
    let (status, _) = post(
        &viewer,
        &ack(&mine),
        json!({ "lines": [{ "decision": "accept" }, { "decision": "accept" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let page = viewer
        .get(&format!("/supplier/purchase_orders/{mine}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("acknowledgement"), "{}", page.body);

    // The page's form: a bad answer comes back with what was typed.
    let po_page = format!("/supplier/purchase_orders/{mine}");
    let bad = rep
        .submit(
            &po_page,
            &format!("{po_page}/acknowledgement"),
            &[
                ("all", "lines"),
                ("decision.0", "reject"),
                ("reason.0", ""),
                ("decision.1", "change"),
                ("quantity.1", "1,5"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("role=\"alert\"")
            && bad.body.contains("value=\"1,5\"")
            && bad.body.contains("Línea 1"),
        "{}",
        bad.body
    );
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{mine}")).await;
    assert_eq!(po["lines"][0]["answer"], "open", "{po}");
}

async fn the_supplier_pages_list_answer_and_print(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let (_, out) = put(
        &api,
        json!([order(
            "OC-ERP-1",
            "P-1",
            vec![line("A-1", "10", "100"), line("B-2", "2", "5")]
        )]),
    )
    .await;
    let id = id_of(&out, "OC-ERP-1");
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    let number = po["number"].as_str().expect("number").to_owned();
    let rep = supplier_contact(&alfa, "P-1", "ventas@uno.test", SUPPLIER).await;

    // The home page lists it as waiting; the list and its page show it.
    let home = rep.get("/supplier").await;
    assert!(home.body.contains(&number), "{}", home.body);
    let list = rep.get("/supplier/purchase_orders").await;
    assert!(
        list.body.contains(&number) && list.body.contains("1,191.80 DOP"),
        "{}",
        list.body
    );
    let po_page = format!("/supplier/purchase_orders/{id}");

    // A changed date on line 2, sent from the page.
    let sent = rep
        .submit(
            &po_page,
            &format!("{po_page}/acknowledgement"),
            &[
                ("all", "lines"),
                ("decision.0", "accept"),
                ("decision.1", "change"),
                ("promised_on.1", "2026-12-01"),
                ("note", "Segunda línea en diciembre"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = rep.get(&po_page).await;
    assert!(page.body.contains("status-in_review"), "{}", page.body);
    assert!(!page.body.contains("name=\"decision.0\""), "{}", page.body);
    let home = rep.get("/supplier").await;
    assert!(!home.body.contains(&number), "{}", home.body);

    if pdftotext_available() {
        let pdf = rep.get(&format!("{po_page}/pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = pdf_text(&pdf.bytes);
        assert!(
            text.contains(&number) && text.contains("Orden de compra"),
            "{text}"
        );
        assert!(
            text.contains("Artículo B-2") && text.contains("Aceptada con cambios"),
            "{text}"
        );
    }

    // "Acknowledge the whole order" on another one.
    let (_, out) = put(
        &api,
        json!([order("OC-ERP-2", "P-1", vec![line("A-1", "1", "100")])]),
    )
    .await;
    let second = id_of(&out, "OC-ERP-2");
    let second_page = format!("/supplier/purchase_orders/{second}");
    let done = rep
        .submit(
            &second_page,
            &format!("{second_page}/acknowledgement"),
            &[("all", "accept")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{second}")).await;
    assert_eq!(po["state"], "acknowledged", "{po}");
}

async fn receipts(api: &Browser<'_>, records: Value) -> (StatusCode, Value) {
    let page = api
        .json(
            Method::PUT,
            "/api/v1/goods-receipts",
            Some(json!({ "records": records })),
        )
        .await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

async fn goods_receipts_fill_the_order_and_refuse_what_was_not_ordered(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let (_, out) = put(
        &api,
        json!([
            order("OC-ERP-1", "P-1", vec![line("A-1", "10", "100"), line("B-2", "4", "50")]),
            { "external_ref": "OC-ERP-2", "supplier": "P-1", "currency": "DOP",
              "status": "draft", "lines": [line("A-1", "1", "5")] },
        ]),
    )
    .await;
    let id = id_of(&out, "OC-ERP-1");
    let receipt = |reference: &str, lines: Value| {
        json!({ "external_ref": reference, "purchase_order": "OC-ERP-1",
                "received_on": "2026-11-15", "lines": lines })
    };

    // Part of line 1, two of line 2 refused.
    let first = receipt(
        "EM-ERP-1",
        json!([{ "position": 1, "accepted": "6" },
               { "position": 2, "accepted": "2", "rejected": "2", "reason": "Rotos" }]),
    );
    let (status, out) = receipts(&api, json!([first.clone()])).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    assert_eq!(po["state"], "partially_received", "{po}");
    assert_eq!(
        (
            po["lines"][0]["received"].as_str(),
            po["lines"][1]["rejected"].as_str()
        ),
        (Some("6"), Some("2")),
        "{po}"
    );
    assert!(
        po["receipts"][0]["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("EM-")),
        "{po}"
    );

    // The same receipt again changes nothing; changed, it is refused.
    let (status, out) = receipts(&api, json!([first])).await;
    assert_eq!(
        (status, out["unchanged"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{out}"
    );
    let changed = receipt("EM-ERP-1", json!([{ "position": 1, "accepted": "7" }]));
    let (status, out) = receipts(&api, json!([changed])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(
        out.to_string().contains("purchasing-receipt-changed"),
        "{out}"
    );

    // More than ordered, a line the order lacks, an unknown order, a draft:
    // each named, nothing written.
    let (status, out) = receipts(
        &api,
        json!([
            receipt("EM-ERP-2", json!([{ "position": 1, "accepted": "5" }])),
            receipt("EM-ERP-3", json!([{ "position": 3, "accepted": "1" }])),
            { "external_ref": "EM-ERP-4", "purchase_order": "OC-NO-EXISTE",
              "lines": [{ "position": 1, "accepted": "1" }] },
            { "external_ref": "EM-ERP-5", "purchase_order": "OC-ERP-2",
              "lines": [{ "position": 1, "accepted": "1" }] },
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let text = out.to_string();
    for (field, code) in [
        ("records[0].lines[0].accepted", "purchasing-over-received"),
        ("records[1].lines[0].position", "purchasing-line-unknown"),
        ("records[2].purchase_order", "purchasing-order-unknown"),
        (
            "records[3].purchase_order",
            "purchasing-order-not-receiving",
        ),
    ] {
        assert!(
            text.contains(field) && text.contains(code),
            "{field}: {out}"
        );
    }
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    assert_eq!(po["lines"][0]["received"], "6", "{po}");

    // The rest arrives: the order is received; the supplier sees it.
    let (status, out) = receipts(
        &api,
        json!([receipt(
            "EM-ERP-6",
            json!([{ "position": 1, "accepted": "4" }, { "position": 2, "accepted": "2" }])
        )]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (_, po) = get(&api, &format!("/api/v1/purchase-orders/{id}")).await;
    assert_eq!(po["state"], "received", "{po}");
    let actions: Vec<&str> = po["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["imported", "sent", "partially_received", "received"],
        "{po}"
    );
    let rep = supplier_contact(&alfa, "P-1", "ventas@uno.test", SUPPLIER).await;
    let page = rep.get(&format!("/supplier/purchase_orders/{id}")).await;
    assert!(page.body.contains("EM-000002"), "{}", page.body);
    assert!(page.body.contains("status-received"), "{}", page.body);
}
