//! The company's details: its staff set the legal name, tax id, address and
//! logo on the settings page; the logo shows in every page's header and is
//! served only on its own company's site; the letterhead of every PDF
//! carries them; bad input is explained and changes nothing.

use poem::http::{Method, StatusCode, header};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant, invoice_input, portal_base};
use portico_tests::{
    Browser, FilePart, TestApp, TestDb, backend_tests,
    pdf::{pdf_text, pdftotext_available},
};
use serde_json::{Value, json};

backend_tests!(
    the_profile_and_logo_reach_the_header_and_the_letterhead,
    bad_details_are_explained_and_change_nothing,
    a_logo_is_served_only_on_its_own_companys_site,
    a_company_that_rounds_per_document_totals_new_documents_so,
);

const PAGE: &str = "/admin/settings/company";

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, _| {
        image::Rgba([200, (x % 200) as u8, 40, 180])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG");
    out.into_inner()
}

/// Uploads `bytes` as the logo from the company page.
async fn upload(owner: &Browser<'_>, name: &str, bytes: &[u8]) -> portico_tests::Page {
    let token = owner.get(PAGE).await.csrf();
    owner
        .post_multipart(
            &format!("{PAGE}/logo"),
            &[("_csrf", &token)],
            &[FilePart {
                field: "logo",
                file_name: name,
                content_type: "image/png",
                bytes,
            }],
        )
        .await
}

