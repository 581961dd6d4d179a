//! The served apps end to end, in process, on both backends (the PostgreSQL
//! suite keeps sessions and throttles in Redis): tenant resolution, staff and
//! operator sign-in, sessions, CSRF, languages, errors and health.

use poem::http::StatusCode;
use portico_tests::admin_forms::staff_sign_in as sign_in;
use portico_tests::{PASSWORD, TestApp, TestDb, backend_tests};

const DEMO_HOST: &str = "alfa.localhost:8080";

async fn an_unknown_or_suspended_company_gets_a_translated_not_found_page(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;

    let unknown = app.browser("nadie.localhost:8080").get("/admin").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.body.contains("Empresa no encontrada"),
        "{}",
        unknown.body
    );

    let english = app
        .browser("nadie.localhost:8080")
        .with_header("accept-language", "en-US,en;q=0.9")
        .get("/")
        .await;
    assert!(english.body.contains("Company not found"));

    let foreign_host = app.browser("evil.example").get("/admin").await;
    assert_eq!(foreign_host.status, StatusCode::NOT_FOUND);

    let mut tx = app.db.db.operator_tx().await.unwrap();
    let slug = portico_domain::Slug::parse("alfa").unwrap();
    tx.set_tenant_status(&slug, portico_data::TenantStatus::Suspended)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.tenants.forget(&slug).await;
    let suspended = app.browser(DEMO_HOST).get("/admin/sign-in").await;
    assert_eq!(suspended.status, StatusCode::NOT_FOUND);
    assert!(suspended.body.contains("Empresa no encontrada"));
}

async fn staff_sign_in_rotates_the_session_and_opens_the_back_office(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser(DEMO_HOST);

    let home = browser.get("/admin").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), Some("/admin/sign-in"));

    browser.get("/admin/sign-in").await;
    let anonymous_session = browser
        .cookie("portico_session")
        .expect("a session cookie for the form");
    let set_cookie = home
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );

    let signed_in = sign_in(&browser, "OWNER@alfa.test", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), Some("/admin"));
    let new_session = browser.cookie("portico_session").unwrap();
    assert_ne!(
        new_session, anonymous_session,
        "the session id must change at sign-in"
    );

    let home = browser.get("/admin").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.body.contains("Bienvenido, Dueña de alfa."),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("Inició sesión"),
        "the sign-in is in the recent activity"
    );
    let staff = browser.get("/admin/staff").await;
    assert!(staff.body.contains("owner@alfa.test"));

    // On the PostgreSQL suite sessions live in Redis, under hashed keys.
    if let Some(redis) = &app.redis {
        let keys: Vec<String> = redis
            .query(redis::cmd("KEYS").arg(redis.key("session", "*")))
            .await
            .unwrap();
        assert_eq!(keys.len(), 1, "one live session in Redis: {keys:?}");
        assert!(
            !keys[0].contains(&new_session),
            "the session id is not stored in clear"
        );
    }

    // The pre-sign-in session id is worthless now.
    let replay = app.browser(DEMO_HOST);
    replay.set_cookie("portico_session", &anonymous_session);
    assert_eq!(replay.get("/admin").await.status, StatusCode::SEE_OTHER);
}

async fn a_wrong_password_is_refused_and_repeated_failures_lock_the_account(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser(DEMO_HOST);

    let wrong = sign_in(&browser, "owner@alfa.test", "not the password").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Correo o contraseña incorrectos."));
    assert!(
        wrong.body.contains("value=\"owner@alfa.test\""),
        "the typed email is kept"
    );
    assert_eq!(browser.get("/admin").await.status, StatusCode::SEE_OTHER);

    let unknown = sign_in(&browser, "nadie@alfa.test", PASSWORD).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown account looks like a wrong password"
    );

    let invalid = sign_in(&browser, "no-es-un-correo", PASSWORD).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        invalid
            .body
            .contains("Escriba un correo electrónico válido.")
    );

    for _ in 0..4 {
        sign_in(&browser, "owner@alfa.test", "not the password").await;
    }
    let locked = sign_in(&browser, "owner@alfa.test", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.body.contains("Demasiados intentos fallidos"));
    assert!(locked.headers.contains_key("retry-after"));
    assert_eq!(
        browser.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "still signed out"
    );
}

