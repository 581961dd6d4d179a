//! Contact photos: uploaded on the contact form (multipart) and through the API,
//! checked, re-encoded as JPEG without metadata, stored under the company's
//! prefix, served to staff who may read contacts, replaced and removed without
//! leftovers, refused (with nothing written) when bad, forged or not allowed,
//! and invisible to other companies.

use std::{
    io::Cursor,
    path::{Path, PathBuf},
};

use image::{DynamicImage, ImageFormat};
use poem::http::{Method, StatusCode};
use portico_data::Tenant;
use portico_domain::StaffRole;
use portico_files::{MAX_PHOTO_BYTES, THUMBNAIL_SIDE};
use portico_tests::builders::{api_client, api_key};
use portico_tests::{Browser, FilePart, Page, TestApp, TestDb, backend_tests};
use serde_json::{Value, json};

// ----- images -----

fn sample(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgba8(image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 120, 255])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(&sample(width, height), ImageFormat::Png)
}

/// A JPEG carrying an EXIF block (APP1) with a location in it.
fn jpeg_with_exif() -> Vec<u8> {
    let jpeg = encoded(
        &DynamicImage::ImageRgb8(sample(64, 48).into_rgb8()),
        ImageFormat::Jpeg,
    );
    let payload = b"Exif\0\0GPS 18.4861 N 69.9312 W";
    let mut with_exif = jpeg[..2].to_vec();
    with_exif.extend_from_slice(&[0xFF, 0xE1]);
    with_exif.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    with_exif.extend_from_slice(payload);
    with_exif.extend_from_slice(&jpeg[2..]);
    assert!(with_exif.windows(4).any(|w| w == b"Exif"));
    with_exif
}

/// Bytes that start like a PNG but are one byte over the limit.
fn too_large() -> Vec<u8> {
    let mut bytes = png(8, 8);
    bytes.resize(MAX_PHOTO_BYTES + 1, 0);
    bytes
}

fn photo<'a>(bytes: &'a [u8], content_type: &'a str) -> FilePart<'a> {
    FilePart {
        field: "photo",
        file_name: "foto.png",
        content_type,
        bytes,
    }
}

/// A served JPEG, decoded.
fn served_jpeg(page: &Page) -> DynamicImage {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.headers.get("content-type").unwrap(), "image/jpeg");
    assert_eq!(image::guess_format(&page.bytes).unwrap(), ImageFormat::Jpeg);
    image::load_from_memory(&page.bytes).expect("a JPEG that decodes")
}

// ----- the file store -----

/// Every file in the store, relative to its directory, sorted.
fn stored_files(app: &TestApp) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(app.files_dir.path(), app.files_dir.path(), &mut out);
    out.sort();
    out
}

/// The two files of one photo, as the store names them.
fn photo_files(tenant: &Tenant, photo: &str) -> Vec<String> {
    let dir = format!("tenants/{}/photos", tenant.id());
    vec![
        format!("{dir}/{photo}-thumb.jpg"),
        format!("{dir}/{photo}.jpg"),
    ]
}

/// The id of the only photo in the store.
fn only_photo(app: &TestApp, tenant: &Tenant) -> String {
    let files = stored_files(app);
    assert_eq!(files.len(), 2, "one photo, two files: {files:?}");
    let prefix = format!("tenants/{}/photos/", tenant.id());
    let name = files[1]
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("under the company's prefix: {files:?}"));
    let id = name.trim_end_matches(".jpg").to_owned();
    assert_eq!(files, photo_files(tenant, &id));
    id
}

// ----- pages -----

/// The contact record a create redirected to.
fn created(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let to = page.location().expect("redirect").to_owned();
    assert!(to.starts_with("/admin/contacts/0"), "{to}");
    to
}

/// HTML-unescapes what the templates escape in attributes.
fn unescaped(html: &str) -> String {
    html.replace("&#x2F;", "/").replace("&amp;", "&")
}

