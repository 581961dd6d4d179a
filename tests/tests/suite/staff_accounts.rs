//! Staff accounts: a user changes its own password (ending its other sessions)
//! and language on its profile page; a forgotten password is reset through a
//! mailed, single-use, expiring link that reveals nobody's account and is
//! throttled; and a one-time password given by an admin or an operator must be
//! replaced before anything else opens.

use std::{path::Path, time::Duration};

use poem::http::{Method, StatusCode};
use portico_domain::Email;
use portico_tests::admin_forms::staff_sign_in;
use portico_tests::outbox::{Mail, mails};
use portico_tests::password_forms::post_password;
use portico_tests::{Browser, PASSWORD, Page, TestApp, TestDb, backend_tests};

const NEW_PASSWORD: &str = "una clave nueva y larga";

/// How many mails there are after the dispatcher has had time to send any.
async fn settled_mail_count(dir: &Path) -> usize {
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::read_dir(dir).unwrap().count()
}

/// The reset link in a mail, as a path of alfa's site.
fn reset_link(mail: &Mail) -> String {
    let url = mail.url_containing("/admin/password/reset/");
    url.strip_prefix("http://alfa.localhost:8080")
        .unwrap_or_else(|| panic!("a link to alfa's site: {url}"))
        .to_owned()
}

async fn change_password(browser: &Browser<'_>, current: &str, new: &str, again: &str) -> Page {
    browser
        .submit(
            "/admin/profile",
            "/admin/profile/password",
            &[
                ("current_password", current),
                ("password", new),
                ("password_confirmation", again),
            ],
        )
        .await
}

async fn sign_in<'a>(app: &'a TestApp, email: &str, password: &str) -> (Browser<'a>, Page) {
    let browser = app.browser("alfa.localhost:8080");
    let page = staff_sign_in(&browser, email, password).await;
    (browser, page)
}

async fn ask_reset(browser: &Browser<'_>, email: &str) -> Page {
    browser
        .submit(
            "/admin/password/forgot",
            "/admin/password/forgot",
            &[("email", email)],
        )
        .await
}

async fn set_password(browser: &Browser<'_>, path: &str, password: &str) -> Page {
    browser
        .submit(
            path,
            path,
            &[("password", password), ("password_confirmation", password)],
        )
        .await
}

/// The `<main>` part of a page.
fn main_of(page: &Page) -> &str {
    let start = page.body.find("<main").expect("a main element");
    let end = page.body.find("</main>").expect("the main element ends");
    &page.body[start..end]
}

async fn a_staff_user_changes_its_password_and_its_other_sessions_end(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let here = app.signed_in("alfa", "owner@alfa.test").await;
    let elsewhere = app.signed_in("alfa", "owner@alfa.test").await;
    let home = here.get("/admin").await;
    assert!(
        home.body.contains("href=\"/admin/profile\""),
        "the user's name in the header opens the profile"
    );
    let profile = here.get("/admin/profile").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.contains("Mi perfil") && profile.body.contains("owner@alfa.test"));

    let wrong = change_password(&here, "no es la clave", NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("La contraseña actual no es correcta."));
    let short = change_password(&here, PASSWORD, "corta", "corta").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .body
            .contains("La contraseña necesita al menos 10 caracteres.")
    );
    let email = change_password(&here, PASSWORD, "owner@alfa.test", "owner@alfa.test").await;
    assert!(
        email
            .body
            .contains("La contraseña no puede ser su correo electrónico.")
    );
    let mismatch = change_password(&here, PASSWORD, NEW_PASSWORD, "otra clave distinta").await;
    assert!(mismatch.body.contains("Las dos contraseñas no coinciden."));
    assert_eq!(
        elsewhere.get("/admin").await.status,
        StatusCode::OK,
        "refused changes end no session"
    );
    let (_, old_still) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(old_still.location(), Some("/admin"), "nothing was written");

    let session_before = here.cookie("portico_session");
    let changed = change_password(&here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(
        changed.location(),
        Some("/admin/profile"),
        "{}",
        changed.body
    );
    assert_ne!(
        here.cookie("portico_session"),
        session_before,
        "this session continues under a new id"
    );
    let after = here.get("/admin/profile").await;
    assert_eq!(after.status, StatusCode::OK, "this session stays");
    assert!(after.body.contains("Contraseña cambiada."));
    assert_eq!(
        elsewhere.get("/admin").await.location(),
        Some("/admin/sign-in"),
        "the other session ended"
    );
    let (_, with_old) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(with_old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, with_new) = sign_in(&app, "owner@alfa.test", NEW_PASSWORD).await;
    assert_eq!(with_new.location(), Some("/admin"));
    assert!(
        here.get("/admin")
            .await
            .body
            .contains("Cambió la contraseña de un usuario"),
        "the change is audited"
    );
}

