//! Small things a demanding user sees, in process on both backends: error
//! pages inside an app keep its navigation; a name ending in a full stop ends
//! its sentence once; a language chosen before signing in to a portal survives
//! it; an account's Contactos tab shows phones, portal access and row actions;
//! the home page's activity names what each event is about.

use poem::http::StatusCode;
use portico_data::ContactId;
use portico_domain::{
    AccountFields, AccountKind, ContactFields, Email, LinkFields, Locale, Portal, StaffRole,
};
use portico_tests::builders::{self, Company, Grant};
use portico_tests::{Browser, PASSWORD, TestApp, TestDb, backend_tests};

const HOST: &str = "alfa.localhost:8080";

/// A contact of a new customer `name`, with access to the customer portal,
/// `permissions` on its link and the test password; returns it.
async fn portal_contact(
    alfa: &Company<'_>,
    customer: &str,
    email: &str,
    language: Option<Locale>,
    permissions: &[&'static str],
) -> ContactId {
    let account = alfa
        .account_with(
            AccountKind::Customer,
            &AccountFields {
                code: format!("C-{}", email.len()),
                name: customer.into(),
                ..Default::default()
            },
        )
        .await;
    let fields = ContactFields {
        first_name: Some("Flor".into()),
        last_name: Some("Ochoa".into()),
        email: Some(Email::parse(email).unwrap()),
        phone: Some("809-555-0101".into()),
        mobile: Some("829-555-0202".into()),
        preferred_language: language,
        ..Default::default()
    };
    let contact = alfa.contact_with(&fields).await;
    let grant = Grant::all_branches(permissions);
    alfa.link(contact, account, AccountKind::Customer, &grant)
        .await;
    contact
}

async fn portal_sign_in(browser: &Browser<'_>, email: &str) -> portico_tests::Page {
    builders::portal_sign_in(browser, Portal::Customer, email, PASSWORD).await
}

/// Whether a page carries the back office's navigation, its sign-out and the
/// language switcher.
fn has_back_office_layout(body: &str) -> bool {
    body.contains("<nav class=\"main\"")
        && body.contains("href=\"/admin/contacts\"")
        && body.contains("action=\"/admin/sign-out\"")
        && body.contains("action=\"/lang\"")
}

async fn error_pages_keep_the_back_office_navigation_for_signed_in_staff(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    let reader = alfa
        .signed_in_staff("lectura@alfa.test", StaffRole::ReadOnly)
        .await;

    let missing = owner
        .get("/admin/contacts/0190a5a0-0000-7000-8000-000000000000")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Página no encontrada"),
        "{}",
        missing.body
    );
    assert!(has_back_office_layout(&missing.body), "{}", missing.body);

    let nowhere = owner.get("/admin/nowhere").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(has_back_office_layout(&nowhere.body), "{}", nowhere.body);

    let bad = owner.get("/admin/contacts?category=not-an-id").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(has_back_office_layout(&bad.body), "{}", bad.body);

    let forbidden = reader.get("/admin/api-keys").await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert!(
        has_back_office_layout(&forbidden.body),
        "{}",
        forbidden.body
    );
    assert!(
        !forbidden.body.contains("href=\"/admin/api-keys\""),
        "the navigation is the reader's own: {}",
        forbidden.body
    );

    reader.set_cookie("portico_lang", "en");
    let english = reader.get("/admin/nowhere").await;
    assert!(english.body.contains("Page not found"), "{}", english.body);
    assert!(english.body.contains(">Customers<"), "{}", english.body);

    // Nobody signed in, an unknown site, an API call: no app layout.
    let visitor = app.browser(HOST).get("/admin/nowhere").await;
    assert_eq!(visitor.status, StatusCode::NOT_FOUND);
    assert!(
        !visitor.body.contains("<nav class=\"main\""),
        "{}",
        visitor.body
    );
    let unknown = app.browser("nadie.localhost:8080").get("/admin").await;
    assert!(!unknown.body.contains("<nav"), "{}", unknown.body);
    let api = owner.get("/api/v1/nothing").await;
    assert_eq!(
        api.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
}

async fn error_pages_keep_the_portal_navigation_for_a_signed_in_contact(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    portal_contact(
        &alfa,
        "Farmacia Carol",
        "flor@ochoa.do",
        None,
        &["quotes.view"],
    )
    .await;
    alfa.settled().await;
    let contact = app.browser(HOST);
    let signed_in = portal_sign_in(&contact, "flor@ochoa.do").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );

    let refused = contact.get("/portal/receivables").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for part in [
        "href=\"/portal/quotes?account=",
        "action=\"/portal/sign-out\"",
        "action=\"/lang\"",
        "Farmacia Carol",
        "Acceso denegado",
    ] {
        assert!(refused.body.contains(part), "{part} in {}", refused.body);
    }
    let nowhere = contact.get("/portal/nowhere").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(
        nowhere.body.contains("action=\"/portal/sign-out\""),
        "{}",
        nowhere.body
    );
    let foreign = contact
        .get("/portal/quotes?account=0190a5a0-0000-7000-8000-000000000000")
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert!(
        foreign.body.contains("href=\"/portal/quotes?account="),
        "{}",
        foreign.body
    );

    let visitor = app.browser(HOST).get("/portal/nowhere").await;
    assert_eq!(visitor.status, StatusCode::NOT_FOUND);
    assert!(
        !visitor.body.contains("/portal/sign-out"),
        "{}",
        visitor.body
    );
}

