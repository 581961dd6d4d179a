//! Portal access from the contact form (the seed's "Agregar Contacto"): the
//! portal boxes, the company's default role for new portal contacts, the
//! invitation mailed only once the save commits, the same option on the admin
//! API, the list's "New" picking its account, and the branches each link sees
//! on the contact's record.

use std::time::Duration;

use poem::http::{Method, StatusCode};
use portico_data::{Contact, Tenant};
use portico_domain::{Email, Portal, StaffRole};
use portico_tests::builders::Company;
use portico_tests::outbox::{eml_files, mails};
use portico_tests::{Browser, Page, TestApp, TestDb, backend_tests};
use serde_json::{Value, json};
use uuid::Uuid;

async fn contact(app: &TestApp, tenant: &Tenant, email: &str) -> Option<Contact> {
    let mut tx = app.db.db.tenant_tx(tenant).await.unwrap();
    let found = tx
        .contacts()
        .find_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    found
}

/// The role ids of each of a contact's links.
async fn link_roles(app: &TestApp, tenant: &Tenant, contact: &Contact) -> Vec<Vec<Uuid>> {
    let mut tx = app.db.db.tenant_tx(tenant).await.unwrap();
    let links = tx.link_grants().of_contact(contact.id).await.unwrap();
    tx.commit().await.unwrap();
    links.into_iter().map(|l| l.role_ids).collect()
}

async fn pending_mail(app: &TestApp, tenant: &Tenant) -> usize {
    let mut tx = app.db.db.tenant_tx(tenant).await.unwrap();
    let pending = tx.outbox().pending(100).await.unwrap().len();
    tx.commit().await.unwrap();
    pending
}

/// Sets the customer portal's default role on the settings page.
async fn default_customer_role(owner: &Browser<'_>, role: &str) -> Page {
    owner
        .submit(
            "/admin/settings",
            "/admin/settings/portal-defaults",
            &[("customer", role), ("supplier", "")],
        )
        .await
}

/// The account id in a record path (`/admin/customers/<id>`).
fn id_in(path: &str) -> &str {
    path.rsplit('/').next().unwrap()
}

