//! A Redis outage fails fast: with the test's own Redis killed (or frozen), a
//! signed-in page and an API call answer 503 with `Retry-After` well within two
//! seconds instead of stalling on timeouts, `/readyz` says 503 as fast, sign-in
//! is refused rather than left unthrottled, and once Redis is back requests
//! work again without restarting the app (the circuit closes by itself).
//!
//! PostgreSQL + Redis only: the Redis here is a `redis-server` each test starts
//! on a free port, so that it can be killed.

use std::time::{Duration, Instant};

use poem::http::StatusCode;
use portico_tests::{
    Browser, PASSWORD, Page, RedisServer, TestApp, TestDb, admin_forms::staff_sign_in,
};
use portico_web::AppError;

const HOST: &str = "alfa.localhost:8080";
const OWNER: &str = "owner@alfa.test";
/// "Fast" against the 5 s stall of the finding; generous for a loaded machine.
const FAST: Duration = Duration::from_secs(2);
/// How long Redis may take to be used again after it is back.
const RECOVERY: Duration = Duration::from_secs(15);

/// PostgreSQL and the test's own Redis, or `None` (skip) when either is missing.
async fn services() -> Option<(TestDb, RedisServer)> {
    let db = TestDb::postgres().await?;
    let redis = RedisServer::start()?;
    Some((db, redis))
}

/// Sends one request and says how long the answer took.
async fn timed<'a>(request: impl Future<Output = Page> + 'a) -> (Page, Duration) {
    let started = Instant::now();
    let page = request.await;
    (page, started.elapsed())
}

/// A 503 that came back fast and tells the client when to retry.
fn assert_unavailable_fast(what: &str, page: &Page, took: Duration) {
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        page.body
    );
    assert!(took < FAST, "{what} took {took:?}, not fast");
    let retry_after: u64 = page
        .headers
        .get("retry-after")
        .unwrap_or_else(|| panic!("{what} has Retry-After"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{what}: {retry_after}");
}

/// The owner signed in, with the page's CSRF token that the staff API asks of
/// a session.
async fn signed_in_owner(app: &TestApp) -> Browser<'_> {
    let browser = app.signed_in("alfa", OWNER).await;
    let token = browser.get("/admin/contacts").await.csrf();
    browser.with_header("x-csrf-token", &token)
}

/// The back office home and a staff API call, both answered 200.
async fn assert_working(browser: &Browser<'_>) {
    let home = browser.get("/admin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let api = browser.get("/api/v1/customers").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
}

/// Polls `/readyz` until it says 200 again.
async fn wait_until_ready(app: &TestApp) {
    let deadline = Instant::now() + RECOVERY;
    loop {
        let ready = app.browser(HOST).get("/readyz").await;
        if ready.status == StatusCode::OK {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/readyz still answers {} {}s after Redis came back",
            ready.status,
            RECOVERY.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_redis_is_answered_503_at_once_and_a_restarted_one_is_used_again() {
    let Some((db, mut redis)) = services().await else {
        return;
    };
    let app = TestApp::with_redis_url(db, &redis.url()).await;
    app.company("alfa").await;
    let browser = signed_in_owner(&app).await;
    assert_working(&browser).await;
    // Someone else has the sign-in form open (its CSRF token is in a session).
    let other = app.browser(HOST);
    let form = other.get("/admin/sign-in").await;
    assert_eq!(form.status, StatusCode::OK);

    redis.kill();

    // A signed-in page: the translated error page, 503, fast.
    let (page, took) = timed(browser.get("/admin")).await;
    assert_unavailable_fast("the back office home", &page, took);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page"
    );
    assert!(page.body.contains("Servicio ocupado"), "{}", page.body);
    // An API call: problem JSON, 503, fast.
    let (api, took) = timed(browser.get("/api/v1/customers")).await;
    assert_unavailable_fast("the staff API", &api, took);
    assert_eq!(api.headers["content-type"], "application/problem+json");
    let problem: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(problem["status"], 503);
    // Repeated requests keep failing fast (the circuit is open by now).
    for _ in 0..5 {
        let (page, took) = timed(browser.get("/admin/contacts")).await;
        assert_unavailable_fast("a later page", &page, took);
    }
    assert!(
        app.redis.as_ref().unwrap().is_circuit_open(),
        "repeated failures open the circuit"
    );
    // Readiness says so, just as fast.
    let (ready, took) = timed(app.browser(HOST).get("/readyz")).await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    assert!(took < FAST, "/readyz took {took:?}");
    assert!(
        ready.body.contains("\"redis\":\"unavailable\""),
        "{}",
        ready.body
    );
    // Sign-in is refused, not let through unthrottled: the form's post…
    let (refused, took) = timed(other.post(
        "/admin/sign-in",
        &[
            ("_csrf", &form.csrf()),
            ("email", OWNER),
            ("password", PASSWORD),
        ],
    ))
    .await;
    assert_unavailable_fast("a sign-in", &refused, took);
    // …and the throttle itself cannot say "not locked" without Redis.
    let unknown = app
        .state
        .throttle
        .check("staff:alfa:owner@alfa.test")
        .await
        .expect_err("no throttle without Redis");
    assert_eq!(
        poem::error::ResponseError::status(&AppError::from(unknown)),
        StatusCode::SERVICE_UNAVAILABLE
    );

    redis.restart();
    wait_until_ready(&app).await;

    // The sessions were in the killed Redis (no persistence in the test's
    // server), so the owner is signed out and signs in again; then pages and
    // the API work, with no restart of the app.
    let signed_out = browser.get("/admin").await;
    assert_eq!(
        signed_out.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_out.body
    );
    assert_eq!(signed_out.location(), Some("/admin/sign-in"));
    let again = staff_sign_in(&other, OWNER, PASSWORD).await;
    assert_eq!(again.location(), Some("/admin"), "{}", again.body);
    assert_working(&signed_in_owner(&app).await).await;
    assert!(!app.redis.as_ref().unwrap().is_circuit_open());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_is_answered_503_within_the_timeouts_and_a_thawed_one_keeps_the_sessions() {
    let Some((db, redis)) = services().await else {
        return;
    };
    let app = TestApp::with_redis_url(db, &redis.url()).await;
    app.company("alfa").await;
    let browser = signed_in_owner(&app).await;
    assert_working(&browser).await;

    // Connections stay open and nothing answers: only timeouts can end a call.
    redis.pause();

    for _ in 0..5 {
        let (page, took) = timed(browser.get("/admin")).await;
        assert_unavailable_fast("a page while Redis is frozen", &page, took);
    }
    let (api, took) = timed(browser.get("/api/v1/customers")).await;
    assert_unavailable_fast("the API while Redis is frozen", &api, took);
    let (ready, took) = timed(app.browser(HOST).get("/readyz")).await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    assert!(took < FAST, "/readyz took {took:?}");
    assert!(app.redis.as_ref().unwrap().is_circuit_open());

    redis.resume();
    wait_until_ready(&app).await;

    // The server kept its data: the same session works again.
    assert_working(&browser).await;
}
