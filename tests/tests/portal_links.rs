//! The emailed one-time sign-in link and the emailed password reset of both
//! portals, through HTTP as a browser uses them and through the mail outbox
//! (`.eml` files, and once a real SMTP server): asking answers alike whoever
//! asks, mails only contacts that may use the link, is throttled; a link works
//! once, before it expires, for its own portal; a reset ends every other
//! session and replaces the password.

use std::time::Duration;

use mail_parser::MessageParser;
use poem::http::StatusCode;
use portico_auth::hash_password;
use portico_data::{
    AccountId, Actor, By, ContactId, LinkAccessInput, NewStaffUser, NewTenant, PortalTokenPurpose,
    Tenant,
};
use portico_domain::{
    AccountFields, AccountKind, ContactFields, Currency, Email, LinkFields, Locale, Portal, Slug,
    StaffRole,
};
use portico_tests::{Browser, PASSWORD, Page, SmtpSink, TestApp, TestDb, backend_tests};

const SYSTEM: By<'static> = By {
    actor: Actor::System,
    request_id: None,
};

const ES: portico_web::Lang = portico_web::Lang(Locale::Es);

fn base(portal: Portal) -> &'static str {
    match portal {
        Portal::Customer => "/portal",
        Portal::Supplier => "/supplier",
    }
}

/// A company with one customer and one supplier.
struct Company {
    tenant: Tenant,
    slug: String,
    customer: AccountId,
    supplier: AccountId,
}

impl Company {
    fn host(&self) -> String {
        format!("{}.localhost:8080", self.slug)
    }

    fn url(&self) -> String {
        format!("http://{}", self.host())
    }
}

async fn company(app: &TestApp, slug: &str, name: &str) -> Company {
    let tenant = portico_data::provision_tenant(
        &app.db.db,
        &NewTenant {
            slug: Slug::parse(slug).unwrap(),
            name: name.into(),
            locale: Locale::Es,
            currency: Currency::parse("DOP").unwrap(),
            max_contacts: None,
        },
        &NewStaffUser {
            email: Email::parse(&format!("owner@{slug}.test")).unwrap(),
            name: "Dueña".into(),
            role: StaffRole::Owner,
            password_hash: None,
            one_time_password: false,
            locale: None,
        },
        Actor::System,
    )
    .await
    .unwrap();
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    let mut account = async |kind, code: &str, name: &str| {
        let fields = AccountFields {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        };
        tx.accounts()
            .create(kind, &fields, SYSTEM)
            .await
            .unwrap()
            .id
    };
    let customer = account(AccountKind::Customer, "C-001", "Farmacia Carol").await;
    let supplier = account(AccountKind::Supplier, "P-001", "Laboratorios Andinos").await;
    tx.commit().await.unwrap();
    Company {
        tenant,
        slug: slug.into(),
        customer,
        supplier,
    }
}

/// Who a test contact is.
struct Person {
    first: &'static str,
    last: &'static str,
    email: &'static str,
    portals: &'static [Portal],
    /// Whether it has chosen a password ([`PASSWORD`]).
    password: bool,
    language: Option<Locale>,
}

const PERSON: Person = Person {
    first: "Ana",
    last: "Peña",
    email: "ana@carol.do",
    portals: &[Portal::Customer],
    password: true,
    language: None,
};

/// A contact with access to `portals`, linked to the company's customer
/// and/or supplier with one grant (documents.view).
async fn contact(app: &TestApp, company: &Company, person: &Person) -> ContactId {
    let mut tx = app.db.db.tenant_tx(&company.tenant).await.unwrap();
    let fields = ContactFields {
        first_name: Some(person.first.into()),
        last_name: Some(person.last.into()),
        email: Some(Email::parse(person.email).unwrap()),
        preferred_language: person.language,
        ..Default::default()
    };
    let id = tx.contacts().create(&fields, SYSTEM).await.unwrap().id;
    for portal in person.portals {
        tx.portal_access()
            .set(id, *portal, true, SYSTEM)
            .await
            .unwrap();
        let account = match portal {
            Portal::Customer => company.customer,
            Portal::Supplier => company.supplier,
        };
        let link = tx
            .links()
            .create(id, account, &LinkFields::default(), SYSTEM)
            .await
            .unwrap()
            .unwrap();
        let access = LinkAccessInput {
            role_ids: Vec::new(),
            permissions: vec!["documents.view".into()],
            all_branches: true,
            branch_ids: Vec::new(),
        };
        tx.link_grants()
            .set(link.id, &access, SYSTEM)
            .await
            .unwrap()
            .unwrap();
    }
    tx.commit().await.unwrap();
    if person.password {
        let hash = hash_password(PASSWORD).await.unwrap();
        let mut tx = app.db.db.tenant_tx(&company.tenant).await.unwrap();
        tx.portal_credentials()
            .set_password(id, &hash, SYSTEM)
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
    }
    settled(app, company).await;
    id
}

