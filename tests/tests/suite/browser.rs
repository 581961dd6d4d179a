//! A real browser (Debian's Chromium driven over WebDriver) against Portico over
//! HTTP: signing in, switching language and signing out; adding contacts through
//! each of the four ways in, with field errors, the duplicate offer, search and history.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use portico_tests::{
    PASSWORD, TestDb,
    chrome::{ChromeDriver, browser, click, fetch, fill, served, wait_for_text},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_user_signs_in_switches_language_and_signs_out_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };

    let (app, port, server) = served(TestDb::sqlite().await).await;
    app.company("alfa").await;

    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    client
        .goto(&format!("http://alfa.localhost:{port}/admin"))
        .await
        .unwrap();
    wait_for_text(&client, "Password").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/admin/sign-in");

    click(&client, "button[name=lang]").await;
    wait_for_text(&client, "Contraseña").await;

    fill(&client, "#email", "owner@alfa.test").await;
    fill(&client, "#password", "wrong password!").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Correo o contraseña incorrectos.").await;

    fill(&client, "#password", PASSWORD).await;
    click(&client, "button[type=submit]").await;
    let home = wait_for_text(&client, "Bienvenido, Dueña de alfa.").await;
    assert!(home.contains("Propietario"));
    assert_eq!(client.current_url().await.unwrap().path(), "/admin");

    click(&client, "form[action='/admin/sign-out'] button").await;
    wait_for_text(&client, "Cerró su sesión.").await;
    client
        .goto(&format!("http://alfa.localhost:{port}/admin"))
        .await
        .unwrap();
    wait_for_text(&client, "Iniciar sesión").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/admin/sign-in");

    client.close().await.unwrap();
    server.abort();
}

