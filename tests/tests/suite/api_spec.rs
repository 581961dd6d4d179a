//! The OpenAPI documents tell the truth (issue 11): a field the API answers as
//! `null` is declared nullable, a list's `limit` out of its declared bounds is a
//! 400 problem (never clamped), a method a path does not take is 405 with
//! `Allow` on both APIs (also `TRACE`, before CSRF or authentication), and a
//! field an operation requires is required in its document. `.ci/schemathesis`
//! checks the same against a running server; these keep the spec from drifting
//! between its runs.

use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant};
use portico_tests::{Page, TestApp, TestDb, backend_tests};
use serde_json::{Value, json};

fn allow(page: &Page) -> &str {
    page.headers
        .get("allow")
        .unwrap_or_else(|| panic!("a 405 without Allow: {}", page.body))
        .to_str()
        .unwrap()
}

/// The schema `name` of a served document.
fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let schema = &spec["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name} in the document");
    schema
}

/// The parameter `name` of the operation `method path` of a served document.
fn parameter<'a>(spec: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    spec["paths"][path][method]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("{method} {path} has no parameters"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
}

async fn a_field_left_empty_comes_back_null_and_the_document_says_it_may_be(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Admin).await);

    let customer = api
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-1", "name": "Farmacia Carol" })),
        )
        .await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);
    let customer = customer.json();
    assert_eq!(customer["tax_id"], Value::Null);
    assert_eq!(customer["city"], Value::Null);
    let contact = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Rosa", "city": null })),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let contact = contact.json();
    assert_eq!(contact["city"], Value::Null);
    assert_eq!(contact["email"], Value::Null);

    let spec = api.get("/api/v1/openapi.json").await.json();
    for (name, field) in [
        ("AccountOut", "tax_id"),
        ("AccountOut", "city"),
        ("AccountOut", "owner_id"),
        ("ContactOut", "city"),
        ("ContactOut", "email"),
        ("ContactOut", "licence_expiry"),
        ("AccountPage", "next"),
        ("PortalRoleOut", "seed_key"),
        ("Problem", "request_id"),
    ] {
        assert_eq!(
            schema(&spec, name)["properties"][field]["nullable"],
            true,
            "{name}.{field} is declared nullable"
        );
    }
    // A field that is always there stays required and never null.
    let account = schema(&spec, "AccountOut");
    assert!(
        account["required"]
            .as_array()
            .unwrap()
            .contains(&json!("code"))
    );
    assert_eq!(account["properties"]["code"].get("nullable"), None);

    let portal = app.browser("alfa.localhost:8080");
    let spec = portal.get("/portal/api/v1/openapi.json").await.json();
    assert_eq!(
        schema(&spec, "Me")["properties"]["account"]["nullable"],
        true
    );
    assert_eq!(
        schema(&spec, "MeContact")["properties"]["email"]["nullable"],
        true
    );
}

async fn a_limit_out_of_its_declared_bounds_is_a_400_problem_not_clamped(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    for n in 0..3 {
        alfa.account(
            AccountKind::Customer,
            &format!("C-{n}"),
            &format!("Cliente {n}"),
        )
        .await;
    }
    let api = alfa
        .api_client(&alfa.api_key(StaffRole::Admin).await)
        .with_header("accept-language", "en");

    for list in ["/api/v1/customers", "/api/v1/suppliers", "/api/v1/contacts"] {
        for limit in ["0", "201", "10000"] {
            let page = api.get(&format!("{list}?limit={limit}")).await;
            let refused = page.problem(StatusCode::BAD_REQUEST);
            let detail = refused["detail"].as_str().unwrap();
            assert!(detail.contains("limit"), "{list}?limit={limit}: {detail}");
        }
        for limit in ["1", "200"] {
            let page = api.get(&format!("{list}?limit={limit}")).await;
            assert_eq!(page.status, StatusCode::OK, "{list}?limit={limit}");
        }
    }
    let one = api.get("/api/v1/customers?limit=1").await.json();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert!(one["next"].is_string(), "a next page after one of three");

    let spec = api.get("/api/v1/openapi.json").await.json();
    for path in ["/customers", "/suppliers", "/contacts"] {
        let limit = &parameter(&spec, path, "get", "limit")["schema"];
        assert_eq!(limit["minimum"], 1.0, "{path}");
        assert_eq!(limit["maximum"], 200.0, "{path}");
        assert_eq!(limit["default"], 50, "{path}");
    }
}

