//! One identity, both portals: a contact linked to a customer and a supplier
//! of the same company signs in once and uses both portals, with a visible
//! switch between them; a contact of one portal gets neither the switch nor
//! the other portal, and closing a portal to the contact closes it at once.

use poem::http::StatusCode;
use portico_data::AccountId;
use portico_domain::{AccountKind, Portal};
use portico_tests::builders::{Company, Grant};
use portico_tests::{TestApp, TestDb, backend_tests};

backend_tests!(
    a_contact_of_both_portals_signs_in_once_and_switches,
    a_contact_of_one_portal_gets_no_switch_and_no_other_portal,
);

const SWITCH_TO_SUPPLIER: &str = "class=\"other-portal\" href=\"/supplier\"";
const SWITCH_TO_CUSTOMER: &str = "class=\"other-portal\" href=\"/portal\"";

/// A company with customer `C-1` and supplier `P-1`.
async fn company(app: &TestApp) -> (Company<'_>, AccountId, AccountId) {
    let alfa = Company::new(app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    let supplier = alfa
        .account(AccountKind::Supplier, "P-1", "Laboratorio Uno")
        .await;
    (alfa, customer, supplier)
}

async fn a_contact_of_both_portals_signs_in_once_and_switches(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, customer, supplier) = company(&app).await;
    let dora = alfa.contact("Dora", "Doble", "dora@uno.test").await;
    let documents = Grant::all_branches(&["documents.view"]);
    alfa.link(dora, customer, AccountKind::Customer, &documents)
        .await;
    alfa.link(dora, supplier, AccountKind::Supplier, &documents)
        .await;
    alfa.settled().await;

    let browser = alfa.portal_session(Portal::Customer, "dora@uno.test").await;
    let home = browser.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(SWITCH_TO_SUPPLIER), "{}", home.body);
    assert!(home.body.contains("Ir al"), "the switch is worded");

    // No second sign-in: the supplier portal opens for the same contact.
    let supplier_home = browser.get("/supplier").await;
    assert_eq!(
        supplier_home.status,
        StatusCode::OK,
        "{:?}",
        supplier_home.location()
    );
    assert!(supplier_home.body.contains("Laboratorio Uno"));
    assert!(supplier_home.body.contains(SWITCH_TO_CUSTOMER));
    let area = browser.get("/supplier/documents").await;
    assert_eq!(area.status, StatusCode::OK);

    // Closing the supplier portal to her closes it at once (and, as closing
    // any portal does, ends her sessions); signed in again, no switch.
    alfa.portal_access(dora, Portal::Supplier, false).await;
    alfa.settled().await;
    let refused = browser.get("/supplier/documents").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(
        refused
            .location()
            .is_some_and(|l| l.starts_with("/supplier/sign-in")),
        "the supplier portal asks for a sign-in again: {:?}",
        refused.location()
    );
    let browser = alfa.portal_session(Portal::Customer, "dora@uno.test").await;
    let home = browser.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        !home.body.contains(SWITCH_TO_SUPPLIER),
        "no switch any more"
    );
    assert_eq!(
        browser.get("/supplier/documents").await.status,
        StatusCode::SEE_OTHER
    );

    // Signing out of one portal signs out of both.
    alfa.portal_access(dora, Portal::Supplier, true).await;
    alfa.settled().await;
    let again = alfa.portal_session(Portal::Supplier, "dora@uno.test").await;
    let customer_home = again.get("/portal").await;
    assert_eq!(
        customer_home.status,
        StatusCode::OK,
        "{:?}",
        customer_home.location()
    );
    let token = again.get("/supplier").await.csrf();
    let out = again.post("/supplier/sign-out", &[("_csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = again.get("/portal/sales").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after
            .location()
            .is_some_and(|l| l.starts_with("/portal/sign-in")),
        "{:?}",
        after.location()
    );
}

async fn a_contact_of_one_portal_gets_no_switch_and_no_other_portal(db: TestDb) {
    let app = TestApp::new(db).await;
    let (alfa, customer, supplier) = company(&app).await;
    let uno = alfa.contact("Úrsula", "Uno", "ursula@uno.test").await;
    alfa.link(
        uno,
        customer,
        AccountKind::Customer,
        &Grant::all_branches(&["documents.view"]),
    )
    .await;
    // Linked to the supplier too, but without its portal open to her.
    alfa.link_only(
        uno,
        supplier,
        Portal::Supplier,
        &Grant::all_branches(&["documents.view"]),
    )
    .await;
    alfa.settled().await;
    let browser = alfa
        .portal_session(Portal::Customer, "ursula@uno.test")
        .await;
    let home = browser.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("other-portal"), "no switch");
    let supplier_page = browser.get("/supplier/documents").await;
    assert_eq!(supplier_page.status, StatusCode::SEE_OTHER);
    assert!(
        supplier_page
            .location()
            .is_some_and(|l| l.starts_with("/supplier/sign-in")),
        "{:?}",
        supplier_page.location()
    );
}
