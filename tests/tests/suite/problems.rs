//! One error vocabulary: the admin and portal APIs answer with the same RFC 9457
//! problem type, a unique key refused by the database answers 409 naming the field
//! (not 500), and a pool with no free connection answers 503 with `Retry-After`
//! (never 401).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use poem::{EndpointExt, Route, get, handler, http::StatusCode, test::TestClient};
use portico_data::{DataError, NewStaffUser};
use portico_domain::{Email, Locale, StaffRole};
use portico_tests::builders::api_key;
use portico_tests::{TestApp, TestDb, backend_tests};
use portico_web::{AppError, error::ErrorPages};
use serde_json::Value;

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("JSON: {body}"))
}

fn keys(problem: &Value) -> Vec<String> {
    let mut keys: Vec<String> = problem
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

async fn admin_and_portal_apis_answer_the_same_problem_type(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser("alfa.localhost:8080");

    let admin = browser.get("/api/v1/customers").await;
    let portal = browser.get("/portal/api/v1/me").await;
    for page in [&admin, &portal] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
        assert_eq!(
            page.headers.get("content-type").unwrap(),
            "application/problem+json"
        );
    }
    let (admin, portal) = (json(&admin.body), json(&portal.body));
    assert_eq!(keys(&admin), keys(&portal));
    assert_eq!(admin["type"], portal["type"]);

    let admin_spec = json(&browser.get("/api/v1/openapi.json").await.body);
    let portal_spec = json(&browser.get("/portal/api/v1/openapi.json").await.body);
    let problem = &admin_spec["components"]["schemas"]["Problem"];
    assert!(
        problem["properties"]["errors"].is_object(),
        "the problem lists field errors: {problem}"
    );
    assert_eq!(problem, &portal_spec["components"]["schemas"]["Problem"]);
}

/// The database error the handler below fails with, once.
type Slot = Arc<Mutex<Option<DataError>>>;

/// A handler failing with whatever the database said.
#[handler]
fn fails(data: poem::web::Data<&Slot>) -> poem::Result<()> {
    let error = data.lock().unwrap().take().expect("one error");
    Err(AppError::from(error).into())
}

async fn a_unique_key_refused_by_the_database_is_409_naming_the_field(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let staff = || NewStaffUser {
        email: Email::parse("ana@ejemplo.do").unwrap(),
        name: "Ana".into(),
        role: StaffRole::Sales,
        password_hash: None,
        one_time_password: false,
        locale: Some(Locale::Es),
    };
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    tx.staff().create(&staff()).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let conflict = tx.staff().create(&staff()).await.unwrap_err();
    drop(tx);
    assert_eq!(conflict.conflict_field(), Some("email"), "{conflict:?}");

    let slot: Slot = Arc::new(Mutex::new(Some(conflict)));
    let client = TestClient::new(
        Route::new()
            .at("/api/v1/thing", get(fails))
            .data(slot)
            .with(ErrorPages),
    );
    let resp = client.get("/api/v1/thing").send().await;
    resp.assert_status(StatusCode::CONFLICT);
    let problem = json(&resp.0.into_body().into_string().await.unwrap());
    assert_eq!(problem["status"], 409);
    assert_eq!(problem["errors"][0]["field"], "email", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "field-value-taken");
    assert_eq!(problem["errors"][0]["message"], "Ese valor ya está en uso.");
}

async fn a_pool_with_no_free_connection_answers_503_with_retry_after(db: TestDb) {
    let setup = TestApp::new(db).await;
    let alfa = setup.company("alfa").await;
    let key = api_key(&setup, &alfa, StaffRole::Admin).await;

    let tiny = setup
        .db
        .attach_pool(1, Some(Duration::from_millis(300)))
        .await;
    let app = TestApp::new(tiny).await;
    let api = app
        .browser("alfa.localhost:8080")
        .with_header("authorization", &format!("Bearer {key}"));
    assert_eq!(api.get("/api/v1/customers").await.status, StatusCode::OK);

    // The pool's only connection is taken: the key cannot be looked up.
    let held = app.db.db.tenant_tx(&alfa).await.unwrap();
    let busy = api.get("/api/v1/customers").await;
    drop(held);
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert!(
        busy.headers.contains_key("retry-after"),
        "{:?}",
        busy.headers
    );
    assert_eq!(json(&busy.body)["status"], 503);
    assert_eq!(api.get("/api/v1/customers").await.status, StatusCode::OK);
}

backend_tests!(
    admin_and_portal_apis_answer_the_same_problem_type,
    a_unique_key_refused_by_the_database_is_409_naming_the_field,
    a_pool_with_no_free_connection_answers_503_with_retry_after,
);
