//! The admin JSON API (`/api/v1`): API keys and the staff session, the directory's
//! operations, problem JSON for every error, roles, and isolation between companies.

use poem::http::{Method, StatusCode};
use portico_domain::StaffRole;
use portico_tests::builders::{SYSTEM, api_client, api_key};
use portico_tests::{TestApp, TestDb, backend_tests};
use serde_json::json;

async fn an_api_key_manages_customers_and_their_contacts(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let key = api_key(&app, &alfa, StaffRole::Admin).await;
    let api = api_client(&app, "alfa", &key);

    let empty = api.get("/api/v1/customers").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.json()["items"], json!([]));

    let created = api
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-001", "name": "Farmacia Carol", "country": "do" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let customer = created.json();
    assert_eq!(customer["country"], "DO");
    let id = customer["id"].as_str().unwrap().to_owned();

    let contact = api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{id}/contacts"),
            Some(json!({ "first_name": "Rosa", "email": "Rosa@Carol.do", "link_position": "Compras", "is_primary": true })),
        )
        .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.body);
    let rosa = contact.json();
    assert_eq!(rosa["email"], "rosa@carol.do");
    assert_eq!(rosa["links"][0]["account_id"], id.as_str());
    assert_eq!(rosa["links"][0]["is_primary"], true);
    let rosa_id = rosa["id"].as_str().unwrap().to_owned();

    // One person, one contact: the duplicate names the existing contact.
    let dup = api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{id}/contacts"),
            Some(json!({ "email": "ROSA@carol.do" })),
        )
        .await;
    let dup = dup.problem(StatusCode::CONFLICT);
    assert_eq!(dup["existing_contact_id"], rosa_id.as_str());

    // Every invalid field at once, in the caller's language.
    let bad = api_client(&app, "alfa", &key)
        .with_header("accept-language", "en")
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana", "email": "no-at", "mobile": "abc", "x_url": "https://facebook.com/ana" })),
        )
        .await;
    let bad = bad.problem(StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "mobile", "x_url"]);
    assert_eq!(
        bad["errors"][0]["message"],
        "Enter a valid email address, like name@company.com."
    );

    let found = api.get("/api/v1/contacts?q=carol").await.json();
    assert_eq!(
        found["items"].as_array().unwrap().len(),
        1,
        "found by the account's name"
    );
    let replaced = api
        .json(
            Method::PUT,
            &format!("/api/v1/contacts/{rosa_id}"),
            Some(json!({
                "first_name": "Rosa", "email": "rosa@carol.do", "phone": "809 555 0100",
                "important_dates": [{ "label": "Cumpleaños", "date": "1985-04-12" }]
            })),
        )
        .await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    assert_eq!(
        replaced.json()["important_dates"],
        json!([{ "label": "Cumpleaños", "date": "1985-04-12" }])
    );
    // A bearer header does not lift CSRF outside the API.
    let forged = app
        .signed_in("alfa", "owner@alfa.test")
        .await
        .with_header("authorization", "Bearer anything")
        .post("/admin/contacts", &[("first_name", "Forjado")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let history = (api
        .get(&format!("/api/v1/contacts/{rosa_id}/history"))
        .await)
        .json();
    assert_eq!(history[0]["action"], "contact.update");
    assert_eq!(history[0]["actor_kind"], "api_key");
    assert_eq!(history[0]["changes"]["phone"]["after"], "809 555 0100");

    let gone = api
        .json(Method::DELETE, &format!("/api/v1/contacts/{rosa_id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    (api.get(&format!("/api/v1/contacts/{rosa_id}")).await).problem(StatusCode::NOT_FOUND);
    let with_branches = api
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-002", "name": "Nacional", "branches_enabled": true })),
        )
        .await;
    let nacional = with_branches.json()["id"].as_str().unwrap().to_owned();
    let branch = api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{nacional}/branches"),
            Some(json!({ "code": "SUC-BV", "name": "Sucursal Bella Vista" })),
        )
        .await;
    assert_eq!(branch.status, StatusCode::CREATED, "{}", branch.body);
    let branch_id = branch.json()["id"].as_str().unwrap().to_owned();
    let archived = api
        .json(
            Method::PUT,
            &format!("/api/v1/customers/{nacional}/branches/{branch_id}"),
            Some(json!({ "code": "SUC-BV", "name": "Bella Vista", "active": false })),
        )
        .await;
    assert_eq!(archived.json()["active"], false, "{}", archived.body);
    let wrong_parent = api
        .json(
            Method::PUT,
            &format!("/api/v1/customers/{id}/branches/{branch_id}"),
            Some(json!({ "code": "SUC-BV", "name": "X" })),
        )
        .await;
    wrong_parent.problem(StatusCode::NOT_FOUND);
    let missing = api.get(&format!("/api/v1/suppliers/{id}")).await;
    missing.problem(StatusCode::NOT_FOUND);
    let malformed = api
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "name": 3 })),
        )
        .await;
    malformed.problem(StatusCode::BAD_REQUEST);
}