async fn a_name_ending_in_a_full_stop_ends_its_sentence_once_on_portal_pages(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    portal_contact(&alfa, "Farmacia Carol, S.R.L.", "flor@ochoa.do", None, &[]).await;
    alfa.settled().await;
    let contact = app.browser(HOST);
    portal_sign_in(&contact, "flor@ochoa.do").await;

    let home = contact.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body
            .contains("Todavía no tiene permisos en Farmacia Carol, S.R.L. Pídalos"),
        "{}",
        home.body
    );
    assert!(!home.body.contains(".."), "{}", home.body);
}

async fn a_language_chosen_before_signing_in_to_a_portal_survives_signing_in(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    portal_contact(
        &alfa,
        "Farmacia Carol",
        "flor@ochoa.do",
        Some(Locale::Es),
        &["quotes.view"],
    )
    .await;
    portal_contact(
        &alfa,
        "Colmado Pérez",
        "pat@perez.do",
        Some(Locale::En),
        &["quotes.view"],
    )
    .await;
    alfa.settled().await;

    // Chose English on the sign-in page; the stored Spanish does not replace it.
    let chooser = app.browser(HOST);
    let switched = chooser
        .submit(
            "/portal/sign-in",
            "/lang",
            &[("lang", "en"), ("next", "/portal/sign-in")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let signed_in = portal_sign_in(&chooser, "flor@ochoa.do").await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(chooser.cookie("portico_lang").as_deref(), Some("en"));
    let home = chooser.get("/portal").await;
    assert!(home.body.contains("<html lang=\"en\">"), "{}", home.body);
    assert!(home.body.contains("Sign out"), "{}", home.body);

    // Without a choice, the contact's stored language applies.
    let plain = app.browser(HOST);
    portal_sign_in(&plain, "pat@perez.do").await;
    assert_eq!(plain.cookie("portico_lang").as_deref(), Some("en"));
    let home = plain.get("/portal").await;
    assert!(home.body.contains("<html lang=\"en\">"), "{}", home.body);
}

async fn an_accounts_contacts_tab_shows_phones_portal_access_and_row_actions(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    let flor = portal_contact(&alfa, "Farmacia Carol", "flor@ochoa.do", None, &[]).await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let record = owner
        .create_account("customers", "C-100", "Droguería Sur")
        .await;
    let sur: uuid::Uuid = record.rsplit('/').next().unwrap().parse().unwrap();
    // Beto: on Droguería Sur, with access to the supplier portal only.
    let fields = ContactFields {
        first_name: Some("Beto".into()),
        email: Some(Email::parse("beto@sur.do").unwrap()),
        mobile: Some("829-555-0303".into()),
        ..Default::default()
    };
    let beto = alfa.contact_with(&fields).await;
    alfa.link_with(beto, sur.into(), &LinkFields::default())
        .await;
    alfa.open_portal(beto, Portal::Supplier).await;

    let tab = owner.get(&format!("{record}?tab=contacts")).await;
    assert_eq!(tab.status, StatusCode::OK);
    assert!(tab.body.contains("Celular: 829-555-0303"), "{}", tab.body);
    assert!(
        tab.body.contains("Sin acceso"),
        "supplier access is not this portal's: {}",
        tab.body
    );
    assert!(
        tab.body
            .contains(&format!("href=\"/admin/contacts/{beto}/edit\"")),
        "{}",
        tab.body
    );

    // Flor's customer, in English: both phones with their labels, her access.
    let carol = {
        let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
        let links = tx.links().of_contacts(&[flor]).await.unwrap();
        tx.commit().await.unwrap();
        format!("/admin/customers/{}", links[0].account_id)
    };
    owner.set_cookie("portico_lang", "en");
    let tab = owner.get(&format!("{carol}?tab=contacts")).await;
    for part in [
        "Phone: 809-555-0101",
        "Mobile: 829-555-0202",
        ">Active<",
        ">Open<",
        ">Edit<",
        ">Unlink<",
    ] {
        assert!(tab.body.contains(part), "{part} in {}", tab.body);
    }
    let link = tab
        .body
        .split("action=\"/admin/links/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("an unlink form")
        .to_owned();
    let back = format!("{carol}?tab=contacts");
    let unlinked = owner
        .post(
            &format!("/admin/links/{link}/delete"),
            &[("_csrf", &tab.csrf()), ("back", &back)],
        )
        .await;
    assert_eq!(unlinked.status, StatusCode::SEE_OTHER);
    assert_eq!(unlinked.location(), Some(back.as_str()));
    let after = owner.get(&back).await;
    assert!(!after.body.contains("flor@ochoa.do"), "{}", after.body);
    assert!(after.body.contains("Link removed."), "{}", after.body);

    // An outside address is no place to go back to.
    let tab = owner.get(&format!("{record}?tab=contacts")).await;
    let link = tab
        .body
        .split("action=\"/admin/links/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .expect("Beto's unlink form")
        .to_owned();
    let offsite = owner
        .post(
            &format!("/admin/links/{link}/delete"),
            &[("_csrf", &tab.csrf()), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(
        offsite.location(),
        Some(format!("/admin/contacts/{beto}").as_str())
    );
}

async fn the_home_pages_activity_names_and_links_what_each_event_is_about(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let record = owner
        .create_account("customers", "C-200", "Farmacia Carol")
        .await;
    let saved = owner
        .submit(
            "/admin/contacts/new",
            "/admin/contacts",
            &[("first_name", "Ana"), ("last_name", "Peña")],
        )
        .await;
    let contact = saved.location().expect("the contact's record").to_owned();
    assert!(contact.starts_with("/admin/contacts/"), "{contact}");

    let home = owner.get("/admin").await;
    assert!(
        home.body
            .contains(&format!("<a href=\"{contact}\">Ana Peña</a>")),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains(&format!("<a href=\"{record}\">Farmacia Carol</a>")),
        "{}",
        home.body
    );
}

backend_tests!(
    error_pages_keep_the_back_office_navigation_for_signed_in_staff,
    error_pages_keep_the_portal_navigation_for_a_signed_in_contact,
    a_name_ending_in_a_full_stop_ends_its_sentence_once_on_portal_pages,
    a_language_chosen_before_signing_in_to_a_portal_survives_signing_in,
    an_accounts_contacts_tab_shows_phones_portal_access_and_row_actions,
    the_home_pages_activity_names_and_links_what_each_event_is_about,
);