/// Waits until the app serves the company's latest policy version.
async fn settled(app: &TestApp, company: &Company) {
    let mut tx = app.db.db.tenant_tx(&company.tenant).await.unwrap();
    let version = tx.policy().version().await.unwrap();
    tx.commit().await.unwrap();
    for _ in 0..300 {
        if app.state.policies.version(&company.tenant).await.unwrap() >= version {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the policy version {version} never arrived");
}

/// Asks for a sign-in link (`/sign-in/link`) or a reset (`/password/forgot`).
async fn ask(browser: &Browser<'_>, portal: Portal, what: &str, email: &str) -> Page {
    let path = format!("{}{what}", base(portal));
    browser.submit(&path, &path, &[("email", email)]).await
}

const LINK: &str = "/sign-in/link";
const FORGOT: &str = "/password/forgot";

async fn try_sign_in(browser: &Browser<'_>, portal: Portal, email: &str, password: &str) -> Page {
    let path = format!("{}/sign-in", base(portal));
    browser
        .submit(&path, &path, &[("email", email), ("password", password)])
        .await
}

/// The `.eml` files in the mail folder.
fn mail_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(app.mail_dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
}

/// Waits until the mail folder holds `count` mails (and no more arrive
/// shortly after); returns them.
async fn mails(app: &TestApp, count: usize) -> Vec<Vec<u8>> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while mail_files(app).len() < count {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{count} mails never arrived: {:?}",
            mail_files(app)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Anything still queued goes now.
    app.state.mail.sweep().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let files = mail_files(app);
    assert_eq!(files.len(), count, "{files:?}");
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// The newest mail's file contents, once `count` mails are there.
async fn newest_mail(app: &TestApp, count: usize) -> Vec<u8> {
    let _ = mails(app, count).await;
    // Mail ids are UUIDv7: the newest file sorts last.
    std::fs::read(mail_files(app).last().unwrap()).unwrap()
}

/// A delivered mail: recipient, subject, text body.
struct Mail {
    to: String,
    to_name: String,
    subject: String,
    text: String,
}

fn parse(raw: &[u8]) -> Mail {
    let message = MessageParser::default().parse(raw).expect("a message");
    let to = message.to().and_then(|t| t.first()).expect("To");
    Mail {
        to: to.address().unwrap_or_default().to_owned(),
        to_name: to.name().unwrap_or_default().to_owned(),
        subject: message.subject().unwrap_or_default().to_owned(),
        text: message
            .body_text(0)
            .expect("text part")
            .replace("\r\n", "\n"),
    }
}

impl Mail {
    /// The link in the mail that starts with `prefix`, as a path of the site.
    fn link(&self, company: &Company, prefix: &str) -> String {
        let start = format!("{}{prefix}", company.url());
        let at = self
            .text
            .find(&start)
            .unwrap_or_else(|| panic!("no {start} link in {}", self.text));
        let url = self.text[at..].split_whitespace().next().unwrap();
        url.strip_prefix(&company.url()).unwrap().to_owned()
    }
}

async fn create_token(
    app: &TestApp,
    company: &Company,
    contact: ContactId,
    purpose: PortalTokenPurpose,
    ttl: chrono::Duration,
) -> String {
    let mut tx = app.db.db.tenant_tx(&company.tenant).await.unwrap();
    let secret = tx
        .portal_tokens()
        .create(contact, purpose, ttl)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    secret
}

/// Whether a browser is signed in to a portal (its home answers 200).
async fn signed_in(browser: &Browser<'_>, portal: Portal) -> bool {
    browser
        .get(base(portal))
        .await
        .body
        .contains("sign-out-everywhere")
}

/// Follows a sign-in link as a browser does: the page, then its button.
async fn follow(browser: &Browser<'_>, path: &str) -> (Page, Page) {
    let page = browser.get(path).await;
    let csrf = page.csrf();
    let done = browser.post(path, &[("_csrf", &csrf)]).await;
    (page, done)
}

// ----- the sign-in link -----

async fn a_mailed_link_signs_in_once(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    let ana = contact(&app, &alfa, &PERSON).await;

    // The sign-in page offers both ways in.
    let browser = app.browser(&alfa.host());
    let sign_in = browser.get("/portal/sign-in").await;
    assert!(
        sign_in.body.contains("href=\"/portal/sign-in/link\"")
            && sign_in.body.contains("href=\"/portal/password/forgot\""),
        "{}",
        sign_in.body
    );
    assert!(sign_in.body.contains(&ES.t("portal-link-ask")));
    let form = browser.get("/portal/sign-in/link").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&ES.t("portal-link-title")));

    // Any case of the address will do.
    let page = ask(&browser, Portal::Customer, LINK, "Ana@Carol.DO").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&ES.t("portal-mail-sent-title")));
    let mail = parse(&newest_mail(&app, 1).await);
    assert_eq!(mail.to, "ana@carol.do");
    assert_eq!(mail.to_name, "Ana Peña");
    assert_eq!(
        mail.subject,
        "Su enlace para entrar al Portal de Clientes de Distribuidora Peña"
    );
    for part in [
        "Hola, Ana Peña:",
        "Portal de Clientes de Distribuidora Peña",
        "15 minutos",
        "Si no lo pidió usted, ignore este mensaje",
    ] {
        assert!(mail.text.contains(part), "{part}: {}", mail.text);
    }
    let path = mail.link(&alfa, "/portal/sign-in/link/");
    let secret = path.rsplit('/').next().unwrap();
    assert_eq!(secret.len(), 64, "{path}");
    // The request log never shows the secret.
    assert_eq!(
        portico_web::observe::redacted_path(&path),
        "/portal/sign-in/link/{token}"
    );
    assert_eq!(
        portico_web::observe::redacted_path(&format!("/supplier/password/reset/{secret}")),
        "/supplier/password/reset/{token}"
    );

    // Opening the link (say, in another browser) only shows a button: mail
    // scanners that fetch links do not use them up.
    let other = app.browser(&alfa.host());
    for _ in 0..2 {
        let confirm = other.get(&path).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        assert!(confirm.body.contains("ana@carol.do"));
        assert!(confirm.body.contains(&format!("action=\"{path}\"")));
    }
    assert!(!signed_in(&other, Portal::Customer).await);
    // The button needs the page's CSRF token.
    assert_eq!(
        other.post(&path, &[("_csrf", "forged")]).await.status,
        StatusCode::FORBIDDEN
    );

    // Someone guessing passwords has locked Ana out: the link proves her
    // mailbox, so it still signs her in, and lifts the lockout.
    let guesser = app.browser(&alfa.host());
    for _ in 0..5 {
        try_sign_in(&guesser, Portal::Customer, "ana@carol.do", "no es la clave").await;
    }
    let page = try_sign_in(&guesser, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);

    let before = other.cookie("portico_session");
    let (_, done) = follow(&other, &path).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), Some("/portal"), "one account: home");
    assert_ne!(other.cookie("portico_session"), before, "a new session id");
    let home = other.get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Ana Peña") && home.body.contains("Farmacia Carol"));
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    let person = tx.contacts().find(ana).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert!(
        person.portal.signed_in_at.is_some(),
        "the sign-in is recorded"
    );
    assert_eq!(person.portal.locked_until, None);
    let page = try_sign_in(&guesser, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(page.location(), Some("/portal"), "{}", page.body);

    // Once only: the same link again, from anywhere, is refused.
    let third = app.browser(&alfa.host());
    let again = third.get(&path).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(again.body.contains(&ES.t("portal-link-invalid-title")));
    let refused = third.post(&path, &[("_csrf", &again.csrf())]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(!signed_in(&third, Portal::Customer).await);
    assert!(signed_in(&other, Portal::Customer).await, "still signed in");

    // Unknown, expired and replaced links are refused, and write nothing.
    let unknown = format!("/portal/sign-in/link/{}", "ab".repeat(32));
    assert_eq!(third.get(&unknown).await.status, StatusCode::NOT_FOUND);
    let expired = create_token(
        &app,
        &alfa,
        ana,
        PortalTokenPurpose::SignIn,
        chrono::Duration::seconds(-1),
    )
    .await;
    let expired = format!("/portal/sign-in/link/{expired}");
    let page = third.get(&expired).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let refused = third.post(&expired, &[("_csrf", &page.csrf())]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(!signed_in(&third, Portal::Customer).await);
    let first = create_token(
        &app,
        &alfa,
        ana,
        PortalTokenPurpose::SignIn,
        chrono::Duration::minutes(15),
    )
    .await;
    let second = create_token(
        &app,
        &alfa,
        ana,
        PortalTokenPurpose::SignIn,
        chrono::Duration::minutes(15),
    )
    .await;
    let page = third.get(&format!("/portal/sign-in/link/{first}")).await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "replaced by a newer one"
    );
    // A link is for the portals the contact may use: not the supplier portal.
    let page = third.get(&format!("/supplier/sign-in/link/{second}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Nor another company's site.
    app.company("beta").await;
    let beta = app.browser("beta.localhost:8080");
    let page = beta.get(&format!("/portal/sign-in/link/{second}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // The newest link still works (none of the refusals used it up).
    let (_, done) = follow(&third, &format!("/portal/sign-in/link/{second}")).await;
    assert_eq!(done.location(), Some("/portal"), "{}", done.body);
    assert!(signed_in(&third, Portal::Customer).await);

    // A link mailed before access was turned off no longer works.
    let late = create_token(
        &app,
        &alfa,
        ana,
        PortalTokenPurpose::SignIn,
        chrono::Duration::minutes(15),
    )
    .await;
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    tx.portal_access()
        .set(ana, Portal::Customer, false, SYSTEM)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    settled(&app, &alfa).await;
    let fourth = app.browser(&alfa.host());
    let page = fourth.get(&format!("/portal/sign-in/link/{late}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

/// Every way of not being mailed answers exactly as being mailed does.
async fn asking_tells_nobody_who_has_access_and_mails_only_who_may_use_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    contact(&app, &alfa, &PERSON).await;
    // Access to the supplier portal only.
    contact(
        &app,
        &alfa,
        &Person {
            first: "Beto",
            last: "Ochoa",
            email: "beto@andinos.do",
            portals: &[Portal::Supplier],
            ..PERSON
        },
    )
    .await;
    // Invited: it has not chosen a password yet.
    contact(
        &app,
        &alfa,
        &Person {
            first: "Carla",
            last: "Núñez",
            email: "carla@carol.do",
            password: false,
            ..PERSON
        },
    )
    .await;
    // Archived.
    let dora = contact(
        &app,
        &alfa,
        &Person {
            first: "Dora",
            last: "Pérez",
            email: "dora@carol.do",
            ..PERSON
        },
    )
    .await;
    // Access turned off after it had a password.
    let eva = contact(
        &app,
        &alfa,
        &Person {
            first: "Eva",
            last: "Mena",
            email: "eva@carol.do",
            ..PERSON
        },
    )
    .await;
    let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.unwrap();
    tx.contacts()
        .set_archived(dora, true, SYSTEM)
        .await
        .unwrap();
    tx.portal_access()
        .set(eva, Portal::Customer, false, SYSTEM)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let browser = app.browser(&alfa.host());
    for what in [LINK, FORGOT] {
        let answer = |page: &Page, email: &str| {
            assert_eq!(page.status, StatusCode::OK, "{email}: {}", page.body);
            page.body.replace(email, "EMAIL")
        };
        let mailed = ask(&browser, Portal::Customer, what, "ana@carol.do").await;
        let expected = answer(&mailed, "ana@carol.do");
        for email in [
            "nadie@carol.do",
            "beto@andinos.do",
            "carla@carol.do",
            "dora@carol.do",
            "eva@carol.do",
        ] {
            let page = ask(&browser, Portal::Customer, what, email).await;
            assert_eq!(answer(&page, email), expected, "{what} {email}");
        }
    }
    // Ana's two mails and nothing else.
    let sent: Vec<Mail> = mails(&app, 2).await.iter().map(|m| parse(m)).collect();
    assert!(sent.iter().all(|m| m.to == "ana@carol.do"));

    // Beto is mailed in the supplier portal; a typo is asked to be fixed.
    let page = ask(&browser, Portal::Supplier, LINK, "beto@andinos.do").await;
    assert_eq!(page.status, StatusCode::OK);
    let mail = parse(&newest_mail(&app, 3).await);
    assert_eq!(mail.to, "beto@andinos.do");
    assert!(
        mail.subject.contains("Portal de Proveedores"),
        "{}",
        mail.subject
    );
    mail.link(&alfa, "/supplier/sign-in/link/");
    let page = ask(&browser, Portal::Supplier, LINK, "beto arroba andinos").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(&ES.t("sign-in-email-invalid")));
}

async fn asking_is_throttled_per_address(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    contact(&app, &alfa, &PERSON).await;
    let browser = app.browser(&alfa.host());
    // Five requests in the window, of either kind, are answered and mailed.
    for what in [LINK, LINK, FORGOT, LINK, FORGOT] {
        let page = ask(&browser, Portal::Customer, what, "ana@carol.do").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    mails(&app, 5).await;
    // Then both kinds wait, in both portals, mailing nothing.
    for (portal, what) in [
        (Portal::Customer, LINK),
        (Portal::Customer, FORGOT),
        (Portal::Supplier, LINK),
    ] {
        let page = ask(&browser, portal, what, "ANA@carol.do").await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{what}");
        assert!(page.headers.contains_key("retry-after"));
        assert!(
            page.body
                .contains(&ES.t_args("portal-mail-throttled", &[("minutes", 15u64.into())])),
            "{}",
            page.body
        );
    }
    mails(&app, 5).await;
    // An address nobody has is throttled alike.
    for _ in 0..5 {
        let page = ask(&browser, Portal::Customer, LINK, "nadie@carol.do").await;
        assert_eq!(page.status, StatusCode::OK);
    }
    let page = ask(&browser, Portal::Customer, LINK, "nadie@carol.do").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // The password is throttled on its own: Ana still signs in.
    let page = try_sign_in(&browser, Portal::Customer, "ana@carol.do", PASSWORD).await;
    assert_eq!(page.location(), Some("/portal"), "{}", page.body);
}

// ----- the password reset -----

async fn a_mailed_reset_replaces_the_password_and_ends_every_other_session(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    // In the supplier portal, with English as its language.
    let beto = contact(
        &app,
        &alfa,
        &Person {
            first: "Beto",
            last: "Ochoa",
            email: "beto@andinos.do",
            portals: &[Portal::Supplier],
            language: Some(Locale::En),
            ..PERSON
        },
    )
    .await;
    // Signed in elsewhere with the old password.
    let elsewhere = app.browser(&alfa.host());
    let page = try_sign_in(&elsewhere, Portal::Supplier, "beto@andinos.do", PASSWORD).await;
    assert_eq!(page.location(), Some("/supplier"), "{}", page.body);
    assert!(signed_in(&elsewhere, Portal::Supplier).await);
    // A sign-in link mailed before the reset.
    let old_link = create_token(
        &app,
        &alfa,
        beto,
        PortalTokenPurpose::SignIn,
        chrono::Duration::minutes(15),
    )
    .await;

    let browser = app.browser(&alfa.host());
    let sign_in = browser.get("/supplier/sign-in").await;
    assert!(sign_in.body.contains(&ES.t("portal-forgot-ask")));
    let page = ask(&browser, Portal::Supplier, FORGOT, "beto@andinos.do").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&ES.t("portal-mail-sent-title")),
        "the page speaks the browser's language"
    );
    let mail = parse(&newest_mail(&app, 1).await);
    assert_eq!(mail.to, "beto@andinos.do");
    assert_eq!(
        mail.subject, "Reset your password for the Distribuidora Peña Supplier Portal",
        "the mail speaks the contact's language"
    );
    for part in [
        "Hello Beto Ochoa,",
        "one hour",
        "If you did not ask for this, ignore this message",
    ] {
        assert!(mail.text.contains(part), "{part}: {}", mail.text);
    }
    let path = mail.link(&alfa, "/supplier/password/reset/");

    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("beto@andinos.do"));
    let new_password = "una clave nueva y larga";
    for (password, again) in [
        ("corta", "corta"),
        ("beto@andinos.do", "beto@andinos.do"),
        (new_password, "otra clave distinta"),
    ] {
        let page = browser
            .post(
                &path,
                &[
                    ("_csrf", &form.csrf()),
                    ("password", password),
                    ("password_confirmation", again),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert!(page.body.contains("field-error"));
    }
    assert_eq!(
        browser.get(&path).await.status,
        StatusCode::OK,
        "still usable"
    );
    assert!(
        signed_in(&elsewhere, Portal::Supplier).await,
        "nothing changed yet"
    );

    let before = browser.cookie("portico_session");
    let page = browser
        .post(
            &path,
            &[
                ("_csrf", &form.csrf()),
                ("password", new_password),
                ("password_confirmation", new_password),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some("/supplier"));
    assert_ne!(
        browser.cookie("portico_session"),
        before,
        "a new session id"
    );
    assert!(signed_in(&browser, Portal::Supplier).await);
    // Every other session is over, and so is the sign-in link mailed before.
    assert!(!signed_in(&elsewhere, Portal::Supplier).await);
    let page = elsewhere
        .get(&format!("/supplier/sign-in/link/{old_link}"))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // The old password no longer works; the new one does.
    let fresh = app.browser(&alfa.host());
    let page = try_sign_in(&fresh, Portal::Supplier, "beto@andinos.do", PASSWORD).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = try_sign_in(&fresh, Portal::Supplier, "beto@andinos.do", new_password).await;
    assert_eq!(page.location(), Some("/supplier"), "{}", page.body);

    // The reset link worked once.
    let again = app.browser(&alfa.host());
    let page = again.get(&path).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains(&ES.t("portal-reset-invalid-title")));
    let page = again
        .post(
            &path,
            &[
                ("_csrf", &page.csrf()),
                ("password", "y otra clave más"),
                ("password_confirmation", "y otra clave más"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = try_sign_in(
        &again,
        Portal::Supplier,
        "beto@andinos.do",
        "y otra clave más",
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An expired reset link changes nothing either.
    let expired = create_token(
        &app,
        &alfa,
        beto,
        PortalTokenPurpose::Reset,
        chrono::Duration::seconds(-1),
    )
    .await;
    let expired = format!("/supplier/password/reset/{expired}");
    let page = again.get(&expired).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = again
        .post(
            &expired,
            &[
                ("_csrf", &page.csrf()),
                ("password", "y otra clave más"),
                ("password_confirmation", "y otra clave más"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        signed_in(&browser, Portal::Supplier).await,
        "the new session lives on"
    );
    let page = try_sign_in(&again, Portal::Supplier, "beto@andinos.do", new_password).await;
    assert_eq!(page.location(), Some("/supplier"));
}

// ----- a real SMTP server -----

async fn the_link_mail_reaches_a_real_smtp_server_with_its_accents(db: TestDb) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::with_smtp(db, &sink.url()).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    contact(
        &app,
        &alfa,
        &Person {
            first: "José",
            last: "Núñez",
            email: "jose@carol.do",
            ..PERSON
        },
    )
    .await;
    let browser = app.browser(&alfa.host());
    let page = ask(&browser, Portal::Customer, LINK, "jose@carol.do").await;
    assert_eq!(page.status, StatusCode::OK);
    let received = sink.wait_for(1, Duration::from_secs(15)).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, ["jose@carol.do"]);
    let mail = parse(&received[0].raw);
    assert_eq!(mail.to_name, "José Núñez");
    assert_eq!(
        mail.subject,
        "Su enlace para entrar al Portal de Clientes de Distribuidora Peña"
    );
    for part in [
        "Hola, José Núñez:",
        "Ábralo para iniciar sesión:",
        "15 minutos",
        "Si no lo pidió usted, ignore este mensaje",
    ] {
        assert!(mail.text.contains(part), "{part}: {}", mail.text);
    }
    // Headers travel as 7-bit ASCII.
    let raw = &received[0].raw;
    let head = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(raw[..head].is_ascii());
    // And the link it carries signs in.
    let path = mail.link(&alfa, "/portal/sign-in/link/");
    let (_, done) = follow(&browser, &path).await;
    assert_eq!(done.location(), Some("/portal"), "{}", done.body);
    assert!(signed_in(&browser, Portal::Customer).await);
    assert!(
        mail_files(&app).is_empty(),
        "no files when SMTP is configured"
    );
}

backend_tests!(
    a_mailed_link_signs_in_once,
    asking_tells_nobody_who_has_access_and_mails_only_who_may_use_it,
    asking_is_throttled_per_address,
    a_mailed_reset_replaces_the_password_and_ends_every_other_session,
    the_link_mail_reaches_a_real_smtp_server_with_its_accents,
);
