//! Forms a user can act on: the error summary links each bad field, bad fields
//! are marked, required fields follow the company's rule, a chosen photo that
//! the browser drops is asked for again, and countries and currencies are
//! chosen from ISO lists named in the reader's language.

use poem::http::StatusCode;
use portico_tests::{Browser, FilePart, PASSWORD, Page, TestApp, TestDb, backend_tests};

/// The error summary's links, as `(href, text)`.
fn summary_links(page: &Page) -> Vec<(String, String)> {
    let Some(summary) = page.body.split("id=\"error-summary\"").nth(1) else {
        return Vec::new();
    };
    let summary = summary.split("</div>").next().unwrap_or_default();
    summary
        .split("<a href=\"")
        .skip(1)
        .filter_map(|rest| {
            let (href, rest) = rest.split_once('"')?;
            let text = rest.split_once('>')?.1.split("</a>").next()?;
            Some((href.replace("&#x2F;", "/"), text.to_owned()))
        })
        .collect()
}

async fn new_contact(browser: &Browser<'_>, fields: &[(&str, &str)]) -> Page {
    browser
        .submit("/admin/contacts/new", "/admin/contacts", fields)
        .await
}

async fn the_error_summary_links_each_bad_field_and_takes_the_focus(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;

    let page = new_contact(
        &owner,
        &[
            ("first_name", "Ana"),
            ("email", "ana-at-example"),
            ("mobile", "llámame"),
            ("country", "XX"),
        ],
    )
    .await;

    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links = summary_links(&page);
    let hrefs: Vec<&str> = links.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(hrefs, ["#email", "#mobile", "#country"], "{links:?}");
    assert!(
        links[0]
            .1
            .starts_with("Correo electrónico: Escriba un correo"),
        "{links:?}"
    );
    assert!(links[2].1.contains("Elija un país de la lista."));
    assert!(
        page.body
            .contains("id=\"error-summary\" tabindex=\"-1\" autofocus"),
        "the summary takes the focus"
    );
    for id in ["email", "mobile", "country"] {
        assert!(
            page.body.contains(&format!("id=\"{id}-error\"")),
            "{id} shows its error next to it"
        );
    }
    assert!(
        page.body
            .contains("<select id=\"country\" name=\"country\" aria-invalid=\"true\""),
        "a bad select is marked"
    );

    // A valid form has no summary.
    let form = owner.get("/admin/contacts/new").await;
    assert!(summary_links(&form).is_empty());
    assert!(!form.body.contains("id=\"error-summary\""));

    // The customer and branch forms have the same summary.
    let customer = owner
        .submit(
            "/admin/customers/new",
            "/admin/customers",
            &[("code", ""), ("name", "Uno"), ("country", "ZZ")],
        )
        .await;
    assert_eq!(customer.status, StatusCode::UNPROCESSABLE_ENTITY);
    let hrefs: Vec<String> = summary_links(&customer)
        .into_iter()
        .map(|(h, _)| h)
        .collect();
    assert_eq!(hrefs, ["#code", "#country"]);
}

async fn required_fields_are_marked_by_the_companys_rule(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let required = |page: &Page, id: &str| {
        let label = format!("<label for=\"{id}\">");
        page.body
            .split(&label)
            .nth(1)
            .and_then(|rest| rest.split("</label>").next())
            .is_some_and(|text| text.contains("<span aria-hidden=\"true\">*</span>"))
    };

    let any_of = owner.get("/admin/contacts/new").await;
    assert!(!required(&any_of, "first_name") && !required(&any_of, "last_name"));
    assert!(any_of.body.contains("Al menos uno de: nombres, apellidos"));

    owner
        .submit(
            "/admin/settings",
            "/admin/settings/rule",
            &[("rule", "first_and_last_name")],
        )
        .await;
    let both = owner.get("/admin/contacts/new").await;
    assert!(required(&both, "first_name") && required(&both, "last_name"));
    assert!(!required(&both, "email"));
    assert!(both.body.contains("Los campos con * son obligatorios."));
}