async fn a_form_without_the_right_csrf_token_is_rejected(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser(DEMO_HOST);
    browser.get("/admin/sign-in").await;

    let missing = browser
        .post(
            "/admin/sign-in",
            &[("email", "owner@alfa.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.body.contains("El formulario caducó"));

    let forged = browser
        .post(
            "/admin/sign-in",
            &[
                ("_csrf", "forged"),
                ("email", "owner@alfa.test"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "nothing signed in"
    );

    let signed_in = sign_in(&browser, "owner@alfa.test", PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let sign_out_without_token = browser.post("/admin/sign-out", &[]).await;
    assert_eq!(sign_out_without_token.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/admin").await.status,
        StatusCode::OK,
        "still signed in"
    );
}

async fn sign_out_ends_the_session(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser(DEMO_HOST);
    sign_in(&browser, "owner@alfa.test", PASSWORD).await;
    let session = browser.cookie("portico_session").unwrap();

    let out = browser.submit("/admin", "/admin/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let page = browser.get(out.location().unwrap()).await;
    assert!(page.body.contains("Cerró su sesión."));
    assert_eq!(browser.get("/admin").await.status, StatusCode::SEE_OTHER);

    let replay = app.browser(DEMO_HOST);
    replay.set_cookie("portico_session", &session);
    assert_eq!(
        replay.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "the old session id is dead"
    );
}

async fn a_session_or_account_of_one_company_opens_nothing_in_another(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    app.company("beta").await;
    let alfa = app.browser(DEMO_HOST);
    sign_in(&alfa, "owner@alfa.test", PASSWORD).await;

    let beta = app.browser("beta.localhost:8080");
    beta.set_cookie("portico_session", &alfa.cookie("portico_session").unwrap());
    let home = beta.get("/admin").await;
    assert_eq!(
        home.status,
        StatusCode::SEE_OTHER,
        "alfa's session must not open beta's back office"
    );

    let beta = app.browser("beta.localhost:8080");
    let refused = sign_in(&beta, "owner@alfa.test", PASSWORD).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "alfa's owner is not a beta user"
    );

    let platform = app.browser("localhost:8080");
    platform.set_cookie("portico_session", &alfa.cookie("portico_session").unwrap());
    let console = platform.get("/").await;
    assert_eq!(
        console.location(),
        Some("/sign-in"),
        "staff sessions do not open the operator console"
    );
}

async fn the_language_follows_the_choice_then_the_browser_then_spanish(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;

    let spanish = app.browser(DEMO_HOST).get("/admin/sign-in").await;
    assert!(spanish.body.contains("<html lang=\"es\">") && spanish.body.contains("Contraseña"));

    let browser = app
        .browser(DEMO_HOST)
        .with_header("accept-language", "en-GB,en;q=0.8");
    let english = browser.get("/admin/sign-in").await;
    assert!(english.body.contains("<html lang=\"en\">") && english.body.contains("Password"));

    let switched = browser
        .submit(
            "/admin/sign-in",
            "/lang",
            &[("lang", "es"), ("next", "/admin/sign-in")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location(), Some("/admin/sign-in"));
    let chosen = browser.get("/admin/sign-in").await;
    assert!(
        chosen.body.contains("Contraseña"),
        "the choice beats Accept-Language"
    );

    let offsite = browser
        .submit(
            "/admin/sign-in",
            "/lang",
            &[("lang", "en"), ("next", "//evil.example/")],
        )
        .await;
    assert_eq!(offsite.location(), Some("/"), "no open redirect");
}

async fn errors_are_problem_json_for_apis_and_pages_carry_security_headers(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let browser = app.browser(DEMO_HOST).with_header("accept-language", "en");

    let problem = browser.get("/api/v1/nothing").await;
    assert_eq!(problem.status, StatusCode::NOT_FOUND);
    assert_eq!(
        problem.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    let json: serde_json::Value = serde_json::from_str(&problem.body).unwrap();
    assert_eq!(json["status"], 404);
    assert_eq!(json["title"], "Page not found");
    assert_eq!(json["instance"], "/api/v1/nothing");
    assert!(json["request_id"].as_str().is_some_and(|id| !id.is_empty()));

    let page = browser.get("/admin/sign-in").await;
    for header in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
        "x-request-id",
    ] {
        assert!(page.headers.contains_key(header), "missing {header}");
    }
    assert_eq!(page.headers.get("x-frame-options").unwrap(), "DENY");

    let portal = browser.get("/portal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.body.contains("Customer Portal") && portal.body.contains("Empresa alfa"));
    let supplier = browser.get("/supplier").await;
    assert!(supplier.body.contains("Supplier Portal"));
}

async fn health_readiness_and_metrics_answer(db: TestDb) {
    let app = TestApp::new(db).await;
    let browser = app.browser("localhost:8080");
    let health = browser.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let ready = browser.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let ready: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(ready["database"], "ok");
    let expected_redis = if app.redis.is_some() {
        "ok"
    } else {
        "not configured"
    };
    assert_eq!(ready["redis"], expected_redis);
    let metrics = browser.get("/metrics").await;
    assert!(
        metrics.body.contains("http_request_duration_seconds"),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("route=\"/readyz\""));
}

async fn an_operator_signs_in_lists_companies_and_suspends_one(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    app.company("beta").await;
    app.operator().await;
    let console = app.browser("localhost:8080");

    assert_eq!(console.get("/").await.location(), Some("/sign-in"));
    let wrong = console
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", "ops@portico.test"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = console
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", "ops@portico.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(ok.location(), Some("/"));
    let list = console.get("/").await;
    assert!(
        list.body.contains("Empresa alfa") && list.body.contains("Empresa beta"),
        "{}",
        list.body
    );
    assert!(list.body.contains("http://alfa.localhost:8080/"));

    let suspended = console.submit("/", "/tenants/alfa/suspend", &[]).await;
    assert_eq!(suspended.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.browser(DEMO_HOST).get("/admin/sign-in").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser("beta.localhost:8080")
            .get("/admin/sign-in")
            .await
            .status,
        StatusCode::OK
    );
    let missing = console.submit("/", "/tenants/nadie/suspend", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    console.submit("/", "/tenants/alfa/reactivate", &[]).await;
    assert_eq!(
        app.browser(DEMO_HOST).get("/admin/sign-in").await.status,
        StatusCode::OK
    );
    let alfa = app.browser(DEMO_HOST);
    sign_in(&alfa, "owner@alfa.test", PASSWORD).await;
    let home = alfa.get("/admin").await;
    assert!(
        home.body.contains("Se reactivó la empresa")
            && home.body.contains("Se suspendió la empresa"),
        "audited in the company's log"
    );
}

async fn the_staff_list_pages_by_keyset_and_shows_only_this_companys_users(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.company("beta").await;
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    for i in 0..60 {
        // Names repeat in pairs: the id breaks ties, so no row is skipped or shown twice.
        tx.staff()
            .create(&portico_data::NewStaffUser {
                email: portico_domain::Email::parse(&format!("usuario{i:02}@alfa.test")).unwrap(),
                name: format!("Usuario {:02}", i % 30),
                role: portico_domain::StaffRole::Sales,
                password_hash: None,
                one_time_password: false,
                locale: None,
            })
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let browser = app.browser(DEMO_HOST);
    sign_in(&browser, "owner@alfa.test", PASSWORD).await;

    let emails_on = |page: &portico_tests::Page| -> Vec<String> {
        page.body
            .split("<tr>")
            .skip(2)
            .filter_map(|row| row.split("<td>").nth(2))
            .map(|cell| cell.split("</td>").next().unwrap_or_default().to_owned())
            .collect()
    };
    let first = browser.get("/admin/staff").await;
    assert_eq!(first.status, StatusCode::OK);
    let mut seen = emails_on(&first);
    assert_eq!(seen.len(), 50);
    assert_eq!(
        seen[0], "owner@alfa.test",
        "sorted by name: Dueña before Usuario"
    );
    let next = first
        .body
        .split("rel=\"next\"")
        .next()
        .unwrap()
        .rsplit("href=\"")
        .next()
        .unwrap()
        .to_owned();
    let next = next.split('"').next().unwrap().replace("&amp;", "&");
    assert!(next.starts_with("/admin/staff?after_name="), "{next}");
    let second = browser.get(&next).await;
    let rest = emails_on(&second);
    assert_eq!(rest.len(), 11);
    assert!(
        !second.body.contains("rel=\"next\""),
        "the last page has no next link"
    );
    seen.extend(rest);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 61, "every user exactly once");
    assert!(
        seen.iter().all(|e| e.ends_with("@alfa.test")),
        "no other company's users"
    );

    let bad_cursor = browser
        .get("/admin/staff?after_name=x&after_id=not-a-uuid")
        .await;
    assert_eq!(bad_cursor.status, StatusCode::BAD_REQUEST);
}

async fn an_operator_creates_a_company_whose_owner_can_sign_in(db: TestDb) {
    let app = TestApp::new(db).await;
    app.operator().await;
    let console = app.browser("localhost:8080");
    console
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", "ops@portico.test"), ("password", PASSWORD)],
        )
        .await;
    let form = console.get("/tenants/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Nueva empresa") && form.body.contains(".localhost"));

    let invalid = console
        .submit(
            "/tenants/new",
            "/tenants",
            &[
                ("name", " "),
                ("slug", "Mi Empresa"),
                ("locale", "es"),
                ("currency", "pesos"),
                ("max_contacts", "-3"),
                ("owner_name", "Ana"),
                ("owner_email", "ana@"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Este campo es obligatorio.",
        "Use de 2 a 40 letras minúsculas",
        "Elija una moneda de la lista.",
        "Escriba un número entero mayor que cero",
        "Escriba un correo electrónico válido.",
    ] {
        assert!(invalid.body.contains(message), "missing {message:?}");
    }
    assert!(
        invalid.body.contains("value=\"Mi Empresa\""),
        "typed values come back"
    );
    let reserved = console
        .submit(
            "/tenants/new",
            "/tenants",
            &[
                ("name", "X"),
                ("slug", "admin"),
                ("currency", "DOP"),
                ("owner_name", "Ana"),
                ("owner_email", "ana@x.do"),
            ],
        )
        .await;
    assert!(reserved.body.contains("Ese subdominio está reservado"));
    let mut tx = app.db.db.platform_tx().await.unwrap();
    assert!(
        tx.list_tenants().await.unwrap().is_empty(),
        "nothing was written"
    );
    drop(tx);

    let fields = [
        ("name", "Ferretería Bogotá S.A.S."),
        ("slug", "ferreteria"),
        ("locale", "es"),
        ("currency", "cop"),
        ("max_contacts", "5000"),
        ("owner_name", "Camilo Andrés Ruiz Díaz"),
        ("owner_email", "Camilo@Ferreteria.co"),
    ];
    let created = console.submit("/tenants/new", "/tenants", &fields).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(
        created
            .body
            .contains("http://ferreteria.localhost:8080/admin")
    );
    let password = created
        .body
        .split("<code id=\"owner-password\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    assert_eq!(password.len(), 20);

    let owner = app.browser("ferreteria.localhost:8080");
    let signed_in = sign_in(&owner, "camilo@ferreteria.co", password).await;
    assert_eq!(
        signed_in.location(),
        Some("/admin/password"),
        "the new owner signs in with the one-time password, then must replace it"
    );
    let chosen = owner
        .submit(
            "/admin/password",
            "/admin/password",
            &[
                ("password", "mi clave de ferretería"),
                ("password_confirmation", "mi clave de ferretería"),
            ],
        )
        .await;
    assert_eq!(chosen.location(), Some("/admin"), "{}", chosen.body);
    let home = owner.get("/admin").await;
    assert!(home.body.contains("Se creó la empresa") && home.body.contains("COP"));

    let again = console.submit("/tenants/new", "/tenants", &fields).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Ese subdominio ya está en uso"));
}

async fn operator_sign_in(
    console: &portico_tests::Browser<'_>,
    password: &str,
) -> portico_tests::Page {
    console
        .submit(
            "/sign-in",
            "/sign-in",
            &[("email", "ops@portico.test"), ("password", password)],
        )
        .await
}

async fn an_operator_lockout_answers_with_retry_after(db: TestDb) {
    let app = TestApp::new(db).await;
    app.operator().await;
    let console = app.browser("localhost:8080");
    for _ in 0..5 {
        let wrong = operator_sign_in(&console, "nope").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("Correo o contraseña incorrectos."));
    }
    let locked = operator_sign_in(&console, PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(locked.body.contains("Demasiados intentos fallidos"));
    let retry: u64 = locked
        .headers
        .get("retry-after")
        .expect("the lockout says when to retry")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    assert_eq!(
        console.get("/").await.location(),
        Some("/sign-in"),
        "still signed out"
    );
}

backend_tests!(
    an_operator_lockout_answers_with_retry_after,
    an_operator_creates_a_company_whose_owner_can_sign_in,
    the_staff_list_pages_by_keyset_and_shows_only_this_companys_users,
    an_unknown_or_suspended_company_gets_a_translated_not_found_page,
    staff_sign_in_rotates_the_session_and_opens_the_back_office,
    a_wrong_password_is_refused_and_repeated_failures_lock_the_account,
    a_form_without_the_right_csrf_token_is_rejected,
    sign_out_ends_the_session,
    a_session_or_account_of_one_company_opens_nothing_in_another,
    the_language_follows_the_choice_then_the_browser_then_spanish,
    errors_are_problem_json_for_apis_and_pages_carry_security_headers,
    health_readiness_and_metrics_answer,
    an_operator_signs_in_lists_companies_and_suspends_one,
);