async fn ticking_the_customer_portal_box_turns_access_on_with_the_default_role_and_mails_one_invitation(
    db: TestDb,
) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let buyer = alfa.role(Portal::Customer, "buyer").await;
    let set = default_customer_role(&owner, &buyer.to_string()).await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);

    let form_path = format!("/admin/contacts/new?account={}", id_in(&customer));
    let form = owner.get(&form_path).await;
    assert!(
        form.body.contains("Acceso al Portal de Clientes"),
        "{}",
        form.body
    );
    assert!(form.body.contains("Rol inicial: Comprador."));
    assert!(
        !form.body.contains("name=\"portal_supplier\""),
        "a customer's form offers no supplier portal"
    );
    let saved = owner
        .submit(
            &form_path,
            "/admin/contacts",
            &[
                ("account_id", id_in(&customer)),
                ("first_name", "Ana"),
                ("last_name", "Pérez"),
                ("email", "ana@carol.do"),
                ("portal_customer", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let ana = contact(&app, &tenant, "ana@carol.do").await.expect("saved");
    assert!(ana.portal.customer && !ana.portal.supplier);
    assert_eq!(ana.portal.status.as_str(), "invited");
    assert_eq!(link_roles(&app, &tenant, &ana).await, vec![vec![buyer]]);
    let mail = &mails(app.mail_dir.path(), 1).await[0];
    let text = String::from_utf8_lossy(mail);
    assert!(text.contains("ana@carol.do") && text.contains("/portal/invitation/"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(eml_files(app.mail_dir.path()).len(), 1, "one invitation");
    let record = owner.get(&format!("/admin/contacts/{}", ana.id)).await;
    assert!(
        record.body.contains("Toda la cuenta (no tiene sucursales)"),
        "{}",
        record.body
    );
}

async fn portal_access_without_a_main_email_is_a_field_error_and_nothing_is_written(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let form_path = format!("/admin/contacts/new?account={}", id_in(&customer));
    let refused = owner
        .submit(
            &form_path,
            "/admin/contacts",
            &[
                ("account_id", id_in(&customer)),
                ("first_name", "Sin"),
                ("last_name", "Correo"),
                ("portal_customer", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Escriba el correo principal: el acceso al portal lo necesita."),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("id=\"portal_customer\" name=\"portal_customer\" value=\"on\" checked")
    );
    let list = owner.get("/admin/contacts").await;
    assert!(!list.body.contains("Correo"), "nothing is written");

    // Asked for a portal the contact is not linked to (the list's New, no account).
    let refused = owner
        .submit(
            "/admin/contacts/new",
            "/admin/contacts",
            &[
                ("first_name", "Eva"),
                ("email", "eva@carol.do"),
                ("portal_supplier", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(contact(&app, &tenant, "eva@carol.do").await.is_none());

    // A taken email with the box ticked: the offer to link, and no access, no mail.
    owner
        .create_contact(&[("first_name", "Rosa"), ("email", "rosa@carol.do")])
        .await;
    let duplicate = owner
        .submit(
            &form_path,
            "/admin/contacts",
            &[
                ("account_id", id_in(&customer)),
                ("first_name", "Rosa"),
                ("email", "ROSA@carol.do"),
                ("portal_customer", "on"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT, "{}", duplicate.body);
    let rosa = contact(&app, &tenant, "rosa@carol.do").await.unwrap();
    assert!(!rosa.portal.customer, "no access for the existing contact");
    assert!(link_roles(&app, &tenant, &rosa).await.is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pending_mail(&app, &tenant).await, 0);
    assert!(eml_files(app.mail_dir.path()).is_empty(), "no mail at all");
}

async fn the_default_portal_role_is_a_setting_per_portal_audited_and_checked(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    app.staff(&tenant, "ventas@alfa.test", StaffRole::Sales)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let settings = owner.get("/admin/settings").await;
    assert!(
        settings
            .body
            .contains("Rol inicial de los contactos nuevos del portal")
    );
    assert!(settings.body.contains("Ninguno (sin permisos)"));

    // A supplier role is not a customer portal role.
    let billing = alfa.role(Portal::Supplier, "billing").await;
    let wrong = default_customer_role(&owner, &billing.to_string()).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    assert_eq!(
        tx.portal_defaults().role(Portal::Customer).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();

    let read_only = alfa.role(Portal::Customer, "read_only").await;
    let saved = default_customer_role(&owner, &read_only.to_string()).await;
    assert_eq!(saved.location(), Some("/admin/settings"));
    let shown = owner.get("/admin/settings").await;
    assert!(
        shown
            .body
            .contains(&format!("<option value=\"{read_only}\" selected>"))
    );
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    assert_eq!(
        tx.portal_defaults().role(Portal::Customer).await.unwrap(),
        Some(read_only)
    );
    let events = tx.audit().list(10).await.unwrap();
    tx.commit().await.unwrap();
    let event = events
        .iter()
        .find(|e| e.action == "settings.update")
        .expect("audited");
    assert_eq!(
        event.changes["default_role_customer"]["after"],
        json!(read_only)
    );

    // Back to none; and only admins may change it.
    let cleared = default_customer_role(&owner, "").await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    assert_eq!(
        tx.portal_defaults().role(Portal::Customer).await.unwrap(),
        None
    );
    tx.commit().await.unwrap();
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    let page = sales.get("/admin/contacts").await;
    let refused = sales
        .post(
            "/admin/settings/portal-defaults",
            &[
                ("_csrf", &page.csrf()),
                ("customer", &read_only.to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn the_api_creates_a_contact_with_portal_access_through_the_same_command(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let buyer = alfa.role(Portal::Customer, "buyer").await;
    default_customer_role(&owner, &buyer.to_string()).await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Admin).await);
    let customer_id = id_in(&customer);

    // Without a main email, or for the supplier portal of a customer: 422, nothing written.
    let refused = api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{customer_id}/contacts"),
            Some(json!({ "first_name": "Sin", "portal_access": { "customer": true, "supplier": true } })),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let problem: Value = serde_json::from_str(&refused.body).unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "portal_supplier"]);

    let created = api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{customer_id}/contacts"),
            Some(json!({ "first_name": "Ana", "email": "ana@carol.do", "portal_access": { "customer": true } })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let ana: Value = serde_json::from_str(&created.body).unwrap();
    let access = api
        .get(&format!(
            "/api/v1/contacts/{}/portal-access",
            ana["id"].as_str().unwrap()
        ))
        .await;
    let access: Value = serde_json::from_str(&access.body).unwrap();
    assert_eq!(access["customer_portal"], json!(true));
    assert_eq!(access["status"], json!("invited"));
    assert_eq!(access["links"][0]["role_ids"], json!([buyer]));

    // `POST /contacts` links to `account_id` and takes the same option.
    let created = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Beto", "email": "beto@carol.do", "account_id": customer_id, "portal_access": { "customer": true } })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let beto = contact(&app, &tenant, "beto@carol.do").await.unwrap();
    assert!(beto.portal.customer);
    assert_eq!(link_roles(&app, &tenant, &beto).await, vec![vec![buyer]]);
    let unlinked = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Eva", "email": "eva@carol.do", "portal_access": { "customer": true } })),
        )
        .await;
    assert_eq!(
        unlinked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unlinked.body
    );
    assert!(contact(&app, &tenant, "eva@carol.do").await.is_none());
    assert_eq!(
        mails(app.mail_dir.path(), 2).await.len(),
        2,
        "Ana's and Beto's invitations"
    );
}

async fn the_lists_new_picks_an_account_by_code_or_name_and_lands_on_the_record(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    app.staff(&tenant, "ventas@alfa.test", StaffRole::Sales)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("customers", "C-002", "Droguería Sur")
        .await;
    owner
        .create_account("suppliers", "P-001", "Carolina Químicos")
        .await;

    let form = owner.get("/admin/contacts/new").await;
    assert!(
        form.body
            .contains("Vincular a un cliente o proveedor (opcional)")
    );
    assert!(form.body.contains("name=\"account_q\""));
    let found = owner.get("/admin/contacts/new?account_q=carol").await;
    assert!(found.body.contains("Farmacia Carol") && found.body.contains("Carolina Químicos"));
    assert!(
        !found.body.contains("Droguería Sur"),
        "only matches are listed"
    );
    let by_code = owner.get("/admin/contacts/new?account_q=C-002").await;
    assert!(by_code.body.contains("Droguería Sur"));
    let none = owner.get("/admin/contacts/new?account_q=zzz").await;
    assert!(none.body.contains("Ninguna cuenta coincide con «zzz»."));
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    let theirs = sales.get("/admin/contacts/new?account_q=carol").await;
    assert!(
        theirs.body.contains("Farmacia Carol") && !theirs.body.contains("Carolina Químicos"),
        "sales picks only customers"
    );

    let pick = format!(
        "/admin/contacts/new?account={}&amp;picked=1",
        id_in(&customer)
    );
    assert!(found.body.contains(&pick), "{}", found.body);
    let picked = owner.get(&pick.replace("&amp;", "&")).await;
    assert!(
        picked
            .body
            .contains("Cliente: <strong>Farmacia Carol</strong>")
    );
    assert!(picked.body.contains("name=\"portal_customer\""));
    let saved = owner
        .submit(
            &pick.replace("&amp;", "&"),
            "/admin/contacts",
            &[
                ("account_id", id_in(&customer)),
                ("picked", "1"),
                ("first_name", "Ana"),
                ("last_name", "Pérez"),
                ("link_position", "Compras"),
            ],
        )
        .await;
    let ana = contact_by_name(&app, &tenant, "Ana Pérez").await;
    assert_eq!(
        saved.location(),
        Some(format!("/admin/contacts/{ana}").as_str())
    );
    let record = owner.get(&format!("/admin/contacts/{ana}")).await;
    assert!(
        record.body.contains("Se guardó a Ana Pérez."),
        "{}",
        record.body
    );
    assert!(record.body.contains("Farmacia Carol") && record.body.contains("Compras"));
    assert!(record.body.contains("Ninguna (sin acceso al portal)"));
}

async fn contact_by_name(app: &TestApp, tenant: &Tenant, name: &str) -> String {
    let mut tx = app.db.db.tenant_tx(tenant).await.unwrap();
    let filter = portico_data::ContactFilter {
        search: Some(name.to_owned()),
        ..Default::default()
    };
    let found = tx.contacts().list(&filter, None, 2).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(found.len(), 1, "one {name}");
    found[0].id.to_string()
}

async fn the_record_shows_the_branches_each_link_sees_and_the_edit_form_opens_access(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let tenant = alfa.tenant.clone();
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_customer_with_branches(
            "C-001",
            "Farmacia Carol",
            &[("N", "Sucursal Norte"), ("S", "Sucursal Sur")],
        )
        .await;
    let jose = owner
        .create_contact(&[("first_name", "José"), ("email", "jose@carol.do")])
        .await;
    owner.link_contact(&jose, "customer", "C-001").await;
    let record = owner.get(&jose).await;
    assert!(record.body.contains("Sucursales en el portal"));
    assert!(record.body.contains("Ninguna (sin acceso al portal)"));

    // The edit form offers the customer portal box (access is off), and saving
    // with it ticked turns access on and invites.
    let edit = owner.get(&format!("{jose}/edit")).await;
    assert!(
        edit.body.contains("name=\"portal_customer\""),
        "{}",
        edit.body
    );
    assert!(!edit.body.contains("name=\"portal_supplier\""));
    let saved = owner
        .submit(
            &format!("{jose}/edit"),
            &jose,
            &[
                ("first_name", "José"),
                ("email", "jose@carol.do"),
                ("portal_customer", "on"),
            ],
        )
        .await;
    assert_eq!(saved.location(), Some(jose.as_str()), "{}", saved.body);
    mails(app.mail_dir.path(), 1).await;
    let record = owner.get(&jose).await;
    assert!(record.body.contains("Se guardó a José."));
    assert!(
        record.body.contains("Todas las sucursales"),
        "{}",
        record.body
    );
    let edit = owner.get(&format!("{jose}/edit")).await;
    assert!(
        !edit.body.contains("name=\"portal_customer\""),
        "access is on now"
    );

    // Only Sucursal Norte: the record names it.
    let ana = contact(&app, &tenant, "jose@carol.do").await.unwrap();
    let access = owner.get(&format!("{jose}/access")).await;
    let link = access
        .body
        .split("action=\"/admin/links/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let norte = access
        .body
        .split("name=\"branch\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let restricted = owner
        .post(
            &format!("/admin/links/{link}/access"),
            &[
                ("_csrf", &access.csrf()),
                ("branches", "chosen"),
                ("branch", &norte),
            ],
        )
        .await;
    assert_eq!(
        restricted.status,
        StatusCode::SEE_OTHER,
        "{}",
        restricted.body
    );
    let record = owner.get(&format!("/admin/contacts/{}", ana.id)).await;
    assert!(
        record
            .body
            .split("class=\"portal-branches\"")
            .nth(1)
            .and_then(|cell| cell.split_once('>'))
            .is_some_and(|(_, rest)| rest.starts_with("Sucursal Norte</td>")),
        "{}",
        record.body
    );
}

backend_tests!(
    ticking_the_customer_portal_box_turns_access_on_with_the_default_role_and_mails_one_invitation,
    portal_access_without_a_main_email_is_a_field_error_and_nothing_is_written,
    the_default_portal_role_is_a_setting_per_portal_audited_and_checked,
    the_api_creates_a_contact_with_portal_access_through_the_same_command,
    the_lists_new_picks_an_account_by_code_or_name_and_lands_on_the_record,
    the_record_shows_the_branches_each_link_sees_and_the_edit_form_opens_access,
);
