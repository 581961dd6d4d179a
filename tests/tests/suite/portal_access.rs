//! A contact's portal access in the back office: access on and off, the grant
//! matrix per link (roles, individual permissions, branches), the explainer,
//! "view as contact", roles and isolation; and a revoked grant reaching a second
//! instance through Redis within a second.

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use portico_data::ContactId;
use portico_domain::{Permission, Portal, StaffRole};
use portico_tests::builders::{Company, api_client, api_key, portal_sign_in};
use portico_tests::{Browser, PASSWORD, Page, TestApp, TestBackend, TestDb, backend_tests};

/// The values of the inputs named `name` in a page, each with the text of its label.
fn options(page: &Page, name: &str) -> Vec<(String, String)> {
    let marker = format!("name=\"{name}\" value=\"");
    page.body
        .split(&marker)
        .skip(1)
        .filter_map(|rest| {
            let value = rest.split('"').next()?.to_owned();
            let label = rest
                .split("\">")
                .nth(1)?
                .split('<')
                .next()?
                .trim()
                .to_owned();
            Some((value, label))
        })
        .collect()
}

fn value_of(page: &Page, name: &str, label_starts: &str) -> String {
    options(page, name)
        .into_iter()
        .find(|(_, label)| label.starts_with(label_starts))
        .unwrap_or_else(|| panic!("no {name} labelled {label_starts}: {}", page.body))
        .0
}

/// The link ids on an access page, in order.
fn link_ids(page: &Page) -> Vec<String> {
    page.body
        .split("action=\"/admin/links/")
        .skip(1)
        .filter_map(|r| r.split('/').next())
        .map(str::to_owned)
        .collect()
}

struct Setup {
    contact: String,
}

/// A customer with branches Norte and Sur, a supplier, and Ana linked to both.
async fn setup(owner: &Browser<'_>) -> Setup {
    owner
        .create_customer_with_branches("C-001", "Farmacia Carol", &[("N", "Norte"), ("S", "Sur")])
        .await;
    owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;
    owner.create_ana().await;
    let contact = owner.find_contact("ana").await;
    for (kind, code) in [("customer", "C-001"), ("supplier", "P-001")] {
        owner
            .link_contact(&format!("/admin/contacts/{contact}"), kind, code)
            .await;
    }
    Setup { contact }
}

