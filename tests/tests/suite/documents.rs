//! Documents shared with customers end to end: staff upload one with its
//! first file in the back office and new versions after it (the same file
//! again adds nothing); an ERP creates and updates them by reference and
//! uploads versions through the admin API, idempotently; customer contacts
//! see, in the portal and its API, only their account's documents of the
//! branches they see, each with its earlier versions to download; bad files
//! and descriptions are field errors that keep nothing.

use poem::http::{Method, StatusCode, header};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant};
use portico_tests::{Browser, FilePart, Page, TestApp, TestDb, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    staff_upload_documents_and_versions_that_contacts_see_by_branch,
    the_api_upserts_by_reference_and_adds_versions_idempotently,
    bad_files_and_descriptions_are_field_errors_that_keep_nothing,
);

const CONTRACT_V1: &[u8] = b"%PDF-1.4\n% contrato, borrador\n%%EOF\n";
const CONTRACT_V2: &[u8] = b"%PDF-1.4\n% contrato, firmado\n%%EOF\n";

/// A company with customer `C-1` (branches `S1`, `S2`) and customer `C-2`.
async fn company(app: &TestApp) -> Company<'_> {
    let alfa = Company::new(app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    alfa.branch(customer, "S1", "Sucursal Norte").await;
    alfa.branch(customer, "S2", "Sucursal Sur").await;
    alfa.account(AccountKind::Customer, "C-2", "Farmacia Dos")
        .await;
    alfa.account(AccountKind::Supplier, "P-1", "Proveedor Uno")
        .await;
    alfa
}

