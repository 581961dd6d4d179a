//! The contact's own profile in a portal: it changes its phones, address and
//! language (and nothing else, whatever the form sends), bad values are
//! explained and change nothing, and the change is the contact's in the
//! record's history.

use poem::http::{Method, StatusCode, header};
use portico_domain::{AccountKind, Locale, Portal};
use portico_tests::builders::{Company, Grant};
use portico_tests::{TestApp, TestDb, backend_tests};
use serde_json::json;

backend_tests!(
    a_contact_keeps_its_own_phones_address_and_language,
    the_api_reads_and_replaces_the_profile_as_the_page_does,
);

async fn a_contact_keeps_its_own_phones_address_and_language(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let supplier = alfa
        .account(AccountKind::Supplier, "P-1", "Laboratorio Uno")
        .await;
    let ana = alfa.contact("Ana", "Peña", "ana@lab.test").await;
    alfa.link(
        ana,
        supplier,
        AccountKind::Supplier,
        &Grant::all_branches(&["documents.view"]),
    )
    .await;
    let browser = alfa.portal_session(Portal::Supplier, "ana@lab.test").await;
    let page = browser.get("/supplier/profile").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mi perfil"), "{}", page.body);
    assert!(page.body.contains("aria-current=\"page\""));

    let refused = browser
        .submit(
            "/supplier/profile",
            "/supplier/profile",
            &[
                ("phone", "llámeme"),
                ("city", "Santiago"),
                ("preferred_language", "fr"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-summary"));
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert!(
        refused.body.contains("value=\"Santiago\""),
        "the input is kept"
    );
    let stored = |app: &TestApp| {
        let tenant = alfa.tenant.clone();
        let db = app.db.db.clone();
        async move {
            let mut tx = db.tenant_tx(&tenant).await.expect("tx");
            let contact = tx.contacts().find(ana).await.expect("find").expect("ana");
            tx.commit().await.expect("commit");
            contact
        }
    };
    assert_eq!(stored(&app).await.fields.city, None, "nothing written");

    let saved = browser
        .submit(
            "/supplier/profile",
            "/supplier/profile",
            &[
                ("mobile", "+1 809 555 0101"),
                ("street", "Calle El Sol 12"),
                ("city", "Santiago"),
                ("country", "DO"),
                ("preferred_language", "en"),
                // Not the contact's to change: ignored.
                ("email", "otra@lab.test"),
                ("first_name", "Otra"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let cookies: Vec<&str> = saved
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("portico_lang=en")),
        "the portal turns to the chosen language: {cookies:?}"
    );
    let contact = stored(&app).await;
    assert_eq!(contact.fields.mobile.as_deref(), Some("+1 809 555 0101"));
    assert_eq!(contact.fields.city.as_deref(), Some("Santiago"));
    assert_eq!(contact.fields.preferred_language, Some(Locale::En));
    assert_eq!(contact.fields.first_name.as_deref(), Some("Ana"));
    assert_eq!(
        contact.fields.email.as_ref().map(|e| e.as_str()),
        Some("ana@lab.test")
    );
    browser.set_cookie("portico_lang", "en");
    let page = browser.get("/supplier/profile").await;
    assert!(page.body.contains("Profile saved."), "{}", page.body);
    assert!(page.body.contains("value=\"+1 809 555 0101\""));

    // The record's history keeps the change as the contact's own.
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.expect("tx");
    let events = tx
        .audit()
        .history(ana.as_uuid(), 20)
        .await
        .expect("history");
    tx.commit().await.expect("commit");
    let update = events
        .iter()
        .find(|e| e.action == "contact.update")
        .expect("the change is in the history");
    assert_eq!(
        (update.actor_kind.as_str(), update.actor_id),
        ("contact", Some(ana.as_uuid()))
    );
    assert!(
        update.changes.to_string().contains("Santiago"),
        "{}",
        update.changes
    );
}

async fn the_api_reads_and_replaces_the_profile_as_the_page_does(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    let ana = alfa.contact("Ana", "Peña", "ana@uno.test").await;
    alfa.link(
        ana,
        customer,
        AccountKind::Customer,
        &Grant::all_branches(&["documents.view"]),
    )
    .await;
    let browser = alfa.portal_session(Portal::Customer, "ana@uno.test").await;
    let token = browser.get("/portal").await.csrf();
    let api = browser.with_header("x-csrf-token", &token);
    let profile = api.get("/portal/api/v1/profile").await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!(profile.json()["city"], json!(null));

    let refused = api
        .json(
            Method::PUT,
            "/portal/api/v1/profile",
            Some(json!({ "city": "Santiago", "country": "ZZ", "mobile": "abc" })),
        )
        .await;
    let problem = refused.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = problem.to_string();
    assert!(
        fields.contains("country") && fields.contains("mobile"),
        "{problem}"
    );
    assert_eq!(
        api.get("/portal/api/v1/profile").await.json()["city"],
        json!(null),
        "nothing written"
    );

    let saved = api
        .json(
            Method::PUT,
            "/portal/api/v1/profile",
            Some(json!({ "city": "Santiago", "country": "DO", "preferred_language": "en" })),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(
        (
            &saved["city"],
            &saved["country"],
            &saved["preferred_language"]
        ),
        (&json!("Santiago"), &json!("DO"), &json!("en"))
    );
    assert_eq!(api.get("/portal/api/v1/profile").await.json(), saved);
}
