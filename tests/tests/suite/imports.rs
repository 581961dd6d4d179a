//! Contact import through HTTP as a browser would: the upload, the dry run with
//! per-line results, the all-or-nothing real run, re-import changing nothing,
//! an export imported back, refused files, roles and isolation.

use std::time::Duration;

use poem::http::StatusCode;
use portico_domain::StaffRole;
use portico_tests::{Browser, FilePart, Page, TestApp, TestDb, backend_tests};

/// Uploads a file on the import page and returns the import's page path.
async fn upload(browser: &Browser<'_>, name: &str, csv: &[u8]) -> String {
    let page = try_upload(browser, name, csv).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    page.location().expect("import page").to_owned()
}

async fn try_upload(browser: &Browser<'_>, name: &str, csv: &[u8]) -> Page {
    let form = browser.get("/admin/contacts/import").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.csrf();
    browser
        .post_multipart(
            "/admin/contacts/import",
            &[("_csrf", &token)],
            &[FilePart {
                field: "file",
                file_name: name,
                content_type: "text/csv",
                bytes: csv,
            }],
        )
        .await
}

/// The import's page once no run is working on it.
async fn settled(browser: &Browser<'_>, path: &str) -> Page {
    for _ in 0..600 {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        if !page.headers.contains_key("refresh") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import at {path} did not finish");
}

/// The count shown for an action on an import's page.
fn count(page: &Page, action: &str) -> usize {
    let marker = format!("id=\"count-{action}\">");
    page.body
        .split(&marker)
        .nth(1)
        .and_then(|r| r.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of {action} in {}", page.body))
}

/// Starts the real run from the import's page and waits for it.
async fn run(browser: &Browser<'_>, path: &str) -> Page {
    let page = browser.get(path).await;
    let started = browser
        .post(&format!("{path}/run"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    settled(browser, path).await
}

async fn audit_events(app: &TestApp, tenant: &portico_data::Tenant) -> usize {
    let mut tx = app.db.db.tenant_tx(tenant).await.unwrap();
    let events = tx.audit().list(100_000).await.unwrap();
    tx.commit().await.unwrap();
    events.len()
}

const WITH_ERRORS: &str = "Nombres;Apellidos;Correo electrónico;Teléfono;Clientes;Proveedores\n\
Ana;Peña;ANA@alfa.test;+1 809 555 0100;C-001;\n\
Beto;Ruiz;beto@alfa.test;;C-001;P-001\n\
Carla;;carla@alfa.test;;;\n\
Dora;;no-es-un-correo;;;\n\
Eva;;eva@alfa.test;;C-999;\n\
Beto;Ruiz;BETO@alfa.test;;;\n";

const CLEAN: &str = "Nombres;Apellidos;Correo electrónico;Teléfono;Clientes;Proveedores\n\
Ana;Peña;ANA@alfa.test;+1 809 555 0100;C-001;\n\
Beto;Ruiz;beto@alfa.test;;C-001;P-001\n\
Carla;;carla@alfa.test;;;\n";

async fn a_dry_run_shows_each_line_then_the_run_writes_them_all(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;
    owner.create_ana().await;
    let list = owner.get("/admin/contacts").await;
    assert!(
        list.body.contains("/admin/contacts/import"),
        "the list offers the import"
    );

    // The dry run: every line's fate, errors in Spanish, nothing written.
    let before = audit_events(&app, &tenant).await;
    let path = upload(&owner, "contactos.csv", WITH_ERRORS.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert!(page.body.contains("Revisado"), "{}", page.body);
    assert_eq!(count(&page, "create"), 2, "Beto and Carla");
    assert_eq!(count(&page, "update"), 1, "Ana gets a phone and a link");
    assert_eq!(count(&page, "error"), 3);
    assert!(page.body.contains("Ninguna cuenta tiene este código."));
    assert!(
        page.body
            .contains("Una línea anterior del archivo trata de la misma persona.")
    );
    assert!(
        page.body.contains("Correo electrónico: "),
        "errors name their column"
    );
    assert!(page.body.contains("3 líneas tienen errores."));
    assert!(!page.body.contains("/run\""), "no run with errors");
    let errors = owner.get(&format!("{path}?action=error")).await;
    assert!(errors.body.contains("Dora") && !errors.body.contains("Carla"));
    assert_eq!(
        audit_events(&app, &tenant).await,
        before,
        "a dry run writes nothing"
    );
    assert!(!owner.get("/admin/contacts").await.body.contains("Beto"));
    let refused = owner
        .post(&format!("{path}/run"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(owner.get(&path).await.body.contains("no puede ejecutarse"));

    // The corrected file runs, all in one go.
    let path = upload(&owner, "contactos.csv", CLEAN.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert_eq!((count(&page, "create"), count(&page, "update")), (2, 1));
    assert!(page.body.contains("Importar 3 líneas"), "{}", page.body);
    let done = run(&owner, &path).await;
    assert!(
        done.body.contains("La importación terminó."),
        "{}",
        done.body
    );
    let list = owner.get("/admin/contacts?q=ruiz").await;
    assert!(list.body.contains("Beto Ruiz"), "{}", list.body);
    let beto = list
        .body
        .split("href=\"/admin/contacts/")
        .filter_map(|r| r.split('"').next())
        .find(|id| id.len() == 36)
        .expect("Beto's record")
        .to_owned();
    let record = owner.get(&format!("/admin/contacts/{beto}")).await;
    assert!(record.body.contains("Farmacia Carol") && record.body.contains("Laboratorios Andinos"));
    assert!(
        record.body.contains("Creó el contacto"),
        "the history shows the import's creation: {}",
        record.body
    );
    let ana = owner.get("/admin/contacts?q=ana%40alfa.test").await;
    assert!(ana.body.contains("Farmacia Carol"), "Ana is linked now");
    assert!(audit_events(&app, &tenant).await > before);

    // The same file again changes nothing.
    let before = audit_events(&app, &tenant).await;
    let again = upload(&owner, "contactos.csv", CLEAN.as_bytes()).await;
    let page = settled(&owner, &again).await;
    assert_eq!(count(&page, "unchanged"), 3, "{}", page.body);
    assert_eq!(
        count(&page, "create") + count(&page, "update") + count(&page, "link"),
        0
    );
    assert!(page.body.contains("no hay nada que importar"));
    assert_eq!(audit_events(&app, &tenant).await, before);

    // An export of the whole directory, imported back, is all "no change".
    let export = owner.get("/admin/contacts/export.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    let back = upload(&owner, "export.csv", export.body.as_bytes()).await;
    let page = settled(&owner, &back).await;
    assert_eq!(count(&page, "unchanged"), 3, "{}", page.body);
    assert_eq!(count(&page, "error"), 0, "{}", page.body);

    // Discarding forgets an import.
    let discarded = owner
        .post(&format!("{back}/delete"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(discarded.location(), Some("/admin/contacts/import"));
    assert_eq!(owner.get(&back).await.status, StatusCode::NOT_FOUND);
}

async fn a_run_writes_nothing_when_the_data_changed_since_the_dry_run(db: TestDb) {
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let customer = owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    let csv = "first_name,email,customers\nZoe,zoe@alfa.test,\nYago,yago@alfa.test,C-001\n";
    let path = upload(&owner, "cambios.csv", csv.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert_eq!(count(&page, "create"), 2);
    // Meanwhile the customer is archived: Yago's link no longer passes.
    let record = owner.get(&customer).await;
    let archived = owner
        .post(&format!("{customer}/archive"), &[("_csrf", &record.csrf())])
        .await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let before = audit_events(&app, &tenant).await;
    let done = run(&owner, &path).await;
    assert!(done.body.contains("Fallido"), "{}", done.body);
    assert!(done.body.contains("Los datos cambiaron"), "{}", done.body);
    assert!(done.body.contains("Yago"), "the failing line is shown");
    let list = owner.get("/admin/contacts?q=zoe").await;
    assert!(
        !list.body.contains("zoe@alfa.test"),
        "not even the good line is written"
    );
    assert_eq!(audit_events(&app, &tenant).await, before);
}

async fn unusable_files_are_refused_on_the_upload_page(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let cases: [(&[u8], &str); 4] = [
        (b"", "El archivo no contiene personas."),
        (
            b"ciudad,notas\nSantiago,x\n",
            "Ningún encabezado corresponde",
        ),
        (
            b"nombres,correo\nJos\xe9,jose@alfa.test\n",
            "no es texto UTF-8",
        ),
        (
            b"email,Correo\na@alfa.test,b@alfa.test\n",
            "Dos encabezados",
        ),
    ];
    for (bytes, message) in cases {
        let page = try_upload(&owner, "malo.csv", bytes).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    let form = owner.get("/admin/contacts/import").await;
    let missing = owner
        .post_multipart("/admin/contacts/import", &[("_csrf", &form.csrf())], &[])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("Elija un archivo CSV"));
    owner.set_cookie("portico_lang", "en");
    let english = try_upload(&owner, "bad.csv", b"city\nx\n").await;
    assert!(
        english.body.contains("No heading names a known column"),
        "{}",
        english.body
    );

    // Without the form's CSRF token, a multipart post is refused and keeps nothing.
    let forged = owner
        .post_multipart(
            "/admin/contacts/import",
            &[("_csrf", "forged")],
            &[FilePart {
                field: "file",
                file_name: "x.csv",
                content_type: "text/csv",
                bytes: b"email\na@alfa.test\n",
            }],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let bare = owner
        .post_multipart(
            "/admin/contacts/import",
            &[],
            &[FilePart {
                field: "file",
                file_name: "x.csv",
                content_type: "text/csv",
                bytes: b"email\na@alfa.test\n",
            }],
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    let list = owner.get("/admin/contacts/import").await;
    assert!(list.body.contains("Aún no hay importaciones") || list.body.contains("No imports yet"));
}

async fn imports_belong_to_one_company_and_follow_roles(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.company("beta").await;
    app.staff(&alfa, "lectura@alfa.test", StaffRole::ReadOnly)
        .await;
    app.staff(&alfa, "ventas@alfa.test", StaffRole::Sales).await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;

    // Sales may import people for customers, not for suppliers.
    let sales = app.signed_in("alfa", "ventas@alfa.test").await;
    let csv = "email,customers,suppliers\nc@alfa.test,C-001,\np@alfa.test,,P-001\n";
    let path = upload(&sales, "ventas.csv", csv.as_bytes()).await;
    let page = settled(&sales, &path).await;
    assert_eq!(
        (count(&page, "create"), count(&page, "error")),
        (1, 1),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Su rol no puede modificar este contacto.")
    );

    // Read-only staff cannot import at all.
    let reader = app.signed_in("alfa", "lectura@alfa.test").await;
    assert_eq!(
        reader.get("/admin/contacts/import").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(reader.get(&path).await.status, StatusCode::FORBIDDEN);
    let token = reader.get("/admin/contacts").await.csrf();
    let upload_attempt = reader
        .post_multipart(
            "/admin/contacts/import",
            &[("_csrf", &token)],
            &[FilePart {
                field: "file",
                file_name: "x.csv",
                content_type: "text/csv",
                bytes: b"email\nx@alfa.test\n",
            }],
        )
        .await;
    assert_eq!(upload_attempt.status, StatusCode::FORBIDDEN);

    // Another company's staff see none of it and cannot run or discard it.
    let stranger = app.signed_in("beta", "owner@beta.test").await;
    assert_eq!(stranger.get(&path).await.status, StatusCode::NOT_FOUND);
    let token = stranger.get("/admin/contacts/import").await.csrf();
    assert!(
        !stranger
            .get("/admin/contacts/import")
            .await
            .body
            .contains("ventas.csv")
    );
    for action in ["run", "delete"] {
        let page = stranger
            .post(&format!("{path}/{action}"), &[("_csrf", &token)])
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    assert!(
        sales.get(&path).await.body.contains("Revisado"),
        "still there, untouched"
    );
}

async fn a_large_file_crosses_batches_and_reports_every_line(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let mut csv = String::from("first_name,last_name,email,notes\n");
    for i in 0..1203 {
        csv.push_str(&format!(
            "Persona,Número {i:04},p{i:04}@alfa.test,'=HYPERLINK(\"x\")\n"
        ));
    }
    let path = upload(&owner, "grande.csv", csv.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert_eq!(count(&page, "create"), 1203, "{}", page.body);
    let second = page
        .body
        .split("href=\"")
        .filter_map(|r| r.split('"').next())
        .find(|h| h.contains("after="))
        .expect("a next page")
        .replace("&amp;", "&");
    let next = owner.get(&second).await;
    assert!(next.body.contains("p0050@alfa.test") && !next.body.contains("p0049@alfa.test"));
    let done = run(&owner, &path).await;
    assert!(
        done.body.contains("La importación terminó."),
        "{}",
        done.body
    );
    let list = owner.get("/admin/contacts?q=p1202%40alfa.test").await;
    assert!(list.body.contains("Persona Número 1202"), "{}", list.body);
    let export = owner.get("/admin/contacts/export.csv").await;
    assert!(
        export.body.contains("'=HYPERLINK"),
        "the formula was kept as text and defused again"
    );
}

/// The lines' numbers as the import's page shows them, in order.
fn line_numbers(page: &Page) -> Vec<i32> {
    page.body
        .split("<tr class=\"import-")
        .skip(1)
        .filter_map(|row| row.split("<td>").nth(1)?.split('<').next()?.parse().ok())
        .collect()
}

/// The files kept for imports of a company.
fn import_files(app: &TestApp, tenant: &portico_data::Tenant) -> usize {
    let dir = app
        .files_dir
        .path()
        .join(format!("tenants/{}/imports", tenant.id()));
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

async fn an_edited_export_imports_back_with_the_files_own_line_numbers(db: TestDb) {
    let app = TestApp::new(db).await;
    app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;
    let first = upload(&owner, "contactos.csv", CLEAN.as_bytes()).await;
    settled(&owner, &first).await;
    run(&owner, &first).await;

    // The export (CRLF lines), with one new person typed at the top in an
    // editor that ends lines with LF.
    let export = owner.get("/admin/contacts/export.csv").await;
    assert!(
        export.body.contains("\r\n"),
        "the export ends lines with CRLF"
    );
    let (heading, people) = export.body.split_once("\r\n").unwrap();
    let new_line: String = heading
        .split(',')
        .map(|column| match column.trim_start_matches('\u{feff}') {
            "first_name" => "Nuevo",
            "email" => "nuevo@alfa.test",
            _ => "",
        })
        .collect::<Vec<_>>()
        .join(",");
    let edited = format!("{heading}\r\n{new_line}\n{people}");
    let path = upload(&owner, "editado.csv", edited.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert_eq!(count(&page, "error"), 0, "{}", page.body);
    assert_eq!(count(&page, "create"), 1, "{}", page.body);
    assert_eq!(count(&page, "unchanged"), 3, "{}", page.body);
    assert_eq!(line_numbers(&page), [2, 3, 4, 5], "{}", page.body);

    // A cell with a NUL is that line's error, not a failed import.
    let nul = format!(
        "{heading}\r\n{}\r\n",
        new_line.replace("Nuevo", "Nu\u{0}evo")
    );
    let path = upload(&owner, "nul.csv", nul.as_bytes()).await;
    let page = settled(&owner, &path).await;
    assert_eq!(count(&page, "error"), 1, "{}", page.body);
    assert!(
        page.body.contains("caracteres de control"),
        "the line says why: {}",
        page.body
    );
}

async fn an_import_whose_process_died_is_interrupted_then_checked_again_or_discarded(db: TestDb) {
    use portico_data::ImportState;
    let app = TestApp::new(db).await;
    let tenant = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    owner
        .create_account("customers", "C-001", "Farmacia Carol")
        .await;
    owner
        .create_account("suppliers", "P-001", "Laboratorios Andinos")
        .await;

    // A real run starts, and its process dies (kill -9) before it commits.
    let mut paths = Vec::new();
    for name in ["uno.csv", "dos.csv"] {
        let path = upload(&owner, name, CLEAN.as_bytes()).await;
        settled(&owner, &path).await;
        let id: uuid::Uuid = path.rsplit('/').next().unwrap().parse().unwrap();
        let mut tx = app.db.db.tenant_tx(&tenant).await.unwrap();
        let import = tx.imports().find(id).await.unwrap().unwrap();
        assert!(
            tx.imports()
                .set_state(
                    id,
                    ImportState::Checked,
                    ImportState::Importing,
                    import.counts,
                    None
                )
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        paths.push(path);
    }
    assert_eq!(import_files(&app, &tenant), 2);
    // Its heartbeat is fresh: nothing to sweep yet.
    let now = chrono::Utc::now();
    assert_eq!(
        portico_admin::sweep_interrupted_imports(&app.db.db, now - chrono::Duration::seconds(90))
            .await
            .unwrap(),
        0
    );
    // Once its heartbeat is older than the limit, any instance's sweep marks it.
    let later = now + chrono::Duration::seconds(1);
    assert_eq!(
        portico_admin::sweep_interrupted_imports(&app.db.db, later)
            .await
            .unwrap(),
        2
    );
    let page = owner.get(&paths[0]).await;
    assert!(page.body.contains("Interrumpido"), "{}", page.body);
    assert!(page.body.contains("no se escribió nada"), "{}", page.body);
    assert!(page.body.contains(&format!("{}/retry", paths[0])));
    assert!(
        !page.headers.contains_key("refresh"),
        "it no longer says it works"
    );

    // Checked again: a dry run, then the real run imports it.
    let again = owner
        .post(&format!("{}/retry", paths[0]), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let page = settled(&owner, &paths[0]).await;
    assert!(page.body.contains("Revisado"), "{}", page.body);
    let page = run(&owner, &paths[0]).await;
    assert!(page.body.contains("Importado"), "{}", page.body);
    // A finished import cannot be "retried".
    let refused = owner
        .post(&format!("{}/retry", paths[0]), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(owner.get(&paths[0]).await.body.contains("Importado"));

    // Discarded: gone, with its file.
    let page = owner.get(&paths[1]).await;
    let discarded = owner
        .post(&format!("{}/delete", paths[1]), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(discarded.location(), Some("/admin/contacts/import"));
    assert_eq!(owner.get(&paths[1]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(import_files(&app, &tenant), 0);
    assert_eq!(
        portico_admin::sweep_interrupted_imports(&app.db.db, later)
            .await
            .unwrap(),
        0
    );
}

backend_tests!(
    an_edited_export_imports_back_with_the_files_own_line_numbers,
    an_import_whose_process_died_is_interrupted_then_checked_again_or_discarded,
    a_dry_run_shows_each_line_then_the_run_writes_them_all,
    a_run_writes_nothing_when_the_data_changed_since_the_dry_run,
    unusable_files_are_refused_on_the_upload_page,
    imports_belong_to_one_company_and_follow_roles,
    a_large_file_crosses_batches_and_reports_every_line,
);
