//! Portal invitations from the back office: turning access on sends, through the
//! mail outbox, a single-use link where the contact sets its password and lands
//! in its portal; resend voids the older link, revoke voids them all; the
//! contact list filters by the resulting state; and the mail reaches a real SMTP
//! server.

use std::time::Duration;

use mail_parser::MessageParser;
use poem::http::StatusCode;
use portico_tests::outbox::mails;
use portico_tests::password_forms::post_password;
use portico_tests::{Browser, Page, SmtpSink, TestApp, TestDb, backend_tests};

/// A contact (with an email) linked to the customer C-001; the contact's id.
async fn contact(owner: &Browser<'_>, first: &str, email: &str) -> String {
    owner
        .create_contact(&[
            ("first_name", first),
            ("last_name", "Núñez"),
            ("email", email),
        ])
        .await;
    let id = owner.find_contact(email).await;
    owner
        .link_contact(&format!("/admin/contacts/{id}"), "customer", "C-001")
        .await;
    id
}

/// Company alfa with the customer C-001 (saved through its form); the owner,
/// signed in.
async fn owner_with_customer(app: &TestApp) -> Browser<'_> {
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
}

async fn turn_on(owner: &Browser<'_>, id: &str) -> Page {
    let page = owner.get(&format!("/admin/contacts/{id}/access")).await;
    let on = owner
        .post(
            &format!("/admin/contacts/{id}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    owner.get(&format!("/admin/contacts/{id}/access")).await
}

/// The invitation link's path in a mail, e.g. `/portal/invitation/…`.
fn link_in(raw: &[u8]) -> String {
    let message = MessageParser::default().parse(raw).unwrap();
    let text = message.body_text(0).unwrap().into_owned();
    let url = text
        .split_whitespace()
        .find(|w| w.contains("/invitation/"))
        .unwrap_or_else(|| panic!("no link in {text}"));
    assert!(
        url.starts_with("http://alfa.localhost:8080/portal/invitation/"),
        "{url}"
    );
    url.trim_start_matches("http://alfa.localhost:8080")
        .to_owned()
}

async fn listed(owner: &Browser<'_>, state: &str, email: &str) -> bool {
    owner
        .get(&format!("/admin/contacts?portal={state}"))
        .await
        .body
        .contains(email)
}

async fn accept(app: &TestApp, path: &str) -> Page {
    let browser = app.browser("alfa.localhost:8080");
    let form = browser.get(path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let password = "una clave bien larga";
    post_password(&browser, path, &form.csrf(), password, password).await
}

async fn an_invitation_is_mailed_and_accepted_once(db: TestDb) {
    let app = TestApp::new(db).await;
    let owner = owner_with_customer(&app).await;
    let jose = contact(&owner, "José", "jose@cliente.do").await;

    let page = turn_on(&owner, &jose).await;
    assert!(
        page.body.contains("se envió una invitación"),
        "{}",
        page.body
    );
    assert!(page.body.contains("el enlace funciona hasta"));
    let raw = &mails(app.mail_dir.path(), 1).await[0];
    let message = MessageParser::default().parse(raw).unwrap();
    assert_eq!(
        message.subject(),
        Some("Empresa alfa: su acceso al Portal de Clientes")
    );
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some("jose@cliente.do")
    );
    let first = link_in(raw);
    assert!(listed(&owner, "invited", "jose@cliente.do").await);
    assert!(!listed(&owner, "never_activated", "jose@cliente.do").await);

    // A new invitation voids the first link.
    let resent = owner
        .post(
            &format!("/admin/contacts/{jose}/access/invite"),
            &[("_csrf", &page.csrf()), ("portal", "customer")],
        )
        .await;
    assert_eq!(resent.status, StatusCode::SEE_OTHER, "{}", resent.body);
    let second = link_in(&mails(app.mail_dir.path(), 2).await[1]);
    assert_ne!(first, second);
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&first).await.status,
        StatusCode::NOT_FOUND
    );

    // Accepting sets the password and lands in the portal; the link is spent.
    let landed = accept(&app, &second).await;
    assert_eq!(landed.status, StatusCode::SEE_OTHER, "{}", landed.body);
    assert_eq!(landed.location(), Some("/portal"));
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&second).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(listed(&owner, "active", "jose@cliente.do").await);
    assert!(!listed(&owner, "invited", "jose@cliente.do").await);
    let access = owner.get(&format!("/admin/contacts/{jose}/access")).await;
    assert!(access.body.contains("Activo"));
    let record = owner.get(&format!("/admin/contacts/{jose}")).await;
    assert!(record.body.contains("Envió una invitación al portal"));
    assert!(
        !record.body.contains(second.rsplit('/').next().unwrap()),
        "no secret in the history"
    );

    // An active contact needs no invitation.
    let needless = owner
        .post(
            &format!("/admin/contacts/{jose}/access/invite"),
            &[("_csrf", &page.csrf()), ("portal", "customer")],
        )
        .await;
    assert_eq!(needless.status, StatusCode::CONFLICT);
}

