//! The catalogue, quotes and orders end to end: an ERP pushes items and a
//! customer's own prices through the admin API (all or nothing, idempotent);
//! customer contacts request quotes and place orders from the catalogue in the
//! portal (prices and totals always the server's), accept, reject and
//! authorize within their approval limits — over the limit it waits for a
//! colleague whose limit covers it, the company can forbid authorizing one's
//! own, two deciding at once yield one decision — and staff see the chain and
//! price a requested quote (lines, validity, notes) before sending it.

use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant, SYSTEM};
use portico_tests::{
    Browser, TestApp, TestDb, backend_tests,
    outbox::{Mail, settled},
    pdf::{pdf_text, pdftotext_available},
};
use serde_json::{Value, json};

backend_tests!(
    the_catalogue_and_prices_are_upserted_all_or_nothing,
    an_erp_upserts_quotes_and_orders_by_its_reference_and_portal_decisions_stand,
    a_quote_is_requested_at_the_customers_prices_sent_accepted_and_ordered,
    an_order_over_the_limit_waits_for_a_colleague_whose_limit_covers_it,
    a_quote_over_the_limit_asks_the_colleagues_who_may_accept_it_by_mail,
    nobody_authorizes_their_own_when_the_company_says_so,
    two_contacts_authorizing_at_once_yield_one_authorization,
    bad_requests_are_explained_and_write_nothing,
    the_pages_request_decide_and_print,
    staff_price_a_requested_quote_before_sending_it,
    staff_write_a_quote_for_a_customers_branch_and_send_it,
    a_portal_order_is_totalled_as_the_company_rounds,
);