async fn without_a_valid_key_or_role_nothing_is_read_or_written(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let alfa_key = api_key(&app, &alfa, StaffRole::Admin).await;
    let beta_key = api_key(&app, &beta, StaffRole::Admin).await;
    let reader_key = api_key(&app, &alfa, StaffRole::ReadOnly).await;
    let created = api_client(&app, "alfa", &alfa_key)
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-1", "name": "Secreto" })),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();

    for page in [
        app.browser("alfa.localhost:8080")
            .get("/api/v1/customers")
            .await,
        api_client(&app, "alfa", "pk_not-a-key")
            .get("/api/v1/customers")
            .await,
        api_client(&app, "alfa", &beta_key)
            .get("/api/v1/customers")
            .await,
    ] {
        page.problem(StatusCode::UNAUTHORIZED);
    }
    let added = api_client(&app, "alfa", &alfa_key)
        .json(
            Method::POST,
            &format!("/api/v1/customers/{id}/contacts"),
            Some(json!({ "first_name": "Confidencial" })),
        )
        .await;
    let added = added.json();
    let contact = added["id"].as_str().unwrap().to_owned();
    let link = added["links"][0]["id"].as_str().unwrap().to_owned();

    let beta = api_client(&app, "beta", &beta_key);
    (beta.get(&format!("/api/v1/customers/{id}")).await).problem(StatusCode::NOT_FOUND);
    let replace = json!({ "first_name": "Robado", "code": "X", "name": "X" });
    for (method, path) in [
        (Method::GET, format!("/api/v1/contacts/{contact}")),
        (Method::PUT, format!("/api/v1/contacts/{contact}")),
        (Method::DELETE, format!("/api/v1/contacts/{contact}")),
        (Method::GET, format!("/api/v1/contacts/{contact}/history")),
        (Method::POST, format!("/api/v1/contacts/{contact}/archive")),
        (Method::PUT, format!("/api/v1/links/{link}")),
        (Method::DELETE, format!("/api/v1/links/{link}")),
        (Method::GET, format!("/api/v1/customers/{id}/branches")),
        (Method::GET, format!("/api/v1/customers/{id}/history")),
        (Method::POST, format!("/api/v1/customers/{id}/archive")),
        (Method::POST, format!("/api/v1/customers/{id}/contacts")),
    ] {
        let with_body = matches!(method, Method::PUT | Method::POST).then(|| replace.clone());
        let page = beta.json(method.clone(), &path, with_body).await;
        page.problem(StatusCode::NOT_FOUND);
    }
    let still = (api_client(&app, "alfa", &alfa_key)
        .get(&format!("/api/v1/contacts/{contact}"))
        .await)
        .json();
    assert_eq!(still["first_name"], "Confidencial");
    assert_eq!(
        still["links"][0]["id"],
        link.as_str(),
        "alfa's link is untouched"
    );
    let robbed = beta
        .json(
            Method::PUT,
            &format!("/api/v1/customers/{id}"),
            Some(json!({ "code": "X", "name": "Robado" })),
        )
        .await;
    robbed.problem(StatusCode::NOT_FOUND);
    let list = beta.get("/api/v1/customers?q=secreto").await.json();
    assert_eq!(list["items"], json!([]));

    let reader = api_client(&app, "alfa", &reader_key);
    assert_eq!(reader.get("/api/v1/customers").await.status, StatusCode::OK);
    let write = reader
        .json(
            Method::POST,
            "/api/v1/customers",
            Some(json!({ "code": "C-2", "name": "X" })),
        )
        .await;
    write.problem(StatusCode::FORBIDDEN);

    // A revoked key stops working at once.
    let mut tx = app.db.db.tenant_tx(&alfa).await.unwrap();
    let keys = tx.api_keys().list(10).await.unwrap();
    for k in keys {
        tx.api_keys().revoke(k.id, SYSTEM).await.unwrap();
    }
    tx.commit().await.unwrap();
    (api_client(&app, "alfa", &alfa_key)
        .get("/api/v1/customers")
        .await)
        .problem(StatusCode::UNAUTHORIZED);
}