/// The path of the logo in a page's header (`/logo/<id>`).
fn header_logo(html: &str) -> Option<String> {
    let at = html.find("class=\"brand-logo\" src=\"")? + "class=\"brand-logo\" src=\"".len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// The logo files the company has in the file store.
fn stored_logos(app: &TestApp, alfa: &Company<'_>) -> usize {
    let dir = app
        .files_dir
        .path()
        .join(format!("tenants/{}/logos", alfa.tenant.id().as_uuid()));
    std::fs::read_dir(dir).map_or(0, Iterator::count)
}

async fn the_profile_and_logo_reach_the_header_and_the_letterhead(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::named(&app, "alfa", "Alfa Médica").await;
    let owner = alfa.staff_session("owner@alfa.test").await;

    let page = owner.get(PAGE).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Datos de la empresa"), "{}", page.body);
    assert!(header_logo(&page.body).is_none(), "no logo yet");
    let saved = owner
        .submit(
            PAGE,
            PAGE,
            &[
                ("legal_name", " Alfa Médica del Cibao, S.R.L. "),
                ("tax_id", "1-31-99999-9"),
                (
                    "address",
                    "Calle Duarte 12, Peña\r\n\r\nSantiago de los Caballeros",
                ),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = owner.get(PAGE).await;
    assert!(page.body.contains("Configuración guardada"));
    assert!(
        page.body
            .contains("value=\"Alfa Médica del Cibao, S.R.L.\"")
    );
    assert!(
        page.body
            .contains("Calle Duarte 12, Peña\nSantiago de los Caballeros")
    );

    let uploaded = upload(&owner, "logo.png", &png(1200, 300)).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let page = owner.get(PAGE).await;
    assert!(page.body.contains("Logotipo guardado"));
    let logo = header_logo(&page.body).expect("the header shows the logo");
    let served = app.browser(&alfa.host()).get(&logo).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(
        served
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
        Some(&b"image/png"[..])
    );
    let stored = image::load_from_memory(&served.bytes).expect("an image");
    assert_eq!((stored.width(), stored.height()), (600, 150), "fitted");
    assert_eq!(stored_logos(&app, &alfa), 1);
    // Replaced: the new logo has a new address, the old file is gone.
    let replaced = upload(&owner, "otro.png", &png(200, 100)).await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER);
    let newer = header_logo(&owner.get(PAGE).await.body).expect("a logo");
    assert_ne!(newer, logo);
    assert_eq!(
        app.browser(&alfa.host()).get(&logo).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored_logos(&app, &alfa), 1, "the replaced file is removed");
    let logo = newer;

    // A portal contact sees the logo too, and prints it on the letterhead.
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    let contact = alfa.contact("Fina", "Uno", "fina@uno.test").await;
    alfa.link(
        contact,
        customer,
        AccountKind::Customer,
        &Grant::all_branches(&["sales.view", "receivables.view"]),
    )
    .await;
    let invoice = alfa
        .invoices(&[invoice_input(
            "FAC-1",
            "C-1",
            None,
            "2026-03-01",
            "2026-03-31",
            "100",
        )])
        .await[0];
    let fina = alfa.portal_session(Portal::Customer, "fina@uno.test").await;
    let base = portal_base(Portal::Customer);
    let home = fina.get(base).await;
    assert_eq!(header_logo(&home.body).as_deref(), Some(logo.as_str()));
    let pdf = fina
        .get(&format!("{base}/sales/invoices/{invoice}/pdf"))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    let images = |pdf: &[u8]| pdf.windows(13).filter(|w| w == b"/Subtype /Ima").count();
    assert!(images(&pdf.bytes) >= 1, "the logo is drawn");
    if pdftotext_available() {
        letterhead_reads_back(&fina, &pdf.bytes).await;
    }

    // Removed: the header shows the name alone, the old address is gone, and
    // PDFs carry no image.
    let removed = owner
        .submit(PAGE, &format!("{PAGE}/logo/remove"), &[])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let page = owner.get(PAGE).await;
    assert!(header_logo(&page.body).is_none(), "no logo in the header");
    assert_eq!(
        app.browser(&alfa.host()).get(&logo).await.status,
        StatusCode::NOT_FOUND
    );
    let pdf = fina
        .get(&format!("{base}/sales/invoices/{invoice}/pdf"))
        .await;
    assert_eq!(images(&pdf.bytes), 0, "no logo drawn");
    assert_eq!(stored_logos(&app, &alfa), 0, "the removed file is gone");
    if pdftotext_available() {
        assert!(pdf_text(&pdf.bytes).contains("RNC: 1-31-99999-9"));
    }
}

/// The text of an invoice's PDF and of a statement carry the letterhead.
async fn letterhead_reads_back(fina: &Browser<'_>, invoice_pdf: &[u8]) {
    let text = pdf_text(invoice_pdf);
    for shown in [
        "Alfa Médica",
        "Alfa Médica del Cibao, S.R.L.",
        "RNC: 1-31-99999-9",
        "Calle Duarte 12, Peña",
        "Santiago de los Caballeros",
        "Factura FAC-1",
    ] {
        assert!(text.contains(shown), "{shown:?} not in:\n{text}");
    }
    let base = portal_base(Portal::Customer);
    let statement = fina
        .get(&format!(
            "{base}/receivables/statement/pdf?currency=DOP&from=2026-01-01&to=2026-12-31"
        ))
        .await;
    assert!(pdf_text(&statement.bytes).contains("RNC: 1-31-99999-9"));
}

async fn bad_details_are_explained_and_change_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    let saved = owner
        .submit(
            PAGE,
            PAGE,
            &[("legal_name", "Alfa, S.A."), ("tax_id", "101")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    let long = "9".repeat(51);
    let refused = owner
        .submit(
            PAGE,
            PAGE,
            &[
                ("legal_name", "Otra, S.A."),
                ("tax_id", &long),
                ("address", "1\n2\n3\n4\n5"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("error-summary"), "{}", refused.body);
    assert!(
        refused.body.contains("más líneas de las que caben"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Otra, S.A.\""),
        "the input is kept"
    );
    let page = owner.get(PAGE).await;
    assert!(
        page.body.contains("value=\"Alfa, S.A.\""),
        "nothing changed"
    );
    assert!(page.body.contains("value=\"101\""), "nothing changed");

    for (name, bytes, message) in [
        (
            "notas.png",
            b"not an image at all".to_vec(),
            "no es una imagen",
        ),
        (
            "enorme.png",
            vec![0_u8; portico_files::MAX_LOGO_BYTES + 1],
            "más de lo permitido",
        ),
    ] {
        let refused = upload(&owner, name, &bytes).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(refused.body.contains(message), "{name}: {}", refused.body);
        assert!(refused.body.contains("aria-invalid=\"true\""));
    }
    let token = owner.get(PAGE).await.csrf();
    let none = owner
        .post_multipart(&format!("{PAGE}/logo"), &[("_csrf", &token)], &[])
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(none.body.contains("Elija un archivo de imagen"));
    assert!(
        header_logo(&owner.get(PAGE).await.body).is_none(),
        "no logo was set"
    );

    // Only staff who may change the settings may change the details.
    let sales = alfa
        .signed_in_staff("ventas@alfa.test", StaffRole::Sales)
        .await;
    assert_eq!(sales.get(PAGE).await.status, StatusCode::FORBIDDEN);
    let token = sales.get("/admin").await.csrf();
    let refused = sales
        .post(PAGE, &[("_csrf", &token), ("tax_id", "999")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(owner.get(PAGE).await.body.contains("value=\"101\""));
}

async fn a_logo_is_served_only_on_its_own_companys_site(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let beta = Company::new(&app, "beta").await;
    let logo = beta.logo(80, 40).await;
    let path = format!("/logo/{logo}");
    let on_beta = app.browser(&beta.host()).get(&path).await;
    assert_eq!(on_beta.status, StatusCode::OK);
    assert!(
        on_beta
            .headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("immutable")),
        "a logo's address changes with it, so it is cached for good"
    );
    assert_eq!(
        app.browser(&alfa.host()).get(&path).await.status,
        StatusCode::NOT_FOUND,
        "beta's logo is not alfa's"
    );
    // Replaced: the old address is gone, the new one serves.
    let newer = beta.logo(60, 60).await;
    assert_eq!(
        app.browser(&beta.host()).get(&path).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.browser(&beta.host())
            .get(&format!("/logo/{newer}"))
            .await
            .status,
        StatusCode::OK
    );
    for junk in ["/logo/nada", "/logo/%00"] {
        assert_eq!(
            app.browser(&beta.host()).get(junk).await.status,
            StatusCode::NOT_FOUND,
            "{junk}"
        );
    }
}

/// Three lines of 0.10 at 18 % (0.018 of tax each), as an ERP sends them.
fn tenth_lines() -> Value {
    json!([1, 2, 3].map(|n| json!({
        "item_code": format!("A-{n}"), "description": "Gasa", "unit": "u",
        "quantity": "1", "unit_price": "0.10", "tax_rate": "18",
    })))
}

/// Pushes one record of `kind` (`invoices`, `quotes`) through the admin API
/// and reads it back: its tax, total and id.
async fn pushed(api: &Browser<'_>, kind: &str, record: Value) -> [String; 3] {
    let out = put_one(api, kind, record).await;
    let id = out["results"][0]["id"].as_str().expect("an id").to_owned();
    read_back(api, kind, &id).await
}

/// The admin API's answer to a batch of one record of `kind`.
async fn put_one(api: &Browser<'_>, kind: &str, record: Value) -> Value {
    api.json(
        Method::PUT,
        &format!("/api/v1/{kind}"),
        Some(json!({ "records": [record] })),
    )
    .await
    .json()
}

/// The tax, total and id of a record, as the admin API reads it.
async fn read_back(api: &Browser<'_>, kind: &str, id: &str) -> [String; 3] {
    let record = api.get(&format!("/api/v1/{kind}/{id}")).await.json();
    ["tax", "total", "id"].map(|f| record[f].as_str().unwrap_or_default().to_owned())
}

async fn a_company_that_rounds_per_document_totals_new_documents_so(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    alfa.account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Sales).await);
    let owner = alfa.staff_session("owner@alfa.test").await;
    let invoice = |number: &str| {
        json!({
            "kind": "invoice", "number": number, "external_ref": number, "customer": "C-1",
            "issued_on": "2026-03-01", "due_on": "2026-03-31", "currency": "DOP",
            "lines": tenth_lines(),
        })
    };
    let [tax, total, per_line] = pushed(&api, "invoices", invoice("FAC-L")).await;
    assert_eq!((tax.as_str(), total.as_str()), ("0.06", "0.36"));
    let quote = |reference: &str, notes: &str| {
        json!({
            "external_ref": reference, "customer": "C-1", "currency": "DOP", "notes": notes,
            "lines": tenth_lines(),
        })
    };
    let [tax, _, quote_per_line] = pushed(&api, "quotes", quote("Q-L", "primera")).await;
    assert_eq!(tax, "0.06");

    let page = owner.get("/admin/settings").await;
    assert!(page.body.contains("Redondeo de impuestos"), "{}", page.body);
    let saved = owner
        .submit(
            "/admin/settings",
            "/admin/settings/rounding",
            &[("rounding", "document")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        owner
            .get("/admin/settings")
            .await
            .body
            .contains("value=\"document\" selected"),
        "the choice is shown"
    );
    let refused = owner
        .submit(
            "/admin/settings",
            "/admin/settings/rounding",
            &[("rounding", "a ojo")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let [tax, total, _] = pushed(&api, "invoices", invoice("FAC-D")).await;
    assert_eq!((tax.as_str(), total.as_str()), ("0.05", "0.35"));
    let [tax, total, _] = pushed(&api, "quotes", quote("Q-D", "")).await;
    assert_eq!((tax.as_str(), total.as_str()), ("0.05", "0.35"));
    // What was stored before keeps its amounts: sent again as it was, an
    // invoice is unchanged; a quote sent again changed keeps its rule.
    let again = put_one(&api, "invoices", invoice("FAC-L")).await;
    assert_eq!(again["unchanged"], 1, "{again}");
    let [tax, total, _] = read_back(&api, "invoices", &per_line).await;
    assert_eq!((tax.as_str(), total.as_str()), ("0.06", "0.36"));
    let changed = put_one(&api, "quotes", quote("Q-L", "segunda")).await;
    assert_eq!(changed["updated"], 1, "{changed}");
    let [tax, total, _] = read_back(&api, "quotes", &quote_per_line).await;
    assert_eq!((tax.as_str(), total.as_str()), ("0.06", "0.36"));
}
