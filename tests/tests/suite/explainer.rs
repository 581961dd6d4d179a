//! The portal-access explainer on a contact's "Acceso al portal" page: each link
//! is asked about its own portal's permissions, each offered once; a bad
//! question re-renders the page with a translated error (422), and the API
//! answers it with problem JSON (422), both through the same check.

use poem::http::{Method, StatusCode};
use portico::demo::{DEMO_CUSTOMER_CONTACT, DEMO_OWNER, DEMO_PASSWORD, DEMO_SUPPLIER_CONTACT};
use portico_data::Tenant;
use portico_domain::{Email, Slug, StaffRole};
use portico_tests::builders::api_key;
use portico_tests::{Browser, TestApp, TestDb, backend_tests};

const SITE: &str = "demo.localhost:8080";

/// The demo company, its owner signed in.
async fn demo(app: &TestApp) -> (Tenant, Browser<'_>) {
    portico::demo::ensure_demo(&app.db.db, &app.state.files)
        .await
        .expect("demo");
    let mut platform = app.db.db.platform_tx().await.expect("tx");
    let tenant = platform
        .find_tenant_by_slug(&Slug::parse("demo").expect("slug"))
        .await
        .expect("lookup")
        .expect("demo company");
    platform.commit().await.expect("commit");
    let owner = app.browser(SITE);
    let signed = owner
        .submit(
            "/admin/sign-in",
            "/admin/sign-in",
            &[("email", DEMO_OWNER), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    (tenant, owner)
}

/// A contact's id and its one link's id.
async fn contact_and_link(app: &TestApp, tenant: &Tenant, email: &str) -> (String, String) {
    let mut tx = app.db.db.tenant_tx(tenant).await.expect("tx");
    let contact = tx
        .contacts()
        .find_by_email(&Email::parse(email).expect("email"))
        .await
        .expect("lookup")
        .expect("contact");
    let links = tx
        .link_grants()
        .of_contact(contact.id)
        .await
        .expect("links");
    tx.commit().await.expect("commit");
    (contact.id.to_string(), links[0].link_id.to_string())
}

/// How many `<option>`s of a page offer `value`.
fn offered(html: &str, value: &str) -> usize {
    html.matches(&format!("<option value=\"{value}\"")).count()
}

async fn each_link_is_asked_about_its_own_portals_permissions_once(db: TestDb) {
    let app = TestApp::new(db).await;
    let (tenant, owner) = demo(&app).await;
    let (customer_contact, _) = contact_and_link(&app, &tenant, DEMO_CUSTOMER_CONTACT).await;
    let (supplier_contact, _) = contact_and_link(&app, &tenant, DEMO_SUPPLIER_CONTACT).await;

    let customer_page = owner
        .get(&format!("/admin/contacts/{customer_contact}/access"))
        .await;
    assert_eq!(customer_page.status, StatusCode::OK);
    assert_eq!(offered(&customer_page.body, "quotes.create"), 1);
    assert_eq!(offered(&customer_page.body, "documents.view"), 1);
    assert_eq!(offered(&customer_page.body, "purchase_orders.view"), 0);

    let supplier_page = owner
        .get(&format!("/admin/contacts/{supplier_contact}/access"))
        .await;
    assert_eq!(offered(&supplier_page.body, "purchase_orders.view"), 1);
    assert_eq!(offered(&supplier_page.body, "documents.view"), 1);
    assert_eq!(offered(&supplier_page.body, "quotes.create"), 0);
}

async fn a_bad_question_re_renders_the_page_with_a_translated_error(db: TestDb) {
    let app = TestApp::new(db).await;
    let (tenant, owner) = demo(&app).await;
    let (contact, link) = contact_and_link(&app, &tenant, DEMO_CUSTOMER_CONTACT).await;
    let access = format!("/admin/contacts/{contact}/access");

    let supplier_permission = owner
        .get(&format!(
            "{access}?link={link}&permission=purchase_orders.view"
        ))
        .await;
    assert_eq!(supplier_permission.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        supplier_permission
            .body
            .contains("Elija un permiso del portal de esa cuenta."),
        "{}",
        supplier_permission.body
    );
    assert!(
        supplier_permission
            .body
            .contains("href=\"/admin/contacts\""),
        "the page keeps the back office's navigation"
    );
    assert!(!supplier_permission.body.contains("id=\"explanation\""));

    let unknown_link = owner
        .get(&format!(
            "{access}?link=not-a-link&permission=quotes.create"
        ))
        .await;
    assert_eq!(unknown_link.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown_link
            .body
            .contains("Elija una de las cuentas del contacto.")
    );

    owner.set_cookie("portico_lang", "en");
    let unknown_branch = owner
        .get(&format!(
            "{access}?link={link}&permission=quotes.create&branch=00000000-0000-0000-0000-000000000000"
        ))
        .await;
    assert_eq!(unknown_branch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown_branch
            .body
            .contains("Choose a branch of that account."),
        "{}",
        unknown_branch.body
    );

    let good = owner
        .get(&format!("{access}?link={link}&permission=quotes.create"))
        .await;
    assert_eq!(good.status, StatusCode::OK);
    assert!(good.body.contains("id=\"explanation\""));
}

async fn the_api_answers_a_bad_question_with_problem_json(db: TestDb) {
    let app = TestApp::new(db).await;
    let (tenant, _) = demo(&app).await;
    let (contact, link) = contact_and_link(&app, &tenant, DEMO_CUSTOMER_CONTACT).await;
    let key = api_key(&app, &tenant, StaffRole::ReadOnly).await;
    let api = app
        .browser(SITE)
        .with_header("authorization", &format!("Bearer {key}"));

    let answer = api
        .json(
            Method::GET,
            &format!(
                "/api/v1/contacts/{contact}/access/explain?link={link}&permission=purchase_orders.view"
            ),
            None,
        )
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    let problem: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    assert_eq!(problem["errors"][0]["field"], "permission", "{problem}");
    assert_eq!(
        problem["errors"][0]["code"], "explain-permission-unknown",
        "{problem}"
    );
}

backend_tests!(
    each_link_is_asked_about_its_own_portals_permissions_once,
    a_bad_question_re_renders_the_page_with_a_translated_error,
    the_api_answers_a_bad_question_with_problem_json,
);
