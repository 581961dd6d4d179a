//! Control characters in input (a NUL above all, which PostgreSQL refuses and
//! SQLite would store): a search for one finds nothing instead of failing, a
//! field holding one gets its own error in the page's or the caller's
//! language, and nothing is written — the same on both backends.

use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, StaffRole};
use portico_tests::builders::Company;
use portico_tests::{TestApp, TestDb, backend_tests};
use serde_json::{Value, json};

fn problem(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("problem JSON: {body}"))
}

async fn a_search_for_control_characters_finds_nothing_and_fails_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-001", "Farmacia Carol")
        .await;
    let ana = alfa.contact("Ana", "Peña", "ana@alfa.test").await;
    alfa.link(ana, customer, AccountKind::Customer, &Default::default())
        .await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    for path in [
        "/admin/contacts?q=%00",
        "/admin/contacts?q=an%00a",
        "/admin/customers?q=%00",
        "/admin/suppliers?q=car%07ol",
    ] {
        let page = owner.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
    // The control characters are dropped from the term: what is left searches.
    let page = owner.get("/admin/contacts?q=pe%00%C3%B1a").await;
    assert!(page.body.contains("ana@alfa.test"), "{}", page.body);

    let key = alfa.api_key(StaffRole::Sales).await;
    let api = alfa.api_client(&key);
    for path in ["/api/v1/contacts?q=%00", "/api/v1/customers?q=%00%01"] {
        let page = api.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
    }
}

async fn a_field_with_a_control_character_is_refused_by_name(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let owner = alfa.staff_session("owner@alfa.test").await;

    // A page: the field's own message, in Spanish, and nothing saved.
    let page = owner
        .submit(
            "/admin/contacts/new",
            "/admin/contacts",
            &[
                ("first_name", "Ana\u{0}"),
                ("last_name", "Peña"),
                ("email", "ana@alfa.test"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Contiene caracteres de control invisibles"),
        "{}",
        page.body
    );
    let list = owner.get("/admin/contacts").await;
    assert!(!list.body.contains("ana@alfa.test"), "nothing was saved");

    // A customer's name, by the page as well.
    let page = owner
        .submit(
            "/admin/customers/new",
            "/admin/customers",
            &[("code", "C-001"), ("name", "Farmacia\u{1b}[31m Carol")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );

    // The API: a problem naming each field, in the caller's language.
    let key = alfa.api_key(StaffRole::Admin).await;
    let api = alfa.api_client(&key).with_header("accept-language", "en");
    let refused = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana\u{0}", "city": "San\u{0}tiago", "email": "ana@alfa.test" })),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let refused = problem(&refused.body);
    let fields: Vec<&str> = refused["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["first_name", "city"]);
    assert_eq!(
        refused["errors"][0]["message"],
        "This contains invisible control characters (such as NUL); please type it again."
    );
    let listed = api.get("/api/v1/contacts").await;
    assert_eq!(
        problem(&listed.body)["items"],
        json!([]),
        "nothing was saved"
    );

    // JSON types are the document's: a number is not a name.
    let typed = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": 5, "email": "ana@alfa.test" })),
        )
        .await;
    assert_eq!(typed.status, StatusCode::BAD_REQUEST, "{}", typed.body);
    assert_eq!(problem(&typed.body)["status"], 400);
    let detail = problem(&typed.body)["detail"].as_str().unwrap().to_owned();
    assert!(
        detail.contains("\"string\", found 5"),
        "says what was expected: {detail}"
    );
    let typed = api
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-1", "name": true })),
        )
        .await;
    assert_eq!(typed.status, StatusCode::BAD_REQUEST, "{}", typed.body);
    let listed = api.get("/api/v1/contacts").await;
    assert_eq!(
        problem(&listed.body)["items"],
        json!([]),
        "nothing was saved"
    );

    // Line breaks and tabs in notes are text, not control characters.
    let kept = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana", "email": "ana@alfa.test", "notes": "uno\r\n\tdos" })),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert_eq!(problem(&kept.body)["notes"], "uno\r\n\tdos");

    // A value no field checks (an account code looked up by a filter) is still
    // refused cleanly, never a database error.
    let page = api.get("/api/v1/contacts?account=%00").await;
    assert!(
        page.status.is_client_error(),
        "{}: {}",
        page.status,
        page.body
    );
}

async fn an_api_body_over_its_limit_is_413_before_it_is_read(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let ana = alfa.contact("Ana", "Peña", "ana@alfa.test").await;
    let key = alfa.api_key(StaffRole::Admin).await;
    let api = alfa.api_client(&key).with_header("accept-language", "en");

    // A JSON body over 1 MiB, however well formed.
    let notes = "x".repeat(portico_web::body_limit::MAX_JSON);
    let big = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana", "notes": notes })),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", big.body);
    assert_eq!(
        big.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    let big = problem(&big.body);
    assert_eq!(big["status"], 413);
    assert!(
        big["detail"].as_str().unwrap().contains("1024 KiB"),
        "{big}"
    );

    // A file over the upload limit.
    let huge = vec![0_u8; portico_web::site::MAX_UPLOAD + 1];
    let put = api
        .raw(
            Method::PUT,
            &format!("/api/v1/contacts/{ana}/photo"),
            "image/png",
            &huge,
        )
        .await;
    assert_eq!(put.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", put.body);

    // Just under the limit is read and judged by the operation (here: 422).
    let notes = "x".repeat(5000);
    let fine = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana", "email": "ana@alfa.test", "notes": notes })),
        )
        .await;
    assert_eq!(
        fine.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        fine.body
    );
}

backend_tests!(
    an_api_body_over_its_limit_is_413_before_it_is_read,
    a_search_for_control_characters_finds_nothing_and_fails_nothing,
    a_field_with_a_control_character_is_refused_by_name,
);