async fn a_photo_dropped_by_a_failed_submit_is_asked_for_again(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let form = owner.get("/admin/contacts/new").await;
    let token = form.csrf();
    let mut image = Vec::new();
    image::DynamicImage::new_rgb8(40, 40)
        .write_to(
            &mut std::io::Cursor::new(&mut image),
            image::ImageFormat::Png,
        )
        .unwrap();
    let photo = FilePart {
        field: "photo",
        file_name: "ana.png",
        content_type: "image/png",
        bytes: &image,
    };

    let failed = owner
        .post_multipart(
            "/admin/contacts",
            &[("_csrf", &token), ("email", "not-an-email")],
            std::slice::from_ref(&photo),
        )
        .await;

    assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        failed.body.contains("Elija la foto otra vez"),
        "{}",
        failed.body
    );
    let hrefs: Vec<String> = summary_links(&failed).into_iter().map(|(h, _)| h).collect();
    assert_eq!(hrefs, ["#email", "#photo"]);

    // Without a photo, nothing is said about one.
    let without = owner
        .post_multipart(
            "/admin/contacts",
            &[("_csrf", &token), ("email", "not-an-email")],
            &[],
        )
        .await;
    assert!(!without.body.contains("Elija la foto otra vez"));

    // With valid fields the same photo is saved.
    let saved = owner
        .post_multipart(
            "/admin/contacts",
            &[("_csrf", &token), ("email", "ana@alfa.do")],
            &[photo],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let record = owner.get(saved.location().unwrap()).await;
    assert!(record.body.contains("/photo/thumbnail"));
}

async fn countries_are_chosen_from_a_list_in_the_readers_language(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;

    let es = owner.get("/admin/contacts/new").await;
    assert!(
        es.body
            .contains("<option value=\"DO\">República Dominicana</option>")
    );
    assert!(
        es.body
            .contains("<select id=\"nationality\" name=\"nationality\"")
    );
    owner.set_cookie("portico_lang", "en");
    let en = owner.get("/admin/contacts/new").await;
    assert!(
        en.body
            .contains("<option value=\"DO\">Dominican Republic</option>")
    );
    // Sorted by the reader's names: Spain is "España" between "Eslovenia" and "Estados Unidos".
    let position = |page: &Page, code: &str| {
        page.body
            .find(&format!("<option value=\"{code}\">"))
            .unwrap()
    };
    assert!(position(&es, "SI") < position(&es, "ES") && position(&es, "ES") < position(&es, "US"));
    assert!(position(&en, "ES") > position(&en, "SI"));

    let saved = new_contact(
        &owner,
        &[
            ("first_name", "Ana"),
            ("country", "do"),
            ("nationality", "CO"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let record = owner.get(saved.location().unwrap()).await;
    assert!(record.body.contains("Dominican Republic") && record.body.contains("Colombia"));
    let edit = owner
        .get(&format!("{}/edit", saved.location().unwrap()))
        .await;
    assert!(
        edit.body
            .contains("<option value=\"DO\" selected>Dominican Republic</option>")
    );
    assert!(
        edit.body
            .contains("<option value=\"CO\" selected>Colombia</option>")
    );
}

async fn a_company_currency_is_an_iso_4217_code_chosen_by_name(db: TestDb) {
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
    assert!(
        form.body
            .contains("<option value=\"DOP\" selected>Peso dominicano (DOP)</option>"),
        "{}",
        form.body
    );
    assert!(
        form.body
            .contains("<option value=\"MXN\">Peso mexicano (MXN)</option>")
    );

    // "pesos" typed by hand used to become PES: a code that is no currency.
    let invalid = console
        .submit(
            "/tenants/new",
            "/tenants",
            &[
                ("name", "Uno"),
                ("slug", "uno"),
                ("currency", "PES"),
                ("owner_name", "Ana"),
                ("owner_email", "ana@uno.do"),
            ],
        )
        .await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links = summary_links(&invalid);
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0].0, "#currency");
    assert_eq!(links[0].1, "Moneda: Elija una moneda de la lista.");
    let mut tx = app.db.db.platform_tx().await.unwrap();
    assert!(
        tx.list_tenants().await.unwrap().is_empty(),
        "nothing was written"
    );
}

backend_tests!(
    the_error_summary_links_each_bad_field_and_takes_the_focus,
    required_fields_are_marked_by_the_companys_rule,
    a_photo_dropped_by_a_failed_submit_is_asked_for_again,
    countries_are_chosen_from_a_list_in_the_readers_language,
    a_company_currency_is_an_iso_4217_code_chosen_by_name,
);
