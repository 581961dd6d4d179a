//! A request that goes away stops its work: a transaction dropped while its
//! statement runs on PostgreSQL has the statement cancelled (it does not run on
//! to its end or to the statement timeout, holding a connection and the
//! company's share), a client that closes its connection mid-request has its
//! handler dropped, and the pool serves on afterwards.
//!
//! The slow statement is a real one: a read of `contacts` waiting for a lock
//! that the test holds from the owner's connection. It would wait for as long
//! as the lock is held; each test releases the lock only after it saw the
//! statement gone.

use std::time::Duration;

use portico_data::{ContactFilter, DataError, Database, Tenant};
use portico_domain::StaffRole;
use portico_tests::builders::{Company, SYSTEM};
use portico_tests::{TestApp, TestBackend, TestDb, backend_tests, raw_http};
use sqlx::{Connection, PgConnection};

/// How long a test waits for something it expects to happen (a statement to
/// start waiting, or to be gone): a deadline, not a measurement.
const DEADLINE: Duration = Duration::from_secs(20);

/// The application's statements of this database that wait for a lock.
async fn waiting_statements(watcher: &mut PgConnection) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT query FROM pg_stat_activity \
          WHERE datname = current_database() AND usename = 'portico_app' \
            AND state = 'active' AND wait_event_type = 'Lock'",
    )
    .fetch_all(watcher)
    .await
    .expect("pg_stat_activity")
}