/// Posts the new-contact form with files.
async fn create_with(
    browser: &Browser<'_>,
    fields: &[(&str, &str)],
    files: &[FilePart<'_>],
) -> Page {
    let form = browser.get("/admin/contacts/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.csrf();
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    browser.post_multipart("/admin/contacts", &all, files).await
}

/// Posts a contact's edit form with files.
async fn edit_with(
    browser: &Browser<'_>,
    record: &str,
    fields: &[(&str, &str)],
    files: &[FilePart<'_>],
) -> Page {
    let form = browser.get(&format!("{record}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let token = form.csrf();
    let mut all = vec![("_csrf", token.as_str())];
    all.extend_from_slice(fields);
    browser.post_multipart(record, &all, files).await
}

// ----- the API -----

// ----- the tests -----

async fn the_form_stores_a_reencoded_photo_and_replaces_and_removes_it(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;

    let form = owner.get("/admin/contacts/new").await;
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(unescaped(&form.body).contains(
        "type=\"file\" id=\"photo\" name=\"photo\" accept=\"image/jpeg,image/png,image/webp\""
    ));
    assert!(form.body.contains("<legend>Foto</legend>"));
    assert!(form.body.contains("JPEG, PNG o WebP, hasta 5 MB."));
    assert!(
        !form.body.contains("Quitar la foto"),
        "nothing to remove on a new contact"
    );

    // PNG in, JPEG out, with a square thumbnail.
    let upload = png(300, 200);
    let record = created(
        &create_with(
            &owner,
            &[("first_name", "Ana"), ("last_name", "Peña")],
            &[photo(&upload, "image/png")],
        )
        .await,
    );
    let first = only_photo(&app, &alfa);
    let stored = served_jpeg(&owner.get(&format!("{record}/photo")).await);
    assert_eq!((stored.width(), stored.height()), (300, 200));
    let thumb = served_jpeg(&owner.get(&format!("{record}/photo/thumbnail")).await);
    assert_eq!(
        (thumb.width(), thumb.height()),
        (THUMBNAIL_SIDE, THUMBNAIL_SIDE)
    );

    // The record shows it, linking the full photo; the list shows the thumbnail.
    let page = unescaped(&owner.get(&record).await.body);
    assert!(
        page.contains(&format!(
            "<a href=\"{record}/photo\"><img class=\"photo-thumb\" src=\"{record}/photo/thumbnail\" alt=\"Ana Peña\""
        )),
        "{page}"
    );
    assert!(page.contains("Cambió la foto"), "the history says so");
    let list = unescaped(&owner.get("/admin/contacts").await.body);
    assert!(list.contains(&format!("src=\"{record}/photo/thumbnail\"")));

    // The edit form shows the current photo and offers to remove it.
    let edit = unescaped(&owner.get(&format!("{record}/edit")).await.body);
    assert!(edit.contains(&format!(
        "src=\"{record}/photo/thumbnail\" alt=\"Ana Peña\""
    )));
    assert!(edit.contains("Quitar la foto"));

    // Editing without a file (urlencoded, as before) keeps the photo.
    let saved = owner
        .submit(
            &format!("{record}/edit"),
            &record,
            &[("first_name", "Ana María"), ("last_name", "Peña")],
        )
        .await;
    assert_eq!(saved.location(), Some(record.as_str()), "{}", saved.body);
    assert_eq!(only_photo(&app, &alfa), first);

    // Replacing it: the metadata is gone, and so are the old files.
    let exif = jpeg_with_exif();
    let saved = edit_with(
        &owner,
        &record,
        &[("first_name", "Ana María"), ("last_name", "Peña")],
        &[photo(&exif, "image/jpeg")],
    )
    .await;
    assert_eq!(saved.location(), Some(record.as_str()), "{}", saved.body);
    let second = only_photo(&app, &alfa);
    assert_ne!(second, first, "the old files were removed");
    for path in [
        format!("{record}/photo"),
        format!("{record}/photo/thumbnail"),
    ] {
        let served = owner.get(&path).await;
        served_jpeg(&served);
        assert!(!served.bytes.windows(4).any(|w| w == b"Exif"), "{path}");
        assert!(!served.bytes.windows(3).any(|w| w == b"GPS"), "{path}");
    }
    let stored = served_jpeg(&owner.get(&format!("{record}/photo")).await);
    assert_eq!((stored.width(), stored.height()), (64, 48));

    // Removing it deletes both files.
    let removed = edit_with(
        &owner,
        &record,
        &[
            ("first_name", "Ana María"),
            ("last_name", "Peña"),
            ("remove_photo", "on"),
        ],
        &[],
    )
    .await;
    assert_eq!(
        removed.location(),
        Some(record.as_str()),
        "{}",
        removed.body
    );
    assert_eq!(stored_files(&app), Vec::<String>::new());
    for path in [
        format!("{record}/photo"),
        format!("{record}/photo/thumbnail"),
    ] {
        assert_eq!(owner.get(&path).await.status, StatusCode::NOT_FOUND);
    }
    let page = owner.get(&record).await.body;
    assert!(!page.contains("photo-thumb"));
    assert!(page.contains("Quitó la foto"));
    assert!(
        !owner
            .get(&format!("{record}/edit"))
            .await
            .body
            .contains("Quitar la foto")
    );

    // Deleting a contact deletes its photo.
    let upload = png(40, 40);
    let record = created(
        &create_with(
            &owner,
            &[("first_name", "Beto")],
            &[photo(&upload, "image/png")],
        )
        .await,
    );
    only_photo(&app, &alfa);
    let deleted = owner
        .submit(
            &format!("{record}/delete"),
            &format!("{record}/delete"),
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
    assert_eq!(stored_files(&app), Vec::<String>::new());
}

async fn a_bad_photo_is_a_field_error_and_nothing_is_written(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;

    let not_an_image = b"%PDF-1.7 not a photo".to_vec();
    let big = too_large();
    let good = png(20, 20);
    for (file, message) in [
        (
            photo(&not_an_image, "image/png"),
            "El archivo no es una imagen JPEG, PNG o WebP válida.",
        ),
        (
            photo(&big, "image/png"),
            "La foto pesa más de 5 MB. Elija una imagen más liviana.",
        ),
    ] {
        let page = create_with(&owner, &[("first_name", "Ana")], &[file]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(page.body.contains(message), "{}", page.body);
        assert!(page.body.contains("Revise los campos marcados."));
        assert!(page.body.contains("name=\"photo\" accept="));
        assert!(
            page.body
                .contains("aria-invalid=\"true\" aria-describedby=\"photo-hint photo-error\"")
        );
        assert!(
            page.body.contains("value=\"Ana\""),
            "what was typed is kept"
        );
    }
    // A bad field with a good photo, and both bad at once: every error shown.
    let page = create_with(
        &owner,
        &[("first_name", "Ana"), ("email", "no-at")],
        &[photo(&good, "image/png")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Escriba un correo electrónico válido"));
    let page = create_with(
        &owner,
        &[("first_name", "Ana"), ("email", "no-at")],
        &[photo(&not_an_image, "image/jpeg")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Escriba un correo electrónico válido"));
    assert!(
        page.body
            .contains("El archivo no es una imagen JPEG, PNG o WebP válida.")
    );
    let list = owner.get("/admin/contacts").await;
    assert!(
        list.body.contains("Todavía no hay contactos."),
        "no contact was created: {}",
        list.body
    );
    assert_eq!(stored_files(&app), Vec::<String>::new(), "no file either");

    // In English, on an edit: the contact keeps its fields and its photo.
    let record = created(
        &create_with(
            &owner,
            &[("first_name", "Rosa"), ("email", "rosa@carol.do")],
            &[photo(&good, "image/png")],
        )
        .await,
    );
    let kept = only_photo(&app, &alfa);
    owner.set_cookie("portico_lang", "en");
    let page = edit_with(
        &owner,
        &record,
        &[("first_name", "Cambiada"), ("email", "rosa@carol.do")],
        &[photo(&not_an_image, "image/webp")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("The file is not a valid JPEG, PNG or WebP image."),
        "{}",
        page.body
    );
    assert!(page.body.contains("<legend>Photo</legend>"));
    let page = edit_with(
        &owner,
        &record,
        &[("first_name", "Cambiada"), ("email", "rosa@carol.do")],
        &[photo(&big, "image/png")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("The photo is larger than 5 MB."));
    // A bad field with a good photo stores nothing either.
    let page = edit_with(
        &owner,
        &record,
        &[("first_name", "Cambiada"), ("email", "no-at")],
        &[photo(&good, "image/png")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(only_photo(&app, &alfa), kept);
    let shown = owner.get(&record).await.body;
    assert!(shown.contains("Rosa") && !shown.contains("Cambiada"));

    // A duplicate email offers the existing person and keeps no file.
    owner.set_cookie("portico_lang", "es");
    let page = create_with(
        &owner,
        &[("first_name", "Rosa E."), ("email", "ROSA@carol.do")],
        &[photo(&good, "image/png")],
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("Este contacto ya existe"));
    assert_eq!(only_photo(&app, &alfa), kept);
}

async fn uploads_need_the_csrf_token_and_the_right_role(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    app.staff(&alfa, "lectura@alfa.test", StaffRole::ReadOnly)
        .await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let good = png(30, 30);

    // No token, or a wrong one: refused before anything is read or stored.
    for fields in [
        vec![("first_name", "Forjado")],
        vec![("_csrf", "not-the-token"), ("first_name", "Forjado")],
    ] {
        let page = owner
            .post_multipart("/admin/contacts", &fields, &[photo(&good, "image/png")])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{fields:?}");
    }
    assert!(
        !owner.get("/admin/contacts").await.body.contains("Forjado"),
        "no contact"
    );
    assert_eq!(stored_files(&app), Vec::<String>::new(), "no file");

    let record = created(
        &create_with(
            &owner,
            &[("first_name", "Rosa")],
            &[photo(&good, "image/png")],
        )
        .await,
    );
    let kept = only_photo(&app, &alfa);
    let forged = owner
        .post_multipart(
            &record,
            &[("_csrf", "not-the-token"), ("remove_photo", "on")],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(only_photo(&app, &alfa), kept);

    // Read-only staff see the photo and cannot change it.
    let reader = app.signed_in("alfa", "lectura@alfa.test").await;
    served_jpeg(&reader.get(&format!("{record}/photo")).await);
    served_jpeg(&reader.get(&format!("{record}/photo/thumbnail")).await);
    let token = reader.get("/admin/contacts").await.csrf();
    let other = png(50, 50);
    for (path, fields) in [
        (
            record.as_str(),
            vec![("_csrf", token.as_str()), ("first_name", "Rosa")],
        ),
        (
            record.as_str(),
            vec![
                ("_csrf", token.as_str()),
                ("first_name", "Rosa"),
                ("remove_photo", "on"),
            ],
        ),
        (
            "/admin/contacts",
            vec![("_csrf", token.as_str()), ("first_name", "Lectora")],
        ),
    ] {
        let page = reader
            .post_multipart(path, &fields, &[photo(&other, "image/png")])
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} {fields:?}");
    }
    assert_eq!(only_photo(&app, &alfa), kept, "nothing stored or removed");

    // Nor through the API with a read-only key.
    let id = record.trim_start_matches("/admin/contacts/");
    let reading = api_key(&app, &alfa, StaffRole::ReadOnly).await;
    let api = api_client(&app, "alfa", &reading);
    served_jpeg(&api.get(&format!("/api/v1/contacts/{id}/photo")).await);
    let put = api
        .raw(
            Method::PUT,
            &format!("/api/v1/contacts/{id}/photo"),
            "image/png",
            &other,
        )
        .await;
    put.problem(StatusCode::FORBIDDEN);
    let delete = api
        .json(
            Method::DELETE,
            &format!("/api/v1/contacts/{id}/photo"),
            None,
        )
        .await;
    delete.problem(StatusCode::FORBIDDEN);
    assert_eq!(only_photo(&app, &alfa), kept);
}

async fn another_company_cannot_see_or_change_a_photo(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let beta = app.company("beta").await;
    let owner = app.signed_in("alfa", "owner@alfa.test").await;
    let good = png(30, 30);
    let record = created(
        &create_with(
            &owner,
            &[("first_name", "Rosa")],
            &[photo(&good, "image/png")],
        )
        .await,
    );
    let kept = only_photo(&app, &alfa);
    let id = record.trim_start_matches("/admin/contacts/");

    let intruder = app.signed_in("beta", "owner@beta.test").await;
    for path in [
        format!("{record}/photo"),
        format!("{record}/photo/thumbnail"),
    ] {
        let page = intruder.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.bytes.len() < 20_000 && !page.bytes.starts_with(&[0xFF, 0xD8]));
    }
    let token = intruder.get("/admin/contacts").await.csrf();
    let page = intruder
        .post_multipart(
            &record,
            &[("_csrf", token.as_str()), ("first_name", "Robada")],
            &[photo(&good, "image/png")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    let beta_key = api_key(&app, &beta, StaffRole::Admin).await;
    let api = api_client(&app, "beta", &beta_key);
    let path = format!("/api/v1/contacts/{id}/photo");
    api.get(&path).await.problem(StatusCode::NOT_FOUND);
    (api.raw(Method::PUT, &path, "image/png", &good).await).problem(StatusCode::NOT_FOUND);
    (api.json(Method::DELETE, &path, None).await).problem(StatusCode::NOT_FOUND);
    assert_eq!(only_photo(&app, &alfa), kept, "alfa's photo is untouched");
    assert!(
        !stored_files(&app)
            .iter()
            .any(|f| f.contains(&beta.id().to_string())),
        "nothing stored for beta"
    );
}

async fn the_api_sets_reads_and_removes_a_photo(db: TestDb) {
    let app = TestApp::new(db).await;
    let alfa = app.company("alfa").await;
    let admin = api_key(&app, &alfa, StaffRole::Admin).await;
    let api = api_client(&app, "alfa", &admin);

    let created = api
        .json(
            Method::POST,
            "/api/v1/contacts",
            Some(json!({ "first_name": "Rosa" })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let contact: Value = serde_json::from_str(&created.body).unwrap();
    assert_eq!(contact["has_photo"], false);
    let id = contact["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/contacts/{id}/photo");
    api.get(&path).await.problem(StatusCode::NOT_FOUND);

    let put = api
        .raw(Method::PUT, &path, "image/png", &png(500, 400))
        .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
    let first = only_photo(&app, &alfa);
    let stored = served_jpeg(&api.get(&path).await);
    assert_eq!((stored.width(), stored.height()), (500, 400));
    let read: Value =
        serde_json::from_str(&api.get(&format!("/api/v1/contacts/{id}")).await.body).unwrap();
    assert_eq!(read["has_photo"], true);

    // WebP replaces it; the old files go.
    let webp = encoded(&sample(60, 90), ImageFormat::WebP);
    let put = api.raw(Method::PUT, &path, "image/webp", &webp).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
    let second = only_photo(&app, &alfa);
    assert_ne!(first, second);

    // Bad bodies: 422 with the photo's error, in the caller's language; nothing changes.
    let bad = api
        .raw(Method::PUT, &path, "image/jpeg", b"GIF89a not really")
        .await;
    let bad = bad.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "photo");
    assert_eq!(bad["errors"][0]["code"], "photo-not-an-image");
    assert_eq!(
        bad["errors"][0]["message"],
        "El archivo no es una imagen JPEG, PNG o WebP válida."
    );
    let big = api_client(&app, "alfa", &admin)
        .with_header("accept-language", "en")
        .raw(Method::PUT, &path, "image/png", &too_large())
        .await;
    let big = big.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(big["errors"][0]["field"], "photo");
    assert_eq!(big["errors"][0]["code"], "photo-too-large");
    assert_eq!(
        big["errors"][0]["message"],
        "The photo is larger than 5 MB. Choose a smaller image."
    );
    let gif = api.raw(Method::PUT, &path, "image/gif", b"GIF89a").await;
    assert!(gif.status.is_client_error(), "{}", gif.status);
    assert_eq!(only_photo(&app, &alfa), second);

    // The history names both changes.
    let history: Value = serde_json::from_str(
        &api.get(&format!("/api/v1/contacts/{id}/history"))
            .await
            .body,
    )
    .unwrap();
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "contact.photo_change",
            "contact.photo_change",
            "contact.create"
        ]
    );

    // DELETE removes it (and again is fine); an unknown contact is 404.
    let delete = api.json(Method::DELETE, &path, None).await;
    assert_eq!(delete.status, StatusCode::NO_CONTENT, "{}", delete.body);
    assert_eq!(stored_files(&app), Vec::<String>::new());
    api.get(&path).await.problem(StatusCode::NOT_FOUND);
    let again = api.json(Method::DELETE, &path, None).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
    let unknown = format!("/api/v1/contacts/{}/photo", uuid::Uuid::now_v7());
    (api.raw(Method::PUT, &unknown, "image/png", &png(10, 10))
        .await)
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(stored_files(&app), Vec::<String>::new());

    // Deleting the contact deletes its photo.
    let put = api.raw(Method::PUT, &path, "image/png", &png(10, 10)).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    only_photo(&app, &alfa);
    let gone = api
        .json(Method::DELETE, &format!("/api/v1/contacts/{id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    assert_eq!(stored_files(&app), Vec::<String>::new());

    // The spec documents the three operations and the accepted types.
    let spec: Value = serde_json::from_str(
        &app.browser("alfa.localhost:8080")
            .get("/api/v1/openapi.json")
            .await
            .body,
    )
    .unwrap();
    let photo = &spec["paths"]["/contacts/{id}/photo"];
    for method in ["get", "put", "delete"] {
        assert!(photo[method].is_object(), "{method}: {photo}");
    }
    let types = photo["put"]["requestBody"]["content"].as_object().unwrap();
    for t in ["image/jpeg", "image/png", "image/webp"] {
        assert!(types.contains_key(t), "{t}");
    }
    assert!(photo["get"]["responses"]["200"]["content"]["image/jpeg"].is_object());
}

backend_tests!(
    the_form_stores_a_reencoded_photo_and_replaces_and_removes_it,
    a_bad_photo_is_a_field_error_and_nothing_is_written,
    uploads_need_the_csrf_token_and_the_right_role,
    another_company_cannot_see_or_change_a_photo,
    the_api_sets_reads_and_removes_a_photo,
);