/// The current page's path and query.
async fn here(client: &Client) -> String {
    let url = client.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Opens the first action menu whose summary matches `summary`, then follows `link`.
async fn menu(client: &Client, summary: &str, link: &str) {
    click(client, summary).await;
    client
        .find(Locator::LinkText(link))
        .await
        .expect(link)
        .click()
        .await
        .expect("click menu item");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_user_adds_contacts_through_every_way_in_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    app.company("alfa").await;
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    let site = format!("http://alfa.localhost:{port}");

    client.goto(&format!("{site}/admin")).await.unwrap();
    wait_for_text(&client, "Password").await;
    click(&client, "button[name=lang]").await;
    wait_for_text(&client, "Contraseña").await;
    fill(&client, "#email", "owner@alfa.test").await;
    fill(&client, "#password", PASSWORD).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Bienvenido").await;

    // A customer to add contacts to.
    client
        .find(Locator::LinkText("Clientes"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Todavía no hay clientes.").await;
    client
        .find(Locator::LinkText("Nuevo cliente"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&client, "#code", "C-0001").await;
    fill(&client, "#name", "Farmacia Carol").await;
    click(&client, "form[method=post] button[type=submit]").await;
    wait_for_text(&client, "Cliente guardado.").await;
    let record = client.current_url().await.unwrap().path().to_owned();

    // 1. The contact list's New, with a field error in Spanish first.
    client
        .find(Locator::LinkText("Contactos"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Todavía no hay contactos.").await;
    client
        .find(Locator::LinkText("Nuevo"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&client, "#first_name", "Ana").await;
    fill(&client, "#last_name", "Peña").await;
    fill(&client, "#email", "ana-arroba-carol").await;
    click(&client, "form[method=post] button[type=submit]").await;
    wait_for_text(&client, "Escriba un correo electrónico válido").await;
    fill(&client, "#email", "ana@carol.do").await;
    click(&client, "form[method=post] button[type=submit]").await;
    wait_for_text(&client, "Se guardó a Ana Peña.").await;
    assert!(
        here(&client).await.starts_with("/admin/contacts/"),
        "the list's New lands on the new record"
    );

    // 2. The customer list row: Acciones → Contactos → Agregar contacto.
    client
        .goto(&format!("{site}/admin/customers"))
        .await
        .unwrap();
    menu(&client, "td details.menu summary", "Agregar contacto").await;
    wait_for_text(&client, "Cliente: Farmacia Carol").await;
    fill(&client, "#first_name", "Beto").await;
    click(&client, "form[method=post] button[type=submit]").await;
    wait_for_text(&client, "Se guardó a Beto.").await;
    assert_eq!(here(&client).await, "/admin/customers");

    // 3. The customer record's action menu.
    client.goto(&format!("{site}{record}")).await.unwrap();
    menu(&client, ".heading details.menu summary", "Agregar contacto").await;
    wait_for_text(&client, "Cliente: Farmacia Carol").await;
    fill(&client, "#first_name", "Carla").await;
    click(&client, "form[method=post] button[type=submit]").await;
    wait_for_text(&client, "Se guardó a Carla.").await;
    assert_eq!(here(&client).await, record);

    // 4. The record's Contacts tab, where the duplicate email is offered for linking.
    client
        .goto(&format!("{site}{record}?tab=contacts"))
        .await
        .unwrap();
    click(&client, ".heading a.button").await;
    wait_for_text(&client, "Cliente: Farmacia Carol").await;
    fill(&client, "#email", "ANA@carol.do").await;
    fill(&client, "#link_position", "Compras").await;
    click(&client, "form[method=post][novalidate] button[type=submit]").await;
    wait_for_text(&client, "Este contacto ya existe").await;
    click(&client, "form[action$='/links'] button").await;
    let tab = wait_for_text(&client, "Se guardó el vínculo de Ana Peña.").await;
    assert_eq!(here(&client).await, format!("{record}?tab=contacts"));
    for name in ["Ana Peña", "Beto", "Carla", "Compras"] {
        assert!(tab.contains(name), "{name} in {tab}");
    }

    // Search, then the contact's history.
    client
        .goto(&format!("{site}/admin/contacts"))
        .await
        .unwrap();
    fill(&client, "#q", "farmacia").await;
    click(&client, "form[role=search] button[type=submit]").await;
    wait_for_text(&client, "Beto").await;
    client
        .find(Locator::LinkText("Ana Peña"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = wait_for_text(&client, "Historial").await;
    assert!(
        page.contains("Vinculó el contacto a Farmacia Carol"),
        "{page}"
    );
    assert!(page.contains("Creó el contacto"));

    client.close().await.unwrap();
    server.abort();
}

/// The value of the checkbox `name` whose label starts with `label`, in some HTML.
fn checkbox_value(html: &str, name: &str, label: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .skip(1)
        .find(|rest| {
            rest.split("\">")
                .nth(1)
                .is_some_and(|l| l.trim_start().starts_with(label))
        })
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} labelled {label}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_contact_sets_a_password_signs_in_and_switches_accounts_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    app.company("alfa").await;

    // The back office (in process): two customers, a contact linked to both,
    // access on (which mails the invitation), a role on each link.
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("customers", "C-002", "Droguería Sur")
        .await;
    let record = owner
        .create_contact(&[
            ("first_name", "Flor"),
            ("last_name", "Ochoa"),
            ("email", "flor@ochoa.do"),
        ])
        .await;
    let id = record
        .strip_prefix("/admin/contacts/")
        .expect("the new contact's record")
        .to_owned();
    for code in ["C-001", "C-002"] {
        owner.link_contact(&record, "customer", code).await;
    }
    let page = owner.get(&format!("/admin/contacts/{id}/access")).await;
    owner
        .post(
            &format!("/admin/contacts/{id}/access/customer"),
            &[("_csrf", &page.csrf()), ("enabled", "1")],
        )
        .await;
    let page = owner.get(&format!("/admin/contacts/{id}/access")).await;
    let links: Vec<String> = page
        .body
        .split("action=\"/admin/links/")
        .skip(1)
        .filter_map(|r| r.split('/').next())
        .map(str::to_owned)
        .collect();
    // Links are listed by account name: Droguería Sur, then Farmacia Carol.
    let payable = checkbox_value(&page.body, "role", "Cuentas por pagar");
    let buyer = checkbox_value(&page.body, "role", "Comprador");
    for (link, role) in [(&links[0], &payable), (&links[1], &buyer)] {
        let saved = owner
            .post(
                &format!("/admin/links/{link}/access"),
                &[("_csrf", &page.csrf()), ("role", role)],
            )
            .await;
        assert_eq!(saved.status.as_u16(), 303, "{}", saved.body);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    let mail = loop {
        let found = std::fs::read_dir(app.mail_dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"));
        if let Some(entry) = found {
            let raw = std::fs::read(entry.path()).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            break message.body_text(0).unwrap().into_owned();
        }
        assert!(Instant::now() < deadline, "the invitation was never mailed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let link = mail
        .split_whitespace()
        .find(|w| w.contains("/portal/invitation/"))
        .expect("an invitation link")
        .to_owned();
    assert!(link.starts_with(&format!("http://alfa.localhost:{port}/portal/invitation/")));

    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    let site = format!("http://alfa.localhost:{port}");

    // The invitation: set a password, land on the account picker.
    client.goto(&link).await.unwrap();
    wait_for_text(&client, "Welcome, Flor Ochoa").await;
    fill(&client, "#password", "una clave bien larga").await;
    fill(&client, "#password_confirmation", "una clave bien larga").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Who are you acting for?").await;
    let choose =
        |name: &str| Locator::XPath(format!("//button[normalize-space()='{name}']").leak());
    client
        .find(choose("Farmacia Carol"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let home = wait_for_text(&client, "Quotes").await;
    assert!(
        !home.contains("Receivables"),
        "the buyer sees no receivables: {home}"
    );

    // Sign out, then sign in with the new password.
    click(&client, "form[action='/portal/sign-out'] button").await;
    client.goto(&format!("{site}/portal")).await.unwrap();
    wait_for_text(&client, "Password").await;
    fill(&client, "#email", "flor@ochoa.do").await;
    fill(&client, "#password", "una clave bien larga").await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Who are you acting for?").await;
    client
        .find(choose("Farmacia Carol"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Quotes").await;

    // Switch to the other account: its own areas.
    client
        .find(choose("Droguería Sur"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let other = wait_for_text(&client, "Receivables").await;
    assert!(
        !other.contains("Quotes"),
        "accounts payable sees no quotes: {other}"
    );
    assert!(other.contains("Droguería Sur"));

    client.close().await.unwrap();
    server.abort();
}

/// The seed's "Agregar Contacto" with the portal box: staff add a contact from a
/// customer's Contacts tab with the customer-portal box ticked; the invitation
/// mail arrives; the contact opens its link, sets a password and signs in to the
/// customer portal with the company's default role.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_added_with_the_portal_box_ticked_is_invited_and_signs_in_in_a_real_browser() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    app.company("alfa").await;

    // In process: a customer, and Comprador as the customer portal's default role.
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let record = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let settings = owner.get("/admin/settings").await;
    let buyer = settings
        .body
        .split("<option value=\"")
        .skip(1)
        .find(|o| {
            o.split('<')
                .next()
                .is_some_and(|t| t.ends_with(">Comprador"))
        })
        .and_then(|o| o.split('"').next())
        .expect("the Comprador role in the settings")
        .to_owned();
    let saved = owner
        .post(
            "/admin/settings/portal-defaults",
            &[("_csrf", &settings.csrf()), ("customer", &buyer)],
        )
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.body);

    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    let site = format!("http://alfa.localhost:{port}");

    // Staff: the customer's Contacts tab → Add contact, the box ticked.
    client.goto(&format!("{site}/admin")).await.unwrap();
    wait_for_text(&client, "Password").await;
    fill(&client, "#email", "owner@alfa.test").await;
    fill(&client, "#password", PASSWORD).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Welcome").await;
    client
        .goto(&format!("{site}{record}?tab=contacts"))
        .await
        .unwrap();
    click(&client, ".heading a.button").await;
    let form = wait_for_text(&client, "Customer: Farmacia Carol").await;
    assert!(form.contains("Customer Portal access"), "{form}");
    assert!(form.contains("Initial role: Buyer."), "{form}");
    fill(&client, "#first_name", "Flor").await;
    fill(&client, "#last_name", "Ochoa").await;
    fill(&client, "#email", "flor@ochoa.do").await;
    click(&client, "#portal_customer").await;
    click(&client, "form[method=post][novalidate] button[type=submit]").await;
    wait_for_text(&client, "Flor Ochoa was saved.").await;
    assert_eq!(here(&client).await, format!("{record}?tab=contacts"));

    // The invitation mail arrives.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mail = loop {
        let found = std::fs::read_dir(app.mail_dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"));
        if let Some(entry) = found {
            let raw = std::fs::read(entry.path()).unwrap();
            let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
            assert_eq!(
                message
                    .to()
                    .and_then(|t| t.first())
                    .and_then(|a| a.address()),
                Some("flor@ochoa.do")
            );
            break message.body_text(0).unwrap().into_owned();
        }
        assert!(Instant::now() < deadline, "the invitation was never mailed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let link = mail
        .split_whitespace()
        .find(|w| w.contains("/portal/invitation/"))
        .expect("an invitation link")
        .to_owned();
    assert!(link.starts_with(&format!("{site}/portal/invitation/")));

    // The contact, in a browser of its own: password, then the portal.
    client.delete_all_cookies().await.unwrap();
    client.goto(&link).await.unwrap();
    wait_for_text(&client, "Welcome, Flor Ochoa").await;
    fill(&client, "#password", "una clave bien larga").await;
    fill(&client, "#password_confirmation", "una clave bien larga").await;
    click(&client, "button[type=submit]").await;
    let home = wait_for_text(&client, "Quotes").await;
    assert!(home.contains("Farmacia Carol"), "{home}");
    assert!(
        !home.contains("Receivables"),
        "the buyer sees no receivables: {home}"
    );

    // Sign out, then sign in with the new password.
    click(&client, "form[action='/portal/sign-out'] button").await;
    client.goto(&format!("{site}/portal")).await.unwrap();
    wait_for_text(&client, "Password").await;
    fill(&client, "#email", "flor@ochoa.do").await;
    fill(&client, "#password", "una clave bien larga").await;
    click(&client, "button[type=submit]").await;
    let home = wait_for_text(&client, "Quotes").await;
    assert!(home.contains("Flor Ochoa"), "{home}");

    client.close().await.unwrap();
    server.abort();
}

/// The customer portal's path in a real browser, on the demo company (whose
/// contacts read Spanish, their own language, whatever the browser's): José
/// (Sucursal Naco only, approval limit 25,000.00 DOP) sees only his branch's
/// invoices, downloads a statement as a PDF, requests a quote from the
/// catalogue and places an order above his limit, which waits; Carolina finds
/// it waiting for her decision on her home page and authorizes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_branch_buyers_order_over_its_limit_waits_for_the_approver_in_a_real_browser() {
    use portico::demo::{DEMO_BRANCH_CONTACT, DEMO_CUSTOMER_CONTACT, DEMO_PASSWORD};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    portico::demo::ensure_demo(&app.db.db, &app.state.files)
        .await
        .expect("demo");
    let site = format!("http://demo.localhost:{port}");
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    let sign_in = |email: &'static str| {
        let client = client.clone();
        let site = site.clone();
        async move {
            client
                .goto(&format!("{site}/portal/sign-in"))
                .await
                .unwrap();
            client
                .wait()
                .for_element(Locator::Css("#email"))
                .await
                .unwrap();
            fill(&client, "#email", email).await;
            fill(&client, "#password", DEMO_PASSWORD).await;
            click(&client, "button[type=submit]").await;
            wait_for_text(&client, "Farmacia Carol").await;
        }
    };

    // José's invoices: Sucursal Naco's and the account's, no other branch's.
    sign_in(DEMO_BRANCH_CONTACT).await;
    client.goto(&format!("{site}/portal/sales")).await.unwrap();
    let sales = wait_for_text(&client, "Sucursal Naco").await;
    assert!(sales.contains("FAC-"), "{sales}");
    for other in ["Sucursal Piantini", "Sucursal Santiago Centro"] {
        assert!(!sales.contains(other), "José sees {other}: {sales}");
    }

    // The statement, downloaded with José's session, is a readable PDF.
    client
        .goto(&format!("{site}/portal/receivables/statement"))
        .await
        .unwrap();
    wait_for_text(&client, "Saldo inicial").await;
    let href = client
        .find(Locator::Css("a[href*='statement/pdf']"))
        .await
        .expect("the PDF link")
        .attr("href")
        .await
        .unwrap()
        .expect("an href");
    // Downloaded by the browser itself, with its session.
    let (status, kind, bytes) = fetch(&client, &href).await;
    assert_eq!(status, 200, "{href}");
    assert_eq!(kind, "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    if portico_tests::pdf::pdftotext_available() {
        let text = portico_tests::pdf::pdf_text(&bytes);
        assert!(
            text.contains("Farmacia Carol") && text.contains("DOP"),
            "{text}"
        );
    }

    // A quote from the catalogue: three of the first item.
    client
        .goto(&format!("{site}/portal/quotes/new"))
        .await
        .unwrap();
    wait_for_text(&client, "Catálogo").await;
    fill(&client, "input[name^='qty.']", "3").await;
    click(&client, "form[method=post] button[type=submit]").await;
    let quote = wait_for_text(&client, "Se solicitó la cotización").await;
    assert!(
        quote.contains("COT-") && quote.contains("Solicitada"),
        "{quote}"
    );

    // An order above his limit: 10 × 3,450.00 + 18 % = 40,710.00 DOP.
    client
        .goto(&format!("{site}/portal/orders/new"))
        .await
        .unwrap();
    wait_for_text(&client, "EQP-2010").await;
    fill(&client, "input[name^='qty.']", "10").await;
    client
        .find(Locator::Css("#branch-choice"))
        .await
        .unwrap()
        .select_by_label("Sucursal Naco")
        .await
        .unwrap();
    click(&client, "form[method=post] button[type=submit]").await;
    let order = wait_for_text(&client, "Se creó el pedido").await;
    assert!(order.contains("40,710.00 DOP"), "{order}");
    assert!(
        order.contains("espera la autorización de un colega"),
        "{order}"
    );
    assert!(!order.contains("Autorizar el pedido"), "{order}");
    let number = order
        .split_whitespace()
        .find(|w| w.starts_with("PED-"))
        .expect("the order's number")
        .trim_end_matches('.')
        .to_owned();
    click(&client, "form[action='/portal/sign-out'] button").await;

    // Carolina finds it waiting for her and authorizes it.
    sign_in(DEMO_CUSTOMER_CONTACT).await;
    let home = wait_for_text(&client, "Esperan su decisión").await;
    assert!(home.contains(&number), "{home}");
    client
        .find(Locator::LinkText(&number))
        .await
        .expect("the waiting order's link")
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Autorizar el pedido").await;
    client
        .find(Locator::Css("button[value=authorize]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let done = wait_for_text(&client, "Se autorizó el pedido").await;
    assert!(done.contains("Autorizado"), "{done}");
    assert!(
        done.contains("José") && done.contains("Carolina"),
        "the chain: {done}"
    );
    let home = {
        client.goto(&format!("{site}/portal")).await.unwrap();
        wait_for_text(&client, "Esperan su decisión").await
    };
    assert!(!home.contains(&number), "{home}");

    client.close().await.unwrap();
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_reads_a_document_and_opens_a_service_request_with_a_photo_in_a_real_browser() {
    use portico::demo::{DEMO_BRANCH_CONTACT, DEMO_PASSWORD, DEMO_SALES};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    portico::demo::ensure_demo(&app.db.db, &app.state.files)
        .await
        .expect("demo");
    let site = format!("http://demo.localhost:{port}");
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    client
        .goto(&format!("{site}/portal/sign-in"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("#email"))
        .await
        .unwrap();
    fill(&client, "#email", DEMO_BRANCH_CONTACT).await;
    fill(&client, "#password", DEMO_PASSWORD).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Farmacia Carol").await;

    // José's documents: the account's and Sucursal Naco's certificate; the
    // signed contract downloads with his session as a readable PDF.
    client
        .goto(&format!("{site}/portal/documents"))
        .await
        .unwrap();
    let list = wait_for_text(&client, "Contrato de suministro 2026").await;
    assert!(list.contains("Sucursal Naco"), "{list}");
    client
        .find(Locator::LinkText("Contrato de suministro 2026"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = wait_for_text(&client, "Versiones").await;
    assert!(page.contains("Firmado por ambas partes") && page.contains("Borrador"));
    let href = client
        .find(Locator::Css("a.button[href*='/versions/']"))
        .await
        .expect("the download link")
        .attr("href")
        .await
        .unwrap()
        .expect("an href");
    let (status, kind, bytes) = fetch(&client, &href).await;
    assert_eq!(status, 200, "{href}");
    assert_eq!(kind, "application/pdf");
    if portico_tests::pdf::pdftotext_available() {
        let text = portico_tests::pdf::pdf_text(&bytes);
        assert!(text.contains("firmada por ambas partes"), "{text}");
    }

    // A service request for Sucursal Naco with a photo from his disk.
    let photo = profile.path().join("caja-rota.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n una foto").unwrap();
    client
        .goto(&format!("{site}/portal/service_requests/new"))
        .await
        .unwrap();
    wait_for_text(&client, "Nueva solicitud").await;
    fill(&client, "#subject", "Caja de jeringas rota").await;
    fill(
        &client,
        "#description",
        "Llegó aplastada en la entrega de hoy.",
    )
    .await;
    client
        .find(Locator::Css("#priority"))
        .await
        .unwrap()
        .select_by_label("Alta")
        .await
        .unwrap();
    client
        .find(Locator::Css("#branch"))
        .await
        .unwrap()
        .select_by_label("Sucursal Naco")
        .await
        .unwrap();
    client
        .find(Locator::Css("#files"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(&client, "form[method=post] button[type=submit]").await;
    let opened = wait_for_text(&client, "Se abrió la solicitud").await;
    assert!(
        opened.contains("caja-rota.png") && opened.contains("Alta"),
        "{opened}"
    );
    let number = opened
        .split_whitespace()
        .find(|w| w.starts_with("SOL-"))
        .expect("the request's number")
        .trim_end_matches('.')
        .to_owned();

    // The company answers and asks for more; José sees it in the thread.
    client.goto(&format!("{site}/admin/sign-in")).await.unwrap();
    client
        .wait()
        .for_element(Locator::Css("#email"))
        .await
        .unwrap();
    fill(&client, "#email", DEMO_SALES).await;
    fill(&client, "#password", DEMO_PASSWORD).await;
    click(&client, "button[type=submit]").await;
    wait_for_text(&client, "Inicio").await;
    client
        .goto(&format!("{site}/admin/service-requests"))
        .await
        .unwrap();
    let list = wait_for_text(&client, &number).await;
    assert!(list.contains("sin responder"), "{list}");
    client
        .find(Locator::LinkText(&number))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "caja-rota.png").await;
    fill(&client, "#body", "Enviamos una caja nueva mañana.").await;
    client
        .find(Locator::Css("#status"))
        .await
        .unwrap()
        .select_by_label("Resuelta")
        .await
        .unwrap();
    click(&client, "form[action$='/comments'] button[type=submit]").await;
    let answered = wait_for_text(&client, "Enviamos una caja nueva mañana.").await;
    assert!(answered.contains("Resuelta") && !answered.contains("sin responder"));

    client.close().await.unwrap();
    server.abort();
}

/// The supplier's path through a real browser, on the demo company: Andrés
/// acknowledges a purchase order with a later date on one line; the company
/// accepts the change and receives part of the goods; Andrés flips the
/// order into an invoice, sees the one exception explained, fixes it and
/// sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_acknowledges_a_changed_date_then_invoices_what_arrived_in_a_real_browser() {
    use portico::demo::{DEMO_PASSWORD, DEMO_SUPPLIER_CONTACT};
    use portico_data::{Actor, By};
    use portico_domain::purchasing::{ErpReceiptInput, ReceiptLineInput, Review};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(driver) = ChromeDriver::start_or_skip() else {
        return;
    };
    let (app, port, server) = served(TestDb::sqlite().await).await;
    portico::demo::ensure_demo(&app.db.db, &app.state.files)
        .await
        .expect("demo");
    let tenant = {
        let mut platform = app.db.db.operator_tx().await.unwrap();
        let tenant = platform
            .find_tenant_by_slug(&portico_domain::Slug::parse("demo").unwrap())
            .await
            .unwrap()
            .expect("the demo company");
        platform.commit().await.unwrap();
        tenant
    };
    let site = format!("http://demo.localhost:{port}");
    let profile = tempfile::tempdir().unwrap();
    let client = browser(driver, profile.path()).await;
    client
        .goto(&format!("{site}/supplier/sign-in"))
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css("#email"))
        .await
        .unwrap();
    fill(&client, "#email", DEMO_SUPPLIER_CONTACT).await;
    fill(&client, "#password", DEMO_PASSWORD).await;
    click(&client, "button[type=submit]").await;
    let home = wait_for_text(&client, "Órdenes por confirmar").await;
    assert!(home.contains("OC-000001"), "{home}");

    // The order waiting for an answer: a later date on its second line.
    client
        .find(Locator::LinkText("OC-000001"))
        .await
        .expect("the waiting order")
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Confirmar la orden").await;
    let order_path = here(&client).await;
    let promised = (chrono::Local::now().date_naive() + chrono::Days::new(30)).to_string();
    client
        .execute(
            "document.querySelector('#decision-1').value = 'change';
             document.querySelector('#promised-1').value = arguments[0];",
            vec![serde_json::json!(promised)],
        )
        .await
        .unwrap();
    fill(&client, "#reason-1", "Lote en control de calidad").await;
    click(&client, "button[name=all][value=lines]").await;
    let answered = wait_for_text(&client, "Respuesta en revisión").await;
    assert!(
        answered.contains("Lote en control de calidad"),
        "{answered}"
    );

    // The company accepts the new date and receives 25 kg of the first line.
    let id: uuid::Uuid = order_path
        .split('/')
        .nth(3)
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .expect("the order's id");
    {
        let system = By {
            actor: Actor::System,
            request_id: None,
        };
        let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
        let row = tx.purchase_orders().find(id).await.unwrap().unwrap();
        tx.purchase_orders()
            .review(&row, &Review::Accept, system)
            .await
            .unwrap()
            .expect("reviewed");
        let receipt = ErpReceiptInput {
            external_ref: "EM-NAVEGADOR".into(),
            purchase_order: "ERP-OC-1001".into(),
            lines: vec![ReceiptLineInput {
                position: 1,
                accepted: "25".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
        .validate()
        .unwrap();
        tx.goods_receipts()
            .upsert(&[receipt], system)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    // Flip it: the invoice comes with the 25 kg received.
    client.goto(&format!("{site}{order_path}")).await.unwrap();
    wait_for_text(&client, "Recibida en parte").await;
    client
        .find(Locator::LinkText("Facturar esta orden"))
        .await
        .expect("the invoice button")
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "Escriba su número de factura").await;
    fill(&client, "#number", "FAC-LA-000900").await;
    fill(&client, "#quantity-0", "30").await;
    click(&client, "button[name=action][value=check]").await;
    wait_for_text(
        &client,
        "Factura más de lo recibido sin facturar (disponible: 25)",
    )
    .await;
    fill(&client, "#quantity-0", "25").await;
    click(&client, "button[name=action][value=check]").await;
    wait_for_text(&client, "Todo coincide con la orden").await;
    click(&client, "button[name=action][value=submit]").await;
    let sent = wait_for_text(&client, "Se envió la factura FAC-LA-000900").await;
    assert!(
        sent.contains("Enviada") && sent.contains("Coincide"),
        "{sent}"
    );

    client.close().await.unwrap();
    server.abort();
}