async fn a_revoked_invitation_leaves_the_contact_never_activated(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    app.company("beta").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let luisa = contact(&owner, "Luisa", "luisa@cliente.do").await;
    let page = turn_on(&owner, &luisa).await;
    let link = link_in(&mails(app.mail_dir.path(), 1).await[0]);

    // Another company cannot resend or revoke it.
    let stranger = app.signed_in("beta", "owner@beta.test").await;
    let token = stranger.get("/admin").await.csrf();
    for path in ["invite", "invite/revoke"] {
        let page = stranger
            .post(
                &format!("/admin/contacts/{luisa}/access/{path}"),
                &[("_csrf", &token), ("portal", "customer")],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }

    let revoked = owner
        .post(
            &format!("/admin/contacts/{luisa}/access/invite/revoke"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&link).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(listed(&owner, "never_activated", "luisa@cliente.do").await);
    assert!(!listed(&owner, "invited", "luisa@cliente.do").await);
    let access = owner.get(&format!("/admin/contacts/{luisa}/access")).await;
    assert!(
        access.body.contains("ese enlace ya no funciona"),
        "{}",
        access.body
    );
}

async fn the_invitation_reaches_a_real_smtp_server(db: TestDb) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::with_smtp(db, &sink.url()).await;
    let owner = owner_with_customer(&app).await;
    let id = contact(&owner, "Íñigo", "inigo@cliente.do").await;
    turn_on(&owner, &id).await;
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received[0].rcpt_tos, ["inigo@cliente.do"]);
    let message = MessageParser::default().parse(&received[0].raw).unwrap();
    assert_eq!(
        message.to().unwrap().first().unwrap().name(),
        Some("Íñigo Núñez")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("Hola, Íñigo Núñez:"), "{text}");
    let link = link_in(&received[0].raw);
    let landed = accept(&app, &link).await;
    assert_eq!(landed.location(), Some("/portal"), "{}", landed.body);
}

async fn the_api_invites_and_revokes(db: TestDb) {
    use poem::http::Method;
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let id = contact(&owner, "Rosa", "rosa@cliente.do").await;
    let key = portico_admin::api_keys::new_key();
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let by = portico_data::By {
        actor: portico_data::Actor::System,
        request_id: None,
    };
    tx.api_keys()
        .create(
            "test",
            portico_domain::StaffRole::Admin,
            &key,
            &portico_auth::hash_token(&key),
            by,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let api = app
        .browser("alfa.localhost:8080")
        .with_header("authorization", &format!("Bearer {key}"));
    let on = api
        .json(
            Method::PUT,
            &format!("/api/v1/contacts/{id}/portal-access/customer"),
            Some(serde_json::json!({ "enabled": true })),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    let first = link_in(&mails(app.mail_dir.path(), 1).await[0]);
    let again = api
        .json(
            Method::POST,
            &format!("/api/v1/contacts/{id}/portal-invitation/customer"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let second = link_in(&mails(app.mail_dir.path(), 2).await[1]);
    assert_ne!(first, second);
    let revoked = api
        .json(
            Method::DELETE,
            &format!("/api/v1/contacts/{id}/portal-invitation"),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&second).await.status,
        StatusCode::NOT_FOUND
    );
    let supplier = api
        .json(
            Method::POST,
            &format!("/api/v1/contacts/{id}/portal-invitation/supplier"),
            None,
        )
        .await;
    assert_eq!(
        supplier.status,
        StatusCode::CONFLICT,
        "no supplier access: no invitation"
    );
}

async fn a_new_email_or_no_access_voids_the_pending_invitation(db: TestDb) {
    let app = TestApp::new(db).await;
    let owner = owner_with_customer(&app).await;
    let id = contact(&owner, "Marta", "marta@cliente.do").await;
    turn_on(&owner, &id).await;
    let link = link_in(&mails(app.mail_dir.path(), 1).await[0]);
    let edited = owner
        .submit(
            &format!("/admin/contacts/{id}/edit"),
            &format!("/admin/contacts/{id}"),
            &[
                ("first_name", "Marta"),
                ("last_name", "Núñez"),
                ("email", "marta.nunez@cliente.do"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&link).await.status,
        StatusCode::NOT_FOUND,
        "the link went to a mailbox that is no longer the contact's"
    );

    // A new invitation to the new address; access off voids it too.
    let page = owner.get(&format!("/admin/contacts/{id}/access")).await;
    owner
        .post(
            &format!("/admin/contacts/{id}/access/invite"),
            &[("_csrf", &page.csrf()), ("portal", "customer")],
        )
        .await;
    let second = link_in(&mails(app.mail_dir.path(), 2).await[1]);
    let off = owner
        .post(
            &format!("/admin/contacts/{id}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "0")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let on = owner
        .post(
            &format!("/admin/contacts/{id}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser("alfa.localhost:8080").get(&second).await.status,
        StatusCode::NOT_FOUND,
        "an invitation from before access was turned off stays void"
    );
}

backend_tests!(
    a_new_email_or_no_access_voids_the_pending_invitation,
    the_api_invites_and_revokes,
    an_invitation_is_mailed_and_accepted_once,
    a_revoked_invitation_leaves_the_contact_never_activated,
    the_invitation_reaches_a_real_smtp_server,
);
