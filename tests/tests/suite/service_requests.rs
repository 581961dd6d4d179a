//! Service requests end to end: a customer contact opens one in the portal
//! with files, for a branch it sees; staff answer in the back office (the
//! first answer's time is kept), send files and move it between states; the
//! customer writing reopens what waited for it, a closed request takes no
//! more messages; the portal and admin APIs do the same through the same
//! commands; staff open one on a customer's behalf (a customer picked first)
//! that its contacts then follow; the contact who opened one is told of the
//! company's answers by mail, unless it can no longer see it; bad input is a
//! field error that keeps nothing.

use poem::http::{Method, StatusCode};
use portico_domain::{AccountKind, Portal, StaffRole};
use portico_tests::builders::{Company, Grant};
use portico_tests::{
    Browser, FilePart, TestApp, TestDb, backend_tests,
    outbox::{Mail, settled},
};
use serde_json::json;

backend_tests!(
    a_contact_opens_a_request_with_files_and_the_company_answers,
    the_apis_open_answer_and_refuse_bad_input,
    staff_open_a_request_on_a_customers_behalf,
);

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n foto de la nevera";
const REPORT: &[u8] = b"%PDF-1.4\n% informe\n%%EOF\n";
const DELIVERY: &[u8] = b"%PDF-1.4\n% conduce\n%%EOF\n";

/// A company with customer `C-1` (branches `S1`, `S2`).
async fn company(app: &TestApp) -> Company<'_> {
    let alfa = Company::new(app, "alfa").await;
    let customer = alfa
        .account(AccountKind::Customer, "C-1", "Farmacia Uno")
        .await;
    alfa.branch(customer, "S1", "Sucursal Norte").await;
    alfa.branch(customer, "S2", "Sucursal Sur").await;
    alfa
}

/// A contact of `C-1` with `permissions` on branch `branch`, signed in to the
/// customer portal, its API calls carrying the CSRF token.
async fn contact<'a>(
    alfa: &Company<'a>,
    email: &str,
    permissions: &[&'static str],
    branch: &str,
) -> Browser<'a> {
    let customer = alfa.account_id("C-1").await;
    let id = alfa.contact("Ana", email, email).await;
    let branch = alfa.branch_id(customer, branch).await;
    alfa.link(
        id,
        customer,
        AccountKind::Customer,
        &Grant::branches(permissions, &[branch]),
    )
    .await;
    let browser = alfa.portal_session(Portal::Customer, email).await;
    let token = browser.get("/portal").await.csrf();
    browser.with_header("x-csrf-token", &token)
}