async fn a_staff_user_keeps_its_language_for_its_pages_and_mail(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let saved = owner
        .submit(
            "/admin/profile",
            "/admin/profile/language",
            &[("locale", "en")],
        )
        .await;
    assert_eq!(saved.location(), Some("/admin/profile"));
    assert_eq!(owner.cookie("portico_lang").as_deref(), Some("en"));
    let profile = owner.get("/admin/profile").await;
    assert!(profile.body.contains("My profile") && profile.body.contains("Language saved."));

    // Another browser, with no choice of its own, follows the stored language.
    let (other, _) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(other.cookie("portico_lang").as_deref(), Some("en"));
    assert!(other.get("/admin").await.body.contains("Sign out"));
    // The language switcher still changes the browser.
    let home = other.get("/admin").await;
    let switched = other
        .post(
            "/lang",
            &[("_csrf", &home.csrf()), ("lang", "es"), ("next", "/admin")],
        )
        .await;
    assert_eq!(switched.location(), Some("/admin"));
    assert!(other.get("/admin").await.body.contains("Cerrar sesión"));

    // The mail goes in the stored language, whatever the asking browser's.
    let anyone = app.browser("alfa.localhost:8080");
    let asked = ask_reset(&anyone, "owner@alfa.test").await;
    assert_eq!(asked.status, StatusCode::OK);
    let mail = Mail::parse(&mails(app.mail_dir.path(), 1).await[0]);
    assert!(
        mail.subject
            .contains("Reset your Empresa alfa back-office password"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("works for one hour"), "{}", mail.text);

    let unknown = owner
        .submit(
            "/admin/profile",
            "/admin/profile/language",
            &[("locale", "fr")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown
            .body
            .contains("Choose one of the languages in the list.")
    );
}

async fn a_forgotten_password_is_reset_once_through_a_mailed_link(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let open_session = app.signed_in("alfa", "owner@alfa.test").await;
    let anyone = app.browser("alfa.localhost:8080");
    let sign_in_page = anyone.get("/admin/sign-in").await;
    assert!(
        sign_in_page
            .body
            .contains("<a href=\"/admin/password/forgot\">¿Olvidó su contraseña?</a>")
    );

    let known = ask_reset(&anyone, "Owner@Alfa.test").await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    let stranger = ask_reset(&anyone, "nadie@alfa.test").await;
    assert_eq!(stranger.status, StatusCode::OK);
    assert_eq!(
        main_of(&known).replace("owner@alfa.test", "X"),
        main_of(&stranger).replace("nadie@alfa.test", "X"),
        "the answer tells nobody who is a user"
    );
    assert!(known.body.contains("Revise su correo"));
    let mail = Mail::parse(&mails(app.mail_dir.path(), 1).await[0]);
    assert_eq!(
        settled_mail_count(app.mail_dir.path()).await,
        1,
        "nothing is mailed for an unknown address"
    );
    assert_eq!(mail.to, "owner@alfa.test");
    assert!(
        mail.subject
            .contains("Restablezca su contraseña de la administración de Empresa alfa"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("vale por una hora"), "{}", mail.text);
    let link = reset_link(&mail);

    let form = anyone.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Elija una contraseña nueva"));
    let weak = set_password(&anyone, &link, "corta").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body
            .contains("La contraseña necesita al menos 10 caracteres.")
    );
    let saved = set_password(&anyone, &link, NEW_PASSWORD).await;
    assert_eq!(saved.location(), Some("/admin"), "{}", saved.body);
    assert_eq!(
        anyone.get("/admin").await.status,
        StatusCode::OK,
        "signed in with the new password"
    );
    assert_eq!(
        open_session.get("/admin").await.location(),
        Some("/admin/sign-in"),
        "every earlier session ended"
    );
    let (_, with_old) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(with_old.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, with_new) = sign_in(&app, "owner@alfa.test", NEW_PASSWORD).await;
    assert_eq!(with_new.location(), Some("/admin"));

    // The link worked once.
    let again = app.browser("alfa.localhost:8080");
    let used = again.get(&link).await;
    assert_eq!(used.status, StatusCode::NOT_FOUND);
    assert!(
        used.body
            .contains("Este enlace para restablecer la contraseña ya no es válido")
    );
    let reused = post_password(
        &again,
        &link,
        &used.csrf(),
        "otra clave cualquiera",
        "otra clave cualquiera",
    )
    .await;
    assert_eq!(reused.status, StatusCode::NOT_FOUND);
    let (_, still_new) = sign_in(&app, "owner@alfa.test", NEW_PASSWORD).await;
    assert_eq!(still_new.location(), Some("/admin"), "nothing changed");
    assert_eq!(
        again
            .get("/admin/password/reset/0123456789abcdef")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let history = anyone.get("/admin").await;
    assert!(
        history
            .body
            .contains("Se le envió por correo un enlace para restablecer la contraseña"),
        "the mailing is audited"
    );
    assert!(history.body.contains("Cambió la contraseña de un usuario"));
}

async fn a_reset_link_expires_and_asking_again_voids_the_older_one(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let anyone = app.browser("alfa.localhost:8080");
    assert_eq!(
        ask_reset(&anyone, "owner@alfa.test").await.status,
        StatusCode::OK
    );
    assert_eq!(
        ask_reset(&anyone, "owner@alfa.test").await.status,
        StatusCode::OK
    );
    let sent = mails(app.mail_dir.path(), 2).await;
    let (first, second) = (
        reset_link(&Mail::parse(&sent[0])),
        reset_link(&Mail::parse(&sent[1])),
    );
    assert_ne!(first, second);
    assert_eq!(anyone.get(&first).await.status, StatusCode::NOT_FOUND);
    assert_eq!(anyone.get(&second).await.status, StatusCode::OK);

    // A link past its hour is no longer valid.
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let owner = tx
        .staff()
        .find_by_email(&Email::parse("owner@alfa.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    let expired = tx
        .staff_reset_tokens()
        .create(owner.id, chrono::Duration::seconds(-1))
        .await
        .unwrap()
        .expect("a token for an active user");
    tx.commit().await.unwrap();
    let path = format!("/admin/password/reset/{expired}");
    assert_eq!(anyone.get(&path).await.status, StatusCode::NOT_FOUND);
    let page = anyone.get("/admin/sign-in").await;
    let refused = post_password(&anyone, &path, &page.csrf(), NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let (_, unchanged) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(unchanged.location(), Some("/admin"));
}

async fn asking_for_reset_links_is_throttled_per_address(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let anyone = app.browser("alfa.localhost:8080");
    for _ in 0..5 {
        assert_eq!(
            ask_reset(&anyone, "owner@alfa.test").await.status,
            StatusCode::OK
        );
    }
    mails(app.mail_dir.path(), 5).await;
    let throttled = ask_reset(&anyone, "OWNER@alfa.test").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers.contains_key("retry-after"));
    assert!(
        throttled.body.contains(
            "Ya pidió varios enlaces para este correo. Vuelva a intentarlo en 15 minutos."
        ),
        "{}",
        throttled.body
    );
    assert_eq!(
        settled_mail_count(app.mail_dir.path()).await,
        5,
        "a throttled request mails nothing"
    );
    // An address nobody has is throttled alike.
    for _ in 0..5 {
        assert_eq!(
            ask_reset(&anyone, "nadie@alfa.test").await.status,
            StatusCode::OK
        );
    }
    assert_eq!(
        ask_reset(&anyone, "nadie@alfa.test").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The password is throttled on its own: the owner still signs in.
    let (_, signed) = sign_in(&app, "owner@alfa.test", PASSWORD).await;
    assert_eq!(signed.location(), Some("/admin"));
}

async fn a_one_time_password_must_be_replaced_before_anything_else(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let added = owner
        .submit(
            "/admin/staff",
            "/admin/staff",
            &[
                ("name", "Carla Gómez"),
                ("email", "carla@alfa.test"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(added.location(), Some("/admin/staff"));
    let list = owner.get("/admin/staff").await;
    let one_time = list
        .body
        .split("<code id=\"new-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the one-time password is shown once")
        .to_owned();
    assert!(list.body.contains("Sirve una sola vez"));

    let (carla, signed) = sign_in(&app, "carla@alfa.test", &one_time).await;
    assert_eq!(signed.location(), Some("/admin/password"));
    for page in [
        "/admin",
        "/admin/contacts",
        "/admin/staff",
        "/admin/profile",
    ] {
        assert_eq!(
            carla.get(page).await.location(),
            Some("/admin/password"),
            "{page} waits for a password of her own"
        );
    }
    let form = carla.get("/admin/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Elija su contraseña"));
    // The same session calling the admin API, as the back office's scripts do.
    let script = app
        .browser("alfa.localhost:8080")
        .with_header("X-CSRF-Token", &form.csrf());
    let cookie = carla.cookie("portico_session").expect("a session cookie");
    script.set_cookie("portico_session", &cookie);
    let api = script.json(Method::GET, "/api/v1/contacts", None).await;
    assert_eq!(
        api.status,
        StatusCode::UNAUTHORIZED,
        "the API refuses her session too"
    );
    let same = set_password(&carla, "/admin/password", &one_time).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        same.body
            .contains("Elija una contraseña distinta de la de un solo uso.")
    );
    let weak = set_password(&carla, "/admin/password", "corta").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);

    let chosen = set_password(&carla, "/admin/password", NEW_PASSWORD).await;
    assert_eq!(chosen.location(), Some("/admin"), "{}", chosen.body);
    assert_eq!(carla.get("/admin/contacts").await.status, StatusCode::OK);
    assert_eq!(carla.get("/admin/staff").await.status, StatusCode::OK);
    assert_eq!(
        carla.get("/admin/password").await.location(),
        Some("/admin"),
        "nothing left to choose"
    );
    let (_, with_one_time) = sign_in(&app, "carla@alfa.test", &one_time).await;
    assert_eq!(with_one_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, with_own) = sign_in(&app, "carla@alfa.test", NEW_PASSWORD).await;
    assert_eq!(with_own.location(), Some("/admin"));

    // An admin's password reset gives a one-time password again.
    let list = owner.get("/admin/staff").await;
    let carla_id = list
        .body
        .split("action=\"/admin/staff/")
        .filter_map(|r| r.split('"').next())
        .find_map(|r| r.strip_suffix("/password"))
        .expect("carla's row offers a one-time password")
        .to_owned();
    let given = owner
        .post(
            &format!("/admin/staff/{carla_id}/password"),
            &[("_csrf", &list.csrf())],
        )
        .await;
    assert_eq!(given.location(), Some("/admin/staff"));
    let shown = owner.get("/admin/staff").await;
    assert!(shown.body.contains("Contraseña de un solo uso nueva para"));
    let again = shown
        .body
        .split("<code id=\"new-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the new one-time password is shown once")
        .to_owned();
    assert_eq!(
        carla.get("/admin").await.location(),
        Some("/admin/sign-in"),
        "her sessions ended"
    );
    let (_, with_own) = sign_in(&app, "carla@alfa.test", NEW_PASSWORD).await;
    assert_eq!(with_own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, with_given) = sign_in(&app, "carla@alfa.test", &again).await;
    assert_eq!(with_given.location(), Some("/admin/password"));
}

backend_tests!(
    a_staff_user_changes_its_password_and_its_other_sessions_end,
    a_staff_user_keeps_its_language_for_its_pages_and_mail,
    a_forgotten_password_is_reset_once_through_a_mailed_link,
    a_reset_link_expires_and_asking_again_voids_the_older_one,
    asking_for_reset_links_is_throttled_per_address,
    a_one_time_password_must_be_replaced_before_anything_else,
);