async fn the_back_office_session_calls_the_api_with_its_csrf_token(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let token = owner.get("/admin/contacts").await.csrf();
    (owner.get("/api/v1/contacts").await).problem(StatusCode::UNAUTHORIZED);
    let with_token = owner.with_header("x-csrf-token", &token);
    assert_eq!(
        with_token.get("/api/v1/contacts").await.status,
        StatusCode::OK
    );
    let created = with_token
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Ana" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let history = (with_token
        .get(&format!(
            "/api/v1/contacts/{}/history",
            created.json()["id"].as_str().unwrap()
        ))
        .await)
        .json();
    assert_eq!(history[0]["actor_name"], "Dueña de alfa");
}

async fn the_spec_and_docs_are_served(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let site = app.browser("alfa.localhost:8080");
    let spec = site.get("/api/v1/openapi.json").await.json();
    for path in [
        "/customers/{id}/contacts",
        "/suppliers/{id}/contacts",
        "/contacts",
        "/contacts/{id}/links",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} in the spec");
    }
    assert!(
        spec["components"]["securitySchemes"]
            .as_object()
            .unwrap()
            .len()
            >= 2
    );
    let docs = site.get("/api/v1/docs").await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(
        docs.headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("'unsafe-inline'")
    );
    let page = site.get("/admin/sign-in").await;
    assert!(
        !page
            .headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("unsafe-inline")
    );
}

async fn admins_create_and_revoke_keys_on_a_page(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.staff(&alfa, "ventas@alfa.test", StaffRole::Sales).await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let created = owner
        .submit(
            "/admin/api-keys",
            "/admin/api-keys",
            &[("name", "ERP"), ("role", "read_only")],
        )
        .await;
    assert_eq!(
        created.location(),
        Some("/admin/api-keys"),
        "post, then redirect"
    );
    let created = owner.get("/admin/api-keys").await;
    let key = created
        .body
        .split("<code id=\"new-key\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the key is shown once")
        .to_owned();
    let caller = api_client(&app, "alfa", &key);
    assert_eq!(caller.get("/api/v1/contacts").await.status, StatusCode::OK);
    let again = owner.get("/admin/api-keys").await;
    assert!(!again.body.contains(&key), "never shown again");
    let revoke = again
        .body
        .split("action=\"/admin/api-keys/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let revoked = owner
        .post(
            &format!("/admin/api-keys/{revoke}"),
            &[("_csrf", &again.csrf())],
        )
        .await;
    assert_eq!(revoked.location(), Some("/admin/api-keys"));
    (caller.get("/api/v1/contacts").await).problem(StatusCode::UNAUTHORIZED);

    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    assert_eq!(
        sales.get("/admin/api-keys").await.status,
        StatusCode::FORBIDDEN
    );
}

backend_tests!(
    admins_create_and_revoke_keys_on_a_page,
    an_api_key_manages_customers_and_their_contacts,
    without_a_valid_key_or_role_nothing_is_read_or_written,
    the_back_office_session_calls_the_api_with_its_csrf_token,
    the_spec_and_docs_are_served,
);
