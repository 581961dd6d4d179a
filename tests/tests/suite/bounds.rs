//! Bounded resources: photo decoding takes one of a fixed number of turns
//! (as many as fit in the configured memory), so a burst of large uploads
//! waits instead of taking the server's memory; each company holds at most its
//! share of the database pool, so its burst does not starve the others. What
//! gets no turn in time answers 503 with `Retry-After`.

use std::{io::Cursor, time::Duration};

use image::{ImageFormat, Rgb, RgbImage};
use poem::http::{Method, StatusCode};
use portico_domain::StaffRole;
use portico_tests::builders::Company;
use portico_tests::{TestApp, TestDb, backend_tests};
use portico_web::WebConfig;

fn png() -> Vec<u8> {
    let image = RgbImage::from_pixel(64, 48, Rgb([200, 30, 30]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("encode");
    out.into_inner()
}

async fn photo_uploads_wait_for_a_decoding_turn(db: TestDb) {
    let mut web = WebConfig::new(url::Url::parse("http://localhost:8080").expect("url"));
    // Memory for a single decoding: one turn.
    web.photo_decoding_memory = portico_files::PHOTO_PEAK_BYTES;
    web.photo_decoding_wait = Duration::from_millis(300);
    let app = TestApp::with_config(db, web).await;
    assert_eq!(app.state.photo_decoding.available_permits(), 1);
    let alfa = Company::new(&app, "alfa").await;
    let ana = alfa.contact("Ana", "Peña", "ana@alfa.test").await;
    let key = alfa.api_key(StaffRole::Sales).await;
    let api = alfa.api_client(&key);
    let path = format!("/api/v1/contacts/{ana}/photo");

    // Another upload holds the only turn: this one waits, then is told to retry.
    let held = app.state.photo_decoding.acquire().await.expect("a turn");
    let busy = api.raw(Method::PUT, &path, "image/png", &png()).await;
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert!(busy.headers.get("retry-after").is_some());
    assert!(
        busy.body.contains("\"status\":503"),
        "a problem document: {}",
        busy.body
    );
    let none = api.get(&path).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "nothing was stored");

    // The turn comes free: the same upload goes through, and gives its turn back.
    drop(held);
    let saved = api.raw(Method::PUT, &path, "image/png", &png()).await;
    assert!(
        saved.status.is_success(),
        "{}: {}",
        saved.status,
        saved.body
    );
    assert_eq!(app.state.photo_decoding.available_permits(), 1);
    assert_eq!(api.get(&path).await.status, StatusCode::OK);
}

async fn the_default_memory_gives_a_few_turns(db: TestDb) {
    let app = TestApp::new(db).await;
    let turns = app.state.photo_decoding.available_permits();
    assert!((2..=8).contains(&turns), "{turns} turns in 1 GiB");
}

/// PostgreSQL only: SQLite has one writer at a time, whatever the company.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_company_over_its_share_of_the_pool_is_told_to_retry_and_no_other_notices() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let shared = db
        .attach_with(|options| {
            options.max_connections = 6;
            options.tenant_share = Some(2);
            options.tenant_wait = Duration::from_millis(200);
        })
        .await;
    let app = TestApp::new(shared).await;
    let alfa = Company::new(&app, "alfa").await;
    let beta = Company::new(&app, "beta").await;
    let alfa_owner = alfa.staff_session("owner@alfa.test").await;
    let beta_owner = beta.staff_session("owner@beta.test").await;
    let key = alfa.api_key(StaffRole::Sales).await;
    let alfa_api = alfa.api_client(&key);

    // alfa's burst holds both of its turns (say, two slow searches).
    let burst = [
        app.db.db.tenant_tx(&alfa.tenant).await.expect("a turn"),
        app.db.db.tenant_tx(&alfa.tenant).await.expect("a turn"),
    ];
    let page = alfa_owner.get("/admin/contacts").await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert!(page.headers.get("retry-after").is_some());
    let api = alfa_api.get("/api/v1/contacts").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.body);
    assert!(api.headers.get("retry-after").is_some());
    assert!(api.body.contains("\"status\":503"), "{}", api.body);

    // beta has the rest of the pool: its pages and API are served meanwhile.
    let page = beta_owner.get("/admin/contacts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    drop(burst);
    let page = alfa_owner.get("/admin/contacts").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

backend_tests!(
    a_photo_over_the_upload_limit_is_the_photo_fields_error,
    photo_uploads_wait_for_a_decoding_turn,
    the_default_memory_gives_a_few_turns,
);

async fn a_photo_over_the_upload_limit_is_the_photo_fields_error(db: TestDb) {
    use portico_tests::FilePart;
    let app = TestApp::new(db).await;
    let alfa = Company::new(&app, "alfa").await;
    let owner = alfa.staff_session("owner@alfa.test").await;
    let form = owner.get("/admin/contacts/new").await;
    // Larger than any form body is read whole (20 MiB): read as it streams.
    let huge = vec![0x89_u8; portico_web::site::MAX_UPLOAD + 4 * 1024 * 1024];
    let page = owner
        .post_multipart(
            "/admin/contacts",
            &[
                ("_csrf", &form.csrf()),
                ("first_name", "Ana"),
                ("email", "ana@alfa.test"),
            ],
            &[FilePart {
                field: "photo",
                file_name: "grande.png",
                content_type: "image/png",
                bytes: &huge,
            }],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        &page.body[..page.body.len().min(500)]
    );
    assert!(
        page.body.contains("La foto pesa más de 5 MB"),
        "the photo's own error"
    );
    assert!(
        page.body.contains("value=\"Ana\""),
        "the rest of the form is kept"
    );
    let list = owner.get("/admin/contacts").await;
    assert!(!list.body.contains("ana@alfa.test"), "nothing was saved");
}