async fn a_method_an_api_path_does_not_take_is_405_with_allow(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let customer = alfa.account(AccountKind::Customer, "C-1", "Carol").await;
    let key = alfa.api_key(StaffRole::Admin).await;
    let api = alfa.api_client(&key);
    let anonymous = app.browser("alfa.localhost:8080");
    let trace = Method::TRACE;
    let unknown = Method::from_bytes(b"PURGE").unwrap();

    let cases = [
        (
            &api,
            Method::PATCH,
            "/api/v1/contacts".to_owned(),
            "GET, HEAD, POST",
        ),
        (
            &api,
            trace.clone(),
            format!("/api/v1/customers/{customer}"),
            "GET, HEAD, PUT",
        ),
        (
            &api,
            Method::DELETE,
            "/api/v1/openapi.json".to_owned(),
            "GET, HEAD",
        ),
        (
            &api,
            unknown.clone(),
            "/api/v1/portal-roles".to_owned(),
            "GET, HEAD, POST",
        ),
        // Before authentication and CSRF: no key, no session, still 405.
        (
            &anonymous,
            trace.clone(),
            "/api/v1/contacts".to_owned(),
            "GET, HEAD, POST",
        ),
        (
            &anonymous,
            Method::PUT,
            "/api/v1/customers".to_owned(),
            "GET, HEAD, POST",
        ),
        (
            &anonymous,
            trace.clone(),
            "/portal/api/v1/me".to_owned(),
            "GET, HEAD",
        ),
        (
            &anonymous,
            Method::POST,
            "/portal/api/v1/me".to_owned(),
            "GET, HEAD",
        ),
        (
            &anonymous,
            unknown,
            "/supplier/api/v1/me".to_owned(),
            "GET, HEAD",
        ),
    ];
    for (client, method, path, allowed) in cases {
        let page = client.json(method.clone(), &path, None).await;
        let refused = page.problem(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refused["status"], 405, "{method} {path}");
        assert_eq!(allow(&page), allowed, "{method} {path}");
    }

    // A signed-in contact's session without a CSRF token: 405, not the CSRF 403.
    let contact = alfa.contact("Ana", "Pérez", "ana@carol.do").await;
    let grant = Grant::all_branches(&[]);
    alfa.link(contact, customer, AccountKind::Customer, &grant)
        .await;
    alfa.settled().await;
    let session = alfa.portal_session(Portal::Customer, "ana@carol.do").await;
    for method in [Method::TRACE, Method::DELETE] {
        let page = session
            .json(method.clone(), "/portal/api/v1/me", None)
            .await;
        page.problem(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(allow(&page), "GET, HEAD", "{method}");
    }
    assert_eq!(
        session.get("/portal/api/v1/me").await.status,
        StatusCode::OK
    );
    // The methods a path takes are still served.
    assert_eq!(api.get("/api/v1/contacts").await.status, StatusCode::OK);
}

async fn a_new_portal_role_needs_its_portal_and_the_document_requires_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Admin).await);

    let missing = api
        .json(
            Method::POST,
            "/api/v1/portal-roles",
            Some(json!({ "name_es": "Compras" })),
        )
        .await;
    let refused = missing.problem(StatusCode::BAD_REQUEST);
    let detail = refused["detail"].as_str().unwrap();
    assert!(detail.contains("NewPortalRoleBody"), "{detail}");

    let created = api
        .json(
            Method::POST,
            "/api/v1/portal-roles",
            Some(json!({ "portal": "customer", "name_es": "Compras" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let role = created.json();
    assert_eq!(role["portal"], "customer");
    assert_eq!(role["seed_key"], Value::Null);

    let spec = api.get("/api/v1/openapi.json").await.json();
    let required = schema(&spec, "NewPortalRoleBody")["required"]
        .as_array()
        .unwrap()
        .clone();
    assert!(required.contains(&json!("portal")), "{required:?}");
    assert!(required.contains(&json!("name_es")), "{required:?}");
}

backend_tests!(
    a_field_left_empty_comes_back_null_and_the_document_says_it_may_be,
    a_limit_out_of_its_declared_bounds_is_a_400_problem_not_clamped,
    a_method_an_api_path_does_not_take_is_405_with_allow,
    a_new_portal_role_needs_its_portal_and_the_document_requires_it,
);