async fn access(owner: &Browser<'_>, contact: &str) -> Page {
    let page = owner
        .get(&format!("/admin/contacts/{contact}/access"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page
}

async fn staff_set_access_and_the_engine_follows(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let Setup { contact } = setup(&owner).await;
    let page = access(&owner, &contact).await;
    assert!(page.body.contains("Sin acceso"));
    let links = link_ids(&page);
    assert_eq!(links.len(), 2, "{}", page.body);
    let (customer_link, supplier_link) = (&links[0], &links[1]);

    // Access on for the customer portal.
    let on = owner
        .post(
            &format!("/admin/contacts/{contact}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER, "{}", on.body);
    let page = access(&owner, &contact).await;
    assert!(page.body.contains("Invitado"), "{}", page.body);

    // The matrix: the Buyer role, authorizing orders individually, only Norte.
    let buyer = value_of(&page, "role", "Comprador");
    let norte = value_of(&page, "branch", "N · Norte");
    let saved = owner
        .post(
            &format!("/admin/links/{customer_link}/access"),
            &[
                ("_csrf", &page.csrf()),
                ("role", &buyer),
                ("permission", "orders.authorize"),
                ("branches", "chosen"),
                ("branch", &norte),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The engine, through the same policies the portals use.
    let policy = app
        .state
        .policies
        .policy(&tenant, contact.parse::<ContactId>().unwrap())
        .await
        .unwrap()
        .unwrap();
    let carol = policy.accounts(Portal::Customer)[0].0;
    let perm = |name| Permission::parse(Portal::Customer, name).unwrap();
    assert!(policy.allows(Portal::Customer, carol, perm("quotes.create")));
    assert!(policy.allows(Portal::Customer, carol, perm("orders.authorize")));
    assert!(!policy.allows(Portal::Customer, carol, perm("quotes.authorize")));
    let scope = policy.scope(Portal::Customer, carol).unwrap();
    assert_eq!(
        scope.branches(),
        &portico_domain::BranchScope::Only(vec![norte.parse().unwrap()])
    );
    assert!(
        policy.accounts(Portal::Supplier).is_empty(),
        "supplier access is off"
    );

    // The page shows what it may do now, and the explainer names the chain.
    let page = access(&owner, &contact).await;
    assert!(page.body.contains("Cotizaciones · Crear"), "{}", page.body);
    let sur = value_of(&page, "branch", "S · Sur");
    let why = owner
        .get(&format!(
            "/admin/contacts/{contact}/access?link={customer_link}&permission=quotes.create&branch={norte}"
        ))
        .await;
    assert!(why.body.contains("permitido"), "{}", why.body);
    assert!(
        why.body
            .contains("Lo concede el rol: <strong>Comprador</strong>"),
        "{}",
        why.body
    );
    let hidden = owner
        .get(&format!(
            "/admin/contacts/{contact}/access?link={customer_link}&permission=quotes.create&branch={sur}"
        ))
        .await;
    assert!(hidden.body.contains("denegado") && hidden.body.contains("No ve la sucursal"));
    let ungranted = owner
        .get(&format!(
            "/admin/contacts/{contact}/access?link={customer_link}&permission=sales.view"
        ))
        .await;
    assert!(
        ungranted
            .body
            .contains("Ningún rol ni permiso individual concede")
    );
    let off = owner
        .get(&format!(
            "/admin/contacts/{contact}/access?link={supplier_link}&permission=purchase_orders.view"
        ))
        .await;
    assert!(
        off.body.contains("El acceso al portal está desactivado"),
        "{}",
        off.body
    );

    // View as contact: the areas and the one branch; recorded in the history.
    let preview = owner
        .get(&format!(
            "/admin/contacts/{contact}/preview?portal=customer"
        ))
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Cotizaciones") && preview.body.contains("Pedidos"));
    assert!(!preview.body.contains("Ventas:"), "not granted");
    assert!(preview.body.contains("N · Norte") && !preview.body.contains("S · Sur"));
    assert!(
        !preview.body.contains("/access/customer\"") && !preview.body.contains("/admin/links/"),
        "the preview offers no change"
    );
    let record = owner.get(&format!("/admin/contacts/{contact}")).await;
    assert!(record.body.contains("Vio el portal como el contacto"));
    assert!(record.body.contains("Cambió los permisos del portal"));

    // A role of the other portal, an unknown permission: refused, nothing kept.
    let bad = owner
        .post(
            &format!("/admin/links/{supplier_link}/access"),
            &[
                ("_csrf", &page.csrf()),
                ("role", &buyer),
                ("permission", "quotes.view"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("Elija una opción de la lista."),
        "{}",
        bad.body
    );

    // Access off: the engine drops everything at once.
    let off = owner
        .post(
            &format!("/admin/contacts/{contact}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "0")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let policy = app
        .state
        .policies
        .policy(&tenant, contact.parse::<ContactId>().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!policy.allows(Portal::Customer, carol, perm("quotes.create")));
    assert!(
        access(&owner, &contact)
            .await
            .body
            .contains("Deshabilitado")
    );
}

async fn access_needs_an_email_and_follows_roles_and_companies(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.company("beta").await;
    app.staff(&alfa, "lectura@alfa.test", StaffRole::ReadOnly)
        .await;
    app.staff(&alfa, "ventas@alfa.test", StaffRole::Sales).await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let Setup { contact } = setup(&owner).await;
    owner
        .create_contact(&[("first_name", "Sin"), ("last_name", "Correo")])
        .await;
    let no_email = owner.find_contact("correo").await;
    let page = access(&owner, &no_email).await;
    let refused = owner
        .post(
            &format!("/admin/contacts/{no_email}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("necesita un correo principal"));

    // Read-only sees the page and changes nothing; sales may not change a
    // contact also linked to a supplier.
    for email in ["lectura@alfa.test", "ventas@alfa.test"] {
        let staff = app.signed_in("alfa", email).await;
        let page = access(&staff, &contact).await;
        assert!(
            !page.body.contains("/access/customer\""),
            "{email}: no toggle"
        );
        let attempt = staff
            .post(
                &format!("/admin/contacts/{contact}/access/customer"),
                &[("_csrf", &page.csrf()), ("enabled", "1")],
            )
            .await;
        assert_eq!(attempt.status, StatusCode::FORBIDDEN, "{email}");
        let link = link_ids(&access(&owner, &contact).await)[0].clone();
        let attempt = staff
            .post(
                &format!("/admin/links/{link}/access"),
                &[("_csrf", &page.csrf()), ("permission", "sales.view")],
            )
            .await;
        assert_eq!(attempt.status, StatusCode::FORBIDDEN, "{email}");
    }

    // Another company: nothing to see or change.
    let stranger = app.signed_in("beta", "owner@beta.test").await;
    let token = stranger.get("/admin").await.csrf();
    let link = link_ids(&access(&owner, &contact).await)[0].clone();
    assert_eq!(
        stranger
            .get(&format!("/admin/contacts/{contact}/access"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger
            .get(&format!(
                "/admin/contacts/{contact}/preview?portal=customer"
            ))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for (path, form) in [
        (
            format!("/admin/contacts/{contact}/access/customer"),
            vec![("enabled", "1")],
        ),
        (
            format!("/admin/links/{link}/access"),
            vec![("permission", "sales.view")],
        ),
    ] {
        let mut fields = vec![("_csrf", token.as_str())];
        fields.extend(form);
        assert_eq!(
            stranger.post(&path, &fields).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let page = access(&owner, &contact).await;
    assert!(page.body.contains("Sin acceso"), "unchanged");
}

async fn tenant_roles_change_what_their_holders_may_do_at_once(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    app.company("beta").await;
    app.staff(&tenant, "ventas@alfa.test", StaffRole::Sales)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let Setup { contact } = setup(&owner).await;
    let roles = owner.get("/admin/portal-roles").await;
    assert_eq!(roles.status, StatusCode::OK);
    assert!(
        roles.body.contains("Comprador") && roles.body.contains("Facturación"),
        "seeded roles"
    );
    let created = owner
        .post(
            "/admin/portal-roles",
            &[
                ("_csrf", &roles.csrf()),
                ("portal", "customer"),
                ("name_es", "Visor de pedidos"),
                ("name_en", "Order viewer"),
                ("permission", "orders.view"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let duplicate = owner
        .post(
            "/admin/portal-roles",
            &[
                ("_csrf", &roles.csrf()),
                ("portal", "customer"),
                ("name_es", "visor de pedidos"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    let foreign = owner
        .post(
            "/admin/portal-roles",
            &[
                ("_csrf", &roles.csrf()),
                ("portal", "supplier"),
                ("name_es", "Raro"),
                ("permission", "quotes.view"),
            ],
        )
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a permission of the other portal"
    );

    let page = access(&owner, &contact).await;
    let link = link_ids(&page)[0].clone();
    let viewer = value_of(&page, "role", "Visor de pedidos");
    owner
        .post(
            &format!("/admin/contacts/{contact}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    owner
        .post(
            &format!("/admin/links/{link}/access"),
            &[("_csrf", &page.csrf()), ("role", &viewer)],
        )
        .await;
    let id: ContactId = contact.parse().unwrap();
    let orders = Permission::parse(Portal::Customer, "orders.view").unwrap();
    let may_view = async || {
        let policy = app
            .state
            .policies
            .policy(&tenant, id)
            .await
            .unwrap()
            .unwrap();
        let account = policy.accounts(Portal::Customer)[0].0;
        policy.allows(Portal::Customer, account, orders)
    };
    assert!(may_view().await);

    // Sales may not manage roles; another company cannot touch this one's.
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    assert_eq!(
        sales.get("/admin/portal-roles").await.status,
        StatusCode::FORBIDDEN
    );
    let stranger = app.signed_in("beta", "owner@beta.test").await;
    let token = stranger.get("/admin/portal-roles").await.csrf();
    let attempt = stranger
        .post(
            &format!("/admin/portal-roles/{viewer}"),
            &[("_csrf", &token), ("name_es", "Tomado")],
        )
        .await;
    assert_eq!(attempt.status, StatusCode::NOT_FOUND);
    let attempt = stranger
        .post(
            &format!("/admin/portal-roles/{viewer}/delete"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(attempt.status, StatusCode::NOT_FOUND);
    assert!(may_view().await, "untouched");

    // Taking the permission out of the role takes it from its holders at once.
    let edited = owner
        .post(
            &format!("/admin/portal-roles/{viewer}"),
            &[
                ("_csrf", &roles.csrf()),
                ("name_es", "Visor de pedidos"),
                ("permission", "quotes.view"),
            ],
        )
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER, "{}", edited.body);
    assert!(!may_view().await);
    let deleted = owner
        .post(
            &format!("/admin/portal-roles/{viewer}/delete"),
            &[("_csrf", &roles.csrf())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(
        !owner
            .get("/admin/portal-roles")
            .await
            .body
            .contains("Visor de pedidos")
    );
}

fn json(page: &Page, status: StatusCode) -> serde_json::Value {
    assert_eq!(page.status, status, "{}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

async fn the_api_sets_and_explains_access(db: TestDb) {
    use poem::http::Method;
    use serde_json::json as j;
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let Setup { contact } = setup(&owner).await;
    let admin = api_client(&app, "alfa", &api_key(&app, &alfa, StaffRole::Admin).await);
    let reader = api_client(
        &app,
        "alfa",
        &api_key(&app, &alfa, StaffRole::ReadOnly).await,
    );
    let stranger = api_client(&app, "beta", &api_key(&app, &beta, StaffRole::Admin).await);

    let access = json(
        &admin
            .get(&format!("/api/v1/contacts/{contact}/portal-access"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(access["status"], "none");
    let links = access["links"].as_array().unwrap().clone();
    let customer_link = links.iter().find(|l| l["portal"] == "customer").unwrap()["link_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let on = admin
        .json(
            Method::PUT,
            &format!("/api/v1/contacts/{contact}/portal-access/customer"),
            Some(j!({ "enabled": true })),
        )
        .await;
    assert_eq!(json(&on, StatusCode::OK)["customer_portal"], true);

    let roles = json(&admin.get("/api/v1/portal-roles").await, StatusCode::OK);
    let buyer = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["seed_key"] == "buyer" && r["portal"] == "customer")
        .unwrap()["id"]
        .clone();
    let page = owner
        .get(&format!("/admin/contacts/{contact}/access"))
        .await;
    let norte = value_of(&page, "branch", "N · Norte");
    let saved = admin
        .json(
            Method::PUT,
            &format!("/api/v1/links/{customer_link}/access"),
            Some(j!({ "role_ids": [buyer], "permissions": ["orders.authorize"], "all_branches": false, "branch_ids": [norte] })),
        )
        .await;
    let saved = json(&saved, StatusCode::OK);
    assert_eq!(saved["permissions"], j!(["orders.authorize"]));
    assert_eq!(saved["all_branches"], false);
    let why = json(
        &admin
            .get(&format!(
                "/api/v1/contacts/{contact}/access/explain?link={customer_link}&permission=quotes.create&branch={norte}"
            ))
            .await,
        StatusCode::OK,
    );
    assert_eq!(why["allowed"], true, "{why}");
    assert!(
        why["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "explain-role" && s["subject"] == "Comprador")
    );
    let no = json(
        &admin
            .get(&format!("/api/v1/contacts/{contact}/access/explain?link={customer_link}&permission=sales.view"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(no["allowed"], false);

    let bad = admin
        .json(
            Method::PUT,
            &format!("/api/v1/links/{customer_link}/access"),
            Some(j!({ "permissions": ["purchase_orders.view"] })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(
        bad.headers.get("content-type").unwrap(),
        "application/problem+json"
    );

    let refused = reader
        .json(
            Method::PUT,
            &format!("/api/v1/links/{customer_link}/access"),
            Some(j!({ "permissions": [] })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let refused = reader
        .json(
            Method::POST,
            "/api/v1/portal-roles",
            Some(j!({ "portal": "customer", "name_es": "X" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for page in [
        stranger
            .get(&format!("/api/v1/contacts/{contact}/portal-access"))
            .await,
        stranger
            .json(
                Method::PUT,
                &format!("/api/v1/links/{customer_link}/access"),
                Some(j!({ "permissions": [] })),
            )
            .await,
        stranger
            .json(
                Method::PUT,
                &format!("/api/v1/contacts/{contact}/portal-access/customer"),
                Some(j!({ "enabled": false })),
            )
            .await,
    ] {
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    }
    let still = json(
        &admin
            .get(&format!("/api/v1/contacts/{contact}/portal-access"))
            .await,
        StatusCode::OK,
    );
    assert_eq!(still["customer_portal"], true, "untouched by the stranger");

    let created = admin
        .json(
            Method::POST,
            "/api/v1/portal-roles",
            Some(j!({ "portal": "customer", "name_es": "Visor", "permissions": ["orders.view"] })),
        )
        .await;
    assert_eq!(json(&created, StatusCode::CREATED)["name_en"], "Visor");
    let spec = admin.get("/api/v1/openapi.json").await;
    assert!(spec.body.contains("/links/{id}/access") && spec.body.contains("/portal-roles"));
}

backend_tests!(
    the_api_sets_and_explains_access,
    tenant_roles_change_what_their_holders_may_do_at_once,
    staff_set_access_and_the_engine_follows,
    access_needs_an_email_and_follows_roles_and_companies,
);

/// Two app instances sharing PostgreSQL and Redis (and nothing in process): a
/// contact signed in on instance B loses a grant revoked through instance A, and
/// then its session when A turns its access off, each within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_stops_working_on_another_instance_within_a_second() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    assert_eq!(db.backend, TestBackend::Postgres);
    let a = TestApp::new(db).await;
    if a.redis.is_none() {
        portico_tests::skip_or_fail("Redis (PORTICO_TEST_REDIS_URL)");
        return;
    }
    let alfa = Company::new(&a, "alfa").await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    let Setup { contact } = setup(&owner).await;
    let page = access(&owner, &contact).await;
    let link = link_ids(&page)[0].clone();
    owner
        .post(
            &format!("/admin/contacts/{contact}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    let granted = owner
        .post(
            &format!("/admin/links/{link}/access"),
            &[("_csrf", &page.csrf()), ("permission", "quotes.view")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER);
    alfa.set_password(contact.parse::<ContactId>().unwrap())
        .await;

    // Instance B: the contact signs in there and sees its quotes.
    let b = a.another_instance().await;
    let ana = b.browser("alfa.localhost:8080");
    let signed_in = portal_sign_in(&ana, Portal::Customer, "ana@alfa.test", PASSWORD).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(ana.get("/portal/quotes").await.status, StatusCode::OK);
    // Let B's subscription settle before A publishes.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let within_a_second = async |want: StatusCode, what: &str| {
        let start = Instant::now();
        loop {
            let status = ana.get("/portal/quotes").await.status;
            if status == want {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "instance B still answered {status} a second after {what}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let revoked = owner
        .post(
            &format!("/admin/links/{link}/access"),
            &[("_csrf", &page.csrf())],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    within_a_second(StatusCode::FORBIDDEN, "the grant was revoked").await;

    let off = owner
        .post(
            &format!("/admin/contacts/{contact}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "0")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    within_a_second(StatusCode::SEE_OTHER, "access was turned off").await;
    let home = ana.get("/portal").await;
    assert!(
        home.body.contains("name=\"password\""),
        "signed out: {}",
        home.body
    );
}
