//! Customers, suppliers and contacts in the back office, through HTTP as a
//! browser would: the four ways in, the duplicate-email offer, field errors,
//! search and filters, history, roles, and isolation between companies.

use poem::http::StatusCode;
use portico_domain::StaffRole;
use portico_tests::{Browser, Page, TestApp, TestDb, backend_tests};

/// The `href` values in a page that start with `prefix`, HTML-unescaped.
fn links(page: &Page, prefix: &str) -> Vec<String> {
    page.body
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with(prefix))
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

/// Opens an add-contact form at `href`, fills it and saves it.
async fn add_contact(browser: &Browser<'_>, href: &str, fields: &[(&str, &str)]) -> Page {
    let form = browser.get(href).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let back = form
        .body
        .split("name=\"back\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .replace("&amp;", "&")
        .replace("&#x2F;", "/");
    let account = form
        .body
        .split("name=\"account_id\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let mut all: Vec<(&str, &str)> = vec![("_csrf", ""), ("back", &back), ("account_id", &account)];
    let token = form.csrf();
    all[0].1 = &token;
    all.extend_from_slice(fields);
    browser.post("/admin/contacts", &all).await
}

async fn the_four_ways_in_add_a_contact_and_return_where_they_came_from(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;

    // 1. The contact list's New.
    let list = owner.get("/admin/contacts").await;
    let new = links(&list, "/admin/contacts/new");
    let saved = add_contact(
        &owner,
        &new[0],
        &[("first_name", "Ana"), ("last_name", "Peña")],
    )
    .await;
    let record = saved
        .location()
        .expect("the new contact's record")
        .to_owned();
    assert!(
        record.starts_with("/admin/contacts/") && record.len() == "/admin/contacts/".len() + 36,
        "the list's New lands on the new record: {record}"
    );
    let shown = owner.get(&record).await;
    assert!(
        shown.body.contains("Se guardó a Ana Peña."),
        "a flash names the contact: {}",
        shown.body
    );
    let list = owner.get("/admin/contacts").await;
    assert!(list.body.contains("Ana Peña"));

    // 2. The customer list row's action menu → Contacts → Add contact.
    let customers = owner.get("/admin/customers").await;
    let add = links(&customers, "/admin/contacts/new?account=");
    assert_eq!(add.len(), 1, "{}", customers.body);
    let form = owner.get(&add[0]).await;
    assert!(
        form.body
            .contains("Cliente: <strong>Farmacia Carol</strong>"),
        "the customer is fixed"
    );
    let saved = add_contact(
        &owner,
        &add[0],
        &[("first_name", "Beto"), ("link_position", "Compras")],
    )
    .await;
    assert_eq!(saved.location(), Some("/admin/customers"));

    // 3. The customer record's action menu → Contacts → Add contact.
    let record = owner.get(&customer).await;
    let from_record: Vec<String> = links(&record, "/admin/contacts/new?account=")
        .into_iter()
        .filter(|l| !l.contains("tab%3Dcontacts"))
        .collect();
    let saved = add_contact(
        &owner,
        &from_record[0],
        &[("first_name", "Carla"), ("is_primary", "on")],
    )
    .await;
    assert_eq!(saved.location(), Some(customer.as_str()));

    // 4. The customer record's Contacts tab → Add contact.
    let tab = owner.get(&format!("{customer}?tab=contacts")).await;
    let from_tab: Vec<String> = links(&tab, "/admin/contacts/new?account=")
        .into_iter()
        .filter(|l| l.contains("tab%3Dcontacts"))
        .collect();
    let saved = add_contact(&owner, &from_tab[0], &[("email", "dario@carol.do")]).await;
    assert_eq!(
        saved.location(),
        Some(format!("{customer}?tab=contacts").as_str())
    );

    let tab = owner.get(&format!("{customer}?tab=contacts")).await;
    for name in ["Beto", "Carla", "dario@carol.do"] {
        assert!(tab.body.contains(name), "{name} is linked to the customer");
    }
    assert!(
        !tab.body.contains("Ana Peña"),
        "the contact from the list is not linked"
    );
    assert!(
        tab.body.contains("Compras"),
        "the position at the customer is kept"
    );

    // The same for a supplier, from its row.
    let supplier = owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;
    let suppliers = owner.get("/admin/suppliers").await;
    let add = links(&suppliers, "/admin/contacts/new?account=");
    let saved = add_contact(&owner, &add[0], &[("first_name", "Andrés")]).await;
    assert_eq!(saved.location(), Some("/admin/suppliers"));
    let tab = owner.get(&format!("{supplier}?tab=contacts")).await;
    assert!(tab.body.contains("Andrés"));
    let history = owner.get(&format!("{supplier}?tab=history")).await;
    assert!(
        history
            .body
            .contains("Vinculó el contacto a Laboratorios Andinos")
    );
}

async fn a_duplicate_email_offers_to_link_the_existing_person(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let first = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let second = owner
        .create_account("customers", "C-002", "Clínica Abreu")
        .await;
    let add_first = links(&owner.get(&first).await, "/admin/contacts/new?account=")[0].clone();
    let add_second = links(&owner.get(&second).await, "/admin/contacts/new?account=")[0].clone();
    add_contact(
        &owner,
        &add_first,
        &[("first_name", "Rosa"), ("email", "rosa@carol.do")],
    )
    .await;

    let again = add_contact(
        &owner,
        &add_second,
        &[
            ("first_name", "Rosa E."),
            ("email", "ROSA@Carol.do"),
            ("link_position", "Auditora"),
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("Este contacto ya existe"));
    assert!(
        again.body.contains("Farmacia Carol"),
        "it names where the person already is"
    );
    let action = again
        .body
        .split("action=\"/admin/contacts/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a form that links the existing contact");
    assert!(action.ends_with("/links"));
    let list = owner.get("/admin/contacts").await;
    assert_eq!(
        list.body.matches("href=\"/admin/contacts/0").count(),
        1,
        "nothing was written"
    );

    // Accept the offer: the existing person is linked, with the position typed.
    let token = again.csrf();
    let account_id = add_second
        .split("account=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let linked = owner
        .post(
            &format!("/admin/contacts/{action}"),
            &[
                ("_csrf", &token),
                ("account_id", account_id),
                ("link_position", "Auditora"),
                ("back", &second),
            ],
        )
        .await;
    assert_eq!(linked.location(), Some(second.as_str()));
    let tab = owner.get(&format!("{second}?tab=contacts")).await;
    assert!(tab.body.contains("Rosa") && tab.body.contains("Auditora"));

    // Offering again for the same account says it is already linked.
    let third = add_contact(&owner, &add_second, &[("email", "rosa@carol.do")]).await;
    assert!(third.body.contains("Ya está vinculado a esta cuenta"));

    // From an account's Contacts tab, link a person already in the directory by email.
    let third_account = owner
        .create_account("customers", "C-003", "Hotel Caribe")
        .await;
    let account_id = third_account.rsplit('/').next().unwrap();
    let tab = format!("{third_account}?tab=contacts");
    let unknown = owner
        .submit(
            &tab,
            "/admin/contacts/link-existing",
            &[("account_id", account_id), ("email", "nadie@x.do")],
        )
        .await;
    assert_eq!(unknown.location(), Some(tab.as_str()));
    let shown = owner.get(&tab).await;
    assert!(shown.body.contains("class=\"alert error\""));
    assert!(
        shown
            .body
            .contains("No hay ningún contacto con ese correo electrónico.")
    );
    let linked = owner
        .submit(
            &tab,
            "/admin/contacts/link-existing",
            &[
                ("account_id", account_id),
                ("email", "ROSA@carol.do"),
                ("link_position", "Gerente"),
            ],
        )
        .await;
    assert_eq!(linked.location(), Some(tab.as_str()));
    let shown = owner.get(&tab).await;
    assert!(
        shown.body.contains("Se guardó el vínculo de Rosa") && shown.body.contains("Gerente"),
        "{}",
        shown.body
    );
}

async fn field_errors_are_precise_translated_and_nothing_is_written(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let bad = [
        ("first_name", "Ana"),
        ("email", "ana-at-example"),
        ("mobile", "llámame"),
        ("x_url", "https://facebook.com/ana"),
        ("nationality", "XX"),
        ("licence_expiry", "31/12/2026"),
    ];
    let page = add_contact(&owner, "/admin/contacts/new", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in [
        "Revise los campos marcados.",
        "Escriba un correo electrónico válido",
        "Escriba un teléfono válido",
        "La dirección debe ser un perfil de esa red social.",
        "Elija un país de la lista.",
        "Escriba una fecha válida",
    ] {
        assert!(page.body.contains(message), "{message}");
    }
    assert!(
        page.body.contains("value=\"llámame\""),
        "what was typed is kept"
    );
    assert!(page.body.contains("id=\"email\" name=\"email\" value=\"ana-at-example\" maxlength=\"254\" aria-invalid=\"true\""));
    let empty = add_contact(&owner, "/admin/contacts/new", &[("nickname", "")]).await;
    assert!(
        empty
            .body
            .contains("Escriba al menos nombres, apellidos o correo electrónico.")
    );

    // English, and the company's stricter rule.
    owner.set_cookie("portico_lang", "en");
    let settings = owner
        .submit(
            "/admin/settings",
            "/admin/settings/rule",
            &[("rule", "first_and_last_name")],
        )
        .await;
    assert_eq!(settings.location(), Some("/admin/settings"));
    let page = add_contact(
        &owner,
        "/admin/contacts/new",
        &[("first_name", "Ana"), ("email", "ana@x.do")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("This field is required."),
        "{}",
        page.body
    );
    let list = owner.get("/admin/contacts").await;
    assert!(
        list.body.contains("There are no contacts yet."),
        "nothing was written"
    );

    // A customer code is unique per kind.
    owner.create_account("customers", "C-001", "Uno").await;
    let taken = owner
        .submit(
            "/admin/customers/new",
            "/admin/customers",
            &[("code", "c-001"), ("name", "Dos")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("That code is already in use."));
}

async fn find(browser: &Browser<'_>, q: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    browser.get(&format!("/admin/contacts?q={q}")).await.body
}

async fn contacts_are_found_by_name_email_phone_and_account_and_filtered(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let carol = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let add = links(&owner.get(&carol).await, "/admin/contacts/new?account=")[0].clone();
    add_contact(
        &owner,
        &add,
        &[
            ("first_name", "Carolina"),
            ("last_name", "Méndez"),
            ("mobile", "+1 809 555 0111"),
        ],
    )
    .await;
    add_contact(
        &owner,
        "/admin/contacts/new",
        &[
            ("first_name", "Pedro"),
            ("email", "pedro@ferre.do"),
            ("email_opt_out", "on"),
        ],
    )
    .await;
    add_contact(
        &owner,
        "/admin/contacts/new",
        &[("first_name", "Zoila"), ("last_name", "100%_real")],
    )
    .await;

    let owner = &owner;
    assert!(find(owner, "carolina").await.contains("Carolina Méndez"));
    assert!(
        find(owner, "MENDEZ").await.contains("Carolina Méndez"),
        "accents and case do not matter"
    );
    assert!(find(owner, "PEDRO@ferre").await.contains("Pedro"));
    assert!(
        find(owner, "8095550111").await.contains("Carolina Méndez"),
        "digits find formatted phones"
    );
    let by_account = find(owner, "farmacia").await;
    assert!(by_account.contains("Carolina Méndez") && !by_account.contains("Pedro"));
    let literal = find(owner, "0%_").await;
    assert!(
        literal.contains("Zoila") && !literal.contains("Pedro"),
        "% and _ are literal"
    );
    assert!(
        find(owner, "nadie")
            .await
            .contains("Ningún registro coincide")
    );

    let opted_out = owner.get("/admin/contacts?opted_out=yes").await.body;
    assert!(opted_out.contains("Pedro") && !opted_out.contains("Carolina"));
    let customers_only = owner.get("/admin/contacts?kind=customer").await.body;
    assert!(customers_only.contains("Carolina") && !customers_only.contains("Zoila"));
    // Accented names sort with their letter on both backends.
    owner.create_account("customers", "C-002", "Zafiro").await;
    owner.create_account("customers", "C-003", "Ámbar").await;
    let customers = owner.get("/admin/customers").await.body;
    let order: Vec<usize> = ["Ámbar", "Farmacia Carol", "Zafiro"]
        .iter()
        .map(|n| customers.find(n).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let newest = owner.get("/admin/contacts?sort=newest").await.body;
    assert!(newest.find("Zoila").unwrap() < newest.find("Carolina").unwrap());
}

async fn lists_page_with_keyset_links_that_keep_the_filters(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    let by = portico_data::By {
        actor: portico_data::Actor::System,
        request_id: None,
    };
    for i in 0..120 {
        let input = portico_domain::ContactInput {
            first_name: format!("Persona {i:03}"),
            last_name: if i % 2 == 0 {
                "Par".into()
            } else {
                "Impar".into()
            },
            ..Default::default()
        };
        let fields = input.validate(Default::default()).unwrap();
        tx.contacts().create(&fields, by).await.unwrap();
    }
    tx.commit().await.unwrap();
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let mut seen = Vec::new();
    let mut next = Some("/admin/contacts?q=impar".to_owned());
    while let Some(url) = next {
        let page = owner.get(&url).await;
        seen.extend(links(&page, "/admin/contacts/0"));
        next = links(&page, "/admin/contacts?")
            .into_iter()
            .find(|l| l.contains("after_id"));
        if let Some(n) = &next {
            assert!(n.contains("q=impar"), "the search is kept: {n}");
        }
    }
    assert_eq!(seen.len(), 60);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 60, "no row twice across pages");
}

async fn every_change_is_in_the_history_with_before_and_after(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let saved = add_contact(
        &owner,
        "/admin/contacts/new",
        &[("first_name", "Ana"), ("phone", "809 555 0100")],
    )
    .await;
    let record = saved.location().unwrap().to_owned();
    let edit = owner.get(&format!("{record}/edit")).await;
    assert!(edit.body.contains("value=\"809 555 0100\""));
    let updated = owner
        .post(
            &record,
            &[
                ("_csrf", &edit.csrf()),
                ("first_name", "Ana"),
                ("phone", "809 555 0199"),
                ("important_dates", "Cumpleaños: 1985-04-12"),
            ],
        )
        .await;
    assert_eq!(updated.location(), Some(record.as_str()));
    let archived = owner
        .submit(&record, &format!("{record}/archive"), &[])
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let page = owner.get(&record).await;
    for text in [
        "Creó el contacto",
        "Modificó el contacto",
        "809 555 0100 → 809 555 0199",
        "Archivó el contacto",
        "Dueña de alfa",
        "Fechas importantes</strong>: — → Cumpleaños: 1985-04-12",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    assert!(
        !owner.get("/admin/contacts").await.body.contains("Ana"),
        "archived contacts leave the list"
    );
    assert!(
        owner
            .get("/admin/contacts?archived=1")
            .await
            .body
            .contains("Ana")
    );
    let confirm = owner.get(&format!("{record}/delete")).await;
    assert!(confirm.body.contains("¿Eliminar este contacto?"));
    let deleted = owner
        .submit(
            &format!("{record}/delete"),
            &format!("{record}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.location(), Some("/admin/contacts"));
    assert_eq!(owner.get(&record).await.status, StatusCode::NOT_FOUND);
    assert!(
        owner
            .get("/admin")
            .await
            .body
            .contains("Eliminó el contacto"),
        "the log keeps it"
    );
}

async fn read_only_staff_see_everything_and_change_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    app.staff(&tenant, "lectura@alfa.test", StaffRole::ReadOnly)
        .await;
    app.staff(&tenant, "ventas@alfa.test", StaffRole::Sales)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let supplier = owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;
    let add = links(&owner.get(&customer).await, "/admin/contacts/new?account=")[0].clone();
    let contact = add_contact(&owner, &add, &[("first_name", "Rosa")]).await;
    assert_eq!(contact.status, StatusCode::SEE_OTHER);
    let rosa = links(
        &owner.get(&format!("{customer}?tab=contacts")).await,
        "/admin/contacts/0",
    )[0]
    .clone();

    let reader = app.signed_in("alfa", "lectura@alfa.test").await;
    for path in [
        "/admin/customers",
        "/admin/suppliers",
        "/admin/contacts",
        customer.as_str(),
        rosa.as_str(),
    ] {
        let page = reader.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains("/edit\""), "no edit action on {path}");
    }
    let list = reader.get("/admin/contacts").await;
    for (path, form) in [
        ("/admin/contacts", vec![("first_name", "X")]),
        ("/admin/customers", vec![("code", "C-9"), ("name", "X")]),
        (&format!("{customer}/archive") as &str, vec![]),
        (&format!("{rosa}/archive"), vec![]),
        (&format!("{rosa}/delete"), vec![]),
        (&rosa, vec![("first_name", "Hacked")]),
        ("/admin/settings/categories", vec![("name", "X")]),
    ] {
        let mut fields = vec![("_csrf", list.csrf())];
        fields.extend(form.into_iter().map(|(k, v)| (k, v.to_owned())));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = reader.post(path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        reader.get(&format!("{rosa}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        reader.get("/admin/contacts/new").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(owner.get(&rosa).await.body.contains("Rosa"), "unchanged");

    // Sales manages customers and their contacts, not suppliers'.
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    assert_eq!(
        sales.get(&format!("{customer}/edit")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sales.get(&format!("{rosa}/edit")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        sales.get(&format!("{supplier}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let supplier_id = supplier.rsplit('/').next().unwrap();
    assert_eq!(
        sales
            .get(&format!("/admin/contacts/new?account={supplier_id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // A supplier's contact stays purchasing's, even once sales links it to a customer.
    let add = links(&owner.get(&supplier).await, "/admin/contacts/new?account=")[0].clone();
    add_contact(&owner, &add, &[("first_name", "Proveedora")]).await;
    let theirs = links(
        &owner.get(&format!("{supplier}?tab=contacts")).await,
        "/admin/contacts/0",
    )[0]
    .clone();
    assert_eq!(
        sales.get(&format!("{theirs}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let customer_id = customer.rsplit('/').next().unwrap();
    let linked = sales
        .submit(
            &theirs,
            &format!("{theirs}/links"),
            &[("account_id", customer_id)],
        )
        .await;
    assert_eq!(
        linked.status,
        StatusCode::SEE_OTHER,
        "sales may link it to a customer"
    );
    assert_eq!(
        sales.get(&format!("{theirs}/edit")).await.status,
        StatusCode::FORBIDDEN,
        "but still not edit a supplier's contact"
    );
    let archive = sales
        .submit(&theirs, &format!("{theirs}/archive"), &[])
        .await;
    assert_eq!(archive.status, StatusCode::FORBIDDEN);
}

async fn another_companys_accounts_and_contacts_stay_invisible(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa_tenant = app.company("alfa").await;
    app.company("beta").await;
    let alfa = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = alfa
        .create_account("customers", "C-001", "Secreto de Alfa")
        .await;
    let add = links(&alfa.get(&customer).await, "/admin/contacts/new?account=")[0].clone();
    add_contact(
        &alfa,
        &add,
        &[("first_name", "Confidencial"), ("email", "conf@alfa.do")],
    )
    .await;
    let contact = links(
        &alfa.get(&format!("{customer}?tab=contacts")).await,
        "/admin/contacts/0",
    )[0]
    .clone();
    let customer_id = customer.rsplit('/').next().unwrap();
    let link = alfa
        .get(&contact)
        .await
        .body
        .split("action=\"/admin/links/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|id| format!("/admin/links/{id}"))
        .expect("the contact's link");
    let mut tx = app.db.db.tenant_tx(&alfa_tenant).await.unwrap();
    let alfa_owner = tx.staff().list(None, 1).await.unwrap().remove(0).id;
    let key = "pk_alfa";
    let by = portico_data::By {
        actor: portico_data::Actor::System,
        request_id: None,
    };
    let alfa_key = tx
        .api_keys()
        .create(
            "k",
            StaffRole::Admin,
            key,
            &portico_auth::hash_token(key),
            by,
        )
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();

    let beta = app.signed_in("beta", "owner@beta.test").await;
    for path in [
        customer.clone(),
        format!("{customer}?tab=contacts"),
        format!("{customer}/edit"),
        contact.clone(),
        format!("{contact}/edit"),
        format!("/admin/contacts/new?account={customer_id}"),
        format!("/admin/suppliers/{customer_id}"),
    ] {
        assert_eq!(
            beta.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let list = beta.get("/admin/contacts?q=conf").await;
    assert!(!list.body.contains("Confidencial"));
    assert!(!beta.get("/admin/customers").await.body.contains("Secreto"));
    let token = list.csrf();
    for (path, fields) in [
        (customer.clone(), vec![("code", "X"), ("name", "Robado")]),
        (contact.clone(), vec![("first_name", "Robado")]),
        (format!("{contact}/archive"), vec![]),
        (format!("{contact}/delete"), vec![]),
        (
            format!("{contact}/links"),
            vec![("account_id", customer_id)],
        ),
        (
            "/admin/contacts".to_owned(),
            vec![("first_name", "X"), ("account_id", customer_id)],
        ),
        (
            "/admin/contacts/link-existing".to_owned(),
            vec![("email", "conf@alfa.do"), ("account_id", customer_id)],
        ),
        (link.clone(), vec![("link_position", "Robado")]),
        (format!("{link}/delete"), vec![]),
        (format!("{customer}/archive"), vec![]),
        (format!("{customer}/restore"), vec![]),
        (
            format!("{customer}/branches"),
            vec![("code", "X"), ("name", "X")],
        ),
        (format!("/admin/api-keys/{alfa_key}/revoke"), vec![]),
        (
            format!("/admin/staff/{alfa_owner}"),
            vec![("role", "read_only")],
        ),
        (format!("/admin/staff/{alfa_owner}/password"), vec![]),
    ] {
        let mut all = vec![("_csrf", token.as_str())];
        all.extend(fields);
        assert_eq!(
            beta.post(&path, &all).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The same email may exist in both companies: one person per company.
    let dup = add_contact(&beta, "/admin/contacts/new", &[("email", "conf@alfa.do")]).await;
    assert_eq!(dup.status, StatusCode::SEE_OTHER);
    let page = alfa.get(&contact).await;
    assert!(
        page.body.contains("Confidencial"),
        "alfa's contact is untouched"
    );
    assert!(page.body.contains("/admin/links/"), "and keeps its link");
    assert!(!alfa.get(&customer).await.body.contains("Archivado"));
    let keys = alfa.get("/admin/api-keys").await;
    assert!(
        !keys.body.contains("badge suspended"),
        "alfa's key is not revoked"
    );
    assert!(alfa.get("/admin/staff").await.body.contains("Propietario"));
}

backend_tests!(
    the_four_ways_in_add_a_contact_and_return_where_they_came_from,
    a_duplicate_email_offers_to_link_the_existing_person,
    field_errors_are_precise_translated_and_nothing_is_written,
    contacts_are_found_by_name_email_phone_and_account_and_filtered,
    lists_page_with_keyset_links_that_keep_the_filters,
    every_change_is_in_the_history_with_before_and_after,
    read_only_staff_see_everything_and_change_nothing,
    another_companys_accounts_and_contacts_stay_invisible,
    filtered_lists_export_as_csv_and_vcard,
    owners_and_admins_manage_staff_users,
    customers_keep_branches_that_can_be_edited_and_archived,
);

async fn filtered_lists_export_as_csv_and_vcard(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    app.company("beta").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let carol = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let add = links(&owner.get(&carol).await, "/admin/contacts/new?account=")[0].clone();
    add_contact(
        &owner,
        &add,
        &[
            ("first_name", "María"),
            ("last_name", "Peña, Díaz"),
            ("email", "maria@carol.do"),
            ("notes", "=1+1"),
        ],
    )
    .await;
    // Enough contacts to cross a streaming batch.
    let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
    let by = portico_data::By {
        actor: portico_data::Actor::System,
        request_id: None,
    };
    for i in 0..620 {
        let input = portico_domain::ContactInput {
            first_name: format!("Zeta {i:04}"),
            ..Default::default()
        };
        tx.contacts()
            .create(&input.validate(Default::default()).unwrap(), by)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    let list = owner.get("/admin/contacts?q=zeta").await;
    let csv_href = links(&list, "/admin/contacts/export.csv")[0].clone();
    assert!(
        csv_href.contains("q=zeta"),
        "the export keeps the filters: {csv_href}"
    );
    let csv = owner.get(&csv_href).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("id,title,first_name,last_name"));
    assert_eq!(lines.len(), 621, "header plus every match across batches");
    assert!(!csv.body.contains("María"));

    let mine = owner
        .get("/admin/contacts/export.csv?account=".to_owned().as_str())
        .await;
    assert!(mine.body.contains("\"Peña, Díaz\""), "quoted");
    assert!(mine.body.contains("'=1+1"), "formulas are defused");
    assert!(mine.body.contains("C-001"), "linked accounts are listed");

    let one = links(
        &owner.get(&format!("{carol}?tab=contacts")).await,
        "/admin/contacts/0",
    )[0]
    .clone();
    let card = owner.get(&format!("{one}/vcard")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert!(card.body.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"));
    assert!(card.body.contains("N:Peña\\, Díaz;María;;;"));
    assert!(card.body.contains("EMAIL;TYPE=work:maria@carol.do"));
    assert!(card.body.contains("ORG:Farmacia Carol"));
    let cards = owner.get("/admin/contacts/export.vcf?q=zeta").await;
    assert_eq!(cards.body.matches("BEGIN:VCARD").count(), 620);

    let accounts = owner.get("/admin/customers/export.csv").await;
    assert!(accounts.body.contains("C-001,Farmacia Carol"));
    let beta = app.signed_in("beta", "owner@beta.test").await;
    assert_eq!(
        beta.get(&format!("{one}/vcard")).await.status,
        StatusCode::NOT_FOUND
    );
    let theirs = beta.get("/admin/contacts/export.csv").await;
    assert_eq!(
        theirs.body.lines().count(),
        1,
        "another company exports only its own"
    );
    assert!(
        !beta
            .get("/admin/customers/export.csv")
            .await
            .body
            .contains("Carol")
    );
}

async fn owners_and_admins_manage_staff_users(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    app.staff(&tenant, "admin@alfa.test", StaffRole::Admin)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let added = owner
        .submit(
            "/admin/staff",
            "/admin/staff",
            &[
                ("name", "Carlos Pérez"),
                ("email", "Carlos@Alfa.test"),
                ("role", "sales"),
            ],
        )
        .await;
    assert_eq!(added.location(), Some("/admin/staff"));
    let page = owner.get("/admin/staff").await;
    let password = page
        .body
        .split("<code id=\"new-password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the temporary password is shown once")
        .to_owned();
    assert!(!owner.get("/admin/staff").await.body.contains(&password));
    let carlos = app.browser("alfa.localhost:8080");
    let signed = carlos
        .submit(
            "/admin/sign-in",
            "/admin/sign-in",
            &[("email", "carlos@alfa.test"), ("password", &password)],
        )
        .await;
    assert_eq!(
        signed.location(),
        Some("/admin/password"),
        "the one-time password must be replaced first"
    );
    let chosen = carlos
        .submit(
            "/admin/password",
            "/admin/password",
            &[
                ("password", "la clave de carlos"),
                ("password_confirmation", "la clave de carlos"),
            ],
        )
        .await;
    assert_eq!(chosen.location(), Some("/admin"), "{}", chosen.body);
    assert_eq!(
        carlos.get("/admin/staff").await.status,
        StatusCode::FORBIDDEN,
        "sales manage no staff"
    );

    let dup = owner
        .submit(
            "/admin/staff",
            "/admin/staff",
            &[
                ("name", "Otro"),
                ("email", "carlos@alfa.test"),
                ("role", "sales"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.body
            .contains("Ya hay un usuario con este correo electrónico.")
    );

    // Disabling ends the user's session at once.
    let page = owner.get("/admin/staff").await;
    let ids: Vec<String> = page
        .body
        .split("action=\"/admin/staff/")
        .skip(1)
        .filter_map(|r| r.split('"').next().map(str::to_owned))
        .filter(|id| !id.ends_with("/password"))
        .collect();
    assert_eq!(ids.len(), 2, "the owner edits everyone but herself");
    for id in &ids {
        let row_start = page.body.find(&format!("/admin/staff/{id}")).unwrap();
        let before = &page.body[..row_start];
        if before.rfind("carlos@alfa.test") > before.rfind("admin@alfa.test") {
            let saved = owner
                .post(
                    &format!("/admin/staff/{id}"),
                    &[("_csrf", &page.csrf()), ("role", "sales")],
                )
                .await;
            assert_eq!(saved.location(), Some("/admin/staff"));
        }
    }
    assert_eq!(
        carlos.get("/admin").await.location(),
        Some("/admin/sign-in"),
        "signed out when disabled"
    );
    let history = owner.get("/admin").await;
    assert!(history.body.contains("Cambió el acceso de un usuario"));

    // Admins cannot grant or touch the owner role.
    let admin = app.signed_in("alfa", "admin@alfa.test").await;
    let as_owner = admin
        .submit(
            "/admin/staff",
            "/admin/staff",
            &[("name", "X"), ("email", "x@alfa.test"), ("role", "owner")],
        )
        .await;
    assert_eq!(as_owner.status, StatusCode::FORBIDDEN);
    let list = admin.get("/admin/staff").await;
    assert_eq!(
        list.body.matches("action=\"/admin/staff/").count()
            - list.body.matches("/password\"").count(),
        1,
        "only carlos is editable by the admin"
    );
}

async fn customers_keep_branches_that_can_be_edited_and_archived(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    app.company("beta").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let plain = owner
        .create_account("customers", "C-001", "Sin sucursales")
        .await;
    let refused = owner
        .submit(
            &plain,
            &format!("{plain}/branches"),
            &[("code", "S-1"), ("name", "Naco")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("no tiene las sucursales habilitadas"));

    let created = owner
        .submit(
            "/admin/customers/new",
            "/admin/customers",
            &[
                ("code", "C-002"),
                ("name", "Farmacia Carol"),
                ("branches_enabled", "on"),
            ],
        )
        .await;
    let carol = created.location().unwrap().to_owned();
    let tab = format!("{carol}?tab=branches");
    let added = owner
        .submit(
            &tab,
            &format!("{carol}/branches"),
            &[
                ("code", "SUC-NACO"),
                ("name", "Sucursal Naco"),
                ("city", "Santo Domingo"),
            ],
        )
        .await;
    assert_eq!(added.location(), Some(tab.as_str()));
    let taken = owner
        .submit(
            &tab,
            &format!("{carol}/branches"),
            &[("code", "suc-naco"), ("name", "Otra")],
        )
        .await;
    assert!(taken.body.contains("Ese código ya está en uso."));
    let edit = links(&owner.get(&tab).await, &format!("{carol}/branches/"))[0].clone();
    let form = owner.get(&edit).await;
    assert!(form.body.contains("value=\"Sucursal Naco\""));
    let saved = owner
        .post(
            &edit,
            &[
                ("_csrf", &form.csrf()),
                ("code", "SUC-NACO"),
                ("name", "Sucursal Naco Norte"),
            ],
        )
        .await;
    assert_eq!(saved.location(), Some(tab.as_str()));
    let page = owner.get(&tab).await;
    assert!(page.body.contains("Sucursal Naco Norte") && page.body.contains("Archivado"));
    let history = owner.get(&format!("{carol}?tab=history")).await;
    assert!(
        history.body.contains("Modificó una sucursal")
            && history.body.contains("Agregó una sucursal")
    );

    let beta = app.signed_in("beta", "owner@beta.test").await;
    assert_eq!(beta.get(&edit).await.status, StatusCode::NOT_FOUND);
    let token = beta.get("/admin/customers").await.csrf();
    let robbed = beta
        .post(
            &edit,
            &[("_csrf", &token), ("code", "X"), ("name", "Robada")],
        )
        .await;
    assert_eq!(robbed.status, StatusCode::NOT_FOUND);
    assert!(
        owner.get(&tab).await.body.contains("Sucursal Naco Norte"),
        "untouched"
    );
}