/// Polls until `done` holds of the waiting statements, or fails after the deadline.
async fn until(watcher: &mut PgConnection, what: &str, done: impl Fn(&[String]) -> bool) {
    let start = tokio::time::Instant::now();
    loop {
        let waiting = waiting_statements(watcher).await;
        if done(&waiting) {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{what}: still waiting after {DEADLINE:?}: {waiting:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The owner's connection holding a lock on `contacts` that every read of
/// the table waits for, until [`release`].
async fn lock_contacts(url: &str) -> PgConnection {
    let mut holder = PgConnection::connect(url).await.expect("owner connection");
    sqlx::raw_sql("BEGIN; LOCK TABLE contacts IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .expect("lock");
    holder
}

async fn release(mut holder: PgConnection) {
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .expect("unlock");
    holder.close().await.expect("close");
}

/// Reads a page of contacts in a transaction of its own, as a list page does.
async fn read_contacts(db: &Database, tenant: &Tenant) -> Result<usize, DataError> {
    let mut tx = db.tenant_tx(tenant).await?;
    let page = tx
        .contacts()
        .list(&ContactFilter::default(), None, 20)
        .await?;
    Ok(page.len())
}

/// Takes both of a company's two turns at once, then gives them back.
async fn both_turns_are_free(db: &Database, tenant: &Tenant) {
    let first = db.tenant_tx(tenant).await.expect("a turn");
    let second = db.tenant_tx(tenant).await.expect("another turn");
    drop((first, second));
}

/// PostgreSQL only: SQLite cannot interrupt a statement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_dropped_mid_statement_has_it_cancelled_and_the_pool_serves_on() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let small = db
        .attach_with(|options| {
            options.max_connections = 3;
            options.tenant_share = Some(2);
            options.tenant_wait = Duration::from_secs(5);
        })
        .await;
    let app = TestApp::new(small).await;
    let alfa = Company::new(&app, "alfa").await;
    alfa.contact("Ana", "Peña", "ana@alfa.test").await;
    let mut watcher = PgConnection::connect(&app.db.url).await.expect("watcher");
    let holder = lock_contacts(&app.db.url).await;

    // The read waits for the lock; then its task goes away, as a handler's
    // future does when its client leaves.
    let reader = {
        let db = app.db.db.clone();
        let tenant = alfa.tenant.clone();
        tokio::spawn(async move { read_contacts(&db, &tenant).await })
    };
    until(&mut watcher, "the read waits for the lock", |w| {
        w.len() == 1
    })
    .await;
    reader.abort();
    assert!(reader.await.expect_err("aborted").is_cancelled());

    // Its statement stops although the lock is still held.
    until(
        &mut watcher,
        "the dropped statement is cancelled",
        <[String]>::is_empty,
    )
    .await;
    release(holder).await;

    // Every connection of the pool, and both of the company's turns, serve again.
    both_turns_are_free(&app.db.db, &alfa.tenant).await;
    for _ in 0..6 {
        assert_eq!(
            read_contacts(&app.db.db, &alfa.tenant).await.expect("read"),
            1
        );
    }
}

/// Sends an API GET over a new connection and returns the socket, the answer unread.
async fn send_get(
    addr: std::net::SocketAddr,
    host: &str,
    path: &str,
    key: &str,
) -> tokio::net::TcpStream {
    let bearer = format!("Bearer {key}");
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Accept", "application/json"),
    ];
    raw_http::send(addr, "GET", host, path, &headers, "").await
}

/// PostgreSQL only (the statement to stop is PostgreSQL's). Over a real
/// socket, served as `portico serve` serves: hyper notices the closed
/// connection, the server drops it with the handler's future (`poem::Server`
/// would drive the request on to its end), and the data layer cancels the
/// statement the handler was waiting on and gives the company's turn back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_closes_its_connection_mid_request_stops_its_statement() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let one_turn = db
        .attach_with(|options| {
            options.tenant_share = Some(1);
            options.tenant_wait = Duration::from_secs(10);
        })
        .await;
    let app = TestApp::new(one_turn).await;
    let alfa = Company::new(&app, "alfa").await;
    alfa.contact("Ana", "Peña", "ana@alfa.test").await;
    let key = alfa.api_key(StaffRole::ReadOnly).await;
    let served = app.serve().await;
    let host = alfa.host();
    let mut watcher = PgConnection::connect(&app.db.url).await.expect("watcher");
    let holder = lock_contacts(&app.db.url).await;

    let socket = send_get(served.addr, &host, "/api/v1/contacts?limit=20", &key).await;
    until(&mut watcher, "the request's read waits for the lock", |w| {
        w.len() == 1
    })
    .await;
    drop(socket);
    until(
        &mut watcher,
        "the gone client's statement is cancelled",
        <[String]>::is_empty,
    )
    .await;
    // The company's only turn is free again, the lock still held.
    let turn = app.db.db.tenant_tx(&alfa.tenant).await.expect("the turn");
    drop(turn);
    release(holder).await;

    // The app serves the next client.
    let socket = send_get(served.addr, &host, "/api/v1/contacts?limit=20", &key).await;
    let response = raw_http::read(socket).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.body.contains("ana@alfa.test"), "{}", response.body);
}

/// A transaction dropped between statements writes nothing, and its
/// connection and the company's turns serve the next transactions.
async fn a_dropped_transaction_writes_nothing_and_its_connection_serves_on(db: TestDb) {
    let small = db
        .attach_with(|options| {
            options.max_connections = 2;
            options.tenant_share = Some(2);
            options.tenant_wait = Duration::from_secs(5);
        })
        .await;
    let app = TestApp::new(small).await;
    let alfa = Company::new(&app, "alfa").await;
    alfa.contact("Ana", "Peña", "ana@alfa.test").await;

    for n in 0..4 {
        let mut tx = app.db.db.tenant_tx(&alfa.tenant).await.expect("a turn");
        let fields = portico_domain::ContactFields {
            first_name: Some(format!("Borrador {n}")),
            ..Default::default()
        };
        tx.contacts()
            .create(&fields, SYSTEM)
            .await
            .expect("a contact, not committed");
        drop(tx);
    }

    // Both turns are back (SQLite has one writer at a time: one there).
    if app.db.backend == TestBackend::Postgres {
        both_turns_are_free(&app.db.db, &alfa.tenant).await;
    }
    for _ in 0..4 {
        assert_eq!(
            read_contacts(&app.db.db, &alfa.tenant).await.expect("read"),
            1,
            "only the committed contact"
        );
    }
}

backend_tests!(a_dropped_transaction_writes_nothing_and_its_connection_serves_on);
