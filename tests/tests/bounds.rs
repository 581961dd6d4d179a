//! Bounded resources: photo decoding takes one of a fixed number of turns
//! (as many as fit in the configured memory), so a burst of large uploads
//! waits instead of taking the server's memory, and an upload that gets no
//! turn in time answers 503 with `Retry-After`.

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

backend_tests!(
    photo_uploads_wait_for_a_decoding_turn,
    the_default_memory_gives_a_few_turns,
);