/// A company with customer `C-1` (branches `S1`, `S2`), customer `C-2`, a
/// catalogue of three items, and C-1's own price of `A-1`.
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
    let (status, out) = put(
        &api,
        "/api/v1/items",
        json!([
            item("A-1", "Jarabe", "100.00", "18"),
            item("B-2", "Gasas", "33.335", "0"),
            item("C-3", "Tensiómetro", "3000", "18"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, out) = put(
        &api,
        "/api/v1/prices",
        json!([{ "customer": "C-1", "item": "A-1", "price": "90" }]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    (alfa, api)
}

fn item(code: &str, name: &str, price: &str, rate: &str) -> Value {
    json!({ "code": code, "name": name, "unit": "u", "currency": "DOP",
            "price": price, "tax_rate": rate })
}

async fn put(api: &Browser<'_>, path: &str, records: Value) -> (StatusCode, Value) {
    let page = api
        .json(Method::PUT, path, Some(json!({ "records": records })))
        .await;
    let body = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, body)
}

/// A contact of `C-1` with `permissions` on `branches` (codes; every branch
/// when empty) and an approval `limit`, signed in to the customer portal, its
/// API calls carrying the CSRF token.
async fn contact<'a>(
    alfa: &Company<'a>,
    email: &str,
    permissions: &[&'static str],
    branches: &[&str],
    limit: Option<&str>,
) -> Browser<'a> {
    contact_and_link(alfa, email, permissions, branches, limit)
        .await
        .0
}

/// [`contact`], with the contact's id and its link's.
async fn contact_and_link<'a>(
    alfa: &Company<'a>,
    email: &str,
    permissions: &[&'static str],
    branches: &[&str],
    limit: Option<&str>,
) -> (Browser<'a>, String, String) {
    let customer = alfa.account_id("C-1").await;
    let id = alfa.contact("Ana", email, email).await;
    let mut grant = if branches.is_empty() {
        Grant::all_branches(permissions)
    } else {
        let mut ids = Vec::new();
        for code in branches {
            ids.push(alfa.branch_id(customer, code).await);
        }
        Grant::branches(permissions, &ids)
    };
    if let Some(limit) = limit {
        grant = grant.limited(limit);
    }
    let link = alfa.link(id, customer, AccountKind::Customer, &grant).await;
    let browser = alfa.portal_session(Portal::Customer, email).await;
    let token = browser.get("/portal").await.csrf();
    (
        browser.with_header("x-csrf-token", &token),
        id.to_string(),
        link.to_string(),
    )
}

const BUYER: &[&str] = &[
    "quotes.view",
    "quotes.create",
    "quotes.authorize",
    "orders.view",
    "orders.create",
    "orders.authorize",
];

/// The catalogue's item id of `code`, as the contact reads it.
async fn item_id(contact: &Browser<'_>, code: &str) -> String {
    let page = contact.get("/portal/api/v1/orders/catalogue?q=").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let items = page.json();
    items["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {items}"))["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn call(contact: &Browser<'_>, path: &str, body: Value) -> (StatusCode, Value) {
    let page = contact.json(Method::POST, path, Some(body)).await;
    let value = serde_json::from_str(&page.body).unwrap_or(Value::Null);
    (page.status, value)
}

/// Places an order of `lines` (`(code, quantity)`) as `contact`.
async fn order(contact: &Browser<'_>, lines: &[(&str, &str)], branch: Option<&str>) -> Value {
    let mut wanted = Vec::new();
    for (code, quantity) in lines {
        wanted.push(json!({ "item_id": item_id(contact, code).await, "quantity": quantity }));
    }
    let (status, out) = call(
        contact,
        "/portal/api/v1/orders",
        json!({ "lines": wanted, "branch_id": branch }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    out
}

async fn authorize(contact: &Browser<'_>, kind: &str, id: &str) -> (StatusCode, Value) {
    call(
        contact,
        &format!("/portal/api/v1/{kind}/{id}/decision"),
        json!({ "decision": "authorize", "comment": "conforme" }),
    )
    .await
}

/// The mails about `number` once the company's outbox is empty.
async fn told_about(app: &TestApp, alfa: &Company<'_>, number: &str) -> Vec<Mail> {
    settled(&app.db.db, &alfa.tenant, app.mail_dir.path())
        .await
        .into_iter()
        .filter(|m| m.subject.contains(number))
        .collect()
}

/// The path of a portal link in a mail (`http://alfa.localhost:8080/portal/…`).
fn portal_path(url: &str) -> &str {
    &url[url.find("/portal/").expect("a portal link")..]
}

async fn the_catalogue_and_prices_are_upserted_all_or_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let page = api.get("/api/v1/items?q=ten").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let items = page.json();
    assert_eq!(items["items"].as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items["items"][0]["code"], "C-3");
    assert_eq!(items["items"][0]["price"], "3000.00");

    // The same items again change nothing; a changed one is updated.
    let (status, out) = put(
        &api,
        "/api/v1/items",
        json!([
            item("A-1", "Jarabe", "100.00", "18"),
            item("B-2", "Gasas finas", "33.335", "0")
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        (out["unchanged"].as_u64(), out["updated"].as_u64()),
        (Some(1), Some(1)),
        "{out}"
    );

    // One bad record refuses the batch: nothing of it is written.
    let (status, out) = put(
        &api,
        "/api/v1/items",
        json!([
            item("D-4", "Nuevo", "10", "18"),
            item("E-5", "Caro", "1,5", "18")
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(out.to_string().contains("records[1].price"), "{out}");
    let items = api.get("/api/v1/items?q=d-4").await.json();
    assert_eq!(items["items"].as_array().map(Vec::len), Some(0), "{items}");

    let (status, out) = put(
        &api,
        "/api/v1/prices",
        json!([
            { "customer": "C-1", "item": "B-2", "price": "30" },
            { "customer": "C-9", "item": "A-1", "price": "1" },
            { "customer": "C-1", "item": "Z-9", "price": "1" },
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let text = out.to_string();
    assert!(
        text.contains("records[1].customer") && text.contains("records[2].item"),
        "{out}"
    );
    let (status, out) = put(
        &api,
        "/api/v1/prices",
        json!([{ "customer": "C-1", "item": "A-1", "price": "90" }]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["unchanged"], 1, "{out}");

    // A read-only key may read but not write.
    let reader = alfa.api_client(&alfa.api_key(StaffRole::ReadOnly).await);
    let (status, _) = put(
        &reader,
        "/api/v1/items",
        json!([item("F-6", "X", "1", "0")]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A quote or order as an ERP sends it: `(item code, quantity, price)` lines.
fn erp(
    reference: &str,
    branch: Option<&str>,
    status: Option<&str>,
    lines: &[(&str, &str, &str)],
) -> Value {
    json!({
        "external_ref": reference, "customer": "C-1", "branch": branch, "status": status,
        "currency": "DOP", "notes": "Desde el ERP",
        "lines": lines.iter().map(|(code, quantity, price)| json!({
            "item_code": code, "description": format!("Artículo {code}"), "unit": "u",
            "quantity": quantity, "unit_price": price, "tax_rate": "18",
        })).collect::<Vec<_>>(),
    })
}

/// The actions of a record's chain, as the admin API reads them.
async fn chain(api: &Browser<'_>, kind: &str, id: &str) -> (Value, Vec<String>) {
    let record = api.get(&format!("/api/v1/{kind}/{id}")).await.json();
    let actions = record["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect();
    (record, actions)
}

async fn an_erp_upserts_quotes_and_orders_by_its_reference_and_portal_decisions_stand(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let quotes = json!([
        erp(
            "Q-1",
            None,
            None,
            &[("A-1", "2", "95"), ("FLETE", "1", "50")]
        ),
        erp("Q-2", Some("S1"), Some("draft"), &[("B-2", "10", "3")]),
    ]);
    let (status, out) = put(&api, "/api/v1/quotes", quotes.clone()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["created"], 2, "{out}");
    let id = out["results"][0]["id"].as_str().expect("id").to_owned();

    // Numbered by Portico, totals computed, a catalogue item linked by code,
    // waiting for the customer: 2 × 95 + 1 × 50 = 240 + 18 % = 283.20.
    let (quote, actions) = chain(&api, "quotes", &id).await;
    assert!(
        quote["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("COT-")),
        "{quote}"
    );
    assert_eq!(
        (&quote["state"], &quote["total"], &quote["external_ref"]),
        (&json!("sent"), &json!("283.20"), &json!("Q-1")),
        "{quote}"
    );
    assert!(quote["lines"][0]["item_id"].is_string(), "{quote}");
    assert!(quote["lines"][1]["item_id"].is_null(), "{quote}");
    assert_eq!(actions, ["imported", "sent"]);

    // The same batch again writes nothing; a changed line updates one.
    // Codes are compared without case: `c-1`/`s1` name the same customer and branch.
    let mut quotes = quotes;
    quotes[1]["customer"] = json!("c-1");
    quotes[1]["branch"] = json!("s1");
    let (status, out) = put(&api, "/api/v1/quotes", quotes).await;
    assert_eq!(
        (status, &out["unchanged"]),
        (StatusCode::OK, &json!(2)),
        "{out}"
    );
    let changed = erp(
        "Q-1",
        None,
        None,
        &[("A-1", "3", "95"), ("FLETE", "1", "50")],
    );
    let (status, out) = put(&api, "/api/v1/quotes", json!([changed])).await;
    assert_eq!(
        (status, &out["updated"]),
        (StatusCode::OK, &json!(1)),
        "{out}"
    );
    let (quote, actions) = chain(&api, "quotes", &id).await;
    assert_eq!(quote["total"], "395.30", "{quote}");
    assert_eq!(actions, ["imported", "sent", "updated"]);

    // One bad record refuses the batch, every problem named; nothing written.
    let mut wrong = erp("Q-4", None, Some("fulfilled"), &[("A-1", "1", "-5")]);
    wrong["customer"] = json!("C-9");
    wrong["deliver_on"] = json!("2026-12-31");
    let (status, out) = put(
        &api,
        "/api/v1/quotes",
        json!([erp("Q-3", None, None, &[("A-1", "1", "95")]), wrong]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    let text = out.to_string();
    for field in [
        "records[1].status",
        "records[1].deliver_on",
        "records[1].lines[0].unit_price",
    ] {
        assert!(text.contains(field), "{field}: {out}");
    }
    let list = api.get("/api/v1/quotes").await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2), "{list}");
    let mut unknown = erp("Q-3", None, None, &[("A-1", "1", "95")]);
    unknown["customer"] = json!("C-9");
    let (status, out) = put(&api, "/api/v1/quotes", json!([unknown])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(out.to_string().contains("records[0].customer"), "{out}");
    // Another company's customer code names no customer here.
    let beta = Company::new(&app, "beta").await;
    beta.account(AccountKind::Customer, "B-1", "Farmacia Beta")
        .await;
    let mut foreign = erp("Q-3", None, None, &[("A-1", "1", "95")]);
    foreign["customer"] = json!("B-1");
    let (status, out) = put(&api, "/api/v1/quotes", json!([foreign])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(out.to_string().contains("records[0].customer"), "{out}");

    // What the customer decided in the portal stands.
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    let (status, accepted) = authorize(&buyer, "quotes", &id).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let relined = erp("Q-1", None, Some("accepted"), &[("A-1", "9", "95")]);
    let (status, out) = put(&api, "/api/v1/quotes", json!([relined])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(
        out.to_string().contains("orders-decided-in-portal"),
        "{out}"
    );
    let undone = erp(
        "Q-1",
        None,
        Some("sent"),
        &[("A-1", "3", "95"), ("FLETE", "1", "50")],
    );
    let (status, out) = put(&api, "/api/v1/quotes", json!([undone])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}");
    assert!(out.to_string().contains("records[0].status"), "{out}");
    let same = erp(
        "Q-1",
        None,
        Some("accepted"),
        &[("A-1", "3", "95"), ("FLETE", "1", "50")],
    );
    let (status, out) = put(&api, "/api/v1/quotes", json!([same])).await;
    assert_eq!(
        (status, &out["unchanged"]),
        (StatusCode::OK, &json!(1)),
        "{out}"
    );

    // An order the customer authorized moves on from the ERP: fulfilled.
    let customer = alfa.account_id("C-1").await;
    let s1 = alfa.branch_id(customer, "S1").await.as_uuid().to_string();
    let order = erp("O-1", Some("S1"), None, &[("C-3", "1", "3000")]);
    let (status, out) = put(&api, "/api/v1/orders", json!([order])).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let order_id = out["results"][0]["id"].as_str().expect("id").to_owned();
    let (placed, _) = chain(&api, "orders", &order_id).await;
    assert!(
        placed["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("PED-")),
        "{placed}"
    );
    assert_eq!(
        (&placed["state"], &placed["branch_id"]),
        (&json!("submitted"), &json!(s1))
    );
    let (status, done) = authorize(&buyer, "orders", &order_id).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let fulfilled = erp(
        "O-1",
        Some("S1"),
        Some("fulfilled"),
        &[("C-3", "1", "3000")],
    );
    let (status, out) = put(&api, "/api/v1/orders", json!([fulfilled])).await;
    assert_eq!(
        (status, &out["updated"]),
        (StatusCode::OK, &json!(1)),
        "{out}"
    );
    let (order, actions) = chain(&api, "orders", &order_id).await;
    assert_eq!(order["state"], "fulfilled", "{order}");
    assert_eq!(actions, ["imported", "authorized", "fulfilled"]);
    // A quote's reference is not an order's: the same reference is a new order.
    let (status, out) = put(
        &api,
        "/api/v1/orders",
        json!([erp("Q-2", None, None, &[("A-1", "1", "95")])]),
    )
    .await;
    assert_eq!(
        (status, &out["created"]),
        (StatusCode::OK, &json!(1)),
        "{out}"
    );

    // The back office shows the ERP's reference and the chain.
    let owner = alfa.staff_session("owner@alfa.test").await;
    let page = owner.get(&format!("/admin/orders/{order_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("O-1") && page.body.contains("Recibido del ERP"),
        "{}",
        page.body
    );
}

async fn a_quote_is_requested_at_the_customers_prices_sent_accepted_and_ordered(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    // C-1 pays 90 for A-1, not the catalogue's 100; a price the caller
    // might send is not even part of the request.
    let a1 = item_id(&buyer, "A-1").await;
    let b2 = item_id(&buyer, "B-2").await;
    let catalogue = buyer.get("/portal/api/v1/quotes/catalogue").await.json();
    let own = catalogue["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["code"] == "A-1")
        .cloned()
        .expect("A-1");
    assert_eq!(
        (own["price"].as_str(), own["own_price"].as_bool()),
        (Some("90.00"), Some(true))
    );
    let (status, quote) = call(
        &buyer,
        "/portal/api/v1/quotes",
        json!({ "lines": [
            { "item_id": a1, "quantity": "2" },
            { "item_id": b2, "quantity": "3" },
        ], "notes": "Para el lunes" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    // 2 × 90 = 180 + 18 % = 32.40; 3 × 33.335 = 100.005 → 100.01 exempt.
    assert_eq!(quote["subtotal"], "280.01", "{quote}");
    assert_eq!(quote["tax"], "32.40", "{quote}");
    assert_eq!(quote["total"], "312.41", "{quote}");
    assert_eq!(quote["state"], "draft");
    assert!(
        quote["number"]
            .as_str()
            .is_some_and(|n| n.starts_with("COT-")),
        "{quote}"
    );
    let id = quote["id"].as_str().expect("id").to_owned();

    // A draft waits for the company: accepting it now is refused.
    let (status, out) = authorize(&buyer, "quotes", &id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");

    // Staff send it; the contact accepts it and orders it, once.
    let sent = api
        .json(Method::POST, &format!("/api/v1/quotes/{id}/send"), None)
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["state"], "sent");
    let again = api
        .json(Method::POST, &format!("/api/v1/quotes/{id}/send"), None)
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let (status, accepted) = authorize(&buyer, "quotes", &id).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["state"], "accepted");
    let (status, ordered) = call(
        &buyer,
        &format!("/portal/api/v1/orders/from-quote/{id}"),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ordered}");
    assert_eq!(ordered["total"], "312.41", "{ordered}");
    assert_eq!(ordered["quote_id"], id.as_str());
    assert_eq!(ordered["state"], "submitted");
    let (status, out) = call(
        &buyer,
        &format!("/portal/api/v1/orders/from-quote/{id}"),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");

    // Order again: the same items at today's prices, a new number.
    let order_id = ordered["id"].as_str().expect("id");
    let (status, repeat) = call(
        &buyer,
        &format!("/portal/api/v1/orders/{order_id}/again"),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{repeat}");
    assert_ne!(repeat["number"], ordered["number"]);
    assert_eq!(repeat["lines"].as_array().map(Vec::len), Some(2));

    // Staff see the chain: created in the portal, sent, accepted by the contact.
    let staff_view = api.get(&format!("/api/v1/quotes/{id}")).await.json();
    let actions: Vec<&str> = staff_view["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["created", "sent", "authorized"], "{staff_view}");
    assert_eq!(staff_view["events"][2]["actor_kind"], "contact");
    assert_eq!(staff_view["events"][2]["comment"], "conforme");

    // Another customer's contact sees none of it.
    let other = alfa.contact("Otro", "Dos", "otro@dos.test").await;
    let c2 = alfa.account_id("C-2").await;
    alfa.link(
        other,
        c2,
        AccountKind::Customer,
        &Grant::all_branches(BUYER),
    )
    .await;
    let other = alfa.portal_session(Portal::Customer, "otro@dos.test").await;
    assert_eq!(
        other
            .get(&format!("/portal/api/v1/quotes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/portal/quotes/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let list = other.get("/portal/api/v1/orders").await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
}

async fn an_order_over_the_limit_waits_for_a_colleague_whose_limit_covers_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s1 = alfa.branch_id(customer, "S1").await.as_uuid().to_string();
    let (branch_buyer, buyer_id, buyer_link) =
        contact_and_link(&alfa, "norte@uno.test", BUYER, &["S1"], Some("5000")).await;
    let (approver, approver_id, approver_link) =
        contact_and_link(&alfa, "jefa@uno.test", BUYER, &[], Some("10000")).await;
    let small = contact(&alfa, "junior@uno.test", BUYER, &[], Some("1000")).await;

    // Sees only the other branch: however high its limit, not for S1's orders.
    let south = contact(&alfa, "sur@uno.test", BUYER, &["S2"], Some("50000")).await;

    // 2 × 3000 + 18 % = 7080.00: above 5,000, within 10,000.
    let placed = order(&branch_buyer, &[("C-3", "2")], Some(&s1)).await;
    assert_eq!(placed["total"], "7080.00", "{placed}");
    let id = placed["id"].as_str().expect("id").to_owned();

    // The one colleague who may authorize it is told by mail, with a link
    // that opens it; not the buyer, the smaller limit nor the other branch.
    let number = placed["number"].as_str().expect("number");
    let told = told_about(&app, &alfa, number).await;
    let to: Vec<&str> = told.iter().map(|m| m.to.as_str()).collect();
    assert_eq!(to, ["jefa@uno.test"], "{told:?}");
    assert!(
        told[0].subject.contains("espera su autorización"),
        "{told:?}"
    );
    told[0].assert_text_contains(&["7,080.00 DOP", "Farmacia Uno", "norte@uno.test"]);
    let opened = approver
        .get(portal_path(
            told[0].url_containing(&format!("/portal/orders/{id}")),
        ))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    assert!(opened.body.contains(number));
    assert_eq!(
        south.get(&format!("/portal/orders/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let (status, out) = authorize(&branch_buyer, "orders", &id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");
    assert!(out.to_string().contains("orders-refused-limit"), "{out}");
    // Its page says it waits for a colleague, with no form for a decision
    // the buyer cannot make.
    let page = branch_buyer.get(&format!("/portal/orders/{id}")).await;
    assert!(
        page.body.contains("espera la autorización de un colega")
            && !page.body.contains("name=\"comment\""),
        "{}",
        page.body
    );

    // It waits for the approver, not for the buyer nor for a smaller limit.
    async fn waiting(b: &Browser<'_>) -> Value {
        b.get("/portal/api/v1/orders/waiting").await.json()
    }
    let ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect()
    };
    assert!(!ids(&waiting(&branch_buyer).await).contains(&id));
    assert!(!ids(&waiting(&small).await).contains(&id));
    assert!(ids(&waiting(&approver).await).contains(&id));
    // … and on the approver's home page, "waiting for your decision".
    let home = approver.get("/portal").await;
    assert!(
        home.body
            .contains(placed["number"].as_str().expect("number")),
        "{}",
        home.body
    );

    // The explainer answers "may they authorize PED-… of 7,080.00 DOP?" with
    // the limit in the chain of reasons.
    let explain = |contact: &str, link: &str| {
        format!("/api/v1/contacts/{contact}/access/explain?link={link}&document={number}")
    };
    let no = api.get(&explain(&buyer_id, &buyer_link)).await.json();
    assert_eq!(no["allowed"], false, "{no}");
    let codes: Vec<&str> = no["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"explain-limit-below") && codes.contains(&"explain-document-open"),
        "{no}"
    );
    let yes = api.get(&explain(&approver_id, &approver_link)).await.json();
    assert_eq!(yes["allowed"], true, "{yes}");
    assert!(
        yes.to_string().contains("10,000.00 DOP ≥ 7,080.00 DOP"),
        "{yes}"
    );
    let unknown = api
        .get(&format!(
            "/api/v1/contacts/{approver_id}/access/explain?link={approver_link}&document=PED-999999"
        ))
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    let owner = alfa.staff_session("owner@alfa.test").await;
    let page = owner
        .get(&format!(
            "/admin/contacts/{buyer_id}/access?link={buyer_link}&document={number}"
        ))
        .await;
    assert!(
        page.body.contains("no alcanza el total") && page.body.contains(number),
        "{}",
        page.body
    );

    let (status, out) = authorize(&small, "orders", &id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");
    let (status, done) = authorize(&approver, "orders", &id).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "authorized");
    assert!(!ids(&waiting(&approver).await).contains(&id));

    // The chain: created by the buyer, authorized by the approver with her limit.
    let chain = api.get(&format!("/api/v1/orders/{id}")).await.json();
    let events = chain["events"].as_array().expect("events");
    assert_eq!(events.len(), 2, "{chain}");
    assert_eq!(events[1]["action"], "authorized");
    assert_eq!(events[1]["approval_limit"], "10000.00");
    // Staff fulfil it; the back office shows the chain.
    let fulfilled = api
        .json(Method::POST, &format!("/api/v1/orders/{id}/fulfil"), None)
        .await;
    assert_eq!(fulfilled.json()["state"], "fulfilled");
    let owner = alfa.staff_session("owner@alfa.test").await;
    let page = owner.get(&format!("/admin/orders/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("jefa@uno.test") || page.body.contains("Ana"),
        "{}",
        page.body
    );
    assert!(page.body.contains("10,000.00 DOP"), "{}", page.body);

    // Deleting the people who created and authorized it keeps the order and
    // its chain, with their names as they were.
    for contact in [&buyer_id, &approver_id] {
        let deleted = api
            .json(Method::DELETE, &format!("/api/v1/contacts/{contact}"), None)
            .await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    }
    let kept = api.get(&format!("/api/v1/orders/{id}")).await.json();
    assert_eq!(kept["state"], "fulfilled", "{kept}");
    assert_eq!(
        kept["events"][1]["actor_name"],
        chain["events"][1]["actor_name"]
    );
}

async fn a_quote_over_the_limit_asks_the_colleagues_who_may_accept_it_by_mail(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], Some("100")).await;
    let _manager = contact(&alfa, "gerente@uno.test", BUYER, &[], Some("1000")).await;
    let _unlimited = contact(&alfa, "dueno@uno.test", BUYER, &["S2"], None).await;
    let _small = contact(&alfa, "junior@uno.test", BUYER, &[], Some("200")).await;
    let _viewer = contact(&alfa, "mira@uno.test", &["quotes.view"], &[], None).await;
    let _blind = contact(&alfa, "ciego@uno.test", &["quotes.authorize"], &[], None).await;
    let other = alfa.contact("Otra", "Dos", "otra@dos.test").await;
    let c2 = alfa.account_id("C-2").await;
    alfa.link(
        other,
        c2,
        AccountKind::Customer,
        &Grant::all_branches(BUYER),
    )
    .await;

    // 2 × 90 + 18 % = 212.40, for the whole customer (no branch).
    let a1 = item_id(&buyer, "A-1").await;
    let (status, quote) = call(
        &buyer,
        "/portal/api/v1/quotes",
        json!({ "lines": [{ "item_id": a1, "quantity": "2" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let id = quote["id"].as_str().expect("id").to_owned();
    let number = quote["number"].as_str().expect("number").to_owned();
    let sent = api
        .json(Method::POST, &format!("/api/v1/quotes/{id}/send"), None)
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert!(told_about(&app, &alfa, &number).await.is_empty());

    let (status, out) = authorize(&buyer, "quotes", &id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");
    let ask = json!({ "decision": "request_approval", "comment": "urgente" });
    let (status, asked) = call(
        &buyer,
        &format!("/portal/api/v1/quotes/{id}/decision"),
        ask.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{asked}");

    // Told: whoever may accept 212.40 DOP of an account-level quote — the
    // manager and the owner without a limit (branch-bound, but the quote
    // belongs to the whole customer); not the asker, the smaller limit, the
    // viewer without the grant, the one who could not open it (authorize
    // without view), nor the other customer's contact.
    let told = told_about(&app, &alfa, &number).await;
    let mut to: Vec<&str> = told.iter().map(|m| m.to.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["dueno@uno.test", "gerente@uno.test"], "{told:?}");
    for mail in &told {
        assert!(mail.subject.contains("espera su aprobación"), "{mail:?}");
        mail.assert_text_contains(&[
            "212.40 DOP",
            "compras@uno.test",
            "«urgente»",
            "Es válida hasta el",
        ]);
        mail.url_containing(&format!("/portal/quotes/{id}?account="));
    }

    // Asking twice is a conflict and tells nobody again.
    let (status, out) = call(&buyer, &format!("/portal/api/v1/quotes/{id}/decision"), ask).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");
    assert_eq!(told_about(&app, &alfa, &number).await.len(), 2);
}

async fn nobody_authorizes_their_own_when_the_company_says_so(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, _api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    let colleague = contact(&alfa, "colega@uno.test", BUYER, &[], None).await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    let on = owner
        .submit(
            "/admin/settings",
            "/admin/settings/approvals",
            &[("four_eyes", "on")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);

    let placed = order(&buyer, &[("A-1", "1")], None).await;
    let id = placed["id"].as_str().expect("id");
    let (status, out) = authorize(&buyer, "orders", id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{out}");
    assert!(out.to_string().contains("orders-refused-own"), "{out}");
    let mine = buyer.get("/portal/api/v1/orders/waiting").await.json();
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(0), "{mine}");
    let (status, done) = authorize(&colleague, "orders", id).await;
    assert_eq!(status, StatusCode::OK, "{done}");

    // Off again: the creator may authorize its own.
    owner
        .submit("/admin/settings", "/admin/settings/approvals", &[])
        .await;
    let placed = order(&buyer, &[("A-1", "1")], None).await;
    let (status, _) = authorize(&buyer, "orders", placed["id"].as_str().expect("id")).await;
    assert_eq!(status, StatusCode::OK);
}

async fn two_contacts_authorizing_at_once_yield_one_authorization(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    let first = contact(&alfa, "uno@uno.test", BUYER, &[], None).await;
    let second = contact(&alfa, "dos@uno.test", BUYER, &[], None).await;
    for _ in 0..5 {
        let placed = order(&buyer, &[("A-1", "1")], None).await;
        let id = placed["id"].as_str().expect("id").to_owned();
        let (a, b) = tokio::join!(
            authorize(&first, "orders", &id),
            authorize(&second, "orders", &id)
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{a:?} {b:?}"
        );
        let loser = if a.0 == StatusCode::CONFLICT {
            &a.1
        } else {
            &b.1
        };
        assert!(loser.to_string().contains("orders-not-open"), "{loser}");
        let chain = api.get(&format!("/api/v1/orders/{id}")).await.json();
        let authorized = chain["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "authorized")
            .count();
        assert_eq!(authorized, 1, "{chain}");
    }
}

async fn bad_requests_are_explained_and_write_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s2 = alfa.branch_id(customer, "S2").await.as_uuid().to_string();
    let buyer = contact(&alfa, "norte@uno.test", BUYER, &["S1"], None).await;
    let a1 = item_id(&buyer, "A-1").await;
    for (body, field) in [
        (json!({ "lines": [] }), "lines"),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "-1" }] }),
            "lines[0].quantity",
        ),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "abc" }] }),
            "lines[0].quantity",
        ),
        (
            json!({ "lines": [{ "item_id": uuid::Uuid::nil(), "quantity": "1" }] }),
            "lines[0].item",
        ),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "1" }, { "item_id": a1, "quantity": "2" }] }),
            "lines[1].item",
        ),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "1" }], "branch_id": s2 }),
            "branch",
        ),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "1" }], "deliver_on": "2020-01-01" }),
            "deliver_on",
        ),
        (
            json!({ "lines": [{ "item_id": a1, "quantity": "99999999999" }] }),
            "lines",
        ),
    ] {
        let (status, out) = call(&buyer, "/portal/api/v1/orders", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {out}");
        assert!(out.to_string().contains(field), "{body} → {out}");
    }
    let list = api.get("/api/v1/orders").await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");

    // Without the grant: 403; a record of another branch: 404.
    let reader = contact(&alfa, "lector@uno.test", &["orders.view"], &[], None).await;
    let (status, _) = call(
        &reader,
        "/portal/api/v1/orders",
        json!({ "lines": [{ "item_id": a1, "quantity": "1" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let south = contact(&alfa, "sur@uno.test", BUYER, &["S2"], None).await;
    let placed = order(&south, &[("A-1", "1")], Some(&s2)).await;
    let id = placed["id"].as_str().expect("id");
    assert_eq!(
        buyer
            .get(&format!("/portal/api/v1/orders/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (status, _) = authorize(&buyer, "orders", id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        reader
            .get(&format!("/portal/api/v1/orders/{id}"))
            .await
            .status,
        StatusCode::OK
    );
}

async fn the_pages_request_decide_and_print(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], Some("100")).await;
    let a1 = item_id(&buyer, "A-1").await;
    let new = buyer.get("/portal/orders/new").await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    assert!(
        new.body.contains("Tensiómetro") && new.body.contains("90.00 DOP"),
        "{}",
        new.body
    );

    // A bad quantity comes back on the form, with what was typed.
    let field = format!("qty.{a1}");
    let bad = buyer
        .submit(
            "/portal/orders/new",
            "/portal/orders",
            &[(field.as_str(), "1,5")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body.contains("1,5") && bad.body.contains("role=\"alert\""),
        "{}",
        bad.body
    );

    let made = buyer
        .submit(
            "/portal/orders/new",
            "/portal/orders",
            &[(field.as_str(), "2")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let path = made.location().expect("the order's page").to_owned();
    let page = buyer.get(&path).await;
    assert!(page.body.contains("PED-"), "{}", page.body);
    // 2 × 90 + 18 % = 212.40, above the limit of 100: no authorize button,
    // the reason instead.
    assert!(page.body.contains("212.40 DOP"), "{}", page.body);
    assert!(!page.body.contains("value=\"authorize\""), "{}", page.body);
    let list = buyer.get("/portal/orders").await;
    assert!(list.body.contains("212.40 DOP"), "{}", list.body);

    // A sent quote accepted from its page.
    let (_, quote) = call(
        &buyer,
        "/portal/api/v1/quotes",
        json!({ "lines": [{ "item_id": item_id(&buyer, "B-2").await, "quantity": "1" }] }),
    )
    .await;
    let id = quote["id"].as_str().expect("id");
    api.json(Method::POST, &format!("/api/v1/quotes/{id}/send"), None)
        .await;
    let quote_path = format!("/portal/quotes/{id}");
    let done = buyer
        .submit(
            &quote_path,
            &format!("{quote_path}/decision"),
            &[("decision", "authorize")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let page = buyer.get(&quote_path).await;
    assert!(page.body.contains("status-accepted"), "{}", page.body);

    if pdftotext_available() {
        let pdf = buyer.get(&format!("{quote_path}/pdf")).await;
        assert_eq!(pdf.status, StatusCode::OK);
        let text = pdf_text(&pdf.bytes);
        assert!(
            text.contains(quote["number"].as_str().expect("number")),
            "{text}"
        );
        assert!(
            text.contains("Gasas") && text.contains("Cotización"),
            "{text}"
        );
    }

    // Staff see both in the back office.
    let owner = alfa.staff_session("owner@alfa.test").await;
    let quotes = owner.get("/admin/quotes").await;
    assert!(
        quotes
            .body
            .contains(quote["number"].as_str().expect("number")),
        "{}",
        quotes.body
    );
    let orders = owner.get("/admin/orders").await;
    assert!(orders.body.contains("212.40 DOP"), "{}", orders.body);
    let items = owner.get("/admin/items?q=gas").await;
    assert!(
        items.body.contains("B-2") && !items.body.contains("C-3"),
        "{}",
        items.body
    );
}

async fn staff_price_a_requested_quote_before_sending_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    let a1 = item_id(&buyer, "A-1").await;
    let (status, quote) = call(
        &buyer,
        "/portal/api/v1/quotes",
        json!({ "lines": [{ "item_id": a1, "quantity": "2" }] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let id = quote["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/quotes/{id}");
    let until = (chrono::Local::now().date_naive() + chrono::Days::new(10)).to_string();

    // The company prices it: another quantity and price of the item (named
    // by its code in any case), and a line of its own.
    let priced = api
        .json(
            Method::PUT,
            &path,
            Some(json!({
                "lines": [
                    { "item_code": "a-1", "description": "Jarabe 120 ml", "unit": "u",
                      "quantity": "5", "unit_price": "85", "tax_rate": "18" },
                    { "item_code": null, "description": "Flete", "unit": "viaje",
                      "quantity": "1", "unit_price": "500", "tax_rate": "0" },
                ],
                "valid_until": until,
                "notes": "Precio especial por volumen",
            })),
        )
        .await;
    assert_eq!(priced.status, StatusCode::OK, "{}", priced.body);
    let priced = priced.json();
    // 5 × 85 = 425 + 18 % = 76.50; 500 exempt.
    assert_eq!(priced["subtotal"], "925.00", "{priced}");
    assert_eq!(priced["tax"], "76.50", "{priced}");
    assert_eq!(priced["total"], "1001.50", "{priced}");
    assert_eq!(priced["state"], "draft");
    assert_eq!(priced["valid_until"], until.as_str());
    let actions: Vec<&str> = priced["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["created", "drafted"], "{priced}");

    // Bad lines and a past validity are named field by field; nothing changes.
    let bad = api
        .json(
            Method::PUT,
            &path,
            Some(json!({
                "lines": [{ "description": " ", "unit": "", "quantity": "-1",
                            "unit_price": "x", "tax_rate": "200" }],
                "valid_until": "2020-01-01",
            })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for field in [
        "lines[0].description",
        "lines[0].unit",
        "lines[0].quantity",
        "lines[0].unit_price",
        "lines[0].tax_rate",
        "valid_until",
    ] {
        assert!(bad.body.contains(field), "{field}: {}", bad.body);
    }
    let empty = api
        .json(Method::PUT, &path, Some(json!({ "lines": [] })))
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert_eq!(api.get(&path).await.json()["total"], "1001.50");

    // In the back office: the form shows the lines; a bad row comes back
    // with what was typed and its line named; blanking a row removes it.
    let owner = alfa.staff_session("owner@alfa.test").await;
    let edit = format!("/admin/quotes/{id}/edit");
    let form = owner.get(&edit).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Flete") && form.body.contains("Jarabe 120 ml"),
        "{}",
        form.body
    );
    let row = |desc: &'static str, qty: &'static str| {
        [
            ("item_code", if desc == "Jarabe" { "A-1" } else { "" }),
            ("description", desc),
            ("unit", if desc.is_empty() { "" } else { "u" }),
            ("quantity", qty),
            ("unit_price", if desc.is_empty() { "" } else { "85" }),
            ("tax_rate", if desc.is_empty() { "" } else { "18" }),
        ]
    };
    let mut fields: Vec<(&str, &str)> = Vec::new();
    fields.extend(row("Jarabe", "1,5"));
    fields.extend(row("", ""));
    let refused = owner.submit(&edit, &edit, &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Cantidad, línea 1") && refused.body.contains("1,5"),
        "{}",
        refused.body
    );
    let mut fields: Vec<(&str, &str)> = Vec::new();
    fields.extend(row("Jarabe", "5"));
    fields.extend(row("", ""));
    fields.push(("valid_until", until.as_str()));
    let saved = owner.submit(&edit, &edit, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let now = api.get(&path).await.json();
    assert_eq!(now["total"], "501.50", "{now}");
    assert_eq!(now["lines"].as_array().map(Vec::len), Some(1), "{now}");
    let page = owner.get(&format!("/admin/quotes/{id}")).await;
    assert!(
        page.body.contains("501.50 DOP") && page.body.contains("Preparada"),
        "{}",
        page.body
    );

    // Sent, it can no longer be changed, by the API or the page.
    let sent = api.json(Method::POST, &format!("{path}/send"), None).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let late = api
        .json(
            Method::PUT,
            &path,
            Some(json!({ "lines": [{ "description": "Otra", "unit": "u",
                                     "quantity": "1", "unit_price": "1", "tax_rate": "0" }] })),
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let notice = owner.get(&edit).await;
    assert_eq!(notice.status, StatusCode::OK);
    assert!(
        !notice.body.contains("name=\"unit_price\""),
        "{}",
        notice.body
    );
    assert_eq!(api.get(&path).await.json()["total"], "501.50");

    // The contact accepts it at the company's price and orders it; the line
    // named by code is the catalogue's item, so "order again" re-prices it
    // at the customer's own price (5 × 90 + 18 %).
    let (status, accepted) = authorize(&buyer, "quotes", &id).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let (status, ordered) = call(
        &buyer,
        &format!("/portal/api/v1/orders/from-quote/{id}"),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{ordered}");
    assert_eq!(ordered["total"], "501.50", "{ordered}");
    let (status, again) = call(
        &buyer,
        &format!(
            "/portal/api/v1/orders/{}/again",
            ordered["id"].as_str().expect("id")
        ),
        json!(null),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["total"], "531.00", "{again}");
}

async fn staff_write_a_quote_for_a_customers_branch_and_send_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s1 = alfa.branch_id(customer, "S1").await.as_uuid().to_string();
    let owner = alfa.staff_session("owner@alfa.test").await;

    // From the list: the customer first, through the picker.
    let list = owner.get("/admin/quotes").await;
    assert!(list.body.contains("/admin/quotes/new"), "{}", list.body);
    let picker = owner.get("/admin/quotes/new?q=uno").await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    let form_path = format!("/admin/quotes/new?customer={customer}");
    assert!(picker.body.contains(&form_path), "{}", picker.body);
    let form = owner.get(&form_path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Sucursal Norte") && form.body.contains("Farmacia Uno"),
        "{}",
        form.body
    );

    let customer_id = customer.to_string();
    let line = |code: &'static str, desc: &'static str, qty: &'static str, price: &'static str| {
        [
            ("item_code", code),
            ("description", desc),
            ("unit", "u"),
            ("quantity", qty),
            ("unit_price", price),
            ("tax_rate", "18"),
        ]
    };
    // A bad quantity and another customer's branch come back named, with
    // what was typed; nothing is written.
    let mut fields: Vec<(&str, &str)> = vec![("account", &customer_id), ("branch", "not-a-branch")];
    fields.extend(line("A-1", "Jarabe", "dos", "95"));
    let refused = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Cantidad, línea 1")
            && refused.body.contains("dos")
            && refused
                .body
                .contains("Sucursal: Elija una opción de la lista."),
        "{}",
        refused.body
    );
    // Another company's customer is not found; nothing is written.
    let beta = Company::new(&app, "beta").await;
    let foreign = beta
        .account(AccountKind::Customer, "B-1", "Farmacia Beta")
        .await
        .to_string();
    let mut fields: Vec<(&str, &str)> = vec![("account", &foreign)];
    fields.extend(line("A-1", "Jarabe", "2", "95"));
    let refused = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    // No customer at all: the picker again, saying so.
    let mut fields: Vec<(&str, &str)> = vec![("account", "")];
    fields.extend(line("A-1", "Jarabe", "2", "95"));
    let refused = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Elija uno de los clientes de la empresa."),
        "{}",
        refused.body
    );
    let mut fields: Vec<(&str, &str)> = vec![
        ("account", &customer_id),
        ("branch", "01a238ca-feef-702a-988c-e2362c9e0b26"),
    ];
    fields.extend(line("A-1", "Jarabe", "2", "95"));
    let refused = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let quotes = api.get("/api/v1/quotes").await.json();
    assert_eq!(
        quotes["items"].as_array().map(Vec::len),
        Some(0),
        "{quotes}"
    );

    // A code that is no item on sale, on a line without a description.
    let code_only = |code: &'static str, quantity: &'static str| {
        [
            ("item_code", code),
            ("description", ""),
            ("unit", ""),
            ("quantity", quantity),
            ("unit_price", ""),
            ("tax_rate", ""),
        ]
    };
    let mut fields: Vec<(&str, &str)> = vec![("account", &customer_id), ("branch", &s1)];
    fields.extend(code_only("ZZ-9", "1"));
    let refused = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Código, línea 1: Ese artículo no está a la venta."),
        "{}",
        refused.body
    );

    // For branch S1: a catalogue line priced by hand, one of its own, and two
    // given by code and quantity alone — the rest from the catalogue, at the
    // customer's own price (A-1: 90).
    let mut fields: Vec<(&str, &str)> = vec![("account", &customer_id), ("branch", &s1)];
    fields.extend(line("A-1", "Jarabe", "2", "95"));
    fields.extend(line("", "Instalación", "1", "500"));
    fields.extend(code_only("b-2", "3"));
    fields.extend(code_only("A-1", "1"));
    // A spare row left empty is no line.
    fields.extend([
        ("item_code", ""),
        ("description", ""),
        ("unit", ""),
        ("quantity", ""),
        ("unit_price", ""),
        ("tax_rate", ""),
    ]);
    let created = owner.submit(&form_path, "/admin/quotes", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.location().expect("location").to_owned();
    let id = location.rsplit('/').next().expect("id").to_owned();
    let (quote, actions) = chain(&api, "quotes", &id).await;
    // 2 × 95 + 500 + 3 × 33.335 (100.01, exempt) + 1 × 90 = 880.01, tax
    // 18 % of 190, 500 and 90 = 140.40: 1020.41, in the company's currency.
    assert_eq!(
        (
            &quote["state"],
            &quote["total"],
            &quote["currency"],
            &quote["branch_id"]
        ),
        (
            &json!("draft"),
            &json!("1020.41"),
            &json!("DOP"),
            &json!(s1)
        ),
        "{quote}"
    );
    assert!(quote["lines"][0]["item_id"].is_string(), "{quote}");
    let filled = &quote["lines"][2];
    assert_eq!(
        (
            &filled["item_code"],
            &filled["description"],
            &filled["unit_price"]
        ),
        (&json!("B-2"), &json!("Gasas"), &json!("33.3350")),
        "{quote}"
    );
    assert_eq!(quote["lines"][3]["unit_price"], "90.00", "{quote}");
    assert_eq!(actions, ["created"]);
    let page = owner.get(&location).await;
    assert!(
        page.body.contains("Preparar líneas y precios"),
        "{}",
        page.body
    );

    // The customer does not see a draft the company is still writing.
    let north = contact(&alfa, "norte@uno.test", BUYER, &["S1"], None).await;
    assert_eq!(
        north
            .get(&format!("/portal/api/v1/quotes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let listed = north.get("/portal/api/v1/quotes").await.json();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(0),
        "{listed}"
    );
    assert!(page.body.contains("Borrador"), "{}", page.body);

    // Sent, the contact who sees S1 can accept it; one of S2 never sees it.
    let sent = api
        .json(Method::POST, &format!("/api/v1/quotes/{id}/send"), None)
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let south = contact(&alfa, "sur@uno.test", BUYER, &["S2"], None).await;
    assert_eq!(
        south
            .get(&format!("/portal/api/v1/quotes/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let (status, accepted) = authorize(&north, "quotes", &id).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");

    // A read-only user is not offered the form and cannot post it.
    alfa.staff("lector@alfa.test", StaffRole::ReadOnly).await;
    let reader = alfa.staff_session("lector@alfa.test").await;
    assert!(
        !reader
            .get("/admin/quotes")
            .await
            .body
            .contains("/admin/quotes/new")
    );
    assert_eq!(reader.get(&form_path).await.status, StatusCode::FORBIDDEN);
}

/// An order placed in the portal is totalled with the company's rounding
/// rule: three lines of 0.10 at 18 % pay 0.06 of tax rounded per line and
/// 0.05 rounded once per document.
async fn a_portal_order_is_totalled_as_the_company_rounds(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, api) = company(&app).await;
    let (status, out) = put(
        &api,
        "/api/v1/items",
        json!([
            item("D-4", "Hisopo", "0.10", "18"),
            item("E-5", "Bajalengua", "0.10", "18"),
            item("F-6", "Torunda", "0.10", "18"),
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let buyer = contact(&alfa, "compras@uno.test", BUYER, &[], None).await;
    let lines = [("D-4", "1"), ("E-5", "1"), ("F-6", "1")];
    let per_line = order(&buyer, &lines, None).await;
    assert_eq!(per_line["total"], "0.36", "{per_line}");

    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.expect("tx");
    tx.settings()
        .set_rounding(portico_domain::money::Rounding::Document, SYSTEM)
        .await
        .expect("rounding set");
    tx.commit().await.expect("commit");
    let per_document = order(&buyer, &lines, None).await;
    assert_eq!(per_document["total"], "0.35", "{per_document}");
}
