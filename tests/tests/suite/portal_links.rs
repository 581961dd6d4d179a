//! The emailed one-time sign-in link and the emailed password reset of both
//! portals, through HTTP as a browser uses them and through the mail outbox
//! (`.eml` files, and once a real SMTP server): asking answers alike whoever
//! asks, mails only contacts that may use the link, is throttled; a link works
//! once, before it expires, for its own portal; a reset ends every other
//! session and replaces the password.

use std::time::Duration;

use poem::http::StatusCode;
use portico_data::{AccountId, ContactId, PortalTokenPurpose};
use portico_domain::{AccountFields, AccountKind, ContactFields, Email, Locale, Portal};
use portico_tests::builders::{Company, Grant, portal_base as base, portal_sign_in as try_sign_in};
use portico_tests::outbox::{Mail, eml_files};
use portico_tests::password_forms::{assert_weak_passwords_refused, post_password};
use portico_tests::{Browser, PASSWORD, Page, SmtpSink, TestApp, TestDb, backend_tests};

const ES: portico_web::Lang = portico_web::Lang(Locale::Es);

/// A company with one customer and one supplier.
struct Site<'a> {
    company: Company<'a>,
    customer: AccountId,
    supplier: AccountId,
}

impl<'a> std::ops::Deref for Site<'a> {
    type Target = Company<'a>;

    fn deref(&self) -> &Company<'a> {
        &self.company
    }
}