/// Files kept in the company's document store.
fn stored_files(app: &TestApp, alfa: &Company<'_>) -> usize {
    let dir = app
        .files_dir
        .path()
        .join(format!("tenants/{}/documents", alfa.tenant.id()));
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

/// Uploads through the staff form (the form of `customer` first).
async fn upload(
    staff: &Browser<'_>,
    customer: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Page {
    let form = staff
        .get(&format!("/admin/documents/new?customer={customer}"))
        .await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.csrf();
    let mut all = vec![("_csrf", token.as_str()), ("account", customer)];
    all.extend_from_slice(fields);
    let files: Vec<FilePart<'_>> = file
        .iter()
        .map(|(name, bytes)| FilePart {
            field: "file",
            file_name: name,
            content_type: "application/octet-stream",
            bytes,
        })
        .collect();
    staff.post_multipart("/admin/documents", &all, &files).await
}

async fn staff_upload_documents_and_versions_that_contacts_see_by_branch(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let c1 = alfa.account_id("C-1").await;
    let (s1, s2) = (
        alfa.branch_id(c1, "S1").await,
        alfa.branch_id(c1, "S2").await,
    );
    let staff = alfa
        .signed_in_staff("ventas@alfa.test", StaffRole::Sales)
        .await;

    // The picker finds the customer; its form offers the branches.
    let picker = staff.get("/admin/documents/new?q=uno").await;
    assert!(picker.body.contains("Farmacia Uno"), "{}", picker.body);
    assert!(
        !picker.body.contains("Proveedor Uno"),
        "suppliers are not offered"
    );
    let form = staff
        .get(&format!("/admin/documents/new?customer={c1}"))
        .await;
    assert!(form.body.contains("Sucursal Sur"));

    let created = upload(
        &staff,
        &c1.to_string(),
        &[
            ("title", "Contrato de suministro"),
            ("kind", "contract"),
            ("note", "Borrador"),
        ],
        Some(("C:\\docs\\contrato.PDF", CONTRACT_V1)),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let contract = created.location().expect("the document's page").to_owned();
    let page = staff.get(&contract).await;
    assert!(page.body.contains("Documento subido."), "{}", page.body);
    assert!(page.body.contains("contrato.pdf"));
    let contract_id = contract.rsplit('/').next().expect("id").to_owned();

    // The same file again adds nothing; another one is version 2.
    let token = page.csrf();
    let again = staff
        .post_multipart(
            &format!("{contract}/versions"),
            &[("_csrf", token.as_str())],
            &[FilePart {
                field: "file",
                file_name: "contrato.pdf",
                content_type: "application/pdf",
                bytes: CONTRACT_V1,
            }],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = staff.get(&contract).await;
    assert!(
        page.body.contains("ya es la versión vigente"),
        "{}",
        page.body
    );
    let token = page.csrf();
    let second = staff
        .post_multipart(
            &format!("{contract}/versions"),
            &[("_csrf", token.as_str()), ("note", "Firmado")],
            &[FilePart {
                field: "file",
                file_name: "contrato firmado.pdf",
                content_type: "application/pdf",
                bytes: CONTRACT_V2,
            }],
        )
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    let page = staff.get(&contract).await;
    assert!(page.body.contains("Nueva versión subida."));
    assert!(page.body.contains("Firmado") && page.body.contains("Borrador"));
    let file = staff.get(&format!("{contract}/versions/1")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, CONTRACT_V1);
    assert_eq!(
        stored_files(&app, &alfa),
        2,
        "the repeated upload is not kept"
    );

    // A document of branch S2, one of C-2, and the customer's tab lists C-1's.
    let s2_doc = alfa
        .document("C-1", Some(s2), "Certificado Sucursal Sur", b"sur")
        .await;
    let c2_doc = alfa
        .document("C-2", None, "Contrato de Farmacia Dos", b"dos")
        .await;
    let tab = staff
        .get(&format!("/admin/customers/{c1}?tab=documents"))
        .await;
    assert!(tab.body.contains("Contrato de suministro"));
    assert!(tab.body.contains("Certificado Sucursal Sur"));
    assert!(!tab.body.contains("Contrato de Farmacia Dos"));

    // A contact of C-1 who sees S1 sees the contract (account-level) with
    // both versions, not S2's certificate nor C-2's contract.
    let contact = alfa.contact("Ana", "Uno", "ana@uno.test").await;
    alfa.link(
        contact,
        c1,
        AccountKind::Customer,
        &Grant::branches(&["documents.view"], &[s1]),
    )
    .await;
    let ana = alfa.portal_session(Portal::Customer, "ana@uno.test").await;
    let list = ana.get("/portal/documents").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(
        list.body.contains("Contrato de suministro"),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Certificado Sucursal Sur"));
    assert!(!list.body.contains("Contrato de Farmacia Dos"));
    let detail = ana.get(&format!("/portal/documents/{contract_id}")).await;
    assert!(detail.body.contains("Firmado") && detail.body.contains("Borrador"));
    for (n, bytes) in [(1, CONTRACT_V1), (2, CONTRACT_V2)] {
        let file = ana
            .get(&format!("/portal/documents/{contract_id}/versions/{n}"))
            .await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.bytes, bytes);
        assert_eq!(file.headers[header::CONTENT_TYPE], "application/pdf");
        assert!(
            file.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
    }
    let api = ana.get("/portal/api/v1/documents").await;
    let items = api.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["version"], 2);
    for path in [
        format!("/portal/documents/{s2_doc}"),
        format!("/portal/documents/{c2_doc}/versions/1"),
        format!("/portal/documents/{contract_id}/versions/3"),
        format!("/portal/api/v1/documents/{s2_doc}"),
        format!("/portal/api/v1/documents/{c2_doc}/versions/1/file"),
    ] {
        assert_eq!(ana.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // The branch selector narrows to S1: the account-level contract stays.
    let narrowed = ana.get(&format!("/portal/documents?branch={s1}")).await;
    assert!(narrowed.body.contains("Contrato de suministro"));

    // A contact without the grant is refused.
    let other = alfa.contact("Beto", "Uno", "beto@uno.test").await;
    alfa.link(
        other,
        c1,
        AccountKind::Customer,
        &Grant::all_branches(&["sales.view"]),
    )
    .await;
    let beto = alfa.portal_session(Portal::Customer, "beto@uno.test").await;
    assert_eq!(
        beto.get("/portal/documents").await.status,
        StatusCode::FORBIDDEN
    );

    // Deleting removes the document, its versions and their files.
    let page = staff.get(&contract).await;
    let deleted = staff
        .post(
            &format!("{contract}/delete"),
            &[("_csrf", page.csrf().as_str())],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(staff.get(&contract).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ana.get(&format!("/portal/documents/{contract_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored_files(&app, &alfa), 2, "the S2 and C-2 files stay");
}

async fn the_api_upserts_by_reference_and_adds_versions_idempotently(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let c1 = alfa.account_id("C-1").await;
    let s1 = alfa.branch_id(c1, "S1").await;
    let api = alfa.api_client(&alfa.api_key(StaffRole::Sales).await);
    let body = json!({ "customer_id": c1, "title": "Lista de precios", "kind": "price_list",
                       "external_ref": "ERP-LP-1" });
    let first = api
        .json(Method::POST, "/api/v1/documents", Some(body.clone()))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(first.json()["version"], 0);
    let again = api
        .json(Method::POST, "/api/v1/documents", Some(body.clone()))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.json()["id"], id.as_str());
    let mut moved = body.clone();
    moved["title"] = json!("Lista de precios 2027");
    moved["branch_id"] = json!(s1);
    let updated = api
        .json(Method::POST, "/api/v1/documents", Some(moved))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.json()["title"], "Lista de precios 2027");
    assert_eq!(updated.json()["branch_id"], s1.to_string().as_str());

    let csv = "código;precio\nA-1;100\n".as_bytes();
    let path = format!("/api/v1/documents/{id}/versions?file_name=lista.csv&note=Enero");
    let v1 = api
        .raw(Method::POST, &path, "application/octet-stream", csv)
        .await;
    assert_eq!(v1.status, StatusCode::CREATED, "{}", v1.body);
    assert_eq!(v1.json()["version"], 1);
    assert_eq!(v1.json()["content_type"], "text/csv");
    let same = api
        .raw(Method::POST, &path, "application/octet-stream", csv)
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    assert_eq!(same.json()["version"], 1);
    let v2 = api
        .raw(
            Method::POST,
            &path,
            "application/octet-stream",
            b"A-1;110\n",
        )
        .await;
    assert_eq!(v2.json()["version"], 2);
    let read = api.get(&format!("/api/v1/documents/{id}")).await.json();
    assert_eq!(read["versions"].as_array().map(Vec::len), Some(2), "{read}");
    assert_eq!(read["versions"][0]["note"], "Enero");
    let file = api
        .get(&format!("/api/v1/documents/{id}/versions/1/file"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, csv);
    assert!(
        file.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("lista.csv")
    );
    let listed = api
        .get(&format!("/api/v1/documents?customer_id={c1}"))
        .await
        .json();
    assert_eq!(listed["items"][0]["id"], id.as_str());

    // Staff see who did it: the API.
    let staff = alfa
        .signed_in_staff("ventas@alfa.test", StaffRole::Sales)
        .await;
    let page = staff.get(&format!("/admin/documents/{id}")).await;
    assert!(page.body.contains("API"), "{}", page.body);

    // A read-only key reads but does not write.
    let reader = alfa.api_client(&alfa.api_key(StaffRole::ReadOnly).await);
    assert_eq!(
        reader.get(&format!("/api/v1/documents/{id}")).await.status,
        StatusCode::OK
    );
    let refused = reader
        .json(Method::POST, "/api/v1/documents", Some(body))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let deleted = api
        .json(Method::DELETE, &format!("/api/v1/documents/{id}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&format!("/api/v1/documents/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored_files(&app, &alfa), 0, "the files went with it");
}

async fn bad_files_and_descriptions_are_field_errors_that_keep_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let c1 = alfa.account_id("C-1").await.to_string();
    let c2 = alfa.account_id("C-2").await;
    let s2_of_c2 = alfa.branch(c2, "X", "Sucursal de Dos").await;
    let supplier = alfa.account_id("P-1").await;
    let staff = alfa
        .signed_in_staff("ventas@alfa.test", StaffRole::Sales)
        .await;

    // The form: every error at once, on its field, and nothing kept.
    let page = upload(&staff, &c1, &[("title", " "), ("kind", "poema")], None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Este campo es obligatorio."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Elija una opción de la lista."));
    let page = upload(
        &staff,
        &c1,
        &[("title", "Programa"), ("kind", "other")],
        Some(("programa.pdf", b"MZ\x90\x00\x03\x00\x00\x00")),
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Ese tipo de archivo no se admite"),
        "{}",
        page.body
    );
    let page = upload(
        &staff,
        &c1,
        &[("title", "Vacío"), ("kind", "other")],
        Some(("vacio.pdf", b"")),
    )
    .await;
    // An empty file input uploads nothing: the file is required.
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = upload(
        &staff,
        &c1,
        &[("title", "Con\u{0}nulo"), ("kind", "other")],
        Some(("a.txt", b"hola")),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    let page = upload(
        &staff,
        &c1,
        &[
            ("title", "Sucursal ajena"),
            ("kind", "other"),
            ("branch", &s2_of_c2.to_string()),
        ],
        Some(("a.txt", b"hola")),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert_eq!(stored_files(&app, &alfa), 0, "no refused upload is kept");

    // The API: 422 naming the field, 400 for what the spec refuses, 404 for
    // what is not this company's; nothing written.
    let api = alfa.api_client(&alfa.api_key(StaffRole::Sales).await);
    let post = |body: Value| api.json(Method::POST, "/api/v1/documents", Some(body));
    let problem = post(json!({ "customer_id": supplier, "title": "T", "kind": "other" }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "account", "{problem}");
    let problem = post(json!({ "customer_id": c1, "title": "T", "kind": "other",
                               "branch_id": s2_of_c2 }))
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "branch", "{problem}");
    let problem = post(json!({ "customer_id": c1, "title": "T\u{7}", "kind": "other" }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "title", "{problem}");
    assert_eq!(
        post(json!({ "customer_id": c1, "title": "T", "kind": "poem" }))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post(json!({ "customer_id": c1, "title": 5, "kind": "other" }))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let listed = api.get("/api/v1/documents").await.json();
    assert_eq!(listed["items"], json!([]), "nothing was written");

    let created =
        post(json!({ "customer_id": c1, "title": "Ficha", "kind": "technical_sheet" })).await;
    let id = created.json()["id"].as_str().expect("id").to_owned();
    let versions = format!("/api/v1/documents/{id}/versions");
    let empty = api
        .raw(Method::POST, &versions, "application/octet-stream", b"")
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty["errors"][0]["field"], "file", "{empty}");
    let binary = api
        .raw(
            Method::POST,
            &versions,
            "application/octet-stream",
            b"\x7fELF\x02\x01",
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(binary["errors"][0]["field"], "file");
    assert_eq!(stored_files(&app, &alfa), 0);
    let read = api.get(&format!("/api/v1/documents/{id}")).await.json();
    assert_eq!(read["version"], 0);
    assert_eq!(
        api.get(&format!("/api/v1/documents/{id}/versions/1/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Another company's document is not found, whatever the call.
    let beta = Company::new(&app, "beta").await;
    beta.account(AccountKind::Customer, "B-1", "Cliente Beta")
        .await;
    let theirs = beta.document("B-1", None, "Documento Beta", b"beta").await;
    for page in [
        api.get(&format!("/api/v1/documents/{theirs}")).await,
        api.raw(
            Method::POST,
            &format!("/api/v1/documents/{theirs}/versions"),
            "application/octet-stream",
            b"%PDF-1.4",
        )
        .await,
        api.json(Method::DELETE, &format!("/api/v1/documents/{theirs}"), None)
            .await,
        staff.get(&format!("/admin/documents/{theirs}")).await,
    ] {
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
    }
}
