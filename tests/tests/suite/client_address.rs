//! The per-address sign-in limit over a real socket, as behind a load balancer:
//! the server sees every request come from 127.0.0.1 (the proxy). With the proxy
//! trusted, each client is counted by its forwarded address, a noisy client is
//! slowed down but never locked out, and nobody else notices; with no trusted
//! proxy, a forwarded header cannot pick a fresh address.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use portico_data::Tenant;
use portico_tests::{
    PASSWORD, TestApp, TestDb, backend_tests, chrome::served_with, csrf_in, raw_http,
};
use portico_web::{client::IpNet, signin::ADDRESS_SLOWDOWN};

backend_tests!(
    behind_a_trusted_proxy_each_client_is_counted_by_its_own_address,
    an_untrusted_peer_cannot_choose_its_address
);

/// Form encoding of one value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// One staff sign-in through the proxy on behalf of `client` (sent as
/// `X-Forwarded-For`): the form first (its session and CSRF token), then the
/// post. Returns the post's status and how long it took.
async fn sign_in(
    port: u16,
    client: &str,
    email: &str,
    password: &str,
) -> (u16, Option<String>, Duration) {
    let host = format!("alfa.localhost:{port}");
    let forwarded = [("X-Forwarded-For", client)];
    let form = raw_http::request(port, "GET", &host, "/admin/sign-in", &forwarded, "").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let token = csrf_in(&form.body).expect("the form's CSRF token");
    let cookies = form.cookies();
    let body = format!(
        "_csrf={}&email={}&password={}",
        encode(&token),
        encode(email),
        encode(password)
    );
    let started = Instant::now();
    let answer = raw_http::request(
        port,
        "POST",
        &host,
        "/admin/sign-in",
        &[
            ("X-Forwarded-For", client),
            ("Cookie", &cookies),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &body,
    )
    .await;
    let location = answer.header("location").map(str::to_owned);
    (answer.status, location, started.elapsed())
}

/// The per-address limit of `app`'s staff sign-in has been passed by `client`.
async fn over_the_limit(app: &TestApp, alfa: &Tenant, client: &str) -> bool {
    let key = format!("staff:{}:ip:{client}", alfa.id());
    app.state
        .address_throttle
        .check(&key)
        .await
        .expect("the throttle answers")
        .is_err()
}

/// Wrong passwords from one client, each for someone else (no account reaches
/// its own limit).
async fn noisy(port: u16, client: &str, attempts: u32) {
    static PEOPLE: AtomicU32 = AtomicU32::new(0);
    for _ in 0..attempts {
        let n = PEOPLE.fetch_add(1, Ordering::Relaxed);
        let (status, location, _) = sign_in(
            port,
            client,
            &format!("nadie{n}@alfa.test"),
            "no-es-la-clave",
        )
        .await;
        assert_ne!(
            status, 303,
            "a wrong password never signs in ({location:?})"
        );
        assert_ne!(status, 429, "an address is never locked out");
    }
}

async fn behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(db: TestDb) {
    let (app, port, server) = served_with(db, |web| {
        web.trusted_proxies = vec![IpNet::parse("127.0.0.0/8").expect("network")];
        // Two failures per account; eight per address.
        web.sign_in_max_failures = 2;
    })
    .await;
    let alfa = app.company("alfa").await;

    noisy(port, "203.0.113.7", 8).await;
    assert!(over_the_limit(&app, &alfa, "203.0.113.7").await);
    assert!(
        !over_the_limit(&app, &alfa, "127.0.0.1").await,
        "the proxy itself is not counted"
    );
    assert!(!over_the_limit(&app, &alfa, "198.51.100.9").await);

    // Another client behind the same proxy signs in as usual.
    let (status, location, _) = sign_in(port, "198.51.100.9", "owner@alfa.test", PASSWORD).await;
    assert_eq!((status, location.as_deref()), (303, Some("/admin")));

    // The noisy client is slowed down, not locked out: the right password
    // still works, after the wait.
    let (status, location, took) = sign_in(port, "203.0.113.7", "owner@alfa.test", PASSWORD).await;
    assert_eq!((status, location.as_deref()), (303, Some("/admin")));
    assert!(took >= ADDRESS_SLOWDOWN, "slowed down: {took:?}");

    // IPv6 clients count by their /64: two addresses of one block share a count.
    noisy(port, "2001:db8:1:2::a", 4).await;
    noisy(port, "2001:db8:1:2::b", 4).await;
    assert!(over_the_limit(&app, &alfa, "2001:db8:1:2::/64").await);
    assert!(!over_the_limit(&app, &alfa, "2001:db8:1:3::/64").await);
    server.abort();
}

async fn an_untrusted_peer_cannot_choose_its_address(db: TestDb) {
    // No trusted proxy: the socket's address is the client's, whatever it says.
    let (app, port, server) = served_with(db, |web| web.sign_in_max_failures = 2).await;
    let alfa = app.company("alfa").await;
    for n in 0..8 {
        noisy(port, &format!("203.0.113.{n}"), 1).await;
    }
    assert!(over_the_limit(&app, &alfa, "127.0.0.1").await);
    for n in 0..8 {
        assert!(!over_the_limit(&app, &alfa, &format!("203.0.113.{n}")).await);
    }
    let (status, _, took) = sign_in(port, "198.51.100.9", "owner@alfa.test", PASSWORD).await;
    assert_eq!(status, 303);
    assert!(
        took >= ADDRESS_SLOWDOWN,
        "a fresh header changes nothing: {took:?}"
    );
    server.abort();
}