async fn company<'a>(app: &'a TestApp, slug: &str, name: &str) -> Site<'a> {
    let company = Company::named(app, slug, name).await;
    let account = async |kind, code: &str, name: &str| {
        let fields = AccountFields {
            code: code.into(),
            name: name.into(),
            ..Default::default()
        };
        company.account_with(kind, &fields).await
    };
    let customer = account(AccountKind::Customer, "C-001", "Farmacia Carol").await;
    let supplier = account(AccountKind::Supplier, "P-001", "Laboratorios Andinos").await;
    Site {
        company,
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
async fn contact(site: &Site<'_>, person: &Person) -> ContactId {
    let fields = ContactFields {
        first_name: Some(person.first.into()),
        last_name: Some(person.last.into()),
        email: Some(Email::parse(person.email).unwrap()),
        preferred_language: person.language,
        ..Default::default()
    };
    let id = site
        .portal_contact(&fields, person.portals, person.password)
        .await;
    for portal in person.portals {
        let account = match portal {
            Portal::Customer => site.customer,
            Portal::Supplier => site.supplier,
        };
        let grant = Grant::all_branches(&["documents.view"]);
        site.link_only(id, account, *portal, &grant).await;
    }
    site.settled().await;
    id
}

/// Asks for a sign-in link (`/sign-in/link`) or a reset (`/password/forgot`).
async fn ask(browser: &Browser<'_>, portal: Portal, what: &str, email: &str) -> Page {
    let path = format!("{}{what}", base(portal));
    browser.submit(&path, &path, &[("email", email)]).await
}

const LINK: &str = "/sign-in/link";
const FORGOT: &str = "/password/forgot";

/// The `.eml` files in the mail folder.
fn mail_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    eml_files(app.mail_dir.path())
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

/// The link in `mail` that starts with `prefix`, as a path of the site.
fn link_in(mail: &Mail, site: &Site<'_>, prefix: &str) -> String {
    let start = format!("{}{prefix}", site.url());
    let url = mail.url_containing(&start);
    url.strip_prefix(&site.url())
        .unwrap_or_else(|| panic!("{url} starts with {start}"))
        .to_owned()
}

/// A fresh sign-in link's secret for `contact` (15 minutes, as mailed).
async fn sign_in_link(site: &Site<'_>, contact: ContactId) -> String {
    site.token(
        contact,
        PortalTokenPurpose::SignIn,
        chrono::Duration::minutes(15),
    )
    .await
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
    let ana = contact(&alfa, &PERSON).await;

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
    let mail = Mail::parse(&newest_mail(&app, 1).await);
    assert_eq!(mail.to, "ana@carol.do");
    assert_eq!(mail.to_name, "Ana Peña");
    assert_eq!(
        mail.subject,
        "Su enlace para entrar al Portal de Clientes de Distribuidora Peña"
    );
    mail.assert_text_contains(&[
        "Hola, Ana Peña:",
        "Portal de Clientes de Distribuidora Peña",
        "15 minutos",
        "Si no lo pidió usted, ignore este mensaje",
    ]);
    let path = link_in(&mail, &alfa, "/portal/sign-in/link/");
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
    let expired = alfa
        .token(
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
    let first = sign_in_link(&alfa, ana).await;
    let second = sign_in_link(&alfa, ana).await;
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
    let late = sign_in_link(&alfa, ana).await;
    alfa.portal_access(ana, Portal::Customer, false).await;
    alfa.settled().await;
    let fourth = app.browser(&alfa.host());
    let page = fourth.get(&format!("/portal/sign-in/link/{late}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

/// Every way of not being mailed answers exactly as being mailed does.
async fn asking_tells_nobody_who_has_access_and_mails_only_who_may_use_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    contact(&alfa, &PERSON).await;
    // Access to the supplier portal only.
    contact(
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
        &alfa,
        &Person {
            first: "Eva",
            last: "Mena",
            email: "eva@carol.do",
            ..PERSON
        },
    )
    .await;
    alfa.archive(dora, true).await;
    alfa.portal_access(eva, Portal::Customer, false).await;

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
    let sent: Vec<Mail> = mails(&app, 2)
        .await
        .iter()
        .map(|m| Mail::parse(m))
        .collect();
    assert!(sent.iter().all(|m| m.to == "ana@carol.do"));

    // Beto is mailed in the supplier portal; a typo is asked to be fixed.
    let page = ask(&browser, Portal::Supplier, LINK, "beto@andinos.do").await;
    assert_eq!(page.status, StatusCode::OK);
    let mail = Mail::parse(&newest_mail(&app, 3).await);
    assert_eq!(mail.to, "beto@andinos.do");
    assert!(
        mail.subject.contains("Portal de Proveedores"),
        "{}",
        mail.subject
    );
    link_in(&mail, &alfa, "/supplier/sign-in/link/");
    let page = ask(&browser, Portal::Supplier, LINK, "beto arroba andinos").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(&ES.t("sign-in-email-invalid")));
}

async fn asking_is_throttled_per_address(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app, "alfa", "Distribuidora Peña").await;
    contact(&alfa, &PERSON).await;
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
    let old_link = sign_in_link(&alfa, beto).await;

    let browser = app.browser(&alfa.host());
    let sign_in = browser.get("/supplier/sign-in").await;
    assert!(sign_in.body.contains(&ES.t("portal-forgot-ask")));
    let page = ask(&browser, Portal::Supplier, FORGOT, "beto@andinos.do").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&ES.t("portal-mail-sent-title")),
        "the page speaks the browser's language"
    );
    let mail = Mail::parse(&newest_mail(&app, 1).await);
    assert_eq!(mail.to, "beto@andinos.do");
    assert_eq!(
        mail.subject, "Reset your password for the Distribuidora Peña Supplier Portal",
        "the mail speaks the contact's language"
    );
    mail.assert_text_contains(&[
        "Hello Beto Ochoa,",
        "one hour",
        "If you did not ask for this, ignore this message",
    ]);
    let path = link_in(&mail, &alfa, "/supplier/password/reset/");

    let form = browser.get(&path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("beto@andinos.do"));
    let new_password = "una clave nueva y larga";
    assert_weak_passwords_refused(
        &browser,
        &path,
        &form.csrf(),
        "beto@andinos.do",
        new_password,
    )
    .await;
    assert!(
        signed_in(&elsewhere, Portal::Supplier).await,
        "nothing changed yet"
    );

    let before = browser.cookie("portico_session");
    let page = post_password(&browser, &path, &form.csrf(), new_password, new_password).await;
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
    let page = post_password(
        &again,
        &path,
        &page.csrf(),
        "y otra clave más",
        "y otra clave más",
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
    let expired = alfa
        .token(
            beto,
            PortalTokenPurpose::Reset,
            chrono::Duration::seconds(-1),
        )
        .await;
    let expired = format!("/supplier/password/reset/{expired}");
    let page = again.get(&expired).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = post_password(
        &again,
        &expired,
        &page.csrf(),
        "y otra clave más",
        "y otra clave más",
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
    let mail = Mail::parse(&received[0].raw);
    assert_eq!(mail.to_name, "José Núñez");
    assert_eq!(
        mail.subject,
        "Su enlace para entrar al Portal de Clientes de Distribuidora Peña"
    );
    mail.assert_text_contains(&[
        "Hola, José Núñez:",
        "Ábralo para iniciar sesión:",
        "15 minutos",
        "Si no lo pidió usted, ignore este mensaje",
    ]);
    // Headers travel as 7-bit ASCII.
    let raw = &received[0].raw;
    let head = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(raw[..head].is_ascii());
    // And the link it carries signs in.
    let path = link_in(&mail, &alfa, "/portal/sign-in/link/");
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