/// Files kept for the company's service requests.
fn stored_files(app: &TestApp, alfa: &Company<'_>) -> usize {
    let dir = app
        .files_dir
        .path()
        .join(format!("tenants/{}/attachments", alfa.tenant.id()));
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

fn part<'a>(name: &'a str, bytes: &'a [u8]) -> FilePart<'a> {
    FilePart {
        field: "files",
        file_name: name,
        content_type: "application/octet-stream",
        bytes,
    }
}

const BOTH: &[&str] = &["service_requests.view", "service_requests.create"];

async fn a_contact_opens_a_request_with_files_and_the_company_answers(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s1 = alfa.branch_id(customer, "S1").await;
    let ana = contact(&alfa, "ana@uno.test", BOTH, "S1").await;

    let form = ana.get("/portal/service_requests/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("Sucursal Norte") && !form.body.contains("Sucursal Sur"));
    let opened = ana
        .post_multipart(
            "/portal/service_requests",
            &[
                ("_csrf", form.csrf().as_str()),
                ("subject", "Nevera con temperatura alta"),
                ("description", "Marca 12 °C desde ayer.\nAdjunto foto."),
                ("priority", "urgent"),
                ("branch", &s1.to_string()),
            ],
            &[part("nevera.png", PHOTO), part("informe.pdf", REPORT)],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let page_path = opened.location().expect("the request's page").to_owned();
    let page = ana.get(&page_path).await;
    assert!(
        page.body.contains("Se abrió la solicitud SOL-000001."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Marca 12 °C desde ayer."));
    assert!(page.body.contains("nevera.png") && page.body.contains("informe.pdf"));
    assert_eq!(stored_files(&app, &alfa), 2);
    let home = ana.get("/portal").await;
    assert!(
        home.body.contains("SOL-000001"),
        "the home page lists it open"
    );

    // Staff see it unanswered, answer with a file and ask the customer.
    let staff = alfa
        .signed_in_staff("ventas@alfa.test", StaffRole::Sales)
        .await;
    let list = staff.get("/admin/service-requests").await;
    assert!(list.body.contains("SOL-000001") && list.body.contains("sin responder"));
    let id = page_path
        .trim_start_matches("/portal/service_requests/")
        .split('?')
        .next()
        .expect("id")
        .to_owned();
    let record = staff.get(&format!("/admin/service-requests/{id}")).await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("Urgente"), "{}", record.body);
    let answered = staff
        .post_multipart(
            &format!("/admin/service-requests/{id}/comments"),
            &[
                ("_csrf", record.csrf().as_str()),
                ("body", "¿Puede enviarnos el conduce?"),
                ("status", "waiting_customer"),
            ],
            &[part("instrucciones.pdf", DELIVERY)],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let record = staff.get(&format!("/admin/service-requests/{id}")).await;
    assert!(
        !record.body.contains("sin responder"),
        "the first answer is timed"
    );
    assert!(record.body.contains("Esperando respuesta del cliente"));

    // The contact who opened it is told by mail: the answer, the new state
    // and a link that opens the request.
    let told: Vec<Mail> = settled(&app.db.db, &alfa.tenant, app.mail_dir.path())
        .await
        .into_iter()
        .filter(|m| m.subject.contains("SOL-000001"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].to, "ana@uno.test");
    told[0].assert_text_contains(&[
        "¿Puede enviarnos el conduce?",
        "Nevera con temperatura alta",
        "Esperando respuesta del cliente",
    ]);
    let link = told[0].url_containing(&format!("/portal/service_requests/{id}"));
    let opened = ana.get(&link[link.find("/portal/").expect("path")..]).await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);

    // The customer sees the answer and its file, and answering reopens it.
    let page = ana.get(&page_path).await;
    assert!(page.body.contains("¿Puede enviarnos el conduce?"));
    assert!(page.body.contains("de la empresa"));
    let api = ana
        .get(&format!("/portal/api/v1/service-requests/{id}"))
        .await
        .json();
    let staff_file = api["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file_name"] == "instrucciones.pdf")
        .expect("the company's file")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let file = ana
        .get(&format!("/portal/service_requests/{id}/files/{staff_file}"))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, DELIVERY);
    // An empty answer is refused, named in a summary that links to the field.
    let empty = ana
        .post_multipart(
            &format!("/portal/service_requests/{id}/comments"),
            &[("_csrf", page.csrf().as_str()), ("body", " ")],
            &[],
        )
        .await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    assert!(
        empty.body.contains("<a href=\"#body\">Su respuesta:"),
        "{}",
        empty.body
    );
    let reply = ana
        .post_multipart(
            &format!("/portal/service_requests/{id}/comments"),
            &[
                ("_csrf", page.csrf().as_str()),
                ("body", "Adjunto el conduce."),
            ],
            &[part("conduce.pdf", DELIVERY)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let api = ana
        .get(&format!("/portal/api/v1/service-requests/{id}"))
        .await
        .json();
    assert_eq!(api["status"], "open", "{api}");
    assert_eq!(api["thread"].as_array().map(Vec::len), Some(2));

    // Closed: no form, and a message is refused.
    let record = staff.get(&format!("/admin/service-requests/{id}")).await;
    let closed = staff
        .post_multipart(
            &format!("/admin/service-requests/{id}/comments"),
            &[("_csrf", record.csrf().as_str()), ("status", "closed")],
            &[],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    let page = ana.get(&page_path).await;
    assert!(
        page.body.contains("Esta solicitud está cerrada."),
        "{}",
        page.body
    );
    let late = ana
        .post_multipart(
            &format!("/portal/service_requests/{id}/comments"),
            &[("_csrf", page.csrf().as_str()), ("body", "¿Sigue ahí?")],
            &[],
        )
        .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    let home = ana.get("/portal").await;
    assert!(
        !home.body.contains("SOL-000001"),
        "closed requests leave the home page"
    );

    // A contact of the other branch does not see it; one who only views
    // cannot write.
    let sur = contact(&alfa, "sur@uno.test", BOTH, "S2").await;
    assert_eq!(sur.get(&page_path).await.status, StatusCode::NOT_FOUND);
    assert!(
        !sur.get("/portal/service_requests")
            .await
            .body
            .contains("SOL-000001")
    );
    let viewer = contact(&alfa, "vista@uno.test", &["service_requests.view"], "S1").await;
    let seen = viewer.get(&page_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(
        viewer.get("/portal/service_requests/new").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = viewer
        .json(
            Method::POST,
            &format!("/portal/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "hola" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

async fn the_apis_open_answer_and_refuse_bad_input(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s2 = alfa.branch_id(customer, "S2").await;
    let ana = contact(&alfa, "ana@uno.test", BOTH, "S1").await;

    // Refused, with nothing kept.
    let post = |body| ana.json(Method::POST, "/portal/api/v1/service-requests", Some(body));
    let problem = post(json!({ "subject": " ", "description": "x" }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "subject", "{problem}");
    let problem = post(json!({ "subject": "S", "description": "x", "branch_id": s2 }))
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "branch", "{problem}");
    assert_eq!(
        post(json!({ "subject": "S", "description": "x", "priority": "ya" }))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let form = ana.get("/portal/service_requests/new").await;
    let four = ana
        .post_multipart(
            "/portal/service_requests",
            &[
                ("_csrf", form.csrf().as_str()),
                ("subject", "Cuatro archivos"),
                ("description", "x"),
            ],
            &[
                part("a.pdf", REPORT),
                part("b.pdf", REPORT),
                part("c.pdf", REPORT),
                part("d.pdf", REPORT),
            ],
        )
        .await;
    assert_eq!(
        four.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        four.body
    );
    assert!(
        four.body.contains("como máximo 3 archivos"),
        "{}",
        four.body
    );
    // The summary names the field and links to it.
    assert!(
        four.body.contains("<a href=\"#files\">Archivos:"),
        "{}",
        four.body
    );
    assert!(
        four.body.contains("Cuatro archivos"),
        "what was typed stays"
    );
    let list = ana.get("/portal/api/v1/service-requests").await.json();
    assert_eq!(list["items"], json!([]));
    assert_eq!(stored_files(&app, &alfa), 0);

    // Opened through the API, with a file sent after it.
    let opened = post(
        json!({ "subject": "Factura duplicada", "description": "FAC-1 llegó dos veces.",
                              "priority": "high" }),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(opened.json()["number"], "SOL-000001");
    let sent = ana
        .raw(
            Method::POST,
            &format!("/portal/api/v1/service-requests/{id}/files?file_name=factura.pdf"),
            "application/octet-stream",
            REPORT,
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.json()["files"][0]["file_name"], "factura.pdf");
    let bad = ana
        .raw(
            Method::POST,
            &format!("/portal/api/v1/service-requests/{id}/files"),
            "application/octet-stream",
            b"\x7fELF\x02",
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "files", "{bad}");
    let empty = ana
        .json(
            Method::POST,
            &format!("/portal/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "  " })),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty["errors"][0]["field"], "body");
    assert_eq!(stored_files(&app, &alfa), 1);

    // The company through the admin API: reads, answers and resolves.
    let api = alfa.api_client(&alfa.api_key(StaffRole::Sales).await);
    let open = api.get("/api/v1/service-requests").await.json();
    assert_eq!(open["items"][0]["id"], id.as_str(), "{open}");
    assert_eq!(open["items"][0]["first_answer_at"], serde_json::Value::Null);
    let nothing = api
        .json(
            Method::POST,
            &format!("/api/v1/service-requests/{id}/comments"),
            Some(json!({})),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nothing["errors"][0]["field"], "body");
    let resolved = api
        .json(
            Method::POST,
            &format!("/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "Anulamos el duplicado.", "status": "resolved" })),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    let resolved = resolved.json();
    assert_eq!(resolved["status"], "resolved");
    assert!(
        resolved["minutes_to_first_answer"].as_i64().is_some(),
        "{resolved}"
    );
    assert_eq!(resolved["thread"][1]["author_name"], "API");
    let told: Vec<Mail> = settled(&app.db.db, &alfa.tenant, app.mail_dir.path())
        .await
        .into_iter()
        .filter(|m| m.to == "ana@uno.test")
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    told[0].assert_text_contains(&["Anulamos el duplicado.", "Estado: Resuelta"]);
    let file_id = resolved["files"][0]["id"]
        .as_str()
        .expect("file")
        .to_owned();
    let file = api
        .get(&format!("/api/v1/service-requests/{id}/files/{file_id}"))
        .await;
    assert_eq!(file.bytes, REPORT);
    let open = api.get("/api/v1/service-requests").await.json();
    assert_eq!(
        open["items"],
        json!([]),
        "resolved ones leave the open list"
    );
    let all = api.get("/api/v1/service-requests?all=true").await.json();
    assert_eq!(all["items"][0]["id"], id.as_str());
    let reader = alfa.api_client(&alfa.api_key(StaffRole::ReadOnly).await);
    let refused = reader
        .json(
            Method::POST,
            &format!("/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "x" })),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The company opens one for the customer (a call to its help desk); a
    // supplier is not a customer.
    let supplier = alfa
        .account(AccountKind::Supplier, "P-1", "Proveedor Uno")
        .await;
    let refused = api
        .json(
            Method::POST,
            "/api/v1/service-requests",
            Some(json!({ "customer_id": supplier, "subject": "S", "description": "D" })),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["errors"][0]["field"], "account", "{refused}");
    let by_phone = api
        .json(
            Method::POST,
            "/api/v1/service-requests",
            Some(
                json!({ "customer_id": customer, "subject": "Llamada: factura",
                         "description": "Pidió copia por teléfono.", "priority": "low" }),
            ),
        )
        .await;
    assert_eq!(by_phone.status, StatusCode::CREATED, "{}", by_phone.body);
    assert_eq!(by_phone.json()["opened_by"], "API");
    assert_eq!(by_phone.json()["number"], "SOL-000002");
    let seen = ana.get("/portal/api/v1/service-requests").await.json();
    assert!(seen.to_string().contains("Llamada: factura"), "{seen}");

    // The customer writing again reopens a resolved request.
    let again = ana
        .json(
            Method::POST,
            &format!("/portal/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "Volvió a llegar duplicada." })),
        )
        .await;
    assert_eq!(again.json()["status"], "open");

    // Another company's request is not found.
    let beta = Company::new(&app, "beta").await;
    beta.account(AccountKind::Customer, "B-1", "Cliente Beta")
        .await;
    let beta_api = beta.api_client(&beta.api_key(StaffRole::Sales).await);
    assert_eq!(
        beta_api
            .get(&format!("/api/v1/service-requests/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let foreign = beta_api
        .json(
            Method::POST,
            &format!("/api/v1/service-requests/{id}/comments"),
            Some(json!({ "body": "x" })),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
}

async fn staff_open_a_request_on_a_customers_behalf(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = company(&app).await;
    let customer = alfa.account_id("C-1").await;
    let s2 = alfa.branch_id(customer, "S2").await;
    let staff = alfa.staff_session("owner@alfa.test").await;

    // The customer is picked first, by code or name.
    let picker = staff.get("/admin/service-requests/new?q=uno").await;
    assert_eq!(picker.status, StatusCode::OK, "{}", picker.body);
    let choose = format!("/admin/service-requests/new?customer={customer}");
    assert!(
        picker.body.contains("Farmacia Uno") && picker.body.contains(&choose),
        "{}",
        picker.body
    );
    let form = staff.get(&choose).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("Sucursal Sur") && form.body.contains("multiple"),
        "{}",
        form.body
    );

    // Missing subject, four files: each named, nothing kept.
    let refused = staff
        .post_multipart(
            "/admin/service-requests",
            &[
                ("_csrf", form.csrf().as_str()),
                ("account", &customer.to_string()),
                ("subject", " "),
                ("description", "Llamó por teléfono."),
            ],
            &[
                part("a.pdf", REPORT),
                part("b.pdf", REPORT),
                part("c.pdf", REPORT),
                part("d.pdf", REPORT),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("href=\"#subject\"") && refused.body.contains("Llamó por teléfono."),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("href=\"#files\""), "{}", refused.body);
    assert_eq!(stored_files(&app, &alfa), 0);

    // Opened for branch S2 with a file: the staff member opened it.
    let opened = staff
        .post_multipart(
            "/admin/service-requests",
            &[
                ("_csrf", form.csrf().as_str()),
                ("account", &customer.to_string()),
                ("subject", "Revisión de la nevera"),
                ("description", "Llamó la encargada: la nevera suena."),
                ("priority", "high"),
                ("branch", &s2.to_string()),
            ],
            &[part("nota.pdf", REPORT)],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let record_path = opened.location().expect("the request's page").to_owned();
    let record = staff.get(&record_path).await;
    assert!(
        record.body.contains("Revisión de la nevera")
            && record.body.contains("Sucursal Sur")
            && record.body.contains("Alta")
            && record.body.contains("nota.pdf"),
        "{}",
        record.body
    );
    assert_eq!(stored_files(&app, &alfa), 1);

    // A contact who sees S2 follows it in the portal; one who sees only S1
    // does not see it.
    let sur = contact(&alfa, "sur@uno.test", BOTH, "S2").await;
    let theirs = sur.get("/portal/api/v1/service-requests").await.json();
    assert_eq!(
        theirs["items"][0]["subject"], "Revisión de la nevera",
        "{theirs}"
    );
    let norte = contact(&alfa, "norte@uno.test", BOTH, "S1").await;
    let none = norte.get("/portal/api/v1/service-requests").await.json();
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "{none}");

    // Opened by staff, it has nobody who opened it in the portal: an answer
    // mails no one.
    let record = staff.get(&record_path).await;
    let answered = staff
        .post_multipart(
            &format!("{record_path}/comments"),
            &[
                ("_csrf", record.csrf().as_str()),
                ("body", "Técnico asignado para mañana."),
                ("status", "in_progress"),
            ],
            &[],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let told = settled(&app.db.db, &alfa.tenant, app.mail_dir.path()).await;
    assert!(told.iter().all(|m| !m.subject.contains("SOL-")), "{told:?}");

    // Another company's customer, or a supplier, is not one to open for.
    let supplier = alfa
        .account(AccountKind::Supplier, "P-1", "Proveedor Uno")
        .await;
    assert_eq!(
        staff
            .get(&format!("/admin/service-requests/new?customer={supplier}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
